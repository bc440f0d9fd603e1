/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Draws one row per answer: its text, a bar whose length is the score on a
 * fixed 0..1 axis (so scores compare across questions), and the score. The
 * bars take the accent colour, the text the theme's foreground. The text
 * follows the window's font; the rows, bars and gaps grow with it by the
 * text scale (ov_widget_get_text_scale).
 */
#define G_LOG_DOMAIN "ov-answer-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ov-answer-chart.h"
#include "ov-panel-util.h"

/* At the usual text size; times the text scale. */
#define ROW_HEIGHT 28
#define BAR_HEIGHT 18
#define GAP        8

struct _OvAnswerChart
{
  GtkWidget  parent_instance;

  GPtrArray *labels;   /* char* */
  GArray    *scores;   /* double */
};

G_DEFINE_FINAL_TYPE (OvAnswerChart, ov_answer_chart, GTK_TYPE_WIDGET)

static void
update_accessible (OvAnswerChart *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->labels->len; i++)
    g_string_append_printf (text, "%s%s %.2f", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (self->labels, i),
                            g_array_index (self->scores, double, i));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str, -1);
  g_string_free (text, TRUE);
}

static void
ov_answer_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  OvAnswerChart *self = OV_ANSWER_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double scale = ov_widget_get_text_scale (widget);
  double row_h = ROW_HEIGHT * scale, bar_h = BAR_HEIGHT * scale, gap = GAP * scale;
  double label_w = 0, value_w = 0, bar_w;
  GdkRGBA fg, accent;
  g_autoptr(GPtrArray) layouts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(PangoLayout) value_layout = gtk_widget_create_pango_layout (widget, "0.00");
  int w, h;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget),
                                       "accent_bg_color", &accent))
    gdk_rgba_parse (&accent, "#3584e4");
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* The label column is as wide as the longest answer, up to 40 %. */
  for (guint i = 0; i < self->labels->len; i++)
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (widget,
                                                            g_ptr_array_index (self->labels, i));

      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_width (layout, (int) (width * 0.4 * PANGO_SCALE));
      pango_layout_get_pixel_size (layout, &w, &h);
      label_w = MAX (label_w, w);
      g_ptr_array_add (layouts, layout);
    }
  pango_layout_get_pixel_size (value_layout, &w, &h);
  value_w = w;
  bar_w = MAX (width - label_w - value_w - 2 * gap, 10);

  for (guint i = 0; i < self->labels->len; i++)
    {
      double score = CLAMP (g_array_index (self->scores, double, i), 0.0, 1.0);
      double y = i * row_h;
      g_autofree char *value = g_strdup_printf ("%.2f", score);
      PangoLayout *layout = g_ptr_array_index (layouts, i);
      GdkRGBA track = fg;

      pango_layout_get_pixel_size (layout, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (label_w - w,
                                                              y + (row_h - h) / 2.0));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);

      track.alpha = 0.1;
      gtk_snapshot_append_color (snapshot, &track,
                                 &GRAPHENE_RECT_INIT (label_w + gap, y + (row_h - bar_h) / 2.0,
                                                      bar_w, bar_h));
      gtk_snapshot_append_color (snapshot, &accent,
                                 &GRAPHENE_RECT_INIT (label_w + gap, y + (row_h - bar_h) / 2.0,
                                                      bar_w * score, bar_h));

      pango_layout_set_text (value_layout, value, -1);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (label_w + 2 * gap + bar_w,
                                                              y + (row_h - h) / 2.0));
      gtk_snapshot_append_layout (snapshot, value_layout, &fg);
      gtk_snapshot_restore (snapshot);
    }
}

static void
ov_answer_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  OvAnswerChart *self = OV_ANSWER_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 400;
    }
  else
    *minimum = *natural = (int) ceil (self->labels->len * ROW_HEIGHT
                                      * ov_widget_get_text_scale (widget));
}

static void
ov_answer_chart_finalize (GObject *object)
{
  OvAnswerChart *self = OV_ANSWER_CHART (object);

  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->scores, g_array_unref);
  G_OBJECT_CLASS (ov_answer_chart_parent_class)->finalize (object);
}

static void
ov_answer_chart_class_init (OvAnswerChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ov_answer_chart_finalize;
  widget_class->snapshot = ov_answer_chart_snapshot;
  widget_class->measure = ov_answer_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "ov-answer-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ov_answer_chart_init (OvAnswerChart *self)
{
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->scores = g_array_new (FALSE, FALSE, sizeof (double));
  ov_widget_follow_text_scale (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Answer scores"), -1);
}

GtkWidget *
ov_answer_chart_new (void)
{
  return g_object_new (OV_TYPE_ANSWER_CHART, NULL);
}

void
ov_answer_chart_set_answers (OvAnswerChart   *self,
                             const OvAnswers *answers)
{
  g_return_if_fail (OV_IS_ANSWER_CHART (self));

  g_ptr_array_set_size (self->labels, 0);
  g_array_set_size (self->scores, 0);
  for (int i = 0; answers != NULL && i < answers->n; i++)
    {
      g_ptr_array_add (self->labels, g_strdup (answers->labels[i]));
      g_array_append_val (self->scores, answers->scores[i]);
    }
  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
ov_answer_chart_get_n (OvAnswerChart *self)
{
  g_return_val_if_fail (OV_IS_ANSWER_CHART (self), 0);
  return self->labels->len;
}

const char *
ov_answer_chart_get_label (OvAnswerChart *self,
                           guint          i)
{
  g_return_val_if_fail (OV_IS_ANSWER_CHART (self), NULL);
  return i < self->labels->len ? g_ptr_array_index (self->labels, i) : NULL;
}
