/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * BERT's basic tokenizer and WordPiece as pytorch-transformers 1.0 runs them
 * for Oscar (reference §8), and decode with its clean-up rules. Python's
 * Unicode 14 view of characters is rebuilt on top of GLib's tables; the few
 * places where the two disagree are listed next to the tables below.
 */
#define G_LOG_DOMAIN "ov-tokenizer"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ov-error.h"
#include "ov-i18n.h"
#include "ov-json.h"
#include "ov-tokenizer.h"

/* A word longer than this many code points becomes one [UNK] (§8.4). */
#define MAX_CHARS_PER_WORD 100
/* A vocab.txt is a few hundred KiB; refuse anything absurdly large. */
#define MAX_VOCAB_BYTES (64 * 1024 * 1024)

/* The five special tokens BertTokenizer knows, in the order it names them,
 * with their default strings; special_tokens_map.json may rename any of
 * them (its keys are the attribute names). */
static const char *const special_tokens[] = {
  "[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]",
};
static const char *const special_keys[] = {
  "unk_token", "sep_token", "pad_token", "cls_token", "mask_token",
};
enum { SPECIAL_UNK, SPECIAL_SEP, SPECIAL_PAD, SPECIAL_CLS, SPECIAL_MASK, N_SPECIAL };

struct _OvTokenizer
{
  char        *vocab_path;
  char        *vocab_bytes;     /* the file, NUL at every line end */
  GPtrArray   *lines;           /* line n = token of id n, into vocab_bytes */
  GHashTable  *vocab;           /* token -> id; a later duplicate line wins */
  GHashTable  *added;           /* added_tokens.json: token -> id */
  GHashTable  *added_by_id;     /* id -> token, owned by `added` */
  GPtrArray   *split_first;     /* strings cut out of the text before anything else */
  gboolean     do_lower_case;
  gint32       vocab_unk_id;    /* the vocabulary's own [UNK] line */
  char        *special_names[N_SPECIAL];   /* the strings, as the map names them */
  GPtrArray   *extra_special;   /* bos/eos/additional tokens of the map: strings */
  GArray      *extra_ids;       /* their ids (gint32), skipped when decoding too */
  gint32       special_ids[N_SPECIAL];
  guint        n_duplicates;    /* lines that repeat an earlier line's token */
  gint32       first_duplicate[2];   /* the first such token's two ids, or -1 */
};

guint
ov_tokenizer_get_duplicates (OvTokenizer *tok,
                             gint32      *first_id,
                             gint32      *later_id)
{
  g_return_val_if_fail (tok != NULL, 0);

  if (first_id != NULL)
    *first_id = tok->n_duplicates > 0 ? tok->first_duplicate[0] : -1;
  if (later_id != NULL)
    *later_id = tok->n_duplicates > 0 ? tok->first_duplicate[1] : -1;
  return tok->n_duplicates;
}

/* --- Python's view of characters ------------------------------------------
 *
 * Oscar's tokenizer ran on CPython 3.11, whose unicodedata is Unicode 14.0.
 * GLib's tables are newer (Unicode 15.0 for GLib 2.74, later for later
 * GLibs). Comparing all code points of the two found exactly these
 * differences, handled below:
 *  - code points that Unicode 14.0 leaves unassigned are Cn for Python
 *    (its clean step deletes them as control characters) whatever a newer
 *    GLib assigns there; ov-unicode14.h lists what Unicode 14.0 assigns;
 *  - str.lower() also lowers the Nl Roman numerals and the So circled
 *    letters, which g_unichar_tolower() leaves alone;
 *  - str.lower() maps U+0130 to "i" + U+0307 and picks the final sigma from
 *    context (Unicode's Final_Sigma rule), which needs the Cased and
 *    Case_Ignorable properties that GLib does not expose.
 * NFD (g_utf8_normalize) and the general categories otherwise agree.
 * tools/check-tokenizer-unicode.py repeats the comparison against these
 * tables. A GLib newer than Unicode 15.0 may also change the category or
 * case of characters Unicode 14.0 had; that script names any such change. */

typedef struct { gunichar lo, hi; } CodeRange;

#include "ov-unicode14.h"
#include "ov-files.h"

/* Cased characters that are not letters of category Ll, Lu or Lt
 * (Other_Lowercase / Other_Uppercase minus the case-ignorable ones). */
static const CodeRange other_cased[] = {
  { 0x00AA, 0x00AA }, { 0x00BA, 0x00BA }, { 0x2160, 0x217F }, { 0x24B6, 0x24E9 },
  { 0x1F130, 0x1F149 }, { 0x1F150, 0x1F169 }, { 0x1F170, 0x1F189 },
};

/* Word_Break MidLetter, MidNumLet and Single_Quote: case-ignorable although
 * they are punctuation. Sorted. */
static const gunichar word_break_ignorable[] = {
  0x0027, 0x002E, 0x003A, 0x00B7, 0x0387, 0x055F, 0x05F4, 0x2018, 0x2019,
  0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A,
};

