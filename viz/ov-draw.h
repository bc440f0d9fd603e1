/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Drawing helpers every renderer shares: colour scales (sequential and
 * diverging) with their legend bar, a class palette that gives a class name
 * the same colour in every view, and text drawing that an SVG export can
 * capture as real <text> elements instead of glyph outlines.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "ov-viz.h"

G_BEGIN_DECLS

typedef enum {
  OV_COLOR_SCALE_SEQUENTIAL,   /* lo .. hi, dark violet to yellow (viridis stops) */
  OV_COLOR_SCALE_DIVERGING,    /* -max .. +max, blue - near white - red */
} OvColorScaleKind;

typedef struct {
  OvColorScaleKind kind;
  double           lo, hi;     /* values mapped to the two ends; for DIVERGING lo = -hi */
} OvColorScale;

OvColor   ov_color_scale_map        (const OvColorScale *scale,
                                     double              value);
/* t in [0, 1]. */
OvColor   ov_colormap_sequential    (double t);
OvColor   ov_colormap_diverging     (double t);
/* Relative luminance, to choose black or white text on a colour. */
double    ov_color_luminance        (OvColor c);

/* A round step (1, 2, 2.5 or 5 times a power of ten) that cuts range into
 * about n_steps parts; 0 for an empty or non-finite range. */
double    ov_draw_round_step        (double              range,
                                     int                 n_steps);
/* A vertical colour bar at (x, y) of w x h with a title above it and tick
 * labels to its right, in text of 10 points. */
void      ov_draw_color_bar         (cairo_t            *cr,
                                     const OvColorScale *scale,
                                     double              x,
                                     double              y,
                                     double              w,
                                     double              h,
                                     const char         *title);
/* The same in text of font_size points, the title (above the bar, from x)
 * smaller, down to 70 %, then shortened to stay within max_title_w. */
void      ov_draw_color_bar_sized   (cairo_t            *cr,
                                     const OvColorScale *scale,
                                     double              x,
                                     double              y,
                                     double              w,
                                     double              h,
                                     const char         *title,
                                     double              font_size,
                                     double              max_title_w);
/* A horizontal colour bar: its title at (x, y) in bold, the bar w x h
 * after it (lo at the left), tick labels under the bar, all in text of
 * font_size points; the bar gives up width to a long title, down to half
 * of w. */
void      ov_draw_color_bar_across  (cairo_t            *cr,
                                     const OvColorScale *scale,
                                     double              x,
                                     double              y,
                                     double              w,
                                     double              h,
                                     const char         *title,
                                     double              font_size);
/* The height ov_draw_color_bar_across takes below its y. */
double    ov_draw_color_bar_across_height (double        h,
                                           double        font_size);
/* How far right of its x such a bar's tick labels reach. */
double    ov_draw_color_bar_width   (cairo_t            *cr,
                                     const OvColorScale *scale,
                                     double              w,
                                     double              h,
                                     double              font_size);

/* The colours of what is not data: the ground, text, secondary text and
 * frames, and the grey of a cell without a value. Renderers take them from
 * the cairo_t they draw on: the window attaches its style's, light or dark,
 * and a cairo_t without ink (every export) draws the light, print-ready
 * default. */
typedef struct {
  OvColor background;
  OvColor text;
  OvColor dim;         /* notes, tick marks, frames */
  OvColor no_data;
} OvInk;

typedef enum {
  OV_INK_BACKGROUND,
  OV_INK_TEXT,
  OV_INK_DIM,
  OV_INK_NO_DATA,
} OvInkPart;

/* Black on white. */
const OvInk *ov_ink_light              (void);
/* ink is copied; NULL goes back to ov_ink_light. */
void         ov_draw_set_ink           (cairo_t     *cr,
                                        const OvInk *ink);
const OvInk *ov_draw_get_ink           (cairo_t     *cr);
/* Makes one part of cr's ink the source. */
void         ov_draw_use_ink           (cairo_t     *cr,
                                        OvInkPart    part);
/* Makes a shade between cr's ink's text (grey 0) and background (grey 1)
 * the source: on the light ink the grey itself. */
void         ov_draw_use_grey          (cairo_t     *cr,
                                        double       grey,
                                        double       alpha);

/* Class name -> preferred colour index -> ov_viz_class_color. The index
 * depends on the name alone (not on the order classes were met); two
 * classes may prefer the same one (see ov-draw.c). */
guint      ov_class_color_index     (const char *name);
OvColor    ov_class_color           (const char *name);

/* The mapping the renderers take. A new palette gives every class its
 * preferred colour; told the classes of a view (ov_palette_assign), it
 * gives them distinct colours that depend only on that set, keeping each
 * class's preferred colour where no other class of the set took it first.
 * Classes outside the set get their preferred colour. */
