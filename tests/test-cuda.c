/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The CUDA backend against the CPU backend and the plain reference loops:
 * every operation on random inputs of odd sizes with its outputs poisoned
 * (NaN) beforehand, the beam-search top-k, the error path, and the oracle
 * cases (encoder, VQA logits, greedy and beam captions) run on the device.
 * Without a device (or without the toolkit) every case is skipped and says
 * why. Built a second time as test-cuda-emu (OV_CUDA_EMULATED), the same
 * cases run on the emulated device of tests/cuda-emu.
 */
#include <math.h>
#include <string.h>

#include "ov-test-util.h"
#include "model/ov-backend-cuda.h"
#include "model/ov-device.h"
#include "model/ov-error.h"
#include "model/ov-model.h"
#include "model/ov-model-private.h"
#ifdef OV_CUDA_EMULATED
#include "tests/cuda-emu/cuda-emu.h"
#endif

/* exact mode: fp32 products, other summation orders */
#define EXACT_RTOL 1e-5
#define EXACT_ATOL 1e-5
/* fast mode: TF32 products (10-bit mantissa) */
#define FAST_RTOL 1e-2
#define FAST_ATOL 1e-2

/* The backend, or NULL after g_test_skip with the reason. */
static OvBackend *
cuda_or_skip (OvPrecision precision)
{
  g_autoptr(GError) error = NULL;
  OvBackend *be = ov_backend_cuda_new (0, precision, &error);

  if (be == NULL)
    {
      const char *why = error->message;

      if (g_str_has_prefix (why, "no CUDA device: "))
        why += strlen ("no CUDA device: ");
      g_test_skip_printf ("no CUDA device: %s", why);
    }
  return be;
}

