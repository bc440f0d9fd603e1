/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Image loading: every file in ../shared/data/images, with pixel values
 * taken from Debian's djpeg (libjpeg-turbo-progs 2.1.5, `djpeg -ppm`) and
 * ImageMagick 6 for the CMYK file; PNG fixtures in tests/data written by
 * hand (values known by construction); EXIF orientation, huge images,
 * truncation and cancellation.
 */
#define G_LOG_DOMAIN "test-image"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <lcms2.h>
#include <math.h>
#include <png.h>

#include "data/ov-image.h"
#include "model/ov-error.h"
#include "ov-test-util.h"

typedef struct {
  int     x, y;
  guint32 rgb;
} Pixel;

typedef struct {
  const char *file;
  const char *format;
  int         width, height;
  int         orientation;
  int         tolerance;      /* per channel */
  Pixel       pixels[5];
} ImageCase;

/* Pixels as djpeg -ppm prints them (ISLOW IDCT, fancy upsampling: the
 * library defaults, so equality is exact). The EXIF case lists displayed
 * pixels: displayed (X, Y) is stored (Y, 127 - X) for orientation 6. The
 * CMYK values are ImageMagick's `-colorspace sRGB` of the same file. */
static const ImageCase jpeg_cases[] = {
  { "coco-000000184613.jpg", "jpeg", 500, 336, 1, 0,
    { { 0, 0, 0xe7f1f3 }, { 250, 112, 0x6e3a3e }, { 499, 335, 0x34312c },
      { 166, 224, 0x8b8c7c } } },
  { "coco-000000391895.jpg", "jpeg", 640, 360, 1, 0,
    { { 0, 0, 0xffffff }, { 320, 120, 0x7a9680 }, { 639, 359, 0x3c4f18 },
      { 213, 240, 0x86835a } } },
  { "coco-000000522418.jpg", "jpeg", 640, 480, 1, 0,
    { { 0, 0, 0x9e9a5d }, { 320, 160, 0x98854d }, { 639, 479, 0x5a0103 },
      { 213, 320, 0x766c37 } } },
  { "skimage-rocket.jpg", "jpeg", 640, 427, 1, 0,
    { { 0, 0, 0x11213a }, { 320, 142, 0x5d5552 }, { 639, 426, 0x533d25 },
      { 213, 284, 0x495b7f } } },
  { "edge-cases/ijg-testorig-baseline.jpg", "jpeg", 227, 149, 1, 0,
    { { 0, 0, 0x302f2d }, { 113, 49, 0xd6352d }, { 226, 148, 0x272e26 },
      { 75, 99, 0xd4382b } } },
  { "edge-cases/ijg-testimgp-progressive.jpg", "jpeg", 227, 149, 1, 0,
    { { 0, 0, 0x302f2d }, { 113, 49, 0xd6352d }, { 226, 148, 0x282f27 },
      { 75, 99, 0xd4382b } } },
  { "edge-cases/ijg-testimggray-grayscale.jpg", "jpeg", 227, 149, 1, 0,
    { { 0, 0, 0x2f2f2f }, { 113, 49, 0x646464 }, { 226, 148, 0x2c2c2c },
      { 75, 99, 0x656565 } } },
  { "edge-cases/ijg-testimgari-arithmetic.jpg", "jpeg", 227, 149, 1, 0,
    { { 0, 0, 0x302f2d }, { 113, 49, 0xd6352d }, { 226, 148, 0x282f27 },
      { 75, 99, 0xd4382b } } },
  { "edge-cases/pillow-hopper.jpg", "jpeg", 128, 128, 1, 0,
    { { 0, 0, 0x141543 }, { 64, 42, 0xc3713f }, { 127, 127, 0x86a0d1 },
      { 42, 85, 0x0f0b0c } } },
  { "edge-cases/pillow-hopper_orientation_6-exif.jpg", "jpeg", 128, 128, 6, 0,
    { { 0, 0, 0x191548 }, { 64, 42, 0xc87950 }, { 127, 127, 0x84a1c9 }, { 42, 85, 0x0e0d12 },
      { 10, 0, 0x141448 } } },
  { "edge-cases/pillow-pil_sample_rgb.jpg", "jpeg", 100, 100, 1, 0,
    { { 0, 0, 0xe72019 }, { 50, 33, 0x010000 }, { 99, 99, 0x000000 },
      { 33, 66, 0x000000 } } },
  { "edge-cases/pillow-pil_sample_cmyk.jpg", "jpeg", 100, 100, 1, 1,
    { { 0, 0, 0xff0d19 }, { 50, 33, 0x010404 }, { 99, 99, 0x010405 }, { 10, 50, 0xfd0e19 },
      { 70, 20, 0x010405 } } },
};

/* PNGs: the three photos' pixels from ImageMagick (`convert f.png txt:`)
 * and the fixtures' from how they were written. Expected values are
 * premultiplied ARGB. */
static const ImageCase png_cases[] = {
  { "skimage-chelsea.png", "png", 451, 300, 1, 0,
    { { 0, 0, 0x8f7868 }, { 225, 100, 0xba8c6a }, { 450, 299, 0xa28a80 } } },
  { "skimage-coffee.png", "png", 600, 400, 1, 0,
    { { 0, 0, 0x150d08 }, { 300, 133, 0xe18731 }, { 599, 399, 0x8f3c1d } } },
  { "skimage-camera-gray.png", "png", 512, 512, 1, 0,
    { { 0, 0, 0xc8c8c8 }, { 256, 170, 0xdadada }, { 511, 511, 0x959595 } } },
};

