/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The window's embeddings panel on the bundled demo, under a private Xvfb:
 * the pass gives what the headless pass gives, t-SNE converges to exactly
 * the engine's map, the legend hides a class, a click on a point shows its
 * image with the region selected, a lasso lists the points inside, files
 * round-trip and export, a second model is compared, and cancelling leaves
 * the window usable. With OV_SCREENSHOT_DIR set, /ui/embed/screenshots
 * writes the panel at 1280x800 and 1920x1080, light and dark, before and
 * after a run. Skipped only when no display can be started.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "data/ov-dataset.h"
#include "data/ov-demo.h"
#include "ui/ov-application.h"
#include "ui/ov-panel-util.h"
#include "ui/ov-window-private.h"
#include "viz/ov-draw.h"
#include "viz/ov-embed.h"
#include "viz/ov-tsne.h"
#include "ov-test-ui.h"
#include "ov-test-util.h"

static GSubprocess   *xvfb;
static OvApplication *app;
static OvWindow      *window;

static OvEmbedPanel *
panel (void)
{
  return _ov_window_get_embed_panel (window);
}

static char *
demo_model (const char *name)
{
  g_autoptr(GError) error = NULL;
  char *dir = ov_demo_find (name, &error);

  g_assert_no_error (error);
  return dir;
}

/* The demo: three models and the held-out scenes, as the window opens it. */
static void
ensure_demo (void)
{
  OvSession *session = ov_window_get_session (window);

  if (ov_session_get_sample (session) == NULL)
    {
      ov_window_open (window, NULL, NULL, 0);
      OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window)
                          && ov_session_get_sample (session) != NULL, 60);
    }
  g_assert_nonnull (ov_session_get_sample (session));
  g_assert_nonnull (ov_session_get_model_path (session, OV_MODEL_KIND_CAPTION));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-panel", "s",
                                             "embeddings"));
  ov_test_iterate (100);
}

/* Runs a pass with the panel's current options to its end (and the
 * t-SNE it starts). */
static void
collect_and_map (void)
{
  guint passes = ov_embed_panel_get_n_passes (panel ());
  guint maps = ov_embed_panel_get_n_maps (panel ());

  ov_embed_panel_collect (panel ());
  /* while it runs, no invitation to do what is being done */
  g_assert_false (ov_embed_panel_shows_invitation (panel ()));
  OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_passes (panel ()) > passes, 120);
  g_assert_cmpuint (ov_embed_panel_get_n_passes (panel ()), ==, passes + 1);
  g_assert_false (ov_embed_panel_shows_invitation (panel ()));
  OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_maps (panel ()) > maps, 120);
  g_assert_cmpuint (ov_embed_panel_get_n_maps (panel ()), ==, maps + 1);
  g_assert_false (ov_embed_panel_is_busy (panel ()));
  g_assert_false (ov_embed_panel_shows_invitation (panel ()));
  ov_test_iterate (100);
}

static void
ensure_map (void)
{
  guint n = 0;

  ensure_demo ();
  if (ov_embed_panel_get_positions (panel (), &n) != NULL
      && ov_embed_panel_get_embeddings (panel (), 1) == NULL)
    return;
  ov_embed_panel_set_compare (panel (), NULL);
  ov_embed_panel_set_layers (panel (), "all");
  ov_embed_panel_set_limit (panel (), 0);
  collect_and_map ();
}

static OvModel *
load_demo (const char *name)
{
  g_autofree char *dir = demo_model (name);
  g_autoptr(GError) error = NULL;
  OvModel *model = ov_model_load (dir, NULL, &error);

  g_assert_no_error (error);
  return model;
}

/* What `oscarviz embed --layer all` collects over the demo scenes. */
static OvEmbeddings *
headless_pass (OvModel *model)
{
  g_autofree char *yaml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvDataset) ds = NULL;
  g_autofree int *layers = NULL;
  OvEmbeddings *emb;
  guint n_layers;

  yaml = ov_demo_find_dataset ("demo", &error);
  g_assert_no_error (error);
  ds = ov_dataset_open (yaml, NULL, &error);
  g_assert_no_error (error);
  layers = ov_embed_parse_layers ("all", ov_model_get_config (model)->num_hidden_layers,
                                  &n_layers, &error);
  g_assert_no_error (error);
  emb = ov_embed_collect_dataset (model, ds, 0, layers, n_layers, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return emb;
}

static void
assert_same_embeddings (const OvEmbeddings *got,
                        const OvEmbeddings *want)
{
  double max_diff = 0.0;

  g_assert_cmpuint (got->n, ==, want->n);
  g_assert_cmpuint (got->n_layers, ==, want->n_layers);
  g_assert_cmpuint (got->hidden, ==, want->hidden);
  g_assert_cmpuint (got->class_names->len, ==, want->class_names->len);
  g_assert_cmpuint (got->image_keys->len, ==, want->image_keys->len);
  for (guint i = 0; i < got->n; i++)
    {
      g_assert_cmpint (got->classes[i], ==, want->classes[i]);
      g_assert_cmpint (got->modality[i], ==, want->modality[i]);
      g_assert_cmpint (got->images[i], ==, want->images[i]);
      g_assert_cmpint (got->positions[i], ==, want->positions[i]);
      g_assert_cmpint (got->regions[i], ==, want->regions[i]);
      g_assert_cmpstr (g_ptr_array_index (got->tokens, i), ==,
                       g_ptr_array_index (want->tokens, i));
    }
  for (guint k = 0; k < got->n_layers; k++)
    {
      double d;

      g_assert_cmpint (got->layers[k], ==, want->layers[k]);
      /* The same engine on the same input; threads may split sums apart. */
      g_assert_true (ov_test_allclose (got->vectors[k], want->vectors[k],
                                       (gsize) got->n * got->hidden, 1e-5, 1e-5, &d));
      max_diff = MAX (max_diff, d);
    }
  g_test_message ("max |panel - headless| = %.3g over %u points", max_diff, got->n);
}

