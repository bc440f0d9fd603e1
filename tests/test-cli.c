/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Runs the built `oscarviz caption|vqa|mask|match|encode` on the oracle
 * checkpoints and files and compares what they print or write with the
 * original implementation's outputs; bad input must end in a non-zero exit
 * (not a crash) with a message that names the file, a bad option in exit
 * status 2 with a message that names the option and its value. Also what
 * every command shares: the bundled model and dataset names, usage lines,
 * unknown words, pictures beside a dataset, embed's borrowed tag layout.
 */
#define G_LOG_DOMAIN "test-cli"

#include <glib/gstdio.h>
#include <unistd.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <cairo.h>
#include <cblas.h>

#include "data/ov-demo.h"
#include "data/ov-demo-world.h"
#include "model/ov-answers.h"
#include "model/ov-device.h"
#include "model/ov-state-dict.h"
#include "ov-test-util.h"
#include "viz/ov-embed.h"
#include "viz/ov-export.h"

/* Tolerances of the oracle README: logits rtol/atol 1e-4, hidden states
 * rtol 1e-4 atol 1e-5, attention probabilities atol 1e-6, log-probs 1e-4. */
#define LOGIT_TOL   1e-4
#define HID_RTOL    1e-4
#define HID_ATOL    1e-5
#define ATT_ATOL    1e-6
#define LOGPROB_TOL 1e-4

typedef struct {
  gboolean   exited;     /* FALSE when killed by a signal */
  int        status;     /* exit status */
  char      *out;
  char      *err;
} Run;

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

/* cwd NULL: this process's folder; envp NULL: this process's environment;
 * setup (may be NULL) runs in the child before the program starts. */
static Run *
run_argv_in (const char           *cwd,
             GPtrArray            *args,
             char                **envp,
             GSpawnChildSetupFunc  setup,
             gpointer              setup_data)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) wait_error = NULL;
  Run *run = g_new0 (Run, 1);
  int wait_status;

  g_ptr_array_add (argv, ov_test_oscarviz_path ());
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, g_strdup (g_ptr_array_index (args, i)));
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (cwd, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, setup, setup_data,
                &run->out, &run->err, &wait_status, &error);
  g_assert_no_error (error);
  if (g_spawn_check_wait_status (wait_status, &wait_error))
    run->exited = TRUE;
  else if (wait_error->domain == G_SPAWN_EXIT_ERROR)
    {
      run->exited = TRUE;
      run->status = wait_error->code;
    }
  return run;
}

static Run *
run_argv_setup (GPtrArray            *args,
                char                **envp,
                GSpawnChildSetupFunc  setup,
                gpointer              setup_data)
{
  return run_argv_in (NULL, args, envp, setup, setup_data);
}

/* envp NULL: this process's environment. */
static Run *
run_argv_env (GPtrArray  *args,
              char      **envp)
{
  return run_argv_setup (args, envp, NULL, NULL);
}

static Run *
run_argv (GPtrArray *args)
{
  return run_argv_env (args, NULL);
}

/* The arguments first, ... up to a NULL, in the folder dir (NULL: this
 * process's). */
static Run *
run_oscarviz_va (const char *dir,
                 const char *first,
                 va_list     ap)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  return run_argv_in (dir, args, NULL, NULL, NULL);
}

static Run *
run_oscarviz (const char *first, ...)
{
  Run *run;
  va_list ap;

  va_start (ap, first);
  run = run_oscarviz_va (NULL, first, ap);
  va_end (ap);
  return run;
}

/* run_oscarviz in the folder dir. */
static Run *
run_oscarviz_in (const char *dir,
                 const char *first,
                 ...)
{
  Run *run;
  va_list ap;

  va_start (ap, first);
  run = run_oscarviz_va (dir, first, ap);
  va_end (ap);
  return run;
}

/* The one JSON document a successful --json run printed. */
static JsonNode *
run_json (Run *run)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  if (run->status != 0 || !run->exited)
    g_error ("oscarviz failed (%d): %s", run->status, run->err);
  node = json_from_string (run->out, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

static void
assert_close (const char *what,
              double      got,
              double      want,
              double      rtol,
              double      atol)
{
  if (!(fabs (got - want) <= atol + rtol * fabs (want)))
    g_error ("%s: got %.9g, want %.9g", what, got, want);
}

static char *
oracle (const char *first, ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *rel = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  rel = g_build_filenamev ((char **) parts->pdata);
  return ov_test_shared_path ("oracle", rel, NULL);
}

/* /cli/caption: greedy and beam-3 captions of every oracle image --------- */

static void
check_captions (const char *case_name,
                const char *beams)
{
  g_autofree char *model = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *feats = oracle ("data", "features.tsv", NULL);
  g_autofree char *labels = oracle ("data", "labels.tsv", NULL);
  g_autofree char *epath = oracle ("cases", case_name, "expected.json", NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonArray *images = json_object_get_array_member (json_node_get_object (expected), "images");

  g_assert_cmpuint (json_array_get_length (images), ==, 4);
  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *im = json_array_get_object_element (images, i);
      const char *key = json_object_get_string_member (im, "key");
      JsonObject *hyp = json_array_get_object_element (
        json_object_get_array_member (im, "hypotheses"), 0);
      JsonArray *want_ids = json_object_get_array_member (hyp, "token_ids");
      gint64 sep = json_object_get_int_member (hyp, "sep_index");
      g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--features", feats,
                                         "--labels", labels, "--key", key, "--beams", beams,
                                         "--json", NULL);
      g_autoptr(JsonNode) doc = run_json (run);
      JsonArray *caps = json_object_get_array_member (json_node_get_object (doc), "captions");
      JsonObject *cap;
      JsonArray *ids;

      g_assert_cmpuint (json_array_get_length (caps), ==, 1);
      cap = json_array_get_object_element (caps, 0);
      ids = json_object_get_array_member (cap, "ids");
      /* ids as the original returns them: [CLS] ... [SEP], without the padding */
      g_assert_cmpint (json_array_get_length (ids), ==, sep + 1);
      for (gint64 j = 0; j <= sep; j++)
        g_assert_cmpint (json_array_get_int_element (ids, j), ==,
                         json_array_get_int_element (want_ids, j));
      g_assert_cmpstr (json_object_get_string_member (cap, "text"), ==,
                       json_object_get_string_member (hyp, "caption"));
      assert_close (key, json_object_get_double_member (cap, "score"),
                    json_object_get_double_member (hyp, "logprob"), 0.0, LOGPROB_TOL);
      g_test_message ("%s beams %s: %s (%.6f)", key, beams,
                      json_object_get_string_member (cap, "text"),
                      json_object_get_double_member (cap, "score"));
    }
}

static void
test_caption_greedy (void)
{
  check_captions ("cap_greedy", "1");
}

static void
test_caption_beam3 (void)
{
  check_captions ("cap_beam3", "3");
}

/* --n-best K gives K hypotheses, best first; the text output runs too. */
static void
test_caption_nbest (void)
{
  g_autofree char *model = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *feats = oracle ("data", "features.tsv", NULL);
  g_autofree char *labels = oracle ("data", "labels.tsv", NULL);
  g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--features", feats,
                                     "--labels", labels, "--row", "2", "--beams", "3",
                                     "--n-best", "3", "--no-cache", "--json", NULL);
  g_autoptr(JsonNode) doc = run_json (run);
  JsonObject *o = json_node_get_object (doc);
  JsonArray *caps = json_object_get_array_member (o, "captions");
  g_autofree char *yaml = oracle ("data", "test.yaml", NULL);
  g_autoptr(Run) text = NULL, few = NULL;
  g_autoptr(JsonNode) few_doc = NULL;
  guint n_few;
  double prev = G_MAXDOUBLE;

  g_assert_cmpstr (json_object_get_string_member (o, "key"), ==, "coco_street");
  g_assert_cmpuint (json_array_get_length (caps), ==, 3);
  g_assert_null (strstr (run->err, "fewer than"));
  for (guint i = 0; i < 3; i++)
    {
      double score = json_object_get_double_member (json_array_get_object_element (caps, i),
                                                    "score");

      g_assert_cmpfloat (score, <=, prev);
      prev = score;
    }
  /* The best of 3 is the beam-3 caption of the oracle. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (caps, 0),
                                                  "text"), ==,
                   "brew 1870 brew nigeria brew cumulative brew photographs nigeria brew nigeria "
                   "helped cooperation cartridge brew brew cumulative brew");

  /* the same image through the split yaml, greedy, as text */
  text = run_oscarviz ("caption", "--model", model, "--dataset", yaml, "--row", "2", "--beams",
                       "1", NULL);
  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "brew 1870 brew nigeria brew cumulative brew nigeria"));

  /* Two beams over two steps finish at most 8 captions: 64 asked for are
   * not there, which a note says (Oscar pads with empty ones). */
  few = run_oscarviz ("caption", "--model", model, "--dataset", yaml, "--row", "2", "--beams",
                      "2", "--n-best", "64", "--max-length", "3", "--json", NULL);
  few_doc = run_json (few);
  n_few = json_array_get_length (json_object_get_array_member (json_node_get_object (few_doc),
                                                               "captions"));
  g_assert_cmpuint (n_few, >=, 1);
  g_assert_cmpuint (n_few, <=, 8);
  g_assert_nonnull (strstr (few->err, "fewer than the 64 asked for by --n-best"));
}

/* /cli/caption/cuda: --device cuda gives the oracle's beam-3 captions (ids
 * exact, scores to 1e-4) in exact precision; skipped when the build has no
 * CUDA backend or no device answers. */
static void
test_caption_cuda (void)
{
  g_autofree char *model = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *feats = oracle ("data", "features.tsv", NULL);
  g_autofree char *labels = oracle ("data", "labels.tsv", NULL);
  g_autofree char *epath = oracle ("cases", "cap_beam3", "expected.json", NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonArray *images = json_object_get_array_member (json_node_get_object (expected), "images");

  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *im = json_array_get_object_element (images, i);
      JsonObject *hyp = json_array_get_object_element (
        json_object_get_array_member (im, "hypotheses"), 0);
      JsonArray *want_ids = json_object_get_array_member (hyp, "token_ids");
      g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--features", feats,
                                         "--labels", labels, "--key",
                                         json_object_get_string_member (im, "key"), "--beams",
                                         "3", "--device", "cuda", "--precision", "exact",
                                         "--json", NULL);
      g_autoptr(JsonNode) doc = NULL;
      JsonObject *cap;
      JsonArray *ids;

      if (run->exited && run->status != 0
          && (strstr (run->err, "no CUDA device") != NULL
              || strstr (run->err, "no CUDA backend") != NULL))
        {
          g_test_skip (run->err);
          return;
        }
      doc = run_json (run);
      cap = json_array_get_object_element (
        json_object_get_array_member (json_node_get_object (doc), "captions"), 0);
      ids = json_object_get_array_member (cap, "ids");
      g_assert_cmpint (json_array_get_length (ids), ==,
                       json_object_get_int_member (hyp, "sep_index") + 1);
      for (guint j = 0; j < json_array_get_length (ids); j++)
        g_assert_cmpint (json_array_get_int_element (ids, j), ==,
                         json_array_get_int_element (want_ids, j));
      assert_close ("cuda caption score", json_object_get_double_member (cap, "score"),
                    json_object_get_double_member (hyp, "logprob"), 0.0, LOGPROB_TOL);
    }
}

/* /cli/caption/vinvl: the oracle features rewritten as a VinVL
 * three-column features.tsv (key, num_boxes, base64) and the labels as a
 * VinVL predictions.tsv ({"objects": [...]}), neither with a .lineidx. */
static void
test_caption_vinvl (void)
{
  g_autofree char *model = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *feats = oracle ("data", "features.tsv", NULL);
  g_autofree char *labels = oracle ("data", "labels.tsv", NULL);
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-vinvl-XXXXXX", NULL);
  g_autofree char *vfeats = g_build_filename (dir, "features.tsv", NULL);
  g_autofree char *vpreds = g_build_filename (dir, "predictions.tsv", NULL);
  g_autofree char *ftext = NULL, *ltext = NULL;
  g_auto(GStrv) frows = NULL, lrows = NULL;
  g_autoptr(GString) fout = g_string_new (NULL);
  g_autoptr(GString) lout = g_string_new (NULL);
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) doc = NULL;
  JsonObject *cap;

  g_assert_true (g_file_get_contents (feats, &ftext, NULL, NULL));
  g_assert_true (g_file_get_contents (labels, &ltext, NULL, NULL));
  frows = g_strsplit (ftext, "\n", -1);
  lrows = g_strsplit (ltext, "\n", -1);
  for (guint i = 0; frows[i] != NULL && *frows[i] != '\0'; i++)
    {
      g_auto(GStrv) cols = g_strsplit (frows[i], "\t", 2);
      g_autoptr(JsonNode) node = json_from_string (cols[1], NULL);
      JsonObject *o = json_node_get_object (node);

      g_string_append_printf (fout, "%s\t%" G_GINT64_FORMAT "\t%s\n", cols[0],
                              json_object_get_int_member (o, "num_boxes"),
                              json_object_get_string_member (o, "features"));
    }
  for (guint i = 0; lrows[i] != NULL && *lrows[i] != '\0'; i++)
    {
      g_auto(GStrv) cols = g_strsplit (lrows[i], "\t", 2);

      g_string_append_printf (lout, "%s\t{\"objects\": %s}\n", cols[0], cols[1]);
    }
  g_assert_true (g_file_set_contents (vfeats, fout->str, -1, NULL));
  g_assert_true (g_file_set_contents (vpreds, lout->str, -1, NULL));

  run = run_oscarviz ("caption", "--model", model, "--features", vfeats, "--labels", vpreds,
                      "--key", "coco_beach", "--beams", "1", "--json", NULL);
  doc = run_json (run);
  cap = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (doc), "captions"), 0);
  g_assert_cmpstr (json_object_get_string_member (cap, "text"), ==,
                   "brew 1870 brew nigeria brew offenses brew 1870 1870 challenger photographs "
                   "challenger 1870 1870 1870 resigned cumulative challenger");
  assert_close ("vinvl greedy score", json_object_get_double_member (cap, "score"),
                -4.491606712341309, 0.0, LOGPROB_TOL);

  g_unlink (vfeats);
  g_unlink (vpreds);
  g_rmdir (dir);
}

/* /cli/vqa: the three oracle questions, from the .pt features, given or found */

static void
test_vqa (void)
{
  g_autofree char *model = oracle ("checkpoints", "vqa_tiny_imgln", NULL);
  g_autofree char *pt = oracle ("data", "vqa", "test2015_img_frcnn_feats.pt", NULL);
  g_autofree char *qla = oracle ("data", "vqa", "test2015_qla_mrcnn.json", NULL);
  g_autofree char *epath = oracle ("cases", "vqa_logits", "expected.json", NULL);
  g_autofree char *lpath = oracle ("cases", "vqa_logits", "out_logits.npy", NULL);
  /* every answer-list format: pickles both ways round and the JSON list */
  char *lists[3] = {
    oracle ("data", "vqa", "label2ans.pkl", NULL),
    oracle ("data", "vqa", "ans2label.pkl", NULL),
    oracle ("data", "vqa", "label2ans.json", NULL),
  };
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  g_autoptr(OvTestNpy) npy = ov_test_npy_load (lpath);
  g_autofree float *want = ov_test_npy_as_f32 (npy);
  JsonArray *qs = json_node_get_array (expected);
  int n_classes = (int) npy->shape[1];

  g_assert_cmpuint (json_array_get_length (qs), ==, 3);
  for (guint q = 0; q < 3; q++)
    {
      JsonObject *e = json_array_get_object_element (qs, q);
      g_autofree char *img = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              json_object_get_int_member (e, "img_id"));
      /* the last through --dataset: the json finds its .pt beside it */
      g_autoptr(Run) run = q < 2 ? run_oscarviz ("vqa", "--model", model, "--features", pt,
                                                 "--labels", qla, "--key", img, "--question",
                                                 json_object_get_string_member (e, "question"),
                                                 "--answers", lists[q], "--top", "100",
                                                 "--json", NULL)
                                 : run_oscarviz ("vqa", "--model", model, "--dataset", qla,
                                                 "--key", img, "--question",
                                                 json_object_get_string_member (e, "question"),
                                                 "--answers", lists[q], "--top", "100",
                                                 "--json", NULL);
      g_autoptr(JsonNode) doc = run_json (run);
      JsonArray *answers = json_object_get_array_member (json_node_get_object (doc), "answers");
      gboolean seen[64] = { FALSE };
      double prev = G_MAXDOUBLE;

      g_assert_cmpint (n_classes, <=, 64);
      g_assert_cmpint (json_array_get_length (answers), ==, n_classes);
      for (int r = 0; r < n_classes; r++)
        {
          JsonObject *a = json_array_get_object_element (answers, r);
          gint64 index = json_object_get_int_member (a, "index");
          double logit = json_object_get_double_member (a, "logit");

          g_assert_cmpint (index, >=, 0);
          g_assert_cmpint (index, <, n_classes);
          g_assert_false (seen[index]);
          seen[index] = TRUE;
          assert_close ("vqa logit", logit, want[q * n_classes + index], LOGIT_TOL, LOGIT_TOL);
          assert_close ("vqa score", json_object_get_double_member (a, "score"),
                        1.0 / (1.0 + exp (-logit)), 1e-12, 1e-12);
          g_assert_cmpfloat (logit, <=, prev);
          prev = logit;
          if (r == 0)
            {
              g_assert_cmpint (index, ==, json_object_get_int_member (e, "argmax_label"));
              g_assert_cmpstr (json_object_get_string_member (a, "answer"), ==,
                               json_object_get_string_member (e, "answer"));
            }
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    g_free (lists[i]);
}

/* /cli/vqa/label-order: Oscar's classes are labels =
 * list(ans2label.values()) and class i answers label2ans[labels[i]]; with
 * an ans2label beside the label2ans in the reverse order, the oracle's
 * class 10 (its argmax for question 5001) is label 9 and answers
 * label2ans[9], and a qla reference answer "an": [9] is that answer and
 * scores the top class 1. */
static void
test_vqa_label_order (void)
{
  g_autofree char *model = oracle ("checkpoints", "vqa_tiny_imgln", NULL);
  g_autofree char *pt = oracle ("data", "vqa", "test2015_img_frcnn_feats.pt", NULL);
  g_autofree char *src = oracle ("data", "vqa", "label2ans.json", NULL);
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-XXXXXX", NULL);
  g_autofree char *l2a = g_build_filename (dir, "label2ans.json", NULL);
  g_autofree char *a2l = g_build_filename (dir, "ans2label.json", NULL);
  g_autofree char *qla = g_build_filename (dir, "test2015_qla_mrcnn.json", NULL);
  g_autoptr(JsonNode) list = ov_test_load_json (src);
  JsonArray *names = json_node_get_array (list);
  g_autoptr(GString) dict = g_string_new ("{");
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) doc = NULL;
  JsonObject *top, *reference, *ref0;
  guint n = json_array_get_length (names);

  g_assert_cmpuint (n, ==, 20);
  g_assert_cmpint (symlink (src, l2a), ==, 0);
  for (guint k = 0; k < n; k++)
    {
      g_autofree char *quoted = g_strescape (json_array_get_string_element (names, n - 1 - k),
                                             NULL);

      g_string_append_printf (dict, "%s\"%s\": %u", k > 0 ? ", " : "", quoted, n - 1 - k);
    }
  g_string_append (dict, "}");
  g_assert_true (g_file_set_contents (a2l, dict->str, -1, NULL));
  g_assert_true (g_file_set_contents (qla, "[{\"q\": \"What animal is lying on the couch?\", "
                                      "\"o\": \"dog couch pillow pillow blanket lamp window "
                                      "curtain table remote rug plant\", \"img_id\": 1001, "
                                      "\"q_id\": 5001, \"an\": [9], \"s\": [1.0]}]", -1, NULL));
  run = run_oscarviz ("vqa", "--model", model, "--features", pt, "--labels", qla, "--key",
                      "1001", "--answers", l2a, "--json", NULL);
  doc = run_json (run);
  top = json_array_get_object_element (json_object_get_array_member (json_node_get_object (doc),
                                                                     "answers"), 0);
  g_assert_cmpint (json_object_get_int_member (top, "index"), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (top, "answer"), ==,
                   json_array_get_string_element (names, 9));
  reference = json_object_get_object_member (json_node_get_object (doc), "reference");
  ref0 = json_array_get_object_element (json_object_get_array_member (reference, "labels"), 0);
  g_assert_cmpstr (json_object_get_string_member (ref0, "answer"), ==,
                   json_array_get_string_element (names, 9));
  g_assert_cmpfloat (json_object_get_double_member (reference, "top_answer_score"), ==, 1.0);
  g_unlink (qla);
  g_unlink (a2l);
  g_unlink (l2a);
  g_rmdir (dir);
}

/* /cli/vqa/shipped-list: without --answers, a label2ans.json in the
 * checkpoint folder names the answers, else one beside the data file (as
 * Oscar keeps it with its VQA data); --top limits the list. */
static void
test_vqa_shipped_list (void)
{
  g_autofree char *src = oracle ("checkpoints", "vqa_tiny_imgln", NULL);
  g_autofree char *l2a = oracle ("data", "vqa", "label2ans.json", NULL);
  g_autofree char *pt = oracle ("data", "vqa", "test2015_img_frcnn_feats.pt", NULL);
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-XXXXXX", NULL);
  const char *files[] = { "config.json", "vocab.txt", "added_tokens.json",
                          "special_tokens_map.json", "pytorch_model.bin" };
  g_autoptr(Run) bare = NULL;
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) doc = NULL;
  JsonArray *answers;
  g_autofree char *l2a_copy = g_build_filename (dir, "label2ans.json", NULL);
  g_autofree char *pt_copy = g_build_filename (dir, "features.pt", NULL);
  g_autofree char *text = NULL;
  gsize len;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (src, files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);

      g_assert_cmpint (symlink (from, to), ==, 0);
    }
  g_assert_cmpint (symlink (pt, pt_copy), ==, 0);
  /* no list anywhere: indices only, "answer" null */
  bare = run_oscarviz ("vqa", "--model", dir, "--features", pt_copy, "--row", "0", "--tags",
                       "dog couch pillow pillow blanket lamp window curtain table remote rug "
                       "plant", "--question", "What animal is lying on the couch?", "--top",
                       "1", "--json", NULL);
  doc = run_json (bare);
  answers = json_object_get_array_member (json_node_get_object (doc), "answers");
  g_assert_cmpuint (json_array_get_length (answers), ==, 1);
  g_assert_true (json_object_get_null_member (json_array_get_object_element (answers, 0),
                                              "answer"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (answers, 0),
                                               "index"), ==, 10);
  g_clear_pointer (&doc, json_node_unref);

  /* the list beside the oracle's .pt */
  {
    g_autoptr(Run) beside = run_oscarviz ("vqa", "--model", dir, "--features", pt, "--row", "0",
                                          "--tags", "dog couch pillow", "--question",
                                          "What animal is lying on the couch?", "--json", NULL);
    g_autoptr(JsonNode) bdoc = run_json (beside);
    JsonArray *banswers = json_object_get_array_member (json_node_get_object (bdoc), "answers");

    g_assert_false (json_object_get_null_member (json_array_get_object_element (banswers, 0),
                                                 "answer"));
  }

  g_assert_true (g_file_get_contents (l2a, &text, &len, NULL));
  g_assert_true (g_file_set_contents (l2a_copy, text, len, NULL));
  run = run_oscarviz ("vqa", "--model", dir, "--features", pt, "--row", "0", "--tags",
                      "dog couch pillow pillow blanket lamp window curtain table remote rug "
                      "plant", "--question", "What animal is lying on the couch?", "--top", "2",
                      "--json", NULL);
  doc = run_json (run);
  answers = json_object_get_array_member (json_node_get_object (doc), "answers");
  g_assert_cmpuint (json_array_get_length (answers), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (answers, 0),
                                                  "answer"), ==, "red");

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *to = g_build_filename (dir, files[i], NULL);

      g_unlink (to);
    }
  g_unlink (l2a_copy);
  g_unlink (pt_copy);
  g_rmdir (dir);
}

/* Safetensors helpers ---------------------------------------------------- */

static OvTensorView
view_of_npy (const char      *name,
             const OvTestNpy *npy,
             int              drop_dims,   /* leading dims of 1 to drop */
             gint64           row)         /* with drop_dims 1: which batch row */
{
  OvTensorView v = { 0 };
  gsize elem = g_str_equal (npy->descr, "<f4") || g_str_equal (npy->descr, "<i4") ? 4 : 8;
  gsize row_elems = 1;

  g_assert_true (g_str_equal (npy->descr, "<f4") || g_str_equal (npy->descr, "<i8"));
  v.name = name;
  v.dtype = g_str_equal (npy->descr, "<f4") ? OV_DTYPE_F32 : OV_DTYPE_I64;
  v.n_dims = npy->n_dims - drop_dims;
  for (int i = 0; i < v.n_dims; i++)
    {
      v.shape[i] = npy->shape[i + drop_dims];
      row_elems *= v.shape[i];
    }
  v.data = (const char *) npy->data + (gsize) row * row_elems * elem;
  return v;
}

static char *
tmp_path (const char *name)
{
  return ov_test_tmp_path (name);
}

static const OvTensor *
tensor (OvStateDict *sd,
        const char  *name,
        int          n_dims,
        ...)
{
  const OvTensor *t = ov_state_dict_lookup (sd, name);
  va_list ap;

  if (t == NULL)
    g_error ("the output has no tensor %s", name);
  g_assert_cmpint (t->n_dims, ==, n_dims);
  va_start (ap, n_dims);
  for (int i = 0; i < n_dims; i++)
    g_assert_cmpint (t->shape[i], ==, va_arg (ap, gint64));
  va_end (ap);
  return t;
}

static void
check_rows (const char  *what,
            const float *got,
            const float *want,
            JsonArray   *rows,
            gsize        row_len,
            double       rtol,
            double       atol)
{
  double worst = 0.0;

  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      gsize row = (gsize) json_array_get_int_element (rows, r);
      double diff = 0.0;

      if (!ov_test_allclose (got + row * row_len, want + row * row_len, row_len, rtol, atol,
                             &diff))
        g_error ("%s: row %zu differs by %g", what, row, diff);
      worst = MAX (worst, diff);
    }
  g_test_message ("%s: max |diff| %g over %u valid rows", what, worst,
                  json_array_get_length (rows));
}

/* /cli/encode/inputs: the oracle's enc_imgln_off tensors through --inputs,
 * with their batch dimension of 1 kept. */
static void
test_encode_inputs (void)
{
  const char *names[] = { "input_ids", "token_type_ids", "attention_mask", "img_feats" };
  g_autofree char *model = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *mpath = oracle ("cases", "enc_imgln_off", "manifest.json", NULL);
  g_autoptr(JsonNode) manifest = ov_test_load_json (mpath);
  JsonArray *valid = json_object_get_array_member (json_node_get_object (manifest),
                                                   "valid_query_rows");
  g_autofree char *in_path = tmp_path ("ov-cli-enc-inputs.safetensors");
  g_autofree char *out_path = tmp_path ("ov-cli-enc-out.safetensors");
  OvTestNpy *in[4];
  OvTensorView views[4];
  g_autoptr(GError) error = NULL;
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(OvStateDict) sd = NULL;
  g_autoptr(OvTestNpy) hid = NULL;
  g_autoptr(OvTestNpy) att = NULL;
  g_autoptr(OvTestNpy) pooled = NULL;
  g_autofree float *hid_f = NULL, *att_f = NULL, *pooled_f = NULL;
  const gint64 t = 70, s = 120, h = 24, a = 4;   /* 50 regions */

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *file = g_strdup_printf ("in_%s.npy", names[i]);
      g_autofree char *path = oracle ("cases", "enc_imgln_off", file, NULL);

      in[i] = ov_test_npy_load (path);
      views[i] = view_of_npy (names[i], in[i], 0, 0);
    }
  g_assert_true (ov_safetensors_write (in_path, views, 4, &error));
  g_assert_no_error (error);

  run = run_oscarviz ("encode", "--model", model, "--inputs", in_path, "--out", out_path,
                      "--json", NULL);
  doc = run_json (run);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (doc), "n_text"), ==, t);
  sd = ov_state_dict_load (out_path, &error);
  g_assert_no_error (error);

  {
    g_autofree char *p1 = oracle ("cases", "enc_imgln_off", "out_all_hidden_states.npy", NULL);
    g_autofree char *p2 = oracle ("cases", "enc_imgln_off", "out_attentions.npy", NULL);
    g_autofree char *p3 = oracle ("cases", "enc_imgln_off", "out_pooled_output.npy", NULL);

    hid = ov_test_npy_load (p1);    /* (L+1, 1, S, H) */
    att = ov_test_npy_load (p2);    /* (L, 1, A, S, S) */
    pooled = ov_test_npy_load (p3); /* (1, H) */
    hid_f = ov_test_npy_as_f32 (hid);
    att_f = ov_test_npy_as_f32 (att);
    pooled_f = ov_test_npy_as_f32 (pooled);
  }
  for (int l = 0; l <= 2; l++)
    {
      g_autofree char *name = g_strdup_printf ("hidden_states.%d", l);
      const OvTensor *ht = tensor (sd, name, 2, s, h);

      check_rows (name, ht->data, hid_f + l * s * h, valid, h, HID_RTOL, HID_ATOL);
    }
  for (int l = 0; l < 2; l++)
    {
      g_autofree char *name = g_strdup_printf ("attentions.%d", l);
      const OvTensor *at = tensor (sd, name, 3, a, s, s);

      for (int k = 0; k < a; k++)
        check_rows (name, (const float *) at->data + k * s * s, att_f + (l * a + k) * s * s,
                    valid, s, HID_RTOL, ATT_ATOL);
    }
  g_assert_null (ov_state_dict_lookup (sd, "hidden_states.3"));
  g_assert_null (ov_state_dict_lookup (sd, "attentions.2"));
  {
    double diff = 0.0;
    const OvTensor *pt = tensor (sd, "pooled", 1, h);

    g_assert_true (ov_test_allclose (pt->data, pooled_f, h, HID_RTOL, HID_ATOL, &diff));
    g_test_message ("pooled: max |diff| %g", diff);
  }
  tensor (sd, "lm_logits", 2, t, (gint64) 30522);

  /* the inputs as used: ids, types, default positions 0..T-1, the 2-D mask */
  {
    const OvTensor *ids = tensor (sd, "input_ids", 1, t);
    const OvTensor *types = tensor (sd, "token_type_ids", 1, t);
    const OvTensor *pos = tensor (sd, "position_ids", 1, t);
    const OvTensor *mask = tensor (sd, "attention_mask", 2, s, s);
    const gint64 *want_mask = in[2]->data;

    g_assert_cmpmem (ids->data, t * 8, in[0]->data, t * 8);
    g_assert_cmpmem (types->data, t * 8, in[1]->data, t * 8);
    for (gint64 i = 0; i < t; i++)
      g_assert_cmpint (((const gint64 *) pos->data)[i], ==, i);
    for (gint64 i = 0; i < s * s; i++)
      g_assert_cmpfloat (((const float *) mask->data)[i], ==, (float) want_mask[i]);
  }

  for (guint i = 0; i < 4; i++)
    ov_test_npy_free (in[i]);
  g_unlink (in_path);
  g_unlink (out_path);
}

/* /cli/encode/caption-step: without --inputs a caption model's encode is
 * the first decoding step ([CLS] [MASK] + tags + regions); its LM logits
 * at the [MASK] are the oracle's first greedy step. With --text the prefix
 * grows: [CLS] brew cooperation [MASK] gives the third step. */
static void
test_encode_caption_step (void)
{
  g_autofree char *model = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *feats = oracle ("data", "features.tsv", NULL);
  g_autofree char *labels = oracle ("data", "labels.tsv", NULL);
  g_autofree char *lpath = oracle ("cases", "cap_greedy", "out_step_logits_coco_dog_couch.npy",
                                   NULL);
  g_autoptr(OvTestNpy) npy = ov_test_npy_load (lpath);       /* (steps, V) */
  g_autofree float *want = ov_test_npy_as_f32 (npy);
  g_autofree char *out_path = tmp_path ("ov-cli-step.safetensors");
  const char *texts[] = { NULL, "brew cooperation" };
  const int steps[] = { 0, 2 };
  const gint64 v = 30522;

  for (guint c = 0; c < G_N_ELEMENTS (texts); c++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(Run) run = NULL;
      g_autoptr(OvStateDict) sd = NULL;
      g_autoptr(GError) error = NULL;
      const OvTensor *ids, *logits, *pos;
      gint64 q = steps[c] + 1;   /* the [MASK] after [CLS] and the prefix */
      double diff = 0.0;

      for (const char *const *a = (const char *const[]) { "encode", "--model", model,
                                                          "--features", feats, "--labels",
                                                          labels, "--key", "coco_dog_couch",
                                                          "--out", out_path, NULL };
           *a != NULL; a++)
        g_ptr_array_add (args, (gpointer) *a);
      if (texts[c] != NULL)
        {
          g_ptr_array_add (args, "--text");
          g_ptr_array_add (args, (gpointer) texts[c]);
        }
      run = run_argv (args);
      g_assert_cmpint (run->status, ==, 0);
      sd = ov_state_dict_load (out_path, &error);
      g_assert_no_error (error);
      ids = ov_state_dict_lookup (sd, "input_ids");
      g_assert_nonnull (ids);
      /* [CLS] prefix [MASK], then the 30 tag slots */
      g_assert_cmpint (ids->shape[0], ==, q + 1 + 30);
      g_assert_cmpint (((const gint64 *) ids->data)[0], ==, 101);
      g_assert_cmpint (((const gint64 *) ids->data)[q], ==, 103);
      pos = ov_state_dict_lookup (sd, "position_ids");
      g_assert_cmpint (((const gint64 *) pos->data)[q + 1], ==, 40);
      logits = tensor (sd, "lm_logits", 2, ids->shape[0], v);
      g_assert_nonnull (ov_state_dict_lookup (sd, "attention_mask"));
      g_assert_true (ov_test_allclose ((const float *) logits->data + q * v,
                                       want + steps[c] * v, v, LOGIT_TOL, LOGIT_TOL, &diff));
      g_test_message ("caption step %d logits: max |diff| %g", steps[c], diff);
    }
  g_unlink (out_path);
}