static void
random_fill (float *x, gsize n, GRand *rand)
{
  for (gsize i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
}

/* A device buffer holding host data. */
static float *
to_dev (OvBackend *be, const float *host, gsize n)
{
  float *d = be->alloc (be, n);

  be->upload (be, d, host, n);
  return d;
}

/* A device buffer of n NaNs: the kernel must overwrite what it owns. */
static float *
poisoned (OvBackend *be, gsize n)
{
  g_autofree float *nan = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    nan[i] = NAN;
  return to_dev (be, nan, n);
}

static float *
from_dev (OvBackend *be, const float *d, gsize n)
{
  float *host = g_new (float, n);

  be->download (be, host, d, n);
  return host;
}

static void
assert_close (const char *what, const float *got, const float *want, gsize n, double rtol,
              double atol)
{
  double max_diff = 0.0;
  gboolean ok = ov_test_allclose (got, want, n, rtol, atol, &max_diff);

  g_test_message ("%s: max |diff| %.3g over %zu values", what, max_diff, n);
  if (!ok)
    g_error ("%s differs beyond rtol %g atol %g: max |diff| %g", what, rtol, atol, max_diff);
}

static void
assert_backend_ok (OvBackend *be)
{
  g_autoptr(GError) error = NULL;

  ov_backend_check (be, &error);
  g_assert_no_error (error);
}

/* A device buffer holding host data `offset` floats into a larger
 * allocation, so that the product sees an address only 4-byte aligned
 * (offset 1) or 8-byte (2); *base gets what to free. */
static float *
to_dev_at (OvBackend *be, const float *host, gsize n, int offset, float **base)
{
  *base = be->alloc (be, n + offset);
  be->upload (be, *base + offset, host, n);
  return *base + offset;
}

/* y (M, N) = x (M, K) · w (N, K)ᵀ + b against the sum in double, within
 * the bound on any order of float32 summation: each y within
 * (k + 2) · 2⁻²⁴ of Σ |x w| + |b|; with TF32 inputs (fast precision, 10
 * mantissa bits, rounded or truncated) each term's own error of up to
 * 2 · 2⁻¹⁰ |x w| comes on top. A wrong index, a lost term or a missing bias
 * is far outside either. */
static void
assert_product (const char *what, const float *got, const float *x, const float *w,
                const float *b, int m, int n, int k, OvPrecision precision)
{
  double term = precision == OV_PRECISION_FAST ? ldexp (2.0, -10) : 0.0;
  double worst = 0.0;

  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      {
        double sum = b != NULL ? b[j] : 0.0, mag = b != NULL ? fabs (b[j]) : 0.0, bound;
        double diff;

        for (int p = 0; p < k; p++)
          {
            double t = (double) x[(gsize) i * k + p] * w[(gsize) j * k + p];

            sum += t;
            mag += fabs (t);
          }
        bound = ((k + 2) * ldexp (1.0, -24) + term) * mag;
        diff = fabs (got[(gsize) i * n + j] - sum);
        if (!(diff <= bound))
          g_error ("%s: y[%d, %d] = %.9g, want %.9g (|diff| %.3g > bound %.3g)", what, i, j,
                   got[(gsize) i * n + j], sum, diff, bound);
        worst = MAX (worst, bound > 0.0 ? diff / bound : 0.0);
      }
  g_test_message ("%s: worst |diff| %.2f of its bound", what, worst);
}

/* /cuda/kernels/linear: every shape with and without the bias, with
 * matrices and bias at the allocator's alignment and off it, through
 * cuBLASLt (the bias in its epilogue) and, with OV_CUDA_LT=0, through
 * cuBLAS and the bias kernel */
static void
run_linear (OvPrecision precision)
{
  /* the last: no inputs at all, y = b */
  int shapes[][3] = { { 1, 48, 40 }, { 3, 97, 33 }, { 10, 2100, 131 }, { 37, 130, 77 },
                      { 129, 65, 769 }, { 2, 5, 0 } };
  /* offsets in floats of x, w, y, b */
  int offsets[][4] = { { 0, 0, 0, 0 }, { 1, 2, 3, 1 }, { 4, 0, 1, 4 } };

  for (int plain = 0; plain < 2; plain++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (11);
      OvBackend *be;
      g_autofree char *desc = NULL;
      OvCudaStats stats;
      guint64 n_lt = 0, n_plain = 0, n_products = 0, n_aligned = 0;

      if (plain)
        g_setenv ("OV_CUDA_LT", "0", TRUE);
      be = cuda_or_skip (precision);
      g_unsetenv ("OV_CUDA_LT");
      if (be == NULL)
        return;
      desc = ov_backend_cuda_describe (be);
      g_test_message ("%s", desc);
      for (guint c = 0; c < G_N_ELEMENTS (shapes); c++)
        for (guint o = 0; o < G_N_ELEMENTS (offsets); o++)
          for (int with_bias = 0; with_bias < 2; with_bias++)
            {
              int m = shapes[c][0], n = shapes[c][1], k = shapes[c][2];
              const int *off = offsets[o];
              g_autofree float *x = g_new (float, (gsize) m * k);
              g_autofree float *w = g_new (float, (gsize) n * k);
              g_autofree float *b = g_new (float, n);
              g_autofree float *nan = g_new (float, (gsize) m * n);
              g_autofree float *got = NULL;
              g_autofree char *what = g_strdup_printf ("linear %dx%dx%d%s, offsets %d/%d/%d/%d, "
                                                       "%s", m, n, k, with_bias ? " + bias" : "",
                                                       off[0], off[1], off[2], off[3],
                                                       plain ? "cuBLAS" : "default");
              float *bx, *bw, *by, *bb, *dx, *dw, *dy, *db;

              random_fill (x, (gsize) m * k, rand);
              random_fill (w, (gsize) n * k, rand);
              random_fill (b, n, rand);
              for (gsize i = 0; i < (gsize) m * n; i++)
                nan[i] = NAN;
              dx = to_dev_at (be, x, (gsize) m * k, off[0], &bx);
              dw = to_dev_at (be, w, (gsize) n * k, off[1], &bw);
              dy = to_dev_at (be, nan, (gsize) m * n, off[2], &by);
              db = to_dev_at (be, b, n, off[3], &bb);
              be->linear (be, dy, dx, dw, with_bias ? db : NULL, m, n, k);
              got = from_dev (be, dy, (gsize) m * n);
              assert_product (what, got, x, w, with_bias ? b : NULL, m, n, k, precision);
              be->free (be, bx); be->free (be, bw); be->free (be, by); be->free (be, bb);
              n_products++;
              /* a product cuBLASLt can make for certain here: an inner
               * dimension, and a bias (if any) on the 16-byte grid */
              n_aligned += k > 0 && (!with_bias || off[3] % 4 == 0);
            }
      assert_backend_ok (be);
      _ov_backend_cuda_get_stats (be, &stats);
      n_lt = stats.lt_products;
      n_plain = stats.plain_products;
      g_test_message ("%s: %" G_GUINT64_FORMAT " products through cuBLASLt, %" G_GUINT64_FORMAT
                      " through cuBLAS (%" G_GUINT64_FORMAT " shapes cuBLASLt refused)",
                      plain ? "OV_CUDA_LT=0" : "default", n_lt, n_plain, stats.lt_refused);
      g_assert_cmpuint (n_lt + n_plain, ==, n_products);
      if (plain)
        g_assert_cmpuint (n_lt, ==, 0);
#ifdef OV_CUDA_EMULATED
      /* the emulated cuBLASLt has an algorithm for every product */
      else if (g_strcmp0 (g_getenv ("OV_EMU_LT"), "none") == 0)
        g_assert_cmpuint (n_lt, ==, 0);
      else
        g_assert_cmpuint (n_lt, ==, n_aligned);
#else
      /* a device's cuBLASLt may lack an algorithm for an odd shape or
       * alignment, and cuBLAS makes those; but where it is in use it
       * must make the plain, aligned ones, or the fused bias is lost
       * unseen */
      else if (strstr (desc, "cuBLASLt") != NULL)
        g_assert_cmpuint (n_lt, >, 0);
#endif
      ov_backend_free (be);
    }
}

static void
test_linear_exact (void)
{
  run_linear (OV_PRECISION_EXACT);
}

static void
test_linear_fast (void)
{
  run_linear (OV_PRECISION_FAST);
}

/* /cuda/kernels/layer-norm: with and without the residual */
static void
test_layer_norm (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  int shapes[][2] = { { 1, 24 }, { 5, 769 }, { 3, 33 }, { 17, 1031 } };

  if (be == NULL)
    return;
  for (guint c = 0; c < G_N_ELEMENTS (shapes); c++)
    for (int with_r = 0; with_r < 2; with_r++)
      {
        int m = shapes[c][0], n = shapes[c][1];
        gsize mn = (gsize) m * n;
        g_autofree float *x = g_new (float, mn);
        g_autofree float *r = g_new (float, mn);
        g_autofree float *g = g_new (float, n);
        g_autofree float *b = g_new (float, n);
        g_autofree float *got = NULL;
        float *dx, *dr, *dg, *db;

        random_fill (x, mn, rand);
        random_fill (r, mn, rand);
        random_fill (g, n, rand);
        random_fill (b, n, rand);
        dx = to_dev (be, x, mn);
        dr = to_dev (be, r, mn);
        dg = to_dev (be, g, n);
        db = to_dev (be, b, n);
        be->add_layer_norm (be, dx, with_r ? dr : NULL, dg, db, m, n, 1e-12f);
        got = from_dev (be, dx, mn);
        ov_backend_ref_layer_norm (x, with_r ? r : NULL, g, b, m, n, 1e-12f);
        assert_close ("layer norm", got, x, mn, EXACT_RTOL, EXACT_ATOL);
        be->free (be, dx); be->free (be, dr); be->free (be, dg); be->free (be, db);
      }
  assert_backend_ok (be);
  ov_backend_free (be);
}

/* /cuda/kernels/elementwise: GELU (erf), tanh, against the CPU backend */
static void
test_elementwise (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  g_autoptr(OvBackend) cpu = ov_backend_cpu_new (1);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  gsize n = 100003;
  g_autofree float *x = g_new (float, n);
  g_autofree float *want = g_new (float, n);

  if (be == NULL)
    return;
  for (gsize i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rand, -8.0, 8.0);
  for (int op = 0; op < 4; op++)
    {
      static const char *const names[] = { "gelu", "tanh", "relu", "swish" };
      float *d = to_dev (be, x, n);
      g_autofree float *got = NULL;

      memcpy (want, x, n * sizeof (float));
      switch (op)
        {
        case 0:
          be->gelu (be, d, n);
          cpu->gelu (cpu, want, n);
          break;
        case 1:
          be->tanh (be, d, n);
          cpu->tanh (cpu, want, n);
          break;
        case 2:
          be->relu (be, d, n);
          cpu->relu (cpu, want, n);
          break;
        default:
          be->swish (be, d, n);
          cpu->swish (cpu, want, n);
          break;
        }
      got = from_dev (be, d, n);
      /* all are libm-quality single-precision functions: a few ulp */
      assert_close (names[op], got, want, n, 1e-6, 1e-6);
      be->free (be, d);
    }
  assert_backend_ok (be);
  ov_backend_free (be);
}

/* /cuda/kernels/embed */
static void
test_embed (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  g_autoptr(OvBackend) cpu = ov_backend_cpu_new (1);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  int v = 101, p = 37, t = 29, h = 45;
  g_autofree float *word = g_new (float, (gsize) v * h);
  g_autofree float *pos = g_new (float, (gsize) p * h);
  g_autofree float *type = g_new (float, (gsize) 2 * h);
  g_autofree gint32 *ids = g_new (gint32, t);
  g_autofree gint32 *pids = g_new (gint32, t);
  g_autofree gint32 *tids = g_new (gint32, t);
  g_autofree float *want = g_new (float, (gsize) t * h);
  g_autofree float *got = NULL;
  float *dw, *dp, *dt, *out;

  if (be == NULL)
    return;
  random_fill (word, (gsize) v * h, rand);
  random_fill (pos, (gsize) p * h, rand);
  random_fill (type, (gsize) 2 * h, rand);
  for (int i = 0; i < t; i++)
    {
      ids[i] = g_rand_int_range (rand, 0, v);
      pids[i] = g_rand_int_range (rand, 0, p);
      tids[i] = g_rand_int_range (rand, 0, 2);
    }
  dw = to_dev (be, word, (gsize) v * h);
  dp = to_dev (be, pos, (gsize) p * h);
  dt = to_dev (be, type, (gsize) 2 * h);
  out = poisoned (be, (gsize) t * h);
  be->embed (be, out, dw, dp, dt, ids, pids, tids, t, h);
  got = from_dev (be, out, (gsize) t * h);
  cpu->embed (cpu, want, word, pos, type, ids, pids, tids, t, h);
  /* the same float additions in the same order: equal */
  assert_close ("embed", got, want, (gsize) t * h, 0.0, 0.0);
  be->free (be, dw); be->free (be, dp); be->free (be, dt); be->free (be, out);
  assert_backend_ok (be);
  ov_backend_free (be);
}

/* /cuda/kernels/attention: 2-D, broadcast and absent masks, with and
 * without probabilities, a query stride wider than the heads */
static void
test_attention (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  /* lq, lk, heads, head_dim, mask kind (0 none, 1 row, 2 full), q stride extra */
  int cases[][6] = { { 7, 53, 3, 24, 2, 0 }, { 2, 101, 12, 64, 1, 768 }, { 1, 1, 4, 6, 0, 0 },
                     { 33, 33, 5, 13, 2, 7 }, { 178, 178, 12, 64, 1, 0 } };

  if (be == NULL)
    return;
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (int with_probs = 0; with_probs < 2; with_probs++)
      {
        int lq = cases[c][0], lk = cases[c][1], heads = cases[c][2], dh = cases[c][3];
        int mkind = cases[c][4], hh = heads * dh, qs = hh + cases[c][5], kvs = hh + 3;
        int mstride = mkind == 2 ? lk : 0;
        gsize nq = (gsize) lq * qs, nkv = (gsize) lk * kvs, nm = (gsize) (mkind == 2 ? lq : 1) * lk;
        gsize nctx = (gsize) lq * hh, np = (gsize) heads * lq * lk;
        g_autofree float *q = g_new (float, nq);
        g_autofree float *k = g_new (float, nkv);
        g_autofree float *v = g_new (float, nkv);
        g_autofree float *mask = g_new (float, nm);
        g_autofree float *ctx = g_new (float, nctx);
        g_autofree float *probs = g_new (float, np);
        g_autofree float *got_ctx = NULL, *got_probs = NULL;
        float *dq, *dk, *dv, *dm, *dctx, *dp;

        random_fill (q, nq, rand);
        random_fill (k, nkv, rand);
        random_fill (v, nkv, rand);
        for (gsize i = 0; i < nm; i++)
          mask[i] = g_rand_int_range (rand, 0, 4) == 0 ? -10000.0f : 0.0f;
        dq = to_dev (be, q, nq);
        dk = to_dev (be, k, nkv);
        dv = to_dev (be, v, nkv);
        dm = to_dev (be, mask, nm);
        dctx = poisoned (be, nctx);
        dp = poisoned (be, np);
        be->attention (be, dctx, with_probs ? dp : NULL, dq, qs, dk, dv, kvs,
                       mkind > 0 ? dm : NULL, mstride, lq, lk, heads, dh);
        got_ctx = from_dev (be, dctx, nctx);
        got_probs = from_dev (be, dp, np);
        ov_backend_ref_attention (ctx, probs, q, qs, k, v, kvs, mkind > 0 ? mask : NULL,
                                  mstride, lq, lk, heads, dh);
        assert_close ("attention context", got_ctx, ctx, nctx, EXACT_RTOL, EXACT_ATOL);
        if (with_probs)
          assert_close ("attention probabilities", got_probs, probs, np, EXACT_RTOL, 1e-6);
        else
          for (gsize i = 0; i < np; i++)
            g_assert_true (isnan (got_probs[i]));   /* not written */
        be->free (be, dq); be->free (be, dk); be->free (be, dv); be->free (be, dm);
        be->free (be, dctx); be->free (be, dp);
      }
  assert_backend_ok (be);
  ov_backend_free (be);
}

/* /cuda/kernels/attention-batch: three sequences in one call, as the
 * decoder lays out its beams (each query row's q beside its k and v, so q
 * rows three widths apart), against the reference per sequence */
static void
test_attention_batch (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (18);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  int nb = 3, lq = 2, lk = 77, heads = 12, dh = 64, hh = heads * dh, qs = 3 * hh;
  gsize io = (gsize) lq * hh, qb = (gsize) lq * qs, kvb = (gsize) lk * hh * 2 + 5;
  gsize nq = qb * nb, nctx = io * nb, nkv = kvb * nb, nm = (gsize) lq * lk;
  g_autofree float *q = g_new (float, nq);
  g_autofree float *kv = g_new (float, nkv);
  g_autofree float *mask = g_new (float, nm);
  g_autofree float *want = g_new (float, nctx);
  g_autofree float *got = NULL;
  float *dq, *dkv, *dm, *dctx;

  if (be == NULL)
    return;
  random_fill (q, nq, rand);
  random_fill (kv, nkv, rand);
  for (gsize i = 0; i < nm; i++)
    mask[i] = (i % lk) > 60 && i < (gsize) lk ? -10000.0f : 0.0f;
  dq = to_dev (be, q, nq);
  dkv = to_dev (be, kv, nkv);
  dm = to_dev (be, mask, nm);
  dctx = poisoned (be, nctx);
  /* K then V in each sequence's block, as the cache keeps them */
  be->attention_batch (be, dctx, dq, qs, dkv, dkv + (gsize) lk * hh, hh, dm, lk, lq, lk,
                       heads, dh, nb, io, qb, kvb);
  got = from_dev (be, dctx, nctx);
  for (int b = 0; b < nb; b++)
    ov_backend_ref_attention (want + b * io, NULL, q + b * qb, qs, kv + b * kvb,
                              kv + b * kvb + (gsize) lk * hh, hh, mask, lk, lq, lk, heads, dh);
  assert_close ("batched attention", got, want, nctx, EXACT_RTOL, EXACT_ATOL);
  be->free (be, dq); be->free (be, dkv); be->free (be, dm); be->free (be, dctx);
  assert_backend_ok (be);
  ov_backend_free (be);
}

/* /cuda/kernels/copy-parts: the decoding step's append (each beam's rows
 * of k and v, side by side with q in rows three widths wide, into its K
 * and V blocks at a position read on the device) against the definition */
static void
test_copy_parts (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (19);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  /* three rows and two parts, and every stride its own, so that rows,
   * parts and the position cannot stand in for each other */
  int nb = 5, h = 24, nk = 31, rows = 3, parts = 2, at_row = 7;
  gsize block = (gsize) nk * h, beam = 2 * block + 3, total = beam * nb;
  gsize row = (gsize) h + 5, at_stride = 3;
  gsize stride = (gsize) 3 * h, n_src = (gsize) nb * rows * stride;
  g_autofree float *src = g_new (float, n_src);
  g_autofree float *want = g_new (float, total);
  g_autofree float *got = NULL;
  float at = (float) at_row;
  float *ds, *dd, *dat;

  if (be == NULL)
    return;
  random_fill (src, n_src, rand);
  random_fill (want, total, rand);
  ds = to_dev (be, src, n_src);
  dd = to_dev (be, want, total);
  dat = to_dev (be, &at, 1);
  /* k starts one width into each row, v two */
  be->copy_parts_at (be, dd, beam, row, block, ds + h, rows * stride, stride, h, nb, rows,
                     parts, h, dat, at_stride);
  for (int o = 0; o < nb; o++)
    for (int i = 0; i < rows; i++)
      for (int p = 0; p < parts; p++)
        memcpy (want + at_row * at_stride + o * beam + i * row + p * block,
                src + h + o * rows * stride + i * stride + p * h, h * sizeof (float));
  got = from_dev (be, dd, total);
  assert_close ("copy parts", got, want, total, 0.0, 0.0);
  be->free (be, ds); be->free (be, dd); be->free (be, dat);
  assert_backend_ok (be);
  ov_backend_free (be);
}

/* /cuda/kernels/copy-runs: cache appends and beam reordering */
static void
test_copy_runs (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autoptr(OvBackend) cpu = ov_backend_cpu_new (1);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  /* beams 5, blocks 2·3 of 37 rows × 7: copy 11 rows of each, beams permuted */
  int nb = 5, n_inner = 6, src_index[] = { 3, 3, 0, 4, 1 };
  gsize inner = 37 * 7, beam = inner * n_inner, n = 11 * 7, total = beam * nb;
  g_autofree float *src = g_new (float, total);
  g_autofree float *want = g_new (float, total);
  g_autofree float *got = NULL;
  float *ds, *dd;

  if (be == NULL)
    return;
  random_fill (src, total, rand);
  random_fill (want, total, rand);
  ds = to_dev (be, src, total);
  dd = to_dev (be, want, total);
  be->copy_runs (be, dd, beam, ds, beam, src_index, nb, n_inner, inner, n);
  cpu->copy_runs (cpu, want, beam, src, beam, src_index, nb, n_inner, inner, n);
  /* append: two rows of a (2·B, 7) step into each beam at row 9 of block 0 */
  be->copy_runs (be, dd + 9 * 7, beam, ds, 14, NULL, nb, 1, 0, 14);
  cpu->copy_runs (cpu, want + 9 * 7, beam, src, 14, NULL, nb, 1, 0, 14);
  /* one plain run */
  be->copy_runs (be, dd + 1, 0, ds + 5, 0, NULL, 1, 1, 0, 100);
  cpu->copy_runs (cpu, want + 1, 0, src + 5, 0, NULL, 1, 1, 0, 100);
  got = from_dev (be, dd, total);
  assert_close ("copy runs", got, want, total, 0.0, 0.0);
  be->free (be, ds); be->free (be, dd);
  assert_backend_ok (be);
  ov_backend_free (be);
}

typedef struct {
  float score;
  int   word;
} Scored;

static int
scored_compare (gconstpointer a, gconstpointer b)
{
  const Scored *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->word - y->word;
}

/* /cuda/kernels/log-softmax-topk: against a full sort on the host, ties included */
static void
test_log_softmax_topk (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  int nb = 3, v = 30522, k = 6;
  g_autofree float *logits = g_new (float, (gsize) nb * v);
  float beam_scores[] = { 0.0f, -1.5f, -1e9f };
  float row_max[3], row_lse[3], top_s[18], top_lp[18];
  gint32 top_w[18];
  g_autofree Scored *all = g_new (Scored, v);
  g_autoptr(GError) error = NULL;
  float *dl;

  if (be == NULL)
    return;
  for (gsize i = 0; i < (gsize) nb * v; i++)
    logits[i] = (float) g_rand_double_range (rand, -10.0, 10.0);
  /* ties at the top of row 1: the lower word comes first */
  logits[(gsize) v + 900] = logits[(gsize) v + 17] = logits[(gsize) v + 30000] = 40.0f;
  dl = to_dev (be, logits, (gsize) nb * v);
  g_assert_true (be->log_softmax_topk (be, dl, beam_scores, nb, v, k, row_max, row_lse, top_s,
                                       top_w, top_lp, &error));
  g_assert_no_error (error);
  for (int b = 0; b < nb; b++)
    {
      const float *x = logits + (gsize) b * v;
      float max = -G_MAXFLOAT, lse;
      double sum = 0.0;

      for (int i = 0; i < v; i++)
        max = MAX (max, x[i]);
      for (int i = 0; i < v; i++)
        sum += expf (x[i] - max);
      lse = (float) log (sum);
      g_assert_cmpfloat (row_max[b], ==, max);
      g_assert_cmpfloat_with_epsilon (row_lse[b], lse, 1e-5);
      for (int i = 0; i < v; i++)
        {
          all[i].score = ((x[i] - max) - lse) + beam_scores[b];
          all[i].word = i;
        }
      qsort (all, v, sizeof (Scored), scored_compare);
      for (int r = 0; r < k; r++)
        {
          g_assert_cmpint (top_w[b * k + r], ==, all[r].word);
          g_assert_cmpfloat_with_epsilon (top_s[b * k + r], all[r].score,
                                          1e-5 * MAX (1.0, fabs (all[r].score)));
          g_assert_cmpfloat_with_epsilon (top_lp[b * k + r],
                                          (x[all[r].word] - max) - lse, 1e-5);
        }
    }
  g_assert_cmpint (top_w[k], ==, 17);
  g_assert_cmpint (top_w[k + 1], ==, 900);
  g_assert_cmpint (top_w[k + 2], ==, 30000);
  be->free (be, dl);

  /* a row holding -inf or NaN has no finite lse: the decoder stops there,
   * as it does on the CPU */
  logits[5] = -INFINITY;
  logits[(gsize) v + 7] = NAN;
  dl = to_dev (be, logits, (gsize) nb * v);
  g_assert_true (be->log_softmax_topk (be, dl, beam_scores, nb, v, k, row_max, row_lse, top_s,
                                       top_w, top_lp, &error));
  g_assert_false (isfinite (row_lse[0]));
  g_assert_false (isfinite (row_lse[1]));
  g_assert_true (isfinite (row_lse[2]));
  be->free (be, dl);
  ov_backend_free (be);
}

/* /cuda/kernels/attention-longest: the most keys the attention kernel takes
 * with 64-wide heads: its scores, query and partial sums fill the 48 KiB of
 * shared memory a block gets without opting in, the kernel's own scratch
 * counted; one key more is refused with an error */
static void
test_attention_longest (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (19);
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  g_autoptr(GError) error = NULL;
  const int dh = 64, lk_max = (48 * 1024 / 4 - 32) - dh * 5;
  gsize n = (gsize) (lk_max + 1) * dh;
  g_autofree float *q = g_new (float, dh);
  g_autofree float *kv = g_new (float, n);
  g_autofree float *want = g_new (float, dh);
  g_autofree float *got = NULL;
  float *dq, *dkv, *dctx;

  if (be == NULL)
    return;
  random_fill (q, dh, rand);
  random_fill (kv, n, rand);
  dq = to_dev (be, q, dh);
  dkv = to_dev (be, kv, n);
  dctx = poisoned (be, dh);
  be->attention (be, dctx, NULL, dq, dh, dkv, dkv, dh, NULL, 0, 1, lk_max, 1, dh);
  assert_backend_ok (be);
  got = from_dev (be, dctx, dh);
  ov_backend_ref_attention (want, NULL, q, dh, kv, kv, dh, NULL, 0, 1, lk_max, 1, dh);
  assert_close ("attention, longest", got, want, dh, EXACT_RTOL, EXACT_ATOL);

  be->attention (be, dctx, NULL, dq, dh, dkv, dkv, dh, NULL, 0, 1, lk_max + 1, 1, dh);
  g_assert_false (ov_backend_check (be, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_DEVICE);
  be->free (be, dq); be->free (be, dkv); be->free (be, dctx);
  ov_backend_free (be);
}

/* /cuda/errors: a failed launch and an impossible allocation become
 * OV_ERROR_DEVICE naming the statement, and the backend works again after */
static void
test_errors (void)
{
  OvBackend *be = cuda_or_skip (OV_PRECISION_EXACT);
  g_autoptr(GError) error = NULL;
  float *p, *q;

  if (be == NULL)
    return;
  q = be->alloc (be, 64);
  /* 20,000 keys do not fit the attention kernel's shared memory */
  be->attention (be, q, NULL, q, 8, q, q, 8, NULL, 0, 1, 20000, 1, 8);
  g_assert_false (ov_backend_check (be, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_DEVICE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "ov_cuda_attention"));
  g_assert_nonnull (strstr (error->message, "ov-backend-cuda.c:"));
  g_clear_error (&error);
  g_assert_true (ov_backend_check (be, &error));

  /* 2^46 floats: more memory than any device has */
  p = be->alloc (be, (gsize) 1 << 46);
  g_assert_null (p);
  g_assert_false (ov_backend_check (be, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_DEVICE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

#ifdef OV_CUDA_EMULATED
  /* host memory handed to a kernel: on a device the context would be lost
   * for good, so only the emulator, which refuses the launch, tries it; the
   * message says what that means */
  {
    float host[64] = { 0 };

    be->gelu (be, host, 64);
    g_assert_false (ov_backend_check (be, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_DEVICE);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "cudaErrorIllegalAddress"));
    g_assert_nonnull (strstr (error->message, "cannot be used again"));
    g_clear_error (&error);
  }
#endif

  be->gelu (be, q, 64);
  be->free (be, q);
  assert_backend_ok (be);
  ov_backend_free (be);
}

/* ---- oracle cases on the device ---- */

static OvModel *
load_model_dir (const char *dir, OvDevice device, OvPrecision precision)
{
  g_autoptr(GError) error = NULL;
  OvModelOptions opts;
  OvModel *model;

  ov_model_options_init (&opts);
  opts.device = device;
  opts.precision = precision;
  opts.n_threads = 2;
  model = ov_model_load (dir, &opts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  if (device == OV_DEVICE_CUDA)
    {
      g_test_message ("%s", ov_model_get_backend_description (model));
      g_assert_true (g_str_has_prefix (ov_model_get_backend_description (model), "CUDA"));
      g_assert_null (ov_model_get_device_fallback (model));
    }
  return model;
}

static OvModel *
load_model (const char *name, OvDevice device, OvPrecision precision)
{
  g_autofree char *dir = ov_test_shared_path ("oracle", "checkpoints", name, NULL);

  return load_model_dir (dir, device, precision);
}

/* /cuda/oracle/encoder and vqa: the VQA case's inputs through a checkpoint
 * on both backends: every hidden state, every attention map, the logits;
 * and the logits against the original code's. */
static void
run_forward_case (const char *checkpoint, OvPrecision precision, double rtol, double atol,
                  gboolean device_path_on_cpu)
{
  g_autoptr(OvBackend) probe = device_path_on_cpu ? NULL : cuda_or_skip (precision);
  g_autoptr(OvModel) cpu = NULL;
  g_autoptr(OvModel) gpu = NULL;
  g_autoptr(OvTestNpy) ids_npy = ov_test_load_case_npy ("vqa_logits", "in_input_ids.npy");
  g_autoptr(OvTestNpy) types_npy = ov_test_load_case_npy ("vqa_logits", "in_token_type_ids.npy");
  g_autoptr(OvTestNpy) mask_npy = ov_test_load_case_npy ("vqa_logits", "in_attention_mask.npy");
  g_autoptr(OvTestNpy) img_npy = ov_test_load_case_npy ("vqa_logits", "in_img_feats.npy");
  g_autoptr(OvTestNpy) logits_npy = ov_test_load_case_npy ("vqa_logits", "out_logits.npy");
  g_autofree gint32 *ids = ov_test_npy_as_i32 (ids_npy);
  g_autofree gint32 *types = ov_test_npy_as_i32 (types_npy);
  g_autofree float *mask = ov_test_npy_as_f32 (mask_npy);
  g_autofree float *img = ov_test_npy_as_f32 (img_npy);
  g_autofree float *want = ov_test_npy_as_f32 (logits_npy);
  gboolean vqa = strcmp (checkpoint, "vqa_tiny_imgln") == 0;
  int t = 128, nimg = 50, d = 2054, n_examples = (int) ids_npy->shape[0];
  OvForwardFlags flags = OV_FORWARD_HIDDEN_STATES | OV_FORWARD_ATTENTIONS | OV_FORWARD_HEAD;

  if (probe == NULL && !device_path_on_cpu)
    return;
  cpu = load_model (checkpoint, OV_DEVICE_CPU, OV_PRECISION_EXACT);
  if (device_path_on_cpu)
    {
      gpu = load_model (checkpoint, OV_DEVICE_CPU, OV_PRECISION_EXACT);
      gpu->backend->host_memory = FALSE;
    }
  else
    gpu = load_model (checkpoint, OV_DEVICE_CUDA, precision);
  for (int e = 0; e < n_examples; e++)
    {
      OvInputs in = {
        .n_text = t,
        .input_ids = ids + (gsize) e * t,
        .token_type_ids = types + (gsize) e * t,
        .n_regions = nimg,
        .img_feats = img + (gsize) e * nimg * d,
        .attention_mask = mask + (gsize) e * (t + nimg),
      };
      g_autoptr(GError) error = NULL;
      g_autoptr(OvForward) a = NULL, b = NULL;
      gsize sh;

      a = ov_model_forward (cpu, &in, flags, NULL, &error);
      g_assert_no_error (error);
      b = ov_model_forward (gpu, &in, flags, NULL, &error);
      g_assert_no_error (error);
      sh = (gsize) a->seq_len * a->hidden;
      for (int l = 0; l <= a->n_layers; l++)
        assert_close ("hidden states", b->hidden_states[l], a->hidden_states[l], sh, rtol,
                      atol);
      for (int l = 0; l < a->n_layers; l++)
        assert_close ("attentions", b->attentions[l], a->attentions[l],
                      (gsize) a->n_heads * a->seq_len * a->seq_len, rtol, atol);
      assert_close ("pooled", b->pooled, a->pooled, a->hidden, rtol, atol);
      if (vqa)
        {
          g_assert_cmpint (b->n_classes, ==, 20);
          assert_close ("VQA logits (CPU)", b->class_logits, a->class_logits, 20, rtol, atol);
          assert_close ("VQA logits (oracle)", b->class_logits, want + (gsize) e * 20, 20,
                        MAX (rtol, 1e-4), MAX (atol, 1e-4));
        }
      else
        assert_close ("LM logits", b->lm_logits, a->lm_logits, (gsize) t * a->vocab_size,
                      rtol, atol);
    }
}

/* /cuda/oracle/activations: models whose hidden_act is relu or swish run on
 * the device as on the CPU: every hidden state and both heads (the fixtures
 * are checked against our float64 reference in /model/engine/variants). */
static void
test_activations (void)
{
  g_autoptr(OvBackend) probe = cuda_or_skip (OV_PRECISION_EXACT);
  g_autofree char *ipath = ov_test_source_path ("tests", "fixtures", "pretrain_tiny",
                                                "expected.json", NULL);
  g_autoptr(JsonNode) input = NULL;
  JsonObject *io;
  g_autofree float *feats = NULL;
  int n_reg, d = 16;

  if (probe == NULL)
    return;
  input = ov_test_load_json (ipath);
  io = json_node_get_object (input);
  feats = ov_test_json_rows (io, "region_features", d, &n_reg);
  for (int v = 0; v < 2; v++)
    {
      g_autofree char *dir = ov_test_source_path ("tests", "fixtures",
                                                  v == 0 ? "pretrain_tiny_relu"
                                                         : "pretrain_tiny_swish", NULL);
      g_autoptr(OvModel) cpu = load_model_dir (dir, OV_DEVICE_CPU, OV_PRECISION_EXACT);
      g_autoptr(OvModel) gpu = load_model_dir (dir, OV_DEVICE_CUDA, OV_PRECISION_EXACT);
      OvRegions regions = { feats, n_reg, d };
      OvForwardFlags flags = OV_FORWARD_HIDDEN_STATES | OV_FORWARD_HEAD;
      g_autoptr(GError) error = NULL;
      g_autoptr(OvEncoding) enc = NULL;
      g_autoptr(OvForward) a = NULL, b = NULL;

      enc = ov_model_prepare_pretrain (cpu, json_object_get_string_member (io, "text"),
                                       json_object_get_string_member (io, "tags"), &regions,
                                       &error);
      g_assert_no_error (error);
      a = ov_model_forward (cpu, &enc->inputs, flags, NULL, &error);
      g_assert_no_error (error);
      b = ov_model_forward (gpu, &enc->inputs, flags, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %d layers, %d classes", dir, a->n_layers, a->n_classes);
      for (int l = 0; l <= a->n_layers; l++)
        assert_close ("hidden states", b->hidden_states[l], a->hidden_states[l],
                      (gsize) a->seq_len * a->hidden, EXACT_RTOL, EXACT_ATOL);
      assert_close ("MLM logits", b->lm_logits, a->lm_logits,
                    (gsize) enc->inputs.n_text * a->vocab_size, EXACT_RTOL, EXACT_ATOL);
      g_assert_cmpint (b->n_classes, ==, a->n_classes);
      assert_close ("contrastive logits", b->class_logits, a->class_logits,
                    (gsize) a->n_classes, EXACT_RTOL, EXACT_ATOL);
    }
}

static void
test_oracle_encoder (void)
{
  run_forward_case ("caption_tiny", OV_PRECISION_EXACT, EXACT_RTOL, EXACT_ATOL, FALSE);
}

static void
test_oracle_vqa (void)
{
  run_forward_case ("vqa_tiny_imgln", OV_PRECISION_EXACT, EXACT_RTOL, EXACT_ATOL, FALSE);
}

static void
test_oracle_vqa_fast (void)
{
  run_forward_case ("vqa_tiny_imgln", OV_PRECISION_FAST, FAST_RTOL, FAST_ATOL, FALSE);
}

/* labels.tsv: image key → its classes joined by spaces */
static GHashTable *
load_tags (void)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "data", "labels.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      char *tab = strchr (lines[i], '\t');
      GString *joined;
      JsonArray *objs;

      if (tab == NULL)
        continue;
      *tab = '\0';
      g_assert_true (json_parser_load_from_data (parser, tab + 1, -1, NULL));
      objs = json_node_get_array (json_parser_get_root (parser));
      joined = g_string_new (NULL);
      for (guint j = 0; j < json_array_get_length (objs); j++)
        g_string_append_printf (joined, "%s%s", j > 0 ? " " : "",
                                json_object_get_string_member (
                                  json_array_get_object_element (objs, j), "class"));
      g_hash_table_insert (tags, g_strdup (lines[i]), g_string_free (joined, FALSE));
    }
  return tags;
}

/* /cuda/oracle/cap_greedy, cap_beam3: the original code's captions, token
 * for token, cached and uncached, on the device */
static void
run_caption_cases (OvModel *gpu, const char *case_name, int num_beams)
{
  g_autoptr(GHashTable) tags = NULL;
  g_autofree char *epath = ov_test_shared_path ("oracle", "cases", case_name, "expected.json",
                                                NULL);
  g_autoptr(JsonNode) expected = NULL;
  JsonArray *images;

  tags = load_tags ();
  expected = ov_test_load_json (epath);
  images = json_object_get_array_member (json_node_get_object (expected), "images");
  for (guint e = 0; e < json_array_get_length (images); e++)
    {
      JsonObject *eo = json_array_get_object_element (images, e);
      const char *key = json_object_get_string_member (eo, "key");
      JsonArray *want = json_object_get_array_member (
        json_array_get_object_element (json_object_get_array_member (eo, "hypotheses"), 0),
        "token_ids");
      g_autofree char *img_file = g_strdup_printf ("%s.img_feats.npy", key);
      g_autofree char *mask_file = g_strdup_printf ("%s.attention_mask.npy", key);
      g_autofree char *ip = ov_test_shared_path ("oracle", "data", "caption_tensorized",
                                                 img_file, NULL);
      g_autofree char *mp = ov_test_shared_path ("oracle", "data", "caption_tensorized",
                                                 mask_file, NULL);
      g_autoptr(OvTestNpy) img_npy = ov_test_npy_load (ip);
      g_autoptr(OvTestNpy) mask_npy = ov_test_npy_load (mp);
      g_autofree float *img = ov_test_npy_as_f32 (img_npy);
      g_autofree float *m = ov_test_npy_as_f32 (mask_npy);
      OvRegions regions = { img, 0, 2054 };
      const char *tag_string = g_hash_table_lookup (tags, key);

      g_assert_nonnull (tag_string);
      /* region k is real when the [CLS] row may attend to it */
      for (int k = 0; k < 50; k++)
        regions.n_regions += m[50 + k] > 0.5f;
      for (int cached = 0; cached < 2; cached++)
        {
          g_autoptr(GPtrArray) caps = NULL;
          g_autoptr(GError) error = NULL;
          OvCaptionOptions opts;
          OvCaption *cap;
          guint n_want = 0;

#ifdef OV_CUDA_EMULATED
          /* uncached decoding encodes the whole sequence at every step,
           * minutes on the emulated device: the first image only */
          if (!cached && e > 0)
            continue;
#endif
          ov_caption_options_init (&opts);
          opts.num_beams = num_beams;
          opts.use_cache = cached;
          caps = ov_model_caption (gpu, tag_string, &regions, &opts, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (caps->len, >=, 1);
          cap = caps->pdata[0];
          g_test_message ("%s (%s): %s", key, cached ? "cached" : "uncached", cap->text);
          for (guint i = 0; i < json_array_get_length (want); i++)
            if (json_array_get_int_element (want, i) != 0)
              n_want++;
          g_assert_cmpuint (cap->ids->len, ==, n_want);
          for (guint i = 0; i < n_want; i++)
            g_assert_cmpint (g_array_index (cap->ids, gint32, i), ==,
                             json_array_get_int_element (want, i));
        }
    }
}

static void
run_caption_case (const char *case_name, int num_beams)
{
  g_autoptr(OvBackend) probe = cuda_or_skip (OV_PRECISION_EXACT);
  g_autoptr(OvModel) gpu = NULL;

  if (probe == NULL)
    return;
  /* greedy on an emulated device without memory pools (plain cudaMalloc) */
  if (num_beams == 1)
    g_setenv ("OV_EMU_NO_POOLS", "1", TRUE);
  gpu = load_model ("caption_tiny", OV_DEVICE_CUDA, OV_PRECISION_EXACT);
  g_unsetenv ("OV_EMU_NO_POOLS");
  run_caption_cases (gpu, case_name, num_beams);
}

static void
test_oracle_cap_greedy (void)
{
  run_caption_case ("cap_greedy", 1);
}

static void
test_oracle_cap_beam3 (void)
{
  run_caption_case ("cap_beam3", 3);
}

/* /cuda/demo/fast-captions: TF32 products give the captions of the CPU's
 * exact ones on the demo scenes, greedy and beam 5, token for token */
static void
test_demo_fast_captions (void)
{
  g_autoptr(OvBackend) probe = cuda_or_skip (OV_PRECISION_FAST);
  g_autofree char *model_dir = ov_test_source_path ("data", "demo", "models", "demo", NULL);
  g_autofree char *scenes = ov_test_source_path ("data", "demo", "scenes", NULL);
  g_autoptr(OvModel) cpu = NULL, gpu = NULL;
#ifdef OV_CUDA_EMULATED
  guint n_scenes = 6;           /* the emulated device is slow */
#else
  guint n_scenes = 30;          /* all the shipped ones */
#endif

  if (probe == NULL)
    return;
  cpu = load_model_dir (model_dir, OV_DEVICE_CPU, OV_PRECISION_EXACT);
  gpu = load_model_dir (model_dir, OV_DEVICE_CUDA, OV_PRECISION_FAST);
  for (guint row = 0; row < n_scenes; row++)
    {
      g_autoptr(OvTestScene) scene = ov_test_scene_load (scenes, row);
      OvRegions regions = { scene->features, scene->n_regions, 2054 };

      for (int beams = 1; beams <= 5; beams += 4)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GPtrArray) want = NULL, got = NULL;
          OvCaption *w, *g;
          OvCaptionOptions opts;

          ov_caption_options_init (&opts);
          opts.num_beams = beams;
          want = ov_model_caption (cpu, scene->tags, &regions, &opts, NULL, &error);
          g_assert_no_error (error);
          got = ov_model_caption (gpu, scene->tags, &regions, &opts, NULL, &error);
          g_assert_no_error (error);
          w = want->pdata[0];
          g = got->pdata[0];
          g_test_message ("%s, beam %d: %s", scene->key, beams, g->text);
          g_assert_cmpstr (g->text, ==, w->text);
          g_assert_cmpuint (g->ids->len, ==, w->ids->len);
          for (guint i = 0; i < w->ids->len; i++)
            g_assert_cmpint (g_array_index (g->ids, gint32, i), ==,
                             g_array_index (w->ids, gint32, i));
        }
    }
}

/* /cuda/oracle/out-of-memory: weights that do not fit the device run on
 * the CPU, with the reason, even when CUDA was asked for by name */
/* Out of memory at the very last weight (the last layer's Q, K and V
 * biases laid end to end, uploaded after every other weight): the model
 * falls back to the CPU whole, with no device pointer left in it, and
 * answers as the original code does. */
static void
run_out_of_memory_late (void)
{
  g_autoptr(OvModel) full = load_model ("caption_tiny", OV_DEVICE_CUDA, OV_PRECISION_EXACT);
  g_autoptr(OvModel) model = NULL;
  g_autofree char *dir = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny", NULL);
  g_autofree char *limit = NULL;
  g_autoptr(GError) error = NULL;
  OvModelOptions opts;
  OvCudaStats st;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  _ov_backend_cuda_get_stats (full->backend, &st);
  g_assert_cmpuint (st.weight_bytes, >, 0);
  /* one float short of the whole */
  limit = g_strdup (g_ascii_dtostr (buf, sizeof buf, (st.weight_bytes - 4) / 1048576.0));
  g_clear_pointer (&full, ov_model_free);
  g_setenv ("OV_CUDA_WEIGHT_LIMIT_MB", limit, TRUE);
  ov_model_options_init (&opts);
  opts.device = OV_DEVICE_CUDA;
  model = ov_model_load (dir, &opts, &error);
  g_unsetenv ("OV_CUDA_WEIGHT_LIMIT_MB");
  g_assert_no_error (error);
  g_test_message ("a limit of %s MiB: %s", limit, ov_model_get_device_fallback (model));
  g_assert_true (g_str_has_prefix (ov_model_get_backend_description (model), "CPU"));
  g_assert_nonnull (strstr (ov_model_get_device_fallback (model), "cannot hold"));
  run_caption_cases (model, "cap_beam3", 3);
}

static void
test_out_of_memory (void)
{
  g_autoptr(OvBackend) probe = cuda_or_skip (OV_PRECISION_EXACT);
  g_autoptr(OvModel) model = NULL;
  g_autofree char *dir = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny", NULL);
  g_autoptr(GError) error = NULL;
  OvModelOptions opts;

  if (probe == NULL)
    return;
  /* caption_tiny's word embeddings alone are 2.8 MiB */
  g_setenv ("OV_CUDA_WEIGHT_LIMIT_MB", "1", TRUE);
  ov_model_options_init (&opts);
  opts.device = OV_DEVICE_CUDA;
  model = ov_model_load (dir, &opts, &error);
  g_unsetenv ("OV_CUDA_WEIGHT_LIMIT_MB");
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ov_model_get_backend_description (model), "CPU"));
  g_assert_nonnull (ov_model_get_device_fallback (model));
  g_test_message ("%s", ov_model_get_device_fallback (model));
  g_assert_nonnull (strstr (ov_model_get_device_fallback (model), "cannot hold"));
  g_clear_pointer (&model, ov_model_free);
  run_out_of_memory_late ();
}

