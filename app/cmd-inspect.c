/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz inspect FILE...`: says what each file is (image, detections,
 * features, dataset, checkpoint folder, tensor file, embeddings, answer
 * list) and summarises it, as text or as one JSON document per line with
 * --json.
 */
#define G_LOG_DOMAIN "ov-cmd-inspect"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/ov-dataset.h"
#include "data/ov-demo.h"
#include "model/ov-error.h"
#include "model/ov-files.h"
#include "model/ov-json.h"
#include "model/ov-state-dict.h"
#include "model/ov-tokenizer.h"
#include "ov-cli.h"
#include "ov-commands.h"
#include "viz/ov-embed.h"

#define N_KEYS_SHOWN 5

static JsonNode *
inspect_image (const char *path,
               GError    **error)
{
  g_autoptr(OvImage) image = ov_image_load (path, NULL, NULL, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (image == NULL)
    return NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "image");
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, image->format);
  /* The size as displayed: after orientation, before any downscaling. */
  {
    int w, h;

    ov_orientation_apply_size (image->orientation, image->stored_width, image->stored_height,
                               &w, &h);
    json_builder_set_member_name (b, "width");
    json_builder_add_int_value (b, w);
    json_builder_set_member_name (b, "height");
    json_builder_add_int_value (b, h);
  }
  json_builder_set_member_name (b, "orientation");
  json_builder_add_int_value (b, image->orientation);
  json_builder_set_member_name (b, "stored_width");
  json_builder_add_int_value (b, image->stored_width);
  json_builder_set_member_name (b, "stored_height");
  json_builder_add_int_value (b, image->stored_height);
  json_builder_set_member_name (b, "has_alpha");
  json_builder_add_boolean_value (b, image->has_alpha);
  if (image->color_profile != NULL)
    {
      json_builder_set_member_name (b, "color_profile");
      json_builder_add_string_value (b, image->color_profile);
    }
  if (image->note != NULL)
    {
      json_builder_set_member_name (b, "note");
      json_builder_add_string_value (b, image->note);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
inspect_dataset (const char *path,
                 const char *key,
                 gint64      row,
                 const char *class_names,
                 GError    **error)
{
  g_autoptr(OvDataset) ds = ov_dataset_open (path, NULL, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(OvSample) sample = NULL;
  g_autoptr(GPtrArray) file_warnings = NULL;
  guint n;

  if (ds == NULL)
    return NULL;
  if (class_names != NULL && !ov_dataset_set_class_names (ds, class_names, error))
    return NULL;
  n = ov_dataset_get_n_samples (ds);
  /* a row or key the file lacks is a bad option value, as for the other
   * commands */
  if (row >= 0 && row >= (gint64) n)
    {
      if (n == 0)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("--row %lld: %s has no samples"), (long long) row, path);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("--row %" PRId64 ": %s has %u samples, numbered from 0 to %u"),
                     row, path, n, n - 1);
      return NULL;
    }
  if (key != NULL)
    {
      g_autoptr(GError) local = NULL;
      gint64 index = ov_dataset_find_key (ds, key, NULL, &local);

      if (index < 0)
        {
          if (g_error_matches (local, OV_ERROR, OV_ERROR_MISSING))
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--key: %s",
                         local->message);
          else
            g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  /* a file cut short shows in its last row: read that one alone */
  file_warnings = ov_dataset_check_last_rows (ds, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, ov_file_kind_role (ov_dataset_get_kind (ds)));
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, ov_file_kind_to_string (ov_dataset_get_kind (ds)));
  json_builder_set_member_name (b, "samples");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "keys");
  json_builder_begin_array (b);
  for (guint i = 0; i < MIN (n, N_KEYS_SHOWN); i++)
    {
      g_autofree char *k = ov_dataset_dup_key (ds, i, error);

      if (k == NULL)
        return NULL;
      json_builder_add_string_value (b, k);
    }
  json_builder_end_array (b);
  if (file_warnings->len > 0)
    {
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint i = 0; i < file_warnings->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (file_warnings, i));
      json_builder_end_array (b);
    }

  if (key != NULL)
    sample = ov_dataset_load_key (ds, key, NULL, NULL, NULL, error);
  else if (n == 0)
    ;
  else
    sample = ov_dataset_load_sample (ds, row >= 0 ? (guint) row : 0, NULL, NULL, NULL, error);
  if (sample == NULL && (key != NULL || n > 0))
    return NULL;

  if (sample != NULL)
    {
      g_autoptr(GError) local = NULL;
      g_autofree char *tags = NULL;

      /* Region vectors when the sizes allow; 2048-wide features without an
       * image size stay as they are, with a note. */
      if (sample->features != NULL && !ov_sample_build_region_vectors (sample, &local))
        {
          if (!g_error_matches (local, OV_ERROR, OV_ERROR_MISSING))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          ov_sample_add_warning (sample, "%s", local->message);
        }
      tags = ov_sample_dup_tag_string (sample);
      json_builder_set_member_name (b, "sample");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, sample->key);
      json_builder_set_member_name (b, "regions");
      json_builder_add_int_value (b, sample->n_regions);
      json_builder_set_member_name (b, "tags");
      json_builder_add_string_value (b, tags);
      json_builder_set_member_name (b, "feature_dim");
      if (sample->features != NULL)
        json_builder_add_int_value (b, sample->feature_dim);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "feature_rows");
      json_builder_add_int_value (b, sample->n_features);
      if (sample->width > 0)
        {
          json_builder_set_member_name (b, "width");
          json_builder_add_int_value (b, sample->width);
          json_builder_set_member_name (b, "height");
          json_builder_add_int_value (b, sample->height);
        }
      json_builder_set_member_name (b, "captions");
      json_builder_add_int_value (b, sample->captions->len);
      json_builder_set_member_name (b, "questions");
      json_builder_add_int_value (b, sample->questions->len);
      if (sample->image_path != NULL)
        {
          json_builder_set_member_name (b, "image");
          json_builder_add_string_value (b, sample->image_path);
        }
      else if (sample->image_tsv != NULL)
        {
          json_builder_set_member_name (b, "image_tsv");
          json_builder_add_string_value (b, sample->image_tsv);
        }
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint i = 0; i < sample->warnings->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (sample->warnings, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A checkpoint folder: what ov_model_load makes of it (weights are mapped,
 * not read). */
static JsonNode *
inspect_checkpoint (const char *path,
                    GError    **error)
{
  g_autoptr(OvModel) model = ov_model_load (path, NULL, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(OvAnswerList) answers = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *safetensors = g_build_filename (path, "model.safetensors", NULL);
  const OvConfig *c;
  const OvTaskSettings *st;
  const char *const *warnings;

  if (model == NULL)
    return NULL;
  c = ov_model_get_config (model);
  st = ov_model_get_settings (model);
  answers = ov_cli_find_answers (model, NULL, NULL, &local);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "checkpoint");
  json_builder_set_member_name (b, "model_kind");
  json_builder_add_string_value (b, ov_model_kind_name (ov_model_get_kind (model)));
  json_builder_set_member_name (b, "weights");
  json_builder_add_string_value (b, g_file_test (safetensors, G_FILE_TEST_IS_REGULAR)
                                    ? "model.safetensors" : "pytorch_model.bin");
  json_builder_set_member_name (b, "layers");
  json_builder_add_int_value (b, c->num_hidden_layers);
  json_builder_set_member_name (b, "hidden");
  json_builder_add_int_value (b, c->hidden_size);
  json_builder_set_member_name (b, "heads");
  json_builder_add_int_value (b, c->num_attention_heads);
  json_builder_set_member_name (b, "vocab_size");
  json_builder_add_int_value (b, c->vocab_size);
  json_builder_set_member_name (b, "img_feature_dim");
  json_builder_add_int_value (b, c->img_feature_dim);
  if (ov_model_get_kind (model) == OV_MODEL_KIND_CAPTION)
    {
      json_builder_set_member_name (b, "tags");
      json_builder_add_boolean_value (b, st->add_od_labels);
      json_builder_set_member_name (b, "tag_slots");
      json_builder_add_int_value (b, st->add_od_labels ? st->od_labels_len : 0);
      json_builder_set_member_name (b, "max_gen_length");
      json_builder_add_int_value (b, st->max_gen_length);
    }
  if (ov_model_get_kind (model) == OV_MODEL_KIND_CLASSIFIER)
    {
      json_builder_set_member_name (b, "classes");
      json_builder_add_int_value (b, c->num_labels);
      json_builder_set_member_name (b, "answers");
      if (answers != NULL)
        json_builder_add_int_value (b, ov_answer_list_get_n (answers));
      else
        json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  if (local != NULL)
    json_builder_add_string_value (b, local->message);
  warnings = ov_model_get_warnings (model);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    json_builder_add_string_value (b, warnings[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A folder is a checkpoint, or the folder of a dataset whose split file
 * should be given instead. */
static JsonNode *
inspect_folder (const char *path,
                GError    **error)
{
  g_autofree char *config = g_build_filename (path, "config.json", NULL);
  g_autofree char *dataset = NULL;

  if (g_file_test (config, G_FILE_TEST_IS_REGULAR))
    return inspect_checkpoint (path, error);
  /* Says which of its files to give. */
  dataset = ov_demo_resolve_dataset (path, error);
  g_assert (dataset == NULL);
  return NULL;
}

/* Files named as Oscar and oscarviz name answer lists. */
static gboolean
is_answer_list_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  return strstr (base, "label2ans") != NULL || strstr (base, "ans2label") != NULL
         || g_str_equal (base, "answers.json") || g_str_equal (base, "answers.txt");
}

static JsonNode *
inspect_answers (const char *path,
                 GError    **error)
{
  g_autoptr(OvAnswerList) list = ov_answer_list_load (path, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (list == NULL)
    return NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "answers");
  json_builder_set_member_name (b, "answers");
  json_builder_add_int_value (b, ov_answer_list_get_n (list));
  json_builder_set_member_name (b, "first");
  json_builder_begin_array (b);
  for (guint i = 0; i < MIN (ov_answer_list_get_n (list), N_KEYS_SHOWN); i++)
    json_builder_add_string_value (b, ov_answer_list_get (list, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A class names file (--class-names): VG objects_vocab.txt, a table with
 * a "name" column, a JSON list or a VinVL label map. */
static JsonNode *
inspect_class_names (const char *path,
                     GError    **error)
{
  g_autoptr(OvClassNames) names = ov_class_names_load (path, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (names == NULL)
    return NULL;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "class-names");
  json_builder_set_member_name (b, "classes");
  json_builder_add_int_value (b, names->n_names);
  json_builder_set_member_name (b, "first");
  json_builder_begin_array (b);
  for (guint i = 0; i < MIN (names->n_names, N_KEYS_SHOWN); i++)
    json_builder_add_string_value (b, names->names[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A BERT vocabulary (vocab.txt): one word piece a line. Named so, or
 * beginning with [PAD] as BERT's do (a JSON sniffer would take the bracket
 * for a list). */
static gboolean
is_vocabulary (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char head[8] = { 0 };
  FILE *f;
  gboolean pad;

  if (g_str_has_suffix (base, "vocab.txt"))
    return TRUE;
  f = ov_files_check_regular (path, NULL) ? fopen (path, "rb") : NULL;
  if (f == NULL)
    return FALSE;
  pad = fread (head, 1, 6, f) == 6 && memcmp (head, "[PAD]\n", 6) == 0;
  fclose (f);
  return pad;
}

static JsonNode *
inspect_vocabulary (const char *path,
                    GError    **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  OvTokenizer *tok = ov_tokenizer_new_from_files (path, NULL, NULL, TRUE, error);
  struct { const char *name; gint32 id; } special[5];

  if (tok == NULL)
    return NULL;
  special[0].name = "[PAD]", special[0].id = ov_tokenizer_pad_id (tok);
  special[1].name = "[UNK]", special[1].id = ov_tokenizer_unk_id (tok);
  special[2].name = "[CLS]", special[2].id = ov_tokenizer_cls_id (tok);
  special[3].name = "[SEP]", special[3].id = ov_tokenizer_sep_id (tok);
  special[4].name = "[MASK]", special[4].id = ov_tokenizer_mask_id (tok);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "vocabulary");
  json_builder_set_member_name (b, "word_pieces");
  json_builder_add_int_value (b, ov_tokenizer_get_vocab_size (tok));
  json_builder_set_member_name (b, "special_ids");
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    {
      json_builder_set_member_name (b, special[i].name);
      json_builder_add_int_value (b, special[i].id);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  ov_tokenizer_free (tok);
  return json_builder_get_root (b);
}

/* A NumPy .npy array: its element type and shape, from the header
 * ({'descr': '<f4', 'fortran_order': False, 'shape': (3, 50), }). The
 * vectors `tsne` reads can be such a file. */
static gboolean
is_npy (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  char magic[6];
  gsize n = 0;

  return in != NULL
         && g_input_stream_read_all (G_INPUT_STREAM (in), magic, sizeof magic, &n, NULL, NULL)
         && n == sizeof magic && memcmp (magic, "\x93NUMPY", 6) == 0;
}

static char *
npy_header_value (const char *header,
                  const char *key,
                  char        close)
{
  const char *p = strstr (header, key);
  const char *start, *end;

  if (p == NULL || (p = strchr (p + strlen (key), ':')) == NULL)
    return NULL;
  start = p + 1;
  while (*start == ' ')
    start++;
  end = strchr (start + 1, close);
  return end != NULL ? g_strndup (start, end - start + 1) : NULL;
}

static JsonNode *
inspect_npy (const char *path,
             GError    **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *header = NULL;
  g_autofree char *descr = NULL;
  g_autofree char *shape = NULL;
  guchar pre[12];
  gsize n = 0, len;

  if (in == NULL)
    return NULL;
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), pre, sizeof pre, &n, NULL, error))
    return NULL;
  /* magic, version (1.0: 2-byte header length; 2.0 and 3.0: 4-byte) */
  len = n >= 10 ? (gsize) pre[8] | (gsize) pre[9] << 8 : 0;
  if (n == sizeof pre && pre[6] >= 2)
    len = (gsize) pre[8] | (gsize) pre[9] << 8 | (gsize) pre[10] << 16 | (gsize) pre[11] << 24;
  if (n < 10 || len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED, "%s: the .npy header is cut short",
                   path);
      return NULL;
    }
  if (len > 65536)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, "%s: a .npy header of %zu bytes, more "
                   "than the 64 KiB read here", path, len);
      return NULL;
    }
  header = g_malloc0 (len + 1);
  if (!g_seekable_seek (G_SEEKABLE (in), pre[6] >= 2 ? 12 : 10, G_SEEK_SET, NULL, error)
      || !g_input_stream_read_all (G_INPUT_STREAM (in), header, len, &n, NULL, error))
    return NULL;
  if (n != len)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                   "%s: the .npy header is cut short (%zu of %zu bytes)", path, n, len);
      return NULL;
    }
  /* a structured array's descr is a list of fields */
  descr = strstr (header, "'descr': [") != NULL ? g_strdup ("structured")
                                                : npy_header_value (header, "'descr'", '\'');
  shape = npy_header_value (header, "'shape'", ')');
  if (descr == NULL || shape == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   "%s: the .npy header names no 'descr' and 'shape'", path);
      return NULL;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "array");
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "npy");
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, g_strstrip (g_strdelimit (descr, "'", ' ')));
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  {
    g_auto(GStrv) dims = g_strsplit_set (shape, "(), ", -1);

    for (guint i = 0; dims[i] != NULL; i++)
      if (*dims[i] != '\0')
        json_builder_add_int_value (b, g_ascii_strtoll (dims[i], NULL, 10));
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* One caption of the summary: the first of the file. */
static void
add_caption (JsonBuilder *b,
             const char  *key,
             const char  *caption,
             JsonNode    *conf)
{
  json_builder_set_member_name (b, "first");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, key);
  json_builder_set_member_name (b, "caption");
  json_builder_add_string_value (b, caption);
  if (conf != NULL && JSON_NODE_HOLDS_VALUE (conf))
    {
      json_builder_set_member_name (b, "conf");
      ov_cli_json_add_number (b, json_node_get_double (conf));
    }
  json_builder_end_object (b);
}

/* Captions: a COCO-style list [{"image_id", "caption"}], or Oscar's caption
 * predictions TSV (key \t [{"caption", "conf"}], one row per image). */
static JsonNode *
inspect_captions (const char *path,
                  OvFileKind  kind,
                  GError    **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  guint n_captions = 0, n_images = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "captions");
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, ov_file_kind_to_string (kind));
  if (kind == OV_FILE_CAPTION_PREDICTIONS)
    {
      g_autoptr(OvTsv) tsv = ov_tsv_open (path, NULL, error);
      g_autofree char *row = NULL;
      g_autofree char *where = NULL;
      JsonArray *list;
      char *tab;

      if (tsv == NULL)
        return NULL;
      n_images = ov_tsv_get_n_rows (tsv);
      row = n_images > 0 ? ov_tsv_read_row (tsv, 0, NULL, NULL, NULL, error) : NULL;
      if (n_images > 0 && row == NULL)
        return NULL;
      where = g_strdup_printf ("%s, row 0", path);
      tab = row != NULL ? strchr (row, '\t') : NULL;
      if (tab != NULL)
        *tab = '\0';
      if (tab == NULL || !ov_json_load_data (parser, tab + 1, -1, error)
          || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
        {
          if (error != NULL && *error != NULL)
            g_prefix_error (error, "%s: ", where);
          else
            g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                         "%s: expected key, then [{\"caption\": …, \"conf\": …}]", where);
          return NULL;
        }
      list = json_node_get_array (json_parser_get_root (parser));
      n_captions = json_array_get_length (list);
      for (guint i = 0; i < MIN (n_captions, 1); i++)
        {
          JsonNode *e = json_array_get_element (list, i);
          JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;

          add_caption (b, row, o != NULL ? ov_json_get_string (o, "caption", "") : "",
                       o != NULL ? json_object_get_member (o, "conf") : NULL);
        }
    }
  else
    {
      g_autoptr(GHashTable) images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);
      JsonArray *list;

      if (!ov_json_load_file (parser, path, error)
          || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
        {
          if (error != NULL && *error != NULL)
            g_prefix_error (error, "%s: ", path);
          else
            g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                         "%s: expected a list of {\"image_id\", \"caption\"}", path);
          return NULL;
        }
      list = json_node_get_array (json_parser_get_root (parser));
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *e = json_array_get_element (list, i);
          JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
          JsonNode *id = o != NULL ? json_object_get_member (o, "image_id") : NULL;
          g_autofree char *key = NULL;

          if (id == NULL || !JSON_NODE_HOLDS_VALUE (id))
            continue;
          key = json_node_get_value_type (id) == G_TYPE_STRING
                ? g_strdup (json_node_get_string (id))
                : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
          if (n_captions++ == 0)
            add_caption (b, key, ov_json_get_string (o, "caption", ""), NULL);
          g_hash_table_add (images, g_steal_pointer (&key));
        }
      n_images = g_hash_table_size (images);
      json_builder_set_member_name (b, "captions");
      json_builder_add_int_value (b, n_captions);
    }
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, n_images);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* `oscarviz embed`'s file (FILE.json beside it says so). */
static JsonNode *
inspect_embeddings (const char *path,
                    GError    **error)
{
  g_autoptr(OvEmbeddings) emb = ov_embeddings_load (path, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n_tags = 0;

  if (emb == NULL)
    return NULL;
  for (guint i = 0; i < emb->n; i++)
    n_tags += emb->modality[i] == OV_EMBED_TAG;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "embeddings");
  json_builder_set_member_name (b, "vectors");
  json_builder_add_int_value (b, emb->n);
  json_builder_set_member_name (b, "tag_pieces");
  json_builder_add_int_value (b, n_tags);
  json_builder_set_member_name (b, "regions");
  json_builder_add_int_value (b, emb->n - n_tags);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, emb->image_keys->len);
  json_builder_set_member_name (b, "classes");
  json_builder_add_int_value (b, emb->class_names->len);
  json_builder_set_member_name (b, "hidden");
  json_builder_add_int_value (b, emb->hidden);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint i = 0; i < emb->n_layers; i++)
    json_builder_add_int_value (b, emb->layers[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, emb->model_path);
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, emb->input);
  if (emb->tag_layout != NULL)
    {
      json_builder_set_member_name (b, "tag_layout");
      json_builder_add_string_value (b, emb->tag_layout);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Any other tensor file: checkpoint weights, encode's output, --inputs
 * files, Oscar's .pt features. */
static JsonNode *
inspect_tensors (const char *path,
                 GError    **error)
{
  g_autoptr(OvStateDict) sd = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *sidecar = g_strconcat (path, ".json", NULL);
  g_autoptr(GHashTable) dtypes = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer name, count;
  gint64 n_values = 0;
  const char *format;
  guint n;

  if (g_file_test (sidecar, G_FILE_TEST_IS_REGULAR))
    return inspect_embeddings (path, error);
  sd = ov_state_dict_load (path, error);
  if (sd == NULL)
    return NULL;
  n = ov_state_dict_get_n_tensors (sd);
  switch (ov_state_dict_get_format (sd))
    {
    case OV_STATE_DICT_FORMAT_TORCH_ZIP: format = "pytorch-zip"; break;
    case OV_STATE_DICT_FORMAT_TORCH_LEGACY: format = "pytorch-legacy"; break;
    case OV_STATE_DICT_FORMAT_SAFETENSORS:
    default: format = "safetensors"; break;
    }
  for (guint i = 0; i < n; i++)
    {
      const OvTensor *t = ov_state_dict_get_nth (sd, i);
      const char *dtype = ov_dtype_name (t->dtype);

      n_values += t->n_elements;
      g_hash_table_insert (dtypes, (gpointer) dtype,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (dtypes,
                                                                                    dtype)) + 1));
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "tensors");
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, format);
  json_builder_set_member_name (b, "tensors");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "values");
  json_builder_add_int_value (b, n_values);
  json_builder_set_member_name (b, "dtypes");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, dtypes);
  while (g_hash_table_iter_next (&iter, &name, &count))
    {
      json_builder_set_member_name (b, name);
      json_builder_add_int_value (b, GPOINTER_TO_UINT (count));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "names");
  json_builder_begin_array (b);
  for (guint i = 0; i < MIN (n, N_KEYS_SHOWN); i++)
    json_builder_add_string_value (b, ov_state_dict_get_nth (sd, i)->name);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_names (JsonArray *names)
{
  for (guint i = 0; i < json_array_get_length (names); i++)
    {
      const char *name = json_array_get_string_element (names, i);

      /* an empty name (LXMERT's first answer is "") shows as quotes */
      g_print ("%s%s", i > 0 ? ", " : "", name != NULL && *name != '\0' ? name : "“”");
    }
}

static void
print_text (const char *path,
            JsonNode   *node)
{
  JsonObject *o = json_node_get_object (node);
  const char *kind = json_object_get_string_member (o, "kind");

  if (g_str_equal (kind, "image"))
    {
      g_print ("%s: %s image, %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT " as displayed",
               path, json_object_get_string_member (o, "format"),
               json_object_get_int_member (o, "width"), json_object_get_int_member (o, "height"));
      if (json_object_get_int_member (o, "orientation") != 1)
        g_print (", EXIF orientation %" G_GINT64_FORMAT " (stored %" G_GINT64_FORMAT "×%"
                 G_GINT64_FORMAT ")", json_object_get_int_member (o, "orientation"),
                 json_object_get_int_member (o, "stored_width"),
                 json_object_get_int_member (o, "stored_height"));
      if (json_object_has_member (o, "color_profile"))
        /* Translators: an image's embedded colour profile, "Adobe RGB (1998)" */
        g_print (_(", colour profile %s shown as sRGB"),
                 json_object_get_string_member (o, "color_profile"));
      g_print ("\n");
      if (json_object_has_member (o, "note"))
        g_print ("  %s\n", json_object_get_string_member (o, "note"));
      return;
    }
  if (g_str_equal (kind, "checkpoint"))
    {
      JsonArray *w = json_object_get_array_member (o, "warnings");
      const char *model_kind = json_object_get_string_member (o, "model_kind");
      int layers = (int) json_object_get_int_member (o, "layers");
      int heads = (int) json_object_get_int_member (o, "heads");
      g_autofree char *layers_text = g_strdup_printf (ngettext ("%d layer", "%d layers", layers),
                                                      layers);
      g_autofree char *heads_text = g_strdup_printf (ngettext ("%d head", "%d heads", heads),
                                                     heads);

      /* Translators: "DIR: captioning checkpoint (pytorch_model.bin), 2 layers, hidden 64,
       * 4 heads, vocabulary 106, region features 2054 wide" */
      g_print (_("%s: %s checkpoint (%s), %s, hidden %d, %s, vocabulary %d, region "
                 "features %d wide\n"), path, model_kind,
               json_object_get_string_member (o, "weights"), layers_text,
               (int) json_object_get_int_member (o, "hidden"), heads_text,
               (int) json_object_get_int_member (o, "vocab_size"),
               (int) json_object_get_int_member (o, "img_feature_dim"));
      if (json_object_has_member (o, "tags"))
        {
          int slots = (int) json_object_get_int_member (o, "tag_slots");

          if (json_object_get_boolean_member (o, "tags"))
            g_print (ngettext ("  trained with tags (%d tag slot); captions of up to %d tokens\n",
                               "  trained with tags (%d tag slots); captions of up to %d "
                               "tokens\n", slots), slots,
                     (int) json_object_get_int_member (o, "max_gen_length"));
          else
            g_print (_("  trained without tags; captions of up to %d tokens\n"),
                     (int) json_object_get_int_member (o, "max_gen_length"));
        }
      if (json_object_has_member (o, "classes"))
        {
          JsonNode *answers = json_object_get_member (o, "answers");
          int classes = (int) json_object_get_int_member (o, "classes");

          if (JSON_NODE_HOLDS_NULL (answers))
            g_print (ngettext ("  %d answer class, no answer list in the folder\n",
                               "  %d answer classes, no answer list in the folder\n", classes),
                     classes);
          else
            g_print (ngettext ("  %d answer class, named by the answer list in the folder\n",
                               "  %d answer classes, named by the answer list in the folder\n",
                               classes), classes);
        }
      for (guint i = 0; i < json_array_get_length (w); i++)
        g_print (_("  warning: %s\n"), json_array_get_string_element (w, i));
      return;
    }
  if (g_str_equal (kind, "vocabulary"))
    {
      JsonObject *ids = json_object_get_object_member (o, "special_ids");
      GList *names = json_object_get_members (ids);

      g_print (_("%s: BERT vocabulary, %lld word pieces"), path,
               (long long) json_object_get_int_member (o, "word_pieces"));
      for (GList *l = names; l != NULL; l = l->next)
        g_print ("%s%s %" G_GINT64_FORMAT, l == names ? "; " : ", ", (const char *) l->data,
                 json_object_get_int_member (ids, l->data));
      g_print ("\n");
      g_list_free (names);
      return;
    }
  if (g_str_equal (kind, "class-names"))
    {
      int n = (int) json_object_get_int_member (o, "classes");

      /* Translators: a file of names for numeric class ids (--class-names);
       * the first names follow. */
      g_print (ngettext ("%s: class names for --class-names, %d class (id 0 up): ",
                         "%s: class names for --class-names, %d classes (ids 0 up): ", n),
               path, n);
      print_names (json_object_get_array_member (o, "first"));
      g_print ("%s\n", n > N_KEYS_SHOWN ? ", …" : "");
      return;
    }
  if (g_str_equal (kind, "answers"))
    {
      int n = (int) json_object_get_int_member (o, "answers");

      g_print (ngettext ("%s: answer list, %d answer: ", "%s: answer list, %d answers: ", n),
               path, n);
      print_names (json_object_get_array_member (o, "first"));
      g_print ("%s\n", n > N_KEYS_SHOWN ? ", …" : "");
      return;
    }
  if (g_str_equal (kind, "array"))
    {
      JsonArray *shape = json_object_get_array_member (o, "shape");
      g_autoptr(GString) dims = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (shape); i++)
        g_string_append_printf (dims, "%s%" G_GINT64_FORMAT, i > 0 ? " × " : "",
                                json_array_get_int_element (shape, i));
      /* Translators: "v.npy: NumPy array, <f4, 500 × 2" */
      g_print (_("%s: NumPy array, %s, %s\n"), path, json_object_get_string_member (o, "dtype"),
               json_array_get_length (shape) > 0 ? dims->str : _("a single value"));
      return;
    }
  if (g_str_equal (kind, "captions"))
    {
      gint64 images = json_object_get_int_member (o, "images");
      JsonObject *first = json_object_get_object_member (o, "first");
      g_autofree char *images_text = g_strdup_printf (ngettext ("%lld image", "%lld images",
                                                              images), (long long) images);

      if (json_object_has_member (o, "captions"))
        {
          gint64 n = json_object_get_int_member (o, "captions");

          /* Translators: "captions.json: captions (captions-json), 20 captions of 4 images" */
          g_print (ngettext ("%s: captions (%s), %lld caption of %s\n",
                             "%s: captions (%s), %lld captions of %s\n", n), path,
                   json_object_get_string_member (o, "format"), (long long) n, images_text);
        }
      else
        /* Translators: Oscar's caption output, one row (with its captions) per image */
        g_print (_("%s: caption predictions (%s), %s\n"), path,
                 json_object_get_string_member (o, "format"), images_text);
      if (first != NULL && json_object_has_member (first, "conf"))
        g_print (_("  “%s”: %s (conf %.4g)\n"), json_object_get_string_member (first, "key"),
                 json_object_get_string_member (first, "caption"),
                 json_object_get_double_member (first, "conf"));
      else if (first != NULL)
        g_print (_("  “%s”: %s\n"), json_object_get_string_member (first, "key"),
                 json_object_get_string_member (first, "caption"));
      return;
    }
  if (g_str_equal (kind, "embeddings"))
    {
      int n = (int) json_object_get_int_member (o, "vectors");
      int tags = (int) json_object_get_int_member (o, "tag_pieces");
      int images = (int) json_object_get_int_member (o, "images");
      g_autofree char *vectors = g_strdup_printf (ngettext ("%d vector", "%d vectors", n), n);
      g_autofree char *tags_text = g_strdup_printf (ngettext ("%d tag piece", "%d tag pieces",
                                                              tags), tags);
      g_autofree char *regions = g_strdup_printf (ngettext ("%d region", "%d regions", n - tags),
                                                  n - tags);
      g_autofree char *images_text = g_strdup_printf (ngettext ("%d image", "%d images", images),
                                                      images);

      /* Translators: "vec.safetensors: embeddings of demo, 133 vectors (65 tag pieces, 68
       * regions) of 10 images" */
      g_print (_("%s: embeddings of %s, %s (%s, %s) of %s\n"), path,
               json_object_get_string_member (o, "model"), vectors, tags_text, regions,
               images_text);
      if (json_object_has_member (o, "tag_layout"))
        /* Translators: the model of the line above was trained without tags */
        g_print (_("  tags read in the tag slots of %s\n"),
                 json_object_get_string_member (o, "tag_layout"));
      return;
    }
  if (g_str_equal (kind, "tensors"))
    {
      int n = (int) json_object_get_int_member (o, "tensors");
      gint64 values = json_object_get_int_member (o, "values");

      /* Translators: "pytorch_model.bin: pytorch-zip, 40 tensors, 1234567 values: ..." */
      g_print (ngettext ("%s: %s, %d tensor, %lld values: ", "%s: %s, %d tensors, %lld values: ",
                         n), path, json_object_get_string_member (o, "format"), n,
               (long long) values);
      print_names (json_object_get_array_member (o, "names"));
      g_print ("%s\n", n > N_KEYS_SHOWN ? ", …" : "");
      return;
    }
  {
    gint64 n = json_object_get_int_member (o, "samples");
    JsonArray *w = json_object_has_member (o, "warnings")
                   ? json_object_get_array_member (o, "warnings") : NULL;

    g_print (ngettext ("%s: %s (%s), %lld sample\n", "%s: %s (%s), %lld samples\n", n), path,
             kind, json_object_get_string_member (o, "format"), (long long) n);
    for (guint i = 0; w != NULL && i < json_array_get_length (w); i++)
      g_print (_("  warning: %s\n"), json_array_get_string_element (w, i));
  }
  if (json_object_has_member (o, "sample"))
    {
      JsonObject *s = json_object_get_object_member (o, "sample");
      JsonArray *w = json_object_get_array_member (s, "warnings");
      JsonNode *dim = json_object_get_member (s, "feature_dim");

      gint64 n_regions = json_object_get_int_member (s, "regions");
      gint64 n_rows = json_object_get_int_member (s, "feature_rows");
      gint64 n_questions = json_object_get_int_member (s, "questions");
      gint64 n_captions = json_object_get_int_member (s, "captions");

      g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
      const char *tags = json_object_get_string_member (s, "tags");

      /* Only what the file holds: a feature, size or question file has no
       * boxes, and says nothing of them. */
      if (n_regions > 0 || g_str_equal (kind, "detections") || g_str_equal (kind, "dataset"))
        g_ptr_array_add (parts, g_strdup_printf (ngettext ("%lld region", "%lld regions",
                                                           n_regions), (long long) n_regions));
      if (!JSON_NODE_HOLDS_NULL (dim))
        g_ptr_array_add (parts, g_strdup_printf (ngettext ("%lld feature row %lld wide",
                                                           "%lld feature rows %lld wide", n_rows),
                                                 (long long) n_rows,
                                                 (long long) json_node_get_int (dim)));
      if (json_object_has_member (s, "width"))
        {
          long long width = json_object_get_int_member (s, "width");
          long long height = json_object_get_int_member (s, "height");

          g_ptr_array_add (parts, g_strdup_printf (_("image %lld×%lld"), width, height));
        }
      if (n_captions > 0)
        g_ptr_array_add (parts, g_strdup_printf (ngettext ("%lld caption", "%lld captions",
                                                           n_captions), (long long) n_captions));
      if (n_questions > 0)
        g_ptr_array_add (parts, g_strdup_printf (ngettext ("%lld question", "%lld questions",
                                                           n_questions),
                                                 (long long) n_questions));
      if (json_object_has_member (s, "image"))
        g_ptr_array_add (parts, g_strdup_printf (_("picture %s"),
                                                 json_object_get_string_member (s, "image")));
      else if (json_object_has_member (s, "image_tsv"))
        /* Translators: %s is an image TSV file that holds the sample's picture */
        g_ptr_array_add (parts, g_strdup_printf (_("picture in %s"),
                                                 json_object_get_string_member (s, "image_tsv")));
      if (parts->len == 0)
        /* Translators: a sample of a file that holds nothing but its tags */
        g_ptr_array_add (parts, g_strdup (_("tags only")));
      g_ptr_array_add (parts, NULL);
      {
        /* Translators: between the parts of a sample's summary */
        g_autofree char *joined = g_strjoinv (C_("summary", ", "), (char **) parts->pdata);

        g_print (_("  sample “%s”: %s\n"), json_object_get_string_member (s, "key"), joined);
      }
      if (tags != NULL && *tags != '\0')
        g_print (_("  tags: %s\n"), tags);
      for (guint i = 0; i < json_array_get_length (w); i++)
        g_print (_("  warning: %s\n"), json_array_get_string_element (w, i));
    }
}

static gboolean
parse_row (const char *option_name,
           const char *value,
           gpointer    data,
           GError    **error)
{
  guint64 row = 0;

  if (!ov_parse_count_option (option_name, value, 0, G_MAXUINT - 1, &row, error))
    return FALSE;
  *(gint64 *) data = (gint64) row;
  return TRUE;
}

int
ov_cmd_inspect (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) given = NULL;
  g_auto(GStrv) files = NULL;
  g_autofree char *key = NULL;
  g_autofree char *class_names = NULL;
  gint64 row = -1;
  gboolean json = FALSE;
  int status = 0;
  const GOptionEntry entries[] = {
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Summarise the sample with this key"), "KEY" },
    { "row", 0, 0, G_OPTION_ARG_CALLBACK, parse_row,
      N_("Summarise the sample at this row (from 0)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("One JSON document per file, one a line"),
      NULL },
    { "class-names", 0, 0, G_OPTION_ARG_FILENAME, &class_names,
      N_("Class names for numeric class ids (one a line, a table with a “name” column, or a "
         "label map JSON)"), "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE…") },
    { NULL }
  };

  GOptionGroup *main_group = g_option_group_new (NULL, NULL, NULL, &row, NULL);

  ov_cli_set_command_name ("inspect");
  context = g_option_context_new (_("— say what files are and summarise them"));
  g_option_context_set_description (context,
                                    _("A FILE that does not exist here may be a bundled name: "
                                      "“demo” for the shipped held-out scenes, or demo-vqa, "
                                      "demo-pretrain or demo-notags for the shipped models."));
  g_option_group_set_translation_domain (main_group, GETTEXT_PACKAGE);
  g_option_group_add_entries (main_group, entries);
  g_option_context_set_main_group (context, main_group);
  given = g_strdupv (argv);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      ov_cli_print_parse_error (context, "inspect", given, error);
      return 2;
    }
  if (files == NULL || files[0] == NULL)
    {
      g_printerr ("oscarviz inspect: %s\n", _("give at least one FILE"));
      return 2;
    }
  if (key != NULL && row >= 0)
    {
      g_printerr ("oscarviz inspect: %s\n", _("give either --key or --row, not both"));
      return 2;
    }

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) local = NULL;
      g_autofree char *bundled = NULL;
      const char *path = files[i];

      /* a name that is not a file here: "demo" is the bundled held-out
       * scenes, the other bundled names their models */
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          if (g_str_equal (path, "demo"))
            bundled = ov_demo_find_dataset ("demo", NULL);
          else if (g_strv_contains (ov_demo_model_names (), path))
            bundled = ov_demo_find (path, NULL);
          if (bundled != NULL)
            path = bundled;
        }
      if (!ov_files_check_regular (path, &local))
        node = NULL;
      else if (g_file_test (path, G_FILE_TEST_IS_DIR))
        node = inspect_folder (path, &local);
      else if (is_answer_list_name (path))
        node = inspect_answers (path, &local);
      else if (is_vocabulary (path))
        {
          node = inspect_vocabulary (path, &local);
          /* Visual Genome's objects_vocab.txt is named as a vocabulary */
          if (node == NULL && ov_file_is_class_names (path))
            {
              g_clear_error (&local);
              node = inspect_class_names (path, &local);
            }
        }
      else if (ov_file_is_tensor_container (path))
        node = inspect_tensors (path, &local);
      else if (is_npy (path))
        node = inspect_npy (path, &local);
      else
        {
          OvFileKind kind = ov_file_sniff (path, &local);

          if ((kind == OV_FILE_UNKNOWN || kind == OV_FILE_SAMPLE_JSON)
              && ov_file_is_class_names (path))
            {
              g_clear_error (&local);
              node = inspect_class_names (path, &local);
            }
          else if (kind == OV_FILE_IMAGE)
            node = inspect_image (path, &local);
          else if (kind == OV_FILE_CAPTIONS_JSON || kind == OV_FILE_CAPTION_PREDICTIONS)
            node = inspect_captions (path, kind, &local);
          else if (kind != OV_FILE_UNKNOWN)
            node = inspect_dataset (path, key, row, class_names, &local);
        }
      if (node == NULL)
        {
          g_printerr ("oscarviz inspect: %s\n", local->message);
          status = MAX (status, ov_cli_exit_status (local));
          continue;
        }
      if (json)
        {
          g_autofree char *text = json_to_string (node, FALSE);

          g_print ("%s\n", text);
        }
      else
        print_text (files[i], node);
    }
  return status;
}
