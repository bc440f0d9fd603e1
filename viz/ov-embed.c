/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The embedding pass over a dataset and the embeddings file. See
 * ov-embed.h for the input chosen per model kind and the file layout.
 */
#define G_LOG_DOMAIN "ov-embed"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "data/ov-formats.h"
#include "model/ov-error.h"
#include "model/ov-files.h"
#include "model/ov-i18n.h"
#include "model/ov-json.h"
#include "model/ov-state-dict.h"
#include "ov-embed.h"

#define FORMAT_NAME "oscarviz-embeddings"
#define FORMAT_VERSION 1

OvEmbeddings *
ov_embeddings_new (guint hidden, const int *layers, guint n_layers)
{
  OvEmbeddings *emb;

  g_return_val_if_fail (layers != NULL && n_layers > 0, NULL);

  emb = g_new0 (OvEmbeddings, 1);
  emb->hidden = hidden;
  emb->n_layers = n_layers;
  emb->layers = g_memdup2 (layers, sizeof (int) * n_layers);
  emb->vectors = g_new0 (float *, n_layers);
  emb->class_names = g_ptr_array_new_with_free_func (g_free);
  emb->image_keys = g_ptr_array_new_with_free_func (g_free);
  emb->tokens = g_ptr_array_new_with_free_func (g_free);
  return emb;
}

static int
compare_layers (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

char *
ov_embeddings_dup_layer_list (const OvEmbeddings *emb)
{
  g_autofree int *sorted = NULL;
  GString *list = g_string_new (NULL);

  g_return_val_if_fail (emb != NULL, NULL);

  sorted = g_memdup2 (emb->layers, emb->n_layers * sizeof (int));
  qsort (sorted, emb->n_layers, sizeof (int), compare_layers);
  for (guint l = 0; l < emb->n_layers; l++)
    g_string_append_printf (list, "%s%d", l > 0 ? ", " : "", sorted[l]);
  return g_string_free (list, FALSE);
}

void
ov_embeddings_free (OvEmbeddings *emb)
{
  if (emb == NULL)
    return;
  for (guint k = 0; k < emb->n_layers; k++)
    g_free (emb->vectors[k]);
  g_free (emb->vectors);
  g_free (emb->layers);
  g_free (emb->classes);
  g_free (emb->modality);
  g_free (emb->images);
  g_free (emb->positions);
  g_free (emb->regions);
  g_free (emb->boxes);
  g_ptr_array_unref (emb->class_names);
  g_ptr_array_unref (emb->image_keys);
  g_ptr_array_unref (emb->tokens);
  g_free (emb->model_path);
  g_free (emb->model_kind);
  g_free (emb->input);
  g_free (emb->tag_layout);
  g_free (emb);
}

static guint
name_index (GPtrArray *names, const char *name)
{
  /* Linear: a dataset has tens to a few thousand classes and images, and
   * names are added once per point at most. */
  for (guint i = 0; i < names->len; i++)
    if (strcmp (g_ptr_array_index (names, i), name) == 0)
      return i;
  g_ptr_array_add (names, g_strdup (name));
  return names->len - 1;
}

guint
ov_embeddings_class_index (OvEmbeddings *emb, const char *name)
{
  return name_index (emb->class_names, name != NULL ? name : "");
}

guint
ov_embeddings_image_index (OvEmbeddings *emb, const char *key)
{
  return name_index (emb->image_keys, key != NULL ? key : "");
}

void
ov_embeddings_append (OvEmbeddings       *emb,
                      const float *const *vectors,
                      guint               cls,
                      OvEmbedModality     modality,
                      guint               image,
                      int                 position,
                      const char         *token)
{
  guint n = emb->n + 1;

  /* Grow by doubling. */
  if (n > emb->capacity)
    {
      guint cap = MAX (16u, emb->capacity * 2);

      emb->capacity = cap;

      for (guint k = 0; k < emb->n_layers; k++)
        emb->vectors[k] = g_renew (float, emb->vectors[k], (gsize) cap * emb->hidden);
      emb->classes = g_renew (gint32, emb->classes, cap);
      emb->modality = g_renew (gint32, emb->modality, cap);
      emb->images = g_renew (gint32, emb->images, cap);
      emb->positions = g_renew (gint32, emb->positions, cap);
      emb->regions = g_renew (gint32, emb->regions, cap);
      emb->boxes = g_renew (float, emb->boxes, (gsize) cap * 4);
    }
  for (guint k = 0; k < emb->n_layers; k++)
    memcpy (emb->vectors[k] + (gsize) emb->n * emb->hidden, vectors[k],
            sizeof (float) * emb->hidden);
  emb->classes[emb->n] = cls;
  emb->modality[emb->n] = modality;
  emb->images[emb->n] = image;
  emb->positions[emb->n] = position;
  emb->regions[emb->n] = -1;
  for (int c = 0; c < 4; c++)
    emb->boxes[(gsize) emb->n * 4 + c] = NAN;
  g_ptr_array_add (emb->tokens, g_strdup (token != NULL ? token : ""));
  emb->n = n;
}

void
ov_embeddings_set_region (OvEmbeddings *emb, guint i, int region, const double *box)
{
  g_return_if_fail (emb != NULL && i < emb->n);

  emb->regions[i] = region;
  for (int c = 0; c < 4; c++)
    emb->boxes[(gsize) i * 4 + c] = box != NULL ? (float) box[c] : NAN;
}

const float *
ov_embeddings_get_layer (const OvEmbeddings *emb, int layer)
{
  for (guint k = 0; k < emb->n_layers; k++)
    if (emb->layers[k] == layer)
      return emb->vectors[k];
  return NULL;
}

/* ---- file ---- */

static JsonNode *
string_array (GPtrArray *a)
{
  JsonArray *arr = json_array_sized_new (a->len);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < a->len; i++)
    json_array_add_string_element (arr, g_ptr_array_index (a, i));
  json_node_take_array (node, arr);
  return node;
}

