/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Numbers behind the attention views, computed from the probabilities a
 * forward pass hands back (OvForward.attentions: L arrays of (A, S, S),
 * row = query, column = key): one head, the mean over heads, attention
 * rollout, the word/tag/region flow summary, the per-step rows of a
 * generated caption, and differences. No drawing here.
 */
#pragma once

#include <glib.h>

#include "model/ov-model.h"

G_BEGIN_DECLS

/* Head selectors beside a head index 0..A-1. */
#define OV_ATTENTION_MEAN     (-1)
#define OV_ATTENTION_ROLLOUT  (-2)

/* Parses "3" (a head index), "mean" or "rollout"; FALSE on anything else. */
gboolean  ov_attention_parse_head   (const char          *text,
                                     int                 *head);

/* One (S, S) matrix, newly allocated:
 *  head >= 0:               attentions[layer][head]
 *  OV_ATTENTION_MEAN:       mean over the A heads of layer `layer`
 *  OV_ATTENTION_ROLLOUT:    rollout through layers 0..layer (see below)
 * Fails when layer or head is out of range. */
float    *ov_attention_select       (const float *const  *attentions,   /* L x (A, S, S) */
                                     int                  n_layers,
                                     int                  n_heads,
                                     int                  seq_len,
                                     int                  layer,
                                     int                  head,
                                     GError             **error);

/* Attention rollout (Abnar & Zuidema 2020): per layer l the head mean
 * M_l (S, S) is mixed with the residual path, B_l = 0.5 M_l + 0.5 I, and each
 * row of B_l is divided by its sum; the rollout through layer k is
 * R_k = B_k B_(k-1) ... B_0, so R[i][j] says how much of token j's input
 * reaches token i's output at layer k. out is (S, S). */
void      ov_attention_rollout      (const float *const  *attentions,
                                     int                  n_heads,
                                     int                  seq_len,
                                     int                  last_layer,
                                     float               *out);

/* Row `query` of every selection of every layer, as ov_attention_select
 * would give them: rows is (n_layers, n_heads + 2, seq_len), each layer's
 * heads 0..A-1, then their mean, then the rollout through that layer. For
 * the attention of one query (a caption step's [MASK]) kept without its
 * whole matrices. */
void      ov_attention_query_rows   (const float *const  *attentions,   /* L x (A, S, S) */
                                     int                  n_layers,
                                     int                  n_heads,
                                     int                  seq_len,
                                     int                  query,
                                     float               *rows);

/* The sequence position of the k-th region (from 0) among segments, or
 * -1: region k of a sample is the k-th OV_SEGMENT_REGION position. */
int       ov_attention_region_position (const OvSegment *segments,
                                        int              seq_len,
                                        int              k);

/* The three modality groups of the flow summary. */
typedef enum {
  OV_FLOW_WORDS,
  OV_FLOW_TAGS,
  OV_FLOW_REGIONS,
  OV_FLOW_N_GROUPS,
} OvFlowGroup;

const char *ov_flow_group_name      (OvFlowGroup          group);
/* OV_FLOW_N_GROUPS for special and padding positions. */
OvFlowGroup ov_flow_group_of        (OvSegment            segment);

/* Flow summary of one (S, S) matrix: flow[q][k] = the mean, over the query
 * rows i of group q, of the probability mass that row i puts on all keys of
 * group k, i.e. mean_i sum_{j in k} P[i][j]. A row of the 3x3 table sums to
 * at most 1; the rest went to special tokens ([CLS], [SEP], [MASK]). Rows of
 * a group with no positions are NaN. n_rows (may be NULL) gets the number
 * of query rows per group. */
void      ov_attention_flow         (const float         *matrix,       /* (S, S) */
                                     const OvSegment     *segments,     /* (S) */
                                     int                  seq_len,
                                     double               flow[OV_FLOW_N_GROUPS][OV_FLOW_N_GROUPS],
                                     int                  n_rows[OV_FLOW_N_GROUPS]);

/* The share of a head's flow that crosses modalities: the mean over the
 * groups q present of sum_{k != q} flow[q][k] / sum_k flow[q][k]. NaN when
 * no group has mass. */
double    ov_attention_flow_cross_share (const double     flow[OV_FLOW_N_GROUPS][OV_FLOW_N_GROUPS]);

/* out = after - before, element-wise; fails when the sizes differ. */
float    *ov_attention_difference   (const float         *before,
                                     int                  before_len,
                                     const float         *after,
                                     int                  after_len,
                                     GError             **error);

/* For each position of input a, the position of the same token in input
 * b, or -1: each kind (special, word, tag, region) paired as the longest
 * common subsequence of the two inputs' labels, so that a token taken out
 * or put in leaves the others paired; with tags_by_slot, tags of as many
 * pieces pair slot against slot (one tag put in place of another). */
int      *ov_attention_match_tokens (const OvSegment   *seg_a,
                                     const char *const *lab_a,
                                     int                na,
                                     const OvSegment   *seg_b,
                                     const char *const *lab_b,
                                     int                nb,
                                     gboolean           tags_by_slot);
/* The (nb, nb) map before laid out as input a of na tokens:
 * before[map[i], map[j]], NaN where a token has no counterpart. */
float    *ov_attention_remap        (const float       *before,
                                     int                nb,
                                     const int         *map,
                                     int                na);

/* Attention of a generated caption: one row per generated word, taken at
 * the query row of the step that produced it (the appended [MASK] of
 * ov_model_prepare_caption_step for the prefix before that word), over the
 * tag and region positions, which are the same at every step. */
typedef struct {
  int         n_steps;
  char      **words;          /* (n_steps) the word each step produced */
  int         n_cols;
  char      **col_labels;     /* (n_cols) tag word pieces, then regions */
  OvSegment  *col_segments;   /* (n_cols) OV_SEGMENT_TAG or OV_SEGMENT_REGION */
  float      *values;         /* (n_steps, n_cols) */
} OvCaptionAttention;

OvCaptionAttention *ov_caption_attention_new      (void);
void                ov_caption_attention_free     (OvCaptionAttention *ca);
/* Adds the step that produced `word`: row is that step's query row (S);
 * the first step fixes the columns, later steps must have the same tag and
 * region positions. */
gboolean            ov_caption_attention_add_step (OvCaptionAttention *ca,
                                                   const char         *word,
                                                   const float        *row,        /* (S) */
                                                   const OvSegment    *segments,   /* (S) */
                                                   const char *const  *labels,     /* (S) */
                                                   int                 seq_len,
                                                   GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCaptionAttention, ov_caption_attention_free)

G_END_DECLS
