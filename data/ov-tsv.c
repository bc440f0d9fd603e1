/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Row offsets of a TSV file, from its .lineidx or one chunked scan, and
 * pread-based access to rows, keys and key lookups.
 */
#define G_LOG_DOMAIN "ov-tsv"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "model/ov-json.h"
#include "ov-tsv.h"
#include "model/ov-files.h"

#define SCAN_CHUNK      (4u << 20)
#define PROGRESS_CHUNK  (4u << 20)
#define MAX_ROW_BYTES   ((guint64) 1 << 31)   /* 2 GiB in one row is not a real row */

struct _OvTsv {
  char       *path;
  int         fd;
  guint64     size;
  guint       n_rows;
  guint64    *offsets;      /* (n_rows + 1): start of each row, then the file size */
  gboolean    from_lineidx;
  GHashTable *key_index;    /* key -> row + 1; NULL until first needed */
  GHashTable *json_index;   /* imageid2idx.json, key -> row + 1 */
  gboolean    json_tried;
};

void
ov_tsv_free (OvTsv *tsv)
{
  if (tsv == NULL)
    return;
  if (tsv->fd >= 0)
    close (tsv->fd);
  g_free (tsv->path);
  g_free (tsv->offsets);
  g_clear_pointer (&tsv->key_index, g_hash_table_unref);
  g_clear_pointer (&tsv->json_index, g_hash_table_unref);
  g_free (tsv);
}

const char *
ov_tsv_get_path (OvTsv *tsv)
{
  return tsv->path;
}

guint
ov_tsv_get_n_rows (OvTsv *tsv)
{
  return tsv->n_rows;
}

guint64
ov_tsv_get_size (OvTsv *tsv)
{
  return tsv->size;
}

gboolean
ov_tsv_has_lineidx (OvTsv *tsv)
{
  return tsv->from_lineidx;
}

char *
ov_tsv_lineidx_path (const char *tsv_path)
{
  if (g_str_has_suffix (tsv_path, ".tsv"))
    return g_strdup_printf ("%.*s.lineidx", (int) strlen (tsv_path) - 4, tsv_path);
  return g_strconcat (tsv_path, ".lineidx", NULL);
}

static gboolean
pread_all (OvTsv   *tsv,
           void    *buf,
           gsize    len,
           guint64  offset,
           GError **error)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = pread (tsv->fd, (char *) buf + done, len - done, offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: read failed at byte %" PRIu64 ": %s"),
                       tsv->path, offset + done, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                       _ ("%s: the file ends at byte %" PRIu64 " but a row should go on"),
                       tsv->path, offset + done);
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

static gboolean
load_lineidx (OvTsv      *tsv,
              const char *idx_path,
              GError    **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GArray) offs = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GError) local = NULL;
  gsize len;
  char *p, *end;
  guint line = 1;

  ov_files_note_read (idx_path);
  if (!ov_files_check_regular (idx_path, error))
    return FALSE;
  if (!g_file_get_contents (idx_path, &text, &len, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  p = text;
  end = text + len;
  while (p < end)
    {
      char *eol = memchr (p, '\n', end - p);
      char *num_end;
      guint64 v;

      if (eol == NULL)
        eol = end;
      if (eol > p && eol[-1] == '\r')
        eol[-1] = ' ';
      if (eol == p || (eol == p + 1 && *p == ' '))
        {
          p = eol + 1;
          line++;
          continue;
        }
      errno = 0;
      v = g_ascii_strtoull (p, &num_end, 10);
      while (num_end < eol && *num_end == ' ')
        num_end++;
      if (num_end != eol || errno != 0 || !g_ascii_isdigit (*p))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: line %u is not a byte offset"), idx_path, line);
          return FALSE;
        }
      if (v >= tsv->size || (offs->len > 0 && v <= g_array_index (offs, guint64, offs->len - 1)))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: offset %" PRIu64 " on line %u does not fit %s (%"
                          PRIu64 " bytes, offsets must increase); regenerate the "
                          ".lineidx"), idx_path, v, line, tsv->path, tsv->size);
          return FALSE;
        }
      g_array_append_val (offs, v);
      p = eol + 1;
      line++;
    }
  /* The first row starts at byte 0: a .lineidx without it (an empty one
   * left by an interrupted write, or one of another file) would hide rows. */
  if (offs->len == 0 && tsv->size > 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s lists no rows, but %s holds %" PRIu64 " bytes; regenerate the "
                      ".lineidx"), idx_path, tsv->path, tsv->size);
      return FALSE;
    }
  if (offs->len > 0 && g_array_index (offs, guint64, 0) != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: the first offset is %" PRIu64 ", but the first row of %s starts at "
                      "0; regenerate the .lineidx"), idx_path, g_array_index (offs, guint64, 0),
                   tsv->path);
      return FALSE;
    }
  tsv->n_rows = offs->len;
  g_array_append_val (offs, tsv->size);
  tsv->offsets = (guint64 *) g_array_free (g_steal_pointer (&offs), FALSE);
  tsv->from_lineidx = TRUE;
  return TRUE;
}

