/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * What the window has open: the checkpoint, the sample, the tags as the user
 * edited them, and the model input they make. Every model run goes through
 * here, off the main thread, one at a time per checkpoint.
 */
#pragma once

#include <gio/gio.h>

#include "data/ov-image.h"
#include "data/ov-sample.h"
#include "model/ov-model.h"
#include "viz/ov-draw.h"
#include "ov-tag-item.h"

G_BEGIN_DECLS

#define OV_TYPE_SESSION (ov_session_get_type ())

G_DECLARE_FINAL_TYPE (OvSession, ov_session, OV, SESSION, GObject)

typedef struct {
  char  **labels;     /* (n) answer text, best first */
  double *scores;     /* (n) sigmoid of the logit */
  int    *indices;    /* (n) class index of each */
  int     n_classes;  /* the model's */
  int     n_listed;   /* answers in the list; when it differs from n_classes the
                       * list does not belong to the model and goes unused */
  int     n;
} OvAnswers;

void           ov_answers_free (OvAnswers *answers);

typedef struct {
  double probability;          /* P(matched) with this image's tags */
  double swapped_probability;  /* with other_tags in their place; NaN when none given */
} OvMatchResult;

OvSession     *ov_session_new                   (void);

/* The checkpoints: one per kind; loading one replaces the open one of its
 * kind. */
