/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The main window ties the session to its views: it opens checkpoints and
 * sample files off the main thread with a progress bar and a cancel button,
 * reports failures in a banner or a toast, shows which checkpoints and
 * backend are in use, and remembers what was open for next time.
 */
#define G_LOG_DOMAIN "ov-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "data/ov-dataset.h"
#include "data/ov-demo.h"
#include "model/ov-error.h"
#include "ov-attention-panel.h"
#include "ov-caption-panel.h"
#include "ov-embed-panel.h"
#include "ov-image-view.h"
#include "ov-mask-panel.h"
#include "ov-panel-util.h"
#include "ov-tag-list.h"
#include "ov-vqa-panel.h"
#include "ov-window-private.h"

#define RECENT_MAX 10

struct _OvWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkRevealer     *banner_revealer;
  GtkLabel        *banner_label;
  GtkRevealer     *progress_revealer;
  GtkLabel        *progress_label;
  GtkProgressBar  *progress_bar;
  OvImageView     *image_view;
  GtkWidget       *empty_page;
  GtkLabel        *no_picture_label;
  GtkButton       *zoom_button;
  GtkScale        *threshold_scale;
  GtkWidget       *sample_nav;
  GtkLabel        *sample_label;
  OvTagList       *tag_list;
  AdwViewStack    *panel_stack;
  gboolean         panel_chosen;   /* a panel was shown by the user, not by us */
  gboolean         switching;      /* we are showing a panel */
  OvCaptionPanel  *caption_panel;
  OvVqaPanel      *vqa_panel;
  OvMaskPanel     *mask_panel;
  OvAttentionPanel *attention_panel;
  OvEmbedPanel    *embed_panel;
  GtkLabel        *models_label;
  GtkLabel        *backend_label;
  GtkLabel        *timing_label;
  GMenu           *recent_section;
  GtkPaned        *outer_paned;
  GtkPaned        *side_paned;
  GtkScrolledWindow *side_scroller;

  GSettings       *settings;
  OvSession       *session;
  GCancellable    *load_cancellable;
  guint            n_loading;
  guint            pulse_id;
  guint            zoom_label_id;
  AdwToast        *toast;          /* the last toast while it is shown */
  int              load_permille;  /* progress of a sample read, or -1 (atomic) */

  /* The files the current sample came from, to step through a dataset and
   * to restore the session. */
  GStrv            sample_files;
  gint64           sample_row;
  /* Counts the sample loads asked for: only the last one asked for is
   * shown, whichever ends last. */
  guint            sample_request;

  /* A region to select once the sample of that key is shown (a point
   * clicked on the embeddings map): region index, or -1 for the tag of
   * the class. */
  char            *pending_key;
  int              pending_region;
  char            *pending_class;
  guint            pending_id;
  /* The tag list's height as the user left it; while the list is folded
   * or the embeddings tab shows, the list keeps only its minimum. */
  int              tag_height;
  /* The side is short for its text (side_is_short), as last seen. */
  gboolean         side_short;
  /* A tab folded the tag list (update_panel_fold), which the user then
   * unfolded (keep_tags); folding is set while we fold it. */
  gboolean         auto_folded;
  gboolean         keep_tags;
  gboolean         folding;
  guint            side_size_id;
};

G_DEFINE_FINAL_TYPE (OvWindow, ov_window, ADW_TYPE_APPLICATION_WINDOW)

/* Messages */

static void
show_banner (OvWindow   *self,
             const char *message)
{
  gtk_label_set_text (self->banner_label, message);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

/* A new request to open something makes the failure of an earlier one old
 * news: the banner goes, and comes back if the new request fails too. */
static void
hide_banner (OvWindow *self)
{
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
  gtk_label_set_text (self->banner_label, "");
}

static void
toast_dismissed_cb (AdwToast *toast,
                    OvWindow *self)
{
  if (self->toast == toast)
    self->toast = NULL;
}

static void
show_toast (OvWindow   *self,
            const char *message)
{
  AdwToast *toast;

  /* Runs repeat as the user edits; one toast per distinct failure. */
  if (self->toast != NULL && g_strcmp0 (adw_toast_get_title (self->toast), message) == 0)
    return;
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, 0);
  self->toast = toast;
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* The attention panel looks at the step after the caption shown. */
static void
caption_changed_cb (OvWindow *self)
{
  ov_attention_panel_set_caption (self->attention_panel,
                                  ov_caption_panel_get_caption (self->caption_panel));
}

/* ...and, with only a VQA model, at the question asked. */
static void
question_changed_cb (OvWindow *self)
{
  ov_attention_panel_set_question (self->attention_panel,
                                   ov_vqa_panel_get_question (self->vqa_panel));
}

static void
panel_failed_cb (OvWindow   *self,
                 const char *message)
{
  show_toast (self, message);
}

static gboolean
select_pending_cb (gpointer user_data)
{
  OvWindow *self = user_data;
  const OvSample *sample = ov_session_get_sample (self->session);
  GListModel *tags = ov_session_get_tags (self->session);
  g_autoptr(OvTagItem) found = NULL;

  self->pending_id = 0;
  if (sample == NULL || g_strcmp0 (sample->key, self->pending_key) != 0)
    return G_SOURCE_REMOVE;
  for (guint i = 0; i < g_list_model_get_n_items (tags) && found == NULL; i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (tags, i);

      if (self->pending_region >= 0 ? ov_tag_item_get_region (item) == self->pending_region
                                    : g_strcmp0 (ov_tag_item_get_text (item),
                                                 self->pending_class) == 0)
        found = g_steal_pointer (&item);
    }
  ov_image_view_set_selected (self->image_view, found);
  g_clear_pointer (&self->pending_key, g_free);
  return G_SOURCE_REMOVE;
}

/* The tags of a new sample arrive after "sample-changed": select once the
 * window is done with it. */
static void
sample_changed_cb (OvWindow *self)
{
  if (self->pending_key != NULL && self->pending_id == 0)
    self->pending_id = g_idle_add (select_pending_cb, self);
}

/* Why a sample is loaded, which decides what a row the dataset lacks means. */
typedef enum {
  LOAD_OPENED,     /* opened, or asked for by --row or --key */
  LOAD_STEPPED,    /* the next-sample action: past the last is no failure */
  LOAD_FROM_MAP,   /* a point of the embeddings map: the map may be older */
} LoadOrigin;

static void load_sample (OvWindow *self, const char *const *files, gint64 row, const char *key,
                         LoadOrigin origin);

/* The side's height (in pixels at normal text size; times the text scale
 * at a larger one) under which the attention heat map would show only a
 * few rows below the tag list: 1280x800 at normal text has more. */
#define SHORT_SIDE_HEIGHT 600

/* Whether the side is short for its text: large text, or a low screen. */
static gboolean
side_is_short (OvWindow *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self->side_scroller));

  return height > 0
         && height < SHORT_SIDE_HEIGHT * ov_widget_get_text_scale (GTK_WIDGET (self));
}

