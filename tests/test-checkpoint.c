/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Checkpoint readers: the oracle checkpoints against their weights index,
 * the VQA feature file against features.tsv, answer lists, small fixtures
 * made by python3-torch (tools/make-checkpoint-fixtures.py), refused globals,
 * and truncated / corrupted copies that must fail cleanly.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include <glib/gstdio.h>

#include "model/ov-answers.h"
#include "model/ov-error.h"
#include "model/ov-pickle.h"
#include "model/ov-pickle-private.h"
#include "model/ov-state-dict.h"
#include "ov-test-util.h"

static char *
fixture (const char *name)
{
  return ov_test_source_path ("tests", "fixtures", "checkpoint", name, NULL);
}

/* ---- oracle checkpoints ---- */

static void
check_oracle_checkpoint (const char *dir)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "checkpoints", dir,
                                               "pytorch_model.bin", NULL);
  g_autofree char *index_path = ov_test_shared_path ("oracle", "checkpoints", dir,
                                                     "weights_index.json", NULL);
  g_autoptr (JsonNode) index = ov_test_load_json (index_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = ov_state_dict_load (path, &error);
  JsonArray *entries;
  gsize storage_bytes = 0;
  guint n_shared = 0;

  g_assert_no_error (error);
  g_assert_nonnull (sd);
  g_assert_cmpint (ov_state_dict_get_format (sd), ==, OV_STATE_DICT_FORMAT_TORCH_ZIP);
  entries = json_object_get_array_member (json_node_get_object (index), "tensors");
  g_assert_cmpuint (ov_state_dict_get_n_tensors (sd), ==, json_array_get_length (entries));

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);
      const char *name = json_object_get_string_member (e, "name");
      JsonArray *shape = json_object_get_array_member (e, "shape");
      JsonArray *first = json_object_get_array_member (e, "first");
      const OvTensor *t = ov_state_dict_get_nth (sd, i);
      double sum = 0.0, want = json_object_get_double_member (e, "sum");
      const float *x;

      g_assert_cmpstr (t->name, ==, name);
      g_assert_true (ov_state_dict_lookup (sd, name) == t);
      g_assert_cmpstr (json_object_get_string_member (e, "dtype"), ==, "float32");
      g_assert_cmpint (t->dtype, ==, OV_DTYPE_F32);
      g_assert_cmpint (t->n_dims, ==, json_array_get_length (shape));
      for (int d = 0; d < t->n_dims; d++)
        g_assert_cmpint (t->shape[d], ==, json_array_get_int_element (shape, d));
      x = t->data;
      for (gint64 k = 0; k < t->n_elements; k++)
        sum += x[k];
      g_assert_cmpfloat (fabs (sum - want), <=, 1e-3 * fabs (want) + 1e-9);
      /* First values: float32 values printed as float64, so exact. */
      for (guint k = 0; k < json_array_get_length (first) && k < (guint) t->n_elements; k++)
        g_assert_cmpfloat ((double) x[k], ==, json_array_get_double_element (first, k));

      if (json_object_has_member (e, "shares_storage_with"))
        {
          const char *other = json_object_get_string_member (e, "shares_storage_with");
          const OvTensor *o = ov_state_dict_lookup (sd, other);
          g_assert_nonnull (o);
          g_assert_cmpstr (o->storage_key, ==, t->storage_key);
          g_assert_true (o->data == t->data);
          n_shared++;
        }
      else
        storage_bytes += t->n_elements * 4;
    }
  /* Every storage is a stored zip member: nothing was copied. */
  g_assert_cmpuint (ov_state_dict_get_mapped_bytes (sd), ==, storage_bytes);
  g_test_message ("%s: %u tensors, %u shared, %" G_GSIZE_FORMAT " bytes mapped", dir,
                  ov_state_dict_get_n_tensors (sd), n_shared, storage_bytes);
}

static void
test_oracle_caption (void)
{
  check_oracle_checkpoint ("caption_tiny");
}

static void
test_oracle_vqa (void)
{
  check_oracle_checkpoint ("vqa_tiny_imgln");
}

/* features.tsv row `key` as float32 values. */
static float *
tsv_features (const char *key,
              gsize      *n_out)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "data", "features.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *tab = strchr (lines[i], '\t');
      g_autoptr (JsonParser) parser = NULL;
      JsonObject *o;
      gsize len = 0;
      guchar *raw;

      if (tab == NULL || strncmp (lines[i], key, tab - lines[i]) != 0
          || strlen (key) != (gsize) (tab - lines[i]))
        continue;
      parser = json_parser_new ();
      g_assert_true (json_parser_load_from_data (parser, tab + 1, -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      raw = g_base64_decode (json_object_get_string_member (o, "features"), &len);
      g_assert_cmpuint (len, ==, json_object_get_int_member (o, "num_boxes") * 2054 * 4);
      *n_out = len / 4;
      return (float *) raw;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_vqa_features (void)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "data", "vqa",
                                               "test2015_img_frcnn_feats.pt", NULL);
  g_autofree char *images_path = ov_test_shared_path ("oracle", "data", "images.json", NULL);
  g_autoptr (JsonNode) images = ov_test_load_json (images_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = ov_state_dict_load (path, &error);
  g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *list = json_node_get_array (images);

  g_assert_no_error (error);
  /* vqa_img_id -> image key, from images.json. */
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      g_hash_table_insert (keys, g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  json_object_get_int_member (o, "vqa_img_id")),
                           (gpointer) json_object_get_string_member (o, "key"));
    }
  g_assert_cmpuint (ov_state_dict_get_n_tensors (sd), >=, 2);
  for (guint i = 0; i < ov_state_dict_get_n_tensors (sd); i++)
    {
      const OvTensor *t = ov_state_dict_get_nth (sd, i);
      const char *image_key = g_hash_table_lookup (keys, t->name);
      g_autofree float *want = NULL;
      gsize n = 0;

      /* Integer image ids became decimal strings. */
      g_assert_nonnull (image_key);
      want = tsv_features (image_key, &n);
      g_assert_cmpint (t->n_dims, ==, 2);
      g_assert_cmpint (t->shape[1], ==, 2054);
      g_assert_cmpint (t->n_elements, ==, n);
      g_assert_cmpmem (t->data, n * 4, want, n * 4);
    }
}

