/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The open checkpoint and sample, the edited tags, and the GTask jobs that
 * run the engine in a worker thread. The engine is not re-entrant for one
 * model, so every job takes the model's lock; a cancelled job gives up the
 * moment it holds the lock or the engine sees its GCancellable.
 */
#define G_LOG_DOMAIN "ov-session"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "data/ov-dataset.h"
#include "model/ov-answers.h"
#include "model/ov-error.h"
#include "model/ov-tokenizer.h"
#include "viz/ov-attention.h"
#include "viz/ov-draw.h"
#include "ov-session.h"

/* A model shared by the session and the jobs still running on it. */
struct _OvSessionModel {
  OvModel *model;
  GMutex   lock;
};

typedef OvSessionModel OvModelRef;

static void
ov_model_ref_clear (gpointer data)
{
  OvModelRef *ref = data;

  g_clear_pointer (&ref->model, ov_model_free);
  g_mutex_clear (&ref->lock);
}

static OvModelRef *
ov_model_ref_new (OvModel *model)
{
  OvModelRef *ref = g_atomic_rc_box_new0 (OvModelRef);

  ref->model = model;
  g_mutex_init (&ref->lock);
  return ref;
}

static void
ov_model_ref_unref (OvModelRef *ref)
{
  g_atomic_rc_box_release_full (ref, ov_model_ref_clear);
}

#define N_KINDS (OV_MODEL_KIND_PRETRAIN + 1)

struct _OvSession
{
  GObject       parent_instance;

  /* One checkpoint per kind: the demo opens a captioning, a VQA and a
   * pre-training model side by side, and each panel uses the one that can
   * do its task. */
  OvModelRef   *models[N_KINDS];
  char         *model_paths[N_KINDS];
  OvAnswerList *answers;
  char         *answers_path;
  OvSample     *sample;
  cairo_surface_t *picture;
  OvOrientation picture_turn;
  /* class name -> colour, distinct among the sample's classes and the
   * shown classes (those of the embeddings map) together */
  OvPalette    *palette;
  GPtrArray    *shown_classes;
  GListStore   *tags;
  double        threshold;
  double        last_run_seconds;
};

enum {
  PROP_0,
  PROP_HAS_MODEL,
  PROP_THRESHOLD,
  PROP_LAST_RUN_SECONDS,
  N_PROPS
};

enum {
  INPUT_CHANGED,
  SAMPLE_CHANGED,
  PALETTE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (OvSession, ov_session, G_TYPE_OBJECT)

void
ov_answers_free (OvAnswers *answers)
{
  if (answers == NULL)
    return;
  g_strfreev (answers->labels);
  g_free (answers->scores);
  g_free (answers->indices);
  g_free (answers);
}

static void
input_changed (OvSession *self)
{
  g_signal_emit (self, signals[INPUT_CHANGED], 0);
}

static void
tag_notify_cb (OvTagItem  *item,
               GParamSpec *pspec,
               OvSession  *self)
{
  input_changed (self);
}

static void
tags_items_changed_cb (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       OvSession  *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (model, i);

      g_signal_handlers_disconnect_by_func (item, tag_notify_cb, self);
      /* "enabled" changes only with one of its two parts. */
      g_signal_connect_object (item, "notify::tag-enabled", G_CALLBACK (tag_notify_cb), self, 0);
      g_signal_connect_object (item, "notify::region-enabled", G_CALLBACK (tag_notify_cb),
                               self, 0);
      g_signal_connect_object (item, "notify::text", G_CALLBACK (tag_notify_cb), self, 0);
    }
  input_changed (self);
}

static void
ov_session_dispose (GObject *object)
{
  OvSession *self = OV_SESSION (object);

  g_clear_object (&self->tags);
  G_OBJECT_CLASS (ov_session_parent_class)->dispose (object);
}

static void
ov_session_finalize (GObject *object)
{
  OvSession *self = OV_SESSION (object);

  for (guint k = 0; k < N_KINDS; k++)
    {
      g_clear_pointer (&self->models[k], ov_model_ref_unref);
      g_clear_pointer (&self->model_paths[k], g_free);
    }
  g_clear_pointer (&self->answers, ov_answer_list_free);
  g_clear_pointer (&self->answers_path, g_free);
  g_clear_pointer (&self->sample, ov_sample_free);
  g_clear_pointer (&self->picture, cairo_surface_destroy);
  g_clear_pointer (&self->palette, ov_palette_free);
  g_clear_pointer (&self->shown_classes, g_ptr_array_unref);
  G_OBJECT_CLASS (ov_session_parent_class)->finalize (object);
}

