/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The CUDA backend: the backend table on one device and one stream, matrix
 * products through cuBLAS, the rest through our kernels (ov-backend-cuda.cu).
 * Weights are uploaded once; activations come from the stream-ordered pool.
 * Every CUDA and cuBLAS call goes through CUDA_CHECK / CUBLAS_CHECK, which
 * record the first failure with its statement, file and line; check() turns
 * it into an OV_ERROR_DEVICE GError at the engine's boundaries.
 *
 * cuBLAS is opened with dlopen when the first backend is made: linking it
 * would load its 500 MB at every start of the program, GPU or not.
 */
#define G_LOG_DOMAIN "ov-backend-cuda"

#include <dlfcn.h>
#include <math.h>
#include <string.h>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "ov-backend-cuda.h"
#include "ov-cuda-kernels.h"
#include "ov-error.h"

typedef struct {
  OvBackend       base;
  int             device;
  OvPrecision     precision;
  char           *device_name;
  cudaStream_t    stream;
  cudaMemPool_t   pool;         /* the device's default pool, or NULL */
  cublasHandle_t  blas;
  GHashTable     *weights;      /* host pointer → device copy */
  guint64         weight_bytes; /* held by the weights */
  guint64         weight_limit; /* OV_CUDA_WEIGHT_LIMIT_MB, for tests; 0 = none */
  GError         *error;        /* the first failure, until check() */
} OvCudaBackend;

#define CUDA_BE(be) ((OvCudaBackend *) (be))

/* The few cuBLAS entry points we use, from the library opened at run time. */
typedef struct {
  cublasStatus_t (*create)        (cublasHandle_t *handle);
  cublasStatus_t (*destroy)       (cublasHandle_t handle);
  cublasStatus_t (*set_stream)    (cublasHandle_t handle, cudaStream_t stream);
  cublasStatus_t (*set_math_mode) (cublasHandle_t handle, cublasMath_t mode);
  cublasStatus_t (*gemm_ex)       (cublasHandle_t handle, cublasOperation_t ta,
                                   cublasOperation_t tb, int m, int n, int k,
                                   const void *alpha, const void *a, cudaDataType at, int lda,
                                   const void *b, cudaDataType bt, int ldb, const void *beta,
                                   void *c, cudaDataType ct, int ldc,
                                   cublasComputeType_t compute, cublasGemmAlgo_t algo);
  const char    *(*status_string) (cublasStatus_t status);
  char          *problem;         /* why it could not be opened, or NULL */
} OvCublas;

static const OvCublas *
cublas_library (void)
{
  static OvCublas lib;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      const char *names[] = {
        "libcublas.so." G_STRINGIFY (CUBLAS_VER_MAJOR),
#ifdef OV_CUDA_LIBDIR
        OV_CUDA_LIBDIR "/libcublas.so." G_STRINGIFY (CUBLAS_VER_MAJOR),
#endif
      };
      void *h = NULL;

      for (gsize i = 0; i < G_N_ELEMENTS (names) && h == NULL; i++)
        h = dlopen (names[i], RTLD_NOW | RTLD_LOCAL);
      if (h == NULL)
        lib.problem = g_strdup_printf ("cannot open %s: %s", names[0], dlerror ());
      else
        {
#define SYM(field, name) \
  if (lib.problem == NULL && (*(void **) &lib.field = dlsym (h, name)) == NULL) \
    lib.problem = g_strdup_printf ("%s has no %s", names[0], name)
          SYM (create, "cublasCreate_v2");
          SYM (destroy, "cublasDestroy_v2");
          SYM (set_stream, "cublasSetStream_v2");
          SYM (set_math_mode, "cublasSetMathMode");
          SYM (gemm_ex, "cublasGemmEx");
          SYM (status_string, "cublasGetStatusString");
#undef SYM
        }
      g_once_init_leave (&done, 1);
    }
  return &lib;
}

static void
record_failure (OvCudaBackend *cb, const char *what, const char *detail, const char *stmt,
                const char *file, int line)
{
  if (cb->error != NULL)
    return;
  cb->error = g_error_new (OV_ERROR, OV_ERROR_DEVICE,
                           "CUDA device %d: %s (%s) in %s at %s:%d", cb->device, what,
                           detail, stmt, file, line);
}

/* Errors after which the device's context is broken for good: every later
 * call in this process fails too. */