gboolean
ov_embeddings_save (const OvEmbeddings *emb, const char *path, GError **error)
{
  g_autoptr(GArray) views = g_array_new (FALSE, TRUE, sizeof (OvTensorView));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *meta_path = g_strconcat (path, ".json", NULL);
  g_autofree char *labels_path = g_strconcat (path, ".labels.txt", NULL);
  g_autoptr(OvOutputSet) set = ov_output_set_new ();
  const char *tmp_path, *tmp_meta, *tmp_labels;
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;
  /* zero-length arrays still need a valid pointer for the writer */
  static const gint32 empty_i32[1] = { 0 };
  static const float empty_f32[1] = { 0 };
  const gint32 *cols[5] = { emb->classes, emb->modality, emb->images, emb->positions,
                            emb->regions };
  static const char *const col_names[5] = { "class", "modality", "image", "position",
                                            "region" };

  g_return_val_if_fail (emb != NULL && path != NULL, FALSE);

  for (guint k = 0; k < emb->n_layers; k++)
    {
      OvTensorView v = { 0 };
      char *name = k == 0 ? g_strdup ("vectors") : g_strdup_printf ("vectors.%d", emb->layers[k]);

      g_ptr_array_add (names, name);
      v.name = name;
      v.dtype = OV_DTYPE_F32;
      v.n_dims = 2;
      v.shape[0] = emb->n;
      v.shape[1] = emb->hidden;
      v.data = emb->n > 0 ? emb->vectors[k] : empty_f32;
      g_array_append_val (views, v);
    }
  for (int c = 0; c < 5; c++)
    {
      OvTensorView v = { 0 };

      v.name = col_names[c];
      v.dtype = OV_DTYPE_I32;
      v.n_dims = 1;
      v.shape[0] = emb->n;
      v.data = emb->n > 0 ? cols[c] : empty_i32;
      g_array_append_val (views, v);
    }
  {
    OvTensorView v = { 0 };

    v.name = "box";
    v.dtype = OV_DTYPE_F32;
    v.n_dims = 2;
    v.shape[0] = emb->n;
    v.shape[1] = 4;
    v.data = emb->n > 0 ? emb->boxes : empty_f32;
    g_array_append_val (views, v);
  }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, FORMAT_NAME);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, FORMAT_VERSION);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, emb->model_path != NULL ? emb->model_path : "");
  json_builder_set_member_name (b, "model_kind");
  json_builder_add_string_value (b, emb->model_kind != NULL ? emb->model_kind : "");
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, emb->input != NULL ? emb->input : "");
  if (emb->tag_layout != NULL)
    {
      json_builder_set_member_name (b, "tag_layout");
      json_builder_add_string_value (b, emb->tag_layout);
    }
  json_builder_set_member_name (b, "layer");
  json_builder_add_int_value (b, emb->layers[0]);
  json_builder_set_member_name (b, "layers");
  json_builder_begin_array (b);
  for (guint k = 0; k < emb->n_layers; k++)
    json_builder_add_int_value (b, emb->layers[k]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "hidden");
  json_builder_add_int_value (b, emb->hidden);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, emb->n);
  json_builder_set_member_name (b, "classes");
  json_builder_add_value (b, string_array (emb->class_names));
  json_builder_set_member_name (b, "images");
  json_builder_add_value (b, string_array (emb->image_keys));
  json_builder_set_member_name (b, "modalities");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "tag");
  json_builder_add_string_value (b, "region");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "tokens");
  json_builder_add_value (b, string_array (emb->tokens));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);

  /* The three files are written beside their places and renamed into
   * place only once all are written, so that a failed write leaves the
   * set of an earlier run whole; the metadata first, so that a reader
   * that finds the tensors finds their labels. */
  tmp_meta = ov_output_set_add (set, NULL, meta_path, error);
  tmp_labels = tmp_meta != NULL ? ov_output_set_add (set, NULL, labels_path, error) : NULL;
  tmp_path = tmp_labels != NULL ? ov_output_set_add (set, NULL, path, error) : NULL;
  if (tmp_path == NULL)
    return FALSE;
  if (!ov_files_set_contents (tmp_meta, text, strlen (text), error))
    {
      ov_output_set_name_error (set, *error);
      return FALSE;
    }
  /* The class of every vector, one a line, where `oscarviz tsne` looks. */
  {
    g_autoptr(GString) lines = g_string_new (NULL);

    for (guint i = 0; i < emb->n; i++)
      {
        const char *name = g_ptr_array_index (emb->class_names, emb->classes[i]);

        for (const char *c = name; *c; c++)
          g_string_append_c (lines, *c == '\n' || *c == '\r' ? ' ' : *c);
        g_string_append_c (lines, '\n');
      }
    if (!ov_files_set_contents (tmp_labels, lines->str, lines->len, error))
      {
        ov_output_set_name_error (set, *error);
        return FALSE;
      }
  }
  if (!ov_safetensors_write (tmp_path, (const OvTensorView *) views->data, views->len, &local))
    {
      ov_output_set_name_error (set, local);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return ov_output_set_commit (set, error);
}

