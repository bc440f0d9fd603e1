/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Caption decoding (§4.3): greedy and beam search exactly as the original
 * generate() runs them, over two step functions that give the same
 * next-token logits: the original's uncached step (the whole sequence again)
 * and a cached one that keeps every layer's keys and values of the tags,
 * the regions and the finished caption words, so a step only runs the last
 * word and the new [MASK] of each beam.
 *
 * The cached step here works in host memory (the CPU backend); a device
 * backend runs ov-decode-device.c's instead. A backend that can score the
 * beams itself (log_softmax_topk) does, and only the candidates come back.
 */
#define G_LOG_DOMAIN "ov-decode"

#include <float.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>

#include "ov-model-private.h"
#include "ov-i18n.h"

void
ov_caption_options_init (OvCaptionOptions *opts)
{
  g_return_if_fail (opts != NULL);
  /* The published COCO inference setting (§4.5). */
  opts->num_beams = 5;
  opts->max_length = 0;            /* 0 = the model's max_gen_length */
  opts->n_best = 1;
  opts->length_penalty = 1.0;
  opts->repetition_penalty = 1.0;
  opts->use_cache = TRUE;
  opts->constraints = NULL;
}

void
ov_caption_free (OvCaption *caption)
{
  if (caption == NULL)
    return;
  g_clear_pointer (&caption->ids, g_array_unref);
  g_clear_pointer (&caption->token_logprobs, g_array_unref);
  g_free (caption->text);
  g_free (caption);
}

typedef struct {
  OvModel           *model;
  OvCaptionContext  *ctx;
  int                n_beams;
  int                max_len;
  gboolean           use_cache;

  /* Cache, sized exactly. The tags and regions never see the caption, so
   * their keys and values are the same in every beam and every step, kept
   * once: ctx_v[l] (n_ctx, H) and ctx_k[l] transposed by head, (A, d, n_ctx)
   * with d the head size, so that a query's scores against them are
   * computed eight keys at a time without sums across lanes.
   *
   * Caption rows: cap holds, per layer, K then V, each (max_len, n_beams,
   * H): the row a beam computed at a position, in the beam's slot. A row
   * never changes once its position is behind the step, so beams that
   * reorder share their history instead of copying it: slots[b] (max_len)
   * says in which slot each position of beam b's caption lies, and
   * reordering copies only those indices (slots_spare is the second set). */
  int                n_ctx;
  float            **ctx_k;
  float            **ctx_v;
  float             *cap;
  int               *slots;
  int               *slots_spare;

  /* The cache of a device backend (ov-decode-device.c), else NULL. */
  OvDeviceCache     *dev;
  /* The backend picks the candidates (log_softmax_topk) from the logits
   * where they are: the device cache's, or the host array. */
  gboolean           device_scores;
} Decoder;

/* Floats of the caption rows of one layer: K and V. */
static gsize
cap_layer_floats (const Decoder *dec)
{
  return (gsize) 2 * dec->max_len * dec->n_beams * dec->model->config.hidden_size;
}

/* Row j of beam b's caption in a layer's K or V (base), given its slots. */
static inline gsize
cap_row (const int *slots, int j, int n_beams, int h)
{
  return ((gsize) j * n_beams + slots[j]) * h;
}

static void
decoder_clear (Decoder *dec)
{
  int n_layers = dec->model->config.num_hidden_layers;

  g_clear_pointer (&dec->dev, _ov_device_cache_free);
  g_clear_pointer (&dec->cap, g_free);
  g_clear_pointer (&dec->slots, g_free);
  g_clear_pointer (&dec->slots_spare, g_free);
  if (dec->ctx_k != NULL)
    for (int l = 0; l < n_layers; l++)
      {
        g_free (dec->ctx_k[l]);
        g_free (dec->ctx_v[l]);
      }
  g_clear_pointer (&dec->ctx_k, g_free);
  g_clear_pointer (&dec->ctx_v, g_free);
}

/* n floats, not cleared, in 2 MiB pages where the kernel gives them for the
 * asking: a beam-5 caption's cache is some 7 MB that would otherwise be
 * faulted in 4 KiB at a time during the first steps. Freed with g_free. */
static float *
cache_arena_new (gsize n)
{
  gsize bytes = n * sizeof (float);
#if defined(MADV_HUGEPAGE)
  gsize huge = (gsize) 2 << 20;
  void *p = NULL;

  if (bytes >= huge && posix_memalign (&p, huge, (bytes + huge - 1) / huge * huge) == 0)
    {
      madvise (p, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE);
      return p;
    }
#endif
  return g_malloc (bytes);
}

/* k (n, H) as (A, d, n): head by head, dimension by dimension, the n keys
 * in a row. */
static float *
transpose_by_head (const float *k, int n, const OvModel *model)
{
  int h = model->config.hidden_size;
  float *t = g_new (float, (gsize) n * h);

  for (int j = 0; j < n; j++)
    for (int c = 0; c < h; c++)
      t[(gsize) c * n + j] = k[(gsize) j * h + c];
  return t;
}

/* Runs the tags and regions alone once: they never see the caption, so
 * their keys and values are those of every later step. The padding slots of
 * the uncached layout are left out; they only ever get zero weight. */
static gboolean
decoder_init_cache (Decoder *dec, GCancellable *cancellable, GError **error)
{
  OvModel *model = dec->model;
  const OvCaptionContext *ctx = dec->ctx;
  int n_layers = model->config.num_hidden_layers;
  int nt = ctx->n_tags_valid, nr = ctx->n_img_valid;

  if (!model->backend->host_memory)
    {
      dec->dev = _ov_device_cache_new (model, ctx, dec->n_beams, dec->max_len, cancellable,
                                       error);
      return dec->dev != NULL;
    }
  dec->n_ctx = nt + nr;
  /* every caption row is written before a step reads it: no clearing */
  dec->cap = cache_arena_new (cap_layer_floats (dec) * n_layers);
  dec->slots = g_new0 (int, (gsize) dec->n_beams * dec->max_len);
  dec->slots_spare = g_new0 (int, (gsize) dec->n_beams * dec->max_len);
  dec->ctx_k = g_new0 (float *, n_layers);
  dec->ctx_v = g_new0 (float *, n_layers);
  if (dec->n_ctx > 0)
    {
      g_autofree float *mask = g_new (float, dec->n_ctx);
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
      gboolean ok;

      for (int i = 0; i < dec->n_ctx; i++)
        mask[i] = 1.0f;
      ok = _ov_model_encode (model, &in, 0, &fwd, kv, cancellable, error);
      /* the layers' K and V become the cache as they are */
      for (int l = 0; l < n_layers; l++)
        {
          dec->ctx_k[l] = kv[l].k != NULL ? transpose_by_head (kv[l].k, dec->n_ctx, model)
                                          : NULL;
          g_free (kv[l].k);
          dec->ctx_v[l] = kv[l].v;
        }
      g_free (fwd.sequence_output);
      g_free (fwd.pooled);
      return ok;
    }
  return TRUE;
}

