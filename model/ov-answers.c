/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Loads VQA answer vocabularies from text, JSON or (through the restricted
 * pickle reader) Oscar's answer pickles, and checks that a dict form names
 * every class index exactly once.
 */
#define G_LOG_DOMAIN "ov-answers"

#include "ov-answers.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ov-error.h"
#include "ov-i18n.h"
#include "ov-json.h"
#include "ov-pickle.h"
#include "ov-files.h"

#define OV_ANSWERS_MAX_BYTES (256u << 20)

struct _OvAnswerList {
  GPtrArray  *answers;   /* char*, index = class */
  GHashTable *index;     /* answer -> first index + 1 */
  GArray     *labels;    /* gint64, the label of each class; NULL: the class */
  GHashTable *by_label;  /* label (gint64*) -> class + 1, with labels */
};

/* labels (may be NULL) is taken too. */
static OvAnswerList *
answer_list_take_labelled (GPtrArray *answers,
                           GArray    *labels)
{
  OvAnswerList *list = g_new0 (OvAnswerList, 1);

  list->answers = answers;
  list->index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < answers->len; i++)
    if (!g_hash_table_contains (list->index, answers->pdata[i]))
      g_hash_table_insert (list->index, answers->pdata[i], GUINT_TO_POINTER (i + 1));
  list->labels = labels;
  if (labels != NULL)
    {
      list->by_label = g_hash_table_new (g_int64_hash, g_int64_equal);
      for (guint i = 0; i < labels->len; i++)
        g_hash_table_insert (list->by_label, &g_array_index (labels, gint64, i),
                             GUINT_TO_POINTER (i + 1));
    }
  return list;
}

static OvAnswerList *
answer_list_take (GPtrArray *answers)
{
  return answer_list_take_labelled (answers, NULL);
}

OvAnswerList *
ov_answer_list_new (const char * const *answers,
                    guint               n)
{
  GPtrArray *a = g_ptr_array_new_full (n, g_free);

  g_return_val_if_fail (answers != NULL || n == 0, NULL);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (a, g_strdup (answers[i] != NULL ? answers[i] : ""));
  return answer_list_take (a);
}

void
ov_answer_list_free (OvAnswerList *list)
{
  if (list == NULL)
    return;
  g_hash_table_unref (list->index);
  g_clear_pointer (&list->by_label, g_hash_table_unref);
  g_clear_pointer (&list->labels, g_array_unref);
  g_ptr_array_unref (list->answers);
  g_free (list);
}

guint
ov_answer_list_get_n (OvAnswerList *list)
{
  g_return_val_if_fail (list != NULL, 0);

  return list->answers->len;
}

const char *
ov_answer_list_get (OvAnswerList *list,
                    guint         i)
{
  g_return_val_if_fail (list != NULL, NULL);

  return i < list->answers->len ? list->answers->pdata[i] : NULL;
}

int
ov_answer_list_find (OvAnswerList *list,
                     const char   *answer)
{
  gpointer pos;

  g_return_val_if_fail (list != NULL, -1);

  pos = answer != NULL ? g_hash_table_lookup (list->index, answer) : NULL;
  return pos != NULL ? (int) GPOINTER_TO_UINT (pos) - 1 : -1;
}

gint64
ov_answer_list_get_label (OvAnswerList *list,
                          guint         i)
{
  g_return_val_if_fail (list != NULL, -1);

  if (i >= list->answers->len)
    return -1;
  return list->labels != NULL ? g_array_index (list->labels, gint64, i) : (gint64) i;
}

const char *
ov_answer_list_get_by_label (OvAnswerList *list,
                             gint64        label)
{
  gpointer at;

  g_return_val_if_fail (list != NULL, NULL);

  if (list->labels == NULL)
    return label >= 0 && label < list->answers->len ? list->answers->pdata[label] : NULL;
  at = g_hash_table_lookup (list->by_label, &label);
  return at != NULL ? list->answers->pdata[GPOINTER_TO_UINT (at) - 1] : NULL;
}

