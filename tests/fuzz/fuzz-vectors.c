/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Fuzz target: the files the t-SNE and alignment commands read. The input is
 * a vectors file (.npy, CSV, safetensors, or an embeddings file of
 * viz/ov-embed.h), optionally followed by a line "#META" and the JSON that
 * sits beside an embeddings file (FILE.json). It goes through
 * ov_tsne_load_vectors, ov_tsne_load_labels (the same bytes read as a
 * labels file), ov_embeddings_load and, when that succeeds, ov_align_compute.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ov-fuzz.h"
#include "viz/ov-align.h"
#include "viz/ov-embed.h"
#include "viz/ov-tsne-io.h"

static const char meta_mark[] = "\n#META\n";

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *meta = NULL;
  size_t n_vec = size, n_meta = 0;
  g_autofree char *path = NULL;
  g_autofree char *meta_path = NULL;
  g_autoptr(GError) error = NULL;
  gsize n = 0, dim = 0;
  OvTsneLabels *labels = NULL;
  float *x;

  meta = memmem (data, size, meta_mark, sizeof meta_mark - 1);
  if (meta != NULL)
    {
      n_vec = (size_t) (meta - data);
      meta += sizeof meta_mark - 1;
      n_meta = size - (size_t) (meta - data);
    }
  path = ov_fuzz_write ("vectors", data, n_vec);
  meta_path = g_strconcat (path, ".json", NULL);
  if (meta != NULL)
    g_free (ov_fuzz_write ("vectors.json", meta, n_meta));
  else
    g_remove (meta_path);

  x = ov_tsne_load_vectors (path, &n, &dim, &labels, &error);
  g_assert ((x == NULL) == (error != NULL));
  if (x != NULL)
    {
      g_assert (n > 0 && dim > 0);
      for (gsize i = 0; i < n * dim; i++)
        g_assert (isfinite (x[i]));
      if (labels != NULL)
        {
          g_assert (labels->n == n);
          for (gsize i = 0; i < n; i++)
            g_assert (labels->ids[i] < labels->n_names);
        }
    }
  g_free (x);
  g_clear_pointer (&labels, ov_tsne_labels_free);
  g_clear_error (&error);

  /* the same bytes as a labels file, for a few plausible counts */
  for (gsize count = 1; count <= 4; count++)
    {
      labels = ov_tsne_load_labels (path, count, &error);
      g_assert ((labels == NULL) == (error != NULL));
      if (labels != NULL)
        {
          g_assert (labels->n == count);
          for (gsize i = 0; i < count; i++)
            g_assert (labels->ids[i] < labels->n_names && labels->names[labels->ids[i]] != NULL);
        }
      g_clear_pointer (&labels, ov_tsne_labels_free);
      g_clear_error (&error);
    }

  {
    OvEmbeddings *emb = ov_embeddings_load (path, &error);

    g_assert ((emb == NULL) == (error != NULL));
    if (emb != NULL)
      {
        OvAlignment *a;

        for (guint i = 0; i < emb->n; i++)
          {
            g_assert ((guint) emb->classes[i] < emb->class_names->len);
            g_assert ((guint) emb->images[i] < emb->image_keys->len);
          }
        g_clear_error (&error);
        a = ov_align_compute (emb, "fuzz", &error);
        g_assert ((a == NULL) == (error != NULL));
        if (a != NULL)
          {
            g_free (ov_align_format_table (a));
            ov_alignment_free (a);
          }
        ov_embeddings_free (emb);
      }
  }
  return 0;
}
