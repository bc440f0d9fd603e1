/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Recognising detection, feature and dataset files (§7) and parsing their
 * rows into OvSample fields, with strict checks: well-formed base64, counts
 * that agree, widths of 2048 or 2054, keys that match.
 */
#define G_LOG_DOMAIN "ov-formats"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "model/ov-json.h"
#include "ov-formats.h"
#include "model/ov-files.h"

#define MAX_BOXES 100000   /* far beyond any detector; guards allocations */
#define MAX_TSV_COLUMNS 16

const char *
ov_file_kind_to_string (OvFileKind kind)
{
  switch (kind)
    {
    case OV_FILE_IMAGE:          return "image";
    case OV_FILE_DETECTIONS_TSV: return "detections-tsv";
    case OV_FILE_FEATURE_TSV:    return "oscar-feature-tsv";
    case OV_FILE_VINVL_FEATURES: return "vinvl-features-tsv";
    case OV_FILE_HW_TSV:         return "hw-tsv";
    case OV_FILE_IMAGE_TSV:      return "image-tsv";
    case OV_FILE_BUTD_TSV:       return "bottom-up-attention-tsv";
    case OV_FILE_LXMERT_TSV:     return "lxmert-tsv";
    case OV_FILE_VQA_JSON:       return "oscar-vqa-json";
    case OV_FILE_SAMPLE_JSON:    return "oscarviz-sample-json";
    case OV_FILE_DATASET_YAML:   return "dataset-yaml";
    case OV_FILE_CAPTIONS_JSON:  return "captions-json";
    case OV_FILE_FEATURE_DICT:   return "feature-dict";
    case OV_FILE_CAPTION_PREDICTIONS: return "caption-predictions-tsv";
    case OV_FILE_UNKNOWN:
    default:                     return "unknown";
    }
}

const char *
ov_file_kind_role (OvFileKind kind)
{
  switch (kind)
    {
    case OV_FILE_IMAGE:          return "image";
    case OV_FILE_DETECTIONS_TSV: return "detections";
    case OV_FILE_FEATURE_TSV:
    case OV_FILE_VINVL_FEATURES:
    case OV_FILE_BUTD_TSV:
    case OV_FILE_LXMERT_TSV:
    case OV_FILE_FEATURE_DICT:   return "features";
    case OV_FILE_HW_TSV:         return "image-sizes";
    case OV_FILE_IMAGE_TSV:      return "images";
    case OV_FILE_VQA_JSON:       return "questions";
    case OV_FILE_SAMPLE_JSON:    return "detections";
    case OV_FILE_DATASET_YAML:   return "dataset";
    case OV_FILE_CAPTIONS_JSON:
    case OV_FILE_CAPTION_PREDICTIONS: return "captions";
    case OV_FILE_UNKNOWN:
    default:                     return "unknown";
    }
}

/* Splits a TSV row at tabs in place; returns the number of columns. */
static guint
split_columns (char  *row,
               char **cols,
               guint  max_cols)
{
  guint n = 0;
  char *p = row;

  while (n < max_cols)
    {
      char *tab = strchr (p, '\t');

      cols[n++] = p;
      if (tab == NULL)
        break;
      *tab = '\0';
      p = tab + 1;
    }
  return n;
}

static gboolean
is_number (const char *s)
{
  char *end;

  if (s == NULL || *s == '\0')
    return FALSE;
  g_ascii_strtod (s, &end);
  return *end == '\0';
}

static gboolean
is_integer (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

OvFileKind
ov_file_sniff_tsv_row (const char *row)
{
  g_autofree char *copy = g_strdup (row);
  char *cols[MAX_TSV_COLUMNS];
  guint n = split_columns (copy, cols, MAX_TSV_COLUMNS);
  const char *c1;

  if (n < 2)
    return OV_FILE_UNKNOWN;
  c1 = cols[1];
  while (*c1 == ' ')
    c1++;
  if (*c1 == '{')
    {
      /* Only a prefix may be here: a long base64 value can hide later keys. */
      if (strstr (c1, "\"num_boxes\"") || g_str_has_prefix (c1, "{\"features\""))
        return OV_FILE_FEATURE_TSV;
      if (strstr (c1, "\"objects\"") || strstr (c1, "\"rect\""))
        return OV_FILE_DETECTIONS_TSV;
      if (strstr (c1, "\"height\"") && strstr (c1, "\"width\""))
        return OV_FILE_HW_TSV;
      return OV_FILE_UNKNOWN;
    }
  if (*c1 == '[')
    {
      if (strstr (c1, "\"rect\"") == NULL && strstr (c1, "\"height\"")
          && strstr (c1, "\"width\""))
        return OV_FILE_HW_TSV;
      /* Oscar's caption output; an empty list stays a detection row */
      if (strstr (c1, "\"caption\"") != NULL && strstr (c1, "\"rect\"") == NULL
          && strstr (c1, "\"class\"") == NULL)
        return OV_FILE_CAPTION_PREDICTIONS;
      return OV_FILE_DETECTIONS_TSV;
    }
  if (is_integer (c1) && n == 3)
    return OV_FILE_VINVL_FEATURES;
  if (is_number (c1) && n >= 3 && is_number (cols[2]))
    {
      if (n >= 4 && is_integer (cols[3]) && n <= 6)
        return OV_FILE_BUTD_TSV;
      if (n >= 8)
        return OV_FILE_LXMERT_TSV;
      return OV_FILE_UNKNOWN;
    }
  if (is_integer (c1) && n == 2)
    return OV_FILE_VINVL_FEATURES; /* a prefix: the base64 column was cut off */
  if (g_str_has_prefix (c1, "/9j/") || g_str_has_prefix (c1, "iVBORw0KGgo"))
    return OV_FILE_IMAGE_TSV;
  return OV_FILE_UNKNOWN;
}

/* A yaml line "---" (a document starts) or "..." (it ends), which a flat
 * split yaml may hold around its keys. */
static gboolean
is_yaml_document_marker (const char *line)
{
  if (!g_str_has_prefix (line, "---") && !g_str_has_prefix (line, "..."))
    return FALSE;
  for (line += 3; *line != '\0'; line++)
    if (!g_ascii_isspace (*line))
      return FALSE;
  return TRUE;
}

static gboolean
looks_like_yaml (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (g_str_has_prefix (text, "\xef\xbb\xbf") ? text + 3 : text,
                                    "\n", 8);
  guint good = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      const char *colon;

      if (lines[i + 1] == NULL && i > 0)
        break; /* maybe cut */
      if (*l == '\0' || *l == '#' || is_yaml_document_marker (l))
        continue;
      if (strchr (l, '\t') != NULL)
        return FALSE;
      colon = strstr (l, ": ");
      if (colon == NULL && !g_str_has_suffix (l, ":"))
        return FALSE;
      good++;
    }
  return good > 0;
}

/* A torch.save file (zip, or the legacy pickle stream, protocols 2 to 5)
 * or safetensors (a little-endian header length, then its JSON). */
static gboolean
is_tensor_container (const guchar *buf,
                     gsize         n)
{
  return (n >= 4 && memcmp (buf, "PK\x03\x04", 4) == 0)
         || (n >= 2 && buf[0] == 0x80 && buf[1] >= 2 && buf[1] <= 5)
         || (n >= 9 && buf[8] == '{' && buf[7] == 0 && buf[6] == 0 && buf[5] == 0);
}

gboolean
ov_file_is_tensor_container (const char *path)
{
  guchar buf[9];
  gssize n;
  int fd = ov_files_check_regular (path, NULL) ? g_open (path, O_RDONLY | O_CLOEXEC, 0) : -1;

  if (fd < 0)
    return FALSE;
  n = pread (fd, buf, sizeof buf, 0);
  close (fd);
  return n > 0 && is_tensor_container (buf, (gsize) n);
}