/* A folded tag list gives its height away, and so does the list over the
 * embeddings map where the side is short for its text (elsewhere the map
 * has room enough below the whole list): then the list keeps only its
 * minimum, and it gets its height back afterwards. */
static gboolean
tags_shrunk (OvWindow *self)
{
  return ov_tag_list_get_collapsed (self->tag_list)
         || (self->side_short
             && g_strcmp0 (adw_view_stack_get_visible_child_name (self->panel_stack),
                           "embeddings") == 0);
}

static void
apply_tag_height (OvWindow *self)
{
  gtk_paned_set_position (self->side_paned, tags_shrunk (self) ? 0 : self->tag_height);
}

/* The user's folding is a setting, shared by the windows. */
static void
bind_tags_collapsed (OvWindow *self)
{
  g_settings_bind (self->settings, "tag-list-collapsed", self->tag_list, "collapsed",
                   G_SETTINGS_BIND_DEFAULT);
}

/* Folds or unfolds the tag list as the window, not the user, wants it:
 * a fold of this window's own, which the setting (and so the other
 * windows and the next start) never sees. */
static void
fold_tags (OvWindow *self,
           gboolean  fold)
{
  self->auto_folded = fold;
  if (fold)
    g_settings_unbind (self->tag_list, "collapsed");
  self->folding = TRUE;
  ov_tag_list_set_collapsed (self->tag_list, fold);
  self->folding = FALSE;
  if (!fold)
    bind_tags_collapsed (self);
}

/* The heat map's rows, the embeddings map and the answers' bars need the
 * height more than the tag list's rows do where the side is short for its
 * text: there those tabs fold the list (its heading and the input line
 * stay), and unfold it when another tab shows or the side grows. A list
 * the user unfolds stays unfolded. */
static void
update_panel_fold (OvWindow *self)
{
  const char *panel = adw_view_stack_get_visible_child_name (self->panel_stack);
  gboolean want = self->side_short && !self->keep_tags
                  && (g_strcmp0 (panel, "attention") == 0
                      || g_strcmp0 (panel, "question") == 0
                      || g_strcmp0 (panel, "embeddings") == 0);

  if (want && !self->auto_folded && !ov_tag_list_get_collapsed (self->tag_list))
    fold_tags (self, TRUE);
  else if (!want && self->auto_folded)
    fold_tags (self, FALSE);
}

static void
tags_collapsed_cb (OvWindow *self)
{
  /* the user unfolds a list we folded: it is theirs again, and stays so */
  if (!self->folding && self->auto_folded)
    {
      self->auto_folded = FALSE;
      self->keep_tags = !ov_tag_list_get_collapsed (self->tag_list);
      bind_tags_collapsed (self);
    }
  apply_tag_height (self);
}

static gboolean
side_size_idle_cb (gpointer data)
{
  OvWindow *self = data;
  gboolean short_now = side_is_short (self);

  self->side_size_id = 0;
  if (short_now != self->side_short)
    {
      self->side_short = short_now;
      ov_attention_panel_set_compact (self->attention_panel, short_now);
      update_panel_fold (self);
      apply_tag_height (self);
    }
  return G_SOURCE_REMOVE;
}

/* The side's height or the text size changed. The scroller says so while
 * it lays the side out, which must not change under it: the side follows
 * once that is done. */
static void
side_size_cb (OvWindow *self)
{
  if (self->side_size_id == 0)
    self->side_size_id = g_idle_add (side_size_idle_cb, self);
}

static void
side_position_cb (OvWindow *self)
{
  int position = gtk_paned_get_position (self->side_paned);
  int minimum = 0;

  if (!tags_shrunk (self))
    {
      self->tag_height = position;
      return;
    }
  /* Dragging a folded list open unfolds it at that height. (Its minimum at
   * its own width: large text wraps the input line under it to more lines
   * there than at its natural width, and the divider stops below them.) */
  gtk_widget_measure (GTK_WIDGET (self->tag_list), GTK_ORIENTATION_VERTICAL,
                      gtk_widget_get_width (GTK_WIDGET (self->tag_list)) > 0
                      ? gtk_widget_get_width (GTK_WIDGET (self->tag_list)) : -1,
                      &minimum, NULL, NULL, NULL);
  if (ov_tag_list_get_collapsed (self->tag_list) && position > minimum + 24)
    {
      self->tag_height = position;
      ov_tag_list_set_collapsed (self->tag_list, FALSE);
    }
}

/* The picture takes a little under half the width, which leaves the side
 * room for the panel tabs' labels and a heat map at 1280 pixels. Larger
 * text needs the side's width more than the picture does: at 1.5 times
 * the text the picture takes 39 %, at twice 34 %, so that a projector's
 * 1024 pixels still give the panels' controls a line of their own. */
static void
apply_picture_width (OvWindow *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  double scale = MAX (ov_widget_get_text_scale (GTK_WIDGET (self)), 1.0);

  if (width <= 0)
    width = g_settings_get_int (self->settings, "window-width");
  gtk_paned_set_position (self->outer_paned, (int) (width * 0.48 / sqrt (scale)));
}

/* A point of the embeddings map: its image, with its region selected. */
static void
embed_show_sample_cb (OvEmbedPanel *panel,
                      GStrv         files,
                      gint64        row,
                      const char   *key,
                      int           region,
                      const char   *cls,
                      OvWindow     *self)
{
  const OvSample *sample = ov_session_get_sample (self->session);

  g_free (self->pending_key);
  self->pending_key = g_strdup (key);
  self->pending_region = region;
  g_free (self->pending_class);
  self->pending_class = g_strdup (cls);
  if (sample != NULL && g_strcmp0 (sample->key, key) == 0)
    select_pending_cb (self);
  else
    load_sample (self, (const char *const *) files, row, NULL, LOAD_FROM_MAP);
}

/* Loading progress */

