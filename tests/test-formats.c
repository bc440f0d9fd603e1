/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Detection, feature and dataset files: the oracle's Oscar split and the
 * scene_graph_benchmark mini TSV read in place, features compared with the
 * tensors Oscar's own loader produced, small files in every format written
 * here and read back, and corrupt variants of each for the error paths.
 */
#define G_LOG_DOMAIN "test-formats"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "data/ov-cbs.h"
#include "data/ov-dataset.h"
#include "model/ov-error.h"
#include "model/ov-json.h"
#include "model/ov-tokenizer.h"
#include "ov-test-util.h"

/* Helpers ---------------------------------------------------------------------- */

static char *
b64_floats (const float *v,
            gsize        n)
{
  g_autofree guint32 *le = g_new (guint32, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;

      memcpy (&bits, &v[i], 4);
      le[i] = GUINT32_TO_LE (bits);
    }
  return g_base64_encode ((const guchar *) le, n * 4);
}

static char *
b64_int64s (const gint64 *v,
            gsize         n)
{
  g_autofree gint64 *le = g_new (gint64, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    le[i] = GINT64_TO_LE (v[i]);
  return g_base64_encode ((const guchar *) le, n * 8);
}

/* n rows of `dim` values: value (i, j) = i + j / 4096. */
static float *
make_features (guint n,
               guint dim)
{
  float *f = g_new (float, (gsize) MAX (n, 1) * dim);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < dim; j++)
      f[(gsize) i * dim + j] = (float) i + (float) j / 4096.0f;
  return f;
}

static char *
tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ov-formats-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static char *
write_file (const char *dir,
            const char *name,
            const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      g_remove (p);
    }
  g_rmdir (dir);
}

/* Loads row 0 of a one-file dataset and expects an error of `code` whose
 * message holds `needle`. */
static void
expect_load_error (const char *path,
                   int         code,
                   const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = ov_dataset_open (path, NULL, &error);
  g_autoptr(OvSample) s = NULL;

  if (ds != NULL)
    s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
  g_assert_null (s);
  g_assert_nonnull (error);
  g_test_message ("expected error: %s", error->message);
  g_assert_error (error, OV_ERROR, code);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, needle);
}

/* The oracle split --------------------------------------------------------------- */

static void
test_oracle_split (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  g_autofree char *index_path = ov_test_shared_path ("oracle", "data", "caption_tensorized",
                                                     "index.json", NULL);
  g_autoptr(JsonNode) index = ov_test_load_json (index_path);
  JsonArray *images = json_object_get_array_member (json_node_get_object (index), "images");
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = ov_dataset_open (yaml, NULL, &error);
  const char *keys[] = { "coco_dog_couch", "coco_kitchen", "coco_street", "coco_beach" };
  const int sizes[][3] = { { 640, 480, 12 }, { 800, 600, 27 }, { 1024, 768, 60 }, { 500, 375, 5 } };

  g_assert_no_error (error);
  g_assert_cmpint (ov_dataset_get_kind (ds), ==, OV_FILE_DATASET_YAML);
  g_assert_cmpuint (ov_dataset_get_n_samples (ds), ==, 4);

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(OvSample) s = ov_dataset_load_sample (ds, i, NULL, NULL, NULL, &error);
      g_autoptr(OvSample) rebuilt = NULL;
      g_autofree char *npy_path = NULL;
      g_autoptr(OvTestNpy) npy = NULL;
      JsonObject *entry = NULL;
      guint n_used;
      double max_diff;

      g_assert_no_error (error);
      g_assert_cmpstr (s->key, ==, keys[i]);
      g_assert_cmpint (s->width, ==, sizes[i][0]);
      g_assert_cmpint (s->height, ==, sizes[i][1]);
      g_assert_cmpuint (s->n_regions, ==, sizes[i][2]);
      g_assert_cmpuint (s->n_features, ==, sizes[i][2]);
      g_assert_cmpuint (s->feature_dim, ==, 2054);
      g_assert_cmpuint (s->warnings->len, ==, 0);

      /* Oscar's loader keeps the first 50 rows and zero-pads (§7.5). */
      for (guint k = 0; k < json_array_get_length (images); k++)
        if (g_str_equal (json_object_get_string_member (
                           json_array_get_object_element (images, k), "key"), keys[i]))
          entry = json_array_get_object_element (images, k);
      g_assert_nonnull (entry);
      npy_path = ov_test_shared_path ("oracle", "data", "caption_tensorized",
                                      json_object_get_string_member (
                                        json_object_get_object_member (entry, "img_feats"),
                                        "file"), NULL);
      npy = ov_test_npy_load (npy_path);
      g_assert_cmpint (npy->shape[1], ==, 50);
      g_assert_cmpint (npy->shape[2], ==, 2054);
      n_used = MIN (s->n_features, 50);
      g_assert_true (ov_test_allclose (s->features, npy->data, (gsize) n_used * 2054, 0, 0,
                                       &max_diff));
      for (gsize k = (gsize) n_used * 2054; k < 50 * 2054; k++)
        g_assert_cmpfloat (((float *) npy->data)[k], ==, 0.0f);

      /* The box values stored in the file equal those built from the label
       * rects and hw.tsv (§7.4): labels, features and sizes pair up. */
      rebuilt = ov_sample_copy (s);
      for (guint r = 0; r < rebuilt->n_features; r++)
        memmove (rebuilt->features + (gsize) r * 2048, s->features + (gsize) r * 2054,
                 2048 * sizeof (float));
      rebuilt->feature_dim = 2048;
      g_assert_true (ov_sample_build_region_vectors (rebuilt, &error));
      g_assert_no_error (error);
      g_assert_true (ov_test_allclose (rebuilt->features, s->features,
                                       (gsize) s->n_features * 2054, 1e-5, 1e-6, &max_diff));
    }

  /* By key, and the tag string Oscar builds. */
  {
    g_autoptr(OvSample) s = ov_dataset_load_key (ds, "coco_kitchen", NULL, NULL, NULL, &error);
    g_autofree char *tags = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (s->regions[7].cls, ==, "cutting board");
    g_assert_cmpfloat_with_epsilon (s->regions[0].conf, 0.9352, 1e-9);
    g_assert_cmpfloat_with_epsilon (s->regions[0].x1, 86.33, 1e-9);
    tags = ov_sample_dup_tag_string (s);
    g_assert_true (g_str_has_prefix (tags, "oven cabinet counter sink faucet microwave "
                                           "refrigerator cutting board"));
    g_assert_cmpint (ov_dataset_find_key (ds, "coco_beach", NULL, NULL), ==, 3);
    g_assert_cmpint (ov_dataset_find_key (ds, "nope", NULL, &error), ==, -1);
    g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  }
}

static void
test_oracle_captions_and_vqa (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "train.yaml", NULL);
  g_autofree char *vqa = ov_test_shared_path ("oracle", "data", "vqa", "test2015_qla_mrcnn.json",
                                              NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = ov_dataset_open (yaml, NULL, &error);
  g_autoptr(OvDataset) q = NULL;
  g_autoptr(OvSample) s = NULL;
  g_autoptr(OvSample) v = NULL;
  const OvQuestion *question;

  g_assert_no_error (error);
  s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->captions->len, >=, 1);

  q = ov_dataset_open (vqa, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ov_dataset_get_kind (q), ==, OV_FILE_VQA_JSON);
  g_assert_cmpuint (ov_dataset_get_n_samples (q), ==, 2);
  v = ov_dataset_load_key (q, "1001", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (v->questions->len, ==, 2);
  question = g_ptr_array_index (v->questions, 1);
  g_assert_cmpstr (question->question, ==, "How many pillows are there?");
  g_assert_cmpstr (v->tags, ==, "dog couch pillow pillow blanket lamp window curtain table "
                                "remote rug plant");
}

/* /data/formats/box-turn: boxes measured on the stored pixels of a
 * picture with an EXIF turn turn with it, unless they were measured
 * upright (said, or told by a size with the sides of the upright picture). */
static void
test_box_turn (void)
{
  OvImage turned = { .orientation = OV_ORIENTATION_ROTATE_90_CW, .orientation_applied = TRUE,
                     .stored_width = 128, .stored_height = 96, .width = 96, .height = 128 };
  OvImage kept = turned;
  OvImage square = turned;
  g_autoptr(OvSample) s = ov_sample_new ("k");

  kept.orientation_applied = FALSE;
  square.stored_height = 128;
  s->width = 128;
  s->height = 96;
  g_assert_cmpint (ov_sample_box_turn (s, &turned, FALSE), ==, OV_ORIENTATION_ROTATE_90_CW);
  g_assert_cmpint (ov_sample_box_turn (s, &turned, TRUE), ==, OV_ORIENTATION_NORMAL);
  g_assert_cmpint (ov_sample_box_turn (s, &kept, FALSE), ==, OV_ORIENTATION_NORMAL);
  g_assert_cmpint (ov_sample_box_turn (s, NULL, FALSE), ==, OV_ORIENTATION_NORMAL);
  /* the upright size: the boxes were measured on the upright picture */
  s->width = 96;
  s->height = 128;
  g_assert_cmpint (ov_sample_box_turn (s, &turned, FALSE), ==, OV_ORIENTATION_NORMAL);
  /* no size, or a square picture, say nothing of it */
  s->width = s->height = 0;
  g_assert_cmpint (ov_sample_box_turn (s, &turned, FALSE), ==, OV_ORIENTATION_ROTATE_90_CW);
  s->width = s->height = 128;
  g_assert_cmpint (ov_sample_box_turn (s, &square, FALSE), ==, OV_ORIENTATION_ROTATE_90_CW);
}

