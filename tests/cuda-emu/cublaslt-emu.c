/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The cuBLASLt of the CUDA emulator: the entry points model/ov-backend-cuda.c
 * opens at run time, built with cuBLASLt's file name beside the emulated
 * cuBLAS (cublas-emu.c), whose product it makes. What it holds the backend
 * to, beyond the numbers:
 *   - descriptors: every attribute set with the size cuBLASLt stores it in;
 *     attributes the backend has no business setting are refused;
 *   - the heuristic: the layouts must make a product (op(A) is rows(D) by
 *     k, op(B) is k by cols(D), C laid out as D), and the algorithm it hands
 *     back remembers the alignments the preference promised, that of the
 *     bias pointer the descriptor held, and the workspace it wants;
 *   - the product: every pointer at least as aligned as was promised (a
 *     device's vector loads fault on less), the workspace as large as the
 *     algorithm wants and in device memory, the bias a device vector of
 *     rows(D) floats;
 *   - on a captured stream the product becomes a node of the graph with its
 *     arguments as they are at the call (the bias pointer included), and
 *     its buffers are checked again at each launch of the graph.
 * OV_EMU_LT=none makes the heuristic find no algorithm, so the backend's
 * way round that is tested too.
 */
#include <string.h>

#include <cublasLt.h>
#include <glib.h>

#include "cuda-emu.h"

typedef struct {
  cublasComputeType_t compute;
  cudaDataType_t      scale;
  cublasOperation_t   trans_a, trans_b;
  cublasLtEpilogue_t  epilogue;
  const float        *bias;
} EmuDesc;

typedef struct {
  cudaDataType type;
  guint64      rows, cols;
  gint64       ld;
} EmuLayout;

typedef struct {
  guint64 workspace;
  guint32 align[4];   /* A, B, C, D */
} EmuPref;

/* what the heuristic hands back, in cublasLtMatmulAlgo_t's 64 bytes */
typedef struct {
  guint32 magic;
  guint32 align[4];
  guint32 bias_align;   /* the bias pointer's, as the heuristic saw it */
  guint64 workspace;
  guint64 m, n, k;
} EmuAlgo;

#define EMU_ALGO_MAGIC 0x4c74616cu

G_STATIC_ASSERT (sizeof (EmuAlgo) <= sizeof (cublasLtMatmulAlgo_t));
G_STATIC_ASSERT (sizeof (EmuDesc) <= sizeof (cublasLtMatmulDescOpaque_t));
G_STATIC_ASSERT (sizeof (EmuLayout) <= sizeof (cublasLtMatrixLayoutOpaque_t));
G_STATIC_ASSERT (sizeof (EmuPref) <= sizeof (cublasLtMatmulPreferenceOpaque_t));

cublasStatus_t
cublasLtCreate (cublasLtHandle_t *handle)
{
  if (handle == NULL)
    return CUBLAS_STATUS_INVALID_VALUE;
  /* nothing to hold: any unique pointer */
  *handle = (cublasLtHandle_t) g_new0 (char, 1);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtDestroy (cublasLtHandle_t handle)
{
  if (handle == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  g_free (handle);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmulDescCreate (cublasLtMatmulDesc_t *desc, cublasComputeType_t compute,
                          cudaDataType_t scale)
{
  EmuDesc *d;

  if (desc == NULL)
    return CUBLAS_STATUS_INVALID_VALUE;
  if ((compute != CUBLAS_COMPUTE_32F && compute != CUBLAS_COMPUTE_32F_FAST_TF32)
      || scale != CUDA_R_32F)
    {
      ov_emu_report ("cublasLtMatmulDescCreate",
                     "only CUBLAS_COMPUTE_32F or _FAST_TF32 with float32 scaling are emulated");
      return CUBLAS_STATUS_NOT_SUPPORTED;
    }
  d = g_new0 (EmuDesc, 1);
  d->compute = compute;
  d->scale = scale;
  d->trans_a = d->trans_b = CUBLAS_OP_N;
  d->epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  *desc = (cublasLtMatmulDesc_t) d;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmulDescDestroy (cublasLtMatmulDesc_t desc)
{
  g_free (desc);
  return CUBLAS_STATUS_SUCCESS;
}

/* An attribute's value, when the caller gave exactly its size. */
static gboolean
attribute (const char *what, int attr, const void *buf, size_t size, size_t want)
{
  if (buf == NULL || size != want)
    {
      ov_emu_report (what, "attribute %d given %zu bytes at %p; it holds %zu", attr, size, buf,
                     want);
      return FALSE;
    }
  return TRUE;
}

cublasStatus_t
cublasLtMatmulDescSetAttribute (cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr,
                                const void *buf, size_t size)
{
  const char *what = "cublasLtMatmulDescSetAttribute";
  EmuDesc *d = (EmuDesc *) desc;

  if (d == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  switch (attr)
    {
    case CUBLASLT_MATMUL_DESC_TRANSA:
    case CUBLASLT_MATMUL_DESC_TRANSB:
      {
        gint32 op;

        if (!attribute (what, attr, buf, size, sizeof op))
          return CUBLAS_STATUS_INVALID_VALUE;
        memcpy (&op, buf, sizeof op);
        if (op != CUBLAS_OP_N && op != CUBLAS_OP_T)
          {
            ov_emu_report (what, "operation %d is not emulated", op);
            return CUBLAS_STATUS_NOT_SUPPORTED;
          }
        if (attr == CUBLASLT_MATMUL_DESC_TRANSA)
          d->trans_a = op;
        else
          d->trans_b = op;
        return CUBLAS_STATUS_SUCCESS;
      }
    case CUBLASLT_MATMUL_DESC_EPILOGUE:
      {
        guint32 e;

        if (!attribute (what, attr, buf, size, sizeof e))
          return CUBLAS_STATUS_INVALID_VALUE;
        memcpy (&e, buf, sizeof e);
        if (e != CUBLASLT_EPILOGUE_DEFAULT && e != CUBLASLT_EPILOGUE_BIAS)
          {
            ov_emu_report (what, "epilogue %u is not emulated", e);
            return CUBLAS_STATUS_NOT_SUPPORTED;
          }
        d->epilogue = e;
        return CUBLAS_STATUS_SUCCESS;
      }
    case CUBLASLT_MATMUL_DESC_BIAS_POINTER:
      if (!attribute (what, attr, buf, size, sizeof (void *)))
        return CUBLAS_STATUS_INVALID_VALUE;
      memcpy (&d->bias, buf, sizeof (void *));
      return CUBLAS_STATUS_SUCCESS;
    default:
      ov_emu_report (what, "attribute %d is not emulated", (int) attr);
      return CUBLAS_STATUS_NOT_SUPPORTED;
    }
}

cublasStatus_t
cublasLtMatrixLayoutCreate (cublasLtMatrixLayout_t *layout, cudaDataType type, uint64_t rows,
                            uint64_t cols, int64_t ld)
{
  EmuLayout *l;

  if (layout == NULL)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (type != CUDA_R_32F)
    {
      ov_emu_report ("cublasLtMatrixLayoutCreate", "only float32 matrices are emulated");
      return CUBLAS_STATUS_NOT_SUPPORTED;
    }
  if (ld < 1 || (guint64) ld < rows || rows > G_MAXINT32 || cols > G_MAXINT32)
    {
      ov_emu_report ("cublasLtMatrixLayoutCreate",
                     "%" G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT ", ld %" G_GINT64_FORMAT
                     ": not a valid layout", (guint64) rows, (guint64) cols, (gint64) ld);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  l = g_new0 (EmuLayout, 1);
  l->type = type;
  l->rows = rows;
  l->cols = cols;
  l->ld = ld;
  *layout = (cublasLtMatrixLayout_t) l;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatrixLayoutDestroy (cublasLtMatrixLayout_t layout)
{
  g_free (layout);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmulPreferenceCreate (cublasLtMatmulPreference_t *pref)
{
  EmuPref *p;

  if (pref == NULL)
    return CUBLAS_STATUS_INVALID_VALUE;
  p = g_new0 (EmuPref, 1);
  /* cuBLASLt's defaults: no workspace, 256-byte alignment */
  for (int i = 0; i < 4; i++)
    p->align[i] = 256;
  *pref = (cublasLtMatmulPreference_t) p;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmulPreferenceDestroy (cublasLtMatmulPreference_t pref)
{
  g_free (pref);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmulPreferenceSetAttribute (cublasLtMatmulPreference_t pref,
                                      cublasLtMatmulPreferenceAttributes_t attr,
                                      const void *buf, size_t size)
{
  const char *what = "cublasLtMatmulPreferenceSetAttribute";
  EmuPref *p = (EmuPref *) pref;

  if (p == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  switch (attr)
    {
    case CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES:
      if (!attribute (what, attr, buf, size, sizeof p->workspace))
        return CUBLAS_STATUS_INVALID_VALUE;
      memcpy (&p->workspace, buf, sizeof p->workspace);
      return CUBLAS_STATUS_SUCCESS;
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES:
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES:
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES:
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES:
      {
        guint32 a;

        if (!attribute (what, attr, buf, size, sizeof a))
          return CUBLAS_STATUS_INVALID_VALUE;
        memcpy (&a, buf, sizeof a);
        p->align[attr - CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES] = a;
        return CUBLAS_STATUS_SUCCESS;
      }
    default:
      ov_emu_report (what, "attribute %d is not emulated", (int) attr);
      return CUBLAS_STATUS_NOT_SUPPORTED;
    }
}

/* op(A) (M, K), op(B) (K, N), D (M, N), C laid out as D: FALSE otherwise. */
static gboolean
product_shape (const EmuDesc *d, const EmuLayout *a, const EmuLayout *b, const EmuLayout *c,
               const EmuLayout *dl, guint64 *m, guint64 *n, guint64 *k)
{
  guint64 a_rows = d->trans_a == CUBLAS_OP_T ? a->cols : a->rows;
  guint64 a_cols = d->trans_a == CUBLAS_OP_T ? a->rows : a->cols;
  guint64 b_rows = d->trans_b == CUBLAS_OP_T ? b->cols : b->rows;
  guint64 b_cols = d->trans_b == CUBLAS_OP_T ? b->rows : b->cols;

  *m = dl->rows;
  *n = dl->cols;
  *k = a_cols;
  return a_rows == dl->rows && b_rows == a_cols && b_cols == dl->cols && c->rows == dl->rows
         && c->cols == dl->cols && c->ld == dl->ld;
}

cublasStatus_t
cublasLtMatmulAlgoGetHeuristic (cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
                                cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
                                cublasLtMatmulPreference_t pref, int n_wanted,
                                cublasLtMatmulHeuristicResult_t *results, int *n_found)
{
  const EmuPref *p = (const EmuPref *) pref;
  EmuAlgo algo;
  guint64 m, n, k;

  if (handle == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (desc == NULL || a == NULL || b == NULL || c == NULL || d == NULL || p == NULL
      || n_wanted <= 0 || results == NULL || n_found == NULL)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!product_shape ((const EmuDesc *) desc, (const EmuLayout *) a, (const EmuLayout *) b,
                      (const EmuLayout *) c, (const EmuLayout *) d, &m, &n, &k))
    {
      ov_emu_report ("cublasLtMatmulAlgoGetHeuristic", "the layouts do not make a product");
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  *n_found = 0;
  if (g_strcmp0 (g_getenv ("OV_EMU_LT"), "none") == 0)
    return CUBLAS_STATUS_NOT_SUPPORTED;
  memset (&algo, 0, sizeof algo);
  algo.magic = EMU_ALGO_MAGIC;
  memcpy (algo.align, p->align, sizeof algo.align);
  /* the heuristic goes by the bias pointer's alignment (cublasLt.h) */
  {
    guintptr bias = (guintptr) ((const EmuDesc *) desc)->bias;

    algo.bias_align = bias == 0 ? 256 : (guint32) MIN ((guintptr) 256, bias & -bias);
  }
  algo.m = m;
  algo.n = n;
  algo.k = k;
  /* a long inner dimension is split and summed in the workspace, where
   * there is room for it: the product then checks the workspace it gets */
  algo.workspace = k >= 256 && p->workspace >= 1048576 ? 1048576 : 0;
  memset (&results[0], 0, sizeof results[0]);
  memcpy (&results[0].algo, &algo, sizeof algo);
  results[0].workspaceSize = algo.workspace;
  results[0].state = CUBLAS_STATUS_SUCCESS;
  results[0].wavesCount = 1.0f;
  *n_found = 1;
  return CUBLAS_STATUS_SUCCESS;
}

/* Whether p is at least `align` bytes aligned. */
static gboolean
aligned (const void *p, guint32 align)
{
  return align == 0 || (guintptr) p % align == 0;
}

/* A product's arguments, for running now or in a graph. */
typedef struct {
  const char  *what;
  int          ta, tb, tf32;
  guint64      m, n, k;
  gint64       lda, ldb, ldd;
  float        alpha, beta;
  const float *a, *b, *c, *bias;
  float       *d;
  const void  *workspace;
  guint64      workspace_need;
  int          epilogue_bias;
} EmuLtCall;

/* D = alpha op(A) op(B) + beta C, then the bias on every column. */
static int
run_lt (void *data)
{
  const EmuLtCall *l = data;
  guint64 span = l->n > 0 ? ((l->n - 1) * l->ldd + l->m) * sizeof (float) : 0;

  if (l->workspace_need > 0 && !ov_emu_is_device (l->workspace, l->workspace_need))
    {
      ov_emu_report (l->what, "the workspace %p is no longer %" G_GUINT64_FORMAT " bytes of "
                     "device memory", l->workspace, l->workspace_need);
      return 0;
    }
  /* the bias is checked when the product runs, now or in a graph */
  if (l->epilogue_bias
      && (l->bias == NULL || !ov_emu_is_device (l->bias, l->m * sizeof (float))))
    {
      ov_emu_report (l->what, "the bias %p is not %" G_GUINT64_FORMAT " floats of device memory",
                     (const void *) l->bias, l->m);
      return 0;
    }
  /* C into D first when they differ */
  if (l->c != l->d && l->beta != 0.0f && span > 0)
    {
      if (!ov_emu_is_device (l->c, span) || !ov_emu_is_device (l->d, span))
        {
          ov_emu_report (l->what, "C %p or D %p is not wholly device memory",
                         (const void *) l->c, (void *) l->d);
          return 0;
        }
      for (guint64 j = 0; j < l->n; j++)
        memmove (l->d + j * l->ldd, l->c + j * l->ldd, l->m * sizeof (float));
    }
  if (ov_emu_gemm (l->what, l->ta, l->tb, (int) l->m, (int) l->n, (int) l->k, l->alpha, l->a,
                   (int) l->lda, l->b, (int) l->ldb, l->beta, l->d, (int) l->ldd, l->tf32,
                   FALSE) != CUBLAS_STATUS_SUCCESS)
    return 0;
  /* the epilogue: the bias added to every column, after the product */
  if (l->epilogue_bias)
    for (guint64 j = 0; j < l->n; j++)
      {
        float *col = l->d + j * l->ldd;

        for (guint64 i = 0; i < l->m; i++)
          col[i] += l->bias[i];
      }
  return 1;
}

cublasStatus_t
cublasLtMatmul (cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void *alpha,
                const void *a, cublasLtMatrixLayout_t ad, const void *b,
                cublasLtMatrixLayout_t bd, const void *beta, const void *c,
                cublasLtMatrixLayout_t cd, void *d, cublasLtMatrixLayout_t dd,
                const cublasLtMatmulAlgo_t *algo_in, void *workspace, size_t workspace_size,
                cudaStream_t stream)
{
  const char *what = "cublasLtMatmul";
  const EmuDesc *desc_e = (const EmuDesc *) desc;
  const EmuLayout *dl = (const EmuLayout *) dd;
  EmuAlgo algo;
  EmuLtCall call;
  guint64 m, n, k;

  if (handle == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (desc == NULL || ad == NULL || bd == NULL || cd == NULL || dd == NULL || alpha == NULL
      || beta == NULL || algo_in == NULL)
    {
      ov_emu_report (what, "a descriptor, alpha, beta or the algorithm is missing");
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  if (!ov_emu_is_stream (stream))
    {
      ov_emu_report (what, "%p is not a live stream", (void *) stream);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  if (!product_shape (desc_e, (const EmuLayout *) ad, (const EmuLayout *) bd,
                      (const EmuLayout *) cd, dl, &m, &n, &k))
    {
      ov_emu_report (what, "the layouts do not make a product");
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  memcpy (&algo, algo_in, sizeof algo);
  if (algo.magic != EMU_ALGO_MAGIC || algo.m != m || algo.n != n || algo.k != k)
    {
      ov_emu_report (what, "the algorithm was not chosen for this %" G_GUINT64_FORMAT " x %"
                     G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT " product", m, n, k);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  if (!aligned (a, algo.align[0]) || !aligned (b, algo.align[1]) || !aligned (c, algo.align[2])
      || !aligned (d, algo.align[3]))
    {
      ov_emu_report (what, "A %p, B %p, C %p or D %p is less aligned than the %u, %u, %u and "
                     "%u bytes the algorithm was chosen for", a, b, c, d, algo.align[0],
                     algo.align[1], algo.align[2], algo.align[3]);
      return CUBLAS_STATUS_EXECUTION_FAILED;
    }
  if (algo.workspace > 0
      && (workspace_size < algo.workspace || !ov_emu_is_device (workspace, algo.workspace)))
    {
      ov_emu_report (what, "the algorithm needs %" G_GUINT64_FORMAT " bytes of workspace; "
                     "given %zu at %p", algo.workspace, workspace_size, workspace);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  if (desc_e->epilogue == CUBLASLT_EPILOGUE_BIAS && !aligned (desc_e->bias, algo.bias_align))
    {
      ov_emu_report (what, "the bias %p is less aligned than the %u bytes the algorithm was "
                     "chosen for", (const void *) desc_e->bias, algo.bias_align);
      return CUBLAS_STATUS_EXECUTION_FAILED;
    }
  call.what = what;
  call.ta = desc_e->trans_a == CUBLAS_OP_T;
  call.tb = desc_e->trans_b == CUBLAS_OP_T;
  call.m = m;
  call.n = n;
  call.k = k;
  call.alpha = *(const float *) alpha;
  call.beta = *(const float *) beta;
  call.a = a;
  call.lda = ((const EmuLayout *) ad)->ld;
  call.b = b;
  call.ldb = ((const EmuLayout *) bd)->ld;
  call.c = c;
  call.d = d;
  call.ldd = dl->ld;
  call.tf32 = desc_e->compute == CUBLAS_COMPUTE_32F_FAST_TF32;
  call.workspace = workspace;
  call.workspace_need = algo.workspace;
  /* the bias pointer as the descriptor holds it now, as a device's kernel
   * takes it */
  call.epilogue_bias = desc_e->epilogue == CUBLASLT_EPILOGUE_BIAS;
  call.bias = desc_e->bias;
  if (ov_emu_capturing (stream))
    {
      cublasStatus_t st = ov_emu_gemm (what, call.ta, call.tb, (int) m, (int) n, (int) k,
                                       call.alpha, a, (int) call.lda, b, (int) call.ldb,
                                       call.beta, d, (int) call.ldd, call.tf32, TRUE);

      if (st != CUBLAS_STATUS_SUCCESS)
        return st;
      call.what = "cublasLtMatmul (graph)";
      ov_emu_capture_node (stream, "cublasLtMatmul", run_lt, g_memdup2 (&call, sizeof call),
                           g_free);
      return CUBLAS_STATUS_SUCCESS;
    }
  return run_lt (&call) ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}
