/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The cuBLAS of the CUDA emulator (cuda-emu.c): the entry points that
 * model/ov-backend-cuda.c opens at run time, built as a library with
 * cuBLAS's file name so that the backend's own dlopen finds it first. Its
 * product, ov_emu_gemm, is also cuBLASLt's (cublaslt-emu.c). The
 * product is OpenBLAS's column-major sgemm with the very arguments cuBLAS
 * was given, so transposes and leading dimensions are checked against
 * cuBLAS's conventions, which column-major BLAS shares. cuBLAS's argument
 * checks are repeated, and every matrix must lie wholly in device memory.
 * CUBLAS_COMPUTE_32F_FAST_TF32, or the math mode CUBLAS_TF32_TENSOR_OP_MATH,
 * turns both inputs into TF32 first, rounded or truncated (see to_tf32).
 */
#include <math.h>
#include <string.h>

#include <cblas.h>
#include <cublas_api.h>
#include <glib.h>

#include "cuda-emu.h"

typedef struct {
  cudaStream_t stream;
  cublasMath_t mode;
} EmuBlas;

cublasStatus_t
cublasCreate_v2 (cublasHandle_t *handle)
{
  if (handle == NULL)
    return CUBLAS_STATUS_INVALID_VALUE;
  *handle = (cublasHandle_t) g_new0 (EmuBlas, 1);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasDestroy_v2 (cublasHandle_t handle)
{
  if (handle == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  g_free (handle);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasSetStream_v2 (cublasHandle_t handle, cudaStream_t stream)
{
  if (handle == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!ov_emu_is_stream (stream))
    {
      ov_emu_report ("cublasSetStream", "%p is not a live stream", (void *) stream);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  ((EmuBlas *) handle)->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}

/* The workspace must be device memory of the size given; the emulated
 * products need none. */
cublasStatus_t
cublasSetWorkspace_v2 (cublasHandle_t handle, void *workspace, size_t size)
{
  if (handle == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (size > 0 && !ov_emu_is_device (workspace, size))
    {
      ov_emu_report ("cublasSetWorkspace", "%p is not %zu bytes of device memory", workspace,
                     size);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasSetMathMode (cublasHandle_t handle, cublasMath_t mode)
{
  if (handle == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  ((EmuBlas *) handle)->mode = mode;
  return CUBLAS_STATUS_SUCCESS;
}

const char *
cublasGetStatusString (cublasStatus_t status)
{
  switch (status)
    {
    case CUBLAS_STATUS_SUCCESS: return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
    case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
    default: return "unknown error";
    }
}

/* How a float becomes TF32 (10 explicit mantissa bits; infinities and NaN
 * as they are): to nearest, ties to even, by default; OV_EMU_TF32=rz
 * truncates. Which of the two a device's tensor cores do is not something
 * cuBLAS promises, so the fast-precision tests should pass under both. */
static gboolean
tf32_truncates (void)
{
  static gboolean rz;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      rz = g_strcmp0 (g_getenv ("OV_EMU_TF32"), "rz") == 0;
      g_once_init_leave (&done, 1);
    }
  return rz;
}

static float
to_tf32 (float x)
{
  guint32 u;

  memcpy (&u, &x, sizeof u);
  if ((u & 0x7f800000u) != 0x7f800000u)
    {
      if (!tf32_truncates ())
        u += 0xfffu + ((u >> 13) & 1u);
      u &= ~0x1fffu;
    }
  memcpy (&x, &u, sizeof x);
  return x;
}

/* A column-major matrix of rows × cols with leading dimension ld, rounded
 * to TF32 into a host copy. */
static float *
tf32_copy (const float *a, int rows, int cols, int ld)
{
  float *c = g_new (float, (gsize) ld * cols);

  for (int j = 0; j < cols; j++)
    for (int i = 0; i < ld; i++)
      c[(gsize) j * ld + i] = i < rows ? to_tf32 (a[(gsize) j * ld + i]) : 0.0f;
  return c;
}

/* Whether a column-major rows × cols matrix with leading dimension ld lies
 * in device memory. */
static gboolean
matrix_on_device (const void *p, int rows, int cols, int ld)
{
  if (rows == 0 || cols == 0)
    return TRUE;
  return ov_emu_is_device (p, ((gsize) ld * (cols - 1) + rows) * sizeof (float));
}

/* The product both emulated libraries make (ov_emu_gemm in cuda-emu.h). */
cublasStatus_t
ov_emu_gemm (const char *what, int transposed_a, int transposed_b, int m, int n, int k,
             float alpha, const float *a, int lda, const float *b, int ldb, float beta,
             float *c, int ldc, int tf32, int check_only)
{
  int a_rows = transposed_a ? k : m, a_cols = transposed_a ? m : k;
  int b_rows = transposed_b ? n : k, b_cols = transposed_b ? k : n;
  g_autofree float *a_tf32 = NULL, *b_tf32 = NULL;
  const float *pa = a, *pb = b;

  /* cuBLAS's own checks of the sizes */
  if (m < 0 || n < 0 || k < 0 || lda < MAX (1, a_rows) || ldb < MAX (1, b_rows)
      || ldc < MAX (1, m))
    {
      ov_emu_report (what, "m %d n %d k %d, op %c/%c, lda %d ldb %d ldc %d: not a valid product",
                     m, n, k, transposed_a ? 'T' : 'N', transposed_b ? 'T' : 'N', lda, ldb,
                     ldc);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  if (m == 0 || n == 0)
    return CUBLAS_STATUS_SUCCESS;
  if ((k > 0 && (!matrix_on_device (a, a_rows, a_cols, lda)
                 || !matrix_on_device (b, b_rows, b_cols, ldb)))
      || !matrix_on_device (c, m, n, ldc))
    {
      ov_emu_report (what,
                     "A %p (%dx%d, ld %d), B %p (%dx%d, ld %d) or C %p (%dx%d, ld %d) is not "
                     "wholly device memory", (const void *) a, a_rows, a_cols, lda,
                     (const void *) b, b_rows, b_cols, ldb, (void *) c, m, n, ldc);
      return CUBLAS_STATUS_EXECUTION_FAILED;
    }
  if (check_only)
    return CUBLAS_STATUS_SUCCESS;
  if (tf32 && k > 0)
    {
      pa = a_tf32 = tf32_copy (a, a_rows, a_cols, lda);
      pb = b_tf32 = tf32_copy (b, b_rows, b_cols, ldb);
    }
  cblas_sgemm (CblasColMajor, transposed_a ? CblasTrans : CblasNoTrans,
               transposed_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta,
               c, ldc);
  ov_emu_count_product ();
  return CUBLAS_STATUS_SUCCESS;
}

/* A product's arguments, for running now or in a graph. */
typedef struct {
  const char  *what;
  int          ta, tb, m, n, k, lda, ldb, ldc, tf32;
  float        alpha, beta;
  const float *a, *b;
  float       *c;
} EmuGemmCall;

static int
run_gemm (void *data)
{
  const EmuGemmCall *g = data;

  return ov_emu_gemm (g->what, g->ta, g->tb, g->m, g->n, g->k, g->alpha, g->a, g->lda, g->b,
                      g->ldb, g->beta, g->c, g->ldc, g->tf32, FALSE) == CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasGemmEx (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
              int n, int k, const void *alpha, const void *a, cudaDataType atype, int lda,
              const void *b, cudaDataType btype, int ldb, const void *beta, void *c,
              cudaDataType ctype, int ldc, cublasComputeType_t compute, cublasGemmAlgo_t algo)
{
  cublasMath_t mode;
  EmuGemmCall call;

  if (handle == NULL)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  mode = ((EmuBlas *) handle)->mode;
  if (alpha == NULL || beta == NULL
      || (transa != CUBLAS_OP_N && transa != CUBLAS_OP_T && transa != CUBLAS_OP_C)
      || (transb != CUBLAS_OP_N && transb != CUBLAS_OP_T && transb != CUBLAS_OP_C))
    {
      ov_emu_report ("cublasGemmEx", "op %d/%d, alpha %p, beta %p: not a valid product",
                     (int) transa, (int) transb, alpha, beta);
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  if (atype != CUDA_R_32F || btype != CUDA_R_32F || ctype != CUDA_R_32F
      || (compute != CUBLAS_COMPUTE_32F && compute != CUBLAS_COMPUTE_32F_FAST_TF32))
    {
      ov_emu_report ("cublasGemmEx",
                     "only float32 matrices with CUBLAS_COMPUTE_32F or _FAST_TF32 are emulated");
      return CUBLAS_STATUS_NOT_SUPPORTED;
    }
  /* for real matrices the conjugate transpose is the transpose; TF32 by the
   * compute type, or by the handle's math mode */
  call.what = "cublasGemmEx";
  call.ta = transa != CUBLAS_OP_N;
  call.tb = transb != CUBLAS_OP_N;
  call.m = m;
  call.n = n;
  call.k = k;
  call.alpha = *(const float *) alpha;
  call.a = a;
  call.lda = lda;
  call.b = b;
  call.ldb = ldb;
  call.beta = *(const float *) beta;
  call.c = c;
  call.ldc = ldc;
  call.tf32 = compute == CUBLAS_COMPUTE_32F_FAST_TF32
              || (mode & 0xf) == CUBLAS_TF32_TENSOR_OP_MATH;
  /* on a captured stream the product is a node of the graph, its
   * arguments taken as they are now */
  if (ov_emu_capturing (((EmuBlas *) handle)->stream))
    {
      cublasStatus_t st = ov_emu_gemm (call.what, call.ta, call.tb, m, n, k, call.alpha, a, lda,
                                       b, ldb, call.beta, c, ldc, call.tf32, TRUE);

      if (st != CUBLAS_STATUS_SUCCESS)
        return st;
      call.what = "cublasGemmEx (graph)";
      ov_emu_capture_node (((EmuBlas *) handle)->stream, "cublasGemmEx", run_gemm,
                           g_memdup2 (&call, sizeof call), g_free);
      return CUBLAS_STATUS_SUCCESS;
    }
  return ov_emu_gemm (call.what, call.ta, call.tb, m, n, k, call.alpha, a, lda, b, ldb,
                      call.beta, c, ldc, call.tf32, FALSE);
}
