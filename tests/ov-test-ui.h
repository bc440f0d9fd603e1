/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * What the window tests share: keys handed to a widget as the window hands
 * them, and a widget's pixels as the window paints them.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Hands a key press to widget's key controllers, as the window does when
 * widget has the focus; returns whether one took it. */
gboolean         ov_test_press_key     (GtkWidget       *widget,
                                        guint            keyval,
                                        GdkModifierType  state);
/* The widget as the window paints it, as an RGB24 surface. */
cairo_surface_t *ov_test_render_widget (GtkWidget       *widget);

G_END_DECLS
