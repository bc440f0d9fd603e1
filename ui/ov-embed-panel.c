/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The embeddings panel. Three kinds of background job, each a GTask with
 * its own cancellable, at most one at a time: the pass over the dataset
 * (the session's model locked per sample, so the other panels keep
 * running), t-SNE (frames handed to the main loop at most every
 * FRAME_INTERVAL_US), and saving or opening a file. What a pass gives is an
 * EmbedResult of EmbedSets that never change once made; a job holds
 * references to the sets it reads, so a new pass does not pull them away.
 */
#define G_LOG_DOMAIN "ov-embed-panel"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "data/ov-dataset.h"
#include "data/ov-demo.h"
#include "model/ov-error.h"
#include "model/ov-tokenizer.h"
#include "viz/ov-align.h"
#include "viz/ov-export.h"
#include "viz/ov-tsne-plot.h"
#include "ov-embed-panel.h"
#include "ov-panel-util.h"

/* Frames of a converging map: about 20 a second is smooth enough and
 * leaves the main loop free. */
#define FRAME_INTERVAL_US (50 * 1000)

/* One set of states with its alignment numbers. */
typedef struct {
  OvEmbeddings *emb;
  char         *label;        /* the model folder's (or file's) name */
  OvAlignment  *align;        /* NULL when it could not be computed */
  char         *align_error;  /* why, then */
} EmbedSet;

static void
embed_set_clear (gpointer data)
{
  EmbedSet *set = data;

  g_clear_pointer (&set->emb, ov_embeddings_free);
  g_clear_pointer (&set->align, ov_alignment_free);
  g_free (set->label);
  g_free (set->align_error);
}

static void
embed_set_unref (EmbedSet *set)
{
  if (set != NULL)
    g_atomic_rc_box_release_full (set, embed_set_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmbedSet, embed_set_unref)

/* Takes emb; computes the alignment (in the calling thread). */
static EmbedSet *
embed_set_new (OvEmbeddings *emb,
               const char   *label)
{
  EmbedSet *set = g_atomic_rc_box_new0 (EmbedSet);
  g_autoptr(GError) error = NULL;

  set->emb = emb;
  set->label = g_strdup (label);
  set->align = ov_align_compute (emb, label, &error);
  if (set->align == NULL)
    set->align_error = g_strdup (error->message);
  return set;
}

/* The pass (or the files) the panel shows. */
typedef struct {
  EmbedSet   *set[2];    /* the model of the pass, the comparison (NULL) */
  char       *note;      /* how the comparison was fed, or NULL */
  GStrv       files;     /* the dataset the pass read; NULL for a file opened */
  GHashTable *rows;      /* image key -> row + 1 in files */
} EmbedResult;

static void
embed_result_clear (gpointer data)
{
  EmbedResult *r = data;

  for (guint k = 0; k < 2; k++)
    g_clear_pointer (&r->set[k], embed_set_unref);
  g_free (r->note);
  g_strfreev (r->files);
  g_clear_pointer (&r->rows, g_hash_table_unref);
}

static EmbedResult *
embed_result_new (void)
{
  EmbedResult *r = g_atomic_rc_box_new0 (EmbedResult);

  r->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return r;
}

static void
embed_result_unref (EmbedResult *r)
{
  if (r != NULL)
    g_atomic_rc_box_release_full (r, embed_result_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmbedResult, embed_result_unref)

typedef enum {
  JOB_NONE,
  JOB_COLLECT,
  JOB_TSNE,
  JOB_FILE,
} JobKind;

struct _OvEmbedPanel
{
  OvPanel          parent_instance;

  GtkLabel        *reason_label;
  GtkWidget       *content;
  GtkDropDown     *model_dropdown;
  GtkStringList   *model_list;
  GtkDropDown     *layer_dropdown;
  GtkStringList   *layer_list;
  GtkCheckButton  *all_images_check;
  GtkSpinButton   *images_spin;
  GtkLabel        *dataset_label;
  GtkDropDown     *compare_dropdown;
  GtkDropDown     *metric_dropdown;   /* the alignment's distance */
  GtkStringList   *compare_list;
  GtkDropDown     *tsne_layer_dropdown;
  GtkStringList   *tsne_layer_list;
  GtkSpinButton   *perplexity_spin;
  GtkSpinButton   *seed_spin;
  GtkSpinButton   *iterations_spin;
  GtkWidget       *classes_box;
  GtkLabel        *status_label;
  GtkProgressBar  *progress_bar;
  GtkWidget       *cancel_button;
  GtkStack        *view_stack;
  /* The status line: the last thing said, and the last that was not about
   * the map (collecting), which the Alignment page shows instead of a
   * t-SNE's progress or result. */
  char            *status_last;
  char            *status_data;
  OvScatterCanvas *canvas;
  GtkWidget       *empty_label;   /* "Collect…, then map…": no map, no job */
  gboolean         map_shown;
  GtkWidget       *selection_box;
  GtkLabel        *selection_label;
  GtkColumnView   *selection_view;
  GtkLabel        *align_label;
  GtkDrawingArea  *align_area;
  GtkGrid         *align_grid;
  GtkWidget       *align_table_window;
  GtkWidget       *class_box;
  GtkDropDown     *class_layer_dropdown;
  GtkStringList   *class_layer_model;
  GtkGrid         *class_grid;
  gboolean         class_layers_updating;

  GSettings       *settings;
  GtkStringList   *selection_rows;   /* point indices as text */
  GArray          *model_kinds;      /* OvModelKind per model_list row */
  GPtrArray       *compare_dirs;     /* char*, per compare_list row (NULL = none) */
  GArray          *tsne_layers;      /* int per tsne_layer_list row */
  int              model_layers;     /* encoder layers of the chosen model, -1 = unknown */
  GStrv            files;            /* the window's dataset */
  guint            n_images;         /* of that dataset; 0 = unknown */
  GCancellable    *count_cancellable;

  EmbedResult     *result;
  float           *xy;               /* (n, 2) map positions of result->set[0], or NULL */
  OvTsneParams     tsne_params;      /* what xy came from */
  int              tsne_layer;
  OvAlignView     *align_view;

  /* The job in flight. */
  JobKind          job;
  GCancellable    *job_cancellable;
  gpointer         job_data;         /* the collect or t-SNE job, while it runs */
  guint            generation;       /* bumped per job; stale frames are dropped */
  guint            poll_id;

  guint            n_passes, n_maps, n_frames, n_saves;
  float           *first_frame;          /* (n, 2) the first map drawn by the last run */
  gboolean         updating;
  gboolean         demos_listed;
  gboolean         model_chosen;     /* the user picked the model: keep it */
  gboolean         disposed;
};

enum {
  SHOW_SAMPLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OvEmbedPanel, ov_embed_panel, OV_TYPE_PANEL)

static void update_actions (OvEmbedPanel *self);
static void run_tsne (OvEmbedPanel *self);

/* Small helpers */

static const char *
class_name (const OvEmbeddings *emb,
            guint               i)
{
  return g_ptr_array_index (emb->class_names, emb->classes[i]);
}

static const char *
image_key (const OvEmbeddings *emb,
           guint               i)
{
  return g_ptr_array_index (emb->image_keys, emb->images[i]);
}

static const OvEmbeddings *
primary (OvEmbedPanel *self)
{
  return self->result != NULL && self->result->set[0] != NULL ? self->result->set[0]->emb
                                                               : NULL;
}

static char *
layer_title (int layer)
{
  if (layer == 0)
    /* Translators: hidden-state layer 0, the output of the embedding layer. */
    return g_strdup (_("0 (embeddings)"));
  return g_strdup_printf ("%d", layer);
}

/* Shows the status the page shown wants. */
static void
show_status (OvEmbedPanel *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->view_stack);
  const char *text = g_strcmp0 (page, "alignment") == 0 ? self->status_data
                                                        : self->status_last;

  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label),
                               text != NULL && *text != '\0' ? text : NULL);
}

/* A status about the map (a t-SNE run), or (map FALSE) about the data. */
static void
set_status_of (OvEmbedPanel *self,
               const char   *text,
               gboolean      map)
{
  g_free (self->status_last);
  self->status_last = g_strdup (text);
  if (!map)
    {
      g_free (self->status_data);
      self->status_data = g_strdup (text);
    }
  show_status (self);
}

static void
set_status (OvEmbedPanel *self,
            const char   *text)
{
  set_status_of (self, text, FALSE);
}

/* Sorts the window's files into a dataset, as the window's loader does. */
static OvDataset *
open_dataset (const char *const *files,
              GCancellable      *cancellable,
              GError           **error)
{
  OvDatasetFiles df = { NULL };
  const char *dataset = NULL;
  gboolean ids = FALSE;

  if (files == NULL || files[0] == NULL)
    {
      g_set_error_literal (error, OV_ERROR, OV_ERROR_MISSING,
                           _("No dataset is open; open one with Ctrl+O."));
      return NULL;
    }
  for (guint i = 0; files[i] != NULL && !ids; i++)
    ids = ov_file_sniff (files[i], NULL) == OV_FILE_LXMERT_TSV
          || ov_file_sniff (files[i], NULL) == OV_FILE_DATASET_YAML;
  for (guint i = 0; files[i] != NULL; i++)
    {
      OvFileKind kind;
      const char *role;

      /* the names of an LXMERT file's class ids, as the window reads them */
      if (ids && ov_file_is_class_names (files[i]))
        {
          df.class_names = files[i];
          continue;
        }
      kind = ov_file_sniff (files[i], NULL);
      role = ov_file_kind_role (kind);
      if (g_str_equal (role, "dataset"))
        dataset = files[i];
      else if (g_str_equal (role, "detections") || g_str_equal (role, "questions"))
        df.labels = files[i];
      else if (g_str_equal (role, "features"))
        df.features = files[i];
      else if (g_str_equal (role, "image-sizes"))
        df.hw = files[i];
    }
  if (dataset != NULL)
    {
      g_autoptr(OvDataset) ds = ov_dataset_open (dataset, cancellable, error);

      if (ds == NULL || (df.class_names != NULL
                         && !ov_dataset_set_class_names (ds, df.class_names, error)))
        return NULL;
      return g_steal_pointer (&ds);
    }
  if (df.labels == NULL && df.features == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _("%s: a picture alone has no region features to embed"), files[0]);
      return NULL;
    }
  return ov_dataset_open_files (&df, cancellable, error);
}

/* Progress and the job in flight */

static gboolean
poll_cb (gpointer user_data);

static void
job_begin (OvEmbedPanel *self,
           JobKind       kind,
           const char   *what)
{
  if (self->job_cancellable != NULL)
    g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->job_cancellable);
  self->job_cancellable = g_cancellable_new ();
  self->job = kind;
  self->generation++;
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_visible (self->cancel_button, TRUE);
  /* the invitation to collect and map is not for while it is done */
  gtk_widget_set_visible (self->empty_label, FALSE);
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add (100, poll_cb, self);
  set_status_of (self, what, kind == JOB_TSNE);
  update_actions (self);
}

static void
job_end (OvEmbedPanel *self)
{
  self->job = JOB_NONE;
  self->job_data = NULL;
  g_clear_object (&self->job_cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_widget_set_visible (self->cancel_button, FALSE);
  gtk_widget_set_visible (self->empty_label, !self->map_shown);
  update_actions (self);
}

/* Classes popover */

static void
class_toggled_cb (GtkCheckButton *check,
                  OvEmbedPanel   *self)
{
  guint cls = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "class"));

  if (!self->updating && ov_scatter_canvas_get_view (self->canvas) != NULL)
    ov_scatter_canvas_set_class_visible (self->canvas, cls, gtk_check_button_get_active (check));
}

