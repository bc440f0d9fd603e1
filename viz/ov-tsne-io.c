/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Input and output of the t-SNE command: .npy and CSV readers for the
 * vectors (every size checked against the bytes present before use),
 * safetensors through model/'s state-dict reader, a labels reader and the
 * CSV writer.
 */
#define G_LOG_DOMAIN "ov-tsne-io"

#include "config.h"

#include "ov-tsne-io.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "model/ov-state-dict.h"
#include "model/ov-files.h"

#define MAX_ELEMENTS ((gsize) 1 << 32)

/* Converts n little-endian elements of the given kind to float32. */
static float *
convert_to_f32 (const guint8 *src,
                gsize         n,
                char          kind,   /* 'f' float32, 'd' float64 */
                GError      **error)
{
  float *out = g_try_new (float, MAX (n, 1));

  if (out == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("cannot allocate %zu floats"), n);
      return NULL;
    }
  for (gsize i = 0; i < n; i++)
    {
      switch (kind)
        {
        case 'f':
          {
            guint32 b;

            memcpy (&b, src + 4 * i, 4);
            b = GUINT32_FROM_LE (b);
            memcpy (&out[i], &b, 4);
          }
          break;
        default:
          {
            guint64 b;
            double d;

            memcpy (&b, src + 8 * i, 8);
            b = GUINT64_FROM_LE (b);
            memcpy (&d, &b, 8);
            out[i] = (float) d;
          }
          break;
        }
    }
  return out;
}

static gboolean
check_shape (const char *path,
             gint64      rows,
             gint64      cols,
             GError    **error)
{
  if (rows <= 0 || cols <= 0 || (guint64) rows * (guint64) cols > MAX_ELEMENTS)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("%s: shape (%" PRId64 ", %" PRId64 ") is empty or too large"),
                   path, rows, cols);
      return FALSE;
    }
  return TRUE;
}

/* The value after a "'key':" in a .npy header. */
static const char *
skip_key (const char *at)
{
  at = strchr (at, ':') + 1;
  while (*at == ' ')
    at++;
  return at;
}

/* .npy: magic, version, header length, a Python dict literal, data. */
static float *
load_npy (const char   *path,
          const guint8 *buf,
          gsize         len,
          gsize        *n_out,
          gsize        *dim_out,
          GError      **error)
{
  gsize hlen, off;
  g_autofree char *header = NULL;
  const char *descr, *shape, *fortran;
  char kind;
  gint64 rows, cols;
  char *end;
  gsize esize;

  if (len < 10 || buf[6] < 1 || buf[6] > 3)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: unsupported .npy version"), path);
      return NULL;
    }
  if (buf[6] == 1)
    {
      hlen = buf[8] | (buf[9] << 8);
      off = 10;
    }
  else
    {
      if (len < 12)
        goto truncated;
      hlen = buf[8] | (buf[9] << 8) | ((gsize) buf[10] << 16) | ((gsize) buf[11] << 24);
      off = 12;
    }
  if (hlen > len - off)
    goto truncated;
  header = g_strndup ((const char *) buf + off, hlen);
  off += hlen;

  descr = strstr (header, "'descr':");
  shape = strstr (header, "'shape':");
  fortran = strstr (header, "'fortran_order':");
  if (descr == NULL || shape == NULL || fortran == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: .npy header lacks descr, shape "
                                                        "or fortran_order"), path);
      return NULL;
    }
  fortran = skip_key (fortran);
  descr = skip_key (descr);
  if (strncmp (fortran, "False", 5) != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: Fortran-ordered .npy arrays are not supported"), path);
      return NULL;
    }
  if (strncmp (descr, "'<f4'", 5) == 0)
    kind = 'f';
  else if (strncmp (descr, "'<f8'", 5) == 0)
    kind = 'd';
  else
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: .npy dtype must be little-endian float32 or float64"), path);
      return NULL;
    }
  shape = strchr (shape, '(');
  if (shape == NULL)
    goto bad_shape;
  rows = g_ascii_strtoll (shape + 1, &end, 10);
  if (end == shape + 1)
    goto bad_shape;
  while (*end == ' ')
    end++;
  if (*end != ',')
    goto bad_shape;
  end++;
  while (*end == ' ')
    end++;
  {
    const char *c0 = end;

    cols = g_ascii_strtoll (c0, &end, 10);
    if (end == c0)
      goto bad_shape;
  }
  while (*end == ' ')
    end++;
  if (*end == ',')
    end++;
  while (*end == ' ')
    end++;
  if (*end != ')')
    goto bad_shape;
  if (!check_shape (path, rows, cols, error))
    return NULL;
  esize = kind == 'f' ? 4 : 8;
  if ((gsize) rows * cols * esize > len - off)
    goto truncated;
  *n_out = rows;
  *dim_out = cols;
  return convert_to_f32 (buf + off, (gsize) rows * cols, kind, error);

