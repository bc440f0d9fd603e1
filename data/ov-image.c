/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * JPEG (libjpeg-turbo) and PNG (libpng) decoding into Cairo's ARGB32
 * layout, with EXIF orientation, embedded colour profiles turned into sRGB
 * (Little CMS), a pixel limit that shrinks huge JPEGs while decoding, and
 * errors that name the file.
 */
#define G_LOG_DOMAIN "ov-image"

#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <lcms2.h>
#include <png.h>
#include <zlib.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "ov-image.h"
#include "model/ov-files.h"

/* Cairo's ARGB32 is a native-endian 32-bit word 0xAARRGGBB. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define OV_JCS_NATIVE JCS_EXT_BGRA
#else
#define OV_JCS_NATIVE JCS_EXT_ARGB
#endif

#define CANCEL_EVERY_ROWS 64

void
ov_image_free (OvImage *image)
{
  if (image == NULL)
    return;
  g_free (image->format);
  g_free (image->data);
  g_free (image->note);
  g_free (image->color_profile);
  g_free (image);
}

guint32
ov_image_get_pixel (const OvImage *image,
                    int            x,
                    int            y)
{
  g_return_val_if_fail (image != NULL, 0);
  g_return_val_if_fail (x >= 0 && x < image->width && y >= 0 && y < image->height, 0);

  return *(const guint32 *) (image->data + (gsize) y * image->stride + (gsize) x * 4);
}

cairo_surface_t *
ov_image_create_surface (const OvImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);

  return cairo_image_surface_create_for_data (image->data,
                                              image->has_alpha ? CAIRO_FORMAT_ARGB32
                                                               : CAIRO_FORMAT_RGB24,
                                              image->width, image->height, image->stride);
}

/* Orientation ------------------------------------------------------------ */

gboolean
ov_orientation_swaps_axes (OvOrientation o)
{
  return o >= OV_ORIENTATION_TRANSPOSE && o <= OV_ORIENTATION_ROTATE_270_CW;
}

void
ov_orientation_apply_size (OvOrientation orientation,
                           int           stored_w,
                           int           stored_h,
                           int          *out_w,
                           int          *out_h)
{
  gboolean swap = ov_orientation_swaps_axes (orientation);

  *out_w = swap ? stored_h : stored_w;
  *out_h = swap ? stored_w : stored_h;
}

void
ov_orientation_apply_point (OvOrientation orientation,
                            int           stored_w,
                            int           stored_h,
                            double        x,
                            double        y,
                            double       *out_x,
                            double       *out_y)
{
  double w = stored_w, h = stored_h;

  switch (orientation)
    {
    case OV_ORIENTATION_FLIP_H:       *out_x = w - x; *out_y = y; break;
    case OV_ORIENTATION_ROTATE_180:   *out_x = w - x; *out_y = h - y; break;
    case OV_ORIENTATION_FLIP_V:       *out_x = x; *out_y = h - y; break;
    case OV_ORIENTATION_TRANSPOSE:    *out_x = y; *out_y = x; break;
    case OV_ORIENTATION_ROTATE_90_CW: *out_x = h - y; *out_y = x; break;
    case OV_ORIENTATION_TRANSVERSE:   *out_x = h - y; *out_y = w - x; break;
    case OV_ORIENTATION_ROTATE_270_CW: *out_x = y; *out_y = w - x; break;
    case OV_ORIENTATION_NORMAL:
    default:                          *out_x = x; *out_y = y; break;
    }
}

void
ov_orientation_apply_box (OvOrientation orientation,
                          int           stored_w,
                          int           stored_h,
                          double        box[4])
{
  double ax, ay, bx, by;

  ov_orientation_apply_point (orientation, stored_w, stored_h, box[0], box[1], &ax, &ay);
  ov_orientation_apply_point (orientation, stored_w, stored_h, box[2], box[3], &bx, &by);
  box[0] = MIN (ax, bx);
  box[1] = MIN (ay, by);
  box[2] = MAX (ax, bx);
  box[3] = MAX (ay, by);
}

