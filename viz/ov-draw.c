/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Colour scales, the class palette and text drawing shared by the renderers.
 * Nothing here knows what is being drawn.
 */
#define G_LOG_DOMAIN "ov-draw"

#include <math.h>
#include <string.h>

#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "ov-draw.h"

/* The family of every figure's text (ov_draw_set_family); NULL: "Sans" */
static char *text_family;

/* The size of cr's font, in points (its matrix's scale). */
static double
cairo_font_extents_size (cairo_t *cr)
{
  cairo_matrix_t m;

  cairo_get_font_matrix (cr, &m);
  return hypot (m.xx, m.yx);
}

/* Stops of matplotlib's viridis at 0, 1/4, 1/2, 3/4, 1 (perceptually even,
 * readable in grey), and of ColorBrewer's RdBu (blue, near white, red). */
static const OvColor sequential_stops[] = {
  { 0x44 / 255.0, 0x01 / 255.0, 0x54 / 255.0 },
  { 0x3b / 255.0, 0x52 / 255.0, 0x8b / 255.0 },
  { 0x21 / 255.0, 0x91 / 255.0, 0x8c / 255.0 },
  { 0x5e / 255.0, 0xc9 / 255.0, 0x62 / 255.0 },
  { 0xfd / 255.0, 0xe7 / 255.0, 0x25 / 255.0 },
};
static const OvColor diverging_stops[] = {
  { 0x21 / 255.0, 0x66 / 255.0, 0xac / 255.0 },
  { 0x92 / 255.0, 0xc5 / 255.0, 0xde / 255.0 },
  { 0xf7 / 255.0, 0xf7 / 255.0, 0xf7 / 255.0 },
  { 0xf4 / 255.0, 0xa5 / 255.0, 0x82 / 255.0 },
  { 0xb2 / 255.0, 0x18 / 255.0, 0x2b / 255.0 },
};

static OvColor
interpolate_stops (const OvColor *stops, int n_stops, double t)
{
  double pos;
  int k;
  double f;

  if (isnan (t))
    t = 0.0;
  t = CLAMP (t, 0.0, 1.0);
  pos = t * (n_stops - 1);
  k = MIN ((int) pos, n_stops - 2);
  f = pos - k;
  return (OvColor) {
    stops[k].r + f * (stops[k + 1].r - stops[k].r),
    stops[k].g + f * (stops[k + 1].g - stops[k].g),
    stops[k].b + f * (stops[k + 1].b - stops[k].b),
  };
}

OvColor
ov_colormap_sequential (double t)
{
  return interpolate_stops (sequential_stops, G_N_ELEMENTS (sequential_stops), t);
}

OvColor
ov_colormap_diverging (double t)
{
  return interpolate_stops (diverging_stops, G_N_ELEMENTS (diverging_stops), t);
}

OvColor
ov_color_scale_map (const OvColorScale *scale, double value)
{
  double span;

  g_return_val_if_fail (scale != NULL, ov_colormap_sequential (0.0));

  span = scale->hi - scale->lo;
  if (!(span > 0))
    span = 1.0;
  if (scale->kind == OV_COLOR_SCALE_DIVERGING)
    return ov_colormap_diverging ((value - scale->lo) / span);
  return ov_colormap_sequential ((value - scale->lo) / span);
}

double
ov_color_luminance (OvColor c)
{
  return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
}

/* Ink */

static const cairo_user_data_key_t ink_key;

const OvInk *
ov_ink_light (void)
{
  static const OvInk light = {
    .background = { 1.0, 1.0, 1.0 },
    .text = { 0.0, 0.0, 0.0 },
    .dim = { 0.3, 0.3, 0.3 },
    .no_data = { 0.78, 0.78, 0.78 },
  };

  return &light;
}

void
ov_draw_set_ink (cairo_t     *cr,
                 const OvInk *ink)
{
  g_return_if_fail (cr != NULL);

  cairo_set_user_data (cr, &ink_key, ink != NULL ? g_memdup2 (ink, sizeof *ink) : NULL,
                       g_free);
}

const OvInk *
ov_draw_get_ink (cairo_t *cr)
{
  const OvInk *ink;

  g_return_val_if_fail (cr != NULL, ov_ink_light ());

  ink = cairo_get_user_data (cr, &ink_key);
  return ink != NULL ? ink : ov_ink_light ();
}

void
ov_draw_use_ink (cairo_t   *cr,
                 OvInkPart  part)
{
  const OvInk *ink = ov_draw_get_ink (cr);
  OvColor c;

  switch (part)
    {
    case OV_INK_BACKGROUND: c = ink->background; break;
    case OV_INK_DIM: c = ink->dim; break;
    case OV_INK_NO_DATA: c = ink->no_data; break;
    case OV_INK_TEXT:
    default: c = ink->text; break;
    }
  cairo_set_source_rgb (cr, c.r, c.g, c.b);
}