typedef struct _OvPalette OvPalette;

OvPalette *ov_palette_new           (void);
void       ov_palette_free          (OvPalette  *palette);
void       ov_palette_assign        (OvPalette         *palette,
                                     const char *const *names,
                                     gsize              n);
guint      ov_palette_index         (OvPalette  *palette,
                                     const char *name);
OvColor    ov_palette_color         (OvPalette  *palette,
                                     const char *name);

/* Text. ov_draw_set_font sets cairo's toy face of the figures' family
 * ("Sans" unless ov_draw_set_family says otherwise) at the given size;
 * ov_draw_text lays the text out with Pango in that family, weight and
 * size, so that characters the first font lacks (CJK, say) come from a
 * fallback font whatever the locale. The anchor
 * fractions place the text: xalign 0 = left edge at x, 1 = right edge;
 * yalign 0 = top of the font box at y, 1 = bottom, 0.5 = centred. */
void      ov_draw_set_font          (cairo_t    *cr,
                                     double      size,
                                     gboolean    bold);
/* The family of every figure's text from now on (the command line's
 * --font, to match a paper's): a fontconfig family or a generic name
 * ("Serif"); NULL or "" goes back to "Sans". Set it before drawing: it is
 * one setting for the process, not for each thread. */
void      ov_draw_set_family        (const char *family);
const char *ov_draw_get_family      (void);
/* Whether a font family of that name (any case) is installed, or it is a
 * generic name fontconfig resolves (sans, serif, monospace). */
gboolean  ov_draw_family_exists     (const char *family);
void      ov_draw_text              (cairo_t    *cr,
                                     double      x,
                                     double      y,
                                     double      xalign,
                                     double      yalign,
                                     const char *utf8);
/* Same, rotated by -90 degrees (reading bottom to top) around (x, y). */
void      ov_draw_text_vertical     (cairo_t    *cr,
                                     double      x,
                                     double      y,
                                     double      xalign,
                                     double      yalign,
                                     const char *utf8);
double    ov_draw_text_width        (cairo_t    *cr,
                                     const char *utf8);
/* A copy of utf8 shortened with an ellipsis to fit max_width. */
char     *ov_draw_ellipsize         (cairo_t    *cr,
                                     const char *utf8,
                                     double      max_width);

/* Figures drawn smaller than the size they were designed for lay
 * themselves out again with smaller text, margins and markers; text never
 * gets smaller than OV_DRAW_MIN_FONT points. */
#define OV_DRAW_MIN_FONT 6.0

/* The factor a figure of width x height multiplies its text sizes and
 * fixed distances by: 1 from full_width x full_height up, less on a
 * smaller page, but not below the factor that brings 10-point text to
 * OV_DRAW_MIN_FONT (smaller distances would only leave the text crowded). */
double    ov_draw_shrink            (double      width,
                                     double      height,
                                     double      full_width,
                                     double      full_height);
/* A window that shows a figure enlarged (by its text size) lays it out at
 * its size divided by that factor and tells the figure the factor
 * (ov_*_view_set_shown_scale); the figure then shrinks for the size shown,
 * its width and height times the factor, so that its text is that factor
 * times what it would be unenlarged at the size shown. Exports keep 1. */
/* size * shrink, but at least OV_DRAW_MIN_FONT (or size, if smaller). */
double    ov_draw_font_size         (double      size,
                                     double      shrink);
/* A cairo_t on a 1 x 1 surface, to measure text while laying out. */
cairo_t  *ov_draw_measure_context   (void);
/* A title fitted to max_width: at size, else smaller down to min_size,
 * else broken at spaces into up to max_lines lines (the last one ellipsized
 * when even those do not hold it). Leaves cr's font at the size chosen,
 * which *font_size (may be NULL) receives. NULL for a NULL or empty title. */
GStrv     ov_draw_fit_title         (cairo_t    *cr,
                                     const char *title,
                                     double      max_width,
                                     double      size,
                                     double      min_size,
                                     guint       max_lines,
                                     double     *font_size);
/* The distance between the baselines of lines of text of size points. */
double    ov_draw_line_height       (double      size);

/* While a sink is attached to a surface, ov_draw_text on any cairo_t of that
 * surface records the text (position, transform, size, colour) instead of
 * drawing glyphs; ov_text_sink_to_svg returns the records as SVG <text>
 * elements in device units. */
typedef struct _OvTextSink OvTextSink;

OvTextSink *ov_text_sink_attach     (cairo_surface_t *surface);
void        ov_text_sink_detach     (cairo_surface_t *surface);
char       *ov_text_sink_to_svg     (OvTextSink      *sink);
guint       ov_text_sink_get_count  (OvTextSink      *sink);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvPalette, ov_palette_free)

G_END_DECLS
