/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The BERT tokenizer against the outputs of Oscar's own Python tokenizer:
 * the shared edge cases, the published SQuAD questions and the oracle case,
 * plus vocabulary files that are broken or unusual in known ways.
 */
#define G_LOG_DOMAIN "test-tokenizer"

#include <string.h>

#include <glib/gstdio.h>

#include "model/ov-error.h"
#include "model/ov-tokenizer.h"
#include "ov-test-util.h"

static OvTokenizer *
load_real_vocab (void)
{
  g_autofree char *path = ov_test_shared_path ("data", "vocab", "bert-base-uncased-vocab.txt",
                                               NULL);
  g_autoptr(GError) error = NULL;
  OvTokenizer *tok = ov_tokenizer_new_from_files (path, NULL, NULL, TRUE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tok);
  return tok;
}

/* Both lists as JSON text, so a failure shows the two side by side. */
static char *
strings_to_json (GPtrArray *strings)
{
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < strings->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (strings, i));
  json_node_set_array (node, array);
  return json_to_string (node, FALSE);
}

static char *
ids_to_json (const gint32 *ids,
             gsize         n_ids)
{
  g_autoptr(GString) out = g_string_new ("[");

  for (gsize i = 0; i < n_ids; i++)
    g_string_append_printf (out, "%s%d", i > 0 ? "," : "", ids[i]);
  g_string_append_c (out, ']');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_strings (GPtrArray  *got,
                JsonArray  *want,
                const char *text)
{
  g_autoptr(GPtrArray) want_strings = g_ptr_array_new ();
  g_autofree char *got_json = strings_to_json (got);
  g_autofree char *want_json = NULL;

  for (guint i = 0; i < json_array_get_length (want); i++)
    g_ptr_array_add (want_strings, (gpointer) json_array_get_string_element (want, i));
  want_json = strings_to_json (want_strings);
  if (g_strcmp0 (got_json, want_json) != 0)
    g_test_message ("text: %s", text);
  g_assert_cmpstr (got_json, ==, want_json);
}

static void
assert_ids (GArray     *got,
            JsonArray  *want,
            const char *text)
{
  g_autofree gint32 *want_ids = g_new0 (gint32, json_array_get_length (want) + 1);
  g_autofree char *got_json = ids_to_json ((gint32 *) got->data, got->len);
  g_autofree char *want_json = NULL;

  for (guint i = 0; i < json_array_get_length (want); i++)
    want_ids[i] = (gint32) json_array_get_int_element (want, i);
  want_json = ids_to_json (want_ids, json_array_get_length (want));
  if (g_strcmp0 (got_json, want_json) != 0)
    g_test_message ("text: %s", text);
  g_assert_cmpstr (got_json, ==, want_json);
}

/* The value of the \\uXXXX escape at p, or -1. */
static int
escape_value (const char *p)
{
  int v = 0;

  if (p[0] != '\\' || p[1] != 'u')
    return -1;
  for (int k = 2; k < 6; k++)
    {
      if (!g_ascii_isxdigit (p[k]))
        return -1;
      v = v * 16 + g_ascii_xdigit_value (p[k]);
    }
  return v;
}

/* Two characters the tokenizer's first step deletes cannot reach it from
 * JSON as they are: U+0000, which a C string cannot carry, and a lone
 * surrogate (Python keeps one in a str; json-glib writes bytes that are
 * not UTF-8 and drops what follows). Python's clean step deletes both, as
 * it deletes U+0001, and nothing before it (the split at special tokens)
 * matches any of them; so each such escape is read as \\u0001. A pair of
 * surrogates is one character and stays. */
static char *
replace_unsafe_escapes (const char *json)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = json; *p != '\0'; p++)
    {
      int v = escape_value (p);
      guint n_backslashes = 0;

      for (const char *q = p; q > json && q[-1] == '\\'; q--)
        n_backslashes++;
      if (v >= 0 && n_backslashes % 2 == 0)
        {
          int next = escape_value (p + 6);

          if (v >= 0xD800 && v <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF)
            {
              g_string_append_len (out, p, 12);
              p += 11;
              continue;
            }
          if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
            {
              g_string_append (out, "\\u0001");
              p += 5;
              continue;
            }
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Each non-empty line of a JSON-lines file, parsed. */
static GPtrArray *
load_jsonl (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *line = replace_unsafe_escapes (lines[i]);

      if (*g_strstrip (line) == '\0')
        continue;
      json_parser_load_from_data (parser, line, -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (objects, json_node_copy (json_parser_get_root (parser)));
    }
  return objects;
}

/* Cases as tokenizer-cases.jsonl writes them whose text holds U+0000 or
 * a lone surrogate escape, the tokens those of tools/tokenizer-reference.py
 * (Python deletes both characters in its clean step, after the split at
 * special tokens, so "[CL\\u0000S]" is no [CLS]); a surrogate pair is one
 * character. */
static void
test_unsafe_escapes (void)
{
  static const char lines[] =
    "{\"text\": \"a\\ud800b\", \"tokens\": [\"ab\"]}\n"
    "{\"text\": \"[CL\\u0000S] x\", \"tokens\": [\"[\", \"[UNK]\", \"]\", \"x\"]}\n"
    "{\"text\": \"\\ud83d\\ude00 x\\udfff y\", \"tokens\": [\"[UNK]\", \"x\", \"y\"]}\n"
    "{\"text\": \"\\ud800[CLS]\", \"tokens\": [\"[CLS]\"]}\n"
    "{\"text\": \"[CL\\udbffS]\", \"tokens\": [\"[\", \"[UNK]\", \"]\"]}\n"
    "{\"text\": \"back\\\\u0000slash\", \"tokens\": [\"back\", \"\\\\\", \"u\", "
    "\"##00\", \"##00\", \"##sl\", \"##ash\"]}\n";
  g_autoptr(OvTokenizer) tok = load_real_vocab ();
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "ov-tokenizer-escapes.jsonl",
                                            NULL);
  g_autoptr(GPtrArray) cases = NULL;

  g_assert_true (g_file_set_contents (path, lines, -1, NULL));
  cases = load_jsonl (path);
  g_assert_cmpuint (cases->len, ==, 6);
  for (guint i = 0; i < cases->len; i++)
    {
      JsonObject *c = json_node_get_object (g_ptr_array_index (cases, i));
      const char *text = json_object_get_string_member (c, "text");
      g_autoptr(GPtrArray) tokens = ov_tokenizer_tokenize (tok, text);

      assert_strings (tokens, json_object_get_array_member (c, "tokens"), text);
    }
  g_unlink (path);
}

/* tokenizer-cases.jsonl: edge cases run through Oscar's Python tokenizer. */
static void
test_shared_cases (void)
{
  g_autoptr(OvTokenizer) tok = load_real_vocab ();
  g_autofree char *path = ov_test_shared_path ("data", "tokenizer-cases.jsonl", NULL);
  g_autoptr(GPtrArray) cases = load_jsonl (path);

  g_assert_cmpuint (cases->len, >=, 74);
  for (guint i = 0; i < cases->len; i++)
    {
      JsonObject *c = json_node_get_object (g_ptr_array_index (cases, i));
      const char *text = json_object_get_string_member (c, "text");
      g_autoptr(GPtrArray) tokens = ov_tokenizer_tokenize (tok, text);
      g_autoptr(GArray) ids = ov_tokenizer_encode (tok, text);
      g_autoptr(GArray) with_special = g_array_new (FALSE, FALSE, sizeof (gint32));
      gint32 cls = ov_tokenizer_cls_id (tok), sep = ov_tokenizer_sep_id (tok);

      assert_strings (tokens, json_object_get_array_member (c, "tokens"), text);
      assert_ids (ids, json_object_get_array_member (c, "ids"), text);

      g_array_append_val (with_special, cls);
      g_array_append_vals (with_special, ids->data, ids->len);
      g_array_append_val (with_special, sep);
      assert_ids (with_special, json_object_get_array_member (c, "ids_with_special"), text);
    }
}

/* Published SQuAD v1.1 dev questions: basic words, word pieces and ids. */
static void
test_squad_questions (void)
{
  g_autoptr(OvTokenizer) tok = load_real_vocab ();
  g_autofree char *path = ov_test_shared_path ("data", "tokenizer",
                                               "squad-v1.1-dev-questions-bert-uncased.jsonl",
                                               NULL);
  g_autoptr(GPtrArray) cases = load_jsonl (path);
  g_autoptr(GTimer) timer = g_timer_new ();
  double seconds = 0;

  g_assert_cmpuint (cases->len, ==, 358);
  for (guint i = 0; i < cases->len; i++)
    {
      JsonObject *c = json_node_get_object (g_ptr_array_index (cases, i));
      const char *text = json_object_get_string_member (c, "text");
      g_autoptr(GPtrArray) basic = ov_tokenizer_basic_tokenize (tok, text);
      g_autoptr(GPtrArray) tokens = NULL;
      g_autoptr(GArray) ids = NULL;

      g_timer_start (timer);
      tokens = ov_tokenizer_tokenize (tok, text);
      ids = ov_tokenizer_encode (tok, text);
      seconds += g_timer_elapsed (timer, NULL);

      assert_strings (basic, json_object_get_array_member (c, "basic"), text);
      assert_strings (tokens, json_object_get_array_member (c, "tokens"), text);
      assert_ids (ids, json_object_get_array_member (c, "ids"), text);
    }
  /* A measurement for the record, not a pass/fail threshold. */
  g_test_message ("tokenize + encode of %u questions: %.2f ms", cases->len, seconds * 1e3);
}

/* tests/data/tokenizer-differential.jsonl: texts that once tokenized
 * differently from tools/tokenizer-reference.py, hand-picked edges and
 * random texts of many scripts, with the reference's ids, decodes, and
 * whether the text gives no token at all. */
static void
test_differential (void)
{
  g_autoptr(OvTokenizer) tok = load_real_vocab ();
  g_autofree char *path = ov_test_source_path ("tests", "data",
                                               "tokenizer-differential.jsonl", NULL);
  g_autoptr(GPtrArray) cases = load_jsonl (path);
  guint n_empty = 0;

  g_assert_cmpuint (cases->len, >=, 300);
  for (guint i = 0; i < cases->len; i++)
    {
      JsonObject *c = json_node_get_object (g_ptr_array_index (cases, i));
      const char *text = json_object_get_string_member (c, "text");
      gboolean empty = json_object_get_boolean_member (c, "empty");
      g_autoptr(GArray) ids = ov_tokenizer_encode (tok, text);
      g_autofree char *keep = NULL;
      g_autofree char *skip = NULL;

      assert_ids (ids, json_object_get_array_member (c, "ids"), text);
      keep = ov_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, FALSE);
      skip = ov_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, TRUE);
      g_assert_cmpstr (keep, ==, json_object_get_string_member (c, "decode"));
      g_assert_cmpstr (skip, ==, json_object_get_string_member (c, "decode_skip_special"));
      if (ov_tokenizer_text_is_empty (text) != empty)
        g_test_message ("text: %s", text);
      g_assert_cmpint (ov_tokenizer_text_is_empty (text), ==, empty);
      n_empty += empty;
    }
  /* the texts of marks alone, white space and controls are there */
  g_assert_cmpuint (n_empty, >=, 5);
}

