/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The one-call tasks on top of input assembly and the forward pass: VQA
 * classification (§5.2), masked-word prediction and image-text matching
 * with the pre-training heads (§6).
 */
#define G_LOG_DOMAIN "ov-tasks"

#include <math.h>
#include <string.h>

#include "ov-model-private.h"
#include "ov-i18n.h"

/* The positions a 1-D mask attends, alone: a masked position gets exactly
 * zero weight (its score is 10000 below the others, so exp gives 0 in
 * float32) and the pooled vector reads row 0 only, so leaving the padding
 * out gives the same pooled vector for a fraction of the work (VQA pads
 * 35 real text positions to 128). Returns FALSE, leaving *out alone, when
 * nothing would be dropped or row 0 is masked. The arrays are owned by the
 * caller (free with g_free). */
static gboolean
compact_inputs (OvModel *model, const OvInputs *in, OvInputs *out, gint32 **ids,
                gint32 **types, gint32 **pos, float **feats, float **mask)
{
  int t = in->n_text, n = in->n_regions, d = model->config.img_feature_dim, kt = 0, kn = 0;

  if (in->mask_2d || t < 1 || in->attention_mask[0] != 1.0f)
    return FALSE;
  for (int i = 0; i < t + n; i++)
    if (in->attention_mask[i] != 0.0f && in->attention_mask[i] != 1.0f)
      return FALSE;
    else if (in->attention_mask[i] == 1.0f)
      {
        if (i < t)
          kt++;
        else
          kn++;
      }
  if (kt + kn == t + n)
    return FALSE;
  *ids = g_new (gint32, kt);
  *types = g_new (gint32, kt);
  *pos = g_new (gint32, kt);
  *feats = g_new (float, MAX ((gsize) kn * d, 1));
  *mask = g_new (float, kt + kn);
  kt = kn = 0;
  for (int i = 0; i < t; i++)
    if (in->attention_mask[i] == 1.0f)
      {
        (*ids)[kt] = in->input_ids[i];
        (*types)[kt] = in->token_type_ids != NULL ? in->token_type_ids[i] : 0;
        (*pos)[kt] = in->position_ids != NULL ? in->position_ids[i] : i;
        (*mask)[kt++] = 1.0f;
      }
  for (int k = 0; k < n; k++)
    if (in->attention_mask[t + k] == 1.0f)
      {
        memcpy (*feats + (gsize) kn * d, in->img_feats + (gsize) k * d, (gsize) d * sizeof (float));
        (*mask)[kt + kn++] = 1.0f;
      }
  *out = (OvInputs) {
    .n_text = kt, .input_ids = *ids, .token_type_ids = *types, .position_ids = *pos,
    .n_regions = kn, .img_feats = *feats, .attention_mask = *mask, .mask_2d = FALSE,
  };
  return TRUE;
}

/* ov_model_forward with the head, on the attended positions only when that
 * gives the same head output (pooled-vector heads). */
static OvForward *
forward_pooled_head (OvModel *model, const OvInputs *in, GCancellable *cancellable,
                     GError **error)
{
  g_autofree gint32 *ids = NULL, *types = NULL, *pos = NULL;
  g_autofree float *feats = NULL, *mask = NULL;
  OvInputs small;

  /* the original checks apply to the inputs as given */
  if (!_ov_model_check_inputs (model, in, error))
    return NULL;
  if (compact_inputs (model, in, &small, &ids, &types, &pos, &feats, &mask))
    in = &small;
  return ov_model_forward (model, in, OV_FORWARD_HEAD, cancellable, error);
}

float *
ov_model_classify (OvModel *model, const char *question, const char *tags,
                   const OvRegions *regions, int *n_logits, GCancellable *cancellable,
                   GError **error)
{
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(OvForward) fwd = NULL;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (n_logits != NULL, NULL);

  *n_logits = 0;
  if (!ov_model_supports (model, OV_TASK_VQA, error))
    return NULL;
  enc = ov_model_prepare_vqa (model, question, tags, regions, error);
  if (enc == NULL)
    return NULL;
  fwd = forward_pooled_head (model, &enc->inputs, cancellable, error);
  if (fwd == NULL)
    return NULL;
  *n_logits = fwd->n_classes;
  return g_steal_pointer (&fwd->class_logits);
}