static void
rebuild_classes (OvEmbedPanel *self)
{
  const OvEmbeddings *emb = primary (self);
  OvPalette *palette = ov_session_get_palette (ov_panel_get_session (OV_PANEL (self)));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->classes_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->classes_box), child);
  if (emb == NULL || palette == NULL)
    return;
  for (guint c = 0; c < emb->class_names->len; c++)
    {
      const char *name = g_ptr_array_index (emb->class_names, c);
      OvColor col = ov_palette_color (palette, name);
      g_autofree char *markup = NULL;
      GtkWidget *check = gtk_check_button_new ();
      GtkWidget *label = gtk_label_new (NULL);

      /* The swatch is a coloured block character, so the colour reads in
       * both themes without extra CSS per class. */
      markup = g_markup_printf_escaped ("<span foreground=\"#%02x%02x%02x\">■</span> %s",
                                        (int) (col.r * 255), (int) (col.g * 255),
                                        (int) (col.b * 255), name);
      gtk_label_set_markup (GTK_LABEL (label), markup);
      gtk_check_button_set_child (GTK_CHECK_BUTTON (check), label);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      g_object_set_data (G_OBJECT (check), "class", GUINT_TO_POINTER (c));
      g_signal_connect_object (check, "toggled", G_CALLBACK (class_toggled_cb), self, 0);
      gtk_box_append (GTK_BOX (self->classes_box), check);
    }
}

static void
classes_changed_cb (OvEmbedPanel *self)
{
  guint c = 0;

  if (ov_scatter_canvas_get_view (self->canvas) == NULL)
    return;
  self->updating = TRUE;
  for (GtkWidget *w = gtk_widget_get_first_child (self->classes_box); w != NULL;
       w = gtk_widget_get_next_sibling (w), c++)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (w),
                                 ov_scatter_canvas_get_class_visible (self->canvas, c));
  self->updating = FALSE;
}

/* Selection list */

static char *
describe_box (const OvEmbeddings *emb,
              guint               i)
{
  const float *b = emb->boxes + (gsize) i * 4;

  if (isnan (b[0]))
    return g_strdup ("–");
  return g_strdup_printf ("%.0f, %.0f – %.0f, %.0f", b[0], b[1], b[2], b[3]);
}

static char *
describe_kind (const OvEmbeddings *emb,
               guint               i)
{
  if (emb->modality[i] == OV_EMBED_REGION)
    {
      if (emb->regions[i] >= 0)
        /* Translators: a region of the image, counted from 1 as in the tag list. */
        return g_strdup_printf (_("region %d"), emb->regions[i] + 1);
      return g_strdup (_("region"));
    }
  /* Translators: a word piece of the tag string. */
  return g_strdup (_("tag"));
}

/* What a point is, without what to do with it: the first line is the one
 * the map writes beside the keyboard's point. */
static char *
point_description (OvEmbedPanel *self,
                   guint         i)
{
  const OvEmbeddings *emb = primary (self);
  g_autofree char *kind = NULL;
  g_autofree char *box = NULL;

  if (emb == NULL || i >= emb->n)
    return NULL;
  kind = describe_kind (emb, i);
  box = describe_box (emb, i);
  if (emb->modality[i] == OV_EMBED_REGION)
    /* Translators: a region's point on the map: its class, "region N", the
     * image key and the box in pixels. */
    return g_strdup_printf (_("%s, %s of image %s\nbox %s"),
                            class_name (emb, i), kind, image_key (emb, i), box);
  if (emb->regions[i] >= 0)
    /* Translators: a tag piece's point: the word piece, its class, the
     * region the tag belongs to (counted from 1), the image, the box. */
    return g_strdup_printf (_("Tag piece “%s” of %s (region %d) in image %s\nbox %s"),
                            (const char *) g_ptr_array_index (emb->tokens, i),
                            class_name (emb, i), emb->regions[i] + 1, image_key (emb, i), box);
  /* Translators: a tag piece's point whose tag has no region. */
  return g_strdup_printf (_("Tag piece “%s” of %s in image %s"),
                          (const char *) g_ptr_array_index (emb->tokens, i), class_name (emb, i),
                          image_key (emb, i));
}

/* The pointer's tooltip, which says to click */
static char *
point_tooltip (guint    i,
               gpointer data)
{
  g_autofree char *what = point_description (data, i);

  return what != NULL ? g_strconcat (what, "\n", _("Click to open the image"), NULL) : NULL;
}

/* The keyboard's point, read out by a screen reader, which says Enter */
static char *
point_key_description (OvEmbedPanel *self,
                       guint         i)
{
  g_autofree char *what = point_description (self, i);

  return what != NULL ? g_strconcat (what, "\n", _("Press Enter to open the image"), NULL)
                      : NULL;
}

typedef enum {
  COL_TOKEN,
  COL_CLASS,
  COL_KIND,
  COL_IMAGE,
  COL_BOX,
} Column;

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              OvEmbedPanel             *self)
{
  GtkStringObject *row = gtk_list_item_get_item (item);
  Column col = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));
  const OvEmbeddings *emb = primary (self);
  guint i = (guint) g_ascii_strtoull (gtk_string_object_get_string (row), NULL, 10);
  g_autofree char *text = NULL;

  if (emb == NULL || i >= emb->n)
    return;
  switch (col)
    {
    case COL_TOKEN:
      /* A region's "token" is the engine's own 0-based label; the kind
       * column names it as the tag list does. */
      text = g_strdup (emb->modality[i] == OV_EMBED_TAG
                       ? (const char *) g_ptr_array_index (emb->tokens, i) : "–");
      break;
    case COL_CLASS:
      text = g_strdup (class_name (emb, i));
      break;
    case COL_KIND:
      text = describe_kind (emb, i);
      break;
    case COL_IMAGE:
      text = g_strdup (image_key (emb, i));
      break;
    case COL_BOX:
    default:
      text = describe_box (emb, i);
      break;
    }
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
add_column (OvEmbedPanel *self,
            const char   *title,
            Column        col,
            gboolean      expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_object_set_data (G_OBJECT (factory), "column", GINT_TO_POINTER (col));
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), self);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->selection_view, column);
  g_object_unref (column);
}

static void
selection_changed_cb (OvEmbedPanel *self)
{
  guint n = 0;
  const guint *sel = ov_scatter_canvas_get_selection (self->canvas, &n);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *title = NULL;

  for (guint k = 0; k < n; k++)
    g_ptr_array_add (rows, g_strdup_printf ("%u", sel[k]));
  g_ptr_array_add (rows, NULL);
  gtk_string_list_splice (self->selection_rows, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->selection_rows)),
                          (const char *const *) rows->pdata);
  /* Translators: heading of the list of points picked on the map. */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u point selected",
                                        "%u points selected", n), n);
  gtk_label_set_text (self->selection_label, title);
  /* A single click shows its point in the window; the list is for groups. */
  gtk_widget_set_visible (self->selection_box, n > 1);
}

/* Clicking a point: its image, with the region selected */

typedef struct {
  GStrv  files;
  char  *key;
  int    region;
  char  *cls;
  gint64 row;      /* result */
} FindJob;

static void
find_job_free (FindJob *job)
{
  g_strfreev (job->files);
  g_free (job->key);
  g_free (job->cls);
  g_free (job);
}

static void
emit_show_sample (OvEmbedPanel *self,
                  FindJob      *job)
{
  g_signal_emit (self, signals[SHOW_SAMPLE], 0, job->files, job->row, job->key, job->region,
                 job->cls);
}

static void
find_key_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  FindJob *job = task_data;
  g_autoptr(OvDataset) ds = NULL;
  GError *error = NULL;

  ds = open_dataset ((const char *const *) job->files, cancellable, &error);
  if (ds != NULL)
    job->row = ov_dataset_find_key (ds, job->key, cancellable, &error);
  if (ds == NULL || job->row < 0)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
find_key_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (source);
  g_autoptr(GError) error = NULL;
  FindJob *job = g_task_get_task_data (G_TASK (result));

  if (self->disposed)
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (ov_error_is_cancelled (error))
        return;
      /* Translators: %s is an image key; the map came from another dataset. */
      message = g_strdup_printf (_("Image %s is not in the open dataset: %s"), job->key,
                                 error->message);
      ov_panel_report_failure (OV_PANEL (self), message);
      return;
    }
  emit_show_sample (self, job);
}

static void
activate_point (OvEmbedPanel *self,
                guint         i)
{
  const OvEmbeddings *emb = primary (self);
  FindJob *job;
  gpointer row1 = NULL;

  if (emb == NULL || i >= emb->n)
    return;
  job = g_new0 (FindJob, 1);
  job->key = g_strdup (image_key (emb, i));
  job->region = emb->regions[i];
  job->cls = g_strdup (class_name (emb, i));
  job->row = -1;

  /* The pass knows the rows of its dataset; a file opened from elsewhere
   * is looked up in the window's dataset. */
  if (self->result->files != NULL
      && g_hash_table_lookup_extended (self->result->rows, job->key, NULL, &row1))
    {
      job->files = g_strdupv (self->result->files);
      job->row = GPOINTER_TO_INT (row1) - 1;
      emit_show_sample (self, job);
      find_job_free (job);
      return;
    }
  {
    g_autoptr(GTask) task = g_task_new (self, NULL, find_key_cb, NULL);

    job->files = g_strdupv (self->files);
    g_task_set_task_data (task, job, (GDestroyNotify) find_job_free);
    g_task_run_in_thread (task, find_key_worker);
  }
}

static void
point_activated_cb (OvScatterCanvas *canvas,
                    guint            index,
                    OvEmbedPanel    *self)
{
  activate_point (self, index);
}

static void
row_activated_cb (GtkColumnView *view,
                  guint          position,
                  OvEmbedPanel  *self)
{
  g_autoptr(GtkStringObject) row = g_list_model_get_item (G_LIST_MODEL (self->selection_rows),
                                                          position);

  if (row != NULL)
    activate_point (self, (guint) g_ascii_strtoull (gtk_string_object_get_string (row), NULL,
                                                    10));
}

static void
hover_changed_cb (OvScatterCanvas *canvas,
                  int              index,
                  OvEmbedPanel    *self)
{
  g_autofree char *text = NULL;

  /* The keyboard cursor's point goes to the canvas's accessible
   * description, since it has no pointer tooltip (the canvas writes its
   * first line beside it). The pointer's point has the tooltip and leaves
   * the description to the keys. */
  index = ov_scatter_canvas_get_cursor (canvas);
  if (index >= 0)
    text = point_key_description (self, (guint) index);
  gtk_accessible_update_property (GTK_ACCESSIBLE (canvas), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text != NULL ? text : "", -1);
}

/* The map */

static void
show_map (OvEmbedPanel *self,
          const float  *xy,
          gboolean      keep_state)
{
  const OvEmbeddings *emb = primary (self);
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  OvScatterView *view;

  if (emb == NULL || xy == NULL)
    {
      ov_scatter_canvas_set_view (self->canvas, NULL, 0, 0, FALSE);
      self->map_shown = FALSE;
      gtk_widget_set_visible (self->empty_label, self->job == JOB_NONE);
      return;
    }
  /* The session's palette: a class has the colour it has on the image.
   * On screen the status line says what the map is; the title is for the
   * exported figure. */
  view = ov_embeddings_scatter_view_new (emb, xy,
                                         session != NULL ? ov_session_get_palette (session) : NULL,
                                         NULL);
  ov_scatter_canvas_set_view (self->canvas, view, emb->n, emb->class_names->len, keep_state);
  self->map_shown = TRUE;
  gtk_widget_set_visible (self->empty_label, FALSE);
}

/* The alignment page */

/* The alignment figure is made for a 900-point page; the panel is about
 * 600 pixels wide, where its text would shrink to 6 pixels. On screen it
 * keeps the text of a figure this many times larger (its layout keeps the
 * parts apart at any text size). */
#define ALIGN_SCREEN_TEXT 1.5

/* Even so its smallest text (the legends, the axis names) came out at 7 or
 * 8 pixels: on screen the figure is laid out this many times smaller and
 * drawn enlarged, as the attention figures keep their text readable, and
 * the page scrolls to the rest. The exported figure is not touched. */
#define ALIGN_SCREEN_ENLARGE 1.3

/* The factor from the figure's points to the area's pixels. */
static double
align_drawn_scale (GtkWidget *area)
{
  return ov_widget_get_text_scale (area) * ALIGN_SCREEN_ENLARGE;
}

