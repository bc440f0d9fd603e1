/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The attention panel runs one forward pass with attentions a moment after
 * the input changes and paints the viz/ renderers on a canvas through
 * gtk_snapshot_append_cairo; hovering asks the same renderer's hit-test, so
 * the tooltip names exactly the cell under the pointer.
 *
 * On the heat map the keyboard has a cell of its own: the arrow keys move
 * it, the renderer marks it, and the line under the map (and the canvas's
 * accessible description) names its tokens and value. A click moves it to
 * the cell clicked; hovering only shows the tooltip, so the pointer never
 * takes the cell from under the keyboard.
 *
 * The two views on the picture draw one token's attention on the regions
 * given to the model, or every word's and tag's attention on one region;
 * a menu, the arrow keys and clicks on boxes and words choose what they
 * show, and the run carries the sample and the picture it was made on, so
 * a new image never shows an old run's boxes.
 */
#define G_LOG_DOMAIN "ov-attention-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "model/ov-error.h"
#include "viz/ov-attention-view.h"
#include "viz/ov-attention.h"
#include "viz/ov-export.h"
#include "ov-attention-panel.h"
#include "ov-panel-util.h"

/* The canvas: paints whatever view the panel hands it at its own size. */

/* The pages, in points, from which the caption words view and the flow
 * summary draw their text at full size (the sizes viz/ov-attention-view.c
 * shrinks them from): the window never lays them out smaller, and its
 * scroller shows the rest. */
#define WORDS_FULL_TEXT 400
#define FLOW_FULL_TEXT_W(n_heads) (260 + 100 * (n_heads))

#define OV_TYPE_ATTENTION_CANVAS (ov_attention_canvas_get_type ())
G_DECLARE_FINAL_TYPE (OvAttentionCanvas, ov_attention_canvas, OV, ATTENTION_CANVAS, GtkWidget)

struct _OvAttentionCanvas
{
  GtkWidget    parent_instance;
  OvPaintFunc  paint;
  gpointer     view;       /* borrowed from the panel */
  int          min_width, min_height;   /* the figure's size, as exported */
  /* What the canvas asks of the panel: the figure's size, or less for a
   * figure that reads at any size (the heat map), so that it fits the
   * panel instead of running past its bottom. */
  int          fit_width, fit_height;
  /* For a figure whose height follows the width it gets (the heat map:
   * a square as wide as the panel, which scrolls when it is taller), or
   * NULL. */
  double     (*height_for_width) (gpointer view,
                                  double   width);
  /* The keyboard's cell, drawn over the view while mark_row >= 0, or NULL. */
  void       (*draw_mark) (gpointer view,
                           cairo_t *cr,
                           int      row,
                           int      col);
  int          mark_row, mark_col;
  /* Tells the view how much larger than laid out the canvas shows it. */
  void       (*set_shown_scale) (gpointer view,
                                 double   scale);
};

G_DEFINE_FINAL_TYPE (OvAttentionCanvas, ov_attention_canvas, GTK_TYPE_WIDGET)

/* The canvas's text scale, which its view is told before any layout. */
static double
canvas_text_scale (OvAttentionCanvas *self)
{
  double scale = ov_widget_get_text_scale (GTK_WIDGET (self));

  if (self->view != NULL && self->set_shown_scale != NULL)
    self->set_shown_scale (self->view, scale);
  return scale;
}

static void
ov_attention_canvas_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  OvAttentionCanvas *self = OV_ATTENTION_CANVAS (widget);
  /* the figure is laid out this many times smaller, and drawn enlarged */
  double scale = canvas_text_scale (self);

  *minimum = *natural = (int) ceil (scale * (orientation == GTK_ORIENTATION_HORIZONTAL
                                             ? self->fit_width : self->fit_height));
  if (orientation == GTK_ORIENTATION_VERTICAL && for_size > 0
      && self->height_for_width != NULL)
    *minimum = *natural = MAX (*minimum,
                               (int) ceil (scale * self->height_for_width (self->view,
                                                                           for_size / scale)));
}

static GtkSizeRequestMode
ov_attention_canvas_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* The part of the canvas its scroller shows, in the canvas's coordinates
 * (the whole canvas outside a scroller). */
static void
canvas_visible_rect (GtkWidget       *widget,
                     graphene_rect_t *r)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  graphene_rect_init (r, 0, 0, w, h);
  if (scroller != NULL)
    {
      GtkAdjustment *ha = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));
      GtkAdjustment *va = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
      double pw = gtk_adjustment_get_page_size (ha), ph = gtk_adjustment_get_page_size (va);
      double x = gtk_adjustment_get_value (ha), y = gtk_adjustment_get_value (va);

      /* (no page yet before the first allocation) */
      graphene_rect_init (r, x, y, pw > 0 ? MIN (w - x, pw) : w, ph > 0 ? MIN (h - y, ph) : h);
    }
}

static void
ov_attention_canvas_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  OvAttentionCanvas *self = OV_ATTENTION_CANVAS (widget);
  double width, height;
  OvInk ink;
  cairo_t *cr;

  if (self->paint == NULL || gtk_widget_get_width (widget) <= 0
      || gtk_widget_get_height (widget) <= 0)
    return;
  ov_widget_get_ink (widget, &ink);
  canvas_text_scale (self);
  cr = ov_widget_append_scaled_cairo (widget, snapshot, &width, &height);
  ov_draw_set_ink (cr, &ink);
  ov_draw_use_ink (cr, OV_INK_BACKGROUND);
  cairo_paint (cr);
  self->paint (cr, width, height, self->view);
  if (self->draw_mark != NULL && self->mark_row >= 0)
    self->draw_mark (self->view, cr, self->mark_row, self->mark_col);
  if (gtk_widget_has_visible_focus (widget))
    {
      graphene_rect_t r;
      GdkRGBA accent = { 0.21, 0.52, 0.89, 1 };

      /* The focus ring, as the t-SNE map's (style.css), around the part of
       * the canvas the scroller shows rather than around the whole, taller
       * map. */
      canvas_visible_rect (widget, &r);
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "accent_color",
                                      &accent);
      G_GNUC_END_IGNORE_DEPRECATIONS
      /* in the canvas's own coordinates, not the figure's enlarged ones */
      cairo_scale (cr, width / gtk_widget_get_width (widget),
                   height / gtk_widget_get_height (widget));
      cairo_new_path (cr);
      cairo_rectangle (cr, r.origin.x + 1, r.origin.y + 1, r.size.width - 2,
                       r.size.height - 2);
      cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, accent.alpha);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

/* The focus ring comes and goes with the window's focus-visible, which
 * does not redraw the canvas itself. */
static void
ov_attention_canvas_root (GtkWidget *widget)
{
  GtkRoot *root;

  GTK_WIDGET_CLASS (ov_attention_canvas_parent_class)->root (widget);
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    g_signal_connect_object (root, "notify::focus-visible", G_CALLBACK (gtk_widget_queue_draw),
                             widget, G_CONNECT_SWAPPED);
}

static void
ov_attention_canvas_unroot (GtkWidget *widget)
{
  g_signal_handlers_disconnect_by_func (gtk_widget_get_root (widget), gtk_widget_queue_draw,
                                        widget);
  GTK_WIDGET_CLASS (ov_attention_canvas_parent_class)->unroot (widget);
}