static char *
image_path (const char *file)
{
  return ov_test_shared_path ("data", "images", file, NULL);
}

static char *
fixture_path (const char *file)
{
  return ov_test_source_path ("tests", "data", file, NULL);
}

static void
assert_pixel (const OvImage *image,
              int            x,
              int            y,
              guint32        argb,
              int            tolerance)
{
  guint32 got = ov_image_get_pixel (image, x, y);

  for (int shift = 0; shift < 32; shift += 8)
    {
      int a = (got >> shift) & 0xff, b = (argb >> shift) & 0xff;

      if (ABS (a - b) > tolerance)
        g_error ("pixel (%d, %d): got 0x%08x, expected 0x%08x (tolerance %d)", x, y, got, argb,
                 tolerance);
    }
}

static void
check_case (const ImageCase *c)
{
  g_autofree char *path = image_path (c->file);
  g_autoptr(GError) error = NULL;
  /* the stored values, as djpeg and ImageMagick print them */
  OvImageLoadOptions as_stored = { 0, FALSE, TRUE };
  g_autoptr(OvImage) image = ov_image_load (path, &as_stored, NULL, &error);

  g_test_message ("%s", c->file);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  g_assert_cmpstr (image->format, ==, c->format);
  g_assert_cmpint (image->width, ==, c->width);
  g_assert_cmpint (image->height, ==, c->height);
  g_assert_cmpint (image->orientation, ==, c->orientation);
  g_assert_cmpint (image->scale_denom, ==, 1);
  g_assert_null (image->note);
  g_assert_cmpint (image->stride, >=, image->width * 4);
  for (guint i = 0; i < G_N_ELEMENTS (c->pixels); i++)
    if (c->pixels[i].rgb != 0 || c->pixels[i].x != 0 || c->pixels[i].y != 0 || i == 0)
      assert_pixel (image, c->pixels[i].x, c->pixels[i].y, 0xff000000u | c->pixels[i].rgb,
                    c->tolerance);
}

static void
test_jpeg_files (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (jpeg_cases); i++)
    check_case (&jpeg_cases[i]);
}

static void
test_png_files (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (png_cases); i++)
    check_case (&png_cases[i]);
}

static void
test_every_shared_image (void)
{
  /* Every file of the folder either loads as a case above says or fails
   * with the error its SOURCES.md entry predicts: nothing is left out. */
  const char *dirs[] = { "", "edge-cases" };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *dir_path = ov_test_shared_path ("data", "images", dirs[d], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *rel = *dirs[d] ? g_build_filename (dirs[d], name, NULL)
                                          : g_strdup (name);
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          g_autoptr(GError) error = NULL;
          g_autoptr(OvImage) image = NULL;
          gboolean known = FALSE;

          if (g_file_test (path, G_FILE_TEST_IS_DIR))
            continue;
          for (guint i = 0; i < G_N_ELEMENTS (jpeg_cases); i++)
            known |= g_str_equal (jpeg_cases[i].file, rel);
          for (guint i = 0; i < G_N_ELEMENTS (png_cases); i++)
            known |= g_str_equal (png_cases[i].file, rel);
          image = ov_image_load (path, NULL, NULL, &error);
          if (g_str_has_suffix (name, "12bit.jpg"))
            {
              g_assert_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED);
              g_assert_nonnull (strstr (error->message, "12-bit"));
              g_assert_nonnull (strstr (error->message, name));
            }
          else if (g_str_has_suffix (name, "truncated.jpg"))
            {
              g_assert_error (error, OV_ERROR, OV_ERROR_TRUNCATED);
              g_assert_nonnull (strstr (error->message, "truncated"));
            }
          else
            {
              g_assert_no_error (error);
              g_assert_true (known);
            }
        }
    }
}

