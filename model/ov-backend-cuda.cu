/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Our own CUDA kernels for the GPU backend: embeddings, LayerNorm with the
 * residual add, erf GELU, tanh, bias rows, masked softmax attention, the
 * run copies of the key/value cache, and the log-softmax + top-k of beam
 * search. Each kernel computes what the CPU backend computes, in the same
 * float32 expressions where they are visible (LayerNorm's mean and variance
 * and the beam log-softmax summed in double, the attention softmax in
 * float). Matrix products are cuBLAS's, in ov-backend-cuda.c.
 *
 * Kernels are launched through OV_LAUNCH and take dynamic shared memory
 * through OV_DYNAMIC_SHARED, so that the tests can also build this file with
 * the host compiler and run it on tests/cuda-emu, where no device answers.
 */
#include <float.h>
#include <math.h>

#include "ov-cuda-kernels.h"

#ifdef OV_CUDA_EMULATED
/* tests/cuda-emu: the same kernels, run on the CPU by the test emulator */
#include "cuda-emu-device.h"
#else
#define OV_LAUNCH(kernel, grid, block, shared, stream) \
  kernel<<<(grid), (block), (shared), (stream)>>>
#define OV_DYNAMIC_SHARED(type, name) extern __shared__ type name[]
#endif

#define OV_WARP 32

/* The sum over the warp; every lane gets it. */
template <typename T> static __device__ __forceinline__ T
warp_sum (T v)
{
  for (int o = OV_WARP / 2; o > 0; o /= 2)
    v += __shfl_xor_sync (0xffffffffu, v, o);
  return v;
}

static __device__ __forceinline__ float
warp_max_f (float v)
{
  for (int o = OV_WARP / 2; o > 0; o /= 2)
    v = fmaxf (v, __shfl_xor_sync (0xffffffffu, v, o));
  return v;
}

/* The middle step of a reduction over the block: each warp's result v (the
 * same in all its lanes) goes through scratch (32 entries), and lane i of
 * every warp gets warp i's, or fill where there is no warp i, for the warp
 * reduction that finishes it. The block size is a multiple of 32. */
template <typename T> static __device__ T
exchange_warps (T v, T *scratch, T fill)
{
  int lane = threadIdx.x % OV_WARP, warp = threadIdx.x / OV_WARP;
  int n_warps = blockDim.x / OV_WARP;

  __syncthreads ();              /* scratch may still be read by a previous call */
  if (lane == 0)
    scratch[warp] = v;
  __syncthreads ();
  return lane < n_warps ? scratch[lane] : fill;
}

/* Sum and maximum over the block; every thread gets it. */
static __device__ double
block_sum_d (double v, double *scratch)
{
  return warp_sum (exchange_warps (warp_sum (v), scratch, 0.0));
}

static __device__ float
block_max_f (float v, float *scratch)
{
  return warp_max_f (exchange_warps (warp_max_f (v), scratch, -FLT_MAX));
}

static __device__ float
block_sum_f (float v, float *scratch)
{
  return warp_sum (exchange_warps (warp_sum (v), scratch, 0.0f));
}

static unsigned
grid_for (size_t n, unsigned block)
{
  size_t g = (n + block - 1) / block;

  return (unsigned) (g > 65535u * 16u ? 65535u * 16u : (g == 0 ? 1 : g));
}

/* ov_cuda_bias: y (M, N) += b (N) */
static __global__ void
bias_kernel (float *y, const float *b, int m, int n)
{
  size_t total = (size_t) m * n;

  for (size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x; i < total;
       i += (size_t) gridDim.x * blockDim.x)
    y[i] += b[i % n];
}

extern "C" cudaError_t
ov_cuda_bias (float *y, const float *b, int m, int n, cudaStream_t stream)
{
  if (m <= 0 || n <= 0)
    return cudaSuccess;
  OV_LAUNCH (bias_kernel, grid_for ((size_t) m * n, 256), 256, 0, stream) (y, b, m, n);
  return cudaGetLastError ();
}

