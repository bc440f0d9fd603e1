/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Attention renderers: heat map, layer x head grid, flow summary, attention
 * over the image and caption rows. Matrices are painted as one image
 * surface per map with nearest-neighbour filtering, one pixel per cell, so a
 * 178 x 178 map stays one object in a PDF and every cell keeps its exact
 * colour.
 */
#define G_LOG_DOMAIN "ov-attention-view"

#include <math.h>
#include <string.h>

#include "ov-attention-view.h"

#include "model/ov-i18n.h"

#define TITLE_H 24.0
#define MARGIN 8.0
G_STATIC_ASSERT (OV_ATTENTION_VIEW_TITLE_ROW == TITLE_H - MARGIN);
#define LABEL_FONT 9.0
#define LABEL_MAX_W 110.0
#define STRIP_W 5.0
#define LUT_SIZE 4096

OvColor
ov_attention_segment_color (OvSegment segment)
{
  switch (segment)
    {
    case OV_SEGMENT_WORD: return (OvColor) { 0.12, 0.47, 0.71 };
    case OV_SEGMENT_TAG: return (OvColor) { 1.00, 0.50, 0.05 };
    case OV_SEGMENT_REGION: return (OvColor) { 0.17, 0.63, 0.17 };
    case OV_SEGMENT_PAD: return (OvColor) { 0.85, 0.85, 0.85 };
    case OV_SEGMENT_SPECIAL:
    default: return (OvColor) { 0.50, 0.50, 0.50 };
    }
}

const char *
ov_attention_segment_name (OvSegment segment)
{
  switch (segment)
    {
    /* Translators: the kinds of token in the key of an attention figure. */
    case OV_SEGMENT_WORD: return _ ("words");
    case OV_SEGMENT_TAG: return _ ("tags");
    case OV_SEGMENT_REGION: return _ ("regions");
    case OV_SEGMENT_PAD: return _ ("padding");
    case OV_SEGMENT_SPECIAL:
    /* Translators: the [CLS], [SEP] and [MASK] tokens in an attention figure's key. */
    default: return _ ("special");
    }
}

/* values (rows, cols) -> an RGB24 surface of f x f pixels per cell. */
static cairo_surface_t *
matrix_surface (const float *values, int rows, int cols, const OvColorScale *scale, int f)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, MAX (cols, 1) * f,
                                                     MAX (rows, 1) * f);
  int stride = cairo_image_surface_get_stride (img);
  unsigned char *data;

  g_autofree guint32 *lut = g_new (guint32, LUT_SIZE);
  double span = scale->hi - scale->lo;
  /* a cell without a value (a difference whose token one input lacks) */
  OvColor none = ov_ink_light ()->no_data;
  guint32 no_data = 0xff000000u | ((guint32) lround (none.r * 255) << 16)
                    | ((guint32) lround (none.g * 255) << 8) | (guint32) lround (none.b * 255);

  /* A table of LUT_SIZE colours across the scale: a 12 x 12-head grid of
   * 178-token maps is 4.5 million cells. 4096 steps keep every colour within
   * a fifth of an 8-bit step of the exact map. */
  for (int k = 0; k < LUT_SIZE; k++)
    {
      OvColor c = ov_color_scale_map (scale, scale->lo + span * k / (LUT_SIZE - 1));

      lut[k] = 0xff000000u | ((guint32) lround (c.r * 255) << 16)
               | ((guint32) lround (c.g * 255) << 8) | (guint32) lround (c.b * 255);
    }
  if (!(span > 0))
    span = 1.0;
  cairo_surface_flush (img);
  data = cairo_image_surface_get_data (img);
  for (int i = 0; i < rows * f; i++)
    {
      guint32 *px_i = (guint32 *) (data + (gsize) i * stride);
      const float *values_i = values + (gsize) (i / f) * cols;

      for (int j = 0; j < cols * f; j++)
        {
          double t = (values_i[j / f] - scale->lo) / span;

          px_i[j] = isnan (t) ? no_data : lut[(int) lround (CLAMP (t, 0.0, 1.0) * (LUT_SIZE - 1))];
        }
    }
  cairo_surface_mark_dirty (img);
  return img;
}

/* Paints values (rows, cols) into the rectangle. Raster and PDF targets get
 * one pixel per cell with nearest-neighbour filtering; cairo's SVG output
 * cannot ask viewers for that (they smooth the image), so for SVG each cell
 * is replicated into a block of pixels about twice its drawn size. */
static void
paint_matrix (cairo_t *cr, const float *values, int rows, int cols, const OvColorScale *scale,
              double x, double y, double w, double h, cairo_surface_t **cache)
{
  int f = 1;
  cairo_surface_t *img;

  if (rows <= 0 || cols <= 0)
    return;
  if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_SVG)
    {
      f = (int) ceil (2.0 * MIN (w / cols, h / rows));
      f = CLAMP (f, 1, 16);
      while (f > 1 && (gint64) MAX (rows, cols) * f > 4096)
        f--;
    }
  /* The one-pixel-per-cell image does not change with the size: keep it
   * for the next frame of a window. */
  if (f == 1 && cache != NULL)
    {
      if (*cache == NULL)
        *cache = matrix_surface (values, rows, cols, scale, 1);
      img = cairo_surface_reference (*cache);
    }
  else
    img = matrix_surface (values, rows, cols, scale, f);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, w / (cols * f), h / (rows * f));
  cairo_set_source_surface (cr, img, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle (cr, 0, 0, cols * f, rows * f);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_surface_destroy (img);
}

/* The title fitted to a figure width wide with margin on each side, sizes
 * scaled by k (ov_draw_shrink): at 13 points, smaller down to 8 points,
 * then broken into two lines (the second ellipsized if need be); the
 * height it leaves above the figure in *title_h: no more than the margin
 * for a NULL or empty title, so that the figure takes its room. */
static GStrv
fit_view_title (const char *title, double width, double margin, double k, double *font,
                double *title_h)
{
  cairo_t *cr = ov_draw_measure_context ();
  GStrv lines;

  ov_draw_set_font (cr, 13 * k, TRUE);
  lines = ov_draw_fit_title (cr, title, width - 2 * margin, 13 * k, ov_draw_font_size (8, k), 2,
                             font);
  cairo_destroy (cr);
  if (lines == NULL)
    {
      *font = 13 * k;
      *title_h = MARGIN * k;
    }
  else
    *title_h = TITLE_H * k + ov_draw_line_height (*font) * (g_strv_length (lines) - 1);
  return lines;
}

static void
draw_title_lines (cairo_t *cr, GStrv lines, double font, double width)
{
  ov_draw_use_ink (cr, OV_INK_TEXT);
  ov_draw_set_font (cr, font, TRUE);
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    ov_draw_text (cr, width / 2, MARGIN / 2 + i * ov_draw_line_height (font), 0.5, 0.0,
                  lines[i]);
}

/* The segment key: a swatch and a name per segment present, in text of
 * font points, rows and swatches k times those of a full-size figure. */
static void
draw_segment_key (cairo_t *cr, const gboolean present[5], double x, double y, double font,
                  double k)
{
  static const OvSegment order[] = {
    OV_SEGMENT_SPECIAL, OV_SEGMENT_WORD, OV_SEGMENT_TAG, OV_SEGMENT_REGION, OV_SEGMENT_PAD,
  };
  double swatch = MIN (10 * k, font);

  ov_draw_set_font (cr, font, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      OvColor c = ov_attention_segment_color (order[i]);

      if (!present[order[i]])
        continue;
      cairo_set_source_rgb (cr, c.r, c.g, c.b);
      cairo_rectangle (cr, x, y, swatch, swatch);
      cairo_fill (cr);
      ov_draw_use_ink (cr, OV_INK_TEXT);
      ov_draw_text (cr, x + 14 * k, y + swatch / 2, 0.0, 0.5,
                    ov_attention_segment_name (order[i]));
      y += MAX (15 * k, ov_draw_line_height (font));
    }
}

/* Where draw_legend puts its parts for the colour bar at y, want_h tall,
 * and the segment key (present NULL: none), both ending above bottom: on a
 * short figure the bar gives up height first, down to 24 points, and then
 * the key moves to the bar's right. Distances are k times those of a
 * full-size figure. The bar's height, the key's offset from the bar's top
 * left, and (height may be NULL) how far below y the legend reaches: the
 * foot of the bar (and its lowest tick's text) or of the key. */
static void
legend_layout (const OvColorScale *scale,
               const char         *title,
               const gboolean     *present,
               double              y,
               double              want_h,
               double              bottom,
               double              k,
               double             *bar_h,
               double             *key_dx,
               double             *key_dy,
               double             *height)
{
  double font = ov_draw_font_size (10, k), row = MAX (15 * k, ov_draw_line_height (font));
  int n_keys = 0;
  double key_h;

  for (int s = 0; present != NULL && s < 5; s++)
    n_keys += present[s] ? 1 : 0;
  key_h = n_keys > 0 ? 14.0 * k + row * n_keys : 0.0;
  *bar_h = MIN (want_h, bottom - y - key_h);
  if (*bar_h >= 24.0 * k)
    {
      *key_dx = 0.0;
      *key_dy = *bar_h + 14 * k;
    }
  else
    {
      cairo_t *cr = ov_draw_measure_context ();

      *bar_h = CLAMP (bottom - y, 24.0 * k, want_h);
      *key_dy = 0.0;
      ov_draw_set_font (cr, font, TRUE);
      *key_dx = MAX (ov_draw_color_bar_width (cr, scale, 14 * k, *bar_h, font),
                     title != NULL ? MIN (ov_draw_text_width (cr, title), 86 * k) : 0.0)
                + 10 * k;
      cairo_destroy (cr);
    }
  if (height != NULL)
    *height = MAX (*bar_h + ov_draw_line_height (font) / 2, *key_dy + row * n_keys);
}

/* The colour bar at (x, y) and the segment key, placed by legend_layout,
 * in text of 10 points times k (at least the smallest text). */
static void
draw_legend (cairo_t            *cr,
             const OvColorScale *scale,
             const char         *title,
             const gboolean     *present,
             double              x,
             double              y,
             double              want_h,
             double              bottom,
             double              k)
{
  double bar_h, key_dx, key_dy, font = ov_draw_font_size (10, k);

  legend_layout (scale, title, present, y, want_h, bottom, k, &bar_h, &key_dx, &key_dy, NULL);
  ov_draw_color_bar_sized (cr, scale, x, y, 14 * k, bar_h, title, font, 86 * k);
  if (present != NULL)
    draw_segment_key (cr, present, x + key_dx, y + key_dy, font, k);
}

/* How far down draw_legend reaches with the same arguments. */
static double
legend_bottom (const OvColorScale *scale,
               const char         *title,
               const gboolean     *present,
               double              y,
               double              want_h,
               double              bottom,
               double              k)
{
  double bar_h, key_dx, key_dy, height;

  legend_layout (scale, title, present, y, want_h, bottom, k, &bar_h, &key_dx, &key_dy,
                 &height);
  return y + height;
}

/* The width draw_legend takes with the same arguments, measured: the
 * widest of the bar with its ticks, its title (cut at 86 points times k)
 * and the segment key beside or under the bar. */
static double
legend_width (const OvColorScale *scale,
              const char         *title,
              const gboolean     *present,
              double              y,
              double              want_h,
              double              bottom,
              double              k)
{
  cairo_t *cr = ov_draw_measure_context ();
  double key_w = 0.0, bar_h, key_dx, key_dy, w, font = ov_draw_font_size (10, k);

  legend_layout (scale, title, present, y, want_h, bottom, k, &bar_h, &key_dx, &key_dy, NULL);
  ov_draw_set_font (cr, font, FALSE);
  for (int s = 0; present != NULL && s < 5; s++)
    if (present[s])
      key_w = MAX (key_w, 14 * k + ov_draw_text_width (cr, ov_attention_segment_name (s)));
  w = ov_draw_color_bar_width (cr, scale, 14 * k, bar_h, font);
  if (title != NULL)
    {
      ov_draw_set_font (cr, font, TRUE);
      w = MAX (w, MIN (ov_draw_text_width (cr, title), 86.0 * k));
    }
  if (key_w > 0)
    w = MAX (w, key_dx + key_w);
  cairo_destroy (cr);
  return w;
}

/* The scale from 0 to hi, the largest value shown; a tiny one when hi is
 * not above 0 (NaN included), so that a blank map still has a range. */
static OvColorScale
sequential_scale (double hi)
{
  return (OvColorScale) { OV_COLOR_SCALE_SEQUENTIAL, 0.0, hi > 0 ? hi : 1e-6 };
}

/* Copies the rows and columns pos (n) of a seq_len x seq_len matrix into
 * out (n, n). Returns the largest finite value copied, of their magnitudes
 * when magnitude is set, and 0 when none is above 0. */
static double
gather_matrix (const float *matrix,
               int          seq_len,
               const int   *pos,
               int          n,
               gboolean     magnitude,
               float       *out)
{
  double hi = 0.0;

  for (int a = 0; a < n; a++)
    for (int b = 0; b < n; b++)
      {
        float x = matrix[(gsize) pos[a] * seq_len + pos[b]];

        out[(gsize) a * n + b] = x;
        if (isfinite (x))
          hi = MAX (hi, magnitude ? fabs (x) : x);
      }
  return hi;
}

/* ---- heat map ---- */

struct _OvHeatmapView
{
  int           n;             /* shown positions */
  int          *pos;           /* (n) sequence positions */
  float        *values;        /* (n, n) */
  OvSegment    *segments;      /* (n) */
  char        **labels;        /* (n) */
  char         *title;
  OvColorScale  scale;
  gboolean      diverging;
  gboolean      has_gaps;      /* cells without a value (a token of one input only) */
  cairo_surface_t *cache;      /* the matrix image, made on first paint */

  gboolean      fill_page;     /* cells may leave square to fill the page */

  /* layout */
  double        shown;         /* how much larger it is shown (set_shown_scale), 1 */
  double        width, height;
  double        k;             /* ov_draw_shrink of the size shown */
  char        **title_lines;
  double        title_font, title_h;
  double        label_font;    /* the token labels */
  double        label_w;       /* their room, left of and above the matrix */
  double        x0, y0, cell_w, cell_h;
  int           row_step, col_step;   /* every how many positions is labelled */
  gboolean     *row_labelled, *col_labelled;   /* (n) which are (labelled_positions) */
  char         *step_note;     /* says so where that is more than one, or NULL */
  char        **note_lines;    /* the corner's notes: the axes, then step_note */
  double        note_font;
  /* the legend: its colour bar at (legend_x, legend_y), and the segment key
   * under it or, on a short figure, right of it at key_x */
  double        legend_x, legend_y, legend_font, legend_w, bar_h, key_dx, key_dy;
  gboolean      show_key;      /* FALSE where the page has no room for the key */
  double        dx;            /* how far right the whole was moved to centre it */
};

OvHeatmapView *
ov_heatmap_view_new (const float       *matrix,
                     int                seq_len,
                     const OvSegment   *segments,
                     const char *const *labels,
                     gboolean           diverging,
                     gboolean           show_padding,
                     const char        *title)
{
  OvHeatmapView *v;
  double hi;

  g_return_val_if_fail (matrix != NULL && segments != NULL && seq_len > 0, NULL);

  v = g_new0 (OvHeatmapView, 1);
  v->shown = 1.0;
  v->pos = g_new (int, seq_len);
  for (int i = 0; i < seq_len; i++)
    if (show_padding || segments[i] != OV_SEGMENT_PAD)
      v->pos[v->n++] = i;
  v->values = g_new (float, (gsize) MAX (v->n, 1) * MAX (v->n, 1));
  v->segments = g_new (OvSegment, MAX (v->n, 1));
  v->labels = g_new0 (char *, v->n + 1);
  for (int a = 0; a < v->n; a++)
    {
      v->segments[a] = segments[v->pos[a]];
      v->labels[a] = g_strdup (labels != NULL && labels[v->pos[a]] != NULL
                               ? labels[v->pos[a]] : "");
    }
  hi = gather_matrix (matrix, seq_len, v->pos, v->n, diverging, v->values);
  if (hi <= 0.0)
    hi = 1e-6;
  /* (a difference's; a plain map's NaN is no token of one input only) */
  for (gsize i = 0; diverging && i < (gsize) v->n * v->n && !v->has_gaps; i++)
    v->has_gaps = isnan (v->values[i]);
  v->diverging = diverging;
  v->scale = diverging ? (OvColorScale) { OV_COLOR_SCALE_DIVERGING, -hi, hi }
                       : (OvColorScale) { OV_COLOR_SCALE_SEQUENTIAL, 0.0, hi };
  v->title = g_strdup (title);
  return v;
}

