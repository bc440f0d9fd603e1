/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Alignment numbers and their figure. Nearest tags over the whole set are
 * found with blocked dot products (cblas_sgemm): |r - t|^2 = |r|^2 + |t|^2
 * - 2 r.t, accumulated in float, which is ample for ranking neighbours;
 * the reported distances are computed directly in double.
 */
#define G_LOG_DOMAIN "ov-align"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "ov-align.h"
#include "ov-draw.h"
#include "ov-region-view.h"

#define BLOCK 256

static double
distance (const float *a, const float *b, guint h)
{
  double s = 0.0;

  for (guint k = 0; k < h; k++)
    {
      double d = (double) a[k] - b[k];

      s += d * d;
    }
  return sqrt (s);
}

void
ov_alignment_free (OvAlignment *a)
{
  if (a == NULL)
    return;
  for (guint l = 0; l < a->n_layers; l++)
    {
      g_free (a->layers[l].intra);
      g_free (a->layers[l].inter);
      g_free (a->layers[l].nn_image);
      g_free (a->layers[l].nn_dataset);
      g_free (a->layers[l].n_regions);
    }
  g_free (a->layers);
  g_strfreev (a->class_names);
  g_free (a->label);
  g_free (a);
}

/* Nearest tag (index into tags) of every region over the whole set. */
static void
nearest_tags (const float *x, guint h, const guint *regions, guint n_r, const guint *tags,
              guint n_t, guint *nearest)
{
  g_autofree float *t_mat = g_new (float, (gsize) MAX (n_t, 1) * h);   /* (n_t, H) */
  g_autofree float *t_norm = g_new (float, MAX (n_t, 1));
  g_autofree float *r_blk = g_new (float, (gsize) BLOCK * h);           /* (BLOCK, H) */
  g_autofree float *dots = g_new (float, (gsize) BLOCK * MAX (n_t, 1)); /* (BLOCK, n_t) */

  for (guint j = 0; j < n_t; j++)
    {
      const float *x_j = x + (gsize) tags[j] * h;
      double s = 0.0;

      memcpy (t_mat + (gsize) j * h, x_j, sizeof (float) * h);
      for (guint k = 0; k < h; k++)
        s += (double) x_j[k] * x_j[k];
      t_norm[j] = (float) s;
    }
  for (guint r0 = 0; r0 < n_r; r0 += BLOCK)
    {
      guint nb = MIN (BLOCK, n_r - r0);

      for (guint i = 0; i < nb; i++)
        memcpy (r_blk + (gsize) i * h, x + (gsize) regions[r0 + i] * h, sizeof (float) * h);
      /* dots (nb, n_t) = r_blk (nb, H) . t_mat^T (H, n_t) */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, nb, n_t, h, 1.0f, r_blk, h, t_mat,
                   h, 0.0f, dots, n_t);
      for (guint i = 0; i < nb; i++)
        {
          const float *dots_i = dots + (gsize) i * n_t;
          float best = G_MAXFLOAT;
          guint arg = 0;

          /* |r|^2 is the same for every tag: rank by |t|^2 - 2 r.t */
          for (guint j = 0; j < n_t; j++)
            {
              float d = t_norm[j] - 2.0f * dots_i[j];

              if (d < best)
                {
                  best = d;
                  arg = j;
                }
            }
          nearest[r0 + i] = arg;
        }
    }
}

/* 1 - the dot product of two rows of unit length (or zero: then 1). */
static double
cosine_distance (const float *a, const float *b, guint h)
{
  double s = 0.0;

  for (guint k = 0; k < h; k++)
    s += (double) a[k] * b[k];
  return 1.0 - s;
}

/* x (n, H) is of unit rows when cosine: the nearest of unit vectors by
 * Euclidean distance is the nearest by cosine. */
static void
compute_layer (const OvEmbeddings *emb, const float *x, gboolean cosine, OvAlignLayer *out,
               guint n_classes, GPtrArray *by_image)
{
  guint h = emb->hidden;
  g_autofree double *intra_sum = g_new0 (double, n_classes);
  g_autofree double *inter_sum = g_new0 (double, n_classes);
  g_autofree guint *intra_n = g_new0 (guint, n_classes);
  g_autofree guint *inter_n = g_new0 (guint, n_classes);
  g_autofree guint *nni_hit = g_new0 (guint, n_classes);
  g_autofree guint *nni_n = g_new0 (guint, n_classes);
  g_autofree guint *nnd_hit = g_new0 (guint, n_classes);
  g_autofree guint *tag_count = g_new0 (guint, n_classes);
  g_autoptr(GArray) regions = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) tags = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *nearest = NULL;
  double intra_all = 0, inter_all = 0, chance_img = 0;
  guint intra_all_n = 0, inter_all_n = 0, nni_all = 0, nni_all_n = 0, nnd_all = 0, nnd_n = 0;

  out->intra = g_new (double, n_classes);
  out->inter = g_new (double, n_classes);
  out->nn_image = g_new (double, n_classes);
  out->nn_dataset = g_new (double, n_classes);
  out->n_regions = g_new0 (guint, n_classes);

  for (guint i = 0; i < emb->n; i++)
    {
      if (emb->modality[i] == OV_EMBED_REGION)
        {
          g_array_append_val (regions, i);
          out->n_regions[emb->classes[i]]++;
        }
      else
        {
          g_array_append_val (tags, i);
          tag_count[emb->classes[i]]++;
        }
    }

  /* Within each image. */
  for (guint img = 0; img < by_image->len; img++)
    {
      GArray *members = g_ptr_array_index (by_image, img);

      for (guint a = 0; a < members->len; a++)
        {
          guint r = g_array_index (members, guint, a);
          gint32 c = emb->classes[r];
          double own = 0, other = 0, best = G_MAXDOUBLE;
          guint n_own = 0, n_other = 0;
          gint32 best_c = -1;

          if (emb->modality[r] != OV_EMBED_REGION)
            continue;
          for (guint b = 0; b < members->len; b++)
            {
              guint t = g_array_index (members, guint, b);
              double d;

              if (emb->modality[t] != OV_EMBED_TAG)
                continue;
              d = cosine ? cosine_distance (x + (gsize) r * h, x + (gsize) t * h, h)
                         : distance (x + (gsize) r * h, x + (gsize) t * h, h);
              if (emb->classes[t] == c)
                own += d, n_own++;
              else
                other += d, n_other++;
              if (d < best)
                best = d, best_c = emb->classes[t];
            }
          if (n_own > 0)
            {
              intra_sum[c] += own / n_own, intra_n[c]++;
              intra_all += own / n_own, intra_all_n++;
            }
          if (n_other > 0)
            {
              inter_sum[c] += other / n_other, inter_n[c]++;
              inter_all += other / n_other, inter_all_n++;
            }
          /* a region whose class has no tag in its image cannot find it
           * nearest: it is left out, as of intra */
          if (best_c >= 0 && n_own > 0)
            {
              nni_n[c]++;
              nni_all_n++;
              chance_img += (double) n_own / (n_own + n_other);
              if (best_c == c)
                nni_hit[c]++, nni_all++;
            }
        }
    }

  /* Over the whole set. */
  nearest = g_new (guint, MAX (regions->len, 1));
  if (tags->len > 0 && regions->len > 0)
    {
      nearest_tags (x, h, (guint *) regions->data, regions->len, (guint *) tags->data, tags->len,
                    nearest);
      for (guint a = 0; a < regions->len; a++)
        {
          guint r = g_array_index (regions, guint, a);
          guint t = g_array_index (tags, guint, nearest[a]);

          if (emb->classes[t] == emb->classes[r])
            nnd_hit[emb->classes[r]]++, nnd_all++;
        }
    }

  /* Over the set, the regions whose class has a tag piece somewhere in it
   * (the others could never find one nearest). */
  for (guint c = 0; c < n_classes; c++)
    if (tag_count[c] > 0)
      nnd_n += out->n_regions[c];
  out->nn_dataset_chance = 0.0;
  for (guint c = 0; c < n_classes; c++)
    {
      out->intra[c] = intra_n[c] > 0 ? intra_sum[c] / intra_n[c] : NAN;
      out->inter[c] = inter_n[c] > 0 ? inter_sum[c] / inter_n[c] : NAN;
      out->nn_image[c] = nni_n[c] > 0 ? (double) nni_hit[c] / nni_n[c] : NAN;
      out->nn_dataset[c] = out->n_regions[c] > 0 && tag_count[c] > 0
                           ? (double) nnd_hit[c] / out->n_regions[c] : NAN;
      if (nnd_n > 0 && tag_count[c] > 0)
        out->nn_dataset_chance += (double) out->n_regions[c] / nnd_n
                                  * tag_count[c] / tags->len;
    }
  out->intra_mean = intra_all_n > 0 ? intra_all / intra_all_n : NAN;
  out->inter_mean = inter_all_n > 0 ? inter_all / inter_all_n : NAN;
  out->nn_image_rate = nni_all_n > 0 ? (double) nni_all / nni_all_n : NAN;
  out->nn_image_chance = nni_all_n > 0 ? chance_img / nni_all_n : NAN;
  out->nn_dataset_rate = nnd_n > 0 ? (double) nnd_all / nnd_n : NAN;
  if (nnd_n == 0)
    out->nn_dataset_chance = NAN;
}

