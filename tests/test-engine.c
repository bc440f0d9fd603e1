/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The engine against the oracle made by the original code (encoder, VQA,
 * greedy and beam captioning, input assembly) and against our own float64
 * reference for the pre-training heads; the CPU fast paths against their
 * plain loops; and the loader's error paths.
 */
#include <math.h>
#include <string.h>

#include <unistd.h>

#include <glib/gstdio.h>

#include "ov-test-util.h"
#include "model/ov-error.h"
#include "model/ov-model.h"
#include "model/ov-model-private.h"
#include "model/ov-backend-private.h"
#include "model/ov-pool.h"
#include "model/ov-state-dict.h"

/* Oracle tolerances (oracle/README.md). */
#define HID_RTOL 1e-4
#define HID_ATOL 1e-5
#define ATT_ATOL 1e-6
#define LOGIT_TOL 1e-4

static OvModel *
load_oracle_model (const char *name)
{
  g_autofree char *dir = ov_test_shared_path ("oracle", "checkpoints", name, NULL);
  g_autoptr(GError) error = NULL;
  OvModel *model = ov_model_load (dir, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  /* the original loader reports no missing or unexpected keys for these */
  g_assert_null (ov_model_get_warnings (model));
  return model;
}

static void
check_close (const char *what, const float *got, const float *want, gsize n, double rtol,
             double atol)
{
  double max_diff = 0.0;
  gboolean ok = ov_test_allclose (got, want, n, rtol, atol, &max_diff);

  g_test_message ("%s: max |diff| %.3g over %zu values (rtol %g, atol %g)",
                  what, max_diff, n, rtol, atol);
  if (!ok)
    g_error ("%s differs beyond tolerance: max |diff| %g", what, max_diff);
}

static void
random_fill (float *x, gsize n, GRand *rand)
{
  for (gsize i = 0; i < n; i++)
    x[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
}

/* ---- the CPU backend's thread pool ---- */

typedef struct
{
  OvPool *pool;
  int    *hits;         /* one counter a chunk */
  int     n_chunks;
  int     nested;       /* chunks that run a job of their own on the pool */
  int     threads_seen; /* bit t set when thread t ran a chunk */
} PoolJob;

static void
pool_count_chunk (gpointer data, int chunk, int thread)
{
  PoolJob *j = data;

  g_atomic_int_inc (&j->hits[chunk]);
  g_atomic_int_or ((guint *) &j->threads_seen, 1u << MIN (thread, 31));
  if (j->nested > 0 && chunk < j->nested)
    {
      /* the pool is busy with this job: the inner one runs here, alone */
      int inner_hits[7] = { 0 };
      PoolJob inner = { j->pool, inner_hits, 7, 0, 0 };

      ov_pool_run (j->pool, 7, pool_count_chunk, &inner);
      for (int i = 0; i < 7; i++)
        g_assert_cmpint (inner_hits[i], ==, 1);
    }
}

static void
pool_check_job (OvPool *pool, int n_chunks, int nested)
{
  g_autofree int *hits = g_new0 (int, n_chunks);
  PoolJob job = { pool, hits, n_chunks, nested, 0 };

  ov_pool_run (pool, n_chunks, pool_count_chunk, &job);
  for (int c = 0; c < n_chunks; c++)
    g_assert_cmpint (hits[c], ==, 1);
}

static gpointer
pool_hammer (gpointer data)
{
  OvPool *pool = data;

  for (int r = 0; r < 2000; r++)
    pool_check_job (pool, 1 + r % 37, 0);
  return NULL;
}

/* /model/backend/pool: every chunk runs exactly once, whatever the number
 * of chunks, with nested jobs, with two threads sharing one pool, after
 * the workers have gone to sleep, and on a pool of one thread. */
static void
test_pool (void)
{
  g_autoptr(OvPool) pool = ov_pool_new (3);
  g_autoptr(OvPool) single = ov_pool_new (1);
  GThread *other;

  g_assert_cmpint (ov_pool_get_n_threads (pool), ==, 3);
  for (int r = 0; r < 3000; r++)
    pool_check_job (pool, 1 + (r * 7919) % 300, 0);
  pool_check_job (pool, 100000, 0);
  pool_check_job (pool, 50, 5);
  /* long enough for the workers to fall asleep, then wake them */
  g_usleep (20000);
  pool_check_job (pool, 64, 0);

  other = g_thread_new ("pool-hammer", pool_hammer, pool);
  pool_hammer (pool);
  g_thread_join (other);

  pool_check_job (single, 10, 2);
  {
    int hits[20] = { 0 };
    PoolJob job = { pool, hits, 20, 0, 0 };

    /* chunks name the thread that ran them: the caller 0, workers 1 and 2 */
    ov_pool_run (pool, 20, pool_count_chunk, &job);
    g_assert_cmpint (job.threads_seen & ~7, ==, 0);
    g_assert_cmpint (job.threads_seen, !=, 0);
  }
}

/* Every block kernel of the few-row products that this processor runs,
 * against the reference loop. */
static void
check_linear_kernels (GRand *rand)
{
  static const char *const kernels[] = { "plain", "fma", "avx512", "avx512-16" };
  /* small M (multi-row GEMV, serial and threaded; one group of input rows
   * walking the whole of K, and several walking it in chunks, with every
   * remainder after the groups of 3 and of 5; K below one vector, and N and
   * K not multiples of the blocks, the lanes or the chunk) and sgemm
   * (serial, and split by columns) */
  int shapes[][3] = { { 1, 48, 40 }, { 3, 48, 40 }, { 10, 48, 40 }, { 37, 48, 40 },
                      { 5, 2100, 131 }, { 16, 700, 77 }, { 17, 300, 65 }, { 2, 37, 13 },
                      { 11, 1030, 773 }, { 16, 5, 1100 }, { 80, 300, 128 },
                      { 73, 1001, 67 }, { 4, 130, 520 }, { 6, 130, 33 }, { 7, 70, 1024 },
                      { 8, 66, 48 }, { 9, 300, 17 }, { 12, 64, 768 }, { 13, 9, 7 },
                      { 14, 1030, 16 }, { 15, 33, 1 } };
  int n_run = 0;

  for (guint kn = 0; kn < G_N_ELEMENTS (kernels); kn++)
    {
      g_autoptr(OvBackend) be = _ov_backend_cpu_new_full (2, kernels[kn]);

      if (be == NULL)
        {
          g_test_message ("block kernel %s: not on this processor", kernels[kn]);
          continue;
        }
      n_run++;
      for (guint c = 0; c < G_N_ELEMENTS (shapes); c++)
        {
          int m = shapes[c][0], n = shapes[c][1], k = shapes[c][2];
          g_autofree float *x = g_new (float, m * k);
          g_autofree float *w = g_new (float, n * k);
          g_autofree float *b = g_new (float, n);
          g_autofree float *y = g_new (float, m * n);
          g_autofree float *y_ref = g_new (float, m * n);
          g_autofree char *what = g_strdup_printf ("linear %d×%d×%d (%s)", m, n, k,
                                                   kernels[kn]);

          random_fill (x, m * k, rand);
          random_fill (w, n * k, rand);
          random_fill (b, n, rand);
          for (int i = 0; i < m * n; i++)
            y[i] = NAN;
          be->linear (be, y, x, w, b, m, n, k);
          ov_backend_ref_linear (y_ref, x, w, b, m, n, k);
          check_close (what, y, y_ref, m * n, 1e-5, 1e-5);
          be->linear (be, y, x, w, NULL, m, n, k);
          ov_backend_ref_linear (y_ref, x, w, NULL, m, n, k);
          check_close (what, y, y_ref, m * n, 1e-5, 1e-5);
        }
    }
  /* the plain kernel runs everywhere */
  g_assert_cmpint (n_run, >=, 1);
}

/* /model/backend/cpu-vs-reference */
static void
test_backend_reference (void)
{
  g_autoptr(OvBackend) be = ov_backend_cpu_new (2);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  check_linear_kernels (rand);

  {
    int m = 9, h = 24;
    g_autofree float *x = g_new (float, m * h);
    g_autofree float *x2 = g_new (float, m * h);
    g_autofree float *r = g_new (float, m * h);
    g_autofree float *g = g_new (float, h);
    g_autofree float *bb = g_new (float, h);

    random_fill (x, m * h, rand);
    random_fill (r, m * h, rand);
    random_fill (g, h, rand);
    random_fill (bb, h, rand);
    memcpy (x2, x, m * h * sizeof (float));
    be->add_layer_norm (be, x, r, g, bb, m, h, 1e-12f);
    ov_backend_ref_layer_norm (x2, r, g, bb, m, h, 1e-12f);
    check_close ("layer norm", x, x2, m * h, 1e-6, 1e-6);
  }

  /* GELU (vector erff where glibc has it, threaded past 32768 values)
   * against erf in double */
  for (int c = 0; c < 2; c++)
    {
      gsize n = c == 0 ? 1001 : 70001;
      g_autofree float *x = g_new (float, n);
      g_autofree float *want = g_new (float, n);

      for (gsize i = 0; i < n; i++)
        {
          x[i] = (float) g_rand_double_range (rand, -8.0, 8.0);
          want[i] = (float) (0.5 * x[i] * (1.0 + erf (x[i] / sqrt (2.0))));
        }
      be->gelu (be, x, n);
      check_close ("gelu", x, want, n, 1e-6, 1e-6);
    }

  /* a causal 2-D mask (serial), then a broadcast 1-D mask (threaded) */
  for (int c = 0; c < 2; c++)
  {
    int lq = c == 0 ? 5 : 64, lk = c == 0 ? 11 : 80, heads = c == 0 ? 3 : 4;
    int dh = c == 0 ? 6 : 16, hh = heads * dh, mstride = c == 0 ? lk : 0;
    g_autofree float *q = g_new (float, lq * hh);
    g_autofree float *kk = g_new (float, lk * hh);
    g_autofree float *v = g_new (float, lk * hh);
    g_autofree float *mask = g_new0 (float, lq * lk);
    g_autofree float *ctx = g_new (float, lq * hh);
    g_autofree float *ctx_ref = g_new (float, lq * hh);
    g_autofree float *p = g_new (float, heads * lq * lk);
    g_autofree float *p_ref = g_new (float, heads * lq * lk);

    random_fill (q, lq * hh, rand);
    random_fill (kk, lk * hh, rand);
    random_fill (v, lk * hh, rand);
    for (int i = 0; i < lq; i++)
      for (int j = 0; j < lk; j++)
        mask[i * lk + j] = j > (c == 0 ? i : 0) + 4 ? -10000.0f : 0.0f;
    be->attention (be, ctx, p, q, hh, kk, v, hh, mask, mstride, lq, lk, heads, dh);
    ov_backend_ref_attention (ctx_ref, p_ref, q, hh, kk, v, hh, mask, mstride, lq, lk, heads,
                              dh);
    check_close ("attention context", ctx, ctx_ref, lq * hh, 1e-6, 1e-6);
    check_close ("attention probabilities", p, p_ref, heads * lq * lk, 1e-6, 1e-7);
    /* masked keys get exactly zero weight */
    for (int hd = 0; hd < heads; hd++)
      for (int i = 0; i < lq; i++)
        for (int j = (c == 0 ? i : 0) + 5; j < lk; j++)
          g_assert_cmpfloat (p[(hd * lq + i) * lk + j], ==, 0.0f);
  }
}

/* /model/engine/enc_imgln_off */
static void
test_enc_imgln_off (void)
{
  g_autoptr(OvModel) model = load_oracle_model ("caption_tiny");
  g_autofree char *mpath = ov_test_shared_path ("oracle", "cases", "enc_imgln_off",
                                                "manifest.json", NULL);
  g_autoptr(JsonNode) manifest = ov_test_load_json (mpath);
  JsonArray *rows = json_object_get_array_member (json_node_get_object (manifest),
                                                  "valid_query_rows");
  g_autoptr(OvTestNpy) ids_npy = ov_test_load_case_npy ("enc_imgln_off", "in_input_ids.npy");
  g_autoptr(OvTestNpy) types_npy = ov_test_load_case_npy ("enc_imgln_off", "in_token_type_ids.npy");
  g_autoptr(OvTestNpy) mask_npy = ov_test_load_case_npy ("enc_imgln_off", "in_attention_mask.npy");
  g_autoptr(OvTestNpy) img_npy = ov_test_load_case_npy ("enc_imgln_off", "in_img_feats.npy");
  g_autoptr(OvTestNpy) hs_npy = ov_test_load_case_npy ("enc_imgln_off",
                                                       "out_all_hidden_states.npy");
  g_autoptr(OvTestNpy) att_npy = ov_test_load_case_npy ("enc_imgln_off", "out_attentions.npy");
  g_autoptr(OvTestNpy) seq_npy = ov_test_load_case_npy ("enc_imgln_off", "out_sequence_output.npy");
  g_autoptr(OvTestNpy) pool_npy = ov_test_load_case_npy ("enc_imgln_off", "out_pooled_output.npy");
  g_autofree gint32 *ids = ov_test_npy_as_i32 (ids_npy);
  g_autofree gint32 *types = ov_test_npy_as_i32 (types_npy);
  g_autofree float *mask = ov_test_npy_as_f32 (mask_npy);
  g_autofree float *img = ov_test_npy_as_f32 (img_npy);
  g_autofree float *hs = ov_test_npy_as_f32 (hs_npy);
  g_autofree float *att = ov_test_npy_as_f32 (att_npy);
  g_autofree float *seq = ov_test_npy_as_f32 (seq_npy);
  g_autofree float *pool = ov_test_npy_as_f32 (pool_npy);
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(GError) error = NULL;
  OvInputs in = { 0 };
  int t = (int) ids_npy->shape[1], n = (int) img_npy->shape[1], s = t + n, h = 24;
  guint n_rows = json_array_get_length (rows);
  double max_h = 0, max_a = 0;

  g_assert_cmpint (ov_model_get_kind (model), ==, OV_MODEL_KIND_CAPTION);
  g_assert_false (ov_model_get_config (model)->use_img_layernorm);
  in.n_text = t;
  in.input_ids = ids;
  in.token_type_ids = types;
  in.n_regions = n;
  in.img_feats = img;
  in.attention_mask = mask;
  in.mask_2d = TRUE;
  fwd = ov_model_forward (model, &in, OV_FORWARD_HIDDEN_STATES | OV_FORWARD_ATTENTIONS,
                          NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fwd->seq_len, ==, s);
  g_assert_cmpint (fwd->n_layers, ==, 2);

  /* Only rows whose own mask row is not all zero are reproducible (§3.4). */
  for (guint r = 0; r < n_rows; r++)
    {
      int i = (int) json_array_get_int_element (rows, r);
      double d;

      for (int l = 0; l <= fwd->n_layers; l++)
        {
          char what[64];

          g_snprintf (what, sizeof what, "hidden state %d row %d", l, i);
          ov_test_allclose (fwd->hidden_states[l] + (gsize) i * h,
                            hs + ((gsize) l * s + i) * h, h, HID_RTOL, HID_ATOL, &d);
          max_h = MAX (max_h, d);
          if (!ov_test_allclose (fwd->hidden_states[l] + (gsize) i * h,
                                 hs + ((gsize) l * s + i) * h, h, HID_RTOL, HID_ATOL, &d))
            g_error ("%s differs by %g", what, d);
        }
      ov_test_allclose (fwd->sequence_output + (gsize) i * h, seq + (gsize) i * h, h,
                        HID_RTOL, HID_ATOL, &d);
      g_assert_true (ov_test_allclose (fwd->sequence_output + (gsize) i * h,
                                       seq + (gsize) i * h, h, HID_RTOL, HID_ATOL, &d));
      for (int l = 0; l < fwd->n_layers; l++)
        for (int hd = 0; hd < fwd->n_heads; hd++)
          {
            const float *got = fwd->attentions[l] + ((gsize) hd * s + i) * s;
            const float *want = att + (((gsize) l * fwd->n_heads + hd) * s + i) * s;

            if (!ov_test_allclose (got, want, s, 1e-4, ATT_ATOL, &d))
              g_error ("attention layer %d head %d row %d differs by %g", l, hd, i, d);
            max_a = MAX (max_a, d);
          }
    }
  g_test_message ("enc_imgln_off: %u valid rows, hidden states max |diff| %.3g, "
                  "attentions max |diff| %.3g", n_rows, max_h, max_a);
  check_close ("enc_imgln_off pooled", fwd->pooled, pool, h, HID_RTOL, HID_ATOL);
}

/* Reads the oracle's labels.tsv: image key → classes joined by spaces. */
static GHashTable *
load_tag_strings (void)
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
      GString *joined = g_string_new (NULL);
      JsonArray *objs;

      if (tab == NULL)
        {
          g_string_free (joined, TRUE);
          continue;
        }
      *tab = '\0';
      g_assert_true (json_parser_load_from_data (parser, tab + 1, -1, NULL));
      objs = json_node_get_array (json_parser_get_root (parser));
      for (guint j = 0; j < json_array_get_length (objs); j++)
        {
          JsonObject *o = json_array_get_object_element (objs, j);

          g_string_append_printf (joined, "%s%s", j > 0 ? " " : "",
                                  json_object_get_string_member (o, "class"));
        }
      g_hash_table_insert (tags, g_strdup (lines[i]), g_string_free (joined, FALSE));
    }
  return tags;
}

