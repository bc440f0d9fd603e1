/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A CUDA device emulated on the CPU, for testing the CUDA backend where no
 * device answers. It provides the CUDA runtime calls the backend makes, and
 * runs our kernels (model/ov-backend-cuda.cu compiled by the host compiler
 * with cuda-emu-device.h) one block at a time, every thread of a block a
 * coroutine of its own, switched at __syncthreads and at warp shuffles, so
 * barriers and shuffles mean what they mean on a device. cublas-emu.c is the
 * cuBLAS beside it.
 *
 * What it checks beyond the numbers:
 *   - device memory is its own: every allocation is tracked; kernels and
 *     products given a pointer that is not device memory, copies whose
 *     direction does not match their pointers, frees of unknown pointers
 *     fail with a message naming the call;
 *   - fresh allocations and each block's shared memory, static and
 *     dynamic, are poisoned, so what a kernel forgets to write or reads
 *     before it is written shows up: NaN bytes, or with OV_EMU_POISON=big
 *     huge finite numbers, which a kernel's fmaxf and isnan do not filter;
 *   - launch limits (threads per block, grid size, 48 KiB of dynamic shared
 *     memory), full-warp shuffles in warps that are not whole, lanes that
 *     return while their warp waits at a shuffle, and barriers that never
 *     complete;
 *   - built with AddressSanitizer, a kernel's read or write past its buffer;
 *   - stream capture: on a captured stream, launches, products and
 *     device-to-device copies become nodes of a graph that cudaGraphLaunch
 *     runs in order, each checking its buffers again (one freed since the
 *     capture fails the launch); waits, allocations and copies from or to
 *     host memory spoil the capture, as they would on a device, so that
 *     cudaStreamEndCapture fails, and outside relaxed mode so do
 *     allocations, frees and synchronous copies anywhere;
 *     OV_EMU_SPOIL_CAPTURE=1 spoils every capture, for the tests of a
 *     recording that fails.
 *
 * What it cannot show: the device's timing, its memory model (each block
 * runs alone, and threads switch only at barriers and shuffles, so a race
 * that needs two threads running at once never happens here), the ordering
 * of work on streams (every call completes before it returns, so a missing
 * synchronisation goes unseen), and the device's own maths functions (the
 * host's expf and erff stand in for CUDA's), nor which way tensor cores
 * round an input to TF32 (cublas-emu.c does either). Those need a real
 * device: tests/bench/gpu-check.sh.
 */
#define G_LOG_DOMAIN "cuda-emu"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
/* the stack switch of our own returns to an address the shadow stack of
 * control-flow enforcement does not hold: ucontext there */
#if defined(__x86_64__) && !defined(__CET__)
#define EMU_OWN_SWITCH 1
#else
#include <ucontext.h>
#endif
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#include <glib.h>

#include "cuda-emu.h"

/* The emulated device's memory: enough for the test checkpoints, little
 * enough that an impossible allocation fails as it would on a device. */
#define EMU_MEMORY      ((size_t) 4 << 30)
#define EMU_MAX_THREADS 1024
#define EMU_WARP        32
#define EMU_MAX_SHARED  (48 * 1024)
#define EMU_STACK       (256 * 1024)
#define EMU_ALIGN       256

static _Thread_local cudaError_t last_error = cudaSuccess;

/* what the device was asked to do (ov_emu_get_counts) */
static struct {
  atomic_uint_fast64_t kernels, products, copies, host_waits, allocations;
  atomic_uint_fast64_t recorded, graph_launches, replayed;
} counts;

void
ov_emu_get_counts (OvEmuCounts *c)
{
  c->kernels = atomic_load (&counts.kernels);
  c->products = atomic_load (&counts.products);
  c->copies = atomic_load (&counts.copies);
  c->host_waits = atomic_load (&counts.host_waits);
  c->allocations = atomic_load (&counts.allocations);
  c->recorded = atomic_load (&counts.recorded);
  c->graph_launches = atomic_load (&counts.graph_launches);
  c->replayed = atomic_load (&counts.replayed);
}

void
ov_emu_count_product (void)
{
  atomic_fetch_add (&counts.products, 1);
}

/* The byte that fills fresh device memory and shared memory at each block:
 * 0xff (NaN, -1) by default; OV_EMU_POISON=big gives 0x7f (3.4e38, a huge
 * int), which the NaN-dropping fmaxf and isnan tests of a kernel do not
 * filter away. */
static int
poison_byte (void)
{
  static int byte;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      byte = g_strcmp0 (g_getenv ("OV_EMU_POISON"), "big") == 0 ? 0x7f : 0xff;
      g_once_init_leave (&done, 1);
    }
  return byte;
}

static void
report_va (const char *what, const char *fmt, va_list ap)
{
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);

  fprintf (stderr, "cuda-emu: %s: %s\n", what, msg);
}

void
ov_emu_report (const char *what, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  report_va (what, fmt, ap);
  va_end (ap);
}

void
ov_emu_fail (cudaError_t err, const char *what, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  report_va (what, fmt, ap);
  va_end (ap);
  last_error = err;
}

/* ---- device memory ---- */

typedef struct {
  char   *base;
  size_t  size;
} EmuAlloc;

static GMutex memory_lock;
static GTree *allocations;      /* EmuAlloc, ordered by base (keys and values) */
static size_t memory_used;

static int
compare_base (gconstpointer a, gconstpointer b, gpointer unused)
{
  const char *x = ((const EmuAlloc *) a)->base, *y = ((const EmuAlloc *) b)->base;

  return x < y ? -1 : x > y;
}

/* For g_tree_search: the allocation holding the address probe. */
static int
holds (gconstpointer key, gconstpointer probe)
{
  const EmuAlloc *a = key;
  const char *p = probe;

  if (p < a->base)
    return -1;
  return p >= a->base + a->size ? 1 : 0;
}

static const EmuAlloc *
find_allocation (const void *p)
{
  if (allocations == NULL)
    return NULL;
  return g_tree_search (allocations, holds, p);
}

