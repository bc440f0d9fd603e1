/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: base64 fields of feature files (ov_base64_decode_strict and
 * ov_base64_decode_floats).
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "data/ov-formats.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autofree guchar *bytes = NULL;
  g_autofree float *values = NULL;
  gsize n_bytes = 0, n_values = 0;

  ov_fuzz_dir ();  /* logging set-up */
  bytes = ov_base64_decode_strict ((const char *) data, size, &n_bytes, "fuzz", &error);
  g_assert ((bytes == NULL) == (error != NULL));
  if (bytes != NULL)
    g_assert (n_bytes <= size);
  values = ov_base64_decode_floats ((const char *) data, size, &n_values, "fuzz", &error2);
  g_assert ((values == NULL) == (error2 != NULL));
  if (values != NULL)
    g_assert (n_values * 4 <= size);
  return 0;
}
