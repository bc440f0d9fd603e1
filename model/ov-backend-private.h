/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The table of tensor operations the encoder is written against. Every
 * pointer handed to an operation belongs to the backend (host memory for the
 * CPU backend); buffers come from alloc() and cross to the host through
 * upload()/download(). All matrices are row-major float32.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OvBackend OvBackend;

struct _OvBackend
{
  const char *name;
  int         n_threads;    /* threads of the parallel loops, >= 1 */

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
};

/* The CPU backend: OpenBLAS sgemm plus OpenMP loops. n_threads 0 = all
 * cores. The thread count travels with the backend, so a model used from
 * another thread keeps it. Free with g_free. */
OvBackend       *ov_backend_cpu_new        (int n_threads);
char            *ov_backend_cpu_describe   (const OvBackend *be);

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
