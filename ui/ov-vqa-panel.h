/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Questions about the image: an entry with history, and the top answers as
 * bars, refreshed while the user types.
 */
#pragma once

#include "ov-panel.h"

G_BEGIN_DECLS

#define OV_TYPE_VQA_PANEL (ov_vqa_panel_get_type ())

G_DECLARE_FINAL_TYPE (OvVqaPanel, ov_vqa_panel, OV, VQA_PANEL, OvPanel)

void        ov_vqa_panel_set_question  (OvVqaPanel *self,
                                        const char *question);
void        ov_vqa_panel_focus         (OvVqaPanel *self);
/* The question in the entry, stripped (property "question"), or NULL. */
const char *ov_vqa_panel_get_question  (OvVqaPanel *self);
/* The best answer shown, or NULL. */
const char *ov_vqa_panel_get_top_answer (OvVqaPanel *self);
guint       ov_vqa_panel_get_n_runs    (OvVqaPanel *self);
/* The note beside the answers naming the question's words the model reads
 * as [UNK], or NULL while it is hidden (every word known). */
const char *ov_vqa_panel_get_unknown_note (OvVqaPanel *self);
/* The line of reference answers under the question, or NULL while hidden
 * (the question is not one of the sample's own, or it has no reference). */
const char *ov_vqa_panel_get_reference (OvVqaPanel *self);
/* How many of the sample's own questions are listed under the answers (0
 * while the list is hidden), and activating one of those rows. */
guint       ov_vqa_panel_get_n_own_questions   (OvVqaPanel *self);
void        ov_vqa_panel_activate_own_question (OvVqaPanel *self,
                                                guint       index);
/* The menu of questions: the sample's own, then earlier ones. */
GMenuModel *ov_vqa_panel_get_question_menu (OvVqaPanel *self);

G_END_DECLS
