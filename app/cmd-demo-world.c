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
#include <stdio.h>
#include <string.h>

#include "data/ov-demo-world.h"
#include "ov-commands.h"

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

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "oscarviz demo-world: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || strcmp (argv[1], "generate") != 0)
    {
      fprintf (stderr, _("Usage: oscarviz demo-world generate --count N --seed S --out DIR\n"));
      return 2;
    }
  if (out_dir == NULL)
    {
      fprintf (stderr, _("oscarviz demo-world: --out is required\n"));
      return 2;
    }
  if (count < 0 || count > G_MAXUINT32 || first_id < 0 || first_id + count > G_MAXUINT32
      || seed < 0)
    {
      fprintf (stderr, _("oscarviz demo-world: --count, --seed and --first-id must be "
                         "non-negative 32-bit numbers\n"));
      return 2;
    }

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

  if (!ov_demo_world_generate (&opts, out_dir, &error))
    {
      fprintf (stderr, "oscarviz demo-world: %s\n", error->message);
      return 1;
    }
  return 0;
}
