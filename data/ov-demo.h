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

/* What every command and the window make of --model NAME: a path that
 * exists is taken as it is (it must be a folder), else a bundled model's
 * name (demo, demo-vqa, demo-pretrain, demo-notags). Returns the folder,
 * or NULL with an error that names NAME and says what --model takes. */
char              *ov_demo_resolve_model     (const char *name,
                                              GError    **error);
/* The same for --dataset NAME: a path that exists as it is, else "demo"
 * for the bundled held-out scenes. A folder is refused with the split
 * yaml files it holds as the hint. Returns the dataset file. */
char              *ov_demo_resolve_dataset   (const char *name,
                                              GError    **error);

G_END_DECLS
