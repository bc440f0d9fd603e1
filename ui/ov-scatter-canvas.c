/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The scatter plot widget. The renderer paints and hit-tests; this file
 * holds the state that outlives one set of positions (classes shown,
 * selection, keyboard cursor) and the gestures. A drag draws a lasso
 * (Shift: a box; Ctrl: adds to the selection); a click without movement is
 * a click. While the canvas has the focus, the keyboard's point has a ring
 * and the first line of its tooltip beside it. The figure is laid out at
 * the widget's size divided by its text scale and drawn enlarged by it
 * (ov_widget_get_text_scale): the gestures divide pointer positions by the
 * scale, and the functions below take view coordinates.
 */
#define G_LOG_DOMAIN "ov-scatter-canvas"

#include "config.h"

#include <math.h>
#include <string.h>

#include "viz/ov-draw.h"
#include "ov-panel-util.h"
#include "ov-scatter-canvas.h"

/* Pointer travel (pixels) below which a drag is a click. */
#define CLICK_SLOP 4.0
/* Hit radius of a point, in view units (it grows with the markers). */
#define HIT_RADIUS 6.0

struct _OvScatterCanvas
{
  GtkWidget      parent_instance;

  OvScatterView *view;
  guint          n_points;
  guint          n_classes;
  gboolean      *visible;     /* (n_classes) */
  GArray        *selection;   /* guint, increasing */
  int            cursor;      /* keyboard point, -1 = none */
  int            hover;

  OvScatterTooltipFunc tooltip_func;
  gpointer       tooltip_data;

  /* The drag in progress: view coordinates, x y pairs. */
  GArray        *lasso;       /* double */
  double         drag_x, drag_y;
  gboolean       dragging, box_mode, extend;
};

enum {
  POINT_ACTIVATED,
  SELECTION_CHANGED,
  CLASSES_CHANGED,
  HOVER_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OvScatterCanvas, ov_scatter_canvas, GTK_TYPE_WIDGET)

void
ov_scatter_canvas_layout (OvScatterCanvas *self)
{
  double scale = ov_widget_get_text_scale (GTK_WIDGET (self));
  double w = gtk_widget_get_width (GTK_WIDGET (self)) / scale;
  double h = gtk_widget_get_height (GTK_WIDGET (self)) / scale;

  g_return_if_fail (OV_IS_SCATTER_CANVAS (self));

  if (self->view == NULL)
    return;
  /* Before the first allocation (tests, hidden pages) lay out at the
   * minimum size, which is also what the widget asks for. */
  if (w <= 0 || h <= 0)
    {
      w = 420;
      h = 300;
    }
  ov_scatter_view_set_shown_scale (self->view, scale);
  ov_scatter_view_layout (self->view, w, h);
}

static void
apply_state (OvScatterCanvas *self)
{
  if (self->view == NULL)
    return;
  for (guint c = 0; c < self->n_classes; c++)
    ov_scatter_view_set_class_visible (self->view, c, self->visible[c]);
  ov_scatter_view_set_selection (self->view, (const guint *) self->selection->data,
                                 self->selection->len);
}

static void
ov_scatter_canvas_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  /* Short enough that the embeddings toolbar, wrapped onto two lines in a
   * narrow window, still leaves the window within a 600-pixel screen. */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 150;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 420 : 300;
}

char *
ov_scatter_canvas_dup_cursor_label (OvScatterCanvas *self)
{
  g_autofree char *text = NULL;
  int index;
  char *end;

  g_return_val_if_fail (OV_IS_SCATTER_CANVAS (self), NULL);

  index = ov_scatter_canvas_get_cursor (self);
  if (index < 0 || self->tooltip_func == NULL)
    return NULL;
  text = self->tooltip_func ((guint) index, self->tooltip_data);
  if (text == NULL)
    return NULL;
  end = strchr (text, '\n');
  return end != NULL ? g_strndup (text, end - text) : g_steal_pointer (&text);
}

/* The keyboard's point named beside it, in a box that stays inside the
 * widget: a tooltip follows only the pointer. */