/* /cli/vqa/inputs: the oracle's VQA tensors (1-D mask) through --inputs. */
/* /cli/vqa/reference: a sample question's reference answers (Oscar's
 * "an"/"s" in the demo's test_qla.json, named by demo-vqa's answer list)
 * and the soft score the top answer earns; --question-index picks the
 * question, and a question typed the way a person writes it finds its own. */
static void
test_vqa_reference (void)
{
  g_autofree char *qpath = ov_test_source_path ("data", "demo", "scenes", "test_qla.json", NULL);
  g_autofree char *apath = ov_test_source_path ("data", "demo", "models", "demo-vqa",
                                                "label2ans.json", NULL);
  g_autoptr(JsonNode) qla = ov_test_load_json (qpath);
  g_autoptr(OvAnswerList) list = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *entries = json_node_get_array (qla);
  JsonObject *entry = NULL;
  guint seen = 0;

  list = ov_answer_list_load (apath, &error);
  g_assert_no_error (error);
  /* the second question of image 300003, as the file has it */
  for (guint i = 0; i < json_array_get_length (entries) && entry == NULL; i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);

      if (json_object_get_int_member (e, "img_id") == 300003 && seen++ == 1)
        entry = e;
    }
  g_assert_nonnull (entry);

  for (guint form = 0; form < 2; form++)
    {
      JsonArray *an = json_object_get_array_member (entry, "an");
      JsonArray *sc = json_object_get_array_member (entry, "s");
      g_autofree char *typed = g_strdup (json_object_get_string_member (entry, "q"));
      g_autoptr(Run) run = NULL;
      g_autoptr(JsonNode) doc = NULL;
      JsonObject *ref, *root;
      JsonArray *labels, *answers;
      gint64 top;
      double want = 0.0;

      if (form == 0)
        run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo", "--key", "300003",
                            "--question-index", "1", "--json", NULL);
      else
        {
          /* "how many ... ?" typed as "How many ...?" */
          char *q = strstr (typed, " ?");

          g_assert_nonnull (q);
          memmove (q, q + 1, strlen (q + 1) + 1);
          typed[0] = g_ascii_toupper (typed[0]);
          run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo", "--key",
                              "300003", "--question", typed, "--json", NULL);
        }
      doc = run_json (run);
      root = json_node_get_object (doc);
      ref = json_object_get_object_member (root, "reference");
      g_assert_nonnull (ref);
      labels = json_object_get_array_member (ref, "labels");
      g_assert_cmpuint (json_array_get_length (labels), ==, json_array_get_length (an));
      g_assert_cmpuint (json_array_get_length (an), >, 0);
      for (guint k = 0; k < json_array_get_length (an); k++)
        {
          JsonObject *l = json_array_get_object_element (labels, k);
          gint64 index = json_array_get_int_element (an, k);

          g_assert_cmpint (json_object_get_int_member (l, "index"), ==, index);
          g_assert_cmpstr (json_object_get_string_member (l, "answer"), ==,
                           ov_answer_list_get (list, (guint) index));
          g_assert_cmpfloat (json_object_get_double_member (l, "score"), ==,
                             json_array_get_double_element (sc, k));
        }
      answers = json_object_get_array_member (root, "answers");
      top = json_object_get_int_member (json_array_get_object_element (answers, 0), "index");
      for (guint k = 0; k < json_array_get_length (an); k++)
        if (json_array_get_int_element (an, k) == top)
          want = json_array_get_double_element (sc, k);
      g_assert_cmpfloat (json_object_get_double_member (ref, "top_answer_score"), ==, want);
    }

  /* text: the references under the question */
  {
    g_autoptr(Run) run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo",
                                       "--key", "300003", "--question-index", "1", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->out, "reference answers: "));
    g_assert_nonnull (strstr (run->out, "VQA score of the top answer: "));
  }
  /* a question of its own has none */
  {
    g_autoptr(Run) run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo",
                                       "--key", "300003", "--question", "is there a star?",
                                       "--json", NULL);
    g_autoptr(JsonNode) doc = run_json (run);

    g_assert_false (json_object_has_member (json_node_get_object (doc), "reference"));
  }
  /* out of range, and both ways at once */
  {
    g_autoptr(Run) past = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo",
                                        "--key", "300003", "--question-index", "99", NULL);
    g_autoptr(Run) both = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo",
                                        "--question", "what?", "--question-index", "0", NULL);

    g_assert_cmpint (past->status, ==, 2);
    g_assert_nonnull (strstr (past->err, "300003"));
    g_assert_nonnull (strstr (past->err, "no question 99"));
    g_assert_cmpint (both->status, ==, 2);
    g_assert_nonnull (strstr (both->err, "--question-index"));
  }
  /* a written reference that the model's answers lack: its 0 is said to
   * be no answer's fault */
  {
    g_autofree char *json = ov_test_tmp_path ("vqa-unlisted.json");
    g_autoptr(Run) run = NULL;

    g_assert_true (g_file_set_contents (json,
      "{\"key\": \"moped\", \"width\": 640, \"height\": 480, \"boxes\": [{\"rect\": "
      "[10, 20, 200, 300], \"class\": \"cup\"}], \"questions\": [{\"question\": "
      "\"what is he riding?\", \"answer\": \"motorcycle\"}]}", -1, NULL));
    run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", json, NULL);
    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->out, "VQA score of the top answer: 0.00"));
    g_assert_nonnull (strstr (run->out, "“motorcycle” is not one of the "));
    g_unlink (json);
  }
}

/* /cli/vqa/features-given: --features names the features even when the
 * VQA json has a .pt of its own beside it (which lacks this image). */
static void
test_vqa_features_given (void)
{
  g_autofree char *model = oracle ("checkpoints", "vqa_tiny_imgln", NULL);
  g_autofree char *pt = oracle ("data", "vqa", "test2015_img_frcnn_feats.pt", NULL);
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-given-XXXXXX", NULL);
  g_autofree char *qla = g_build_filename (dir, "val2014_qla_mrcnn.json", NULL);
  g_autofree char *beside = g_build_filename (dir, "val_img_frcnn_feats.pt", NULL);
  g_autofree float *zeros = g_new0 (float, 2054);
  OvTensorView view[] = { { "1001", OV_DTYPE_F32, 2, { 1, 2054 }, zeros } };
  g_autoptr(Run) given = NULL;
  g_autoptr(Run) found = NULL;

  g_assert_true (g_file_set_contents (qla, "[{\"q\": \"is the oven white ?\", "
                                           "\"o\": \"oven sink\", \"img_id\": 1002, "
                                           "\"an\": [], \"s\": []}]", -1, NULL));
  g_assert_true (ov_safetensors_write (beside, view, 1, NULL));
  given = run_oscarviz ("vqa", "--model", model, "--features", pt, "--labels", qla, "--key",
                        "1002", "--json", NULL);
  g_assert_cmpint (given->status, ==, 0);
  found = run_oscarviz ("vqa", "--model", model, "--labels", qla, "--key", "1002", NULL);
  g_assert_cmpint (found->status, ==, 1);
  g_assert_nonnull (strstr (found->err, "val_img_frcnn_feats.pt has no features for image"));
  g_unlink (beside);

  /* a checkpoint where the features should be: said, given or found */
  {
    g_autofree char *weights = ov_test_source_path ("tests", "fixtures", "checkpoint", "zip.pt",
                                                    NULL);
    g_autoptr(Run) given_weights = NULL;
    g_autoptr(Run) found_weights = NULL;
    g_autoptr(Run) embed = NULL;
    g_autofree char *vec = g_build_filename (dir, "vec.safetensors", NULL);
    g_autofree char *vec_json = g_build_filename (dir, "vec.safetensors.json", NULL);
    g_autofree char *vec_labels = g_build_filename (dir, "vec.safetensors.labels.txt", NULL);

    g_assert_cmpint (symlink (weights, beside), ==, 0);
    given_weights = run_oscarviz ("vqa", "--model", model, "--features", beside, "--labels", qla,
                                  "--key", "1002", NULL);
    g_assert_cmpint (given_weights->status, ==, 1);
    g_assert_nonnull (strstr (given_weights->err, "holds model weights"));
    found_weights = run_oscarviz ("vqa", "--model", model, "--labels", qla, "--key", "1002",
                                  NULL);
    g_assert_cmpint (found_weights->status, ==, 1);
    g_assert_nonnull (strstr (found_weights->err, "has no region features"));
    g_assert_nonnull (strstr (found_weights->err, "holds model weights"));
    g_unlink (beside);

    /* the .pt's regions have no detections: embed says it leaves them out */
    g_assert_cmpint (symlink (pt, beside), ==, 0);
    embed = run_oscarviz ("embed", "--model", model, "--dataset", qla, "--layer", "last",
                          "--out", vec, "-q", NULL);
    g_assert_cmpint (embed->status, ==, 0);
    g_assert_nonnull (strstr (embed->err, "27 region feature rows have no detection"));
    g_unlink (vec);
    g_unlink (vec_json);
    g_unlink (vec_labels);
    g_unlink (beside);
  }
  g_unlink (qla);
  g_rmdir (dir);
}

/* /cli/caption/input-kept: what Oscar's input leaves out is said: coco_street
 * has 60 regions and 75 tag word pieces, and caption_tiny reads the first 50
 * regions (max_img_seq_length) and 29 tag pieces (30 slots, [SEP] one);
 * attention and embed say it too. */
static void
test_caption_input_kept (void)
{
  g_autofree char *model = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *yaml = oracle ("data", "test.yaml", NULL);
  g_autoptr(Run) street = run_oscarviz ("caption", "--model", model, "--dataset", yaml, "--key",
                                        "coco_street", "--beams", "1", NULL);
  g_autoptr(Run) kitchen = run_oscarviz ("caption", "--model", model, "--dataset", yaml, "--key",
                                         "coco_dog_couch", "--beams", "1", NULL);

  g_assert_cmpint (street->status, ==, 0);
  g_assert_nonnull (strstr (street->err, "reads 29 of the 75 word pieces of the tags"));
  g_assert_nonnull (strstr (street->err, "reads the first 50 of the 60 regions"));
  g_assert_cmpint (kitchen->status, ==, 0);
  g_assert_null (strstr (kitchen->err, "note:"));

  /* attention says it as caption does, and for a question too */
  {
    g_autofree char *csv = tmp_path ("ov-cli-kept.csv");
    g_autofree char *vqa = oracle ("checkpoints", "vqa_tiny_imgln", NULL);
    g_autoptr(Run) grid = run_oscarviz ("attention", "--model", model, "--dataset", yaml, "--key",
                                        "coco_street", "--view", "grid", "--text", "a street",
                                        "--csv", csv, NULL);
    g_autoptr(Run) asked = run_oscarviz ("attention", "--model", vqa, "--dataset", yaml, "--key",
                                         "coco_street", "--view", "grid", "--question",
                                         "what is on the street?", "--csv", csv, NULL);

    g_assert_cmpint (grid->status, ==, 0);
    g_assert_nonnull (strstr (grid->err, "reads 29 of the 75 word pieces of the tags"));
    g_assert_nonnull (strstr (grid->err, "reads the first 50 of the 60 regions"));
    g_assert_cmpint (asked->status, ==, 0);
    g_assert_nonnull (strstr (asked->err, "reads the first 50 of the 60 regions"));
    g_unlink (csv);
  }
  /* VQA reads ';' as a space and blank tags as none: nothing is left out */
  {
    const char *tags[] = { "hexagon;cup;bolt", " ; ; " };

    for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
      {
        g_autoptr(Run) vqa = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo",
                                           "--question", "what colour is the cup?", "--tags",
                                           tags[i], NULL);

        g_assert_cmpint (vqa->status, ==, 0);
        g_assert_null (strstr (vqa->err, "word pieces of the tags"));
      }
  }

  /* embed says it once for the dataset */
  {
    g_autofree char *vec = tmp_path ("ov-cli-kept.safetensors");
    g_autofree char *meta = g_strconcat (vec, ".json", NULL);
    g_autofree char *names = tmp_path ("ov-cli-kept.safetensors.labels.txt");
    g_autoptr(Run) embed = run_oscarviz ("embed", "--model", model, "--dataset", yaml, "--layer",
                                         "last", "--out", vec, "-q", NULL);

    g_assert_cmpint (embed->status, ==, 0);
    g_assert_nonnull (strstr (embed->err, "of the 4 images the model's input left out"));
    g_unlink (vec);
    g_unlink (meta);
    g_unlink (names);
  }
}

static char *demo_scenes (void);

/* The value column of an attention CSV, in file order. */
static GArray *
csv_values (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *comma = strrchr (lines[i], ',');
      double v;

      if (*lines[i] == '\0')
        continue;
      g_assert_nonnull (comma);
      v = g_ascii_strtod (comma + 1, NULL);
      g_array_append_val (values, v);
    }
  return values;
}

/* /cli/attention/round-ticks: the colour bar labels its two ends, which
 * give the range exactly, and round values between them (0.2 and 0.4 for
 * the demo's layer-1 map, whose top is 0.501). */
static void
test_attention_round_ticks (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *svg = tmp_path ("ov-cli-ticks.svg");
  g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--key",
                                     "300001", "--layer", "1", "--out", svg, NULL);
  g_autofree char *text = NULL;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, ">0</text>"));
  g_assert_nonnull (strstr (text, ">0.2</text>"));
  g_assert_nonnull (strstr (text, ">0.4</text>"));
  g_assert_nonnull (strstr (text, ">0.501</text>"));
  g_unlink (svg);
}

/* The cells of a heat map's CSV without a value (an empty last field). */
static guint
csv_empty_cells (const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *comma = strrchr (lines[i], ',');

      n += comma != NULL && (comma[1] == '\0' || strcmp (comma + 1, "\r") == 0);
    }
  return n;
}

/* /cli/attention/difference-tags: the difference view with --before-tags of
 * as many word pieces runs; with the sample's own tags it is zero at every
 * position, and with other tags it is not (a fixed --text keeps both
 * inputs' words alike). Tags of another number of pieces are matched token
 * by token: with a tag taken out of the before input, the after input's
 * other tokens all have their counterparts and that tag's row and column
 * are left empty (2 S - 1 cells); with a tag put in before the others,
 * every cell has a value, and the tags' own are the same as without it
 * where the model reads them alike. */
static void
test_attention_difference_tags (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-diff-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "d.png", NULL);
  g_autofree char *csv = g_build_filename (dir, "d.csv", NULL);
  const char *befores[] = { "hexagon cup triangle bolt circle", "cup hexagon bolt bolt star" };

  for (guint k = 0; k < G_N_ELEMENTS (befores); k++)
    {
      g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                         "--key", "300001", "--text", "a cup", "--layer", "1",
                                         "--view", "difference", "--before-tags", befores[k],
                                         "--out", png, "--csv", csv, NULL);
      g_autoptr(GArray) d = NULL;
      double largest = 0;

      g_assert_cmpint (run->status, ==, 0);
      d = csv_values (csv);
      g_assert_cmpuint (d->len, >, 0);
      for (guint i = 0; i < d->len; i++)
        largest = MAX (largest, fabs (g_array_index (d, double, i)));
      if (k == 0)
        g_assert_cmpfloat (largest, ==, 0.0);
      else
        g_assert_cmpfloat (largest, >, 1e-3);
      g_assert_cmpuint (csv_empty_cells (csv), ==, 0);
    }
  for (guint k = 0; k < 2; k++)
    {
      /* the sample's tags are "hexagon cup triangle bolt circle" */
      const char *before = k == 0 ? "hexagon cup triangle bolt" : "star hexagon cup triangle "
                                                                  "bolt circle";
      g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                         "--key", "300001", "--text", "a cup", "--layer", "1",
                                         "--view", "difference", "--before-tags", before,
                                         "--out", png, "--csv", csv, NULL);
      g_autoptr(GArray) d = NULL;
      guint side;

      g_test_message ("%s", run->err);
      g_assert_cmpint (run->status, ==, 0);
      d = csv_values (csv);
      side = (guint) lround (sqrt ((double) d->len));
      g_assert_cmpuint (side * side, ==, d->len);
      g_assert_cmpuint (csv_empty_cells (csv), ==, k == 0 ? 2 * side - 1 : 0);
    }
  g_unlink (png);
  g_unlink (csv);
  g_rmdir (dir);
}

static void
test_vqa_inputs (void)
{
  const char *names[] = { "input_ids", "token_type_ids", "attention_mask", "img_feats" };
  g_autofree char *model = oracle ("checkpoints", "vqa_tiny_imgln", NULL);
  g_autofree char *lpath = oracle ("cases", "vqa_logits", "out_logits.npy", NULL);
  g_autoptr(OvTestNpy) lnpy = ov_test_npy_load (lpath);
  g_autofree float *want = ov_test_npy_as_f32 (lnpy);
  g_autofree char *in_path = tmp_path ("ov-cli-vqa-inputs.safetensors");
  OvTestNpy *in[4];
  int c = (int) lnpy->shape[1];

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *file = g_strdup_printf ("in_%s.npy", names[i]);
      g_autofree char *path = oracle ("cases", "vqa_logits", file, NULL);

      in[i] = ov_test_npy_load (path);
    }
  for (gint64 q = 0; q < in[0]->shape[0]; q++)
    {
      OvTensorView views[4];
      g_autoptr(GError) error = NULL;
      g_autoptr(Run) run = NULL;
      g_autoptr(JsonNode) doc = NULL;
      JsonArray *answers;

      for (guint i = 0; i < 4; i++)
        views[i] = view_of_npy (names[i], in[i], 1, q);
      /* the second example as a batch of one: ids (1, T), mask (1, S) */
      if (q == 1)
        for (guint i = 0; i < 3; i++)
          {
            views[i].n_dims = 2;
            views[i].shape[1] = views[i].shape[0];
            views[i].shape[0] = 1;
          }
      g_assert_true (ov_safetensors_write (in_path, views, 4, &error));
      g_assert_no_error (error);
      run = run_oscarviz ("vqa", "--model", model, "--inputs", in_path, "--top", "100",
                          "--json", NULL);
      doc = run_json (run);
      answers = json_object_get_array_member (json_node_get_object (doc), "answers");
      g_assert_cmpint (json_array_get_length (answers), ==, c);
      for (int r = 0; r < c; r++)
        {
          JsonObject *a = json_array_get_object_element (answers, r);

          assert_close ("vqa --inputs logit", json_object_get_double_member (a, "logit"),
                        want[q * c + json_object_get_int_member (a, "index")], LOGIT_TOL,
                        LOGIT_TOL);
        }
    }
  for (guint i = 0; i < 4; i++)
    ov_test_npy_free (in[i]);
  g_unlink (in_path);
}

/* /cli/pretrain: mask and match on the float64 pre-training fixture, the
 * regions given as a safetensors feature dictionary (16-wide features, as
 * wide as that model's img_feature_dim), and encode's head tensors. */
static void
test_pretrain (void)
{
  g_autofree char *model = ov_test_source_path ("tests", "fixtures", "pretrain_tiny", NULL);
  g_autofree char *epath = g_build_filename (model, "expected.json", NULL);
  g_autofree char *vpath = g_build_filename (model, "vocab.txt", NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonObject *eo = json_node_get_object (expected);
  JsonArray *feats_arr = json_object_get_array_member (eo, "region_features");
  JsonArray *ids = json_object_get_array_member (eo, "input_ids");
  JsonArray *lm = json_object_get_array_member (eo, "lm_logits");
  const char *text = json_object_get_string_member (eo, "text");
  const char *tags = json_object_get_string_member (eo, "tags");
  int n_reg = json_array_get_length (feats_arr), d = 16, t = json_array_get_length (ids);
  int v = json_array_get_length (lm) / t, mask_id = -1, n_masks = 0;
  g_autofree float *feats = g_new (float, n_reg * d);
  g_autofree char *feat_path = tmp_path ("ov-cli-pretrain-feats.safetensors");
  g_autofree char *out_path = tmp_path ("ov-cli-pretrain-out.safetensors");
  g_autofree char *vocab = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Run) mrun = NULL;
  g_autoptr(Run) crun = NULL;
  g_autoptr(Run) erun = NULL;
  g_autoptr(JsonNode) mdoc = NULL;
  g_autoptr(JsonNode) cdoc = NULL;
  g_autoptr(OvStateDict) sd = NULL;
  JsonArray *masks, *logits;
  OvTensorView view = { "scene0", OV_DTYPE_F32, 2, { n_reg, d }, feats };

  g_assert_true (g_file_get_contents (vpath, &vocab, NULL, NULL));
  lines = g_strsplit (vocab, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    if (g_str_equal (g_strstrip (lines[i]), "[MASK]"))
      mask_id = i;
  g_assert_cmpint (mask_id, >=, 0);
  for (int i = 0; i < n_reg; i++)
    for (int j = 0; j < d; j++)
      feats[i * d + j] = (float) json_array_get_double_element (
        json_array_get_array_element (feats_arr, i), j);
  g_assert_true (ov_safetensors_write (feat_path, &view, 1, &error));
  g_assert_no_error (error);

  mrun = run_oscarviz ("mask", "--model", model, "--features", feat_path, "--key", "scene0",
                       "--text", text, "--tags", tags, "--top", "3", "--json", NULL);
  mdoc = run_json (mrun);
  masks = json_object_get_array_member (json_node_get_object (mdoc), "masks");
  for (int i = 0; i < t; i++)
    {
      const double *row;
      g_autofree double *lrow = NULL;
      JsonObject *m;
      JsonArray *preds;
      double max = -G_MAXDOUBLE, sum = 0.0;

      if (json_array_get_int_element (ids, i) != mask_id)
        continue;
      g_assert_cmpuint (n_masks, <, json_array_get_length (masks));
      m = json_array_get_object_element (masks, n_masks++);
      g_assert_cmpint (json_object_get_int_member (m, "position"), ==, i);
      preds = json_object_get_array_member (m, "predictions");
      g_assert_cmpuint (json_array_get_length (preds), ==, 3);
      /* softmax of the reference row, independent of the engine's */
      lrow = g_new (double, v);
      for (int j = 0; j < v; j++)
        {
          lrow[j] = json_array_get_double_element (lm, i * v + j);
          max = MAX (max, lrow[j]);
        }
      for (int j = 0; j < v; j++)
        sum += exp (lrow[j] - max);
      row = lrow;
      for (guint k = 0; k < 3; k++)
        {
          JsonObject *p = json_array_get_object_element (preds, k);
          gint64 id = json_object_get_int_member (p, "id");
          int better = 0;

          for (int j = 0; j < v; j++)
            better += row[j] > row[id];
          g_assert_cmpint (better, ==, k);
          assert_close ("mask prob", json_object_get_double_member (p, "prob"),
                        exp (row[id] - max) / sum, 1e-4, 1e-6);
          g_assert_cmpstr (json_object_get_string_member (p, "token"), ==, lines[id]);
        }
    }
  g_assert_cmpint (n_masks, ==, 2);
  g_assert_cmpuint (json_array_get_length (masks), ==, 2);

  crun = run_oscarviz ("match", "--model", model, "--features", feat_path, "--text", text,
                       "--tags", tags, "--json", NULL);
  cdoc = run_json (crun);
  logits = json_object_get_array_member (json_node_get_object (cdoc), "logits");
  g_assert_cmpuint (json_array_get_length (logits), ==, 3);
  for (guint i = 0; i < 3; i++)
    assert_close ("contrastive logit", json_array_get_double_element (logits, i),
                  json_array_get_double_element (
                    json_object_get_array_member (eo, "contrastive_logits"), i),
                  LOGIT_TOL, LOGIT_TOL);
  assert_close ("match probability",
                json_object_get_double_member (json_node_get_object (cdoc), "match_probability"),
                json_object_get_double_member (eo, "match_probability"), 0.0, 1e-5);

  erun = run_oscarviz ("encode", "--model", model, "--features", feat_path, "--text", text,
                       "--tags", tags, "--out", out_path, NULL);
  g_assert_cmpint (erun->status, ==, 0);
  sd = ov_state_dict_load (out_path, &error);
  g_assert_no_error (error);
  {
    const OvTensor *mlm = tensor (sd, "mlm_logits", 2, (gint64) t, (gint64) v);
    const OvTensor *con = tensor (sd, "contrastive_logits", 1, (gint64) 3);
    const OvTensor *in = tensor (sd, "input_ids", 1, (gint64) t);

    for (int i = 0; i < t; i++)
      {
        g_assert_cmpint (((const gint64 *) in->data)[i], ==, json_array_get_int_element (ids, i));
        for (int j = 0; j < v; j++)
          assert_close ("mlm logit", ((const float *) mlm->data)[i * v + j],
                        json_array_get_double_element (lm, i * v + j), LOGIT_TOL, LOGIT_TOL);
      }
    for (int i = 0; i < 3; i++)
      assert_close ("encode contrastive", ((const float *) con->data)[i],
                    json_array_get_double_element (
                      json_object_get_array_member (eo, "contrastive_logits"), i),
                    LOGIT_TOL, LOGIT_TOL);
    g_assert_null (ov_state_dict_lookup (sd, "lm_logits"));
    g_assert_null (ov_state_dict_lookup (sd, "vqa_logits"));
  }
  g_unlink (feat_path);
  g_unlink (out_path);
}

/* /cli/pretrain/inputs: the fixture's own input tensors through --inputs;
 * mask against its top-5 lists, match against its probability. */
static void
test_pretrain_inputs (void)
{
  g_autofree char *model = ov_test_source_path ("tests", "fixtures", "pretrain_tiny", NULL);
  g_autofree char *epath = g_build_filename (model, "expected.json", NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonObject *eo = json_node_get_object (expected);
  JsonArray *feats_arr = json_object_get_array_member (eo, "region_features");
  JsonArray *ids_arr = json_object_get_array_member (eo, "input_ids");
  JsonArray *types_arr = json_object_get_array_member (eo, "token_type_ids");
  JsonArray *mask_arr = json_object_get_array_member (eo, "attention_mask");
  JsonArray *positions = json_object_get_array_member (eo, "mask_positions");
  gint64 t = json_array_get_length (ids_arr), s = json_array_get_length (mask_arr), n = s - t;
  int d = 16;
  g_autofree gint64 *ids = g_new (gint64, t);
  g_autofree gint64 *types = g_new (gint64, t);
  g_autofree float *mask = g_new (float, s);
  g_autofree float *feats = g_new0 (float, n * d);   /* zero rows pad to N */
  g_autofree char *in_path = tmp_path ("ov-cli-pretrain-inputs.safetensors");
  OvTensorView views[4] = {
    { "input_ids", OV_DTYPE_I64, 1, { t }, ids },
    { "token_type_ids", OV_DTYPE_I64, 1, { t }, types },
    { "attention_mask", OV_DTYPE_F32, 1, { s }, mask },
    { "img_feats", OV_DTYPE_F32, 2, { n, d }, feats },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(Run) mrun = NULL;
  g_autoptr(Run) crun = NULL;
  g_autoptr(JsonNode) mdoc = NULL;
  g_autoptr(JsonNode) cdoc = NULL;
  JsonArray *masks;

  for (gint64 i = 0; i < t; i++)
    {
      ids[i] = json_array_get_int_element (ids_arr, i);
      types[i] = json_array_get_int_element (types_arr, i);
    }
  for (gint64 i = 0; i < s; i++)
    mask[i] = (float) json_array_get_double_element (mask_arr, i);
  for (guint i = 0; i < json_array_get_length (feats_arr); i++)
    for (int j = 0; j < d; j++)
      feats[i * d + j] = (float) json_array_get_double_element (
        json_array_get_array_element (feats_arr, i), j);
  g_assert_true (ov_safetensors_write (in_path, views, 4, &error));
  g_assert_no_error (error);

  mrun = run_oscarviz ("mask", "--model", model, "--inputs", in_path, "--top", "5", "--json",
                       NULL);
  mdoc = run_json (mrun);
  masks = json_object_get_array_member (json_node_get_object (mdoc), "masks");
  g_assert_cmpuint (json_array_get_length (masks), ==, json_array_get_length (positions));
  for (guint m = 0; m < json_array_get_length (masks); m++)
    {
      JsonObject *o = json_array_get_object_element (masks, m);
      JsonArray *preds = json_object_get_array_member (o, "predictions");
      JsonArray *want_ids = json_array_get_array_element (
        json_object_get_array_member (eo, "mask_top5_ids"), m);
      JsonArray *want_probs = json_array_get_array_element (
        json_object_get_array_member (eo, "mask_top5_probs"), m);

      g_assert_cmpint (json_object_get_int_member (o, "position"), ==,
                       json_array_get_int_element (positions, m));
      g_assert_cmpuint (json_array_get_length (preds), ==, 5);
      for (guint k = 0; k < 5; k++)
        {
          JsonObject *p = json_array_get_object_element (preds, k);

          g_assert_cmpint (json_object_get_int_member (p, "id"), ==,
                           json_array_get_int_element (want_ids, k));
          assert_close ("mask --inputs prob", json_object_get_double_member (p, "prob"),
                        json_array_get_double_element (want_probs, k), 1e-4, 1e-6);
        }
    }

  crun = run_oscarviz ("match", "--model", model, "--inputs", in_path, "--json", NULL);
  cdoc = run_json (crun);
  assert_close ("match --inputs probability",
                json_object_get_double_member (json_node_get_object (cdoc), "match_probability"),
                json_object_get_double_member (eo, "match_probability"), 0.0, 1e-5);
  g_unlink (in_path);

  /* img_feats with no rows is no regions (it read 4 bytes past its data) */
  {
    float one = 1.0f;
    OvTensorView none[3] = {
      { "input_ids", OV_DTYPE_I64, 1, { t }, ids },
      { "attention_mask", OV_DTYPE_F32, 1, { t }, mask },
      { "img_feats", OV_DTYPE_F32, 2, { 0, d }, &one },
    };
    g_autoptr(Run) zrun = NULL;
    g_autoptr(JsonNode) zdoc = NULL;

    g_assert_true (ov_safetensors_write (in_path, none, 3, &error));
    g_assert_no_error (error);
    zrun = run_oscarviz ("match", "--model", model, "--inputs", in_path, "--json", NULL);
    zdoc = run_json (zrun);
    g_assert_true (json_object_has_member (json_node_get_object (zdoc), "match_probability"));
    g_unlink (in_path);
  }
}

/* /cli/errors: bad input exits non-zero (no signal) and names the file --- */

static void
expect_failure (const char *names,
                const char *first, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(Run) run = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  run = run_argv (args);
  g_test_message ("%s", run->err);
  if (!run->exited)
    g_error ("oscarviz %s crashed: %s", first, run->err);
  g_assert_cmpint (run->status, !=, 0);
  if (names != NULL && strstr (run->err, names) == NULL)
    g_error ("the message “%s” does not name %s", run->err, names);
}

static char *
write_nan_features (void)
{
  g_autofree char *path = tmp_path ("ov-cli-nan.feature.tsv");
  g_autofree float *values = g_new (float, 2 * 2054);
  g_autofree char *b64 = NULL;
  g_autofree char *row = NULL;

  for (int i = 0; i < 2 * 2054; i++)
    values[i] = 0.25f;
  values[2054 + 17] = NAN;
  b64 = g_base64_encode ((const guchar *) values, 2 * 2054 * sizeof (float));
  row = g_strdup_printf ("img_nan\t{\"num_boxes\": 2, \"features\": \"%s\"}\n", b64);
  g_assert_true (g_file_set_contents (path, row, -1, NULL));
  return g_steal_pointer (&path);
}

static void
test_errors (void)
{
  g_autofree char *cap = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *vqa = oracle ("checkpoints", "vqa_tiny_imgln", NULL);
  g_autofree char *feats = oracle ("data", "features.tsv", NULL);
  g_autofree char *labels = oracle ("data", "labels.tsv", NULL);
  g_autofree char *pt = oracle ("data", "vqa", "test2015_img_frcnn_feats.pt", NULL);
  g_autofree char *nan = write_nan_features ();
  g_autofree char *missing = tmp_path ("ov-cli-no-such-model");
  g_autofree char *corrupt = g_dir_make_tmp ("ov-cli-corrupt-XXXXXX", NULL);
  g_autofree char *short_answers = tmp_path ("ov-cli-answers.txt");
  g_autofree char *bad_inputs = tmp_path ("ov-cli-bad-inputs.safetensors");
  g_autofree char *out = tmp_path ("ov-cli-never-written.safetensors");
  const char *copied[] = { "config.json", "vocab.txt", "added_tokens.json",
                           "special_tokens_map.json", "training_args.bin" };

  /* a checkpoint whose weights stop half-way */
  for (guint i = 0; i < G_N_ELEMENTS (copied); i++)
    {
      g_autofree char *from = g_build_filename (cap, copied[i], NULL);
      g_autofree char *to = g_build_filename (corrupt, copied[i], NULL);
      g_autofree char *data = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      g_assert_true (g_file_set_contents (to, data, len, NULL));
    }
  {
    g_autofree char *from = g_build_filename (cap, "pytorch_model.bin", NULL);
    g_autofree char *to = g_build_filename (corrupt, "pytorch_model.bin", NULL);
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (from, &data, &len, NULL));
    g_assert_true (g_file_set_contents (to, data, len / 2, NULL));
  }
  g_assert_true (g_file_set_contents (short_answers, "yes\nno\nred\n", -1, NULL));
  {
    float feats16[2 * 16] = { 0 };
    gint64 ids[3] = { 101, 2000, 102 };
    float mask[5] = { 1, 1, 1, 1, 1 };
    OvTensorView views[3] = {
      { "input_ids", OV_DTYPE_I64, 1, { 3 }, ids },
      { "attention_mask", OV_DTYPE_F32, 1, { 5 }, mask },
      { "img_feats", OV_DTYPE_F32, 2, { 2, 16 }, feats16 },   /* the model takes 2054 */
    };

    g_assert_true (ov_safetensors_write (bad_inputs, views, 3, NULL));
  }

  expect_failure (missing, "caption", "--model", missing, "--features", feats, "--labels",
                  labels, NULL);
  expect_failure (corrupt, "caption", "--model", corrupt, "--features", feats, "--labels",
                  labels, NULL);
  expect_failure (labels, "caption", "--model", cap, "--features", feats, "--labels", labels,
                  "--key", "no_such_image", NULL);
  expect_failure (labels, "caption", "--model", cap, "--features", feats, "--labels", labels,
                  "--row", "4", NULL);
  expect_failure (feats, "caption", "--model", cap, "--features", feats, "--row", "99", NULL);
  expect_failure (nan, "caption", "--model", cap, "--features", nan, NULL);
  expect_failure (cap, "vqa", "--model", cap, "--features", feats, "--labels", labels,
                  "--question", "what is it?", NULL);
  expect_failure (vqa, "caption", "--model", vqa, "--features", feats, "--labels", labels,
                  NULL);
  expect_failure (cap, "mask", "--model", cap, "--features", feats, "--text", "a [MASK]", NULL);
  expect_failure (vqa, "match", "--model", vqa, "--features", feats, "--text", "a dog", NULL);
  expect_failure ("--question", "vqa", "--model", vqa, "--features", feats, "--labels", labels,
                  "--question", "   ", NULL);
  expect_failure (pt, "vqa", "--model", vqa, "--features", pt, "--key", "999",
                  "--question", "what?", NULL);
  expect_failure (pt, "vqa", "--model", vqa, "--features", pt, "--row", "50",
                  "--question", "what?", NULL);
  expect_failure (short_answers, "vqa", "--model", vqa, "--features", pt, "--question", "what?",
                  "--answers", short_answers, NULL);
  expect_failure (bad_inputs, "encode", "--model", cap, "--inputs", bad_inputs, "--out", out,
                  NULL);
  expect_failure ("--beams 0", "caption", "--model", cap, "--features", feats, "--beams", "0",
                  NULL);
  expect_failure ("--device tpu", "caption", "--model", cap, "--features", feats, "--device",
                  "tpu", NULL);
  expect_failure (NULL, "encode", "--model", cap, "--features", feats, NULL);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  for (guint i = 0; i < G_N_ELEMENTS (copied); i++)
    {
      g_autofree char *to = g_build_filename (corrupt, copied[i], NULL);

      g_unlink (to);
    }
  {
    g_autofree char *to = g_build_filename (corrupt, "pytorch_model.bin", NULL);

    g_unlink (to);
  }
  g_rmdir (corrupt);
  g_unlink (nan);
  g_unlink (short_answers);
  g_unlink (bad_inputs);
}

/* /cli/demo-names: --model demo, demo-vqa and --dataset demo are looked up
 * under $OSCARVIZ_DATADIR/demo; here that folder holds the oracle
 * checkpoints and a split yaml over the oracle files with a qla question
 * file, whose question vqa asks when given none. */
static void
test_demo_names (void)
{
  g_autofree char *root = g_dir_make_tmp ("ov-cli-demo-XXXXXX", NULL);
  g_autofree char *models = g_build_filename (root, "demo", "models", NULL);
  g_autofree char *scenes = g_build_filename (root, "demo", "scenes", NULL);
  g_autofree char *cap = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *vqa = oracle ("checkpoints", "vqa_tiny_imgln", NULL);
  g_autofree char *feats = oracle ("data", "features.tsv", NULL);
  g_autofree char *labels = oracle ("data", "labels.tsv", NULL);
  g_autofree char *l2a = oracle ("data", "vqa", "label2ans.json", NULL);
  g_autofree char *cap_link = g_build_filename (models, "demo", NULL);
  g_autofree char *vqa_link = g_build_filename (models, "demo-vqa", NULL);
  g_autofree char *yaml = g_build_filename (scenes, "test.yaml", NULL);
  g_autofree char *qla = g_build_filename (scenes, "test_qla.json", NULL);
  g_autofree char *yaml_text = g_strdup_printf ("feature: %s\nlabel: %s\nqla: test_qla.json\n",
                                                feats, labels);
  g_autoptr(Run) crun = NULL;
  g_autoptr(Run) vrun = NULL;
  g_autoptr(JsonNode) cdoc = NULL;
  g_autoptr(JsonNode) vdoc = NULL;
  JsonObject *cap0, *ans0;

  g_assert_cmpint (g_mkdir_with_parents (models, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (scenes, 0700), ==, 0);
  g_assert_cmpint (symlink (cap, cap_link), ==, 0);
  g_assert_cmpint (symlink (vqa, vqa_link), ==, 0);
  g_assert_true (g_file_set_contents (yaml, yaml_text, -1, NULL));
  g_assert_true (g_file_set_contents (qla, "[{\"q\": \"What animal is lying on the couch?\", "
                                      "\"o\": \"dog couch\", \"img_id\": \"coco_dog_couch\", "
                                      "\"q_id\": 1, \"an\": [], \"s\": []}]", -1, NULL));
  g_setenv ("OSCARVIZ_DATADIR", root, TRUE);

  crun = run_oscarviz ("caption", "--model", "demo", "--dataset", "demo", "--row", "1",
                       "--beams", "1", "--json", NULL);
  cdoc = run_json (crun);
  cap0 = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (cdoc), "captions"), 0);
  g_assert_cmpstr (json_object_get_string_member (cap0, "text"), ==,
                   "brew paler brew 1775 brew offenses brew ensembles pitching brew");

  /* the tags of labels.tsv, not the qla "o" field, as the oracle ran it */
  vrun = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo", "--key",
                       "coco_dog_couch", "--answers", l2a, "--top", "1", "--json", NULL);
  vdoc = run_json (vrun);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (vdoc), "question"), ==,
                   "What animal is lying on the couch?");
  ans0 = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (vdoc), "answers"), 0);
  g_assert_cmpstr (json_object_get_string_member (ans0, "answer"), ==, "red");
  g_assert_cmpint (json_object_get_int_member (ans0, "index"), ==, 10);

  expect_failure ("demo-large", "caption", "--model", "demo-large", "--dataset", "demo", NULL);
  g_unsetenv ("OSCARVIZ_DATADIR");
  g_unlink (cap_link);
  g_unlink (vqa_link);
  g_unlink (yaml);
  g_unlink (qla);
  g_rmdir (models);
  g_rmdir (scenes);
  {
    g_autofree char *demo = g_build_filename (root, "demo", NULL);

    g_rmdir (demo);
  }
  g_rmdir (root);
}

