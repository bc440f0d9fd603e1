/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The CUDA emulator itself: shuffles and barriers give what a device gives,
 * and each misuse it promises to catch is caught (host pointers in kernels
 * and products, copies in the wrong direction, shuffles in broken warps,
 * impossible launches, unwritten shared memory), so that test-cuda-emu
 * passing means something. The products are checked against plain loops,
 * TF32 rounding included.
 */
#include <math.h>
#include <string.h>

#include <cublasLt.h>
#include <cublas_api.h>
#include <glib.h>

#include "cuda-emu-device.h"

#define WARP 32

/* out[i] = the sum over the warp of in[i], by butterfly shuffles */
static __global__ void
warp_sum_kernel (float *out, const float *in)
{
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = in[i];

  for (int o = WARP / 2; o > 0; o /= 2)
    v += __shfl_xor_sync (0xffffffffu, v, o);
  out[i] = v;
}

/* out[i] = in[block size - 1 - i] through shared memory: needs the barrier */
static __global__ void
reverse_kernel (float *out, const float *in)
{
  __shared__ float tile[256];
  int i = threadIdx.x, n = blockDim.x;

  tile[i] = in[blockIdx.x * n + i];
  __syncthreads ();
  out[blockIdx.x * n + i] = tile[n - 1 - i];
}

/* thread 0 reads dynamic shared memory nobody wrote */
static __global__ void
unwritten_shared_kernel (float *out)
{
  OV_DYNAMIC_SHARED (float, scratch);

  if (threadIdx.x == 0)
    out[0] = scratch[3];
}

/* thread 0 reads static shared memory before writing it */
static __global__ void
unwritten_static_kernel (float *out)
{
  __shared__ float cell[4];

  if (threadIdx.x == 0)
    {
      out[blockIdx.x] = cell[1];
      cell[1] = 7.0f;
    }
}

/* the odd lanes leave before the warp's shuffle */
static __global__ void
early_return_kernel (float *out)
{
  float v = 1.0f;

  if (threadIdx.x % 2 == 1)
    return;
  v = __shfl_xor_sync (0xffffffffu, v, 1);
  out[threadIdx.x] = v;
}

/* half the block waits at a barrier the other half returns before: legal,
 * since a barrier waits only for threads that have not returned */
static __global__ void
barrier_after_return_kernel (float *out)
{
  float other;

  if (threadIdx.x >= 64)
    return;
  out[threadIdx.x] = 1.0f + threadIdx.x;
  __syncthreads ();
  other = out[63 - threadIdx.x];
  __syncthreads ();
  out[threadIdx.x] += other;
}

static float *
dev_alloc (size_t n)
{
  void *p = NULL;

  g_assert_cmpint (cudaMalloc (&p, n * sizeof (float)), ==, cudaSuccess);
  return static_cast<float *> (p);
}

static void
to_dev (float *dev, const float *host, size_t n)
{
  g_assert_cmpint (cudaMemcpy (dev, host, n * sizeof (float), cudaMemcpyHostToDevice), ==,
                   cudaSuccess);
}

static void
from_dev (float *host, const float *dev, size_t n)
{
  g_assert_cmpint (cudaMemcpy (host, dev, n * sizeof (float), cudaMemcpyDeviceToHost), ==,
                   cudaSuccess);
}

static void
test_shuffle_and_barrier (void)
{
  const int n = 256;
  float in[256], out[256];
  float *d_in = dev_alloc (n), *d_out = dev_alloc (n);

  for (int i = 0; i < n; i++)
    in[i] = (float) (i * 7 % 13);
  to_dev (d_in, in, n);
  OV_LAUNCH (warp_sum_kernel, 2, 128, 0, NULL) (d_out, d_in);
  g_assert_cmpint (cudaGetLastError (), ==, cudaSuccess);
  from_dev (out, d_out, n);
  for (int w = 0; w < n / WARP; w++)
    {
      float want = 0.0f;

      for (int l = 0; l < WARP; l++)
        want += in[w * WARP + l];
      for (int l = 0; l < WARP; l++)
        g_assert_cmpfloat (out[w * WARP + l], ==, want);
    }

  OV_LAUNCH (reverse_kernel, 2, 128, 0, NULL) (d_out, d_in);
  g_assert_cmpint (cudaGetLastError (), ==, cudaSuccess);
  from_dev (out, d_out, n);
  for (int b = 0; b < 2; b++)
    for (int i = 0; i < 128; i++)
      g_assert_cmpfloat (out[b * 128 + i], ==, in[b * 128 + 127 - i]);

  OV_LAUNCH (barrier_after_return_kernel, 1, 128, 0, NULL) (d_out);
  g_assert_cmpint (cudaGetLastError (), ==, cudaSuccess);
  from_dev (out, d_out, 64);
  for (int i = 0; i < 64; i++)
    g_assert_cmpfloat (out[i], ==, 65.0f);
  g_assert_cmpint (cudaFree (d_in), ==, cudaSuccess);
  g_assert_cmpint (cudaFree (d_out), ==, cudaSuccess);
}