OvFileKind
ov_file_sniff (const char *path,
               GError    **error)
{
  g_autofree char *buf = NULL;
  gssize n;
  int fd;
  const char *p;

  if (!ov_files_check_regular (path, error))
    return OV_FILE_UNKNOWN;
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("cannot open %s: %s"), path,
                   g_strerror (saved));
      return OV_FILE_UNKNOWN;
    }
  buf = g_malloc (65537);
  n = pread (fd, buf, 65536, 0);
  close (fd);
  if (n < 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("Cannot read %s"), path);
      return OV_FILE_UNKNOWN;
    }
  buf[n] = '\0';
  if (n == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED, _ ("%s: the file is empty"), path);
      return OV_FILE_UNKNOWN;
    }
  if (n >= 3 && (guchar) buf[0] == 0xff && (guchar) buf[1] == 0xd8 && (guchar) buf[2] == 0xff)
    return OV_FILE_IMAGE;
  if (n >= 8 && memcmp (buf, "\x89PNG\r\n\x1a\n", 8) == 0)
    return OV_FILE_IMAGE;
  /* Only region features make a dataset; the dataset says so when the
   * tensors are something else, such as a checkpoint's weights. */
  if (is_tensor_container ((const guchar *) buf, (gsize) n))
    return OV_FILE_FEATURE_DICT;
  if (memchr (buf, '\0', n) != NULL)
    goto unknown;

  /* (a byte order mark, which Windows editors write, before JSON too) */
  p = g_str_has_prefix (buf, "\xef\xbb\xbf") ? buf + 3 : buf;
  while (g_ascii_isspace (*p))
    p++;
  if ((*p == '[' || *p == '{') && strchr (buf, '\t') == NULL)
    {
      if (strstr (p, "\"q\"") && strstr (p, "\"img_id\""))
        return OV_FILE_VQA_JSON;
      if (strstr (p, "\"image_id\"") && strstr (p, "\"caption\""))
        return OV_FILE_CAPTIONS_JSON;
      if (strstr (p, "\"boxes\"") || strstr (p, "\"image\"") || strstr (p, "\"samples\"")
          || strstr (p, "\"rect\""))
        return OV_FILE_SAMPLE_JSON;
      /* JSON of no kind we know; if it does not even parse, say why (only
       * for files small enough to parse in a moment: an annotation file of
       * hundreds of megabytes is simply not ours) */
      {
        g_autoptr(JsonParser) parser = json_parser_new_immutable ();
        g_autoptr(GError) local = NULL;
        GStatBuf st;

        if (g_stat (path, &st) == 0 && st.st_size <= 16 * 1024 * 1024
            && !ov_json_load_file (parser, path, &local))
          {
            /* a vocabulary's "[PAD]" begins like JSON too */
            g_set_error (error, OV_ERROR, ov_json_error_code (local, OV_ERROR_IO),
                         _ ("%s: not a file oscarviz knows (image, detection, feature, question "
                            "or dataset file): it begins like JSON but is not JSON (%s)"),
                         path, local->message);
            return OV_FILE_UNKNOWN;
          }
      }
      goto unknown;
    }
  if (strchr (buf, '\t') != NULL)
    {
      char *nl = strchr (buf, '\n');
      OvFileKind kind;

      if (nl != NULL)
        *nl = '\0';
      kind = ov_file_sniff_tsv_row (buf);
      if (kind != OV_FILE_UNKNOWN)
        return kind;
      {
        /* what its first row holds, so that a wrong column can be seen
         * (an image TSV whose picture is not base64, say) */
        g_auto(GStrv) cols = g_strsplit (buf, "\t", 0);
        g_autoptr(GString) shown = g_string_new (NULL);
        guint n_cols = g_strv_length (cols);

        for (guint c = 0; c < MIN (n_cols, 3u); c++)
          {
            g_autofree char *valid = g_utf8_make_valid (cols[c], -1);
            g_autofree char *cut = g_utf8_substring (valid, 0,
                                                     MIN (g_utf8_strlen (valid, -1), 24));

            g_string_append_printf (shown, "%s“%s%s”", c > 0 ? ", " : "", cut,
                                    g_utf8_strlen (valid, -1) > 24 ? "…" : "");
          }
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     /* Translators: "x.tsv: its first row (2 columns: “k1”, “!!!”) is of no
                      * TSV oscarviz reads: ..." */
                     ngettext ("%s: its first row (%u column: %s) is of no TSV oscarviz reads: "
                               "an image TSV holds a key and a base64 JPEG or PNG, a feature, "
                               "detection or hw TSV a key and JSON or numbers",
                               "%s: its first row (%u columns: %s) is of no TSV oscarviz reads: "
                               "an image TSV holds a key and a base64 JPEG or PNG, a feature, "
                               "detection or hw TSV a key and JSON or numbers", n_cols),
                     path, n_cols, shown->str);
        return OV_FILE_UNKNOWN;
      }
    }
  if (looks_like_yaml (buf))
    return OV_FILE_DATASET_YAML;

unknown:
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
               _ ("%s: not a file oscarviz knows (image, detection, feature, question or dataset "
                  "file)"), path);
  return OV_FILE_UNKNOWN;
}

/* Base64 ---------------------------------------------------------------------- */

static inline gboolean
is_base64_char (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
         || c == '+' || c == '/';
}

static gboolean
check_base64 (const char *text,
              gsize       len,
              const char *what,
              GError    **error)
{
  gsize pad = 0;

  if (len % 4 != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: bad base64 (%zu characters, not a multiple of 4; truncated?)"),
                   what, len);
      return FALSE;
    }
  if (len >= 1 && text[len - 1] == '=')
    pad = (len >= 2 && text[len - 2] == '=') ? 2 : 1;
  for (gsize i = 0; i < len - pad; i++)
    if (!is_base64_char (text[i]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     _ ("%s: bad base64 character 0x%02x at position %zu"), what,
                     (guchar) text[i], i);
        return FALSE;
      }
  return TRUE;
}

guchar *
ov_base64_decode_strict (const char *text,
                         gsize       text_len,
                         gsize      *out_len,
                         const char *what,
                         GError    **error)
{
  guchar *out;
  gint state = 0;
  guint save = 0;

  if (!check_base64 (text, text_len, what, error))
    return NULL;
  out = g_malloc ((text_len / 4) * 3 + 4);
  *out_len = g_base64_decode_step (text, text_len, out, &state, &save);
  return out;
}

float *
ov_base64_decode_floats (const char *text,
                         gsize       text_len,
                         gsize      *n_values,
                         const char *what,
                         GError    **error)
{
  gsize n_bytes;
  float *values = (float *) ov_base64_decode_strict (text, text_len, &n_bytes, what, error);

  if (values == NULL)
    return NULL;
  if (n_bytes % 4 != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: %zu bytes of float32 data is not a whole number of values"), what,
                   n_bytes);
      g_free (values);
      return NULL;
    }
  *n_values = n_bytes / 4;
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < *n_values; i++)
    ((guint32 *) values)[i] = GUINT32_FROM_LE (((guint32 *) values)[i]);
#endif
  return values;
}

static gint64 *
decode_int64s (const char *text,
               gsize      *n_values,
               const char *what,
               GError    **error)
{
  gsize n_bytes;
  gint64 *values = (gint64 *) ov_base64_decode_strict (text, strlen (text), &n_bytes, what,
                                                       error);

  if (values == NULL)
    return NULL;
  if (n_bytes % 8 != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: %zu bytes of int64 data is not a whole number of values"),
                   what, n_bytes);
      g_free (values);
      return NULL;
    }
  *n_values = n_bytes / 8;
  for (gsize i = 0; i < *n_values; i++)
    values[i] = GINT64_FROM_LE (values[i]);
  return values;
}

/* Shared checks ---------------------------------------------------------------- */

char *
ov_row_dup_key (const char *row)
{
  const char *tab = strchr (row, '\t');
  gsize len = tab ? (gsize) (tab - row) : strlen (row);

  return len > 0 ? g_strndup (row, len) : NULL;
}

/* The key of a row must be the sample's key (Oscar pairs files by row). */
static gboolean
take_key (OvSample   *sample,
          const char *key,
          const char *where,
          GError    **error)
{
  if (key == NULL || *key == '\0')
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: the row has no image key"), where);
      return FALSE;
    }
  if (sample->key == NULL)
    {
      sample->key = g_strdup (key);
      return TRUE;
    }
  if (strcmp (sample->key, key) != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("%s: the row is for image “%s” but “%s” was expected; the files list "
                      "their images in different orders and would pair the wrong image"),
                   where, key, sample->key);
      return FALSE;
    }
  return TRUE;
}