/* /model/engine/vqa_logits */
/* Count of the encoding's positions of each kind, over the text. */
static void
count_segments (const OvEncoding *enc, int *words, int *tags, int *special)
{
  *words = *tags = *special = 0;
  for (int i = 0; i < enc->inputs.n_text; i++)
    {
      *words += enc->segments[i] == OV_SEGMENT_WORD;
      *tags += enc->segments[i] == OV_SEGMENT_TAG;
      *special += enc->segments[i] == OV_SEGMENT_SPECIAL;
    }
}

/* The second segment as Oscar decides it. VQA: o.replace(';', ' ').strip()
 * (Python's strip, Unicode spaces too) and "if text_b:", so tags of only
 * ';' and spaces are none (the question may take max_seq_length - 2
 * pieces), while tags of no word pieces that are not blank (a zero-width
 * space) make a pair cut to max_seq_length - 3 without a second [SEP].
 * Captioning: "if text_b:" on the joined class names, so blank tags still
 * give their [SEP]. */
static void
test_tag_segment (void)
{
  g_autoptr(OvModel) vqa = load_oracle_model ("vqa_tiny_imgln");
  g_autoptr(OvModel) cap = load_oracle_model ("caption_tiny");
  g_autoptr(GString) question = g_string_new (NULL);
  const OvRegions none = { NULL, 0, 2054 };
  const struct { const char *tags; int words, tags_n, special; } cases[] = {
    { NULL, 126, 0, 2 },
    { "", 126, 0, 2 },
    { " ; ;\u3000\u00a0\u2028\x0b", 126, 0, 2 },
    { "\u200b", 125, 0, 2 },
    { "dog", 124, 1, 3 },
  };

  for (int k = 0; k < 140; k++)
    g_string_append (question, "a ");
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OvEncoding) enc = ov_model_prepare_vqa (vqa, question->str, cases[c].tags,
                                                        &none, &error);
      int words, tags, special;

      g_assert_no_error (error);
      count_segments (enc, &words, &tags, &special);
      g_test_message ("tags %u: %d words, %d tags, %d special", c, words, tags, special);
      g_assert_cmpint (words, ==, cases[c].words);
      g_assert_cmpint (tags, ==, cases[c].tags_n);
      g_assert_cmpint (special, ==, cases[c].special);
    }

  /* captioning: [CLS] [MASK] then the tag slots; blank tags keep a [SEP]
   * of token type 1, none keep none */
  {
    const char *tags[] = { "", " ", "dog" };
    const int seps[] = { 0, 1, 1 };

    for (guint c = 0; c < G_N_ELEMENTS (tags); c++)
      {
        g_autoptr(GError) error = NULL;
        gint32 cls = 101;
        g_autoptr(OvEncoding) enc = ov_model_prepare_caption_step (cap, &cls, 1, tags[c], &none,
                                                                   &error);
        int type1_seps = 0;

        g_assert_no_error (error);
        for (int i = 0; i < enc->inputs.n_text; i++)
          type1_seps += enc->input_ids[i] == 102 && enc->token_type_ids[i] == 1
                        && enc->attention_mask[i] > 0;
        g_assert_cmpint (type1_seps, ==, seps[c]);
      }
  }
}