static void
test_png_fixtures (void)
{
  struct { const char *file; int w, h; gboolean alpha; Pixel px[6]; } cases[] = {
    /* 16-bit values k·257 reduce to exactly k. */
    { "rgb16.png", 3, 2, FALSE,
      { { 0, 0, 0xff0a141e }, { 1, 0, 0xffff0080 }, { 2, 0, 0xff010203 }, { 0, 1, 0xff000000 },
        { 1, 1, 0xff6496c8 }, { 2, 1, 0xffffffff } } },
    /* Palette red, green, blue(alpha 0), (200,100,50) alpha 128; premultiplied
     * round(200·128/255) = 100, round(100·128/255) = 50, round(50·128/255) = 25. */
    { "palette-trns.png", 3, 2, TRUE,
      { { 0, 0, 0xffff0000 }, { 1, 0, 0xff00ff00 }, { 2, 0, 0x00000000 }, { 0, 1, 0x80643219 },
        { 1, 1, 0x80643219 }, { 2, 1, 0xffff0000 } } },
    { "rgba-interlaced.png", 3, 2, TRUE,
      { { 0, 0, 0xffff0000 }, { 1, 0, 0xff00ff00 }, { 2, 0, 0x00000000 }, { 0, 1, 0x80643219 },
        { 1, 1, 0x80643219 }, { 2, 1, 0xffff0000 } } },
    /* Gray 50/255, 200/64 → round(200·64/255) = 50, 255/0, 128/128 → 64. */
    { "gray-alpha.png", 2, 2, TRUE,
      { { 0, 0, 0xff323232 }, { 1, 0, 0x40323232 }, { 0, 1, 0x00000000 },
      { 1, 1, 0x80404040 } } },
    { "gray16.png", 2, 1, FALSE, { { 0, 0, 0xff4d4d4d }, { 1, 0, 0xfffafafa } } },
    /* Bits 10110001. */
    { "gray1.png", 8, 1, FALSE,
      { { 0, 0, 0xffffffff }, { 1, 0, 0xff000000 }, { 2, 0, 0xffffffff }, { 3, 0, 0xffffffff },
        { 4, 0, 0xff000000 }, { 7, 0, 0xffffffff } } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = fixture_path (cases[i].file);
      g_autoptr(GError) error = NULL;
      g_autoptr(OvImage) image = ov_image_load (path, NULL, NULL, &error);

      g_test_message ("%s", cases[i].file);
      g_assert_no_error (error);
      g_assert_cmpint (image->width, ==, cases[i].w);
      g_assert_cmpint (image->height, ==, cases[i].h);
      g_assert_cmpint (image->has_alpha, ==, cases[i].alpha);
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].px); k++)
        if (k == 0 || cases[i].px[k].rgb != 0 || cases[i].px[k].x != 0 || cases[i].px[k].y != 0)
          assert_pixel (image, cases[i].px[k].x, cases[i].px[k].y, cases[i].px[k].rgb, 0);
    }
}

/* A copy of a JPEG with an EXIF APP1 block giving `orientation` inserted
 * after SOI. Big-endian TIFF, one IFD entry. */
static GBytes *
with_orientation (const guchar *jpeg,
                  gsize         len,
                  int           orientation)
{
  static const guchar app1_head[] = {
    0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,   /* TIFF header, IFD0 at 8 */
    0x00, 0x01,                                     /* one entry */
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, /* Orientation, SHORT, 1 value */
  };
  GByteArray *out = g_byte_array_new ();
  guchar value[4] = { 0, (guchar) orientation, 0, 0 };
  guchar next_ifd[4] = { 0, 0, 0, 0 };

  g_byte_array_append (out, jpeg, 2);
  g_byte_array_append (out, app1_head, sizeof app1_head);
  g_byte_array_append (out, value, 4);
  g_byte_array_append (out, next_ifd, 4);
  g_byte_array_append (out, jpeg + 2, len - 2);
  return g_byte_array_free_to_bytes (out);
}

static void
test_all_orientations (void)
{
  g_autofree char *path = image_path ("edge-cases/ijg-testorig-baseline.jpg");
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(OvImage) plain = NULL;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  plain = ov_image_load_from_data ((guchar *) data, len, "plain", NULL, NULL, NULL);
  g_assert_nonnull (plain);

  for (int o = 1; o <= 8; o++)
    {
      g_autoptr(GBytes) bytes = with_orientation ((guchar *) data, len, o);
      g_autoptr(GError) error = NULL;
      g_autoptr(OvImage) img = NULL;
      g_autoptr(OvImage) raw = NULL;
      OvImageLoadOptions keep = { 0, TRUE };
      int w = plain->width, h = plain->height;

      img = ov_image_load_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                     "rotated", NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (img->orientation, ==, o);
      g_assert_cmpint (img->width, ==, o >= 5 ? h : w);
      g_assert_cmpint (img->height, ==, o >= 5 ? w : h);
      g_assert_cmpint (img->stored_width, ==, w);

      /* The stored pixel (x, y) covers the unit square whose centre maps
       * through ov_orientation_apply_point to the displayed pixel. */
      for (int y = 0; y < h; y += 7)
        for (int x = 0; x < w; x += 5)
          {
            double dx, dy;

            ov_orientation_apply_point (o, w, h, x + 0.5, y + 0.5, &dx, &dy);
            g_assert_cmphex (ov_image_get_pixel (img, (int) dx, (int) dy), ==,
                             ov_image_get_pixel (plain, x, y));
          }

      raw = ov_image_load_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                     "rotated", &keep, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (raw->orientation, ==, o);
      g_assert_false (raw->orientation_applied);
      g_assert_cmpint (raw->width, ==, w);
      g_assert_cmphex (ov_image_get_pixel (raw, 3, 4), ==, ov_image_get_pixel (plain, 3, 4));
    }
}