/* The backend scoring op computed on the host, in the words of its
 * definition: what the CUDA kernel must give. */
static int host_scoring_calls;

static gboolean
host_log_softmax_topk (const OvBackend *be, const float *logits, const float *beam_scores,
                       int nb, int v, int k, float *row_max, float *row_lse,
                       float *top_scores, gint32 *top_words, float *top_lps, GError **error)
{
  g_autofree Scored *all = g_new (Scored, v);

  host_scoring_calls++;
  for (int b = 0; b < nb; b++)
    {
      const float *x = logits + (gsize) b * v;
      float max = -G_MAXFLOAT;
      double sum = 0.0;

      for (int i = 0; i < v; i++)
        max = MAX (max, x[i]);
      for (int i = 0; i < v; i++)
        sum += isfinite (x[i]) ? expf (x[i] - max) : NAN;
      row_max[b] = max;
      row_lse[b] = (float) log (sum);
      for (int i = 0; i < v; i++)
        {
          all[i].score = ((x[i] - max) - row_lse[b]) + beam_scores[b];
          all[i].word = i;
        }
      qsort (all, v, sizeof (Scored), scored_compare);
      for (int r = 0; r < k; r++)
        {
          top_scores[b * k + r] = all[r].score;
          top_words[b * k + r] = all[r].word;
          top_lps[b * k + r] = (x[all[r].word] - max) - row_lse[b];
        }
    }
  return TRUE;
}