/* Sets features from a decoded array of n_boxes rows. */
static gboolean
take_features (OvSample   *sample,
               float      *values,
               gsize       n_values,
               gint64      n_boxes,
               const char *where,
               GError    **error)
{
  gsize dim;

  if (n_boxes < 0 || n_boxes > MAX_BOXES)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: num_boxes %" PRId64
                                                        " is out of range"), where, n_boxes);
      g_free (values);
      return FALSE;
    }
  if (n_boxes == 0)
    {
      if (n_values != 0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_SHAPE, _ ("%s: num_boxes is 0 but there are %zu "
                                                           "feature values"), where, n_values);
          g_free (values);
          return FALSE;
        }
      dim = OV_REGION_DIM;
    }
  else if (n_values % n_boxes != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("%s: %zu feature values do not split into num_boxes = %" PRId64
                      " rows (wrong count or truncated data)"), where, n_values, n_boxes);
      g_free (values);
      return FALSE;
    }
  else
    dim = n_values / n_boxes;
  if (dim != OV_REGION_DIM && dim != OV_REGION_APPEARANCE_DIM)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("%s: region features are %zu wide (%zu values for %" PRId64
                      " boxes); expected %d or %d"), where, dim, n_values, n_boxes,
                   OV_REGION_APPEARANCE_DIM, OV_REGION_DIM);
      g_free (values);
      return FALSE;
    }
  for (gsize i = 0; i < n_values; i++)
    if (!isfinite (values[i]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _ ("%s: region %zu has a non-finite feature value (%g) at column %zu"),
                     where, i / dim, values[i], i % dim);
        g_free (values);
        return FALSE;
      }
  g_free (sample->features);
  sample->features = values;
  sample->n_features = n_boxes;
  sample->feature_dim = dim;
  return TRUE;
}

static gboolean
node_get_number (JsonNode *node,
                 double   *out)
{
  GType t;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  t = json_node_get_value_type (node);
  if (t == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (t == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

static JsonNode *
parse_json (const char *text,
            const char *where,
            GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local = NULL;
  JsonNode *root;

  if (!ov_json_load_data (parser, text, -1, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: invalid JSON: %s"), where,
                   local->message);
      return NULL;
    }
  root = json_parser_steal_root (parser);
  if (root == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: empty JSON"), where);
      return NULL;
    }
  return root;
}

/* Detections ------------------------------------------------------------------- */

/* Element i of a JSON array when it is a string, else NULL (a number, an
 * object or an array there is not one; json-glib's own getter would warn). */
static const char *
array_string (JsonArray *a,
              guint      i)
{
  JsonNode *n = json_array_get_element (a, i);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
parse_region (OvRegion   *r,
              JsonNode   *node,
              guint       index,
              float     **feature,
              gsize      *feature_len,
              const char *where,
              GError    **error)
{
  JsonObject *o;
  JsonArray *rect;
  JsonNode *n;
  double v[4];

  r->conf = NAN;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: object %u is not a JSON object"),
                   where, index);
      return FALSE;
    }
  o = json_node_get_object (node);
  n = json_object_get_member (o, "rect");
  if (n == NULL)
    n = json_object_get_member (o, "box");
  rect = n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
  if (rect == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   n == NULL ? "%s: object %u has no \"rect\" [x1, y1, x2, y2]"
                             : "%s: object %u: \"rect\" is not a list [x1, y1, x2, y2]",
                   where, index);
      return FALSE;
    }
  if (json_array_get_length (rect) != 4)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: object %u: \"rect\" has %u values; it needs 4 [x1, y1, x2, y2]"), where,
                   index, json_array_get_length (rect));
      return FALSE;
    }
  for (guint k = 0; k < 4; k++)
    if (!node_get_number (json_array_get_element (rect, k), &v[k]) || !isfinite (v[k]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     _ ("%s: object %u: \"rect\" value %u is not a finite number"),
                     where, index, k);
        return FALSE;
      }
  r->x1 = v[0];
  r->y1 = v[1];
  r->x2 = v[2];
  r->y2 = v[3];

  n = json_object_get_member (o, "class");
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    r->cls = g_strdup (json_node_get_string (n));
  else if (n != NULL && !JSON_NODE_HOLDS_NULL (n))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: object %u: \"class\" is not a string"),
                   where, index);
      return FALSE;
    }

  n = json_object_get_member (o, "conf");
  if (n != NULL && !JSON_NODE_HOLDS_NULL (n) && !node_get_number (n, &r->conf))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: object %u: \"conf\" is not a number"),
                   where, index);
      return FALSE;
    }

  n = json_object_get_member (o, "attributes");
  if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);
      guint len = json_array_get_length (a);
      JsonNode *sn = json_object_get_member (o, "attr_scores");

      r->attributes = g_new0 (char *, len + 1);
      for (guint k = 0; k < len; k++)
        {
          const char *s = array_string (a, k);

          r->attributes[k] = g_strdup (s ? s : "");
        }
      if (sn != NULL && JSON_NODE_HOLDS_ARRAY (sn))
        {
          JsonArray *sa = json_node_get_array (sn);

          if (json_array_get_length (sa) != len)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                           _ ("%s: object %u has %u attributes but %u attr_scores"), where, index,
                           len, json_array_get_length (sa));
              return FALSE;
            }
          r->attr_scores = g_new0 (double, MAX (len, 1));
          for (guint k = 0; k < len; k++)
            if (!node_get_number (json_array_get_element (sa, k), &r->attr_scores[k]))
              {
                g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                             _ ("%s: object %u: attr_scores[%u] is not a number"), where, index, k);
                return FALSE;
              }
        }
    }

  n = json_object_get_member (o, "feature");
  *feature = NULL;
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    {
      g_autofree char *what = g_strdup_printf ("%s: object %u \"feature\"", where, index);
      const char *s = json_node_get_string (n);

      *feature = ov_base64_decode_floats (s, strlen (s), feature_len, what, error);
      if (*feature == NULL)
        return FALSE;
    }
  else if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);

      *feature_len = json_array_get_length (a);
      *feature = g_new (float, MAX (*feature_len, 1));
      for (guint k = 0; k < *feature_len; k++)
        {
          double d;

          if (!node_get_number (json_array_get_element (a, k), &d))
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                           _ ("%s: object %u: feature[%u] is not a number"), where, index, k);
              g_clear_pointer (feature, g_free);
              return FALSE;
            }
          (*feature)[k] = (float) d;
        }
    }
  return TRUE;
}

static void
clear_regions (OvSample *sample)
{
  for (guint i = 0; i < sample->n_regions; i++)
    {
      g_free (sample->regions[i].cls);
      g_strfreev (sample->regions[i].attributes);
      g_free (sample->regions[i].attr_scores);
    }
  g_clear_pointer (&sample->regions, g_free);
  sample->n_regions = 0;
}

/* objects: a JSON array of detections. Per-object features, when present
 * on every object, become the sample's features. */
static gboolean
take_objects (OvSample   *sample,
              JsonArray  *objects,
              const char *where,
              GError    **error)
{
  guint n = json_array_get_length (objects);
  g_autofree float *feats = NULL;
  gsize dim = 0;
  guint with_feature = 0;

  if (n > MAX_BOXES)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: %u objects are too many"), where, n);
      return FALSE;
    }
  clear_regions (sample);
  sample->regions = g_new0 (OvRegion, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      g_autofree float *f = NULL;
      gsize flen = 0;

      sample->n_regions = i + 1;
      /* objects are counted from 1 in the messages, as boxes and regions are */
      if (!parse_region (&sample->regions[i], json_array_get_element (objects, i), i + 1,
                         &f, &flen, where, error))
        return FALSE;
      if (f == NULL)
        continue;
      if (with_feature == 0)
        {
          dim = flen;
          if (dim != OV_REGION_APPEARANCE_DIM && dim != OV_REGION_DIM)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                           _ ("%s: object %u has a %zu-value feature; expected %d or %d"),
                           where, i + 1, dim, OV_REGION_APPEARANCE_DIM, OV_REGION_DIM);
              return FALSE;
            }
          feats = g_new (float, (gsize) n * dim);
        }
      else if (flen != dim)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                       _ ("%s: object %u has a %zu-value feature but earlier ones have %zu"),
                       where, i + 1, flen, dim);
          return FALSE;
        }
      if (with_feature != i)
        break;
      memcpy (feats + (gsize) i * dim, f, dim * sizeof (float));
      with_feature++;
    }
  if (with_feature > 0 && with_feature != n)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: only some objects carry a \"feature\" (%u of %u)"),
                   where, with_feature, n);
      return FALSE;
    }
  if (with_feature > 0)
    return take_features (sample, g_steal_pointer (&feats), (gsize) n * dim, n, where, error);
  return TRUE;
}