static void
test_misuse (void)
{
  float host[64] = { 0 };
  float *d = dev_alloc (64);

  /* a host pointer in a kernel: refused, the kernel does not run */
  OV_LAUNCH (warp_sum_kernel, 1, 32, 0, NULL) (d, host);
  g_assert_cmpint (cudaGetLastError (), ==, cudaErrorIllegalAddress);
  g_assert_cmpint (cudaGetLastError (), ==, cudaSuccess);

  /* copies whose kind does not match their pointers, or that run past the
   * allocation */
  g_assert_cmpint (cudaMemcpy (host, d, 64 * sizeof (float), cudaMemcpyHostToDevice), ==,
                   cudaErrorInvalidValue);
  g_assert_cmpint (cudaMemcpy (d, host, 65 * sizeof (float), cudaMemcpyHostToDevice), ==,
                   cudaErrorInvalidValue);
  g_assert_cmpint (cudaMemcpy (d + 1, host, 64 * sizeof (float), cudaMemcpyHostToDevice), ==,
                   cudaErrorInvalidValue);
  g_assert_cmpint (cudaFree (host), ==, cudaErrorInvalidValue);
  g_assert_cmpint (cudaFree (d + 1), ==, cudaErrorInvalidValue);
  (void) cudaGetLastError ();

  /* a shuffle in a warp of 16 threads, and after lanes returned */
  OV_LAUNCH (warp_sum_kernel, 1, 16, 0, NULL) (d, d);
  g_assert_cmpint (cudaGetLastError (), ==, cudaErrorLaunchFailure);
  OV_LAUNCH (early_return_kernel, 1, 32, 0, NULL) (d);
  g_assert_cmpint (cudaGetLastError (), ==, cudaErrorLaunchFailure);

  /* launches no device accepts */
  OV_LAUNCH (warp_sum_kernel, 1, 2048, 0, NULL) (d, d);
  g_assert_cmpint (cudaGetLastError (), ==, cudaErrorInvalidConfiguration);
  OV_LAUNCH (warp_sum_kernel, dim3 (1, 70000), 32, 0, NULL) (d, d);
  g_assert_cmpint (cudaGetLastError (), ==, cudaErrorInvalidConfiguration);
  OV_LAUNCH (unwritten_shared_kernel, 1, 32, 49 * 1024, NULL) (d);
  g_assert_cmpint (cudaGetLastError (), ==, cudaErrorInvalidValue);

  /* the emulator still works after all that */
  OV_LAUNCH (unwritten_shared_kernel, 1, 32, 64, NULL) (d);
  g_assert_cmpint (cudaGetLastError (), ==, cudaSuccess);
  from_dev (host, d, 1);
  /* shared memory nobody wrote reads as NaN */
  g_assert_true (isnan (host[0]));
  /* static shared memory too, and no block sees what the one before wrote */
  OV_LAUNCH (unwritten_static_kernel, 3, 32, 0, NULL) (d);
  g_assert_cmpint (cudaGetLastError (), ==, cudaSuccess);
  from_dev (host, d, 3);
  for (int b = 0; b < 3; b++)
    g_assert_true (isnan (host[b]));
  g_assert_cmpint (cudaFree (d), ==, cudaSuccess);
}

static void
test_fresh_memory_and_limits (void)
{
  void *p = NULL;
  float host[4];
  size_t free_b = 0, total_b = 0;

  /* what a device's fresh memory holds is not zero: NaN here */
  g_assert_cmpint (cudaMalloc (&p, 4 * sizeof (float)), ==, cudaSuccess);
  from_dev (host, static_cast<float *> (p), 4);
  for (int i = 0; i < 4; i++)
    g_assert_true (isnan (host[i]));
  g_assert_cmpint (cudaFree (p), ==, cudaSuccess);
  g_assert_cmpint (cudaMemGetInfo (&free_b, &total_b), ==, cudaSuccess);
  g_assert_cmpint (cudaMalloc (&p, total_b + 1), ==, cudaErrorMemoryAllocation);
  g_assert_null (p);
  g_assert_cmpint (cudaGetLastError (), ==, cudaErrorMemoryAllocation);
}