/* /ui/embed/pass: the panel's pass over the demo equals ov_embed's. */
static void
test_pass (void)
{
  g_autoptr(OvModel) model = load_demo ("demo");
  g_autoptr(OvEmbeddings) want = headless_pass (model);
  const OvEmbeddings *got;
  guint n_tags = 0;

  ensure_map ();
  got = ov_embed_panel_get_embeddings (panel (), 0);
  g_assert_nonnull (got);
  assert_same_embeddings (got, want);
  for (guint i = 0; i < got->n; i++)
    n_tags += got->modality[i] == OV_EMBED_TAG;
  g_assert_cmpuint (n_tags, >, 0);
  g_assert_cmpuint (n_tags, <, got->n);
  /* Every layer: the alignment numbers have one row each. */
  g_assert_nonnull (ov_embed_panel_get_alignment (panel (), 0));
  g_assert_cmpuint (ov_embed_panel_get_alignment (panel (), 0)->n_layers, ==, got->n_layers);
  /* and the per-class table, at the last layer and at the first, a row
   * per class with the alignment's own numbers */
  {
    const OvAlignment *a = ov_embed_panel_get_alignment (panel (), 0);
    GtkGrid *grid = GTK_GRID (ov_embed_panel_get_class_table (panel ()));

    for (int pick = 0; pick < 2; pick++)
      {
        guint l = pick == 0 ? a->n_layers - 1 : 0;
        const OvAlignLayer *al = &a->layers[l];

        if (pick == 1)
          g_assert_true (ov_embed_panel_set_class_layer (panel (), al->layer));
        for (guint c = 0; c < a->n_classes; c++)
          {
            GtkWidget *name = gtk_grid_get_child_at (grid, 0, 1 + (int) c);
            GtkWidget *intra = gtk_grid_get_child_at (grid, 2, 1 + (int) c);
            GtkWidget *nn_set = gtk_grid_get_child_at (grid, 5, 1 + (int) c);
            g_autofree char *want_intra = isnan (al->intra[c]) ? g_strdup ("–")
                                          : g_strdup_printf ("%.4f", al->intra[c]);
            g_autofree char *want_nn = isnan (al->nn_dataset[c]) ? g_strdup ("–")
                                       : g_strdup_printf ("%.4f", al->nn_dataset[c]);

            g_assert_nonnull (name);
            g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (name)), ==, a->class_names[c]);
            g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (intra)), ==, want_intra);
            g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (nn_set)), ==, want_nn);
          }
        g_assert_null (gtk_grid_get_child_at (grid, 0, 1 + (int) a->n_classes));
      }
    g_assert_false (ov_embed_panel_set_class_layer (panel (), 99));
  }
}

/* /ui/embed/tsne: frames arrive while it runs, the KL falls, and the map
 * drawn is the engine's own output for the same parameters. */