static gboolean
in_ranges (const CodeRange *ranges,
           gsize            n_ranges,
           gunichar         c)
{
  gsize lo = 0, hi = n_ranges;

  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;

      if (c < ranges[mid].lo)
        hi = mid;
      else if (c > ranges[mid].hi)
        lo = mid + 1;
      else
        return TRUE;
    }
  return FALSE;
}

/* unicodedata.category() of Python 3.11, as a GLib type. */
static GUnicodeType
py_category (gunichar c)
{
  GUnicodeType t = g_unichar_type (c);

  if (t != G_UNICODE_UNASSIGNED
      && !in_ranges (unicode14_assigned, G_N_ELEMENTS (unicode14_assigned), c))
    return G_UNICODE_UNASSIGNED;
  return t;
}

/* str.isspace(): what str.split() and str.strip() cut on. */
static gboolean
is_py_space (gunichar c)
{
  if (c < 0x80)
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  switch (c)
    {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return TRUE;
    default:
      return c >= 0x2000 && c <= 0x200A;
    }
}

/* What the clean step turns into a plain space. */
static gboolean
is_bert_whitespace (gunichar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r'
         || py_category (c) == G_UNICODE_SPACE_SEPARATOR;
}

/* What the clean step deletes: category C* except tab, newline, return. */
static gboolean
is_bert_control (gunichar c)
{
  if (c == '\t' || c == '\n' || c == '\r')
    return FALSE;
  switch (py_category (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_UNASSIGNED:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
      return TRUE;
    default:
      return FALSE;
    }
}

/* ASCII non-alphanumerics and every Unicode P* character. */
static gboolean
is_bert_punctuation (gunichar c)
{
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96)
      || (c >= 123 && c <= 126))
    return TRUE;
  switch (py_category (c))
    {
    case G_UNICODE_CONNECT_PUNCTUATION:
    case G_UNICODE_DASH_PUNCTUATION:
    case G_UNICODE_CLOSE_PUNCTUATION:
    case G_UNICODE_FINAL_PUNCTUATION:
    case G_UNICODE_INITIAL_PUNCTUATION:
    case G_UNICODE_OTHER_PUNCTUATION:
    case G_UNICODE_OPEN_PUNCTUATION:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The CJK ideograph blocks BERT pads with spaces (§8.3 step 2). */
static gboolean
is_cjk_ideograph (gunichar c)
{
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)
         || (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F)
         || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
         || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

static gboolean
is_case_ignorable (gunichar c)
{
  gsize lo = 0, hi = G_N_ELEMENTS (word_break_ignorable);

  switch (py_category (c))
    {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_FORMAT:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_MODIFIER_SYMBOL:
      return TRUE;
    default:
      break;
    }
  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;

      if (c == word_break_ignorable[mid])
        return TRUE;
      if (c < word_break_ignorable[mid])
        hi = mid;
      else
        lo = mid + 1;
    }
  return FALSE;
}

static gboolean
is_cased (gunichar c)
{
  switch (py_category (c))
    {
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
      return TRUE;
    default:
      return in_ranges (other_cased, G_N_ELEMENTS (other_cased), c);
    }
}

/* Whether the capital sigma at word[i] lowers to the final form: a cased
 * letter before it and none after it, skipping case-ignorable characters
 * both ways. */
static gboolean
is_final_sigma (const gunichar *word,
                glong           n,
                glong           i)
{
  glong j = i;

  while (j > 0 && is_case_ignorable (word[j - 1]))
    j--;
  if (j == 0 || !is_cased (word[j - 1]))
    return FALSE;
  for (j = i + 1; j < n && is_case_ignorable (word[j]); j++)
    ;
  return j == n || !is_cased (word[j]);
}

/* str.lower() of one whitespace-free word, appended to out as UTF-8. */
static void
append_py_lower (GString        *out,
                 const gunichar *word,
                 glong           n)
{
  for (glong i = 0; i < n; i++)
    {
      gunichar c = word[i];

      if (c == 0x0130)        /* İ: the one unconditional two-character lowering */
        {
          g_string_append_unichar (out, 'i');
          c = 0x0307;
        }
      else if (c == 0x03A3)
        c = is_final_sigma (word, n, i) ? 0x03C2 : 0x03C3;
      else if (c >= 0x2160 && c <= 0x216F)
        c += 0x10;
      else if (c >= 0x24B6 && c <= 0x24CF)
        c += 0x1A;
      else
        c = g_unichar_tolower (c);
      g_string_append_unichar (out, c);
    }
}

/* --- Loading ------------------------------------------------------------ */

void
ov_tokenizer_free (OvTokenizer *tok)
{
  if (tok == NULL)
    return;
  g_free (tok->vocab_path);
  g_free (tok->vocab_bytes);
  g_clear_pointer (&tok->lines, g_ptr_array_unref);
  g_clear_pointer (&tok->vocab, g_hash_table_unref);
  g_clear_pointer (&tok->added_by_id, g_hash_table_unref);
  g_clear_pointer (&tok->added, g_hash_table_unref);
  g_clear_pointer (&tok->split_first, g_ptr_array_unref);
  g_clear_pointer (&tok->extra_special, g_ptr_array_unref);
  g_clear_pointer (&tok->extra_ids, g_array_unref);
  for (guint i = 0; i < N_SPECIAL; i++)
    g_free (tok->special_names[i]);
  g_free (tok);
}

