/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz demo-world generate`: writes seeded synthetic scenes with their
 * detections, region features, captions and questions in Oscar's formats.
 */
#define G_LOG_DOMAIN "oscarviz-demo-world"

#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "data/ov-demo-world.h"
#include "ov-cli.h"
#include "ov-commands.h"

/* Set by SIGINT or SIGTERM: the generator stops between two scenes, and
 * its output set removes the temporary files (the earlier split stays). */
static volatile sig_atomic_t stop_asked;

static void
ask_stop (int signum)
{
  stop_asked = 1;
}

/* The generator checks these too; here the message names the option and
 * its value. */
static gboolean
check_options (gint64 count,
               gint64 seed,
               gint64 first_id,
               double error_rate,
               int    width,
               int    height)
{
  if (count < 1 || count > OV_DEMO_WORLD_MAX_COUNT)
    fprintf (stderr, _("oscarviz demo-world: --count %lld: give 1 to %u\n"), (long long) count,
             OV_DEMO_WORLD_MAX_COUNT);
  else if (seed < 0)
    fprintf (stderr, _("oscarviz demo-world: --seed %lld: give 0 or more\n"), (long long) seed);
  else if (first_id < 0 || first_id + count > G_MAXUINT32)
    fprintf (stderr, _("oscarviz demo-world: --first-id %lld: give 0 or more, with the last key "
                       "(first id + count) at most %u\n"), (long long) first_id, G_MAXUINT32);
  else if (!(error_rate >= 0 && error_rate <= 1))
    fprintf (stderr, _("oscarviz demo-world: --error-rate %g: give 0 to 1\n"), error_rate);
  else if (width < 64 || width > 4096)
    fprintf (stderr, _("oscarviz demo-world: --width %d: give 64 to 4096 pixels\n"), width);
  else if (height < 64 || height > 4096)
    fprintf (stderr, _("oscarviz demo-world: --height %d: give 64 to 4096 pixels\n"), height);
  else
    return TRUE;
  return FALSE;
}

int
ov_cmd_demo_world (int argc, char **argv)
{
  OvDemoWorldOptions opts;
  gint64 seed = 1, count = 30, first_id = 1;
  double error_rate = 0.1;
  int width = 320, height = 240;
  g_autofree char *out_dir = NULL, *split = NULL;
  gboolean no_images = FALSE;
  GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT64, &count, N_("Number of scenes (default 30)"), "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (default 1)"), "S" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Output folder"), "DIR" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, N_("File stem (default “test”)"), "NAME" },
    { "first-id", 0, 0, G_OPTION_ARG_INT64, &first_id,
      N_("Key of the first scene (default 1)"), "ID" },
    { "error-rate", 'e', 0, G_OPTION_ARG_DOUBLE, &error_rate,
      N_("How often the simulated detector errs, 0..1 (default 0.1)"), "P" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, N_("Image width (default 320)"), "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, N_("Image height (default 240)"), "H" },
    { "no-images", 0, 0, G_OPTION_ARG_NONE, &no_images, N_("Do not write the PNG files"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("generate — write demo scenes"));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) given = NULL;

  ov_cli_set_command_name ("demo-world");
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  given = g_strdupv (argv);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      ov_cli_print_parse_error (ctx, "demo-world", given, error);
      return 2;
    }
  /* generate is the only subcommand, but it must be named */
  if (argc < 2)
    fprintf (stderr, _("oscarviz demo-world: the subcommand is missing: write “oscarviz "
                       "demo-world generate --count N --seed S --out DIR”\n"));
  else if (strcmp (argv[1], "generate") != 0)
    fprintf (stderr, _("oscarviz demo-world: unknown subcommand “%s”; the only one is "
                       "“generate”, as in “oscarviz demo-world generate --count N --seed S "
                       "--out DIR”\n"), argv[1]);
  else if (argc > 2)
    fprintf (stderr, "oscarviz demo-world: %s “%s”\n", _("unexpected argument"), argv[2]);
  if (argc != 2 || strcmp (argv[1], "generate") != 0)
    return 2;
  if (out_dir == NULL)
    {
      fprintf (stderr, _("oscarviz demo-world: --out is required\n"));
      return 2;
    }
  /* the folder is made where it is missing, but an empty name is none,
   * and a file cannot hold the scenes */
  if (*out_dir == '\0'
      || (g_file_test (out_dir, G_FILE_TEST_EXISTS) && !g_file_test (out_dir, G_FILE_TEST_IS_DIR)))
    {
      if (*out_dir == '\0')
        fprintf (stderr, _("oscarviz demo-world: --out needs a folder name\n"));
      else
        fprintf (stderr, _("oscarviz demo-world: --out %s is not a folder; give the folder to "
                           "write the scenes in\n"), out_dir);
      return 2;
    }
  if (split != NULL && (*split == '\0' || strchr (split, '/') != NULL))
    {
      fprintf (stderr, _("oscarviz demo-world: --split “%s”: give a plain file stem, such as "
                         "test\n"), split);
      return 2;
    }
  if (!check_options (count, seed, first_id, error_rate, width, height))
    return 2;

  ov_demo_world_options_init (&opts);
  opts.seed = (guint64) seed;
  opts.count = (guint) count;
  opts.first_id = (guint) first_id;
  opts.error_rate = error_rate;
  opts.width = width;
  opts.height = height;
  opts.write_images = !no_images;
  if (split != NULL)
    opts.split = split;
  opts.stop = &stop_asked;
  {
    struct sigaction act = { 0 };

    act.sa_handler = ask_stop;
    sigemptyset (&act.sa_mask);
    sigaction (SIGINT, &act, NULL);
    sigaction (SIGTERM, &act, NULL);
  }

  if (!ov_demo_world_generate (&opts, out_dir, &error))
    {
      fprintf (stderr, "oscarviz demo-world: %s\n", error->message);
      /* as the shell counts a run a signal ended */
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? 130 : 1;
    }
  return 0;
}