static void
test_tsne (void)
{
  const OvEmbeddings *emb;
  OvTsneParams params;
  g_autofree float *Y = NULL;
  g_autoptr(GError) error = NULL;
  OvScatterView *view;
  const float *xy;
  double first, last;
  guint n = 0;
  int layer;

  ensure_map ();
  /* A longer run, so several frames are drawn on the way. */
  ov_embed_panel_set_tsne_options (panel (), 12, 7, 1500);
  {
    guint maps = ov_embed_panel_get_n_maps (panel ());
    guint frames = ov_embed_panel_get_n_frames (panel ());

    ov_embed_panel_run_tsne (panel ());
    g_assert_true (ov_embed_panel_is_busy (panel ()));
    OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_maps (panel ()) > maps, 120);
    g_assert_cmpuint (ov_embed_panel_get_n_frames (panel ()), >, frames + 1);
  }
  emb = ov_embed_panel_get_embeddings (panel (), 0);
  xy = ov_embed_panel_get_positions (panel (), &n);
  g_assert_nonnull (xy);
  g_assert_cmpuint (n, ==, emb->n);
  ov_embed_panel_get_tsne_params (panel (), &params, &layer);
  g_assert_cmpfloat (params.perplexity, ==, 12.0);
  g_assert_cmpuint (params.seed, ==, 7);
  g_assert_cmpint (params.n_iter, ==, 1500);
  g_assert_cmpint (layer, ==, emb->layers[0]);
  /* It converged: the final map fits P better than the first one drawn. */
  {
    g_autoptr(OvTsneAffinities) P = NULL;
    const float *early = ov_embed_panel_get_first_frame (panel ());

    g_assert_nonnull (early);
    P = ov_tsne_affinities_new (ov_embeddings_get_layer (emb, layer), n, emb->hidden,
                                params.perplexity, params.knn, params.knn_exact_max_n,
                                params.seed, 1, NULL, &error);
    g_assert_no_error (error);
    first = ov_tsne_kl_divergence (P, early, 1);
    last = ov_tsne_kl_divergence (P, xy, 1);
    g_test_message ("KL %.4f at the first frame drawn, %.4f at the end", first, last);
    g_assert_cmpfloat (last, <, first);
  }

  Y = g_new (float, 2 * (gsize) n);
  g_assert_true (ov_tsne_run (ov_embeddings_get_layer (emb, layer), n, emb->hidden, &params, Y,
                              NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Same seed and threads: bit for bit. */
  g_assert_cmpmem (xy, sizeof (float) * 2 * n, Y, sizeof (float) * 2 * n);

  /* What the canvas plots is those positions. */
  view = ov_scatter_canvas_get_view (ov_embed_panel_get_canvas (panel ()));
  g_assert_nonnull (view);
  ov_scatter_canvas_layout (ov_embed_panel_get_canvas (panel ()));
  for (guint i = 0; i < n; i++)
    {
      double px, py, wx, wy;

      g_assert_true (ov_scatter_view_get_point (view, i, &px, &py));
      ov_scatter_view_data_to_view (view, Y[2 * i], Y[2 * i + 1], &wx, &wy);
      g_assert_cmpfloat_with_epsilon (px, wx, 1e-9);
      g_assert_cmpfloat_with_epsilon (py, wy, 1e-9);
    }
}

/* /ui/embed/legend: a click on a legend row hides that class's points. */
/* /ui/embed/colours: with a map shown, the window colours its classes as
 * `oscarviz tsne` colours the same file (a palette made for the map's
 * classes), the picture's classes being among them. */
static void
test_colours (void)
{
  OvSession *session = ov_window_get_session (window);
  g_autoptr(OvPalette) figure = ov_palette_new ();
  const OvEmbeddings *emb;
  const OvSample *sample;

  ensure_map ();
  emb = ov_embed_panel_get_embeddings (panel (), 0);
  sample = ov_session_get_sample (session);
  g_assert_nonnull (sample);
  ov_palette_assign (figure, (const char *const *) emb->class_names->pdata,
                     emb->class_names->len);
  for (guint c = 0; c < emb->class_names->len; c++)
    {
      const char *name = g_ptr_array_index (emb->class_names, c);

      g_assert_cmpuint (ov_palette_index (ov_session_get_palette (session), name), ==,
                        ov_palette_index (figure, name));
    }
  for (guint r = 0; r < sample->n_regions; r++)
    g_assert_cmpuint (ov_palette_index (ov_session_get_palette (session),
                                        sample->regions[r].cls), ==,
                      ov_palette_index (figure, sample->regions[r].cls));
}

static void
test_legend (void)
{
  OvScatterCanvas *canvas;
  OvScatterView *view;
  const OvEmbeddings *emb;
  OvRect r;
  guint cls = 1, n_cls = 0, shown = 0;

  ensure_map ();
  canvas = ov_embed_panel_get_canvas (panel ());
  view = ov_scatter_canvas_get_view (canvas);
  emb = ov_embed_panel_get_embeddings (panel (), 0);
  ov_scatter_canvas_layout (canvas);
  g_assert_true (ov_scatter_view_get_legend_rect (view, cls, &r));
  ov_scatter_canvas_click (canvas, r.x + 5, r.y + r.height / 2);
  g_assert_false (ov_scatter_canvas_get_class_visible (canvas, cls));
  for (guint i = 0; i < emb->n; i++)
    {
      gboolean drawn = ov_scatter_view_get_point (view, i, NULL, NULL);

      if ((guint) emb->classes[i] == cls)
        {
          n_cls++;
          g_assert_false (drawn);
        }
      else
        shown += drawn;
    }
  g_assert_cmpuint (n_cls, >, 0);
  g_assert_cmpuint (shown, ==, emb->n - n_cls);
  /* Hit-testing skips the hidden points too. */
  for (guint i = 0; i < emb->n; i++)
    if ((guint) emb->classes[i] != cls)
      {
        double x, y;
        int hit;

        ov_scatter_view_get_point (view, i, &x, &y);
        hit = ov_scatter_view_hit (view, x, y, 6);
        g_assert_cmpint (hit, >=, 0);
        g_assert_cmpuint (emb->classes[hit], !=, cls);
      }
  /* The same click shows it again. */
  ov_scatter_canvas_click (canvas, r.x + 5, r.y + r.height / 2);
  g_assert_true (ov_scatter_canvas_get_class_visible (canvas, cls));
  g_assert_true (ov_scatter_view_get_point (view, 0, NULL, NULL));
}

/* /ui/embed/click: a click on a region's point shows its image with that
 * region selected in the picture and the tag list. */
static void
test_click (void)
{
  OvSession *session = ov_window_get_session (window);
  OvScatterCanvas *canvas;
  OvScatterView *view;
  const OvEmbeddings *emb;
  const OvSample *sample;
  OvTagItem *selected;
  int picked = -1;

  ensure_map ();
  canvas = ov_embed_panel_get_canvas (panel ());
  view = ov_scatter_canvas_get_view (canvas);
  emb = ov_embed_panel_get_embeddings (panel (), 0);
  sample = ov_session_get_sample (session);
  ov_scatter_canvas_layout (canvas);
  /* A region of another image whose marker is the nearest to its centre
   * (t-SNE may stack points). */
  for (guint i = 0; i < emb->n && picked < 0; i++)
    {
      double x, y;
      const char *key = g_ptr_array_index (emb->image_keys, emb->images[i]);

      if (emb->modality[i] != OV_EMBED_REGION || emb->regions[i] < 1
          || g_strcmp0 (key, sample->key) == 0)
        continue;
      ov_scatter_view_get_point (view, i, &x, &y);
      if (ov_scatter_view_hit (view, x, y, 6) == (int) i)
        picked = (int) i;
    }
  g_assert_cmpint (picked, >=, 0);
  {
    double x, y;
    const char *key = g_ptr_array_index (emb->image_keys, emb->images[picked]);

    ov_scatter_view_get_point (view, picked, &x, &y);
    g_assert_cmpint (ov_scatter_canvas_click (canvas, x, y), ==, picked);
    OV_TEST_WAIT_UNTIL (!ov_window_is_loading (window) && ov_session_get_sample (session) != NULL
                && g_strcmp0 (ov_session_get_sample (session)->key, key) == 0
                && ov_image_view_get_selected (_ov_window_get_image_view (window)) != NULL, 30);
    g_assert_cmpstr (ov_session_get_sample (session)->key, ==, key);
  }
  selected = ov_image_view_get_selected (_ov_window_get_image_view (window));
  g_assert_nonnull (selected);
  g_assert_cmpint (ov_tag_item_get_region (selected), ==, emb->regions[picked]);
  g_assert_cmpstr (ov_tag_item_get_text (selected), ==,
                   g_ptr_array_index (emb->class_names, emb->classes[picked]));
  /* The region's box is the point's. */
  {
    const OvRegion *reg = &ov_session_get_sample (session)->regions[emb->regions[picked]];

    g_assert_cmpfloat (emb->boxes[picked * 4 + 0], ==, (float) reg->x1);
    g_assert_cmpfloat (emb->boxes[picked * 4 + 3], ==, (float) reg->y2);
  }
  /* One point selected: the map marks it, the list stays for groups. */
  {
    guint n;

    ov_scatter_canvas_get_selection (canvas, &n);
    g_assert_cmpuint (n, ==, 1);
  }
}

/* The pixels of the canvas as the window paints it (B G R A). */
static GBytes *
render_canvas (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int w = 0, h = 0;
  guchar *data;

  /* A canvas that has not drawn yet gives no node. */
  for (int tries = 0; node == NULL && tries < 50; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      ov_test_iterate (100);
      w = gtk_widget_get_width (widget);
      h = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_test_message ("canvas %dx%d, mapped %d", w, h, gtk_widget_get_mapped (widget));
  g_assert_nonnull (node);
  data = g_malloc ((gsize) w * h * 4);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_texture_download (texture, data, (gsize) w * 4);
  return g_bytes_new_take (data, (gsize) w * h * 4);
}

/* /ui/embed/keys: the arrows move the keyboard's point, which the map
 * names beside it (the first line of its tooltip) and the canvas's
 * accessible description names in full; the pointer does not change
 * that description. A canvas without a map is no stop for Tab. */
static void
test_keys (void)
{
  OvScatterCanvas *canvas;
  GtkWidget *widget;
  g_autofree char *label = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *key_text = NULL;
  g_autoptr(GBytes) unfocused = NULL;
  g_autoptr(GBytes) focused = NULL;
  const OvEmbeddings *emb;
  const guchar *a, *b;
  gsize size;
  guint changed = 0;
  int cursor;

  ensure_map ();
  canvas = ov_embed_panel_get_canvas (panel ());
  widget = GTK_WIDGET (canvas);
  emb = ov_embed_panel_get_embeddings (panel (), 0);
  g_assert_true (gtk_widget_get_focusable (widget));
  ov_scatter_canvas_set_selection (canvas, NULL, 0);
  unfocused = render_canvas (widget);

  g_assert_true (gtk_widget_grab_focus (widget));
  g_assert_true (ov_test_press_key (widget, GDK_KEY_Right, 0));
  cursor = ov_scatter_canvas_get_cursor (canvas);
  g_assert_cmpint (cursor, >=, 0);
  label = ov_scatter_canvas_dup_cursor_label (canvas);
  g_assert_nonnull (label);
  g_test_message ("point %d: %s", cursor, label);
  /* the point's class is in its line, and the line is all the map writes */
  g_assert_nonnull (strstr (label, g_ptr_array_index (emb->class_names,
                                                      emb->classes[cursor])));
  g_assert_null (strchr (label, '\n'));
  tooltip = ov_embed_panel_dup_point_tooltip (panel (), cursor);
  g_assert_true (g_str_has_prefix (tooltip, label));
  g_assert_true (g_str_has_suffix (tooltip, "Click to open the image"));
  /* The keys' text names the key, not the click, after the same lines. */
  key_text = ov_embed_panel_dup_point_key_description (panel (), cursor);
  g_assert_true (g_str_has_suffix (key_text, "Press Enter to open the image"));
  g_assert_cmpmem (key_text, strrchr (key_text, '\n') - key_text,
                   tooltip, strrchr (tooltip, '\n') - tooltip);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, key_text);

  /* The ring and the box with the line: many pixels change. */
  gtk_widget_queue_draw (widget);
  ov_test_iterate (100);
  focused = render_canvas (widget);
  a = g_bytes_get_data (unfocused, &size);
  b = g_bytes_get_data (focused, NULL);
  g_assert_cmpuint (g_bytes_get_size (focused), ==, size);
  for (gsize k = 0; k < size; k += 4)
    changed += memcmp (a + k, b + k, 3) != 0;
  g_test_message ("%u pixels change with the keyboard's point", changed);
  g_assert_cmpuint (changed, >, 800);

  /* The pointer over another point leaves the description to the keys. */
  {
    OvScatterView *view = ov_scatter_canvas_get_view (canvas);
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
    int next = -1;

    for (guint i = 0; i < emb->n && next < 0; i++)
      {
        double x, y;

        if ((int) i != cursor && ov_scatter_view_get_point (view, i, &x, &y)
            && ov_scatter_view_hit (view, x, y, 6) == (int) i)
          next = (int) i;
      }
    g_assert_cmpint (next, >=, 0);
    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
        double x, y;

        if (!GTK_IS_EVENT_CONTROLLER_MOTION (controller))
          continue;
        ov_scatter_view_get_point (view, next, &x, &y);
        g_signal_emit_by_name (controller, "motion", x, y);
      }
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget),
                                         GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, key_text);
  }

  /* A canvas without a map is no stop for Tab. */
  {
    GtkWidget *empty = g_object_ref_sink (ov_scatter_canvas_new ());

    g_assert_false (gtk_widget_get_focusable (empty));
    g_assert_null (ov_scatter_canvas_dup_cursor_label (OV_SCATTER_CANVAS (empty)));
    g_object_unref (empty);
  }
  gtk_root_set_focus (gtk_widget_get_root (widget), NULL);
}