static const OvTensor *
lookup (OvStateDict *sd, const char *path, const char *name, OvDType dtype, int n_dims,
        gint64 d0, gint64 d1, GError **error)
{
  const OvTensor *t = ov_state_dict_lookup (sd, name);

  if (t == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: no tensor \"%s\"; not an "
                                                         "oscarviz embeddings file?"), path, name);
      return NULL;
    }
  if (t->dtype != dtype || t->n_dims != n_dims || t->shape[0] != d0
      || (n_dims == 2 && t->shape[1] != d1))
    {
      g_autofree char *second = n_dims == 2 ? g_strdup_printf (", %" G_GINT64_FORMAT, d1)
                                            : g_strdup ("");

      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("%s: tensor \"%s\" is %s with %d dimensions (%" PRId64
                      ", ...), expected %s (%" PRId64 "%s)"), path, name,
                   ov_dtype_name (t->dtype), t->n_dims, t->shape[0], ov_dtype_name (dtype), d0,
                   second);
      return NULL;
    }
  return t;
}

static gboolean
read_strings (JsonObject *o, const char *member, GPtrArray *out, const char *path,
              GError **error)
{
  JsonNode *node = json_object_get_member (o, member);
  JsonArray *a;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: \"%s\" is missing or not a list"),
                   path, member);
      return FALSE;
    }
  a = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: \"%s\"[%u] is not a string"),
                       path, member, i);
          return FALSE;
        }
      g_ptr_array_add (out, g_strdup (json_node_get_string (e)));
    }
  return TRUE;
}

