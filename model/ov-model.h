/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The OSCAR engine's public face: load a checkpoint folder, build the inputs
 * of each task exactly as the original code does, run the encoder (every
 * layer's hidden states and attention probabilities on request) and the task
 * heads, and decode captions. Nothing here knows about files other than the
 * checkpoint folder, nor about GTK.
 *
 * Shapes: T text positions, N region rows, S = T + N, H hidden, A heads,
 * L layers, V vocabulary, D region feature width (img_feature_dim).
 */
#pragma once

#include <gio/gio.h>

#include "ov-tokenizer.h"

G_BEGIN_DECLS

typedef enum {
  OV_MODEL_KIND_ENCODER,     /* bare BertImgModel */
  OV_MODEL_KIND_CAPTION,     /* BertForImageCaptioning */
  OV_MODEL_KIND_CLASSIFIER,  /* ImageBertForSequenceClassification (VQA, GQA, retrieval) */
  OV_MODEL_KIND_PRETRAIN,    /* BertImgForPreTraining */
} OvModelKind;

typedef enum {
  OV_TASK_ENCODE,
  OV_TASK_CAPTION,
  OV_TASK_VQA,
  OV_TASK_MASK,
  OV_TASK_MATCH,
} OvTask;

typedef enum {
  OV_DEVICE_AUTO,
  OV_DEVICE_CPU,
  OV_DEVICE_CUDA,
} OvDevice;

typedef enum {
  OV_PRECISION_EXACT,   /* fp32 everywhere */
  OV_PRECISION_FAST,    /* TF32 matrix products where the backend has them */
} OvPrecision;

typedef struct {
  OvDevice    device;
  OvPrecision precision;
  int         n_threads;      /* 0 = OMP_NUM_THREADS when set, else all processors */
  /* Read the weights into private memory instead of mapping the file, so
   * that the file changing on disk while the model is open cannot crash the
   * process (see OV_STATE_DICT_PRIVATE_COPY). Off by default. */
  gboolean    private_weights;
} OvModelOptions;

/* The activation of the feed-forward layers and the LM head's transform:
 * pytorch-transformers' ACT2FN. */
typedef enum {
  OV_ACTIVATION_GELU,       /* x · Φ(x), with erf */
  OV_ACTIVATION_RELU,       /* max (x, 0) */
  OV_ACTIVATION_SWISH,      /* x · sigmoid (x) */
} OvActivation;

/* config.json, with the constructor defaults for absent keys. */
typedef struct {
  int      vocab_size;
  int      hidden_size;
  int      num_hidden_layers;
  int      num_attention_heads;
  int      intermediate_size;
  int      max_position_embeddings;
  int      type_vocab_size;
  double   layer_norm_eps;
  char    *hidden_act;              /* "gelu", "relu" or "swish" (the ACT2FN names) */
  OvActivation activation;          /* hidden_act, parsed */
  int      img_feature_dim;
  char    *img_feature_type;
  gboolean use_img_layernorm;
  double   img_layer_norm_eps;
  int      num_labels;
  char    *classifier;          /* "linear" or "mlp" */
  int      cls_hidden_scale;
  int      num_contrast_classes;
  gboolean tie_weights;
} OvConfig;

/* What decides input assembly: training_args.bin when present, else the
 * documented defaults. Callers may change these after loading. */
typedef struct {
  int      max_seq_a_length;      /* caption slots in training; tag positions start here (40) */
  int      train_max_seq_length;  /* 70 */
  int      max_gen_length;        /* 20 */
  int      max_img_seq_length;    /* 50 */
  gboolean add_od_labels;
  gboolean do_lower_case;
  int      vqa_max_seq_length;    /* 128; a classifier's training_args.bin max_seq_length */
  int      pretrain_max_seq_length; /* 35 */
  /* Tag slots of a caption step, [SEP] included: train max_seq_length minus
   * max_seq_a_length (max_gen_length for SCST runs); 30. The caption text is
   * max_gen_length + od_labels_len long (§4.3). */
  int      od_labels_len;
  /* TRUE when training_args.bin has no max_seq_a_length: Oscar then keeps
   * its test-time max_seq_length of 70, so a caption of max_length tokens
   * has 70 - max_length tag slots instead of od_labels_len. */
  gboolean od_labels_follow_length;
} OvTaskSettings;


/* A loaded checkpoint. Forward passes, decoding and the task calls only read
 * it; use it from one thread at a time (any thread, e.g. a GTask worker), and
 * do not change the settings while a call runs. */
typedef struct _OvModel OvModel;

/* The longest caption (in tokens, [CLS] and [SEP] included) the model can
 * write: Oscar's --max_gen_length is a test-time choice, bounded only by the
 * positions (tag slots start at max (max_seq_a_length, max_length)) and by
 * the tag slots it leaves. At least the settings' max_gen_length when that
 * fits. */
int         ov_model_max_caption_length (OvModel *model);

void              ov_model_options_init  (OvModelOptions *opts);
OvModel          *ov_model_load          (const char           *dir,
                                          const OvModelOptions *opts,    /* NULL = defaults */
                                          GError              **error);
void              ov_model_free          (OvModel        *model);
OvModelKind       ov_model_get_kind      (OvModel        *model);
const char       *ov_model_kind_name     (OvModelKind     kind);
const char       *ov_model_get_path      (OvModel        *model);
const OvConfig   *ov_model_get_config    (OvModel        *model);
OvTaskSettings   *ov_model_get_settings  (OvModel        *model);
/* Whether the model reads tags: every kind but a captioning model trained
 * without them (add_od_labels off). */
gboolean          ov_model_reads_tags    (OvModel        *model);
/* A captioning model trained without tags (add_od_labels off) has no tag
 * slots, so its tag and region states cannot be compared with a tagged
 * model's. This gives it the input layout of tagged, a captioning model
 * trained with tags: tagged's settings, keeping model's own do_lower_case
 * (it goes with model's vocabulary). The demo's own alignment measurement
 * does the same (tools/README.md). Returns FALSE and changes nothing when
 * model has tags of its own, or tagged is no captioning model with tags. */
gboolean          ov_model_borrow_tag_layout (OvModel    *model,
                                              OvModel    *tagged);
OvTokenizer      *ov_model_get_tokenizer (OvModel        *model);
/* e.g. "CPU (2 threads, OpenBLAS)" or
 * "CUDA: NVIDIA H200 (device 0, exact; cuBLASLt; graphs)". */
const char       *ov_model_get_backend_description (OvModel *model);
/* Why the model runs on the CPU although OV_DEVICE_AUTO (or CUDA, whose
 * device ran out of memory) was asked for, e.g. "no CUDA device: ..."; NULL
 * when it runs where it was asked to. */
const char       *ov_model_get_device_fallback (OvModel *model);
/* Warnings found while loading (unexpected weights, an image LayerNorm the
 * config disables, ...), or NULL. */
const char *const *ov_model_get_warnings (OvModel        *model);
/* FALSE with an error saying why when the checkpoint cannot do the task:
 * CAPTION needs a captioning model, VQA a classifier, MASK and MATCH a
 * pre-training model (LM + contrastive heads); every model can ENCODE. */
gboolean          ov_model_supports      (OvModel        *model,
                                          OvTask          task,
                                          GError        **error);

/* Region vectors of one image: (n_regions, dim) row-major, dim = D. */
typedef struct {
  const float *features;
  int          n_regions;
  int          dim;
} OvRegions;

/* One example exactly as the encoder takes it. T + N >= 1. Ids, positions
 * and types are checked against the config and features must be finite;
 * a bad value is an OV_ERROR_INVALID_INPUT, never a crash. */
typedef struct {
  int           n_text;           /* T */
  const gint32 *input_ids;        /* (T) */
  const gint32 *token_type_ids;   /* (T), NULL = all 0 */
  const gint32 *position_ids;     /* (T), NULL = 0..T-1 */
  int           n_regions;        /* N, zero rows included */
  const float  *img_feats;        /* (N, D) */
  const float  *attention_mask;   /* (S) when !mask_2d, (S, S) when mask_2d; 1 = attend */
  gboolean      mask_2d;
} OvInputs;

typedef enum {
  OV_SEGMENT_SPECIAL,   /* [CLS], [SEP], [MASK] slots */
  OV_SEGMENT_WORD,      /* caption or question word pieces */
  OV_SEGMENT_TAG,       /* object-tag word pieces */
  OV_SEGMENT_REGION,    /* real region rows */
  OV_SEGMENT_PAD,       /* text padding or zero region rows */
} OvSegment;

/* Inputs built by a task, owning their arrays, with a label per position
 * for the views. */
typedef struct {
  OvInputs   inputs;
  gint32    *input_ids;
  gint32    *token_type_ids;
  gint32    *position_ids;
  float     *img_feats;
  float     *attention_mask;
  OvSegment *segments;      /* (S) */
  char     **labels;        /* (S) word piece, or "region k" */
  int        query_index;   /* caption step: the appended [MASK]; else 0 */
} OvEncoding;

void        ov_encoding_free (OvEncoding *enc);

/* VQA: [CLS] question [SEP] tags [SEP] + regions, 1-D mask (§5). */
OvEncoding *ov_model_prepare_vqa      (OvModel          *model,
                                       const char       *question,
                                       const char       *tags,
                                       const OvRegions  *regions,
                                       GError          **error);
/* Pre-training / matching: [CLS] text [SEP] tags [SEP] + regions (§6). */
OvEncoding *ov_model_prepare_pretrain (OvModel          *model,
                                       const char       *text,
                                       const char       *tags,
                                       const OvRegions  *regions,
                                       GError          **error);
/* The uncached caption step that follows prefix_ids ([CLS] w1..wk): text
 * [CLS] w1..wk [MASK] + tag slots at positions max_seq_a_length.. + regions,
 * seq2seq mask with unused caption slots removed (§4.3). For the attention
 * behind a generated word w_{k+1}, run ov_model_forward on this with
 * OV_FORWARD_ATTENTIONS and read row query_index (the [MASK]). */
OvEncoding *ov_model_prepare_caption_step (OvModel        *model,
                                           const gint32   *prefix_ids,
                                           int             n_prefix,
                                           const char     *tags,
                                           const OvRegions *regions,
                                           GError        **error);
/* The same for a caption decoded with max_length tokens (0: the settings'
 * max_gen_length), which places the tag slots (§4.3). */
OvEncoding *ov_model_prepare_caption_step_for (OvModel         *model,
                                               int              max_length,
                                               const gint32    *prefix_ids,
                                               int              n_prefix,
                                               const char      *tags,
                                               const OvRegions *regions,
                                               GError         **error);

/* How much of the tags and regions a task's input keeps, counted in the
 * input the task builds (tags in word pieces): Oscar cuts the tags to the
 * text slots left and keeps the first max_img_seq_length regions. text is
 * the question (VQA) or caption (pre-training), unused for captioning.
 * FALSE with an error when the input cannot be built. */
typedef struct {
  int tag_pieces, tag_pieces_kept;
  int regions, regions_kept;
  int text_pieces, text_pieces_kept;   /* the question or text; 0 for captioning */
} OvInputKept;

gboolean    ov_model_count_input_kept (OvModel          *model,
                                       OvTask            task,
                                       const char       *text,
                                       const char       *tags,
                                       const OvRegions  *regions,
                                       OvInputKept      *kept,
                                       GError          **error);

typedef enum {
  OV_FORWARD_HIDDEN_STATES = 1 << 0,
  OV_FORWARD_ATTENTIONS    = 1 << 1,
  OV_FORWARD_HEAD          = 1 << 2,   /* run the checkpoint's task head */
} OvForwardFlags;

typedef struct {
  int     n_layers, n_heads, seq_len, hidden, vocab_size;
  float **hidden_states;     /* L+1 arrays (S, H), index 0 = embeddings; NULL unless asked */
  float **attentions;        /* L arrays (A, S, S); NULL unless asked */
  float  *sequence_output;   /* (S, H) */
  float  *pooled;            /* (H) */
  float  *lm_logits;         /* (T, V): caption and pre-training heads */
  int     n_classes;
  float  *class_logits;      /* (n_classes): classifier or contrastive head */
} OvForward;

/* Runs the encoder, and with OV_FORWARD_HEAD the checkpoint's head: the LM
 * head on every text row (caption, pre-training), the classifier on the
 * pooled vector, the contrastive head on the pooled vector (pre-training). */
OvForward  *ov_model_forward (OvModel         *model,
                              const OvInputs  *inputs,
                              OvForwardFlags   flags,
                              GCancellable    *cancellable,
                              GError         **error);
void        ov_forward_free  (OvForward *fwd);

/* Captioning (§4.3). ov_caption_options_init gives the published setting:
 * 5 beams, max_length 0 (= the settings' max_gen_length), 1 best, both
 * penalties 1, cache on. The cached and the uncached path give the same
 * captions; the uncached one is the original's computation, kept as the
 * reference. */
/* The repetition penalties ov_model_caption takes: a positive logit is
 * divided by the penalty, so one near 0 would blow it past what a float
 * holds (and the scores would become NaN). */
#define OV_REPETITION_PENALTY_MIN 0.01
#define OV_REPETITION_PENALTY_MAX 100.0

typedef struct {
  int      num_beams;            /* 1 = greedy */
  int      max_length;           /* [CLS] included; 0 (max_gen_length) or up to
                                    ov_model_max_caption_length */
  int      n_best;               /* num_keep_best */
  double   length_penalty;
  double   repetition_penalty;   /* OV_REPETITION_PENALTY_MIN to _MAX */
  gboolean use_cache;            /* FALSE runs the original's uncached path */
  /* Constrained beam search (NoCaps' --use_cbs) when not NULL: needs
   * n_best 1, and ignores both penalties, as the original does. */
  const struct _OvCaptionConstraints *constraints;
} OvCaptionOptions;

/* Constrained beam search (§4.6). A finite-state machine whose state bit i
 * says constraint i was decoded runs one beam search per state; the caption
 * is the best state-0-th beam, by summed log-probability over (words + 1),
 * among the states that meet at least min (n_constraints, min_satisfied)
 * constraints. A constraint is met when its word pieces (at most
 * OV_CBS_MAX_PIECES, the rest dropped) come one after the other, each as
 * any of its forms. */
#define OV_CBS_MAX_CONSTRAINTS 3
#define OV_CBS_MAX_PIECES 4

typedef struct _OvCaptionConstraints {
  const char * const *constraints;  /* class names ("fire hydrant"), bit i = constraint i */
  int                 n_constraints;  /* 0 .. OV_CBS_MAX_CONSTRAINTS */
  /* word -> its word pieces (char * -> GStrv), as a NoCaps cbs_constraint
   * file gives them; a word it lacks, or any word when NULL, is cut by the
   * model's tokenizer. */
  GHashTable         *word_pieces;
  /* word piece -> the forms that count for it ("dog" -> dog, dogs), as a
   * cbs_tokenforms file gives them; absent or NULL: the piece itself. A
   * form outside the vocabulary counts as [UNK], as in the original. */
  GHashTable         *piece_forms;
  int                 min_satisfied;  /* min_constraints_to_satisfy; the original's default is 2 */
} OvCaptionConstraints;

/* The word pieces constraint index must write to be met, at most
 * OV_CBS_MAX_PIECES of them (the original keeps the first so many);
 * n_given (may be NULL) gets how many the constraint has. NULL with an
 * error for a word the model can only read as [UNK]. */
GStrv ov_caption_constraint_pieces (OvModel                    *model,
                                    const OvCaptionConstraints *c,
                                    int                         index,
                                    guint                      *n_given,
                                    GError                    **error);

typedef struct {
  GArray *ids;        /* gint32: [CLS] w1..wk [SEP], as the original returns them, unpadded */
  char   *text;       /* decoded with skip_special_tokens */
  double  score;      /* mean log-probability; confidence = exp(score) */
  /* double, one per token after [CLS] (ids->len - 1): the log-probability
   * the model gave it when it was chosen. A caption that ran to max_length
   * ends in [SEP] carrying the log-prob of the word it replaced, as the
   * score counts it. With length_penalty 1, score = their mean. A value near
   * log (1 / vocabulary) flags weights that did not load. */
  GArray *token_logprobs;
  /* With constraints: how many the caption meets, and which (bit i =
   * constraint i); else -1 and 0. */
  int     constraints_met;
  guint   constraints_mask;
} OvCaption;

void        ov_caption_options_init (OvCaptionOptions *opts);
void        ov_caption_free         (OvCaption *caption);
/* Returns up to n_best OvCaption (beam search may finish fewer), best first. */
GPtrArray  *ov_model_caption        (OvModel                *model,
                                     const char             *tags,
                                     const OvRegions        *regions,
                                     const OvCaptionOptions *opts,
                                     GCancellable           *cancellable,
                                     GError                **error);

/* VQA / classification: the raw logits over the answer list. */
float      *ov_model_classify       (OvModel          *model,
                                     const char       *question,
                                     const char       *tags,
                                     const OvRegions  *regions,
                                     int              *n_logits,
                                     GCancellable     *cancellable,
                                     GError          **error);

/* Masked-token predictions at every [MASK] of text and tags (pre-training
 * models; input as ov_model_prepare_pretrain). An error when none is left
 * after truncation. */
typedef struct {
  int     position;      /* index in the text sequence */
  int     n;
  gint32 *ids;           /* (n), most probable first */
  float  *probs;         /* (n), softmax over V */
} OvMaskPrediction;

void        ov_mask_prediction_free (OvMaskPrediction *p);
GPtrArray  *ov_model_predict_masks  (OvModel          *model,
                                     const char       *text,
                                     const char       *tags,
                                     const OvRegions  *regions,
                                     int               top_k,
                                     GCancellable     *cancellable,
                                     GError          **error);

/* Contrastive head: logits (C) and P(class 0 = matched). */
gboolean    ov_model_match          (OvModel          *model,
                                     const char       *text,
                                     const char       *tags,
                                     const OvRegions  *regions,
                                     float            *logits,       /* (C), C <= 8 */
                                     int              *n_classes,
                                     double           *match_probability,
                                     GCancellable     *cancellable,
                                     GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvModel, ov_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvEncoding, ov_encoding_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvForward, ov_forward_free)

G_END_DECLS
