/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The GPU benchmark's C side: one backend and precision a process, on the
 * base-size checkpoints of tools/bench/make-base-checkpoint.py. Times the
 * load, beam-5 and greedy captions (max length 20) and, on a device, where
 * a beam-5 caption's time goes (time_decode_parts), a VQA forward, and a
 * dataset embedding pass (every layer's hidden states of each image), and
 * prints one JSON object; it also writes the VQA sequence output to
 * OUT_DIR/<name>.hidden.f32 so tools/bench/gpu-summary.py can compare
 * backends. Run by tests/bench/gpu-check.sh.
 */
#define G_LOG_DOMAIN "bench-gpu"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "model/ov-backend-cuda.h"
#include "model/ov-device.h"
#include "model/ov-model.h"
#include "model/ov-model-private.h"

/* s as a JSON string, quotes included (any text, any script). */
static char *
json_quote (const char *s)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, s);
  return json_to_string (node, FALSE);
}

static const char tags[] = "dog couch pillow blanket lamp window curtain table remote rug "
                           "plant cup book cutting board bowl wall floor chair vase";
static const char question[] = "what color is the dog lying on the big brown couch?";

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

G_GNUC_NORETURN static void
die (const char *what, GError *error)
{
  fprintf (stderr, "bench-gpu: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

static float *
read_regions (const char *path, int dim)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &error))
    die (path, error);
  if (len != (gsize) 50 * dim * sizeof (float))
    {
      fprintf (stderr, "bench-gpu: %s: %zu bytes, expected 50 x %d float32\n", path, len, dim);
      exit (1);
    }
  return (float *) data;
}

static OvModel *
load (const char *dir, const OvModelOptions *opts, double *seconds)
{
  g_autoptr(GError) error = NULL;
  double t0 = now_s ();
  OvModel *model = ov_model_load (dir, opts, &error);

  *seconds = now_s () - t0;
  if (model == NULL)
    die ("load", error);
  return model;
}

/* Median milliseconds of `runs` captions after one warm-up; ids of the last. */
static double
time_caption (OvModel *model, const OvRegions *regions, int beams, int runs, GString *ids,
              char **text)
{
  g_autofree double *t = g_new (double, runs);
  OvCaptionOptions opts;

  ov_caption_options_init (&opts);
  opts.num_beams = beams;
  opts.max_length = 20;
  for (int r = -1; r < runs; r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) caps = NULL;
      double t0 = now_s ();
      OvCaption *best;

      caps = ov_model_caption (model, tags, regions, &opts, NULL, &error);
      if (caps == NULL || caps->len == 0)
        die ("caption", error);
      if (r >= 0)
        t[r] = (now_s () - t0) * 1e3;
      best = caps->pdata[0];
      if (r == runs - 1)
        {
          for (guint i = 0; i < best->ids->len; i++)
            g_string_append_printf (ids, "%s%d", i > 0 ? ", " : "",
                                    g_array_index (best->ids, gint32, i));
          *text = g_strdup (best->text);
        }
    }
  return median (t, runs);
}

/* Where a beam-5 caption's time goes on a device backend, from the
 * decoder's parts: the tags and regions encoded into the step cache, then
 * steps 1 to 19 each timed in three parts, every part waited for (a
 * one-float download after the step and the reorder, whose own cost is
 * in their figure; scoring waits by itself). Medians over runs of each
 * part's mean per step, in ms. The seqs are made up: the cost does not
 * depend on the words. */