typedef float OvDecV8 __attribute__ ((vector_size (32), aligned (4)));

/* The attention and softmax loops of a step in an AVX2 copy too, taken
 * where the processor has it. glibc's libmvec has expf for 4 and 8 lanes;
 * saying so lets those loops call it instead of one expf a value (a beam-5
 * step takes 5 × V of them for the scores alone). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define OV_DEC_CLONES __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#if defined(__GLIBC__) && __GLIBC_PREREQ (2, 35)
float expf (float) __attribute__ ((simd ("notinbranch")));
#endif
#else
#define OV_DEC_CLONES
#endif

/* Scores of the two rows of a beam (q0, q1) against the n context keys of
 * one head, kt (d, n) as ctx_k keeps them: eight keys at a time, the FMAs
 * in increasing dimension. s0, s1 get n scores each, not yet scaled. */
OV_DEC_CLONES
static void
context_scores (float *s0, float *s1, const float *q0, const float *q1, const float *kt,
                int n, int head_dim)
{
  int j = 0;

  for (; j + 8 <= n; j += 8)
    {
      OvDecV8 a0 = { 0 }, a1 = { 0 };

      for (int d = 0; d < head_dim; d++)
        {
          OvDecV8 kv = *(const OvDecV8 *) (kt + (gsize) d * n + j);

          a0 += q0[d] * kv;
          a1 += q1[d] * kv;
        }
      memcpy (s0 + j, &a0, sizeof a0);
      memcpy (s1 + j, &a1, sizeof a1);
    }
  for (; j < n; j++)
    {
      float a0 = 0.0f, a1 = 0.0f;

      for (int d = 0; d < head_dim; d++)
        {
          a0 += q0[d] * kt[(gsize) d * n + j];
          a1 += q1[d] * kt[(gsize) d * n + j];
        }
      s0[j] = a0;
      s1[j] = a1;
    }
}

/* Softmax of p[0..n) after dividing by scale, in place. */
OV_DEC_CLONES
static void
scaled_softmax (float *p, int n, float scale)
{
  float max = -G_MAXFLOAT, sum = 0.0f;

  for (int j = 0; j < n; j++)
    {
      p[j] /= scale;
      max = MAX (max, p[j]);
    }
#pragma omp simd reduction(+:sum)
  for (int j = 0; j < n; j++)
    {
      p[j] = expf (p[j] - max);
      sum += p[j];
    }
  for (int j = 0; j < n; j++)
    p[j] /= sum;
}

/* Largest head size the weighted sums below keep in registers. */
#define OV_DEC_MAX_HEAD 128

/* The vector part of weighted_values, nv vectors of eight a row. */
__attribute__ ((always_inline)) static inline void
weighted_values_v8 (float *restrict out0, float *restrict out1, const float *p0,
                    const float *p1, const float *v, const int *slots, int n_beams, int n_cap,
                    const float *cv, int n_ctx, int h, const int nv)
{
  OvDecV8 a0[OV_DEC_MAX_HEAD / 8], a1[OV_DEC_MAX_HEAD / 8];

#pragma GCC unroll 16
  for (int e = 0; e < nv; e++)
    a0[e] = a1[e] = (OvDecV8) { 0 };
  for (int j = 0; j < n_cap; j++)
    {
#pragma GCC unroll 16
      for (int e = 0; e < nv; e++)
        {
          OvDecV8 x = *(const OvDecV8 *) (v + cap_row (slots, j, n_beams, h) + 8 * e);

          a0[e] += p0[j] * x;
          a1[e] += p1[j] * x;
        }
    }
#pragma GCC unroll 16
  for (int e = 0; e < nv; e++)
    a1[e] += p1[n_cap] * *(const OvDecV8 *) (v + cap_row (slots, n_cap, n_beams, h) + 8 * e);
  for (int j = 0; j < n_ctx; j++)
    {
#pragma GCC unroll 16
      for (int e = 0; e < nv; e++)
        {
          OvDecV8 x = *(const OvDecV8 *) (cv + (gsize) j * h + 8 * e);

          a0[e] += p0[n_cap + j] * x;
          a1[e] += p1[n_cap + 1 + j] * x;
        }
    }
#pragma GCC unroll 16
  for (int e = 0; e < nv; e++)
    {
      memcpy (out0 + 8 * e, &a0[e], sizeof a0[e]);
      memcpy (out1 + 8 * e, &a1[e], sizeof a1[e]);
    }
}

/* out0, out1 [0..d) = Σ_j p_j v_j for the two rows of a beam: over the
 * caption rows (v, the beam's rows found through its slots; row 0 weighs
 * the first n_cap, row 1 one more) and the context rows (cv, n_ctx, h
 * floats apart); p0 and p1 are laid out as
 * cached_attention_pair lays out the scores. Each value row is loaded once
 * for both; the sums stay in registers (head_dim a multiple of eight, at
 * most OV_DEC_MAX_HEAD; other sizes take the plain loop). */
OV_DEC_CLONES
static void
weighted_values (float *restrict out0, float *restrict out1, const float *p0,
                 const float *p1, const float *v, const int *slots, int n_beams, int n_cap,
                 const float *cv, int n_ctx, int h, int head_dim)
{
  int nv = head_dim / 8;

  if (head_dim % 8 != 0 || head_dim > OV_DEC_MAX_HEAD)
    {
      for (int d = 0; d < head_dim; d++)
        {
          float s0 = 0.0f, s1 = 0.0f;

          for (int j = 0; j <= n_cap; j++)
            {
              float vj = v[cap_row (slots, j, n_beams, h) + d];

              if (j < n_cap)
                s0 += p0[j] * vj;
              s1 += p1[j] * vj;
            }
          for (int j = 0; j < n_ctx; j++)
            {
              s0 += p0[n_cap + j] * cv[(gsize) j * h + d];
              s1 += p1[n_cap + 1 + j] * cv[(gsize) j * h + d];
            }
          out0[d] = s0;
          out1[d] = s1;
        }
      return;
    }
  /* the common head size with a constant count, so the sums stay in registers */
  if (nv == 8)
    weighted_values_v8 (out0, out1, p0, p1, v, slots, n_beams, n_cap, cv, n_ctx, h, 8);
  else
    weighted_values_v8 (out0, out1, p0, p1, v, slots, n_beams, n_cap, cv, n_ctx, h, nv);
}

/* Attention of the cached step for one beam and head, both rows at once:
 * row 0 (the last token) sees caption keys 0..n_cap-1 of the beam, row 1
 * (the new [MASK]) also n_cap, and both the context keys (shared): the keys
 * the uncached step's mask lets each row see, and no others. Scores are
 * laid out caption keys first. p is scratch of 2·(n_ctx + n_cap + 1)
 * floats. */
