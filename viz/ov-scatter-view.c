/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Scatter plot renderer. The data-to-view transform is fixed by layout and
 * shared by drawing, hover and selection.
 */
#define G_LOG_DOMAIN "ov-scatter-view"

#include <math.h>
#include <string.h>

#include "ov-scatter-view.h"

#include "model/ov-i18n.h"

/* Sizes at full scale, in points; a figure narrower than FULL_W (or
 * shorter than FULL_H) multiplies them by its shrink factor
 * (ov_draw_shrink). The width decides: it holds the plot, the legend's
 * columns and the title, while a short figure packs the legend's rows and
 * may list fewer classes. */
#define FULL_W 500.0
#define FULL_H 200.0
#define TITLE_H 24.0
#define TITLE_FONT 13.0
#define MARGIN 12.0
#define LEGEND_W 170.0
#define LEGEND_ROW 15.0
#define LEGEND_FONT 10.0
#define MARKER_R 3.5
/* The markers' outline, and the space between the outermost markers and
 * the frame. */
#define MARKER_LINE 0.6
#define MARKER_GAP 2.0
/* A legend with more classes than rows packs its rows at the text's line
 * height and takes further columns, this far apart, up to LEGEND_MAX_SHARE
 * of the width (more where the plot, square at most as tall as it is, would
 * leave the room unused). */
#define LEGEND_COL_GAP 8.0
#define LEGEND_MIN_COL 60.0
#define LEGEND_MAX_SHARE 0.6

struct _OvScatterView
{
  double     shown;         /* how much larger it is shown (set_shown_scale), 1 */
  guint      n, n_classes;
  float     *xy;            /* (n, 2) */
  guint     *classes;       /* (n) */
  guint8    *markers;       /* (n) */
  char     **class_names;   /* (n_classes) */
  guint     *class_counts;  /* (n_classes) */
  gboolean  *visible;       /* (n_classes) */
  gboolean  *selected;      /* (n) */
  OvPalette *palette, *own_palette;
  char      *title;
  gboolean   modality_key;  /* the legend says which marker is a tag, a region */
  OvScatterLegend legend_place;
  double     xmin, xmax, ymin, ymax;

  /* layout */
  double     width, height;
  double     shrink;        /* ov_draw_shrink of the size */
  double     margin;
  char     **title_lines;   /* the title fitted to the width */
  double     title_font;
  OvRect     plot;
  double     sx, sy;        /* data units -> pixels */
  double     marker_r;
  double     legend_x, legend_y, legend_w, legend_row, legend_font;
  double     legend_col_w;  /* a column's width, its gap to the next included */
  double     key_r;         /* the tag/region key's markers, sized as the text */
  double     key_y;         /* the middle of the tag key's row */
  double     region_key_x, region_key_y;  /* the square of the tag/region key */
  guint      legend_rows, legend_cols;
};

OvScatterView *
ov_scatter_view_new (const float       *xy,
                     guint              n,
                     const guint       *classes,
                     const char *const *class_names,
                     guint              n_classes,
                     const guint8      *markers,
                     OvPalette         *palette,
                     const char        *title)
{
  OvScatterView *v;

  g_return_val_if_fail (n == 0 || (xy != NULL && classes != NULL), NULL);

  v = g_new0 (OvScatterView, 1);
  v->shown = 1.0;
  v->n = n;
  v->n_classes = n_classes;
  v->xy = g_memdup2 (xy, sizeof (float) * 2 * MAX (n, 1));
  v->classes = g_new0 (guint, MAX (n, 1));
  v->markers = g_new0 (guint8, MAX (n, 1));
  v->selected = g_new0 (gboolean, MAX (n, 1));
  v->class_names = g_new0 (char *, n_classes + 1);
  v->class_counts = g_new0 (guint, MAX (n_classes, 1));
  v->visible = g_new (gboolean, MAX (n_classes, 1));
  v->visible[0] = TRUE;
  v->modality_key = markers != NULL;
  for (guint c = 0; c < n_classes; c++)
    {
      v->class_names[c] = g_strdup (class_names != NULL && class_names[c] ? class_names[c] : "?");
      v->visible[c] = TRUE;
    }
  /* Without a palette of the caller's, the classes of the map get
   * distinct colours. */
  if (palette == NULL)
    {
      palette = v->own_palette = ov_palette_new ();
      ov_palette_assign (palette, (const char *const *) v->class_names, n_classes);
    }
  v->palette = palette;

  v->xmin = v->ymin = G_MAXDOUBLE;
  v->xmax = v->ymax = -G_MAXDOUBLE;
  for (guint i = 0; i < n; i++)
    {
      v->classes[i] = classes[i] < n_classes ? classes[i] : 0;
      v->markers[i] = markers != NULL ? markers[i] : OV_MARKER_CIRCLE;
      if (classes[i] < n_classes)
        v->class_counts[classes[i]]++;
      if (!isfinite (xy[2 * i]) || !isfinite (xy[2 * i + 1]))
        continue;
      v->xmin = MIN (v->xmin, xy[2 * i]);
      v->xmax = MAX (v->xmax, xy[2 * i]);
      v->ymin = MIN (v->ymin, xy[2 * i + 1]);
      v->ymax = MAX (v->ymax, xy[2 * i + 1]);
    }
  if (v->xmin > v->xmax)
    v->xmin = v->ymin = 0, v->xmax = v->ymax = 1;
  if (v->xmax - v->xmin < 1e-12)
    v->xmin -= 0.5, v->xmax += 0.5;
  if (v->ymax - v->ymin < 1e-12)
    v->ymin -= 0.5, v->ymax += 0.5;
  v->title = g_strdup (title);
  return v;
}