static void
test_vqa_logits (void)
{
  g_autoptr(OvModel) model = load_oracle_model ("vqa_tiny_imgln");
  g_autofree char *qpath = ov_test_shared_path ("oracle", "data", "vqa",
                                                "test2015_qla_mrcnn.json", NULL);
  g_autofree char *apath = ov_test_shared_path ("oracle", "data", "vqa", "label2ans.json", NULL);
  g_autofree char *epath = ov_test_shared_path ("oracle", "cases", "vqa_logits",
                                                "expected.json", NULL);
  g_autoptr(JsonNode) questions = ov_test_load_json (qpath);
  g_autoptr(JsonNode) answers = ov_test_load_json (apath);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
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
  JsonArray *exp_arr = json_node_get_array (expected);
  JsonArray *q_arr = json_node_get_array (questions);
  int t = 128, nimg = 50, d = 2054, n_ans = 20;
  double max_diff = 0;

  g_assert_cmpint (ov_model_get_kind (model), ==, OV_MODEL_KIND_CLASSIFIER);
  g_assert_true (ov_model_get_config (model)->use_img_layernorm);
  for (guint e = 0; e < json_array_get_length (exp_arr); e++)
    {
      JsonObject *eo = json_array_get_object_element (exp_arr, e);
      gint64 qid = json_object_get_int_member (eo, "question_id");
      JsonObject *qo = NULL;
      g_autoptr(OvEncoding) enc = NULL;
      g_autoptr(OvForward) fwd = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree float *logits = NULL;
      OvRegions regions;
      int n_real = 0, n_logits = 0, best = 0;
      double dd;

      for (guint i = 0; i < json_array_get_length (q_arr); i++)
        if (json_object_get_int_member (json_array_get_object_element (q_arr, i), "q_id") == qid)
          qo = json_array_get_object_element (q_arr, i);
      g_assert_nonnull (qo);
      /* the real regions of this example: the 1s of the region part of its mask */
      for (int k = 0; k < nimg; k++)
        n_real += mask[(gsize) e * (t + nimg) + t + k] > 0.5f;
      regions.features = img + (gsize) e * nimg * d;
      regions.n_regions = n_real;
      regions.dim = d;

      enc = ov_model_prepare_vqa (model, json_object_get_string_member (qo, "q"),
                                  json_object_get_string_member (qo, "o"), &regions, &error);
      g_assert_no_error (error);
      g_assert_cmpint (enc->inputs.n_text, ==, t);
      g_assert_cmpint (enc->inputs.n_regions, ==, nimg);
      g_assert_false (enc->inputs.mask_2d);
      for (int i = 0; i < t; i++)
        {
          g_assert_cmpint (enc->input_ids[i], ==, ids[(gsize) e * t + i]);
          g_assert_cmpint (enc->token_type_ids[i], ==, types[(gsize) e * t + i]);
          g_assert_cmpint (enc->position_ids[i], ==, i);
        }
      for (int i = 0; i < t + nimg; i++)
        g_assert_cmpfloat (enc->attention_mask[i], ==, mask[(gsize) e * (t + nimg) + i]);
      g_assert_cmpmem (enc->img_feats, (gsize) nimg * d * 4, img + (gsize) e * nimg * d,
                       (gsize) nimg * d * 4);
      /* a segment and a label per position for the views */
      {
        JsonArray *tokens = json_object_get_array_member (eo, "tokens");
        guint n_tok = json_array_get_length (tokens);
        int n_words = 0, n_tags = 0;

        for (guint i = 0; i < n_tok; i++)
          g_assert_cmpstr (enc->labels[i], ==, json_array_get_string_element (tokens, i));
        for (int i = 0; i < t + nimg; i++)
          {
            OvSegment sg = enc->segments[i];

            n_words += sg == OV_SEGMENT_WORD;
            n_tags += sg == OV_SEGMENT_TAG;
            if (i >= (int) n_tok && i < t)
              g_assert_cmpint (sg, ==, OV_SEGMENT_PAD);
            if (i >= t)
              g_assert_cmpint (sg, ==, i - t < n_real ? OV_SEGMENT_REGION : OV_SEGMENT_PAD);
          }
        /* [CLS] question [SEP] tags [SEP] */
        g_assert_cmpint (n_words + n_tags + 3, ==, n_tok);
        g_assert_cmpint (enc->segments[0], ==, OV_SEGMENT_SPECIAL);
        g_assert_cmpint (enc->segments[n_tok - 1], ==, OV_SEGMENT_SPECIAL);
        g_assert_cmpstr (enc->labels[t], ==, "region 1");
      }

      fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fwd->n_classes, ==, n_ans);
      g_assert_true (ov_test_allclose (fwd->class_logits, want + (gsize) e * n_ans, n_ans,
                                       LOGIT_TOL, LOGIT_TOL, &dd));
      max_diff = MAX (max_diff, dd);

      logits = ov_model_classify (model, json_object_get_string_member (qo, "q"),
                                  json_object_get_string_member (qo, "o"), &regions,
                                  &n_logits, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n_logits, ==, n_ans);
      /* classify leaves the padding out (it gets zero weight), so it agrees
       * with the whole forward up to rounding, and with the oracle */
      g_assert_true (ov_test_allclose (logits, fwd->class_logits, n_ans, 1e-5, 1e-5, &dd));
      g_assert_true (ov_test_allclose (logits, want + (gsize) e * n_ans, n_ans,
                                       LOGIT_TOL, LOGIT_TOL, &dd));
      max_diff = MAX (max_diff, dd);
      for (int i = 1; i < n_logits; i++)
        if (logits[i] > logits[best])
          best = i;
      g_assert_cmpint (best, ==, json_object_get_int_member (eo, "argmax_label"));
      g_assert_cmpstr (json_array_get_string_element (json_node_get_array (answers), best), ==,
                       json_object_get_string_member (eo, "answer"));
    }
  g_test_message ("vqa_logits: max |diff| %.3g (tolerance rtol/atol %g)", max_diff, LOGIT_TOL);
}

/* Caption cases */

typedef struct {
  char   *key;
  char   *tags;
  float  *img;          /* (50, 2054) */
  int     n_regions;    /* real rows */
} CaptionImage;

static void
caption_image_free (CaptionImage *ci)
{
  g_free (ci->key);
  g_free (ci->tags);
  g_free (ci->img);
  g_free (ci);
}

static CaptionImage *
load_caption_image (GHashTable *tags, const char *key)
{
  CaptionImage *ci = g_new0 (CaptionImage, 1);
  g_autofree char *img_file = g_strdup_printf ("%s.img_feats.npy", key);
  g_autofree char *mask_file = g_strdup_printf ("%s.attention_mask.npy", key);
  g_autofree char *ip = ov_test_shared_path ("oracle", "data", "caption_tensorized", img_file,
                                             NULL);
  g_autofree char *mp = ov_test_shared_path ("oracle", "data", "caption_tensorized", mask_file,
                                             NULL);
  g_autoptr(OvTestNpy) img = ov_test_npy_load (ip);
  g_autoptr(OvTestNpy) mask = ov_test_npy_load (mp);
  g_autofree float *m = ov_test_npy_as_f32 (mask);

  ci->key = g_strdup (key);
  ci->tags = g_strdup (g_hash_table_lookup (tags, key));
  g_assert_nonnull (ci->tags);
  ci->img = ov_test_npy_as_f32 (img);
  /* region k is real when the [CLS] row may attend to it */
  for (int k = 0; k < 50; k++)
    ci->n_regions += m[50 + k] > 0.5f;
  return ci;
}

static GPtrArray *
load_caption_images (void)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "data", "caption_tensorized",
                                               "index.json", NULL);
  g_autoptr(JsonNode) index = ov_test_load_json (path);
  g_autoptr(GHashTable) tags = load_tag_strings ();
  JsonArray *images = json_object_get_array_member (json_node_get_object (index), "images");
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) caption_image_free);

  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *o = json_array_get_object_element (images, i);

      g_ptr_array_add (out, load_caption_image (tags, json_object_get_string_member (o, "key")));
    }
  return out;
}

static OvRegions
caption_regions (const CaptionImage *ci)
{
  OvRegions r = { ci->img, ci->n_regions, 2054 };

  return r;
}

/* The step-1 encoding against the tensors the original test loader built:
 * the tag block, and the mask with the unused caption rows removed. */
static void
check_tensorized (OvModel *model, const CaptionImage *ci)
{
  g_autofree char *f_ids = g_strdup_printf ("%s.input_ids.npy", ci->key);
  g_autofree char *f_types = g_strdup_printf ("%s.token_type_ids.npy", ci->key);
  g_autofree char *f_mask = g_strdup_printf ("%s.attention_mask.npy", ci->key);
  g_autofree char *p_ids = ov_test_shared_path ("oracle", "data", "caption_tensorized", f_ids,
                                                NULL);
  g_autofree char *p_types = ov_test_shared_path ("oracle", "data", "caption_tensorized",
                                                  f_types, NULL);
  g_autofree char *p_mask = ov_test_shared_path ("oracle", "data", "caption_tensorized",
                                                 f_mask, NULL);
  g_autoptr(OvTestNpy) n_ids = ov_test_npy_load (p_ids);
  g_autoptr(OvTestNpy) n_types = ov_test_npy_load (p_types);
  g_autoptr(OvTestNpy) n_mask = ov_test_npy_load (p_mask);
  g_autofree gint32 *ids = ov_test_npy_as_i32 (n_ids);
  g_autofree gint32 *types = ov_test_npy_as_i32 (n_types);
  g_autofree float *mask = ov_test_npy_as_f32 (n_mask);
  gint32 cls = 101;
  OvRegions regions = caption_regions (ci);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvEncoding) enc = ov_model_prepare_caption_step (model, &cls, 1, ci->tags,
                                                             &regions, &error);
  /* map step rows to the full 100-row layout: 0,1 → 0,1; then 20.. */
  int s = enc->inputs.n_text + enc->inputs.n_regions;

  g_assert_no_error (error);
  g_assert_cmpint (s, ==, 82);
  g_assert_cmpint (enc->query_index, ==, 1);
  for (int i = 0; i < 30; i++)
    {
      g_assert_cmpint (enc->input_ids[2 + i], ==, ids[20 + i]);
      g_assert_cmpint (enc->token_type_ids[2 + i], ==, types[20 + i]);
      g_assert_cmpint (enc->position_ids[2 + i], ==, 40 + i);
    }
  g_assert_cmpmem (enc->img_feats, 50 * 2054 * 4, ci->img, 50 * 2054 * 4);
  for (int i = 0; i < s; i++)
    for (int j = 0; j < s; j++)
      {
        int fi = i < 2 ? i : i + 18, fj = j < 2 ? j : j + 18;

        g_assert_cmpfloat (enc->attention_mask[i * s + j], ==, mask[fi * 100 + fj]);
      }
}

/* Every step input of a trace: ids, positions and types of each beam. */
static void
check_trace_inputs (OvModel *model, const CaptionImage *ci, JsonObject *trace)
{
  JsonArray *steps = json_object_get_array_member (trace, "steps");
  OvRegions regions = caption_regions (ci);

  for (guint s = 0; s < json_array_get_length (steps); s++)
    {
      JsonObject *so = json_array_get_object_element (steps, s);
      JsonArray *curr = json_object_get_array_member (so, "curr_ids");
      JsonArray *in_ids = json_object_get_array_member (so, "step_input_ids");
      JsonArray *in_pos = json_object_get_array_member (so, "step_position_ids");
      JsonArray *in_types = json_object_get_array_member (so, "step_token_type_ids");

      for (guint b = 0; b < json_array_get_length (curr); b++)
        {
          JsonArray *cb = json_array_get_array_element (curr, b);
          JsonArray *ib = json_array_get_array_element (in_ids, b);
          JsonArray *pb = json_array_get_array_element (in_pos, b);
          JsonArray *tb = json_array_get_array_element (in_types, b);
          int n = json_array_get_length (cb);
          g_autofree gint32 *prefix = g_new (gint32, n);
          g_autoptr(OvEncoding) enc = NULL;
          g_autoptr(GError) error = NULL;

          for (int i = 0; i < n; i++)
            prefix[i] = json_array_get_int_element (cb, i);
          enc = ov_model_prepare_caption_step (model, prefix, n, ci->tags, &regions, &error);
          g_assert_no_error (error);
          g_assert_cmpint (enc->inputs.n_text, ==, json_array_get_length (ib));
          for (int i = 0; i < enc->inputs.n_text; i++)
            {
              g_assert_cmpint (enc->input_ids[i], ==, json_array_get_int_element (ib, i));
              g_assert_cmpint (enc->position_ids[i], ==, json_array_get_int_element (pb, i));
              g_assert_cmpint (enc->token_type_ids[i], ==, json_array_get_int_element (tb, i));
            }
        }
    }
}

static GArray *
expected_ids (JsonObject *hyp)
{
  JsonArray *arr = json_object_get_array_member (hyp, "token_ids");
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));

  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      gint32 id = json_array_get_int_element (arr, i);

      if (id == 0)
        break;    /* [PAD] fill after [SEP] */
      g_array_append_val (ids, id);
    }
  return ids;
}

/* conf of each image as the original test() wrote it */
static double
predicted_conf (const char *case_name, const char *key)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "cases", case_name,
                                               "oscar_predictions.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      char *tab = strchr (lines[i], '\t');
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (tab == NULL || strncmp (lines[i], key, tab - lines[i]) != 0
          || strlen (key) != (gsize) (tab - lines[i]))
        continue;
      g_assert_true (json_parser_load_from_data (parser, tab + 1, -1, NULL));
      return json_object_get_double_member (
        json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0),
        "conf");
    }
  g_error ("%s has no row for %s", path, key);
  return 0;
}

