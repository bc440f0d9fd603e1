/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: config.json, loaded by ov_model_load from a folder that also
 * holds a small valid vocabulary and checkpoint (tests/fixtures/pretrain_tiny),
 * so sizes the config claims meet real weights.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "model/ov-model.h"

static char *model_dir;

static void
copy_fixture (const char *name)
{
  g_autofree char *src = g_build_filename (OV_SOURCE_DIR, "tests", "fixtures", "pretrain_tiny",
                                           name, NULL);
  g_autofree char *dst = g_build_filename (ov_fuzz_dir (), name, NULL);
  g_autofree char *text = NULL;
  gsize len;

  if (!g_file_get_contents (src, &text, &len, NULL)
      || !g_file_set_contents (dst, text, (gssize) len, NULL))
    g_error ("cannot copy %s", src);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) model = NULL;
  OvModelOptions opts;

  if (model_dir == NULL)
    {
      copy_fixture ("vocab.txt");
      copy_fixture ("pytorch_model.bin");
      model_dir = g_strdup (ov_fuzz_dir ());
    }
  path = ov_fuzz_write ("config.json", data, size);
  ov_model_options_init (&opts);
  opts.device = OV_DEVICE_CPU;
  opts.n_threads = 1;
  model = ov_model_load (model_dir, &opts, &error);
  g_assert ((model == NULL) == (error != NULL));
  if (model != NULL)
    (void) ov_model_get_warnings (model);
  return 0;
}
