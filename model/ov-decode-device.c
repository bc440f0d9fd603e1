/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The cached caption step for a backend whose buffers are not host memory
 * (the CUDA backend): the same computation as the cached step of
 * ov-decode.c, written only against the backend table, so the key/value
 * cache, the activations and the logits stay on the device and only the
 * token ids, the mask and (on request) the logits cross the bus.
 *
 * Cache layout, one backend buffer (B, L, 2, n_keys, H): for each beam and
 * layer, K then V, each (n_keys, H) with rows [0, max_len) for caption
 * positions and [max_len, n_keys) for the valid tags and regions (the same
 * in every beam). kv_spare is the second buffer used while reordering.
 */
#define G_LOG_DOMAIN "ov-decode-device"

#include "ov-model-private.h"

struct _OvDeviceCache
{
  OvModel *model;
  int      n_beams;
  int      max_len;
  int      n_ctx;
  int      n_keys;
  float   *kv;
  float   *kv_spare;
  float   *logits;      /* (B, V) of the last step */
  /* a step's working buffers, made once with the cache: the mask (2, n_keys)
   * and the append position right after it, then x (2B, H), q (2B, 3H: q,
   * k and v side by side when one product makes them), cx, a1, k and v
   * (2B, H), f (2B, I), the last rows and the LM head's transform (B, H),
   * each starting on a 256-byte boundary */
  float   *scratch;
  /* the step's layers recorded as a graph for each cache buffer (graph_kv
   * names it), when the backend has graphs (step_graph) */
  gpointer graph[2];
  float   *graph_kv[2];
  float   *ran_on[2];     /* the buffers a step has run on without a graph */
  gboolean graphs_failed;
};

/* Floats rounded up to whole 256-byte blocks, so every working buffer
 * starts as aligned as an allocation of its own would. */
static gsize
block_floats (gsize n)
{
  return (n + 63) / 64 * 64;
}

typedef struct {
  float *mask, *at, *x, *q, *k, *v, *cx, *a1, *f, *last, *tr;
} StepBuffers;

/* The step's buffers inside scratch; with scratch NULL, only the size. */
static gsize
step_buffers (const OvDeviceCache *dc, float *scratch, StepBuffers *b)
{
  const OvConfig *c = &dc->model->config;
  gsize rows = (gsize) 2 * dc->n_beams, h = c->hidden_size, nk = dc->n_keys;
  gsize at = 0;
  float **slot[] = { &b->mask, &b->x, &b->q, &b->cx, &b->a1, &b->k, &b->v, &b->f, &b->last,
                     &b->tr };
  /* q holds q, k and v side by side when a product makes all three */
  gsize size[] = { 2 * nk + 1, rows * h, 3 * rows * h, rows * h, rows * h, rows * h, rows * h,
                   rows * c->intermediate_size, (gsize) dc->n_beams * h,
                   (gsize) dc->n_beams * h };

  for (gsize i = 0; i < G_N_ELEMENTS (slot); i++)
    {
      *slot[i] = scratch != NULL ? scratch + at : NULL;
      at += block_floats (size[i]);
    }
  b->at = b->mask != NULL ? b->mask + 2 * nk : NULL;
  return at;
}

static gsize
layer_floats (OvDeviceCache *dc)
{
  return (gsize) 2 * dc->n_keys * dc->model->config.hidden_size;
}

static gsize
beam_floats (OvDeviceCache *dc)
{
  return layer_floats (dc) * dc->model->config.num_hidden_layers;
}

void
_ov_device_cache_free (OvDeviceCache *dc)
{
  OvModel *model;

  if (dc == NULL)
    return;
  /* the newest first; the older of the two kept goes */
  model = dc->model;
  g_clear_pointer (&model->spare_cache[1], _ov_device_cache_destroy);
  model->spare_cache[1] = model->spare_cache[0];
  model->spare_cache[0] = dc;
}

void
_ov_device_cache_destroy (OvDeviceCache *dc)
{
  const OvBackend *be;

  if (dc == NULL)
    return;
  be = dc->model->backend;
  for (int i = 0; i < 2; i++)
    if (dc->graph[i] != NULL)
      be->graph_free (be, dc->graph[i]);
  be->free (be, dc->kv);
  be->free (be, dc->kv_spare);
  be->free (be, dc->logits);
  be->free (be, dc->scratch);
  g_free (dc);
}

/* Runs the tags and regions alone once: they never see the caption, so
 * their keys and values are those of every later step. */
