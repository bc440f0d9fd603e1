/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Runs the built `oscarviz inspect --json` on real files and parses what
 * it prints; errors must exit non-zero with the message on stderr.
 */
#define G_LOG_DOMAIN "test-inspect"

#include <glib/gstdio.h>
#include <string.h>

#include "ov-test-util.h"

typedef struct {
  int        status;
  char      *out;
  char      *err;
  GPtrArray *docs;   /* JsonNode*, one per stdout line */
} Run;

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_ptr_array_unref (run->docs);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static Run *
run_inspect (const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);
  g_auto(GStrv) lines = NULL;
  va_list ap;
  int wait_status;

  g_ptr_array_add (argv, ov_test_oscarviz_path ());
  g_ptr_array_add (argv, g_strdup ("inspect"));
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                &run->err, &wait_status, &error);
  g_assert_no_error (error);
  run->status = g_spawn_check_wait_status (wait_status, NULL) ? 0 : 1;
  run->docs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  lines = g_strsplit (run->out, "\n", -1);
  for (guint i = 0; g_str_equal (first, "--json") && lines[i] != NULL; i++)
    {
      JsonNode *node;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      g_ptr_array_add (run->docs, node);
    }
  return run;
}

static JsonObject *
doc (Run  *run,
     guint i)
{
  g_assert_cmpuint (i, <, run->docs->len);
  return json_node_get_object (g_ptr_array_index (run->docs, i));
}

/* /app/inspect/image-tsv: a scene_graph_benchmark split's samples have
 * their pictures in its img: TSV, and say so. */
static void
test_image_tsv (void)
{
  g_autofree char *yaml = ov_test_shared_path ("data", "formats", "scene_graph_benchmark-mini_tsv",
                                               "train.yaml", NULL);
  g_autoptr(Run) run = run_inspect ("--json", yaml, NULL);
  g_autoptr(Run) text = run_inspect (yaml, NULL);
  JsonObject *s;

  g_assert_cmpint (run->status, ==, 0);
  s = json_object_get_object_member (doc (run, 0), "sample");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (s, "image_tsv"), "train.tsv"));
  g_assert_false (json_object_has_member (s, "image"));
  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "picture in "));
}

static void
test_images (void)
{
  g_autofree char *rotated = ov_test_shared_path ("data", "images", "edge-cases",
                                                  "pillow-hopper_orientation_6-exif.jpg", NULL);
  g_autofree char *png = ov_test_shared_path ("data", "images", "skimage-chelsea.png", NULL);
  g_autoptr(Run) run = run_inspect ("--json", rotated, png, NULL);
  JsonObject *o;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (run->docs->len, ==, 2);
  o = doc (run, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "image");
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "jpeg");
  g_assert_cmpint (json_object_get_int_member (o, "orientation"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (o, "width"), ==, 128);
  o = doc (run, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "png");
  g_assert_cmpint (json_object_get_int_member (o, "width"), ==, 451);
  g_assert_cmpint (json_object_get_int_member (o, "height"), ==, 300);
  g_assert_cmpint (json_object_get_int_member (o, "orientation"), ==, 1);
}

/* The bundled names: "demo" is the shipped held-out scenes, demo-vqa (and
 * the other model names) the shipped checkpoints. */
static void
test_bundled_names (void)
{
  g_autoptr(Run) run = run_inspect ("--json", "demo", "demo-vqa", "demo-pretrain", NULL);
  g_autoptr(Run) text = run_inspect ("demo", "--row", "2", NULL);
  JsonObject *o, *s;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (run->docs->len, ==, 3);
  o = doc (run, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "dataset");
  g_assert_cmpint (json_object_get_int_member (o, "samples"), ==, 30);
  s = json_object_get_object_member (o, "sample");
  g_assert_cmpstr (json_object_get_string_member (s, "key"), ==, "300001");
  g_assert_cmpint (json_object_get_int_member (s, "questions"), >, 0);
  g_assert_cmpint (json_object_get_int_member (s, "width"), ==, 320);
  g_assert_cmpstr (json_object_get_string_member (doc (run, 1), "kind"), ==, "checkpoint");
  g_assert_cmpstr (json_object_get_string_member (doc (run, 2), "kind"), ==, "checkpoint");
  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "demo: dataset"));
  g_assert_nonnull (strstr (text->out, "“300003”"));
}