static void
test_mini_tsv (void)
{
  g_autofree char *yaml = ov_test_shared_path ("data", "formats", "scene_graph_benchmark-mini_tsv",
                                               "train.yaml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = ov_dataset_open (yaml, NULL, &error);
  g_autoptr(OvSample) s = NULL;
  g_autoptr(OvImage) image = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (ov_dataset_get_n_samples (ds), ==, 3);
  s = ov_dataset_load_sample (ds, 1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->key, ==, "000000184613");
  g_assert_cmpint (s->width, ==, 500);
  g_assert_cmpint (s->height, ==, 336);
  g_assert_cmpuint (s->n_regions, ==, 2);
  g_assert_cmpstr (s->regions[1].cls, ==, "Cat");
  g_assert_cmpfloat (s->regions[1].x2, ==, 100);
  g_assert_true (isnan (s->regions[1].conf));
  g_assert_null (s->features);

  /* The re-encoded COCO image inside train.tsv. */
  image = ov_dataset_load_image (ds, "000000391895", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 640);
  g_assert_cmpint (image->height, ==, 360);
  g_clear_pointer (&image, ov_image_free);

  /* A sample of the split knows where its picture is, and a copy too:
   * the window and the figures read it from there. */
  g_assert_null (s->image_path);
  g_assert_nonnull (s->image_tsv);
  g_assert_true (g_str_has_suffix (s->image_tsv, "train.tsv"));
  {
    g_autoptr(OvSample) copy = ov_sample_copy (s);

    image = ov_sample_load_image (copy, NULL, NULL, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 500);
  g_assert_cmpint (image->height, ==, 336);
  g_clear_pointer (&image, ov_image_free);

  /* a sample with no picture at all says so */
  g_clear_pointer (&s->image_tsv, g_free);
  g_assert_null (ov_sample_load_image (s, NULL, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "000000184613"));
}

static void
test_sniff (void)
{
  struct { const char *path[4]; OvFileKind kind; } cases[] = {
    { { "oracle", "data", "test.yaml" }, OV_FILE_DATASET_YAML },
    { { "oracle", "data", "features.tsv" }, OV_FILE_FEATURE_TSV },
    { { "oracle", "data", "labels.tsv" }, OV_FILE_DETECTIONS_TSV },
    { { "oracle", "data", "hw.tsv" }, OV_FILE_HW_TSV },
    { { "oracle", "data", "train_captions.json" }, OV_FILE_CAPTIONS_JSON },
    { { "data", "formats", "scene_graph_benchmark-mini_tsv", "train.tsv" }, OV_FILE_IMAGE_TSV },
    { { "data", "images", "skimage-coffee.png" }, OV_FILE_IMAGE },
    { { "oracle", "data", "vqa", "test2015_img_frcnn_feats.pt" }, OV_FILE_FEATURE_DICT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *p = ov_test_shared_path (cases[i].path[0], cases[i].path[1],
                                                cases[i].path[2], cases[i].path[3], NULL);

      g_assert_cmpstr (ov_file_kind_to_string (ov_file_sniff (p, NULL)), ==,
                       ov_file_kind_to_string (cases[i].kind));
    }
  /* torch legacy, safetensors: the container alone says "feature dict" */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *p = ov_test_source_path ("tests", "fixtures", "checkpoint",
                                                i == 0 ? "legacy.pt" : "small.safetensors",
                                                NULL);

      g_assert_cmpint (ov_file_sniff (p, NULL), ==, OV_FILE_FEATURE_DICT);
    }
  /* a vocabulary begins with "[PAD]", like JSON: not ours, and said so */
  {
    g_autofree char *p = ov_test_shared_path ("data", "vocab", "bert-base-uncased-vocab.txt",
                                              NULL);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (ov_file_sniff (p, &error), ==, OV_FILE_UNKNOWN);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "not a file oscarviz knows"));
    g_assert_nonnull (strstr (error->message, "not JSON"));
  }
  /* a TSV of no kind we read shows its first row's columns, so that the
   * wrong one can be seen: here an image TSV whose picture is no base64 */
  {
    g_autofree char *dir = g_dir_make_tmp ("ov-sniff-XXXXXX", NULL);
    g_autofree char *p = g_build_filename (dir, "train.tsv", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_set_contents (p, "img1\t!!!notbase64!!!\n", -1, NULL));
    g_assert_cmpint (ov_file_sniff (p, &error), ==, OV_FILE_UNKNOWN);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "its first row (2 columns: “img1”, "
                                              "“!!!notbase64!!!”) is of no TSV"));
    g_unlink (p);
    g_rmdir (dir);
  }
}

/* Files written here ------------------------------------------------------------ */

static void
test_vinvl_predictions (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree float *f = make_features (2, 2048);
  g_autofree char *f0 = b64_floats (f, 2048);
  g_autofree char *f1 = b64_floats (f + 2048, 2048);
  g_autofree char *text = g_strdup_printf (
    "img_a\t{\"objects\": [{\"rect\": [10, 20, 110, 70], \"bbox_id\": 0, \"class\": \"dog\", "
    "\"conf\": 0.9, \"attributes\": [\"brown\", \"furry\"], \"attr_scores\": [0.8, 0.5], "
    "\"feature\": \"%s\"}, {\"rect\": [0, 0, 200, 100], \"bbox_id\": 1, \"class\": \"cutting "
    "board\", \"conf\": 0.5, \"feature\": \"%s\"}], \"relations\": null, \"image_h\": 100, "
    "\"image_w\": 200}\n"
    "img_b\t[{\"rect\": [1.5, 2.5, 3.5, 4.5], \"class\": \"cat\", \"conf\": 0.25}]\n", f0, f1);
  g_autofree char *path = write_file (dir, "predictions.tsv", text);
  g_autofree char *hw = write_file (dir, "hw.tsv", "img_b\t[{\"height\": 10, \"width\": 20}]\n"
                                                   "img_a\t[{\"height\": 100, \"width\": 200}]\n");
  g_autoptr(GError) error = NULL;
  OvSampleSourceOptions opts;
  g_autoptr(OvSample) s = NULL;

  ov_sample_source_options_init (&opts);
  opts.detections = g_strdup (path);
  opts.key = g_strdup ("img_a");
  s = ov_sample_source_load (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->n_regions, ==, 2);
  g_assert_cmpstr (s->regions[0].attributes[1], ==, "furry");
  g_assert_cmpfloat (s->regions[0].attr_scores[0], ==, 0.8);
  g_assert_cmpuint (s->feature_dim, ==, 2054);
  g_assert_cmpstr (s->tags, ==, "dog cutting board");
  /* Appearance values kept bit for bit, box values from rect and image_w/h. */
  g_assert_cmpfloat (s->features[2054 + 100], ==, f[2048 + 100]);
  g_assert_cmpfloat_with_epsilon (s->features[2048], 10.0 / 200, 1e-7);
  g_assert_cmpfloat_with_epsilon (s->features[2053], 50.0 / 100, 1e-7);
  ov_sample_source_options_clear (&opts);
  g_clear_pointer (&s, ov_sample_free);

  /* A bare-list row: size from hw.tsv (rows in another order, found by key). */
  ov_sample_source_options_init (&opts);
  opts.labels = g_strdup (path);
  opts.hw = g_strdup (hw);
  opts.row = 1;
  s = ov_sample_source_load (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->key, ==, "img_b");
  g_assert_cmpint (s->width, ==, 20);
  g_assert_cmpfloat (s->regions[0].y2, ==, 4.5);
  g_assert_null (s->features);
  ov_sample_source_options_clear (&opts);
  remove_tree (dir);
}

static void
test_vinvl_features_and_lineidx (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autoptr(GString) tsv = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *labels = NULL;
  g_autoptr(OvTsv) t = NULL;
  g_autoptr(OvDataset) ds = NULL;
  g_autoptr(OvSample) s = NULL;
  g_autofree char *idx = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree float *f = make_features (i + 1, 2054);
      g_autofree char *b = b64_floats (f, (gsize) (i + 1) * 2054);

      g_string_append_printf (tsv, "%u\t%u\t%s\n", 100 + i, i + 1, b);
    }
  path = write_file (dir, "features.tsv", tsv->str);
  g_assert_true (ov_tsv_write_lineidx (path, &error));
  g_assert_no_error (error);
  idx = ov_tsv_lineidx_path (path);
  g_assert_true (g_str_has_suffix (idx, "features.lineidx"));
  /* Deliberately stale entry for 104: the key check rejects it. */
  g_free (write_file (dir, "imageid2idx.json", "{\"103\": 3, \"104\": 0}"));

  t = ov_tsv_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ov_tsv_has_lineidx (t));
  g_assert_cmpuint (ov_tsv_get_n_rows (t), ==, 5);
  g_assert_cmpint (ov_tsv_find_key (t, "103", NULL, &error), ==, 3);
  g_assert_cmpint (ov_tsv_find_key (t, "104", NULL, &error), ==, 4);
  g_assert_cmpint (ov_tsv_find_key (t, "999", NULL, &error), ==, -1);
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_clear_error (&error);

  ds = ov_dataset_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ov_dataset_get_kind (ds), ==, OV_FILE_VINVL_FEATURES);
  s = ov_dataset_load_key (ds, "102", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->n_features, ==, 3);
  g_assert_cmpuint (s->feature_dim, ==, 2054);
  g_assert_cmpfloat (s->features[2 * 2054 + 5], ==, 2.0f + 5.0f / 4096.0f);
  g_clear_pointer (&s, ov_sample_free);

  /* Labels with fewer boxes than feature rows: allowed for 2054-wide
   * features (§7.2), reported as a warning. */
  labels = write_file (dir, "labels.tsv",
                       "100\t[{\"class\": \"a\", \"rect\": [0, 0, 1, 1]}]\n"
                       "101\t[{\"class\": \"b\", \"rect\": [0, 0, 1, 1]}]\n"
                       "102\t[{\"class\": \"c\", \"rect\": [0, 0, 1, 1]}]\n"
                       "103\t[]\n104\t[]\n");
  {
    OvDatasetFiles files = { .features = path, .labels = labels };
    g_autoptr(OvDataset) both = ov_dataset_open_files (&files, NULL, &error);

    g_assert_no_error (error);
    s = ov_dataset_load_sample (both, 2, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (s->n_regions, ==, 1);
    g_assert_cmpuint (s->n_features, ==, 3);
    g_assert_cmpuint (s->warnings->len, ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (s->warnings, 0), "3 feature rows but 1"));
  }
  remove_tree (dir);
}

