/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The window on the bundled demo, under a private Xvfb: the decoding
 * defaults of the Preferences and the Caption panel that starts from them;
 * a tag row that gives the model its tag word, its region, both or neither,
 * checked against the engine's own inputs; the error banner after a new
 * open; class colours that depend on the class name alone; the note on
 * question words the model does not know; the Question tab's icon; the
 * room the panels get below the tag list; the keyboard on the attention
 * heat map, and its rows at large text; the focus ring of the first word
 * link Shift+Tab reaches; and a window that fits a screen of 1024x600 at
 * every text size, in English and in German. With OV_SCREENSHOT_DIR set,
 * /ui/polish/screenshots writes every tab at 1280x800 and 1920x1080, light
 * and dark. Skipped only when no display can be started.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "data/ov-demo.h"
#include "data/ov-demo-world.h"
#include "model/ov-answers.h"
#include "model/ov-tokenizer.h"
#include "ui/ov-answer-chart.h"
#include "ui/ov-application.h"
#include "ui/ov-panel-util.h"
#include "ui/ov-preferences-window.h"
#include "ui/ov-scatter-canvas.h"
#include "ui/ov-tag-row.h"
#include "ui/ov-window-private.h"
#include "viz/ov-attention-view.h"
#include "viz/ov-draw.h"
#include "viz/ov-tsne-plot.h"
#include "ov-test-ui.h"
#include "ov-test-util.h"

static GSubprocess   *xvfb;
static OvApplication *app;

/* Long enough for the debounce and a small model's run to settle. */
#define SETTLE_MS (OV_DEBOUNCE_MS + 700)

static OvModel *
load_demo (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ov_demo_find (name, &error);
  OvModel *model;

  g_assert_no_error (error);
  model = ov_model_load (dir, NULL, &error);
  g_assert_no_error (error);
  return model;
}

/* A window of width x height on the demo: its three models and the first
 * held-out scene (five regions: hexagon, cup, triangle, bolt, circle). */
static OvWindow *
open_demo_window (int width,
                  int height)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  OvWindow *win;
  OvSession *session;

  /* The window reads its first divider positions from these. */
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  win = ov_window_new (app);
  session = ov_window_get_session (win);
  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  ov_window_open (win, NULL, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (win) && ov_session_get_sample (session) != NULL
              && ov_session_supports (session, OV_TASK_VQA, NULL)
              && ov_session_supports (session, OV_TASK_CAPTION, NULL), 60);
  g_assert_false (ov_window_is_loading (win));
  g_assert_nonnull (ov_session_get_sample (session));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "300001");
  g_assert_cmpuint (g_list_model_get_n_items (ov_session_get_tags (session)), ==, 5);
  ov_test_iterate (300);
  return win;
}

static void
close_window (OvWindow *win)
{
  gtk_window_destroy (GTK_WINDOW (win));
  ov_test_iterate (100);
}

static OvTagItem *
tag_at (OvWindow *win,
        guint     i)
{
  return g_list_model_get_item (ov_session_get_tags (ov_window_get_session (win)), i);
}

/* The nth descendant of root of a type, breadth first. */
static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type,
                 guint      nth)
{
  g_autoptr(GPtrArray) queue = g_ptr_array_new ();
  guint seen = 0;

  g_ptr_array_add (queue, root);
  for (guint q = 0; q < queue->len; q++)
    for (GtkWidget *w = gtk_widget_get_first_child (g_ptr_array_index (queue, q)); w != NULL;
         w = gtk_widget_get_next_sibling (w))
      {
        if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && seen++ == nth)
          return w;
        g_ptr_array_add (queue, w);
      }
  return NULL;
}

/* The preferences row (or the tag row) with this title. */
static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  GtkWidget *row;

  for (guint i = 0; (row = find_descendant (root, ADW_TYPE_PREFERENCES_ROW, i)) != NULL; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return row;
  return NULL;
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  GtkWidget *label;

  for (guint i = 0; (label = find_descendant (root, GTK_TYPE_LABEL, i)) != NULL; i++)
    if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), text) == 0)
      return label;
  return NULL;
}

/* The input line under the tag list: its one label that starts so. */
static const char *
input_line (OvWindow *win)
{
  GtkWidget *list = GTK_WIDGET (_ov_window_get_tag_list (win));
  GtkWidget *label;

  for (guint i = 0; (label = find_descendant (list, GTK_TYPE_LABEL, i)) != NULL; i++)
    if (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Model input:"))
      return gtk_label_get_text (GTK_LABEL (label));
  return NULL;
}

/* The engine's input for a set of tag words and of the sample's regions,
 * built here from the sample, not by the session. */
typedef struct {
  char  *tags;
  float *features;     /* (n_regions, dim) */
  int    n_regions;
  int    dim;
} Expected;

static void
expected_clear (Expected *e)
{
  g_free (e->tags);
  g_free (e->features);
}

static Expected
expected_input (const OvSample    *s,
                const char *const *words,
                const guint       *regions,
                guint              n_regions)
{
  Expected e = { g_strjoinv (" ", (char **) words), NULL, (int) n_regions,
                 (int) s->feature_dim };

  e.features = g_new (float, (gsize) MAX (n_regions, 1) * s->feature_dim);
  for (guint i = 0; i < n_regions; i++)
    memcpy (e.features + (gsize) i * s->feature_dim,
            s->features + (gsize) regions[i] * s->feature_dim,
            sizeof (float) * s->feature_dim);
  return e;
}

static void
assert_same_inputs (const OvInputs *got,
                    const OvInputs *want,
                    int             dim)
{
  g_assert_cmpint (got->n_text, ==, want->n_text);
  g_assert_cmpint (got->n_regions, ==, want->n_regions);
  g_assert_cmpmem (got->input_ids, sizeof (gint32) * got->n_text,
                   want->input_ids, sizeof (gint32) * want->n_text);
  if (want->token_type_ids != NULL)
    g_assert_cmpmem (got->token_type_ids, sizeof (gint32) * got->n_text,
                     want->token_type_ids, sizeof (gint32) * want->n_text);
  if (want->position_ids != NULL)
    g_assert_cmpmem (got->position_ids, sizeof (gint32) * got->n_text,
                     want->position_ids, sizeof (gint32) * want->n_text);
  g_assert_true (got->mask_2d == want->mask_2d);
  /* The region rows, bit for bit: the session copies them, never mixes. */
  g_assert_cmpmem (got->img_feats, sizeof (float) * got->n_regions * dim,
                   want->img_feats, sizeof (float) * want->n_regions * dim);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  OV_TEST_WAIT_UNTIL (*slot != NULL, 60);
  g_assert_nonnull (*slot);
  return *slot;
}

/* /ui/polish/text-size: the Preferences' text size scales GTK's font
 * resolution (for a projector), and back. */
static void
test_text_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkSettings *gtk = gtk_settings_get_default ();
  int normal = 0, larger = 0;

  g_settings_set_string (settings, "text-size", "normal");
  ov_test_iterate (50);
  g_object_get (gtk, "gtk-xft-dpi", &normal, NULL);
  g_assert_cmpint (normal, >, 0);
  g_settings_set_string (settings, "text-size", "larger");
  ov_test_iterate (50);
  g_object_get (gtk, "gtk-xft-dpi", &larger, NULL);
  g_assert_cmpint (larger, ==, (int) (normal * 1.5));
  g_settings_set_string (settings, "text-size", "normal");
  ov_test_iterate (50);
  g_object_get (gtk, "gtk-xft-dpi", &larger, NULL);
  g_assert_cmpint (larger, ==, normal);
}

/* /ui/polish/text-size-canvases: the text size reaches what the window
 * draws with Cairo. At "larger" the attention figure is laid out as at
 * normal and drawn 1.5 times as large (its canvas and its cells' places
 * grow by 1.5), the answer chart's rows are 1.5 times as tall, and a
 * scatter plot is laid out in the canvas's size divided by 1.5; each
 * follows the setting while shown, and back. An export is the same at
 * either size. */
static void
test_text_size_canvases (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  OvWindow *win;
  OvAttentionPanel *attention;
  OvVqaPanel *vqa;
  GtkWidget *canvas, *chart, *window, *scatter;
  const float Y[] = { 0, 0, 1, 0, 0, 1, 1, 1 };
  const guint ids[] = { 0, 1, 0, 1 };
  const char *names[] = { "cup", "bolt" };
  const OvForward *fwd;
  double x0, y0, x1, y1, scale;
  int min_w0, min_w1, chart_h0;
  guint runs;
  OvRect plot, row0, row1;

  g_settings_set_string (settings, "text-size", "normal");
  ov_test_iterate (50);
  win = open_demo_window (1280, 800);
  attention = _ov_window_get_attention_panel (win);
  vqa = _ov_window_get_vqa_panel (win);

  /* the answer chart, with the demo's answers to a question */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                             "question"));
  runs = ov_vqa_panel_get_n_runs (vqa);
  ov_vqa_panel_set_question (vqa, "what shape is red?");
  OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_n_runs (vqa) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  chart = find_descendant (GTK_WIDGET (vqa), OV_TYPE_ANSWER_CHART, 0);
  g_assert_nonnull (chart);
  g_assert_cmpuint (ov_answer_chart_get_n (OV_ANSWER_CHART (chart)), >, 0);
  chart_h0 = gtk_widget_get_height (chart);
  g_assert_cmpint (chart_h0, >, 0);
  scale = ov_widget_get_text_scale (chart);
  g_settings_set_string (settings, "text-size", "larger");
  ov_test_iterate (SETTLE_MS);
  g_assert_cmpfloat_with_epsilon (ov_widget_get_text_scale (chart), 1.5 * scale, 1e-6);
  g_assert_cmpint (abs (gtk_widget_get_height (chart) - (int) ceil (1.5 * chart_h0)), <=, 1);
  g_settings_set_string (settings, "text-size", "normal");
  ov_test_iterate (SETTLE_MS);
  g_assert_cmpint (gtk_widget_get_height (chart), ==, chart_h0);

  /* the attention figure of every layer and head: the canvas asks for 1.5
   * times the figure's size, lays the figure out at its own size divided
   * by 1.5 and draws it enlarged, so that its cells (and text) are where
   * such a layout puts them, times 1.5 */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                             "attention"));
  ov_attention_panel_set_view (attention, OV_ATTENTION_VIEW_GRID);
  OV_TEST_WAIT_UNTIL (ov_attention_panel_get_n_runs (attention) > 0, 60);
  ov_test_iterate (SETTLE_MS);
  fwd = ov_attention_panel_get_run (attention)->forward;
  canvas = ov_attention_panel_get_canvas (attention);
  gtk_widget_measure (canvas, GTK_ORIENTATION_HORIZONTAL, -1, &min_w0, NULL, NULL, NULL);
  g_assert_true (ov_attention_panel_grid_cell_center (attention, fwd->n_layers - 1,
                                                      fwd->n_heads - 1, &x0, &y0));
  g_settings_set_string (settings, "text-size", "larger");
  ov_test_iterate (SETTLE_MS);
  gtk_widget_measure (canvas, GTK_ORIENTATION_HORIZONTAL, -1, &min_w1, NULL, NULL, NULL);
  g_assert_cmpint (min_w1, ==, (int) ceil (1.5 * min_w0));
  g_assert_cmpint (gtk_widget_get_width (canvas), >=, min_w1);
  g_assert_true (ov_attention_panel_grid_cell_center (attention, fwd->n_layers - 1,
                                                      fwd->n_heads - 1, &x1, &y1));
  {
    g_autoptr(OvAttentionGridView) grid = NULL;
    OvRect cell;

    grid = ov_attention_grid_view_new ((const float *const *) fwd->attentions,
                                       fwd->n_layers, fwd->n_heads, fwd->seq_len,
                                       ov_attention_panel_get_run (attention)->encoding->segments,
                                       "Attention of every layer and head");
    ov_attention_grid_view_set_shown_scale (grid, 1.5);
    ov_attention_grid_view_layout (grid, gtk_widget_get_width (canvas) / 1.5,
                                   gtk_widget_get_height (canvas) / 1.5);
    g_assert_true (ov_attention_grid_view_cell_rect (grid, fwd->n_layers - 1,
                                                     fwd->n_heads - 1, &cell));
    g_assert_cmpfloat_with_epsilon (x1, 1.5 * (cell.x + cell.width / 2), 0.01);
    g_assert_cmpfloat_with_epsilon (y1, 1.5 * (cell.y + cell.height / 2), 0.01);
  }
  /* the export is the figure at its own size, whatever the text size */
  {
    g_autofree char *dir = g_dir_make_tmp ("ov-text-size-XXXXXX", NULL);
    g_autofree char *normal_png = g_build_filename (dir, "normal.png", NULL);
    g_autofree char *larger_png = g_build_filename (dir, "larger.png", NULL);
    g_autofree char *normal_data = NULL, *larger_data = NULL;
    gsize normal_len = 0, larger_len = 0;
    g_autoptr(GError) error = NULL;

    g_assert_true (ov_attention_panel_export (attention, larger_png, 0, &error));
    g_assert_no_error (error);
    /* the pointer there finds that cell (and opens its heat map) */
    g_assert_true (ov_attention_panel_click (attention, x1, y1));
    ov_attention_panel_set_view (attention, OV_ATTENTION_VIEW_GRID);
    g_settings_set_string (settings, "text-size", "normal");
    ov_test_iterate (SETTLE_MS);
    g_assert_true (ov_attention_panel_export (attention, normal_png, 0, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (normal_png, &normal_data, &normal_len, NULL));
    g_assert_true (g_file_get_contents (larger_png, &larger_data, &larger_len, NULL));
    g_assert_cmpmem (normal_data, normal_len, larger_data, larger_len);
    g_unlink (normal_png);
    g_unlink (larger_png);
    g_rmdir (dir);
  }
  close_window (win);

  /* a scatter plot on its own */
  window = gtk_window_new ();
  scatter = ov_scatter_canvas_new ();
  ov_scatter_canvas_set_view (OV_SCATTER_CANVAS (scatter),
                              ov_tsne_plot_view_new (Y, 4, ids, names, 2, "t-SNE"), 4, 2,
                              FALSE);
  gtk_window_set_child (GTK_WINDOW (window), scatter);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_present (GTK_WINDOW (window));
  ov_test_iterate (300);
  ov_scatter_canvas_layout (OV_SCATTER_CANVAS (scatter));
  ov_scatter_view_get_plot_rect (ov_scatter_canvas_get_view (OV_SCATTER_CANVAS (scatter)),
                                 &plot, NULL);
  g_assert_cmpfloat (plot.x + plot.width, >, gtk_widget_get_width (scatter) / 1.5);
  g_assert_true (ov_scatter_view_get_legend_rect (
                   ov_scatter_canvas_get_view (OV_SCATTER_CANVAS (scatter)), 0, &row0));
  g_settings_set_string (settings, "text-size", "larger");
  ov_test_iterate (SETTLE_MS);
  ov_scatter_canvas_layout (OV_SCATTER_CANVAS (scatter));
  ov_scatter_view_get_plot_rect (ov_scatter_canvas_get_view (OV_SCATTER_CANVAS (scatter)),
                                 &plot, NULL);
  g_assert_cmpfloat (plot.x + plot.width, <=, gtk_widget_get_width (scatter) / 1.5);
  /* laid out in less room than its full width, the plot still keeps the
   * legend's rows (and text) as they were, and is drawn 1.5 times as large */
  g_assert_true (ov_scatter_view_get_legend_rect (
                   ov_scatter_canvas_get_view (OV_SCATTER_CANVAS (scatter)), 0, &row1));
  g_assert_cmpfloat_with_epsilon (row1.height, row0.height, 1e-6);
  g_settings_set_string (settings, "text-size", "normal");
  ov_test_iterate (SETTLE_MS);
  gtk_window_destroy (GTK_WINDOW (window));
  ov_test_iterate (100);
}