static gboolean take_detections_node (OvSample   *sample,
                                      JsonNode   *root,
                                      const char *where,
                                      GError    **error);

gboolean
ov_parse_detections_row (OvSample   *sample,
                         char       *row,
                         const char *where,
                         GError    **error)
{
  char *cols[3];
  g_autoptr(JsonNode) root = NULL;

  if (split_columns (row, cols, 3) < 2)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: expected two tab-separated columns (key, JSON detections)"), where);
      return FALSE;
    }
  if (!take_key (sample, cols[0], where, error))
    return FALSE;
  root = parse_json (cols[1], where, error);
  if (root == NULL)
    return FALSE;
  return take_detections_node (sample, root, where, error);
}

/* A list of objects, or {"objects": [...], "image_w": W, "image_h": H}. */
static gboolean
take_detections_node (OvSample   *sample,
                      JsonNode   *root,
                      const char *where,
                      GError    **error)
{
  JsonArray *objects;

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);
      JsonNode *on = json_object_get_member (o, "objects");
      double w, h;

      if (on == NULL || !JSON_NODE_HOLDS_ARRAY (on))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: the detections are a JSON object without an \"objects\" list"),
                       where);
          return FALSE;
        }
      objects = json_node_get_array (on);
      if (node_get_number (json_object_get_member (o, "image_w"), &w)
          && node_get_number (json_object_get_member (o, "image_h"), &h)
          && w > 0 && h > 0 && w < G_MAXINT && h < G_MAXINT)
        {
          sample->width = (int) w;
          sample->height = (int) h;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (root))
    objects = json_node_get_array (root);
  else
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: the detections are neither a JSON list nor an object"), where);
      return FALSE;
    }
  return take_objects (sample, objects, where, error);
}

/* Features ---------------------------------------------------------------------- */

/* Finds "name" in a flat JSON object text and returns where its value
 * starts. Base64 holds no quotes, so the key cannot occur inside a value. */
static const char *
find_json_value (const char *text,
                 const char *name)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", name);
  const char *p = strstr (text, quoted);

  if (p == NULL)
    return NULL;
  p += strlen (quoted);
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != ':')
    return NULL;
  p++;
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

gboolean
ov_parse_features_row (OvSample   *sample,
                       OvFileKind  kind,
                       char       *row,
                       const char *where,
                       GError    **error)
{
  char *cols[4];
  guint n = split_columns (row, cols, 4);
  const char *b64;
  gsize b64_len, n_values;
  gint64 n_boxes;
  float *values;

  if (n < 2)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: expected tab-separated columns"),
                   where);
      return FALSE;
    }
  if (!take_key (sample, cols[0], where, error))
    return FALSE;

  if (kind == OV_FILE_VINVL_FEATURES)
    {
      if (n != 3 || !is_integer (cols[1]))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: expected three columns: key, num_boxes, base64 features"), where);
          return FALSE;
        }
      n_boxes = g_ascii_strtoll (cols[1], NULL, 10);
      b64 = cols[2];
      b64_len = strlen (b64);
    }
  else
    {
      const char *cell = cols[1], *nb, *fs, *end;
      char *num_end;

      /* {"num_boxes": n, "features": "<base64>"}: read directly, since a
       * general JSON parser would copy megabytes of base64 character by
       * character. */
      nb = find_json_value (cell, "num_boxes");
      fs = find_json_value (cell, "features");
      if (*cell != '{' || nb == NULL || fs == NULL || *fs != '"')
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: expected {\"num_boxes\": n, \"features\": \"<base64>\"}"), where);
          return FALSE;
        }
      errno = 0;
      n_boxes = g_ascii_strtoll (nb, &num_end, 10);
      if (num_end == nb || errno != 0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: num_boxes is not an integer"),
                       where);
          return FALSE;
        }
      b64 = fs + 1;
      end = strchr (b64, '"');
      if (end == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                       _ ("%s: the features string is not closed (truncated row?)"), where);
          return FALSE;
        }
      b64_len = end - b64;
      if (memchr (b64, '\\', b64_len) != NULL)
        {
          /* JSON escapes ("\/") inside the base64: let a JSON parser undo them. */
          g_autoptr(JsonNode) root = parse_json (cell, where, error);
          const char *text;

          if (root == NULL)
            return FALSE;
          text = JSON_NODE_HOLDS_OBJECT (root)
                 ? ov_json_get_string (json_node_get_object (root), "features", NULL)
                 : NULL;
          if (text == NULL)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: \"features\" is not a string"),
                           where);
              return FALSE;
            }
          values = ov_base64_decode_floats (text, strlen (text), &n_values, where, error);
          if (values == NULL)
            return FALSE;
          return take_features (sample, values, n_values, n_boxes, where, error);
        }
    }

  values = ov_base64_decode_floats (b64, b64_len, &n_values, where, error);
  if (values == NULL)
    return FALSE;
  return take_features (sample, values, n_values, n_boxes, where, error);
}

gboolean
ov_features_tensor_check (const OvTensor *t,
                          const char     *where,
                          GError        **error)
{
  g_autoptr(GString) shape = NULL;

  if ((t->n_dims == 2 || (t->n_dims == 3 && t->shape[0] == 1))
      && (t->dtype == OV_DTYPE_F32 || t->dtype == OV_DTYPE_F16 || t->dtype == OV_DTYPE_BF16
          || t->dtype == OV_DTYPE_F64))
    return TRUE;
  shape = g_string_new (NULL);
  for (int d = 0; d < t->n_dims; d++)
    g_string_append_printf (shape, "%s%" G_GINT64_FORMAT, d > 0 ? " × " : "", t->shape[d]);
  g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
               _ ("%s: the features are %s [%s], not a float matrix (regions × width)"), where,
               ov_dtype_name (t->dtype), t->n_dims > 0 ? shape->str : _ ("a single value"));
  return FALSE;
}

gboolean
ov_parse_features_tensor (OvSample       *sample,
                          const OvTensor *t,
                          const char     *where,
                          GError        **error)
{
  g_autofree float *owned = NULL;
  const float *data;
  gint64 n_rows, dim;
  gsize n_values;

  if (!ov_features_tensor_check (t, where, error))
    return FALSE;
  n_rows = t->shape[t->n_dims - 2];
  dim = t->shape[t->n_dims - 1];
  if (n_rows > MAX_BOXES || (n_rows > 0 && dim <= 0) || dim > G_MAXINT)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: %" PRId64 " regions of width %" PRId64 " are out of range"), where,
                   n_rows, dim);
      return FALSE;
    }
  n_values = (gsize) n_rows * (gsize) dim;
  data = ov_tensor_as_f32 (t, &owned);
  if (data == NULL && n_values > 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: out of memory for the features"), where);
      return FALSE;
    }
  for (gsize i = 0; i < n_values; i++)
    if (!isfinite (data[i]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _ ("%s: region %zu has a non-finite feature value (%g) at column %zu"),
                     where, i / (gsize) dim, (double) data[i], i % (gsize) dim);
        return FALSE;
      }
  g_free (sample->features);
  sample->features = owned != NULL ? g_steal_pointer (&owned)
                                   : g_memdup2 (data, n_values * sizeof (float));
  sample->n_features = (guint) n_rows;
  sample->feature_dim = n_rows > 0 ? (guint) dim : OV_REGION_DIM;
  return TRUE;
}

