/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Tests of the t-SNE engine: perplexity calibration, affinities, the
 * gradient against finite differences and the fast paths against the plain
 * double loop, the forest's recall, quality against scikit-learn's numbers
 * on a fixed mixture (tools/tsne-reference.py), reproducibility,
 * cancellation, bad input, the readers and the `tsne` command.
 */
#include <cblas.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "model/ov-error.h"
#include "model/ov-state-dict.h"
#include "ov-test-util.h"
#include "viz/ov-tsne-io.h"
#include "viz/ov-tsne-plot.h"
#include "viz/ov-tsne.h"

static mode_t
current_umask (void)
{
  mode_t m = umask (022);

  umask (m);
  return m;
}

static double
gauss (GRand *r)
{
  double u1 = g_rand_double_range (r, 1e-12, 1.0), u2 = g_rand_double (r);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

/* n points in dim dimensions around n_classes random centres (spread 4,
 * noise 1); labels (n) nullable. */
static float *
make_blobs (gsize   n,
            gsize   dim,
            guint   n_classes,
            guint32 seed,
            guint  *labels)
{
  GRand *r = g_rand_new_with_seed (seed);
  g_autofree float *centres = g_new (float, n_classes * dim);
  float *X = g_new (float, n * dim);

  for (gsize a = 0; a < n_classes * dim; a++)
    centres[a] = (float) (4.0 * gauss (r));
  for (gsize i = 0; i < n; i++)
    {
      guint c = (guint) (i % n_classes);

      if (labels != NULL)
        labels[i] = c;
      for (gsize d = 0; d < dim; d++)
        X[i * dim + d] = centres[c * dim + d] + (float) gauss (r);
    }
  g_rand_free (r);
  return X;
}

/* A map like a converged t-SNE: blobs of spread 1.5 with centres spread
 * over a square of side `span`. */
static double *
make_map (gsize   n,
          double  span,
          guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  double *Y = g_new (double, 2 * n);
  double cx[20], cy[20];

  for (int c = 0; c < 20; c++)
    {
      cx[c] = g_rand_double_range (r, -span / 2, span / 2);
      cy[c] = g_rand_double_range (r, -span / 2, span / 2);
    }
  for (gsize i = 0; i < n; i++)
    {
      Y[2 * i] = cx[i % 20] + 1.5 * gauss (r);
      Y[2 * i + 1] = cy[i % 20] + 1.5 * gauss (r);
    }
  g_rand_free (r);
  return Y;
}

static void
test_calibration (void)
{
  GRand *r = g_rand_new_with_seed (5);
  static const double perplexities[] = { 2.0, 5.0, 10.0, 30.0, 50.0 };

  for (guint t = 0; t < 40; t++)
    {
      double perp = perplexities[t % G_N_ELEMENTS (perplexities)];
      guint k = (guint) (3 * perp) + g_rand_int_range (r, 0, 20);
      /* distances on very different scales, including huge ones */
      double scale = pow (10.0, g_rand_double_range (r, -3.0, 4.0));
      g_autofree float *d2 = g_new (float, k);
      g_autofree double *p = g_new (double, k);
      double H = 0.0, sum = 0.0, beta;

      for (guint j = 0; j < k; j++)
        d2[j] = (float) (scale * (1.0 + g_rand_double (r) * 5.0));
      beta = ov_tsne_calibrate_row (d2, k, perp, p);
      g_assert_cmpfloat (beta, >, 0.0);
      for (guint j = 0; j < k; j++)
        {
          sum += p[j];
          if (p[j] > 0)
            H -= p[j] * log (p[j]);
        }
      /* bisection stops within 1e-5 nats of the target */
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-12);
      g_assert_cmpfloat_with_epsilon (H, log (perp), 2e-5);
    }
  g_rand_free (r);
}

