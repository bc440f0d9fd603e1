/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: every TSV reader. The input is a TSV file, optionally followed
 * by a line "#lineidx" and the .lineidx beside it (empty: written by
 * ov_tsv_write_lineidx). Rows are read by number, by key and by prefix, parsed
 * by the row parser their first bytes call for, and the file is opened as a
 * dataset too.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"
#include "data/ov-dataset.h"
#include "data/ov-formats.h"
#include "data/ov-tsv.h"

#include <glib/gstdio.h>
#include <string.h>

#define MARKER "\n#lineidx\n"
#define MAX_ROWS 16

static char *names[] = { "person", "dog", "cat", NULL };
static const OvClassNames class_names = { "names.txt", names, 3 };

static void
parse_row (const char *row)
{
  g_autoptr(OvSample) sample = ov_sample_new ("fuzz");
  g_autofree char *copy = g_strdup (row);
  g_autofree char *key = ov_row_dup_key (row);
  g_autoptr(GError) error = NULL;
  OvFileKind kind = ov_file_sniff_tsv_row (row);
  gboolean ok;

  (void) key;  /* NULL for a row without a key */
  switch (kind)
    {
    case OV_FILE_DETECTIONS_TSV:
      ok = ov_parse_detections_row (sample, copy, "fuzz", &error);
      break;
    case OV_FILE_FEATURE_TSV:
    case OV_FILE_VINVL_FEATURES:
      ok = ov_parse_features_row (sample, kind, copy, "fuzz", &error);
      break;
    case OV_FILE_HW_TSV:
      ok = ov_parse_hw_row (sample, copy, "fuzz", &error);
      break;
    case OV_FILE_BUTD_TSV:
    case OV_FILE_LXMERT_TSV:
      ok = ov_parse_butd_row (sample, kind, copy, &class_names, &class_names, "fuzz",
                              &error);
      break;
    default:
      return;
    }
  g_assert (ok == (error == NULL));
  if (ok && sample->features != NULL)
    {
      g_autoptr(GError) local = NULL;
      (void) ov_sample_build_region_vectors (sample, &local);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *marker = memmem (data, size, MARKER, strlen (MARKER));
  gsize tsv_len = marker != NULL ? (gsize) (marker - data) + 1 : size;
  g_autofree char *path = ov_fuzz_write ("data.tsv", data, tsv_len);
  g_autofree char *lineidx = ov_tsv_lineidx_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(OvTsv) tsv = NULL;
  g_autoptr(OvDataset) dataset = NULL;
  g_autofree char *first_key = NULL;

  g_remove (lineidx);
  if (marker != NULL)
    {
      gsize start = tsv_len - 1 + strlen (MARKER);

      if (start == size)
        {
          g_autoptr(GError) local = NULL;
          gboolean ok = ov_tsv_write_lineidx (path, &local);
          g_assert (ok == (local == NULL));
        }
      else
        g_free (ov_fuzz_write ("data.lineidx", data + start, size - start));
    }

  (void) ov_file_sniff (path, NULL);
  tsv = ov_tsv_open (path, NULL, &error);
  g_assert ((tsv == NULL) == (error != NULL));
  if (tsv != NULL)
    {
      for (guint i = 0; i < ov_tsv_get_n_rows (tsv) && i < MAX_ROWS; i++)
        {
          g_autoptr(GError) e1 = NULL;
          g_autoptr(GError) e2 = NULL;
          g_autoptr(GError) e3 = NULL;
          g_autofree char *key = ov_tsv_read_key (tsv, i, &e1);
          g_autofree char *prefix = ov_tsv_read_row_prefix (tsv, i, 64, &e2);
          g_autofree char *row = ov_tsv_read_row (tsv, i, NULL, NULL, NULL, &e3);

          g_assert ((key == NULL) == (e1 != NULL));
          g_assert ((prefix == NULL) == (e2 != NULL));
          g_assert ((row == NULL) == (e3 != NULL));
          if (prefix != NULL)
            g_assert (strlen (prefix) <= 64);
          if (row != NULL)
            parse_row (row);
          if (first_key == NULL && key != NULL)
            first_key = g_strdup (key);
        }
      if (first_key != NULL)
        {
          g_autoptr(GError) local = NULL;
          gint64 found = ov_tsv_find_key (tsv, first_key, NULL, &local);
          g_assert ((found < 0) == (local != NULL));
        }
    }

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