static gboolean
lookup_vocab (OvTokenizer *tok,
              const char  *token,
              gint32      *id)
{
  gpointer value;

  if (!g_hash_table_lookup_extended (tok->vocab, token, NULL, &value))
    return FALSE;
  *id = GPOINTER_TO_INT (value);
  return TRUE;
}

/* Python reads vocab.txt as UTF-8 text with universal newlines ("\n", "\r\n"
 * and a lone "\r" all end a line) and keeps everything else on the line,
 * spaces included; line n is id n. */
static gboolean
load_vocab (OvTokenizer  *tok,
            const char   *path,
            GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = g_filename_display_name (path);
  const char *end_valid, *nul;
  char *bytes, *p, *end;
  gsize length;
  guint n_duplicates = 0;

  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return FALSE;
  if (!g_file_get_contents (path, &bytes, &length, &local_error))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("cannot read vocabulary %s: %s"),
                   display, local_error->message);
      return FALSE;
    }
  tok->vocab_bytes = bytes;
  if (length > MAX_VOCAB_BYTES)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("vocabulary %s is %zu bytes, more than the %d we accept"),
                   display, length, MAX_VOCAB_BYTES);
      return FALSE;
    }
  nul = memchr (bytes, '\0', length);
  if (nul != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("vocabulary %s holds a NUL byte at offset %td: not a vocab.txt text file"),
                   display, nul - bytes);
      return FALSE;
    }
  if (!g_utf8_validate_len (bytes, length, &end_valid))
    {
      guint line = 1;

      /* Lines end as below: "\n", "\r\n" or a lone "\r". */
      for (const char *q = bytes; q < end_valid; q++)
        line += *q == '\n' || (*q == '\r' && (q + 1 == end_valid || q[1] != '\n'));
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("vocabulary %s is not valid UTF-8 (line %u, byte offset %td)"),
                   display, line, end_valid - bytes);
      return FALSE;
    }

  tok->lines = g_ptr_array_sized_new (length / 7 + 1);
  tok->vocab = g_hash_table_new (g_str_hash, g_str_equal);
  p = bytes;
  end = bytes + length;
  while (p < end)
    {
      char *line = p;
      gint32 id = (gint32) tok->lines->len;
      gint32 old_id;

      while (p < end && *p != '\n' && *p != '\r')
        p++;
      if (p < end)
        {
          gboolean crlf = p[0] == '\r' && p + 1 < end && p[1] == '\n';

          *p = '\0';
          p += crlf ? 2 : 1;
        }
      /* The last line has no terminator: g_file_get_contents put a NUL after it. */
      g_ptr_array_add (tok->lines, line);
      if (lookup_vocab (tok, line, &old_id) && n_duplicates++ == 0)
        {
          tok->first_duplicate[0] = old_id;
          tok->first_duplicate[1] = id;
        }
      g_hash_table_insert (tok->vocab, line, GINT_TO_POINTER (id));
    }
  tok->n_duplicates = n_duplicates;

  return TRUE;
}

/* The JSON object in the file at path (parser holds it), or NULL with an
 * OV_ERROR_FORMAT error naming the file as `what` and saying it should map
 * `shape`. */
static JsonObject *
load_json_object (JsonParser  *parser,
                  const char  *path,
                  const char  *display,
                  const char  *what,
                  const char  *shape,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!ov_json_load_file (parser, path, &local_error))
    {
      g_set_error (error, OV_ERROR, ov_json_error_code (local_error, OV_ERROR_FORMAT),
                   _ ("cannot read %s %s: %s"), what, display, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s %s: expected a JSON object of %s"),
                   what, display, shape);
      return NULL;
    }
  return json_node_get_object (root);
}

/* added_tokens.json: {"token": id, ...}. Python lets these ids override the
 * vocabulary's, and cuts these strings out of the text before tokenizing. */
static gboolean
load_added_tokens (OvTokenizer  *tok,
                   const char   *path,
                   GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  object = load_json_object (parser, path, display, _ ("added tokens"), "token → id", error);
  if (object == NULL)
    return FALSE;
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *token = l->data;
      JsonNode *node = json_object_get_member (object, token);
      gint64 id;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("added tokens %s: the id of “%s” is not an integer"), display, token);
          return FALSE;
        }
      id = json_node_get_int (node);
      if (id < 0 || id > G_MAXINT32)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("added tokens %s: id %" PRId64 " of “%s” is out of range"),
                       display, id, token);
          return FALSE;
        }
      if (*token == '\0')
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("added tokens %s: an added token is the empty string"), display);
          return FALSE;
        }
      if (!g_utf8_validate (token, -1, NULL))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("added tokens %s: a token is not valid UTF-8"), display);
          return FALSE;
        }
      if (!g_hash_table_contains (tok->added, token))
        g_ptr_array_add (tok->split_first, g_strdup (token));
      g_hash_table_insert (tok->added, g_strdup (token), GINT_TO_POINTER ((gint32) id));
    }
  /* Python builds the id -> token map by walking token -> id in order, so the
   * last token of an id wins. */
  for (guint i = 0; i < tok->split_first->len; i++)
    {
      const char *token = g_ptr_array_index (tok->split_first, i);
      gpointer key, value;

      g_hash_table_lookup_extended (tok->added, token, &key, &value);
      g_hash_table_insert (tok->added_by_id, value, key);
    }
  return TRUE;
}

