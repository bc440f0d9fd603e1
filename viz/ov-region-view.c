/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Image + region overlay. Layout (image fit, label placement) is computed in
 * ov_region_view_layout and kept, so drawing and hit-testing read the same
 * geometry.
 */
#define G_LOG_DOMAIN "ov-region-view"

#include <math.h>
#include <stdlib.h>

#include "ov-region-view.h"

#define LABEL_FONT_SIZE 11.0
#define LABEL_PAD 2.0

struct _OvRegionView
{
  const OvSample  *sample;
  cairo_surface_t *image;
  OvPalette       *palette;
  OvPalette       *own_palette;
  gboolean         show_labels;
  gboolean        *hidden;       /* (n_regions) */
  int              highlight;
  OvOrientation    orientation;  /* how the boxes' frame is turned to be shown */

  /* layout */
  double           box_w, box_h;       /* the frame boxes are given in */
  double           frame_w, frame_h;   /* the frame shown: box_w x box_h turned */
  double           scale, ox, oy;      /* frame -> view */
  OvRect          *labels;             /* (n_regions) */
  double           label_font;         /* their text size */
  gboolean        *has_label;          /* (n_regions) */
};

OvRegionView *
ov_region_view_new (const OvSample *sample, cairo_surface_t *image, OvPalette *palette)
{
  OvRegionView *v;

  g_return_val_if_fail (sample != NULL, NULL);

  v = g_new0 (OvRegionView, 1);
  v->sample = sample;
  v->image = image != NULL ? cairo_surface_reference (image) : NULL;
  if (palette == NULL)
    {
      g_autofree const char **names = g_new0 (const char *, MAX (sample->n_regions, 1));

      for (guint i = 0; i < sample->n_regions; i++)
        names[i] = sample->regions[i].cls;
      palette = v->own_palette = ov_palette_new ();
      ov_palette_assign (palette, names, sample->n_regions);
    }
  v->palette = palette;
  v->show_labels = TRUE;
  v->label_font = LABEL_FONT_SIZE;
  v->highlight = -1;
  v->orientation = OV_ORIENTATION_NORMAL;
  v->hidden = g_new0 (gboolean, MAX (sample->n_regions, 1));
  v->labels = g_new0 (OvRect, MAX (sample->n_regions, 1));
  v->has_label = g_new0 (gboolean, MAX (sample->n_regions, 1));
  return v;
}

void
ov_region_view_free (OvRegionView *view)
{
  if (view == NULL)
    return;
  g_clear_pointer (&view->image, cairo_surface_destroy);
  ov_palette_free (view->own_palette);
  g_free (view->hidden);
  g_free (view->labels);
  g_free (view->has_label);
  g_free (view);
}

void
ov_region_view_set_show_labels (OvRegionView *view, gboolean show)
{
  view->show_labels = !!show;
}

void
ov_region_view_set_hidden (OvRegionView *view, guint region, gboolean hidden)
{
  g_return_if_fail (region < view->sample->n_regions);
  view->hidden[region] = !!hidden;
}

void
ov_region_view_set_highlight (OvRegionView *view, int region)
{
  view->highlight = region;
}

void
ov_region_view_set_orientation (OvRegionView *view, OvOrientation orientation)
{
  g_return_if_fail (orientation >= OV_ORIENTATION_NORMAL
                    && orientation <= OV_ORIENTATION_ROTATE_270_CW);
  view->orientation = orientation;
}

/* The frame the boxes are given in: the sample's size, else the picture's
 * (turned back into the boxes' frame), else the boxes' extent. */
static void
box_frame_size (OvRegionView *view, double *w, double *h)
{
  const OvSample *s = view->sample;

  if (s->width > 0 && s->height > 0)
    {
      *w = s->width;
      *h = s->height;
      return;
    }
  if (view->image != NULL && cairo_image_surface_get_width (view->image) > 0)
    {
      int bw, bh;

      /* a turn by a quarter swaps the sides, and so does turning back */
      ov_orientation_apply_size (view->orientation, cairo_image_surface_get_width (view->image),
                                 cairo_image_surface_get_height (view->image), &bw, &bh);
      *w = bw;
      *h = bh;
      return;
    }
  /* No size known: the boxes' extent. */
  *w = *h = 1.0;
  for (guint i = 0; i < s->n_regions; i++)
    {
      *w = MAX (*w, s->regions[i].x2);
      *h = MAX (*h, s->regions[i].y2);
    }
}