static void
test_affinities (void)
{
  gsize n = 400, dim = 12;
  g_autofree float *X = make_blobs (n, dim, 4, 11, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (OvTsneAffinities) P = NULL;
  double total = 0.0;

  P = ov_tsne_affinities_new (X, n, dim, 20.0, OV_TSNE_KNN_EXACT, 0, 1, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (P);
  /* each row has at least its own 60 neighbours; at most twice that */
  g_assert_cmpuint (ov_tsne_affinities_get_nnz (P), >=, n * 60);
  g_assert_cmpuint (ov_tsne_affinities_get_nnz (P), <=, n * 120);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpfloat (ov_tsne_affinities_get (P, i, i), ==, 0.0);
      for (gsize j = 0; j < n; j++)
        {
          double pij = ov_tsne_affinities_get (P, i, j);

          g_assert_cmpfloat (pij, >=, 0.0);
          g_assert_cmpfloat_with_epsilon (pij, ov_tsne_affinities_get (P, j, i), 1e-12);
          total += pij;
        }
    }
  g_assert_cmpfloat_with_epsilon (total, 1.0, 1e-5);
}

/* The analytic gradient of the plain double path against central finite
 * differences of its own KL. */
static void
test_gradient_finite_differences (void)
{
  gsize n = 60, dim = 8;
  g_autofree float *X = make_blobs (n, dim, 3, 21, NULL);
  g_autofree double *Y = make_map (n, 6.0, 22);
  g_autofree double *grad = g_new (double, 2 * n);
  g_autoptr (OvTsneAffinities) P = NULL;
  g_autoptr (GError) error = NULL;
  double h = 1e-5, worst = 0.0, gmax = 0.0;

  P = ov_tsne_affinities_new (X, n, dim, 10.0, OV_TSNE_KNN_EXACT, 0, 1, 1, NULL, &error);
  g_assert_no_error (error);
  ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_REFERENCE, 1.0, NULL, grad);
  for (gsize a = 0; a < 2 * n; a++)
    gmax = MAX (gmax, fabs (grad[a]));
  for (gsize a = 0; a < 2 * n; a++)
    {
      double keep = Y[a], kp, km, fd;

      Y[a] = keep + h;
      kp = ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_REFERENCE, 1.0, NULL, NULL);
      Y[a] = keep - h;
      km = ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_REFERENCE, 1.0, NULL, NULL);
      Y[a] = keep;
      fd = (kp - km) / (2 * h);
      worst = MAX (worst, fabs (fd - grad[a]));
    }
  /* central differences in double: error ~ h^2 f''' + eps / h, ~1e-9 here */
  g_test_message ("max |fd - grad| = %.3g, max |grad| = %.3g", worst, gmax);
  g_assert_cmpfloat (gmax, >, 1e-3);
  g_assert_cmpfloat (worst, <, 1e-8 * MAX (1.0, gmax));
}

static double
rel_l2 (const double *a,
        const double *b,
        gsize         m)
{
  double num = 0.0, den = 0.0;

  for (gsize i = 0; i < m; i++)
    {
      num += (a[i] - b[i]) * (a[i] - b[i]);
      den += b[i] * b[i];
    }
  return sqrt (num / den);
}

/* Exact float SIMD path and FFT interpolation against the double loop. The
 * repulsion alone (exaggeration 0) is compared, since in a converged map it
 * nearly cancels the attraction and the net gradient is small. */
