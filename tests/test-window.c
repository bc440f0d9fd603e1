/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The window, driven as a user would, under a private Xvfb: it opens a
 * checkpoint and a sample, draws the regions, captions, re-runs when a tag
 * is switched off, answers a question, and survives a broken checkpoint.
 * Captions and answers are checked against the engine called directly on
 * the same input. Skipped only when no display can be started.
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "data/ov-dataset.h"
#include "data/ov-demo.h"
#include "model/ov-answers.h"
#include "model/ov-error.h"
#include "ui/ov-application.h"
#include "ui/ov-panel-util.h"
#include "ui/ov-tag-row.h"
#include "ui/ov-window-private.h"
#include "viz/ov-draw.h"
#include "viz/ov-export.h"
#include "ov-test-ui.h"
#include "ov-test-util.h"

static GSubprocess   *xvfb;
static GTestDBus     *test_bus;      /* stopped, kept: disposing it would wait */
static OvApplication *app;
static OvWindow      *window;
static char          *caption_dir;
static char          *vqa_dir;

/* Long enough for the debounce and a tiny model's run to settle. */
#define OV_TEST_SETTLE_MS (OV_DEBOUNCE_MS + 700)

static char *
oracle_data (const char *name)
{
  return ov_test_shared_path ("oracle", "data", name, NULL);
}

static void open_oracle (void);

/* The caption checkpoint and the first oracle image (coco_dog_couch). */
static void
ensure_opened (void)
{
  OvSession *session = ov_window_get_session (window);

  if (ov_session_get_sample (session) != NULL && ov_session_has_model (session))
    return;
  open_oracle ();
}

/* Opens the caption checkpoint and the first oracle image, whatever is open. */
static void
open_oracle (void)
{
  g_autofree char *labels = oracle_data ("labels.tsv");
  g_autofree char *features = oracle_data ("features.tsv");
  g_autofree char *hw = oracle_data ("hw.tsv");
  GFile *files[3];

  files[0] = g_file_new_for_path (labels);
  files[1] = g_file_new_for_path (features);
  files[2] = g_file_new_for_path (hw);
  ov_window_open (window, caption_dir, files, 3);
  for (guint i = 0; i < 3; i++)
    g_object_unref (files[i]);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_false (ov_window_is_loading (window));
  g_assert_null (_ov_window_get_banner_text (window));
}

static OvTagItem *
tag_at (guint i)
{
  return g_list_model_get_item (ov_session_get_tags (ov_window_get_session (window)), i);
}

/* Runs the main loop until the window of widget has laid out and drawn a
 * frame that began after this call (a new style, size or picture is then
 * applied), or ten seconds pass. */
static void
wait_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 start;

  g_assert_nonnull (clock);
  start = gdk_frame_clock_get_frame_counter (clock);
  gtk_widget_queue_draw (widget);
  OV_TEST_WAIT_UNTIL (gdk_frame_clock_get_frame_counter (clock) > start, 10);
  g_assert_cmpint (gdk_frame_clock_get_frame_counter (clock), >, start);
}

/* The caption the engine gives for the session's current input, with the
 * window's default decoding (beam 5, 3 kept, 20 long). */
static char *
engine_caption (OvModel *model)
{
  OvSession *session = ov_window_get_session (window);
  const OvSample *s = ov_session_get_sample (session);
  g_autofree char *tags = ov_session_dup_input_tags (session);
  g_autofree float *rows = g_new (float, (gsize) s->n_features * s->feature_dim);
  g_autoptr(GPtrArray) captions = NULL;
  g_autoptr(GError) error = NULL;
  OvCaptionOptions opts;
  OvRegions regions = { rows, 0, (int) s->feature_dim };
  GListModel *list = ov_session_get_tags (session);

  /* Regions in file order whose tag is switched on. */
  for (guint r = 0; r < s->n_features; r++)
    for (guint i = 0; i < g_list_model_get_n_items (list); i++)
      {
        g_autoptr(OvTagItem) item = g_list_model_get_item (list, i);

        if (ov_tag_item_get_region (item) == (int) r && ov_tag_item_get_enabled (item))
          {
            memcpy (rows + (gsize) regions.n_regions++ * s->feature_dim,
                    s->features + (gsize) r * s->feature_dim, sizeof (float) * s->feature_dim);
            break;
          }
      }

  ov_caption_options_init (&opts);
  opts.num_beams = 5;
  opts.n_best = 3;
  opts.max_length = 20;
  captions = ov_model_caption (model, tags, &regions, &opts, NULL, &error);
  g_assert_no_error (error);
  return g_strdup (((OvCaption *) g_ptr_array_index (captions, 0))->text);
}

static void
test_opens (void)
{
  OvSession *session = ov_window_get_session (window);
  g_autofree char *status = NULL;
  g_autofree char *tags = NULL;

  ensure_opened ();
  g_assert_nonnull (ov_session_get_sample (session));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_dog_couch");
  g_assert_cmpuint (g_list_model_get_n_items (ov_session_get_tags (session)), ==, 12);
  tags = ov_session_dup_input_tags (session);
  g_assert_true (g_str_has_prefix (tags, "dog couch pillow"));
  g_assert_cmpuint (ov_session_get_input_region_count (session), ==, 12);

  /* The shortcuts window comes from the resources; preferences and about
   * open as windows of their own. */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    guint before = g_list_model_get_n_items (toplevels);

    g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
    g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
    ov_test_iterate (200);
    g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, before + 2);
    for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
      {
        g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i - 1);

        if (ADW_IS_PREFERENCES_WINDOW (w) || ADW_IS_ABOUT_WINDOW (w))
          gtk_window_destroy (w);
      }
    ov_test_iterate (100);
    g_assert_cmpuint (g_list_model_get_n_items (toplevels), ==, before);
  }

  /* The status line names the checkpoint and the backend. */
  status = _ov_window_dup_status_text (window);
  g_assert_nonnull (strstr (status, "caption_tiny"));
  g_assert_nonnull (strstr (status, ov_session_get_backend_description (session)));
}

typedef struct {
  guchar *data;
  int     width, height, stride;
} Pixels;

static void
pixels_free (Pixels *p)
{
  g_free (p->data);
}

/* Renders a widget the way the window paints it and reads the pixels back
 * (Cairo ARGB32: B G R A bytes on little-endian machines). */
static Pixels
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  Pixels p;

  p.width = gtk_widget_get_width (widget);
  p.height = gtk_widget_get_height (widget);
  g_assert_cmpint (p.width, >, 100);
  g_assert_cmpint (p.height, >, 100);
  gdk_paintable_snapshot (paintable, snapshot, p.width, p.height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, p.width, p.height));
  p.width = gdk_texture_get_width (texture);
  p.height = gdk_texture_get_height (texture);
  p.stride = p.width * 4;
  p.data = g_malloc ((gsize) p.stride * p.height);
  gdk_texture_download (texture, p.data, p.stride);
  return p;
}

/* Pixels within 12 levels of a colour. */
static guint
count_color (const Pixels *p,
             OvColor       c)
{
  int r = (int) lround (c.r * 255), g = (int) lround (c.g * 255), b = (int) lround (c.b * 255);
  guint n = 0;

  for (int y = 0; y < p->height; y++)
    for (int x = 0; x < p->width; x++)
      {
        const guchar *px = p->data + (gsize) y * p->stride + x * 4;

        if (abs (px[2] - r) <= 12 && abs (px[1] - g) <= 12 && abs (px[0] - b) <= 12)
          n++;
      }
  return n;
}

static void
test_draws_regions (void)
{
  OvSession *session = ov_window_get_session (window);
  GtkWidget *view;
  OvPalette *palette = ov_session_get_palette (session);
  OvCaptionPanel *panel = _ov_window_get_caption_panel (window);
  g_autoptr(OvTagItem) dog = NULL;
  Pixels before, after;
  guint n_seen = 0, n_classes = 0, dog_before, dog_after, runs;
  g_autoptr(GHashTable) classes = g_hash_table_new (g_str_hash, g_str_equal);
  const OvSample *s;

  ensure_opened ();
  view = GTK_WIDGET (_ov_window_get_image_view (window));
  ov_test_iterate (300);
  s = ov_session_get_sample (session);
  before = render_widget (view);

  /* Every class has its box colour on screen. */
  for (guint i = 0; i < s->n_regions; i++)
    {
      if (!g_hash_table_add (classes, s->regions[i].cls))
        continue;
      n_classes++;
      if (count_color (&before, ov_palette_color (palette, s->regions[i].cls)) >= 20)
        n_seen++;
    }
  g_assert_cmpuint (n_classes, >=, 8);
  g_assert_cmpuint (n_seen, ==, n_classes);

  /* The box of a class seen once goes when its tag is switched off. Class
   * colours come from the names, so two classes may share one: take the
   * first tag whose colour no other region of the image has. */
  for (guint i = 0; i < s->n_regions && dog == NULL; i++)
    {
      guint shared = 0;

      for (guint k = 0; k < s->n_regions; k++)
        shared += k != i && ov_palette_index (palette, s->regions[k].cls)
                            == ov_palette_index (palette, s->regions[i].cls);
      if (shared == 0)
        dog = tag_at (i);
    }
  g_assert_nonnull (dog);
  g_assert_cmpint (ov_tag_item_get_region (dog), >=, 0);
  dog_before = count_color (&before, ov_palette_color (palette, ov_tag_item_get_text (dog)));
  ov_tag_item_set_enabled (dog, FALSE);
  ov_test_iterate (200);
  after = render_widget (view);
  dog_after = count_color (&after, ov_palette_color (palette, ov_tag_item_get_text (dog)));
  g_test_message ("%s-coloured pixels: %u with the tag on, %u off", ov_tag_item_get_text (dog),
                  dog_before, dog_after);
  g_assert_cmpuint (dog_after, <, dog_before / 10);
  /* the caption's run on the whole input again ends here, not in the next
   * test, which reads the caption */
  runs = ov_caption_panel_get_n_runs (panel);
  ov_tag_item_set_enabled (dog, TRUE);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_caption_panel_get_n_runs (panel), >, runs);

  pixels_free (&before);
  pixels_free (&after);
}

static void
test_caption (void)
{
  OvCaptionPanel *panel;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  ensure_opened ();
  panel = _ov_window_get_caption_panel (window);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0 && !ov_window_is_loading (window),
                      60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_caption (panel) != NULL, 60);
  g_assert_nonnull (ov_caption_panel_get_caption (panel));

  model = ov_model_load (caption_dir, NULL, &error);
  g_assert_no_error (error);
  expected = engine_caption (model);
  g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==, expected);
}

static void
test_tag_off_reruns (void)
{
  OvSession *session = ov_window_get_session (window);
  OvCaptionPanel *panel = _ov_window_get_caption_panel (window);
  g_autoptr(OvTagItem) couch = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tags_before = NULL;
  g_autofree char *tags_after = NULL;
  g_autofree char *expected = NULL;
  guint runs;

  ensure_opened ();
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  runs = ov_caption_panel_get_n_runs (panel);
  tags_before = ov_session_dup_input_tags (session);

  couch = tag_at (1);
  g_assert_cmpstr (ov_tag_item_get_text (couch), ==, "couch");
  ov_tag_item_set_enabled (couch, FALSE);

  /* The input loses the tag and its region at once... */
  tags_after = ov_session_dup_input_tags (session);
  g_assert_cmpstr (tags_after, !=, tags_before);
  g_assert_null (strstr (tags_after, "couch"));
  g_assert_cmpuint (ov_session_get_input_region_count (session), ==, 11);

  /* ...and the caption runs again on it. */
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  g_assert_cmpuint (ov_caption_panel_get_n_runs (panel), >, runs);
  model = ov_model_load (caption_dir, NULL, &error);
  g_assert_no_error (error);
  expected = engine_caption (model);
  g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==, expected);

  /* the run with the tag back on ends in this test, not in the next one */
  runs = ov_caption_panel_get_n_runs (panel);
  ov_tag_item_set_enabled (couch, TRUE);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_caption_panel_get_n_runs (panel), >, runs);
}

/* Typed, edited and moved tags reach the input; a typed tag brings no
 * region, and the threshold drops low-confidence regions with their tags. */
static void
test_tags_edit (void)
{
  OvSession *session = ov_window_get_session (window);
  GListModel *tags = ov_session_get_tags (session);
  g_autoptr(OvTagItem) typed = NULL;
  g_autoptr(OvTagItem) first = NULL;
  g_autofree char *input = NULL;
  guint n = 0;

  ensure_opened ();
  n = g_list_model_get_n_items (tags);

  typed = g_object_ref (ov_session_add_tag (session, "  hat "));
  g_assert_true (ov_tag_item_is_text_only (typed));
  input = ov_session_dup_input_tags (session);
  g_assert_true (g_str_has_suffix (input, " hat"));
  g_assert_cmpuint (ov_session_get_input_region_count (session), ==, 12);
  g_clear_pointer (&input, g_free);

  /* Moved to the front, the typed tag leads the tag string. */
  ov_session_move_tag (session, n, 0);
  input = ov_session_dup_input_tags (session);
  g_assert_true (g_str_has_prefix (input, "hat dog couch"));
  g_clear_pointer (&input, g_free);

  first = tag_at (1);
  ov_tag_item_set_text (first, "puppy");
  input = ov_session_dup_input_tags (session);
  g_assert_true (g_str_has_prefix (input, "hat puppy couch"));
  g_clear_pointer (&input, g_free);
  ov_tag_item_set_text (first, "dog");

  /* Regions below 0.5 leave with their tags (five of the twelve here). */
  ov_session_set_threshold (session, 0.5);
  g_assert_cmpuint (ov_session_get_input_region_count (session), ==, 7);
  input = ov_session_dup_input_tags (session);
  g_assert_null (strstr (input, "plant"));
  g_clear_pointer (&input, g_free);
  ov_session_set_threshold (session, 0.0);

  ov_session_remove_tag (session, 0);
  g_assert_cmpuint (g_list_model_get_n_items (tags), ==, n);
  input = ov_session_dup_input_tags (session);
  g_assert_true (g_str_has_prefix (input, "dog couch pillow"));
}

