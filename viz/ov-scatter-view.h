/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Scatter plot of 2-D points (a t-SNE of tag and region embeddings): colour
 * by class with a legend whose entries switch classes on and off, marker by
 * modality (tag = circle, region = square), hover hit-testing, and box and
 * lasso selection tested on the stored data coordinates.
 */
#pragma once

#include <cairo.h>

#include "ov-draw.h"
#include "ov-region-view.h"

G_BEGIN_DECLS

typedef enum {
  OV_MARKER_CIRCLE = 0,   /* tags */
  OV_MARKER_SQUARE = 1,   /* regions */
} OvMarker;

typedef struct _OvScatterView OvScatterView;

/* Where the legend goes: right of the plot (the default), in columns
 * under it (a narrow figure of many classes), or nowhere (the figure's
 * caption says what the colours are). */
typedef enum {
  OV_SCATTER_LEGEND_RIGHT,
  OV_SCATTER_LEGEND_BELOW,
  OV_SCATTER_LEGEND_NONE,
} OvScatterLegend;

/* xy (n, 2) data coordinates, classes (n) indices into class_names
 * (n_classes), markers (n) OvMarker values. Everything is copied; palette is
 * borrowed (NULL = a palette of the view's own). Without markers every
 * point is a circle and the legend has no tag/region key; without classes
 * (n_classes 0) the points share one colour, and with neither there is no
 * legend and the plot takes the whole width. A title of "" draws none and
 * the plot takes its row; NULL draws none either but keeps the row (the
 * window's map, named by its status line). */
OvScatterView *ov_scatter_view_new       (const float        *xy,
                                          guint               n,
                                          const guint        *classes,
                                          const char *const  *class_names,
                                          guint               n_classes,
                                          const guint8       *markers,
                                          OvPalette          *palette,
                                          const char         *title);
void           ov_scatter_view_free      (OvScatterView      *view);
void           ov_scatter_view_set_class_visible (OvScatterView *view,
                                                  guint          cls,
                                                  gboolean       visible);
gboolean       ov_scatter_view_get_class_visible (OvScatterView *view,
                                                  guint          cls);
/* Selected points are drawn outlined; indices are copied. */
void           ov_scatter_view_set_selection (OvScatterView  *view,
                                              const guint    *indices,
                                              guint           n);
/* Where the legend goes (before layout). */
void           ov_scatter_view_set_legend (OvScatterView  *view,
                                           OvScatterLegend place);
/* See ov_draw_shrink: the figure is shown scale times as large as laid out. */
void           ov_scatter_view_set_shown_scale (OvScatterView *view,
                                                double         scale);
void           ov_scatter_view_layout    (OvScatterView      *view,
                                          double              width,
                                          double              height);
void           ov_scatter_view_draw      (OvScatterView      *view,
                                          cairo_t            *cr);
void           ov_scatter_view_data_to_view (OvScatterView   *view,
                                             double           dx,
                                             double           dy,
                                             double          *vx,
                                             double          *vy);
void           ov_scatter_view_view_to_data (OvScatterView   *view,
                                             double           vx,
                                             double           vy,
                                             double          *dx,
                                             double          *dy);
/* Point i in view coordinates (x, y nullable); FALSE when it is not drawn:
 * its class is hidden or its position is not finite. */
gboolean       ov_scatter_view_get_point (OvScatterView      *view,
                                          guint               i,
                                          double             *x,
                                          double             *y);
/* The visible point nearest to (x, y) within radius pixels, or -1. */
int            ov_scatter_view_hit       (OvScatterView      *view,
                                          double              x,
                                          double              y,
                                          double              radius);
/* The class of the legend entry under (x, y), or -1. */
int            ov_scatter_view_legend_hit (OvScatterView     *view,
                                           double             x,
                                           double             y);
/* The legend row of class cls (swatch and name) after layout; FALSE when
 * the class is not listed because the rows ran out. */
gboolean       ov_scatter_view_get_legend_rect (OvScatterView *view,
                                                guint          cls,
                                                OvRect        *rect);
/* The plot's frame after layout, and how far a point's marker reaches from
 * its centre, its outline included: every marker lies inside the frame. */
void           ov_scatter_view_get_plot_rect (OvScatterView *view,
                                              OvRect        *rect,
                                              double        *marker_reach);
/* Indices (guint) of the visible points inside a rectangle / polygon given
 * in view coordinates; the test runs on the data coordinates. */
GArray        *ov_scatter_view_select_box   (OvScatterView   *view,
                                             double           x0,
                                             double           y0,
                                             double           x1,
                                             double           y1);
GArray        *ov_scatter_view_select_lasso (OvScatterView   *view,
                                             const double    *polygon,   /* (n_vertices, 2) */
                                             guint            n_vertices);
void           ov_scatter_view_paint     (cairo_t *cr, double width, double height, gpointer view);

/* Even-odd point-in-polygon test, exposed for the tests. */
gboolean       ov_point_in_polygon       (double              x,
                                          double              y,
                                          const double       *polygon,
                                          guint               n_vertices);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvScatterView, ov_scatter_view_free)

G_END_DECLS