bad_shape:
  g_set_error (error, OV_ERROR, OV_ERROR_SHAPE, _ ("%s: .npy array must be 2-D (n, dim)"), path);
  return NULL;
truncated:
  g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED, _ ("%s: .npy file ends before its data"),
               path);
  return NULL;
}

/* safetensors through the project's state-dict reader: a float tensor
 * `vectors` (n, dim) and optionally an integer tensor `labels` (n). */
static float *
load_safetensors (const char    *path,
                  gsize         *n_out,
                  gsize         *dim_out,
                  OvTsneLabels **labels_out,
                  GError       **error)
{
  g_autoptr (OvStateDict) sd = ov_state_dict_load (path, error);
  const OvTensor *t, *lt;
  g_autofree float *owned = NULL;
  const float *data;
  gsize n;

  if (sd == NULL)
    return NULL;
  t = ov_state_dict_lookup (sd, "vectors");
  if (t == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: no tensor named “vectors”"), path);
      return NULL;
    }
  if (t->dtype != OV_DTYPE_F32 && t->dtype != OV_DTYPE_F64 && t->dtype != OV_DTYPE_F16
      && t->dtype != OV_DTYPE_BF16)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: tensor “vectors” has dtype %s; expected a float type"), path,
                   ov_dtype_name (t->dtype));
      return NULL;
    }
  if (t->n_dims != 2 || !check_shape (path, t->shape[0], t->shape[1], error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                     _ ("%s: tensor “vectors” must be 2-D (n, dim)"), path);
      return NULL;
    }
  n = (gsize) t->shape[0];

  lt = ov_state_dict_lookup (sd, "labels");
  if (lt != NULL && labels_out != NULL)
    {
      g_autofree float *lowned = NULL;
      const float *lv;
      GPtrArray *lines;

      if ((lt->dtype != OV_DTYPE_I64 && lt->dtype != OV_DTYPE_I32) || lt->n_dims != 1
          || (gsize) lt->shape[0] != n)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                       _ ("%s: tensor “labels” must hold %zu integers"), path, n);
          return NULL;
        }
      lv = ov_tensor_as_f32 (lt, &lowned);
      if (lv == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: out of memory"), path);
          return NULL;
        }
      lines = g_ptr_array_new_with_free_func (g_free);
      for (gsize i = 0; i < n; i++)
        g_ptr_array_add (lines, g_strdup_printf ("%.0f", lv[i]));
      *labels_out = ov_tsne_labels_from_strings ((char **) lines->pdata, n);
      g_ptr_array_free (lines, TRUE);
    }

  data = ov_tensor_as_f32 (t, &owned);
  if (data == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: out of memory"), path);
      return NULL;
    }
  *n_out = n;
  *dim_out = (gsize) t->shape[1];
  if (owned != NULL)
    return g_steal_pointer (&owned);
  return g_memdup2 (data, sizeof (float) * n * (gsize) t->shape[1]);
}

