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

/* K is walked in chunks of this many floats: four weight rows of a chunk
 * (8 KiB) stay in L1 while every pair of input rows passes over them. */
#define OV_K_CHUNK 512

/* Four weight rows (one block of outputs) against M <= OV_SMALL_M input
 * rows: out (M, 4) = x (M, K) · w[0..3]ᵀ. Input rows go in threes with
 * twelve vector accumulators (4 weight rows × 3 input rows; with the loads
 * that fills the 16 AVX registers), then a pair, then one, so each weight
 * vector loaded feeds up to three FMAs and each input vector four. Lane l of
 * an accumulator sums the products at k ≡ l (mod 8) in increasing k, chunk
 * after chunk, so the chunking does not change the result. Built for
 * AVX + FMA and for plain x86-64, picked when the program loads. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__ ((target_clones ("fma", "default")))
#endif
static void
dot_block4 (float *out, const float *x, const float *const *w, int m, int k)
{
  OvV8 acc[OV_SMALL_M][4];
  int k8 = k & ~7;

  memset (acc, 0, sizeof acc);
  for (int c = 0; c < k8; c += OV_K_CHUNK)
    {
      int ce = MIN (c + OV_K_CHUNK, k8), i = 0;
      const float *w0 = w[0], *w1 = w[1], *w2 = w[2], *w3 = w[3];

      for (; i + 3 <= m; i += 3)
        {
          const float *x0 = x + (gsize) i * k, *x1 = x0 + k, *x2 = x1 + k;
          OvV8 a00 = acc[i][0], a01 = acc[i][1], a02 = acc[i][2], a03 = acc[i][3];
          OvV8 a10 = acc[i + 1][0], a11 = acc[i + 1][1];
          OvV8 a12 = acc[i + 1][2], a13 = acc[i + 1][3];
          OvV8 a20 = acc[i + 2][0], a21 = acc[i + 2][1];
          OvV8 a22 = acc[i + 2][2], a23 = acc[i + 2][3];

          for (int j = c; j < ce; j += 8)
            {
              OvV8 xv0 = *(const OvV8 *) (x0 + j), xv1 = *(const OvV8 *) (x1 + j);
              OvV8 xv2 = *(const OvV8 *) (x2 + j);
              OvV8 wv;

              wv = *(const OvV8 *) (w0 + j); a00 += wv * xv0; a10 += wv * xv1; a20 += wv * xv2;
              wv = *(const OvV8 *) (w1 + j); a01 += wv * xv0; a11 += wv * xv1; a21 += wv * xv2;
              wv = *(const OvV8 *) (w2 + j); a02 += wv * xv0; a12 += wv * xv1; a22 += wv * xv2;
              wv = *(const OvV8 *) (w3 + j); a03 += wv * xv0; a13 += wv * xv1; a23 += wv * xv2;
            }
          acc[i][0] = a00; acc[i][1] = a01; acc[i][2] = a02; acc[i][3] = a03;
          acc[i + 1][0] = a10; acc[i + 1][1] = a11; acc[i + 1][2] = a12; acc[i + 1][3] = a13;
          acc[i + 2][0] = a20; acc[i + 2][1] = a21; acc[i + 2][2] = a22; acc[i + 2][3] = a23;
        }
      for (; i + 2 <= m; i += 2)
        {
          const float *x0 = x + (gsize) i * k, *x1 = x0 + k;
          OvV8 a00 = acc[i][0], a01 = acc[i][1], a02 = acc[i][2], a03 = acc[i][3];
          OvV8 a10 = acc[i + 1][0], a11 = acc[i + 1][1];
          OvV8 a12 = acc[i + 1][2], a13 = acc[i + 1][3];

          for (int j = c; j < ce; j += 8)
            {
              OvV8 xv0 = *(const OvV8 *) (x0 + j), xv1 = *(const OvV8 *) (x1 + j);
              OvV8 wv;

              wv = *(const OvV8 *) (w0 + j); a00 += wv * xv0; a10 += wv * xv1;
              wv = *(const OvV8 *) (w1 + j); a01 += wv * xv0; a11 += wv * xv1;
              wv = *(const OvV8 *) (w2 + j); a02 += wv * xv0; a12 += wv * xv1;
              wv = *(const OvV8 *) (w3 + j); a03 += wv * xv0; a13 += wv * xv1;
            }
          acc[i][0] = a00; acc[i][1] = a01; acc[i][2] = a02; acc[i][3] = a03;
          acc[i + 1][0] = a10; acc[i + 1][1] = a11; acc[i + 1][2] = a12; acc[i + 1][3] = a13;
        }
      if (i < m)
        {
          const float *x0 = x + (gsize) i * k;
          OvV8 a00 = acc[i][0], a01 = acc[i][1], a02 = acc[i][2], a03 = acc[i][3];

          for (int j = c; j < ce; j += 8)
            {
              OvV8 xv0 = *(const OvV8 *) (x0 + j);

              a00 += *(const OvV8 *) (w0 + j) * xv0;
              a01 += *(const OvV8 *) (w1 + j) * xv0;
              a02 += *(const OvV8 *) (w2 + j) * xv0;
              a03 += *(const OvV8 *) (w3 + j) * xv0;
            }
          acc[i][0] = a00; acc[i][1] = a01; acc[i][2] = a02; acc[i][3] = a03;
        }
    }
  for (int i = 0; i < m; i++)
    for (int r = 0; r < 4; r++)
      {
        const float *xi = x + (gsize) i * k;
        float s = v8_sum (&acc[i][r]);

        for (int j = k8; j < k; j++)
          s += xi[j] * w[r][j];
        out[i * 4 + r] = s;
      }
}

/* Few rows: the weights are streamed once, four rows at a time, for all M
 * input rows (every beam of a decoding step), the blocks split between the
 * threads. */
