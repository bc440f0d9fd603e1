/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The caption panel re-runs the captioning model a moment after the input
 * or its decoding controls change. The controls start from the decoding
 * defaults in GSettings (the Preferences); a change in the panel stays in
 * this panel, while a default changed in the Preferences is applied here
 * too, one key at a time.
 */
#define G_LOG_DOMAIN "ov-caption-panel"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "ov-caption-panel.h"
#include "ov-panel-util.h"

struct _OvCaptionPanel
{
  OvPanel      parent_instance;

  GtkLabel    *reason_label;
  GtkWidget   *content;
  GtkDropDown *decoding_dropdown;
  GtkWidget   *beam_spin;
  GtkWidget   *length_spin;
  GtkWidget   *count_spin;
  GtkEditable *constraints_entry;
  GtkLabel    *caption_label;
  GtkLabel    *confidence_label;
  GtkSpinner  *spinner;
  GtkListBox  *others_list;
  GtkWidget   *previous_box;
  GtkLabel    *previous_label;

  GSettings   *settings;
  OvRunner     runner;
  /* the classes the caption must name (constrained beam search), as the
   * entry gives them, and those of the run whose caption is shown */
  GStrv        constraint_names;
  OvCaptionConstraints constraints;
  GStrv        shown_constraints;
  char        *caption;
  /* caption is of the sample shown before: no earlier version of the next */
  gboolean     other_sample;
  guint        n_runs;
};

G_DEFINE_FINAL_TYPE (OvCaptionPanel, ov_caption_panel, OV_TYPE_PANEL)

enum {
  PROP_0,
  PROP_CAPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The GSettings keys of the decoding defaults. */
static const char *const default_keys[] = {
  "decoding", "beam-size", "max-length", "num-sequences",
};

static void
clear_others (OvCaptionPanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->others_list))) != NULL)
    gtk_list_box_remove (self->others_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->others_list), FALSE);
}

static void
add_other (OvCaptionPanel *self,
           OvCaption      *caption)
{
  GtkWidget *row = adw_action_row_new ();
  /* three significant digits: close captions stay apart, as on the command line */
  g_autofree char *conf = g_strdup_printf ("%#.3g", exp (caption->score));
  GtkWidget *label = gtk_label_new (conf);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), caption->text);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (self->others_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->others_list), TRUE);
}

static void
show_captions (OvCaptionPanel *self,
               GPtrArray      *captions)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  OvCaption *best;
  g_autofree char *conf = NULL;

  clear_others (self);
  if (captions->len == 0)
    return;

  best = g_ptr_array_index (captions, 0);
  /* The old caption moves beside the new one only when it differs, and
   * only when it was of this sample. */
  if (self->caption != NULL && !self->other_sample && g_strcmp0 (self->caption, best->text) != 0)
    {
      gtk_label_set_text (self->previous_label, self->caption);
      gtk_widget_set_visible (self->previous_box, TRUE);
    }
  self->other_sample = FALSE;
  if (g_strcmp0 (self->caption, best->text) != 0)
    {
      g_free (self->caption);
      self->caption = g_strdup (best->text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPTION]);
    }
  gtk_label_set_text (self->caption_label, *best->text != '\0' ? best->text : "…");

  /* Translators: the caption's confidence: exp of its mean log-probability. */
  conf = g_strdup_printf (_("Confidence %#.3g"), exp (best->score));
  if (best->constraints_met >= 0 && self->shown_constraints != NULL
      && self->shown_constraints[0] != NULL)
    {
      g_autoptr(GString) met = g_string_new (NULL);
      char *with;

      for (guint i = 0; self->shown_constraints[i] != NULL; i++)
        if (best->constraints_mask & (1u << i))
          g_string_append_printf (met, "%s%s", met->len > 0 ? C_("word list", ", ") : "",
                                  self->shown_constraints[i]);
      /* Translators: "Confidence 0.309 · names 2 of 2: cup, ring" */
      with = g_strdup_printf (_("%s · names %d of %u: %s"), conf, best->constraints_met,
                              g_strv_length (self->shown_constraints),
                              met->len > 0 ? met->str : _("none"));
      g_free (conf);
      conf = with;
    }
  if (self->shown_constraints != NULL
      && g_strv_length (self->shown_constraints) > OV_CBS_MAX_CONSTRAINTS)
    {
      /* Translators: after "Confidence 0.581" */
      char *with = g_strdup_printf (_("%s · Must name takes at most three classes; this "
                                      "caption is not constrained"), conf);

      g_free (conf);
      conf = with;
    }
  if (ov_session_sample_lacks_features (session) && !ov_session_input_is_empty (session))
    {
      /* Translators: after "Confidence 0.596": the sample has boxes but
       * no region features, so only its tags reach the model. */
      char *with = g_strdup_printf (_("%s · from the tags alone: this sample has no region "
                                      "features"), conf);

      g_free (conf);
      conf = with;
    }
  if (ov_session_input_is_empty (session))
    {
      /* Translators: after "Confidence 0.596": the model was given
       * neither tags nor regions, so the caption says nothing of the
       * picture. */
      char *with = g_strdup_printf (_("%s · from no tags and no regions: the model sees nothing "
                                      "of the picture"), conf);

      g_free (conf);
      conf = with;
    }
  gtk_label_set_text (self->confidence_label, conf);

  for (guint i = 1; i < captions->len; i++)
    add_other (self, g_ptr_array_index (captions, i));
}