static void
test_oscar_pairing (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree float *f = make_features (1, 2054);
  g_autofree char *b = b64_floats (f, 2054);
  g_autofree char *feat_text = g_strdup_printf (
    "k1\t{\"num_boxes\": 1, \"features\": \"%s\"}\nk2\t{\"features\": \"%s\", \"num_boxes\": 1}\n",
    b, b);
  g_autofree char *feats = write_file (dir, "test.feature.tsv", feat_text);
  g_autofree char *labels = write_file (dir, "test.label.tsv",
                                        "k2\t[{\"class\": \"x\", \"rect\": [0, 0, 5, 5]}]\n"
                                        "k1\t[{\"class\": \"y\", \"rect\": [0, 0, 5, 5]}]\n");
  g_autofree char *yaml = write_file (dir, "test.yaml", "# split\nfeature: test.feature.tsv\n"
                                                       "label: 'test.label.tsv'\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = ov_dataset_open (yaml, NULL, &error);
  g_autoptr(OvSample) s = NULL;

  g_assert_no_error (error);
  /* By row, as Oscar pairs them: different keys are an error, not a silent mix-up. */
  s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "k1"));
  g_assert_nonnull (strstr (error->message, "k2"));
  g_clear_error (&error);

  /* By key each file is searched, so the right rows meet. */
  s = ov_dataset_load_key (ds, "k1", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->regions[0].cls, ==, "y");
  g_assert_cmpuint (s->n_features, ==, 1);
  g_clear_pointer (&s, ov_sample_free);

  /* A byte order mark and document markers are no part of any key; a key
   * without a value is refused, not dropped. */
  {
    g_autofree char *marked = write_file (dir, "marked.yaml",
                                          "\xef\xbb\xbf---\nlabel: test.label.tsv\n"
                                          "feature: test.feature.tsv\n...\n");
    g_autofree char *empty = write_file (dir, "empty.yaml",
                                         "feature: test.feature.tsv\nlabel:\n"
                                         "  file: test.label.tsv\n");
    g_autoptr(OvDataset) mds = NULL;

    g_assert_cmpint (ov_file_sniff (marked, NULL), ==, OV_FILE_DATASET_YAML);
    mds = ov_dataset_open (marked, NULL, &error);
    g_assert_no_error (error);
    s = ov_dataset_load_key (mds, "k1", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (s->n_regions, ==, 1);
    g_assert_cmpstr (s->regions[0].cls, ==, "y");
    g_clear_pointer (&s, ov_sample_free);
    g_assert_null (ov_dataset_open (empty, NULL, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, empty));
    g_assert_nonnull (strstr (error->message, "line 2"));
    g_clear_error (&error);
  }

  /* JSON writers may escape '/' as "\/" inside the base64 string. */
  {
    g_autoptr(GString) escaped = g_string_new (b);
    g_autofree char *row = NULL;
    g_autofree char *path = NULL;
    g_autoptr(OvDataset) eds = NULL;

    g_assert_nonnull (strchr (b, '/'));
    g_string_replace (escaped, "/", "\\/", 0);
    row = g_strdup_printf ("k9\t{\"num_boxes\": 1, \"features\": \"%s\"}\n", escaped->str);
    path = write_file (dir, "escaped.feature.tsv", row);
    eds = ov_dataset_open (path, NULL, &error);
    g_assert_no_error (error);
    s = ov_dataset_load_sample (eds, 0, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (memcmp (s->features, f, 2054 * sizeof (float)), ==, 0);
  }
  remove_tree (dir);
}

static void
test_butd_and_lxmert (void)
{
  g_autofree char *dir = tmp_dir ();
  float boxes[8] = { 1, 2, 30, 40, 5, 6, 50, 60 };
  gint64 obj_id[2] = { 0, 2 }, attr_id[2] = { 1, 0 };
  float obj_conf[2] = { 0.75f, 0.5f }, attr_conf[2] = { 0.25f, 0.125f };
  g_autofree float *f = make_features (2, 2048);
  g_autofree char *bb = b64_floats (boxes, 8), *fb = b64_floats (f, 2 * 2048);
  g_autofree char *oi = b64_int64s (obj_id, 2), *ai = b64_int64s (attr_id, 2);
  g_autofree char *oc = b64_floats (obj_conf, 2), *ac = b64_floats (attr_conf, 2);
  g_autofree char *butd_text = g_strdup_printf ("42\t100\t80\t2\t%s\t%s\n", bb, fb);
  g_autofree char *lx_text = g_strdup_printf ("COCO_val_42\t80\t100\t%s\t%s\t%s\t%s\t2\t%s\t%s\n",
                                              oi, oc, ai, ac, bb, fb);
  g_autofree char *butd = write_file (dir, "butd.tsv", butd_text);
  g_autofree char *lx = write_file (dir, "lxmert.tsv", lx_text);
  g_autofree char *names = write_file (dir, "objects_vocab.txt", "yolk\nstop sign,stopsign\ndog\n");
  g_autoptr(GError) error = NULL;
  OvSampleSourceOptions opts;
  g_autoptr(OvSample) s = NULL;

  ov_sample_source_options_init (&opts);
  opts.features = g_strdup (butd);
  s = ov_sample_source_load (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->key, ==, "42");
  g_assert_cmpint (s->width, ==, 100);
  g_assert_cmpint (s->height, ==, 80);
  g_assert_cmpuint (s->n_regions, ==, 2);
  g_assert_cmpfloat (s->regions[1].y2, ==, 60);
  g_assert_cmpuint (s->feature_dim, ==, 2054);
  g_assert_cmpfloat_with_epsilon (s->features[2054 + 2051], 60.0 / 80, 1e-7);
  ov_sample_source_options_clear (&opts);
  g_clear_pointer (&s, ov_sample_free);

  ov_sample_source_options_init (&opts);
  opts.labels = g_strdup (lx);
  opts.class_names = g_strdup (names);
  s = ov_sample_source_load (&opts, NULL, &error);
  g_assert_no_error (error);
  /* LXMERT writes img_h before img_w. */
  g_assert_cmpint (s->width, ==, 100);
  g_assert_cmpint (s->height, ==, 80);
  g_assert_cmpstr (s->regions[0].cls, ==, "yolk");
  g_assert_cmpstr (s->regions[1].cls, ==, "dog");
  g_assert_cmpfloat (s->regions[0].conf, ==, 0.75);
  g_assert_cmpstr (s->regions[0].attributes[0], ==, "attr1");
  g_assert_cmpfloat (s->regions[1].attr_scores[0], ==, 0.125);
  g_assert_cmpstr (s->tags, ==, "yolk dog");
  ov_sample_source_options_clear (&opts);
  remove_tree (dir);
}

static void
test_sample_json_round_trip (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *hand = write_file (dir, "hand.json",
    "{\n"
    "  \"image\": \"kitchen.jpg\",\n"
    "  \"width\": 640, \"height\": 480,\n"
    "  \"boxes\": [\n"
    "    {\"rect\": [10, 20, 200, 300], \"class\": \"oven\", \"conf\": 0.9,\n"
    "     \"attributes\": [\"white\"], \"attr_scores\": [0.7]},\n"
    "    {\"rect\": [300, 40, 400, 100], \"class\": \"cutting board\"}\n"
    "  ],\n"
    "  \"captions\": [\"a white kitchen\"],\n"
    "  \"questions\": [{\"question\": \"Is the oven white?\", \"answer\": \"yes\"}]\n"
    "}\n");
  g_autofree char *saved = g_build_filename (dir, "saved.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ov_sample_json_load (hand, &error);
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *expect_image = g_build_filename (dir, "kitchen.jpg", NULL);
  OvSample *s, *t;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  s = g_ptr_array_index (list, 0);
  g_assert_cmpstr (s->key, ==, "kitchen");
  g_assert_cmpstr (s->image_path, ==, expect_image);
  g_assert_cmpuint (s->n_regions, ==, 2);
  g_assert_true (isnan (s->regions[1].conf));
  g_assert_cmpstr (((OvQuestion *) g_ptr_array_index (s->questions, 0))->answer, ==, "yes");

  /* With 2054-wide features, saved and read back bit for bit. */
  s->features = make_features (2, 2054);
  s->features[7] = -1.2345678e-30f;
  s->n_features = 2;
  s->feature_dim = 2054;
  g_assert_true (ov_sample_json_save (s, saved, &error));
  g_assert_no_error (error);
  again = ov_sample_json_load (saved, &error);
  g_assert_no_error (error);
  t = g_ptr_array_index (again, 0);
  g_assert_cmpstr (t->key, ==, s->key);
  g_assert_cmpstr (t->image_path, ==, s->image_path);
  g_assert_cmpint (t->width, ==, 640);
  g_assert_cmpuint (t->n_regions, ==, 2);
  g_assert_cmpstr (t->regions[1].cls, ==, "cutting board");
  g_assert_cmpfloat (t->regions[0].attr_scores[0], ==, 0.7);
  g_assert_cmpuint (t->feature_dim, ==, 2054);
  g_assert_cmpint (memcmp (t->features, s->features, 2 * 2054 * sizeof (float)), ==, 0);
  g_assert_cmpstr (g_ptr_array_index (t->captions, 0), ==, "a white kitchen");

  /* Detections in JSON keyed by image, both row shapes of predictions.tsv. */
  {
    g_autofree char *map = write_file (dir, "predictions.json",
      "{\"img1\": [{\"rect\": [1, 2, 3, 4], \"class\": \"cat\"}],\n"
      " \"img2\": {\"objects\": [{\"rect\": [5, 6, 7, 8], \"class\": \"dog\", \"conf\": 1}],"
      " \"image_w\": 10, \"image_h\": 20}}\n");
    g_autoptr(OvDataset) ds = ov_dataset_open (map, NULL, &error);
    g_autoptr(OvSample) d = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (ov_dataset_get_n_samples (ds), ==, 2);
    d = ov_dataset_load_key (ds, "img2", NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (d->regions[0].cls, ==, "dog");
    g_assert_cmpint (d->height, ==, 20);
  }
  /* The hand-written sample names kitchen.jpg, which is not there: loaded
   * as a dataset, it warns with the file and the picture's path. */
  {
    g_autoptr(OvDataset) ds = ov_dataset_open (hand, NULL, &error);
    g_autoptr(OvSample) d = NULL;
    const char *warning;

    g_assert_no_error (error);
    d = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (d->warnings->len, ==, 1);
    warning = g_ptr_array_index (d->warnings, 0);
    g_assert_nonnull (strstr (warning, hand));
    g_assert_nonnull (strstr (warning, expect_image));
    g_assert_nonnull (strstr (warning, "does not exist"));
  }
  remove_tree (dir);
}

static void
progress_cb (double   fraction,
             gpointer data)
{
  g_array_append_val ((GArray *) data, fraction);
}

static void
test_progress_and_cancel (void)
{
  g_autofree char *dir = tmp_dir ();
  guint n = 700;                       /* 700 × 2054 floats: 7.7 MB of base64 */
  g_autofree float *f = make_features (n, 2054);
  g_autofree char *b = b64_floats (f, (gsize) n * 2054);
  g_autofree char *text = g_strdup_printf ("big\t{\"num_boxes\": %u, \"features\": \"%s\"}\n",
                                           n, b);
  g_autofree char *path = write_file (dir, "big.feature.tsv", text);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = ov_dataset_open (path, NULL, &error);
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(OvSample) s = NULL;

  g_assert_no_error (error);
  s = ov_dataset_load_sample (ds, 0, progress_cb, fractions, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->n_features, ==, n);
  g_assert_cmpuint (fractions->len, >=, 2);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);
  g_clear_pointer (&s, ov_sample_free);

  g_cancellable_cancel (cancel);
  s = ov_dataset_load_sample (ds, 0, NULL, NULL, cancel, &error);
  g_assert_null (s);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  remove_tree (dir);
}

/* Corrupt files ------------------------------------------------------------------ */

static void
test_corrupt_features (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree float *f = make_features (2, 2054);
  g_autofree char *good = b64_floats (f, 2 * 2054);
  g_autofree float *narrow = make_features (2, 1000);
  g_autofree char *narrow_b = b64_floats (narrow, 2 * 1000);
  g_autofree char *nan_b = NULL;
  g_autofree char *bad_char = g_strdup (good);
  struct { const char *name; char *text; int code; const char *needle; } cases[] = {
    { "truncated.tsv", g_strdup_printf ("k\t{\"num_boxes\": 2, \"features\": \"%.*s",
                                        (int) strlen (good) / 2, good),
      OV_ERROR_TRUNCATED, "truncated" },
    { "short.tsv", g_strdup_printf ("k\t{\"num_boxes\": 2, \"features\": \"%.*s\"}",
                                    (int) strlen (good) - 5, good), OV_ERROR_FORMAT, "base64" },
    { "badchar.tsv", NULL, OV_ERROR_FORMAT, "base64 character" },
    { "count.tsv", g_strdup_printf ("k\t{\"num_boxes\": 3, \"features\": \"%s\"}", good),
      OV_ERROR_SHAPE, "num_boxes" },
    { "width.tsv", g_strdup_printf ("k\t{\"num_boxes\": 2, \"features\": \"%s\"}", narrow_b),
      OV_ERROR_SHAPE, "1000 wide" },
    { "nan.tsv", NULL, OV_ERROR_INVALID_INPUT, "non-finite" },
    { "vinvl-cols.tsv", g_strdup_printf ("k\tx2\t%s\n", good), OV_ERROR_FORMAT, NULL },
    { "nokey.tsv", g_strdup_printf ("\t2\t%s\n", good), OV_ERROR_FORMAT, "key" },
  };

  bad_char[10] = '*';
  f[2054 + 17] = NAN;
  nan_b = b64_floats (f, 2 * 2054);
  cases[2].text = g_strdup_printf ("k\t{\"num_boxes\": 2, \"features\": \"%s\"}", bad_char);
  cases[5].text = g_strdup_printf ("k\t2\t%s\n", nan_b);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (dir, cases[i].name, cases[i].text);

      g_test_message ("%s", cases[i].name);
      if (g_str_equal (cases[i].name, "vinvl-cols.tsv"))
        {
          /* Not recognisable as any format: refused when opening. */
          g_autoptr(GError) error = NULL;

          g_assert_null (ov_dataset_open (path, NULL, &error));
          g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
        }
      else
        expect_load_error (path, cases[i].code, cases[i].needle);
      g_free (cases[i].text);
    }
  remove_tree (dir);
}

static void
test_corrupt_detections (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree float *f = make_features (1, 2048);
  g_autofree char *fb = b64_floats (f, 2048);
  g_autofree char *boxes_b = NULL;
  g_autofree char *feat2 = NULL;
  float boxes[8] = { 1, 2, 30, 40, 5, 6, 50, 60 };
  g_autofree float *ff = make_features (2, 2048);
  struct { const char *name; char *text; int code; const char *needle; } cases[] = {
    { "json.tsv", g_strdup ("k\t[{\"rect\": [1, 2, 3, 4], \"class\": \"a\"\n"), OV_ERROR_FORMAT,
      "invalid JSON" },
    { "nan.tsv", g_strdup ("k\t[{\"rect\": [1, 2, NaN, 4], \"class\": \"a\"}]\n"),
      OV_ERROR_FORMAT, NULL },
    { "rect.tsv", g_strdup ("k\t[{\"rect\": [1, 2, 3], \"class\": \"a\"}]\n"), OV_ERROR_FORMAT,
      "rect" },
    { "outside.tsv", g_strdup ("k\t{\"objects\": [{\"rect\": [1, 2, 300, 4], \"class\": \"a\"}], "
                               "\"image_w\": 100, \"image_h\": 50}\n"),
      OV_ERROR_INVALID_INPUT, "outside" },
    { "swapped.tsv", g_strdup ("k\t[{\"rect\": [30, 2, 3, 4], \"class\": \"a\"}]\n"),
      OV_ERROR_INVALID_INPUT, "swapped" },
    { "attrs.tsv", g_strdup ("k\t[{\"rect\": [1, 2, 3, 4], \"class\": \"a\", \"attributes\": "
                             "[\"x\", \"y\"], \"attr_scores\": [0.5]}]\n"), OV_ERROR_FORMAT,
      "attr_scores" },
    { "somefeat.tsv", g_strdup_printf ("k\t[{\"rect\": [1, 2, 3, 4], \"feature\": \"%s\"}, "
                                       "{\"rect\": [1, 2, 3, 4]}]\n", fb), OV_ERROR_FORMAT,
      "some objects" },
    { "butd-count.tsv", NULL, OV_ERROR_SHAPE, "box values" },
    { "butd-cols.tsv", NULL, OV_ERROR_FORMAT, "columns" },
  };

  boxes_b = b64_floats (boxes, 8);
  feat2 = b64_floats (ff, 2 * 2048);
  cases[7].text = g_strdup_printf ("7\t100\t80\t3\t%s\t%s\n", boxes_b, feat2);
  cases[8].text = g_strdup_printf ("7\t100\t80\t2\t%s\t%s\textra\n", boxes_b, feat2);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (dir, cases[i].name, cases[i].text);

      g_test_message ("%s", cases[i].name);
      if (g_str_equal (cases[i].name, "butd-cols.tsv"))
        {
          /* Seven columns: neither layout. */
          g_autoptr(GError) error = NULL;

          g_assert_null (ov_dataset_open (path, NULL, &error));
          g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
        }
      else
        expect_load_error (path, cases[i].code, cases[i].needle);
      g_free (cases[i].text);
    }
  remove_tree (dir);
}

