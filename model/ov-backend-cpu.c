/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The CPU backend: matrix products through OpenBLAS (or, for the few rows of
 * a decoding step, a multi-row GEMV that reads each weight matrix once for
 * all rows), and OpenMP loops for the rest. Plain reference loops for the
 * tests sit beside the fast paths.
 */
#define G_LOG_DOMAIN "ov-backend-cpu"

#include <math.h>
#include <string.h>

#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "ov-backend-private.h"

/* Below about this many multiply-adds a loop runs on one thread: waking the
 * OpenMP team costs more than it saves, and much more on a loaded machine. */
#define OV_PARALLEL_WORK (1 << 18)

/* Up to this many rows, linear() streams the weights row by row itself
 * instead of calling sgemm, which reads them far below bandwidth for small M. */
#define OV_SMALL_M 16

static float *
cpu_alloc (const OvBackend *be, gsize n_floats)
{
  return g_malloc_n (MAX (n_floats, 1), sizeof (float));
}

static void
cpu_free (const OvBackend *be, float *p)
{
  g_free (p);
}

static void
cpu_copy (const OvBackend *be, float *dst, const float *src, gsize n)
{
  if (n > 0)
    memcpy (dst, src, n * sizeof (float));
}

/* ov_backend_ref_linear: y (M, N) = x (M, K) · w (N, K)ᵀ + b */
void
ov_backend_ref_linear (float *y, const float *x, const float *w, const float *b,
                       int m, int n, int k)
{
  for (int i = 0; i < m; i++)
    for (int o = 0; o < n; o++)
      {
        double s = b != NULL ? b[o] : 0.0;

        for (int j = 0; j < k; j++)
          s += (double) x[(gsize) i * k + j] * w[(gsize) o * k + j];
        y[(gsize) i * n + o] = (float) s;
      }
}

/* Eight floats; loads through it may be unaligned. */
typedef float OvV8 __attribute__ ((vector_size (32), aligned (4)));

/* By pointer: a vector argument would change the ABI of the plain clone. */
static inline float
v8_sum (const OvV8 *v)
{
  return (((*v)[0] + (*v)[4]) + ((*v)[1] + (*v)[5]))
         + (((*v)[2] + (*v)[6]) + ((*v)[3] + (*v)[7]));
}

/* One weight row (K) against M input rows: out[i] = x_i · w. Rows go in
 * fours with one accumulator each (four independent FMA chains sharing each
 * load of w); a leftover row uses two accumulators. Built for AVX + FMA and
 * for plain x86-64, picked when the program loads. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__ ((target_clones ("fma", "default")))
#endif
static void
dot_rows (float *out, const float *x, const float *w, int m, int k)
{
  int i = 0, k8 = k & ~7, k16 = k & ~15;

  for (; i + 4 <= m; i += 4)
    {
      const float *x0 = x + (gsize) i * k, *x1 = x0 + k, *x2 = x1 + k, *x3 = x2 + k;
      OvV8 a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
      float s0, s1, s2, s3;

      for (int j = 0; j < k8; j += 8)
        {
          OvV8 wv = *(const OvV8 *) (w + j);

          a0 += *(const OvV8 *) (x0 + j) * wv;
          a1 += *(const OvV8 *) (x1 + j) * wv;
          a2 += *(const OvV8 *) (x2 + j) * wv;
          a3 += *(const OvV8 *) (x3 + j) * wv;
        }
      s0 = v8_sum (&a0); s1 = v8_sum (&a1); s2 = v8_sum (&a2); s3 = v8_sum (&a3);
      for (int j = k8; j < k; j++)
        {
          s0 += x0[j] * w[j]; s1 += x1[j] * w[j]; s2 += x2[j] * w[j]; s3 += x3[j] * w[j];
        }
      out[i] = s0; out[i + 1] = s1; out[i + 2] = s2; out[i + 3] = s3;
    }
  for (; i < m; i++)
    {
      const float *x0 = x + (gsize) i * k;
      OvV8 a0 = { 0 }, a1 = { 0 };
      float s;
      int j;

      for (j = 0; j < k16; j += 16)
        {
          a0 += *(const OvV8 *) (x0 + j) * *(const OvV8 *) (w + j);
          a1 += *(const OvV8 *) (x0 + j + 8) * *(const OvV8 *) (w + j + 8);
        }
      for (; j < k8; j += 8)
        a0 += *(const OvV8 *) (x0 + j) * *(const OvV8 *) (w + j);
      a0 += a1;
      s = v8_sum (&a0);
      for (; j < k; j++)
        s += x0[j] * w[j];
      out[i] = s;
    }
}

/* Few rows: each weight row is read from memory once and dotted with all M
 * input rows while it sits in L1, so a decoding step streams every weight
 * matrix once for all beams. */
