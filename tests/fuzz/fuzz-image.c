/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: JPEG and PNG decoding (ov_image_load_from_data, and the
 * header-only ov_image_read_info on the same bytes as a file).
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "data/ov-image.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = ov_fuzz_write ("image", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(OvImage) image = NULL;
  g_autofree char *format = NULL;
  OvImageLoadOptions opts = { 0 };
  OvOrientation orientation;
  int w = 0, h = 0;
  gboolean ok;

  /* Small enough that a fuzzer run stays fast; limits above it are tested
   * by tests/test-image.c. */
  opts.max_pixels = 4096 * 4096;
  image = ov_image_load_from_data (data, size, path, &opts, NULL, &error);
  g_assert ((image == NULL) == (error != NULL));
  if (image != NULL)
    {
      volatile guint32 sink = 0;

      g_assert (image->width > 0 && image->height > 0);
      g_assert (image->stride >= image->width * 4);
      for (int y = 0; y < image->height; y++)
        sink ^= ov_image_get_pixel (image, image->width - 1, y);
      (void) sink;
    }
  ok = ov_image_read_info (path, &format, &w, &h, &orientation, &error2);
  g_assert (ok == (error2 == NULL));
  return 0;
}
