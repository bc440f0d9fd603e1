/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Where the bundled demo lives: the models the project trained on its own
 * synthetic world and a few held-out scenes, found in the source tree when
 * running uninstalled, else under the install prefix.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Model folders: "demo" (captioning), "demo-vqa", "demo-pretrain",
 * "demo-notags" (captioning trained without tags). Returns the folder path,
 * or NULL with an error naming the folders searched. */
char              *ov_demo_find              (const char *name,
                                              GError    **error);
/* Datasets: "demo" (the held-out scenes). Returns the path of the dataset's
 * yaml file. */
char              *ov_demo_find_dataset      (const char *name,
                                              GError    **error);
/* The model names ov_demo_find() knows, NULL-terminated, static. */
const char *const *ov_demo_model_names       (void);

G_END_DECLS
