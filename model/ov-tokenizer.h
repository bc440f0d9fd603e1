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

/* vocab.txt is required; added_tokens_path and special_tokens_map_path may
 * be NULL or missing files. The vocabulary (or the added tokens) must hold
 * [PAD] [UNK] [CLS] [SEP] [MASK], or the strings special_tokens_map.json
 * gives them ({"unk_token": ..., "mask_token": ...}, each a string or an
 * object with a "content" string); its bos_token, eos_token and
 * additional_special_tokens are special tokens too. Lines are read as
 * Python reads them: UTF-8, "\n", "\r\n" or a lone "\r" end a line, any other
 * character (spaces too) is part of the token, line n is id n, and a token
 * repeated on a later line takes that later id. added_tokens.json is an
 * object of token -> id; those ids win over the vocabulary's.
 * The tokenizer never changes after loading, so threads may share it. */
OvTokenizer *ov_tokenizer_new_from_files (const char   *vocab_path,
                                          const char   *added_tokens_path,
                                          const char   *special_tokens_map_path,
                                          gboolean      do_lower_case,
                                          GError      **error);
void         ov_tokenizer_free           (OvTokenizer  *tok);
/* How many vocabulary lines repeat the token of an earlier line (whose
 * id is then lost: the later line's wins, as in Python); the first such
 * token's earlier and later ids (may be NULL; -1 when none). */
guint        ov_tokenizer_get_duplicates (OvTokenizer  *tok,
                                          gint32       *first_id,
                                          gint32       *later_id);

/* Word pieces of text, as strings (special tokens in the text pass through).
 * text is UTF-8; invalid sequences count as U+FFFD, which BERT's clean-up
 * deletes (as NUL-terminated text it cannot hold U+0000, which BERT deletes
 * too). Returns a new array of strings (free with g_ptr_array_unref). */
GPtrArray   *ov_tokenizer_tokenize       (OvTokenizer  *tok,
                                          const char   *text);
/* The basic tokenizer's words of text (before WordPiece), same rules. */
GPtrArray   *ov_tokenizer_basic_tokenize (OvTokenizer  *tok,
                                          const char   *text);
/* The words of text (as ov_tokenizer_basic_tokenize cuts them) that
 * WordPiece cannot build from the vocabulary, so that the model reads each
 * as one [UNK], in order; special and added tokens count as known, and a
 * lone punctuation mark ("?") counts as no word. *n_words (may be NULL)
 * receives the number of words. Returns a new array of strings, empty when
 * every word is known. */
GPtrArray   *ov_tokenizer_unknown_words  (OvTokenizer  *tok,
                                          const char   *text,
                                          guint        *n_words);
/* The same with each word once, as for a list of tags where a class
 * comes many times; *n_words counts distinct words. */
GPtrArray   *ov_tokenizer_unknown_distinct_words (OvTokenizer *tok,
                                                  const char  *text,
                                                  guint       *n_words);
/* Whether BERT's uncased basic tokenizer makes no token at all of text,
 * whatever the vocabulary: text that is empty or holds only white space,
 * control and format characters, NUL or U+FFFD (which its clean step
 * deletes) and non-spacing marks (which its accent strip deletes; a cased
 * tokenizer would keep those). Any other character reads as something, if
 * only [UNK] or "?". */
gboolean     ov_tokenizer_text_is_empty  (const char   *text);
/* Word piece ids of text (tokenize + lookup). */
GArray      *ov_tokenizer_encode         (OvTokenizer  *tok,
                                          const char   *text);   /* of gint32 */
gint32       ov_tokenizer_token_to_id    (OvTokenizer  *tok,
                                          const char   *token);  /* [UNK]'s id if absent */
/* Added tokens first, then the vocabulary line; a line whose token a later
 * line took over reads "[UNK]" (the unknown token's string), as in Python. */
const char  *ov_tokenizer_id_to_token    (OvTokenizer  *tok,
                                          gint32        id);     /* NULL if out of range */
/* Lines of vocab.txt (ids 0 .. n-1). Python's vocab_size counts distinct
 * tokens instead, which differs only when a vocabulary repeats a line. */
/* The first id whose token differs between the two (vocabulary lines and
 * added tokens), or -1 when they read every id alike. */
gint64       ov_tokenizer_first_difference (OvTokenizer *a,
                                            OvTokenizer *b);
guint        ov_tokenizer_get_vocab_size (OvTokenizer  *tok);
guint        ov_tokenizer_get_n_added_tokens (OvTokenizer *tok);

/* decode(ids, skip_special_tokens) with clean_up_tokenization. Ids outside
 * the vocabulary decode as "[UNK]". Returns a new string. */
char        *ov_tokenizer_decode         (OvTokenizer  *tok,
                                          const gint32 *ids,
                                          gsize         n_ids,
                                          gboolean      skip_special_tokens);

/* Ids of the special tokens (by their names in special_tokens_map.json):
 * an added token's id if one has that name, else the vocabulary line's. */
gint32       ov_tokenizer_pad_id         (OvTokenizer  *tok);
gint32       ov_tokenizer_unk_id         (OvTokenizer  *tok);
gint32       ov_tokenizer_cls_id         (OvTokenizer  *tok);
gint32       ov_tokenizer_sep_id         (OvTokenizer  *tok);
gint32       ov_tokenizer_mask_id        (OvTokenizer  *tok);
/* The mask and unknown tokens' strings ("[MASK]", "[UNK]" unless the map
 * renames them). */
const char  *ov_tokenizer_mask_token     (OvTokenizer  *tok);
const char  *ov_tokenizer_unk_token      (OvTokenizer  *tok);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvTokenizer, ov_tokenizer_free)

G_END_DECLS