static OvTagRow *find_tag_row (GtkWidget *root, const char *title);

/* A word typed into a tag row goes to the model when focus leaves the row,
 * not only on Enter: the list never shows a word the model does not read. */
static void
test_tag_edit_focus (void)
{
  OvSession *session = ov_window_get_session (window);
  GtkWidget *tag_list;
  OvTagRow *row, *other;
  g_autofree char *input = NULL;

  ensure_opened ();
  tag_list = GTK_WIDGET (_ov_window_get_tag_list (window));
  row = find_tag_row (tag_list, "Region 1");
  other = find_tag_row (tag_list, "Region 2");
  g_assert_nonnull (row);
  g_assert_nonnull (other);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (row)));
  ov_test_iterate (50);
  gtk_editable_set_text (GTK_EDITABLE (row), "puppy");
  ov_test_iterate (50);
  input = ov_session_dup_input_tags (session);
  g_assert_true (g_str_has_prefix (input, "dog couch"));
  g_clear_pointer (&input, g_free);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (other)));
  ov_test_iterate (50);
  g_assert_cmpstr (ov_tag_item_get_text (ov_tag_row_get_item (row)), ==, "puppy");
  input = ov_session_dup_input_tags (session);
  g_assert_true (g_str_has_prefix (input, "puppy couch"));
  ov_tag_item_set_text (ov_tag_row_get_item (row), "dog");
}

/* Ctrl+Page Down and Page Up step through the samples of the files. */
static void
test_step_samples (void)
{
  OvSession *session = ov_window_get_session (window);

  ensure_opened ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-sample", NULL));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_kitchen");
  g_assert_cmpuint (g_list_model_get_n_items (ov_session_get_tags (session)), ==, 27);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.previous-sample", NULL));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_dog_couch");
  g_assert_null (_ov_window_get_banner_text (window));
}

/* /ui/window/show-panel-focus: Alt+2 (win.show-panel) takes the keys into
 * the panel it shows: the question can be typed at once */
static void
test_show_panel_focus (void)
{
  GtkWidget *focus;

  ensure_opened ();
  /* with a VQA checkpoint, so that the question panel takes input */
  ov_window_open (window, vqa_dir, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-panel", "s",
                                             "question"));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (_ov_window_get_vqa_panel (window))));
  g_assert_true (GTK_IS_TEXT (focus));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-panel", "s",
                                             "caption"));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (focus != NULL
                 && gtk_widget_is_ancestor (focus,
                                            GTK_WIDGET (_ov_window_get_caption_panel (window))));
}

/* /ui/window/open-at-sample: the files opened at a row or a key (as the
 * window's --row and --key do); stepping past the last sample is a toast,
 * not a failure, while a row past the end asked for is a failure that
 * names the option. */
static void
test_open_at_sample (void)
{
  OvSession *session = ov_window_get_session (window);
  g_autofree char *labels = oracle_data ("labels.tsv");
  g_autofree char *features = oracle_data ("features.tsv");
  GFile *files[2];
  const char *banner;

  ensure_opened ();
  files[0] = g_file_new_for_path (labels);
  files[1] = g_file_new_for_path (features);
  ov_window_open_at (window, NULL, files, 2, -1, "coco_kitchen");
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_null (_ov_window_get_banner_text (window));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_kitchen");
  /* the row of a sample opened by its key is known: the next one follows */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.previous-sample", NULL));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_dog_couch");

  ov_window_open_at (window, NULL, files, 2, 3, NULL);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_beach");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-sample", NULL));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_null (_ov_window_get_banner_text (window));
  g_assert_cmpstr (_ov_window_get_toast_text (window), ==, "This is the last sample.");
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_beach");

  ov_window_open_at (window, NULL, files, 2, 4, NULL);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  banner = _ov_window_get_banner_text (window);
  g_assert_nonnull (banner);
  g_assert_nonnull (strstr (banner, "--row 4: "));
  g_assert_nonnull (strstr (banner, "has 4 samples"));
  /* a point of an embeddings map older than its dataset names no option */
  {
    const char *paths[] = { labels, features, NULL };

    g_signal_emit_by_name (_ov_window_get_embed_panel (window), "show-sample", paths,
                           (gint64) 7, "coco_gone", 1, "dog");
    OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
    banner = _ov_window_get_banner_text (window);
    g_assert_nonnull (banner);
    g_assert_true (g_str_has_prefix (banner, "The map names sample 7 of "));
    g_assert_null (strstr (banner, "--row"));
  }
  /* a row with nothing to take it from is said to want a dataset */
  ov_window_open_at (window, NULL, NULL, 0, 2, NULL);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  banner = _ov_window_get_banner_text (window);
  g_assert_nonnull (banner);
  g_assert_true (g_str_has_prefix (banner, "--row and --key choose a sample"));
  g_object_unref (files[0]);
  g_object_unref (files[1]);
  open_oracle ();
}

/* "Before the last change" shows the caption before a change of this
 * sample's input, and goes when another sample is shown: the captions of
 * two pictures are not two versions of one. */
static void
test_previous_caption (void)
{
  OvSession *session = ov_window_get_session (window);
  OvCaptionPanel *panel = _ov_window_get_caption_panel (window);
  OvCaptionOptions options, shorter;
  g_autofree char *full = NULL;
  guint runs;

  ensure_opened ();
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0 && !ov_window_is_loading (window),
                      60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  full = g_strdup (ov_caption_panel_get_caption (panel));
  g_assert_nonnull (full);

  /* a shorter caption of the same picture: the full one was before it */
  ov_caption_panel_get_options (panel, &options);
  shorter = options;
  shorter.max_length = 3;
  runs = ov_caption_panel_get_n_runs (panel);
  ov_caption_panel_set_options (panel, &shorter);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  g_test_message ("full: %s; three words at most: %s", full, ov_caption_panel_get_caption (panel));
  g_assert_cmpstr (ov_caption_panel_get_caption (panel), !=, full);
  g_assert_cmpstr (ov_caption_panel_get_previous_caption (panel), ==, full);
  runs = ov_caption_panel_get_n_runs (panel);
  ov_caption_panel_set_options (panel, &options);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==, full);
  g_assert_nonnull (ov_caption_panel_get_previous_caption (panel));

  /* another picture: its caption is new, and nothing came before it */
  runs = ov_caption_panel_get_n_runs (panel);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-sample", NULL));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window)
                      && ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_kitchen");
  g_assert_cmpstr (ov_caption_panel_get_caption (panel), !=, full);
  g_assert_null (ov_caption_panel_get_previous_caption (panel));

  runs = ov_caption_panel_get_n_runs (panel);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.previous-sample", NULL));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window)
                      && ov_caption_panel_get_n_runs (panel) > runs, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_dog_couch");
  g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==, full);
  g_assert_null (ov_caption_panel_get_previous_caption (panel));
}

static void
test_question (void)
{
  OvSession *session = ov_window_get_session (window);
  OvVqaPanel *panel = _ov_window_get_vqa_panel (window);
  g_autofree char *answers_path = oracle_data ("vqa/label2ans.json");
  g_autoptr(OvAnswerList) answers = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *logits = NULL;
  g_autofree char *tags = NULL;
  const OvSample *s;
  OvRegions regions;
  int n_logits = 0, best = 0;
  const char *question = "what is the dog lying on?";
  guint runs;

  ensure_opened ();
  ov_window_open (window, vqa_dir, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_null (_ov_window_get_banner_text (window));
  g_assert_true (ov_session_supports (session, OV_TASK_VQA, NULL));
  g_assert_true (ov_session_load_answer_list (session, answers_path, &error));
  g_assert_no_error (error);

  /* a run that ends after the question was put in was asked it, with the
   * answer list loaded above */
  runs = ov_vqa_panel_get_n_runs (panel);
  ov_vqa_panel_set_question (panel, question);
  OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_vqa_panel_get_n_runs (panel), >, runs);
  g_assert_nonnull (ov_vqa_panel_get_top_answer (panel));

  /* The best answer is the engine's argmax on the same input. */
  model = ov_model_load (vqa_dir, NULL, &error);
  g_assert_no_error (error);
  s = ov_session_get_sample (session);
  tags = ov_session_dup_input_tags (session);
  regions = (OvRegions) { s->features, (int) s->n_features, (int) s->feature_dim };
  logits = ov_model_classify (model, question, tags, &regions, &n_logits, NULL, &error);
  g_assert_no_error (error);
  for (int i = 1; i < n_logits; i++)
    if (logits[i] > logits[best])
      best = i;
  answers = ov_answer_list_load (answers_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ov_vqa_panel_get_top_answer (panel), ==, ov_answer_list_get (answers, best));
}

/* The sample's own questions head the question menu; asking one shows its
 * reference answers (Oscar's "an"/"s", named by the answer list) and the
 * VQA score the top answer earns; another question hides them. */
static void
test_question_reference (void)
{
  OvSession *session = ov_window_get_session (window);
  OvVqaPanel *panel = _ov_window_get_vqa_panel (window);
  g_autofree char *answers_path = oracle_data ("vqa/label2ans.json");
  g_autofree char *pt = oracle_data ("vqa/test2015_img_frcnn_feats.pt");
  g_autofree char *dir = g_dir_make_tmp ("ov-reference-XXXXXX", NULL);
  g_autofree char *qla = g_build_filename (dir, "val_qla_mrcnn.json", NULL);
  g_autofree char *pt_link = g_build_filename (dir, "val_img_frcnn_feats.pt", NULL);
  g_autoptr(OvAnswerList) answers = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GMenuModel *menu, *own;
  const char *top, *reference;
  g_autofree char *label = NULL;
  g_autofree char *want = NULL;
  int top_index;
  guint runs;

  ensure_opened ();
  answers = ov_answer_list_load (answers_path, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (qla,
    "[{\"q\": \"what is on the couch ?\", \"o\": \"dog couch pillow\", \"img_id\": 1001, "
    "\"q_id\": 1, \"an\": [3, 0], \"s\": [1.0, 0.3]},"
    " {\"q\": \"is it a cat ?\", \"o\": \"dog couch pillow\", \"img_id\": 1001, \"q_id\": 2, "
    "\"an\": [], \"s\": []}]", -1, NULL));
  g_assert_cmpint (symlink (pt, pt_link), ==, 0);
  file = g_file_new_for_path (qla);
  ov_window_open (window, vqa_dir, &file, 1);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_null (_ov_window_get_banner_text (window));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "1001");
  g_assert_cmpuint (ov_session_get_sample (session)->n_features, ==, 12);
  g_assert_nonnull (strstr (_ov_window_get_no_picture_text (window), "no boxes"));
  /* the json's own tags ("o"), word for word, though it has no boxes */
  g_assert_cmpuint (g_list_model_get_n_items (ov_session_get_tags (session)), ==, 3);
  {
    g_autofree char *input = ov_session_dup_input_tags (session);

    g_assert_cmpstr (input, ==, "dog couch pillow");
  }
  g_assert_true (ov_session_load_answer_list (session, answers_path, &error));
  g_assert_no_error (error);

  /* the menu's first section: this image's two questions, as written */
  menu = ov_vqa_panel_get_question_menu (panel);
  g_assert_cmpint (g_menu_model_get_n_items (menu), >=, 1);
  g_assert_true (g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_cmpstr (label, ==, "This Image");
  own = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
  g_assert_cmpint (g_menu_model_get_n_items (own), ==, 2);
  g_clear_pointer (&label, g_free);
  g_assert_true (g_menu_model_get_item_attribute (own, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_cmpstr (label, ==, "what is on the couch?");
  g_object_unref (own);

  /* the window put the first question in; its references show */
  OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_reference (panel) != NULL, 60);
  top = ov_vqa_panel_get_top_answer (panel);
  g_assert_nonnull (top);
  top_index = ov_answer_list_find (answers, top);
  want = g_strdup_printf ("Reference: %s (1.00), %s (0.30) · the model’s “%s” scores %.2f of 1",
                          ov_answer_list_get (answers, 3), ov_answer_list_get (answers, 0), top,
                          top_index == 3 ? 1.0 : top_index == 0 ? 0.3 : 0.0);
  reference = ov_vqa_panel_get_reference (panel);
  g_assert_cmpstr (reference, ==, want);
  /* the answer is the engine's on the json's tags and the .pt's features */
  {
    g_autoptr(OvModel) model = ov_model_load (vqa_dir, NULL, &error);
    const OvSample *s = ov_session_get_sample (session);
    OvRegions regions = { s->features, (int) s->n_features, (int) s->feature_dim };
    g_autofree float *logits = NULL;
    int n_logits = 0, best = 0;

    g_assert_no_error (error);
    logits = ov_model_classify (model, "what is on the couch?", "dog couch pillow", &regions,
                                &n_logits, NULL, &error);
    g_assert_no_error (error);
    for (int i = 1; i < n_logits; i++)
      if (logits[i] > logits[best])
        best = i;
    g_assert_cmpint (top_index, ==, best);
  }

  /* a question of another wording, then one without references */
  ov_vqa_panel_set_question (panel, "what colour is the dog?");
  OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_reference (panel) == NULL, 60);
  /* the reference was hidden already: wait for the run on this question */
  runs = ov_vqa_panel_get_n_runs (panel);
  ov_vqa_panel_set_question (panel, "Is it a cat?");
  OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_vqa_panel_get_n_runs (panel), >, runs);
  g_assert_null (ov_vqa_panel_get_reference (panel));

  /* the same two questions are rows under the answers; a row asks its own */
  g_assert_cmpuint (ov_vqa_panel_get_n_own_questions (panel), ==, 2);
  ov_vqa_panel_activate_own_question (panel, 0);
  g_assert_cmpstr (ov_vqa_panel_get_question (panel), ==, "what is on the couch?");
  OV_TEST_WAIT_UNTIL (ov_vqa_panel_get_reference (panel) != NULL, 60);
  g_assert_cmpstr (ov_vqa_panel_get_reference (panel), ==, want);

  g_unlink (pt_link);
  g_unlink (qla);
  g_rmdir (dir);
  /* the tests after this one work on the first oracle image, which has no
   * picture either: its boxes are drawn in their own frame */
  open_oracle ();
  g_assert_cmpstr (_ov_window_get_no_picture_text (window), ==,
                   "No picture: the boxes are drawn on a blank 640×480 frame");
  /* a sample without questions has no list */
  g_assert_cmpuint (ov_session_get_sample (session)->questions->len, ==, 0);
  g_assert_cmpuint (ov_vqa_panel_get_n_own_questions (panel), ==, 0);
}

