/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz [--model DIR] [FILE…]`: opens a window on the given checkpoint and
 * files, or on what was open last time, or on the bundled demo. Holds the
 * application actions (about, preferences, quit) and the colour scheme.
 */
#define G_LOG_DOMAIN "ov-application"

#include "config.h"

#include <glib/gi18n.h>

#include "data/ov-dataset.h"
#include "data/ov-demo.h"
#include "ov-application.h"
#include "ov-preferences-window.h"
#include "ov-window.h"

struct _OvApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *model_dir;   /* from --model, for the next window */
  GStrv           more_models; /* a second (third...) --model, opened as folders */
  char           *dataset;     /* from --dataset, likewise */
  gint64          row;         /* from --row, or -1 */
  char           *key;         /* from --key, or NULL */
  int             base_dpi;    /* GTK's font resolution before "text-size" */
};

G_DEFINE_FINAL_TYPE (OvApplication, ov_application, ADW_TYPE_APPLICATION)

static void
apply_theme (OvApplication *self)
{
  g_autofree char *theme = g_settings_get_string (self->settings, "theme");
  AdwColorScheme scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_strcmp0 (theme, "light") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (theme, "dark") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
}

/* The window's text larger for a projector: GTK's font resolution times
 * the chosen factor, from the resolution GTK started with. */
static void
apply_text_size (OvApplication *self)
{
  static const struct { const char *name; double factor; } sizes[] = {
    { "normal", 1.0 }, { "large", 1.25 }, { "larger", 1.5 }, { "largest", 2.0 },
  };
  g_autofree char *size = g_settings_get_string (self->settings, "text-size");
  GtkSettings *gtk = gtk_settings_get_default ();
  double factor = 1.0;

  if (gtk == NULL)
    return;
  if (self->base_dpi == 0)
    {
      g_object_get (gtk, "gtk-xft-dpi", &self->base_dpi, NULL);
      /* -1 (or 0): GTK's own 96 dpi, in 1/1024 of a dot per inch */
      if (self->base_dpi <= 0)
        self->base_dpi = 96 * 1024;
    }
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    if (g_strcmp0 (size, sizes[i].name) == 0)
      factor = sizes[i].factor;
  g_object_set (gtk, "gtk-xft-dpi", (int) (self->base_dpi * factor), NULL);
}

static OvWindow *
get_or_create_window (OvApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (ov_window_new (self));
  return OV_WINDOW (window);
}

/* The folders of a second (third...) --model, added to files, once. */
static void
take_more_models (OvApplication *self,
                  GPtrArray     *files)
{
  for (guint i = 0; self->more_models != NULL && self->more_models[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_path (self->more_models[i]));
  g_clear_pointer (&self->more_models, g_strfreev);
}

static void
ov_application_activate (GApplication *app)
{
  OvApplication *self = OV_APPLICATION (app);
  gboolean fresh = gtk_application_get_active_window (GTK_APPLICATION (app)) == NULL;
  OvWindow *window = get_or_create_window (self);
  g_autofree char *model = g_steal_pointer (&self->model_dir);
  g_autofree char *dataset = g_steal_pointer (&self->dataset);
  g_autofree char *key = g_steal_pointer (&self->key);
  gint64 row = self->row;

  g_autoptr(GPtrArray) more = g_ptr_array_new_with_free_func (g_object_unref);
  self->row = -1;

  take_more_models (self, more);
  /* --dataset FILE, as the commands take it: the window opens that file */
  if (dataset != NULL)
    {
      g_ptr_array_add (more, g_file_new_for_path (dataset));
      ov_window_open_at (window, model, (GFile **) more->pdata, more->len, row, key);
    }
  else if (fresh)
    {
      /* Reopen what was open last time: checkpoint folders, then the
       * sample's files (at --row or --key when given); whatever has gone
       * missing is skipped. */
      g_auto(GStrv) models = g_settings_get_strv (self->settings, "last-models");
      g_auto(GStrv) files = g_settings_get_strv (self->settings, "last-files");
      g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func (g_object_unref);

      if (model == NULL)
        for (guint i = 0; models[i] != NULL; i++)
          if (g_file_test (models[i], G_FILE_TEST_IS_DIR))
            g_ptr_array_add (open, g_file_new_for_path (models[i]));
      for (guint i = 0; files[i] != NULL; i++)
        if (g_file_test (files[i], G_FILE_TEST_IS_REGULAR))
          g_ptr_array_add (open, g_file_new_for_path (files[i]));
      for (guint i = 0; i < more->len; i++)
        g_ptr_array_add (open, g_object_ref (g_ptr_array_index (more, i)));
      ov_window_open_at (window, model, (GFile **) open->pdata, open->len, row, key);
    }
  else if (model != NULL || row >= 0 || key != NULL)
    ov_window_open_at (window, model, (GFile **) more->pdata, more->len, row, key);
  gtk_window_present (GTK_WINDOW (window));
}

static void
ov_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  OvApplication *self = OV_APPLICATION (app);
  OvWindow *window = get_or_create_window (self);
  g_autofree char *model = g_steal_pointer (&self->model_dir);
  g_autofree char *dataset = g_steal_pointer (&self->dataset);
  g_autofree char *key = g_steal_pointer (&self->key);
  gint64 row = self->row;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);

  self->row = -1;
  take_more_models (self, all);
  if (dataset != NULL)
    g_ptr_array_add (all, g_file_new_for_path (dataset));
  for (int i = 0; i < n_files; i++)
    g_ptr_array_add (all, g_object_ref (files[i]));
  ov_window_open_at (window, model, (GFile **) all->pdata, all->len, row, key);
  gtk_window_present (GTK_WINDOW (window));
}

static int
ov_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  OvApplication *self = OV_APPLICATION (app);
  g_autofree const char **models = NULL;
  const char *dataset = NULL;
  const char *row = NULL, *key = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }
  /* --row N or --key KEY: the sample the window opens, as for every command */
  g_variant_dict_lookup (options, "row", "&s", &row);
  g_variant_dict_lookup (options, "key", "&s", &key);
  if (row != NULL && key != NULL)
    {
      g_printerr ("oscarviz: %s\n", _("Give either --key or --row, not both"));
      return 2;
    }
  if (row != NULL)
    {
      g_autoptr(GError) error = NULL;
      guint64 n = 0;

      if (!ov_parse_count_option ("--row", row, 0, G_MAXUINT - 1, &n, &error))
        {
          g_printerr ("oscarviz: %s\n", error->message);
          return 2;
        }
      self->row = (gint64) n;
    }
  if (key != NULL)
    {
      g_free (self->key);
      self->key = g_strdup (key);
    }
  if (g_variant_dict_lookup (options, "model", "^a&ay", &models))
    {
      g_autoptr(GStrvBuilder) more = g_strv_builder_new ();

      g_clear_pointer (&self->model_dir, g_free);
      for (guint i = 0; models[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *dir = ov_demo_resolve_model (models[i], &error);
          g_autoptr(GFile) file = NULL;

          /* A folder, or a bundled model's name, as for every command; a
           * second --model (a VQA checkpoint beside a captioning one) opens
           * too. */
          if (dir == NULL)
            {
              g_printerr ("oscarviz: %s\n", error->message);
              return 2;
            }
          file = g_file_new_for_commandline_arg (dir);
          if (i == 0)
            self->model_dir = g_file_get_path (file);
          else
            {
              g_autofree char *path = g_file_get_path (file);

              g_strv_builder_add (more, path);
            }
        }
      g_strfreev (self->more_models);
      self->more_models = g_strv_builder_end (more);
    }
  if (g_variant_dict_lookup (options, "dataset", "^&ay", &dataset))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_file_test (dataset, G_FILE_TEST_EXISTS)
                              && !g_file_test (dataset, G_FILE_TEST_IS_DIR)
                              ? g_strdup (dataset) : ov_demo_resolve_dataset (dataset, &error);
      g_autoptr(GFile) file = NULL;

      /* a file, or "demo" for the bundled scenes, as for every command */
      if (path == NULL)
        {
          g_printerr ("oscarviz: %s\n", error->message);
          return 2;
        }
      file = g_file_new_for_commandline_arg (path);
      g_free (self->dataset);
      self->dataset = g_file_get_path (file);
    }
  return -1;
}

/* A second `oscarviz --model DIR` only forwards activate or open to the
 * running instance; the folder travels with them in the platform data
 * (made absolute here, against the caller's working directory). */
static void
ov_application_add_platform_data (GApplication    *app,
                                  GVariantBuilder *builder)
{
  OvApplication *self = OV_APPLICATION (app);

  G_APPLICATION_CLASS (ov_application_parent_class)->add_platform_data (app, builder);
  if (self->model_dir != NULL)
    g_variant_builder_add (builder, "{sv}", "oscarviz-model",
                           g_variant_new_bytestring (self->model_dir));
  if (self->more_models != NULL)
    g_variant_builder_add (builder, "{sv}", "oscarviz-more-models",
                           g_variant_new_bytestring_array ((const char *const *) self->more_models,
                                                           -1));
  if (self->dataset != NULL)
    g_variant_builder_add (builder, "{sv}", "oscarviz-dataset",
                           g_variant_new_bytestring (self->dataset));
  if (self->row >= 0)
    g_variant_builder_add (builder, "{sv}", "oscarviz-row", g_variant_new_int64 (self->row));
  if (self->key != NULL)
    g_variant_builder_add (builder, "{sv}", "oscarviz-key", g_variant_new_string (self->key));
}

/* In the running instance, before a forwarded activate or open. */
static void
ov_application_before_emit (GApplication *app,
                            GVariant     *platform_data)
{
  OvApplication *self = OV_APPLICATION (app);
  const char *model = NULL;
  char **more = NULL;

  G_APPLICATION_CLASS (ov_application_parent_class)->before_emit (app, platform_data);
  if (g_variant_lookup (platform_data, "oscarviz-model", "^&ay", &model))
    {
      g_free (self->model_dir);
      self->model_dir = g_strdup (model);
    }
  if (g_variant_lookup (platform_data, "oscarviz-more-models", "^aay", &more))
    {
      g_strfreev (self->more_models);
      self->more_models = g_steal_pointer (&more);
    }
  if (g_variant_lookup (platform_data, "oscarviz-dataset", "^&ay", &model))
    {
      g_free (self->dataset);
      self->dataset = g_strdup (model);
    }
  if (!g_variant_lookup (platform_data, "oscarviz-row", "x", &self->row))
    self->row = -1;
  g_clear_pointer (&self->key, g_free);
  g_variant_lookup (platform_data, "oscarviz-key", "s", &self->key);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  OvApplication *self = user_data;
  static const char *developers[] = { "The oscarviz authors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", "oscarviz",
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The oscarviz authors"),
                        "developers", developers,
                        "copyright", "© 2026 The oscarviz authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "comments", _("Look inside OSCAR vision-language models: "
                                      "captions, answers, tags and regions."),
                        /* Translators: replace with your names, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  OvApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  OvPreferencesWindow *prefs = ov_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  OvApplication *self = user_data;
  OvWindow *window = ov_window_new (self);

  ov_window_open (window, NULL, NULL, 0);
  gtk_window_present (GTK_WINDOW (window));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GApplication *app = user_data;

  /* Closing each window saves what it had open. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (app);
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "preferences", preferences_action },
  { "new-window", new_window_action },
  { "quit", quit_action },
};

static void
ov_application_startup (GApplication *app)
{
  OvApplication *self = OV_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };

  G_APPLICATION_CLASS (ov_application_parent_class)->startup (app);

  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed::theme",
                           G_CALLBACK (apply_theme), self, G_CONNECT_SWAPPED);
  apply_theme (self);
  g_signal_connect_object (self->settings, "changed::text-size",
                           G_CALLBACK (apply_text_size), self, G_CONNECT_SWAPPED);
  apply_text_size (self);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.new-window", new_accels);
}

static void
ov_application_finalize (GObject *object)
{
  OvApplication *self = OV_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->model_dir, g_free);
  g_clear_pointer (&self->more_models, g_strfreev);
  g_clear_pointer (&self->dataset, g_free);
  g_clear_pointer (&self->key, g_free);
  G_OBJECT_CLASS (ov_application_parent_class)->finalize (object);
}

static void
ov_application_class_init (OvApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ov_application_finalize;
  app_class->activate = ov_application_activate;
  app_class->open = ov_application_open;
  app_class->startup = ov_application_startup;
  app_class->handle_local_options = ov_application_handle_local_options;
  app_class->add_platform_data = ov_application_add_platform_data;
  app_class->before_emit = ov_application_before_emit;
}

static void
ov_application_init (OvApplication *self)
{
  static const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME_ARRAY, NULL,
      N_("Open the checkpoint folder DIR instead of the demo model, or a bundled model: "
         "demo, demo-vqa, demo-pretrain, demo-notags; give it again for a second model"),
      N_("DIR") },
    { "dataset", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open this dataset or sample file, as the commands' --dataset takes it (“demo” for "
         "the bundled scenes); other files may follow as arguments"), N_("FILE") },
    { "row", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Open the dataset at its sample N (from 0), as the commands' --row does"), N_("N") },
    { "key", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Open the dataset at the sample of this image key, as the commands' --key does"),
      N_("KEY") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version"), NULL },
    { NULL }
  };

  self->row = -1;

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Open images with their detections, datasets "
                                              "and OSCAR checkpoints."));
}

gboolean
ov_application_find_settings (GError **error)
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *exe = NULL;

  /* Run from the build tree, the compiled schema sits in <build>/data next
   * to <build>/app/oscarviz, and it is the one that matches this binary.
   * GLib reads GSETTINGS_SCHEMA_DIR once, when the default source is first
   * made, so it is set before anything asks for that source. */
  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      g_autofree char *app_dir = g_path_get_dirname (exe);
      g_autofree char *data_dir = g_build_filename (app_dir, "..", "data", NULL);
      g_autofree char *compiled = g_build_filename (data_dir, "gschemas.compiled", NULL);

      if (g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
        {
          const char *old = g_getenv ("GSETTINGS_SCHEMA_DIR");
          g_autofree char *dirs = old != NULL && *old != '\0'
                                  ? g_strconcat (data_dir, G_SEARCHPATH_SEPARATOR_S, old, NULL)
                                  : g_strdup (data_dir);

          g_setenv ("GSETTINGS_SCHEMA_DIR", dirs, TRUE);
        }
    }

  source = g_settings_schema_source_get_default ();
  if (source != NULL && (schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE)))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("The settings schema %s is not installed; run “meson install”, or set "
                 "GSETTINGS_SCHEMA_DIR to the folder holding gschemas.compiled"),
               APPLICATION_ID);
  return FALSE;
}

OvApplication *
ov_application_new (void)
{
  return g_object_new (OV_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/oscarviz/Oscarviz",
                       NULL);
}

GSettings *
ov_application_get_settings (OvApplication *self)
{
  g_return_val_if_fail (OV_IS_APPLICATION (self), NULL);
  return self->settings;
}