static int
compare_int (gconstpointer a, gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

OvAlignment *
ov_align_compute (const OvEmbeddings *emb, const char *label, GError **error)
{
  return ov_align_compute_metric (emb, label, OV_ALIGN_EUCLIDEAN, error);
}

/* The rows of x (n, h) scaled to unit length (a zero row stays zero). */
static float *
unit_rows (const float *x, guint n, guint h)
{
  float *out = g_new (float, (gsize) MAX (n, 1) * h);

  for (guint i = 0; i < n; i++)
    {
      const float *x_i = x + (gsize) i * h;
      double s = 0.0;

      for (guint k = 0; k < h; k++)
        s += (double) x_i[k] * x_i[k];
      s = s > 0 ? 1.0 / sqrt (s) : 0.0;
      for (guint k = 0; k < h; k++)
        out[(gsize) i * h + k] = (float) (x_i[k] * s);
    }
  return out;
}

OvAlignment *
ov_align_compute_metric (const OvEmbeddings *emb,
                         const char         *label,
                         OvAlignMetric       metric,
                         GError            **error)
{
  g_autoptr(OvAlignment) a = NULL;
  g_autoptr(GPtrArray) by_image = NULL;
  g_autofree int *order = NULL;
  guint n_tags = 0;

  g_return_val_if_fail (emb != NULL, NULL);

  for (guint i = 0; i < emb->n; i++)
    n_tags += emb->modality[i] == OV_EMBED_TAG;
  if (emb->n == 0 || n_tags == 0 || n_tags == emb->n)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("%s: alignment needs both tag and region vectors (%u tags, %u regions)"),
                   label != NULL ? label : _ ("embeddings"), n_tags, emb->n - n_tags);
      return NULL;
    }

  a = g_new0 (OvAlignment, 1);
  a->label = g_strdup (label != NULL ? label : "");
  a->metric = metric;
  a->n_classes = emb->class_names->len;
  a->class_names = g_new0 (char *, a->n_classes + 1);
  for (guint c = 0; c < a->n_classes; c++)
    a->class_names[c] = g_strdup (g_ptr_array_index (emb->class_names, c));
  a->n_tag_points = n_tags;
  a->n_region_points = emb->n - n_tags;

  by_image = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint k = 0; k < emb->image_keys->len; k++)
    g_ptr_array_add (by_image, g_array_new (FALSE, FALSE, sizeof (guint)));
  for (guint i = 0; i < emb->n; i++)
    g_array_append_val (g_ptr_array_index (by_image, emb->images[i]), i);

  /* Layers in increasing order for the plot. */
  order = g_memdup2 (emb->layers, sizeof (int) * emb->n_layers);
  qsort (order, emb->n_layers, sizeof (int), compare_int);
  a->n_layers = emb->n_layers;
  a->layers = g_new0 (OvAlignLayer, a->n_layers);
  for (guint k = 0; k < a->n_layers; k++)
    {
      const float *x = ov_embeddings_get_layer (emb, order[k]);
      g_autofree float *unit = metric == OV_ALIGN_COSINE ? unit_rows (x, emb->n, emb->hidden)
                                                         : NULL;

      a->layers[k].layer = order[k];
      compute_layer (emb, unit != NULL ? unit : x, unit != NULL, &a->layers[k], a->n_classes,
                     by_image);
    }
  return g_steal_pointer (&a);
}

/* The columns text takes on a terminal: a translated heading may be wider
 * than the English one, and a CJK character takes two. */
static guint
text_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_iszerowidth (c))
        width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

/* text right-aligned in width columns, or left-aligned (left), after a
 * space unless it is the first cell */
static void
append_cell (GString    *s,
             const char *text,
             guint       width,
             gboolean    first,
             gboolean    left)
{
  guint pad = width - MIN (text_width (text), width);

  if (!first)
    g_string_append_c (s, ' ');
  if (!left)
    for (guint i = 0; i < pad; i++)
      g_string_append_c (s, ' ');
  g_string_append (s, text);
  if (left)
    for (guint i = 0; i < pad; i++)
      g_string_append_c (s, ' ');
}

static void
append_num (GString *s, double v, guint width)
{
  g_autofree char *text = isnan (v) ? g_strdup ("-") : g_strdup_printf ("%.4f", v);

  append_cell (s, text, width, FALSE, FALSE);
}

/* The headings of a table and the columns each takes: the English
 * heading's width (min_widths), or the translated heading's where wider.
 * The last row of the table ends with a line feed. */
static void
append_headings (GString           *s,
                 const char *const *headings,
                 const guint       *min_widths,
                 guint             *widths,
                 guint              n,
                 gboolean           first_left)
{
  for (guint i = 0; i < n; i++)
    {
      widths[i] = MAX (min_widths[i], text_width (headings[i]));
      append_cell (s, headings[i], widths[i], i == 0, i == 0 && first_left);
    }
  g_string_append_c (s, '\n');
}

char *
ov_align_format_table (const OvAlignment *a)
{
  GString *s = g_string_new (NULL);
  const OvAlignLayer *last = &a->layers[a->n_layers - 1];
  const char *const layer_heads[] = {
    /* Translators: the headings of the alignment table of `oscarviz
     * align` are short words, and the explanation under the table names
     * intra, inter, nn-image, nn-set and chance again (translate them
     * alike there). This one: the hidden-state layer. */
    C_("alignment table", "layer"),
    /* Translators: alignment table: mean distance from a region to the tag
     * pieces of its own class in its image */
    C_("alignment table", "intra"),
    /* Translators: alignment table: mean distance from a region to the tag
     * pieces of the other classes in its image */
    C_("alignment table", "inter"),
    /* Translators: alignment table: inter divided by intra */
    C_("alignment table", "inter/intra"),
    /* Translators: alignment table: share of regions whose nearest tag
     * piece in their image has their class */
    C_("alignment table", "nn-image"),
    /* Translators: alignment table: the share before it with the tags
     * shuffled */
    C_("alignment table", "chance"),
    /* Translators: alignment table: share of regions whose nearest tag
     * piece in the whole set has their class */
    C_("alignment table", "nn-set"),
    C_("alignment table", "chance"),
  };
  const guint layer_min[] = { 5, 9, 9, 11, 9, 9, 9, 9 };
  const char *const class_heads[] = {
    /* Translators: per-class table of `oscarviz align`: the class; the
     * other headings are those of the alignment table above it */
    C_("alignment table", "class"),
    /* Translators: per-class table of `oscarviz align`: how many regions
     * the class has */
    C_("alignment table", "regions"),
    C_("alignment table", "intra"), C_("alignment table", "inter"),
    C_("alignment table", "nn-image"), C_("alignment table", "nn-set"),
  };
  const guint class_min[] = { 20, 7, 9, 9, 9, 9 };
  guint widths[8];
  g_autofree char *vectors = NULL;
  g_autofree char *classes = NULL;

  G_STATIC_ASSERT (G_N_ELEMENTS (layer_heads) == G_N_ELEMENTS (layer_min));
  G_STATIC_ASSERT (G_N_ELEMENTS (class_heads) == G_N_ELEMENTS (class_min));
  G_STATIC_ASSERT (G_N_ELEMENTS (layer_heads) <= G_N_ELEMENTS (widths));

  /* Translators: how many vectors of each kind an embeddings file holds,
   * as in "133 region and 133 tag vectors": region vectors and tag
   * vectors, the plural chosen by the two counts together (both are 1 or
   * more, so the English is always plural). */
  vectors = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u region and %u tag vector",
                                          "%u region and %u tag vectors",
                                          a->n_region_points + a->n_tag_points),
                             a->n_region_points, a->n_tag_points);
  classes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u class", "%u classes",
                                          a->n_classes), a->n_classes);
  /* Translators: the first line of the alignment table of `oscarviz
   * align`: "E.safetensors: 133 region and 133 tag vectors, 24 classes" */
  g_string_append_printf (s, C_ ("alignment table", "%s: %s, %s"), a->label, vectors, classes);
  g_string_append_c (s, '\n');
  append_headings (s, layer_heads, layer_min, widths, G_N_ELEMENTS (layer_heads), FALSE);
  for (guint k = 0; k < a->n_layers; k++)
    {
      const OvAlignLayer *l = &a->layers[k];
      g_autofree char *layer = g_strdup_printf ("%d", l->layer);

      append_cell (s, layer, widths[0], TRUE, FALSE);
      append_num (s, l->intra_mean, widths[1]);
      append_num (s, l->inter_mean, widths[2]);
      /* two spaces more before the ratio, as its heading is wider */
      g_string_append (s, "  ");
      append_num (s, l->inter_mean / l->intra_mean, widths[3] - 2);
      append_num (s, l->nn_image_rate, widths[4]);
      append_num (s, l->nn_image_chance, widths[5]);
      append_num (s, l->nn_dataset_rate, widths[6]);
      append_num (s, l->nn_dataset_chance, widths[7]);
      g_string_append_c (s, '\n');
    }
  /* Translators: the explanation under the alignment table of `oscarviz
   * align`; it names the table's columns (intra, inter, nn-image, nn-set,
   * chance) as their headings are translated. */
  g_string_append (s, _ ("intra, inter: mean distance from a region to the tag pieces of its "
                         "own class, of the other classes, in its image; nn-image, nn-set: "
                         "share of regions whose nearest tag piece (in the image, in the whole "
                         "set) has their class; chance: the share before it with the tags "
                         "shuffled"));
  if (a->metric == OV_ALIGN_COSINE)
    /* Translators: added to the explanation above when the distances are
     * cosine distances */
    g_string_append (s, _ ("; the distances are cosine distances (1 − cosine similarity)"));
  g_string_append (s, "\n\n");
  /* Translators: heading of the per-class table of `oscarviz align`, of
   * the numbers of one hidden-state layer (the last one the file holds) */
  g_string_append_printf (s, _ ("per class, layer %d:"), last->layer);
  g_string_append_c (s, '\n');
  append_headings (s, class_heads, class_min, widths, G_N_ELEMENTS (class_heads), TRUE);
  for (guint c = 0; c < a->n_classes; c++)
    {
      g_autofree char *count = NULL;

      if (last->n_regions[c] == 0)
        continue;
      /* the name cut at the column's width */
      g_string_append_printf (s, "%-*.*s", (int) widths[0], (int) widths[0], a->class_names[c]);
      count = g_strdup_printf ("%u", last->n_regions[c]);
      append_cell (s, count, widths[1], FALSE, FALSE);
      append_num (s, last->intra[c], widths[2]);
      append_num (s, last->inter[c], widths[3]);
      append_num (s, last->nn_image[c], widths[4]);
      append_num (s, last->nn_dataset[c], widths[5]);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

static void
add_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (!isfinite (v))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, v);
}