/* /ui/polish/decoding-defaults: the Preferences hold the decoding
 * defaults; the Caption panel starts from them and follows a default that
 * changes; a change in the panel stays in that panel. */
static void
test_decoding_defaults (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(OvModel) model = load_demo ("demo");
  g_autofree char *decoding = NULL;
  OvPreferencesWindow *prefs;
  OvCaptionOptions o, mine;
  OvCaptionPanel *panel;
  OvWindow *win, *second;
  GtkWidget *row, *spin;
  guint runs;

  g_settings_set_string (settings, "decoding", "beam");
  g_settings_set_int (settings, "beam-size", 3);
  g_settings_set_int (settings, "max-length", 12);
  g_settings_set_int (settings, "num-sequences", 2);

  win = open_demo_window (1280, 800);
  panel = _ov_window_get_caption_panel (win);
  ov_caption_panel_get_options (panel, &o);
  g_assert_cmpint (o.num_beams, ==, 3);
  g_assert_cmpint (o.n_best, ==, 2);
  g_assert_cmpint (o.max_length, ==, 12);

  /* The run uses them: the engine with the same options agrees. */
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0, 60);
  ov_test_iterate (SETTLE_MS);
  {
    OvSession *session = ov_window_get_session (win);
    const OvSample *s = ov_session_get_sample (session);
    g_autofree char *tags = ov_session_dup_input_tags (session);
    OvRegions regions = { s->features, (int) s->n_features, (int) s->feature_dim };
    g_autoptr(GPtrArray) captions = NULL;
    g_autoptr(GError) error = NULL;

    captions = ov_model_caption (model, tags, &regions, &o, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (captions->len, >=, 1);
    g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==,
                     ((OvCaption *) g_ptr_array_index (captions, 0))->text);
  }

  /* The Preferences show the defaults, and a change there reaches the
   * open panel. */
  prefs = ov_preferences_window_new (settings);
  gtk_window_present (GTK_WINDOW (prefs));
  ov_test_iterate (200);
  row = find_row (GTK_WIDGET (prefs), "Searc_h");
  g_assert_nonnull (row);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 1);
  row = find_row (GTK_WIDGET (prefs), "Maximum _length");
  g_assert_nonnull (row);
  spin = find_descendant (row, GTK_TYPE_SPIN_BUTTON, 0);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 12);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 9);
  g_assert_cmpint (g_settings_get_int (settings, "max-length"), ==, 9);
  ov_caption_panel_get_options (panel, &o);
  g_assert_cmpint (o.max_length, ==, 9);
  row = find_row (GTK_WIDGET (prefs), "Bea_ms");
  spin = find_descendant (row, GTK_TYPE_SPIN_BUTTON, 0);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 3);
  row = find_row (GTK_WIDGET (prefs), "Ca_ptions");
  spin = find_descendant (row, GTK_TYPE_SPIN_BUTTON, 0);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 2);

  /* Greedy in the panel, for this panel only. */
  runs = ov_caption_panel_get_n_runs (panel);
  ov_caption_options_init (&mine);
  mine.num_beams = 1;
  mine.n_best = 1;
  mine.max_length = 7;
  ov_caption_panel_set_options (panel, &mine);
  ov_test_iterate (100);
  decoding = g_settings_get_string (settings, "decoding");
  g_assert_cmpstr (decoding, ==, "beam");
  g_assert_cmpint (g_settings_get_int (settings, "max-length"), ==, 9);
  g_assert_cmpint (g_settings_get_int (settings, "beam-size"), ==, 3);
  ov_caption_panel_get_options (panel, &o);
  g_assert_cmpint (o.num_beams, ==, 1);
  g_assert_cmpint (o.max_length, ==, 7);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  {
    OvSession *session = ov_window_get_session (win);
    const OvSample *s = ov_session_get_sample (session);
    g_autofree char *tags = ov_session_dup_input_tags (session);
    OvRegions regions = { s->features, (int) s->n_features, (int) s->feature_dim };
    g_autoptr(GPtrArray) captions = NULL;
    g_autoptr(GError) error = NULL;

    captions = ov_model_caption (model, tags, &regions, &mine, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==,
                     ((OvCaption *) g_ptr_array_index (captions, 0))->text);
  }

  /* A new window starts from the defaults, not from the first panel. */
  second = open_demo_window (1280, 800);
  ov_caption_panel_get_options (_ov_window_get_caption_panel (second), &o);
  g_assert_cmpint (o.num_beams, ==, 3);
  g_assert_cmpint (o.n_best, ==, 2);
  g_assert_cmpint (o.max_length, ==, 9);

  /* Greedy chosen in the Preferences: both panels go greedy. */
  row = find_row (GTK_WIDGET (prefs), "Searc_h");
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 0);
  g_clear_pointer (&decoding, g_free);
  decoding = g_settings_get_string (settings, "decoding");
  g_assert_cmpstr (decoding, ==, "greedy");
  g_assert_false (gtk_widget_get_sensitive (find_row (GTK_WIDGET (prefs), "Bea_ms")));
  ov_caption_panel_get_options (_ov_window_get_caption_panel (second), &o);
  g_assert_cmpint (o.num_beams, ==, 1);
  g_assert_cmpint (o.max_length, ==, 9);

  gtk_window_destroy (GTK_WINDOW (prefs));
  close_window (second);
  close_window (win);
  g_settings_reset (settings, "decoding");
  g_settings_reset (settings, "beam-size");
  g_settings_reset (settings, "max-length");
  g_settings_reset (settings, "num-sequences");
}

/* /ui/polish/tag-or-region: each row gives the model its tag word, its
 * region, both or neither; the line under the list says what the model
 * gets, and the caption, the answers and the attention pass run on exactly
 * those inputs, compared here with the engine's own on inputs built from
 * the sample. */