void
ov_scatter_view_free (OvScatterView *view)
{
  if (view == NULL)
    return;
  g_free (view->xy);
  g_free (view->classes);
  g_free (view->markers);
  g_free (view->selected);
  g_strfreev (view->class_names);
  g_free (view->class_counts);
  g_free (view->visible);
  ov_palette_free (view->own_palette);
  g_free (view->title);
  g_strfreev (view->title_lines);
  g_free (view);
}

void
ov_scatter_view_set_class_visible (OvScatterView *view, guint cls, gboolean visible)
{
  g_return_if_fail (cls < view->n_classes);
  view->visible[cls] = !!visible;
}

gboolean
ov_scatter_view_get_class_visible (OvScatterView *view, guint cls)
{
  g_return_val_if_fail (cls < view->n_classes, FALSE);
  return view->visible[cls];
}

void
ov_scatter_view_set_selection (OvScatterView *view, const guint *indices, guint n)
{
  memset (view->selected, 0, sizeof (gboolean) * MAX (view->n, 1));
  for (guint k = 0; k < n; k++)
    if (indices[k] < view->n)
      view->selected[indices[k]] = TRUE;
}

/* How far a marker reaches from its centre: its radius (half a square's
 * side) and half its outline. */
static double
marker_reach (OvScatterView *view)
{
  return view->marker_r + MARKER_LINE / (2 * view->shown);
}

void
ov_scatter_view_get_plot_rect (OvScatterView *view,
                               OvRect        *rect,
                               double        *reach)
{
  g_return_if_fail (view != NULL);

  if (rect != NULL)
    *rect = view->plot;
  if (reach != NULL)
    *reach = marker_reach (view);
}

void
ov_scatter_view_set_shown_scale (OvScatterView *view, double scale)
{
  g_return_if_fail (view != NULL && scale > 0);
  view->shown = scale;
}

/* The widest legend label, swatch and space included. */
static double
legend_label_width (OvScatterView *view,
                    cairo_t       *cr,
                    double         swatch)
{
  double widest = 0;

  ov_draw_set_font (cr, view->legend_font, FALSE);
  for (guint c = 0; c < view->n_classes; c++)
    {
      char label[160];

      g_snprintf (label, sizeof label, "%s (%u)", view->class_names[c], view->class_counts[c]);
      widest = MAX (widest, ov_draw_text_width (cr, label));
    }
  return widest + swatch + 4 * view->shrink;
}

/* Where the tag/region key goes in a legend legend_w wide; the legend's
 * rows start under it, after an empty row unless they are packed. */
