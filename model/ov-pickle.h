/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A restricted pickle reader. It builds a small value tree and accepts only
 * the globals a state dict, an argparse.Namespace (training_args.bin) or an
 * answer-list pickle needs; any other global is refused with an error that
 * names it. Nothing pickled is ever executed.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OV_PICKLE_NONE,
  OV_PICKLE_BOOL,
  OV_PICKLE_INT,
  OV_PICKLE_FLOAT,
  OV_PICKLE_STRING,
  OV_PICKLE_BYTES,
  OV_PICKLE_LIST,     /* list or tuple */
  OV_PICKLE_DICT,     /* dict, OrderedDict, or an object's attribute dict */
  OV_PICKLE_OBJECT,   /* an allowed global applied to arguments (e.g. torch.device) */
  OV_PICKLE_TENSOR,   /* the result of _rebuild_tensor_v2 */
  OV_PICKLE_GLOBAL,   /* an allowed global itself (torch.FloatStorage, torch.float16) */
  OV_PICKLE_STORAGE,  /* a torch storage reference (persistent id) */
} OvPickleKind;

typedef struct _OvPickleValue OvPickleValue;

/* Reads the pickle from a file of Oscar's training_args.bin / label2ans.pkl
 * kind (a plain pickle, or a torch zip / legacy container around one) and
 * returns its root value. */
OvPickleValue *ov_pickle_load_file       (const char     *path,
                                          GError        **error);
void           ov_pickle_value_free      (OvPickleValue  *v);
OvPickleKind   ov_pickle_value_kind      (const OvPickleValue *v);
gint64         ov_pickle_value_int       (const OvPickleValue *v);
double         ov_pickle_value_float     (const OvPickleValue *v);   /* INT and BOOL too */
const char    *ov_pickle_value_string    (const OvPickleValue *v);
guint          ov_pickle_value_n_items   (const OvPickleValue *v);   /* LIST and DICT */
/* Whether a LIST was a set or frozenset: its items' order means nothing. */
gboolean       ov_pickle_value_is_set    (const OvPickleValue *v);
const OvPickleValue *ov_pickle_value_nth (const OvPickleValue *v, guint i);
/* DICT: the key of the i-th item (a string or an int as a string). */
const char    *ov_pickle_value_nth_key   (const OvPickleValue *v, guint i);
const OvPickleValue *ov_pickle_value_lookup (const OvPickleValue *v, const char *key);
/* OBJECT (or GLOBAL): "module.name" of its global. An OBJECT with a state
 * (argparse.Namespace after BUILD) answers n_items / nth / nth_key / lookup
 * from its attribute dict; one without (torch.device('cpu')) from its
 * constructor arguments. */
const char    *ov_pickle_value_global    (const OvPickleValue *v);
/* BYTES (or STRING): the raw bytes and their count. */
const guint8  *ov_pickle_value_bytes     (const OvPickleValue *v, gsize *len);
/* Every accessor accepts NULL and then answers 0 / NULL, so lookups chain. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvPickleValue, ov_pickle_value_free)

G_END_DECLS