/* /cuda/decoder/device-scoring: the decoder's path for a backend that
 * scores the beams itself, run on the CPU backend with the scoring done by
 * host_log_softmax_topk: the original code's captions, token for token.
 * Runs without a device. */
static void
test_device_scoring (void)
{
  g_autoptr(OvModel) model = load_model ("caption_tiny", OV_DEVICE_CPU, OV_PRECISION_EXACT);

  /* the model's backend is its own copy of the table */
  model->backend->log_softmax_topk = host_log_softmax_topk;
  host_scoring_calls = 0;
  run_caption_cases (model, "cap_greedy", 1);
  g_assert_cmpint (host_scoring_calls, >, 0);
  run_caption_cases (model, "cap_beam3", 3);
}

static int host_batch_calls;

/* attention_batch in the words of its definition, one sequence at a time */
static void
host_attention_batch (const OvBackend *be, float *ctx, const float *q, int q_stride,
                      const float *k, const float *v, int kv_stride, const float *add_mask,
                      int mask_stride, int lq, int lk, int n_heads, int head_dim, int n_batch,
                      gsize ctx_batch, gsize q_batch, gsize kv_batch)
{
  host_batch_calls++;
  for (int i = 0; i < n_batch; i++)
    be->attention (be, ctx + i * ctx_batch, NULL, q + i * q_batch, q_stride, k + i * kv_batch,
                   v + i * kv_batch, kv_stride, add_mask, mask_stride, lq, lk, n_heads,
                   head_dim);
}

