/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The demo world generator and the bundled demo files: same seed, same
 * bytes; every file parses as the format it claims; features are finite,
 * 2054 wide, and end with the box values of their detections; the feature
 * extractor reads only pixels inside its box.
 */
#include <cairo.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "data/ov-demo-world.h"
#include "data/ov-demo.h"
#include "data/ov-sample.h"
#include "model/ov-error.h"
#include "ov-test-util.h"

static char *
generate (guint64 seed, guint count, double error_rate, gboolean images)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ov-demo-world-XXXXXX", &error);
  OvDemoWorldOptions opts;

  g_assert_no_error (error);
  ov_demo_world_options_init (&opts);
  opts.seed = seed;
  opts.count = count;
  opts.first_id = 500;
  opts.error_rate = error_rate;
  opts.write_images = images;
  g_assert_true (ov_demo_world_generate (&opts, dir, &error));
  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static GBytes *
read_bytes (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
test_deterministic (void)
{
  const char *files[] = {
    "test.feature.tsv", "test.label.tsv", "test.hw.tsv", "test.feature.lineidx",
    "test_caption.json", "test_qla.json", "label2ans.json", "test.yaml",
  };
  g_autofree char *a = generate (42, 5, 0.2, TRUE);
  g_autofree char *b = generate (42, 5, 0.2, FALSE);
  g_autofree char *c = generate (43, 5, 0.2, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GBytes) ba = read_bytes (a, files[i]);
      g_autoptr(GBytes) bb = read_bytes (b, files[i]);

      g_assert_cmpuint (g_bytes_get_size (ba), >, 0);
      g_assert_true (g_bytes_equal (ba, bb));
    }
  {
    g_autoptr(GBytes) fa = read_bytes (a, "test.feature.tsv");
    g_autoptr(GBytes) fc = read_bytes (c, "test.feature.tsv");

    g_assert_false (g_bytes_equal (fa, fc));
  }
  remove_tree (a);
  remove_tree (b);
  remove_tree (c);
}

