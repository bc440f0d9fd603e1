/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: any file ov_pickle_load_file reads (plain pickles such as
 * label2ans.pkl or training_args.bin, legacy torch files and torch zip
 * archives); the value found is walked through the public accessors.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "model/ov-pickle.h"

static void
walk (const OvPickleValue *v,
      int                  depth)
{
  gsize len;

  if (v == NULL || depth > 64)
    return;
  (void) ov_pickle_value_int (v);
  (void) ov_pickle_value_float (v);
  (void) ov_pickle_value_string (v);
  (void) ov_pickle_value_global (v);
  (void) ov_pickle_value_bytes (v, &len);
  for (guint i = 0; i < ov_pickle_value_n_items (v) && i < 4096; i++)
    {
      const char *key = ov_pickle_value_nth_key (v, i);

      walk (ov_pickle_value_nth (v, i), depth + 1);
      if (key != NULL)
        (void) ov_pickle_value_lookup (v, key);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = ov_fuzz_write ("input.pkl", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvPickleValue) root = ov_pickle_load_file (path, &error);

  g_assert ((root == NULL) == (error != NULL));
  walk (root, 0);
  return 0;
}