/* Places answer `a` at class `label` of a dict-shaped vocabulary. */
static gboolean
place (GPtrArray  *slots,
       const char *path,
       const char *a,
       gint64      label,
       GError    **error)
{
  if (label < 0 || label >= slots->len)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: answer \"%s\" has index %" PRId64 ", outside 0..%u"), path, a, label,
                   slots->len - 1);
      return FALSE;
    }
  if (slots->pdata[label] != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: answers \"%s\" and \"%s\" share index %" PRId64), path,
                   (char *) slots->pdata[label], a, label);
      return FALSE;
    }
  slots->pdata[label] = g_strdup (a);
  return TRUE;
}

static GPtrArray *
from_pickle (const char *path,
             GArray    **labels,
             GError    **error)
{
  g_autoptr (OvPickleValue) root = ov_pickle_load_file (path, error);
  g_autoptr (GPtrArray) a = NULL;
  guint n;

  if (root == NULL)
    return NULL;
  n = ov_pickle_value_n_items (root);
  a = g_ptr_array_new_full (n, g_free);
  switch (ov_pickle_value_kind (root))
    {
    case OV_PICKLE_LIST:
      /* a set's order is the hash order of the Python that wrote it: the
       * model's answer indices cannot come from it */
      if (ov_pickle_value_is_set (root))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: the pickle holds a set of answers, which has no order; the "
                          "model's answer indices need a list or a dict {answer: index}"),
                       path);
          return NULL;
        }
      for (guint i = 0; i < n; i++)
        {
          const char *s = ov_pickle_value_string (ov_pickle_value_nth (root, i));
          if (s == NULL)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: answer %u is not a string"),
                           path, i);
              return NULL;
            }
          g_ptr_array_add (a, g_strdup (s));
        }
      break;
    case OV_PICKLE_DICT:
      {
        g_autoptr (GPtrArray) slots = g_ptr_array_new_full (n, g_free);

        g_ptr_array_set_size (slots, n);
        *labels = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
        for (guint i = 0; i < n; i++)
          {
            const OvPickleValue *v = ov_pickle_value_nth (root, i);
            const char *key = ov_pickle_value_nth_key (root, i);
            gint64 label;

            if (ov_pickle_value_kind (v) != OV_PICKLE_INT)
              {
                g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                             _ ("%s: the index of answer \"%s\" is not an integer"), path, key);
                return NULL;
              }
            label = ov_pickle_value_int (v);
            if (!place (slots, path, key, label, error))
              return NULL;
            g_ptr_array_add (a, g_strdup (key));
            g_array_append_val (*labels, label);
          }
        break;
      }
    default:
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: the pickle holds neither a list "
                                                        "nor a dict of answers"), path);
      return NULL;
    }
  return g_steal_pointer (&a);
}

/* Whether a JSON dict maps labels to answers ({"0": "yes"}): every key
 * a whole number written plainly, every value a string. */
static gboolean
is_index_dict (JsonObject *obj)
{
  g_autoptr(GList) members = json_object_get_members (obj);

  if (members == NULL)
    return FALSE;
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *x = json_object_get_member (obj, key);

      if (*key == '\0' || strspn (key, "0123456789") != strlen (key) || strlen (key) > 9
          || (key[0] == '0' && key[1] != '\0')
          || !JSON_NODE_HOLDS_VALUE (x) || json_node_get_value_type (x) != G_TYPE_STRING)
        return FALSE;
    }
  return TRUE;
}