/* /cuda/decoder/device-path: the engine's paths for a backend whose
 * buffers are not host memory (device key/value cache, attention
 * probabilities and heads through backend buffers), run with the CPU
 * backend's operations, with and without the backend's beam scoring: the
 * original code's captions and VQA logits. Runs without a device. */
static void
test_device_path (void)
{
  g_autoptr(OvModel) model = load_model ("caption_tiny", OV_DEVICE_CPU, OV_PRECISION_EXACT);

  model->backend->host_memory = FALSE;
  run_caption_cases (model, "cap_greedy", 1);
  run_caption_cases (model, "cap_beam3", 3);
  model->backend->log_softmax_topk = host_log_softmax_topk;
  host_scoring_calls = 0;
  run_caption_cases (model, "cap_beam3", 3);
  g_assert_cmpint (host_scoring_calls, >, 0);
  model->backend->attention_batch = host_attention_batch;
  run_caption_cases (model, "cap_beam3", 3);
  g_assert_cmpint (host_batch_calls, >, 0);
  run_forward_case ("vqa_tiny_imgln", OV_PRECISION_EXACT, EXACT_RTOL, EXACT_ATOL, TRUE);
  run_forward_case ("caption_tiny", OV_PRECISION_EXACT, EXACT_RTOL, EXACT_ATOL, TRUE);
}

