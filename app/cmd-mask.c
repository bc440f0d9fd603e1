/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz mask`: fills every [MASK] of a text (and of the tags) with the
 * pre-training head's masked-language-model predictions, most probable
 * first.
 */
#define G_LOG_DOMAIN "ov-cmd-mask"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "model/ov-error.h"
#include "ov-cli.h"
#include "ov-commands.h"

/* The top k of softmax (row) for every [MASK] of fixed inputs: the same
 * ranking as ov_model_predict_masks (higher probability first, lower id
 * first on ties). */
static GPtrArray *
predict_fixed (OvModel          *model,
               const OvEncoding *enc,
               int               top_k,
               const char       *path,
               GError          **error)
{
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(GPtrArray) out = NULL;
  gint32 mask_id = ov_tokenizer_mask_id (ov_model_get_tokenizer (model));
  int v;

  fwd = ov_model_forward (model, &enc->inputs, OV_FORWARD_HEAD, NULL, error);
  if (fwd == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  v = fwd->vocab_size;
  top_k = MIN (top_k, v);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ov_mask_prediction_free);
  for (int i = 0; i < enc->inputs.n_text; i++)
    {
      const float *row = fwd->lm_logits + (gsize) i * v;   /* (V) */
      OvMaskPrediction *p;
      double max = -G_MAXDOUBLE, sum = 0.0;

      if (enc->input_ids[i] != mask_id)
        continue;
      p = g_new0 (OvMaskPrediction, 1);
      p->position = i;
      p->n = top_k;
      p->ids = g_new (gint32, top_k);
      p->probs = g_new (float, top_k);
      for (int j = 0; j < v; j++)
        max = MAX (max, row[j]);
      for (int j = 0; j < v; j++)
        sum += exp (row[j] - max);
      for (int j = 0, filled = 0; j < v; j++)
        {
          float prob = (float) (exp (row[j] - max) / sum);
          int at;

          if (filled == top_k && !(prob > p->probs[top_k - 1]))
            continue;
          at = filled < top_k ? filled++ : top_k - 1;
          for (; at > 0 && prob > p->probs[at - 1]; at--)
            {
              p->probs[at] = p->probs[at - 1];
              p->ids[at] = p->ids[at - 1];
            }
          p->probs[at] = prob;
          p->ids[at] = j;
        }
      g_ptr_array_add (out, p);
    }
  if (out->len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _("%s: input_ids hold no [MASK] token to predict"), path);
      return NULL;
    }
  return g_steal_pointer (&out);
}

int
ov_cmd_mask (int    argc,
             char **argv)
{
  g_auto(OvCliOptions) opts = { 0 };
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvCliSample) sample = NULL;
  g_autoptr(GPtrArray) preds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(OvCliWords) words = NULL;
  OvTokenizer *tok;
  int top = 5;
  const GOptionEntry entries[] = {
    { "text", 't', 0, G_OPTION_ARG_STRING, &text,
      N_("Text with one or more [MASK] words to predict"), N_("TEXT") },
    { "top", 'k', 0, G_OPTION_ARG_INT, &top,
      N_("How many predictions per [MASK] (default 5)"), "K" },
    { NULL }
  };

  ov_cli_options_init (&opts, "mask");
  if (!ov_cli_parse (&opts, _("— predict the [MASK] words of a text about one image"), entries,
                     &argc, &argv))
    return 2;
  if (top < 1)
    {
      g_printerr (_("oscarviz mask: --top %d: give 1 or more\n"), top);
      return 2;
    }
  /* --inputs holds the text; else --text gives it */
  if (opts.inputs != NULL && text != NULL)
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("%s: --inputs already holds the text; do not add --text"), opts.inputs);
  else if (opts.inputs == NULL && text == NULL)
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("Give --text TEXT with one or more [MASK] words"));
  else
    ov_cli_check_text ("--text", text, &error);
  if (error != NULL)
    return ov_cli_fail (&opts, error);

  model = ov_cli_load_model (&opts, OV_TASK_MASK, &error);
  if (model == NULL)
    return ov_cli_fail (&opts, error);
  tok = ov_model_get_tokenizer (model);
  sample = ov_cli_load_sample (&opts, model, &error);
  if (sample == NULL)
    return ov_cli_fail (&opts, error);
  ov_cli_print_warnings (model, sample);

  if (sample->encoding != NULL)
    preds = predict_fixed (model, sample->encoding, top, opts.inputs, &error);
  else
    {
      words = ov_cli_words_new (model, text);
      preds = ov_model_predict_masks (model, text, sample->tags, &sample->regions, top, NULL,
                                      &error);
      if (preds == NULL)
        g_prefix_error (&error, "%s, image “%s”: ", sample->source, sample->sample->key);
    }
  if (preds == NULL)
    return ov_cli_fail (&opts, error);

  if (opts.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      ov_cli_sample_input_to_json (sample, "text", text, words, b);
      json_builder_set_member_name (b, "masks");
      json_builder_begin_array (b);
      for (guint i = 0; i < preds->len; i++)
        {
          OvMaskPrediction *p = g_ptr_array_index (preds, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "position");
          json_builder_add_int_value (b, p->position);
          json_builder_set_member_name (b, "predictions");
          json_builder_begin_array (b);
          for (int j = 0; j < p->n; j++)
            {
              const char *token = ov_tokenizer_id_to_token (tok, p->ids[j]);

              json_builder_begin_object (b);
              json_builder_set_member_name (b, "token");
              json_builder_add_string_value (b, token != NULL ? token
                                                            : ov_tokenizer_unk_token (tok));
              json_builder_set_member_name (b, "id");
              json_builder_add_int_value (b, p->ids[j]);
              json_builder_set_member_name (b, "prob");
              ov_cli_json_add_number (b, p->probs[j]);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ov_cli_print_json (b);
      return 0;
    }

  if (sample->sample != NULL)
    {
      g_print ("%s: %s\n", sample->sample->key, text);
      ov_cli_words_print (words);
    }
  for (guint i = 0; i < preds->len; i++)
    {
      OvMaskPrediction *p = g_ptr_array_index (preds, i);

      g_print (_("  [MASK] at position %d:"), p->position);
      for (int j = 0; j < p->n; j++)
        {
          const char *token = ov_tokenizer_id_to_token (tok, p->ids[j]);

          g_print ("%s %s %.4f", j > 0 ? "," : "",
                   token != NULL ? token : ov_tokenizer_unk_token (tok),
                   p->probs[j]);
        }
      g_print ("\n");
    }
  return 0;
}