/* The oracle case: Oscar's own tokenizer loaded from a checkpoint folder. */
static void
test_oracle (void)
{
  g_autofree char *case_dir = ov_test_shared_path ("oracle", "cases", "tokenizer", NULL);
  g_autofree char *manifest_path = g_build_filename (case_dir, "manifest.json", NULL);
  g_autoptr(JsonNode) manifest = ov_test_load_json (manifest_path);
  JsonObject *m = json_node_get_object (manifest);
  const char *checkpoint = json_object_get_string_member (m, "checkpoint");
  const char *expected_file = json_object_get_string_member (
    json_object_get_object_member (m, "expected"), "file");
  g_autofree char *expected_path = g_build_filename (case_dir, expected_file, NULL);
  g_autofree char *vocab = g_build_filename (case_dir, checkpoint, "vocab.txt", NULL);
  g_autofree char *added = g_build_filename (case_dir, checkpoint, "added_tokens.json", NULL);
  g_autofree char *expected_text = NULL;
  g_autofree char *expected_json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(OvTokenizer) tok = NULL;
  JsonObject *expected;
  JsonArray *cases;

  g_assert_cmpstr (json_object_get_string_member (m, "kind"), ==, "tokenizer");
  g_assert_true (g_file_test (added, G_FILE_TEST_EXISTS));
  tok = ov_tokenizer_new_from_files (vocab, added, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_tokenizer_get_vocab_size (tok), ==, 30522);
  g_assert_cmpuint (ov_tokenizer_get_n_added_tokens (tok), ==, 0);

  g_assert_true (g_file_get_contents (expected_path, &expected_text, NULL, &error));
  expected_json = replace_unsafe_escapes (expected_text);
  json_parser_load_from_data (parser, expected_json, -1, &error);
  g_assert_no_error (error);
  expected = json_node_get_object (json_parser_get_root (parser));

  cases = json_object_get_array_member (expected, "tokenize");
  g_assert_cmpuint (json_array_get_length (cases), >, 0);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *text = json_object_get_string_member (c, "text");
      g_autoptr(GPtrArray) tokens = ov_tokenizer_tokenize (tok, text);
      g_autoptr(GArray) ids = ov_tokenizer_encode (tok, text);

      assert_strings (tokens, json_object_get_array_member (c, "tokens"), text);
      assert_ids (ids, json_object_get_array_member (c, "ids"), text);
    }

  cases = json_object_get_array_member (expected, "decode");
  g_assert_cmpuint (json_array_get_length (cases), >, 0);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      JsonArray *id_array = json_object_get_array_member (c, "ids");
      JsonArray *token_array = json_object_get_array_member (c, "tokens");
      guint n = json_array_get_length (id_array);
      g_autofree gint32 *ids = g_new0 (gint32, n + 1);
      g_autofree char *skip = NULL;
      g_autofree char *keep = NULL;

      for (guint j = 0; j < n; j++)
        {
          ids[j] = (gint32) json_array_get_int_element (id_array, j);
          g_assert_cmpstr (ov_tokenizer_id_to_token (tok, ids[j]), ==,
                           json_array_get_string_element (token_array, j));
        }
      skip = ov_tokenizer_decode (tok, ids, n, TRUE);
      keep = ov_tokenizer_decode (tok, ids, n, FALSE);
      g_assert_cmpstr (skip, ==, json_object_get_string_member (c, "decode_skip_special"));
      g_assert_cmpstr (keep, ==, json_object_get_string_member (c, "decode_keep_special"));
    }
}