/* Q, K and V of every layer copied end to end in host memory, as the CUDA
 * backend lays them on the device; the arrays to free. */
static GPtrArray *
fuse_host_layers (OvModel *model)
{
  GPtrArray *keep = g_ptr_array_new_with_free_func (g_free);
  int h = model->config.hidden_size;
  gsize hh = (gsize) h * h;

  for (int l = 0; l < model->config.num_hidden_layers; l++)
    {
      OvLayerWeights *w = &model->layers[l];
      float *wb = g_new (float, 3 * hh), *bb = g_new (float, 3 * (gsize) h);

      memcpy (wb, w->q_w, hh * sizeof (float));
      memcpy (wb + hh, w->k_w, hh * sizeof (float));
      memcpy (wb + 2 * hh, w->v_w, hh * sizeof (float));
      memcpy (bb, w->q_b, h * sizeof (float));
      memcpy (bb + h, w->k_b, h * sizeof (float));
      memcpy (bb + 2 * h, w->v_b, h * sizeof (float));
      w->q_w = wb;
      w->k_w = wb + hh;
      w->v_w = wb + 2 * hh;
      w->q_b = bb;
      w->k_b = bb + h;
      w->v_b = bb + 2 * h;
      g_ptr_array_add (keep, wb);
      g_ptr_array_add (keep, bb);
      g_assert_true (_ov_layer_qkv_fused (w, h));
    }
  return keep;
}

/* The device step's logits of `steps` steps (B, V each) into out, beams
 * reordered between steps, on a cache of its own. */
static void
step_logits (OvModel *model, int nb, int max_len, const char *tags, int n_regions, int steps,
             float *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);
  const OvConfig *c = ov_model_get_config (model);
  g_autofree float *img = g_new (float, (gsize) MAX (n_regions, 1) * c->img_feature_dim);
  g_autoptr(OvCaptionContext) ctx = NULL;
  g_autofree gint32 *rows = g_new (gint32, (gsize) nb * max_len);
  g_autofree gint32 **seqs = g_new (gint32 *, nb);
  g_autofree int *src = g_new (int, nb);
  OvRegions regions;
  OvDeviceCache *dc;

  random_fill (img, (gsize) MAX (n_regions, 1) * c->img_feature_dim, rand);
  regions = (OvRegions) { img, n_regions, c->img_feature_dim };
  ctx = _ov_caption_context_new (model, 0, tags, &regions, &error);
  g_assert_no_error (error);
  for (int b = 0; b < nb; b++)
    {
      seqs[b] = rows + (gsize) b * max_len;
      seqs[b][0] = ov_tokenizer_cls_id (ov_model_get_tokenizer (model));
      for (int i = 1; i < max_len; i++)
        seqs[b][i] = 1000 + 7 * b + i;
    }
  dc = _ov_device_cache_new (model, ctx, nb, max_len, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%d beams, %d keys", nb, max_len + ctx->n_tags_valid + ctx->n_img_valid);
  for (int step = 1; step <= steps; step++)
    {
      g_assert_true (_ov_device_cache_step (dc, seqs, step,
                                            out + (gsize) (step - 1) * nb * c->vocab_size,
                                            &error));
      g_assert_no_error (error);
      for (int b = 0; b < nb; b++)
        src[b] = (b * 3 + step) % nb;
      _ov_device_cache_reorder (dc, src, step);
    }
  _ov_device_cache_destroy (dc);
}

typedef struct {
  int         nb, max_len;
  const char *tags;
  int         n_regions;
} StepShape;

/* beams and lengths where the keys are fewer than a step's rows (2B) and
 * where they are many; one beam; eight */
static const StepShape step_shapes[] = {
  { 5, 3, "", 0 }, { 5, 6, "dog", 2 }, { 3, 20, "dog frisbee", 10 }, { 1, 20, "dog", 3 },
  { 8, 7, "", 1 },
};

/* Up to max_steps steps of every shape on both models: the same logits
 * within the exact precision's tolerance. */
static void
compare_steps (OvModel *want_model, OvModel *got_model, int max_steps, const char *what)
{
  int v = ov_model_get_config (want_model)->vocab_size;

  for (guint i = 0; i < G_N_ELEMENTS (step_shapes); i++)
    {
      const StepShape *sh = &step_shapes[i];
      int steps = MIN (sh->max_len - 1, max_steps);
      gsize n = (gsize) steps * sh->nb * v;
      g_autofree float *want = g_new0 (float, n), *got = g_new0 (float, n);

      step_logits (want_model, sh->nb, sh->max_len, sh->tags, sh->n_regions, steps, want);
      step_logits (got_model, sh->nb, sh->max_len, sh->tags, sh->n_regions, steps, got);
      assert_close (what, got, want, n, EXACT_RTOL, EXACT_ATOL);
    }
}

/* /cuda/decoder/fused-layout: the side-by-side Q, K and V layout through
 * the device step's paths that the CUDA backend does not take (per-row
 * appends, per-beam attention, the encoder's strided attention), with the
 * CPU backend's operations: the same logits as the separate layout, and
 * the original code's captions. Runs without a device. */
static void
test_fused_layout (void)
{
  g_autoptr(OvModel) plain = load_model ("caption_tiny", OV_DEVICE_CPU, OV_PRECISION_EXACT);
  g_autoptr(OvModel) fused = load_model ("caption_tiny", OV_DEVICE_CPU, OV_PRECISION_EXACT);
  g_autoptr(GPtrArray) keep = fuse_host_layers (fused);

  plain->backend->host_memory = FALSE;
  fused->backend->host_memory = FALSE;
  for (int batched = 0; batched < 2; batched++)
    {
      /* attention one beam at a time, then through a batched call */
      plain->backend->attention_batch = batched ? host_attention_batch : NULL;
      fused->backend->attention_batch = batched ? host_attention_batch : NULL;
      compare_steps (plain, fused, 3, "side-by-side q, k, v");
    }
  fused->backend->attention_batch = NULL;
  run_caption_cases (fused, "cap_beam3", 3);
}