static void
align_draw_cb (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        user_data)
{
  OvEmbedPanel *self = user_data;
  double scale = align_drawn_scale (GTK_WIDGET (area));
  OvInk ink;

  if (self->align_view == NULL)
    return;
  /* in the style's ink, as the map; the exported figure keeps the light
   * one */
  ov_widget_get_ink (GTK_WIDGET (area), &ink);
  ov_draw_set_ink (cr, &ink);
  ov_draw_use_ink (cr, OV_INK_BACKGROUND);
  cairo_paint (cr);
  /* laid out smaller and drawn enlarged, as the other canvases */
  ov_align_view_set_shown_scale (self->align_view, scale * ALIGN_SCREEN_TEXT);
  cairo_scale (cr, scale, scale);
  ov_align_view_paint (cr, width / scale, height / scale, self->align_view);
}

static gboolean
align_tooltip_cb (GtkWidget    *widget,
                  int           x,
                  int           y,
                  gboolean      keyboard,
                  GtkTooltip   *tooltip,
                  OvEmbedPanel *self)
{
  guint model;
  int layer;
  const char *series;
  double value;
  g_autofree char *text = NULL;
  double scale = align_drawn_scale (widget);

  if (self->align_view == NULL)
    return FALSE;
  ov_align_view_set_shown_scale (self->align_view, scale * ALIGN_SCREEN_TEXT);
  ov_align_view_layout (self->align_view, gtk_widget_get_width (widget) / scale,
                        gtk_widget_get_height (widget) / scale);
  if (!ov_align_view_hit (self->align_view, x / scale, y / scale, &model, &layer, &series,
                          &value))
    return FALSE;
  /* Translators: a point of the alignment figure: model, layer, series, value. */
  text = g_strdup_printf (_("%s, layer %d\n%s: %.4f"), self->result->set[model]->label, layer,
                          series, value);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static GtkWidget *
table_label (const char *text,
             gboolean    heading,
             gboolean    numeric)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0 : 0.0);
  gtk_label_set_selectable (GTK_LABEL (label), !heading);
  if (heading)
    {
      /* Heads wrap, so the table fits the side of the window. */
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 9);
      gtk_label_set_justify (GTK_LABEL (label), numeric ? GTK_JUSTIFY_RIGHT : GTK_JUSTIFY_LEFT);
      gtk_widget_set_valign (label, GTK_ALIGN_END);
    }
  gtk_widget_set_focusable (label, FALSE);
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  return label;
}

static char *
format_number (double v)
{
  return isnan (v) ? g_strdup ("–") : g_strdup_printf ("%.4f", v);
}

static OvAlignMetric
chosen_metric (OvEmbedPanel *self)
{
  return gtk_drop_down_get_selected (self->metric_dropdown) == 1 ? OV_ALIGN_COSINE
                                                                  : OV_ALIGN_EUCLIDEAN;
}

/* The sets' alignments again where their distance is not the one chosen
 * (a pass computes them Euclidean in its worker). */
static void
apply_metric (OvEmbedPanel *self)
{
  OvAlignMetric metric = chosen_metric (self);

  /* the figure borrows the alignments it draws */
  g_clear_pointer (&self->align_view, ov_align_view_free);
  for (guint k = 0; self->result != NULL && k < 2; k++)
    {
      EmbedSet *set = self->result->set[k];
      g_autoptr(GError) error = NULL;

      if (set == NULL || set->align == NULL || set->align->metric == metric)
        continue;
      g_clear_pointer (&set->align, ov_alignment_free);
      g_clear_pointer (&set->align_error, g_free);
      set->align = ov_align_compute_metric (set->emb, set->label, metric, &error);
      if (set->align == NULL)
        set->align_error = g_strdup (error->message);
    }
}

/* The alignments shown, the pass's first; returns how many. */
static guint
shown_alignments (OvEmbedPanel *self,
                  OvAlignment  *models[2])
{
  guint n = 0;

  for (guint k = 0; self->result != NULL && k < 2; k++)
    if (self->result->set[k] != NULL && self->result->set[k]->align != NULL)
      models[n++] = self->result->set[k]->align;
  return n;
}

/* The index of layer `layer` in a's layers, or -1. */
static int
find_align_layer (const OvAlignment *a,
                  int                layer)
{
  for (guint l = 0; l < a->n_layers; l++)
    if (a->layers[l].layer == layer)
      return (int) l;
  return -1;
}

/* The per-class table at the layer chosen: a row per class of the first
 * model, its regions, then each model's intra and inter distances and
 * nearest-tag shares (a class the second model lacks, or a layer, is
 * "–"). */
static void
rebuild_class_table (OvEmbedPanel *self)
{
  /* Translators: column heads of the per-class alignment table. */
  const char *heads[] = { N_("Intra"), N_("Inter"), N_("Nearest tag, image"),
                          N_("Nearest tag, set") };
  OvAlignment *models[2];
  guint n = shown_alignments (self, models), i = gtk_drop_down_get_selected (
    self->class_layer_dropdown);
  int layer, head_row = 0;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->class_grid))) != NULL)
    gtk_grid_remove (self->class_grid, child);
  gtk_widget_set_visible (self->class_box, n > 0 && i < models[0]->n_layers);
  if (n == 0 || i >= models[0]->n_layers)
    return;
  layer = models[0]->layers[i].layer;
  if (n > 1)
    for (guint m = 0; m < n; m++)
      {
        GtkWidget *label = table_label (models[m]->label, TRUE, FALSE);

        /* over its four columns */
        gtk_label_set_xalign (GTK_LABEL (label), 0.5);
        gtk_label_set_max_width_chars (GTK_LABEL (label), -1);
        gtk_grid_attach (self->class_grid, label, 2 + 4 * m, 0, 4, 1);
      }
  head_row = n > 1 ? 1 : 0;
  /* Translators: column heads of the per-class alignment table: the
   * class, and its region points. */
  gtk_grid_attach (self->class_grid, table_label (_("Class"), TRUE, FALSE), 0, head_row, 1, 1);
  gtk_grid_attach (self->class_grid, table_label (_("Regions"), TRUE, TRUE), 1, head_row, 1, 1);
  for (guint m = 0; m < n; m++)
    for (guint c = 0; c < G_N_ELEMENTS (heads); c++)
      gtk_grid_attach (self->class_grid, table_label (_(heads[c]), TRUE, TRUE), 2 + 4 * m + c,
                       head_row, 1, 1);
  for (guint c = 0; c < models[0]->n_classes; c++)
    {
      const char *name = models[0]->class_names[c];
      g_autofree char *count = g_strdup_printf ("%u", models[0]->layers[i].n_regions[c]);
      int row = head_row + 1 + (int) c;

      gtk_grid_attach (self->class_grid, table_label (name, FALSE, FALSE), 0, row, 1, 1);
      gtk_grid_attach (self->class_grid, table_label (count, FALSE, TRUE), 1, row, 1, 1);
      for (guint m = 0; m < n; m++)
        {
          int l = find_align_layer (models[m], layer), k = -1;
          const OvAlignLayer *al = l >= 0 ? &models[m]->layers[l] : NULL;

          for (guint j = 0; al != NULL && j < models[m]->n_classes && k < 0; j++)
            if (g_strcmp0 (models[m]->class_names[j], name) == 0)
              k = (int) j;
          for (guint col = 0; col < G_N_ELEMENTS (heads); col++)
            {
              double v = NAN;
              g_autofree char *text = NULL;

              if (k >= 0)
                v = col == 0 ? al->intra[k] : col == 1 ? al->inter[k]
                    : col == 2 ? al->nn_image[k] : al->nn_dataset[k];
              text = format_number (v);
              gtk_grid_attach (self->class_grid, table_label (text, FALSE, TRUE),
                               2 + 4 * m + col, row, 1, 1);
            }
        }
    }
}

/* The layer menu of the per-class table: the first model's layers, the
 * layer chosen before kept, else the last. */
static void
fill_class_layers (OvEmbedPanel *self)
{
  OvAlignment *models[2];
  guint n = shown_alignments (self, models);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->class_layer_model));
  guint old = gtk_drop_down_get_selected (self->class_layer_dropdown);
  g_autofree char *kept = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  guint selected = GTK_INVALID_LIST_POSITION;

  if (old < n_items)
    kept = g_strdup (gtk_string_list_get_string (self->class_layer_model, old));
  for (guint l = 0; n > 0 && l < models[0]->n_layers; l++)
    {
      char *text = g_strdup_printf ("%d", models[0]->layers[l].layer);

      if (g_strcmp0 (text, kept) == 0)
        selected = l;
      g_ptr_array_add (items, text);
    }
  if (selected == GTK_INVALID_LIST_POSITION && items->len > 0)
    selected = items->len - 1;
  g_ptr_array_add (items, NULL);
  self->class_layers_updating = TRUE;
  gtk_string_list_splice (self->class_layer_model, 0, n_items,
                          (const char *const *) items->pdata);
  gtk_drop_down_set_selected (self->class_layer_dropdown, selected);
  self->class_layers_updating = FALSE;
  rebuild_class_table (self);
}

static void
class_layer_changed_cb (OvEmbedPanel *self)
{
  if (!self->class_layers_updating)
    rebuild_class_table (self);
}

static void
rebuild_alignment (OvEmbedPanel *self)
{
  /* Translators: column heads of the alignment table; "intra" and "inter"
   * are the mean distances of a region to the tags of its own class and of
   * the other classes; "nearest tag" is the share of regions whose nearest
   * tag has their class, in the image and in the whole set. */
  const char *heads[] = {
    N_("Model"), N_("Layer"), N_("Intra"), N_("Inter"), N_("Inter / intra"),
    N_("Nearest tag, image"), N_("Chance"), N_("Nearest tag, set"), N_("Chance"),
  };
  OvAlignment *models[2];
  guint n = 0, row = 1;
  GtkWidget *child;
  GString *notes = g_string_new (NULL);

  g_clear_pointer (&self->align_view, ov_align_view_free);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->align_grid))) != NULL)
    gtk_grid_remove (self->align_grid, child);

  n = shown_alignments (self, models);
  for (guint k = 0; self->result != NULL && k < 2; k++)
    {
      EmbedSet *set = self->result->set[k];

      if (set == NULL || set->align != NULL)
        continue;
      if (notes->len > 0)
        g_string_append_c (notes, '\n');
      /* Translators: %s is a model name, then why its alignment is missing. */
      g_string_append_printf (notes, _("No alignment for %s: %s"), set->label,
                              set->align_error);
    }
  if (self->result != NULL && self->result->note != NULL)
    {
      if (notes->len > 0)
        g_string_append_c (notes, '\n');
      g_string_append (notes, self->result->note);
    }
  if (n == 0 && notes->len == 0)
    g_string_append (notes, _("Collect the embeddings of every layer to compare tags and "
                              "regions across layers."));
  gtk_label_set_text (self->align_label, notes->str);
  gtk_widget_set_visible (GTK_WIDGET (self->align_label), notes->len > 0);
  g_string_free (notes, TRUE);

  gtk_widget_set_visible (GTK_WIDGET (self->align_area), n > 0);
  gtk_widget_set_visible (self->align_table_window, n > 0);
  fill_class_layers (self);
  if (n == 0)
    return;
  self->align_view = ov_align_view_new (models, n);
  gtk_widget_queue_draw (GTK_WIDGET (self->align_area));

  for (guint c = 0; c < G_N_ELEMENTS (heads); c++)
    gtk_grid_attach (self->align_grid, table_label (_(heads[c]), TRUE, c > 1), c, 0, 1, 1);
  for (guint m = 0; m < n; m++)
    for (guint l = 0; l < models[m]->n_layers; l++, row++)
      {
        const OvAlignLayer *al = &models[m]->layers[l];
        double values[] = {
          al->intra_mean, al->inter_mean, al->inter_mean / al->intra_mean, al->nn_image_rate,
          al->nn_image_chance, al->nn_dataset_rate, al->nn_dataset_chance,
        };
        g_autofree char *layer = g_strdup_printf ("%d", al->layer);

        gtk_grid_attach (self->align_grid, table_label (models[m]->label, FALSE, FALSE), 0, row,
                         1, 1);
        gtk_grid_attach (self->align_grid, table_label (layer, FALSE, TRUE), 1, row, 1, 1);
        for (guint c = 0; c < G_N_ELEMENTS (values); c++)
          {
            g_autofree char *text = format_number (values[c]);

            gtk_grid_attach (self->align_grid, table_label (text, FALSE, TRUE), 2 + c, row, 1, 1);
          }
      }
}