/* Rewrites image->data (stored frame) into the displayed frame. */
static void
apply_orientation (OvImage *image)
{
  int w = image->width, h = image->height, ow, oh, ostride;
  guchar *out;

  if (image->orientation == OV_ORIENTATION_NORMAL)
    return;

  ov_orientation_apply_size (image->orientation, w, h, &ow, &oh);
  ostride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, ow);
  out = g_malloc ((gsize) ostride * oh);
  for (int y = 0; y < h; y++)
    {
      const guint32 *src = (const guint32 *) (image->data + (gsize) y * image->stride);

      for (int x = 0; x < w; x++)
        {
          int dx, dy;

          /* Pixel centres: the discrete form of ov_orientation_apply_point. */
          switch (image->orientation)
            {
            case OV_ORIENTATION_FLIP_H:        dx = w - 1 - x; dy = y; break;
            case OV_ORIENTATION_ROTATE_180:    dx = w - 1 - x; dy = h - 1 - y; break;
            case OV_ORIENTATION_FLIP_V:        dx = x; dy = h - 1 - y; break;
            case OV_ORIENTATION_TRANSPOSE:     dx = y; dy = x; break;
            case OV_ORIENTATION_ROTATE_90_CW:  dx = h - 1 - y; dy = x; break;
            case OV_ORIENTATION_TRANSVERSE:    dx = h - 1 - y; dy = w - 1 - x; break;
            case OV_ORIENTATION_ROTATE_270_CW: dx = y; dy = w - 1 - x; break;
            case OV_ORIENTATION_NORMAL:
            default:                           dx = x; dy = y; break;
            }
          *(guint32 *) (out + (gsize) dy * ostride + (gsize) dx * 4) = src[x];
        }
    }
  g_free (image->data);
  image->data = out;
  image->width = ow;
  image->height = oh;
  image->stride = ostride;
  image->orientation_applied = TRUE;
}

static void
add_profile_note (OvImage    *image,
                  const char *name,
                  const char *problem)
{
  char *note = g_strdup_printf (_ ("%s%s%s: the embedded colour profile %s; colours are shown "
                                   "as stored"), image->note ? image->note : "",
                                image->note ? "\n" : "", name, problem);

  g_free (image->note);
  image->note = note;
}

/* Turns the pixels from the picture's embedded ICC profile into sRGB, as
 * an image viewer shows them. An sRGB profile (by its description) leaves
 * them as they are; so does a profile Little CMS cannot read or that is
 * not an RGB one (a note says so). Alpha, not yet premultiplied, is
 * copied. */
static void
apply_color_profile (OvImage      *image,
                     const guchar *icc,
                     gsize         icc_len,
                     gboolean      has_alpha,
                     const char   *name)
{
  cmsHPROFILE in = cmsOpenProfileFromMem (icc, (cmsUInt32Number) MIN (icc_len, G_MAXUINT32));
  cmsHPROFILE out = NULL;
  cmsHTRANSFORM transform = NULL;
  char description[256] = "";
  const char *problem = NULL;
  cmsUInt32Number format = G_BYTE_ORDER == G_LITTLE_ENDIAN ? TYPE_BGRA_8 : TYPE_ARGB_8;

  if (in == NULL)
    problem = _ ("cannot be read");
  else if (cmsGetColorSpace (in) == cmsSigGrayData)
    ;   /* a grey picture's grey profile: shown as grey levels, as stored */
  else if (cmsGetColorSpace (in) != cmsSigRgbData)
    problem = _ ("is not an RGB profile");
  else
    {
      cmsGetProfileInfoASCII (in, cmsInfoDescription, "en", "US", description,
                              sizeof description);
      out = cmsCreate_sRGBProfile ();
      transform = cmsCreateTransform (in, format, out, format, INTENT_PERCEPTUAL,
                                      has_alpha ? cmsFLAGS_COPY_ALPHA : 0);
      if (transform == NULL)
        problem = _ ("cannot be turned into sRGB");
    }
  /* A profile that is sRGB in all but name (any of the many sRGB profiles
   * cameras and editors embed) leaves the values as they are: judged by
   * what it does to a grid of colours, not by its description. */
  if (transform != NULL)
    {
      guchar probe[4 * 27], turned[4 * 27];
      gboolean same = TRUE;

      for (int i = 0; i < 27; i++)
        {
          probe[4 * i] = (guchar) (i % 3 * 127);
          probe[4 * i + 1] = (guchar) (i / 3 % 3 * 127);
          probe[4 * i + 2] = (guchar) (i / 9 * 127);
          probe[4 * i + 3] = 255;
        }
      memcpy (turned, probe, sizeof turned);   /* alpha, which the transform may leave */
      cmsDoTransform (transform, probe, turned, 27);
      for (int i = 0; i < 4 * 27 && same; i++)
        same = i % 4 == 3 || ABS ((int) probe[i] - (int) turned[i]) <= 1;
      if (same)
        g_clear_pointer (&transform, cmsDeleteTransform);
    }
  if (transform != NULL)
    {
      for (int y = 0; y < image->height; y++)
        {
          guchar *row = image->data + (gsize) y * image->stride;

          cmsDoTransform (transform, row, row, (cmsUInt32Number) image->width);
        }
      cmsDeleteTransform (transform);
      image->color_profile = g_strdup (*description != '\0' ? description : "(unnamed)");
    }
  else if (problem != NULL)
    add_profile_note (image, name, problem);
  if (out != NULL)
    cmsCloseProfile (out);
  if (in != NULL)
    cmsCloseProfile (in);
}

