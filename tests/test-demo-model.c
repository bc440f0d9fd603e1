/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The bundled demo models run by the C engine against what the PyTorch
 * training code computed for the shipped scenes (data/demo/scenes/
 * expected_captions.json and reference/): the same greedy captions, and the
 * same caption-step and VQA logits within 1e-4.
 */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "data/ov-demo.h"
#include "data/ov-sample.h"
#include "model/ov-model.h"
#include "ov-test-util.h"

static char *
scenes_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *yaml = ov_demo_find_dataset ("demo", &error);

  g_assert_no_error (error);
  return g_path_get_dirname (yaml);
}

static OvTestScene *
load_scene (guint row)
{
  g_autofree char *dir = scenes_dir ();

  return ov_test_scene_load (dir, row);
}

static OvModel *
load_model (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ov_demo_find (name, &error);
  OvModel *model;

  g_assert_no_error (error);
  model = ov_model_load (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (ov_model_get_warnings (model));
  return model;
}

static JsonArray *
expected_captions (JsonNode **root)
{
  g_autofree char *dir = scenes_dir ();
  g_autofree char *path = g_build_filename (dir, "expected_captions.json", NULL);

  *root = ov_test_load_json (path);
  return json_object_get_array_member (json_node_get_object (*root), "captions");
}

static void
check_captions (const char *model_name, const char *suffix, gboolean use_cache)
{
  g_autoptr(OvModel) model = load_model (model_name);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *expected = expected_captions (&root);
  g_autofree char *text_member = g_strconcat ("caption", suffix, NULL);
  g_autofree char *ids_member = g_strconcat ("token_ids", suffix, NULL);
  OvCaptionOptions opts;

  ov_caption_options_init (&opts);
  opts.num_beams = 1;
  opts.n_best = 1;
  opts.use_cache = use_cache;

  /* three shipped scenes */
  for (guint row = 0; row < 3; row++)
    {
      g_autoptr(OvTestScene) scene = load_scene (row);
      JsonObject *e = json_array_get_object_element (expected, row);
      JsonArray *ids = json_object_get_array_member (e, ids_member);
      OvRegions regions = { scene->features, scene->n_regions, OV_REGION_DIM };
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) caps = NULL;
      OvCaption *cap;

      g_assert_cmpstr (json_object_get_string_member (e, "image_id"), ==, scene->key);
      g_assert_cmpstr (json_object_get_string_member (e, "tags"), ==, scene->tags);
      caps = ov_model_caption (model, scene->tags, &regions, &opts, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (caps->len, >=, 1);
      cap = g_ptr_array_index (caps, 0);
      g_assert_cmpstr (cap->text, ==, json_object_get_string_member (e, text_member));
      g_assert_cmpuint (cap->ids->len, ==, json_array_get_length (ids));
      for (guint i = 0; i < cap->ids->len; i++)
        g_assert_cmpint (g_array_index (cap->ids, gint32, i), ==,
                         json_array_get_int_element (ids, i));
    }
}

static void
test_captions_uncached (void)
{
  check_captions ("demo", "", FALSE);
}

static void
test_captions_cached (void)
{
  check_captions ("demo", "", TRUE);
}

static void
test_captions_notags (void)
{
  check_captions ("demo-notags", "_notags", FALSE);
}

static JsonObject *
reference_index (JsonNode **root, char **dir)
{
  g_autofree char *scenes = scenes_dir ();
  g_autofree char *path = NULL;

  *dir = g_build_filename (scenes, "reference", NULL);
  path = g_build_filename (*dir, "index.json", NULL);
  *root = ov_test_load_json (path);
  return json_node_get_object (*root);
}

/* Row t of the reference: the logits at the appended [MASK] after the
 * first t words of the greedy caption. */
static void
test_step_logits (void)
{
  g_autoptr(OvModel) model = load_model ("demo");
  g_autoptr(OvTestScene) scene = load_scene (0);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dir = NULL;
  JsonObject *index = reference_index (&root, &dir);
  g_autofree char *npy_path = g_build_filename (dir, "caption_step_logits.npy", NULL);
  g_autoptr(OvTestNpy) npy = ov_test_npy_load (npy_path);
  g_autofree float *ref = ov_test_npy_as_f32 (npy);
  JsonArray *ids = json_object_get_array_member (index, "caption_token_ids");
  OvRegions regions = { scene->features, scene->n_regions, OV_REGION_DIM };
  g_autofree gint32 *prefix = g_new (gint32, json_array_get_length (ids));
  int vocab = (int) npy->shape[1];

  g_assert_cmpstr (json_object_get_string_member (index, "image_id"), ==, scene->key);
  g_assert_cmpint (npy->n_dims, ==, 2);
  for (guint i = 0; i < json_array_get_length (ids); i++)
    prefix[i] = (gint32) json_array_get_int_element (ids, i);

  for (int t = 0; t < npy->shape[0]; t++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OvEncoding) enc = ov_model_prepare_caption_step (model, prefix, t + 1,
                                                                 scene->tags, &regions, &error);
      g_autoptr(OvForward) fwd = NULL;
      double max_diff = 0;

      g_assert_no_error (error);
      fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fwd->vocab_size, ==, vocab);
      g_assert_true (ov_test_allclose (fwd->lm_logits + (gsize) enc->query_index * vocab,
                                       ref + (gsize) t * vocab, vocab, 1e-4, 1e-4, &max_diff));
      g_test_message ("step %d: max |C - PyTorch| = %.2e", t, max_diff);
    }
}

static void
test_vqa_logits (void)
{
  g_autoptr(OvModel) model = load_model ("demo-vqa");
  g_autoptr(OvTestScene) scene = load_scene (0);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dir = NULL;
  JsonObject *index = reference_index (&root, &dir);
  g_autofree char *npy_path = g_build_filename (dir, "vqa_logits.npy", NULL);
  g_autoptr(OvTestNpy) npy = ov_test_npy_load (npy_path);
  g_autofree float *ref = ov_test_npy_as_f32 (npy);
  JsonArray *questions = json_object_get_array_member (index, "vqa_questions");
  OvRegions regions = { scene->features, scene->n_regions, OV_REGION_DIM };

  g_assert_cmpint (npy->shape[0], ==, json_array_get_length (questions));
  /* the input length comes from demo-vqa's training_args.bin */
  g_assert_cmpint (ov_model_get_settings (model)->vqa_max_seq_length, ==,
                   json_object_get_int_member (index, "vqa_max_seq_length"));
  for (guint q = 0; q < json_array_get_length (questions); q++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree float *logits = NULL;
      int n = 0;
      double max_diff = 0;

      logits = ov_model_classify (model, json_array_get_string_element (questions, q),
                                  scene->tags, &regions, &n, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, ==, npy->shape[1]);
      g_assert_true (ov_test_allclose (logits, ref + (gsize) q * n, n, 1e-4, 1e-4, &max_diff));
      g_test_message ("question %u: max |C - PyTorch| = %.2e", q, max_diff);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/demo/captions-uncached", test_captions_uncached);
  g_test_add_func ("/model/demo/captions-cached", test_captions_cached);
  g_test_add_func ("/model/demo/captions-notags", test_captions_notags);
  g_test_add_func ("/model/demo/step-logits", test_step_logits);
  g_test_add_func ("/model/demo/vqa-logits", test_vqa_logits);
  return g_test_run ();
}