OvEmbeddings *
ov_embeddings_load (const char *path, GError **error)
{
  g_autofree char *meta_path = g_strconcat (path, ".json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(OvStateDict) sd = NULL;
  g_autoptr(OvEmbeddings) emb = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree int *layers = NULL;
  JsonObject *o;
  JsonArray *layer_list;
  gint64 n, hidden;
  guint n_layers;
  const OvTensor *cols[4];
  const OvTensor *region_t, *box_t;
  static const char *const col_names[4] = { "class", "modality", "image", "position" };

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: no such file"), path);
      return NULL;
    }
  if (!g_file_test (meta_path, G_FILE_TEST_EXISTS))
    {
      if (!ov_file_is_tensor_container (path))
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     _ ("%s is not an embeddings file: “oscarviz embed” writes a "
                        ".safetensors file with its .json beside it"), path);
      else
        g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                     _ ("%s: its metadata %s is missing (“oscarviz embed” writes the two side "
                        "by side)"), path, meta_path);
      return NULL;
    }
  if (!ov_json_load_file (parser, meta_path, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("%s: cannot read its metadata %s: %s"), path, meta_path, local->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: not a JSON object"), meta_path);
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (ov_json_get_string (o, "format", ""), FORMAT_NAME) != 0
      || ov_json_get_int (o, "version", 0) != FORMAT_VERSION)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: not an oscarviz embeddings file of version %d"), meta_path,
                   FORMAT_VERSION);
      return NULL;
    }
  n = ov_json_get_int (o, "count", -1);
  hidden = ov_json_get_int (o, "hidden", -1);
  layer_list = json_object_has_member (o, "layers")
               && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "layers"))
               ? json_object_get_array_member (o, "layers") : NULL;
  if (n < 0 || n > G_MAXINT32 || hidden <= 0 || hidden > 65536 || layer_list == NULL
      || json_array_get_length (layer_list) == 0 || json_array_get_length (layer_list) > 1024)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: \"count\", \"hidden\" or \"layers\" is missing or out of range"),
                   meta_path);
      return NULL;
    }
  n_layers = json_array_get_length (layer_list);
  layers = g_new (int, n_layers);
  for (guint k = 0; k < n_layers; k++)
    {
      JsonNode *ln = json_array_get_element (layer_list, k);

      if (!JSON_NODE_HOLDS_VALUE (ln) || json_node_get_value_type (ln) != G_TYPE_INT64
          || json_node_get_int (ln) < 0 || json_node_get_int (ln) > 4096)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: \"layers\" entry %u is not a layer number"), meta_path, k);
          return NULL;
        }
      layers[k] = (int) json_node_get_int (ln);
    }

  sd = ov_state_dict_load (path, error);
  if (sd == NULL)
    return NULL;
  emb = ov_embeddings_new (hidden, layers, n_layers);
  emb->n = n;
  emb->capacity = MAX (n, 1);
  for (guint k = 0; k < n_layers; k++)
    {
      g_autofree char *name = k == 0 ? g_strdup ("vectors")
                                     : g_strdup_printf ("vectors.%d", layers[k]);
      const OvTensor *t = lookup (sd, path, name, OV_DTYPE_F32, 2, n, hidden, error);

      if (t == NULL)
        return NULL;
      emb->vectors[k] = g_new (float, MAX ((gsize) n * hidden, 1));
      memcpy (emb->vectors[k], t->data, sizeof (float) * n * hidden);
    }
  for (int c = 0; c < 4; c++)
    {
      cols[c] = lookup (sd, path, col_names[c], OV_DTYPE_I32, 1, n, 0, error);
      if (cols[c] == NULL)
        return NULL;
    }
  {
    gint32 **dest[4] = { &emb->classes, &emb->modality, &emb->images, &emb->positions };

    for (int c = 0; c < 4; c++)
      {
        *dest[c] = g_new0 (gint32, MAX (n, 1));
        memcpy (*dest[c], cols[c]->data, sizeof (gint32) * n);
      }
  }
  /* Region and box came later in version 1: optional, checked when there. */
  emb->regions = g_new (gint32, MAX (n, 1));
  emb->boxes = g_new (float, (gsize) MAX (n, 1) * 4);
  for (gint64 i = 0; i < n; i++)
    emb->regions[i] = -1;
  for (gint64 i = 0; i < 4 * n; i++)
    emb->boxes[i] = NAN;
  if (ov_state_dict_lookup (sd, "region") != NULL)
    {
      region_t = lookup (sd, path, "region", OV_DTYPE_I32, 1, n, 0, error);
      if (region_t == NULL)
        return NULL;
      memcpy (emb->regions, region_t->data, sizeof (gint32) * n);
    }
  if (ov_state_dict_lookup (sd, "box") != NULL)
    {
      box_t = lookup (sd, path, "box", OV_DTYPE_F32, 2, n, 4, error);
      if (box_t == NULL)
        return NULL;
      memcpy (emb->boxes, box_t->data, sizeof (float) * 4 * n);
    }

  if (!read_strings (o, "classes", emb->class_names, meta_path, error)
      || !read_strings (o, "images", emb->image_keys, meta_path, error)
      || !read_strings (o, "tokens", emb->tokens, meta_path, error))
    return NULL;
  if (emb->tokens->len != (guint) n)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: %u tokens for %" PRId64 " vectors"),
                   meta_path, emb->tokens->len, n);
      return NULL;
    }
  for (gint64 i = 0; i < n; i++)
    if (emb->classes[i] < 0 || (guint) emb->classes[i] >= emb->class_names->len
        || emb->images[i] < 0 || (guint) emb->images[i] >= emb->image_keys->len
        || (emb->modality[i] != OV_EMBED_TAG && emb->modality[i] != OV_EMBED_REGION)
        || emb->regions[i] < -1)
      {
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     _ ("%s: vector %" PRId64 " has a class, image or modality out of "
                        "range"), path, i);
        return NULL;
      }
  for (gsize k = 0; k < n_layers; k++)
    for (gsize i = 0; i < (gsize) n * hidden; i++)
      if (!isfinite (emb->vectors[k][i]))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: vector %zu of layer %d is not "
                                                            "finite"), path, i / hidden, layers[k]);
          return NULL;
        }
  emb->model_path = g_strdup (ov_json_get_string (o, "model", ""));
  emb->model_kind = g_strdup (ov_json_get_string (o, "model_kind", ""));
  emb->input = g_strdup (ov_json_get_string (o, "input", ""));
  if (*ov_json_get_string (o, "tag_layout", "") != '\0')
    emb->tag_layout = g_strdup (ov_json_get_string (o, "tag_layout", ""));
  return g_steal_pointer (&emb);
}

