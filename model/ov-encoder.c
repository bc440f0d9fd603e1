/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The image-BERT encoder (§3) written against the backend table, the task
 * heads (LM, classifier, contrastive), and ov_model_forward.
 *
 * Activations live in backend buffers; only the inputs, the mask and what
 * the caller asked for cross to the host.
 */
#define G_LOG_DOMAIN "ov-encoder"

#include <math.h>
#include <string.h>

#include "ov-model-private.h"
#include "ov-i18n.h"

gboolean
_ov_model_check_inputs (OvModel *model, const OvInputs *in, GError **error)
{
  const OvConfig *c = &model->config;

  if (in->n_text < 0 || in->n_text + in->n_regions <= 0
      || (in->n_text > 0 && in->input_ids == NULL))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT, _ ("%s: the input has no text tokens"),
                   model->path);
      return FALSE;
    }
  if (in->n_regions < 0 || (in->n_regions > 0 && in->img_feats == NULL))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("%s: %d region rows announced without features"), model->path, in->n_regions);
      return FALSE;
    }
  if (in->attention_mask == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("%s: the input has no attention mask"), model->path);
      return FALSE;
    }
  for (int i = 0; i < in->n_text; i++)
    {
      int pos = in->position_ids != NULL ? in->position_ids[i] : i;
      int type = in->token_type_ids != NULL ? in->token_type_ids[i] : 0;

      if (in->input_ids[i] < 0 || in->input_ids[i] >= c->vocab_size)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("%s: token id %d at position %d is outside the vocabulary (%d)"),
                       model->path, in->input_ids[i], i, c->vocab_size);
          return FALSE;
        }
      if (pos < 0 || pos >= c->max_position_embeddings)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("%s: position id %d is beyond max_position_embeddings (%d)"),
                       model->path, pos, c->max_position_embeddings);
          return FALSE;
        }
      if (type < 0 || type >= c->type_vocab_size)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("%s: token type %d is beyond type_vocab_size (%d)"),
                       model->path, type, c->type_vocab_size);
          return FALSE;
        }
    }
  for (gsize i = 0; i < (gsize) in->n_regions * c->img_feature_dim; i++)
    if (!isfinite (in->img_feats[i]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _ ("region %zu has a value that is not a finite number (feature %zu)"),
                     i / c->img_feature_dim, i % c->img_feature_dim);
        return FALSE;
      }
  return TRUE;
}

/* Keeps a host copy of one layer's hidden states (S, H) for the views. */
static void
save_hidden (OvModel *model, OvForward *fwd, int index, const float *x, int s)
{
  int h = model->config.hidden_size;

  fwd->hidden_states[index] = g_new (float, (gsize) s * h);
  model->backend->download (model->backend, fwd->hidden_states[index], x, (gsize) s * h);
}