void
ov_draw_use_grey (cairo_t *cr,
                  double   grey,
                  double   alpha)
{
  const OvInk *ink = ov_draw_get_ink (cr);
  OvColor b = ink->background, f = ink->text;

  /* the light ink's grey as given, so that exports keep their exact shades */
  if (ink == ov_ink_light ())
    cairo_set_source_rgba (cr, grey, grey, grey, alpha);
  else
    cairo_set_source_rgba (cr, f.r + (b.r - f.r) * grey, f.g + (b.g - f.g) * grey,
                           f.b + (b.b - f.b) * grey, alpha);
}

double
ov_draw_round_step (double range,
                    int    n_steps)
{
  static const double mult[] = { 1, 2, 2.5, 5, 10 };
  double raw = range / MAX (n_steps, 1), mag;

  if (!(range > 0) || !isfinite (range))
    return 0;
  mag = pow (10, floor (log10 (raw)));
  for (guint k = 0; k < G_N_ELEMENTS (mult); k++)
    if (mult[k] * mag >= raw * 0.999)
      return mult[k] * mag;
  return 10 * mag;
}

/* One labelled tick of a colour bar at value v; only measures its label
 * when draw is not set. Returns the label's right end. */
static double
draw_tick (cairo_t            *cr,
           double              x,
           double              y,
           double              w,
           double              h,
           const OvColorScale *scale,
           double              v,
           gboolean            draw)
{
  double range = scale->hi - scale->lo;
  double ty = y + (range > 0 ? h * (scale->hi - v) / range : 0);
  double size = cairo_font_extents_size (cr);
  char buf[32];

  g_snprintf (buf, sizeof buf, "%.3g", fabs (v) < 1e-12 ? 0.0 : v);
  if (draw)
    {
      ov_draw_use_ink (cr, OV_INK_DIM);
      cairo_move_to (cr, x + w, ty);
      cairo_line_to (cr, x + w + 0.4 * size, ty);
      cairo_stroke (cr);
      ov_draw_use_ink (cr, OV_INK_TEXT);
      ov_draw_text (cr, x + w + 0.6 * size, ty, 0.0, 0.5, buf);
    }
  return x + w + 0.6 * size + ov_draw_text_width (cr, buf);
}

/* The ticks of a bar of height h: the two ends, which say the range
 * exactly, and round values (1, 2, 2.5 or 5 times a power of ten, about 5
 * of them, fewer on a short bar so that their labels stay apart); a round
 * tick too near an end gives way to it. Returns the labels' right end. */
static double
bar_ticks (cairo_t            *cr,
           const OvColorScale *scale,
           double              x,
           double              y,
           double              w,
           double              h,
           gboolean            draw)
{
  double size = cairo_font_extents_size (cr);
  int n_ticks = CLAMP ((int) (h / (1.5 * size)), 3, 5);
  double range = scale->hi - scale->lo;
  double step = ov_draw_round_step (range, n_ticks - 1);
  double apart = MAX (0.12 * range, 1.2 * size * range / h), right = x + w;

  /* (MAX would draw a tick twice: it evaluates the larger argument again) */
  for (int end = 0; end < 2; end++)
    {
      double r = draw_tick (cr, x, y, w, h, scale, end == 0 ? scale->hi : scale->lo, draw);

      right = MAX (right, r);
    }
  if (step > 0)
    for (double v = ceil (scale->lo / step) * step; v <= scale->hi; v += step)
      if (v - scale->lo > apart && scale->hi - v > apart)
        {
          double r = draw_tick (cr, x, y, w, h, scale, fabs (v) < step * 1e-6 ? 0.0 : v,
                                draw);

          right = MAX (right, r);
        }
  return right;
}

/* A colour bar's gradient in 64 steps and its frame: hi at the top, or
 * across (lo at the left). */
static void
draw_gradient (cairo_t            *cr,
               const OvColorScale *scale,
               double              x,
               double              y,
               double              w,
               double              h,
               gboolean            across)
{
  const int n_steps = 64;

  for (int i = 0; i < n_steps; i++)
    {
      double t = (i + 0.5) / n_steps;
      OvColor c = ov_color_scale_map (scale, across ? scale->lo + (scale->hi - scale->lo) * t
                                                    : scale->hi - (scale->hi - scale->lo) * t);

      cairo_set_source_rgb (cr, c.r, c.g, c.b);
      if (across)
        cairo_rectangle (cr, x + w * i / n_steps, y, w / n_steps + 0.5, h);
      else
        cairo_rectangle (cr, x, y + h * i / n_steps, w, h / n_steps + 0.5);
      cairo_fill (cr);
    }
  ov_draw_use_ink (cr, OV_INK_DIM);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, x + 0.5, y + 0.5, w - 1, h - 1);
  cairo_stroke (cr);
}

