/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: the tokenizer on arbitrary bytes (invalid UTF-8, NULs, huge
 * words) with BERT's real vocabulary, and decoding of arbitrary ids.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "model/ov-tokenizer.h"

#include <string.h>

static OvTokenizer *tok;

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GPtrArray) words = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *raw = NULL;
  g_autofree gint32 *raw_ids = NULL;
  gsize n_raw = size / 4;

  if (tok == NULL)
    {
      g_autofree char *vocab = ov_fuzz_shared_file ("data/vocab/bert-base-uncased-vocab.txt");
      g_autofree char *fallback = g_build_filename (OV_SOURCE_DIR, "tests", "fixtures",
                                                    "pretrain_tiny", "vocab.txt", NULL);
      g_autoptr(GError) error = NULL;

      ov_fuzz_dir ();  /* logging set-up */
      tok = ov_tokenizer_new_from_files (vocab != NULL ? vocab : fallback, NULL, NULL, TRUE,
                                         &error);
      g_assert_no_error (error);
    }

  pieces = ov_tokenizer_tokenize (tok, text);
  words = ov_tokenizer_basic_tokenize (tok, text);
  ids = ov_tokenizer_encode (tok, text);
  g_assert (ids->len == pieces->len);
  for (guint i = 0; i < pieces->len; i++)
    g_assert (g_utf8_validate (g_ptr_array_index (pieces, i), -1, NULL));
  decoded = ov_tokenizer_decode (tok, (const gint32 *) (gpointer) ids->data, ids->len, TRUE);
  g_assert (decoded != NULL && g_utf8_validate (decoded, -1, NULL));

  /* The same bytes as token ids, most of them out of range. */
  raw_ids = g_new (gint32, n_raw + 1);
  memcpy (raw_ids, data, n_raw * 4);
  raw = ov_tokenizer_decode (tok, raw_ids, n_raw, size % 2 == 0);
  g_assert (raw != NULL);
  return 0;
}