/* Splits a TSV file into rows, checking the lineidx beside it. */
static char **
read_rows (const char *dir, const char *stem)
{
  g_autofree char *tsv_name = g_strconcat (stem, ".tsv", NULL);
  g_autofree char *idx_name = g_strconcat (stem, ".lineidx", NULL);
  g_autoptr(GBytes) tsv = read_bytes (dir, tsv_name);
  g_autoptr(GBytes) idx = read_bytes (dir, idx_name);
  const char *text = g_bytes_get_data (tsv, NULL);
  gsize len = g_bytes_get_size (tsv);
  g_autofree char *idx_text = g_strndup (g_bytes_get_data (idx, NULL), g_bytes_get_size (idx));
  g_auto(GStrv) offsets = g_strsplit (idx_text, "\n", -1);
  g_autofree char *copy = g_strndup (text, len);
  char **rows;
  guint n_rows;

  g_assert_true (len > 0 && text[len - 1] == '\n');
  copy[len - 1] = '\0';
  rows = g_strsplit (copy, "\n", -1);
  n_rows = g_strv_length (rows);
  /* one offset per row (plus the empty string after the last newline) */
  g_assert_cmpuint (g_strv_length (offsets), ==, n_rows + 1);
  for (guint i = 0, off = 0; i < n_rows; i++)
    {
      g_assert_cmpuint (g_ascii_strtoull (offsets[i], NULL, 10), ==, off);
      off += strlen (rows[i]) + 1;
    }
  return rows;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* Checks one generated or shipped split; returns the number of scenes. */
static guint
check_split (const char *dir, const char *split)
{
  g_autofree char *fstem = g_strconcat (split, ".feature", NULL);
  g_autofree char *lstem = g_strconcat (split, ".label", NULL);
  g_autofree char *hstem = g_strconcat (split, ".hw", NULL);
  g_auto(GStrv) frows = read_rows (dir, fstem);
  g_auto(GStrv) lrows = read_rows (dir, lstem);
  g_auto(GStrv) hrows = read_rows (dir, hstem);
  g_autofree char *qla_path = g_strdup_printf ("%s/%s_qla.json", dir, split);
  g_autofree char *cap_path = g_strdup_printf ("%s/%s_caption.json", dir, split);
  g_autofree char *ans_path = g_build_filename (dir, "label2ans.json", NULL);
  g_autoptr(JsonNode) qla = ov_test_load_json (qla_path);
  g_autoptr(JsonNode) caps = ov_test_load_json (cap_path);
  g_autoptr(JsonNode) answers = ov_test_load_json (ans_path);
  g_autoptr(GHashTable) tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) n_caps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = g_strv_length (frows);
  JsonArray *arr;

  g_assert_cmpuint (g_strv_length (lrows), ==, n);
  g_assert_cmpuint (g_strv_length (hrows), ==, n);

  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) f = g_strsplit (frows[i], "\t", 2);
      g_auto(GStrv) l = g_strsplit (lrows[i], "\t", 2);
      g_auto(GStrv) h = g_strsplit (hrows[i], "\t", 2);
      g_autoptr(JsonNode) fj = parse_json (f[1]);
      g_autoptr(JsonNode) lj = parse_json (l[1]);
      g_autoptr(JsonNode) hj = parse_json (h[1]);
      g_autoptr(OvSample) sample = ov_sample_new (f[0]);
      g_autoptr(GError) error = NULL;
      g_autofree guchar *raw = NULL;
      g_autofree float *expected = NULL;
      JsonObject *fo = json_node_get_object (fj);
      JsonArray *dets = json_node_get_array (lj);
      JsonObject *hw = json_array_get_object_element (json_node_get_array (hj), 0);
      GString *tag_string = g_string_new (NULL);
      gsize raw_len = 0;
      guint n_boxes = (guint) json_object_get_int_member (fo, "num_boxes");

      /* same key, same order in the three files */
      g_assert_cmpstr (f[0], ==, l[0]);
      g_assert_cmpstr (f[0], ==, h[0]);
      g_assert_cmpuint (n_boxes, ==, json_array_get_length (dets));
      g_assert_cmpuint (n_boxes, >=, 1);

      raw = g_base64_decode (json_object_get_string_member (fo, "features"), &raw_len);
      g_assert_cmpuint (raw_len, ==, (gsize) n_boxes * OV_REGION_DIM * 4);

      /* Rebuild the box values from the label file with the shared builder
       * and compare them bit for bit. */
      sample->width = (int) json_object_get_int_member (hw, "width");
      sample->height = (int) json_object_get_int_member (hw, "height");
      sample->n_regions = n_boxes;
      sample->regions = g_new0 (OvRegion, n_boxes);
      sample->n_features = n_boxes;
      sample->feature_dim = OV_REGION_APPEARANCE_DIM;
      sample->features = g_new0 (float, (gsize) n_boxes * OV_REGION_APPEARANCE_DIM);
      for (guint k = 0; k < n_boxes; k++)
        {
          JsonObject *d = json_array_get_object_element (dets, k);
          JsonArray *rect = json_object_get_array_member (d, "rect");
          JsonArray *attrs = json_object_get_array_member (d, "attributes");
          double conf = json_object_get_double_member (d, "conf");

          g_assert_true (conf > 0 && conf <= 1);
          g_assert_cmpuint (json_array_get_length (attrs), ==, 2);
          sample->regions[k].x1 = json_array_get_double_element (rect, 0);
          sample->regions[k].y1 = json_array_get_double_element (rect, 1);
          sample->regions[k].x2 = json_array_get_double_element (rect, 2);
          sample->regions[k].y2 = json_array_get_double_element (rect, 3);
          g_assert_true (sample->regions[k].x1 < sample->regions[k].x2);
          g_assert_true (sample->regions[k].y1 < sample->regions[k].y2);
          g_assert_true (sample->regions[k].x1 >= 0 && sample->regions[k].x2 <= sample->width);
          g_assert_true (sample->regions[k].y1 >= 0 && sample->regions[k].y2 <= sample->height);
          g_string_append_printf (tag_string, "%s%s", k > 0 ? " " : "",
                                  json_object_get_string_member (d, "class"));
        }
      g_assert_true (ov_sample_build_region_vectors (sample, &error));
      g_assert_no_error (error);

      for (guint k = 0; k < n_boxes; k++)
        {
          const float *row = (const float *) raw + (gsize) k * OV_REGION_DIM;
          guint n_positive = 0;

          for (guint j = 0; j < OV_REGION_APPEARANCE_DIM; j++)
            {
              g_assert_true (isfinite (row[j]));
              g_assert_cmpfloat (row[j], >=, 0);
              n_positive += row[j] > 0;
            }
          /* rectified random projection: neither all zero nor all positive */
          g_assert_cmpuint (n_positive, >, OV_REGION_APPEARANCE_DIM / 10);
          g_assert_cmpuint (n_positive, <, OV_REGION_APPEARANCE_DIM);
          for (guint j = OV_REGION_APPEARANCE_DIM; j < OV_REGION_DIM; j++)
            g_assert_cmpfloat (row[j], ==, sample->features[(gsize) k * OV_REGION_DIM + j]);
        }
      g_hash_table_insert (tags, g_strdup (f[0]), g_string_free (tag_string, FALSE));
    }

  /* captions: several per scene, known image ids */
  arr = json_node_get_array (caps);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *c = json_array_get_object_element (arr, i);
      const char *id = json_object_get_string_member (c, "image_id");
      const char *text = json_object_get_string_member (c, "caption");

      g_assert_true (g_hash_table_contains (tags, id));
      g_assert_cmpuint (strlen (text), >, 5);
      g_hash_table_insert (n_caps, g_strdup (id),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (n_caps, id))
                                             + 1));
    }
  g_assert_cmpuint (g_hash_table_size (n_caps), ==, n);
  {
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init (&it, n_caps);
    while (g_hash_table_iter_next (&it, NULL, &value))
      g_assert_cmpuint (GPOINTER_TO_UINT (value), >=, 3);
  }

  /* questions: Oscar's qla fields, answers indexing label2ans, tags = "o" */
  arr = json_node_get_array (qla);
  g_assert_cmpuint (json_array_get_length (arr), >=, 3 * n);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *q = json_array_get_object_element (arr, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             json_object_get_int_member (q, "img_id"));
      JsonArray *an = json_object_get_array_member (q, "an");
      JsonArray *s = json_object_get_array_member (q, "s");
      gint64 a = json_array_get_int_element (an, 0);

      g_assert_true (json_object_has_member (q, "q_id"));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (q, "q"), "?"));
      g_assert_cmpstr (json_object_get_string_member (q, "o"), ==,
                       g_hash_table_lookup (tags, id));
      g_assert_cmpuint (json_array_get_length (an), ==, 1);
      g_assert_cmpuint (json_array_get_length (s), ==, 1);
      g_assert_cmpint (a, >=, 0);
      g_assert_cmpint (a, <, json_array_get_length (json_node_get_array (answers)));
      g_assert_nonnull (json_object_get_string_member (q, "type"));
    }
  return n;
}