/* /cli/demo/shipped: the bundled demo by name: greedy captions of the first
 * scenes with and without tags against the PyTorch references shipped beside
 * them, and the VQA logits of scene 300001, answers named by the
 * label2ans.json the demo-vqa folder ships. */
static void
test_demo_shipped (void)
{
  g_autofree char *cpath = ov_test_source_path ("data", "demo", "scenes",
                                                "expected_captions.json", NULL);
  g_autofree char *ipath = ov_test_source_path ("data", "demo", "scenes", "reference",
                                                "index.json", NULL);
  g_autofree char *lpath = ov_test_source_path ("data", "demo", "scenes", "reference",
                                                "vqa_logits.npy", NULL);
  g_autoptr(JsonNode) caps = ov_test_load_json (cpath);
  g_autoptr(JsonNode) index = ov_test_load_json (ipath);
  g_autoptr(OvTestNpy) npy = ov_test_npy_load (lpath);      /* (questions, answers) */
  g_autofree float *want = ov_test_npy_as_f32 (npy);
  JsonArray *entries = json_object_get_array_member (json_node_get_object (caps), "captions");
  JsonObject *io = json_node_get_object (index);
  JsonArray *questions = json_object_get_array_member (io, "vqa_questions");
  JsonArray *answers = json_object_get_array_member (io, "vqa_answers");
  int n_answers = (int) npy->shape[1];

  g_unsetenv ("OSCARVIZ_DATADIR");
  for (guint i = 0; i < MIN (json_array_get_length (entries), 4); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);
      const char *key = json_object_get_string_member (e, "image_id");

      for (guint m = 0; m < 2; m++)
        {
          const char *suffix = m == 0 ? "" : "_notags";
          g_autofree char *ids_name = g_strconcat ("token_ids", suffix, NULL);
          g_autofree char *cap_name = g_strconcat ("caption", suffix, NULL);
          g_autofree char *lp_name = g_strconcat ("logprob", suffix, NULL);
          JsonArray *want_ids = json_object_get_array_member (e, ids_name);
          g_autoptr(Run) run = run_oscarviz ("caption", "--model",
                                             m == 0 ? "demo" : "demo-notags", "--dataset",
                                             "demo", "--key", key, "--beams", "1", "--json",
                                             NULL);
          g_autoptr(JsonNode) doc = run_json (run);
          JsonObject *cap = json_array_get_object_element (
            json_object_get_array_member (json_node_get_object (doc), "captions"), 0);
          JsonArray *ids = json_object_get_array_member (cap, "ids");

          g_assert_cmpuint (json_array_get_length (ids), ==, json_array_get_length (want_ids));
          for (guint j = 0; j < json_array_get_length (ids); j++)
            g_assert_cmpint (json_array_get_int_element (ids, j), ==,
                             json_array_get_int_element (want_ids, j));
          g_assert_cmpstr (json_object_get_string_member (cap, "text"), ==,
                           json_object_get_string_member (e, cap_name));
          assert_close ("demo caption score", json_object_get_double_member (cap, "score"),
                        json_object_get_double_member (e, lp_name), 0.0, LOGPROB_TOL);
        }
    }

  for (guint q = 0; q < json_array_get_length (questions); q++)
    {
      g_autoptr(Run) run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo",
                                         "--key", json_object_get_string_member (io, "image_id"),
                                         "--question", json_array_get_string_element (questions, q),
                                         "--top", "1000", "--json", NULL);
      g_autoptr(JsonNode) doc = run_json (run);
      JsonArray *got = json_object_get_array_member (json_node_get_object (doc), "answers");

      g_assert_cmpint (json_array_get_length (got), ==, n_answers);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (got, 0),
                                                      "answer"), ==,
                       json_array_get_string_element (answers, q));
      for (int r = 0; r < n_answers; r++)
        {
          JsonObject *a = json_array_get_object_element (got, r);

          assert_close ("demo vqa logit", json_object_get_double_member (a, "logit"),
                        want[q * n_answers + json_object_get_int_member (a, "index")],
                        LOGIT_TOL, LOGIT_TOL);
        }
    }
}

/* What every command shares ---------------------------------------------- */

/* Runs oscarviz and expects a bad-option failure: exit status 2, no
 * signal, and a message that names the option and its value. */
static void
expect_bad_option (const char *option,
                   const char *value,
                   const char *first,
                   ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(Run) run = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  run = run_argv (args);
  g_test_message ("%s %s %s: %s", first, option, value, run->err);
  if (!run->exited)
    g_error ("oscarviz %s crashed: %s", first, run->err);
  if (run->status != 2)
    g_error ("oscarviz %s %s %s: exit status %d, not 2 (%s)", first, option, value, run->status,
             run->err);
  if (strstr (run->err, option) == NULL || strstr (run->err, value) == NULL)
    g_error ("oscarviz %s: the message “%s” does not name %s %s", first, run->err, option,
             value);
}

static char *
demo_scenes (void)
{
  return ov_test_source_path ("data", "demo", "scenes", "test.yaml", NULL);
}

/* /cli/bad-options: each command's bad values exit 2 and name themselves. */
static void
test_bad_options (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *out = tmp_path ("ov-cli-bad-option.png");
  g_autofree char *vec = tmp_path ("ov-cli-bad-option.safetensors");

  g_unsetenv ("OSCARVIZ_DATADIR");
  /* caption's decoding options, checked before any decoding */
  expect_bad_option ("--beams", "0", "caption", "--model", "demo", "--dataset", yaml, "--beams",
                     "0", NULL);
  expect_bad_option ("--beams", "65", "caption", "--model", "demo", "--dataset", yaml, "--beams",
                     "65", NULL);
  expect_bad_option ("--n-best", "3", "caption", "--model", "demo", "--dataset", yaml,
                     "--beams", "1", "--n-best", "3", NULL);
  expect_bad_option ("--max-length", "200", "caption", "--model", "demo", "--dataset", yaml,
                     "--max-length", "200", NULL);
  expect_bad_option ("--max-length", "1", "caption", "--model", "demo", "--dataset", yaml,
                     "--max-length", "1", NULL);
  /* the model options of every command that runs a model */
  expect_bad_option ("--device", "tpu", "caption", "--model", "demo", "--dataset", yaml,
                     "--device", "tpu", NULL);
  expect_bad_option ("--precision", "half", "vqa", "--model", "demo-vqa", "--dataset", yaml,
                     "--precision", "half", NULL);
  expect_bad_option ("--threads", "500", "mask", "--model", "demo-pretrain", "--dataset", yaml,
                     "--text", "a [MASK]", "--threads", "500", NULL);
  expect_bad_option ("--threads", "-1", "match", "--model", "demo-pretrain", "--dataset", yaml,
                     "--text", "a cup", "--threads", "-1", NULL);
  expect_bad_option ("--threads", "500", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--threads", "500", NULL);
  expect_bad_option ("--device", "tpu", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--device", "tpu", NULL);
  expect_bad_option ("--threads", "500", "embed", "--model", "demo", "--dataset", yaml,
                     "--layer", "last", "--out", vec, "--threads", "500", NULL);
  expect_bad_option ("--threads", "500", "tsne", vec, "--out", out, "--threads", "500", NULL);
  expect_bad_option ("--top", "0", "vqa", "--model", "demo-vqa", "--dataset", yaml, "--top",
                     "0", NULL);
  expect_bad_option ("--question", "give a question", "vqa", "--model", "demo-vqa",
                     "--dataset", yaml, "--question", " ", NULL);
  /* only a question of which the tokenizer makes no token at all */
  expect_bad_option ("--question", "empty or only white space", "vqa", "--model", "demo-vqa",
                     "--dataset", yaml, "--question", "\t\n\x01", NULL);
  /* combining marks alone: the accent strip deletes them */
  expect_bad_option ("--question", "empty or only white space", "vqa", "--model", "demo-vqa",
                     "--dataset", yaml, "--question", " \xcc\x81\xcc\x80 ", NULL);
  expect_bad_option ("--text", "empty or only white space", "match", "--model",
                     "demo-pretrain", "--dataset", yaml, "--text", " ", NULL);
  expect_bad_option ("--text", "give a text", "mask", "--model", "demo-pretrain", "--dataset",
                     yaml, "--text", "", NULL);
  expect_bad_option ("--question-index", "-1", "vqa", "--model", "demo-vqa", "--dataset", yaml,
                     "--question-index", "-1", NULL);
  expect_bad_option ("--question-index", "give", "vqa", "--model", "demo-vqa", "--dataset", yaml,
                     "--question", "what?", "--question-index", "1", NULL);
  expect_bad_option ("--top", "-2", "mask", "--model", "demo-pretrain", "--dataset", yaml,
                     "--text", "a [MASK]", "--top", "-2", NULL);
  expect_bad_option ("--box-frame", "sideways", "caption", "--model", "demo", "--dataset", yaml,
                     "--box-frame", "sideways", NULL);
  /* --row -1 is no row */
  expect_bad_option ("--row", "-1", "caption", "--model", "demo", "--dataset", yaml, "--row",
                     "-1", NULL);
  expect_bad_option ("--row", "-1", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--row", "-1", NULL);
  expect_bad_option ("--row", "-1", "inspect", yaml, "--row", "-1", NULL);
  /* figure sizes, layers and tasks of attention */
  expect_bad_option ("--width", "5", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--width", "5", NULL);
  expect_bad_option ("--height", "5", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--height", "5", NULL);
  expect_bad_option ("--layer", "-1", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "-1", "--out", out, NULL);
  expect_bad_option ("--layer", "9", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "9", "--out", out, NULL);
  expect_bad_option ("--task", "poetry", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--task", "poetry", NULL);
  /* attention decodes its caption as caption does, with the same checks */
  expect_bad_option ("--beams", "0", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--beams", "0", NULL);
  expect_bad_option ("--max-length", "200", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--max-length", "200", NULL);
  expect_bad_option ("--region", "only for the region view", "attention", "--model", "demo",
                     "--dataset", yaml, "--layer", "1", "--out", out, "--region", "2", NULL);
  expect_bad_option ("--before-tags", "only for the difference view", "attention", "--model",
                     "demo", "--dataset", yaml, "--layer", "1", "--out", out, "--before-tags",
                     "cup", NULL);
  expect_bad_option ("--beams", "3", "attention", "--model", "demo-vqa", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--beams", "3", NULL);
  expect_bad_option ("--max-length", "9", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--text", "a cup", "--max-length", "9", NULL);
  expect_bad_option ("--tsne", "x.jpg", "embed", "--model", "demo", "--dataset", yaml,
                     "--layer", "last", "--out", vec, "--tsne", "x.jpg", NULL);
  expect_bad_option ("--region", "6", "attention", "--model", "demo", "--dataset", yaml,
                     "--key", "300001", "--layer", "1", "--view", "region", "--region", "6",
                     "--out", out, NULL);
  expect_bad_option ("--task", "poetry", "encode", "--model", "demo", "--dataset", yaml,
                     "--out", vec, "--task", "poetry", NULL);
  /* embed: 0 is no count; the layer and the tag layout are checked too */
  expect_bad_option ("--limit", "0", "embed", "--model", "demo", "--dataset", yaml, "--layer",
                     "last", "--out", vec, "--limit", "0", NULL);
  expect_bad_option ("--layer", "9", "embed", "--model", "demo", "--dataset", yaml, "--layer",
                     "9", "--out", vec, NULL);
  expect_bad_option ("--tag-layout", "demo-vqa", "embed", "--model", "demo-notags",
                     "--dataset", yaml, "--layer", "last", "--out", vec, "--tag-layout",
                     "demo-vqa", NULL);
  expect_bad_option ("--width", "5", "demo-world", "generate", "--out", vec, "--width", "5",
                     NULL);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (vec, G_FILE_TEST_EXISTS));
}

/* /cli/exit-status: for every command, a usage or option problem exits 2
 * and names the option, found before any model loads (the model named
 * here does not exist, so a later check would end in status 1 about it);
 * a file that is missing or unreadable exits 1 and names the file. */
typedef struct {
  int         status;
  const char *names;     /* what the message must name; "@..." as in args */
  const char *args[16];  /* "@yaml", "@missing", "@corrupt", "@dir", "@out", "@vec": files */
} ExitCase;

static const char *
exit_case_arg (const char *arg,
               const char *yaml,
               const char *missing,
               const char *corrupt,
               const char *dir,
               const char *out,
               const char *vec)
{
  if (g_strcmp0 (arg, "@vec") == 0)
    return vec;
  if (g_strcmp0 (arg, "@yaml") == 0)
    return yaml;
  if (g_strcmp0 (arg, "@missing") == 0)
    return missing;
  if (g_strcmp0 (arg, "@corrupt") == 0)
    return corrupt;
  if (g_strcmp0 (arg, "@dir") == 0)
    return dir;
  if (g_strcmp0 (arg, "@out") == 0)
    return out;
  return arg;
}

static void
test_exit_status (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *missing = tmp_path ("ov-cli-exit-missing.tsv");
  g_autofree char *corrupt = tmp_path ("ov-cli-exit-corrupt.safetensors");
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-exit-XXXXXX", NULL);
  g_autofree char *out = tmp_path ("ov-cli-exit-out.png");
  g_autofree char *vec = tmp_path ("ov-cli-exit-out.safetensors");
  const char *no_model = "/nonexistent/ov-cli-model";
  const ExitCase cases[] = {
    /* caption */
    { 2, "--labels", { "caption", "--model", no_model, "--features", "@missing", "--labels",
                       "@missing", "--detections", "@missing" } },
    { 2, "--dataset", { "caption", "--model", no_model, "--dataset", "@yaml", "--hw",
                        "@missing" } },
    { 2, "--regions", { "caption", "--model", no_model, "--dataset", "@yaml", "--regions",
                        "abc" } },
    { 2, "--dataset", { "caption", "--model", no_model } },
    { 2, "--model", { "caption", "--model", "", "--dataset", "@yaml" } },
    { 2, "--cbs", { "caption", "--model", no_model, "--features", "@missing", "--cbs" } },
    { 1, "@missing", { "caption", "--model", "demo", "--dataset", "@missing" } },
    /* a row or key the dataset lacks: known once it is read, still an option */
    { 2, "--row 999", { "caption", "--model", "demo", "--dataset", "@yaml", "--row", "999" } },
    { 2, "--key", { "caption", "--model", "demo", "--dataset", "@yaml", "--key", "nosuch" } },
    { 1, "@corrupt", { "caption", "--model", "demo", "--features", "@corrupt" } },
    /* vqa */
    { 2, "--question", { "vqa", "--model", no_model, "--inputs", "@missing", "--question",
                         "what?" } },
    { 2, "--inputs", { "vqa", "--model", no_model, "--inputs", "@missing", "--dataset",
                       "@yaml" } },
    { 2, "--answers", { "vqa", "--model", no_model, "--dataset", "@yaml", "--answers", "" } },
    { 1, "@corrupt", { "vqa", "--model", "demo-vqa", "--inputs", "@corrupt" } },
    { 1, "@missing", { "vqa", "--model", "demo-vqa", "--dataset", "@yaml", "--answers",
                       "@missing" } },
    /* mask */
    { 2, "--text", { "mask", "--model", no_model, "--dataset", "@yaml" } },
    { 2, "--text", { "mask", "--model", no_model, "--dataset", "@yaml", "--text", " " } },
    { 1, "@missing", { "mask", "--model", "demo-pretrain", "--inputs", "@missing" } },
    /* match */
    { 2, "--text", { "match", "--model", no_model, "--inputs", "@missing", "--text", "a cup" } },
    { 2, "--features", { "match", "--model", no_model, "--features", "", "--text", "a" } },
    { 1, "@corrupt", { "match", "--model", "demo-pretrain", "--dataset", "@corrupt", "--text",
                       "a cup" } },
    /* encode */
    { 2, "--task", { "encode", "--model", no_model, "--dataset", "@yaml", "--out", "@out",
                     "--task", "poetry" } },
    { 2, "--out", { "encode", "--model", no_model, "--dataset", "@yaml", "--out", "@dir" } },
    { 1, "@missing", { "encode", "--model", "demo", "--features", "@missing", "--out",
                       "@out" } },
    /* attention */
    { 2, "--task", { "attention", "--model", no_model, "--dataset", "@yaml", "--layer", "1",
                     "--out", "@out", "--task", "poetry" } },
    { 2, "--regions", { "attention", "--model", no_model, "--dataset", "@yaml", "--layer", "1",
                        "--out", "@out", "--regions", "" } },
    { 2, "--out", { "attention", "--model", no_model, "--dataset", "@yaml", "--layer", "1",
                    "--out", "@dir" } },
    { 2, "--dataset", { "attention", "--model", no_model, "--layer", "1", "--out", "@out" } },
    /* a PNG larger than a PNG can be, found before the model runs */
    { 2, "--width", { "attention", "--model", no_model, "--dataset", "@yaml", "--layer", "1",
                      "--out", "@out", "--width", "20000" } },
    { 2, "--height", { "attention", "--model", no_model, "--dataset", "@yaml", "--layer", "1",
                       "--out", "@out", "--height", "5000", "--scale", "8" } },
    { 1, "@missing", { "attention", "--model", "demo", "--dataset", "@missing", "--layer", "1",
                       "--out", "@out" } },
    /* embed */
    { 2, "--layer", { "embed", "--model", no_model, "--dataset", "@yaml", "--layer", "",
                      "--out", "@vec" } },
    { 2, "--dataset", { "embed", "--model", no_model, "--dataset", "", "--layer", "last",
                        "--out", "@vec" } },
    { 1, "@corrupt", { "embed", "--model", "demo", "--dataset", "@corrupt", "--layer", "last",
                       "--out", "@vec" } },
    /* tsne, align, inspect: files named on the command line */
    { 2, "--labels", { "tsne", "@missing", "--out", "@out", "--labels", "" } },
    { 2, "--perplexity", { "tsne", "@missing", "--out", "@out", "--perplexity", "x" } },
    { 1, "@corrupt", { "tsne", "@corrupt", "--out", "@out", "--quiet" } },
    { 2, "--out", { "align", "@missing", "--out", "" } },
    { 2, "--scale", { "align", "@missing", "--scale", "-1" } },
    { 2, "--width", { "align", "@missing", "--out", "@out", "--width", "17000" } },
    { 2, "--width", { "tsne", "@missing", "--out", "@out", "--width", "17000" } },
    { 2, "--height", { "embed", "--model", no_model, "--dataset", "@yaml", "--layer", "last",
                       "--out", "@dir", "--tsne", "@out", "--height", "17000" } },
    { 1, "@missing", { "align", "@missing" } },
    { 2, "--row", { "inspect", "@yaml", "--key", "300001", "--row", "1" } },
    { 1, "@corrupt", { "inspect", "@corrupt" } },
    /* demo-world, devices, version read no files */
    { 2, "--out", { "demo-world", "generate", "--out", "" } },
    { 2, "--out", { "demo-world", "generate", "--out", "@out", "--count", "1" } },
    { 2, "--split", { "demo-world", "generate", "--out", "@dir", "--split", "a/b" } },
    { 2, "--bogus", { "devices", "--bogus" } },
    { 2, "--bogus", { "version", "--bogus" } },
  };

  g_unsetenv ("OSCARVIZ_DATADIR");
  g_assert_true (g_file_set_contents (corrupt, "garbage\001\002", -1, NULL));
  /* demo-world --out FILE: a file where the folder would go */
  g_assert_true (g_file_set_contents (out, "", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const ExitCase *c = &cases[i];
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(Run) run = NULL;
      const char *names = exit_case_arg (c->names, yaml, missing, corrupt, dir, out, vec);
      g_autofree char *line = NULL;

      for (guint j = 0; c->args[j] != NULL; j++)
        g_ptr_array_add (args, (gpointer) exit_case_arg (c->args[j], yaml, missing, corrupt, dir,
                                                         out, vec));
      g_ptr_array_add (args, NULL);
      line = g_strjoinv (" ", (char **) args->pdata);
      g_ptr_array_remove_index (args, args->len - 1);
      run = run_argv (args);
      g_test_message ("%s: %d %s", line, run->status, run->err);
      if (!run->exited)
        g_error ("oscarviz %s crashed: %s", line, run->err);
      if (run->status != c->status)
        g_error ("oscarviz %s: exit status %d, not %d (%s)", line, run->status, c->status,
                 run->err);
      if (strstr (run->err, names) == NULL)
        g_error ("oscarviz %s: the message “%s” does not name %s", line, run->err, names);
      /* no model was loaded for a usage error: the message is not about it */
      if (c->status == 2 && strstr (run->err, no_model) != NULL)
        g_error ("oscarviz %s: the model was looked for before the options were checked (%s)",
                 line, run->err);
    }
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_unlink (corrupt);
  g_unlink (out);
  g_unlink (vec);
  g_rmdir (dir);
}

/* The size of a PNG in pixels. */
static void
png_size (const char *path,
          int        *width,
          int        *height)
{
  cairo_surface_t *png = cairo_image_surface_create_from_png (path);

  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  *width = cairo_image_surface_get_width (png);
  *height = cairo_image_surface_get_height (png);
  cairo_surface_destroy (png);
}

/* /cli/figure-size: tsne, align and embed --tsne take --width and --height
 * as attention does (points, 100 to 100000, checked before anything runs,
 * exit 2 naming the option and the value), and write the figure at that
 * size: a PNG at 2 pixels per point, a PDF page of that many points. */
static void
test_figure_size (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *vec = tmp_path ("ov-cli-figure-size.safetensors");
  g_autofree char *meta = g_strconcat (vec, ".json", NULL);
  g_autofree char *names = g_strconcat (vec, ".labels.txt", NULL);
  g_autofree char *map = tmp_path ("ov-cli-figure-size-map.png");
  g_autofree char *out = tmp_path ("ov-cli-figure-size.png");
  g_autofree char *pdf = tmp_path ("ov-cli-figure-size.pdf");
  g_autofree char *npy = ov_test_source_path ("tests", "data", "tsne-mixture-500.npy", NULL);
  const char *bad[][2] = {
    { "--width", "99" }, { "--height", "100001" }, { "--width", "-240" }, { "--height", "nan" },
  };
  g_autoptr(Run) embed = NULL;
  g_autoptr(Run) tsne = NULL;
  g_autoptr(Run) align = NULL;
  g_autofree char *page = NULL;
  gsize len;
  int w, h;

  g_unsetenv ("OSCARVIZ_DATADIR");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      expect_bad_option (bad[i][0], bad[i][1], "tsne", npy, "--out", out, bad[i][0], bad[i][1],
                         NULL);
      expect_bad_option (bad[i][0], bad[i][1], "align", vec, "--out", out, bad[i][0],
                         bad[i][1], NULL);
      expect_bad_option (bad[i][0], bad[i][1], "embed", "--model", "demo", "--dataset", yaml,
                         "--layer", "all", "--out", vec, "--tsne", map, bad[i][0], bad[i][1],
                         NULL);
    }
  /* without --tsne embed draws no figure to size */
  expect_bad_option ("--width", "--tsne", "embed", "--model", "demo", "--dataset", yaml,
                     "--layer", "all", "--out", vec, "--width", "240", NULL);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (vec, G_FILE_TEST_EXISTS));

  embed = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml, "--layer", "all",
                        "--limit", "6", "--out", vec, "--tsne", map, "--width", "240",
                        "--height", "200", "-q", NULL);
  g_assert_cmpint (embed->status, ==, 0);
  png_size (map, &w, &h);
  g_assert_cmpint (w, ==, 480);
  g_assert_cmpint (h, ==, 400);
  tsne = run_oscarviz ("tsne", vec, "--out", out, "--iterations", "50", "--width", "345",
                       "--height", "260", "-q", NULL);
  g_assert_cmpint (tsne->status, ==, 0);
  png_size (out, &w, &h);
  g_assert_cmpint (w, ==, 690);
  g_assert_cmpint (h, ==, 520);
  align = run_oscarviz ("align", vec, "--out", pdf, "--width", "240", "--height", "200", NULL);
  g_assert_cmpint (align->status, ==, 0);
  /* the figure alone: its table only without --out */
  g_assert_true (g_str_has_prefix (align->out, "wrote "));
  g_assert_true (g_file_get_contents (pdf, &page, &len, NULL));
  {
    /* the page's size, among compressed streams that may hold NUL bytes */
    const char *box = "/MediaBox [ 0 0 240 200 ]";
    gboolean found = FALSE;

    for (gsize k = 0; !found && k + strlen (box) <= len; k++)
      found = memcmp (page + k, box, strlen (box)) == 0;
    g_assert_true (found);
  }
  /* two models at 504 x 360 (two columns of a paper): the text shrinks
   * only as far as the page needs, none of it under 7 points */
  {
    g_autofree char *svg = tmp_path ("ov-cli-figure-size.svg");
    g_autofree char *doc = NULL;
    g_autoptr(Run) two = run_oscarviz ("align", vec, vec, "--out", svg, "--width", "504",
                                       "--height", "360", NULL);
    g_autoptr(GRegex) re = g_regex_new ("font-size=\"([0-9.]+)\"", 0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    guint n = 0;

    g_assert_cmpint (two->status, ==, 0);
    g_assert_true (g_file_get_contents (svg, &doc, NULL, NULL));
    g_regex_match (re, doc, 0, &match);
    for (; g_match_info_matches (match); g_match_info_next (match, NULL), n++)
      {
        g_autofree char *size = g_match_info_fetch (match, 1);

        g_assert_cmpfloat (g_ascii_strtod (size, NULL), >=, 7.0 - 1e-3);
      }
    g_assert_cmpuint (n, >, 20);
    g_unlink (svg);
  }
  /* one size given: the other keeps the figure's proportions (900 x 640),
   * so 240 wide is 170.7 high, 342 pixels at 2 a point */
  g_clear_pointer (&tsne, run_free);
  tsne = run_oscarviz ("tsne", vec, "--out", out, "--iterations", "50", "--width", "240", "-q",
                       NULL);
  g_assert_cmpint (tsne->status, ==, 0);
  png_size (out, &w, &h);
  g_assert_cmpint (w, ==, 480);
  g_assert_cmpint (h, ==, 342);
  /* units: 3.5 inches are 252 points; 254 mm are 720 points, and the
   * width follows at 900/640 of it */
  g_clear_pointer (&tsne, run_free);
  tsne = run_oscarviz ("tsne", vec, "--out", out, "--iterations", "50", "--width", "3.5in",
                       "--height", "50.8 mm", "-q", NULL);
  g_assert_cmpint (tsne->status, ==, 0);
  png_size (out, &w, &h);
  g_assert_cmpint (w, ==, 504);
  g_assert_cmpint (h, ==, 288);
  g_clear_pointer (&tsne, run_free);
  tsne = run_oscarviz ("tsne", vec, "--out", out, "--iterations", "50", "--height", "254mm",
                       "-q", NULL);
  g_assert_cmpint (tsne->status, ==, 0);
  png_size (out, &w, &h);
  g_assert_cmpint (w, ==, 2025);
  g_assert_cmpint (h, ==, 1440);
  expect_bad_option ("--width", "7inch", "tsne", vec, "--out", out, "--width", "7inch", NULL);
  expect_bad_option ("--height", "cm", "align", vec, "--out", out, "--height", "cm", NULL);
  for (guint i = 0; i < 6; i++)
    {
      const char *files[] = { vec, meta, names, map, out, pdf };

      g_unlink (files[i]);
    }
}

/* /cli/unknown-command: a mistyped command says so, without a window. */
static void
test_unknown_command (void)
{
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  g_autoptr(Run) typo = NULL;
  g_autoptr(Run) far = NULL;

  /* With a display the old behaviour opened a window; without one it
   * printed only GTK's "cannot open display". */
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");
  typo = run_oscarviz ("captoin", "--model", "demo", NULL);
  far = run_oscarviz ("no-such-thing.png", NULL);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  g_assert_true (typo->exited);
  g_assert_cmpint (typo->status, ==, 2);
  g_assert_nonnull (strstr (typo->err, "unknown command “captoin”"));
  g_assert_nonnull (strstr (typo->err, "“caption”"));
  g_assert_cmpint (far->status, ==, 2);
  g_assert_nonnull (strstr (far->err, "no-such-thing.png"));
  g_assert_null (strstr (far->err, "did you mean"));
}

/* /cli/unknown-option: a mistyped long option is named with the nearest
 * the command has, its sample options included; one far from every option
 * points to --help; a short one keeps GLib's message; an argument where
 * none goes says what was likely meant, as does a mistyped bundled model. */
static void
test_unknown_option (void)
{
  static const struct { const char *args[6]; const char *said; int status; } cases[] = {
    { { "caption", "--modle", "demo", NULL }, "unknown option --modle; did you mean --model?" },
    { { "caption", "--beam=3", NULL }, "unknown option --beam; did you mean --beams?" },
    { { "vqa", "--featres", "x", NULL }, "unknown option --featres; did you mean --features?" },
    { { "tsne", "--perplexty", "3", NULL },
      "unknown option --perplexty; did you mean --perplexity?" },
    { { "attention", "--veiw", "image", NULL }, "unknown option --veiw; did you mean --view?" },
    { { "inspect", "--zzzz", NULL },
      "unknown option --zzzz (“oscarviz inspect --help” lists the options)" },
    { { "attention", "-Q", NULL }, "Unknown option -Q" },
    /* a value without its option; a near miss of a bundled model */
    { { "caption", "demo", NULL },
      "unexpected argument “demo”: name what it is, --model demo for the model or --dataset "
      "demo for the scenes" },
    { { "vqa", "demo-vqa", NULL }, "unexpected argument “demo-vqa”: give it as --model demo-vqa" },
    { { "embed", "zzzz", NULL }, "unexpected argument “zzzz” (“oscarviz embed --help”" },
    /* the window's options, named before any display is asked for */
    { { "--modle", "demo", NULL }, "oscarviz: unknown option --modle; did you mean --model?" },
    { { "--zork", NULL }, "oscarviz: unknown option --zork (“oscarviz --help”" },
    { { "caption", "--model", "dmeo", "--dataset", "demo", NULL },
      "nor a bundled model (demo, demo-vqa, demo-pretrain, demo-notags); did you mean demo?", 1 },
    /* with --model given, "demo" can only be the scenes */
    { { "caption", "--model", "demo", "demo", NULL },
      "unexpected argument “demo”: give it as --dataset demo for the bundled scenes" },
    { { "attention", "--view", "heatmp", NULL }, "--view heatmp: did you mean heatmap?" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Run) run = run_oscarviz (cases[i].args[0], cases[i].args[1], cases[i].args[2],
                                         cases[i].args[3], cases[i].args[4], NULL);

      g_test_message ("%s %s: %s", cases[i].args[0], cases[i].args[1], run->err);
      /* (a model that is not there is a missing file, status 1) */
      g_assert_cmpint (run->status, ==, cases[i].status != 0 ? cases[i].status : 2);
      g_assert_nonnull (strstr (run->err, cases[i].said));
    }
}

/* The OpenBLAS description `oscarviz devices --json` gives. */
static char *
devices_blas (void)
{
  g_autoptr(Run) run = run_oscarviz ("devices", "--json", NULL);
  g_autoptr(JsonNode) node = run_json (run);
  JsonObject *cpu = json_object_get_object_member (json_node_get_object (node), "cpu");

  return g_strdup (json_object_get_string_member (cpu, "blas"));
}

/* /cli/blas-core: where Debian's OpenBLAS falls back to its generic SSE3
 * kernels on a processor it does not know, oscarviz runs itself again with
 * a core type the processor can use; OPENBLAS_CORETYPE set by the user, even
 * to the generic one, is left alone. */
static void
test_blas_core (void)
{
#if defined(__x86_64__)
  g_autofree char *saved = g_strdup (g_getenv ("OPENBLAS_CORETYPE"));
  const char *better = ov_blas_better_core ();
  g_autofree char *plain = NULL;
  g_autofree char *asked = NULL;

  if (saved == NULL)
    {
      plain = devices_blas ();
      g_test_message ("this process: %s; oscarviz: %s", openblas_get_corename (), plain);
      g_assert_nonnull (strstr (plain, better != NULL ? better : openblas_get_corename ()));
      g_assert_true (better == NULL || strstr (plain, "Prescott") == NULL);
    }
  g_setenv ("OPENBLAS_CORETYPE", "Prescott", TRUE);
  asked = devices_blas ();
  if (saved != NULL)
    g_setenv ("OPENBLAS_CORETYPE", saved, TRUE);
  else
    g_unsetenv ("OPENBLAS_CORETYPE");
  g_assert_nonnull (strstr (asked, "Prescott"));
#else
  g_test_skip ("OpenBLAS's x86 core types only");
#endif
}

/* /cli/usage-lines: every command's help starts "oscarviz COMMAND"; the
 * commands that run a model all take --model demo, --device and --threads. */
static void
test_usage_lines (void)
{
  const char *const commands[] = { "caption", "vqa", "mask", "match", "encode", "attention",
                                   "embed", "align", "tsne", "inspect", "devices",
                                   "demo-world" };
  const char *const with_model[] = { "caption", "vqa", "mask", "match", "encode", "attention",
                                     "embed" };
  g_autoptr(Run) caption = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(Run) run = run_oscarviz (commands[i], "--help", NULL);
      g_autofree char *want = g_strdup_printf ("Usage:\n  oscarviz %s [OPTION", commands[i]);

      g_assert_cmpint (run->status, ==, 0);
      if (!g_str_has_prefix (run->out, want))
        g_error ("oscarviz %s --help begins “%.60s”", commands[i], run->out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (with_model); i++)
    {
      g_autoptr(Run) run = run_oscarviz (with_model[i], "--help", NULL);

      g_assert_nonnull (strstr (run->out, "--device=cpu|cuda|auto"));
      g_assert_nonnull (strstr (run->out, "--threads=N"));
      g_assert_nonnull (strstr (run->out, "--precision=exact|fast"));
      g_assert_nonnull (strstr (run->out, "a bundled model: demo, demo-vqa, demo-pretrain"));
    }
  /* caption runs its own decoding steps: no --inputs to offer */
  caption = run_oscarviz ("caption", "--help", NULL);
  g_assert_null (strstr (caption->out, "--inputs"));
}

/* /cli/demo-names/everywhere: attention and embed take the bundled names
 * too; a folder given as --dataset is refused with its split file named. */
static void
test_demo_names_everywhere (void)
{
  g_autofree char *out = tmp_path ("ov-cli-demo-att.png");
  g_autofree char *vec = tmp_path ("ov-cli-demo-vec.safetensors");
  g_autofree char *scenes = ov_test_source_path ("data", "demo", "scenes", NULL);
  g_autofree char *yaml = demo_scenes ();
  g_autoptr(Run) att = NULL;
  g_autoptr(Run) emb = NULL;
  g_autoptr(Run) folder = NULL;
  g_autoptr(OvEmbeddings) e = NULL;
  g_autoptr(GError) error = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  att = run_oscarviz ("attention", "--model", "demo", "--dataset", "demo", "--layer", "1",
                      "--out", out, NULL);
  g_assert_cmpint (att->status, ==, 0);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  emb = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo", "--layer", "last",
                      "--limit", "2", "--out", vec, "--quiet", NULL);
  g_assert_cmpint (emb->status, ==, 0);
  e = ov_embeddings_load (vec, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (e->image_keys->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (e->image_keys, 0), ==, "300001");

  folder = run_oscarviz ("caption", "--model", "demo", "--dataset", scenes, NULL);
  g_assert_cmpint (folder->status, ==, 1);
  g_assert_nonnull (strstr (folder->err, yaml));
  g_unlink (out);
  {
    const char *suffixes[] = { "", ".json", ".labels.txt" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *p = g_strconcat (vec, suffixes[i], NULL);

        g_unlink (p);
      }
  }
}

static char *
read_file (const char *path,
           gsize      *len)
{
  char *data = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, len, &error);
  g_assert_no_error (error);
  return data;
}

/* /cli/attention/image: the image view finds images/KEY.png beside the
 * split, as the window does, and draws the same figure as with --image;
 * without any picture it says so and writes nothing. */
static void
test_attention_image (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *png = ov_test_source_path ("data", "demo", "scenes", "images", "300001.png",
                                              NULL);
  g_autofree char *oracle_yaml = oracle ("data", "test.yaml", NULL);
  g_autofree char *oracle_model = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *found = tmp_path ("ov-cli-att-found.png");
  g_autofree char *given = tmp_path ("ov-cli-att-given.png");
  g_autofree char *none = tmp_path ("ov-cli-att-none.png");
  g_autofree char *a = NULL, *b = NULL;
  g_autoptr(Run) r1 = NULL;
  g_autoptr(Run) r2 = NULL;
  g_autoptr(Run) r3 = NULL;
  gsize la = 0, lb = 0;

  r1 = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--key", "300001",
                     "--layer", "1", "--view", "image", "--out", found, NULL);
  r2 = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--key", "300001",
                     "--image", png, "--layer", "1", "--view", "image", "--out", given, NULL);
  g_assert_cmpint (r1->status, ==, 0);
  g_assert_cmpint (r2->status, ==, 0);
  a = read_file (found, &la);
  b = read_file (given, &lb);
  g_assert_cmpmem (a, la, b, lb);

  r3 = run_oscarviz ("attention", "--model", oracle_model, "--dataset", oracle_yaml, "--layer",
                     "1", "--view", "image", "--out", none, NULL);
  /* without a picture: the boxes on a blank frame, and a note on where
   * the picture is looked for */
  g_assert_cmpint (r3->status, ==, 0);
  g_assert_nonnull (strstr (r3->err, "blank frame"));
  g_assert_nonnull (strstr (r3->err, "--image"));
  g_assert_true (g_file_test (none, G_FILE_TEST_IS_REGULAR));
  g_unlink (none);
  g_unlink (found);
  g_unlink (given);
}

/* /cli/attention/turned-picture: a photo with EXIF orientation 6 is shown
 * upright with the boxes (measured on the pixels as stored) turned with
 * it: the landscape scene's figure stands portrait; with --box-frame
 * displayed the boxes' frame is the upright one and stays landscape. */
static void
test_attention_turned_picture (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *jpeg = ov_test_shared_path ("data", "images", "edge-cases",
                                               "pillow-hopper_orientation_6-exif.jpg", NULL);
  const char *frames[] = { "stored", "displayed" };

  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autofree char *out = tmp_path ("ov-cli-att-turned.png");
      g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                         "--key", "300001", "--image", jpeg, "--box-frame",
                                         frames[i], "--layer", "1", "--view", "image", "--out",
                                         out, NULL);
      cairo_surface_t *png;
      int w, h;

      g_assert_cmpint (run->status, ==, 0);
      png = cairo_image_surface_create_from_png (out);
      g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
      w = cairo_image_surface_get_width (png);
      h = cairo_image_surface_get_height (png);
      if (i == 0)
        g_assert_cmpint (h, >, w);
      else
        g_assert_cmpint (w, >, h);
      cairo_surface_destroy (png);
      g_unlink (out);
    }
}

/* /cli/unknown-tags: tag words the model's vocabulary lacks are named on
 * stderr and in the JSON, each once (all of them: a warning that the tags
 * tell the model nothing); a model trained without tags gets no such note;
 * attention says it too. */
static void
test_unknown_tags (void)
{
  g_autoptr(Run) all = run_oscarviz ("caption", "--model", "demo", "--dataset", "demo", "--row",
                                     "0", "--beams", "1", "--tags", "man motorcycle road man",
                                     "--json", NULL);
  g_autoptr(Run) some = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo",
                                      "--row", "0", "--question", "what color is the cup?",
                                      "--tags", "cup motorcycle", "--json", NULL);
  g_autoptr(Run) known = run_oscarviz ("caption", "--model", "demo", "--dataset", "demo",
                                       "--row", "0", "--beams", "1", "--json", NULL);
  g_autoptr(Run) notags = run_oscarviz ("caption", "--model", "demo-notags", "--dataset", "demo",
                                        "--row", "0", "--beams", "1", "--tags", "man road",
                                        "--json", NULL);
  g_autoptr(JsonNode) all_doc = run_json (all);
  g_autoptr(JsonNode) some_doc = run_json (some);
  g_autoptr(JsonNode) known_doc = run_json (known);
  g_autoptr(JsonNode) notags_doc = run_json (notags);
  JsonObject *o = json_node_get_object (all_doc);
  JsonArray *unknown = json_object_get_array_member (o, "unknown_tag_words");

  g_assert_cmpint (json_object_get_int_member (o, "tag_words"), ==, 3);
  g_assert_cmpuint (json_array_get_length (unknown), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (unknown, 1), ==, "motorcycle");
  g_assert_nonnull (strstr (all->err, "lacks all 3 tag words"));

  o = json_node_get_object (some_doc);
  unknown = json_object_get_array_member (o, "unknown_tag_words");
  g_assert_cmpuint (json_array_get_length (unknown), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (unknown, 0), ==, "motorcycle");
  g_assert_nonnull (strstr (some->err, "1 of the 2 tag words is not in the vocabulary"));

  o = json_node_get_object (known_doc);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "unknown_tag_words")),
                    ==, 0);
  g_assert_null (strstr (known->err, "tag word"));

  g_assert_false (json_object_has_member (json_node_get_object (notags_doc),
                                          "unknown_tag_words"));
  g_assert_null (strstr (notags->err, "tag word"));

  {
    g_autofree char *out = tmp_path ("ov-cli-unknown-tags.png");
    g_autoptr(Run) att = run_oscarviz ("attention", "--model", "demo", "--dataset", "demo",
                                       "--row", "0", "--tags", "cup dog", "--layer", "1",
                                       "--out", out, NULL);

    g_assert_cmpint (att->status, ==, 0);
    g_assert_nonnull (strstr (att->err, "1 of the 2 tag words is not in the vocabulary"));
    g_unlink (out);
  }
}