int
ov_emu_is_device (const void *p, size_t n_bytes)
{
  const EmuAlloc *a;
  int ok;

  g_mutex_lock (&memory_lock);
  a = find_allocation (p);
  ok = a != NULL && n_bytes <= a->size - (size_t) ((const char *) p - a->base);
  g_mutex_unlock (&memory_lock);
  return ok;
}

int
ov_emu_check_arg (const char *kernel, int index, const void *p)
{
  /* one past the end of a buffer is a pointer a kernel may be given */
  if (p == NULL || ov_emu_is_device (p, 1) || ov_emu_is_device ((const char *) p - 1, 1))
    return 1;
  ov_emu_fail (cudaErrorIllegalAddress, kernel,
               "argument %d (%p) is not device memory; the kernel did not run", index, p);
  return 0;
}

static cudaError_t
device_alloc (void **out, size_t size, const char *what)
{
  EmuAlloc *a;

  if (out == NULL)
    {
      ov_emu_fail (cudaErrorInvalidValue, what, "no place for the pointer");
      return cudaErrorInvalidValue;
    }
  *out = NULL;
  g_mutex_lock (&memory_lock);
  if (size > EMU_MEMORY - memory_used)
    {
      size_t used = memory_used;

      g_mutex_unlock (&memory_lock);
      /* not reported on stderr: running out is a result the callers handle */
      last_error = cudaErrorMemoryAllocation;
      g_debug ("%s: %zu bytes asked, %zu of %zu in use", what, size, used, EMU_MEMORY);
      return cudaErrorMemoryAllocation;
    }
  if (allocations == NULL)
    allocations = g_tree_new_full (compare_base, NULL, g_free, NULL);
  a = g_new (EmuAlloc, 1);
  a->size = size;
  /* at the 256 bytes cudaMalloc promises: cuBLASLt's algorithms and our
   * backend's choice of them go by the alignment of what they are given */
  if (posix_memalign ((void **) &a->base, EMU_ALIGN, MAX (size, 1)) != 0)
    a->base = NULL;
  if (a->base == NULL)
    {
      g_mutex_unlock (&memory_lock);
      g_free (a);
      last_error = cudaErrorMemoryAllocation;
      return cudaErrorMemoryAllocation;
    }
  /* a device's fresh memory holds whatever was there: poison here */
  memset (a->base, poison_byte (), size);
  g_tree_insert (allocations, a, a);
  memory_used += size;
  g_mutex_unlock (&memory_lock);
  *out = a->base;
  atomic_fetch_add (&counts.allocations, 1);
  return cudaSuccess;
}

static cudaError_t
device_free (void *p, const char *what)
{
  EmuAlloc *a;

  if (p == NULL)
    return cudaSuccess;
  g_mutex_lock (&memory_lock);
  a = (EmuAlloc *) find_allocation (p);
  if (a == NULL || a->base != p)
    {
      g_mutex_unlock (&memory_lock);
      ov_emu_fail (cudaErrorInvalidValue, what, "%p is not the start of a device allocation", p);
      return cudaErrorInvalidValue;
    }
  memory_used -= a->size;
  g_tree_remove (allocations, a);   /* frees a */
  free (p);
  g_mutex_unlock (&memory_lock);
  return cudaSuccess;
}

/* ---- streams ---- */

static GMutex stream_lock;
static GHashTable *streams;     /* the live ones */

int
ov_emu_is_stream (cudaStream_t s)
{
  int ok;

  if (s == NULL || s == cudaStreamLegacy || s == cudaStreamPerThread)
    return 1;
  g_mutex_lock (&stream_lock);
  ok = streams != NULL && g_hash_table_contains (streams, s);
  g_mutex_unlock (&stream_lock);
  return ok;
}

static cudaError_t
check_stream (cudaStream_t s, const char *what)
{
  if (ov_emu_is_stream (s))
    return cudaSuccess;
  ov_emu_fail (cudaErrorInvalidResourceHandle, what, "%p is not a live stream", (void *) s);
  return cudaErrorInvalidResourceHandle;
}

/* ---- stream capture and graphs ---- */

typedef struct {
  char  *what;
  int  (*run) (void *);
  void  *data;
  void (*destroy) (void *);
} EmuNode;

/* A graph: its nodes in the order they were queued (one stream, so that is
 * their order of dependence too), shared by reference with the executable
 * graphs made from it. spoiled: why the capture cannot become a graph. */
typedef struct {
  GPtrArray                *nodes;
  char                     *spoiled;
  enum cudaStreamCaptureMode mode;
} EmuGraph;

static GHashTable *captures;    /* stream → EmuGraph being recorded (stream_lock) */

static void
node_free (gpointer p)
{
  EmuNode *n = p;

  if (n->destroy != NULL)
    n->destroy (n->data);
  g_free (n->what);
  g_free (n);
}

static void
graph_free (EmuGraph *g)
{
  if (g == NULL)
    return;
  g_ptr_array_unref (g->nodes);
  g_free (g->spoiled);
  g_free (g);
}

int
ov_emu_capturing (cudaStream_t s)
{
  int yes;

  g_mutex_lock (&stream_lock);
  yes = captures != NULL && g_hash_table_contains (captures, s);
  g_mutex_unlock (&stream_lock);
  return yes;
}

int
ov_emu_capture_node (cudaStream_t s, const char *what, int (*run) (void *), void *data,
                     void (*destroy) (void *))
{
  EmuGraph *g;
  EmuNode *n;

  g_mutex_lock (&stream_lock);
  g = captures != NULL ? g_hash_table_lookup (captures, s) : NULL;
  if (g != NULL)
    {
      n = g_new0 (EmuNode, 1);
      n->what = g_strdup (what);
      n->run = run;
      n->data = data;
      n->destroy = destroy;
      g_ptr_array_add (g->nodes, n);
      atomic_fetch_add (&counts.recorded, 1);
    }
  g_mutex_unlock (&stream_lock);
  return g != NULL;
}

