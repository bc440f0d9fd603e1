/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Shared by the fuzz targets: the libFuzzer entry point's prototype, a
 * per-process scratch folder the readers' file paths point into, and the
 * logging set-up that turns a GLib critical (a broken precondition inside our
 * code) into a crash the fuzzer reports.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int   LLVMFuzzerTestOneInput (const uint8_t *data,
                              size_t         size);

/* Creates the scratch folder on first use; removed at exit. */
const char *ov_fuzz_dir      (void);

/* Writes data to NAME inside the scratch folder and returns its path. */
char  *ov_fuzz_write         (const char    *name,
                              const uint8_t *data,
                              size_t         size);

/* Path of a file in the shared reference data (OV_SHARED_DIR), or NULL when
 * that folder is not there. */
char  *ov_fuzz_shared_file   (const char    *relative);

G_END_DECLS