/* One tick under a horizontal bar at value v, its label centred under it
 * but kept within the bar's ends. */
static void
draw_tick_across (cairo_t            *cr,
                  double              x,
                  double              y,
                  double              w,
                  double              h,
                  const OvColorScale *scale,
                  double              v)
{
  double range = scale->hi - scale->lo;
  double tx = x + (range > 0 ? w * (v - scale->lo) / range : 0);
  double size = cairo_font_extents_size (cr), tw;
  char buf[32];

  g_snprintf (buf, sizeof buf, "%.3g", fabs (v) < 1e-12 ? 0.0 : v);
  tw = ov_draw_text_width (cr, buf);
  ov_draw_use_ink (cr, OV_INK_DIM);
  cairo_move_to (cr, tx, y + h);
  cairo_line_to (cr, tx, y + h + 0.4 * size);
  cairo_stroke (cr);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  ov_draw_text (cr, CLAMP (tx - tw / 2, x - tw / 2, x + w - tw / 2), y + h + 0.5 * size, 0.0,
                0.0, buf);
}

double
ov_draw_color_bar_across_height (double h,
                                 double font_size)
{
  return h + 0.5 * font_size + ov_draw_line_height (font_size);
}

void
ov_draw_color_bar_across (cairo_t            *cr,
                          const OvColorScale *scale,
                          double              x,
                          double              y,
                          double              w,
                          double              h,
                          const char         *title,
                          double              font_size)
{
  double range = scale->hi - scale->lo, label_w, step, apart;
  int n_ticks;

  g_return_if_fail (cr != NULL && scale != NULL);

  cairo_save (cr);
  if (title != NULL)
    {
      double tw;

      ov_draw_use_ink (cr, OV_INK_TEXT);
      ov_draw_set_font (cr, font_size, TRUE);
      tw = MIN (ov_draw_text_width (cr, title), w / 2);
      {
        g_autofree char *shown = ov_draw_ellipsize (cr, title, tw);

        ov_draw_text (cr, x, y + h / 2, 0.0, 0.5, shown);
      }
      x += tw + 0.8 * font_size;
      w -= tw + 0.8 * font_size;
    }
  draw_gradient (cr, scale, x, y, w, h, TRUE);

  /* the two ends, which say the range exactly, and round values between
   * them as many as their labels leave room for */
  ov_draw_set_font (cr, font_size, FALSE);
  label_w = ov_draw_text_width (cr, "0.0000") + font_size;
  n_ticks = CLAMP ((int) (w / label_w), 2, 6);
  step = ov_draw_round_step (range, n_ticks - 1);
  apart = range > 0 ? label_w * range / w : 0;
  draw_tick_across (cr, x, y, w, h, scale, scale->lo);
  draw_tick_across (cr, x, y, w, h, scale, scale->hi);
  if (step > 0)
    for (double v = ceil (scale->lo / step) * step; v <= scale->hi; v += step)
      if (v - scale->lo > apart && scale->hi - v > apart)
        draw_tick_across (cr, x, y, w, h, scale, fabs (v) < step * 1e-6 ? 0.0 : v);
  cairo_restore (cr);
}

double
ov_draw_color_bar_width (cairo_t            *cr,
                         const OvColorScale *scale,
                         double              w,
                         double              h,
                         double              font_size)
{
  double right;

  g_return_val_if_fail (cr != NULL && scale != NULL, w);

  cairo_save (cr);
  ov_draw_set_font (cr, font_size, FALSE);
  right = bar_ticks (cr, scale, 0, 0, w, h, FALSE);
  cairo_restore (cr);
  return right;
}

void
ov_draw_color_bar (cairo_t            *cr,
                   const OvColorScale *scale,
                   double              x,
                   double              y,
                   double              w,
                   double              h,
                   const char         *title)
{
  /* the legend columns beside figures leave about 86 points for the title */
  ov_draw_color_bar_sized (cr, scale, x, y, w, h, title, 10.0, 86.0);
}

void
ov_draw_color_bar_sized (cairo_t            *cr,
                         const OvColorScale *scale,
                         double              x,
                         double              y,
                         double              w,
                         double              h,
                         const char         *title,
                         double              font_size,
                         double              max_title_w)
{
  g_return_if_fail (cr != NULL && scale != NULL);

  cairo_save (cr);
  /* Top of the bar = hi, bottom = lo, as on a map legend. */
  draw_gradient (cr, scale, x, y, w, h, FALSE);

  ov_draw_set_font (cr, font_size, FALSE);
  bar_ticks (cr, scale, x, y, w, h, TRUE);
  if (title != NULL)
    {
      /* a longer title (a translation, say) gets smaller, then cut */
      g_auto(GStrv) shown = NULL;

      ov_draw_use_ink (cr, OV_INK_TEXT);
      ov_draw_set_font (cr, font_size, TRUE);
      shown = ov_draw_fit_title (cr, title, max_title_w, font_size,
                                 MIN (font_size, MAX (OV_DRAW_MIN_FONT, 0.7 * font_size)), 1,
                                 NULL);
      ov_draw_text (cr, x, y - 0.6 * font_size, 0.0, 1.0, shown[0]);
    }
  cairo_restore (cr);
}