cudaError_t
ov_emu_capture_refuse (cudaStream_t s, const char *what, const char *why)
{
  EmuGraph *g;

  g_mutex_lock (&stream_lock);
  g = captures != NULL ? g_hash_table_lookup (captures, s) : NULL;
  if (g != NULL && g->spoiled == NULL)
    g->spoiled = g_strdup_printf ("%s: %s", what, why);
  g_mutex_unlock (&stream_lock);
  ov_emu_fail (cudaErrorStreamCaptureUnsupported, what, "%s while the stream is captured", why);
  return cudaErrorStreamCaptureUnsupported;
}

/* Outside relaxed mode, calls that are unsafe while any stream is captured
 * (allocating, freeing, the synchronous copy) spoil the captures that are
 * not relaxed. Returns cudaSuccess when nothing was spoiled. */
static cudaError_t
refuse_if_strict_capture (const char *what)
{
  GHashTableIter iter;
  gpointer stream = NULL, value;
  gboolean strict = FALSE;

  g_mutex_lock (&stream_lock);
  if (captures != NULL)
    {
      g_hash_table_iter_init (&iter, captures);
      while (g_hash_table_iter_next (&iter, &stream, &value))
        if (((EmuGraph *) value)->mode != cudaStreamCaptureModeRelaxed)
          {
            strict = TRUE;
            break;
          }
    }
  g_mutex_unlock (&stream_lock);
  if (!strict)
    return cudaSuccess;
  return ov_emu_capture_refuse ((cudaStream_t) stream, what,
                                "an unsafe call outside relaxed capture mode");
}

cudaError_t
cudaStreamBeginCapture (cudaStream_t stream, enum cudaStreamCaptureMode mode)
{
  EmuGraph *g;

  if (check_stream (stream, "cudaStreamBeginCapture") != cudaSuccess)
    return cudaErrorInvalidResourceHandle;
  /* the legacy stream synchronises with every other: it cannot be captured */
  if (stream == NULL || stream == cudaStreamLegacy)
    {
      ov_emu_fail (cudaErrorStreamCaptureImplicit, "cudaStreamBeginCapture",
                   "the legacy default stream cannot be captured");
      return cudaErrorStreamCaptureImplicit;
    }
  if (ov_emu_capturing (stream))
    {
      ov_emu_fail (cudaErrorIllegalState, "cudaStreamBeginCapture",
                   "the stream is already captured");
      return cudaErrorIllegalState;
    }
  g = g_new0 (EmuGraph, 1);
  g->nodes = g_ptr_array_new_with_free_func (node_free);
  g->mode = mode;
  /* for the tests of a recording that fails: it ends in an error */
  if (g_strcmp0 (g_getenv ("OV_EMU_SPOIL_CAPTURE"), "1") == 0)
    g->spoiled = g_strdup ("OV_EMU_SPOIL_CAPTURE=1");
  g_mutex_lock (&stream_lock);
  if (captures == NULL)
    captures = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (captures, stream, g);
  g_mutex_unlock (&stream_lock);
  return cudaSuccess;
}

cudaError_t
cudaStreamEndCapture (cudaStream_t stream, cudaGraph_t *graph)
{
  EmuGraph *g = NULL;

  if (graph == NULL)
    {
      ov_emu_fail (cudaErrorInvalidValue, "cudaStreamEndCapture", "no place for the graph");
      return cudaErrorInvalidValue;
    }
  *graph = NULL;
  g_mutex_lock (&stream_lock);
  if (captures != NULL)
    g_hash_table_steal_extended (captures, stream, NULL, (gpointer *) &g);
  g_mutex_unlock (&stream_lock);
  if (g == NULL)
    {
      ov_emu_fail (cudaErrorIllegalState, "cudaStreamEndCapture", "the stream is not captured");
      return cudaErrorIllegalState;
    }
  if (g->spoiled != NULL)
    {
      ov_emu_fail (cudaErrorStreamCaptureInvalidated, "cudaStreamEndCapture",
                   "the capture was spoiled by %s", g->spoiled);
      graph_free (g);
      return cudaErrorStreamCaptureInvalidated;
    }
  *graph = (cudaGraph_t) g;
  return cudaSuccess;
}

cudaError_t
cudaGraphInstantiate (cudaGraphExec_t *exec, cudaGraph_t graph, unsigned long long flags)
{
  if (exec == NULL || graph == NULL)
    {
      ov_emu_fail (cudaErrorInvalidValue, "cudaGraphInstantiate", "no graph or no place for it");
      return cudaErrorInvalidValue;
    }
  /* the executable graph keeps the nodes when the graph is destroyed */
  *exec = (cudaGraphExec_t) g_ptr_array_ref (((EmuGraph *) graph)->nodes);
  return cudaSuccess;
}

cudaError_t
cudaGraphDestroy (cudaGraph_t graph)
{
  graph_free ((EmuGraph *) graph);
  return cudaSuccess;
}

cudaError_t
cudaGraphExecDestroy (cudaGraphExec_t exec)
{
  if (exec != NULL)
    g_ptr_array_unref ((GPtrArray *) exec);
  return cudaSuccess;
}

/* Every node in order, each checking again what it is given (a buffer
 * freed since the capture shows up here). */
cudaError_t
cudaGraphLaunch (cudaGraphExec_t exec, cudaStream_t stream)
{
  GPtrArray *nodes = (GPtrArray *) exec;

  if (exec == NULL)
    {
      ov_emu_fail (cudaErrorInvalidValue, "cudaGraphLaunch", "no executable graph");
      return cudaErrorInvalidValue;
    }
  if (check_stream (stream, "cudaGraphLaunch") != cudaSuccess)
    return cudaErrorInvalidResourceHandle;
  if (ov_emu_capturing (stream))
    return ov_emu_capture_refuse (stream, "cudaGraphLaunch", "a graph launched (not emulated)");
  atomic_fetch_add (&counts.graph_launches, 1);
  for (guint i = 0; i < nodes->len; i++)
    {
      EmuNode *n = g_ptr_array_index (nodes, i);

      if (!n->run (n->data))
        {
          ov_emu_fail (cudaErrorLaunchFailure, "cudaGraphLaunch", "node %u (%s) failed", i,
                       n->what);
          return cudaErrorLaunchFailure;
        }
      atomic_fetch_add (&counts.replayed, 1);
    }
  return cudaSuccess;
}

