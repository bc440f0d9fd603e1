/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 */
#include <math.h>
#include <string.h>

#include "data/ov-sample.h"
#include "model/ov-error.h"
#include "ov-test-util.h"

static OvSample *
make_sample (guint dim)
{
  OvSample *s = ov_sample_new ("img1");

  s->width = 200;
  s->height = 100;
  s->n_regions = 2;
  s->regions = g_new0 (OvRegion, 2);
  s->regions[0] = (OvRegion) { 10, 20, 110, 70, g_strdup ("dog"), 0.9, NULL, NULL };
  s->regions[1] = (OvRegion) { 0, 0, 200, 100, g_strdup ("cutting board"), 0.5, NULL, NULL };
  s->n_features = 2;
  s->feature_dim = dim;
  s->features = g_new0 (float, 2 * dim);
  for (guint i = 0; i < 2 * dim; i++)
    s->features[i] = (float) (i % 7) * 0.25f;
  return s;
}

static void
test_box_values (void)
{
  g_autoptr(OvSample) s = make_sample (2048);
  g_autoptr(GError) error = NULL;
  const float *row;

  g_assert_true (ov_sample_build_region_vectors (s, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s->feature_dim, ==, 2054);
  row = s->features;
  g_assert_cmpfloat_with_epsilon (row[2048], 10.0 / 200, 1e-7);
  g_assert_cmpfloat_with_epsilon (row[2049], 20.0 / 100, 1e-7);
  g_assert_cmpfloat_with_epsilon (row[2050], 110.0 / 200, 1e-7);
  g_assert_cmpfloat_with_epsilon (row[2051], 70.0 / 100, 1e-7);
  g_assert_cmpfloat_with_epsilon (row[2052], 100.0 / 200, 1e-7);
  g_assert_cmpfloat_with_epsilon (row[2053], 50.0 / 100, 1e-7);
  /* Appearance values are untouched, second row too. */
  g_assert_cmpfloat (s->features[2054 + 5], ==, (float) ((2048 + 5) % 7) * 0.25f);

  /* Already 2054 wide: left alone, not extended twice. */
  g_assert_true (ov_sample_build_region_vectors (s, &error));
  g_assert_cmpuint (s->feature_dim, ==, 2054);
}

static void
test_bad_width_and_nan (void)
{
  g_autoptr(OvSample) s = make_sample (1000);
  g_autoptr(OvSample) t = make_sample (2048);
  g_autoptr(GError) error = NULL;

  g_assert_false (ov_sample_build_region_vectors (s, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "img1"));
  g_clear_error (&error);

  t->features[3000] = NAN;
  g_assert_false (ov_sample_build_region_vectors (t, &error));
  g_assert_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT);
}

static void
test_tag_string (void)
{
  g_autoptr(OvSample) s = make_sample (2048);
  g_autofree char *tags = ov_sample_dup_tag_string (s);

  g_assert_cmpstr (tags, ==, "dog cutting board");
}