static void
time_decode_parts (OvModel *model, const OvRegions *regions, int runs, double *ctx_ms,
                   double *step_ms, double *score_ms, double *reorder_ms)
{
  const OvBackend *be = model->backend;
  const OvConfig *c = ov_model_get_config (model);
  int nb = 5, max_len = 20, k = 2 * nb;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvCaptionContext) ctx = _ov_caption_context_new (model, 0, tags, regions, &error);
  g_autofree double *t_ctx = g_new (double, runs), *t_step = g_new (double, runs);
  g_autofree double *t_score = g_new (double, runs), *t_reorder = g_new (double, runs);
  g_autofree gint32 *rows = g_new (gint32, (gsize) nb * max_len);
  gint32 *seqs[5];
  float beam_scores[5] = { 0 }, row_max[5], row_lse[5], top_scores[50], top_lps[50], one;
  gint32 top_words[50];
  int src[5] = { 0, 0, 1, 2, 4 };

  if (ctx == NULL)
    die ("caption context", error);
  for (int b = 0; b < nb; b++)
    {
      seqs[b] = rows + (gsize) b * max_len;
      seqs[b][0] = ov_tokenizer_cls_id (ov_model_get_tokenizer (model));
      for (int i = 1; i < max_len; i++)
        seqs[b][i] = 2000 + 11 * b + i;
    }
  for (int r = -1; r < runs; r++)
    {
      double t0 = now_s (), sum_step = 0, sum_score = 0, sum_reorder = 0, t1;
      OvDeviceCache *dc = _ov_device_cache_new (model, ctx, nb, max_len, NULL, &error);

      if (dc == NULL)
        die ("step cache", error);
      be->download (be, &one, _ov_device_cache_logits (dc), 1);
      t1 = now_s ();
      if (r >= 0)
        t_ctx[r] = (t1 - t0) * 1e3;
      for (int cur_len = 1; cur_len < max_len; cur_len++)
        {
          double a = now_s (), b2, c2, d;

          if (!_ov_device_cache_step (dc, seqs, cur_len, NULL, &error))
            die ("step", error);
          be->download (be, &one, _ov_device_cache_logits (dc), 1);
          b2 = now_s ();
          if (!be->log_softmax_topk (be, _ov_device_cache_logits (dc), beam_scores, nb,
                                     c->vocab_size, k, row_max, row_lse, top_scores, top_words,
                                     top_lps, &error))
            die ("scoring", error);
          c2 = now_s ();
          _ov_device_cache_reorder (dc, src, cur_len);
          be->download (be, &one, _ov_device_cache_logits (dc), 1);
          d = now_s ();
          sum_step += b2 - a;
          sum_score += c2 - b2;
          sum_reorder += d - c2;
        }
      _ov_device_cache_free (dc);
      if (r >= 0)
        {
          t_step[r] = sum_step * 1e3 / (max_len - 1);
          t_score[r] = sum_score * 1e3 / (max_len - 1);
          t_reorder[r] = sum_reorder * 1e3 / (max_len - 1);
        }
    }
  *ctx_ms = median (t_ctx, runs);
  *step_ms = median (t_step, runs);
  *score_ms = median (t_score, runs);
  *reorder_ms = median (t_reorder, runs);
}

