/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Attention renderers. Each view copies what it shows, lays itself out for a
 * size (ov_*_view_layout), paints on the cairo_t it is given and answers
 * hit-tests from the same layout, so the window can hover and the export can
 * paint the identical picture (each has an OvPaintFunc `_paint`).
 *
 *  - heat map: token x token for one layer and head, the head mean, rollout
 *    or a before/after difference (diverging scale);
 *  - grid: every layer x head as small multiples;
 *  - flow: the 3x3 word/tag/region flow summary of every layer x head;
 *  - image: one token's attention over the detector boxes, or the reverse
 *    (which words and tags attend to one region);
 *  - caption: one row per generated word over tags and regions.
 */
#pragma once

#include <cairo.h>

#include "data/ov-sample.h"
#include "model/ov-model.h"
#include "ov-attention.h"
#include "ov-draw.h"
#include "ov-region-view.h"

G_BEGIN_DECLS

/* Each view's title takes a row above the figure; a view without one (a
 * NULL or empty title) keeps only a margin there and the figure moves up.
 * At full size that is this many points, which a figure drawn without a
 * title at its own size leaves off its height. */
#define OV_ATTENTION_VIEW_TITLE_ROW 16.0

/* The colour drawn for a segment in the segment strips and legends. */
OvColor ov_attention_segment_color (OvSegment segment);
const char *ov_attention_segment_name (OvSegment segment);

/* Heat map */

typedef struct _OvHeatmapView OvHeatmapView;

typedef struct {
  int         row, col;          /* sequence positions (query, key) */
  float       value;
  const char *row_label;         /* owned by the view */
  const char *col_label;
} OvHeatmapHit;

/* matrix (S, S) row = query; padding positions are left out unless
 * show_padding. diverging: a difference map on a symmetric blue-red scale;
 * else a sequential scale from 0 to the largest shown value. */
OvHeatmapView *ov_heatmap_view_new      (const float        *matrix,
                                         int                 seq_len,
                                         const OvSegment    *segments,
                                         const char *const  *labels,
                                         gboolean            diverging,
                                         gboolean            show_padding,
                                         const char         *title);
/* Fixes the colour scale's end at vmax (a difference's at -vmax and vmax)
 * instead of the map's own largest value, so that maps of a paper share
 * one key; values beyond it take the end colour. */
void           ov_heatmap_view_set_scale_max (OvHeatmapView *view,
                                              double         vmax);
void           ov_heatmap_view_free     (OvHeatmapView      *view);
/* With fill set the cells may be up to 3:2 from square so that the matrix
 * fills the page left by its labels and legend, as a figure of a given size
 * wants; without (the default, as in the window, whose height follows
 * ov_heatmap_view_height_for_width) they stay square. */
void           ov_heatmap_view_set_fill_page (OvHeatmapView *view,
                                              gboolean       fill);
/* The positions shown, in order. */
const int     *ov_heatmap_view_get_positions (OvHeatmapView *view,
                                              int           *n);
const OvColorScale *ov_heatmap_view_get_scale (OvHeatmapView *view);
/* After layout: the note the figure shows where its cells are too small
 * to label every row and column (only every k-th is), or NULL. */
const char    *ov_heatmap_view_get_label_note (OvHeatmapView *view);
/* See ov_draw_shrink: the figure is shown scale times as large as laid out. */
void           ov_heatmap_view_set_shown_scale (OvHeatmapView *view,
                                                double         scale);
void           ov_heatmap_view_layout   (OvHeatmapView      *view,
                                         double              width,
                                         double              height);
void           ov_heatmap_view_draw     (OvHeatmapView      *view,
                                         cairo_t            *cr);
/* The height in which the map laid out at width is square and as wide as
 * width allows, up to cells as tall as its labels (every position
 * labelled); a taller height gives a larger square. */
double         ov_heatmap_view_height_for_width (OvHeatmapView *view,
                                                 double         width);
/* The cell under (x, y); FALSE outside the matrix. */
gboolean       ov_heatmap_view_hit      (OvHeatmapView      *view,
                                         double              x,
                                         double              y,
                                         OvHeatmapHit       *hit);