gboolean
ov_parse_hw_row (OvSample   *sample,
                 char       *row,
                 const char *where,
                 GError    **error)
{
  char *cols[3];
  g_autoptr(JsonNode) root = NULL;
  JsonNode *obj = NULL;
  double w, h;

  if (split_columns (row, cols, 3) < 2)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: expected key and JSON size"), where);
      return FALSE;
    }
  if (!take_key (sample, cols[0], where, error))
    return FALSE;
  root = parse_json (cols[1], where, error);
  if (root == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) > 0)
    obj = json_array_get_element (json_node_get_array (root), 0);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    obj = root;
  if (obj == NULL || !JSON_NODE_HOLDS_OBJECT (obj)
      || !node_get_number (json_object_get_member (json_node_get_object (obj), "height"), &h)
      || !node_get_number (json_object_get_member (json_node_get_object (obj), "width"), &w)
      || !(w >= 1 && h >= 1 && w < G_MAXINT && h < G_MAXINT))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: expected [{\"height\": H, \"width\": W}] with positive sizes"), where);
      return FALSE;
    }
  sample->width = (int) w;
  sample->height = (int) h;
  return TRUE;
}

/* The name of a class or attribute id: from names, else a placeholder
 * (prefix and id). */
static char *
name_of (const OvClassNames *names,
         gint64              id,
         const char         *placeholder,
         const char         *where,
         GError            **error)
{
  if (names != NULL)
    return ov_class_names_dup_name (names, id, where, error);
  return g_strdup_printf ("%s%" G_GINT64_FORMAT, placeholder, id);
}

/* A base64 column of a bottom-up row: float32 values, or int64 ones when
 * int64 is set; errors name it "WHERE: name". */
static gpointer
decode_column (const char *col,
               const char *name,
               gboolean    int64,
               gsize      *n_values,
               const char *where,
               GError    **error)
{
  g_autofree char *what = g_strdup_printf ("%s: %s", where, name);

  if (int64)
    return decode_int64s (col, n_values, what, error);
  return ov_base64_decode_floats (col, strlen (col), n_values, what, error);
}

gboolean
ov_parse_butd_row (OvSample           *sample,
                   OvFileKind          kind,
                   char               *row,
                   const OvClassNames *class_names,
                   const OvClassNames *attr_names,
                   const char         *where,
                   GError            **error)
{
  char *cols[MAX_TSV_COLUMNS];
  guint n = split_columns (row, cols, MAX_TSV_COLUMNS);
  gboolean lx = kind == OV_FILE_LXMERT_TSV;
  guint want = lx ? 10 : 6;
  const char *s_w, *s_h, *s_n, *s_boxes, *s_feats;
  g_autofree float *boxes = NULL;
  g_autofree float *obj_conf = NULL, *attr_conf = NULL;
  g_autofree gint64 *obj_id = NULL, *attr_id = NULL;
  float *feats;
  gsize n_box_values, n_values;
  gint64 n_boxes;

  if (n != want)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: %u columns; a %s row has %u"), where,
                   n, lx ? "LXMERT" : "bottom-up-attention", want);
      return FALSE;
    }
  if (!take_key (sample, cols[0], where, error))
    return FALSE;
  /* Column order: bottom-up has image_w before image_h, LXMERT the reverse. */
  s_w = lx ? cols[2] : cols[1];
  s_h = lx ? cols[1] : cols[2];
  s_n = lx ? cols[7] : cols[3];
  s_boxes = lx ? cols[8] : cols[4];
  s_feats = lx ? cols[9] : cols[5];
  if (!is_number (s_w) || !is_number (s_h) || !is_integer (s_n))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: image width, height and num_boxes must be numbers"), where);
      return FALSE;
    }
  n_boxes = g_ascii_strtoll (s_n, NULL, 10);
  /* Range-check as doubles: casting 1e17 to int is undefined. */
  if (n_boxes < 0 || n_boxes > MAX_BOXES
      || !(g_ascii_strtod (s_w, NULL) >= 1 && g_ascii_strtod (s_w, NULL) <= G_MAXINT)
      || !(g_ascii_strtod (s_h, NULL) >= 1 && g_ascii_strtod (s_h, NULL) <= G_MAXINT))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: image size %s×%s or num_boxes %" PRId64 " out of range"),
                   where, s_w, s_h, n_boxes);
      return FALSE;
    }
  sample->width = (int) g_ascii_strtod (s_w, NULL);
  sample->height = (int) g_ascii_strtod (s_h, NULL);

  boxes = decode_column (s_boxes, "boxes", FALSE, &n_box_values, where, error);
  if (boxes == NULL)
    return FALSE;
  if (n_box_values != (gsize) n_boxes * 4)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("%s: %zu box values for num_boxes = %" PRId64 " (expected %"
                      PRId64 ")"), where, n_box_values, n_boxes, n_boxes * 4);
      return FALSE;
    }
  if (lx)
    {
      struct { const char *col, *name; gsize n; } parts[] = {
        { cols[3], "objects_id" }, { cols[4], "objects_conf" },
        { cols[5], "attrs_id" }, { cols[6], "attrs_conf" },
      };

      obj_id = decode_column (parts[0].col, parts[0].name, TRUE, &parts[0].n, where, error);
      if (obj_id == NULL)
        return FALSE;
      obj_conf = decode_column (parts[1].col, parts[1].name, FALSE, &parts[1].n, where, error);
      if (obj_conf == NULL)
        return FALSE;
      attr_id = decode_column (parts[2].col, parts[2].name, TRUE, &parts[2].n, where, error);
      if (attr_id == NULL)
        return FALSE;
      attr_conf = decode_column (parts[3].col, parts[3].name, FALSE, &parts[3].n, where, error);
      if (attr_conf == NULL)
        return FALSE;
      for (guint k = 0; k < G_N_ELEMENTS (parts); k++)
        if (parts[k].n != (gsize) n_boxes)
          {
            g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                         _ ("%s: %s has %zu values for num_boxes = %" PRId64),
                         where, parts[k].name, parts[k].n, n_boxes);
            return FALSE;
          }
    }

  clear_regions (sample);
  sample->regions = g_new0 (OvRegion, MAX (n_boxes, 1));
  sample->n_regions = n_boxes;
  for (gint64 i = 0; i < n_boxes; i++)
    {
      OvRegion *r = &sample->regions[i];

      r->x1 = boxes[4 * i];
      r->y1 = boxes[4 * i + 1];
      r->x2 = boxes[4 * i + 2];
      r->y2 = boxes[4 * i + 3];
      r->conf = NAN;
      if (lx)
        {
          r->cls = name_of (class_names, obj_id[i], "class", where, error);
          if (r->cls == NULL)
            return FALSE;
          r->conf = obj_conf[i];
          r->attributes = g_new0 (char *, 2);
          r->attributes[0] = name_of (attr_names, attr_id[i], "attr", where, error);
          if (r->attributes[0] == NULL)
            return FALSE;
          r->attr_scores = g_new (double, 1);
          r->attr_scores[0] = attr_conf[i];
        }
    }

  feats = decode_column (s_feats, "features", FALSE, &n_values, where, error);
  if (feats == NULL)
    return FALSE;
  return take_features (sample, feats, n_values, n_boxes, where, error);
}

/* Our own JSON ------------------------------------------------------------------- */

/* {"key": [...], ...} or {"key": {"objects": [...]}, ...}: no sample fields. */
static gboolean
is_detections_map (JsonNode *root)
{
  JsonObject *o = json_node_get_object (root);
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (json_object_has_member (o, "boxes") || json_object_has_member (o, "image")
      || json_object_has_member (o, "key") || json_object_get_size (o) == 0)
    return FALSE;
  json_object_iter_init (&iter, o);
  while (json_object_iter_next (&iter, &key, &value))
    if (!JSON_NODE_HOLDS_ARRAY (value)
        && !(JSON_NODE_HOLDS_OBJECT (value)
             && json_object_has_member (json_node_get_object (value), "objects")))
      return FALSE;
  return TRUE;
}

static gboolean read_vqa_references (OvQuestion *q, JsonObject *e, const char *labels_key,
                                     const char *scores_key, const char *path, guint entry,
                                     GError **error);