static void
test_corrupt_lineidx_and_pairs (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *labels = write_file (dir, "a.label.tsv",
                                        "k1\t[{\"class\": \"a\", \"rect\": [0, 0, 1, 1]}]\n"
                                        "k2\t[{\"class\": \"b\", \"rect\": [0, 0, 1, 1]}]\n");
  g_autofree char *idx = write_file (dir, "a.label.lineidx", "0\n10\n");
  g_autofree char *beyond = write_file (dir, "b.label.tsv", "k1\t[]\n");
  g_autofree char *beyond_idx = write_file (dir, "b.label.lineidx", "0\n999\n");
  g_autofree char *f = NULL;
  g_autofree float *v = make_features (1, 2054);
  g_autofree char *vb = b64_floats (v, 2054);
  g_autofree char *ftext = g_strdup_printf ("k1\t1\t%s\n", vb);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = NULL;
  g_autoptr(OvSample) s = NULL;

  /* A .lineidx whose offsets do not fall on line starts. */
  ds = ov_dataset_open (labels, NULL, &error);
  g_assert_no_error (error);
  s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "lineidx"));
  g_clear_error (&error);

  g_assert_null (ov_dataset_open (beyond, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "999"));
  g_clear_error (&error);

  /* An empty .lineidx, or one without the first row, would hide rows. */
  {
    g_autofree char *t = write_file (dir, "d.label.tsv", "k1\t[]\nk2\t[]\n");
    g_autofree char *t_idx = write_file (dir, "d.label.lineidx", "");

    g_assert_null (ov_dataset_open (t, NULL, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, t_idx));
    g_assert_nonnull (strstr (error->message, "lists no rows"));
    g_clear_error (&error);
    g_free (write_file (dir, "d.label.lineidx", "6\n"));
    g_assert_null (ov_dataset_open (t, NULL, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, t_idx));
    g_assert_nonnull (strstr (error->message, "first offset is 6"));
    g_clear_error (&error);
  }

  /* Row counts that differ cannot be paired row by row. */
  g_remove (idx);
  f = write_file (dir, "a.features.tsv", ftext);
  {
    OvDatasetFiles files = { .features = f, .labels = labels };

    g_assert_null (ov_dataset_open_files (&files, NULL, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "2 rows"));
    g_clear_error (&error);
  }
  /* the other way round, in the singular */
  {
    g_autofree char *one = write_file (dir, "c.label.tsv",
                                       "k1\t[{\"class\": \"a\", \"rect\": [0, 0, 1, 1]}]\n");
    g_autofree char *two_text = g_strdup_printf ("%sk2\t1\t%s\n", ftext, vb);
    g_autofree char *two = write_file (dir, "c.features.tsv", two_text);
    OvDatasetFiles files = { .features = two, .labels = one };

    g_assert_null (ov_dataset_open_files (&files, NULL, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "c.label.tsv has 1 row but"));
    g_clear_error (&error);
  }
  /* A feature file given as labels is refused with both names. */
  {
    OvDatasetFiles files = { .features = labels };

    g_assert_null (ov_dataset_open_files (&files, NULL, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_clear_error (&error);
  }
  remove_tree (dir);
}

static void
test_crlf_and_no_lineidx (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *labels = write_file (dir, "w.tsv",
                                        "a\t[{\"class\": \"x\", \"rect\": [0, 0, 1, 1]}]\r\n"
                                        "b\t[{\"class\": \"y z\", \"rect\": [0, 0, 2, 2]}]");
  g_autoptr(GError) error = NULL;
  g_autoptr(OvTsv) tsv = ov_tsv_open (labels, NULL, &error);
  g_autoptr(OvDataset) ds = NULL;
  g_autoptr(OvSample) s = NULL;
  g_autofree char *key = NULL;

  /* Offsets from a scan; Windows line ends and a missing final newline. */
  g_assert_no_error (error);
  g_assert_false (ov_tsv_has_lineidx (tsv));
  g_assert_cmpuint (ov_tsv_get_n_rows (tsv), ==, 2);
  key = ov_tsv_read_key (tsv, 0, &error);
  g_assert_cmpstr (key, ==, "a");
  ds = ov_dataset_open (labels, NULL, &error);
  g_assert_no_error (error);
  s = ov_dataset_load_key (ds, "b", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->regions[0].cls, ==, "y z");
  g_clear_pointer (&s, ov_sample_free);
  s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->key, ==, "a");
  remove_tree (dir);
}

/* Sample source options ----------------------------------------------------------- */

