/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz vqa`: answers a question about one sample with a VQA
 * classifier checkpoint and prints the best answers by logit, with their
 * sigmoid scores (the heads are trained with binary cross-entropy). When
 * the question is one of the sample's own, its reference answers follow,
 * with the soft VQA score the top answer earns against them.
 */
#define G_LOG_DOMAIN "ov-cmd-vqa"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "model/ov-error.h"
#include "ov-cli.h"
#include "ov-commands.h"

/* Class indices sorted by logit, highest first (lower index first on ties). */
static int
compare_logits (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const float *logits = user_data;
  int i = *(const int *) a, j = *(const int *) b;

  if (logits[i] != logits[j])
    return logits[i] > logits[j] ? -1 : 1;
  return i - j;
}

/* The answer of class index in the list, or NULL. */
static const char *
answer_name (OvAnswerList *answers,
             gint64        index)
{
  return answers != NULL && index >= 0 && index <= G_MAXUINT
         ? ov_answer_list_get (answers, (guint) index) : NULL;
}

/* The answer of a reference label (a qla file's "an" number), or NULL. */
static const char *
label_name (OvAnswerList *answers,
            gint64        label)
{
  return answers != NULL ? ov_answer_list_get_by_label (answers, label) : NULL;
}

/* The VQA score of class top against the question's references, which
 * give labels (Oscar's classes are labels = list(ans2label.values())) or
 * an answer's text; -1 for none. */
static double
top_score (const OvQuestion *q,
           OvAnswerList     *answers,
           int               top)
{
  gint64 label = answers != NULL ? ov_answer_list_get_label (answers, (guint) top) : top;

  return ov_question_top_score (q, label, answer_name (answers, top));
}

static void
reference_to_json (const OvQuestion *q,
                   OvAnswerList     *answers,
                   int               top,
                   JsonBuilder      *b)
{
  double score = top_score (q, answers, top);

  json_builder_set_member_name (b, "reference");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "answer");
  if (q->answer != NULL)
    json_builder_add_string_value (b, q->answer);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "labels");
  json_builder_begin_array (b);
  for (guint k = 0; k < q->n_labels; k++)
    {
      const char *name = label_name (answers, q->labels[k]);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, q->labels[k]);
      json_builder_set_member_name (b, "answer");
      if (name != NULL)
        json_builder_add_string_value (b, name);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "score");
      ov_cli_json_add_number (b, q->label_scores[k]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "top_answer_score");
  if (score >= 0.0)
    ov_cli_json_add_number (b, score);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static void
reference_print (const OvQuestion *q,
                 OvAnswerList     *answers,
                 int               top)
{
  double score = top_score (q, answers, top);

  if (q->answer != NULL)
    g_print (_("  reference: %s\n"), q->answer);
  if (q->n_labels > 0)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint k = 0; k < q->n_labels; k++)
        {
          const char *name = label_name (answers, q->labels[k]);

          if (k > 0)
            g_string_append (line, ", ");
          if (name != NULL)
            g_string_append_printf (line, "%s (%.2f)", name, q->label_scores[k]);
          else
            /* Translators: an answer known only by its class number, and its score. */
            g_string_append_printf (line, _("class %lld (%.2f)"), (long long) q->labels[k],
                                    q->label_scores[k]);
        }
      g_print (_("  reference answers: %s\n"), line->str);
    }
  if (score >= 0.0)
    g_print (_("  VQA score of the top answer: %.2f\n"), score);
  /* a score of 0 that no answer of the model could have beaten */
  if (q->n_labels == 0 && q->answer != NULL && answers != NULL
      && ov_answer_list_find (answers, q->answer) < 0)
    g_print (_("  note: “%s” is not one of the %u answers the model chooses from, so no "
               "answer it gives can score\n"), q->answer, ov_answer_list_get_n (answers));
}

int
ov_cmd_vqa (int    argc,
            char **argv)
{
  g_auto(OvCliOptions) opts = { 0 };
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvCliSample) sample = NULL;
  g_autoptr(OvAnswerList) answers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *question = NULL;
  g_autofree char *answers_path = NULL;
  g_autofree char *found_answers = NULL;
  g_autofree float *logits = NULL;
  g_autofree int *order = NULL;
  g_autoptr(OvCliWords) words = NULL;
  const char *answers_source = NULL;
  const OvQuestion *asked = NULL;
  gboolean has_reference;
  int top = 5, n_logits = 0, question_index = G_MININT;
  const GOptionEntry entries[] = {
    { "question", 'q', 0, G_OPTION_ARG_STRING, &question,
      N_("The question (default: the sample's first question)"), N_("TEXT") },
    { "question-index", 0, 0, G_OPTION_ARG_INT, &question_index,
      N_("Ask the sample's own question N (from 0) instead"), "N" },
    { "answers", 0, 0, G_OPTION_ARG_FILENAME, &answers_path,
      N_("Answer list: text (one a line), JSON list, or label2ans/ans2label pickle "
         "(default: the list shipped in the model folder)"), N_("FILE") },
    { "top", 'k', 0, G_OPTION_ARG_INT, &top, N_("How many answers to print (default 5)"), "K" },
    { NULL }
  };

  ov_cli_options_init (&opts, "vqa");
  if (!ov_cli_parse (&opts, _("— answer a question about one image"), entries, &argc, &argv))
    return 2;
  if (top < 1)
    {
      g_printerr (_("oscarviz vqa: --top %d: give 1 or more\n"), top);
      return 2;
    }
  if (!ov_cli_check_question (question, &error))
    {
      g_printerr ("oscarviz vqa: %s\n", error->message);
      return 2;
    }
  if (question_index != G_MININT && (question_index < 0 || question != NULL
                                     || opts.inputs != NULL))
    {
      if (question != NULL)
        g_printerr (_("oscarviz vqa: give --question or --question-index, not both\n"));
      else if (opts.inputs != NULL)
        g_printerr (_("oscarviz vqa: --question-index: --inputs already holds the question\n"));
      else
        g_printerr (_("oscarviz vqa: --question-index %d: give 0 or more\n"), question_index);
      return 2;
    }
  if (opts.inputs != NULL && question != NULL)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: --inputs already holds the question; do not add --question"),
                   opts.inputs);
      return ov_cli_fail (&opts, error);
    }

  model = ov_cli_load_model (&opts, OV_TASK_VQA, &error);
  if (model == NULL)
    return ov_cli_fail (&opts, error);
  sample = ov_cli_load_sample (&opts, model, &error);
  if (sample == NULL)
    return ov_cli_fail (&opts, error);
  if (answers_path != NULL)
    {
      answers = ov_answer_list_load (answers_path, &error);
      answers_source = answers_path;
    }
  else
    {
      answers = ov_cli_find_answers (model, sample->source, &found_answers, &error);
      answers_source = found_answers != NULL ? found_answers : ov_model_get_path (model);
    }
  if (error != NULL)
    return ov_cli_fail (&opts, error);
  ov_cli_print_warnings (model, sample);

  if (sample->encoding != NULL)
    {
      g_autoptr(OvForward) fwd = NULL;

      fwd = ov_model_forward (model, &sample->encoding->inputs, OV_FORWARD_HEAD, NULL, &error);
      if (fwd == NULL)
        {
          g_prefix_error (&error, "%s: ", opts.inputs);
          return ov_cli_fail (&opts, error);
        }
      n_logits = fwd->n_classes;
      logits = g_steal_pointer (&fwd->class_logits);
    }
  else
    {
      GPtrArray *own = sample->sample->questions;

      if (question_index >= 0 && (guint) question_index >= own->len)
        {
          if (own->len == 0)
            g_set_error (&error, OV_ERROR, OV_ERROR_MISSING,
                         _("%s: image “%s” comes with no questions; ask one with --question"),
                         sample->source, sample->sample->key);
          else
            g_set_error (&error, OV_ERROR, OV_ERROR_MISSING,
                         ngettext ("%s: image “%s” comes with %u question (number %u); "
                                   "there is no question %d",
                                   "%s: image “%s” comes with %u questions, numbered from 0 to "
                                   "%u; there is no question %d", own->len),
                         sample->source, sample->sample->key, own->len, own->len - 1,
                         question_index);
          /* a bad option, found before the model runs */
          g_prefix_error (&error, "--question-index %d: ", question_index);
          ov_cli_fail (&opts, error);
          return 2;
        }
      if (question == NULL && own->len > 0)
        {
          asked = g_ptr_array_index (own, MAX (question_index, 0));
          /* Oscar's files keep questions tokenized ("cup ?"); the model
           * cuts both forms into the same pieces. */
          question = ov_text_dup_untokenized (asked->question);
        }
      else
        asked = ov_sample_find_question (sample->sample, question);
      if (question == NULL)
        {
          g_set_error (&error, OV_ERROR, OV_ERROR_MISSING,
                       _("%s: image “%s” comes with no question; give --question TEXT"),
                       sample->source, sample->sample->key);
          return ov_cli_fail (&opts, error);
        }
      ov_cli_note_input_kept (model, OV_TASK_VQA, question, sample);
      words = ov_cli_words_new (model, question);
      logits = ov_model_classify (model, question, sample->tags, &sample->regions, &n_logits,
                                  NULL, &error);
      if (logits == NULL)
        {
          g_prefix_error (&error, "%s, image “%s”: ", sample->source, sample->sample->key);
          return ov_cli_fail (&opts, error);
        }
    }

  if (answers != NULL && ov_answer_list_get_n (answers) != (guint) n_logits)
    {
      guint n_answers = ov_answer_list_get_n (answers);
      g_autofree char *listed = g_strdup_printf (ngettext ("%u answer", "%u answers", n_answers),
                                                 n_answers);
      g_autofree char *classes = g_strdup_printf (ngettext ("%d class", "%d classes", n_logits),
                                                  n_logits);

      /* Translators: "FILE: the answer list has 3 answers but the model (DIR) has 42 classes" */
      g_set_error (&error, OV_ERROR, OV_ERROR_SHAPE,
                   _("%s: the answer list has %s but the model (%s) has %s"), answers_source,
                   listed, ov_model_get_path (model), classes);
      return ov_cli_fail (&opts, error);
    }

  order = g_new (int, MAX (n_logits, 1));
  for (int i = 0; i < n_logits; i++)
    order[i] = i;
  g_qsort_with_data (order, n_logits, sizeof (int), compare_logits, logits);
  top = MIN (top, n_logits);
  has_reference = n_logits > 0 && ov_question_has_reference (asked);
  /* a label the list lacks means the file and the list do not belong together */
  for (guint k = 0; has_reference && answers != NULL && k < asked->n_labels; k++)
    if (ov_answer_list_get_by_label (answers, asked->labels[k]) == NULL)
      {
        g_printerr (_("oscarviz vqa: warning: %s, image “%s”: reference answer %lld is not "
                      "in the answer list of %s (%u answers); are the two for the same "
                      "model?\n"),
                    sample->source, sample->sample->key, (long long) asked->labels[k],
                    answers_source, ov_answer_list_get_n (answers));
        break;
      }

  if (opts.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      ov_cli_sample_input_to_json (sample, "question", question, words, b);
      if (has_reference)
        reference_to_json (asked, answers, order[0], b);
      json_builder_set_member_name (b, "answers");
      json_builder_begin_array (b);
      for (int r = 0; r < top; r++)
        {
          int i = order[r];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "answer");
          if (answers != NULL)
            json_builder_add_string_value (b, ov_answer_list_get (answers, i));
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "index");
          json_builder_add_int_value (b, i);
          json_builder_set_member_name (b, "logit");
          ov_cli_json_add_number (b, logits[i]);
          json_builder_set_member_name (b, "score");
          ov_cli_json_add_number (b, 1.0 / (1.0 + exp (-(double) logits[i])));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ov_cli_print_json (b);
      return 0;
    }

  if (sample->sample != NULL)
    {
      /* on one line: a line break or tab in the question is shown as \n or \t */
      g_autoptr(GString) shown = g_string_new (question);

      g_string_replace (shown, "\r", "\\r", 0);
      g_string_replace (shown, "\n", "\\n", 0);
      g_string_replace (shown, "\t", "\\t", 0);
      g_print (_("%s: %s\n"), sample->sample->key, shown->str);
      ov_cli_words_print (words);
    }
  if (has_reference)
    reference_print (asked, answers, order[0]);
  if (answers == NULL)
    g_print (_("  (no answer list: give --answers FILE to see the answers)\n"));
  for (int r = 0; r < top; r++)
    {
      int i = order[r];

      if (answers != NULL)
        g_print (_("  %d. %-20s score %.4f  logit %8.4f  (class %d)\n"), r + 1,
                 ov_answer_list_get (answers, i), 1.0 / (1.0 + exp (-(double) logits[i])),
                 logits[i], i);
      else
        g_print (_("  %d. class %-6d score %.4f  logit %8.4f\n"), r + 1, i,
                 1.0 / (1.0 + exp (-(double) logits[i])), logits[i]);
    }
  return 0;
}