static void
test_bad_checkpoint (void)
{
  OvSession *session = ov_window_get_session (window);
  OvCaptionPanel *panel = _ov_window_get_caption_panel (window);
  g_autofree char *dir = g_dir_make_tmp ("ov-bad-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);
  g_autoptr(OvTagItem) item = NULL;
  const char *banner;
  guint runs;

  ensure_opened ();
  g_assert_true (g_file_set_contents (config, "{ \"hidden_size\": ", -1, NULL));
  ov_window_open (window, dir, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);

  /* The banner names the folder; the open checkpoints stay usable. */
  banner = _ov_window_get_banner_text (window);
  g_assert_nonnull (banner);
  g_test_message ("banner: %s", banner);
  g_assert_nonnull (strstr (banner, dir));
  g_assert_cmpstr (ov_session_get_model_path (session, OV_MODEL_KIND_CAPTION), ==, caption_dir);

  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  runs = ov_caption_panel_get_n_runs (panel);
  item = tag_at (2);
  ov_tag_item_set_enabled (item, FALSE);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_caption_panel_get_n_runs (panel), >, runs);
  runs = ov_caption_panel_get_n_runs (panel);
  ov_tag_item_set_enabled (item, TRUE);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_caption_panel_get_n_runs (panel), >, runs);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-banner", NULL));
  g_assert_null (_ov_window_get_banner_text (window));

  /* A file that is no sample is named too, and the sample shown stays. */
  {
    g_autofree char *junk = g_build_filename (dir, "junk.tsv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (junk);

    g_assert_true (g_file_set_contents (junk, "\x01\x02 not a table", -1, NULL));
    ov_window_open (window, NULL, &file, 1);
    OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
    banner = _ov_window_get_banner_text (window);
    g_assert_nonnull (banner);
    g_test_message ("banner: %s", banner);
    g_assert_nonnull (strstr (banner, junk));
    g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_dog_couch");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-banner", NULL));
    g_remove (junk);
  }
  g_remove (config);
  g_rmdir (dir);
}

/* Cancelling a load (Esc) ends it at once and leaves the session as it was. */
static void
test_cancel_load (void)
{
  OvSession *session = ov_window_get_session (window);
  g_autofree char *dir = ov_test_source_path ("tests", "fixtures", "classifier_mlp_tiny", NULL);

  ensure_opened ();
  ov_window_open (window, dir, NULL, 0);
  g_assert_true (ov_window_is_loading (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-loading", NULL));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 10);
  g_assert_false (ov_window_is_loading (window));
  g_assert_null (_ov_window_get_banner_text (window));
  g_assert_cmpstr (ov_session_get_model_path (session, OV_MODEL_KIND_CLASSIFIER), !=, dir);
  g_assert_cmpstr (ov_session_get_model_path (session, OV_MODEL_KIND_CAPTION), ==, caption_dir);
}

/* Three regions with seeded, non-negative features of width dim. */
static OvSample *
make_small_sample (guint dim)
{
  static const char *classes[] = { "dog", "couch", "pillow" };
  OvSample *sample = ov_sample_new ("small");
  GRand *rand = g_rand_new_with_seed (7);

  sample->width = 320;
  sample->height = 240;
  sample->n_regions = sample->n_features = 3;
  sample->feature_dim = dim;
  sample->regions = g_new0 (OvRegion, 3);
  sample->features = g_new (float, 3 * dim);
  for (guint i = 0; i < 3; i++)
    {
      sample->regions[i] = (OvRegion) { 20 + 90 * i, 40, 100 + 90 * i, 200,
                                        g_strdup (classes[i]), 0.9 - 0.1 * i, NULL, NULL };
      for (guint k = 0; k < dim; k++)
        sample->features[i * dim + k] = (float) g_rand_double_range (rand, 0.0, 2.0);
    }
  g_rand_free (rand);
  return sample;
}

static void
count_signal (guint *count)
{
  (*count)++;
}

/* Checks that the session's tags have the colours palette gives their
 * classes. */
static void
assert_tag_colours (OvSession *session,
                    OvPalette *palette)
{
  GListModel *tags = ov_session_get_tags (session);
  const OvSample *sample = ov_session_get_sample (session);

  g_assert_cmpuint (g_list_model_get_n_items (tags), ==, sample->n_regions);
  for (guint i = 0; i < g_list_model_get_n_items (tags); i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (tags, i);
      const char *cls = sample->regions[ov_tag_item_get_region (item)].cls;

      g_assert_cmpuint (ov_tag_item_get_class_index (item), ==, ov_palette_index (palette, cls));
    }
}

/* /ui/window/shown-classes: the classes of the embeddings map and the
 * picture's get their colours together, as `oscarviz tsne` colours the map
 * alone when the picture's classes are among it: a map class that wants a
 * picture class's colour and comes first takes it, and the picture and its
 * tags follow; without the map the picture's own colours come back. */
static void
test_shown_classes (void)
{
  g_autoptr(OvSession) session = ov_session_new ();
  g_autoptr(OvPalette) alone = ov_palette_new ();
  g_autoptr(OvPalette) map = ov_palette_new ();
  const char *picture[] = { "dog", "couch", "pillow" };
  const char *shown[5] = { NULL, "dog", "couch", "pillow", "cat" };
  g_autofree char *rival = NULL;
  guint changed = 0;

  /* a class that wants the colour of "dog" and sorts before it */
  for (guint k = 0; rival == NULL; k++)
    {
      g_autofree char *name = g_strdup_printf ("a%u", k);

      if (ov_class_color_index (name) == ov_class_color_index ("dog"))
        rival = g_steal_pointer (&name);
    }
  shown[0] = rival;
  ov_palette_assign (alone, picture, G_N_ELEMENTS (picture));
  ov_palette_assign (map, shown, G_N_ELEMENTS (shown));
  g_assert_cmpuint (ov_palette_index (map, "dog"), !=, ov_palette_index (alone, "dog"));

  ov_session_set_sample (session, make_small_sample (8));
  g_signal_connect_swapped (session, "palette-changed", G_CALLBACK (count_signal), &changed);
  assert_tag_colours (session, alone);

  ov_session_set_shown_classes (session, shown, G_N_ELEMENTS (shown));
  g_assert_cmpuint (changed, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    g_assert_cmpuint (ov_palette_index (ov_session_get_palette (session), shown[i]), ==,
                      ov_palette_index (map, shown[i]));
  assert_tag_colours (session, map);

  /* a new sample keeps the map's colours */
  ov_session_set_sample (session, make_small_sample (8));
  assert_tag_colours (session, map);

  ov_session_set_shown_classes (session, NULL, 0);
  g_assert_cmpuint (changed, ==, 2);
  assert_tag_colours (session, alone);
}

/* A pre-training checkpoint: masked-word predictions and the match, which
 * falls back to the engine's own numbers on the same input. */
static void
test_mask_match (void)
{
  OvSession *session = ov_window_get_session (window);
  OvMaskPanel *panel = _ov_window_get_mask_panel (window);
  g_autofree char *dir = ov_test_source_path ("tests", "fixtures", "pretrain_tiny", NULL);
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tags = NULL;
  const OvSample *s;
  OvRegions regions;
  OvMatchResult shown;
  float logits[8];
  int n_classes = 0;
  double expected = NAN, expected_swapped = NAN;
  const char *text = "a dog lying on a couch";

  ensure_opened ();
  ov_window_open (window, dir, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_null (_ov_window_get_banner_text (window));
  g_assert_true (ov_session_supports (session, OV_TASK_MASK, NULL));

  /* This checkpoint reads 16-wide region vectors: give the session a
   * sample made for it. */
  ov_session_set_sample (session, make_small_sample (16));

  ov_mask_panel_set_other_tags (panel, "car street person");
  ov_mask_panel_set_text (panel, "a dog lying on a [MASK]");
  OV_TEST_WAIT_UNTIL (ov_mask_panel_get_n_predictions (panel) > 0, 60);
  g_assert_cmpuint (ov_mask_panel_get_n_predictions (panel), ==, 1);
  /* a typed [MASK] is named by its number, a clicked word by the word */
  g_assert_true (g_str_has_prefix (ov_mask_panel_get_prediction_title (panel, 0), "[MASK] 1 ("));
  ov_mask_panel_toggle_word (panel, 1);
  OV_TEST_WAIT_UNTIL (ov_mask_panel_get_n_predictions (panel) == 2, 60);
  g_assert_true (g_str_has_prefix (ov_mask_panel_get_prediction_title (panel, 0),
                                   "In place of “dog” ("));
  g_assert_true (g_str_has_prefix (ov_mask_panel_get_prediction_title (panel, 1), "[MASK] 2 ("));
  g_assert_null (ov_mask_panel_get_prediction_title (panel, 2));

  /* The match reads the text with masks put back; here none were clicked,
   * so give the full text. */
  ov_mask_panel_set_text (panel, text);

  model = ov_model_load (dir, NULL, &error);
  g_assert_no_error (error);
  s = ov_session_get_sample (session);
  tags = ov_session_dup_input_tags (session);
  regions = (OvRegions) { s->features, (int) s->n_features, (int) s->feature_dim };
  g_assert_true (ov_model_match (model, text, tags, &regions, logits, &n_classes, &expected,
                                 NULL, &error));
  g_assert_true (ov_model_match (model, text, "car street person", &regions, logits,
                                 &n_classes, &expected_swapped, NULL, &error));
  g_assert_no_error (error);
  /* The panel has no run counter for the match, and the match of the text
   * with [MASK] (both numbers set) came before: wait for the numbers of
   * this text. */
  OV_TEST_WAIT_UNTIL (fabs (ov_mask_panel_get_match (panel).probability - expected) <= 1e-9
                      && fabs (ov_mask_panel_get_match (panel).swapped_probability
                               - expected_swapped) <= 1e-9, 60);
  shown = ov_mask_panel_get_match (panel);
  g_test_message ("match %.9g, with the other tags %.9g", shown.probability,
                  shown.swapped_probability);
  g_assert_cmpfloat_with_epsilon (shown.probability, expected, 1e-9);
  g_assert_cmpfloat_with_epsilon (shown.swapped_probability, expected_swapped, 1e-9);
}

/* Distinct colours in a rectangle of the rendering: a photograph or a demo
 * scene has hundreds, a flat canvas with boxes a handful. */
static guint
count_distinct_colors (const Pixels *p,
                       int           x0,
                       int           y0,
                       int           x1,
                       int           y1)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (int y = MAX (y0, 0); y < MIN (y1, p->height); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, p->width); x++)
      {
        guint32 px;

        memcpy (&px, p->data + (gsize) y * p->stride + x * 4, 4);
        g_hash_table_add (seen, GUINT_TO_POINTER (px | 1));
      }
  return g_hash_table_size (seen);
}

/* An image opened on its own is drawn, in a window of its own. */
static void
test_image (void)
{
  g_autofree char *path = ov_test_shared_path ("data", "images", "coco-000000391895.jpg", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  OvWindow *second = ov_window_new (app);
  GtkWidget *view = GTK_WIDGET (_ov_window_get_image_view (second));
  Pixels p;
  guint n;

  gtk_window_present (GTK_WINDOW (second));
  ov_window_open (second, caption_dir, &file, 1);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (second), 60);
  g_assert_null (_ov_window_get_banner_text (second));
  wait_frame (view);

  p = render_widget (view);
  n = count_distinct_colors (&p, p.width / 4, p.height / 4, 3 * p.width / 4, 3 * p.height / 4);
  g_test_message ("distinct colours in the middle of the photograph: %u", n);
  g_assert_cmpuint (n, >, 500);
  pixels_free (&p);
  gtk_window_destroy (GTK_WINDOW (second));
  ov_test_iterate (100);
}

/* A window opened with nothing opens the bundled demo: its three models,
 * a scene with its picture and regions, and a caption. Where the demo is
 * not installed the window says so in its banner and stays usable. */
static void
test_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = ov_demo_find ("demo", &error);
  OvWindow *fresh = ov_window_new (app);
  OvSession *session = ov_window_get_session (fresh);
  OvCaptionPanel *panel = _ov_window_get_caption_panel (fresh);
  Pixels p;
  guint n;

  gtk_window_present (GTK_WINDOW (fresh));
  ov_window_open (fresh, NULL, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (fresh), 120);

  if (demo == NULL)
    {
      g_test_message ("demo not installed: %s", error->message);
      g_assert_nonnull (_ov_window_get_banner_text (fresh));
      g_assert_nonnull (strstr (_ov_window_get_banner_text (fresh), "demo"));
      gtk_window_destroy (GTK_WINDOW (fresh));
      ov_test_iterate (100);
      return;
    }

  g_assert_null (_ov_window_get_banner_text (fresh));
  g_assert_true (ov_session_supports (session, OV_TASK_CAPTION, NULL));
  g_assert_true (ov_session_supports (session, OV_TASK_VQA, NULL));
  g_assert_nonnull (ov_session_get_sample (session));
  g_assert_nonnull (ov_session_get_sample (session)->image_path);
  g_assert_cmpuint (ov_session_get_input_region_count (session), >, 0);

  wait_frame (GTK_WIDGET (_ov_window_get_image_view (fresh)));
  p = render_widget (GTK_WIDGET (_ov_window_get_image_view (fresh)));
  n = count_distinct_colors (&p, 0, 0, p.width, p.height);
  g_test_message ("distinct colours in the demo scene: %u", n);
  g_assert_cmpuint (n, >, 100);
  pixels_free (&p);

  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0, 60);
  g_assert_nonnull (ov_caption_panel_get_caption (panel));
  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* A sample written by hand as the README shows, of a shared picture (or of
 * image, a path of the test's own), with two boxes and no features; written
 * to name in the test's folder, which the returned file names. */
static GFile *
write_hand_sample (const char *name,
                   const char *key,
                   const char *image)
{
  g_autofree char *picture = ov_test_shared_path ("data", "images", "coco-000000391895.jpg",
                                                  NULL);
  g_autofree char *path = ov_test_tmp_path (name);
  g_autofree char *text = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, key);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, image != NULL ? image : picture);
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, 640);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, 360);
  json_builder_set_member_name (builder, "boxes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < 2; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "rect");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, 40 + 300 * i);
      json_builder_add_int_value (builder, 60);
      json_builder_add_int_value (builder, 200 + 300 * i);
      json_builder_add_int_value (builder, 300);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "class");
      json_builder_add_string_value (builder, i == 0 ? "man" : "motorcycle");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