/* ---- fixtures made by python3-torch ---- */

static double
expected_value (JsonArray *values,
                guint      k)
{
  JsonNode *v = json_array_get_element (values, k);

  if (json_node_get_value_type (v) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (v);
      return strcmp (s, "inf") == 0 ? INFINITY : strcmp (s, "-inf") == 0 ? -INFINITY : NAN;
    }
  return json_node_get_double (v);
}

static void
check_against_expected (OvStateDict *sd,
                        const char  *fixture_name)
{
  g_autofree char *exp_path = fixture ("expected.json");
  g_autoptr (JsonNode) exp = ov_test_load_json (exp_path);
  JsonArray *entries = json_object_get_array_member (json_node_get_object (exp), fixture_name);

  g_assert_cmpuint (ov_state_dict_get_n_tensors (sd), ==, json_array_get_length (entries));
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);
      JsonArray *shape = json_object_get_array_member (e, "shape");
      JsonArray *values = json_object_get_array_member (e, "values");
      const OvTensor *t = ov_state_dict_get_nth (sd, i);
      g_autofree float *owned = NULL;
      const float *x;

      g_assert_cmpstr (t->name, ==, json_object_get_string_member (e, "name"));
      g_assert_cmpstr (ov_dtype_name (t->dtype), ==, json_object_get_string_member (e, "dtype"));
      g_assert_cmpint (t->n_dims, ==, json_array_get_length (shape));
      for (int d = 0; d < t->n_dims; d++)
        g_assert_cmpint (t->shape[d], ==, json_array_get_int_element (shape, d));
      g_assert_cmpint (t->n_elements, ==, json_array_get_length (values));
      x = ov_tensor_as_f32 (t, &owned);
      g_assert_true (x != NULL || t->n_elements == 0);
      if (t->dtype == OV_DTYPE_F32)
        g_assert_null (owned);
      /* float32 of the exact value (f64 and i64 round once, like torch's .float()). */
      for (guint k = 0; k < (guint) t->n_elements; k++)
        g_assert_cmpfloat (x[k], ==, (float) expected_value (values, k));
      if (!json_object_get_null_member (e, "shares_storage_with"))
        {
          const OvTensor *o = ov_state_dict_lookup (sd, json_object_get_string_member
                                                     (e, "shares_storage_with"));
          g_assert_nonnull (o);
          g_assert_cmpstr (o->storage_key, ==, t->storage_key);
          g_assert_true (o->data == t->data);
        }
    }
  /* Renamed names are found; the old ones are not. */
  if (strcmp (fixture_name, "small.safetensors") != 0)
    {
      g_assert_nonnull (ov_state_dict_lookup (sd, "encoder.LayerNorm.weight"));
      g_assert_nonnull (ov_state_dict_lookup (sd, "encoder.LayerNorm.bias"));
      g_assert_null (ov_state_dict_lookup (sd, "module.encoder.weight"));
      g_assert_null (ov_state_dict_lookup (sd, "encoder.LayerNorm.gamma"));
      g_assert_cmpint (ov_state_dict_lookup (sd, "slice")->storage_offset, ==, 3);
    }
}

static void
test_fixture_legacy (void)
{
  g_autofree char *path = fixture ("legacy.pt");
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = ov_state_dict_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (ov_state_dict_get_format (sd), ==, OV_STATE_DICT_FORMAT_TORCH_LEGACY);
  g_assert_cmpuint (ov_state_dict_get_mapped_bytes (sd), >, 0);
  check_against_expected (sd, "legacy.pt");
}

static void
test_fixture_zip (void)
{
  g_autofree char *path = fixture ("zip.pt");
  g_autofree char *deflated = fixture ("zip-deflated.pt");
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = ov_state_dict_load (path, &error);
  g_autoptr (OvStateDict) sd2 = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ov_state_dict_get_format (sd), ==, OV_STATE_DICT_FORMAT_TORCH_ZIP);
  g_assert_cmpuint (ov_state_dict_get_mapped_bytes (sd), >, 0);
  check_against_expected (sd, "zip.pt");

  sd2 = ov_state_dict_load (deflated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_state_dict_get_mapped_bytes (sd2), ==, 0);
  check_against_expected (sd2, "zip-deflated.pt");
}

static void
test_fixture_wrapped (void)
{
  g_autofree char *path = fixture ("wrapped.pt");
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = ov_state_dict_load (path, &error);
  g_autoptr (OvStateDict) full = NULL;
  g_autofree char *full_path = fixture ("zip.pt");

  g_assert_no_error (error);
  full = ov_state_dict_load (full_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_state_dict_get_n_tensors (sd), ==, 2);
  g_assert_cmpstr (ov_state_dict_get_nth (sd, 0)->name, ==, "encoder.weight");
  g_assert_cmpstr (ov_state_dict_get_nth (sd, 1)->name, ==, "half");
  for (guint i = 0; i < 2; i++)
    {
      const OvTensor *t = ov_state_dict_get_nth (sd, i);
      const OvTensor *u = ov_state_dict_lookup (full, t->name);
      g_assert_cmpmem (t->data, t->n_elements * ov_dtype_size (t->dtype),
                       u->data, u->n_elements * ov_dtype_size (u->dtype));
    }
}

static void
test_fixture_safetensors (void)
{
  g_autofree char *path = fixture ("small.safetensors");
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = ov_state_dict_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (ov_state_dict_get_format (sd), ==, OV_STATE_DICT_FORMAT_SAFETENSORS);
  check_against_expected (sd, "small.safetensors");
}