static gboolean
pulse_cb (gpointer user_data)
{
  OvWindow *self = user_data;
  int permille = g_atomic_int_get (&self->load_permille);

  /* Checkpoints load in one call, so they pulse; big rows report. */
  if (permille >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, permille / 1000.0);
  else
    gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

/* Called by the data layer in the loading thread. */
static void
sample_progress_cb (double   fraction,
                    gpointer user_data)
{
  OvWindow *self = user_data;

  g_atomic_int_set (&self->load_permille, (int) (CLAMP (fraction, 0.0, 1.0) * 1000));
}

static GCancellable *
loading_begin (OvWindow   *self,
               const char *what)
{
  g_autofree char *label = NULL;

  if (self->n_loading++ == 0)
    {
      g_clear_object (&self->load_cancellable);
      self->load_cancellable = g_cancellable_new ();
      self->pulse_id = g_timeout_add (100, pulse_cb, self);
    }
  /* Translators: %s is a file or folder name being read. */
  label = g_strdup_printf (_("Opening %s…"), what);
  gtk_label_set_text (self->progress_label, label);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  return self->load_cancellable;
}

static void show_a_runnable_panel (OvWindow *self);

static void
loading_end (OvWindow *self)
{
  /* A load cancelled by closing the window ends after its disposal. */
  if (self->progress_revealer == NULL)
    return;
  g_return_if_fail (self->n_loading > 0);

  if (--self->n_loading > 0)
    return;
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
}

/* Recent files */

static void
rebuild_recent_menu (OvWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-files");

  g_menu_remove_all (self->recent_section);
  for (guint i = 0; recent[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (recent[i]);
      g_auto(GStrv) parts = g_strsplit (name, "_", -1);
      /* Underscores in menu labels are mnemonics; double them. */
      g_autofree char *label = g_strjoinv ("__", parts);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target_value (item, "win.open-recent",
                                               g_variant_new_string (recent[i]));
      g_menu_append_item (self->recent_section, item);
    }
}

static void
remember_recent (OvWindow   *self,
                 const char *path)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-files");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < RECENT_MAX; i++)
    if (g_strcmp0 (old[i], path) != 0)
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char *const *) recent);
}

/* Status line */

static void
update_status (OvWindow *self)
{
  /* Translators: the status line names each open checkpoint as
   * “<kind>: <folder>”; these are the kinds. */
  static const struct { OvModelKind kind; const char *name; } kinds[] = {
    { OV_MODEL_KIND_CAPTION, N_("Caption") },
    { OV_MODEL_KIND_CLASSIFIER, N_("VQA") },
    { OV_MODEL_KIND_PRETRAIN, N_("Pre-training") },
    { OV_MODEL_KIND_ENCODER, N_("Encoder") },
  };
  GString *models = g_string_new (NULL);
  PangoAttrList *attrs = pango_attr_list_new ();
  PangoAttribute *attr;
  guint start;
  const char *backend = ov_session_get_backend_description (self->session);
  double seconds = ov_session_get_last_run_seconds (self->session);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const char *path = ov_session_get_model_path (self->session, kinds[i].kind);
      g_autofree char *name = NULL;

      if (path == NULL)
        continue;
      name = g_path_get_basename (path);
      if (models->len > 0)
        g_string_append (models, "  ·  ");
      start = models->len;
      g_string_append_printf (models, "%s: %s", _(kinds[i].name), name);
      /* A line breaks between checkpoints, not inside "kind: folder" (nor
       * at the hyphen of "Pre-training"); a long folder name may still
       * break, so that it never widens the window. */
      attr = pango_attr_allow_breaks_new (FALSE);
      attr->start_index = start;
      attr->end_index = g_utf8_strlen (name, -1) <= 24 ? models->len
                        : start + strlen (_(kinds[i].name)) + 2;
      pango_attr_list_insert (attrs, attr);
    }
  if (models->len == 0)
    g_string_append (models, _("No checkpoint open"));
  gtk_label_set_text (self->models_label, models->str);
  gtk_label_set_attributes (self->models_label, attrs);
  pango_attr_list_unref (attrs);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->models_label), models->str);
  g_string_free (models, TRUE);

  gtk_label_set_text (self->backend_label, backend != NULL ? backend : "");
  if (seconds >= 0)
    {
      /* Translators: how long the last model run took, in milliseconds. */
      g_autofree char *timing = g_strdup_printf (_("Last run %.0f ms"), seconds * 1000.0);

      gtk_label_set_text (self->timing_label, timing);
    }
}

static gboolean
update_zoom_label_cb (gpointer user_data)
{
  OvWindow *self = user_data;
  g_autofree char *label =
    g_strdup_printf ("%.0f%%", ov_image_view_get_zoom (self->image_view) * 100.0);

  self->zoom_label_id = 0;
  gtk_button_set_label (self->zoom_button, label);
  return G_SOURCE_REMOVE;
}

static void
zoom_changed_cb (OvWindow *self)
{
  /* The fit zoom changes while the view is allocated; relabelling the
   * button then would resize the toolbar in the middle of the layout. */
  if (self->zoom_label_id == 0)
    self->zoom_label_id = g_idle_add (update_zoom_label_cb, self);
}

/* Checkpoints */

static void
panel_shown_cb (OvWindow *self)
{
  if (!self->switching)
    self->panel_chosen = TRUE;
}

/* After a checkpoint loads: when the panel shown cannot run on the open
 * checkpoints but another task panel can (only a VQA model is open, say),
 * show that one rather than a greyed-out panel. */
static void
show_a_runnable_panel (OvWindow *self)
{
  static const struct { const char *name; OvTask task; } panels[] = {
    { "caption", OV_TASK_CAPTION }, { "question", OV_TASK_VQA }, { "mask", OV_TASK_MASK },
  };
  const char *visible = adw_view_stack_get_visible_child_name (self->panel_stack);

  /* never under the user: not once a panel was chosen, nor while other
   * checkpoints are still on their way */
  if (self->panel_chosen || ov_window_is_loading (self))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (panels); i++)
    if (g_strcmp0 (visible, panels[i].name) == 0
        && ov_session_supports (self->session, panels[i].task, NULL))
      return;
  for (guint i = 0; i < G_N_ELEMENTS (panels); i++)
    if (g_strcmp0 (visible, panels[i].name) == 0)
      for (guint j = 0; j < G_N_ELEMENTS (panels); j++)
        if (ov_session_supports (self->session, panels[j].task, NULL))
          {
            self->switching = TRUE;
            adw_view_stack_set_visible_child_name (self->panel_stack, panels[j].name);
            self->switching = FALSE;
            return;
          }
}

static void
model_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(OvWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean loaded;

  /* the model is in the session before the load counts as ended, so that the
   * panel chosen when the last load ends knows of it */
  loaded = ov_session_load_model_finish (OV_SESSION (source), result, &error);
  loading_end (self);
  if (!loaded)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s is the engine's message, which names the file. */
      message = g_strdup_printf (_("Could not open the checkpoint: %s"), error->message);
      show_banner (self, message);
      show_a_runnable_panel (self);
      return;
    }
  update_status (self);
  show_a_runnable_panel (self);
}

