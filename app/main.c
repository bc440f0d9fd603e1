/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Entry point: `oscarviz SUBCOMMAND ...` runs a headless command; anything
 * else opens the window (when the build has one).
 */
#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ov-commands.h"
#if OV_HAVE_GUI
#include "ui/ov-application.h"
#endif

static const OvCommand commands[] = {
  { "version", ov_cmd_version, N_("Print the version") },
  { "demo-world", ov_cmd_demo_world, N_("Generate synthetic demo scenes") },
  { "inspect", ov_cmd_inspect, N_("Say what files are and summarise them") },
  { "caption", ov_cmd_caption, N_("Caption one image") },
  { "vqa", ov_cmd_vqa, N_("Answer a question about one image") },
  { "mask", ov_cmd_mask, N_("Predict the [MASK] words of a text about one image") },
  { "match", ov_cmd_match, N_("Say how well a text matches one image") },
  { "encode", ov_cmd_encode, N_("Write every layer's states for one input (safetensors)") },
  { "attention", ov_cmd_attention, N_("Draw attention maps of one sample") },
  { "embed", ov_cmd_embed, N_("Collect tag and region embeddings over a dataset") },
  { "align", ov_cmd_align, N_("Tag-region alignment numbers and figure from embeddings") },
  { "tsne", ov_cmd_tsne, N_("Embed vectors in 2-D with t-SNE and plot them") },
  { "devices", ov_cmd_devices, N_("List the backends and the devices they find") },
};

int
ov_cmd_version (int argc, char **argv)
{
  g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
  return 0;
}

static void
print_usage (FILE *out)
{
  fprintf (out, _("Usage: oscarviz [--model DIR] [FILE…]\n"
                  "       oscarviz COMMAND [OPTION…]\n\nCommands:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, _("\nRun “oscarviz COMMAND --help” for a command’s options.\n"));
}

/* The installed catalogues, or, run from a meson build tree, the ones the
 * build compiled in <build>/po beside <build>/app/oscarviz. */
static char *
find_locale_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *build_dir = NULL;
  g_autofree char *ninja = NULL;
  g_autofree char *po = NULL;

  if (exe == NULL)
    return g_strdup (OV_LOCALEDIR);
  {
    g_autofree char *app_dir = g_path_get_dirname (exe);

    build_dir = g_path_get_dirname (app_dir);
  }
  ninja = g_build_filename (build_dir, "build.ninja", NULL);
  po = g_build_filename (build_dir, "po", NULL);
  if (g_file_test (ninja, G_FILE_TEST_IS_REGULAR) && g_file_test (po, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&po);
  return g_strdup (OV_LOCALEDIR);
}

int
main (int argc, char **argv)
{
  g_autofree char *locale_dir = find_locale_dir ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc >= 2)
    {
      if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
          || strcmp (argv[1], "help") == 0)
        {
          print_usage (stdout);
          return 0;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
        if (strcmp (argv[1], commands[i].name) == 0)
          return commands[i].func (argc - 1, argv + 1);
    }

#if OV_HAVE_GUI
  {
    g_autoptr(OvApplication) app = NULL;
    g_autoptr(GError) error = NULL;

    if (!ov_application_find_settings (&error))
      {
        g_printerr ("oscarviz: %s\n", error->message);
        return 1;
      }
    app = ov_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
  }
#else
  print_usage (stderr);
  return 2;
#endif
}