static void
test_safetensors_roundtrip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-ckpt-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.safetensors", NULL);
  float w[6] = { 1.0f, -2.5f, 3.25f, 1e-30f, -0.0f, 7.0f };
  gint64 ids[3] = { 101, -1, G_GINT64_CONSTANT (1) << 50 };
  gint32 small[4] = { 1, 2, -3, 4 };
  float one = 42.0f;
  OvTensorView views[] = {
    { "w", OV_DTYPE_F32, 2, { 2, 3 }, w },
    { "ids", OV_DTYPE_I64, 1, { 3 }, ids },
    { "small", OV_DTYPE_I32, 2, { 2, 2 }, small },
    { "scalar", OV_DTYPE_F32, 0, { 0 }, &one },
    { "none", OV_DTYPE_F32, 2, { 0, 5 }, NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = NULL;
  g_autoptr (GDir) d = NULL;
  const OvTensor *t;

  g_assert_true (ov_safetensors_write (path, views, G_N_ELEMENTS (views), &error));
  g_assert_no_error (error);
  sd = ov_state_dict_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ov_state_dict_get_format (sd), ==, OV_STATE_DICT_FORMAT_SAFETENSORS);
  g_assert_cmpuint (ov_state_dict_get_n_tensors (sd), ==, G_N_ELEMENTS (views));
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      t = ov_state_dict_lookup (sd, views[i].name);
      g_assert_nonnull (t);
      g_assert_cmpint (t->dtype, ==, views[i].dtype);
      g_assert_cmpint (t->n_dims, ==, views[i].n_dims);
      for (int k = 0; k < t->n_dims; k++)
        g_assert_cmpint (t->shape[k], ==, views[i].shape[k]);
      g_assert_cmpmem (t->data, t->n_elements * ov_dtype_size (t->dtype),
                       views[i].data, t->n_elements * ov_dtype_size (t->dtype));
      g_assert_cmpuint ((guintptr) t->data % ov_dtype_size (t->dtype), ==, 0);
    }
  /* The data starts 8-byte aligned in the file, so nothing had to be copied. */
  g_assert_cmpuint (ov_state_dict_get_mapped_bytes (sd), ==, 6 * 4 + 3 * 8 + 4 * 4 + 4);

  /* Repeated names are refused and the old file stays as it was. */
  views[1].name = "w";
  g_assert_false (ov_safetensors_write (path, views, 2, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_clear_pointer (&sd, ov_state_dict_free);
  sd = ov_state_dict_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_state_dict_get_n_tensors (sd), ==, G_N_ELEMENTS (views));

  /* No temporary file is left behind. */
  d = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (d), ==, "out.safetensors");
  g_assert_null (g_dir_read_name (d));
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- pickles ---- */

static void
test_pickle_values (void)
{
  for (int p = 0; p <= 5; p++)
    {
      g_autofree char *name = g_strdup_printf ("values-p%d.pkl", p);
      g_autofree char *path = fixture (name);
      g_autoptr (GError) error = NULL;
      g_autoptr (OvPickleValue) v = ov_pickle_load_file (path, &error);
      const OvPickleValue *x;
      const guint8 *bytes;
      gsize len = 0;

      g_test_message ("protocol %d", p);
      g_assert_no_error (error);
      g_assert_cmpint (ov_pickle_value_kind (v), ==, OV_PICKLE_DICT);
      g_assert_cmpuint (ov_pickle_value_n_items (v), ==, 14);
      g_assert_cmpstr (ov_pickle_value_nth_key (v, 0), ==, "int");
      g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (v, "int")), ==, 7);
      g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (v, "neg")), ==, -300000);
      g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (v, "big")), ==,
                       G_GINT64_CONSTANT (1) << 40);
      g_assert_cmpfloat (ov_pickle_value_float (ov_pickle_value_lookup (v, "float")), ==, 1.5);
      g_assert_cmpstr (ov_pickle_value_string (ov_pickle_value_lookup (v, "str")), ==,
                       "h\xc3\xa9llo \xe4\xb8\xad");
      x = ov_pickle_value_lookup (v, "bytes");
      g_assert_cmpint (ov_pickle_value_kind (x), ==, OV_PICKLE_BYTES);
      bytes = ov_pickle_value_bytes (x, &len);
      g_assert_cmpmem (bytes, len, "\x00\xff" "ab", 4);
      x = ov_pickle_value_lookup (v, "list");
      g_assert_cmpuint (ov_pickle_value_n_items (x), ==, 3);
      g_assert_cmpstr (ov_pickle_value_string (ov_pickle_value_nth (x, 1)), ==, "two");
      g_assert_cmpfloat (ov_pickle_value_float (ov_pickle_value_nth (x, 2)), ==, 3.0);
      x = ov_pickle_value_lookup (v, "tuple");
      g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_nth (x, 1)), ==, 2);
      g_assert_cmpint (ov_pickle_value_kind (ov_pickle_value_lookup (v, "none")), ==,
                       OV_PICKLE_NONE);
      g_assert_cmpint (ov_pickle_value_kind (ov_pickle_value_lookup (v, "true")), ==,
                       OV_PICKLE_BOOL);
      g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (v, "true")), ==, 1);
      g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (v, "false")), ==, 0);
      g_assert_cmpstr (ov_pickle_value_string (ov_pickle_value_lookup (v, "1001")), ==,
                       "int key");
      x = ov_pickle_value_lookup (v, "set");
      g_assert_cmpuint (ov_pickle_value_n_items (x), ==, 1);
      g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_nth (x, 0)), ==, 3);
      x = ov_pickle_value_lookup (ov_pickle_value_lookup (v, "nested"), "a");
      g_assert_cmpint (ov_pickle_value_kind (ov_pickle_value_nth (x, 0)), ==, OV_PICKLE_NONE);
      g_assert_null (ov_pickle_value_lookup (v, "absent"));
    }
}

static void
check_namespace (const OvPickleValue *ns)
{
  const OvPickleValue *dev = ov_pickle_value_lookup (ns, "device");

  g_assert_cmpint (ov_pickle_value_kind (ns), ==, OV_PICKLE_OBJECT);
  g_assert_cmpstr (ov_pickle_value_global (ns), ==, "argparse.Namespace");
  g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (ns, "max_seq_length")), ==, 70);
  g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (ns, "do_lower_case")), ==, 1);
  g_assert_cmpfloat (ov_pickle_value_float (ov_pickle_value_lookup (ns, "lr")), ==, 5e-5);
  g_assert_cmpstr (ov_pickle_value_string (ov_pickle_value_lookup (ns, "name")), ==, "x");
  g_assert_cmpstr (ov_pickle_value_global (dev), ==, "torch.device");
  g_assert_cmpstr (ov_pickle_value_string (ov_pickle_value_nth (dev, 0)), ==, "cpu");
}