static void
layout_key (OvScatterView *view,
            cairo_t       *cr,
            gboolean       packed)
{
  double k = view->shrink, key_rows = 0;

  if (view->modality_key)
    {
      /* the region key right of the tag key, or under it when the column
       * is too narrow for both */
      ov_draw_set_font (cr, view->legend_font, FALSE);
      view->region_key_x = view->legend_x
                           + MAX (55 * k, 24 * k + ov_draw_text_width (cr, _ ("tag")));
      view->key_y = view->plot.y + 6 * k;
      view->region_key_y = view->key_y;
      key_rows = 2;
      if (view->region_key_x + 14 * k + ov_draw_text_width (cr, _ ("region"))
          > view->legend_x + view->legend_w)
        {
          view->region_key_x = view->legend_x;
          view->region_key_y += view->legend_row;
          key_rows = 3;
        }
      if (packed)
        key_rows--;
    }
  view->legend_y = view->plot.y + (key_rows > 0 ? key_rows * view->legend_row + 6 * k : 0.0);
  view->legend_rows = (guint) MAX (0.0, (view->height - view->legend_y - view->margin)
                                        / view->legend_row);
}

void
ov_scatter_view_set_legend (OvScatterView  *view,
                            OvScatterLegend place)
{
  g_return_if_fail (view != NULL);

  view->legend_place = place;
}

/* The legend in columns under the plot, as many as the width holds, its
 * rows at most 45 % of the height (the rest listed as "+ N more"); the tag
 * and region key is its first row. With no legend, none at all. Returns
 * the width the legend takes beside the plot: 0. */
static double
layout_legend_under (OvScatterView *view,
                     cairo_t       *cr,
                     double         title_h)
{
  double k = view->shrink, margin = view->margin, gap = LEGEND_COL_GAP * k;
  double avail_w = view->width - 2 * margin, swatch, col_w, legend_h, below;
  guint cols, key_rows = view->modality_key ? 1 : 0, rows_needed, rows_fit, rows;

  view->legend_x = margin;
  if (view->legend_place == OV_SCATTER_LEGEND_NONE
      || (view->n_classes == 0 && !view->modality_key))
    {
      view->legend_w = 0.0;
      view->legend_rows = view->legend_cols = 0;
      view->plot.height = MAX (10.0, view->height - title_h - 2 * margin);
      return 0.0;
    }
  view->legend_row = ov_draw_line_height (view->legend_font);
  swatch = MIN (10.0, view->legend_row - 4 * k);
  col_w = MIN (legend_label_width (view, cr, swatch), LEGEND_W * k - margin) + gap;
  cols = MAX (1, (guint) ((avail_w + gap) / col_w));
  rows_needed = view->n_classes > 0 ? (view->n_classes + cols - 1) / cols : 0;
  rows_fit = (guint) (0.45 * (view->height - title_h - 2 * margin) / view->legend_row);
  rows = MIN (rows_needed + key_rows, MAX (rows_fit, key_rows + 1));
  legend_h = rows * view->legend_row;
  below = 6 * k;
  view->plot.height = MAX (10.0, view->height - title_h - 2 * margin - legend_h - below);
  view->legend_cols = cols;
  view->legend_col_w = col_w;
  view->legend_w = MIN (avail_w, cols * col_w - gap);
  view->key_y = view->plot.y + view->plot.height + below + view->legend_row / 2;
  ov_draw_set_font (cr, view->legend_font, FALSE);
  view->region_key_x = view->legend_x
                       + MAX (55 * k, 24 * k + ov_draw_text_width (cr, _ ("tag")));
  view->region_key_y = view->key_y;
  view->legend_y = view->plot.y + view->plot.height + below + key_rows * view->legend_row;
  view->legend_rows = rows - key_rows;
  return 0.0;
}