JsonNode *
ov_align_to_json (OvAlignment *const *a, guint n)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint m = 0; m < n; m++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, a[m]->label);
      json_builder_set_member_name (b, "metric");
      json_builder_add_string_value (b, a[m]->metric == OV_ALIGN_COSINE ? "cosine"
                                                                          : "euclidean");
      json_builder_set_member_name (b, "region_vectors");
      json_builder_add_int_value (b, a[m]->n_region_points);
      json_builder_set_member_name (b, "tag_vectors");
      json_builder_add_int_value (b, a[m]->n_tag_points);
      json_builder_set_member_name (b, "layers");
      json_builder_begin_array (b);
      for (guint k = 0; k < a[m]->n_layers; k++)
        {
          const OvAlignLayer *l = &a[m]->layers[k];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "layer");
          json_builder_add_int_value (b, l->layer);
          add_number (b, "intra", l->intra_mean);
          add_number (b, "inter", l->inter_mean);
          add_number (b, "nn_image", l->nn_image_rate);
          add_number (b, "nn_image_chance", l->nn_image_chance);
          add_number (b, "nn_dataset", l->nn_dataset_rate);
          add_number (b, "nn_dataset_chance", l->nn_dataset_chance);
          json_builder_set_member_name (b, "classes");
          json_builder_begin_array (b);
          for (guint c = 0; c < a[m]->n_classes; c++)
            {
              if (l->n_regions[c] == 0)
                continue;
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "class");
              json_builder_add_string_value (b, a[m]->class_names[c]);
              json_builder_set_member_name (b, "regions");
              json_builder_add_int_value (b, l->n_regions[c]);
              add_number (b, "intra", l->intra[c]);
              add_number (b, "inter", l->inter[c]);
              add_number (b, "nn_image", l->nn_image[c]);
              add_number (b, "nn_dataset", l->nn_dataset[c]);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- figure ---- */

#define MAX_MODELS 2
/* Room inside a plot's frame around the first and last layer and the ends
 * of the value range, so that no marker is cut by the frame. This and the
 * other distances below are those of a figure of OV_ALIGN_FIGURE_WIDTH x
 * OV_ALIGN_FIGURE_HEIGHT or larger; a smaller one multiplies them by its
 * shrink factor (ov_draw_shrink). */
#define PLOT_PAD 10.0
/* Left of each plot and of the first bar chart: tick labels and the
 * vertical axis label; right of the last ones, a margin. */
#define GUTTER 60.0
#define RIGHT_MARGIN 40.0
/* The gap between the two bar charts. */
#define BAR_GAP 40.0
/* A legend row, and its line: long enough to show two periods of every
 * dash pattern. */
#define LEGEND_ROW 14.0
#define LEGEND_LINE 28.0
/* The class names under the bars are shortened beyond this. */
#define NAME_MAX_W 100.0
/* Two bar charts narrower than this side by side are drawn one over the
 * other where the page has the room (in points whatever the page's size:
 * it is about how wide a bar is in print). */
#define STACK_BELOW_W 150.0

typedef struct {
  OvRect      area;                 /* the plot's axes box */
  double      ymin, ymax;
  int         lmin, lmax;
  int         first, last;          /* the layers there are data for */
  double      step;                 /* between the value ticks */
  gboolean    broken;               /* the value axis starts above 0: its
                                     * lowest tick at the frame's foot, a
                                     * break mark on it */
} OvAxes;

struct _OvAlignView
{
  OvPalette   *palette;            /* one colour per class name across the models */
  OvAlignment *models[MAX_MODELS];
  guint        n;
  double       shown;               /* how much larger it is shown (set_shown_scale), 1 */
  double       width, height;       /* the size laid out for, before scale */
  double       scale;               /* the drawing's scale to fit the page */
  double       k;                   /* the factor text and distances are laid out at:
                                     * ov_draw_shrink of the size, or more where the
                                     * page has room (ov_align_view_layout) */
  double       min_font;            /* the smallest text at this k */
  gboolean     one_layer;           /* every model has one layer, the same */
  char       **xlabel_lines;        /* the plots' x axis label, fitted */
  double       xlabel_font;
  char        *title;               /* set_title's; NULL: the figure's own */
  char       **title_lines;
  double       title_font;
  double       legend_y;            /* the middle of the legend's first row */
  OvAxes       dist, nn;
  OvRect       bars[MAX_MODELS];
  gboolean     stacked;             /* the bar charts one over the other */
  gboolean     shared_names;        /* stacked, with the class names under the lower
                                     * one alone (both have the same classes) */
  double       bar_lo, bar_hi;      /* the bar charts' shared scale */
  double       bar_step;            /* between its ticks */
  /* the plots' titles, fitted to their width */
  char       **plot_titles[2];
  double       plot_title_font;
  /* the bar charts' titles, in lines; where a title with the bars' key
   * does not fit a chart's width, the key is a line of its own over both
   * charts, and the title without it breaks into two lines where need be
   * (bar_title_extra: the height the lines after the first take) */
  char       **bar_titles[MAX_MODELS];
  double       bar_title_font;
  double       bar_title_extra;
  char       **key_lines;
  double       key_y;
  /* the class names under the bars: every name_step-th, and a note that
   * says so where that is more than one */
  double       name_font;
  int          name_step;
  char        *name_note;
  gboolean     note_on_key;         /* at the end of the key, not under the names */
};

/* The distance plots' axis: the first model's metric (both models of a
 * figure are computed alike). */
static const char *
distance_label (const OvAlignView *view)
{
  /* Translators: the y axes of the alignment figure's distance plots */
  return view->n > 0 && view->models[0]->metric == OV_ALIGN_COSINE ? _ ("cosine distance")
                                                                     : _ ("distance");
}

static const OvColor model_colors[MAX_MODELS] = {
  { 0.12, 0.47, 0.71 }, { 0.84, 0.15, 0.16 },
};

/* Text of size points at the view's factor: smaller on a small page, but
 * not below its smallest size (OV_DRAW_MIN_FONT; READABLE_FONT where the
 * factor brings 9-point text, most of the figure's, no lower than that). */
#define READABLE_FONT 7.0

static double
afont (const OvAlignView *view, double size)
{
  return MAX (size * view->k, MIN (size, view->min_font));
}

OvAlignView *
ov_align_view_new (OvAlignment *const *a, guint n)
{
  OvAlignView *v;

  g_return_val_if_fail (a != NULL && n >= 1, NULL);

  v = g_new0 (OvAlignView, 1);
  v->shown = 1.0;
  v->n = MIN (n, MAX_MODELS);
  {
    g_autoptr(GPtrArray) names = g_ptr_array_new ();

    for (guint m = 0; m < v->n; m++)
      {
        v->models[m] = a[m];
        for (guint c = 0; c < a[m]->n_classes; c++)
          g_ptr_array_add (names, a[m]->class_names[c]);
      }
    v->palette = ov_palette_new ();
    v->scale = 1.0;
    ov_palette_assign (v->palette, (const char *const *) names->pdata, names->len);
  }
  return v;
}

void
ov_align_view_free (OvAlignView *view)
{
  if (view == NULL)
    return;
  ov_palette_free (view->palette);
  g_free (view->title);
  g_strfreev (view->title_lines);
  for (guint i = 0; i < 2; i++)
    g_strfreev (view->plot_titles[i]);
  for (guint m = 0; m < MAX_MODELS; m++)
    g_strfreev (view->bar_titles[m]);
  g_strfreev (view->key_lines);
  g_strfreev (view->xlabel_lines);
  g_free (view->name_note);
  g_free (view);
}

void
ov_align_view_set_title (OvAlignView *view,
                         const char  *title)
{
  g_return_if_fail (view != NULL);

  g_free (view->title);
  view->title = g_strdup (title);
}