static void
cached_attention_pair (float *out0, float *out1, float *p, const float *q0, const float *q1,
                       const float *ckt, const float *cv, int n_ctx, const float *k,
                       const float *v, const int *slots, int n_beams, int n_cap, int h,
                       int head_dim)
{
  float scale = sqrtf ((float) head_dim);
  int n1 = n_cap + 1 + n_ctx;
  float *p0 = p, *p1 = p + n1;

  for (int j = 0; j <= n_cap; j++)
    {
      const float *kj = k + cap_row (slots, j, n_beams, h);
      float s0 = 0.0f, s1 = 0.0f;

#pragma omp simd reduction(+:s0, s1)
      for (int d = 0; d < head_dim; d++)
        {
          s0 += q0[d] * kj[d];
          s1 += q1[d] * kj[d];
        }
      if (j < n_cap)
        p0[j] = s0;
      p1[j] = s1;
    }
  if (n_ctx > 0)
    context_scores (p0 + n_cap, p1 + n_cap + 1, q0, q1, ckt, n_ctx, head_dim);
  scaled_softmax (p0, n_cap + n_ctx, scale);
  scaled_softmax (p1, n1, scale);
  weighted_values (out0, out1, p0, p1, v, slots, n_beams, n_cap, cv, n_ctx, h, head_dim);
}

/* The attention of a cached step: tasks (beam, head), per_chunk of them a
 * chunk. */
typedef struct
{
  Decoder     *dec;
  float       *cx;
  const float *q, *ck, *cv;
  float       *scratch;   /* 2·(n_ctx + max_len + 1) floats a thread */
  int          layer, cur_len, n_tasks, per_chunk;
} CachedAttentionJob;

static void
cached_attention_task (const CachedAttentionJob *j, int t, float *p)
{
  const Decoder *dec = j->dec;
  const OvConfig *c = &dec->model->config;
  int h = c->hidden_size, n_heads = c->num_attention_heads, head_dim = h / n_heads;
  int nb = dec->n_beams;
  /* head-major: the beams of a head follow each other and find its context
   * keys and values in cache */
  int b = t % nb, hd = t / nb;
  const float *kb = dec->cap + cap_layer_floats (dec) * j->layer;
  const float *vb = kb + (gsize) dec->max_len * nb * h;
  gsize row0 = (gsize) 2 * b * h + hd * head_dim, row1 = row0 + h;

  cached_attention_pair (j->cx + row0, j->cx + row1, p, j->q + row0, j->q + row1,
                         dec->n_ctx > 0 ? j->ck + (gsize) hd * head_dim * dec->n_ctx : NULL,
                         dec->n_ctx > 0 ? j->cv + hd * head_dim : NULL, dec->n_ctx,
                         kb + hd * head_dim, vb + hd * head_dim,
                         dec->slots + (gsize) b * dec->max_len, nb, j->cur_len, h, head_dim);
}

static void
cached_attention_chunk (gpointer data, int chunk, int thread)
{
  const CachedAttentionJob *j = data;
  float *p = j->scratch + (gsize) thread * 2 * (j->dec->n_ctx + j->dec->max_len + 1);

  for (int t = chunk * j->per_chunk; t < MIN (j->n_tasks, (chunk + 1) * j->per_chunk); t++)
    cached_attention_task (j, t, p);
}

/* Moves the [MASK] row of each beam (rows 2b + 1 of a step) to row b. */
static void
keep_mask_rows (float *x, int nb, int h)
{
  for (int b = 0; b < nb; b++)
    memmove (x + (gsize) b * h, x + (gsize) (2 * b + 1) * h, (gsize) h * sizeof (float));
}

/* The cached step at cur_len: each beam's rows are its last token at
 * position cur_len - 1 (it was [MASK] the step before) and a new [MASK] at
 * cur_len. All 2·B rows go through every linear together, so the weights
 * are read once per step. logits (B, V). */
static gboolean
step_cached (Decoder *dec, gint32 *const *seqs, int cur_len, float *logits,
             GError **error)
{
  OvModel *model = dec->model;
  const OvBackend *be = model->backend;
  const OvConfig *c = &model->config;
  int h = c->hidden_size, inter = c->intermediate_size, nb = dec->n_beams;
  int n_heads = c->num_attention_heads, head_dim = h / n_heads;
  int m = 2 * nb, rows = m, n_ctx = dec->n_ctx, max_len = dec->max_len;
  gsize layer = cap_layer_floats (dec);
  g_autofree gint32 *ids = g_new (gint32, m);
  g_autofree gint32 *pos = g_new (gint32, m);
  g_autofree gint32 *types = g_new0 (gint32, m);
  g_autofree float *x = g_new (float, (gsize) m * h);
  g_autofree float *q = g_new (float, (gsize) m * h);
  g_autofree float *k = g_new (float, (gsize) m * h);
  g_autofree float *v = g_new (float, (gsize) m * h);
  g_autofree float *cx = g_new (float, (gsize) m * h);
  g_autofree float *a1 = g_new (float, (gsize) m * h);
  g_autofree float *f = g_new (float, (gsize) m * inter);
  int n_tasks = nb * n_heads;
  g_autofree float *scratch = g_new (float, (gsize) be->n_threads * 2 * (n_ctx + max_len + 1));
  CachedAttentionJob job = {
    .dec = dec, .cx = cx, .q = q, .scratch = scratch, .cur_len = cur_len, .n_tasks = n_tasks,
  };

  for (int b = 0; b < nb; b++)
    {
      dec->slots[(gsize) b * max_len + cur_len - 1] = b;
      dec->slots[(gsize) b * max_len + cur_len] = b;
      ids[2 * b] = seqs[b][cur_len - 1];
      pos[2 * b] = cur_len - 1;
      ids[2 * b + 1] = ov_tokenizer_mask_id (model->tokenizer);
      pos[2 * b + 1] = cur_len;
    }

  be->embed (be, x, model->word_emb, model->pos_emb, model->type_emb, ids, pos, types, m, h);
  be->add_layer_norm (be, x, NULL, model->emb_ln_g, model->emb_ln_b, m, h,
                      (float) c->layer_norm_eps);
  for (int l = 0; l < c->num_hidden_layers; l++)
    {
      const OvLayerWeights *w = &model->layers[l];
      const float *ck = dec->ctx_k[l], *cv = dec->ctx_v[l];

      be->linear (be, q, x, w->q_w, w->q_b, m, h, h);
      be->linear (be, k, x, w->k_w, w->k_b, m, h, h);
      be->linear (be, v, x, w->v_w, w->v_b, m, h, h);
      for (int b = 0; b < nb; b++)
        {
          float *kb = dec->cap + layer * l;
          float *vb = kb + (gsize) max_len * nb * h;

          /* positions cur_len - 1 and cur_len, in the beam's own slot */
          for (int r = 0; r < 2; r++)
            {
              gsize at = ((gsize) (cur_len - 1 + r) * nb + b) * h;

              memcpy (kb + at, k + (gsize) (2 * b + r) * h, (gsize) h * 4);
              memcpy (vb + at, v + (gsize) (2 * b + r) * h, (gsize) h * 4);
            }
        }
      /* row 0 of a beam sees caption slots 0..cur_len-1, row 1 also cur_len */
      job.ck = ck;
      job.cv = cv;
      job.layer = l;
      job.per_chunk = (gint64) 2 * n_tasks * (n_ctx + cur_len) * head_dim > (1 << 18) ? 1 : n_tasks;
      _ov_backend_cpu_run (be, (n_tasks + job.per_chunk - 1) / job.per_chunk,
                           cached_attention_chunk, &job);
      if (l == c->num_hidden_layers - 1)
        {
          /* After the last layer's keys and values only the [MASK] rows
           * are wanted (the LM head reads nothing else): the rest of the
           * layer runs on them alone. */
          keep_mask_rows (cx, nb, h);
          keep_mask_rows (x, nb, h);
          rows = nb;
        }
      _ov_model_layer_ffn (model, w, x, cx, a1, f, rows);
    }
  if (rows != nb)   /* no layers */
    keep_mask_rows (x, nb, h);
  /* the [MASK] rows, in beam order */
  _ov_model_lm_head (model, x, nb, logits);
  return TRUE;
}