static void
test_tag_or_region (void)
{
  OvWindow *win = open_demo_window (1280, 800);
  OvSession *session = ov_window_get_session (win);
  const OvSample *s = ov_session_get_sample (session);
  GtkWidget *list = GTK_WIDGET (_ov_window_get_tag_list (win));
  g_autoptr(OvModel) caption_model = load_demo ("demo");
  g_autoptr(OvModel) vqa_model = load_demo ("demo-vqa");
  g_autoptr(OvTagItem) a = tag_at (win, 0);
  g_autoptr(OvTagItem) b = tag_at (win, 2);
  g_autoptr(OvTagItem) c = tag_at (win, 4);
  g_autoptr(GArray) regions = NULL;
  g_autofree char *tags = NULL;
  const char *words[] = { "hexagon", "cup", "bolt", NULL };
  const guint kept[] = { 1, 2, 3 };
  const char *question = "what color is the cup ?";
  Expected want;
  OvCaptionPanel *panel = _ov_window_get_caption_panel (win);
  GtkWidget *row, *button;
  guint runs;

  g_assert_cmpstr (ov_tag_item_get_text (a), ==, "hexagon");
  g_assert_cmpstr (ov_tag_item_get_text (b), ==, "triangle");
  g_assert_cmpstr (ov_tag_item_get_text (c), ==, "circle");
  g_assert_cmpstr (input_line (win), ==,
                   "Model input: tags “hexagon cup triangle bolt circle” and 5 regions: 1–5");
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0, 60);
  ov_test_iterate (SETTLE_MS);
  runs = ov_caption_panel_get_n_runs (panel);

  /* Region 1 gives only its tag, region 3 only its region, region 5 nothing. */
  ov_tag_item_set_region_enabled (a, FALSE);
  ov_tag_item_set_tag_enabled (b, FALSE);
  ov_tag_item_set_enabled (c, FALSE);
  g_assert_true (ov_tag_item_get_enabled (a));
  g_assert_true (ov_tag_item_get_enabled (b));
  g_assert_false (ov_tag_item_get_enabled (c));
  g_assert_false (ov_tag_item_get_tag_enabled (c));
  g_assert_false (ov_tag_item_get_region_enabled (c));

  tags = ov_session_dup_input_tags (session);
  g_assert_cmpstr (tags, ==, "hexagon cup bolt");
  regions = ov_session_dup_input_regions (session);
  g_assert_cmpuint (regions->len, ==, 3);
  g_assert_cmpmem (regions->data, sizeof (guint) * 3, kept, sizeof kept);
  g_assert_false (ov_session_region_in_input (session, 0));
  g_assert_true (ov_session_region_in_input (session, 2));
  g_assert_true (ov_session_tag_in_input (session, a));
  g_assert_false (ov_session_tag_in_input (session, b));
  g_assert_cmpstr (input_line (win), ==,
                   "Model input: tags “hexagon cup bolt” and 3 regions: 2–4");
  g_assert_nonnull (find_label (list, "3 of 5 tags in the input"));

  /* The rows say which part goes in. */
  row = find_row (list, "Region 1 · tag only");
  g_assert_nonnull (row);
  g_assert_true (ov_tag_row_get_item (OV_TAG_ROW (row)) == a);
  /* The first row cannot move up, nor the last down: those actions are
   * off (greyed in their menus), and their keys do nothing. */
  {
    g_autoptr(GtkShortcutAction) up = gtk_named_action_new ("row.move-up");
    g_autoptr(GtkShortcutAction) down = gtk_named_action_new ("row.move-down");

    g_assert_false (gtk_shortcut_action_activate (up, 0, row, NULL));
    g_assert_false (gtk_shortcut_action_activate (down, 0, find_row (list, "Region 5"), NULL));
    g_assert_true (gtk_shortcut_action_activate (down, 0, row, NULL));
    ov_test_iterate (50);
    row = find_row (list, "Region 1 · tag only");
    g_assert_true (gtk_shortcut_action_activate (up, 0, row, NULL));
    ov_test_iterate (50);
    row = find_row (list, "Region 1 · tag only");
    g_assert_false (gtk_shortcut_action_activate (up, 0, row, NULL));
  }
  {
    g_autoptr(OvTagItem) first = g_list_model_get_item (ov_session_get_tags (session), 0);

    g_assert_true (first == a);
  }
  row = find_row (list, "Region 3 · region only");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_has_css_class (row, "tag-word-off"));
  row = find_row (list, "Region 5");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_has_css_class (row, "tag-off"));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (find_descendant (row, GTK_TYPE_SWITCH, 0))));

  want = expected_input (s, words, kept, G_N_ELEMENTS (kept));

  /* The caption the panel shows is the engine's for that input. */
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  {
    OvRegions r = { want.features, want.n_regions, want.dim };
    OvCaptionOptions o;
    g_autoptr(GPtrArray) captions = NULL;
    g_autoptr(GError) error = NULL;

    ov_caption_panel_get_options (panel, &o);
    captions = ov_model_caption (caption_model, want.tags, &r, &o, NULL, &error);
    g_assert_no_error (error);
    g_test_message ("caption with the tag of region 1, the region of region 3: %s",
                    ov_caption_panel_get_caption (panel));
    g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==,
                     ((OvCaption *) g_ptr_array_index (captions, 0))->text);
  }

  /* The answers are the engine's sigmoid scores for that input. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(OvAnswers) answers = NULL;
    g_autoptr(OvAnswerList) labels = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree float *logits = NULL;
    OvRegions r = { want.features, want.n_regions, want.dim };
    int n_logits = 0;

    ov_session_answer_async (session, question, 5, NULL, store_result_cb, &result);
    answers = ov_session_answer_finish (session, wait_result (&result), &error);
    g_assert_no_error (error);
    logits = ov_model_classify (vqa_model, question, want.tags, &r, &n_logits, NULL, &error);
    g_assert_no_error (error);
    labels = ov_answer_list_load (ov_session_get_answer_list_path (session), &error);
    g_assert_no_error (error);
    g_assert_cmpint (answers->n, ==, 5);
    for (int i = 0; i < answers->n; i++)
      {
        int k = ov_answer_list_find (labels, answers->labels[i]);

        g_assert_cmpint (k, >=, 0);
        g_assert_cmpint (k, <, n_logits);
        /* Same engine, same threads: equal to rounding of the sigmoid. */
        g_assert_cmpfloat_with_epsilon (answers->scores[i],
                                        1.0 / (1.0 + exp (-(double) logits[k])), 1e-6);
        if (i > 0)
          g_assert_cmpfloat (answers->scores[i], <=, answers->scores[i - 1]);
      }
  }

  /* The attention passes run on the engine's encoding of that input. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(OvAttentionRun) run = NULL;
    g_autoptr(OvEncoding) enc = NULL;
    g_autoptr(GError) error = NULL;
    OvRegions r = { want.features, want.n_regions, want.dim };
    gint32 cls = ov_tokenizer_cls_id (ov_model_get_tokenizer (caption_model));

    ov_session_attention_async (session, OV_TASK_CAPTION, NULL, FALSE, NULL, store_result_cb,
                                &result);
    run = ov_session_attention_finish (session, wait_result (&result), &error);
    g_assert_no_error (error);
    enc = ov_model_prepare_caption_step (caption_model, &cls, 1, want.tags, &r, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (run->tags, ==, want.tags);
    assert_same_inputs (&run->encoding->inputs, &enc->inputs, want.dim);
    /* Region tokens are named after the regions that went in. */
    {
      guint k = 0;

      for (int i = 0; i < run->forward->seq_len; i++)
        if (run->encoding->segments[i] == OV_SEGMENT_REGION)
          {
            g_autofree char *label = ov_region_dup_token_label ((int) kept[k],
                                                                s->regions[kept[k]].cls);

            g_assert_cmpstr (run->labels[i], ==, label);
            k++;
          }
      g_assert_cmpuint (k, ==, G_N_ELEMENTS (kept));
    }
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(OvAttentionRun) run = NULL;
    g_autoptr(OvEncoding) enc = NULL;
    g_autoptr(GError) error = NULL;
    OvRegions r = { want.features, want.n_regions, want.dim };

    ov_session_attention_async (session, OV_TASK_VQA, question, FALSE, NULL, store_result_cb,
                                &result);
    run = ov_session_attention_finish (session, wait_result (&result), &error);
    g_assert_no_error (error);
    enc = ov_model_prepare_vqa (vqa_model, question, want.tags, &r, &error);
    g_assert_no_error (error);
    assert_same_inputs (&run->encoding->inputs, &enc->inputs, want.dim);
  }
  expected_clear (&want);

  /* The row menu gives the finer choice: its check items are the parts. */
  row = find_row (list, "Region 1 · tag only");
  button = find_descendant (row, GTK_TYPE_MENU_BUTTON, 0);
  g_assert_nonnull (button);
  {
    GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
    GMenuModel *section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
    g_autofree char *first = NULL, *second = NULL;

    g_assert_nonnull (section);
    g_assert_true (g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_ACTION, "s",
                                                    &first));
    g_assert_true (g_menu_model_get_item_attribute (section, 1, G_MENU_ATTRIBUTE_ACTION, "s",
                                                    &second));
    g_assert_cmpstr (first, ==, "tag.word");
    g_assert_cmpstr (second, ==, "tag.region");
    g_object_unref (section);
  }
  g_assert_true (gtk_widget_activate_action (row, "tag.region", NULL));
  g_assert_true (ov_tag_item_get_region_enabled (a));
  g_assert_true (gtk_widget_activate_action (row, "tag.word", NULL));
  g_assert_false (ov_tag_item_get_tag_enabled (a));
  g_assert_true (ov_session_region_in_input (session, 0));
  g_assert_nonnull (find_row (list, "Region 1 · region only"));
  ov_tag_item_set_tag_enabled (a, TRUE);

  /* One click on the switch of a row that gives one part takes the row
   * out; the next gives both back. */
  ov_tag_item_set_enabled (b, FALSE);
  g_assert_false (ov_tag_item_get_tag_enabled (b));
  g_assert_false (ov_tag_item_get_region_enabled (b));
  ov_tag_item_set_enabled (b, TRUE);
  g_assert_true (ov_tag_item_get_tag_enabled (b));
  g_assert_true (ov_tag_item_get_region_enabled (b));

  /* One region left: the line counts it as one. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(OvTagItem) item = tag_at (win, i);

      ov_tag_item_set_enabled (item, i == 3);
    }
  g_assert_cmpstr (input_line (win), ==, "Model input: tags “bolt” and 1 region: 4");
  g_assert_nonnull (find_label (list, "1 of 5 tags in the input"));
  {
    g_autoptr(OvTagItem) bolt = tag_at (win, 3);

    ov_tag_item_set_tag_enabled (bolt, FALSE);
    g_assert_cmpstr (input_line (win), ==, "Model input: no tags and 1 region: 4");
    ov_tag_item_set_region_enabled (bolt, FALSE);
    g_assert_cmpstr (input_line (win), ==, "Model input: no tags and no regions");
  }

  /* A typed tag has no region: its menu removes it instead. */
  {
    g_autoptr(OvTagItem) hat = g_object_ref (ov_session_add_tag (session, "hat"));
    GMenuModel *menu;
    g_autofree char *action = NULL;
    GMenuModel *section;

    ov_test_iterate (100);
    g_assert_false (ov_tag_item_get_region_enabled (hat));
    ov_tag_item_set_region_enabled (hat, TRUE);
    g_assert_false (ov_tag_item_get_region_enabled (hat));
    g_assert_cmpstr (input_line (win), ==, "Model input: tags “hat” and no regions");
    row = find_row (list, "Text only, no region features");
    g_assert_nonnull (row);
    menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (find_descendant
                                                            (row, GTK_TYPE_MENU_BUTTON, 0)));
    section = g_menu_model_get_item_link (menu, 1, G_MENU_LINK_SECTION);
    g_assert_true (g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_ACTION, "s",
                                                    &action));
    g_assert_cmpstr (action, ==, "row.remove");
    g_object_unref (section);
    g_assert_true (gtk_widget_activate_action (row, "row.remove", NULL));
    g_assert_cmpuint (g_list_model_get_n_items (ov_session_get_tags (session)), ==, 5);
  }
  close_window (win);
}

/* /ui/polish/banner: a failed open leaves a banner; the next file handed
 * to the open window, as a second `oscarviz FILE` does through the
 * application's open, takes it away when it opens. */
static void
test_banner (void)
{
  OvWindow *win = open_demo_window (1280, 800);
  OvSession *session = ov_window_get_session (win);
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "oscarviz-no-such.tsv", NULL);
  g_autofree char *yaml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) bad = g_file_new_for_path (missing);
  g_autoptr(GFile) good = NULL;

  g_assert_null (_ov_window_get_banner_text (win));
  ov_window_open (win, NULL, &bad, 1);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (win) && _ov_window_get_banner_text (win) != NULL, 30);
  g_assert_nonnull (_ov_window_get_banner_text (win));
  g_assert_nonnull (strstr (_ov_window_get_banner_text (win), "oscarviz-no-such.tsv"));

  /* What the running instance does when a second `oscarviz FILE` calls. */
  yaml = ov_demo_find_dataset ("demo", &error);
  g_assert_no_error (error);
  good = g_file_new_for_path (yaml);
  g_application_open (G_APPLICATION (app), &good, 1, "");
  g_assert_null (_ov_window_get_banner_text (win));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (win), 30);
  ov_test_iterate (200);
  g_assert_null (_ov_window_get_banner_text (win));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "300001");

  /* A new failure shows again. */
  ov_window_open (win, NULL, &bad, 1);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (win) && _ov_window_get_banner_text (win) != NULL, 30);
  g_assert_nonnull (_ov_window_get_banner_text (win));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.dismiss-banner", NULL));
  g_assert_null (_ov_window_get_banner_text (win));
  close_window (win);
}

static gboolean
same_color (OvColor a,
            OvColor b)
{
  return fabs (a.r - b.r) < 1e-9 && fabs (a.g - b.g) < 1e-9 && fabs (a.b - b.b) < 1e-9;
}

/* The colour of the pixel at (x, y) of an RGB24 surface. */
static OvColor
pixel (cairo_surface_t *surface,
       int              x,
       int              y)
{
  const guchar *data = cairo_image_surface_get_data (surface);
  const guchar *px = data + (gsize) y * cairo_image_surface_get_stride (surface) + x * 4;

  return (OvColor) { px[2] / 255.0, px[1] / 255.0, px[0] / 255.0 };
}

/* /ui/polish/class-colours: a class has one colour whatever was opened
 * before it, in the tag list, the picture and the figures. */