static void
caption_ready_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(OvCaptionPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) captions = NULL;

  captions = ov_session_caption_finish (OV_SESSION (source), result, &error);
  if (ov_error_is_cancelled (error))
    return;
  gtk_spinner_stop (self->spinner);
  if (captions == NULL)
    {
      gtk_label_set_text (self->confidence_label, "");
      ov_panel_report_failure (OV_PANEL (self), error->message);
      return;
    }
  self->n_runs++;
  show_captions (self, captions);
  /* G_MESSAGES_DEBUG=ov-caption-panel shows when a caption reached the
   * window (the start-up test waits for this line). */
  g_debug ("caption shown: %s",
           captions->len > 0 ? ((OvCaption *) g_ptr_array_index (captions, 0))->text : "");
}

void
ov_caption_panel_get_options (OvCaptionPanel   *self,
                              OvCaptionOptions *options)
{
  g_return_if_fail (OV_IS_CAPTION_PANEL (self));
  g_return_if_fail (options != NULL);

  ov_caption_options_init (options);
  if (gtk_drop_down_get_selected (self->decoding_dropdown) == 0)
    {
      options->num_beams = 1;
      options->n_best = 1;
    }
  else
    {
      options->num_beams = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->beam_spin));
      /* as many as Oscar's beam search keeps (num_keep_best), which may be
       * more than the beams: `caption --n-best` */
      options->n_best = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->count_spin));
    }
  options->max_length = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->length_spin));

  /* "dog, fire hydrant": constrained beam search for a caption that names
   * them all, with the beams of the search chosen (one for greedy) */
  self->constraints = (OvCaptionConstraints) { 0 };
  g_clear_pointer (&self->constraint_names, g_strfreev);
  self->constraint_names = ov_caption_panel_parse_constraints (
    gtk_editable_get_text (self->constraints_entry));
  if (self->constraint_names[0] != NULL
      && g_strv_length (self->constraint_names) <= OV_CBS_MAX_CONSTRAINTS)
    {
      self->constraints = (OvCaptionConstraints) {
        (const char * const *) self->constraint_names,
        (int) g_strv_length (self->constraint_names), NULL, NULL,
        (int) g_strv_length (self->constraint_names) };
      options->n_best = 1;
      options->constraints = &self->constraints;
    }
}

char **
ov_caption_panel_parse_constraints (const char *text)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) items = g_strsplit (text != NULL ? text : "", ",", -1);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_utf8_strdown (g_strstrip (items[i]), -1);
      gboolean again = FALSE;

      for (guint j = 0; j < seen->len; j++)
        again = again || g_str_equal (g_ptr_array_index (seen, j), item);
      if (*item == '\0' || again)
        {
          g_free (item);
          continue;
        }
      g_strv_builder_add (b, item);
      g_ptr_array_add (seen, item);
    }
  return g_strv_builder_end (b);
}