static gboolean
error_is_sticky (cudaError_t err)
{
  switch (err)
    {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorLaunchTimeout:
    case cudaErrorAssert:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorECCUncorrectable:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
cuda_check (OvCudaBackend *cb, cudaError_t err, const char *stmt, const char *file, int line)
{
  g_autofree char *what = NULL;

  if (G_LIKELY (err == cudaSuccess))
    return TRUE;
  if (error_is_sticky (err))
    what = g_strdup_printf ("%s; the device cannot be used again until the program restarts "
                            "(--device cpu runs without it)", cudaGetErrorString (err));
  record_failure (cb, what != NULL ? what : cudaGetErrorString (err), cudaGetErrorName (err),
                  stmt, file, line);
  return FALSE;
}

static gboolean
cublas_check (OvCudaBackend *cb, cublasStatus_t st, const char *stmt, const char *file,
              int line)
{
  g_autofree char *code = NULL;

  if (G_LIKELY (st == CUBLAS_STATUS_SUCCESS))
    return TRUE;
  code = g_strdup_printf ("cuBLAS status %d", (int) st);
  record_failure (cb, cublas_library ()->status_string (st), code, stmt, file, line);
  return FALSE;
}

#define CUDA_CHECK(cb, stmt) cuda_check ((cb), (stmt), #stmt, __FILE__, __LINE__)
#define CUBLAS_CHECK(cb, stmt) cublas_check ((cb), (stmt), #stmt, __FILE__, __LINE__)

/* The thread that calls may not have this device current (a GTask worker). */
static gboolean
enter (OvCudaBackend *cb)
{
  if (cb->error != NULL)
    return FALSE;
  return CUDA_CHECK (cb, cudaSetDevice (cb->device));
}

static float *
cuda_alloc (const OvBackend *be, gsize n_floats)
{
  OvCudaBackend *cb = CUDA_BE (be);
  void *p = NULL;

  if (!enter (cb))
    return NULL;
  if (!CUDA_CHECK (cb, cudaMallocAsync (&p, MAX (n_floats, 1) * sizeof (float), cb->stream)))
    return NULL;
  return p;
}

static void
cuda_free (const OvBackend *be, float *p)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (p == NULL)
    return;
  /* freed even after a failure, but a second error is not recorded */
  if (cb->error == NULL)
    CUDA_CHECK (cb, cudaFreeAsync (p, cb->stream));
  else
    (void) cudaFreeAsync (p, cb->stream);
}

static void
cuda_upload (const OvBackend *be, float *dst, const float *host, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  /* from pageable memory the call returns once the host data is staged, so
   * the caller may free it at once */
  if (n == 0 || !enter (cb))
    return;
  CUDA_CHECK (cb, cudaMemcpyAsync (dst, host, n * sizeof (float), cudaMemcpyHostToDevice,
                                   cb->stream));
}

static void
cuda_download (const OvBackend *be, float *host, const float *src, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (n == 0)
    return;
  if (enter (cb)
      && CUDA_CHECK (cb, cudaMemcpyAsync (host, src, n * sizeof (float),
                                          cudaMemcpyDeviceToHost, cb->stream))
      && CUDA_CHECK (cb, cudaStreamSynchronize (cb->stream)))
    return;
  /* never hand back stale memory: the caller sees NaN until it checks */
  for (gsize i = 0; i < n; i++)
    host[i] = NAN;
}

/* y (M, N) = x (M, K) · w (N, K)ᵀ + b. Row-major y is column-major yᵀ
 * (N, M) = w · xᵀ: w is a column-major (K, N) matrix used transposed. */
static void
cuda_linear (const OvBackend *be, float *y, const float *x, const float *w, const float *b,
             int m, int n, int k)
{
  OvCudaBackend *cb = CUDA_BE (be);
  const float one = 1.0f, zero = 0.0f;
  /* Fast precision takes TF32 only for products of 32 rows or more. Below
   * that a product reads its weights once for few rows and should be bound
   * by memory, so TF32 ought to buy no time (to be measured on a GPU). And
   * a decoding step's products (two rows a beam) are where a caption's near
   * ties are decided: with TF32 there, one of the 60 demo-scene captions
   * changed a word once the inputs were truncated to TF32 rather than
   * rounded (tests/cuda-emu). */
  cublasComputeType_t compute = cb->precision == OV_PRECISION_FAST && m >= 32
                                ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;

  if (m <= 0 || n <= 0 || !enter (cb))
    return;
  /* cuBLAS wants leading dimensions of at least 1; with k = 0 it writes
   * zeros, and y = b as on the CPU */
  if (!CUBLAS_CHECK (cb, cublas_library ()->gemm_ex (cb->blas, CUBLAS_OP_T, CUBLAS_OP_N,
                                                     n, m, k, &one, w, CUDA_R_32F, MAX (k, 1),
                                                     x, CUDA_R_32F, MAX (k, 1), &zero, y,
                                                     CUDA_R_32F, n, compute,
                                                     CUBLAS_GEMM_DEFAULT)))
    return;
  if (b != NULL)
    CUDA_CHECK (cb, ov_cuda_bias (y, b, m, n, cb->stream));
}

static void
cuda_add_layer_norm (const OvBackend *be, float *x, const float *r, const float *g,
                     const float *b, int m, int n, float eps)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_add_layer_norm (x, r, g, b, m, n, eps, cb->stream));
}