static void
ov_attention_canvas_class_init (OvAttentionCanvasClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->root = ov_attention_canvas_root;
  widget_class->unroot = ov_attention_canvas_unroot;
  widget_class->measure = ov_attention_canvas_measure;
  widget_class->get_request_mode = ov_attention_canvas_get_request_mode;
  widget_class->snapshot = ov_attention_canvas_snapshot;
  gtk_widget_class_set_css_name (widget_class, "ov-attention-canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ov_attention_canvas_init (OvAttentionCanvas *self)
{
  self->mark_row = self->mark_col = -1;
  ov_widget_follow_text_scale (GTK_WIDGET (self));
}

/* The panel */

struct _OvAttentionPanel
{
  OvPanel         parent_instance;

  GtkLabel       *reason_label;
  GtkWidget      *content;
  GtkDropDown    *view_dropdown;
  GtkSpinButton  *layer_spin;
  int             depth_seen;   /* the layers of the model last shown; 0: none yet */
  GtkDropDown    *head_dropdown;
  GtkStringList  *head_model;
  GtkSpinner     *spinner;
  GtkLabel       *input_label;
  GtkLabel       *empty_label;
  GtkWidget      *canvas_box;
  GtkWidget      *canvas_window;
  OvAttentionCanvas *canvas;
  GtkLabel       *cell_label;
  GtkWidget      *subject_cell;
  GtkWidget      *shared_cell;
  GtkCheckButton *shared_check;
  GtkLabel       *subject_label;
  GtkDropDown    *subject_dropdown;
  GtkStringList  *subject_model;

  OvRunner        runner;
  char           *caption;
  char           *question;
  OvAttentionRun *run;
  OvAttentionRun *before_run;   /* the run of the input before the last change */
  char           *failure;    /* why the last run failed, while there is no run */
  guint           n_runs;
  gboolean        updating;
  gboolean        stale;      /* the input changed while the panel was hidden */
  /* The heat map's keyboard cell as shown row and column (0..n-1 of the
   * view's positions), or -1; kept across layers, heads and runs. */
  int             cursor_row, cursor_col;
  /* The keyboard's head in the grid and flow views, or -1: the arrows
   * move it, Enter opens its heat map. */
  int             cursor_layer, cursor_head;
  /* The caption words view's keyboard cell (step, column), or -1. */
  int             word_step, word_col;
  /* The height the line under the figure keeps while the view shows. */
  int             line_height;
  /* The views on the picture: what each item of the subject menu stands
   * for (a sequence position, or a region of the run's sample), and the
   * choices kept across runs: the token by its label and position (NULL:
   * the step's [MASK], or [CLS]), the region by its number (0: the one
   * the token attends to most). */
  GArray         *subjects;
  char           *query_label;
  int             query_position;
  guint           region_number;

  /* The view drawn; exactly one is set. */
  OvHeatmapView       *heatmap;
  OvAttentionGridView *grid;
  OvFlowView          *flow;
  OvAttentionImageView *picture;
  OvCaptionView       *words;
};

G_DEFINE_FINAL_TYPE (OvAttentionPanel, ov_attention_panel, OV_TYPE_PANEL)

static double
heatmap_height_for_width (gpointer view,
                          double   width)
{
  return ov_heatmap_view_height_for_width (view, width);
}

static void
heatmap_draw_mark (gpointer  view,
                   cairo_t  *cr,
                   int       row,
                   int       col)
{
  ov_heatmap_view_draw_mark (view, cr, row, col);
}

static void
grid_draw_mark (gpointer  view,
                cairo_t  *cr,
                int       layer,
                int       head)
{
  ov_attention_grid_view_draw_mark (view, cr, layer, head);
}

static void
words_draw_mark (gpointer  view,
                 cairo_t  *cr,
                 int       step,
                 int       col)
{
  ov_caption_view_draw_mark (view, cr, step, col);
}

static void
flow_draw_mark (gpointer  view,
                cairo_t  *cr,
                int       layer,
                int       head)
{
  ov_flow_view_draw_mark (view, cr, layer, head);
}

static void
heatmap_set_shown_scale (gpointer view,
                         double   scale)
{
  ov_heatmap_view_set_shown_scale (view, scale);
}

static void
grid_set_shown_scale (gpointer view,
                      double   scale)
{
  ov_attention_grid_view_set_shown_scale (view, scale);
}

static void
flow_set_shown_scale (gpointer view,
                      double   scale)
{
  ov_flow_view_set_shown_scale (view, scale);
}

static void
clear_views (OvAttentionPanel *self)
{
  self->canvas->paint = NULL;
  self->canvas->view = NULL;
  self->canvas->height_for_width = NULL;
  self->canvas->draw_mark = NULL;
  self->canvas->set_shown_scale = NULL;
  self->line_height = 0;
  g_clear_pointer (&self->heatmap, ov_heatmap_view_free);
  g_clear_pointer (&self->grid, ov_attention_grid_view_free);
  g_clear_pointer (&self->flow, ov_flow_view_free);
  g_clear_pointer (&self->picture, ov_attention_image_view_free);
  g_clear_pointer (&self->words, ov_caption_view_free);
}

static int
selected_head (OvAttentionPanel *self)
{
  guint i = gtk_drop_down_get_selected (self->head_dropdown);
  int n_heads = self->run != NULL ? self->run->forward->n_heads : 0;

  if (i == GTK_INVALID_LIST_POSITION || (int) i == n_heads)
    return OV_ATTENTION_MEAN;
  if ((int) i > n_heads)
    return OV_ATTENTION_ROLLOUT;
  return (int) i;
}

static char *
head_title (int head)
{
  if (head == OV_ATTENTION_MEAN)
    return g_strdup (_("mean of heads"));
  if (head == OV_ATTENTION_ROLLOUT)
    return g_strdup (_("rollout"));
  /* Translators: one attention head, counted from 0. */
  return g_strdup_printf (_("head %d"), head);
}

static double layout_view (OvAttentionPanel *self);
static char *dup_picture_text (OvAttentionPanel *self);
static gboolean picture_key_pressed (OvAttentionPanel *self,
                                     guint             keyval,
                                     gboolean          ctrl);

/* The keyboard's cell on the heat map */

static int
heatmap_size (OvAttentionPanel *self)
{
  int n = 0;

  if (self->heatmap != NULL)
    ov_heatmap_view_get_positions (self->heatmap, &n);
  return n;
}

/* What the line under the map says of the keyboard's cell, or NULL
 * without one. */
static char *
dup_cursor_text (OvAttentionPanel *self)
{
  OvHeatmapHit hit;

  if (self->picture != NULL)
    return dup_picture_text (self);
  if (self->words != NULL)
    {
      OvCaptionHit cell;

      if (!ov_caption_view_get_cell (self->words, self->word_step, self->word_col, &cell))
        return NULL;
      /* Translators: the caption words view's cell the keys are on: its
       * value, the word, the step (from 1) that wrote it, the tag or
       * region. */
      return g_strdup_printf (_("%.6f — the step that wrote “%s” (word %d) attends to %s"),
                              cell.value, cell.word, cell.step + 1, cell.col_label);
    }
  if (self->grid != NULL)
    {
      OvGridHit peak;
      const char *const *labels = (const char *const *) self->run->labels;

      if (!ov_attention_grid_view_get_peak (self->grid, self->cursor_layer, self->cursor_head,
                                            &peak))
        return NULL;
      /* Translators: the small map the keyboard is on in the grid of every
       * layer and head: its layer and head, then its largest value with
       * its query and key tokens and their positions. */
      return g_strdup_printf (_("Layer %d, head %d — largest %.6f: “%s” (%d) attends to “%s” "
                                "(%d). Enter opens this head."),
                              peak.layer, peak.head, peak.value, labels[peak.row], peak.row,
                              labels[peak.col], peak.col);
    }
  if (self->flow != NULL)
    {
      double share;

      if (self->cursor_layer < 0 || self->cursor_head < 0)
        return NULL;
      share = ov_flow_view_get_cross_share (self->flow, self->cursor_layer, self->cursor_head);
      /* Translators: the table the keyboard is on in the attention flow
       * summary: its layer and head and its cross-modal share. */
      return g_strdup_printf (_("Layer %d, head %d — cross-modal share %.3f. "
                                "Enter opens this head."),
                              self->cursor_layer, self->cursor_head, share);
    }
  if (self->heatmap == NULL
      || !ov_heatmap_view_get_cell (self->heatmap, self->cursor_row, self->cursor_col, &hit))
    return NULL;
  if (isnan (hit.value))
    return g_strdup_printf (_("“%s” (%d) and “%s” (%d): not both in the input before the "
                              "change"), hit.row_label, hit.row, hit.col_label, hit.col);
  /* Translators: the heat map cell the keyboard is on: its exact value,
   * then the query token and its position and the key token and its
   * position. The line may be cut at its end, so the value comes first. */
  return g_strdup_printf (_("%.6f — “%s” (%d) attends to “%s” (%d)"), hit.value,
                          hit.row_label, hit.row, hit.col_label, hit.col);
}

/* Sets the line under the figure to text. The line gets no lower while a
 * view shows: a line that followed its text's height would move the figure
 * above it at each key. */
static void
keep_line_height (OvAttentionPanel *self,
                  const char       *text)
{
  GtkWidget *label = GTK_WIDGET (self->cell_label);
  int width = gtk_widget_get_width (label) > 0 ? gtk_widget_get_width (label) : -1;
  int height = 0;

  gtk_widget_set_size_request (label, -1, -1);
  gtk_label_set_text (self->cell_label, text);
  gtk_widget_set_tooltip_text (label, text);
  gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, width, NULL, &height, NULL, NULL);
  self->line_height = MAX (self->line_height, height);
  gtk_widget_set_size_request (label, -1, self->line_height);
}

/* Shows the keyboard's cell: the mark on the map, the line under it and
 * the canvas's accessible description. */
static void
show_cursor (OvAttentionPanel *self)
{
  GtkWidget *label = GTK_WIDGET (self->cell_label);
  g_autofree char *text = NULL;
  const char *shown;
  int n = heatmap_size (self);

  /* A new run may have fewer tokens: stay on the last. */
  if (self->cursor_row >= 0)
    {
      self->cursor_row = MIN (self->cursor_row, n - 1);
      self->cursor_col = MIN (self->cursor_col, n - 1);
      if (self->cursor_row < 0 || self->cursor_col < 0)
        self->cursor_row = self->cursor_col = -1;
    }
  if (self->run != NULL && self->cursor_layer >= 0)
    {
      self->cursor_layer = MIN (self->cursor_layer, self->run->forward->n_layers - 1);
      self->cursor_head = MIN (self->cursor_head, self->run->forward->n_heads - 1);
      if (self->cursor_layer < 0 || self->cursor_head < 0)
        self->cursor_layer = self->cursor_head = -1;
    }
  if (self->words != NULL && self->word_step >= 0)
    {
      int n_steps, n_cols;

      ov_caption_view_get_size (self->words, &n_steps, &n_cols);
      self->word_step = MIN (self->word_step, n_steps - 1);
      self->word_col = MIN (self->word_col, n_cols - 1);
      if (self->word_step < 0 || self->word_col < 0)
        self->word_step = self->word_col = -1;
    }
  self->canvas->mark_row = self->heatmap != NULL ? self->cursor_row
                           : self->words != NULL ? self->word_step
                           : self->canvas->view != NULL ? self->cursor_layer : -1;
  self->canvas->mark_col = self->heatmap != NULL ? self->cursor_col
                           : self->words != NULL ? self->word_col : self->cursor_head;
  text = dup_cursor_text (self);
  if (text != NULL)
    shown = text;
  else if (self->heatmap != NULL)
    shown = _("Click a cell or use the arrow keys to read its value.");
  else if (self->picture != NULL)
    shown = _("Choose a token in the menu, or click a box on the picture.");
  else if (self->words != NULL)
    shown = _("Each row is the step that wrote a word of the caption: its attention on the "
              "tags and regions. Click a cell or use the arrow keys to read its value.");
  else
    shown = _("Click a head, or go to it with the arrow keys and press Enter, to open its "
              "heat map.");
  gtk_widget_set_visible (label, self->canvas->view != NULL);
  keep_line_height (self, shown);
  /* GTK 4.8 has no way to announce a change (gtk_accessible_announce is
   * 4.14): a screen reader reads the description of the focused canvas,
   * which it may or may not speak again on each move. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->canvas->view != NULL ? shown : "", -1);
  gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
}

/* Scrolls adj the least that shows lo..hi (its start when it cannot
 * show all of it). */
static void
scroll_to_show (GtkAdjustment *adj,
                double         lo,
                double         hi)
{
  double value = gtk_adjustment_get_value (adj);
  double page = gtk_adjustment_get_page_size (adj);

  if (page <= 0)
    return;
  if (lo < value || hi - lo > page)
    value = lo;
  else if (hi > value + page)
    value = hi - page;
  gtk_adjustment_set_value (adj, value);
}

static void
scroll_to_cursor (OvAttentionPanel *self)
{
  GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (self->canvas_window);
  double scale;
  gboolean found = FALSE;
  OvRect r;

  if (self->canvas->view == NULL)
    return;
  scale = layout_view (self);
  if (self->heatmap != NULL)
    found = ov_heatmap_view_cell_rect (self->heatmap, self->cursor_row, self->cursor_col, &r);
  else if (self->grid != NULL)
    found = ov_attention_grid_view_cell_rect (self->grid, self->cursor_layer, self->cursor_head,
                                              &r);
  else if (self->flow != NULL)
    found = ov_flow_view_cell_rect (self->flow, self->cursor_layer, self->cursor_head, &r);
  else if (self->words != NULL)
    found = ov_caption_view_cell_rect (self->words, self->word_step, self->word_col, &r);
  if (!found)
    return;
  /* in the canvas's coordinates, with room for the mark around the cell */
  r = (OvRect) { r.x * scale, r.y * scale, r.width * scale, r.height * scale };
  scroll_to_show (gtk_scrolled_window_get_hadjustment (scroller), r.x - 6, r.x + r.width + 6);
  scroll_to_show (gtk_scrolled_window_get_vadjustment (scroller), r.y - 6, r.y + r.height + 6);
}

static void
move_cursor (OvAttentionPanel *self,
             int               row,
             int               col)
{
  int n = heatmap_size (self);

  if (n == 0)
    return;
  self->cursor_row = CLAMP (row, 0, n - 1);
  self->cursor_col = CLAMP (col, 0, n - 1);
  show_cursor (self);
  scroll_to_cursor (self);
}

/* Puts the grid's or the flow's keyboard head on (layer, head), kept
 * inside the run's. */
static void
move_head_cursor (OvAttentionPanel *self,
                  int               layer,
                  int               head)
{
  if (self->run == NULL)
    return;
  self->cursor_layer = CLAMP (layer, 0, self->run->forward->n_layers - 1);
  self->cursor_head = CLAMP (head, 0, self->run->forward->n_heads - 1);
  show_cursor (self);
  scroll_to_cursor (self);
}

/* Where the grid's or the flow's keyboard head starts: the head the heat
 * map shows (its layer's first head for a mean or the rollout). */
static void
start_head_cursor (OvAttentionPanel *self)
{
  move_head_cursor (self, gtk_spin_button_get_value_as_int (self->layer_spin),
                    MAX (selected_head (self), 0));
}

/* Shows the heat map of (layer, head), from a click on or Enter over its
 * map in the grid or its table in the flow summary. */
static void
open_head (OvAttentionPanel *self,
           int               layer,
           int               head)
{
  self->updating = TRUE;
  ov_attention_panel_set_view (self, OV_ATTENTION_VIEW_HEATMAP);
  self->updating = FALSE;
  ov_attention_panel_set_selection (self, layer, head);
}

/* Where a cursor key takes a cell (row, col) of an n_rows x n_cols table:
 * the arrows a step, Home and End the row's ends (with Ctrl, the table's
 * corners), Page Up and Down page rows. FALSE for any other key, and for
 * Ctrl with a Page key, which is the window's (samples). */
static gboolean
key_move (guint    keyval,
          gboolean ctrl,
          int      n_rows,
          int      n_cols,
          int      page,
          int     *row,
          int     *col)
{
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      (*col)--;
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      (*col)++;
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      (*row)--;
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      (*row)++;
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      *col = 0;
      *row = ctrl ? 0 : *row;
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      *col = n_cols - 1;
      *row = ctrl ? n_rows - 1 : *row;
      return TRUE;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      *row -= page;
      return !ctrl;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      *row += page;
      return !ctrl;
    default:
      return FALSE;
    }
}

/* Enter and Space, which open what the keys are on. */
static gboolean
is_activate_key (guint keyval)
{
  return keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter
         || keyval == GDK_KEY_space || keyval == GDK_KEY_KP_Space;
}

/* The grid's and the flow's keys: the arrows go from head to head and
 * layer to layer, Home and End to a layer's first and last head (with
 * Ctrl, the first and the last layer too), Page Up and Down to the first
 * and last layer; Enter and Space open the head. */
static gboolean
head_key_pressed (OvAttentionPanel *self,
                  guint             keyval,
                  gboolean          ctrl)
{
  int layer = self->cursor_layer, head = self->cursor_head;
  int n_layers = self->run->forward->n_layers, n_heads = self->run->forward->n_heads;

  if (is_activate_key (keyval))
    {
      if (layer < 0)
        return FALSE;
      open_head (self, layer, head);
      /* the heat map keeps the focus, so its cell starts at once */
      if (self->cursor_row < 0)
        move_cursor (self, 0, 0);
      return TRUE;
    }
  if (!key_move (keyval, ctrl, n_layers, n_heads, n_layers, &layer, &head))
    return FALSE;
  if (self->cursor_layer < 0)
    start_head_cursor (self);
  else
    move_head_cursor (self, layer, head);
  return TRUE;
}

/* The rows Page Up and Page Down move: about what the scroller shows. */
static int
page_rows (OvAttentionPanel *self)
{
  GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (self->canvas_window);
  GtkAdjustment *va = gtk_scrolled_window_get_vadjustment (scroller);
  double scale = layout_view (self);
  OvRect r;

  if (!ov_heatmap_view_cell_rect (self->heatmap, 0, 0, &r) || r.height <= 0
      || gtk_adjustment_get_page_size (va) <= 0)
    return 10;
  return MAX (1, (int) (gtk_adjustment_get_page_size (va) / (r.height * scale)) - 1);
}

/* Puts the caption words view's keyboard cell on (step, col), kept inside
 * the table. */
static void
move_word_cursor (OvAttentionPanel *self,
                  int               step,
                  int               col)
{
  int n_steps, n_cols;

  ov_caption_view_get_size (self->words, &n_steps, &n_cols);
  if (n_steps == 0 || n_cols == 0)
    return;
  self->word_step = CLAMP (step, 0, n_steps - 1);
  self->word_col = CLAMP (col, 0, n_cols - 1);
  show_cursor (self);
  scroll_to_cursor (self);
}

/* The caption words view's keys: as the heat map's, a step (word) a row. */
static gboolean
words_key_pressed (OvAttentionPanel *self,
                   guint             keyval,
                   gboolean          ctrl)
{
  int n_steps, n_cols, step = self->word_step, col = self->word_col;

  ov_caption_view_get_size (self->words, &n_steps, &n_cols);
  if (!key_move (keyval, ctrl, n_steps, n_cols, 5, &step, &col))
    return FALSE;
  /* the first key only puts the cell on the first word's first column */
  if (self->word_step < 0)
    step = col = 0;
  move_word_cursor (self, step, col);
  return TRUE;
}

static gboolean
canvas_key_pressed_cb (GtkEventControllerKey *key,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       OvAttentionPanel      *self)
{
  gboolean ctrl = (state & GDK_CONTROL_MASK) != 0;
  int n = heatmap_size (self), row = self->cursor_row, col = self->cursor_col, page;

  /* Alt and Ctrl+Page keys are the window's (panels, samples). */
  if ((state & (GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;
  if (self->picture != NULL)
    return picture_key_pressed (self, keyval, ctrl);
  if (self->words != NULL)
    return words_key_pressed (self, keyval, ctrl);
  if ((self->grid != NULL || self->flow != NULL) && self->run != NULL)
    return head_key_pressed (self, keyval, ctrl);
  if (n == 0)
    return FALSE;
  /* (a page is measured on the laid-out map, only for the Page keys) */
  page = keyval == GDK_KEY_Page_Up || keyval == GDK_KEY_Page_Down
         || keyval == GDK_KEY_KP_Page_Up || keyval == GDK_KEY_KP_Page_Down ? page_rows (self) : 0;
  if (!key_move (keyval, ctrl, n, n, page, &row, &col))
    return FALSE;
  /* The first key only puts the cell on the first token. */
  if (self->cursor_row < 0)
    row = col = 0;
  /* Handled at the edges too, or the arrows would move the focus away. */
  move_cursor (self, row, col);
  return TRUE;
}

static void
canvas_focus_enter_cb (OvAttentionPanel *self)
{
  /* Focus from the keyboard starts on the first cell, so that there is
   * something to read at once. A cell there already is not scrolled to:
   * the focus also comes back with the window, which would undo the
   * user's scrolling; the next key shows the cell. */
  if (self->heatmap != NULL && self->cursor_row < 0)
    move_cursor (self, 0, 0);
  else if ((self->grid != NULL || self->flow != NULL) && self->cursor_layer < 0)
    start_head_cursor (self);
  else if (self->words != NULL && self->word_step < 0)
    move_word_cursor (self, 0, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
}

static void
canvas_scrolled_cb (OvAttentionPanel *self)
{
  /* the focus ring follows the part shown */
  if (gtk_widget_has_focus (GTK_WIDGET (self->canvas)))
    gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
}

/* Rebuilds the view from the stored run and the selectors. */
/* The flow box cell that holds widget (or widget itself outside one). */
static GtkWidget *
flow_box_cell (GtkWidget *widget)
{
  GtkWidget *cell = gtk_widget_get_ancestor (widget, GTK_TYPE_FLOW_BOX_CHILD);

  return cell != NULL ? cell : widget;
}

static void update_view (OvAttentionPanel *self);

/* The views on the picture */

static gboolean
is_picture_view (OvAttentionViewKind view)
{
  return view == OV_ATTENTION_VIEW_PICTURE || view == OV_ATTENTION_VIEW_REGION;
}

/* The (S, S) matrix of the layer and head chosen, or NULL after saying
 * why; title gets "Attention, layer %d, %s" parts for the view's title. */
static float *
selected_matrix (OvAttentionPanel *self,
                 int              *layer,
                 char            **head_name)
{
  const OvForward *fwd = self->run->forward;
  g_autoptr(GError) error = NULL;
  int head = selected_head (self);
  float *matrix;

  *layer = gtk_spin_button_get_value_as_int (self->layer_spin);
  matrix = ov_attention_select ((const float *const *) fwd->attentions, fwd->n_layers,
                                fwd->n_heads, fwd->seq_len, *layer, head, &error);
  if (matrix == NULL)
    {
      ov_panel_report_failure (OV_PANEL (self), error->message);
      return NULL;
    }
  *head_name = head_title (head);
  return matrix;
}

/* Sequence position of region k of the run's sample, or -1. */
static int
region_position (const OvAttentionRun *run,
                 int                   k)
{
  return ov_attention_region_position (run->encoding->segments, run->forward->seq_len, k);
}

/* The region given that the token at query attends to most, or -1. */
static int
strongest_region (const OvAttentionRun *run,
                  const float          *matrix,
                  int                   query)
{
  const float *row = matrix + (gsize) query * run->forward->seq_len;
  int best = -1, best_p = -1;

  for (guint k = 0; k < run->sample->n_regions; k++)
    {
      int p = region_position (run, (int) k);

      if (p >= 0 && (best < 0 || row[p] > row[best_p]))
        best = (int) k, best_p = p;
    }
  return best;
}

/* The token the view on the picture shows: the one chosen before (the
 * same label, nearest its old position), else the run's query. */
static int
chosen_query (OvAttentionPanel *self)
{
  const OvAttentionRun *run = self->run;
  int best = -1;

  if (self->query_label != NULL)
    for (int i = 0; i < run->forward->seq_len; i++)
      if (run->encoding->segments[i] != OV_SEGMENT_PAD
          && g_strcmp0 (run->labels[i], self->query_label) == 0
          && (best < 0 || ABS (i - self->query_position) < ABS (best - self->query_position)))
        best = i;
  return best >= 0 ? best : run->encoding->query_index;
}

/* The region the view to a region shows: the one chosen before, else the
 * one the chosen token attends to most. */
static int
chosen_region (OvAttentionPanel *self,
               const float      *matrix)
{
  const OvAttentionRun *run = self->run;

  if (self->region_number > 0)
    {
      int k = ov_sample_find_region (run->sample, self->region_number);

      if (k >= 0 && (guint) k < run->sample->n_regions && region_position (run, k) >= 0)
        return k;
    }
  return strongest_region (run, matrix, chosen_query (self));
}

/* Fills the subject menu: every token but padding for the view on the
 * picture, the regions given for the view to a region; selects subject. */
static void
fill_subjects (OvAttentionPanel *self,
               gboolean          reverse,
               int               subject)
{
  const OvAttentionRun *run = self->run;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->subject_model));
  guint selected = GTK_INVALID_LIST_POSITION;

  g_array_set_size (self->subjects, 0);
  if (reverse)
    for (guint k = 0; k < run->sample->n_regions; k++)
      {
        int p = region_position (run, (int) k);

        if (p < 0)
          break;
        if ((int) k == subject)
          selected = self->subjects->len;
        g_array_append_val (self->subjects, k);
        g_ptr_array_add (items, g_strdup (run->labels[p]));
      }
  else
    for (int i = 0; i < run->forward->seq_len; i++)
      if (run->encoding->segments[i] != OV_SEGMENT_PAD)
        {
          if (i == subject)
            selected = self->subjects->len;
          g_array_append_val (self->subjects, i);
          /* Translators: a token in the menu of the view on the picture:
           * its label and its position in the model's input. */
          g_ptr_array_add (items, g_strdup_printf (_("%s (%d)"), run->labels[i], i));
        }
  g_ptr_array_add (items, NULL);
  self->updating = TRUE;
  gtk_string_list_splice (self->subject_model, 0, n_items, (const char *const *) items->pdata);
  gtk_drop_down_set_selected (self->subject_dropdown, selected);
  self->updating = FALSE;
}

/* The subject the menu shows, or -1. */
static int
selected_subject (OvAttentionPanel *self)
{
  guint i = gtk_drop_down_get_selected (self->subject_dropdown);

  return i < self->subjects->len ? g_array_index (self->subjects, int, i) : -1;
}

/* Keeps subject as the choice of its view, to be found again in later
 * runs. */
static void
remember_subject (OvAttentionPanel *self,
                  gboolean          reverse,
                  int               subject)
{
  if (reverse)
    self->region_number = ov_sample_region_number (self->run->sample, (guint) subject);
  else
    {
      g_free (self->query_label);
      self->query_label = g_strdup (self->run->labels[subject]);
      self->query_position = subject;
    }
}

/* Builds the view on the picture or to a region; returns why it cannot be
 * drawn, or NULL. */
static const char *
show_picture_view (OvAttentionPanel *self,
                   gboolean          reverse)
{
  const OvAttentionRun *run = self->run;
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  g_autofree float *matrix = NULL;
  g_autofree char *hname = NULL;
  g_autofree char *title = NULL;
  double fw, fh, k;
  int layer, subject;

  /* (without a picture, the boxes are drawn on a blank frame, as in the
   * main view) */
  if (run->sample == NULL)
    return _("This image has no picture to draw the attention on.");
  if (run->sample->features == NULL)
    return _("This image has no region features: the model reads only its tags, so nothing "
             "attends to its regions.");
  if (run->boxes_unpaired)
    return _("This image's boxes and region feature rows are not as many, so which box each "
             "region the model read is cannot be told.");
  if (run->sample->n_regions == 0 || region_position (run, 0) < 0)
    return _("The model was given no region of this image: switch a region on in the tag "
             "list to see attention on the picture.");
  matrix = selected_matrix (self, &layer, &hname);
  if (matrix == NULL)
    return NULL;
  subject = reverse ? chosen_region (self, matrix) : chosen_query (self);
  fill_subjects (self, reverse, subject);
  if (reverse)
    {
      OvRegion *r = &run->sample->regions[subject];

      title = g_strdup_printf (_("Words and tags attending to region %d (%s), layer %d, %s"),
                               ov_sample_region_number (run->sample, (guint) subject),
                               r->cls != NULL ? r->cls : "", layer, hname);
      self->picture = ov_attention_image_view_new_region (matrix, run->forward->seq_len,
                                                          run->encoding->segments,
                                                          (const char *const *) run->labels,
                                                          subject,
                                                          run->encoding->query_index,
                                                          run->sample, run->picture,
                                                          ov_session_get_palette (session),
                                                          title);
    }
  else
    {
      title = g_strdup_printf (_("Attention of “%s” (position %d) on the regions, layer %d, "
                                 "%s"), run->labels[subject], subject, layer, hname);
      self->picture = ov_attention_image_view_new_query (matrix, run->forward->seq_len,
                                                         run->encoding->segments,
                                                         (const char *const *) run->labels,
                                                         subject, run->sample, run->picture,
                                                         ov_session_get_palette (session),
                                                         title);
    }
  if (self->picture == NULL)
    return NULL;
  /* the canvas enlarges it by the text size, as the labels around it */
  ov_attention_image_view_set_keep_text (self->picture, TRUE);
  ov_region_view_set_orientation (ov_attention_image_view_get_region_view (self->picture),
                                  run->turn);
  self->canvas->paint = ov_attention_image_view_paint;
  self->canvas->view = self->picture;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  /* exported as `oscarviz attention --view image` (or region) draws it;
   * on screen it fits the panel */
  ov_region_view_get_frame_size (ov_attention_image_view_get_region_view (self->picture), &fw,
                                 &fh);
  k = MIN (800.0 / MAX (fw, 1.0), 600.0 / MAX (fh, 1.0));
  self->canvas->min_width = (int) ceil (fw * k + 100);
  self->canvas->min_height = (int) ceil (fh * k + 40 + (reverse ? 90 : 0));
  self->canvas->fit_width = 320;
  self->canvas->fit_height = 160;   /* a picture fits the panel rather than scroll */
  return NULL;
}

/* The strongest link of what the view on the picture shows: the region
 * the token attends to most, or the word or tag that attends most to the
 * region (as a sequence position); -1 without one. */
static int
picture_strongest (OvAttentionPanel *self,
                   float            *value)
{
  const OvAttentionRun *run = self->run;
  gboolean reverse = ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_REGION;
  int n = reverse ? run->forward->seq_len : (int) run->sample->n_regions, best = -1;

  *value = -1.0f;
  for (int i = 0; i < n; i++)
    {
      OvSegment seg = reverse ? run->encoding->segments[i] : OV_SEGMENT_REGION;
      float w = ov_attention_image_view_get_weight (self->picture, i);
      gboolean shown = !reverse || seg == OV_SEGMENT_WORD || seg == OV_SEGMENT_TAG
                       || i == run->encoding->query_index;

      /* (a region past the model's limit has no weight) */
      if (shown && !isnan (w) && w > *value)
        best = i, *value = w;
    }
  return best;
}

/* What the line under the picture says: the strongest link of what it
 * shows, and what a click does. */
static char *
dup_picture_text (OvAttentionPanel *self)
{
  const OvAttentionRun *run = self->run;
  int subject = selected_subject (self), best;
  float value;

  if (subject < 0 || (best = picture_strongest (self, &value)) < 0)
    return NULL;
  if (ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_PICTURE)
    /* Translators: the view on the picture: a token and its position,
     * the region it attends to most and the weight. */
    return g_strdup_printf (_("“%s” (%d) attends most to %s: %.6f. Click a box to see what "
                              "attends to its region."), run->labels[subject], subject,
                            run->labels[region_position (run, best)], value);
  /* Translators: the view to a region: the region, then the word or tag
   * that attends to it most, its position and the weight. */
  return g_strdup_printf (_("%s gets most attention from “%s” (%d): %.6f. Click a word or tag "
                            "to see its attention on the picture."),
                          run->labels[region_position (run, subject)], run->labels[best], best,
                          value);
}

/* Shows subject in the view on the picture (or to a region, reverse). */
static void
open_subject (OvAttentionPanel *self,
              gboolean          reverse,
              int               subject)
{
  remember_subject (self, reverse, subject);
  self->updating = TRUE;
  ov_attention_panel_set_view (self, reverse ? OV_ATTENTION_VIEW_REGION
                                             : OV_ATTENTION_VIEW_PICTURE);
  self->updating = FALSE;
  update_view (self);
}

/* The picture's keys: the arrows, Home, End and the Page keys go through
 * the menu's tokens or regions; Enter opens the strongest of what the
 * view shows in the other view. */
static gboolean
picture_key_pressed (OvAttentionPanel *self,
                     guint             keyval,
                     gboolean          ctrl)
{
  guint n = self->subjects->len, i = gtk_drop_down_get_selected (self->subject_dropdown);
  int at = i < n ? (int) i : 0;
  gboolean reverse = ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_REGION;

  if (n == 0 || self->picture == NULL)
    return FALSE;
  if (is_activate_key (keyval))
    {
      float unused;
      int best = picture_strongest (self, &unused);

      if (best < 0)
        return FALSE;
      open_subject (self, !reverse, best);
      return TRUE;
    }
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      at--;
      break;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      at++;
      break;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      at = 0;
      break;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      at = (int) n - 1;
      break;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      /* Ctrl with a Page key is the window's (samples) */
      if (ctrl)
        return FALSE;
      at -= 10;
      break;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      if (ctrl)
        return FALSE;
      at += 10;
      break;
    default:
      return FALSE;
    }
  at = CLAMP (at, 0, (int) n - 1);
  if ((guint) at != i)
    open_subject (self, reverse, g_array_index (self->subjects, int, at));
  return TRUE;
}

static void
subject_changed_cb (OvAttentionPanel *self)
{
  int subject;

  if (self->updating || self->run == NULL
      || !is_picture_view (ov_attention_panel_get_view (self))
      || (subject = selected_subject (self)) < 0)
    return;
  open_subject (self, ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_REGION, subject);
}

/* The view of every caption word */

/* Builds the view of the caption's words from the run's steps; returns why
 * it cannot be drawn, or NULL. */
static const char *
show_words_view (OvAttentionPanel *self)
{
  const OvAttentionRun *run = self->run;
  g_autoptr(OvCaptionAttention) ca = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hname = NULL;
  g_autofree char *title = NULL;
  int layer = gtk_spin_button_get_value_as_int (self->layer_spin);
  int head = selected_head (self), n_heads = run->forward->n_heads, sel;

  if (run->task != OV_TASK_CAPTION)
    return _("The caption words view follows a captioning model's caption; open one to see "
             "what each word attended to.");
  if (run->text == NULL || *run->text == '\0')
    return _("No caption yet: the view shows each word of the Caption panel's caption.");
  if (run->steps == NULL)
    return _("Working out the attention of every word…");
  if (layer < 0 || layer >= run->forward->n_layers)
    return NULL;
  sel = head >= 0 ? head : head == OV_ATTENTION_MEAN ? n_heads : n_heads + 1;
  ca = ov_caption_attention_new ();
  for (guint k = 0; k < run->steps->len; k++)
    {
      const OvCaptionStep *step = g_ptr_array_index (run->steps, k);
      const float *row = step->rows + ((gsize) layer * (n_heads + 2) + sel) * step->seq_len;

      if (!ov_caption_attention_add_step (ca, step->word, row, step->segments,
                                          (const char *const *) step->labels, step->seq_len,
                                          &error))
        {
          ov_panel_report_failure (OV_PANEL (self), error->message);
          return NULL;
        }
    }
  if (ca->n_steps == 0)
    return _("No caption yet: the view shows each word of the Caption panel's caption.");
  hname = head_title (head);
  title = g_strdup_printf (_("Caption attention on tags and regions, layer %d, %s"), layer,
                           hname);
  self->words = ov_caption_view_new (ca, title);
  self->canvas->paint = ov_caption_view_paint;
  self->canvas->view = self->words;
  self->canvas->draw_mark = words_draw_mark;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  /* as `oscarviz attention --view caption` exports it; on screen never
   * smaller than the page on which its text has its full size, so that its
   * labels read as the heat map's do and a small panel scrolls instead */
  self->canvas->min_width = (int) MAX (160 + 16 * ca->n_cols + 120,
                                       7.2 * MIN (g_utf8_strlen (title, -1), 100) + 40);
  self->canvas->min_height = 200 + 20 * ca->n_steps;
  self->canvas->fit_width = MAX (self->canvas->min_width, WORDS_FULL_TEXT);
  self->canvas->fit_height = MAX (self->canvas->min_height, WORDS_FULL_TEXT);
  return NULL;
}

/* Draws matrix (S, S) of the run as the heat map (diverging: a
 * difference, around 0). */
static void
show_heatmap (OvAttentionPanel *self,
              const float      *matrix,
              gboolean          diverging,
              const char       *title)
{
  const OvEncoding *enc = self->run->encoding;
  int S = self->run->forward->seq_len, shown = 0;

  self->heatmap = ov_heatmap_view_new (matrix, S, enc->segments,
                                       (const char *const *) self->run->labels, diverging, FALSE,
                                       title);
  self->canvas->paint = ov_heatmap_view_paint;
  self->canvas->view = self->heatmap;
  self->canvas->set_shown_scale = heatmap_set_shown_scale;
  self->canvas->height_for_width = heatmap_height_for_width;
  self->canvas->draw_mark = heatmap_draw_mark;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  for (int i = 0; i < S; i++)
    shown += enc->segments[i] != OV_SEGMENT_PAD;
  self->canvas->min_width = CLAMP (260 + 12 * shown, 500, 2400);
  self->canvas->min_height = self->canvas->min_width - 40;
  self->canvas->fit_width = MIN (self->canvas->min_width, 320);
  self->canvas->fit_height = MIN (self->canvas->min_height, 240);
}

/* The view since the last change */

/* Builds the heat map of the attention now minus that of the input before
 * the last change, token against token; returns why it cannot be drawn,
 * or NULL. */
static const char *
show_change_view (OvAttentionPanel *self)
{
  const OvAttentionRun *now = self->run, *before = self->before_run;
  const OvForward *bf;
  g_autofree float *matrix = NULL;
  g_autofree float *then = NULL;
  g_autofree float *laid = NULL;
  g_autofree float *diff = NULL;
  g_autofree int *map = NULL;
  g_autofree char *hname = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GError) error = NULL;
  int layer, S = now->forward->seq_len;

  if (before == NULL)
    return _("Change the input (switch a tag or a region off, edit a tag, move the confidence "
             "threshold, ask another question) to see how the attention changes.");
  if (before->task != now->task || before->forward->n_layers != now->forward->n_layers
      || before->forward->n_heads != now->forward->n_heads)
    return _("The input before the last change was read by another model: there is nothing "
             "to compare yet.");
  matrix = selected_matrix (self, &layer, &hname);
  if (matrix == NULL)
    return NULL;
  bf = before->forward;
  then = ov_attention_select ((const float *const *) bf->attentions, bf->n_layers, bf->n_heads,
                              bf->seq_len, layer, selected_head (self), &error);
  if (then == NULL)
    {
      ov_panel_report_failure (OV_PANEL (self), error->message);
      return NULL;
    }
  /* each token against the same token before; one taken out or put in
   * has no counterpart (grey) */
  map = ov_attention_match_tokens (now->encoding->segments, (const char *const *) now->labels, S,
                                   before->encoding->segments,
                                   (const char *const *) before->labels, bf->seq_len, FALSE);
  laid = ov_attention_remap (then, bf->seq_len, map, S);
  diff = ov_attention_difference (laid, S, matrix, S, &error);
  /* Translators: the title of the view since the last change; %d is the
   * layer, %s a head or "mean of heads". */
  title = g_strdup_printf (_("Attention, layer %d, %s, minus that before the last change"),
                           layer, hname);
  show_heatmap (self, diff, TRUE, title);
  return NULL;
}

static void describe_input (OvAttentionPanel *self);

static void
update_view (OvAttentionPanel *self)
{
  const OvForward *fwd;
  const OvEncoding *enc;
  const float *const *att;
  OvAttentionViewKind kind = ov_attention_panel_get_view (self);
  const char *empty = NULL;
  int S;

  clear_views (self);
  /* (without a run the line keeps what the run's start said of it) */
  if (self->run != NULL)
    describe_input (self);
  gtk_label_set_text_with_mnemonic (self->subject_label,
                                    kind == OV_ATTENTION_VIEW_REGION ? _("_Region") : _("_Token"));
  if (self->run == NULL && self->failure != NULL)
    empty = self->failure;
  else if (self->run == NULL)
    empty = _("No attention yet");
  else if (is_picture_view (kind))
    empty = show_picture_view (self, kind == OV_ATTENTION_VIEW_REGION);
  else if (kind == OV_ATTENTION_VIEW_CAPTION)
    empty = show_words_view (self);
  else if (kind == OV_ATTENTION_VIEW_CHANGE)
    empty = show_change_view (self);
  if (empty != NULL)
    gtk_label_set_text (self->empty_label, empty);
  /* the menu of tokens or regions only beside a picture they belong to */
  if (self->picture == NULL && g_list_model_get_n_items (G_LIST_MODEL (self->subject_model)) > 0)
    {
      self->updating = TRUE;
      gtk_string_list_splice (self->subject_model, 0,
                              g_list_model_get_n_items (G_LIST_MODEL (self->subject_model)),
                              NULL);
      g_array_set_size (self->subjects, 0);
      self->updating = FALSE;
    }
  gtk_widget_set_visible (self->subject_cell, self->picture != NULL);
  gtk_widget_set_visible (self->shared_cell, kind == OV_ATTENTION_VIEW_GRID);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), empty != NULL);
  gtk_widget_set_visible (self->canvas_box, empty == NULL);
  /* The layer and head with their flow box cells: GTK 4.8's flow box stops
   * Tab at a cell whose controls cannot take the focus, and Export would be
   * out of the keys' reach. */
  gtk_widget_set_sensitive (flow_box_cell (GTK_WIDGET (self->layer_spin)),
                            kind != OV_ATTENTION_VIEW_GRID && kind != OV_ATTENTION_VIEW_FLOW);
  gtk_widget_set_sensitive (flow_box_cell (GTK_WIDGET (self->head_dropdown)),
                            kind != OV_ATTENTION_VIEW_GRID && kind != OV_ATTENTION_VIEW_FLOW);
  if (self->run == NULL || empty != NULL)
    {
      gtk_widget_set_focusable (GTK_WIDGET (self->canvas), FALSE);
      show_cursor (self);
      return;
    }
  fwd = self->run->forward;
  enc = self->run->encoding;
  att = (const float *const *) fwd->attentions;
  S = fwd->seq_len;

  switch (kind)
    {
    case OV_ATTENTION_VIEW_PICTURE:
    case OV_ATTENTION_VIEW_REGION:
    case OV_ATTENTION_VIEW_CAPTION:
    case OV_ATTENTION_VIEW_CHANGE:
      /* built above */
      break;

    case OV_ATTENTION_VIEW_GRID:
      self->grid = ov_attention_grid_view_new (att, fwd->n_layers, fwd->n_heads, S,
                                               enc->segments,
                                               _("Attention of every layer and head"));
      if (gtk_check_button_get_active (self->shared_check))
        ov_attention_grid_view_share_scale (self->grid);
      self->canvas->paint = ov_attention_grid_view_paint;
      self->canvas->view = self->grid;
      self->canvas->draw_mark = grid_draw_mark;
      self->canvas->set_shown_scale = grid_set_shown_scale;
      self->canvas->min_width = 140 + fwd->n_heads * 110;
      self->canvas->min_height = 60 + fwd->n_layers * 110;
      break;

    case OV_ATTENTION_VIEW_FLOW:
      self->flow = ov_flow_view_new (att, fwd->n_layers, fwd->n_heads, S, enc->segments,
                                     _("Attention flow between words, tags and regions"));
      self->canvas->paint = ov_flow_view_paint;
      self->canvas->view = self->flow;
      self->canvas->draw_mark = flow_draw_mark;
      self->canvas->set_shown_scale = flow_set_shown_scale;
      self->canvas->min_width = 200 + fwd->n_heads * 100;
      self->canvas->min_height = MAX (60 + fwd->n_layers * 112, 340);
      /* On screen as wide as the figure whose text has its full size (the
       * exported one is narrower and its text a little smaller), so that
       * the explanation beside the cells stays readable. */
      self->canvas->fit_width = FLOW_FULL_TEXT_W (fwd->n_heads);
      self->canvas->fit_height = self->canvas->min_height;
      break;

    case OV_ATTENTION_VIEW_HEATMAP:
    default:
      {
        g_autofree float *matrix = NULL;
        g_autofree char *hname = NULL;
        g_autofree char *title = NULL;
        int layer;

        matrix = selected_matrix (self, &layer, &hname);
        if (matrix == NULL)
          break;
        /* Translators: heat map title; %d is the layer, %s a head or "mean of heads". */
        title = g_strdup_printf (_("Attention, layer %d, %s"), layer, hname);
        show_heatmap (self, matrix, FALSE, title);
      }
      break;
    }
  if (kind == OV_ATTENTION_VIEW_GRID)
    {
      self->canvas->fit_width = self->canvas->min_width;
      self->canvas->fit_height = self->canvas->min_height;
    }
  if (kind == OV_ATTENTION_VIEW_GRID || kind == OV_ATTENTION_VIEW_FLOW)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      self->grid != NULL
                                      ? _("Attention of every layer and head")
                                      : _("Attention flow between words, tags and regions"),
                                      -1);
    }
  gtk_widget_set_focusable (GTK_WIDGET (self->canvas), self->canvas->view != NULL);
  show_cursor (self);
  gtk_widget_queue_resize (GTK_WIDGET (self->canvas));
  gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
}