/* /cuda/decoder/step-shapes: the device step (one Q, K and V product, the
 * append read on the device, graphs recorded and launched) against the CPU
 * backend's operations on the same path, over the shapes above */
static void
test_step_shapes (void)
{
  g_autoptr(OvBackend) probe = cuda_or_skip (OV_PRECISION_EXACT);
  g_autoptr(OvModel) cpu = NULL, gpu = NULL;
  OvCudaStats st;

  if (probe == NULL)
    return;
  cpu = load_model ("caption_tiny", OV_DEVICE_CPU, OV_PRECISION_EXACT);
  gpu = load_model ("caption_tiny", OV_DEVICE_CUDA, OV_PRECISION_EXACT);
  g_assert_true (_ov_layer_qkv_fused (&gpu->layers[0], gpu->config.hidden_size));
  cpu->backend->host_memory = FALSE;
  compare_steps (cpu, gpu, 6, "device step logits");
  _ov_backend_cuda_get_stats (gpu->backend, &st);
  g_test_message ("graphs recorded %" G_GUINT64_FORMAT ", launched %" G_GUINT64_FORMAT,
                  st.graphs_recorded, st.graph_launches);
  g_assert_cmpuint (st.graph_launches, >, 0);
  g_assert_cmpuint (st.graphs_failed, ==, 0);
}

#ifdef OV_CUDA_EMULATED
/* The device work between two counts, and how much of it is launches. */
static OvEmuCounts
counts_since (const OvEmuCounts *before)
{
  OvEmuCounts now;

  ov_emu_get_counts (&now);
  now.kernels -= before->kernels;
  now.products -= before->products;
  now.copies -= before->copies;
  now.host_waits -= before->host_waits;
  now.allocations -= before->allocations;
  now.recorded -= before->recorded;
  now.graph_launches -= before->graph_launches;
  now.replayed -= before->replayed;
  return now;
}

/* /cuda/decoder/step-work: what a cached beam-5 decoding step asks of the
 * device, counted by the emulator. The device's work per step: an
 * embedding and its LayerNorm; per layer one product for Q, K and V (their
 * weights end to end), one copy of K and V into the cache, one attention
 * for all beams, three more products, two LayerNorms and a GELU (the
 * biases ride in the products' epilogue); the copy of each beam's last row and the LM head's two
 * products, GELU and LayerNorm (and a bias kernel after each product that
 * cuBLAS makes, as with OV_EMU_LT=none). What the host asks for: the mask's
 * and the ids' uploads, the embedding, its LayerNorm and one launch of the
 * step's graph (recorded in the second step that runs on each of the two
 * cache buffers), or with OV_CUDA_GRAPHS=0, in the first two steps and when
 * recording fails, every one of those launches; a second caption of the
 * same shape records nothing. A step never waits for the device and takes
 * its working buffers from the cache; scoring the beams waits once, and
 * reordering the cache does not. */
/* The steps 1 to 4 of one caption on a fresh cache, each step's counts
 * checked as /cuda/decoder/step-work says. */
static void
count_caption_steps (OvModel *model, const OvCaptionContext *ctx, gint32 *const *seqs,
                     int caption, gboolean graphs, gboolean spoiled, int device_work)
{
  g_autoptr(GError) error = NULL;
  int nb = 5, vocab = ov_model_get_config (model)->vocab_size;
  OvDeviceCache *dc = _ov_device_cache_new (model, ctx, nb, 20, NULL, &error);

  g_assert_no_error (error);
  for (int cur_len = 1; cur_len <= 4; cur_len++)
    {
      OvEmuCounts before, step, score, reorder;
      float beam_scores[5] = { 0 }, row_max[5], row_lse[5], top_scores[50], top_lps[50];
      gint32 top_words[50];
      int src[5] = { 0, 0, 1, 2, 4 };
      guint64 host_calls;
      /* each cache buffer's first step runs one by one and its second is
       * recorded (steps 3 and 4 of the first caption); the graphs serve
       * every later step, the next caption's too; a spoiled recording
       * (step 3) runs one by one, and so does every step after it */
      gboolean records = graphs && caption == 0 && (cur_len == 3 || (!spoiled && cur_len == 4));
      gboolean launches = graphs && !spoiled && (caption > 0 || cur_len >= 3);

      ov_emu_get_counts (&before);
      g_assert_true (_ov_device_cache_step (dc, seqs, cur_len, NULL, &error));
      g_assert_no_error (error);
      step = counts_since (&before);
      ov_emu_get_counts (&before);
      g_assert_true (model->backend->log_softmax_topk (model->backend,
                                                       _ov_device_cache_logits (dc),
                                                       beam_scores, nb, vocab, 2 * nb, row_max,
                                                       row_lse, top_scores, top_words, top_lps,
                                                       &error));
      g_assert_no_error (error);
      score = counts_since (&before);
      ov_emu_get_counts (&before);
      _ov_device_cache_reorder (dc, src, cur_len);
      assert_backend_ok (model->backend);
      reorder = counts_since (&before);
      /* launches and copies the host made itself, and graph launches */
      host_calls = step.kernels + step.products + step.copies - step.replayed
                   + step.graph_launches;
      g_test_message ("%s, caption %d, step %d: device %" G_GUINT64_FORMAT " launches, %"
                      G_GUINT64_FORMAT " recorded, %" G_GUINT64_FORMAT " replayed; host %"
                      G_GUINT64_FORMAT " calls",
                      !graphs ? "no graphs" : spoiled ? "spoiled graphs" : "graphs", caption,
                      cur_len, (guint64) (step.kernels + step.products),
                      (guint64) step.recorded, (guint64) step.replayed, host_calls);
      g_assert_cmpuint (step.kernels + step.products, ==, device_work);
      g_assert_cmpuint (step.copies, ==, 2);
      g_assert_cmpuint (step.graph_launches, ==, launches ? 1 : 0);
      /* all but the embedding and its LayerNorm in the graph */
      g_assert_cmpuint (step.replayed, ==, launches ? device_work - 2 : 0);
      g_assert_cmpuint (step.recorded, ==, records ? device_work - 2 : 0);
      g_assert_cmpuint (host_calls, ==, launches ? 5 : device_work + 2);
      g_assert_cmpuint (step.host_waits, ==, 0);
      /* the working buffers are the cache's: only the token ids' upload
       * takes memory from the pool */
      g_assert_cmpuint (step.allocations, ==, 1);
      g_assert_cmpuint (score.kernels + score.products, ==, 1);
      g_assert_cmpuint (score.host_waits, ==, 1);
      g_assert_cmpuint (reorder.kernels + reorder.products, ==, 1);
      g_assert_cmpuint (reorder.host_waits, ==, 0);
    }
  _ov_device_cache_free (dc);
}

static void
run_step_work (gboolean graphs, gboolean spoiled)
{
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvCaptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  const OvConfig *c;
  int nb = 5, max_len = 20, n_regions = 10, bias_kernels, device_work;
  g_autofree float *img = NULL;
  g_autofree gint32 *rows = NULL;
  gint32 *seqs[5];
  OvRegions regions;

  if (!graphs)
    g_setenv ("OV_CUDA_GRAPHS", "0", TRUE);
  model = load_model ("caption_tiny", OV_DEVICE_CUDA, OV_PRECISION_EXACT);
  g_unsetenv ("OV_CUDA_GRAPHS");
  c = ov_model_get_config (model);
  /* the backend lays Q, K and V end to end: one product for the three */
  g_assert_true (_ov_layer_qkv_fused (&model->layers[0], c->hidden_size));
  /* every product has a bias; the emulated cuBLASLt takes them all unless
   * told to have no algorithm */
  bias_kernels = g_strcmp0 (g_getenv ("OV_EMU_LT"), "none") == 0
                 ? 4 * c->num_hidden_layers + 2 : 0;
  device_work = 9 * c->num_hidden_layers + 7 + bias_kernels;
  g_test_message ("%d layers: %d launches a step", c->num_hidden_layers, device_work);
  img = g_new (float, (gsize) n_regions * c->img_feature_dim);
  random_fill (img, (gsize) n_regions * c->img_feature_dim, rand);
  regions = (OvRegions) { img, n_regions, c->img_feature_dim };
  ctx = _ov_caption_context_new (model, 0, "dog frisbee", &regions, &error);
  g_assert_no_error (error);
  rows = g_new (gint32, (gsize) nb * max_len);
  for (int b = 0; b < nb; b++)
    {
      seqs[b] = rows + (gsize) b * max_len;
      seqs[b][0] = ov_tokenizer_cls_id (ov_model_get_tokenizer (model));
      for (int i = 1; i < max_len; i++)
        seqs[b][i] = 1000 + 7 * b + i;
    }
  /* the second caption, of the same shape, takes over the first one's
   * cache and graphs */
  if (spoiled)
    g_setenv ("OV_EMU_SPOIL_CAPTURE", "1", TRUE);
  for (int caption = 0; caption < 2; caption++)
    count_caption_steps (model, ctx, seqs, caption, graphs, spoiled, device_work);
  g_unsetenv ("OV_EMU_SPOIL_CAPTURE");
  {
    OvCudaStats stats;

    _ov_backend_cuda_get_stats (model->backend, &stats);
    g_assert_cmpuint (stats.graphs_recorded, ==, graphs && !spoiled ? 2 : 0);
    g_assert_cmpuint (stats.graphs_failed, ==, graphs && spoiled ? 1 : 0);
    g_assert_cmpuint (stats.graph_launches, ==, graphs && !spoiled ? 6 : 0);
  }
}

static void
test_step_work (void)
{
  g_autoptr(OvBackend) probe = cuda_or_skip (OV_PRECISION_EXACT);

  if (probe == NULL)
    return;
  run_step_work (TRUE, FALSE);
  run_step_work (FALSE, FALSE);
  /* every recording fails: the steps run one by one, and the cache kept
   * for the next caption does not try again */
  run_step_work (TRUE, TRUE);
}
#endif