static void
test_special_ids (void)
{
  g_autoptr(OvTokenizer) tok = load_real_vocab ();

  g_assert_cmpint (ov_tokenizer_pad_id (tok), ==, 0);
  g_assert_cmpint (ov_tokenizer_unk_id (tok), ==, 100);
  g_assert_cmpint (ov_tokenizer_cls_id (tok), ==, 101);
  g_assert_cmpint (ov_tokenizer_sep_id (tok), ==, 102);
  g_assert_cmpint (ov_tokenizer_mask_id (tok), ==, 103);
  g_assert_cmpint (ov_tokenizer_token_to_id (tok, "."), ==, 1012);
  g_assert_cmpint (ov_tokenizer_token_to_id (tok, "no-such-token"), ==, 100);
  g_assert_cmpstr (ov_tokenizer_id_to_token (tok, 1012), ==, ".");
  g_assert_cmpstr (ov_tokenizer_id_to_token (tok, 30521), ==, "##～");
  g_assert_null (ov_tokenizer_id_to_token (tok, 30522));
  g_assert_null (ov_tokenizer_id_to_token (tok, -1));
  g_assert_cmpuint (ov_tokenizer_get_vocab_size (tok), ==, 30522);
}

/* Decode rules one by one (§8.5), including ids outside the vocabulary. */
static void
test_decode_rules (void)
{
  g_autoptr(OvTokenizer) tok = load_real_vocab ();
  /* [CLS] i do not think it ' s a dog , is it ? [SEP] */
  const gint32 sentence[] = { 101, 1045, 2079, 2025, 2228, 2009, 1005, 1055, 1037, 3899,
                              1010, 2003, 2009, 1029, 102 };
  /* surf ##board . then an id past the end and a negative one */
  const gint32 odd[] = { 14175, 6277, 1012, 30522, -5 };
  /* ' alone between spaces: " ' " -> "'" */
  const gint32 quote[] = { 1037, 1005, 1038 };
  g_autofree char *a = ov_tokenizer_decode (tok, sentence, G_N_ELEMENTS (sentence), TRUE);
  g_autofree char *b = ov_tokenizer_decode (tok, odd, G_N_ELEMENTS (odd), TRUE);
  g_autofree char *c = ov_tokenizer_decode (tok, quote, G_N_ELEMENTS (quote), TRUE);
  g_autofree char *d = ov_tokenizer_decode (tok, sentence, 0, TRUE);
  g_autofree char *e = ov_tokenizer_decode (tok, sentence, 1, TRUE);

  g_assert_cmpstr (a, ==, "i don't think it's a dog, is it?");
  g_assert_cmpstr (b, ==, "surfboard. [UNK] [UNK]");
  g_assert_cmpstr (c, ==, "a'b");
  g_assert_cmpstr (d, ==, "");
  g_assert_cmpstr (e, ==, "");
}