/* Opens fifo for writing once a reader waits on it, and closes it at once:
 * the reader reads the text given, or nothing. Gives up, returning FALSE,
 * when no reader came while window was loading. */
static gboolean
release_fifo (const char *fifo,
              const char *text,
              OvWindow   *loading)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  int fd;

  while ((fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0
         && ov_window_is_loading (loading) && g_get_monotonic_time () < deadline)
    ov_test_iterate (5);
  if (fd < 0)
    return FALSE;
  g_assert_cmpint (fcntl (fd, F_SETFL, 0), ==, 0);
  if (text != NULL)
    g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize) strlen (text));
  close (fd);
  return TRUE;
}

/* A sample opened without a checkpoint runs on the demo's models and stays
 * shown, however long the demo takes. The demo is a copy whose scene list
 * (its split's linelist) is a named pipe: the scenes, if the window asks
 * for them, are read only after the user's sample was shown, the order in
 * which a small file used to be replaced by the demo's first scene. */
static void
test_file_without_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *real_yaml = ov_demo_find_dataset ("demo", &error);
  g_autofree char *real_model = ov_demo_find ("demo", NULL);
  g_autofree char *real_scenes = NULL, *real_models = NULL, *root = NULL, *scenes = NULL;
  g_autofree char *link = NULL, *images = NULL, *linelist = NULL, *yaml = NULL;
  g_autofree char *yaml_text = NULL, *old_datadir = g_strdup (g_getenv ("OSCARVIZ_DATADIR"));
  g_autoptr(GFile) file = write_hand_sample ("street.json", "hand_street", NULL);
  OvWindow *fresh;
  OvSession *session;
  OvCaptionPanel *panel;
  gboolean demo_scene_asked;

  if (real_yaml == NULL || real_model == NULL)
    {
      g_test_skip ("the demo is not installed");
      return;
    }
  real_scenes = g_path_get_dirname (real_yaml);
  real_models = g_path_get_dirname (real_model);
  root = ov_test_tmp_path ("held-demo");
  scenes = g_build_filename (root, "demo", "scenes", NULL);
  g_assert_cmpint (g_mkdir_with_parents (scenes, 0700), ==, 0);
  link = g_build_filename (root, "demo", "models", NULL);
  g_assert_cmpint (symlink (real_models, link), ==, 0);
  images = g_build_filename (real_scenes, "images", NULL);
  g_free (link);
  link = g_build_filename (scenes, "images", NULL);
  g_assert_cmpint (symlink (images, link), ==, 0);
  linelist = g_build_filename (scenes, "test.linelist.txt", NULL);
  g_assert_cmpint (mkfifo (linelist, 0600), ==, 0);
  yaml = g_build_filename (scenes, "test.yaml", NULL);
  yaml_text = g_strdup_printf ("feature: %s/test.feature.tsv\nlabel: %s/test.label.tsv\n"
                               "hw: %s/test.hw.tsv\nlinelist: %s\n", real_scenes, real_scenes,
                               real_scenes, linelist);
  g_assert_true (g_file_set_contents (yaml, yaml_text, -1, NULL));

  fresh = ov_window_new (app);
  session = ov_window_get_session (fresh);
  panel = _ov_window_get_caption_panel (fresh);
  gtk_window_present (GTK_WINDOW (fresh));
  g_setenv ("OSCARVIZ_DATADIR", root, TRUE);
  ov_window_open (fresh, NULL, &file, 1);
  if (old_datadir != NULL)
    g_setenv ("OSCARVIZ_DATADIR", old_datadir, TRUE);
  else
    g_unsetenv ("OSCARVIZ_DATADIR");

  OV_TEST_WAIT_UNTIL (ov_session_get_sample (session) != NULL, 60);
  g_assert_nonnull (ov_session_get_sample (session));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "hand_street");
  /* now the demo's scene may come, after the user's sample */
  demo_scene_asked = release_fifo (linelist, "0\n", fresh);
  g_test_message ("the demo's scene was %sasked for", demo_scene_asked ? "" : "not ");
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (fresh), 120);
  g_assert_false (ov_window_is_loading (fresh));
  g_assert_null (_ov_window_get_banner_text (fresh));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "hand_street");
  g_assert_cmpuint (g_list_model_get_n_items (ov_session_get_tags (session)), ==, 2);

  /* the demo's captioning model runs on it */
  g_assert_true (ov_session_supports (session, OV_TASK_CAPTION, NULL));
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > 0, 60);
  g_assert_nonnull (ov_caption_panel_get_caption (panel));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "hand_street");
  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* Of two samples opened one after the other, the second stays shown even
 * when the first is read last: the first one's picture is a named pipe
 * that lets it end only after the second was shown. */
static void
test_last_open_wins (void)
{
  g_autofree char *fifo = ov_test_tmp_path ("held-picture.jpg");
  g_autoptr(GFile) first = NULL;
  g_autoptr(GFile) second = write_hand_sample ("second.json", "second", NULL);
  OvWindow *fresh = ov_window_new (app);
  OvSession *session = ov_window_get_session (fresh);

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  first = write_hand_sample ("first.json", "first", fifo);
  gtk_window_present (GTK_WINDOW (fresh));
  ov_window_open (fresh, caption_dir, &first, 1);
  ov_window_open (fresh, NULL, &second, 1);
  OV_TEST_WAIT_UNTIL (ov_session_get_sample (session) != NULL, 60);
  g_assert_nonnull (ov_session_get_sample (session));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "second");

  /* the first sample's picture reads as empty, after the second was shown */
  g_assert_true (release_fifo (fifo, NULL, fresh));
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (fresh), 60);
  g_assert_false (ov_window_is_loading (fresh));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "second");
  g_assert_null (_ov_window_get_banner_text (fresh));
  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* The attention the engine gives, called directly, for the caption step
 * after the first n of ids ([CLS] and word pieces) on the session's
 * current input: (L x (A, S, S)). */
static OvForward *
engine_caption_prefix (OvSession    *session,
                       const gint32 *ids,
                       int           n,
                       OvEncoding  **enc_out)
{
  const char *dir = ov_session_get_task_model_path (session, OV_TASK_CAPTION);
  const OvSample *s = ov_session_get_sample (session);
  g_autofree char *tags = ov_session_dup_input_tags (session);
  g_autofree float *rows = g_new (float, (gsize) MAX (s->n_features, 1) * s->feature_dim);
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GError) error = NULL;
  OvRegions regions = { rows, 0, (int) s->feature_dim };
  OvEncoding *enc;
  OvForward *fwd;

  model = ov_model_load (dir, NULL, &error);
  g_assert_no_error (error);
  for (guint r = 0; r < s->n_features; r++)
    if (ov_session_region_in_input (session, r))
      memcpy (rows + (gsize) regions.n_regions++ * s->feature_dim,
              s->features + (gsize) r * s->feature_dim, sizeof (float) * s->feature_dim);
  enc = ov_model_prepare_caption_step (model, ids, n, tags, &regions, &error);
  g_assert_no_error (error);
  fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_ATTENTIONS, NULL, &error);
  g_assert_no_error (error);
  *enc_out = enc;
  return fwd;
}

/* [CLS] and the word pieces of caption (NULL: none), by the session's
 * captioning model's tokenizer. */
static GArray *
caption_ids (OvSession  *session,
             const char *caption)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) model = ov_model_load (ov_session_get_task_model_path (session,
                                                                            OV_TASK_CAPTION),
                                            NULL, &error);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  OvTokenizer *tok;
  gint32 cls;

  g_assert_no_error (error);
  tok = ov_model_get_tokenizer (model);
  cls = ov_tokenizer_cls_id (tok);
  g_array_append_val (ids, cls);
  if (caption != NULL)
    {
      g_autoptr(GArray) pieces = ov_tokenizer_encode (tok, caption);

      g_array_append_vals (ids, pieces->data, pieces->len);
    }
  return ids;
}

/* The same for the step after the whole caption. */
static OvForward *
engine_caption_step (OvSession  *session,
                     const char *caption,
                     OvEncoding **enc_out)
{
  g_autoptr(GArray) ids = caption_ids (session, caption);

  return engine_caption_prefix (session, (const gint32 *) ids->data, (int) ids->len, enc_out);
}

/* With the environment variable `env` set to a file name, the window as
 * drawn, saved there as PNG. */
static void
save_screenshot (OvWindow   *window,
                 const char *env)
{
  Pixels w;
  g_autoptr(GdkTexture) t = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (g_getenv (env) == NULL)
    return;
  w = render_widget (GTK_WIDGET (window));
  bytes = g_bytes_new_take (w.data, (gsize) w.stride * w.height);
  t = gdk_memory_texture_new (w.width, w.height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes,
                              w.stride);
  g_assert_true (gdk_texture_save_to_png (t, g_getenv (env)));
}

/* A 1280 x 800 window on the demo showing the Attention tab, once the
 * panel has run on the caption the Caption panel gave; NULL (the test
 * skipped) without the demo. */
static OvWindow *
open_demo_attention (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = ov_demo_find ("demo", &error);
  const OvAttentionRun *run;
  OvCaptionPanel *cpanel;
  OvAttentionPanel *panel;
  OvWindow *fresh;

  if (demo == NULL)
    {
      g_test_skip (error->message);
      return NULL;
    }
  fresh = ov_window_new (app);
  cpanel = _ov_window_get_caption_panel (fresh);
  panel = _ov_window_get_attention_panel (fresh);
  gtk_window_set_default_size (GTK_WINDOW (fresh), 1280, 800);
  gtk_window_present (GTK_WINDOW (fresh));
  ov_window_open (fresh, NULL, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (fresh), 120);
  g_assert_null (_ov_window_get_banner_text (fresh));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fresh), "win.show-panel", "s",
                                             "attention"));
  /* The panel follows the caption panel: the step after its caption. */
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (cpanel) > 0, 60);
  OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL
              && g_strcmp0 (run->text, ov_caption_panel_get_caption (cpanel)) == 0, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  return fresh;
}

/* The attention tab on the demo: the heat map's hovered value is the
 * engine's own attention for that layer, head and cell; a grid click opens
 * a head; switching a tag off re-runs on the new input; export writes the
 * view. */