static void
test_dataset_files (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  g_autofree char *feats = ov_test_shared_path ("oracle", "data", "features.tsv", NULL);
  g_autofree char *labels = ov_test_shared_path ("oracle", "data", "labels.tsv", NULL);
  g_autoptr(Run) run = run_inspect ("--json", "--key", "coco_kitchen", yaml, feats, labels, NULL);
  JsonObject *o, *s;
  JsonArray *keys;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (run->docs->len, ==, 3);

  o = doc (run, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "dataset");
  g_assert_cmpint (json_object_get_int_member (o, "samples"), ==, 4);
  keys = json_object_get_array_member (o, "keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (keys, 2), ==, "coco_street");
  s = json_object_get_object_member (o, "sample");
  g_assert_cmpstr (json_object_get_string_member (s, "key"), ==, "coco_kitchen");
  g_assert_cmpint (json_object_get_int_member (s, "regions"), ==, 27);
  g_assert_cmpint (json_object_get_int_member (s, "feature_dim"), ==, 2054);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (s, "tags"), "oven cabinet"));

  o = doc (run, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "features");
  s = json_object_get_object_member (o, "sample");
  g_assert_cmpint (json_object_get_int_member (s, "regions"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (s, "feature_rows"), ==, 27);

  o = doc (run, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "detections");
  s = json_object_get_object_member (o, "sample");
  g_assert_true (json_node_is_null (json_object_get_member (s, "feature_dim")));
}

static void
test_row_and_errors (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  g_autofree char *twelve = ov_test_shared_path ("data", "images", "edge-cases",
                                                 "ljt-monkey12-12bit.jpg", NULL);
  g_autoptr(Run) ok = run_inspect ("--json", "--row", "2", yaml, NULL);
  g_autoptr(Run) bad = run_inspect ("--json", twelve, yaml, NULL);
  g_autoptr(Run) missing = run_inspect ("--json", "/nonexistent/file.tsv", NULL);
  g_autoptr(Run) far = run_inspect ("--json", "--row", "9", yaml, NULL);
  g_autoptr(Run) text = run_inspect (yaml, NULL);

  g_assert_cmpint (ok->status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (doc (ok, 0), "sample"), "key"), ==,
                   "coco_street");

  /* The bad file fails, the good one is still summarised. */
  g_assert_cmpint (bad->status, !=, 0);
  g_assert_nonnull (strstr (bad->err, "12-bit"));
  g_assert_cmpuint (bad->docs->len, ==, 1);

  g_assert_cmpint (missing->status, !=, 0);
  g_assert_nonnull (strstr (missing->err, "/nonexistent/file.tsv"));
  g_assert_cmpint (far->status, !=, 0);
  g_assert_nonnull (strstr (far->err, "row 9"));

  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "coco_dog_couch"));
}

/* /app/inspect/models-and-more: checkpoint folders, their weights, answer
 * lists and embeddings files are summarised; a dataset's folder points at
 * its split file; a split's sample has its qla questions and its picture. */