static JsonNode *
vqa_json (const char *question,
          const char *top)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(Run) run = NULL;

  for (const char *const *a = (const char *const[]) { "vqa", "--model", "demo-vqa", "--dataset",
                                                      "demo", "--key", "300001", "--top", top,
                                                      "--json", NULL };
       *a != NULL; a++)
    g_ptr_array_add (args, (gpointer) *a);
  if (question != NULL)
    {
      g_ptr_array_add (args, "--question");
      g_ptr_array_add (args, (gpointer) question);
    }
  run = run_argv (args);
  return run_json (run);
}

static void
assert_unknown (JsonObject        *o,
                guint              n_words,
                const char *const *unknown)
{
  JsonArray *got = json_object_get_array_member (o, "unknown_words");

  g_assert_cmpint (json_object_get_int_member (o, "words"), ==, n_words);
  g_assert_cmpuint (json_array_get_length (got), ==, g_strv_length ((char **) unknown));
  for (guint i = 0; unknown[i] != NULL; i++)
    g_assert_cmpstr (json_array_get_string_element (got, i), ==, unknown[i]);
}

/* /cli/vqa/unknown-words: vqa says how many words the model reads as [UNK],
 * and warns when it knows none; the sample's own question is shown as a
 * person writes it and asked as the file has it (the same pieces). */
static void
test_vqa_unknown_words (void)
{
  const char *const none[] = { NULL };
  const char *const two[] = { "colour", "mug", NULL };
  const char *const chinese[] = { "杯", "子", "是", "什", "么", "颜", "色", "的", NULL };
  g_autoptr(JsonNode) known = NULL;
  g_autoptr(JsonNode) some = NULL;
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) dflt = NULL;
  g_autoptr(JsonNode) tokenized = NULL;
  g_autoptr(Run) text = NULL;
  g_autoptr(Run) text_some = NULL;
  JsonArray *a, *b;

  g_unsetenv ("OSCARVIZ_DATADIR");
  known = vqa_json ("what color is the cup?", "1");
  assert_unknown (json_node_get_object (known), 5, none);
  some = vqa_json ("what colour is the mug?", "1");
  assert_unknown (json_node_get_object (some), 5, two);
  all = vqa_json ("杯子是什么颜色的？", "1");
  assert_unknown (json_node_get_object (all), 8, chinese);

  text = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo", "--question",
                       "杯子是什么颜色的？", NULL);
  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "lacks all 8 words"));
  text_some = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo", "--question",
                            "what colour is the mug?", NULL);
  g_assert_nonnull (strstr (text_some->out, "2 of 5 words are not in the model's vocabulary"));
  g_assert_nonnull (strstr (text_some->out, "colour mug"));

  /* A control character reaches the terminal shown, not obeyed: an escape
   * sequence in a question (or a key, a class name from a file) would
   * recolour or clear it. */
  {
    g_autoptr(Run) escaped = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", "demo",
                                           "--question", "is the cup \x1b[2J\x07red\xc2\x9b?",
                                           NULL);

    g_assert_cmpint (escaped->status, ==, 0);
    g_assert_null (strchr (escaped->out, '\x1b'));
    g_assert_null (strchr (escaped->out, '\x07'));
    g_assert_null (strstr (escaped->out, "\xc2\x9b"));
    g_assert_nonnull (strstr (escaped->out, "is the cup \\x1b[2J\\x07red\\u009b?"));
  }

  /* The demo's qla file keeps "what color is the cup ?" */
  dflt = vqa_json (NULL, "42");
  tokenized = vqa_json ("what color is the cup ?", "42");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (dflt), "question"), ==,
                   "what color is the cup?");
  a = json_object_get_array_member (json_node_get_object (dflt), "answers");
  b = json_object_get_array_member (json_node_get_object (tokenized), "answers");
  g_assert_cmpuint (json_array_get_length (a), ==, 42);
  for (guint i = 0; i < 42; i++)
    g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (a, i),
                                                      "logit"), ==,
                       json_object_get_double_member (json_array_get_object_element (b, i),
                                                      "logit"));
}

static void
unlink_embeddings (const char *path)
{
  const char *suffixes[] = { "", ".json", ".labels.txt" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);

      g_unlink (p);
    }
}

/* /cli/embed/tag-layout: embed gives a model trained without tags the tag
 * slots of a tagged one, so align can compare the two; the vectors are
 * those of a pass with the tagged model's settings copied by hand (as
 * tools/README.md describes the demo's own measurement). */
static void
test_embed_tag_layout (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *with = tmp_path ("ov-cli-tags.safetensors");
  g_autofree char *without = tmp_path ("ov-cli-notags.safetensors");
  g_autofree char *bare = tmp_path ("ov-cli-notags-bare.safetensors");
  g_autofree char *tagged_dir = NULL, *notags_dir = NULL;
  g_autoptr(Run) r1 = NULL;
  g_autoptr(Run) r2 = NULL;
  g_autoptr(Run) r3 = NULL;
  g_autoptr(Run) al = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(OvEmbeddings) got = NULL;
  g_autoptr(OvEmbeddings) want = NULL;
  g_autoptr(OvEmbeddings) got_bare = NULL;
  g_autoptr(OvModel) tagged = NULL;
  g_autoptr(OvModel) notags = NULL;
  g_autoptr(OvDataset) ds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree int *layers = NULL;
  guint n_layers = 0, n_tags = 0;

  g_unsetenv ("OSCARVIZ_DATADIR");
  r1 = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml, "--layer", "all",
                     "--limit", "6", "--out", with, "--quiet", NULL);
  r2 = run_oscarviz ("embed", "--model", "demo-notags", "--tag-layout", "demo", "--dataset",
                     yaml, "--layer", "all", "--limit", "6", "--out", without, "--quiet", NULL);
  r3 = run_oscarviz ("embed", "--model", "demo-notags", "--dataset", yaml, "--layer", "all",
                     "--limit", "6", "--out", bare, "--quiet", NULL);
  g_assert_cmpint (r1->status, ==, 0);
  g_assert_cmpint (r2->status, ==, 0);
  g_assert_cmpint (r3->status, ==, 0);
  g_assert_nonnull (strstr (r2->err, "trained without tags"));
  /* without --tag-layout: no tags, and a note that says what to do */
  g_assert_nonnull (strstr (r3->err, "--tag-layout"));
  got_bare = ov_embeddings_load (bare, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < got_bare->n; i++)
    g_assert_cmpint (got_bare->modality[i], ==, OV_EMBED_REGION);
  g_assert_null (got_bare->tag_layout);

  /* the reference: demo-notags with demo's settings, in this process */
  tagged_dir = ov_demo_find ("demo", &error);
  g_assert_no_error (error);
  notags_dir = ov_demo_find ("demo-notags", &error);
  g_assert_no_error (error);
  tagged = ov_model_load (tagged_dir, NULL, &error);
  g_assert_no_error (error);
  notags = ov_model_load (notags_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ov_model_get_settings (notags)->add_od_labels);
  *ov_model_get_settings (notags) = *ov_model_get_settings (tagged);
  layers = ov_embed_parse_layers ("all", ov_model_get_config (notags)->num_hidden_layers,
                                  &n_layers, &error);
  g_assert_no_error (error);
  ds = ov_dataset_open (yaml, NULL, &error);
  g_assert_no_error (error);
  want = ov_embed_collect_dataset (notags, ds, 6, layers, n_layers, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  got = ov_embeddings_load (without, &error);
  g_assert_no_error (error);
  /* the file says whose tag slots were read; inspect shows it */
  g_assert_cmpstr (got->tag_layout, ==, tagged_dir);
  {
    g_autoptr(Run) ins = run_oscarviz ("inspect", without, NULL);

    g_assert_cmpint (ins->status, ==, 0);
    g_assert_nonnull (strstr (ins->out, "tag slots of"));
    g_assert_nonnull (strstr (ins->out, tagged_dir));
  }
  g_assert_cmpuint (got->n, ==, want->n);
  g_assert_cmpuint (got->n_layers, ==, want->n_layers);
  for (guint i = 0; i < got->n; i++)
    {
      g_assert_cmpint (got->modality[i], ==, want->modality[i]);
      g_assert_cmpint (got->classes[i], ==, want->classes[i]);
      n_tags += got->modality[i] == OV_EMBED_TAG;
    }
  g_assert_cmpuint (n_tags, >, 0);
  for (guint l = 0; l < got->n_layers; l++)
    {
      double diff = 0.0;

      /* the same computation; the tolerance only allows for thread order */
      if (!ov_test_allclose (got->vectors[l], want->vectors[l], (gsize) got->n * got->hidden,
                             1e-5, 1e-5, &diff))
        g_error ("layer %d: borrowed-layout vectors differ by %g", got->layers[l], diff);
      g_test_message ("layer %d: max |diff| %g", got->layers[l], diff);
    }

  /* the README's comparison, on the command line */
  al = run_oscarviz ("align", with, without, "--json", NULL);
  g_assert_cmpint (al->status, ==, 0);
  doc = json_from_string (al->out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);
  /* of the same images: nothing to say; of others, it is said */
  g_assert_null (strstr (al->err, "share"));
  {
    g_autofree char *few = tmp_path ("ov-cli-notags-few.safetensors");
    g_autoptr(Run) r4 = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml, "--layer",
                                      "all", "--limit", "2", "--out", few, "--quiet", NULL);
    g_autoptr(Run) other = NULL;

    g_assert_cmpint (r4->status, ==, 0);
    other = run_oscarviz ("align", with, few, "--json", NULL);
    g_assert_cmpint (other->status, ==, 0);
    g_assert_nonnull (strstr (other->err, "share 2 of their images (6 and 2)"));
    unlink_embeddings (few);
  }
  /* the cosine distance, said in the JSON and under the table */
  {
    g_autoptr(Run) cos = run_oscarviz ("align", with, without, "--metric", "cosine", "--json",
                                       NULL);
    g_autoptr(Run) table = run_oscarviz ("align", with, "--metric", "cosine", NULL);

    g_assert_cmpint (cos->status, ==, 0);
    g_assert_nonnull (strstr (al->out, "\"metric\" : \"euclidean\""));
    g_assert_nonnull (strstr (cos->out, "\"metric\" : \"cosine\""));
    g_assert_cmpint (table->status, ==, 0);
    g_assert_nonnull (strstr (table->out, "cosine distances"));
    expect_bad_option ("--metric", "l1", "align", with, "--metric", "l1", NULL);
  }
  /* names of the paper's choosing instead of the files', one per file */
  {
    g_autoptr(Run) named = run_oscarviz ("align", with, without, "--name", "OSCAR",
                                         "--name", "OSCAR without tags", "--json", NULL);
    g_autoptr(Run) table = run_oscarviz ("align", with, "--name", "OSCAR", NULL);

    g_assert_cmpint (named->status, ==, 0);
    g_assert_nonnull (strstr (named->out, "\"OSCAR without tags\""));
    g_assert_null (strstr (named->out, "safetensors\""));
    g_assert_cmpint (table->status, ==, 0);
    g_assert_true (g_str_has_prefix (table->out, "OSCAR: "));
    expect_bad_option ("--name", "1 time for 2 files", "align", with, without, "--name", "A",
                       NULL);
    expect_bad_option ("--name", "is empty", "align", with, "--name", " ", NULL);
  }
  unlink_embeddings (with);
  unlink_embeddings (without);
  unlink_embeddings (bare);
}

/* /cli/encode/round-trip: encode's own output runs again through --inputs
 * and gives the logits of the sample it was made from; the text output
 * tells real regions from padding rows. */
static void
test_encode_round_trip (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *enc = tmp_path ("ov-cli-roundtrip.safetensors");
  const char *question = "what color is the cup?";
  g_autoptr(Run) e = NULL;
  g_autoptr(Run) ej = NULL;
  g_autoptr(Run) from_file = NULL;
  g_autoptr(Run) direct = NULL;
  g_autoptr(JsonNode) edoc = NULL;
  g_autoptr(JsonNode) fdoc = NULL;
  g_autoptr(JsonNode) ddoc = NULL;
  JsonArray *fa, *da;

  g_unsetenv ("OSCARVIZ_DATADIR");
  e = run_oscarviz ("encode", "--model", "demo-vqa", "--dataset", yaml, "--key", "300001",
                    "--text", question, "--out", enc, NULL);
  g_assert_cmpint (e->status, ==, 0);
  /* scene 300001 has 5 regions; the VQA layout pads to the training length */
  g_assert_nonnull (strstr (e->out, " 5 regions and "));
  g_assert_nonnull (strstr (e->out, "padding rows"));
  ej = run_oscarviz ("encode", "--model", "demo-vqa", "--dataset", yaml, "--key", "300001",
                     "--text", question, "--out", enc, "--json", NULL);
  edoc = run_json (ej);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (edoc), "n_real_regions"),
                   ==, 5);

  from_file = run_oscarviz ("vqa", "--model", "demo-vqa", "--inputs", enc, "--top", "42",
                            "--json", NULL);
  direct = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", yaml, "--key", "300001",
                         "--question", question, "--top", "42", "--json", NULL);
  fdoc = run_json (from_file);
  ddoc = run_json (direct);
  fa = json_object_get_array_member (json_node_get_object (fdoc), "answers");
  da = json_object_get_array_member (json_node_get_object (ddoc), "answers");
  g_assert_cmpuint (json_array_get_length (fa), ==, json_array_get_length (da));
  for (guint i = 0; i < json_array_get_length (fa); i++)
    {
      JsonObject *x = json_array_get_object_element (fa, i);
      JsonObject *y = json_array_get_object_element (da, i);

      g_assert_cmpint (json_object_get_int_member (x, "index"), ==,
                       json_object_get_int_member (y, "index"));
      assert_close ("encode round trip", json_object_get_double_member (x, "logit"),
                    json_object_get_double_member (y, "logit"), LOGIT_TOL, LOGIT_TOL);
    }
  g_unlink (enc);
}

/* /cli/wording: counts agree in number ("1 region", "1 sample"), and "an
 * image". */
static void
test_wording (void)
{
  g_autofree char *png = ov_test_source_path ("data", "demo", "scenes", "images", "300001.png",
                                              NULL);
  g_autofree char *one = tmp_path ("ov-cli-one-box.json");
  g_autofree char *out = tmp_path ("ov-cli-wording.safetensors");
  g_autoptr(GString) json = g_string_new ("{\"key\": \"one\", \"width\": 100, \"height\": 100, "
                                          "\"boxes\": [{\"rect\": [10, 10, 50, 50], "
                                          "\"class\": \"cup\", \"feature\": [");
  g_autoptr(Run) img = NULL;
  g_autoptr(Run) enc = NULL;
  g_autoptr(Run) ins = NULL;

  for (int i = 0; i < 2048; i++)
    g_string_append_printf (json, "%s%g", i > 0 ? ", " : "", (i % 7) / 10.0);
  g_string_append (json, "]}]}");
  g_assert_true (g_file_set_contents (one, json->str, -1, NULL));

  g_unsetenv ("OSCARVIZ_DATADIR");
  img = run_oscarviz ("caption", "--model", "demo", "--dataset", png, NULL);
  g_assert_cmpint (img->status, ==, 1);
  g_assert_null (strstr (img->err, "a image"));
  g_assert_nonnull (strstr (img->err, "an image"));

  /* the demo's caption layout has 12 region rows: 1 region, 11 padding */
  enc = run_oscarviz ("encode", "--model", "demo", "--dataset", one, "--out", out, NULL);
  g_assert_cmpint (enc->status, ==, 0);
  g_test_message ("%s", enc->out);
  g_assert_nonnull (strstr (enc->out, " 1 region and 11 padding rows"));
  ins = run_oscarviz ("inspect", one, NULL);
  g_assert_cmpint (ins->status, ==, 0);
  g_test_message ("%s", ins->out);
  g_assert_nonnull (strstr (ins->out, ", 1 sample\n"));
  g_assert_nonnull (strstr (ins->out, ": 1 region, 1 feature row 2054 wide"));
  g_unlink (out);
  g_unlink (one);
}

/* /cli/embed/tag-layout-vocabulary: --tag-layout refuses a tagged model
 * whose vocabulary is not the model's (another size, or another word piece
 * at some id), naming both folders and the difference, and writes nothing. */
static void
test_embed_tag_layout_vocabulary (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *tiny = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *vec = tmp_path ("ov-cli-vocab.safetensors");
  g_autofree char *copy = tmp_path ("ov-cli-vocab-model");
  g_autofree char *demo_dir = NULL;
  g_autofree char *notags_dir = NULL;
  g_autofree char *vocab = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(Run) sizes = NULL;
  g_autoptr(Run) pieces = NULL;
  const char *name;
  char *comma, *colon;

  g_unsetenv ("OSCARVIZ_DATADIR");
  demo_dir = ov_demo_find ("demo", &error);
  g_assert_no_error (error);
  notags_dir = ov_demo_find ("demo-notags", &error);
  g_assert_no_error (error);

  /* 30522 word pieces against demo-notags' 106 */
  sizes = run_oscarviz ("embed", "--model", "demo-notags", "--tag-layout", tiny, "--dataset",
                        yaml, "--layer", "last", "--limit", "2", "--out", vec, "--quiet",
                        NULL);
  g_test_message ("%s", sizes->err);
  g_assert_true (sizes->exited);
  g_assert_cmpint (sizes->status, ==, 2);
  g_assert_true (g_str_has_prefix (sizes->err, "oscarviz embed: --tag-layout "));
  g_assert_nonnull (strstr (sizes->err, tiny));
  g_assert_nonnull (strstr (sizes->err, notags_dir));
  g_assert_nonnull (strstr (sizes->err, "30522"));
  g_assert_nonnull (strstr (sizes->err, "106"));
  g_assert_false (g_file_test (vec, G_FILE_TEST_EXISTS));

  /* demo with two vocabulary lines swapped: as many pieces, not the same */
  g_assert_cmpint (g_mkdir (copy, 0755), ==, 0);
  dir = g_dir_open (demo_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (demo_dir, name, NULL);
      g_autofree char *to = g_build_filename (copy, name, NULL);

      g_assert_cmpint (symlink (from, to), ==, 0);
    }
  {
    g_autofree char *from = g_build_filename (demo_dir, "vocab.txt", NULL);
    g_autofree char *to = g_build_filename (copy, "vocab.txt", NULL);

    g_assert_true (g_file_get_contents (from, &vocab, NULL, NULL));
    /* lines 5 and 6 are "," and ":" */
    comma = strstr (vocab, "\n,\n");
    colon = strstr (vocab, "\n:\n");
    g_assert_true (comma != NULL && colon == comma + 2);
    comma[1] = ':';
    colon[1] = ',';
    g_assert_cmpint (g_unlink (to), ==, 0);
    g_assert_true (g_file_set_contents (to, vocab, -1, NULL));
  }
  pieces = run_oscarviz ("embed", "--model", "demo-notags", "--tag-layout", copy, "--dataset",
                         yaml, "--layer", "last", "--limit", "2", "--out", vec, "--quiet",
                         NULL);
  g_test_message ("%s", pieces->err);
  g_assert_cmpint (pieces->status, ==, 2);
  g_assert_nonnull (strstr (pieces->err, "--tag-layout "));
  g_assert_nonnull (strstr (pieces->err, copy));
  g_assert_nonnull (strstr (pieces->err, notags_dir));
  g_assert_nonnull (strstr (pieces->err, "word piece 5 is “,”"));
  g_assert_false (g_file_test (vec, G_FILE_TEST_EXISTS));

  g_dir_rewind (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (copy, name, NULL);

      g_unlink (path);
    }
  g_rmdir (copy);
}