static gboolean
scan_offsets (OvTsv        *tsv,
              GCancellable *cancellable,
              GError      **error)
{
  g_autoptr(GArray) offs = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree char *buf = g_malloc (SCAN_CHUNK);
  guint64 pos = 0, zero = 0;

  if (tsv->size > 0)
    g_array_append_val (offs, zero);
  while (pos < tsv->size)
    {
      gsize n = MIN ((guint64) SCAN_CHUNK, tsv->size - pos);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!pread_all (tsv, buf, n, pos, error))
        return FALSE;
      for (char *p = buf, *e = buf + n; (p = memchr (p, '\n', e - p)) != NULL; p++)
        {
          guint64 next = pos + (p - buf) + 1;

          if (next < tsv->size)
            g_array_append_val (offs, next);
        }
      pos += n;
    }
  tsv->n_rows = offs->len;
  g_array_append_val (offs, tsv->size);
  tsv->offsets = (guint64 *) g_array_free (g_steal_pointer (&offs), FALSE);
  return TRUE;
}

OvTsv *
ov_tsv_open (const char   *path,
             GCancellable *cancellable,
             GError      **error)
{
  g_autoptr(OvTsv) tsv = g_new0 (OvTsv, 1);
  g_autofree char *idx_path = NULL;
  struct stat st;

  g_return_val_if_fail (path != NULL, NULL);

  tsv->path = g_strdup (path);
  tsv->fd = -1;
  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  tsv->fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (tsv->fd < 0)
    {
      int saved = errno;

      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("cannot open %s: %s"), path,
                   g_strerror (saved));
      return NULL;
    }
  if (fstat (tsv->fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s is not a regular file"), path);
      return NULL;
    }
  tsv->size = st.st_size;

  idx_path = ov_tsv_lineidx_path (path);
  if (g_file_test (idx_path, G_FILE_TEST_IS_REGULAR))
    {
      if (!load_lineidx (tsv, idx_path, error))
        return NULL;
    }
  else if (!scan_offsets (tsv, cancellable, error))
    return NULL;
  return g_steal_pointer (&tsv);
}

static gboolean
check_row (OvTsv   *tsv,
           guint    row,
           GError **error)
{
  if (row >= tsv->n_rows)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s has %u rows; there is no row %u"),
                   tsv->path, tsv->n_rows, row);
      return FALSE;
    }
  if (tsv->offsets[row + 1] - tsv->offsets[row] > MAX_ROW_BYTES)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: row %u is over 2 GiB long"),
                   tsv->path, row);
      return FALSE;
    }
  return TRUE;
}