/* The shown points inside a polygon of view coordinates, found here by
 * the even-odd rule on the plotted positions. */
static GArray *
points_inside (OvScatterView *view,
               guint          n,
               const double  *poly,
               guint          n_vertices)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < n; i++)
    {
      double x, y;

      if (ov_scatter_view_get_point (view, i, &x, &y)
          && ov_point_in_polygon (x, y, poly, n_vertices))
        g_array_append_val (out, i);
    }
  return out;
}

/* /ui/embed/lasso: a lasso lists exactly the points inside it. */
static void
test_lasso (void)
{
  OvScatterCanvas *canvas;
  OvScatterView *view;
  GListModel *rows;
  g_autoptr(GArray) want = NULL;
  double cx, cy, poly[12];
  guint n = 0, n_sel = 0;
  const guint *sel;

  ensure_map ();
  canvas = ov_embed_panel_get_canvas (panel ());
  view = ov_scatter_canvas_get_view (canvas);
  ov_embed_panel_get_positions (panel (), &n);
  ov_scatter_canvas_layout (canvas);
  /* A hexagon of radius 70 around the first point. */
  g_assert_true (ov_scatter_view_get_point (view, 0, &cx, &cy));
  for (int k = 0; k < 6; k++)
    {
      poly[2 * k] = cx + 70 * cos (k * G_PI / 3);
      poly[2 * k + 1] = cy + 70 * sin (k * G_PI / 3);
    }
  want = points_inside (view, n, poly, 6);
  g_assert_cmpuint (want->len, >=, 2);
  g_assert_cmpuint (want->len, <, n);
  ov_scatter_canvas_select_lasso (canvas, poly, 6, FALSE);
  sel = ov_scatter_canvas_get_selection (canvas, &n_sel);
  g_assert_cmpuint (n_sel, ==, want->len);
  g_assert_cmpmem (sel, n_sel * sizeof (guint), want->data, want->len * sizeof (guint));
  ov_test_iterate (100);
  rows = ov_embed_panel_get_selection_rows (panel ());
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, want->len);
  for (guint k = 0; k < want->len; k++)
    {
      g_autoptr(GtkStringObject) row = g_list_model_get_item (rows, k);
      g_autofree char *expect = g_strdup_printf ("%u", g_array_index (want, guint, k));

      g_assert_cmpstr (gtk_string_object_get_string (row), ==, expect);
    }

  /* A box with Ctrl adds to it; hiding a class drops its points. */
  {
    guint before = n_sel;
    const OvEmbeddings *emb = ov_embed_panel_get_embeddings (panel (), 0);
    guint cls = emb->classes[g_array_index (want, guint, 0)];

    ov_scatter_canvas_select_box (canvas, 0, 0, gtk_widget_get_width (GTK_WIDGET (canvas)),
                                  gtk_widget_get_height (GTK_WIDGET (canvas)), TRUE);
    ov_scatter_canvas_get_selection (canvas, &n_sel);
    g_assert_cmpuint (n_sel, >=, before);
    ov_scatter_canvas_set_class_visible (canvas, cls, FALSE);
    sel = ov_scatter_canvas_get_selection (canvas, &n_sel);
    for (guint k = 0; k < n_sel; k++)
      g_assert_cmpuint (emb->classes[sel[k]], !=, cls);
    g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_sel);
    ov_scatter_canvas_set_class_visible (canvas, cls, TRUE);
  }
  ov_scatter_canvas_set_selection (canvas, NULL, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 0);
}

/* /ui/embed/cancel: cancelling the pass and t-SNE keeps what was there,
 * and the window (and the panel) work on. */
static void
test_cancel (void)
{
  OvSession *session = ov_window_get_session (window);
  const OvEmbeddings *before;
  guint passes, maps, n = 0;
  g_autofree float *xy = NULL;

  ensure_map ();
  before = ov_embed_panel_get_embeddings (panel (), 0);
  passes = ov_embed_panel_get_n_passes (panel ());
  maps = ov_embed_panel_get_n_maps (panel ());
  {
    const float *old = ov_embed_panel_get_positions (panel (), &n);

    g_assert_cmpuint (n, >, 0);
    xy = g_memdup2 (old, sizeof (float) * 2 * n);
  }

  ov_embed_panel_collect (panel ());
  g_assert_true (ov_embed_panel_is_busy (panel ()));
  ov_embed_panel_cancel (panel ());
  OV_TEST_WAIT_UNTIL (!ov_embed_panel_is_busy (panel ()), 30);
  g_assert_false (ov_embed_panel_is_busy (panel ()));
  ov_test_iterate (300);
  g_assert_cmpuint (ov_embed_panel_get_n_passes (panel ()), ==, passes);
  g_assert_true (ov_embed_panel_get_embeddings (panel (), 0) == before);

  /* t-SNE stopped after its first frame. */
  ov_embed_panel_set_tsne_options (panel (), 30, 1, 100000);
  {
    guint frames = ov_embed_panel_get_n_frames (panel ());

    ov_embed_panel_run_tsne (panel ());
    OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_frames (panel ()) > frames, 60);
    g_assert_cmpuint (ov_embed_panel_get_n_frames (panel ()), >, frames);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel ()), "embed.cancel", NULL));
  OV_TEST_WAIT_UNTIL (!ov_embed_panel_is_busy (panel ()), 30);
  g_assert_false (ov_embed_panel_is_busy (panel ()));
  ov_test_iterate (300);
  g_assert_cmpuint (ov_embed_panel_get_n_maps (panel ()), ==, maps);
  {
    guint n2 = 0;
    const float *now = ov_embed_panel_get_positions (panel (), &n2);

    g_assert_cmpuint (n2, ==, n);
    g_assert_cmpmem (now, sizeof (float) * 2 * n, xy, sizeof (float) * 2 * n);
  }

  /* The window still captions, and the panel runs again. */
  {
    OvCaptionPanel *caption = _ov_window_get_caption_panel (window);
    guint runs = ov_caption_panel_get_n_runs (caption);

    ov_caption_panel_run (caption);
    OV_TEST_WAIT_UNTIL (ov_caption_panel_get_n_runs (caption) > runs, 60);
    g_assert_cmpuint (ov_caption_panel_get_n_runs (caption), >, runs);
  }
  g_assert_nonnull (ov_session_get_sample (session));
  ov_embed_panel_set_tsne_options (panel (), 30, 1, 1000);
  ov_embed_panel_set_limit (panel (), 10);
  collect_and_map ();
  g_assert_cmpuint (ov_embed_panel_get_embeddings (panel (), 0)->image_keys->len, ==, 10);
  ov_embed_panel_set_limit (panel (), 0);
  collect_and_map ();
}