static void
load_model (OvWindow   *self,
            const char *dir,
            gboolean    remember)
{
  OvModelOptions options;
  g_autofree char *backend = g_settings_get_string (self->settings, "backend");
  g_autofree char *name = g_path_get_basename (dir);
  GCancellable *cancellable;

  ov_model_options_init (&options);
  if (g_strcmp0 (backend, "cpu") == 0)
    options.device = OV_DEVICE_CPU;
  else if (g_strcmp0 (backend, "cuda") == 0)
    options.device = OV_DEVICE_CUDA;
  /* 0 is every core, as the preferences say, whatever OMP_NUM_THREADS is */
  options.n_threads = g_settings_get_int (self->settings, "threads");
  if (options.n_threads <= 0)
    options.n_threads = (int) g_get_num_processors ();
  options.precision = g_settings_get_boolean (self->settings, "fast-math")
                      ? OV_PRECISION_FAST : OV_PRECISION_EXACT;

  if (remember)
    remember_recent (self, dir);
  cancellable = loading_begin (self, name);
  ov_session_load_model_async (self->session, dir, &options, cancellable,
                               model_loaded_cb, g_object_ref (self));
}

/* Samples */

typedef struct {
  GStrv     files;      /* what the sample is read from */
  gint64    row;
  char     *key;        /* the sample's key, asked for instead of a row */
  gint64    loaded_row; /* result: the dataset row read, or -1 */
  LoadOrigin origin;
  guint     request;    /* the window's sample_request when it was asked for */
  OvSample *sample;     /* result */
  OvImage  *image;      /* result, may be NULL */
  char     *image_error;
  char     *answers;    /* result: the dataset's answer list, or NULL */
  char     *answers_beside; /* result: a list beside the data, or NULL */
} SampleLoad;

static void
sample_load_free (SampleLoad *load)
{
  g_strfreev (load->files);
  g_free (load->key);
  g_clear_pointer (&load->sample, ov_sample_free);
  g_clear_pointer (&load->image, ov_image_free);
  g_free (load->image_error);
  g_free (load->answers);
  g_free (load->answers_beside);
  g_free (load);
}

/* Sorts files into the roles of the data layer's sample options. */
static gboolean
fill_source_options (OvSampleSourceOptions *opts,
                     GStrv                  files,
                     GError               **error)
{
  gboolean ids = FALSE;

  for (guint i = 0; files[i] != NULL && !ids; i++)
    ids = ov_file_sniff (files[i], NULL) == OV_FILE_LXMERT_TSV
          || ov_file_sniff (files[i], NULL) == OV_FILE_DATASET_YAML;
  for (guint i = 0; files[i] != NULL; i++)
    {
      OvFileKind kind;
      const char *role;
      char **slot = NULL;

      /* the names of an LXMERT file's class ids, opened with it, as the
       * commands' --class-names takes them */
      if (ids && ov_file_is_class_names (files[i]))
        {
          if (opts->class_names != NULL)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                           _("%s and %s are both %s files; open one at a time"),
                           opts->class_names, files[i], "class-names");
              return FALSE;
            }
          opts->class_names = g_strdup (files[i]);
          continue;
        }
      kind = ov_file_sniff (files[i], error);
      if (kind == OV_FILE_UNKNOWN && error != NULL && *error != NULL)
        return FALSE;
      role = ov_file_kind_role (kind);
      if (g_str_equal (role, "image"))
        slot = &opts->image;
      else if (g_str_equal (role, "detections") || g_str_equal (role, "questions"))
        slot = &opts->labels;
      else if (g_str_equal (role, "features"))
        slot = &opts->features;
      else if (g_str_equal (role, "image-sizes"))
        slot = &opts->hw;
      else if (g_str_equal (role, "dataset"))
        slot = &opts->dataset;

      if (slot == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                       _("%s: oscarviz does not know what this file is (%s)"),
                       files[i], role);
          return FALSE;
        }
      if (*slot != NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _("%s and %s are both %s files; open one at a time"),
                       *slot, files[i], role);
          return FALSE;
        }
      *slot = g_strdup (files[i]);
    }
  opts->box_frame = g_strdup ("stored");
  return TRUE;
}

/* A path named by a dataset yaml key, made absolute against the yaml. */
static char *
dup_yaml_path (GHashTable *yaml,
               const char *key,
               const char *yaml_path)
{
  const char *value = g_hash_table_lookup (yaml, key);
  g_autofree char *dir = NULL;

  if (value == NULL || *value == '\0')
    return NULL;
  if (g_path_is_absolute (value))
    return g_strdup (value);
  dir = g_path_get_dirname (yaml_path);
  return g_build_filename (dir, value, NULL);
}

/* What the data adds beyond the sample: a split yaml's answer list
 * (label2ans), else one kept beside the data file, as Oscar keeps
 * trainval_label2ans.pkl with its VQA data (taken only while the
 * checkpoints bring none). The sample's picture beside the dataset is found
 * by the data layer. */
static void
find_dataset_extras (SampleLoad *load,
                     const char *dataset)
{
  g_autoptr(GHashTable) yaml = NULL;
  g_autofree char *dir = g_path_get_dirname (dataset);

  if (g_str_has_suffix (dataset, ".yaml") || g_str_has_suffix (dataset, ".yml"))
    yaml = ov_dataset_yaml_load (dataset, NULL);
  if (yaml != NULL)
    load->answers = dup_yaml_path (yaml, "label2ans", dataset);
  if (load->answers == NULL)
    load->answers_beside = ov_find_answer_list (dir);
}