/* Cases where GLib's Unicode tables alone would not give Python's answer. */
static void
test_python_unicode (void)
{
  g_autoptr(OvTokenizer) tok = load_real_vocab ();
  static const struct { const char *text; const char *basic_json; } cases[] = {
    /* Final sigma depends on the letters around it, skipping ignorables. */
    { "ΟΔΟΣ ΣΟΦΙΑΣ Σ ΑΣ'Σ ΑΣ.Β",
      "[\"οδος\",\"σοφιας\",\"σ\",\"ασ\",\"'\",\"ς\",\"ασ\",\".\",\"β\"]" },
    { "ΑΣΑ ᾼΣ ªΣ", "[\"ασα\",\"ας\",\"ªς\"]" },
    /* Roman numerals and circled letters lower in Python, not in GLib. */
    { "Ⅲ Ⓐⓑ", "[\"ⅲ\",\"ⓐⓑ\"]" },
    /* Dotted capital I lowers to i + U+0307; the mark is then stripped. */
    { "İSTANBUL", "[\"istanbul\"]" },
    /* Unicode 15.0 characters are unassigned for Python 3.11: deleted. */
    { "a\U0001F6DCb \U00031350x", "[\"ab\",\"x\"]" },
    /* U+2028 and U+2029 survive cleaning but still split words. */
    { "one\u2028two\u2029three", "[\"one\",\"two\",\"three\"]" },
    /* Special tokens made by cleaning are kept in case but split. */
    { "[CLS\u200b] [cls\u200b]", "[\"[\",\"CLS\",\"]\",\"[\",\"cls\",\"]\"]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) basic = ov_tokenizer_basic_tokenize (tok, cases[i].text);
      g_autofree char *got = strings_to_json (basic);

      g_test_message ("text: %s", cases[i].text);
      g_assert_cmpstr (got, ==, cases[i].basic_json);
    }
}

/* Invalid UTF-8 must not crash: bad bytes count as U+FFFD, which is deleted. */
static void
test_invalid_utf8 (void)
{
  g_autoptr(OvTokenizer) tok = load_real_vocab ();
  static const char *const bad[] = {
    "caf\xc3 dog", "\xff\xfe\xfd", "abc\xe2\x82", "\xed\xa0\x80x", "\xf4\x90\x80\x80",
    "\xc0\xaf[SEP]\x80",
  };
  static const char *const same[] = {
    "caf dog", "", "abc", "x", "", "[SEP]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) got = ov_tokenizer_tokenize (tok, bad[i]);
      g_autoptr(GPtrArray) want = ov_tokenizer_tokenize (tok, same[i]);
      g_autofree char *got_json = strings_to_json (got);
      g_autofree char *want_json = strings_to_json (want);
      g_autofree char *decoded = NULL;
      g_autoptr(GArray) ids = ov_tokenizer_encode (tok, bad[i]);

      g_assert_cmpstr (got_json, ==, want_json);
      decoded = ov_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, FALSE);
      g_assert_true (g_utf8_validate (decoded, -1, NULL));
    }
}

static char *
write_temp (const char *dir,
            const char *name,
            const char *contents,
            gssize      length)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, length, &error));
  g_assert_no_error (error);
  return path;
}

static void
assert_load_fails (const char *dir,
                   const char *contents,
                   gssize      length,
                   gint        code,
                   const char *message_part)
{
  g_autofree char *path = write_temp (dir, "vocab.txt", contents, length);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvTokenizer) tok = ov_tokenizer_new_from_files (path, NULL, NULL, TRUE, &error);

  g_assert_null (tok);
  g_assert_error (error, OV_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, message_part));
}