static GPtrArray *
from_json (const char *path,
           const char *text,
           gsize       len,
           GArray    **labels,
           GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) a = NULL;
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (!ov_json_load_data (parser, text, len, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, "%s: %s", path, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *arr = json_node_get_array (root);
      guint n = json_array_get_length (arr);
      a = g_ptr_array_new_full (n, g_free);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *x = json_array_get_element (arr, i);
          if (!JSON_NODE_HOLDS_VALUE (x) || json_node_get_value_type (x) != G_TYPE_STRING)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: answer %u is not a string"),
                           path, i);
              return NULL;
            }
          g_ptr_array_add (a, g_strdup (json_node_get_string (x)));
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (root) && is_index_dict (json_node_get_object (root)))
    {
      /* {"0": "yes", "1": "no"}: a label2ans list as json.dump writes a
       * dict of int keys; the keys are the labels */
      JsonObject *obj = json_node_get_object (root);
      GList *members = json_object_get_members (obj);

      a = g_ptr_array_new_full (0, g_free);
      g_ptr_array_set_size (a, json_object_get_size (obj));
      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *answer = json_object_get_string_member (obj, l->data);

          if (!place (a, path, answer, g_ascii_strtoll (l->data, NULL, 10), error))
            {
              g_list_free (members);
              return NULL;
            }
        }
      g_list_free (members);
    }
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *obj = json_node_get_object (root);
      GList *members = json_object_get_members (obj);   /* in the file's order */
      guint n = json_object_get_size (obj);
      g_autoptr (GPtrArray) slots = g_ptr_array_new_full (n, g_free);

      a = g_ptr_array_new_full (n, g_free);
      g_ptr_array_set_size (slots, n);
      *labels = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *x = json_object_get_member (obj, l->data);
          gint64 label;

          if (!JSON_NODE_HOLDS_VALUE (x) || json_node_get_value_type (x) != G_TYPE_INT64)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                           _ ("%s: the index of answer \"%s\" is not an integer"), path,
                           (char *) l->data);
              g_list_free (members);
              return NULL;
            }
          label = json_node_get_int (x);
          if (!place (slots, path, l->data, label, error))
            {
              g_list_free (members);
              return NULL;
            }
          g_ptr_array_add (a, g_strdup (l->data));
          g_array_append_val (*labels, label);
        }
      g_list_free (members);
    }
  else
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: neither a JSON list nor a JSON dict "
                                                        "of answers"), path);
      return NULL;
    }
  return g_steal_pointer (&a);
}

static GPtrArray *
from_lines (const char *path,
            char       *text,
            gsize       len,
            GError    **error)
{
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);
  char *line = text;

  if (!g_utf8_validate_len (text, len, NULL) || memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: not UTF-8 text"), path);
      g_ptr_array_unref (a);
      return NULL;
    }
  while (line < text + len)
    {
      char *nl = memchr (line, '\n', text + len - line);
      char *end = nl != NULL ? nl : text + len;
      if (end > line && end[-1] == '\r')
        end--;
      g_ptr_array_add (a, g_strndup (line, end - line));
      if (nl == NULL)
        break;
      line = nl + 1;
    }
  return a;
}

/* The answers of one file in its order, and for a dict {answer: label}
 * its labels in the same order (labels NULL for a list). */
static GPtrArray *
read_answers (const char  *path,
              GArray     **labels,
              GError     **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *text = NULL;
  GPtrArray *answers = NULL;
  gsize len = 0;
  const char *p;

  *labels = NULL;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO,
                   _ ("%s is a folder; give the answer list file in it (label2ans.json, "
                      "answers.txt or label2ans.pkl)"), path);
      return NULL;
    }
  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_IO, "%s: %s", path, local->message);
      return NULL;
    }
  if (len > OV_ANSWERS_MAX_BYTES)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: %zu bytes is too "
                                                       "large for an answer list"), path, len);
      return NULL;
    }

  /* Pickles (protocol 2+), torch zips around one, and the text pickles of
   * protocols 0 and 1 (Python 2's default), which start with a container
   * opcode and end with STOP. */
  if (len >= 2 && ((guint8) text[0] == 0x80 || memcmp (text, "PK", 2) == 0
                   || (strchr ("(]}", text[0]) != NULL && text[len - 1] == '.')))
    answers = from_pickle (path, labels, error);
  else
    {
      /* A byte order mark (Windows editors write one) is no part of the
       * first answer: kept, "yes" would not match the references' "yes". */
      gsize bom = len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

      p = text + bom;
      while (p < text + len && g_ascii_isspace (*p))
        p++;
      if (p < text + len && (*p == '[' || *p == '{'))
        answers = from_json (path, text, len, labels, error);
      else
        answers = from_lines (path, text + bom, len - bom, error);
    }
  if (answers == NULL)
    g_clear_pointer (labels, g_array_unref);
  else if (answers->len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: no answers"), path);
      g_clear_pointer (&answers, g_ptr_array_unref);
      g_clear_pointer (labels, g_array_unref);
    }
  return answers;
}