OvSample *
ov_sample_from_json (JsonNode   *node,
                     const char *base_dir,
                     const char *where,
                     GError    **error)
{
  g_autoptr(OvSample) sample = NULL;
  JsonObject *o;
  JsonNode *n;
  double w = 0, h = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: a sample must be a JSON object"),
                   where);
      return NULL;
    }
  o = json_node_get_object (node);
  sample = ov_sample_new (ov_json_get_string (o, "key", NULL));
  n = json_object_get_member (o, "image");
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    {
      const char *p = json_node_get_string (n);

      sample->image_path = g_path_is_absolute (p) || base_dir == NULL
                           ? g_strdup (p) : g_build_filename (base_dir, p, NULL);
      if (sample->key == NULL)
        {
          g_autofree char *base = g_path_get_basename (p);
          char *dot = strrchr (base, '.');

          if (dot != NULL && dot != base)
            *dot = '\0';
          sample->key = g_strdup (base);
        }
    }
  if (sample->key == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("%s: a sample needs a \"key\" or an \"image\""), where);
      return NULL;
    }
  if ((n = json_object_get_member (o, "width")) != NULL)
    {
      if (!node_get_number (n, &w)
          || !node_get_number (json_object_get_member (o, "height"), &h)
          || !(w >= 1 && h >= 1 && w < G_MAXINT && h < G_MAXINT))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: sample “%s” needs a positive \"width\" and \"height\""), where,
                       sample->key);
          return NULL;
        }
      sample->width = (int) w;
      sample->height = (int) h;
    }
  n = json_object_get_member (o, "boxes");
  if (n != NULL)
    {
      g_autofree char *w2 = g_strdup_printf ("%s: sample “%s”", where, sample->key);

      if (!JSON_NODE_HOLDS_ARRAY (n))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: \"boxes\" must be a list"), w2);
          return NULL;
        }
      if (!take_objects (sample, json_node_get_array (n), w2, error))
        return NULL;
    }
  n = json_object_get_member (o, "tags");
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    sample->tags = g_strdup (json_node_get_string (n));
  n = json_object_get_member (o, "captions");
  if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          const char *s = array_string (a, i);

          if (s != NULL)
            g_ptr_array_add (sample->captions, g_strdup (s));
        }
    }
  n = json_object_get_member (o, "questions");
  if (n != NULL && JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *qn = json_array_get_element (a, i);
          OvQuestion *q;

          if (!JSON_NODE_HOLDS_OBJECT (qn))
            continue;
          q = g_new0 (OvQuestion, 1);
          q->question = g_strdup (ov_json_get_string (json_node_get_object (qn), "question",
                                                      ""));
          q->answer = g_strdup (ov_json_get_string (json_node_get_object (qn), "answer", NULL));
          q->type = g_strdup (ov_json_get_string (json_node_get_object (qn), "type", NULL));
          g_ptr_array_add (sample->questions, q);
          if (!read_vqa_references (q, json_node_get_object (qn), "answer_labels",
                                    "answer_scores", where, i, error))
            return NULL;
        }
    }
  return g_steal_pointer (&sample);
}

static JsonParser *
load_json_file (const char *path,
                GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local = NULL;

  if (!ov_json_load_file (parser, path, &local))
    {
      g_set_error (error, OV_ERROR, ov_json_error_code (local, OV_ERROR_IO), "%s: %s", path,
                   local->message);
      return NULL;
    }
  return g_steal_pointer (&parser);
}

GPtrArray *
ov_sample_json_load (const char *path,
                     GError    **error)
{
  g_autoptr(JsonParser) parser = load_json_file (path, error);
  g_autoptr(GPtrArray) samples = NULL;
  g_autofree char *dir = NULL;
  JsonNode *root;
  JsonArray *list = NULL;

  if (parser == NULL)
    return NULL;
  dir = g_path_get_dirname (path);
  root = json_parser_get_root (parser);
  samples = g_ptr_array_new_with_free_func ((GDestroyNotify) ov_sample_free);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    list = json_node_get_array (root);
  else if (root != NULL && JSON_NODE_HOLDS_OBJECT (root)
           && json_object_has_member (json_node_get_object (root), "samples"))
    {
      JsonNode *s = json_object_get_member (json_node_get_object (root), "samples");

      if (!JSON_NODE_HOLDS_ARRAY (s))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: \"samples\" must be a list"), path);
          return NULL;
        }
      list = json_node_get_array (s);
    }
  if (list != NULL)
    {
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          g_autofree char *where = g_strdup_printf ("%s: sample %u", path, i);
          OvSample *s = ov_sample_from_json (json_array_get_element (list, i), dir, where, error);

          if (s == NULL)
            return NULL;
          g_ptr_array_add (samples, s);
        }
    }
  else if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) && is_detections_map (root))
    {
      /* Detections keyed by image: {"key": [objects] or {"objects": [...]}}. */
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (root));
      while (json_object_iter_next (&iter, &key, &value))
        {
          g_autofree char *where = g_strdup_printf ("%s: image “%s”", path, key);
          g_autoptr(OvSample) s = ov_sample_new (key);

          if (!take_detections_node (s, value, where, error))
            return NULL;
          g_ptr_array_add (samples, g_steal_pointer (&s));
        }
    }
  else
    {
      OvSample *s = ov_sample_from_json (root, dir, path, error);

      if (s == NULL)
        return NULL;
      g_ptr_array_add (samples, s);
    }
  return g_steal_pointer (&samples);
}