/* PNG's chunk CRC (ISO 3309 / ITU-T V.42, as zlib's crc32). */
static guint32
png_crc (const guchar *p,
         gsize         n)
{
  guint32 crc = 0xffffffffu;

  for (gsize i = 0; i < n; i++)
    {
      crc ^= p[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  return crc ^ 0xffffffffu;
}

/* A copy of a PNG with an eXIf chunk giving `orientation`, right after
 * IHDR or (after_data) right before IEND. Little-endian TIFF this time. */
static GBytes *
png_with_orientation (const guchar *png,
                      gsize         len,
                      int           orientation,
                      gboolean      after_data)
{
  const guchar chunk_data[] = {
    'I', 'I', 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00,   /* TIFF header, IFD0 at 8 */
    0x01, 0x00,                                     /* one entry */
    0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, /* Orientation, SHORT, 1 value */
    (guchar) orientation, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,                         /* no next IFD */
  };
  guchar chunk[4 + 4 + sizeof chunk_data + 4];
  gsize at = after_data ? len - 12 : 8 + 25;      /* before IEND, or after IHDR */
  GByteArray *out = g_byte_array_new ();
  guint32 crc;

  g_assert_true (memcmp (png + 12, "IHDR", 4) == 0 && memcmp (png + len - 8, "IEND", 4) == 0);
  chunk[0] = chunk[1] = chunk[2] = 0;
  chunk[3] = sizeof chunk_data;
  memcpy (chunk + 4, "eXIf", 4);
  memcpy (chunk + 8, chunk_data, sizeof chunk_data);
  crc = png_crc (chunk + 4, 4 + sizeof chunk_data);
  chunk[8 + sizeof chunk_data] = (guchar) (crc >> 24);
  chunk[9 + sizeof chunk_data] = (guchar) (crc >> 16);
  chunk[10 + sizeof chunk_data] = (guchar) (crc >> 8);
  chunk[11 + sizeof chunk_data] = (guchar) crc;
  g_byte_array_append (out, png, at);
  g_byte_array_append (out, chunk, sizeof chunk);
  g_byte_array_append (out, png + at, len - at);
  return g_byte_array_free_to_bytes (out);
}

/* /data/image/png-orientation: a PNG's eXIf orientation, before or after
 * the image data, turns the picture as a JPEG's does, and the header
 * reader says the same. */
static void
test_png_orientation (void)
{
  g_autofree char *path = image_path ("skimage-coffee.png");
  g_autofree char *data = NULL;
  g_autofree char *tmp = ov_test_tmp_path ("oriented.png");
  g_autoptr(OvImage) plain = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  plain = ov_image_load_from_data ((guchar *) data, len, "plain", NULL, NULL, NULL);
  g_assert_nonnull (plain);
  g_assert_cmpint (plain->orientation, ==, 1);

  for (int o = 1; o <= 8; o++)
    for (int after = 0; after < 2; after++)
      {
        g_autoptr(GBytes) bytes = png_with_orientation ((guchar *) data, len, o, after);
        g_autoptr(GError) error = NULL;
        g_autoptr(OvImage) img = NULL;
        g_autofree char *format = NULL;
        int w = plain->width, h = plain->height, sw = 0, sh = 0;
        OvOrientation read = 0;

        img = ov_image_load_from_data (g_bytes_get_data (bytes, NULL),
                                       g_bytes_get_size (bytes), "rotated", NULL, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpint (img->orientation, ==, o);
        g_assert_cmpint (img->width, ==, o >= 5 ? h : w);
        g_assert_cmpint (img->height, ==, o >= 5 ? w : h);
        for (int y = 0; y < h; y += 37)
          for (int x = 0; x < w; x += 41)
            {
              double dx, dy;

              ov_orientation_apply_point (o, w, h, x + 0.5, y + 0.5, &dx, &dy);
              g_assert_cmphex (ov_image_get_pixel (img, (int) dx, (int) dy), ==,
                               ov_image_get_pixel (plain, x, y));
            }

        g_assert_true (g_file_set_contents (tmp, g_bytes_get_data (bytes, NULL),
                                            (gssize) g_bytes_get_size (bytes), NULL));
        g_assert_true (ov_image_read_info (tmp, &format, &sw, &sh, &read, &error));
        g_assert_no_error (error);
        g_assert_cmpint (read, ==, o);
        g_assert_cmpint (sw, ==, w);
        g_assert_cmpint (sh, ==, h);
      }
  g_unlink (tmp);
}

/* Adobe RGB (1998) to sRGB worked out here from the two colour spaces'
 * definitions (primaries and white D65 for both, so the ICC D50 adaptation
 * cancels; gamma 563/256 in, the sRGB curve out), to check Little CMS's
 * result with. */
static guint32
adobe_to_srgb (guint32 argb)
{
  static const double to_xyz[3][3] = {
    { 0.5767309, 0.1855540, 0.1881852 },
    { 0.2973769, 0.6273491, 0.0752741 },
    { 0.0270343, 0.0706872, 0.9911085 },
  };
  static const double to_srgb[3][3] = {
    { 3.2404542, -1.5371385, -0.4985314 },
    { -0.9692660, 1.8760108, 0.0415560 },
    { 0.0556434, -0.2040259, 1.0572252 },
  };
  double lin[3], xyz[3] = { 0 };
  guint32 out = argb & 0xff000000u;

  for (int c = 0; c < 3; c++)
    lin[c] = pow (((argb >> (16 - 8 * c)) & 0xff) / 255.0, 563.0 / 256.0);
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      xyz[r] += to_xyz[r][c] * lin[c];
  for (int r = 0; r < 3; r++)
    {
      double v = 0;

      for (int c = 0; c < 3; c++)
        v += to_srgb[r][c] * xyz[c];
      v = CLAMP (v, 0.0, 1.0);
      v = v <= 0.0031308 ? 12.92 * v : 1.055 * pow (v, 1 / 2.4) - 0.055;
      out |= (guint32) lround (v * 255.0) << (16 - 8 * r);
    }
  return out;
}

/* The ICC profile embedded in a JPEG, as libjpeg reassembles it. */
static guchar *
jpeg_icc (const char *path,
          guint      *len)
{
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  g_autofree char *data = NULL;
  gsize n;
  JOCTET *icc = NULL;
  guchar *copy;

  g_assert_true (g_file_get_contents (path, &data, &n, NULL));
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_decompress (&cinfo);
  jpeg_mem_src (&cinfo, (const guchar *) data, n);
  jpeg_save_markers (&cinfo, JPEG_APP0 + 2, 0xffff);
  g_assert_cmpint (jpeg_read_header (&cinfo, TRUE), ==, JPEG_HEADER_OK);
  g_assert_true (jpeg_read_icc_profile (&cinfo, &icc, len));
  copy = g_memdup2 (icc, *len);
  free (icc);
  jpeg_destroy_decompress (&cinfo);
  return copy;
}

typedef struct {
  GByteArray *bytes;
} PngOut;

static void
png_write_cb (png_structp png,
              png_bytep   data,
              png_size_t  n)
{
  g_byte_array_append (((PngOut *) png_get_io_ptr (png))->bytes, data, n);
}

static void
png_flush_cb (png_structp png)
{
}

/* A 16×4 RGBA PNG of rows, with an iCCP chunk holding icc. */
static GBytes *
png_with_profile (const guchar *icc,
                  guint         icc_len,
                  guchar        rows[4][16 * 4])
{
  PngOut out = { g_byte_array_new () };
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);

  png_set_write_fn (png, &out, png_write_cb, png_flush_cb);
  png_set_IHDR (png, info, 16, 4, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_iCCP (png, info, "profile", PNG_COMPRESSION_TYPE_BASE, icc, icc_len);
  png_write_info (png, info);
  for (int y = 0; y < 4; y++)
    png_write_row (png, rows[y]);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (out.bytes);
}

/* /data/image/color-profile-by-content: a profile is judged by what it
 * does, not by its name: linear-light sRGB primaries described "sRGB
 * linear" are converted (mid grey 128 shows as 188, the sRGB curve of
 * 128/255), and the same primaries with the sRGB curve under another name
 * leave the values alone. */
static void
test_color_profile_by_content (void)
{
  cmsCIExyY white;
  cmsCIExyYTRIPLE primaries = { { 0.64, 0.33, 1 }, { 0.30, 0.60, 1 }, { 0.15, 0.06, 1 } };
  cmsToneCurve *linear = cmsBuildGamma (NULL, 1.0);
  cmsFloat64Number srgb_params[5] = { 2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045 };
  cmsToneCurve *curve = cmsBuildParametricToneCurve (NULL, 4, srgb_params);
  const char *names[2] = { "sRGB linear", "Camera RGB" };
  cmsToneCurve *curves[2] = { linear, curve };
  guchar rows[4][16 * 4];

  cmsWhitePointFromTemp (&white, 6504);
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 16; x++)
      {
        rows[y][4 * x] = rows[y][4 * x + 1] = rows[y][4 * x + 2] = 128;
        rows[y][4 * x + 3] = 255;
      }
  for (int k = 0; k < 2; k++)
    {
      cmsToneCurve *three[3] = { curves[k], curves[k], curves[k] };
      cmsHPROFILE profile = cmsCreateRGBProfile (&white, &primaries, three);
      cmsMLU *text = cmsMLUalloc (NULL, 1);
      cmsUInt32Number len = 0;
      g_autofree guchar *icc = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(OvImage) shown = NULL;
      g_autoptr(GError) error = NULL;
      guint32 pixel;

      cmsMLUsetASCII (text, "en", "US", names[k]);
      cmsWriteTag (profile, cmsSigProfileDescriptionTag, text);
      cmsMLUfree (text);
      g_assert_true (cmsSaveProfileToMem (profile, NULL, &len));
      icc = g_malloc (len);
      g_assert_true (cmsSaveProfileToMem (profile, icc, &len));
      cmsCloseProfile (profile);
      bytes = png_with_profile (icc, len, rows);
      shown = ov_image_load_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                       names[k], NULL, NULL, &error);
      g_assert_no_error (error);
      pixel = ov_image_get_pixel (shown, 5, 2);
      if (k == 0)
        {
          g_assert_cmpstr (shown->color_profile, ==, "sRGB linear");
          g_assert_cmpint (ABS ((int) (pixel & 0xff) - 188), <=, 1);
        }
      else
        {
          g_assert_null (shown->color_profile);
          g_assert_cmphex (pixel & 0xffffff, ==, 0x808080);
        }
    }
  cmsFreeToneCurve (linear);
  cmsFreeToneCurve (curve);
}

/* /data/image/color-profile: pictures with an Adobe RGB (1998) profile (a
 * COCO JPEG, and a PNG given the same profile in an iCCP chunk, with
 * alpha) are shown in sRGB, within 2 levels of the colour spaces'
 * definitions; an sRGB-profiled JPEG keeps its values, and
 * ignore_color_profile keeps the stored ones. */
static void
test_color_profile (void)
{
  g_autofree char *adobe = image_path ("coco-000000184613.jpg");
  g_autofree char *srgb = image_path ("coco-000000391895.jpg");
  OvImageLoadOptions as_stored = { 0, FALSE, TRUE };
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(OvImage) shown = ov_image_load (adobe, NULL, NULL, &error);
    g_autoptr(OvImage) stored = ov_image_load (adobe, &as_stored, NULL, &error);
    int worst = 0;

    g_assert_no_error (error);
    g_assert_cmpstr (shown->color_profile, ==, "Adobe RGB (1998)");
    g_assert_null (stored->color_profile);
    for (int y = 0; y < shown->height; y += 13)
      for (int x = 0; x < shown->width; x += 17)
        {
          guint32 want = adobe_to_srgb (ov_image_get_pixel (stored, x, y));
          guint32 got = ov_image_get_pixel (shown, x, y);

          for (int shift = 0; shift < 24; shift += 8)
            worst = MAX (worst, ABS ((int) ((got >> shift) & 0xff)
                                     - (int) ((want >> shift) & 0xff)));
        }
    g_test_message ("largest difference from the definitions: %d levels", worst);
    g_assert_cmpint (worst, <=, 2);
    /* a saturated colour moves: the profile did something */
    g_assert_cmphex (ov_image_get_pixel (shown, 250, 112), !=,
                     ov_image_get_pixel (stored, 250, 112));
  }
  {
    g_autoptr(OvImage) shown = ov_image_load (srgb, NULL, NULL, &error);
    g_autoptr(OvImage) stored = ov_image_load (srgb, &as_stored, NULL, &error);

    g_assert_no_error (error);
    g_assert_null (shown->color_profile);
    g_assert_cmpmem (shown->data, (gsize) shown->stride * shown->height, stored->data,
                     (gsize) stored->stride * stored->height);
  }
  {
    /* 16×4 RGBA pixels of known values, with the JPEG's profile */
    guint icc_len = 0;
    g_autofree guchar *icc = jpeg_icc (adobe, &icc_len);
    guchar rows[4][16 * 4];
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(OvImage) shown = NULL;

    for (int y = 0; y < 4; y++)
      for (int x = 0; x < 16; x++)
        {
          rows[y][4 * x] = (guchar) (x * 16);
          rows[y][4 * x + 1] = (guchar) (255 - x * 16);
          rows[y][4 * x + 2] = (guchar) (y * 80);
          rows[y][4 * x + 3] = 255;
        }
    bytes = png_with_profile (icc, icc_len, rows);

    shown = ov_image_load_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                     "adobe.png", NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (shown->color_profile, ==, "Adobe RGB (1998)");
    for (int y = 0; y < 4; y++)
      for (int x = 0; x < 16; x++)
        {
          guint32 stored = 0xff000000u | ((guint32) rows[y][4 * x] << 16)
                           | ((guint32) rows[y][4 * x + 1] << 8) | rows[y][4 * x + 2];
          guint32 want = adobe_to_srgb (stored), got = ov_image_get_pixel (shown, x, y);

          g_assert_cmphex (got >> 24, ==, 0xff);
          for (int shift = 0; shift < 24; shift += 8)
            g_assert_cmpint (ABS ((int) ((got >> shift) & 0xff) - (int) ((want >> shift) & 0xff)),
                             <=, 2);
        }
  }
}