void
ov_scatter_view_layout (OvScatterView *view, double width, double height)
{
  /* The shrink factor follows the size the figure is shown at; what is
   * not text (margins, markers, the frame's padding) is divided by the
   * text scale, so larger text leaves the points and the plot's room as
   * they were. */
  double s = view->shown;
  double k = ov_draw_shrink (width * s, height * s, FULL_W, FULL_H);
  double margin = MARGIN * k / s, title_h = TITLE_H * k;
  double legend_w = 0, pw, ph, pad;
  cairo_t *cr = ov_draw_measure_context ();

  view->width = width;
  view->height = height;
  view->shrink = k;
  view->margin = margin;
  /* the title in one line, or in two on a narrow figure. An empty title
   * (a figure asked for without one) gives its row to the plot and the
   * legend, below the margin; NULL (the window's map, which its status
   * line names) keeps the row, as tall as the margin's, and the legend's
   * columns the room a shorter plot leaves them. */
  g_clear_pointer (&view->title_lines, g_strfreev);
  ov_draw_set_font (cr, TITLE_FONT * k, TRUE);
  view->title_lines = ov_draw_fit_title (cr, view->title, width - 2 * margin, TITLE_FONT * k,
                                         ov_draw_font_size (TITLE_FONT - 2, k), 2,
                                         &view->title_font);
  if (view->title_lines == NULL)
    title_h = view->title != NULL ? 0.0 : title_h / s;
  else if (g_strv_length (view->title_lines) > 1)
    title_h += ov_draw_line_height (view->title_font) * (g_strv_length (view->title_lines) - 1);
  view->legend_font = ov_draw_font_size (LEGEND_FONT, k);
  view->legend_row = MAX (LEGEND_ROW * k, ov_draw_line_height (view->legend_font));
  view->marker_r = MARKER_R * k / s;
  view->key_r = MARKER_R * k;

  view->plot.x = margin;
  view->plot.y = title_h + margin;
  view->plot.height = MAX (10.0, height - title_h - 2 * margin);
  /* a legend column when there are classes or markers to name, at most
   * 40 % of a narrow figure */
  view->legend_cols = 1;
  if (view->n_classes > 0 || view->modality_key)
    legend_w = MIN (LEGEND_W * k, 0.4 * width);
  view->legend_x = width - legend_w;
  view->legend_w = MAX (0.0, legend_w - margin);
  view->legend_col_w = view->legend_w;
  layout_key (view, cr, FALSE);
  if (view->n_classes > view->legend_rows)
    {
      /* Too many classes for one column: rows as close as the text allows,
       * and as many columns as they need, room permitting. */
      double swatch, label_w, col_w, max_w, cells;
      guint rows, cols;

      view->legend_row = ov_draw_line_height (view->legend_font);
      swatch = MIN (10.0, view->legend_row - 4 * k);
      label_w = legend_label_width (view, cr, swatch);
      col_w = MIN (label_w, LEGEND_W * k - margin) + LEGEND_COL_GAP * k;
      max_w = MAX (0.4 * width, MIN (LEGEND_MAX_SHARE * width,
                                     width - 2 * margin - view->plot.height));
      /* the key lies over the first column whatever their number: the rows
       * it leaves are those of a legend at least one column wide */
      view->legend_w = MAX (0.0, MIN (max_w, col_w) - margin);
      layout_key (view, cr, TRUE);
      rows = MAX (view->legend_rows, 1);
      cols = (view->n_classes + rows - 1) / rows;
      cells = cols * col_w;
      if (cells > max_w - margin)
        {
          /* narrower columns (their labels cut short) where that fits
           * them all, else as many of the narrowest as fit */
          double narrow = (max_w - margin) / cols;

          if (narrow >= LEGEND_MIN_COL * k)
            col_w = narrow;
          else
            {
              col_w = MIN (col_w, LEGEND_MIN_COL * k);
              cols = MAX (1, (guint) ((max_w - margin) / col_w));
            }
        }
      /* the last column needs no gap after it */
      legend_w = cols * col_w - LEGEND_COL_GAP * k + margin;
      view->legend_cols = cols;
      view->legend_col_w = col_w;
      view->legend_x = width - legend_w;
      view->legend_w = MAX (0.0, legend_w - margin);
      layout_key (view, cr, TRUE);
    }
  if (view->legend_place != OV_SCATTER_LEGEND_RIGHT)
    legend_w = layout_legend_under (view, cr, title_h);
  view->plot.width = MAX (10.0, width - legend_w - 2 * margin);
  /* Equal scale on both axes: t-SNE distances mean the same either way.
   * The data's range leaves a marker, its outline and a gap at each side,
   * so that the outermost points are drawn whole inside the frame and
   * clear of it: the gap at least 3 % of the frame's shorter side. */
  pad = marker_reach (view)
        + MAX (MARKER_GAP * k / s, 0.03 * MIN (view->plot.width, view->plot.height));
  pw = MAX (1.0, view->plot.width - 2 * pad);
  ph = MAX (1.0, view->plot.height - 2 * pad);
  view->sx = view->sy = MIN (pw / (view->xmax - view->xmin), ph / (view->ymax - view->ymin));
  cairo_destroy (cr);
}