static void
test_pickle_namespace (void)
{
  const char *names[] = { "namespace-p0.pkl", "namespace-p2.pkl", "namespace-p4.pkl",
                          "namespace-legacy.bin" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = fixture (names[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (OvPickleValue) ns = ov_pickle_load_file (path, &error);

      g_test_message ("%s", names[i]);
      g_assert_no_error (error);
      check_namespace (ns);
    }
}

/* training_args.bin of the oracle against its JSON twin. */
static void
test_training_args (void)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny",
                                               "training_args.bin", NULL);
  g_autofree char *json_path = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny",
                                                    "training_args.json", NULL);
  g_autoptr (JsonNode) json = ov_test_load_json (json_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (OvPickleValue) args = ov_pickle_load_file (path, &error);
  JsonObject *o = json_node_get_object (json);
  g_autoptr (GList) members = json_object_get_members (o);
  guint checked = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (ov_pickle_value_global (args), ==, "argparse.Namespace");
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *want = json_object_get_member (o, l->data);
      const OvPickleValue *got = ov_pickle_value_lookup (args, l->data);

      if (g_str_has_prefix (l->data, "_"))
        continue;
      g_assert_nonnull (got);
      switch (json_node_get_value_type (want))
        {
        case G_TYPE_INT64:
          g_assert_cmpint (ov_pickle_value_kind (got), ==, OV_PICKLE_INT);
          g_assert_cmpint (ov_pickle_value_int (got), ==, json_node_get_int (want));
          break;
        case G_TYPE_BOOLEAN:
          g_assert_cmpint (ov_pickle_value_kind (got), ==, OV_PICKLE_BOOL);
          g_assert_cmpint (ov_pickle_value_int (got), ==, json_node_get_boolean (want));
          break;
        case G_TYPE_DOUBLE:
          g_assert_cmpfloat (ov_pickle_value_float (got), ==, json_node_get_double (want));
          break;
        case G_TYPE_STRING:
          g_assert_cmpstr (ov_pickle_value_string (got), ==, json_node_get_string (want));
          break;
        default:
          g_assert_not_reached ();
        }
      checked++;
    }
  g_assert_cmpuint (checked, >=, 20);
  g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (args, "max_seq_a_length")), ==, 40);
  g_assert_cmpint (ov_pickle_value_int (ov_pickle_value_lookup (args, "max_gen_length")), ==, 20);
}

static void
test_pickle_forbidden (void)
{
  const struct { const char *file, *global; } cases[] = {
    { "os-system.pkl", "os.system" },
    { "builtins-eval.pkl", "builtins.eval" },
    { "nested-forbidden.pkl", "subprocess.Popen" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = fixture (cases[i].file);
      g_autoptr (GError) error = NULL;
      g_autoptr (OvPickleValue) v = ov_pickle_load_file (path, &error);
      g_autoptr (OvStateDict) sd = NULL;
      g_autoptr (OvAnswerList) answers = NULL;

      g_assert_null (v);
      g_assert_error (error, OV_ERROR, OV_ERROR_FORBIDDEN);
      g_assert_nonnull (strstr (error->message, cases[i].global));
      g_assert_nonnull (strstr (error->message, cases[i].file));
      g_clear_error (&error);

      sd = ov_state_dict_load (path, &error);
      g_assert_null (sd);
      g_assert_error (error, OV_ERROR, OV_ERROR_FORBIDDEN);
      g_clear_error (&error);

      answers = ov_answer_list_load (path, &error);
      g_assert_null (answers);
      g_assert_error (error, OV_ERROR, OV_ERROR_FORBIDDEN);
    }
}

/* ---- answers ---- */

static void
check_same_answers (OvAnswerList *a,
                    OvAnswerList *b)
{
  g_assert_cmpuint (ov_answer_list_get_n (a), ==, ov_answer_list_get_n (b));
  for (guint i = 0; i < ov_answer_list_get_n (a); i++)
    g_assert_cmpstr (ov_answer_list_get (a, i), ==, ov_answer_list_get (b, i));
}

static OvAnswerList *
load_answers (const char *path)
{
  g_autoptr (GError) error = NULL;
  OvAnswerList *list = ov_answer_list_load (path, &error);

  g_assert_no_error (error);
  return list;
}

/* /model/answers/set: a pickled set or frozenset of answers (protocols 4
 * and 2) is refused: its order is the writing Python's hash order, so the
 * model's answer indices cannot come from it. A list of one is read. */
static void
test_answers_set (void)
{
  static const struct { const char *bytes; gsize len; } sets[] = {
    { "\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00\x8f\x94\x28\x8c\x03yes\x94\x90\x2e",
      22 },
    { "\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00\x28\x8c\x02no\x94\x91\x94\x2e", 20 },
    { "\x80\x02\x63__builtin__\nset\nq\x00]q\x01X\x03\x00\x00\x00yesq\x02" "a\x85q\x03Rq\x04.",
      42 },
  };
  static const char list[] = "\x80\x04\x95\x0a\x00\x00\x00\x00\x00\x00\x00"
                             "]\x94\x8c\x03yes\x94" "a.";
  g_autofree char *dir = g_dir_make_tmp ("ov-answers-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "label2ans.pkl", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (OvAnswerList) answers = NULL;

      g_assert_true (g_file_set_contents (path, sets[i].bytes, sets[i].len, NULL));
      answers = ov_answer_list_load (path, &error);
      g_assert_null (answers);
      g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, "set of answers"));
      g_assert_nonnull (strstr (error->message, path));
    }
  {
    g_autoptr (OvAnswerList) answers = NULL;

    g_assert_true (g_file_set_contents (path, list, sizeof list - 1, NULL));
    answers = load_answers (path);
    g_assert_cmpuint (ov_answer_list_get_n (answers), ==, 1);
    g_assert_cmpstr (ov_answer_list_get (answers, 0), ==, "yes");
  }
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_answers_oracle (void)
{
  g_autofree char *json = ov_test_shared_path ("oracle", "data", "vqa", "label2ans.json", NULL);
  g_autofree char *l2a = ov_test_shared_path ("oracle", "data", "vqa", "label2ans.pkl", NULL);
  g_autofree char *a2l = ov_test_shared_path ("oracle", "data", "vqa", "ans2label.pkl", NULL);
  g_autoptr (OvAnswerList) from_json = load_answers (json);
  g_autoptr (OvAnswerList) from_l2a = load_answers (l2a);
  g_autoptr (OvAnswerList) from_a2l = load_answers (a2l);

  g_assert_cmpuint (ov_answer_list_get_n (from_json), ==, 20);
  g_assert_cmpstr (ov_answer_list_get (from_json, 0), ==, "yes");
  g_assert_cmpstr (ov_answer_list_get (from_json, 19), ==, "stove");
  g_assert_null (ov_answer_list_get (from_json, 20));
  g_assert_cmpint (ov_answer_list_find (from_json, "dog"), ==, 5);
  check_same_answers (from_json, from_l2a);
  check_same_answers (from_json, from_a2l);
}