cudaError_t
cudaStreamCreateWithFlags (cudaStream_t *stream, unsigned int flags)
{
  if (stream == NULL)
    {
      ov_emu_fail (cudaErrorInvalidValue, "cudaStreamCreateWithFlags", "no place for the stream");
      return cudaErrorInvalidValue;
    }
  g_mutex_lock (&stream_lock);
  if (streams == NULL)
    streams = g_hash_table_new_full (NULL, NULL, g_free, NULL);
  *stream = (cudaStream_t) g_new0 (char, 16);
  g_hash_table_add (streams, *stream);
  g_mutex_unlock (&stream_lock);
  return cudaSuccess;
}

cudaError_t
cudaStreamDestroy (cudaStream_t stream)
{
  gboolean found;

  g_mutex_lock (&stream_lock);
  found = streams != NULL && stream != NULL && g_hash_table_remove (streams, stream);
  g_mutex_unlock (&stream_lock);
  if (found)
    return cudaSuccess;
  ov_emu_fail (cudaErrorInvalidResourceHandle, "cudaStreamDestroy", "%p is not a live stream",
               (void *) stream);
  return cudaErrorInvalidResourceHandle;
}

/* Every call has finished when it returns: nothing is left to wait for. */
cudaError_t
cudaStreamSynchronize (cudaStream_t stream)
{
  cudaError_t err = check_stream (stream, "cudaStreamSynchronize");

  if (err == cudaSuccess && ov_emu_capturing (stream))
    return ov_emu_capture_refuse (stream, "cudaStreamSynchronize", "a wait for the stream");
  if (err == cudaSuccess)
    atomic_fetch_add (&counts.host_waits, 1);
  return err;
}

/* ---- the runtime calls on memory ---- */

cudaError_t
cudaMalloc (void **p, size_t size)
{
  cudaError_t err = refuse_if_strict_capture ("cudaMalloc");

  return err != cudaSuccess ? err : device_alloc (p, size, "cudaMalloc");
}

cudaError_t
cudaMallocAsync (void **p, size_t size, cudaStream_t stream)
{
  cudaError_t err = check_stream (stream, "cudaMallocAsync");

  if (err == cudaSuccess && ov_emu_capturing (stream))
    return ov_emu_capture_refuse (stream, "cudaMallocAsync",
                                  "an allocation (memory nodes are not emulated)");
  return err != cudaSuccess ? err : device_alloc (p, size, "cudaMallocAsync");
}

cudaError_t
cudaFree (void *p)
{
  cudaError_t err = refuse_if_strict_capture ("cudaFree");

  return err != cudaSuccess ? err : device_free (p, "cudaFree");
}

cudaError_t
cudaFreeAsync (void *p, cudaStream_t stream)
{
  cudaError_t err = check_stream (stream, "cudaFreeAsync");

  if (err == cudaSuccess && ov_emu_capturing (stream))
    return ov_emu_capture_refuse (stream, "cudaFreeAsync",
                                  "a free (memory nodes are not emulated)");
  return err != cudaSuccess ? err : device_free (p, "cudaFreeAsync");
}

static const char *
kind_name (enum cudaMemcpyKind kind)
{
  switch (kind)
    {
    case cudaMemcpyHostToHost: return "host to host";
    case cudaMemcpyHostToDevice: return "host to device";
    case cudaMemcpyDeviceToHost: return "device to host";
    case cudaMemcpyDeviceToDevice: return "device to device";
    default: return "default";
    }
}

/* The copy, after checking that each side is the memory the kind says. */
static cudaError_t
copy (void *dst, const void *src, size_t n, enum cudaMemcpyKind kind, const char *what)
{
  gboolean dst_dev, src_dev, want_dst, want_src;

  if (n == 0)
    return cudaSuccess;
  dst_dev = ov_emu_is_device (dst, n);
  src_dev = ov_emu_is_device (src, n);
  switch (kind)
    {
    case cudaMemcpyHostToHost: want_dst = FALSE; want_src = FALSE; break;
    case cudaMemcpyHostToDevice: want_dst = TRUE; want_src = FALSE; break;
    case cudaMemcpyDeviceToHost: want_dst = FALSE; want_src = TRUE; break;
    case cudaMemcpyDeviceToDevice: want_dst = TRUE; want_src = TRUE; break;
    case cudaMemcpyDefault: want_dst = dst_dev; want_src = src_dev; break;
    default:
      ov_emu_fail (cudaErrorInvalidMemcpyDirection, what, "kind %d", (int) kind);
      return cudaErrorInvalidMemcpyDirection;
    }
  /* host memory that merely starts inside a device buffer is still wrong */
  if (dst_dev != want_dst || src_dev != want_src
      || (!want_dst && ov_emu_is_device (dst, 1)) || (!want_src && ov_emu_is_device (src, 1)))
    {
      ov_emu_fail (cudaErrorInvalidValue, what,
                   "%zu bytes %s, but the destination %p is %s and the source %p is %s", n,
                   kind_name (kind), dst, dst_dev ? "device memory" : "not wholly device memory",
                   src, src_dev ? "device memory" : "not wholly device memory");
      return cudaErrorInvalidValue;
    }
  memmove (dst, src, n);
  atomic_fetch_add (&counts.copies, 1);
  return cudaSuccess;
}

cudaError_t
cudaMemcpy (void *dst, const void *src, size_t n, enum cudaMemcpyKind kind)
{
  cudaError_t err = refuse_if_strict_capture ("cudaMemcpy");

  if (err != cudaSuccess)
    return err;
  err = copy (dst, src, n, kind, "cudaMemcpy");

  /* it returns once the device has done everything before it */
  if (err == cudaSuccess)
    atomic_fetch_add (&counts.host_waits, 1);
  return err;
}