static void
run_caption_case (const char *case_name, int num_beams)
{
  g_autoptr(OvModel) model = load_oracle_model ("caption_tiny");
  g_autoptr(GPtrArray) images = load_caption_images ();
  g_autofree char *epath = ov_test_shared_path ("oracle", "cases", case_name, "expected.json",
                                                NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonArray *eimgs = json_object_get_array_member (json_node_get_object (expected), "images");
  OvTaskSettings *st = ov_model_get_settings (model);

  /* restore_training_settings from training_args.bin */
  g_assert_cmpint (st->max_seq_a_length, ==, 40);
  g_assert_cmpint (st->max_gen_length, ==, 20);
  g_assert_cmpint (st->od_labels_len, ==, 30);
  g_assert_cmpint (st->max_img_seq_length, ==, 50);
  g_assert_true (st->add_od_labels);

  for (guint e = 0; e < json_array_get_length (eimgs); e++)
    {
      JsonObject *eo = json_array_get_object_element (eimgs, e);
      const char *key = json_object_get_string_member (eo, "key");
      JsonObject *hyp = json_array_get_object_element (
        json_object_get_array_member (eo, "hypotheses"), 0);
      g_autoptr(GArray) want = expected_ids (hyp);
      g_autofree char *tfile = g_strdup_printf ("trace_%s.json", key);
      g_autofree char *tpath = ov_test_shared_path ("oracle", "cases", case_name, tfile, NULL);
      g_autoptr(JsonNode) trace = ov_test_load_json (tpath);
      CaptionImage *ci = NULL;
      OvRegions regions;
      double conf = predicted_conf (case_name, key);

      for (guint i = 0; i < images->len; i++)
        if (strcmp (((CaptionImage *) images->pdata[i])->key, key) == 0)
          ci = images->pdata[i];
      g_assert_nonnull (ci);
      regions = caption_regions (ci);
      check_tensorized (model, ci);
      check_trace_inputs (model, ci, json_node_get_object (trace));

      for (int cached = 0; cached < 2; cached++)
        {
          OvCaptionOptions opts;
          g_autoptr(GPtrArray) caps = NULL;
          g_autoptr(GError) error = NULL;
          OvCaption *cap;
          gint64 t0;

          ov_caption_options_init (&opts);
          opts.num_beams = num_beams;
          opts.use_cache = cached;
          t0 = g_get_monotonic_time ();
          caps = ov_model_caption (model, ci->tags, &regions, &opts, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (caps->len, ==, 1);
          cap = caps->pdata[0];
          g_test_message ("%s %s %s: \"%s\" score %.7f (want %.7f, |diff| %.2g), %.1f ms",
                          case_name, key, cached ? "cached" : "uncached", cap->text,
                          cap->score, json_object_get_double_member (hyp, "logprob"),
                          fabs (cap->score - json_object_get_double_member (hyp, "logprob")),
                          (g_get_monotonic_time () - t0) / 1000.0);
          g_assert_cmpuint (cap->ids->len, ==, want->len);
          g_assert_cmpmem (cap->ids->data, want->len * 4, want->data, want->len * 4);
          g_assert_cmpstr (cap->text, ==, json_object_get_string_member (hyp, "caption"));
          g_assert_cmpfloat_with_epsilon (cap->score,
                                          json_object_get_double_member (hyp, "logprob"), 1e-4);
          g_assert_cmpfloat_with_epsilon (exp (cap->score) / conf, 1.0, 1e-4);

          /* per-token log-probs: their mean is the score; in greedy decoding
           * each is the best log-prob of its step in the trace */
          {
            JsonArray *steps = json_object_get_array_member (json_node_get_object (trace),
                                                             "steps");
            double sum = 0;

            g_assert_cmpuint (cap->token_logprobs->len, ==, cap->ids->len - 1);
            for (guint i = 0; i < cap->token_logprobs->len; i++)
              {
                double lp = g_array_index (cap->token_logprobs, double, i);

                sum += lp;
                if (num_beams == 1)
                  g_assert_cmpfloat_with_epsilon (
                    lp, json_array_get_double_element (json_array_get_array_element (
                      json_object_get_array_member (json_array_get_object_element (steps, i),
                                                    "top10_logprobs"), 0), 0), 1e-4);
              }
            g_assert_cmpfloat_with_epsilon (sum / cap->token_logprobs->len, cap->score, 1e-5);
          }
        }
    }
}

/* Logits of every step of a greedy caption, uncached, against the oracle. */
static void
check_step_logits (OvModel *model, const CaptionImage *ci, JsonObject *hyp)
{
  g_autofree char *file = g_strdup_printf ("out_step_logits_%s.npy", ci->key);
  g_autoptr(OvTestNpy) npy = ov_test_load_case_npy ("cap_greedy", file);
  g_autofree float *want = ov_test_npy_as_f32 (npy);
  g_autoptr(GArray) ids = expected_ids (hyp);
  OvRegions regions = caption_regions (ci);
  int n_steps = (int) npy->shape[0], v = (int) npy->shape[1];
  double max_diff = 0;

  g_assert_cmpint (n_steps, ==, ids->len - 1);
  for (int step = 0; step < n_steps; step++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OvEncoding) enc = ov_model_prepare_caption_step (model, (gint32 *) ids->data,
                                                                 step + 1, ci->tags,
                                                                 &regions, &error);
      g_autoptr(OvForward) fwd = NULL;
      double d;

      g_assert_no_error (error);
      fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fwd->vocab_size, ==, v);
      if (!ov_test_allclose (fwd->lm_logits + (gsize) enc->query_index * v,
                             want + (gsize) step * v, v, LOGIT_TOL, LOGIT_TOL, &d))
        g_error ("%s step %d logits differ by %g", ci->key, step, d);
      max_diff = MAX (max_diff, d);
    }
  g_test_message ("cap_greedy %s: %d steps of logits, max |diff| %.3g", ci->key, n_steps,
                  max_diff);
}

/* /model/engine/cap_greedy */
static void
test_cap_greedy (void)
{
  run_caption_case ("cap_greedy", 1);

  {
    g_autoptr(OvModel) model = load_oracle_model ("caption_tiny");
    g_autoptr(GPtrArray) images = load_caption_images ();
    g_autofree char *epath = ov_test_shared_path ("oracle", "cases", "cap_greedy",
                                                  "expected.json", NULL);
    g_autoptr(JsonNode) expected = ov_test_load_json (epath);
    JsonArray *eimgs = json_object_get_array_member (json_node_get_object (expected), "images");

    for (guint e = 0; e < json_array_get_length (eimgs); e++)
      {
        JsonObject *eo = json_array_get_object_element (eimgs, e);
        const char *key = json_object_get_string_member (eo, "key");

        if (strcmp (key, "coco_dog_couch") != 0 && strcmp (key, "coco_street") != 0)
          continue;
        for (guint i = 0; i < images->len; i++)
          if (strcmp (((CaptionImage *) images->pdata[i])->key, key) == 0)
            check_step_logits (model, images->pdata[i],
                               json_array_get_object_element (
                                 json_object_get_array_member (eo, "hypotheses"), 0));
      }
  }
}

/* /model/engine/cap_beam3 */
static void
test_cap_beam3 (void)
{
  run_caption_case ("cap_beam3", 3);
}

/* /model/engine/caption-regions: only the first max_img_seq_length rows count */
static void
test_caption_region_truncation (void)
{
  g_autoptr(OvModel) model = load_oracle_model ("caption_tiny");
  g_autofree float *feats = g_new (float, 55 * 2054);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  OvRegions r50 = { feats, 50, 2054 }, r55 = { feats, 55, 2054 };
  gint32 cls = 101;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvEncoding) a = NULL;
  g_autoptr(OvEncoding) b = NULL;

  for (int i = 0; i < 55 * 2054; i++)
    feats[i] = (float) g_rand_double (rand);
  a = ov_model_prepare_caption_step (model, &cls, 1, "dog cat", &r50, &error);
  g_assert_no_error (error);
  b = ov_model_prepare_caption_step (model, &cls, 1, "dog cat", &r55, &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->inputs.n_regions, ==, 50);
  g_assert_cmpmem (a->img_feats, 50 * 2054 * 4, b->img_feats, 50 * 2054 * 4);
}

/* /model/engine/pretrain: our own float64 reference (tools/make-pretrain-fixture.py) */
static void
test_pretrain (void)
{
  g_autofree char *dir = ov_test_source_path ("tests", "fixtures", "pretrain_tiny", NULL);
  g_autofree char *epath = g_build_filename (dir, "expected.json", NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonObject *eo = json_node_get_object (expected);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) model = ov_model_load (dir, NULL, &error);
  JsonArray *feats_arr = json_object_get_array_member (eo, "region_features");
  int n_reg = json_array_get_length (feats_arr), d = 16, h = 16, v, t;
  g_autofree float *feats = g_new (float, n_reg * d);
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(GPtrArray) preds = NULL;
  g_autofree float *want = NULL;
  OvRegions regions;
  float logits[8];
  int n_classes = 0;
  double p_match = 0;

  g_assert_no_error (error);
  g_assert_cmpint (ov_model_get_kind (model), ==, OV_MODEL_KIND_PRETRAIN);
  g_assert_true (ov_model_supports (model, OV_TASK_MATCH, NULL));
  g_assert_false (ov_model_supports (model, OV_TASK_CAPTION, NULL));
  v = ov_model_get_config (model)->vocab_size;
  for (int i = 0; i < n_reg; i++)
    for (int j = 0; j < d; j++)
      feats[i * d + j] = (float) json_array_get_double_element (
        json_array_get_array_element (feats_arr, i), j);
  regions.features = feats;
  regions.n_regions = n_reg;
  regions.dim = d;

  enc = ov_model_prepare_pretrain (model, json_object_get_string_member (eo, "text"),
                                   json_object_get_string_member (eo, "tags"), &regions, &error);
  g_assert_no_error (error);
  t = enc->inputs.n_text;
  g_assert_cmpint (t, ==, json_array_get_length (json_object_get_array_member (eo, "input_ids")));
  for (int i = 0; i < t; i++)
    {
      g_assert_cmpint (enc->input_ids[i], ==, json_array_get_int_element (
                         json_object_get_array_member (eo, "input_ids"), i));
      g_assert_cmpint (enc->token_type_ids[i], ==, json_array_get_int_element (
                         json_object_get_array_member (eo, "token_type_ids"), i));
    }
  for (int i = 0; i < t + enc->inputs.n_regions; i++)
    g_assert_cmpfloat (enc->attention_mask[i], ==, json_array_get_double_element (
                         json_object_get_array_member (eo, "attention_mask"), i));

  fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, NULL, &error);
  g_assert_no_error (error);
#define EXPECT_ARRAY(name, n) \
  G_STMT_START { \
    JsonArray *a_ = json_object_get_array_member (eo, name); \
    g_free (want); \
    want = g_new (float, n); \
    g_assert_cmpint (json_array_get_length (a_), ==, n); \
    for (int i_ = 0; i_ < (n); i_++) \
      want[i_] = (float) json_array_get_double_element (a_, i_); \
  } G_STMT_END
  EXPECT_ARRAY ("sequence_output", fwd->seq_len * h);
  check_close ("pretrain sequence output", fwd->sequence_output, want, fwd->seq_len * h,
               HID_RTOL, HID_ATOL);
  EXPECT_ARRAY ("pooled", h);
  check_close ("pretrain pooled", fwd->pooled, want, h, HID_RTOL, HID_ATOL);
  EXPECT_ARRAY ("lm_logits", t * v);
  check_close ("pretrain LM logits", fwd->lm_logits, want, t * v, LOGIT_TOL, LOGIT_TOL);
  EXPECT_ARRAY ("contrastive_logits", 3);
  g_assert_cmpint (fwd->n_classes, ==, 3);
  check_close ("pretrain contrastive logits", fwd->class_logits, want, 3, LOGIT_TOL, LOGIT_TOL);

  g_assert_true (ov_model_match (model, json_object_get_string_member (eo, "text"),
                                 json_object_get_string_member (eo, "tags"), &regions, logits,
                                 &n_classes, &p_match, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_classes, ==, 3);
  g_assert_cmpfloat_with_epsilon (p_match,
                                  json_object_get_double_member (eo, "match_probability"), 1e-5);

  preds = ov_model_predict_masks (model, json_object_get_string_member (eo, "text"),
                                  json_object_get_string_member (eo, "tags"), &regions, 5,
                                  NULL, &error);
  g_assert_no_error (error);
  {
    JsonArray *pos = json_object_get_array_member (eo, "mask_positions");
    JsonArray *top_ids = json_object_get_array_member (eo, "mask_top5_ids");
    JsonArray *top_p = json_object_get_array_member (eo, "mask_top5_probs");

    g_assert_cmpuint (preds->len, ==, json_array_get_length (pos));
    g_assert_cmpuint (preds->len, ==, 2);   /* one [MASK] in the text, one in the tags */
    for (guint m = 0; m < preds->len; m++)
      {
        OvMaskPrediction *p = preds->pdata[m];

        g_assert_cmpint (p->position, ==, json_array_get_int_element (pos, m));
        g_assert_cmpint (p->n, ==, 5);
        for (int k = 0; k < 5; k++)
          {
            g_assert_cmpint (p->ids[k], ==, json_array_get_int_element (
                               json_array_get_array_element (top_ids, m), k));
            g_assert_cmpfloat_with_epsilon (p->probs[k], json_array_get_double_element (
                                              json_array_get_array_element (top_p, m), k), 1e-5);
          }
      }
  }
}