/* null or "": what Python leaves out of the special tokens */
static gboolean
json_is_empty_token (JsonNode *node)
{
  return JSON_NODE_HOLDS_NULL (node)
         || (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             && *json_node_get_string (node) == '\0');
}

/* One token of special_tokens_map.json: a string, or (as later versions of
 * the library save them) an object whose "content" is the string. */
static const char *
special_map_string (JsonNode    *node,
                    const char  *display,
                    const char  *key,
                    GError     **error)
{
  const char *value = NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    value = json_node_get_string (node);
  else if (node != NULL && JSON_NODE_HOLDS_OBJECT (node)
           && json_object_has_member (json_node_get_object (node), "content"))
    {
      JsonNode *content = json_object_get_member (json_node_get_object (node), "content");

      if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
        value = json_node_get_string (content);
    }
  if (value == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("special tokens %s: “%s” is neither a string nor an object with a "
                      "string “content”"), display, key);
      return NULL;
    }
  if (*value == '\0' || !g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("special tokens %s: “%s” is %s"), display, key,
                   *value == '\0' ? _ ("the empty string") : _ ("not valid UTF-8"));
      return NULL;
    }
  return value;
}

/* Adds the special token node holds (see special_map_string) to the extras. */
static gboolean
add_extra_special (OvTokenizer  *tok,
                   JsonNode     *node,
                   const char   *display,
                   const char   *key,
                   GError      **error)
{
  const char *value = special_map_string (node, display, key, error);

  if (value == NULL)
    return FALSE;
  g_ptr_array_add (tok->extra_special, g_strdup (value));
  return TRUE;
}

/* special_tokens_map.json: {"unk_token": "[UNK]", ...}. Python passes its
 * entries to the tokenizer's constructor, so they rename the five special
 * tokens; bos_token, eos_token and additional_special_tokens become special
 * tokens too (cut out of the text first, skipped when decoding). Python
 * drops an empty or null one of those three, and takes a lone string as a
 * list of one. Entries as later versions of the library save them (objects
 * with a "content" string, which pytorch-transformers 1.x itself cannot
 * read) are taken for their content.
 * Not followed: Python would pass any other key of the file to the
 * constructor too (do_lower_case, never_split, tokenize_chinese_chars...);
 * save_pretrained never writes those, and they are ignored here. */
static gboolean
load_special_tokens_map (OvTokenizer  *tok,
                         const char   *path,
                         GError      **error)
{
  static const char *const extra_keys[] = { "bos_token", "eos_token" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *display = g_filename_display_name (path);
  JsonObject *object;
  JsonNode *list;

  object = load_json_object (parser, path, display, _ ("special tokens"), "name → token",
                             error);
  if (object == NULL)
    return FALSE;
  for (guint i = 0; i < N_SPECIAL; i++)
    if (json_object_has_member (object, special_keys[i]))
      {
        const char *value = special_map_string (json_object_get_member (object, special_keys[i]),
                                                display, special_keys[i], error);

        if (value == NULL)
          return FALSE;
        g_free (tok->special_names[i]);
        tok->special_names[i] = g_strdup (value);
      }
  for (guint i = 0; i < G_N_ELEMENTS (extra_keys); i++)
    {
      JsonNode *node = json_object_get_member (object, extra_keys[i]);

      if (node != NULL && !json_is_empty_token (node)
          && !add_extra_special (tok, node, display, extra_keys[i], error))
        return FALSE;
    }
  list = json_object_get_member (object, "additional_special_tokens");
  if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
    {
      JsonArray *array = json_node_get_array (list);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!add_extra_special (tok, json_array_get_element (array, i), display,
                                "additional_special_tokens", error))
          return FALSE;
    }
  else if (list != NULL && !json_is_empty_token (list)
           && !add_extra_special (tok, list, display, "additional_special_tokens", error))
    return FALSE;
  return TRUE;
}

static gint32
token_to_id (OvTokenizer *tok,
             const char  *token)
{
  gpointer value;
  gint32 id;

  if (g_hash_table_lookup_extended (tok->added, token, NULL, &value))
    return GPOINTER_TO_INT (value);
  if (lookup_vocab (tok, token, &id))
    return id;
  return tok->vocab_unk_id;
}

