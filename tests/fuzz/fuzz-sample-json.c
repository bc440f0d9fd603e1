/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: our hand-writable sample JSON (ov_sample_json_load); each
 * sample read is also turned into model inputs and back into JSON.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "data/ov-formats.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = ov_fuzz_write ("sample.json", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) samples = ov_sample_json_load (path, &error);

  g_assert ((samples == NULL) == (error != NULL));
  if (samples == NULL)
    return 0;
  for (guint i = 0; i < samples->len; i++)
    {
      OvSample *sample = g_ptr_array_index (samples, i);
      g_autoptr(OvSample) copy = ov_sample_copy (sample);
      g_autoptr(JsonNode) node = ov_sample_to_json (sample);
      g_autofree char *tags = ov_sample_dup_tag_string (sample);
      g_autoptr(GError) local = NULL;

      g_assert (node != NULL && tags != NULL);
      (void) ov_sample_check_boxes (copy, "fuzz", NULL);
      if (copy->features != NULL)
        (void) ov_sample_build_region_vectors (copy, &local);
    }
  return 0;
}