/* The original's step: [CLS] w1..wk [MASK] + tag slots + regions, whole. */
static gboolean
step_uncached (Decoder *dec, gint32 *const *seqs, int cur_len, float *logits,
               GCancellable *cancellable, GError **error)
{
  OvModel *model = dec->model;
  int h = model->config.hidden_size;

  for (int b = 0; b < dec->n_beams; b++)
    {
      g_autoptr(OvEncoding) enc = _ov_caption_step_encoding (model, dec->ctx, seqs[b], cur_len);
      OvForward fwd = { 0 };

      if (!_ov_model_encode (model, &enc->inputs, 0, &fwd, NULL, cancellable, error))
        {
          g_free (fwd.sequence_output);
          g_free (fwd.pooled);
          return FALSE;
        }
      _ov_model_lm_head (model, fwd.sequence_output + (gsize) enc->query_index * h, 1,
                         logits + (gsize) b * model->config.vocab_size);
      g_free (fwd.sequence_output);
      g_free (fwd.pooled);
    }
  return ov_backend_check (model->backend, error);
}

static gboolean
decoder_step (Decoder *dec, gint32 *const *seqs, int cur_len, float *logits,
              GCancellable *cancellable, GError **error)
{
  gboolean ok;
  gsize n_logits;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (dec->dev != NULL)
    ok = _ov_device_cache_step (dec->dev, seqs, cur_len, dec->device_scores ? NULL : logits,
                                error);
  else if (dec->use_cache)
    ok = step_cached (dec, seqs, cur_len, logits, error);
  else
    ok = step_uncached (dec, seqs, cur_len, logits, cancellable, error);
  if (!ok)
    return FALSE;
  /* device scoring checks its rows itself (device_candidates) */
  n_logits = dec->device_scores ? 0 : (gsize) dec->n_beams * dec->model->config.vocab_size;
  for (gsize i = 0; i < n_logits; i++)
    if (!isfinite (logits[i]))
      /* names the weight that is not finite (or says the arithmetic
       * overflowed) */
      return _ov_model_check_output (dec->model, logits + i, 1, error);
  return TRUE;
}

/* Reorders the cache by surviving beam: beam b continues beam src[b], whose
 * caption rows 0..n_rows-1 it takes over (the context rows are shared). */
static void
decoder_reorder (Decoder *dec, const int *src, int n_rows)
{
  int *tmp;

  if (!dec->use_cache)
    return;
  if (dec->dev != NULL)
    {
      _ov_device_cache_reorder (dec->dev, src, n_rows);
      return;
    }
  /* the rows stay where they are; beam b takes over beam src[b]'s slots */
  for (int b = 0; b < dec->n_beams; b++)
    memcpy (dec->slots_spare + (gsize) b * dec->max_len,
            dec->slots + (gsize) src[b] * dec->max_len, (gsize) n_rows * sizeof (int));
  tmp = dec->slots;
  dec->slots = dec->slots_spare;
  dec->slots_spare = tmp;
}

static void
apply_repetition_penalty (float *logits, const gint32 *seq, int len, double penalty)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (int i = 0; i < len; i++)
    {
      float *l = &logits[seq[i]];

      if (!g_hash_table_add (seen, GINT_TO_POINTER (seq[i] + 1)))
        continue;
      /* within the penalties taken no real logit leaves the float range;
       * the clamp keeps an absurd one from becoming infinite */
      if (*l < 0)
        *l = (float) MAX (*l * penalty, -FLT_MAX);
      else
        *l = (float) MIN (*l / penalty, FLT_MAX);
    }
}

/* out (n) = exp (x - max) */
OV_DEC_CLONES
static void
exp_shifted (float *out, const float *x, int n, float max)
{
#pragma omp simd
  for (int i = 0; i < n; i++)
    out[i] = expf (x[i] - max);
}

/* log_softmax of a row in float32, as PyTorch gives it: x - max - log Σ exp.
 * *max_out and *lse_out give any entry again as (x - max) - lse. */
static void
log_softmax (float *out, const float *x, int n, float *max_out, float *lse_out)
{
  float max = -G_MAXFLOAT;
  double sum = 0.0;
  float lse;

  for (int i = 0; i < n; i++)
    max = MAX (max, x[i]);
  exp_shifted (out, x, n, max);
  for (int i = 0; i < n; i++)
    sum += out[i];
  lse = (float) log (sum);
  for (int i = 0; i < n; i++)
    out[i] = (x[i] - max) - lse;
  *max_out = max;
  *lse_out = lse;
}

/* ids (n) from [CLS] to [SEP]; lps (n - 1): the log-prob of each token after [CLS] */
static OvCaption *
caption_new (OvModel *model, const gint32 *ids, const float *lps, int n, double score)
{
  OvCaption *cap = g_new0 (OvCaption, 1);

  cap->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint32), n);
  g_array_append_vals (cap->ids, ids, n);
  cap->token_logprobs = g_array_sized_new (FALSE, FALSE, sizeof (double), n - 1);
  for (int i = 0; i < n - 1; i++)
    {
      double v = lps[i];

      g_array_append_val (cap->token_logprobs, v);
    }
  cap->text = ov_tokenizer_decode (model->tokenizer, ids, n, TRUE);
  cap->score = score;
  cap->constraints_met = -1;
  return cap;
}

typedef struct {
  float  score;
  int    index;     /* beam · V + word */
  float  lp;        /* its log-probability (device scoring only) */
} Candidate;

static int
candidate_compare (gconstpointer a, gconstpointer b)
{
  const Candidate *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* The k best candidates over all beams, as top_k picks them from the host
 * scores, from the backend's k best of each beam (a beam's share of the
 * overall best is among its own k best). host_logits are the step's logits
 * when the cache keeps none on the backend. */
