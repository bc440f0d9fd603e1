/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Export: any view painted through its OvPaintFunc onto a PNG (at a chosen
 * scale), SVG or PDF surface, and the numbers behind a view as CSV or JSON.
 * Every file is written to a temporary file and renamed into place.
 */
#pragma once

#include <cairo.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Lays out for (width, height) in points and paints. */
typedef void (*OvPaintFunc) (cairo_t *cr,
                             double   width,
                             double   height,
                             gpointer data);

typedef enum {
  OV_EXPORT_PNG,
  OV_EXPORT_SVG,
  OV_EXPORT_PDF,
} OvExportFormat;

/* The largest side of a PNG in pixels (cairo's limit). */
#define OV_EXPORT_MAX_PNG_SIDE 32767

/* From the file name's extension (.png, .svg, .pdf, any case). */
gboolean  ov_export_format_from_path (const char     *path,
                                      OvExportFormat *format,
                                      GError        **error);

/* A paper's column and its full text width, in points (3.3 and 7 inches):
 * the widths the window's export offers beside the figure's own. */
#define OV_EXPORT_COLUMN_WIDTH 237.6
#define OV_EXPORT_TEXT_WIDTH 504.0

/* The size to draw at: the figure's own (width x height in, points) where
 * neither given_width nor given_height is given (0); both where both are;
 * one given, the other follows the figure's own proportions, so that a
 * column's width alone gives a column-wide figure of the usual shape. */
void      ov_export_fit_size         (double          given_width,
                                      double          given_height,
                                      double         *width,
                                      double         *height);

/* width x height in points; scale multiplies the PNG's pixel size (1 = one
 * pixel per point) and is ignored for the vector formats. The background is
 * painted white. SVG text is written as <text> elements, PDF text as text
 * with its font embedded, so both stay searchable. */
gboolean  ov_export_view             (const char     *path,
                                      OvExportFormat  format,
                                      OvPaintFunc     paint,
                                      gpointer        data,
                                      double          width,
                                      double          height,
                                      double          scale,
                                      GError        **error);

/* The same into memory: the file's bytes. */
/* Every later export draws the figure of a page factor times smaller and
 * enlarges it to the page: text, lines and markers factor times as large,
 * as a figure scaled up in a document would be, with the room for labels
 * of the smaller page. The window leaves it at 1. */
void      ov_export_set_magnification (double factor);

GBytes   *ov_export_view_to_bytes    (OvExportFormat  format,
                                      OvPaintFunc     paint,
                                      gpointer        data,
                                      double          width,
                                      double          height,
                                      double          scale,
                                      GError        **error);

/* A table built row by row, written as CSV (RFC 4180 quoting, rows ending
 * in a line feed as the t-SNE tables do) or JSON. */
typedef struct _OvCsv OvCsv;

OvCsv    *ov_csv_new                 (void);
void      ov_csv_free                (OvCsv          *csv);
void      ov_csv_add_text            (OvCsv          *csv,
                                      const char     *text);
void      ov_csv_add_number          (OvCsv          *csv,
                                      double          value);   /* %.9g; NaN as empty */
void      ov_csv_add_int             (OvCsv          *csv,
                                      gint64          value);
void      ov_csv_end_row             (OvCsv          *csv);
const char *ov_csv_get_text          (OvCsv          *csv);
gboolean  ov_csv_write               (OvCsv          *csv,
                                      const char     *path,
                                      GError        **error);
/* The table as a JSON array of objects keyed by the first row's texts;
 * numbers stay numbers, NaN becomes null. */
JsonNode *ov_csv_to_json             (OvCsv          *csv);

/* Pretty-printed JSON. */
gboolean  ov_export_json             (JsonNode       *root,
                                      const char     *path,
                                      GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCsv, ov_csv_free)

G_END_DECLS
