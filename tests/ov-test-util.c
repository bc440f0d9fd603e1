/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ov-test-util.h"
#include "data/ov-sample.h"

gboolean
ov_test_start_xvfb (const char   *size,
                    GSubprocess **server)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *screen = g_strdup_printf ("%sx24", size);
  g_autofree char *display = NULL;
  g_autofree char *program = g_find_program_in_path ("Xvfb");
  char buf[32] = { 0 };
  int fds[2];
  gssize n = 0;
  gint64 deadline;

  *server = NULL;
  if (program == NULL || pipe (fds) != 0)
    return g_getenv ("DISPLAY") != NULL;

  /* Xvfb writes the display number it took to fd 3. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  *server = g_subprocess_launcher_spawn (launcher, NULL, "Xvfb", "-displayfd", "3", "-screen",
                                         "0", screen, "-nolisten", "tcp", NULL);
  if (*server == NULL)
    {
      close (fds[0]);
      return FALSE;
    }
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline && strchr (buf, '\n') == NULL)
    {
      gssize got = read (fds[0], buf + n, sizeof buf - 1 - n);

      if (got <= 0)
        break;
      n += got;
    }
  close (fds[0]);
  if (strchr (buf, '\n') == NULL)
    {
      ov_test_stop_xvfb (server);
      return FALSE;
    }
  *strchr (buf, '\n') = '\0';
  display = g_strdup_printf (":%s", buf);
  g_setenv ("DISPLAY", display, TRUE);
  return TRUE;
}

void
ov_test_stop_xvfb (GSubprocess **server)
{
  if (*server == NULL)
    return;
  g_subprocess_force_exit (*server);
  g_subprocess_wait (*server, NULL, NULL);
  g_clear_object (server);
}

void
ov_test_window_env (void)
{
  g_setenv ("GSETTINGS_SCHEMA_DIR", OV_BUILD_DIR "/data", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
}

void
ov_test_iterate (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

void
ov_test_skip_no_display (gconstpointer data)
{
  g_test_skip ("no X display could be started (Xvfb missing?)");
}

/* The folders the build named, unless the environment moves them: a test
 * program carried to another machine (tests/bench/gpu-check.sh --kit) finds
 * them through OV_TEST_SHARED_DIR, OV_TEST_SOURCE_DIR and OV_TEST_BUILD_DIR. */
static const char *
test_dir (const char *variable, const char *built_in)
{
  const char *moved = g_getenv (variable);

  return moved != NULL && *moved != '\0' ? moved : built_in;
}

static char *
build_path_va (const char *root, const char *first, va_list ap)
{
  GPtrArray *parts = g_ptr_array_new ();
  char *path;

  g_ptr_array_add (parts, (gpointer) root);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  g_ptr_array_add (parts, NULL);
  path = g_build_filenamev ((char **) parts->pdata);
  g_ptr_array_free (parts, TRUE);
  return path;
}

char *
ov_test_shared_path (const char *first, ...)
{
  va_list ap;
  char *path;

  va_start (ap, first);
  path = build_path_va (test_dir ("OV_TEST_SHARED_DIR", OV_SHARED_DIR), first, ap);
  va_end (ap);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_error ("shared test file missing: %s", path);
  return path;
}

char *
ov_test_source_path (const char *first, ...)
{
  va_list ap;
  char *path;

  va_start (ap, first);
  path = build_path_va (test_dir ("OV_TEST_SOURCE_DIR", OV_SOURCE_DIR), first, ap);
  va_end (ap);
  return path;
}

char *
ov_test_oscarviz_path (void)
{
  return g_build_filename (test_dir ("OV_TEST_BUILD_DIR", OV_BUILD_DIR), "app", "oscarviz",
                           NULL);
}

static char *tmp_dir;

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

      (void) g_remove (path);
    }
  (void) g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

char *
ov_test_tmp_path (const char *name)
{
  if (tmp_dir == NULL)
    {
      g_autoptr(GError) error = NULL;

      tmp_dir = g_dir_make_tmp ("oscarviz-test-XXXXXX", &error);
      if (tmp_dir == NULL)
        g_error ("no temporary folder: %s", error->message);
      atexit (remove_tmp_dir);
    }
  return g_build_filename (tmp_dir, name, NULL);
}