/* Sizes the selectors to the run's layers and heads, keeping the choice
 * (of a model of the same depth). */
static void
fit_selectors (OvAttentionPanel *self)
{
  int n_layers = self->run->forward->n_layers;
  int n_heads = self->run->forward->n_heads;
  int head = selected_head (self);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->head_model));

  self->updating = TRUE;
  gtk_spin_button_set_range (self->layer_spin, 0, n_layers - 1);
  /* a model's first view shows its last layer, as `oscarviz attention`
   * does; later runs keep the layer chosen */
  if (self->depth_seen != n_layers)
    gtk_spin_button_set_value (self->layer_spin, n_layers - 1);
  self->depth_seen = n_layers;
  if ((int) n_items != n_heads + 2)
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

      for (int h = 0; h < n_heads; h++)
        g_ptr_array_add (items, g_strdup_printf ("%d", h));
      /* Translators: head choice: the average of all heads of the layer. */
      g_ptr_array_add (items, g_strdup (_("Mean")));
      /* Translators: head choice: attention rollout through the layers (Abnar & Zuidema). */
      g_ptr_array_add (items, g_strdup (_("Rollout")));
      g_ptr_array_add (items, NULL);
      gtk_string_list_splice (self->head_model, 0, n_items,
                              (const char *const *) items->pdata);
      if (head >= n_heads)
        head = OV_ATTENTION_MEAN;
      gtk_drop_down_set_selected (self->head_dropdown,
                                  head >= 0 ? (guint) head
                                  : head == OV_ATTENTION_MEAN ? (guint) n_heads
                                  : (guint) n_heads + 1);
    }
  self->updating = FALSE;
}