static void
load_sample_worker (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  SampleLoad *load = task_data;
  OvSampleSourceOptions opts;
  g_autoptr(GError) error = NULL;
  gboolean picture_given;

  ov_sample_source_options_init (&opts);
  opts.row = load->row;
  opts.key = g_strdup (load->key);
  /* The window outlives the task: the task holds a reference to it. */
  opts.progress = sample_progress_cb;
  opts.progress_data = source_object;
  if (fill_source_options (&opts, load->files, &error))
    load->sample = ov_sample_source_load_row (&opts, &load->loaded_row, cancellable, &error);
  /* a picture given beside the detections was compared with their frame
   * as they were read; one found by the dataset is compared below */
  picture_given = opts.image != NULL;
  if (load->sample != NULL && (opts.dataset != NULL || opts.labels != NULL
                               || opts.features != NULL))
    find_dataset_extras (load, opts.dataset != NULL ? opts.dataset
                               : opts.labels != NULL ? opts.labels : opts.features);
  ov_sample_source_options_clear (&opts);
  if (load->sample == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (load->sample->image_path != NULL || load->sample->image_tsv != NULL)
    {
      /* The picture is shown upright; the boxes, read in its stored frame,
       * are turned with it (ov_image_view_set_image). */
      load->image = ov_sample_load_image (load->sample, NULL, cancellable, &error);
      if (load->image != NULL && !picture_given)
        {
          g_autofree char *mismatch = ov_sample_dup_image_mismatch (load->sample, load->image,
                                                                    FALSE);

          if (mismatch != NULL)
            ov_sample_add_warning (load->sample, "%s", mismatch);
        }
      if (load->image == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          /* (a picture that is not there at all, the sample's warnings
           * say so already) */
          if (load->sample->image_path == NULL
              || g_file_test (load->sample->image_path, G_FILE_TEST_EXISTS))
            load->image_error = g_strdup (error->message);
        }
    }
  g_task_return_boolean (task, TRUE);
}

/* The data role of a file that is not a picture, or NULL for a picture. */
static const char *
sample_file_role (const char *path)
{
  OvFileKind kind = ov_file_sniff (path, NULL);

  return kind == OV_FILE_IMAGE ? NULL : ov_file_kind_role (kind);
}

static cairo_surface_t *
surface_from_image (OvImage *image)
{
  static cairo_user_data_key_t key;
  cairo_surface_t *surface = ov_image_create_surface (image);

  /* The surface shares the pixels; free the image with the surface. */
  cairo_surface_set_user_data (surface, &key, image, (cairo_destroy_func_t) ov_image_free);
  return surface;
}

/* Says, over the view, what is drawn when the sample has no picture. */
static void
update_no_picture (OvWindow       *self,
                   const OvSample *sample,
                   gboolean        has_picture)
{
  g_autofree char *text = NULL;

  if (has_picture)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->no_picture_label), FALSE);
      return;
    }
  if (sample->n_regions == 0 && sample->n_features == 0)
    text = g_strdup (_("No picture, no boxes and no region features: only the tags reach the "
                       "model"));
  else if (sample->n_regions == 0)
    text = g_strdup (_("No picture and no boxes: this sample has only its tags and region "
                       "features"));
  else if (sample->width > 0 && sample->height > 0)
    /* Translators: the size the detector measured the boxes in, "640×480" */
    text = g_strdup_printf (_("No picture: the boxes are drawn on a blank %d×%d frame"),
                            sample->width, sample->height);
  else
    text = g_strdup (_("No picture: the boxes are drawn on a blank frame around them"));
  gtk_label_set_text (self->no_picture_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->no_picture_label), TRUE);
}

const char *
_ov_window_get_panel_name (OvWindow *self)
{
  return adw_view_stack_get_visible_child_name (self->panel_stack);
}

const char *
_ov_window_get_no_picture_text (OvWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->no_picture_label))
         ? gtk_label_get_text (self->no_picture_label) : NULL;
}

static void
sample_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(OvWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  SampleLoad *load = g_task_get_task_data (G_TASK (result));
  cairo_surface_t *surface = NULL;
  OvOrientation box_turn = OV_ORIENTATION_NORMAL;
  g_autofree char *subtitle = NULL;
  OvSample *sample;

  loading_end (self);
  g_atomic_int_set (&self->load_permille, -1);
  /* A sample asked for since then replaces this one, even when it was read
   * first: what the user opened last is what is shown, and the failure of
   * an older request is old news. */
  if (load->request != self->sample_request)
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Stepping past the last sample is no failure worth a banner (the
       * data layer names a row past the end as a bad option value). */
      if (load->origin == LOAD_STEPPED
          && g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
        {
          show_toast (self, _("This is the last sample."));
          return;
        }
      if (load->origin == LOAD_FROM_MAP
          && g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
        /* Translators: %lld is a sample's number, %s the dataset's file. */
        message = g_strdup_printf (_("The map names sample %lld of %s, which it no longer has: "
                                     "collect the embeddings again"), (long long) load->row,
                                   load->files[0]);
      else
        /* Translators: %s is the data layer's message, which names the file. */
        message = g_strdup_printf (_("Could not open the sample: %s"), error->message);
      show_banner (self, message);
      show_a_runnable_panel (self);
      return;
    }

  if (load->image_error != NULL)
    show_toast (self, load->image_error);
  if (load->answers == NULL && load->answers_beside != NULL
      && ov_session_get_answer_list_path (self->session) == NULL)
    load->answers = g_steal_pointer (&load->answers_beside);
  if (load->answers != NULL && g_strcmp0 (load->answers,
                                          ov_session_get_answer_list_path (self->session)) != 0)
    {
      g_autoptr(GError) answers_error = NULL;

      if (!ov_session_load_answer_list (self->session, load->answers, &answers_error))
        show_toast (self, answers_error->message);
    }
  for (guint i = 0; load->sample->warnings != NULL && i < load->sample->warnings->len; i++)
    show_toast (self, g_ptr_array_index (load->sample->warnings, i));

  g_strfreev (self->sample_files);
  self->sample_files = g_strdupv (load->files);
  self->sample_row = load->loaded_row >= 0 ? load->loaded_row : load->row;
  g_debug ("sample shown: %s, row %" G_GINT64_FORMAT, load->sample->key, self->sample_row);
  ov_embed_panel_set_dataset (self->embed_panel, (const char *const *) load->files);
  for (guint i = 0; load->files[i] != NULL; i++)
    remember_recent (self, load->files[i]);

  if (load->image != NULL)
    {
      box_turn = ov_sample_box_turn (load->sample, load->image, FALSE);
      surface = surface_from_image (g_steal_pointer (&load->image));
    }
  /* The image shown so far lends its tags to the swapped match. */
  if (ov_session_get_sample (self->session) != NULL)
    {
      g_autofree char *previous_tags = ov_session_dup_input_tags (self->session);

      ov_mask_panel_set_other_tags (self->mask_panel, previous_tags);
    }
  sample = g_steal_pointer (&load->sample);
  subtitle = g_strdup (sample->key);
  update_no_picture (self, sample, surface != NULL);
  ov_image_view_set_image (self->image_view, NULL, OV_ORIENTATION_NORMAL);
  ov_session_set_sample (self->session, sample);
  /* before the runs the new sample starts (after a quiet moment) begin */
  ov_session_set_picture (self->session, surface, box_turn);
  ov_image_view_set_image (self->image_view, surface, box_turn);
  g_clear_pointer (&surface, cairo_surface_destroy);

  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_visible (self->empty_page, FALSE);
  if (ov_session_get_sample (self->session)->captions->len > 0)
    ov_mask_panel_set_text (self->mask_panel,
                            g_ptr_array_index (ov_session_get_sample (self->session)->captions, 0));
  if (ov_session_get_sample (self->session)->questions->len > 0)
    {
      OvQuestion *q = g_ptr_array_index (ov_session_get_sample (self->session)->questions, 0);
      /* as a person writes it, not as Oscar's files keep it ("cup ?") */
      g_autofree char *question = ov_text_dup_untokenized (q->question);

      ov_vqa_panel_set_question (self->vqa_panel, question);
    }

  /* A picture on its own is one sample; anything else may hold more. */
  gtk_widget_set_visible (self->sample_nav,
                          load->files[1] != NULL || sample_file_role (load->files[0]) != NULL);
  {
    /* Translators: the sample shown, counted from 1. */
    g_autofree char *label = g_strdup_printf (_("Sample %u"),
                                              (guint) MAX (self->sample_row, 0) + 1);

    /* Translators: the command line counts rows from 0 */
    g_autofree char *tip = g_strdup_printf (_("oscarviz CMD --row %u on the command line"),
                                            (guint) MAX (self->sample_row, 0));

    gtk_label_set_text (self->sample_label, label);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->sample_label), tip);
  }
  /* the last load to end may be the sample's, after a checkpoint that
   * loaded first could not pick its panel while loads were running */
  show_a_runnable_panel (self);
}