static void
test_gradient_fast_paths (void)
{
  gsize n = 3000, dim = 10;
  g_autofree float *X = make_blobs (n, dim, 20, 31, NULL);
  g_autofree double *Y = make_map (n, 60.0, 32);
  g_autofree double *gr = g_new (double, 2 * n);
  g_autofree double *ge = g_new (double, 2 * n);
  g_autofree double *gf = g_new (double, 2 * n);
  g_autoptr (OvTsneAffinities) P = NULL;
  g_autoptr (GError) error = NULL;
  OvTsneParams params;
  double klr, kle, klf, e_exact, e_fft;

  ov_tsne_params_init (&params);
  params.n_threads = 2;
  P = ov_tsne_affinities_new (X, n, dim, 30.0, OV_TSNE_KNN_EXACT, 0, 1, 2, NULL, &error);
  g_assert_no_error (error);

  klr = ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_REFERENCE, 0.0, &params, gr);
  kle = ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_EXACT, 0.0, &params, ge);
  klf = ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_FFT, 0.0, &params, gf);
  e_exact = rel_l2 (ge, gr, 2 * n);
  e_fft = rel_l2 (gf, gr, 2 * n);
  g_test_message ("KL ref %.6f exact %.6f fft %.6f; repulsion rel. L2 error exact %.3g fft %.3g",
                  klr, kle, klf, e_exact, e_fft);
  /* float accumulation folded into double every 1024 columns */
  g_assert_cmpfloat (e_exact, <, 1e-5);
  g_assert_cmpfloat_with_epsilon (kle, klr, 1e-5);
  /* five nodes per box of width <= 1 (60 boxes here): 1.1e-3 measured,
   * 1.4e-2 with three */
  g_assert_cmpfloat (e_fft, <, 3e-3);
  g_assert_cmpfloat_with_epsilon (klf, klr, 2e-4);

  /* the interpolation converges: boxes 6x narrower, error far smaller */
  for (gsize a = 0; a < 2 * n; a++)
    Y[a] /= 6.0;
  ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_REFERENCE, 0.0, &params, gr);
  ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_FFT, 0.0, &params, gf);
  e_fft = rel_l2 (gf, gr, 2 * n);
  g_test_message ("narrow boxes: fft rel. L2 error %.3g", e_fft);
  g_assert_cmpfloat (e_fft, <, 1e-3);

  /* with the attraction: total gradient of the exact path matches */
  ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_REFERENCE, 12.0, &params, gr);
  ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_EXACT, 12.0, &params, ge);
  g_assert_cmpfloat (rel_l2 (ge, gr, 2 * n), <, 1e-5);
}