static void
test_models_and_more (void)
{
  g_autofree char *demo = ov_test_source_path ("data", "demo", "models", "demo", NULL);
  g_autofree char *vqa = ov_test_source_path ("data", "demo", "models", "demo-vqa", NULL);
  g_autofree char *weights = g_build_filename (demo, "pytorch_model.bin", NULL);
  g_autofree char *scenes = ov_test_source_path ("data", "demo", "scenes", NULL);
  g_autofree char *yaml = g_build_filename (scenes, "test.yaml", NULL);
  g_autofree char *l2a = g_build_filename (scenes, "label2ans.json", NULL);
  g_autofree char *qla = g_build_filename (scenes, "test_qla.json", NULL);
  g_autofree char *config = g_build_filename (demo, "config.json", NULL);
  g_autofree char *vec = ov_test_tmp_path ("ov-inspect-vec.safetensors");
  g_autofree char *vec_json = g_strconcat (vec, ".json", NULL);
  g_autofree char *vec_labels = g_strconcat (vec, ".labels.txt", NULL);
  g_autofree char *exe = ov_test_oscarviz_path ();
  g_autoptr(JsonNode) answers = ov_test_load_json (l2a);
  g_autoptr(JsonNode) questions = ov_test_load_json (qla);
  g_autoptr(JsonNode) cfg = ov_test_load_json (config);
  g_autofree char *args_path = g_build_filename (demo, "training_args.json", NULL);
  g_autoptr(JsonNode) args = ov_test_load_json (args_path);
  g_autoptr(JsonNode) meta = NULL;
  g_autoptr(Run) run = NULL;
  g_autoptr(Run) folder = NULL;
  g_autoptr(Run) text = NULL;
  g_autoptr(GError) error = NULL;
  const char *embed_argv[] = { exe, "embed", "--model", "demo", "--dataset", yaml, "--layer",
                               "last", "--limit", "3", "--out", vec, "--quiet", NULL };
  JsonObject *o, *s;
  JsonArray *first;
  guint n_questions = 0;
  int status = -1;

  g_unsetenv ("OSCARVIZ_DATADIR");
  g_spawn_sync (NULL, (char **) embed_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  meta = ov_test_load_json (vec_json);

  run = run_inspect ("--json", demo, vqa, weights, l2a, vec, yaml, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (run->docs->len, ==, 6);

  o = doc (run, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "checkpoint");
  g_assert_cmpstr (json_object_get_string_member (o, "model_kind"), ==, "captioning");
  g_assert_cmpint (json_object_get_int_member (o, "layers"), ==,
                   json_object_get_int_member (json_node_get_object (cfg), "num_hidden_layers"));
  g_assert_cmpint (json_object_get_int_member (o, "hidden"), ==,
                   json_object_get_int_member (json_node_get_object (cfg), "hidden_size"));
  g_assert_true (json_object_get_boolean_member (o, "tags"));
  /* Oscar's tag slots: max_seq_length - max_seq_a_length of the training */
  g_assert_cmpint (json_object_get_int_member (o, "tag_slots"), ==,
                   json_object_get_int_member (json_node_get_object (args), "max_seq_length")
                   - json_object_get_int_member (json_node_get_object (args),
                                                 "max_seq_a_length"));

  o = doc (run, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "model_kind"), ==, "classifier");
  g_assert_cmpint (json_object_get_int_member (o, "classes"), ==,
                   json_array_get_length (json_node_get_array (answers)));
  g_assert_cmpint (json_object_get_int_member (o, "answers"), ==,
                   json_array_get_length (json_node_get_array (answers)));

  o = doc (run, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "tensors");
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "pytorch-zip");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "names"), 0),
                   ==, "bert.embeddings.word_embeddings.weight");
  g_assert_cmpint (json_object_get_int_member (o, "values"), >,
                   json_object_get_int_member (json_node_get_object (cfg), "vocab_size")
                   * json_object_get_int_member (json_node_get_object (cfg), "hidden_size"));

  o = doc (run, 3);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "answers");
  g_assert_cmpint (json_object_get_int_member (o, "answers"), ==,
                   json_array_get_length (json_node_get_array (answers)));
  first = json_object_get_array_member (o, "first");
  g_assert_cmpstr (json_array_get_string_element (first, 0), ==,
                   json_array_get_string_element (json_node_get_array (answers), 0));

  o = doc (run, 4);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "embeddings");
  g_assert_cmpint (json_object_get_int_member (o, "vectors"), ==,
                   json_object_get_int_member (json_node_get_object (meta), "count"));
  g_assert_cmpint (json_object_get_int_member (o, "images"), ==, 3);

  /* test.yaml's qla: file holds the questions of scene 300001 */
  for (guint i = 0; i < json_array_get_length (json_node_get_array (questions)); i++)
    n_questions += json_object_get_int_member (
                     json_array_get_object_element (json_node_get_array (questions), i),
                     "img_id") == 300001;
  g_assert_cmpuint (n_questions, >, 0);
  s = json_object_get_object_member (doc (run, 5), "sample");
  g_assert_cmpstr (json_object_get_string_member (s, "key"), ==, "300001");
  g_assert_cmpint (json_object_get_int_member (s, "questions"), ==, n_questions);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (s, "image"),
                                   "/images/300001.png"));

  folder = run_inspect ("--json", scenes, NULL);
  g_assert_cmpint (folder->status, !=, 0);
  g_assert_nonnull (strstr (folder->err, yaml));

  text = run_inspect (demo, weights, l2a, vec, NULL);
  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "captioning checkpoint (pytorch_model.bin), 2 layers"));
  g_assert_nonnull (strstr (text->out, "answer list, 42 answers: yes, no"));

  g_unlink (vec);
  g_unlink (vec_json);
  g_unlink (vec_labels);
}

/* /app/inspect/more-kinds: caption files (a COCO-style list, Oscar's caption
 * predictions TSV), NumPy arrays and VQA data, each summarised by what it
 * holds: a feature file's line has no regions and no empty tag line. */
