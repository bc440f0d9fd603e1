/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The image with its detected regions: boxes coloured by class, tag labels
 * placed so they do not collide, confidences, and hit-testing for hover.
 * The window's image view and the attention-over-image view use it.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "data/ov-image.h"
#include "data/ov-sample.h"
#include "ov-draw.h"

G_BEGIN_DECLS

typedef struct {
  double x, y, width, height;
} OvRect;

typedef struct _OvRegionView OvRegionView;

/* sample is borrowed and must outlive the view; image (may be NULL: a grey
 * canvas of the sample's size) is referenced; palette is borrowed, NULL =
 * a palette of the view's own. */
OvRegionView *ov_region_view_new            (const OvSample  *sample,
                                             cairo_surface_t *image,
                                             OvPalette       *palette);
void          ov_region_view_free           (OvRegionView    *view);
void          ov_region_view_set_show_labels (OvRegionView   *view,
                                             gboolean         show);
void          ov_region_view_set_hidden     (OvRegionView    *view,
                                             guint            region,
                                             gboolean         hidden);
/* -1 = none; the highlighted box is drawn thicker, the others dimmed. */
void          ov_region_view_set_highlight  (OvRegionView    *view,
                                             int              region);

/* The boxes are given in the frame of the picture as stored, and image
 * shows it turned by this EXIF orientation (OV_ORIENTATION_NORMAL, the
 * default: boxes and image in one frame): the boxes are turned with it. */
void          ov_region_view_set_orientation (OvRegionView  *view,
                                             OvOrientation    orientation);
/* The size of the frame shown (the boxes' frame, turned), in the boxes'
 * units; what layout fits into its rectangle. */
void          ov_region_view_get_frame_size (OvRegionView    *view,
                                             double          *width,
                                             double          *height);

/* Fits the image into width x height (aspect kept, centred) and places the
 * labels. Must be called before drawing and hit-testing. */
void          ov_region_view_layout         (OvRegionView    *view,
                                             double           width,
                                             double           height);
void          ov_region_view_draw           (OvRegionView    *view,
                                             cairo_t         *cr);
/* Only the image (or the grey canvas), for views that draw their own boxes. */
void          ov_region_view_draw_image     (OvRegionView    *view,
                                             cairo_t         *cr);
/* Region k's box in view coordinates; FALSE when k is out of range. */
gboolean      ov_region_view_get_box        (OvRegionView    *view,
                                             guint            region,
                                             OvRect          *rect);
/* Region k's label rectangle after layout; FALSE when it has none. */
gboolean      ov_region_view_get_label_rect (OvRegionView    *view,
                                             guint            region,
                                             OvRect          *rect);
/* The region under (x, y): a label first, then the smallest visible box
 * that contains the point; -1 when none. */
int           ov_region_view_hit            (OvRegionView    *view,
                                             double           x,
                                             double           y);
/* The region indices ordered for painting: larger boxes first. */
guint        *ov_region_view_paint_order    (OvRegionView    *view,
                                             guint           *n);

/* OvPaintFunc for export: layout to (width, height), then draw. */
void          ov_region_view_paint          (cairo_t         *cr,
                                             double           width,
                                             double           height,
                                             gpointer         view);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvRegionView, ov_region_view_free)

G_END_DECLS
