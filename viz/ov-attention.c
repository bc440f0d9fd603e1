/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Head selection, rollout, flow summary and caption rows over attention
 * probabilities. Sums run in double: a 178-token rollout over 12 layers
 * multiplies a dozen row-stochastic matrices, and float sums would drift
 * away from rows that add to one.
 */
#define G_LOG_DOMAIN "ov-attention"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "ov-attention.h"

gboolean
ov_attention_parse_head (const char *text, int *head)
{
  char *end = NULL;
  gint64 v;

  g_return_val_if_fail (head != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (text, "mean") == 0)
    {
      *head = OV_ATTENTION_MEAN;
      return TRUE;
    }
  if (g_ascii_strcasecmp (text, "rollout") == 0)
    {
      *head = OV_ATTENTION_ROLLOUT;
      return TRUE;
    }
  v = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0' || v < 0 || v > G_MAXINT)
    return FALSE;
  *head = (int) v;
  return TRUE;
}

/* mean over heads of one layer, in double: (A, S, S) -> (S, S) */
static void
head_mean (const float *att_l, int n_heads, int seq_len, double *out)
{
  gsize ss = (gsize) seq_len * seq_len;

  memset (out, 0, ss * sizeof (double));
  for (int a = 0; a < n_heads; a++)
    {
      const float *att_a = att_l + (gsize) a * ss;

      for (gsize k = 0; k < ss; k++)
        out[k] += att_a[k];
    }
  for (gsize k = 0; k < ss; k++)
    out[k] /= n_heads;
}

/* Rollout through layers 0..last_layer; out (S, S) gets R_last when not
 * NULL, and rows (last_layer + 1, S) gets row `query` of every R_l on the
 * way when not NULL. */
static void
rollout (const float *const *attentions,
         int                 n_heads,
         int                 seq_len,
         int                 last_layer,
         float              *out,
         int                 query,
         float              *rows)
{
  gsize S = seq_len, ss = S * S;
  g_autofree double *b = g_new (double, ss);      /* B_l (S, S) */
  g_autofree double *r = g_new0 (double, ss);     /* R_(l-1) (S, S) */
  g_autofree double *next = g_new (double, ss);

  for (gsize i = 0; i < S; i++)
    r[i * S + i] = 1.0;
  for (int l = 0; l <= last_layer; l++)
    {
      /* pass 1: B_l = row-normalised 0.5 M_l + 0.5 I */
      head_mean (attentions[l], n_heads, seq_len, b);
      for (gsize i = 0; i < S; i++)
        {
          double *b_i = b + i * S;
          double sum = 0.0;

          for (gsize j = 0; j < S; j++)
            {
              b_i[j] = 0.5 * b_i[j] + (i == j ? 0.5 : 0.0);
              sum += b_i[j];
            }
          for (gsize j = 0; j < S; j++)
            b_i[j] /= sum;
        }
      /* pass 2: R_l = B_l R_(l-1) */
      for (gsize i = 0; i < S; i++)
        {
          const double *b_i = b + i * S;
          double *next_i = next + i * S;

          memset (next_i, 0, S * sizeof (double));
          for (gsize k = 0; k < S; k++)
            {
              const double *r_k = r + k * S;
              double w = b_i[k];

              if (w == 0.0)
                continue;
              for (gsize j = 0; j < S; j++)
                next_i[j] += w * r_k[j];
            }
        }
      memcpy (r, next, ss * sizeof (double));
      if (rows != NULL)
        for (gsize j = 0; j < S; j++)
          rows[(gsize) l * S + j] = (float) r[(gsize) query * S + j];
    }
  if (out != NULL)
    for (gsize k = 0; k < ss; k++)
      out[k] = (float) r[k];
}

void
ov_attention_rollout (const float *const *attentions,
                      int                 n_heads,
                      int                 seq_len,
                      int                 last_layer,
                      float              *out)
{
  g_return_if_fail (attentions != NULL && out != NULL && n_heads > 0 && seq_len > 0);

  rollout (attentions, n_heads, seq_len, last_layer, out, 0, NULL);
}