OvTokenizer *
ov_tokenizer_new_from_files (const char  *vocab_path,
                             const char  *added_tokens_path,
                             const char  *special_tokens_map_path,
                             gboolean     do_lower_case,
                             GError     **error)
{
  g_autoptr(OvTokenizer) tok = NULL;
  g_autofree char *display = NULL;
  gint32 id;

  g_return_val_if_fail (vocab_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tok = g_new0 (OvTokenizer, 1);
  tok->vocab_path = g_strdup (vocab_path);
  tok->do_lower_case = !!do_lower_case;
  tok->added = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  tok->added_by_id = g_hash_table_new (g_direct_hash, g_direct_equal);
  tok->split_first = g_ptr_array_new_with_free_func (g_free);
  tok->extra_special = g_ptr_array_new_with_free_func (g_free);
  tok->extra_ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (guint i = 0; i < N_SPECIAL; i++)
    tok->special_names[i] = g_strdup (special_tokens[i]);

  if (!load_vocab (tok, vocab_path, error))
    return NULL;
  if (added_tokens_path != NULL && g_file_test (added_tokens_path, G_FILE_TEST_EXISTS)
      && !load_added_tokens (tok, added_tokens_path, error))
    return NULL;
  if (special_tokens_map_path != NULL
      && g_file_test (special_tokens_map_path, G_FILE_TEST_EXISTS)
      && !load_special_tokens_map (tok, special_tokens_map_path, error))
    return NULL;

  /* Python would give a special token it cannot find [UNK]'s id, and a
   * model would then read every [MASK] as an unknown word: refuse. */
  display = g_filename_display_name (vocab_path);
  for (guint i = 0; i < N_SPECIAL; i++)
    if (!g_hash_table_contains (tok->added, tok->special_names[i])
        && !lookup_vocab (tok, tok->special_names[i], &id))
      {
        if (strcmp (tok->special_names[i], special_tokens[i]) == 0)
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("vocabulary %s has no line “%s”%s"),
                       display, tok->special_names[i],
                       tok->lines->len == 0 ? _ (" (the file is empty)")
                       /* the original reads a byte order mark as part of the
                        * first token, which is then not "[PAD]" */
                       : g_str_has_prefix (g_ptr_array_index (tok->lines, 0), "\xef\xbb\xbf")
                       ? _ (" (the file starts with a byte order mark, which makes its first "
                            "line another token; save it as UTF-8 without one)")
                       : "");
        else
          {
            g_autofree char *map = g_filename_display_name (special_tokens_map_path);

            g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                         _ ("vocabulary %s has no line “%s”, which %s names as its %s"), display,
                         tok->special_names[i], map, special_keys[i]);
          }
        return NULL;
      }

  /* Added tokens are cut out first (file order), then the special tokens. */
  for (guint i = 0; i < N_SPECIAL; i++)
    g_ptr_array_add (tok->split_first, g_strdup (tok->special_names[i]));
  for (guint i = 0; i < tok->extra_special->len; i++)
    g_ptr_array_add (tok->split_first, g_strdup (g_ptr_array_index (tok->extra_special, i)));

  /* Python falls back on the vocabulary's own line of the unknown token */
  if (!lookup_vocab (tok, tok->special_names[SPECIAL_UNK], &tok->vocab_unk_id))
    tok->vocab_unk_id = GPOINTER_TO_INT (g_hash_table_lookup (tok->added,
                                                              tok->special_names[SPECIAL_UNK]));
  for (guint i = 0; i < N_SPECIAL; i++)
    tok->special_ids[i] = token_to_id (tok, tok->special_names[i]);
  for (guint i = 0; i < tok->extra_special->len; i++)
    {
      id = token_to_id (tok, g_ptr_array_index (tok->extra_special, i));
      g_array_append_val (tok->extra_ids, id);
    }

  g_debug ("vocabulary %s: %u lines, %u added tokens", vocab_path, tok->lines->len,
           g_hash_table_size (tok->added));
  return g_steal_pointer (&tok);
}

/* --- Tokenizing ---------------------------------------------------------- */

static gboolean
is_never_split (OvTokenizer *tok,
                const char  *word)
{
  for (guint i = 0; i < N_SPECIAL; i++)
    if (strcmp (word, tok->special_names[i]) == 0)
      return TRUE;
  for (guint i = 0; i < tok->extra_special->len; i++)
    if (strcmp (word, g_ptr_array_index (tok->extra_special, i)) == 0)
      return TRUE;
  return FALSE;
}

