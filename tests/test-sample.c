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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/sample/box-values", test_box_values);
  g_test_add_func ("/data/sample/bad-width-and-nan", test_bad_width_and_nan);
  g_test_add_func ("/data/sample/tag-string", test_tag_string);
  g_test_add_func ("/data/sample/untokenized", test_untokenized);
  return g_test_run ();
}