static void
test_attention (void)
{
  g_autoptr(GError) error = NULL;
  OvWindow *fresh;
  OvSession *session;
  OvCaptionPanel *cpanel;
  OvAttentionPanel *panel;
  const OvAttentionRun *run;
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(OvTagItem) item = NULL;
  g_autofree char *tags_before = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *png = NULL;
  GtkWidget *canvas;
  double x, y, value = NAN;
  int layer, head, row, col = -1, S, n_layers, n_heads, got_layer, got_head;
  float expected;
  guint runs, cruns;
  Pixels p;

  if ((fresh = open_demo_attention ()) == NULL)
    return;
  session = ov_window_get_session (fresh);
  cpanel = _ov_window_get_caption_panel (fresh);
  panel = _ov_window_get_attention_panel (fresh);
  run = ov_attention_panel_get_run (panel);
  g_assert_nonnull (run);
  g_assert_cmpint (run->task, ==, OV_TASK_CAPTION);
  g_assert_cmpstr (run->text, ==, ov_caption_panel_get_caption (cpanel));
  tags_before = ov_session_dup_input_tags (session);
  g_assert_cmpstr (run->tags, ==, tags_before);

  fwd = engine_caption_step (session, run->text, &enc);
  S = fwd->seq_len;
  n_layers = fwd->n_layers;
  n_heads = fwd->n_heads;
  g_assert_cmpint (run->forward->seq_len, ==, S);
  g_assert_cmpint (run->forward->n_layers, ==, n_layers);
  g_assert_cmpint (run->forward->n_heads, ==, n_heads);

  /* Query: the step's [MASK]; key: the first region. */
  row = enc->query_index;
  for (int i = 0; i < S && col < 0; i++)
    if (enc->segments[i] == OV_SEGMENT_REGION)
      col = i;
  g_assert_cmpint (col, >=, 0);
  layer = n_layers - 1;
  head = n_heads - 1;
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_HEATMAP);
  ov_attention_panel_set_selection (panel, layer, head);
  ov_test_iterate (200);
  /* the run is the panel's: read it again after the main loop ran */
  run = ov_attention_panel_get_run (panel);
  canvas = ov_attention_panel_get_canvas (panel);
  g_assert_true (gtk_widget_get_mapped (canvas));
  g_assert_true (ov_attention_panel_cell_center (panel, row, col, &x, &y));
  tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
  g_assert_nonnull (tooltip);
  expected = fwd->attentions[layer][((gsize) head * S + row) * S + col];
  g_test_message ("layer %d head %d cell (%d, %d): panel %.9g, engine %.9g; tooltip: %s",
                  layer, head, row, col, value, expected, tooltip);
  g_assert_cmpfloat_with_epsilon (value, expected, 1e-6);
  g_assert_nonnull (strstr (tooltip, run->labels[row]));
  g_assert_nonnull (strstr (tooltip, run->labels[col]));
  /* The map is drawn: many colours on the canvas. */
  p = render_widget (canvas);
  g_assert_cmpuint (count_distinct_colors (&p, 0, 0, p.width, p.height), >, 20);
  pixels_free (&p);

  /* The mean of heads is the mean of the engine's heads. */
  ov_attention_panel_set_selection (panel, 0, OV_ATTENTION_MEAN);
  g_assert_true (ov_attention_panel_cell_center (panel, row, col, &x, &y));
  g_clear_pointer (&tooltip, g_free);
  tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
  g_assert_nonnull (tooltip);
  expected = 0;
  for (int h = 0; h < n_heads; h++)
    expected += fwd->attentions[0][((gsize) h * S + row) * S + col] / n_heads;
  g_assert_cmpfloat_with_epsilon (value, expected, 1e-6);

  /* Clicking a map of the grid opens that layer and head. */
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_GRID);
  ov_test_iterate (200);
  /* Tab from the view's menu reaches Export over the layer and head the
   * grid has no use for (GTK's flow box stopped there) */
  {
    GtkWidget *focus;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fresh), "win.show-panel", "s",
                                               "attention"));
    focus = gtk_root_get_focus (GTK_ROOT (fresh));
    g_assert_nonnull (focus);
    g_assert_nonnull (gtk_widget_get_ancestor (focus, GTK_TYPE_DROP_DOWN));
    g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fresh), GTK_DIR_TAB_FORWARD));
    focus = gtk_root_get_focus (GTK_ROOT (fresh));
    /* (the grid's Same scale switch on the way) */
    g_assert_true (GTK_IS_CHECK_BUTTON (focus));
    g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fresh), GTK_DIR_TAB_FORWARD));
    focus = gtk_root_get_focus (GTK_ROOT (fresh));
    g_assert_true (GTK_IS_BUTTON (focus));
    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (focus)), ==, "_Export…");
  }
  /* Same scale: every map from 0 to the largest value of all heads */
  {
    double hi = 0.0;

    g_assert_cmpfloat (ov_attention_panel_get_grid_scale (panel, 0, 0)->hi, !=,
                       ov_attention_panel_get_grid_scale (panel, n_layers - 1,
                                                          n_heads - 1)->hi);
    for (int l = 0; l < n_layers; l++)
      for (int h = 0; h < n_heads; h++)
        hi = MAX (hi, ov_attention_panel_get_grid_scale (panel, l, h)->hi);
    ov_attention_panel_set_shared_scale (panel, TRUE);
    for (int l = 0; l < n_layers; l++)
      for (int h = 0; h < n_heads; h++)
        g_assert_cmpfloat (ov_attention_panel_get_grid_scale (panel, l, h)->hi, ==, hi);
    ov_attention_panel_set_shared_scale (panel, FALSE);
  }
  g_assert_true (ov_attention_panel_grid_cell_center (panel, n_layers - 1, 0, &x, &y));
  g_assert_true (ov_attention_panel_click (panel, x, y));
  g_assert_cmpint (ov_attention_panel_get_view (panel), ==, OV_ATTENTION_VIEW_HEATMAP);
  ov_attention_panel_get_selection (panel, &got_layer, &got_head);
  g_assert_cmpint (got_layer, ==, n_layers - 1);
  g_assert_cmpint (got_head, ==, 0);
  ov_test_iterate (200);
  save_screenshot (fresh, "OV_TEST_SCREENSHOT");

  /* Export writes the view shown. */
  tmp = g_dir_make_tmp ("ov-attention-XXXXXX", &error);
  g_assert_no_error (error);
  png = g_build_filename (tmp, "heatmap.png", NULL);
  {
    double before_x, before_y, after_x, after_y;

    /* laid out for the page as the command line lays it out, and for the
     * panel again afterwards */
    g_assert_true (ov_attention_panel_cell_center (panel, row, col, &before_x, &before_y));
    g_assert_true (ov_attention_panel_export (panel, png, 0, &error));
    g_assert_no_error (error);
    ov_test_iterate (100);
    g_assert_true (ov_attention_panel_cell_center (panel, row, col, &after_x, &after_y));
    g_assert_cmpfloat_with_epsilon (after_x, before_x, 1e-6);
    g_assert_cmpfloat_with_epsilon (after_y, before_y, 1e-6);
  }
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  /* and at a paper column's width (3.3 in, 237.6 points; 2 pixels a point)
   * in the figure's proportions, as the dialog's Size choice asks */
  {
    cairo_surface_t *own = cairo_image_surface_create_from_png (png);
    cairo_surface_t *column;
    double ratio = (double) cairo_image_surface_get_height (own)
                   / cairo_image_surface_get_width (own);

    g_assert_true (ov_attention_panel_export (panel, png, OV_EXPORT_COLUMN_WIDTH, &error));
    g_assert_no_error (error);
    column = cairo_image_surface_create_from_png (png);
    g_assert_cmpint (cairo_image_surface_get_width (column), ==, 476);
    g_assert_cmpfloat_with_epsilon (cairo_image_surface_get_height (column), 475.2 * ratio, 2.0);
    cairo_surface_destroy (own);
    cairo_surface_destroy (column);
  }
  g_remove (png);
  g_rmdir (tmp);

  /* Switching the first tag off changes the panel's input. The panel runs
   * on the new tags with the caption shown, and again once the caption
   * panel's run on them ends with another caption: wait for that run
   * first, so that the caption below is the new input's. */
  cruns = ov_caption_panel_get_n_runs (cpanel);
  item = g_list_model_get_item (ov_session_get_tags (session), 0);
  g_assert_nonnull (item);
  ov_tag_item_set_enabled (item, FALSE);
  {
    g_autofree char *off = ov_session_dup_input_tags (session);

    g_assert_cmpstr (off, !=, tags_before);
    OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (cpanel) > cruns, 60);
    g_assert_cmpuint (ov_caption_panel_get_n_runs (cpanel), >, cruns);
    OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL
                        && g_strcmp0 (run->tags, off) == 0
                        && g_strcmp0 (run->text, ov_caption_panel_get_caption (cpanel)) == 0,
                        60);
    run = ov_attention_panel_get_run (panel);
    g_assert_cmpstr (run->tags, ==, off);
    g_assert_cmpstr (run->text, ==, ov_caption_panel_get_caption (cpanel));
  }
  g_clear_pointer (&fwd, ov_forward_free);
  g_clear_pointer (&enc, ov_encoding_free);
  fwd = engine_caption_step (session, run->text, &enc);
  g_assert_cmpint (run->forward->seq_len, ==, fwd->seq_len);
  layer = 0;
  head = 0;
  row = enc->query_index;
  ov_attention_panel_set_selection (panel, layer, head);
  g_assert_true (ov_attention_panel_cell_center (panel, row, row, &x, &y));
  g_clear_pointer (&tooltip, g_free);
  tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
  g_assert_nonnull (tooltip);
  g_assert_cmpfloat_with_epsilon (value,
                                  fwd->attentions[0][((gsize) row) * fwd->seq_len + row], 1e-6);

  /* A hidden panel does not run, neither on a new input nor on the caption
   * the caption panel gives for it; shown again, it catches up. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fresh), "win.show-panel", "s",
                                             "caption"));
  ov_test_iterate (100);
  runs = ov_attention_panel_get_n_runs (panel);
  cruns = ov_caption_panel_get_n_runs (cpanel);
  ov_tag_item_set_enabled (item, TRUE);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (cpanel) > cruns, 60);
  g_assert_cmpuint (ov_caption_panel_get_n_runs (cpanel), >, cruns);
  /* a run wrongly started would have had its quiet period by now */
  ov_test_iterate (OV_TEST_SETTLE_MS);
  g_assert_cmpuint (ov_attention_panel_get_n_runs (panel), ==, runs);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fresh), "win.show-panel", "s",
                                             "attention"));
  OV_TEST_WAIT_UNTIL (g_strcmp0 (ov_attention_panel_get_run (panel)->tags, tags_before) == 0, 60);
  g_assert_cmpstr (ov_attention_panel_get_run (panel)->tags, ==, tags_before);

  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* Position of the k-th region of enc (from 0), or -1. */
static int
nth_region_position (const OvEncoding *enc,
                     int               S,
                     int               k)
{
  for (int i = 0; i < S; i++)
    if (enc->segments[i] == OV_SEGMENT_REGION && k-- == 0)
      return i;
  return -1;
}

/* The views on the picture: a box's value is the engine's attention of the
 * token on that region; a click on a box shows what attends to it, where a
 * word's value is its attention on the region; a click on the word shows
 * its own attention; the keys go through the tokens; a region switched off
 * leaves the picture and the others keep their numbers; export writes the
 * figure. */
static void
test_attention_picture (void)
{
  g_autoptr(GError) error = NULL;
  OvWindow *fresh;
  OvSession *session;
  OvCaptionPanel *cpanel;
  OvAttentionPanel *panel;
  const OvAttentionRun *run;
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(OvTagItem) item = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *png = NULL;
  GtkWidget *canvas, *label;
  double x, y, value = NAN;
  int S, layer, query, subject = -1, word = -1, p1, best = -1;
  guint cruns;
  Pixels p;

  if ((fresh = open_demo_attention ()) == NULL)
    return;
  session = ov_window_get_session (fresh);
  cpanel = _ov_window_get_caption_panel (fresh);
  panel = _ov_window_get_attention_panel (fresh);
  run = ov_attention_panel_get_run (panel);
  g_assert_nonnull (run->sample);
  g_assert_nonnull (run->picture);
  fwd = engine_caption_step (session, run->text, &enc);
  S = fwd->seq_len;
  layer = fwd->n_layers - 1;
  query = enc->query_index;

  /* The step's [MASK] on every region, last layer, head 0. */
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_PICTURE);
  ov_attention_panel_set_selection (panel, layer, 0);
  ov_test_iterate (200);
  run = ov_attention_panel_get_run (panel);
  canvas = ov_attention_panel_get_canvas (panel);
  g_assert_true (gtk_widget_get_mapped (canvas));
  g_assert_true (ov_attention_panel_get_subject (panel, &subject));
  g_assert_cmpint (subject, ==, query);
  g_assert_cmpuint (run->sample->n_regions, ==, 5);
  for (guint k = 0; k < run->sample->n_regions; k++)
    {
      int pos = nth_region_position (enc, S, (int) k);
      float expected = fwd->attentions[layer][(gsize) query * S + pos];

      g_assert_true (ov_attention_panel_region_center (panel, k, &x, &y));
      g_clear_pointer (&tooltip, g_free);
      tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
      g_assert_nonnull (tooltip);
      g_test_message ("region %u: panel %.9g, engine %.9g; %s", k, value, expected, tooltip);
      g_assert_cmpfloat_with_epsilon (value, expected, 1e-6);
      g_assert_nonnull (strstr (tooltip, run->labels[pos]));
      if (best < 0 || expected > fwd->attentions[layer][(gsize) query * S
                                                       + nth_region_position (enc, S, best)])
        best = (int) k;
    }
  /* the line under the picture names the strongest region */
  label = ov_attention_panel_get_cell_label (panel);
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)),
                            run->labels[nth_region_position (enc, S, best)]));
  /* the picture and the boxes are drawn */
  p = render_widget (canvas);
  g_assert_cmpuint (count_distinct_colors (&p, 0, 0, p.width, p.height), >, 20);
  pixels_free (&p);

  /* A click on region 2's box: what attends to it. */
  g_assert_true (ov_attention_panel_region_center (panel, 1, &x, &y));
  g_assert_true (ov_attention_panel_click (panel, x, y));
  g_assert_cmpint (ov_attention_panel_get_view (panel), ==, OV_ATTENTION_VIEW_REGION);
  g_assert_true (ov_attention_panel_get_subject (panel, &subject));
  g_assert_cmpint (subject, ==, 1);
  p1 = nth_region_position (enc, S, 1);
  for (int i = 0; i < S && word < 0; i++)
    if (enc->segments[i] == OV_SEGMENT_WORD)
      word = i;
  g_assert_cmpint (word, >=, 0);
  ov_test_iterate (100);
  g_assert_true (ov_attention_panel_chip_center (panel, word, &x, &y));
  g_clear_pointer (&tooltip, g_free);
  tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
  g_assert_nonnull (tooltip);
  g_assert_cmpfloat_with_epsilon (value, fwd->attentions[layer][(gsize) word * S + p1], 1e-6);
  /* and a click on that word: its attention on the picture */
  g_assert_true (ov_attention_panel_click (panel, x, y));
  g_assert_cmpint (ov_attention_panel_get_view (panel), ==, OV_ATTENTION_VIEW_PICTURE);
  g_assert_true (ov_attention_panel_get_subject (panel, &subject));
  g_assert_cmpint (subject, ==, word);

  /* The keys: Right goes to the next token, Enter to what attends to the
   * region it attends to most. */
  gtk_widget_grab_focus (canvas);
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Right, 0));
  g_assert_true (ov_attention_panel_get_subject (panel, &subject));
  g_assert_cmpint (subject, ==, word + 1);
  best = -1;
  for (guint k = 0; k < 5; k++)
    if (best < 0 || fwd->attentions[layer][(gsize) (word + 1) * S
                                           + nth_region_position (enc, S, (int) k)]
                    > fwd->attentions[layer][(gsize) (word + 1) * S
                                             + nth_region_position (enc, S, best)])
      best = (int) k;
  g_assert_true (ov_test_press_key (canvas, GDK_KEY_Return, 0));
  g_assert_cmpint (ov_attention_panel_get_view (panel), ==, OV_ATTENTION_VIEW_REGION);
  g_assert_true (ov_attention_panel_get_subject (panel, &subject));
  g_assert_cmpint (subject, ==, best);
  g_assert_false (ov_attention_panel_set_subject (panel, 99));

  /* Export writes the figure shown. */
  tmp = g_dir_make_tmp ("ov-attention-XXXXXX", &error);
  g_assert_no_error (error);
  png = g_build_filename (tmp, "region.png", NULL);
  g_assert_true (ov_attention_panel_export (panel, png, 0, &error));
  g_assert_no_error (error);
  {
    cairo_surface_t *fig = cairo_image_surface_create_from_png (png);

    g_assert_cmpint (cairo_surface_status (fig), ==, CAIRO_STATUS_SUCCESS);
    g_assert_cmpint (cairo_image_surface_get_width (fig), >, 800);
    cairo_surface_destroy (fig);
  }
  g_remove (png);
  g_rmdir (tmp);

  /* Region 1 switched off: it leaves the picture, the others keep their
   * numbers, and the values are those of the new input. */
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_PICTURE);
  cruns = ov_caption_panel_get_n_runs (cpanel);
  item = g_list_model_get_item (ov_session_get_tags (session), 0);
  ov_tag_item_set_region_enabled (item, FALSE);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (cpanel) > cruns, 60);
  OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL
                      && run->sample->n_regions == 4
                      && g_strcmp0 (run->text, ov_caption_panel_get_caption (cpanel)) == 0,
                      60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  run = ov_attention_panel_get_run (panel);
  g_assert_cmpuint (run->sample->n_regions, ==, 4);
  g_assert_cmpuint (ov_sample_region_number (run->sample, 0), ==, 2);
  g_clear_pointer (&fwd, ov_forward_free);
  g_clear_pointer (&enc, ov_encoding_free);
  fwd = engine_caption_step (session, run->text, &enc);
  S = fwd->seq_len;
  g_assert_true (ov_attention_panel_get_subject (panel, &subject));
  g_assert_true (ov_attention_panel_region_center (panel, 0, &x, &y));
  g_clear_pointer (&tooltip, g_free);
  tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "r2 "));
  g_assert_cmpfloat_with_epsilon (value, fwd->attentions[layer][(gsize) subject * S
                                                                + nth_region_position (enc, S, 0)],
                                  1e-6);

  /* Every region off: the views say the model was given none. */
  for (guint k = 1; k < 5; k++)
    {
      g_autoptr(OvTagItem) other = g_list_model_get_item (ov_session_get_tags (session), k);

      ov_tag_item_set_region_enabled (other, FALSE);
    }
  OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL
                      && run->sample->n_regions == 0, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  g_assert_false (gtk_widget_get_mapped (canvas));
  g_assert_false (ov_attention_panel_get_subject (panel, &subject));

  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* The caption words view: a row per word of the Caption panel's caption,
 * each cell the engine's attention of the step that wrote it; the words
 * are the caption's pieces; export writes it. */