static void
ov_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  OvSession *self = OV_SESSION (object);

  switch (prop_id)
    {
    case PROP_HAS_MODEL:
      g_value_set_boolean (value, ov_session_has_model (self));
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_LAST_RUN_SECONDS:
      g_value_set_double (value, self->last_run_seconds);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  OvSession *self = OV_SESSION (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      ov_session_set_threshold (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_session_class_init (OvSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ov_session_dispose;
  object_class->finalize = ov_session_finalize;
  object_class->get_property = ov_session_get_property;
  object_class->set_property = ov_session_set_property;

  properties[PROP_HAS_MODEL] =
    g_param_spec_boolean ("has-model", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_RUN_SECONDS] =
    g_param_spec_double ("last-run-seconds", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The tags, their order, the threshold or the regions changed. */
  signals[INPUT_CHANGED] =
    g_signal_new ("input-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A new sample was set (the image and its regions). */
  signals[SAMPLE_CHANGED] =
    g_signal_new ("sample-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The classes' colours changed without a new sample (new shown classes). */
  signals[PALETTE_CHANGED] =
    g_signal_new ("palette-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ov_session_init (OvSession *self)
{
  self->tags = g_list_store_new (OV_TYPE_TAG_ITEM);
  self->palette = ov_palette_new ();
  self->shown_classes = g_ptr_array_new_with_free_func (g_free);
  self->last_run_seconds = -1.0;
  g_signal_connect_object (self->tags, "items-changed",
                           G_CALLBACK (tags_items_changed_cb), self, 0);
}

OvSession *
ov_session_new (void)
{
  return g_object_new (OV_TYPE_SESSION, NULL);
}

/* Model loading */

typedef struct {
  char           *dir;
  OvModelOptions  options;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->dir);
  g_free (data);
}

static void
load_model_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GError) error = NULL;
  OvModel *model;

  model = ov_model_load (data->dir, &data->options, &error);
  /* The engine's loader takes no cancellable: a cancelled load finishes in
   * the background and its result is dropped here. */
  if (!g_task_set_return_on_cancel (task, FALSE))
    {
      g_clear_pointer (&model, ov_model_free);
      return;
    }
  if (model == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, model, (GDestroyNotify) ov_model_free);
}

void
ov_session_load_model_async (OvSession            *self,
                             const char           *dir,
                             const OvModelOptions *options,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (OV_IS_SESSION (self));
  g_return_if_fail (dir != NULL);

  data = g_new0 (LoadData, 1);
  data->dir = g_strdup (dir);
  if (options != NULL)
    data->options = *options;
  else
    ov_model_options_init (&data->options);
  /* The window keeps a model open for hours: a weights file rewritten in
   * place meanwhile must not take the mapped pages away under it. */
  data->options.private_weights = TRUE;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ov_session_load_model_async);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_model_worker);
}

gboolean
ov_session_load_answer_list (OvSession   *self,
                             const char  *path,
                             GError     **error)
{
  OvAnswerList *answers;

  g_return_val_if_fail (OV_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  answers = ov_answer_list_load (path, error);
  if (answers == NULL)
    return FALSE;
  g_clear_pointer (&self->answers, ov_answer_list_free);
  self->answers = answers;
  g_free (self->answers_path);
  self->answers_path = g_strdup (path);
  return TRUE;
}

static OvModelRef *model_for_task (OvSession *self, OvTask task);

gboolean
ov_session_answer_is_listed (OvSession  *self,
                             const char *answer)
{
  g_return_val_if_fail (OV_IS_SESSION (self), TRUE);

  /* without the model's list nothing is known either way */
  if (self->answers == NULL || ov_session_get_answer_name (self, 0) == NULL)
    return TRUE;
  return ov_answer_list_find (self->answers, answer) >= 0;
}

const char *
ov_session_get_answer_name (OvSession *self,
                            gint64     index)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  if (self->answers == NULL || index < 0 || index > G_MAXUINT)
    return NULL;
  /* a list of another length than the model's classes is not its list */
  {
    OvModelRef *ref = model_for_task (self, OV_TASK_VQA);

    if (ref != NULL && ov_answer_list_get_n (self->answers)
                       != (guint) ov_model_get_config (ref->model)->num_labels)
      return NULL;
  }
  return ov_answer_list_get (self->answers, (guint) index);
}

const char *
ov_session_get_label_answer (OvSession *self,
                             gint64     label)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  /* (the same check of the list as for a class) */
  if (ov_session_get_answer_name (self, 0) == NULL)
    return NULL;
  return ov_answer_list_get_by_label (self->answers, label);
}

gint64
ov_session_get_answer_label (OvSession *self,
                             gint64     index)
{
  g_return_val_if_fail (OV_IS_SESSION (self), index);

  if (ov_session_get_answer_name (self, index) == NULL)
    return index;
  return ov_answer_list_get_label (self->answers, (guint) index);
}

const char *
ov_session_get_answer_list_path (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);
  return self->answers_path;
}

/* Answer lists ship with the datasets, not the checkpoints (§1.2), but a
 * folder may carry one beside the weights (ov_find_answer_list). */
static void
find_answer_list (OvSession  *self,
                  const char *dir)
{
  g_autofree char *path = ov_find_answer_list (dir);
  g_autoptr(GError) error = NULL;

  if (path != NULL && !ov_session_load_answer_list (self, path, &error))
    g_warning ("failed to read the answer list: %s", error->message);
}

gboolean
ov_session_load_model_finish (OvSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  OvModel *model;
  OvModelKind kind;
  LoadData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  model = g_task_propagate_pointer (G_TASK (result), error);
  if (model == NULL)
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  kind = ov_model_get_kind (model);
  g_return_val_if_fail ((guint) kind < N_KINDS, FALSE);
  g_clear_pointer (&self->models[kind], ov_model_ref_unref);
  self->models[kind] = ov_model_ref_new (model);
  g_free (self->model_paths[kind]);
  self->model_paths[kind] = g_strdup (data->dir);

  /* A list beside the weights wins; otherwise the one already open (from
   * a dataset, or chosen by hand) stays. */
  if (kind == OV_MODEL_KIND_CLASSIFIER)
    find_answer_list (self, data->dir);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MODEL]);
  input_changed (self);
  return TRUE;
}

gboolean
ov_session_has_model (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), FALSE);

  for (guint k = 0; k < N_KINDS; k++)
    if (self->models[k] != NULL)
      return TRUE;
  return FALSE;
}

const char *
ov_session_get_model_path (OvSession   *self,
                           OvModelKind  kind)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);
  g_return_val_if_fail ((guint) kind < N_KINDS, NULL);
  return self->model_paths[kind];
}

OvSessionModel *
ov_session_ref_model (OvSession   *self,
                      OvModelKind  kind)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);
  g_return_val_if_fail ((guint) kind < N_KINDS, NULL);

  if (self->models[kind] == NULL)
    return NULL;
  return g_atomic_rc_box_acquire (self->models[kind]);
}

OvModel *
ov_session_model_lock (OvSessionModel *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);

  g_mutex_lock (&ref->lock);
  return ref->model;
}

const OvConfig *
ov_session_model_get_config (OvSessionModel *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return ov_model_get_config (ref->model);
}

void
ov_session_model_unlock (OvSessionModel *ref)
{
  g_return_if_fail (ref != NULL);
  g_mutex_unlock (&ref->lock);
}

void
ov_session_model_unref (OvSessionModel *ref)
{
  if (ref != NULL)
    ov_model_ref_unref (ref);
}

const char *
ov_session_get_backend_description (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  for (guint k = 0; k < N_KINDS; k++)
    if (self->models[k] != NULL)
      return ov_model_get_backend_description (self->models[k]->model);
  return NULL;
}