static void
test_class_colours (void)
{
  OvWindow *first = open_demo_window (1280, 800);
  OvWindow *second;
  OvSession *session;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  const char *const *classes = ov_demo_world_classes ();
  guint n_other = 0;

  /* The second window meets other scenes' classes before the first scene. */
  second = open_demo_window (1280, 800);
  session = ov_window_get_session (second);
  for (int step = 0; step < 4; step++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (second), "win.next-sample", NULL));
      OV_TEST_WAIT_UNTIL (!ov_window_is_loading (second), 30);
      ov_test_iterate (50);
      for (guint i = 0; i < g_list_model_get_n_items (ov_session_get_tags (session)); i++)
        {
          g_autoptr(OvTagItem) item = tag_at (second, i);

          n_other += g_strcmp0 (ov_tag_item_get_text (item), "hexagon") != 0;
        }
    }
  g_assert_cmpuint (n_other, >, 0);
  for (int step = 0; step < 4; step++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (second), "win.previous-sample",
                                                 NULL));
      OV_TEST_WAIT_UNTIL (!ov_window_is_loading (second), 30);
      ov_test_iterate (50);
    }
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "300001");

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(OvTagItem) a = tag_at (first, i);
      g_autoptr(OvTagItem) b = tag_at (second, i);
      const char *cls = ov_tag_item_get_text (a);
      g_autoptr(OvPalette) palette = ov_palette_new ();

      g_assert_cmpstr (ov_tag_item_get_text (b), ==, cls);
      g_assert_cmpuint (ov_tag_item_get_class_index (a), ==, ov_tag_item_get_class_index (b));
      /* The row's chip, the picture's boxes (the session palette) and the
       * figures (any palette, fed other names first) agree. */
      g_assert_true (same_color (ov_viz_class_color (ov_tag_item_get_class_index (a)),
                                 ov_class_color (cls)));
      g_assert_true (same_color (ov_palette_color (ov_session_get_palette (session), cls),
                                 ov_class_color (cls)));
      for (guint k = 0; classes[k] != NULL; k++)
        ov_palette_index (palette, classes[k]);
      g_assert_true (same_color (ov_palette_color (palette, cls), ov_class_color (cls)));
    }

  /* The demo world's classes all have colours of their own. */
  for (guint k = 0; classes[k] != NULL; k++)
    g_hash_table_add (seen, GUINT_TO_POINTER (ov_class_color_index (classes[k]) + 1));
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_strv_length ((char **) classes));

  /* A t-SNE figure colours a label by its name, not its place in the list. */
  {
    const float Y[] = { 0, 0, 10, 10 };
    const char *ab[] = { "ring", "cross" };
    const char *ba[] = { "cross", "ring" };
    const guint ids_ab[] = { 1, 0 };   /* point 0 is a cross in both */
    const guint ids_ba[] = { 0, 1 };
    cairo_surface_t *one = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
    cairo_surface_t *two = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 300);
    g_autoptr(OvScatterView) view_ab = ov_tsne_plot_view_new (Y, 2, ids_ab, ab, 2, NULL);
    g_autoptr(OvScatterView) view_ba = ov_tsne_plot_view_new (Y, 2, ids_ba, ba, 2, NULL);
    cairo_t *cr;
    double x, y;
    int px, py;

    cr = cairo_create (one);
    ov_scatter_view_paint (cr, 400, 300, view_ab);
    cairo_destroy (cr);
    cr = cairo_create (two);
    ov_scatter_view_paint (cr, 400, 300, view_ba);
    cairo_destroy (cr);
    cairo_surface_flush (one);
    cairo_surface_flush (two);
    /* the centre of point 0, at data (0, 0) */
    ov_scatter_view_data_to_view (view_ab, 0, 0, &x, &y);
    px = (int) floor (x);
    py = (int) floor (y);
    {
      OvColor c1 = pixel (one, px, py), c2 = pixel (two, px, py);
      OvColor want = ov_class_color ("cross");

      g_test_message ("cross point: (%.3f %.3f %.3f) and (%.3f %.3f %.3f)", c1.r, c1.g, c1.b,
                      c2.r, c2.g, c2.b);
      g_assert_cmpfloat (fabs (c1.r - c2.r) + fabs (c1.g - c2.g) + fabs (c1.b - c2.b), <,
                         3.0 / 255);
      /* 0.85 alpha over the plot's ground, 0.97 grey */
      g_assert_cmpfloat (fabs (c1.r - (0.85 * want.r + 0.15 * 0.97)), <, 2.0 / 255);
      g_assert_cmpfloat (fabs (c1.g - (0.85 * want.g + 0.15 * 0.97)), <, 2.0 / 255);
      g_assert_cmpfloat (fabs (c1.b - (0.85 * want.b + 0.15 * 0.97)), <, 2.0 / 255);
    }
    cairo_surface_destroy (one);
    cairo_surface_destroy (two);
  }
  close_window (second);
  close_window (first);
}

/* /ui/polish/unknown-words: the Question panel names the words the model
 * reads as [UNK], as the tokenizer counts them. */
static void
test_unknown_words (void)
{
  OvWindow *win = open_demo_window (1280, 800);
  OvVqaPanel *panel = _ov_window_get_vqa_panel (win);
  g_autoptr(OvModel) model = load_demo ("demo-vqa");
  OvTokenizer *tok = ov_model_get_tokenizer (model);
  const char *chinese = "杯子是什么颜色的？";
  guint runs;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                             "question"));
  /* Every word unknown: the tokenizer gives nothing but [UNK]. */
  {
    g_autoptr(GArray) ids = ov_tokenizer_encode (tok, chinese);
    g_autoptr(GPtrArray) words = ov_tokenizer_basic_tokenize (tok, chinese);

    g_assert_cmpuint (ids->len, ==, words->len);
    for (guint i = 0; i < ids->len; i++)
      g_assert_cmpint (g_array_index (ids, gint32, i), ==, ov_tokenizer_unk_id (tok));
  }
  runs = ov_vqa_panel_get_n_runs (panel);
  ov_vqa_panel_set_question (panel, chinese);
  OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  g_assert_nonnull (ov_vqa_panel_get_unknown_note (panel));
  g_assert_true (g_str_has_prefix (ov_vqa_panel_get_unknown_note (panel),
                                   "The model knows none of these words"));
  {
    g_auto(GStrv) unknown = NULL;
    guint n_words = 0;

    /* Eight characters, each a word of its own; the full-width question
     * mark is punctuation. */
    unknown = ov_session_dup_unknown_words (ov_window_get_session (win), OV_TASK_VQA, chinese,
                                            &n_words);
    g_assert_cmpuint (n_words, ==, 8);
    g_assert_cmpuint (g_strv_length (unknown), ==, 8);
  }

  /* One word of five unknown (the question mark is no word): the British
   * spelling. */
  {
    const char *q = "what colour is the cup ?";
    g_autoptr(GArray) ids = ov_tokenizer_encode (tok, q);
    guint n_unk = 0;

    for (guint i = 0; i < ids->len; i++)
      n_unk += g_array_index (ids, gint32, i) == ov_tokenizer_unk_id (tok);
    g_assert_cmpuint (n_unk, ==, 1);
    runs = ov_vqa_panel_get_n_runs (panel);
    ov_vqa_panel_set_question (panel, q);
    OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_n_runs (panel) > runs, 60);
    ov_test_iterate (SETTLE_MS);
    g_assert_cmpstr (ov_vqa_panel_get_unknown_note (panel), ==,
                     "1 of 5 words is not in the model’s vocabulary and reads as [UNK]: "
                     "“\u2068colour\u2069”");
  }
  {
    g_auto(GStrv) unknown = NULL;
    guint n_words = 0;

    unknown = ov_session_dup_unknown_words (ov_window_get_session (win), OV_TASK_VQA,
                                            "what colour is the zorblax ?", &n_words);
    g_assert_cmpuint (n_words, ==, 5);
    g_assert_cmpuint (g_strv_length (unknown), ==, 2);
    g_assert_cmpstr (unknown[0], ==, "colour");
    g_assert_cmpstr (unknown[1], ==, "zorblax");
  }

  /* A question longer than the model's input: how much of it it reads,
   * as the command line notes it. */
  {
    const char *q = "is there a brown cup to the left of the yellow hexagon which is above the "
                    "purple circle and below the pink bolt in the picture today ?";
    OvInputKept kept;
    g_autofree char *want = NULL;

    g_assert_true (ov_session_get_task_input_kept (ov_window_get_session (win), OV_TASK_VQA, q,
                                                   &kept));
    g_assert_cmpint (kept.text_pieces_kept, <, kept.text_pieces);
    want = g_strdup_printf ("The model reads %d of the question’s %d word pieces; the rest do "
                            "not fit its max_seq_length and are left out, as Oscar leaves them "
                            "out.", kept.text_pieces_kept, kept.text_pieces);
    runs = ov_vqa_panel_get_n_runs (panel);
    ov_vqa_panel_set_question (panel, q);
    OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_n_runs (panel) > runs, 60);
    ov_test_iterate (SETTLE_MS);
    /* after the words it does not know ("which", "today") */
    g_assert_nonnull (ov_vqa_panel_get_unknown_note (panel));
    g_assert_true (g_str_has_prefix (ov_vqa_panel_get_unknown_note (panel), "2 of 27 words"));
    g_assert_true (g_str_has_suffix (ov_vqa_panel_get_unknown_note (panel), want));
  }

  /* Every word known: no note. */
  runs = ov_vqa_panel_get_n_runs (panel);
  ov_vqa_panel_set_question (panel, "what color is the cup ?");
  OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  g_assert_null (ov_vqa_panel_get_unknown_note (panel));
  close_window (win);
}

/* /ui/polish/tab-icons: the Question tab shows a question (a speech
 * bubble with a question mark), and every tab's icon is in the theme. */
/* The oracle's coco_street has 60 regions and 75 tag word pieces, and
 * caption_tiny reads the first 50 regions and 29 of the pieces, as the
 * command line notes it: the input line says so first, with the tag string
 * last where the label cuts it, and the heading counts the tags that fit
 * whole. coco_dog_couch fits, and keeps the plain line. */
static void
test_input_kept (void)
{
  g_autofree char *model_dir = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny",
                                                    NULL);
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (yaml);
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  OvWindow *win = ov_window_new (app);
  OvSession *session = ov_window_get_session (win);
  GtkWidget *list = GTK_WIDGET (_ov_window_get_tag_list (win));
  GtkWidget *label;
  OvInputKept kept;
  OvTokenizer *tok;
  int pieces = 0;
  guint whole = 0;

  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  gtk_window_present (GTK_WINDOW (win));
  ov_window_open (win, model_dir, &file, 1);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (win) && ov_session_get_sample (session) != NULL,
                      60);
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_dog_couch");
  g_assert_true (g_str_has_prefix (input_line (win), "Model input: tags “dog couch "));
  g_assert_nonnull (find_label (list, "12 of 12 tags in the input"));

  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.next-sample", NULL));
      OV_TEST_WAIT_UNTIL (!ov_window_is_loading (win), 60);
    }
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_street");
  g_assert_true (ov_session_get_input_kept (session, &kept));
  g_assert_cmpint (kept.tag_pieces_kept, ==, 29);
  g_assert_cmpint (kept.tag_pieces, ==, 75);
  g_assert_cmpint (kept.regions_kept, ==, 50);
  g_assert_cmpint (kept.regions, ==, 60);
  g_test_message ("%s", input_line (win));
  g_assert_true (g_str_has_prefix (input_line (win),
                                   "Model input: reads 29 of the 75 word pieces of the tags and "
                                   "the first 50 of the 60 regions; regions 1–60; tags “car "));
  for (guint i = 0; (label = find_descendant (list, GTK_TYPE_LABEL, i)) != NULL; i++)
    if (gtk_label_get_text (GTK_LABEL (label)) == input_line (win))
      break;
  g_assert_nonnull (label);
  g_assert_cmpint (gtk_label_get_ellipsize (GTK_LABEL (label)), ==, PANGO_ELLIPSIZE_END);

  /* the tags whose word pieces all fit, counted here with the model's own
   * tokenizer, tag by tag */
  model = ov_model_load (model_dir, NULL, &error);
  g_assert_no_error (error);
  tok = ov_model_get_tokenizer (model);
  for (guint i = 0; i < g_list_model_get_n_items (ov_session_get_tags (session)); i++)
    {
      g_autoptr(OvTagItem) item = tag_at (win, i);
      g_autoptr(GPtrArray) tag_pieces = ov_tokenizer_tokenize (tok, ov_tag_item_get_text (item));

      pieces += (int) tag_pieces->len;
      if (pieces > 29)
        break;
      whole++;
    }
  g_assert_cmpuint (whole, >, 0);
  g_assert_cmpuint (whole, <, 60);
  heading = g_strdup_printf ("%u of 60 tags fit whole in the input", whole);
  g_test_message ("%s", heading);
  g_assert_nonnull (find_label (list, heading));
  g_assert_null (find_label (list, "60 of 60 tags in the input"));
  close_window (win);
}

/* The visible label under the tag list that starts with prefix, or NULL. */
static const char *
visible_line (OvWindow   *win,
              const char *prefix)
{
  GtkWidget *list = GTK_WIDGET (_ov_window_get_tag_list (win));
  GtkWidget *label;

  for (guint i = 0; (label = find_descendant (list, GTK_TYPE_LABEL, i)) != NULL; i++)
    if (gtk_widget_get_visible (label)
        && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), prefix))
      return gtk_label_get_text (GTK_LABEL (label));
  return NULL;
}

/* /ui/polish/unknown-tags: tag words the model lacks are named under the
 * tag list: none for the demo's own scene; a tag it never learnt, once
 * added; all of them, for a COCO detector's tags. */
static void
test_unknown_tags (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (yaml);
  OvWindow *win = open_demo_window (1280, 800);
  OvSession *session = ov_window_get_session (win);
  const char *line;

  g_assert_null (visible_line (win, "The model knows none"));
  g_assert_null (visible_line (win, "1 of "));
  ov_session_add_tag (session, "motorcycle");
  ov_test_iterate (SETTLE_MS);
  line = visible_line (win, "1 of 6 tag words is not in the model’s vocabulary");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "“\u2068motorcycle\u2069”"));

  ov_window_open (win, NULL, &file, 1);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (win)
                      && g_strcmp0 (ov_session_get_sample (session)->key, "coco_dog_couch") == 0,
                      60);
  ov_test_iterate (SETTLE_MS);
  g_assert_nonnull (visible_line (win, "The model knows none of the tag words"));
  close_window (win);
}