/* ov_cuda_embed: one block per token, threads along H */
static __global__ void
embed_kernel (float *out, const float *word, const float *pos, const float *type,
              const int32_t *ids, int t, int h)
{
  int i = blockIdx.x;
  const float *we = word + (size_t) ids[i] * h;
  const float *pe = pos + (size_t) ids[t + i] * h;
  const float *te = type + (size_t) ids[2 * t + i] * h;
  float *o = out + (size_t) i * h;

  for (int j = threadIdx.x; j < h; j += blockDim.x)
    o[j] = (we[j] + pe[j]) + te[j];
}

extern "C" cudaError_t
ov_cuda_embed (float *out, const float *word, const float *pos, const float *type,
               const int32_t *ids, int t, int h, cudaStream_t stream)
{
  if (t <= 0)
    return cudaSuccess;
  OV_LAUNCH (embed_kernel, t, 256, 0, stream) (out, word, pos, type, ids, t, h);
  return cudaGetLastError ();
}

/* ov_cuda_add_layer_norm: one block per row. The residual is added in
 * float32 first; mean and variance are summed in double from the float
 * row; the normalised value is (float) (x - mean) · (float) (1 / √(var + eps))
 * · g + b, the CPU's expression. */
static __global__ void
add_layer_norm_kernel (float *x, const float *r, const float *g, const float *b, int n,
                       float eps)
{
  __shared__ double scratch[OV_WARP];
  float *row = x + (size_t) blockIdx.x * n;
  const float *rrow = r != NULL ? r + (size_t) blockIdx.x * n : NULL;
  double sum = 0.0, mean, var = 0.0;
  float inv;

  for (int j = threadIdx.x; j < n; j += blockDim.x)
    {
      float v = row[j];

      if (rrow != NULL)
        v += rrow[j];
      row[j] = v;
      sum += v;
    }
  mean = block_sum_d (sum, scratch) / n;
  for (int j = threadIdx.x; j < n; j += blockDim.x)
    {
      double d = row[j] - mean;

      var += d * d;
    }
  var = block_sum_d (var, scratch) / n;
  inv = (float) (1.0 / sqrt (var + eps));
  for (int j = threadIdx.x; j < n; j += blockDim.x)
    row[j] = (float) (row[j] - mean) * inv * g[j] + b[j];
}

extern "C" cudaError_t
ov_cuda_add_layer_norm (float *x, const float *r, const float *g, const float *b, int m,
                        int n, float eps, cudaStream_t stream)
{
  if (m <= 0 || n <= 0)
    return cudaSuccess;
  OV_LAUNCH (add_layer_norm_kernel, m, 256, 0, stream) (x, r, g, b, n, eps);
  return cudaGetLastError ();
}

/* The activations ov_cuda_gelu, ov_cuda_relu, ov_cuda_swish and ov_cuda_tanh
 * apply in place, one float at a time, each in the CPU backend's expression:
 * GELU in its erf form, and swish, x * sigmoid (x), written x / (1 + e^-x). */
struct OvGelu
{
  static __device__ __forceinline__ float
  apply (float v)
  {
    return 0.5f * v * (1.0f + erff (v * 0.70710678118654752440f));
  }
};

struct OvRelu
{
  static __device__ __forceinline__ float
  apply (float v)
  {
    return v > 0.0f ? v : 0.0f;
  }
};

struct OvSwish
{
  static __device__ __forceinline__ float
  apply (float v)
  {
    return v / (1.0f + expf (-v));
  }
};

struct OvTanh
{
  static __device__ __forceinline__ float
  apply (float v)
  {
    return tanhf (v);
  }
};

template <typename Act> static __global__ void
activation_kernel (float *x, size_t n)
{
  for (size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x; i < n;
       i += (size_t) gridDim.x * blockDim.x)
    x[i] = Act::apply (x[i]);
}

