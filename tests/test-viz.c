/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Tests of viz/: attention numbers (rollout, flow summary) against hand
 * computations and a float64 numpy rollout of the oracle attentions, the
 * renderers drawn to image surfaces and checked pixel by pixel through their
 * own hit-tests, and the PNG/SVG/PDF/CSV exports. Set OV_VIZ_DUMP=DIR to
 * keep the rendered pictures.
 */
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>

#include "model/ov-error.h"
#include "ov-test-util.h"
#include "viz/ov-attention-view.h"
#include "viz/ov-attention.h"
#include "viz/ov-export.h"
#include "viz/ov-region-view.h"
#include "viz/ov-scatter-view.h"

/* ---- fixtures ---- */

/* [CLS] what color is the dog [SEP] dog couch pillow pillow [SEP] r0..r3 + 2 pads */
#define T_S 18
static const OvSegment t_segments[T_S] = {
  OV_SEGMENT_SPECIAL, OV_SEGMENT_WORD, OV_SEGMENT_WORD, OV_SEGMENT_WORD, OV_SEGMENT_WORD,
  OV_SEGMENT_WORD, OV_SEGMENT_SPECIAL, OV_SEGMENT_TAG, OV_SEGMENT_TAG, OV_SEGMENT_TAG,
  OV_SEGMENT_TAG, OV_SEGMENT_SPECIAL, OV_SEGMENT_PAD, OV_SEGMENT_PAD,
  OV_SEGMENT_REGION, OV_SEGMENT_REGION, OV_SEGMENT_REGION, OV_SEGMENT_REGION,
};
static const char *const t_labels[T_S] = {
  "[CLS]", "what", "color", "is", "the", "dog", "[SEP]", "dog", "couch", "pillow", "pillow",
  "[SEP]", "[PAD]", "[PAD]", "region 0", "region 1", "region 2", "region 3",
};

/* Deterministic row-stochastic attention (L, A, S, S): softmax of hashed
 * scores over the non-padding keys. */
static float **
make_attentions (int n_layers, int n_heads)
{
  float **att = g_new0 (float *, n_layers);

  for (int l = 0; l < n_layers; l++)
    {
      att[l] = g_new0 (float, (gsize) n_heads * T_S * T_S);
      for (int h = 0; h < n_heads; h++)
        for (int i = 0; i < T_S; i++)
          {
            float *row = att[l] + ((gsize) h * T_S + i) * T_S;
            double sum = 0.0;

            for (int j = 0; j < T_S; j++)
              {
                guint32 x = (guint32) (l * 7919 + h * 104729 + i * 31 + j * 1009);

                x ^= x >> 13;
                x *= 0x5bd1e995u;
                x ^= x >> 15;
                row[j] = t_segments[j] == OV_SEGMENT_PAD ? 0.0f
                         : (float) exp (3.0 * (x % 1000) / 1000.0 + (i == j ? 1.0 : 0.0));
                sum += row[j];
              }
            for (int j = 0; j < T_S; j++)
              row[j] /= sum;
          }
    }
  return att;
}

static void
free_attentions (float **att, int n_layers)
{
  for (int l = 0; l < n_layers; l++)
    g_free (att[l]);
  g_free (att);
}

static OvSample *
make_sample (void)
{
  OvSample *s = ov_sample_new ("test-image");

  s->width = 320;
  s->height = 240;
  s->n_regions = 4;
  s->regions = g_new0 (OvRegion, 4);
  s->regions[0] = (OvRegion) { 20, 30, 200, 220, g_strdup ("dog"), 0.95, NULL, NULL };
  s->regions[1] = (OvRegion) { 150, 100, 310, 230, g_strdup ("couch"), 0.80, NULL, NULL };
  s->regions[2] = (OvRegion) { 160, 110, 200, 140, g_strdup ("pillow"), 0.70, NULL, NULL };
  s->regions[3] = (OvRegion) { 250, 110, 290, 140, g_strdup ("pillow"), NAN, NULL, NULL };
  return s;
}

static cairo_surface_t *
make_image (void)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 320, 240);
  cairo_t *cr = cairo_create (img);
  cairo_pattern_t *pat = cairo_pattern_create_linear (0, 0, 320, 240);

  cairo_pattern_add_color_stop_rgb (pat, 0, 0.55, 0.65, 0.80);
  cairo_pattern_add_color_stop_rgb (pat, 1, 0.80, 0.75, 0.60);
  cairo_set_source (cr, pat);
  cairo_paint (cr);
  cairo_pattern_destroy (pat);
  cairo_destroy (cr);
  return img;
}