/* The scale's end at vmax (a difference's at -vmax and vmax), for maps
 * that must compare side by side; values beyond it take the end colour. */
static OvColorScale
fixed_scale (gboolean diverging, double vmax)
{
  return diverging ? (OvColorScale) { OV_COLOR_SCALE_DIVERGING, -vmax, vmax }
                   : (OvColorScale) { OV_COLOR_SCALE_SEQUENTIAL, 0.0, vmax };
}

void
ov_heatmap_view_set_scale_max (OvHeatmapView *view, double vmax)
{
  g_return_if_fail (view != NULL && vmax > 0 && isfinite (vmax));

  view->scale = fixed_scale (view->diverging, vmax);
  g_clear_pointer (&view->cache, cairo_surface_destroy);
}

void
ov_heatmap_view_free (OvHeatmapView *view)
{
  if (view == NULL)
    return;
  g_clear_pointer (&view->cache, cairo_surface_destroy);
  g_free (view->pos);
  g_free (view->values);
  g_free (view->segments);
  g_strfreev (view->labels);
  g_free (view->title);
  g_strfreev (view->title_lines);
  g_free (view->step_note);
  g_free (view->row_labelled);
  g_free (view->col_labelled);
  g_strfreev (view->note_lines);
  g_free (view);
}

void
ov_heatmap_view_set_fill_page (OvHeatmapView *view,
                               gboolean       fill)
{
  g_return_if_fail (view != NULL);

  view->fill_page = !!fill;
}

const int *
ov_heatmap_view_get_positions (OvHeatmapView *view, int *n)
{
  *n = view->n;
  return view->pos;
}

const OvColorScale *
ov_heatmap_view_get_scale (OvHeatmapView *view)
{
  return &view->scale;
}

/* A heat map of FULL_W x FULL_H points or larger has text and distances of
 * full size; a smaller one multiplies them by its shrink factor. */
#define FULL_W 500.0
#define FULL_H 460.0
/* The most one side of a cell may be longer than the other when the cells
 * fill a page (ov_heatmap_view_set_fill_page). */
#define MAX_CELL_ASPECT 1.5

/* The widest of labels (n) in cr's font. */
static double
labels_width (cairo_t *cr, char **labels, int n)
{
  double w = 0.0;

  for (int i = 0; i < n; i++)
    w = MAX (w, ov_draw_text_width (cr, labels[i]));
  return w;
}

/* The segment key's size: a row per segment present, each a swatch and a
 * name. */
static void
segment_key_size (cairo_t *cr, const gboolean present[5], double font, double k, double *w,
                  double *h)
{
  int n = 0;

  *w = 0;
  ov_draw_set_font (cr, font, FALSE);
  for (int s = 0; s < 5; s++)
    if (present[s])
      {
        n++;
        *w = MAX (*w, 14 * k + ov_draw_text_width (cr, ov_attention_segment_name (s)));
      }
  *h = 15 * k * n;
}

/* A note that says every how many rows and columns are labelled, NULL
 * where every one is. */
static char *
label_step_note (int row_step, int col_step)
{
  /* Translators: a note in the corner of a heat map whose cells are too
   * small to label each: only every second (third...) row and column is
   * labelled; %d is 2, 3... */
  if (row_step == col_step && row_step > 1)
    return g_strdup_printf (_("1 in %d labels shown"), row_step);
  if (row_step > 1 && col_step > 1)
    /* Translators: the same where rows and columns are labelled at
     * different steps. */
    return g_strdup_printf (_("labels shown: 1 in %d rows, 1 in %d columns"), row_step,
                            col_step);
  if (row_step > 1)
    return g_strdup_printf (_("labels shown: 1 in %d rows"), row_step);
  if (col_step > 1)
    return g_strdup_printf (_("labels shown: 1 in %d columns"), col_step);
  return NULL;
}

/* The corner left of the column labels and over the row labels, room wide:
 * "query ↓  key →", in two lines (split at its double space) where one is
 * too wide for it, and under it the note on thinned labels broken into
 * lines. Returns the lines; their height in *height. */
static GStrv
corner_notes (cairo_t *cr, const char *step_note, double room, double font, double *height)
{
  /* Translators: over a heat map: its rows are the query tokens, its
   * columns the key tokens; a narrow figure breaks it at the two spaces. */
  const char *note = _ ("query ↓  key →");
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();

  ov_draw_set_font (cr, font, FALSE);
  if (ov_draw_text_width (cr, note) <= room || strstr (note, "  ") == NULL)
    g_ptr_array_add (lines, ov_draw_ellipsize (cr, note, room));
  else
    {
      g_auto(GStrv) parts = g_strsplit (note, "  ", 2);

      for (guint i = 0; parts[i] != NULL; i++)
        g_ptr_array_add (lines, ov_draw_ellipsize (cr, g_strstrip (parts[i]), room));
    }
  if (step_note != NULL)
    {
      g_auto(GStrv) more = ov_draw_fit_title (cr, step_note, room, font, font, 4, NULL);

      for (guint i = 0; more[i] != NULL; i++)
        g_ptr_array_add (lines, g_strdup (more[i]));
    }
  *height = ov_draw_line_height (font) * lines->len;
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}

/* The key's entry for the cells without a value, whose token the other
 * input of a difference lacks. */
static const char *
gap_key_name (void)
{
  /* Translators: in the key of a difference heat map, beside the colour
   * of the cells whose row or column token one of the two inputs lacks. */
  return _ ("in one input only");
}

static const char *
legend_title (OvHeatmapView *view)
{
  /* Translators: the colour bar of a difference heat map (this input's
   * attention minus that of the one the title names), and of a plain one. */
  return view->diverging ? _ ("difference") : _ ("attention");
}

void
ov_heatmap_view_set_shown_scale (OvHeatmapView *view, double scale)
{
  g_return_if_fail (view != NULL && scale > 0);
  view->shown = scale;
}


/* Whether position a is, in a difference, a token of one input only, the
 * one the difference is about (its row has no value). */
static gboolean
one_input_only (const OvHeatmapView *view, int a)
{
  if (!view->has_gaps)
    return FALSE;
  for (int b = 0; b < view->n; b++)
    if (!isnan (view->values[(gsize) a * view->n + b]))
      return FALSE;
  return TRUE;
}

/* Which positions get a label along an axis labelled every step-th: first
 * [CLS] and [MASK] (the queries of VQA and captioning), then the tokens of
 * one input only, then every
 * step-th; each only where it stays step positions clear of the labels
 * already given, so that no two labels overlap. */
static gboolean *
labelled_positions (const OvHeatmapView *view, int step)
{
  gboolean *shown = g_new0 (gboolean, MAX (view->n, 1));

  if (step <= 1)
    {
      for (int a = 0; a < view->n; a++)
        shown[a] = TRUE;
      return shown;
    }
  for (int pass = 0; pass < 3; pass++)
    for (int a = 0; a < view->n; a++)
      {
        gboolean wanted, clear = TRUE;

        if (pass == 0)
          wanted = strcmp (view->labels[a], "[CLS]") == 0
                   || strcmp (view->labels[a], "[MASK]") == 0;
        else if (pass == 1)
          wanted = one_input_only (view, a);
        else
          wanted = a % step == 0;
        for (int b = MAX (0, a - step + 1); wanted && clear && b < MIN (view->n, a + step); b++)
          clear = !shown[b];
        if (wanted && clear)
          shown[a] = TRUE;
      }
  return shown;
}

/* Top to bottom: the title, the column labels, the matrix; left to right:
 * the row labels, the matrix, the legend (colour bar and segment key). The
 * text and the legend are measured, so that the legend always fits and the
 * matrix takes what is left: square cells as large as fit, or with
 * fill_page cells up to MAX_CELL_ASPECT from square that fill the page.
 * Labels are thinned only where cells are smaller than their text. */
void
ov_heatmap_view_layout (OvHeatmapView *view, double width, double height)
{
  double k = ov_draw_shrink (width * view->shown, height * view->shown, FULL_W, FULL_H);
  double margin = MARGIN * k, gap = 16 * k, bar_w = 14 * k;
  double avail_w, avail_h, bar_right, key_w, key_h, title_w, stacked_h, want_h, need;
  gboolean present[5] = { FALSE };
  int n = MAX (view->n, 1);
  cairo_t *cr = ov_draw_measure_context ();

  view->width = width;
  view->height = height;
  view->k = k;
  for (int a = 0; a < view->n; a++)
    present[view->segments[a]] = TRUE;

  g_clear_pointer (&view->title_lines, g_strfreev);
  view->title_lines = fit_view_title (view->title, width, margin, k, &view->title_font,
                                      &view->title_h);

  /* labels as wide as the longest, but at most a quarter of the page */
  view->label_font = ov_draw_font_size (LABEL_FONT, k);
  ov_draw_set_font (cr, view->label_font, FALSE);
  view->label_w = MIN (labels_width (cr, view->labels, view->n),
                       MIN (LABEL_MAX_W * k, 0.25 * MIN (width, height))) + 4 * k;
  view->x0 = margin + view->label_w + (STRIP_W + 2) * k;
  view->y0 = view->title_h + view->label_w + (STRIP_W + 2) * k;
  avail_h = height - view->y0 - margin;

  /* the legend: the bar's title above it, tick labels right of it, the
   * segment key under it; beside it where the page is too short */
  view->legend_font = ov_draw_font_size (10, k);
  view->legend_y = view->y0 + gap;
  want_h = MIN (160 * k, MAX (60 * k, 0.5 * MIN (avail_h, width - view->x0)));
  segment_key_size (cr, present, view->legend_font, k, &key_w, &key_h);
  if (view->has_gaps)
    {
      ov_draw_set_font (cr, view->legend_font, FALSE);
      key_w = MAX (key_w, 14 * k + ov_draw_text_width (cr, gap_key_name ()));
      key_h += 15 * k;
    }
  ov_draw_set_font (cr, view->legend_font, TRUE);
  title_w = MIN (ov_draw_text_width (cr, legend_title (view)), 86 * k);
  view->show_key = TRUE;
  for (;;)
    {
      stacked_h = height - margin - view->legend_y - (key_h > 0 ? key_h + 14 * k : 0);
      view->bar_h = MIN (want_h, stacked_h);
      if (view->bar_h >= 24 * k || key_h == 0)
        {
          view->bar_h = MAX (view->bar_h, 24 * k);
          bar_right = ov_draw_color_bar_width (cr, &view->scale, bar_w, view->bar_h,
                                               view->legend_font);
          view->key_dx = 0;
          view->key_dy = view->bar_h + 14 * k;
          view->legend_w = MAX (MAX (bar_right, title_w), key_w);
        }
      else
        {
          view->bar_h = CLAMP (height - margin - view->legend_y, 24 * k, want_h);
          bar_right = ov_draw_color_bar_width (cr, &view->scale, bar_w, view->bar_h,
                                               view->legend_font);
          view->key_dx = MAX (bar_right, title_w) + 10 * k;
          view->key_dy = 0;
          view->legend_w = view->key_dx + key_w;
        }
      avail_w = width - view->x0 - gap - view->legend_w - margin;
      /* A page too small for the key beside the bar as well as a matrix
       * of a third of its width leaves the key out: the strips keep their
       * colours, unexplained. A known shortcoming of the smallest pages. */
      if (key_h == 0 || avail_w >= (width - view->x0) / 3)
        break;
      view->show_key = FALSE;
      key_w = key_h = 0;
    }
  /* Label every k-th position when the cells are smaller than the text
   * (with a point between labels, none at the smallest text), and say so
   * in the corner over the row labels: where that is too short for the
   * note, the matrix moves down. */
  need = view->label_font > OV_DRAW_MIN_FONT ? view->label_font + k : view->label_font;
  view->note_font = ov_draw_font_size (9, k);
  for (int pass = 0; pass < 2; pass++)
    {
      double corner_h, notes_h;

      view->cell_w = view->cell_h = MAX (MIN (avail_w, avail_h) / n, 0.5);
      if (view->fill_page)
        {
          view->cell_w = MAX (avail_w / n, 0.5);
          view->cell_h = MAX (avail_h / n, 0.5);
          view->cell_w = MIN (view->cell_w, MAX_CELL_ASPECT * view->cell_h);
          view->cell_h = MIN (view->cell_h, MAX_CELL_ASPECT * view->cell_w);
        }
      view->row_step = MAX (1, (int) ceil (need / view->cell_h - 1e-9));
      view->col_step = MAX (1, (int) ceil (need / view->cell_w - 1e-9));
      g_free (view->step_note);
      view->step_note = label_step_note (view->row_step, view->col_step);
      g_strfreev (view->note_lines);
      view->note_lines = corner_notes (cr, view->step_note, view->x0 - margin,
                                       view->note_font, &notes_h);
      corner_h = view->y0 - (STRIP_W + 2) * k - view->title_h;
      if (notes_h <= corner_h || pass == 1)
        break;
      view->y0 += notes_h - corner_h;
      avail_h = height - view->y0 - margin;
    }
  g_free (view->row_labelled);
  g_free (view->col_labelled);
  view->row_labelled = labelled_positions (view, view->row_step);
  view->col_labelled = labelled_positions (view, view->col_step);
  view->legend_x = view->x0 + n * view->cell_w + gap;
  /* a page wider than the matrix and its legend: both in its middle */
  view->dx = MAX (0.0, width - margin - (view->legend_x + view->legend_w)) / 2;
  view->x0 += view->dx;
  view->legend_x += view->dx;
  cairo_destroy (cr);
}

const char *
ov_heatmap_view_get_label_note (OvHeatmapView *view)
{
  g_return_val_if_fail (view != NULL, NULL);

  return view->step_note;
}

double
ov_heatmap_view_height_for_width (OvHeatmapView *view, double width)
{
  double side, last_w = view->width, last_h = view->height, h;

  /* laid out for a square page, the map's side at this width; cells of a
   * label's height label every position */
  ov_heatmap_view_layout (view, width, width);
  side = MIN (width - (view->x0 - view->dx) - 16 * view->k - view->legend_w - MARGIN * view->k,
              MAX (view->n, 1) * (view->label_font + 3 * view->k));
  h = view->y0 + MAX (side, 0.0) + MARGIN * view->k;
  /* hit-tests keep answering for the size last laid out */
  if (last_w > 0 && last_h > 0)
    ov_heatmap_view_layout (view, last_w, last_h);
  return h;
}

/* Thin white lines between segments across an n x n matrix, line wide
 * and of that opacity. */
static void
draw_boundaries (cairo_t *cr, const OvSegment *segments, int n, double x0, double y0,
                 double cell_w, double cell_h, double line, double alpha)
{
  cairo_set_source_rgba (cr, 1, 1, 1, alpha);
  cairo_set_line_width (cr, line);
  for (int a = 1; a < n; a++)
    {
      if (segments[a] == segments[a - 1])
        continue;
      cairo_move_to (cr, x0 + a * cell_w, y0);
      cairo_line_to (cr, x0 + a * cell_w, y0 + n * cell_h);
      cairo_move_to (cr, x0, y0 + a * cell_h);
      cairo_line_to (cr, x0 + n * cell_w, y0 + a * cell_h);
    }
  cairo_stroke (cr);
}

/* The segment key: a swatch and a name per segment present. */
static void
draw_heatmap_key (cairo_t *cr, OvHeatmapView *view, const gboolean present[5], double x,
                  double y)
{
  static const OvSegment order[] = {
    OV_SEGMENT_SPECIAL, OV_SEGMENT_WORD, OV_SEGMENT_TAG, OV_SEGMENT_REGION, OV_SEGMENT_PAD,
  };
  double k = view->k, swatch = MIN (10 * k, view->legend_font);

  ov_draw_set_font (cr, view->legend_font, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      OvColor c = ov_attention_segment_color (order[i]);

      if (!present[order[i]])
        continue;
      cairo_set_source_rgb (cr, c.r, c.g, c.b);
      cairo_rectangle (cr, x, y, swatch, swatch);
      cairo_fill (cr);
      ov_draw_use_ink (cr, OV_INK_TEXT);
      ov_draw_text (cr, x + 14 * k, y + swatch / 2, 0.0, 0.5,
                    ov_attention_segment_name (order[i]));
      y += 15 * k;
    }
  if (view->has_gaps)
    {
      /* the cells' own colour (matrix_surface's), outlined: it is
       * near the background */
      OvColor none = ov_ink_light ()->no_data;

      cairo_set_source_rgb (cr, none.r, none.g, none.b);
      cairo_rectangle (cr, x, y, swatch, swatch);
      cairo_fill_preserve (cr);
      ov_draw_use_grey (cr, 0.5, 1.0);
      cairo_set_line_width (cr, 0.5 * k);
      cairo_stroke (cr);
      ov_draw_use_ink (cr, OV_INK_TEXT);
      ov_draw_text (cr, x + 14 * k, y + swatch / 2, 0.0, 0.5, gap_key_name ());
    }
}