static void
test_orientation_boxes (void)
{
  /* A box in the top-left corner of a 100×50 stored image. */
  struct { int o; double box[4]; } cases[] = {
    { 1, { 10, 5, 30, 15 } },
    { 2, { 70, 5, 90, 15 } },
    { 3, { 70, 35, 90, 45 } },
    { 4, { 10, 35, 30, 45 } },
    { 5, { 5, 10, 15, 30 } },
    { 6, { 35, 10, 45, 30 } },   /* rotated 90° clockwise: now at the top right */
    { 7, { 35, 70, 45, 90 } },
    { 8, { 5, 70, 15, 90 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double box[4] = { 10, 5, 30, 15 };

      ov_orientation_apply_box (cases[i].o, 100, 50, box);
      for (int k = 0; k < 4; k++)
        g_assert_cmpfloat (box[k], ==, cases[i].box[k]);
    }
}

static guint32
crc32_ieee (const guchar *p,
            gsize         n)
{
  guint32 c = 0xffffffffu;

  for (gsize i = 0; i < n; i++)
    {
      c ^= p[i];
      for (int k = 0; k < 8; k++)
        c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
  return c ^ 0xffffffffu;
}

/* A 20000×20000 grayscale baseline JPEG made without encoding 400 million
 * pixels: the headers of a tiny image encoded by libjpeg (standard Huffman
 * tables), the SOF size patched, and a scan in which every 8×8 block is
 * flat (DC difference 0 = code 00, then end-of-block = 1010). */
static GBytes *
make_huge_jpeg (int side)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  guchar *mem = NULL;
  unsigned long mem_len = 0;
  guchar row[8];
  JSAMPROW rows[1] = { row };
  GByteArray *out;
  gsize sos = 0, sof = 0;
  guint64 blocks = (guint64) ((side + 7) / 8) * ((side + 7) / 8);
  static const guchar pattern[3] = { 0x28, 0xa2, 0x8a }; /* 001010 ×4 */

  memset (row, 128, sizeof row);
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &mem, &mem_len);
  cinfo.image_width = 8;
  cinfo.image_height = 8;
  cinfo.input_components = 1;
  cinfo.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults (&cinfo);
  cinfo.optimize_coding = FALSE;
  jpeg_start_compress (&cinfo, TRUE);
  for (int y = 0; y < 8; y++)
    jpeg_write_scanlines (&cinfo, rows, 1);
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);

  for (gsize i = 0; i + 1 < mem_len; i++)
    {
      if (mem[i] == 0xff && mem[i + 1] == 0xc0 && sof == 0)
        sof = i;
      if (mem[i] == 0xff && mem[i + 1] == 0xda)
        {
          sos = i;
          break;
        }
    }
  g_assert_cmpuint (sof, >, 0);
  g_assert_cmpuint (sos, >, 0);
  /* SOF0: marker, length(2), precision(1), height(2), width(2). */
  mem[sof + 5] = side >> 8;
  mem[sof + 6] = side & 0xff;
  mem[sof + 7] = side >> 8;
  mem[sof + 8] = side & 0xff;

  out = g_byte_array_new ();
  g_byte_array_append (out, mem, sos + 2 + ((mem[sos + 2] << 8) | mem[sos + 3]));
  for (guint64 b = 0; b < blocks; b += 4)
    g_byte_array_append (out, pattern, 3);
  g_byte_array_append (out, (const guchar *) "\xff\xd9", 2);
  free (mem);
  return g_byte_array_free_to_bytes (out);
}

