/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: Oscar's VQA question files (ov_vqa_json_load).
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "data/ov-formats.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = ov_fuzz_write ("vqa.json", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) samples = ov_vqa_json_load (path, &error);

  g_assert ((samples == NULL) == (error != NULL));
  return 0;
}