/* Palette */

/* A class's preferred colour comes from its name alone: FNV-1a of the name
 * picks one of the first 36 colours of ov_viz_class_color (a table chosen
 * to be told apart). The hash's basis was chosen so the 24 classes of
 * the bundled demo world land on 24 different colours. A vocabulary of more
 * than 36 classes (VinVL has 1594) always has classes that prefer the same
 * colour, so a palette that is told the classes of a view (one picture, one
 * figure) gives them distinct colours: every class keeps its preferred
 * colour unless a class before it in byte order of the names took it, and
 * such a class takes the next free one. The result depends only on the set
 * of classes, never on the order they were met. */
#define PALETTE_SLOTS 36u
#define PALETTE_BASIS (0x811c9dc5u ^ 1191050u)

struct _OvPalette
{
  GHashTable *slots;   /* class name -> colour index + 1 */
};

guint
ov_class_color_index (const char *name)
{
  guint32 h = PALETTE_BASIS;

  for (const guchar *p = (const guchar *) (name != NULL ? name : ""); *p != '\0'; p++)
    {
      h ^= *p;
      h *= 0x01000193u;
    }
  return h % PALETTE_SLOTS;
}

OvColor
ov_class_color (const char *name)
{
  return ov_viz_class_color (ov_class_color_index (name));
}

OvPalette *
ov_palette_new (void)
{
  OvPalette *palette = g_new0 (OvPalette, 1);

  palette->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return palette;
}

void
ov_palette_free (OvPalette *palette)
{
  if (palette == NULL)
    return;
  g_hash_table_unref (palette->slots);
  g_free (palette);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

void
ov_palette_assign (OvPalette         *palette,
                   const char *const *names,
                   gsize              n)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree guint8 *taken = NULL;
  g_autofree int *slot = NULL;
  guint n_slots;

  g_return_if_fail (palette != NULL);

  g_hash_table_remove_all (palette->slots);
  for (gsize i = 0; i < n; i++)
    if (names[i] != NULL && g_hash_table_add (seen, (gpointer) names[i]))
      g_ptr_array_add (sorted, (gpointer) names[i]);
  g_ptr_array_sort (sorted, compare_names);

  /* preferred colours first, then the classes that lost theirs, in order */
  n_slots = MAX (PALETTE_SLOTS, sorted->len);
  taken = g_new0 (guint8, n_slots);
  slot = g_new (int, MAX (sorted->len, 1));
  for (guint i = 0; i < sorted->len; i++)
    {
      guint want = ov_class_color_index (g_ptr_array_index (sorted, i));

      slot[i] = taken[want] ? -1 : (int) want;
      taken[want] = 1;
    }
  for (guint i = 0; i < sorted->len; i++)
    {
      guint s;

      if (slot[i] >= 0)
        continue;
      /* the 36 colours first; past them the palette goes on */
      for (s = ov_class_color_index (g_ptr_array_index (sorted, i));
           taken[s]; s = (s + 1) % n_slots)
        ;
      slot[i] = (int) s;
      taken[s] = 1;
    }
  for (guint i = 0; i < sorted->len; i++)
    g_hash_table_insert (palette->slots, g_strdup (g_ptr_array_index (sorted, i)),
                         GUINT_TO_POINTER ((guint) slot[i] + 1));
}

guint
ov_palette_index (OvPalette *palette, const char *name)
{
  gpointer v;

  g_return_val_if_fail (palette != NULL, 0);
  v = g_hash_table_lookup (palette->slots, name != NULL ? name : "");
  return v != NULL ? GPOINTER_TO_UINT (v) - 1 : ov_class_color_index (name);
}

OvColor
ov_palette_color (OvPalette *palette, const char *name)
{
  return ov_viz_class_color (ov_palette_index (palette, name));
}

/* Text */

typedef struct {
  cairo_matrix_t matrix;   /* text origin (baseline start) -> device */
  double         size;
  gboolean       bold;
  double         rgba[4];
  char          *text;
} OvTextRecord;

struct _OvTextSink
{
  GArray *records;   /* OvTextRecord */
};

static const cairo_user_data_key_t sink_key;

static void
text_record_clear (gpointer data)
{
  OvTextRecord *r = data;

  g_free (r->text);
}

static void
text_sink_free (gpointer data)
{
  OvTextSink *sink = data;

  g_array_unref (sink->records);
  g_free (sink);
}

