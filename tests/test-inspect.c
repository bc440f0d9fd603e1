/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Runs the built `oscarviz inspect --json` on real files and parses what
 * it prints; errors must exit non-zero with the message on stderr.
 */
#define G_LOG_DOMAIN "test-inspect"

#include <string.h>

#include "ov-test-util.h"

typedef struct {
  int        status;
  char      *out;
  char      *err;
  GPtrArray *docs;   /* JsonNode*, one per stdout line */
} Run;

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_ptr_array_unref (run->docs);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static Run *
run_inspect (const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);
  g_auto(GStrv) lines = NULL;
  va_list ap;
  int wait_status;

  g_ptr_array_add (argv, ov_test_oscarviz_path ());
  g_ptr_array_add (argv, g_strdup ("inspect"));
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                &run->err, &wait_status, &error);
  g_assert_no_error (error);
  run->status = g_spawn_check_wait_status (wait_status, NULL) ? 0 : 1;
  run->docs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  lines = g_strsplit (run->out, "\n", -1);
  for (guint i = 0; g_str_equal (first, "--json") && lines[i] != NULL; i++)
    {
      JsonNode *node;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], &error);
      g_assert_no_error (error);
      g_ptr_array_add (run->docs, node);
    }
  return run;
}

static JsonObject *
doc (Run  *run,
     guint i)
{
  g_assert_cmpuint (i, <, run->docs->len);
  return json_node_get_object (g_ptr_array_index (run->docs, i));
}

static void
test_images (void)
{
  g_autofree char *rotated = ov_test_shared_path ("data", "images", "edge-cases",
                                                  "pillow-hopper_orientation_6-exif.jpg", NULL);
  g_autofree char *png = ov_test_shared_path ("data", "images", "skimage-chelsea.png", NULL);
  g_autoptr(Run) run = run_inspect ("--json", rotated, png, NULL);
  JsonObject *o;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (run->docs->len, ==, 2);
  o = doc (run, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "image");
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "jpeg");
  g_assert_cmpint (json_object_get_int_member (o, "orientation"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (o, "width"), ==, 128);
  o = doc (run, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "png");
  g_assert_cmpint (json_object_get_int_member (o, "width"), ==, 451);
  g_assert_cmpint (json_object_get_int_member (o, "height"), ==, 300);
  g_assert_cmpint (json_object_get_int_member (o, "orientation"), ==, 1);
}

static void
test_dataset_files (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  g_autofree char *feats = ov_test_shared_path ("oracle", "data", "features.tsv", NULL);
  g_autofree char *labels = ov_test_shared_path ("oracle", "data", "labels.tsv", NULL);
  g_autoptr(Run) run = run_inspect ("--json", "--key", "coco_kitchen", yaml, feats, labels, NULL);
  JsonObject *o, *s;
  JsonArray *keys;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (run->docs->len, ==, 3);

  o = doc (run, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "dataset");
  g_assert_cmpint (json_object_get_int_member (o, "samples"), ==, 4);
  keys = json_object_get_array_member (o, "keys");
  g_assert_cmpuint (json_array_get_length (keys), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (keys, 2), ==, "coco_street");
  s = json_object_get_object_member (o, "sample");
  g_assert_cmpstr (json_object_get_string_member (s, "key"), ==, "coco_kitchen");
  g_assert_cmpint (json_object_get_int_member (s, "regions"), ==, 27);
  g_assert_cmpint (json_object_get_int_member (s, "feature_dim"), ==, 2054);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (s, "tags"), "oven cabinet"));

  o = doc (run, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "features");
  s = json_object_get_object_member (o, "sample");
  g_assert_cmpint (json_object_get_int_member (s, "regions"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (s, "feature_rows"), ==, 27);

  o = doc (run, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "detections");
  s = json_object_get_object_member (o, "sample");
  g_assert_true (json_node_is_null (json_object_get_member (s, "feature_dim")));
}

static void
test_row_and_errors (void)
{
  g_autofree char *yaml = ov_test_shared_path ("oracle", "data", "test.yaml", NULL);
  g_autofree char *twelve = ov_test_shared_path ("data", "images", "edge-cases",
                                                 "ljt-monkey12-12bit.jpg", NULL);
  g_autoptr(Run) ok = run_inspect ("--json", "--row", "2", yaml, NULL);
  g_autoptr(Run) bad = run_inspect ("--json", twelve, yaml, NULL);
  g_autoptr(Run) missing = run_inspect ("--json", "/nonexistent/file.tsv", NULL);
  g_autoptr(Run) far = run_inspect ("--json", "--row", "9", yaml, NULL);
  g_autoptr(Run) text = run_inspect (yaml, NULL);

  g_assert_cmpint (ok->status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (doc (ok, 0), "sample"), "key"), ==,
                   "coco_street");

  /* The bad file fails, the good one is still summarised. */
  g_assert_cmpint (bad->status, !=, 0);
  g_assert_nonnull (strstr (bad->err, "12-bit"));
  g_assert_cmpuint (bad->docs->len, ==, 1);

  g_assert_cmpint (missing->status, !=, 0);
  g_assert_nonnull (strstr (missing->err, "/nonexistent/file.tsv"));
  g_assert_cmpint (far->status, !=, 0);
  g_assert_nonnull (strstr (far->err, "row 9"));

  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "coco_dog_couch"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/inspect/images", test_images);
  g_test_add_func ("/app/inspect/dataset-files", test_dataset_files);
  g_test_add_func ("/app/inspect/row-and-errors", test_row_and_errors);
  return g_test_run ();
}