/* Copies a checkpoint folder's small files into a new temporary folder and
 * writes its weights back as model.safetensors after edit() changed them. */
typedef gboolean (*EditFunc) (OvTensorView *views, guint *n, gpointer data);

static char *
make_variant (const char *src, EditFunc edit, gpointer data)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ov-engine-XXXXXX", &error);
  const char *files[] = { "config.json", "vocab.txt", "added_tokens.json" };
  g_autofree char *bin = g_build_filename (src, "pytorch_model.bin", NULL);
  g_autoptr(OvStateDict) sd = ov_state_dict_load (bin, &error);
  g_autofree OvTensorView *views = NULL;
  g_autofree char *out = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint n;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (src, files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);
      g_autofree char *text = NULL;
      gsize len;

      /* added_tokens.json is optional */
      if (i > 0 && !g_file_test (from, G_FILE_TEST_EXISTS))
        continue;
      g_assert_true (g_file_get_contents (from, &text, &len, NULL));
      g_assert_true (g_file_set_contents (to, text, len, NULL));
    }
  n = ov_state_dict_get_n_tensors (sd);
  views = g_new0 (OvTensorView, n + 1);
  for (guint i = 0; i < n; i++)
    {
      const OvTensor *t = ov_state_dict_get_nth (sd, i);

      views[i].name = t->name;
      views[i].dtype = t->dtype;
      views[i].n_dims = t->n_dims;
      memcpy (views[i].shape, t->shape, sizeof t->shape);
      views[i].data = t->data;
    }
  if (edit != NULL)
    g_assert_true (edit (views, &n, data));
  out = g_build_filename (dir, "model.safetensors", NULL);
  g_assert_true (ov_safetensors_write (out, views, n, &error));
  g_assert_no_error (error);
  g_ptr_array_unref (names);
  return dir;
}

/* Replaces find by replace in the file name of dir (limit times, 0: all)
 * and returns how many were replaced. */
static guint
edit_text_file (const char *dir,
                const char *name,
                const char *find,
                const char *replace,
                guint       limit)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) edited = NULL;
  guint n;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  edited = g_string_new (text);
  n = g_string_replace (edited, find, replace, limit);
  g_assert_true (g_file_set_contents (path, edited->str, -1, NULL));
  return n;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      g_unlink (p);
    }
  g_rmdir (dir);
}

static gboolean
edit_drop (OvTensorView *views, guint *n, gpointer data)
{
  for (guint i = 0; i < *n; i++)
    if (strcmp (views[i].name, data) == 0)
      {
        memmove (&views[i], &views[i + 1], (*n - i - 1) * sizeof *views);
        (*n)--;
        return TRUE;
      }
  return FALSE;
}

/* drops the pooler's weight and bias */
static gboolean
edit_drop_pooler (OvTensorView *views, guint *n, gpointer data)
{
  return edit_drop (views, n, "bert.pooler.dense.weight")
         && edit_drop (views, n, "bert.pooler.dense.bias");
}

static gboolean
edit_reshape (OvTensorView *views, guint *n, gpointer data)
{
  for (guint i = 0; i < *n; i++)
    if (strcmp (views[i].name, data) == 0 && views[i].n_dims == 2)
      {
        /* same bytes, rows and columns swapped */
        gint64 tmp = views[i].shape[0];

        views[i].shape[0] = views[i].shape[1];
        views[i].shape[1] = tmp;
        return TRUE;
      }
  return FALSE;
}

/* every word embedding with an infinity at its element 3 */
static gboolean
edit_poison_embedding (OvTensorView *views, guint *n, gpointer data)
{
  for (guint i = 0; i < *n; i++)
    if (g_str_has_suffix (views[i].name, "word_embeddings.weight")
        && views[i].dtype == OV_DTYPE_F32)
      {
        gint64 count = views[i].shape[0] * views[i].shape[1];
        float *copy = g_memdup2 (views[i].data, count * sizeof (float));

        for (gint64 r = 0; r < views[i].shape[0]; r++)
          copy[r * views[i].shape[1] + 3] = INFINITY;
        views[i].data = copy;
        *(float **) data = copy;
        return TRUE;
      }
  return FALSE;
}

/* one weight (at most 4096 float32 values) with a NaN at element 3 */
static gboolean
edit_poison (OvTensorView *views, guint *n, gpointer data)
{
  static float poisoned[4096];

  for (guint i = 0; i < *n; i++)
    if (strcmp (views[i].name, data) == 0 && views[i].dtype == OV_DTYPE_F32)
      {
        gint64 count = 1;

        for (int k = 0; k < views[i].n_dims; k++)
          count *= views[i].shape[k];
        g_assert_cmpint (count, >, 3);
        g_assert_cmpint (count, <=, G_N_ELEMENTS (poisoned));
        memcpy (poisoned, views[i].data, count * sizeof (float));
        poisoned[3] = NAN;
        views[i].data = poisoned;
        return TRUE;
      }
  return FALSE;
}

/* strips "bert." and drops the heads: a bare encoder file */
static gboolean
edit_bare (OvTensorView *views, guint *n, gpointer data)
{
  guint out = 0;

  for (guint i = 0; i < *n; i++)
    if (g_str_has_prefix (views[i].name, "bert."))
      {
        views[out] = views[i];
        views[out].name = views[i].name + 5;
        out++;
      }
  *n = out;
  return TRUE;
}

/* A folder of symbolic links to an oracle checkpoint's files plus the given
 * training_args.bin. */
static char *
checkpoint_variant_with_args (const char *checkpoint, const char *args_file)
{
  g_autofree char *src = ov_test_shared_path ("oracle", "checkpoints", checkpoint, NULL);
  g_autofree char *args = ov_test_source_path ("tests", "fixtures", "training_args", args_file,
                                               NULL);
  g_autofree char *args_text = NULL;
  g_autofree char *args_to = NULL;
  const char *files[] = { "config.json", "vocab.txt", "added_tokens.json", "pytorch_model.bin" };
  char *dir = g_dir_make_tmp ("ov-engine-XXXXXX", NULL);
  gsize len;

  g_assert_nonnull (dir);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (src, files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);

      g_assert_cmpint (symlink (from, to), ==, 0);
    }
  g_assert_true (g_file_get_contents (args, &args_text, &len, NULL));
  args_to = g_build_filename (dir, "training_args.bin", NULL);
  g_assert_true (g_file_set_contents (args_to, args_text, len, NULL));
  return dir;
}

static char *
caption_variant_with_args (const char *args_file)
{
  return checkpoint_variant_with_args ("caption_tiny", args_file);
}

/* /model/engine/training-args: restore_training_settings (§4.3) */
static void
test_training_args (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *feats = g_new0 (float, 45 * 2054);
  OvRegions regions = { feats, 45, 2054 };
  gint32 prefix[] = { 101, 2000, 2001 };

  /* XE run: tag slots = 60 - 33; tags off; 40 regions */
  {
    g_autofree char *dir = caption_variant_with_args ("xe.bin");
    g_autoptr(OvModel) m = ov_model_load (dir, NULL, &error);
    OvTaskSettings *st;
    g_autoptr(OvEncoding) enc = NULL;

    g_assert_no_error (error);
    st = ov_model_get_settings (m);
    g_assert_cmpint (st->max_seq_a_length, ==, 33);
    g_assert_cmpint (st->train_max_seq_length, ==, 60);
    g_assert_cmpint (st->od_labels_len, ==, 27);
    g_assert_cmpint (st->max_img_seq_length, ==, 40);
    g_assert_false (st->add_od_labels);
    g_assert_true (st->do_lower_case);
    g_assert_cmpint (st->max_gen_length, ==, 20);
    enc = ov_model_prepare_caption_step (m, prefix, 3, "dog cat", &regions, &error);
    g_assert_no_error (error);
    /* no tag block without add_od_labels; regions cut to 40 */
    g_assert_cmpint (enc->inputs.n_text, ==, 4);
    g_assert_cmpint (enc->inputs.n_regions, ==, 40);
    g_clear_pointer (&enc, ov_encoding_free);
    /* tags back on: 27 slots at positions max (33, 20) = 33.. */
    st->add_od_labels = TRUE;
    enc = ov_model_prepare_caption_step (m, prefix, 3, "dog cat", &regions, &error);
    g_assert_no_error (error);
    g_assert_cmpint (enc->inputs.n_text, ==, 4 + 27);
    g_assert_cmpint (enc->position_ids[4], ==, 33);
    g_assert_cmpint (enc->position_ids[4 + 26], ==, 59);
    g_assert_cmpint (enc->token_type_ids[4 + 2], ==, 1);        /* the tags' [SEP] */
    g_assert_cmpint (enc->input_ids[4 + 2], ==, 102);
    g_assert_cmpint (enc->token_type_ids[4 + 3], ==, 0);        /* padding */
    remove_dir (dir);
  }
  /* SCST run: tag slots = max_seq_length - max_gen_length of training = 45 - 15 */
  {
    g_autofree char *dir = caption_variant_with_args ("scst.bin");
    g_autoptr(OvModel) m = ov_model_load (dir, NULL, &error);
    OvTaskSettings *st;

    g_assert_no_error (error);
    st = ov_model_get_settings (m);
    g_assert_cmpint (st->od_labels_len, ==, 30);
    g_assert_cmpint (st->max_seq_a_length, ==, 40);
    g_assert_true (st->add_od_labels);
    g_assert_cmpint (st->vqa_max_seq_length, ==, 128);   /* not a classifier */
    remove_dir (dir);
  }
  /* VQA run: run_vqa pads question + tags to its max_seq_length (24) */
  {
    g_autofree char *dir = checkpoint_variant_with_args ("vqa_tiny_imgln", "vqa.bin");
    g_autoptr(OvModel) m = ov_model_load (dir, NULL, &error);
    g_autoptr(OvEncoding) enc = NULL;
    OvTaskSettings *st;

    g_assert_no_error (error);
    g_assert_cmpint (ov_model_get_kind (m), ==, OV_MODEL_KIND_CLASSIFIER);
    st = ov_model_get_settings (m);
    g_assert_cmpint (st->vqa_max_seq_length, ==, 24);
    g_assert_cmpint (st->max_img_seq_length, ==, 30);
    enc = ov_model_prepare_vqa (m, "what color is the dog ?", "dog cat", &regions, &error);
    g_assert_no_error (error);
    g_assert_cmpint (enc->inputs.n_text, ==, 24);
    g_assert_cmpint (enc->inputs.n_regions, ==, 30);
    remove_dir (dir);
  }
}