/* The open model that can do task, or NULL. */
static OvModelRef *
model_for_task (OvSession *self,
                OvTask     task)
{
  for (guint k = 0; k < N_KINDS; k++)
    if (self->models[k] != NULL && ov_model_supports (self->models[k]->model, task, NULL))
      return self->models[k];
  return NULL;
}

char *
ov_session_dup_mask_token (OvSession *self)
{
  OvModelRef *ref;

  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  ref = model_for_task (self, OV_TASK_MASK);
  /* the tokenizer never changes after loading: no lock */
  return g_strdup (ref != NULL ? ov_tokenizer_mask_token (ov_model_get_tokenizer (ref->model))
                               : "[MASK]");
}

const char *
ov_session_get_task_model_path (OvSession *self,
                                OvTask     task)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  for (guint k = 0; k < N_KINDS; k++)
    if (self->models[k] != NULL && ov_model_supports (self->models[k]->model, task, NULL))
      return self->model_paths[k];
  return NULL;
}

gboolean
ov_session_supports (OvSession  *self,
                     OvTask      task,
                     GError    **error)
{
  OvModelRef *only = NULL;
  guint n_open = 0;

  g_return_val_if_fail (OV_IS_SESSION (self), FALSE);

  if (model_for_task (self, task) != NULL)
    return TRUE;
  for (guint k = 0; k < N_KINDS; k++)
    if (self->models[k] != NULL)
      {
        only = self->models[k];
        n_open++;
      }
  if (n_open == 0)
    g_set_error_literal (error, OV_ERROR, OV_ERROR_MISSING, _("No checkpoint is open."));
  else if (n_open == 1)
    /* The engine's own message names the checkpoint and its kind. */
    ov_model_supports (only->model, task, error);
  else
    g_set_error_literal (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                         _("None of the open checkpoints can do this; "
                           "open one of the right kind."));
  return FALSE;
}

double
ov_session_get_last_run_seconds (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), -1.0);
  return self->last_run_seconds;
}

const char *
ov_session_id_to_token (OvSession *self,
                        gint32     id)
{
  OvModelRef *ref;

  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  ref = model_for_task (self, OV_TASK_MASK);
  if (ref == NULL)
    return NULL;
  return ov_tokenizer_id_to_token (ov_model_get_tokenizer (ref->model), id);
}

/* The sample and its tags */

/* The palette for sample's classes and the shown classes together: the
 * same set of classes always gets the same colours, so a map drawn by
 * `oscarviz tsne` has the colours the window gives it when the picture's
 * classes are among the map's. */
static void
assign_palette (OvSession      *self,
                const OvSample *sample)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < self->shown_classes->len; i++)
    g_ptr_array_add (names, g_ptr_array_index (self->shown_classes, i));
  for (guint i = 0; sample != NULL && i < sample->n_regions; i++)
    g_ptr_array_add (names, sample->regions[i].cls);
  ov_palette_assign (self->palette, (const char *const *) names->pdata, names->len);
}

void
ov_session_set_sample (OvSession *self,
                       OvSample  *sample)
{
  g_autoptr(GPtrArray) items = NULL;
  /* Views may still hold the old sample until they hear of the new one. */
  g_autoptr(OvSample) old = NULL;

  g_return_if_fail (OV_IS_SESSION (self));

  old = g_steal_pointer (&self->sample);
  self->sample = sample;
  /* the old sample's picture is not this one's */
  g_clear_pointer (&self->picture, cairo_surface_destroy);

  items = g_ptr_array_new_with_free_func (g_object_unref);
  if (sample != NULL)
    {
      g_autofree const char **names = g_new0 (const char *, sample->n_regions + 1);
      g_autoptr(GString) classes = g_string_new (NULL);

      for (guint i = 0; i < sample->n_regions; i++)
        names[i] = sample->regions[i].cls;
      assign_palette (self, sample);
      /* the classes joined, as the detections alone would give the tags */
      for (guint i = 0; i < sample->n_regions; i++)
        if (names[i] != NULL && *names[i] != '\0')
          g_string_append_printf (classes, "%s%s", classes->len > 0 ? " " : "", names[i]);

      if (sample->tags != NULL && g_strcmp0 (sample->tags, classes->str) != 0)
        {
          /* The file gives its own tag string (a VQA file's "o", say), not
           * the classes joined: keep it word for word, as typed tags, so the
           * model reads what the file says. */
          /* split where the model splits them: Oscar reads ';' as a space */
          g_auto(GStrv) words = g_strsplit_set (sample->tags, " ;\t", -1);

          for (guint i = 0; words[i] != NULL; i++)
            if (*words[i] != '\0')
              g_ptr_array_add (items, ov_tag_item_new (words[i], -1, G_MAXUINT, NAN, NULL));
        }
      else
        for (guint i = 0; i < sample->n_regions; i++)
          {
            const OvRegion *r = &sample->regions[i];
            const char *cls = r->cls != NULL ? r->cls : "";
            g_autofree char *attrs = NULL;

            if (r->attributes != NULL)
              attrs = g_strjoinv (", ", r->attributes);
            g_ptr_array_add (items, ov_tag_item_new (cls, (int) i,
                                                     ov_palette_index (self->palette, cls),
                                                     r->conf, attrs));
          }
    }

  /* Views rebuild for the new sample first; then the tags change, in one
   * splice so listeners see one change. */
  g_signal_emit (self, signals[SAMPLE_CHANGED], 0);
  g_list_store_splice (self->tags, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tags)),
                       items->pdata, items->len);
}

void
ov_session_set_shown_classes (OvSession         *self,
                              const char *const *names,
                              gsize              n)
{
  guint n_items;

  g_return_if_fail (OV_IS_SESSION (self));

  g_ptr_array_set_size (self->shown_classes, 0);
  for (gsize i = 0; i < n; i++)
    if (names[i] != NULL)
      g_ptr_array_add (self->shown_classes, g_strdup (names[i]));
  assign_palette (self, self->sample);
  /* the tags of regions take their class's new colour */
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->tags));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (G_LIST_MODEL (self->tags), i);
      int region = ov_tag_item_get_region (item);

      if (self->sample != NULL && region >= 0 && (guint) region < self->sample->n_regions)
        {
          const char *cls = self->sample->regions[region].cls;

          ov_tag_item_set_class_index (item, ov_palette_index (self->palette,
                                                               cls != NULL ? cls : ""));
        }
    }
  g_signal_emit (self, signals[PALETTE_CHANGED], 0);
}

