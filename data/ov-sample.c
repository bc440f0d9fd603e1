/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Samples, and the one place where region vectors are built.
 */
#define G_LOG_DOMAIN "ov-sample"

#include <math.h>
#include <string.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "ov-sample.h"

void
ov_question_free (OvQuestion *q)
{
  if (q == NULL)
    return;
  g_free (q->question);
  g_free (q->answer);
  g_free (q->type);
  g_free (q->labels);
  g_free (q->label_scores);
  g_free (q);
}

OvQuestion *
ov_question_copy (const OvQuestion *q)
{
  OvQuestion *c = g_new0 (OvQuestion, 1);

  c->question = g_strdup (q->question);
  c->answer = g_strdup (q->answer);
  c->type = g_strdup (q->type);
  c->n_labels = q->n_labels;
  c->labels = g_memdup2 (q->labels, q->n_labels * sizeof (gint64));
  c->label_scores = g_memdup2 (q->label_scores, q->n_labels * sizeof (double));
  return c;
}

double
ov_question_top_score (const OvQuestion *q,
                       gint64            top,
                       const char       *top_name)
{
  if (q->n_labels > 0)
    return ov_question_label_score (q, top);
  if (q->answer != NULL && top_name != NULL)
    return g_strcmp0 (q->answer, top_name) == 0 ? 1.0 : 0.0;
  return -1.0;
}

gboolean
ov_question_has_reference (const OvQuestion *q)
{
  return q != NULL && (q->answer != NULL || q->n_labels > 0);
}

double
ov_question_label_score (const OvQuestion *q,
                         gint64            label)
{
  for (guint i = 0; i < q->n_labels; i++)
    if (q->labels[i] == label)
      return q->label_scores[i];
  return 0.0;
}

OvSample *
ov_sample_new (const char *key)
{
  OvSample *sample = g_new0 (OvSample, 1);

  sample->key = g_strdup (key);
  sample->captions = g_ptr_array_new_with_free_func (g_free);
  sample->questions = g_ptr_array_new_with_free_func ((GDestroyNotify) ov_question_free);
  sample->warnings = g_ptr_array_new_with_free_func (g_free);
  return sample;
}

gboolean
ov_sample_keep_regions (OvSample *sample, const guint *keep, guint n_keep, GError **error)
{
  gboolean boxes_too = sample->n_regions == sample->n_features;
  g_autofree float *features = NULL;
  g_autofree guint *numbers = NULL;
  OvRegion *regions;

  for (guint i = 0; i < n_keep; i++)
    {
      if (keep[i] >= sample->n_features)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("image “%s” has %u regions; there is no region %u"), sample->key,
                       sample->n_features, keep[i] + 1);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (keep[j] == keep[i])
          {
            g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                         _ ("region %u is named twice"), keep[i] + 1);
            return FALSE;
          }
    }
  numbers = g_new (guint, MAX (n_keep, 1));
  for (guint i = 0; i < n_keep; i++)
    numbers[i] = ov_sample_region_number (sample, keep[i]);
  g_free (sample->region_numbers);
  sample->region_numbers = g_steal_pointer (&numbers);
  features = g_new (float, (gsize) MAX (n_keep, 1) * sample->feature_dim);
  for (guint i = 0; i < n_keep; i++)
    memcpy (features + (gsize) i * sample->feature_dim,
            sample->features + (gsize) keep[i] * sample->feature_dim,
            sample->feature_dim * sizeof (float));
  g_free (sample->features);
  sample->features = g_steal_pointer (&features);
  sample->n_features = n_keep;
  if (!boxes_too)
    return TRUE;
  regions = g_new0 (OvRegion, MAX (n_keep, 1));
  for (guint i = 0; i < n_keep; i++)
    {
      regions[i] = sample->regions[keep[i]];
      sample->regions[keep[i]].cls = NULL;
      sample->regions[keep[i]].attributes = NULL;
      sample->regions[keep[i]].attr_scores = NULL;
    }
  for (guint i = 0; i < sample->n_regions; i++)
    {
      g_free (sample->regions[i].cls);
      g_strfreev (sample->regions[i].attributes);
      g_free (sample->regions[i].attr_scores);
    }
  g_free (sample->regions);
  sample->regions = regions;
  sample->n_regions = n_keep;
  return TRUE;
}

guint
ov_sample_region_number (const OvSample *sample,
                         guint           index)
{
  g_return_val_if_fail (sample != NULL, index + 1);

  if (sample->region_numbers != NULL && index < sample->n_features)
    return sample->region_numbers[index];
  return index + 1;
}

int
ov_sample_find_region (const OvSample *sample,
                       guint           number)
{
  guint n;

  g_return_val_if_fail (sample != NULL, -1);

  /* boxes without feature rows (a sample of tags alone) are numbered too */
  n = sample->features != NULL ? sample->n_features : sample->n_regions;
  for (guint i = 0; i < n; i++)
    if (ov_sample_region_number (sample, i) == number)
      return (int) i;
  return -1;
}