/* Vocabularies that must be refused, each with a message naming the file. */
static void
test_bad_vocab (void)
{
  static const char with_nul[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\0b\n";
  g_autofree char *dir = g_dir_make_tmp ("ov-tokenizer-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "absent.txt", NULL);
  g_autofree char *written = g_build_filename (dir, "vocab.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvTokenizer) tok = NULL;

  g_assert_nonnull (dir);
  assert_load_fails (dir, "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n", -1, OV_ERROR_MISSING, "[MASK]");
  assert_load_fails (dir, "", 0, OV_ERROR_MISSING, "empty");
  /* Only the exact line counts: case and surrounding spaces matter. */
  assert_load_fails (dir, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[mask]\n [MASK]\n", -1,
                     OV_ERROR_MISSING, "[MASK]");
  assert_load_fails (dir, "\xef\xbb\xbf[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n", -1,
                     OV_ERROR_MISSING, "[PAD]");
  assert_load_fails (dir, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nab\xff\n", -1,
                     OV_ERROR_FORMAT, "line 6");
  assert_load_fails (dir, with_nul, sizeof with_nul - 1, OV_ERROR_FORMAT, "NUL");

  tok = ov_tokenizer_new_from_files (missing, NULL, NULL, TRUE, &error);
  g_assert_null (tok);
  g_assert_error (error, OV_ERROR, OV_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "absent.txt"));

  g_assert_no_errno (g_unlink (written));
  g_assert_no_errno (g_rmdir (dir));
}

/* Line endings, odd tokens and repeated lines, read as Python reads them. */
static void
test_vocab_lines (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-tokenizer-XXXXXX", NULL);
  /* ids: 0 [PAD], 1 [UNK], 2 [CLS], 3 [SEP], 4 [MASK], 5 "dog", 6 "a b",
   * 7 "", 8 "cat ", 9 "dog" again, 10 "##s", 11 "cat" (last, no newline). */
  static const char vocab_text[] =
    "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\r\n[MASK]\ndog\na b\n\ncat \ndog\n##s\ncat";
  g_autofree char *path = write_temp (dir, "vocab.txt", vocab_text, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvTokenizer) tok = ov_tokenizer_new_from_files (path, NULL, NULL, TRUE, &error);
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *tokens_json = NULL;
  g_autofree char *ids_json = NULL;
  g_autofree char *decoded = NULL;
  const gint32 to_decode[] = { 5, 9, 10, 6, 7, 8, 11 };
  g_autofree char *path2 = NULL;
  g_autoptr(OvTokenizer) tok2 = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (ov_tokenizer_get_vocab_size (tok), ==, 12);
  g_assert_cmpint (ov_tokenizer_unk_id (tok), ==, 1);
  g_assert_cmpint (ov_tokenizer_mask_id (tok), ==, 4);
  g_assert_cmpint (ov_tokenizer_token_to_id (tok, "a b"), ==, 6);
  g_assert_cmpint (ov_tokenizer_token_to_id (tok, ""), ==, 7);
  g_assert_cmpint (ov_tokenizer_token_to_id (tok, "cat "), ==, 8);
  g_assert_cmpint (ov_tokenizer_token_to_id (tok, "cat"), ==, 11);
  /* The later duplicate owns the token; the earlier id reads as [UNK]. */
  g_assert_cmpint (ov_tokenizer_token_to_id (tok, "dog"), ==, 9);
  g_assert_cmpstr (ov_tokenizer_id_to_token (tok, 9), ==, "dog");
  g_assert_cmpstr (ov_tokenizer_id_to_token (tok, 5), ==, "[UNK]");
  g_assert_cmpstr (ov_tokenizer_id_to_token (tok, 6), ==, "a b");
  /* and the repeat is told, for the model's warning */
  {
    gint32 first = 0, later = 0;

    g_assert_cmpuint (ov_tokenizer_get_duplicates (tok, &first, &later), ==, 1);
    g_assert_cmpint (first, ==, 5);
    g_assert_cmpint (later, ==, 9);
  }

  tokens = ov_tokenizer_tokenize (tok, "Dogs CAT cats bird");
  tokens_json = strings_to_json (tokens);
  g_assert_cmpstr (tokens_json, ==, "[\"dog\",\"##s\",\"cat\",\"cat\",\"##s\",\"[UNK]\"]");
  ids = ov_tokenizer_encode (tok, "Dogs CAT cats bird");
  ids_json = ids_to_json ((gint32 *) ids->data, ids->len);
  g_assert_cmpstr (ids_json, ==, "[9,10,11,11,10,1]");

  /* 5 is shadowed and reads "[UNK]", but is not the [UNK] id, so it is not
   * skipped; "" and "cat " keep their spaces. */
  decoded = ov_tokenizer_decode (tok, to_decode, G_N_ELEMENTS (to_decode), TRUE);
  g_assert_cmpstr (decoded, ==, "[UNK] dogs a b  cat  cat");

  /* A trailing newline adds no empty last token. */
  path2 = write_temp (dir, "vocab2.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n", -1);
  tok2 = ov_tokenizer_new_from_files (path2, NULL, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_tokenizer_get_vocab_size (tok2), ==, 5);

  /* A byte order mark is part of the first token, as the original reads
   * it: [PAD] is missing then, and the message says why. */
  {
    g_autofree char *bom = write_temp (dir, "vocab-bom.txt",
                                       "\xef\xbb\xbf[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n", -1);
    g_autoptr(OvTokenizer) marked = ov_tokenizer_new_from_files (bom, NULL, NULL, TRUE, &error);

    g_assert_null (marked);
    g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
    g_assert_nonnull (strstr (error->message, "“[PAD]”"));
    g_assert_nonnull (strstr (error->message, "byte order mark"));
    g_clear_error (&error);
    g_assert_no_errno (g_unlink (bom));
  }

  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_unlink (path2));
  g_assert_no_errno (g_rmdir (dir));
}

/* added_tokens.json: cut out of the text first, ids override the vocab. */
static void
test_added_tokens (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-tokenizer-XXXXXX", NULL);
  g_autofree char *vocab = write_temp (dir, "vocab.txt",
                                       "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nred\ncar\n##s\n", -1);
  g_autofree char *added = write_temp (dir, "added_tokens.json",
                                       "{\"<Tag>\": 8, \"car\": 9}", -1);
  g_autofree char *bad = write_temp (dir, "bad.json", "{\"x\": \"9\"}", -1);
  g_autofree char *absent = g_build_filename (dir, "none.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvTokenizer) tok = ov_tokenizer_new_from_files (vocab, added, NULL, TRUE, &error);
  g_autoptr(OvTokenizer) plain = NULL;
  g_autoptr(OvTokenizer) broken = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *tokens_json = NULL;
  g_autofree char *ids_json = NULL;
  g_autofree char *decoded = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (ov_tokenizer_get_n_added_tokens (tok), ==, 2);
  /* Added tokens are cut out even inside words ("cars" -> car + s). */
  tokens = ov_tokenizer_tokenize (tok, "Red<Tag>cars reds [SEP]<tag>");
  tokens_json = strings_to_json (tokens);
  g_assert_cmpstr (tokens_json, ==,
                   "[\"red\",\"<Tag>\",\"car\",\"[UNK]\",\"red\",\"##s\",\"[SEP]\","
                   "\"[UNK]\",\"[UNK]\",\"[UNK]\"]");
  ids = ov_tokenizer_encode (tok, "Red<Tag>cars reds [SEP]<tag>");
  ids_json = ids_to_json ((gint32 *) ids->data, ids->len);
  g_assert_cmpstr (ids_json, ==, "[5,8,9,1,5,7,3,1,1,1]");
  g_assert_cmpint (ov_tokenizer_token_to_id (tok, "car"), ==, 9);
  g_assert_cmpstr (ov_tokenizer_id_to_token (tok, 9), ==, "car");
  g_assert_cmpstr (ov_tokenizer_id_to_token (tok, 6), ==, "car");
  g_assert_null (ov_tokenizer_id_to_token (tok, 10));
  decoded = ov_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, TRUE);
  g_assert_cmpstr (decoded, ==, "red <Tag> car reds");

  /* A missing added_tokens.json is fine; a malformed one is not. */
  plain = ov_tokenizer_new_from_files (vocab, absent, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ov_tokenizer_get_n_added_tokens (plain), ==, 0);
  broken = ov_tokenizer_new_from_files (vocab, bad, NULL, TRUE, &error);
  g_assert_null (broken);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "bad.json"));

  g_assert_no_errno (g_unlink (vocab));
  g_assert_no_errno (g_unlink (added));
  g_assert_no_errno (g_unlink (bad));
  g_assert_no_errno (g_rmdir (dir));
}