int *
ov_embed_parse_layers (const char *text, int n_layers, guint *n_out, GError **error)
{
  g_auto(GStrv) parts = NULL;
  GArray *out;

  g_return_val_if_fail (n_out != NULL, NULL);

  *n_out = 0;
  if (text == NULL || g_ascii_strcasecmp (text, "last") == 0)
    {
      int *one = g_new (int, 1);

      one[0] = n_layers;
      *n_out = 1;
      return one;
    }
  out = g_array_new (FALSE, FALSE, sizeof (int));
  if (g_ascii_strcasecmp (text, "all") == 0)
    {
      /* the last layer first: it is the primary one */
      for (int l = n_layers; l >= 0; l--)
        g_array_append_val (out, l);
    }
  else
    {
      parts = g_strsplit (text, ",", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *end = NULL;
          gint64 v = g_ascii_strtoll (parts[i], &end, 10);
          int l = (int) v;

          if (end == parts[i] || *end != '\0' || v < 0 || v > n_layers)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                           _ ("layer \"%s\" does not exist: use 0 (embeddings) to %d, \"last\" "
                              "or \"all\""), parts[i], n_layers);
              g_array_unref (out);
              return NULL;
            }
          /* a layer listed twice was stored, drawn and tabulated twice */
          for (guint j = 0; j < out->len; j++)
            if (g_array_index (out, int, j) == l)
              {
                g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                             _ ("layer %d is named twice in \"%s\""), l, text);
                g_array_unref (out);
                return NULL;
              }
          g_array_append_val (out, l);
        }
    }
  if (out->len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("layer \"%s\" does not exist: use 0 (embeddings) to %d, \"last\" "
                      "or \"all\""), text, n_layers);
      g_array_unref (out);
      return NULL;
    }
  *n_out = out->len;
  return (int *) g_array_free (out, FALSE);
}