static gsize
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  gsize n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (const char *c = text; *c; c++)
    n += *c == '\n';
  return n;
}

static void
keep_message_cb (OvPanel    *p,
                 const char *message,
                 char      **out)
{
  g_free (*out);
  *out = g_strdup (message);
}

/* /ui/embed/unknown-tags: the demo model over the oracle images, whose
 * tags its vocabulary lacks: the pass says so in the status line and in a
 * toast, as `oscarviz embed` and `oscarviz align` warn. */
static void
test_unknown_tags (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  const char *files[] = { yaml, NULL };
  g_autofree char *toast = NULL;
  gulong id;

  ensure_demo ();
  ov_embed_panel_set_compare (panel (), NULL);
  ov_embed_panel_set_layers (panel (), "last");
  ov_embed_panel_set_limit (panel (), 0);
  ov_embed_panel_set_dataset (panel (), files);
  ov_test_iterate (300);
  id = g_signal_connect (panel (), "run-failed", G_CALLBACK (keep_message_cb), &toast);
  collect_and_map ();
  g_signal_handler_disconnect (panel (), id);
  g_test_message ("%s", toast != NULL ? toast : "(no toast)");
  g_assert_nonnull (toast);
  g_assert_nonnull (strstr (toast, "39 of the 41 tag pieces of demo read as [UNK]"));
}

/* /ui/embed/status: the status line says the map's t-SNE on the Map
 * page, and what the pass collected on the Alignment page, which no
 * t-SNE draws; back on the map, the t-SNE again. */
static void
test_status (void)
{
  g_autofree char *on_map = NULL;

  ensure_demo ();
  ov_embed_panel_set_compare (panel (), NULL);
  ov_embed_panel_set_layers (panel (), "all");
  ov_embed_panel_set_limit (panel (), 0);
  collect_and_map ();
  ov_embed_panel_show_page (panel (), "map");
  ov_test_iterate (50);
  on_map = g_strdup (ov_embed_panel_get_status (panel ()));
  g_test_message ("map: %s", on_map);
  g_assert_true (g_str_has_prefix (on_map, "t-SNE of layer"));
  ov_embed_panel_show_page (panel (), "alignment");
  ov_test_iterate (50);
  g_test_message ("alignment: %s", ov_embed_panel_get_status (panel ()));
  g_assert_null (strstr (ov_embed_panel_get_status (panel ()), "t-SNE"));
  ov_embed_panel_show_page (panel (), "map");
  ov_test_iterate (50);
  g_assert_cmpstr (ov_embed_panel_get_status (panel ()), ==, on_map);
}

/* /ui/embed/files: save and reopen; every export writes its file. */
static void
test_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-embed-panel-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "demo.safetensors", NULL);
  g_autoptr(OvEmbeddings) back = NULL;
  g_autoptr(GError) error = NULL;
  const OvEmbeddings *emb;
  static const struct { OvEmbedExport what; const char *name; } exports[] = {
    { OV_EMBED_EXPORT_MAP, "map.png" }, { OV_EMBED_EXPORT_MAP, "map.svg" },
    { OV_EMBED_EXPORT_MAP, "map.pdf" }, { OV_EMBED_EXPORT_POINTS, "points.csv" },
    { OV_EMBED_EXPORT_POINTS, "points.json" }, { OV_EMBED_EXPORT_ALIGN, "align.pdf" },
    { OV_EMBED_EXPORT_ALIGN, "align.png" }, { OV_EMBED_EXPORT_ALIGN_NUMBERS, "align.csv" },
    { OV_EMBED_EXPORT_ALIGN_NUMBERS, "align.json" },
  };
  guint saves, passes;

  ensure_map ();
  emb = ov_embed_panel_get_embeddings (panel (), 0);
  saves = ov_embed_panel_get_n_saves (panel ());
  ov_embed_panel_save (panel (), path);
  OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_saves (panel ()) > saves, 30);
  g_assert_cmpuint (ov_embed_panel_get_n_saves (panel ()), ==, saves + 1);
  back = ov_embeddings_load (path, &error);
  g_assert_no_error (error);
  assert_same_embeddings (back, emb);

  for (guint i = 0; i < G_N_ELEMENTS (exports); i++)
    {
      g_autofree char *out = g_build_filename (dir, exports[i].name, NULL);
      GStatBuf st;

      g_assert_true (ov_embed_panel_export (panel (), exports[i].what, out, 0, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_stat (out, &st), ==, 0);
      g_assert_cmpint (st.st_size, >, 100);
    }
  {
    g_autofree char *csv = g_build_filename (dir, "points.csv", NULL);
    g_autofree char *json = g_build_filename (dir, "points.json", NULL);
    g_autoptr(JsonNode) root = ov_test_load_json (json);

    g_assert_cmpuint (count_lines (csv), ==, emb->n + 1);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, emb->n);
  }
  {
    g_autofree char *out = g_build_filename (dir, "points.txt", NULL);

    g_assert_false (ov_embed_panel_export (panel (), OV_EMBED_EXPORT_POINTS, out, 0, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  /* Nothing but the files asked for: temporary files were renamed. */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    guint count = 0;

    while (g_dir_read_name (d) != NULL)
      count++;
    g_assert_cmpuint (count, ==, 3 + G_N_ELEMENTS (exports));
  }

  /* Reopened, it is the map's set again (t-SNE runs on it). */
  passes = ov_embed_panel_get_n_passes (panel ());
  ov_embed_panel_open (panel (), path, FALSE);
  OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_passes (panel ()) > passes, 30);
  g_assert_cmpuint (ov_embed_panel_get_n_passes (panel ()), ==, passes + 1);
  assert_same_embeddings (ov_embed_panel_get_embeddings (panel (), 0), back);
  OV_TEST_WAIT_UNTIL (!ov_embed_panel_is_busy (panel ()), 60);

  /* A broken file is refused with a message naming it. */
  {
    g_autofree char *bad = g_build_filename (dir, "bad.safetensors", NULL);
    g_autofree char *bad_json = g_strconcat (bad, ".json", NULL);
    g_autofree char *toast = NULL;
    gulong id;

    g_assert_true (g_file_set_contents (bad, "not a file", -1, NULL));
    g_assert_true (g_file_set_contents (bad_json, "{}", -1, NULL));
    id = g_signal_connect (panel (), "run-failed", G_CALLBACK (keep_message_cb), &toast);
    passes = ov_embed_panel_get_n_passes (panel ());
    ov_embed_panel_open (panel (), bad, FALSE);
    OV_TEST_WAIT_UNTIL (toast != NULL, 30);
    g_signal_handler_disconnect (panel (), id);
    g_assert_nonnull (toast);
    g_assert_nonnull (strstr (toast, "bad.safetensors"));
    g_assert_cmpuint (ov_embed_panel_get_n_passes (panel ()), ==, passes);
    g_remove (bad);
    g_remove (bad_json);
  }

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);

        g_remove (p);
      }
  }
  g_rmdir (dir);
}