OvTextSink *
ov_text_sink_attach (cairo_surface_t *surface)
{
  OvTextSink *sink;

  g_return_val_if_fail (surface != NULL, NULL);

  sink = g_new0 (OvTextSink, 1);
  sink->records = g_array_new (FALSE, TRUE, sizeof (OvTextRecord));
  g_array_set_clear_func (sink->records, text_record_clear);
  cairo_surface_set_user_data (surface, &sink_key, sink, text_sink_free);
  return sink;
}

void
ov_text_sink_detach (cairo_surface_t *surface)
{
  cairo_surface_set_user_data (surface, &sink_key, NULL, NULL);
}

guint
ov_text_sink_get_count (OvTextSink *sink)
{
  return sink->records->len;
}

/* The CSS generic family of a generic fontconfig name ("Serif" ->
 * "serif"), or NULL. */
static const char *
generic_family (const char *family)
{
  static const struct { const char *name, *css; } generic[] = {
    { "sans", "sans-serif" }, { "sans-serif", "sans-serif" }, { "serif", "serif" },
    { "monospace", "monospace" }, { "mono", "monospace" }, { "system-ui", "system-ui" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (generic); i++)
    if (g_ascii_strcasecmp (family, generic[i].name) == 0)
      return generic[i].css;
  return NULL;
}

char *
ov_text_sink_to_svg (OvTextSink *sink)
{
  GString *s = g_string_new ("<g id=\"oscarviz-text\">\n");
  g_autofree char *family = NULL;

  /* the family the text was measured in, then what a viewer without it
   * should take */
  if (text_family == NULL)
    family = g_strdup ("DejaVu Sans, Bitstream Vera Sans, sans-serif");
  else if (generic_family (text_family) != NULL)
    /* a generic name is CSS's own keyword, unquoted */
    family = g_strdup (generic_family (text_family));
  else
    {
      g_autoptr(GString) css = g_string_new (NULL);
      g_autofree char *quoted = NULL;
      g_autofree char *lower = g_ascii_strdown (text_family, -1);
      /* (a guess from the name: "Noto Serif", "Times New Roman", "DejaVu
       * Sans Mono") */
      gboolean mono = strstr (lower, "mono") != NULL || strstr (lower, "courier") != NULL;
      gboolean serif = (strstr (lower, "serif") != NULL || strstr (lower, "times") != NULL
                        || strstr (lower, "roman") != NULL)
                       && strstr (lower, "sans") == NULL;

      /* a CSS string first (its quote and backslash escaped), then XML */
      for (const char *p = text_family; *p != '\0'; p++)
        {
          if (*p == '\'' || *p == '\\')
            g_string_append_c (css, '\\');
          g_string_append_c (css, *p);
        }
      quoted = g_markup_escape_text (css->str, -1);
      family = g_strdup_printf ("&#39;%s&#39;, %s", quoted,
                                mono ? "monospace" : serif ? "serif" : "sans-serif");
    }

  for (guint i = 0; i < sink->records->len; i++)
    {
      const OvTextRecord *r = &g_array_index (sink->records, OvTextRecord, i);
      const cairo_matrix_t *m = &r->matrix;
      g_autofree char *escaped = g_markup_escape_text (r->text, -1);
      char num[6][G_ASCII_DTOSTR_BUF_SIZE];
      char size[G_ASCII_DTOSTR_BUF_SIZE];
      char alpha[G_ASCII_DTOSTR_BUF_SIZE];
      const double v[6] = { m->xx, m->yx, m->xy, m->yy, m->x0, m->y0 };

      /* Locale-independent numbers: SVG wants '.' whatever LC_NUMERIC says. */
      for (int k = 0; k < 6; k++)
        g_ascii_formatd (num[k], sizeof num[k], "%.4f", v[k]);
      g_ascii_formatd (size, sizeof size, "%.2f", r->size);
      g_ascii_formatd (alpha, sizeof alpha, "%.3f", r->rgba[3]);
      g_string_append_printf (s,
                              "<text transform=\"matrix(%s %s %s %s %s %s)\" "
                              "font-family=\"%s\" "
                              "font-size=\"%s\"%s fill=\"rgb(%d,%d,%d)\" fill-opacity=\"%s\" "
                              "xml:space=\"preserve\">%s</text>\n",
                              num[0], num[1], num[2], num[3], num[4], num[5], family, size,
                              r->bold ? " font-weight=\"bold\"" : "",
                              (int) lround (r->rgba[0] * 255), (int) lround (r->rgba[1] * 255),
                              (int) lround (r->rgba[2] * 255), alpha, escaped);
    }
  g_string_append (s, "</g>\n");
  return g_string_free (s, FALSE);
}

void
ov_draw_set_family (const char *family)
{
  g_free (text_family);
  text_family = family != NULL && *family != '\0' ? g_strdup (family) : NULL;
}

const char *
ov_draw_get_family (void)
{
  return text_family != NULL ? text_family : "Sans";
}

gboolean
ov_draw_family_exists (const char *family)
{
  FcPattern *pattern;
  FcObjectSet *objects;
  FcFontSet *fonts;
  gboolean found;

  g_return_val_if_fail (family != NULL, FALSE);

  if (generic_family (family) != NULL)
    return TRUE;
  /* every family name a font has counts, as fontconfig matches them
   * ("DejaVu Sans Condensed" is one of a DejaVu face's), in any case */
  pattern = FcPatternBuild (NULL, FC_FAMILY, FcTypeString, (const FcChar8 *) family,
                            (char *) NULL);
  objects = FcObjectSetBuild (FC_FAMILY, (char *) NULL);
  fonts = pattern != NULL && objects != NULL ? FcFontList (NULL, pattern, objects) : NULL;
  found = fonts != NULL && fonts->nfont > 0;
  if (fonts != NULL)
    FcFontSetDestroy (fonts);
  if (objects != NULL)
    FcObjectSetDestroy (objects);
  if (pattern != NULL)
    FcPatternDestroy (pattern);
  return found;
}

void
ov_draw_set_font (cairo_t *cr, double size, gboolean bold)
{
  cairo_select_font_face (cr, ov_draw_get_family (), CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

/* Text is laid out by Pango, which takes each character from the first font
 * of the family's fontconfig fallback list that has it, so that CJK (or any
 * other script) draws in every locale; cairo's toy API draws everything in
 * the one font that "Sans" matched. The family, weight and size still come
 * from cairo's font state (ov_draw_set_font). One layout per cairo_t. */
static const cairo_user_data_key_t layout_key;

/* The locale's language when Pango knows its scripts (de, zh-cn, ja…);
 * none in the C locale, so that every script run asks fontconfig with its
 * own sample language (Han: zh-cn or what PANGO_LANGUAGE prefers). */
static PangoLanguage *
text_language (void)
{
  PangoLanguage *lang = pango_language_get_default ();

  return pango_language_get_scripts (lang, NULL) != NULL ? lang : NULL;
}

static PangoLayout *
text_layout (cairo_t *cr, const char *utf8)
{
  PangoLayout *layout = cairo_get_user_data (cr, &layout_key);
  cairo_font_face_t *face = cairo_get_font_face (cr);
  g_autoptr(PangoFontDescription) desc = pango_font_description_new ();
  cairo_matrix_t font;

  if (layout == NULL)
    {
      PangoContext *context = pango_cairo_create_context (cr);

      pango_context_set_language (context, text_language ());
      layout = pango_layout_new (context);
      g_object_unref (context);
      pango_layout_set_single_paragraph_mode (layout, TRUE);
      cairo_set_user_data (cr, &layout_key, layout, g_object_unref);
    }
  pango_cairo_update_layout (cr, layout);

  cairo_get_font_matrix (cr, &font);
  pango_font_description_set_family (desc, "Sans");
  if (cairo_font_face_get_type (face) == CAIRO_FONT_TYPE_TOY)
    {
      pango_font_description_set_family (desc, cairo_toy_font_face_get_family (face));
      if (cairo_toy_font_face_get_weight (face) == CAIRO_FONT_WEIGHT_BOLD)
        pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
    }
  pango_font_description_set_absolute_size (desc, hypot (font.xx, font.yx) * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, utf8, -1);
  return layout;
}

double
ov_draw_shrink (double width,
                double height,
                double full_width,
                double full_height)
{
  g_return_val_if_fail (full_width > 0 && full_height > 0, 1.0);

  return CLAMP (MIN (width / full_width, height / full_height), OV_DRAW_MIN_FONT / 10.0, 1.0);
}

double
ov_draw_font_size (double size,
                   double shrink)
{
  return MAX (size * shrink, MIN (size, OV_DRAW_MIN_FONT));
}

double
ov_draw_line_height (double size)
{
  return 1.25 * size;
}

cairo_t *
ov_draw_measure_context (void)
{
  cairo_surface_t *scratch = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (scratch);

  /* the cairo_t keeps its target alive */
  cairo_surface_destroy (scratch);
  return cr;
}

/* Does a title's word begin a number ("12", "0.5", "3,")? */
static gboolean
is_number (const char *word)
{
  return g_ascii_isdigit (word[0])
         || ((word[0] == '-' || word[0] == '.') && g_ascii_isdigit (word[1]));
}

/* title cut at its spaces into the pieces a line may end after: a number
 * stays with the word before it ("layer 0") and, with keep_groups, a
 * phrase in parentheses stays whole ("(layer 0)"). */
static GPtrArray *
title_pieces (const char *title,
              gboolean    keep_groups)
{
  g_auto(GStrv) words = g_strsplit (title, " ", -1);
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) piece = g_string_new (NULL);
  int depth = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      gboolean join = piece->len > 0 && (is_number (words[i]) || (keep_groups && depth > 0));

      if (piece->len > 0 && !join)
        {
          g_ptr_array_add (pieces, g_strdup (piece->str));
          g_string_truncate (piece, 0);
        }
      if (piece->len > 0)
        g_string_append_c (piece, ' ');
      g_string_append (piece, words[i]);
      for (const char *c = words[i]; *c != '\0'; c++)
        depth = MAX (0, depth + (*c == '(') - (*c == ')'));
    }
  g_ptr_array_add (pieces, g_strdup (piece->str));
  return pieces;
}

/* How well a line ends after pieces[i]: 2 at a clause's end (after a
 * comma, semicolon or colon), 1 before a parenthesis, else 0. */
static int
break_rank (GPtrArray *pieces,
            guint      i)
{
  const char *p = g_ptr_array_index (pieces, i);
  gsize len = strlen (p);
  const char *next = i + 1 < pieces->len ? g_ptr_array_index (pieces, i + 1) : "";

  if (len > 0 && strchr (",;:", p[len - 1]) != NULL)
    return 2;
  return next[0] == '(' ? 1 : 0;
}

/* pieces[from, to) joined by spaces. */
static char *
join_pieces (GPtrArray *pieces,
             guint      from,
             guint      to)
{
  GString *s = g_string_new (NULL);

  for (guint i = from; i < to; i++)
    {
      if (i > from)
        g_string_append_c (s, ' ');
      g_string_append (s, g_ptr_array_index (pieces, i));
    }
  return g_string_free (s, FALSE);
}

/* pieces broken into lines no wider than max_width; a line ends at a
 * clause's end, else before a parenthesis, where that fills at least half
 * of it; a piece wider than the line alone on its line. NULL when more
 * than max_lines. */
static GStrv
break_lines_of (cairo_t   *cr,
                GPtrArray *pieces,
                double     max_width,
                guint      max_lines)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  guint start = 0;

  while (start < pieces->len)
    {
      guint end = start + 1, best_end = 0;
      int best = 0;

      /* as many pieces as fit, at least one */
      for (; end < pieces->len; end++)
        {
          g_autofree char *longer = join_pieces (pieces, start, end + 1);

          if (ov_draw_text_width (cr, longer) > max_width)
            break;
        }
      /* the line's best end that fills at least half of it */
      if (end < pieces->len)
        for (guint i = end; i > start; i--)
          {
            g_autofree char *head = join_pieces (pieces, start, i);

            if (break_rank (pieces, i - 1) > best
                && ov_draw_text_width (cr, head) >= 0.5 * max_width)
              {
                best = break_rank (pieces, i - 1);
                best_end = i;
              }
          }
      if (best > 0)
        end = best_end;
      g_ptr_array_add (lines, join_pieces (pieces, start, end));
      start = end;
    }
  if (lines->len > max_lines)
    return NULL;
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}

