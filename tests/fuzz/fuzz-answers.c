/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: VQA answer lists (ov_answer_list_load: pickles, JSON lists
 * and dicts, plain text).
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "model/ov-answers.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = ov_fuzz_write ("answers", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvAnswerList) list = ov_answer_list_load (path, &error);

  g_assert ((list == NULL) == (error != NULL));
  if (list == NULL)
    return 0;
  for (guint i = 0; i < ov_answer_list_get_n (list); i++)
    {
      const char *answer = ov_answer_list_get (list, i);

      g_assert (answer != NULL);
      g_assert (ov_answer_list_find (list, answer) >= 0);
    }
  return 0;
}