/* Lower-case, NFD-normalise and drop the non-spacing marks of one word. */
static char *
lower_and_strip_accents (const char *word)
{
  g_autofree gunichar *chars = NULL;
  g_autofree char *nfd = NULL;
  g_autoptr(GString) lowered = NULL;
  GString *out;
  glong n;
  const char *p;

  /* Plain ASCII, the usual case: lowering is all there is to do. */
  for (p = word; *p != '\0' && (guchar) *p < 0x80; p++)
    ;
  if (*p == '\0')
    return g_ascii_strdown (word, -1);

  chars = g_utf8_to_ucs4_fast (word, -1, &n);
  lowered = g_string_sized_new (strlen (word) + 8);
  append_py_lower (lowered, chars, n);
  nfd = g_utf8_normalize (lowered->str, lowered->len, G_NORMALIZE_NFD);
  out = g_string_sized_new (lowered->len);
  for (p = nfd; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (py_category (c) != G_UNICODE_NON_SPACING_MARK)
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Punctuation split of one word into `out`, each punctuation character its
 * own token. Whitespace also separates, which is what Python's final
 * re-split on whitespace does. */
static void
split_on_punctuation (const char *word,
                      GPtrArray  *out)
{
  const char *start = NULL;

  for (const char *p = word;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean punct = c != 0 && is_bert_punctuation (c);
      gboolean space = c != 0 && is_py_space (c);

      if (start != NULL && (c == 0 || punct || space))
        {
          g_ptr_array_add (out, g_strndup (start, p - start));
          start = NULL;
        }
      if (c == 0)
        break;
      if (punct)
        g_ptr_array_add (out, g_strndup (p, g_utf8_next_char (p) - p));
      else if (!space && start == NULL)
        start = p;
    }
}

/* The basic tokenizer on one piece of text free of special tokens, appending
 * the resulting words to `out` (§8.3). */
static void
basic_tokenize (OvTokenizer *tok,
                const char  *text,
                gsize        length,
                GPtrArray   *out)
{
  g_autoptr(GString) clean = g_string_sized_new (length + 8);
  const char *end = text + length;
  const char *p;

  /* 1-2: delete NUL, U+FFFD and control characters, whitespace to a plain
   * space, spaces around CJK ideographs. */
  for (p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0 || c == 0xFFFD || is_bert_control (c))
        continue;
      if (is_bert_whitespace (c))
        g_string_append_c (clean, ' ');
      else if (is_cjk_ideograph (c))
        {
          g_string_append_c (clean, ' ');
          g_string_append_len (clean, p, g_utf8_next_char (p) - p);
          g_string_append_c (clean, ' ');
        }
      else
        g_string_append_len (clean, p, g_utf8_next_char (p) - p);
    }

  /* 3-6: split on whitespace, lower-case and strip accents per word, split
   * punctuation off. */
  p = clean->str;
  while (*p != '\0')
    {
      const char *word_end;
      g_autofree char *word = NULL;

      while (*p != '\0' && is_py_space (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      if (*p == '\0')
        break;
      for (word_end = p; *word_end != '\0' && !is_py_space (g_utf8_get_char (word_end));)
        word_end = g_utf8_next_char (word_end);
      word = g_strndup (p, word_end - p);
      p = word_end;

      if (tok->do_lower_case && !is_never_split (tok, word))
        {
          g_autofree char *stripped = lower_and_strip_accents (word);

          split_on_punctuation (stripped, out);
        }
      else
        split_on_punctuation (word, out);
    }
}

/* Greedy longest-match-first WordPiece of one basic token (§8.4). */
static void
wordpiece (OvTokenizer *tok,
           const char  *word,
           GPtrArray   *out)
{
  gsize offsets[MAX_CHARS_PER_WORD + 1];
  g_autoptr(GString) candidate = g_string_sized_new (64);
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);
  glong n_chars = 0;
  const char *p;

  /* offsets[i] = byte offset of character i; offsets[n_chars] = length. */
  for (p = word; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (n_chars == MAX_CHARS_PER_WORD)
        {
          g_ptr_array_add (out, g_strdup (tok->special_names[SPECIAL_UNK]));
          return;
        }
      offsets[n_chars++] = p - word;
    }
  offsets[n_chars] = p - word;

  for (glong start = 0; start < n_chars;)
    {
      glong end;

      for (end = n_chars; end > start; end--)
        {
          g_string_truncate (candidate, 0);
          if (start > 0)
            g_string_append (candidate, "##");
          g_string_append_len (candidate, word + offsets[start],
                               offsets[end] - offsets[start]);
          if (g_hash_table_contains (tok->vocab, candidate->str))
            break;
        }
      if (end == start)
        {
          /* No piece fits here: the whole word is unknown. */
          g_ptr_array_add (out, g_strdup (tok->special_names[SPECIAL_UNK]));
          return;
        }
      g_ptr_array_add (pieces, g_strdup (candidate->str));
      start = end;
    }
  g_ptr_array_extend_and_steal (out, g_steal_pointer (&pieces));
}

static gsize
strip_py_space (const char **text,
                gsize        length)
{
  const char *start = *text, *end = *text + length;

  while (start < end && is_py_space (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!is_py_space (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  *text = start;
  return end - start;
}

/* Python cuts the text on each added and special token in turn, strips the
 * pieces, and keeps the token itself between them (§8.2 step 1). */
static void
split_special (OvTokenizer *tok,
               const char  *text,
               gsize        length,
               guint        level,
               gboolean     basic_only,
               GPtrArray   *out)
{
  const char *sep, *end = text + length;
  gsize sep_len;

  if (length == 0)
    return;
  if (level == tok->split_first->len)
    {
      g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);

      basic_tokenize (tok, text, length, words);
      if (basic_only)
        {
          g_ptr_array_extend_and_steal (out, g_steal_pointer (&words));
          return;
        }
      for (guint i = 0; i < words->len; i++)
        wordpiece (tok, g_ptr_array_index (words, i), out);
      return;
    }

  sep = g_ptr_array_index (tok->split_first, level);
  sep_len = strlen (sep);
  for (const char *piece = text;;)
    {
      const char *hit = memmem (piece, end - piece, sep, sep_len);
      const char *piece_end = hit != NULL ? hit : end;
      const char *stripped = piece;
      gsize stripped_len = strip_py_space (&stripped, piece_end - piece);

      split_special (tok, stripped, stripped_len, level + 1, basic_only, out);
      if (hit == NULL)
        break;
      g_ptr_array_add (out, g_strdup (sep));
      piece = hit + sep_len;
    }
}

static GPtrArray *
tokenize (OvTokenizer *tok,
          const char  *text,
          gboolean     basic_only)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *valid = NULL;

  /* Invalid UTF-8 becomes U+FFFD, which the clean step then deletes. */
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  split_special (tok, text, strlen (text), 0, basic_only, out);
  return out;
}

GPtrArray *
ov_tokenizer_tokenize (OvTokenizer *tok,
                       const char  *text)
{
  g_return_val_if_fail (tok != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return tokenize (tok, text, FALSE);
}

GPtrArray *
ov_tokenizer_basic_tokenize (OvTokenizer *tok,
                             const char  *text)
{
  g_return_val_if_fail (tok != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return tokenize (tok, text, TRUE);
}

/* ov_tokenizer_unknown_words, or with distinct each word once (the first
 * time it comes) and counted once. */
static GPtrArray *
unknown_words (OvTokenizer *tok,
               const char  *text,
               gboolean     distinct,
               guint       *n_words)
{
  g_autoptr(GPtrArray) words = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *unknown;
  guint n = 0;

  g_return_val_if_fail (tok != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  words = tokenize (tok, text, TRUE);
  unknown = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < words->len; i++)
    {
      const char *word = g_ptr_array_index (words, i);
      g_autoptr(GPtrArray) pieces = NULL;

      gboolean punctuation = TRUE;

      if (distinct && !g_hash_table_add (seen, (gpointer) word))
        continue;
      if (g_ptr_array_find_with_equal_func (tok->split_first, word, g_str_equal, NULL))
        {
          n++;
          continue;
        }
      /* A lone punctuation mark is no word to report. */
      for (const char *p = word; *p != '\0' && punctuation; p = g_utf8_next_char (p))
        punctuation = is_bert_punctuation (g_utf8_get_char (p));
      if (punctuation)
        continue;
      n++;
      pieces = g_ptr_array_new_with_free_func (g_free);
      wordpiece (tok, word, pieces);
      if (pieces->len == 1
          && g_str_equal (g_ptr_array_index (pieces, 0), tok->special_names[SPECIAL_UNK]))
        g_ptr_array_add (unknown, g_strdup (word));
    }
  if (n_words != NULL)
    *n_words = n;
  return unknown;
}

GPtrArray *
ov_tokenizer_unknown_words (OvTokenizer *tok,
                            const char  *text,
                            guint       *n_words)
{
  return unknown_words (tok, text, FALSE, n_words);
}

GPtrArray *
ov_tokenizer_unknown_distinct_words (OvTokenizer *tok,
                                     const char  *text,
                                     guint       *n_words)
{
  return unknown_words (tok, text, TRUE, n_words);
}

gboolean
ov_tokenizer_text_is_empty (const char *text)
{
  g_autofree char *valid = NULL;

  g_return_val_if_fail (text != NULL, TRUE);

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  /* the clean step of basic_tokenize, the split on white space, then the
   * accent strip, which deletes a word made of non-spacing marks only (no
   * other character lowers and decomposes to nothing but such marks) */
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0xFFFD || is_bert_control (c) || is_bert_whitespace (c) || is_py_space (c)
          || py_category (c) == G_UNICODE_NON_SPACING_MARK)
        continue;
      return FALSE;
    }
  return TRUE;
}

GArray *
ov_tokenizer_encode (OvTokenizer *tok,
                     const char  *text)
{
  g_autoptr(GPtrArray) tokens = NULL;
  GArray *ids;

  g_return_val_if_fail (tok != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  tokens = tokenize (tok, text, FALSE);
  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint32), tokens->len);
  for (guint i = 0; i < tokens->len; i++)
    {
      gint32 id = token_to_id (tok, g_ptr_array_index (tokens, i));

      g_array_append_val (ids, id);
    }
  return ids;
}

gint32
ov_tokenizer_token_to_id (OvTokenizer *tok,
                          const char  *token)
{
  g_return_val_if_fail (tok != NULL, -1);
  g_return_val_if_fail (token != NULL, -1);

  return token_to_id (tok, token);
}

/* Python's ids_to_tokens: added tokens first, then vocabulary lines whose
 * token still maps back to them (a duplicated line lost its id), else [UNK]. */
static const char *
id_to_token (OvTokenizer *tok,
             gint32       id)
{
  const char *token = g_hash_table_lookup (tok->added_by_id, GINT_TO_POINTER (id));
  gint32 vocab_id;

  if (token != NULL)
    return token;
  if (id < 0 || (guint) id >= tok->lines->len)
    return tok->special_names[SPECIAL_UNK];
  token = g_ptr_array_index (tok->lines, id);
  if (lookup_vocab (tok, token, &vocab_id) && vocab_id == id)
    return token;
  return tok->special_names[SPECIAL_UNK];
}

const char *
ov_tokenizer_id_to_token (OvTokenizer *tok,
                          gint32       id)
{
  g_return_val_if_fail (tok != NULL, NULL);

  if (!g_hash_table_contains (tok->added_by_id, GINT_TO_POINTER (id))
      && (id < 0 || (guint) id >= tok->lines->len))
    return NULL;
  return id_to_token (tok, id);
}

gint64
ov_tokenizer_first_difference (OvTokenizer *a,
                               OvTokenizer *b)
{
  GHashTableIter iter;
  gpointer key, value;
  gint64 first = -1;

  g_return_val_if_fail (a != NULL && b != NULL, 0);

  for (guint id = 0; id < MAX (a->lines->len, b->lines->len); id++)
    if (g_strcmp0 (ov_tokenizer_id_to_token (a, (gint32) id),
                   ov_tokenizer_id_to_token (b, (gint32) id)) != 0)
      return id;
  /* added tokens may sit anywhere past the vocabulary: compare both ways */
  for (int side = 0; side < 2; side++)
    {
      OvTokenizer *one = side == 0 ? a : b, *other = side == 0 ? b : a;

      g_hash_table_iter_init (&iter, one->added_by_id);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gint32 id = GPOINTER_TO_INT (key);

          if (g_strcmp0 (value, ov_tokenizer_id_to_token (other, id)) != 0
              && (first < 0 || id < first))
            first = id;
        }
    }
  return first;
}

guint
ov_tokenizer_get_vocab_size (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, 0);

  return tok->lines->len;
}