void
ov_heatmap_view_draw (OvHeatmapView *view, cairo_t *cr)
{
  double k = view->k, strip = STRIP_W * k, cw = view->cell_w, ch = view->cell_h;
  gboolean present[5] = { FALSE };

  cairo_save (cr);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  ov_draw_set_font (cr, view->title_font, TRUE);
  for (guint i = 0; view->title_lines != NULL && view->title_lines[i] != NULL; i++)
    ov_draw_text (cr, view->width / 2, MARGIN / 2 * k + i * ov_draw_line_height (view->title_font),
                  0.5, 0.0, view->title_lines[i]);
  if (view->n == 0)
    {
      cairo_restore (cr);
      return;
    }

  paint_matrix (cr, view->values, view->n, view->n, &view->scale, view->x0, view->y0,
                view->n * cw, view->n * ch, &view->cache);
  draw_boundaries (cr, view->segments, view->n, view->x0, view->y0, cw, ch, 1.0, 0.9);

  /* Segment strips along both axes, then the labels. */
  for (int a = 0; a < view->n; a++)
    {
      OvColor c = ov_attention_segment_color (view->segments[a]);

      present[view->segments[a]] = TRUE;
      cairo_set_source_rgb (cr, c.r, c.g, c.b);
      cairo_rectangle (cr, view->x0 - strip - k, view->y0 + a * ch, strip, ch);
      cairo_rectangle (cr, view->x0 + a * cw, view->y0 - strip - k, cw, strip);
      cairo_fill (cr);
    }
  ov_draw_set_font (cr, view->label_font, FALSE);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  /* (the labels chosen by the layout) */
  for (int a = 0; view->row_labelled != NULL && a < view->n; a++)
    {
      g_autofree char *text = NULL;

      if (!view->row_labelled[a] && !view->col_labelled[a])
        continue;
      text = ov_draw_ellipsize (cr, view->labels[a], view->label_w - 4 * k);
      if (view->row_labelled[a])
        ov_draw_text (cr, view->x0 - strip - 3 * k, view->y0 + (a + 0.5) * ch, 1.0, 0.5, text);
      if (view->col_labelled[a])
        ov_draw_text_vertical (cr, view->x0 + (a + 0.5) * cw, view->y0 - strip - 3 * k, 0.0,
                               0.5, text);
    }
  /* the corner's notes: the axes, every how many positions is labelled */
  ov_draw_set_font (cr, view->note_font, FALSE);
  ov_draw_use_ink (cr, OV_INK_DIM);
  for (guint i = 0; view->note_lines != NULL && view->note_lines[i] != NULL; i++)
    ov_draw_text (cr, MARGIN * k + view->dx,
                  view->title_h + i * ov_draw_line_height (view->note_font), 0.0, 0.0,
                  view->note_lines[i]);

  ov_draw_color_bar_sized (cr, &view->scale, view->legend_x, view->legend_y, 14 * k,
                           view->bar_h, legend_title (view), view->legend_font,
                           view->legend_w);
  if (view->show_key)
    draw_heatmap_key (cr, view, present, view->legend_x + view->key_dx,
                      view->legend_y + view->key_dy);
  cairo_restore (cr);
}

gboolean
ov_heatmap_view_hit (OvHeatmapView *view, double x, double y, OvHeatmapHit *hit)
{
  int a, b;

  if (view->n == 0 || x < view->x0 || y < view->y0)
    return FALSE;
  b = (int) floor ((x - view->x0) / view->cell_w);
  a = (int) floor ((y - view->y0) / view->cell_h);
  return ov_heatmap_view_get_cell (view, a, b, hit);
}

gboolean
ov_heatmap_view_get_cell (OvHeatmapView *view, int a, int b, OvHeatmapHit *hit)
{
  if (a < 0 || b < 0 || a >= view->n || b >= view->n)
    return FALSE;
  hit->row = view->pos[a];
  hit->col = view->pos[b];
  hit->value = view->values[(gsize) a * view->n + b];
  hit->row_label = view->labels[a];
  hit->col_label = view->labels[b];
  return TRUE;
}

gboolean
ov_heatmap_view_cell_rect (OvHeatmapView *view, int a, int b, OvRect *rect)
{
  if (a < 0 || b < 0 || a >= view->n || b >= view->n)
    return FALSE;
  *rect = (OvRect) { view->x0 + b * view->cell_w, view->y0 + a * view->cell_h, view->cell_w,
                     view->cell_h };
  return TRUE;
}

/* A frame pad outside r: a line of the text ink in a wider one of the
 * ground, so that it shows on the darkest and the lightest colour of a
 * scale and beside either. */