/* Centre of the cell (row, col) given as sequence positions. */
gboolean       ov_heatmap_view_cell_center (OvHeatmapView   *view,
                                            int              row,
                                            int              col,
                                            double          *x,
                                            double          *y);
/* The cell of shown row a and shown column b, counted 0..n-1 in the
 * order of ov_heatmap_view_get_positions; FALSE outside. */
gboolean       ov_heatmap_view_get_cell (OvHeatmapView      *view,
                                         int                 a,
                                         int                 b,
                                         OvHeatmapHit       *hit);
/* After layout: the rectangle of that cell. */
gboolean       ov_heatmap_view_cell_rect (OvHeatmapView     *view,
                                          int                a,
                                          int                b,
                                          OvRect            *rect);
/* After layout, over the painted map: marks that cell (the window's
 * keyboard cursor) with a frame and its row and column on the strips. */
void           ov_heatmap_view_draw_mark (OvHeatmapView     *view,
                                          cairo_t           *cr,
                                          int                a,
                                          int                b);
void           ov_heatmap_view_paint    (cairo_t            *cr,
                                         double              width,
                                         double              height,
                                         gpointer            view);

/* Grid of layers x heads */

typedef struct _OvAttentionGridView OvAttentionGridView;

typedef struct {
  int   layer, head;
  int   row, col;          /* sequence positions inside the cell's map */
  float value;
} OvGridHit;

OvAttentionGridView *ov_attention_grid_view_new  (const float *const *attentions, /* L x (A,S,S) */
                                                  int                 n_layers,
                                                  int                 n_heads,
                                                  int                 seq_len,
                                                  const OvSegment    *segments,
                                                  const char         *title);
void     ov_attention_grid_view_free   (OvAttentionGridView *view);
/* With fill set the maps may be up to 3:2 from square so that they fill
 * the page, and sit in its middle where they still leave room beside them,
 * as a figure of a given size wants; without (the default, as in the
 * window) they stay square from the left. */
void     ov_attention_grid_view_set_fill_page (OvAttentionGridView *view,
                                               gboolean             fill);
/* Each map is coloured from 0 to its own maximum. */
/* One colour scale for every map, from 0 to the largest value of them all
 * (attention --shared-scale), so that heads compare by colour; by default
 * each map has its own and the colour bar reads as a share of it. */
void        ov_attention_grid_view_share_scale (OvAttentionGridView *view);
/* Every map on the scale 0 to vmax (as ov_heatmap_view_set_scale_max). */
void        ov_attention_grid_view_set_scale_max (OvAttentionGridView *view,
                                                  double               vmax);
const OvColorScale *ov_attention_grid_view_get_scale (OvAttentionGridView *view,
                                                      int                  layer,
                                                      int                  head);
/* See ov_draw_shrink: the figure is shown scale times as large as laid out. */
void     ov_attention_grid_view_set_shown_scale (OvAttentionGridView *view,
                                                 double               scale);
void     ov_attention_grid_view_layout (OvAttentionGridView *view,
                                        double               width,
                                        double               height);
void     ov_attention_grid_view_draw   (OvAttentionGridView *view,
                                        cairo_t             *cr);
gboolean ov_attention_grid_view_hit    (OvAttentionGridView *view,
                                        double               x,
                                        double               y,
                                        OvGridHit           *hit);
/* Rectangle of the cell of (layer, head). */
gboolean ov_attention_grid_view_cell_rect (OvAttentionGridView *view,
                                           int                  layer,
                                           int                  head,
                                           OvRect              *rect);
/* After layout, over the painted grid: frames the map of (layer, head),
 * the window's keyboard cursor. */
void     ov_attention_grid_view_draw_mark (OvAttentionGridView *view,
                                           cairo_t             *cr,
                                           int                  layer,
                                           int                  head);
/* The largest cell of the map of (layer, head): the first of equals in
 * reading order. FALSE outside the grid or without tokens. */
gboolean ov_attention_grid_view_get_peak (OvAttentionGridView *view,
                                          int                  layer,
                                          int                  head,
                                          OvGridHit           *hit);
void     ov_attention_grid_view_paint  (cairo_t *cr, double width, double height, gpointer view);

/* Flow summary of layers x heads */

typedef struct _OvFlowView OvFlowView;