/* Showing a result */

/* What a set's tags the model could not read are, or NULL: "[UNK]", as
 * the pass writes a word piece its vocabulary lacks; their vectors look
 * like any others and say nothing about the tags. */
static char *
unknown_tags_note (const EmbedSet *set)
{
  guint n_tags = 0, n_unknown;

  if (set == NULL || set->emb == NULL)
    return NULL;
  n_unknown = ov_embeddings_count_unknown_tags (set->emb, "[UNK]", &n_tags);
  if (n_unknown == 0)
    return NULL;
  /* Translators: "39 of the 41 tag pieces of demo read as [UNK]: its
   * vocabulary lacks their words" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u of the %u tag pieces of %s reads as [UNK]: its "
                                       "vocabulary lacks the words",
                                       "%u of the %u tag pieces of %s read as [UNK]: its "
                                       "vocabulary lacks their words", n_unknown),
                          n_unknown, n_tags, set->label);
}

static void
describe_result (OvEmbedPanel *self)
{
  const OvEmbeddings *emb = primary (self);
  g_autofree char *layers = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint n_tags = 0;

  if (emb == NULL)
    {
      set_status (self, "");
      return;
    }
  for (guint i = 0; i < emb->n; i++)
    n_tags += emb->modality[i] == OV_EMBED_TAG;
  layers = ov_embeddings_dup_layer_list (emb);
  {
    g_autofree char *points = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u point",
                                                            "%u points", emb->n), emb->n);
    g_autofree char *pieces = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u tag piece",
                                                            "%u tag pieces", n_tags), n_tags);
    g_autofree char *regions = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u region",
                                                             "%u regions", emb->n - n_tags),
                                                emb->n - n_tags);
    g_autofree char *images = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image",
                                                            "%u images",
                                                            emb->image_keys->len),
                                               emb->image_keys->len);

    /* Translators: what the pass collected: points (tag pieces, regions)
     * of images, the layers, the model; each count is its own message. */
    g_string_printf (text, _("%s (%s, %s) of %s, layers %s, %s"), points, pieces, regions,
                     images, layers, self->result->set[0]->label);
  }
  if (self->result->set[1] != NULL)
    /* Translators: appended to the line above: the second model. */
    g_string_append_printf (text, _("; compared with %s"), self->result->set[1]->label);
  if (emb->n_unlabelled > 0)
    /* Translators: appended to the line above: region rows of files with
     * tags but no boxes (an Oscar VQA json) have no class to plot by. */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "; %u region without a detection class left out",
                                               "; %u regions without a detection class left out",
                                               emb->n_unlabelled), emb->n_unlabelled);
  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *note = unknown_tags_note (self->result->set[k]);

      if (note != NULL)
        g_string_append_printf (text, "; %s", note);
    }
  set_status (self, text->str);
}

static void
fill_tsne_layers (OvEmbedPanel *self)
{
  const OvEmbeddings *emb = primary (self);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

  g_array_set_size (self->tsne_layers, 0);
  for (guint k = 0; emb != NULL && k < emb->n_layers; k++)
    {
      g_ptr_array_add (items, layer_title (emb->layers[k]));
      g_array_append_val (self->tsne_layers, emb->layers[k]);
    }
  g_ptr_array_add (items, NULL);
  gtk_string_list_splice (self->tsne_layer_list, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->tsne_layer_list)),
                          (const char *const *) items->pdata);
  gtk_drop_down_set_selected (self->tsne_layer_dropdown, 0);
}

/* Takes result. */
static void
set_result (OvEmbedPanel *self,
            EmbedResult  *result)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  const OvEmbeddings *emb;

  g_clear_pointer (&self->result, embed_result_unref);
  self->result = result;
  g_clear_pointer (&self->xy, g_free);
  /* The map's classes and the picture's get distinct colours together, as
   * `oscarviz tsne` gives the same classes. */
  emb = primary (self);
  if (session != NULL)
    ov_session_set_shown_classes (session, emb != NULL
                                           ? (const char *const *) emb->class_names->pdata
                                           : NULL, emb != NULL ? emb->class_names->len : 0);
  show_map (self, NULL, FALSE);
  rebuild_classes (self);
  fill_tsne_layers (self);
  apply_metric (self);
  rebuild_alignment (self);
  describe_result (self);
  /* the status line is cut short in a narrow window: said aloud too */
  for (guint k = 0; k < 2 && self->result != NULL; k++)
    {
      g_autofree char *note = unknown_tags_note (self->result->set[k]);

      if (note != NULL)
        ov_panel_report_failure (OV_PANEL (self), note);
    }
  self->n_passes++;
  update_actions (self);
}

/* The pass */

typedef struct {
  GStrv           files;
  guint           limit;
  char           *layers;
  OvSessionModel *model;
  char           *model_label;
  char           *compare_dir;
  OvModelOptions  compare_options;
  gint            done, total;     /* atomic */
  EmbedResult    *result;
} CollectJob;

static void
collect_job_free (CollectJob *job)
{
  g_strfreev (job->files);
  g_free (job->layers);
  g_clear_pointer (&job->model, ov_session_model_unref);
  g_free (job->model_label);
  g_free (job->compare_dir);
  g_clear_pointer (&job->result, embed_result_unref);
  g_free (job);
}

/* One model over the first n samples; ref is locked per sample, own is
 * the panel's own model (the comparison). rows (nullable) learns the row
 * of each image key. */
static OvEmbeddings *
collect_model (CollectJob      *job,
               OvDataset       *ds,
               guint            n,
               OvSessionModel  *ref,
               OvModel         *own,
               GHashTable      *rows,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autoptr(OvEmbeddings) emb = NULL;
  g_autofree int *layers = NULL;
  OvModel *model;
  guint n_layers;

  model = ref != NULL ? ov_session_model_lock (ref) : own;
  layers = ov_embed_parse_layers (job->layers, ov_model_get_config (model)->num_hidden_layers,
                                  &n_layers, error);
  if (layers != NULL)
    {
      emb = ov_embeddings_new (ov_model_get_config (model)->hidden_size, layers, n_layers);
      emb->model_path = g_strdup (ov_model_get_path (model));
      emb->model_kind = g_strdup (ov_model_kind_name (ov_model_get_kind (model)));
    }
  if (ref != NULL)
    ov_session_model_unlock (ref);
  if (emb == NULL)
    return NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OvSample) sample = NULL;
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      sample = ov_dataset_load_sample (ds, i, NULL, NULL, cancellable, error);
      if (sample == NULL)
        return NULL;
      if (rows != NULL)
        g_hash_table_insert (rows, g_strdup (sample->key), GINT_TO_POINTER (i + 1));
      model = ref != NULL ? ov_session_model_lock (ref) : own;
      ok = ov_embed_add_sample (emb, model, sample, cancellable, error);
      if (ref != NULL)
        ov_session_model_unlock (ref);
      if (!ok)
        return NULL;
      g_atomic_int_inc (&job->done);
    }
  return g_steal_pointer (&emb);
}

/* A captioning model trained without tags has no tag slots, so its states
 * have no tags to align with; it is given the first model's tag layout
 * (ov_model_borrow_tag_layout). Returns the note that says so, or NULL. */
static char *
borrow_tag_layout (CollectJob *job,
                   OvModel    *other,
                   const char *other_label)
{
  OvModel *first = ov_session_model_lock (job->model);
  gboolean borrowed = ov_model_borrow_tag_layout (other, first);
  /* the layout counts tag slots in word pieces: it only fits a twin */
  gint64 differs = borrowed ? ov_tokenizer_first_difference (ov_model_get_tokenizer (other),
                                                             ov_model_get_tokenizer (first))
                            : -1;

  ov_session_model_unlock (job->model);
  if (!borrowed)
    return NULL;
  if (differs >= 0)
    /* Translators: %s are model names; the second model was trained without
     * tags, and the two do not share a vocabulary. */
    return g_strdup_printf (_("%s was trained without tags; here it reads the tags in the tag "
                              "slots of %s, but the two vocabularies differ (from word piece "
                              "%lld on), so the comparison says little."),
                            other_label, job->model_label, (long long) differs);
  /* Translators: %s are model names; the second model was trained without tags. */
  return g_strdup_printf (_("%s was trained without tags; here it reads the tags in the tag "
                            "slots of %s, as the demo's own alignment measurement does."),
                          other_label, job->model_label);
}

static void
collect_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CollectJob *job = task_data;
  g_autoptr(OvDataset) ds = NULL;
  g_autoptr(OvModel) other = NULL;
  g_autoptr(EmbedResult) result = embed_result_new ();
  OvEmbeddings *emb;
  GError *error = NULL;
  guint n;

  ds = open_dataset ((const char *const *) job->files, cancellable, &error);
  if (ds == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  n = ov_dataset_get_n_samples (ds);
  if (job->limit > 0)
    n = MIN (n, job->limit);
  g_atomic_int_set (&job->total, (int) (job->compare_dir != NULL ? 2 * n : n));
  result->files = g_strdupv (job->files);

  emb = collect_model (job, ds, n, job->model, NULL, result->rows, cancellable, &error);
  if (emb == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  result->set[0] = embed_set_new (emb, job->model_label);

  if (job->compare_dir != NULL)
    {
      g_autofree char *label = g_path_get_basename (job->compare_dir);

      other = ov_model_load (job->compare_dir, &job->compare_options, &error);
      if (other == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      result->note = borrow_tag_layout (job, other, label);
      emb = collect_model (job, ds, n, NULL, other, NULL, cancellable, &error);
      if (emb == NULL)
        {
          g_prefix_error (&error, "%s: ", label);
          g_task_return_error (task, error);
          return;
        }
      if (result->note != NULL)
        {
          /* a saved file records whose tag slots the tags were read in */
          emb->tag_layout = g_strdup (ov_model_get_path (ov_session_model_lock (job->model)));
          ov_session_model_unlock (job->model);
        }
      result->set[1] = embed_set_new (emb, label);
    }
  job->result = g_steal_pointer (&result);
  g_task_return_boolean (task, TRUE);
}

static void
collect_done_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (source);
  CollectJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;

  /* A newer job took over (it owns the progress bar now), or the panel
   * is gone; even a pass that finished is then dropped. */
  if (g_task_get_cancellable (G_TASK (res)) != self->job_cancellable)
    return;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      job_end (self);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          describe_result (self);
          if (primary (self) == NULL)
            set_status (self, _("Collecting cancelled."));
          return;
        }
      describe_result (self);
      ov_panel_report_failure (OV_PANEL (self), error->message);
      return;
    }
  job_end (self);
  set_result (self, g_steal_pointer (&job->result));
  run_tsne (self);
}

static gboolean
poll_cb (gpointer user_data)
{
  OvEmbedPanel *self = user_data;

  if (self->job == JOB_COLLECT && self->job_data != NULL)
    {
      CollectJob *job = self->job_data;
      int done = g_atomic_int_get (&job->done), total = g_atomic_int_get (&job->total);
      g_autofree char *text = NULL;

      if (total <= 0)
        {
          gtk_progress_bar_pulse (self->progress_bar);
          return G_SOURCE_CONTINUE;
        }
      gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
      /* Translators: progress of the pass: images done of all (twice with a comparison). */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Collecting: %d of %d image…",
                                           "Collecting: %d of %d images…", total),
                              done, total);
      set_status (self, text);
    }
  else if (self->job == JOB_TSNE && gtk_progress_bar_get_fraction (self->progress_bar) == 0.0)
    /* Neighbours and affinities come before the first iteration. */
    gtk_progress_bar_pulse (self->progress_bar);
  else if (self->job == JOB_FILE)
    gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static OvModelKind
chosen_kind (OvEmbedPanel *self,
             gboolean     *ok)
{
  guint i = gtk_drop_down_get_selected (self->model_dropdown);

  *ok = i < self->model_kinds->len;
  return *ok ? g_array_index (self->model_kinds, OvModelKind, i) : OV_MODEL_KIND_CAPTION;
}

static char *
chosen_layers (OvEmbedPanel *self)
{
  guint i = gtk_drop_down_get_selected (self->layer_dropdown);

  /* Rows: all, last, then 0..L. */
  if (i == 0 || i == GTK_INVALID_LIST_POSITION)
    return g_strdup ("all");
  if (i == 1)
    return g_strdup ("last");
  return g_strdup_printf ("%u", i - 2);
}

