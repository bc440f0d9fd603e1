/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * For pre-training checkpoints: predictions for [MASK] words of a caption
 * (click a word to mask it), and the image-text match probability with this
 * image's tags and with another image's.
 */
#pragma once

#include "ov-panel.h"

G_BEGIN_DECLS

#define OV_TYPE_MASK_PANEL (ov_mask_panel_get_type ())

G_DECLARE_FINAL_TYPE (OvMaskPanel, ov_mask_panel, OV, MASK_PANEL, OvPanel)

void          ov_mask_panel_set_text          (OvMaskPanel *self,
                                               const char  *text);
/* Tags of another image, for the swapped match. */
void          ov_mask_panel_set_other_tags    (OvMaskPanel *self,
                                               const char  *tags);
/* [MASK] positions predicted in the last result. */
guint         ov_mask_panel_get_n_predictions (OvMaskPanel *self);
/* The heading of the index-th [MASK]'s predictions (the word it took the
 * place of, or its number), or NULL past the last. */
const char   *ov_mask_panel_get_prediction_title (OvMaskPanel *self,
                                                  guint        index);
/* As clicking the index-th word: masks it, or puts back what it hid. */
void          ov_mask_panel_toggle_word       (OvMaskPanel *self,
                                               guint        index);
/* The last match probabilities; NaN before the first. */
OvMatchResult ov_mask_panel_get_match         (OvMaskPanel *self);

G_END_DECLS
