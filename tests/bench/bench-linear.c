/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * How fast the CPU backend's few-row linear streams a base-size model's
 * weights, by number of input rows M, beside two
 * plain loops over the same bytes in this process: a sequential sum (what
 * memory gives one thread) and a row-after-row dot product for M = 1 (what a
 * simple kernel that reads each weight row as one run gets). A step of
 * decoding reads every weight once, so GB/s here is the step's weight time.
 * A cached decoding step runs the encoder on two rows a caption (the word
 * just chosen, whose [MASK] is replaced, and the next [MASK]) and the LM
 * head on one: M = 2 and 1 for greedy, M = 10 and 5 for beam 5.
 *
 *   build/tests/bench-linear [THREADS]
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "model/ov-backend-private.h"
#include "model/ov-device.h"

OvBackend *ov_backend_cpu_new (int n_threads);

/* one encoder layer: query/key/value, attention output, FFN up, FFN down */
static const int shapes[4][2] = { { 2304, 768 }, { 768, 768 }, { 3072, 768 }, { 768, 3072 } };
#define N_LAYERS 12

typedef float Vec8 __attribute__ ((vector_size (32), aligned (4)));

static float
sequential_sum (const float *w, gsize n)
{
  Vec8 a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
  float t = 0;

  for (gsize i = 0; i + 32 <= n; i += 32)
    {
      a += *(const Vec8 *) (w + i);
      b += *(const Vec8 *) (w + i + 8);
      c += *(const Vec8 *) (w + i + 16);
      d += *(const Vec8 *) (w + i + 24);
    }
  a += b + c + d;
  for (int l = 0; l < 8; l++)
    t += a[l];
  return t;
}

/* y (n) = w (n, k) · x (k), each row read start to end, two accumulators */
static void
rows_dot (float *y, const float *x, const float *w, int n, int k)
{
  for (int o = 0; o < n; o++)
    {
      const float *r = w + (gsize) o * k;
      Vec8 a = { 0 }, b = { 0 };
      float t = 0;

      for (int j = 0; j + 16 <= k; j += 16)
        {
          a += *(const Vec8 *) (r + j) * *(const Vec8 *) (x + j);
          b += *(const Vec8 *) (r + j + 8) * *(const Vec8 *) (x + j + 8);
        }
      a += b;
      for (int l = 0; l < 8; l++)
        t += a[l];
      y[o] = t;
    }
}

int
main (int argc, char **argv)
{
  int threads;
  OvBackend *be;

  ov_blas_reexec_if_generic (argv);
  threads = argc > 1 ? atoi (argv[1]) : 2;
  be = ov_backend_cpu_new (threads);
  float *w[N_LAYERS][4];
  static const int ms[] = { 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 70, 96 };
  /* weights on cache lines, as in a checkpoint (PyTorch's zip aligns each
   * tensor to 64 bytes), and so the input rows (the backend copies rows
   * that are not) */
  float *x = g_aligned_alloc0 (96 * 3072, sizeof (float), 64);
  float *y = g_new0 (float, 96 * 3072);
  gsize bytes = 0;
  double best_seq = 1e9, best_rows = 1e9;
  volatile float sink = 0;

  for (int l = 0; l < N_LAYERS; l++)
    for (int s = 0; s < 4; s++)
      {
        gsize n = (gsize) shapes[s][0] * shapes[s][1];

        w[l][s] = g_aligned_alloc (n, sizeof (float), 64);
        for (gsize i = 0; i < n; i++)
          w[l][s][i] = (float) (i % 7) * 0.01f;
        bytes += n * sizeof (float);
      }
  for (int j = 0; j < 96 * 3072; j++)
    x[j] = (float) (j % 5) * 0.1f;

  printf ("# %d thread%s, %.1f MB of encoder weights, best of 10 passes\n", threads,
          threads == 1 ? "" : "s", bytes / 1e6);
  for (int rep = 0; rep < 10; rep++)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2;

      for (int l = 0; l < N_LAYERS; l++)
        for (int s = 0; s < 4; s++)
          sink += sequential_sum (w[l][s], (gsize) shapes[s][0] * shapes[s][1]);
      t1 = g_get_monotonic_time ();
      for (int l = 0; l < N_LAYERS; l++)
        for (int s = 0; s < 4; s++)
          rows_dot (y, x, w[l][s], shapes[s][0], shapes[s][1]);
      t2 = g_get_monotonic_time ();
      best_seq = MIN (best_seq, (t1 - t0) / 1e3);
      best_rows = MIN (best_rows, (t2 - t1) / 1e3);
    }
  printf ("sequential sum, 1 thread        %6.2f ms  %5.1f GB/s\n", best_seq,
          bytes / best_seq / 1e6);
  printf ("row-after-row dot, M=1, 1 thread %6.2f ms  %5.1f GB/s\n", best_rows,
          bytes / best_rows / 1e6);
  for (guint c = 0; c < G_N_ELEMENTS (ms); c++)
    {
      int m = ms[c];
      double best = 1e9;

      for (int rep = 0; rep < 10; rep++)
        {
          gint64 t0 = g_get_monotonic_time ();

          for (int l = 0; l < N_LAYERS; l++)
            for (int s = 0; s < 4; s++)
              be->linear (be, y, x, w[l][s], NULL, m, shapes[s][0], shapes[s][1]);
          best = MIN (best, (g_get_monotonic_time () - t0) / 1e3);
        }
      printf ("backend linear, M=%-2d            %6.2f ms  %5.1f GB/s  %5.1f GFLOP/s\n", m, best,
              bytes / best / 1e6, bytes / 4.0 * 2.0 * m / best / 1e6);
    }
  /* The same products on weights that stay in L2 (256 × 768, 768 KB,
   * shared out over the threads): what the kernel computes when memory
   * is not what it waits for. */
  printf ("# in cache: a 256×768 matrix, 200 products a pass, best of 10 passes\n");
  for (guint c = 0; c < G_N_ELEMENTS (ms) && ms[c] <= 16; c++)
    {
      int m = ms[c];
      double best = 1e9;

      for (int rep = 0; rep < 10; rep++)
        {
          gint64 t0 = g_get_monotonic_time ();

          for (int i = 0; i < 200; i++)
            be->linear (be, y, x, w[0][2], NULL, m, 256, 768);
          best = MIN (best, (g_get_monotonic_time () - t0) / 1e3);
        }
      printf ("backend linear in cache, M=%-2d   %6.2f ms  %5.1f GFLOP/s\n", m, best,
              200.0 * 256 * 768 * 2.0 * m / best / 1e6);
    }
  return 0;
}