/* Finds tag 0x0112 in IFD0 of a TIFF-structured Exif block (what follows
 * "Exif\0\0" in a JPEG's APP1, or a PNG's eXIf chunk); 1 when absent. */
static OvOrientation
tiff_orientation (const guchar *tiff,
                  gsize         tlen)
{
  gsize ifd;
  gboolean le;
  guint n;

#define RD16(q) (le ? (guint) ((q)[0] | ((q)[1] << 8)) : (guint) (((q)[0] << 8) | (q)[1]))
#define RD32(q) (le ? ((guint32) (q)[0] | ((guint32) (q)[1] << 8) | ((guint32) (q)[2] << 16) \
                       | ((guint32) (q)[3] << 24))                                         \
                    : (((guint32) (q)[0] << 24) | ((guint32) (q)[1] << 16)                 \
                       | ((guint32) (q)[2] << 8) | (guint32) (q)[3]))
  if (tlen < 8)
    return OV_ORIENTATION_NORMAL;
  if (memcmp (tiff, "II", 2) == 0)
    le = TRUE;
  else if (memcmp (tiff, "MM", 2) == 0)
    le = FALSE;
  else
    return OV_ORIENTATION_NORMAL;
  ifd = RD32 (tiff + 4);
  if (ifd + 2 > tlen)
    return OV_ORIENTATION_NORMAL;
  n = RD16 (tiff + ifd);
  for (guint i = 0; i < n; i++)
    {
      const guchar *e = tiff + ifd + 2 + (gsize) i * 12;
      guint value;

      if ((gsize) (e - tiff) + 12 > tlen)
        break;
      if (RD16 (e) != 0x0112)
        continue;
      value = RD16 (e + 8);
      if (value >= 1 && value <= 8)
        return (OvOrientation) value;
      return OV_ORIENTATION_NORMAL;
    }
  return OV_ORIENTATION_NORMAL;
#undef RD16
#undef RD32
}

/* The orientation of an APP1 "Exif" block of a JPEG; 1 when absent. */
static OvOrientation
exif_orientation (const guchar *p,
                  gsize         len)
{
  if (len < 14 || memcmp (p, "Exif\0\0", 6) != 0)
    return OV_ORIENTATION_NORMAL;
  return tiff_orientation (p + 6, len - 6);
}

/* The orientation of a PNG's eXIf chunk, before or after the image data;
 * 1 when there is none. The chunks are walked here, not through libpng,
 * so that the header reader and the decoder agree. */
static OvOrientation
png_exif_orientation (const guchar *data,
                      gsize         len)
{
  gsize at = 8;

  while (at + 12 <= len)
    {
      guint32 n = ((guint32) data[at] << 24) | ((guint32) data[at + 1] << 16)
                  | ((guint32) data[at + 2] << 8) | data[at + 3];
      const guchar *type = data + at + 4;

      if (n > len - at - 12)
        break;
      if (memcmp (type, "eXIf", 4) == 0)
        return tiff_orientation (data + at + 8, n);
      if (memcmp (type, "IEND", 4) == 0)
        break;
      at += 12 + (gsize) n;
    }
  return OV_ORIENTATION_NORMAL;
}

/* JPEG ---------------------------------------------------------------------- */

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf               jump;
  gboolean              hit_eof;
  char                  message[JMSG_LENGTH_MAX];
  char                  first_warning[JMSG_LENGTH_MAX];
} JpegErr;