guint
ov_tokenizer_get_n_added_tokens (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, 0);

  return g_hash_table_size (tok->added);
}

/* --- Decoding ------------------------------------------------------------ */

static gboolean
is_special_id (OvTokenizer *tok,
               gint32       id)
{
  for (guint i = 0; i < N_SPECIAL; i++)
    if (tok->special_ids[i] == id)
      return TRUE;
  for (guint i = 0; i < tok->extra_ids->len; i++)
    if (g_array_index (tok->extra_ids, gint32, i) == id)
      return TRUE;
  return FALSE;
}

/* g_string_replace (s, from, to, 0) in one pass: GLib's version moves the
 * rest of the string at every match, quadratic on long texts. */
static void
replace_all (GString    *s,
             const char *from,
             const char *to)
{
  gsize from_len = strlen (from);
  g_autoptr(GString) out = NULL;
  const char *p = s->str, *end = s->str + s->len, *hit;

  if (memmem (p, s->len, from, from_len) == NULL)
    return;
  out = g_string_sized_new (s->len);
  while ((hit = memmem (p, (gsize) (end - p), from, from_len)) != NULL)
    {
      g_string_append_len (out, p, hit - p);
      g_string_append (out, to);
      p = hit + from_len;
    }
  g_string_append_len (out, p, end - p);
  g_string_truncate (s, 0);
  g_string_append_len (s, out->str, out->len);
}