OvPalette *
ov_session_get_palette (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);
  return self->palette;
}

const OvSample *
ov_session_get_sample (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);
  return self->sample;
}

void
ov_session_set_picture (OvSession       *self,
                        cairo_surface_t *picture,
                        OvOrientation    turn)
{
  g_return_if_fail (OV_IS_SESSION (self));

  if (picture != NULL)
    cairo_surface_reference (picture);
  g_clear_pointer (&self->picture, cairo_surface_destroy);
  self->picture = picture;
  self->picture_turn = turn;
}

GListModel *
ov_session_get_tags (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), NULL);
  return G_LIST_MODEL (self->tags);
}

OvTagItem *
ov_session_add_tag (OvSession  *self,
                    const char *text)
{
  g_autoptr(OvTagItem) item = NULL;
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (OV_IS_SESSION (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    return NULL;
  /* A typed tag has no region; its colour index is past every class. */
  item = ov_tag_item_new (stripped, -1, G_MAXUINT, NAN, NULL);
  g_list_store_append (self->tags, item);
  return item;
}

void
ov_session_remove_tag (OvSession *self,
                       guint      position)
{
  g_return_if_fail (OV_IS_SESSION (self));
  g_return_if_fail (position < g_list_model_get_n_items (G_LIST_MODEL (self->tags)));

  g_list_store_remove (self->tags, position);
}

void
ov_session_move_tag (OvSession *self,
                     guint      from,
                     guint      to)
{
  g_autoptr(OvTagItem) item = NULL;
  guint n;

  g_return_if_fail (OV_IS_SESSION (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tags));
  g_return_if_fail (from < n);
  to = MIN (to, n - 1);
  if (from == to)
    return;

  item = g_list_model_get_item (G_LIST_MODEL (self->tags), from);
  g_list_store_remove (self->tags, from);
  g_list_store_insert (self->tags, to, item);
}

double
ov_session_get_threshold (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), 0.0);
  return self->threshold;
}

void
ov_session_set_threshold (OvSession *self,
                          double     threshold)
{
  g_return_if_fail (OV_IS_SESSION (self));

  threshold = CLAMP (threshold, 0.0, 1.0);
  if (threshold == self->threshold)
    return;
  self->threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
  input_changed (self);
}

static gboolean
region_visible (OvSession *self,
                double     conf)
{
  /* Regions without a confidence are never hidden by the slider. */
  return isnan (conf) || conf >= self->threshold;
}

gboolean
ov_session_tag_in_input (OvSession *self,
                         OvTagItem *item)
{
  g_return_val_if_fail (OV_IS_SESSION (self), FALSE);
  g_return_val_if_fail (OV_IS_TAG_ITEM (item), FALSE);

  if (!ov_tag_item_get_tag_enabled (item) || *ov_tag_item_get_text (item) == '\0')
    return FALSE;
  if (ov_tag_item_is_text_only (item))
    return TRUE;
  return region_visible (self, ov_tag_item_get_confidence (item));
}

char *
ov_session_dup_input_tags (OvSession *self)
{
  GListModel *model;
  GString *tags;

  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  model = G_LIST_MODEL (self->tags);
  tags = g_string_new (NULL);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (model, i);

      if (!ov_session_tag_in_input (self, item))
        continue;
      if (tags->len > 0)
        g_string_append_c (tags, ' ');
      g_string_append (tags, ov_tag_item_get_text (item));
    }
  return g_string_free (tags, FALSE);
}

gboolean
ov_session_region_in_input (OvSession *self,
                            guint      region)
{
  GListModel *model;

  g_return_val_if_fail (OV_IS_SESSION (self), FALSE);

  if (self->sample == NULL
      || region >= MAX (self->sample->n_regions,
                        self->sample->features != NULL ? self->sample->n_features : 0))
    return FALSE;
  if (region < self->sample->n_regions
      && !region_visible (self, self->sample->regions[region].conf))
    return FALSE;
  model = G_LIST_MODEL (self->tags);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (model, i);

      if (ov_tag_item_get_region (item) == (int) region && !ov_tag_item_get_region_enabled (item))
        return FALSE;
    }
  return TRUE;
}

/* Marks which region rows reach the model. Returns the count. */
static guint
mark_input_regions (OvSession *self,
                    gboolean  *keep)   /* (n_features) */
{
  guint n_features = self->sample != NULL && self->sample->features != NULL
                     ? self->sample->n_features : 0;
  guint count = 0;

  for (guint r = 0; r < n_features; r++)
    count += keep[r] = ov_session_region_in_input (self, r);
  return count;
}

/* The feature rows of the regions in the input, packed; *n_out gets their
 * count and, when keep_out is not NULL, it gets the mask (n_features) of
 * which rows they are. NULL without a sample with features. */
static float *
dup_input_features (OvSession  *self,
                    guint      *n_out,
                    gboolean  **keep_out)
{
  const OvSample *s = self->sample;
  g_autofree gboolean *keep = NULL;
  float *features;
  guint n, row = 0;

  *n_out = 0;
  if (s == NULL || s->features == NULL)
    return NULL;
  keep = g_new0 (gboolean, s->n_features);
  n = mark_input_regions (self, keep);
  features = g_new (float, (gsize) MAX (n, 1) * s->feature_dim);
  for (guint i = 0; i < s->n_features; i++)
    if (keep[i])
      memcpy (features + (gsize) row++ * s->feature_dim, s->features + (gsize) i * s->feature_dim,
              sizeof (float) * s->feature_dim);
  *n_out = n;
  if (keep_out != NULL)
    *keep_out = g_steal_pointer (&keep);
  return features;
}

guint
ov_session_get_input_region_count (OvSession *self)
{
  g_autofree gboolean *keep = NULL;

  g_return_val_if_fail (OV_IS_SESSION (self), 0);

  if (self->sample == NULL || self->sample->features == NULL)
    return 0;
  keep = g_new0 (gboolean, self->sample->n_features);
  return mark_input_regions (self, keep);
}