static void
linear_small_m (float *y, const float *x, const float *w, const float *b,
                int m, int n, int k, int n_threads)
{
  int n_blocks = (n + 3) / 4;

#pragma omp parallel for schedule(static) num_threads(n_threads) \
  if ((gint64) m * n * k > OV_PARALLEL_WORK)
  for (int blk = 0; blk < n_blocks; blk++)
    {
      float out[OV_SMALL_M * 4];
      const float *rows[4];
      int o = blk * 4, nr = MIN (4, n - o);

      /* a short last block repeats its last row and drops the copies */
      for (int r = 0; r < 4; r++)
        rows[r] = w + (gsize) (o + MIN (r, nr - 1)) * k;
      dot_block4 (out, x, rows, m, k);
      for (int i = 0; i < m; i++)
        for (int r = 0; r < nr; r++)
          y[(gsize) i * n + o + r] = out[i * 4 + r] + (b != NULL ? b[o + r] : 0.0f);
    }
}

/* Many rows: OpenBLAS sgemm, run single-threaded inside our own parallel
 * region with the output columns (weight rows) split between the threads,
 * so one thread pool serves the whole engine. */
static void
linear_sgemm (float *y, const float *x, const float *w, const float *b,
              int m, int n, int k, int n_threads)
{
#pragma omp parallel num_threads(n_threads) \
  if ((gint64) m * n * k > 8 * OV_PARALLEL_WORK && n >= 64)
  {
#ifdef _OPENMP
    int t = omp_get_thread_num (), nt = omp_get_num_threads ();
#else
    int t = 0, nt = 1;
#endif
    /* slices of whole 16-column panels */
    int per = (((n + nt - 1) / nt) + 15) & ~15;
    int n0 = MIN (n, t * per), n1 = MIN (n, n0 + per);

    if (n1 > n0)
      {
        if (b != NULL)
          for (int i = 0; i < m; i++)
            memcpy (y + (gsize) i * n + n0, b + n0, (gsize) (n1 - n0) * sizeof (float));
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, n1 - n0, k,
                     1.0f, x, k, w + (gsize) n0 * k, k, b != NULL ? 1.0f : 0.0f, y + n0, n);
      }
  }
}

static void
cpu_linear (const OvBackend *be, float *y, const float *x, const float *w,
            const float *b, int m, int n, int k)
{
  if (m <= 0 || n <= 0)
    return;
  if (m <= OV_SMALL_M)
    linear_small_m (y, x, w, b, m, n, k, be->n_threads);
  else
    linear_sgemm (y, x, w, b, m, n, k, be->n_threads);
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

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) \
    && defined(__GLIBC__) && __GLIBC_PREREQ (2, 35)
/* glibc's libmvec has erff for 4 and 8 lanes; saying so lets the loop in
 * gelu_block call it instead of one erff a value. */
float erff (float) __attribute__ ((simd ("notinbranch")));
#define OV_GELU_CLONES __attribute__ ((target_clones ("avx2", "default")))
#else
#define OV_GELU_CLONES
#endif

/* x (n) = 0.5 x (1 + erf (x / √2)) */
OV_GELU_CLONES
static void
gelu_block (float *x, gsize n)
{
#pragma omp simd
  for (gsize i = 0; i < n; i++)
    x[i] = 0.5f * x[i] * (1.0f + erff (x[i] * (float) M_SQRT1_2));
}

static void
cpu_gelu (const OvBackend *be, float *x, gsize n)
{
  gsize chunk = 4096;
  gsize n_chunks = (n + chunk - 1) / chunk;

#pragma omp parallel for schedule(static) num_threads(be->n_threads) \
  if (n > OV_PARALLEL_WORK / 8)
  for (gsize c = 0; c < n_chunks; c++)
    gelu_block (x + c * chunk, MIN (chunk, n - c * chunk));
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

static void
cpu_copy_runs (const OvBackend *be, float *dst, gsize dst_outer, const float *src,
               gsize src_outer, const int *src_index, int n_outer, int n_inner,
               gsize inner, gsize n)
{
  if (n == 0)
    return;
  for (int o = 0; o < n_outer; o++)
    {
      const float *s = src + (gsize) (src_index != NULL ? src_index[o] : o) * src_outer;

      for (int i = 0; i < n_inner; i++)
        memcpy (dst + o * dst_outer + i * inner, s + i * inner, n * sizeof (float));
    }
}

static const OvBackend cpu_backend = {
  .name = "cpu",
  .n_threads = 1,
  .host_memory = TRUE,
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
  .copy_runs = cpu_copy_runs,
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
  /* OpenBLAS runs single-threaded inside our parallel loops (see
   * linear_sgemm): its own pool and the OpenMP team would otherwise fight
   * over the cores. The engine is OpenBLAS's only user in the program. */
  openblas_set_num_threads (1);
  return be;
}

char *
ov_backend_cpu_describe (const OvBackend *be)
{
  return g_strdup_printf ("CPU (%d thread%s, OpenBLAS)", be->n_threads,
                          be->n_threads == 1 ? "" : "s");
}