static void
model_options (OvEmbedPanel   *self,
               OvModelOptions *options)
{
  g_autofree char *backend = g_settings_get_string (self->settings, "backend");

  ov_model_options_init (options);
  options->private_weights = TRUE;   /* as the session loads them */
  if (g_strcmp0 (backend, "cpu") == 0)
    options->device = OV_DEVICE_CPU;
  else if (g_strcmp0 (backend, "cuda") == 0)
    options->device = OV_DEVICE_CUDA;
  /* 0 is every core, as the preferences say, whatever OMP_NUM_THREADS is */
  options->n_threads = g_settings_get_int (self->settings, "threads");
  if (options->n_threads <= 0)
    options->n_threads = (int) g_get_num_processors ();
  options->precision = g_settings_get_boolean (self->settings, "fast-math")
                       ? OV_PRECISION_FAST : OV_PRECISION_EXACT;
}

/* Whether folders a and b are one (by identity, not by name). */
static gboolean
same_folder (const char *a,
             const char *b)
{
  GStatBuf sa, sb;

  if (a == NULL || b == NULL)
    return FALSE;
  if (g_strcmp0 (a, b) == 0)
    return TRUE;
  return g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0 && sa.st_dev == sb.st_dev
         && sa.st_ino == sb.st_ino;
}

void
ov_embed_panel_collect (OvEmbedPanel *self)
{
  OvSession *session;
  g_autoptr(GTask) task = NULL;
  CollectJob *job;
  OvModelKind kind;
  gboolean ok;
  guint compare;

  g_return_if_fail (OV_IS_EMBED_PANEL (self));

  session = ov_panel_get_session (OV_PANEL (self));
  kind = chosen_kind (self, &ok);
  if (session == NULL || !ok || ov_session_get_model_path (session, kind) == NULL)
    {
      ov_panel_report_failure (OV_PANEL (self), _("No checkpoint is open."));
      return;
    }
  if (self->files == NULL)
    {
      ov_panel_report_failure (OV_PANEL (self),
                               _("No dataset is open; open one with Ctrl+O."));
      return;
    }

  compare = gtk_drop_down_get_selected (self->compare_dropdown);
  if (compare < self->compare_dirs->len && g_ptr_array_index (self->compare_dirs, compare)
      && same_folder (g_ptr_array_index (self->compare_dirs, compare),
                      ov_session_get_model_path (session, kind)))
    {
      ov_panel_report_failure (OV_PANEL (self),
                               _("“Compare with” names the model itself; choose another "
                                 "checkpoint, or None."));
      return;
    }

  job = g_new0 (CollectJob, 1);
  job->files = g_strdupv (self->files);
  job->limit = gtk_check_button_get_active (self->all_images_check)
               ? 0 : (guint) gtk_spin_button_get_value_as_int (self->images_spin);
  job->layers = chosen_layers (self);
  job->model = ov_session_ref_model (session, kind);
  job->model_label = g_path_get_basename (ov_session_get_model_path (session, kind));
  if (compare < self->compare_dirs->len && g_ptr_array_index (self->compare_dirs, compare))
    job->compare_dir = g_strdup (g_ptr_array_index (self->compare_dirs, compare));
  model_options (self, &job->compare_options);

  job_begin (self, JOB_COLLECT, _("Collecting…"));
  self->job_data = job;
  task = g_task_new (self, self->job_cancellable, collect_done_cb, NULL);
  g_task_set_source_tag (task, ov_embed_panel_collect);
  g_task_set_task_data (task, job, (GDestroyNotify) collect_job_free);
  g_task_run_in_thread (task, collect_worker);
}

/* t-SNE */

typedef struct {
  EmbedSet     *set;
  const float  *X;         /* (n, H) of set->emb, the chosen layer */
  gsize         n, dim;
  OvTsneParams  params;
  int           layer;
  float        *Y;         /* (n, 2) result */
  OvTsneStats   stats;
  OvEmbedPanel *panel;     /* for frames; the task holds the reference */
  GMainContext *context;   /* the panel's, where frames are drawn */
  guint         generation;
  gint64        last_frame;
} TsneJob;

static void
tsne_job_free (TsneJob *job)
{
  g_clear_pointer (&job->set, embed_set_unref);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_free (job->Y);
  g_free (job);
}

typedef struct {
  OvEmbedPanel *panel;
  guint         generation;
  int           iter, n_iter;
  double        kl;
  float        *xy;
  gsize         n;
} Frame;

static void
frame_free (gpointer data)
{
  Frame *f = data;

  g_object_unref (f->panel);
  g_free (f->xy);
  g_free (f);
}

static gboolean
frame_cb (gpointer data)
{
  Frame *f = data;
  OvEmbedPanel *self = f->panel;
  g_autofree char *text = NULL;

  /* Frames of a cancelled or finished run, or from after disposal. */
  if (self->job != JOB_TSNE || f->generation != self->generation || primary (self) == NULL
      || f->n != primary (self)->n)
    return G_SOURCE_REMOVE;
  show_map (self, f->xy, TRUE);
  if (self->first_frame == NULL)
    self->first_frame = g_memdup2 (f->xy, sizeof (float) * 2 * f->n);
  self->n_frames++;
  gtk_progress_bar_set_fraction (self->progress_bar, (double) f->iter / MAX (f->n_iter, 1));
  /* Translators: t-SNE progress: the iteration reached, of all. */
  text = g_strdup_printf (_("t-SNE: iteration %d of %d"), f->iter, f->n_iter);
  set_status_of (self, text, TRUE);
  return G_SOURCE_REMOVE;
}

/* In the worker, after every iteration: hands a copy of the map to the
 * main loop at most once per FRAME_INTERVAL_US. The engine reports without
 * the KL divergence (progress_kl FALSE), so a report costs only the
 * conversion of the map to floats, and frames follow the clock rather than
 * the iteration count. */
static gboolean
tsne_progress_cb (int          iter,
                  int          n_iter,
                  const float *Y,
                  gsize        n,
                  double       kl,
                  gpointer     user_data)
{
  TsneJob *job = user_data;
  gint64 now = g_get_monotonic_time ();
  GSource *source;
  Frame *f;

  if (iter < n_iter && now - job->last_frame < FRAME_INTERVAL_US)
    return TRUE;
  job->last_frame = now;
  f = g_new (Frame, 1);
  f->panel = g_object_ref (job->panel);
  f->generation = job->generation;
  f->iter = iter;
  f->n_iter = n_iter;
  f->kl = kl;
  f->xy = g_memdup2 (Y, sizeof (float) * 2 * n);
  f->n = n;
  /* An idle source, never g_main_context_invoke: that may run the
   * function right here when the main loop is between iterations. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, frame_cb, f, frame_free);
  g_source_set_static_name (source, "[oscarviz] t-SNE frame");
  g_source_attach (source, job->context);
  g_source_unref (source);
  return TRUE;
}

static void
tsne_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TsneJob *job = task_data;
  GError *error = NULL;

  if (!ov_tsne_run_full (job->X, job->n, job->dim, &job->params, job->Y, tsne_progress_cb, job,
                         cancellable, &job->stats, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
tsne_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (source);
  TsneJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *seed = NULL;

  if (g_task_get_cancellable (G_TASK (res)) != self->job_cancellable)
    return;
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      job_end (self);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* The map stays where the run stopped, but it is not a finished
           * one: keep what was there before. */
          show_map (self, self->xy, TRUE);
          set_status_of (self, _("t-SNE cancelled."), TRUE);
          return;
        }
      show_map (self, self->xy, TRUE);
      ov_panel_report_failure (OV_PANEL (self), error->message);
      return;
    }
  if (self->result == NULL || self->result->set[0] != job->set)
    {
      job_end (self);
      return;
    }
  job_end (self);
  g_free (self->xy);
  self->xy = g_steal_pointer (&job->Y);
  self->tsne_params = job->params;
  self->tsne_layer = job->layer;
  self->n_maps++;
  show_map (self, self->xy, TRUE);
  update_actions (self);
  seed = g_strdup_printf ("%" G_GUINT64_FORMAT, job->params.seed);
  /* Translators: the finished map: layer, perplexity, seed, iterations, KL divergence. */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "t-SNE of layer %d: perplexity %.3g, seed %s, "
                                       "%d iteration, KL divergence %.3f",
                                       "t-SNE of layer %d: perplexity %.3g, seed %s, "
                                       "%d iterations, KL divergence %.3f",
                                       job->params.n_iter),
                          job->layer, job->params.perplexity, seed, job->params.n_iter,
                          job->stats.kl);
  set_status_of (self, text, TRUE);
}

static void
run_tsne (OvEmbedPanel *self)
{
  const OvEmbeddings *emb = primary (self);
  g_autoptr(GTask) task = NULL;
  TsneJob *job;
  guint k;

  if (emb == NULL)
    return;
  if (emb->n < 4)
    {
      ov_panel_report_failure (OV_PANEL (self), _("t-SNE needs at least 4 points."));
      return;
    }
  k = gtk_drop_down_get_selected (self->tsne_layer_dropdown);
  if (k >= self->tsne_layers->len)
    k = 0;

  job = g_new0 (TsneJob, 1);
  job->set = g_atomic_rc_box_acquire (self->result->set[0]);
  job->layer = g_array_index (self->tsne_layers, int, k);
  job->X = ov_embeddings_get_layer (emb, job->layer);
  job->n = emb->n;
  job->dim = emb->hidden;
  job->Y = g_new (float, 2 * (gsize) emb->n);
  ov_tsne_params_init (&job->params);
  /* A perplexity needs about three times as many neighbours as its value
   * (the command line lowers it the same way). */
  job->params.perplexity = MIN (gtk_spin_button_get_value (self->perplexity_spin),
                                MAX (1.0, (emb->n - 1) / 3.0));
  job->params.seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  job->params.n_iter = gtk_spin_button_get_value_as_int (self->iterations_spin);
  job->params.early_exag_iter = MIN (job->params.early_exag_iter, job->params.n_iter / 4);
  job->params.n_threads = g_settings_get_int (self->settings, "threads");
  /* A report every iteration, without the KL divergence: with it, reports
   * every tenth iteration cost 11% (exact) to 20% (FFT) more CPU time,
   * without it every iteration costs nothing measurable. */
  job->params.progress_every = 1;
  job->params.progress_kl = FALSE;
  job->panel = self;
  job->context = g_main_context_ref_thread_default ();

  g_clear_pointer (&self->first_frame, g_free);
  job_begin (self, JOB_TSNE, _("t-SNE: finding neighbours…"));
  job->generation = self->generation;
  self->job_data = job;
  task = g_task_new (self, self->job_cancellable, tsne_done_cb, NULL);
  g_task_set_source_tag (task, ov_embed_panel_run_tsne);
  g_task_set_task_data (task, job, (GDestroyNotify) tsne_job_free);
  g_task_run_in_thread (task, tsne_worker);
}

void
ov_embed_panel_run_tsne (OvEmbedPanel *self)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));
  run_tsne (self);
}

void
ov_embed_panel_cancel (OvEmbedPanel *self)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));

  if (self->job_cancellable != NULL)
    g_cancellable_cancel (self->job_cancellable);
}

gboolean
ov_embed_panel_shows_invitation (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), FALSE);
  return gtk_widget_get_visible (self->empty_label);
}

gboolean
ov_embed_panel_is_busy (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), FALSE);
  return self->job != JOB_NONE;
}

/* Files */

typedef struct {
  char        *path;
  gboolean     save, compare;
  EmbedSet    *set;       /* to save, or the one opened */
  EmbedSet    *other;     /* the comparison, saved beside as other_path */
  char        *other_path;
} FileJob;

static void
file_job_free (FileJob *job)
{
  g_free (job->path);
  g_free (job->other_path);
  g_clear_pointer (&job->set, embed_set_unref);
  g_clear_pointer (&job->other, embed_set_unref);
  g_free (job);
}

/* Where the comparison of a pass saved as path goes: STEM.compare.safetensors. */
static char *
comparison_path (const char *path)
{
  g_autofree char *stem = g_str_has_suffix (path, ".safetensors")
                          ? g_strndup (path, strlen (path) - strlen (".safetensors"))
                          : g_strdup (path);

  return g_strconcat (stem, ".compare.safetensors", NULL);
}