gboolean
ov_session_input_is_empty (OvSession *self)
{
  g_autofree char *tags = NULL;

  g_return_val_if_fail (OV_IS_SESSION (self), FALSE);

  if (self->sample == NULL || ov_session_get_input_region_count (self) > 0)
    return FALSE;
  tags = ov_session_dup_input_tags (self);
  return *g_strstrip (tags) == '\0';
}

gboolean
ov_session_sample_lacks_features (OvSession *self)
{
  g_return_val_if_fail (OV_IS_SESSION (self), FALSE);
  return self->sample != NULL && self->sample->n_regions > 0 && self->sample->features == NULL;
}

GArray *
ov_session_dup_input_regions (OvSession *self)
{
  GArray *regions;

  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  regions = g_array_new (FALSE, FALSE, sizeof (guint));
  if (self->sample == NULL || self->sample->features == NULL)
    return regions;
  for (guint r = 0; r < self->sample->n_features; r++)
    if (ov_session_region_in_input (self, r))
      g_array_append_val (regions, r);
  return regions;
}

gboolean
ov_session_get_input_kept (OvSession   *self,
                           OvInputKept *kept)
{
  return ov_session_get_task_input_kept (self, OV_TASK_CAPTION, NULL, kept);
}

gboolean
ov_session_get_task_input_kept (OvSession   *self,
                                OvTask       task,
                                const char  *text,
                                OvInputKept *kept)
{
  OvModelRef *ref;
  g_autofree char *tags = NULL;
  g_autofree float *features = NULL;
  OvRegions regions = { NULL, 0, 0 };
  guint n;

  g_return_val_if_fail (OV_IS_SESSION (self), FALSE);

  ref = model_for_task (self, task);
  if (ref == NULL || self->sample == NULL)
    return FALSE;
  tags = ov_session_dup_input_tags (self);
  features = dup_input_features (self, &n, NULL);
  if (features != NULL)
    regions = (OvRegions) { features, (int) n, (int) self->sample->feature_dim };
  /* builds the input only (tokenizer and settings, which never change) */
  return ov_model_count_input_kept (ref->model, task, text, tags, &regions, kept, NULL);
}

guint
ov_session_count_tags_read_whole (OvSession         *self,
                                  const OvInputKept *kept)
{
  OvModelRef *ref;
  OvTokenizer *tok;
  GListModel *model;
  int pieces = 0;
  guint whole = 0;

  g_return_val_if_fail (OV_IS_SESSION (self), 0);
  g_return_val_if_fail (kept != NULL, 0);

  ref = model_for_task (self, OV_TASK_CAPTION);
  if (ref == NULL)
    return 0;
  /* the tokenizer never changes after loading: no lock. The tag string
   * joins the tags with spaces, so its pieces are theirs, in order. */
  tok = ov_model_get_tokenizer (ref->model);
  model = G_LIST_MODEL (self->tags);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (model, i);
      g_autoptr(GPtrArray) tag_pieces = NULL;

      if (!ov_session_tag_in_input (self, item))
        continue;
      tag_pieces = ov_tokenizer_tokenize (tok, ov_tag_item_get_text (item));
      pieces += (int) tag_pieces->len;
      if (pieces > kept->tag_pieces_kept)
        break;
      whole++;
    }
  return whole;
}

/* The words of text that model reads as [UNK], as the command line counts
 * them (ov_tokenizer_unknown_words), with distinct each word once; none
 * without a model. */
static GStrv
dup_unknown_words (OvModel    *model,
                   const char *text,
                   gboolean    distinct,
                   guint      *n_words)
{
  g_autoptr(GPtrArray) words = NULL;
  g_autoptr(GStrvBuilder) unknown = g_strv_builder_new ();

  if (n_words != NULL)
    *n_words = 0;
  if (model == NULL)
    return g_strv_builder_end (unknown);
  /* the tokenizer never changes after loading: no lock */
  words = distinct ? ov_tokenizer_unknown_distinct_words (ov_model_get_tokenizer (model), text,
                                                          n_words)
                   : ov_tokenizer_unknown_words (ov_model_get_tokenizer (model), text, n_words);
  for (guint i = 0; i < words->len; i++)
    g_strv_builder_add (unknown, g_ptr_array_index (words, i));
  return g_strv_builder_end (unknown);
}

GStrv
ov_session_dup_unknown_words (OvSession  *self,
                              OvTask      task,
                              const char *text,
                              guint      *n_words)
{
  OvModelRef *ref;

  g_return_val_if_fail (OV_IS_SESSION (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  ref = model_for_task (self, task);
  return dup_unknown_words (ref != NULL ? ref->model : NULL, text, FALSE, n_words);
}

GStrv
ov_session_dup_unknown_tag_words (OvSession *self,
                                  guint     *n_words)
{
  g_autofree char *tags = NULL;

  g_return_val_if_fail (OV_IS_SESSION (self), NULL);

  tags = ov_session_dup_input_tags (self);
  for (guint k = 0; k < N_KINDS; k++)
    {
      OvModel *model = self->models[k] != NULL ? self->models[k]->model : NULL;

      if (model != NULL && ov_model_reads_tags (model))
        return dup_unknown_words (model, tags != NULL ? tags : "", TRUE, n_words);
    }
  return dup_unknown_words (NULL, "", TRUE, n_words);
}

/* Jobs */

typedef enum {
  JOB_CAPTION,
  JOB_ANSWER,
  JOB_MASKS,
  JOB_MATCH,
  JOB_ATTENTION,
} JobKind;

typedef struct {
  JobKind           kind;
  OvModelRef       *model;
  char             *tags;
  float            *features;     /* (n_regions, dim) */
  int               n_regions;
  int               dim;
  int              *region_ids;   /* (n_regions) sample region of each row */
  char            **region_classes; /* (n_regions) its class, or NULL */
  OvTask            task;
  char             *text;
  char             *other_tags;
  int               top_k;
  OvCaptionOptions  caption;
  /* the job's own copy of caption.constraints, when there are any */
  OvCaptionConstraints constraints;
  GStrv             constraint_names;
  GStrv             answers;
  double            seconds;
  /* results */
  GPtrArray        *list;
  OvAnswers        *scores;
  OvMatchResult     match;
  OvAttentionRun   *attention;
  /* attention: every caption step too; the sample and its picture as
   * they were when it began */
  gboolean          with_steps;
  OvSample         *sample;
  cairo_surface_t  *picture;
  OvOrientation     turn;
} Job;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->model, ov_model_ref_unref);
  g_free (job->tags);
  g_free (job->features);
  g_free (job->region_ids);
  g_strfreev (job->region_classes);
  g_clear_pointer (&job->attention, ov_attention_run_free);
  g_clear_pointer (&job->sample, ov_sample_free);
  g_clear_pointer (&job->picture, cairo_surface_destroy);
  g_free (job->text);
  g_free (job->other_tags);
  g_strfreev (job->answers);
  g_strfreev (job->constraint_names);
  g_clear_pointer (&job->constraints.word_pieces, g_hash_table_unref);
  g_clear_pointer (&job->constraints.piece_forms, g_hash_table_unref);
  g_clear_pointer (&job->list, g_ptr_array_unref);
  g_clear_pointer (&job->scores, ov_answers_free);
  g_free (job);
}