/* Classes listed in the legend: all that fit, the last cell kept for
 * "+ N more" when they do not. */
static guint
legend_entries (OvScatterView *view)
{
  guint cells = view->legend_rows * view->legend_cols;

  if (view->legend_place == OV_SCATTER_LEGEND_NONE)
    return 0;
  if (view->n_classes <= cells)
    return view->n_classes;
  return cells > 0 ? cells - 1 : 0;
}

/* The top left corner of the legend's cell i: down the first column,
 * then down the next. */
static void
legend_cell (OvScatterView *view,
             guint          i,
             double        *x,
             double        *y)
{
  guint rows = MAX (view->legend_rows, 1);

  *x = view->legend_x + (i / rows) * view->legend_col_w;
  *y = view->legend_y + (i % rows) * view->legend_row;
}

/* A cell's width: a column's, less the gap to the next. */
static double
legend_cell_width (OvScatterView *view)
{
  if (view->legend_cols <= 1)
    return view->legend_w;
  return MAX (0.0, view->legend_col_w - LEGEND_COL_GAP * view->shrink);
}

void
ov_scatter_view_data_to_view (OvScatterView *view, double dx, double dy, double *vx, double *vy)
{
  double cx = view->plot.x + view->plot.width / 2;
  double cy = view->plot.y + view->plot.height / 2;

  *vx = cx + (dx - (view->xmin + view->xmax) / 2) * view->sx;
  /* y grows upwards in data, downwards on screen */
  *vy = cy - (dy - (view->ymin + view->ymax) / 2) * view->sy;
}

void
ov_scatter_view_view_to_data (OvScatterView *view, double vx, double vy, double *dx, double *dy)
{
  double cx = view->plot.x + view->plot.width / 2;
  double cy = view->plot.y + view->plot.height / 2;

  *dx = (vx - cx) / view->sx + (view->xmin + view->xmax) / 2;
  *dy = -(vy - cy) / view->sy + (view->ymin + view->ymax) / 2;
}

static void
marker_path (cairo_t *cr, OvMarker marker, double x, double y, double r)
{
  if (marker == OV_MARKER_SQUARE)
    cairo_rectangle (cr, x - r, y - r, 2 * r, 2 * r);
  else
    {
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
    }
}

