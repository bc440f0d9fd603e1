/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The table of tensor operations the encoder is written against. Every
 * pointer handed to an operation belongs to the backend (host memory for the
 * CPU backend); buffers come from alloc() and cross to the host through
 * upload()/download(). All matrices are row-major float32. A device backend
 * cannot fail inside an operation: it records the first error, skips the
 * operations after it, and check() hands that error over at a boundary.
 */
#pragma once

#include <glib.h>

#include "ov-pool.h"

G_BEGIN_DECLS

typedef struct _OvBackend OvBackend;

struct _OvBackend
{
  const char *name;
  int         n_threads;    /* threads of the parallel loops, >= 1 */
  gboolean    host_memory;  /* buffers are host memory: plain host arrays may be passed */

  float  *(*alloc)      (const OvBackend *be, gsize n_floats);
  void    (*free)       (const OvBackend *be, float *p);
  void    (*upload)     (const OvBackend *be, float *dst, const float *host, gsize n);
  void    (*download)   (const OvBackend *be, float *host, const float *src, gsize n);

  /* y (M, N) = x (M, K) · w (N, K)ᵀ + b (N); b may be NULL. The weight is in
   * PyTorch's (out, in) layout. Small M (decoding) is the common case. */
  void    (*linear)     (const OvBackend *be, float *y, const float *x,
                         const float *w, const float *b, int m, int n, int k);
  /* x (M, N) += r (M, N) when r != NULL, then each row is normalised:
   * (x - mean) / sqrt (var + eps) * g + b with the biased variance. */
  void    (*add_layer_norm) (const OvBackend *be, float *x, const float *r,
                             const float *g, const float *b, int m, int n, float eps);
  /* x (n) = 0.5 x (1 + erf (x / √2)) in place. */
  void    (*gelu)       (const OvBackend *be, float *x, gsize n);
  /* x (n) = max (x, 0), and x (n) = x · sigmoid (x), in place, for models
   * with hidden_act relu or swish. */
  void    (*relu)       (const OvBackend *be, float *x, gsize n);
  void    (*swish)      (const OvBackend *be, float *x, gsize n);
  /* x (n) = tanh (x) in place. */
  void    (*tanh)       (const OvBackend *be, float *x, gsize n);
  /* Text embeddings before their LayerNorm: out (T, H) = word[ids] + pos[pos] + type[types]. */
  void    (*embed)      (const OvBackend *be, float *out, const float *word,
                         const float *pos, const float *type, const gint32 *ids,
                         const gint32 *pos_ids, const gint32 *type_ids, int t, int h);
  /* Multi-head attention for one sequence.
   * q (Lq, q_stride) holds heads side by side (A · dh = H columns used);
   * k, v (Lk, kv_stride) likewise. add_mask (Lq, Lk) with row stride
   * mask_stride (0 = one row broadcast to every query), values 0 or -10000,
   * added after the 1/√dh scaling; NULL = none.
   * ctx (Lq, H) receives concat_h (P_h · V_h); probs, when not NULL, receives
   * P as (A, Lq, Lk). */
  void    (*attention)  (const OvBackend *be, float *ctx, float *probs,
                         const float *q, int q_stride, const float *k, const float *v,
                         int kv_stride, const float *add_mask, int mask_stride,
                         int lq, int lk, int n_heads, int head_dim);
  /* Copies runs of n floats inside the backend: for o < n_outer and
   * i < n_inner, dst + o · dst_outer + i · inner receives
   * src + s · src_outer + i · inner with s = src_index[o] (a host array of
   * n_outer entries) or s = o when src_index is NULL. Runs must not overlap
   * between dst and src. Used for the key/value cache: appending rows,
   * reordering beams. */
  void    (*copy_runs)  (const OvBackend *be, float *dst, gsize dst_outer, const float *src,
                         gsize src_outer, const int *src_index, int n_outer, int n_inner,
                         gsize inner, gsize n);