/* ---- the pass ---- */

/* Cuts units into word pieces and checks them against pieces; out gets the
 * unit of every piece, unit_out (nullable) its index. */
static gboolean
match_units (OvTokenizer *tok, GPtrArray *units, const char *const *pieces, guint n_pieces,
             GPtrArray *out, GArray *unit_out)
{
  guint p = 0;

  for (guint u = 0; u < units->len && p < n_pieces; u++)
    {
      const char *unit = g_ptr_array_index (units, u);
      g_autoptr(GPtrArray) toks = ov_tokenizer_tokenize (tok, unit);

      for (guint t = 0; t < toks->len && p < n_pieces; t++, p++)
        {
          if (strcmp (g_ptr_array_index (toks, t), pieces[p]) != 0)
            return FALSE;
          g_ptr_array_add (out, g_strdup (unit));
          if (unit_out != NULL)
            g_array_append_val (unit_out, u);
        }
    }
  return p == n_pieces;
}

/* The classes of the tag pieces; regions_out (nullable) gets, per piece,
 * the region whose class it was cut from, or -1 when the tag string is not
 * the classes joined. */
static GPtrArray *
tag_classes (OvTokenizer       *tokenizer,
             const OvSample    *sample,
             const char *const *tag_pieces,
             guint              n_pieces,
             GArray            *regions_out)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) classes = g_ptr_array_new ();
  g_autofree char *joined = NULL;
  g_autoptr(GPtrArray) words = NULL;

  for (guint i = 0; i < sample->n_regions; i++)
    g_ptr_array_add (classes, sample->regions[i].cls != NULL ? sample->regions[i].cls : "");
  /* 1. The region classes in order, each one tokenized. */
  if (match_units (tokenizer, classes, tag_pieces, n_pieces, out, regions_out))
    return out;
  g_ptr_array_set_size (out, 0);
  if (regions_out != NULL)
    {
      int none = -1;

      g_array_set_size (regions_out, 0);
      for (guint p = 0; p < n_pieces; p++)
        g_array_append_val (regions_out, none);
    }
  /* 2. Each word of the tag string is its own tag. */
  joined = sample->tags != NULL ? g_strdup (sample->tags) : ov_sample_dup_tag_string (sample);
  words = ov_tokenizer_basic_tokenize (tokenizer, joined);
  if (match_units (tokenizer, words, tag_pieces, n_pieces, out, NULL))
    return out;
  /* 3. Pieces we cannot trace back: the piece itself without "##". */
  g_ptr_array_set_size (out, 0);
  for (guint p = 0; p < n_pieces; p++)
    g_ptr_array_add (out, g_strdup (g_str_has_prefix (tag_pieces[p], "##") ? tag_pieces[p] + 2
                                                                            : tag_pieces[p]));
  return out;
}

GPtrArray *
ov_embed_tag_classes (OvTokenizer       *tokenizer,
                      const OvSample    *sample,
                      const char *const *tag_pieces,
                      guint              n_pieces)
{
  return tag_classes (tokenizer, sample, tag_pieces, n_pieces, NULL);
}

static OvEncoding *
prepare_input (OvModel *model, OvSample *sample, const char *tags, const OvRegions *regions,
               const char **input, GError **error)
{
  OvTokenizer *tok = ov_model_get_tokenizer (model);

  switch (ov_model_get_kind (model))
    {
    case OV_MODEL_KIND_CAPTION:
      {
        gint32 cls = ov_tokenizer_cls_id (tok);

        *input = "caption-step";
        return ov_model_prepare_caption_step (model, &cls, 1, tags, regions, error);
      }
    case OV_MODEL_KIND_CLASSIFIER:
      {
        const char *q = OV_EMBED_FALLBACK_QUESTION;

        if (sample->questions != NULL && sample->questions->len > 0)
          q = ((OvQuestion *) g_ptr_array_index (sample->questions, 0))->question;
        *input = "vqa";
        return ov_model_prepare_vqa (model, q, tags, regions, error);
      }
    case OV_MODEL_KIND_PRETRAIN:
    case OV_MODEL_KIND_ENCODER:
    default:
      {
        const char *text = OV_EMBED_FALLBACK_TEXT;

        if (sample->captions != NULL && sample->captions->len > 0)
          text = g_ptr_array_index (sample->captions, 0);
        *input = "pretrain";
        return ov_model_prepare_pretrain (model, text, tags, regions, error);
      }
    }
}

