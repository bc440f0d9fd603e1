/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Attention of the current input: one forward pass with attentions (the
 * next caption step, or the question), drawn as a heat map of one layer and
 * head, every head as small multiples, the word/tag/region flow summary,
 * one token's attention on the picture's regions, how much each word
 * and tag attends to one region, or, for the caption, what each of its
 * words' steps attended to (which runs every step).
 */
#pragma once

#include "viz/ov-attention.h"
#include "viz/ov-draw.h"
#include "ov-panel.h"

G_BEGIN_DECLS

#define OV_TYPE_ATTENTION_PANEL (ov_attention_panel_get_type ())

G_DECLARE_FINAL_TYPE (OvAttentionPanel, ov_attention_panel, OV, ATTENTION_PANEL, OvPanel)

typedef enum {
  OV_ATTENTION_VIEW_HEATMAP,
  OV_ATTENTION_VIEW_GRID,
  OV_ATTENTION_VIEW_FLOW,
  OV_ATTENTION_VIEW_PICTURE,   /* a token's attention on the regions */
  OV_ATTENTION_VIEW_REGION,    /* the words' and tags' attention on a region */
  OV_ATTENTION_VIEW_CAPTION,   /* each caption word's step on the tags and regions */
  OV_ATTENTION_VIEW_CHANGE,    /* the heat map minus that of the input before */
} OvAttentionViewKind;

/* Starts a run now (a running one is cancelled). Input changes re-run the
 * panel only while it is shown; a hidden one runs when it is shown again. */
void        ov_attention_panel_run          (OvAttentionPanel    *self);
/* The caption whose next step is shown (NULL: just [CLS]) and the question
 * asked of a VQA model; either re-runs when it changes. */
void        ov_attention_panel_set_caption  (OvAttentionPanel    *self,
                                             const char          *caption);
void        ov_attention_panel_set_question (OvAttentionPanel    *self,
                                             const char          *question);
void        ov_attention_panel_set_view     (OvAttentionPanel    *self,
                                             OvAttentionViewKind  view);
OvAttentionViewKind ov_attention_panel_get_view (OvAttentionPanel *self);
/* The file name Export suggests: the view as `oscarviz attention --view`
 * calls it, the image and the layer ("attention-heatmap-300001-layer1.png"),
 * so that exports of several views and samples do not overwrite each
 * other. */
char               *ov_attention_panel_dup_export_name (OvAttentionPanel *self);
/* head: 0..A-1, OV_ATTENTION_MEAN or OV_ATTENTION_ROLLOUT. */
void        ov_attention_panel_set_selection (OvAttentionPanel   *self,
                                              int                 layer,
                                              int                 head);
void        ov_attention_panel_get_selection (OvAttentionPanel   *self,
                                              int                *layer,
                                              int                *head);
/* In a short side (large text, a low screen) the line that says what the
 * model was given keeps to one line, which leaves the heat map its rows;
 * the whole line is in its tooltip either way. */
void        ov_attention_panel_set_compact  (OvAttentionPanel    *self,
                                             gboolean             compact);
/* The last finished run, or NULL. */
const OvAttentionRun *ov_attention_panel_get_run (OvAttentionPanel *self);
/* The run of the input before the last change (other tags, regions, words
 * or another image), which the view since the last change subtracts; NULL
 * before a change. */
const OvAttentionRun *ov_attention_panel_get_before_run (OvAttentionPanel *self);
guint       ov_attention_panel_get_n_runs   (OvAttentionPanel    *self);
/* The widget the views are drawn on; the coordinates below are its own. */
GtkWidget  *ov_attention_panel_get_canvas   (OvAttentionPanel    *self);
/* Heat map: the cell the keys are on (the arrows, Home and End, Page Up
 * and Down move it; a click puts it on the cell clicked), as sequence
 * positions; FALSE without one. */
gboolean    ov_attention_panel_get_cursor   (OvAttentionPanel    *self,
                                             int                 *row,
                                             int                 *col);
/* Grid and flow views: the head the keys are on (the arrows, Home, End
 * and the Page keys move it; Enter opens its heat map); FALSE without one. */
gboolean    ov_attention_panel_get_head_cursor (OvAttentionPanel *self,
                                                int              *layer,
                                                int              *head);
/* The views on the picture: what they show, a sequence position (the
 * token whose attention is drawn) or a region of the run's sample (the
 * one attended to); FALSE in the other views. Setting one outside what
 * the view offers is refused. The arrow keys go through them, Enter opens
 * the strongest in the other view, and a click on a box or a word opens
 * it there. */
gboolean    ov_attention_panel_get_subject  (OvAttentionPanel    *self,
                                             int                 *subject);
gboolean    ov_attention_panel_set_subject  (OvAttentionPanel    *self,
                                             int                  subject);
/* The views on the picture: centre of region k's box (from 0, in the
 * run's sample), and, on the view to a region, of the chip of the word or
 * tag at sequence position p. */
gboolean    ov_attention_panel_region_center (OvAttentionPanel   *self,
                                              guint               region,
                                              double             *x,
                                              double             *y);
gboolean    ov_attention_panel_chip_center  (OvAttentionPanel    *self,
                                             int                  position,
                                             double              *x,
                                             double              *y);
/* All heads: one colour scale for every map (the Same scale switch), or
 * each map's own; the scale of the map of (layer, head), NULL outside the
 * grid. */
void        ov_attention_panel_set_shared_scale (OvAttentionPanel *self,
                                                 gboolean          shared);
const OvColorScale *ov_attention_panel_get_grid_scale (OvAttentionPanel *self,
                                                       int               layer,
                                                       int               head);
/* The line under the view that names the keys' cell or head. */
GtkWidget  *ov_attention_panel_get_cell_label (OvAttentionPanel  *self);
/* Caption words: centre of the cell of step (word) and column col (the
 * tags' pieces, then the regions, from 0). */
gboolean    ov_attention_panel_caption_cell_center (OvAttentionPanel *self,
                                                    int               step,
                                                    int               col,
                                                    double           *x,
                                                    double           *y);
/* Heat map: centre of the cell (row, col) given as sequence positions. */
gboolean    ov_attention_panel_cell_center  (OvAttentionPanel    *self,
                                             int                  row,
                                             int                  col,
                                             double              *x,
                                             double              *y);
/* All heads and flow: centre of the small map or table of (layer, head). */
gboolean    ov_attention_panel_grid_cell_center (OvAttentionPanel *self,
                                                 int               layer,
                                                 int               head,
                                                 double           *x,
                                                 double           *y);
/* The tooltip shown at (x, y), or NULL outside the cells; value gets the
 * number it shows. */
char       *ov_attention_panel_dup_tooltip  (OvAttentionPanel    *self,
                                             double               x,
                                             double               y,
                                             double              *value);
/* A click at (x, y): on a grid cell opens its layer and head as a heat map;
 * on a heat map cell puts the keys' cell there; on the picture, a box opens
 * what attends to its region and a word or tag its attention on the
 * picture. Returns whether it hit something. */
gboolean    ov_attention_panel_click        (OvAttentionPanel    *self,
                                             double               x,
                                             double               y);
/* Writes the view shown as PNG, SVG or PDF (from the extension), width
 * points wide (0: the figure's own size) and as tall as its proportions
 * make it. */
gboolean    ov_attention_panel_export       (OvAttentionPanel    *self,
                                             const char          *path,
                                             double               width,
                                             GError             **error);
/* Exports as the dialog does: a failure goes to the window's toast. */
gboolean    ov_attention_panel_save         (OvAttentionPanel    *self,
                                             const char          *path,
                                             double               width);

G_END_DECLS
