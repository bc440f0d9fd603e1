/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Tag and region embeddings: one pass over a dataset that keeps the hidden
 * states of chosen layers at the tag word-piece positions and the region
 * positions, each labelled with its object class, image and modality; and
 * the file they are saved in, which the t-SNE view and `oscarviz align` read.
 *
 * Input of the pass, by model kind (the choice matters: tag and region
 * states depend on the text only where the mask lets them see it):
 *  - captioning: ov_model_prepare_caption_step with the prefix [CLS] alone.
 *    Tags and regions never see the caption in Oscar's seq2seq mask, so
 *    their states are those of every decoding step and of no caption text.
 *  - VQA / classifier: ov_model_prepare_vqa with the sample's first
 *    question, else OV_EMBED_FALLBACK_QUESTION.
 *  - pre-training and bare encoder: ov_model_prepare_pretrain with the
 *    sample's first caption, else OV_EMBED_FALLBACK_TEXT.
 * Labels: a region position carries its detector class; a tag word piece
 * carries the class of the tag it was cut from (the region classes in order
 * when the tag string is those classes joined, else each word of the tag
 * string is its own class).
 *
 * File format (version 1). FILE is a safetensors file holding
 *   "vectors"         F32 (n, H)  hidden states of the primary layer ("layer")
 *   "vectors.<l>"     F32 (n, H)  one per further stored layer l
 *   "class"           I32 (n)     index into "classes" of the metadata
 *   "modality"        I32 (n)     0 = tag word piece, 1 = region
 *   "image"           I32 (n)     index into "images"
 *   "position"        I32 (n)     sequence position in the encoding
 *   "region"          I32 (n)     the sample's region, an index from 0 as "image" and
 *                                 "position" are (region 1 is 0): the point's own for a
 *                                 region, the one the tag was cut from for a tag piece;
 *                                 -1 = none
 *   "box"             F32 (n, 4)  that region's x1, y1, x2, y2 in image pixels; NaN = none
 * ("region" and "box" were added within version 1: a file without them
 * reads with -1 and NaN.)
 * FILE.json beside it (the safetensors writer keeps no metadata):
 *   { "format": "oscarviz-embeddings", "version": 1,
 *     "model": path, "model_kind": "caption"|..., "input": "caption-step"|"vqa"|"pretrain",
 *     "layer": primary l, "layers": [l, ...], "hidden": H, "count": n,
 *     "classes": [names], "images": [keys], "modalities": ["tag", "region"],
 *     "tokens": [word piece or "region k", k from 1, one per vector] }
 * and FILE.labels.txt: the class name of every vector, one a line (what
 * `oscarviz tsne FILE` colours by).
 * Layer l is the hidden-state index: 0 = embedding output, l = output of
 * encoder layer l (1-based), so a 12-layer model has l = 0..12.
 */
#pragma once

#include <gio/gio.h>

#include "data/ov-dataset.h"
#include "model/ov-model.h"
#include "ov-scatter-view.h"

G_BEGIN_DECLS

#define OV_EMBED_FALLBACK_QUESTION "what is in the picture?"
#define OV_EMBED_FALLBACK_TEXT     "a picture."

typedef enum {
  OV_EMBED_TAG    = 0,
  OV_EMBED_REGION = 1,
} OvEmbedModality;

typedef struct {
  guint      n;             /* vectors */
  guint      hidden;        /* H */
  guint      n_layers;      /* layers stored */
  int       *layers;        /* (n_layers) hidden-state indices; layers[0] is the primary */
  float    **vectors;       /* n_layers arrays (n, H) */
  gint32    *classes;       /* (n) */
  gint32    *modality;      /* (n) OvEmbedModality */
  gint32    *images;        /* (n) */
  gint32    *positions;     /* (n) */
  gint32    *regions;       /* (n) region index in the sample, -1 = none */
  float     *boxes;         /* (n, 4) x1, y1, x2, y2 of that region; NaN = none */
  GPtrArray *class_names;   /* char* */
  GPtrArray *image_keys;    /* char* */
  GPtrArray *tokens;        /* char*, (n) */
  char      *model_path;
  char      *model_kind;
  char      *input;
  char      *tag_layout;    /* the tagged captioning model in whose tag slots a model
                             * trained without tags read its tags (embed --tag-layout),
                             * or NULL */
  guint      capacity;      /* rows allocated in the per-vector arrays */
  guint      n_unlabelled;  /* region rows left out for want of a detection class (not
                             * saved: what the last collection met) */
  guint      n_cut;         /* samples whose input left out tag pieces (of a model that
                             * reads tags) or regions, as Oscar's does (not saved
                             * either) */
} OvEmbeddings;

