/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The headless subcommands of oscarviz. Each takes the arguments after its
 * own name and returns the process exit status.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef int (*OvCommandFunc) (int argc, char **argv);

typedef struct {
  const char   *name;
  OvCommandFunc func;
  const char   *summary;
} OvCommand;

/* The table lives in main.c; each command in its own cmd-*.c. */
int ov_cmd_version (int argc, char **argv);
int ov_cmd_inspect (int argc, char **argv);
int ov_cmd_attention (int argc, char **argv);
int ov_cmd_embed (int argc, char **argv);
int ov_cmd_align (int argc, char **argv);
int ov_cmd_tsne    (int argc, char **argv);
int ov_cmd_devices (int argc, char **argv);

G_END_DECLS