static void
jpeg_error_exit_cb (j_common_ptr cinfo)
{
  JpegErr *err = (JpegErr *) cinfo->err;

  (*cinfo->err->format_message) (cinfo, err->message);
  longjmp (err->jump, 1);
}

static void
jpeg_emit_message_cb (j_common_ptr cinfo,
                      int          level)
{
  JpegErr *err = (JpegErr *) cinfo->err;

  if (level >= 0)
    return;
  /* libjpeg pads a file that ends early with gray and only warns; we
   * refuse, so no half-decoded picture is shown as if it were whole. */
  if (err->pub.msg_code == JWRN_JPEG_EOF)
    err->hit_eof = TRUE;
  if (err->pub.num_warnings == 0)
    (*cinfo->err->format_message) (cinfo, err->first_warning);
  err->pub.num_warnings++;
}

static void
cmyk_to_native (const guchar *cmyk,
                guint32      *out,
                int           width,
                gboolean      inverted)
{
  for (int x = 0; x < width; x++)
    {
      guint c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
      guint r, g, b;

      /* Adobe files store 255 - ink: then R = C'·K'/255 directly. */
      if (!inverted)
        {
          c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
        }
      r = (c * k + 127) / 255;
      g = (m * k + 127) / 255;
      b = (y * k + 127) / 255;
      out[x] = 0xff000000u | (r << 16) | (g << 8) | b;
    }
}

static guint64
limit_pixels (const OvImageLoadOptions *options)
{
  if (options != NULL && options->max_pixels > 0)
    return options->max_pixels;
  return OV_IMAGE_DEFAULT_MAX_PIXELS;
}

/* Whether len bytes of JPEG data can hold a width x height picture: in a
 * Huffman-coded file each 8 x 8 block of its first component costs at
 * least a DC code and, in a sequential file, an end-of-block code; half a
 * bit a block is below what any encoder (progressive ones, whose first
 * scan holds a DC code a block, included) can write. A header that asks
 * for more than that lies about the size, or the file is cut far short:
 * 60 kB cannot be 65500 x 65500. Arithmetic coding can spend far less on
 * a flat block, so such a file is not judged by its length. */
static gboolean
jpeg_size_plausible (const struct jpeg_decompress_struct *cinfo,
                     gsize                                 len)
{
  guint64 blocks = (((guint64) cinfo->image_width + 7) / 8)
                   * (((guint64) cinfo->image_height + 7) / 8);

  return cinfo->arith_code || (guint64) len >= blocks / 16;
}

static void
set_jpeg_size_error (GError    **error,
                     const char *name,
                     guint       width,
                     guint       height,
                     gsize       len)
{
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
               /* Translators: "photo.jpg: the JPEG header says 65500×65500 pixels, more than
                * its 61234 bytes can hold: ..." */
               _ ("%s: the JPEG header says %u×%u pixels, more than its %zu bytes can hold: "
                  "its header is wrong, or the file is cut short"), name, width, height, len);
}

/* A PNG's header chunk (IHDR) holds the size; its CRC tells a header that
 * was changed after it was written. */
static gboolean
png_header_intact (const guchar *data,
                   gsize         len)
{
  guint32 stored;

  if (len < 33)
    return FALSE;
  memcpy (&stored, data + 29, 4);
  /* the CRC covers the chunk's type and its 13 bytes of data */
  return crc32 (crc32 (0L, Z_NULL, 0), data + 12, 17) == GUINT32_FROM_BE (stored);
}