static void
axes_range (OvAlignView *view, OvAxes *ax, gboolean distances)
{
  ax->ymin = distances ? G_MAXDOUBLE : 0.0;
  ax->ymax = distances ? -G_MAXDOUBLE : 1.0;
  ax->lmin = G_MAXINT;
  ax->lmax = G_MININT;
  for (guint m = 0; m < view->n; m++)
    for (guint k = 0; k < view->models[m]->n_layers; k++)
      {
        const OvAlignLayer *l = &view->models[m]->layers[k];

        ax->lmin = MIN (ax->lmin, l->layer);
        ax->lmax = MAX (ax->lmax, l->layer);
        if (distances)
          {
            double v[2] = { l->intra_mean, l->inter_mean };

            for (int i = 0; i < 2; i++)
              if (!isnan (v[i]))
                ax->ymin = MIN (ax->ymin, v[i]), ax->ymax = MAX (ax->ymax, v[i]);
          }
      }
  if (distances)
    {
      if (ax->ymin > ax->ymax)
        ax->ymin = 0, ax->ymax = 1;
      ax->ymin = MAX (0.0, ax->ymin - 0.1 * (ax->ymax - ax->ymin + 1e-9));
      ax->ymax += 0.1 * (ax->ymax - ax->ymin + 1e-9);
    }
  ax->first = ax->lmin;
  ax->last = ax->lmax;
  if (ax->lmin == ax->lmax)
    ax->lmin -= 1, ax->lmax += 1;
}

/* A class has a bar pair in its model's chart when regions of it have a
 * distance at the model's last layer. */
static gboolean
has_bars (const OvAlignLayer *l, guint c)
{
  return l->n_regions[c] > 0 && (!isnan (l->intra[c]) || !isnan (l->inter[c]));
}

/* One scale for the bar charts of both models. It starts at 0 unless the
 * bars all lie high above it (the shortest more than 40 % of the longest):
 * then at a round value a step below the shortest bar, so that differences
 * of a few per cent show; the charts mark such an axis as broken. */
static void
bar_scale (OvAlignView *view)
{
  double vmin = G_MAXDOUBLE, vmax = 0.0, step;

  for (guint m = 0; m < view->n; m++)
    {
      const OvAlignment *a = view->models[m];
      const OvAlignLayer *l = &a->layers[a->n_layers - 1];

      for (guint c = 0; c < a->n_classes; c++)
        if (has_bars (l, c))
          for (int k = 0; k < 2; k++)
            {
              double v = k == 0 ? l->intra[c] : l->inter[c];

              if (!isnan (v))
                vmin = MIN (vmin, v), vmax = MAX (vmax, v);
            }
    }
  view->bar_lo = view->bar_hi = view->bar_step = 0.0;
  if (!(vmax > 0))
    return;
  vmin = MAX (vmin, 0.0);
  step = ov_draw_round_step (vmax - vmin, 4);
  if (!(vmin > 0.4 * vmax && step > 0 && floor (vmin / step) * step - step > 0))
    step = ov_draw_round_step (vmax, 4);
  else
    view->bar_lo = floor (vmin / step) * step - step;
  view->bar_hi = ceil (vmax / step - 1e-9) * step;
  view->bar_step = step;
}

void
ov_align_view_get_bar_range (OvAlignView *view, double *lo, double *hi)
{
  g_return_if_fail (view != NULL);

  bar_scale (view);
  *lo = view->bar_lo;
  *hi = view->bar_hi;
}

static guint legend_pass (cairo_t *cr, OvAlignView *view, double x0, double y, gboolean draw);

/* The classes a model's chart has bars for: their indices into its
 * class names, in shown. */
static void
bar_classes (const OvAlignment *a, GArray *shown)
{
  const OvAlignLayer *l = &a->layers[a->n_layers - 1];

  g_array_set_size (shown, 0);
  for (guint c = 0; c < a->n_classes; c++)
    if (has_bars (l, c))
      g_array_append_val (shown, c);
}

/* Whether both models' charts have bars for the same classes, in the same
 * order. */
static gboolean
same_bar_classes (const OvAlignView *view)
{
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) other = g_array_new (FALSE, FALSE, sizeof (guint));

  bar_classes (view->models[0], first);
  for (guint m = 1; m < view->n; m++)
    {
      bar_classes (view->models[m], other);
      if (other->len != first->len)
        return FALSE;
      for (guint i = 0; i < first->len; i++)
        if (strcmp (view->models[0]->class_names[g_array_index (first, guint, i)],
                    view->models[m]->class_names[g_array_index (other, guint, i)]) != 0)
          return FALSE;
    }
  return TRUE;
}

/* The plots' titles. */
static const char *
plot_title (guint i)
{
  /* Translators: the titles of the alignment figure's plots. */
  return i == 0 ? _ ("mean distance region → tags") : _ ("nearest tag has the region's class");
}

/* The bar charts' titles, their key, and the class names under them, for
 * charts bw wide: a title with the key where it fits a chart's width,
 * else the model and layer alone (in two lines where one is too narrow)
 * with the key once over the charts (in lines as wide as both); the names
 * every k-th where the bars are narrower than their text. Returns the
 * height the key and the titles' second lines take. */
static double
layout_bar_text (OvAlignView *view, cairo_t *cr, double bw, double *names_h)
{
  double k = view->k, all_w = 0, need, longest = 0;
  gboolean fit = TRUE;
  char *full[MAX_MODELS] = { NULL };
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n_shown = 1, title_lines = 1;

  view->bar_title_font = afont (view, 10);
  ov_draw_set_font (cr, view->bar_title_font, TRUE);
  for (guint m = 0; m < view->n; m++)
    {
      const OvAlignment *a = view->models[m];

      /* Translators: title of a model's bar chart in the alignment figure:
       * the model's name, the layer; a class's solid bar is the distance to
       * its own tag, the light one that to the other tags. */
      full[m] = g_strdup_printf (_ ("%s, layer %d: own tag (solid), other tags (light)"),
                                 a->label, a->layers[a->n_layers - 1].layer);
      fit = fit && ov_draw_text_width (cr, full[m]) <= bw;
    }
  g_clear_pointer (&view->key_lines, g_strfreev);
  for (guint m = 0; m < view->n; m++)
    {
      const OvAlignment *a = view->models[m];

      g_strfreev (view->bar_titles[m]);
      if (fit)
        {
          view->bar_titles[m] = g_new0 (char *, 2);
          view->bar_titles[m][0] = g_steal_pointer (&full[m]);
        }
      else
        {
          /* Translators: the short title of a model's bar chart in the
           * alignment figure: the model's name and the layer. */
          g_autofree char *t = g_strdup_printf (_ ("%s, layer %d"), a->label,
                                                a->layers[a->n_layers - 1].layer);

          view->bar_titles[m] = ov_draw_fit_title (cr, t, bw, view->bar_title_font,
                                                   view->bar_title_font, 2, NULL);
          title_lines = MAX (title_lines, g_strv_length (view->bar_titles[m]));
        }
      g_free (full[m]);
    }
  view->bar_title_extra = (title_lines - 1) * ov_draw_line_height (view->bar_title_font);
  if (!fit)
    {
      all_w = view->stacked ? bw : view->n * bw + (view->n - 1) * BAR_GAP * k;
      ov_draw_set_font (cr, afont (view, 9), FALSE);
      /* Translators: the key of the alignment figure's bar charts, over
       * them where their titles have no room for it: a class's solid bar is
       * the distance to its own tag, the light one that to the other
       * tags. */
      view->key_lines = ov_draw_fit_title (cr, _ ("own tag (solid), other tags (light)"), all_w,
                                           afont (view, 9), view->min_font, 2, NULL);
    }

  /* the names: as many as stay a point apart (none at the smallest text) */
  view->name_font = afont (view, 8);
  ov_draw_set_font (cr, view->name_font, FALSE);
  for (guint m = 0; m < view->n; m++)
    {
      const OvAlignment *a = view->models[m];

      bar_classes (a, shown);
      n_shown = MAX (n_shown, shown->len);
      for (guint i = 0; i < shown->len; i++)
        longest = MAX (longest, ov_draw_text_width (cr, a->class_names[g_array_index (shown,
                                                                                      guint,
                                                                                      i)]));
    }
  need = view->name_font > view->min_font ? view->name_font + 1 : view->name_font;
  view->name_step = MAX (1, (int) ceil (need / (bw / n_shown) - 1e-9));
  g_clear_pointer (&view->name_note, g_free);
  if (view->name_step > 1)
    /* Translators: under the alignment figure's bar charts where their
     * bars are too narrow to name each class: every second (third...) is
     * named; %d is 2, 3... */
    view->name_note = g_strdup_printf (_ ("1 in %d classes named"), view->name_step);
  /* a figure of full size keeps at least the room of names of ten or so
   * characters, more for longer ones up to NAME_MAX_W, a smaller one only
   * the room of those it has; the note goes at the end of the key's last
   * line where that has room for it, else under the names */
  view->note_on_key = FALSE;
  if (view->name_note != NULL && view->key_lines != NULL)
    {
      const char *last = view->key_lines[g_strv_length (view->key_lines) - 1];
      double used;

      ov_draw_set_font (cr, afont (view, 9), FALSE);
      used = ov_draw_text_width (cr, last);
      ov_draw_set_font (cr, view->name_font, FALSE);
      view->note_on_key = used + 12 * k + ov_draw_text_width (cr, view->name_note) <= all_w;
    }
  *names_h = (k < 1 ? 3 * k + MIN (longest, NAME_MAX_W * k) + 4 * k
                    : MAX (60 * k, 3 * k + MIN (longest, NAME_MAX_W * k) + 4 * k))
             + (view->name_note != NULL && !view->note_on_key
                ? ov_draw_line_height (view->name_font) : 0);
  return view->bar_title_extra
         + (view->key_lines != NULL
            ? g_strv_length (view->key_lines) * ov_draw_line_height (afont (view, 9))
            : 0.0);
}

