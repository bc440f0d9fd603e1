/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The demo world: seeded synthetic scenes of coloured shapes and icons, with
 * the detections, region features, captions and questions the demo model is
 * trained on, written in the same files as real Oscar data. Everything is a
 * pure function of the seed; no GTK, no global random state.
 */
#pragma once

#include <gio/gio.h>
#include <signal.h>

G_BEGIN_DECLS

#define OV_DEMO_WORLD_FEATURE_SEED G_GUINT64_CONSTANT (0x6f73636172766978)

/* The most scenes one split holds: about 4.6 GB of feature TSV with the
 * default sizes (a scene's row is some 4.6 kB), more than any demo or
 * benchmark needs, and a mistyped count fails at once, not when the disk
 * is full. */
#define OV_DEMO_WORLD_MAX_COUNT 1000000

typedef struct {
  guint64     seed;
  guint       count;         /* scenes to write, 1 to OV_DEMO_WORLD_MAX_COUNT */
  guint       first_id;      /* image keys are first_id, first_id+1, ... */
  double      error_rate;    /* 0..1: how often the simulated detector errs */
  int         width, height; /* image size in pixels */
  const char *split;         /* file stem: "<split>.feature.tsv", ... */
  gboolean    write_images;  /* FALSE skips the PNG files (training sets), and removes
                              * those an earlier split left under the same keys */
  /* Set (by a signal handler, say) to stop between two scenes: the run
   * fails as cancelled and writes nothing; NULL: never. */
  const volatile sig_atomic_t *stop;
} OvDemoWorldOptions;

void                ov_demo_world_options_init (OvDemoWorldOptions *opts);
/* Writes the split into out_dir (created when missing); see the file list in
 * ov-demo-world.c. */
gboolean            ov_demo_world_generate     (const OvDemoWorldOptions *opts,
                                                const char               *out_dir,
                                                GError                  **error);
/* The object classes and colours, NULL-terminated, static. */
const char *const  *ov_demo_world_classes      (void);
const char *const  *ov_demo_world_colors       (void);

typedef struct _OvDemoExtractor OvDemoExtractor;

/* The fixed region feature extractor: colour and gradient-orientation
 * histograms of the pixels inside the box, projected to 2048 values by a
 * fixed random matrix and rectified. */
OvDemoExtractor    *ov_demo_extractor_new      (void);
void                ov_demo_extractor_free     (OvDemoExtractor *ex);
/* pixels: Cairo RGB24/ARGB32 (height, stride/4); box in pixels, clamped to
 * the image; out: (2048). */
void                ov_demo_extractor_run      (OvDemoExtractor *ex,
                                                const guint8    *pixels,
                                                int              width,
                                                int              height,
                                                int              stride,
                                                double           x1,
                                                double           y1,
                                                double           x2,
                                                double           y2,
                                                float           *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvDemoExtractor, ov_demo_extractor_free)

G_END_DECLS