/* Copies the current input into a new job. */
static Job *
job_new (OvSession *self,
         JobKind    kind,
         OvTask     task)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->model = g_atomic_rc_box_acquire (model_for_task (self, task));
  job->tags = ov_session_dup_input_tags (self);
  if (self->answers != NULL)
    {
      guint n = ov_answer_list_get_n (self->answers);

      job->answers = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        job->answers[i] = g_strdup (ov_answer_list_get (self->answers, i));
    }
  job->match.swapped_probability = NAN;

  if (self->sample != NULL && self->sample->features != NULL)
    {
      const OvSample *s = self->sample;
      g_autofree gboolean *keep = NULL;
      guint n, row = 0;

      job->features = dup_input_features (self, &n, &keep);
      job->dim = (int) s->feature_dim;
      job->n_regions = (int) n;
      job->region_ids = g_new (int, MAX (n, 1));
      job->region_classes = g_new0 (char *, n + 1);
      for (guint i = 0; i < s->n_features; i++)
        if (keep[i])
          {
            job->region_ids[row] = (int) i;
            job->region_classes[row++] = g_strdup (i < s->n_regions && s->regions[i].cls != NULL
                                                   ? s->regions[i].cls : "");
          }
    }
  return job;
}

static int
compare_scores_desc (gconstpointer a,
                     gconstpointer b,
                     gpointer      user_data)
{
  const float *logits = user_data;
  float la = logits[*(const int *) a];
  float lb = logits[*(const int *) b];

  return (la < lb) - (la > lb);
}

/* The top_k answers of the logits, as sigmoid scores (§5.2: the VQA head is
 * trained with a per-answer binary loss, so each sigmoid stands alone). */
static OvAnswers *
top_answers (const float *logits,
             int          n_logits,
             int          top_k,
             GStrv        labels)
{
  g_autofree int *order = g_new (int, n_logits);
  guint n_labels = labels != NULL ? g_strv_length (labels) : 0;
  OvAnswers *answers = g_new0 (OvAnswers, 1);

  for (int i = 0; i < n_logits; i++)
    order[i] = i;
  g_qsort_with_data (order, n_logits, sizeof (int), compare_scores_desc, (gpointer) logits);

  answers->n = MIN (top_k, n_logits);
  answers->n_classes = n_logits;
  answers->n_listed = (int) n_labels;
  /* a list of another length is another model's: numbers, not its words */
  if (n_labels != (guint) n_logits)
    n_labels = 0;
  answers->labels = g_new0 (char *, answers->n + 1);
  answers->scores = g_new (double, answers->n);
  answers->indices = g_new (int, MAX (answers->n, 1));
  for (int i = 0; i < answers->n; i++)
    {
      int k = order[i];

      answers->scores[i] = 1.0 / (1.0 + exp (-(double) logits[k]));
      answers->indices[i] = k;
      if ((guint) k < n_labels)
        answers->labels[i] = g_strdup (labels[k]);
      else
        /* Translators: an answer of a checkpoint without an answer list; %d is its index. */
        answers->labels[i] = g_strdup_printf (_("answer %d"), k);
    }
  return answers;
}

void
ov_attention_run_free (OvAttentionRun *run)
{
  if (run == NULL)
    return;
  g_clear_pointer (&run->encoding, ov_encoding_free);
  g_clear_pointer (&run->forward, ov_forward_free);
  g_strfreev (run->labels);
  g_clear_pointer (&run->steps, g_ptr_array_unref);
  g_clear_pointer (&run->sample, ov_sample_free);
  g_clear_pointer (&run->picture, cairo_surface_destroy);
  g_free (run->tags);
  g_free (run->text);
  g_free (run);
}

void
ov_caption_step_free (OvCaptionStep *step)
{
  if (step == NULL)
    return;
  g_free (step->word);
  g_free (step->segments);
  g_strfreev (step->labels);
  g_free (step->rows);
  g_free (step);
}

/* The run's token labels: region rows named after the sample's region, as
 * the tag list numbers it, and its class ("r3 dog"). */
static char **
dup_token_labels (Job              *job,
                  const OvEncoding *enc,
                  int               seq_len)
{
  char **labels = g_new0 (char *, seq_len + 1);
  int k = 0;

  for (int i = 0; i < seq_len; i++)
    {
      if (enc->segments[i] == OV_SEGMENT_REGION && k < job->n_regions)
        {
          labels[i] = ov_region_dup_token_label (job->region_ids[k], job->region_classes[k]);
          k++;
        }
      else
        labels[i] = g_strdup (enc->labels[i] != NULL ? enc->labels[i] : "");
    }
  return labels;
}

/* The steps of a caption before its last: step k reads [CLS] + the first
 * k pieces and a [MASK], whose attention rows it keeps, and produced
 * piece k + 1. */