/* A device-to-device copy recorded in a graph. */
typedef struct {
  void       *dst;
  const void *src;
  size_t      n;
} EmuCopy;

static int
run_copy (void *data)
{
  EmuCopy *c = data;

  return copy (c->dst, c->src, c->n, cudaMemcpyDeviceToDevice, "cudaMemcpyAsync (graph)")
         == cudaSuccess;
}

cudaError_t
cudaMemcpyAsync (void *dst, const void *src, size_t n, enum cudaMemcpyKind kind,
                 cudaStream_t stream)
{
  cudaError_t err = check_stream (stream, "cudaMemcpyAsync");

  if (err == cudaSuccess && ov_emu_capturing (stream))
    {
      EmuCopy *c;

      /* host memory may be pageable: such a copy cannot be a node */
      if (n > 0 && (!ov_emu_is_device (dst, n) || !ov_emu_is_device (src, n)
                    || (kind != cudaMemcpyDeviceToDevice && kind != cudaMemcpyDefault)))
        return ov_emu_capture_refuse (stream, "cudaMemcpyAsync",
                                      "a copy from or to host memory");
      c = g_new (EmuCopy, 1);
      c->dst = dst;
      c->src = src;
      c->n = n;
      ov_emu_capture_node (stream, "cudaMemcpyAsync", run_copy, c, g_free);
      return cudaSuccess;
    }
  return err != cudaSuccess ? err : copy (dst, src, n, kind, "cudaMemcpyAsync");
}

cudaError_t
cudaMemGetInfo (size_t *free_bytes, size_t *total_bytes)
{
  g_mutex_lock (&memory_lock);
  if (free_bytes != NULL)
    *free_bytes = EMU_MEMORY - memory_used;
  if (total_bytes != NULL)
    *total_bytes = EMU_MEMORY;
  g_mutex_unlock (&memory_lock);
  return cudaSuccess;
}

static char default_pool;

/* Only what the backend asks. OV_EMU_NO_POOLS=1 makes a device without
 * memory pools, as some virtual GPUs are. */
cudaError_t
cudaDeviceGetAttribute (int *value, enum cudaDeviceAttr attr, int device)
{
  if (device != 0 || value == NULL || attr != cudaDevAttrMemoryPoolsSupported)
    {
      ov_emu_fail (cudaErrorInvalidValue, "cudaDeviceGetAttribute", "attribute %d, device %d",
                   (int) attr, device);
      return cudaErrorInvalidValue;
    }
  *value = g_strcmp0 (g_getenv ("OV_EMU_NO_POOLS"), "1") != 0;
  return cudaSuccess;
}

cudaError_t
cudaDeviceGetDefaultMemPool (cudaMemPool_t *pool, int device)
{
  if (device != 0 || pool == NULL)
    {
      ov_emu_fail (cudaErrorInvalidValue, "cudaDeviceGetDefaultMemPool", "device %d", device);
      return cudaErrorInvalidValue;
    }
  *pool = (cudaMemPool_t) &default_pool;
  return cudaSuccess;
}

cudaError_t
cudaMemPoolSetAttribute (cudaMemPool_t pool, enum cudaMemPoolAttr attr, void *value)
{
  if (pool != (cudaMemPool_t) &default_pool || value == NULL)
    {
      ov_emu_fail (cudaErrorInvalidValue, "cudaMemPoolSetAttribute", "not the default pool");
      return cudaErrorInvalidValue;
    }
  return cudaSuccess;
}

/* Freed memory goes back at once here: the pool keeps nothing to trim. */
cudaError_t
cudaMemPoolTrimTo (cudaMemPool_t pool, size_t min_bytes_to_keep)
{
  if (pool != (cudaMemPool_t) &default_pool)
    {
      ov_emu_fail (cudaErrorInvalidValue, "cudaMemPoolTrimTo", "not the default pool");
      return cudaErrorInvalidValue;
    }
  return cudaSuccess;
}

/* ---- the device ---- */

cudaError_t
cudaGetDeviceCount (int *count)
{
  *count = 1;
  return cudaSuccess;
}

cudaError_t
cudaSetDevice (int device)
{
  if (device == 0)
    return cudaSuccess;
  ov_emu_fail (cudaErrorInvalidDevice, "cudaSetDevice", "there is only device 0");
  return cudaErrorInvalidDevice;
}

cudaError_t
cudaGetDeviceProperties (struct cudaDeviceProp *prop, int device)
{
  if (device != 0)
    {
      ov_emu_fail (cudaErrorInvalidDevice, "cudaGetDeviceProperties", "device %d", device);
      return cudaErrorInvalidDevice;
    }
  memset (prop, 0, sizeof *prop);
  g_strlcpy (prop->name, "CUDA emulator on the CPU (tests)", sizeof prop->name);
  prop->totalGlobalMem = EMU_MEMORY;
  prop->sharedMemPerBlock = EMU_MAX_SHARED;
  prop->warpSize = EMU_WARP;
  prop->maxThreadsPerBlock = EMU_MAX_THREADS;
  prop->maxThreadsDim[0] = prop->maxThreadsDim[1] = EMU_MAX_THREADS;
  prop->maxThreadsDim[2] = 64;
  prop->maxGridSize[0] = G_MAXINT32;
  prop->maxGridSize[1] = prop->maxGridSize[2] = 65535;
  prop->major = 9;
  prop->minor = 0;
  prop->multiProcessorCount = 1;
  return cudaSuccess;
}