static void
load_sample (OvWindow           *self,
             const char *const  *files,
             gint64              row,
             const char         *key,
             LoadOrigin          origin)
{
  g_autoptr(GTask) task = NULL;
  SampleLoad *load;
  g_autofree char *name = NULL;
  GCancellable *cancellable;

  if (files == NULL || files[0] == NULL)
    return;
  load = g_new0 (SampleLoad, 1);
  load->files = g_strdupv ((char **) files);
  load->row = row;
  load->key = g_strdup (key);
  load->loaded_row = -1;
  load->origin = origin;
  load->request = ++self->sample_request;

  name = g_path_get_basename (files[0]);
  cancellable = loading_begin (self, name);
  task = g_task_new (self, cancellable, sample_loaded_cb, g_object_ref (self));
  g_task_set_source_tag (task, load_sample);
  g_task_set_task_data (task, load, (GDestroyNotify) sample_load_free);
  g_task_run_in_thread (task, load_sample_worker);
}

/* Opening */

/* The demo's captioning, VQA and pre-training models side by side, so
 * every panel works, on its held-out scenes unless with_scenes is FALSE:
 * a sample the user opened without a checkpoint runs on the demo's models,
 * and the demo's scene must not take its place. */
static void
open_demo (OvWindow   *self,
           gboolean    with_scenes,
           gint64      row,
           const char *key)
{
  static const char *const models[] = { "demo", "demo-vqa", "demo-pretrain" };
  g_autoptr(GError) error = NULL;
  g_autofree char *dataset = NULL;
  guint n_found = 0;

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *dir = ov_demo_find (models[i], &local_error);

      if (dir == NULL)
        {
          if (error == NULL)
            error = g_steal_pointer (&local_error);
          continue;
        }
      load_model (self, dir, FALSE);
      n_found++;
    }
  if (with_scenes)
    dataset = ov_demo_find_dataset ("demo", error == NULL ? &error : NULL);
  if (dataset != NULL)
    {
      const char *files[] = { dataset, NULL };

      load_sample (self, files, row, key, LOAD_OPENED);
    }
  if (n_found == 0 || (with_scenes && dataset == NULL))
    {
      /* Translators: %s says which folders were searched. */
      g_autofree char *message = g_strdup_printf (_("The bundled demo could not be opened: %s"),
                                                  error->message);

      show_banner (self, message);
    }
}

void
ov_window_open (OvWindow  *self,
                const char *model_dir,
                GFile     **files,
                guint       n_files)
{
  ov_window_open_at (self, model_dir, files, n_files, -1, NULL);
}

void
ov_window_open_at (OvWindow   *self,
                   const char *model_dir,
                   GFile     **files,
                   guint       n_files,
                   gint64      row,
                   const char *key)
{
  g_autoptr(GStrvBuilder) sample_files = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;
  gboolean any_model = model_dir != NULL;

  g_return_if_fail (OV_IS_WINDOW (self));

  hide_banner (self);
  if (model_dir != NULL)
    load_model (self, model_dir, TRUE);
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);

      if (path == NULL)
        {
          g_autofree char *uri = g_file_get_uri (files[i]);
          g_autofree char *message =
            /* Translators: %s is a URI. */
            g_strdup_printf (_("%s is not a local file; oscarviz reads local files only"), uri);

          show_banner (self, message);
          continue;
        }
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          load_model (self, path, TRUE);
          any_model = TRUE;
        }
      else
        g_strv_builder_add (sample_files, path);
    }

  paths = g_strv_builder_end (sample_files);
  if (!any_model && !ov_session_has_model (self->session) && self->n_loading == 0)
    open_demo (self, paths[0] == NULL, row, key);
  else if (paths[0] == NULL && (row >= 0 || key != NULL))
    /* a sample asked for, and no dataset to take it from */
    show_banner (self, _("--row and --key choose a sample of the dataset opened with them: "
                         "give --dataset FILE too"));
  if (paths[0] != NULL)
    load_sample (self, (const char *const *) paths, row, key, LOAD_OPENED);
}

/* Actions */

static void
files_chosen_cb (GtkNativeDialog *dialog,
                 int              response,
                 OvWindow        *self)
{
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean folder = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog))
                    == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;

  if (response == GTK_RESPONSE_ACCEPT)
    list = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
  g_object_unref (dialog);
  if (list == NULL)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    g_ptr_array_add (files, g_list_model_get_item (list, i));
  if (folder && files->len == 1)
    {
      g_autofree char *path = g_file_get_path (g_ptr_array_index (files, 0));

      if (path != NULL)
        {
          ov_window_open (self, path, NULL, 0);
          return;
        }
    }
  ov_window_open (self, NULL, (GFile **) files->pdata, files->len);
}