/* The ans2label file that Oscar's run_vqa reads beside a label2ans file:
 * the same name with "ans2label" for "label2ans", as a pickle or JSON;
 * NULL where there is none. */
static char *
find_companion (const char *path)
{
  static const char *const exts[] = { ".pkl", ".json" };
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  char *at = strstr (base, "label2ans");
  g_autofree char *stem = NULL;
  const char *dot;

  if (at == NULL)
    return NULL;
  dot = strrchr (at, '.');
  stem = g_strdup_printf ("%.*sans2label%.*s", (int) (at - base), base,
                          (int) (dot != NULL ? dot - (at + 9) : (gssize) strlen (at + 9)),
                          at + 9);
  for (guint e = 0; e < G_N_ELEMENTS (exts); e++)
    {
      g_autofree char *name = g_strconcat (stem, exts[e], NULL);
      g_autofree char *other = g_build_filename (dir, name, NULL);

      if (g_file_test (other, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&other);
    }
  return NULL;
}

OvAnswerList *
ov_answer_list_load (const char *path,
                     GError    **error)
{
  g_autoptr (GPtrArray) answers = NULL;
  g_autoptr (GArray) labels = NULL;
  g_autofree char *companion = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  answers = read_answers (path, &labels, error);
  if (answers == NULL)
    return NULL;
  /* A dict {answer: label}: class i is its i-th answer (Oscar's classes
   * are the labels in the dict's order, and label2ans turns label back
   * into that answer). */
  if (labels != NULL)
    return answer_list_take_labelled (g_steal_pointer (&answers), g_steal_pointer (&labels));

  /* A list label2ans: with its ans2label beside it, class i answers
   * label2ans[labels[i]], labels = list (ans2label.values ()), as
   * run_vqa.test () does; alone, class i is answer i. */
  companion = find_companion (path);
  if (companion != NULL)
    {
      g_autoptr (GPtrArray) keys = NULL;
      g_autoptr (GArray) order = NULL;
      g_autoptr (GPtrArray) classes = NULL;

      keys = read_answers (companion, &order, error);
      if (keys == NULL)
        {
          /* Translators: before an error in the ans2label file read beside
           * the label2ans file given */
          g_prefix_error (error, _ ("the order of %s's classes comes from the ans2label "
                                    "beside it: "), path);
          return NULL;
        }
      if (order == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: expected a dict {answer: label} beside %s, found a list"),
                       companion, path);
          return NULL;
        }
      classes = g_ptr_array_new_full (order->len, g_free);
      for (guint i = 0; i < order->len; i++)
        {
          gint64 label = g_array_index (order, gint64, i);

          /* (the dict's labels are 0..n-1 each once; place() checked) */
          if (label >= answers->len)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                           _ ("%s: answer \"%s\" has label %" PRId64 ", but %s lists only "
                              "%u answers"), companion, (char *) keys->pdata[i], label, path,
                           answers->len);
              return NULL;
            }
          g_ptr_array_add (classes, g_strdup (answers->pdata[label]));
        }
      return answer_list_take_labelled (g_steal_pointer (&classes), g_steal_pointer (&order));
    }
  return answer_list_take (g_steal_pointer (&answers));
}