/* One beam-5 caption of random regions, best first. */
static GPtrArray *
caption_random (OvModel *model, guint32 seed, int n_regions)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GError) error = NULL;
  int d = ov_model_get_config (model)->img_feature_dim;
  g_autofree float *img = g_new (float, (gsize) n_regions * d);
  OvRegions regions = { img, n_regions, d };
  OvCaptionOptions opts;
  GPtrArray *caps;

  random_fill (img, (gsize) n_regions * d, rand);
  ov_caption_options_init (&opts);
  opts.num_beams = 5;
  opts.n_best = 3;
  caps = ov_model_caption (model, "dog frisbee", &regions, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (caps->len, >=, 1);
  return caps;
}

static void
assert_same_captions (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      OvCaption *x = a->pdata[i], *y = b->pdata[i];

      g_assert_cmpuint (x->ids->len, ==, y->ids->len);
      g_assert_cmpmem (x->ids->data, x->ids->len * sizeof (gint32), y->ids->data,
                       y->ids->len * sizeof (gint32));
      g_assert_cmpfloat (x->score, ==, y->score);
    }
}

/* /cuda/decoder/cache-reuse: a caption that takes over the last one's
 * device cache and graphs (same beams, length and context size, other
 * regions) comes out exactly as on a model that never captioned; one of
 * another shape too, after which the first shape still does. The step
 * graphs were recorded, launched and taken over. */
static void
test_cache_reuse (void)
{
  g_autoptr(OvBackend) probe = cuda_or_skip (OV_PRECISION_EXACT);
  g_autoptr(OvModel) used = NULL;
  g_autoptr(OvModel) fresh = NULL;
  g_autoptr(GPtrArray) first = NULL, again = NULL, other = NULL, want = NULL;
  g_autoptr(GPtrArray) other_want = NULL, back = NULL;
  OvCudaStats after_first, after_again, after_other, after_all;

  if (probe == NULL)
    return;
  used = load_model ("caption_tiny", OV_DEVICE_CUDA, OV_PRECISION_EXACT);
  first = caption_random (used, 41, 12);
  _ov_backend_cuda_get_stats (used->backend, &after_first);
  again = caption_random (used, 42, 12);
  _ov_backend_cuda_get_stats (used->backend, &after_again);
  other = caption_random (used, 43, 7);
  _ov_backend_cuda_get_stats (used->backend, &after_other);
  back = caption_random (used, 44, 12);
  _ov_backend_cuda_get_stats (used->backend, &after_all);
  g_test_message ("graphs recorded %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT " / %"
                  G_GUINT64_FORMAT ", launched %" G_GUINT64_FORMAT ", failed %" G_GUINT64_FORMAT,
                  after_first.graphs_recorded, after_again.graphs_recorded,
                  after_all.graphs_recorded, after_all.graph_launches,
                  after_all.graphs_failed);
  /* the device records and launches the step graphs, and a caption of the
   * same shape takes over the first one's, even after one of another
   * shape (once it had both: a caption that ended within three steps
   * recorded fewer) */
  g_assert_cmpuint (after_all.graphs_failed, ==, 0);
  g_assert_cmpuint (after_all.graph_launches, >, 0);
  if (after_first.graphs_recorded == 2)
    {
      g_assert_cmpuint (after_again.graphs_recorded, ==, 2);
      g_assert_cmpuint (after_all.graphs_recorded, ==, after_other.graphs_recorded);
    }
  g_test_message ("%s / %s / %s / %s", ((OvCaption *) first->pdata[0])->text,
                  ((OvCaption *) again->pdata[0])->text, ((OvCaption *) other->pdata[0])->text,
                  ((OvCaption *) back->pdata[0])->text);
  fresh = load_model ("caption_tiny", OV_DEVICE_CUDA, OV_PRECISION_EXACT);
  want = caption_random (fresh, 42, 12);
  assert_same_captions (again, want);
  g_clear_pointer (&fresh, ov_model_free);
  fresh = load_model ("caption_tiny", OV_DEVICE_CUDA, OV_PRECISION_EXACT);
  other_want = caption_random (fresh, 43, 7);
  assert_same_captions (other, other_want);
  g_clear_pointer (&fresh, ov_model_free);
  g_clear_pointer (&want, g_ptr_array_unref);
  fresh = load_model ("caption_tiny", OV_DEVICE_CUDA, OV_PRECISION_EXACT);
  want = caption_random (fresh, 44, 12);
  assert_same_captions (back, want);
}

/* /cuda/devices: the report agrees with the backend: a device answers
 * exactly when there is no reason given; AUTO follows it */
static void
test_devices (void)
{
  g_autoptr(OvDeviceReport) r = ov_device_report_new ();
  g_autoptr(OvModel) model = NULL;
  g_autofree char *dir = ov_test_shared_path ("oracle", "checkpoints", "vqa_tiny_imgln", NULL);
  g_autoptr(GError) error = NULL;
  OvModelOptions opts;

  g_assert_cmpint (r->cpu_threads, >=, 1);
  g_assert_nonnull (r->blas_config);
  g_assert_true ((r->cuda_devices->len > 0) == (r->cuda_reason == NULL));
  ov_model_options_init (&opts);
  opts.device = OV_DEVICE_AUTO;
  model = ov_model_load (dir, &opts, &error);
  g_assert_no_error (error);
  g_test_message ("AUTO: %s (%s)", ov_model_get_backend_description (model),
                  ov_model_get_device_fallback (model) != NULL
                  ? ov_model_get_device_fallback (model) : "no fallback");
  if (r->cuda_devices->len > 0)
    g_assert_true (g_str_has_prefix (ov_model_get_backend_description (model), "CUDA"));
  else
    {
      g_assert_true (g_str_has_prefix (ov_model_get_backend_description (model), "CPU"));
      g_assert_nonnull (ov_model_get_device_fallback (model));
      /* CUDA by name without a device is an error that says why */
      g_clear_pointer (&model, ov_model_free);
      opts.device = OV_DEVICE_CUDA;
      model = ov_model_load (dir, &opts, &error);
      g_assert_null (model);
      g_assert_error (error, OV_ERROR, OV_ERROR_DEVICE);
      g_test_message ("CUDA: %s", error->message);
    }
}

/* /cuda/devices-command: `oscarviz devices --json` says what the report
 * says; the text form names both backends */
static void
test_devices_command (void)
{
  g_autoptr(OvDeviceReport) r = ov_device_report_new ();
  g_autofree char *exe = ov_test_oscarviz_path ();
  char *argv_json[] = { exe, (char *) "devices", (char *) "--json", NULL };
  char *argv_text[] = { exe, (char *) "devices", NULL };
  g_autofree char *out = NULL, *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *cuda;
  int status = -1;

#ifdef OV_CUDA_EMULATED
  /* the program is built with the real runtime, this test with the emulator */
  g_test_skip ("the emulated device is this test's own, not the program's");
  return;
#endif

  g_assert_true (g_spawn_sync (NULL, argv_json, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "cpu"),
                                               "threads"), ==, r->cpu_threads);
  cuda = json_object_get_object_member (root, "cuda");
  g_assert_cmpint (json_object_get_boolean_member (cuda, "built"), ==, r->cuda_built);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (cuda, "devices")), ==,
                    r->cuda_devices->len);
  g_assert_true (json_object_get_null_member (cuda, "reason") == (r->cuda_reason == NULL));

  g_assert_true (g_spawn_sync (NULL, argv_text, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &text, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (text, "CPU: "));
  g_assert_nonnull (strstr (text, "\nCUDA: "));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cuda/devices", test_devices);
  g_test_add_func ("/cuda/devices-command", test_devices_command);
  g_test_add_func ("/cuda/kernels/linear-exact", test_linear_exact);
  g_test_add_func ("/cuda/kernels/linear-fast", test_linear_fast);
  g_test_add_func ("/cuda/kernels/layer-norm", test_layer_norm);
  g_test_add_func ("/cuda/kernels/elementwise", test_elementwise);
  g_test_add_func ("/cuda/kernels/embed", test_embed);
  g_test_add_func ("/cuda/kernels/attention", test_attention);
  g_test_add_func ("/cuda/kernels/attention-batch", test_attention_batch);
  g_test_add_func ("/cuda/kernels/attention-longest", test_attention_longest);
  g_test_add_func ("/cuda/kernels/copy-runs", test_copy_runs);
  g_test_add_func ("/cuda/kernels/copy-parts", test_copy_parts);
  g_test_add_func ("/cuda/kernels/log-softmax-topk", test_log_softmax_topk);
  g_test_add_func ("/cuda/errors", test_errors);
  g_test_add_func ("/cuda/oracle/encoder", test_oracle_encoder);
  g_test_add_func ("/cuda/oracle/activations", test_activations);
  g_test_add_func ("/cuda/oracle/vqa_logits", test_oracle_vqa);
  g_test_add_func ("/cuda/oracle/vqa_logits-fast", test_oracle_vqa_fast);
  g_test_add_func ("/cuda/oracle/cap_greedy", test_oracle_cap_greedy);
  g_test_add_func ("/cuda/oracle/cap_beam3", test_oracle_cap_beam3);
  g_test_add_func ("/cuda/oracle/out-of-memory", test_out_of_memory);
  g_test_add_func ("/cuda/demo/fast-captions", test_demo_fast_captions);
  g_test_add_func ("/cuda/decoder/device-scoring", test_device_scoring);
  g_test_add_func ("/cuda/decoder/device-path", test_device_path);
  g_test_add_func ("/cuda/decoder/cache-reuse", test_cache_reuse);
  g_test_add_func ("/cuda/decoder/fused-layout", test_fused_layout);
  g_test_add_func ("/cuda/decoder/step-shapes", test_step_shapes);
#ifdef OV_CUDA_EMULATED
  g_test_add_func ("/cuda/decoder/step-work", test_step_work);
#endif
  return g_test_run ();
}