cudaError_t
cudaRuntimeGetVersion (int *version)
{
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t
cudaDriverGetVersion (int *version)
{
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t
cudaGetLastError (void)
{
  cudaError_t err = last_error;

  last_error = cudaSuccess;
  return err;
}

static const struct {
  cudaError_t  code;
  const char  *name;
  const char  *text;
} error_names[] = {
  { cudaSuccess, "cudaSuccess", "no error" },
  { cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument" },
  { cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory" },
  { cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration",
    "invalid configuration argument" },
  { cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal" },
  { cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection",
    "invalid copy direction for memcpy" },
  { cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle",
    "invalid resource handle" },
  { cudaErrorIllegalAddress, "cudaErrorIllegalAddress",
    "an illegal memory access was encountered" },
  { cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure" },
  { cudaErrorIllegalState, "cudaErrorIllegalState",
    "the operation cannot be performed in the present state" },
  { cudaErrorStreamCaptureUnsupported, "cudaErrorStreamCaptureUnsupported",
    "operation not permitted when stream is capturing" },
  { cudaErrorStreamCaptureInvalidated, "cudaErrorStreamCaptureInvalidated",
    "operation failed due to a previous error during capture" },
  { cudaErrorStreamCaptureImplicit, "cudaErrorStreamCaptureImplicit",
    "operation would make the legacy stream depend on a capturing blocking stream" },
};

const char *
cudaGetErrorName (cudaError_t err)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_names); i++)
    if (error_names[i].code == err)
      return error_names[i].name;
  return "cudaErrorUnknown";
}

const char *
cudaGetErrorString (cudaError_t err)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_names); i++)
    if (error_names[i].code == err)
      return error_names[i].text;
  return "unknown error";
}

/* ---- kernels: one block at a time, its threads as coroutines ---- */

/* ---- switching between the scheduler and the threads ---- */

#if defined(EMU_OWN_SWITCH)
/* A context is its stack pointer; the callee-saved registers and the place
 * to resume sit on the stack. glibc's swapcontext also saves the signal
 * mask, a system call each time, which made a kernel's many barriers and
 * shuffles the test's whole cost. */
typedef struct {
  void *sp;
} EmuContext;

void ov_emu_switch (void **save_sp, void *load_sp);
__asm__ (
  ".text\n"
  ".globl ov_emu_switch\n"
  ".hidden ov_emu_switch\n"
  ".type ov_emu_switch, @function\n"
  "ov_emu_switch:\n"
  "  pushq %rbp\n"
  "  pushq %rbx\n"
  "  pushq %r12\n"
  "  pushq %r13\n"
  "  pushq %r14\n"
  "  pushq %r15\n"
  "  movq %rsp, (%rdi)\n"
  "  movq %rsi, %rsp\n"
  "  popq %r15\n"
  "  popq %r14\n"
  "  popq %r13\n"
  "  popq %r12\n"
  "  popq %rbx\n"
  "  popq %rbp\n"
  "  ret\n"
  ".size ov_emu_switch, . - ov_emu_switch\n");

/* A fresh context that starts entry (which must never return) on stack. */
static void
context_start (EmuContext *c, char *stack, size_t size, void (*entry) (void))
{
  void **sp = (void **) (((uintptr_t) (stack + size)) & ~(uintptr_t) 15);

  *--sp = NULL;                 /* entry's return address: there is none */
  *--sp = (void *) entry;       /* where the switch's ret lands */
  for (int i = 0; i < 6; i++)
    *--sp = NULL;               /* rbp, rbx, r12-r15 */
  c->sp = sp;
}

static void
context_jump (EmuContext *from, EmuContext *to)
{
  ov_emu_switch (&from->sp, to->sp);
}
#else
typedef ucontext_t EmuContext;

static void
context_start (EmuContext *c, char *stack, size_t size, void (*entry) (void))
{
  getcontext (c);
  c->uc_stack.ss_sp = stack;
  c->uc_stack.ss_size = size;
  c->uc_link = NULL;
  makecontext (c, entry, 0);
}

static void
context_jump (EmuContext *from, EmuContext *to)
{
  swapcontext (from, to);
}
#endif

typedef enum {
  EMU_RUNNABLE,
  EMU_AT_BARRIER,            /* __syncthreads */
  EMU_AT_SHUFFLE,            /* a warp shuffle */
  EMU_RETURNED,
} EmuState;

typedef struct {
  EmuContext  ctx;
  char       *stack;         /* mapped, with a guard page below */
  EmuState    state;
  guint       parity;        /* the exchange slot of this lane's next shuffle */
  uint3       idx;           /* threadIdx */
} EmuThread;

uint3 ov_emu_thread_idx, ov_emu_block_idx;
dim3  ov_emu_block_dim, ov_emu_grid_dim;

static GMutex launch_lock;   /* one grid runs at a time */
static struct {
  EmuContext     scheduler;
  const void    *scheduler_stack;       /* for AddressSanitizer */
  size_t         scheduler_stack_size;
  gboolean       from_scheduler;        /* the switch under way left the scheduler */
  gboolean       stacks_dirty;          /* a failed block left frames behind */
  EmuThread      threads[EMU_MAX_THREADS];
  guint          n_stacks;              /* threads with a stack so far */
  guint          n;                     /* threads in a block */
  guint          current;
  guint          n_returned;
  guint          at_barrier;
  guint          at_shuffle[EMU_MAX_THREADS / EMU_WARP];
  guint          returned_in_warp[EMU_MAX_THREADS / EMU_WARP];
  guint64        slots[2][EMU_MAX_THREADS];
  void         (*body) (void *);
  void          *closure;
  const char    *kernel;
  gboolean       failed;
  void          *shared;
  size_t         shared_size;
  void          *static_shared;
  size_t         static_size;
} emu;

static void
enter (guint i)
{
  emu.current = i;
  ov_emu_thread_idx = emu.threads[i].idx;
}

/* Where a thread lands after any switch into it. */
static void
arrived (void *fake_stack)
{
#if defined(__SANITIZE_ADDRESS__)
  if (emu.from_scheduler)
    __sanitizer_finish_switch_fiber (fake_stack, &emu.scheduler_stack,
                                     &emu.scheduler_stack_size);
  else
    __sanitizer_finish_switch_fiber (fake_stack, NULL, NULL);
#endif
}

