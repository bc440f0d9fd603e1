/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The t-SNE figure of plain vectors: a scatter plot of a 2-D embedding,
 * coloured by label with a legend, drawn by the scatter view that draws the
 * maps of embeddings files and written as PNG, SVG or PDF.
 */
#pragma once

#include <glib.h>

#include "ov-scatter-view.h"

G_BEGIN_DECLS

/* The size, in points, of the t-SNE figures of `tsne` and `embed --tsne`
 * when none is asked for. */
#define OV_TSNE_PLOT_WIDTH 900.0
#define OV_TSNE_PLOT_HEIGHT 640.0

/* The figure of Y (n, 2) as `embed --tsne` draws its maps: a framed plot
 * under the title (NULL or "": none; "" gives its row to the plot) and
 * beside it a legend of the labels, long ones ellipsized. label_ids (n)
 * index label_names (n_labels of them); NULL draws every point in one
 * colour without a legend. Everything is copied. */
OvScatterView *ov_tsne_plot_view_new (const float        *Y,
                                      gsize               n,
                                      const guint        *label_ids,
                                      const char * const *label_names,
                                      guint               n_labels,
                                      const char         *title);

/* Writes that figure to path, width x height points (0: OV_TSNE_PLOT_WIDTH,
 * OV_TSNE_PLOT_HEIGHT), a PNG at scale pixels per point (0: 2), its legend
 * where legend says; the format follows the extension (.png, .svg, .pdf).
 * Goes through a temporary file in the same folder and a rename. */
gboolean       ov_tsne_plot_write    (const char         *path,
                                      const float        *Y,
                                      gsize               n,
                                      const guint        *label_ids,
                                      const char * const *label_names,
                                      guint               n_labels,
                                      const char         *title,
                                      OvScatterLegend     legend,
                                      double              width,
                                      double              height,
                                      double              scale,
                                      GError            **error);

G_END_DECLS
