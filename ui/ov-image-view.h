/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The image with its region boxes and tag labels: zoom (fit, 100 %, scroll,
 * pinch), pan, hover details and a selection shared with the tag list.
 */
#pragma once

#include <gtk/gtk.h>

#include "ov-session.h"

G_BEGIN_DECLS

#define OV_TYPE_IMAGE_VIEW (ov_image_view_get_type ())

G_DECLARE_FINAL_TYPE (OvImageView, ov_image_view, OV, IMAGE_VIEW, GtkWidget)

GtkWidget  *ov_image_view_new          (void);
void        ov_image_view_set_session  (OvImageView     *self,
                                        OvSession       *session);
/* The picture of the session's sample, shown upright; NULL draws a grey
 * canvas. box_turn: the EXIF orientation by which image was turned from
 * the frame the sample's boxes are measured in (OV_ORIENTATION_NORMAL when
 * they share one frame). */
void        ov_image_view_set_image    (OvImageView     *self,
                                        cairo_surface_t *image,
                                        OvOrientation    box_turn);
/* Zoom factor: image pixels to widget pixels. */
double      ov_image_view_get_zoom     (OvImageView     *self);
void        ov_image_view_set_zoom     (OvImageView     *self,
                                        double           zoom);
gboolean    ov_image_view_get_fit      (OvImageView     *self);
void        ov_image_view_set_fit      (OvImageView     *self,
                                        gboolean         fit);
void        ov_image_view_zoom_in      (OvImageView     *self);
void        ov_image_view_zoom_out     (OvImageView     *self);
/* The selected tag (a region's or a typed one), or NULL. */
OvTagItem  *ov_image_view_get_selected (OvImageView     *self);
void        ov_image_view_set_selected (OvImageView     *self,
                                        OvTagItem       *item);

G_END_DECLS