/* /cli/embed/tsne-settings: embed --tsne takes the map's --seed and
 * --iterations as tsne does (the same file drawn by both is the same PNG),
 * checks them before any work and refuses them without --tsne. */
static void
test_embed_tsne_settings (void)
{
  g_autofree char *vec = tmp_path ("ov-cli-tsne-settings.safetensors");
  g_autofree char *by_embed = tmp_path ("ov-cli-tsne-settings-embed.png");
  g_autofree char *by_tsne = tmp_path ("ov-cli-tsne-settings-tsne.png");
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  gsize la, lb;
  g_autoptr(Run) embed = NULL;
  g_autoptr(Run) tsne = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  expect_bad_option ("--seed", "--tsne", "embed", "--model", "demo", "--dataset", "demo",
                     "--layer", "last", "--out", vec, "--seed", "7", NULL);
  expect_bad_option ("--iterations", "0", "embed", "--model", "demo", "--dataset", "demo",
                     "--layer", "last", "--out", vec, "--tsne", by_embed, "--iterations", "0",
                     NULL);
  expect_bad_option ("--seed", "-1", "embed", "--model", "demo", "--dataset", "demo",
                     "--layer", "last", "--out", vec, "--tsne", by_embed, "--seed", "-1", NULL);
  g_assert_false (g_file_test (vec, G_FILE_TEST_EXISTS));
  embed = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo", "--layer", "last",
                        "--limit", "8", "--out", vec, "--tsne", by_embed, "--seed", "7",
                        "--iterations", "300", "-q", NULL);
  g_assert_cmpint (embed->status, ==, 0);
  tsne = run_oscarviz ("tsne", vec, "--out", by_tsne, "--seed", "7", "--iterations", "300",
                       "-q", NULL);
  g_assert_cmpint (tsne->status, ==, 0);
  g_assert_true (g_file_get_contents (by_embed, &a, &la, NULL));
  g_assert_true (g_file_get_contents (by_tsne, &b, &lb, NULL));
  g_assert_cmpmem (a, la, b, lb);
  unlink_embeddings (vec);
  g_unlink (by_embed);
  g_unlink (by_tsne);
}

/* /cli/embed/unknown-tags: embed warns on stderr when tag pieces read as
 * [UNK] (the oracle images' tags are not in the demo's vocabulary), naming
 * the words, and says nothing when every tag word is known; align warns of
 * such a file too, whose tag distances look like any others. */
static void
test_embed_unknown_tags (void)
{
  g_autofree char *oracle_yaml = oracle ("data", "test.yaml", NULL);
  g_autofree char *vec = tmp_path ("ov-cli-unk.safetensors");
  g_autofree char *demo_dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Run) lacking = NULL;
  g_autoptr(Run) known = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  demo_dir = ov_demo_find ("demo", &error);
  g_assert_no_error (error);
  lacking = run_oscarviz ("embed", "--model", "demo", "--dataset", oracle_yaml, "--layer",
                          "last", "--out", vec, "--quiet", NULL);
  g_test_message ("%s", lacking->err);
  g_assert_cmpint (lacking->status, ==, 0);
  g_assert_nonnull (strstr (lacking->err, "warning: 39 of the 41 tag pieces read as [UNK]"));
  g_assert_nonnull (strstr (lacking->err, demo_dir));
  g_assert_nonnull (strstr (lacking->err, "lacks dog couch pillow"));
  {
    g_autoptr(Run) align = run_oscarviz ("align", vec, NULL);

    g_assert_cmpint (align->status, ==, 0);
    g_assert_nonnull (strstr (align->err, "warning: 39 of the 41 tag pieces of"));
    g_assert_nonnull (strstr (align->err, "are [UNK]"));
  }
  unlink_embeddings (vec);

  known = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo", "--layer", "last",
                        "--limit", "3", "--out", vec, "--quiet", NULL);
  g_assert_cmpint (known->status, ==, 0);
  g_assert_null (strstr (known->err, "[UNK]"));
  {
    g_autoptr(Run) align = run_oscarviz ("align", vec, NULL);

    g_assert_cmpint (align->status, ==, 0);
    g_assert_null (strstr (align->err, "[UNK]"));
  }
  unlink_embeddings (vec);
}

/* The thread count in caption's first line, "(beam search, CPU (2 threads, ...". */
static int
caption_threads (const char *omp_num_threads,
                 const char *threads)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "OMP_NUM_THREADS", omp_num_threads,
                                         TRUE);
  g_autoptr(Run) run = NULL;
  const char *cpu;

  for (const char *const *a = (const char *const[]) { "caption", "--model", "demo", "--dataset",
                                                      "demo", "--device", "cpu", "--beams",
                                                      "1", NULL };
       *a != NULL; a++)
    g_ptr_array_add (args, (gpointer) *a);
  if (threads != NULL)
    {
      g_ptr_array_add (args, "--threads");
      g_ptr_array_add (args, (gpointer) threads);
    }
  run = run_argv_env (args, envp);
  g_assert_cmpint (run->status, ==, 0);
  cpu = strstr (run->out, "CPU (");
  g_assert_nonnull (cpu);
  return atoi (cpu + strlen ("CPU ("));
}

/* /cli/threads: --threads 0 is every processor whatever OMP_NUM_THREADS
 * says; without --threads OMP_NUM_THREADS counts; the help says both. */
static void
test_threads (void)
{
  g_autoptr(Run) help = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  g_assert_cmpint (caption_threads ("1", "0"), ==, (int) g_get_num_processors ());
  g_assert_cmpint (caption_threads ("1", NULL), ==, 1);
  g_assert_cmpint (caption_threads ("1", "2"), ==, 2);
  /* a list counts by its first number, as OpenMP reads it */
  g_assert_cmpint (caption_threads ("2,1", NULL), ==, 2);
  help = run_oscarviz ("caption", "--help", NULL);
  g_assert_nonnull (strstr (help->out, "0 = all processors"));
  g_assert_nonnull (strstr (help->out, "OMP_NUM_THREADS"));

  /* a value --threads would refuse is refused, not asked of the machine
   * (2000000000 threads would take 88 GB of stacks and bookkeeping) */
  for (guint i = 0; i < 3; i++)
    {
      const char *values[] = { "2000000000", "99999999999999", "-3" };
      g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "OMP_NUM_THREADS", values[i],
                                             TRUE);
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(Run) run = NULL;

      for (const char *const *a = (const char *const[]) { "caption", "--model", "demo",
                                                          "--dataset", "demo", "--row", "0",
                                                          NULL };
           *a != NULL; a++)
        g_ptr_array_add (args, (gpointer) *a);
      run = run_argv_env (args, envp);
      g_assert_true (run->exited);
      g_assert_cmpint (run->status, ==, 2);
      g_assert_nonnull (strstr (run->err, "OMP_NUM_THREADS="));
      g_assert_nonnull (strstr (run->err, "give --threads N"));
    }
}

/* The caption attention printed on stderr ("caption: ..."). */
static char *
attention_caption (const char *model,
                   const char *dataset,
                   const char *key,
                   const char *beams)
{
  g_autofree char *out = tmp_path ("ov-cli-att-caption.png");
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(Run) run = NULL;
  const char *line, *end;

  for (const char *const *a = (const char *const[]) { "attention", "--model", model,
                                                      "--dataset", dataset, "--key", key,
                                                      "--layer", "1", "--out", out, NULL };
       *a != NULL; a++)
    g_ptr_array_add (args, (gpointer) *a);
  if (beams != NULL)
    {
      g_ptr_array_add (args, "--beams");
      g_ptr_array_add (args, (gpointer) beams);
    }
  run = run_argv (args);
  g_assert_cmpint (run->status, ==, 0);
  g_unlink (out);
  line = strstr (run->err, "caption: ");
  g_assert_nonnull (line);
  line += strlen ("caption: ");
  end = strchr (line, '\n');
  return g_strndup (line, end != NULL ? (gsize) (end - line) : strlen (line));
}

/* caption's best caption of one sample, with its default decoding or
 * --beams. */
static char *
caption_text (const char *model,
              const char *dataset,
              const char *key,
              const char *beams)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(Run) run = NULL;
  g_autoptr(JsonNode) doc = NULL;
  JsonArray *caps;

  for (const char *const *a = (const char *const[]) { "caption", "--model", model,
                                                      "--dataset", dataset, "--key", key,
                                                      "--json", NULL };
       *a != NULL; a++)
    g_ptr_array_add (args, (gpointer) *a);
  if (beams != NULL)
    {
      g_ptr_array_add (args, "--beams");
      g_ptr_array_add (args, (gpointer) beams);
    }
  run = run_argv (args);
  doc = run_json (run);
  caps = json_object_get_array_member (json_node_get_object (doc), "captions");
  return g_strdup (json_object_get_string_member (json_array_get_object_element (caps, 0),
                                                  "text"));
}

/* /cli/attention/caption: attention looks at the caption `caption` gives,
 * beam search by default (as the window's Attention panel continues the
 * Caption panel's), and greedy search with --beams 1 as caption does. */
static void
test_attention_caption (void)
{
  g_autofree char *tiny = oracle ("checkpoints", "caption_tiny", NULL);
  g_autofree char *oracle_yaml = oracle ("data", "test.yaml", NULL);
  const struct { const char *model, *dataset, *key; } samples[] = {
    { "demo", "demo", "300001" },
    { "demo", "demo", "300003" },
    { tiny, oracle_yaml, "coco_beach" },
  };

  g_unsetenv ("OSCARVIZ_DATADIR");
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *att = attention_caption (samples[i].model, samples[i].dataset,
                                                samples[i].key, NULL);
      g_autofree char *cap = caption_text (samples[i].model, samples[i].dataset,
                                           samples[i].key, NULL);
      g_autofree char *att_greedy = NULL;
      g_autofree char *cap_greedy = NULL;

      g_test_message ("%s: “%s”", samples[i].key, cap);
      g_assert_cmpstr (att, ==, cap);
      att_greedy = attention_caption (samples[i].model, samples[i].dataset, samples[i].key,
                                      "1");
      cap_greedy = caption_text (samples[i].model, samples[i].dataset, samples[i].key, "1");
      g_assert_cmpstr (att_greedy, ==, cap_greedy);
    }
  /* 300001 is a sample where the two searches differ */
  {
    g_autofree char *beam = caption_text ("demo", "demo", "300001", NULL);
    g_autofree char *greedy = caption_text ("demo", "demo", "300001", "1");

    g_assert_cmpstr (beam, !=, greedy);
  }
}

/* /cli/attention/checks-first: the region view's --region is checked
 * against the sample's regions, saying the value is out of range, and
 * before any model is loaded (the model folder here does not exist); an
 * empty --question and an unknown --view are refused before it too. */
static void
test_attention_checks_first (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *out = tmp_path ("ov-cli-att-region.png");
  const char *const values[] = { "6", "0", "-3" };

  g_unsetenv ("OSCARVIZ_DATADIR");
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *want = g_strdup_printf ("oscarviz attention: --region %s: give 1 to 5 ",
                                               values[i]);
      g_autoptr(Run) run = run_oscarviz ("attention", "--model", "/nonexistent/model",
                                         "--dataset", yaml, "--key", "300001", "--layer", "1",
                                         "--view", "region", "--region", values[i], "--out",
                                         out, NULL);

      g_test_message ("%s", run->err);
      g_assert_cmpint (run->status, ==, 2);
      g_assert_true (g_str_has_prefix (run->err, want));
    }
  {
    g_autoptr(Run) missing = run_oscarviz ("attention", "--model", "/nonexistent/model",
                                           "--dataset", yaml, "--key", "300001", "--layer", "1",
                                           "--view", "region", "--out", out, NULL);
    g_autoptr(Run) empty = run_oscarviz ("attention", "--model", "/nonexistent/model",
                                         "--dataset", yaml, "--layer", "1", "--question", " ",
                                         "--out", out, NULL);
    g_autoptr(Run) view = run_oscarviz ("attention", "--model", "/nonexistent/model",
                                        "--dataset", yaml, "--layer", "1", "--view", "pie",
                                        "--out", out, NULL);
    g_autoptr(Run) region = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                          "--key", "300001", "--layer", "1", "--view",
                                          "region", "--region", "5", "--out", out, NULL);

    g_assert_cmpint (missing->status, ==, 2);
    g_assert_nonnull (strstr (missing->err, "needs --region K (1 to 5"));
    g_assert_cmpint (empty->status, ==, 2);
    g_assert_nonnull (strstr (empty->err, "--question “ ”: give a question"));
    g_assert_cmpint (view->status, ==, 2);
    g_assert_nonnull (strstr (view->err, "--view pie"));
    /* in range it is drawn */
    g_assert_cmpint (region->status, ==, 0);
    g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  }
  g_unlink (out);
}

/* /cli/checks-before-running: a head the model lacks, an output that is an
 * input or sits in a missing folder, are refused (status 2) before the
 * model runs; a long question is noted as cut; a hand-written sample
 * without width and height takes its picture's size; a vocabulary is
 * named as one; text that is not UTF-8 names its option. */
static void
test_checks_before_running (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *out = tmp_path ("ov-cli-checks.png");
  g_autofree char *sample = tmp_path ("ov-cli-checks.json");
  g_autofree char *picture = ov_test_source_path ("data", "demo", "scenes", "images",
                                                  "300001.png", NULL);
  g_autofree char *vocab = ov_test_shared_path ("data", "vocab", "bert-base-uncased-vocab.txt",
                                                NULL);
  g_autoptr(GString) json = g_string_new (NULL);

  g_unsetenv ("OSCARVIZ_DATADIR");
  {
    g_autoptr(Run) head = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                        "--layer", "1", "--head", "4", "--out", out, NULL);
    g_autoptr(Run) folder = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                          "--layer", "1", "--out", "/nonexistent/a.png", NULL);
    g_autoptr(Run) onto = run_oscarviz ("encode", "--model", "demo", "--dataset", yaml,
                                        "--out", yaml, NULL);

    g_assert_cmpint (head->status, ==, 2);
    g_assert_nonnull (strstr (head->err, "--head 4: the model has 4 heads (0 to 3)"));
    g_assert_cmpint (folder->status, ==, 2);
    g_assert_nonnull (strstr (folder->err, "cannot write in the folder /nonexistent"));
    g_assert_cmpint (onto->status, ==, 2);
    g_assert_nonnull (strstr (onto->err, "is a file this command reads"));
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
  /* a folder that takes no new file though access() lets root write to it
   * (/proc): found by making a file there before the run, not at its end */
  {
    g_autoptr(Run) att = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                       "--layer", "1", "--out", "/proc/a.png", NULL);
    g_autoptr(Run) emb = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml,
                                       "--layer", "1", "--out", "/proc/e.safetensors", NULL);

    g_assert_cmpint (att->status, ==, 2);
    g_assert_nonnull (strstr (att->err, "--out /proc/a.png: cannot write in the folder /proc"));
    g_assert_cmpint (emb->status, ==, 2);
    g_assert_nonnull (strstr (emb->err, "cannot write in the folder /proc"));
    g_assert_null (strstr (emb->err, "samples"));
  }
  /* embed's --out is the vectors: a figure's name there is a mistake */
  {
    g_autoptr(Run) emb = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml,
                                       "--layer", "1", "--out", out, NULL);

    g_assert_cmpint (emb->status, ==, 2);
    g_assert_nonnull (strstr (emb->err, "safetensors"));
    g_assert_nonnull (strstr (emb->err, "--tsne"));
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
  /* a figure name without a known format is refused before any work */
  {
    g_autofree char *csv = tmp_path ("ov-cli-checks.csv");
    g_autofree char *gif = tmp_path ("ov-cli-checks.gif");
    g_autoptr(Run) tsne = NULL;
    g_autoptr(Run) align = NULL;

    g_assert_true (g_file_set_contents (csv, "0,1\n1,0\n2,2\n3,1\n", -1, NULL));
    tsne = run_oscarviz ("tsne", "-q", csv, "--out", gif, NULL);
    align = run_oscarviz ("align", csv, "--out", gif, NULL);
    g_assert_cmpint (tsne->status, ==, 2);
    g_assert_nonnull (strstr (tsne->err, "--out"));
    g_assert_nonnull (strstr (tsne->err, "unknown figure format"));
    g_assert_null (strstr (tsne->err, "perplexity"));
    g_assert_cmpint (align->status, ==, 2);
    g_assert_nonnull (strstr (align->err, "unknown figure format"));
    g_assert_false (g_file_test (gif, G_FILE_TEST_EXISTS));
    g_unlink (csv);
  }
  {
    g_autoptr(Run) vqa = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", yaml,
                                       "--question", "is there a brown cup to the left of the "
                                       "yellow hexagon which is above the purple circle and "
                                       "below the pink bolt in the picture today ?", NULL);

    g_assert_cmpint (vqa->status, ==, 0);
    g_assert_nonnull (strstr (vqa->err, "word pieces of the question; the rest do not fit"));
  }
  /* boxes with 2048-wide features and no width or height: the picture's size */
  g_string_append_printf (json, "{\"key\": \"hand\", \"image\": \"%s\", \"boxes\": [",
                          picture);
  for (int b = 0; b < 2; b++)
    {
      g_string_append_printf (json, "%s{\"rect\": [%d, 20, %d, 90], \"class\": \"cup\", "
                              "\"feature\": [", b > 0 ? ", " : "", 10 + 100 * b, 80 + 100 * b);
      for (int k = 0; k < 2048; k++)
        g_string_append_printf (json, "%s%g", k > 0 ? "," : "", (k * 7 + b) % 11 * 0.1);
      g_string_append (json, "]}");
    }
  g_string_append (json, "]}");
  g_assert_true (g_file_set_contents (sample, json->str, -1, NULL));
  {
    g_autoptr(Run) caption = run_oscarviz ("caption", "--model", "demo", "--dataset", sample,
                                           "--beams", "1", NULL);
    g_autoptr(Run) inspect = run_oscarviz ("inspect", vocab, NULL);
    const char *bad[] = { "--question", "what \xff is it ?" };
    g_autoptr(Run) utf8 = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", yaml,
                                        bad[0], bad[1], NULL);

    g_test_message ("%s", caption->err);
    g_assert_cmpint (caption->status, ==, 0);
    g_assert_nonnull (strstr (caption->out, "hand (greedy search"));
    g_assert_cmpint (inspect->status, ==, 0);
    g_assert_nonnull (strstr (inspect->out, "BERT vocabulary, 30522 word pieces; [PAD] 0"));
    g_assert_cmpint (utf8->status, ==, 2);
    g_assert_nonnull (strstr (utf8->err, "--question: the text is not valid UTF-8"));
  }
  g_unlink (sample);
}

/* /cli/attention/every-layer: the grid and summary views show every layer
 * and need no --layer; the one-layer views show the last without one, and
 * say so. */
static void
test_attention_every_layer (void)
{
  g_autofree char *grid = tmp_path ("ov-cli-att-grid.png");
  g_autofree char *summary = tmp_path ("ov-cli-att-summary.svg");
  g_autofree char *csv = tmp_path ("ov-cli-att-summary.csv");
  g_autofree char *heat = tmp_path ("ov-cli-att-heat.png");
  g_autoptr(Run) g = NULL;
  g_autoptr(Run) s = NULL;
  g_autoptr(Run) h = NULL;
  g_autofree char *text = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  g = run_oscarviz ("attention", "--model", "demo", "--dataset", "demo", "--view", "grid",
                    "--out", grid, NULL);
  s = run_oscarviz ("attention", "--model", "demo", "--dataset", "demo", "--view", "summary",
                    "--out", summary, "--csv", csv, NULL);
  h = run_oscarviz ("attention", "--model", "demo", "--dataset", "demo", "--view", "heatmap",
                    "--out", heat, NULL);
  g_assert_cmpint (g->status, ==, 0);
  g_assert_true (g_file_test (grid, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (s->status, ==, 0);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "layer,head,from,to,mass,cross_modal_share"));
  g_assert_cmpint (h->status, ==, 0);
  g_assert_nonnull (strstr (h->err, "the heatmap view shows layer 1, the last"));
  g_assert_true (g_file_test (heat, G_FILE_TEST_IS_REGULAR));
  g_unlink (heat);
  g_unlink (grid);
  g_unlink (summary);
  g_unlink (csv);
}

/* /cli/tsne/small-perplexity: a perplexity too high for the points is
 * lowered to a third of the other points, as embed --tsne does, with a
 * note that names both values. */
static void
test_tsne_small_perplexity (void)
{
  g_autofree char *vec = tmp_path ("ov-cli-60.csv");
  g_autofree char *map = tmp_path ("ov-cli-60.png");
  g_autofree char *emb = tmp_path ("ov-cli-small.safetensors");
  g_autofree char *emb_map = tmp_path ("ov-cli-small.png");
  g_autoptr(GString) rows = g_string_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(Run) high = NULL;
  g_autoptr(Run) fits = NULL;
  g_autoptr(Run) small = NULL;

  for (int i = 0; i < 60; i++)
    g_string_append_printf (rows, "%.4f,%.4f,%.4f\n", g_rand_double (rand),
                            g_rand_double (rand), g_rand_double (rand));
  g_assert_true (g_file_set_contents (vec, rows->str, -1, NULL));
  high = run_oscarviz ("tsne", vec, "--out", map, "--perplexity", "100", "--iterations", "50",
                       "--quiet", NULL);
  g_test_message ("%s", high->err);
  g_assert_cmpint (high->status, ==, 0);
  g_assert_nonnull (strstr (high->err, "oscarviz tsne: note: perplexity 100 is too high for "
                                       "60 points; using 19.6667"));
  g_assert_true (g_file_test (map, G_FILE_TEST_IS_REGULAR));
  fits = run_oscarviz ("tsne", vec, "--out", map, "--perplexity", "10", "--iterations", "50",
                       "--quiet", NULL);
  g_assert_cmpint (fits->status, ==, 0);
  g_assert_cmpstr (fits->err, ==, "");

  g_unsetenv ("OSCARVIZ_DATADIR");
  small = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo", "--layer", "last",
                        "--limit", "2", "--out", emb, "--tsne", emb_map, "--quiet", NULL);
  g_test_message ("%s", small->err);
  g_assert_cmpint (small->status, ==, 0);
  g_assert_nonnull (strstr (small->err, "oscarviz embed: note: perplexity 30 is too high for "));

  /* the CSV of an embeddings file says which points are tags and regions */
  {
    g_autofree char *csv = tmp_path ("ov-cli-small.csv");
    g_autofree char *data = NULL;
    g_autoptr(Run) with_csv = run_oscarviz ("tsne", emb, "--out", emb_map, "--csv", csv,
                                            "--perplexity", "5", "--iterations", "50", "--quiet",
                                            NULL);
    g_autoptr(Run) onto_input = NULL;

    g_assert_cmpint (with_csv->status, ==, 0);
    g_assert_true (g_file_get_contents (csv, &data, NULL, NULL));
    /* and which image, token and region (from 1) each point is */
    g_assert_true (g_str_has_prefix (data, "x,y,label,kind,image,token,region,layer\n"));
    /* and the layer mapped, the file's only one */
    g_assert_true (g_regex_match_simple (",tag,300001,[a-z#]+,[1-9][0-9]*,2\n", data, 0, 0));
    g_assert_true (g_regex_match_simple (",region,300001,region ([1-9][0-9]*),\\1,2\n", data,
                                         0, 0));
    g_assert_null (strstr (data, "region 0"));
    /* an output that is the input is refused before anything runs */
    onto_input = run_oscarviz ("tsne", emb, "--out", emb_map, "--csv", emb, NULL);
    g_assert_cmpint (onto_input->status, ==, 2);
    g_assert_nonnull (strstr (onto_input->err, "is a file this command reads"));
    g_assert_true (g_file_test (emb, G_FILE_TEST_IS_REGULAR));
    g_unlink (csv);
  }
  g_unlink (vec);
  g_unlink (map);
  g_unlink (emb_map);
  unlink_embeddings (emb);
}

/* The largest text an SVG's text elements draw: font-size times the
 * scale of their transform. */
static double
svg_largest_font (const char *path)
{
  g_autofree char *doc = NULL;
  g_autoptr(GRegex) re = g_regex_new ("matrix\\(([-0-9.]+) ([-0-9.]+) [^)]*\\)[^>]*"
                                      "font-size=\"([0-9.]+)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  double largest = 0;

  g_assert_true (g_file_get_contents (path, &doc, NULL, NULL));
  g_regex_match (re, doc, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *a = g_match_info_fetch (match, 1);
      g_autofree char *b = g_match_info_fetch (match, 2);
      g_autofree char *size = g_match_info_fetch (match, 3);

      largest = MAX (largest, g_ascii_strtod (size, NULL)
                              * hypot (g_ascii_strtod (a, NULL), g_ascii_strtod (b, NULL)));
    }
  return largest;
}

/* /cli/text-scale: --text-scale F draws the figure of a page F times
 * smaller, enlarged, so that its text is larger, in every figure command;
 * a factor outside 0.5 to 4, or one without a figure, is refused. */
static void
test_text_scale (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *npy = ov_test_source_path ("tests", "data", "tsne-mixture-500.npy", NULL);
  g_autofree char *svg = tmp_path ("ov-cli-text-scale.svg");
  double sizes[2][2];

  g_unsetenv ("OSCARVIZ_DATADIR");
  for (int k = 0; k < 2; k++)
    {
      const char *f = k == 0 ? "1" : "1.5";
      g_autoptr(Run) heat = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                          "--width", "240", "--text-scale", f, "--out", svg,
                                          NULL);
      g_autoptr(Run) map = NULL;

      g_assert_cmpint (heat->status, ==, 0);
      sizes[0][k] = svg_largest_font (svg);
      g_unlink (svg);
      map = run_oscarviz ("tsne", npy, "--iterations", "20", "--width", "300", "--height",
                          "200", "--text-scale", f, "--out", svg, "-q", NULL);
      g_assert_cmpint (map->status, ==, 0);
      sizes[1][k] = svg_largest_font (svg);
      g_unlink (svg);
    }
  for (int v = 0; v < 2; v++)
    {
      g_test_message ("text %g at 1, %g at 1.5", sizes[v][0], sizes[v][1]);
      g_assert_cmpfloat (sizes[v][1], >, 1.1 * sizes[v][0]);
    }
  expect_bad_option ("--text-scale", "9", "attention", "--model", "demo", "--dataset", yaml,
                     "--text-scale", "9", "--out", svg, NULL);
  expect_bad_option ("--text-scale", "--out", "tsne", npy, "--text-scale", "2", "--csv", svg,
                     NULL);
  g_assert_false (g_file_test (svg, G_FILE_TEST_EXISTS));
}

/* /cli/figure-legend: --legend places a t-SNE map's legend: right (the
 * default) and below name the classes, none names none; other values,
 * and --legend without a figure, are refused. (Where each puts the
 * legend: /viz/scatter/legend-place.) */
static void
test_figure_legend (void)
{
  g_autofree char *npy = ov_test_source_path ("tests", "data", "tsne-mixture-500.npy", NULL);
  g_autofree char *labels = ov_test_source_path ("tests", "data", "tsne-mixture-500.labels",
                                                 NULL);
  g_autofree char *svg = tmp_path ("ov-cli-figure-legend.svg");
  const char *places[] = { "right", "below", "none" };

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      g_autoptr(Run) run = run_oscarviz ("tsne", npy, "--labels", labels, "--iterations", "20",
                                         "--legend", places[i], "--width", "300",
                                         "--height", "300", "--out", svg, "-q", NULL);
      g_autofree char *doc = NULL;

      g_assert_cmpint (run->status, ==, 0);
      g_assert_true (g_file_get_contents (svg, &doc, NULL, NULL));
      if (i < 2)
        g_assert_nonnull (strstr (doc, ">class6 ("));
      else
        g_assert_null (strstr (doc, ">class6"));
      g_unlink (svg);
    }
  /* below, with a width alone, the page is as tall as it is wide */
  {
    g_autoptr(Run) run = run_oscarviz ("tsne", npy, "--labels", labels, "--iterations", "20",
                                       "--legend", "below", "--width", "240", "--out", svg, "-q",
                                       NULL);
    g_autofree char *doc = NULL;

    g_assert_cmpint (run->status, ==, 0);
    g_assert_true (g_file_get_contents (svg, &doc, NULL, NULL));
    g_assert_nonnull (strstr (doc, "width=\"240pt\" height=\"240pt\""));
    g_unlink (svg);
  }
  expect_bad_option ("--legend", "left", "tsne", npy, "--legend", "left", "--out", svg, NULL);
  expect_bad_option ("--legend", "--out", "tsne", npy, "--legend", "none", "--csv", svg, NULL);
  g_assert_false (g_file_test (svg, G_FILE_TEST_EXISTS));
}

/* /cli/figure-scale: tsne and embed --tsne take --scale S as attention
 * and align do (PNG pixels per point, more than 0 and at most 16, checked
 * before anything runs, exit 2 naming the option and the value; embed
 * only with --tsne; --font, like the sizes, only with a figure), and a PNG
 * at --scale 2 has twice the pixels a side of one at --scale 1. */
static void
test_figure_scale (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *npy = ov_test_source_path ("tests", "data", "tsne-mixture-500.npy", NULL);
  g_autofree char *vec = tmp_path ("ov-cli-figure-scale.safetensors");
  g_autofree char *map = tmp_path ("ov-cli-figure-scale-map.png");
  g_autofree char *out = tmp_path ("ov-cli-figure-scale.png");
  const char *bad[] = { "0", "-1", "16.5", "nan", "x", "" };
  int w[2], h[2];

  g_unsetenv ("OSCARVIZ_DATADIR");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      expect_bad_option ("--scale", bad[i], "tsne", npy, "--out", out, "--scale", bad[i], NULL);
      expect_bad_option ("--scale", bad[i], "embed", "--model", "demo", "--dataset", yaml,
                         "--layer", "all", "--out", vec, "--tsne", map, "--scale", bad[i],
                         NULL);
    }
  /* a number that was meant in inches is pointed at its unit */
  expect_bad_option ("--width", "(3.3in, 3.3cm)", "tsne", npy, "--out", out, "--width", "3.3",
                     NULL);
  /* a PNG beyond what can be written, found before anything runs */
  expect_bad_option ("--width", "3000", "tsne", npy, "--out", out, "--width", "3000", "--scale",
                     "11", NULL);
  /* without --tsne embed draws no figure to scale, nor align without --out
   * (it prints its table then) */
  expect_bad_option ("--scale", "--tsne", "embed", "--model", "demo", "--dataset", yaml,
                     "--layer", "all", "--out", vec, "--scale", "3", NULL);
  expect_bad_option ("--width", "--out", "align", npy, "--width", "300", NULL);
  expect_bad_option ("--scale", "--out", "align", npy, "--scale", "3", NULL);
  /* nor a font for a table alone */
  expect_bad_option ("--font", "--out", "attention", "--model", "demo", "--dataset", yaml,
                     "--view", "grid", "--font", "Serif", "--csv", out, NULL);
  expect_bad_option ("--font", "--tsne", "embed", "--model", "demo", "--dataset", yaml,
                     "--layer", "all", "--out", vec, "--font", "Sans", NULL);
  /* the same bounds and message in attention and align as in tsne */
  expect_bad_option ("--scale", "17", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", out, "--scale", "17", NULL);
  expect_bad_option ("--scale", "nan", "align", npy, "--out", out, "--scale", "nan", NULL);
  /* a vector figure has no pixels to scale: drawn, with a note */
  {
    g_autofree char *pdf = tmp_path ("ov-cli-figure-scale.pdf");
    g_autoptr(Run) run = run_oscarviz ("tsne", npy, "--out", pdf, "--iterations", "20",
                                       "--scale", "3", "-q", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->err, "note: --scale"));
    g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
    g_unlink (pdf);
  }
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (vec, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (map, G_FILE_TEST_EXISTS));

  for (guint k = 0; k < 2; k++)
    {
      const char *scale = k == 0 ? "1" : "2";
      g_autoptr(Run) tsne = run_oscarviz ("tsne", npy, "--out", out, "--iterations", "20",
                                          "--width", "300", "--height", "250", "--scale", scale,
                                          "-q", NULL);

      g_assert_cmpint (tsne->status, ==, 0);
      png_size (out, &w[k], &h[k]);
    }
  g_assert_cmpint (w[0], ==, 300);
  g_assert_cmpint (h[0], ==, 250);
  g_assert_cmpint (w[1], ==, 2 * w[0]);
  g_assert_cmpint (h[1], ==, 2 * h[0]);

  for (guint k = 0; k < 2; k++)
    {
      /* 1.5 read with a decimal point, whatever the locale */
      const char *scale = k == 0 ? "1.5" : "3";
      g_autoptr(Run) embed = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml,
                                           "--layer", "last", "--limit", "4", "--out", vec,
                                           "--tsne", map, "--scale", scale, "-q", NULL);

      g_test_message ("%s", embed->err);
      g_assert_cmpint (embed->status, ==, 0);
      png_size (map, &w[k], &h[k]);
    }
  /* the map's own size, 900 x 640 points */
  g_assert_cmpint (w[0], ==, 1350);
  g_assert_cmpint (h[0], ==, 960);
  g_assert_cmpint (w[1], ==, 2 * w[0]);
  g_assert_cmpint (h[1], ==, 2 * h[0]);
  g_unlink (out);
  g_unlink (map);
  unlink_embeddings (vec);
}