/* Drops the line end; a newline inside means the .lineidx is stale. */
static gboolean
finish_row (OvTsv   *tsv,
            guint    row,
            char    *buf,
            gsize   *len,
            gboolean is_prefix,
            GError **error)
{
  char *nl;
  gboolean stale = FALSE;

  /* With offsets from a .lineidx, a row must start after a newline and end
   * with one (the last row may end at the end of the file). */
  if (tsv->offsets[row] > 0)
    {
      char before = 0;

      if (!pread_all (tsv, &before, 1, tsv->offsets[row] - 1, error))
        return FALSE;
      stale |= before != '\n';
    }
  if (!is_prefix && *len > 0 && buf[*len - 1] == '\n')
    (*len)--;
  else if (!is_prefix && row + 1 < tsv->n_rows)
    stale = TRUE;
  nl = memchr (buf, '\n', *len);
  if (nl != NULL || stale)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: row %u does not start and end at line breaks; the .lineidx does "
                      "not match the file (regenerate it)"), tsv->path, row);
      return FALSE;
    }
  if (*len > 0 && buf[*len - 1] == '\r')
    (*len)--;
  buf[*len] = '\0';
  return TRUE;
}

char *
ov_tsv_read_row (OvTsv          *tsv,
                 guint           row,
                 OvProgressFunc  progress,
                 gpointer        progress_data,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_autofree char *buf = NULL;
  gsize len, done = 0;

  g_return_val_if_fail (tsv != NULL, NULL);

  if (!check_row (tsv, row, error))
    return NULL;
  len = tsv->offsets[row + 1] - tsv->offsets[row];
  buf = g_try_malloc (len + 1);
  if (buf == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: not enough memory for row %u (%zu bytes)"),
                   tsv->path, row, len);
      return NULL;
    }
  /* Large rows are read in pieces so a caller can show progress and cancel. */
  while (done < len)
    {
      gsize n = MIN (len - done, (gsize) PROGRESS_CHUNK);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!pread_all (tsv, buf + done, n, tsv->offsets[row] + done, error))
        return NULL;
      done += n;
      if (progress != NULL && len > PROGRESS_CHUNK)
        progress ((double) done / len, progress_data);
    }
  if (!finish_row (tsv, row, buf, &len, FALSE, error))
    return NULL;
  return g_steal_pointer (&buf);
}

char *
ov_tsv_read_row_prefix (OvTsv   *tsv,
                        guint    row,
                        gsize    max_bytes,
                        GError **error)
{
  g_autofree char *buf = NULL;
  gsize len;

  g_return_val_if_fail (tsv != NULL, NULL);

  if (!check_row (tsv, row, error))
    return NULL;
  len = tsv->offsets[row + 1] - tsv->offsets[row];
  if (len <= max_bytes)
    return ov_tsv_read_row (tsv, row, NULL, NULL, NULL, error);
  len = max_bytes;
  buf = g_malloc (len + 1);
  if (!pread_all (tsv, buf, len, tsv->offsets[row], error))
    return NULL;
  if (!finish_row (tsv, row, buf, &len, TRUE, error))
    return NULL;
  return g_steal_pointer (&buf);
}

char *
ov_tsv_read_key (OvTsv   *tsv,
                 guint    row,
                 GError **error)
{
  gsize len, want = 256;

  g_return_val_if_fail (tsv != NULL, NULL);

  if (!check_row (tsv, row, error))
    return NULL;
  len = tsv->offsets[row + 1] - tsv->offsets[row];
  for (;;)
    {
      g_autofree char *buf = NULL;
      gsize n = MIN (len, want);
      char *tab;

      buf = g_malloc (n + 1);
      if (!pread_all (tsv, buf, n, tsv->offsets[row], error))
        return NULL;
      buf[n] = '\0';
      tab = memchr (buf, '\t', n);
      if (tab == NULL)
        tab = memchr (buf, '\n', n);
      if (tab != NULL || n == len)
        {
          if (tab == NULL)
            tab = buf + n;
          if (tab > buf && tab[-1] == '\r')
            tab--;
          return g_strndup (buf, tab - buf);
        }
      want *= 4;
    }
}