/* The same from the title: a phrase in parentheses too wide for a line is
 * broken like the rest. */
static GStrv
break_lines (cairo_t    *cr,
             const char *title,
             double      max_width,
             guint       max_lines)
{
  g_autoptr(GPtrArray) groups = title_pieces (title, TRUE);
  g_autoptr(GPtrArray) words = NULL;

  for (guint i = 0; i < groups->len; i++)
    if (ov_draw_text_width (cr, g_ptr_array_index (groups, i)) > max_width)
      {
        words = title_pieces (title, FALSE);
        return break_lines_of (cr, words, max_width, max_lines);
      }
  return break_lines_of (cr, groups, max_width, max_lines);
}

GStrv
ov_draw_fit_title (cairo_t    *cr,
                   const char *title,
                   double      max_width,
                   double      size,
                   double      min_size,
                   guint       max_lines,
                   double     *font_size)
{
  cairo_font_weight_t weight = CAIRO_FONT_WEIGHT_NORMAL;
  cairo_font_face_t *face = cairo_get_font_face (cr);
  GStrv lines = NULL;
  double width;

  g_return_val_if_fail (cr != NULL && max_lines >= 1, NULL);

  if (title == NULL || *title == '\0')
    return NULL;
  if (cairo_font_face_get_type (face) == CAIRO_FONT_TYPE_TOY)
    weight = cairo_toy_font_face_get_weight (face);
  min_size = MIN (min_size, size);
  ov_draw_set_font (cr, size, weight == CAIRO_FONT_WEIGHT_BOLD);
  /* one line, as large as fits */
  width = ov_draw_text_width (cr, title);
  if (width > max_width && max_width > 0)
    {
      size = MAX (min_size, size * max_width / width);
      ov_draw_set_font (cr, size, weight == CAIRO_FONT_WEIGHT_BOLD);
    }
  if (ov_draw_text_width (cr, title) <= max_width)
    lines = g_strdupv ((char *[]) { (char *) title, NULL });
  /* then broken into lines, the last one cut where they run out */
  else if ((lines = break_lines (cr, title, max_width, max_lines)) == NULL)
    {
      g_auto(GStrv) all = break_lines (cr, title, max_width, G_MAXUINT);
      g_autofree char *rest = g_strjoinv (" ", all + max_lines - 1);

      lines = g_new0 (char *, max_lines + 1);
      for (guint i = 0; i + 1 < max_lines; i++)
        lines[i] = g_strdup (all[i]);
      lines[max_lines - 1] = ov_draw_ellipsize (cr, rest, max_width);
    }
  /* a word wider than the line */
  for (guint i = 0; lines[i] != NULL; i++)
    if (ov_draw_text_width (cr, lines[i]) > max_width)
      {
        char *cut = ov_draw_ellipsize (cr, lines[i], max_width);

        g_free (lines[i]);
        lines[i] = cut;
      }
  if (font_size != NULL)
    *font_size = size;
  return lines;
}