/* A float rounded to 10 explicit mantissa bits, nearest, ties to even, by
 * arithmetic rather than by bits. */
static double
tf32_reference (float x)
{
  int e;
  double m = frexp (x, &e);     /* x = m 2^e, 0.5 <= |m| < 1 */

  return ldexp (nearbyint (ldexp (m, 11)), e - 11);
}

static void
test_gemm (void)
{
  cublasHandle_t h;
  cudaStream_t s;
  const int m = 5, n = 7, k = 9;
  float a[9 * 5], b[9 * 7], c[5 * 7];
  float *da = dev_alloc (9 * 5), *db = dev_alloc (9 * 7), *dc = dev_alloc (5 * 7);
  const float one = 1.0f, zero = 0.0f;
  GRand *rand = g_rand_new_with_seed (3);

  for (int i = 0; i < 9 * 5; i++)
    a[i] = (float) g_rand_double_range (rand, -1, 1);
  for (int i = 0; i < 9 * 7; i++)
    b[i] = (float) g_rand_double_range (rand, -1, 1);
  to_dev (da, a, 9 * 5);
  to_dev (db, b, 9 * 7);
  g_assert_cmpint (cudaStreamCreateWithFlags (&s, cudaStreamNonBlocking), ==, cudaSuccess);
  g_assert_cmpint (cublasCreate_v2 (&h), ==, CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasSetStream_v2 (h, s), ==, CUBLAS_STATUS_SUCCESS);

  for (int fast = 0; fast < 2; fast++)
    {
      /* C (m, n) = Aᵀ B with A stored (k, m) and B (k, n), column-major */
      g_assert_cmpint (cublasGemmEx (h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, da, CUDA_R_32F,
                                     k, db, CUDA_R_32F, k, &zero, dc, CUDA_R_32F, m,
                                     fast ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F,
                                     CUBLAS_GEMM_DEFAULT), ==, CUBLAS_STATUS_SUCCESS);
      from_dev (c, dc, m * n);
      for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
          {
            double want = 0.0;

            for (int l = 0; l < k; l++)
              want += fast ? tf32_reference (a[i * k + l]) * tf32_reference (b[j * k + l])
                           : (double) a[i * k + l] * b[j * k + l];
            g_assert_cmpfloat_with_epsilon (c[j * m + i], want, 1e-5);
          }
    }
  /* TF32 rounding really happens: the fast product of 1 + 2^-12 is 1 */
  {
    float x = 1.0f + 1.0f / 4096.0f, y = 1.0f, r;

    to_dev (da, &x, 1);
    to_dev (db, &y, 1);
    g_assert_cmpint (cublasGemmEx (h, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, da, CUDA_R_32F,
                                   1, db, CUDA_R_32F, 1, &zero, dc, CUDA_R_32F, 1,
                                   CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT), ==,
                     CUBLAS_STATUS_SUCCESS);
    from_dev (&r, dc, 1);
    g_assert_cmpfloat (r, ==, 1.0f);
  }

  /* a leading dimension smaller than the rows, and a host matrix */
  g_assert_cmpint (cublasGemmEx (h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, da, CUDA_R_32F,
                                 k - 1, db, CUDA_R_32F, k, &zero, dc, CUDA_R_32F, m,
                                 CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), ==,
                   CUBLAS_STATUS_INVALID_VALUE);
  g_assert_cmpint (cublasGemmEx (h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, a, CUDA_R_32F, k,
                                 db, CUDA_R_32F, k, &zero, dc, CUDA_R_32F, m,
                                 CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), !=,
                   CUBLAS_STATUS_SUCCESS);
  /* B is (k, n) = 9 x 7 floats; read as (k, n + 1) it runs past its buffer */
  g_assert_cmpint (cublasGemmEx (h, CUBLAS_OP_T, CUBLAS_OP_N, m, n + 1, k, &one, da,
                                 CUDA_R_32F, k, db, CUDA_R_32F, k, &zero, dc, CUDA_R_32F, m,
                                 CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), !=,
                   CUBLAS_STATUS_SUCCESS);
  (void) cudaGetLastError ();
  g_assert_cmpint (cublasDestroy_v2 (h), ==, CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cudaStreamDestroy (s), ==, cudaSuccess);
  g_assert_cmpint (cudaStreamDestroy (s), ==, cudaErrorInvalidResourceHandle);
  (void) cudaGetLastError ();
  cudaFree (da);
  cudaFree (db);
  cudaFree (dc);
  g_rand_free (rand);
}