static void
test_answers_shared_data (void)
{
  g_autofree char *a2l = ov_test_shared_path
    ("data", "vqa", "vqa2-trainval-ans2label.bottom-up-attention-vqa-order.json", NULL);
  g_autofree char *l2a = ov_test_shared_path
    ("data", "vqa", "vqa2-trainval-label2ans.bottom-up-attention-vqa-order.json", NULL);
  g_autofree char *lx = ov_test_shared_path ("data", "vqa", "lxmert-vqa-trainval_label2ans.json",
                                             NULL);
  g_autoptr (OvAnswerList) a = load_answers (a2l);
  g_autoptr (OvAnswerList) b = load_answers (l2a);
  g_autoptr (OvAnswerList) c = load_answers (lx);

  g_assert_cmpuint (ov_answer_list_get_n (a), ==, 3129);
  check_same_answers (a, b);
  g_assert_cmpstr (ov_answer_list_get (a, 0), ==, "net");
  g_assert_cmpstr (ov_answer_list_get (a, 3), ==, "yes");
  /* Same answers, another order. */
  g_assert_cmpuint (ov_answer_list_get_n (c), ==, 3129);
  g_assert_cmpstr (ov_answer_list_get (c, 0), ==, "");
  g_assert_cmpstr (ov_answer_list_get (c, 1), ==, "woods");
  for (guint i = 0; i < 3129; i++)
    g_assert_cmpint (ov_answer_list_find (a, ov_answer_list_get (c, i)), >=, 0);
}

static void
test_answers_formats (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-answers-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "answers", NULL);
  g_autofree char *unordered = fixture ("ans2label-unordered.pkl");
  g_autoptr (OvAnswerList) list = NULL;
  g_autoptr (GError) error = NULL;
  const char *bad[] = {
    "{\"a\": 0, \"b\": 0}",         /* two answers, one index */
    "{\"a\": 0, \"b\": 2}",         /* index out of range */
    "{\"a\": \"0\"}",               /* index not an integer */
    "[\"a\", 3]",                  /* not a string */
    "[\"a\", ",                    /* broken JSON */
    "",                            /* empty */
    "\x80\x02]q\x00(K\x01" "e.",      /* pickle list of ints */
  };

  /* Text with CRLF line ends and an empty answer in the middle. */
  g_assert_true (g_file_set_contents (path, "yes\r\n\r\nblack and white\n", -1, NULL));
  list = ov_answer_list_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_answer_list_get_n (list), ==, 3);
  g_assert_cmpstr (ov_answer_list_get (list, 1), ==, "");
  g_assert_cmpstr (ov_answer_list_get (list, 2), ==, "black and white");
  g_clear_pointer (&list, ov_answer_list_free);

  /* A byte order mark before the first answer is not part of it. */
  g_assert_true (g_file_set_contents (path, "\xef\xbb\xbfyes\nno\n", -1, NULL));
  list = ov_answer_list_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_answer_list_get_n (list), ==, 2);
  g_assert_cmpstr (ov_answer_list_get (list, 0), ==, "yes");
  g_assert_cmpint (ov_answer_list_find (list, "yes"), ==, 0);
  g_clear_pointer (&list, ov_answer_list_free);

  /* A dict not listed in label order: Oscar's classes are its labels in
   * the dict's order (labels = list(ans2label.values())), and class i
   * answers label2ans[labels[i]], the dict's i-th answer. */
  g_assert_true (g_file_set_contents (path, "{\"no\": 1, \"yes\": 0}", -1, NULL));
  list = ov_answer_list_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ov_answer_list_get (list, 0), ==, "no");
  g_assert_cmpstr (ov_answer_list_get (list, 1), ==, "yes");
  g_clear_pointer (&list, ov_answer_list_free);
  list = ov_answer_list_load (unordered, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ov_answer_list_get (list, 0), ==, "no");
  g_assert_cmpstr (ov_answer_list_get (list, 1), ==, "yes");
  g_assert_cmpstr (ov_answer_list_get (list, 2), ==, "two");
  g_clear_pointer (&list, ov_answer_list_free);

  /* {"1": "no", "0": "yes"}: a label2ans list as json.dump writes a dict
   * of int keys, placed by its keys; a key such as "01" is no label */
  g_assert_true (g_file_set_contents (path, "{\"1\": \"no\", \"0\": \"yes\"}", -1, NULL));
  list = ov_answer_list_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ov_answer_list_get (list, 0), ==, "yes");
  g_assert_cmpstr (ov_answer_list_get (list, 1), ==, "no");
  g_clear_pointer (&list, ov_answer_list_free);
  g_assert_true (g_file_set_contents (path, "{\"01\": \"no\", \"0\": \"yes\"}", -1,
                                      NULL));
  g_assert_null (ov_answer_list_load (path, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_clear_error (&error);

  /* A label2ans list with its ans2label beside it: class i answers
   * label2ans[labels[i]] (here labels 2, 0, 1); alone, class i answers
   * label2ans[i]; a companion that is no dict, or names a label the list
   * lacks, is an error naming it. */
  {
    g_autofree char *l2a = g_build_filename (dir, "trainval_label2ans.json", NULL);
    g_autofree char *a2l = g_build_filename (dir, "trainval_ans2label.json", NULL);

    g_assert_true (g_file_set_contents (l2a, "[\"a\", \"b\", \"c\"]", -1, NULL));
    list = ov_answer_list_load (l2a, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ov_answer_list_get (list, 0), ==, "a");
    g_assert_cmpint (ov_answer_list_get_label (list, 2), ==, 2);
    g_assert_cmpstr (ov_answer_list_get_by_label (list, 1), ==, "b");
    g_assert_null (ov_answer_list_get_by_label (list, -1));
    g_clear_pointer (&list, ov_answer_list_free);
    g_assert_true (g_file_set_contents (a2l, "{\"c\": 2, \"a\": 0, \"b\": 1}", -1, NULL));
    list = ov_answer_list_load (l2a, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ov_answer_list_get_n (list), ==, 3);
    g_assert_cmpstr (ov_answer_list_get (list, 0), ==, "c");
    g_assert_cmpstr (ov_answer_list_get (list, 1), ==, "a");
    g_assert_cmpstr (ov_answer_list_get (list, 2), ==, "b");
    /* a qla file's reference answers are labels: label 2 is class 0 */
    g_assert_cmpint (ov_answer_list_get_label (list, 0), ==, 2);
    g_assert_cmpint (ov_answer_list_get_label (list, 1), ==, 0);
    g_assert_cmpint (ov_answer_list_get_label (list, 3), ==, -1);
    g_assert_cmpstr (ov_answer_list_get_by_label (list, 2), ==, "c");
    g_assert_cmpstr (ov_answer_list_get_by_label (list, 0), ==, "a");
    g_assert_null (ov_answer_list_get_by_label (list, 3));
    g_clear_pointer (&list, ov_answer_list_free);
    /* the dict alone says the same */
    list = ov_answer_list_load (a2l, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ov_answer_list_get (list, 0), ==, "c");
    g_assert_cmpstr (ov_answer_list_get (list, 2), ==, "b");
    g_clear_pointer (&list, ov_answer_list_free);
    g_assert_true (g_file_set_contents (a2l, "{\"c\": 2, \"a\": 0, \"b\": 1, \"d\": 3}", -1,
                                        NULL));
    g_assert_null (ov_answer_list_load (l2a, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, a2l));
    g_assert_nonnull (strstr (error->message, "lists only 3 answers"));
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (a2l, "[\"a\"]", -1, NULL));
    g_assert_null (ov_answer_list_load (l2a, &error));
    g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, a2l));
    g_clear_error (&error);
    g_unlink (a2l);
    g_unlink (l2a);
  }

  /* Python 2 era text pickles (protocol 0) of a list and of a dict. */
  g_assert_true (g_file_set_contents (path, "(lp0\nVyes\np1\naVno\np2\na.", -1, NULL));
  list = ov_answer_list_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_answer_list_get_n (list), ==, 2);
  g_assert_cmpstr (ov_answer_list_get (list, 1), ==, "no");
  g_clear_pointer (&list, ov_answer_list_free);
  g_assert_true (g_file_set_contents (path, "(dp0\nS'no'\np1\nI1\nsS'yes'\np2\nI0\ns.", -1,
                                      NULL));
  list = ov_answer_list_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_answer_list_get_n (list), ==, 2);
  g_assert_cmpstr (ov_answer_list_get (list, 0), ==, "no");    /* the dict's order */
  g_assert_cmpstr (ov_answer_list_get (list, 1), ==, "yes");
  g_clear_pointer (&list, ov_answer_list_free);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gsize len = i == G_N_ELEMENTS (bad) - 1 ? 10 : strlen (bad[i]);
      g_assert_true (g_file_set_contents (path, bad[i], len, NULL));
      list = ov_answer_list_load (path, &error);
      g_assert_null (list);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
    }

  list = ov_answer_list_load ("/nonexistent/answers.txt", &error);
  g_assert_error (error, OV_ERROR, OV_ERROR_IO);
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- damaged files ---- */