static void
draw_cursor_label (OvScatterCanvas *self,
                   cairo_t         *cr,
                   double           x,
                   double           y,
                   int              width,
                   int              height)
{
  g_autofree char *line = ov_scatter_canvas_dup_cursor_label (self);
  g_autofree char *text = NULL;
  double font = 11.0, pad = 5.0, w, h, bx, by;

  if (line == NULL)
    return;
  ov_draw_set_font (cr, font, FALSE);
  text = ov_draw_ellipsize (cr, line, MAX (width - 4 * pad, 40));
  w = ov_draw_text_width (cr, text) + 2 * pad;
  h = ov_draw_line_height (font) + pad;
  /* Above and right of the ring; below or left where the edge is near. */
  bx = x + 12 + w <= width ? x + 12 : MAX (x - 12 - w, 0);
  by = y - 12 - h >= 0 ? y - 12 - h : MIN (y + 12, height - h);
  cairo_new_path (cr);
  cairo_rectangle (cr, bx, by, w, h);
  ov_draw_use_grey (cr, 1.0, 0.92);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.9);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
  ov_draw_use_grey (cr, 0.1, 1.0);
  ov_draw_text (cr, bx + pad, by + h / 2, 0.0, 0.5, text);
}

static void
ov_scatter_canvas_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  OvScatterCanvas *self = OV_SCATTER_CANVAS (widget);
  double width, height;
  OvInk ink;
  cairo_t *cr;

  if (self->view == NULL || gtk_widget_get_width (widget) <= 0
      || gtk_widget_get_height (widget) <= 0)
    return;
  ov_widget_get_ink (widget, &ink);
  cr = ov_widget_append_scaled_cairo (widget, snapshot, &width, &height);
  ov_scatter_view_set_shown_scale (self->view, ov_widget_get_text_scale (widget));
  /* in the style's ink, light or dark; the exported figures keep the light
   * one */
  ov_draw_set_ink (cr, &ink);
  ov_draw_use_ink (cr, OV_INK_BACKGROUND);
  cairo_paint (cr);
  ov_scatter_view_paint (cr, width, height, self->view);

  /* The keyboard cursor: a ring in the focus colour. */
  if (self->cursor >= 0 && gtk_widget_has_focus (widget))
    {
      double x, y;

      if (ov_scatter_view_get_point (self->view, (guint) self->cursor, &x, &y))
        {
          cairo_new_path (cr);
          cairo_arc (cr, x, y, 9, 0, 2 * G_PI);
          cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.9);
          cairo_set_line_width (cr, 2.0);
          cairo_stroke (cr);
          draw_cursor_label (self, cr, x, y, width, height);
        }
    }

  if (self->dragging && self->lasso->len >= 4)
    {
      const double *p = (const double *) self->lasso->data;
      guint n = self->lasso->len / 2;

      cairo_new_path (cr);
      if (self->box_mode)
        cairo_rectangle (cr, MIN (p[0], p[2 * n - 2]), MIN (p[1], p[2 * n - 1]),
                         fabs (p[2 * n - 2] - p[0]), fabs (p[2 * n - 1] - p[1]));
      else
        {
          cairo_move_to (cr, p[0], p[1]);
          for (guint k = 1; k < n; k++)
            cairo_line_to (cr, p[2 * k], p[2 * k + 1]);
          cairo_close_path (cr);
        }
      cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.12);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.9);
      cairo_set_line_width (cr, 1.5);
      cairo_set_dash (cr, (double[]) { 4, 3 }, 2, 0);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

static void
set_hover (OvScatterCanvas *self,
           int              index)
{
  if (self->hover == index)
    return;
  self->hover = index;
  g_signal_emit (self, signals[HOVER_CHANGED], 0, index);
}