static double
overlap_area (const OvRect *a, const OvRect *b)
{
  double w = MIN (a->x + a->width, b->x + b->width) - MAX (a->x, b->x);
  double h = MIN (a->y + a->height, b->y + b->height) - MAX (a->y, b->y);

  return w > 0 && h > 0 ? w * h : 0.0;
}

/* "white pillow 0.70": the first attribute (VinVL's most likely), the
 * class and the confidence, each when known. */
static char *
label_text (const OvRegion *r)
{
  GString *s = g_string_new (NULL);

  if (r->attributes != NULL && r->attributes[0] != NULL && r->attributes[0][0] != '\0')
    g_string_append_printf (s, "%s ", r->attributes[0]);
  g_string_append (s, r->cls != NULL ? r->cls : "?");
  if (!isnan (r->conf))
    g_string_append_printf (s, " %.2f", r->conf);
  return g_string_free (s, FALSE);
}

static int
compare_conf_desc (gconstpointer a, gconstpointer b, gpointer data)
{
  const OvSample *s = data;
  double ca = s->regions[*(const guint *) a].conf;
  double cb = s->regions[*(const guint *) b].conf;

  if (isnan (ca))
    ca = -1;
  if (isnan (cb))
    cb = -1;
  if (ca != cb)
    return ca > cb ? -1 : 1;
  return (int) *(const guint *) a - (int) *(const guint *) b;
}

/* Where labels go: the first of a box's candidate spots that covers no
 * placed label and no other region, else the one that covers least, a
 * label counting four times a box (an object hidden under a label can
 * still be made out around it; two labels on each other cannot), and the
 * region's own box half. */
static void
place_labels (OvRegionView *view, double width, double height)
{
  const OvSample *s = view->sample;
  cairo_surface_t *scratch = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (scratch);
  g_autofree guint *order = g_new (guint, MAX (s->n_regions, 1));
  /* the boxes shown, in view coordinates (hidden ones left empty) */
  g_autofree OvRect *boxes = g_new0 (OvRect, MAX (s->n_regions, 1));
  GArray *placed = g_array_new (FALSE, FALSE, sizeof (OvRect));
  cairo_font_extents_t fe;

  ov_draw_set_font (cr, view->label_font, FALSE);
  cairo_font_extents (cr, &fe);
  for (guint i = 0; i < s->n_regions; i++)
    {
      order[i] = i;
      if (view->hidden[i] || !ov_region_view_get_box (view, i, &boxes[i]))
        boxes[i] = (OvRect) { 0 };
    }
  g_qsort_with_data (order, s->n_regions, sizeof (guint), compare_conf_desc, (gpointer) s);

  /* Greedy: most confident first; take the first candidate spot that
   * overlaps no placed label, else the one that overlaps least. */
  for (guint n = 0; n < s->n_regions; n++)
    {
      guint i = order[n];
      OvRect box, cand[6], best = { 0 };
      double best_overlap = G_MAXDOUBLE;
      g_autofree char *text = NULL;
      double lw, lh;

      view->has_label[i] = FALSE;
      if (view->hidden[i])
        continue;
      box = boxes[i];
      text = label_text (&s->regions[i]);
      lw = ov_draw_text_width (cr, text) + 2 * LABEL_PAD;
      lh = fe.ascent + fe.descent + 2 * LABEL_PAD;
      cand[0] = (OvRect) { box.x, box.y - lh, lw, lh };                       /* above, left */
      cand[1] = (OvRect) { box.x, box.y, lw, lh };                            /* inside top */
      cand[2] = (OvRect) { box.x, box.y + box.height, lw, lh };               /* below */
      cand[3] = (OvRect) { box.x, box.y + box.height - lh, lw, lh };          /* inside bottom */
      cand[4] = (OvRect) { box.x + box.width - lw, box.y - lh, lw, lh };      /* above, right */
      cand[5] = (OvRect) { box.x + box.width - lw, box.y + box.height, lw, lh };
      for (int c = 0; c < 6; c++)
        {
          double o = 0.0;

          cand[c].x = CLAMP (cand[c].x, 0.0, MAX (0.0, width - lw));
          cand[c].y = CLAMP (cand[c].y, 0.0, MAX (0.0, height - lh));
          for (guint p = 0; p < placed->len; p++)
            o += 4.0 * overlap_area (&cand[c], &g_array_index (placed, OvRect, p));
          /* (an empty box covers nothing) */
          for (guint j = 0; j < s->n_regions; j++)
            o += (j == i ? 0.5 : 1.0) * overlap_area (&cand[c], &boxes[j]);
          if (o < best_overlap)
            {
              best_overlap = o;
              best = cand[c];
            }
          if (o == 0.0)
            break;
        }
      view->labels[i] = best;
      view->has_label[i] = TRUE;
      g_array_append_val (placed, best);
    }
  g_array_unref (placed);
  cairo_destroy (cr);
  cairo_surface_destroy (scratch);
}