OvDeviceCache *
_ov_device_cache_new (OvModel *model, const OvCaptionContext *ctx, int n_beams, int max_len,
                      GCancellable *cancellable, GError **error)
{
  const OvBackend *be = model->backend;
  int h = model->config.hidden_size, n_layers = model->config.num_hidden_layers;
  int nt = ctx->n_tags_valid, nr = ctx->n_img_valid, nb = n_beams;
  OvDeviceCache *dc = NULL;
  gsize layer, beam, caption_rows;
  g_autofree float *zeros = NULL;
  float *zeros_be;
  gboolean ok = TRUE;

  /* a kept cache of the same shape: its buffers, and the graphs recorded
   * on them, serve again (everything in them is written afresh below) */
  for (int i = 0; i < 2 && dc == NULL; i++)
    {
      OvDeviceCache *kept = model->spare_cache[i];

      if (kept != NULL && kept->n_beams == n_beams && kept->max_len == max_len
          && kept->n_ctx == nt + nr)
        {
          dc = kept;
          model->spare_cache[i] = i == 0 ? model->spare_cache[1] : NULL;
          model->spare_cache[1] = NULL;
        }
    }
  if (dc != NULL)
    {
      layer = layer_floats (dc);
      beam = beam_floats (dc);
    }
  else
    {
      StepBuffers unused;

      /* the older kept cache goes before the new one is made */
      g_clear_pointer (&model->spare_cache[1], _ov_device_cache_destroy);
      dc = g_new0 (OvDeviceCache, 1);
      dc->model = model;
      dc->n_beams = n_beams;
      dc->max_len = max_len;
      dc->n_ctx = nt + nr;
      dc->n_keys = max_len + dc->n_ctx;
      layer = layer_floats (dc);
      beam = beam_floats (dc);
      dc->kv = be->alloc (be, beam * nb);
      dc->kv_spare = be->alloc (be, beam * nb);
      dc->logits = be->alloc (be, (gsize) nb * model->config.vocab_size);
      dc->scratch = be->alloc (be, step_buffers (dc, NULL, &unused));
    }
  /* Caption rows not yet written are masked out, but must be numbers: zero
   * them in every (beam, layer, K or V) block. */
  caption_rows = (gsize) max_len * h;
  zeros = g_new0 (float, caption_rows);
  zeros_be = be->alloc (be, caption_rows);
  be->upload (be, zeros_be, zeros, caption_rows);
  be->copy_runs (be, dc->kv, (gsize) dc->n_keys * h, zeros_be, 0, NULL, nb * n_layers * 2, 1,
                 0, caption_rows);
  be->free (be, zeros_be);
  if (dc->n_ctx > 0)
    {
      g_autofree float *mask = g_new (float, dc->n_ctx);
      g_autofree OvLayerKV *kv = g_new0 (OvLayerKV, n_layers);
      OvForward fwd = { 0 };
      OvInputs in = {
        .n_text = nt,
        .input_ids = ctx->tag_ids,
        .token_type_ids = ctx->tag_types,
        .position_ids = ctx->tag_pos,
        .n_regions = nr,
        .img_feats = ctx->img,
        .attention_mask = mask,
        .mask_2d = FALSE,
      };

      for (int i = 0; i < dc->n_ctx; i++)
        mask[i] = 1.0f;
      ok = _ov_model_encode (model, &in, 0, &fwd, kv, cancellable, error);
      /* the same tag and region rows in every beam */
      for (int l = 0; l < n_layers && ok; l++)
        {
          float *kb = dc->kv + layer * l + caption_rows;

          be->copy_runs (be, kb, beam, kv[l].k, 0, NULL, nb, 1, 0, (gsize) dc->n_ctx * h);
          be->copy_runs (be, kb + (gsize) dc->n_keys * h, beam, kv[l].v, 0, NULL, nb, 1, 0,
                         (gsize) dc->n_ctx * h);
        }
      for (int l = 0; l < n_layers; l++)
        {
          be->free (be, kv[l].k);
          be->free (be, kv[l].v);
        }
      g_free (fwd.sequence_output);
      g_free (fwd.pooled);
    }
  be->copy_runs (be, dc->kv_spare, 0, dc->kv, 0, NULL, 1, 1, 0, beam * nb);
  if (!ok || !ov_backend_check (be, ok ? error : NULL))
    {
      _ov_device_cache_destroy (dc);
      return NULL;
    }
  return dc;
}