/* imageid2idx.json beside the file: {"key": row, ...}. */
static GHashTable *
load_imageid2idx (OvTsv *tsv)
{
  g_autofree char *dir = g_path_get_dirname (tsv->path);
  g_autofree char *path = g_build_filename (dir, "imageid2idx.json", NULL);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  GHashTable *index;
  JsonObject *obj;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!ov_json_load_file (parser, path, &local)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_debug ("ignoring %s: %s", path, local ? local->message : "not an object");
      return NULL;
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &name, &value))
    {
      gint64 r;

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64)
        continue;
      r = json_node_get_int (value);
      if (r >= 0 && r < tsv->n_rows)
        g_hash_table_insert (index, g_strdup (name), GSIZE_TO_POINTER ((gsize) r + 1));
    }
  return index;
}

gint64
ov_tsv_find_key (OvTsv        *tsv,
                 const char   *key,
                 GCancellable *cancellable,
                 GError      **error)
{
  gpointer hit;

  g_return_val_if_fail (tsv != NULL && key != NULL, -1);

  if (!tsv->json_tried)
    {
      tsv->json_index = load_imageid2idx (tsv);
      tsv->json_tried = TRUE;
    }
  if (tsv->key_index == NULL)
    {
      if (tsv->json_index != NULL && (hit = g_hash_table_lookup (tsv->json_index, key)) != NULL)
        {
          guint row = GPOINTER_TO_SIZE (hit) - 1;
          g_autofree char *found = ov_tsv_read_key (tsv, row, NULL);

          /* A stale map would pair the key with another image: trust it only
           * when the row really starts with the key. */
          if (g_strcmp0 (found, key) == 0)
            return row;
        }

      tsv->key_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < tsv->n_rows; i++)
        {
          char *k;

          if (i % 1024 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              g_clear_pointer (&tsv->key_index, g_hash_table_unref);
              return -1;
            }
          k = ov_tsv_read_key (tsv, i, error);
          if (k == NULL)
            {
              g_clear_pointer (&tsv->key_index, g_hash_table_unref);
              return -1;
            }
          if (g_hash_table_contains (tsv->key_index, k))
            g_free (k); /* first occurrence wins, as in a linear search */
          else
            g_hash_table_insert (tsv->key_index, k, GSIZE_TO_POINTER ((gsize) i + 1));
        }
    }
  hit = g_hash_table_lookup (tsv->key_index, key);
  if (hit == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s has no row with key “%s”"),
                   tsv->path, key);
      return -1;
    }
  return GPOINTER_TO_SIZE (hit) - 1;
}

gboolean
ov_tsv_write_lineidx (const char *tsv_path,
                      GError    **error)
{
  g_autoptr(OvTsv) tsv = g_new0 (OvTsv, 1);
  g_autofree char *idx_path = ov_tsv_lineidx_path (tsv_path);
  g_autoptr(GString) out = g_string_new (NULL);
  struct stat st;

  tsv->path = g_strdup (tsv_path);
  tsv->fd = -1;
  ov_files_note_read (tsv_path);
  if (!ov_files_check_regular (tsv_path, error))
    return FALSE;
  tsv->fd = g_open (tsv_path, O_RDONLY | O_CLOEXEC, 0);
  if (tsv->fd < 0 || fstat (tsv->fd, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("cannot open %s: %s"), tsv_path,
                   g_strerror (saved));
      return FALSE;
    }
  tsv->size = st.st_size;
  if (!scan_offsets (tsv, NULL, error))
    return FALSE;
  for (guint i = 0; i < tsv->n_rows; i++)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT "\n", tsv->offsets[i]);
  return g_file_set_contents (idx_path, out->str, out->len, error);
}