static void
cuda_gelu (const OvBackend *be, float *x, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_gelu (x, n, cb->stream));
}

static void
cuda_tanh (const OvBackend *be, float *x, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_tanh (x, n, cb->stream));
}

/* A small host int32 array copied into a stream-ordered device buffer,
 * freed by the caller with cudaFreeAsync after the kernel that reads it. */
static gint32 *
upload_ints (OvCudaBackend *cb, const gint32 *host, gsize n)
{
  void *p = NULL;

  if (!CUDA_CHECK (cb, cudaMallocAsync (&p, MAX (n, 1) * sizeof (gint32), cb->stream)))
    return NULL;
  if (!CUDA_CHECK (cb, cudaMemcpyAsync (p, host, n * sizeof (gint32), cudaMemcpyHostToDevice,
                                        cb->stream)))
    {
      (void) cudaFreeAsync (p, cb->stream);
      return NULL;
    }
  return p;
}

/* The token ids are host arrays (the engine builds them on the host). */
static void
cuda_embed (const OvBackend *be, float *out, const float *word, const float *pos,
            const float *type, const gint32 *ids, const gint32 *pos_ids,
            const gint32 *type_ids, int t, int h)
{
  OvCudaBackend *cb = CUDA_BE (be);
  g_autofree gint32 *packed = NULL;
  gint32 *dev;

  if (t <= 0 || !enter (cb))
    return;
  packed = g_new (gint32, (gsize) 3 * t);
  memcpy (packed, ids, (gsize) t * sizeof (gint32));
  memcpy (packed + t, pos_ids, (gsize) t * sizeof (gint32));
  memcpy (packed + 2 * t, type_ids, (gsize) t * sizeof (gint32));
  dev = upload_ints (cb, packed, (gsize) 3 * t);
  if (dev == NULL)
    return;
  CUDA_CHECK (cb, ov_cuda_embed (out, word, pos, type, dev, t, h, cb->stream));
  CUDA_CHECK (cb, cudaFreeAsync (dev, cb->stream));
}

static void
cuda_attention (const OvBackend *be, float *ctx, float *probs, const float *q, int q_stride,
                const float *k, const float *v, int kv_stride, const float *add_mask,
                int mask_stride, int lq, int lk, int n_heads, int head_dim)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_attention (ctx, probs, q, q_stride, k, v, kv_stride, add_mask,
                                       mask_stride, lq, lk, n_heads, head_dim, cb->stream));
}

static void
cuda_attention_batch (const OvBackend *be, float *ctx, const float *q, int q_stride,
                      const float *k, const float *v, int kv_stride, const float *add_mask,
                      int mask_stride, int lq, int lk, int n_heads, int head_dim, int n_batch,
                      gsize io_batch, gsize kv_batch)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_attention_batch (ctx, q, q_stride, k, v, kv_stride, add_mask,
                                             mask_stride, lq, lk, n_heads, head_dim, n_batch,
                                             io_batch, kv_batch, cb->stream));
}

