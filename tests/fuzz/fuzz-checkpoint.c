/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: checkpoints through ov_state_dict_load (torch zip archives,
 * legacy torch files, safetensors; the magic bytes decide). Every tensor's
 * data is read in full, so a view past its storage shows up under
 * AddressSanitizer.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "model/ov-state-dict.h"

#ifndef OV_FUZZ_FILE_NAME
#define OV_FUZZ_FILE_NAME "pytorch_model.bin"
#endif

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = ov_fuzz_write (OV_FUZZ_FILE_NAME, data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvStateDict) sd = ov_state_dict_load (path, &error);
  volatile float sink = 0.f;

  g_assert ((sd == NULL) == (error != NULL));
  if (sd == NULL)
    return 0;
  for (guint i = 0; i < ov_state_dict_get_n_tensors (sd); i++)
    {
      const OvTensor *t = ov_state_dict_get_nth (sd, i);
      g_autofree float *owned = NULL;
      const float *values;

      g_assert (t != NULL && t->name != NULL);
      g_assert (ov_state_dict_lookup (sd, t->name) != NULL);
      g_assert (t->n_elements >= 0);
      values = ov_tensor_as_f32 (t, &owned);
      if (values != NULL)
        for (gint64 k = 0; k < t->n_elements; k++)
          sink += values[k];
      else if (t->n_elements > 0)
        for (gint64 k = 0; k < t->n_elements * (gint64) ov_dtype_size (t->dtype); k++)
          sink += ((const guint8 *) t->data)[k];
    }
  (void) sink;
  return 0;
}
