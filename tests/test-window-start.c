/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The README's first command ends in ./build/app/oscarviz: the real
 * program, started the way a user starts it from the build folder (no
 * GSETTINGS_SCHEMA_DIR, no arguments), must open its window on the demo,
 * show the demo's first caption and keep running, on a private Xvfb.
 */
#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ov-test-util.h"

static void
exited_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

/* Starts oscarviz with args (NULL-terminated, after the program) and
 * waits for the first caption of the demo scenes; when shown is given, the
 * window's debug line of the sample it showed must match it. */
static void
start_and_caption (const char *const *args,
                   const char        *shown)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("ov-start-XXXXXX", &error);
  g_autofree char *config = NULL, *data = NULL, *log_path = NULL, *log = NULL;
  g_autofree char *out_path = NULL;
  gint64 until;
  gboolean exited = FALSE, captioned = FALSE;

  g_assert_no_error (error);
  config = g_build_filename (home, "config", NULL);
  data = g_build_filename (home, "data", NULL);
  log_path = g_build_filename (home, "stderr.txt", NULL);
  out_path = g_build_filename (home, "stdout.txt", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  /* GLib writes debug messages to standard output */
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "ov-caption-panel ov-window",
                                TRUE);
  /* nothing from the test's own environment that a user would not have */
  g_subprocess_launcher_unsetenv (launcher, "GSETTINGS_SCHEMA_DIR");
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", "cairo", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  {
    g_autoptr(GPtrArray) argv = g_ptr_array_new ();

    g_ptr_array_add (argv, (gpointer) OV_BUILD_DIR "/app/oscarviz");
    for (guint i = 0; args != NULL && args[i] != NULL; i++)
      g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, NULL);
    app = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  }
  g_assert_no_error (error);

  /* Loading the demo and the first caption take about a second (longer
   * under a sanitizer); then the program must go on running a while. */
  g_subprocess_wait_async (app, NULL, exited_cb, &exited);
  until = g_get_monotonic_time () + 50 * G_USEC_PER_SEC;
  while (!exited && g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
      if (!captioned)
        {
          g_autofree char *out = NULL;

          /* a caption of the demo is never empty: "caption shown: " and a word */
          g_file_get_contents (out_path, &out, NULL, NULL);
          captioned = out != NULL && g_regex_match_simple ("caption shown: \\S", out, 0, 0);
          if (captioned)
            until = g_get_monotonic_time () + G_USEC_PER_SEC;
          if (captioned && shown != NULL && !g_regex_match_simple (shown, out, 0, 0))
            g_error ("oscarviz showed another sample than %s: %s", shown, out);
        }
    }
  g_file_get_contents (log_path, &log, NULL, NULL);
  if (exited)
    g_error ("oscarviz ended on its own (status %d): %s", g_subprocess_get_status (app),
             log != NULL ? log : "");
  if (!captioned)
    g_error ("oscarviz showed no caption of the demo within 50 s: %s", log != NULL ? log : "");
  g_subprocess_send_signal (app, SIGTERM);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  if (log != NULL && (strstr (log, "-ERROR") != NULL || strstr (log, "-CRITICAL") != NULL))
    g_error ("oscarviz complained while starting: %s", log);

  g_unlink (log_path);
  g_unlink (out_path);
  g_rmdir (home);
}

/* /app/start-from-build-tree */
static void
test_start_from_build_tree (void)
{
  start_and_caption (NULL, NULL);
}

/* /app/start-two-models: a second --model opens too, instead of replacing
 * the first: the captioning model given first still captions. */
static void
test_start_two_models (void)
{
  const char *const args[] = { "--model", "demo", "--model", "demo-vqa", "--dataset", "demo",
                               NULL };

  start_and_caption (args, NULL);
}

/* /app/start-at-sample: --row and --key open the dataset at that sample */
static void
test_start_at_sample (void)
{
  const char *const at_row[] = { "--dataset", "demo", "--row", "12", NULL };
  const char *const at_key[] = { "--dataset", "demo", "--key", "300005", NULL };

  start_and_caption (at_row, "sample shown: 300013, row 12\\b");
  start_and_caption (at_key, "sample shown: 300005, row 4\\b");
}

int
main (int argc, char **argv)
{
  g_autoptr(GSubprocess) server = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!ov_test_start_xvfb ("1280x800", &server))
    {
      g_test_skip ("no Xvfb and no display");
      return g_test_run ();
    }
  g_test_add_func ("/app/start-from-build-tree", test_start_from_build_tree);
  g_test_add_func ("/app/start-two-models", test_start_two_models);
  g_test_add_func ("/app/start-at-sample", test_start_at_sample);
  status = g_test_run ();
  ov_test_stop_xvfb (&server);
  return status;
}