static void
set_cursor (OvScatterCanvas *self,
            int              index)
{
  self->cursor = index;
  g_signal_emit (self, signals[HOVER_CHANGED], 0, index);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Selection */

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

static void
take_selection (OvScatterCanvas *self,
                GArray          *picked,
                gboolean         extend)
{
  if (extend)
    g_array_append_vals (picked, self->selection->data, self->selection->len);
  g_array_sort (picked, compare_uint);
  /* Drop repeats (a point picked twice when extending). */
  g_array_set_size (self->selection, 0);
  for (guint k = 0; k < picked->len; k++)
    {
      guint i = g_array_index (picked, guint, k);

      if (self->selection->len == 0
          || g_array_index (self->selection, guint, self->selection->len - 1) != i)
        g_array_append_val (self->selection, i);
    }
  apply_state (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

void
ov_scatter_canvas_set_selection (OvScatterCanvas *self,
                                 const guint     *indices,
                                 guint            n)
{
  g_autoptr(GArray) picked = g_array_new (FALSE, FALSE, sizeof (guint));

  g_return_if_fail (OV_IS_SCATTER_CANVAS (self));

  for (guint k = 0; k < n; k++)
    if (indices[k] < self->n_points)
      g_array_append_val (picked, indices[k]);
  take_selection (self, picked, FALSE);
}

const guint *
ov_scatter_canvas_get_selection (OvScatterCanvas *self,
                                 guint           *n)
{
  g_return_val_if_fail (OV_IS_SCATTER_CANVAS (self), NULL);

  *n = self->selection->len;
  return (const guint *) self->selection->data;
}

void
ov_scatter_canvas_select_lasso (OvScatterCanvas *self,
                                const double    *polygon,
                                guint            n_vertices,
                                gboolean         extend)
{
  g_return_if_fail (OV_IS_SCATTER_CANVAS (self));

  if (self->view == NULL)
    return;
  ov_scatter_canvas_layout (self);
  take_selection (self, ov_scatter_view_select_lasso (self->view, polygon, n_vertices), extend);
}

void
ov_scatter_canvas_select_box (OvScatterCanvas *self,
                              double           x0,
                              double           y0,
                              double           x1,
                              double           y1,
                              gboolean         extend)
{
  g_autoptr(GArray) picked = NULL;

  g_return_if_fail (OV_IS_SCATTER_CANVAS (self));

  if (self->view == NULL)
    return;
  ov_scatter_canvas_layout (self);
  picked = ov_scatter_view_select_box (self->view, MIN (x0, x1), MIN (y0, y1), MAX (x0, x1),
                                       MAX (y0, y1));
  take_selection (self, g_steal_pointer (&picked), extend);
}

/* Classes */

gboolean
ov_scatter_canvas_get_class_visible (OvScatterCanvas *self,
                                     guint            cls)
{
  g_return_val_if_fail (OV_IS_SCATTER_CANVAS (self), FALSE);
  g_return_val_if_fail (cls < self->n_classes, FALSE);
  return self->visible[cls];
}

/* Hidden points leave the selection, so the list beside the plot shows
 * only what can be seen. */
static void
prune_selection (OvScatterCanvas *self)
{
  g_autoptr(GArray) kept = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) shown = NULL;

  if (self->view == NULL || self->selection->len == 0)
    return;
  ov_scatter_canvas_layout (self);
  /* The whole widget as a box: every visible point. */
  shown = ov_scatter_view_select_box (self->view, -1e9, -1e9, 1e9, 1e9);
  for (guint k = 0, j = 0; k < self->selection->len; k++)
    {
      guint i = g_array_index (self->selection, guint, k);

      while (j < shown->len && g_array_index (shown, guint, j) < i)
        j++;
      if (j < shown->len && g_array_index (shown, guint, j) == i)
        g_array_append_val (kept, i);
    }
  if (kept->len != self->selection->len)
    take_selection (self, g_steal_pointer (&kept), FALSE);
}

void
ov_scatter_canvas_set_class_visible (OvScatterCanvas *self,
                                     guint            cls,
                                     gboolean         visible)
{
  g_return_if_fail (OV_IS_SCATTER_CANVAS (self));
  g_return_if_fail (cls < self->n_classes);

  visible = !!visible;
  if (self->visible[cls] == visible)
    return;
  self->visible[cls] = visible;
  apply_state (self);
  prune_selection (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[CLASSES_CHANGED], 0);
}

void
ov_scatter_canvas_set_all_visible (OvScatterCanvas *self,
                                   gboolean         visible)
{
  g_return_if_fail (OV_IS_SCATTER_CANVAS (self));

  for (guint c = 0; c < self->n_classes; c++)
    self->visible[c] = !!visible;
  apply_state (self);
  prune_selection (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[CLASSES_CHANGED], 0);
}

/* View */

void
ov_scatter_canvas_set_view (OvScatterCanvas *self,
                            OvScatterView   *view,
                            guint            n_points,
                            guint            n_classes,
                            gboolean         keep_state)
{
  gboolean reset;

  g_return_if_fail (OV_IS_SCATTER_CANVAS (self));

  reset = !keep_state || n_points != self->n_points || n_classes != self->n_classes;
  g_clear_pointer (&self->view, ov_scatter_view_free);
  self->view = view;
  self->n_points = view != NULL ? n_points : 0;
  /* Nothing to move over: no stop in the focus chain (the empty canvas
   * would take the focus and show nothing). */
  gtk_widget_set_focusable (GTK_WIDGET (self), view != NULL);
  if (reset)
    {
      g_free (self->visible);
      self->n_classes = view != NULL ? n_classes : 0;
      self->visible = g_new (gboolean, MAX (self->n_classes, 1));
      for (guint c = 0; c < self->n_classes; c++)
        self->visible[c] = TRUE;
      g_array_set_size (self->selection, 0);
      self->cursor = -1;
      self->hover = -1;
    }
  apply_state (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (reset)
    {
      g_signal_emit (self, signals[CLASSES_CHANGED], 0);
      g_signal_emit (self, signals[SELECTION_CHANGED], 0);
    }
}

OvScatterView *
ov_scatter_canvas_get_view (OvScatterCanvas *self)
{
  g_return_val_if_fail (OV_IS_SCATTER_CANVAS (self), NULL);
  return self->view;
}

void
ov_scatter_canvas_set_tooltip_func (OvScatterCanvas     *self,
                                    OvScatterTooltipFunc func,
                                    gpointer             data)
{
  g_return_if_fail (OV_IS_SCATTER_CANVAS (self));

  self->tooltip_func = func;
  self->tooltip_data = data;
}

int
ov_scatter_canvas_get_cursor (OvScatterCanvas *self)
{
  g_return_val_if_fail (OV_IS_SCATTER_CANVAS (self), -1);

  if (self->cursor >= 0 && ((guint) self->cursor >= self->n_points
                            || !ov_scatter_view_get_point (self->view, self->cursor,
                                                           NULL, NULL)))
    return -1;
  return self->cursor;
}

int
ov_scatter_canvas_click (OvScatterCanvas *self,
                         double           x,
                         double           y)
{
  int cls, index;

  g_return_val_if_fail (OV_IS_SCATTER_CANVAS (self), -1);

  if (self->view == NULL)
    return -1;
  ov_scatter_canvas_layout (self);
  cls = ov_scatter_view_legend_hit (self->view, x, y);
  if (cls >= 0)
    {
      ov_scatter_canvas_set_class_visible (self, cls, !self->visible[cls]);
      return -1;
    }
  index = ov_scatter_view_hit (self->view, x, y, HIT_RADIUS);
  if (index < 0)
    {
      ov_scatter_canvas_set_selection (self, NULL, 0);
      return -1;
    }
  {
    guint i = (guint) index;

    ov_scatter_canvas_set_selection (self, &i, 1);
  }
  /* the keys go on from the point clicked */
  set_cursor (self, index);
  g_signal_emit (self, signals[POINT_ACTIVATED], 0, (guint) index);
  return index;
}

/* Gestures */

static void
drag_begin_cb (GtkGestureDrag  *gesture,
               double           x,
               double           y,
               OvScatterCanvas *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (gesture));
  double scale = ov_widget_get_text_scale (GTK_WIDGET (self));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  x /= scale;
  y /= scale;
  self->drag_x = x;
  self->drag_y = y;
  self->dragging = FALSE;
  self->box_mode = (mods & GDK_SHIFT_MASK) != 0;
  self->extend = (mods & GDK_CONTROL_MASK) != 0;
  g_array_set_size (self->lasso, 0);
  g_array_append_val (self->lasso, x);
  g_array_append_val (self->lasso, y);
}

static void
drag_update_cb (GtkGestureDrag  *gesture,
                double           dx,
                double           dy,
                OvScatterCanvas *self)
{
  double scale = ov_widget_get_text_scale (GTK_WIDGET (self));
  double x = self->drag_x + dx / scale, y = self->drag_y + dy / scale;
  const double *last;

  if (!self->dragging && hypot (dx, dy) < CLICK_SLOP)
    return;
  self->dragging = TRUE;
  last = &g_array_index (self->lasso, double, self->lasso->len - 2);
  if (self->box_mode && self->lasso->len >= 4)
    g_array_set_size (self->lasso, 2);
  else if (hypot (x - last[0], y - last[1]) < 2.0)
    return;
  g_array_append_val (self->lasso, x);
  g_array_append_val (self->lasso, y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end_cb (GtkGestureDrag  *gesture,
             double           dx,
             double           dy,
             OvScatterCanvas *self)
{
  double scale = ov_widget_get_text_scale (GTK_WIDGET (self));

  if (!self->dragging)
    ov_scatter_canvas_click (self, self->drag_x, self->drag_y);
  else if (self->box_mode)
    ov_scatter_canvas_select_box (self, self->drag_x, self->drag_y, self->drag_x + dx / scale,
                                  self->drag_y + dy / scale, self->extend);
  else
    ov_scatter_canvas_select_lasso (self, (const double *) self->lasso->data,
                                    self->lasso->len / 2, self->extend);
  self->dragging = FALSE;
  g_array_set_size (self->lasso, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           OvScatterCanvas          *self)
{
  double scale = ov_widget_get_text_scale (GTK_WIDGET (self));

  if (self->view == NULL)
    return;
  ov_scatter_canvas_layout (self);
  set_hover (self, ov_scatter_view_hit (self->view, x / scale, y / scale, HIT_RADIUS));
}

static void
leave_cb (GtkEventControllerMotion *motion,
          OvScatterCanvas          *self)
{
  set_hover (self, -1);
}

static gboolean
query_tooltip_cb (GtkWidget       *widget,
                  int              x,
                  int              y,
                  gboolean         keyboard,
                  GtkTooltip      *tooltip,
                  OvScatterCanvas *self)
{
  g_autofree char *text = NULL;
  double scale = ov_widget_get_text_scale (widget);
  int index;

  if (self->view == NULL || self->tooltip_func == NULL)
    return FALSE;
  ov_scatter_canvas_layout (self);
  index = keyboard ? ov_scatter_canvas_get_cursor (self)
                   : ov_scatter_view_hit (self->view, x / scale, y / scale, HIT_RADIUS);
  if (index < 0)
    return FALSE;
  text = self->tooltip_func ((guint) index, self->tooltip_data);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The next shown point after (step 1) or before (step -1) the cursor. */
static int
step_cursor (OvScatterCanvas *self,
             int              step)
{
  gint64 n = self->n_points;
  /* Without a cursor the first candidate is the first (or last) point. */
  gint64 base = self->cursor >= 0 ? self->cursor : (step > 0 ? -1 : 0);

  for (gint64 k = 1; k <= n; k++)
    {
      gint64 i = ((base + step * k) % n + n) % n;

      if (ov_scatter_view_get_point (self->view, (guint) i, NULL, NULL))
        return (int) i;
    }
  return -1;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                OvScatterCanvas       *self)
{
  if (self->view == NULL)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Right:
    case GDK_KEY_Down:
      set_cursor (self, step_cursor (self, 1));
      return TRUE;
    case GDK_KEY_Left:
    case GDK_KEY_Up:
      set_cursor (self, step_cursor (self, -1));
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      if (ov_scatter_canvas_get_cursor (self) >= 0)
        {
          guint i = (guint) self->cursor;

          ov_scatter_canvas_set_selection (self, &i, 1);
          g_signal_emit (self, signals[POINT_ACTIVATED], 0, i);
          return TRUE;
        }
      return FALSE;
    case GDK_KEY_a:
      if ((state & GDK_CONTROL_MASK) == 0)
        return FALSE;
      ov_scatter_canvas_layout (self);
      take_selection (self, ov_scatter_view_select_box (self->view, -1e9, -1e9, 1e9, 1e9),
                      FALSE);
      return TRUE;
    case GDK_KEY_Escape:
      if (self->selection->len == 0)
        return FALSE;
      ov_scatter_canvas_set_selection (self, NULL, 0);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
ov_scatter_canvas_dispose (GObject *object)
{
  OvScatterCanvas *self = OV_SCATTER_CANVAS (object);

  g_clear_pointer (&self->view, ov_scatter_view_free);
  G_OBJECT_CLASS (ov_scatter_canvas_parent_class)->dispose (object);
}

static void
ov_scatter_canvas_finalize (GObject *object)
{
  OvScatterCanvas *self = OV_SCATTER_CANVAS (object);

  g_free (self->visible);
  g_array_unref (self->selection);
  g_array_unref (self->lasso);
  G_OBJECT_CLASS (ov_scatter_canvas_parent_class)->finalize (object);
}

static void
ov_scatter_canvas_class_init (OvScatterCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ov_scatter_canvas_dispose;
  object_class->finalize = ov_scatter_canvas_finalize;
  widget_class->measure = ov_scatter_canvas_measure;
  widget_class->snapshot = ov_scatter_canvas_snapshot;

  /* A point was clicked (or Enter pressed on it); the argument is its index. */
  signals[POINT_ACTIVATED] =
    g_signal_new ("point-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A class was shown or hidden. */
  signals[CLASSES_CHANGED] =
    g_signal_new ("classes-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The point under the pointer or the keyboard cursor, or -1. */
  signals[HOVER_CHANGED] =
    g_signal_new ("hover-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_css_name (widget_class, "ov-scatter-canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ov_scatter_canvas_init (OvScatterCanvas *self)
{
  GtkGesture *drag;
  GtkEventController *motion, *key;

  self->selection = g_array_new (FALSE, FALSE, sizeof (guint));
  self->lasso = g_array_new (FALSE, FALSE, sizeof (double));
  self->visible = g_new (gboolean, 1);
  self->cursor = -1;
  self->hover = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  ov_widget_follow_text_scale (GTK_WIDGET (self));
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
}

GtkWidget *
ov_scatter_canvas_new (void)
{
  return g_object_new (OV_TYPE_SCATTER_CANVAS, NULL);
}