/* /ui/embed/compare: demo against demo-notags on the same images; the
 * second pass equals the headless one with the first model's tag layout. */
static void
test_compare (void)
{
  g_autofree char *notags = demo_model ("demo-notags");
  g_autoptr(OvModel) first = NULL;
  g_autoptr(OvModel) second = NULL;
  g_autoptr(OvEmbeddings) want = NULL;
  const OvAlignment *a0, *a1;

  ensure_demo ();
  /* The model compared with itself is refused, and no pass starts. */
  {
    g_autofree char *demo = demo_model ("demo");
    g_autofree char *toast = NULL;
    guint passes = ov_embed_panel_get_n_passes (panel ());
    gulong id = g_signal_connect (panel (), "run-failed", G_CALLBACK (keep_message_cb), &toast);

    ov_embed_panel_set_compare (panel (), demo);
    ov_embed_panel_collect (panel ());
    g_signal_handler_disconnect (panel (), id);
    g_assert_nonnull (toast);
    g_assert_nonnull (strstr (toast, "the model itself"));
    g_assert_false (ov_embed_panel_is_busy (panel ()));
    g_assert_cmpuint (ov_embed_panel_get_n_passes (panel ()), ==, passes);
  }
  ov_embed_panel_set_compare (panel (), notags);
  ov_embed_panel_set_layers (panel (), "all");
  ov_embed_panel_set_limit (panel (), 0);
  collect_and_map ();
  g_assert_nonnull (ov_embed_panel_get_embeddings (panel (), 1));
  a0 = ov_embed_panel_get_alignment (panel (), 0);
  a1 = ov_embed_panel_get_alignment (panel (), 1);
  g_assert_nonnull (a0);
  g_assert_nonnull (a1);
  g_assert_cmpstr (a1->label, ==, "demo-notags");
  /* the Distance choice: cosine numbers as `oscarviz align --metric cosine`
   * gives them, for both models, and back */
  {
    g_autoptr(OvAlignment) cosine = NULL;
    const OvAlignment *got;

    ov_embed_panel_set_metric (panel (), OV_ALIGN_COSINE);
    cosine = ov_align_compute_metric (ov_embed_panel_get_embeddings (panel (), 1), "demo-notags",
                                    OV_ALIGN_COSINE, NULL);
    got = ov_embed_panel_get_alignment (panel (), 1);
    g_assert_cmpint (got->metric, ==, OV_ALIGN_COSINE);
    g_assert_cmpint (ov_embed_panel_get_alignment (panel (), 0)->metric, ==, OV_ALIGN_COSINE);
    g_assert_cmpuint (got->n_layers, ==, cosine->n_layers);
    for (guint l = 0; l < got->n_layers; l++)
      {
        g_assert_cmpfloat (got->layers[l].intra_mean, ==, cosine->layers[l].intra_mean);
        g_assert_cmpfloat (got->layers[l].nn_dataset_rate, ==,
                           cosine->layers[l].nn_dataset_rate);
      }
    ov_embed_panel_show_page (panel (), "alignment");
    ov_test_iterate (100);
    ov_embed_panel_set_metric (panel (), OV_ALIGN_EUCLIDEAN);
    g_assert_cmpint (ov_embed_panel_get_alignment (panel (), 1)->metric, ==,
                     OV_ALIGN_EUCLIDEAN);
    ov_embed_panel_show_page (panel (), "map");
    a0 = ov_embed_panel_get_alignment (panel (), 0);
    a1 = ov_embed_panel_get_alignment (panel (), 1);
  }
  g_test_message ("last layer: nearest tag in the image %.3f (with tags) vs %.3f (without); "
                  "chance %.3f", a0->layers[a0->n_layers - 1].nn_image_rate,
                  a1->layers[a1->n_layers - 1].nn_image_rate,
                  a0->layers[a0->n_layers - 1].nn_image_chance);

  /* The panel gives the model without tags the first one's tag slots. */
  first = load_demo ("demo");
  second = load_demo ("demo-notags");
  g_assert_false (ov_model_get_settings (second)->add_od_labels);
  *ov_model_get_settings (second) = *ov_model_get_settings (first);
  want = headless_pass (second);
  assert_same_embeddings (ov_embed_panel_get_embeddings (panel (), 1), want);

  /* Saved, the pair is two files; opened again, the second one is the
   * comparison once more. */
  {
    g_autofree char *dir = g_dir_make_tmp ("ov-embed-pair-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "pair.safetensors", NULL);
    g_autofree char *other = g_build_filename (dir, "pair.compare.safetensors", NULL);
    guint saves = ov_embed_panel_get_n_saves (panel ());
    guint passes;
    const char *const suffixes[] = { "", ".json", ".labels.txt" };

    ov_embed_panel_save (panel (), path);
    OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_saves (panel ()) > saves, 30);
    g_assert_true (g_file_test (other, G_FILE_TEST_IS_REGULAR));
    passes = ov_embed_panel_get_n_passes (panel ());
    ov_embed_panel_open (panel (), path, FALSE);
    OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_passes (panel ()) > passes, 30);
    g_assert_null (ov_embed_panel_get_embeddings (panel (), 1));
    OV_TEST_WAIT_UNTIL (!ov_embed_panel_is_busy (panel ()), 60);
    ov_embed_panel_open (panel (), other, TRUE);
    OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_passes (panel ()) > passes + 1, 30);
    assert_same_embeddings (ov_embed_panel_get_embeddings (panel (), 1), want);
    g_assert_nonnull (ov_embed_panel_get_alignment (panel (), 1));
    for (guint k = 0; k < G_N_ELEMENTS (suffixes); k++)
      {
        g_autofree char *a_path = g_strconcat (path, suffixes[k], NULL);
        g_autofree char *b_path = g_strconcat (other, suffixes[k], NULL);

        g_assert_cmpint (g_remove (a_path), ==, 0);
        g_assert_cmpint (g_remove (b_path), ==, 0);
      }
    g_assert_cmpint (g_rmdir (dir), ==, 0);
  }
  ov_embed_panel_set_compare (panel (), NULL);
}

/* Screenshots */