JsonNode *
ov_test_load_json (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("cannot parse %s: %s", path, error->message);
  return json_node_copy (json_parser_get_root (parser));
}

float *
ov_test_json_rows (JsonObject *o, const char *member, int cols, int *n_rows)
{
  JsonArray *rows = json_object_get_array_member (o, member);
  int n = (int) json_array_get_length (rows);
  float *out = g_new (float, (gsize) MAX (n, 1) * cols);

  for (int i = 0; i < n; i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);

      g_assert_cmpuint (json_array_get_length (row), ==, (guint) cols);
      for (int j = 0; j < cols; j++)
        out[(gsize) i * cols + j] = (float) json_array_get_double_element (row, j);
    }
  *n_rows = n;
  return out;
}

static gsize
descr_size (const char *descr)
{
  if (strcmp (descr, "<f4") == 0 || strcmp (descr, "<i4") == 0)
    return 4;
  if (strcmp (descr, "<i8") == 0 || strcmp (descr, "<f8") == 0)
    return 8;
  if (strcmp (descr, "|b1") == 0 || strcmp (descr, "|u1") == 0)
    return 1;
  g_error ("unsupported npy dtype %s", descr);
  return 0;
}

OvTestNpy *
ov_test_npy_load (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  OvTestNpy *npy;
  gsize len, hlen, off, esize;
  const char *p, *shape;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("%s", error->message);
  if (len < 10 || memcmp (contents, "\x93NUMPY", 6) != 0)
    g_error ("%s is not a .npy file", path);
  if (contents[6] == 1)
    {
      hlen = (guint8) contents[8] | ((gsize) (guint8) contents[9] << 8);
      off = 10;
    }
  else
    {
      hlen = (guint8) contents[8] | ((gsize) (guint8) contents[9] << 8)
             | ((gsize) (guint8) contents[10] << 16) | ((gsize) (guint8) contents[11] << 24);
      off = 12;
    }
  g_assert_cmpuint (off + hlen, <=, len);
  header = g_strndup (contents + off, hlen);

  npy = g_new0 (OvTestNpy, 1);
  p = strstr (header, "'descr':");
  g_assert_nonnull (p);
  p = strchr (p + 8, '\'');
  g_assert_nonnull (p);
  g_strlcpy (npy->descr, p + 1, MIN (sizeof npy->descr, (gsize) (strchr (p + 1, '\'') - p)));
  g_assert_null (strstr (header, "'fortran_order': True"));
  shape = strstr (header, "'shape':");
  g_assert_nonnull (shape);
  shape = strchr (shape, '(') + 1;
  npy->n_elements = 1;
  while (*shape != ')')
    {
      char *end;
      gint64 v = g_ascii_strtoll (shape, &end, 10);

      if (end == shape)
        {
          shape++;
          continue;
        }
      npy->shape[npy->n_dims++] = v;
      npy->n_elements *= v;
      shape = end;
    }

  esize = descr_size (npy->descr);
  g_assert_cmpuint (off + hlen + npy->n_elements * esize, <=, len);
  npy->data = g_memdup2 (contents + off + hlen, npy->n_elements * esize);
  return npy;
}

OvTestNpy *
ov_test_load_case_npy (const char *case_name, const char *file)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "cases", case_name, file, NULL);

  return ov_test_npy_load (path);
}

void
ov_test_npy_free (OvTestNpy *npy)
{
  if (npy == NULL)
    return;
  g_free (npy->data);
  g_free (npy);
}

gint32 *
ov_test_npy_as_i32 (const OvTestNpy *npy)
{
  gint32 *out = g_new (gint32, MAX (npy->n_elements, 1));

  for (gint64 i = 0; i < npy->n_elements; i++)
    {
      if (strcmp (npy->descr, "<i8") == 0)
        out[i] = (gint32) ((const gint64 *) npy->data)[i];
      else if (strcmp (npy->descr, "<i4") == 0)
        out[i] = ((const gint32 *) npy->data)[i];
      else if (strcmp (npy->descr, "|b1") == 0 || strcmp (npy->descr, "|u1") == 0)
        out[i] = ((const guint8 *) npy->data)[i];
      else
        g_error ("npy dtype %s is not an integer type", npy->descr);
    }
  return out;
}