static void
cuda_copy_runs (const OvBackend *be, float *dst, gsize dst_outer, const float *src,
                gsize src_outer, const int *src_index, int n_outer, int n_inner,
                gsize inner, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);
  gint32 *dev = NULL;

  if (n == 0 || n_outer <= 0 || n_inner <= 0 || !enter (cb))
    return;
  if (n_inner == 1 && n_outer == 1)
    {
      const float *s = src + (gsize) (src_index != NULL ? src_index[0] : 0) * src_outer;

      CUDA_CHECK (cb, cudaMemcpyAsync (dst, s, n * sizeof (float), cudaMemcpyDeviceToDevice,
                                       cb->stream));
      return;
    }
  if (src_index != NULL)
    {
      g_autofree gint32 *idx = g_new (gint32, n_outer);

      for (int o = 0; o < n_outer; o++)
        idx[o] = src_index[o];
      dev = upload_ints (cb, idx, n_outer);
      if (dev == NULL)
        return;
    }
  CUDA_CHECK (cb, ov_cuda_copy_runs (dst, dst_outer, src, src_outer, dev, n_outer, n_inner,
                                     inner, n, cb->stream));
  if (dev != NULL)
    CUDA_CHECK (cb, cudaFreeAsync (dev, cb->stream));
}

/* cudaMalloc, and when the device is full, again after the pool has given
 * back the activation memory it keeps. */
static cudaError_t
weight_alloc (OvCudaBackend *cb, void **dev, gsize n_bytes)
{
  cudaError_t err = cudaMalloc (dev, n_bytes);

  if (err == cudaErrorMemoryAllocation && cb->pool != NULL)
    {
      (void) cudaGetLastError ();
      if (cudaStreamSynchronize (cb->stream) == cudaSuccess
          && cudaMemPoolTrimTo (cb->pool, 0) == cudaSuccess)
        err = cudaMalloc (dev, n_bytes);
    }
  return err;
}

static const float *
cuda_weight (const OvBackend *be, const float *host, gsize n, GError **error)
{
  OvCudaBackend *cb = CUDA_BE (be);
  void *dev = g_hash_table_lookup (cb->weights, host);
  cudaError_t err;

  if (dev != NULL)
    return dev;
  if (!ov_backend_check (be, error) || !enter (cb))
    return NULL;
  /* the limit lets the tests run out of memory on purpose */
  if (cb->weight_limit > 0 && cb->weight_bytes + n * sizeof (float) > cb->weight_limit)
    err = cudaErrorMemoryAllocation;
  else
    err = weight_alloc (cb, &dev, MAX (n, 1) * sizeof (float));
  if (err == cudaSuccess)
    {
      /* on the compute stream: it does not wait for the legacy default
       * stream, and a plain cudaMemcpy from pageable memory may return
       * before the copy has landed */
      err = cudaMemcpyAsync (dev, host, n * sizeof (float), cudaMemcpyHostToDevice, cb->stream);
      if (err != cudaSuccess)
        cudaFree (dev);
    }
  if (err != cudaSuccess)
    {
      size_t free_b = 0, total_b = 0;

      /* a failed allocation leaves no sticky error; clear it for the next call */
      (void) cudaGetLastError ();
      (void) cudaMemGetInfo (&free_b, &total_b);
      g_set_error (error, OV_ERROR, OV_ERROR_DEVICE,
                   "CUDA device %d: cannot hold a weight of %.1f MiB (%s; %.0f of %.0f MiB "
                   "free)", cb->device, n * 4.0 / 1048576.0, cudaGetErrorString (err),
                   free_b / 1048576.0, total_b / 1048576.0);
      return NULL;
    }
  g_hash_table_insert (cb->weights, (gpointer) host, dev);
  cb->weight_bytes += n * sizeof (float);
  return dev;
}

static gboolean
cuda_check_error (const OvBackend *be, GError **error)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (cb->error == NULL)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&cb->error));
  /* a launch failure leaves the runtime's last error set: clear it */
  (void) cudaGetLastError ();
  return FALSE;
}

static void
free_device (gpointer p)
{
  (void) cudaFree (p);
}

static void
cuda_destroy (OvBackend *be)
{
  OvCudaBackend *cb = CUDA_BE (be);

  (void) cudaSetDevice (cb->device);
  if (cb->stream != NULL)
    (void) cudaStreamSynchronize (cb->stream);
  g_clear_pointer (&cb->weights, g_hash_table_unref);
  /* the pool is the process's: hand back what it keeps for the next model */
  if (cb->pool != NULL)
    (void) cudaMemPoolTrimTo (cb->pool, 0);
  if (cb->blas != NULL)
    (void) cublas_library ()->destroy (cb->blas);
  if (cb->stream != NULL)
    (void) cudaStreamDestroy (cb->stream);
  g_clear_error (&cb->error);
  g_free (cb->device_name);
  g_free (cb);
}

