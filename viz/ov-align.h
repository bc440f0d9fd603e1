/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Cross-modal alignment figures from an embeddings file (ov-embed.h): per
 * layer and per object class, how close a region's hidden state lies to the
 * states of its own tag compared with other classes' tags, and whether its
 * nearest tag carries its class; as numbers (table, JSON) and as a figure
 * across layers, for one model or two side by side.
 *
 * Definitions (Euclidean distance in the original hidden space, H wide, or
 * with OV_ALIGN_COSINE 1 - cosine similarity):
 *  intra(c)      mean over regions r of class c of the mean distance from r
 *                to the tag word pieces of class c in r's own image;
 *  inter(c)      the same to the tag pieces of the other classes in r's image;
 *  nn_image(c)   share of class-c regions whose nearest tag piece among their
 *                image's tags has class c;
 *  nn_dataset(c) the same with the nearest tag piece of the whole set.
 * Regions without a tag of the kind needed are left out of that number:
 * of intra and nn_image a region whose class has no tag piece in its image
 * (the detector did not tag it, or the input's tag slots ran out), of
 * inter one whose image has no other class's tag, of nn_dataset one whose
 * class has no tag piece in the whole set.
 * The overall figures are means over the regions counted (not over
 * classes); chance is what nearest-tag agreement would be with the tags
 * shuffled: for the image, the mean share of own-class pieces among the
 * image's tags; for the set, sum_c P(region class c) P(tag class c), over
 * the regions counted.
 */
#pragma once

#include <cairo.h>
#include <json-glib/json-glib.h>

#include "ov-embed.h"

G_BEGIN_DECLS

typedef struct {
  int     layer;
  double *intra;            /* (n_classes), NaN when no such pair */
  double *inter;            /* (n_classes) */
  double *nn_image;         /* (n_classes) */
  double *nn_dataset;       /* (n_classes) */
  guint  *n_regions;        /* (n_classes) region points per class */
  double  intra_mean, inter_mean;
  double  nn_image_rate, nn_dataset_rate;
  double  nn_image_chance, nn_dataset_chance;
} OvAlignLayer;

/* Euclidean distance in the hidden space, or the cosine distance
 * (1 - cosine similarity), which ignores the vectors' lengths and so can
 * be compared across layers whose scales differ. */
typedef enum {
  OV_ALIGN_EUCLIDEAN,
  OV_ALIGN_COSINE,
} OvAlignMetric;

typedef struct {
  char         *label;      /* shown in legends: the file name */
  OvAlignMetric metric;
  guint         n_classes;
  char        **class_names;
  guint         n_region_points, n_tag_points;
  guint         n_layers;
  OvAlignLayer *layers;     /* (n_layers), in increasing layer order */
} OvAlignment;

OvAlignment *ov_align_compute     (const OvEmbeddings *emb,
                                   const char         *label,
                                   GError            **error);
/* The same with the distance of metric; nearest tags are the nearest by
 * it (by cosine: of the vectors scaled to unit length). */
OvAlignment *ov_align_compute_metric (const OvEmbeddings *emb,
                                      const char         *label,
                                      OvAlignMetric       metric,
                                      GError            **error);
void         ov_alignment_free    (OvAlignment        *a);
/* Plain-text table: per layer the overall numbers, then per class those of
 * the last layer. */
char        *ov_align_format_table (const OvAlignment *a);
JsonNode    *ov_align_to_json     (OvAlignment *const *a,
                                   guint               n);

/* The figure: distances and nearest-tag agreement across layers for up to
 * two models, and per-class intra/inter bars of each model's last layer;
 * drawn at OV_ALIGN_FIGURE_WIDTH x OV_ALIGN_FIGURE_HEIGHT points when no
 * other size is asked for. */
#define OV_ALIGN_FIGURE_WIDTH 900.0
#define OV_ALIGN_FIGURE_HEIGHT 700.0

typedef struct _OvAlignView OvAlignView;

OvAlignView *ov_align_view_new    (OvAlignment *const *a,     /* borrowed */
                                   guint               n);
void         ov_align_view_free   (OvAlignView        *view);
/* The figure's title over both plots: NULL gives it back its own (which
 * says what the plots show), "" none, and the plots move up into its room;
 * the plots' own titles stay. */
void         ov_align_view_set_title (OvAlignView *view,
                                      const char  *title);
/* See ov_draw_shrink: the figure is shown scale times as large as laid out. */
void         ov_align_view_set_shown_scale (OvAlignView *view,
                                            double       scale);
void         ov_align_view_layout (OvAlignView        *view,
                                   double              width,
                                   double              height);
void         ov_align_view_draw   (OvAlignView        *view,
                                   cairo_t            *cr);
/* The layer plot under (x, y): model index, layer and the value of the
 * nearest series; FALSE outside the plots. */
gboolean     ov_align_view_hit    (OvAlignView        *view,
                                   double              x,
                                   double              y,
                                   guint              *model,
                                   int                *layer,
                                   const char        **series,
                                   double             *value);
void         ov_align_view_paint  (cairo_t *cr, double width, double height, gpointer view);
/* The scale both bar charts share (the class distances of each model's
 * last layer); lo > 0 when the axis is broken to show small differences. */
void         ov_align_view_get_bar_range (OvAlignView *view,
                                          double      *lo,
                                          double      *hi);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvAlignment, ov_alignment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvAlignView, ov_align_view_free)

G_END_DECLS