char *
ov_tokenizer_decode (OvTokenizer  *tok,
                     const gint32 *ids,
                     gsize         n_ids,
                     gboolean      skip_special_tokens)
{
  /* clean_up_tokenization: plain replacements, in this order (§8.5). */
  static const char *const cleanup[][2] = {
    { " .", "." }, { " ?", "?" }, { " !", "!" }, { " ,", "," }, { " ' ", "'" },
    { " n't", "n't" }, { " 'm", "'m" }, { " do not", " don't" }, { " 's", "'s" },
    { " 've", "'ve" }, { " 're", "'re" },
  };
  g_autoptr(GString) joined = g_string_new (NULL);
  const char *start;
  gsize length;
  gboolean first = TRUE;
  GString *out;

  g_return_val_if_fail (tok != NULL, NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  for (gsize i = 0; i < n_ids; i++)
    {
      if (skip_special_tokens && is_special_id (tok, ids[i]))
        continue;
      if (!first)
        g_string_append_c (joined, ' ');
      g_string_append (joined, id_to_token (tok, ids[i]));
      first = FALSE;
    }
  replace_all (joined, " ##", "");

  start = joined->str;
  length = strip_py_space (&start, joined->len);
  out = g_string_new_len (start, length);
  for (guint i = 0; i < G_N_ELEMENTS (cleanup); i++)
    replace_all (out, cleanup[i][0], cleanup[i][1]);
  return g_string_free (out, FALSE);
}

gint32
ov_tokenizer_pad_id (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, -1);
  return tok->special_ids[SPECIAL_PAD];
}

gint32
ov_tokenizer_unk_id (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, -1);
  return tok->special_ids[SPECIAL_UNK];
}

gint32
ov_tokenizer_cls_id (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, -1);
  return tok->special_ids[SPECIAL_CLS];
}

gint32
ov_tokenizer_sep_id (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, -1);
  return tok->special_ids[SPECIAL_SEP];
}

gint32
ov_tokenizer_mask_id (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, -1);
  return tok->special_ids[SPECIAL_MASK];
}

const char *
ov_tokenizer_mask_token (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, NULL);

  return tok->special_names[SPECIAL_MASK];
}

const char *
ov_tokenizer_unk_token (OvTokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, NULL);

  return tok->special_names[SPECIAL_UNK];
}