char *
ov_sample_dup_region_list (const OvSample *sample,
                           guint           n_first)
{
  GString *out;
  guint n;

  g_return_val_if_fail (sample != NULL, NULL);

  n = MIN (sample->features != NULL ? sample->n_features : sample->n_regions, n_first);
  out = g_string_new (NULL);
  for (guint i = 0; i < n;)
    {
      guint first = ov_sample_region_number (sample, i), j = i;

      while (j + 1 < n
             && ov_sample_region_number (sample, j + 1) == ov_sample_region_number (sample, j) + 1)
        j++;
      if (out->len > 0)
        g_string_append (out, ", ");
      if (j == i)
        g_string_append_printf (out, "%u", first);
      else
        g_string_append_printf (out, "%u–%u", first, ov_sample_region_number (sample, j));
      i = j + 1;
    }
  return g_string_free (out, FALSE);
}

void
ov_sample_free (OvSample *sample)
{
  if (sample == NULL)
    return;

  for (guint i = 0; i < sample->n_regions; i++)
    {
      g_free (sample->regions[i].cls);
      g_strfreev (sample->regions[i].attributes);
      g_free (sample->regions[i].attr_scores);
    }
  g_free (sample->regions);
  g_free (sample->features);
  g_free (sample->region_numbers);
  g_free (sample->key);
  g_free (sample->image_path);
  g_free (sample->image_tsv);
  g_free (sample->tags);
  g_clear_pointer (&sample->captions, g_ptr_array_unref);
  g_clear_pointer (&sample->questions, g_ptr_array_unref);
  g_clear_pointer (&sample->warnings, g_ptr_array_unref);
  g_free (sample);
}

OvSample *
ov_sample_copy (const OvSample *sample)
{
  OvSample *copy;

  g_return_val_if_fail (sample != NULL, NULL);

  copy = ov_sample_new (sample->key);
  copy->image_path = g_strdup (sample->image_path);
  copy->image_tsv = g_strdup (sample->image_tsv);
  copy->width = sample->width;
  copy->height = sample->height;
  copy->n_regions = sample->n_regions;
  copy->regions = g_new0 (OvRegion, MAX (sample->n_regions, 1));
  for (guint i = 0; i < sample->n_regions; i++)
    {
      const OvRegion *r = &sample->regions[i];
      OvRegion *c = &copy->regions[i];
      guint n_attr = r->attributes ? g_strv_length (r->attributes) : 0;

      *c = *r;
      c->cls = g_strdup (r->cls);
      c->attributes = g_strdupv (r->attributes);
      c->attr_scores = r->attr_scores ? g_memdup2 (r->attr_scores, n_attr * sizeof (double)) : NULL;
    }
  if (sample->features != NULL)
    copy->features = g_memdup2 (sample->features,
                                (gsize) sample->n_features * sample->feature_dim * sizeof (float));
  copy->n_features = sample->n_features;
  copy->feature_dim = sample->feature_dim;
  if (sample->region_numbers != NULL)
    copy->region_numbers = g_memdup2 (sample->region_numbers,
                                      MAX (sample->n_features, 1) * sizeof (guint));
  copy->tags = g_strdup (sample->tags);
  for (guint i = 0; i < sample->captions->len; i++)
    g_ptr_array_add (copy->captions, g_strdup (g_ptr_array_index (sample->captions, i)));
  for (guint i = 0; i < sample->questions->len; i++)
    {
      g_ptr_array_add (copy->questions,
                       ov_question_copy (g_ptr_array_index (sample->questions, i)));
    }
  for (guint i = 0; i < sample->warnings->len; i++)
    g_ptr_array_add (copy->warnings, g_strdup (g_ptr_array_index (sample->warnings, i)));
  copy->features_missing = sample->features_missing;
  copy->classes_unnamed = sample->classes_unnamed;
  return copy;
}

/* The sample's question that `text` asks, compared as a person writes it
 * (Oscar's files keep questions tokenized, "cup ?"), or NULL. */
/* A question as compared: written as a person writes it, in Unicode's
 * compatibility form, case folded, runs of white space made one space. */
static char *
question_key (const char *text)
{
  g_autofree char *plain = ov_text_dup_untokenized (text);
  g_autofree char *nfkc = g_utf8_normalize (plain, -1, G_NORMALIZE_ALL);
  g_autofree char *folded = g_utf8_casefold (nfkc != NULL ? nfkc : plain, -1);
  GString *key = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        space = key->len > 0;
      else
        {
          if (space)
            g_string_append_c (key, ' ');
          space = FALSE;
          g_string_append_unichar (key, c);
        }
    }
  return g_string_free (key, FALSE);
}

const OvQuestion *
ov_sample_find_question (const OvSample *sample,
                         const char     *text)
{
  g_autofree char *want = NULL;

  if (sample == NULL || text == NULL)
    return NULL;
  want = question_key (text);
  for (guint i = 0; i < sample->questions->len; i++)
    {
      const OvQuestion *q = g_ptr_array_index (sample->questions, i);
      g_autofree char *key = question_key (q->question);

      if (g_str_equal (key, want))
        return q;
    }
  return NULL;
}