void
ov_align_view_set_shown_scale (OvAlignView *view, double scale)
{
  g_return_if_fail (view != NULL && scale > 0);
  view->shown = scale;
}

/* The plots and the bar charts are at least this many times the tick
 * labels' text high. */
#define MIN_CHART_LINES 5.0
/* A page smaller than the full size lays the figure out with text larger
 * than its size alone would give where the plots stay at least
 * ROOMY_PLOT_LINES and the bar charts ROOMY_BAR_LINES lines of that text
 * high; the factors tried are K_STEP apart. */
#define ROOMY_PLOT_LINES 10.0
#define ROOMY_BAR_LINES 6.0
#define K_STEP 0.025

/* The smallest text at factor k: READABLE_FONT where 9-point text is at
 * least that large, else OV_DRAW_MIN_FONT. */
static double
afont_floor (double k)
{
  return 9 * k >= READABLE_FONT - 1e-9 ? READABLE_FONT : OV_DRAW_MIN_FONT;
}

static gboolean
roomy (const OvAlignView *view)
{
  double line = ov_draw_line_height (afont (view, 9));

  return view->dist.area.height >= ROOMY_PLOT_LINES * line
         && view->bars[0].height >= ROOMY_BAR_LINES * line;
}

/* The value ticks of a plot of the height laid out: round values, four or
 * so, fewer on a short plot. A distance axis that does not start at 0
 * starts at a round value, the lowest tick, and is marked as broken. */
static void
axes_ticks (OvAlignView *view, OvAxes *ax)
{
  double font = afont (view, 9);
  int n_steps = CLAMP ((int) (ax->area.height / (3 * font)), 2, 4);

  ax->step = ov_draw_round_step (ax->ymax - ax->ymin, n_steps);
  ax->broken = FALSE;
  if (ax->step > 0 && ax->ymin > 0)
    {
      ax->ymin = floor (ax->ymin / ax->step + 1e-9) * ax->step;
      ax->broken = ax->ymin > 0;
    }
}

/* Top to bottom: the title, the two layer plots side by side with their
 * axes (their titles and the x axis's label in two lines where one is too
 * narrow for them), the legend (its rows wrap on a narrow figure), and the
 * bar charts with the class names under them, side by side, or with stack
 * one over the other where side by side they would be narrower than
 * STACK_BELOW_W; the plots get about 60 % of the height left after the
 * text (45 % with the charts stacked), the bars the rest, each at least
 * MIN_CHART_LINES lines of tick labels high. Text and distances are k
 * times those of the full size. Returns the height that takes, which is
 * more than height where the page is too small for it. */
static double
layout_at (OvAlignView *view, double width, double height, double k, gboolean stack)
{
  double gap = 0.0, top, pw, bw, rest, plot_h, bar_h, names_h, below, key_h, plot_title_h, min_h;
  guint rows, plot_title_lines = 1, n_rows;
  cairo_t *cr = ov_draw_measure_context ();

  view->width = width;
  view->height = height;
  view->k = k;
  view->min_font = afont_floor (k);
  axes_range (view, &view->dist, TRUE);
  axes_range (view, &view->nn, FALSE);
  bar_scale (view);
  view->one_layer = view->dist.first == view->dist.last;

  g_clear_pointer (&view->title_lines, g_strfreev);
  ov_draw_set_font (cr, 13 * k, TRUE);
  {
    g_autofree char *title = NULL;

    if (view->title != NULL)
      title = g_strdup (view->title);
    else if (view->one_layer)
      /* Translators: title of the alignment figure where the embeddings
       * hold a single layer, %d. */
      title = g_strdup_printf (_ ("Tag–region alignment at layer %d (one layer)"),
                               view->dist.first);
    else
      /* Translators: title of the alignment figure. */
      title = g_strdup (_ ("Tag–region alignment across layers"));
    view->title_lines = ov_draw_fit_title (cr, title, width - 16 * k, 13 * k,
                                           afont (view, 11), 2, &view->title_font);
  }
  /* without a title the plots' titles move up into its room, below the
   * margin it had above it */
  if (view->title_lines == NULL)
    top = 4 * k;
  else
    top = 34 * k + ov_draw_line_height (view->title_font)
                   * (g_strv_length (view->title_lines) - 1);
  pw = MAX (10.0, (width - 2 * GUTTER * k - RIGHT_MARGIN * k) / 2);

  /* the plots' titles over the plot and most of the gutters beside it,
   * smaller, then in two lines where that is not enough; both at one size */
  view->plot_title_font = afont (view, 11);
  for (guint i = 0; i < 2; i++)
    {
      double font;

      g_strfreev (view->plot_titles[i]);
      ov_draw_set_font (cr, afont (view, 11), TRUE);
      view->plot_titles[i] = ov_draw_fit_title (cr, plot_title (i), pw + 0.8 * GUTTER * k,
                                                afont (view, 11), view->min_font, 2,
                                                &font);
      view->plot_title_font = MIN (view->plot_title_font, font);
      plot_title_lines = MAX (plot_title_lines, g_strv_length (view->plot_titles[i]));
    }
  for (guint i = 0; i < 2; i++)
    if (g_strv_length (view->plot_titles[i]) < plot_title_lines)
      {
        /* the other title's lines decide the size of both */
        g_strfreev (view->plot_titles[i]);
        ov_draw_set_font (cr, view->plot_title_font, TRUE);
        view->plot_titles[i] = ov_draw_fit_title (cr, plot_title (i), pw + 0.8 * GUTTER * k,
                                                  view->plot_title_font,
                                                  view->plot_title_font, 2, NULL);
      }
  plot_title_h = ov_draw_line_height (view->plot_title_font) * (plot_title_lines - 1);
  view->dist.area = (OvRect) { GUTTER * k, top + 20 * k + plot_title_h, pw, 0 };
  view->nn.area = (OvRect) { GUTTER * k + pw + GUTTER * k, top + 20 * k + plot_title_h, pw, 0 };

  /* the x axis's label under each plot within the same width as its
   * title, so that the two stay apart */
  g_clear_pointer (&view->xlabel_lines, g_strfreev);
  ov_draw_set_font (cr, afont (view, 9), FALSE);
  /* Translators: the x axis of the alignment figure's plots: hidden state
   * 0 is the embedding layer's output. */
  view->xlabel_lines = ov_draw_fit_title (cr, _ ("layer (0 = embeddings)"),
                                          pw + 0.8 * GUTTER * k, afont (view, 9),
                                          view->min_font, 2, &view->xlabel_font);

  bw = MAX (10.0, (width - GUTTER * k - (BAR_GAP * k) * (view->n - 1) - RIGHT_MARGIN * k)
                  / view->n);
  /* two charts too narrow side by side for their bars and titles: one
   * over the other, as wide as the page */
  view->stacked = stack && view->n > 1 && bw < STACK_BELOW_W;
  view->shared_names = FALSE;
  if (view->stacked)
    bw = MAX (10.0, width - GUTTER * k - RIGHT_MARGIN * k);
  key_h = layout_bar_text (view, cr, bw, &names_h);
  rows = legend_pass (cr, view, GUTTER * k, 0, FALSE);
  /* from a plot's foot to the bars' top: tick labels, the axis label, the
   * legend, the bars' key where it has a line of its own and the bar
   * charts' titles */
  below = 44 * k + ov_draw_line_height (view->xlabel_font)
                   * (g_strv_length (view->xlabel_lines) - 1)
          + (rows - 1) * LEGEND_ROW * k + 40 * k + key_h;
  n_rows = view->stacked ? view->n : 1;
  if (view->stacked)
    {
      /* between the charts: the upper one's class names unless they are
       * those of the lower one, and the lower one's title */
      view->shared_names = same_bar_classes (view);
      gap = (view->shared_names ? 4 * k : names_h) + 16 * k
            + ov_draw_line_height (view->bar_title_font) + view->bar_title_extra;
    }
  rest = height - view->dist.area.y - below - names_h - (n_rows - 1) * gap;
  min_h = MIN_CHART_LINES * afont (view, 9);
  /* one layer: the plots show a point each, the bars get more of the page */
  plot_h = MAX ((view->one_layer ? 0.4 : view->stacked ? 0.45 : 0.615) * rest, min_h);
  bar_h = (rest - plot_h) / n_rows;
  if (bar_h < min_h)
    {
      bar_h = min_h;
      plot_h = MAX (rest - n_rows * bar_h, min_h);
    }
  view->dist.area.height = view->nn.area.height = plot_h;
  view->legend_y = view->dist.area.y + plot_h + below - 40 * k - key_h
                   - (rows - 1) * LEGEND_ROW * k;
  view->key_y = view->legend_y + (rows - 1) * LEGEND_ROW * k + 8 * k;
  for (guint m = 0; m < view->n; m++)
    view->bars[m] = view->stacked
                    ? (OvRect) { GUTTER * k, view->dist.area.y + plot_h + below
                                             + m * (bar_h + gap), bw, bar_h }
                    : (OvRect) { GUTTER * k + m * (bw + BAR_GAP * k),
                                 view->dist.area.y + plot_h + below, bw, bar_h };
  axes_ticks (view, &view->dist);
  axes_ticks (view, &view->nn);
  cairo_destroy (cr);
  return view->dist.area.y + plot_h + below + n_rows * bar_h + (n_rows - 1) * gap + names_h;
}

