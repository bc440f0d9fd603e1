/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Times ov_model_caption on one checkpoint folder, cached against uncached,
 * greedy and beam search, with random region features and a fixed tag
 * string. Prints the median of the runs in milliseconds.
 *
 * Usage: bench-caption CHECKPOINT_DIR [RUNS] [BEAMS] [cached]
 * (with "cached", only the cached decoder runs)
 */
#define G_LOG_DOMAIN "bench-caption"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model/ov-device.h"
#include "model/ov-model.h"

/* CPU time of the process: with one thread it does not grow when other
 * programs share the cores. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autofree float *feats = NULL;
  const char *tags = "dog couch pillow blanket lamp window curtain table remote rug plant cup "
                     "book cutting board bowl wall floor chair vase";
  int runs = argc > 2 ? atoi (argv[2]) : 5;
  int beams = argc > 3 ? atoi (argv[3]) : 1;
  OvRegions regions;
  int d;
  gint64 t0;

  ov_blas_reexec_if_generic (argv);
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s CHECKPOINT_DIR [RUNS] [BEAMS] [cached]\n", argv[0]);
      return 2;
    }
  t0 = g_get_monotonic_time ();
  model = ov_model_load (argv[1], NULL, &error);
  if (model == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("load: %.1f ms, %s\n", (g_get_monotonic_time () - t0) / 1000.0,
          ov_model_get_backend_description (model));
  d = ov_model_get_config (model)->img_feature_dim;
  feats = g_new (float, 50 * d);
  for (int i = 0; i < 50 * d; i++)
    feats[i] = g_rand_double (rand) < 0.5 ? 0.0f : (float) g_rand_double (rand);
  regions.features = feats;
  regions.n_regions = 50;
  regions.dim = d;

  for (int cached = 1; cached >= (argc > 4 && g_str_equal (argv[4], "cached")); cached--)
    {
      g_autofree double *ms = g_new (double, runs);
      g_autofree double *cpu = g_new (double, runs);
      g_autofree char *text = NULL;
      OvCaptionOptions opts;

      ov_caption_options_init (&opts);
      opts.num_beams = beams;
      opts.use_cache = cached;
      for (int r = 0; r < runs; r++)
        {
          g_autoptr(GPtrArray) caps = NULL;

          double c0 = cpu_ms ();

          t0 = g_get_monotonic_time ();
          caps = ov_model_caption (model, tags, &regions, &opts, NULL, &error);
          ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
          cpu[r] = cpu_ms () - c0;
          if (caps == NULL)
            {
              fprintf (stderr, "%s\n", error->message);
              return 1;
            }
          g_free (text);
          text = g_strdup (((OvCaption *) caps->pdata[0])->text);
        }
      qsort (ms, runs, sizeof (double), compare_double);
      qsort (cpu, runs, sizeof (double), compare_double);
      printf ("%s, %d beam%s: wall median %.2f ms (min %.2f, max %.2f), CPU median %.2f ms, "
              "%d runs: \"%s\"\n", cached ? "cached" : "uncached", beams, beams == 1 ? "" : "s",
              ms[runs / 2], ms[0], ms[runs - 1], cpu[runs / 2], runs, text);
    }
  return 0;
}
