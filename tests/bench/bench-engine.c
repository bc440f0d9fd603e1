/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The engine benchmark's C side, one mode a process so that each peak
 * memory figure is its own: "rates" measures the machine (memory read
 * bandwidth, of a fresh array and of a mapped checkpoint file; OpenBLAS
 * sgemm at the encoder's shapes), "caption" and "vqa"
 * time checkpoint loading and the tasks on a base-size checkpoint. Every
 * mode prints one JSON object; tests/bench/bench-engine.sh runs them beside
 * the PyTorch reference and tools/bench/engine-summary.py compares.
 */
#define G_LOG_DOMAIN "bench-engine"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "model/ov-device.h"
#include "model/ov-model.h"

static const char tags[] = "dog couch pillow blanket lamp window curtain table remote rug "
                           "plant cup book cutting board bowl wall floor chair vase";
static const char question[] = "what color is the dog lying on the big brown couch?";

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* Peak resident set of this process in bytes (Linux reports KiB). */
static gint64
peak_rss (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (gint64) ru.ru_maxrss * 1024;
}

static void
print_list (GString *out, const char *key, const double *v, int n)
{
  g_string_append_printf (out, "\"%s\": [", key);
  for (int i = 0; i < n; i++)
    g_string_append_printf (out, "%s%.6f", i > 0 ? ", " : "", v[i]);
  g_string_append (out, "], ");
}

static void
print_ids (GString *out, const char *key, const gint32 *ids, int n)
{
  g_string_append_printf (out, "\"%s\": [", key);
  for (int i = 0; i < n; i++)
    g_string_append_printf (out, "%s%d", i > 0 ? ", " : "", ids[i]);
  g_string_append (out, "], ");
}

/* ---- rates ---- */

typedef float Bv8 __attribute__ ((vector_size (32)));

/* Sum of n floats (n a multiple of 32) with four independent accumulators;
 * with prefetch, also asking for the lines 16 KB ahead into L2, as the
 * engine's few-row kernel reads its weights: on some machines the hardware
 * prefetcher alone leaves much of the bandwidth unused, and a floor must
 * not be slower than what the engine itself reaches. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__ ((target ("avx2")))
#endif
static float
sum_block (const float *a, gsize n, gboolean prefetch)
{
  Bv8 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
  float s = 0.0f;

  for (gsize i = 0; i < n; i += 32)
    {
      if (prefetch)
        {
          __builtin_prefetch (a + i + 4096, 0, 1);
          __builtin_prefetch (a + i + 4096 + 16, 0, 1);
        }
      s0 += *(const Bv8 *) (a + i);
      s1 += *(const Bv8 *) (a + i + 8);
      s2 += *(const Bv8 *) (a + i + 16);
      s3 += *(const Bv8 *) (a + i + 24);
    }
  s0 += s1 + s2 + s3;
  for (int j = 0; j < 8; j++)
    s += s0[j];
  return s;
}

/* Best of five passes over n floats at a, all threads reading, each pass
 * both without and with software prefetch. GB/s. */
static double
best_read (const float *a, gsize n, int n_threads, double *sink)
{
  double best = 0.0;

  for (int pass = 0; pass < 10; pass++)
    {
      double t0 = now_s (), total = 0.0;
      gboolean prefetch = pass % 2 == 1;

#pragma omp parallel num_threads(n_threads) reduction(+:total)
      {
#ifdef _OPENMP
        int t = omp_get_thread_num (), nt = omp_get_num_threads ();
#else
        int t = 0, nt = 1;
#endif
        gsize chunk = (n / nt) & ~(gsize) 31;
        gsize lo = chunk * t, len = t == nt - 1 ? n - lo : chunk;

        total += sum_block (a + lo, len & ~(gsize) 31, prefetch);
      }
      *sink += total;
      best = MAX (best, n * sizeof (float) / (now_s () - t0) / 1e9);
    }
  return best;
}

/* The machine's read bandwidth: a fresh 1 GiB array. GB/s. */
static double
read_bandwidth (int n_threads, double *sink)
{
  gsize n = (gsize) 1 << 28;
  float *a = NULL;
  double best;

  if (posix_memalign ((void **) &a, 64, n * sizeof (float)) != 0)
    return 0.0;
#pragma omp parallel for num_threads(n_threads) schedule(static)
  for (gsize i = 0; i < n; i++)
    a[i] = (float) (i & 7);
  best = best_read (a, n, n_threads, sink);
  free (a);
  return best;
}

/* The same reads over a file mapped as the engine maps a checkpoint, its
 * pages where the page cache keeps them. On a virtual machine those pages
 * can sit in memory that reads well below a fresh array (seen: 20 against
 * 29 GB/s for one checkpoint, while a copy of the same file read at 29);
 * the engine then streams its weights at the lower rate. GB/s, or 0. */
static double
file_read_bandwidth (const char *path, int n_threads, double *sink)
{
  g_autoptr(GMappedFile) map = g_mapped_file_new (path, FALSE, NULL);
  const char *data;
  gsize len, skip;

  if (map == NULL || g_mapped_file_get_length (map) < (1 << 20))
    return 0.0;
  data = g_mapped_file_get_contents (map);
  len = g_mapped_file_get_length (map);
  skip = (64 - (guintptr) data % 64) % 64;
  return best_read ((const float *) (data + skip), (len - skip) / sizeof (float) & ~(gsize) 31,
                            n_threads, sink);
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Median GFLOP/s of C (M, N) = X (M, K) · W (N, K)ᵀ over nine calls. */
static double
sgemm_rate (int m, int n, int k)
{
  g_autofree float *x = g_new (float, (gsize) m * k);
  g_autofree float *w = g_new (float, (gsize) n * k);
  g_autofree float *c = g_new (float, (gsize) m * n);
  double r[9];

  for (gsize i = 0; i < (gsize) m * k; i++)
    x[i] = (float) ((i * 7) % 13) * 0.01f;
  for (gsize i = 0; i < (gsize) n * k; i++)
    w[i] = (float) ((i * 5) % 11) * 0.01f;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, w, k,
               0.0f, c, n);
  for (int s = 0; s < 9; s++)
    {
      double t0 = now_s ();
      int reps = 0;

      do
        {
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, w, k,
                       0.0f, c, n);
          reps++;
        }
      while (now_s () - t0 < 0.05);
      r[s] = 2.0 * m * n * k * reps / (now_s () - t0) / 1e9;
    }
  qsort (r, 9, sizeof (double), compare_double);
  return r[4];
}