static void
test_parse (void)
{
  g_autofree char *dir = generate (7, 12, 0.3, FALSE);

  g_assert_cmpuint (check_split (dir, "test"), ==, 12);
  remove_tree (dir);
}

/* With no errors the detector reports exactly the drawn objects. */
static void
test_error_rate (void)
{
  g_autofree char *clean = generate (5, 20, 0.0, FALSE);
  g_autofree char *noisy = generate (5, 20, 1.0, FALSE);
  g_autofree char *truth_path = g_build_filename (clean, "test.scene.json", NULL);
  g_autoptr(JsonNode) truth = ov_test_load_json (truth_path);
  g_auto(GStrv) clean_rows = read_rows (clean, "test.label");
  g_auto(GStrv) noisy_rows = read_rows (noisy, "test.label");
  JsonArray *scenes = json_node_get_array (truth);
  guint differ = 0;

  for (guint i = 0; i < 20; i++)
    {
      JsonArray *objs = json_object_get_array_member (json_array_get_object_element (scenes, i),
                                                      "objects");
      g_auto(GStrv) l = g_strsplit (clean_rows[i], "\t", 2);
      g_auto(GStrv) ln = g_strsplit (noisy_rows[i], "\t", 2);
      g_autoptr(JsonNode) dets = parse_json (l[1]);
      g_autoptr(JsonNode) ndets = parse_json (ln[1]);
      g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
      JsonArray *d = json_node_get_array (dets);

      g_assert_cmpuint (json_array_get_length (d), ==, json_array_get_length (objs));
      for (guint k = 0; k < json_array_get_length (objs); k++)
        {
          const char *cls = json_object_get_string_member (json_array_get_object_element (objs, k),
                                                           "class");

          g_hash_table_insert (counts, (gpointer) cls,
                               GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (counts, cls))
                                                + 1));
        }
      for (guint k = 0; k < json_array_get_length (d); k++)
        {
          const char *cls = json_object_get_string_member (json_array_get_object_element (d, k),
                                                           "class");
          int left = GPOINTER_TO_INT (g_hash_table_lookup (counts, cls));

          g_assert_cmpint (left, >, 0);
          g_hash_table_insert (counts, (gpointer) cls, GINT_TO_POINTER (left - 1));
        }
      {
        g_autofree char *a = json_to_string (ndets, FALSE);
        g_autofree char *b = json_to_string (dets, FALSE);

        differ += g_strcmp0 (a, b) != 0;
      }
    }
  g_assert_cmpuint (differ, >=, 15);
  remove_tree (clean);
  remove_tree (noisy);
}

