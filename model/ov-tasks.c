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
  fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, cancellable, error);
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
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT, "top_k must be at least 1");
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
                   "the text and tags hold no [MASK] token to predict");
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
  fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, cancellable, error);
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
