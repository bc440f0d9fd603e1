/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz inspect FILE...`: says what each file is (image, detections,
 * features, dataset) and summarises it, as text or as one JSON document
 * per line with --json.
 */
#define G_LOG_DOMAIN "ov-cmd-inspect"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "data/ov-dataset.h"
#include "model/ov-error.h"
#include "ov-commands.h"

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
                       _("%s has %u samples; there is no row %lld"), path, n, (long long) row);
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
  g_print ("%s: %s (%s), %" G_GINT64_FORMAT " samples\n", path, kind,
           json_object_get_string_member (o, "format"), json_object_get_int_member (o, "samples"));
  if (json_object_has_member (o, "sample"))
    {
      JsonObject *s = json_object_get_object_member (o, "sample");
      JsonArray *w = json_object_get_array_member (s, "warnings");
      JsonNode *dim = json_object_get_member (s, "feature_dim");

      g_print ("  sample “%s”: %" G_GINT64_FORMAT " regions",
               json_object_get_string_member (s, "key"), json_object_get_int_member (s, "regions"));
      if (!JSON_NODE_HOLDS_NULL (dim))
        g_print (", %" G_GINT64_FORMAT " feature rows %" G_GINT64_FORMAT " wide",
                 json_object_get_int_member (s, "feature_rows"), json_node_get_int (dim));
      if (json_object_has_member (s, "width"))
        g_print (", image %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT,
                 json_object_get_int_member (s, "width"), json_object_get_int_member (s, "height"));
      g_print ("\n  tags: %s\n", json_object_get_string_member (s, "tags"));
      for (guint i = 0; i < json_array_get_length (w); i++)
        g_print ("  warning: %s\n", json_array_get_string_element (w, i));
    }
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
    { "row", 0, 0, G_OPTION_ARG_INT64, &row, N_("Summarise the sample at this row (from 0)"),
      "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("One JSON document per file, one a line"),
      NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE…") },
    { NULL }
  };

  context = g_option_context_new (_("— say what files are and summarise them"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
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
      OvFileKind kind = ov_file_sniff (files[i], &local);

      if (kind == OV_FILE_IMAGE)
        node = inspect_image (files[i], &local);
      else if (kind != OV_FILE_UNKNOWN)
        node = inspect_dataset (files[i], key, row, &local);
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
