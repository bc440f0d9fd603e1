/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The embeddings panel: a pass of an open model over the window's dataset
 * that keeps the tag and region hidden states (viz/ov-embed.h), a t-SNE map
 * of them drawn while it converges, selection and hover back to the image,
 * and the alignment figures of the pass, for one model or two side by side.
 */
#pragma once

#include "viz/ov-align.h"
#include "viz/ov-embed.h"
#include "viz/ov-tsne.h"
#include "ov-panel.h"
#include "ov-scatter-canvas.h"

G_BEGIN_DECLS

#define OV_TYPE_EMBED_PANEL (ov_embed_panel_get_type ())

G_DECLARE_FINAL_TYPE (OvEmbedPanel, ov_embed_panel, OV, EMBED_PANEL, OvPanel)

typedef enum {
  OV_EMBED_EXPORT_MAP,            /* the t-SNE map: PNG, SVG or PDF */
  OV_EMBED_EXPORT_POINTS,         /* its points: CSV or JSON */
  OV_EMBED_EXPORT_ALIGN,          /* the alignment figure: PNG, SVG or PDF */
  OV_EMBED_EXPORT_ALIGN_NUMBERS,  /* the alignment numbers: CSV or JSON */
} OvEmbedExport;

/* The files the window's samples come from: a dataset (yaml or one
 * detection/feature file) or the files of a sample. */
void        ov_embed_panel_set_dataset      (OvEmbedPanel       *self,
                                             const char *const  *files);

/* Pass options, as in the panel's own controls. layers: "all", "last" or a
 * hidden-state index; limit: images, 0 = all; compare_dir: a checkpoint
 * folder run on the same images (NULL = none). */
void        ov_embed_panel_set_layers       (OvEmbedPanel       *self,
                                             const char         *layers);
void        ov_embed_panel_set_limit        (OvEmbedPanel       *self,
                                             guint               limit);
gboolean    ov_embed_panel_set_model_kind   (OvEmbedPanel       *self,
                                             OvModelKind         kind);
void        ov_embed_panel_set_compare      (OvEmbedPanel       *self,
                                             const char         *compare_dir);
void        ov_embed_panel_set_tsne_options (OvEmbedPanel       *self,
                                             double              perplexity,
                                             guint64             seed,
                                             int                 n_iter);

/* Starts the pass in the background (then t-SNE of its first layer), or
 * t-SNE of the collected states; a running job is cancelled first. */
void        ov_embed_panel_collect          (OvEmbedPanel       *self);
void        ov_embed_panel_run_tsne         (OvEmbedPanel       *self);
void        ov_embed_panel_cancel           (OvEmbedPanel       *self);
gboolean    ov_embed_panel_is_busy          (OvEmbedPanel       *self);
/* Whether the map's place shows the invitation to collect and map (no
 * map, nothing running). */
gboolean    ov_embed_panel_shows_invitation (OvEmbedPanel       *self);
/* Finished passes (or opened files) and t-SNE runs so far. */
guint       ov_embed_panel_get_n_passes     (OvEmbedPanel       *self);
guint       ov_embed_panel_get_n_maps       (OvEmbedPanel       *self);
/* The status line as the page shown has it: a t-SNE's progress or result
 * on the map, the last word on the data (the pass) on the alignment. */
const char *ov_embed_panel_get_status     (OvEmbedPanel       *self);
/* Frames drawn while t-SNE ran. */
guint       ov_embed_panel_get_n_frames     (OvEmbedPanel       *self);

/* Saving and opening an embeddings file run in the background too; a
 * failure is reported through "run-failed". A comparison is saved beside
 * the pass as STEM.compare.safetensors. compare: open as the second model
 * of the alignment figure. */
void        ov_embed_panel_save             (OvEmbedPanel       *self,
                                             const char         *path);
void        ov_embed_panel_open             (OvEmbedPanel       *self,
                                             const char         *path,
                                             gboolean            compare);
guint       ov_embed_panel_get_n_saves      (OvEmbedPanel       *self);

/* What the panel holds: the states of the pass (which 0) and of the
 * comparison (which 1), NULL when none; their alignment numbers. */
const OvEmbeddings *ov_embed_panel_get_embeddings (OvEmbedPanel *self,
                                                   guint         which);
const OvAlignment  *ov_embed_panel_get_alignment  (OvEmbedPanel *self,
                                                   guint         which);
/* The alignment page's per-class table (a GtkGrid: a head row, two with
 * a comparison, then a row per class of the pass's alignment: class,
 * regions, and intra, inter, nearest tag in the image and in the set of
 * each model) and the layer it shows (FALSE: no such layer). */
GtkWidget  *ov_embed_panel_get_class_table  (OvEmbedPanel       *self);
gboolean    ov_embed_panel_set_class_layer  (OvEmbedPanel       *self,
                                             int                 layer);
/* The positions on the map (n x 2), NULL before t-SNE; the layer and the
 * parameters they came from. */
const float *ov_embed_panel_get_positions   (OvEmbedPanel       *self,
                                             guint              *n);
void        ov_embed_panel_get_tsne_params  (OvEmbedPanel       *self,
                                             OvTsneParams       *params,
                                             int                *layer);
/* The positions (n x 2) of the first frame the last t-SNE run drew. */
const float *ov_embed_panel_get_first_frame (OvEmbedPanel       *self);
OvScatterCanvas *ov_embed_panel_get_canvas  (OvEmbedPanel       *self);
/* The tooltip of point index, ending in what a click does; NULL outside. */
char       *ov_embed_panel_dup_point_tooltip (OvEmbedPanel      *self,
                                              guint              index);
/* The same point's text for the keyboard, the map's accessible description
 * while the keyboard is on it: it ends in what Enter does. */
char       *ov_embed_panel_dup_point_key_description (OvEmbedPanel *self,
                                                      guint         index);
/* The rows of the selection list: point indices, in list order. */
GListModel *ov_embed_panel_get_selection_rows (OvEmbedPanel     *self);
/* The distance of the alignment numbers and figure (the Distance choice). */
void        ov_embed_panel_set_metric       (OvEmbedPanel       *self,
                                             OvAlignMetric       metric);
/* Shows the map or the alignment page. */
void        ov_embed_panel_show_page        (OvEmbedPanel       *self,
                                             const char         *name);

/* Writes what; a figure width points wide (0: the figure's own size) and
 * as tall as its proportions make it (width is ignored for the numbers). */
gboolean    ov_embed_panel_export           (OvEmbedPanel       *self,
                                             OvEmbedExport       what,
                                             const char         *path,
                                             double              width,
                                             GError            **error);

G_END_DECLS
