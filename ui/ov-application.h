/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The GtkApplication: command line, application actions, settings.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OV_TYPE_APPLICATION (ov_application_get_type ())

G_DECLARE_FINAL_TYPE (OvApplication, ov_application, OV, APPLICATION, AdwApplication)

/* Makes sure the settings schema can be found, from the build tree when the
 * program runs uninstalled; FALSE with an error saying what to do. Call it
 * before any thread starts. */
gboolean       ov_application_find_settings (GError  **error);
OvApplication *ov_application_new          (void);
GSettings     *ov_application_get_settings (OvApplication *self);

G_END_DECLS
