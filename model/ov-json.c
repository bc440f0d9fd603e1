/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A nesting-depth check run before json-glib parses anything (see
 * ov-json.h).
 */
#define G_LOG_DOMAIN "ov-json"

#include "ov-json.h"

#include <math.h>
#include <string.h>

#include "ov-error.h"
#include "ov-i18n.h"
#include "ov-files.h"

/* Walks the brackets of text; FALSE at the first level beyond the limit.
 * Otherwise *depth_out, *in_string_out and *lines_out say how the text
 * ends: inside how many open brackets, inside a string, after how many
 * lines. */
static gboolean
scan (const char *text,
      gssize      len,
      guint      *depth_out,
      gboolean   *in_string_out,
      guint      *lines_out,
      GError    **error)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  gboolean in_string = FALSE;
  guint depth = 0, line = 1;

  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];

      if (c == '\n')
        line++;
      if (in_string)
        {
          if (c == '\\')
            i++;  /* the escaped character cannot end the string */
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > OV_JSON_MAX_DEPTH)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                           _ ("line %u: JSON nested more than %d levels deep"), line,
                           OV_JSON_MAX_DEPTH);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }
  *depth_out = depth;
  *in_string_out = in_string;
  *lines_out = line;
  return TRUE;
}

int
ov_json_error_code (const GError *error,
                    int           missing_code)
{
  if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return missing_code;
  if (g_error_matches (error, OV_ERROR, OV_ERROR_TRUNCATED))
    return OV_ERROR_TRUNCATED;
  return OV_ERROR_FORMAT;
}

gboolean
ov_json_ends_open (const char *text,
                   gssize      len)
{
  guint depth = 0, lines = 0;
  gboolean in_string = FALSE;

  return scan (text, len, &depth, &in_string, &lines, NULL) && (depth > 0 || in_string);
}

gboolean
ov_json_check_depth (const char *text,
                     gssize      len,
                     GError    **error)
{
  guint depth, lines;
  gboolean in_string;

  return scan (text, len, &depth, &in_string, &lines, error);
}

/* The line of the last character that is not white space. */
static guint
last_content_line (const char *text,
                   gssize      len)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  guint line = 1, last = 1;

  for (gsize i = 0; i < n; i++)
    if (text[i] == '\n')
      line++;
    else if (!g_ascii_isspace (text[i]))
      last = line;
  return last;
}

/* After json-glib refused text. Its messages start "FILE:LINE:COLUMN: "
 * (FILE is "<data>" for text in memory); every caller names the file
 * itself, so that becomes "line L, column C: ". A whole file that stops
 * inside a string or an open bracket, where json-glib stopped on its last
 * line, was cut short: json-glib names only the token it met last, so say
 * that instead. */
static void
explain_parse_error (const char *text,
                     gssize      len,
                     const char *path,
                     GError    **error)
{
  const char *prefix = path != NULL ? path : "<data>";
  const char *rest;
  char *end1 = NULL, *end2 = NULL;
  guint64 line = 0, column = 0;
  guint depth = 0, lines = 0;
  gboolean in_string = FALSE;
  char *message;

  if (error == NULL || *error == NULL || (*error)->domain != JSON_PARSER_ERROR)
    return;
  rest = (*error)->message;
  if (g_str_has_prefix (rest, prefix) && rest[strlen (prefix)] == ':')
    rest += strlen (prefix) + 1;
  line = g_ascii_strtoull (rest, &end1, 10);
  if (end1 != rest && *end1 == ':')
    column = g_ascii_strtoull (end1 + 1, &end2, 10);
  if (end2 == NULL || end2 == end1 + 1 || *end2 != ':')
    return;   /* not the form above: leave it */

  if (path != NULL && scan (text, len, &depth, &in_string, &lines, NULL)
      && (depth > 0 || in_string) && line >= last_content_line (text, len))
    {
      g_clear_error (error);
      g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                   _ ("the JSON stops at line %u inside %s (the file is cut short?)"),
                   last_content_line (text, len),
                   in_string ? _ ("a string") : _ ("an unclosed [ or {"));
      return;
    }
  message = g_strdup_printf (_ ("line %" PRIu64 ", column %" PRIu64 ":%s"), line, column,
                             end2 + 1);
  g_free ((*error)->message);
  (*error)->message = message;
}

/* json-glib accepts an empty or blank document and gives a NULL root, which
 * every caller would then have to test; refuse it here. */
static gboolean
check_root (JsonParser *parser,
            GError    **error)
{
  if (json_parser_get_root (parser) != NULL)
    return TRUE;
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("empty JSON document"));
  return FALSE;
}