/* The task the panel runs: the caption step when a captioning model is
 * open, else the question. */
static OvTask
current_task (OvAttentionPanel *self)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));

  if (session != NULL && ov_session_supports (session, OV_TASK_CAPTION, NULL))
    return OV_TASK_CAPTION;
  return OV_TASK_VQA;
}

static void
describe_input (OvAttentionPanel *self)
{
  g_autofree char *text = NULL;

  if (self->run == NULL)
    {
      gtk_label_set_text (self->input_label, "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->input_label), NULL);
      return;
    }
  if (ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_CHANGE && self->before_run != NULL)
    {
      const OvAttentionRun *b = self->before_run;

      /* Translators: the view since the last change: the input now (its
       * caption or question, its tags), then the one before. */
      text = g_strdup_printf (_("Now “%s”, tags: %s — before “%s”, tags: %s"),
                              self->run->text != NULL ? self->run->text : "", self->run->tags,
                              b->text != NULL ? b->text : "", b->tags);
    }
  else if (self->run->task == OV_TASK_CAPTION
           && ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_CAPTION)
    /* Translators: the caption words view's input; %s is the caption. */
    text = g_strdup_printf (_("Every word of the caption “%s”; tags: %s"),
                            self->run->text != NULL ? self->run->text : "", self->run->tags);
  else if (self->run->task == OV_TASK_CAPTION)
    /* Translators: %s is the caption before the predicted word, or empty. */
    text = g_strdup_printf (_("Next caption word after “%s”; tags: %s"),
                            self->run->text != NULL ? self->run->text : "",
                            self->run->tags);
  else
    /* Translators: %s is the question. */
    text = g_strdup_printf (_("Question “%s”; tags: %s"), self->run->text, self->run->tags);
  gtk_label_set_text (self->input_label, text);
  /* the label shows two lines at most */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->input_label), text);
}