/* Pixels of two renderings of a size that differ inside a rectangle. */
static guint
count_changed (cairo_surface_t *a,
               cairo_surface_t *b,
               double           x0,
               double           y0,
               double           x1,
               double           y1)
{
  guint n = 0;

  for (int y = MAX (0, (int) y0); y < MIN (cairo_image_surface_get_height (a), (int) y1); y++)
    for (int x = MAX (0, (int) x0); x < MIN (cairo_image_surface_get_width (a), (int) x1); x++)
      n += !same_color (pixel (a, x, y), pixel (b, x, y));
  return n;
}

/* What the line under the heat map says of cell (row, col), from the
 * hover tooltip's value at its centre. */
static char *
expected_cell_line (OvAttentionPanel *panel,
                    int               row,
                    int               col)
{
  const OvAttentionRun *run = ov_attention_panel_get_run (panel);
  g_autofree char *tooltip = NULL;
  double x, y, value = NAN;

  g_assert_true (ov_attention_panel_cell_center (panel, row, col, &x, &y));
  tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
  g_assert_nonnull (tooltip);
  return g_strdup_printf ("%.6f — “%s” (%d) attends to “%s” (%d)", value, run->labels[row], row,
                          run->labels[col], col);
}

static void
assert_cursor (OvAttentionPanel *panel,
               int               row,
               int               col)
{
  GtkWidget *label = ov_attention_panel_get_cell_label (panel);
  g_autofree char *line = expected_cell_line (panel, row, col);
  int got_row = -1, got_col = -1;

  g_assert_true (ov_attention_panel_get_cursor (panel, &got_row, &got_col));
  g_assert_cmpint (got_row, ==, row);
  g_assert_cmpint (got_col, ==, col);
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, line);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (ov_attention_panel_get_canvas (panel)),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, line);
}

/* Shows win's attention panel on the heat map and waits for its run. */
static const OvAttentionRun *
show_heatmap (OvWindow         *win,
              OvAttentionPanel *panel)
{
  const OvAttentionRun *run;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                             "attention"));
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_HEATMAP);
  OV_TEST_WAIT_UNTIL (ov_attention_panel_get_n_runs (panel) > 0, 60);
  ov_test_iterate (SETTLE_MS);
  run = ov_attention_panel_get_run (panel);
  g_assert_nonnull (run);
  return run;
}

/* /ui/polish/heatmap-keys: the heat map takes the focus; the arrows, Home,
 * End and the Page keys move a marked cell whose tokens and exact value the
 * line under the map and the canvas's accessible description name; the
 * scroller follows it; a click moves it, hovering does not; the focus ring
 * is drawn around the part of the map shown. */
static void
test_heatmap_keys (void)
{
  OvWindow *win = open_demo_window (1280, 800);
  OvAttentionPanel *panel = _ov_window_get_attention_panel (win);
  const OvAttentionRun *run;
  GtkWidget *canvas, *scroller, *label;
  GtkAdjustment *vadj;
  cairo_surface_t *before, *after;
  g_autofree int *pos = NULL;
  double x, y, x1, y1;
  int n = 0, row, col;

  run = show_heatmap (win, panel);
  pos = g_new (int, run->forward->seq_len);
  for (int i = 0; i < run->forward->seq_len; i++)
    if (run->encoding->segments[i] != OV_SEGMENT_PAD)
      pos[n++] = i;
  g_assert_cmpint (n, >, 12);
  canvas = ov_attention_panel_get_canvas (panel);
  scroller = gtk_widget_get_ancestor (canvas, GTK_TYPE_SCROLLED_WINDOW);
  vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  label = ov_attention_panel_get_cell_label (panel);

  /* Before any key: no cell, and the line says how to get one. */
  g_assert_false (ov_attention_panel_get_cursor (panel, NULL, NULL));
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_true (gtk_widget_get_focusable (canvas));

  /* The focus puts the cell on the first token. */
  before = ov_test_render_widget (canvas);
  g_assert_true (gtk_widget_grab_focus (canvas));
  ov_test_iterate (100);
  assert_cursor (panel, pos[0], pos[0]);

  /* Right, Down, Left, Up; the edges hold the cell and keep the key. */
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Right, 0));
  assert_cursor (panel, pos[0], pos[1]);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Down, 0));
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Down, 0));
  assert_cursor (panel, pos[2], pos[1]);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Left, 0));
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Left, 0));
  assert_cursor (panel, pos[2], pos[0]);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Up, 0));
  assert_cursor (panel, pos[1], pos[0]);

  /* The cell is marked on the map: its surroundings change. */
  ov_test_iterate (100);
  after = ov_test_render_widget (canvas);
  g_assert_true (ov_attention_panel_cell_center (panel, pos[1], pos[0], &x, &y));
  g_assert_cmpuint (count_changed (before, after, x - 12, y - 12, x + 12, y + 12), >, 20);
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);

  /* End and Home: the row's last and first column; with Ctrl, the
   * corners. The scroller shows the last row. */
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_End, 0));
  assert_cursor (panel, pos[1], pos[n - 1]);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Home, 0));
  assert_cursor (panel, pos[1], pos[0]);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_End, GDK_CONTROL_MASK));
  assert_cursor (panel, pos[n - 1], pos[n - 1]);
  g_assert_true (ov_attention_panel_cell_center (panel, pos[n - 1], pos[n - 1], &x1, &y1));
  g_test_message ("last cell at y %.0f; the scroller shows %.0f to %.0f of %.0f", y1,
                  gtk_adjustment_get_value (vadj),
                  gtk_adjustment_get_value (vadj) + gtk_adjustment_get_page_size (vadj),
                  gtk_adjustment_get_upper (vadj));
  /* inside the part shown (the line is under the scroller, not over it) */
  g_assert_cmpfloat (y1, >=, gtk_adjustment_get_value (vadj));
  g_assert_cmpfloat (y1, <=, gtk_adjustment_get_value (vadj)
                               + gtk_adjustment_get_page_size (vadj));
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Right, 0));
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Down, 0));
  assert_cursor (panel, pos[n - 1], pos[n - 1]);

  /* Page Up moves more than a row and stops at the first; the window's
   * Ctrl+Page keys (samples) are left alone. */
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Page_Up, 0));
  g_assert_true (ov_attention_panel_get_cursor (panel, &row, &col));
  g_assert_cmpint (row, <, pos[n - 2]);
  g_assert_cmpint (col, ==, pos[n - 1]);
  for (int k = 0; k < n; k++)
    ov_test_press_key (canvas, GDK_KEY_Page_Up, 0);
  assert_cursor (panel, pos[0], pos[n - 1]);
  g_assert_false (ov_test_press_key (canvas, GDK_KEY_Page_Down, GDK_CONTROL_MASK));
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Home, GDK_CONTROL_MASK));
  assert_cursor (panel, pos[0], pos[0]);
  g_assert_false (ov_test_press_key (canvas, GDK_KEY_a, 0));

  /* Another head: the same cell, its new value. */
  ov_attention_panel_set_selection (panel, run->forward->n_layers - 1, 1);
  ov_test_iterate (100);
  assert_cursor (panel, pos[0], pos[0]);

  /* The pointer's tooltip names the cell under it and leaves the keys'
   * cell alone; a click moves it there. */
  g_assert_true (ov_attention_panel_cell_center (panel, pos[3], pos[4], &x, &y));
  {
    g_autofree char *tip = ov_attention_panel_dup_tooltip (panel, x, y, NULL);

    g_assert_nonnull (strstr (tip, run->labels[pos[3]]));
  }
  assert_cursor (panel, pos[0], pos[0]);
  g_assert_true (ov_attention_panel_click (panel, x, y));
  assert_cursor (panel, pos[3], pos[4]);

  /* The focus ring: there with a visible focus, at the top left of the
   * part shown, not without. */
  gtk_adjustment_set_value (vadj, 0);
  gtk_window_set_focus_visible (GTK_WINDOW (win), FALSE);
  ov_test_iterate (100);
  before = ov_test_render_widget (canvas);
  gtk_window_set_focus_visible (GTK_WINDOW (win), TRUE);
  gtk_widget_queue_draw (canvas);
  ov_test_iterate (100);
  g_assert_true (gtk_widget_has_visible_focus (canvas));
  after = ov_test_render_widget (canvas);
  g_assert_cmpuint (count_changed (before, after, 0, 0, 3, 100), >, 150);
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);

  /* The focus coming back (as it does with the window) leaves the user's
   * scrolling alone; the next key shows the cell again. */
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_End, GDK_CONTROL_MASK));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), >, 0);
  gtk_adjustment_set_value (vadj, 0);
  gtk_window_set_focus (GTK_WINDOW (win), NULL);
  g_assert_true (gtk_widget_grab_focus (canvas));
  ov_test_iterate (100);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, 0);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Left, 0));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), >, 0);
  close_window (win);
}

/* The line the grid names the keys' head with: its layer and head and its
 * largest value, found here from the run's attentions. */
static char *
expected_grid_line (const OvAttentionRun *run,
                    int                   layer,
                    int                   head)
{
  int S = run->forward->seq_len, best_i = -1, best_j = -1;
  const float *att = run->forward->attentions[layer] + (gsize) head * S * S;

  for (int i = 0; i < S; i++)
    for (int j = 0; j < S; j++)
      if (run->encoding->segments[i] != OV_SEGMENT_PAD
          && run->encoding->segments[j] != OV_SEGMENT_PAD
          && (best_i < 0 || att[i * S + j] > att[best_i * S + best_j]))
        {
          best_i = i;
          best_j = j;
        }
  return g_strdup_printf ("Layer %d, head %d — largest %.6f: “%s” (%d) attends to “%s” (%d). "
                          "Enter opens this head.", layer, head, att[best_i * S + best_j],
                          run->labels[best_i], best_i, run->labels[best_j], best_j);
}

/* The same for the flow summary: the cross-modal share of the head. */
static char *
expected_flow_line (const OvAttentionRun *run,
                    int                   layer,
                    int                   head)
{
  int S = run->forward->seq_len;
  double flow[OV_FLOW_N_GROUPS][OV_FLOW_N_GROUPS];

  ov_attention_flow (run->forward->attentions[layer] + (gsize) head * S * S,
                     run->encoding->segments, S, flow, NULL);
  return g_strdup_printf ("Layer %d, head %d — cross-modal share %.3f. Enter opens this head.",
                          layer, head,
                          ov_attention_flow_cross_share ((const double (*)[OV_FLOW_N_GROUPS])
                                                         flow));
}

static void
assert_head_cursor (OvAttentionPanel *panel,
                    int               layer,
                    int               head)
{
  const OvAttentionRun *run = ov_attention_panel_get_run (panel);
  GtkWidget *label = ov_attention_panel_get_cell_label (panel);
  g_autofree char *line = NULL;
  int got_layer = -1, got_head = -1;

  line = ov_attention_panel_get_view (panel) == OV_ATTENTION_VIEW_GRID
         ? expected_grid_line (run, layer, head) : expected_flow_line (run, layer, head);
  g_assert_true (ov_attention_panel_get_head_cursor (panel, &got_layer, &got_head));
  g_assert_cmpint (got_layer, ==, layer);
  g_assert_cmpint (got_head, ==, head);
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, line);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (ov_attention_panel_get_canvas (panel)),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, line);
}

/* /ui/polish/head-keys: the grid of every head and the flow summary take
 * the focus too. It starts on the heat map's head; the arrows, Home, End
 * and the Page keys move a framed head whose layer, head and largest value
 * (cross-modal share in the flow) the line under the view names; Enter
 * opens its heat map with the focus kept; a click on a table of the flow
 * opens its head as one on a map of the grid does. */