static void
test_sample_source (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  g_autofree char *feats = ov_test_shared_path ("oracle", "data", "features.tsv", NULL);
  g_autofree char *labels = ov_test_shared_path ("oracle", "data", "labels.tsv", NULL);
  g_autofree char *img = ov_test_shared_path ("data", "images", "edge-cases",
                                              "pillow-hopper_orientation_6-exif.jpg", NULL);
  g_autofree char *coco = ov_test_shared_path ("data", "images", "coco-000000391895.jpg", NULL);
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvSample) s = NULL;
  OvSampleSourceOptions opts;
  g_autofree char *hw = ov_test_shared_path ("oracle", "data", "hw.tsv", NULL);
  char *args[] = { "cmd", "--features", feats, "--labels", labels, "--key", "coco_street",
                   "--image", coco, "--hw", hw, NULL };
  char **argv = args;
  int argc = G_N_ELEMENTS (args) - 1;

  ov_sample_source_options_init (&opts);
  g_option_context_add_group (ctx, ov_sample_source_option_group (&opts));
  g_assert_true (g_option_context_parse (ctx, &argc, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (opts.key, ==, "coco_street");
  s = ov_sample_source_load (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->n_regions, ==, 60);
  g_assert_cmpuint (s->feature_dim, ==, 2054);
  g_assert_nonnull (s->tags);
  g_assert_true (g_str_has_prefix (s->tags, "car street building traffic light"));
  /* hw.tsv says 1024×768 (synthetic detections), the photo is 640×360:
   * the boxes keep hw's frame and the difference is reported. */
  g_assert_cmpstr (s->image_path, ==, coco);
  g_assert_cmpint (s->width, ==, 1024);
  g_assert_cmpuint (s->warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (s->warnings, 0), "640×360"));
  g_clear_pointer (&s, ov_sample_free);

  /* Without hw.tsv the photo's size is all there is, and boxes fall outside it. */
  g_clear_pointer (&opts.hw, g_free);
  g_assert_null (ov_sample_source_load (&opts, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "outside"));
  g_clear_error (&error);
  ov_sample_source_options_clear (&opts);

  ov_sample_source_options_init (&opts);
  opts.dataset = g_strdup (yaml);
  opts.row = 3;
  s = ov_sample_source_load (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->key, ==, "coco_beach");
  {
    g_autofree char *joined = ov_sample_dup_tag_string (s);

    g_assert_cmpstr (s->tags, ==, joined);
  }
  ov_sample_source_options_clear (&opts);
  g_clear_pointer (&s, ov_sample_free);

  /* An image alone: size from the header, in the chosen frame. */
  ov_sample_source_options_init (&opts);
  opts.image = g_strdup (img);
  opts.box_frame = g_strdup ("displayed");
  s = ov_sample_source_load (&opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->key, ==, "pillow-hopper_orientation_6-exif");
  g_assert_cmpint (s->width, ==, 128);
  g_assert_null (s->features);
  ov_sample_source_options_clear (&opts);
  g_clear_pointer (&s, ov_sample_free);

  /* Errors. */
  ov_sample_source_options_init (&opts);
  g_assert_null (ov_sample_source_load (&opts, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_clear_error (&error);
  opts.dataset = g_strdup (yaml);
  /* a row or key the dataset lacks is a bad option value */
  opts.row = 4;
  g_assert_null (ov_sample_source_load (&opts, NULL, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "--row 4"));
  g_clear_error (&error);
  opts.row = -1;
  opts.key = g_strdup ("no_such_image");
  g_assert_null (ov_sample_source_load (&opts, NULL, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "no_such_image"));
  g_clear_error (&error);
  g_clear_pointer (&opts.key, g_free);
  opts.row = 4;
  opts.key = g_strdup ("coco_beach");
  g_assert_null (ov_sample_source_load (&opts, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  opts.row = -1;
  opts.box_frame = g_strdup ("sideways");
  g_assert_null (ov_sample_source_load (&opts, NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  ov_sample_source_options_clear (&opts);
}

/* /data/formats/dataset-extras: a split's sample gets its picture from
 * images/KEY.png beside the split and its questions from the yaml's qla:
 * file; a sample JSON's from KEY.jpg beside it; nothing is looked up for a
 * key that would lead out of the folder. */
static void
test_dataset_extras (void)
{
  g_autofree char *yaml = ov_test_source_path ("data", "demo", "scenes", "test.yaml", NULL);
  g_autofree char *qla = ov_test_source_path ("data", "demo", "scenes", "test_qla.json", NULL);
  g_autofree char *png = ov_test_source_path ("data", "demo", "scenes", "images", "300002.png",
                                              NULL);
  g_autofree char *tmp = g_dir_make_tmp ("ov-extras-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (tmp, "split", NULL);
  g_autofree char *json = g_build_filename (sub, "samples.json", NULL);
  g_autofree char *beside = g_build_filename (sub, "beside.jpg", NULL);
  g_autofree char *escape = g_build_filename (tmp, "escape.png", NULL);
  g_autoptr(JsonNode) qnode = ov_test_load_json (qla);
  JsonArray *qs = json_node_get_array (qnode);
  g_autoptr(OvDataset) ds = NULL;
  g_autoptr(OvDataset) js = NULL;
  g_autoptr(OvSample) s = NULL;
  g_autoptr(OvSample) a = NULL;
  g_autoptr(OvSample) b = NULL;
  g_autoptr(GError) error = NULL;
  guint k = 0;

  ds = ov_dataset_open (yaml, NULL, &error);
  g_assert_no_error (error);
  s = ov_dataset_load_key (ds, "300002", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->image_path, ==, png);
  /* the questions of 300002, in the file's order */
  for (guint i = 0; i < json_array_get_length (qs); i++)
    {
      JsonObject *q = json_array_get_object_element (qs, i);

      if (json_object_get_int_member (q, "img_id") != 300002)
        continue;
      g_assert_cmpuint (k, <, s->questions->len);
      g_assert_cmpstr (((OvQuestion *) g_ptr_array_index (s->questions, k))->question, ==,
                       json_object_get_string_member (q, "q"));
      k++;
    }
  g_assert_cmpuint (k, >, 0);
  g_assert_cmpuint (s->questions->len, ==, k);

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (beside, "not read", -1, NULL));
  g_assert_true (g_file_set_contents (escape, "not read", -1, NULL));
  g_assert_true (g_file_set_contents (json, "[{\"key\": \"beside\", \"boxes\": []}, "
                                      "{\"key\": \"../escape\", \"boxes\": []}]", -1, NULL));
  js = ov_dataset_open (json, NULL, &error);
  g_assert_no_error (error);
  a = ov_dataset_load_sample (js, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->image_path, ==, beside);
  b = ov_dataset_load_sample (js, 1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (b->image_path);

  g_unlink (json);
  g_unlink (beside);
  g_unlink (escape);
  g_rmdir (sub);
  g_rmdir (tmp);
}

/* /data/formats/feature-dict: torch-saved and safetensors dicts image id ->
 * (N, 2054), alone, beside an Oscar VQA json, and paired by key with a
 * label TSV in another order. The oracle's features are checked against
 * the img_feats that run_vqa.py's VQADataset built from the same .pt. */
static void
test_feature_dict (void)
{
  g_autofree char *qla = ov_test_shared_path ("oracle", "data", "vqa", "test2015_qla_mrcnn.json",
                                              NULL);
  g_autofree char *pt = ov_test_shared_path ("oracle", "data", "vqa",
                                             "test2015_img_frcnn_feats.pt", NULL);
  g_autofree char *epath = ov_test_shared_path ("oracle", "cases", "vqa_logits", "expected.json",
                                                NULL);
  g_autofree char *weights = ov_test_source_path ("tests", "fixtures", "checkpoint", "zip.pt",
                                                  NULL);
  g_autoptr(OvTestNpy) npy = ov_test_load_case_npy ("vqa_logits", "in_img_feats.npy");
  g_autofree float *want = ov_test_npy_as_f32 (npy);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonArray *qs = json_node_get_array (expected);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) alone = NULL;
  g_autoptr(OvDataset) beside = NULL;
  g_autoptr(OvDataset) bad = NULL;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *st = g_build_filename (dir, "feats.safetensors", NULL);
  g_autofree char *st_bad = g_build_filename (dir, "mixed.safetensors", NULL);
  g_autofree char *st_nan = g_build_filename (dir, "nan.safetensors", NULL);
  g_autofree char *labels = NULL;
  g_autofree float *f3 = make_features (3, OV_REGION_DIM);
  g_autofree float *f2 = make_features (2, OV_REGION_DIM);
  g_autofree float *f2048 = make_features (2, OV_REGION_APPEARANCE_DIM);
  gint32 ints[OV_REGION_DIM] = { 0 };
  guint rows = (guint) npy->shape[1], width = (guint) npy->shape[2];

  g_assert_cmpuint (width, ==, OV_REGION_DIM);

  /* the .pt alone: one sample per entry, in file order */
  alone = ov_dataset_open (pt, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ov_dataset_get_kind (alone), ==, OV_FILE_FEATURE_DICT);
  g_assert_cmpstr (ov_file_kind_role (OV_FILE_FEATURE_DICT), ==, "features");
  g_assert_cmpuint (ov_dataset_get_n_samples (alone), ==, 2);
  g_assert_cmpint (ov_dataset_find_key (alone, "1002", NULL, &error), ==, 1);
  g_assert_cmpint (ov_dataset_find_key (alone, "1003", NULL, &error), ==, -1);
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_clear_error (&error);

  /* the VQA json finds {split}_img_frcnn_feats.pt beside it; each question's
   * features equal the rows VQADataset fed the model, then zero padding */
  beside = ov_dataset_open (qla, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ov_dataset_get_kind (beside), ==, OV_FILE_VQA_JSON);
  for (guint q = 0; q < json_array_get_length (qs); q++)
    {
      JsonObject *e = json_array_get_object_element (qs, q);
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              json_object_get_int_member (e, "img_id"));
      g_autoptr(OvSample) s = ov_dataset_load_key (beside, key, NULL, NULL, NULL, &error);
      g_autoptr(OvSample) a = NULL;
      const float *w = want + (gsize) q * rows * width;

      g_assert_no_error (error);
      g_assert_cmpuint (s->feature_dim, ==, OV_REGION_DIM);
      g_assert_cmpuint (s->n_features, >, 0);
      g_assert_cmpuint (s->n_features, <=, rows);
      g_assert_cmpuint (s->warnings->len, ==, 0);
      g_assert_cmpmem (s->features, (gsize) s->n_features * width * sizeof (float),
                       w, (gsize) s->n_features * width * sizeof (float));
      for (gsize i = (gsize) s->n_features * width; i < (gsize) rows * width; i++)
        g_assert_cmpfloat (w[i], ==, 0.0f);

      a = ov_dataset_load_key (alone, key, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (a->n_features, ==, s->n_features);
      g_assert_cmpmem (a->features, (gsize) a->n_features * width * sizeof (float),
                       s->features, (gsize) s->n_features * width * sizeof (float));
    }

  /* safetensors, (N, D) and (1, N, D), paired by key with a label TSV that
   * lists the images the other way round */
  {
    OvTensorView views[] = {
      { "img_a", OV_DTYPE_F32, 2, { 3, OV_REGION_DIM }, f3 },
      { "img_b", OV_DTYPE_F32, 3, { 1, 2, OV_REGION_DIM }, f2 },
    };
    g_autoptr(OvDataset) ds = NULL;
    g_autoptr(OvSample) s = NULL;
    OvDatasetFiles files = { NULL };

    g_assert_true (ov_safetensors_write (st, views, G_N_ELEMENTS (views), &error));
    g_assert_no_error (error);
    labels = write_file (dir, "labels.tsv",
                         "img_b\t[{\"class\": \"dog\", \"rect\": [0, 0, 5, 5]}, "
                         "{\"class\": \"cat\", \"rect\": [1, 1, 4, 4]}]\n"
                         "img_a\t[{\"class\": \"sky\", \"rect\": [0, 0, 9, 9]}]\n");
    files.features = st;
    files.labels = labels;
    ds = ov_dataset_open_files (&files, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ov_dataset_get_n_samples (ds), ==, 2);
    s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (s->key, ==, "img_b");
    g_assert_cmpuint (s->n_regions, ==, 2);
    g_assert_cmpuint (s->n_features, ==, 2);
    g_assert_cmpmem (s->features, sizeof (float) * 2 * OV_REGION_DIM, f2,
                     sizeof (float) * 2 * OV_REGION_DIM);
    g_clear_pointer (&s, ov_sample_free);
    s = ov_dataset_load_sample (ds, 1, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (s->key, ==, "img_a");
    g_assert_cmpuint (s->n_features, ==, 3);
    g_assert_cmpfloat (s->features[2 * OV_REGION_DIM + 5], ==, f3[2 * OV_REGION_DIM + 5]);
    /* three rows for one box: allowed, said */
    g_assert_cmpuint (s->warnings->len, ==, 1);
  }

  /* entries that are not region features: named when the file is opened */
  {
    OvTensorView mixed[] = {
      { "img_a", OV_DTYPE_F32, 2, { 3, OV_REGION_DIM }, f3 },
      { "img_c", OV_DTYPE_F32, 2, { 2, OV_REGION_APPEARANCE_DIM }, f2048 },
    };
    OvTensorView ints_view[] = { { "img_d", OV_DTYPE_I32, 2, { 1, OV_REGION_DIM }, ints } };
    OvTensorView flat[] = { { "img_e", OV_DTYPE_F32, 1, { OV_REGION_DIM }, f3 } };
    const OvTensorView *cases[] = { mixed, ints_view, flat };
    const guint n_views[] = { 2, 1, 1 };
    const char *names[] = { "img_c", "img_d", "img_e" };

    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        g_assert_true (ov_safetensors_write (st_bad, cases[c], n_views[c], &error));
        bad = ov_dataset_open (st_bad, NULL, &error);
        g_assert_null (bad);
        g_assert_error (error, OV_ERROR, OV_ERROR_SHAPE);
        g_assert_nonnull (strstr (error->message, st_bad));
        g_assert_nonnull (strstr (error->message, names[c]));
        g_clear_error (&error);
      }
  }

  /* a checkpoint is not a dataset */
  bad = ov_dataset_open (weights, NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "model weights"));
  g_clear_error (&error);

  /* a non-finite value names the image and the region */
  {
    OvTensorView v[] = { { "img_f", OV_DTYPE_F32, 2, { 3, OV_REGION_DIM }, f3 } };
    g_autoptr(OvDataset) ds = NULL;
    g_autoptr(OvSample) s = NULL;

    f3[2 * OV_REGION_DIM + 7] = NAN;
    g_assert_true (ov_safetensors_write (st_nan, v, 1, &error));
    ds = ov_dataset_open (st_nan, NULL, &error);
    g_assert_no_error (error);
    s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
    g_assert_null (s);
    g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "img_f"));
    g_assert_nonnull (strstr (error->message, "region 2"));
    g_assert_nonnull (strstr (error->message, "column 7"));
    g_clear_error (&error);
  }

  /* a label whose image the dict lacks */
  {
    g_autofree char *more = write_file (dir, "more.tsv",
                                        "img_z\t[{\"class\": \"dog\", \"rect\": [0, 0, 5, 5]}]\n");
    OvDatasetFiles files = { NULL };
    g_autoptr(OvDataset) ds = NULL;
    g_autoptr(OvSample) s = NULL;

    files.features = st;
    files.labels = more;
    ds = ov_dataset_open_files (&files, NULL, &error);
    g_assert_no_error (error);
    s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
    g_assert_null (s);
    g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
    g_assert_nonnull (strstr (error->message, "img_z"));
    g_clear_error (&error);
  }
  remove_tree (dir);
}

/* /data/formats/json-escapes: an escaped NUL and lone surrogates in a
 * question (json-glib would cut the question at the NUL, and turn a lone
 * surrogate into bytes that are not UTF-8, losing the character after it)
 * read as U+FFFD, which the tokenizer drops as Python's BERT tokenizer drops
 * those characters; a surrogate pair stays the character it encodes. Read
 * from a file and from memory alike. */
static void
test_json_escapes (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = write_file (dir, "escapes_qla.json",
    "[{\"q\": \"what col\\u0000or is it\\ud800x ?\", \"o\": \"dog\", \"img_id\": 7},"
    " {\"q\": \"\\udc00is it \\ud83d\\ude00 ?\", \"o\": \"dog\", \"img_id\": 7},"
    " {\"q\": \"\\\\u0000 stays \\\\ud800\", \"o\": \"dog\", \"img_id\": 7}]");
  g_autofree char *vocab = ov_test_shared_path ("data", "vocab", "bert-base-uncased-vocab.txt",
                                                NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) samples = ov_vqa_json_load (path, &error);
  g_autoptr(OvTokenizer) tok = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  OvSample *sample;

  g_assert_no_error (error);
  sample = g_ptr_array_index (samples, 0);
  g_assert_cmpstr (((OvQuestion *) g_ptr_array_index (sample->questions, 0))->question, ==,
                   "what col\xef\xbf\xbdor is it\xef\xbf\xbdx ?");
  g_assert_cmpstr (((OvQuestion *) g_ptr_array_index (sample->questions, 1))->question, ==,
                   "\xef\xbf\xbdis it \xf0\x9f\x98\x80 ?");
  /* escaped backslashes are not escapes */
  g_assert_cmpstr (((OvQuestion *) g_ptr_array_index (sample->questions, 2))->question, ==,
                   "\\u0000 stays \\ud800");

  tok = ov_tokenizer_new_from_files (vocab, NULL, NULL, TRUE, &error);
  g_assert_no_error (error);
  pieces = ov_tokenizer_tokenize (tok, ((OvQuestion *) g_ptr_array_index (sample->questions,
                                                                         0))->question);
  /* Python: "what col\x00or is it\ud800x ?" -> what color is itx ? */
  g_assert_cmpuint (pieces->len, ==, 6);
  g_assert_cmpstr (g_ptr_array_index (pieces, 1), ==, "color");
  g_assert_cmpstr (g_ptr_array_index (pieces, 3), ==, "it");
  g_assert_cmpstr (g_ptr_array_index (pieces, 4), ==, "##x");

  g_assert_true (ov_json_load_data (parser, "[\"a\\u0000b\", \"\\ud800\"]", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (
                     json_parser_get_root (parser)), 0), ==, "a\xef\xbf\xbd" "b");
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (
                     json_parser_get_root (parser)), 1), ==, "\xef\xbf\xbd");
  /* a message still names the line and column of the fault */
  g_assert_false (ov_json_load_data (parser, "[\"\\u0000\",\n x]", -1, &error));
  g_assert_nonnull (strstr (error->message, "line 2"));
  remove_tree (dir);
}

/* /data/formats/vqa-references: Oscar's "an"/"s" are kept as label ids
 * with soft scores, survive our sample JSON, and bad ones are named. */
static void
test_vqa_references (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *good = write_file (dir, "good_qla.json",
    "[{\"q\": \"what is it ?\", \"o\": \"dog\", \"img_id\": 7, \"an\": [3, 0], \"s\": [1, 0.3]},"
    " {\"q\": \"is it red ?\", \"o\": \"dog\", \"img_id\": 7, \"an\": [], \"s\": []},"
    " {\"q\": \"where ?\", \"o\": \"dog\", \"img_id\": 7}]");
  const char *bad[][2] = {
    { "[{\"q\": \"a\", \"img_id\": 1, \"an\": [1, 2], \"s\": [1.0]}]", "same length" },
    { "[{\"q\": \"a\", \"img_id\": 1, \"an\": [1], \"s\": [1.5]}]", "outside 0..1" },
    { "[{\"q\": \"a\", \"img_id\": 1, \"an\": [-1], \"s\": [1.0]}]", "label id" },
    { "[{\"q\": \"a\", \"img_id\": 1, \"an\": [\"yes\"], \"s\": [1.0]}]", "label id" },
    { "[{\"q\": \"a\", \"img_id\": 1, \"an\": [1]}]", "same length" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) samples = ov_vqa_json_load (good, &error);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(OvSample) back = NULL;
  const OvQuestion *q;

  g_assert_no_error (error);
  g_assert_cmpuint (samples->len, ==, 1);
  q = g_ptr_array_index (((OvSample *) g_ptr_array_index (samples, 0))->questions, 0);
  g_assert_cmpuint (q->n_labels, ==, 2);
  g_assert_cmpint (q->labels[0], ==, 3);
  g_assert_cmpint (q->labels[1], ==, 0);
  g_assert_cmpfloat (q->label_scores[1], ==, 0.3);
  g_assert_cmpfloat (ov_question_label_score (q, 0), ==, 0.3);
  g_assert_cmpfloat (ov_question_label_score (q, 5), ==, 0.0);
  g_assert_true (ov_question_has_reference (q));
  g_assert_false (ov_question_has_reference (g_ptr_array_index (
    ((OvSample *) g_ptr_array_index (samples, 0))->questions, 1)));
  /* found as a person writes it */
  g_assert_true (ov_sample_find_question (g_ptr_array_index (samples, 0), " What is it? ") == q);
  g_assert_null (ov_sample_find_question (g_ptr_array_index (samples, 0), "what is that?"));
  /* the file's own tokenized form, doubled spaces, another Unicode form */
  g_assert_true (ov_sample_find_question (g_ptr_array_index (samples, 0), "What is it ?") == q);
  g_assert_true (ov_sample_find_question (g_ptr_array_index (samples, 0), "what  is\tit?") == q);
  g_assert_true (ov_sample_find_question (g_ptr_array_index (samples, 0),
                                          "\xef\xbd\x97hat is it?") == q);

  node = ov_sample_to_json (g_ptr_array_index (samples, 0));
  back = ov_sample_from_json (node, dir, "round trip", &error);
  g_assert_no_error (error);
  q = g_ptr_array_index (back->questions, 0);
  g_assert_cmpuint (q->n_labels, ==, 2);
  g_assert_cmpint (q->labels[0], ==, 3);
  g_assert_cmpfloat (q->label_scores[1], ==, 0.3);
  g_assert_cmpuint (((OvQuestion *) g_ptr_array_index (back->questions, 2))->n_labels, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = write_file (dir, "bad_qla.json", bad[i][0]);
      g_autoptr(GPtrArray) none = ov_vqa_json_load (path, &error);

      g_assert_null (none);
      g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, "entry 0"));
      g_assert_nonnull (strstr (error->message, bad[i][1]));
      g_clear_error (&error);
    }
  remove_tree (dir);
}