static GPtrArray *
run_caption_steps (Job           *job,
                   const GArray  *ids,
                   GCancellable  *cancellable,
                   GError       **error)
{
  OvModel *model = job->model->model;
  OvRegions regions = { job->features, job->n_regions, job->dim };
  OvTokenizer *tok = ov_model_get_tokenizer (model);
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (
    (GDestroyNotify) ov_caption_step_free);

  for (guint k = 0; k + 1 < ids->len; k++)
    {
      g_autoptr(OvEncoding) enc = NULL;
      g_autoptr(OvForward) fwd = NULL;
      OvCaptionStep *step;
      const char *word;
      int S;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      enc = ov_model_prepare_caption_step (model, (const gint32 *) ids->data, (int) k + 1,
                                           job->tags, &regions, error);
      if (enc == NULL)
        return NULL;
      fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_ATTENTIONS, cancellable, error);
      if (fwd == NULL)
        return NULL;
      S = fwd->seq_len;
      word = ov_tokenizer_id_to_token (tok, g_array_index (ids, gint32, k + 1));
      step = g_new0 (OvCaptionStep, 1);
      step->word = g_strdup (word != NULL ? word : "");
      step->seq_len = S;
      step->segments = g_memdup2 (enc->segments, sizeof (OvSegment) * S);
      step->labels = dup_token_labels (job, enc, S);
      step->rows = g_new (float, (gsize) fwd->n_layers * (fwd->n_heads + 2) * S);
      ov_attention_query_rows ((const float *const *) fwd->attentions, fwd->n_layers,
                               fwd->n_heads, S, enc->query_index, step->rows);
      g_ptr_array_add (steps, step);
    }
  return g_steal_pointer (&steps);
}

/* One forward pass with attentions on the job's input: the caption step
 * after [CLS] + the pieces of job->text (NULL: just [CLS]), or the question
 * job->text with the VQA layout. */
static gboolean
run_attention (Job           *job,
               GCancellable  *cancellable,
               GError       **error)
{
  OvModel *model = job->model->model;
  OvRegions regions = { job->features, job->n_regions, job->dim };
  g_autoptr(OvAttentionRun) run = g_new0 (OvAttentionRun, 1);
  int S;

  run->task = job->task;
  run->tags = g_strdup (job->tags);
  run->text = g_strdup (job->text);
  if (job->task == OV_TASK_CAPTION)
    {
      OvTokenizer *tok = ov_model_get_tokenizer (model);
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
      gint32 cls = ov_tokenizer_cls_id (tok);

      g_array_append_val (ids, cls);
      if (job->text != NULL)
        {
          g_autoptr(GArray) pieces = ov_tokenizer_encode (tok, job->text);

          g_array_append_vals (ids, pieces->data, pieces->len);
        }
      if (job->with_steps
          && (run->steps = run_caption_steps (job, ids, cancellable, error)) == NULL)
        return FALSE;
      run->encoding = ov_model_prepare_caption_step (model, (const gint32 *) ids->data,
                                                     (int) ids->len, job->tags, &regions,
                                                     error);
    }
  else
    run->encoding = ov_model_prepare_vqa (model, job->text, job->tags, &regions, error);
  if (run->encoding == NULL)
    return FALSE;
  run->forward = ov_model_forward (model, &run->encoding->inputs, OV_FORWARD_ATTENTIONS,
                                   cancellable, error);
  if (run->forward == NULL)
    return FALSE;

  S = run->forward->seq_len;
  run->labels = dup_token_labels (job, run->encoding, S);
  /* The regions given, in their order, for the views on the picture. */
  if (job->sample != NULL && job->sample->features != NULL)
    {
      g_autofree guint *keep = g_new (guint, MAX (job->n_regions, 1));

      run->boxes_unpaired = job->sample->n_regions > 0
                            && job->sample->n_regions != job->sample->n_features;
      for (int r = 0; r < job->n_regions; r++)
        keep[r] = (guint) job->region_ids[r];
      if (!ov_sample_keep_regions (job->sample, keep, (guint) job->n_regions, error))
        return FALSE;
    }
  run->sample = g_steal_pointer (&job->sample);
  run->picture = g_steal_pointer (&job->picture);
  run->turn = job->turn;
  job->attention = g_steal_pointer (&run);
  return TRUE;
}

static gboolean
run_job (Job           *job,
         GCancellable  *cancellable,
         GError       **error)
{
  OvModel *model = job->model->model;
  OvRegions regions = { job->features, job->n_regions, job->dim };

  switch (job->kind)
    {
    case JOB_CAPTION:
      job->list = ov_model_caption (model, job->tags, &regions, &job->caption,
                                    cancellable, error);
      return job->list != NULL;

    case JOB_ANSWER:
      {
        g_autofree float *logits = NULL;
        int n_logits = 0;

        logits = ov_model_classify (model, job->text, job->tags, &regions, &n_logits,
                                    cancellable, error);
        if (logits == NULL)
          return FALSE;
        job->scores = top_answers (logits, n_logits, job->top_k, job->answers);
        return TRUE;
      }

    case JOB_MASKS:
      job->list = ov_model_predict_masks (model, job->text, job->tags, &regions, job->top_k,
                                          cancellable, error);
      return job->list != NULL;

    case JOB_MATCH:
      {
        float logits[8];
        int n_classes = 0;

        if (!ov_model_match (model, job->text, job->tags, &regions, logits, &n_classes,
                             &job->match.probability, cancellable, error))
          return FALSE;
        if (job->other_tags != NULL
            && !ov_model_match (model, job->text, job->other_tags, &regions, logits,
                                &n_classes, &job->match.swapped_probability,
                                cancellable, error))
          return FALSE;
        return TRUE;
      }

    case JOB_ATTENTION:
      return run_attention (job, cancellable, error);

    default:
      g_assert_not_reached ();
    }
}

static void
job_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  gint64 start;
  gboolean ok;

  g_mutex_lock (&job->model->lock);
  /* A newer request may have cancelled this one while it waited. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_mutex_unlock (&job->model->lock);
      return;
    }
  start = g_get_monotonic_time ();
  ok = run_job (job, cancellable, &error);
  job->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_mutex_unlock (&job->model->lock);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_job (OvSession          *self,
           Job                *job,
           gpointer            source_tag,
           GCancellable       *cancellable,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_worker);
}

/* A job on the current input for the model that can do task; NULL, with
 * the error reported to callback, when none can. */