static cairo_surface_t *
render (OvPaintFunc paint, gpointer view, int width, int height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  paint (cr, width, height, view);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static void
dump (const char *name, OvPaintFunc paint, gpointer view, double width, double height)
{
  const char *dir = g_getenv ("OV_VIZ_DUMP");
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;
  for (int f = 0; f < 3; f++)
    {
      static const char *const ext[] = { "png", "svg", "pdf" };
      g_autofree char *file = g_strdup_printf ("%s.%s", name, ext[f]);
      g_autofree char *path = g_build_filename (dir, file, NULL);

      g_assert_true (ov_export_view (path, f, paint, view, width, height, 1.0, &error));
      g_assert_no_error (error);
    }
}

static OvColor
pixel (cairo_surface_t *s, double x, double y)
{
  unsigned char *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  guint32 px = *(guint32 *) (data + (int) floor (y) * stride + 4 * (int) floor (x));

  return (OvColor) { ((px >> 16) & 0xff) / 255.0, ((px >> 8) & 0xff) / 255.0,
                     (px & 0xff) / 255.0 };
}

static void
assert_color_near (OvColor a, OvColor b, double tol)
{
  if (fabs (a.r - b.r) > tol || fabs (a.g - b.g) > tol || fabs (a.b - b.b) > tol)
    g_error ("colour (%.3f %.3f %.3f) differs from (%.3f %.3f %.3f) by more than %.3f",
             a.r, a.g, a.b, b.r, b.g, b.b, tol);
}

/* Does the surface hold a pixel within tol of colour c inside rect? */
static gboolean
region_has_color (cairo_surface_t *s, OvRect r, OvColor c, double tol)
{
  for (int y = (int) r.y; y < (int) (r.y + r.height); y++)
    for (int x = (int) r.x; x < (int) (r.x + r.width); x++)
      {
        OvColor p = pixel (s, x, y);

        if (fabs (p.r - c.r) <= tol && fabs (p.g - c.g) <= tol && fabs (p.b - c.b) <= tol)
          return TRUE;
      }
  return FALSE;
}

/* ---- numbers ---- */

static void
test_rollout_hand (void)
{
  /* Two layers, two heads, two tokens. Head means: M0 = [[.6 .4] [.2 .8]],
   * M1 = [[1 0] [.5 .5]]; B = M/2 + I/2 is already row-stochastic:
   * B0 = [[.8 .2] [.1 .9]], B1 = [[1 0] [.25 .75]];
   * R1 = B1 B0 = [[.8 .2] [.275 .725]]. */
  float l0[] = { 0.8f, 0.2f, 0.2f, 0.8f,   0.4f, 0.6f, 0.2f, 0.8f };
  float l1[] = { 1.0f, 0.0f, 0.6f, 0.4f,   1.0f, 0.0f, 0.4f, 0.6f };
  const float *att[] = { l0, l1 };
  float out[4];
  const float r0[] = { 0.8f, 0.2f, 0.1f, 0.9f };
  const float r1[] = { 0.8f, 0.2f, 0.275f, 0.725f };

  ov_attention_rollout (att, 2, 2, 0, out);
  for (int k = 0; k < 4; k++)
    g_assert_cmpfloat_with_epsilon (out[k], r0[k], 1e-6);
  ov_attention_rollout (att, 2, 2, 1, out);
  for (int k = 0; k < 4; k++)
    g_assert_cmpfloat_with_epsilon (out[k], r1[k], 1e-6);

  /* A row that does not sum to one is renormalised after the identity is
   * mixed in: row (.5 .3) -> (.75 .15) / .9 = (5/6, 1/6). */
  {
    float m[] = { 0.5f, 0.3f, 0.0f, 1.0f };
    const float *a1[] = { m };

    ov_attention_rollout (a1, 1, 2, 0, out);
    g_assert_cmpfloat_with_epsilon (out[0], 5.0 / 6.0, 1e-6);
    g_assert_cmpfloat_with_epsilon (out[1], 1.0 / 6.0, 1e-6);
    g_assert_cmpfloat_with_epsilon (out[2], 0.0, 1e-7);
    g_assert_cmpfloat_with_epsilon (out[3], 1.0, 1e-6);
  }
}

static void
test_rollout_oracle (void)
{
  /* Values from numpy in float64 over the oracle's attentions (2 layers,
   * 4 heads, 120 tokens): R = B1 @ B0 with B = (M/2 + I/2) / rowsum. */
  static const struct { int layer, i, j; double value; } ref[] = {
    { 0, 0, 0, 0.5102059948217311 }, { 0, 5, 45, 0.004299769694192111 },
    { 0, 45, 80, 0.0069998434653256204 }, { 0, 80, 45, 0.0097680091690181 },
    { 0, 60, 60, 0.5122932326261511 }, { 0, 90, 60, 0.012851591693076302 },
    { 1, 0, 0, 0.2592325835299963 }, { 1, 5, 45, 0.00957190283906282 },
    { 1, 45, 80, 0.009956464184016581 }, { 1, 80, 45, 0.010719907565487406 },
    { 1, 60, 60, 0.2645357291579476 }, { 1, 90, 60, 0.01870617480946936 },
    { 1, 7, 2, 0.011064411147530786 }, { 1, 50, 41, 0.009699528744989033 },
    { 1, 0, 1, 0.0 }, { 1, 14, 119, 0.0 },
  };
  g_autofree char *path = ov_test_shared_path ("oracle", "cases", "enc_imgln_off",
                                               "out_attentions.npy", NULL);
  g_autoptr(OvTestNpy) npy = ov_test_npy_load (path);
  g_autofree float *all = ov_test_npy_as_f32 (npy);
  const int S = 120, A = 4;
  const float *att[2] = { all, all + (gsize) A * S * S };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (npy->n_elements, ==, 2 * A * S * S);
  for (int l = 0; l < 2; l++)
    {
      g_autofree float *r = ov_attention_select (att, 2, A, S, l, OV_ATTENTION_ROLLOUT, &error);

      g_assert_no_error (error);
      for (guint k = 0; k < G_N_ELEMENTS (ref); k++)
        if (ref[k].layer == l)
          g_assert_cmpfloat_with_epsilon (r[ref[k].i * S + ref[k].j], ref[k].value, 1e-6);
      /* Every row of a product of row-stochastic matrices sums to one. */
      for (int i = 0; i < S; i++)
        {
          double sum = 0.0;

          for (int j = 0; j < S; j++)
            sum += r[i * S + j];
          g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
        }
    }
}

static void
test_select (void)
{
  float **att = make_attentions (2, 3);
  g_autoptr(GError) error = NULL;
  g_autofree float *h1 = NULL, *mean = NULL, *bad = NULL;
  int head;

  h1 = ov_attention_select ((const float *const *) att, 2, 3, T_S, 1, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (h1, sizeof (float) * T_S * T_S, att[1] + 2 * T_S * T_S,
                   sizeof (float) * T_S * T_S);
  mean = ov_attention_select ((const float *const *) att, 2, 3, T_S, 0, OV_ATTENTION_MEAN,
                              &error);
  g_assert_no_error (error);
  for (int k = 0; k < T_S * T_S; k += 7)
    g_assert_cmpfloat_with_epsilon (mean[k], (att[0][k] + att[0][T_S * T_S + k]
                                              + att[0][2 * T_S * T_S + k]) / 3.0, 1e-7);
  bad = ov_attention_select ((const float *const *) att, 2, 3, T_S, 2, 0, &error);
  g_assert_null (bad);
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  bad = ov_attention_select ((const float *const *) att, 2, 3, T_S, 0, 3, &error);
  g_assert_null (bad);
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);

  g_assert_true (ov_attention_parse_head ("mean", &head) && head == OV_ATTENTION_MEAN);
  g_assert_true (ov_attention_parse_head ("rollout", &head) && head == OV_ATTENTION_ROLLOUT);
  g_assert_true (ov_attention_parse_head ("11", &head) && head == 11);
  g_assert_false (ov_attention_parse_head ("-1", &head));
  g_assert_false (ov_attention_parse_head ("2x", &head));
  free_attentions (att, 2);
}

static void
test_flow_hand (void)
{
  /* Tokens: [CLS] w w t r. Rows:
   *  w1: .1 .2 .3 .3 .1   w2: 0 .5 .1 .2 .2   t: .2 0 0 .5 .3   r: 0 .1 .1 .2 .6
   * words -> words = mean(.2+.3, .5+.1) = .55; words -> tags = mean(.3, .2) = .25;
   * words -> regions = mean(.1, .2) = .15; tags -> (0, .5, .3); regions -> (.2, .2, .6). */
  const OvSegment seg[] = { OV_SEGMENT_SPECIAL, OV_SEGMENT_WORD, OV_SEGMENT_WORD,
                            OV_SEGMENT_TAG, OV_SEGMENT_REGION };
  const float m[] = {
    1.0f, 0, 0, 0, 0,
    0.1f, 0.2f, 0.3f, 0.3f, 0.1f,
    0.0f, 0.5f, 0.1f, 0.2f, 0.2f,
    0.2f, 0.0f, 0.0f, 0.5f, 0.3f,
    0.0f, 0.1f, 0.1f, 0.2f, 0.6f,
  };
  const double expect[3][3] = { { 0.55, 0.25, 0.15 }, { 0.0, 0.5, 0.3 }, { 0.2, 0.2, 0.6 } };
  double flow[3][3];
  int rows[3];
  double cross;

  ov_attention_flow (m, seg, 5, flow, rows);
  g_assert_cmpint (rows[OV_FLOW_WORDS], ==, 2);
  g_assert_cmpint (rows[OV_FLOW_TAGS], ==, 1);
  g_assert_cmpint (rows[OV_FLOW_REGIONS], ==, 1);
  for (int q = 0; q < 3; q++)
    for (int k = 0; k < 3; k++)
      g_assert_cmpfloat_with_epsilon (flow[q][k], expect[q][k], 1e-7);
  /* cross share = mean(.40/.95, .30/.80, .40/1.0) */
  cross = ov_attention_flow_cross_share ((const double (*)[3]) flow);
  g_assert_cmpfloat_with_epsilon (cross, (0.40 / 0.95 + 0.30 / 0.80 + 0.40) / 3, 1e-7);

  /* No region rows: that row is NaN and left out of the share. */
  {
    const OvSegment seg2[] = { OV_SEGMENT_SPECIAL, OV_SEGMENT_WORD, OV_SEGMENT_WORD,
                               OV_SEGMENT_TAG, OV_SEGMENT_PAD };

    ov_attention_flow (m, seg2, 5, flow, rows);
    g_assert_cmpint (rows[OV_FLOW_REGIONS], ==, 0);
    g_assert_true (isnan (flow[OV_FLOW_REGIONS][0]));
    g_assert_cmpfloat_with_epsilon (flow[OV_FLOW_WORDS][OV_FLOW_WORDS], 0.55, 1e-7);
  }
}

static void
test_caption_rows (void)
{
  /* Step 1: [CLS] [MASK] t t r ; step 2: [CLS] w [MASK] t t r. */
  const OvSegment s1[] = { OV_SEGMENT_SPECIAL, OV_SEGMENT_SPECIAL, OV_SEGMENT_TAG,
                           OV_SEGMENT_TAG, OV_SEGMENT_REGION };
  const char *const l1[] = { "[CLS]", "[MASK]", "dog", "couch", "region 0" };
  const float row1[] = { 0.1f, 0.2f, 0.3f, 0.15f, 0.25f };
  const OvSegment s2[] = { OV_SEGMENT_SPECIAL, OV_SEGMENT_WORD, OV_SEGMENT_SPECIAL,
                           OV_SEGMENT_TAG, OV_SEGMENT_TAG, OV_SEGMENT_REGION };
  const char *const l2[] = { "[CLS]", "a", "[MASK]", "dog", "couch", "region 0" };
  const float row2[] = { 0.1f, 0.1f, 0.1f, 0.05f, 0.5f, 0.15f };
  const OvSegment s3[] = { OV_SEGMENT_SPECIAL, OV_SEGMENT_TAG, OV_SEGMENT_REGION };
  g_autoptr(OvCaptionAttention) ca = ov_caption_attention_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(OvCaptionView) view = NULL;
  cairo_surface_t *surface;
  OvCaptionHit hit;
  double x, y;

  g_assert_true (ov_caption_attention_add_step (ca, "a", row1, s1, l1, 5, &error));
  g_assert_true (ov_caption_attention_add_step (ca, "dog", row2, s2, l2, 6, &error));
  g_assert_no_error (error);
  g_assert_false (ov_caption_attention_add_step (ca, "x", row2, s3, l2, 3, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_SHAPE);
  g_assert_cmpint (ca->n_steps, ==, 2);
  g_assert_cmpint (ca->n_cols, ==, 3);
  g_assert_cmpstr (ca->col_labels[1], ==, "couch");
  g_assert_cmpfloat (ca->values[0 * 3 + 0], ==, 0.3f);
  g_assert_cmpfloat (ca->values[1 * 3 + 1], ==, 0.5f);
  g_assert_cmpfloat (ca->values[1 * 3 + 2], ==, 0.15f);

  view = ov_caption_view_new (ca, "caption attention");
  surface = render (ov_caption_view_paint, view, 500, 300);
  g_assert_true (ov_caption_view_cell_center (view, 1, 1, &x, &y));
  g_assert_true (ov_caption_view_hit (view, x, y, &hit));
  g_assert_cmpint (hit.step, ==, 1);
  g_assert_cmpint (hit.col, ==, 1);
  g_assert_cmpstr (hit.word, ==, "dog");
  g_assert_cmpstr (hit.col_label, ==, "couch");
  g_assert_cmpfloat (hit.value, ==, 0.5f);
  /* 0.5 is the largest value: the top colour of the scale. */
  assert_color_near (pixel (surface, x, y), ov_colormap_sequential (1.0), 1.5 / 255);
  g_assert_true (ov_caption_view_cell_center (view, 0, 1, &x, &y));
  assert_color_near (pixel (surface, x, y), ov_colormap_sequential (0.3), 1.5 / 255);
  cairo_surface_destroy (surface);
  dump ("caption", ov_caption_view_paint, view, 500, 300);
}

static void
test_difference (void)
{
  const float a[] = { 0.5f, 0.5f, 0.2f, 0.8f };
  const float b[] = { 0.7f, 0.3f, 0.2f, 0.8f };
  g_autoptr(GError) error = NULL;
  g_autofree float *d = ov_attention_difference (a, 2, b, 2, &error);
  g_autofree float *bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (d[0], 0.2, 1e-7);
  g_assert_cmpfloat_with_epsilon (d[1], -0.2, 1e-7);
  g_assert_cmpfloat (d[3], ==, 0.0f);
  bad = ov_attention_difference (a, 2, b, 1, &error);
  g_assert_null (bad);
  g_assert_error (error, OV_ERROR, OV_ERROR_SHAPE);
}

/* ---- renderers ---- */

static void
test_heatmap (void)
{
  float **att = make_attentions (1, 2);
  g_autoptr(OvHeatmapView) view = ov_heatmap_view_new (att[0] + T_S * T_S, T_S, t_segments,
                                                       t_labels, FALSE, FALSE,
                                                       "layer 0, head 1");
  const OvColorScale *scale = ov_heatmap_view_get_scale (view);
  cairo_surface_t *surface = render (ov_heatmap_view_paint, view, 640, 560);
  const int *pos;
  int n;
  OvHeatmapHit hit;
  double x, y;

  dump ("heatmap", ov_heatmap_view_paint, view, 640, 560);

  pos = ov_heatmap_view_get_positions (view, &n);
  g_assert_cmpint (n, ==, T_S - 2);          /* the two pads are left out */
  g_assert_cmpint (pos[12], ==, 14);         /* region 0 follows the last [SEP] */
  for (int i = 0; i < T_S; i += 3)
    for (int j = 0; j < T_S; j += 2)
      {
        float value = att[0][T_S * T_S + i * T_S + j];

        if (t_segments[i] == OV_SEGMENT_PAD || t_segments[j] == OV_SEGMENT_PAD)
          {
            g_assert_false (ov_heatmap_view_cell_center (view, i, j, &x, &y));
            continue;
          }
        g_assert_true (ov_heatmap_view_cell_center (view, i, j, &x, &y));
        g_assert_true (ov_heatmap_view_hit (view, x, y, &hit));
        g_assert_cmpint (hit.row, ==, i);
        g_assert_cmpint (hit.col, ==, j);
        g_assert_cmpfloat (hit.value, ==, value);
        g_assert_cmpstr (hit.row_label, ==, t_labels[i]);
        g_assert_cmpstr (hit.col_label, ==, t_labels[j]);
        assert_color_near (pixel (surface, x, y), ov_color_scale_map (scale, value), 1.5 / 255);
      }
  g_assert_false (ov_heatmap_view_hit (view, 2, 2, &hit));
  /* The legend's colour bar (64 steps, the top one at 63.5/64) lies right of
   * the matrix; nothing of that colour is left of it. */
  g_assert_true (region_has_color (surface, (OvRect) { 540, 0, 100, 560 },
                                   ov_colormap_sequential (63.5 / 64), 1.5 / 255));
  g_assert_false (region_has_color (surface, (OvRect) { 0, 0, 60, 560 },
                                    ov_colormap_sequential (63.5 / 64), 1.5 / 255));
  cairo_surface_destroy (surface);

  /* Difference: diverging scale, zero is the middle colour. */
  {
    g_autofree float *d = NULL;
    g_autoptr(OvHeatmapView) dv = NULL;
    g_autoptr(GError) error = NULL;

    d = ov_attention_difference (att[0], T_S, att[0] + T_S * T_S, T_S, &error);
    d[0] = 0.0f;
    dv = ov_heatmap_view_new (d, T_S, t_segments, t_labels, TRUE, FALSE, "head 1 − head 0");
    surface = render (ov_heatmap_view_paint, dv, 640, 560);
    g_assert_cmpfloat (ov_heatmap_view_get_scale (dv)->lo, ==,
                       -ov_heatmap_view_get_scale (dv)->hi);
    g_assert_true (ov_heatmap_view_cell_center (dv, 0, 0, &x, &y));
    assert_color_near (pixel (surface, x, y), ov_colormap_diverging (0.5), 1.5 / 255);
    cairo_surface_destroy (surface);
    dump ("difference", ov_heatmap_view_paint, dv, 640, 560);
  }
  free_attentions (att, 1);
}

static void
test_grid_and_flow (void)
{
  float **att = make_attentions (3, 4);
  g_autoptr(OvAttentionGridView) grid = ov_attention_grid_view_new ((const float *const *) att,
                                                                    3, 4, T_S, t_segments,
                                                                    "all heads");
  g_autoptr(OvFlowView) flow = ov_flow_view_new ((const float *const *) att, 3, 4, T_S,
                                                 t_segments, "flow");
  cairo_surface_t *surface = render (ov_attention_grid_view_paint, grid, 600, 480);
  OvGridHit gh;
  OvFlowHit fh;
  OvRect r;
  double expect[3][3];

  g_assert_true (ov_attention_grid_view_cell_rect (grid, 2, 1, &r));
  g_assert_true (ov_attention_grid_view_hit (grid, r.x + 1, r.y + 1, &gh));
  g_assert_cmpint (gh.layer, ==, 2);
  g_assert_cmpint (gh.head, ==, 1);
  g_assert_cmpint (gh.row, ==, 0);
  g_assert_cmpint (gh.col, ==, 0);
  g_assert_cmpfloat (gh.value, ==, att[2][1 * T_S * T_S]);
  /* bottom-right corner of the cell: the last shown query and key */
  g_assert_true (ov_attention_grid_view_hit (grid, r.x + r.width - 0.5, r.y + r.height - 0.5,
                                             &gh));
  g_assert_cmpint (gh.row, ==, T_S - 1);
  g_assert_cmpint (gh.col, ==, T_S - 1);
  g_assert_false (ov_attention_grid_view_hit (grid, 1, 1, &gh));
  cairo_surface_destroy (surface);
  dump ("grid", ov_attention_grid_view_paint, grid, 600, 480);

  surface = render (ov_flow_view_paint, flow, 700, 420);
  ov_attention_flow (att[1] + 3 * T_S * T_S, t_segments, T_S, expect, NULL);
  for (int q = 0; q < 3; q++)
    for (int k = 0; k < 3; k++)
      g_assert_cmpfloat (ov_flow_view_get_flow (flow, 1, 3)[q * 3 + k], ==, expect[q][k]);
  g_assert_false (ov_flow_view_hit (flow, 1, 1, &fh));
  /* Walk across the view until the cell of layer 1, head 3, tags -> regions is hit. */
  {
    gboolean found = FALSE;

    for (int y = 0; y < 420 && !found; y++)
      for (int x = 0; x < 700 && !found; x++)
        if (ov_flow_view_hit (flow, x + 0.5, y + 0.5, &fh) && fh.layer == 1 && fh.head == 3
            && fh.from == OV_FLOW_TAGS && fh.to == OV_FLOW_REGIONS)
          {
            found = TRUE;
            g_assert_cmpfloat (fh.value, ==, expect[OV_FLOW_TAGS][OV_FLOW_REGIONS]);
            /* a few pixels into the sub-cell, away from the outline */
            assert_color_near (pixel (surface, x + 3, y + 3),
                               ov_colormap_sequential (fh.value), 1.5 / 255);
          }
    g_assert_true (found);
  }
  cairo_surface_destroy (surface);
  dump ("flow", ov_flow_view_paint, flow, 700, 420);
  free_attentions (att, 3);
}

static void
test_region_view (void)
{
  g_autoptr(OvSample) sample = make_sample ();
  cairo_surface_t *image = make_image ();
  g_autoptr(OvPalette) palette = ov_palette_new ();
  g_autoptr(OvRegionView) view = ov_region_view_new (sample, image, palette);
  cairo_surface_t *surface;
  OvRect box, l[4];

  surface = render (ov_region_view_paint, view, 640, 480);
  /* 320x240 fits 640x480 exactly at scale 2. */
  g_assert_true (ov_region_view_get_box (view, 2, &box));
  g_assert_cmpfloat_with_epsilon (box.x, 320, 1e-9);
  g_assert_cmpfloat_with_epsilon (box.width, 80, 1e-9);
  /* Box outlines in their class colour: the couch's right edge, the second
   * pillow's bottom edge (same colour as the first pillow). */
  assert_color_near (pixel (surface, 620, 400), ov_palette_color (palette, "couch"), 2.0 / 255);
  assert_color_near (pixel (surface, 540, 280), ov_palette_color (palette, "pillow"), 2.0 / 255);
  g_assert_cmpuint (ov_palette_index (palette, "pillow"), !=, ov_palette_index (palette, "dog"));

  /* Labels do not overlap one another and stay inside the view. */
  for (int i = 0; i < 4; i++)
    {
      g_assert_true (ov_region_view_get_label_rect (view, i, &l[i]));
      g_assert_cmpfloat (l[i].x, >=, 0);
      g_assert_cmpfloat (l[i].y, >=, 0);
      g_assert_cmpfloat (l[i].x + l[i].width, <=, 640);
      for (int j = 0; j < i; j++)
        g_assert_true (l[i].x + l[i].width <= l[j].x || l[j].x + l[j].width <= l[i].x
                       || l[i].y + l[i].height <= l[j].y || l[j].y + l[j].height <= l[i].y);
    }
  /* Hover: the small pillow inside the couch wins; the couch elsewhere;
   * nothing outside the boxes. */
  g_assert_cmpint (ov_region_view_hit (view, 360, 250), ==, 2);
  g_assert_cmpint (ov_region_view_hit (view, 560, 400), ==, 1);
  g_assert_cmpint (ov_region_view_hit (view, 630, 10), ==, -1);
  g_assert_cmpint (ov_region_view_hit (view, l[3].x + 1, l[3].y + 1), ==, 3);
  ov_region_view_set_hidden (view, 2, TRUE);
  ov_region_view_layout (view, 640, 480);
  g_assert_cmpint (ov_region_view_hit (view, 360, 250), ==, 1);
  g_assert_false (ov_region_view_get_label_rect (view, 2, &box));
  ov_region_view_set_hidden (view, 2, FALSE);
  cairo_surface_destroy (surface);
  dump ("regions", ov_region_view_paint, view, 640, 480);
  cairo_surface_destroy (image);
}

static void
test_attention_image (void)
{
  g_autoptr(OvSample) sample = make_sample ();
  cairo_surface_t *image = make_image ();
  float **att = make_attentions (1, 1);
  g_autoptr(OvAttentionImageView) fwd = NULL;
  g_autoptr(OvAttentionImageView) rev = NULL;
  cairo_surface_t *surface;
  OvImageHit hit;
  OvRect box;

  /* The query "dog" (position 5) over the four regions (positions 14..17). */
  fwd = ov_attention_image_view_new_query (att[0], T_S, t_segments, t_labels, 5, sample, image,
                                           NULL, "attention of “dog”");
  for (int k = 0; k < 4; k++)
    g_assert_cmpfloat (ov_attention_image_view_get_weight (fwd, k), ==, att[0][5 * T_S + 14 + k]);
  surface = render (ov_attention_image_view_paint, fwd, 700, 420);
  g_assert_true (ov_region_view_get_box (ov_attention_image_view_get_region_view (fwd), 3, &box));
  g_assert_true (ov_attention_image_view_hit (fwd, box.x + box.width / 2,
                                              box.y + box.height / 2 + 24, &hit));
  g_assert_cmpint (hit.region, ==, 3);
  g_assert_cmpfloat (hit.value, ==, att[0][5 * T_S + 17]);
  cairo_surface_destroy (surface);
  dump ("attention-image", ov_attention_image_view_paint, fwd, 700, 420);

  /* Reverse: which words and tags attend to region 1 (position 15). */
  rev = ov_attention_image_view_new_region (att[0], T_S, t_segments, t_labels, 1, sample, image,
                                            NULL, "who looks at the couch");
  g_assert_nonnull (rev);
  g_assert_cmpfloat (ov_attention_image_view_get_weight (rev, 8), ==, att[0][8 * T_S + 15]);
  g_assert_cmpfloat (ov_attention_image_view_get_weight (rev, 0), ==, 0.0f);  /* [CLS] not shown */
  surface = render (ov_attention_image_view_paint, rev, 700, 480);
  {
    gboolean found = FALSE;

    for (int y = 300; y < 480 && !found; y += 2)
      for (int x = 0; x < 700 && !found; x += 2)
        if (ov_attention_image_view_hit (rev, x, y, &hit) && hit.position == 8)
          {
            found = TRUE;
            g_assert_cmpfloat (hit.value, ==, att[0][8 * T_S + 15]);
          }
    g_assert_true (found);
  }
  g_assert_null (ov_attention_image_view_new_region (att[0], T_S, t_segments, t_labels, 7,
                                                     sample, image, NULL, NULL));
  cairo_surface_destroy (surface);
  dump ("attention-region", ov_attention_image_view_paint, rev, 700, 480);
  cairo_surface_destroy (image);
  free_attentions (att, 1);
}

static void
test_scatter (void)
{
  /* Two classes on a 4x4 lattice; markers alternate tag/region. */
  const char *const names[] = { "dog", "couch" };
  float xy[32];
  guint classes[16];
  guint8 markers[16];
  g_autoptr(OvScatterView) view = NULL;
  cairo_surface_t *surface;
  double x, y;
  g_autoptr(GArray) box = NULL;
  g_autoptr(GArray) lasso = NULL;

  for (int i = 0; i < 16; i++)
    {
      xy[2 * i] = (float) (i % 4);
      xy[2 * i + 1] = (float) (i / 4);
      classes[i] = (i % 4) < 2 ? 0 : 1;
      markers[i] = i % 2;
    }
  view = ov_scatter_view_new (xy, 16, classes, names, 2, markers, NULL, "t-SNE");
  surface = render (ov_scatter_view_paint, view, 600, 400);
  ov_scatter_view_data_to_view (view, 3, 0, &x, &y);
  g_assert_cmpint (ov_scatter_view_hit (view, x + 1, y - 1, 5), ==, 3);
  g_assert_cmpint (ov_scatter_view_hit (view, x + 30, y, 5), ==, -1);
  /* the marker's centre has the class colour (alpha 0.85 over the plot background) */
  {
    OvColor c = ov_viz_class_color (1);
    OvColor bg = { 0.97, 0.97, 0.97 };
    OvColor want = { 0.85 * c.r + 0.15 * bg.r, 0.85 * c.g + 0.15 * bg.g,
                     0.85 * c.b + 0.15 * bg.b };

    assert_color_near (pixel (surface, x, y), want, 2.0 / 255);
  }
  /* Box around the lower-left 2x2 points (data y 0..1, x 0..1). */
  {
    double x0, y0, x1, y1;

    ov_scatter_view_data_to_view (view, -0.5, -0.5, &x0, &y0);
    ov_scatter_view_data_to_view (view, 1.5, 1.5, &x1, &y1);
    box = ov_scatter_view_select_box (view, x0, y0, x1, y1);
    g_assert_cmpuint (box->len, ==, 4);
    g_assert_cmpuint (g_array_index (box, guint, 0), ==, 0);
    g_assert_cmpuint (g_array_index (box, guint, 3), ==, 5);
  }
  /* A triangle lasso (0,0) (3.2,0) (0,3.2) in data units holds the points with
   * x + y < 3.2: 10 of them (the edge points x + y = 3 included). */
  {
    double poly[6];

    ov_scatter_view_data_to_view (view, -0.1, -0.1, &poly[0], &poly[1]);
    ov_scatter_view_data_to_view (view, 3.3, -0.1, &poly[2], &poly[3]);
    ov_scatter_view_data_to_view (view, -0.1, 3.3, &poly[4], &poly[5]);
    lasso = ov_scatter_view_select_lasso (view, poly, 3);
    g_assert_cmpuint (lasso->len, ==, 10);
    ov_scatter_view_set_selection (view, (guint *) lasso->data, lasso->len);
  }
  /* Legend: row 1 is "couch"; hiding it removes its points from hover and selection. */
  {
    gboolean found = FALSE;

    for (int yy = 0; yy < 400 && !found; yy++)
      for (int xx = 400; xx < 600 && !found; xx++)
        if (ov_scatter_view_legend_hit (view, xx, yy) == 1)
          found = TRUE;
    g_assert_true (found);
  }
  ov_scatter_view_set_class_visible (view, 1, FALSE);
  g_assert_cmpint (ov_scatter_view_hit (view, x, y, 5), ==, -1);
  {
    g_autoptr(GArray) all = ov_scatter_view_select_box (view, 0, 0, 600, 400);

    g_assert_cmpuint (all->len, ==, 8);
  }
  ov_scatter_view_set_class_visible (view, 1, TRUE);
  cairo_surface_destroy (surface);
  dump ("scatter", ov_scatter_view_paint, view, 600, 400);

  {
    const double square[] = { 0, 0, 1, 0, 1, 1, 0, 1 };

    g_assert_true (ov_point_in_polygon (0.5, 0.5, square, 4));
    g_assert_false (ov_point_in_polygon (1.5, 0.5, square, 4));
    g_assert_false (ov_point_in_polygon (0.5, -0.01, square, 4));
  }
}

/* ---- export ---- */

typedef struct {
  GPtrArray *texts;
  gboolean   in_text;
} SvgScan;

static void
svg_start (GMarkupParseContext *ctx, const char *name, const char **attr_names,
           const char **attr_values, gpointer data, GError **error)
{
  ((SvgScan *) data)->in_text = strcmp (name, "text") == 0;
}

static void
svg_text (GMarkupParseContext *ctx, const char *text, gsize len, gpointer data, GError **error)
{
  SvgScan *scan = data;

  if (scan->in_text)
    g_ptr_array_add (scan->texts, g_strndup (text, len));
}

static void
svg_end (GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
  ((SvgScan *) data)->in_text = FALSE;
}

static gboolean
has_string (GPtrArray *a, const char *s)
{
  for (guint i = 0; i < a->len; i++)
    if (strcmp (g_ptr_array_index (a, i), s) == 0)
      return TRUE;
  return FALSE;
}

static void
test_export (void)
{
  g_autoptr(OvSample) sample = make_sample ();
  g_autoptr(OvRegionView) view = ov_region_view_new (sample, NULL, NULL);
  g_autofree char *dir = g_dir_make_tmp ("ov-viz-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "regions.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "regions.svg", NULL);
  g_autofree char *pdf = g_build_filename (dir, "regions.pdf", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "numbers.csv", NULL);
  g_autoptr(GError) error = NULL;
  OvExportFormat format;
  cairo_surface_t *back;

  g_assert_true (ov_export_format_from_path ("a/B.PDF", &format, &error));
  g_assert_cmpint (format, ==, OV_EXPORT_PDF);
  g_assert_false (ov_export_format_from_path ("a/b.jpg", &format, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* PNG at scale 2: twice the pixels, same picture. */
  g_assert_true (ov_export_view (png, OV_EXPORT_PNG, ov_region_view_paint, view, 320, 240, 2.0,
                                 &error));
  g_assert_no_error (error);
  back = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (back), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (back), ==, 640);
  g_assert_cmpint (cairo_image_surface_get_height (back), ==, 480);
  cairo_surface_destroy (back);

  /* SVG: parses, and the labels are <text> elements. */
  g_assert_true (ov_export_view (svg, OV_EXPORT_SVG, ov_region_view_paint, view, 320, 240, 1.0,
                                 &error));
  g_assert_no_error (error);
  {
    g_autofree char *text = NULL;
    gsize len;
    SvgScan scan = { g_ptr_array_new_with_free_func (g_free), FALSE };
    GMarkupParser parser = { svg_start, svg_end, svg_text, NULL, NULL };
    GMarkupParseContext *ctx = g_markup_parse_context_new (&parser, 0, &scan, NULL);

    g_assert_true (g_file_get_contents (svg, &text, &len, NULL));
    g_assert_true (g_markup_parse_context_parse (ctx, text, len, &error));
    g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
    g_assert_no_error (error);
    g_assert_true (has_string (scan.texts, "dog 0.95"));
    g_assert_true (has_string (scan.texts, "couch 0.80"));
    g_assert_true (has_string (scan.texts, "pillow"));     /* the one without confidence */
    g_markup_parse_context_free (ctx);
    g_ptr_array_unref (scan.texts);
  }

  /* PDF: text stays text (pdftotext when present, else the text operators). */
  g_assert_true (ov_export_view (pdf, OV_EXPORT_PDF, ov_region_view_paint, view, 320, 240, 1.0,
                                 &error));
  g_assert_no_error (error);
  {
    g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
    g_assert_true (len > 5 && memcmp (contents, "%PDF-", 5) == 0);
    if (pdftotext != NULL)
      {
        g_autofree char *out = NULL;
        const char *argv[] = { pdftotext, pdf, "-", NULL };
        int status;

        g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                                     NULL, NULL, &out, NULL, &status, &error));
        g_assert_no_error (error);
        g_assert_nonnull (strstr (out, "dog 0.95"));
        g_assert_nonnull (strstr (out, "couch 0.80"));
      }
    else
      g_assert_nonnull (g_strstr_len (contents, len, "/FontFile"));
  }

  /* A figure too large for a PNG is refused, not drawn. */
  g_assert_false (ov_export_view (png, OV_EXPORT_PNG, ov_region_view_paint, view, 30000, 200,
                                  2.0, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_LIMIT);
  g_clear_error (&error);

  /* CSV quoting */
  {
    g_autoptr(OvCsv) csv = ov_csv_new ();
    g_autofree char *back_text = NULL;

    ov_csv_add_text (csv, "query");
    ov_csv_add_text (csv, "say \"hi\", ok");
    ov_csv_add_number (csv, 0.25);
    ov_csv_add_number (csv, NAN);
    ov_csv_add_int (csv, -3);
    ov_csv_end_row (csv);
    g_assert_true (ov_csv_write (csv, csv_path, &error));
    g_assert_true (g_file_get_contents (csv_path, &back_text, NULL, NULL));
    g_assert_cmpstr (back_text, ==, "query,\"say \"\"hi\"\", ok\",0.25,,-3\r\n");
  }

  g_remove (png);
  g_remove (svg);
  g_remove (pdf);
  g_remove (csv_path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/viz/attention/rollout-hand", test_rollout_hand);
  g_test_add_func ("/viz/attention/rollout-oracle", test_rollout_oracle);
  g_test_add_func ("/viz/attention/select", test_select);
  g_test_add_func ("/viz/attention/flow-hand", test_flow_hand);
  g_test_add_func ("/viz/attention/caption-rows", test_caption_rows);
  g_test_add_func ("/viz/attention/difference", test_difference);
  g_test_add_func ("/viz/heatmap/cells", test_heatmap);
  g_test_add_func ("/viz/grid-flow/cells", test_grid_and_flow);
  g_test_add_func ("/viz/region-view/boxes", test_region_view);
  g_test_add_func ("/viz/attention-image/weights", test_attention_image);
  g_test_add_func ("/viz/scatter/select", test_scatter);
  g_test_add_func ("/viz/export/formats", test_export);
  return g_test_run ();
}
