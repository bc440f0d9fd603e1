/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Data-layer benchmark: writes a large Oscar split (feature, label and hw
 * TSVs with .lineidx, and its yaml), then times opening it, loading random
 * samples, and the peak memory; and times decoding a 12-megapixel JPEG
 * against Debian's djpeg in the same run. Not part of `meson test`.
 */
#define G_LOG_DOMAIN "bench-data"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <jpeglib.h>

#include "data/ov-dataset.h"

static long
max_rss_kib (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* User + system CPU seconds of this process: the machine may be shared, so
 * wall time alone can mislead. */
static double
cpu_seconds_of (int who)
{
  struct rusage ru;

  getrusage (who, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
         + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double
cpu_seconds (void)
{
  return cpu_seconds_of (RUSAGE_SELF);
}

static long
current_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  p = strstr (status, "VmRSS:");
  return p ? strtol (p + 6, NULL, 10) : -1;
}

/* key \t {"num_boxes": n, "features": b64} rows, plus labels and hw rows
 * for the same keys, with .lineidx files written as the rows go. */
static void
write_split (const char *dir,
             guint       n_images,
             guint       n_boxes)
{
  g_autofree char *fpath = g_build_filename (dir, "test.feature.tsv", NULL);
  g_autofree char *lpath = g_build_filename (dir, "test.label.tsv", NULL);
  g_autofree char *hpath = g_build_filename (dir, "test.hw.tsv", NULL);
  g_autofree char *fidx = g_build_filename (dir, "test.feature.lineidx", NULL);
  g_autofree char *lidx = g_build_filename (dir, "test.label.lineidx", NULL);
  g_autofree char *hidx = g_build_filename (dir, "test.hw.lineidx", NULL);
  g_autofree char *yaml = g_build_filename (dir, "test.yaml", NULL);
  FILE *ff = fopen (fpath, "w"), *lf = fopen (lpath, "w"), *hf = fopen (hpath, "w");
  FILE *fi = fopen (fidx, "w"), *li = fopen (lidx, "w"), *hi = fopen (hidx, "w");
  gsize n_values = (gsize) n_boxes * OV_REGION_DIM;
  g_autofree float *values = g_new (float, n_values);
  g_autofree char *b64 = NULL;
  guint64 fo = 0, lo = 0, ho = 0;
  GRand *rand = g_rand_new_with_seed (7);

  g_assert (ff && lf && hf && fi && li && hi);
  /* One random block of features shared by all rows: decoding cost does
   * not depend on the values. */
  for (gsize i = 0; i < n_values; i++)
    values[i] = (float) g_rand_double_range (rand, 0.0, 4.0);
  b64 = g_base64_encode ((const guchar *) values, n_values * sizeof (float));
  for (guint i = 0; i < n_images; i++)
    {
      int n;

      fprintf (fi, "%" G_GUINT64_FORMAT "\n", fo);
      n = fprintf (ff, "img%07u\t{\"num_boxes\": %u, \"features\": \"%s\"}\n", i, n_boxes, b64);
      fo += n;
      fprintf (li, "%" G_GUINT64_FORMAT "\n", lo);
      n = fprintf (lf, "img%07u\t[", i);
      for (guint b = 0; b < n_boxes; b++)
        n += fprintf (lf, "%s{\"class\": \"thing%u\", \"conf\": 0.5, \"rect\": [%u, %u, %u, %u]}",
                      b ? ", " : "", b, b, b, 100 + b, 100 + b);
      n += fprintf (lf, "]\n");
      lo += n;
      fprintf (hi, "%" G_GUINT64_FORMAT "\n", ho);
      ho += fprintf (hf, "img%07u\t[{\"height\": 480, \"width\": 640}]\n", i);
    }
  fclose (ff); fclose (lf); fclose (hf); fclose (fi); fclose (li); fclose (hi);
  g_file_set_contents (yaml, "feature: test.feature.tsv\nlabel: test.label.tsv\n"
                             "hw: test.hw.tsv\n", -1, NULL);
  g_rand_free (rand);
}

/* A 4000×3000 photo-like JPEG: a COCO photo scaled up with fine noise
 * added, so the entropy coder has real work, quality 90, 4:2:0. */
static char *
write_big_jpeg (const char *dir,
                const char *photo)
{
  g_autoptr(OvImage) src = ov_image_load (photo, NULL, NULL, NULL);
  char *path = g_build_filename (dir, "12mp.jpg", NULL);
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  const int W = 4000, H = 3000;
  g_autofree guchar *row = g_malloc (W * 3);
  GRand *rand = g_rand_new_with_seed (3);
  FILE *out = fopen (path, "wb");

  g_assert (src != NULL && out != NULL);
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, out);
  cinfo.image_width = W;
  cinfo.image_height = H;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 90, TRUE);
  jpeg_start_compress (&cinfo, TRUE);
  for (int y = 0; y < H; y++)
    {
      JSAMPROW rows[1] = { row };

      for (int x = 0; x < W; x++)
        {
          guint32 p = ov_image_get_pixel (src, x * src->width / W, y * src->height / H);
          int noise = g_rand_int_range (rand, -12, 13);

          for (int c = 0; c < 3; c++)
            row[3 * x + c] = CLAMP ((int) ((p >> (16 - 8 * c)) & 0xff) + noise, 0, 255);
        }
      jpeg_write_scanlines (&cinfo, rows, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  fclose (out);
  g_rand_free (rand);
  return path;
}

static double
median (double *v,
        int     n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--)
      {
        double t = v[j];
        v[j] = v[j - 1];
        v[j - 1] = t;
      }
  return v[n / 2];
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *yaml = NULL;
  g_autofree char *feature_path = NULL;
  g_autofree char *jpeg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = NULL;
  const char *work = argc > 1 ? argv[1] : g_get_tmp_dir ();
  const char *photo = argc > 2 ? argv[2] : "../shared/data/images/coco-000000391895.jpg";
  guint n_images = argc > 3 ? atoi (argv[3]) : 100000;
  guint n_boxes = argc > 4 ? atoi (argv[4]) : 2;
  const guint n_random = 10000;
  const int n_decode = 5;
  double t0, c0, t_open, c_open, t_samples, c_samples, t_djpeg[5], c_djpeg[5], t_ours[5], c_ours[5];
  long rss_before, rss_open;
  GStatBuf st;
  GRand *rand;
  guint64 checksum = 0;

  setlocale (LC_ALL, "");
  dir = g_build_filename (work, "ov-bench-data", NULL);
  g_mkdir_with_parents (dir, 0755);
  yaml = g_build_filename (dir, "test.yaml", NULL);
  feature_path = g_build_filename (dir, "test.feature.tsv", NULL);

  t0 = g_get_monotonic_time ();
  write_split (dir, n_images, n_boxes);
  g_stat (feature_path, &st);
  g_print ("generated: %u images × %u boxes × 2054 floats; feature TSV %.2f GB in %.1f s\n",
           n_images, n_boxes, st.st_size / 1e9, (g_get_monotonic_time () - t0) / 1e6);

  rss_before = current_rss_kib ();
  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  ds = ov_dataset_open (yaml, NULL, &error);
  t_open = (g_get_monotonic_time () - t0) / 1e6;
  c_open = cpu_seconds () - c0;
  g_assert_no_error (error);
  rss_open = current_rss_kib ();
  g_print ("open test.yaml (3 TSVs, %u rows each): %.3f s wall, %.3f s CPU, RSS +%.1f MiB\n",
           ov_dataset_get_n_samples (ds), t_open, c_open, (rss_open - rss_before) / 1024.0);

  rand = g_rand_new_with_seed (11);
  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  for (guint i = 0; i < n_random; i++)
    {
      guint idx = g_rand_int_range (rand, 0, ov_dataset_get_n_samples (ds));
      g_autoptr(OvSample) s = ov_dataset_load_sample (ds, idx, NULL, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert (ov_sample_build_region_vectors (s, NULL));
      checksum += s->n_regions + s->n_features;
    }
  t_samples = (g_get_monotonic_time () - t0) / 1e6;
  c_samples = cpu_seconds () - c0;
  g_print ("%u random samples (labels + features + hw, region vectors): %.2f s wall, %.2f s "
           "CPU, %.0f µs CPU each (checksum %" G_GUINT64_FORMAT ")\n", n_random, t_samples,
           c_samples, c_samples / n_random * 1e6, checksum);
  t0 = g_get_monotonic_time ();
  g_assert (ov_dataset_find_key (ds, "img0099999", NULL, NULL) >= 0
            || ov_dataset_get_n_samples (ds) < 100000);
  g_print ("first key lookup (builds the key index by reading every key): %.2f s\n",
           (g_get_monotonic_time () - t0) / 1e6);
  g_print ("peak RSS of the process so far: %.1f MiB\n", max_rss_kib () / 1024.0);
  g_rand_free (rand);

  jpeg = write_big_jpeg (dir, photo);
  g_stat (jpeg, &st);
  for (int r = 0; r < n_decode; r++)
    {
      const char *djpeg_argv[] = { "djpeg", "-ppm", "-outfile", "/dev/null", jpeg, NULL };
      int status;

      t0 = g_get_monotonic_time ();
      c0 = cpu_seconds_of (RUSAGE_CHILDREN);
      g_spawn_sync (NULL, (char **) djpeg_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    &status, &error);
      t_djpeg[r] = (g_get_monotonic_time () - t0) / 1e6;
      c_djpeg[r] = cpu_seconds_of (RUSAGE_CHILDREN) - c0;
      g_assert_no_error (error);

      t0 = g_get_monotonic_time ();
      c0 = cpu_seconds ();
      {
        g_autoptr(OvImage) img = ov_image_load (jpeg, NULL, NULL, &error);

        g_assert_no_error (error);
        g_assert (img->width == 4000);
      }
      t_ours[r] = (g_get_monotonic_time () - t0) / 1e6;
      c_ours[r] = cpu_seconds () - c0;
    }
  g_print ("12 MP JPEG (4000×3000, %.1f MB): djpeg -ppm >/dev/null median %.3f s wall, "
           "%.3f s CPU (process start included); ov_image_load median %.3f s wall, %.3f s CPU "
           "(to Cairo ARGB32); %d runs each\n", st.st_size / 1e6, median (t_djpeg, n_decode),
           median (c_djpeg, n_decode), median (t_ours, n_decode), median (c_ours, n_decode),
           n_decode);
  g_print ("peak RSS at the end: %.1f MiB\n", max_rss_kib () / 1024.0);
  {
    const char *names[] = { "test.feature.tsv", "test.label.tsv", "test.hw.tsv",
                            "test.feature.lineidx", "test.label.lineidx", "test.hw.lineidx",
                            "test.yaml", "12mp.jpg" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *p = g_build_filename (dir, names[i], NULL);

        g_remove (p);
      }
    g_rmdir (dir);
  }
  return 0;
}