/* Lays the figure out for width x height: with the largest text that
 * leaves the charts roomy, else with the page's own factor (stacked bar
 * charts only where they then fit); a page too small for it even
 * with the smallest text gets the layout of a larger page drawn smaller,
 * so that nothing overlaps or is cut: its text is then smaller than
 * OV_DRAW_MIN_FONT, a known shortcoming of pages under about 200 points. */
void
ov_align_view_layout (OvAlignView *view, double width, double height)
{
  double k_page = ov_draw_shrink (width * view->shown, height * view->shown,
                                  OV_ALIGN_FIGURE_WIDTH, OV_ALIGN_FIGURE_HEIGHT);

  view->scale = 1.0;
  /* A page smaller than the full size shrinks the text only as far as it
   * must: the largest factor, from the full size's down to the page's
   * own, at which the figure fits with its charts roomy. */
  for (double k = 1.0; k > k_page + K_STEP / 2; k -= K_STEP)
    if (layout_at (view, width, height, k, TRUE) <= height + 1e-6 && roomy (view))
      return;
  /* stacked bar charts only where they fit the page */
  if (layout_at (view, width, height, k_page, TRUE) <= height + 1e-6)
    return;
  for (int i = 0; i < 40; i++)
    {
      double k = ov_draw_shrink (width / view->scale * view->shown,
                                 height / view->scale * view->shown, OV_ALIGN_FIGURE_WIDTH,
                                 OV_ALIGN_FIGURE_HEIGHT);
      double need = layout_at (view, width / view->scale, height / view->scale, k, FALSE);

      if (need <= height / view->scale + 1e-6)
        break;
      view->scale = MAX (0.25, MIN (0.97 * view->scale,
                                    view->scale * height / (need * view->scale)));
    }
}

static double
ax_x (const OvAlignView *view, const OvAxes *ax, double layer)
{
  double pad = PLOT_PAD * view->k;

  return ax->area.x + pad
         + (layer - ax->lmin) / (double) (ax->lmax - ax->lmin) * (ax->area.width - 2 * pad);
}

static double
ax_y (const OvAlignView *view, const OvAxes *ax, double v)
{
  double pad = PLOT_PAD * view->k, foot = ax->broken ? 0.0 : pad;

  /* a broken axis's lowest tick lies on the frame's foot, as the bar
   * charts' does */
  return ax->area.y + ax->area.height - foot
         - (v - ax->ymin) / (ax->ymax - ax->ymin) * (ax->area.height - pad - foot);
}

/* The mark of an axis at x that does not start at 0, whose foot is at y:
 * two slanted strokes across it, alone, clear of the tick labels left of
 * it. */
