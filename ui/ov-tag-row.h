/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * One row of the tag list: the tag's colour, editable text, region and
 * confidence, and the switch that takes it in or out of the model input.
 */
#pragma once

#include <adwaita.h>

#include "ov-session.h"

G_BEGIN_DECLS

#define OV_TYPE_TAG_ROW (ov_tag_row_get_type ())

G_DECLARE_FINAL_TYPE (OvTagRow, ov_tag_row, OV, TAG_ROW, AdwEntryRow)

GtkWidget *ov_tag_row_new      (OvSession *session,
                                OvTagItem *item);
OvTagItem *ov_tag_row_get_item (OvTagRow  *self);

G_END_DECLS