const float *
_ov_device_cache_logits (OvDeviceCache *dc)
{
  return dc->logits;
}

/* Everything of a step after the embeddings: the layers (each beam's two
 * rows appended to its cache, then attending to it), the [MASK] row of each
 * beam and the LM head into dc->logits. A backend with copy_parts_at reads
 * the append position (sb->at, cur_len - 1) on the device, so the same
 * recorded graph serves every step; otherwise cur_len places the rows.
 * When the layer's Q, K and V weights lie end to end, one product makes
 * all three: row r of sb->q holds q, k and v side by side (3H). */
static void
step_layers (OvDeviceCache *dc, const StepBuffers *sb, int cur_len)
{
  OvModel *model = dc->model;
  const OvBackend *be = model->backend;
  const OvConfig *c = &model->config;
  int h = c->hidden_size, nb = dc->n_beams;
  int n_heads = c->num_attention_heads, head_dim = h / n_heads;
  int m = 2 * nb, nk = dc->n_keys;
  gsize layer = layer_floats (dc), beam = beam_floats (dc);

  for (int l = 0; l < c->num_hidden_layers; l++)
    {
      const OvLayerWeights *w = &model->layers[l];
      float *kl = dc->kv + layer * l;
      gboolean fused = _ov_layer_qkv_fused (w, h);
      /* where row r's q, k and v are: row stride, and k's and v's offsets */
      gsize stride = (gsize) (fused ? 3 * h : h);
      const float *k = fused ? sb->q + h : sb->k, *v = fused ? sb->q + 2 * h : sb->v;

      if (fused)
        be->linear (be, sb->q, sb->x, w->q_w, w->q_b, m, 3 * h, h);
      else
        {
          be->linear (be, sb->q, sb->x, w->q_w, w->q_b, m, h, h);
          be->linear (be, sb->k, sb->x, w->k_w, w->k_b, m, h, h);
          be->linear (be, sb->v, sb->x, w->v_w, w->v_b, m, h, h);
        }
      /* each beam's two rows join its cache at caption rows cur_len - 1,
       * cur_len: K, then V nk rows further on */
      if (be->copy_parts_at != NULL)
        be->copy_parts_at (be, kl, beam, h, (gsize) nk * h, k, 2 * stride, stride,
                           (gsize) (v - k), nb, 2, 2, h, sb->at, h);
      else
        for (int r = 0; r < 2; r++)
          {
            be->copy_runs (be, kl + (gsize) (cur_len - 1 + r) * h, beam, k + r * stride,
                           2 * stride, NULL, nb, 1, 0, h);
            be->copy_runs (be, kl + (gsize) (nk + cur_len - 1 + r) * h, beam, v + r * stride,
                           2 * stride, NULL, nb, 1, 0, h);
          }
      /* each beam's two rows against its own cache: one call when the
       * backend can batch sequences */
      if (be->attention_batch != NULL)
        be->attention_batch (be, sb->cx, sb->q, (int) stride, kl, kl + (gsize) nk * h, h,
                             sb->mask, nk, 2, nk, n_heads, head_dim, nb, (gsize) 2 * h,
                             2 * stride, beam);
      else
        for (int b = 0; b < nb; b++)
          {
            float *kb = kl + beam * b;

            be->attention (be, sb->cx + (gsize) 2 * b * h, NULL, sb->q + 2 * b * stride,
                           (int) stride, kb, kb + (gsize) nk * h, h, sb->mask, nk, 2, nk,
                           n_heads, head_dim);
          }
      _ov_model_layer_ffn (model, w, sb->x, sb->cx, sb->a1, sb->f, m);
    }
  /* the [MASK] row of each beam */
  be->copy_runs (be, sb->last, h, sb->x + h, (gsize) 2 * h, NULL, nb, 1, 0, h);
  _ov_model_lm_head_be (model, sb->last, nb, dc->logits, sb->tr);
}

/* The step's layers as a graph of the backend, one for each of the two
 * cache buffers (a reorder swaps them), recorded the second time a step
 * runs on that buffer: the first runs them one by one, so that whatever
 * the libraries set up on first use (kernels loaded, algorithms chosen,
 * workspace) is not done while recording. FALSE when the layers are to run
 * as they come: no graph yet, a backend without graphs, or a recording
 * that failed, which is not tried again for this cache. */