void
ov_sample_add_warning (OvSample   *sample,
                       const char *format,
                       ...)
{
  va_list args;

  g_return_if_fail (sample != NULL);

  va_start (args, format);
  g_ptr_array_add (sample->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

char *
ov_text_dup_untokenized (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      gboolean glue = *p == ' ' && (strchr (",.?!;:", p[1]) != NULL && p[1] != '\0');

      /* "man 's", "isn 't": an apostrophe followed by a letter */
      glue = glue || (*p == ' ' && p[1] == '\'' && g_ascii_isalpha (p[2]));
      if (!glue)
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
ov_sample_dup_tag_string (const OvSample *sample)
{
  GString *s;

  g_return_val_if_fail (sample != NULL, NULL);

  if (sample->tags != NULL)
    return g_strdup (sample->tags);

  s = g_string_new (NULL);
  for (guint i = 0; i < sample->n_regions; i++)
    {
      if (sample->regions[i].cls == NULL || sample->regions[i].cls[0] == '\0')
        continue;
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, sample->regions[i].cls);
    }
  return g_string_free (s, FALSE);
}

gboolean
ov_sample_build_region_vectors (OvSample *sample,
                                GError  **error)
{
  g_autofree float *out = NULL;
  gsize n_values;

  g_return_val_if_fail (sample != NULL, FALSE);

  if (sample->features == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("Sample “%s” has no region features"), sample->key);
      return FALSE;
    }

  n_values = (gsize) sample->n_features * sample->feature_dim;
  for (gsize i = 0; i < n_values; i++)
    if (!isfinite (sample->features[i]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _ ("Sample “%s”: region %zu has a non-finite feature value at column %zu"),
                     sample->key, i / sample->feature_dim, i % sample->feature_dim);
        return FALSE;
      }

  if (sample->feature_dim == OV_REGION_DIM)
    return TRUE;

  if (sample->feature_dim != OV_REGION_APPEARANCE_DIM)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("Sample “%s”: region features are %u wide; expected %d (appearance) "
                      "or %d (appearance and box)"),
                   sample->key, sample->feature_dim, OV_REGION_APPEARANCE_DIM, OV_REGION_DIM);
      return FALSE;
    }

  /* 2048-wide features need the box values, hence boxes and the image size. */
  if (sample->n_features != sample->n_regions)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("Sample “%s”: %u feature rows but %u boxes; cannot add box values"),
                   sample->key, sample->n_features, sample->n_regions);
      return FALSE;
    }
  if (sample->width <= 0 || sample->height <= 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("Sample “%s”: the image size is unknown, so the boxes cannot be "
                      "normalised; give the sample a \"width\" and \"height\" or a picture "
                      "that can be read"), sample->key);
      return FALSE;
    }

  out = g_new (float, (gsize) sample->n_features * OV_REGION_DIM);
  for (guint i = 0; i < sample->n_features; i++)
    {
      const OvRegion *r = &sample->regions[i];
      float *row = out + (gsize) i * OV_REGION_DIM;
      double w = sample->width, h = sample->height;

      memcpy (row, sample->features + (gsize) i * OV_REGION_APPEARANCE_DIM,
              OV_REGION_APPEARANCE_DIM * sizeof (float));
      /* §7.4: x1/W, y1/H, x2/W, y2/H, (x2-x1)/W, (y2-y1)/H */
      row[2048] = (float) (r->x1 / w);
      row[2049] = (float) (r->y1 / h);
      row[2050] = (float) (r->x2 / w);
      row[2051] = (float) (r->y2 / h);
      row[2052] = (float) ((r->x2 - r->x1) / w);
      row[2053] = (float) ((r->y2 - r->y1) / h);
    }

  g_free (sample->features);
  sample->features = g_steal_pointer (&out);
  sample->feature_dim = OV_REGION_DIM;
  return TRUE;
}

gboolean
ov_sample_check_boxes (const OvSample *sample,
                       const char     *source,
                       GError        **error)
{
  g_return_val_if_fail (sample != NULL, FALSE);

  /* boxes are counted from 1 in the messages, as regions are everywhere */
  for (guint i = 0; i < sample->n_regions; i++)
    {
      const OvRegion *r = &sample->regions[i];
      const double slack = 1.0;

      if (!isfinite (r->x1) || !isfinite (r->y1) || !isfinite (r->x2) || !isfinite (r->y2))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("%s: image “%s”, box %u has a non-finite coordinate"),
                       source, sample->key, i + 1);
          return FALSE;
        }
      if (r->x2 < r->x1 || r->y2 < r->y1)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("%s: image “%s”, box %u [%g, %g, %g, %g] has its corners swapped "
                          "(expected x1 y1 x2 y2)"), source, sample->key, i + 1,
                       r->x1, r->y1, r->x2, r->y2);
          return FALSE;
        }
      if (sample->width > 0 && sample->height > 0
          && (r->x1 < -slack || r->y1 < -slack
              || r->x2 > sample->width + slack || r->y2 > sample->height + slack))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("%s: image “%s”, box %u [%g, %g, %g, %g] lies outside the %d×%d image"),
                       source, sample->key, i + 1, r->x1, r->y1, r->x2, r->y2,
                       sample->width, sample->height);
          return FALSE;
        }
    }
  return TRUE;
}