void
ov_region_view_get_frame_size (OvRegionView *view, double *width, double *height)
{
  double bw, bh;
  gboolean swapped = ov_orientation_swaps_axes (view->orientation);

  box_frame_size (view, &bw, &bh);
  *width = swapped ? bh : bw;
  *height = swapped ? bw : bh;
}

void
ov_region_view_layout (OvRegionView *view, double width, double height)
{
  double fw, fh;

  box_frame_size (view, &view->box_w, &view->box_h);
  ov_region_view_get_frame_size (view, &fw, &fh);
  view->frame_w = fw;
  view->frame_h = fh;
  view->scale = MIN (width / fw, height / fh);
  /* smaller on a small picture (a large text size lays it out smaller),
   * so that the labels leave the objects in view: 11 points from 300
   * points across, down to 7.7 */
  view->label_font = LABEL_FONT_SIZE * CLAMP (MIN (width, height) / 300.0, 0.7, 1.0);
  view->ox = (width - fw * view->scale) / 2;
  view->oy = (height - fh * view->scale) / 2;
  if (view->show_labels)
    place_labels (view, width, height);
  else
    for (guint i = 0; i < view->sample->n_regions; i++)
      view->has_label[i] = FALSE;
}

gboolean
ov_region_view_get_box (OvRegionView *view, guint region, OvRect *rect)
{
  const OvRegion *r;
  double box[4];

  if (region >= view->sample->n_regions)
    return FALSE;
  r = &view->sample->regions[region];
  box[0] = MIN (r->x1, r->x2);
  box[1] = MIN (r->y1, r->y2);
  box[2] = MAX (r->x1, r->x2);
  box[3] = MAX (r->y1, r->y2);
  if (view->orientation != OV_ORIENTATION_NORMAL)
    ov_orientation_apply_box (view->orientation, (int) ceil (view->box_w),
                              (int) ceil (view->box_h), box);
  rect->x = view->ox + box[0] * view->scale;
  rect->y = view->oy + box[1] * view->scale;
  rect->width = (box[2] - box[0]) * view->scale;
  rect->height = (box[3] - box[1]) * view->scale;
  return TRUE;
}

gboolean
ov_region_view_get_label_rect (OvRegionView *view, guint region, OvRect *rect)
{
  if (region >= view->sample->n_regions || !view->has_label[region])
    return FALSE;
  *rect = view->labels[region];
  return TRUE;
}

static int
compare_area_desc (gconstpointer a, gconstpointer b, gpointer data)
{
  const OvSample *s = data;
  const OvRegion *ra = &s->regions[*(const guint *) a];
  const OvRegion *rb = &s->regions[*(const guint *) b];
  double aa = fabs ((ra->x2 - ra->x1) * (ra->y2 - ra->y1));
  double ab = fabs ((rb->x2 - rb->x1) * (rb->y2 - rb->y1));

  if (aa != ab)
    return aa > ab ? -1 : 1;
  return (int) *(const guint *) a - (int) *(const guint *) b;
}