typedef struct {
  int         layer, head;
  OvFlowGroup from, to;    /* query group, key group */
  double      value;
  double      cross_share; /* ov_attention_flow_cross_share of that head */
} OvFlowHit;

OvFlowView *ov_flow_view_new        (const float *const *attentions,   /* L x (A,S,S) */
                                     int                 n_layers,
                                     int                 n_heads,
                                     int                 seq_len,
                                     const OvSegment    *segments,
                                     const char         *title);
void        ov_flow_view_free       (OvFlowView         *view);
/* flow of (layer, head): a 3x3 table as ov_attention_flow defines it. */
const double *ov_flow_view_get_flow (OvFlowView         *view,
                                     int                 layer,
                                     int                 head);
/* See ov_draw_shrink: the figure is shown scale times as large as laid out. */
void        ov_flow_view_set_shown_scale (OvFlowView    *view,
                                          double         scale);
void        ov_flow_view_layout     (OvFlowView         *view,
                                     double              width,
                                     double              height);
void        ov_flow_view_draw       (OvFlowView         *view,
                                     cairo_t            *cr);
gboolean    ov_flow_view_hit        (OvFlowView         *view,
                                     double              x,
                                     double              y,
                                     OvFlowHit          *hit);
/* After a layout: how many lines of explanation the figure shows (never
 * none) and whether they are its short form, for a small figure. */
guint       ov_flow_view_get_note_lines (OvFlowView *view,
                                         gboolean   *short_form);
/* After a layout: the square of the 3x3 table of (layer, head), without
 * the share written under it. */
gboolean    ov_flow_view_cell_rect  (OvFlowView         *view,
                                     int                 layer,
                                     int                 head,
                                     OvRect             *rect);
/* ov_attention_flow_cross_share of (layer, head). */
double      ov_flow_view_get_cross_share (OvFlowView    *view,
                                          int            layer,
                                          int            head);
/* After a layout, over the painted figure: frames the table of (layer,
 * head), the window's keyboard cursor. */
void        ov_flow_view_draw_mark  (OvFlowView         *view,
                                     cairo_t            *cr,
                                     int                 layer,
                                     int                 head);
void        ov_flow_view_paint      (cairo_t *cr, double width, double height, gpointer view);

/* Attention over the image */

typedef struct _OvAttentionImageView OvAttentionImageView;

typedef struct {
  int    region;      /* region index in the sample, or -1 */
  int    position;    /* sequence position of the hovered token chip (reverse mode), or -1 */
  float  value;
} OvImageHit;

#define OV_IMAGE_VIEW_MAX_LABELS 5

/* Forward mode: the attention of the query at sequence position `query` on
 * each region, boxes filled by weight. Region k of the sample is the k-th
 * OV_SEGMENT_REGION position. sample is borrowed, image referenced. */
OvAttentionImageView *ov_attention_image_view_new_query  (const float     *matrix, /* (S, S) */
                                                          int              seq_len,
                                                          const OvSegment *segments,
                                                          const char *const *labels,
                                                          int              query,
                                                          const OvSample  *sample,
                                                          cairo_surface_t *image,
                                                          OvPalette       *palette,
                                                          const char      *title);
/* Reverse mode: how much each word and tag attends to region `region`;
 * the query position (the caption step's [MASK], the question's [CLS]),
 * or -1, is shown among them. */
OvAttentionImageView *ov_attention_image_view_new_region (const float     *matrix,
                                                          int              seq_len,
                                                          const OvSegment *segments,
                                                          const char *const *labels,
                                                          int              region,
                                                          int              query,
                                                          const OvSample  *sample,
                                                          cairo_surface_t *image,
                                                          OvPalette       *palette,
                                                          const char      *title);
/* The boxes' and chips' scale 0 to vmax (as ov_heatmap_view_set_scale_max). */
void        ov_attention_image_view_set_scale_max (OvAttentionImageView *view,
                                                   double                vmax);
void     ov_attention_image_view_free   (OvAttentionImageView *view);
/* With keep set, the text keeps its full size however small the page (a
 * window's view, whose text should read as the labels around it; the
 * picture takes what is left); without (the default, as a figure of a
 * given size wants) it shrinks with a page smaller than the full size. */