/* special_tokens_map.json renames the special tokens; its additional
 * special tokens are cut out of the text and skipped when decoding; a name
 * the vocabulary lacks, or a malformed map, is an error naming the file. */
static void
test_special_tokens_map (void)
{
  static const struct
  {
    const char *json, *needle;
  } bad[] = {
    { "{\"mask_token\": \"<MASK>\"}", "“<MASK>”, which" },
    { "{\"mask_token\": 5}", "“mask_token” is neither" },
    { "{\"cls_token\": {\"lstrip\": false}}", "“cls_token” is neither" },
    { "{\"sep_token\": \"\"}", "the empty string" },
    { "{\"additional_special_tokens\": [\"\"]}", "the empty string" },
    { "{\"eos_token\": 7}", "“eos_token” is neither" },
    { "[\"<unk>\"]", "expected a JSON object" },
    { "{\"unk_token\": ", "cannot read" },
  };
  g_autofree char *dir = g_dir_make_tmp ("ov-tokenizer-XXXXXX", NULL);
  g_autofree char *vocab = write_temp (dir, "vocab.txt",
                                       "<pad>\n<unk>\n<cls>\n<sep>\n<mask>\nred\ncar\n##s\n"
                                       "<obj>\n", -1);
  g_autofree char *plain_vocab = write_temp (dir, "plain_vocab.txt",
                                             "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nred\n", -1);
  g_autofree char *map = write_temp (dir, "special_tokens_map.json",
                                     "{\"unk_token\": \"<unk>\", \"sep_token\": {\"content\": "
                                     "\"<sep>\", \"lstrip\": false}, \"pad_token\": \"<pad>\", "
                                     "\"cls_token\": \"<cls>\", \"mask_token\": \"<mask>\", "
                                     "\"additional_special_tokens\": [\"<obj>\"], "
                                     "\"model_max_length\": 512}", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvTokenizer) tok = ov_tokenizer_new_from_files (vocab, NULL, map, TRUE, &error);
  g_autoptr(OvTokenizer) defaults = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *tokens_json = NULL;
  g_autofree char *ids_json = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *unknown = NULL;
  const gint32 outside[] = { 5, 99 };

  g_assert_no_error (error);
  g_assert_cmpint (ov_tokenizer_pad_id (tok), ==, 0);
  g_assert_cmpint (ov_tokenizer_unk_id (tok), ==, 1);
  g_assert_cmpint (ov_tokenizer_cls_id (tok), ==, 2);
  g_assert_cmpint (ov_tokenizer_sep_id (tok), ==, 3);
  g_assert_cmpint (ov_tokenizer_mask_id (tok), ==, 4);
  /* the special strings are cut out first, even inside words; an unknown
   * word becomes the renamed unknown token */
  tokens = ov_tokenizer_tokenize (tok, "Red <mask> cars<obj>reds qqq [MASK]");
  tokens_json = strings_to_json (tokens);
  g_assert_cmpstr (tokens_json, ==,
                   "[\"red\",\"<mask>\",\"car\",\"##s\",\"<obj>\",\"red\",\"##s\","
                   "\"<unk>\",\"<unk>\",\"<unk>\",\"<unk>\"]");
  ids = ov_tokenizer_encode (tok, "Red <mask> cars<obj>reds qqq");
  ids_json = ids_to_json ((gint32 *) ids->data, ids->len);
  g_assert_cmpstr (ids_json, ==, "[5,4,6,7,8,5,7,1]");
  decoded = ov_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, TRUE);
  g_assert_cmpstr (decoded, ==, "red cars reds");
  kept = ov_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, FALSE);
  g_assert_cmpstr (kept, ==, "red <mask> cars <obj> reds <unk>");
  unknown = ov_tokenizer_decode (tok, outside, G_N_ELEMENTS (outside), FALSE);
  g_assert_cmpstr (unknown, ==, "red <unk>");

  /* a bos/eos or additional token the vocabulary lacks reads as the renamed
   * unknown token's line, as does any unknown token; an empty or null one is
   * no special token; a lone string counts as a list of one */
  {
    g_autofree char *map2 = write_temp (dir, "map2.json",
                                        "{\"unk_token\": \"<unk>\", \"sep_token\": \"<sep>\", "
                                        "\"pad_token\": \"<pad>\", \"cls_token\": \"<cls>\", "
                                        "\"mask_token\": \"<mask>\", \"bos_token\": null, "
                                        "\"eos_token\": \"<eos>\", "
                                        "\"additional_special_tokens\": \"<obj>\"}", -1);
    g_autoptr(OvTokenizer) tok2 = ov_tokenizer_new_from_files (vocab, NULL, map2, TRUE, &error);
    g_autoptr(GPtrArray) tokens2 = NULL;
    g_autoptr(GArray) ids2 = NULL;
    g_autofree char *tokens2_json = NULL;
    g_autofree char *ids2_json = NULL;
    g_autofree char *decoded2 = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (ov_tokenizer_token_to_id (tok2, "zzz"), ==, 1);
    g_assert_cmpint (ov_tokenizer_token_to_id (tok2, "<eos>"), ==, 1);
    g_assert_cmpstr (ov_tokenizer_unk_token (tok2), ==, "<unk>");
    g_assert_cmpstr (ov_tokenizer_mask_token (tok2), ==, "<mask>");
    tokens2 = ov_tokenizer_tokenize (tok2, "red<eos>car<obj>null");
    tokens2_json = strings_to_json (tokens2);
    g_assert_cmpstr (tokens2_json, ==, "[\"red\",\"<eos>\",\"car\",\"<obj>\",\"<unk>\"]");
    ids2 = ov_tokenizer_encode (tok2, "red<eos>car<obj>null");
    ids2_json = ids_to_json ((gint32 *) ids2->data, ids2->len);
    g_assert_cmpstr (ids2_json, ==, "[5,1,6,8,1]");
    decoded2 = ov_tokenizer_decode (tok2, (gint32 *) ids2->data, ids2->len, TRUE);
    g_assert_cmpstr (decoded2, ==, "red car");
    g_assert_no_errno (g_unlink (map2));
  }

  /* without the map the same vocabulary lacks [UNK] */
  defaults = ov_tokenizer_new_from_files (vocab, NULL, NULL, TRUE, &error);
  g_assert_null (defaults);
  g_assert_error (error, OV_ERROR, OV_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "“[UNK]”"));
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = write_temp (dir, "bad_map.json", bad[i].json, -1);
      g_autoptr(OvTokenizer) broken = ov_tokenizer_new_from_files (plain_vocab, NULL, path,
                                                                   TRUE, &error);

      g_assert_null (broken);
      g_assert_nonnull (error);
      g_test_message ("%s -> %s", bad[i].json, error->message);
      g_assert_nonnull (strstr (error->message, "bad_map.json"));
      g_assert_nonnull (strstr (error->message, bad[i].needle));
      g_clear_error (&error);
      g_assert_no_errno (g_unlink (path));
    }

  g_assert_no_errno (g_unlink (vocab));
  g_assert_no_errno (g_unlink (plain_vocab));
  g_assert_no_errno (g_unlink (map));
  g_assert_no_errno (g_rmdir (dir));
}