gboolean
_ov_model_encode (OvModel *model, const OvInputs *in, OvForwardFlags flags,
                  OvForward *fwd, OvLayerKV *kv_out, GCancellable *cancellable,
                  GError **error)
{
  const OvBackend *be = model->backend;
  const OvConfig *c = &model->config;
  int t = in->n_text, n = in->n_regions, s = t + n;
  int h = c->hidden_size, inter = c->intermediate_size, d = c->img_feature_dim;
  int n_heads = c->num_attention_heads, head_dim = h / n_heads;
  g_autofree gint32 *pos = g_new (gint32, t);
  g_autofree gint32 *types = g_new0 (gint32, t);
  g_autofree float *add_mask = NULL;
  float *x, *q, *k, *v, *ctx, *a1, *f, *mask_be, *probs_be = NULL;
  gsize mask_n = in->mask_2d ? (gsize) s * s : (gsize) s;
  int q_width = 1;

  if (!_ov_model_check_inputs (model, in, error))
    return FALSE;

  for (int i = 0; i < t; i++)
    {
      pos[i] = in->position_ids != NULL ? in->position_ids[i] : i;
      types[i] = in->token_type_ids != NULL ? in->token_type_ids[i] : 0;
    }
  /* (1 - m) · -10000 in float32, added to the scaled scores (§3.4). */
  add_mask = g_new (float, mask_n);
  for (gsize i = 0; i < mask_n; i++)
    add_mask[i] = (1.0f - in->attention_mask[i]) * -10000.0f;

  fwd->n_layers = c->num_hidden_layers;
  fwd->n_heads = n_heads;
  fwd->seq_len = s;
  fwd->hidden = h;
  fwd->vocab_size = c->vocab_size;
  if (flags & OV_FORWARD_HIDDEN_STATES)
    fwd->hidden_states = g_new0 (float *, c->num_hidden_layers + 1);
  if (flags & OV_FORWARD_ATTENTIONS)
    fwd->attentions = g_new0 (float *, c->num_hidden_layers);

  x = be->alloc (be, (gsize) s * h);
  /* q, k and v side by side when one product makes all three */
  for (int l = 0; l < c->num_hidden_layers; l++)
    if (_ov_layer_qkv_fused (&model->layers[l], h))
      q_width = 3;
  q = be->alloc (be, (gsize) s * q_width * h);
  k = be->alloc (be, (gsize) s * h);
  v = be->alloc (be, (gsize) s * h);
  ctx = be->alloc (be, (gsize) s * h);
  a1 = be->alloc (be, (gsize) s * h);
  f = be->alloc (be, (gsize) s * inter);
  mask_be = be->alloc (be, mask_n);
  be->upload (be, mask_be, add_mask, mask_n);
  /* a device backend writes attention probabilities to its own buffer */
  if (fwd->attentions != NULL && !be->host_memory)
    probs_be = be->alloc (be, (gsize) n_heads * s * s);

  /* Embeddings: text rows (T, H), then region rows (N, H) (§3.1-3.3). */
  be->embed (be, x, model->word_emb, model->pos_emb, model->type_emb, in->input_ids,
             pos, types, t, h);
  be->add_layer_norm (be, x, NULL, model->emb_ln_g, model->emb_ln_b, t, h,
                      (float) c->layer_norm_eps);
  if (n > 0)
    {
      float *feats = be->alloc (be, (gsize) n * d);

      be->upload (be, feats, in->img_feats, (gsize) n * d);
      be->linear (be, x + (gsize) t * h, feats, model->img_w, model->img_b, n, h, d);
      be->free (be, feats);
      if (model->img_ln_g != NULL)
        be->add_layer_norm (be, x + (gsize) t * h, NULL, model->img_ln_g, model->img_ln_b,
                            n, h, (float) c->img_layer_norm_eps);
    }
  if (fwd->hidden_states != NULL)
    save_hidden (model, fwd, 0, x, s);

  for (int l = 0; l < c->num_hidden_layers; l++)
    {
      const OvLayerWeights *w = &model->layers[l];
      float *probs = NULL;
      gboolean fused = _ov_layer_qkv_fused (w, h);
      /* where row r's q, k and v are: row stride, and k's and v's columns */
      gsize stride = (gsize) (fused ? 3 * h : h);
      const float *lk = fused ? q + h : k, *lv = fused ? q + 2 * h : v;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;

      if (fused)
        be->linear (be, q, x, w->q_w, w->q_b, s, 3 * h, h);
      else
        {
          be->linear (be, q, x, w->q_w, w->q_b, s, h, h);
          be->linear (be, k, x, w->k_w, w->k_b, s, h, h);
          be->linear (be, v, x, w->v_w, w->v_b, s, h, h);
        }
      if (kv_out != NULL)
        {
          kv_out[l].k = be->alloc (be, (gsize) s * h);
          kv_out[l].v = be->alloc (be, (gsize) s * h);
          /* row by row out of the side-by-side layout, or whole */
          if (fused)
            {
              be->copy_runs (be, kv_out[l].k, h, lk, stride, NULL, s, 1, 0, h);
              be->copy_runs (be, kv_out[l].v, h, lv, stride, NULL, s, 1, 0, h);
            }
          else
            {
              be->copy_runs (be, kv_out[l].k, 0, k, 0, NULL, 1, 1, 0, (gsize) s * h);
              be->copy_runs (be, kv_out[l].v, 0, v, 0, NULL, 1, 1, 0, (gsize) s * h);
            }
        }
      if (fwd->attentions != NULL)
        {
          fwd->attentions[l] = g_new (float, (gsize) n_heads * s * s);
          probs = be->host_memory ? fwd->attentions[l] : probs_be;
        }
      be->attention (be, ctx, probs, q, (int) stride, lk, lv, (int) stride, mask_be,
                     in->mask_2d ? s : 0, s, s, n_heads, head_dim);
      if (probs != NULL && probs != fwd->attentions[l])
        be->download (be, fwd->attentions[l], probs, (gsize) n_heads * s * s);
      _ov_model_layer_ffn (model, w, x, ctx, a1, f, s);
      if (fwd->hidden_states != NULL)
        save_hidden (model, fwd, l + 1, x, s);
    }

  fwd->sequence_output = g_new (float, (gsize) s * h);
  be->download (be, fwd->sequence_output, x, (gsize) s * h);
  /* pooled = tanh (h_0 · Wpᵀ + bp) (§3.6); none for a captioning model
   * stored without its pooler */
  if (model->pool_w != NULL)
    {
      be->linear (be, q, x, model->pool_w, model->pool_b, 1, h, h);
      be->tanh (be, q, h);
      fwd->pooled = g_new (float, h);
      be->download (be, fwd->pooled, q, h);
    }

  be->free (be, x); be->free (be, q); be->free (be, k); be->free (be, v);
  be->free (be, ctx); be->free (be, a1); be->free (be, f);
  be->free (be, mask_be); be->free (be, probs_be);
  /* a NaN or an infinity here would be every answer's: a damaged weight
   * (s x h values, nothing beside the encoder's own work) */
  if (ov_backend_check (be, error)
      && _ov_model_check_output (model, fwd->sequence_output, (gsize) s * h, error))
    return TRUE;
  goto fail_kv;

fail:
  be->free (be, x); be->free (be, q); be->free (be, k); be->free (be, v);
  be->free (be, ctx); be->free (be, a1); be->free (be, f);
  be->free (be, mask_be); be->free (be, probs_be);
  /* a pending device error is the better explanation than cancellation */
  ov_backend_check (be, NULL);
fail_kv:
  if (kv_out != NULL)
    for (int l = 0; l < c->num_hidden_layers; l++)
      {
        be->free (be, kv_out[l].k);
        be->free (be, kv_out[l].v);
        kv_out[l].k = kv_out[l].v = NULL;
      }
  return FALSE;
}