/* From the scheduler into thread i, until some thread hands back. */
static void
resume_from_scheduler (guint i)
{
#if defined(__SANITIZE_ADDRESS__)
  void *fake_stack = NULL;

  __sanitizer_start_switch_fiber (&fake_stack, emu.threads[i].stack, EMU_STACK);
#endif
  enter (i);
  emu.from_scheduler = TRUE;
  context_jump (&emu.scheduler, &emu.threads[i].ctx);
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_finish_switch_fiber (fake_stack, NULL, NULL);
#endif
}

/* The running thread gives the processor to the next thread that can run,
 * a lane of its own warp first (so a warp's lanes take their shuffles in
 * turn), else to the scheduler. A thread that is done (returned or failed)
 * is never resumed. */
static void
switch_away (gboolean done)
{
  guint me = emu.current, w0 = me / EMU_WARP * EMU_WARP;
  guint w_n = MIN (w0 + EMU_WARP, emu.n) - w0;
  guint next = G_MAXUINT;
  EmuThread *t = &emu.threads[me];
  void *fake_stack = NULL;

  if (!emu.failed)
    {
      for (guint k = 1; k < w_n && next == G_MAXUINT; k++)
        {
          guint j = w0 + (me - w0 + k) % w_n;

          if (emu.threads[j].state == EMU_RUNNABLE)
            next = j;
        }
      for (guint k = 1; k < emu.n && next == G_MAXUINT; k++)
        {
          guint j = (me + k) % emu.n;

          if (emu.threads[j].state == EMU_RUNNABLE)
            next = j;
        }
    }
  if (next == G_MAXUINT)
    {
#if defined(__SANITIZE_ADDRESS__)
      __sanitizer_start_switch_fiber (done ? NULL : &fake_stack, emu.scheduler_stack,
                                      emu.scheduler_stack_size);
#endif
      context_jump (&t->ctx, &emu.scheduler);
    }
  else
    {
#if defined(__SANITIZE_ADDRESS__)
      __sanitizer_start_switch_fiber (done ? NULL : &fake_stack, emu.threads[next].stack,
                                      EMU_STACK);
#endif
      enter (next);
      emu.from_scheduler = FALSE;
      context_jump (&t->ctx, &emu.threads[next].ctx);
    }
  arrived (fake_stack);
}

/* A kernel broke a rule: record it and leave the thread for good. */
static void G_GNUC_PRINTF (1, 2)
thread_fail (const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  EmuThread *t = &emu.threads[emu.current];

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  ov_emu_fail (cudaErrorLaunchFailure, emu.kernel, "block (%u, %u, %u), thread %u: %s",
               ov_emu_block_idx.x, ov_emu_block_idx.y, ov_emu_block_idx.z, emu.current, msg);
  emu.failed = TRUE;
  emu.stacks_dirty = TRUE;
  t->state = EMU_RETURNED;
  g_clear_pointer (&msg, g_free);
  switch_away (TRUE);
  g_assert_not_reached ();
}

static void
release (EmuState waiting, guint from, guint to)
{
  for (guint i = from; i < to; i++)
    if (emu.threads[i].state == waiting)
      emu.threads[i].state = EMU_RUNNABLE;
}

void
ov_emu_sync_threads (void)
{
  emu.at_barrier++;
  if (emu.at_barrier == emu.n - emu.n_returned)
    {
      /* the last to arrive lets everyone go and runs on */
      emu.at_barrier = 0;
      release (EMU_AT_BARRIER, 0, emu.n);
      return;
    }
  emu.threads[emu.current].state = EMU_AT_BARRIER;
  switch_away (FALSE);
}

uint64_t
ov_emu_shfl_xor (unsigned mask, uint64_t bits, int lane_mask)
{
  guint t = emu.current, w = t / EMU_WARP, lane = t % EMU_WARP;
  EmuThread *me = &emu.threads[t];
  guint p = me->parity;

  if (mask != 0xffffffffu)
    thread_fail ("only full-warp shuffles are emulated (mask %#x)", mask);
  if (emu.n < (w + 1) * EMU_WARP)
    thread_fail ("a full-warp shuffle in a block of %u threads: warp %u is not whole", emu.n,
                 w);
  if (emu.returned_in_warp[w] > 0)
    thread_fail ("a full-warp shuffle after %u lanes of warp %u returned",
                 emu.returned_in_warp[w], w);
  /* two slots, used in turn: a lane that runs ahead to its next shuffle
   * writes the other one while the others still read this one */
  me->parity ^= 1;
  emu.slots[p][t] = bits;
  if (++emu.at_shuffle[w] == EMU_WARP)
    {
      emu.at_shuffle[w] = 0;
      release (EMU_AT_SHUFFLE, w * EMU_WARP, (w + 1) * EMU_WARP);
    }
  else
    {
      me->state = EMU_AT_SHUFFLE;
      switch_away (FALSE);
    }
  if (lane_mask < 0 || (lane ^ (guint) lane_mask) >= EMU_WARP)
    return bits;
  return emu.slots[p][w * EMU_WARP + (lane ^ (guint) lane_mask)];
}

void *
ov_emu_dynamic_shared (void)
{
  return emu.shared;
}

static void
thread_main (void)
{
  guint t, w;

  arrived (NULL);
  t = emu.current;
  w = t / EMU_WARP;
  emu.body (emu.closure);
  /* the body may have been switched out and back: current is t again */
  g_assert (emu.current == t);
  emu.threads[t].state = EMU_RETURNED;
  emu.n_returned++;
  emu.returned_in_warp[w]++;
  if (emu.at_shuffle[w] > 0)
    {
      ov_emu_fail (cudaErrorLaunchFailure, emu.kernel,
                   "thread %u returned while lanes of its warp wait at a shuffle (%u of them)", t,
                   emu.at_shuffle[w]);
      emu.failed = TRUE;
      emu.stacks_dirty = TRUE;
    }
  /* a barrier waits only for threads that have not returned */
  if (emu.at_barrier > 0 && emu.at_barrier == emu.n - emu.n_returned)
    {
      emu.at_barrier = 0;
      release (EMU_AT_BARRIER, 0, emu.n);
    }
  switch_away (TRUE);
  g_assert_not_reached ();
}