typedef enum { LOAD_STATE_DICT, LOAD_PICKLE } LoadKind;

/* Thousands of small writes: without the fsync of g_file_set_contents. */
static void
write_plain (const char   *path,
             const guint8 *data,
             gsize         len)
{
  FILE *f = fopen (path, "wb");

  g_assert_nonnull (f);
  g_assert_cmpuint (len == 0 ? 0 : fwrite (data, 1, len, f), ==, len);
  g_assert_cmpint (fclose (f), ==, 0);
}

/* Loads `data` through a temporary file. Returns TRUE when it loaded; a
 * failure must come with an error naming the file. */
static gboolean
try_load (const char   *path,
          const guint8 *data,
          gsize         len,
          LoadKind      kind,
          OvStateDict **sd_out)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;

  write_plain (path, data, len);
  if (kind == LOAD_STATE_DICT)
    {
      OvStateDict *sd = ov_state_dict_load (path, &error);
      ok = sd != NULL;
      if (sd_out != NULL)
        *sd_out = sd;
      else
        ov_state_dict_free (sd);
    }
  else
    {
      OvPickleValue *v = ov_pickle_load_file (path, &error);
      ok = v != NULL;
      ov_pickle_value_free (v);
    }
  if (!ok)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == OV_ERROR);
      g_assert_nonnull (strstr (error->message, path));
    }
  return ok;
}

/* True when two state dicts hold the same names, shapes and bytes. */
static gboolean
same_state_dict (OvStateDict *a,
                 OvStateDict *b)
{
  if (ov_state_dict_get_n_tensors (a) != ov_state_dict_get_n_tensors (b))
    return FALSE;
  for (guint i = 0; i < ov_state_dict_get_n_tensors (a); i++)
    {
      const OvTensor *x = ov_state_dict_get_nth (a, i), *y = ov_state_dict_get_nth (b, i);
      if (strcmp (x->name, y->name) != 0 || x->dtype != y->dtype || x->n_elements != y->n_elements
          || memcmp (x->shape, y->shape, sizeof x->shape) != 0
          || (x->n_elements > 0
              && memcmp (x->data, y->data, x->n_elements * ov_dtype_size (x->dtype)) != 0))
        return FALSE;
    }
  return TRUE;
}