/* Whether the view shown is the caption words' and the run lacks the
 * caption's steps, which the other views' runs leave out. */
static gboolean
needs_steps (OvAttentionPanel *self)
{
  return ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_CAPTION && self->run != NULL
         && self->run->task == OV_TASK_CAPTION && self->run->steps == NULL
         && self->run->text != NULL && *self->run->text != '\0';
}

static gboolean
same_image (const OvAttentionRun *a,
            const OvAttentionRun *b)
{
  return (a->sample == NULL) == (b->sample == NULL)
         && (a->sample == NULL || g_strcmp0 (a->sample->key, b->sample->key) == 0);
}

/* Whether two runs read what the user gave alike: the task, the image,
 * the tags and regions, and the question. A caption's words are left out:
 * they follow the Caption panel, which captions each new input again, so
 * that the input before a change is compared with the one after once its
 * caption has followed. */
static gboolean
same_user_input (const OvAttentionRun *a,
                 const OvAttentionRun *b)
{
  int i = 0, j = 0, na = a->forward->seq_len, nb = b->forward->seq_len;

  if (a->task != b->task || g_strcmp0 (a->tags, b->tags) != 0 || !same_image (a, b)
      || (a->task == OV_TASK_VQA && g_strcmp0 (a->text, b->text) != 0))
    return FALSE;
  /* the other tokens, the regions above all, in their order */
  for (;;)
    {
      while (i < na && (a->encoding->segments[i] == OV_SEGMENT_WORD
                        || a->encoding->segments[i] == OV_SEGMENT_PAD))
        i++;
      while (j < nb && (b->encoding->segments[j] == OV_SEGMENT_WORD
                        || b->encoding->segments[j] == OV_SEGMENT_PAD))
        j++;
      if (i == na || j == nb)
        return i == na && j == nb;
      if (g_strcmp0 (a->labels[i++], b->labels[j++]) != 0)
        return FALSE;
    }
}