static void
draw_break (cairo_t *cr, const OvAlignView *view, double x, double y0)
{
  double k = view->k;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  for (int j = 0; j < 2; j++)
    {
      double y = y0 - (8 + 5 * j) * k;

      ov_draw_use_ink (cr, OV_INK_BACKGROUND);
      cairo_rectangle (cr, x - 3 * k, y - 2.5 * k, 6 * k, 4 * k);
      cairo_fill (cr);
      ov_draw_use_ink (cr, OV_INK_TEXT);
      cairo_move_to (cr, x - 3 * k, y + 2 * k);
      cairo_line_to (cr, x + 3 * k, y - 2 * k);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

/* A vertical axis's label, reading upwards, centred on the axis's height
 * and right of it at right (left of the tick labels): in two lines where
 * one is longer than the axis, shortened only where two are not enough. */
static void
draw_y_label (cairo_t           *cr,
              const OvAlignView *view,
              const OvRect      *area,
              double             right,
              double             font,
              const char        *text)
{
  double size;
  g_auto(GStrv) lines = NULL;
  guint n;

  ov_draw_set_font (cr, font, FALSE);
  lines = ov_draw_fit_title (cr, text, MAX (area->height, 1.0), font, view->min_font, 2,
                             &size);
  n = g_strv_length (lines);
  ov_draw_set_font (cr, size, FALSE);
  for (guint i = 0; i < n; i++)
    ov_draw_text_vertical (cr, right - (n - i) * ov_draw_line_height (size),
                           area->y + area->height / 2, 0.5, 0.0, lines[i]);
}

static void
draw_axes (cairo_t *cr, OvAlignView *view, const OvAxes *ax, char **title_lines,
           const char *ylabel)
{
  double k = view->k, font = afont (view, 9), ticks_w = 0.0;
  double spacing = (ax->area.width - 2 * PLOT_PAD * k) / (ax->lmax - ax->lmin);
  int every = (ax->lmax - ax->lmin) > 12 ? 2 : 1;
  char buf[32];

  ov_draw_use_ink (cr, OV_INK_TEXT);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, ax->area.x, ax->area.y, ax->area.width, ax->area.height);
  cairo_stroke (cr);
  ov_draw_set_font (cr, view->plot_title_font, TRUE);
  for (guint i = 0, n = g_strv_length (title_lines); i < n; i++)
    ov_draw_text (cr, ax->area.x + ax->area.width / 2,
                  ax->area.y - 4 * k - (n - 1 - i) * ov_draw_line_height (view->plot_title_font),
                  0.5, 1.0, title_lines[i]);
  ov_draw_set_font (cr, font, FALSE);
  {
    /* round values (axes_ticks); a tick's value is written only where it
     * stays clear of the one written before it, the lowest always */
    double step = ax->step;
    double last_y = G_MAXDOUBLE;

    for (double v = step > 0 ? ceil (ax->ymin / step - 1e-9) * step : ax->ymin;
         v <= ax->ymax + step * 1e-9; v += step > 0 ? step : G_MAXDOUBLE)
      {
        double y = ax_y (view, ax, v);

        g_snprintf (buf, sizeof buf, "%.3g", fabs (v) < 1e-12 ? 0.0 : v);
        cairo_move_to (cr, ax->area.x - 3 * k, y);
        cairo_line_to (cr, ax->area.x, y);
        cairo_stroke (cr);
        if (fabs (last_y - y) < 1.2 * font)
          continue;
        ov_draw_text (cr, ax->area.x - 5 * k, y, 1.0, 0.5, buf);
        ticks_w = MAX (ticks_w, ov_draw_text_width (cr, buf));
        last_y = y;
      }
  }
  /* every layer there are data for labelled where the labels stay apart */
  g_snprintf (buf, sizeof buf, "%d", MAX (ABS (ax->lmin), ABS (ax->lmax)));
  /* a plot narrower than its padding has no room at all: the first layer
   * alone is named (spacing is then 0 or less, or not a number) */
  while (every < ax->lmax - ax->lmin
         && !(every * spacing >= ov_draw_text_width (cr, buf) + 2 * font))
    every++;
  for (int l = ax->first; l <= ax->last; l++)
    {
      double x = ax_x (view, ax, l);

      if ((l - ax->first) % every != 0)
        continue;
      g_snprintf (buf, sizeof buf, "%d", l);
      cairo_move_to (cr, x, ax->area.y + ax->area.height);
      cairo_line_to (cr, x, ax->area.y + ax->area.height + 3 * k);
      cairo_stroke (cr);
      ov_draw_text (cr, x, ax->area.y + ax->area.height + 5 * k, 0.5, 0.0, buf);
    }
  ov_draw_set_font (cr, view->xlabel_font, FALSE);
  for (guint i = 0; view->xlabel_lines != NULL && view->xlabel_lines[i] != NULL; i++)
    ov_draw_text (cr, ax->area.x + ax->area.width / 2,
                  ax->area.y + ax->area.height + 18 * k
                  + i * ov_draw_line_height (view->xlabel_font), 0.5, 0.0,
                  view->xlabel_lines[i]);
  if (ax->broken)
    draw_break (cr, view, ax->area.x, ax->area.y + ax->area.height);
  draw_y_label (cr, view, &ax->area, ax->area.x - 7 * k - ticks_w, font, ylabel);
}

typedef double (*SeriesGetter) (const OvAlignLayer *l);

static double get_intra (const OvAlignLayer *l) { return l->intra_mean; }
static double get_inter (const OvAlignLayer *l) { return l->inter_mean; }
static double get_nnd (const OvAlignLayer *l) { return l->nn_dataset_rate; }
static double get_nni (const OvAlignLayer *l) { return l->nn_image_rate; }
static double get_nnd_chance (const OvAlignLayer *l) { return l->nn_dataset_chance; }
static double get_nni_chance (const OvAlignLayer *l) { return l->nn_image_chance; }

typedef enum { MARK_NONE, MARK_CIRCLE, MARK_SQUARE, MARK_TRIANGLE, MARK_DIAMOND } Mark;

/* Every series has its own line and its own marker, so that two series
 * that lie on top of each other (intra and inter distances of a model that
 * did not align) still show both, and the legend names each unambiguously.
 * The two chance levels are thinner, without markers, one dotted and one
 * dash-dotted, unlike the dashed measured series of the same image. */
static const struct {
  const char  *name;
  SeriesGetter get;
  gboolean     distances;
  double       dash[4];     /* on, off, on, off; none when dash[0] is 0 */
  double       width;
  Mark         mark;
} series[] = {
  /* Translators: the series of the alignment figure's legend: mean
   * distance from a region to the tags of its own class, of the other
   * classes; share of regions whose nearest tag (among all, among those of
   * its image) has its class, and those shares for shuffled tags. */
  { N_ ("intra (own tag)"), get_intra, TRUE, { 0 }, 1.8, MARK_CIRCLE },
  { N_ ("inter (other tags)"), get_inter, TRUE, { 6, 3, 6, 3 }, 1.8, MARK_SQUARE },
  { N_ ("nearest tag, whole set"), get_nnd, FALSE, { 0 }, 1.8, MARK_TRIANGLE },
  { N_ ("nearest tag, same image"), get_nni, FALSE, { 6, 3, 6, 3 }, 1.8, MARK_DIAMOND },
  { N_ ("chance, whole set"), get_nnd_chance, FALSE, { 1.4, 2.4, 1.4, 2.4 }, 1.4, MARK_NONE },
  { N_ ("chance, same image"), get_nni_chance, FALSE, { 8, 3, 2, 3 }, 1.4, MARK_NONE },
};

/* Series s's line width and dashes, k times those of a full-size figure. */
static void
use_series_pen (cairo_t *cr, guint s, double k)
{
  double dash[4];

  for (int i = 0; i < 4; i++)
    dash[i] = series[s].dash[i] * k;
  cairo_set_line_width (cr, series[s].width * k);
  cairo_set_dash (cr, dash, series[s].dash[0] > 0 ? 4 : 0, 0);
}

static void
add_mark (cairo_t *cr, Mark mark, double x, double y, double k)
{
  double r = 3.2 * k;

  cairo_new_sub_path (cr);
  switch (mark)
    {
    case MARK_CIRCLE:
      cairo_arc (cr, x, y, r * 0.85, 0, 2 * G_PI);
      break;
    case MARK_SQUARE:
      cairo_rectangle (cr, x - r * 0.8, y - r * 0.8, 1.6 * r, 1.6 * r);
      break;
    case MARK_TRIANGLE:
      cairo_move_to (cr, x, y - r);
      cairo_line_to (cr, x + r, y + r * 0.8);
      cairo_line_to (cr, x - r, y + r * 0.8);
      cairo_close_path (cr);
      break;
    case MARK_DIAMOND:
      cairo_move_to (cr, x, y - r);
      cairo_line_to (cr, x + r, y);
      cairo_line_to (cr, x, y + r);
      cairo_line_to (cr, x - r, y);
      cairo_close_path (cr);
      break;
    case MARK_NONE:
    default:
      break;
    }
}

/* Without colour, the models differ in their markers: the first model's
 * are filled, the second's hollow (an outline, a little larger, around
 * the ground's colour), so that a filled marker on the same point shows
 * inside it. In a figure of two models the chance levels, which have no
 * marker of their own, get small round ones for that. */
#define HOLLOW_SIZE 1.3
#define CHANCE_MARK_SIZE 0.55

static Mark
series_mark (const OvAlignView *view, guint s, double *size)
{
  *size = 1.0;
  if (series[s].mark == MARK_NONE && view->n > 1)
    {
      *size = CHANCE_MARK_SIZE;
      return MARK_CIRCLE;
    }
  return series[s].mark;
}

/* The path of the markers added since the last fill drawn as model m's:
 * filled, or hollow for the second of two models. */
static void
finish_marks (cairo_t *cr, const OvAlignView *view, guint m)
{
  if (m == 0 || view->n < 2)
    {
      cairo_fill (cr);
      return;
    }
  cairo_save (cr);
  ov_draw_use_ink (cr, OV_INK_BACKGROUND);
  cairo_fill_preserve (cr);
  cairo_restore (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  cairo_set_line_width (cr, 1.2 * view->k);
  cairo_stroke (cr);
}

static void
draw_series (cairo_t *cr, OvAlignView *view)
{
  /* the lines of every model, then the markers over them, the hollow ones
   * first */
  for (guint m = 0; m < view->n; m++)
    for (guint s = 0; s < G_N_ELEMENTS (series); s++)
      {
        const OvAxes *ax = series[s].distances ? &view->dist : &view->nn;
        const OvAlignment *a = view->models[m];
        gboolean pen_down = FALSE;

        cairo_set_source_rgb (cr, model_colors[m].r, model_colors[m].g, model_colors[m].b);
        use_series_pen (cr, s, view->k);
        for (guint k = 0; k < a->n_layers; k++)
          {
            double v = series[s].get (&a->layers[k]);
            double x = ax_x (view, ax, a->layers[k].layer), y;

            if (isnan (v))
              {
                pen_down = FALSE;
                continue;
              }
            y = ax_y (view, ax, v);
            if (pen_down)
              cairo_line_to (cr, x, y);
            else
              cairo_move_to (cr, x, y);
            pen_down = TRUE;
          }
        cairo_stroke (cr);
        cairo_set_dash (cr, NULL, 0, 0);
        /* a point with no neighbour to draw a line to (one layer, or gaps
         * on both sides) and no marker: a short stroke of the series' pen,
         * so that every series of the legend shows */
        if (series[s].mark != MARK_NONE)
          continue;
        use_series_pen (cr, s, view->k);
        for (guint k = 0; k < a->n_layers; k++)
          {
            double v = series[s].get (&a->layers[k]), x, y, half = LEGEND_LINE * view->k / 2;
            gboolean alone = !isnan (v)
                             && (k == 0 || isnan (series[s].get (&a->layers[k - 1])))
                             && (k + 1 == a->n_layers
                                 || isnan (series[s].get (&a->layers[k + 1])));

            if (!alone)
              continue;
            x = ax_x (view, ax, a->layers[k].layer);
            y = ax_y (view, ax, v);
            half = MIN (half, ax->area.width / 2);
            cairo_move_to (cr, MAX (ax->area.x, x - half), y);
            cairo_line_to (cr, MIN (ax->area.x + ax->area.width, x + half), y);
          }
        cairo_stroke (cr);
        cairo_set_dash (cr, NULL, 0, 0);
      }
  for (guint m = view->n; m-- > 0;)
    for (guint s = 0; s < G_N_ELEMENTS (series); s++)
      {
        const OvAxes *ax = series[s].distances ? &view->dist : &view->nn;
        const OvAlignment *a = view->models[m];
        double size;
        Mark mark = series_mark (view, s, &size);

        if (mark == MARK_NONE)
          continue;
        if (m > 0)
          size *= HOLLOW_SIZE;
        cairo_set_source_rgb (cr, model_colors[m].r, model_colors[m].g, model_colors[m].b);
        for (guint k = 0; k < a->n_layers; k++)
          {
            double v = series[s].get (&a->layers[k]);

            if (isnan (v))
              continue;
            add_mark (cr, mark, ax_x (view, ax, a->layers[k].layer), ax_y (view, ax, v),
                      view->k * size);
          }
        finish_marks (cr, view, m);
      }
}

/* The legend from (x0, y), the middle of its first row: the models, then
 * the series, each row wrapped at the figure's right margin; draws it
 * when draw is set and returns its rows. */
static guint
legend_pass (cairo_t *cr, OvAlignView *view, double x0, double y, gboolean draw)
{
  double k = view->k, x = x0, right = view->width - 8 * k, row = LEGEND_ROW * k;
  guint rows = 1;
  /* measured as the layout measured them, whatever cr's scale, so that the
   * rows break where the layout made room for them */
  cairo_t *mcr = ov_draw_measure_context ();

  ov_draw_set_font (cr, afont (view, 9), FALSE);
  ov_draw_set_font (mcr, afont (view, 9), FALSE);
  /* one model: its name is over its bar chart, its colour that of every
   * series; no row of its own */
  for (guint m = 0; m < view->n && view->n > 1; m++)
    {
      const char *label = view->models[m]->label;
      g_autofree char *shown = ov_draw_ellipsize (mcr, label, right - x0 - 18 * k);
      double w = 18 * k + ov_draw_text_width (mcr, shown);

      if (x > x0 && x + w > right)
        {
          x = x0;
          y += row;
          rows++;
        }
      if (draw)
        {
          /* the model's colour and its markers: filled, hollow */
          cairo_set_source_rgb (cr, model_colors[m].r, model_colors[m].g, model_colors[m].b);
          cairo_set_line_width (cr, 1.8 * k);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x + 14 * k, y);
          cairo_stroke (cr);
          add_mark (cr, MARK_CIRCLE, x + 7 * k, y, k * (m > 0 ? HOLLOW_SIZE : 1.0));
          finish_marks (cr, view, m);
          ov_draw_use_ink (cr, OV_INK_TEXT);
          ov_draw_text (cr, x + 18 * k, y, 0.0, 0.5, shown);
        }
      x += w + 8 * k;
    }
  if (view->n > 1)
    {
      x = x0;
      y += row;
      rows++;
    }
  for (guint s = 0; s < G_N_ELEMENTS (series); s++)
    {
      double line = LEGEND_LINE * k;
      g_autofree char *name = ov_draw_ellipsize (mcr, _ (series[s].name), right - x0 - line);
      double w = line + 4 * k + ov_draw_text_width (mcr, name);

      /* A narrow figure (the window's side panel, a paper's column) wraps
       * the entries. */
      if (x > x0 && x + w > right)
        {
          x = x0;
          y += row;
          rows++;
        }
      if (draw)
        {
          ov_draw_use_grey (cr, 0.2, 1.0);
          use_series_pen (cr, s, k);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x + line, y);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
          {
            double size;
            Mark mark = series_mark (view, s, &size);

            add_mark (cr, mark, x + line / 2, y, k * size);
          }
          cairo_fill (cr);
          ov_draw_text (cr, x + line + 4 * k, y, 0.0, 0.5, name);
        }
      x += w + 8 * k;
    }
  cairo_destroy (mcr);
  return rows;
}

