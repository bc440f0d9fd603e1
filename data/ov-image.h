/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Decoded images in Cairo's ARGB32 layout (premultiplied, native-endian
 * 32-bit pixels), read from JPEG through libjpeg-turbo and PNG through
 * libpng. The EXIF orientation is applied and reported, so boxes measured
 * on the stored pixels can be mapped onto the displayed ones.
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* EXIF orientation values 1..8; 1 = as stored. */
typedef enum {
  OV_ORIENTATION_NORMAL = 1,
  OV_ORIENTATION_FLIP_H = 2,
  OV_ORIENTATION_ROTATE_180 = 3,
  OV_ORIENTATION_FLIP_V = 4,
  OV_ORIENTATION_TRANSPOSE = 5,
  OV_ORIENTATION_ROTATE_90_CW = 6,
  OV_ORIENTATION_TRANSVERSE = 7,
  OV_ORIENTATION_ROTATE_270_CW = 8,
} OvOrientation;

/* Images above this many pixels are downscaled (JPEG, by 1/2, 1/4 or 1/8
 * while decoding) or refused (PNG). 64 Mpx = 256 MiB of ARGB32. */
#define OV_IMAGE_DEFAULT_MAX_PIXELS (64u * 1024u * 1024u)

typedef struct {
  guint64 max_pixels;          /* 0 = OV_IMAGE_DEFAULT_MAX_PIXELS */
  gboolean ignore_orientation; /* keep the stored frame */
  gboolean ignore_color_profile; /* keep the stored values of a non-sRGB picture */
} OvImageLoadOptions;

typedef struct {
  char          *format;         /* "jpeg" or "png" */
  int            width, height;  /* displayed size: after orientation and scaling */
  int            stride;         /* bytes per row of data */
  guchar        *data;           /* (height, stride) CAIRO_FORMAT_ARGB32 pixels */
  gboolean       has_alpha;      /* FALSE: alpha is 0xff everywhere (RGB24 also fits) */
  OvOrientation  orientation;    /* as read from the file; applied unless ignored */
  gboolean       orientation_applied;
  int            stored_width;   /* size of the pixels in the file, before */
  int            stored_height;  /* orientation and scaling */
  int            scale_denom;    /* 1, or 2/4/8 when a huge JPEG was shrunk */
  char          *note;           /* about downscaling or damaged data; NULL when none */
  char          *color_profile;  /* the embedded profile turned into sRGB, or NULL */
} OvImage;

OvImage  *ov_image_load            (const char               *path,
                                    const OvImageLoadOptions *options,
                                    GCancellable             *cancellable,
                                    GError                  **error);
/* Same from bytes in memory; name is used in messages. */
OvImage  *ov_image_load_from_data  (const guchar             *data,
                                    gsize                     len,
                                    const char               *name,
                                    const OvImageLoadOptions *options,
                                    GCancellable             *cancellable,
                                    GError                  **error);
/* Reads only the header: format, stored size and orientation. */
gboolean  ov_image_read_info       (const char    *path,
                                    char         **format,
                                    int           *stored_width,
                                    int           *stored_height,
                                    OvOrientation *orientation,
                                    GError       **error);
void      ov_image_free            (OvImage *image);
/* The pixel at (x, y) as 0xAARRGGBB (premultiplied). */
guint32   ov_image_get_pixel       (const OvImage *image,
                                    int            x,
                                    int            y);
/* A Cairo surface that shares the pixels; keep the image alive. */
cairo_surface_t *ov_image_create_surface (const OvImage *image);

/* Whether the turn swaps width and height (a quarter turn, a transpose). */
gboolean  ov_orientation_swaps_axes (OvOrientation orientation);
/* Size after orientation of a stored w×h image. */
void      ov_orientation_apply_size (OvOrientation orientation,
                                     int           stored_w,
                                     int           stored_h,
                                     int          *out_w,
                                     int          *out_h);
/* Maps a point of the stored frame to the displayed frame (continuous
 * coordinates, 0..w). Boxes: map both corners and re-order. */
void      ov_orientation_apply_point (OvOrientation orientation,
                                      int           stored_w,
                                      int           stored_h,
                                      double        x,
                                      double        y,
                                      double       *out_x,
                                      double       *out_y);
void      ov_orientation_apply_box   (OvOrientation orientation,
                                      int           stored_w,
                                      int           stored_h,
                                      double        box[4]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvImage, ov_image_free)

G_END_DECLS