static void
draw_cell_frame (cairo_t *cr, const OvRect *r, double pad, double k)
{
  cairo_save (cr);
  cairo_new_path (cr);
  cairo_rectangle (cr, r->x - pad, r->y - pad, r->width + 2 * pad, r->height + 2 * pad);
  ov_draw_use_ink (cr, OV_INK_BACKGROUND);
  cairo_set_line_width (cr, 4 * k);
  cairo_stroke_preserve (cr);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  cairo_set_line_width (cr, 2 * k);
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
ov_heatmap_view_draw_mark (OvHeatmapView *view, cairo_t *cr, int a, int b)
{
  double k = view->k, strip = STRIP_W * k, pad = 1.5 * k;
  OvRect r;

  if (!ov_heatmap_view_cell_rect (view, a, b, &r))
    return;
  draw_cell_frame (cr, &r, pad, k);
  cairo_save (cr);
  cairo_new_path (cr);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  /* Its row and column on the segment strips, so that the eye finds their
   * labels. */
  cairo_rectangle (cr, view->x0 - strip - 2 * k, r.y, strip + k, r.height);
  cairo_rectangle (cr, r.x, view->y0 - strip - 2 * k, r.width, strip + k);
  cairo_fill (cr);
  cairo_restore (cr);
}

static int
index_of (const int *pos, int n, int p)
{
  for (int a = 0; a < n; a++)
    if (pos[a] == p)
      return a;
  return -1;
}

gboolean
ov_heatmap_view_cell_center (OvHeatmapView *view, int row, int col, double *x, double *y)
{
  int a = index_of (view->pos, view->n, row);
  int b = index_of (view->pos, view->n, col);

  if (a < 0 || b < 0)
    return FALSE;
  *x = view->x0 + (b + 0.5) * view->cell_w;
  *y = view->y0 + (a + 0.5) * view->cell_h;
  return TRUE;
}

void
ov_heatmap_view_paint (cairo_t *cr, double width, double height, gpointer view)
{
  ov_heatmap_view_layout (view, width, height);
  ov_heatmap_view_draw (view, cr);
}

/* ---- grid of layers x heads ---- */

struct _OvAttentionGridView
{
  int           n_layers, n_heads, n;
  int          *pos;              /* (n) */
  OvSegment    *segments;         /* (n): the segment of each position shown */
  gboolean      present[5];       /* the segments among them, for the key */
  float        *values;           /* (L, A, n, n) */
  OvColorScale *scales;           /* (L * A): 0 .. each map's own maximum */
  cairo_surface_t **cache;        /* (L * A) map images, made on first paint */
  char         *title;
  GStrv         title_lines;
  double        title_font, title_h;
  double        shown;            /* how much larger it is shown (set_shown_scale), 1 */
  double        width, height, x0, y0, cell_w, cell_h, gap;
  gboolean      fill_page;        /* maps may leave square to fill the page */
  /* laid out for the page: the shrink factor, the labels' text size and
   * every how many heads and layers is named, the colour bar's place */
  double        k, font, bar_x, bar_y, bar_h, bar_title_w, strip;
  gboolean      show_key;         /* the segments' key fits under the bar */
  int           head_step, layer_step;
  gboolean      shared;           /* every map on one scale (scales[] all alike) */
};

/* Each map has its own range (a few peaked heads would leave the others
 * dark on a shared one); the legend reads as a share of the map's maximum,
 * and hovering gives the value. */
static const OvColorScale grid_relative = { OV_COLOR_SCALE_SEQUENTIAL, 0.0, 1.0 };

OvAttentionGridView *
ov_attention_grid_view_new (const float *const *attentions,
                            int                 n_layers,
                            int                 n_heads,
                            int                 seq_len,
                            const OvSegment    *segments,
                            const char         *title)
{
  OvAttentionGridView *v;
  gsize nn;

  g_return_val_if_fail (attentions != NULL && segments != NULL, NULL);

  v = g_new0 (OvAttentionGridView, 1);
  v->shown = 1.0;
  v->n_layers = n_layers;
  v->n_heads = n_heads;
  v->pos = g_new (int, MAX (seq_len, 1));
  v->segments = g_new (OvSegment, MAX (seq_len, 1));
  for (int i = 0; i < seq_len; i++)
    if (segments[i] != OV_SEGMENT_PAD)
      {
        v->segments[v->n] = segments[i];
        v->present[segments[i]] = TRUE;
        v->pos[v->n++] = i;
      }
  nn = (gsize) v->n * v->n;
  v->values = g_new (float, MAX ((gsize) n_layers * n_heads * nn, 1));
  v->scales = g_new (OvColorScale, MAX (n_layers * n_heads, 1));
  for (int l = 0; l < n_layers; l++)
    for (int h = 0; h < n_heads; h++)
      {
        const float *att_lh = attentions[l] + (gsize) h * seq_len * seq_len;
        float *out_lh = v->values + ((gsize) l * n_heads + h) * nn;

        v->scales[l * n_heads + h] =
          sequential_scale (gather_matrix (att_lh, seq_len, v->pos, v->n, FALSE, out_lh));
      }
  v->cache = g_new0 (cairo_surface_t *, MAX (n_layers * n_heads, 1));
  v->title = g_strdup (title);
  v->title_h = TITLE_H;
  return v;
}

void
ov_attention_grid_view_free (OvAttentionGridView *view)
{
  if (view == NULL)
    return;
  for (int k = 0; k < view->n_layers * view->n_heads; k++)
    g_clear_pointer (&view->cache[k], cairo_surface_destroy);
  g_free (view->cache);
  g_free (view->scales);
  g_free (view->pos);
  g_free (view->segments);
  g_free (view->values);
  g_free (view->title);
  g_strfreev (view->title_lines);
  g_free (view);
}

void
ov_attention_grid_view_set_fill_page (OvAttentionGridView *view, gboolean fill)
{
  g_return_if_fail (view != NULL);

  view->fill_page = fill;
}

void
ov_attention_grid_view_share_scale (OvAttentionGridView *view)
{
  int n = view->n_layers * view->n_heads;
  double hi = 0.0;

  for (int k = 0; k < n; k++)
    hi = MAX (hi, view->scales[k].hi);
  for (int k = 0; k < n; k++)
    {
      view->scales[k] = sequential_scale (hi);
      g_clear_pointer (&view->cache[k], cairo_surface_destroy);
    }
  view->shared = TRUE;
}

void
ov_attention_grid_view_set_scale_max (OvAttentionGridView *view, double vmax)
{
  g_return_if_fail (view != NULL && vmax > 0 && isfinite (vmax));

  for (int k = 0; k < view->n_layers * view->n_heads; k++)
    {
      view->scales[k] = fixed_scale (FALSE, vmax);
      g_clear_pointer (&view->cache[k], cairo_surface_destroy);
    }
  view->shared = TRUE;
}

/* The colour bar's scale and title: a share of each map's maximum, or the
 * scale all maps share. */
static const OvColorScale *
grid_legend_scale (OvAttentionGridView *view,
                   const char         **title)
{
  /* Translators: the grid's colour key without a shared scale: each
   * map's weights as a share of that map's largest weight */
  *title = view->shared ? _ ("attention") : _ ("of map max");
  return view->shared ? &view->scales[0] : &grid_relative;
}

const OvColorScale *
ov_attention_grid_view_get_scale (OvAttentionGridView *view, int layer, int head)
{
  g_return_val_if_fail (layer >= 0 && layer < view->n_layers, NULL);
  g_return_val_if_fail (head >= 0 && head < view->n_heads, NULL);
  return &view->scales[layer * view->n_heads + head];
}

void
ov_attention_grid_view_set_shown_scale (OvAttentionGridView *view, double scale)
{
  g_return_if_fail (view != NULL && scale > 0);
  view->shown = scale;
}

/* Top to bottom: the title, the head names, the rows of maps with the
 * layer names on their left; the segment strips (special, words, tags,
 * regions, as on the heat map) above the first row and left of the first
 * column; right of them the colour bar and under it the segments' key. A
 * figure smaller
 * than the one the command draws by default (140 + 110 A by 60 + 110 L
 * points) shrinks its text and distances; where the names are wider than a
 * map every second (third...) is written. */
void
ov_attention_grid_view_layout (OvAttentionGridView *view, double width, double height)
{
  double k = ov_draw_shrink (width * view->shown, height * view->shown,
                             140.0 + 110.0 * view->n_heads, 60.0 + 110.0 * view->n_layers);
  double avail_w, avail_h, legend_w, line, pitch;
  cairo_t *cr = ov_draw_measure_context ();
  char buf[32];
  const char *bar_title;
  const OvColorScale *bar_scale = grid_legend_scale (view, &bar_title);

  view->width = width;
  view->height = height;
  view->k = k;
  g_strfreev (view->title_lines);
  view->title_lines = fit_view_title (view->title, width, 8, k, &view->title_font,
                                      &view->title_h);
  view->font = ov_draw_font_size (10, k);
  line = ov_draw_line_height (view->font);
  ov_draw_set_font (cr, view->font, FALSE);
  g_snprintf (buf, sizeof buf, _ ("L%d"), view->n_layers - 1);
  view->strip = MAX (2.0, 0.5 * STRIP_W * k);
  view->x0 = MARGIN * k + ov_draw_text_width (cr, buf) + 6 * k + view->strip + k;
  view->y0 = view->title_h + line + 4 * k + view->strip + k;
  view->gap = MAX (1.0, 4 * k);

  /* the legend: the bar, its ticks, its title above it, the key under it */
  view->bar_y = view->y0 + line + 4 * k;
  view->bar_h = MIN (160, MAX (60 * k, (height - view->y0) * 0.4));
  /* Translators: the colour bar of the layer x head grid: each map's
   * values divided by its maximum. */
  ov_draw_set_font (cr, view->font, TRUE);
  view->bar_title_w = MIN (ov_draw_text_width (cr, bar_title), 86 * k);
  legend_w = legend_width (bar_scale, bar_title, view->present, view->bar_y,
                           view->bar_h, height - MARGIN * k, k) + 16 * k;
  /* the key where it takes no more than a third of the page's width (the
   * strips' colours are the heat map's, which has the key too) */
  view->show_key = legend_w <= width / 3;
  if (!view->show_key)
    legend_w = legend_width (bar_scale, bar_title, NULL, view->bar_y, view->bar_h,
                             height - MARGIN * k, k) + 16 * k;
  avail_w = width - view->x0 - legend_w - MARGIN * k;
  avail_h = height - view->y0 - MARGIN * k;
  /* maps as large as fit; with fill_page up to MAX_CELL_ASPECT from
   * square so that they fill a page of another shape, and in its middle
   * where they still leave room beside them */
  view->cell_w = MAX (1.0, avail_w / view->n_heads - view->gap);
  view->cell_h = MAX (1.0, avail_h / view->n_layers - view->gap);
  if (view->fill_page)
    {
      view->cell_w = MIN (view->cell_w, MAX_CELL_ASPECT * view->cell_h);
      view->cell_h = MIN (view->cell_h, MAX_CELL_ASPECT * view->cell_w);
    }
  else
    view->cell_w = view->cell_h = MIN (view->cell_w, view->cell_h);
  pitch = view->cell_w + view->gap;
  if (view->fill_page)
    view->x0 += MAX (0.0, avail_w - view->n_heads * pitch) / 2;
  view->bar_x = view->x0 + view->n_heads * pitch - view->gap + 16 * k;

  ov_draw_set_font (cr, view->font, FALSE);
  g_snprintf (buf, sizeof buf, _ ("H%d"), view->n_heads - 1);
  view->head_step = MAX (1, (int) ceil ((ov_draw_text_width (cr, buf) + 2 * k) / pitch));
  view->layer_step = MAX (1, (int) ceil (view->font / (view->cell_h + view->gap)));
  cairo_destroy (cr);
}

gboolean
ov_attention_grid_view_cell_rect (OvAttentionGridView *view, int layer, int head, OvRect *rect)
{
  if (layer < 0 || head < 0 || layer >= view->n_layers || head >= view->n_heads)
    return FALSE;
  rect->x = view->x0 + head * (view->cell_w + view->gap);
  rect->y = view->y0 + layer * (view->cell_h + view->gap);
  rect->width = view->cell_w;
  rect->height = view->cell_h;
  return TRUE;
}

void
ov_attention_grid_view_draw_mark (OvAttentionGridView *view, cairo_t *cr, int layer, int head)
{
  OvRect r;

  if (ov_attention_grid_view_cell_rect (view, layer, head, &r))
    draw_cell_frame (cr, &r, MAX (1.0, view->gap / 2), MAX (0.5, view->k));
}

gboolean
ov_attention_grid_view_get_peak (OvAttentionGridView *view, int layer, int head, OvGridHit *hit)
{
  const float *m;
  int best = 0;

  if (layer < 0 || head < 0 || layer >= view->n_layers || head >= view->n_heads || view->n == 0)
    return FALSE;
  m = view->values + ((gsize) layer * view->n_heads + head) * view->n * view->n;
  for (int i = 1; i < view->n * view->n; i++)
    best = m[i] > m[best] ? i : best;
  hit->layer = layer;
  hit->head = head;
  hit->row = view->pos[best / view->n];
  hit->col = view->pos[best % view->n];
  hit->value = m[best];
  return TRUE;
}

void
ov_attention_grid_view_draw (OvAttentionGridView *view, cairo_t *cr)
{
  gsize nn = (gsize) view->n * view->n;

  cairo_save (cr);
  draw_title_lines (cr, view->title_lines, view->title_font, view->width);
  ov_draw_set_font (cr, view->font, FALSE);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  for (int h = 0; h < view->n_heads; h += view->head_step)
    {
      OvRect r;
      char buf[32];

      ov_attention_grid_view_cell_rect (view, 0, h, &r);
      /* Translators: a column of attention maps, head %d; keep it short. */
      g_snprintf (buf, sizeof buf, _ ("H%d"), h);
      ov_draw_text (cr, r.x + r.width / 2, view->y0 - view->strip - 3 * view->k, 0.5, 1.0, buf);
    }
  for (int l = 0; l < view->n_layers; l += view->layer_step)
    {
      OvRect r;
      char buf[32];

      ov_attention_grid_view_cell_rect (view, l, 0, &r);
      /* Translators: a row of attention maps, layer %d; keep it short. */
      g_snprintf (buf, sizeof buf, _ ("L%d"), l);
      ov_draw_text (cr, view->x0 - view->strip - 4 * view->k, r.y + r.height / 2, 1.0, 0.5,
                    buf);
    }
  for (int l = 0; l < view->n_layers && view->n > 0; l++)
    for (int h = 0; h < view->n_heads; h++)
      {
        OvRect r;

        ov_attention_grid_view_cell_rect (view, l, h, &r);
        paint_matrix (cr, view->values + ((gsize) l * view->n_heads + h) * nn, view->n, view->n,
                      &view->scales[l * view->n_heads + h], r.x, r.y, r.width, r.height,
                      &view->cache[l * view->n_heads + h]);
        /* where the words, tags and regions meet, where a map is large
         * enough for the lines to leave its cells visible */
        if (r.width >= 3.0 * view->n)
          {
            cairo_save (cr);
            cairo_rectangle (cr, r.x, r.y, r.width, r.height);
            cairo_clip (cr);
            draw_boundaries (cr, view->segments, view->n, r.x, r.y, r.width / view->n,
                             r.height / view->n, 0.5, 0.45);
            cairo_restore (cr);
          }
      }
  /* the segments along the first row's top and the first column's left */
  for (int i = 0; i < view->n; i++)
    {
      OvColor c = ov_attention_segment_color (view->segments[i]);
      OvRect r;

      cairo_set_source_rgb (cr, c.r, c.g, c.b);
      for (int h = 0; h < view->n_heads; h++)
        {
          ov_attention_grid_view_cell_rect (view, 0, h, &r);
          cairo_rectangle (cr, r.x + i * r.width / view->n, r.y - view->strip - view->k,
                           r.width / view->n, view->strip);
        }
      for (int l = 0; l < view->n_layers; l++)
        {
          ov_attention_grid_view_cell_rect (view, l, 0, &r);
          cairo_rectangle (cr, r.x - view->strip - view->k, r.y + i * r.height / view->n,
                           view->strip, r.height / view->n);
        }
      cairo_fill (cr);
    }
  {
    const char *bar_title;
    const OvColorScale *bar_scale = grid_legend_scale (view, &bar_title);

    draw_legend (cr, bar_scale, bar_title, view->show_key ? view->present : NULL, view->bar_x,
                 view->bar_y, view->bar_h, view->height - MARGIN * view->k, view->k);
  }
  cairo_restore (cr);
}

gboolean
ov_attention_grid_view_hit (OvAttentionGridView *view, double x, double y, OvGridHit *hit)
{
  double pitch_x = view->cell_w + view->gap, pitch_y = view->cell_h + view->gap;
  int h = (int) floor ((x - view->x0) / pitch_x);
  int l = (int) floor ((y - view->y0) / pitch_y);
  double fx, fy;
  int a, b;

  if (x < view->x0 || y < view->y0 || h >= view->n_heads || l >= view->n_layers)
    return FALSE;
  fx = x - view->x0 - h * pitch_x;
  fy = y - view->y0 - l * pitch_y;
  if (fx >= view->cell_w || fy >= view->cell_h || view->n == 0)
    return FALSE;
  b = MIN ((int) (fx / view->cell_w * view->n), view->n - 1);
  a = MIN ((int) (fy / view->cell_h * view->n), view->n - 1);
  hit->layer = l;
  hit->head = h;
  hit->row = view->pos[a];
  hit->col = view->pos[b];
  hit->value = view->values[(((gsize) l * view->n_heads + h) * view->n + a) * view->n + b];
  return TRUE;
}

void
ov_attention_grid_view_paint (cairo_t *cr, double width, double height, gpointer view)
{
  ov_attention_grid_view_layout (view, width, height);
  ov_attention_grid_view_draw (view, cr);
}

/* ---- flow summary ---- */

#define G3 OV_FLOW_N_GROUPS

struct _OvFlowView
{
  int           n_layers, n_heads;
  double       *flow;          /* (L, A, 3, 3) */
  double       *cross;         /* (L, A) */
  char         *title;
  OvColorScale  scale;
  double        shown;         /* how much larger it is shown (set_shown_scale), 1 */
  double        width, height, x0, y0, cell_w, gap;
  /* laid out for the page: the shrink factor, the title's lines and font,
   * the line under each cell for its cross-modal share, text sizes */
  double        k, title_font, title_h, share_h, font, letter_font, share_font;
  GStrv         title_lines;
  gboolean      show_letters;
  int           head_step;     /* every how many heads is named */
  int           share_style;   /* 2: "x 0.12", 1: "0.12", 0: no shares under the cells */
  /* the colour bar's top left and height; the explanation's top left and
   * text size */
  double        bar_x, bar_y, bar_h, note_x, note_y, note_font;
  gboolean      note_short;    /* the explanation's short form, under the cells */
  double        note_line;     /* its line height */
  double        note_w_max;    /* where its lines end at the latest */
};

OvFlowView *
ov_flow_view_new (const float *const *attentions,
                  int                 n_layers,
                  int                 n_heads,
                  int                 seq_len,
                  const OvSegment    *segments,
                  const char         *title)
{
  OvFlowView *v;
  gsize ss = (gsize) seq_len * seq_len;

  g_return_val_if_fail (attentions != NULL && segments != NULL, NULL);

  v = g_new0 (OvFlowView, 1);
  v->shown = 1.0;
  v->n_layers = n_layers;
  v->n_heads = n_heads;
  v->flow = g_new (double, (gsize) MAX (n_layers * n_heads, 1) * G3 * G3);
  v->cross = g_new (double, MAX (n_layers * n_heads, 1));
  for (int l = 0; l < n_layers; l++)
    for (int h = 0; h < n_heads; h++)
      {
        double (*f)[G3] = (double (*)[G3]) (v->flow + ((gsize) l * n_heads + h) * G3 * G3);

        ov_attention_flow (attentions[l] + h * ss, segments, seq_len, f, NULL);
        v->cross[l * n_heads + h] = ov_attention_flow_cross_share ((const double (*)[G3]) f);
      }
  v->scale = (OvColorScale) { OV_COLOR_SCALE_SEQUENTIAL, 0.0, 1.0 };
  v->title = g_strdup (title);
  return v;
}

void
ov_flow_view_free (OvFlowView *view)
{
  if (view == NULL)
    return;
  g_free (view->flow);
  g_free (view->cross);
  g_free (view->title);
  g_strfreev (view->title_lines);
  g_free (view);
}

const double *
ov_flow_view_get_flow (OvFlowView *view, int layer, int head)
{
  g_return_val_if_fail (layer >= 0 && layer < view->n_layers, NULL);
  g_return_val_if_fail (head >= 0 && head < view->n_heads, NULL);
  return view->flow + ((gsize) layer * view->n_heads + head) * G3 * G3;
}

/* The room the legend column keeps on a figure of full size. */
#define FLOW_LEGEND_W 190.0

/* Translators: one-letter names of words, tags and regions over the
 * columns of the attention flow summary; the same letters as in its
 * explanation ("w = words, t = tags, r = regions"). */
static const char *const flow_group_letter[G3] = { N_ ("w"), N_ ("t"), N_ ("r") };

static GStrv
flow_note_lines (void)
{
  /* Translators: how to read the attention flow summary, beside it in a
   * narrow column: keep the lines short (about 32 characters) and the
   * letters w, t and r as translated above. */
  return g_strsplit (_ ("cell: rows = from (query),\n"
                        "columns = to (key): w = words,\n"
                        "t = tags, r = regions.\n"
                        "value = mean over the query rows\n"
                        "of the group of the attention\n"
                        "summed over the key group;\n"
                        "the rest of a row went to\n"
                        "[CLS], [SEP] and [MASK].\n"
                        "x = cross-modal share: mean\n"
                        "over groups of the share of\n"
                        "the w+t+r mass of a row that\n"
                        "leaves the query's own group."), "\n", -1);
}

/* The short form of the explanation, two lines, for a figure with no room
 * for the whole: with or without the group letters over the cells, and
 * with or without the shares under them. */
static GStrv
flow_key_lines (gboolean letters, gboolean shares)
{
  char **lines = g_new0 (char *, 3);

  /* Translators: the short explanation of the attention flow summary,
   * under its cells on a small figure: its first line where the cells have
   * the letters w, t and r (as translated above), else where they are too
   * small for them; keep each short. */
  lines[0] = g_strdup (letters ? _ ("w = words, t = tags, r = regions")
                               : _ ("groups: words, tags, regions"));
  /* Translators: the second line of the short explanation, where the
   * cross-modal shares are written under the cells, else where they are
   * not. */
  lines[1] = g_strdup (shares ? _ ("rows from, columns to; x = cross-modal share")
                              : _ ("rows from, columns to"));
  return lines;
}

/* The cells' size for the room avail_w x avail_h, with the lines of text
 * under each cell; where a cell of readable size does not fit with them,
 * without them and with smaller gaps, down to a cell of one point: twelve
 * layers of twelve heads fit a column of a page. */
static void
flow_fit_cells (OvFlowView *view, double avail_w, double avail_h)
{
  double k = view->k;

  view->gap = 10 * k;
  view->share_h = 12 * k;
  view->cell_w = MIN (avail_w / view->n_heads - view->gap,
                      avail_h / view->n_layers - view->gap - view->share_h);
  if (view->cell_w >= 9.0 * k)
    return;
  view->share_h = 0.0;
  view->gap = 2 * k;
  view->cell_w = MAX (1.0, MIN (avail_w / view->n_heads - view->gap,
                                avail_h / view->n_layers - view->gap));
}

void
ov_flow_view_set_shown_scale (OvFlowView *view, double scale)
{
  g_return_if_fail (view != NULL && scale > 0);
  view->shown = scale;
}

/* Top to bottom: the title, the head names and key letters, the rows of
 * cells with each cell's cross-modal share under it; right of the cells the
 * colour bar and under it the explanation. A figure smaller than the one
 * the command draws by default shrinks its text and distances; where the
 * explanation does not fit beside the cells it goes under them, and where
 * it does not fit there either its short form goes under them, the cells
 * shrinking to make room: the cells are always explained. */
void
ov_flow_view_layout (OvFlowView *view, double width, double height)
{
  double full_w = 260.0 + 100.0 * view->n_heads, full_h = MAX (60.0 + 112.0 * view->n_layers, 340);
  double k = ov_draw_shrink (width * view->shown, height * view->shown, full_w, full_h);
  double margin = MARGIN * k, note_w = 0, note_h, legend_w, bar_w, title_w, column_w;
  double avail_w, avail_h, line = 12 * k, pitch, grid_bottom;
  g_auto(GStrv) note = flow_note_lines ();
  cairo_t *cr = ov_draw_measure_context ();
  guint n_note = g_strv_length (note);
  gboolean beside = FALSE;

  view->width = width;
  view->height = height;
  view->k = k;
  g_clear_pointer (&view->title_lines, g_strfreev);
  view->title_lines = fit_view_title (view->title, width, margin, k, &view->title_font,
                                      &view->title_h);
  view->font = ov_draw_font_size (10, k);
  view->letter_font = ov_draw_font_size (8, k);
  view->share_font = ov_draw_font_size (9, k);
  view->note_font = ov_draw_font_size (9, k);
  view->x0 = margin + 40 * k;
  view->y0 = view->title_h + 26 * k;

  /* the legend column: the bar with its ticks and title, the explanation
   * where it fits under the bar and takes at most a third of the page */
  ov_draw_set_font (cr, view->note_font, FALSE);
  for (guint i = 0; i < n_note; i++)
    note_w = MAX (note_w, ov_draw_text_width (cr, note[i]));
  note_h = line * n_note;
  view->bar_h = 90 * k;
  bar_w = ov_draw_color_bar_width (cr, &view->scale, 14 * k, view->bar_h, view->font);
  ov_draw_set_font (cr, view->font, TRUE);
  /* Translators: the colour bar of the attention flow summary: the share
   * of a row's attention that goes to a group. */
  title_w = ov_draw_text_width (cr, _ ("mass"));
  legend_w = 18 * k + MAX (bar_w, title_w);
  avail_h = height - view->y0 - margin;
  view->bar_y = view->y0 + 16 * k;
  column_w = MAX (FLOW_LEGEND_W * k, 18 * k + MAX (note_w, MAX (bar_w, title_w)));
  if (view->bar_y + view->bar_h + 20 * k + note_h <= height - margin
      && (k >= 1.0 || column_w <= width / 3))
    {
      /* beside the cells, unless under them it leaves them clearly larger
       * (a page taller than the cells need, where the column beside them
       * would squeeze them into its top half) */
      double beside_cell, under_cell;

      flow_fit_cells (view, width - view->x0 - column_w - margin, avail_h);
      beside_cell = view->cell_w;
      flow_fit_cells (view, width - view->x0 - legend_w - 2 * margin, avail_h - note_h);
      under_cell = view->cell_w;
      beside = note_w > width - 2 * margin || under_cell <= 1.15 * beside_cell;
    }
  if (beside)
    {
      beside = TRUE;
      view->note_y = view->bar_y + view->bar_h + 20 * k;
    }
  else
    {
      column_w = legend_w + margin;
      view->bar_h = CLAMP (height - margin - view->bar_y, 24 * k, 90 * k);
      view->note_y = -1;
    }
  avail_w = width - view->x0 - column_w - margin;
  /* Each cell: the 3x3 table plus a line for the cross-modal share. */
  flow_fit_cells (view, avail_w, avail_h);
  view->note_short = FALSE;
  if (view->note_y < 0)
    {
      /* a wide, short page: the explanation right of the bar where that
       * leaves the cells larger than under them */
      double under, right_w = avail_w - 12 * k - note_w;

      /* under them the cells give up at least the short form's two lines */
      flow_fit_cells (view, avail_w, avail_h - 2 * ov_draw_line_height (view->note_font));
      under = view->cell_w;
      flow_fit_cells (view, right_w, avail_h);
      if (note_h <= height - margin - view->bar_y && view->cell_w >= 9 * k
          && view->cell_w >= under && view->share_h > 0)
        {
          beside = TRUE;
          view->note_y = view->bar_y;
        }
      else
        flow_fit_cells (view, avail_w, avail_h);
    }
  if (view->note_y < 0)
    {
      /* the explanation under the cells, if it fits there */
      grid_bottom = view->y0 + view->n_layers * (view->cell_w + view->gap + view->share_h);
      if (grid_bottom + note_h <= height - margin && note_w <= width - 2 * margin)
        {
          view->note_x = margin;
          view->note_y = grid_bottom;
        }
      else
        {
          /* else the short form, in smaller text where it is too wide, and
           * the cells smaller by its height */
          g_auto(GStrv) key = flow_key_lines (FALSE, TRUE);
          double key_w;

          view->note_short = TRUE;
          for (;;)
            {
              ov_draw_set_font (cr, view->note_font, FALSE);
              key_w = 0.0;
              for (guint i = 0; key[i] != NULL; i++)
                key_w = MAX (key_w, ov_draw_text_width (cr, key[i]));
              if (key_w <= width - 2 * margin || view->note_font <= OV_DRAW_MIN_FONT)
                break;
              view->note_font = MAX (OV_DRAW_MIN_FONT, view->note_font - 0.5);
            }
          view->note_line = ov_draw_line_height (view->note_font);
          flow_fit_cells (view, avail_w, avail_h - view->note_line * g_strv_length (key));
          view->note_x = margin;
          view->note_y = view->y0 + view->n_layers * (view->cell_w + view->gap + view->share_h);
        }
    }
  view->bar_x = view->x0 + view->n_heads * (view->cell_w + view->gap) - view->gap + 18 * k;
  view->note_w_max = width - margin;
  if (!beside && view->note_y < view->bar_y + view->bar_h + view->font)
    {
      /* the explanation under the cells: the bar ends above it, and where
       * it cannot, the explanation stops short of the bar */
      view->bar_h = MAX (view->note_y - view->bar_y - view->font, 16 * k);
      if (view->note_y < view->bar_y + view->bar_h + view->font)
        view->note_w_max = view->bar_x - 6 * k;
    }
  if (beside && view->note_y > view->bar_y)
    view->note_x = view->bar_x;
  else if (beside)
    view->note_x = view->bar_x + MAX (bar_w, title_w) + 12 * k;
  {
    /* a page wider than the whole: all of it in its middle */
    double right = view->bar_x + MAX (bar_w, title_w), dx;

    if (beside || !view->note_short)
      right = MAX (right, view->note_x + note_w);
    dx = MAX (0.0, width - margin - right) / 2;
    view->x0 += dx;
    view->bar_x += dx;
    view->note_x += dx;
    if (view->note_w_max < width - margin)
      view->note_w_max += dx;
  }

  /* the letters over and beside the cells where a third of a cell holds
   * them; the share under a cell as "x 0.12", else "0.12", where the cell
   * and the gap after it hold it and there is a line for it */
  ov_draw_set_font (cr, view->letter_font, FALSE);
  view->show_letters = TRUE;
  for (int g = 0; g < G3; g++)
    if (ov_draw_text_width (cr, _ (flow_group_letter[g])) > view->cell_w / G3 + 0.5 * k)
      view->show_letters = FALSE;
  /* the head names over every column where they fit, else over every
   * other (every third...) */
  {
    char buf[32];

    g_snprintf (buf, sizeof buf, _ ("H%d"), view->n_heads - 1);
    ov_draw_set_font (cr, view->font, FALSE);
    view->head_step = MAX (1, (int) ceil ((ov_draw_text_width (cr, buf) + 2 * k)
                                          / (view->cell_w + view->gap)));
  }
  ov_draw_set_font (cr, view->share_font, FALSE);
  pitch = view->cell_w + view->gap - 2 * k;
  if (view->share_h <= 0)
    view->share_style = 0;
  else if (ov_draw_text_width (cr, "x 0.00") <= pitch)
    view->share_style = 2;
  else if (ov_draw_text_width (cr, "0.00") <= pitch)
    view->share_style = 1;
  else
    view->share_style = 0;
  cairo_destroy (cr);
}

static void
flow_cell_origin (OvFlowView *view, int layer, int head, double *x, double *y)
{
  *x = view->x0 + head * (view->cell_w + view->gap);
  *y = view->y0 + layer * (view->cell_w + view->gap + view->share_h);
}

gboolean
ov_flow_view_cell_rect (OvFlowView *view, int layer, int head, OvRect *rect)
{
  if (layer < 0 || head < 0 || layer >= view->n_layers || head >= view->n_heads)
    return FALSE;
  flow_cell_origin (view, layer, head, &rect->x, &rect->y);
  rect->width = rect->height = view->cell_w;
  return TRUE;
}

double
ov_flow_view_get_cross_share (OvFlowView *view, int layer, int head)
{
  g_return_val_if_fail (layer >= 0 && layer < view->n_layers, NAN);
  g_return_val_if_fail (head >= 0 && head < view->n_heads, NAN);
  return view->cross[layer * view->n_heads + head];
}

void
ov_flow_view_draw_mark (OvFlowView *view, cairo_t *cr, int layer, int head)
{
  OvRect r;

  if (!ov_flow_view_cell_rect (view, layer, head, &r))
    return;
  /* round the share written under the table too */
  r.height += view->share_h;
  draw_cell_frame (cr, &r, MAX (1.0, MIN (view->gap / 2, 3 * view->k)), MAX (0.5, view->k));
}

void
ov_flow_view_draw (OvFlowView *view, cairo_t *cr)
{
  double sub = view->cell_w / G3, k = view->k;

  cairo_save (cr);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  ov_draw_set_font (cr, view->title_font, TRUE);
  for (guint i = 0; view->title_lines != NULL && view->title_lines[i] != NULL; i++)
    ov_draw_text (cr, view->width / 2, MARGIN / 2 * k + i * ov_draw_line_height (view->title_font),
                  0.5, 0.0, view->title_lines[i]);
  for (int h = 0; h < view->n_heads; h++)
    {
      double x, y;
      char buf[32];

      flow_cell_origin (view, 0, h, &x, &y);
      g_snprintf (buf, sizeof buf, _ ("H%d"), h);
      ov_draw_set_font (cr, view->font, FALSE);
      if (h % view->head_step == 0)
        ov_draw_text (cr, x + view->cell_w / 2, view->y0 - 13 * k, 0.5, 1.0, buf);
      /* key groups over the columns of the top row */
      ov_draw_set_font (cr, view->letter_font, FALSE);
      for (int g = 0; view->show_letters && g < G3; g++)
        ov_draw_text (cr, x + (g + 0.5) * sub, view->y0 - 2 * k, 0.5, 1.0,
                      _ (flow_group_letter[g]));
    }
  for (int l = 0; l < view->n_layers; l++)
    for (int h = 0; h < view->n_heads; h++)
      {
        const double *f = ov_flow_view_get_flow (view, l, h);
        double x, y;
        char buf[32];

        flow_cell_origin (view, l, h, &x, &y);
        if (h == 0)
          {
            g_snprintf (buf, sizeof buf, _ ("L%d"), l);
            ov_draw_use_ink (cr, OV_INK_TEXT);
            ov_draw_set_font (cr, view->font, FALSE);
            ov_draw_text (cr, view->x0 - 14 * k, y + view->cell_w / 2, 1.0, 0.5, buf);
            /* query groups beside the rows of the first column */
            ov_draw_set_font (cr, view->letter_font, FALSE);
            for (int q = 0; view->show_letters && q < G3; q++)
              ov_draw_text (cr, view->x0 - 3 * k, y + (q + 0.5) * sub, 1.0, 0.5,
                            _ (flow_group_letter[q]));
          }
        for (int q = 0; q < G3; q++)
          for (int g = 0; g < G3; g++)
            {
              double value = f[q * G3 + g];
              OvColor c = isnan (value) ? ov_draw_get_ink (cr)->no_data
                                        : ov_color_scale_map (&view->scale, value);

              cairo_set_source_rgb (cr, c.r, c.g, c.b);
              cairo_rectangle (cr, x + g * sub, y + q * sub, sub, sub);
              cairo_fill (cr);
              if (sub >= 24 && !isnan (value))
                {
                  g_snprintf (buf, sizeof buf, "%.2f", value);
                  if (ov_color_luminance (c) > 0.5)
                    cairo_set_source_rgb (cr, 0, 0, 0);
                  else
                    cairo_set_source_rgb (cr, 1, 1, 1);
                  ov_draw_set_font (cr, MIN (10, sub / 3), FALSE);
                  ov_draw_text (cr, x + (g + 0.5) * sub, y + (q + 0.5) * sub, 0.5, 0.5, buf);
                }
            }
        ov_draw_use_ink (cr, OV_INK_DIM);
        cairo_set_line_width (cr, 0.5);
        cairo_rectangle (cr, x, y, view->cell_w, view->cell_w);
        cairo_stroke (cr);
        if (view->share_style > 0 && !isnan (view->cross[l * view->n_heads + h]))
          {
            g_snprintf (buf, sizeof buf, view->share_style == 2 ? "x %.2f" : "%.2f",
                        view->cross[l * view->n_heads + h]);
            ov_draw_use_ink (cr, OV_INK_TEXT);
            ov_draw_set_font (cr, view->share_font, FALSE);
            ov_draw_text (cr, x + view->cell_w / 2, y + view->cell_w + k, 0.5, 0.0, buf);
          }
      }

  /* Legend: the colour bar, how to read a cell, and the definition. */
  ov_draw_color_bar_sized (cr, &view->scale, view->bar_x, view->bar_y, 14 * k, view->bar_h,
                           _ ("mass"), view->font, view->width - MARGIN * k - view->bar_x);
  {
    g_auto(GStrv) lines = view->note_short
                          ? flow_key_lines (view->show_letters, view->share_style > 0)
                          : flow_note_lines ();
    double line = view->note_short ? view->note_line : 12 * k;

    ov_draw_set_font (cr, view->note_font, FALSE);
    ov_draw_use_ink (cr, OV_INK_TEXT);
    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_autofree char *shown = ov_draw_ellipsize (cr, lines[i],
                                                    view->note_w_max - view->note_x);

        ov_draw_text (cr, view->note_x, view->note_y + i * line, 0.0, 0.0, shown);
      }
  }
  cairo_restore (cr);
}