guint *
ov_region_view_paint_order (OvRegionView *view, guint *n)
{
  guint count = view->sample->n_regions;
  guint *order = g_new (guint, MAX (count, 1));

  for (guint i = 0; i < count; i++)
    order[i] = i;
  g_qsort_with_data (order, count, sizeof (guint), compare_area_desc, (gpointer) view->sample);
  *n = count;
  return order;
}

void
ov_region_view_draw_image (OvRegionView *view, cairo_t *cr)
{
  cairo_save (cr);
  cairo_rectangle (cr, view->ox, view->oy, view->frame_w * view->scale,
                   view->frame_h * view->scale);
  if (view->image != NULL && cairo_image_surface_get_width (view->image) > 0)
    {
      double iw = cairo_image_surface_get_width (view->image);
      double ih = cairo_image_surface_get_height (view->image);

      cairo_clip (cr);
      cairo_translate (cr, view->ox, view->oy);
      /* The image may be stored at another resolution than the frame the
       * detector saw; stretch it onto that frame. */
      cairo_scale (cr, view->frame_w * view->scale / iw, view->frame_h * view->scale / ih);
      cairo_set_source_surface (cr, view->image, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
      cairo_paint (cr);
    }
  else
    {
      cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

void
ov_region_view_draw (OvRegionView *view, cairo_t *cr)
{
  const OvSample *s = view->sample;
  g_autofree guint *order = NULL;
  guint n;

  ov_region_view_draw_image (view, cr);
  order = ov_region_view_paint_order (view, &n);

  cairo_save (cr);
  for (guint k = 0; k < n; k++)
    {
      guint i = order[k];
      OvColor c = ov_palette_color (view->palette, s->regions[i].cls);
      double alpha = view->highlight < 0 || view->highlight == (int) i ? 1.0 : 0.35;
      OvRect b;

      if (view->hidden[i])
        continue;
      ov_region_view_get_box (view, i, &b);
      cairo_set_line_width (cr, view->highlight == (int) i ? 4.0 : 2.0);
      cairo_set_source_rgba (cr, c.r, c.g, c.b, alpha);
      cairo_rectangle (cr, b.x, b.y, b.width, b.height);
      cairo_stroke (cr);
    }

  ov_draw_set_font (cr, view->label_font, FALSE);
  for (guint k = 0; k < n; k++)
    {
      guint i = order[k];
      OvColor c = ov_palette_color (view->palette, s->regions[i].cls);
      g_autofree char *text = NULL;
      OvRect l;

      if (!view->has_label[i] || view->hidden[i])
        continue;
      l = view->labels[i];
      text = label_text (&s->regions[i]);
      cairo_set_source_rgba (cr, c.r, c.g, c.b, 0.85);
      cairo_rectangle (cr, l.x, l.y, l.width, l.height);
      cairo_fill (cr);
      if (ov_color_luminance (c) > 0.5)
        cairo_set_source_rgb (cr, 0, 0, 0);
      else
        cairo_set_source_rgb (cr, 1, 1, 1);
      ov_draw_text (cr, l.x + LABEL_PAD, l.y + l.height / 2, 0.0, 0.5, text);
    }
  cairo_restore (cr);
}

int
ov_region_view_hit (OvRegionView *view, double x, double y)
{
  const OvSample *s = view->sample;
  int best = -1;
  double best_area = G_MAXDOUBLE;

  for (guint i = 0; i < s->n_regions; i++)
    {
      const OvRect *l = &view->labels[i];

      if (view->has_label[i] && !view->hidden[i]
          && x >= l->x && x < l->x + l->width && y >= l->y && y < l->y + l->height)
        return i;
    }
  for (guint i = 0; i < s->n_regions; i++)
    {
      OvRect b;

      if (view->hidden[i])
        continue;
      ov_region_view_get_box (view, i, &b);
      if (x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height
          && b.width * b.height < best_area)
        {
          best = i;
          best_area = b.width * b.height;
        }
    }
  return best;
}

void
ov_region_view_paint (cairo_t *cr, double width, double height, gpointer view)
{
  ov_region_view_layout (view, width, height);
  ov_region_view_draw (view, cr);
}
