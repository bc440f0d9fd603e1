/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The answer vocabulary of a VQA classifier head: class index -> answer
 * string. Read from a text file (one answer per line), a JSON list, a JSON
 * dict answer -> index, or Oscar's label2ans.pkl / ans2label.pkl pickles.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OvAnswerList OvAnswerList;

/* As Oscar's run_vqa: its classes are labels = list(ans2label.values()),
 * and class i answers label2ans[labels[i]]. So a dict {answer: label}
 * (ans2label; its labels must be 0..n-1, each once) gives class i its i-th
 * answer in the file's order, and a list (label2ans) with an ans2label
 * beside it (the same name with "ans2label" for "label2ans", .pkl or
 * .json) is read through that dict's labels; a list alone is in class
 * order. Where the dict lists its answers in label order, as every
 * ans2label written by enumerating does, all of these agree. */
OvAnswerList *ov_answer_list_load    (const char     *path,
                                      GError        **error);
/* The same from an in-memory list (copied). */
OvAnswerList *ov_answer_list_new     (const char * const *answers,
                                      guint               n);
void          ov_answer_list_free    (OvAnswerList   *list);
guint         ov_answer_list_get_n   (OvAnswerList   *list);
/* NULL when i is out of range. */
const char   *ov_answer_list_get     (OvAnswerList   *list,
                                      guint           i);
/* The label of class i (Oscar's labels[i], the number the answers of a
 * qla file give), i itself for a list without an ans2label; -1 when i is
 * out of range. */
gint64        ov_answer_list_get_label    (OvAnswerList *list,
                                           guint         i);
/* The answer of a label (as the qla file's "an" numbers it), or NULL. */
const char   *ov_answer_list_get_by_label (OvAnswerList *list,
                                           gint64        label);
/* The index of an answer, or -1. */
int           ov_answer_list_find    (OvAnswerList   *list,
                                      const char     *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvAnswerList, ov_answer_list_free)

G_END_DECLS
