/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Scratch files and logging for the fuzz targets (see ov-fuzz.h).
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

static char *scratch_dir;

static void
remove_scratch (void)
{
  GDir *dir;
  const char *name;

  if (scratch_dir == NULL)
    return;
  dir = g_dir_open (scratch_dir, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (scratch_dir, name, NULL);
          g_remove (path);
        }
      g_dir_close (dir);
    }
  g_rmdir (scratch_dir);
}

/* Only criticals (our own g_return_if_fail) stop the run; the readers report
 * bad input through GError, never through the log. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      g_log_writer_standard_streams (level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

const char *
ov_fuzz_dir (void)
{
  if (scratch_dir == NULL)
    {
      const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : NULL;
      g_autofree char *tmpl = g_build_filename (base != NULL ? base : g_get_tmp_dir (),
                                                "ov-fuzz-XXXXXX", NULL);

      scratch_dir = g_mkdtemp (g_steal_pointer (&tmpl));
      if (scratch_dir == NULL)
        {
          g_printerr ("ov-fuzz: cannot make a scratch folder\n");
          abort ();
        }
      atexit (remove_scratch);
      g_log_set_writer_func (quiet_writer, NULL, NULL);
    }
  return scratch_dir;
}

char *
ov_fuzz_write (const char    *name,
               const uint8_t *data,
               size_t         size)
{
  char *path = g_build_filename (ov_fuzz_dir (), name, NULL);
  FILE *f = fopen (path, "wb");

  /* A plain write: the scratch file needs no crash safety, and this runs
   * thousands of times a second. */
  if (f == NULL || (size > 0 && fwrite (data, 1, size, f) != size) || fclose (f) != 0)
    {
      g_printerr ("ov-fuzz: cannot write %s\n", path);
      abort ();
    }
  return path;
}

char *
ov_fuzz_shared_file (const char *relative)
{
  const char *root = g_getenv ("OV_SHARED_DIR");
  char *path;

  if (root == NULL)
    root = OV_SHARED_DIR;
  path = g_build_filename (root, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_clear_pointer (&path, g_free);
  return path;
}
