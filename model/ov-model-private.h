/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * What the files of the engine share: the loaded model with its weights, and
 * the encoder entry points the task code and the decoder build on.
 */
#pragma once

#include "ov-backend-private.h"
#include "ov-error.h"
#include "ov-model.h"
#include "ov-state-dict.h"

G_BEGIN_DECLS

/* One post-LN BERT layer. Linear weights are (out, in). */
typedef struct {
  const float *q_w, *q_b, *k_w, *k_b, *v_w, *v_b;   /* (H, H), (H) */
  const float *ao_w, *ao_b;                          /* (H, H), (H) */
  const float *aln_g, *aln_b;                        /* (H) */
  const float *i_w, *i_b;                            /* (I, H), (I) */
  const float *o_w, *o_b;                            /* (H, I), (H) */
  const float *oln_g, *oln_b;                        /* (H) */
} OvLayerWeights;

struct _OvModel
{
  char           *path;
  OvModelKind     kind;
  OvConfig        config;
  OvTaskSettings  settings;
  OvTokenizer    *tokenizer;
  OvStateDict    *state_dict;
  GPtrArray      *owned;        /* float arrays converted from fp16/bf16 */
  GPtrArray      *warnings;     /* char *, NULL-terminated */
  OvBackend      *backend;
  char           *backend_desc;
  char           *device_fallback;  /* why CUDA is not used, or NULL (ov-device.c) */
  /* the last two captions' device caches, newest first, kept with their
   * buffers and recorded graphs for the next caption of the same shape
   * (greedy and beam search of one image, say; ov-decode-device.c) */
  struct _OvDeviceCache *spare_cache[2];

  /* Encoder (§2.1). */
  const float    *word_emb, *pos_emb, *type_emb;      /* (V, H), (P, H), (2, H) */
  const float    *emb_ln_g, *emb_ln_b;                /* (H) */
  const float    *img_w, *img_b;                      /* (H, D), (H) */
  const float    *img_ln_g, *img_ln_b;                /* (H), NULL unless use_img_layernorm */
  OvLayerWeights *layers;                             /* (L) */
  const float    *pool_w, *pool_b;                    /* (H, H), (H) */

  /* LM head (caption and pre-training). */
  const float    *lm_dense_w, *lm_dense_b;            /* (H, H), (H) */
  const float    *lm_ln_g, *lm_ln_b;                  /* (H) */
  const float    *lm_dec_w, *lm_bias;                 /* (V, H), (V) */

  /* Classifier: linear cls1 (C, H), or mlp cls1 (H·s, H) → ReLU → cls2 (C, H·s). */
  gboolean        cls_mlp;
  int             cls_hidden;
  int             n_labels;
  const float    *cls1_w, *cls1_b, *cls2_w, *cls2_b;

  /* Contrastive head (pre-training): (C, H), (C). */
  int             n_contrast;
  const float    *sr_w, *sr_b;
};

/* Creates model->backend as the options ask, uploading the weights to a
 * device backend (ov-device.c). FALSE only when CUDA was asked for by name
 * and no device answers. */
gboolean _ov_model_attach_backend (OvModel *model, const OvModelOptions *opts, GError **error);

/* Per-layer keys and values kept by a cached decode, or filled by an encoder
 * run that is asked for them: k, v (rows, H). */
typedef struct {
  float *k;
  float *v;
} OvLayerKV;

/* Runs the encoder on one example. kv_out, when not NULL, receives each
 * layer's K and V (L backend buffers of S·H floats, allocated by the callee,
 * freed by the caller with be->free).
 * Fills fwd->sequence_output, pooled, and on request hidden states and
 * attentions. */
gboolean _ov_model_encode (OvModel          *model,
                           const OvInputs   *inputs,
                           OvForwardFlags    flags,
                           OvForward        *fwd,
                           OvLayerKV        *kv_out,
                           GCancellable     *cancellable,
                           GError          **error);

/* The part of encoder layer w after attention, on `rows` rows of backend
 * buffers: A1 = LN (C·Woᵀ + bo + X); F = GELU (A1·W1ᵀ + b1);
 * X = LN (F·W2ᵀ + b2 + A1). ctx (rows, H) is the attention's output, x
 * (rows, H) the layer's input and then its output; a1 (rows, H) and f
 * (rows, I) are scratch. */
void     _ov_model_layer_ffn (OvModel              *model,
                              const OvLayerWeights *w,
                              float                *x,
                              const float          *ctx,
                              float                *a1,
                              float                *f,
                              int                   rows);

/* Whether a layer's Q, K and V weights, and their biases, lie end to end
 * (the CUDA backend uploads them so), so that one product with N = 3H
 * gives each row's q, k and v side by side. */
