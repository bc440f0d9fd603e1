/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A horizontal bar chart of answers and their sigmoid scores (0..1).
 */
#pragma once

#include <gtk/gtk.h>

#include "ov-session.h"

G_BEGIN_DECLS

#define OV_TYPE_ANSWER_CHART (ov_answer_chart_get_type ())

G_DECLARE_FINAL_TYPE (OvAnswerChart, ov_answer_chart, OV, ANSWER_CHART, GtkWidget)

GtkWidget *ov_answer_chart_new         (void);
/* Copies answers; NULL empties the chart. */
void       ov_answer_chart_set_answers (OvAnswerChart   *self,
                                        const OvAnswers *answers);
guint      ov_answer_chart_get_n       (OvAnswerChart   *self);
/* Answer i's text, or NULL. */
const char *ov_answer_chart_get_label  (OvAnswerChart   *self,
                                        guint            i);

G_END_DECLS