static void
test_forest_recall (void)
{
  gsize n = 6000, dim = 32;
  guint k = 45;
  g_autofree float *X = make_blobs (n, dim, 30, 41, NULL);
  g_autofree guint32 *idx = g_new (guint32, n * k);
  g_autofree float *d2 = g_new (float, n * k);
  g_autoptr (GError) error = NULL;
  double recall;

  g_assert_true (ov_tsne_knn (X, n, dim, k, OV_TSNE_KNN_FOREST, 3, 2, idx, d2, NULL, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    for (guint a = 0; a < k; a++)
      {
        g_assert_cmpuint (idx[i * k + a], <, n);
        g_assert_cmpuint (idx[i * k + a], !=, i);
        if (a > 0)
          g_assert_cmpfloat (d2[i * k + a - 1], <=, d2[i * k + a]);
      }
  recall = ov_tsne_knn_recall (X, n, dim, idx, k, 500, 1, 2);
  g_test_message ("forest recall@%u = %.4f", k, recall);
  g_assert_cmpfloat (recall, >=, 0.9);
}

typedef struct {
  int stop_at;
  int calls;
  int last_iter;
} ProgressProbe;

static gboolean
probe_cb (int          iter,
          int          n_iter,
          const float *Y,
          gsize        n,
          double       kl,
          gpointer     user_data)
{
  ProgressProbe *p = user_data;

  p->calls++;
  p->last_iter = iter;
  g_assert_true (isfinite (kl));
  g_assert_true (isfinite (Y[0]) && isfinite (Y[2 * n - 1]));
  return p->stop_at == 0 || iter < p->stop_at;
}

/* Quality on the committed mixture against scikit-learn 1.2.1's embedding of
 * the same data (tests/data/tsne-reference.json, tools/tsne-reference.py). */
static void
test_quality_vs_sklearn (void)
{
  g_autofree char *xp = ov_test_source_path ("tests", "data", "tsne-mixture-500.npy", NULL);
  g_autofree char *yp = ov_test_source_path ("tests", "data", "tsne-mixture-500-sklearn.npy",
                                             NULL);
  g_autofree char *jp = ov_test_source_path ("tests", "data", "tsne-reference.json", NULL);
  g_autoptr (JsonNode) ref = ov_test_load_json (jp);
  JsonObject *o = json_node_get_object (ref);
  g_autoptr (GError) error = NULL;
  g_autoptr (OvTsneAffinities) P = NULL;
  g_autofree float *X = NULL;
  g_autofree float *Ysk = NULL;
  g_autofree float *Y = NULL;
  OvTsneParams params;
  OvTsneStats stats;
  ProgressProbe probe = { 0 };
  gsize n, dim, ny, d2;
  double kl_sk, kl, knn_sk, knn;

  X = ov_tsne_load_vectors (xp, &n, &dim, NULL, &error);
  g_assert_no_error (error);
  Ysk = ov_tsne_load_vectors (yp, &ny, &d2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 500);
  g_assert_cmpuint (ny, ==, n);
  g_assert_cmpuint (d2, ==, 2);

  /* Our metrics reproduce the numpy ones on scikit-learn's embedding. */
  P = ov_tsne_affinities_new (X, n, dim, 30.0, OV_TSNE_KNN_EXACT, 0, 1, 2, NULL, &error);
  g_assert_no_error (error);
  kl_sk = ov_tsne_kl_divergence (P, Ysk, 2);
  knn_sk = ov_tsne_knn_preservation (X, n, dim, Ysk, 10, n, 1, 2);
  g_test_message ("scikit-learn: KL %.4f (numpy %.4f), 10-NN %.4f (numpy %.4f)", kl_sk,
                  json_object_get_double_member (o, "sklearn_kl"), knn_sk,
                  json_object_get_double_member (o, "sklearn_knn10"));
  g_assert_cmpfloat_with_epsilon (kl_sk, json_object_get_double_member (o, "sklearn_kl"), 2e-3);
  g_assert_cmpfloat_with_epsilon (knn_sk, json_object_get_double_member (o, "sklearn_knn10"),
                                  2e-3);

  ov_tsne_params_init (&params);
  params.n_threads = 2;
  params.progress_every = 100;
  Y = g_new (float, 2 * n);
  g_assert_true (ov_tsne_run_full (X, n, dim, &params, Y, probe_cb, &probe, NULL, &stats,
                                   &error));
  g_assert_no_error (error);
  g_assert_cmpint (probe.calls, ==, 10);
  g_assert_cmpint (probe.last_iter, ==, 1000);
  g_assert_cmpint (stats.gradient_used, ==, OV_TSNE_GRADIENT_EXACT);
  kl = ov_tsne_kl_divergence (P, Y, 2);
  knn = ov_tsne_knn_preservation (X, n, dim, Y, 10, n, 1, 2);
  g_test_message ("ours: KL %.4f, 10-NN %.4f", kl, knn);
  /* at least as good, with a margin for a different optimiser path */
  g_assert_cmpfloat (kl, <=, kl_sk + 0.01);
  g_assert_cmpfloat (knn, >=, knn_sk - 0.01);
  g_assert_cmpfloat_with_epsilon (stats.kl, kl, 1e-3);
}

static void
run_small (const float          *X,
           gsize                 n,
           gsize                 dim,
           OvTsneGradientMethod  method,
           OvTsneKnnMethod       knn,
           int                   threads,
           guint64               seed,
           float                *Y)
{
  OvTsneParams params;
  g_autoptr (GError) error = NULL;

  ov_tsne_params_init (&params);
  params.gradient = method;
  params.knn = knn;
  params.n_threads = threads;
  params.seed = seed;
  params.n_iter = 120;
  params.early_exag_iter = 60;
  g_assert_true (ov_tsne_run (X, n, dim, &params, Y, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_reproducible (void)
{
  /* large enough for two threads in every stage */
  gsize n = 2000, dim = 16;
  g_autofree float *X = make_blobs (n, dim, 8, 51, NULL);
  g_autofree float *a = g_new (float, 2 * n);
  g_autofree float *b = g_new (float, 2 * n);

  run_small (X, n, dim, OV_TSNE_GRADIENT_FFT, OV_TSNE_KNN_FOREST, 2, 7, a);
  run_small (X, n, dim, OV_TSNE_GRADIENT_FFT, OV_TSNE_KNN_FOREST, 2, 7, b);
  g_assert_cmpmem (a, 2 * n * sizeof (float), b, 2 * n * sizeof (float));

  run_small (X, n, dim, OV_TSNE_GRADIENT_EXACT, OV_TSNE_KNN_EXACT, 2, 7, a);
  run_small (X, n, dim, OV_TSNE_GRADIENT_EXACT, OV_TSNE_KNN_EXACT, 2, 7, b);
  g_assert_cmpmem (a, 2 * n * sizeof (float), b, 2 * n * sizeof (float));

  /* a different seed gives a different forest, hence another map */
  run_small (X, n, dim, OV_TSNE_GRADIENT_FFT, OV_TSNE_KNN_FOREST, 2, 8, b);
  g_assert_true (memcmp (a, b, 2 * n * sizeof (float)) != 0);

  /* however many threads OpenBLAS had: the tsne command (OpenBLAS's
   * default, one a processor) drew another map than embed --tsne and the
   * window (one, as the model backend sets it) from the same vectors */
  {
    gsize m = 266, wide = 128;
    g_autofree float *V = make_blobs (m, wide, 24, 52, NULL);
    g_autofree float *c = g_new (float, 2 * m);
    g_autofree float *d = g_new (float, 2 * m);

    openblas_set_num_threads (2);
    g_assert_true (ov_tsne_run (V, m, wide, NULL, c, NULL, NULL, NULL, NULL));
    openblas_set_num_threads (1);
    g_assert_true (ov_tsne_run (V, m, wide, NULL, d, NULL, NULL, NULL, NULL));
    g_assert_cmpmem (c, 2 * m * sizeof (float), d, 2 * m * sizeof (float));
  }
}

static void
test_cancel (void)
{
  gsize n = 300, dim = 5;
  g_autofree float *X = make_blobs (n, dim, 3, 61, NULL);
  g_autofree float *Y = g_new (float, 2 * n);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  ProgressProbe probe = { .stop_at = 50 };
  OvTsneParams params;

  ov_tsne_params_init (&params);
  params.progress_every = 10;
  params.n_threads = 2;
  g_assert_false (ov_tsne_run (X, n, dim, &params, Y, probe_cb, &probe, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (probe.last_iter, ==, 50);
  g_assert_cmpint (probe.calls, ==, 5);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  g_assert_false (ov_tsne_run (X, n, dim, &params, Y, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct {
  int    calls, n_nan;
  double last_kl;
} KlProbe;

static gboolean
kl_probe_cb (int          iter,
             int          n_iter,
             const float *Y,
             gsize        n,
             double       kl,
             gpointer     user_data)
{
  KlProbe *p = user_data;

  p->calls++;
  p->n_nan += isnan (kl);
  p->last_kl = kl;
  return TRUE;
}

/* Reports without the KL: NaN until the last one, and the same map. */
static void
test_progress_without_kl (void)
{
  gsize n = 300, dim = 5;
  g_autofree float *X = make_blobs (n, dim, 3, 67, NULL);
  g_autofree float *a = g_new (float, 2 * n);
  g_autofree float *b = g_new (float, 2 * n);
  g_autoptr (GError) error = NULL;
  KlProbe with = { 0 }, without = { 0 };
  OvTsneParams params;
  OvTsneStats stats;

  ov_tsne_params_init (&params);
  g_assert_true (params.progress_kl);
  params.n_threads = 2;
  params.n_iter = 200;
  params.early_exag_iter = 50;
  params.progress_every = 1;
  g_assert_true (ov_tsne_run (X, n, dim, &params, a, kl_probe_cb, &with, NULL, &error));
  g_assert_no_error (error);
  params.progress_kl = FALSE;
  g_assert_true (ov_tsne_run_full (X, n, dim, &params, b, kl_probe_cb, &without, NULL, &stats,
                                   &error));
  g_assert_no_error (error);
  g_assert_cmpint (with.calls, ==, 200);
  g_assert_cmpint (with.n_nan, ==, 0);
  g_assert_cmpint (without.calls, ==, 200);
  g_assert_cmpint (without.n_nan, ==, 199);
  g_assert_cmpfloat (without.last_kl, ==, with.last_kl);
  g_assert_cmpfloat (stats.kl, ==, with.last_kl);
  g_assert_cmpmem (a, 2 * n * sizeof (float), b, 2 * n * sizeof (float));
}

static void
test_bad_input (void)
{
  gsize n = 50, dim = 3;
  g_autofree float *X = make_blobs (n, dim, 2, 71, NULL);
  g_autofree float *Y = g_new (float, 2 * n);
  g_autoptr (GError) error = NULL;
  OvTsneParams params;

  ov_tsne_params_init (&params);
  params.perplexity = 50.0;
  g_assert_false (ov_tsne_run (X, n, dim, &params, Y, NULL, NULL, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  params.perplexity = 5.0;
  X[7 * dim + 1] = NAN;
  g_assert_false (ov_tsne_run (X, n, dim, &params, Y, NULL, NULL, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "row 7"));
  g_clear_error (&error);

  /* finite, but its squared distances overflow float (this crashed the
   * neighbour search) */
  X[7 * dim + 1] = 1e19f;
  g_assert_false (ov_tsne_run (X, n, dim, &params, Y, NULL, NULL, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "row 7"));
  g_assert_nonnull (strstr (error->message, "overflow"));
  g_clear_error (&error);
  X[7 * dim + 1] = 0.0f;

  g_assert_false (ov_tsne_run (X, 2, dim, &params, Y, NULL, NULL, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
}

/* Duplicate points and a tiny set with k = n - 1 still give finite maps. */
static void
test_degenerate (void)
{
  gsize n = 40, dim = 4;
  g_autofree float *X = g_new0 (float, n * dim);
  g_autofree float *Y = g_new (float, 2 * n);
  g_autoptr (GError) error = NULL;
  OvTsneParams params;

  for (gsize i = 20; i < n; i++)
    X[i * dim] = 1.0f;
  ov_tsne_params_init (&params);
  params.perplexity = 15.0;
  params.n_iter = 200;
  g_assert_true (ov_tsne_run (X, n, dim, &params, Y, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  for (gsize a = 0; a < 2 * n; a++)
    g_assert_true (isfinite (Y[a]));
}

static void
test_readers (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-tsne-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "v.csv", NULL);
  g_autofree char *npy = g_build_filename (dir, "v.npy", NULL);
  g_autofree char *st = g_build_filename (dir, "v.safetensors", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.npy", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (OvTsneLabels) labels = NULL;
  g_autofree float *X = NULL;
  gsize n, dim;
  /* 2 x 3 float64 .npy */
  static const char npy_header[] =
    "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
  GString *s = g_string_new_len (npy_header, sizeof npy_header - 1);
  static const double vals[6] = { 1, 2, 3, 4, 5, -6.5 };
  static const float fvals[6] = { 0.5f, 1, 2, 3, 4, 5 };
  static const gint64 lvals[3] = { 7, 3, 7 };
  OvTensorView views[2] = {
    { "vectors", OV_DTYPE_F32, 2, { 3, 2 }, fvals },
    { "labels", OV_DTYPE_I64, 1, { 3 }, lvals },
  };

  g_assert_true (g_file_set_contents (csv, "a,b,c\n1, 2, 3\n4,5,6.5\n\n", -1, NULL));
  X = ov_tsne_load_vectors (csv, &n, &dim, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (dim, ==, 3);
  g_assert_cmpfloat (X[5], ==, 6.5f);
  g_clear_pointer (&X, g_free);

  /* After a byte order mark the first row is still numbers, not a header
   * (it was dropped); a second header line is refused. */
  g_assert_true (g_file_set_contents (csv, "\xef\xbb\xbf" "1,2\n3,4\n5,6\n", -1, NULL));
  X = ov_tsne_load_vectors (csv, &n, &dim, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (X[0], ==, 1.0f);
  g_clear_pointer (&X, g_free);
  g_assert_true (g_file_set_contents (csv, "a,b\nc,d\n1,2\n", -1, NULL));
  g_assert_null (ov_tsne_load_vectors (csv, &n, &dim, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "v.csv:2"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (csv, "\xef\xbb\xbf" "a\nb\na\n", -1, NULL));
  labels = ov_tsne_load_labels (csv, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (labels->n_names, ==, 2);
  g_assert_cmpstr (labels->names[0], ==, "a");
  g_clear_pointer (&labels, ov_tsne_labels_free);

  while (s->len < 10 + 0x76 - 1)
    g_string_append_c (s, ' ');
  g_string_append_c (s, '\n');
  g_string_append_len (s, (const char *) vals, sizeof vals);
  g_assert_true (g_file_set_contents (npy, s->str, (gssize) s->len, NULL));
  X = ov_tsne_load_vectors (npy, &n, &dim, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (dim, ==, 3);
  g_assert_cmpfloat (X[5], ==, -6.5f);
  g_clear_pointer (&X, g_free);

  /* the same file cut short */
  g_assert_true (g_file_set_contents (bad, s->str, (gssize) s->len - 9, NULL));
  g_assert_null (ov_tsne_load_vectors (bad, &n, &dim, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_TRUNCATED);
  g_clear_error (&error);
  g_string_free (s, TRUE);

  g_assert_true (ov_safetensors_write (st, views, 2, &error));
  g_assert_no_error (error);
  X = ov_tsne_load_vectors (st, &n, &dim, &labels, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (dim, ==, 2);
  g_assert_cmpfloat (X[0], ==, 0.5f);
  g_assert_nonnull (labels);
  g_assert_cmpuint (labels->n_names, ==, 2);
  g_assert_cmpuint (labels->ids[2], ==, 0);
  g_assert_cmpstr (labels->names[0], ==, "7");
  g_assert_cmpstr (labels->names[1], ==, "3");

  g_assert_true (g_file_set_contents (csv, "1,2\n3\n", -1, NULL));
  g_assert_null (ov_tsne_load_vectors (csv, &n, &dim, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_SHAPE);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (csv, "x\ny\n", -1, NULL));
  g_assert_null (ov_tsne_load_labels (csv, 3, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_SHAPE);
  g_clear_error (&error);

  g_unlink (csv);
  g_unlink (npy);
  g_unlink (st);
  g_unlink (bad);
  g_rmdir (dir);
}

/* `oscarviz tsne` end to end: PNG, SVG and PDF figures and the CSV. */
static void
test_command (void)
{
  g_autofree char *exe = ov_test_oscarviz_path ();
  g_autofree char *dir = g_dir_make_tmp ("ov-tsne-cmd-XXXXXX", NULL);
  g_autofree char *xp = ov_test_source_path ("tests", "data", "tsne-mixture-500.npy", NULL);
  g_autofree char *lp = ov_test_source_path ("tests", "data", "tsne-mixture-500.labels", NULL);
  static const char *exts[] = { "png", "svg", "pdf" };
  static const char *magic[] = { "\x89PNG", "<?xml", "%PDF" };

  for (guint e = 0; e < G_N_ELEMENTS (exts); e++)
    {
      g_autofree char *name = g_strdup_printf ("map.%s", exts[e]);
      g_autofree char *fig = g_build_filename (dir, name, NULL);
      g_autofree char *csv = g_build_filename (dir, "map.csv", NULL);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *data = NULL;
      g_autoptr (GError) error = NULL;
      const char *argv[] = { exe, "tsne", xp, "--out", fig, "--csv", csv, "--labels", lp,
                             "--iterations", "100", "--threads", "2", "--quiet", NULL };
      int status;
      gsize len;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (err, ==, "");
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_true (g_file_get_contents (fig, &data, &len, NULL));
      g_assert_cmpuint (len, >, 1000);
      g_assert_true (memcmp (data, magic[e], strlen (magic[e])) == 0);
      g_clear_pointer (&data, g_free);
      /* readable by others as any written file is (not mkstemp's 0600) */
      {
        GStatBuf st;

        g_assert_cmpint (g_stat (fig, &st), ==, 0);
        g_assert_cmpint (st.st_mode & 0044, ==, 0644 & ~current_umask () & 0044);
      }
      g_assert_true (g_file_get_contents (csv, &data, &len, NULL));
      g_assert_true (g_str_has_prefix (data, "x,y,label\n"));
      /* header + 500 rows */
      {
        guint lines = 0;

        for (gsize a = 0; a < len; a++)
          lines += data[a] == '\n';
        g_assert_cmpuint (lines, ==, 501);
      }
      g_unlink (fig);
      g_unlink (csv);
    }

  /* bad input: a message naming the file and a non-zero status */
  {
    g_autofree char *fig = g_build_filename (dir, "map.png", NULL);
    g_autofree char *err = NULL;
    const char *argv[] = { exe, "tsne", "/nonexistent/v.npy", "--out", fig, NULL };
    int status;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 NULL, &err, &status, NULL));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "/nonexistent/v.npy"));
    g_assert_false (g_file_test (fig, G_FILE_TEST_EXISTS));
  }
  /* an embeddings file whose metadata cannot be read is still drawn, with a
   * warning naming the metadata (it was drawn as plain vectors without one) */
  {
    g_autofree char *emb = g_build_filename (dir, "e.safetensors", NULL);
    g_autofree char *meta = g_strconcat (emb, ".json", NULL);
    g_autofree char *labels = g_strconcat (emb, ".labels.txt", NULL);
    g_autofree char *fig = g_build_filename (dir, "map.svg", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GString) edited = NULL;
    g_autofree char *err = NULL;
    const char *embed[] = { exe, "embed", "--model", "demo", "--dataset", "demo", "--layer", "1",
                            "--limit", "3", "--out", emb, "--quiet", NULL };
    const char *argv[] = { exe, "tsne", emb, "--out", fig, "--iterations", "100", "--quiet",
                           NULL };
    int status;

    /* (its summary line kept out of the test's TAP output) */
    g_assert_true (g_spawn_sync (NULL, (char **) embed, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_true (g_file_get_contents (meta, &text, NULL, NULL));
    edited = g_string_new (text);
    g_assert_cmpuint (g_string_replace (edited, "\"version\":1", "\"version\":9", 1), ==,
                      1);
    g_assert_true (g_file_set_contents (meta, edited->str, -1, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 NULL, &err, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "warning"));
    g_assert_nonnull (strstr (err, "e.safetensors.json"));
    g_assert_true (g_file_test (fig, G_FILE_TEST_EXISTS));
    g_unlink (fig);
    g_unlink (emb);
    g_unlink (meta);
    g_unlink (labels);
  }
  /* what the engine refuses (two points) names the file too */
  {
    g_autofree char *fig = g_build_filename (dir, "map.png", NULL);
    g_autofree char *two = g_build_filename (dir, "two.csv", NULL);
    g_autofree char *err = NULL;
    const char *argv[] = { exe, "tsne", two, "--out", fig, NULL };
    int status;

    g_assert_true (g_file_set_contents (two, "1,2\n3,4\n", -1, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 NULL, &err, &status, NULL));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "two.csv: t-SNE needs at least 3 points"));
    g_assert_false (g_file_test (fig, G_FILE_TEST_EXISTS));
    g_unlink (two);
  }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/viz/tsne/calibration", test_calibration);
  g_test_add_func ("/viz/tsne/affinities", test_affinities);
  g_test_add_func ("/viz/tsne/gradient-finite-differences", test_gradient_finite_differences);
  g_test_add_func ("/viz/tsne/gradient-fast-paths", test_gradient_fast_paths);
  g_test_add_func ("/viz/tsne/forest-recall", test_forest_recall);
  g_test_add_func ("/viz/tsne/quality-vs-sklearn", test_quality_vs_sklearn);
  g_test_add_func ("/viz/tsne/reproducible", test_reproducible);
  g_test_add_func ("/viz/tsne/cancel", test_cancel);
  g_test_add_func ("/viz/tsne/progress-without-kl", test_progress_without_kl);
  g_test_add_func ("/viz/tsne/bad-input", test_bad_input);
  g_test_add_func ("/viz/tsne/degenerate", test_degenerate);
  g_test_add_func ("/viz/tsne/readers", test_readers);
  g_test_add_func ("/viz/tsne/command", test_command);
  return g_test_run ();
}