static void
attention_ready_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(OvAttentionPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  OvAttentionRun *run;

  run = ov_session_attention_finish (OV_SESSION (source), result, &error);
  if (ov_error_is_cancelled (error))
    return;
  gtk_spinner_stop (self->spinner);
  clear_views (self);
  /* the run of an input the user changed becomes the one before; one of
   * the same input (its new caption, or with the caption's steps) is only
   * replaced */
  if (self->run != NULL && run != NULL && !same_user_input (self->run, run))
    {
      g_clear_pointer (&self->before_run, ov_attention_run_free);
      /* (another image's tokens are not this one's, whatever their names) */
      if (same_image (self->run, run))
        self->before_run = g_steal_pointer (&self->run);
    }
  g_clear_pointer (&self->run, ov_attention_run_free);
  g_clear_pointer (&self->failure, g_free);
  if (run == NULL)
    {
      /* the run before belonged to another input: the failure takes its
       * place */
      self->failure = g_strdup (error->message);
      describe_input (self);
      update_view (self);
      ov_panel_report_failure (OV_PANEL (self), error->message);
      return;
    }
  self->run = run;
  self->n_runs++;
  fit_selectors (self);
  update_view (self);
  /* (the view was changed to the caption words while it ran) */
  if (needs_steps (self))
    ov_attention_panel_run (self);
}

void
ov_attention_panel_run (OvAttentionPanel *self)
{
  GCancellable *cancellable;
  OvTask task;

  g_return_if_fail (OV_IS_ATTENTION_PANEL (self));

  task = current_task (self);
  /* an edit may have cancelled the run that was spinning */
  gtk_spinner_stop (self->spinner);
  if (!ov_panel_can_run (OV_PANEL (self), task))
    return;
  if (task == OV_TASK_VQA && (self->question == NULL || *self->question == '\0'))
    {
      gtk_label_set_text (self->input_label, _("Ask a question to see its attention."));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->input_label), NULL);
      return;
    }
  cancellable = ov_runner_begin (&self->runner);
  gtk_spinner_start (self->spinner);
  ov_session_attention_async (ov_panel_get_session (OV_PANEL (self)), task,
                              task == OV_TASK_CAPTION ? self->caption : self->question,
                              ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_CAPTION,
                              cancellable, attention_ready_cb, g_object_ref (self));
}

static gboolean
debounced_run_cb (gpointer user_data)
{
  OvAttentionPanel *self = user_data;

  self->runner.timeout_id = 0;
  ov_attention_panel_run (self);
  return G_SOURCE_REMOVE;
}

/* A hidden panel only notes that its picture is stale and runs once shown,
 * so it does not compete with the other panels for the model. */
static void
schedule_run (OvAttentionPanel *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }
  self->stale = FALSE;
  if (ov_panel_can_run (OV_PANEL (self), current_task (self)))
    ov_runner_schedule (&self->runner, debounced_run_cb, self);
}

static void
ov_attention_panel_map (GtkWidget *widget)
{
  OvAttentionPanel *self = OV_ATTENTION_PANEL (widget);

  GTK_WIDGET_CLASS (ov_attention_panel_parent_class)->map (widget);
  if (self->stale)
    schedule_run (self);
}

static void
input_changed (OvPanel *panel)
{
  OvAttentionPanel *self = OV_ATTENTION_PANEL (panel);
  OvSession *session = ov_panel_get_session (panel);
  gboolean ok;

  /* Either a captioning or a VQA model will do, not only the class's task. */
  ok = session != NULL && (ov_session_supports (session, OV_TASK_CAPTION, NULL)
                           || ov_session_supports (session, OV_TASK_VQA, NULL));
  if (ok)
    {
      gtk_widget_set_sensitive (self->content, TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->reason_label), FALSE);
    }
  schedule_run (self);
}

static void
selector_changed_cb (OvAttentionPanel *self)
{
  if (self->updating)
    return;
  update_view (self);
  if (needs_steps (self) && !gtk_spinner_get_spinning (self->spinner))
    ov_attention_panel_run (self);
}

static gboolean
query_tooltip_cb (GtkWidget        *widget,
                  int               x,
                  int               y,
                  gboolean          keyboard,
                  GtkTooltip       *tooltip,
                  OvAttentionPanel *self)
{
  g_autofree char *text = keyboard ? dup_cursor_text (self)
                                   : ov_attention_panel_dup_tooltip (self, x, y, NULL);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
pressed_cb (GtkGestureClick  *gesture,
            int               n_press,
            double            x,
            double            y,
            OvAttentionPanel *self)
{
  /* A click on a cell gives the keys that cell (set first, so that taking
   * the focus does not put it on the first cell); one on a head's map or
   * table opens its heat map. */
  if (ov_attention_panel_click (self, x, y))
    gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
}

static void
export_response_cb (GtkNativeDialog  *dialog,
                    int               response,
                    OvAttentionPanel *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      double width = ov_export_chooser_get_width (GTK_FILE_CHOOSER (dialog));

      if (path != NULL)
        ov_attention_panel_save (self, path, width);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

char *
ov_attention_panel_dup_export_name (OvAttentionPanel *self)
{
  static const char *const views[] = {
    "heatmap", "grid", "summary", "image", "region", "caption", "difference",
  };
  OvAttentionViewKind kind = ov_attention_panel_get_view (self);
  const OvSample *sample = ov_session_get_sample (ov_panel_get_session (OV_PANEL (self)));
  g_autoptr(GString) name = g_string_new ("attention-");

  g_string_append (name, (guint) kind < G_N_ELEMENTS (views) ? views[kind] : "view");
  if (sample != NULL && sample->key != NULL && *sample->key != '\0')
    {
      /* the key as a file name: no folders, no spaces */
      g_string_append_c (name, '-');
      for (const char *p = sample->key; *p != '\0'; p++)
        g_string_append_c (name, g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.'
                                 ? *p : '_');
    }
  if (kind != OV_ATTENTION_VIEW_GRID && kind != OV_ATTENTION_VIEW_FLOW)
    g_string_append_printf (name, "-layer%d", gtk_spin_button_get_value_as_int (self->layer_spin));
  g_string_append (name, ".png");
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OvAttentionPanel *self = OV_ATTENTION_PANEL (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  const char *const patterns[][2] = {
    { N_("PNG image"), "*.png" }, { N_("SVG drawing"), "*.svg" }, { N_("PDF document"), "*.pdf" },
  };

  if (self->canvas->paint == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Export Attention View"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  {
    g_autofree char *name = ov_attention_panel_dup_export_name (self);

    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  }
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _(patterns[i][0]));
      gtk_file_filter_add_pattern (filter, patterns[i][1]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
      g_object_unref (filter);
    }
  ov_export_chooser_add_size (GTK_FILE_CHOOSER (dialog));
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
ov_attention_panel_dispose (GObject *object)
{
  OvAttentionPanel *self = OV_ATTENTION_PANEL (object);

  ov_runner_clear (&self->runner);
  if (self->canvas != NULL)
    clear_views (self);
  g_clear_pointer (&self->run, ov_attention_run_free);
  g_clear_pointer (&self->before_run, ov_attention_run_free);
  g_clear_pointer (&self->subjects, g_array_unref);
  g_clear_pointer (&self->query_label, g_free);
  g_clear_pointer (&self->failure, g_free);
  g_clear_pointer (&self->caption, g_free);
  g_clear_pointer (&self->question, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), OV_TYPE_ATTENTION_PANEL);
  self->canvas = NULL;
  G_OBJECT_CLASS (ov_attention_panel_parent_class)->dispose (object);
}

static void
ov_attention_panel_class_init (OvAttentionPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  OvPanelClass *panel_class = OV_PANEL_CLASS (klass);

  object_class->dispose = ov_attention_panel_dispose;
  widget_class->map = ov_attention_panel_map;
  panel_class->task = OV_TASK_CAPTION;
  panel_class->input_changed = input_changed;

  g_type_ensure (OV_TYPE_ATTENTION_CANVAS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/oscarviz/Oscarviz/ov-attention-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, reason_label);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, content);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, view_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, layer_spin);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, head_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, head_model);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, spinner);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, input_label);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, empty_label);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, canvas_box);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, canvas_window);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, canvas);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, cell_label);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, subject_cell);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, shared_cell);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, shared_check);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, subject_label);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, subject_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvAttentionPanel, subject_model);
  gtk_widget_class_install_action (widget_class, "attention.export", NULL, export_action);
  gtk_widget_class_set_css_name (widget_class, "ov-attention-panel");
}