static inline gboolean
_ov_layer_qkv_fused (const OvLayerWeights *w, int h)
{
  gsize hh = (gsize) h * h;

  return w->k_w == w->q_w + hh && w->v_w == w->k_w + hh && w->k_b == w->q_b + h
         && w->v_b == w->k_b + h;
}

/* LM head on n rows of hidden states: logits (n, V), host arrays. */
void     _ov_model_lm_head (OvModel *model, const float *hidden, int n, float *logits);
/* The same on backend buffers: x (n, H) → out (n, V); scratch (n, H) holds
 * the transform, or with NULL a buffer is taken for it. */
void     _ov_model_lm_head_be (OvModel *model, const float *x, int n, float *out,
                               float *scratch);

/* Checks the inputs against the config: ids in range, finite features,
 * mask size. */
gboolean _ov_model_check_inputs (OvModel *model, const OvInputs *inputs, GError **error);

/* The fixed part of every caption step (§4.3): the tag block and the regions. */
typedef struct {
  int      n_tag_slots;     /* od_labels_len, or 0 without tags */
  gint32  *tag_ids;         /* (n_tag_slots): tags, [SEP], [PAD]… */
  gint32  *tag_types;       /* (n_tag_slots) */
  gint32  *tag_pos;         /* (n_tag_slots): from max (max_seq_a_length, max_gen_length) */
  int      n_tags_valid;    /* tag word pieces + [SEP] */
  int      n_img;           /* max_img_seq_length rows */
  int      n_img_valid;     /* real rows among them */
  float   *img;             /* (n_img, D), zero rows after the real ones */
} OvCaptionContext;

/* The tags and regions of a caption of max_len tokens (0: the settings'
 * max_gen_length). */
OvCaptionContext *_ov_caption_context_new  (OvModel          *model,
                                            int               max_len,
                                            const char       *tags,
                                            const OvRegions  *regions,
                                            GError          **error);
void              _ov_caption_context_free (OvCaptionContext *ctx);
/* The uncached step input for [CLS] w1..wk ([MASK] appended). */
OvEncoding       *_ov_caption_step_encoding (OvModel                *model,
                                             const OvCaptionContext *ctx,
                                             const gint32           *prefix_ids,
                                             int                     n_prefix);

/* Constrained beam search's state machine (ov-cbs.c). An arc allows word w
 * when all differs from whether w is among except (gint32). */
typedef struct {
  gboolean all;
  GArray  *except;
} OvCbsArc;

typedef struct {
  int       n_states;        /* main states, then sub-states */
  int       n_main;          /* 2^n_constraints */
  int       n_constraints;
  OvCbsArc *arcs;            /* (n_states, n_states): from, to */
} OvCbsFsm;

OvCbsFsm *_ov_cbs_fsm_new    (OvModel                    *model,
                              const OvCaptionConstraints *constraints,
                              GError                    **error);
void      _ov_cbs_fsm_free   (OvCbsFsm                   *fsm);
gboolean  _ov_cbs_arc_allows (const OvCbsArc             *arc,
                              gint32                      word);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCbsFsm, _ov_cbs_fsm_free)

/* The cached caption step of a backend whose buffers are not host memory
 * (ov-decode-device.c): every beam's key/value cache, the activations and
 * the step's logits (B, V) stay in backend buffers. */
typedef struct _OvDeviceCache OvDeviceCache;

OvDeviceCache *_ov_device_cache_new     (OvModel                *model,
                                         const OvCaptionContext *ctx,
                                         int                     n_beams,
                                         int                     max_len,
                                         GCancellable           *cancellable,
                                         GError                **error);
/* Done with the cache: the model keeps it for the next caption of the same
 * beams, length and context size (and frees the older of the two it kept
 * before). */
void           _ov_device_cache_free    (OvDeviceCache *cache);
/* Frees the cache and what it holds on the backend. */
void           _ov_device_cache_destroy (OvDeviceCache *cache);
/* Runs the step at cur_len; the logits stay on the backend and are also
 * copied to host_logits unless it is NULL. */
gboolean       _ov_device_cache_step    (OvDeviceCache  *cache,
                                         gint32 *const  *seqs,
                                         int             cur_len,
                                         float          *host_logits,
                                         GError        **error);
const float   *_ov_device_cache_logits  (OvDeviceCache *cache);
/* Beam b continues beam src[b] (host array), whose first n_rows caption
 * rows it takes over. */
void           _ov_device_cache_reorder (OvDeviceCache *cache, const int *src, int n_rows);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCaptionContext, _ov_caption_context_free)

/* The most elements a weight has for its values to be checked at load. */
extern gint64 _ov_model_scan_at_load;
/* Whether the n values of an encoder output x are all finite; else an
 * error naming the checkpoint's first weight that is not (the small ones
 * are checked at load), or saying that its arithmetic overflows. */
gboolean _ov_model_check_output (OvModel     *model,
                                 const float *x,
                                 gsize        n,
                                 GError     **error);

G_END_DECLS