static void
file_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  FileJob *job = task_data;
  GError *error = NULL;

  if (job->save)
    {
      if (!ov_embeddings_save (job->set->emb, job->path, &error)
          || (job->other != NULL
              && !ov_embeddings_save (job->other->emb, job->other_path, &error)))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  {
    OvEmbeddings *emb = ov_embeddings_load (job->path, &error);
    g_autofree char *label = g_path_get_basename (job->path);

    if (emb == NULL)
      {
        g_task_return_error (task, error);
        return;
      }
    job->set = embed_set_new (emb, label);
    g_task_return_boolean (task, TRUE);
  }
}

static void
file_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (source);
  FileJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  EmbedResult *result;

  if (g_task_get_cancellable (G_TASK (res)) != self->job_cancellable)
    return;
  job_end (self);
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      describe_result (self);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ov_panel_report_failure (OV_PANEL (self), error->message);
      return;
    }
  if (job->save)
    {
      g_autofree char *text = NULL;

      self->n_saves++;
      describe_result (self);
      if (job->other != NULL)
        /* Translators: the files written: the pass, then the comparison. */
        text = g_strdup_printf (_("Saved %s and %s"), job->path, job->other_path);
      else
        /* Translators: %s is the file written. */
        text = g_strdup_printf (_("Saved %s"), job->path);
      set_status (self, text);
      return;
    }
  if (job->compare && self->result != NULL && self->result->set[0] != NULL)
    {
      /* The pass stays; the file becomes its comparison. */
      int layer = self->tsne_layer;
      g_autofree float *xy = g_steal_pointer (&self->xy);
      OvTsneParams params = self->tsne_params;

      result = embed_result_new ();
      result->set[0] = g_atomic_rc_box_acquire (self->result->set[0]);
      result->set[1] = g_steal_pointer (&job->set);
      result->files = g_strdupv (self->result->files);
      g_hash_table_unref (result->rows);
      result->rows = g_hash_table_ref (self->result->rows);
      set_result (self, result);
      self->xy = g_steal_pointer (&xy);
      self->tsne_params = params;
      self->tsne_layer = layer;
      show_map (self, self->xy, FALSE);
      update_actions (self);
      ov_embed_panel_show_page (self, "alignment");
      return;
    }
  result = embed_result_new ();
  result->set[0] = g_steal_pointer (&job->set);
  set_result (self, result);
  run_tsne (self);
}

static void
start_file_job (OvEmbedPanel *self,
                FileJob      *job)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = g_path_get_basename (job->path);
  g_autofree char *what = NULL;

  /* Translators: %s is a file name. */
  what = g_strdup_printf (job->save ? _("Saving %s…") : _("Opening %s…"), name);
  job_begin (self, JOB_FILE, what);
  task = g_task_new (self, self->job_cancellable, file_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) file_job_free);
  g_task_run_in_thread (task, file_worker);
}

void
ov_embed_panel_save (OvEmbedPanel *self,
                     const char   *path)
{
  FileJob *job;

  g_return_if_fail (OV_IS_EMBED_PANEL (self));
  g_return_if_fail (path != NULL);

  if (primary (self) == NULL)
    {
      ov_panel_report_failure (OV_PANEL (self), _("Nothing collected to save yet."));
      return;
    }
  job = g_new0 (FileJob, 1);
  job->path = g_strdup (path);
  job->save = TRUE;
  job->set = g_atomic_rc_box_acquire (self->result->set[0]);
  if (self->result->set[1] != NULL)
    {
      job->other = g_atomic_rc_box_acquire (self->result->set[1]);
      job->other_path = comparison_path (path);
    }
  start_file_job (self, job);
}

void
ov_embed_panel_open (OvEmbedPanel *self,
                     const char   *path,
                     gboolean      compare)
{
  FileJob *job;

  g_return_if_fail (OV_IS_EMBED_PANEL (self));
  g_return_if_fail (path != NULL);

  job = g_new0 (FileJob, 1);
  job->path = g_strdup (path);
  job->compare = compare;
  start_file_job (self, job);
}

/* Export */

static OvScatterView *
export_map_view (OvEmbedPanel *self)
{
  OvScatterView *shown = ov_scatter_canvas_get_view (self->canvas);
  const OvEmbeddings *emb = primary (self);
  OvScatterView *view;
  g_autofree char *title = NULL;
  guint n_tags = 0;

  for (guint i = 0; i < emb->n; i++)
    n_tags += emb->modality[i] == OV_EMBED_TAG;
  {
    g_autofree char *pieces =
      /* Translators: part of the map title; tag pieces are drawn as circles. */
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u tag piece (circle)",
                                    "%u tag pieces (circles)", n_tags), n_tags);
    g_autofree char *regions =
      /* Translators: part of the map title; regions are drawn as squares. */
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u region (square)",
                                    "%u regions (squares)", emb->n - n_tags), emb->n - n_tags);

    /* Translators: map title: %d is the layer, then the model and the two
     * counts above. */
    title = g_strdup_printf (_("t-SNE of layer %d, %s: %s, %s"), self->tsne_layer,
                             self->result->set[0]->label, pieces, regions);
  }
  view = ov_embeddings_scatter_view_new (
    emb, self->xy, ov_session_get_palette (ov_panel_get_session (OV_PANEL (self))), title);
  /* The classes shown are exported; the selection is a screen matter. */
  for (guint c = 0; shown != NULL && c < emb->class_names->len; c++)
    ov_scatter_view_set_class_visible (view, c, ov_scatter_view_get_class_visible (shown, c));
  return view;
}

static OvCsv *
points_table (OvEmbedPanel *self)
{
  static const char *const heads[] = {
    "index", "x", "y", "class", "modality", "image", "token", "region", "x1", "y1", "x2", "y2",
    "shown",
  };
  const OvEmbeddings *emb = primary (self);
  OvCsv *csv = ov_csv_new ();

  for (guint c = 0; c < G_N_ELEMENTS (heads); c++)
    ov_csv_add_text (csv, heads[c]);
  ov_csv_end_row (csv);
  for (guint i = 0; i < emb->n; i++)
    {
      ov_csv_add_int (csv, i);
      ov_csv_add_number (csv, self->xy[2 * i]);
      ov_csv_add_number (csv, self->xy[2 * i + 1]);
      ov_csv_add_text (csv, class_name (emb, i));
      ov_csv_add_text (csv, emb->modality[i] == OV_EMBED_REGION ? "region" : "tag");
      ov_csv_add_text (csv, image_key (emb, i));
      ov_csv_add_text (csv, g_ptr_array_index (emb->tokens, i));
      /* counted from 1 as the token and `tsne --csv` count it; empty (null
       * in JSON) for none */
      if (emb->regions[i] >= 0)
        ov_csv_add_int (csv, emb->regions[i] + 1);
      else
        ov_csv_add_number (csv, NAN);
      for (int c = 0; c < 4; c++)
        ov_csv_add_number (csv, emb->boxes[(gsize) i * 4 + c]);
      ov_csv_add_int (csv, ov_scatter_canvas_get_view (self->canvas) == NULL
                           || ov_scatter_canvas_get_class_visible (self->canvas,
                                                                   emb->classes[i]));
      ov_csv_end_row (csv);
    }
  return csv;
}

static OvCsv *
alignment_table (OvEmbedPanel *self)
{
  static const char *const heads[] = {
    "model", "layer", "class", "regions", "intra", "inter", "nn_image", "nn_dataset",
    "nn_image_chance", "nn_dataset_chance",
  };
  OvCsv *csv = ov_csv_new ();

  for (guint c = 0; c < G_N_ELEMENTS (heads); c++)
    ov_csv_add_text (csv, heads[c]);
  ov_csv_end_row (csv);
  for (guint k = 0; k < 2; k++)
    {
      const OvAlignment *a = self->result->set[k] != NULL ? self->result->set[k]->align : NULL;

      for (guint l = 0; a != NULL && l < a->n_layers; l++)
        {
          const OvAlignLayer *al = &a->layers[l];

          /* One row over all regions (class empty), then one per class. */
          ov_csv_add_text (csv, a->label);
          ov_csv_add_int (csv, al->layer);
          ov_csv_add_text (csv, "");
          ov_csv_add_int (csv, a->n_region_points);
          ov_csv_add_number (csv, al->intra_mean);
          ov_csv_add_number (csv, al->inter_mean);
          ov_csv_add_number (csv, al->nn_image_rate);
          ov_csv_add_number (csv, al->nn_dataset_rate);
          ov_csv_add_number (csv, al->nn_image_chance);
          ov_csv_add_number (csv, al->nn_dataset_chance);
          ov_csv_end_row (csv);
          for (guint c = 0; c < a->n_classes; c++)
            {
              ov_csv_add_text (csv, a->label);
              ov_csv_add_int (csv, al->layer);
              ov_csv_add_text (csv, a->class_names[c]);
              ov_csv_add_int (csv, al->n_regions[c]);
              ov_csv_add_number (csv, al->intra[c]);
              ov_csv_add_number (csv, al->inter[c]);
              ov_csv_add_number (csv, al->nn_image[c]);
              ov_csv_add_number (csv, al->nn_dataset[c]);
              ov_csv_add_number (csv, NAN);
              ov_csv_add_number (csv, NAN);
              ov_csv_end_row (csv);
            }
        }
    }
  return csv;
}

/* Numbers go to .csv or .json by the extension. */
static gboolean
write_numbers (OvCsv       *csv,
               JsonNode    *json,
               const char  *path,
               GError     **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".csv"))
    return ov_csv_write (csv, path, error);
  if (g_str_has_suffix (lower, ".json"))
    {
      g_autoptr(JsonNode) root = json != NULL ? json_node_ref (json) : ov_csv_to_json (csv);

      return ov_export_json (root, path, error);
    }
  g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
               _("%s: numbers are written as .csv or .json"), path);
  return FALSE;
}

gboolean
ov_embed_panel_export (OvEmbedPanel  *self,
                       OvEmbedExport  what,
                       const char    *path,
                       double         width,
                       GError       **error)
{
  OvExportFormat format;
  double w, h;

  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  switch (what)
    {
    case OV_EMBED_EXPORT_MAP:
    case OV_EMBED_EXPORT_POINTS:
      if (self->xy == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING, "%s: %s", path,
                       _("no t-SNE map to export yet"));
          return FALSE;
        }
      if (what == OV_EMBED_EXPORT_POINTS)
        {
          g_autoptr(OvCsv) csv = points_table (self);

          return write_numbers (csv, NULL, path, error);
        }
      {
        g_autoptr(OvScatterView) view = NULL;

        if (!ov_export_format_from_path (path, &format, error))
          return FALSE;
        view = export_map_view (self);
        w = OV_TSNE_PLOT_WIDTH;
        h = OV_TSNE_PLOT_HEIGHT;
        ov_export_fit_size (width, 0.0, &w, &h);
        return ov_export_view (path, format, ov_scatter_view_paint, view, w, h, 2.0, error);
      }

    case OV_EMBED_EXPORT_ALIGN:
    case OV_EMBED_EXPORT_ALIGN_NUMBERS:
    default:
      if (self->align_view == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING, "%s: %s", path,
                       _("no alignment figure to export yet"));
          return FALSE;
        }
      if (what == OV_EMBED_EXPORT_ALIGN_NUMBERS)
        {
          g_autoptr(OvCsv) csv = alignment_table (self);
          OvAlignment *models[2];
          guint n = 0;
          g_autoptr(JsonNode) json = NULL;

          for (guint k = 0; k < 2; k++)
            if (self->result->set[k] != NULL && self->result->set[k]->align != NULL)
              models[n++] = self->result->set[k]->align;
          json = ov_align_to_json (models, n);
          return write_numbers (csv, json, path, error);
        }
      if (!ov_export_format_from_path (path, &format, error))
        return FALSE;
      /* as laid out for its own size, not as the window enlarges it */
      ov_align_view_set_shown_scale (self->align_view, 1.0);
      w = OV_ALIGN_FIGURE_WIDTH;
      h = OV_ALIGN_FIGURE_HEIGHT;
      ov_export_fit_size (width, 0.0, &w, &h);
      return ov_export_view (path, format, ov_align_view_paint, self->align_view, w, h, 2.0,
                             error);
    }
}

