/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The small t-SNE scatter plot: points coloured by label, a legend on the
 * right, exported through a temporary file and a rename.
 */
#define G_LOG_DOMAIN "ov-tsne-plot"

#include "config.h"

#include "ov-tsne-plot.h"

#include <math.h>
#include <string.h>

#include "model/ov-error.h"
#include "ov-draw.h"
#include "ov-export.h"
#include "ov-viz.h"

#define PLOT_WIDTH 900.0
#define PLOT_HEIGHT 700.0
#define LEGEND_MAX 30

void
ov_tsne_plot_draw (cairo_t            *cr,
                   double              width,
                   double              height,
                   const float        *Y,
                   gsize               n,
                   const guint        *label_ids,
                   const char * const *label_names,
                   guint               n_labels)
{
  gboolean legend = label_ids != NULL && label_names != NULL && n_labels > 0;
  double legend_w = legend ? MIN (220.0, width * 0.3) : 0.0;
  double margin = 20.0, pw, ph, xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY;
  double ymax = -INFINITY, sx, scale, radius;

  g_return_if_fail (cr != NULL && (Y != NULL || n == 0));

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  for (gsize i = 0; i < n; i++)
    {
      xmin = MIN (xmin, Y[2 * i]);
      xmax = MAX (xmax, Y[2 * i]);
      ymin = MIN (ymin, Y[2 * i + 1]);
      ymax = MAX (ymax, Y[2 * i + 1]);
    }
  pw = width - legend_w - 2 * margin;
  ph = height - 2 * margin;
  if (n > 0 && pw > 0 && ph > 0)
    {
      double span = MAX (MAX (xmax - xmin, ymax - ymin), 1e-12);

      /* Same scale on both axes; the map keeps its aspect. */
      scale = MIN (pw, ph) / span;
      sx = margin + 0.5 * (pw - (xmax - xmin) * scale);
      radius = CLAMP (300.0 / sqrt ((double) n), 0.6, 4.0);
      for (gsize i = 0; i < n; i++)
        {
          guint c = label_ids != NULL ? label_ids[i] : 0;
          /* A named label has its class's colour, as in the window and
           * the other figures. */
          OvColor col = legend && c < n_labels ? ov_class_color (label_names[c])
                                               : ov_viz_class_color (c);
          double px = sx + (Y[2 * i] - xmin) * scale;
          /* y grows upwards in the map, downwards on the surface */
          double py = margin + 0.5 * (ph + (ymax - ymin) * scale) - (Y[2 * i + 1] - ymin) * scale;

          cairo_set_source_rgba (cr, col.r, col.g, col.b, 0.8);
          cairo_new_sub_path (cr);
          cairo_arc (cr, px, py, radius, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }

  if (legend)
    {
      double lx = width - legend_w + 6.0, ly = margin + 10.0;
      guint shown = MIN (n_labels, (guint) LEGEND_MAX);
      cairo_font_extents_t fe;

      cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                              CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, 12.0);
      cairo_font_extents (cr, &fe);
      for (guint c = 0; c < shown; c++)
        {
          OvColor col = ov_class_color (label_names[c]);

          cairo_set_source_rgb (cr, col.r, col.g, col.b);
          cairo_new_sub_path (cr);
          cairo_arc (cr, lx + 5, ly + c * 18.0 - 4, 5, 0, 2 * G_PI);
          cairo_fill (cr);
          cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
          /* through ov_draw_text, so that an SVG keeps the label as text */
          ov_draw_text (cr, lx + 16, ly + c * 18.0 - fe.ascent, 0.0, 0.0,
                        label_names[c] != NULL ? label_names[c] : "");
        }
      if (shown < n_labels)
        {
          g_autofree char *more = g_strdup_printf ("… %u more", n_labels - shown);

          ov_draw_text (cr, lx + 16, ly + shown * 18.0 - fe.ascent, 0.0, 0.0, more);
        }
    }
  cairo_restore (cr);
}

typedef struct {
  const float        *Y;
  gsize               n;
  const guint        *label_ids;
  const char * const *label_names;
  guint               n_labels;
} PlotData;

static void
paint_plot (cairo_t *cr,
            double   width,
            double   height,
            gpointer data)
{
  const PlotData *d = data;

  ov_tsne_plot_draw (cr, width, height, d->Y, d->n, d->label_ids, d->label_names, d->n_labels);
}

/* Through the common export, so that the file is written as every figure
 * of ours is (a temporary file and a rename) and SVG keeps its text. */
gboolean
ov_tsne_plot_write (const char         *path,
                    const float        *Y,
                    gsize               n,
                    const guint        *label_ids,
                    const char * const *label_names,
                    guint               n_labels,
                    GError            **error)
{
  PlotData data = { Y, n, label_ids, label_names, n_labels };
  OvExportFormat format;

  g_return_val_if_fail (path != NULL, FALSE);

  return ov_export_format_from_path (path, &format, error)
         && ov_export_view (path, format, paint_plot, &data, PLOT_WIDTH, PLOT_HEIGHT, 1.0,
                            error);
}