JsonNode *
ov_sample_to_json (const OvSample *sample)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint dim = sample->feature_dim;
  gboolean per_region = sample->features != NULL && sample->n_features == sample->n_regions;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, sample->key);
  if (sample->image_path != NULL)
    {
      json_builder_set_member_name (b, "image");
      json_builder_add_string_value (b, sample->image_path);
    }
  if (sample->width > 0 && sample->height > 0)
    {
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, sample->width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, sample->height);
    }
  if (sample->tags != NULL)
    {
      json_builder_set_member_name (b, "tags");
      json_builder_add_string_value (b, sample->tags);
    }
  json_builder_set_member_name (b, "boxes");
  json_builder_begin_array (b);
  for (guint i = 0; i < sample->n_regions; i++)
    {
      const OvRegion *r = &sample->regions[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rect");
      json_builder_begin_array (b);
      json_builder_add_double_value (b, r->x1);
      json_builder_add_double_value (b, r->y1);
      json_builder_add_double_value (b, r->x2);
      json_builder_add_double_value (b, r->y2);
      json_builder_end_array (b);
      if (r->cls != NULL)
        {
          json_builder_set_member_name (b, "class");
          json_builder_add_string_value (b, r->cls);
        }
      if (isfinite (r->conf))
        {
          json_builder_set_member_name (b, "conf");
          json_builder_add_double_value (b, r->conf);
        }
      if (r->attributes != NULL)
        {
          json_builder_set_member_name (b, "attributes");
          json_builder_begin_array (b);
          for (guint k = 0; r->attributes[k] != NULL; k++)
            json_builder_add_string_value (b, r->attributes[k]);
          json_builder_end_array (b);
          if (r->attr_scores != NULL)
            {
              json_builder_set_member_name (b, "attr_scores");
              json_builder_begin_array (b);
              for (guint k = 0; r->attributes[k] != NULL; k++)
                json_builder_add_double_value (b, r->attr_scores[k]);
              json_builder_end_array (b);
            }
        }
      if (per_region)
        {
          /* base64 keeps every float32 bit; decimal text would round. */
          g_autofree guint32 *le = g_new (guint32, dim);
          g_autofree char *b64 = NULL;

          for (guint k = 0; k < dim; k++)
            {
              guint32 bits;

              memcpy (&bits, sample->features + (gsize) i * dim + k, 4);
              le[k] = GUINT32_TO_LE (bits);
            }
          b64 = g_base64_encode ((const guchar *) le, (gsize) dim * 4);
          json_builder_set_member_name (b, "feature");
          json_builder_add_string_value (b, b64);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (sample->captions->len > 0)
    {
      json_builder_set_member_name (b, "captions");
      json_builder_begin_array (b);
      for (guint i = 0; i < sample->captions->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (sample->captions, i));
      json_builder_end_array (b);
    }
  if (sample->questions->len > 0)
    {
      json_builder_set_member_name (b, "questions");
      json_builder_begin_array (b);
      for (guint i = 0; i < sample->questions->len; i++)
        {
          const OvQuestion *q = g_ptr_array_index (sample->questions, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "question");
          json_builder_add_string_value (b, q->question);
          if (q->answer != NULL)
            {
              json_builder_set_member_name (b, "answer");
              json_builder_add_string_value (b, q->answer);
            }
          if (q->type != NULL)
            {
              json_builder_set_member_name (b, "type");
              json_builder_add_string_value (b, q->type);
            }
          if (q->n_labels > 0)
            {
              json_builder_set_member_name (b, "answer_labels");
              json_builder_begin_array (b);
              for (guint k = 0; k < q->n_labels; k++)
                json_builder_add_int_value (b, q->labels[k]);
              json_builder_end_array (b);
              json_builder_set_member_name (b, "answer_scores");
              json_builder_begin_array (b);
              for (guint k = 0; k < q->n_labels; k++)
                json_builder_add_double_value (b, q->label_scores[k]);
              json_builder_end_array (b);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
ov_sample_json_save (const OvSample *sample,
                     const char     *path,
                     GError        **error)
{
  g_autoptr(JsonNode) root = ov_sample_to_json (sample);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  if (!g_file_set_contents (path, text, -1, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

/* Oscar VQA json ---------------------------------------------------------------- */

/* Oscar's "an" (answer label ids) and "s" (their soft scores), as
 * run_vqa.py reads them for training and evaluation; empty lists or none at
 * all for test. Our sample JSON calls them answer_labels, answer_scores. */
static gboolean
read_vqa_references (OvQuestion *q,
                     JsonObject *e,
                     const char *labels_key,
                     const char *scores_key,
                     const char *path,
                     guint       entry,
                     GError    **error)
{
  JsonNode *an = json_object_get_member (e, labels_key);
  JsonNode *s = json_object_get_member (e, scores_key);
  JsonArray *labels, *scores;
  guint n;

  if ((an == NULL || JSON_NODE_HOLDS_NULL (an)) && (s == NULL || JSON_NODE_HOLDS_NULL (s)))
    return TRUE;
  if (an == NULL || s == NULL || !JSON_NODE_HOLDS_ARRAY (an) || !JSON_NODE_HOLDS_ARRAY (s)
      || json_array_get_length (json_node_get_array (an))
         != json_array_get_length (json_node_get_array (s)))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: entry %u: \"%s\" and \"%s\" must be lists of the same length "
                      "(answer labels and their scores)"), path, entry, labels_key, scores_key);
      return FALSE;
    }
  labels = json_node_get_array (an);
  scores = json_node_get_array (s);
  n = json_array_get_length (labels);
  q->labels = g_new (gint64, MAX (n, 1));
  q->label_scores = g_new (double, MAX (n, 1));
  for (guint k = 0; k < n; k++)
    {
      JsonNode *ln = json_array_get_element (labels, k);
      JsonNode *sn = json_array_get_element (scores, k);
      GType lt = JSON_NODE_HOLDS_VALUE (ln) ? json_node_get_value_type (ln) : G_TYPE_NONE;
      GType st = JSON_NODE_HOLDS_VALUE (sn) ? json_node_get_value_type (sn) : G_TYPE_NONE;
      double score;

      if (lt != G_TYPE_INT64 || json_node_get_int (ln) < 0
          || (st != G_TYPE_INT64 && st != G_TYPE_DOUBLE))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: entry %u: answer %u needs a label id (0 or more) and a score"),
                       path, entry, k);
          return FALSE;
        }
      score = json_node_get_double (sn);
      if (!isfinite (score) || score < 0.0 || score > 1.0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: entry %u: answer %u has score %g, outside 0..1"), path, entry, k,
                       score);
          return FALSE;
        }
      q->labels[k] = json_node_get_int (ln);
      q->label_scores[k] = score;
    }
  q->n_labels = n;
  return TRUE;
}

GPtrArray *
ov_vqa_json_load (const char *path,
                  GError    **error)
{
  g_autoptr(JsonParser) parser = load_json_file (path, error);
  g_autoptr(GPtrArray) samples = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  JsonNode *root;
  JsonArray *list;

  if (parser == NULL)
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: expected a JSON list of questions"),
                   path);
      return NULL;
    }
  list = json_node_get_array (root);
  samples = g_ptr_array_new_with_free_func ((GDestroyNotify) ov_sample_free);
  by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *en = json_array_get_element (list, i);
      JsonObject *e;
      JsonNode *idn;
      g_autofree char *id = NULL;
      OvSample *sample;
      OvQuestion *q;
      const char *text, *tags;

      if (!JSON_NODE_HOLDS_OBJECT (en))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: entry %u is not an object"), path, i);
          return NULL;
        }
      e = json_node_get_object (en);
      idn = json_object_get_member (e, "img_id");
      text = ov_json_get_string (e, "q", NULL);
      if (idn == NULL || !JSON_NODE_HOLDS_VALUE (idn) || text == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: entry %u needs \"q\" and \"img_id\""), path, i);
          return NULL;
        }
      if (json_node_get_value_type (idn) == G_TYPE_INT64)
        id = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (idn));
      else
        id = g_strdup (json_node_get_string (idn));
      if (id == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: entry %u: bad img_id"), path, i);
          return NULL;
        }
      sample = g_hash_table_lookup (by_id, id);
      tags = ov_json_get_string (e, "o", NULL);
      if (sample == NULL)
        {
          sample = ov_sample_new (id);
          sample->tags = g_strdup (tags);
          g_ptr_array_add (samples, sample);
          g_hash_table_insert (by_id, g_strdup (id), sample);
        }
      else if (g_strcmp0 (sample->tags, tags) != 0)
        ov_sample_add_warning (sample, _ ("%s: entry %u gives image %s other tags than an earlier "
                                          "question; the first are kept"), path, i, id);
      q = g_new0 (OvQuestion, 1);
      q->question = g_strdup (text);
      g_ptr_array_add (sample->questions, q);
      if (!read_vqa_references (q, e, "an", "s", path, i, error))
        return NULL;
    }
  return g_steal_pointer (&samples);
}

/* Dataset yaml and class names ---------------------------------------------------- */

GHashTable *
ov_dataset_yaml_load (const char *path,
                      GError    **error)
{
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GHashTable) map = NULL;
  g_auto(GStrv) lines = NULL;

  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s", local->message);
      return NULL;
    }
  dir = g_path_get_dirname (path);
  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* A byte order mark (Windows editors write one) is no part of the first key. */
  lines = g_strsplit (g_str_has_prefix (text, "\xef\xbb\xbf") ? text + 3 : text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *colon, *value, *hash;
      g_autofree char *key = NULL;

      if (*line == '\0' || *line == '#' || is_yaml_document_marker (line))
        continue;
      colon = strchr (line, ':');
      if (colon == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: line %u is not “key: value” (only flat yaml is read)"), path, i + 1);
          return NULL;
        }
      key = g_strstrip (g_strndup (line, colon - line));
      value = colon + 1;
      hash = strstr (value, " #");
      if (hash != NULL)
        *hash = '\0';
      value = g_strstrip (value);
      if (strlen (value) >= 2 && (value[0] == '"' || value[0] == '\'')
          && value[strlen (value) - 1] == value[0])
        {
          value[strlen (value) - 1] = '\0';
          value++;
        }
      /* "label:" alone is null in yaml, or opens a nested block this reader
       * does not read: either way the key would be lost without a word. */
      if (*value == '\0')
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: line %u: “%s” has no value (only flat yaml is read: "
                          "“key: file”, one a line)"), path, i + 1, key);
          return NULL;
        }
      g_hash_table_insert (map, g_steal_pointer (&key),
                           g_path_is_absolute (value) ? g_strdup (value)
                                                      : g_build_filename (dir, value, NULL));
    }
  return g_steal_pointer (&map);
}

#define MAX_CLASS_NAMES_BYTES (16 << 20)
#define MAX_CLASS_NAMES       100000

void
ov_class_names_free (OvClassNames *names)
{
  if (names == NULL)
    return;
  g_free (names->path);
  g_strfreev (names->names);
  g_free (names);
}

/* Takes names[0..n-1] (some may be NULL: a gap the file left) as the list;
 * a gap is an error naming it as the file numbers it (from first). */
