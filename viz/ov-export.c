/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Export through cairo's PNG, SVG and PDF surfaces into memory, then one
 * write through a temporary file and a rename (ov_files_set_contents). Cairo 1.16's SVG surface
 * turns text into glyph outlines, so for SVG the text is captured by an
 * OvTextSink while painting and written as <text> elements on top.
 */
#define G_LOG_DOMAIN "ov-export"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "model/ov-error.h"
#include "model/ov-files.h"
#include "model/ov-i18n.h"
#include "ov-draw.h"
#include "ov-export.h"

gboolean
ov_export_format_from_path (const char *path, OvExportFormat *format, GError **error)
{
  const char *dot = path != NULL ? strrchr (path, '.') : NULL;

  if (dot != NULL && g_ascii_strcasecmp (dot, ".png") == 0)
    *format = OV_EXPORT_PNG;
  else if (dot != NULL && g_ascii_strcasecmp (dot, ".svg") == 0)
    *format = OV_EXPORT_SVG;
  else if (dot != NULL && g_ascii_strcasecmp (dot, ".pdf") == 0)
    *format = OV_EXPORT_PDF;
  else
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: unknown figure format; use a .png, .svg or .pdf name"),
                   path != NULL ? path : "(null)");
      return FALSE;
    }
  return TRUE;
}

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* ov_export_set_magnification's factor; 1 unless a command was told */
static double magnification = 1.0;

void
ov_export_set_magnification (double factor)
{
  g_return_if_fail (factor > 0 && isfinite (factor));

  magnification = factor;
}

static void
paint_page (cairo_surface_t *surface, double scale, OvPaintFunc paint, gpointer data,
            double width, double height)
{
  cairo_t *cr = cairo_create (surface);

  cairo_scale (cr, scale, scale);
  /* Exports keep the light ink, whatever the window shows. */
  ov_draw_use_ink (cr, OV_INK_BACKGROUND);
  cairo_paint (cr);
  /* magnified: the figure of a page that many times smaller, enlarged */
  cairo_scale (cr, magnification, magnification);
  paint (cr, width / magnification, height / magnification, data);
  cairo_destroy (cr);
}

/* Cairo writes no resolution into a PNG, and a page layout program then
 * guesses one (often 72 or 96 dpi) and places the figure at the wrong
 * size. A pHYs chunk right after IHDR (8-byte signature, 25-byte IHDR)
 * says scale pixels a point, so the figure keeps its size in points. */
static void
add_png_resolution (GByteArray *png,
                    double      scale)
{
  guint32 ppm = (guint32) lround (scale * 72.0 / 0.0254);
  guint8 chunk[21];
  guint32 crc;

  if (png->len < 33 || memcmp (png->data + 12, "IHDR", 4) != 0)
    return;
  chunk[0] = 0, chunk[1] = 0, chunk[2] = 0, chunk[3] = 9;
  memcpy (chunk + 4, "pHYs", 4);
  for (int k = 0; k < 2; k++)
    {
      chunk[8 + 4 * k] = ppm >> 24;
      chunk[9 + 4 * k] = ppm >> 16;
      chunk[10 + 4 * k] = ppm >> 8;
      chunk[11 + 4 * k] = ppm;
    }
  chunk[16] = 1;   /* the unit is the metre */
  crc = (guint32) crc32 (crc32 (0L, Z_NULL, 0), chunk + 4, 13);
  chunk[17] = crc >> 24;
  chunk[18] = crc >> 16;
  chunk[19] = crc >> 8;
  chunk[20] = crc;
  g_array_insert_vals ((GArray *) png, 33, chunk, sizeof chunk);
}

/* The PDF's creation date: cairo writes the time of the run, so that two
 * runs differ; with SOURCE_DATE_EPOCH (seconds since 1970, the
 * reproducible-builds convention) set, that time instead, and the same
 * input gives the same bytes. A value that is not a whole number of
 * seconds is passed over. */
static void
set_pdf_date (cairo_surface_t *surface)
{
  const char *epoch = g_getenv ("SOURCE_DATE_EPOCH");
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *text = NULL;
  guint64 seconds;

  if (epoch == NULL || *epoch == '\0'
      || !g_ascii_string_to_unsigned (epoch, 10, 0, G_MAXINT64, &seconds, NULL))
    return;
  when = g_date_time_new_from_unix_utc ((gint64) seconds);
  if (when == NULL)
    return;
  text = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, text);
}