gboolean
ov_flow_view_hit (OvFlowView *view, double x, double y, OvFlowHit *hit)
{
  for (int l = 0; l < view->n_layers; l++)
    for (int h = 0; h < view->n_heads; h++)
      {
        double cx, cy;
        int q, k;

        flow_cell_origin (view, l, h, &cx, &cy);
        if (x < cx || y < cy || x >= cx + view->cell_w || y >= cy + view->cell_w)
          continue;
        k = MIN ((int) ((x - cx) / view->cell_w * G3), G3 - 1);
        q = MIN ((int) ((y - cy) / view->cell_w * G3), G3 - 1);
        hit->layer = l;
        hit->head = h;
        hit->from = q;
        hit->to = k;
        hit->value = ov_flow_view_get_flow (view, l, h)[q * G3 + k];
        hit->cross_share = view->cross[l * view->n_heads + h];
        return TRUE;
      }
  return FALSE;
}

guint
ov_flow_view_get_note_lines (OvFlowView *view, gboolean *short_form)
{
  g_auto(GStrv) lines = view->note_short
                        ? flow_key_lines (view->show_letters, view->share_style > 0)
                        : flow_note_lines ();

  if (short_form != NULL)
    *short_form = view->note_short;
  return g_strv_length (lines);
}

void
ov_flow_view_paint (cairo_t *cr, double width, double height, gpointer view)
{
  ov_flow_view_layout (view, width, height);
  ov_flow_view_draw (view, cr);
}

/* ---- attention over the image ---- */

struct _OvAttentionImageView
{
  OvRegionView *regions;
  OvPalette    *palette;
  OvPalette    *own_palette;
  const OvSample *sample;
  gboolean      reverse;
  int           n_weights;
  float        *weights;        /* forward: (n_regions) ; reverse: (S) */
  int           seq_len;
  OvSegment    *segments;       /* (S) */
  char        **labels;         /* (S) */
  int           subject;        /* query position (forward) or region index (reverse) */
  /* reverse mode: the query position ([MASK] or [CLS]) shown among the
   * words and tags, or -1 */
  int           query;
  char         *title;
  OvColorScale  scale;

  /* layout */
  double        width, height;
  double        image_h;
  GArray       *chips;          /* OvRect per word/tag position, reverse mode */
  GArray       *chip_pos;       /* int */
  double        chip_font;      /* the chips' text size; 11 unless they are crowded */
  GStrv         title_lines;
  double        title_font, title_h;
  double        label_size;     /* the box labels' text size */
  double        legend_w;       /* the legend's column, right of the picture (0: below) */
  double        legend_below_h; /* the colour bar under the picture, its height, or 0 */
  /* how far left of the page's right edge the legend beside the picture
   * is drawn: half the width the picture leaves unused, so that picture
   * and legend stay together, centred, on a page wider than the picture */
  double        legend_shift;
  double        k;              /* ov_draw_shrink of the size */
  gboolean      keep_text;      /* text at full size on any page (the window's) */
  double        head_font;      /* reverse mode: the heading over the chips, its size */
  char         *head_text;
  double        legend_want_h;  /* the colour bar's height where the page has room */
  guint         chips_hidden;   /* reverse mode: chips left out for want of room */
  char         *hidden_note;    /* says how many, or NULL */
  /* forward mode: the line under the figure that explains the dashed boxes
   * (regions the model was not given), its font, or 0 when none is */
  double        dashed_font;
  guint         n_box_labels;   /* forward mode: the strongest regions named */
  guint         box_label_region[OV_IMAGE_VIEW_MAX_LABELS];
  OvRect        box_label_rect[OV_IMAGE_VIEW_MAX_LABELS];   /* in the picture's frame */
  OvRect        box_label_box[OV_IMAGE_VIEW_MAX_LABELS];    /* the box it names */
  gboolean      box_label_leader[OV_IMAGE_VIEW_MAX_LABELS]; /* placed away from it */
  char         *box_label_text[OV_IMAGE_VIEW_MAX_LABELS];
};

static OvAttentionImageView *
image_view_new (const float       *matrix,
                int                seq_len,
                const OvSegment   *segments,
                const char *const *labels,
                const OvSample    *sample,
                cairo_surface_t   *image,
                OvPalette         *palette,
                const char        *title)
{
  OvAttentionImageView *v = g_new0 (OvAttentionImageView, 1);

  if (palette == NULL)
    palette = v->own_palette = ov_palette_new ();
  v->palette = palette;
  v->regions = ov_region_view_new (sample, image, palette);
  ov_region_view_set_show_labels (v->regions, FALSE);
  v->sample = sample;
  v->seq_len = seq_len;
  v->segments = g_memdup2 (segments, sizeof (OvSegment) * seq_len);
  v->labels = g_new0 (char *, seq_len + 1);
  for (int i = 0; i < seq_len; i++)
    v->labels[i] = g_strdup (labels != NULL && labels[i] != NULL ? labels[i] : "");
  v->title = g_strdup (title);
  v->title_h = TITLE_H;
  v->chips = g_array_new (FALSE, FALSE, sizeof (OvRect));
  v->chip_pos = g_array_new (FALSE, FALSE, sizeof (int));
  v->query = -1;
  return v;
}