static int
run_rates (const char *weights_file)
{
  static const int ms[] = { 80, 85, 178 };
  GString *out = g_string_new ("{\"mode\": \"rates\", ");
  double sink = 0.0, bw2, bw1;

  bw2 = read_bandwidth (2, &sink);
  bw1 = read_bandwidth (1, &sink);
  g_string_append_printf (out, "\"bandwidth_gbs_2thr\": %.3f, \"bandwidth_gbs_1thr\": %.3f, ",
                          bw2, bw1);
  if (weights_file != NULL)
    {
      /* the file's floats may sum to anything, NaN included: not printed */
      double file_sink = 0.0;

      g_string_append_printf (out, "\"weights_file_gbs_2thr\": %.3f, ",
                              file_read_bandwidth (weights_file, 2, &file_sink));
    }
  g_string_append (out, "\"sgemm\": {");
  for (guint i = 0; i < G_N_ELEMENTS (ms); i++)
    {
      /* the encoder mix: Q/K/V/O a third of the FLOPs, the FFN two thirds */
      double qkvo = sgemm_rate (ms[i], 768, 768);
      double up = sgemm_rate (ms[i], 3072, 768);
      double down = sgemm_rate (ms[i], 768, 3072);
      double mix = 1.0 / ((1.0 / 3) / qkvo + (1.0 / 3) / up + (1.0 / 3) / down);

      g_string_append_printf (out, "%s\"%d\": {\"qkvo\": %.2f, \"ffn_up\": %.2f, "
                              "\"ffn_down\": %.2f, \"mix\": %.2f}", i > 0 ? ", " : "",
                              ms[i], qkvo, up, down, mix);
    }
  g_string_append_printf (out, "}, \"openblas\": \"%s\", \"openblas_threads\": %d, "
                          "\"checksum\": %g}\n", openblas_get_config (),
                          openblas_get_num_threads (), sink);
  fputs (out->str, stdout);
  g_string_free (out, TRUE);
  return 0;
}