static OvImage *
load_jpeg (const guchar             *data,
           gsize                     len,
           const char               *name,
           const OvImageLoadOptions *options,
           GCancellable             *cancellable,
           GError                  **error)
{
  struct jpeg_decompress_struct cinfo;
  JpegErr jerr;
  OvImage *volatile image = NULL;
  guchar *volatile cmyk_row = NULL;
  JOCTET *volatile icc = NULL;     /* malloc()ed by libjpeg */
  unsigned int icc_len = 0;
  volatile guint64 max_pixels = limit_pixels (options);
  volatile gboolean bad_profile = FALSE;
  int denom;
  gboolean cmyk;

  memset (&cinfo, 0, sizeof cinfo);
  memset (&jerr, 0, sizeof jerr);
  cinfo.err = jpeg_std_error (&jerr.pub);
  jerr.pub.error_exit = jpeg_error_exit_cb;
  jerr.pub.emit_message = jpeg_emit_message_cb;

  if (setjmp (jerr.jump))
    {
      if (jerr.hit_eof)
        g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                     _ ("%s: the JPEG file ends early (truncated): %s"), name, jerr.message);
      else if (strstr (jerr.message, "precision") != NULL)
        g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                     _ ("%s: %s (only 8-bit JPEG is supported; 12-bit files are not)"),
                     name, jerr.message);
      else
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     _ ("%s: cannot decode the JPEG file; it is damaged, or not a JPEG inside: "
                        "%s"), name, jerr.message);
      jpeg_destroy_decompress (&cinfo);
      g_free (cmyk_row);
      free (icc);
      ov_image_free (image);
      return NULL;
    }

  jpeg_create_decompress (&cinfo);
  jpeg_mem_src (&cinfo, data, len);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 2, 0xffff);
  if (jpeg_read_header (&cinfo, TRUE) != JPEG_HEADER_OK || jerr.hit_eof)
    {
      g_set_error (error, OV_ERROR, jerr.hit_eof ? OV_ERROR_TRUNCATED : OV_ERROR_FORMAT,
                   _ ("%s: the JPEG file ends before its image data (truncated)"), name);
      jpeg_destroy_decompress (&cinfo);
      return NULL;
    }
  if (options == NULL || !options->ignore_color_profile)
    {
      JOCTET *profile = NULL;
      long warnings = jerr.pub.num_warnings;

      if (jpeg_read_icc_profile (&cinfo, &profile, &icc_len))
        icc = profile;
      else if (jerr.pub.num_warnings > warnings)
        {
          /* a malformed profile marker says nothing of the picture */
          jerr.pub.num_warnings = warnings;
          bad_profile = TRUE;
        }
    }

  image = g_new0 (OvImage, 1);
  image->format = g_strdup ("jpeg");
  image->orientation = OV_ORIENTATION_NORMAL;
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != NULL; m = m->next)
    if (m->marker == JPEG_APP0 + 1)
      {
        OvOrientation o = exif_orientation (m->data, m->data_length);

        if (o != OV_ORIENTATION_NORMAL)
          {
            image->orientation = o;
            break;
          }
      }
  image->stored_width = cinfo.image_width;
  image->stored_height = cinfo.image_height;
  if (!jpeg_size_plausible (&cinfo, len))
    {
      set_jpeg_size_error (error, name, cinfo.image_width, cinfo.image_height, len);
      jpeg_destroy_decompress (&cinfo);
      free (icc);
      ov_image_free (image);
      return NULL;
    }

  /* Shrink while decoding (DCT scaling is nearly free) until under the limit. */
  for (denom = 1; denom <= 8; denom *= 2)
    {
      guint64 w = (cinfo.image_width + denom - 1) / denom;
      guint64 h = (cinfo.image_height + denom - 1) / denom;

      if (w * h <= max_pixels && w <= 32767 && h <= 32767)
        break;
    }
  if (denom > 8)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: the image is %u×%u pixels, too large to show even at 1/8 size "
                      "(limit %" PRIu64 " pixels)"),
                   name, cinfo.image_width, cinfo.image_height, max_pixels);
      jpeg_destroy_decompress (&cinfo);
      free (icc);
      ov_image_free (image);
      return NULL;
    }
  cinfo.scale_num = 1;
  cinfo.scale_denom = denom;
  image->scale_denom = denom;

  cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : OV_JCS_NATIVE;
  jpeg_start_decompress (&cinfo);

  image->width = cinfo.output_width;
  image->height = cinfo.output_height;
  image->stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, image->width);
  if (denom > 1)
    image->note = g_strdup_printf (_ ("%s: the image is %u×%u pixels; shown at 1/%d size (%d×%d)"),
                                   name, cinfo.image_width, cinfo.image_height, denom,
                                   image->width, image->height);
  image->data = g_try_malloc ((gsize) image->stride * image->height);
  if (image->data == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: not enough memory for a %d×%d image"),
                   name, image->width, image->height);
      jpeg_destroy_decompress (&cinfo);
      free (icc);
      ov_image_free (image);
      return NULL;
    }
  if (cmyk)
    cmyk_row = g_malloc ((gsize) image->width * 4);

  while (cinfo.output_scanline < cinfo.output_height)
    {
      guchar *row = image->data + (gsize) cinfo.output_scanline * image->stride;
      JSAMPROW rows[1] = { cmyk ? cmyk_row : row };

      if (cinfo.output_scanline % CANCEL_EVERY_ROWS == 0
          && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          jpeg_destroy_decompress (&cinfo);
          g_free (cmyk_row);
          free (icc);
          ov_image_free (image);
          return NULL;
        }
      jpeg_read_scanlines (&cinfo, rows, 1);
      if (jerr.hit_eof)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                       _ ("%s: the JPEG file ends early (truncated) at row %u of %u"),
                       name, cinfo.output_scanline, cinfo.output_height);
          jpeg_destroy_decompress (&cinfo);
          g_free (cmyk_row);
          free (icc);
          ov_image_free (image);
          return NULL;
        }
      if (cmyk)
        cmyk_to_native (cmyk_row, (guint32 *) row, image->width, cinfo.saw_Adobe_marker);
    }
  jpeg_finish_decompress (&cinfo);
  /* Damaged entropy data decodes to a picture with wrong blocks; say so. */
  if (jerr.pub.num_warnings > 0)
    {
      char *note = g_strdup_printf (_ ("%s%s%s: the JPEG data is damaged (problems: %ld; the "
                                       "first: %s); parts of the picture may be wrong"),
                                    image->note ? image->note : "", image->note ? "\n" : "",
                                    name, jerr.pub.num_warnings, jerr.first_warning);

      g_free (image->note);
      image->note = note;
    }
  jpeg_destroy_decompress (&cinfo);
  g_free (cmyk_row);

  /* A CMYK picture was turned into RGB by its own rule; its CMYK profile
   * does not describe the result. */
  if (icc != NULL && !cmyk)
    apply_color_profile (image, icc, icc_len, FALSE, name);
  else if (bad_profile)
    add_profile_note (image, name, _ ("cannot be read"));
  free (icc);
  if (options == NULL || !options->ignore_orientation)
    apply_orientation (image);
  return image;
}