/* Pixels outside the box change nothing; pixels inside do. */
static void
test_extractor_sees_only_box (void)
{
  g_autoptr(OvDemoExtractor) ex = ov_demo_extractor_new ();
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 100, 80);
  cairo_t *cr = cairo_create (s);
  float a[OV_REGION_APPEARANCE_DIM], b[OV_REGION_APPEARANCE_DIM], c[OV_REGION_APPEARANCE_DIM];
  guint8 *px;
  int stride;

  cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.8, 0.1, 0.1);
  cairo_arc (cr, 50, 40, 15, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_surface_flush (s);
  px = cairo_image_surface_get_data (s);
  stride = cairo_image_surface_get_stride (s);
  ov_demo_extractor_run (ex, px, 100, 80, stride, 30.5, 20.2, 70.1, 60.9, a);

  /* paint everything outside the pixel range the box covers */
  cairo_set_source_rgb (cr, 0.1, 0.5, 0.9);
  cairo_rectangle (cr, 0, 0, 100, 20);
  cairo_rectangle (cr, 0, 61, 100, 19);
  cairo_rectangle (cr, 0, 0, 30, 80);
  cairo_rectangle (cr, 71, 0, 29, 80);
  cairo_fill (cr);
  cairo_surface_flush (s);
  ov_demo_extractor_run (ex, px, 100, 80, stride, 30.5, 20.2, 70.1, 60.9, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);

  cairo_set_source_rgb (cr, 0.1, 0.6, 0.2);
  cairo_rectangle (cr, 45, 35, 10, 10);
  cairo_fill (cr);
  cairo_surface_flush (s);
  ov_demo_extractor_run (ex, px, 100, 80, stride, 30.5, 20.2, 70.1, 60.9, c);
  g_assert_true (memcmp (a, c, sizeof a) != 0);

  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_bad_options (void)
{
  g_autoptr(GError) error = NULL;
  OvDemoWorldOptions opts;

  ov_demo_world_options_init (&opts);
  opts.error_rate = 1.5;
  g_assert_false (ov_demo_world_generate (&opts, "/nonexistent-unused", &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  ov_demo_world_options_init (&opts);
  opts.split = "../escape";
  g_assert_false (ov_demo_world_generate (&opts, "/nonexistent-unused", &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
}

/* The command line writes the same bytes as the library. */
static void
test_command (void)
{
  g_autofree char *lib = generate (9, 3, 0.1, FALSE);
  g_autofree char *cmd_dir = g_dir_make_tmp ("ov-demo-cmd-XXXXXX", NULL);
  g_autofree char *exe = ov_test_oscarviz_path ();
  const char *argv[] = { exe, "demo-world", "generate", "--count", "3", "--seed", "9",
                         "--first-id", "500", "--error-rate", "0.1", "--no-images", "--out",
                         cmd_dir, NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  {
    g_autoptr(GBytes) a = read_bytes (lib, "test.feature.tsv");
    g_autoptr(GBytes) b = read_bytes (cmd_dir, "test.feature.tsv");

    g_assert_true (g_bytes_equal (a, b));
  }
  remove_tree (lib);
  remove_tree (cmd_dir);
}

static void
test_shipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *yaml = ov_demo_find_dataset ("demo", &error);
  g_autofree char *dir = NULL;

  g_assert_no_error (error);
  dir = g_path_get_dirname (yaml);
  g_assert_cmpuint (check_split (dir, "test"), ==, 30);

  for (const char *const *name = ov_demo_model_names (); *name != NULL; name++)
    {
      g_autofree char *model = ov_demo_find (*name, &error);
      const char *files[] = { "pytorch_model.bin", "config.json", "vocab.txt",
                              "special_tokens_map.json", "added_tokens.json",
                              "training_args.bin" };

      g_assert_no_error (error);
      for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename (model, files[i], NULL);

          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
        }
    }

  g_assert_null (ov_demo_find ("coco", &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (ov_demo_find_dataset ("demo-vqa", &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
}

/* /data/demo/resolve: --model and --dataset NAME as every command and the
 * window take them: existing paths as given, else the bundled names. */
static void
test_resolve (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = ov_demo_find ("demo", &error);
  g_autofree char *scenes_yaml = ov_demo_find_dataset ("demo", &error);
  g_autofree char *scenes = g_path_get_dirname (scenes_yaml);
  g_autofree char *tmp = g_dir_make_tmp ("ov-resolve-XXXXXX", &error);
  g_autofree char *named = g_build_filename (tmp, "demo", NULL);
  g_autofree char *got = NULL;
  g_autofree char *weights = g_build_filename (demo, "pytorch_model.bin", NULL);
  g_autofree char *empty = g_build_filename (tmp, "empty", NULL);
  g_autofree char *cwd = g_get_current_dir ();

  g_assert_no_error (error);
  g_unsetenv ("OSCARVIZ_DATADIR");
  for (const char *const *name = ov_demo_model_names (); *name != NULL; name++)
    {
      g_autofree char *want = ov_demo_find (*name, &error);
      g_autofree char *path = ov_demo_resolve_model (*name, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (path, ==, want);
    }
  got = ov_demo_resolve_dataset ("demo", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, scenes_yaml);
  g_clear_pointer (&got, g_free);

  /* A folder of that name wins over the bundled model. */
  g_assert_cmpint (g_mkdir (named, 0700), ==, 0);
  g_assert_cmpint (g_chdir (tmp), ==, 0);
  got = ov_demo_resolve_model ("demo", &error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "demo");
  g_clear_pointer (&got, g_free);

  g_assert_null (ov_demo_resolve_model ("demo-large", &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "demo-large"));
  g_assert_nonnull (strstr (error->message, "demo-notags"));
  g_clear_error (&error);
  g_assert_null (ov_demo_resolve_model (weights, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (ov_demo_resolve_model (NULL, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_clear_error (&error);

  /* A folder is no dataset: its split files are named, or what to give. */
  g_assert_null (ov_demo_resolve_dataset (scenes, &error));
  g_assert_nonnull (strstr (error->message, scenes_yaml));
  g_clear_error (&error);
  g_assert_null (ov_demo_resolve_dataset (demo, &error));
  g_assert_nonnull (strstr (error->message, "--model"));
  g_clear_error (&error);
  g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);
  g_assert_null (ov_demo_resolve_dataset (empty, &error));
  g_assert_nonnull (strstr (error->message, "test.yaml"));
  g_clear_error (&error);
  g_assert_null (ov_demo_resolve_dataset ("no-such-split.yaml", &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_clear_error (&error);

  g_rmdir (empty);
  g_rmdir (named);
  g_rmdir (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/demo-world/deterministic", test_deterministic);
  g_test_add_func ("/data/demo-world/parse", test_parse);
  g_test_add_func ("/data/demo-world/error-rate", test_error_rate);
  g_test_add_func ("/data/demo-world/extractor-sees-only-box", test_extractor_sees_only_box);
  g_test_add_func ("/data/demo-world/bad-options", test_bad_options);
  g_test_add_func ("/data/demo-world/command", test_command);
  g_test_add_func ("/data/demo/shipped", test_shipped);
  g_test_add_func ("/data/demo/resolve", test_resolve);
  return g_test_run ();
}