static void
linear_small_m (float *y, const float *x, const float *w, const float *b,
                int m, int n, int k, int n_threads)
{
#pragma omp parallel for schedule(static) num_threads(n_threads) \
  if ((gint64) m * n * k > OV_PARALLEL_WORK)
  for (int o = 0; o < n; o++)
    {
      float acc[OV_SMALL_M];

      dot_rows (acc, x, w + (gsize) o * k, m, k);
      for (int i = 0; i < m; i++)
        y[(gsize) i * n + o] = acc[i] + (b != NULL ? b[o] : 0.0f);
    }
}

static void
cpu_linear (const OvBackend *be, float *y, const float *x, const float *w,
            const float *b, int m, int n, int k)
{
  if (m <= 0 || n <= 0)
    return;
  if (m <= OV_SMALL_M)
    {
      linear_small_m (y, x, w, b, m, n, k, be->n_threads);
      return;
    }
  if (b != NULL)
    {
      for (int i = 0; i < m; i++)
        memcpy (y + (gsize) i * n, b, n * sizeof (float));
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
               1.0f, x, k, w, k, b != NULL ? 1.0f : 0.0f, y, n);
}

static void
layer_norm_row (float *x, const float *r, const float *g, const float *b, int n, float eps)
{
  double mean = 0.0, var = 0.0;
  float inv;

  if (r != NULL)
    for (int j = 0; j < n; j++)
      x[j] += r[j];
  for (int j = 0; j < n; j++)
    mean += x[j];
  mean /= n;
  for (int j = 0; j < n; j++)
    var += (x[j] - mean) * (x[j] - mean);
  var /= n;
  inv = (float) (1.0 / sqrt (var + eps));
  for (int j = 0; j < n; j++)
    x[j] = (float) (x[j] - mean) * inv * g[j] + b[j];
}

/* ov_backend_ref_layer_norm: the plain loop, in double, for the tests */
void
ov_backend_ref_layer_norm (float *x, const float *r, const float *g, const float *b,
                           int m, int n, float eps)
{
  for (int i = 0; i < m; i++)
    {
      float *row = x + (gsize) i * n;
      double mean = 0.0, var = 0.0;

      for (int j = 0; j < n; j++)
        mean += (double) row[j] + (r != NULL ? r[(gsize) i * n + j] : 0.0);
      mean /= n;
      for (int j = 0; j < n; j++)
        {
          double v = (double) row[j] + (r != NULL ? r[(gsize) i * n + j] : 0.0) - mean;

          var += v * v;
        }
      var /= n;
      for (int j = 0; j < n; j++)
        {
          double v = (double) row[j] + (r != NULL ? r[(gsize) i * n + j] : 0.0);

          row[j] = (float) ((v - mean) / sqrt (var + eps) * g[j] + b[j]);
        }
    }
}

static void
cpu_add_layer_norm (const OvBackend *be, float *x, const float *r, const float *g,
                    const float *b, int m, int n, float eps)
{
#pragma omp parallel for schedule(static) num_threads(be->n_threads) \
  if ((gint64) m * n > OV_PARALLEL_WORK / 8)
  for (int i = 0; i < m; i++)
    layer_norm_row (x + (gsize) i * n, r != NULL ? r + (gsize) i * n : NULL, g, b, n, eps);
}

static void
cpu_gelu (const OvBackend *be, float *x, gsize n)
{
#pragma omp parallel for schedule(static) num_threads(be->n_threads) \
  if (n > OV_PARALLEL_WORK / 8)
  for (gsize i = 0; i < n; i++)
    x[i] = 0.5f * x[i] * (1.0f + erff (x[i] * (float) M_SQRT1_2));
}

static void
cpu_tanh (const OvBackend *be, float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = tanhf (x[i]);
}

static void
cpu_embed (const OvBackend *be, float *out, const float *word, const float *pos,
           const float *type, const gint32 *ids, const gint32 *pos_ids,
           const gint32 *type_ids, int t, int h)
{
  for (int i = 0; i < t; i++)
    {
      const float *we = word + (gsize) ids[i] * h;
      const float *pe = pos + (gsize) pos_ids[i] * h;
      const float *te = type + (gsize) type_ids[i] * h;
      float *o = out + (gsize) i * h;

      /* PyTorch adds word + position first, then the type embedding. */
      for (int j = 0; j < h; j++)
        o[j] = (we[j] + pe[j]) + te[j];
    }
}

/* One (head, query) row of attention: scores, masked softmax, weighted sum.
 * scores is scratch of lk floats, or the probs row itself. */