OvAttentionImageView *
ov_attention_image_view_new_query (const float       *matrix,
                                   int                seq_len,
                                   const OvSegment   *segments,
                                   const char *const *labels,
                                   int                query,
                                   const OvSample    *sample,
                                   cairo_surface_t   *image,
                                   OvPalette         *palette,
                                   const char        *title)
{
  OvAttentionImageView *v;
  double hi = 0.0;

  g_return_val_if_fail (matrix != NULL && sample != NULL && query >= 0 && query < seq_len, NULL);

  v = image_view_new (matrix, seq_len, segments, labels, sample, image, palette, title);
  v->subject = query;
  v->n_weights = sample->n_regions;
  v->weights = g_new0 (float, MAX (v->n_weights, 1));
  for (guint k = 0; k < sample->n_regions; k++)
    {
      int p = ov_attention_region_position (segments, seq_len, k);

      /* Regions past the model's region limit were not seen: NaN, drawn
       * as a dashed outline. */
      v->weights[k] = p >= 0 ? matrix[(gsize) query * seq_len + p] : NAN;
      if (p >= 0)
        hi = MAX (hi, v->weights[k]);
    }
  v->scale = sequential_scale (hi);
  return v;
}

OvAttentionImageView *
ov_attention_image_view_new_region (const float       *matrix,
                                    int                seq_len,
                                    const OvSegment   *segments,
                                    const char *const *labels,
                                    int                region,
                                    int                query,
                                    const OvSample    *sample,
                                    cairo_surface_t   *image,
                                    OvPalette         *palette,
                                    const char        *title)
{
  OvAttentionImageView *v;
  int p;
  double hi = 0.0;

  g_return_val_if_fail (matrix != NULL && sample != NULL, NULL);

  p = ov_attention_region_position (segments, seq_len, region);
  if (p < 0 || region >= (int) sample->n_regions)
    return NULL;
  v = image_view_new (matrix, seq_len, segments, labels, sample, image, palette, title);
  v->reverse = TRUE;
  v->subject = region;
  v->query = query >= 0 && query < seq_len ? query : -1;
  v->n_weights = seq_len;
  v->weights = g_new0 (float, seq_len);
  for (int i = 0; i < seq_len; i++)
    if (segments[i] == OV_SEGMENT_WORD || segments[i] == OV_SEGMENT_TAG || i == v->query)
      {
        v->weights[i] = matrix[(gsize) i * seq_len + p];
        hi = MAX (hi, v->weights[i]);
      }
  v->scale = sequential_scale (hi);
  ov_region_view_set_highlight (v->regions, region);
  return v;
}

void
ov_attention_image_view_set_scale_max (OvAttentionImageView *view, double vmax)
{
  g_return_if_fail (view != NULL && vmax > 0 && isfinite (vmax));

  view->scale = fixed_scale (FALSE, vmax);
}

void
ov_attention_image_view_free (OvAttentionImageView *view)
{
  if (view == NULL)
    return;
  ov_region_view_free (view->regions);
  ov_palette_free (view->own_palette);
  g_free (view->weights);
  g_free (view->segments);
  g_strfreev (view->labels);
  g_free (view->title);
  g_strfreev (view->title_lines);
  g_array_unref (view->chips);
  g_array_unref (view->chip_pos);
  for (guint i = 0; i < view->n_box_labels; i++)
    g_free (view->box_label_text[i]);
  g_free (view->head_text);
  g_free (view->hidden_note);
  g_free (view);
}

float
ov_attention_image_view_get_weight (OvAttentionImageView *view, int index)
{
  g_return_val_if_fail (index >= 0 && index < view->n_weights, NAN);
  return view->weights[index];
}

void
ov_attention_image_view_set_keep_text (OvAttentionImageView *view,
                                       gboolean              keep)
{
  g_return_if_fail (view != NULL);

  view->keep_text = keep;
}

OvRegionView *
ov_attention_image_view_get_region_view (OvAttentionImageView *view)
{
  return view->regions;
}

#define CHIP_H 18.0
/* An image view of IMAGE_FULL_W x IMAGE_FULL_H points or larger has text of
 * full size; a smaller one multiplies its sizes by its shrink factor. */
#define IMAGE_FULL_W 500.0
#define IMAGE_FULL_H 400.0

static void place_box_labels (OvAttentionImageView *view);

/* The heading over the chips of the reverse mode, for room points: the
 * long form at head points where it fits, else the short form, smaller
 * down to the smallest text, else shortened. */
static char *
fit_chips_heading (cairo_t *cr, double room, double head, double *font)
{
  /* Translators: heading over the words and tags of the region view,
   * and its shorter form for a narrow figure. */
  const char *full = _ ("attention of each word and tag on this region:");
  const char *brief = _ ("attention on this region:");

  *font = head;
  ov_draw_set_font (cr, head, TRUE);
  if (ov_draw_text_width (cr, full) <= room)
    return g_strdup (full);
  while (*font > OV_DRAW_MIN_FONT && ov_draw_text_width (cr, brief) > room)
    {
      *font = MAX (OV_DRAW_MIN_FONT, *font - 0.5);
      ov_draw_set_font (cr, *font, TRUE);
    }
  return ov_draw_ellipsize (cr, brief, room);
}

void
ov_attention_image_view_layout (OvAttentionImageView *view, double width, double height)
{
  double chips_h = 0.0, k = view->keep_text ? 1.0 : ov_draw_shrink (width, height, IMAGE_FULL_W,
                                                                      IMAGE_FULL_H);
  double chips_top = 0.0;

  view->width = width;
  view->height = height;
  view->k = k;
  g_array_set_size (view->chips, 0);
  g_array_set_size (view->chip_pos, 0);
  g_clear_pointer (&view->head_text, g_free);

  g_strfreev (view->title_lines);
  view->title_lines = fit_view_title (view->title, width, 8, k, &view->title_font,
                                      &view->title_h);
  view->chip_font = ov_draw_font_size (11, k);
  view->legend_want_h = MIN (160 * k, MAX (60 * k, (height - view->title_h) * 0.5));
  {
    gboolean present[5] = { FALSE };

    present[OV_SEGMENT_WORD] = present[OV_SEGMENT_TAG] = view->reverse;
    if (view->query >= 0)
      present[view->segments[view->query]] = TRUE;
    view->legend_w = 8 + MARGIN
                     + legend_width (&view->scale, _ ("attention"), present,
                                     view->title_h + 24 * k, view->legend_want_h,
                                     height - MARGIN, k);
  }
  if (view->reverse)
    {
      cairo_t *cr = ov_draw_measure_context ();
      double avail = width - view->legend_w - 2 * MARGIN;
      double min_image = 0.4 * (height - view->title_h - MARGIN);

      /* Flow the word and tag chips into lines under their heading;
       * measure first, place below the image once its height is known.
       * Where they leave the picture less than min_image, in smaller text,
       * down to OV_DRAW_MIN_FONT. */
      for (double size = view->chip_font; size >= OV_DRAW_MIN_FONT - 1e-9; size -= 0.5)
        {
          double f = size / 11.0, x = MARGIN, y = 0.0;

          g_clear_pointer (&view->head_text, g_free);
          view->head_text = fit_chips_heading (cr, avail, ov_draw_font_size (10, k),
                                               &view->head_font);
          /* the heading 4 points under the picture, the chips 3 under it */
          chips_top = 4 * f + ov_draw_line_height (view->head_font) + 3 * f;
          g_array_set_size (view->chips, 0);
          g_array_set_size (view->chip_pos, 0);
          ov_draw_set_font (cr, size, FALSE);
          for (int i = 0; i < view->seq_len; i++)
            {
              OvRect r;

              if (view->segments[i] != OV_SEGMENT_WORD && view->segments[i] != OV_SEGMENT_TAG
                  && i != view->query)
                continue;
              r.width = ov_draw_text_width (cr, view->labels[i]) + 8 * f;
              r.height = CHIP_H * f;
              if (x + r.width > MARGIN + avail && x > MARGIN)
                {
                  x = MARGIN;
                  y += (CHIP_H + 4) * f;
                }
              r.x = x;
              r.y = y;
              x += r.width + 4 * f;
              g_array_append_val (view->chips, r);
              g_array_append_val (view->chip_pos, i);
            }
          view->chip_font = size;
          chips_h = view->chips->len > 0 ? chips_top + y + CHIP_H * f : 0.0;
          if (height - view->title_h - chips_h - MARGIN >= min_image)
            break;
        }
      cairo_destroy (cr);
    }
  view->legend_below_h = 0.0;
  view->dashed_font = 0.0;
  if (!view->reverse)
    for (int r = 0; r < view->n_weights && view->dashed_font == 0.0; r++)
      if (isnan (view->weights[r]))
        {
          /* the line at the page's foot that says what a dashed box is */
          view->dashed_font = ov_draw_font_size (9, view->k);
          chips_h = 4 * view->k + ov_draw_line_height (view->dashed_font);
        }
  view->image_h = MAX (20.0, height - view->title_h - chips_h - MARGIN);
  {
    /* no taller than the picture at the width it has: on a tall page the
     * chips follow right under it rather than at the page's foot */
    double fw, fh;

    ov_region_view_get_frame_size (view->regions, &fw, &fh);
    if (!view->reverse && fw > 0 && fh > 0)
      {
        /* On a page taller than the picture with the legend beside it (a
         * square one-column figure, say), the colour bar goes under the
         * picture, which then takes the page's whole width. */
        double below = 10 * k + ov_draw_color_bar_across_height (10 * k, view->chip_font);
        double beside = MIN ((width - view->legend_w - 2 * MARGIN) / fw, view->image_h / fh);
        double under = MIN ((width - 2 * MARGIN) / fw, (view->image_h - below) / fh);

        if (under > 1.1 * beside)
          {
            view->legend_w = 0.0;
            view->legend_below_h = below;
            view->image_h -= below;
          }
      }
    if (fw > 0 && fh > 0)
      view->image_h = MAX (20.0, MIN (view->image_h,
                                      (width - view->legend_w - 2 * MARGIN) * fh / fw));
  }
  /* the picture keeps a margin on the left as on the right, where the
   * legend begins */
  ov_region_view_layout (view->regions, width - view->legend_w - 2 * MARGIN, view->image_h);
  view->legend_shift = 0.0;
  {
    double fw, fh, area_w = width - view->legend_w - 2 * MARGIN;

    ov_region_view_get_frame_size (view->regions, &fw, &fh);
    if (view->legend_w > 0 && fw > 0 && fh > 0)
      view->legend_shift = MAX (0.0, area_w - fw * MIN (area_w / fw, view->image_h / fh)) / 2;
    /* the chips under the picture run to the legend's column: a legend
     * that reaches down to them stays in its column */
    if (view->chips->len > 0 && view->legend_shift > 0)
      {
        gboolean present[5] = { FALSE };

        present[OV_SEGMENT_WORD] = present[OV_SEGMENT_TAG] = TRUE;
        if (view->query >= 0)
          present[view->segments[view->query]] = TRUE;
        if (legend_bottom (&view->scale, _ ("attention"), present, view->title_h + 24 * k,
                           view->legend_want_h, height - MARGIN, k)
            > view->title_h + view->image_h)
          view->legend_shift = 0.0;
      }
  }
  for (guint c = 0; c < view->chips->len; c++)
    g_array_index (view->chips, OvRect, c).y += view->title_h + view->image_h + chips_top;
  /* Chips that even the smallest text leaves below the page are left out,
   * and a note after the last one says how many: a known shortcoming of
   * the smallest pages with long captions. */
  view->chips_hidden = 0;
  g_clear_pointer (&view->hidden_note, g_free);
  while (view->chips->len > 0)
    {
      guint last = view->chips->len - 1;
      OvRect r = g_array_index (view->chips, OvRect, last);
      double f = view->chip_font / 11.0, room = width - view->legend_w - MARGIN;
      cairo_t *cr;
      double tw;

      if (r.y + r.height > height - MARGIN)
        {
          g_array_set_size (view->chips, last);
          g_array_set_size (view->chip_pos, last);
          view->chips_hidden++;
          continue;
        }
      if (view->chips_hidden == 0)
        break;
      g_free (view->hidden_note);
      /* Translators: after the word and tag chips of the region view on a
       * page too small for all of them; %u is how many are left out. */
      view->hidden_note = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "+ %u more",
                                                        "+ %u more", view->chips_hidden),
                                           view->chips_hidden);
      cr = ov_draw_measure_context ();
      ov_draw_set_font (cr, view->chip_font, FALSE);
      tw = ov_draw_text_width (cr, view->hidden_note);
      cairo_destroy (cr);
      if (r.x + r.width + 4 * f + tw <= room || last == 0)
        break;
      g_array_set_size (view->chips, last);
      g_array_set_size (view->chip_pos, last);
      view->chips_hidden++;
    }
  place_box_labels (view);
}

static gboolean
rects_overlap (const OvRect *a, const OvRect *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width
         && a->y < b->y + b->height && b->y < a->y + a->height;
}

/* Whether a label at r would hide much of another region's box (a quarter
 * of it or more): the boxes of the picture (n_boxes), self the one the
 * label names. */
static gboolean
hides_a_box (const OvRect *r, const OvRect *boxes, guint n_boxes, guint self)
{
  for (guint j = 0; j < n_boxes; j++)
    {
      const OvRect *o = &boxes[j];
      double ox = MIN (r->x + r->width, o->x + o->width) - MAX (r->x, o->x);
      double oy = MIN (r->y + r->height, o->y + o->height) - MAX (r->y, o->y);

      if (j != self && ox > 0 && oy > 0 && ox * oy >= 0.25 * o->width * o->height)
        return TRUE;
    }
  return FALSE;
}

/* The boxes a label should keep clear of, for the placements below. */
typedef struct {
  const OvRect *boxes;
  guint         n_boxes;
  guint         self;
} BoxesToSpare;

/* Where a label w x h goes for box b in a picture area_w x area_h: on
 * the box's top edge, outside it, so that the object stays in view; else
 * under it; else inside it at its top, then its bottom; each at the box's
 * left, then its right edge, the first within the picture that overlaps
 * none of the labels placed (n) before it and, unless spare is NULL, hides
 * none of the other boxes; always moved left as far as needed to read in
 * full. FALSE where no place is free. */
static gboolean
place_box_label (const OvRect *b, double w, double h, double x0, double x1, double area_h,
                 const OvRect *placed, guint n, const BoxesToSpare *spare, double *x, double *y)
{
  double ys[4] = { b->y - h, b->y + b->height, b->y, b->y + b->height - h };
  double xs[2] = { b->x, b->x + b->width - w };

  for (guint j = 0; j < G_N_ELEMENTS (ys); j++)
    for (guint i = 0; i < G_N_ELEMENTS (xs); i++)
      {
        OvRect r = { MAX (x0, MIN (xs[i], x1 - w)), ys[j], w, h };
        gboolean clear = TRUE;

        if (r.y < 0 || r.y + r.height > area_h)
          continue;
        for (guint k = 0; k < n && clear; k++)
          clear = !rects_overlap (&r, &placed[k]);
        if (clear && spare != NULL)
          clear = !hides_a_box (&r, spare->boxes, spare->n_boxes, spare->self);
        if (clear)
          {
            *x = r.x;
            *y = r.y;
            return TRUE;
          }
      }
  return FALSE;
}

/* The free place for a label w x h nearest to box b's centre, on a grid of
 * half a label's height over the picture area_w x area_h, and unless spare
 * is NULL one that hides none of the other boxes. FALSE where the labels
 * placed (n) leave none. */
static gboolean
place_label_near (const OvRect *b, double w, double h, double x0, double x1, double area_h,
                  const OvRect *placed, guint n, const BoxesToSpare *spare, double *x, double *y)
{
  double cx = b->x + b->width / 2, cy = b->y + b->height / 2, best = G_MAXDOUBLE;
  double step = MAX (h / 2, 1.0);

  if (w > x1 - x0 || h > area_h)
    return FALSE;
  for (double ty = 0.0; ty + h <= area_h + 1e-9; ty += step)
    for (double tx = x0; tx + w <= x1 + 1e-9; tx += step)
      {
        OvRect r = { tx, ty, w, h };
        double dx = CLAMP (cx, tx, tx + w) - cx, dy = CLAMP (cy, ty, ty + h) - cy;
        gboolean clear = TRUE;

        if (dx * dx + dy * dy >= best)
          continue;
        for (guint k = 0; k < n && clear; k++)
          clear = !rects_overlap (&r, &placed[k]);
        if (clear && spare != NULL)
          clear = !hides_a_box (&r, spare->boxes, spare->n_boxes, spare->self);
        if (clear)
          {
            best = dx * dx + dy * dy;
            *x = tx;
            *y = ty;
          }
      }
  return best < G_MAXDOUBLE;
}

/* Unseen regions (NaN) rank below every weight. */
static double
rank_key (float w)
{
  return isnan (w) ? -1.0 : w;
}

/* The most of the picture the box labels may cover together: the rest of
 * it stays visible however small the figure. */
#define BOX_LABELS_MAX_COVER 0.12

