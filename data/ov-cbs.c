/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * NoCaps' constrained beam search files (§4.6, §7.2) and the choice of an
 * image's constraints, as the original's ConstraintBoxesReader,
 * load_wordforms and ConstraintFilter make them.
 *
 * The original also runs a class-hierarchy suppression over overlapping
 * boxes, but its condition keeps every box whose class is as coarse as the
 * current one or coarser, and it visits the finest first, so it never drops
 * a box; it is not repeated here, and the hierarchy only orders the boxes
 * of equal confidence (the original sorts by height first, stably for the
 * few boxes an image has).
 */
#define G_LOG_DOMAIN "ov-cbs"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "model/ov-error.h"
#include "model/ov-json.h"
#include "ov-cbs.h"
#include "ov-formats.h"
#include "ov-tsv.h"
#include "model/ov-files.h"

/* The word-list files are a few thousand lines. */
#define CBS_MAX_LIST_BYTES (64u << 20)

struct _OvCbsFiles {
  OvTsv      *boxes;
  GHashTable *pieces;    /* word -> GStrv */
  GHashTable *forms;     /* piece -> GStrv */
  GHashTable *heights;   /* lower-case class -> height + 1, filled as classes come */
  JsonNode   *hierarchy;
};

/* Classes the original never makes a constraint: too rare, too general, or
 * parts of people, which COCO covers. */
static const char *const excluded_classes[] = {
  "auto part", "bathroom accessory", "bicycle wheel", "boy", "building", "clothing",
  "door handle", "fashion accessory", "footwear", "girl", "hiking equipment", "human arm",
  "human beard", "human body", "human ear", "human eye", "human face", "human foot",
  "human hair", "human hand", "human head", "human leg", "human mouth", "human nose",
  "land vehicle", "mammal", "man", "person", "personal care", "plant", "plumbing fixture",
  "seat belt", "skull", "sports equipment", "tire", "tree", "vehicle registration plate",
  "wheel", "woman", "__background__",
};

/* Open Images names and the words a caption would use instead. */
static const char *const replaced_classes[][2] = {
  { "band-aid", "bandaid" },
  { "wood-burning stove", "wood burning stove" },
  { "kitchen & dining room table", "table" },
  { "salt and pepper shakers", "salt and pepper" },
  { "power plugs and sockets", "power plugs" },
  { "luggage and bags", "luggage" },
};

typedef struct {
  char  *cls;
  double conf;
  int    height;
  guint  index;
} Ranked;

static int
ranked_by_height (gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;

  if (x->height != y->height)
    return x->height < y->height ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int
ranked_by_conf (gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;

  if (x->conf != y->conf)
    return x->conf > y->conf ? -1 : 1;
  /* the earlier in height order */
  return ranked_by_height (a, b);
}

char **
ov_cbs_pick_constraints (const OvCbsBox *boxes, guint n_boxes, GHashTable *heights,
                         int max_constraints)
{
  g_autoptr(GArray) kept = g_array_new (FALSE, FALSE, sizeof (Ranked));
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < n_boxes; i++)
    {
      Ranked r = { g_utf8_strdown (boxes[i].cls, -1), boxes[i].conf, 0, i };
      gboolean excluded = !(boxes[i].conf > 0);

      for (guint j = 0; j < G_N_ELEMENTS (excluded_classes) && !excluded; j++)
        excluded = g_str_equal (r.cls, excluded_classes[j]);
      if (excluded)
        {
          g_free (r.cls);
          continue;
        }
      if (heights != NULL)
        r.height = GPOINTER_TO_INT (g_hash_table_lookup (heights, r.cls)) - 1;
      g_array_append_val (kept, r);
    }
  /* g_array_sort is a merge sort: stable, as Python's sorted is */
  g_array_sort (kept, ranked_by_height);
  for (guint i = 0; i < kept->len; i++)
    g_array_index (kept, Ranked, i).index = i;
  g_array_sort (kept, ranked_by_conf);
  for (guint i = 0; i < kept->len && (int) i < max_constraints; i++)
    {
      const char *name = g_array_index (kept, Ranked, i).cls;
      gboolean seen = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (replaced_classes); j++)
        if (g_str_equal (name, replaced_classes[j][0]))
          name = replaced_classes[j][1];
      /* the original drops duplicates through a set, in no set order; the
       * first (most confident) place is kept here */
      for (guint j = 0; j < names->len; j++)
        seen = seen || g_str_equal (g_ptr_array_index (names, j), name);
      if (!seen)
        {
          g_ptr_array_add (names, (gpointer) name);
          g_strv_builder_add (out, name);
        }
    }
  for (guint i = 0; i < kept->len; i++)
    g_free (g_array_index (kept, Ranked, i).cls);
  return g_strv_builder_end (out);
}

/* load_wordforms: "key<TAB>a,b,c" a line; blank lines are skipped (the
 * original stops at them). */
