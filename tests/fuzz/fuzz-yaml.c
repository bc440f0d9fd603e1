/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: dataset yaml files (ov_dataset_yaml_load), then the dataset
 * they describe (ov_dataset_open): the files it names mostly do not exist,
 * which must be reported, not crashed on.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "data/ov-dataset.h"
#include "data/ov-formats.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = ov_fuzz_write ("dataset.yaml", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(GHashTable) table = ov_dataset_yaml_load (path, &error);
  g_autoptr(OvDataset) dataset = NULL;

  g_assert ((table == NULL) == (error != NULL));
  dataset = ov_dataset_open (path, NULL, &error2);
  g_assert ((dataset == NULL) == (error2 != NULL));
  if (dataset != NULL)
    for (guint i = 0; i < ov_dataset_get_n_samples (dataset) && i < 4; i++)
      {
        g_autoptr(GError) local = NULL;
        g_autoptr(OvSample) sample = ov_dataset_load_sample (dataset, i, NULL, NULL, NULL,
                                                              &local);
        g_assert ((sample == NULL) == (local != NULL));
      }
  return 0;
}