/* The <text> element of svg that reads text (as the SVG writes it, with
 * XML's escapes), the element's start in *element; NULL where none does. */
static const char *
svg_find_text (const char  *svg,
               const char  *text,
               const char **element)
{
  g_autofree char *closed = g_strdup_printf (">%s</text>", text);
  const char *hit = strstr (svg, closed), *start;

  if (hit == NULL)
    return NULL;
  start = g_strrstr_len (svg, hit - svg, "<text");
  g_assert_nonnull (start);
  if (element != NULL)
    *element = start;
  return hit;
}

/* The y (baseline, in points) of the first <text> element of svg that reads
 * text: the last number of its transform matrix. */
static double
svg_text_y (const char *svg,
            const char *text)
{
  const char *element = NULL, *m;
  double y = 0;

  if (svg_find_text (svg, text, &element) == NULL)
    g_error ("no <text> reads “%s”", text);
  m = strstr (element, "matrix(");
  g_assert_nonnull (m);
  m += strlen ("matrix(");
  for (guint i = 0; i < 6; i++)
    {
      char *end = NULL;

      y = g_ascii_strtod (m, &end);
      g_assert_true (end != m);
      m = end;
    }
  return y;
}

/* How many <text> elements svg has. */
static guint
svg_text_count (const char *svg)
{
  guint n = 0;

  for (const char *p = strstr (svg, "<text "); p != NULL; p = strstr (p + 1, "<text "))
    n++;
  return n;
}

/* The font attributes (size and weight) of the <text> element that reads
 * text, as written, e.g. font-size="13.00" font-weight="bold". */
static char *
svg_text_font (const char *svg,
               const char *text)
{
  const char *element = NULL, *size, *fill;

  g_assert_nonnull (svg_find_text (svg, text, &element));
  size = strstr (element, "font-size=");
  fill = strstr (element, " fill=");
  g_assert_true (size != NULL && fill != NULL && size < fill);
  return g_strndup (size, fill - size);
}

/* /cli/figure-title: every command that draws a figure takes --title TEXT:
 * the figure shows it instead of its own title; --title "" shows none,
 * and what was under the title moves up into its room (an attention
 * figure at its own size is as much shorter); without --title the figure
 * keeps its own title. embed refuses it without --tsne, as it does
 * --width. A title too long for the page is made smaller and broken into
 * two lines, the second cut short, as the figures' own titles are. */
static void
test_figure_title (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *vec = tmp_path ("ov-cli-figure-title.safetensors");
  g_autofree char *svg = tmp_path ("ov-cli-figure-title.svg");
  const char *custom = "Figure 7: custom title";
  /* each figure: its arguments before --title and --out (NULL-ended, "V"
   * for the embeddings file), its own title (the start of it), and a text
   * under the title that moves up without it */
  static const struct {
    const char *args[16];
    const char *own;
    const char *below;
  } figures[] = {
    { { "attention", "--model", "demo", "--dataset", "demo", "--layer", "1", NULL },
      "Attention, layer 1, mean of heads", "query ↓" },
    { { "attention", "--model", "demo", "--dataset", "demo", "--view", "grid", NULL },
      "Attention of every layer and head", "H1" },
    { { "attention", "--model", "demo", "--dataset", "demo", "--view", "summary", NULL },
      "Attention flow between words, tags and regions", "H1" },
    { { "attention", "--model", "demo", "--dataset", "demo", "--layer", "1", "--view", "image",
        NULL },
      "Attention of “[MASK]” (position 16) on the regions, layer 1, mean of heads",
      "attention" },
    { { "attention", "--model", "demo", "--dataset", "demo", "--layer", "1", "--view",
        "region", "--region", "1", NULL },
      "Words and tags attending to region 1 (hexagon), layer 1, mean of heads", "attention" },
    { { "attention", "--model", "demo", "--dataset", "demo", "--layer", "1", "--view",
        "caption", NULL },
      "Caption attention on tags and regions, layer 1, mean of heads", "generated word ↓" },
    { { "attention", "--model", "demo", "--dataset", "demo", "--layer", "1", "--view",
        "difference", "--before-layer", "0", NULL },
      "Attention, layer 1, mean of heads, minus that with layer 0", "query ↓" },
    { { "tsne", "V", "--iterations", "50", "-q", NULL },
      "t-SNE of ov-cli-figure-title.safetensors, layer 2, perplexity", "tag" },
    { { "align", "V", NULL }, "Tag–region alignment across layers",
      "mean distance region → tags" },
    { { "embed", "--model", "demo", "--dataset", "demo", "--layer", "all", "--limit", "6",
        "--out", "V", "-q", NULL },
      "t-SNE of ov-cli-figure-title.safetensors, layer 2, perplexity", "tag" },
  };
  g_autoptr(Run) embed = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  /* without --tsne embed draws no figure to title */
  expect_bad_option ("--title", "--tsne", "embed", "--model", "demo", "--dataset", yaml,
                     "--layer", "all", "--out", vec, "--title", "x", NULL);
  g_assert_false (g_file_test (vec, G_FILE_TEST_EXISTS));
  embed = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml, "--layer", "all",
                        "--limit", "6", "--out", vec, "-q", NULL);
  g_assert_cmpint (embed->status, ==, 0);

  for (guint f = 0; f < G_N_ELEMENTS (figures); f++)
    {
      /* 0: its own title, 1: --title custom, 2: --title "" (g_autofree
       * would free only the first of an array) */
      char *text[3] = { NULL };
      g_autofree char *own_font = NULL;
      g_autofree char *no_title_font = NULL;
      double height[2];

      for (guint k = 0; k < 3; k++)
        {
          g_autoptr(GPtrArray) args = g_ptr_array_new ();
          g_autoptr(Run) run = NULL;
          gboolean embed_map = strcmp (figures[f].args[0], "embed") == 0;

          for (guint a = 0; figures[f].args[a] != NULL; a++)
            g_ptr_array_add (args, (gpointer) (strcmp (figures[f].args[a], "V") == 0
                                               ? vec : figures[f].args[a]));
          if (k > 0)
            {
              g_ptr_array_add (args, "--title");
              g_ptr_array_add (args, (gpointer) (k == 1 ? custom : ""));
            }
          /* embed's figure is --tsne FIGURE, the others' --out FIGURE */
          g_ptr_array_add (args, embed_map ? "--tsne" : "--out");
          g_ptr_array_add (args, svg);
          run = run_argv (args);
          g_test_message ("oscarviz %s (%u): %s", figures[f].args[0], k, run->err);
          g_assert_cmpint (run->status, ==, 0);
          g_assert_true (g_file_get_contents (svg, &text[k], NULL, NULL));
        }
      g_test_message ("figure %u: %s", f, figures[f].own);
      /* its own title without --title; the custom one instead of it with */
      g_assert_nonnull (strstr (text[0], figures[f].own));
      g_assert_null (strstr (text[0], custom));
      g_assert_nonnull (svg_find_text (text[1], custom, NULL));
      g_assert_null (strstr (text[1], figures[f].own));
      /* with "" neither, nor any text of a title's font, and one text fewer */
      g_assert_null (strstr (text[2], figures[f].own));
      g_assert_null (strstr (text[2], custom));
      own_font = svg_text_font (text[1], custom);
      no_title_font = g_strdup_printf ("%s fill=", own_font);
      g_assert_null (strstr (text[2], no_title_font));
      g_assert_cmpuint (svg_text_count (text[2]), <=, svg_text_count (text[1]) - 1);
      /* the custom title takes the row the figure's own did (about: the
       * caption figure is as wide as its title wants); without a title
       * the figure moves up into it */
      g_assert_cmpfloat_with_epsilon (svg_text_y (text[1], figures[f].below),
                                      svg_text_y (text[0], figures[f].below), 1.0);
      g_assert_cmpfloat (svg_text_y (text[2], figures[f].below), <,
                         svg_text_y (text[1], figures[f].below) - 8);
      /* an attention figure at its own size is shorter by the title's row;
       * the others keep their size, the plot taking the room */
      for (guint k = 0; k < 2; k++)
        {
          const char *h = strstr (text[k + 1], " height=\"");

          g_assert_nonnull (h);
          height[k] = g_ascii_strtod (h + strlen (" height=\""), NULL);
        }
      if (strcmp (figures[f].args[0], "attention") == 0)
        g_assert_cmpfloat_with_epsilon (height[1], height[0] - 16, 0.01);
      else
        g_assert_cmpfloat_with_epsilon (height[1], height[0], 0.01);
      for (guint k = 0; k < 3; k++)
        g_free (text[k]);
    }

  {
    /* a title longer than the page: smaller, in two lines, the second cut */
    g_autoptr(GString) title = g_string_new (NULL);
    g_autoptr(Run) run = NULL;
    g_autofree char *text = NULL;
    g_autofree char *first = NULL;
    const char *line, *element;

    for (guint i = 0; i < 60; i++)
      g_string_append_printf (title, "%sword%u", i > 0 ? " " : "", i);
    run = run_oscarviz ("attention", "--model", "demo", "--dataset", "demo", "--layer", "1",
                        "--width", "300", "--height", "300", "--title", title->str, "--out",
                        svg, NULL);
    g_assert_cmpint (run->status, ==, 0);
    g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
    g_assert_null (strstr (text, "word59"));
    g_assert_nonnull (strstr (text, "…</text>"));
    line = strstr (text, ">word0 word1 ");
    g_assert_nonnull (line);
    element = g_strrstr_len (text, line - text, "<text");
    g_assert_nonnull (element);
    first = g_strndup (element, line - element);
    g_assert_nonnull (strstr (first, "font-weight=\"bold\""));
    g_assert_null (strstr (first, "font-size=\"13.00\""));
  }
  g_unlink (svg);
  unlink_embeddings (vec);
}

/* The x,y columns of a CSV of tsne, rows joined. */
static char *
csv_coordinates (const char *path)
{
  g_autofree char *data = NULL;
  g_auto(GStrv) rows = NULL;
  g_autoptr(GString) xy = g_string_new (NULL);

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  rows = g_strsplit (data, "\n", -1);
  for (guint i = 1; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cells = g_strsplit (rows[i], ",", 3);

      if (cells[0] != NULL && cells[1] != NULL)
        g_string_append_printf (xy, "%s,%s;", cells[0], cells[1]);
    }
  return g_string_free (g_steal_pointer (&xy), FALSE);
}

/* /cli/tsne/layer: tsne --layer L maps layer L of an embeddings file of
 * embed --layer all (without it the file's first layer, as before), its
 * title and CSV name the layer mapped; a layer the file lacks, and any
 * layer of a file of plain vectors, exit 2 naming the option. */
static void
test_tsne_layer (void)
{
  g_autofree char *vec = tmp_path ("ov-cli-tsne-layer.safetensors");
  g_autofree char *npy = ov_test_source_path ("tests", "data", "tsne-mixture-500.npy", NULL);
  g_autofree char *svg = tmp_path ("ov-cli-tsne-layer.svg");
  char *csv[3] = { NULL, NULL, NULL };
  char *xy[3] = { NULL, NULL, NULL };
  const char *layer[3] = { "0", "2", NULL };
  g_autoptr(Run) embed = NULL;
  g_autoptr(Run) missing = NULL;
  g_autoptr(Run) plain = NULL;
  g_autoptr(Run) bad = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  embed = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo", "--layer", "all",
                        "--limit", "10", "--out", vec, "-q", NULL);
  g_assert_cmpint (embed->status, ==, 0);
  /* the demo model's three hidden states, the last first */
  g_assert_nonnull (strstr (embed->out, "layers stored: 0, 1, 2"));

  for (guint k = 0; k < 3; k++)
    {
      g_autofree char *name = g_strdup_printf ("ov-cli-tsne-layer-%u.csv", k);
      g_autofree char *svg_text = NULL;
      g_autofree char *title = NULL;
      g_autofree char *data = NULL;
      g_autofree char *column = NULL;
      g_autoptr(Run) tsne = NULL;
      const char *want = layer[k] != NULL ? layer[k] : "2";

      csv[k] = tmp_path (name);
      tsne = layer[k] != NULL
             ? run_oscarviz ("tsne", vec, "--layer", layer[k], "--out", svg, "--csv", csv[k],
                             "--iterations", "100", "-q", NULL)
             : run_oscarviz ("tsne", vec, "--out", svg, "--csv", csv[k], "--iterations", "100",
                             "-q", NULL);
      g_test_message ("tsne --layer %s: %s", layer[k], tsne->err);
      g_assert_cmpint (tsne->status, ==, 0);
      g_assert_true (g_file_get_contents (svg, &svg_text, NULL, NULL));
      title = g_strdup_printf ("t-SNE of ov-cli-tsne-layer.safetensors, layer %s,", want);
      g_assert_nonnull (strstr (svg_text, title));
      g_assert_true (g_file_get_contents (csv[k], &data, NULL, NULL));
      g_assert_true (g_str_has_prefix (data, "x,y,label,kind,image,token,region,layer\n"));
      column = g_strdup_printf (",%s\n", want);
      g_assert_true (g_str_has_suffix (data, column));
      xy[k] = csv_coordinates (csv[k]);
      g_assert_cmpuint (strlen (xy[k]), >, 0);
      g_unlink (csv[k]);
    }
  /* layers 0 and 2 are different maps; without --layer, the first (2) */
  g_assert_cmpstr (xy[0], !=, xy[1]);
  g_assert_cmpstr (xy[1], ==, xy[2]);

  missing = run_oscarviz ("tsne", vec, "--layer", "5", "--out", svg, "-q", NULL);
  g_assert_cmpint (missing->status, ==, 2);
  g_assert_nonnull (strstr (missing->err, "--layer 5"));
  g_assert_nonnull (strstr (missing->err, "0, 1, 2"));
  plain = run_oscarviz ("tsne", npy, "--layer", "0", "--out", svg, "-q", NULL);
  g_assert_cmpint (plain->status, ==, 2);
  g_assert_nonnull (strstr (plain->err, "--layer 0"));
  g_assert_nonnull (strstr (plain->err, "no layers"));
  expect_bad_option ("--layer", "-1", "tsne", vec, "--layer", "-1", "--out", svg, NULL);
  bad = run_oscarviz ("tsne", vec, "--layer", "last", "--out", svg, NULL);
  g_assert_cmpint (bad->status, ==, 2);
  g_assert_nonnull (strstr (bad->err, "--layer last"));
  for (guint k = 0; k < 3; k++)
    {
      g_free (csv[k]);
      g_free (xy[k]);
    }
  g_unlink (svg);
  unlink_embeddings (vec);
}

/* /cli/align/translated: align's text table is in the language of the
 * locale, as its figure is: under de_DE.UTF-8 its count of classes reads
 * in German (a message the catalogue has), and under C.UTF-8 it stays
 * English. */
static void
test_align_translated (void)
{
  g_autofree char *vec = tmp_path ("ov-cli-align-translated.safetensors");
  g_autofree char *old = g_strdup (setlocale (LC_ALL, NULL));
  g_autoptr(Run) embed = NULL;
  g_autoptr(Run) english = NULL;
  g_autoptr(Run) german = NULL;
  gboolean has_german = setlocale (LC_ALL, "de_DE.UTF-8") != NULL;

  setlocale (LC_ALL, old);
  if (!has_german)
    {
      g_test_skip ("no de_DE.UTF-8 locale");
      return;
    }
  g_unsetenv ("OSCARVIZ_DATADIR");
  embed = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo", "--layer", "all",
                        "--limit", "4", "--out", vec, "-q", NULL);
  g_assert_cmpint (embed->status, ==, 0);
  english = run_oscarviz ("align", vec, NULL);
  g_assert_cmpint (english->status, ==, 0);
  g_assert_true (g_regex_match_simple ("^ov-cli-align-translated.safetensors: [0-9]+ region and "
                                       "[0-9]+ tag vectors, [0-9]+ classes\n", english->out,
                                       0, 0));
  g_assert_nonnull (strstr (english->out, "\nper class, layer 2:\n"));

  g_setenv ("LC_ALL", "de_DE.UTF-8", TRUE);
  german = run_oscarviz ("align", vec, NULL);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_message ("%s", german->out);
  g_assert_cmpint (german->status, ==, 0);
  g_assert_true (g_regex_match_simple ("^[^\n]*, [0-9]+ Klassen\n", german->out, 0, 0));
  unlink_embeddings (vec);
}

/* /cli/demo-world/subcommand: demo-world without "generate" says that the
 * subcommand is missing (or unknown), writes nothing, and the command list
 * of oscarviz --help names it. */
static void
test_demo_world_subcommand (void)
{
  g_autofree char *dir = tmp_path ("ov-cli-world");
  g_autoptr(Run) missing = NULL;
  g_autoptr(Run) unknown = NULL;
  g_autoptr(Run) help = NULL;

  missing = run_oscarviz ("demo-world", "-n", "2", "-o", dir, NULL);
  g_test_message ("%s", missing->err);
  g_assert_cmpint (missing->status, ==, 2);
  g_assert_nonnull (strstr (missing->err, "subcommand is missing"));
  g_assert_nonnull (strstr (missing->err, "oscarviz demo-world generate"));
  unknown = run_oscarviz ("demo-world", "gen", "-n", "2", "-o", dir, NULL);
  g_assert_cmpint (unknown->status, ==, 2);
  g_assert_nonnull (strstr (unknown->err, "unknown subcommand “gen”"));
  g_assert_nonnull (strstr (unknown->err, "“generate”"));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  help = run_oscarviz ("--help", NULL);
  g_assert_nonnull (strstr (help->out, "demo-world generate"));
}

/* /cli/caption/repetition-penalty: a penalty whose division could overflow
 * is refused by caption and by the engine; no JSON output holds NaN */
static void
test_caption_repetition_penalty (void)
{
  g_autofree char *yaml = demo_scenes ();
  const char *tiny[] = { "1e-40", "1e-38", "0.001" };
  const char *edges[] = { "0.01", "100" };

  for (guint i = 0; i < G_N_ELEMENTS (tiny); i++)
    expect_bad_option ("--repetition-penalty", tiny[i], "caption", "--model", "demo",
                       "--dataset", yaml, "--repetition-penalty", tiny[i], "--json", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (edges); i++)
    {
      g_autoptr(Run) run = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml,
                                         "--beams", "1", "--repetition-penalty", edges[i],
                                         "--json", NULL);
      g_autoptr(JsonNode) doc = run_json (run);
      JsonArray *caps = json_object_get_array_member (json_node_get_object (doc), "captions");
      JsonObject *cap = json_array_get_object_element (caps, 0);

      g_assert_true (isfinite (json_object_get_double_member (cap, "score")));
    }
  /* the CSV numbers as JSON: what is not a finite number is null */
  {
    g_autoptr(OvCsv) csv = ov_csv_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    const char *names[] = { "a", "b", "c" };
    JsonObject *row;

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      ov_csv_add_text (csv, names[i]);
    ov_csv_end_row (csv);
    ov_csv_add_number (csv, INFINITY);
    ov_csv_add_number (csv, -INFINITY);
    ov_csv_add_number (csv, NAN);
    ov_csv_end_row (csv);
    root = ov_csv_to_json (csv);
    row = json_array_get_object_element (json_node_get_array (root), 0);
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      g_assert_true (json_object_get_null_member (row, names[i]));
    text = json_to_string (root, FALSE);
    g_assert_null (strstr (text, "nan"));
    g_assert_null (strstr (text, "inf"));
  }
}

/* /cli/outputs/same-file: two outputs of one command that name one file
 * (by any spelling or link) are refused before anything runs */
static void
test_outputs_same_file (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *png = tmp_path ("ov-cli-same.png");
  g_autofree char *dir = tmp_path ("ov-cli-same-dir");
  g_autofree char *link = tmp_path ("ov-cli-same-link");
  g_autofree char *png_dotted = NULL;
  g_autofree char *png_linked = NULL;
  g_autofree char *vec = tmp_path ("ov-cli-same.csv");
  g_autofree char *dir_name = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  dir_name = g_path_get_basename (dir);
  g_assert_cmpint (symlink (dir_name, link), ==, 0);
  png_dotted = g_build_filename (dir, "..", "ov-cli-same.png", NULL);
  png_linked = g_build_filename (link, "x.png", NULL);
  expect_bad_option ("--csv", "--out names the same file", "attention", "--model", "demo",
                     "--dataset", yaml, "--layer", "1", "--out", png, "--csv", png, NULL);
  expect_bad_option ("--json", png_dotted, "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--out", png, "--json", png_dotted, NULL);
  {
    g_autofree char *in_dir = g_build_filename (dir, "x.png", NULL);

    expect_bad_option ("--csv", png_linked, "attention", "--model", "demo", "--dataset", yaml,
                       "--layer", "1", "--out", in_dir, "--csv", png_linked, NULL);
    g_assert_false (g_file_test (in_dir, G_FILE_TEST_EXISTS));
  }
  /* a link to a file not written yet */
  {
    g_autofree char *target = tmp_path ("ov-cli-same-target.png");
    g_autofree char *dangling = tmp_path ("ov-cli-same-dangling.csv");

    g_assert_cmpint (symlink ("ov-cli-same-target.png", dangling), ==, 0);
    expect_bad_option ("--csv", dangling, "attention", "--model", "demo", "--dataset", yaml,
                       "--layer", "1", "--out", target, "--csv", dangling, NULL);
    g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
    g_unlink (dangling);
  }
  /* --out must be a vectors name and --tsne a figure's, so only a link
   * can make them one file */
  {
    g_autofree char *vec_link = tmp_path ("ov-cli-same-link.safetensors");

    g_assert_cmpint (symlink ("ov-cli-same.png", vec_link), ==, 0);
    expect_bad_option ("--tsne", "--out names the same file", "embed", "--model", "demo",
                       "--dataset", yaml, "--layer", "last", "--out", vec_link, "--tsne", png,
                       NULL);
    g_unlink (vec_link);
  }
  g_assert_true (g_file_set_contents (vec, "0,1\n1,0\n0,0\n1,1\n", -1, NULL));
  expect_bad_option ("--csv", "--out names the same file", "tsne", vec, "--out", png, "--csv",
                     png, NULL);
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
}

/* /cli/attention/token-position: --token names a position the model read,
 * never padding; a word no position can hold is refused before the run */
static void
test_attention_token_position (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *png = tmp_path ("ov-cli-token.png");
  g_autoptr(Run) pad = NULL;
  g_autoptr(Run) zebra = NULL;
  g_autoptr(Run) ok = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  pad = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--layer", "1",
                      "--view", "image", "--token", "25", "--out", png, NULL);
  g_test_message ("%s", pad->err);
  g_assert_cmpint (pad->status, ==, 2);
  g_assert_nonnull (strstr (pad->err, "--token 25: give a position the model read: 0 to 22, "
                                      "30 to 34 (the others are padding)"));
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  expect_bad_option ("--token", "99", "attention", "--model", "demo", "--dataset", yaml,
                     "--layer", "1", "--view", "image", "--token", "99", "--out", png, NULL);
  zebra = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--layer", "1",
                        "--view", "image", "--token", "zebra", "--out", png, NULL);
  g_assert_cmpint (zebra->status, ==, 2);
  g_assert_nonnull (strstr (zebra->err, "--token “zebra”: no position of the input"));
  /* refused before the caption was decoded */
  g_assert_null (strstr (zebra->err, "caption:"));
  ok = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--layer", "1",
                     "--view", "image", "--token", "30", "--out", png, NULL);
  g_assert_cmpint (ok->status, ==, 0);
  /* a word the input holds more than once: the others are named */
  {
    g_autoptr(Run) twice = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                         "--layer", "1", "--view", "image", "--token", "a",
                                         "--out", png, NULL);

    g_assert_cmpint (twice->status, ==, 0);
    g_assert_true (g_regex_match_simple ("note: --token “a” is at position [0-9]+ and again "
                                         "at [0-9]+", twice->err, 0, 0));
  }
}

/* /cli/caption/length-penalty-score: the score is called a mean (with a
 * confidence) only with length penalty 1; otherwise it is named for what
 * it is and the mean is given beside it, in the text and in the JSON */
static void
test_caption_length_penalty_score (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autoptr(Run) mean = NULL;
  g_autoptr(Run) sum = NULL;
  g_autoptr(Run) json = NULL;
  g_autoptr(JsonNode) doc = NULL;
  JsonObject *top, *cap;
  JsonArray *lps;

  g_unsetenv ("OSCARVIZ_DATADIR");
  mean = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml, NULL);
  g_assert_cmpint (mean->status, ==, 0);
  g_assert_nonnull (strstr (mean->out, "     mean log-probability "));
  g_assert_null (strstr (mean->out, "score"));
  sum = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml, "--length-penalty", "0",
                      NULL);
  g_assert_cmpint (sum->status, ==, 0);
  g_assert_nonnull (strstr (sum->out, "     score "));
  g_assert_nonnull (strstr (sum->out, " (summed log-probability / length^0), mean "
                                      "log-probability "));
  json = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml, "--length-penalty", "0",
                       "--json", NULL);
  doc = run_json (json);
  top = json_node_get_object (doc);
  g_assert_cmpfloat (json_object_get_double_member (top, "length_penalty"), ==, 0.0);
  cap = json_array_get_object_element (json_object_get_array_member (top, "captions"), 0);
  lps = json_object_get_array_member (cap, "ids");
  /* with P = 0 the score is the sum: the mean times the tokens after [CLS] */
  assert_close ("sum", json_object_get_double_member (cap, "score"),
                json_object_get_double_member (cap, "mean_logprob")
                * (json_array_get_length (lps) - 1), 1e-6, 1e-6);
  g_assert_null (strstr (json->err, "changes nothing"));

  /* greedy search ranks nothing: the penalty is taken, with a note */
  {
    g_autoptr(Run) greedy = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml,
                                          "--beams", "1", "--length-penalty", "2", NULL);

    g_assert_cmpint (greedy->status, ==, 0);
    g_assert_nonnull (strstr (greedy->err, "greedy search (--beams 1) ranks none"));
  }
}

/* /cli/attention/tags: attention takes --tags as the other sample commands
 * do, and the model reads those tags instead of the label file's */
static void
test_attention_tags (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *png = tmp_path ("ov-cli-tags.png");
  g_autofree char *csv = tmp_path ("ov-cli-tags.csv");
  g_autofree char *text = NULL;
  g_autoptr(Run) help = NULL;
  g_autoptr(Run) run = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  help = run_oscarviz ("attention", "--help", NULL);
  g_assert_nonnull (strstr (help->out, "--tags=TEXT"));
  run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--key", "300001",
                      "--layer", "1", "--tags", "cup bolt", "--out", png, "--csv", csv, NULL);
  g_test_message ("%s", run->err);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  /* the label file's tags are "hexagon cup triangle bolt circle" */
  g_assert_nonnull (strstr (text, ",bolt,"));
  g_assert_null (strstr (text, ",hexagon,"));
}

/* /cli/attention/view-options: the grid and summary views show every layer
 * and head, so --layer and --head are refused there as the other views'
 * options are; a missing --out or --model is named alone */
static void
test_attention_view_options (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *png = tmp_path ("ov-cli-view-options.png");
  g_autofree char *csv = tmp_path ("ov-cli-view-options.csv");
  const char *views[] = { "grid", "summary" };
  g_autoptr(Run) no_out = NULL;
  g_autoptr(Run) no_model = NULL;
  g_autoptr(Run) help = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      expect_bad_option ("--layer", views[i], "attention", "--model", "demo", "--dataset",
                         yaml, "--view", views[i], "--layer", "1", "--out", png, NULL);
      expect_bad_option ("--head", views[i], "attention", "--model", "demo", "--dataset",
                         yaml, "--view", views[i], "--head", "0", "--out", png, NULL);
    }
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  /* one colour scale for the grid's heads, and for no other view */
  {
    g_autoptr(Run) shared = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                          "--view", "grid", "--shared-scale", "--out", png,
                                          NULL);

    g_assert_cmpint (shared->status, ==, 0);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
    g_unlink (png);
    expect_bad_option ("--shared-scale", "only for the grid view", "attention", "--model",
                       "demo", "--dataset", yaml, "--layer", "1", "--shared-scale", "--out", png,
                       NULL);
  }
  /* --vmax: the key ends where it says, in every view with a colour key
   * of weights; a difference's runs from -V to V; not for summary's
   * shares, nor without a figure, nor 0 or less */
  {
    g_autofree char *svg = tmp_path ("ov-cli-view-options.svg");
    const char *with_vmax[] = { "heatmap", "difference", "image", "caption", "grid" };

    for (guint i = 0; i < G_N_ELEMENTS (with_vmax); i++)
      {
        g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                           "--view", with_vmax[i], "--vmax", "0.0375",
                                           "--out", svg,
                                           strcmp (with_vmax[i], "difference") == 0
                                           ? "--before-tags" : NULL, "cup", NULL);
        g_autofree char *doc = NULL;

        g_test_message ("--vmax, %s: %s", with_vmax[i], run->err);
        g_assert_cmpint (run->status, ==, 0);
        g_assert_true (g_file_get_contents (svg, &doc, NULL, NULL));
        g_assert_nonnull (strstr (doc, ">0.0375<"));
        if (strcmp (with_vmax[i], "difference") == 0)
          g_assert_nonnull (strstr (doc, ">-0.0375<"));
        g_unlink (svg);
      }
    /* a difference of a map from itself */
    expect_bad_option ("--before-layer", "with itself", "attention", "--model", "demo",
                       "--dataset", yaml, "--view", "difference", "--before-layer", "1",
                       "--out", png, NULL);
    /* the input's own tags: drawn (zero everywhere), and said */
    {
      g_autoptr(Run) same = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                          "--view", "difference", "--before-tags",
                                          "hexagon  cup triangle bolt circle", "--out", png,
                                          NULL);

      g_assert_cmpint (same->status, ==, 0);
      g_assert_nonnull (strstr (same->err, "are the input's own tags"));
      g_unlink (png);
    }
    expect_bad_option ("--vmax", "summary", "attention", "--model", "demo", "--dataset", yaml,
                       "--view", "summary", "--vmax", "1", "--out", png, NULL);
    expect_bad_option ("--vmax", "-1", "attention", "--model", "demo", "--dataset", yaml,
                       "--vmax", "-1", "--out", png, NULL);
    expect_bad_option ("--vmax", "--out", "attention", "--model", "demo", "--dataset", yaml,
                       "--vmax", "0.5", "--csv", csv, NULL);
    g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  }
  /* the numbers alone, without a figure */
  no_out = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--layer", "1",
                         "--csv", csv, NULL);
  g_assert_cmpint (no_out->status, ==, 0);
  g_assert_true (g_file_test (csv, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  g_unlink (csv);
  {
    g_autoptr(Run) nothing = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                           "--layer", "1", NULL);
    g_autoptr(Run) sized = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                         "--layer", "1", "--csv", csv, "--width", "300", NULL);

    g_assert_cmpint (nothing->status, ==, 2);
    g_assert_nonnull (strstr (nothing->err, "--out is required"));
    g_assert_null (strstr (nothing->err, "--model"));
    /* a figure's size without a figure is refused, as before */
    g_assert_cmpint (sized->status, ==, 2);
    g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
  }
  no_model = run_oscarviz ("attention", "--dataset", yaml, "--layer", "1", "--out", png, NULL);
  g_assert_cmpint (no_model->status, ==, 2);
  g_assert_nonnull (strstr (no_model->err, "no model: give --model"));
  g_assert_null (strstr (no_model->err, "--out"));
  /* embed's --help says that --layer has no default */
  help = run_oscarviz ("embed", "--help", NULL);
  g_assert_nonnull (strstr (help->out, "Hidden-state layer (required, no default)"));
}

/* /cli/checks-before-model: --key with --row and an out-of-range
 * --question-index are bad options (exit 2), found before a caption is
 * decoded; --max-length 0 is the model's own length, as --help says */
static void
test_checks_before_model (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *png = tmp_path ("ov-cli-before-model.png");
  g_autoptr(Run) both = NULL;
  g_autoptr(Run) zero = NULL;
  g_autoptr(Run) help = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  both = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml, "--key", "300001",
                       "--row", "1", NULL);
  g_assert_cmpint (both->status, ==, 2);
  g_assert_cmpstr (both->err, ==, "oscarviz caption: --key 300001 and --row 1: give either "
                                  "--key or --row, not both\n");
  expect_bad_option ("--row", "1", "attention", "--model", "demo", "--dataset", yaml, "--key",
                     "300001", "--row", "1", "--layer", "1", "--out", png, NULL);
  expect_bad_option ("--question-index", "5", "vqa", "--model", "demo-vqa", "--dataset", yaml,
                     "--question-index", "5", NULL);
  zero = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml, "--beams", "1",
                       "--max-length", "0", NULL);
  g_assert_cmpint (zero->status, ==, 0);
  help = run_oscarviz ("caption", "--help", NULL);
  g_assert_nonnull (strstr (help->out, "(default, or 0: the model's max_gen_length)"));
  expect_bad_option ("--max-length", "or 0 for its max_gen_length", "caption", "--model",
                     "demo", "--dataset", yaml, "--max-length", "1", NULL);
}