gboolean
ov_embed_add_sample (OvEmbeddings *emb,
                     OvModel      *model,
                     OvSample     *sample,
                     GCancellable *cancellable,
                     GError      **error)
{
  const OvConfig *config = ov_model_get_config (model);
  g_autofree char *tags = NULL;
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(GPtrArray) tag_pieces = g_ptr_array_new ();
  g_autoptr(GPtrArray) piece_classes = NULL;
  g_autoptr(GArray) piece_regions = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree const float **rows = g_new (const float *, emb->n_layers);
  OvRegions regions;
  const char *input = NULL;
  guint image, t = 0;
  int region = 0, seq_len;

  if (sample->features == NULL || sample->n_features == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("sample %s has no region features"),
                   sample->key);
      return FALSE;
    }
  if (!ov_sample_build_region_vectors (sample, error))
    return FALSE;
  for (guint k = 0; k < emb->n_layers; k++)
    if (emb->layers[k] < 0 || emb->layers[k] > config->num_hidden_layers)
      {
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _ ("layer %d does not exist: the model has hidden states 0 to %d"),
                     emb->layers[k], config->num_hidden_layers);
        return FALSE;
      }
  if ((int) emb->hidden != config->hidden_size)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE, _ ("the embeddings are %u wide, the model %d"),
                   emb->hidden, config->hidden_size);
      return FALSE;
    }

  tags = sample->tags != NULL ? g_strdup (sample->tags) : ov_sample_dup_tag_string (sample);
  regions = (OvRegions) { sample->features, sample->n_features, sample->feature_dim };
  enc = prepare_input (model, sample, tags, &regions, &input, error);
  if (enc == NULL)
    {
      g_prefix_error (error, _ ("sample %s: "), sample->key);
      return FALSE;
    }
  fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HIDDEN_STATES, cancellable, error);
  if (fwd == NULL)
    return FALSE;
  if (emb->input == NULL)
    emb->input = g_strdup (input);

  seq_len = fwd->seq_len;
  for (int p = 0; p < seq_len; p++)
    if (enc->segments[p] == OV_SEGMENT_TAG)
      g_ptr_array_add (tag_pieces, enc->labels[p]);
  /* what of the sample the input left out (Oscar's limits); a model that
   * never reads tags leaves none of them out, it has no slots for them */
  {
    g_autoptr(GPtrArray) all = ov_tokenizer_tokenize (ov_model_get_tokenizer (model), tags);
    gboolean tags_cut = ov_model_reads_tags (model) && tag_pieces->len < all->len;
    int kept_regions = 0;

    for (int p = 0; p < seq_len; p++)
      kept_regions += enc->segments[p] == OV_SEGMENT_REGION;
    if (tags_cut || kept_regions < (int) sample->n_features)
      emb->n_cut++;
  }
  piece_classes = tag_classes (ov_model_get_tokenizer (model), sample,
                               (const char *const *) tag_pieces->pdata, tag_pieces->len,
                               piece_regions);

  image = ov_embeddings_image_index (emb, sample->key);
  for (int p = 0; p < seq_len; p++)
    {
      const char *cls;
      OvEmbedModality modality;
      int r;

      if (enc->segments[p] == OV_SEGMENT_TAG)
        {
          r = g_array_index (piece_regions, int, t);
          cls = g_ptr_array_index (piece_classes, t++);
          modality = OV_EMBED_TAG;
        }
      else if (enc->segments[p] == OV_SEGMENT_REGION)
        {
          r = region++;
          cls = r < (int) sample->n_regions ? sample->regions[r].cls : NULL;
          modality = OV_EMBED_REGION;
          if (cls == NULL)
            {
              /* a feature row without a detection has no class */
              emb->n_unlabelled++;
              continue;
            }
        }
      else
        continue;
      for (guint k = 0; k < emb->n_layers; k++)
        rows[k] = fwd->hidden_states[emb->layers[k]] + (gsize) p * emb->hidden;
      ov_embeddings_append (emb, rows, ov_embeddings_class_index (emb, cls), modality, image, p,
                            enc->labels[p]);
      if (r >= 0 && r < (int) sample->n_regions)
        {
          const OvRegion *reg = &sample->regions[r];
          double box[4] = { reg->x1, reg->y1, reg->x2, reg->y2 };

          ov_embeddings_set_region (emb, emb->n - 1, r, box);
        }
    }
  return TRUE;
}