/* do_lower_case = FALSE: no lowering and no accent stripping. */
static void
test_cased (void)
{
  g_autofree char *path = ov_test_shared_path ("data", "vocab", "bert-base-uncased-vocab.txt",
                                               NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OvTokenizer) tok = ov_tokenizer_new_from_files (path, NULL, NULL, FALSE, &error);
  g_autoptr(GPtrArray) basic = NULL;
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  basic = ov_tokenizer_basic_tokenize (tok, "Café, NAÏVE!");
  json = strings_to_json (basic);
  g_assert_cmpstr (json, ==, "[\"Café\",\",\",\"NAÏVE\",\"!\"]");
}

/* Load time of the real vocabulary, for the record (not a threshold). */
static void
test_load_time (void)
{
  g_autofree char *path = ov_test_shared_path ("data", "vocab", "bert-base-uncased-vocab.txt",
                                               NULL);
  g_autoptr(GTimer) timer = g_timer_new ();
  const guint n_loads = 10;

  for (guint i = 0; i < n_loads; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OvTokenizer) tok = ov_tokenizer_new_from_files (path, NULL, NULL, TRUE, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (ov_tokenizer_get_vocab_size (tok), ==, 30522);
    }
  g_test_message ("vocabulary load: %.2f ms each (mean of %u)",
                  g_timer_elapsed (timer, NULL) * 1e3 / n_loads, n_loads);
}

/* /model/tokenizer/unknown-words: the words WordPiece cannot build become
 * one [UNK] each; those are the ones reported, and the text's [UNK] pieces
 * match them one for one. Lone punctuation is no word; special tokens are
 * known. */