static void
test_more_kinds (void)
{
  g_autofree char *preds = ov_test_shared_path ("oracle", "cases", "cap_beam3",
                                                "oscar_predictions.tsv", NULL);
  g_autofree char *caps = ov_test_shared_path ("oracle", "data", "train_captions.json", NULL);
  g_autofree char *npy = ov_test_shared_path ("oracle", "cases", "vqa_logits", "in_img_feats.npy",
                                              NULL);
  g_autofree char *qla = ov_test_shared_path ("oracle", "data", "vqa", "test2015_qla_mrcnn.json",
                                              NULL);
  g_autofree char *feats = ov_test_shared_path ("oracle", "data", "features.tsv", NULL);
  g_autoptr(Run) run = run_inspect ("--json", preds, caps, npy, qla, NULL);
  g_autoptr(Run) text = run_inspect (feats, npy, NULL);
  JsonObject *o, *s;
  JsonArray *shape;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (run->docs->len, ==, 4);
  o = doc (run, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "captions");
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "caption-predictions-tsv");
  g_assert_cmpint (json_object_get_int_member (o, "images"), ==, 4);
  s = json_object_get_object_member (o, "first");
  g_assert_cmpstr (json_object_get_string_member (s, "key"), ==, "coco_dog_couch");
  g_assert_true (json_object_has_member (s, "conf"));

  o = doc (run, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "captions-json");
  g_assert_cmpint (json_object_get_int_member (o, "captions"), >=,
                   json_object_get_int_member (o, "images"));

  o = doc (run, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "array");
  g_assert_cmpstr (json_object_get_string_member (o, "dtype"), ==, "<f4");
  shape = json_object_get_array_member (o, "shape");
  g_assert_cmpuint (json_array_get_length (shape), ==, 3);
  g_assert_cmpint (json_array_get_int_element (shape, 2), ==, 2054);

  /* the VQA json brings the features of the .pt beside it */
  o = doc (run, 3);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "questions");
  s = json_object_get_object_member (o, "sample");
  g_assert_cmpint (json_object_get_int_member (s, "feature_rows"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (s, "questions"), ==, 2);

  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "sample “coco_dog_couch”: 12 feature rows 2054 wide\n"));
  g_assert_null (strstr (text->out, "tags:"));
  g_assert_null (strstr (text->out, "0 regions"));
  g_assert_nonnull (strstr (text->out, "NumPy array, <f4, 3 × 50 × 2054\n"));

  /* JSON of no known kind that does not even parse says why */
  {
    g_autofree char *cut = ov_test_tmp_path ("cut-list.json");
    g_autoptr(Run) bad = NULL;

    g_assert_true (g_file_set_contents (cut, "[\"yes\", \"no\", \"ma", -1, NULL));
    bad = run_inspect (cut, NULL);
    g_assert_cmpint (bad->status, ==, 1);
    g_assert_nonnull (strstr (bad->err, "cut short"));
  }
}

/* /app/inspect/class-names: the names files --class-names reads are named
 * as such, whatever their form, with their length and first names: Visual
 * Genome's objects_vocab.txt (which its name makes look like a BERT
 * vocabulary), COCO's category table and VinVL's label map (which looks
 * like a sample JSON). A real vocabulary stays a vocabulary. */
static void
test_class_names (void)
{
  g_autofree char *vg = ov_test_shared_path ("data", "labels", "vg1600-400-20-objects_vocab.txt",
                                             NULL);
  g_autofree char *coco = ov_test_shared_path ("data", "labels", "coco-80-categories.tsv", NULL);
  g_autofree char *map = ov_test_shared_path ("data", "labels",
                                              "VG-SGG-dicts-vgoi6-clipped.json", NULL);
  g_autofree char *vocab = ov_test_shared_path ("data", "vocab", "bert-base-uncased-vocab.txt",
                                                NULL);
  g_autoptr(Run) run = run_inspect ("--json", vg, coco, map, vocab, NULL);
  g_autoptr(Run) text = run_inspect (coco, NULL);
  static const struct { gint64 n; const char *first; } want[] = {
    { 1600, "yolk" }, { 80, "person" }, { 1594, "ad" },
  };

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (run->docs->len, ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      JsonObject *o = doc (run, i);

      g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "class-names");
      g_assert_cmpint (json_object_get_int_member (o, "classes"), ==, want[i].n);
      g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "first"),
                                                      0), ==, want[i].first);
    }
  g_assert_cmpstr (json_object_get_string_member (doc (run, 3), "kind"), !=, "class-names");
  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "class names for --class-names, 80 classes"));
  g_assert_nonnull (strstr (text->out, "person, bicycle"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/inspect/images", test_images);
  g_test_add_func ("/app/inspect/image-tsv", test_image_tsv);
  g_test_add_func ("/app/inspect/dataset-files", test_dataset_files);
  g_test_add_func ("/app/inspect/bundled-names", test_bundled_names);
  g_test_add_func ("/app/inspect/row-and-errors", test_row_and_errors);
  g_test_add_func ("/app/inspect/models-and-more", test_models_and_more);
  g_test_add_func ("/app/inspect/more-kinds", test_more_kinds);
  g_test_add_func ("/app/inspect/class-names", test_class_names);
  return g_test_run ();
}