/* A table of name -> GStrv from a fixture's object of string lists. */
static GHashTable *
json_string_lists (JsonObject *o)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_strfreev);
  g_autoptr(GList) members = json_object_get_members (o);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonArray *a = json_object_get_array_member (o, l->data);
      GStrvBuilder *b = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (a); i++)
        g_strv_builder_add (b, json_array_get_string_element (a, i));
      g_hash_table_insert (table, g_strdup (l->data), g_strv_builder_end (b));
      g_strv_builder_unref (b);
    }
  return table;
}

/* /model/engine/cbs: constrained beam search (NoCaps' --use_cbs) against
 * the original's own cbs.py run by tools/cbs-reference.py (float64,
 * uncached): the same caption ids, scores within 1e-4, on the cached and
 * the uncached path; one to three constraints, pieces that run over
 * several tokens, forms outside the vocabulary, no constraint at all. */
static void
test_cbs (void)
{
  g_autofree char *epath = ov_test_source_path ("tests", "fixtures", "cbs.json", NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonObject *root = json_node_get_object (expected);
  JsonArray *cases = json_object_get_array_member (root, "search");
  g_autoptr(GHashTable) pieces = json_string_lists (json_object_get_object_member (root,
                                                                        "constraint_tokens"));
  g_autoptr(GHashTable) forms = json_string_lists (json_object_get_object_member (root,
                                                                        "token_forms"));
  g_autoptr(GPtrArray) images = load_caption_images ();
  g_autoptr(OvModel) model = load_oracle_model ("caption_tiny");
  gint32 sep = ov_tokenizer_sep_id (ov_model_get_tokenizer (model));
  g_autoptr(GError) error = NULL;

  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *co = json_array_get_object_element (cases, c);
      JsonArray *list = json_object_get_array_member (co, "constraints");
      JsonArray *eimgs = json_object_get_array_member (co, "images");
      const char *names[OV_CBS_MAX_CONSTRAINTS + 1] = { NULL };
      OvCaptionConstraints cc = { names, (int) json_array_get_length (list), pieces, forms,
                                  (int) json_object_get_int_member (co, "min_constraints") };
      OvCaptionOptions opts;

      for (guint i = 0; i < json_array_get_length (list); i++)
        names[i] = json_array_get_string_element (list, i);
      ov_caption_options_init (&opts);
      opts.num_beams = (int) json_object_get_int_member (co, "beams");
      opts.max_length = (int) json_object_get_int_member (root, "max_length");
      opts.constraints = &cc;
      for (guint i = 0; i < images->len; i++)
        {
          const CaptionImage *ci = g_ptr_array_index (images, i);
          JsonObject *eo = json_array_get_object_element (eimgs, i);
          JsonArray *ids = json_object_get_array_member (eo, "ids");
          OvRegions regions = caption_regions (ci);

          g_assert_cmpstr (json_object_get_string_member (eo, "key"), ==, ci->key);
          for (int cache = 0; cache < 2; cache++)
            {
              g_autoptr(GPtrArray) got = NULL;
              const OvCaption *cap;
              guint n = 1;

              opts.use_cache = cache;
              got = ov_model_caption (model, ci->tags, &regions, &opts, NULL, &error);
              g_assert_no_error (error);
              g_assert_cmpuint (got->len, ==, 1);
              cap = g_ptr_array_index (got, 0);
              if (g_test_verbose ())
                g_test_message ("%s %s cache %d: %u tokens, %.6f, meets %d",
                                json_object_get_string_member (co, "name"), ci->key, cache,
                                cap->ids->len, cap->score, cap->constraints_met);
              /* the original's row: the words, then [SEP] to max_length */
              g_assert_cmpint (g_array_index (cap->ids, gint32, 0), ==, 101);
              for (guint t = 0; t < json_array_get_length (ids); t++)
                {
                  gint32 want = (gint32) json_array_get_int_element (ids, t);

                  if (n < cap->ids->len)
                    g_assert_cmpint (g_array_index (cap->ids, gint32, n++), ==, want);
                  else
                    g_assert_cmpint (want, ==, sep);
                }
              g_assert_cmpint (g_array_index (cap->ids, gint32, cap->ids->len - 1), ==, sep);
              g_assert_cmpfloat_with_epsilon (cap->score,
                                              json_object_get_double_member (eo, "score"),
                                              1e-4);
              g_assert_cmpint (cap->constraints_met, >=,
                               MIN (cc.min_satisfied, cc.n_constraints));
            }
        }
    }
}

/* /model/engine/caption-lengths: Oscar's --max_gen_length is a test-time
 * choice: captions longer than training's 20 put the tag slots at
 * max (max_seq_a_length, max_length); a training_args.bin without
 * max_seq_a_length leaves 70 - max_length tag slots. Ids and scores against
 * tools/caption-reference.py (float64, uncached), for both of our paths. A
 * cased captioning run still lower-cases, as the original's test branch. */
static void
test_caption_lengths (void)
{
  g_autofree char *epath = ov_test_source_path ("tests", "fixtures", "caption-lengths.json",
                                                NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonArray *cases = json_object_get_array_member (json_node_get_object (expected), "cases");
  g_autoptr(GPtrArray) images = load_caption_images ();
  g_autoptr(OvModel) plain = load_oracle_model ("caption_tiny");
  g_autofree char *no_seq_a_dir = caption_variant_with_args ("no-seq-a.bin");
  g_autofree char *cased_dir = caption_variant_with_args ("cased.bin");
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) no_seq_a = ov_model_load (no_seq_a_dir, NULL, &error);
  g_autoptr(OvModel) cased = NULL;
  gint32 cls = 101;

  g_assert_no_error (error);
  g_assert_true (ov_model_get_settings (no_seq_a)->od_labels_follow_length);
  g_assert_false (ov_model_get_settings (plain)->od_labels_follow_length);
  /* positions: 40 + 30 tag slots fit 512 up to 482; 70 - L slots, the
   * tags' [SEP] at least */
  g_assert_cmpint (ov_model_max_caption_length (plain), ==, 512 - 30);
  g_assert_cmpint (ov_model_max_caption_length (no_seq_a), ==, 69);

  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *co = json_array_get_object_element (cases, c);
      const char *name = json_object_get_string_member (co, "name");
      OvModel *model = g_str_has_prefix (name, "greedy-no-seq-a") ? no_seq_a : plain;
      JsonArray *eimgs = json_object_get_array_member (co, "images");
      OvCaptionOptions opts;
      int slots = (int) json_object_get_int_member (co, "tag_slots");

      ov_caption_options_init (&opts);
      opts.num_beams = (int) json_object_get_int_member (co, "beams");
      opts.n_best = (int) json_object_get_int_member (co, "n_best");
      opts.max_length = (int) json_object_get_int_member (co, "max_length");
      g_assert_cmpuint (json_array_get_length (eimgs), ==, images->len);
      for (guint i = 0; i < images->len; i++)
        {
          const CaptionImage *ci = g_ptr_array_index (images, i);
          JsonObject *eo = json_array_get_object_element (eimgs, i);
          JsonArray *want = json_object_get_array_member (eo, "captions");
          OvRegions regions = caption_regions (ci);
          g_autoptr(OvEncoding) step = NULL;

          g_assert_cmpstr (json_object_get_string_member (eo, "key"), ==, ci->key);
          /* the step input: tag slots and where they start */
          step = ov_model_prepare_caption_step_for (model, opts.max_length, &cls, 1, ci->tags,
                                                    &regions, &error);
          g_assert_no_error (error);
          g_assert_cmpint (step->inputs.n_text, ==, 2 + slots);
          g_assert_cmpint (step->position_ids[2], ==, MAX (40, opts.max_length));
          for (int cache = 0; cache < 2; cache++)
            {
              g_autoptr(GPtrArray) got = NULL;

              opts.use_cache = cache;
              got = ov_model_caption (model, ci->tags, &regions, &opts, NULL, &error);
              g_assert_no_error (error);
              g_assert_cmpuint (got->len, ==, json_array_get_length (want));
              for (guint h = 0; h < got->len; h++)
                {
                  const OvCaption *cap = g_ptr_array_index (got, h);
                  JsonObject *wo = json_array_get_object_element (want, h);
                  JsonArray *ids = json_object_get_array_member (wo, "ids");

                  if (g_test_verbose ())
                    g_test_message ("%s %s cache %d: %u tokens, %.6f", name, ci->key, cache,
                                    cap->ids->len, cap->score);
                  g_assert_cmpuint (cap->ids->len, ==, json_array_get_length (ids));
                  for (guint t = 0; t < cap->ids->len; t++)
                    g_assert_cmpint (g_array_index (cap->ids, gint32, t), ==,
                                     json_array_get_int_element (ids, t));
                  g_assert_cmpfloat_with_epsilon (cap->score,
                                                  json_object_get_double_member (wo, "score"),
                                                  1e-4);
                }
            }
        }
    }

  /* a cased run's captioning tokenizer lower-cases */
  cased = ov_model_load (cased_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ov_model_get_settings (cased)->do_lower_case);
  {
    const CaptionImage *ci = g_ptr_array_index (images, 0);
    OvRegions regions = caption_regions (ci);
    g_autofree char *upper = g_ascii_strup (ci->tags, -1);
    g_autoptr(OvEncoding) a = ov_model_prepare_caption_step (plain, &cls, 1, ci->tags, &regions,
                                                             &error);
    g_autoptr(OvEncoding) b = ov_model_prepare_caption_step (cased, &cls, 1, upper, &regions,
                                                             &error);

    g_assert_no_error (error);
    g_assert_cmpint (a->inputs.n_text, ==, b->inputs.n_text);
    for (int t = 0; t < a->inputs.n_text; t++)
      g_assert_cmpint (a->input_ids[t], ==, b->input_ids[t]);
  }
  remove_dir (no_seq_a_dir);
  remove_dir (cased_dir);
}

/* /model/engine/special-tokens-map: a checkpoint whose vocabulary calls
 * [SEP] and [MASK] "<sep>" and "<mask>" (same lines) and whose
 * special_tokens_map.json says so captions exactly as the original; without
 * the map it is refused. */