/* /data/image/size-lies: a JPEG whose header claims 65500×65500 pixels
 * for the data of a 500×336 photo, and a PNG whose header chunk was
 * changed after it was written (its CRC no longer matches), are refused
 * by the header reader that sizes a sample's boxes, not only by a decode;
 * the photo itself still reads. */
static void
test_size_lies (void)
{
  g_autofree char *photo = image_path ("coco-000000184613.jpg");
  g_autofree char *png_path = image_path ("skimage-coffee.png");
  g_autofree char *dir = g_dir_make_tmp ("ov-image-lies-XXXXXX", NULL);
  g_autofree char *jpeg_lie = g_build_filename (dir, "lie.jpg", NULL);
  g_autofree char *png_lie = g_build_filename (dir, "lie.png", NULL);
  g_autofree char *bytes = NULL;
  g_autofree char *format = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvImage) image = NULL;
  OvOrientation orientation;
  gsize len = 0, sof = 0;
  int w = 0, h = 0;

  g_assert_true (ov_image_read_info (photo, &format, &w, &h, &orientation, &error));
  g_assert_no_error (error);
  g_assert_cmpint (w, ==, 500);
  g_clear_pointer (&format, g_free);

  g_assert_true (g_file_get_contents (photo, &bytes, &len, NULL));
  for (gsize i = 0; i + 9 < len && sof == 0; i++)
    if ((guchar) bytes[i] == 0xff && (guchar) bytes[i + 1] == 0xc0)
      sof = i;
  g_assert_cmpuint (sof, >, 0);
  bytes[sof + 5] = bytes[sof + 7] = (char) 0xff;
  bytes[sof + 6] = bytes[sof + 8] = (char) 0xdc;
  g_assert_true (g_file_set_contents (jpeg_lie, bytes, (gssize) len, NULL));
  g_assert_false (ov_image_read_info (jpeg_lie, &format, &w, &h, &orientation, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "65500×65500"));
  g_assert_nonnull (strstr (error->message, jpeg_lie));
  g_clear_error (&error);
  image = ov_image_load (jpeg_lie, NULL, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_clear_error (&error);

  g_clear_pointer (&bytes, g_free);
  g_assert_true (g_file_get_contents (png_path, &bytes, &len, NULL));
  g_assert_cmpuint (len, >, 33);
  bytes[19] ^= 0x01;   /* the width's low byte */
  g_assert_true (g_file_set_contents (png_lie, bytes, (gssize) len, NULL));
  g_assert_false (ov_image_read_info (png_lie, &format, &w, &h, &orientation, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "check sum"));
  g_clear_error (&error);

  g_unlink (jpeg_lie);
  g_unlink (png_lie);
  g_rmdir (dir);
}