static void
test_attention_caption_words (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  OvWindow *fresh;
  OvSession *session;
  OvAttentionPanel *panel;
  const OvAttentionRun *run;
  g_autofree char *tmp = NULL;
  g_autofree char *pdf = NULL;
  int layer;

  if ((fresh = open_demo_attention ()) == NULL)
    return;
  session = ov_window_get_session (fresh);
  panel = _ov_window_get_attention_panel (fresh);
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_CAPTION);
  OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL && run->steps != NULL,
                      60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  run = ov_attention_panel_get_run (panel);
  g_assert_nonnull (run->steps);
  ids = caption_ids (session, run->text);
  g_assert_cmpuint (run->steps->len, ==, ids->len - 1);
  layer = run->forward->n_layers - 1;
  ov_attention_panel_set_selection (panel, layer, 1);
  ov_test_iterate (200);
  g_assert_true (gtk_widget_get_mapped (ov_attention_panel_get_canvas (panel)));
  for (guint k = 0; k < run->steps->len; k += MAX (1, run->steps->len / 3))
    {
      const OvCaptionStep *step = g_ptr_array_index (run->steps, k);
      g_autoptr(OvEncoding) enc = NULL;
      g_autoptr(OvForward) fwd = engine_caption_prefix (session, (const gint32 *) ids->data,
                                                        (int) k + 1, &enc);
      g_autofree char *tooltip = NULL;
      int S = fwd->seq_len, q = enc->query_index, n_tags = 0, region = -1;
      double x, y, value = NAN;
      float expected;

      for (int i = 0; i < S; i++)
        {
          n_tags += enc->segments[i] == OV_SEGMENT_TAG;
          if (region < 0 && enc->segments[i] == OV_SEGMENT_REGION)
            region = i;
        }
      g_assert_cmpint (region, >=, 0);
      g_assert_cmpint (step->seq_len, ==, S);
      /* the first region's column comes after the tags' */
      g_assert_true (ov_attention_panel_caption_cell_center (panel, (int) k, n_tags, &x, &y));
      tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
      g_assert_nonnull (tooltip);
      expected = fwd->attentions[layer][((gsize) 1 * S + q) * S + region];
      g_test_message ("step %u “%s”: panel %.9g, engine %.9g; %s", k, step->word, value,
                      expected, tooltip);
      g_assert_cmpfloat_with_epsilon (value, expected, 1e-6);
      g_assert_nonnull (strstr (tooltip, step->word));
    }

  /* The keys: focus puts the cell on the first word's first column, Down
   * moves it a word; the line names the word and the value. */
  if (run->steps->len > 1)
    {
      GtkWidget *canvas = ov_attention_panel_get_canvas (panel);
      GtkWidget *line = ov_attention_panel_get_cell_label (panel);
      const OvCaptionStep *second = g_ptr_array_index (run->steps, 1);
      g_autofree char *want = g_strdup_printf ("“%s” (word 2)", second->word);

      gtk_widget_grab_focus (canvas);
      ov_test_iterate (100);
      g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (line)), "(word 1)"));
      g_assert_true (ov_test_press_key (canvas, GDK_KEY_Down, 0));
      g_test_message ("%s", gtk_label_get_text (GTK_LABEL (line)));
      g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (line)), want));
    }

  tmp = g_dir_make_tmp ("ov-attention-XXXXXX", &error);
  g_assert_no_error (error);
  pdf = g_build_filename (tmp, "words.pdf", NULL);
  g_assert_true (ov_attention_panel_export (panel, pdf, OV_EXPORT_COLUMN_WIDTH, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  g_remove (pdf);
  g_rmdir (tmp);

  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* Position of label in run, or -1. */
static int
find_label (const OvAttentionRun *run,
            const char           *label)
{
  for (int i = 0; i < run->forward->seq_len; i++)
    if (g_strcmp0 (run->labels[i], label) == 0)
      return i;
  return -1;
}

/* The view since the last change: nothing to compare until the input
 * changes; then each cell is the attention now minus that of the same two
 * tokens before; another image starts again. */
static void
test_attention_change (void)
{
  OvWindow *fresh;
  OvSession *session;
  OvCaptionPanel *cpanel;
  OvAttentionPanel *panel;
  const OvAttentionRun *run, *before;
  g_autoptr(OvTagItem) item = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *tags_before = NULL;
  double x, y, value = NAN;
  int layer, row, col, brow, bcol, S, Sb;
  float expected;
  guint cruns;

  if ((fresh = open_demo_attention ()) == NULL)
    return;
  session = ov_window_get_session (fresh);
  cpanel = _ov_window_get_caption_panel (fresh);
  panel = _ov_window_get_attention_panel (fresh);
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_CHANGE);
  ov_test_iterate (200);
  g_assert_null (ov_attention_panel_get_before_run (panel));
  g_assert_false (gtk_widget_get_mapped (ov_attention_panel_get_canvas (panel)));

  /* The first tag's word out, its region kept. */
  tags_before = ov_session_dup_input_tags (session);
  cruns = ov_caption_panel_get_n_runs (cpanel);
  item = g_list_model_get_item (ov_session_get_tags (session), 0);
  ov_tag_item_set_tag_enabled (item, FALSE);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (cpanel) > cruns, 60);
  OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL
                      && g_strcmp0 (run->tags, tags_before) != 0
                      && g_strcmp0 (run->text, ov_caption_panel_get_caption (cpanel)) == 0, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  run = ov_attention_panel_get_run (panel);
  before = ov_attention_panel_get_before_run (panel);
  g_assert_nonnull (before);
  g_assert_cmpstr (before->tags, ==, tags_before);
  layer = run->forward->n_layers - 1;
  ov_attention_panel_set_selection (panel, layer, 0);
  ov_test_iterate (200);
  g_assert_true (gtk_widget_get_mapped (ov_attention_panel_get_canvas (panel)));

  /* [MASK] on the second region, now and before */
  S = run->forward->seq_len;
  Sb = before->forward->seq_len;
  row = run->encoding->query_index;
  brow = before->encoding->query_index;
  col = find_label (run, "r2 cup");
  bcol = find_label (before, "r2 cup");
  g_assert_cmpint (col, >=, 0);
  g_assert_cmpint (bcol, >=, 0);
  expected = run->forward->attentions[layer][(gsize) row * S + col]
             - before->forward->attentions[layer][(gsize) brow * Sb + bcol];
  g_assert_true (ov_attention_panel_cell_center (panel, row, col, &x, &y));
  tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
  g_assert_nonnull (tooltip);
  g_test_message ("now − before: panel %.9g, runs %.9g; %s", value, expected, tooltip);
  g_assert_cmpfloat_with_epsilon (value, expected, 1e-6);
  save_screenshot (fresh, "OV_TEST_SCREENSHOT_CHANGE");

  /* the same input again (the view of every caption word runs it with its
   * steps) keeps the input before */
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_CAPTION);
  OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL && run->steps != NULL,
                      60);
  g_assert_nonnull (ov_attention_panel_get_before_run (panel));
  g_assert_cmpstr (ov_attention_panel_get_before_run (panel)->tags, ==, tags_before);

  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* With only a VQA checkpoint open the attention tab shows the question the
 * question panel asks, and its values are the engine's. */