static GHashTable *
load_lists (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len;

  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s", local->message);
      return NULL;
    }
  if (len > CBS_MAX_LIST_BYTES || memchr (text, '\0', len) != NULL
      || !g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s is not a word list (UTF-8 text of at most %u MiB: a word, a tab, "
                      "words joined by commas, a line each)"), path, CBS_MAX_LIST_BYTES >> 20);
      return NULL;
    }
  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *tab;

      if (*line == '\0')
        continue;
      tab = strchr (line, '\t');
      if (tab == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: line %u has no tab (a word, a tab, words joined by commas)"),
                       path, i + 1);
          return NULL;
        }
      *tab = '\0';
      /* the original splits at every tab and keeps the second field */
      if (strchr (tab + 1, '\t') != NULL)
        *strchr (tab + 1, '\t') = '\0';
      g_hash_table_replace (table, g_strdup (line), g_strsplit (tab + 1, ",", -1));
    }
  return g_steal_pointer (&table);
}

void
ov_cbs_files_free (OvCbsFiles *files)
{
  if (files == NULL)
    return;
  g_clear_pointer (&files->boxes, ov_tsv_free);
  g_clear_pointer (&files->pieces, g_hash_table_unref);
  g_clear_pointer (&files->forms, g_hash_table_unref);
  g_clear_pointer (&files->heights, g_hash_table_unref);
  g_clear_pointer (&files->hierarchy, json_node_unref);
  g_free (files);
}

/* Whether every node of the tree is an object with a string LabelName and
 * an optional array Subcategory of such nodes. */
static gboolean
check_hierarchy (JsonNode *node, const char *path, GError **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *sub = o != NULL ? json_object_get_member (o, "Subcategory") : NULL;

  if (o == NULL || ov_json_get_string (o, "LabelName", NULL) == NULL
      || (sub != NULL && !JSON_NODE_HOLDS_ARRAY (sub)))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s is not an Open Images class hierarchy (objects with a “LabelName” "
                      "and a “Subcategory” list)"), path);
      return FALSE;
    }
  for (guint i = 0; sub != NULL && i < json_array_get_length (json_node_get_array (sub)); i++)
    if (!check_hierarchy (json_array_get_element (json_node_get_array (sub), i), path, error))
      return FALSE;
  return TRUE;
}

/* Every line of a box file has a key, a tab and the boxes: the original
 * stops at a line without a tab, and a key glued to its boxes would
 * otherwise only make the image look as if it had none. */
static gboolean
check_box_lines (const char *path, GError **error)
{
  g_autoptr(GMappedFile) map = NULL;
  const char *p, *end;
  guint line = 1;

  ov_files_note_read (path);
  if (!ov_files_check_regular (path, NULL))
    return TRUE;   /* (ov_tsv_open has refused it) */
  map = g_mapped_file_new (path, FALSE, NULL);

  if (map == NULL)
    return TRUE;   /* ov_tsv_open has read it; a later read says what fails */
  p = g_mapped_file_get_contents (map);
  end = p + g_mapped_file_get_length (map);
  while (p != NULL && p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;

      if (stop > p && !(stop - p == 1 && *p == '\r') && memchr (p, '\t', stop - p) == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: line %u has no tab (an image key, a tab, a JSON list of boxes)"),
                       path, line);
          return FALSE;
        }
      p = nl != NULL ? nl + 1 : end;
      line++;
    }
  return TRUE;
}

OvCbsFiles *
ov_cbs_files_load (const char *boxes, const char *constraint_pieces, const char *piece_forms,
                   const char *hierarchy, GError **error)
{
  g_autoptr(OvCbsFiles) files = g_new0 (OvCbsFiles, 1);

  g_return_val_if_fail (boxes != NULL, NULL);

  files->boxes = ov_tsv_open (boxes, NULL, error);
  if (files->boxes == NULL || !check_box_lines (boxes, error))
    return NULL;
  if (constraint_pieces != NULL && (files->pieces = load_lists (constraint_pieces, error)) == NULL)
    return NULL;
  if (piece_forms != NULL && (files->forms = load_lists (piece_forms, error)) == NULL)
    return NULL;
  files->heights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (hierarchy != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) local = NULL;

      if (!ov_json_load_file (parser, hierarchy, &local))
        {
          g_set_error (error, OV_ERROR, ov_json_error_code (local, OV_ERROR_IO), "%s: %s",
                       hierarchy, local->message);
          return NULL;
        }
      if (!check_hierarchy (json_parser_get_root (parser), hierarchy, error))
        return NULL;
      files->hierarchy = json_node_ref (json_parser_get_root (parser));
    }
  return g_steal_pointer (&files);
}

const char *
ov_cbs_files_get_boxes_path (OvCbsFiles *files)
{
  return ov_tsv_get_path (files->boxes);
}