void           ov_session_load_model_async      (OvSession            *self,
                                                 const char           *dir,
                                                 const OvModelOptions *options,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean       ov_session_load_model_finish     (OvSession            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
gboolean       ov_session_has_model             (OvSession            *self);
/* The checkpoint folder open for a kind, or NULL. */
const char    *ov_session_get_model_path        (OvSession            *self,
                                                 OvModelKind           kind);
/* The folder of the open checkpoint that can do task, or NULL. */
const char    *ov_session_get_task_model_path   (OvSession            *self,
                                                 OvTask                task);
const char    *ov_session_get_backend_description (OvSession          *self);
/* The mask token of the checkpoint that predicts masked words ("[MASK]"
 * unless its special_tokens_map.json renames it, and when none is open). */
char          *ov_session_dup_mask_token        (OvSession            *self);
/* An open checkpoint held for a panel's own long job (a pass over a
 * dataset): the reference keeps it alive when the session replaces it.
 * Lock it around each engine call, not the whole job, so the other panels'
 * runs go in between; locking blocks. NULL when no model of kind is open. */
typedef struct _OvSessionModel OvSessionModel;

OvSessionModel *ov_session_ref_model            (OvSession            *self,
                                                 OvModelKind           kind);
OvModel       *ov_session_model_lock            (OvSessionModel       *ref);
void           ov_session_model_unlock          (OvSessionModel       *ref);
/* The checkpoint's config: it never changes after loading, so no lock. */
const OvConfig *ov_session_model_get_config     (OvSessionModel       *ref);
void           ov_session_model_unref           (OvSessionModel       *ref);
gboolean       ov_session_supports              (OvSession            *self,
                                                 OvTask                task,
                                                 GError              **error);
/* Seconds the last finished run took; negative before the first. */
double         ov_session_get_last_run_seconds  (OvSession            *self);

/* The answer list of the VQA checkpoint (any format ov_answer_list_load
 * reads); found beside the weights when the folder carries one. */
gboolean       ov_session_load_answer_list      (OvSession            *self,
                                                 const char           *path,
                                                 GError              **error);
const char    *ov_session_get_answer_list_path  (OvSession            *self);
/* Whether answer is one of the answers of the model's list (TRUE when
 * there is no such list to tell). */
gboolean       ov_session_answer_is_listed      (OvSession            *self,
                                                 const char           *answer);
/* Answer `index` of that list; NULL without a list or out of range. */
const char    *ov_session_get_answer_name       (OvSession            *self,
                                                 gint64                index);
/* The answer of a reference label (a qla file's "an" number; Oscar's
 * labels, which an ans2label may order otherwise than the classes); NULL
 * without a list or for a label it lacks. */
const char    *ov_session_get_label_answer      (OvSession            *self,
                                                 gint64                label);
/* The label of class index (index itself without a list that says). */
gint64         ov_session_get_answer_label      (OvSession            *self,
                                                 gint64                index);

/* The sample; takes ownership. Resets the tag list to the detector's tags. */
void           ov_session_set_sample            (OvSession            *self,
                                                 OvSample             *sample);
const OvSample *ov_session_get_sample           (OvSession            *self);
/* The sample's picture as the window shows it (referenced; NULL: none)
 * and the turn that brings its stored boxes upright, for the runs that
 * draw on it; a new sample clears it, so it is set after the sample. */
void           ov_session_set_picture           (OvSession            *self,
                                                 cairo_surface_t      *picture,
                                                 OvOrientation         turn);

/* Class colours shared by the picture, the tag list and the embeddings
 * map: distinct among the sample's classes and the shown classes. */
OvPalette     *ov_session_get_palette           (OvSession            *self);
/* The classes shown beside the picture (the embeddings map's; none with
 * n = 0): the palette is made for them and the sample's together, the tags
 * take the new colours, and "palette-changed" is emitted. */
void           ov_session_set_shown_classes     (OvSession            *self,
                                                 const char *const    *names,
                                                 gsize                 n);

/* The tags: a GListModel of OvTagItem in input order. */
GListModel    *ov_session_get_tags              (OvSession            *self);
OvTagItem     *ov_session_add_tag               (OvSession            *self,
                                                 const char           *text);
void           ov_session_remove_tag            (OvSession            *self,
                                                 guint                 position);
void           ov_session_move_tag              (OvSession            *self,
                                                 guint                 from,
                                                 guint                 to);
double         ov_session_get_threshold         (OvSession            *self);
void           ov_session_set_threshold         (OvSession            *self,
                                                 double                threshold);
/* Whether a tag's word reaches the model: its tag part switched on, not
 * empty, and its region (if any) at or above the threshold. */
gboolean       ov_session_tag_in_input          (OvSession            *self,
                                                 OvTagItem            *item);
/* Whether region k's features reach the model (and it is drawn): every
 * region does unless its confidence is below the threshold or its row's
 * region part is switched off. The tag word and the region are separate
 * inputs: either may go without the other. */
gboolean       ov_session_region_in_input       (OvSession            *self,
                                                 guint                 region);
/* The model input made of the current tags. */
char          *ov_session_dup_input_tags        (OvSession            *self);
guint          ov_session_get_input_region_count (OvSession           *self);
/* Whether a sample is shown and the model input holds neither a tag nor a
 * region (every one switched off, or a picture opened alone). */
gboolean       ov_session_input_is_empty        (OvSession            *self);
/* Whether the sample shown has boxes but no region features (a detection
 * file alone, a dataset without features): the model reads its tags only. */
gboolean       ov_session_sample_lacks_features (OvSession            *self);
/* The sample's indices (from 0) of the regions in the input, in order. */
GArray        *ov_session_dup_input_regions     (OvSession            *self);
/* What of the input tags (in word pieces) and regions the captioning
 * model's input keeps (ov_model_count_input_kept); FALSE without a
 * captioning model or a sample. */
gboolean       ov_session_get_input_kept        (OvSession            *self,
                                                 OvInputKept          *kept);
/* The same for the model of task with text (the question); FALSE without
 * such a model or a sample. */
gboolean       ov_session_get_task_input_kept   (OvSession            *self,
                                                 OvTask                task,
                                                 const char           *text,
                                                 OvInputKept          *kept);
/* How many of the tags in the input, in order, the captioning model reads
 * whole: all of their word pieces (counted by its tokenizer) are among the
 * kept->tag_pieces_kept that ov_session_get_input_kept gave. 0 without a
 * captioning model. */
guint          ov_session_count_tags_read_whole (OvSession            *self,
                                                 const OvInputKept    *kept);
/* The words of text (the basic tokenizer's, before WordPiece) that the
 * vocabulary of the checkpoint for task lacks, so the model reads each as
 * one [UNK]; *n_words gets the number of words, lone punctuation marks not
 * counted. Empty when no checkpoint can do task. */
GStrv          ov_session_dup_unknown_words     (OvSession            *self,
                                                 OvTask                task,
                                                 const char           *text,
                                                 guint                *n_words);
/* The same for the tags of the input, each word once and *n_words the
 * distinct words, read by the first open checkpoint that reads tags (a
 * captioning model trained without them does not); empty, with *n_words
 * 0, when none does. */
GStrv          ov_session_dup_unknown_tag_words (OvSession            *self,
                                                 guint                *n_words);

/* Model runs on the current input. Each takes a copy of the input, so later
 * edits do not disturb a run in flight; cancel the old one to start anew. */
void           ov_session_caption_async         (OvSession              *self,
                                                 const OvCaptionOptions *options,
                                                 GCancellable           *cancellable,
                                                 GAsyncReadyCallback     callback,
                                                 gpointer                user_data);
/* OvCaption*, best first. */
GPtrArray     *ov_session_caption_finish        (OvSession            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void           ov_session_answer_async          (OvSession            *self,
                                                 const char           *question,
                                                 int                   top_k,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
OvAnswers     *ov_session_answer_finish         (OvSession            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void           ov_session_predict_masks_async   (OvSession            *self,
                                                 const char           *text,
                                                 int                   top_k,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* OvMaskPrediction*, in text order. */
GPtrArray     *ov_session_predict_masks_finish  (OvSession            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* The word piece of a vocabulary id, or NULL. */
const char    *ov_session_id_to_token           (OvSession            *self,
                                                 gint32                id);
void           ov_session_match_async           (OvSession            *self,
                                                 const char           *text,
                                                 const char           *other_tags,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean       ov_session_match_finish          (OvSession            *self,
                                                 GAsyncResult         *result,
                                                 OvMatchResult        *out,
                                                 GError              **error);

/* A step of a caption, for the attention view of every word: the word it
 * produced and its [MASK]'s attention row in every layer and selection. */
typedef struct {
  char       *word;        /* the word piece the step produced */
  int         seq_len;
  OvSegment  *segments;    /* (seq_len) */
  char      **labels;      /* (seq_len), as OvAttentionRun's */
  float      *rows;        /* (n_layers, n_heads + 2, seq_len), ov_attention_query_rows */
} OvCaptionStep;

void           ov_caption_step_free             (OvCaptionStep        *step);

/* One forward pass with attentions, for the attention views. */
typedef struct {
  OvTask      task;        /* OV_TASK_CAPTION (a caption step) or OV_TASK_VQA */
  char       *tags;        /* the tags the model was given */
  char       *text;        /* caption prefix or question; NULL = none */
  OvEncoding *encoding;    /* segments, query_index */
  OvForward  *forward;     /* attentions: L x (A, S, S) */
  char      **labels;      /* (S) token labels, regions as "r3 dog" */
  /* The sample the run read, with only the regions given to the model
   * (their numbers kept), so that the k-th region position is its region
   * k; NULL without a sample. The picture it was shown on (NULL: none) and
   * the turn of its boxes. */
  OvSample   *sample;
  cairo_surface_t *picture;
  OvOrientation turn;
  /* The sample has region feature rows and boxes, but not as many, so
   * which box a region position is cannot be told: its boxes are not
   * drawn with attention. */
  gboolean    boxes_unpaired;
  /* Caption runs asked for them: one OvCaptionStep per word piece of
   * text, each the step that produced it; else NULL. */
  GPtrArray  *steps;
} OvAttentionRun;

void           ov_attention_run_free            (OvAttentionRun       *run);

/* Caption: the [MASK] step after [CLS] + the pieces of text (NULL or "":
 * just [CLS]), and with_steps, every step before it too (run->steps);
 * VQA: the question text. */
void           ov_session_attention_async       (OvSession            *self,
                                                 OvTask                task,
                                                 const char           *text,
                                                 gboolean              with_steps,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
OvAttentionRun *ov_session_attention_finish     (OvSession            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvAnswers, ov_answers_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvSessionModel, ov_session_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvAttentionRun, ov_attention_run_free)

G_END_DECLS