GBytes *
ov_export_view_to_bytes (OvExportFormat format,
                         OvPaintFunc    paint,
                         gpointer       data,
                         double         width,
                         double         height,
                         double         scale,
                         GError       **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  cairo_surface_t *surface = NULL;
  g_autofree char *svg_text = NULL;
  cairo_status_t status;

  g_return_val_if_fail (paint != NULL, NULL);

  if (!(width >= 1 && height >= 1 && width <= 100000 && height <= 100000))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("a figure of %g x %g points cannot be exported"), width, height);
      return NULL;
    }
  if (format == OV_EXPORT_PNG
      && !(scale > 0 && width * scale <= OV_EXPORT_MAX_PNG_SIDE
           && height * scale <= OV_EXPORT_MAX_PNG_SIDE))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("a PNG of %g x %g pixels is beyond what can be written (%d at most)"),
                   width * scale, height * scale, OV_EXPORT_MAX_PNG_SIDE);
      return NULL;
    }

  switch (format)
    {
    case OV_EXPORT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width * scale),
                                            (int) ceil (height * scale));
      paint_page (surface, scale, paint, data, width, height);
      status = cairo_surface_write_to_png_stream (surface, append_bytes, bytes);
      if (status == CAIRO_STATUS_SUCCESS)
        add_png_resolution (bytes, scale);
      break;
    case OV_EXPORT_SVG:
      {
        OvTextSink *sink;

        surface = cairo_svg_surface_create_for_stream (append_bytes, bytes, width, height);
        cairo_svg_surface_restrict_to_version (surface, CAIRO_SVG_VERSION_1_1);
        sink = ov_text_sink_attach (surface);
        paint_page (surface, 1.0, paint, data, width, height);
        svg_text = ov_text_sink_to_svg (sink);
        ov_text_sink_detach (surface);
        cairo_surface_finish (surface);
        status = cairo_surface_status (surface);
        break;
      }
    case OV_EXPORT_PDF:
      surface = cairo_pdf_surface_create_for_stream (append_bytes, bytes, width, height);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "oscarviz");
      set_pdf_date (surface);
      paint_page (surface, 1.0, paint, data, width, height);
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
      break;
    default:
      g_return_val_if_reached (NULL);
    }
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FAILED, _ ("cairo could not draw the figure: %s"),
                   cairo_status_to_string (status));
      return NULL;
    }

  if (svg_text != NULL)
    {
      /* Put the text group just before the closing tag. */
      const char *close = g_strrstr_len ((const char *) bytes->data, bytes->len, "</svg>");
      gsize at;

      if (close == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FAILED, _ ("cairo wrote an SVG without </svg>"));
          return NULL;
        }
      at = close - (const char *) bytes->data;
      {
        g_autoptr(GByteArray) out = g_byte_array_sized_new (bytes->len + strlen (svg_text));

        g_byte_array_append (out, bytes->data, at);
        g_byte_array_append (out, (const guint8 *) svg_text, strlen (svg_text));
        g_byte_array_append (out, bytes->data + at, bytes->len - at);
        return g_byte_array_free_to_bytes (g_steal_pointer (&out));
      }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

void
ov_export_fit_size (double  given_width,
                    double  given_height,
                    double *width,
                    double *height)
{
  g_return_if_fail (width != NULL && height != NULL && *width > 0 && *height > 0);

  if (given_width > 0 && given_height > 0)
    {
      *width = given_width;
      *height = given_height;
    }
  else if (given_width > 0)
    {
      *height *= given_width / *width;
      *width = given_width;
    }
  else if (given_height > 0)
    {
      *width *= given_height / *height;
      *height = given_height;
    }
}

static gboolean
write_file (const char *path, const void *data, gsize len, GError **error)
{
  /* through a temporary file beside path and a rename */
  return ov_files_set_contents (path, data, len, error);
}

gboolean
ov_export_view (const char    *path,
                OvExportFormat format,
                OvPaintFunc    paint,
                gpointer       data,
                double         width,
                double         height,
                double         scale,
                GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const void *p;

  g_return_val_if_fail (path != NULL, FALSE);

  bytes = ov_export_view_to_bytes (format, paint, data, width, height, scale, error);
  if (bytes == NULL)
    {
      g_prefix_error (error, _ ("%s: "), path);
      return FALSE;
    }
  p = g_bytes_get_data (bytes, &len);
  return write_file (path, p, len, error);
}

/* CSV, and the same table as JSON. Cells are kept typed so the JSON gets
 * numbers as numbers. */

typedef enum {
  CELL_TEXT,
  CELL_NUMBER,
  CELL_INT,
} CellKind;

typedef struct {
  CellKind kind;
  char    *text;
  double   number;
  gint64   integer;
} Cell;

struct _OvCsv
{
  GPtrArray *rows;     /* GArray of Cell */
  GArray    *current;  /* the row being filled, or NULL */
  GString   *text;     /* CSV text, rebuilt on demand */
};

