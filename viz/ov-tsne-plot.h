/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A small scatter plot of a 2-D embedding, coloured by label with a legend,
 * drawn with cairo and written as PNG, SVG or PDF. Kept minimal on purpose:
 * the richer embedding views live elsewhere in viz/.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* Draws into a width x height area of cr. Y: (n, 2). label_ids: (n) indices
 * into label_names (n_labels of them), or NULL for one colour and no legend. */
void      ov_tsne_plot_draw    (cairo_t            *cr,
                                double              width,
                                double              height,
                                const float        *Y,
                                gsize               n,
                                const guint        *label_ids,
                                const char * const *label_names,
                                guint               n_labels);

/* Writes the plot to path; the format follows the extension (.png, .svg,
 * .pdf). Goes through a temporary file in the same folder and a rename. */
gboolean  ov_tsne_plot_write   (const char         *path,
                                const float        *Y,
                                gsize               n,
                                const guint        *label_ids,
                                const char * const *label_names,
                                guint               n_labels,
                                GError            **error);

G_END_DECLS
