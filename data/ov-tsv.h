/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Random access into TSV files of any size (§7.1): row offsets come from
 * the `.lineidx` beside the file (or one scan when there is none), rows are
 * read with pread at those offsets, and the file is never loaded whole.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _OvTsv OvTsv;

/* Called with the fraction done (0..1) while a large row or a scan is read. */
typedef void (*OvProgressFunc) (double fraction, gpointer user_data);

OvTsv      *ov_tsv_open          (const char     *path,
                                  GCancellable   *cancellable,
                                  GError        **error);
void        ov_tsv_free          (OvTsv          *tsv);
const char *ov_tsv_get_path      (OvTsv          *tsv);
guint       ov_tsv_get_n_rows    (OvTsv          *tsv);
guint64     ov_tsv_get_size      (OvTsv          *tsv);
/* TRUE when the offsets came from a .lineidx file rather than a scan. */
gboolean    ov_tsv_has_lineidx   (OvTsv          *tsv);
/* Row `row` without its line end; NULL and an error past the end or on a
 * read failure. Reports progress for rows over a few megabytes. */
char       *ov_tsv_read_row      (OvTsv          *tsv,
                                  guint           row,
                                  OvProgressFunc  progress,
                                  gpointer        progress_data,
                                  GCancellable   *cancellable,
                                  GError        **error);
/* At most max_bytes from the start of a row (for sniffing formats). */
char       *ov_tsv_read_row_prefix (OvTsv       *tsv,
                                    guint        row,
                                    gsize        max_bytes,
                                    GError     **error);
/* First column of a row, read without reading the rest. */
char       *ov_tsv_read_key      (OvTsv          *tsv,
                                  guint           row,
                                  GError        **error);
/* Row of a key: from imageid2idx.json beside the file when there is one,
 * else from one pass over the first columns (done once, then kept). -1
 * with an OV_ERROR_MISSING error when the key is absent. */
gint64      ov_tsv_find_key      (OvTsv          *tsv,
                                  const char     *key,
                                  GCancellable   *cancellable,
                                  GError        **error);
/* The .lineidx path that goes with a .tsv path (same stem). */
char       *ov_tsv_lineidx_path  (const char     *tsv_path);
/* Writes path.lineidx for an existing TSV (what Oscar's
 * generate_lineidx_file does). */
gboolean    ov_tsv_write_lineidx (const char     *tsv_path,
                                  GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvTsv, ov_tsv_free)

G_END_DECLS