static void
test_attention_vqa (void)
{
  g_autofree char *labels = oracle_data ("labels.tsv");
  g_autofree char *features = oracle_data ("features.tsv");
  g_autofree char *hw = oracle_data ("hw.tsv");
  const char *question = "what is the dog lying on?";
  OvWindow *fresh = ov_window_new (app);
  OvSession *session = ov_window_get_session (fresh);
  OvAttentionPanel *panel = _ov_window_get_attention_panel (fresh);
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *tooltip = NULL;
  const OvAttentionRun *run;
  const OvSample *s;
  OvRegions regions;
  GFile *files[3];
  double x, y, value = NAN;
  int S, col = -1;

  files[0] = g_file_new_for_path (labels);
  files[1] = g_file_new_for_path (features);
  files[2] = g_file_new_for_path (hw);
  gtk_window_set_default_size (GTK_WINDOW (fresh), 1280, 800);
  gtk_window_present (GTK_WINDOW (fresh));
  ov_window_open (fresh, vqa_dir, files, 3);
  for (guint i = 0; i < 3; i++)
    g_object_unref (files[i]);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (fresh), 60);
  g_assert_false (ov_session_supports (session, OV_TASK_CAPTION, NULL));
  g_assert_true (ov_session_supports (session, OV_TASK_VQA, NULL));
  /* only a VQA model: the window shows the panel it can run */
  g_assert_cmpstr (_ov_window_get_panel_name (fresh), ==, "question");

  ov_vqa_panel_set_question (_ov_window_get_vqa_panel (fresh), question);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fresh), "win.show-panel", "s",
                                             "attention"));
  OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL
              && g_strcmp0 (run->text, question) == 0, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  run = ov_attention_panel_get_run (panel);
  g_assert_nonnull (run);
  g_assert_cmpint (run->task, ==, OV_TASK_VQA);
  g_assert_cmpstr (run->text, ==, question);

  model = ov_model_load (vqa_dir, NULL, &error);
  g_assert_no_error (error);
  s = ov_session_get_sample (session);
  tags = ov_session_dup_input_tags (session);
  regions = (OvRegions) { s->features, (int) s->n_features, (int) s->feature_dim };
  g_assert_cmpuint (ov_session_get_input_region_count (session), ==, s->n_features);
  enc = ov_model_prepare_vqa (model, question, tags, &regions, &error);
  g_assert_no_error (error);
  fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_ATTENTIONS, NULL, &error);
  g_assert_no_error (error);
  S = fwd->seq_len;
  g_assert_cmpint (run->forward->seq_len, ==, S);
  for (int i = 0; i < S && col < 0; i++)
    if (enc->segments[i] == OV_SEGMENT_TAG)
      col = i;
  g_assert_cmpint (col, >=, 0);

  /* [CLS] (row 0) on the first tag piece, last layer, head 0. */
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_HEATMAP);
  ov_attention_panel_set_selection (panel, fwd->n_layers - 1, 0);
  ov_test_iterate (200);
  g_assert_true (ov_attention_panel_cell_center (panel, 0, col, &x, &y));
  tooltip = ov_attention_panel_dup_tooltip (panel, x, y, &value);
  g_assert_nonnull (tooltip);
  g_assert_cmpfloat_with_epsilon (value,
                                  fwd->attentions[fwd->n_layers - 1][(gsize) col], 1e-6);
  g_assert_nonnull (strstr (tooltip, run->labels[col]));

  /* Features and boxes without a picture: the views on the picture draw
   * the boxes on a blank frame, as the main view does, and export it. */
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_PICTURE);
  ov_test_iterate (100);
  g_assert_null (ov_attention_panel_get_run (panel)->picture);
  g_assert_cmpuint (ov_attention_panel_get_run (panel)->sample->n_regions, >, 0);
  g_assert_true (gtk_widget_get_mapped (ov_attention_panel_get_canvas (panel)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ov_attention_panel_get_cell_label (
                                                  panel))), "attends most to"));
  {
    g_autofree char *png = g_build_filename (g_get_tmp_dir (), "ov-no-picture.png", NULL);

    g_assert_true (ov_attention_panel_export (panel, png, 0, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
    g_unlink (png);
  }

  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* A window of its own on the caption checkpoint and the first oracle
 * image, whatever the tests before did to the shared one. */
static OvWindow *
open_oracle_window (void)
{
  g_autofree char *labels = oracle_data ("labels.tsv");
  g_autofree char *features = oracle_data ("features.tsv");
  g_autofree char *hw = oracle_data ("hw.tsv");
  OvWindow *fresh = ov_window_new (app);
  GFile *files[3];

  files[0] = g_file_new_for_path (labels);
  files[1] = g_file_new_for_path (features);
  files[2] = g_file_new_for_path (hw);
  gtk_window_set_default_size (GTK_WINDOW (fresh), 1280, 800);
  gtk_window_present (GTK_WINDOW (fresh));
  ov_window_open (fresh, caption_dir, files, 3);
  for (guint i = 0; i < 3; i++)
    g_object_unref (files[i]);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (fresh), 60);
  g_assert_null (_ov_window_get_banner_text (fresh));
  g_assert_cmpstr (ov_session_get_sample (ov_window_get_session (fresh))->key, ==,
                   "coco_dog_couch");
  return fresh;
}

/* The tag row titled `title` under root, or NULL. */
static OvTagRow *
find_tag_row (GtkWidget  *root,
              const char *title)
{
  if (OV_IS_TAG_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return OV_TAG_ROW (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      OvTagRow *row = find_tag_row (child, title);

      if (row != NULL)
        return row;
    }
  return NULL;
}

/* The attention panel names each region as the tag list does: its token
 * "rN class" and the row titled "Region N" are the same region, also when
 * regions before it are left out of the input. */
static void
test_region_numbers (void)
{
  OvWindow *fresh = open_oracle_window ();
  OvSession *session = ov_window_get_session (fresh);
  OvAttentionPanel *panel = _ov_window_get_attention_panel (fresh);
  GtkWidget *tag_list = GTK_WIDGET (_ov_window_get_tag_list (fresh));
  g_autoptr(OvTagItem) first = NULL;
  g_autofree char *tags_off = NULL;
  const OvAttentionRun *run;
  const OvSample *s;
  guint n_checked = 0;
  int first_region = -1;

  s = ov_session_get_sample (session);
  first = g_list_model_get_item (ov_session_get_tags (session), 0);
  g_assert_cmpint (ov_tag_item_get_region (first), ==, 0);
  ov_tag_item_set_enabled (first, FALSE);
  tags_off = ov_session_dup_input_tags (session);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fresh), "win.show-panel", "s",
                                             "attention"));
  OV_TEST_WAIT_UNTIL ((run = ov_attention_panel_get_run (panel)) != NULL
              && g_strcmp0 (run->tags, tags_off) == 0, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  run = ov_attention_panel_get_run (panel);
  g_assert_nonnull (run);
  g_assert_cmpstr (run->tags, ==, tags_off);

  for (int i = 0; i < run->forward->seq_len; i++)
    {
      g_autofree char *title = NULL;
      OvTagRow *row;
      OvTagItem *item;
      int number = 0, used = 0;

      if (run->encoding->segments[i] != OV_SEGMENT_REGION)
        continue;
      g_assert_cmpint (sscanf (run->labels[i], "r%d %n", &number, &used), ==, 1);
      g_assert_cmpint (number, >=, 1);
      title = g_strdup_printf ("Region %d", number);
      row = find_tag_row (tag_list, title);
      g_assert_nonnull (row);
      item = ov_tag_row_get_item (row);
      g_assert_cmpstr (run->labels[i] + used, ==, ov_tag_item_get_text (item));
      g_assert_cmpstr (ov_tag_item_get_text (item), ==, s->regions[number - 1].cls);
      g_assert_true (ov_tag_item_get_enabled (item));
      if (first_region < 0)
        first_region = number;
      n_checked++;
    }
  g_test_message ("%u region tokens checked; the first is region %d", n_checked, first_region);
  /* Region 1 is off, so the first region token is region 2. */
  g_assert_cmpint (first_region, ==, 2);
  g_assert_cmpuint (n_checked, ==, ov_session_get_input_region_count (session));
  g_assert_cmpuint (n_checked, ==, s->n_regions - 1);

  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

/* Luminance of the pixel at (x, y), 0..1. */
static double
pixel_luminance (const guchar *data,
                 int           stride,
                 int           x,
                 int           y)
{
  const guchar *px = data + (gsize) y * stride + x * 4;

  return (0.2126 * px[2] + 0.7152 * px[1] + 0.0722 * px[0]) / 255.0;
}

/* Pixels of the top `rows` rows whose luminance is above lo and below hi. */
static guint
count_luminance (const guchar *data,
                 int           stride,
                 int           width,
                 int           rows,
                 double        lo,
                 double        hi)
{
  guint n = 0;

  for (int y = 0; y < rows; y++)
    for (int x = 0; x < width; x++)
      {
        double l = pixel_luminance (data, stride, x, y);

        n += l > lo && l < hi;
      }
  return n;
}

/* In a dark style the attention canvas is dark with light writing; its
 * export stays black on white. */
#define TITLE_ROWS 22   /* the heat map's title band, in canvas pixels; exports are at 2x */

static void
test_attention_dark (void)
{
  OvWindow *fresh = open_oracle_window ();
  OvSession *session = ov_window_get_session (fresh);
  OvAttentionPanel *panel = _ov_window_get_attention_panel (fresh);
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *tags = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *png = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *exported;
  GtkWidget *canvas;
  Pixels dark, light;
  guint dark_light_text, light_dark_text, export_dark_text;

  tags = ov_session_dup_input_tags (session);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fresh), "win.show-panel", "s",
                                             "attention"));
  OV_TEST_WAIT_UNTIL (ov_attention_panel_get_run (panel) != NULL
              && g_strcmp0 (ov_attention_panel_get_run (panel)->tags, tags) == 0, 60);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  ov_attention_panel_set_view (panel, OV_ATTENTION_VIEW_HEATMAP);
  canvas = ov_attention_panel_get_canvas (panel);

  /* the canvas reads its ink from its style, which a frame brings up to
   * date */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frame (canvas);
  g_assert_true (adw_style_manager_get_dark (style));
  dark = render_widget (canvas);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  wait_frame (canvas);
  light = render_widget (canvas);

  /* The corner is ground: dark, then white; the title above the map is
   * light writing on the one and dark on the other. */
  g_test_message ("corner luminance: dark style %.3f, light style %.3f",
                  pixel_luminance (dark.data, dark.stride, 2, 2),
                  pixel_luminance (light.data, light.stride, 2, 2));
  g_assert_cmpfloat (pixel_luminance (dark.data, dark.stride, 2, 2), <, 0.2);
  g_assert_cmpfloat (pixel_luminance (light.data, light.stride, 2, 2), >, 0.95);
  dark_light_text = count_luminance (dark.data, dark.stride, dark.width, TITLE_ROWS, 0.8, 1.01);
  light_dark_text = count_luminance (light.data, light.stride, light.width, TITLE_ROWS,
                                     -0.01, 0.2);
  g_test_message ("title pixels, light on the dark canvas: %u; dark on the light one: %u",
                  dark_light_text, light_dark_text);
  g_assert_cmpuint (dark_light_text, >, 100);
  g_assert_cmpuint (light_dark_text, >, 100);

  /* Exported in the dark style: white ground, dark writing. */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frame (canvas);
  tmp = g_dir_make_tmp ("ov-attention-dark-XXXXXX", &error);
  g_assert_no_error (error);
  png = g_build_filename (tmp, "heatmap.png", NULL);
  g_assert_true (ov_attention_panel_export (panel, png, 0, &error));
  g_assert_no_error (error);
  exported = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (exported), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (exported);
  g_assert_cmpfloat (pixel_luminance (cairo_image_surface_get_data (exported),
                                      cairo_image_surface_get_stride (exported), 2, 2), >, 0.99);
  export_dark_text = count_luminance (cairo_image_surface_get_data (exported),
                                      cairo_image_surface_get_stride (exported),
                                      cairo_image_surface_get_width (exported),
                                      2 * TITLE_ROWS, -0.01, 0.05);
  g_test_message ("black title pixels in the export made in the dark style: %u",
                  export_dark_text);
  /* OV_TEST_DARK_DIR=DIR keeps the dark canvas and its export to look at. */
  if (g_getenv ("OV_TEST_DARK_DIR") != NULL)
    {
      g_autofree char *canvas_png = g_build_filename (g_getenv ("OV_TEST_DARK_DIR"),
                                                      "attention-dark-canvas.png", NULL);
      g_autofree char *export_png = g_build_filename (g_getenv ("OV_TEST_DARK_DIR"),
                                                      "attention-dark-export.png", NULL);
      g_autoptr(GBytes) bytes = g_bytes_new (dark.data, (gsize) dark.stride * dark.height);
      g_autoptr(GdkTexture) t = gdk_memory_texture_new (dark.width, dark.height,
                                                        GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                                        bytes, dark.stride);

      g_assert_true (gdk_texture_save_to_png (t, canvas_png));
      g_assert_cmpint (cairo_surface_write_to_png (exported, export_png), ==,
                       CAIRO_STATUS_SUCCESS);
    }
  g_assert_cmpuint (export_dark_text, >, 100);
  cairo_surface_destroy (exported);
  g_remove (png);
  g_rmdir (tmp);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  pixels_free (&dark);
  pixels_free (&light);
  gtk_window_destroy (GTK_WINDOW (fresh));
  ov_test_iterate (100);
}

static void
subprocess_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Runs `oscarviz ARGS…` to its end while this process serves its calls. */
static void
run_second_instance (const char *const *argv)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (proc, NULL, subprocess_done_cb, &done);
  OV_TEST_WAIT_UNTIL (done, 30);
  g_assert_true (done);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

static gboolean
same_path (const char *a,
           const char *b)
{
  g_autoptr(GFile) fa = a != NULL ? g_file_new_for_path (a) : NULL;
  g_autoptr(GFile) fb = b != NULL ? g_file_new_for_path (b) : NULL;

  return fa != NULL && fb != NULL && g_file_equal (fa, fb);
}

/* A second `oscarviz --model DIR [FILE…]` hands the folder and the files to
 * the instance already running (over a private session bus), which opens
 * them as a first instance would. */
static void
test_second_instance (void)
{
  g_autofree char *labels = oracle_data ("labels.tsv");
  g_autofree char *features = oracle_data ("features.tsv");
  g_autofree char *hw = oracle_data ("hw.tsv");
  g_autofree char *exe = ov_test_oscarviz_path ();
  g_autoptr(GTestDBus) bus = NULL;
  g_autoptr(OvApplication) primary = NULL;
  g_autofree char *display = NULL;
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;
  GList *windows;
  OvWindow *shown;
  OvSession *session;

  if (g_find_program_in_path ("dbus-daemon") == NULL)
    {
      g_test_skip ("dbus-daemon is missing");
      return;
    }
  /* The bus is private to this test; bringing it up clears DISPLAY. */
  display = g_strdup (g_getenv ("DISPLAY"));
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  g_setenv ("DISPLAY", display, TRUE);
  primary = ov_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (primary), NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_application_get_is_remote (G_APPLICATION (primary)));

  /* With files: the open call carries the checkpoint. */
  {
    const char *argv[] = { exe, "--model", caption_dir, labels, features, hw, NULL };

    run_second_instance (argv);
  }
  OV_TEST_WAIT_UNTIL (gtk_application_get_windows (GTK_APPLICATION (primary)) != NULL, 10);
  windows = gtk_application_get_windows (GTK_APPLICATION (primary));
  g_assert_nonnull (windows);
  g_assert_null (windows->next);
  shown = OV_WINDOW (windows->data);
  session = ov_window_get_session (shown);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (shown) && ov_session_get_sample (session) != NULL, 60);
  g_assert_null (_ov_window_get_banner_text (shown));
  g_assert_true (same_path (ov_session_get_model_path (session, OV_MODEL_KIND_CAPTION),
                            caption_dir));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_dog_couch");
  /* The checkpoint given replaces the demo: no VQA model came along. */
  g_assert_null (ov_session_get_model_path (session, OV_MODEL_KIND_CLASSIFIER));

  /* Without files: the activate call carries it, to the same window. */
  {
    const char *argv[] = { exe, "--model", vqa_dir, NULL };

    run_second_instance (argv);
  }
  OV_TEST_WAIT_UNTIL (ov_session_get_model_path (session, OV_MODEL_KIND_CLASSIFIER) != NULL
              && !ov_window_is_loading (shown), 60);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (primary))->next);
  g_assert_true (same_path (ov_session_get_model_path (session, OV_MODEL_KIND_CLASSIFIER),
                            vqa_dir));
  g_assert_true (ov_session_supports (session, OV_TASK_VQA, NULL));
  g_assert_cmpstr (ov_session_get_sample (session)->key, ==, "coco_dog_couch");

  /* A bundled model by name, as every command takes it. */
  {
    const char *argv[] = { exe, "--model", "demo-pretrain", NULL };
    g_autofree char *pretrain_dir = ov_demo_find ("demo-pretrain", &error);

    g_assert_no_error (error);
    run_second_instance (argv);
    OV_TEST_WAIT_UNTIL (ov_session_get_model_path (session, OV_MODEL_KIND_PRETRAIN) != NULL
                && !ov_window_is_loading (shown), 60);
    g_assert_true (same_path (ov_session_get_model_path (session, OV_MODEL_KIND_PRETRAIN),
                              pretrain_dir));
    g_assert_null (_ov_window_get_banner_text (shown));
  }

  gtk_window_destroy (GTK_WINDOW (shown));
  ov_test_iterate (100);
  /* GTK keeps the application, and so its connection, alive to the end of
   * the process: stop the bus without waiting for the connection to go,
   * and without the session bus's exit when it closes. */
  connection = g_application_get_dbus_connection (G_APPLICATION (primary));
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  g_clear_object (&primary);
  g_test_dbus_stop (bus);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  test_bus = g_steal_pointer (&bus);
}

/* Faults while the window works */

static void
copy_file (const char *from_dir,
           const char *to_dir,
           const char *name)
{
  g_autofree char *from = g_build_filename (from_dir, name, NULL);
  g_autofree char *to = g_build_filename (to_dir, name, NULL);
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
}