static gboolean
device_candidates (Decoder *dec, const float *host_logits, int cur_len,
                   const float *beam_scores, int k, Candidate *out, GError **error)
{
  const OvBackend *be = dec->model->backend;
  int nb = dec->n_beams, v = dec->model->config.vocab_size, n = 0;
  const float *logits = dec->dev != NULL ? _ov_device_cache_logits (dec->dev) : host_logits;
  g_autofree float *row_max = g_new (float, nb);
  g_autofree float *row_lse = g_new (float, nb);
  g_autofree float *scores = g_new (float, (gsize) nb * k);
  g_autofree gint32 *words = g_new (gint32, (gsize) nb * k);
  g_autofree float *lps = g_new (float, (gsize) nb * k);
  g_autofree Candidate *all = g_new (Candidate, (gsize) nb * k);

  if (!be->log_softmax_topk (be, logits, beam_scores, nb, v, k, row_max, row_lse, scores,
                             words, lps, error))
    return FALSE;
  for (int b = 0; b < nb; b++)
    if (!isfinite (row_max[b]) || !isfinite (row_lse[b]))
      /* names the weight that is not finite (or says the arithmetic
       * overflowed) */
      return _ov_model_check_output (dec->model, isfinite (row_max[b]) ? &row_lse[b]
                                                                         : &row_max[b], 1,
                                     error);
  for (int i = 0; i < nb * k; i++)
    if (words[i] >= 0)
      {
        all[n].score = scores[i];
        all[n].index = (i / k) * v + words[i];
        all[n].lp = lps[i];
        n++;
      }
  qsort (all, n, sizeof (Candidate), candidate_compare);
  if (n < k)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FAILED, _ ("%s: only %d candidates at step %d"),
                   dec->model->path, n, cur_len);
      return FALSE;
    }
  memcpy (out, all, (gsize) k * sizeof (Candidate));
  return TRUE;
}

/* _generate_no_beam_search */
static GPtrArray *
decode_greedy (Decoder *dec, const OvCaptionOptions *opts, GCancellable *cancellable,
               GError **error)
{
  OvModel *model = dec->model;
  int vsize = model->config.vocab_size;
  gint32 sep = ov_tokenizer_sep_id (model->tokenizer);
  g_autofree gint32 *seq = g_new0 (gint32, dec->max_len);
  g_autofree float *lps = g_new0 (float, dec->max_len);
  g_autofree float *logits = g_new (float, vsize);
  g_autofree float *lp = g_new (float, vsize);
  GPtrArray *out;
  double sum = 0.0;
  int cur_len = 1, n_steps = 0;
  gboolean finished = FALSE;

  seq[0] = ov_tokenizer_cls_id (model->tokenizer);
  while (cur_len < dec->max_len)
    {
      int best = 0;
      float max, lse, lp_best;

      if (!decoder_step (dec, &seq, cur_len, logits, cancellable, error))
        return NULL;
      if (dec->device_scores)
        {
          const float zero = 0.0f;
          Candidate c;

          if (!device_candidates (dec, logits, cur_len, &zero, 1, &c, error))
            return NULL;
          best = c.index;
          lp_best = c.lp;
        }
      else
        {
          if (opts->repetition_penalty != 1.0)
            apply_repetition_penalty (logits, seq, cur_len, opts->repetition_penalty);
          for (int i = 1; i < vsize; i++)
            if (logits[i] > logits[best])
              best = i;
          log_softmax (lp, logits, vsize, &max, &lse);
          lp_best = lp[best];
        }
      /* the log-prob counts while the sequence was unfinished, the [SEP]
       * step included */
      sum += lp_best;
      lps[cur_len - 1] = lp_best;
      n_steps++;
      seq[cur_len++] = best;
      if (best == sep)
        {
          finished = TRUE;
          break;
        }
    }
  /* a caption that ran to max_length ends with [SEP] in place of its last word */
  if (!finished)
    seq[cur_len - 1] = sep;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ov_caption_free);
  g_ptr_array_add (out, caption_new (model, seq, lps, cur_len, sum / MAX (n_steps, 1)));
  return out;
}

typedef struct {
  double  score;
  gint32 *ids;      /* [CLS] w1..wk, without the final word */
  float  *lps;      /* (len): log-probs of w1..wk, then of the final word */
  int     len;
  guint   order;    /* insertion order, for ties */
} Hypothesis;

typedef struct {
  GArray *hyps;         /* Hypothesis */
  int     n_keep;
  double  worst;
  guint   counter;
} BeamHypotheses;

static void
hyps_add (BeamHypotheses *bh, const gint32 *ids, const float *lps, float last_lp, int len,
          double sum_logprobs, double length_penalty)
{
  double score = sum_logprobs / pow (len, length_penalty);
  Hypothesis hyp;

  if ((int) bh->hyps->len >= bh->n_keep && !(score > bh->worst))
    return;
  hyp.score = score;
  hyp.ids = g_memdup2 (ids, (gsize) len * sizeof (gint32));
  hyp.lps = g_new (float, len);
  memcpy (hyp.lps, lps + 1, (gsize) (len - 1) * sizeof (float));
  hyp.lps[len - 1] = last_lp;
  hyp.len = len;
  hyp.order = bh->counter++;
  g_array_append_val (bh->hyps, hyp);
  if ((int) bh->hyps->len > bh->n_keep)
    {
      /* drop the lowest (the earliest among equals); worst = the next lowest */
      guint lo = 0;
      double second = G_MAXDOUBLE;

      for (guint i = 1; i < bh->hyps->len; i++)
        if (g_array_index (bh->hyps, Hypothesis, i).score
            < g_array_index (bh->hyps, Hypothesis, lo).score)
          lo = i;
      g_free (g_array_index (bh->hyps, Hypothesis, lo).ids);
      g_free (g_array_index (bh->hyps, Hypothesis, lo).lps);
      g_array_remove_index (bh->hyps, lo);
      for (guint i = 0; i < bh->hyps->len; i++)
        second = MIN (second, g_array_index (bh->hyps, Hypothesis, i).score);
      bh->worst = second;
    }
  else
    bh->worst = MIN (score, bh->worst);
}

static gboolean
hyps_is_done (BeamHypotheses *bh, double best_sum, int max_len, double length_penalty)
{
  if ((int) bh->hyps->len < bh->n_keep)
    return FALSE;
  return bh->worst >= best_sum / pow (max_len - 1, length_penalty);
}

static int
hyp_compare (gconstpointer a, gconstpointer b)
{
  const Hypothesis *ha = a, *hb = b;

  if (ha->score != hb->score)
    return ha->score > hb->score ? -1 : 1;
  return ha->order < hb->order ? -1 : 1;
}

/* Keeps the k best of n scores, sorted descending, lower index first on ties. */
static void
top_k (const float *scores, gsize n, int k, Candidate *out)
{
  int filled = 0;

  for (gsize i = 0; i < n; i++)
    {
      float s = scores[i];
      int j;

      if (filled == k && !(s > out[k - 1].score))
        continue;
      j = filled < k ? filled++ : k - 1;
      while (j > 0 && s > out[j - 1].score)
        {
          out[j] = out[j - 1];
          j--;
        }
      out[j].score = s;
      out[j].index = (int) i;
    }
}