/* ---- tasks ---- */

static float *
read_regions (const char *path, int dim, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  if (len != (gsize) 50 * dim * sizeof (float))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: %zu bytes, expected 50 x %d float32", path, len, dim);
      return NULL;
    }
  return (float *) g_steal_pointer (&data);
}

static OvModel *
load_timed (const char *dir, int n_loads, GString *out)
{
  g_autofree double *t = g_new (double, n_loads);
  OvModel *model = NULL;
  OvModelOptions opts;

  /* the CPU engine, without a look for a CUDA device first */
  ov_model_options_init (&opts);
  opts.device = OV_DEVICE_CPU;
  for (int i = 0; i < n_loads; i++)
    {
      g_autoptr(GError) error = NULL;
      double t0;

      g_clear_pointer (&model, ov_model_free);
      t0 = now_s ();
      model = ov_model_load (dir, &opts, &error);
      t[i] = now_s () - t0;
      if (model == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          exit (1);
        }
    }
  print_list (out, "load_s", t, n_loads);
  g_string_append_printf (out, "\"backend\": \"%s\", ",
                          ov_model_get_backend_description (model));
  return model;
}

/* Runs one caption setting `runs` times (times in key_s) and prints the
 * ids of the last run under key_ids. */
static gboolean
caption_runs (OvModel *model, const OvRegions *regions, int beams, gboolean cached, int runs,
              const char *key, GString *out)
{
  g_autofree double *t = g_new (double, runs);
  g_autofree char *k_s = g_strdup_printf ("%s_s", key);
  g_autofree char *k_ids = g_strdup_printf ("%s_ids", key);
  g_autoptr(GPtrArray) caps = NULL;
  OvCaptionOptions opts;
  OvCaption *best;

  ov_caption_options_init (&opts);
  opts.num_beams = beams;
  opts.use_cache = cached;
  opts.max_length = 20;
  for (int r = 0; r < runs; r++)
    {
      g_autoptr(GError) error = NULL;
      double t0 = now_s ();

      g_clear_pointer (&caps, g_ptr_array_unref);
      caps = ov_model_caption (model, tags, regions, &opts, NULL, &error);
      t[r] = now_s () - t0;
      if (caps == NULL || caps->len == 0)
        {
          fprintf (stderr, "caption: %s\n", error != NULL ? error->message : "no caption");
          return FALSE;
        }
    }
  best = caps->pdata[0];
  print_list (out, k_s, t, runs);
  print_ids (out, k_ids, (const gint32 *) best->ids->data, best->ids->len);
  return TRUE;
}