static int
hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* json-glib ends a string at an escaped NUL (\u0000) and turns a lone
 * surrogate escape (\ud800 without its partner) into bytes that are not
 * UTF-8, eating the character after it; Python reads both as characters,
 * and BERT's tokenizer then drops them, as it drops U+FFFD. A copy of text
 * with each of these escapes written \ufffd (the same length, so lines and
 * columns in messages stay right), or NULL where there are none. */
static char *
replace_unreadable_escapes (const char *text,
                            gsize       n)
{
  char *copy = NULL;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      int u, next;
      gboolean bad;

      if (!in_string)
        {
          in_string = text[i] == '"';
          continue;
        }
      if (text[i] == '"')
        {
          in_string = FALSE;
          continue;
        }
      if (text[i] != '\\')
        continue;
      if (i + 5 >= n || text[i + 1] != 'u' || (u = hex4 (text + i + 2)) < 0)
        {
          i++;   /* another escape, or one json-glib will refuse */
          continue;
        }
      next = i + 11 < n && text[i + 6] == '\\' && text[i + 7] == 'u' ? hex4 (text + i + 8) : -1;
      if (u >= 0xd800 && u <= 0xdbff && next >= 0xdc00 && next <= 0xdfff)
        {
          i += 11;   /* a whole pair */
          continue;
        }
      bad = u == 0 || (u >= 0xd800 && u <= 0xdfff);
      if (bad)
        {
          if (copy == NULL)
            copy = g_memdup2 (text, n + 1);
          memcpy (copy + i + 2, "fffd", 4);
        }
      i += 5;
    }
  if (copy != NULL)
    copy[n] = '\0';
  return copy;
}

gboolean
ov_json_load_data (JsonParser *parser,
                   const char *text,
                   gssize      len,
                   GError    **error)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  g_autofree char *fixed = NULL;

  if (!ov_json_check_depth (text, n, error))
    return FALSE;
  fixed = replace_unreadable_escapes (text, n);
  if (!json_parser_load_from_data (parser, fixed != NULL ? fixed : text, n, error))
    {
      explain_parse_error (text, n, NULL, error);
      return FALSE;
    }
  return check_root (parser, error);
}

gboolean
ov_json_load_file (JsonParser *parser,
                   const char *path,
                   GError    **error)
{
  g_autoptr(GMappedFile) map = NULL;

  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return FALSE;
  map = g_mapped_file_new (path, FALSE, error);
  if (map == NULL)
    return FALSE;
  /* An empty file maps to NULL contents; json-glib reports it as empty. */
  if (g_mapped_file_get_length (map) > 0
      && !ov_json_check_depth (g_mapped_file_get_contents (map),
                               (gssize) g_mapped_file_get_length (map), error))
    return FALSE;
  if (g_mapped_file_get_length (map) > 0)
    {
      g_autofree char *fixed = replace_unreadable_escapes (g_mapped_file_get_contents (map),
                                                           g_mapped_file_get_length (map));

      if (fixed != NULL)
        {
          if (!json_parser_load_from_data (parser, fixed, g_mapped_file_get_length (map),
                                           error))
            {
              explain_parse_error (fixed, (gssize) g_mapped_file_get_length (map), path,
                                   error);
              return FALSE;
            }
          return check_root (parser, error);
        }
    }
  if (!json_parser_load_from_mapped_file (parser, path, error))
    {
      explain_parse_error (g_mapped_file_get_contents (map),
                           (gssize) g_mapped_file_get_length (map), path, error);
      return FALSE;
    }
  return check_root (parser, error);
}

const char *
ov_json_get_string (JsonObject *o,
                    const char *key,
                    const char *def)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return def;
  return json_node_get_string (n);
}

static gint64
node_int (JsonNode *n,
          gint64    def)
{
  double d;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return def;
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return json_node_get_int (n);
  if (json_node_get_value_type (n) != G_TYPE_DOUBLE)
    return def;
  d = json_node_get_double (n);
  /* the cast is defined only inside the range */
  return d == floor (d) && d >= -9.2e18 && d <= 9.2e18 ? (gint64) d : def;
}

gint64
ov_json_get_int (JsonObject *o,
                 const char *key,
                 gint64      def)
{
  return node_int (json_object_get_member (o, key), def);
}

JsonArray *
ov_json_get_array (JsonObject *o,
                   const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

JsonObject *
ov_json_get_object (JsonObject *o,
                    const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

gint64
ov_json_array_get_int (JsonArray *a,
                       guint      i,
                       gint64     def)
{
  if (i >= json_array_get_length (a))
    return def;
  return node_int (json_array_get_element (a, i), def);
}