void
ov_attention_query_rows (const float *const *attentions,
                         int                 n_layers,
                         int                 n_heads,
                         int                 seq_len,
                         int                 query,
                         float              *rows)
{
  gsize S = seq_len, width = (gsize) (n_heads + 2) * S;
  g_autofree float *rolled = g_new (float, (gsize) n_layers * S);

  g_return_if_fail (attentions != NULL && rows != NULL && n_heads > 0 && seq_len > 0);
  g_return_if_fail (query >= 0 && query < seq_len);

  rollout (attentions, n_heads, seq_len, n_layers - 1, NULL, query, rolled);
  for (int l = 0; l < n_layers; l++)
    {
      float *out = rows + l * width;
      float *mean = out + (gsize) n_heads * S;

      for (int a = 0; a < n_heads; a++)
        {
          const float *row = attentions[l] + ((gsize) a * S + query) * S;

          memcpy (out + (gsize) a * S, row, S * sizeof (float));
        }
      /* the mean as ov_attention_select makes it: summed in doubles */
      for (gsize j = 0; j < S; j++)
        {
          double sum = 0.0;

          for (int a = 0; a < n_heads; a++)
            sum += attentions[l][((gsize) a * S + query) * S + j];
          mean[j] = (float) (sum / n_heads);
        }
      memcpy (out + (gsize) (n_heads + 1) * S, rolled + (gsize) l * S, S * sizeof (float));
    }
}

float *
ov_attention_select (const float *const *attentions,
                     int                 n_layers,
                     int                 n_heads,
                     int                 seq_len,
                     int                 layer,
                     int                 head,
                     GError            **error)
{
  gsize ss = (gsize) seq_len * seq_len;
  float *out;

  g_return_val_if_fail (attentions != NULL, NULL);

  if (layer < 0 || layer >= n_layers)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("layer %d does not exist: the model has layers 0 to %d"),
                   layer, n_layers - 1);
      return NULL;
    }
  if (head >= n_heads || head < OV_ATTENTION_ROLLOUT)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("head %d does not exist: the model has heads 0 to %d"), head, n_heads - 1);
      return NULL;
    }
  for (int l = 0; l <= layer; l++)
    if (attentions[l] == NULL)
      {
        g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                     _ ("the attentions of layer %d were not computed"), l);
        return NULL;
      }

  out = g_new (float, ss);
  if (head >= 0)
    memcpy (out, attentions[layer] + (gsize) head * ss, ss * sizeof (float));
  else if (head == OV_ATTENTION_MEAN)
    {
      g_autofree double *mean = g_new (double, ss);

      head_mean (attentions[layer], n_heads, seq_len, mean);
      for (gsize k = 0; k < ss; k++)
        out[k] = (float) mean[k];
    }
  else
    ov_attention_rollout (attentions, n_heads, seq_len, layer, out);
  return out;
}

const char *
ov_flow_group_name (OvFlowGroup group)
{
  switch (group)
    {
    case OV_FLOW_WORDS: return "words";
    case OV_FLOW_TAGS: return "tags";
    case OV_FLOW_REGIONS: return "regions";
    case OV_FLOW_N_GROUPS:
    default: return "other";
    }
}

OvFlowGroup
ov_flow_group_of (OvSegment segment)
{
  switch (segment)
    {
    case OV_SEGMENT_WORD: return OV_FLOW_WORDS;
    case OV_SEGMENT_TAG: return OV_FLOW_TAGS;
    case OV_SEGMENT_REGION: return OV_FLOW_REGIONS;
    case OV_SEGMENT_SPECIAL:
    case OV_SEGMENT_PAD:
    default: return OV_FLOW_N_GROUPS;
    }
}