static void
ov_attention_panel_init (OvAttentionPanel *self)
{
  GtkGesture *click;
  GtkEventController *key, *focus;
  GtkScrolledWindow *scroller;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cursor_row = self->cursor_col = -1;
  self->subjects = g_array_new (FALSE, FALSE, sizeof (int));
  self->word_step = self->word_col = -1;
  self->cursor_layer = self->cursor_head = -1;

  g_signal_connect_object (self->view_dropdown, "notify::selected",
                           G_CALLBACK (selector_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->head_dropdown, "notify::selected",
                           G_CALLBACK (selector_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->layer_spin, "value-changed",
                           G_CALLBACK (selector_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->subject_dropdown, "notify::selected",
                           G_CALLBACK (subject_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->shared_check, "toggled", G_CALLBACK (selector_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->canvas), TRUE);
  g_signal_connect_object (self->canvas, "query-tooltip", G_CALLBACK (query_tooltip_cb),
                           self, 0);
  click = gtk_gesture_click_new ();
  g_signal_connect_object (click, "pressed", G_CALLBACK (pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->canvas), GTK_EVENT_CONTROLLER (click));
  key = gtk_event_controller_key_new ();
  g_signal_connect_object (key, "key-pressed", G_CALLBACK (canvas_key_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->canvas), key);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "enter", G_CALLBACK (canvas_focus_enter_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (focus, "leave", G_CALLBACK (gtk_widget_queue_draw), self->canvas,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->canvas), focus);
  scroller = GTK_SCROLLED_WINDOW (self->canvas_window);
  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (scroller), "value-changed",
                           G_CALLBACK (canvas_scrolled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (scroller), "value-changed",
                           G_CALLBACK (canvas_scrolled_cb), self, G_CONNECT_SWAPPED);
  ov_panel_set_parts (OV_PANEL (self), self->content, self->reason_label);
  self->stale = TRUE;
  update_view (self);
}

void
ov_attention_panel_set_caption (OvAttentionPanel *self,
                                const char       *caption)
{
  g_return_if_fail (OV_IS_ATTENTION_PANEL (self));

  if (g_strcmp0 (self->caption, caption) == 0)
    return;
  g_free (self->caption);
  self->caption = g_strdup (caption);
  if (current_task (self) == OV_TASK_CAPTION)
    schedule_run (self);
}

void
ov_attention_panel_set_question (OvAttentionPanel *self,
                                 const char       *question)
{
  g_return_if_fail (OV_IS_ATTENTION_PANEL (self));

  if (g_strcmp0 (self->question, question) == 0)
    return;
  g_free (self->question);
  self->question = g_strdup (question);
  if (current_task (self) == OV_TASK_VQA)
    schedule_run (self);
}

void
ov_attention_panel_set_view (OvAttentionPanel    *self,
                             OvAttentionViewKind  view)
{
  g_return_if_fail (OV_IS_ATTENTION_PANEL (self));
  gtk_drop_down_set_selected (self->view_dropdown, (guint) view);
}

OvAttentionViewKind
ov_attention_panel_get_view (OvAttentionPanel *self)
{
  guint i;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), OV_ATTENTION_VIEW_HEATMAP);
  i = gtk_drop_down_get_selected (self->view_dropdown);
  return i <= OV_ATTENTION_VIEW_CHANGE ? (OvAttentionViewKind) i : OV_ATTENTION_VIEW_HEATMAP;
}

void
ov_attention_panel_set_selection (OvAttentionPanel *self,
                                  int               layer,
                                  int               head)
{
  int n_heads;

  g_return_if_fail (OV_IS_ATTENTION_PANEL (self));

  n_heads = self->run != NULL ? self->run->forward->n_heads : 0;
  self->updating = TRUE;
  gtk_spin_button_set_value (self->layer_spin, layer);
  if (head >= 0 && head < n_heads)
    gtk_drop_down_set_selected (self->head_dropdown, (guint) head);
  else if (head == OV_ATTENTION_ROLLOUT)
    gtk_drop_down_set_selected (self->head_dropdown, (guint) n_heads + 1);
  else
    gtk_drop_down_set_selected (self->head_dropdown, (guint) n_heads);
  self->updating = FALSE;
  update_view (self);
}

void
ov_attention_panel_get_selection (OvAttentionPanel *self,
                                  int              *layer,
                                  int              *head)
{
  g_return_if_fail (OV_IS_ATTENTION_PANEL (self));

  if (layer != NULL)
    *layer = gtk_spin_button_get_value_as_int (self->layer_spin);
  if (head != NULL)
    *head = selected_head (self);
}

void
ov_attention_panel_set_compact (OvAttentionPanel *self,
                                gboolean          compact)
{
  g_return_if_fail (OV_IS_ATTENTION_PANEL (self));

  gtk_label_set_lines (self->input_label, compact ? 1 : 2);
  /* The line under the figure too: one line, the whole of it in the
   * tooltip, so that large text on a low screen leaves the map its rows. */
  gtk_label_set_ellipsize (self->cell_label, compact ? PANGO_ELLIPSIZE_END
                                                     : PANGO_ELLIPSIZE_NONE);
  gtk_label_set_lines (self->cell_label, compact ? 1 : -1);
  self->line_height = 0;
  if (gtk_widget_get_visible (GTK_WIDGET (self->cell_label)))
    {
      g_autofree char *text = g_strdup (gtk_label_get_text (self->cell_label));

      keep_line_height (self, text);
    }
}

const OvAttentionRun *
ov_attention_panel_get_before_run (OvAttentionPanel *self)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), NULL);
  return self->before_run;
}

const OvAttentionRun *
ov_attention_panel_get_run (OvAttentionPanel *self)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), NULL);
  return self->run;
}

guint
ov_attention_panel_get_n_runs (OvAttentionPanel *self)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), 0);
  return self->n_runs;
}

GtkWidget *
ov_attention_panel_get_canvas (OvAttentionPanel *self)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), NULL);
  return GTK_WIDGET (self->canvas);
}

gboolean
ov_attention_panel_get_cursor (OvAttentionPanel *self,
                               int              *row,
                               int              *col)
{
  OvHeatmapHit hit;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->heatmap == NULL
      || !ov_heatmap_view_get_cell (self->heatmap, self->cursor_row, self->cursor_col, &hit))
    return FALSE;
  if (row != NULL)
    *row = hit.row;
  if (col != NULL)
    *col = hit.col;
  return TRUE;
}

gboolean
ov_attention_panel_get_head_cursor (OvAttentionPanel *self,
                                    int              *layer,
                                    int              *head)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if ((self->grid == NULL && self->flow == NULL) || self->cursor_layer < 0)
    return FALSE;
  if (layer != NULL)
    *layer = self->cursor_layer;
  if (head != NULL)
    *head = self->cursor_head;
  return TRUE;
}

GtkWidget *
ov_attention_panel_get_cell_label (OvAttentionPanel *self)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), NULL);
  return GTK_WIDGET (self->cell_label);
}

/* Lays the view out for the canvas's current size, as the last draw did,
 * and returns the canvas's text scale: the view's coordinates times it are
 * the canvas's. */
static double
layout_view (OvAttentionPanel *self)
{
  double scale = canvas_text_scale (self->canvas);
  double w = gtk_widget_get_width (GTK_WIDGET (self->canvas)) / scale;
  double h = gtk_widget_get_height (GTK_WIDGET (self->canvas)) / scale;

  if (w <= 0 || h <= 0)
    {
      w = self->canvas->min_width;
      h = self->canvas->min_height;
    }
  if (self->heatmap != NULL)
    ov_heatmap_view_layout (self->heatmap, w, h);
  else if (self->grid != NULL)
    ov_attention_grid_view_layout (self->grid, w, h);
  else if (self->flow != NULL)
    ov_flow_view_layout (self->flow, w, h);
  else if (self->picture != NULL)
    ov_attention_image_view_layout (self->picture, w, h);
  else if (self->words != NULL)
    ov_caption_view_layout (self->words, w, h);
  return scale;
}

gboolean
ov_attention_panel_cell_center (OvAttentionPanel *self,
                                int               row,
                                int               col,
                                double           *x,
                                double           *y)
{
  double scale;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->heatmap == NULL)
    return FALSE;
  scale = layout_view (self);
  if (!ov_heatmap_view_cell_center (self->heatmap, row, col, x, y))
    return FALSE;
  *x *= scale;
  *y *= scale;
  return TRUE;
}

gboolean
ov_attention_panel_grid_cell_center (OvAttentionPanel *self,
                                     int               layer,
                                     int               head,
                                     double           *x,
                                     double           *y)
{
  OvRect rect;
  double scale;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->grid == NULL && self->flow == NULL)
    return FALSE;
  scale = layout_view (self);
  if (self->grid != NULL ? !ov_attention_grid_view_cell_rect (self->grid, layer, head, &rect)
                         : !ov_flow_view_cell_rect (self->flow, layer, head, &rect))
    return FALSE;
  *x = (rect.x + rect.width / 2) * scale;
  *y = (rect.y + rect.height / 2) * scale;
  return TRUE;
}