/* /cli/small-fixes: version --help is help, demo-world needs a scene, and
 * the grid CSV names the tokens beside their positions */
static void
test_small_fixes (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *png = tmp_path ("ov-cli-small-grid.png");
  g_autofree char *csv = tmp_path ("ov-cli-small-grid.csv");
  g_autofree char *dir = tmp_path ("ov-cli-small-world");
  g_autofree char *text = NULL;
  g_autoptr(Run) help = NULL;
  g_autoptr(Run) extra = NULL;
  g_autoptr(Run) grid = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  help = run_oscarviz ("version", "--help", NULL);
  g_assert_cmpint (help->status, ==, 0);
  g_assert_nonnull (strstr (help->out, "oscarviz version [OPTION…]"));
  extra = run_oscarviz ("version", "now", NULL);
  g_assert_cmpint (extra->status, ==, 2);
  expect_bad_option ("--count", "0", "demo-world", "generate", "--count", "0", "--out", dir,
                     NULL);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  grid = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--key", "300001",
                       "--view", "grid", "--out", png, "--csv", csv, NULL);
  g_assert_cmpint (grid->status, ==, 0);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "layer,head,query_position,key_position,value,query,"
                                         "key\n0,0,0,0,"));
  g_assert_nonnull (strstr (text, ",[CLS],[CLS]\n"));
}

/* /cli/caption/constraints: constrained beam search from the command line:
 * --constraints names the classes, --cbs takes them from the dataset
 * yaml's cbs_box file (as a NoCaps split yaml names it), the caption says
 * which it meets; the options that cannot go with it are refused before
 * the model loads. */
static void
test_caption_constraints (void)
{
  g_autofree char *model = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny", NULL);
  g_autofree char *feats = ov_test_shared_path ("oracle", "data", "features.tsv", NULL);
  g_autofree char *labels = ov_test_shared_path ("oracle", "data", "labels.tsv", NULL);
  g_autofree char *dir = ov_test_tmp_path ("cbs");
  g_autofree char *yaml = g_build_filename (dir, "test.yaml", NULL);
  g_autofree char *boxes = g_build_filename (dir, "boxes.tsv", NULL);
  g_autofree char *yaml_text = g_strdup_printf ("feature: %s\nlabel: %s\ncbs_box: boxes.tsv\n",
                                                feats, labels);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (yaml, yaml_text, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (boxes, "coco_dog_couch\t[{\"class\": \"Couch\", \"conf\": 0.8}, "
                       "{\"class\": \"Person\", \"conf\": 0.99}, "
                       "{\"class\": \"Dog\", \"conf\": 0.9}]\n", -1, &error);
  g_assert_no_error (error);

  {
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--dataset", yaml,
                                       "--row", "0", "--beams", "2", "--constraints",
                                       " Pillow ,dog,dog", "--min-constraints", "1", "--json",
                                       NULL);
    g_autoptr(JsonNode) doc = run_json (run);
    JsonObject *o = json_node_get_object (doc);
    JsonArray *given = json_object_get_array_member (o, "constraints");
    JsonObject *cap = json_array_get_object_element (json_object_get_array_member (o,
                                                                                 "captions"), 0);
    JsonArray *met = json_object_get_array_member (cap, "constraints_met");

    g_assert_cmpuint (json_array_get_length (given), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (given, 0), ==, "pillow");
    g_assert_cmpstr (json_array_get_string_element (given, 1), ==, "dog");
    g_assert_cmpint (json_object_get_int_member (o, "min_constraints"), ==, 1);
    g_assert_cmpuint (json_array_get_length (met), >=, 1);
    for (guint i = 0; i < json_array_get_length (met); i++)
      g_assert_nonnull (strstr (json_object_get_string_member (cap, "text"),
                                json_array_get_string_element (met, i)));
    /* the repeated class is said once */
    g_assert_nonnull (strstr (run->err, "names “dog” more than once; it counts once"));
    g_assert_null (strstr (strstr (run->err, "more than once") + 1, "more than once"));
  }
  {
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--dataset", yaml,
                                       "--key", "coco_dog_couch", "--beams", "2", "--cbs", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->out, "constrained beam search"));
    g_assert_nonnull (strstr (run->out, "constraints: dog, couch; the caption must meet 2"));
    g_assert_nonnull (strstr (run->out, "meets 2 of 2: dog, couch"));
  }
  {
    /* a constraint of more word pieces than the search keeps: a note says
     * which it must write ("z ##zz ##q ##q" of the five) */
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--dataset", yaml,
                                       "--key", "coco_dog_couch", "--beams", "2",
                                       "--constraints", "zzzqqq", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->err, "“zzzqqq” is 5 word pieces; constrained beam search "
                                        "keeps the first 4"));
    g_assert_nonnull (strstr (run->err, "“z ##zz ##q ##q”"));
  }
  {
    /* an image the box file lacks has no constraint */
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--dataset", yaml,
                                       "--row", "1", "--beams", "2", "--cbs", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->out, "constraints: none"));
  }
  {
    const char *bad[][4] = {
      { "--cbs", "--constraints", "dog", "not both" },
      { "--constraints", "dog", "--n-best=2", "finds one caption" },
      { "--constraints", "a,b,c,d", "--beams=2", "at most 3" },
      { "--constraints", "dog,,cat", "--beams=2", "constraint 2 is empty" },
      { "--constraints", "dog", "--min-constraints=4", "give 0 to 3" },
      { "--constraints", "", "--beams=2", "--constraints is empty" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(Run) run = run_oscarviz ("caption", "--model", "/nonexistent", "--dataset",
                                           yaml, "--row", "0", bad[i][0], bad[i][1], bad[i][2],
                                           NULL);

        g_assert_cmpint (run->status, ==, 2);
        if (strstr (run->err, bad[i][3]) == NULL)
          g_error ("%s %s %s: %s", bad[i][0], bad[i][1], bad[i][2], run->err);
      }
  }
  {
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--features", feats,
                                       "--labels", labels, "--row", "0", "--cbs", NULL);

    g_assert_cmpint (run->status, ==, 2);
    g_assert_nonnull (strstr (run->err, "--cbs takes its constraints from the cbs_box file"));
  }
  {
    /* a class the vocabulary cannot write would be "met" by [UNK] */
    g_autofree char *scenes = demo_scenes ();
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", "demo", "--dataset", scenes,
                                       "--constraints", "cup,zebra", NULL);

    g_assert_cmpint (run->status, ==, 1);
    g_assert_nonnull (strstr (run->err, "“zebra” is not in the model's vocabulary"));
  }
}

/* /cli/messages/after-trial: messages a new user met: a folder where a
 * file goes, an embeddings file given as a dataset, features without tags,
 * a row past the end, a question over two lines, a model of another kind */
static void
test_messages_after_trial (void)
{
  g_autofree char *data = ov_test_shared_path ("oracle", "data", NULL);
  g_autofree char *feats = ov_test_shared_path ("oracle", "data", "features.tsv", NULL);
  g_autofree char *labels = ov_test_shared_path ("oracle", "data", "labels.tsv", NULL);
  g_autofree char *model = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny", NULL);
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *emb = ov_test_tmp_path ("trial-embed.safetensors");
  struct { const char *argv[12]; const char *says; } cases[] = {
    { { "tsne", data, "--out", "/tmp/never.png" }, "is a folder; give a file of vectors" },
    { { "caption", "--model", "demo", "--image", data, "--detections", labels },
      "is a folder, not a picture" },
    { { "vqa", "--model", "demo-vqa", "--dataset", yaml, "--answers", data },
      "is a folder; give the answer list file in it" },
    { { "caption", "--model", "demo", "--dataset", emb },
      "is an embeddings file written by oscarviz embed" },
    { { "caption", "--model", "demo", "--dataset", yaml, "--row", "99" },
      "--row 99: " },
    { { "vqa", "--model", "demo", "--dataset", yaml },
      "cannot do question answering; it writes captions" },
    { { "caption", "--model", "demo" }, "no sample given: add --dataset FILE" },
  };

  {
    g_autoptr(Run) run = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml, "--layer",
                                       "last", "--out", emb, NULL);

    g_assert_cmpint (run->status, ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(Run) run = NULL;

      for (guint a = 0; cases[i].argv[a] != NULL; a++)
        g_ptr_array_add (args, (gpointer) cases[i].argv[a]);
      run = run_argv (args);
      g_assert_true (run->exited);
      g_assert_cmpint (run->status, !=, 0);
      if (strstr (run->err, cases[i].says) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].argv[0], run->err, cases[i].says);
    }
  {
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--features", feats, "--row",
                                       "0", "--beams", "1", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->err, "gives the model no tags"));
  }
  {
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", model, "--features", feats,
                                       "--labels", labels, "--row", "0", "--beams", "1", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_null (strstr (run->err, "no tags"));
  }
  {
    g_autoptr(Run) run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", yaml,
                                       "--question", "what\ncolour?", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->out, ": what\\ncolour?\n"));
  }
}

/* /cli/regions: --regions keeps the regions the window's rows keep (their
 * feature rows, in the input the model reads), and a sample without
 * features runs on its tags alone, as the window runs it */
static void
test_regions (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *all = ov_test_tmp_path ("regions-all.safetensors");
  g_autofree char *some = ov_test_tmp_path ("regions-some.safetensors");
  g_autofree char *json = ov_test_tmp_path ("no-features.json");
  g_autoptr(OvStateDict) a = NULL, b = NULL;
  g_autoptr(GError) error = NULL;
  const OvTensor *fa, *fb;
  gint64 n_all, d;

  {
    g_autoptr(Run) r1 = run_oscarviz ("encode", "--model", "demo", "--dataset", yaml, "--row",
                                      "5", "--out", all, NULL);
    g_autoptr(Run) r2 = run_oscarviz ("encode", "--model", "demo", "--dataset", yaml, "--row",
                                      "5", "--regions", "3,1-2", "--out", some, NULL);

    g_assert_cmpint (r1->status, ==, 0);
    g_assert_cmpint (r2->status, ==, 0);
  }
  a = ov_state_dict_load (all, &error);
  g_assert_no_error (error);
  b = ov_state_dict_load (some, &error);
  g_assert_no_error (error);
  fa = ov_state_dict_lookup (a, "img_feats");
  fb = ov_state_dict_lookup (b, "img_feats");
  g_assert_nonnull (fa);
  g_assert_nonnull (fb);
  n_all = fa->shape[fa->n_dims - 2];
  d = fa->shape[fa->n_dims - 1];
  g_assert_cmpint (n_all, >=, 4);
  g_assert_cmpint (fb->shape[fb->n_dims - 2], ==, n_all);
  /* rows 3, 1, 2 of the whole input, in that order, then padding */
  for (gint64 k = 0; k < d; k++)
    g_assert_cmpfloat (((const float *) fb->data)[3 * d + k], ==, 0.0f);
  for (int i = 0; i < 3; i++)
    {
      int from = i == 0 ? 2 : i - 1;

      g_assert_cmpmem ((const float *) fb->data + i * d, d * sizeof (float),
                       (const float *) fa->data + from * d, d * sizeof (float));
    }
  {
    const char *bad[][2] = { { "0", "give region numbers from 1" },
                             { "", "give region numbers from 1" },
                             { "2-1", "the range 2-1 runs backwards; write 1-2" },
                             { "1,1", "region 1 is named twice" },
                             { "99", "there is no region 99" } };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(Run) run = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml,
                                           "--row", "5", "--regions", bad[i][0], NULL);

        g_assert_cmpint (run->status, !=, 0);
        if (strstr (run->err, bad[i][1]) == NULL || strstr (run->err, "--regions") == NULL)
          g_error ("--regions %s: %s", bad[i][0], run->err);
      }
  }
  {
    /* the window's "no regions" */
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml, "--row",
                                       "5", "--regions", "none", "--tags", "cup", "--json", NULL);
    g_autoptr(JsonNode) doc = run_json (run);

    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "tags"), ==,
                     "cup");
  }
  g_file_set_contents (json, "{\"key\": \"coffee\", \"width\": 640, \"height\": 480, "
                       "\"boxes\": [{\"rect\": [10, 20, 200, 300], \"class\": \"cup\"}]}", -1,
                       &error);
  g_assert_no_error (error);
  {
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", "demo", "--dataset", json, "--json",
                                       NULL);
    g_autoptr(JsonNode) doc = run_json (run);

    g_assert_nonnull (strstr (run->err, "sees only its tags"));
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "tags"), ==,
                     "cup");
  }
  /* attention reads it the same way; the views of the regions say why
   * they have nothing to show */
  {
    g_autofree char *csv = ov_test_tmp_path ("no-features.csv");
    g_autofree char *png = ov_test_tmp_path ("no-features.png");
    g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", json,
                                       "--layer", "0", "--out", png, "--csv", csv, NULL);
    g_autoptr(Run) image = run_oscarviz ("attention", "--model", "demo", "--dataset", json,
                                         "--layer", "0", "--view", "image", "--out", png, NULL);
    g_autofree char *text = NULL;

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->err, "sees only its tags"));
    g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "cup"));
    g_assert_null (strstr (text, "r1"));
    g_assert_cmpint (image->status, ==, 2);
    g_assert_nonnull (strstr (image->err, "has boxes but no region features"));
    g_unlink (csv);
    g_unlink (png);
  }
}

/* /cli/regions/numbers: regions kept by --regions keep the window's
 * numbers in what attention writes (labels, CSV, JSON) and --region takes
 * those numbers; the views that show regions refuse when none are left */
static void
test_regions_numbers (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *png = ov_test_tmp_path ("regions-numbers.png");
  g_autofree char *csv = ov_test_tmp_path ("regions-numbers.csv");
  g_autofree char *json = ov_test_tmp_path ("regions-numbers.json");
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                       "--regions", "2,4", "--view", "image", "--layer", "1",
                                       "--out", png, "--csv", csv, "--json", json, NULL);
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) doc = NULL;
    JsonArray *rows;

    g_assert_cmpint (run->status, ==, 0);
    g_file_get_contents (csv, &text, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, "\n2,cup,"));
    g_assert_nonnull (strstr (text, "\n4,bolt,"));
    g_assert_null (strstr (text, "\n1,"));
    doc = ov_test_load_json (json);
    rows = json_node_get_array (doc);
    g_assert_cmpuint (json_array_get_length (rows), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        JsonObject *row = json_array_get_object_element (rows, i);

        g_assert_cmpint (json_object_get_int_member (row, "region"), ==, i == 0 ? 2 : 4);
        g_assert_cmpstr (json_object_get_string_member (row, "class"), ==,
                         i == 0 ? "cup" : "bolt");
      }
  }
  {
    /* the token labels of the heatmap, and a region's label as --token */
    g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                       "--regions", "2,4", "--layer", "1", "--out", png,
                                       "--csv", csv, NULL);
    g_autoptr(Run) token = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                         "--regions", "2,4", "--view", "image", "--token",
                                         "r4 bolt", "--layer", "1", "--out", png, NULL);
    g_autofree char *text = NULL;

    g_assert_cmpint (run->status, ==, 0);
    g_file_get_contents (csv, &text, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, "r2 cup"));
    g_assert_nonnull (strstr (text, "r4 bolt"));
    g_assert_null (strstr (text, "r1 "));
    g_assert_cmpint (token->status, ==, 0);
  }
  {
    /* --region names a region by its number; one left out is refused,
     * naming those kept, before the model runs */
    g_autoptr(Run) ok = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                      "--regions", "2,4", "--view", "region", "--region", "4",
                                      "--layer", "1", "--out", png, NULL);
    g_autoptr(Run) out = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                       "--regions", "2,4", "--view", "region", "--region", "3",
                                       "--layer", "1", "--out", png, NULL);
    g_autoptr(Run) none = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                        "--regions", "2,4", "--view", "region", "--layer", "1",
                                        "--out", png, NULL);

    g_assert_cmpint (ok->status, ==, 0);
    g_assert_cmpint (out->status, ==, 2);
    g_assert_nonnull (strstr (out->err, "--region 3: give one of 2, 4"));
    g_assert_null (strstr (out->err, "caption:"));
    g_assert_cmpint (none->status, ==, 2);
    g_assert_nonnull (strstr (none->err, "one of 2, 4"));
  }
  for (guint v = 0; v < 2; v++)
    {
      const char *view = v == 0 ? "image" : "region";
      g_autoptr(Run) run = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                         "--regions", "none", "--view", view, "--layer", "1",
                                         "--out", png, NULL);

      g_assert_cmpint (run->status, ==, 2);
      g_assert_nonnull (strstr (run->err, "--regions none leaves no regions"));
      g_assert_null (strstr (run->err, "caption:"));
    }
}

/* /cli/messages/after-trial-2: a model of another kind names the bundled
 * model that can do the task; an empty --tags is not blamed on the files;
 * a model trained without tags is not said to leave tags out; a question
 * of symbols the vocabulary lacks runs as one of unknown words */
static void
test_messages_after_trial_2 (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *emb = ov_test_tmp_path ("trial-notags.safetensors");

  {
    g_autoptr(Run) run = run_oscarviz ("mask", "--model", "demo", "--dataset", yaml, "--text",
                                       "a [MASK] cup", NULL);
    g_autoptr(Run) match = run_oscarviz ("match", "--model", "demo-vqa", "--dataset", yaml,
                                         "--text", "a cup", NULL);
    g_autoptr(Run) vqa = run_oscarviz ("vqa", "--model", "demo-pretrain", "--dataset", yaml,
                                       NULL);

    g_assert_cmpint (run->status, !=, 0);
    g_assert_nonnull (strstr (run->err, "cannot do masked-word prediction"));
    g_assert_nonnull (strstr (run->err, "demo-pretrain"));
    g_assert_null (strstr (run->err, "demo-vqa"));
    g_assert_cmpint (match->status, !=, 0);
    g_assert_nonnull (strstr (match->err, "demo-pretrain"));
    g_assert_cmpint (vqa->status, !=, 0);
    g_assert_nonnull (strstr (vqa->err, "demo-vqa"));
  }
  {
    g_autoptr(Run) run = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml,
                                       "--tags", "", "--beams", "1", NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->err, "the tags that --tags gives are empty"));
    g_assert_null (strstr (run->err, "name no classes"));
  }
  {
    g_autoptr(Run) run = run_oscarviz ("embed", "--model", "demo-notags", "--dataset", yaml,
                                       "--layer", "last", "--out", emb, NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_null (strstr (run->err, "left out part of the tags"));
    g_assert_null (strstr (run->err, "left out regions"));
  }
  {
    const char *questions[] = { "\xf0\x9f\x90\xb6\xf0\x9f\x8d\xb5?",
                                "\xd9\x85\xd8\xa7 \xd9\x87\xd8\xb0\xd8\xa7?" };

    for (guint i = 0; i < G_N_ELEMENTS (questions); i++)
      {
        g_autoptr(Run) run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", yaml,
                                           "--question", questions[i], NULL);

        g_assert_cmpint (run->status, ==, 0);
        if (strstr (run->out, "reads only [UNK]") == NULL)
          g_error ("--question %s: %s", questions[i], run->out);
      }
  }
  {
    /* punctuation alone is read, and said to be no words */
    g_autoptr(Run) run = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", yaml,
                                       "--question", "? !", NULL);
    g_autoptr(Run) match = run_oscarviz ("match", "--model", "demo-pretrain", "--dataset", yaml,
                                         "--text", "\xf0\x9f\x90\xb6\xf0\x9f\x8d\xb5?",
                                         NULL);

    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->out, "no words, only punctuation"));
    g_assert_cmpint (match->status, ==, 0);
    g_assert_nonnull (strstr (match->out, "reads only [UNK]"));
  }
}

/* A one-row LXMERT TSV of 2 boxes of classes 0 and 2 (host-endian values,
 * as the tests run on little-endian machines). */
static char *
write_lxmert_tsv (const char *name)
{
  char *path = tmp_path (name);
  float boxes[8] = { 1, 2, 30, 40, 5, 6, 50, 60 }, conf[2] = { 0.75f, 0.5f };
  gint64 ids[2] = { 0, 2 }, attrs[2] = { 1, 0 };
  g_autofree float *f = g_new0 (float, 2 * 2048);
  g_autofree char *bb = NULL, *fb = NULL, *ib = NULL, *ab = NULL, *cb = NULL, *row = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2 * 2048; i++)
    f[i] = (float) (i % 7) / 7.0f;
  bb = g_base64_encode ((const guchar *) boxes, sizeof boxes);
  fb = g_base64_encode ((const guchar *) f, 2 * 2048 * sizeof (float));
  ib = g_base64_encode ((const guchar *) ids, sizeof ids);
  ab = g_base64_encode ((const guchar *) attrs, sizeof attrs);
  cb = g_base64_encode ((const guchar *) conf, sizeof conf);
  row = g_strdup_printf ("img7\t80\t100\t%s\t%s\t%s\t%s\t2\t%s\t%s\n", ib, cb, ab, cb, bb, fb);
  g_file_set_contents (path, row, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
write_text (const char *path,
            const char *text,
            gssize      len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, len, &error);
  g_assert_no_error (error);
}

/* /cli/class-names/everywhere: --class-names names an LXMERT file's ids
 * however it is given, in every command that reads one; without names the
 * model commands refuse to feed it placeholders; a names file of the wrong
 * kind or size is refused. */
static void
test_class_names_everywhere (void)
{
  g_autofree char *lx = write_lxmert_tsv ("cls-lxmert.tsv");
  g_autofree char *names = tmp_path ("cls-objects_vocab.txt");
  g_autofree char *short_names = tmp_path ("cls-short.txt");
  g_autofree char *binary = tmp_path ("cls-binary.txt");
  g_autofree char *json = tmp_path ("cls-labelmap.json");
  g_autofree char *png = tmp_path ("cls-attention.png");
  g_autofree char *emb = tmp_path ("cls-embed.safetensors");
  const char *const how[] = { "--dataset", "--features", "--labels" };

  write_text (names, "yolk\nstop sign,stopsign\ndog", -1);
  write_text (short_names, "yolk\ncat\n", -1);
  write_text (binary, "yolk\n\0\1\2\3", 9);
  write_text (json, "{\"idx_to_label\": {\"1\": \"cup\", \"2\": \"pan\", \"3\": \"egg\"}}", -1);
  for (guint h = 0; h < G_N_ELEMENTS (how); h++)
    {
      g_autoptr(Run) named = run_oscarviz ("caption", "--model", "demo", how[h], lx,
                                           "--class-names", names, "--beams", "1", "--json",
                                           NULL);
      g_autoptr(JsonNode) node = run_json (named);
      g_autoptr(Run) mapped = run_oscarviz ("caption", "--model", "demo", how[h], lx,
                                            "--class-names", json, "--beams", "1", "--json",
                                            NULL);
      g_autoptr(JsonNode) mapped_node = run_json (mapped);
      g_autoptr(Run) unnamed = run_oscarviz ("caption", "--model", "demo", how[h], lx,
                                             "--beams", "1", NULL);
      g_autoptr(Run) tagged = run_oscarviz ("caption", "--model", "demo", how[h], lx,
                                            "--tags", "yolk dog", "--beams", "1", NULL);
      g_autoptr(Run) past = run_oscarviz ("caption", "--model", "demo", how[h], lx,
                                          "--class-names", short_names, "--beams", "1", NULL);
      g_autoptr(Run) bin = run_oscarviz ("caption", "--model", "demo", how[h], lx,
                                         "--class-names", binary, "--beams", "1", NULL);

      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "tags"), ==,
                       "yolk dog");
      /* the label map's 0 is the background: id 0 is its label 1 */
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (mapped_node),
                                                      "tags"), ==, "cup egg");
      g_assert_cmpint (unnamed->status, ==, 1);
      g_assert_nonnull (strstr (unnamed->err, "--class-names"));
      g_assert_cmpint (tagged->status, ==, 0);
      g_assert_cmpint (past->status, ==, 1);
      g_assert_nonnull (strstr (past->err, short_names));
      g_assert_nonnull (strstr (past->err, "class id 2"));
      g_assert_nonnull (strstr (past->err, "names 2 classes"));
      g_assert_cmpint (bin->status, ==, 1);
      g_assert_nonnull (strstr (bin->err, "not a list of class names"));
    }
  {
    g_autoptr(Run) vqa = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", lx,
                                       "--class-names", names, "--question", "what is it?",
                                       NULL);
    g_autoptr(Run) vqa_unnamed = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", lx,
                                               "--question", "what is it?", NULL);
    g_autoptr(Run) mask = run_oscarviz ("mask", "--model", "demo-pretrain", "--dataset", lx,
                                        "--class-names", names, "--text", "a [MASK]", NULL);
    g_autoptr(Run) mask_unnamed = run_oscarviz ("mask", "--model", "demo-pretrain",
                                                "--dataset", lx, "--text", "a [MASK]", NULL);
    g_autoptr(Run) match = run_oscarviz ("match", "--model", "demo-pretrain", "--dataset", lx,
                                         "--class-names", names, "--text", "a dog", NULL);
    g_autoptr(Run) match_unnamed = run_oscarviz ("match", "--model", "demo-pretrain",
                                                 "--dataset", lx, "--text", "a dog", NULL);
    g_autoptr(Run) att = run_oscarviz ("attention", "--model", "demo", "--dataset", lx,
                                       "--class-names", names, "--layer", "0", "--out", png,
                                       NULL);
    g_autoptr(Run) att_unnamed = run_oscarviz ("attention", "--model", "demo", "--dataset",
                                               lx, "--layer", "0", "--out", png, NULL);
    g_autoptr(Run) embed = run_oscarviz ("embed", "--model", "demo", "--dataset", lx,
                                         "--class-names", names, "--layer", "1", "--out", emb,
                                         "-q", NULL);
    g_autoptr(Run) embed_unnamed = run_oscarviz ("embed", "--model", "demo", "--dataset", lx,
                                                 "--layer", "1", "--out", emb, "-q", NULL);
    g_autoptr(Run) inspect = run_oscarviz ("inspect", lx, "--class-names", names, NULL);
    g_autoptr(Run) inspect_unnamed = run_oscarviz ("inspect", lx, NULL);
    Run *ok[] = { vqa, mask, match, att, embed, inspect };
    Run *refused[] = { vqa_unnamed, mask_unnamed, match_unnamed, att_unnamed, embed_unnamed };

    for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
      {
        g_test_message ("%u: %s", i, ok[i]->err);
        g_assert_cmpint (ok[i]->status, ==, 0);
        g_assert_null (strstr (ok[i]->err, "class2"));
      }
    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_test_message ("%u: %s", i, refused[i]->err);
        g_assert_cmpint (refused[i]->status, ==, 1);
        g_assert_nonnull (strstr (refused[i]->err, "--class-names"));
      }
    g_assert_nonnull (strstr (inspect->out, "tags: yolk dog"));
    /* inspect shows the ids, and says they have no names */
    g_assert_cmpint (inspect_unnamed->status, ==, 0);
    g_assert_nonnull (strstr (inspect_unnamed->out, "class0 class2"));
    g_assert_nonnull (strstr (inspect_unnamed->out, "--class-names"));
  }
}

/* /cli/inspect/row-and-cut: a --row the file lacks is a bad option value;
 * a file cut in its last row says so. */
static void
test_inspect_row_and_cut (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *lx = write_lxmert_tsv ("cut-lxmert.tsv");
  g_autofree char *cut = tmp_path ("cut-two.tsv");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  {
    g_autoptr(Run) row = run_oscarviz ("inspect", yaml, "--row", "999", NULL);
    g_autoptr(Run) key = run_oscarviz ("inspect", yaml, "--key", "nosuch", NULL);

    g_assert_cmpint (row->status, ==, 2);
    g_assert_nonnull (strstr (row->err, "--row 999"));
    g_assert_cmpint (key->status, ==, 2);
    g_assert_nonnull (strstr (key->err, "--key"));
  }
  g_file_get_contents (lx, &text, &len, &error);
  g_assert_no_error (error);
  {
    /* two rows, the second cut in its features */
    g_autofree char *two = g_strdup_printf ("%s%.*s", text, (int) (len - 100), text);
    g_autoptr(Run) run = NULL;
    g_autoptr(Run) json = NULL;
    g_autoptr(Run) whole = run_oscarviz ("inspect", lx, NULL);

    two[len + 3] = '8';   /* img8: another image */
    write_text (cut, two, -1);
    run = run_oscarviz ("inspect", cut, NULL);
    json = run_oscarviz ("inspect", cut, "--json", NULL);
    g_test_message ("%s", run->out);
    g_assert_cmpint (run->status, ==, 0);
    g_assert_nonnull (strstr (run->out, "2 samples"));
    g_assert_nonnull (strstr (run->out, "cut short"));
    g_assert_nonnull (strstr (run->out, "row 1"));
    g_assert_nonnull (strstr (json->out, "\"warnings\":[\"the last row cannot be read"));
    g_assert_null (strstr (whole->out, "last row"));
  }
}

/* /cli/dataset-hw: a --dataset of one detection file takes --hw; a split
 * yaml that names its sizes refuses it; without sizes the message says
 * which options give them. */
static void
test_dataset_hw (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *pred = tmp_path ("hw-predictions.tsv");
  g_autofree char *hw = tmp_path ("hw-sizes.tsv");
  g_autofree float *f = g_new0 (float, 2048);
  g_autofree char *fb = g_base64_encode ((const guchar *) f, 2048 * sizeof (float));
  g_autofree char *row = g_strdup_printf ("k1\t{\"objects\": [{\"rect\": [0, 0, 10, 20], "
                                          "\"class\": \"cup\", \"feature\": \"%s\"}]}\n", fb);

  write_text (pred, row, -1);
  write_text (hw, "k1\t[{\"height\": 80, \"width\": 100}]\n", -1);
  {
    g_autoptr(Run) no_hw = run_oscarviz ("caption", "--model", "demo", "--dataset", pred,
                                         "--beams", "1", NULL);
    g_autoptr(Run) with_hw = run_oscarviz ("caption", "--model", "demo", "--dataset", pred,
                                           "--hw", hw, "--beams", "1", NULL);
    g_autoptr(Run) features = run_oscarviz ("caption", "--model", "demo", "--features", pred,
                                            "--hw", hw, "--beams", "1", NULL);
    g_autoptr(Run) yaml_hw = run_oscarviz ("caption", "--model", "demo", "--dataset", yaml,
                                           "--hw", hw, NULL);

    g_assert_cmpint (no_hw->status, ==, 1);
    g_assert_nonnull (strstr (no_hw->err, "--hw FILE"));
    g_assert_cmpint (with_hw->status, ==, 0);
    g_assert_cmpint (features->status, ==, 0);
    g_assert_cmpint (yaml_hw->status, ==, 2);
    g_assert_nonnull (strstr (yaml_hw->err, "names its own image sizes"));
  }
}

/* Files for the tests below ---------------------------------------------- */

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_file_get_contents (from, &data, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, data, (gssize) len, &error);
  g_assert_no_error (error);
}

/* The plain files directly in folder from, copied into to (made). */
static void
copy_folder (const char *from,
             const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *a = g_build_filename (from, name, NULL);
      g_autofree char *b = g_build_filename (to, name, NULL);

      if (g_file_test (a, G_FILE_TEST_IS_REGULAR))
        copy_file (a, b);
    }
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}


/* The command (arguments from first, NULL-terminated) must refuse the
 * output OUTPUT of OPTION, which is (a name of) the file INPUT it reads:
 * exit status 2, a message that names the option, the output and the
 * input, INPUT byte for byte as it was, and no other output written
 * (written: NULL, or a file that must not exist afterwards). */
static void
expect_input_kept (const char *option,
                   const char *output,
                   const char *input,
                   const char *written,
                   const char *first,
                   ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *said = g_strdup_printf ("%s %s is a file this command reads (", option,
                                           output);
  g_autoptr(Run) run = NULL;
  gsize len_before = 0, len_after = 0;
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  before = read_file (input, &len_before);
  run = run_argv (args);
  g_test_message ("%s %s %s: %s", first, option, output, run->err);
  g_assert_true (run->exited);
  g_assert_cmpint (run->status, ==, 2);
  g_assert_nonnull (strstr (run->err, said));
  g_assert_nonnull (strstr (run->err, "writing it would destroy it"));
  after = read_file (input, &len_after);
  g_assert_cmpmem (before, len_before, after, len_after);
  if (written != NULL)
    g_assert_false (g_file_test (written, G_FILE_TEST_EXISTS));
}

/* /cli/outputs/not-inputs: no output may be a file the command reads,
 * however it is reached (its name, a hard link): the picture a sample's
 * image view draws, the files a split yaml names and their .lineidx, a
 * picture embed reads a sample's size from, the .json beside the
 * embeddings tsne maps, the files of the checkpoint folder. Each is
 * refused before anything is written, and kept as it was. */
