/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A scatter plot widget around viz/ov-scatter-view.h: paints the renderer,
 * keeps which classes are shown and which points are selected across new
 * positions, and turns pointer and keys into clicks, legend toggles, lasso
 * and box selections.
 */
#pragma once

#include <gtk/gtk.h>

#include "viz/ov-scatter-view.h"

G_BEGIN_DECLS

#define OV_TYPE_SCATTER_CANVAS (ov_scatter_canvas_get_type ())

G_DECLARE_FINAL_TYPE (OvScatterCanvas, ov_scatter_canvas, OV, SCATTER_CANVAS, GtkWidget)

/* The text shown when the pointer rests on point index. */
typedef char *(*OvScatterTooltipFunc) (guint    index,
                                       gpointer data);

GtkWidget     *ov_scatter_canvas_new            (void);
/* Takes view (NULL = nothing to plot). With keep_state the shown classes
 * and the selection carry over (new positions of the same points); without,
 * every class is shown and nothing is selected. */
void           ov_scatter_canvas_set_view       (OvScatterCanvas      *self,
                                                 OvScatterView        *view,
                                                 guint                 n_points,
                                                 guint                 n_classes,
                                                 gboolean              keep_state);
OvScatterView *ov_scatter_canvas_get_view       (OvScatterCanvas      *self);
void           ov_scatter_canvas_set_tooltip_func (OvScatterCanvas    *self,
                                                   OvScatterTooltipFunc func,
                                                   gpointer           data);
/* Lays the view out for the widget's size, as the last paint did, so that
 * view coordinates from ov_scatter_view_* are the ones the functions below
 * take: the widget's own divided by ov_widget_get_text_scale. */
void           ov_scatter_canvas_layout         (OvScatterCanvas      *self);

gboolean       ov_scatter_canvas_get_class_visible (OvScatterCanvas   *self,
                                                    guint              cls);
void           ov_scatter_canvas_set_class_visible (OvScatterCanvas   *self,
                                                    guint              cls,
                                                    gboolean           visible);
void           ov_scatter_canvas_set_all_visible (OvScatterCanvas     *self,
                                                  gboolean             visible);
/* The selected point indices, in increasing order. */
const guint   *ov_scatter_canvas_get_selection  (OvScatterCanvas      *self,
                                                 guint                *n);
void           ov_scatter_canvas_set_selection  (OvScatterCanvas      *self,
                                                 const guint          *indices,
                                                 guint                 n);
/* The point the keyboard is on, or -1. */
int            ov_scatter_canvas_get_cursor     (OvScatterCanvas      *self);
/* The first line of that point's tooltip, which the canvas writes beside
 * it while it has the focus; NULL without one. */
char          *ov_scatter_canvas_dup_cursor_label (OvScatterCanvas    *self);

/* What a click at (x, y) does (also what the pointer does): on a legend row
 * it shows or hides the class, on a point it selects it and emits
 * "point-activated", elsewhere it clears the selection. Returns the point
 * index, or -1. */
int            ov_scatter_canvas_click          (OvScatterCanvas      *self,
                                                 double                x,
                                                 double                y);
/* Selects the shown points inside a polygon (n_vertices x 2 view
 * coordinates) or a rectangle; extend adds them to the selection. */
void           ov_scatter_canvas_select_lasso   (OvScatterCanvas      *self,
                                                 const double         *polygon,
                                                 guint                 n_vertices,
                                                 gboolean              extend);
void           ov_scatter_canvas_select_box     (OvScatterCanvas      *self,
                                                 double                x0,
                                                 double                y0,
                                                 double                x1,
                                                 double                y1,
                                                 gboolean              extend);

G_END_DECLS