/* Applies Act to the n floats at x. */
template <typename Act> static cudaError_t
launch_activation (float *x, size_t n, cudaStream_t stream)
{
  if (n == 0)
    return cudaSuccess;
  OV_LAUNCH (activation_kernel<Act>, grid_for (n, 256), 256, 0, stream) (x, n);
  return cudaGetLastError ();
}

extern "C" cudaError_t
ov_cuda_gelu (float *x, size_t n, cudaStream_t stream)
{
  return launch_activation<OvGelu> (x, n, stream);
}

extern "C" cudaError_t
ov_cuda_relu (float *x, size_t n, cudaStream_t stream)
{
  return launch_activation<OvRelu> (x, n, stream);
}

extern "C" cudaError_t
ov_cuda_swish (float *x, size_t n, cudaStream_t stream)
{
  return launch_activation<OvSwish> (x, n, stream);
}

extern "C" cudaError_t
ov_cuda_tanh (float *x, size_t n, cudaStream_t stream)
{
  return launch_activation<OvTanh> (x, n, stream);
}

/* ov_cuda_attention: one block per (query row, head[, sequence]); 128 threads.
 * Shared memory: the row's scores p (Lk), the query qs (dh), and one
 * partial context per warp (4 · dh).
 *   1. each warp takes keys j = warp, warp + 4, ...: s_j = (q · k_j) / √dh
 *      (lanes over dh, shuffle sum), + mask;
 *   2. max, exp, sum over the block; p_j = e_j / sum (stored in probs);
 *   3. each warp sums p_j v_j over its keys, lanes over dh; the four
 *      partials are added into ctx. */
#define OV_ATT_THREADS 128
/* The dynamic shared memory a block may ask for without opting in: 48 KiB
 * less the kernel's static scratch. */
#define OV_ATT_MAX_SHARED (48 * 1024 - OV_WARP * sizeof (float))

static __global__ void
attention_kernel (float *ctx, float *probs, const float *q, int q_stride, const float *k,
                  const float *v, int kv_stride, const float *add_mask, int mask_stride,
                  int lq, int lk, int n_heads, int head_dim, float scale_div, size_t ctx_batch,
                  size_t q_batch, size_t kv_batch)
{
  OV_DYNAMIC_SHARED (float, shared);
  __shared__ float scratch[OV_WARP];
  float *p = shared;
  float *qs = p + lk;
  float *part = qs + head_dim;
  int i = blockIdx.x, hd = blockIdx.y;
  int lane = threadIdx.x % OV_WARP, warp = threadIdx.x / OV_WARP;
  int n_warps = blockDim.x / OV_WARP;
  const float *q_row = q + (size_t) i * q_stride + (size_t) hd * head_dim;
  const float *mask_row = add_mask != NULL ? add_mask + (size_t) i * mask_stride : NULL;
  float max = -FLT_MAX, sum = 0.0f;

  /* the sequence of a batched call (blockIdx.z; 0 otherwise) */
  q_row += blockIdx.z * q_batch;
  ctx += blockIdx.z * ctx_batch;
  k += blockIdx.z * kv_batch;
  v += blockIdx.z * kv_batch;
  for (int d = threadIdx.x; d < head_dim; d += blockDim.x)
    qs[d] = q_row[d];
  __syncthreads ();

  for (int j = warp; j < lk; j += n_warps)
    {
      const float *k_j = k + (size_t) j * kv_stride + (size_t) hd * head_dim;
      float s = 0.0f;

      for (int d = lane; d < head_dim; d += OV_WARP)
        s += qs[d] * k_j[d];
      s = warp_sum (s);
      if (lane == 0)
        {
          s = s / scale_div;
          if (mask_row != NULL)
            s += mask_row[j];
          p[j] = s;
        }
    }
  __syncthreads ();

  for (int j = threadIdx.x; j < lk; j += blockDim.x)
    max = fmaxf (max, p[j]);
  max = block_max_f (max, scratch);
  for (int j = threadIdx.x; j < lk; j += blockDim.x)
    {
      float e = expf (p[j] - max);

      p[j] = e;
      sum += e;
    }
  sum = block_sum_f (sum, scratch);
  for (int j = threadIdx.x; j < lk; j += blockDim.x)
    {
      p[j] = p[j] / sum;
      if (probs != NULL)
        probs[((size_t) hd * lq + i) * lk + j] = p[j];
    }
  __syncthreads ();

  for (int d = lane; d < head_dim; d += OV_WARP)
    {
      float acc = 0.0f;

      for (int j = warp; j < lk; j += n_warps)
        acc += p[j] * v[(size_t) j * kv_stride + (size_t) hd * head_dim + d];
      part[warp * head_dim + d] = acc;
    }
  __syncthreads ();
  for (int d = threadIdx.x; d < head_dim; d += blockDim.x)
    {
      float c = 0.0f;

      for (int w = 0; w < n_warps; w++)
        c += part[w * head_dim + d];
      ctx[(size_t) i * n_heads * head_dim + (size_t) hd * head_dim + d] = c;
    }
}