/* hidden_act in place; both backends have all three. */
static void
apply_activation (OvModel *model, float *x, gsize n)
{
  const OvBackend *be = model->backend;

  switch (model->config.activation)
    {
    case OV_ACTIVATION_RELU:
      be->relu (be, x, n);
      break;
    case OV_ACTIVATION_SWISH:
      be->swish (be, x, n);
      break;
    case OV_ACTIVATION_GELU:
    default:
      be->gelu (be, x, n);
      break;
    }
}

void
_ov_model_layer_ffn (OvModel *model, const OvLayerWeights *w, float *x, const float *ctx,
                     float *a1, float *f, int rows)
{
  const OvBackend *be = model->backend;
  const OvConfig *c = &model->config;
  int h = c->hidden_size, inter = c->intermediate_size;
  float eps = (float) c->layer_norm_eps;

  be->linear (be, a1, ctx, w->ao_w, w->ao_b, rows, h, h);
  be->add_layer_norm (be, a1, x, w->aln_g, w->aln_b, rows, h, eps);
  be->linear (be, f, a1, w->i_w, w->i_b, rows, inter, h);
  apply_activation (model, f, (gsize) rows * inter);
  be->linear (be, x, f, w->o_w, w->o_b, rows, h, inter);
  be->add_layer_norm (be, x, a1, w->oln_g, w->oln_b, rows, h, eps);
}

void
_ov_model_lm_head_be (OvModel *model, const float *x, int n, float *out, float *scratch)
{
  const OvBackend *be = model->backend;
  const OvConfig *c = &model->config;
  int h = c->hidden_size;
  float *tr = scratch != NULL ? scratch : be->alloc (be, (gsize) n * h);

  /* transform: dense → activation (GELU) → LayerNorm; then decoder (V, H) + bias (§9.8) */
  be->linear (be, tr, x, model->lm_dense_w, model->lm_dense_b, n, h, h);
  apply_activation (model, tr, (gsize) n * h);
  be->add_layer_norm (be, tr, NULL, model->lm_ln_g, model->lm_ln_b, n, h,
                      (float) c->layer_norm_eps);
  be->linear (be, out, tr, model->lm_dec_w, model->lm_bias, n, c->vocab_size, h);
  if (scratch == NULL)
    be->free (be, tr);
}