/* Names the strongest regions (at most OV_IMAGE_VIEW_MAX_LABELS), in a
 * font that shrinks with a small picture, each "r2 cup 0.003", else "r2"
 * alone: the strongest region is never left unnamed, however crowded its
 * box; the others are named where a place free of the labels before them
 * is left and the labels together cover at most BOX_LABELS_MAX_COVER of
 * the picture. */
static void
place_box_labels (OvAttentionImageView *view)
{
  const OvSample *s = view->sample;
  double area_w = view->width - view->legend_w - 2 * MARGIN, label_h, fw, fh, picture;
  /* the labels stay over the picture, left and right: a narrower picture
   * sits in the middle of its area with the legend at its side */
  double x0 = view->legend_shift, x1 = area_w - view->legend_shift;
  double covered = 0.0;
  g_autofree guint *by_weight = NULL;
  g_autofree OvRect *boxes = NULL;
  cairo_t *cr;

  for (guint l = 0; l < view->n_box_labels; l++)
    g_clear_pointer (&view->box_label_text[l], g_free);
  view->n_box_labels = 0;
  view->label_size = view->keep_text ? 10.0
                    : CLAMP (MIN (area_w, view->image_h) / 40.0, OV_DRAW_MIN_FONT,
                             ov_draw_font_size (10, view->k));
  if (view->reverse)
    return;

  ov_region_view_get_frame_size (view->regions, &fw, &fh);
  picture = area_w * view->image_h;
  if (fw > 0 && fh > 0)
    picture = fw * fh * pow (MIN (area_w / fw, view->image_h / fh), 2);
  label_h = view->label_size * 1.4;
  by_weight = g_new (guint, MAX (s->n_regions, 1));
  for (guint i = 0; i < s->n_regions; i++)
    by_weight[i] = i;
  for (guint i = 1; i < s->n_regions; i++)
    for (guint j = i; j > 0 && rank_key (view->weights[by_weight[j]])
                               > rank_key (view->weights[by_weight[j - 1]]); j--)
      {
        guint tmp = by_weight[j];

        by_weight[j] = by_weight[j - 1];
        by_weight[j - 1] = tmp;
      }

  boxes = g_new (OvRect, MAX (s->n_regions, 1));
  for (guint i = 0; i < s->n_regions; i++)
    ov_region_view_get_box (view->regions, i, &boxes[i]);
  cr = ov_draw_measure_context ();
  ov_draw_set_font (cr, view->label_size, TRUE);
  for (guint r = 0; r < MIN ((guint) OV_IMAGE_VIEW_MAX_LABELS, s->n_regions); r++)
    {
      guint i = by_weight[r], n = view->n_box_labels;
      g_autofree char *text = NULL;
      gboolean found = FALSE;
      OvRect b;
      double tw = 0, lx = 0, ly = 0;
      BoxesToSpare spare = { boxes, s->n_regions, i };

      if (isnan (view->weights[i]))
        break;
      b = boxes[i];
      /* Translators: a region's label on the picture: region number,
       * class and attention weight, e.g. "r2 cup 0.003"; the "r" as in
       * the attention tokens ("r3 dog"). */
      text = g_strdup_printf (_ ("r%u %s %.3f"), ov_sample_region_number (s, i),
                              s->regions[i].cls ? s->regions[i].cls : "?", view->weights[i]);
      /* beside the box; else elsewhere on the picture, with a line to the
       * box; first where no other box is hidden, then anywhere free; else
       * the same with the number alone; each only where the labels stay
       * within their share of the picture */
      for (int attempt = 0; attempt < 8 && !found; attempt++)
        {
          gboolean leader = attempt % 2 == 1;
          const BoxesToSpare *sparing = attempt % 4 < 2 ? &spare : NULL;

          if (attempt == 4)
            {
              g_free (text);
              text = g_strdup_printf ("r%u", ov_sample_region_number (s, i));
            }
          tw = ov_draw_text_width (cr, text);
          /* a label wider than the picture: the number alone */
          if (tw + 4 > x1 - x0 && attempt < 4)
            continue;
          if (n > 0 && covered + (tw + 4) * label_h > BOX_LABELS_MAX_COVER * picture)
            continue;
          found = leader ? place_label_near (&b, tw + 4, label_h, x0, x1, view->image_h,
                                             view->box_label_rect, n, sparing, &lx, &ly)
                         : place_box_label (&b, tw + 4, label_h, x0, x1, view->image_h,
                                            view->box_label_rect, n, sparing, &lx, &ly);
          view->box_label_leader[n] = leader;
        }
      if (!found && n > 0)
        continue;
      if (!found)
        {
          /* the strongest region: its number at its box, whatever it covers */
          view->box_label_leader[n] = FALSE;
          lx = MAX (x0, MIN (b.x, x1 - tw - 4));
          ly = CLAMP (b.y, 0.0, MAX (0.0, view->image_h - label_h));
        }
      covered += (tw + 4) * label_h;
      view->box_label_box[n] = b;
      view->box_label_region[n] = i;
      view->box_label_rect[n] = (OvRect) { lx, ly, tw + 4, label_h };
      view->box_label_text[n] = g_steal_pointer (&text);
      view->n_box_labels++;
    }
  cairo_destroy (cr);
}

gboolean
ov_attention_image_view_get_box_label (OvAttentionImageView *view,
                                       guint                 index,
                                       guint                *region,
                                       OvRect               *rect,
                                       const char          **text)
{
  if (index >= view->n_box_labels)
    return FALSE;
  if (region != NULL)
    *region = view->box_label_region[index];
  if (rect != NULL)
    {
      *rect = view->box_label_rect[index];
      rect->x += MARGIN;
      rect->y += view->title_h;
    }
  if (text != NULL)
    *text = view->box_label_text[index];
  return TRUE;
}

gboolean
ov_attention_image_view_get_chip (OvAttentionImageView *view,
                                  guint                 index,
                                  int                  *position,
                                  OvRect               *rect)
{
  if (index >= view->chips->len)
    return FALSE;
  if (position != NULL)
    *position = g_array_index (view->chip_pos, int, index);
  if (rect != NULL)
    *rect = g_array_index (view->chips, OvRect, index);
  return TRUE;
}

void
ov_attention_image_view_draw (OvAttentionImageView *view, cairo_t *cr)
{
  const OvSample *s = view->sample;
  g_autofree guint *order = NULL;
  guint n;
  /* lines as thin as the picture is small, down to 0.3 of their width
   * (view->k stops at the smallest text) */
  double lw = CLAMP (MIN ((view->width - view->legend_w - 2 * MARGIN) / IMAGE_FULL_W,
                          view->image_h / IMAGE_FULL_H), 0.3, 1.0);

  cairo_save (cr);
  draw_title_lines (cr, view->title_lines, view->title_font, view->width);
  cairo_save (cr);
  cairo_translate (cr, MARGIN, view->title_h);
  ov_region_view_draw_image (view->regions, cr);
  order = ov_region_view_paint_order (view->regions, &n);

  if (!view->reverse)
    {
      /* Larger boxes first so that small ones stay visible on top; every
       * box is outlined in its weight's colour, thicker the larger it is,
       * and tinted faintly with it: a stronger tint would change the
       * colours of the objects, which a question may be about. */
      for (guint k = 0; k < n; k++)
        {
          guint i = order[k];
          /* (a weight past a fixed scale's end is drawn at the end) */
          double t = CLAMP (view->weights[i] / view->scale.hi, 0.0, 1.0);
          OvColor c = ov_color_scale_map (&view->scale, view->weights[i]);
          OvRect b;

          ov_region_view_get_box (view->regions, i, &b);
          if (isnan (view->weights[i]))
            {
              const double dash[] = { 4.0 * lw, 3.0 * lw };

              cairo_set_source_rgba (cr, 0.4, 0.4, 0.4, 0.8);
              cairo_set_line_width (cr, 1.0 * lw);
              cairo_set_dash (cr, dash, 2, 0);
              cairo_rectangle (cr, b.x, b.y, b.width, b.height);
              cairo_stroke (cr);
              cairo_set_dash (cr, NULL, 0, 0);
              continue;
            }
          cairo_set_source_rgba (cr, c.r, c.g, c.b, 0.04 + 0.12 * t);
          cairo_rectangle (cr, b.x, b.y, b.width, b.height);
          cairo_fill (cr);
          cairo_set_source_rgba (cr, c.r, c.g, c.b, 0.6 + 0.4 * t);
          /* and never more than a sixth of a small box's side, so that
           * its object stays in view */
          cairo_set_line_width (cr, MIN ((1.5 + 2.5 * t) * lw,
                                         MAX (0.5, MIN (b.width, b.height) / 6)));
          cairo_rectangle (cr, b.x, b.y, b.width, b.height);
          cairo_stroke (cr);
        }
      /* the labels placed by the layout, never over the legend */
      ov_draw_set_font (cr, view->label_size, TRUE);
      cairo_rectangle (cr, 0, 0, view->width - view->legend_w - 2 * MARGIN, view->image_h);
      cairo_clip (cr);
      for (guint l = 0; l < view->n_box_labels; l++)
        {
          const OvRect *r = &view->box_label_rect[l], *b = &view->box_label_box[l];

          if (view->box_label_leader[l])
            {
              /* from the label's nearest edge to the box's centre */
              double cx = b->x + b->width / 2, cy = b->y + b->height / 2;

              cairo_set_source_rgba (cr, 0, 0, 0, 0.7);
              cairo_set_line_width (cr, 1.0 * lw);
              cairo_move_to (cr, CLAMP (cx, r->x, r->x + r->width),
                             CLAMP (cy, r->y, r->y + r->height));
              cairo_line_to (cr, cx, cy);
              cairo_stroke (cr);
            }
          cairo_set_source_rgba (cr, 0, 0, 0, 0.7);
          cairo_rectangle (cr, r->x, r->y, r->width, r->height);
          cairo_fill (cr);
          cairo_set_source_rgb (cr, 1, 1, 1);
          ov_draw_text (cr, r->x + 2, r->y + r->height / 2, 0.0, 0.5, view->box_label_text[l]);
        }
    }
  else
    {
      /* The other regions thin and grey for context, the chosen one thick
       * in its class colour on a white halo, so that it stands out on a
       * picture of any colour (a brown box on a brown cup). */
      OvColor c = ov_palette_color (view->palette, s->regions[view->subject].cls);
      OvRect b;

      cairo_set_source_rgba (cr, 0.3, 0.3, 0.3, 0.6);
      cairo_set_line_width (cr, 1.0 * lw);
      for (guint k = 0; k < n; k++)
        if ((int) order[k] != view->subject)
          {
            ov_region_view_get_box (view->regions, order[k], &b);
            cairo_rectangle (cr, b.x, b.y, b.width, b.height);
          }
      cairo_stroke (cr);
      ov_region_view_get_box (view->regions, view->subject, &b);
      cairo_rectangle (cr, b.x, b.y, b.width, b.height);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
      cairo_set_line_width (cr, 7.0 * lw);
      cairo_stroke_preserve (cr);
      cairo_set_source_rgb (cr, c.r, c.g, c.b);
      cairo_set_line_width (cr, 4.0 * lw);
      cairo_stroke (cr);
    }
  cairo_restore (cr);

  if (view->reverse)
    {
      double f = view->chip_font / 11.0;

      ov_draw_use_ink (cr, OV_INK_TEXT);
      ov_draw_set_font (cr, view->head_font, TRUE);
      ov_draw_text (cr, MARGIN, view->title_h + view->image_h + 4 * f, 0.0, 0.0,
                    view->head_text);
      ov_draw_set_font (cr, view->chip_font, FALSE);
      for (guint c = 0; c < view->chips->len; c++)
        {
          OvRect r = g_array_index (view->chips, OvRect, c);
          int p = g_array_index (view->chip_pos, int, c);
          OvColor col = ov_color_scale_map (&view->scale, view->weights[p]);
          OvColor seg = ov_attention_segment_color (view->segments[p]);

          cairo_set_source_rgb (cr, col.r, col.g, col.b);
          cairo_rectangle (cr, r.x, r.y, r.width, r.height);
          cairo_fill (cr);
          cairo_set_source_rgb (cr, seg.r, seg.g, seg.b);
          cairo_rectangle (cr, r.x, r.y + r.height - 3 * f, r.width, 3 * f);
          cairo_fill (cr);
          if (ov_color_luminance (col) > 0.5)
            cairo_set_source_rgb (cr, 0, 0, 0);
          else
            cairo_set_source_rgb (cr, 1, 1, 1);
          ov_draw_text (cr, r.x + 4 * f, r.y + (r.height - 3 * f) / 2, 0.0, 0.5,
                        view->labels[p]);
        }
      if (view->hidden_note != NULL && view->chips->len > 0)
        {
          OvRect r = g_array_index (view->chips, OvRect, view->chips->len - 1);

          ov_draw_use_ink (cr, OV_INK_DIM);
          ov_draw_text (cr, r.x + r.width + 4 * f, r.y + (r.height - 3 * f) / 2, 0.0, 0.5,
                        view->hidden_note);
        }
    }

  if (view->dashed_font > 0)
    {
      cairo_t *m = ov_draw_measure_context ();
      /* Translators: under the picture of attention on the regions, where
       * some boxes are drawn dashed. */
      const char *text = _ ("dashed boxes: regions the model was not given");
      g_autofree char *shown = NULL;

      ov_draw_set_font (m, view->dashed_font, FALSE);
      shown = ov_draw_ellipsize (m, text, view->width - 2 * MARGIN);
      cairo_destroy (m);
      ov_draw_set_font (cr, view->dashed_font, FALSE);
      ov_draw_use_ink (cr, OV_INK_DIM);
      ov_draw_text (cr, MARGIN, view->height - MARGIN, 0.0, 1.0, shown);
    }

  if (view->legend_below_h > 0)
    {
      /* under the picture's middle, as wide as a column legend is tall */
      double fw, fh, shown_w = view->width - 2 * MARGIN, bar_w;

      ov_region_view_get_frame_size (view->regions, &fw, &fh);
      if (fw > 0 && fh > 0)
        shown_w = MIN (shown_w, view->image_h * fw / fh);
      bar_w = MIN (shown_w, 300 * view->k);
      ov_draw_color_bar_across (cr, &view->scale, MARGIN + (shown_w - bar_w) / 2,
                                view->title_h + view->image_h + 10 * view->k, bar_w,
                                10 * view->k, _ ("attention"), view->chip_font);
    }
  else
    {
      gboolean present[5] = { FALSE };

      present[OV_SEGMENT_WORD] = present[OV_SEGMENT_TAG] = view->reverse;
      if (view->query >= 0)
        present[view->segments[view->query]] = TRUE;
      /* the chips stop short of the legend's column, which runs to the
       * bottom */
      draw_legend (cr, &view->scale, _ ("attention"), present,
                   view->width - view->legend_w + 8 - view->legend_shift,
                   view->title_h + 24 * view->k,
                   view->legend_want_h, view->height - MARGIN, view->k);
    }
  cairo_restore (cr);
}

void
ov_attention_image_view_get_image_origin (OvAttentionImageView *view, double *x, double *y)
{
  *x = MARGIN;
  *y = view->title_h;
}

gboolean
ov_attention_image_view_hit (OvAttentionImageView *view, double x, double y, OvImageHit *hit)
{
  int r;

  hit->region = -1;
  hit->position = -1;
  hit->value = NAN;
  for (guint c = 0; c < view->chips->len; c++)
    {
      OvRect rc = g_array_index (view->chips, OvRect, c);

      if (x >= rc.x && x < rc.x + rc.width && y >= rc.y && y < rc.y + rc.height)
        {
          hit->position = g_array_index (view->chip_pos, int, c);
          hit->value = view->weights[hit->position];
          return TRUE;
        }
    }
  r = ov_region_view_hit (view->regions, x - MARGIN, y - view->title_h);
  if (r < 0)
    return FALSE;
  hit->region = r;
  if (!view->reverse)
    hit->value = view->weights[r];
  return TRUE;
}

void
ov_attention_image_view_paint (cairo_t *cr, double width, double height, gpointer view)
{
  ov_attention_image_view_layout (view, width, height);
  ov_attention_image_view_draw (view, cr);
}

/* ---- caption rows ---- */

