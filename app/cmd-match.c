/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz match`: how well a text fits one image according to the
 * pre-training contrastive head (class 0 = the text belongs to the image).
 */
#define G_LOG_DOMAIN "ov-cmd-match"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "model/ov-error.h"
#include "ov-cli.h"
#include "ov-commands.h"

#define MAX_CLASSES 8

int
ov_cmd_match (int    argc,
              char **argv)
{
  g_auto(OvCliOptions) opts = { 0 };
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvCliSample) sample = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(OvCliWords) words = NULL;
  float logits[MAX_CLASSES];
  int n_classes = 0;
  double prob = 0.0;
  const GOptionEntry entries[] = {
    { "text", 't', 0, G_OPTION_ARG_STRING, &text, N_("The text to match with the image"),
      N_("TEXT") },
    { NULL }
  };

  ov_cli_options_init (&opts, "match");
  if (!ov_cli_parse (&opts, _("— how well a text matches one image"), entries, &argc, &argv))
    return 2;
  /* --inputs holds the text; else --text gives it */
  if (opts.inputs != NULL && text != NULL)
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("%s: --inputs already holds the text; do not add --text"), opts.inputs);
  else if (opts.inputs == NULL && text == NULL)
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("Give --text TEXT to match"));
  else
    ov_cli_check_text ("--text", text, &error);
  if (error != NULL)
    return ov_cli_fail (&opts, error);

  model = ov_cli_load_model (&opts, OV_TASK_MATCH, &error);
  if (model == NULL)
    return ov_cli_fail (&opts, error);
  sample = ov_cli_load_sample (&opts, model, &error);
  if (sample == NULL)
    return ov_cli_fail (&opts, error);
  ov_cli_print_warnings (model, sample);

  if (sample->encoding != NULL)
    {
      g_autoptr(OvForward) fwd = NULL;
      double max = -G_MAXDOUBLE, sum = 0.0;

      fwd = ov_model_forward (model, &sample->encoding->inputs, OV_FORWARD_HEAD, NULL, &error);
      if (fwd == NULL)
        {
          g_prefix_error (&error, "%s: ", opts.inputs);
          return ov_cli_fail (&opts, error);
        }
      /* softmax over the contrastive classes; class 0 = matched */
      n_classes = MIN (fwd->n_classes, MAX_CLASSES);
      for (int i = 0; i < n_classes; i++)
        {
          logits[i] = fwd->class_logits[i];
          max = MAX (max, logits[i]);
        }
      for (int i = 0; i < n_classes; i++)
        sum += exp (logits[i] - max);
      prob = n_classes > 0 ? exp (logits[0] - max) / sum : 0.0;
    }
  else if ((words = ov_cli_words_new (model, text)) == NULL
           || !ov_model_match (model, text, sample->tags, &sample->regions, logits, &n_classes,
                            &prob, NULL, &error))
    {
      g_prefix_error (&error, "%s, image “%s”: ", sample->source, sample->sample->key);
      return ov_cli_fail (&opts, error);
    }
  n_classes = MIN (n_classes, MAX_CLASSES);

  if (opts.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      ov_cli_sample_input_to_json (sample, "text", text, words, b);
      json_builder_set_member_name (b, "logits");
      json_builder_begin_array (b);
      for (int i = 0; i < n_classes; i++)
        ov_cli_json_add_number (b, logits[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "match_probability");
      ov_cli_json_add_number (b, prob);
      json_builder_end_object (b);
      ov_cli_print_json (b);
      return 0;
    }

  if (sample->sample != NULL)
    {
      g_print ("%s: %s\n", sample->sample->key, text);
      ov_cli_words_print (words);
    }
  g_print (_("  match probability %.4f (logits"), prob);
  for (int i = 0; i < n_classes; i++)
    g_print (" %.4f", logits[i]);
  g_print (")\n");
  return 0;
}