void
ov_scatter_view_draw (OvScatterView *view, cairo_t *cr)
{
  double s = view->shown, line = MARKER_LINE / s, cell_w = legend_cell_width (view);
  gboolean with_counts = TRUE;
  guint shown = 0;

  cairo_save (cr);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  ov_draw_set_font (cr, view->title_font, TRUE);
  for (guint i = 0; view->title_lines != NULL && view->title_lines[i] != NULL; i++)
    ov_draw_text (cr, view->width / 2,
                  4 * view->shrink + i * ov_draw_line_height (view->title_font), 0.5, 0.0,
                  view->title_lines[i]);
  /* the ground a shade off the figure's, and a frame */
  ov_draw_use_grey (cr, 0.97, 1.0);
  cairo_rectangle (cr, view->plot.x, view->plot.y, view->plot.width, view->plot.height);
  cairo_fill_preserve (cr);
  ov_draw_use_grey (cr, 0.7, 1.0);
  cairo_set_line_width (cr, 1.0 / s);
  cairo_stroke (cr);

  cairo_save (cr);
  cairo_rectangle (cr, view->plot.x, view->plot.y, view->plot.width, view->plot.height);
  cairo_clip (cr);
  cairo_set_line_width (cr, line);
  for (guint i = 0; i < view->n; i++)
    {
      OvColor c;
      double x, y;

      if (!view->visible[view->classes[i]] || !isfinite (view->xy[2 * i]))
        continue;
      c = ov_palette_color (view->palette, view->class_names[view->classes[i]]);
      ov_scatter_view_data_to_view (view, view->xy[2 * i], view->xy[2 * i + 1], &x, &y);
      marker_path (cr, view->markers[i], x, y, view->marker_r);
      cairo_set_source_rgba (cr, c.r, c.g, c.b, 0.85);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.5);
      cairo_stroke (cr);
      if (view->selected[i])
        {
          marker_path (cr, view->markers[i], x, y, view->marker_r + 2.5 * view->shrink / s);
          ov_draw_use_ink (cr, OV_INK_TEXT);
          cairo_set_line_width (cr, 1.5 / s);
          cairo_stroke (cr);
          cairo_set_line_width (cr, line);
        }
    }
  cairo_restore (cr);

  /* Legend: modality markers, then one cell per class (greyed when hidden). */
  ov_draw_set_font (cr, view->legend_font, FALSE);
  if (view->legend_place == OV_SCATTER_LEGEND_NONE)
    {
      cairo_restore (cr);
      return;
    }
  if (view->modality_key)
    {
      double k = view->shrink, y = view->key_y;

      ov_draw_use_ink (cr, OV_INK_DIM);
      marker_path (cr, OV_MARKER_CIRCLE, view->legend_x + 5 * k, y, view->key_r);
      cairo_fill (cr);
      /* Translators: the legend's key of the t-SNE map: a circle is a tag
       * piece, a square a region; keep both short. */
      ov_draw_text (cr, view->legend_x + 14 * k, y, 0.0, 0.5, _ ("tag"));
      marker_path (cr, OV_MARKER_SQUARE, view->region_key_x + 5 * k, view->region_key_y,
                   view->key_r);
      cairo_fill (cr);
      ov_draw_text (cr, view->region_key_x + 14 * k, view->region_key_y, 0.0, 0.5,
                    _ ("region"));
    }
  /* every class with its count, or none: a legend that counts some of
   * its classes and not others reads as if the others had none */
  {
    double swatch = MIN (10.0, view->legend_row - 4 * view->shrink);
    double text_w = cell_w - swatch - 4 * view->shrink;
    guint n_shown = MIN (view->n_classes, legend_entries (view));

    for (guint c = 0; c < n_shown && with_counts; c++)
      {
        char label[160];

        g_snprintf (label, sizeof label, "%s (%u)", view->class_names[c],
                    view->class_counts[c]);
        with_counts = ov_draw_text_width (cr, label) <= text_w;
      }
  }
  for (guint c = 0; c < view->n_classes; c++)
    {
      OvColor col = ov_palette_color (view->palette, view->class_names[c]);
      double row = view->legend_row, x, y;
      double swatch = MIN (10.0, row - 4 * view->shrink), text_w;
      char label[160];
      g_autofree char *text = NULL;

      legend_cell (view, shown, &x, &y);
      if (shown >= legend_entries (view))
        {
          g_snprintf (label, sizeof label,
                      /* Translators: the last row of a legend that has no
                       * room for every class. */
                      g_dngettext (GETTEXT_PACKAGE, "+ %u more class", "+ %u more classes",
                                   view->n_classes - c),
                      view->n_classes - c);
          /* "+27" where the words do not fit */
          if (ov_draw_text_width (cr, label) > cell_w)
            g_snprintf (label, sizeof label, "+%u", view->n_classes - c);
          text = ov_draw_ellipsize (cr, label, cell_w);
          ov_draw_use_ink (cr, OV_INK_DIM);
          ov_draw_text (cr, x, y + row / 2, 0.0, 0.5, text);
          break;
        }
      shown++;
      cairo_rectangle (cr, x, y + (row - swatch) / 2, swatch, swatch);
      if (view->visible[c])
        {
          cairo_set_source_rgb (cr, col.r, col.g, col.b);
          cairo_fill (cr);
          ov_draw_use_ink (cr, OV_INK_TEXT);
        }
      else
        {
          ov_draw_use_grey (cr, 0.6, 1.0);
          cairo_set_line_width (cr, 1.0);
          cairo_stroke (cr);
        }
      /* the name and its count, or the name alone where not all fit */
      text_w = cell_w - swatch - 4 * view->shrink;
      if (with_counts)
        g_snprintf (label, sizeof label, "%s (%u)", view->class_names[c],
                    view->class_counts[c]);
      else
        g_strlcpy (label, view->class_names[c], sizeof label);
      text = ov_draw_ellipsize (cr, label, text_w);
      ov_draw_text (cr, x + swatch + 4 * view->shrink, y + row / 2, 0.0, 0.5, text);
    }
  cairo_restore (cr);
}