/* /data/formats/cut-short-pair: a feature TSV cut off inside its first row,
 * given with a longer label TSV, is said to be cut short rather than only
 * to differ in length; whole files of other lengths still differ. */
static void
test_cut_short_pair (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *labels = write_file (dir, "labels.tsv",
                                        "a\t[{\"class\": \"dog\", \"rect\": [0, 0, 5, 5]}]\n"
                                        "b\t[{\"class\": \"cat\", \"rect\": [0, 0, 5, 5]}]\n");
  g_autofree char *cut = write_file (dir, "cut.tsv", "a\t{\"num_boxes\": 1, \"features\": \"AAAA");
  g_autofree char *whole = write_file (dir, "whole.tsv",
                                       "a\t{\"num_boxes\": 0, \"features\": \"\"}\n");
  g_autoptr(GError) error = NULL;
  OvDatasetFiles files = { NULL };
  OvDataset *ds;

  files.labels = labels;
  files.features = cut;
  ds = ov_dataset_open_files (&files, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, OV_ERROR, OV_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "cut.tsv stops in the middle of its last row"));
  g_clear_error (&error);

  files.features = whole;
  ds = ov_dataset_open_files (&files, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* a last row that is whole but has no line end is not cut short */
  {
    g_autofree char *no_end = write_file (dir, "no-end.tsv",
                                          "a\t{\"num_boxes\": 0, \"features\": \"\"}");

    files.features = no_end;
    ds = ov_dataset_open_files (&files, NULL, &error);
    g_assert_null (ds);
    g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }
  remove_tree (dir);
}

/* /data/formats/vqa-features-beside: which .pt a VQA json takes from its
 * folder, as run_vqa.py names them: train2014_qla_mrcnn.json with
 * train_img_frcnn_feats.pt; a 2048-wide file is passed over, and a json
 * without features says what was looked for, with each sample. */
static void
test_vqa_features_beside (void)
{
  g_autofree char *pt = ov_test_shared_path ("oracle", "data", "vqa",
                                             "test2015_img_frcnn_feats.pt", NULL);
  g_autofree char *dir = tmp_dir ();
  g_autofree char *qla = write_file (dir, "train2014_qla_mrcnn.json",
                                     "[{\"q\": \"what is it ?\", \"o\": \"dog couch\", "
                                     "\"img_id\": 1001, \"an\": [1], \"s\": [1.0]}]");
  g_autofree char *link = g_build_filename (dir, "train_img_frcnn_feats.pt", NULL);
  g_autofree char *narrow = g_build_filename (dir, "train_img_obj_feats.pt", NULL);
  g_autofree float *f2048 = make_features (2, OV_REGION_APPEARANCE_DIM);
  OvTensorView view[] = { { "1001", OV_DTYPE_F32, 2, { 2, OV_REGION_APPEARANCE_DIM }, f2048 } };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (symlink (pt, link), ==, 0);
  {
    g_autoptr(OvDataset) ds = ov_dataset_open (qla, NULL, &error);
    g_autoptr(OvSample) s = NULL;

    g_assert_no_error (error);
    s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (s->n_features, ==, 12);
    g_assert_cmpuint (s->warnings->len, ==, 0);
  }

  /* only a 2048-wide file: the questions and tags open, without features */
  g_unlink (link);
  g_assert_true (ov_safetensors_write (narrow, view, 1, &error));
  {
    g_autoptr(OvDataset) ds = ov_dataset_open (qla, NULL, &error);
    g_autoptr(OvSample) s = NULL;
    const char *w;

    g_assert_no_error (error);
    s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (s->features);
    g_assert_cmpstr (s->tags, ==, "dog couch");
    g_assert_cmpuint (s->warnings->len, ==, 1);
    w = g_ptr_array_index (s->warnings, 0);
    g_assert_nonnull (strstr (w, "train2014_img_*_feats.pt or train_img_*_feats.pt"));
    g_assert_nonnull (strstr (w, "train_img_obj_feats.pt is 2048 wide"));
  }

  /* told to read no features, it looks for none */
  {
    OvDatasetFiles files = { NULL };
    g_autoptr(OvDataset) ds = NULL;
    g_autoptr(OvSample) s = NULL;

    g_assert_cmpint (symlink (pt, link), ==, 0);
    files.labels = qla;
    files.no_features = TRUE;
    ds = ov_dataset_open_files (&files, NULL, &error);
    g_assert_no_error (error);
    s = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (s->features);
    g_assert_cmpuint (s->warnings->len, ==, 0);
  }
  remove_tree (dir);
}