static void
check_damage (const char *name,
              LoadKind    kind,
              gboolean    checksummed)
{
  g_autofree char *src = fixture (name);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *copy = NULL;
  g_autoptr (OvStateDict) good = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (1234);
  gsize len = 0;
  guint n_loaded = 0;

  /* Thousands of files: on tmpfs when there is one. */
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && access ("/dev/shm", W_OK) == 0)
    {
      g_autofree char *tmpl = g_strdup ("/dev/shm/ov-damage-XXXXXX");
      dir = g_strdup (g_mkdtemp (tmpl));
    }
  if (dir == NULL)
    dir = g_dir_make_tmp ("ov-damage-XXXXXX", NULL);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_get_contents (src, (char **) &data, &len, NULL));
  if (kind == LOAD_STATE_DICT)
    {
      g_assert_true (try_load (path, data, len, kind, &good));
      g_assert_nonnull (good);
    }

  /* Every truncation fails. */
  for (gsize cut = 0; cut < len; cut++)
    g_assert_false (try_load (path, data, cut, kind, NULL));

  /* Every byte changed (to its complement, then to a random value): never a
   * crash; with checksums, a file that still loads holds the same tensors. */
  copy = g_memdup2 (data, len);
  for (gsize i = 0; i < len; i++)
    for (int round = 0; round < 2; round++)
      {
        OvStateDict *sd = NULL;
        copy[i] = round == 0 ? (guint8) ~data[i] : (guint8) g_rand_int_range (rand, 0, 256);
        if (try_load (path, copy, len, kind, kind == LOAD_STATE_DICT ? &sd : NULL))
          {
            n_loaded++;
            if (checksummed && sd != NULL)
              g_assert_true (same_state_dict (sd, good));
          }
        ov_state_dict_free (sd);
        copy[i] = data[i];
      }
  g_test_message ("%s: %" G_GSIZE_FORMAT " bytes, %u of %" G_GSIZE_FORMAT " damaged copies "
                  "still loaded", name, len, n_loaded, 2 * len);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_damage_zip (void)
{
  check_damage ("zip.pt", LOAD_STATE_DICT, TRUE);
  check_damage ("zip-deflated.pt", LOAD_STATE_DICT, TRUE);
}

static void
test_damage_legacy (void)
{
  check_damage ("legacy.pt", LOAD_STATE_DICT, FALSE);
}

static void
test_damage_safetensors (void)
{
  check_damage ("small.safetensors", LOAD_STATE_DICT, FALSE);
}

static void
test_damage_pickles (void)
{
  for (int p = 0; p <= 5; p++)
    {
      g_autofree char *name = g_strdup_printf ("values-p%d.pkl", p);
      check_damage (name, LOAD_PICKLE, FALSE);
    }
  check_damage ("namespace-legacy.bin", LOAD_PICKLE, FALSE);
}

/* A legacy file whose first storage announces -1 elements: the count is a
 * signed int64 (it was shown as 18446744073709551615). */
static void
test_legacy_negative_size (void)
{
  g_autofree char *src = fixture ("legacy.pt");
  g_autofree char *dir = g_dir_make_tmp ("ov-ckpt-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "negative.pt", NULL);
  g_autofree guint8 *data = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = NULL;
  gsize len, pos = 0;
  gint64 minus_one = GINT64_TO_LE (-1);

  g_assert_true (g_file_get_contents (src, (char **) &data, &len, NULL));
  /* magic, protocol, system info, object, storage keys: then the first count */
  for (int i = 0; i < 5; i++)
    {
      gsize consumed = 0;
      OvPickleValue *v = _ov_pickle_parse (data + pos, len - pos, "legacy.pt", &consumed, &error);

      g_assert_no_error (error);
      ov_pickle_value_free (v);
      pos += consumed;
    }
  g_assert_cmpuint (pos + 8, <=, len);
  memcpy (data + pos, &minus_one, 8);
  write_plain (path, data, len);
  sd = ov_state_dict_load (path, &error);
  g_assert_null (sd);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "announces a negative size (-1 elements)"));
  g_unlink (path);
  g_rmdir (dir);
}

/* Protocol 0 pickles whose text arguments are 100 000 bytes long: the
 * error quotes a short excerpt (it held the whole number). */
static void
test_pickle_long_text (void)
{
  const struct { char op; const char *fill, *after, *says; int code; } cases[] = {
    { 'L', "9", "L\n.", "integer 9999999999999999999999999999999999999999… does not fit",
      OV_ERROR_LIMIT },
    { 'I', "1", "x\n.", "\"1111111111111111111111111111111111111111…\" is not an integer",
      OV_ERROR_FORMAT },
    { 'F', "x", "\n.", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\" is not a float",
      OV_ERROR_FORMAT },
    { 'c', "m", "\nf\n.", "refusing global \"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm…\"",
      OV_ERROR_FORBIDDEN },
  };
  g_autofree char *dir = g_dir_make_tmp ("ov-ckpt-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "long.pkl", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) data = g_string_new (NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (OvPickleValue) v = NULL;

      g_string_append_c (data, cases[i].op);
      for (int k = 0; k < 100000; k++)
        g_string_append (data, cases[i].fill);
      g_string_append (data, cases[i].after);
      write_plain (path, (const guint8 *) data->str, data->len);
      v = ov_pickle_load_file (path, &error);
      g_assert_null (v);
      g_assert_error (error, OV_ERROR, cases[i].code);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_assert_cmpuint (strlen (error->message), <, strlen (path) + 200);
    }
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_missing_and_unknown (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-ckpt-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "x.bin", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (OvStateDict) sd = NULL;

  sd = ov_state_dict_load ("/nonexistent/model.bin", &error);
  g_assert_error (error, OV_ERROR, OV_ERROR_IO);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "hello world, not a checkpoint", -1, NULL));
  sd = ov_state_dict_load (path, &error);
  g_assert_null (sd);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_clear_error (&error);

  /* A plain pickle of a dict of ints is no state dict. */
  g_assert_true (g_file_set_contents (path, "\x80\x02}q\x00X\x01\x00\x00\x00" "aK\x01s.", 16,
                                      NULL));
  sd = ov_state_dict_load (path, &error);
  g_assert_null (sd);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_clear_error (&error);

  /* Deep nesting and memo abuse are data, not a crash. */
  {
    GString *s = g_string_new ("\x80\x02");
    for (int i = 0; i < 200000; i++)
      g_string_append_len (s, "]q\x00", 3);
    for (int i = 0; i < 199999; i++)
      g_string_append_c (s, 'a');
    g_string_append_c (s, '.');
    g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));
    g_string_free (s, TRUE);
    {
      g_autoptr (OvPickleValue) v = ov_pickle_load_file (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ov_pickle_value_kind (v), ==, OV_PICKLE_LIST);
    }
    /* A list appended to itself. */
    g_assert_true (g_file_set_contents (path, "\x80\x02]q\x00h\x00" "a.", 9, NULL));
    {
      g_autoptr (OvPickleValue) v = ov_pickle_load_file (path, &error);
      g_assert_no_error (error);
      g_assert_true (ov_pickle_value_nth (v, 0) == v);
    }
  }
  g_unlink (path);
  g_rmdir (dir);
}

