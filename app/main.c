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

#include "model/ov-device.h"
#include "model/ov-files.h"
#include "ov-cli.h"
#include "ov-commands.h"
#if OV_HAVE_GUI
#include "ui/ov-application.h"
#endif

static const OvCommand commands[] = {
  { "version", ov_cmd_version, N_("Print the version") },
  { "demo-world", ov_cmd_demo_world,
    N_("Generate synthetic demo scenes (“demo-world generate …”)") },
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
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) given = NULL;

  ov_cli_set_command_name ("version");
  context = g_option_context_new (_("— print the version"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  given = g_strdupv (argv);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      ov_cli_print_parse_error (context, "version", given, error);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("oscarviz version: %s “%s”\n", _("unexpected argument"), argv[1]);
      return 2;
    }
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

/* A first argument that is neither a command, an option, nor a file or URI
 * that the window could open is a mistyped command: say so rather than
 * open a window that cannot open it either. */
static gboolean
is_unknown_command (const char *arg)
{
  return arg[0] != '-' && strstr (arg, "://") == NULL
         && !g_file_test (arg, G_FILE_TEST_EXISTS);
}

static int
unknown_command (const char *arg)
{
  const char *best = NULL;
  gsize best_distance = 3;   /* suggest only close names */

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      gsize d = ov_cli_edit_distance (arg, commands[i].name);

      if (d < best_distance)
        {
          best = commands[i].name;
          best_distance = d;
        }
    }
  /* something that looks like a path is a file that is not there */
  if (strchr (arg, '/') != NULL || strchr (arg, '.') != NULL)
    {
      g_printerr (_("oscarviz: %s: no such file\n"), arg);
      return 2;
    }
  if (best != NULL)
    /* Translators: the first %s is what was typed, the second a command. */
    g_printerr (_("oscarviz: unknown command “%s” (and no such file); did you mean “%s”?\n"),
                arg, best);
  else
    g_printerr (_("oscarviz: unknown command “%s” (and no such file)\n"), arg);
  g_printerr (_("Run “oscarviz --help” for the commands.\n"));
  return 2;
}

#if OV_HAVE_GUI
/* Whether the window has a display to open on; without one GTK says only
 * "cannot open display". --help and --version need none. */
/* Keys, questions, tags and class names come from files, and reach the
 * terminal through g_print and g_printerr: a control character among them
 * would be obeyed by the terminal (an escape sequence can recolour, move,
 * retitle or clear it). Line ends, tabs and carriage returns (progress
 * lines) pass; any other C0 or C1 control, and DEL, is shown as \xNN or
 * \uNNNN. JSON output escapes them itself. */
static void
print_visibly (FILE       *stream,
               const char *text)
{
  g_autoptr(GString) shown = g_string_sized_new (strlen (text));
  g_autofree char *converted = NULL;
  const char *charset;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if ((*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') || *p == 0x7f)
        g_string_append_printf (shown, "\\x%02x", *p);
      else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
        {
          g_string_append_printf (shown, "\\u%04x", p[1]);
          p++;
        }
      else
        g_string_append_c (shown, (char) *p);
    }
  /* as GLib's own handler: the console's charset, "?" for what it lacks */
  if (!g_get_console_charset (&charset))
    converted = g_convert_with_fallback (shown->str, -1, charset, "UTF-8", "?", NULL, NULL,
                                         NULL);
  fputs (converted != NULL ? converted : shown->str, stream);
  fflush (stream);
}

static void
print_out (const char *text)
{
  print_visibly (stdout, text);
}

static void
print_err (const char *text)
{
  print_visibly (stderr, text);
}

/* A long option the window does not take ("oscarviz --modle demo") is
 * named with the nearest it does, as the commands name theirs, before any
 * display is needed. FALSE when one was found. */
static gboolean
window_options_known (int    argc,
                      char **argv)
{
  /* the window's options (the first five, which a mistake is matched
   * with), then those GApplication adds */
  static const char *const known[] = {
    "model", "dataset", "row", "key", "version",
    "help", "help-all", "help-gapplication", "gapplication-service", NULL,
  };

  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      g_autofree char *name = NULL;
      const char *best;

      if (!g_str_has_prefix (argv[i], "--"))
        continue;
      name = g_strndup (argv[i] + 2, strcspn (argv[i] + 2, "="));
      if (g_strv_contains (known, name))
        continue;
      best = ov_cli_nearest (name, known, 5, TRUE);
      if (best != NULL)
        g_printerr (_("oscarviz: unknown option --%s; did you mean --%s?\n"), name, best);
      else
        g_printerr (_("oscarviz: unknown option --%s (“oscarviz --help” lists the window's "
                      "options and the commands)\n"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
have_display (int    argc,
              char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--help") || strcmp (argv[i], "-h") == 0
        || strcmp (argv[i], "--version") == 0)
      return TRUE;
  return g_getenv ("GDK_BACKEND") != NULL
         || (g_getenv ("DISPLAY") != NULL && *g_getenv ("DISPLAY") != '\0')
         || (g_getenv ("WAYLAND_DISPLAY") != NULL && *g_getenv ("WAYLAND_DISPLAY") != '\0');
}
#endif

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
  g_autofree char *locale_dir = NULL;

  ov_blas_reexec_if_generic (argv);
  locale_dir = find_locale_dir ();
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
          {
            /* a command refuses to write over a file it read */
            ov_files_track_reads (TRUE);
            g_set_print_handler (print_out);
            g_set_printerr_handler (print_err);
            return commands[i].func (argc - 1, argv + 1);
          }
      if (is_unknown_command (argv[1]))
        return unknown_command (argv[1]);
    }

#if OV_HAVE_GUI
  {
    g_autoptr(OvApplication) app = NULL;
    g_autoptr(GError) error = NULL;

    if (!window_options_known (argc, argv))
      return 2;
    if (!have_display (argc, argv))
      {
        g_printerr (_("oscarviz: no display to open the window on (DISPLAY and "
                      "WAYLAND_DISPLAY are unset); the commands run without one, see "
                      "“oscarviz --help”\n"));
        return 1;
      }
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