static void
choose_files (OvWindow             *self,
              const char           *title,
              GtkFileChooserAction  action)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, _("_Open"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog),
                                        action == GTK_FILE_CHOOSER_ACTION_OPEN);
  g_signal_connect (dialog, "response", G_CALLBACK (files_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  choose_files (OV_WINDOW (widget), _("Open an Image with Its Detections, or a Dataset"),
                GTK_FILE_CHOOSER_ACTION_OPEN);
}

static void
open_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  choose_files (OV_WINDOW (widget), _("Open a Checkpoint Folder"),
                GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
open_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  hide_banner (OV_WINDOW (widget));
  open_demo (OV_WINDOW (widget), TRUE, -1, NULL);
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  OvWindow *self = OV_WINDOW (widget);
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (parameter, NULL));

  ov_window_open (self, NULL, &file, 1);
}

static void
cancel_loading_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  OvWindow *self = OV_WINDOW (widget);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
}

static void
dismiss_banner_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  hide_banner (OV_WINDOW (widget));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OvImageView *view = OV_WINDOW (widget)->image_view;

  if (g_str_equal (action_name, "win.zoom-in"))
    ov_image_view_zoom_in (view);
  else if (g_str_equal (action_name, "win.zoom-out"))
    ov_image_view_zoom_out (view);
  else if (g_str_equal (action_name, "win.zoom-100"))
    ov_image_view_set_zoom (view, 1.0);
  else
    ov_image_view_set_fit (view, TRUE);
}

static void
step_sample_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  OvWindow *self = OV_WINDOW (widget);
  gint64 row = MAX (self->sample_row, 0);

  if (self->sample_files == NULL || self->n_loading > 0)
    return;
  if (g_str_equal (action_name, "win.next-sample"))
    row++;
  else if (row > 0)
    row--;
  else
    return;
  load_sample (self, (const char *const *) self->sample_files, row, NULL, LOAD_STEPPED);
}

static void
caption_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  OvWindow *self = OV_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->panel_stack, "caption");
  ov_caption_panel_run (self->caption_panel);
}

static void
ask_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  OvWindow *self = OV_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->panel_stack, "question");
  ov_vqa_panel_focus (self->vqa_panel);
}

static void
add_tag_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ov_tag_list_focus_add (OV_WINDOW (widget)->tag_list);
}

static void
show_panel_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AdwViewStack *stack = OV_WINDOW (widget)->panel_stack;
  GtkWidget *panel, *focus;

  adw_view_stack_set_visible_child_name (stack, g_variant_get_string (parameter, NULL));
  /* The keys go on in the panel shown (Alt+2, then the question), not in
   * the one hidden or wherever the focus was. */
  panel = adw_view_stack_get_visible_child (stack);
  focus = gtk_root_get_focus (GTK_ROOT (widget));
  if (panel != NULL && (focus == NULL || !gtk_widget_is_ancestor (focus, panel)))
    gtk_widget_child_focus (panel, GTK_DIR_TAB_FORWARD);
}

/* Drag and drop */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         OvWindow      *self)
{
  GSList *list = g_value_get_boxed (value);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  if (files->len == 0)
    return FALSE;
  ov_window_open (self, NULL, (GFile **) files->pdata, files->len);
  return TRUE;
}

/* Window */

static gboolean
ov_window_close_request (GtkWindow *window)
{
  OvWindow *self = OV_WINDOW (window);
  g_autoptr(GStrvBuilder) models = g_strv_builder_new ();
  g_auto(GStrv) model_list = NULL;
  static const OvModelKind kinds[] = {
    OV_MODEL_KIND_CAPTION, OV_MODEL_KIND_CLASSIFIER, OV_MODEL_KIND_PRETRAIN,
    OV_MODEL_KIND_ENCODER,
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const char *path = ov_session_get_model_path (self->session, kinds[i]);

      if (path != NULL)
        g_strv_builder_add (models, path);
    }
  model_list = g_strv_builder_end (models);
  g_settings_set_strv (self->settings, "last-models", (const char *const *) model_list);
  g_settings_set_strv (self->settings, "last-files",
                       (const char *const *) (self->sample_files != NULL
                                              ? self->sample_files : (GStrv) NULL));
  g_settings_set_int (self->settings, "tag-list-height", MAX (self->tag_height, 0));
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);

  return GTK_WINDOW_CLASS (ov_window_parent_class)->close_request (window);
}

static void
ov_window_dispose (GObject *object)
{
  OvWindow *self = OV_WINDOW (object);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  g_clear_handle_id (&self->zoom_label_id, g_source_remove);
  g_clear_handle_id (&self->pending_id, g_source_remove);
  g_clear_handle_id (&self->side_size_id, g_source_remove);
  g_clear_pointer (&self->pending_key, g_free);
  g_clear_pointer (&self->pending_class, g_free);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OV_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->sample_files, g_strfreev);
  G_OBJECT_CLASS (ov_window_parent_class)->dispose (object);
}

static void
ov_window_class_init (OvWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ov_window_dispose;
  window_class->close_request = ov_window_close_request;

  g_type_ensure (OV_TYPE_IMAGE_VIEW);
  g_type_ensure (OV_TYPE_TAG_LIST);
  g_type_ensure (OV_TYPE_CAPTION_PANEL);
  g_type_ensure (OV_TYPE_VQA_PANEL);
  g_type_ensure (OV_TYPE_MASK_PANEL);
  g_type_ensure (OV_TYPE_ATTENTION_PANEL);
  g_type_ensure (OV_TYPE_EMBED_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/oscarviz/Oscarviz/ov-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OvWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, image_view);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, no_picture_label);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, threshold_scale);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, sample_nav);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, sample_label);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, tag_list);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, panel_stack);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, caption_panel);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, vqa_panel);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, mask_panel);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, attention_panel);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, embed_panel);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, models_label);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, backend_label);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, timing_label);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, recent_section);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, outer_paned);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, side_paned);
  gtk_widget_class_bind_template_child (widget_class, OvWindow, side_scroller);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, open_model_action);
  gtk_widget_class_install_action (widget_class, "win.open-demo", NULL, open_demo_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-loading", NULL,
                                   cancel_loading_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-banner", NULL,
                                   dismiss_banner_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-100", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.previous-sample", NULL,
                                   step_sample_action);
  gtk_widget_class_install_action (widget_class, "win.next-sample", NULL, step_sample_action);
  gtk_widget_class_install_action (widget_class, "win.caption", NULL, caption_action);
  gtk_widget_class_install_action (widget_class, "win.ask", NULL, ask_action);
  gtk_widget_class_install_action (widget_class, "win.add-tag", NULL, add_tag_action);
  gtk_widget_class_install_action (widget_class, "win.show-panel", "s", show_panel_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-demo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "win.cancel-loading", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK,
                                       "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK,
                                       "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK,
                                       "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "win.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK,
                                       "win.zoom-100", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK,
                                       "win.previous-sample", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK,
                                       "win.next-sample", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.caption", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK,
                                       "win.ask", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK,
                                       "win.add-tag", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK,
                                       "win.show-panel", "s", "caption");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK,
                                       "win.show-panel", "s", "question");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK,
                                       "win.show-panel", "s", "mask");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK,
                                       "win.show-panel", "s", "attention");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK,
                                       "win.show-panel", "s", "embeddings");
}