/* /data/formats/linelist: a split yaml's linelist picks and orders the rows
 * of its files; a key outside it, or a row past the files, is named. */
static void
test_linelist (void)
{
  const char *names[] = { "train.yaml", "train.tsv", "train.lineidx", "train.label.tsv",
                          "train.label.lineidx", "train.hw.tsv", "train.hw.lineidx",
                          "train.labelmap.tsv" };
  g_autofree char *dir = tmp_dir ();
  g_autofree char *yaml = g_build_filename (dir, "train.yaml", NULL);
  g_autofree char *list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = NULL;
  g_autoptr(OvSample) s = NULL;
  g_autofree char *key = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *from = ov_test_shared_path ("data", "formats",
                                                   "scene_graph_benchmark-mini_tsv", names[i],
                                                   NULL);
      g_autofree char *text = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (from, &text, &len, NULL));
      g_free (write_file (dir, names[i], text));
    }
  list = write_file (dir, "train.linelist.tsv", "2\n0\t7\n\n");
  ds = ov_dataset_open (yaml, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_dataset_get_n_samples (ds), ==, 2);
  key = ov_dataset_dup_key (ds, 0, &error);
  g_assert_cmpstr (key, ==, "000000391895");
  s = ov_dataset_load_sample (ds, 1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->key, ==, "000000522418");
  g_assert_cmpint (s->width, ==, 640);
  g_assert_cmpint (s->height, ==, 480);
  g_assert_cmpint (ov_dataset_find_key (ds, "000000522418", NULL, &error), ==, 1);
  g_assert_cmpint (ov_dataset_find_key (ds, "000000184613", NULL, &error), ==, -1);
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "linelist leaves out"));
  g_clear_error (&error);
  g_clear_pointer (&ds, ov_dataset_free);

  /* a key that comes twice: the linelist's copy of it is found */
  {
    g_autofree char *labels = g_build_filename (dir, "train.label.tsv", NULL);
    g_autofree char *lineidx = g_build_filename (dir, "train.label.lineidx", NULL);
    g_autofree char *text = NULL;
    g_autofree char *first = NULL;
    g_autofree char *more = NULL;

    g_assert_true (g_file_get_contents (labels, &text, NULL, NULL));
    first = g_strndup (text, strchr (text, '\n') - text + 1);
    more = g_strconcat (text, text[strlen (text) - 1] == '\n' ? "" : "\n", first, NULL);
    g_assert_true (g_file_set_contents (labels, more, -1, NULL));
    g_unlink (lineidx);
    g_free (write_file (dir, "train.linelist.tsv", "3\n"));
    ds = ov_dataset_open (yaml, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ov_dataset_get_n_samples (ds), ==, 1);
    g_assert_cmpint (ov_dataset_find_key (ds, "000000522418", NULL, &error), ==, 0);
    g_assert_no_error (error);
    g_clear_pointer (&ds, ov_dataset_free);
  }

  g_free (write_file (dir, "train.linelist.tsv", "1\n4\n"));
  ds = ov_dataset_open (yaml, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "line 2: row 4, but"));
  g_clear_error (&error);
  g_free (write_file (dir, "train.linelist.tsv", "\n\n"));
  ds = ov_dataset_open (yaml, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "names no rows"));
  g_clear_error (&error);
  g_free (write_file (dir, "train.linelist.tsv", "one\n"));
  ds = ov_dataset_open (yaml, NULL, &error);
  g_assert_null (ds);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_clear_error (&error);
  remove_tree (dir);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* /data/formats/cbs-constraints: NoCaps' constraint choice against the
 * original's ConstraintFilter run by tools/cbs-reference.py (as sets: the
 * original orders them through a Python set), read through a split yaml's
 * cbs_* files; then the order here (most confident first), an image the box
 * file lacks, and bad files named in the errors. */
static void
test_cbs_constraints (void)
{
  g_autofree char *epath = ov_test_source_path ("tests", "fixtures", "cbs.json", NULL);
  g_autoptr(JsonNode) expected = ov_test_load_json (epath);
  JsonObject *root = json_node_get_object (expected);
  JsonArray *cases = json_object_get_array_member (root, "filter");
  g_autofree char *dir = tmp_dir ();
  g_autoptr(GString) boxes = g_string_new (NULL);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *hierarchy = NULL, *yaml = NULL, *bad = NULL, *boxes_path = NULL;
  g_autoptr(OvCbsFiles) files = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) none = NULL, ordered = NULL;
  const OvCbsBox order[] = { { "Cat", 0.3 }, { "Dog", 0.9 }, { "Person", 0.95 },
                             { "Band-aid", 0.5 }, { "Dog", 0.8 } };

  json_generator_set_root (gen, json_object_get_member (root, "hierarchy"));
  hierarchy = json_generator_to_data (gen, NULL);
  g_free (write_file (dir, "hierarchy.json", hierarchy));
  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *co = json_array_get_object_element (cases, c);
      g_autofree char *row = NULL;

      json_generator_set_root (gen, json_object_get_member (co, "boxes"));
      row = json_generator_to_data (gen, NULL);
      g_string_append_printf (boxes, "%s\t%s\n", json_object_get_string_member (co, "name"),
                              row);
    }
  boxes_path = write_file (dir, "boxes.tsv", boxes->str);
  g_free (write_file (dir, "pieces.tsv", "hydrant\th,##yd,##rant\n\n"));
  g_free (write_file (dir, "forms.tsv", "dog\tdog,dogs\n"));
  yaml = write_file (dir, "test.yaml", "feature: f.tsv\ncbs_box: boxes.tsv\n"
                     "cbs_constraint: pieces.tsv\ncbs_tokenforms: forms.tsv\n"
                     "cbs_hierarchy: hierarchy.json\n");
  files = ov_cbs_files_load_yaml (yaml, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *co = json_array_get_object_element (cases, c);
      JsonArray *want = json_object_get_array_member (co, "constraints");
      g_auto(GStrv) got = ov_cbs_files_pick (files, json_object_get_string_member (co, "name"),
                                             &error);

      g_assert_no_error (error);
      qsort (got, g_strv_length (got), sizeof (char *), compare_strings);
      g_assert_cmpuint (g_strv_length (got), ==, json_array_get_length (want));
      for (guint i = 0; got[i] != NULL; i++)
        g_assert_cmpstr (got[i], ==, json_array_get_string_element (want, i));
    }
  {
    OvCaptionConstraints cc = { 0 };
    const char * const *dog;

    ov_cbs_files_fill (files, &cc);
    dog = g_hash_table_lookup (cc.piece_forms, "dog");
    g_assert_cmpstr (dog[1], ==, "dogs");
    g_assert_cmpstr (((const char * const *) g_hash_table_lookup (cc.word_pieces,
                                                                  "hydrant"))[2], ==, "##rant");
  }
  /* most confident first, a name once, excluded classes gone, replaced names */
  ordered = ov_cbs_pick_constraints (order, G_N_ELEMENTS (order), NULL, 3);
  g_assert_cmpuint (g_strv_length (ordered), ==, 2);
  g_assert_cmpstr (ordered[0], ==, "dog");
  g_assert_cmpstr (ordered[1], ==, "bandaid");
  /* an image without boxes has no constraints */
  none = ov_cbs_files_pick (files, "not-there", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  /* bad files */
  bad = write_file (dir, "bad.tsv", "dog dog,dogs\n");
  g_clear_pointer (&files, ov_cbs_files_free);
  files = ov_cbs_files_load (boxes_path, NULL, bad, NULL, &error);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "bad.tsv: line 1 has no tab"));
  g_clear_error (&error);
  g_free (bad);
  bad = write_file (dir, "bad.json", "{\"LabelName\": \"Entity\", \"Subcategory\": [3]}");
  files = ov_cbs_files_load (boxes_path, NULL, NULL, bad, &error);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "not an Open Images class hierarchy"));
  g_clear_error (&error);
  g_free (bad);
  bad = write_file (dir, "bad-boxes.tsv", "img1\t{\"class\": \"dog\"}\nimg2\t[{\"class\": 3}]\n");
  files = ov_cbs_files_load (bad, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (ov_cbs_files_pick (files, "img1", &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "image “img1”: the boxes are not a JSON list"));
  g_clear_error (&error);
  g_assert_null (ov_cbs_files_pick (files, "img2", &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "box 1 has no “class” string"));
  g_clear_error (&error);
  g_clear_pointer (&files, ov_cbs_files_free);
  g_free (bad);
  bad = write_file (dir, "no-cbs.yaml", "feature: f.tsv\n");
  g_assert_null (ov_cbs_files_load_yaml (bad, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "names no cbs_box"));
  remove_tree (dir);
}

/* /data/formats/image-shape: a picture of another shape than its boxes'
 * frame is named (it is stretched to it); one of the same shape at another
 * size is only scaled. */
static void
test_image_shape (void)
{
  g_autofree char *photo = ov_test_shared_path ("data", "images", "coco-000000184613.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvImage) image = ov_image_load (photo, NULL, NULL, &error);
  g_autoptr(OvSample) s = ov_sample_new ("photo");
  g_autofree char *said = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 500);
  g_assert_cmpint (image->height, ==, 336);
  s->width = 640;
  s->height = 480;
  said = ov_sample_dup_image_mismatch (s, image, FALSE);
  g_assert_nonnull (said);
  g_assert_nonnull (strstr (said, "500×336"));
  g_assert_nonnull (strstr (said, "640×480"));
  g_clear_pointer (&said, g_free);
  /* twice the size, and a side rounded by a pixel: the same shape */
  s->width = 1000;
  s->height = 673;
  g_assert_null (ov_sample_dup_image_mismatch (s, image, FALSE));
}

/* A one-row LXMERT TSV of 2 boxes whose class ids are ids[0], ids[1]. */
static char *
write_lxmert (const char   *dir,
              const char   *name,
              const gint64 *ids)
{
  float boxes[8] = { 1, 2, 30, 40, 5, 6, 50, 60 };
  gint64 attr_id[2] = { 1, 0 };
  float conf[2] = { 0.75f, 0.5f };
  g_autofree float *f = make_features (2, 2048);
  g_autofree char *bb = b64_floats (boxes, 8), *fb = b64_floats (f, 2 * 2048);
  g_autofree char *oi = b64_int64s (ids, 2), *ai = b64_int64s (attr_id, 2);
  g_autofree char *oc = b64_floats (conf, 2);
  g_autofree char *text = g_strdup_printf ("img7\t80\t100\t%s\t%s\t%s\t%s\t2\t%s\t%s\n", oi, oc, ai,
                                           oc, bb, fb);

  return write_file (dir, name, text);
}