extern "C" cudaError_t
ov_cuda_attention (float *ctx, float *probs, const float *q, int q_stride, const float *k,
                   const float *v, int kv_stride, const float *add_mask, int mask_stride,
                   int lq, int lk, int n_heads, int head_dim, cudaStream_t stream)
{
  size_t shared = ((size_t) lk + (size_t) head_dim * (1 + OV_ATT_THREADS / OV_WARP))
                  * sizeof (float);
  dim3 grid (lq, n_heads);

  if (lq <= 0 || n_heads <= 0 || head_dim <= 0)
    return cudaSuccess;
  if (lk <= 0 || n_heads > 65535 || shared > OV_ATT_MAX_SHARED)
    return cudaErrorInvalidValue;
  OV_LAUNCH (attention_kernel, grid, OV_ATT_THREADS, shared, stream) (
    ctx, probs, q, q_stride, k, v, kv_stride, add_mask, mask_stride, lq, lk, n_heads,
    head_dim, sqrtf ((float) head_dim), 0, 0, 0);
  return cudaGetLastError ();
}

extern "C" cudaError_t
ov_cuda_attention_batch (float *ctx, const float *q, int q_stride, const float *k,
                         const float *v, int kv_stride, const float *add_mask, int mask_stride,
                         int lq, int lk, int n_heads, int head_dim, int n_batch,
                         size_t ctx_batch, size_t q_batch, size_t kv_batch, cudaStream_t stream)
{
  size_t shared = ((size_t) lk + (size_t) head_dim * (1 + OV_ATT_THREADS / OV_WARP))
                  * sizeof (float);
  dim3 grid (lq, n_heads, n_batch);

  if (lq <= 0 || n_heads <= 0 || head_dim <= 0 || n_batch <= 0)
    return cudaSuccess;
  if (lk <= 0 || n_heads > 65535 || n_batch > 65535 || shared > OV_ATT_MAX_SHARED)
    return cudaErrorInvalidValue;
  OV_LAUNCH (attention_kernel, grid, OV_ATT_THREADS, shared, stream) (
    ctx, NULL, q, q_stride, k, v, kv_stride, add_mask, mask_stride, lq, lk, n_heads,
    head_dim, sqrtf ((float) head_dim), ctx_batch, q_batch, kv_batch);
  return cudaGetLastError ();
}

