/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz encode`: runs the encoder and the checkpoint's head once on one
 * input and writes every layer's hidden states and attention
 * probabilities, the pooled vector, the head's outputs and the exact
 * inputs to a safetensors file, for comparison with other implementations.
 */
#define G_LOG_DOMAIN "ov-cmd-encode"

#include "config.h"

#include <glib/gi18n.h>

#include "model/ov-error.h"
#include "model/ov-state-dict.h"
#include "ov-cli.h"
#include "ov-commands.h"

typedef enum {
  LAYOUT_CAPTION,
  LAYOUT_VQA,
  LAYOUT_PRETRAIN,
} Layout;

static const char *const layout_names[] = { "caption", "vqa", "pretrain" };

/* The inputs of a task built from the sample: the first caption step
 * ([CLS] + the words of text, then [MASK]) or a text pair. */
static OvEncoding *
build_inputs (OvModel     *model,
              Layout       layout,
              const char  *text,
              OvCliSample *sample,
              GError     **error)
{
  OvTokenizer *tok = ov_model_get_tokenizer (model);

  if (layout == LAYOUT_CAPTION)
    {
      g_autoptr(GArray) prefix = g_array_new (FALSE, FALSE, sizeof (gint32));
      gint32 cls = ov_tokenizer_cls_id (tok);

      g_array_append_val (prefix, cls);
      if (text != NULL)
        {
          g_autoptr(GArray) words = ov_tokenizer_encode (tok, text);

          g_array_append_vals (prefix, words->data, words->len);
        }
      return ov_model_prepare_caption_step (model, (const gint32 *) prefix->data,
                                            (int) prefix->len, sample->tags, &sample->regions,
                                            error);
    }
  /* a VQA layout without --text reads the sample's first question, as
   * `oscarviz vqa` does */
  if (text == NULL && layout == LAYOUT_VQA && sample->sample->questions->len > 0)
    {
      OvQuestion *q = g_ptr_array_index (sample->sample->questions, 0);
      g_autofree char *question = ov_text_dup_untokenized (q->question);

      return ov_model_prepare_vqa (model, question, sample->tags, &sample->regions, error);
    }
  if (text == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--task %s needs --text TEXT (the %s)"), layout_names[layout],
                   layout == LAYOUT_VQA ? _("question") : _("caption"));
      return NULL;
    }
  if (layout == LAYOUT_VQA)
    return ov_model_prepare_vqa (model, text, sample->tags, &sample->regions, error);
  return ov_model_prepare_pretrain (model, text, sample->tags, &sample->regions, error);
}

/* Regions some query may attend to; the rest are padding rows. */
static gint64
count_real_regions (const OvInputs *in)
{
  gint64 t = in->n_text, s = t + in->n_regions, real = 0;

  for (gint64 k = 0; k < in->n_regions; k++)
    {
      gboolean seen = FALSE;

      if (in->mask_2d)
        for (gint64 q = 0; q < s && !seen; q++)
          seen = in->attention_mask[q * s + t + k] != 0.0f;
      else
        seen = in->attention_mask[t + k] != 0.0f;
      real += seen;
    }
  return real;
}

static void
add_tensor (GArray     *views,
            GPtrArray  *names,
            char       *name,
            OvDType     dtype,
            const void *data,
            int         n_dims,
            ...)
{
  OvTensorView v = { 0 };
  va_list ap;

  g_ptr_array_add (names, name);
  v.name = name;
  v.dtype = dtype;
  v.n_dims = n_dims;
  v.data = data;
  va_start (ap, n_dims);
  for (int i = 0; i < n_dims; i++)
    v.shape[i] = va_arg (ap, gint64);
  va_end (ap);
  g_array_append_val (views, v);
}

int
ov_cmd_encode (int    argc,
               char **argv)
{
  g_auto(OvCliOptions) opts = { 0 };
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvCliSample) sample = NULL;
  g_autoptr(OvEncoding) built = NULL;
  g_autoptr(OvForward) fwd = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *task = NULL;
  g_autofree char *out = NULL;
  g_autofree gint64 *ids = NULL, *types = NULL, *pos = NULL;
  g_autoptr(GArray) views = g_array_new (FALSE, FALSE, sizeof (OvTensorView));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const OvEncoding *enc;
  OvModelKind kind;
  Layout layout;
  gint64 t, n, s, h, a, v;
  const GOptionEntry entries[] = {
    { "text", 't', 0, G_OPTION_ARG_STRING, &text,
      N_("Caption prefix (caption), question (vqa) or caption (pretrain)"), N_("TEXT") },
    { "task", 0, 0, G_OPTION_ARG_STRING, &task,
      N_("Input layout (default: the model's own task)"), "caption|vqa|pretrain" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Where to write the tensors"),
      N_("FILE.safetensors") },
    { NULL }
  };

  ov_cli_options_init (&opts, "encode");
  if (!ov_cli_parse (&opts, _("— write every layer's states for one input"), entries, &argc,
                     &argv))
    return 2;
  if (out == NULL)
    {
      g_printerr ("oscarviz encode: %s\n", _("give --out FILE.safetensors"));
      return 2;
    }
  if (task != NULL && !g_str_equal (task, "caption") && !g_str_equal (task, "vqa")
      && !g_str_equal (task, "pretrain"))
    {
      g_printerr (_("oscarviz encode: --task %s: give caption, vqa or pretrain\n"), task);
      return 2;
    }
  if (opts.inputs != NULL && (text != NULL || task != NULL))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: --inputs already holds the whole input; do not add --text or "
                     "--task"), opts.inputs);
      return ov_cli_fail (&opts, error);
    }
  {
    const char *inputs[] = { opts.inputs };

    if (!ov_cli_check_output ("encode", "--out", out, opts.model, &opts.sample, inputs,
                              G_N_ELEMENTS (inputs)))
      return 2;
  }

  model = ov_cli_load_model (&opts, OV_TASK_ENCODE, &error);
  if (model == NULL)
    return ov_cli_fail (&opts, error);
  kind = ov_model_get_kind (model);
  if (task == NULL)
    layout = kind == OV_MODEL_KIND_CAPTION ? LAYOUT_CAPTION
             : kind == OV_MODEL_KIND_CLASSIFIER ? LAYOUT_VQA : LAYOUT_PRETRAIN;
  else if (g_str_equal (task, "caption"))
    layout = LAYOUT_CAPTION;
  else if (g_str_equal (task, "vqa"))
    layout = LAYOUT_VQA;
  else
    layout = LAYOUT_PRETRAIN;   /* "pretrain", checked above */

  sample = ov_cli_load_sample (&opts, model, &error);
  if (sample == NULL)
    return ov_cli_fail (&opts, error);
  ov_cli_print_warnings (model, sample);
  if (sample->encoding != NULL)
    enc = sample->encoding;
  else
    {
      built = build_inputs (model, layout, text, sample, &error);
      if (built == NULL)
        {
          g_prefix_error (&error, "%s, image “%s”: ", sample->source, sample->sample->key);
          return ov_cli_fail (&opts, error);
        }
      enc = built;
    }

  fwd = ov_model_forward (model, &enc->inputs,
                          OV_FORWARD_HIDDEN_STATES | OV_FORWARD_ATTENTIONS | OV_FORWARD_HEAD,
                          NULL, &error);
  if (fwd == NULL)
    {
      g_prefix_error (&error, "%s: ", sample->source);
      return ov_cli_fail (&opts, error);
    }

  t = enc->inputs.n_text;
  n = enc->inputs.n_regions;
  s = t + n;
  h = fwd->hidden;
  a = fwd->n_heads;
  v = fwd->vocab_size;
  for (int i = 0; i <= fwd->n_layers; i++)
    add_tensor (views, names, g_strdup_printf ("hidden_states.%d", i), OV_DTYPE_F32,
                fwd->hidden_states[i], 2, s, h);
  for (int i = 0; i < fwd->n_layers; i++)
    add_tensor (views, names, g_strdup_printf ("attentions.%d", i), OV_DTYPE_F32,
                fwd->attentions[i], 3, a, s, s);
  if (fwd->pooled != NULL)
    add_tensor (views, names, g_strdup ("pooled"), OV_DTYPE_F32, fwd->pooled, 1, h);
  if (fwd->lm_logits != NULL)
    add_tensor (views, names, g_strdup (kind == OV_MODEL_KIND_PRETRAIN ? "mlm_logits"
                                        : "lm_logits"), OV_DTYPE_F32, fwd->lm_logits, 2, t, v);
  if (fwd->class_logits != NULL)
    add_tensor (views, names, g_strdup (kind == OV_MODEL_KIND_PRETRAIN ? "contrastive_logits"
                                        : "vqa_logits"), OV_DTYPE_F32, fwd->class_logits, 1,
                (gint64) fwd->n_classes);

  /* The inputs as used, defaults filled in, ids as int64 like PyTorch's. */
  ids = g_new (gint64, t);
  types = g_new (gint64, t);
  pos = g_new (gint64, t);
  for (gint64 i = 0; i < t; i++)
    {
      ids[i] = enc->inputs.input_ids[i];
      types[i] = enc->inputs.token_type_ids != NULL ? enc->inputs.token_type_ids[i] : 0;
      pos[i] = enc->inputs.position_ids != NULL ? enc->inputs.position_ids[i] : i;
    }
  add_tensor (views, names, g_strdup ("input_ids"), OV_DTYPE_I64, ids, 1, t);
  add_tensor (views, names, g_strdup ("token_type_ids"), OV_DTYPE_I64, types, 1, t);
  add_tensor (views, names, g_strdup ("position_ids"), OV_DTYPE_I64, pos, 1, t);
  if (enc->inputs.mask_2d)
    add_tensor (views, names, g_strdup ("attention_mask"), OV_DTYPE_F32,
                enc->inputs.attention_mask, 2, s, s);
  else
    add_tensor (views, names, g_strdup ("attention_mask"), OV_DTYPE_F32,
                enc->inputs.attention_mask, 1, s);
  if (n > 0)
    add_tensor (views, names, g_strdup ("img_feats"), OV_DTYPE_F32, enc->inputs.img_feats, 2,
                n, (gint64) ov_model_get_config (model)->img_feature_dim);

  {
    const char *inputs[] = { opts.inputs };

    /* again, now that the files read are known (the sample's picture) */
    if (!ov_cli_check_output ("encode", "--out", out, opts.model, &opts.sample, inputs,
                              G_N_ELEMENTS (inputs)))
      return 2;
  }
  if (!ov_safetensors_write (out, (const OvTensorView *) views->data, views->len, &error))
    return ov_cli_fail (&opts, error);

  if (opts.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "out");
      json_builder_add_string_value (b, out);
      json_builder_set_member_name (b, "layout");
      json_builder_add_string_value (b, sample->encoding != NULL ? "inputs"
                                                                 : layout_names[layout]);
      json_builder_set_member_name (b, "n_text");
      json_builder_add_int_value (b, t);
      json_builder_set_member_name (b, "n_regions");
      json_builder_add_int_value (b, n);
      json_builder_set_member_name (b, "n_real_regions");
      json_builder_add_int_value (b, count_real_regions (&enc->inputs));
      json_builder_set_member_name (b, "tensors");
      json_builder_begin_array (b);
      for (guint i = 0; i < names->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (names, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      ov_cli_print_json (b);
      return 0;
    }
  {
    gint64 real = count_real_regions (&enc->inputs);
    g_autofree char *tensors = g_strdup_printf (ngettext ("%u tensor", "%u tensors", names->len),
                                                names->len);
    g_autofree char *positions = g_strdup_printf (ngettext ("%lld text position",
                                                            "%lld text positions", t),
                                                  (long long) t);
    g_autofree char *regions = g_strdup_printf (ngettext ("%lld region", "%lld regions", real),
                                                (long long) real);
    g_autofree char *padding = g_strdup_printf (ngettext ("%lld padding row",
                                                          "%lld padding rows", n - real),
                                                (long long) (n - real));
    g_autofree char *layers = g_strdup_printf (ngettext ("%d layer", "%d layers",
                                                         fwd->n_layers), fwd->n_layers);

    /* Translators: "out.safetensors: 12 tensors (15 text positions, 5 regions and 7
     * padding rows, 2 layers, caption layout)" */
    g_print (_("%s: %s (%s, %s and %s, %s, %s layout)\n"), out, tensors, positions, regions,
             padding, layers, sample->encoding != NULL ? "--inputs" : layout_names[layout]);
  }
  return 0;
}