static void
test_huge_images (void)
{
  g_autoptr(GBytes) huge = make_huge_jpeg (20000);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvImage) image = NULL;
  OvImageLoadOptions tiny = { 1000, FALSE };
  /* Signature, IHDR 20000×20000 8-bit RGB, then an empty IDAT's header. */
  guchar png[45] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                     0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, 2, 0, 0, 0, 0, 0, 0, 0,
                     0, 0, 0, 0, 'I', 'D', 'A', 'T', 0, 0, 0, 0 };
  guint32 crc;

  /* Shrunk by 4 while decoding to fit the default 64-megapixel limit:
   * 5000×5000, 95 MiB instead of 1.5 GiB. */
  image = ov_image_load_from_data (g_bytes_get_data (huge, NULL), g_bytes_get_size (huge),
                                   "huge.jpg", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->stored_width, ==, 20000);
  g_assert_cmpint (image->scale_denom, ==, 4);
  g_assert_cmpint (image->width, ==, 5000);
  g_assert_cmpint (image->height, ==, 5000);
  g_assert_nonnull (image->note);
  g_assert_nonnull (strstr (image->note, "20000×20000"));
  /* Flat blocks with DC 0 decode to mid-gray 128. */
  assert_pixel (image, 1234, 4000, 0xff808080, 0);
  g_clear_pointer (&image, ov_image_free);

  image = ov_image_load_from_data (g_bytes_get_data (huge, NULL), g_bytes_get_size (huge),
                                   "huge.jpg", &tiny, NULL, &error);
  g_assert_error (error, OV_ERROR, OV_ERROR_LIMIT);
  g_assert_null (image);
  g_clear_error (&error);

  /* PNG cannot be shrunk while decoding: refused from the header alone. */
  crc = crc32_ieee (png + 12, 17);
  png[29] = crc >> 24;
  png[30] = crc >> 16;
  png[31] = crc >> 8;
  png[32] = crc;
  crc = crc32_ieee (png + 37, 4);
  png[41] = crc >> 24;
  png[42] = crc >> 16;
  png[43] = crc >> 8;
  png[44] = crc;
  image = ov_image_load_from_data (png, sizeof png, "huge.png", NULL, NULL, &error);
  g_assert_error (error, OV_ERROR, OV_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, "20000×20000"));
}

