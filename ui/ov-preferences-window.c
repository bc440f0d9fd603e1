/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Binds the preference rows to GSettings. Choice keys (backend, decoding,
 * theme) map to combo row positions in the order their choices are listed.
 * The decoding rows are the defaults the Caption panel starts with.
 */
#define G_LOG_DOMAIN "ov-preferences"

#include "config.h"

#include "ov-preferences-window.h"

struct _OvPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwComboRow   *backend_row;
  GtkSpinButton *threads_spin;
  GtkSwitch     *fast_switch;
  AdwComboRow   *decoding_row;
  GtkWidget     *beams_row;
  GtkSpinButton *beams_spin;
  GtkSpinButton *length_spin;
  GtkWidget     *captions_row;
  GtkSpinButton *captions_spin;
  GtkSpinButton *answers_spin;
  GtkSpinButton *threshold_spin;
  AdwComboRow   *theme_row;
  AdwComboRow   *text_size_row;

  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (OvPreferencesWindow, ov_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char *const backend_choices[] = { "auto", "cpu", "cuda", NULL };
static const char *const decoding_choices[] = { "greedy", "beam", NULL };
static const char *const theme_choices[] = { "system", "light", "dark", NULL };
static const char *const text_size_choices[] = { "normal", "large", "larger", "largest", NULL };

static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *const *choices = user_data;
  const char *s = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_strcmp0 (choices[i], s) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char *const *choices = user_data;
  guint i = g_value_get_uint (value);

  if (i >= g_strv_length ((char **) choices))
    return NULL;
  return g_variant_new_string (choices[i]);
}

/* Beams and returned captions mean nothing to greedy decoding. */
static void
decoding_changed_cb (OvPreferencesWindow *self)
{
  g_autofree char *decoding = g_settings_get_string (self->settings, "decoding");
  gboolean beam = g_strcmp0 (decoding, "beam") == 0;

  gtk_widget_set_sensitive (self->beams_row, beam);
  gtk_widget_set_sensitive (self->captions_row, beam);
}

static void
ov_preferences_window_dispose (GObject *object)
{
  OvPreferencesWindow *self = OV_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (ov_preferences_window_parent_class)->dispose (object);
}

static void
ov_preferences_window_class_init (OvPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ov_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/org/oscarviz/Oscarviz/ov-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, backend_row);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, fast_switch);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, decoding_row);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, beams_row);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, beams_spin);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, length_spin);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, captions_row);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, captions_spin);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, answers_spin);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, threshold_spin);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, theme_row);
  gtk_widget_class_bind_template_child (widget_class, OvPreferencesWindow, text_size_row);
}

static void
ov_preferences_window_init (OvPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

OvPreferencesWindow *
ov_preferences_window_new (GSettings *settings)
{
  OvPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (OV_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);
  g_settings_bind_with_mapping (settings, "backend", self->backend_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) backend_choices, NULL);
  g_settings_bind_with_mapping (settings, "theme", self->theme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) theme_choices, NULL);
  g_settings_bind_with_mapping (settings, "text-size", self->text_size_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) text_size_choices, NULL);
  g_settings_bind_with_mapping (settings, "decoding", self->decoding_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                (gpointer) decoding_choices, NULL);
  g_settings_bind (settings, "beam-size", self->beams_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "max-length", self->length_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "num-sequences", self->captions_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "answer-count", self->answers_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (settings, "changed::decoding", G_CALLBACK (decoding_changed_cb),
                           self, G_CONNECT_SWAPPED);
  decoding_changed_cb (self);
  g_settings_bind (settings, "threads", self->threads_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "fast-math", self->fast_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "confidence-threshold", self->threshold_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  return self;
}