typedef void (*FaultFunc) (const char *dir);

/* Opens a copy of the VQA checkpoint whose vocab.txt is a named pipe: the
 * loader reads config.json, then waits on the pipe. While it waits, fault
 * does its damage; then the vocabulary goes down the pipe and the load goes
 * on against what is left. Returns the banner's text (NULL: none). */
static char *
load_with_fault (FaultFunc fault)
{
  OvSession *session = ov_window_get_session (window);
  g_autofree char *dir = g_dir_make_tmp ("ov-fault-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "vocab.txt", NULL);
  g_autofree char *vocab_src = g_build_filename (vqa_dir, "vocab.txt", NULL);
  g_autofree char *vocab = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;
  gsize len, done = 0;
  gint64 deadline;
  int fd = -1;

  copy_file (vqa_dir, dir, "config.json");
  copy_file (vqa_dir, dir, "pytorch_model.bin");
  g_assert_true (g_file_get_contents (vocab_src, &vocab, &len, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  ov_window_open (window, dir, NULL, 0);
  g_assert_true (ov_window_is_loading (window));
  /* the pipe opens for writing once the loader has opened it for reading */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while ((fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0
         && g_get_monotonic_time () < deadline)
    ov_test_iterate (5);
  g_assert_cmpint (fd, >=, 0);
  fault (dir);
  g_assert_cmpint (fcntl (fd, F_SETFL, 0), ==, 0);
  while (done < len)
    {
      gssize w = write (fd, vocab + done, len - done);

      g_assert_cmpint (w, >, 0);
      done += (gsize) w;
    }
  close (fd);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_false (ov_window_is_loading (window));

  /* the checkpoints open before are still the session's */
  g_assert_cmpstr (ov_session_get_model_path (session, OV_MODEL_KIND_CAPTION), ==, caption_dir);
  g_assert_cmpstr (ov_session_get_model_path (session, OV_MODEL_KIND_CLASSIFIER), !=, dir);

  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
  return g_strdup (_ov_window_get_banner_text (window));
}

static void
delete_folder (const char *dir)
{
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);
  g_autofree char *bin = g_build_filename (dir, "pytorch_model.bin", NULL);

  g_assert_cmpint (g_remove (bin), ==, 0);
  g_assert_cmpint (g_remove (config), ==, 0);
}

/* as `cp other pytorch_model.bin` does: the same file, truncated and
 * written again, here with a third of what was there */
static void
rewrite_weights (const char *dir)
{
  g_autofree char *bin = g_build_filename (dir, "pytorch_model.bin", NULL);
  g_autofree char *data = NULL;
  gsize len;
  int fd;

  g_assert_true (g_file_get_contents (bin, &data, &len, NULL));
  fd = open (bin, O_WRONLY | O_TRUNC | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, data, len / 3), ==, (gssize) (len / 3));
  close (fd);
}

/* The window stays usable: a tag switched off re-runs the caption. */
static void
assert_usable (void)
{
  OvCaptionPanel *panel = _ov_window_get_caption_panel (window);
  g_autoptr(OvTagItem) item = tag_at (1);
  gboolean on;
  guint runs;

  ov_test_iterate (OV_TEST_SETTLE_MS);
  runs = ov_caption_panel_get_n_runs (panel);
  g_assert_nonnull (item);
  on = ov_tag_item_get_enabled (item);
  ov_tag_item_set_enabled (item, !on);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_caption_panel_get_n_runs (panel), >, runs);
  /* the run with the tag back on must end too, or a slow build reads the
   * caption of the run without it */
  runs = ov_caption_panel_get_n_runs (panel);
  ov_tag_item_set_enabled (item, on);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_caption_panel_get_n_runs (panel), >, runs);
  ov_test_iterate (OV_TEST_SETTLE_MS);
}

/* A checkpoint folder deleted, or its weights rewritten in place, while it
 * loads: the banner names what went wrong and the window goes on. */
static void
test_fault_while_loading (void)
{
  g_autofree char *banner = NULL;

  open_oracle ();
  banner = load_with_fault (delete_folder);
  g_test_message ("deleted: %s", banner);
  g_assert_nonnull (banner);
  g_assert_nonnull (strstr (banner, "ov-fault-"));
  g_assert_nonnull (strstr (banner, "no weights"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-banner", NULL));
  assert_usable ();

  g_free (banner);
  banner = load_with_fault (rewrite_weights);
  g_test_message ("rewritten: %s", banner);
  g_assert_nonnull (banner);
  g_assert_nonnull (strstr (banner, "pytorch_model.bin"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-banner", NULL));
  assert_usable ();
}

/* The weights file of the open captioning model is rewritten in place
 * (truncated to a third) after it loaded: a mapped file would lose its pages
 * under the model (SIGBUS); the window's private copy keeps captioning, and
 * gives the engine's caption for the original weights. */
static void
test_fault_weights_rewritten (void)
{
  OvSession *session = ov_window_get_session (window);
  OvCaptionPanel *panel = _ov_window_get_caption_panel (window);
  g_autofree char *dir = g_dir_make_tmp ("ov-fault-open-XXXXXX", NULL);
  static const char *const names[] = { "config.json", "vocab.txt", "added_tokens.json",
                                       "special_tokens_map.json", "training_args.bin",
                                       "pytorch_model.bin" };
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  open_oracle ();
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    copy_file (caption_dir, dir, names[i]);
  ov_window_open (window, dir, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_null (_ov_window_get_banner_text (window));
  g_assert_cmpstr (ov_session_get_model_path (session, OV_MODEL_KIND_CAPTION), ==, dir);
  ov_test_iterate (OV_TEST_SETTLE_MS);
  OV_TEST_WAIT_UNTIL (ov_caption_panel_get_caption (panel) != NULL, 60);

  /* assert_usable waits for both of its runs, so the caption it leaves was
   * made from the private copy after the rewrite */
  rewrite_weights (dir);
  assert_usable ();
  model = ov_model_load (caption_dir, NULL, &error);
  g_assert_no_error (error);
  expected = engine_caption (model);
  g_assert_cmpstr (ov_caption_panel_get_caption (panel), ==, expected);

  /* back to the shared checkpoint for the tests that follow */
  ov_window_open (window, caption_dir, NULL, 0);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  g_assert_cmpstr (ov_session_get_model_path (session, OV_MODEL_KIND_CAPTION), ==, caption_dir);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

/* The disk fills while a figure is exported over an earlier one: a file-size
 * limit (RLIMIT_FSIZE, as a full disk, makes the write fail) stops the
 * write; the toast names the file; the earlier export is intact and no
 * temporary file is left; the next export works. */
static void
test_fault_export_disk_full (void)
{
  OvAttentionPanel *panel = _ov_window_get_attention_panel (window);
  g_autofree char *dir = g_dir_make_tmp ("ov-fault-export-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "figure.png", NULL);
  g_autofree char *first = NULL;
  g_autofree char *after = NULL;
  gsize first_len, after_len;
  struct rlimit old, small;
  g_autoptr(GDir) d = NULL;
  const char *toast;
  guint n_files = 0, runs;

  open_oracle ();
  /* the shared window's panel may have run in an earlier test */
  runs = ov_attention_panel_get_n_runs (panel);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-panel", "s",
                                             "attention"));
  OV_TEST_WAIT_UNTIL (ov_attention_panel_get_n_runs (panel) > runs, 60);
  g_assert_cmpuint (ov_attention_panel_get_n_runs (panel), >, runs);
  g_assert_true (ov_attention_panel_save (panel, png, 0));
  g_assert_true (g_file_get_contents (png, &first, &first_len, NULL));
  g_assert_cmpuint (first_len, >, 4096);

  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old), ==, 0);
  small = old;
  small.rlim_cur = 4096;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  g_assert_false (ov_attention_panel_save (panel, png, 0));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old), ==, 0);

  toast = _ov_window_get_toast_text (window);
  g_test_message ("toast: %s", toast);
  g_assert_nonnull (toast);
  g_assert_nonnull (strstr (toast, png));
  g_assert_true (g_file_get_contents (png, &after, &after_len, NULL));
  g_assert_cmpuint (after_len, ==, first_len);
  g_assert_cmpint (memcmp (first, after, first_len), ==, 0);
  d = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (d) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);

  g_assert_true (ov_attention_panel_save (panel, png, 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-panel", "s",
                                             "caption"));
  assert_usable ();
  g_remove (png);
  g_rmdir (dir);
}

/* An LXMERT TSV opened with a names file has its class ids named, as the
 * commands' --class-names names them; opened alone, its placeholder
 * classes come with a warning. */
static void
test_lxmert_class_names (void)
{
  OvSession *session = ov_window_get_session (window);
  g_autofree char *dir = g_dir_make_tmp ("ov-lxmert-XXXXXX", NULL);
  g_autofree char *lx = g_build_filename (dir, "lxmert.tsv", NULL);
  g_autofree char *names = g_build_filename (dir, "objects_vocab.txt", NULL);
  float boxes[8] = { 1, 2, 30, 40, 5, 6, 50, 60 }, conf[2] = { 0.75f, 0.5f };
  gint64 ids[2] = { 0, 2 }, attrs[2] = { 1, 0 };
  g_autofree float *f = g_new0 (float, 2 * 2048);
  g_autofree char *bb = g_base64_encode ((const guchar *) boxes, sizeof boxes);
  g_autofree char *fb = g_base64_encode ((const guchar *) f, 2 * 2048 * sizeof (float));
  g_autofree char *ib = g_base64_encode ((const guchar *) ids, sizeof ids);
  g_autofree char *ab = g_base64_encode ((const guchar *) attrs, sizeof attrs);
  g_autofree char *cb = g_base64_encode ((const guchar *) conf, sizeof conf);
  g_autofree char *row = g_strdup_printf ("img7\t80\t100\t%s\t%s\t%s\t%s\t2\t%s\t%s\n", ib, cb,
                                          ab, cb, bb, fb);
  GFile *files[2];
  const OvSample *s;

  g_assert_true (g_file_set_contents (lx, row, -1, NULL));
  g_assert_true (g_file_set_contents (names, "yolk\nstop sign,stopsign\ndog\n", -1, NULL));
  files[0] = g_file_new_for_path (lx);
  files[1] = g_file_new_for_path (names);
  ov_window_open (window, caption_dir, files, 2);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  s = ov_session_get_sample (session);
  g_assert_cmpstr (s->key, ==, "img7");
  g_assert_cmpstr (s->regions[0].cls, ==, "yolk");
  g_assert_cmpstr (s->regions[1].cls, ==, "dog");
  g_assert_false (s->classes_unnamed);

  ov_window_open (window, caption_dir, files, 1);
  OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window), 60);
  s = ov_session_get_sample (session);
  g_assert_cmpstr (s->regions[1].cls, ==, "class2");
  g_assert_true (s->classes_unnamed);
  g_assert_cmpuint (s->warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (s->warnings, 0), "--class-names"));
  for (guint i = 0; i < 2; i++)
    g_object_unref (files[i]);
  g_remove (lx);
  g_remove (names);
  g_rmdir (dir);
  open_oracle ();
}

int
main (int argc, char **argv)
{
  static const struct { const char *path; GTestFunc func; } tests[] = {
    { "/ui/window/opens", test_opens },
    { "/ui/window/draws-regions", test_draws_regions },
    { "/ui/window/caption", test_caption },
    { "/ui/window/tag-off-reruns", test_tag_off_reruns },
    { "/ui/window/tags-edit", test_tags_edit },
    { "/ui/window/tag-edit-focus", test_tag_edit_focus },
    { "/ui/window/step-samples", test_step_samples },
    { "/ui/window/open-at-sample", test_open_at_sample },
    { "/ui/window/show-panel-focus", test_show_panel_focus },
    { "/ui/window/previous-caption", test_previous_caption },
    { "/ui/window/question", test_question },
    { "/ui/window/question-reference", test_question_reference },
    { "/ui/window/bad-checkpoint", test_bad_checkpoint },
    { "/ui/window/cancel-load", test_cancel_load },
    { "/ui/window/mask-match", test_mask_match },
    { "/ui/window/image", test_image },
    { "/ui/window/demo", test_demo },
    { "/ui/window/file-without-model", test_file_without_model },
    { "/ui/window/last-open-wins", test_last_open_wins },
    { "/ui/window/attention", test_attention },
    { "/ui/window/attention-vqa", test_attention_vqa },
    { "/ui/window/attention-picture", test_attention_picture },
    { "/ui/window/attention-caption-words", test_attention_caption_words },
    { "/ui/window/attention-change", test_attention_change },
    { "/ui/window/region-numbers", test_region_numbers },
    { "/ui/window/attention-dark", test_attention_dark },
    { "/ui/window/shown-classes", test_shown_classes },
    { "/ui/window/lxmert-class-names", test_lxmert_class_names },
    { "/ui/window/fault-while-loading", test_fault_while_loading },
    { "/ui/window/fault-weights-rewritten", test_fault_weights_rewritten },
    { "/ui/window/fault-export-disk-full", test_fault_export_disk_full },
    /* Last: it puts a session bus in the environment. */
    { "/ui/window/second-instance", test_second_instance },
  };
  int status;

  g_test_init (&argc, &argv, NULL);
  ov_test_window_env ();

  if (!ov_test_start_xvfb ("1280x800", &xvfb) || !gtk_init_check ())
    {
      int skipped;

      for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
        g_test_add_data_func (tests[i].path, tests[i].path, ov_test_skip_no_display);
      skipped = g_test_run ();
      /* Xvfb may have started and GTK still failed to open it */
      ov_test_stop_xvfb (&xvfb);
      return skipped;
    }

  caption_dir = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny", NULL);
  vqa_dir = ov_test_shared_path ("oracle", "checkpoints", "vqa_tiny_imgln", NULL);

  app = ov_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  window = ov_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  ov_test_iterate (200);

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add_func (tests[i].path, tests[i].func);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  ov_test_iterate (100);
  g_clear_object (&app);
  ov_test_stop_xvfb (&xvfb);
  return status;
}