static float *
load_csv (const char  *path,
          const char  *text,
          gsize        len,
          gsize       *n_out,
          gsize       *dim_out,
          GError     **error)
{
  GArray *vals = g_array_new (FALSE, FALSE, sizeof (float));
  gsize rows = 0, cols = 0, line_no = 0;
  const char *p = text, *endp = text + len;
  gboolean had_header = FALSE;

  /* A byte order mark made the first row look like a header, and dropped it. */
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    p += 3;

  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: not a .npy, safetensors or CSV text file"), path);
      g_array_free (vals, TRUE);
      return NULL;
    }
  while (p < endp)
    {
      const char *eol = memchr (p, '\n', endp - p);
      g_autofree char *line = g_strndup (p, (eol != NULL ? eol : endp) - p);
      gsize c = 0;
      char *s = g_strstrip (line);
      gboolean header = FALSE;

      line_no++;
      p = eol != NULL ? eol + 1 : endp;
      if (*s == '\0' || *s == '#')
        continue;
      while (*s != '\0')
        {
          char *e;
          double v = g_ascii_strtod (s, &e);

          if (e == s)
            {
              /* one header line, before the numbers */
              if (rows == 0 && c == 0 && !had_header)
                header = had_header = TRUE;
              else
                {
                  /* the field alone, not the rest of the line */
                  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                               _ ("%s:%zu: not a number: “%.*s”"), path, line_no,
                               (int) MIN (strcspn (s, ", \t;\r\n"), 40), s);
                  g_array_free (vals, TRUE);
                  return NULL;
                }
              break;
            }
          /* finite, and finite as a float too (1e300 is not) */
          if (!isfinite (v) || !isfinite ((float) v))
            {
              g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                           _ ("%s:%zu: value is not finite in single precision"),
                           path, line_no);
              g_array_free (vals, TRUE);
              return NULL;
            }
          {
            float f = (float) v;

            g_array_append_val (vals, f);
          }
          c++;
          s = e;
          while (*s == ' ' || *s == '\t')
            s++;
          if (*s == ',' || *s == ';')
            s++;
          while (*s == ' ' || *s == '\t')
            s++;
        }
      if (header)
        {
          if (line_no > 1 && rows == 0 && vals->len > 0)
            g_array_set_size (vals, 0);
          continue;
        }
      if (rows == 0)
        cols = c;
      else if (c != cols)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                       _ ("%s:%zu: %zu values, expected %zu"), path, line_no, c, cols);
          g_array_free (vals, TRUE);
          return NULL;
        }
      rows++;
    }
  if (rows == 0 || cols == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: no numeric rows"), path);
      g_array_free (vals, TRUE);
      return NULL;
    }
  *n_out = rows;
  *dim_out = cols;
  return (float *) g_array_free (vals, FALSE);
}

float *
ov_tsne_load_vectors (const char    *path,
                      gsize         *n_out,
                      gsize         *dim_out,
                      OvTsneLabels **labels_out,
                      GError       **error)
{
  g_autoptr (GMappedFile) map = NULL;
  const guint8 *buf;
  gsize len;
  GError *local = NULL;
  float *x;

  g_return_val_if_fail (path != NULL && n_out != NULL && dim_out != NULL, NULL);

  if (labels_out != NULL)
    *labels_out = NULL;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO,
                   _ ("%s is a folder; give a file of vectors (.npy, CSV or safetensors, such "
                      "as oscarviz embed writes)"), path);
      return NULL;
    }
  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  map = g_mapped_file_new (path, FALSE, &local);
  if (map == NULL && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: no such file"), path);
      g_error_free (local);
      return NULL;
    }
  if (map == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s: %s", path, local->message);
      g_error_free (local);
      return NULL;
    }
  buf = (const guint8 *) g_mapped_file_get_contents (map);
  len = g_mapped_file_get_length (map);
  if (len == 0 || buf == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: empty file"), path);
      return NULL;
    }
  if (len >= 6 && memcmp (buf, "\x93NUMPY", 6) == 0)
    x = load_npy (path, buf, len, n_out, dim_out, error);
  /* safetensors: a little-endian header length, then a JSON object */
  else if (len >= 9 && buf[8] == '{')
    x = load_safetensors (path, n_out, dim_out, labels_out, error);
  else
    return load_csv (path, (const char *) buf, len, n_out, dim_out, error);   /* checks its own */
  if (x == NULL)
    return NULL;
  /* a NaN or an infinity would spread through every distance of t-SNE */
  for (gsize i = 0; i < *n_out * *dim_out; i++)
    if (!isfinite (x[i]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     _ ("%s: vector %zu has a value that is not finite (%g at column %zu)"),
                     path, i / *dim_out, (double) x[i], i % *dim_out);
        g_free (x);
        if (labels_out != NULL)
          g_clear_pointer (labels_out, ov_tsne_labels_free);
        return NULL;
      }
  return x;
}