/* PNG ------------------------------------------------------------------------ */

typedef struct {
  const guchar *data;
  gsize         len, pos;
  jmp_buf       jump;
  gboolean      truncated;
  char          message[256];
} PngReader;

static void
png_read_cb (png_structp png,
             png_bytep   out,
             png_size_t  n)
{
  PngReader *r = png_get_io_ptr (png);

  if (n > r->len - r->pos)
    {
      r->truncated = TRUE;
      png_error (png, "file ends early");
    }
  memcpy (out, r->data + r->pos, n);
  r->pos += n;
}

static void
png_error_cb (png_structp     png,
              png_const_charp msg)
{
  PngReader *r = png_get_error_ptr (png);

  g_strlcpy (r->message, msg, sizeof r->message);
  longjmp (r->jump, 1);
}

static void
png_warning_cb (png_structp     png,
                png_const_charp msg)
{
  g_debug ("libpng: %s", msg);
}

static OvImage *
load_png (const guchar             *data,
          gsize                     len,
          const char               *name,
          const OvImageLoadOptions *options,
          GCancellable             *cancellable,
          GError                  **error)
{
  PngReader reader = { data, len, 0 };
  png_structp png;
  png_infop info = NULL;
  OvImage *volatile image = NULL;
  guchar *volatile icc = NULL;
  volatile gsize icc_len = 0;
  png_uint_32 w, h;
  int depth, color, passes;
  gboolean alpha;

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &reader, png_error_cb, png_warning_cb);
  if (png == NULL || (info = png_create_info_struct (png)) == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FAILED, _ ("%s: cannot start libpng"), name);
      png_destroy_read_struct (&png, NULL, NULL);
      return NULL;
    }
  if (setjmp (reader.jump))
    {
      g_set_error (error, OV_ERROR, reader.truncated ? OV_ERROR_TRUNCATED : OV_ERROR_FORMAT,
                   _ ("%s: cannot decode the PNG file%s: %s"), name,
                   reader.truncated ? _ (" (truncated)") : "", reader.message);
      png_destroy_read_struct (&png, &info, NULL);
      g_free (icc);
      ov_image_free (image);
      return NULL;
    }
  png_set_read_fn (png, &reader, png_read_cb);
  /* Our own limit is checked below; lift libpng's 1M-pixel-side default. */
  png_set_user_limits (png, 0x7fffffff, 0x7fffffff);
  png_read_info (png, info);
  png_get_IHDR (png, info, &w, &h, &depth, &color, NULL, NULL, NULL);

  if ((guint64) w * h > limit_pixels (options) || w > 32767 || h > 32767)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: the PNG image is %u×%u pixels, more than the %" PRIu64 " pixels "
                      "oscarviz accepts"), name, (guint) w, (guint) h, limit_pixels (options));
      png_destroy_read_struct (&png, &info, NULL);
      g_free (icc);
      return NULL;
    }

  alpha = (color & PNG_COLOR_MASK_ALPHA) || png_get_valid (png, info, PNG_INFO_tRNS);
  if ((options == NULL || !options->ignore_color_profile)
      && png_get_valid (png, info, PNG_INFO_iCCP) && (color & PNG_COLOR_MASK_COLOR))
    {
      png_charp profile_name;
      png_bytep profile;
      png_uint_32 profile_len;
      int compression;

      if (png_get_iCCP (png, info, &profile_name, &compression, &profile, &profile_len))
        {
          icc = g_memdup2 (profile, profile_len);
          icc_len = profile_len;
        }
    }
  png_set_expand (png);
