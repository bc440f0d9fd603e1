/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The preferences: backend, threads, decoding defaults, the confidence
 * threshold and the colour scheme, all kept in GSettings.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OV_TYPE_PREFERENCES_WINDOW (ov_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (OvPreferencesWindow, ov_preferences_window, OV, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

OvPreferencesWindow *ov_preferences_window_new (GSettings *settings);

G_END_DECLS