void
ov_attention_flow (const float     *matrix,
                   const OvSegment *segments,
                   int              seq_len,
                   double           flow[OV_FLOW_N_GROUPS][OV_FLOW_N_GROUPS],
                   int              n_rows[OV_FLOW_N_GROUPS])
{
  int counts[OV_FLOW_N_GROUPS] = { 0 };

  g_return_if_fail (matrix != NULL && segments != NULL);

  memset (flow, 0, sizeof (double) * OV_FLOW_N_GROUPS * OV_FLOW_N_GROUPS);
  for (int i = 0; i < seq_len; i++)
    {
      OvFlowGroup q = ov_flow_group_of (segments[i]);
      const float *row_i = matrix + (gsize) i * seq_len;
      double mass[OV_FLOW_N_GROUPS] = { 0 };

      if (q == OV_FLOW_N_GROUPS)
        continue;
      for (int j = 0; j < seq_len; j++)
        {
          OvFlowGroup k = ov_flow_group_of (segments[j]);

          if (k != OV_FLOW_N_GROUPS)
            mass[k] += row_i[j];
        }
      for (int k = 0; k < OV_FLOW_N_GROUPS; k++)
        flow[q][k] += mass[k];
      counts[q]++;
    }
  for (int q = 0; q < OV_FLOW_N_GROUPS; q++)
    {
      for (int k = 0; k < OV_FLOW_N_GROUPS; k++)
        flow[q][k] = counts[q] > 0 ? flow[q][k] / counts[q] : NAN;
      if (n_rows != NULL)
        n_rows[q] = counts[q];
    }
}

double
ov_attention_flow_cross_share (const double flow[OV_FLOW_N_GROUPS][OV_FLOW_N_GROUPS])
{
  double sum = 0.0;
  int n = 0;

  for (int q = 0; q < OV_FLOW_N_GROUPS; q++)
    {
      double total = 0.0;

      if (isnan (flow[q][0]))
        continue;
      for (int k = 0; k < OV_FLOW_N_GROUPS; k++)
        total += flow[q][k];
      if (total <= 0.0)
        continue;
      sum += (total - flow[q][q]) / total;
      n++;
    }
  return n > 0 ? sum / n : NAN;
}

float *
ov_attention_difference (const float *before,
                         int          before_len,
                         const float *after,
                         int          after_len,
                         GError     **error)
{
  gsize ss;
  float *out;

  g_return_val_if_fail (before != NULL && after != NULL, NULL);

  if (before_len != after_len)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("cannot compare attention maps of %d and %d tokens: the inputs differ "
                      "in length"), before_len, after_len);
      return NULL;
    }
  ss = (gsize) after_len * after_len;
  out = g_new (float, ss);
  for (gsize k = 0; k < ss; k++)
    out[k] = after[k] - before[k];
  return out;
}

int
ov_attention_region_position (const OvSegment *segments,
                              int              seq_len,
                              int              k)
{
  for (int i = 0; i < seq_len; i++)
    if (segments[i] == OV_SEGMENT_REGION && k-- == 0)
      return i;
  return -1;
}

/* Pairs the positions of kind `kind` of a with those of b as the longest
 * common subsequence of their labels; by slot (first with first) when
 * by_slot and the two have as many. */
static void
match_kind (OvSegment          kind,
            const OvSegment   *seg_a,
            const char *const *lab_a,
            int                na,
            const OvSegment   *seg_b,
            const char *const *lab_b,
            int                nb,
            gboolean           by_slot,
            int               *map)
{
  g_autoptr(GArray) ta = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) tb = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree int *lcs = NULL;
  int m, n;

  for (int i = 0; i < na; i++)
    if (seg_a[i] == kind)
      g_array_append_val (ta, i);
  for (int j = 0; j < nb; j++)
    if (seg_b[j] == kind)
      g_array_append_val (tb, j);
  m = (int) ta->len;
  n = (int) tb->len;
  if (by_slot && m == n)
    {
      for (int a = 0; a < m; a++)
        map[g_array_index (ta, int, a)] = g_array_index (tb, int, a);
      return;
    }
#define LABEL_A(a) (lab_a[g_array_index (ta, int, (a))])
#define LABEL_B(b) (lab_b[g_array_index (tb, int, (b))])
  /* lcs[a (n + 1) + b]: the longest common run of pieces a.. and b.. */
  lcs = g_new0 (int, (gsize) (m + 1) * (n + 1));
  for (int a = m - 1; a >= 0; a--)
    for (int b = n - 1; b >= 0; b--)
      lcs[a * (n + 1) + b] = g_strcmp0 (LABEL_A (a), LABEL_B (b)) == 0
                             ? lcs[(a + 1) * (n + 1) + b + 1] + 1
                             : MAX (lcs[(a + 1) * (n + 1) + b], lcs[a * (n + 1) + b + 1]);
  for (int a = 0, b = 0; a < m && b < n;)
    {
      if (g_strcmp0 (LABEL_A (a), LABEL_B (b)) == 0)
        map[g_array_index (ta, int, a++)] = g_array_index (tb, int, b++);
      else if (lcs[(a + 1) * (n + 1) + b] >= lcs[a * (n + 1) + b + 1])
        a++;
      else
        b++;
    }