static gboolean
step_graph (OvDeviceCache *dc, const StepBuffers *sb)
{
  const OvBackend *be = dc->model->backend;
  int slot = dc->kv == dc->graph_kv[0] ? 0 : dc->kv == dc->graph_kv[1] ? 1 : -1;
  g_autoptr(GError) error = NULL;

  if (slot < 0)
    {
      if (dc->graphs_failed || be->graph_begin == NULL || be->copy_parts_at == NULL
          || dc->graph[1] != NULL)
        return FALSE;
      if (dc->kv != dc->ran_on[0] && dc->kv != dc->ran_on[1])
        {
          dc->ran_on[dc->ran_on[0] == NULL ? 0 : 1] = dc->kv;
          return FALSE;
        }
      if (!be->graph_begin (be))
        {
          dc->graphs_failed = TRUE;
          return FALSE;
        }
      slot = dc->graph[0] == NULL ? 0 : 1;
      step_layers (dc, sb, 0);
      dc->graph[slot] = be->graph_end (be, &error);
      if (dc->graph[slot] == NULL)
        {
          g_debug ("decoding steps run without a graph: %s", error->message);
          dc->graphs_failed = TRUE;
          return FALSE;
        }
      dc->graph_kv[slot] = dc->kv;
    }
  be->graph_launch (be, dc->graph[slot]);
  return TRUE;
}

/* The cached step at cur_len: each beam's rows are its last token at
 * position cur_len - 1 (it was [MASK] the step before) and a new [MASK] at
 * cur_len. All 2·B rows go through every linear together. */
gboolean
_ov_device_cache_step (OvDeviceCache *dc, gint32 *const *seqs, int cur_len,
                       float *host_logits, GError **error)
{
  OvModel *model = dc->model;
  const OvBackend *be = model->backend;
  const OvConfig *c = &model->config;
  int h = c->hidden_size, nb = dc->n_beams;
  int m = 2 * nb, nk = dc->n_keys;
  g_autofree gint32 *ids = g_new (gint32, m);
  g_autofree gint32 *pos = g_new (gint32, m);
  g_autofree gint32 *types = g_new0 (gint32, m);
  /* the mask's two rows, then the append position */
  g_autofree float *mask = g_new (float, (gsize) 2 * nk + 1);
  StepBuffers sb;

  step_buffers (dc, dc->scratch, &sb);
  for (int b = 0; b < nb; b++)
    {
      ids[2 * b] = seqs[b][cur_len - 1];
      pos[2 * b] = cur_len - 1;
      ids[2 * b + 1] = ov_tokenizer_mask_id (model->tokenizer);
      pos[2 * b + 1] = cur_len;
    }
  /* row 0 sees caption slots 0..cur_len-1, row 1 also cur_len; both see
   * the tags and regions */
  for (int r = 0; r < 2; r++)
    for (int j = 0; j < nk; j++)
      mask[(gsize) r * nk + j] = j >= dc->max_len || j <= cur_len - 1 + r ? 0.0f : -10000.0f;
  mask[(gsize) 2 * nk] = (float) (cur_len - 1);
  /* one upload: the mask and the position sit side by side in scratch */
  be->upload (be, sb.mask, mask, (gsize) 2 * nk + 1);

  be->embed (be, sb.x, model->word_emb, model->pos_emb, model->type_emb, ids, pos, types, m, h);
  be->add_layer_norm (be, sb.x, NULL, model->emb_ln_g, model->emb_ln_b, m, h,
                      (float) c->layer_norm_eps);
  if (!step_graph (dc, &sb))
    step_layers (dc, &sb, cur_len);
  if (host_logits != NULL)
    be->download (be, host_logits, dc->logits, (gsize) nb * c->vocab_size);
  return ov_backend_check (be, error);
}

/* Beam b continues beam src[b]: its caption rows 0..n_rows-1 in every
 * (layer, K or V) block, in one call. */
void
_ov_device_cache_reorder (OvDeviceCache *dc, const int *src, int n_rows)
{
  const OvBackend *be = dc->model->backend;
  int h = dc->model->config.hidden_size;
  gsize beam = beam_floats (dc);
  float *tmp;

  be->copy_runs (be, dc->kv_spare, beam, dc->kv, beam, src, dc->n_beams,
                 2 * dc->model->config.num_hidden_layers, (gsize) dc->n_keys * h,
                 (gsize) n_rows * h);
  tmp = dc->kv;
  dc->kv = dc->kv_spare;
  dc->kv_spare = tmp;
}
