/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Finds the bundled demo files. Search order: $OSCARVIZ_DATADIR (for tests and
 * relocated installs), the source tree's data/ folder, the installed data
 * folder. Only files that exist count, so a stale source path falls through.
 */
#define G_LOG_DOMAIN "ov-demo"

#include "config.h"

#include <string.h>

#include "model/ov-error.h"
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
               "The demo %s is not installed (looked for %s); reinstall oscarviz or "
               "set OSCARVIZ_DATADIR", what, tried->str);
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
                   "“%s” is not a demo model; the demo models are %s", name, known);
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
                   "“%s” is not a demo dataset; the demo dataset is “demo”", name);
      return NULL;
    }
  return search ("scenes/test.yaml", "scenes", error);
}