int
main (int argc, char **argv)
{
  OvModelOptions opts;
  g_autoptr(OvModel) cap_model = NULL;
  g_autoptr(OvModel) vqa_model = NULL;
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) beam_ids = g_string_new (NULL);
  g_autoptr(GString) greedy_ids = g_string_new (NULL);
  g_autofree char *beam_text = NULL, *greedy_text = NULL;
  g_autofree float *feats = NULL;
  g_autofree double *t = NULL;
  g_autofree char *hidden_path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *backend = NULL, *fallback = NULL, *stats_json = NULL;
  OvRegions regions;
  double load_cap_s, load_vqa_s, beam_ms, greedy_ms, vqa_ms, embed_ms, parts[4] = { 0 };
  char *parts_json[4] = { NULL };
  int runs, n_embed, best = 0, n_logits = 0;

  ov_blas_reexec_if_generic (argv);
  if (argc != 9)
    {
      fprintf (stderr, "usage: %s CAPTION_DIR VQA_DIR REGIONS.f32 cpu|cuda exact|fast RUNS "
               "N_EMBED OUT_DIR\n", argv[0]);
      return 2;
    }
  ov_model_options_init (&opts);
  opts.device = strcmp (argv[4], "cuda") == 0 ? OV_DEVICE_CUDA : OV_DEVICE_CPU;
  opts.precision = strcmp (argv[5], "fast") == 0 ? OV_PRECISION_FAST : OV_PRECISION_EXACT;
  runs = MAX (atoi (argv[6]), 1);
  n_embed = MAX (atoi (argv[7]), 1);
  /* with OV_CUDA_LT=0 the CUDA products go through cuBLAS and a bias
   * kernel, with OV_CUDA_GRAPHS=0 a decoding step's launches are made one
   * by one: columns of their own, to weigh what each is worth */
  name = g_strdup_printf ("%s-%s%s%s", argv[4], argv[5],
                          opts.device == OV_DEVICE_CUDA
                          && g_strcmp0 (g_getenv ("OV_CUDA_LT"), "0") == 0 ? "-cublas" : "",
                          opts.device == OV_DEVICE_CUDA
                          && g_strcmp0 (g_getenv ("OV_CUDA_GRAPHS"), "0") == 0
                          ? "-nographs" : "");

  cap_model = load (argv[1], &opts, &load_cap_s);
  vqa_model = load (argv[2], &opts, &load_vqa_s);
  feats = read_regions (argv[3], ov_model_get_config (cap_model)->img_feature_dim);
  regions.features = feats;
  regions.n_regions = 50;
  regions.dim = ov_model_get_config (cap_model)->img_feature_dim;

  beam_ms = time_caption (cap_model, &regions, 5, runs, beam_ids, &beam_text);
  /* the decoder's parts where they are the device step's (not the CPU's
   * own cached step) */
  if (!cap_model->backend->host_memory)
    time_decode_parts (cap_model, &regions, runs, &parts[0], &parts[1], &parts[2], &parts[3]);
  for (int i = 0; i < 4; i++)
    parts_json[i] = cap_model->backend->host_memory ? g_strdup ("null")
                                                    : g_strdup_printf ("%.4f", parts[i]);
  greedy_ms = time_caption (cap_model, &regions, 1, runs, greedy_ids, &greedy_text);

  /* VQA: question to answer logits, input assembly included */
  t = g_new (double, runs * 5);
  for (int r = -1; r < runs * 5; r++)
    {
      double t0 = now_s ();
      g_autofree float *logits = ov_model_classify (vqa_model, question, tags, &regions,
                                                    &n_logits, NULL, &error);

      if (logits == NULL)
        die ("vqa", error);
      if (r >= 0)
        t[r] = (now_s () - t0) * 1e3;
      for (int i = 0; i < n_logits; i++)
        if (logits[i] > logits[best])
          best = i;
    }
  vqa_ms = median (t, runs * 5);

  /* The sequence output of the VQA input, for comparing backends. */
  enc = ov_model_prepare_vqa (vqa_model, question, tags, &regions, &error);
  if (enc == NULL)
    die ("vqa input", error);
  {
    g_autoptr(OvForward) fwd = ov_model_forward (vqa_model, &enc->inputs, 0, NULL, &error);

    if (fwd == NULL)
      die ("forward", error);
    hidden_path = g_strdup_printf ("%s/%s.hidden.f32", argv[8], name);
    if (!g_file_set_contents (hidden_path, (const char *) fwd->sequence_output,
                              (gssize) fwd->seq_len * fwd->hidden * sizeof (float), &error))
      die (hidden_path, error);
  }

  /* Embedding pass: per image, the input built and every layer's hidden
   * states brought back, as a dataset pass for t-SNE does. */
  {
    double t0 = now_s ();

    for (int i = 0; i < n_embed; i++)
      {
        g_autoptr(OvEncoding) e = ov_model_prepare_vqa (vqa_model, question, tags, &regions,
                                                        &error);
        g_autoptr(OvForward) fwd = NULL;

        if (e == NULL)
          die ("embedding input", error);
        fwd = ov_model_forward (vqa_model, &e->inputs, OV_FORWARD_HIDDEN_STATES, NULL, &error);
        if (fwd == NULL)
          die ("embedding pass", error);
      }
    embed_ms = (now_s () - t0) * 1e3 / n_embed;
  }

  /* what the caption model's device backend did (zeros on the CPU): which
   * library made the products, and whether the step graphs were used */
  if (!cap_model->backend->host_memory)
    {
      OvCudaStats st;

      _ov_backend_cuda_get_stats (cap_model->backend, &st);
      stats_json = g_strdup_printf ("{\"lt_products\": %" G_GUINT64_FORMAT ", "
                                    "\"plain_products\": %" G_GUINT64_FORMAT ", "
                                    "\"lt_refused\": %" G_GUINT64_FORMAT ", "
                                    "\"graphs_recorded\": %" G_GUINT64_FORMAT ", "
                                    "\"graphs_failed\": %" G_GUINT64_FORMAT ", "
                                    "\"graph_launches\": %" G_GUINT64_FORMAT "}",
                                    st.lt_products, st.plain_products, st.lt_refused,
                                    st.graphs_recorded, st.graphs_failed, st.graph_launches);
    }
  else
    stats_json = g_strdup ("null");
  backend = json_quote (ov_model_get_backend_description (cap_model));
  fallback = json_quote (ov_model_get_device_fallback (cap_model) != NULL
                         ? ov_model_get_device_fallback (cap_model) : "");
  printf ("{\"name\": \"%s\", \"backend\": %s, \"fallback\": %s, "
          "\"load_caption_s\": %.3f, \"load_vqa_s\": %.3f, \"runs\": %d, "
          "\"beam5_ms\": %.3f, \"beam5_ids\": [%s], \"greedy_ms\": %.3f, "
          "\"greedy_ids\": [%s], \"vqa_ms\": %.3f, \"vqa_argmax\": %d, "
          "\"embed_images\": %d, \"embed_ms_per_image\": %.3f, \"hidden\": \"%s\", "
          "\"beam5_context_ms\": %s, \"beam5_step_ms\": %s, \"beam5_scoring_ms\": %s, "
          "\"beam5_reorder_ms\": %s, \"device_stats\": %s}\n",
          name, backend, fallback,
          load_cap_s, load_vqa_s, runs, beam_ms, beam_ids->str, greedy_ms, greedy_ids->str,
          vqa_ms, best, n_embed, embed_ms, hidden_path, parts_json[0], parts_json[1],
          parts_json[2], parts_json[3], stats_json);
  for (int i = 0; i < 4; i++)
    g_free (parts_json[i]);
  fprintf (stderr, "%s beam-5: %s\n", name, beam_text);
  return 0;
}