/* ov_cuda_copy_runs: grid (n_inner, n_outer), threads along the run */
static __global__ void
copy_runs_kernel (float *dst, size_t dst_outer, const float *src, size_t src_outer,
                  const int32_t *src_index, size_t inner, size_t n)
{
  int o = blockIdx.y, i = blockIdx.x;
  size_t s = src_index != NULL ? (size_t) src_index[o] : (size_t) o;
  float *d = dst + o * dst_outer + i * inner;
  const float *from = src + s * src_outer + i * inner;

  for (size_t e = threadIdx.x; e < n; e += blockDim.x)
    d[e] = from[e];
}

extern "C" cudaError_t
ov_cuda_copy_runs (float *dst, size_t dst_outer, const float *src, size_t src_outer,
                   const int32_t *src_index, int n_outer, int n_inner, size_t inner,
                   size_t n, cudaStream_t stream)
{
  dim3 grid (n_inner, n_outer);

  if (n_outer <= 0 || n_inner <= 0 || n == 0)
    return cudaSuccess;
  if (n_outer > 65535)
    return cudaErrorInvalidValue;
  OV_LAUNCH (copy_runs_kernel, grid, 256, 0, stream) (dst, dst_outer, src, src_outer,
                                                      src_index, inner, n);
  return cudaGetLastError ();
}

/* ov_cuda_copy_parts: grid (n_inner, n_outer, n_parts), threads along the
 * run */
static __global__ void
copy_parts_kernel (float *dst, size_t dst_outer, size_t dst_inner, size_t dst_part,
                   const float *src, size_t src_outer, size_t src_inner, size_t src_part,
                   size_t n, const float *at, size_t at_stride)
{
  size_t o = blockIdx.y, i = blockIdx.x, p = blockIdx.z;
  size_t shift = (size_t) at[0] * at_stride;
  float *d = dst + shift + o * dst_outer + i * dst_inner + p * dst_part;
  const float *from = src + o * src_outer + i * src_inner + p * src_part;

  for (size_t e = threadIdx.x; e < n; e += blockDim.x)
    d[e] = from[e];
}

extern "C" cudaError_t
ov_cuda_copy_parts (float *dst, size_t dst_outer, size_t dst_inner, size_t dst_part,
                    const float *src, size_t src_outer, size_t src_inner, size_t src_part,
                    int n_outer, int n_inner, int n_parts, size_t n, const float *at,
                    size_t at_stride, cudaStream_t stream)
{
  dim3 grid (n_inner, n_outer, n_parts);

  if (n_outer <= 0 || n_inner <= 0 || n_parts <= 0 || n == 0)
    return cudaSuccess;
  if (n_outer > 65535 || n_parts > 65535)
    return cudaErrorInvalidValue;
  OV_LAUNCH (copy_parts_kernel, grid, 256, 0, stream) (dst, dst_outer, dst_inner, dst_part,
                                                       src, src_outer, src_inner, src_part, n,
                                                       at, at_stride);
  return cudaGetLastError ();
}

/* ov_cuda_log_softmax_topk: one block of 1024 threads per beam row.
 * Pass 1: the row maximum; pass 2: Σ exp (x - max) in double; then k
 * selection passes, each finding the best entry ranked after the previous
 * pick (higher score first, lower word first among equals), so the picks
 * come out sorted without marking anything. */
#define OV_TOPK_THREADS 1024

static __device__ __forceinline__ bool
ranks_before (float s, int w, float best_s, int best_w)
{
  return best_w < 0 || s > best_s || (s == best_s && w < best_w);
}