#ifdef PNG_READ_SCALE_16_TO_8_SUPPORTED
  png_set_scale_16 (png);
#else
  png_set_strip_16 (png);
#endif
  if (!(color & PNG_COLOR_MASK_COLOR))
    png_set_gray_to_rgb (png);
  if (!alpha)
    png_set_filler (png, 0xff, PNG_FILLER_AFTER);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  png_set_bgr (png);
#else
  png_set_swap_alpha (png);
#endif
  passes = png_set_interlace_handling (png);
  png_read_update_info (png, info);

  image = g_new0 (OvImage, 1);
  image->format = g_strdup ("png");
  image->orientation = OV_ORIENTATION_NORMAL;
  image->scale_denom = 1;
  image->has_alpha = alpha;
  image->width = image->stored_width = w;
  image->height = image->stored_height = h;
  image->stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, w);
  image->data = g_try_malloc0 ((gsize) image->stride * h);
  if (image->data == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: not enough memory for a %u×%u image"), name, (guint) w, (guint) h);
      png_destroy_read_struct (&png, &info, NULL);
      g_free (icc);
      ov_image_free (image);
      return NULL;
    }
  for (int pass = 0; pass < passes; pass++)
    for (png_uint_32 y = 0; y < h; y++)
      {
        if (y % CANCEL_EVERY_ROWS == 0
            && g_cancellable_set_error_if_cancelled (cancellable, error))
          {
            png_destroy_read_struct (&png, &info, NULL);
            g_free (icc);
            ov_image_free (image);
            return NULL;
          }
        png_read_row (png, image->data + (gsize) y * image->stride, NULL);
      }
  png_read_end (png, NULL);
  png_destroy_read_struct (&png, &info, NULL);
  if (icc != NULL)
    apply_color_profile (image, icc, icc_len, alpha, name);
  g_free (icc);

  /* Cairo wants premultiplied alpha. */
  if (alpha)
    for (png_uint_32 y = 0; y < h; y++)
      {
        guint32 *row = (guint32 *) (image->data + (gsize) y * image->stride);

        for (png_uint_32 x = 0; x < w; x++)
          {
            guint32 p = row[x], a = p >> 24;
            guint32 r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

            if (a == 255)
              continue;
            r = (r * a + 127) / 255;
            g = (g * a + 127) / 255;
            b = (b * a + 127) / 255;
            row[x] = (a << 24) | (r << 16) | (g << 8) | b;
          }
      }
  image->orientation = png_exif_orientation (data, len);
  if (options == NULL || !options->ignore_orientation)
    apply_orientation (image);
  return image;
}

/* Entry points ---------------------------------------------------------------- */

static const guchar png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

OvImage *
ov_image_load_from_data (const guchar             *data,
                         gsize                     len,
                         const char               *name,
                         const OvImageLoadOptions *options,
                         GCancellable             *cancellable,
                         GError                  **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (name == NULL)
    name = "image";
  if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return load_jpeg (data, len, name, options, cancellable, error);
  if (len >= 8 && memcmp (data, png_magic, 8) == 0)
    return load_png (data, len, name, options, cancellable, error);
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
               _ ("%s: not a JPEG or PNG image"), name);
  return NULL;
}

/* The file mapped; a folder or a file that cannot be mapped is an
 * OV_ERROR_IO error that names it. */