void
_ov_model_lm_head (OvModel *model, const float *hidden, int n, float *logits)
{
  const OvBackend *be = model->backend;
  int h = model->config.hidden_size;
  float *x, *out;

  if (be->host_memory)
    {
      /* no copies: a beam-5 step's logits are 600 KB */
      _ov_model_lm_head_be (model, hidden, n, logits, NULL);
      return;
    }
  x = be->alloc (be, (gsize) n * h);
  out = be->alloc (be, (gsize) n * model->config.vocab_size);
  be->upload (be, x, hidden, (gsize) n * h);
  _ov_model_lm_head_be (model, x, n, out, NULL);
  be->download (be, logits, out, (gsize) n * model->config.vocab_size);
  be->free (be, x); be->free (be, out);
}

/* out (n_out) = w (n_out, n_in) · in + b for host vectors. */
static void
head_linear (OvModel *model, float *out, const float *in, const float *w, const float *b,
             int n_out, int n_in)
{
  const OvBackend *be = model->backend;
  float *x, *y;

  if (be->host_memory)
    {
      be->linear (be, out, in, w, b, 1, n_out, n_in);
      return;
    }
  x = be->alloc (be, n_in);
  y = be->alloc (be, n_out);
  be->upload (be, x, in, n_in);
  be->linear (be, y, x, w, b, 1, n_out, n_in);
  be->download (be, out, y, n_out);
  be->free (be, x);
  be->free (be, y);
}

/* Classifier on the pooled vector (§5.4): logits (n_labels). */
static void
classifier_head (OvModel *model, const float *pooled, float *logits)
{
  int h = model->config.hidden_size;

  if (model->cls_mlp)
    {
      g_autofree float *mid = g_new (float, model->cls_hidden);

      head_linear (model, mid, pooled, model->cls1_w, model->cls1_b, model->cls_hidden, h);
      for (int i = 0; i < model->cls_hidden; i++)
        mid[i] = MAX (mid[i], 0.0f);
      head_linear (model, logits, mid, model->cls2_w, model->cls2_b, model->n_labels,
                   model->cls_hidden);
    }
  else
    head_linear (model, logits, pooled, model->cls1_w, model->cls1_b, model->n_labels, h);
}

OvForward *
ov_model_forward (OvModel *model, const OvInputs *inputs, OvForwardFlags flags,
                  GCancellable *cancellable, GError **error)
{
  g_autoptr(OvForward) fwd = g_new0 (OvForward, 1);

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (inputs != NULL, NULL);

  if (!_ov_model_encode (model, inputs, flags, fwd, NULL, cancellable, error))
    return NULL;
  if (flags & OV_FORWARD_HEAD)
    {
      switch (model->kind)
        {
        case OV_MODEL_KIND_CAPTION:
        case OV_MODEL_KIND_PRETRAIN:
          fwd->lm_logits = g_new (float, (gsize) inputs->n_text * model->config.vocab_size);
          _ov_model_lm_head (model, fwd->sequence_output, inputs->n_text, fwd->lm_logits);
          if (model->kind == OV_MODEL_KIND_PRETRAIN)
            {
              fwd->n_classes = model->n_contrast;
              fwd->class_logits = g_new (float, model->n_contrast);
              head_linear (model, fwd->class_logits, fwd->pooled, model->sr_w, model->sr_b,
                           model->n_contrast, model->config.hidden_size);
            }
          break;
        case OV_MODEL_KIND_CLASSIFIER:
          fwd->n_classes = model->n_labels;
          fwd->class_logits = g_new (float, model->n_labels);
          classifier_head (model, fwd->pooled, fwd->class_logits);
          break;
        case OV_MODEL_KIND_ENCODER:
        default:
          break;
        }
      if (!ov_backend_check (model->backend, error))
        return NULL;
    }
  return g_steal_pointer (&fwd);
}

void
ov_forward_free (OvForward *fwd)
{
  if (fwd == NULL)
    return;
  if (fwd->hidden_states != NULL)
    for (int i = 0; i <= fwd->n_layers; i++)
      g_free (fwd->hidden_states[i]);
  if (fwd->attentions != NULL)
    for (int i = 0; i < fwd->n_layers; i++)
      g_free (fwd->attentions[i]);
  g_free (fwd->hidden_states);
  g_free (fwd->attentions);
  g_free (fwd->sequence_output);
  g_free (fwd->pooled);
  g_free (fwd->lm_logits);
  g_free (fwd->class_logits);
  g_free (fwd);
}