OvEmbeddings *ov_embeddings_new       (guint               hidden,
                                       const int          *layers,
                                       guint               n_layers);
void          ov_embeddings_free      (OvEmbeddings       *emb);
/* The layers stored, in order and joined by ", " ("0, 1, 2"; the file
 * keeps the mapped one first). */
char         *ov_embeddings_dup_layer_list (const OvEmbeddings *emb);
/* Index of a class / image name, added when new. */
guint         ov_embeddings_class_index (OvEmbeddings     *emb,
                                         const char       *name);
guint         ov_embeddings_image_index (OvEmbeddings     *emb,
                                         const char       *key);
/* Appends one point; vectors holds n_layers rows of H, layer-major. Its
 * region is -1 and its box NaN until set. */
void          ov_embeddings_append    (OvEmbeddings       *emb,
                                       const float *const *vectors,
                                       guint               cls,
                                       OvEmbedModality     modality,
                                       guint               image,
                                       int                 position,
                                       const char         *token);
/* How many tag pieces are the token unk ("[UNK]": the model's vocabulary
 * lacks their words, so their vectors are the unknown word's in context);
 * *n_tags, when not NULL, receives how many tag pieces there are. */
guint         ov_embeddings_count_unknown_tags (const OvEmbeddings *emb,
                                                const char         *unk,
                                                guint              *n_tags);
/* The sample region of point i and its box (x1, y1, x2, y2; NULL = none). */
void          ov_embeddings_set_region (OvEmbeddings      *emb,
                                        guint              i,
                                        int                region,
                                        const double      *box);
/* The vectors of hidden-state layer l, or NULL when not stored. */
const float  *ov_embeddings_get_layer (const OvEmbeddings *emb,
                                       int                 layer);

gboolean      ov_embeddings_save      (const OvEmbeddings *emb,
                                       const char         *path,
                                       GError            **error);
OvEmbeddings *ov_embeddings_load      (const char         *path,
                                       GError            **error);

/* Parses "3", "0,6,12", "all" or "last" against a model of n_layers encoder
 * layers (hidden-state indices 0..n_layers). */
int          *ov_embed_parse_layers   (const char         *text,
                                       int                 n_layers,
                                       guint              *n_out,
                                       GError            **error);

/* Hands out sample `index` (0-based) of the pass; NULL with an error stops
 * it. The pass frees the sample. */
typedef OvSample *(*OvEmbedSampleFunc) (gpointer      data,
                                        guint         index,
                                        GCancellable *cancellable,
                                        GError      **error);
/* done of total samples; return nothing. */
typedef void      (*OvEmbedProgressFunc) (guint    done,
                                          guint    total,
                                          gpointer data);

/* Adds the tag and region states of one sample. */
gboolean      ov_embed_add_sample     (OvEmbeddings       *emb,
                                       OvModel            *model,
                                       OvSample           *sample,
                                       GCancellable       *cancellable,
                                       GError            **error);
OvEmbeddings *ov_embed_collect        (OvModel            *model,
                                       const int          *layers,
                                       guint               n_layers,
                                       OvEmbedSampleFunc   next_sample,
                                       gpointer            sample_data,
                                       guint               n_samples,
                                       OvEmbedProgressFunc progress,
                                       gpointer            progress_data,
                                       GCancellable       *cancellable,
                                       GError            **error);
/* The first `limit` samples of a dataset (0 = all). */
OvEmbeddings *ov_embed_collect_dataset (OvModel           *model,
                                        OvDataset         *dataset,
                                        guint              limit,
                                        const int         *layers,
                                        guint              n_layers,
                                        OvEmbedProgressFunc progress,
                                        gpointer           progress_data,
                                        GCancellable      *cancellable,
                                        GError           **error);

/* A scatter view of 2-D coordinates xy (n, 2) of the points of emb (a
 * t-SNE of one of its layers): colour by class, circle = tag piece, square =
 * region. palette may be NULL; title as ov_scatter_view_new takes it. */
OvScatterView *ov_embeddings_scatter_view_new (const OvEmbeddings *emb,
                                               const float        *xy,
                                               OvPalette          *palette,
                                               const char         *title);

/* Word pieces of the tag positions of an encoding -> class name per piece,
 * as described above. tag_pieces are the labels at the tag positions in
 * order; returns a new array of n_pieces borrowed-or-owned strings (owned by
 * the array). */
GPtrArray    *ov_embed_tag_classes    (OvTokenizer        *tokenizer,
                                       const OvSample     *sample,
                                       const char *const  *tag_pieces,
                                       guint               n_pieces);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvEmbeddings, ov_embeddings_free)

G_END_DECLS