void
ov_caption_panel_set_options (OvCaptionPanel         *self,
                              const OvCaptionOptions *options)
{
  g_return_if_fail (OV_IS_CAPTION_PANEL (self));
  g_return_if_fail (options != NULL);

  gtk_drop_down_set_selected (self->decoding_dropdown, options->num_beams > 1 ? 1 : 0);
  if (options->num_beams > 1)
    {
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->beam_spin), options->num_beams);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->count_spin), options->n_best);
    }
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->length_spin), options->max_length);
}

void
ov_caption_panel_run (OvCaptionPanel *self)
{
  OvCaptionOptions options;
  GCancellable *cancellable;

  g_return_if_fail (OV_IS_CAPTION_PANEL (self));

  if (!ov_panel_can_run (OV_PANEL (self), OV_TASK_CAPTION))
    {
      /* an edit may have cancelled the run that was spinning */
      gtk_spinner_stop (self->spinner);
      return;
    }

  ov_caption_panel_get_options (self, &options);
  g_strfreev (self->shown_constraints);
  self->shown_constraints = g_strdupv (self->constraint_names);
  cancellable = ov_runner_begin (&self->runner);
  gtk_spinner_start (self->spinner);
  ov_session_caption_async (ov_panel_get_session (OV_PANEL (self)), &options, cancellable,
                            caption_ready_cb, g_object_ref (self));
}

static gboolean
debounced_run_cb (gpointer user_data)
{
  OvCaptionPanel *self = user_data;

  self->runner.timeout_id = 0;
  ov_caption_panel_run (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_run (OvCaptionPanel *self)
{
  if (ov_panel_can_run (OV_PANEL (self), OV_TASK_CAPTION))
    ov_runner_schedule (&self->runner, debounced_run_cb, self);
}

static void
input_changed (OvPanel *panel)
{
  schedule_run (OV_CAPTION_PANEL (panel));
}

/* "Before the last change" compares the captions of one sample: another
 * picture's caption is no earlier version of this one's. */
static void
sample_changed (OvPanel *panel)
{
  OvCaptionPanel *self = OV_CAPTION_PANEL (panel);

  self->other_sample = TRUE;
  gtk_widget_set_visible (self->previous_box, FALSE);
  gtk_label_set_text (self->previous_label, "");
}

static void
decoding_changed_cb (OvCaptionPanel *self)
{
  gboolean beam = gtk_drop_down_get_selected (self->decoding_dropdown) == 1;

  g_autofree char *text = g_strdup (gtk_editable_get_text (self->constraints_entry));
  g_auto(GStrv) names = ov_caption_panel_parse_constraints (text);

  gboolean too_many = g_strv_length (names) > OV_CBS_MAX_CONSTRAINTS;

  gtk_widget_set_sensitive (self->beam_spin, beam);
  /* constrained beam search finds one caption */
  gtk_widget_set_sensitive (self->count_spin, beam && (names[0] == NULL || too_many));
  if (too_many)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->constraints_entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->constraints_entry),
                                   _("Must name takes at most three classes; the caption "
                                     "below is not constrained"));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->constraints_entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->constraints_entry),
                                   _("Up to three classes, joined by commas, that the caption "
                                     "must name: constrained beam search, as Oscar runs it for "
                                     "NoCaps"));
    }
  schedule_run (self);
}

/* A decoding default, read at the start and again when the Preferences
 * change it; the panel's own changes never go back to GSettings. */
static void
default_changed_cb (GSettings      *settings,
                    const char     *key,
                    OvCaptionPanel *self)
{
  if (g_strcmp0 (key, "decoding") == 0)
    {
      g_autofree char *decoding = g_settings_get_string (settings, key);

      gtk_drop_down_set_selected (self->decoding_dropdown,
                                  g_strcmp0 (decoding, "greedy") == 0 ? 0 : 1);
    }
  else if (g_strcmp0 (key, "beam-size") == 0)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->beam_spin),
                               g_settings_get_int (settings, key));
  else if (g_strcmp0 (key, "max-length") == 0)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->length_spin),
                               g_settings_get_int (settings, key));
  else if (g_strcmp0 (key, "num-sequences") == 0)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->count_spin),
                               g_settings_get_int (settings, key));
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ov_caption_panel_run (OV_CAPTION_PANEL (widget));
}