#undef LABEL_A
#undef LABEL_B
}

int *
ov_attention_match_tokens (const OvSegment   *seg_a,
                           const char *const *lab_a,
                           int                na,
                           const OvSegment   *seg_b,
                           const char *const *lab_b,
                           int                nb,
                           gboolean           tags_by_slot)
{
  static const OvSegment kinds[] = {
    OV_SEGMENT_SPECIAL, OV_SEGMENT_WORD, OV_SEGMENT_TAG, OV_SEGMENT_REGION,
  };
  int *map = g_new (int, MAX (na, 1));

  g_return_val_if_fail (seg_a != NULL && lab_a != NULL && seg_b != NULL && lab_b != NULL, NULL);

  for (int i = 0; i < na; i++)
    map[i] = -1;
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    match_kind (kinds[k], seg_a, lab_a, na, seg_b, lab_b, nb,
                tags_by_slot && kinds[k] == OV_SEGMENT_TAG, map);
  return map;
}

float *
ov_attention_remap (const float *before,
                    int          nb,
                    const int   *map,
                    int          na)
{
  float *out = g_new (float, (gsize) MAX (na, 1) * MAX (na, 1));

  for (int i = 0; i < na; i++)
    for (int j = 0; j < na; j++)
      out[(gsize) i * na + j] = map[i] >= 0 && map[j] >= 0
                                ? before[(gsize) map[i] * nb + map[j]] : NAN;
  return out;
}

OvCaptionAttention *
ov_caption_attention_new (void)
{
  return g_new0 (OvCaptionAttention, 1);
}

void
ov_caption_attention_free (OvCaptionAttention *ca)
{
  if (ca == NULL)
    return;
  g_strfreev (ca->words);
  g_strfreev (ca->col_labels);
  g_free (ca->col_segments);
  g_free (ca->values);
  g_free (ca);
}

static gboolean
is_column (OvSegment s)
{
  return s == OV_SEGMENT_TAG || s == OV_SEGMENT_REGION;
}

gboolean
ov_caption_attention_add_step (OvCaptionAttention *ca,
                               const char         *word,
                               const float        *row,
                               const OvSegment    *segments,
                               const char *const  *labels,
                               int                 seq_len,
                               GError            **error)
{
  int n_cols = 0, c = 0;

  g_return_val_if_fail (ca != NULL && row != NULL && segments != NULL, FALSE);

  for (int i = 0; i < seq_len; i++)
    n_cols += is_column (segments[i]);

  if (ca->n_steps == 0)
    {
      ca->n_cols = n_cols;
      ca->col_labels = g_new0 (char *, n_cols + 1);
      ca->col_segments = g_new (OvSegment, MAX (n_cols, 1));
      for (int i = 0; i < seq_len; i++)
        if (is_column (segments[i]))
          {
            ca->col_labels[c] = g_strdup (labels != NULL && labels[i] ? labels[i] : "");
            ca->col_segments[c] = segments[i];
            c++;
          }
    }
  else if (n_cols != ca->n_cols)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("caption step %d has %d tag and region positions, the first step had %d"),
                   ca->n_steps, n_cols, ca->n_cols);
      return FALSE;
    }

  ca->words = g_renew (char *, ca->words, ca->n_steps + 2);
  ca->words[ca->n_steps] = g_strdup (word != NULL ? word : "");
  ca->words[ca->n_steps + 1] = NULL;
  ca->values = g_renew (float, ca->values, (gsize) (ca->n_steps + 1) * MAX (n_cols, 1));
  c = 0;
  for (int i = 0; i < seq_len; i++)
    if (is_column (segments[i]))
      ca->values[(gsize) ca->n_steps * n_cols + c++] = row[i];
  ca->n_steps++;
  return TRUE;
}