/* /cuda-emu/gemm-lt: the emulated cuBLASLt adds the bias after the
 * product, and refuses what a device's cuBLASLt would refuse or fault on */
static void
test_gemm_lt (void)
{
  cublasLtHandle_t h;
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t la, lb, ld, lwide, lk;
  cublasLtMatmulPreference_t pref;
  cublasLtMatmulHeuristicResult_t res;
  cudaStream_t s;
  const int m = 5, n = 7, k = 9, long_k = 300;
  float a[9 * 5], b[9 * 7], c[5 * 7], bias[5];
  float *da = dev_alloc (9 * 5), *db = dev_alloc (9 * 7), *dc = dev_alloc (5 * 7 + 1);
  float *dbias = dev_alloc (5), *dlong = dev_alloc (300), *dout = dev_alloc (1);
  void *work = dev_alloc (1048576 / 4);
  const float one = 1.0f, zero = 0.0f;
  cublasOperation_t ta = CUBLAS_OP_T;
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
  uint64_t ws = 1048576;
  int found = 0;
  GRand *rand = g_rand_new_with_seed (4);

  for (int i = 0; i < 9 * 5; i++)
    a[i] = (float) g_rand_double_range (rand, -1, 1);
  for (int i = 0; i < 9 * 7; i++)
    b[i] = (float) g_rand_double_range (rand, -1, 1);
  for (int i = 0; i < 5; i++)
    bias[i] = (float) g_rand_double_range (rand, -1, 1);
  to_dev (da, a, 9 * 5);
  to_dev (db, b, 9 * 7);
  to_dev (dbias, bias, 5);
  g_assert_cmpint (cudaStreamCreateWithFlags (&s, cudaStreamNonBlocking), ==, cudaSuccess);
  g_assert_cmpint (cublasLtCreate (&h), ==, CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasLtMatmulDescCreate (&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), ==,
                   CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasLtMatmulDescSetAttribute (desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta,
                                                   sizeof ta), ==, CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasLtMatmulDescSetAttribute (desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                   &epilogue, sizeof epilogue), ==,
                   CUBLAS_STATUS_SUCCESS);
  /* an attribute given the wrong size */
  g_assert_cmpint (cublasLtMatmulDescSetAttribute (desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                   &ws, sizeof ws), ==,
                   CUBLAS_STATUS_INVALID_VALUE);
  g_assert_cmpint (cublasLtMatmulDescSetAttribute (desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                                   &dbias, sizeof dbias), ==,
                   CUBLAS_STATUS_SUCCESS);
  /* C (m, n) = Aᵀ B + bias with A stored (k, m) and B (k, n) */
  g_assert_cmpint (cublasLtMatrixLayoutCreate (&la, CUDA_R_32F, k, m, k), ==,
                   CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasLtMatrixLayoutCreate (&lb, CUDA_R_32F, k, n, k), ==,
                   CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasLtMatrixLayoutCreate (&ld, CUDA_R_32F, m, n, m), ==,
                   CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasLtMatrixLayoutCreate (&lwide, CUDA_R_32F, m, n + 1, m), ==,
                   CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasLtMatmulPreferenceCreate (&pref), ==, CUBLAS_STATUS_SUCCESS);
  /* layouts that make no product */
  g_assert_cmpint (cublasLtMatmulAlgoGetHeuristic (h, desc, la, lb, lwide, lwide, pref, 1, &res,
                                                   &found), ==, CUBLAS_STATUS_INVALID_VALUE);
  g_assert_cmpint (cublasLtMatmulAlgoGetHeuristic (h, desc, la, lb, ld, ld, pref, 1, &res,
                                                   &found), ==, CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (found, ==, 1);
  g_assert_cmpint (cublasLtMatmul (h, desc, &one, da, la, db, lb, &zero, dc, ld, dc, ld,
                                   &res.algo, NULL, 0, s), ==, CUBLAS_STATUS_SUCCESS);
  from_dev (c, dc, m * n);
  for (int j = 0; j < n; j++)
    for (int i = 0; i < m; i++)
      {
        double want = bias[i];

        for (int l = 0; l < k; l++)
          want += (double) a[i * k + l] * b[j * k + l];
        g_assert_cmpfloat_with_epsilon (c[j * m + i], want, 1e-5);
      }
  /* the algorithm was chosen for 256-byte aligned matrices: D one float
   * off is refused, as a device's vector stores would fault */
  g_assert_cmpint (cublasLtMatmul (h, desc, &one, da, la, db, lb, &zero, dc + 1, ld, dc + 1, ld,
                                   &res.algo, NULL, 0, s), ==, CUBLAS_STATUS_EXECUTION_FAILED);
  /* a bias in host memory */
  {
    float *host_bias = bias;

    g_assert_cmpint (cublasLtMatmulDescSetAttribute (desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                                     &host_bias, sizeof host_bias), ==,
                     CUBLAS_STATUS_SUCCESS);
    g_assert_cmpint (cublasLtMatmul (h, desc, &one, da, la, db, lb, &zero, dc, ld, dc, ld,
                                     &res.algo, NULL, 0, s), ==,
                     CUBLAS_STATUS_EXECUTION_FAILED);
  }
  /* a long inner dimension wants the workspace the preference allows */
  epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  g_assert_cmpint (cublasLtMatmulDescSetAttribute (desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                   &epilogue, sizeof epilogue), ==,
                   CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cublasLtMatrixLayoutCreate (&lk, CUDA_R_32F, long_k, 1, long_k), ==,
                   CUBLAS_STATUS_SUCCESS);
  {
    cublasLtMatrixLayout_t lone;

    g_assert_cmpint (cublasLtMatrixLayoutCreate (&lone, CUDA_R_32F, 1, 1, 1), ==,
                     CUBLAS_STATUS_SUCCESS);
    g_assert_cmpint (cublasLtMatmulPreferenceSetAttribute (pref,
                                                           CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                           &ws, sizeof ws), ==,
                     CUBLAS_STATUS_SUCCESS);
    g_assert_cmpint (cublasLtMatmulAlgoGetHeuristic (h, desc, lk, lk, lone, lone, pref, 1, &res,
                                                     &found), ==, CUBLAS_STATUS_SUCCESS);
    g_assert_cmpuint (res.workspaceSize, >, 0);
    g_assert_cmpint (cublasLtMatmul (h, desc, &one, dlong, lk, dlong, lk, &zero, dout, lone,
                                     dout, lone, &res.algo, NULL, 0, s), ==,
                     CUBLAS_STATUS_INVALID_VALUE);
    g_assert_cmpint (cublasLtMatmul (h, desc, &one, dlong, lk, dlong, lk, &zero, dout, lone,
                                     dout, lone, &res.algo, work, res.workspaceSize, s), ==,
                     CUBLAS_STATUS_SUCCESS);
    cublasLtMatrixLayoutDestroy (lone);
  }
  (void) cudaGetLastError ();
  cublasLtMatrixLayoutDestroy (la);
  cublasLtMatrixLayoutDestroy (lb);
  cublasLtMatrixLayoutDestroy (ld);
  cublasLtMatrixLayoutDestroy (lwide);
  cublasLtMatrixLayoutDestroy (lk);
  cublasLtMatmulPreferenceDestroy (pref);
  cublasLtMatmulDescDestroy (desc);
  g_assert_cmpint (cublasLtDestroy (h), ==, CUBLAS_STATUS_SUCCESS);
  g_assert_cmpint (cudaStreamDestroy (s), ==, cudaSuccess);
  cudaFree (da);
  cudaFree (db);
  cudaFree (dc);
  cudaFree (dbias);
  cudaFree (dlong);
  cudaFree (dout);
  cudaFree (work);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cuda-emu/shuffle-and-barrier", test_shuffle_and_barrier);
  g_test_add_func ("/cuda-emu/misuse", test_misuse);
  g_test_add_func ("/cuda-emu/fresh-memory-and-limits", test_fresh_memory_and_limits);
  g_test_add_func ("/cuda-emu/gemm", test_gemm);
  g_test_add_func ("/cuda-emu/gemm-lt", test_gemm_lt);
  return g_test_run ();
}