struct _OvCaptionView
{
  OvCaptionAttention *ca;
  cairo_surface_t    *cache;    /* the matrix image, made on first paint */
  char               *title;
  GStrv               title_lines;
  double              title_font, title_h;
  OvColorScale        scale;
  double              width, height, x0, y0, cw, ch, label_w;
  double              col_label_w;   /* the longest a column label may be */
  int                 label_step;   /* every how many columns is labelled */
  double              word_font;
  int                 word_step;    /* every how many rows (words) is labelled */
  double              k;            /* ov_draw_shrink of the size */
  double              col_font;     /* the column labels' text size */
  double              corner_font;  /* "generated word", and the note under it */
  double              note_font;
  double              legend_want_h;
  gboolean            corner_line;  /* "generated word" has a line over the labels */
  gboolean            show_key;     /* FALSE where the page has no room for the key */
  gboolean            note_on_top;  /* the step note has a line over the labels */
  double              dx;           /* how far right the whole was moved to centre it */
  GStrv               head_lines;   /* "generated word", fitted to the corner */
  double              head_font;
  GStrv               note_lines;   /* the step note, fitted */
  char               *step_note;    /* says so where either is more than one, or NULL */
};

OvCaptionView *
ov_caption_view_new (const OvCaptionAttention *ca, const char *title)
{
  OvCaptionView *v;
  double hi = 0.0;
  gsize n;

  g_return_val_if_fail (ca != NULL, NULL);

  v = g_new0 (OvCaptionView, 1);
  v->ca = ov_caption_attention_new ();
  v->ca->n_steps = ca->n_steps;
  v->ca->n_cols = ca->n_cols;
  v->ca->words = g_strdupv (ca->words);
  v->ca->col_labels = g_strdupv (ca->col_labels);
  v->ca->col_segments = g_memdup2 (ca->col_segments, sizeof (OvSegment) * MAX (ca->n_cols, 1));
  n = (gsize) ca->n_steps * ca->n_cols;
  v->ca->values = g_memdup2 (ca->values, sizeof (float) * MAX (n, 1));
  for (gsize k = 0; k < n; k++)
    if (isfinite (ca->values[k]))
      hi = MAX (hi, ca->values[k]);
  v->scale = sequential_scale (hi);
  v->title = g_strdup (title);
  v->title_h = TITLE_H;
  return v;
}

void
ov_caption_view_set_scale_max (OvCaptionView *view, double vmax)
{
  g_return_if_fail (view != NULL && vmax > 0 && isfinite (vmax));

  view->scale = fixed_scale (FALSE, vmax);
  g_clear_pointer (&view->cache, cairo_surface_destroy);
}

void
ov_caption_view_free (OvCaptionView *view)
{
  if (view == NULL)
    return;
  ov_caption_attention_free (view->ca);
  g_clear_pointer (&view->cache, cairo_surface_destroy);
  g_free (view->title);
  g_strfreev (view->title_lines);
  g_free (view->step_note);
  g_strfreev (view->head_lines);
  g_strfreev (view->note_lines);
  g_free (view);
}

/* A caption view of CAPTION_FULL_W x CAPTION_FULL_H points or larger has
 * text of full size; a smaller one multiplies its sizes by its shrink
 * factor. */
#define CAPTION_FULL_W 400.0
#define CAPTION_FULL_H 400.0

static void
caption_layout (OvCaptionView *view, double width, double height, gboolean corner_line,
                gboolean note_on_top)
{
  double col_label_h, legend_w, k = ov_draw_shrink (width, height, CAPTION_FULL_W,
                                                      CAPTION_FULL_H);
  int n_rows = MAX (view->ca->n_steps, 1), n_cols = MAX (view->ca->n_cols, 1);
  cairo_t *cr = ov_draw_measure_context ();

  view->width = width;
  view->height = height;
  view->k = k;
  view->col_font = ov_draw_font_size (LABEL_FONT, k);
  view->corner_font = ov_draw_font_size (9, k);
  view->note_font = ov_draw_font_size (7, k);
  g_strfreev (view->title_lines);
  view->title_lines = fit_view_title (view->title, width, 8, k, &view->title_font,
                                      &view->title_h);
  /* the column labels take at most 30 % of the page's height, so that
   * the matrix keeps the rest down to the bottom margin */
  ov_draw_set_font (cr, view->col_font, FALSE);
  col_label_h = MIN (MIN (labels_width (cr, view->ca->col_labels, view->ca->n_cols),
                          LABEL_MAX_W * k) + 6 * k,
                     MAX (24.0 * k, 0.3 * height));
  view->col_label_w = col_label_h - 6 * k;
  view->y0 = view->title_h + col_label_h + (STRIP_W + 2) * k;
  view->note_on_top = note_on_top;
  if (note_on_top)
    view->y0 += ov_draw_line_height (view->note_font);
  view->corner_line = corner_line;
  if (corner_line)
    view->y0 += ov_draw_line_height (view->corner_font);
  /* rows as high as fit above the bottom margin, however many */
  view->ch = MIN (MAX (height - view->y0 - MARGIN, 1.0) / n_rows, 28.0);
  /* rows lower than the smallest text: every k-th word */
  view->word_font = MIN (ov_draw_font_size (11, k), MAX (OV_DRAW_MIN_FONT, view->ch * 0.6));
  view->word_step = MAX (1, (int) ceil (view->word_font / view->ch - 1e-9));
  ov_draw_set_font (cr, view->word_font, FALSE);
  view->label_w = MIN (labels_width (cr, view->ca->words, view->ca->n_steps), LABEL_MAX_W * k)
                  + 8 * k;
  view->x0 = MARGIN + view->label_w + 4 * k;
  view->legend_want_h = MIN (160 * k, MAX (60 * k, (height - view->y0 - MARGIN) * 0.6));
  {
    gboolean present[5] = { FALSE };

    for (int c = 0; c < view->ca->n_cols; c++)
      present[view->ca->col_segments[c]] = TRUE;
    legend_w = 16 * k + legend_width (&view->scale, _ ("attention"), present, view->y0 + 16 * k,
                                      view->legend_want_h, height - MARGIN, k);
    /* a page too small for the key beside a matrix of a third of its
     * width leaves the key out (a known shortcoming of the smallest) */
    view->show_key = width - view->x0 - legend_w - MARGIN >= (width - view->x0) / 3;
    if (!view->show_key)
      legend_w = 16 * k + legend_width (&view->scale, _ ("attention"), NULL,
                                        view->y0 + 16 * k, view->legend_want_h,
                                        height - MARGIN, k);
  }
  view->cw = MAX (1.0, (width - view->x0 - legend_w - MARGIN) / n_cols);
  view->cw = MIN (view->cw, 40.0);
  /* columns at their widest leave room on a wide page: the whole in its
   * middle */
  view->dx = MAX (0.0, (width - view->x0 - legend_w - MARGIN - n_cols * view->cw) / 2);
  view->x0 += view->dx;
  view->label_step = MAX (1, (int) ceil ((view->col_font + k) / view->cw));
  /* under "generated word ↓", in the corner left of the column labels */
  g_clear_pointer (&view->step_note, g_free);
  view->step_note = label_step_note (view->word_step, view->label_step);
  cairo_destroy (cr);
}

/* The room from the corner's left to the first labelled column whose
 * label reaches higher than bottom: the whole width where none does. */
static double
caption_corner_room (OvCaptionView *view, cairo_t *cr, double bottom)
{
  double k = view->k, room = view->width - 2 * MARGIN - view->dx;

  ov_draw_set_font (cr, view->col_font, FALSE);
  for (int c = 0; c < view->ca->n_cols; c += view->label_step)
    if (view->y0 - (STRIP_W + 3) * k - MIN (ov_draw_text_width (cr, view->ca->col_labels[c]),
                                             view->col_label_w) < bottom)
      {
        room = MIN (room, view->x0 + (c + 0.5) * view->cw - 0.7 * view->col_font
                          - MARGIN - view->dx);
        break;
      }
  return MAX (room, 1.0);
}

static gboolean
lines_cut (GStrv lines)
{
  g_autofree char *joined = g_strjoinv (" ", lines);

  return strstr (joined, "…") != NULL;
}

/* "generated word ↓" and under it the note on thinned labels, in the
 * corner over the words, as far right as the column labels leave room:
 * in two (the note three) lines where one is too wide; where even those
 * are cut, each in a line of its own over the column labels. */
static void
caption_corner (OvCaptionView *view, gboolean *cut_head, gboolean *cut_note)
{
  cairo_t *cr = ov_draw_measure_context ();
  double top = view->title_h, line = ov_draw_line_height (view->corner_font);
  double room;

  g_clear_pointer (&view->head_lines, g_strfreev);
  g_clear_pointer (&view->note_lines, g_strfreev);
  room = view->corner_line ? view->width - 2 * MARGIN - view->dx
                           : caption_corner_room (view, cr, top + 2 * line);
  ov_draw_set_font (cr, view->corner_font, FALSE);
  /* Translators: over the caption attention figure: its rows are the
   * generated words. */
  view->head_lines = ov_draw_fit_title (cr, _ ("generated word ↓"), room, view->corner_font,
                                        OV_DRAW_MIN_FONT, view->corner_line ? 1 : 2,
                                        &view->head_font);
  *cut_head = lines_cut (view->head_lines);
  *cut_note = FALSE;
  /* nor may the corner's lines reach down to the matrix */
  if (!view->corner_line
      && top + g_strv_length (view->head_lines) * ov_draw_line_height (view->head_font)
         > view->y0 - (STRIP_W + 1) * view->k)
    *cut_head = TRUE;
  if (view->step_note != NULL)
    {
      double nline = ov_draw_line_height (view->note_font);

      top += g_strv_length (view->head_lines) * ov_draw_line_height (view->head_font) + view->k;
      room = view->note_on_top ? view->width - 2 * MARGIN - view->dx
                               : caption_corner_room (view, cr, top + 3 * nline);
      ov_draw_set_font (cr, view->note_font, FALSE);
      view->note_lines = ov_draw_fit_title (cr, view->step_note, room, view->note_font,
                                            view->note_font, view->note_on_top ? 1 : 3, NULL);
      *cut_note = lines_cut (view->note_lines)
                  || (!view->note_on_top
                      && top + g_strv_length (view->note_lines) * nline
                         > view->y0 - (STRIP_W + 1) * view->k);
    }
  cairo_destroy (cr);
}

void
ov_caption_view_layout (OvCaptionView *view, double width, double height)
{
  gboolean cut_head, cut_note;

  caption_layout (view, width, height, FALSE, FALSE);
  caption_corner (view, &cut_head, &cut_note);
  if (cut_head)
    {
      caption_layout (view, width, height, TRUE, FALSE);
      caption_corner (view, &cut_head, &cut_note);
    }
  if (cut_note)
    {
      /* both over the column labels, each in a line of the full width */
      caption_layout (view, width, height, TRUE, TRUE);
      caption_corner (view, &cut_head, &cut_note);
    }
}

const char *
ov_caption_view_get_label_note (OvCaptionView *view)
{
  return view->step_note;
}

void
ov_caption_view_draw (OvCaptionView *view, cairo_t *cr)
{
  const OvCaptionAttention *ca = view->ca;
  double k = view->k;
  gboolean present[5] = { FALSE };

  cairo_save (cr);
  draw_title_lines (cr, view->title_lines, view->title_font, view->width);
  if (ca->n_steps == 0 || ca->n_cols == 0)
    {
      cairo_restore (cr);
      return;
    }
  paint_matrix (cr, ca->values, ca->n_steps, ca->n_cols, &view->scale, view->x0, view->y0,
                ca->n_cols * view->cw, ca->n_steps * view->ch, &view->cache);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
  for (int c = 1; c < ca->n_cols; c++)
    if (ca->col_segments[c] != ca->col_segments[c - 1])
      {
        cairo_move_to (cr, view->x0 + c * view->cw, view->y0);
        cairo_line_to (cr, view->x0 + c * view->cw, view->y0 + ca->n_steps * view->ch);
        cairo_stroke (cr);
      }

  for (int c = 0; c < ca->n_cols; c++)
    {
      OvColor col = ov_attention_segment_color (ca->col_segments[c]);

      present[ca->col_segments[c]] = TRUE;
      cairo_set_source_rgb (cr, col.r, col.g, col.b);
      cairo_rectangle (cr, view->x0 + c * view->cw, view->y0 - (STRIP_W + 1) * k, view->cw,
                       STRIP_W * k);
      cairo_fill (cr);
    }
  ov_draw_use_ink (cr, OV_INK_TEXT);
  ov_draw_set_font (cr, view->col_font, FALSE);
  for (int c = 0; c < ca->n_cols; c += view->label_step)
    {
      g_autofree char *text = ov_draw_ellipsize (cr, ca->col_labels[c], view->col_label_w);

      ov_draw_text_vertical (cr, view->x0 + (c + 0.5) * view->cw,
                             view->y0 - (STRIP_W + 3) * k, 0.0, 0.5, text);
    }
  ov_draw_set_font (cr, view->word_font, FALSE);
  for (int s = 0; s < ca->n_steps; s += view->word_step)
    {
      g_autofree char *text = ov_draw_ellipsize (cr, ca->words[s], view->label_w - 4 * k);

      ov_draw_text (cr, view->x0 - 4 * k, view->y0 + (s + 0.5) * view->ch, 1.0, 0.5, text);
    }
  ov_draw_use_ink (cr, OV_INK_DIM);
  {
    double y = view->title_h;

    ov_draw_set_font (cr, view->head_font, FALSE);
    for (guint i = 0; view->head_lines != NULL && view->head_lines[i] != NULL;
         i++, y += ov_draw_line_height (view->head_font))
      ov_draw_text (cr, MARGIN + view->dx, y, 0.0, 0.0, view->head_lines[i]);
    y += k;
    ov_draw_set_font (cr, view->note_font, FALSE);
    for (guint i = 0; view->note_lines != NULL && view->note_lines[i] != NULL; i++)
      ov_draw_text (cr, MARGIN + view->dx, y + i * ov_draw_line_height (view->note_font), 0.0,
                    0.0, view->note_lines[i]);
  }

  draw_legend (cr, &view->scale, _ ("attention"), view->show_key ? present : NULL,
               view->x0 + ca->n_cols * view->cw + 16 * k, view->y0 + 16 * k, view->legend_want_h,
               view->height - MARGIN, k);
  cairo_restore (cr);
}

gboolean
ov_caption_view_hit (OvCaptionView *view, double x, double y, OvCaptionHit *hit)
{
  int c, s;

  if (x < view->x0 || y < view->y0)
    return FALSE;
  c = (int) floor ((x - view->x0) / view->cw);
  s = (int) floor ((y - view->y0) / view->ch);
  return ov_caption_view_get_cell (view, s, c, hit);
}

gboolean
ov_caption_view_cell_center (OvCaptionView *view, int step, int col, double *x, double *y)
{
  if (step < 0 || col < 0 || step >= view->ca->n_steps || col >= view->ca->n_cols)
    return FALSE;
  *x = view->x0 + (col + 0.5) * view->cw;
  *y = view->y0 + (step + 0.5) * view->ch;
  return TRUE;
}

gboolean
ov_caption_view_cell_rect (OvCaptionView *view, int step, int col, OvRect *rect)
{
  if (step < 0 || col < 0 || step >= view->ca->n_steps || col >= view->ca->n_cols)
    return FALSE;
  *rect = (OvRect) { view->x0 + col * view->cw, view->y0 + step * view->ch, view->cw,
                     view->ch };
  return TRUE;
}

void
ov_caption_view_draw_mark (OvCaptionView *view, cairo_t *cr, int step, int col)
{
  OvRect r;

  if (ov_caption_view_cell_rect (view, step, col, &r))
    draw_cell_frame (cr, &r, 1.5 * view->k, view->k);
}

gboolean
ov_caption_view_get_cell (OvCaptionView *view, int step, int col, OvCaptionHit *hit)
{
  if (step < 0 || col < 0 || step >= view->ca->n_steps || col >= view->ca->n_cols)
    return FALSE;
  hit->step = step;
  hit->col = col;
  hit->value = view->ca->values[(gsize) step * view->ca->n_cols + col];
  hit->word = view->ca->words[step];
  hit->col_label = view->ca->col_labels[col];
  return TRUE;
}

void
ov_caption_view_get_size (OvCaptionView *view, int *n_steps, int *n_cols)
{
  *n_steps = view->ca->n_steps;
  *n_cols = view->ca->n_cols;
}

void
ov_caption_view_paint (cairo_t *cr, double width, double height, gpointer view)
{
  ov_caption_view_layout (view, width, height);
  ov_caption_view_draw (view, cr);
}