void     ov_attention_image_view_set_keep_text (OvAttentionImageView *view,
                                                gboolean              keep);
/* Weight of region k (forward mode; NaN for a region the model was not
 * given) or of the token at position p (reverse). */
float    ov_attention_image_view_get_weight (OvAttentionImageView *view,
                                             int                   index);
OvRegionView *ov_attention_image_view_get_region_view (OvAttentionImageView *view);
/* Where the region view's (0, 0) lies in the figure: its boxes are drawn
 * shifted by this much. */
void     ov_attention_image_view_get_image_origin (OvAttentionImageView *view,
                                                   double               *x,
                                                   double               *y);
/* Forward mode, after a layout: the index-th of the labels naming the
 * strongest regions (at most OV_IMAGE_VIEW_MAX_LABELS, strongest first),
 * its region, its place in the figure and its text. FALSE past the last. */
gboolean ov_attention_image_view_get_box_label (OvAttentionImageView *view,
                                                guint                 index,
                                                guint                *region,
                                                OvRect               *rect,
                                                const char          **text);
/* Reverse mode, after a layout: the index-th word or tag chip drawn under
 * the picture, its sequence position and its place in the figure. FALSE
 * past the last. */
gboolean ov_attention_image_view_get_chip (OvAttentionImageView *view,
                                           guint                 index,
                                           int                  *position,
                                           OvRect               *rect);
void     ov_attention_image_view_layout (OvAttentionImageView *view,
                                         double                width,
                                         double                height);
void     ov_attention_image_view_draw   (OvAttentionImageView *view,
                                         cairo_t              *cr);
gboolean ov_attention_image_view_hit    (OvAttentionImageView *view,
                                         double                x,
                                         double                y,
                                         OvImageHit           *hit);
void     ov_attention_image_view_paint  (cairo_t *cr, double width, double height, gpointer view);

/* Caption rows */

typedef struct _OvCaptionView OvCaptionView;

typedef struct {
  int         step, col;
  float       value;
  const char *word;
  const char *col_label;
} OvCaptionHit;

/* ca is copied. */
OvCaptionView *ov_caption_view_new      (const OvCaptionAttention *ca,
                                         const char               *title);
/* The scale 0 to vmax (as ov_heatmap_view_set_scale_max). */
void           ov_caption_view_set_scale_max (OvCaptionView *view,
                                              double         vmax);
void           ov_caption_view_free     (OvCaptionView *view);
/* After a layout: the note saying every how many words and columns are
 * labelled where cells are smaller than their text, or NULL. */
const char *ov_caption_view_get_label_note (OvCaptionView *view);
void           ov_caption_view_layout   (OvCaptionView *view,
                                         double         width,
                                         double         height);
void           ov_caption_view_draw     (OvCaptionView *view,
                                         cairo_t       *cr);
gboolean       ov_caption_view_hit      (OvCaptionView *view,
                                         double         x,
                                         double         y,
                                         OvCaptionHit  *hit);
gboolean       ov_caption_view_cell_center (OvCaptionView *view,
                                            int            step,
                                            int            col,
                                            double        *x,
                                            double        *y);
/* After a layout: the cell of (step, col) and a frame around it, as the
 * heat map marks the keys' cell; FALSE or nothing outside the table. */
gboolean       ov_caption_view_cell_rect (OvCaptionView *view,
                                          int            step,
                                          int            col,
                                          OvRect        *rect);
void           ov_caption_view_draw_mark (OvCaptionView *view,
                                          cairo_t       *cr,
                                          int            step,
                                          int            col);
/* The cell (step, col) as a hit would give it; FALSE outside the table. */
gboolean       ov_caption_view_get_cell (OvCaptionView *view,
                                         int            step,
                                         int            col,
                                         OvCaptionHit  *hit);
void           ov_caption_view_get_size (OvCaptionView *view,
                                         int           *n_steps,
                                         int           *n_cols);
void           ov_caption_view_paint    (cairo_t *cr, double width, double height, gpointer view);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvHeatmapView, ov_heatmap_view_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvAttentionGridView, ov_attention_grid_view_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvFlowView, ov_flow_view_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvAttentionImageView, ov_attention_image_view_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCaptionView, ov_caption_view_free)

G_END_DECLS