static void
test_outputs_not_inputs (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-inputs-XXXXXX", NULL);
  g_autofree char *scenes = ov_test_source_path ("data", "demo", "scenes", NULL);
  g_autofree char *demo_model = ov_test_source_path ("data", "demo", "models", "demo", NULL);
  g_autofree char *images = g_build_filename (dir, "images", NULL);
  g_autofree char *photo = g_build_filename (images, "photo.png", NULL);
  g_autofree char *hard = g_build_filename (dir, "hard.png", NULL);
  g_autofree char *sample = g_build_filename (dir, "mine.json", NULL);
  g_autofree char *split = g_build_filename (dir, "split", NULL);
  g_autofree char *yaml = g_build_filename (split, "test.yaml", NULL);
  g_autofree char *hw = g_build_filename (split, "test.hw.tsv", NULL);
  g_autofree char *lineidx = g_build_filename (split, "test.label.lineidx", NULL);
  g_autofree char *qla = g_build_filename (split, "test_qla.json", NULL);
  g_autofree char *model = g_build_filename (dir, "model", NULL);
  g_autofree char *vocab = g_build_filename (model, "vocab.txt", NULL);
  g_autofree char *weights = g_build_filename (model, "pytorch_model.bin", NULL);
  g_autofree char *fig = g_build_filename (dir, "a.png", NULL);
  g_autofree char *emb = g_build_filename (dir, "e.safetensors", NULL);
  g_autofree char *emb_meta = g_build_filename (dir, "e.safetensors.json", NULL);
  g_autofree char *emb_labels = g_build_filename (dir, "e.safetensors.labels.txt", NULL);
  g_autofree char *source_png = ov_test_source_path ("data", "demo", "scenes", "images",
                                                     "300001.png", NULL);
  g_autoptr(GString) json = g_string_new (NULL);

  g_unsetenv ("OSCARVIZ_DATADIR");
  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir (images, 0700), ==, 0);
  copy_file (source_png, photo);
  copy_folder (scenes, split);
  copy_folder (demo_model, model);
  /* one sample whose picture is beside it, without width or height (so
   * that its size is the picture's) */
  g_string_append (json, "{\"key\": \"hand\", \"image\": \"images/photo.png\", \"boxes\": [");
  for (int b = 0; b < 2; b++)
    {
      g_string_append_printf (json, "%s{\"rect\": [%d, 20, %d, 90], \"class\": \"cup\", "
                              "\"feature\": [", b > 0 ? ", " : "", 10 + 100 * b, 80 + 100 * b);
      for (int k = 0; k < 2048; k++)
        g_string_append_printf (json, "%s%g", k > 0 ? "," : "", (k * 7 + b) % 11 * 0.1);
      g_string_append (json, "]}");
    }
  g_string_append (json, "]}");
  g_assert_true (g_file_set_contents (sample, json->str, -1, NULL));

  /* the picture the image view draws, by its name and by a hard link */
  expect_input_kept ("--csv", photo, photo, fig, "attention", "--model", "demo", "--dataset",
                     sample, "--key", "hand", "--view", "image", "--layer", "1", "--out", fig,
                     "--csv", photo, NULL);
  g_assert_cmpint (link (photo, hard), ==, 0);
  expect_input_kept ("--json", hard, photo, fig, "attention", "--model", "demo", "--dataset",
                     sample, "--key", "hand", "--view", "image", "--layer", "1", "--out", fig,
                     "--json", hard, NULL);
  /* the files of a split: those its yaml names and their row indices */
  expect_input_kept ("--csv", hw, hw, fig, "attention", "--model", "demo", "--dataset", yaml,
                     "--view", "heatmap", "--layer", "0", "--out", fig, "--csv", hw, NULL);
  expect_input_kept ("--csv", lineidx, lineidx, fig, "attention", "--model", "demo",
                     "--dataset", yaml, "--view", "heatmap", "--layer", "0", "--out", fig,
                     "--csv", lineidx, NULL);
  expect_input_kept ("--json", qla, qla, fig, "attention", "--model", "demo", "--dataset", yaml,
                     "--view", "heatmap", "--layer", "0", "--out", fig, "--json", qla, NULL);
  {
    g_autofree char *captions = g_build_filename (split, "test_caption.json", NULL);

    expect_input_kept ("--out", captions, captions, NULL, "embed", "--model", "demo",
                       "--dataset", yaml, "--layer", "last", "--out", captions, "--quiet",
                       NULL);
  }
  /* the checkpoint folder's files */
  expect_input_kept ("--csv", vocab, vocab, fig, "attention", "--model", model, "--dataset",
                     yaml, "--view", "heatmap", "--layer", "0", "--out", fig, "--csv", vocab,
                     NULL);
  expect_input_kept ("--out", weights, weights, NULL, "encode", "--model", model, "--dataset",
                     yaml, "--out", weights, NULL);
  /* a picture embed reads a sample's size from, under another name (a
   * figure's name is refused as --out before anything is read) */
  {
    g_autofree char *photo_link = g_strconcat (photo, ".safetensors", NULL);

    g_assert_cmpint (link (photo, photo_link), ==, 0);
    expect_input_kept ("--out", photo_link, photo, NULL, "embed", "--model", "demo",
                       "--dataset", sample, "--layer", "all", "--out", photo_link, "--quiet",
                       NULL);
    g_unlink (photo_link);
  }
  /* the metadata beside the embeddings that tsne maps */
  {
    g_autoptr(Run) made = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo",
                                        "--layer", "last", "--limit", "2", "--out", emb,
                                        "--quiet", NULL);

    g_assert_cmpint (made->status, ==, 0);
    expect_input_kept ("--csv", emb_meta, emb_meta, fig, "tsne", emb, "--out", fig, "--csv",
                       emb_meta, "--perplexity", "5", "--iterations", "50", "--quiet", NULL);
    expect_input_kept ("--csv", emb_labels, emb_labels, fig, "tsne", emb, "--out", fig,
                       "--csv", emb_labels, "--perplexity", "5", "--iterations", "50",
                       "--quiet", NULL);
  }
  remove_tree (dir);
}

static void
limit_file_size (gpointer data)
{
  struct rlimit most;

  /* a write past the limit fails with EFBIG rather than killing */
  signal (SIGXFSZ, SIG_IGN);
  most.rlim_cur = most.rlim_max = (rlim_t) GPOINTER_TO_SIZE (data);
  setrlimit (RLIMIT_FSIZE, &most);
}

static gsize
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (gsize) st.st_size;
}

/* Every file under dir (its images/ folder too) with its contents, in
 * name order, as one text. */
static char *
folder_contents (const char *dir)
{
  g_autoptr(GString) all = g_string_new (NULL);
  const char *subs[] = { "", "images" };

  for (guint s = 0; s < G_N_ELEMENTS (subs); s++)
    {
      g_autofree char *sub = g_build_filename (dir, subs[s], NULL);
      g_autofree char *names = ov_test_list_folder (sub);
      g_auto(GStrv) list = g_strsplit (names, " ", -1);

      for (guint i = 0; list[i] != NULL && *list[i] != '\0'; i++)
        {
          g_autofree char *path = g_build_filename (sub, list[i], NULL);
          g_autofree char *text = NULL;
          gsize len = 0;

          g_string_append_printf (all, "%s/%s:", subs[s], list[i]);
          if (g_file_test (path, G_FILE_TEST_IS_REGULAR)
              && g_file_get_contents (path, &text, &len, NULL))
            g_string_append_len (all, text, (gssize) len);
          g_string_append_c (all, '\n');
        }
    }
  return g_string_free (g_steal_pointer (&all), FALSE);
}

/* /cli/demo-world/failed-write: a split that cannot be written whole (a
 * file-size limit the first scenes fit under) leaves the split written
 * before, its TSVs, their .lineidx, its JSON files and its pictures, as
 * it was, and no temporary file; a count past the largest is refused
 * before anything is written. */
static void
test_demo_world_failed_write (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-world-XXXXXX", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_autofree char *too_many = g_strdup_printf ("%u", OV_DEMO_WORLD_MAX_COUNT + 1);
  const char *argv[] = { "demo-world", "generate", "--out", dir, "--count", "50", "--seed",
                         "7" };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(Run) first = NULL;
  g_autoptr(Run) failed = NULL;
  g_autoptr(Run) huge = NULL;

  first = run_oscarviz ("demo-world", "generate", "--out", dir, "--count", "3", NULL);
  g_assert_cmpint (first->status, ==, 0);
  before = folder_contents (dir);
  for (guint i = 0; i < G_N_ELEMENTS (argv); i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  failed = run_argv_setup (args, NULL, limit_file_size, GSIZE_TO_POINTER (100 * 1024));
  g_test_message ("%s", failed->err);
  g_assert_true (failed->exited);
  g_assert_cmpint (failed->status, ==, 1);
  after = folder_contents (dir);
  g_assert_true (strcmp (before, after) == 0);

  /* stopped by SIGINT between two scenes: the same, and the status a
   * signal gives */
  {
    g_autofree char *timeout = g_find_program_in_path ("timeout");

    if (timeout != NULL)
      {
        g_autoptr(GPtrArray) stopped = g_ptr_array_new ();
        g_autofree char *prog = ov_test_oscarviz_path ();
        const char *argv_stop[] = { timeout, "--preserve-status", "-s", "INT", "1", prog,
                                    "demo-world", "generate", "--out", dir, "--count", "1000000",
                                    NULL };
        g_autofree char *out = NULL, *err = NULL;
        int wait_status = 0;

        g_assert_true (g_spawn_sync (NULL, (char **) argv_stop, NULL, G_SPAWN_DEFAULT, NULL,
                                     NULL, &out, &err, &wait_status, NULL));
        g_test_message ("%s", err);
        g_assert_true (WIFEXITED (wait_status));
        g_assert_cmpint (WEXITSTATUS (wait_status), ==, 130);
        g_assert_nonnull (strstr (err, "stopped after"));
        g_clear_pointer (&after, g_free);
        after = folder_contents (dir);
        g_assert_true (strcmp (before, after) == 0);
      }
  }

  huge = run_oscarviz ("demo-world", "generate", "--out", dir, "--count", too_many, NULL);
  g_assert_cmpint (huge->status, ==, 2);
  g_assert_nonnull (strstr (huge->err, "--count"));
  g_clear_pointer (&after, g_free);
  after = folder_contents (dir);
  g_assert_true (strcmp (before, after) == 0);

  /* a split without pictures takes away the pictures an earlier one left
   * under its keys, which would be taken for its scenes' */
  {
    g_autoptr(Run) plain = run_oscarviz ("demo-world", "generate", "--out", dir, "--count", "2",
                                         "--seed", "7", "--no-images", NULL);
    g_autofree char *one = g_build_filename (dir, "images", "1.png", NULL);
    g_autofree char *three = g_build_filename (dir, "images", "3.png", NULL);

    g_assert_cmpint (plain->status, ==, 0);
    g_assert_false (g_file_test (one, G_FILE_TEST_EXISTS));
    /* (a key of no scene of this split is no one's) */
    g_assert_true (g_file_test (three, G_FILE_TEST_EXISTS));
  }
  remove_tree (dir);
}

/* /cli/embed/failed-write: embed writes the embeddings file, its .json
 * and its .labels.txt as one set: when writing the new tensors fails (the
 * disk full: here a file-size limit that the .json and .labels.txt fit
 * under), the set of the earlier run is left whole and readable, and no
 * temporary file is left behind. */
static void
test_embed_failed_write (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-keep-XXXXXX", NULL);
  g_autofree char *probe_dir = g_dir_make_tmp ("ov-cli-probe-XXXXXX", NULL);
  g_autofree char *keep = g_build_filename (dir, "keep.safetensors", NULL);
  g_autofree char *probe = g_build_filename (probe_dir, "probe.safetensors", NULL);
  const char *suffixes[] = { "", ".json", ".labels.txt" };
  char *before[G_N_ELEMENTS (suffixes)];
  gsize len[G_N_ELEMENTS (suffixes)];
  g_autofree char *listed = NULL;
  g_autofree char *listed_after = NULL;
  gsize sidecars = 0, tensors;

  g_unsetenv ("OSCARVIZ_DATADIR");
  {
    g_autoptr(Run) first = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo",
                                         "--layer", "all", "--limit", "4", "--out", keep, "-q",
                                         NULL);
    /* what the failing run would write, to set the limit between */
    g_autoptr(Run) sizes = run_oscarviz ("embed", "--model", "demo", "--dataset", "demo",
                                         "--layer", "all", "--limit", "2", "--out", probe, "-q",
                                         NULL);

    g_assert_cmpint (first->status, ==, 0);
    g_assert_cmpint (sizes->status, ==, 0);
  }
  for (guint i = 1; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (probe, suffixes[i], NULL);

      sidecars = MAX (sidecars, file_size (p));
    }
  tensors = file_size (probe);
  g_assert_cmpuint (sidecars + 1024, <, tensors);
  unlink_embeddings (probe);
  g_rmdir (probe_dir);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (keep, suffixes[i], NULL);

      before[i] = read_file (p, &len[i]);
    }
  listed = ov_test_list_folder (dir);
  {
    const char *argv[] = { "embed", "--model", "demo", "--dataset", "demo", "--layer", "all",
                           "--limit", "2", "--out", keep, "-q" };
    g_autoptr(GPtrArray) args = g_ptr_array_new ();
    g_autoptr(Run) failed = NULL;
    g_autoptr(Run) inspect = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (argv); i++)
      g_ptr_array_add (args, (gpointer) argv[i]);
    failed = run_argv_setup (args, NULL, limit_file_size,
                             GSIZE_TO_POINTER (sidecars + 512));
    g_test_message ("%s", failed->err);
    g_assert_true (failed->exited);
    g_assert_cmpint (failed->status, ==, 1);
    g_assert_nonnull (strstr (failed->err, keep));
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *p = g_strconcat (keep, suffixes[i], NULL);
        g_autofree char *after = NULL;
        gsize len_after = 0;

        after = read_file (p, &len_after);
        g_assert_cmpmem (before[i], len[i], after, len_after);
        g_free (before[i]);
      }
    listed_after = ov_test_list_folder (dir);
    g_assert_cmpstr (listed_after, ==, listed);
    inspect = run_oscarviz ("inspect", keep, NULL);
    g_assert_cmpint (inspect->status, ==, 0);
  }
  unlink_embeddings (keep);
  g_rmdir (dir);
}

/* /cli/attention/stdout: "-" for --csv or --json writes the numbers to the
 * standard output, the same bytes as the file, with no "wrote" line among
 * them and no file named "-"; two outputs on the standard output are
 * refused before anything runs. tsne --csv - does the same. */
static void
test_attention_stdout (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-att-stdout-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "a.csv", NULL);
  g_autofree char *json = g_build_filename (dir, "a.json", NULL);
  g_autofree char *dash = g_build_filename (dir, "-", NULL);
  g_autofree char *vec = g_build_filename (dir, "e.safetensors", NULL);
  g_autofree char *png = g_build_filename (dir, "t.png", NULL);
  g_autofree char *csv_text = NULL, *json_text = NULL;
  g_autoptr(Run) embed = NULL;
  g_autoptr(Run) tsne_file = NULL;
  g_autoptr(Run) tsne_out = NULL;
  g_autoptr(Run) to_files = NULL;
  g_autoptr(Run) csv_out = NULL;
  g_autoptr(Run) json_out = NULL;
  g_autoptr(Run) both = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  to_files = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--layer", "1",
                           "--csv", csv, "--json", json, NULL);
  g_assert_cmpint (to_files->status, ==, 0);
  g_assert_true (g_file_get_contents (csv, &csv_text, NULL, NULL));
  g_assert_true (g_file_get_contents (json, &json_text, NULL, NULL));
  g_assert_true (g_str_has_suffix (json_text, "]\n"));
  csv_out = run_oscarviz_in (dir, "attention", "--model", "demo", "--dataset", yaml,
                             "--layer", "1", "--csv", "-", NULL);
  g_assert_cmpint (csv_out->status, ==, 0);
  g_assert_true (strcmp (csv_out->out, csv_text) == 0);
  json_out = run_oscarviz_in (dir, "attention", "--model", "demo", "--dataset", yaml,
                              "--layer", "1", "--json", "-", "--csv", csv, NULL);
  g_assert_cmpint (json_out->status, ==, 0);
  /* (and the line naming the CSV file goes to the standard error) */
  g_assert_true (strcmp (json_out->out, json_text) == 0);
  g_assert_nonnull (strstr (json_out->err, "wrote "));
  /* only numbers go there: an embeddings file (three files) does not */
  {
    g_autoptr(Run) emb = run_oscarviz_in (dir, "embed", "--model", "demo", "--dataset", yaml,
                                          "--layer", "last", "--out", "-", NULL);
    g_autoptr(Run) dev = run_oscarviz_in (dir, "embed", "--model", "demo", "--dataset", yaml,
                                          "--layer", "last", "--out", "/dev/null", NULL);

    g_assert_cmpint (emb->status, ==, 2);
    g_assert_nonnull (strstr (emb->err, "the embeddings are a file with its .json"));
    g_assert_cmpint (dev->status, ==, 2);
    g_assert_nonnull (strstr (dev->err, "the embeddings are a file with its .json"));
    g_assert_cmpstr (emb->out, ==, "");
  }
  {
    g_autoptr(Run) fig = run_oscarviz_in (dir, "attention", "--model", "demo", "--dataset",
                                          yaml, "--layer", "1", "--out", "-", NULL);

    g_assert_cmpint (fig->status, ==, 2);
    g_assert_nonnull (strstr (fig->err, "--out -: only --csv and --json write to the standard "
                                        "output"));
  }
  both = run_oscarviz_in (dir, "attention", "--model", "demo", "--dataset", yaml,
                          "--layer", "1", "--json", "-", "--csv", "-", NULL);
  g_assert_cmpint (both->status, ==, 2);
  g_assert_cmpstr (both->out, ==, "");
  g_assert_nonnull (strstr (both->err, "--csv and --json both write to the standard output"));
  g_assert_false (g_file_test (dash, G_FILE_TEST_EXISTS));

  embed = run_oscarviz ("embed", "--model", "demo", "--dataset", yaml, "--layer", "last",
                        "--limit", "6", "--out", vec, "-q", NULL);
  g_assert_cmpint (embed->status, ==, 0);
  tsne_file = run_oscarviz ("tsne", vec, "--out", png, "--csv", csv, "--iterations", "50", NULL);
  g_assert_cmpint (tsne_file->status, ==, 0);
  g_clear_pointer (&csv_text, g_free);
  g_assert_true (g_file_get_contents (csv, &csv_text, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv_text, "x,y,"));
  tsne_out = run_oscarviz_in (dir, "tsne", vec, "--out", png, "--csv", "-", "--iterations",
                              "50", NULL);
  g_assert_cmpint (tsne_out->status, ==, 0);
  g_assert_true (strcmp (tsne_out->out, csv_text) == 0);
  g_assert_nonnull (strstr (tsne_out->err, "wrote "));
  /* the coordinates alone, without a figure: the same map */
  {
    g_autoptr(Run) alone = run_oscarviz_in (dir, "tsne", vec, "--csv", "-", "--iterations",
                                            "50", NULL);

    g_assert_cmpint (alone->status, ==, 0);
    g_assert_true (strcmp (alone->out, csv_text) == 0);
  }
  g_assert_false (g_file_test (dash, G_FILE_TEST_EXISTS));
  unlink_embeddings (vec);
  g_unlink (png);
  g_unlink (csv);
  g_unlink (json);
  g_rmdir (dir);
}

/* /cli/figure-font: --font draws a figure's text in an installed family
 * (the SVG's text elements name it, a serif one with serif after it), the
 * default is DejaVu Sans's, and a family that is not installed is refused
 * before anything runs, not replaced without a word. */
static void
test_figure_font (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-font-XXXXXX", NULL);
  g_autofree char *svg = g_build_filename (dir, "f.svg", NULL);
  g_autofree char *text = NULL;
  g_autoptr(Run) plain = NULL;
  g_autoptr(Run) serif = NULL;
  g_autoptr(Run) missing = NULL;

  g_unsetenv ("OSCARVIZ_DATADIR");
  plain = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--row", "0",
                        "--layer", "0", "--out", svg, NULL);
  g_assert_cmpint (plain->status, ==, 0);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "font-family=\"DejaVu Sans, Bitstream Vera Sans, "
                                  "sans-serif\""));
  g_clear_pointer (&text, g_free);
  serif = run_oscarviz ("tsne", "--help", NULL);
  g_assert_nonnull (strstr (serif->out, "--font=FAMILY"));
  g_clear_pointer (&serif, run_free);
  serif = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--row", "0",
                        "--layer", "0", "--font", "Serif", "--out", svg, NULL);
  g_assert_cmpint (serif->status, ==, 0);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  /* (a generic name as CSS's keyword) */
  g_assert_nonnull (strstr (text, "font-family=\"serif\""));
  g_assert_null (strstr (text, "DejaVu Sans, Bitstream"));
  missing = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--row", "0",
                          "--layer", "0", "--font", "No Such Family 123", "--out", svg,
                          NULL);
  g_assert_cmpint (missing->status, ==, 2);
  g_assert_nonnull (strstr (missing->err, "--font “No Such Family 123”: no font family of that "
                                          "name is installed"));
  g_unlink (svg);
  g_rmdir (dir);
}

/* /cli/special-files: a device given as an input is refused by name
 * before it is read (/dev/zero never ends); an output that is a device is
 * written into, not replaced by a file (/dev/full stays a device and the
 * run fails with its error), and an output that is a symbolic link gets
 * its file written and stays a link. */
static void
test_special_files (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-special-XXXXXX", NULL);
  g_autofree char *real = g_build_filename (dir, "real.csv", NULL);
  g_autofree char *link = g_build_filename (dir, "link.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(Run) features = NULL;
  g_autoptr(Run) answers = NULL;
  g_autoptr(Run) full = NULL;
  g_autoptr(Run) linked = NULL;
  GStatBuf st;

  g_unsetenv ("OSCARVIZ_DATADIR");
  features = run_oscarviz ("caption", "--model", "demo", "--features", "/dev/null", "--labels",
                           "/dev/urandom", NULL);
  g_assert_cmpint (features->status, ==, 1);
  g_assert_nonnull (strstr (features->err, "is a character device, not a file"));

  answers = run_oscarviz ("vqa", "--model", "demo-vqa", "--dataset", yaml, "--row", "0",
                          "--answers", "/dev/zero", NULL);
  g_assert_cmpint (answers->status, ==, 1);
  g_assert_nonnull (strstr (answers->err, "/dev/zero is a character device, not a file"));

  if (g_stat ("/dev/full", &st) == 0 && S_ISCHR (st.st_mode) && access ("/dev/full", W_OK) == 0)
    {
      full = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--row", "0",
                           "--layer", "0", "--csv", "/dev/full", NULL);
      g_assert_cmpint (full->status, ==, 1);
      g_assert_nonnull (strstr (full->err, "cannot write /dev/full"));
      g_assert_cmpint (g_stat ("/dev/full", &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
    }

  /* a name of the standard output is written through it (at the end of a
   * file opened to append, here the test's pipe), and the lines that name
   * the files go to stderr; a device takes more than one output */
  {
    g_autoptr(Run) through = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                           "--row", "0", "--layer", "0", "--csv",
                                           "/dev/stdout", "--json", "/dev/null", NULL);

    g_assert_cmpint (through->status, ==, 0);
    g_assert_true (g_str_has_prefix (through->out, "query_position,query,"));
    g_assert_null (strstr (through->out, "wrote"));
    g_assert_nonnull (strstr (through->err, "wrote /dev/null"));
  }

  /* a descriptor that is not open is refused before the run */
  {
    g_autoptr(Run) closed = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml,
                                          "--row", "0", "--layer", "0", "--csv", "/dev/fd/9",
                                          NULL);

    g_assert_cmpint (closed->status, ==, 2);
    g_assert_nonnull (strstr (closed->err, "--csv /dev/fd/9: descriptor 9 is not open"));
  }

  /* every file of a bundled model's folder is kept, those the run does
   * not read too */
  {
    g_autofree char *args = ov_test_source_path ("data", "demo", "models", "demo",
                                                 "training_args.json", NULL);
    g_autofree char *kept = NULL, *after = NULL;
    g_autoptr(Run) over = NULL;

    g_assert_true (g_file_get_contents (args, &kept, NULL, NULL));
    over = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--row", "0",
                         "--layer", "0", "--csv", args, NULL);
    g_assert_cmpint (over->status, ==, 2);
    g_assert_nonnull (strstr (over->err, "is a file this command reads"));
    g_assert_true (g_file_get_contents (args, &after, NULL, NULL));
    g_assert_cmpstr (after, ==, kept);
  }

  g_assert_true (g_file_set_contents (real, "old\n", -1, NULL));
  g_assert_cmpint (symlink ("real.csv", link), ==, 0);
  linked = run_oscarviz ("attention", "--model", "demo", "--dataset", yaml, "--row", "0",
                         "--layer", "0", "--csv", link, NULL);
  g_assert_cmpint (linked->status, ==, 0);
  g_assert_cmpint (g_lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_assert_true (g_file_get_contents (real, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "query_position,"));
  g_unlink (link);
  g_unlink (real);
  g_rmdir (dir);
}

/* /cli/attention/failed-write: attention's --out, --csv and --json are
 * one set: when the last of them cannot be written (a file-size limit the
 * figure and the CSV fit under), the three of an earlier run stay as they
 * were and no temporary file is left. */
static void
test_attention_failed_write (void)
{
  g_autofree char *yaml = demo_scenes ();
  g_autofree char *dir = g_dir_make_tmp ("ov-cli-att-keep-XXXXXX", NULL);
  g_autofree char *probe_dir = g_dir_make_tmp ("ov-cli-att-probe-XXXXXX", NULL);
  const char *names[] = { "a.png", "a.csv", "a.json" };
  const char *options[] = { "--out", "--csv", "--json" };
  char *paths[G_N_ELEMENTS (names)], *probes[G_N_ELEMENTS (names)];
  char *before[G_N_ELEMENTS (names)];
  gsize len[G_N_ELEMENTS (names)];
  g_autofree char *listed = NULL;
  g_autofree char *listed_after = NULL;
  g_autoptr(GPtrArray) first = g_ptr_array_new ();
  g_autoptr(GPtrArray) probe = g_ptr_array_new ();
  g_autoptr(GPtrArray) second = g_ptr_array_new ();
  g_autoptr(Run) made = NULL;
  g_autoptr(Run) sizes = NULL;
  g_autoptr(Run) failed = NULL;
  gsize small;

  g_unsetenv ("OSCARVIZ_DATADIR");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      paths[i] = g_build_filename (dir, names[i], NULL);
      probes[i] = g_build_filename (probe_dir, names[i], NULL);
    }
  {
    const char *args[] = { "attention", "--model", "demo", "--dataset", yaml, "--layer" };

    for (guint i = 0; i < G_N_ELEMENTS (args); i++)
      {
        g_ptr_array_add (first, (gpointer) args[i]);
        g_ptr_array_add (probe, (gpointer) args[i]);
        g_ptr_array_add (second, (gpointer) args[i]);
      }
    g_ptr_array_add (first, "1");
    g_ptr_array_add (probe, "0");
    g_ptr_array_add (second, "0");
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_ptr_array_add (first, (gpointer) options[i]);
        g_ptr_array_add (first, paths[i]);
        g_ptr_array_add (probe, (gpointer) options[i]);
        g_ptr_array_add (probe, probes[i]);
        g_ptr_array_add (second, (gpointer) options[i]);
        g_ptr_array_add (second, paths[i]);
      }
  }
  made = run_argv (first);
  sizes = run_argv (probe);
  g_assert_cmpint (made->status, ==, 0);
  g_assert_cmpint (sizes->status, ==, 0);
  /* the figure and the CSV fit under the limit, the JSON does not */
  small = MAX (file_size (probes[0]), file_size (probes[1]));
  g_assert_cmpuint (small + 1024, <, file_size (probes[2]));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      before[i] = read_file (paths[i], &len[i]);
      g_unlink (probes[i]);
      g_free (probes[i]);
    }
  g_rmdir (probe_dir);
  listed = ov_test_list_folder (dir);
  failed = run_argv_setup (second, NULL, limit_file_size, GSIZE_TO_POINTER (small + 512));
  g_test_message ("%s", failed->err);
  g_assert_true (failed->exited);
  g_assert_cmpint (failed->status, ==, 1);
  g_assert_nonnull (strstr (failed->err, paths[2]));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize len_after = 0;
      g_autofree char *after = read_file (paths[i], &len_after);

      g_assert_cmpmem (before[i], len[i], after, len_after);
      g_free (before[i]);
    }
  listed_after = ov_test_list_folder (dir);
  g_assert_cmpstr (listed_after, ==, listed);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_unlink (paths[i]);
      g_free (paths[i]);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/caption/greedy", test_caption_greedy);
  g_test_add_func ("/cli/caption/beam3", test_caption_beam3);
  g_test_add_func ("/cli/caption/n-best", test_caption_nbest);
  g_test_add_func ("/cli/caption/vinvl", test_caption_vinvl);
  g_test_add_func ("/cli/caption/cuda", test_caption_cuda);
  g_test_add_func ("/cli/vqa/oracle", test_vqa);
  g_test_add_func ("/cli/vqa/label-order", test_vqa_label_order);
  g_test_add_func ("/cli/vqa/shipped-list", test_vqa_shipped_list);
  g_test_add_func ("/cli/vqa/inputs", test_vqa_inputs);
  g_test_add_func ("/cli/vqa/reference", test_vqa_reference);
  g_test_add_func ("/cli/caption/input-kept", test_caption_input_kept);
  g_test_add_func ("/cli/unknown-tags", test_unknown_tags);
  g_test_add_func ("/cli/attention/difference-tags", test_attention_difference_tags);
  g_test_add_func ("/cli/attention/round-ticks", test_attention_round_ticks);
  g_test_add_func ("/cli/vqa/features-given", test_vqa_features_given);
  g_test_add_func ("/cli/encode/inputs", test_encode_inputs);
  g_test_add_func ("/cli/encode/caption-step", test_encode_caption_step);
  g_test_add_func ("/cli/pretrain", test_pretrain);
  g_test_add_func ("/cli/pretrain/inputs", test_pretrain_inputs);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/demo-names", test_demo_names);
  g_test_add_func ("/cli/demo/shipped", test_demo_shipped);
  g_test_add_func ("/cli/bad-options", test_bad_options);
  g_test_add_func ("/cli/exit-status", test_exit_status);
  g_test_add_func ("/cli/figure-size", test_figure_size);
  g_test_add_func ("/cli/figure-scale", test_figure_scale);
  g_test_add_func ("/cli/figure-legend", test_figure_legend);
  g_test_add_func ("/cli/text-scale", test_text_scale);
  g_test_add_func ("/cli/figure-title", test_figure_title);
  g_test_add_func ("/cli/unknown-command", test_unknown_command);
  g_test_add_func ("/cli/unknown-option", test_unknown_option);
  g_test_add_func ("/cli/usage-lines", test_usage_lines);
  g_test_add_func ("/cli/demo-names/everywhere", test_demo_names_everywhere);
  g_test_add_func ("/cli/attention/image", test_attention_image);
  g_test_add_func ("/cli/attention/turned-picture", test_attention_turned_picture);
  g_test_add_func ("/cli/vqa/unknown-words", test_vqa_unknown_words);
  g_test_add_func ("/cli/embed/tag-layout", test_embed_tag_layout);
  g_test_add_func ("/cli/encode/round-trip", test_encode_round_trip);
  g_test_add_func ("/cli/wording", test_wording);
  g_test_add_func ("/cli/blas-core", test_blas_core);
  g_test_add_func ("/cli/embed/tag-layout-vocabulary", test_embed_tag_layout_vocabulary);
  g_test_add_func ("/cli/embed/tsne-settings", test_embed_tsne_settings);
  g_test_add_func ("/cli/embed/unknown-tags", test_embed_unknown_tags);
  g_test_add_func ("/cli/threads", test_threads);
  g_test_add_func ("/cli/attention/caption", test_attention_caption);
  g_test_add_func ("/cli/attention/checks-first", test_attention_checks_first);
  g_test_add_func ("/cli/attention/every-layer", test_attention_every_layer);
  g_test_add_func ("/cli/checks-before-running", test_checks_before_running);
  g_test_add_func ("/cli/tsne/small-perplexity", test_tsne_small_perplexity);
  g_test_add_func ("/cli/tsne/layer", test_tsne_layer);
  g_test_add_func ("/cli/align/translated", test_align_translated);
  g_test_add_func ("/cli/demo-world/subcommand", test_demo_world_subcommand);
  g_test_add_func ("/cli/caption/repetition-penalty", test_caption_repetition_penalty);
  g_test_add_func ("/cli/outputs/same-file", test_outputs_same_file);
  g_test_add_func ("/cli/attention/token-position", test_attention_token_position);
  g_test_add_func ("/cli/caption/length-penalty-score", test_caption_length_penalty_score);
  g_test_add_func ("/cli/attention/tags", test_attention_tags);
  g_test_add_func ("/cli/attention/view-options", test_attention_view_options);
  g_test_add_func ("/cli/checks-before-model", test_checks_before_model);
  g_test_add_func ("/cli/small-fixes", test_small_fixes);
  g_test_add_func ("/cli/caption/constraints", test_caption_constraints);
  g_test_add_func ("/cli/messages/after-trial", test_messages_after_trial);
  g_test_add_func ("/cli/regions", test_regions);
  g_test_add_func ("/cli/regions/numbers", test_regions_numbers);
  g_test_add_func ("/cli/messages/after-trial-2", test_messages_after_trial_2);
  g_test_add_func ("/cli/class-names/everywhere", test_class_names_everywhere);
  g_test_add_func ("/cli/inspect/row-and-cut", test_inspect_row_and_cut);
  g_test_add_func ("/cli/dataset-hw", test_dataset_hw);
  g_test_add_func ("/cli/outputs/not-inputs", test_outputs_not_inputs);
  g_test_add_func ("/cli/embed/failed-write", test_embed_failed_write);
  g_test_add_func ("/cli/attention/failed-write", test_attention_failed_write);
  g_test_add_func ("/cli/attention/stdout", test_attention_stdout);
  g_test_add_func ("/cli/special-files", test_special_files);
  g_test_add_func ("/cli/figure-font", test_figure_font);
  g_test_add_func ("/cli/demo-world/failed-write", test_demo_world_failed_write);
  return g_test_run ();
}