static void
attention_row (float *ctx_row, float *p, const float *q_row, const float *k,
               const float *v, int kv_stride, const float *mask_row, int lk,
               int head_dim, float scale_div)
{
  float max = -G_MAXFLOAT;
  float sum = 0.0f;

  for (int j = 0; j < lk; j++)
    {
      const float *k_j = k + (gsize) j * kv_stride;
      float s = 0.0f;

#pragma omp simd reduction(+:s)
      for (int d = 0; d < head_dim; d++)
        s += q_row[d] * k_j[d];
      s = s / scale_div;
      if (mask_row != NULL)
        s += mask_row[j];
      p[j] = s;
      max = MAX (max, s);
    }
  for (int j = 0; j < lk; j++)
    {
      p[j] = expf (p[j] - max);
      sum += p[j];
    }
  for (int j = 0; j < lk; j++)
    p[j] /= sum;
  for (int d = 0; d < head_dim; d++)
    ctx_row[d] = 0.0f;
  for (int j = 0; j < lk; j++)
    {
      const float *v_j = v + (gsize) j * kv_stride;
      float pj = p[j];

      if (pj == 0.0f)
        continue;
#pragma omp simd
      for (int d = 0; d < head_dim; d++)
        ctx_row[d] += pj * v_j[d];
    }
}

/* ov_backend_ref_attention: the plain loops, in double, for the tests */
void
ov_backend_ref_attention (float *ctx, float *probs, const float *q, int q_stride,
                          const float *k, const float *v, int kv_stride,
                          const float *add_mask, int mask_stride,
                          int lq, int lk, int n_heads, int head_dim)
{
  g_autofree double *p = g_new (double, MAX (lk, 1));

  for (int h = 0; h < n_heads; h++)
    for (int i = 0; i < lq; i++)
      {
        double max = -G_MAXDOUBLE, sum = 0.0;

        for (int j = 0; j < lk; j++)
          {
            double s = 0.0;

            for (int d = 0; d < head_dim; d++)
              s += (double) q[(gsize) i * q_stride + h * head_dim + d]
                   * k[(gsize) j * kv_stride + h * head_dim + d];
            s /= sqrt (head_dim);
            if (add_mask != NULL)
              s += add_mask[(gsize) i * mask_stride + j];
            p[j] = s;
            max = MAX (max, s);
          }
        for (int j = 0; j < lk; j++)
          {
            p[j] = exp (p[j] - max);
            sum += p[j];
          }
        for (int j = 0; j < lk; j++)
          {
            p[j] /= sum;
            if (probs != NULL)
              probs[((gsize) h * lq + i) * lk + j] = (float) p[j];
          }
        for (int d = 0; d < head_dim; d++)
          {
            double c = 0.0;

            for (int j = 0; j < lk; j++)
              c += p[j] * v[(gsize) j * kv_stride + h * head_dim + d];
            ctx[(gsize) i * n_heads * head_dim + h * head_dim + d] = (float) c;
          }
      }
}

static void
cpu_attention (const OvBackend *be, float *ctx, float *probs, const float *q, int q_stride,
               const float *k, const float *v, int kv_stride, const float *add_mask,
               int mask_stride, int lq, int lk, int n_heads, int head_dim)
{
  int h_total = n_heads * head_dim;
  int n_rows = n_heads * lq;
  float scale = sqrtf ((float) head_dim);

#pragma omp parallel num_threads(be->n_threads) \
  if ((gint64) n_rows * lk * head_dim > OV_PARALLEL_WORK)
  {
    float *scratch = probs == NULL ? g_new (float, MAX (lk, 1)) : NULL;

#pragma omp for schedule(static)
    for (int r = 0; r < n_rows; r++)
      {
        int h = r / lq, i = r % lq;
        float *p = probs != NULL ? probs + ((gsize) h * lq + i) * lk : scratch;
        const float *mrow = add_mask != NULL ? add_mask + (gsize) i * mask_stride : NULL;

        attention_row (ctx + (gsize) i * h_total + h * head_dim, p,
                       q + (gsize) i * q_stride + h * head_dim,
                       k + h * head_dim, v + h * head_dim, kv_stride, mrow, lk,
                       head_dim, scale);
      }
    g_free (scratch);
  }
}

static const OvBackend cpu_backend = {
  .name = "cpu",
  .n_threads = 1,
  .alloc = cpu_alloc,
  .free = cpu_free,
  .upload = cpu_copy,
  .download = cpu_copy,
  .linear = cpu_linear,
  .add_layer_norm = cpu_add_layer_norm,
  .gelu = cpu_gelu,
  .tanh = cpu_tanh,
  .embed = cpu_embed,
  .attention = cpu_attention,
};

OvBackend *
ov_backend_cpu_new (int n_threads)
{
  OvBackend *be = g_memdup2 (&cpu_backend, sizeof cpu_backend);

#ifdef _OPENMP
  be->n_threads = n_threads > 0 ? n_threads : omp_get_max_threads ();
#else
  be->n_threads = 1;
#endif
  /* OpenBLAS keeps its own pool, sized by OPENBLAS_NUM_THREADS. */
  return be;
}

char *
ov_backend_cpu_describe (const OvBackend *be)
{
  return g_strdup_printf ("CPU (%d thread%s, OpenBLAS)", be->n_threads,
                          be->n_threads == 1 ? "" : "s");
}