static void
save_png (OvWindow   *win,
          const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (win));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (win));
  int w = 0, h = 0;

  /* A window that was just shown or resized may not have drawn yet. */
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
  g_test_message ("wrote %s (%dx%d)", path, w, h);
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type,
                 guint      nth)
{
  guint seen = 0;
  GPtrArray *queue = g_ptr_array_new ();
  GtkWidget *found = NULL;

  g_ptr_array_add (queue, root);
  for (guint q = 0; q < queue->len && found == NULL; q++)
    for (GtkWidget *w = gtk_widget_get_first_child (g_ptr_array_index (queue, q)); w != NULL;
         w = gtk_widget_get_next_sibling (w))
      {
        if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && seen++ == nth)
          {
            found = w;
            break;
          }
        g_ptr_array_add (queue, w);
      }
  g_ptr_array_unref (queue);
  return found;
}

/* Popovers are surfaces of their own: the whole screen, through
 * ImageMagick's import, when it is there. */
static void
save_screen_png (const char *path)
{
  g_autofree char *import = g_find_program_in_path ("import");
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "import", "-window", "root", path, NULL };

  if (import == NULL)
    {
      g_test_message ("no ImageMagick import: %s not written", path);
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_test_message ("wrote %s", path);
}

/* A fresh window per size and theme: the empty panel, the map while
 * t-SNE runs, the finished map with a lasso selection, and the alignment
 * page with the model trained without tags beside the demo's. */
static void
test_screenshots (void)
{
  const char *dir = g_getenv ("OV_SCREENSHOT_DIR");
  static const struct { int w, h; } sizes[] = { { 1280, 800 }, { 1920, 1080 } };
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *notags = NULL;

  if (dir == NULL)
    {
      g_test_skip ("set OV_SCREENSHOT_DIR to write the screenshots");
      return;
    }
  notags = demo_model ("demo-notags");
  g_mkdir_with_parents (dir, 0755);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int dark = 0; dark < 2; dark++)
      {
        OvWindow *win = ov_window_new (app);
        OvEmbedPanel *p = _ov_window_get_embed_panel (win);
        OvSession *session = ov_window_get_session (win);
        g_autofree char *stem = g_strdup_printf ("%s/embed-%dx%d-%s", dir, sizes[s].w,
                                                 sizes[s].h, dark ? "dark" : "light");
        g_autofree char *before = g_strconcat (stem, "-before.png", NULL);
        g_autofree char *running = g_strconcat (stem, "-running.png", NULL);
        g_autofree char *after = g_strconcat (stem, "-after.png", NULL);
        g_autofree char *align = g_strconcat (stem, "-align.png", NULL);
        g_autofree char *classes = g_strconcat (stem, "-align-classes.png", NULL);
        guint maps;

        adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                        : ADW_COLOR_SCHEME_FORCE_LIGHT);
        gtk_window_set_default_size (GTK_WINDOW (win), sizes[s].w, sizes[s].h);
        gtk_window_present (GTK_WINDOW (win));
        ov_window_open (win, NULL, NULL, 0);
        OV_TEST_WAIT_UNTIL (!ov_window_is_loading (win)
                            && ov_session_get_sample (session) != NULL, 60);
        gtk_widget_activate_action (GTK_WIDGET (win), "win.show-panel", "s", "embeddings");
        ov_test_iterate (1500);
        save_png (win, before);

        /* A long run, caught on the way and stopped; then a finished one. */
        ov_embed_panel_set_tsne_options (p, 30, 1, 100000);
        ov_embed_panel_collect (p);
        OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_frames (p) >= 20, 60);
        save_png (win, running);
        ov_embed_panel_cancel (p);
        OV_TEST_WAIT_UNTIL (!ov_embed_panel_is_busy (p), 30);
        maps = ov_embed_panel_get_n_maps (p);
        ov_embed_panel_set_tsne_options (p, 30, 1, 1000);
        ov_embed_panel_run_tsne (p);
        OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_maps (p) > maps, 120);
        ov_test_iterate (300);
        {
          OvScatterCanvas *canvas = ov_embed_panel_get_canvas (p);
          OvScatterView *view = ov_scatter_canvas_get_view (canvas);
          double cx, cy, poly[16];

          ov_scatter_canvas_layout (canvas);
          g_assert_true (ov_scatter_view_get_point (view, 0, &cx, &cy));
          /* A lopsided octagon, as a hand would draw it. */
          for (int k = 0; k < 8; k++)
            {
              poly[2 * k] = cx + 70 * cos (k * G_PI / 4) * (k % 2 ? 0.7 : 1.0);
              poly[2 * k + 1] = cy + 50 * sin (k * G_PI / 4);
            }
          ov_scatter_canvas_select_lasso (canvas, poly, 8, FALSE);
        }
        ov_test_iterate (500);
        save_png (win, after);
        if (s == 0 && !dark)
          {
            /* The popovers of the pass and of t-SNE, and the classes. */
            static const char *const names[] = { "collect", "tsne" };

            for (guint b = 0; b < 2; b++)
              {
                GtkWidget *button = find_descendant (GTK_WIDGET (p), ADW_TYPE_SPLIT_BUTTON, b);
                g_autofree char *path = g_strdup_printf ("%s-%s-popover.png", stem, names[b]);

                g_assert_nonnull (button);
                adw_split_button_popup (ADW_SPLIT_BUTTON (button));
                ov_test_iterate (600);
                save_screen_png (path);
                adw_split_button_popdown (ADW_SPLIT_BUTTON (button));
                ov_test_iterate (200);
              }
            {
              GtkWidget *button = NULL;
              g_autofree char *path = g_strdup_printf ("%s-classes-popover.png", stem);

              /* The classes button: the menu button with the list icon. */
              for (guint k = 0; (button = find_descendant (GTK_WIDGET (p), GTK_TYPE_MENU_BUTTON,
                                                           k)) != NULL; k++)
                if (g_strcmp0 (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (button)),
                               "view-list-symbolic") == 0)
                  break;
              g_assert_nonnull (button);
              gtk_menu_button_popup (GTK_MENU_BUTTON (button));
              ov_test_iterate (600);
              save_screen_png (path);
              gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
              ov_test_iterate (200);
            }
          }

        maps = ov_embed_panel_get_n_maps (p);
        ov_embed_panel_set_compare (p, notags);
        ov_embed_panel_set_tsne_options (p, 30, 1, 1000);
        ov_embed_panel_collect (p);
        OV_TEST_WAIT_UNTIL (ov_embed_panel_get_n_maps (p) > maps, 120);
        ov_embed_panel_show_page (p, "alignment");
        ov_test_iterate (800);
        save_png (win, align);
        /* and scrolled down to the per-class table */
        {
          GtkWidget *table = ov_embed_panel_get_class_table (p);
          GtkWidget *scroller = gtk_widget_get_ancestor (gtk_widget_get_parent (table),
                                                         GTK_TYPE_SCROLLED_WINDOW);
          GtkAdjustment *va;

          /* (the table's own sideways scroller first, then the page's) */
          scroller = scroller != NULL ? gtk_widget_get_ancestor (gtk_widget_get_parent (scroller),
                                                                 GTK_TYPE_SCROLLED_WINDOW)
                                      : NULL;
          g_assert_nonnull (scroller);
          va = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
          gtk_adjustment_set_value (va, gtk_adjustment_get_upper (va));
          ov_test_iterate (400);
          save_png (win, classes);
        }
        gtk_window_destroy (GTK_WINDOW (win));
        ov_test_iterate (200);
      }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* The map's plot, in the canvas's own pixels, the reach of its markers
 * and the number of classes its legend lists. */