/* A beam's scores for the next word (its log-softmax plus the beam's score)
 * and the k best of them, indexed beam · V + word: one beam a chunk. */
typedef struct
{
  const float *logits;
  float       *scores;
  const float *beam_scores;
  float       *row_max, *row_lse;
  Candidate   *best;      /* k a beam */
  int          vsize, k;
} BeamScoreJob;

static void
beam_score_chunk (gpointer data, int b, int thread)
{
  const BeamScoreJob *j = data;
  const float *row = j->logits + (gsize) b * j->vsize;
  float *srow = j->scores + (gsize) b * j->vsize;
  Candidate *best = j->best + (gsize) b * j->k;

  log_softmax (srow, row, j->vsize, &j->row_max[b], &j->row_lse[b]);
  for (int i = 0; i < j->vsize; i++)
    srow[i] += j->beam_scores[b];
  top_k (srow, j->vsize, j->k, best);
  for (int i = 0; i < j->k; i++)
    best[i].index += b * j->vsize;
}

/* _generate_beam_search, for one image */
static GPtrArray *
decode_beam (Decoder *dec, const OvCaptionOptions *opts, GCancellable *cancellable,
             GError **error)
{
  OvModel *model = dec->model;
  int nb = dec->n_beams, vsize = model->config.vocab_size, max_len = dec->max_len;
  gint32 sep = ov_tokenizer_sep_id (model->tokenizer);
  g_autofree float *beam_scores = g_new (float, nb);
  g_autofree float *logits = g_new (float, (gsize) nb * vsize);
  g_autofree float *scores = g_new (float, (gsize) nb * vsize);
  g_autofree Candidate *cand = g_new (Candidate, 2 * nb);
  g_autofree Candidate *beam_best = g_new (Candidate, (gsize) 2 * nb * nb);
  g_autofree int *src = g_new (int, nb);
  g_autofree gint32 *words = g_new (gint32, nb);
  g_autofree float *next_scores = g_new (float, nb);
  g_autofree gint32 *seq_data = g_new0 (gint32, (gsize) nb * max_len);
  g_autofree gint32 *seq_next = g_new0 (gint32, (gsize) nb * max_len);
  /* per beam, the log-prob of each token (index 0, [CLS], unused) */
  g_autofree float *lp_data = g_new0 (float, (gsize) nb * max_len);
  g_autofree float *lp_next = g_new0 (float, (gsize) nb * max_len);
  g_autofree float *row_max = g_new (float, nb);
  g_autofree float *row_lse = g_new (float, nb);
  g_autofree float *next_lp = g_new (float, nb);
  g_autofree gint32 **seqs = g_new (gint32 *, nb);
  BeamHypotheses bh = { g_array_new (FALSE, FALSE, sizeof (Hypothesis)), opts->n_best,
                        1e9, 0 };
  GPtrArray *out = NULL;
  int cur_len = 1;

  for (int b = 0; b < nb; b++)
    {
      seqs[b] = seq_data + (gsize) b * max_len;
      seqs[b][0] = ov_tokenizer_cls_id (model->tokenizer);
      beam_scores[b] = b == 0 ? 0.0f : -1e9f;
    }
  while (cur_len < max_len)
    {
      int n_next = 0;

      if (!decoder_step (dec, seqs, cur_len, logits, cancellable, error))
        goto out;
      if (dec->device_scores)
        {
          if (!device_candidates (dec, logits, cur_len, beam_scores, 2 * nb, cand, error))
            goto out;
        }
      else
        {
          BeamScoreJob job = { logits, scores, beam_scores, row_max, row_lse, beam_best,
                               vsize, MIN (2 * nb, vsize) };

          if (opts->repetition_penalty != 1.0)
            for (int b = 0; b < nb; b++)
              apply_repetition_penalty (logits + (gsize) b * vsize, seqs[b], cur_len,
                                        opts->repetition_penalty);
          if (model->backend->host_memory && nb > 1)
            _ov_backend_cpu_run (model->backend, nb, beam_score_chunk, &job);
          else
            for (int b = 0; b < nb; b++)
              beam_score_chunk (&job, b, 0);
          /* the best 2·B overall are among the best 2·B of each beam; the
           * order (score, then index) is top_k's */
          qsort (beam_best, (gsize) nb * job.k, sizeof (Candidate), candidate_compare);
          memcpy (cand, beam_best, (gsize) 2 * nb * sizeof (Candidate));
        }

      if (hyps_is_done (&bh, cand[0].score, max_len, opts->length_penalty))
        break;
      for (int i = 0; i < 2 * nb; i++)
        {
          int beam = cand[i].index / vsize, word = cand[i].index % vsize;
          float lp = dec->device_scores
                     ? cand[i].lp
                     : (logits[(gsize) beam * vsize + word] - row_max[beam]) - row_lse[beam];

          if (word == sep || cur_len + 1 == max_len)
            hyps_add (&bh, seqs[beam], lp_data + (gsize) beam * max_len, lp, cur_len,
                      cand[i].score, opts->length_penalty);
          else
            {
              next_scores[n_next] = cand[i].score;
              next_lp[n_next] = lp;
              words[n_next] = word;
              src[n_next] = beam;
              n_next++;
            }
          if (n_next == nb)
            break;
        }
      if (cur_len + 1 == max_len)
        break;
      /* n_next == nb here: 2·B candidates hold at most B [SEP]s */
      g_assert (n_next == nb);
      for (int b = 0; b < nb; b++)
        {
          memcpy (seq_next + (gsize) b * max_len, seqs[src[b]], (gsize) cur_len * 4);
          seq_next[(gsize) b * max_len + cur_len] = words[b];
          memcpy (lp_next + (gsize) b * max_len, lp_data + (gsize) src[b] * max_len,
                  (gsize) cur_len * 4);
          lp_next[(gsize) b * max_len + cur_len] = next_lp[b];
          beam_scores[b] = next_scores[b];
        }
      memcpy (seq_data, seq_next, (gsize) nb * max_len * 4);
      memcpy (lp_data, lp_next, (gsize) nb * max_len * 4);
      decoder_reorder (dec, src, cur_len);
      cur_len++;
    }

  g_array_sort (bh.hyps, hyp_compare);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ov_caption_free);
  for (guint i = 0; i < bh.hyps->len && (int) i < opts->n_best; i++)
    {
      Hypothesis *hyp = &g_array_index (bh.hyps, Hypothesis, i);
      g_autofree gint32 *ids = g_new (gint32, hyp->len + 1);

      memcpy (ids, hyp->ids, (gsize) hyp->len * 4);
      ids[hyp->len] = sep;
      g_ptr_array_add (out, caption_new (model, ids, hyp->lps, hyp->len + 1, hyp->score));
    }
out:
  for (guint i = 0; i < bh.hyps->len; i++)
    {
      g_free (g_array_index (bh.hyps, Hypothesis, i).ids);
      g_free (g_array_index (bh.hyps, Hypothesis, i).lps);
    }
  g_array_unref (bh.hyps);
  return out;
}

