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

/* Dict inputs (answer -> index) must map onto 0..n-1 exactly once each;
 * answer i is the key whose value is i. Oscar's run_vqa.test() answers
 * label2ans[labels[argmax]] with labels = list(ans2label.values()), which is
 * the same thing whenever the dict lists its answers in index order (as every
 * ans2label file written by enumerating does). */
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
/* The index of an answer, or -1. */
int           ov_answer_list_find    (OvAnswerList   *list,
                                      const char     *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvAnswerList, ov_answer_list_free)

G_END_DECLS
