/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Helpers shared by the test programs: paths into ../shared and the build
 * tree, and .npy / JSON readers for the oracle files.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Path below ../shared; aborts the test when the file is missing, since the
 * oracle is part of the test environment. */
char      *ov_test_shared_path (const char *first, ...) G_GNUC_NULL_TERMINATED;
char      *ov_test_source_path (const char *first, ...) G_GNUC_NULL_TERMINATED;
/* The built oscarviz binary. */
char      *ov_test_oscarviz_path (void);
/* name in a folder of this test process's own below the temporary folder,
 * made on first use and removed with what it holds when the process
 * exits, so that test runs side by side never share a file. */
char      *ov_test_tmp_path    (const char *name);
/* The names in folder, sorted, joined by spaces ("" for none). */
char      *ov_test_list_folder (const char *folder);
JsonNode  *ov_test_load_json   (const char *path);
/* The array of arrays `member` of o as float32 rows of cols values;
 * *n_rows gets their count. */
float     *ov_test_json_rows   (JsonObject *o, const char *member, int cols, int *n_rows);

typedef struct {
  char    descr[8];       /* "<f4", "<i8", "<i4" */
  int     n_dims;
  gint64  shape[8];
  gint64  n_elements;
  void   *data;           /* owned */
} OvTestNpy;

OvTestNpy *ov_test_npy_load    (const char *path);
/* An .npy of an oracle case: ../shared/oracle/cases/CASE/FILE. */
OvTestNpy *ov_test_load_case_npy (const char *case_name, const char *file);
void       ov_test_npy_free    (OvTestNpy  *npy);
/* Copies any integer npy as gint32 / any float npy as float. */
gint32    *ov_test_npy_as_i32  (const OvTestNpy *npy);
float     *ov_test_npy_as_f32  (const OvTestNpy *npy);

/* max |a-b| and whether every element satisfies |a-b| <= atol + rtol*|b|. */
gboolean   ov_test_allclose    (const float *a, const float *b, gsize n,
                                double rtol, double atol, double *max_abs_diff);

/* Starts a private Xvfb with a screen of size ("1280x800") on a free display
 * and points DISPLAY at it; *server gets the process (end it with
 * ov_test_stop_xvfb). Without Xvfb, TRUE only when a DISPLAY is already set. */
gboolean   ov_test_start_xvfb  (const char *size, GSubprocess **server);
/* Kills the server and waits for it to end, then clears *server (NULL:
 * nothing to do). g_subprocess_force_exit alone only asks GLib's worker
 * thread to send the signal: a test that returns from main at once may
 * exit before it is sent, and leave the server running. */
void       ov_test_stop_xvfb   (GSubprocess **server);

/* For the window tests. The settings a test window runs with: the schema
 * compiled in the build folder, settings in memory, the cairo renderer, no
 * accessibility bus. */
void       ov_test_window_env  (void);
/* Runs the default main context for ms milliseconds. */
void       ov_test_iterate     (guint ms);
/* A test function that skips for want of a display; data is unused. */
void       ov_test_skip_no_display (gconstpointer data);

/* Runs the default main context until cond holds or seconds pass. */
#define OV_TEST_WAIT_UNTIL(cond, seconds)                                       \
  G_STMT_START {                                                                \
    gint64 _deadline = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;   \
    while (!(cond) && g_get_monotonic_time () < _deadline)                      \
      if (!g_main_context_iteration (NULL, FALSE))                              \
        g_usleep (2000);                                                        \
  } G_STMT_END

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvTestNpy, ov_test_npy_free)

/* Row `row` of a demo scene split in dir (test.label.tsv and
 * test.feature.tsv, as data/demo/scenes ships them): the image key, the tags
 * (the detections' classes joined by spaces, as Oscar does) and the
 * 2054-wide region features. */
typedef struct {
  char  *key;
  char  *tags;
  float *features;    /* (n_regions, 2054) */
  int    n_regions;
} OvTestScene;

OvTestScene *ov_test_scene_load (const char *dir, guint row);
void         ov_test_scene_free (OvTestScene *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvTestScene, ov_test_scene_free)

G_END_DECLS