OvCbsFiles *
ov_cbs_files_load_yaml (const char *yaml, GError **error)
{
  g_autoptr(GHashTable) keys = ov_dataset_yaml_load (yaml, error);
  const char *names[] = { "cbs_box", "cbs_constraint", "cbs_tokenforms", "cbs_hierarchy" };
  OvCbsFiles *files;

  if (keys == NULL)
    return NULL;
  if (g_hash_table_lookup (keys, "cbs_box") == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("%s names no cbs_box: file, the boxes that constrained beam search takes "
                      "its constraints from (a NoCaps split yaml names it)"), yaml);
      return NULL;
    }
  /* a file the yaml names but that is not there: say which key names it */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *path = g_hash_table_lookup (keys, names[i]);

      if (path != NULL && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                       _ ("%s: %s: %s is not there (or is not a file)"), yaml, names[i], path);
          return NULL;
        }
    }
  files = ov_cbs_files_load (g_hash_table_lookup (keys, "cbs_box"),
                             g_hash_table_lookup (keys, "cbs_constraint"),
                             g_hash_table_lookup (keys, "cbs_tokenforms"),
                             g_hash_table_lookup (keys, "cbs_hierarchy"), error);
  return files;
}

/* The height of a node (0 for a leaf); *found (-1 until then) takes the
 * height of the first node in pre-order whose lower-case name lies within
 * cls, as anytree's findall (...)[0] gives it. */
static int
find_height (JsonNode *node, const char *cls, int *found)
{
  JsonObject *o = json_node_get_object (node);
  JsonArray *sub = ov_json_get_array (o, "Subcategory");
  g_autofree char *name = g_utf8_strdown (ov_json_get_string (o, "LabelName", ""), -1);
  gboolean mine = *found == -1 && strstr (cls, name) != NULL;
  int height = 0;

  if (mine)
    *found = -2;   /* taken: no later node may claim it */
  for (guint i = 0; sub != NULL && i < json_array_get_length (sub); i++)
    height = MAX (height, 1 + find_height (json_array_get_element (sub, i), cls, found));
  if (mine)
    *found = height;
  return height;
}

char **
ov_cbs_files_pick (OvCbsFiles *files, const char *key, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *row = NULL;
  g_autofree OvCbsBox *boxes = NULL;
  const char *tab;
  JsonArray *list;
  gint64 index;
  guint n;

  index = ov_tsv_find_key (files->boxes, key, NULL, &local);
  if (index < 0 && g_error_matches (local, OV_ERROR, OV_ERROR_MISSING))
    return g_new0 (char *, 1);
  if (index < 0 || (row = ov_tsv_read_row (files->boxes, index, NULL, NULL, NULL, &local)) == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  tab = strchr (row, '\t');
  /* the original reads the second column; a third is not the boxes' */
  if (tab != NULL && strchr (tab + 1, '\t') != NULL)
    *strchr (tab + 1, '\t') = '\0';
  if (tab == NULL || !ov_json_load_data (parser, tab + 1, -1, &local)
      || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s, image “%s”: the boxes are not a JSON list (%s)"),
                   ov_tsv_get_path (files->boxes), key,
                   local != NULL ? local->message
                   : tab == NULL ? _("no tab after the key")
                   : JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
                   ? _("one object: put the boxes in a list, [{…}, {…}]")
                   : _("a single value"));
      return NULL;
    }
  list = json_node_get_array (json_parser_get_root (parser));
  n = json_array_get_length (list);
  boxes = g_new0 (OvCbsBox, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (list, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      JsonNode *conf = o != NULL ? json_object_get_member (o, "conf") : NULL;

      if (o == NULL || ov_json_get_string (o, "class", NULL) == NULL || conf == NULL
          || !JSON_NODE_HOLDS_VALUE (conf)
          || json_node_get_value_type (conf) == G_TYPE_STRING
          || json_node_get_value_type (conf) == G_TYPE_BOOLEAN)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s, image “%s”: box %u has no “class” string and “conf” number"),
                       ov_tsv_get_path (files->boxes), key, i + 1);
          return NULL;
        }
      boxes[i].cls = ov_json_get_string (o, "class", NULL);
      boxes[i].conf = json_node_get_double (conf);
      if (files->hierarchy != NULL)
        {
          g_autofree char *cls = g_utf8_strdown (boxes[i].cls, -1);

          if (!g_hash_table_contains (files->heights, cls))
            {
              int found = -1;

              find_height (files->hierarchy, cls, &found);
              /* a class the tree lacks stops the original; it sorts as a leaf here */
              g_hash_table_insert (files->heights, g_steal_pointer (&cls),
                                   GINT_TO_POINTER (MAX (found, 0) + 1));
            }
        }
    }
  return ov_cbs_pick_constraints (boxes, n, files->hierarchy != NULL ? files->heights : NULL,
                                  OV_CBS_MAX_CONSTRAINTS);
}

void
ov_cbs_files_fill (OvCbsFiles *files, OvCaptionConstraints *c)
{
  c->word_pieces = files != NULL ? files->pieces : NULL;
  c->piece_forms = files != NULL ? files->forms : NULL;
}