double
ov_draw_text_width (cairo_t *cr, const char *utf8)
{
  PangoRectangle logical;

  if (utf8 == NULL || *utf8 == '\0')
    return 0.0;
  pango_layout_get_extents (text_layout (cr, utf8), NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

char *
ov_draw_ellipsize (cairo_t *cr, const char *utf8, double max_width)
{
  glong n;

  if (utf8 == NULL)
    return g_strdup ("");
  if (ov_draw_text_width (cr, utf8) <= max_width)
    return g_strdup (utf8);
  n = g_utf8_strlen (utf8, -1);
  for (glong keep = n - 1; keep > 0; keep--)
    {
      const char *end = g_utf8_offset_to_pointer (utf8, keep);
      g_autofree char *head = g_strndup (utf8, end - utf8);
      char *candidate = g_strconcat (head, "…", NULL);

      if (ov_draw_text_width (cr, candidate) <= max_width)
        return candidate;
      g_free (candidate);
    }
  return g_strdup ("…");
}

static void
record_text (OvTextSink *sink, cairo_t *cr, double x, double y, const char *utf8)
{
  OvTextRecord r = { 0 };
  cairo_matrix_t ctm, origin, font;
  cairo_font_face_t *face = cairo_get_font_face (cr);
  cairo_pattern_t *source = cairo_get_source (cr);

  cairo_get_matrix (cr, &ctm);
  cairo_matrix_init_translate (&origin, x, y);
  cairo_matrix_multiply (&r.matrix, &origin, &ctm);
  cairo_get_font_matrix (cr, &font);
  r.size = hypot (font.xx, font.yx);
  r.bold = cairo_font_face_get_type (face) == CAIRO_FONT_TYPE_TOY
           && cairo_toy_font_face_get_weight (face) == CAIRO_FONT_WEIGHT_BOLD;
  r.rgba[3] = 1.0;
  if (cairo_pattern_get_type (source) == CAIRO_PATTERN_TYPE_SOLID)
    cairo_pattern_get_rgba (source, &r.rgba[0], &r.rgba[1], &r.rgba[2], &r.rgba[3]);
  r.text = g_strdup (utf8);
  g_array_append_val (sink->records, r);
}

void
ov_draw_text (cairo_t    *cr,
              double      x,
              double      y,
              double      xalign,
              double      yalign,
              const char *utf8)
{
  cairo_font_extents_t fe;
  OvTextSink *sink;
  PangoLayout *layout;
  PangoRectangle logical;
  double bx, by;

  if (utf8 == NULL || *utf8 == '\0')
    return;

  /* The line box of the family's first font places the text, so that
   * labels of any script share their baselines. */
  cairo_font_extents (cr, &fe);
  layout = text_layout (cr, utf8);
  pango_layout_get_extents (layout, NULL, &logical);
  bx = x - xalign * logical.width / PANGO_SCALE;
  by = y + fe.ascent - yalign * (fe.ascent + fe.descent);
  sink = cairo_surface_get_user_data (cairo_get_target (cr), &sink_key);
  if (sink != NULL)
    {
      record_text (sink, cr, bx, by, utf8);
      return;
    }
  cairo_move_to (cr, bx, by);
  pango_cairo_show_layout_line (cr, pango_layout_get_line_readonly (layout, 0));
  cairo_new_path (cr);
}

void
ov_draw_text_vertical (cairo_t    *cr,
                       double      x,
                       double      y,
                       double      xalign,
                       double      yalign,
                       const char *utf8)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, -G_PI / 2);
  ov_draw_text (cr, 0, 0, xalign, yalign, utf8);
  cairo_restore (cr);
}