/* Random opcode soup straight into the parser: errors, never a crash. The
 * bytes favour real opcodes and small arguments so that deep paths run. */
static void
test_pickle_random (void)
{
  static const char ops[] = "()]}.0a1ebcdeghjqrstuKMJXNQRG\x80\x81\x85\x86\x87\x88\x89"
                            "\x8a\x8c\x93\x94\x95" "hq";
  g_autoptr (GRand) rand = g_rand_new_with_seed (99);
  guint n_ok = 0;

  for (int iter = 0; iter < 20000; iter++)
    {
      guint8 buf[96];
      gsize len = g_rand_int_range (rand, 1, sizeof buf);
      g_autoptr (GError) error = NULL;
      OvPickleValue *v;

      for (gsize i = 0; i < len; i++)
        buf[i] = g_rand_boolean (rand) ? (guint8) ops[g_rand_int_range (rand, 0, sizeof ops - 1)]
                 : (guint8) g_rand_int_range (rand, 0, 4);
      v = _ov_pickle_parse (buf, len, "random", NULL, &error);
      if (v != NULL)
        n_ok++;
      else
        g_assert_true (error != NULL && error->domain == OV_ERROR);
      ov_pickle_value_free (v);
    }
  g_test_message ("%u of 20000 random pickles parsed", n_ok);
}

/* A private copy reads the same tensors as the mapped file, for every
 * container, and survives the file being rewritten in place afterwards. */
static void
test_private_copy (void)
{
  static const char *const files[] = { "zip.pt", "zip-deflated.pt", "legacy.pt",
                                       "small.safetensors" };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *src = ov_test_source_path ("tests", "fixtures", "checkpoint", files[f],
                                                  NULL);
      g_autofree char *tmp = g_build_filename (g_get_tmp_dir (), "ov-private-copy-XXXXXX", NULL);
      g_autofree char *data = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(OvStateDict) mapped = NULL;
      g_autoptr(OvStateDict) copy = NULL;
      gsize len;
      int fd;

      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      fd = g_mkstemp (tmp);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (write (fd, data, len), ==, (gssize) len);
      close (fd);

      mapped = ov_state_dict_load (src, &error);
      g_assert_no_error (error);
      copy = ov_state_dict_load_full (tmp, OV_STATE_DICT_PRIVATE_COPY, &error);
      g_assert_no_error (error);

      /* rewritten in place, shorter: a mapping of it would fault */
      fd = open (tmp, O_WRONLY | O_TRUNC);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (write (fd, "junk", 4), ==, 4);
      close (fd);

      g_assert_cmpuint (ov_state_dict_get_n_tensors (copy), ==,
                        ov_state_dict_get_n_tensors (mapped));
      g_assert_cmpuint (ov_state_dict_get_n_tensors (copy), >, 0);
      for (guint i = 0; i < ov_state_dict_get_n_tensors (mapped); i++)
        {
          const OvTensor *a = ov_state_dict_get_nth (mapped, i);
          const OvTensor *b = ov_state_dict_get_nth (copy, i);

          g_assert_cmpstr (a->name, ==, b->name);
          g_assert_cmpint (a->n_elements, ==, b->n_elements);
          g_assert_cmpint (a->dtype, ==, b->dtype);
          g_assert_cmpmem (a->data, a->n_elements * ov_dtype_size (a->dtype),
                           b->data, b->n_elements * ov_dtype_size (b->dtype));
        }
      g_remove (tmp);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/checkpoint/oracle/caption_tiny", test_oracle_caption);
  g_test_add_func ("/model/checkpoint/oracle/vqa_tiny_imgln", test_oracle_vqa);
  g_test_add_func ("/model/checkpoint/vqa-features", test_vqa_features);
  g_test_add_func ("/model/checkpoint/fixtures/legacy", test_fixture_legacy);
  g_test_add_func ("/model/checkpoint/fixtures/zip", test_fixture_zip);
  g_test_add_func ("/model/checkpoint/private-copy", test_private_copy);
  g_test_add_func ("/model/checkpoint/fixtures/safetensors", test_fixture_safetensors);
  g_test_add_func ("/model/checkpoint/fixtures/wrapped", test_fixture_wrapped);
  g_test_add_func ("/model/checkpoint/safetensors-roundtrip", test_safetensors_roundtrip);
  g_test_add_func ("/model/checkpoint/missing-and-unknown", test_missing_and_unknown);
  g_test_add_func ("/model/pickle/values", test_pickle_values);
  g_test_add_func ("/model/pickle/namespace", test_pickle_namespace);
  g_test_add_func ("/model/pickle/training-args", test_training_args);
  g_test_add_func ("/model/pickle/forbidden", test_pickle_forbidden);
  g_test_add_func ("/model/pickle/long-text", test_pickle_long_text);
  g_test_add_func ("/model/pickle/random", test_pickle_random);
  g_test_add_func ("/model/answers/oracle", test_answers_oracle);
  g_test_add_func ("/model/answers/set", test_answers_set);
  g_test_add_func ("/model/answers/shared-data", test_answers_shared_data);
  g_test_add_func ("/model/answers/formats", test_answers_formats);
  g_test_add_func ("/model/checkpoint/damage/zip", test_damage_zip);
  g_test_add_func ("/model/checkpoint/damage/legacy", test_damage_legacy);
  g_test_add_func ("/model/checkpoint/legacy-negative-size", test_legacy_negative_size);
  g_test_add_func ("/model/checkpoint/damage/safetensors", test_damage_safetensors);
  g_test_add_func ("/model/checkpoint/damage/pickles", test_damage_pickles);

  return g_test_run ();
}
