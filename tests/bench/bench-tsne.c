/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Benchmark driver for the t-SNE engine.
 *   bench-tsne run X.npy THREADS ITERATIONS PERPLEXITY [Y.csv]
 *     times one run (phases, wall, peak RSS) and scores it;
 *   bench-tsne score X.npy Y.npy THREADS PERPLEXITY
 *     scores an embedding made elsewhere (scikit-learn's) the same way.
 * Scores: KL(P || Q) against P computed by ov_tsne_affinities_new (exact kNN
 * up to 60 000 points) and 10-NN preservation on 5 000 seeded query points.
 * Output: one line of key=value pairs.
 */
#define G_LOG_DOMAIN "bench-tsne"

#include "config.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "viz/ov-tsne.h"
#include "viz/ov-tsne-io.h"

static long
peak_rss_mb (double *cpu_s)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  *cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec
           + ru.ru_stime.tv_usec / 1e6;
  return ru.ru_maxrss / 1024;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
score (const float *X,
       gsize        n,
       gsize        dim,
       const float *Y,
       int          threads,
       double       perplexity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OvTsneAffinities) P = NULL;
  gint64 t0 = g_get_monotonic_time ();
  double kl, pres;

  P = ov_tsne_affinities_new (X, n, dim, perplexity, OV_TSNE_KNN_AUTO, 60000, 1, threads,
                              NULL, &error);
  if (P == NULL)
    {
      g_printerr ("%s\n", error->message);
      exit (1);
    }
  kl = ov_tsne_kl_divergence (P, Y, threads);
  pres = ov_tsne_knn_preservation (X, n, dim, Y, 10, 5000, 1, threads);
  printf (" kl=%.4f knn10=%.4f score_s=%.1f", kl, pres,
          (g_get_monotonic_time () - t0) / 1e6);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *X = NULL;
  gsize n, dim;
  int threads;
  double perplexity;

  if (argc >= 6 && g_str_equal (argv[1], "run"))
    {
      OvTsneParams params;
      OvTsneStats stats;
      g_autofree float *Y = NULL;
      gint64 t0;
      double wall, cpu;
      long rss;

      X = ov_tsne_load_vectors (argv[2], &n, &dim, NULL, &error);
      if (X == NULL)
        goto fail;
      threads = atoi (argv[3]);
      ov_tsne_params_init (&params);
      params.n_threads = threads;
      params.n_iter = atoi (argv[4]);
      params.perplexity = g_ascii_strtod (argv[5], NULL);
      if (g_getenv ("BENCH_TSNE_GRADIENT") != NULL)
        params.gradient = atoi (g_getenv ("BENCH_TSNE_GRADIENT"));
      if (g_getenv ("BENCH_TSNE_KNN") != NULL)
        params.knn = atoi (g_getenv ("BENCH_TSNE_KNN"));
      if (g_getenv ("BENCH_TSNE_BOXES") != NULL)
        params.fft_max_boxes = atoi (g_getenv ("BENCH_TSNE_BOXES"));
      if (g_getenv ("BENCH_TSNE_NODES") != NULL)
        params.fft_nodes = atoi (g_getenv ("BENCH_TSNE_NODES"));
      Y = g_new (float, 2 * n);
      t0 = g_get_monotonic_time ();
      if (!ov_tsne_run_full (X, n, dim, &params, Y, NULL, NULL, NULL, &stats, &error))
        goto fail;
      wall = (g_get_monotonic_time () - t0) / 1e6;
      rss = peak_rss_mb (&cpu);
      printf ("n=%" G_GSIZE_FORMAT " dim=%" G_GSIZE_FORMAT " threads=%d wall_s=%.2f cpu_s=%.1f"
              " knn_s=%.2f"
              " affinity_s=%.2f init_s=%.2f optimise_s=%.2f peak_mb=%ld gradient=%s knn=%s"
              " nnz=%" G_GSIZE_FORMAT " kl_opt=%.4f",
              n, dim, threads, wall, cpu, stats.knn_seconds, stats.affinity_seconds,
              stats.init_seconds, stats.optimise_seconds, rss,
              stats.gradient_used == OV_TSNE_GRADIENT_FFT ? "fft" : "exact",
              stats.knn_used == OV_TSNE_KNN_FOREST ? "forest" : "exact", stats.nnz, stats.kl);
      fflush (stdout);
      score (X, n, dim, Y, threads, params.perplexity);
      printf ("\n");
      if (argc >= 7 && !ov_tsne_save_csv (argv[6], Y, n, NULL, NULL, 0, &error))
        goto fail;
      return 0;
    }
  if (argc >= 6 && g_str_equal (argv[1], "score"))
    {
      g_autofree float *Y = NULL;
      gsize ny, d2;

      X = ov_tsne_load_vectors (argv[2], &n, &dim, NULL, &error);
      if (X == NULL)
        goto fail;
      Y = ov_tsne_load_vectors (argv[3], &ny, &d2, NULL, &error);
      if (Y == NULL)
        goto fail;
      if (ny != n || d2 != 2)
        {
          g_printerr ("%s: expected (%" G_GSIZE_FORMAT ", 2)\n", argv[3], n);
          return 1;
        }
      threads = atoi (argv[4]);
      perplexity = g_ascii_strtod (argv[5], NULL);
      printf ("n=%" G_GSIZE_FORMAT, n);
      score (X, n, dim, Y, threads, perplexity);
      printf ("\n");
      return 0;
    }
  if (argc >= 5 && g_str_equal (argv[1], "knn"))
    {
      /* knn X.npy THREADS METHOD(1 exact, 2 forest): time and recall@90 */
      g_autofree guint32 *idx = NULL;
      g_autofree float *d2 = NULL;
      gint64 t0;
      double secs;

      X = ov_tsne_load_vectors (argv[2], &n, &dim, NULL, &error);
      if (X == NULL)
        goto fail;
      threads = atoi (argv[3]);
      idx = g_new (guint32, n * 90);
      d2 = g_new (float, n * 90);
      t0 = g_get_monotonic_time ();
      if (!ov_tsne_knn (X, n, dim, 90, atoi (argv[4]), 1, threads, idx, d2, NULL, &error))
        goto fail;
      secs = (g_get_monotonic_time () - t0) / 1e6;
      printf ("n=%" G_GSIZE_FORMAT " knn_s=%.2f recall90=%.4f\n", n, secs,
              ov_tsne_knn_recall (X, n, dim, idx, 90, 1000, 3, threads));
      return 0;
    }
  if (argc >= 7 && g_str_equal (argv[1], "graderr"))
    {
      /* graderr X.npy Y.csv THREADS NODES BOXES: FFT against exact gradient */
      g_autofree float *Yf = NULL;
      g_autofree double *Y = NULL, *ge = NULL, *gf = NULL;
      g_autoptr (OvTsneAffinities) P = NULL;
      OvTsneParams params;
      gsize ny, d2;
      double kle, klf, num = 0, den = 0;
      GArray *rel = g_array_new (FALSE, FALSE, sizeof (double));
      const char *exag_env = g_getenv ("BENCH_TSNE_EXAG");
      double exag = exag_env != NULL ? g_ascii_strtod (exag_env, NULL) : 1.0;
      gint64 t0;

      X = ov_tsne_load_vectors (argv[2], &n, &dim, NULL, &error);
      Yf = X != NULL ? ov_tsne_load_vectors (argv[3], &ny, &d2, NULL, &error) : NULL;
      if (Yf == NULL)
        goto fail;
      ov_tsne_params_init (&params);
      params.n_threads = atoi (argv[4]);
      params.fft_nodes = atoi (argv[5]);
      params.fft_max_boxes = atoi (argv[6]);
      P = ov_tsne_affinities_new (X, n, dim, 30, OV_TSNE_KNN_AUTO, 60000, 1, params.n_threads,
                                  NULL, &error);
      if (P == NULL)
        goto fail;
      Y = g_new (double, 2 * n);
      ge = g_new (double, 2 * n);
      gf = g_new (double, 2 * n);
      for (gsize a = 0; a < 2 * n; a++)
        Y[a] = Yf[a];
      kle = ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_EXACT, exag, &params, ge);
      t0 = g_get_monotonic_time ();
      klf = ov_tsne_objective (P, Y, OV_TSNE_GRADIENT_FFT, exag, &params, gf);
      for (gsize i = 0; i < n; i++)
        {
          double ex = ge[2 * i] - gf[2 * i], ey = ge[2 * i + 1] - gf[2 * i + 1];
          double r = sqrt ((ex * ex + ey * ey)
                           / (ge[2 * i] * ge[2 * i] + ge[2 * i + 1] * ge[2 * i + 1] + 1e-300));

          g_array_append_val (rel, r);
          num += ex * ex + ey * ey;
          den += ge[2 * i] * ge[2 * i] + ge[2 * i + 1] * ge[2 * i + 1];
        }
      g_array_sort (rel, (GCompareFunc) cmp_double);
      printf ("kl_exact=%.6f kl_fft=%.6f rel_l2=%.3g median_rel=%.3g p99_rel=%.3g fft_ms=%.1f\n",
              kle, klf, sqrt (num / den), g_array_index (rel, double, n / 2),
              g_array_index (rel, double, n * 99 / 100), (g_get_monotonic_time () - t0) / 1e3);
      g_array_free (rel, TRUE);
      return 0;
    }
  g_printerr ("usage: bench-tsne run X.npy THREADS ITERATIONS PERPLEXITY [Y.csv]\n"
              "       bench-tsne score X.npy Y.npy THREADS PERPLEXITY\n");
  return 2;

fail:
  g_printerr ("%s\n", error->message);
  return 1;
}