OvEmbeddings *
ov_embed_collect (OvModel            *model,
                  const int          *layers,
                  guint               n_layers,
                  OvEmbedSampleFunc   next_sample,
                  gpointer            sample_data,
                  guint               n_samples,
                  OvEmbedProgressFunc progress,
                  gpointer            progress_data,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autoptr(OvEmbeddings) emb = NULL;

  g_return_val_if_fail (model != NULL && next_sample != NULL, NULL);

  emb = ov_embeddings_new (ov_model_get_config (model)->hidden_size, layers, n_layers);
  emb->model_path = g_strdup (ov_model_get_path (model));
  emb->model_kind = g_strdup (ov_model_kind_name (ov_model_get_kind (model)));
  for (guint i = 0; i < n_samples; i++)
    {
      g_autoptr(OvSample) sample = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      sample = next_sample (sample_data, i, cancellable, error);
      if (sample == NULL || !ov_embed_add_sample (emb, model, sample, cancellable, error))
        return NULL;
      if (progress != NULL)
        progress (i + 1, n_samples, progress_data);
    }
  return g_steal_pointer (&emb);
}

static OvSample *
dataset_sample (gpointer data, guint index, GCancellable *cancellable, GError **error)
{
  return ov_dataset_load_sample (data, index, NULL, NULL, cancellable, error);
}

OvEmbeddings *
ov_embed_collect_dataset (OvModel            *model,
                          OvDataset          *dataset,
                          guint               limit,
                          const int          *layers,
                          guint               n_layers,
                          OvEmbedProgressFunc progress,
                          gpointer            progress_data,
                          GCancellable       *cancellable,
                          GError            **error)
{
  guint n = ov_dataset_get_n_samples (dataset);

  if (limit > 0)
    n = MIN (n, limit);
  return ov_embed_collect (model, layers, n_layers, dataset_sample, dataset, n, progress,
                           progress_data, cancellable, error);
}

OvScatterView *
ov_embeddings_scatter_view_new (const OvEmbeddings *emb,
                                const float        *xy,
                                OvPalette          *palette,
                                const char         *title)
{
  g_autofree guint *classes = g_new (guint, MAX (emb->n, 1));
  g_autofree guint8 *markers = g_new (guint8, MAX (emb->n, 1));

  g_return_val_if_fail (emb != NULL && (xy != NULL || emb->n == 0), NULL);

  for (guint i = 0; i < emb->n; i++)
    {
      classes[i] = emb->classes[i];
      markers[i] = emb->modality[i] == OV_EMBED_REGION ? OV_MARKER_SQUARE : OV_MARKER_CIRCLE;
    }
  return ov_scatter_view_new (xy, emb->n, classes, (const char *const *) emb->class_names->pdata,
                              emb->class_names->len, markers, palette, title);
}

guint
ov_embeddings_count_unknown_tags (const OvEmbeddings *emb,
                                  const char         *unk,
                                  guint              *n_tags)
{
  guint tags = 0, unknown = 0;

  g_return_val_if_fail (emb != NULL && unk != NULL, 0);

  for (guint i = 0; i < emb->n; i++)
    if (emb->modality[i] == OV_EMBED_TAG)
      {
        tags++;
        unknown += g_strcmp0 (g_ptr_array_index (emb->tokens, i), unk) == 0;
      }
  if (n_tags != NULL)
    *n_tags = tags;
  return unknown;
}