static void
test_special_tokens_map (void)
{
  g_autofree char *src = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny", NULL);
  g_autofree char *vocab_src = g_build_filename (src, "vocab.txt", NULL);
  const char *files[] = { "config.json", "added_tokens.json", "pytorch_model.bin",
                          "training_args.bin" };
  g_autofree char *dir = g_dir_make_tmp ("ov-engine-XXXXXX", NULL);
  g_autofree char *vocab_to = g_build_filename (dir, "vocab.txt", NULL);
  g_autofree char *map_to = g_build_filename (dir, "special_tokens_map.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) vocab = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autofree float *feats = g_new (float, 20 * 2054);
  OvRegions regions = { feats, 20, 2054 };
  g_autoptr(OvModel) original = load_oracle_model ("caption_tiny");
  g_autoptr(OvModel) renamed = NULL;
  g_autoptr(OvModel) refused = NULL;
  g_autoptr(GPtrArray) want = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  OvCaptionOptions opts;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (src, files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);

      g_assert_cmpint (symlink (from, to), ==, 0);
    }
  g_assert_true (g_file_get_contents (vocab_src, &text, NULL, NULL));
  vocab = g_string_new (text);
  g_assert_cmpuint (g_string_replace (vocab, "\n[SEP]\n", "\n<sep>\n", 1), ==, 1);
  g_assert_cmpuint (g_string_replace (vocab, "\n[MASK]\n", "\n<mask>\n", 1), ==, 1);
  g_assert_true (g_file_set_contents (vocab_to, vocab->str, (gssize) vocab->len, NULL));
  g_assert_true (g_file_set_contents (map_to, "{\"unk_token\": \"[UNK]\", \"sep_token\": "
                                      "\"<sep>\", \"pad_token\": \"[PAD]\", \"cls_token\": "
                                      "\"[CLS]\", \"mask_token\": \"<mask>\"}", -1, NULL));

  for (int i = 0; i < 20 * 2054; i++)
    feats[i] = g_rand_double (rand) < 0.5 ? 0.0f : (float) g_rand_double_range (rand, 0, 3);
  ov_caption_options_init (&opts);
  opts.num_beams = 2;
  want = ov_model_caption (original, "man surfboard wave water", &regions, &opts, NULL, &error);
  g_assert_no_error (error);
  renamed = ov_model_load (dir, NULL, &error);
  g_assert_no_error (error);
  got = ov_model_caption (renamed, "man surfboard wave water", &regions, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint k = 0; k < want->len; k++)
    {
      OvCaption *a = want->pdata[k], *b = got->pdata[k];

      g_test_message ("\"%s\" / \"%s\"", a->text, b->text);
      g_assert_cmpuint (a->ids->len, ==, b->ids->len);
      g_assert_cmpmem (a->ids->data, a->ids->len * 4, b->ids->data, b->ids->len * 4);
      g_assert_cmpstr (a->text, ==, b->text);
      g_assert_cmpfloat (a->score, ==, b->score);
    }

  g_assert_no_errno (g_unlink (map_to));
  refused = ov_model_load (dir, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "“[SEP]”"));
  remove_dir (dir);
}

/* /model/engine/cache-equivalence: the cached and the uncached decoder give
 * the same captions and scores under every option */
static void
test_cache_equivalence (void)
{
  g_autoptr(OvModel) model = load_oracle_model ("caption_tiny");
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autofree float *feats = g_new (float, 30 * 2054);
  struct {
    int beams, n_best, max_length;
    double lp, rp;
    const char *tags;
    int n_regions;
  } cases[] = {
    { 1, 1, 0, 1.0, 1.0, "man surfboard wave water", 30 },
    { 1, 1, 0, 1.0, 1.3, "man surfboard wave water", 30 },
    { 5, 3, 0, 1.0, 1.0, "man surfboard wave water", 30 },
    { 2, 2, 9, 2.0, 1.2, "man surfboard wave water", 30 },
    { 4, 1, 0, 0.5, 1.0, "", 30 },
    { 3, 1, 0, 1.0, 1.0, "dog dog dog", 0 },
    { 3, 2, 6, 1.0, 1.0, "", 0 },
  };

  for (int i = 0; i < 30 * 2054; i++)
    feats[i] = g_rand_double (rand) < 0.5 ? 0.0f : (float) g_rand_double_range (rand, 0, 3);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GPtrArray) res0 = NULL;
      g_autoptr(GPtrArray) res1 = NULL;
      GPtrArray **res[2] = { &res0, &res1 };
      OvRegions regions = { feats, cases[c].n_regions, 2054 };

      for (int cached = 0; cached < 2; cached++)
        {
          g_autoptr(GError) error = NULL;
          OvCaptionOptions opts;

          ov_caption_options_init (&opts);
          opts.num_beams = cases[c].beams;
          opts.n_best = cases[c].n_best;
          opts.max_length = cases[c].max_length;
          opts.length_penalty = cases[c].lp;
          opts.repetition_penalty = cases[c].rp;
          opts.use_cache = cached;
          *res[cached] = ov_model_caption (model, cases[c].tags, &regions, &opts, NULL, &error);
          g_assert_no_error (error);
        }
      g_assert_cmpuint (res0->len, ==, cases[c].n_best);
      g_assert_cmpuint (res0->len, ==, res1->len);
      for (guint k = 0; k < res0->len; k++)
        {
          OvCaption *a = res0->pdata[k], *b = res1->pdata[k];

          g_test_message ("case %u #%u: \"%s\" %.7f / %.7f", c, k, a->text, a->score, b->score);
          g_assert_cmpuint (a->ids->len, ==, b->ids->len);
          g_assert_cmpmem (a->ids->data, a->ids->len * 4, b->ids->data, b->ids->len * 4);
          g_assert_cmpfloat_with_epsilon (a->score, b->score, 1e-5);
          g_assert_cmpint (g_array_index (a->ids, gint32, 0), ==, 101);
          g_assert_cmpint (g_array_index (a->ids, gint32, a->ids->len - 1), ==, 102);
          g_assert_cmpuint (a->ids->len, <=, cases[c].max_length > 0 ? cases[c].max_length : 20);
          if (k > 0)
            g_assert_cmpfloat (((OvCaption *) res0->pdata[k - 1])->score, >=, a->score);
        }
    }
}

static float *
json_floats (JsonObject *o, const char *member, int *n)
{
  JsonArray *a = json_object_get_array_member (o, member);
  float *out;

  *n = a != NULL ? (int) json_array_get_length (a) : 0;
  out = g_new (float, MAX (*n, 1));
  for (int i = 0; i < *n; i++)
    out[i] = (float) json_array_get_double_element (a, i);
  return out;
}

/* /model/engine/variants: fp16 and bf16 storage, an MLP classifier in the
 * legacy container, an untied captioning decoder, hidden_act relu and
 * swish, and a file lacking the weights the original fills in (image
 * LayerNorm, LM bias); each against our float64 reference of the same
 * input */
static void
test_variants (void)
{
  struct {
    const char *dir;
    OvModelKind kind;
    gboolean lm;
    int n_classes;
    int n_warnings;
  } variants[] = {
    { "pretrain_tiny_f16", OV_MODEL_KIND_PRETRAIN, TRUE, 3, 0 },
    { "pretrain_tiny_bf16", OV_MODEL_KIND_PRETRAIN, TRUE, 3, 0 },
    { "classifier_mlp_tiny", OV_MODEL_KIND_CLASSIFIER, FALSE, 5, 0 },
    { "caption_untied_tiny", OV_MODEL_KIND_CAPTION, TRUE, 0, 0 },
    { "pretrain_tiny_relu", OV_MODEL_KIND_PRETRAIN, TRUE, 3, 0 },
    { "pretrain_tiny_swish", OV_MODEL_KIND_PRETRAIN, TRUE, 3, 0 },
    { "pretrain_tiny_filled", OV_MODEL_KIND_PRETRAIN, TRUE, 3, 3 },
  };
  g_autofree char *ipath = ov_test_source_path ("tests", "fixtures", "pretrain_tiny",
                                                "expected.json", NULL);
  g_autoptr(JsonNode) input = ov_test_load_json (ipath);
  JsonObject *io = json_node_get_object (input);
  int n_reg, d = 16;
  g_autofree float *feats = ov_test_json_rows (io, "region_features", d, &n_reg);
  OvRegions regions = { feats, n_reg, d };

  for (guint c = 0; c < G_N_ELEMENTS (variants); c++)
    {
      g_autofree char *dir = ov_test_source_path ("tests", "fixtures", variants[c].dir, NULL);
      g_autofree char *epath = g_build_filename (dir, "expected.json", NULL);
      g_autoptr(JsonNode) expected = ov_test_load_json (epath);
      JsonObject *eo = json_node_get_object (expected);
      g_autoptr(GError) error = NULL;
      g_autoptr(OvModel) model = ov_model_load (dir, NULL, &error);
      g_autoptr(OvEncoding) enc = NULL;
      g_autoptr(OvForward) fwd = NULL;
      g_autofree float *want = NULL;
      char what[128];
      int n;

      g_assert_no_error (error);
      g_assert_cmpint (ov_model_get_kind (model), ==, variants[c].kind);
      if (variants[c].n_warnings == 0)
        g_assert_null (ov_model_get_warnings (model));
      else
        {
          const char * const *warnings = ov_model_get_warnings (model);

          g_assert_nonnull (warnings);
          g_assert_cmpuint (g_strv_length ((char **) warnings), ==, variants[c].n_warnings);
          for (int i = 0; i < variants[c].n_warnings; i++)
            g_assert_nonnull (strstr (warnings[i], "is missing; it is set to"));
        }
      enc = ov_model_prepare_pretrain (model, json_object_get_string_member (io, "text"),
                                       json_object_get_string_member (io, "tags"), &regions,
                                       &error);
      g_assert_no_error (error);
      fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, NULL, &error);
      g_assert_no_error (error);

      want = json_floats (eo, "sequence_output", &n);
      g_assert_cmpint (n, ==, fwd->seq_len * fwd->hidden);
      g_snprintf (what, sizeof what, "%s sequence output", variants[c].dir);
      check_close (what, fwd->sequence_output, want, n, HID_RTOL, HID_ATOL);
      g_free (want);
      want = json_floats (eo, "pooled", &n);
      g_snprintf (what, sizeof what, "%s pooled", variants[c].dir);
      check_close (what, fwd->pooled, want, n, HID_RTOL, HID_ATOL);
      g_free (want);
      want = json_floats (eo, "lm_logits", &n);
      if (variants[c].lm)
        {
          g_assert_cmpint (n, ==, enc->inputs.n_text * fwd->vocab_size);
          g_snprintf (what, sizeof what, "%s LM logits", variants[c].dir);
          check_close (what, fwd->lm_logits, want, n, LOGIT_TOL, LOGIT_TOL);
        }
      else
        g_assert_null (fwd->lm_logits);
      g_free (want);
      want = json_floats (eo, "class_logits", &n);
      g_assert_cmpint (fwd->n_classes, ==, variants[c].n_classes);
      g_assert_cmpint (n, ==, variants[c].n_classes);
      if (n > 0)
        {
          g_snprintf (what, sizeof what, "%s class logits", variants[c].dir);
          check_close (what, fwd->class_logits, want, n, LOGIT_TOL, LOGIT_TOL);
        }
    }
}

/* /model/engine/caption-without-pooler: captioning never reads the pooled
 * vector, so a captioning file stored without the pooler loads and captions
 * exactly as the same file with it; a head on the pooled vector (the
 * pre-training contrast, VQA) still needs it, and the error names it. */
static void
test_caption_without_pooler (void)
{
  g_autofree char *cap = ov_test_source_path ("tests", "fixtures", "caption_untied_tiny", NULL);
  g_autofree char *pre = ov_test_source_path ("tests", "fixtures", "pretrain_tiny", NULL);
  g_autofree char *dir = make_variant (cap, edit_drop_pooler, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) full = ov_model_load (cap, NULL, &error);
  g_autoptr(OvModel) bare = NULL;
  g_autoptr(GPtrArray) want = NULL;
  g_autoptr(GPtrArray) got = NULL;
  static const float feats[2 * 16] = { 0.5f, -1.0f, 0.25f, 2.0f, 0.0f, 1.5f, -0.5f, 0.75f,
                                       1.0f, 0.0f, -2.0f, 0.5f, 0.125f, 1.0f, -1.0f, 0.25f,
                                       -0.5f, 1.0f, 0.0f, 0.5f, 2.0f, -1.5f, 0.25f, 1.0f,
                                       0.0f, 0.5f, 1.0f, -0.25f, 0.5f, 0.0f, 1.0f, -1.0f };
  OvRegions regions = { feats, 2, 16 };
  OvCaptionOptions opts;

  g_assert_no_error (error);
  bare = ov_model_load (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ov_model_get_kind (bare), ==, OV_MODEL_KIND_CAPTION);
  g_assert_cmpint (ov_model_get_config (bare)->img_feature_dim, ==, 16);
  /* the fixture has no training_args.bin, and Oscar's default lengths
   * (40 + 30 text positions) do not fit its 64 positions */
  for (OvModel **m = (OvModel *[]) { full, bare, NULL }; *m != NULL; m++)
    {
      OvTaskSettings *st = ov_model_get_settings (*m);

      st->max_seq_a_length = 20;
      st->max_gen_length = 20;
      st->od_labels_len = 10;
      st->od_labels_follow_length = FALSE;
      st->max_img_seq_length = 10;
    }
  ov_caption_options_init (&opts);
  opts.num_beams = 3;
  opts.n_best = 3;
  opts.max_length = 8;
  want = ov_model_caption (full, "dog couch", &regions, &opts, NULL, &error);
  g_assert_no_error (error);
  got = ov_model_caption (bare, "dog couch", &regions, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    {
      const OvCaption *a = g_ptr_array_index (want, i), *b = g_ptr_array_index (got, i);

      g_assert_cmpstr (b->text, ==, a->text);
      g_assert_cmpfloat (b->score, ==, a->score);
    }
  remove_dir (dir);
  g_free (dir);

  dir = make_variant (pre, edit_drop_pooler, NULL);
  g_clear_pointer (&bare, ov_model_free);
  bare = ov_model_load (dir, NULL, &error);
  g_assert_null (bare);
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "bert.pooler.dense.weight"));
  remove_dir (dir);
}

