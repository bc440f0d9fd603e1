/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The main window: the image with its regions, the tag list, and the
 * caption, question and masked-word panels of one session.
 */
#pragma once

#include <adwaita.h>

#include "ov-application.h"
#include "ov-session.h"

G_BEGIN_DECLS

#define OV_TYPE_WINDOW (ov_window_get_type ())

G_DECLARE_FINAL_TYPE (OvWindow, ov_window, OV, WINDOW, AdwApplicationWindow)

OvWindow  *ov_window_new         (OvApplication *application);
/* Opens a checkpoint folder (model_dir, may be NULL) and files: checkpoint
 * folders, images, detection and feature files, datasets. With nothing to
 * open and no checkpoint yet, opens the bundled demo. */
void       ov_window_open        (OvWindow      *self,
                                  const char    *model_dir,
                                  GFile        **files,
                                  guint          n_files);
/* The same, opening the sample files at a row (from 0; -1 for the first)
 * or at the sample of a key (NULL for none), as --row and --key do. */
void       ov_window_open_at     (OvWindow      *self,
                                  const char    *model_dir,
                                  GFile        **files,
                                  guint          n_files,
                                  gint64         row,
                                  const char    *key);
OvSession *ov_window_get_session (OvWindow      *self);
/* Whether files or checkpoints are still being read. */
gboolean   ov_window_is_loading  (OvWindow      *self);

G_END_DECLS