OvTsneLabels *
ov_tsne_labels_from_strings (char **lines,
                             gsize  n)
{
  OvTsneLabels *labels = g_new0 (OvTsneLabels, 1);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *names = g_ptr_array_new ();

  labels->n = n;
  labels->ids = g_new (guint, n);
  for (gsize i = 0; i < n; i++)
    {
      char *name = g_strstrip (g_strdup (lines[i]));
      gpointer id;

      if (g_hash_table_lookup_extended (seen, name, NULL, &id))
        {
          labels->ids[i] = GPOINTER_TO_UINT (id);
          g_free (name);
        }
      else
        {
          labels->ids[i] = names->len;
          g_hash_table_insert (seen, name, GUINT_TO_POINTER (names->len));
          g_ptr_array_add (names, name);
        }
    }
  labels->n_names = names->len;
  g_ptr_array_add (names, NULL);
  labels->names = (char **) g_ptr_array_free (names, FALSE);
  return labels;
}

OvTsneLabels *
ov_tsne_load_labels (const char *path,
                     gsize       n,
                     GError    **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  gsize len;
  guint nl;
  GError *local = NULL;

  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: no such file"), path);
      else
        g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s: %s", path, local->message);
      g_error_free (local);
      return NULL;
    }
  if (!g_utf8_validate (text, len, NULL))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: labels are not UTF-8 text"), path);
      return NULL;
    }
  /* A byte order mark is no part of the first label (it made a class of its own). */
  lines = g_strsplit (g_str_has_prefix (text, "\xef\xbb\xbf") ? text + 3 : text, "\n", -1);
  nl = g_strv_length (lines);
  while (nl > 0 && g_strstrip (lines[nl - 1])[0] == '\0')
    nl--;
  if (nl != n)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("%s: %u labels for %zu vectors (one label per line)"),
                   path, nl, n);
      return NULL;
    }
  return ov_tsne_labels_from_strings (lines, n);
}

void
ov_tsne_labels_free (OvTsneLabels *labels)
{
  if (labels == NULL)
    return;
  g_free (labels->ids);
  g_strfreev (labels->names);
  g_free (labels);
}

/* value as a CSV field: quoted when it would break the row */
static void
append_csv_field (GString    *s,
                  const char *value)
{
  g_string_append_c (s, ',');
  if (value == NULL)
    return;
  if (strpbrk (value, ",\"\n\r") != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (value, "\"", -1);
      g_autofree char *esc = g_strjoinv ("\"\"", parts);

      g_string_append_printf (s, "\"%s\"", esc);
    }
  else
    g_string_append (s, value);
}

gboolean
ov_tsne_save_csv (const char            *path,
                  const float           *Y,
                  gsize                  n,
                  const OvTsneLabels    *labels,
                  const OvTsneCsvColumn *columns,
                  guint                  n_columns,
                  GError               **error)
{
  GString *s = g_string_sized_new (n * (24 + 16 * n_columns) + 16);
  gboolean ok;

  g_string_append (s, labels != NULL ? "x,y,label" : "x,y");
  for (guint c = 0; c < n_columns; c++)
    append_csv_field (s, columns[c].name);
  g_string_append_c (s, '\n');
  for (gsize i = 0; i < n; i++)
    {
      char bx[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (bx, sizeof bx, "%.7g", Y[2 * i]);
      g_ascii_formatd (by, sizeof by, "%.7g", Y[2 * i + 1]);
      g_string_append_printf (s, "%s,%s", bx, by);
      if (labels != NULL)
        append_csv_field (s, labels->names[labels->ids[i]]);
      for (guint c = 0; c < n_columns; c++)
        append_csv_field (s, columns[c].values[i]);
      g_string_append_c (s, '\n');
    }
  ok = ov_files_set_contents (path, s->str, s->len, error);
  g_string_free (s, TRUE);
  return ok;
}