/* /data/sample/untokenized: Oscar's tokenized questions as written. */
static void
test_untokenized (void)
{
  const char *const cases[][2] = {
    { "what color is the cup ?", "what color is the cup?" },
    { "is the man 's hat red , or blue ?", "is the man's hat red, or blue?" },
    { "it isn 't . really !", "it isn't. really!" },
    { "Already fine?", "Already fine?" },
    { "a ' quoted ' word", "a ' quoted ' word" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = ov_text_dup_untokenized (cases[i][0]);

      g_assert_cmpstr (got, ==, cases[i][1]);
    }
}

/* /data/sample/keep-regions-numbers: regions kept keep the numbers they
 * had (from 1), through a copy and a second keep; a sample nobody cut
 * numbers its regions 1, 2, ... */
static void
test_keep_regions_numbers (void)
{
  g_autoptr(OvSample) s = make_sample (2048);
  g_autoptr(OvSample) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *all = NULL, *kept = NULL, *first = NULL, *again = NULL, *none = NULL;
  const guint keep_second[] = { 1 };
  const guint keep_none[] = { 0 };
  guint keep[3] = { 4, 1, 2 };

  /* five regions: dog, cutting board, cup, bolt, ring */
  s->regions = g_renew (OvRegion, s->regions, 5);
  s->regions[2] = (OvRegion) { 5, 5, 50, 50, g_strdup ("cup"), 0.7, NULL, NULL };
  s->regions[3] = (OvRegion) { 60, 5, 90, 50, g_strdup ("bolt"), 0.6, NULL, NULL };
  s->regions[4] = (OvRegion) { 100, 5, 150, 50, g_strdup ("ring"), 0.4, NULL, NULL };
  s->n_regions = 5;
  s->features = g_renew (float, s->features, 5 * 2048);
  s->n_features = 5;
  for (guint i = 0; i < 5; i++)
    s->features[i * 2048] = (float) i;

  all = ov_sample_dup_region_list (s, G_MAXUINT);
  g_assert_cmpstr (all, ==, "1–5");
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpuint (ov_sample_region_number (s, i), ==, i + 1);
      g_assert_cmpint (ov_sample_find_region (s, i + 1), ==, (int) i);
    }

  g_assert_true (ov_sample_keep_regions (s, keep, G_N_ELEMENTS (keep), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (s->n_features, ==, 3);
  g_assert_cmpuint (s->n_regions, ==, 3);
  g_assert_cmpstr (s->regions[0].cls, ==, "ring");
  g_assert_cmpfloat (s->features[0], ==, 4.0f);
  g_assert_cmpuint (ov_sample_region_number (s, 0), ==, 5);
  g_assert_cmpuint (ov_sample_region_number (s, 1), ==, 2);
  g_assert_cmpuint (ov_sample_region_number (s, 2), ==, 3);
  g_assert_cmpint (ov_sample_find_region (s, 5), ==, 0);
  g_assert_cmpint (ov_sample_find_region (s, 3), ==, 2);
  g_assert_cmpint (ov_sample_find_region (s, 1), ==, -1);
  g_assert_cmpint (ov_sample_find_region (s, 4), ==, -1);
  g_assert_cmpint (ov_sample_find_region (s, 99), ==, -1);
  kept = ov_sample_dup_region_list (s, G_MAXUINT);
  g_assert_cmpstr (kept, ==, "5, 2–3");
  first = ov_sample_dup_region_list (s, 1);
  g_assert_cmpstr (first, ==, "5");

  copy = ov_sample_copy (s);
  g_assert_cmpuint (ov_sample_region_number (copy, 1), ==, 2);
  g_assert_cmpint (ov_sample_find_region (copy, 3), ==, 2);

  /* a second cut keeps the first numbers, not the positions between */
  g_assert_true (ov_sample_keep_regions (copy, keep_second, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ov_sample_region_number (copy, 0), ==, 2);
  g_assert_cmpstr (copy->regions[0].cls, ==, "cutting board");
  again = ov_sample_dup_region_list (copy, G_MAXUINT);
  g_assert_cmpstr (again, ==, "2");

  /* none kept: nothing to list, nothing to find */
  g_assert_true (ov_sample_keep_regions (copy, keep_none, 0, &error));
  g_assert_no_error (error);
  none = ov_sample_dup_region_list (copy, G_MAXUINT);
  g_assert_cmpstr (none, ==, "");
  g_assert_cmpint (ov_sample_find_region (copy, 2), ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/sample/box-values", test_box_values);
  g_test_add_func ("/data/sample/bad-width-and-nan", test_bad_width_and_nan);
  g_test_add_func ("/data/sample/tag-string", test_tag_string);
  g_test_add_func ("/data/sample/untokenized", test_untokenized);
  g_test_add_func ("/data/sample/keep-regions-numbers", test_keep_regions_numbers);
  return g_test_run ();
}