/* File choosers */

typedef enum {
  CHOOSE_OPEN,
  CHOOSE_OPEN_COMPARE,
  CHOOSE_SAVE,
  CHOOSE_COMPARE_FOLDER,
  CHOOSE_EXPORT,   /* + OvEmbedExport */
} ChooseKind;

static void add_compare_dir (OvEmbedPanel *self, const char *dir, gboolean select);

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     OvEmbedPanel    *self)
{
  int kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "kind"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        ;   /* not a local file: nothing oscarviz can read or write */
      else if (kind == CHOOSE_OPEN || kind == CHOOSE_OPEN_COMPARE)
        ov_embed_panel_open (self, path, kind == CHOOSE_OPEN_COMPARE);
      else if (kind == CHOOSE_SAVE)
        ov_embed_panel_save (self, path);
      else if (kind == CHOOSE_COMPARE_FOLDER)
        add_compare_dir (self, path, TRUE);
      else if (!ov_embed_panel_export (self, (OvEmbedExport) (kind - CHOOSE_EXPORT), path,
                                       ov_export_chooser_get_width (GTK_FILE_CHOOSER (dialog)),
                                       &error))
        ov_panel_report_failure (OV_PANEL (self), error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose (OvEmbedPanel *self,
        int           kind,
        const char   *title,
        const char   *suggested)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserAction action = GTK_FILE_CHOOSER_ACTION_OPEN;
  GtkFileChooserNative *dialog;

  if (kind == CHOOSE_SAVE || kind >= CHOOSE_EXPORT)
    action = GTK_FILE_CHOOSER_ACTION_SAVE;
  else if (kind == CHOOSE_COMPARE_FOLDER)
    action = GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;
  dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        action,
                                        action == GTK_FILE_CHOOSER_ACTION_SAVE ? _("_Save")
                                                                               : _("_Open"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  if (suggested != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  if (kind == CHOOSE_EXPORT + OV_EMBED_EXPORT_MAP || kind == CHOOSE_EXPORT + OV_EMBED_EXPORT_ALIGN)
    ov_export_chooser_add_size (GTK_FILE_CHOOSER (dialog));
  g_object_set_data (G_OBJECT (dialog), "kind", GINT_TO_POINTER (kind));
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
file_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (widget);

  if (g_str_equal (action_name, "embed.open"))
    choose (self, CHOOSE_OPEN, _("Open Embeddings"), NULL);
  else if (g_str_equal (action_name, "embed.open-compare"))
    choose (self, CHOOSE_OPEN_COMPARE, _("Open Embeddings to Compare"), NULL);
  else if (g_str_equal (action_name, "embed.save"))
    choose (self, CHOOSE_SAVE, _("Save Embeddings"), "embeddings.safetensors");
  else if (g_str_equal (action_name, "embed.choose-compare"))
    choose (self, CHOOSE_COMPARE_FOLDER, _("Compare with a Checkpoint Folder"), NULL);
  else if (g_str_equal (action_name, "embed.export-map"))
    choose (self, CHOOSE_EXPORT + OV_EMBED_EXPORT_MAP,
            _("Export the Map as PNG, SVG or PDF"), "tsne.png");
  else if (g_str_equal (action_name, "embed.export-points"))
    choose (self, CHOOSE_EXPORT + OV_EMBED_EXPORT_POINTS,
            _("Export the Map’s Points as CSV or JSON"), "tsne.csv");
  else if (g_str_equal (action_name, "embed.export-align"))
    choose (self, CHOOSE_EXPORT + OV_EMBED_EXPORT_ALIGN,
            _("Export the Alignment Figure as PNG, SVG or PDF"), "alignment.pdf");
  else if (g_str_equal (action_name, "embed.export-align-numbers"))
    choose (self, CHOOSE_EXPORT + OV_EMBED_EXPORT_ALIGN_NUMBERS,
            _("Export the Alignment Numbers as CSV or JSON"), "alignment.csv");
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (widget);

  if (g_str_equal (action_name, "embed.collect"))
    ov_embed_panel_collect (self);
  else if (g_str_equal (action_name, "embed.tsne"))
    run_tsne (self);
  else if (g_str_equal (action_name, "embed.cancel"))
    ov_embed_panel_cancel (self);
  else if (g_str_equal (action_name, "embed.clear-selection"))
    ov_scatter_canvas_set_selection (self->canvas, NULL, 0);
  else if (g_str_equal (action_name, "embed.show-all"))
    ov_scatter_canvas_set_all_visible (self->canvas, TRUE);
  else if (g_str_equal (action_name, "embed.hide-all"))
    ov_scatter_canvas_set_all_visible (self->canvas, FALSE);
}

static void
update_actions (OvEmbedPanel *self)
{
  gboolean busy = self->job != JOB_NONE;
  gboolean have = primary (self) != NULL;
  gboolean map = self->xy != NULL;
  GtkWidget *w = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (w, "embed.cancel", busy);
  gtk_widget_action_set_enabled (w, "embed.tsne", have);
  gtk_widget_action_set_enabled (w, "embed.save", have);
  gtk_widget_action_set_enabled (w, "embed.open-compare", have);
  gtk_widget_action_set_enabled (w, "embed.export-map", map);
  gtk_widget_action_set_enabled (w, "embed.export-points", map);
  gtk_widget_action_set_enabled (w, "embed.export-align", self->align_view != NULL);
  gtk_widget_action_set_enabled (w, "embed.export-align-numbers", self->align_view != NULL);
  gtk_widget_action_set_enabled (w, "embed.show-all", map);
  gtk_widget_action_set_enabled (w, "embed.hide-all", map);
}

/* Models and dataset */

static void
fill_layers (OvEmbedPanel *self)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  guint keep = gtk_drop_down_get_selected (self->layer_dropdown);

  g_ptr_array_add (items, g_strdup (_("All layers")));
  g_ptr_array_add (items, g_strdup (_("Last layer")));
  for (int l = 0; l <= self->model_layers; l++)
    g_ptr_array_add (items, layer_title (l));
  g_ptr_array_add (items, NULL);
  gtk_string_list_splice (self->layer_list, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->layer_list)),
                          (const char *const *) items->pdata);
  gtk_drop_down_set_selected (self->layer_dropdown, keep < items->len - 1 ? keep : 0);
}

/* sender: the dropdown when the user changed it, NULL when called here. */
static void
model_chosen_cb (OvEmbedPanel *self,
                 GParamSpec   *pspec,
                 GtkDropDown  *sender)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  g_autoptr(OvSessionModel) ref = NULL;
  gboolean ok;
  OvModelKind kind = chosen_kind (self, &ok);

  if (self->updating)
    return;
  if (sender != NULL)
    self->model_chosen = TRUE;
  if (session != NULL && ok)
    ref = ov_session_ref_model (session, kind);
  self->model_layers = ref != NULL ? ov_session_model_get_config (ref)->num_hidden_layers : -1;
  fill_layers (self);
}

static void
model_dropdown_cb (GtkDropDown  *dropdown,
                   GParamSpec   *pspec,
                   OvEmbedPanel *self)
{
  model_chosen_cb (self, pspec, dropdown);
}

static void
add_compare_dir (OvEmbedPanel *self,
                 const char   *dir,
                 gboolean      select)
{
  g_autofree char *name = g_path_get_basename (dir);

  for (guint i = 1; i < self->compare_dirs->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->compare_dirs, i), dir) == 0)
      {
        if (select)
          gtk_drop_down_set_selected (self->compare_dropdown, i);
        return;
      }
  g_ptr_array_add (self->compare_dirs, g_strdup (dir));
  gtk_string_list_append (self->compare_list, name);
  if (select)
    gtk_drop_down_set_selected (self->compare_dropdown, self->compare_dirs->len - 1);
}

/* Rebuilds the model list from the open checkpoints, keeping the choice;
 * the captioning model comes first, it is the default. */
static void
refresh_models (OvEmbedPanel *self)
{
  static const OvModelKind kinds[] = {
    OV_MODEL_KIND_CAPTION, OV_MODEL_KIND_CLASSIFIER, OV_MODEL_KIND_PRETRAIN,
    OV_MODEL_KIND_ENCODER,
  };
  /* Translators: the kinds of checkpoint in the model list, as “<kind>: <folder>”. */
  static const char *const names[] = {
    N_("Caption"), N_("VQA"), N_("Pre-training"), N_("Encoder"),
  };
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (OvModelKind));
  gboolean had;
  OvModelKind old = chosen_kind (self, &had);
  guint keep = 0;

  /* Until the user picks one, the captioning model is the default, even
   * when another checkpoint finished loading first. */
  if (!self->model_chosen)
    had = FALSE;

  for (guint k = 0; session != NULL && k < G_N_ELEMENTS (kinds); k++)
    {
      const char *path = ov_session_get_model_path (session, kinds[k]);
      g_autofree char *name = NULL;

      if (path == NULL)
        continue;
      name = g_path_get_basename (path);
      if (had && kinds[k] == old)
        keep = found->len;
      g_array_append_val (found, kinds[k]);
      g_ptr_array_add (items, g_strdup_printf ("%s: %s", _(names[k]), name));
    }
  g_ptr_array_add (items, NULL);

  self->updating = TRUE;
  g_array_set_size (self->model_kinds, 0);
  g_array_append_vals (self->model_kinds, found->data, found->len);
  gtk_string_list_splice (self->model_list, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->model_list)),
                          (const char *const *) items->pdata);
  gtk_drop_down_set_selected (self->model_dropdown, keep);
  self->updating = FALSE;
  model_chosen_cb (self, NULL, NULL);

  /* Any open checkpoint, and the bundled demo models, are comparisons. */
  for (guint k = 0; session != NULL && k < G_N_ELEMENTS (kinds); k++)
    if (ov_session_get_model_path (session, kinds[k]) != NULL)
      add_compare_dir (self, ov_session_get_model_path (session, kinds[k]), FALSE);
  for (const char *const *demo = ov_demo_model_names (); !self->demos_listed && *demo != NULL;
       demo++)
    {
      g_autofree char *dir = ov_demo_find (*demo, NULL);

      if (dir != NULL)
        add_compare_dir (self, dir, FALSE);
    }
  self->demos_listed = TRUE;
}

static void
input_changed (OvPanel *panel)
{
  /* The pass reads the dataset's own tags, not the edited ones; only the
   * open checkpoints matter here. */
  refresh_models (OV_EMBED_PANEL (panel));
}

typedef struct {
  GStrv files;
  guint n;
} CountJob;

static void
count_job_free (CountJob *job)
{
  g_strfreev (job->files);
  g_free (job);
}

static void
count_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CountJob *job = task_data;
  g_autoptr(OvDataset) ds = NULL;
  GError *error = NULL;

  ds = open_dataset ((const char *const *) job->files, cancellable, &error);
  if (ds == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->n = ov_dataset_get_n_samples (ds);
  g_task_return_boolean (task, TRUE);
}

static void
count_done_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (source);
  CountJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (g_task_get_cancellable (G_TASK (res)) != self->count_cancellable)
    return;
  g_clear_object (&self->count_cancellable);
  name = g_path_get_basename (job->files[0]);
  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      if (ov_error_is_cancelled (error))
        return;
      self->n_images = 0;
      gtk_label_set_text (self->dataset_label, error->message);
      return;
    }
  self->n_images = job->n;
  gtk_spin_button_set_range (self->images_spin, 1, MAX (job->n, 1));
  /* Translators: the dataset the pass reads: its file and number of images. */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u image", "%s: %u images",
                                       job->n), name, job->n);
  gtk_label_set_text (self->dataset_label, text);
  if (primary (self) == NULL && self->job == JOB_NONE)
    set_status (self, text);
}