static GMappedFile *
map_picture (const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  GMappedFile *map;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO,
                   _ ("%s is a folder, not a picture (give a JPEG or PNG file)"), path);
      return NULL;
    }
  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  map = g_mapped_file_new (path, FALSE, &local);
  if (map == NULL)
    g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s", local->message);
  return map;
}

OvImage *
ov_image_load (const char               *path,
               const OvImageLoadOptions *options,
               GCancellable             *cancellable,
               GError                  **error)
{
  g_autoptr(GMappedFile) map = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  map = map_picture (path, error);
  if (map == NULL)
    return NULL;
  return ov_image_load_from_data ((const guchar *) g_mapped_file_get_contents (map),
                                  g_mapped_file_get_length (map), path, options,
                                  cancellable, error);
}

gboolean
ov_image_read_info (const char    *path,
                    char         **format,
                    int           *stored_width,
                    int           *stored_height,
                    OvOrientation *orientation,
                    GError       **error)
{
  g_autoptr(GMappedFile) map = NULL;
  const guchar *data;
  gsize len;

  map = map_picture (path, error);
  if (map == NULL)
    return FALSE;
  data = (const guchar *) g_mapped_file_get_contents (map);
  len = g_mapped_file_get_length (map);
  *orientation = OV_ORIENTATION_NORMAL;

  if (len >= 24 && memcmp (data, png_magic, 8) == 0 && memcmp (data + 12, "IHDR", 4) == 0)
    {
      guint32 w, h;

      if (!png_header_intact (data, len))
        {
          g_set_error (error, OV_ERROR, len < 33 ? OV_ERROR_TRUNCATED : OV_ERROR_FORMAT,
                       len < 33 ? _ ("%s: the PNG file ends inside its header (truncated)")
                                : _ ("%s: the PNG header (its size and kind) is damaged: its "
                                     "check sum does not match"), path);
          return FALSE;
        }
      *format = g_strdup ("png");

      memcpy (&w, data + 16, 4);
      memcpy (&h, data + 20, 4);
      *stored_width = (int) MIN (GUINT32_FROM_BE (w), (guint32) G_MAXINT);
      *stored_height = (int) MIN (GUINT32_FROM_BE (h), (guint32) G_MAXINT);
      *orientation = png_exif_orientation (data, len);
      return TRUE;
    }
  if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    {
      struct jpeg_decompress_struct cinfo;
      JpegErr jerr;

      memset (&jerr, 0, sizeof jerr);
      cinfo.err = jpeg_std_error (&jerr.pub);
      jerr.pub.error_exit = jpeg_error_exit_cb;
      jerr.pub.emit_message = jpeg_emit_message_cb;
      if (setjmp (jerr.jump))
        {
          /* the data ran out inside the header (libjpeg then reads the
           * end marker it makes up, and its error is about what it read
           * there, "Bogus Huffman table definition"): truncated, as the
           * full decoder says */
          if (jerr.hit_eof)
            g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                         _ ("%s: the JPEG file ends early (truncated): %s"), path, jerr.message);
          else
            g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                         _ ("%s: cannot read the JPEG header: %s"), path, jerr.message);
          jpeg_destroy_decompress (&cinfo);
          return FALSE;
        }
      jpeg_create_decompress (&cinfo);
      jpeg_mem_src (&cinfo, data, len);
      jpeg_save_markers (&cinfo, JPEG_APP0 + 1, 0xffff);
      if (jpeg_read_header (&cinfo, TRUE) != JPEG_HEADER_OK || jerr.hit_eof)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                       _ ("%s: the JPEG file ends before its image data (truncated)"), path);
          jpeg_destroy_decompress (&cinfo);
          return FALSE;
        }
      for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != NULL; m = m->next)
        {
          OvOrientation o = exif_orientation (m->data, m->data_length);

          if (o != OV_ORIENTATION_NORMAL)
            {
              *orientation = o;
              break;
            }
        }
      if (!jpeg_size_plausible (&cinfo, len))
        {
          set_jpeg_size_error (error, path, cinfo.image_width, cinfo.image_height, len);
          jpeg_destroy_decompress (&cinfo);
          return FALSE;
        }
      *format = g_strdup ("jpeg");
      *stored_width = cinfo.image_width;
      *stored_height = cinfo.image_height;
      jpeg_destroy_decompress (&cinfo);
      return TRUE;
    }
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: not a JPEG or PNG image"), path);
  return FALSE;
}