gboolean
ov_scatter_view_get_point (OvScatterView *view, guint i, double *x, double *y)
{
  double vx, vy;

  g_return_val_if_fail (view != NULL, FALSE);

  if (i >= view->n || !view->visible[view->classes[i]] || !isfinite (view->xy[2 * i])
      || !isfinite (view->xy[2 * i + 1]))
    return FALSE;
  ov_scatter_view_data_to_view (view, view->xy[2 * i], view->xy[2 * i + 1], &vx, &vy);
  if (x != NULL)
    *x = vx;
  if (y != NULL)
    *y = vy;
  return TRUE;
}

int
ov_scatter_view_hit (OvScatterView *view, double x, double y, double radius)
{
  int best = -1;
  double best_d2 = radius * radius;

  for (guint i = 0; i < view->n; i++)
    {
      double px, py, d2;

      if (!view->visible[view->classes[i]] || !isfinite (view->xy[2 * i]))
        continue;
      ov_scatter_view_data_to_view (view, view->xy[2 * i], view->xy[2 * i + 1], &px, &py);
      d2 = (px - x) * (px - x) + (py - y) * (py - y);
      if (d2 <= best_d2)
        {
          best_d2 = d2;
          best = i;
        }
    }
  return best;
}

int
ov_scatter_view_legend_hit (OvScatterView *view, double x, double y)
{
  guint rows = MAX (view->legend_rows, 1), col, row;

  if (view->legend_place == OV_SCATTER_LEGEND_NONE || view->legend_rows == 0)
    return -1;
  if (x < view->legend_x || x > view->legend_x + view->legend_w || y < view->legend_y)
    return -1;
  col = (guint) floor ((x - view->legend_x) / MAX (view->legend_col_w, 1e-9));
  row = (guint) floor ((y - view->legend_y) / view->legend_row);
  if (row >= rows || col >= view->legend_cols
      || x > view->legend_x + col * view->legend_col_w + legend_cell_width (view)
      || col * rows + row >= legend_entries (view))
    return -1;
  return (int) (col * rows + row);
}

gboolean
ov_scatter_view_get_legend_rect (OvScatterView *view, guint cls, OvRect *rect)
{
  g_return_val_if_fail (view != NULL && rect != NULL, FALSE);

  /* Cell i of the legend lists class i (see ov_scatter_view_draw). */
  if (cls >= legend_entries (view))
    return FALSE;
  legend_cell (view, cls, &rect->x, &rect->y);
  rect->width = legend_cell_width (view);
  rect->height = view->legend_row;
  return TRUE;
}

gboolean
ov_point_in_polygon (double x, double y, const double *polygon, guint n_vertices)
{
  gboolean inside = FALSE;

  /* Count crossings of a ray to +x; j trails i around the polygon. */
  for (guint i = 0, j = n_vertices - 1; i < n_vertices; j = i++)
    {
      double xi = polygon[2 * i], yi = polygon[2 * i + 1];
      double xj = polygon[2 * j], yj = polygon[2 * j + 1];

      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside = !inside;
    }
  return inside;
}

GArray *
ov_scatter_view_select_box (OvScatterView *view, double x0, double y0, double x1, double y1)
{
  double poly[8] = { x0, y0, x1, y0, x1, y1, x0, y1 };

  return ov_scatter_view_select_lasso (view, poly, 4);
}

GArray *
ov_scatter_view_select_lasso (OvScatterView *view, const double *polygon, guint n_vertices)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree double *data_poly = NULL;

  if (n_vertices < 3)
    return out;
  /* The polygon goes into data space once; the points are tested where
   * they are stored, so a selection does not depend on the zoom. */
  data_poly = g_new (double, 2 * n_vertices);
  for (guint k = 0; k < n_vertices; k++)
    ov_scatter_view_view_to_data (view, polygon[2 * k], polygon[2 * k + 1], &data_poly[2 * k],
                                  &data_poly[2 * k + 1]);
  for (guint i = 0; i < view->n; i++)
    if (view->visible[view->classes[i]]
        && ov_point_in_polygon (view->xy[2 * i], view->xy[2 * i + 1], data_poly, n_vertices))
      g_array_append_val (out, i);
  return out;
}

void
ov_scatter_view_paint (cairo_t *cr, double width, double height, gpointer view)
{
  ov_scatter_view_layout (view, width, height);
  ov_scatter_view_draw (view, cr);
}
