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

static const OvCommand commands[] = {
  { "version", ov_cmd_version, N_("Print the version") },
  { "inspect", ov_cmd_inspect, N_("Say what files are and summarise them") },
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

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, OV_LOCALEDIR);
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

  /* TODO: open the window here once ui/ exists; until then the program is
   * command-line only. */
  print_usage (stderr);
  return 2;
}
