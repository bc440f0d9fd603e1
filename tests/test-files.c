/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The files a command writes as one set (model/ov-files.h).
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "model/ov-files.h"
#include "ov-test-util.h"

static void
put (const char *tmp,
     const char *text)
{
  g_assert_true (g_file_set_contents (tmp, text, -1, NULL));
}

static char *
contents (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* /model/files/output-set: the files of a set are written to temporary
 * files beside them and put in place together; two names of one file (by
 * name, or by a hard link) are refused at the commit with nothing put in
 * place, and the temporary files go; a symbolic link keeps being a link
 * and its file is written; a device takes the data as it is, as many
 * outputs as name it; two outputs on the standard output are refused. */
static void
test_output_set (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-files-XXXXXX", NULL);
  g_autofree char *a = g_build_filename (dir, "a.csv", NULL);
  g_autofree char *a_again = g_build_filename (dir, ".", "a.csv", NULL);
  g_autofree char *b = g_build_filename (dir, "b.json", NULL);
  g_autofree char *hard = g_build_filename (dir, "hard.json", NULL);
  g_autofree char *soft = g_build_filename (dir, "link.csv", NULL);
  g_autofree char *names = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;

  {
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    g_autoptr(GError) error = NULL;
    const char *ta = ov_output_set_add (set, "--csv", a, &error);
    const char *tb = ov_output_set_add (set, "--json", b, &error);

    g_assert_no_error (error);
    /* beside the file, with its extension */
    g_assert_true (g_str_has_prefix (ta, dir) && g_str_has_suffix (ta, ".csv"));
    g_assert_true (g_str_has_suffix (tb, ".json"));
    put (ta, "a\n");
    put (tb, "[]\n");
    g_assert_true (ov_output_set_commit (set, &error));
    g_assert_no_error (error);
  }
  names = ov_test_list_folder (dir);
  g_assert_cmpstr (names, ==, "a.csv b.json");
  g_clear_pointer (&names, g_free);

  /* a file replaced keeps its permissions: a private one stays private */
  g_assert_no_errno (g_chmod (a, 0600));
  {
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    g_autoptr(GError) error = NULL;

    put (ov_output_set_add (set, "--csv", a, NULL), "a\n");
    g_assert_true (ov_output_set_commit (set, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (g_stat (a, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (ov_files_set_contents (a, "a\n", 2, NULL));
  g_assert_cmpint (g_stat (a, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* the same file twice, by two spellings of its name: nothing changes */
  {
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    g_autoptr(GError) error = NULL;

    put (ov_output_set_add (set, "--csv", a, NULL), "new\n");
    put (ov_output_set_add (set, "--json", a_again, NULL), "new\n");
    g_assert_false (ov_output_set_commit (set, &error));
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
    g_assert_nonnull (strstr (error->message, "name the same file"));
  }
  text = contents (a);
  g_assert_cmpstr (text, ==, "a\n");
  g_clear_pointer (&text, g_free);
  names = ov_test_list_folder (dir);
  g_assert_cmpstr (names, ==, "a.csv b.json");
  g_clear_pointer (&names, g_free);

  /* by a hard link */
  g_assert_cmpint (link (b, hard), ==, 0);
  {
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    g_autoptr(GError) error = NULL;

    put (ov_output_set_add (set, NULL, b, NULL), "{}\n");
    put (ov_output_set_add (set, NULL, hard, NULL), "{}\n");
    g_assert_false (ov_output_set_commit (set, &error));
    g_assert_nonnull (strstr (error->message, "name the same file"));
  }
  text = contents (b);
  g_assert_cmpstr (text, ==, "[]\n");
  g_clear_pointer (&text, g_free);
  g_assert_no_errno (g_unlink (hard));

  /* through a symbolic link */
  g_assert_cmpint (symlink ("a.csv", soft), ==, 0);
  {
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    g_autoptr(GError) error = NULL;

    put (ov_output_set_add (set, "--csv", soft, NULL), "linked\n");
    g_assert_true (ov_output_set_commit (set, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (g_lstat (soft, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  text = contents (a);
  g_assert_cmpstr (text, ==, "linked\n");
  g_clear_pointer (&text, g_free);
  g_assert_no_errno (g_unlink (soft));

  /* a device, twice; two outputs on the standard output */
  {
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    g_autoptr(GError) error = NULL;
    const char *spool = ov_output_set_add (set, "--csv", "/dev/null", &error);

    g_assert_no_error (error);
    /* spooled away from /dev */
    g_assert_false (g_str_has_prefix (spool, "/dev/"));
    put (spool, "x\n");
    put (ov_output_set_add (set, "--json", "/dev/null", NULL), "y\n");
    g_assert_true (ov_output_set_commit (set, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_stat ("/dev/null", &st), ==, 0);
    g_assert_true (S_ISCHR (st.st_mode));
  }
  {
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    g_autoptr(GError) error = NULL;

    put (ov_output_set_add (set, "--csv", "-", NULL), "x\n");
    put (ov_output_set_add (set, "--json", "-", NULL), "y\n");
    g_assert_false (ov_output_set_commit (set, &error));
    g_assert_nonnull (strstr (error->message, "--csv and --json both write to the standard "
                                              "output"));
  }
  names = ov_test_list_folder (dir);
  g_assert_cmpstr (names, ==, "a.csv b.json");
  g_assert_no_errno (g_unlink (a));
  g_assert_no_errno (g_unlink (b));
  g_assert_no_errno (g_rmdir (dir));
}

/* /model/files/many-outputs: a set of many files (a demo world's split is
 * one picture a scene) commits in time that grows with their number, not
 * with its square: 20,000 files, 200 million comparisons before. */
static void
test_many_outputs (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-files-many-XXXXXX", NULL);
  const guint n = 20000;
  gint64 start;

  {
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < n; i++)
      {
        g_autofree char *name = g_strdup_printf ("%u.txt", i);
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_assert_nonnull (ov_output_set_add (set, NULL, path, &error));
      }
    start = g_get_monotonic_time ();
    g_assert_true (ov_output_set_commit (set, &error));
    g_assert_no_error (error);
    g_test_message ("%u files committed in %.2f s", n,
                    (g_get_monotonic_time () - start) / 1e6);
    /* (the quadratic check took minutes for this many) */
    g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.txt", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_no_errno (g_unlink (path));
    }
  g_assert_no_errno (g_rmdir (dir));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/files/output-set", test_output_set);
  g_test_add_func ("/model/files/many-outputs", test_many_outputs);
  return g_test_run ();
}
