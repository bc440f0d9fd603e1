/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * BERT's uncased basic tokenizer and WordPiece, as pytorch-transformers 1.0
 * runs them for Oscar, plus decoding back to text with its clean-up rules.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OvTokenizer OvTokenizer;

/* vocab.txt is required; added_tokens_path may be NULL or a missing file.
 * The vocabulary must hold [PAD] [UNK] [CLS] [SEP] [MASK]. */
OvTokenizer *ov_tokenizer_new_from_files (const char   *vocab_path,
                                          const char   *added_tokens_path,
                                          gboolean      do_lower_case,
                                          GError      **error);
void         ov_tokenizer_free           (OvTokenizer  *tok);

/* Word pieces of text, as strings (special tokens in the text pass through). */
GPtrArray   *ov_tokenizer_tokenize       (OvTokenizer  *tok,
                                          const char   *text);
/* Word piece ids of text (tokenize + lookup). */
GArray      *ov_tokenizer_encode         (OvTokenizer  *tok,
                                          const char   *text);   /* of gint32 */
gint32       ov_tokenizer_token_to_id    (OvTokenizer  *tok,
                                          const char   *token);  /* [UNK]'s id if absent */
const char  *ov_tokenizer_id_to_token    (OvTokenizer  *tok,
                                          gint32        id);     /* NULL if out of range */
guint        ov_tokenizer_get_vocab_size (OvTokenizer  *tok);

/* decode(ids, skip_special_tokens) with clean_up_tokenization. */
char        *ov_tokenizer_decode         (OvTokenizer  *tok,
                                          const gint32 *ids,
                                          gsize         n_ids,
                                          gboolean      skip_special_tokens);

gint32       ov_tokenizer_pad_id         (OvTokenizer  *tok);
gint32       ov_tokenizer_unk_id         (OvTokenizer  *tok);
gint32       ov_tokenizer_cls_id         (OvTokenizer  *tok);
gint32       ov_tokenizer_sep_id         (OvTokenizer  *tok);
gint32       ov_tokenizer_mask_id        (OvTokenizer  *tok);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvTokenizer, ov_tokenizer_free)

G_END_DECLS