static void
test_unknown_words (void)
{
  g_autoptr(OvTokenizer) tok = load_real_vocab ();
  const struct {
    const char *text;
    guint       n_words;
    const char *unknown;   /* space-separated */
  } cases[] = {
    { "What color is the cup?", 5, "" },
    { "a [MASK] sat on the mat .", 6, "" },
    /* CJK ideographs are words of their own; bert-base has 子 and 的 */
    { "杯子是什么颜色的？", 8, "杯 是 什 么 颜 色" },
    { "ꙮꙮ is a 🦜", 4, "ꙮꙮ 🦜" },
    { "", 0, "" },
    { "? ! ...", 0, "" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      guint n_words = 99, n_unk_pieces = 0;
      g_autoptr(GPtrArray) unknown = ov_tokenizer_unknown_words (tok, cases[c].text, &n_words);
      g_autoptr(GPtrArray) pieces = ov_tokenizer_tokenize (tok, cases[c].text);
      g_auto(GStrv) want = g_strsplit (cases[c].unknown, " ", -1);
      guint n_want = *cases[c].unknown == '\0' ? 0 : g_strv_length (want);

      g_test_message ("%s: %u words, %u unknown", cases[c].text, n_words, unknown->len);
      g_assert_cmpuint (n_words, ==, cases[c].n_words);
      g_assert_cmpuint (unknown->len, ==, n_want);
      for (guint i = 0; i < n_want; i++)
        g_assert_cmpstr (g_ptr_array_index (unknown, i), ==, want[i]);
      for (guint i = 0; i < pieces->len; i++)
        n_unk_pieces += g_str_equal (g_ptr_array_index (pieces, i), "[UNK]");
      g_assert_cmpuint (n_unk_pieces, ==, unknown->len);
    }
}

/* /model/tokenizer/first-difference: vocabularies are compared line by
 * line and by their added tokens, wherever those ids lie. */
static void
test_first_difference (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ov-tok-XXXXXX", NULL);
  const char *names[] = { "a.txt", "b.txt", "c.txt", "a.json", "b.json" };
  const char *texts[] = {
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ncup\nbolt\n",
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ncup\nstar\n",
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ncup\n",
    "{\"foo\": 150}",
    "{\"bar\": 150}",
  };
  char *paths[G_N_ELEMENTS (names)];
  g_autoptr(GError) error = NULL;
  OvTokenizer *tok[6];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      paths[i] = g_build_filename (dir, names[i], NULL);
      g_assert_true (g_file_set_contents (paths[i], texts[i], -1, NULL));
    }
  tok[0] = ov_tokenizer_new_from_files (paths[0], NULL, NULL, TRUE, &error);
  tok[1] = ov_tokenizer_new_from_files (paths[0], NULL, NULL, TRUE, &error);
  tok[2] = ov_tokenizer_new_from_files (paths[1], NULL, NULL, TRUE, &error);
  tok[3] = ov_tokenizer_new_from_files (paths[2], NULL, NULL, TRUE, &error);
  tok[4] = ov_tokenizer_new_from_files (paths[0], paths[3], NULL, TRUE, &error);
  tok[5] = ov_tokenizer_new_from_files (paths[0], paths[4], NULL, TRUE, &error);
  g_assert_no_error (error);

  g_assert_cmpint (ov_tokenizer_first_difference (tok[0], tok[1]), ==, -1);
  g_assert_cmpint (ov_tokenizer_first_difference (tok[0], tok[2]), ==, 6);
  g_assert_cmpint (ov_tokenizer_first_difference (tok[0], tok[3]), ==, 6);
  g_assert_cmpint (ov_tokenizer_first_difference (tok[3], tok[0]), ==, 6);
  g_assert_cmpint (ov_tokenizer_first_difference (tok[4], tok[5]), ==, 150);
  g_assert_cmpint (ov_tokenizer_first_difference (tok[0], tok[4]), ==, 150);
  g_assert_cmpint (ov_tokenizer_first_difference (tok[4], tok[4]), ==, -1);

  for (guint i = 0; i < G_N_ELEMENTS (tok); i++)
    ov_tokenizer_free (tok[i]);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_unlink (paths[i]);
      g_free (paths[i]);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/tokenizer/cases", test_shared_cases);
  g_test_add_func ("/model/tokenizer/unsafe-escapes", test_unsafe_escapes);
  g_test_add_func ("/model/tokenizer/squad", test_squad_questions);
  g_test_add_func ("/model/tokenizer/differential", test_differential);
  g_test_add_func ("/model/tokenizer/oracle", test_oracle);
  g_test_add_func ("/model/tokenizer/special-ids", test_special_ids);
  g_test_add_func ("/model/tokenizer/decode-rules", test_decode_rules);
  g_test_add_func ("/model/tokenizer/python-unicode", test_python_unicode);
  g_test_add_func ("/model/tokenizer/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/model/tokenizer/bad-vocab", test_bad_vocab);
  g_test_add_func ("/model/tokenizer/vocab-lines", test_vocab_lines);
  g_test_add_func ("/model/tokenizer/added-tokens", test_added_tokens);
  g_test_add_func ("/model/tokenizer/special-tokens-map", test_special_tokens_map);
  g_test_add_func ("/model/tokenizer/cased", test_cased);
  g_test_add_func ("/model/tokenizer/load-time", test_load_time);
  g_test_add_func ("/model/tokenizer/unknown-words", test_unknown_words);
  g_test_add_func ("/model/tokenizer/first-difference", test_first_difference);

  return g_test_run ();
}
