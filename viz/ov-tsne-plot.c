/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The small t-SNE scatter plot: points coloured by label, a legend on the
 * right, exported through a temporary file and a rename.
 */
#define G_LOG_DOMAIN "ov-tsne-plot"

#include "config.h"

#include "ov-tsne-plot.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "model/ov-error.h"
#include "ov-draw.h"
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

      cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                              CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, 12.0);
      for (guint c = 0; c < shown; c++)
        {
          OvColor col = ov_class_color (label_names[c]);

          cairo_set_source_rgb (cr, col.r, col.g, col.b);
          cairo_new_sub_path (cr);
          cairo_arc (cr, lx + 5, ly + c * 18.0 - 4, 5, 0, 2 * G_PI);
          cairo_fill (cr);
          cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
          cairo_move_to (cr, lx + 16, ly + c * 18.0);
          cairo_show_text (cr, label_names[c] != NULL ? label_names[c] : "");
        }
      if (shown < n_labels)
        {
          g_autofree char *more = g_strdup_printf ("… %u more", n_labels - shown);

          cairo_move_to (cr, lx + 16, ly + shown * 18.0);
          cairo_show_text (cr, more);
        }
    }
  cairo_restore (cr);
}

gboolean
ov_tsne_plot_write (const char         *path,
                    const float        *Y,
                    gsize               n,
                    const guint        *label_ids,
                    const char * const *label_names,
                    guint               n_labels,
                    GError            **error)
{
  g_autofree char *lower = NULL;
  g_autofree char *tmp = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean png;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  png = g_str_has_suffix (lower, ".png");
  if (!png && !g_str_has_suffix (lower, ".svg") && !g_str_has_suffix (lower, ".pdf"))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   "%s: unknown figure format (use .png, .svg or .pdf)", path);
      return FALSE;
    }

  tmp = g_strconcat (path, ".XXXXXX", NULL);
  /* 0644 less the umask, as any other figure of ours (g_mkstemp would give 0600) */
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int e = errno;

      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s: cannot create a temporary file: %s",
                   path, g_strerror (e));
      return FALSE;
    }
  close (fd);

  if (png)
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) PLOT_WIDTH,
                                          (int) PLOT_HEIGHT);
  else if (g_str_has_suffix (lower, ".svg"))
    surface = cairo_svg_surface_create (tmp, PLOT_WIDTH, PLOT_HEIGHT);
  else
    surface = cairo_pdf_surface_create (tmp, PLOT_WIDTH, PLOT_HEIGHT);

  cr = cairo_create (surface);
  ov_tsne_plot_draw (cr, PLOT_WIDTH, PLOT_HEIGHT, Y, n, label_ids, label_names, n_labels);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && png)
    status = cairo_surface_write_to_png (surface, tmp);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (tmp);
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s: cannot write the figure: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int e = errno;

      g_unlink (tmp);
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s: cannot rename the figure into place: %s",
                   path, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}
