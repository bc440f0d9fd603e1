/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Shared pieces of the renderers: the class palette.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double r, g, b;
} OvColor;

/* A colour for class index i that stays distinguishable for a few dozen classes. */
OvColor ov_viz_class_color (guint i);

G_END_DECLS