float *
ov_test_npy_as_f32 (const OvTestNpy *npy)
{
  float *out = g_new (float, MAX (npy->n_elements, 1));

  for (gint64 i = 0; i < npy->n_elements; i++)
    {
      if (strcmp (npy->descr, "<f4") == 0)
        out[i] = ((const float *) npy->data)[i];
      else if (strcmp (npy->descr, "<f8") == 0)
        out[i] = (float) ((const double *) npy->data)[i];
      else if (strcmp (npy->descr, "<i8") == 0)
        out[i] = (float) ((const gint64 *) npy->data)[i];
      else if (strcmp (npy->descr, "<i4") == 0)
        out[i] = (float) ((const gint32 *) npy->data)[i];
      else if (strcmp (npy->descr, "|b1") == 0 || strcmp (npy->descr, "|u1") == 0)
        out[i] = ((const guint8 *) npy->data)[i];
      else
        g_error ("npy dtype %s unsupported", npy->descr);
    }
  return out;
}

gboolean
ov_test_allclose (const float *a, const float *b, gsize n,
                  double rtol, double atol, double *max_abs_diff)
{
  gboolean ok = TRUE;
  double worst = 0;

  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) a[i] - (double) b[i]);

      if (!(d <= atol + rtol * fabs ((double) b[i])))
        ok = FALSE;
      if (d > worst || isnan (d))
        worst = isnan (d) ? INFINITY : d;
    }
  if (max_abs_diff != NULL)
    *max_abs_diff = worst;
  return ok;
}

static char *
read_line (const char *path, guint row)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (row, <, g_strv_length (lines));
  return g_strdup (lines[row]);
}

OvTestScene *
ov_test_scene_load (const char *dir, guint row)
{
  g_autofree char *lpath = g_build_filename (dir, "test.label.tsv", NULL);
  g_autofree char *fpath = g_build_filename (dir, "test.feature.tsv", NULL);
  g_autofree char *lline = read_line (lpath, row);
  g_autofree char *fline = read_line (fpath, row);
  g_auto(GStrv) l = g_strsplit (lline, "\t", 2);
  g_auto(GStrv) f = g_strsplit (fline, "\t", 2);
  g_autoptr(JsonParser) lp = json_parser_new ();
  g_autoptr(JsonParser) fp = json_parser_new ();
  g_autoptr(GError) error = NULL;
  OvTestScene *s = g_new0 (OvTestScene, 1);
  GString *tags = g_string_new (NULL);
  JsonArray *dets;
  JsonObject *fo;
  gsize len = 0;

  g_assert_cmpstr (l[0], ==, f[0]);
  json_parser_load_from_data (lp, l[1], -1, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (fp, f[1], -1, &error);
  g_assert_no_error (error);

  dets = json_node_get_array (json_parser_get_root (lp));
  for (guint i = 0; i < json_array_get_length (dets); i++)
    g_string_append_printf (tags, "%s%s", i > 0 ? " " : "",
                            json_object_get_string_member (json_array_get_object_element (dets, i),
                                                           "class"));
  fo = json_node_get_object (json_parser_get_root (fp));
  s->key = g_strdup (l[0]);
  s->tags = g_string_free (tags, FALSE);
  s->n_regions = (int) json_object_get_int_member (fo, "num_boxes");
  s->features = (float *) g_base64_decode (json_object_get_string_member (fo, "features"), &len);
  g_assert_cmpuint (len, ==, (gsize) s->n_regions * OV_REGION_DIM * sizeof (float));
  return s;
}

void
ov_test_scene_free (OvTestScene *s)
{
  g_free (s->key);
  g_free (s->tags);
  g_free (s->features);
  g_free (s);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
ov_test_list_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}