/* Constrained beam search (§4.6): ConstrainedBeamSearch.search, then
 * select_best_beam_with_constraints, for one image. The decoder's rows are
 * the states' beams, state-major: row s·K + b is beam b of state s. Each
 * step, every state takes the K best of what its incoming arcs allow from
 * every row: a word the arc allows, at the row's score plus the word's
 * log-probability (a row that has written [SEP] may only write it again, at
 * no cost). A state offered fewer than K fills up with what the original
 * gives a forbidden word, -1e20 (at the first step, -inf); such rows are
 * written as [SEP] here, and can never overtake a real one. Nothing is
 * ranked by length until the end, and the penalties are not used, as in the
 * original. */

/* The original's score for a word an arc forbids. */
#define CBS_FORBIDDEN (-1e20f)
/* beams a state (ov_model_caption's bound) */
#define CBS_MAX_BEAMS 64
/* rows of states times beams: the cache of a base model's 20-token caption
 * takes 1.5 MB a row */
#define CBS_MAX_ROWS 512

typedef struct {
  float  score;
  int    key;      /* source row · K + rank in it: the original's order among equals */
  int    src;
  gint32 word;
  float  lp;
} CbsCandidate;

static int
cbs_candidate_compare (gconstpointer a, gconstpointer b)
{
  const CbsCandidate *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->key < y->key ? -1 : x->key > y->key;
}

/* The log-softmax of a row that has not finished, and its m best words. */
typedef struct {
  const float    *logits;
  float          *lsm;       /* (R, V) */
  Candidate      *best;      /* (R, m): index = word */
  const gboolean *finished;
  int             vsize, m;
} CbsScoreJob;

static void
cbs_score_chunk (gpointer data, int r, int thread)
{
  const CbsScoreJob *j = data;
  float mx, lse;

  if (j->finished[r])
    return;
  log_softmax (j->lsm + (gsize) r * j->vsize, j->logits + (gsize) r * j->vsize, j->vsize,
               &mx, &lse);
  top_k (j->lsm + (gsize) r * j->vsize, j->vsize, j->m, j->best + (gsize) r * j->m);
}

/* Adds to out (n) the up to K words arc allows after row r, best first. */
static int
cbs_row_candidates (const OvCbsArc *arc, int r, int K, int vsize, int m, const float *lsm,
                    const Candidate *best, gboolean finished, float last, gint32 sep,
                    CbsCandidate *out)
{
  Candidate picked[CBS_MAX_BEAMS];
  int n = 0;

  if (finished)
    {
      if (!_ov_cbs_arc_allows (arc, sep))
        return 0;
      out[0] = (CbsCandidate) { last, r * K, r, sep, 0.0f };
      return 1;
    }
  if (arc->all)
    {
      /* m = K + the most words an arc takes out: enough */
      for (int i = 0; i < m && n < K; i++)
        if (_ov_cbs_arc_allows (arc, best[(gsize) r * m + i].index))
          picked[n++] = best[(gsize) r * m + i];
    }
  else
    {
      g_autofree Candidate *words = g_new (Candidate, MAX (arc->except->len, 1));

      for (guint i = 0; i < arc->except->len; i++)
        {
          gint32 w = g_array_index (arc->except, gint32, i);

          words[i] = (Candidate) { lsm[(gsize) r * vsize + w], w, 0.0f };
        }
      qsort (words, arc->except->len, sizeof (Candidate), candidate_compare);
      for (guint i = 0; i < arc->except->len && n < K; i++)
        picked[n++] = words[i];
    }
  for (int i = 0; i < n; i++)
    out[i] = (CbsCandidate) { picked[i].score + last, r * K + i, r, picked[i].index,
                              picked[i].score };
  return n;
}