static void
test_head_keys (void)
{
  OvWindow *win = open_demo_window (1280, 800);
  OvAttentionPanel *panel = _ov_window_get_attention_panel (win);
  const OvAttentionRun *run;
  GtkWidget *canvas, *label;
  cairo_surface_t *before, *after;
  int n_layers, n_heads, layer, head;
  double x, y;

  run = show_heatmap (win, panel);
  n_layers = run->forward->n_layers;
  n_heads = run->forward->n_heads;
  g_assert_cmpint (n_layers, >=, 2);
  g_assert_cmpint (n_heads, >=, 3);
  canvas = ov_attention_panel_get_canvas (panel);
  label = ov_attention_panel_get_cell_label (panel);
  ov_attention_panel_set_selection (panel, 0, 1);
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_GRID);
  ov_test_iterate (100);

  /* Before any key: the line says what the keys and a click do. */
  g_assert_true (gtk_widget_get_focusable (canvas));
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_false (ov_attention_panel_get_head_cursor (panel, NULL, NULL));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "Enter"));

  /* The focus starts on the heat map's head, which is framed. */
  before = ov_test_render_widget (canvas);
  g_assert_true (gtk_widget_grab_focus (canvas));
  ov_test_iterate (100);
  assert_head_cursor (panel, 0, 1);
  after = ov_test_render_widget (canvas);
  g_assert_true (ov_attention_panel_grid_cell_center (panel, 0, 1, &x, &y));
  /* around the map, not inside it */
  g_assert_cmpuint (count_changed (before, after, 0, 0, 10000, 10000), >, 200);
  g_assert_cmpuint (count_changed (before, after, x - 30, y - 30, x + 30, y + 30), ==, 0);
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);

  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Right, 0));
  assert_head_cursor (panel, 0, 2);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Down, 0));
  assert_head_cursor (panel, 1, 2);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Home, 0));
  assert_head_cursor (panel, 1, 0);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Left, 0));
  assert_head_cursor (panel, 1, 0);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_End, GDK_CONTROL_MASK));
  assert_head_cursor (panel, n_layers - 1, n_heads - 1);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Down, 0));
  assert_head_cursor (panel, n_layers - 1, n_heads - 1);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Page_Up, 0));
  assert_head_cursor (panel, 0, n_heads - 1);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Up, 0));
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Left, 0));
  assert_head_cursor (panel, 0, n_heads - 2);
  /* the window's keys stay the window's */
  g_assert_false (ov_test_press_key (canvas, GDK_KEY_Page_Down, GDK_CONTROL_MASK));
  g_assert_false (ov_test_press_key (canvas, GDK_KEY_a, 0));

  /* Enter: that head's heat map, the focus kept on it with a cell. */
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Return, 0));
  ov_test_iterate (100);
  g_assert_cmpint (ov_attention_panel_get_view (panel), ==, OV_ATTENTION_VIEW_HEATMAP);
  ov_attention_panel_get_selection (panel, &layer, &head);
  g_assert_cmpint (layer, ==, 0);
  g_assert_cmpint (head, ==, n_heads - 2);
  g_assert_true (gtk_widget_has_focus (canvas));
  g_assert_true (ov_attention_panel_get_cursor (panel, NULL, NULL));
  /* an export is named by its view, its image and its layer */
  {
    g_autofree char *name = ov_attention_panel_dup_export_name (panel);

    g_assert_cmpstr (name, ==, "attention-heatmap-300001-layer0.png");
  }

  /* The flow summary: the same keys, its own line. */
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_FLOW);
  ov_test_iterate (100);
  {
    g_autofree char *name = ov_attention_panel_dup_export_name (panel);

    g_assert_cmpstr (name, ==, "attention-summary-300001.png");
  }
  g_assert_true (gtk_widget_get_focusable (canvas));
  assert_head_cursor (panel, 0, n_heads - 2);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Down, 0));
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Home, 0));
  assert_head_cursor (panel, 1, 0);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Page_Up, 0));
  assert_head_cursor (panel, 0, 0);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Page_Down, 0));
  assert_head_cursor (panel, n_layers - 1, 0);

  /* A click on another table opens its head. */
  g_assert_true (ov_attention_panel_grid_cell_center (panel, 1, 1, &x, &y));
  {
    g_autofree char *tip = ov_attention_panel_dup_tooltip (panel, x, y, NULL);

    g_assert_nonnull (tip);
    g_assert_true (g_str_has_suffix (tip, "Click to open this head"));
  }
  g_assert_true (ov_attention_panel_click (panel, x, y));
  ov_test_iterate (100);
  g_assert_cmpint (ov_attention_panel_get_view (panel), ==, OV_ATTENTION_VIEW_HEATMAP);
  ov_attention_panel_get_selection (panel, &layer, &head);
  g_assert_cmpint (layer, ==, 1);
  g_assert_cmpint (head, ==, 1);
  close_window (win);
}

/* Shows the Masked Words panel and returns its label of word links, once
 * it holds the words. */
static GtkWidget *
show_words (OvWindow  *win,
            GtkWidget *mask)
{
  GtkWidget *words = NULL, *label;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s", "mask"));
  for (guint i = 0; (label = find_descendant (mask, GTK_TYPE_LABEL, i)) != NULL; i++)
    if (gtk_widget_has_css_class (label, "mask-words"))
      words = label;
  g_assert_nonnull (words);
  OV_TEST_WAIT_UNTIL (*gtk_label_get_text (GTK_LABEL (words)) != '\0', 30);
  return words;
}

/* /ui/polish/words-focus-ring: Shift+Tab from the entry below into the
 * Masked Words panel's word links draws the focus ring on the last word at
 * once. */
static void
test_words_focus_ring (void)
{
  OvWindow *win = open_demo_window (1280, 800);
  GtkWidget *mask = GTK_WIDGET (_ov_window_get_mask_panel (win));
  GtkWidget *words, *entry;
  cairo_surface_t *before, *after;
  guint changed;

  words = show_words (win, mask);
  entry = find_descendant (mask, GTK_TYPE_ENTRY, 1);
  g_assert_nonnull (entry);
  g_assert_true (gtk_widget_grab_focus (entry));
  gtk_window_set_focus_visible (GTK_WINDOW (win), TRUE);
  ov_test_iterate (200);
  before = ov_test_render_widget (words);

  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (win), GTK_DIR_TAB_BACKWARD));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (win)) == words);
  g_assert_cmpstr (gtk_label_get_current_uri (GTK_LABEL (words)), !=, NULL);
  /* the style brings the ring in over a moment */
  ov_test_iterate (600);
  after = ov_test_render_widget (words);
  changed = count_changed (before, after, 0, 0, gtk_widget_get_width (words),
                           gtk_widget_get_height (words));
  g_test_message ("%u pixels of the words change as they take the focus (on %s)", changed,
                  gtk_label_get_current_uri (GTK_LABEL (words)));
  g_assert_cmpuint (changed, >, 60);
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);
  close_window (win);
}

/* /ui/polish/words-enter-keeps-place: Enter on a word link of the Masked
 * Words panel masks that word and leaves the keyboard on it, so the next
 * Enter puts it back and Tab goes on to the word after it. */
static void
test_words_enter_keeps_place (void)
{
  OvWindow *win = open_demo_window (1280, 800);
  GtkWidget *mask = GTK_WIDGET (_ov_window_get_mask_panel (win));
  GtkWidget *words, *entry;
  g_autofree char *original = NULL;
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) masked = NULL;

  words = show_words (win, mask);
  entry = find_descendant (mask, GTK_TYPE_ENTRY, 0);
  g_assert_nonnull (entry);
  original = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));
  before = g_strsplit (original, " ", -1);
  g_assert_cmpuint (g_strv_length (before), >=, 4);

  g_assert_true (gtk_widget_grab_focus (words));
  g_assert_cmpstr (gtk_label_get_current_uri (GTK_LABEL (words)), ==, "word:0");
  gtk_widget_child_focus (words, GTK_DIR_TAB_FORWARD);
  gtk_widget_child_focus (words, GTK_DIR_TAB_FORWARD);
  g_assert_cmpstr (gtk_label_get_current_uri (GTK_LABEL (words)), ==, "word:2");

  g_signal_emit_by_name (words, "activate-current-link");
  masked = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (entry)), " ", -1);
  g_assert_cmpstr (masked[2], ==, "[MASK]");
  g_assert_cmpstr (masked[1], ==, before[1]);
  g_assert_true (gtk_widget_has_focus (words));
  g_assert_cmpstr (gtk_label_get_current_uri (GTK_LABEL (words)), ==, "word:2");

  g_signal_emit_by_name (words, "activate-current-link");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, original);
  g_assert_cmpstr (gtk_label_get_current_uri (GTK_LABEL (words)), ==, "word:2");
  gtk_widget_child_focus (words, GTK_DIR_TAB_FORWARD);
  g_assert_cmpstr (gtk_label_get_current_uri (GTK_LABEL (words)), ==, "word:3");
  close_window (win);
}

/* /ui/polish/heatmap-room: at 1280x800 the attention heat map takes the
 * panel's width, not a corner of it: square, with cells tall enough that
 * every token of the demo's input is labelled (the labels are 9 pixels). */
static void
test_heatmap_room (void)
{
  OvWindow *win = open_demo_window (1280, 800);
  OvAttentionPanel *panel = _ov_window_get_attention_panel (win);
  const OvAttentionRun *run;
  GtkWidget *canvas, *scroller;
  double x0, y0, x1, y1, cell;
  int first = -1, last = -1, n = 0;

  run = show_heatmap (win, panel);
  for (int i = 0; i < run->forward->seq_len; i++)
    if (run->encoding->segments[i] != OV_SEGMENT_PAD)
      {
        first = first < 0 ? i : first;
        last = i;
        n++;
      }
  g_assert_cmpint (n, >, 10);
  canvas = ov_attention_panel_get_canvas (panel);
  scroller = gtk_widget_get_ancestor (canvas, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_true (ov_attention_panel_cell_center (panel, first, first, &x0, &y0));
  g_assert_true (ov_attention_panel_cell_center (panel, last, last, &x1, &y1));
  cell = (x1 - x0) / (n - 1);
  g_test_message ("%d tokens, cells of %.1f px, the map %.0f px wide in a canvas of %d px",
                  n, cell, cell * n, gtk_widget_get_width (canvas));
  g_assert_cmpfloat_with_epsilon (y1 - y0, x1 - x0, 0.5);
  g_assert_cmpfloat (cell, >=, 10.0);
  g_assert_cmpfloat (x1 + cell / 2, <=, gtk_widget_get_width (canvas));
  /* as wide as the part the scroller shows beside its vertical bar (which
   * stays): nothing to scroll sideways */
  g_assert_cmpfloat (gtk_widget_get_width (canvas), ==,
                     gtk_adjustment_get_page_size (gtk_scrolled_window_get_hadjustment (
                       GTK_SCROLLED_WINDOW (scroller))));
  close_window (win);
}

/* The heat map's rows wholly inside the part of its scroller shown. */
static int
heatmap_rows_shown (OvAttentionPanel     *panel,
                    const OvAttentionRun *run)
{
  GtkWidget *canvas = ov_attention_panel_get_canvas (panel);
  GtkWidget *scroller = gtk_widget_get_ancestor (canvas, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  double top = gtk_adjustment_get_value (vadj), bottom, x, y, y0 = 0, y1 = 0, half;
  int first = -1, last = -1, n = 0, shown = 0;

  bottom = top + gtk_adjustment_get_page_size (vadj);
  for (int i = 0; i < run->forward->seq_len; i++)
    if (run->encoding->segments[i] != OV_SEGMENT_PAD)
      {
        first = first < 0 ? i : first;
        last = i;
        n++;
      }
  g_assert_cmpint (n, >, 1);
  g_assert_true (ov_attention_panel_cell_center (panel, first, first, &x, &y0));
  g_assert_true (ov_attention_panel_cell_center (panel, last, last, &x, &y1));
  half = (y1 - y0) / (n - 1) / 2;
  for (int i = 0; i < run->forward->seq_len; i++)
    if (run->encoding->segments[i] != OV_SEGMENT_PAD
        && ov_attention_panel_cell_center (panel, i, i, &x, &y)
        && y - half >= top - 0.5 && y + half <= bottom + 0.5)
      shown++;
  g_test_message ("%d of %d rows of %.1f px shown in %.0f px of the scroller", shown, n,
                  2 * half, bottom - top);
  return shown;
}

/* /ui/polish/heatmap-large-text: on a projector's 1024x768 and a laptop's
 * 1280x800 with the text 1.5 or 2 times as large, the heat map still shows
 * a useful number of rows without scrolling: the attention tab folds the
 * tag list there (and unfolds it on another tab), which at normal text it
 * does not; that fold is the window's own, and the setting never sees it. */
static void
test_heatmap_large_text (void)
{
  static const struct { int w, h; const char *text_size; int rows; } cases[] = {
    { 1280, 800, "normal", 15 },
    { 1280, 800, "larger", 12 },
    { 1280, 800, "largest", 5 },
    { 1024, 768, "larger", 12 },
    /* the line under the map, no longer over it, and the status line's
     * second line take two rows' height at twice the text */
    { 1024, 768, "largest", 3 },
  };
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      OvWindow *win;
      OvAttentionPanel *panel;
      OvTagList *tags;
      const OvAttentionRun *run;
      gboolean large = !g_str_equal (cases[c].text_size, "normal");

      g_settings_reset (settings, "tag-list-height");
      g_settings_reset (settings, "tag-list-collapsed");
      g_settings_set_string (settings, "text-size", cases[c].text_size);
      ov_test_iterate (50);
      g_test_message ("%dx%d, %s text", cases[c].w, cases[c].h, cases[c].text_size);
      win = open_demo_window (cases[c].w, cases[c].h);
      panel = _ov_window_get_attention_panel (win);
      tags = _ov_window_get_tag_list (win);
      run = show_heatmap (win, panel);
      ov_test_iterate (300);
      g_assert_cmpint (ov_tag_list_get_collapsed (tags), ==, large);
      /* the window's own fold, not the user's setting */
      g_assert_false (g_settings_get_boolean (settings, "tag-list-collapsed"));
      g_assert_cmpint (heatmap_rows_shown (panel, run), >=, cases[c].rows);

      /* another tab gets the list back as it was */
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                                 "caption"));
      ov_test_iterate (300);
      g_assert_false (ov_tag_list_get_collapsed (tags));
      g_assert_false (g_settings_get_boolean (settings, "tag-list-collapsed"));
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (tags)), >, 150);

      /* a list the user unfolds on the attention tab stays unfolded */
      if (large)
        {
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                                     "attention"));
          ov_test_iterate (300);
          g_assert_true (ov_tag_list_get_collapsed (tags));
          ov_tag_list_set_collapsed (tags, FALSE);
          ov_test_iterate (300);
          g_assert_false (g_settings_get_boolean (settings, "tag-list-collapsed"));
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                                     "question"));
          ov_test_iterate (100);
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                                     "attention"));
          ov_test_iterate (300);
          g_assert_false (ov_tag_list_get_collapsed (tags));
          /* and the user's folding still reaches the setting */
          ov_tag_list_set_collapsed (tags, TRUE);
          ov_test_iterate (100);
          g_assert_true (g_settings_get_boolean (settings, "tag-list-collapsed"));
        }
      close_window (win);
    }
  g_settings_set_string (settings, "text-size", "normal");
  g_settings_reset (settings, "tag-list-height");
  g_settings_reset (settings, "tag-list-collapsed");
  ov_test_iterate (50);
}

