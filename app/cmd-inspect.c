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
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "data/ov-dataset.h"
#include "data/ov-demo.h"
#include "model/ov-error.h"
#include "model/ov-state-dict.h"
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
                 GError    **error)
{
  g_autoptr(OvDataset) ds = ov_dataset_open (path, NULL, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(OvSample) sample = NULL;
  guint n;

  if (ds == NULL)
    return NULL;
  n = ov_dataset_get_n_samples (ds);
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

  if (key != NULL)
    sample = ov_dataset_load_key (ds, key, NULL, NULL, NULL, error);
  else if (row >= (gint64) n || (row < 0 && n == 0))
    {
      if (row >= 0 || key != NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                       ngettext ("%s has %u sample; there is no row %lld",
                                 "%s has %u samples; there is no row %lld", n),
                       path, n, (long long) row);
          return NULL;
        }
    }
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
  answers = ov_cli_find_answers (model, &local);
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
    g_print ("%s%s", i > 0 ? ", " : "", json_array_get_string_element (names, i));
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
        g_print ("  warning: %s\n", json_array_get_string_element (w, i));
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

    g_print (ngettext ("%s: %s (%s), %lld sample\n", "%s: %s (%s), %lld samples\n", n), path,
             kind, json_object_get_string_member (o, "format"), (long long) n);
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

      g_print (ngettext ("  sample “%s”: %lld region", "  sample “%s”: %lld regions", n_regions),
               json_object_get_string_member (s, "key"), (long long) n_regions);
      if (!JSON_NODE_HOLDS_NULL (dim))
        g_print (ngettext (", %lld feature row %lld wide", ", %lld feature rows %lld wide",
                           n_rows), (long long) n_rows, (long long) json_node_get_int (dim));
      if (json_object_has_member (s, "width"))
        g_print (", image %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT,
                 json_object_get_int_member (s, "width"), json_object_get_int_member (s, "height"));
      if (n_captions > 0)
        g_print (ngettext (", %lld caption", ", %lld captions", n_captions),
                 (long long) n_captions);
      if (n_questions > 0)
        g_print (ngettext (", %lld question", ", %lld questions", n_questions),
                 (long long) n_questions);
      if (json_object_has_member (s, "image"))
        g_print (_(", picture %s"), json_object_get_string_member (s, "image"));
      g_print ("\n  tags: %s\n", json_object_get_string_member (s, "tags"));
      for (guint i = 0; i < json_array_get_length (w); i++)
        g_print ("  warning: %s\n", json_array_get_string_element (w, i));
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
  g_auto(GStrv) files = NULL;
  g_autofree char *key = NULL;
  gint64 row = -1;
  gboolean json = FALSE;
  int status = 0;
  const GOptionEntry entries[] = {
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Summarise the sample with this key"), "KEY" },
    { "row", 0, 0, G_OPTION_ARG_CALLBACK, parse_row,
      N_("Summarise the sample at this row (from 0)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("One JSON document per file, one a line"),
      NULL },
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
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("oscarviz inspect: %s\n", error->message);
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
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        node = inspect_folder (path, &local);
      else if (is_answer_list_name (path))
        node = inspect_answers (path, &local);
      else if (ov_cli_is_tensor_file (path))
        node = inspect_tensors (path, &local);
      else
        {
          OvFileKind kind = ov_file_sniff (path, &local);

          if (kind == OV_FILE_IMAGE)
            node = inspect_image (path, &local);
          else if (kind != OV_FILE_UNKNOWN)
            node = inspect_dataset (path, key, row, &local);
        }
      if (node == NULL)
        {
          g_printerr ("oscarviz inspect: %s\n", local->message);
          status = 1;
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