static GPtrArray *
decode_cbs (Decoder *dec, const OvCbsFsm *fsm, int K, int min_satisfied,
            GCancellable *cancellable, GError **error)
{
  OvModel *model = dec->model;
  int S = fsm->n_states, R = dec->n_beams, vsize = model->config.vocab_size;
  int max_len = dec->max_len, m = K, cur_len = 1, need, chosen = -1;
  gint32 sep = ov_tokenizer_sep_id (model->tokenizer);
  g_autofree float *logits = g_new (float, (gsize) R * vsize);
  g_autofree float *lsm = g_new (float, (gsize) R * vsize);
  g_autofree gint32 *seq_data = g_new0 (gint32, (gsize) R * max_len);
  g_autofree gint32 *seq_next = g_new0 (gint32, (gsize) R * max_len);
  g_autofree float *lp_data = g_new0 (float, (gsize) R * max_len);
  g_autofree float *lp_next = g_new0 (float, (gsize) R * max_len);
  g_autofree float *last = g_new0 (float, R);
  g_autofree float *last_next = g_new0 (float, R);
  g_autofree gboolean *finished = g_new0 (gboolean, R);
  /* whether a row holds a caption the machine allows (not a filler) */
  g_autofree gboolean *real = g_new (gboolean, R);
  g_autofree gboolean *real_next = g_new (gboolean, R);
  g_autofree int *src = g_new0 (int, R);
  g_autofree gint32 **seqs = g_new (gint32 *, R);
  g_autofree Candidate *best = NULL;
  g_autofree CbsCandidate *cand = NULL;
  float chosen_score = 0.0f;
  g_autofree gint32 *ids = NULL;
  g_autofree float *lps = NULL;
  OvCaption *caption;
  GPtrArray *out;
  int n_ids = 1;

  for (gsize i = 0; i < (gsize) S * S; i++)
    if (fsm->arcs[i].all)
      m = MAX (m, K + (int) fsm->arcs[i].except->len);
  m = MIN (m, vsize);
  best = g_new (Candidate, (gsize) R * m);
  cand = g_new (CbsCandidate, (gsize) R * K);
  for (int r = 0; r < R; r++)
    {
      seqs[r] = seq_data + (gsize) r * max_len;
      seqs[r][0] = ov_tokenizer_cls_id (model->tokenizer);
      real[r] = TRUE;
    }

  while (cur_len < max_len)
    {
      /* the first step scores row 0 alone: every row holds [CLS] */
      int n_src = cur_len == 1 ? 1 : R;
      gboolean all_finished = TRUE;
      CbsScoreJob job = { logits, lsm, best, finished, vsize, m };

      for (int r = 0; r < R && cur_len > 1; r++)
        all_finished = all_finished && finished[r];
      if (cur_len > 1 && all_finished)
        break;
      if (!decoder_step (dec, seqs, cur_len, logits, cancellable, error))
        return NULL;
      if (model->backend->host_memory && n_src > 1)
        _ov_backend_cpu_run (model->backend, n_src, cbs_score_chunk, &job);
      else
        for (int r = 0; r < n_src; r++)
          cbs_score_chunk (&job, r, 0);

      for (int to = 0; to < S; to++)
        {
          int n = 0;

          for (int r = 0; r < n_src; r++)
            {
              const OvCbsArc *arc = &fsm->arcs[(gsize) (r / K) * S + to];

              if (arc->all || arc->except->len > 0)
                n += cbs_row_candidates (arc, r, K, vsize, m, lsm, best, finished[r],
                                         last[r], sep, cand + n);
            }
          qsort (cand, n, sizeof (CbsCandidate), cbs_candidate_compare);
          for (int b = 0; b < K; b++)
            {
              int r = to * K + b;
              CbsCandidate c = b < n ? cand[b]
                                     : (CbsCandidate) { cur_len == 1 ? -INFINITY : CBS_FORBIDDEN,
                                                        0, r, sep, 0.0f };

              c.lp = b < n ? c.lp : c.score;
              real_next[r] = b < n && real[c.src];
              src[r] = c.src;
              last_next[r] = c.score;
              memcpy (seq_next + (gsize) r * max_len, seqs[c.src], (gsize) cur_len * 4);
              seq_next[(gsize) r * max_len + cur_len] = c.word;
              memcpy (lp_next + (gsize) r * max_len, lp_data + (gsize) c.src * max_len,
                      (gsize) cur_len * 4);
              lp_next[(gsize) r * max_len + cur_len] = c.lp;
            }
        }
      memcpy (seq_data, seq_next, (gsize) R * max_len * 4);
      memcpy (lp_data, lp_next, (gsize) R * max_len * 4);
      memcpy (last, last_next, (gsize) R * sizeof (float));
      memcpy (real, real_next, (gsize) R * sizeof (gboolean));
      for (int r = 0; r < R; r++)
        finished[r] = seqs[r][cur_len] == sep;
      decoder_reorder (dec, src, cur_len);
      cur_len++;
    }

  /* the best state-0th beam, by score over (words + 1), among the states
   * that meet enough constraints; the first of equals */
  need = CLAMP (min_satisfied, 0, fsm->n_constraints);
  for (int s = 0; s < fsm->n_main; s++)
    {
      int words = 0;
      float score;

      /* a filler never overtakes a real caption; only fillers: none found */
      if (__builtin_popcount (s) < need || !real[s * K])
        continue;
      for (int t = 1; t < cur_len; t++)
        words += seqs[s * K][t] != sep;
      score = last[s * K] / (float) (words + 1);
      if (chosen < 0 || score > chosen_score)
        {
          chosen = s;
          chosen_score = score;
        }
    }
  if (chosen < 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("no caption of at most %d tokens meets %d of the %d constraints"),
                   max_len, need, fsm->n_constraints);
      return NULL;
    }

  ids = g_new (gint32, cur_len + 1);
  lps = g_new (float, cur_len);
  ids[0] = seqs[chosen * K][0];
  for (int t = 1; t < cur_len; t++)
    {
      ids[n_ids] = seqs[chosen * K][t];
      lps[n_ids - 1] = lp_data[(gsize) chosen * K * max_len + t];
      n_ids++;
      if (ids[n_ids - 1] == sep)
        break;
    }
  if (ids[n_ids - 1] != sep)
    {
      /* it ran to the end: [SEP] closes it at no cost, so the mean of the
       * token log-probabilities stays the score */
      ids[n_ids] = sep;
      lps[n_ids - 1] = 0.0f;
      n_ids++;
    }
  caption = caption_new (model, ids, lps, n_ids, chosen_score);
  caption->constraints_met = __builtin_popcount (chosen);
  caption->constraints_mask = chosen;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ov_caption_free);
  g_ptr_array_add (out, caption);
  return out;
}

GPtrArray *
ov_model_caption (OvModel *model, const char *tags, const OvRegions *regions,
                  const OvCaptionOptions *opts, GCancellable *cancellable, GError **error)
{
  g_autoptr(OvCaptionContext) ctx = NULL;
  g_autoptr(OvCbsFsm) fsm = NULL;
  OvCaptionOptions defaults;
  Decoder dec = { 0 };
  GPtrArray *result;

  g_return_val_if_fail (model != NULL, NULL);

  if (!ov_model_supports (model, OV_TASK_CAPTION, error))
    return NULL;
  if (opts == NULL)
    {
      ov_caption_options_init (&defaults);
      opts = &defaults;
    }
  dec.max_len = opts->max_length > 0 ? opts->max_length : model->settings.max_gen_length;
  if (opts->num_beams < 1 || opts->num_beams > 64 || opts->n_best < 1
      || (opts->num_beams == 1 && opts->n_best != 1) || opts->n_best > 64
      || dec.max_len < 2 || dec.max_len > ov_model_max_caption_length (model)
      || !(opts->repetition_penalty >= OV_REPETITION_PENALTY_MIN
           && opts->repetition_penalty <= OV_REPETITION_PENALTY_MAX)
      || !isfinite (opts->length_penalty))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("caption options out of range (beams %d, n_best %d, max_length %d of at "
                      "most %d, repetition penalty %g of %g to %g)"), opts->num_beams,
                   opts->n_best, dec.max_len, ov_model_max_caption_length (model),
                   opts->repetition_penalty, OV_REPETITION_PENALTY_MIN,
                   OV_REPETITION_PENALTY_MAX);
      return NULL;
    }
  if (opts->constraints != NULL)
    {
      if (opts->n_best != 1)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("constrained beam search finds one caption, not %d (as in the "
                          "original)"), opts->n_best);
          return NULL;
        }
      fsm = _ov_cbs_fsm_new (model, opts->constraints, error);
      if (fsm == NULL)
        return NULL;
      if (fsm->n_states * opts->num_beams > CBS_MAX_ROWS)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("constrained beam search with %d beams in each of %d states is "
                          "more than the %d beams it can run: give fewer beams or shorter "
                          "constraints"), opts->num_beams, fsm->n_states, CBS_MAX_ROWS);
          return NULL;
        }
    }
  ctx = _ov_caption_context_new (model, dec.max_len, tags, regions, error);
  if (ctx == NULL)
    return NULL;
  dec.model = model;
  dec.ctx = ctx;
  dec.n_beams = fsm != NULL ? fsm->n_states * opts->num_beams : opts->num_beams;
  dec.use_cache = opts->use_cache;
  /* the backend scores the beams when it can and nothing else needs the
   * logits (constrained search reads every row's) */
  dec.device_scores = dec.use_cache && model->backend->log_softmax_topk != NULL
                      && opts->repetition_penalty == 1.0 && fsm == NULL;
  if (dec.use_cache && !decoder_init_cache (&dec, cancellable, error))
    {
      decoder_clear (&dec);
      return NULL;
    }
  if (fsm != NULL)
    result = decode_cbs (&dec, fsm, opts->num_beams, opts->constraints->min_satisfied,
                         cancellable, error);
  else if (dec.n_beams == 1)
    result = decode_greedy (&dec, opts, cancellable, error);
  else
    result = decode_beam (&dec, opts, cancellable, error);
  decoder_clear (&dec);
  return result;
}
