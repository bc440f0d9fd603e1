/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Launchers of our own CUDA kernels (model/ov-backend-cuda.cu), callable
 * from C. Every pointer is device memory unless named host; every launcher
 * queues its work on the given stream and returns the launch status
 * (cudaSuccess, or the error cudaGetLastError reports). Row-major float32.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* y (M, N) += b (N) on every row. */
cudaError_t ov_cuda_bias (float *y, const float *b, int m, int n, cudaStream_t stream);

/* out (T, H) = (word[ids] + pos[pos_ids]) + type[type_ids]; ids (3, T) int32:
 * word ids, then positions, then types. */
cudaError_t ov_cuda_embed (float *out, const float *word, const float *pos,
                           const float *type, const int32_t *ids, int t, int h,
                           cudaStream_t stream);

/* x (M, N) += r (M, N) when r != NULL, then LayerNorm of each row with the
 * biased variance (mean and variance summed in double, as the CPU). */
cudaError_t ov_cuda_add_layer_norm (float *x, const float *r, const float *g,
                                    const float *b, int m, int n, float eps,
                                    cudaStream_t stream);

/* x = 0.5 x (1 + erf (x / √2)), in place. */
cudaError_t ov_cuda_gelu (float *x, size_t n, cudaStream_t stream);
/* x = max (x, 0) and x = x / (1 + e^-x), in place. */
cudaError_t ov_cuda_relu (float *x, size_t n, cudaStream_t stream);
cudaError_t ov_cuda_swish (float *x, size_t n, cudaStream_t stream);
/* x = tanh (x), in place. */
cudaError_t ov_cuda_tanh (float *x, size_t n, cudaStream_t stream);

/* Attention of one sequence, as the backend table states it: scores
 * q·kᵀ / √dh, plus add_mask (0 or -10000 in float32; row stride
 * mask_stride, 0 = one row for all queries; NULL = none), softmax, times V.
 * ctx (Lq, A·dh); probs (A, Lq, Lk) when not NULL. */
cudaError_t ov_cuda_attention (float *ctx, float *probs, const float *q, int q_stride,
                               const float *k, const float *v, int kv_stride,
                               const float *add_mask, int mask_stride, int lq, int lk,
                               int n_heads, int head_dim, cudaStream_t stream);
/* The same for n_batch sequences at once (no probabilities): sequence i
 * with ctx offset by i · ctx_batch floats, q by i · q_batch, k and v by
 * i · kv_batch. */
cudaError_t ov_cuda_attention_batch (float *ctx, const float *q, int q_stride, const float *k,
                                     const float *v, int kv_stride, const float *add_mask,
                                     int mask_stride, int lq, int lk, int n_heads, int head_dim,
                                     int n_batch, size_t ctx_batch, size_t q_batch,
                                     size_t kv_batch, cudaStream_t stream);

/* For o < n_outer, i < n_inner: dst + o·dst_outer + i·inner gets n floats
 * from src + s·src_outer + i·inner, s = src_index[o] (device int32) or o. */
cudaError_t ov_cuda_copy_runs (float *dst, size_t dst_outer, const float *src,
                               size_t src_outer, const int32_t *src_index, int n_outer,
                               int n_inner, size_t inner, size_t n, cudaStream_t stream);

/* For o < n_outer, i < n_inner, p < n_parts: dst + shift + o·dst_outer +
 * i·dst_inner + p·dst_part gets n floats from src + o·src_outer +
 * i·src_inner + p·src_part, shift = (size_t) at[0] · at_stride with at
 * device memory read when the kernel runs. */
cudaError_t ov_cuda_copy_parts (float *dst, size_t dst_outer, size_t dst_inner,
                                size_t dst_part, const float *src, size_t src_outer,
                                size_t src_inner, size_t src_part, int n_outer, int n_inner,
                                int n_parts, size_t n, const float *at, size_t at_stride,
                                cudaStream_t stream);

/* Beam-search scoring of logits (B, V): for each row b, max_b and
 * lse_b = log Σ exp (x - max_b) (summed in double; NaN when the row holds
 * anything but finite numbers), and the k best of ((x - max_b) - lse_b) + beam_scores[b] in order,
 * higher first and the lower word first among equals, as scores, words and
 * log-probabilities (x - max_b) - lse_b, each (B, k). Entries that are not
 * numbers are never picked (word -1 when a row runs out). k <= 1024. */
cudaError_t ov_cuda_log_softmax_topk (const float *logits, const float *beam_scores, int nb,
                                      int v, int k, float *row_max, float *row_lse,
                                      float *top_scores, int32_t *top_words, float *top_lps,
                                      cudaStream_t stream);

#ifdef __cplusplus
}
#endif