/* The left axis of a bar chart with round ticks (grid: light lines behind
 * the bars at the ticks, drawn first); an axis that does not start at 0 is
 * broken by two slanted strokes near its foot, and its lowest tick says
 * where it starts. */
static void
draw_bar_axis (cairo_t *cr, OvAlignView *view, OvRect r, gboolean grid, gboolean label)
{
  double range = view->bar_hi - view->bar_lo, step = view->bar_step, k = view->k;
  double font = afont (view, 8), ticks_w = 0.0;
  /* every tick labelled where the labels stay apart */
  int every = step > 0 && range > 0 ? (int) ceil (1.5 * font / (step / range * r.height)) : 1;
  char buf[32];
  int i = 0;

  cairo_set_line_width (cr, 1);
  ov_draw_set_font (cr, font, FALSE);
  for (double v = view->bar_lo; step > 0 && v <= view->bar_hi + step * 1e-6; v += step, i++)
    {
      double y = r.y + r.height - (v - view->bar_lo) / range * r.height;

      if (grid)
        {
          ov_draw_use_grey (cr, 0.88, 1.0);
          cairo_move_to (cr, r.x, y);
          cairo_line_to (cr, r.x + r.width, y);
          cairo_stroke (cr);
          continue;
        }
      ov_draw_use_ink (cr, OV_INK_TEXT);
      cairo_move_to (cr, r.x - 3 * k, y);
      cairo_line_to (cr, r.x, y);
      cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, "%.3g", fabs (v) < step * 1e-6 ? 0.0 : v);
      if (i % MAX (every, 1) == 0)
        {
          ov_draw_text (cr, r.x - 5 * k, y, 1.0, 0.5, buf);
          ticks_w = MAX (ticks_w, ov_draw_text_width (cr, buf));
        }
    }
  if (grid)
    return;
  cairo_move_to (cr, r.x, r.y);
  cairo_line_to (cr, r.x, r.y + r.height);
  cairo_stroke (cr);
  if (view->bar_lo > 0)
    draw_break (cr, view, r.x, r.y + r.height);
  if (label)
    draw_y_label (cr, view, &r, r.x - 7 * k - ticks_w, font, distance_label (view));
}

static void
draw_bars (cairo_t *cr, OvAlignView *view, guint m)
{
  const OvAlignment *a = view->models[m];
  const OvAlignLayer *l = &a->layers[a->n_layers - 1];
  OvRect r = view->bars[m];
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (guint));
  double range = view->bar_hi - view->bar_lo, slot, k = view->k;
  double name_font = view->name_font;

  bar_classes (a, shown);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  ov_draw_set_font (cr, view->bar_title_font, TRUE);
  for (guint i = 0, n = g_strv_length (view->bar_titles[m]); i < n; i++)
    {
      g_autofree char *t = ov_draw_ellipsize (cr, view->bar_titles[m][i], r.width);

      ov_draw_text (cr, r.x,
                    r.y - 12 * k - (n - 1 - i) * ov_draw_line_height (view->bar_title_font),
                    0.0, 1.0, t);
    }
  if (shown->len == 0 || !(range > 0))
    return;
  draw_bar_axis (cr, view, r, TRUE, FALSE);
  slot = r.width / shown->len;
  ov_draw_set_font (cr, name_font, FALSE);
  for (guint i = 0; i < shown->len; i++)
    {
      guint c = g_array_index (shown, guint, i);
      double bw = MAX (1.0, slot * 0.4);
      OvColor col = ov_palette_color (view->palette, a->class_names[c]);

      for (int j = 0; j < 2; j++)
        {
          double v = j == 0 ? l->intra[c] : l->inter[c];
          double hgt = (v - view->bar_lo) / range * r.height;

          if (isnan (v))
            continue;
          /* own tag solid, other tags light */
          cairo_set_source_rgba (cr, col.r, col.g, col.b, j == 0 ? 1.0 : 0.35);
          cairo_rectangle (cr, r.x + i * slot + slot * 0.1 + j * bw, r.y + r.height - hgt, bw,
                           hgt);
          cairo_fill (cr);
        }
      if (i % view->name_step == 0 && !(view->shared_names && m + 1 < view->n))
        {
          g_autofree char *name = NULL;

          ov_draw_use_ink (cr, OV_INK_TEXT);
          name = ov_draw_ellipsize (cr, a->class_names[c], NAME_MAX_W * k);
          ov_draw_text_vertical (cr, r.x + (i + 0.5) * slot, r.y + r.height + 3 * k, 1.0, 0.5,
                                 name);
        }
    }
  ov_draw_use_ink (cr, OV_INK_TEXT);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, r.x, r.y + r.height);
  cairo_line_to (cr, r.x + r.width, r.y + r.height);
  cairo_stroke (cr);
  draw_bar_axis (cr, view, r, FALSE, m == 0 || view->stacked);
  /* under the last chart's right end, every how many classes is named */
  if (view->name_note != NULL && m == view->n - 1)
    {
      ov_draw_set_font (cr, name_font, FALSE);
      ov_draw_use_ink (cr, OV_INK_DIM);
      if (view->note_on_key)
        ov_draw_text (cr, r.x + r.width,
                      view->key_y + (g_strv_length (view->key_lines) - 1)
                                    * ov_draw_line_height (afont (view, 9)),
                      1.0, 0.0, view->name_note);
      else
        ov_draw_text (cr, r.x + r.width, view->height - 4 * k, 1.0, 1.0, view->name_note);
    }
}

void
ov_align_view_draw (OvAlignView *view, cairo_t *cr)
{
  cairo_save (cr);
  cairo_scale (cr, view->scale, view->scale);
  ov_draw_use_ink (cr, OV_INK_TEXT);
  ov_draw_set_font (cr, view->title_font, TRUE);
  for (guint i = 0; view->title_lines != NULL && view->title_lines[i] != NULL; i++)
    ov_draw_text (cr, view->width / 2, 4 * view->k + i * ov_draw_line_height (view->title_font),
                  0.5, 0.0, view->title_lines[i]);
  /* Translators: the y axes of the alignment figure's plots. */
  draw_axes (cr, view, &view->dist, view->plot_titles[0], distance_label (view));
  draw_axes (cr, view, &view->nn, view->plot_titles[1], _ ("share of regions"));
  draw_series (cr, view);
  legend_pass (cr, view, GUTTER * view->k, view->legend_y, TRUE);
  ov_draw_set_font (cr, afont (view, 9), FALSE);
  for (guint i = 0; view->key_lines != NULL && view->key_lines[i] != NULL; i++)
    ov_draw_text (cr, GUTTER * view->k,
                  view->key_y + i * ov_draw_line_height (afont (view, 9)), 0.0,
                  0.0, view->key_lines[i]);
  for (guint m = 0; m < view->n; m++)
    draw_bars (cr, view, m);
  cairo_restore (cr);
}

gboolean
ov_align_view_hit (OvAlignView *view, double x, double y, guint *model, int *layer,
                   const char **series_name, double *value)
{
  double best = 8.0;
  gboolean found = FALSE;

  /* the layout's units: a small page draws a larger layout scaled down */
  x /= view->scale;
  y /= view->scale;

  for (guint m = 0; m < view->n; m++)
    for (guint s = 0; s < G_N_ELEMENTS (series); s++)
      {
        const OvAxes *ax = series[s].distances ? &view->dist : &view->nn;
        const OvAlignment *a = view->models[m];

        for (guint k = 0; k < a->n_layers; k++)
          {
            double v = series[s].get (&a->layers[k]);
            double d;

            if (isnan (v))
              continue;
            d = hypot (ax_x (view, ax, a->layers[k].layer) - x, ax_y (view, ax, v) - y);
            if (d < best)
              {
                best = d;
                found = TRUE;
                *model = m;
                *layer = a->layers[k].layer;
                *series_name = _ (series[s].name);
                *value = v;
              }
          }
      }
  return found;
}

void
ov_align_view_paint (cairo_t *cr, double width, double height, gpointer view)
{
  ov_align_view_layout (view, width, height);
  ov_align_view_draw (view, cr);
}