static void
test_corrupt_and_cancel (void)
{
  g_autofree char *path = image_path ("coco-000000391895.jpg");
  g_autofree char *png_path = image_path ("skimage-chelsea.png");
  g_autofree char *data = NULL, *png = NULL;
  gsize len, png_len;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  OvImage *image;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_true (g_file_get_contents (png_path, &png, &png_len, NULL));

  /* Cut in the middle of the scan. */
  image = ov_image_load_from_data ((guchar *) data, len / 2, "half.jpg", NULL, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, OV_ERROR, OV_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "half.jpg"));
  g_clear_error (&error);

  /* Damaged scan data decodes, but with a note that says so. */
  {
    g_autofree guchar *bad = g_memdup2 (data, len);
    g_autoptr(OvImage) damaged = NULL;

    memset (bad + len / 2, 0x00, 64);
    damaged = ov_image_load_from_data (bad, len, "damaged.jpg", NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (damaged->note);
    g_assert_nonnull (strstr (damaged->note, "damaged"));
  }

  image = ov_image_load_from_data ((guchar *) png, png_len / 2, "half.png", NULL, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, OV_ERROR, OV_ERROR_TRUNCATED);
  g_clear_error (&error);

  image = ov_image_load_from_data ((guchar *) "GIF89a......", 12, "x.gif", NULL, NULL, &error);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_clear_error (&error);

  image = ov_image_load ("/nonexistent/x.jpg", NULL, NULL, &error);
  g_assert_error (error, OV_ERROR, OV_ERROR_IO);
  g_clear_error (&error);

  g_cancellable_cancel (cancel);
  image = ov_image_load (path, NULL, cancel, &error);
  g_assert_null (image);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_read_info_and_surface (void)
{
  g_autofree char *path = image_path ("edge-cases/pillow-hopper_orientation_6-exif.jpg");
  g_autofree char *png = image_path ("skimage-coffee.png");
  g_autofree char *format = NULL;
  g_autoptr(OvImage) image = NULL;
  cairo_surface_t *surface;
  OvOrientation o;
  int w, h;

  g_assert_true (ov_image_read_info (path, &format, &w, &h, &o, NULL));
  g_assert_cmpstr (format, ==, "jpeg");
  g_assert_cmpint (o, ==, 6);
  g_clear_pointer (&format, g_free);
  g_assert_true (ov_image_read_info (png, &format, &w, &h, &o, NULL));
  g_assert_cmpint (w, ==, 600);
  g_assert_cmpint (h, ==, 400);

  image = ov_image_load (png, NULL, NULL, NULL);
  surface = ov_image_create_surface (image);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 600);
  g_assert_true (cairo_image_surface_get_data (surface) == image->data);
  cairo_surface_destroy (surface);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/image/jpeg-files", test_jpeg_files);
  g_test_add_func ("/data/image/png-files", test_png_files);
  g_test_add_func ("/data/image/every-shared-image", test_every_shared_image);
  g_test_add_func ("/data/image/png-fixtures", test_png_fixtures);
  g_test_add_func ("/data/image/all-orientations", test_all_orientations);
  g_test_add_func ("/data/image/orientation-boxes", test_orientation_boxes);
  g_test_add_func ("/data/image/png-orientation", test_png_orientation);
  g_test_add_func ("/data/image/color-profile", test_color_profile);
  g_test_add_func ("/data/image/color-profile-by-content", test_color_profile_by_content);
  g_test_add_func ("/data/image/huge", test_huge_images);
  g_test_add_func ("/data/image/size-lies", test_size_lies);
  g_test_add_func ("/data/image/corrupt-and-cancel", test_corrupt_and_cancel);
  g_test_add_func ("/data/image/info-and-surface", test_read_info_and_surface);
  return g_test_run ();
}