static gboolean cuda_log_softmax_topk (const OvBackend *be, const float *logits,
                                       const float *beam_scores, int nb, int v, int k,
                                       float *row_max, float *row_lse, float *top_scores,
                                       gint32 *top_words, float *top_lps, GError **error);

static const OvBackend cuda_table = {
  .name = "cuda",
  .n_threads = 1,
  .host_memory = FALSE,
  .alloc = cuda_alloc,
  .free = cuda_free,
  .upload = cuda_upload,
  .download = cuda_download,
  .linear = cuda_linear,
  .add_layer_norm = cuda_add_layer_norm,
  .gelu = cuda_gelu,
  .tanh = cuda_tanh,
  .embed = cuda_embed,
  .attention = cuda_attention,
  .copy_runs = cuda_copy_runs,
  .attention_batch = cuda_attention_batch,
  .weight = cuda_weight,
  .log_softmax_topk = cuda_log_softmax_topk,
  .check = cuda_check_error,
  .destroy = cuda_destroy,
};

/* Whether the NVIDIA driver's library can be opened; when it cannot, why.
 * Asking the runtime instead costs a good part of a second on a machine
 * without the driver (it searches for the library and sets itself up
 * first), and every start of the program asks. */
static const char *
driver_missing (void)
{
  static char *why;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* kept open: the runtime opens the same library */
      if (dlopen ("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL) == NULL)
        why = g_strdup_printf ("no NVIDIA driver: %s", dlerror ());
      g_once_init_leave (&done, 1);
    }
  return why;
}

static char *
device_problem (int index)
{
  int n = 0;
  cudaError_t err;

  if (driver_missing () != NULL)
    return g_strdup (driver_missing ());
  err = cudaGetDeviceCount (&n);

  if (err != cudaSuccess)
    {
      (void) cudaGetLastError ();
      if (err == cudaErrorInsufficientDriver)
        return g_strdup_printf ("%s (the NVIDIA driver is missing or older than CUDA %d.%d "
                                "needs)", cudaGetErrorString (err), CUDART_VERSION / 1000,
                                CUDART_VERSION % 1000 / 10);
      return g_strdup_printf ("%s (%s)", cudaGetErrorString (err), cudaGetErrorName (err));
    }
  if (n == 0)
    return g_strdup ("the driver reports no CUDA device");
  if (index < 0 || index >= n)
    return g_strdup_printf ("there is no CUDA device %d (%d found)", index, n);
  return NULL;
}

OvBackend *
ov_backend_cuda_new (int device, OvPrecision precision, GError **error)
{
  g_autofree char *problem = device_problem (device);
  const OvCublas *blas;
  OvCudaBackend *cb;
  struct cudaDeviceProp prop;
  guint64 keep = G_MAXUINT64;

  if (problem != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_DEVICE, "no CUDA device: %s", problem);
      return NULL;
    }
  /* only now: opening cuBLAS costs a fraction of a second */
  blas = cublas_library ();
  if (blas->problem != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_DEVICE, "no cuBLAS: %s", blas->problem);
      return NULL;
    }
  cb = g_new0 (OvCudaBackend, 1);
  cb->base = cuda_table;
  cb->device = device;
  cb->precision = precision;
  cb->weights = g_hash_table_new_full (NULL, NULL, NULL, free_device);
  if (g_getenv ("OV_CUDA_WEIGHT_LIMIT_MB") != NULL)
    cb->weight_limit = g_ascii_strtoull (g_getenv ("OV_CUDA_WEIGHT_LIMIT_MB"), NULL, 10)
                       * 1048576;
  if (CUDA_CHECK (cb, cudaSetDevice (device))
      && CUDA_CHECK (cb, cudaGetDeviceProperties (&prop, device))
      && CUDA_CHECK (cb, cudaStreamCreateWithFlags (&cb->stream, cudaStreamNonBlocking))
      /* keep freed activation memory in the pool between calls */
      && CUDA_CHECK (cb, cudaDeviceGetDefaultMemPool (&cb->pool, device))
      && CUDA_CHECK (cb, cudaMemPoolSetAttribute (cb->pool, cudaMemPoolAttrReleaseThreshold,
                                                  &keep))
      && CUBLAS_CHECK (cb, blas->create (&cb->blas))
      && CUBLAS_CHECK (cb, blas->set_stream (cb->blas, cb->stream))
      /* CUBLAS_COMPUTE_32F in each call already excludes TF32 in exact mode */
      && CUBLAS_CHECK (cb, blas->set_math_mode (cb->blas, CUBLAS_DEFAULT_MATH)))
    {
      cb->device_name = g_strdup (prop.name);
      return &cb->base;
    }
  g_propagate_error (error, g_steal_pointer (&cb->error));
  cuda_destroy (&cb->base);
  return NULL;
}