static void
cell_clear (gpointer data)
{
  g_free (((Cell *) data)->text);
}

OvCsv *
ov_csv_new (void)
{
  OvCsv *csv = g_new0 (OvCsv, 1);

  csv->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  csv->text = g_string_new (NULL);
  return csv;
}

void
ov_csv_free (OvCsv *csv)
{
  if (csv == NULL)
    return;
  g_ptr_array_unref (csv->rows);
  g_clear_pointer (&csv->current, g_array_unref);
  g_string_free (csv->text, TRUE);
  g_free (csv);
}

static void
add_cell (OvCsv *csv, Cell cell)
{
  if (csv->current == NULL)
    {
      csv->current = g_array_new (FALSE, TRUE, sizeof (Cell));
      g_array_set_clear_func (csv->current, cell_clear);
    }
  g_array_append_val (csv->current, cell);
}

void
ov_csv_add_text (OvCsv *csv, const char *text)
{
  add_cell (csv, (Cell) { CELL_TEXT, g_strdup (text != NULL ? text : ""), 0, 0 });
}

void
ov_csv_add_number (OvCsv *csv, double value)
{
  add_cell (csv, (Cell) { CELL_NUMBER, NULL, value, 0 });
}

void
ov_csv_add_int (OvCsv *csv, gint64 value)
{
  add_cell (csv, (Cell) { CELL_INT, NULL, 0, value });
}

void
ov_csv_end_row (OvCsv *csv)
{
  if (csv->current == NULL)
    {
      csv->current = g_array_new (FALSE, TRUE, sizeof (Cell));
      g_array_set_clear_func (csv->current, cell_clear);
    }
  g_ptr_array_add (csv->rows, g_steal_pointer (&csv->current));
}

static void
append_csv_text (GString *s, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (s, text);
      return;
    }
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

const char *
ov_csv_get_text (OvCsv *csv)
{
  g_string_truncate (csv->text, 0);
  for (guint r = 0; r < csv->rows->len; r++)
    {
      GArray *row = g_ptr_array_index (csv->rows, r);

      for (guint c = 0; c < row->len; c++)
        {
          const Cell *cell = &g_array_index (row, Cell, c);
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          if (c > 0)
            g_string_append_c (csv->text, ',');
          if (cell->kind == CELL_TEXT)
            append_csv_text (csv->text, cell->text);
          else if (cell->kind == CELL_INT)
            g_string_append_printf (csv->text, "%" G_GINT64_FORMAT, cell->integer);
          else if (!isnan (cell->number))
            g_string_append (csv->text, g_ascii_formatd (buf, sizeof buf, "%.9g",
                                                         cell->number));
        }
      g_string_append_c (csv->text, '\n');
    }
  return csv->text->str;
}

gboolean
ov_csv_write (OvCsv *csv, const char *path, GError **error)
{
  ov_csv_get_text (csv);
  return write_file (path, csv->text->str, csv->text->len, error);
}

JsonNode *
ov_csv_to_json (OvCsv *csv)
{
  JsonArray *array = json_array_new ();
  JsonNode *root = json_node_new (JSON_NODE_ARRAY);
  GArray *header = csv->rows->len > 0 ? g_ptr_array_index (csv->rows, 0) : NULL;

  for (guint r = 1; r < csv->rows->len; r++)
    {
      GArray *row = g_ptr_array_index (csv->rows, r);
      JsonObject *o = json_object_new ();

      for (guint c = 0; c < row->len; c++)
        {
          const Cell *cell = &g_array_index (row, Cell, c);
          const Cell *name = c < header->len ? &g_array_index (header, Cell, c) : NULL;
          g_autofree char *key = name != NULL && name->kind == CELL_TEXT
                                 ? g_strdup (name->text) : g_strdup_printf ("column%u", c);

          if (cell->kind == CELL_TEXT)
            json_object_set_string_member (o, key, cell->text);
          else if (cell->kind == CELL_INT)
            json_object_set_int_member (o, key, cell->integer);
          else if (!isfinite (cell->number))
            json_object_set_null_member (o, key);
          else
            json_object_set_double_member (o, key, cell->number);
        }
      json_array_add_object_element (array, o);
    }
  json_node_take_array (root, array);
  return root;
}

gboolean
ov_export_json (JsonNode *root, const char *path, GError **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  gsize len;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  /* a text file's last line ends in a newline, as a shell prompt after
   * the standard output also wants */
  text = g_realloc (text, len + 2);
  text[len++] = '\n';
  text[len] = '\0';
  return write_file (path, text, len, error);
}
