/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A sample: one image with its detected regions, their tags and feature
 * vectors, and optional reference captions and questions. Every reader in
 * data/ produces these; the engine takes the tag string and the region
 * vectors built here.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OV_REGION_APPEARANCE_DIM 2048
#define OV_REGION_BOX_DIM        6
#define OV_REGION_DIM            (OV_REGION_APPEARANCE_DIM + OV_REGION_BOX_DIM)

typedef struct {
  double  x1, y1, x2, y2;   /* pixels in the frame the detector saw */
  char   *cls;              /* class name, e.g. "cutting board" */
  double  conf;             /* NaN when unknown */
  char  **attributes;       /* NULL-terminated, may be NULL */
  double *attr_scores;      /* one per attribute, may be NULL */
} OvRegion;

typedef struct {
  char     *question;
  char     *answer;         /* may be NULL */
  char     *type;           /* may be NULL: "color", "count", ... */
  /* Oscar VQA json "an" and "s": the reference answers as label ids of the
   * checkpoint's answer list, with their soft VQA scores (0..1). */
  guint     n_labels;
  gint64   *labels;         /* (n_labels) */
  double   *label_scores;   /* (n_labels) */
} OvQuestion;

typedef struct {
  char      *key;           /* image id */
  char      *image_path;    /* may be NULL */
  /* Without image_path: an image TSV (key, base64 file) that holds the
   * picture under the sample's key, as a split yaml's img: names it. */
  char      *image_tsv;
  int        width, height; /* image size the boxes refer to; 0 when unknown */
  guint      n_regions;
  OvRegion  *regions;       /* (n_regions) */
  /* Region vectors ready for the model: (n_features, feature_dim), row-major;
   * feature_dim is OV_REGION_DIM after ov_sample_build_region_vectors, or
   * the file's own width. NULL when the sources carry no features. */
  float     *features;
  guint      n_features;
  guint      feature_dim;
  /* Each feature row's number, from 1, among the rows the sample was
   * loaded with, once ov_sample_keep_regions has kept some (n_features);
   * NULL: row i is region i + 1. Read it with ov_sample_region_number. */
  guint     *region_numbers;
  char      *tags;          /* tag string given to the model; NULL = classes joined */
  GPtrArray *captions;      /* char*, may be empty */
  GPtrArray *questions;     /* OvQuestion*, may be empty */
  GPtrArray *warnings;      /* char*: problems found that did not stop loading */
  /* The sample's files name region features that were looked for and not
   * found (a VQA json without its .pt); a warning says where. */
  gboolean   features_missing;
  /* The regions' classes are numeric ids that no names file named: their
   * names are placeholders ("class511"), and a warning says so. */
  gboolean   classes_unnamed;
} OvSample;

/* Keeps the feature rows keep[0..n_keep-1] (from 0, in that order, each
 * once) and,
 * when the boxes and the rows are as many, those boxes too; an error names
 * a row past the end. The rows kept keep their numbers (see
 * ov_sample_region_number). */
gboolean    ov_sample_keep_regions (OvSample    *sample,
                                    const guint *keep,
                                    guint        n_keep,
                                    GError     **error);
/* The number, from 1, of region (feature row) `index` (from 0) as the
 * window numbers it: index + 1, or the number it had before
 * ov_sample_keep_regions left others out ("r3" stays "r3"). */
guint       ov_sample_region_number (const OvSample *sample,
                                     guint           index);
/* The index (from 0) of the region numbered `number` (from 1), or -1 when
 * the sample has no such region (left out, or past the end). */
int         ov_sample_find_region   (const OvSample *sample,
                                     guint           number);
/* The numbers of the first n_first regions (all of them when there are
 * fewer) for a message, runs joined as the window joins them: "2, 4",
 * "1–3, 5"; "" when there are none. */
char       *ov_sample_dup_region_list (const OvSample *sample,
                                       guint           n_first);

OvQuestion *ov_question_copy (const OvQuestion *question);
void        ov_question_free (OvQuestion       *question);
/* The soft VQA score (accuracy) of answering label `label`: its score
 * among the references, 0 when it is not one. */
double      ov_question_label_score (const OvQuestion *question,
                                     gint64            label);
/* The soft VQA score the model's top answer (class top, named top_name or
 * NULL when there is no answer list) earns against the reference: its
 * label's score, else 1 or 0 for the reference text; -1 when there is
 * nothing to compare with. */
double      ov_question_top_score   (const OvQuestion *question,
                                     gint64            top,
                                     const char       *top_name);
/* Whether the question carries a reference answer (text or labels). */
gboolean    ov_question_has_reference (const OvQuestion *question);

OvSample *ov_sample_new   (const char *key);
void      ov_sample_free  (OvSample   *sample);
OvSample *ov_sample_copy  (const OvSample *sample);
/* The sample's question that `text` asks, compared as a person writes it,
 * ignoring case (Oscar's files keep questions tokenized, "cup ?"); NULL
 * when none does. */
const OvQuestion *ov_sample_find_question (const OvSample *sample,
                                           const char     *text);
/* Records a problem that did not stop loading (printf-style). */
void      ov_sample_add_warning (OvSample   *sample,
                                 const char *format,
                                 ...) G_GNUC_PRINTF (2, 3);
/* A question or caption as a person writes it, from the tokenized form
 * Oscar's files keep ("what color is the cup ?", "the man 's hat"): no
 * space before , . ? ! ; : nor before an apostrophe that starts a word's
 * ending. BERT's tokenizer cuts both forms into the same pieces. */
char     *ov_text_dup_untokenized (const char *text);
/* The detector classes joined by single spaces, in region order. */
char     *ov_sample_dup_tag_string (const OvSample *sample);
/* Appends the 6 box values x1/W y1/H x2/W y2/H (x2-x1)/W (y2-y1)/H to
 * 2048-wide features; 2054-wide ones are left as they are. Fails when the
 * width is neither, when counts disagree, or on NaN/inf. */
gboolean  ov_sample_build_region_vectors (OvSample *sample,
                                          GError  **error);

/* Checks the boxes: finite, x1 <= x2 and y1 <= y2, and inside the image
 * (1 pixel of slack) when its size is known. */
gboolean  ov_sample_check_boxes (const OvSample *sample,
                                 const char     *source,
                                 GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvSample, ov_sample_free)

G_END_DECLS