static void
test_class_names_formats (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autoptr(GError) error = NULL;
  const struct {
    const char *name, *text;
    guint       n;
    const char *first, *last;
  } good[] = {
    /* the VG vocab: synonyms after a comma, no final line end, CRLF */
    { "objects_vocab.txt", "yolk\r\nstop sign,stopsign\r\ndog", 3, "yolk", "dog" },
    { "trailing.txt", "\xef\xbb\xbfyolk\ncat\n\n", 2, "yolk", "cat" },
    /* coco-80-categories.tsv: the index column numbers the names */
    { "coco.tsv", "index\tcoco_category_id\tname\n1\t2\tbicycle\n0\t1\tperson\n", 2, "person",
      "bicycle" },
    /* VinVL's label map: 0 is the background, id k is label k + 1 */
    { "labelmap.json", "{\"label_to_idx\": {}, \"idx_to_label\": {\"2\": \"cat\", \"1\": "
      "\"yolk\"}}", 2, "yolk", "cat" },
    { "list.json", "[\"yolk\", \"cat\", \"dog\"]", 3, "yolk", "dog" },
  };
  const struct { const char *name, *text; gsize len; const char *says; } bad[] = {
    { "binary.txt", "yolk\n\0\x01\x02", 8, "not a list of class names" },
    { "latin1.txt", "caf\xe9\n", 5, "not a list of class names" },
    { "tabs.txt", "yolk\ncat\t3\n", 11, "holds a tab" },
    { "table.tsv", "id\tlabel\n0\tcat\n", 15, "no “name” column" },
    { "gap.tsv", "index\tname\n0\tcat\n2\tdog\n", 23, "no class 1" },
    { "other.json", "{\"label2ans\": []}", 17, "idx_to_label" },
    { "blank.txt", "yolk\n\ncat\n", 10, "line 2 is empty" },
    { "empty.txt", "\n", 1, "names no classes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *path = write_file (dir, good[i].name, good[i].text);
      g_autoptr(OvClassNames) names = ov_class_names_load (path, &error);
      g_autofree char *past = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (names->n_names, ==, good[i].n);
      g_assert_cmpstr (names->names[0], ==, good[i].first);
      g_assert_cmpstr (names->names[good[i].n - 1], ==, good[i].last);
      g_assert_null (names->names[good[i].n]);
      past = ov_class_names_dup_name (names, good[i].n, "here", &error);
      g_assert_null (past);
      g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_build_filename (dir, bad[i].name, NULL);
      g_autoptr(OvClassNames) names = NULL;

      g_file_set_contents (path, bad[i].text, (gssize) bad[i].len, &error);
      g_assert_no_error (error);
      names = ov_class_names_load (path, &error);
      g_test_message ("%s: %s", bad[i].name, error != NULL ? error->message : "loaded");
      g_assert_null (names);
      g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, bad[i].says));
      g_clear_error (&error);
    }
  remove_tree (dir);
}

/* --class-names names LXMERT ids however the file is given (--dataset too);
 * an id past the list is an error; without names the sample says so. */
static void
test_class_names_lxmert (void)
{
  g_autofree char *dir = tmp_dir ();
  gint64 ids[2] = { 0, 2 }, far[2] = { 0, 1599 };
  g_autofree char *lx = write_lxmert (dir, "lxmert.tsv", ids);
  g_autofree char *lx_far = write_lxmert (dir, "far.tsv", far);
  g_autofree char *names = write_file (dir, "objects_vocab.txt",
                                       "yolk\nstop sign,stopsign\ndog\n");
  g_autofree char *coco = write_file (dir, "coco.tsv", "index\tcoco_category_id\tname\n"
                                                       "0\t1\tperson\n1\t2\tbicycle\n"
                                                       "2\t3\tcar\n");
  g_autoptr(GError) error = NULL;

  for (guint way = 0; way < 3; way++)
    {
      OvSampleSourceOptions opts;
      g_autoptr(OvSample) s = NULL;

      ov_sample_source_options_init (&opts);
      if (way == 0)
        opts.dataset = g_strdup (lx);
      else if (way == 1)
        opts.features = g_strdup (lx);
      else
        opts.labels = g_strdup (lx);
      opts.class_names = g_strdup (names);
      s = ov_sample_source_load (&opts, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (s->tags, ==, "yolk dog");
      g_assert_false (s->classes_unnamed);
      g_clear_pointer (&opts.class_names, g_free);
      g_clear_pointer (&s, ov_sample_free);

      /* no names: placeholders, flagged, with a warning */
      s = ov_sample_source_load (&opts, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (s->classes_unnamed);
      g_assert_cmpstr (s->regions[1].cls, ==, "class2");
      g_assert_cmpuint (s->warnings->len, ==, 1);
      g_assert_nonnull (strstr (g_ptr_array_index (s->warnings, 0), "--class-names"));
      g_clear_pointer (&s, ov_sample_free);

      /* a table of names by index */
      opts.class_names = g_strdup (coco);
      s = ov_sample_source_load (&opts, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (s->tags, ==, "person car");
      ov_sample_source_options_clear (&opts);
    }
  {
    OvSampleSourceOptions opts;
    g_autoptr(OvSample) s = NULL;

    ov_sample_source_options_init (&opts);
    opts.dataset = g_strdup (lx_far);
    opts.class_names = g_strdup (names);
    s = ov_sample_source_load (&opts, NULL, &error);
    g_assert_null (s);
    g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, names));
    g_assert_nonnull (strstr (error->message, "class id 1599"));
    g_assert_nonnull (strstr (error->message, "names 3 classes"));
    g_clear_error (&error);
    ov_sample_source_options_clear (&opts);
  }
  remove_tree (dir);
}

/* VinVL predictions.tsv with each object's "feature" is a feature file;
 * --hw adds the sizes to a --dataset of one file; a file cut in its last
 * row is found by reading that row alone. */
static void
test_predictions_features_and_hw (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree float *f = make_features (2, 2048);
  g_autofree char *f0 = b64_floats (f, 2048), *f1 = b64_floats (f + 2048, 2048);
  g_autofree char *text = g_strdup_printf ("k1\t{\"objects\": [{\"rect\": [0, 0, 10, 20], "
                                           "\"class\": \"cat\", \"feature\": \"%s\"}, "
                                           "{\"rect\": [5, 5, 50, 40], \"class\": \"dog\", "
                                           "\"feature\": \"%s\"}]}\n", f0, f1);
  g_autofree char *pred = write_file (dir, "predictions.tsv", text);
  g_autofree char *labels = write_file (dir, "labels.tsv",
                                        "k1\t[{\"rect\": [0, 0, 10, 20], \"class\": \"cat\"}, "
                                        "{\"rect\": [5, 5, 50, 40], \"class\": \"dog\"}]\n");
  g_autofree char *hw = write_file (dir, "hw.tsv", "k1\t[{\"height\": 80, \"width\": 100}]\n");
  g_autoptr(GError) error = NULL;

  for (guint way = 0; way < 3; way++)
    {
      OvSampleSourceOptions opts;
      g_autoptr(OvSample) s = NULL;

      ov_sample_source_options_init (&opts);
      if (way == 0)
        opts.features = g_strdup (pred);
      else if (way == 1)
        {
          opts.features = g_strdup (pred);
          opts.labels = g_strdup (labels);
        }
      else
        opts.dataset = g_strdup (pred);
      /* without sizes the message names the options that give them */
      s = ov_sample_source_load (&opts, NULL, &error);
      g_assert_null (s);
      g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
      g_assert_nonnull (strstr (error->message, "--hw"));
      g_clear_error (&error);
      opts.hw = g_strdup (hw);
      s = ov_sample_source_load (&opts, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (s->tags, ==, "cat dog");
      g_assert_cmpuint (s->n_features, ==, 2);
      g_assert_cmpuint (s->feature_dim, ==, 2054);
      g_assert_cmpfloat (s->features[2048], ==, 0.0f);
      g_assert_cmpfloat_with_epsilon (s->features[2054 + 2051], 40.0 / 80, 1e-7);
      g_assert_cmpfloat (s->features[2054 + 7], ==, f[2048 + 7]);
      ov_sample_source_options_clear (&opts);
    }
  {
    /* a detection TSV without features is still no feature file */
    g_autoptr(OvDataset) ds = NULL;
    OvDatasetFiles files = { NULL };

    files.features = labels;
    ds = ov_dataset_open_files (&files, NULL, &error);
    g_assert_null (ds);
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "--labels"));
    g_clear_error (&error);
  }
  {
    /* the last row cut short: found, and only that row is read */
    g_autofree char *cut_text = g_strndup (text, strlen (text) - 40);
    g_autofree char *two = g_strdup_printf ("%s%s", text, cut_text);
    g_autofree char *cut = NULL;
    g_autoptr(OvDataset) ds = NULL;
    g_autoptr(GPtrArray) notes = NULL;

    two[strlen (text)] = 'k';
    two[strlen (text) + 1] = '2';
    cut = write_file (dir, "cut.tsv", two);
    ds = ov_dataset_open (cut, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ov_dataset_get_n_samples (ds), ==, 2);
    notes = ov_dataset_check_last_rows (ds, NULL);
    g_assert_cmpuint (notes->len, ==, 1);
    g_test_message ("%s", (char *) g_ptr_array_index (notes, 0));
    g_assert_nonnull (strstr (g_ptr_array_index (notes, 0), "cut short"));
    g_assert_nonnull (strstr (g_ptr_array_index (notes, 0), "row 1"));
    g_clear_pointer (&ds, ov_dataset_free);
    g_clear_pointer (&notes, g_ptr_array_unref);
    ds = ov_dataset_open (pred, NULL, &error);
    g_assert_no_error (error);
    notes = ov_dataset_check_last_rows (ds, NULL);
    g_assert_cmpuint (notes->len, ==, 0);
  }
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/formats/oracle-split", test_oracle_split);
  g_test_add_func ("/data/formats/oracle-captions-and-vqa", test_oracle_captions_and_vqa);
  g_test_add_func ("/data/formats/mini-tsv", test_mini_tsv);
  g_test_add_func ("/data/formats/box-turn", test_box_turn);
  g_test_add_func ("/data/formats/sniff", test_sniff);
  g_test_add_func ("/data/formats/vinvl-predictions", test_vinvl_predictions);
  g_test_add_func ("/data/formats/vinvl-features-lineidx", test_vinvl_features_and_lineidx);
  g_test_add_func ("/data/formats/oscar-pairing", test_oscar_pairing);
  g_test_add_func ("/data/formats/butd-and-lxmert", test_butd_and_lxmert);
  g_test_add_func ("/data/formats/sample-json-round-trip", test_sample_json_round_trip);
  g_test_add_func ("/data/formats/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/data/formats/corrupt-features", test_corrupt_features);
  g_test_add_func ("/data/formats/corrupt-detections", test_corrupt_detections);
  g_test_add_func ("/data/formats/corrupt-lineidx-and-pairs", test_corrupt_lineidx_and_pairs);
  g_test_add_func ("/data/formats/crlf-and-no-lineidx", test_crlf_and_no_lineidx);
  g_test_add_func ("/data/formats/sample-source", test_sample_source);
  g_test_add_func ("/data/formats/dataset-extras", test_dataset_extras);
  g_test_add_func ("/data/formats/feature-dict", test_feature_dict);
  g_test_add_func ("/data/formats/vqa-references", test_vqa_references);
  g_test_add_func ("/data/formats/json-escapes", test_json_escapes);
  g_test_add_func ("/data/formats/cut-short-pair", test_cut_short_pair);
  g_test_add_func ("/data/formats/vqa-features-beside", test_vqa_features_beside);
  g_test_add_func ("/data/formats/linelist", test_linelist);
  g_test_add_func ("/data/formats/cbs-constraints", test_cbs_constraints);
  g_test_add_func ("/data/formats/image-shape", test_image_shape);
  g_test_add_func ("/data/formats/class-names-formats", test_class_names_formats);
  g_test_add_func ("/data/formats/class-names-lxmert", test_class_names_lxmert);
  g_test_add_func ("/data/formats/predictions-features-and-hw",
                   test_predictions_features_and_hw);
  return g_test_run ();
}