  /* Optional (NULL on the CPU backend). */
  /* attention() of n_batch sequences in one call, without probabilities:
   * sequence i writes ctx at offset i · ctx_batch floats, reads q at
   * offset i · q_batch and k and v at offset i · kv_batch; the mask is
   * shared. */
  void    (*attention_batch) (const OvBackend *be, float *ctx, const float *q, int q_stride,
                              const float *k, const float *v, int kv_stride,
                              const float *add_mask, int mask_stride, int lq, int lk,
                              int n_heads, int head_dim, int n_batch, gsize ctx_batch,
                              gsize q_batch, gsize kv_batch);
  /* The backend's own copy of a weight of n floats, kept until destroy();
   * the same host pointer gives the same copy. NULL with an error. */
  const float *(*weight) (const OvBackend *be, const float *host, gsize n, GError **error);
  /* Beam scoring without bringing the logits to the host: for each row b of
   * logits (B, V) (backend memory), row_max[b] and
   * row_lse[b] = log Σ exp (x - max) (not a finite number when the row
   * holds anything but finite numbers), and
   * its k best ((x - max) - lse) + beam_scores[b], highest first, the lower
   * word first among equals: top_scores, top_words and the log-probability
   * (x - max) - lse of each in top_lps, all (B, k). beam_scores and the
   * outputs are host arrays. FALSE with an error. */
  gboolean (*log_softmax_topk) (const OvBackend *be, const float *logits,
                                const float *beam_scores, int nb, int v, int k,
                                float *row_max, float *row_lse, float *top_scores,
                                gint32 *top_words, float *top_lps, GError **error);
  /* Runs of n floats in three nested levels: for o < n_outer, i < n_inner
   * and p < n_parts, dst + shift + o · dst_outer + i · dst_inner +
   * p · dst_part receives src + o · src_outer + i · src_inner +
   * p · src_part, with shift = (gsize) at[0] · at_stride, at being one
   * float of backend memory holding a whole number. The shift is read when
   * the copy runs, so a recorded graph (below) serves every position. Runs
   * must not overlap between dst and src. */
  void     (*copy_parts_at) (const OvBackend *be, float *dst, gsize dst_outer,
                             gsize dst_inner, gsize dst_part, const float *src,
                             gsize src_outer, gsize src_inner, gsize src_part, int n_outer,
                             int n_inner, int n_parts, gsize n, const float *at,
                             gsize at_stride);
  /* Optional: one device copy of host arrays laid end to end (count of
   * them, n[i] floats each), kept until destroy(), so that products can
   * take them as one weight (Q, K and V: ov-device.c). NULL with an
   * error. */
  const float *(*weight_concat) (const OvBackend *be, const float *const *hosts,
                                 const gsize *n, int count, GError **error);
  /* Graphs: after graph_begin the operations are recorded instead of run,
   * until graph_end makes them one graph that graph_launch runs as a whole
   * (on whatever the buffers hold then). The recorded operations must not
   * allocate, free, upload or download. graph_end returns NULL with an
   * error when the recording failed: nothing ran, and the backend is as
   * before graph_begin. */
  gboolean (*graph_begin)  (const OvBackend *be);
  gpointer (*graph_end)    (const OvBackend *be, GError **error);
  void     (*graph_launch) (const OvBackend *be, gpointer graph);
  void     (*graph_free)   (const OvBackend *be, gpointer graph);
  /* FALSE with the first error recorded since the last call, which clears it. */
  gboolean (*check)     (const OvBackend *be, GError **error);
  void     (*destroy)   (OvBackend *be);
};

/* TRUE, or FALSE with the backend's pending error. */
static inline gboolean
ov_backend_check (const OvBackend *be, GError **error)
{
  return be->check == NULL || be->check (be, error);
}

/* Frees a backend made by any ov_backend_*_new. */
void             ov_backend_free           (OvBackend *be);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvBackend, ov_backend_free)

/* The CPU backend: OpenBLAS sgemm plus loops shared out on its own thread
 * pool (ov-pool.h). n_threads 0 = OMP_NUM_THREADS, else all cores. The
 * threads travel with the backend, so a model used from another thread
 * keeps them. Free with ov_backend_free. */
/* The most threads the default (n_threads 0) takes from OMP_NUM_THREADS
 * on a machine with fewer processors. */
#define OV_BACKEND_MAX_THREADS 256
OvBackend       *ov_backend_cpu_new        (int n_threads);
char            *ov_backend_cpu_describe   (const OvBackend *be);
/* The same with a chosen block kernel for the few-row products: "plain"
 * (any processor), "fma" (AVX2 + FMA), "avx512" (eight lanes), "avx512-16"
 * (sixteen), or NULL for the widest the
 * processor has. NULL when the processor lacks it. For the tests. */
OvBackend       *_ov_backend_cpu_new_full  (int              n_threads,
                                            const char      *kernel);
const char      *_ov_backend_cpu_get_kernel (const OvBackend *be);
/* The kernel ov_backend_cpu_new picks on this processor. */
const char      *_ov_backend_cpu_best_kernel (void);
/* Runs fn on chunks 0..n_chunks-1 on the CPU backend's pool (see
 * ov_pool_run), for loops outside the backend's table (the cached decoding
 * step's attention). */
void             _ov_backend_cpu_run       (const OvBackend *be,
                                            int              n_chunks,
                                            OvPoolFunc       fn,
                                            gpointer         data);

/* Plain loops computing the same thing as the CPU fast paths; the tests
 * compare the two. */
void ov_backend_ref_linear     (float *y, const float *x, const float *w, const float *b,
                                int m, int n, int k);
void ov_backend_ref_layer_norm (float *x, const float *r, const float *g, const float *b,
                                int m, int n, float eps);
void ov_backend_ref_attention  (float *ctx, float *probs, const float *q, int q_stride,
                                const float *k, const float *v, int kv_stride,
                                const float *add_mask, int mask_stride,
                                int lq, int lk, int n_heads, int head_dim);

G_END_DECLS
