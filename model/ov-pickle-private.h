/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * What the pickle reader shares with the checkpoint containers: the value
 * tree's layout and a parser over an in-memory buffer that reports how many
 * bytes one pickle took (the legacy torch format is several pickles in a row).
 */
#pragma once

#include "ov-pickle.h"
#include "ov-state-dict.h"

G_BEGIN_DECLS

typedef struct _OvPickleArena OvPickleArena;

struct _OvPickleValue {
  OvPickleKind    kind;
  OvPickleArena  *arena;     /* set on the root only: freeing the root frees all */

  gint64          i;         /* INT, BOOL */
  double          f;         /* FLOAT */
  char           *str;       /* STRING (UTF-8, NUL-terminated), BYTES; GLOBAL / OBJECT name */
  gsize           len;       /* bytes in str */
  GByteArray     *big;       /* INT wider than 64 bits: little-endian two's complement */

  GPtrArray      *items;     /* LIST items, DICT values, OBJECT arguments */
  gboolean        unordered; /* LIST: a set or frozenset, whose order means nothing */
  GPtrArray      *keys;      /* DICT keys as strings */
  GHashTable     *index;     /* DICT: key -> position + 1 */
  OvPickleValue  *state;     /* OBJECT / DICT: attribute dict set by BUILD, or NULL */

  /* STORAGE (a persistent id): str = key; TENSOR: storage points to one. */
  OvDType         dtype;
  gint64          numel;     /* STORAGE: elements; */
  char           *location;  /* STORAGE: "cpu", "cuda:0" */
  gint64          view_offset;  /* STORAGE of a legacy view: elements into the root storage */
  OvPickleValue  *storage;   /* TENSOR */
  gint64          offset;    /* TENSOR: storage offset in elements */
  int             n_dims;
  gint64          shape[OV_TENSOR_MAX_DIMS];
  gint64          stride[OV_TENSOR_MAX_DIMS];
};

/* Parses one pickle that starts at data[0]. On success *consumed (if not
 * NULL) is the number of bytes up to and including STOP. `what` names the
 * input in messages (a file, or "file:member"). */
OvPickleValue *_ov_pickle_parse          (const guint8   *data,
                                          gsize           len,
                                          const char     *what,
                                          gsize          *consumed,
                                          GError        **error);

/* Every value of the pickle whose root is `root`, in creation order. */
GPtrArray     *_ov_pickle_all_values     (const OvPickleValue *root);

/* TRUE when v is the integer torch writes first in its legacy format. */
gboolean       _ov_pickle_is_torch_legacy_magic (const OvPickleValue *v);

/* Reads the root pickle of any file ov_pickle_load_file accepts (in
 * ov-state-dict.c, which knows the containers). */
OvPickleValue *_ov_torch_file_load_pickle (const char *path,
                                           GError    **error);

G_END_DECLS
