/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz caption`: generates captions for one sample with greedy or
 * beam search, as Oscar's run_captioning.py test() does, and prints them
 * with their mean log-probability (and, with a length penalty other than 1,
 * the score beam search ranked them by). It builds the inputs of every decoding
 * step itself, so it has no --inputs.
 *
 * --cbs and --constraints run constrained beam search, as Oscar's
 * --use_cbs does for NoCaps: the caption must name at least
 * --min-constraints of up to three object classes.
 */
#define G_LOG_DOMAIN "ov-cmd-caption"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "data/ov-cbs.h"
#include "model/ov-error.h"
#include "ov-cli.h"
#include "ov-commands.h"

/* Says which option is out of range, naming it and its value. */
static gboolean
check_options (int beams,
               int n_best)
{
  g_autoptr(GError) error = NULL;

  if (!ov_cli_check_beams (beams, &error))
    g_printerr ("oscarviz caption: %s\n", error->message);
  else if (n_best < 1 || n_best > OV_CLI_MAX_BEAMS)
    g_printerr (_("oscarviz caption: --n-best %d: give 1 to %d\n"), n_best, OV_CLI_MAX_BEAMS);
  else if (beams == 1 && n_best != 1)
    g_printerr (_("oscarviz caption: --n-best %d needs beam search: greedy search (--beams 1) "
                  "finds one caption\n"), n_best);
  else
    return TRUE;
  return FALSE;
}

/* Checks the options of constrained beam search. *constraints stays NULL
 * without it, else holds the --constraints classes (none with --cbs, which
 * picks them for the image). */
static gboolean
check_constraint_options (gboolean       cbs,
                          const char    *list,
                          int            min_constraints,
                          int            n_best,
                          char        ***constraints)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) items = NULL;
  guint n = 0;

  if (!cbs && list == NULL)
    {
      if (min_constraints != 2)
        g_printerr (_("oscarviz caption: note: --min-constraints counts the constraints of "
                      "--cbs or --constraints; without them it changes nothing\n"));
      return TRUE;
    }
  if (cbs && list != NULL)
    {
      g_printerr (_("oscarviz caption: give --cbs (the dataset's constraints) or --constraints "
                    "(your own), not both\n"));
      return FALSE;
    }
  if (n_best != 1)
    {
      g_printerr (_("oscarviz caption: --n-best %d: constrained beam search finds one caption, "
                    "as Oscar's does\n"), n_best);
      return FALSE;
    }
  if (min_constraints < 0 || min_constraints > OV_CBS_MAX_CONSTRAINTS)
    {
      g_printerr (_("oscarviz caption: --min-constraints %d: give 0 to %d\n"), min_constraints,
                  OV_CBS_MAX_CONSTRAINTS);
      return FALSE;
    }
  g_autofree char *stripped = g_strstrip (g_strdup (list != NULL ? list : ""));

  if (list != NULL && *stripped == '\0')
    {
      g_printerr (_("oscarviz caption: --constraints is empty; give classes joined by commas, "
                    "such as “dog,fire hydrant”\n"));
      return FALSE;
    }
  items = g_strsplit (list != NULL ? list : "", ",", -1);
  for (guint i = 0; list != NULL && items[i] != NULL; i++)
    {
      g_autofree char *item = g_utf8_strdown (g_strstrip (items[i]), -1);
      guint seen = 0;

      if (*item == '\0')
        {
          g_printerr (_("oscarviz caption: --constraints “%s”: constraint %u is empty; give "
                        "classes joined by commas, such as “dog,fire hydrant”\n"), list, i + 1);
          return FALSE;
        }
      /* the original keeps a class once (said at its second mention) */
      for (guint j = 0; j < i; j++)
        seen += g_str_equal (items[j], item);
      g_free (items[i]);
      items[i] = g_strdup (item);
      if (seen > 1)
        continue;
      if (seen == 1)
        {
          g_printerr (_("oscarviz caption: note: --constraints “%s” names “%s” more than once; "
                        "it counts once, as in Oscar\n"), list, item);
          continue;
        }
      if (++n > OV_CBS_MAX_CONSTRAINTS)
        {
          g_printerr (_("oscarviz caption: --constraints “%s”: give at most %d classes\n"), list,
                      OV_CBS_MAX_CONSTRAINTS);
          return FALSE;
        }
      g_strv_builder_add (b, item);
    }
  *constraints = g_strv_builder_end (b);
  return TRUE;
}

/* The constraints a caption meets (or, with met FALSE, misses), joined by
 * commas. */
static char *
met_constraints (const OvCaption *c, char **constraints, gboolean met)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; constraints[i] != NULL; i++)
    if (((c->constraints_mask & (1u << i)) != 0) == met)
      g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "", constraints[i]);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Notes on constraints that cannot do what the user may think: a minimum
 * above their number, a class that is not among the image's tags. */
static void
note_constraints (char **constraints, int min_constraints, gboolean min_given,
                  const char *tags)
{
  guint n = g_strv_length (constraints);
  g_autofree char *lower = g_utf8_strdown (tags != NULL ? tags : "", -1);
  g_auto(GStrv) words = g_strsplit_set (lower, " \t\n", -1);

  if (min_given && n > 0 && min_constraints > (int) n)
    g_printerr (ngettext ("oscarviz caption: note: --min-constraints %d is more than the %u "
                          "constraint given, so it counts as %u: the caption must name that "
                          "class\n",
                          "oscarviz caption: note: --min-constraints %d is more than the %u "
                          "constraints given, so it counts as %u: the caption must name every "
                          "one of them\n", n),
                min_constraints, n, n);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) parts = g_strsplit (constraints[i], " ", -1);
      gboolean found = FALSE;

      /* a class of several words is among the tags when its first word is */
      for (guint j = 0; words[j] != NULL && !found; j++)
        found = g_str_equal (words[j], parts[0]);
      if (!found)
        g_printerr (_("oscarviz caption: note: “%s” is not among this image's tags; the caption "
                      "may name it all the same\n"), constraints[i]);
    }
}

/* A note for each constraint of more word pieces than constrained beam
 * search keeps: a caption "meets" it by writing the first ones. (A word
 * the model cannot write is left to the search's own error.) */
static void
note_cut_constraints (OvModel                    *model,
                      const OvCaptionConstraints *cc)
{
  for (int i = 0; i < cc->n_constraints; i++)
    {
      guint n = 0;
      g_auto(GStrv) kept = ov_caption_constraint_pieces (model, cc, i, &n, NULL);
      g_autofree char *list = NULL;

      if (kept == NULL || n <= OV_CBS_MAX_PIECES)
        continue;
      list = g_strjoinv (" ", kept);
      g_printerr (_("oscarviz caption: note: “%s” is %u word pieces; constrained beam search "
                    "keeps the first %d, as Oscar does, so a caption that writes “%s” meets "
                    "it\n"), cc->constraints[i], n, OV_CBS_MAX_PIECES, list);
    }
}

/* The mean of the caption's token log-probabilities: its score where the
 * length penalty is 1 (and in greedy search, which has none). */
static double
mean_logprob (const OvCaption *c)
{
  double sum = 0;

  if (c->token_logprobs == NULL || c->token_logprobs->len == 0)
    return c->score;
  for (guint i = 0; i < c->token_logprobs->len; i++)
    sum += g_array_index (c->token_logprobs, double, i);
  return sum / c->token_logprobs->len;
}

int
ov_cmd_caption (int    argc,
                char **argv)
{
  g_auto(OvCliOptions) opts = { 0 };
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvCliSample) sample = NULL;
  g_autoptr(GPtrArray) captions = NULL;
  g_autoptr(GError) error = NULL;
  OvCaptionOptions co;
  int beams, n_best = 1, max_length = 0;
  double length_penalty, repetition_penalty;
  gboolean no_cache = FALSE, ranked_by_mean, cbs = FALSE;
  g_autofree char *constraint_list = NULL;
  int min_constraints = 2;
  g_autoptr(OvCbsFiles) cbs_files = NULL;
  g_auto(GStrv) constraints = NULL;
  OvCaptionConstraints cc = { 0 };
  const GOptionEntry entries[] = {
    { "beams", 'b', 0, G_OPTION_ARG_INT, &beams,
      N_("Beam width; 1 is greedy search (default 5)"), "N" },
    { "n-best", 0, 0, G_OPTION_ARG_INT, &n_best,
      N_("How many of the best hypotheses to print (default 1)"), "K" },
    { "max-length", 0, 0, G_OPTION_ARG_INT, &max_length,
      N_("Longest caption in tokens, [CLS] and [SEP] included (default, or 0: the "
         "model's max_gen_length)"), "N" },
    { "length-penalty", 0, 0, G_OPTION_ARG_DOUBLE, &length_penalty,
      N_("Beam search ranks a caption by its summed log-probability over its length to this "
         "power, as Oscar's --length_penalty (default 1)"), "P" },
    { "repetition-penalty", 0, 0, G_OPTION_ARG_DOUBLE, &repetition_penalty,
      N_("Divide the logit of every word already in the caption by this (multiply a negative "
         "one), as Oscar's --repetition_penalty; 0.01 to 100 (default 1: off)"), "R" },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache,
      N_("Recompute the whole sequence at every step, as the original does by default"),
      NULL },
    { "cbs", 0, 0, G_OPTION_ARG_NONE, &cbs,
      N_("Constrained beam search, as Oscar's --use_cbs for NoCaps: the constraints are the "
         "image's classes in the --dataset yaml's cbs_box file"), NULL },
    { "constraints", 0, 0, G_OPTION_ARG_STRING, &constraint_list,
      N_("Constrained beam search with these classes, joined by commas (at most 3; "
         "e.g. \"dog,fire hydrant\")"), "LIST" },
    { "min-constraints", 0, 0, G_OPTION_ARG_INT, &min_constraints,
      N_("How many of the constraints the caption must name, as Oscar's "
         "--min_constraints_to_satisfy (default 2, or all when fewer are given)"), "N" },
    { NULL }
  };

  ov_cli_options_init (&opts, "caption");
  ov_caption_options_init (&co);
  beams = co.num_beams;
  length_penalty = co.length_penalty;
  repetition_penalty = co.repetition_penalty;
  opts.takes_inputs = FALSE;
  if (!ov_cli_parse (&opts, _("— caption one image"), entries, &argc, &argv))
    return 2;
  if (!check_options (beams, n_best))
    return 2;
  if (!(isfinite (length_penalty) && fabs (length_penalty) <= 100))
    {
      g_printerr (_("oscarviz caption: --length-penalty %g: give a number from -100 to 100\n"),
                  length_penalty);
      return 2;
    }
  /* Oscar takes it and ignores it too */
  if (beams == 1 && length_penalty != 1.0)
    g_printerr (_("oscarviz caption: note: --length-penalty ranks the captions of beam search; "
                  "greedy search (--beams 1) ranks none, so it changes nothing\n"));
  if (!(repetition_penalty >= OV_REPETITION_PENALTY_MIN
        && repetition_penalty <= OV_REPETITION_PENALTY_MAX))
    {
      /* Translators: "--repetition-penalty 1e-40: give 0.01 to 100 (1 is off)" */
      g_printerr (_("oscarviz caption: --repetition-penalty %g: give %g to %g (1 is off); a "
                    "positive logit is divided by the penalty, a negative one multiplied, and "
                    "past these bounds they overflow or lose all meaning\n"),
                  repetition_penalty, OV_REPETITION_PENALTY_MIN, OV_REPETITION_PENALTY_MAX);
      return 2;
    }

  if (!check_constraint_options (cbs, constraint_list, min_constraints, n_best, &constraints))
    return 2;
  if (cbs && opts.sample.dataset == NULL)
    {
      g_printerr (_("oscarviz caption: --cbs takes its constraints from the cbs_box file "
                    "a split yaml names: give one with --dataset, or list them with "
                    "--constraints\n"));
      return 2;
    }
  if (constraints != NULL && (length_penalty != 1.0 || repetition_penalty != 1.0))
    g_printerr (_("oscarviz caption: note: constrained beam search ranks by the summed "
                  "log-probability over (words + 1) and has no repetition penalty, as in Oscar; "
                  "--length-penalty and --repetition-penalty change nothing\n"));

  model = ov_cli_load_model (&opts, OV_TASK_CAPTION, &error);
  if (model == NULL)
    return ov_cli_fail (&opts, error);
  if (!ov_cli_check_max_length (max_length, model, &error))
    {
      g_printerr ("oscarviz caption: %s\n", error->message);
      return 2;
    }
  sample = ov_cli_load_sample (&opts, model, &error);
  if (sample == NULL)
    return ov_cli_fail (&opts, error);
  ov_cli_print_warnings (model, sample);
  if (sample->encoding == NULL)
    ov_cli_note_input_kept (model, OV_TASK_CAPTION, NULL, sample);

  co.num_beams = beams;
  co.n_best = n_best;
  co.max_length = max_length;
  co.length_penalty = length_penalty;
  co.repetition_penalty = repetition_penalty;
  co.use_cache = !no_cache;
  if (constraints != NULL)
    {
      /* the dataset yaml's word lists serve --constraints too */
      if (opts.sample.dataset != NULL
          && ov_file_sniff (opts.sample.dataset, NULL) == OV_FILE_DATASET_YAML)
        {
          g_autoptr(GHashTable) yaml = ov_dataset_yaml_load (opts.sample.dataset, NULL);

          if (cbs || (yaml != NULL && g_hash_table_lookup (yaml, "cbs_box") != NULL))
            {
              cbs_files = ov_cbs_files_load_yaml (opts.sample.dataset, &error);
              if (cbs_files == NULL)
                return ov_cli_fail (&opts, error);
            }
        }
      else if (cbs)
        {
          g_printerr (_("oscarviz caption: --cbs takes its constraints from the cbs_box file "
                        "a split yaml names: give one with --dataset, or list them with "
                        "--constraints\n"));
          return 2;
        }
      if (cbs)
        {
          g_strfreev (constraints);
          constraints = ov_cbs_files_pick (cbs_files, sample->sample->key, &error);
          if (constraints == NULL)
            return ov_cli_fail (&opts, error);
        }
      cc.constraints = (const char * const *) constraints;
      cc.n_constraints = g_strv_length (constraints);
      cc.min_satisfied = min_constraints;
      note_constraints (constraints, min_constraints, min_constraints != 2, sample->tags);
      ov_cbs_files_fill (cbs_files, &cc);
      co.constraints = &cc;
      note_cut_constraints (model, &cc);
    }
  /* greedy search scores by the mean whatever the penalty */
  ranked_by_mean = co.num_beams == 1 || co.length_penalty == 1.0;
  captions = ov_model_caption (model, sample->tags, &sample->regions, &co, NULL, &error);
  if (captions == NULL)
    {
      g_prefix_error (&error, "%s, image “%s”: ", sample->source, sample->sample->key);
      return ov_cli_fail (&opts, error);
    }
  /* Oscar fills the rows it lacks with empty captions of confidence 0;
   * these are left out, and said to be. */
  if ((int) captions->len < co.n_best)
    g_printerr (ngettext ("oscarviz caption: note: beam search finished only %u caption, "
                          "fewer than the %d asked for by --n-best\n",
                          "oscarviz caption: note: beam search finished only %u captions, "
                          "fewer than the %d asked for by --n-best\n",
                          captions->len), captions->len, co.n_best);

  if (opts.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, sample->sample->key);
      json_builder_set_member_name (b, "tags");
      json_builder_add_string_value (b, sample->tags);
      ov_cli_unknown_tags_to_json (sample, b);
      json_builder_set_member_name (b, "beams");
      json_builder_add_int_value (b, co.num_beams);
      /* beam search ranks by score = summed log-probability / length^P */
      json_builder_set_member_name (b, "length_penalty");
      ov_cli_json_add_number (b, ranked_by_mean ? 1.0 : co.length_penalty);
      if (constraints != NULL)
        {
          json_builder_set_member_name (b, "constraints");
          json_builder_begin_array (b);
          for (guint i = 0; constraints[i] != NULL; i++)
            json_builder_add_string_value (b, constraints[i]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "min_constraints");
          json_builder_add_int_value (b, MIN (min_constraints, (int) cc.n_constraints));
        }
      json_builder_set_member_name (b, "captions");
      json_builder_begin_array (b);
      for (guint i = 0; i < captions->len; i++)
        {
          OvCaption *c = g_ptr_array_index (captions, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "text");
          json_builder_add_string_value (b, c->text);
          json_builder_set_member_name (b, "ids");
          json_builder_begin_array (b);
          for (guint j = 0; j < c->ids->len; j++)
            json_builder_add_int_value (b, g_array_index (c->ids, gint32, j));
          json_builder_end_array (b);
          json_builder_set_member_name (b, "score");
          ov_cli_json_add_number (b, c->score);
          json_builder_set_member_name (b, "mean_logprob");
          ov_cli_json_add_number (b, mean_logprob (c));
          if (constraints != NULL)
            {
              json_builder_set_member_name (b, "constraints_met");
              json_builder_begin_array (b);
              for (guint j = 0; constraints[j] != NULL; j++)
                if (c->constraints_mask & (1u << j))
                  json_builder_add_string_value (b, constraints[j]);
              json_builder_end_array (b);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ov_cli_print_json (b);
      return 0;
    }

  g_print (_("%s (%s, %s):\n"), sample->sample->key,
           constraints != NULL ? _("constrained beam search")
           : co.num_beams == 1 ? _("greedy search") : _("beam search"),
           ov_model_get_backend_description (model));
  if (constraints != NULL && cc.n_constraints == 0)
    /* Oscar's ranking without a length penalty during the search */
    g_print (_("  constraints: none (%s lists no box of this image that may be one); the "
               "search still ranks as Oscar's constrained search does, where a short caption "
               "can win\n"), cbs ? ov_cbs_files_get_boxes_path (cbs_files) : "--constraints");
  else if (constraints != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", constraints);

      g_print (_("  constraints: %s; the caption must meet %d\n"), joined,
               MIN (min_constraints, cc.n_constraints));
    }
  for (guint i = 0; i < captions->len; i++)
    {
      OvCaption *c = g_ptr_array_index (captions, i);
      const char *text = *c->text != '\0' ? c->text : _("(empty)");
      double mean = mean_logprob (c);

      if (constraints != NULL && cc.n_constraints > 0)
        {
          g_autofree char *met = met_constraints (c, constraints, TRUE);
          g_autofree char *missed = met_constraints (c, constraints, FALSE);
          g_autofree char *not_met = *missed != '\0'
                                     ? g_strdup_printf (_(" (not: %s)"), missed)
                                     : g_strdup ("");

          /* Translators: "meets 2 of 3: hexagon, cup (not: triangle); mean ..." */
          g_print (_("  %u. %s\n     meets %d of %d: %s%s; mean log-probability %.4f, "
                     "confidence %.4f\n"), i + 1, text, c->constraints_met, cc.n_constraints,
                   *met ? met : _("none"), not_met, c->score, exp (c->score));
        }
      else if (ranked_by_mean || constraints != NULL)
        g_print (_("  %u. %s\n     mean log-probability %.4f, confidence %.4f\n"), i + 1, text,
                 c->score, exp (c->score));
      else
        /* Translators: "score -3.1000 (summed log-probability / length^2), mean ..." */
        g_print (_("  %u. %s\n     score %.4g (summed log-probability / length^%g), mean "
                   "log-probability %.4f, confidence %.4f\n"), i + 1, text, c->score,
                 co.length_penalty, mean, exp (mean));
    }
  return 0;
}
