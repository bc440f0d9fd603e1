/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Finds the bundled demo files. Search order: $OSCARVIZ_DATADIR (for tests and
 * relocated installs), the source tree's data/ folder, the installed data
 * folder. Only files that exist count, so a stale source path falls through.
 */
#define G_LOG_DOMAIN "ov-demo"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "ov-demo.h"

static const char *const model_names[] = {
  "demo", "demo-vqa", "demo-pretrain", "demo-notags", NULL,
};

const char *const *
ov_demo_model_names (void)
{
  return model_names;
}

/* Returns the first of the data folders in which `relative` exists. */
static char *
search (const char *relative,
        const char *what,
        GError    **error)
{
  const char *env = g_getenv ("OSCARVIZ_DATADIR");
  const char *roots[] = { env, OV_SOURCE_DATADIR, OV_DATADIR };
  g_autoptr(GString) tried = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (roots); i++)
    {
      g_autofree char *path = NULL;

      if (roots[i] == NULL || roots[i][0] == '\0')
        continue;
      path = g_build_filename (roots[i], "demo", relative, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
      g_string_append_printf (tried, "%s“%s”", tried->len > 0 ? ", " : "", path);
    }

  g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
               _ ("The demo %s is not installed (looked for %s); reinstall oscarviz or "
                  "set OSCARVIZ_DATADIR"), what, tried->str);
  return NULL;
}

char *
ov_demo_find (const char *name,
              GError    **error)
{
  g_autofree char *config = NULL;
  g_autofree char *relative = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  if (!g_strv_contains (model_names, name))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) model_names);

      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("“%s” is not a demo model; the demo models are %s"), name, known);
      return NULL;
    }

  relative = g_build_filename ("models", name, "config.json", NULL);
  config = search (relative, "model", error);
  if (config == NULL)
    return NULL;
  return g_path_get_dirname (config);
}

char *
ov_demo_find_dataset (const char *name,
                      GError    **error)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (strcmp (name, "demo") != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("“%s” is not a demo dataset; the demo dataset is “demo”"), name);
      return NULL;
    }
  return search ("scenes/test.yaml", "scenes", error);
}

char *
ov_demo_resolve_model (const char *name,
                       GError    **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _("no model: give --model DIR (a checkpoint folder) or --model demo"));
      return NULL;
    }
  if (!g_file_test (name, G_FILE_TEST_EXISTS))
    {
      g_autofree char *known = NULL;

      if (g_strv_contains (model_names, name))
        return ov_demo_find (name, error);
      known = g_strjoinv (", ", (char **) model_names);
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _("--model %s: no such checkpoint folder, nor a bundled model (%s)"),
                   name, known);
      return NULL;
    }
  if (!g_file_test (name, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _("--model %s: not a folder; --model takes the checkpoint folder "
                     "(config.json, vocab.txt and the weights)"), name);
      return NULL;
    }
  return g_strdup (name);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The split yaml files directly inside folder, sorted, joined by ", ". */
static char *
list_yaml_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".yaml") || g_str_has_suffix (name, ".yml"))
      g_ptr_array_add (names, g_build_filename (folder, name, NULL));
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, compare_paths);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

char *
ov_demo_resolve_dataset (const char *name,
                         GError    **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _("No dataset: give --dataset FILE (a split yaml) or --dataset demo"));
      return NULL;
    }
  if (!g_file_test (name, G_FILE_TEST_EXISTS))
    {
      if (strcmp (name, "demo") == 0)
        return ov_demo_find_dataset (name, error);
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _("--dataset %s: no such file, nor the bundled “demo”"), name);
      return NULL;
    }
  if (g_file_test (name, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *config = g_build_filename (name, "config.json", NULL);
      g_autofree char *yamls = list_yaml_files (name);

      if (g_file_test (config, G_FILE_TEST_IS_REGULAR))
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _("%s is a checkpoint folder, not a dataset (it goes to --model)"), name);
      else if (yamls != NULL)
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _("%s is a folder; a dataset is one of its split files: %s"), name, yamls);
      else
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _("%s is a folder; a dataset is a split yaml (such as test.yaml) or one "
                       "detection or feature file"), name);
      return NULL;
    }
  return g_strdup (name);
}