char *
ov_backend_cuda_describe (const OvBackend *be)
{
  OvCudaBackend *cb = CUDA_BE (be);

  return g_strdup_printf ("CUDA: %s (device %d, %s)", cb->device_name, cb->device,
                          cb->precision == OV_PRECISION_FAST ? "fast, TF32" : "exact");
}

static gboolean
cuda_log_softmax_topk (const OvBackend *be, const float *logits, const float *beam_scores,
                       int nb, int v, int k, float *row_max, float *row_lse,
                       float *top_scores, gint32 *top_words, float *top_lps, GError **error)
{
  OvCudaBackend *cb = CUDA_BE (be);
  gsize n_top = (gsize) nb * k;
  float *scores_dev, *out;
  gint32 *words_dev = NULL;

  if (nb <= 0 || k <= 0)
    return TRUE;
  /* out: max (B), lse (B), scores (B, k), lps (B, k) */
  scores_dev = cuda_alloc (be, nb);
  out = cuda_alloc (be, (gsize) 2 * nb + 2 * n_top);
  if (scores_dev != NULL && out != NULL)
    {
      cuda_upload (be, scores_dev, beam_scores, nb);
      if (CUDA_CHECK (cb, cudaMallocAsync ((void **) &words_dev, n_top * sizeof (gint32),
                                           cb->stream)))
        {
          CUDA_CHECK (cb, ov_cuda_log_softmax_topk (logits, scores_dev, nb, v, k, out,
                                                    out + nb, out + 2 * nb, words_dev,
                                                    out + 2 * nb + n_top, cb->stream));
          if (cb->error == NULL)
            CUDA_CHECK (cb, cudaMemcpyAsync (top_words, words_dev, n_top * sizeof (gint32),
                                             cudaMemcpyDeviceToHost, cb->stream));
          /* downloads synchronise the stream, the word copy included */
          cuda_download (be, row_max, out, nb);
          cuda_download (be, row_lse, out + nb, nb);
          cuda_download (be, top_scores, out + 2 * nb, n_top);
          cuda_download (be, top_lps, out + 2 * nb + n_top, n_top);
          cuda_free (be, (float *) words_dev);
        }
    }
  cuda_free (be, scores_dev);
  cuda_free (be, out);
  return ov_backend_check (be, error);
}

void
_ov_backend_cuda_probe (OvDeviceReport *r)
{
  int n = 0;
  cudaError_t err;

  r->cuda_built = TRUE;
  r->cuda_build_version = CUDART_VERSION;
  if (cudaRuntimeGetVersion (&r->cuda_runtime_version) != cudaSuccess)
    r->cuda_runtime_version = 0;
  if (driver_missing () != NULL)
    {
      r->cuda_reason = g_strdup (driver_missing ());
      return;
    }
  if (cudaDriverGetVersion (&r->cuda_driver_version) != cudaSuccess)
    r->cuda_driver_version = 0;
  err = cudaGetDeviceCount (&n);
  if (err != cudaSuccess || n == 0)
    {
      r->cuda_reason = device_problem (0);
      return;
    }
  for (int i = 0; i < n; i++)
    {
      struct cudaDeviceProp prop;
      OvCudaDeviceInfo *info;
      size_t free_b = 0, total_b = 0;

      if (cudaGetDeviceProperties (&prop, i) != cudaSuccess)
        {
          (void) cudaGetLastError ();
          continue;
        }
      info = g_new0 (OvCudaDeviceInfo, 1);
      info->index = i;
      info->name = g_strdup (prop.name);
      info->major = prop.major;
      info->minor = prop.minor;
      info->n_multiprocessors = prop.multiProcessorCount;
      info->total_memory = prop.totalGlobalMem;
      if (cudaSetDevice (i) == cudaSuccess && cudaMemGetInfo (&free_b, &total_b) == cudaSuccess)
        info->free_memory = free_b;
      else
        (void) cudaGetLastError ();
      g_ptr_array_add (r->cuda_devices, info);
    }
  if (r->cuda_devices->len == 0)
    r->cuda_reason = g_strdup ("no CUDA device could be queried");
}