static Job *
begin_job (OvSession          *self,
           JobKind             kind,
           OvTask              task,
           gpointer            source_tag,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  g_autoptr(GError) error = NULL;

  if (ov_session_supports (self, task, &error))
    return job_new (self, kind, task);
  g_task_report_error (self, callback, user_data, source_tag, g_steal_pointer (&error));
  return NULL;
}

/* Reads a finished job back; records how long it ran. */
static Job *
finish_job (OvSession     *self,
            GAsyncResult  *result,
            gpointer       source_tag,
            GError       **error)
{
  Job *job;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  job = g_task_get_task_data (G_TASK (result));
  self->last_run_seconds = job->seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_RUN_SECONDS]);
  return job;
}

void
ov_session_caption_async (OvSession              *self,
                          const OvCaptionOptions *options,
                          GCancellable           *cancellable,
                          GAsyncReadyCallback     callback,
                          gpointer                user_data)
{
  Job *job;

  g_return_if_fail (OV_IS_SESSION (self));

  job = begin_job (self, JOB_CAPTION, OV_TASK_CAPTION, ov_session_caption_async, callback,
                   user_data);
  if (job == NULL)
    return;
  if (options != NULL)
    job->caption = *options;
  else
    ov_caption_options_init (&job->caption);
  /* the caller's constraints may change while the job runs in its thread */
  if (job->caption.constraints != NULL)
    {
      const OvCaptionConstraints *c = job->caption.constraints;

      job->constraint_names = g_new0 (char *, MAX (c->n_constraints, 0) + 1);
      for (int i = 0; i < c->n_constraints; i++)
        job->constraint_names[i] = g_strdup (c->constraints[i]);
      job->constraints = *c;
      job->constraints.constraints = (const char * const *) job->constraint_names;
      if (c->word_pieces != NULL)
        g_hash_table_ref (c->word_pieces);
      if (c->piece_forms != NULL)
        g_hash_table_ref (c->piece_forms);
      job->caption.constraints = &job->constraints;
    }
  start_job (self, job, ov_session_caption_async, cancellable, callback, user_data);
}

GPtrArray *
ov_session_caption_finish (OvSession     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  Job *job = finish_job (self, result, ov_session_caption_async, error);

  return job != NULL ? g_steal_pointer (&job->list) : NULL;
}

void
ov_session_answer_async (OvSession          *self,
                         const char         *question,
                         int                 top_k,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  Job *job;

  g_return_if_fail (OV_IS_SESSION (self));
  g_return_if_fail (question != NULL);

  job = begin_job (self, JOB_ANSWER, OV_TASK_VQA, ov_session_answer_async, callback, user_data);
  if (job == NULL)
    return;
  job->text = g_strdup (question);
  job->top_k = MAX (top_k, 1);
  start_job (self, job, ov_session_answer_async, cancellable, callback, user_data);
}

OvAnswers *
ov_session_answer_finish (OvSession     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  Job *job = finish_job (self, result, ov_session_answer_async, error);

  return job != NULL ? g_steal_pointer (&job->scores) : NULL;
}

void
ov_session_predict_masks_async (OvSession          *self,
                                const char         *text,
                                int                 top_k,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  Job *job;

  g_return_if_fail (OV_IS_SESSION (self));
  g_return_if_fail (text != NULL);

  job = begin_job (self, JOB_MASKS, OV_TASK_MASK, ov_session_predict_masks_async, callback,
                   user_data);
  if (job == NULL)
    return;
  job->text = g_strdup (text);
  job->top_k = MAX (top_k, 1);
  start_job (self, job, ov_session_predict_masks_async, cancellable, callback, user_data);
}

GPtrArray *
ov_session_predict_masks_finish (OvSession     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  Job *job = finish_job (self, result, ov_session_predict_masks_async, error);

  return job != NULL ? g_steal_pointer (&job->list) : NULL;
}

void
ov_session_match_async (OvSession          *self,
                        const char         *text,
                        const char         *other_tags,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  Job *job;

  g_return_if_fail (OV_IS_SESSION (self));
  g_return_if_fail (text != NULL);

  job = begin_job (self, JOB_MATCH, OV_TASK_MATCH, ov_session_match_async, callback, user_data);
  if (job == NULL)
    return;
  job->text = g_strdup (text);
  job->other_tags = (other_tags != NULL && *other_tags != '\0') ? g_strdup (other_tags) : NULL;
  start_job (self, job, ov_session_match_async, cancellable, callback, user_data);
}

gboolean
ov_session_match_finish (OvSession      *self,
                         GAsyncResult   *result,
                         OvMatchResult  *out,
                         GError        **error)
{
  Job *job = finish_job (self, result, ov_session_match_async, error);

  if (job == NULL)
    return FALSE;
  if (out != NULL)
    *out = job->match;
  return TRUE;
}

void
ov_session_attention_async (OvSession          *self,
                            OvTask              task,
                            const char         *text,
                            gboolean            with_steps,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  Job *job;

  g_return_if_fail (OV_IS_SESSION (self));
  g_return_if_fail (task == OV_TASK_CAPTION || task == OV_TASK_VQA);
  g_return_if_fail (task == OV_TASK_CAPTION || text != NULL);

  job = begin_job (self, JOB_ATTENTION, task, ov_session_attention_async, callback, user_data);
  if (job == NULL)
    return;
  job->task = task;
  job->with_steps = with_steps && task == OV_TASK_CAPTION;
  job->text = (text != NULL && *text != '\0') ? g_strdup (text) : NULL;
  if (task == OV_TASK_VQA && job->text == NULL)
    job->text = g_strdup ("");
  if (self->sample != NULL)
    job->sample = ov_sample_copy (self->sample);
  if (self->picture != NULL)
    job->picture = cairo_surface_reference (self->picture);
  job->turn = self->picture_turn;
  start_job (self, job, ov_session_attention_async, cancellable, callback, user_data);
}

OvAttentionRun *
ov_session_attention_finish (OvSession     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  Job *job = finish_job (self, result, ov_session_attention_async, error);

  return job != NULL ? g_steal_pointer (&job->attention) : NULL;
}