void
ov_mask_prediction_free (OvMaskPrediction *p)
{
  if (p == NULL)
    return;
  g_free (p->ids);
  g_free (p->probs);
  g_free (p);
}

GPtrArray *
ov_model_predict_masks (OvModel *model, const char *text, const char *tags,
                        const OvRegions *regions, int top_k, GCancellable *cancellable,
                        GError **error)
{
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(GPtrArray) out = NULL;
  gint32 mask_id;
  int vsize;

  g_return_val_if_fail (model != NULL, NULL);

  if (!ov_model_supports (model, OV_TASK_MASK, error))
    return NULL;
  if (top_k < 1)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT, _ ("top_k must be at least 1"));
      return NULL;
    }
  enc = ov_model_prepare_pretrain (model, text, tags, regions, error);
  if (enc == NULL)
    return NULL;
  fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, cancellable, error);
  if (fwd == NULL)
    return NULL;
  vsize = fwd->vocab_size;
  top_k = MIN (top_k, vsize);
  mask_id = ov_tokenizer_mask_id (model->tokenizer);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ov_mask_prediction_free);
  for (int i = 0; i < enc->inputs.n_text; i++)
    {
      const float *row = fwd->lm_logits + (gsize) i * vsize;
      OvMaskPrediction *p;
      float max = -G_MAXFLOAT;
      double sum = 0.0;

      if (enc->input_ids[i] != mask_id)
        continue;
      p = g_new0 (OvMaskPrediction, 1);
      p->position = i;
      p->n = top_k;
      p->ids = g_new (gint32, top_k);
      p->probs = g_new (float, top_k);
      for (int j = 0; j < vsize; j++)
        max = MAX (max, row[j]);
      for (int j = 0; j < vsize; j++)
        sum += exp ((double) row[j] - max);
      /* insertion into a sorted top-k list; lower id first on ties */
      for (int j = 0, filled = 0; j < vsize; j++)
        {
          float prob = (float) (exp ((double) row[j] - max) / sum);
          int at;

          if (filled == top_k && !(prob > p->probs[top_k - 1]))
            continue;
          at = filled < top_k ? filled++ : top_k - 1;
          while (at > 0 && prob > p->probs[at - 1])
            {
              p->probs[at] = p->probs[at - 1];
              p->ids[at] = p->ids[at - 1];
              at--;
            }
          p->probs[at] = prob;
          p->ids[at] = j;
        }
      g_ptr_array_add (out, p);
    }
  if (out->len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("the text and tags hold no [MASK] token to predict"));
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
ov_model_match (OvModel *model, const char *text, const char *tags,
                const OvRegions *regions, float *logits, int *n_classes,
                double *match_probability, GCancellable *cancellable, GError **error)
{
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(OvForward) fwd = NULL;
  double max = -G_MAXDOUBLE, sum = 0.0;

  g_return_val_if_fail (model != NULL, FALSE);

  if (!ov_model_supports (model, OV_TASK_MATCH, error))
    return FALSE;
  enc = ov_model_prepare_pretrain (model, text, tags, regions, error);
  if (enc == NULL)
    return FALSE;
  fwd = forward_pooled_head (model, &enc->inputs, cancellable, error);
  if (fwd == NULL)
    return FALSE;
  for (int i = 0; i < fwd->n_classes; i++)
    max = MAX (max, fwd->class_logits[i]);
  for (int i = 0; i < fwd->n_classes; i++)
    sum += exp (fwd->class_logits[i] - max);
  if (logits != NULL)
    memcpy (logits, fwd->class_logits, (gsize) MIN (fwd->n_classes, 8) * sizeof (float));
  if (n_classes != NULL)
    *n_classes = fwd->n_classes;
  if (match_probability != NULL)
    *match_probability = exp (fwd->class_logits[0] - max) / sum;
  return TRUE;
}