char *
ov_attention_panel_dup_tooltip (OvAttentionPanel *self,
                                double            x,
                                double            y,
                                double           *value)
{
  const char *const *labels;
  double scale;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), NULL);

  if (self->run == NULL)
    return NULL;
  labels = (const char *const *) self->run->labels;
  scale = layout_view (self);
  x /= scale;
  y /= scale;
  if (self->heatmap != NULL)
    {
      OvHeatmapHit hit;

      if (!ov_heatmap_view_hit (self->heatmap, x, y, &hit))
        return NULL;
      if (value != NULL)
        *value = hit.value;
      if (isnan (hit.value))
        /* Translators: a cell of the view since the last change whose
         * tokens were not both in the input before. */
        return g_strdup_printf (_("“%s” (%d) and “%s” (%d): not both in the input before the "
                                  "change"), hit.row_label, hit.row, hit.col_label, hit.col);
      /* Translators: a heat map cell: the value, then query and key tokens with positions. */
      return g_strdup_printf (_("%.6f\n“%s” (%d) attends to “%s” (%d)"), hit.value,
                              hit.row_label, hit.row, hit.col_label, hit.col);
    }
  if (self->grid != NULL)
    {
      OvGridHit hit;

      if (!ov_attention_grid_view_hit (self->grid, x, y, &hit))
        return NULL;
      if (value != NULL)
        *value = hit.value;
      /* Translators: a grid cell: the value, layer, head, query and key tokens. */
      return g_strdup_printf (_("%.6f\nlayer %d, head %d\n“%s” (%d) attends to “%s” (%d)\n"
                                "Click to open this head"),
                              hit.value, hit.layer, hit.head, labels[hit.row], hit.row,
                              labels[hit.col], hit.col);
    }
  if (self->flow != NULL)
    {
      OvFlowHit hit;

      if (!ov_flow_view_hit (self->flow, x, y, &hit))
        return NULL;
      if (value != NULL)
        *value = hit.value;
      /* Translators: a flow cell: the mass, layer, head, from and to groups, cross share. */
      return g_strdup_printf (_("%.6f\nlayer %d, head %d: %s → %s\ncross-modal share %.3f\n"
                                "Click to open this head"),
                              hit.value, hit.layer, hit.head, ov_flow_group_name (hit.from),
                              ov_flow_group_name (hit.to), hit.cross_share);
    }
  if (self->words != NULL)
    {
      OvCaptionHit hit;

      if (!ov_caption_view_hit (self->words, x, y, &hit))
        return NULL;
      if (value != NULL)
        *value = hit.value;
      /* Translators: a cell of the caption words view: the value, the
       * word, the step (from 1) that produced it, and the tag or region. */
      return g_strdup_printf (_("%.6f\nthe step that wrote “%s” (word %d) attends to %s"),
                              hit.value, hit.word, hit.step + 1, hit.col_label);
    }
  if (self->picture != NULL)
    {
      OvImageHit hit;
      int subject = selected_subject (self), p;

      if (!ov_attention_image_view_hit (self->picture, x, y, &hit) || subject < 0)
        return NULL;
      if (value != NULL)
        *value = hit.value;
      if (hit.position >= 0)
        /* Translators: a word or tag under the picture of the view to a
         * region: its attention on the region, the word and its position,
         * the region. */
        return g_strdup_printf (_("%.6f\n“%s” (%d) attends to %s\n"
                                  "Click to see its attention on the picture"),
                                hit.value, labels[hit.position], hit.position,
                                labels[region_position (self->run, subject)]);
      p = region_position (self->run, hit.region);
      if (p < 0)
        /* Translators: a box on the picture whose region the model was
         * not given (past its limit on regions). */
        return g_strdup_printf (_("Region %u was not given to the model"),
                                ov_sample_region_number (self->run->sample,
                                                         (guint) hit.region));
      if (ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_PICTURE)
        /* Translators: a box on the picture: the token's attention on it,
         * the token and its position, the region. */
        return g_strdup_printf (_("%.6f\n“%s” (%d) attends to %s\n"
                                  "Click to see what attends to this region"),
                                hit.value, labels[subject], subject, labels[p]);
      /* Translators: a box on the view to a region. */
      return g_strdup_printf (_("%s\nClick to see what attends to this region"), labels[p]);
    }
  return NULL;
}

gboolean
ov_attention_panel_click (OvAttentionPanel *self,
                          double            x,
                          double            y)
{
  OvGridHit hit;
  double scale;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->heatmap != NULL)
    {
      OvHeatmapHit cell;
      const int *pos;
      int n, row = -1, col = -1;

      scale = layout_view (self);
      if (!ov_heatmap_view_hit (self->heatmap, x / scale, y / scale, &cell))
        return FALSE;
      pos = ov_heatmap_view_get_positions (self->heatmap, &n);
      for (int a = 0; a < n; a++)
        {
          row = pos[a] == cell.row ? a : row;
          col = pos[a] == cell.col ? a : col;
        }
      move_cursor (self, row, col);
      return TRUE;
    }
  if (self->words != NULL)
    {
      OvCaptionHit cell;

      scale = layout_view (self);
      if (!ov_caption_view_hit (self->words, x / scale, y / scale, &cell))
        return FALSE;
      move_word_cursor (self, cell.step, cell.col);
      return TRUE;
    }
  if (self->picture != NULL)
    {
      OvImageHit spot;

      scale = layout_view (self);
      if (!ov_attention_image_view_hit (self->picture, x / scale, y / scale, &spot))
        return FALSE;
      if (spot.position >= 0)
        open_subject (self, FALSE, spot.position);
      else if (region_position (self->run, spot.region) >= 0)
        open_subject (self, TRUE, spot.region);
      else
        return FALSE;
      return TRUE;
    }
  if (self->flow != NULL)
    {
      OvFlowHit table;

      scale = layout_view (self);
      if (!ov_flow_view_hit (self->flow, x / scale, y / scale, &table))
        return FALSE;
      self->cursor_layer = table.layer;
      self->cursor_head = table.head;
      open_head (self, table.layer, table.head);
      return TRUE;
    }
  if (self->grid == NULL)
    return FALSE;
  scale = layout_view (self);
  if (!ov_attention_grid_view_hit (self->grid, x / scale, y / scale, &hit))
    return FALSE;
  self->cursor_layer = hit.layer;
  self->cursor_head = hit.head;
  open_head (self, hit.layer, hit.head);
  return TRUE;
}

gboolean
ov_attention_panel_get_subject (OvAttentionPanel *self,
                                int              *subject)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->picture == NULL)
    return FALSE;
  *subject = selected_subject (self);
  return *subject >= 0;
}

gboolean
ov_attention_panel_set_subject (OvAttentionPanel *self,
                                int               subject)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->picture == NULL)
    return FALSE;
  for (guint i = 0; i < self->subjects->len; i++)
    if (g_array_index (self->subjects, int, i) == subject)
      {
        open_subject (self, ov_attention_panel_get_view (self) == OV_ATTENTION_VIEW_REGION,
                      subject);
        return TRUE;
      }
  return FALSE;
}

gboolean
ov_attention_panel_region_center (OvAttentionPanel *self,
                                  guint             region,
                                  double           *x,
                                  double           *y)
{
  OvRect r;
  double scale, ox, oy;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->picture == NULL)
    return FALSE;
  scale = layout_view (self);
  if (!ov_region_view_get_box (ov_attention_image_view_get_region_view (self->picture), region,
                               &r))
    return FALSE;
  ov_attention_image_view_get_image_origin (self->picture, &ox, &oy);
  *x = (ox + r.x + r.width / 2) * scale;
  *y = (oy + r.y + r.height / 2) * scale;
  return TRUE;
}

gboolean
ov_attention_panel_chip_center (OvAttentionPanel *self,
                                int               position,
                                double           *x,
                                double           *y)
{
  OvRect r;
  double scale;
  int p;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->picture == NULL)
    return FALSE;
  scale = layout_view (self);
  for (guint i = 0; ov_attention_image_view_get_chip (self->picture, i, &p, &r); i++)
    if (p == position)
      {
        *x = (r.x + r.width / 2) * scale;
        *y = (r.y + r.height / 2) * scale;
        return TRUE;
      }
  return FALSE;
}

void
ov_attention_panel_set_shared_scale (OvAttentionPanel *self,
                                     gboolean          shared)
{
  g_return_if_fail (OV_IS_ATTENTION_PANEL (self));
  gtk_check_button_set_active (self->shared_check, shared);
}

const OvColorScale *
ov_attention_panel_get_grid_scale (OvAttentionPanel *self,
                                   int               layer,
                                   int               head)
{
  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), NULL);

  if (self->grid == NULL)
    return NULL;
  return ov_attention_grid_view_get_scale (self->grid, layer, head);
}

gboolean
ov_attention_panel_caption_cell_center (OvAttentionPanel *self,
                                        int               step,
                                        int               col,
                                        double           *x,
                                        double           *y)
{
  double scale;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->words == NULL)
    return FALSE;
  scale = layout_view (self);
  if (!ov_caption_view_cell_center (self->words, step, col, x, y))
    return FALSE;
  *x *= scale;
  *y *= scale;
  return TRUE;
}

/* What the export dialog does with the chosen file: export, and say what
 * went wrong in the window (the file there before is left as it was). */
gboolean
ov_attention_panel_save (OvAttentionPanel *self,
                         const char       *path,
                         double            width)
{
  g_autoptr(GError) error = NULL;

  if (ov_attention_panel_export (self, path, width, &error))
    return TRUE;
  ov_panel_report_failure (OV_PANEL (self), error->message);
  return FALSE;
}

/* The view shown laid out for a page of its own (page set, as the command
 * line draws it) or for the panel. */
static void
figure_layout (OvAttentionPanel *self,
               gboolean          page)
{
  if (self->heatmap != NULL && self->canvas->view == self->heatmap)
    ov_heatmap_view_set_fill_page (self->heatmap, page);
  else if (self->grid != NULL && self->canvas->view == self->grid)
    ov_attention_grid_view_set_fill_page (self->grid, page);
  else if (self->picture != NULL && self->canvas->view == self->picture)
    ov_attention_image_view_set_keep_text (self->picture, !page);
}

gboolean
ov_attention_panel_export (OvAttentionPanel *self,
                           const char       *path,
                           double            width,
                           GError          **error)
{
  OvExportFormat format;
  double w, h;
  gboolean ok;

  g_return_val_if_fail (OV_IS_ATTENTION_PANEL (self), FALSE);

  if (self->canvas->paint == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, "%s: %s", path,
                   _("no attention view to export yet"));
      return FALSE;
    }
  if (!ov_export_format_from_path (path, &format, error))
    return FALSE;
  /* the figure as it is, not as the window enlarges it; the canvas tells
   * the view its own scale again before it next lays it out */
  if (self->canvas->set_shown_scale != NULL)
    self->canvas->set_shown_scale (self->canvas->view, 1.0);
  w = self->canvas->min_width;
  h = self->canvas->min_height;
  ov_export_fit_size (width, 0.0, &w, &h);
  /* laid out for the page as `oscarviz attention` lays it out (the heat
   * map's and the grid's cells fill it, the text shrinks on a small one),
   * then for the panel again */
  figure_layout (self, TRUE);
  ok = ov_export_view (path, format, self->canvas->paint, self->canvas->view, w, h, 2.0, error);
  figure_layout (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
  return ok;
}