static void
test_tab_icons (void)
{
  OvWindow *win = ov_window_new (app);
  AdwViewStack *stack;
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  GListModel *pages;

  gtk_window_present (GTK_WINDOW (win));
  ov_test_iterate (100);
  stack = ADW_VIEW_STACK (find_descendant (GTK_WIDGET (win), ADW_TYPE_VIEW_STACK, 0));
  g_assert_nonnull (stack);
  g_assert_cmpstr (adw_view_stack_page_get_icon_name (
                     adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (
                                                       stack, "question"))),
                   ==, "help-faq-symbolic");
  pages = G_LIST_MODEL (adw_view_stack_get_pages (stack));
  for (guint i = 0; i < g_list_model_get_n_items (pages); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (pages, i);
      const char *icon = adw_view_stack_page_get_icon_name (page);

      g_test_message ("%s: %s", adw_view_stack_page_get_name (page), icon);
      g_assert_true (gtk_icon_theme_has_icon (theme, icon));
    }
  g_object_unref (pages);
  close_window (win);
}

static GtkPaned *
side_paned (OvWindow *win)
{
  /* The image | side split first, the tags / panels split inside it. */
  return GTK_PANED (find_descendant (GTK_WIDGET (win), GTK_TYPE_PANED, 1));
}

static int
stack_height (OvWindow *win)
{
  return gtk_widget_get_height (find_descendant (GTK_WIDGET (win), ADW_TYPE_VIEW_STACK, 0));
}

/* Whether widget lies wholly inside the visible part of its scrolled window. */
static gboolean
shown_unscrolled (GtkWidget *widget)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  g_assert_nonnull (scroller);
  if (!gtk_widget_compute_bounds (widget, scroller, &bounds))
    return FALSE;
  g_test_message ("bottom %.0f of %d", bounds.origin.y + bounds.size.height,
                  gtk_widget_get_height (scroller));
  return bounds.origin.y >= 0
         && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
}

/* /ui/polish/room: at 1280x800 and 1920x1080 the panels get most of the
 * side below the tag list, "Before the last change" shows without
 * scrolling, the list folds away, the embeddings tab leaves it its
 * height, and the divider is remembered. */
static void
test_room (void)
{
  static const struct { int w, h; } sizes[] = { { 1280, 800 }, { 1920, 1080 } };
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
    {
      OvWindow *win;
      OvTagList *tags;
      OvCaptionPanel *panel;
      GtkWidget *previous;
      int side, tag_h, folded_h, stack_h;
      guint runs;

      g_settings_reset (settings, "tag-list-height");
      g_settings_reset (settings, "tag-list-collapsed");
      win = open_demo_window (sizes[z].w, sizes[z].h);
      tags = _ov_window_get_tag_list (win);
      panel = _ov_window_get_caption_panel (win);
      side = gtk_widget_get_height (GTK_WIDGET (side_paned (win)));
      tag_h = gtk_widget_get_height (GTK_WIDGET (tags));
      stack_h = stack_height (win);
      g_test_message ("%dx%d: side %d, tags %d, panels %d", sizes[z].w, sizes[z].h, side,
                      tag_h, stack_h);
      /* Two thirds of the side for the panels and their switcher. */
      g_assert_cmpint (side - tag_h, >=, side * 62 / 100);
      g_assert_cmpint (tag_h, >=, 200);

      /* A changed tag moves the old caption down: it shows in full. */
      OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0, 60);
      ov_test_iterate (SETTLE_MS);
      runs = ov_caption_panel_get_n_runs (panel);
      {
        g_autoptr(OvTagItem) item = tag_at (win, 0);

        ov_tag_item_set_enabled (item, FALSE);
      }
      OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
      ov_test_iterate (SETTLE_MS);
      previous = find_label (GTK_WIDGET (panel), "Before the last change");
      g_assert_nonnull (previous);
      g_assert_true (gtk_widget_get_mapped (previous));
      previous = gtk_widget_get_parent (previous);
      g_assert_true (shown_unscrolled (previous));

      /* Folded: the list gives its height to the panels, the input line
       * stays; unfolded, the height comes back. */
      ov_tag_list_set_collapsed (tags, TRUE);
      ov_test_iterate (300);
      folded_h = gtk_widget_get_height (GTK_WIDGET (tags));
      g_test_message ("folded tag list %d, panels %d", folded_h, stack_height (win));
      g_assert_cmpint (folded_h, <=, 110);
      g_assert_cmpint (stack_height (win), >=, stack_h + tag_h - folded_h - 4);
      g_assert_true (g_settings_get_boolean (settings, "tag-list-collapsed"));
      g_assert_nonnull (input_line (win));
      g_assert_true (gtk_widget_get_mapped (find_label (GTK_WIDGET (tags), input_line (win))));
      ov_tag_list_set_collapsed (tags, FALSE);
      ov_test_iterate (300);
      g_assert_cmpint (abs (gtk_widget_get_height (GTK_WIDGET (tags)) - tag_h), <=, 2);

      /* Dragging a folded list open unfolds it. */
      ov_tag_list_set_collapsed (tags, TRUE);
      ov_test_iterate (300);
      gtk_paned_set_position (side_paned (win), folded_h + 150);
      ov_test_iterate (300);
      g_assert_false (ov_tag_list_get_collapsed (tags));

      /* The embeddings tab keeps the list's height where the side has
       * room for both (only a side short for its text gives the map the
       * list's height), and so does the next tab. */
      gtk_paned_set_position (side_paned (win), 320);
      ov_test_iterate (300);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                                 "embeddings"));
      ov_test_iterate (300);
      g_assert_cmpint (abs (gtk_widget_get_height (GTK_WIDGET (tags)) - 320), <=, 2);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s",
                                                 "caption"));
      ov_test_iterate (300);
      g_assert_cmpint (gtk_paned_get_position (side_paned (win)), ==, 320);

      /* The divider as the user left it, in the next window. */
      gtk_window_close (GTK_WINDOW (win));
      ov_test_iterate (200);
      g_assert_cmpint (g_settings_get_int (settings, "tag-list-height"), ==, 320);
      win = open_demo_window (sizes[z].w, sizes[z].h);
      g_assert_cmpint (gtk_paned_get_position (side_paned (win)), ==, 320);
      g_assert_cmpint (abs (gtk_widget_get_height (GTK_WIDGET (_ov_window_get_tag_list (win)))
                            - 320), <=, 2);
      close_window (win);
    }
  g_settings_reset (settings, "tag-list-height");
  g_settings_reset (settings, "tag-list-collapsed");
}

/* Narrow screens */

/* The least size GTK gives the window: its least width, and its least
 * height at that width. */
static void
least_size (OvWindow *win,
            int      *width,
            int      *height)
{
  gtk_widget_measure (GTK_WIDGET (win), GTK_ORIENTATION_HORIZONTAL, -1, width, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (win), GTK_ORIENTATION_VERTICAL, *width, height, NULL, NULL,
                      NULL);
}

/* Every button and switch shown in the window lies inside its width. */
static void
assert_controls_inside (OvWindow *win)
{
  g_autoptr(GPtrArray) queue = g_ptr_array_new ();
  int width = gtk_widget_get_width (GTK_WIDGET (win));
  guint checked = 0;

  g_ptr_array_add (queue, win);
  for (guint q = 0; q < queue->len; q++)
    for (GtkWidget *w = gtk_widget_get_first_child (g_ptr_array_index (queue, q)); w != NULL;
         w = gtk_widget_get_next_sibling (w))
      {
        graphene_rect_t bounds;

        if (!gtk_widget_get_mapped (w))
          continue;
        g_ptr_array_add (queue, w);
        if (!GTK_IS_BUTTON (w) && !GTK_IS_SWITCH (w))
          continue;
        g_assert_true (gtk_widget_compute_bounds (w, GTK_WIDGET (win), &bounds));
        if (bounds.origin.x < 0 || bounds.origin.x + bounds.size.width > width + 0.5)
          g_error ("a %s (%s) lies outside the window, %.0f to %.0f of %d pixels",
                   G_OBJECT_TYPE_NAME (w), gtk_widget_get_tooltip_text (w) != NULL
                   ? gtk_widget_get_tooltip_text (w) : "no tooltip", bounds.origin.x,
                   bounds.origin.x + bounds.size.width, width);
        checked++;
      }
  g_assert_cmpuint (checked, >=, 10);
}

/* /ui/polish/narrow: classroom projectors show 1024x768 or 1024x600, and
 * a teacher may well set the text 1.5 or 2 times as large. At every text
 * size, on every tab the window needs no more than 1024 pixels of width,
 * nor, at its least width, more than 600 of height; opened at 1024x600 it
 * is no wider than that and every button lies inside it. German, whose
 * labels are the longest, is tried too where its locale is installed. */
static void
test_narrow (void)
{
  static const char *const tabs[] = { "caption", "question", "mask", "attention",
                                      "embeddings" };
  static const char *const text_sizes[] = { "normal", "larger", "largest" };
  g_autofree char *old_locale = g_strdup (setlocale (LC_ALL, NULL));
  g_autofree char *old_dir = g_strdup (bindtextdomain (GETTEXT_PACKAGE, NULL));
  g_autofree char *old_domain = g_strdup (textdomain (NULL));
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  /* the window's templates take their strings from the default domain */
  bindtextdomain (GETTEXT_PACKAGE, OV_BUILD_DIR "/po");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  for (int german = 0; german < 2; german++)
    {
      OvWindow *win;

      if (german)
        {
          if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
            {
              g_test_message ("no de_DE.UTF-8 locale: the window is tried in English only");
              break;
            }
          g_setenv ("LANGUAGE", "de", TRUE);
          if (g_str_equal (_("Embeddings"), "Embeddings"))
            {
              g_test_message ("no German catalogue in the build: tried in English only");
              break;
            }
        }
      for (guint z = 0; z < G_N_ELEMENTS (text_sizes); z++)
        {
          g_settings_reset (settings, "tag-list-height");
          g_settings_reset (settings, "tag-list-collapsed");
          g_settings_set_string (settings, "text-size", text_sizes[z]);
          ov_test_iterate (50);
          win = open_demo_window (1024, 600);
          for (guint t = 0; t < G_N_ELEMENTS (tabs); t++)
            {
              int width, height;

              g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel",
                                                         "s", tabs[t]));
              ov_test_iterate (800);
              least_size (win, &width, &height);
              g_test_message ("%s, %s text, %s: at least %dx%d, shown at %dx%d",
                              german ? "de" : "en", text_sizes[z], tabs[t], width, height,
                              gtk_widget_get_width (GTK_WIDGET (win)),
                              gtk_widget_get_height (GTK_WIDGET (win)));
              g_assert_cmpint (width, <=, 1024);
              g_assert_cmpint (height, <=, 600);
              g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (win)), <=, 1024);
              g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (win)), <=, 600);
              assert_controls_inside (win);
            }
          close_window (win);
        }
    }
  g_settings_set_string (settings, "text-size", "normal");
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, old_locale);
  bindtextdomain (GETTEXT_PACKAGE, old_dir);
  textdomain (old_domain);
  g_settings_reset (settings, "tag-list-height");
  g_settings_reset (settings, "tag-list-collapsed");
}