static gboolean
make_stacks (guint n)
{
  long page = sysconf (_SC_PAGESIZE);

  for (; emu.n_stacks < n; emu.n_stacks++)
    {
      char *m = mmap (NULL, EMU_STACK + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

      if (m == MAP_FAILED)
        {
          ov_emu_fail (cudaErrorMemoryAllocation, emu.kernel, "no stack for thread %u: %s",
                       emu.n_stacks, g_strerror (errno));
          return FALSE;
        }
      /* a thread that overflows its stack faults at once */
      mprotect (m, page, PROT_NONE);
      emu.threads[emu.n_stacks].stack = m + page;
    }
  return TRUE;
}

static void
run_block (void)
{
  emu.n_returned = 0;
  emu.at_barrier = 0;
  memset (emu.at_shuffle, 0, sizeof emu.at_shuffle);
  memset (emu.returned_in_warp, 0, sizeof emu.returned_in_warp);
  if (emu.shared != NULL)
    memset (emu.shared, poison_byte (), emu.shared_size);
  if (emu.static_shared != NULL)
    memset (emu.static_shared, poison_byte (), emu.static_size);
#if defined(__SANITIZE_ADDRESS__)
  /* frames a failed block left on the stacks still carry their redzones */
  if (emu.stacks_dirty)
    {
      for (guint i = 0; i < emu.n_stacks; i++)
        ASAN_UNPOISON_MEMORY_REGION (emu.threads[i].stack, EMU_STACK);
      emu.stacks_dirty = FALSE;
    }
#endif
  for (guint i = 0; i < emu.n; i++)
    {
      EmuThread *t = &emu.threads[i];

      t->state = EMU_RUNNABLE;
      t->parity = 0;
      context_start (&t->ctx, t->stack, EMU_STACK, thread_main);
    }
  /* the threads hand the processor to each other; it comes back here when
   * none of them can run */
  while (emu.n_returned < emu.n && !emu.failed)
    {
      guint i = 0;

      while (i < emu.n && emu.threads[i].state != EMU_RUNNABLE)
        i++;
      if (i == emu.n)
        {
          ov_emu_fail (cudaErrorLaunchFailure, emu.kernel,
                       "block (%u, %u, %u): %u threads wait at a barrier or shuffle that the "
                       "others never reach", ov_emu_block_idx.x, ov_emu_block_idx.y,
                       ov_emu_block_idx.z, emu.n - emu.n_returned);
          emu.failed = TRUE;
          emu.stacks_dirty = TRUE;
          break;
        }
      resume_from_scheduler (i);
    }
}

cudaError_t
ov_emu_launch (const char *kernel, dim3 grid, dim3 block, size_t shared, cudaStream_t stream,
               void (*body) (void *), void *closure, void *static_shared, size_t static_size)
{
  guint64 n_threads = (guint64) block.x * block.y * block.z;
  cudaError_t err = cudaSuccess;

  if (n_threads == 0 || n_threads > EMU_MAX_THREADS || block.z > 64 || grid.x == 0
      || grid.y == 0 || grid.z == 0 || grid.x > G_MAXINT32 || grid.y > 65535
      || grid.z > 65535)
    {
      ov_emu_fail (cudaErrorInvalidConfiguration, kernel,
                   "grid (%u, %u, %u), block (%u, %u, %u) is not a launch a device accepts",
                   grid.x, grid.y, grid.z, block.x, block.y, block.z);
      return cudaErrorInvalidConfiguration;
    }
  if (shared > EMU_MAX_SHARED)
    {
      ov_emu_fail (cudaErrorInvalidValue, kernel, "%zu bytes of dynamic shared memory", shared);
      return cudaErrorInvalidValue;
    }
  if (!ov_emu_is_stream (stream))
    {
      ov_emu_fail (cudaErrorInvalidResourceHandle, kernel, "%p is not a live stream",
                   (void *) stream);
      return cudaErrorInvalidResourceHandle;
    }
  /* a captured launch is recorded by OV_LAUNCH (cuda-emu-device.h) */
  if (ov_emu_capturing (stream))
    return ov_emu_capture_refuse (stream, kernel, "a launch that was not recorded");

  g_mutex_lock (&launch_lock);
  emu.kernel = kernel;
  emu.failed = FALSE;
  if (!make_stacks ((guint) n_threads))
    err = cudaErrorMemoryAllocation;
  else
    {
      emu.n = (guint) n_threads;
      for (guint i = 0; i < emu.n; i++)
        {
          emu.threads[i].idx.x = i % block.x;
          emu.threads[i].idx.y = i / block.x % block.y;
          emu.threads[i].idx.z = i / (block.x * block.y);
        }
      emu.body = body;
      emu.closure = closure;
      emu.shared_size = shared;
      emu.shared = shared > 0 ? g_malloc (shared) : NULL;
      emu.static_shared = static_shared;
      emu.static_size = static_size;
      ov_emu_block_dim = block;
      ov_emu_grid_dim = grid;
      for (guint z = 0; z < grid.z && !emu.failed; z++)
        for (guint y = 0; y < grid.y && !emu.failed; y++)
          for (guint x = 0; x < grid.x && !emu.failed; x++)
            {
              ov_emu_block_idx.x = x;
              ov_emu_block_idx.y = y;
              ov_emu_block_idx.z = z;
              run_block ();
            }
      g_clear_pointer (&emu.shared, g_free);
      if (emu.failed)
        err = cudaErrorLaunchFailure;
      else
        atomic_fetch_add (&counts.kernels, 1);
    }
  g_mutex_unlock (&launch_lock);
  if (err != cudaSuccess)
    last_error = err;
  return err;
}
