/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Reading the vectors and labels a t-SNE run starts from (.npy, CSV, or a
 * safetensors file with a `vectors` tensor) and writing its result as CSV.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Labels as small integers plus their names, in order of first appearance. */
typedef struct {
  gsize   n;          /* points */
  guint  *ids;        /* (n) */
  char  **names;      /* (n_names + 1), NULL-terminated */
  guint   n_names;
} OvTsneLabels;

/* Loads a (n, dim) float32 matrix. The format follows the content: a .npy
 * file (float32 or float64, 2-D, C order), a safetensors file (tensor
 * `vectors`, float32/float64/float16/bfloat16, 2-D), or text CSV with one row
 * of numbers per point (an optional header line is skipped). When a
 * safetensors file also holds an integer tensor `labels` (n) its values are
 * returned as labels in labels_out (nullable; NULL when none). An
 * embeddings file of viz/ov-embed.h reads as is (its primary layer); its
 * class names are in the FILE.labels.txt beside it. */
float        *ov_tsne_load_vectors  (const char    *path,
                                     gsize         *n_out,
                                     gsize         *dim_out,
                                     OvTsneLabels **labels_out,
                                     GError       **error);

/* One label per line; the count must equal n. */
OvTsneLabels *ov_tsne_load_labels   (const char    *path,
                                     gsize          n,
                                     GError       **error);
OvTsneLabels *ov_tsne_labels_from_strings (char **lines,
                                           gsize  n);
void          ov_tsne_labels_free   (OvTsneLabels  *labels);

/* A further column of the CSV: its header and n values (NULL: empty). */
typedef struct {
  const char         *name;
  const char * const *values;
} OvTsneCsvColumn;

/* x,y[,label] per point, then the further columns (say "kind", "image",
 * "token", "region" of an embeddings file, so that a point leads back to
 * what it is), through a temporary file and a rename. */
gboolean      ov_tsne_save_csv      (const char            *path,
                                     const float           *Y,
                                     gsize                  n,
                                     const OvTsneLabels    *labels,
                                     const OvTsneCsvColumn *columns,
                                     guint                  n_columns,
                                     GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvTsneLabels, ov_tsne_labels_free)

G_END_DECLS