static void
ov_caption_panel_dispose (GObject *object)
{
  OvCaptionPanel *self = OV_CAPTION_PANEL (object);

  ov_runner_clear (&self->runner);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->caption, g_free);
  g_clear_pointer (&self->constraint_names, g_strfreev);
  g_clear_pointer (&self->shown_constraints, g_strfreev);
  gtk_widget_dispose_template (GTK_WIDGET (self), OV_TYPE_CAPTION_PANEL);
  G_OBJECT_CLASS (ov_caption_panel_parent_class)->dispose (object);
}

static void
ov_caption_panel_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OvCaptionPanel *self = OV_CAPTION_PANEL (object);

  switch (prop_id)
    {
    case PROP_CAPTION:
      g_value_set_string (value, self->caption);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_caption_panel_class_init (OvCaptionPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  OvPanelClass *panel_class = OV_PANEL_CLASS (klass);

  object_class->dispose = ov_caption_panel_dispose;
  object_class->get_property = ov_caption_panel_get_property;
  /* The best caption shown, or NULL. */
  properties[PROP_CAPTION] =
    g_param_spec_string ("caption", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  panel_class->task = OV_TASK_CAPTION;
  panel_class->input_changed = input_changed;
  panel_class->sample_changed = sample_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/oscarviz/Oscarviz/ov-caption-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, reason_label);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, content);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, decoding_dropdown);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, beam_spin);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, length_spin);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, count_spin);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, constraints_entry);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, caption_label);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, confidence_label);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, spinner);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, others_list);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, previous_box);
  gtk_widget_class_bind_template_child (widget_class, OvCaptionPanel, previous_label);
  gtk_widget_class_install_action (widget_class, "caption.run", NULL, run_action);
  gtk_widget_class_set_css_name (widget_class, "ov-caption-panel");
}

static void
ov_caption_panel_init (OvCaptionPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  for (guint i = 0; i < G_N_ELEMENTS (default_keys); i++)
    {
      g_autofree char *signal = g_strconcat ("changed::", default_keys[i], NULL);

      default_changed_cb (self->settings, default_keys[i], self);
      g_signal_connect_object (self->settings, signal, G_CALLBACK (default_changed_cb), self, 0);
    }
  g_signal_connect_swapped (self->decoding_dropdown, "notify::selected",
                            G_CALLBACK (decoding_changed_cb), self);
  g_signal_connect_swapped (self->beam_spin, "value-changed", G_CALLBACK (schedule_run), self);
  g_signal_connect_swapped (self->length_spin, "value-changed", G_CALLBACK (schedule_run), self);
  g_signal_connect_swapped (self->count_spin, "value-changed", G_CALLBACK (schedule_run), self);
  g_signal_connect_swapped (self->constraints_entry, "changed",
                            G_CALLBACK (decoding_changed_cb), self);
  decoding_changed_cb (self);
  ov_panel_set_parts (OV_PANEL (self), self->content, self->reason_label);
}

const char *
ov_caption_panel_get_caption (OvCaptionPanel *self)
{
  g_return_val_if_fail (OV_IS_CAPTION_PANEL (self), NULL);
  return self->caption;
}

const char *
ov_caption_panel_get_previous_caption (OvCaptionPanel *self)
{
  g_return_val_if_fail (OV_IS_CAPTION_PANEL (self), NULL);
  if (!gtk_widget_get_visible (self->previous_box))
    return NULL;
  return gtk_label_get_text (self->previous_label);
}

guint
ov_caption_panel_get_n_runs (OvCaptionPanel *self)
{
  g_return_val_if_fail (OV_IS_CAPTION_PANEL (self), 0);
  return self->n_runs;
}

void
ov_caption_panel_set_constraints (OvCaptionPanel *self,
                                  const char     *text)
{
  g_return_if_fail (OV_IS_CAPTION_PANEL (self));
  gtk_editable_set_text (self->constraints_entry, text != NULL ? text : "");
}