static guint
projector_layout (OvScatterCanvas *canvas,
                  OvRect          *plot,
                  double          *reach)
{
  OvScatterView *view = ov_scatter_canvas_get_view (canvas);
  double scale = ov_widget_get_text_scale (GTK_WIDGET (canvas));
  guint listed = 0;
  OvRect r;

  ov_scatter_canvas_layout (canvas);
  ov_scatter_view_get_plot_rect (view, plot, reach);
  plot->x *= scale;
  plot->y *= scale;
  plot->width *= scale;
  plot->height *= scale;
  *reach *= scale;
  while (ov_scatter_view_get_legend_rect (view, listed, &r))
    listed++;
  return listed;
}

/* /ui/embed/projector: in a 1024x768 window the largest text enlarges the
 * map's text and not its points: on screen they reach no further than at
 * the normal size, the plot keeps most of the canvas's height, and the
 * legend, in columns, lists many more classes than the 3 one column of
 * it held. */
static void
test_projector (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  OvScatterCanvas *canvas;
  const OvEmbeddings *emb;
  OvRect plot1, plot2;
  double reach1, reach2;
  guint listed1, listed2;

  ensure_map ();
  canvas = ov_embed_panel_get_canvas (panel ());
  emb = ov_embed_panel_get_embeddings (panel (), 0);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  g_settings_set_string (settings, "text-size", "normal");
  ov_test_iterate (800);
  listed1 = projector_layout (canvas, &plot1, &reach1);
  g_settings_set_string (settings, "text-size", "largest");
  ov_test_iterate (800);
  g_assert_cmpfloat (ov_widget_get_text_scale (GTK_WIDGET (canvas)), >, 1.9);
  listed2 = projector_layout (canvas, &plot2, &reach2);
  g_test_message ("normal: plot %.0fx%.0f, reach %.2f, %u of %u classes listed; "
                  "largest: plot %.0fx%.0f, reach %.2f, %u listed",
                  plot1.width, plot1.height, reach1, listed1, emb->class_names->len,
                  plot2.width, plot2.height, reach2, listed2);
  g_assert_cmpfloat (reach2, <=, reach1 + 1e-6);
  g_assert_cmpfloat (plot2.height, >=, 0.7 * gtk_widget_get_height (GTK_WIDGET (canvas)));
  g_assert_cmpfloat (plot2.width, >=, 0.9 * plot2.height);
  g_assert_cmpuint (emb->class_names->len, >, 12);
  g_assert_cmpuint (listed2, >=, 12);
  g_assert_cmpuint (listed1, >=, listed2);

  g_settings_set_string (settings, "text-size", "normal");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  ov_test_iterate (800);
}

/* The mean of a pixel's colour channels (0-255) in rows stride bytes
 * apart (Cairo's and gdk_texture_download's order alike). */
static double
pixel_grey (const guchar *data,
            int           stride,
            double        x,
            double        y)
{
  const guchar *p = data + (int) y * stride + 4 * (int) x;

  return (p[0] + p[1] + p[2]) / 3.0;
}

/* /ui/embed/dark: in the dark style the map is drawn on the style's dark
 * ground, its plot too, while the exported map and alignment figure stay
 * as they were: white, the plot a light grey. */
static void
test_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *dir = g_dir_make_tmp ("ov-embed-dark-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  OvScatterCanvas *canvas;
  OvRect plot;
  double reach, scale;
  int w;

  ensure_map ();
  canvas = ov_embed_panel_get_canvas (panel ());
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  ov_test_iterate (500);
  {
    g_autoptr(GBytes) bytes = render_canvas (GTK_WIDGET (canvas));
    const guchar *data = g_bytes_get_data (bytes, NULL);

    w = gtk_widget_get_width (GTK_WIDGET (canvas));
    scale = ov_widget_get_text_scale (GTK_WIDGET (canvas));
    projector_layout (canvas, &plot, &reach);
    g_assert_cmpfloat (pixel_grey (data, 4 * w, 1, 1), <, 80);
    /* inside the frame, clear of the outermost points */
    g_assert_cmpfloat (pixel_grey (data, 4 * w, plot.x + 2 * scale, plot.y + 2 * scale), <, 80);
  }

  for (guint f = 0; f < 2; f++)
    {
      g_autofree char *out = g_build_filename (dir, f == 0 ? "map.png" : "align.png", NULL);
      cairo_surface_t *png;
      const guchar *data;
      int stride;

      g_assert_true (ov_embed_panel_export (panel (),
                                            f == 0 ? OV_EMBED_EXPORT_MAP : OV_EMBED_EXPORT_ALIGN,
                                            out, 0, &error));
      g_assert_no_error (error);
      png = cairo_image_surface_create_from_png (out);
      g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
      cairo_surface_flush (png);
      data = cairo_image_surface_get_data (png);
      stride = cairo_image_surface_get_stride (png);
      g_assert_cmpfloat (pixel_grey (data, stride, 1, 1), ==, 255);
      if (f == 0)
        {
          int light = 0;

          /* the plot's light grey ground fills much of the figure */
          for (int y = 0; y < cairo_image_surface_get_height (png); y += 4)
            for (int x = 0; x < cairo_image_surface_get_width (png); x += 4)
              light += fabs (pixel_grey (data, stride, x, y) - 0.97 * 255) < 1.5;
          g_assert_cmpint (light, >, 1000);
        }
      cairo_surface_destroy (png);
      g_unlink (out);
    }
  g_rmdir (dir);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  ov_test_iterate (300);
}

int
main (int argc, char **argv)
{
  static const struct { const char *path; GTestFunc func; } tests[] = {
    { "/ui/embed/pass", test_pass },
    { "/ui/embed/tsne", test_tsne },
    { "/ui/embed/legend", test_legend },
    { "/ui/embed/projector", test_projector },
    { "/ui/embed/dark", test_dark },
    { "/ui/embed/colours", test_colours },
    { "/ui/embed/click", test_click },
    { "/ui/embed/keys", test_keys },
    { "/ui/embed/lasso", test_lasso },
    { "/ui/embed/cancel", test_cancel },
    { "/ui/embed/files", test_files },
    { "/ui/embed/status", test_status },
    { "/ui/embed/compare", test_compare },
    { "/ui/embed/screenshots", test_screenshots },
    { "/ui/embed/unknown-tags", test_unknown_tags },
  };
  int status;

  g_test_init (&argc, &argv, NULL);
  ov_test_window_env ();
  /* GTK's own test accessibility backend, which keeps what the widgets
   * tell a screen reader, for gtk_test_accessible_assert_property. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  /* Screenshots in the language of LANGUAGE, from the catalogues just built. */
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
  window = ov_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
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