void
ov_embed_panel_set_dataset (OvEmbedPanel      *self,
                            const char *const *files)
{
  g_autoptr(GTask) task = NULL;
  CountJob *job;

  g_return_if_fail (OV_IS_EMBED_PANEL (self));

  if (files == NULL || files[0] == NULL)
    return;
  if (self->files != NULL && g_strv_equal ((const char *const *) self->files, files))
    return;
  g_strfreev (self->files);
  self->files = g_strdupv ((char **) files);
  if (self->count_cancellable != NULL)
    g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  self->count_cancellable = g_cancellable_new ();
  job = g_new0 (CountJob, 1);
  job->files = g_strdupv ((char **) files);
  task = g_task_new (self, self->count_cancellable, count_done_cb, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) count_job_free);
  g_task_run_in_thread (task, count_worker);
}

/* Options, for the tests and the window */

void
ov_embed_panel_set_layers (OvEmbedPanel *self,
                           const char   *layers)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));
  g_return_if_fail (layers != NULL);

  if (g_ascii_strcasecmp (layers, "all") == 0)
    gtk_drop_down_set_selected (self->layer_dropdown, 0);
  else if (g_ascii_strcasecmp (layers, "last") == 0)
    gtk_drop_down_set_selected (self->layer_dropdown, 1);
  else
    gtk_drop_down_set_selected (self->layer_dropdown,
                                2 + (guint) g_ascii_strtoull (layers, NULL, 10));
}

void
ov_embed_panel_set_limit (OvEmbedPanel *self,
                          guint         limit)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));

  gtk_check_button_set_active (self->all_images_check, limit == 0);
  if (limit > 0)
    {
      gtk_spin_button_set_range (self->images_spin, 1, MAX (MAX (self->n_images, limit), 1));
      gtk_spin_button_set_value (self->images_spin, limit);
    }
}

gboolean
ov_embed_panel_set_model_kind (OvEmbedPanel *self,
                               OvModelKind   kind)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), FALSE);

  for (guint i = 0; i < self->model_kinds->len; i++)
    if (g_array_index (self->model_kinds, OvModelKind, i) == kind)
      {
        gtk_drop_down_set_selected (self->model_dropdown, i);
        return TRUE;
      }
  return FALSE;
}

static void
metric_dropdown_cb (OvEmbedPanel *self)
{
  apply_metric (self);
  rebuild_alignment (self);
}

void
ov_embed_panel_set_metric (OvEmbedPanel  *self,
                           OvAlignMetric  metric)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));
  gtk_drop_down_set_selected (self->metric_dropdown, metric == OV_ALIGN_COSINE ? 1 : 0);
}

void
ov_embed_panel_set_compare (OvEmbedPanel *self,
                            const char   *compare_dir)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));

  if (compare_dir == NULL)
    gtk_drop_down_set_selected (self->compare_dropdown, 0);
  else
    add_compare_dir (self, compare_dir, TRUE);
}

void
ov_embed_panel_set_tsne_options (OvEmbedPanel *self,
                                 double        perplexity,
                                 guint64       seed,
                                 int           n_iter)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));

  gtk_spin_button_set_value (self->perplexity_spin, perplexity);
  gtk_spin_button_set_value (self->seed_spin, (double) seed);
  gtk_spin_button_set_value (self->iterations_spin, n_iter);
}

/* Getters */

guint
ov_embed_panel_get_n_passes (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), 0);
  return self->n_passes;
}

const char *
ov_embed_panel_get_status (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  return gtk_label_get_text (self->status_label);
}

guint
ov_embed_panel_get_n_maps (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), 0);
  return self->n_maps;
}

guint
ov_embed_panel_get_n_frames (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), 0);
  return self->n_frames;
}

guint
ov_embed_panel_get_n_saves (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), 0);
  return self->n_saves;
}

const OvEmbeddings *
ov_embed_panel_get_embeddings (OvEmbedPanel *self,
                               guint         which)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  g_return_val_if_fail (which < 2, NULL);

  if (self->result == NULL || self->result->set[which] == NULL)
    return NULL;
  return self->result->set[which]->emb;
}

GtkWidget *
ov_embed_panel_get_class_table (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  return GTK_WIDGET (self->class_grid);
}

gboolean
ov_embed_panel_set_class_layer (OvEmbedPanel *self,
                                int           layer)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->class_layer_model));

  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), FALSE);

  for (guint i = 0; i < n; i++)
    if (g_ascii_strtoll (gtk_string_list_get_string (self->class_layer_model, i), NULL, 10)
        == layer)
      {
        gtk_drop_down_set_selected (self->class_layer_dropdown, i);
        return TRUE;
      }
  return FALSE;
}

const OvAlignment *
ov_embed_panel_get_alignment (OvEmbedPanel *self,
                              guint         which)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  g_return_val_if_fail (which < 2, NULL);

  if (self->result == NULL || self->result->set[which] == NULL)
    return NULL;
  return self->result->set[which]->align;
}

const float *
ov_embed_panel_get_positions (OvEmbedPanel *self,
                              guint        *n)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);

  *n = self->xy != NULL ? primary (self)->n : 0;
  return self->xy;
}

void
ov_embed_panel_get_tsne_params (OvEmbedPanel *self,
                                OvTsneParams *params,
                                int          *layer)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));

  if (params != NULL)
    *params = self->tsne_params;
  if (layer != NULL)
    *layer = self->tsne_layer;
}

const float *
ov_embed_panel_get_first_frame (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  return self->first_frame;
}

char *
ov_embed_panel_dup_point_tooltip (OvEmbedPanel *self,
                                  guint         index)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  return point_tooltip (index, self);
}

char *
ov_embed_panel_dup_point_key_description (OvEmbedPanel *self,
                                          guint         index)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  return point_key_description (self, index);
}

OvScatterCanvas *
ov_embed_panel_get_canvas (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  return self->canvas;
}

GListModel *
ov_embed_panel_get_selection_rows (OvEmbedPanel *self)
{
  g_return_val_if_fail (OV_IS_EMBED_PANEL (self), NULL);
  return G_LIST_MODEL (self->selection_rows);
}

void
ov_embed_panel_show_page (OvEmbedPanel *self,
                          const char   *name)
{
  g_return_if_fail (OV_IS_EMBED_PANEL (self));
  gtk_stack_set_visible_child_name (self->view_stack, name);
}

/* The class */

static void
all_images_toggled_cb (OvEmbedPanel *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->images_spin),
                            !gtk_check_button_get_active (self->all_images_check));
}

static void
ov_embed_panel_dispose (GObject *object)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (object);

  self->disposed = TRUE;
  if (self->job_cancellable != NULL)
    g_cancellable_cancel (self->job_cancellable);
  if (self->count_cancellable != NULL)
    g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->count_cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  self->job = JOB_NONE;
  self->generation++;
  g_clear_pointer (&self->align_view, ov_align_view_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), OV_TYPE_EMBED_PANEL);
  g_clear_object (&self->settings);
  g_clear_object (&self->selection_rows);
  G_OBJECT_CLASS (ov_embed_panel_parent_class)->dispose (object);
}

static void
ov_embed_panel_finalize (GObject *object)
{
  OvEmbedPanel *self = OV_EMBED_PANEL (object);

  g_clear_pointer (&self->result, embed_result_unref);
  g_free (self->xy);
  g_free (self->first_frame);
  g_free (self->status_last);
  g_free (self->status_data);
  g_strfreev (self->files);
  g_array_unref (self->model_kinds);
  g_ptr_array_unref (self->compare_dirs);
  g_array_unref (self->tsne_layers);
  G_OBJECT_CLASS (ov_embed_panel_parent_class)->finalize (object);
}

static void
ov_embed_panel_class_init (OvEmbedPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  OvPanelClass *panel_class = OV_PANEL_CLASS (klass);
  static const char *const file_actions[] = {
    "embed.open", "embed.open-compare", "embed.save", "embed.choose-compare",
    "embed.export-map", "embed.export-points", "embed.export-align",
    "embed.export-align-numbers",
  };
  static const char *const run_actions[] = {
    "embed.collect", "embed.tsne", "embed.cancel", "embed.clear-selection", "embed.show-all",
    "embed.hide-all",
  };

  object_class->dispose = ov_embed_panel_dispose;
  object_class->finalize = ov_embed_panel_finalize;
  /* Every checkpoint can encode; the panel needs only an open one. */
  panel_class->task = OV_TASK_ENCODE;
  panel_class->input_changed = input_changed;

  /* A point was activated: show its image (row of files) with the region
   * (or, when -1, the tag of the class) selected. */
  signals[SHOW_SAMPLE] =
    g_signal_new ("show-sample", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 5, G_TYPE_STRV, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_INT,
                  G_TYPE_STRING);

  g_type_ensure (OV_TYPE_SCATTER_CANVAS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/oscarviz/Oscarviz/ov-embed-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, reason_label);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, content);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, model_list);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, layer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, layer_list);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, all_images_check);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, images_spin);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, dataset_label);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, compare_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, metric_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, compare_list);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, tsne_layer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, tsne_layer_list);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, perplexity_spin);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, iterations_spin);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, classes_box);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, view_stack);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, canvas);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, empty_label);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, selection_box);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, selection_label);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, selection_view);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, align_label);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, align_area);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, align_grid);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, align_table_window);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, class_box);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, class_layer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, class_layer_model);
  gtk_widget_class_bind_template_child (widget_class, OvEmbedPanel, class_grid);

  for (guint i = 0; i < G_N_ELEMENTS (file_actions); i++)
    gtk_widget_class_install_action (widget_class, file_actions[i], NULL, file_action);
  for (guint i = 0; i < G_N_ELEMENTS (run_actions); i++)
    gtk_widget_class_install_action (widget_class, run_actions[i], NULL, run_action);
  /* Escape stops the job in flight (and does nothing when none runs, so
   * the window's own Escape still works). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "embed.cancel", NULL);
  gtk_widget_class_set_css_name (widget_class, "ov-embed-panel");
}

static void
ov_embed_panel_init (OvEmbedPanel *self)
{
  GtkSingleSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (show_status), self, G_CONNECT_SWAPPED);
  self->model_kinds = g_array_new (FALSE, FALSE, sizeof (OvModelKind));
  self->compare_dirs = g_ptr_array_new_with_free_func (g_free);
  self->tsne_layers = g_array_new (FALSE, FALSE, sizeof (int));
  self->model_layers = -1;
  self->tsne_layer = -1;
  ov_tsne_params_init (&self->tsne_params);

  /* Row 0 of the comparisons: none. */
  g_ptr_array_add (self->compare_dirs, NULL);
  /* Translators: no second model to compare with. */
  gtk_string_list_append (self->compare_list, _("None"));
  gtk_drop_down_set_selected (self->compare_dropdown, 0);
  fill_layers (self);

  self->selection_rows = gtk_string_list_new (NULL);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->selection_rows)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->selection_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  /* Translators: column heads of the list of selected points. */
  add_column (self, _("Token"), COL_TOKEN, TRUE);
  add_column (self, _("Class"), COL_CLASS, TRUE);
  add_column (self, _("Kind"), COL_KIND, FALSE);
  add_column (self, _("Image"), COL_IMAGE, FALSE);
  add_column (self, _("Box"), COL_BOX, FALSE);
  g_signal_connect_object (self->selection_view, "activate", G_CALLBACK (row_activated_cb),
                           self, 0);

  ov_scatter_canvas_set_tooltip_func (self->canvas, point_tooltip, self);
  g_signal_connect_object (self->canvas, "point-activated", G_CALLBACK (point_activated_cb),
                           self, 0);
  g_signal_connect_object (self->canvas, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->canvas, "classes-changed", G_CALLBACK (classes_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->canvas, "hover-changed", G_CALLBACK (hover_changed_cb), self,
                           0);
  g_signal_connect_object (self->model_dropdown, "notify::selected",
                           G_CALLBACK (model_dropdown_cb), self, 0);
  g_signal_connect_object (self->all_images_check, "toggled",
                           G_CALLBACK (all_images_toggled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->metric_dropdown, "notify::selected",
                           G_CALLBACK (metric_dropdown_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->class_layer_dropdown, "notify::selected",
                           G_CALLBACK (class_layer_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_drawing_area_set_draw_func (self->align_area, align_draw_cb, self, NULL);
  g_signal_connect_object (self->align_area, "query-tooltip", G_CALLBACK (align_tooltip_cb),
                           self, 0);

  ov_panel_set_parts (OV_PANEL (self), self->content, self->reason_label);
  update_actions (self);
}