static __global__ void
log_softmax_topk_kernel (const float *logits, const float *beam_scores, int v, int k,
                         float *row_max, float *row_lse, float *top_scores,
                         int32_t *top_words, float *top_lps)
{
  __shared__ float scratch_f[OV_WARP];
  __shared__ double scratch_d[OV_WARP];
  __shared__ float cand_s[OV_WARP];
  __shared__ int cand_w[OV_WARP];
  __shared__ float prev_s;
  __shared__ int prev_w;
  int b = blockIdx.x;
  int lane = threadIdx.x % OV_WARP, warp = threadIdx.x / OV_WARP;
  int n_warps = blockDim.x / OV_WARP;
  const float *x = logits + (size_t) b * v;
  float max = -FLT_MAX, lse, bs = beam_scores[b];
  double sum = 0.0;

  for (int i = threadIdx.x; i < v; i += blockDim.x)
    if (!isnan (x[i]))
      max = fmaxf (max, x[i]);
  max = block_max_f (max, scratch_f);
  /* an entry that is not a finite number makes the sum NaN, which the
   * caller reports as the CPU's decoder does */
  for (int i = threadIdx.x; i < v; i += blockDim.x)
    sum += isfinite (x[i]) ? expf (x[i] - max) : NAN;
  sum = block_sum_d (sum, scratch_d);
  lse = (float) log (sum);
  if (threadIdx.x == 0)
    {
      row_max[b] = max;
      row_lse[b] = lse;
      prev_s = 0.0f;
      prev_w = -1;
    }
  __syncthreads ();

  for (int r = 0; r < k; r++)
    {
      float ps = prev_s, best_s = 0.0f;
      int pw = prev_w, best_w = -1;

      for (int i = threadIdx.x; i < v; i += blockDim.x)
        {
          float s = ((x[i] - max) - lse) + bs;

          if (isnan (s))
            continue;
          /* only entries ranked after the previous pick */
          if (pw >= 0 && !(s < ps || (s == ps && i > pw)))
            continue;
          if (ranks_before (s, i, best_s, best_w))
            {
              best_s = s;
              best_w = i;
            }
        }
      for (int o = OV_WARP / 2; o > 0; o /= 2)
        {
          float os = __shfl_xor_sync (0xffffffffu, best_s, o);
          int ow = __shfl_xor_sync (0xffffffffu, best_w, o);

          if (ow >= 0 && ranks_before (os, ow, best_s, best_w))
            {
              best_s = os;
              best_w = ow;
            }
        }
      if (lane == 0)
        {
          cand_s[warp] = best_s;
          cand_w[warp] = best_w;
        }
      __syncthreads ();
      if (threadIdx.x == 0)
        {
          for (int w = 1; w < n_warps; w++)
            if (cand_w[w] >= 0 && ranks_before (cand_s[w], cand_w[w], best_s, best_w))
              {
                best_s = cand_s[w];
                best_w = cand_w[w];
              }
          top_scores[(size_t) b * k + r] = best_w >= 0 ? best_s : -INFINITY;
          top_words[(size_t) b * k + r] = best_w;
          top_lps[(size_t) b * k + r] = best_w >= 0 ? (x[best_w] - max) - lse : -INFINITY;
          if (best_w >= 0)
            {
              prev_s = best_s;
              prev_w = best_w;
            }
          else
            prev_w = v;           /* nothing left: later passes find nothing either */
        }
      __syncthreads ();
      if (prev_w >= v)
        {
          for (int rr = r + 1 + threadIdx.x; rr < k; rr += blockDim.x)
            {
              top_scores[(size_t) b * k + rr] = -INFINITY;
              top_words[(size_t) b * k + rr] = -1;
              top_lps[(size_t) b * k + rr] = -INFINITY;
            }
          return;
        }
    }
}

extern "C" cudaError_t
ov_cuda_log_softmax_topk (const float *logits, const float *beam_scores, int nb, int v,
                          int k, float *row_max, float *row_lse, float *top_scores,
                          int32_t *top_words, float *top_lps, cudaStream_t stream)
{
  if (nb <= 0 || v <= 0 || k <= 0)
    return cudaSuccess;
  if (k > 1024)
    return cudaErrorInvalidValue;
  OV_LAUNCH (log_softmax_topk_kernel, nb, OV_TOPK_THREADS, 0, stream) (
    logits, beam_scores, v, k, row_max, row_lse, top_scores, top_words, top_lps);
  return cudaGetLastError ();
}