/* The window as it is drawn, to a PNG. */
static void
save_png (OvWindow   *win,
          const char *path)
{
  GdkPaintable *paintable = gtk_widget_paintable_new (GTK_WIDGET (win));
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (win));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w = 0, h = 0;

  for (int tries = 0; node == NULL && tries < 50; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      ov_test_iterate (100);
      w = gtk_widget_get_width (GTK_WIDGET (win));
      h = gtk_widget_get_height (GTK_WIDGET (win));
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_object_unref (paintable);
  g_test_message ("wrote %s (%dx%d)", path, w, h);
}

/* Popovers and other windows are surfaces of their own: the whole screen. */
static void
save_screen_png (const char *path)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "import", "-window", "root", path, NULL };
  int status = 0;

  if (g_find_program_in_path ("import") == NULL)
    {
      g_test_message ("no ImageMagick import: %s not written", path);
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_test_message ("wrote %s", path);
}

/* /ui/polish/screenshots: every tab at both sizes, light and dark, with a
 * row that gives only its tag and one that gives only its region; the tag
 * list folded; a question with an unknown word; the row menu and the
 * Preferences. */
static void
test_screenshots (void)
{
  static const struct { int w, h; } sizes[] = { { 1280, 800 }, { 1920, 1080 } };
  static const char *const tabs[] = { "caption", "question", "mask", "attention",
                                      "embeddings" };
  const char *dir = g_getenv ("OV_SCREENSHOT_DIR");
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  if (dir == NULL)
    {
      g_test_skip ("set OV_SCREENSHOT_DIR to write the screenshots");
      return;
    }
  g_mkdir_with_parents (dir, 0755);
  for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
    for (int dark = 0; dark < 2; dark++)
      {
        OvWindow *win;
        g_autofree char *stem = NULL;

        adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                        : ADW_COLOR_SCHEME_FORCE_LIGHT);
        g_settings_reset (settings, "tag-list-height");
        g_settings_reset (settings, "tag-list-collapsed");
        win = open_demo_window (sizes[z].w, sizes[z].h);
        stem = g_strdup_printf ("%s/polish-%dx%d-%s", dir, sizes[z].w, sizes[z].h,
                                dark ? "dark" : "light");
        {
          g_autoptr(OvTagItem) a = tag_at (win, 0);
          g_autoptr(OvTagItem) b = tag_at (win, 2);

          ov_tag_item_set_region_enabled (a, FALSE);
          ov_tag_item_set_tag_enabled (b, FALSE);
        }
        ov_vqa_panel_set_question (_ov_window_get_vqa_panel (win), "what colour is the cup ?");
        ov_test_iterate (SETTLE_MS * 2);
        for (guint t = 0; t < G_N_ELEMENTS (tabs); t++)
          {
            g_autofree char *path = g_strdup_printf ("%s-%s.png", stem, tabs[t]);

            gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s", tabs[t]);
            ov_test_iterate (g_str_equal (tabs[t], "attention") ? 2500 : 800);
            save_png (win, path);
          }
        {
          g_autofree char *path = g_strdup_printf ("%s-attention-folded.png", stem);

          gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s", "attention");
          ov_tag_list_set_collapsed (_ov_window_get_tag_list (win), TRUE);
          ov_test_iterate (1500);
          save_png (win, path);
          ov_tag_list_set_collapsed (_ov_window_get_tag_list (win), FALSE);
        }
        if (z == 0)
          {
            g_autofree char *menu = g_strdup_printf ("%s-row-menu.png", stem);
            g_autofree char *prefs_path = g_strdup_printf ("%s-preferences.png", stem);
            GtkWidget *row = find_row (GTK_WIDGET (_ov_window_get_tag_list (win)),
                                       "Region 1 · tag only");
            GtkWidget *button = find_descendant (row, GTK_TYPE_MENU_BUTTON, 0);
            g_autofree char *unknown = g_strdup_printf ("%s-question-unknown.png", stem);
            OvPreferencesWindow *prefs;

            gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s", "question");
            ov_vqa_panel_set_question (_ov_window_get_vqa_panel (win), "杯子是什么颜色的？");
            ov_test_iterate (SETTLE_MS * 2);
            save_png (win, unknown);
            gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s", "caption");
            ov_test_iterate (300);
            gtk_menu_button_popup (GTK_MENU_BUTTON (button));
            ov_test_iterate (800);
            save_screen_png (menu);
            gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
            ov_test_iterate (200);

            prefs = ov_preferences_window_new (settings);
            gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (win));
            gtk_window_present (GTK_WINDOW (prefs));
            ov_test_iterate (1000);
            save_screen_png (prefs_path);
            gtk_window_destroy (GTK_WINDOW (prefs));
            ov_test_iterate (200);
          }
        close_window (win);
      }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  g_settings_reset (settings, "tag-list-height");
  g_settings_reset (settings, "tag-list-collapsed");
}

/* The label under root whose text starts with prefix, or NULL. */
static const char *
label_starting (GtkWidget  *root,
                const char *prefix)
{
  GtkWidget *label;

  for (guint i = 0; (label = find_descendant (root, GTK_TYPE_LABEL, i)) != NULL; i++)
    if (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), prefix))
      return gtk_label_get_text (GTK_LABEL (label));
  return NULL;
}

/* /ui/polish/must-name: classes typed under "Must name" run constrained
 * beam search: the caption is the engine's for those constraints (all of
 * them to meet), the line under it says which it names, one caption only;
 * an empty entry goes back to plain beam search. */
static void
test_must_name (void)
{
  g_autoptr(OvModel) model = load_demo ("demo");
  OvWindow *win = open_demo_window (1280, 800);
  OvSession *session = ov_window_get_session (win);
  OvCaptionPanel *panel = _ov_window_get_caption_panel (win);
  const OvSample *s = ov_session_get_sample (session);
  g_autofree char *tags = ov_session_dup_input_tags (session);
  OvRegions regions = { s->features, (int) s->n_features, (int) s->feature_dim };
  g_auto(GStrv) parsed = ov_caption_panel_parse_constraints (" Bolt ,, triangle, bolt ");
  OvCaptionOptions o;
  guint runs;

  g_assert_cmpuint (g_strv_length (parsed), ==, 2);
  g_assert_cmpstr (parsed[0], ==, "bolt");
  g_assert_cmpstr (parsed[1], ==, "triangle");

  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0, 60);
  runs = ov_caption_panel_get_n_runs (panel);
  ov_caption_panel_set_constraints (panel, "triangle, bolt");
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  ov_caption_panel_get_options (panel, &o);
  g_assert_nonnull (o.constraints);
  g_assert_cmpint (o.constraints->n_constraints, ==, 2);
  g_assert_cmpint (o.constraints->min_satisfied, ==, 2);
  g_assert_cmpint (o.n_best, ==, 1);
  {
    g_autoptr(GPtrArray) captions = NULL;
    g_autoptr(GError) error = NULL;
    const OvCaption *c;
    g_autofree char *line = NULL;

    captions = ov_model_caption (model, tags, &regions, &o, NULL, &error);
    g_assert_no_error (error);
    c = g_ptr_array_index (captions, 0);
    g_test_message ("must name triangle, bolt: %s", c->text);
    g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==, c->text);
    g_assert_cmpint (c->constraints_met, ==, 2);
    line = g_strdup_printf ("Confidence %#.3g · names 2 of 2: triangle, bolt", exp (c->score));
    g_assert_cmpstr (label_starting (GTK_WIDGET (panel), "Confidence"), ==, line);
  }
  /* four classes are one too many: said, and the caption is not constrained */
  runs = ov_caption_panel_get_n_runs (panel);
  ov_caption_panel_set_constraints (panel, "cup, bolt, circle, hexagon");
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  ov_caption_panel_get_options (panel, &o);
  g_assert_null (o.constraints);
  g_assert_nonnull (strstr (label_starting (GTK_WIDGET (panel), "Confidence"),
                            "Must name takes at most three classes"));
  runs = ov_caption_panel_get_n_runs (panel);
  ov_caption_panel_set_constraints (panel, "");
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  ov_caption_panel_get_options (panel, &o);
  g_assert_null (o.constraints);
  g_assert_null (strstr (label_starting (GTK_WIDGET (panel), "Confidence"), "Must name"));
  g_assert_null (strstr (label_starting (GTK_WIDGET (panel), "Confidence"), "names"));
  g_assert_null (strstr (label_starting (GTK_WIDGET (panel), "Confidence"), "no tags"));
  /* with every tag and region switched off the caption still comes (the
   * model's prior, which a researcher may want to see), and says so */
  runs = ov_caption_panel_get_n_runs (panel);
  for (guint i = 0; i < g_list_model_get_n_items (ov_session_get_tags (session)); i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (ov_session_get_tags (session), i);

      ov_tag_item_set_enabled (item, FALSE);
    }
  g_assert_true (ov_session_input_is_empty (session));
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (SETTLE_MS);
  g_assert_nonnull (strstr (label_starting (GTK_WIDGET (panel), "Confidence"),
                            "from no tags and no regions"));
  /* boxes without features: the tags alone, and said */
  {
    OvSample *bare = ov_sample_new ("bare");

    bare->width = 320;
    bare->height = 240;
    bare->n_regions = 1;
    bare->regions = g_new0 (OvRegion, 1);
    bare->regions[0] = (OvRegion) { 20, 40, 100, 200, g_strdup ("cup"), 0.9, NULL, NULL };
    runs = ov_caption_panel_get_n_runs (panel);
    ov_session_set_sample (session, bare);
    g_assert_true (ov_session_sample_lacks_features (session));
    g_assert_false (ov_session_input_is_empty (session));
    OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
    ov_test_iterate (SETTLE_MS);
    g_assert_nonnull (strstr (label_starting (GTK_WIDGET (panel), "Confidence"),
                              "from the tags alone: this sample has no region features"));
  }
  close_window (win);
}

int
main (int argc, char **argv)
{
  static const struct { const char *path; GTestFunc func; } tests[] = {
    { "/ui/polish/decoding-defaults", test_decoding_defaults },
    { "/ui/polish/text-size", test_text_size },
    { "/ui/polish/text-size-canvases", test_text_size_canvases },
    { "/ui/polish/tag-or-region", test_tag_or_region },
    { "/ui/polish/banner", test_banner },
    { "/ui/polish/class-colours", test_class_colours },
    { "/ui/polish/unknown-words", test_unknown_words },
    { "/ui/polish/input-kept", test_input_kept },
    { "/ui/polish/unknown-tags", test_unknown_tags },
    { "/ui/polish/heatmap-room", test_heatmap_room },
    { "/ui/polish/heatmap-keys", test_heatmap_keys },
    { "/ui/polish/head-keys", test_head_keys },
    { "/ui/polish/heatmap-large-text", test_heatmap_large_text },
    { "/ui/polish/words-focus-ring", test_words_focus_ring },
    { "/ui/polish/words-enter-keeps-place", test_words_enter_keeps_place },
    { "/ui/polish/tab-icons", test_tab_icons },
    { "/ui/polish/room", test_room },
    { "/ui/polish/narrow", test_narrow },
    { "/ui/polish/must-name", test_must_name },
    { "/ui/polish/screenshots", test_screenshots },
  };
  int status;

  g_test_init (&argc, &argv, NULL);
  ov_test_window_env ();
  /* GTK's own test accessibility backend, which keeps what the widgets
   * tell a screen reader, for gtk_test_accessible_assert_property. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (g_getenv ("OV_SCREENSHOT_DIR") != NULL)
    {
      bindtextdomain (GETTEXT_PACKAGE, OV_BUILD_DIR "/po");
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  if (!ov_test_start_xvfb ("1920x1080", &xvfb) || !gtk_init_check ())
    {
      int skipped;

      for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
        g_test_add_data_func (tests[i].path, tests[i].path, ov_test_skip_no_display);
      skipped = g_test_run ();
      /* Xvfb may have started and GTK still failed to open it */
      ov_test_stop_xvfb (&xvfb);
      return skipped;
    }

  app = ov_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  /* The application lives while the tests open and close their windows. */
  g_application_hold (G_APPLICATION (app));

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add_func (tests[i].path, tests[i].func);
  status = g_test_run ();

  g_application_release (G_APPLICATION (app));
  ov_test_iterate (100);
  g_clear_object (&app);
  ov_test_stop_xvfb (&xvfb);
  return status;
}