static OvClassNames *
class_names_take (const char  *path,
                  GPtrArray   *names,
                  guint        first,
                  GError     **error)
{
  OvClassNames *out;

  for (guint i = 0; i < names->len; i++)
    if (g_ptr_array_index (names, i) == NULL)
      {
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     _ ("%s has no class %u but names classes after it; the classes must be "
                        "numbered without gaps"), path, i + first);
        return NULL;
      }
  if (names->len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s names no classes"), path);
      return NULL;
    }
  out = g_new0 (OvClassNames, 1);
  out->path = g_strdup (path);
  out->n_names = names->len;
  g_ptr_array_add (names, NULL);
  out->names = (char **) g_ptr_array_steal (names, NULL);
  return out;
}

/* Puts name at index, growing the list with gaps; a second name for one
 * index is an error. */
static gboolean
class_names_put (GPtrArray  *names,
                 guint64     index,
                 const char *name,
                 const char *path,
                 GError    **error)
{
  if (index >= MAX_CLASS_NAMES)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: class %" PRIu64 " is beyond the %d classes oscarviz "
                      "accepts"), path, index, MAX_CLASS_NAMES);
      return FALSE;
    }
  while (names->len <= index)
    g_ptr_array_add (names, NULL);
  if (g_ptr_array_index (names, index) != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s names class %" PRIu64
                                                        " twice"), path, index);
      return FALSE;
    }
  g_ptr_array_index (names, index) = g_strdup (name);
  return TRUE;
}

/* A VinVL label map ({"idx_to_label": {"1": name, ...}}, 0 the background,
 * which it leaves out) or a JSON list of names. */
static OvClassNames *
class_names_from_json (const char *path,
                       const char *text,
                       gsize       len,
                       GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonObject *map = NULL;

  if (!ov_json_load_data (parser, text, (gssize) len, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, "%s: %s", path, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *a = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *n = json_array_get_element (a, i);

          if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                           _ ("%s: entry %u of the list is not a class name (a string)"),
                           path, i);
              return NULL;
            }
          g_ptr_array_add (names, g_strdup (json_node_get_string (n)));
        }
      return class_names_take (path, names, 0, error);
    }
  if (JSON_NODE_HOLDS_OBJECT (root))
    map = ov_json_get_object (json_node_get_object (root), "idx_to_label");
  if (map == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s is JSON but neither a list of class names nor a label map with "
                      "“idx_to_label” (as VinVL's labelmap.json)"), path);
      return NULL;
    }
  {
    JsonObjectIter iter;
    const char *key;
    JsonNode *value;

    json_object_iter_init (&iter, map);
    while (json_object_iter_next (&iter, &key, &value))
      {
        guint64 idx;

        if (!g_ascii_string_to_unsigned (key, 10, 0, G_MAXUINT64, &idx, NULL)
            || !JSON_NODE_HOLDS_VALUE (value)
            || json_node_get_value_type (value) != G_TYPE_STRING)
          {
            g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                         _ ("%s: idx_to_label entry “%s” is not a class number with its name"),
                         path, key);
            return NULL;
          }
        /* class 0 is the detector's background; ids count the classes
         * from 0 without it, as LXMERT's files do */
        if (idx == 0)
          continue;
        if (!class_names_put (names, idx - 1, json_node_get_string (value), path, error))
          return NULL;
      }
  }
  return class_names_take (path, names, 1, error);
}

/* A table with a header line: the name column, numbered by its index
 * column when it has one (coco-80-categories.tsv), else by row. */
static OvClassNames *
class_names_from_table (const char  *path,
                        char       **lines,
                        GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) header = g_strsplit (lines[0], "\t", -1);
  int name_col = -1, index_col = -1;
  guint n_cols = g_strv_length (header);
  guint row = 0;

  for (guint c = 0; c < n_cols; c++)
    {
      g_strstrip (header[c]);
      if (g_str_equal (header[c], "name"))
        name_col = (int) c;
      else if (g_str_equal (header[c], "index"))
        index_col = (int) c;
    }
  if (name_col < 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: line 1 holds tabs but no “name” column; a class names file holds one "
                      "name a line, or a table whose header has a “name” column (and an "
                      "“index” column)"), path);
      return NULL;
    }
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = NULL;
      guint64 index = row;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      cols = g_strsplit (lines[i], "\t", -1);
      if (g_strv_length (cols) != n_cols)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s, line %u: %u columns, but the header has %u"), path, i + 1,
                       g_strv_length (cols), n_cols);
          return NULL;
        }
      if (index_col >= 0
          && !g_ascii_string_to_unsigned (g_strstrip (cols[index_col]), 10, 0, G_MAXUINT64,
                                          &index, NULL))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s, line %u: the index “%s” is not a whole number"), path, i + 1,
                       cols[index_col]);
          return NULL;
        }
      if (*g_strstrip (cols[name_col]) == '\0')
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s, line %u: the name is empty"),
                       path, i + 1);
          return NULL;
        }
      if (!class_names_put (names, index, cols[name_col], path, error))
        return NULL;
      row++;
    }
  return class_names_take (path, names, 0, error);
}

/* Control characters other than tab, line feed and carriage return: never
 * in a text of names, always in a binary file. */
static gboolean
has_control_bytes (const char *text,
                   gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
        return TRUE;
    }
  return FALSE;
}

OvClassNames *
ov_class_names_load (const char *path,
                     GError    **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_auto(GStrv) lines = NULL;
  const char *start, *bad;
  gsize len;
  guint n;

  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s", local->message);
      return NULL;
    }
  if (len > MAX_CLASS_NAMES_BYTES || memchr (text, '\0', len) != NULL
      || !g_utf8_validate (text, (gssize) len, &bad) || has_control_bytes (text, len))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s is not a list of class names (UTF-8 text of at most 16 MiB: one name "
                      "a line, a table with a “name” column, or a label map JSON)"), path);
      return NULL;
    }
  start = g_str_has_prefix (text, "\xef\xbb\xbf") ? text + 3 : text;
  while (g_ascii_isspace (*start))
    start++;
  if (*start == '{' || *start == '[')
    return class_names_from_json (path, start, len - (gsize) (start - text), error);

  /* An empty file splits into no lines at all: it names no classes. */
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] != NULL && g_str_has_prefix (lines[0], "\xef\xbb\xbf"))
    memmove (lines[0], lines[0] + 3, strlen (lines[0] + 3) + 1);
  if (lines[0] != NULL && strchr (lines[0], '\t') != NULL)
    return class_names_from_table (path, lines, error);
  /* One name a line; synonyms after a comma ("stop sign,stopsign"): the
   * first is the name. Blank lines at the end are no classes. */
  n = g_strv_length (lines);
  while (n > 0 && *g_strstrip (lines[n - 1]) == '\0')
    n--;
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    {
      char *comma = strchr (lines[i], ',');

      if (strchr (lines[i], '\t') != NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s, line %u holds a tab; a class names file holds one name a line"),
                       path, i + 1);
          return NULL;
        }
      if (comma != NULL)
        *comma = '\0';
      if (*g_strstrip (lines[i]) == '\0')
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s, line %u is empty; each line names the class of its number"),
                       path, i + 1);
          return NULL;
        }
      g_ptr_array_add (names, g_strdup (lines[i]));
    }
  return class_names_take (path, names, 0, error);
}

gboolean
ov_file_is_class_names (const char *path)
{
  OvFileKind kind = ov_file_sniff (path, NULL);
  g_autoptr(OvClassNames) names = NULL;

  if (kind != OV_FILE_UNKNOWN && kind != OV_FILE_SAMPLE_JSON)
    return FALSE;
  names = ov_class_names_load (path, NULL);
  return names != NULL;
}

char *
ov_class_names_dup_name (const OvClassNames *names,
                         gint64              id,
                         const char         *where,
                         GError            **error)
{
  if (id < 0 || (guint64) id >= names->n_names)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%s: class id %" PRId64 " has no name in %s, which "
                                "names %u class (id 0 to %u)",
                                "%s: class id %" PRId64 " has no name in %s, which "
                                "names %u classes (ids 0 to %u)", names->n_names),
                   where, id, names->path, names->n_names, names->n_names - 1);
      return NULL;
    }
  return g_strdup (names->names[id]);
}