static int
run_caption (const char *dir, const char *regions_path, int runs, gboolean uncached)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvEncoding) enc = NULL;
  g_autofree float *feats = NULL;
  GString *out = g_string_new ("{\"mode\": \"caption\", ");
  gint32 cls;
  OvRegions regions;

  model = load_timed (dir, 3, out);
  g_string_append_printf (out, "\"rss_after_load\": %" G_GINT64_FORMAT ", ", peak_rss ());
  feats = read_regions (regions_path, ov_model_get_config (model)->img_feature_dim, &error);
  if (feats == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  regions.features = feats;
  regions.n_regions = 50;
  regions.dim = ov_model_get_config (model)->img_feature_dim;
  cls = ov_tokenizer_cls_id (ov_model_get_tokenizer (model));
  enc = ov_model_prepare_caption_step (model, &cls, 1, tags, &regions, &error);
  if (enc == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  print_ids (out, "step1_text_ids", enc->input_ids, enc->inputs.n_text);

  /* one warm-up of each, then the timed runs */
  if (!caption_runs (model, &regions, 1, TRUE, 1, "warmup_greedy", out)
      || !caption_runs (model, &regions, 1, TRUE, runs, "greedy", out)
      || !caption_runs (model, &regions, 5, TRUE, 1, "warmup_beam5", out)
      || !caption_runs (model, &regions, 5, TRUE, runs, "beam5", out))
    return 1;
  g_string_append_printf (out, "\"rss_after_cached\": %" G_GINT64_FORMAT ", ", peak_rss ());
  if (uncached
      && (!caption_runs (model, &regions, 1, FALSE, 1, "greedy_uncached", out)
          || !caption_runs (model, &regions, 5, FALSE, 1, "beam5_uncached", out)))
    return 1;
  g_string_append_printf (out, "\"peak_rss\": %" G_GINT64_FORMAT "}\n", peak_rss ());
  fputs (out->str, stdout);
  g_string_free (out, TRUE);
  return 0;
}

static int
run_vqa (const char *dir, const char *regions_path, int runs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvEncoding) enc = NULL;
  g_autofree float *feats = NULL;
  g_autofree double *t = g_new (double, runs);
  g_autofree float *logits = NULL;
  GString *out = g_string_new ("{\"mode\": \"vqa\", ");
  OvRegions regions;
  int n = 0, best = 0;

  model = load_timed (dir, 3, out);
  g_string_append_printf (out, "\"rss_after_load\": %" G_GINT64_FORMAT ", ", peak_rss ());
  feats = read_regions (regions_path, ov_model_get_config (model)->img_feature_dim, &error);
  if (feats == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  regions.features = feats;
  regions.n_regions = 50;
  regions.dim = ov_model_get_config (model)->img_feature_dim;
  enc = ov_model_prepare_vqa (model, question, tags, &regions, &error);
  if (enc == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  print_ids (out, "text_ids", enc->input_ids, enc->inputs.n_text);
  for (int r = -1; r < runs; r++)
    {
      double t0 = now_s ();

      g_clear_pointer (&logits, g_free);
      logits = ov_model_classify (model, question, tags, &regions, &n, NULL, &error);
      if (logits == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      if (r >= 0)
        t[r] = now_s () - t0;
    }
  for (int i = 1; i < n; i++)
    if (logits[i] > logits[best])
      best = i;
  print_list (out, "vqa_s", t, runs);
  g_string_append_printf (out, "\"argmax\": %d, \"logits_head\": [", best);
  for (int i = 0; i < MIN (n, 16); i++)
    g_string_append_printf (out, "%s%.7g", i > 0 ? ", " : "", logits[i]);
  g_string_append_printf (out, "], \"peak_rss\": %" G_GINT64_FORMAT "}\n", peak_rss ());
  fputs (out->str, stdout);
  g_string_free (out, TRUE);
  return 0;
}

int
main (int argc, char **argv)
{
  /* what bench-engine.sh exports for both sides, so that the reference's
   * torch gets the same OpenBLAS kernels as the engine */
  if (argc >= 2 && g_str_equal (argv[1], "blas-core"))
    {
      const char *core = ov_blas_better_core ();

      if (core != NULL)
        puts (core);
      return 0;
    }
  ov_blas_reexec_if_generic (argv);
  if (argc >= 2 && g_str_equal (argv[1], "rates"))
    return run_rates (argc >= 3 ? argv[2] : NULL);
  if (argc >= 5 && g_str_equal (argv[1], "caption"))
    return run_caption (argv[2], argv[3], atoi (argv[4]),
                        !(argc >= 6 && g_str_equal (argv[5], "cached-only")));
  if (argc >= 5 && g_str_equal (argv[1], "vqa"))
    return run_vqa (argv[2], argv[3], atoi (argv[4]));
  fprintf (stderr, "usage: %s rates [CHECKPOINT_FILE]\n"
           "       %s caption CHECKPOINT_DIR REGIONS.f32 RUNS [cached-only]\n"
           "       %s vqa CHECKPOINT_DIR REGIONS.f32 RUNS\n"
           "       %s blas-core\n", argv[0], argv[0], argv[0], argv[0]);
  return 2;
}