/* /model/engine/errors */
static void
test_errors (void)
{
  g_autofree char *fixture = ov_test_source_path ("tests", "fixtures", "pretrain_tiny", NULL);
  g_autoptr(GError) error = NULL;

  /* a missing weight is named */
  {
    g_autofree char *dir = make_variant (fixture, edit_drop,
                                         "bert.encoder.layer.1.output.dense.weight");
    g_autoptr(OvModel) m = ov_model_load (dir, NULL, &error);

    g_assert_null (m);
    g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
    g_assert_nonnull (strstr (error->message, "bert.encoder.layer.1.output.dense.weight"));
    g_assert_nonnull (strstr (error->message, "model.safetensors"));
    g_clear_error (&error);
    remove_dir (dir);
  }
  /* a wrong shape names the tensor, both shapes and the file */
  {
    g_autofree char *dir = make_variant (fixture, edit_reshape,
                                         "bert.encoder.layer.0.intermediate.dense.weight");
    g_autoptr(OvModel) m = ov_model_load (dir, NULL, &error);

    g_assert_null (m);
    g_assert_error (error, OV_ERROR, OV_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "bert.encoder.layer.0.intermediate.dense.weight"));
    g_assert_nonnull (strstr (error->message, "[16, 32]"));
    g_assert_nonnull (strstr (error->message, "[32, 16]"));
    g_assert_nonnull (strstr (error->message, "model.safetensors"));
    g_clear_error (&error);
    remove_dir (dir);
  }
  /* a weight that is not a finite number would make every output NaN */
  {
    g_autofree char *dir = make_variant (fixture, edit_poison,
                                         "bert.encoder.layer.1.output.dense.bias");
    g_autoptr(OvModel) m = ov_model_load (dir, NULL, &error);

    g_assert_null (m);
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "bert.encoder.layer.1.output.dense.bias"));
    g_assert_nonnull (strstr (error->message, "element 3"));
    g_assert_nonnull (strstr (error->message, "model.safetensors"));
    g_clear_error (&error);
    remove_dir (dir);
  }
  /* in a large weight it is found once the output is not finite (the load
   * does not read every page of a mapped base model), and named then; the
   * tiny model's weights are all small, so none is checked at load here */
  {
    g_autofree float *copy = NULL;
    g_autofree char *dir = make_variant (fixture, edit_poison_embedding, &copy);
    gint64 limit = _ov_model_scan_at_load;
    g_autoptr(OvModel) m = NULL;

    _ov_model_scan_at_load = 0;
    m = ov_model_load (dir, NULL, &error);
    g_autoptr(GPtrArray) preds = NULL;
    const float feats[16] = { 0 };
    OvRegions regions = { feats, 1, 16 };

    g_assert_no_error (error);
    g_assert_nonnull (m);
    preds = ov_model_predict_masks (m, "a [MASK] on a table", "dog", &regions, 3, NULL, &error);
    g_assert_null (preds);
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "word_embeddings.weight"));
    g_assert_nonnull (strstr (error->message, "inf at element 3"));
    g_assert_nonnull (strstr (error->message, "model.safetensors"));
    g_clear_error (&error);
    _ov_model_scan_at_load = limit;
    remove_dir (dir);
  }
  /* so would a negative LayerNorm epsilon */
  {
    g_autofree char *dir = make_variant (fixture, NULL, NULL);
    g_autoptr(OvModel) m = NULL;

    g_assert_cmpuint (edit_text_file (dir, "config.json", "\"layer_norm_eps\": 1e-12",
                                      "\"layer_norm_eps\": -1", 0), ==, 1);
    m = ov_model_load (dir, NULL, &error);
    g_assert_null (m);
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "layer_norm_eps"));
    g_assert_nonnull (strstr (error->message, "config.json"));
    g_clear_error (&error);
    remove_dir (dir);
  }
  /* a bare encoder (no "bert." prefix) loads as an encoder and refuses tasks */
  {
    g_autofree char *dir = make_variant (fixture, edit_bare, NULL);
    g_autoptr(OvModel) m = ov_model_load (dir, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ov_model_get_kind (m), ==, OV_MODEL_KIND_ENCODER);
    g_assert_false (ov_model_supports (m, OV_TASK_MASK, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    remove_dir (dir);
  }
  /* an unexpected weight is a warning, not an error */
  {
    g_autofree char *dir = make_variant (fixture, NULL, NULL);
    g_autoptr(OvModel) m = NULL;
    const char *const *warnings;

    /* turning the image LayerNorm off leaves bert.LayerNorm.* unused */
    g_assert_cmpuint (edit_text_file (dir, "config.json", "\"use_img_layernorm\": 1",
                                      "\"use_img_layernorm\": 0", 0), ==, 1);
    m = ov_model_load (dir, NULL, &error);
    g_assert_no_error (error);
    warnings = ov_model_get_warnings (m);
    g_assert_nonnull (warnings);
    g_assert_nonnull (strstr (warnings[0], "bert.LayerNorm.weight"));
    remove_dir (dir);
  }
  /* a vocabulary that repeats a word piece loads as Oscar reads it (the
   * later line's id wins), with a warning that names it */
  {
    g_autofree char *dir = make_variant (fixture, NULL, NULL);
    g_autoptr(OvModel) m = NULL;
    const char *const *warnings;

    g_assert_cmpuint (edit_text_file (dir, "vocab.txt", "\ndog\n", "\ncat\n", 1), ==, 1);
    m = ov_model_load (dir, NULL, &error);
    g_assert_no_error (error);
    warnings = ov_model_get_warnings (m);
    g_assert_nonnull (warnings);
    g_assert_nonnull (strstr (warnings[0], "vocab.txt repeats 1 word piece: “cat” is on lines "));
    g_assert_cmpint (ov_tokenizer_token_to_id (ov_model_get_tokenizer (m), "cat"), >,
                     ov_tokenizer_token_to_id (ov_model_get_tokenizer (m), "[MASK]"));
    remove_dir (dir);
  }
  /* a vocabulary without [MASK] */
  {
    g_autofree char *dir = make_variant (fixture, NULL, NULL);
    g_autoptr(OvModel) m = NULL;

    edit_text_file (dir, "vocab.txt", "[MASK]\n", "[unused1]\n", 1);
    m = ov_model_load (dir, NULL, &error);
    g_assert_null (m);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "[MASK]"));
    g_clear_error (&error);
    remove_dir (dir);
  }
  /* bad task inputs */
  {
    g_autoptr(OvModel) vqa = load_oracle_model ("vqa_tiny_imgln");
    g_autoptr(OvModel) cap = load_oracle_model ("caption_tiny");
    g_autofree float *feats = g_new0 (float, 3 * 2054);
    OvRegions regions = { feats, 3, 2054 };
    OvRegions narrow = { feats, 3, 2048 };
    g_autoptr(OvEncoding) enc = NULL;
    g_autoptr(GPtrArray) caps = NULL;
    int n = 0;
    float *logits;

    enc = ov_model_prepare_vqa (vqa, "   ", "dog", &regions, &error);
    g_assert_null (enc);
    g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
    g_clear_error (&error);

    feats[2054 + 7] = NAN;
    logits = ov_model_classify (vqa, "what is it?", "dog", &regions, &n, NULL, &error);
    g_assert_null (logits);
    g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "region 1"));
    g_clear_error (&error);
    feats[2054 + 7] = 0.0f;

    logits = ov_model_classify (vqa, "what is it?", "dog", &narrow, &n, NULL, &error);
    g_assert_null (logits);
    g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
    g_clear_error (&error);

    logits = ov_model_classify (cap, "what is it?", "dog", &regions, &n, NULL, &error);
    g_assert_null (logits);
    g_assert_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED);
    g_clear_error (&error);

    caps = ov_model_caption (vqa, "dog", &regions, NULL, NULL, &error);
    g_assert_null (caps);
    g_assert_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED);
    g_clear_error (&error);

    /* a repetition penalty near 0 would divide logits past the float range */
    {
      const double penalties[] = { 1e-40, 1e-38, 0.001, 101 };

      for (guint i = 0; i < G_N_ELEMENTS (penalties); i++)
        {
          OvCaptionOptions opts;

          ov_caption_options_init (&opts);
          opts.num_beams = 1;
          opts.repetition_penalty = penalties[i];
          caps = ov_model_caption (cap, "dog", &regions, &opts, NULL, &error);
          g_assert_null (caps);
          g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
          g_assert_nonnull (strstr (error->message, "0.01 to 100"));
          g_clear_error (&error);
        }
    }

    /* cancelled before it starts, on both decoding paths */
    for (int cached = 0; cached < 2; cached++)
      {
        g_autoptr(GCancellable) cancel = g_cancellable_new ();
        OvCaptionOptions opts;

        ov_caption_options_init (&opts);
        opts.use_cache = cached;
        g_cancellable_cancel (cancel);
        caps = ov_model_caption (cap, "dog", &regions, &opts, cancel, &error);
        g_assert_null (caps);
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        g_clear_error (&error);
      }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/backend/cpu-vs-reference", test_backend_reference);
  g_test_add_func ("/model/backend/pool", test_pool);
  g_test_add_func ("/model/engine/enc_imgln_off", test_enc_imgln_off);
  g_test_add_func ("/model/engine/vqa_logits", test_vqa_logits);
  g_test_add_func ("/model/engine/tag-segment", test_tag_segment);
  g_test_add_func ("/model/engine/cap_greedy", test_cap_greedy);
  g_test_add_func ("/model/engine/cap_beam3", test_cap_beam3);
  g_test_add_func ("/model/engine/caption-regions", test_caption_region_truncation);
  g_test_add_func ("/model/engine/pretrain", test_pretrain);
  g_test_add_func ("/model/engine/variants", test_variants);
  g_test_add_func ("/model/engine/errors", test_errors);
  g_test_add_func ("/model/engine/caption-without-pooler", test_caption_without_pooler);
  g_test_add_func ("/model/engine/training-args", test_training_args);
  g_test_add_func ("/model/engine/caption-lengths", test_caption_lengths);
  g_test_add_func ("/model/engine/cbs", test_cbs);
  g_test_add_func ("/model/engine/cache-equivalence", test_cache_equivalence);
  g_test_add_func ("/model/engine/special-tokens-map", test_special_tokens_map);
  return g_test_run ();
}