static void
ov_window_init (OvWindow *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->sample_row = -1;
  self->load_permille = -1;
  self->settings = g_settings_new (APPLICATION_ID);
  self->session = ov_session_new ();

  ov_image_view_set_session (self->image_view, self->session);
  ov_tag_list_set_session (self->tag_list, self->session);
  ov_panel_set_session (OV_PANEL (self->caption_panel), self->session);
  ov_panel_set_session (OV_PANEL (self->vqa_panel), self->session);
  ov_panel_set_session (OV_PANEL (self->mask_panel), self->session);
  ov_panel_set_session (OV_PANEL (self->attention_panel), self->session);
  ov_panel_set_session (OV_PANEL (self->embed_panel), self->session);

  /* One selection, shown in both the picture and the list. */
  g_object_bind_property (self->image_view, "selected", self->tag_list, "selected",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  g_settings_bind (self->settings, "confidence-threshold", self->session, "threshold",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "confidence-threshold",
                   gtk_range_get_adjustment (GTK_RANGE (self->threshold_scale)), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (rebuild_recent_menu), self, G_CONNECT_SWAPPED);
  rebuild_recent_menu (self);

  g_signal_connect_object (self->session, "notify::has-model",
                           G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::last-run-seconds",
                           G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->image_view, "notify::zoom",
                           G_CALLBACK (zoom_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->caption_panel, "run-failed",
                           G_CALLBACK (panel_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->vqa_panel, "run-failed",
                           G_CALLBACK (panel_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mask_panel, "run-failed",
                           G_CALLBACK (panel_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->attention_panel, "run-failed",
                           G_CALLBACK (panel_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->embed_panel, "run-failed",
                           G_CALLBACK (panel_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->embed_panel, "show-sample",
                           G_CALLBACK (embed_show_sample_cb), self, 0);
  g_signal_connect_object (self->session, "sample-changed",
                           G_CALLBACK (sample_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->panel_stack, "notify::visible-child-name",
                           G_CALLBACK (apply_tag_height), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->panel_stack, "notify::visible-child-name",
                           G_CALLBACK (panel_shown_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->caption_panel, "notify::caption",
                           G_CALLBACK (caption_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->vqa_panel, "notify::question",
                           G_CALLBACK (question_changed_cb), self, G_CONNECT_SWAPPED);
  update_status (self);
  zoom_changed_cb (self);

  /* The image takes a little under half the width it opens with (less
   * with large text); the tags, unless the user gave them a height, a
   * little over a third of the side's height (five rows at 1280x800), so
   * the panels below keep nearly two thirds. Larger text makes the rows
   * taller: the list then takes up to 45 % of the side, for three rows or
   * more instead of one and a half. */
  apply_picture_width (self);
  g_signal_connect_object (gtk_widget_get_settings (GTK_WIDGET (self)), "notify::gtk-xft-dpi",
                           G_CALLBACK (apply_picture_width), self, G_CONNECT_SWAPPED);
  self->tag_height = g_settings_get_int (self->settings, "tag-list-height");
  if (self->tag_height <= 0)
    {
      int side = g_settings_get_int (self->settings, "window-height") - 100;
      double scale = MAX (ov_widget_get_text_scale (GTK_WIDGET (self)), 1.0);

      self->tag_height = (int) MIN (side * 0.37 * scale, side * 0.45);
    }
  bind_tags_collapsed (self);
  apply_tag_height (self);
  g_signal_connect_object (self->tag_list, "notify::collapsed",
                           G_CALLBACK (tags_collapsed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->panel_stack, "notify::visible-child-name",
                           G_CALLBACK (update_panel_fold), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->side_paned, "notify::position",
                           G_CALLBACK (side_position_cb), self, G_CONNECT_SWAPPED);
  /* the scroller's page is its height: it changes with the window's */
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->side_scroller), "changed",
                           G_CALLBACK (side_size_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_widget_get_settings (GTK_WIDGET (self)), "notify::gtk-xft-dpi",
                           G_CALLBACK (side_size_cb), self, G_CONNECT_SWAPPED);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

OvWindow *
ov_window_new (OvApplication *application)
{
  return g_object_new (OV_TYPE_WINDOW, "application", application, NULL);
}

OvSession *
ov_window_get_session (OvWindow *self)
{
  g_return_val_if_fail (OV_IS_WINDOW (self), NULL);
  return self->session;
}

gboolean
ov_window_is_loading (OvWindow *self)
{
  g_return_val_if_fail (OV_IS_WINDOW (self), FALSE);
  return self->n_loading > 0;
}

OvImageView *
_ov_window_get_image_view (OvWindow *self)
{
  return self->image_view;
}

OvTagList *
_ov_window_get_tag_list (OvWindow *self)
{
  return self->tag_list;
}

OvCaptionPanel *
_ov_window_get_caption_panel (OvWindow *self)
{
  return self->caption_panel;
}

OvVqaPanel *
_ov_window_get_vqa_panel (OvWindow *self)
{
  return self->vqa_panel;
}

OvMaskPanel *
_ov_window_get_mask_panel (OvWindow *self)
{
  return self->mask_panel;
}

OvAttentionPanel *
_ov_window_get_attention_panel (OvWindow *self)
{
  return self->attention_panel;
}

OvEmbedPanel *
_ov_window_get_embed_panel (OvWindow *self)
{
  return self->embed_panel;
}

const char *
_ov_window_get_toast_text (OvWindow *self)
{
  g_return_val_if_fail (OV_IS_WINDOW (self), NULL);
  return self->toast != NULL ? adw_toast_get_title (self->toast) : NULL;
}

const char *
_ov_window_get_banner_text (OvWindow *self)
{
  if (!gtk_revealer_get_reveal_child (self->banner_revealer))
    return NULL;
  return gtk_label_get_text (self->banner_label);
}

char *
_ov_window_dup_status_text (OvWindow *self)
{
  return g_strjoin ("  ", gtk_label_get_text (self->models_label),
                    gtk_label_get_text (self->backend_label),
                    gtk_label_get_text (self->timing_label), NULL);
}
