/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz attention`: runs a model on one sample and writes an attention
 * figure (heat map, all heads, flow summary, attention over the image, the
 * reverse for one region, caption rows, or a before/after difference) as
 * PNG, SVG or PDF, and optionally the numbers behind it as CSV or JSON.
 * A captioning model is looked at in the step after the caption that
 * `oscarviz caption` gives with the same --beams and --max-length (beam
 * search by default), as the window's Attention panel continues the Caption
 * panel's caption. What the options and the sample decide is checked
 * before the model runs.
 */
#define G_LOG_DOMAIN "ov-cmd-attention"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "data/ov-dataset.h"
#include "model/ov-error.h"
#include "model/ov-files.h"
#include "model/ov-model.h"
#include "ov-cli.h"
#include "ov-commands.h"
#include "viz/ov-attention-view.h"
#include "viz/ov-attention.h"
#include "viz/ov-export.h"

/* Set by nothing: an option that was not given. */
#define NOT_GIVEN G_MININT

typedef struct {
  char   *task;
  char   *text;
  char   *question;
  char   *head_text;
  char   *view;
  char   *out;
  char   *csv;
  char   *json;
  char   *token;
  char   *tags;
  char   *regions;
  char   *before_tags;
  char   *before_head_text;
  int     layer;
  int     before_layer;
  int     region;
  gboolean shared_scale;
  char    *vmax_text;      /* --vmax as given */
  double   vmax;           /* its value; 0 when not given */
  int     beams;
  int     max_length;
  double  width, height, scale;
  char   *scale_text;
  char   *title;   /* --title: NULL = each view's own, "" = none */
  OvSampleSourceOptions sample;
} AttentionOptions;

/* Everything one forward pass gives the views. */
typedef struct {
  OvEncoding *enc;
  OvForward  *fwd;
  char      **labels;     /* (S) regions relabelled "r3 dog" */
} Pass;

/* The title drawn: --title where given, else own (the view's own). */
static char *
figure_title (const AttentionOptions *o,
              char                   *own)
{
  if (o->title == NULL)
    return own;
  g_free (own);
  return g_strdup (o->title);
}

static void
pass_clear (Pass *p)
{
  g_clear_pointer (&p->enc, ov_encoding_free);
  g_clear_pointer (&p->fwd, ov_forward_free);
  g_clear_pointer (&p->labels, g_strfreev);
}

static OvTask
choose_task (OvModel *model, const char *name, GError **error)
{
  if (name == NULL)
    {
      switch (ov_model_get_kind (model))
        {
        case OV_MODEL_KIND_CAPTION: return OV_TASK_CAPTION;
        case OV_MODEL_KIND_CLASSIFIER: return OV_TASK_VQA;
        default: return OV_TASK_MASK;
        }
    }
  if (strcmp (name, "caption") == 0)
    return OV_TASK_CAPTION;
  if (strcmp (name, "vqa") == 0)
    return OV_TASK_VQA;
  if (strcmp (name, "pretrain") == 0)
    return OV_TASK_MASK;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--task %s: give caption, vqa or pretrain"), name);
  return -1;
}

static char **
relabel (const OvEncoding *enc, int seq_len, const OvSample *sample)
{
  char **labels = g_new0 (char *, seq_len + 1);
  int k = 0;

  for (int i = 0; i < seq_len; i++)
    {
      if (enc->segments[i] == OV_SEGMENT_REGION)
        {
          const char *cls = k < (int) sample->n_regions ? sample->regions[k].cls : NULL;

          /* counted from 1, as the window counts them; a region kept by
           * --regions keeps its number */
          guint number = ov_sample_region_number (sample, (guint) k);

          labels[i] = cls != NULL ? g_strdup_printf ("r%u %s", number, cls)
                                  : g_strdup_printf ("r%u", number);
          k++;
        }
      else
        labels[i] = g_strdup (enc->labels[i] != NULL ? enc->labels[i] : "");
    }
  return labels;
}

/* The views, in the order --help lists them. */
static const char *const view_names[] = {
  "heatmap", "grid", "summary", "image", "region", "caption", "difference",
};

static gboolean
is_view (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (view_names); i++)
    if (strcmp (name, view_names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The caption prefix: [CLS] + the pieces of --text, or the caption that
 * `oscarviz caption` would give with the same decoding options (beam
 * search by default, as there and in the window's Caption panel, whose
 * caption the Attention panel continues). */
static GArray *
caption_ids (OvModel *model, const char *text, const char *tags, const OvRegions *regions,
             const OvCaptionOptions *copts, GError **error)
{
  OvTokenizer *tok = ov_model_get_tokenizer (model);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  gint32 cls = ov_tokenizer_cls_id (tok);

  g_array_append_val (ids, cls);
  if (text != NULL)
    {
      g_autoptr(GArray) pieces = ov_tokenizer_encode (tok, text);

      g_array_append_vals (ids, pieces->data, pieces->len);
    }
  else
    {
      g_autoptr(GPtrArray) caps = NULL;
      OvCaption *best;

      caps = ov_model_caption (model, tags, regions, copts, NULL, error);
      if (caps == NULL)
        {
          g_array_unref (ids);
          return NULL;
        }
      best = g_ptr_array_index (caps, 0);
      /* Translators: the caption the figure's attention belongs to */
      g_printerr (_("caption: %s\n"), best->text);
      for (guint i = 1; i < best->ids->len; i++)
        {
          gint32 id = g_array_index (best->ids, gint32, i);

          if (id == ov_tokenizer_sep_id (tok) || id == ov_tokenizer_pad_id (tok))
            break;
          g_array_append_val (ids, id);
        }
    }
  return ids;
}

static gboolean
run_pass (OvModel *model, OvTask task, const OvSample *sample, const char *tags,
          const char *text, const gint32 *prefix, int n_prefix, int max_length, Pass *out,
          GError **error)
{
  OvRegions regions = { sample->features, sample->n_features, sample->feature_dim };

  if (task == OV_TASK_CAPTION)
    out->enc = ov_model_prepare_caption_step_for (model, max_length, prefix, n_prefix, tags,
                                                  &regions, error);
  else if (task == OV_TASK_VQA)
    out->enc = ov_model_prepare_vqa (model, text, tags, &regions, error);
  else
    out->enc = ov_model_prepare_pretrain (model, text, tags, &regions, error);
  if (out->enc == NULL)
    return FALSE;
  out->fwd = ov_model_forward (model, &out->enc->inputs, OV_FORWARD_ATTENTIONS, NULL, error);
  if (out->fwd == NULL)
    return FALSE;
  out->labels = relabel (out->enc, out->fwd->seq_len, sample);
  return TRUE;
}

static float *
select_matrix (const Pass *p, int layer, int head, GError **error)
{
  return ov_attention_select ((const float *const *) p->fwd->attentions, p->fwd->n_layers,
                              p->fwd->n_heads, p->fwd->seq_len, layer, head, error);
}

/* The non-empty words of a split text, joined by single spaces. */
static char *
join_words (char **words)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);
  return g_string_free (out, FALSE);
}

static char *
head_name (int head)
{
  if (head == OV_ATTENTION_MEAN)
    return g_strdup (_("mean of heads"));
  if (head == OV_ATTENTION_ROLLOUT)
    return g_strdup (_("rollout"));
  return g_strdup_printf (_("head %d"), head);
}

/* The positions the model read, padding left out: "0 to 12, 20 to 41". */
static char *
read_positions (const Pass *p)
{
  GString *list = g_string_new (NULL);
  int S = p->fwd->seq_len;

  for (int i = 0; i < S; i++)
    {
      int last = i;

      if (p->enc->segments[i] == OV_SEGMENT_PAD)
        continue;
      while (last + 1 < S && p->enc->segments[last + 1] != OV_SEGMENT_PAD)
        last++;
      if (list->len > 0)
        g_string_append (list, ", ");
      if (last > i)
        /* Translators: a range of positions, "20 to 41" */
        g_string_append_printf (list, _("%d to %d"), i, last);
      else
        g_string_append_printf (list, "%d", i);
      i = last;
    }
  return g_string_free (list, FALSE);
}

/* --token as a word that no position can hold: neither a piece of the
 * model's vocabulary nor a region's label ("r3" or "r3 dog"). Checked
 * before the model runs. */
static gboolean
token_can_occur (OvModel    *model,
                 const char *token)
{
  OvTokenizer *tok = ov_model_get_tokenizer (model);
  g_autofree char *lower = g_utf8_strdown (token, -1);
  char *end = NULL;

  if (g_ascii_strtoll (token, &end, 10) >= 0 && end != token && *end == '\0')
    return TRUE;
  if ((lower[0] == 'r' && g_ascii_isdigit (lower[1]))
      || g_ascii_strcasecmp (token, ov_tokenizer_unk_token (tok)) == 0)
    return TRUE;
  return ov_tokenizer_token_to_id (tok, token) != ov_tokenizer_unk_id (tok)
         || ov_tokenizer_token_to_id (tok, lower) != ov_tokenizer_unk_id (tok);
}

static int
find_token (const Pass *p, const char *token, GError **error)
{
  char *end = NULL;
  gint64 v = g_ascii_strtoll (token, &end, 10);

  if (end != token && *end == '\0')
    {
      if (v < 0 || v >= p->fwd->seq_len || p->enc->segments[v] == OV_SEGMENT_PAD)
        {
          g_autofree char *read = read_positions (p);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--token %s: give a position the model read: %s (the others are "
                         "padding)"), token, read);
          return -1;
        }
      return (int) v;
    }
  {
    g_autoptr(GString) others = g_string_new (NULL);
    int first = -1;

    for (int i = 0; i < p->fwd->seq_len; i++)
      if (p->enc->segments[i] != OV_SEGMENT_PAD && g_ascii_strcasecmp (p->labels[i], token) == 0)
        {
          if (first < 0)
            first = i;
          else
            g_string_append_printf (others, "%s%d", others->len > 0 ? ", " : "", i);
        }
    /* a word the input holds more than once: the first is drawn, and the
     * others are named so that the one meant can be asked for */
    if (first >= 0 && others->len > 0)
      ov_cli_printerr (_("note: --token “%s” is at position %d and again at %s; position %d is "
                         "drawn (give --token N for another)\n"), token, first, others->str, first);
    if (first >= 0)
      return first;
  }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--token “%s” is not a token of the input"), token);
  return -1;
}

static void
csv_matrix (OvCsv *csv, const float *m, int seq_len, const OvSegment *seg, char **labels)
{
  ov_csv_add_text (csv, "query_position");
  ov_csv_add_text (csv, "query");
  ov_csv_add_text (csv, "key_position");
  ov_csv_add_text (csv, "key");
  ov_csv_add_text (csv, "value");
  ov_csv_end_row (csv);
  for (int i = 0; i < seq_len; i++)
    for (int j = 0; j < seq_len; j++)
      {
        if (seg[i] == OV_SEGMENT_PAD || seg[j] == OV_SEGMENT_PAD)
          continue;
        ov_csv_add_int (csv, i);
        ov_csv_add_text (csv, labels[i]);
        ov_csv_add_int (csv, j);
        ov_csv_add_text (csv, labels[j]);
        ov_csv_add_number (csv, m[(gsize) i * seq_len + j]);
        ov_csv_end_row (csv);
      }
}

static int
fail (GError *error)
{
  g_printerr ("oscarviz attention: %s\n", error->message);
  return ov_cli_exit_status (error);
}

/* The values the parser cannot check alone; prints the first bad one. */
static gboolean
check_figure_options (AttentionOptions *o)
{
  g_autoptr(GError) error = NULL;

  if (o->layer != NOT_GIVEN && o->layer < 0)
    g_printerr (_("oscarviz attention: --layer %d: give a layer from 0\n"), o->layer);
  else if (o->before_layer != NOT_GIVEN && o->before_layer < 0)
    g_printerr (_("oscarviz attention: --before-layer %d: give a layer from 0\n"),
                o->before_layer);
  else if (!ov_cli_check_scale (o->scale_text, &o->scale, &error)
           || !ov_cli_check_figure_wanted ("--out", o->out, o->width, o->height, o->scale_text,
                                           o->title, &error)
           || !ov_cli_check_figure_size (o->width, o->height, &error)
           || !ov_cli_check_png_size (o->out, o->width, o->height, o->scale, &error))
    g_printerr ("oscarviz attention: %s\n", error->message);
  else
    return TRUE;
  return FALSE;
}

/* A layer option against the model: hidden-state attention layers 0..L-1. */
static gboolean
check_layer (const char *option,
             int         layer,
             OvModel    *model)
{
  int n = ov_model_get_config (model)->num_hidden_layers;

  if (layer == NOT_GIVEN || layer < n)
    return TRUE;
  g_printerr (ngettext ("oscarviz attention: %s %d: the model has %d layer (0 to %d)\n",
                        "oscarviz attention: %s %d: the model has %d layers (0 to %d)\n", n),
              option, layer, n, n - 1);
  return FALSE;
}

/* A head index (not the mean or rollout) the model has, checked before the
 * model runs. */
static gboolean
check_head (const char *option,
            int         head,
            OvModel    *model)
{
  int n = ov_model_get_config (model)->num_attention_heads;

  if (head < 0 || head < n)
    return TRUE;
  g_printerr (ngettext ("oscarviz attention: %s %d: the model has %d head (0 to %d)\n",
                        "oscarviz attention: %s %d: the model has %d heads (0 to %d)\n", n),
              option, head, n, n - 1);
  return FALSE;
}

/* For each position of the after input, the position of the same token in
 * the before input, or -1 (ov_attention_match_tokens, tags slot against
 * slot where the two have as many); NULL where the two differ in other
 * than their tags: every special token, word and region must pair. */
static int *
match_positions (const Pass *after,
                 const Pass *before)
{
  int na = after->fwd->seq_len, nb = before->fwd->seq_len, paired_b = 0, others_b = 0;
  g_autofree int *map = ov_attention_match_tokens (after->enc->segments,
                                                   (const char *const *) after->labels, na,
                                                   before->enc->segments,
                                                   (const char *const *) before->labels, nb,
                                                   TRUE);

  for (int i = 0; i < na; i++)
    {
      OvSegment seg = after->enc->segments[i];

      if (seg == OV_SEGMENT_TAG || seg == OV_SEGMENT_PAD)
        continue;
      if (map[i] < 0)
        return NULL;
      paired_b++;
    }
  for (int j = 0; j < nb; j++)
    others_b += before->enc->segments[j] != OV_SEGMENT_TAG
                && before->enc->segments[j] != OV_SEGMENT_PAD;
  return paired_b == others_b ? g_steal_pointer (&map) : NULL;
}

/* --before-tags whose input keeps other words or regions than this one
 * (its tags leave the words fewer text slots, say). */
static void
tags_mismatch (const char *before_tags,
               int         tags_before,
               int         tags_after)
{
  /* Translators: the plural follows the first number */
  g_printerr (ngettext ("oscarviz attention: --before-tags “%s”: that input (%d tag word piece, "
                        "this one %d) keeps other words or regions than this one, so their "
                        "tokens cannot be matched one to one; give fewer or shorter tags\n",
                        "oscarviz attention: --before-tags “%s”: that input (%d tag word pieces, "
                        "this one %d) keeps other words or regions than this one, so their "
                        "tokens cannot be matched one to one; give fewer or shorter tags\n",
                        tags_before), before_tags, tags_before, tags_after);
}

int
ov_cmd_attention (int argc, char **argv)
{
  AttentionOptions o = { 0 };
  g_auto(OvCliOptions) cli = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) given = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvSample) sample = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvImage) image = NULL;
  OvOrientation box_turn = OV_ORIENTATION_NORMAL;
  g_autoptr(GArray) prefix = NULL;
  g_autoptr(OvCsv) csv = ov_csv_new ();
  g_autofree char *tags = NULL;
  g_autoptr(GPtrArray) unknown_tags = NULL;
  g_autofree char *image_error = NULL;
  g_autofree char *hname = NULL;
  g_autofree char *title = NULL;
  g_autofree float *matrix = NULL;
  cairo_surface_t *surface = NULL;
  const char *view_name;
  const char *text = NULL;
  Pass pass = { 0 };
  OvTask task;
  OvExportFormat format;
  OvCaptionOptions copts;
  gboolean one_layer;
  int head = 0, before_head = 0, status = 1;
  int region_index = -1;   /* --region's row in the sample */
  OvPaintFunc paint = NULL;
  gpointer view = NULL;
  GDestroyNotify view_free = NULL;
  double width = 0, height = 0;
  OvRegions regions;
  const GOptionEntry entries[] = {
    { "task", 0, 0, G_OPTION_ARG_STRING, &o.task,
      N_("Input layout: caption, vqa or pretrain (default: the model's own)"), "TASK" },
    { "text", 0, 0, G_OPTION_ARG_STRING, &o.text,
      N_("Caption prefix (caption) or text (pretrain); default: the generated caption or "
         "the sample's first caption"), "TEXT" },
    { "question", 0, 0, G_OPTION_ARG_STRING, &o.question,
      N_("Question (vqa); default: the sample's first question"), "Q" },
    { "layer", 0, 0, G_OPTION_ARG_INT, &o.layer,
      N_("Attention layer, from 0, for the views of one layer (default: the last); rollout "
         "runs through this layer (not for the grid and summary views, which show every "
         "layer)"),
      "L" },
    { "head", 0, 0, G_OPTION_ARG_STRING, &o.head_text,
      N_("Head index from 0, “mean” or “rollout” (default: mean; not for the grid and "
         "summary views, which show every head)"), "H" },
    { "view", 0, 0, G_OPTION_ARG_STRING, &o.view,
      /* Translators: the names in parentheses are the window's names of the
       * views (its Attention panel's menu), as translated there. */
      N_("heatmap (the default; the window's Heat map), grid (All heads), summary (Flow "
         "summary), image (On the picture), region (To a region), caption (Caption words) or "
         "difference (Since the last change)"), "VIEW" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &o.token,
      N_("Query token of the image view: a position or a word (default: the caption step's "
         "[MASK], else [CLS])"), "TOKEN" },
    { "region", 0, 0, G_OPTION_ARG_INT, &o.region,
      N_("Region of the region view (which words and tags attend to it)"), "K" },
    { "shared-scale", 0, 0, G_OPTION_ARG_NONE, &o.shared_scale,
      N_("Grid view: one colour scale for every head, so that heads compare by colour "
         "(default: each map its own, from 0 to its largest value)"), NULL },
    { "vmax", 0, 0, G_OPTION_ARG_STRING, &o.vmax_text,
      N_("The colour key's end (a difference's runs from −V to V) instead of the map's "
         "largest value, so that figures compare side by side; larger values take the end "
         "colour"), "V" },
    { "beams", 'b', 0, G_OPTION_ARG_INT, &o.beams,
      N_("Beam width of the generated caption, as “oscarviz caption” takes it; 1 is greedy "
         "search (default 5)"), "N" },
    { "max-length", 0, 0, G_OPTION_ARG_INT, &o.max_length,
      N_("Longest generated caption in tokens, [CLS] and [SEP] included (default, or 0: "
         "the model's max_gen_length)"), "N" },
    { "tags", 0, 0, G_OPTION_ARG_STRING, &o.tags,
      N_("Object tags to use instead of those of the label file"), N_("TEXT") },
    { "regions", 0, 0, G_OPTION_ARG_STRING, &o.regions,
      N_("Only these regions, numbered from 1 as the window numbers them (e.g. 2-5,7); "
         "with --tags this gives the input of a window whose rows are switched off"),
      N_("LIST") },
    { "before-layer", 0, 0, G_OPTION_ARG_INT, &o.before_layer,
      N_("Difference view: the layer to subtract"), "L" },
    { "before-head", 0, 0, G_OPTION_ARG_STRING, &o.before_head_text,
      N_("Difference view: the head to subtract"), "H" },
    { "before-tags", 0, 0, G_OPTION_ARG_STRING, &o.before_tags,
      N_("Difference view: the same input with these tags is subtracted"), "TAGS" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, N_("Figure: .png, .svg or .pdf"), "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv,
      N_("The numbers behind the figure; - for the standard output"), "FILE" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &o.json,
      N_("The same numbers as JSON (one object per row); - for the standard output"), "FILE" },
    { NULL }
  };

  o.layer = NOT_GIVEN;
  o.before_layer = NOT_GIVEN;
  o.region = NOT_GIVEN;
  ov_caption_options_init (&copts);
  o.beams = NOT_GIVEN;
  ov_sample_source_options_init (&o.sample);
  ov_cli_options_init (&cli, "attention");
  context = ov_cli_context_new (&cli, _("— draw attention maps of one sample"), entries);
  ov_cli_add_scale_option (context, &o.scale_text);
  ov_cli_add_figure_size_options (context, &o.width, &o.height);
  ov_cli_add_title_option (context, &o.title);
  ov_cli_add_sample_options (context, &o.sample);
  given = g_strdupv (argv);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      ov_cli_print_parse_error (context, "attention", given, error);
      status = 2;
      goto out;
    }
  if (argc > 1)
    {
      ov_cli_unexpected_argument ("attention", argv[1], cli.model != NULL);
      status = 2;
      goto out;
    }
  if (!ov_cli_check_file_names (entries, &error) || !ov_cli_check_regions (o.regions, &error))
    {
      status = fail (error);
      goto out;
    }
  view_name = o.view != NULL ? o.view : "heatmap";
  if (!is_view (view_name))
    {
      const char *best = ov_cli_nearest (view_name, view_names, G_N_ELEMENTS (view_names),
                                         FALSE);

      if (best != NULL)
        /* Translators: "--view heatmp: did you mean heatmap?" */
        g_printerr (_("oscarviz attention: --view %s: did you mean %s? (the views: %s)\n"),
                    view_name, best,
                    _("heatmap, grid, summary, image, region, caption or difference"));
      else
        g_printerr ("oscarviz attention: --view %s: %s\n", view_name,
                    _("use heatmap, grid, summary, image, region, caption or difference"));
      status = 2;
      goto out;
    }
  /* grid and summary draw every layer; the other views one */
  one_layer = strcmp (view_name, "grid") != 0 && strcmp (view_name, "summary") != 0;
  /* an option of another view would be ignored: say so rather than draw
   * something other than what was asked for */
  {
    const char *stray = NULL, *its_view = NULL;

    if (!one_layer && (o.layer != NOT_GIVEN || o.head_text != NULL))
      {
        /* Translators: "--layer: the grid view shows every layer and head; leave it out" */
        g_printerr (_("oscarviz attention: %s: the %s view shows every layer and head; leave "
                      "it out\n"), o.layer != NOT_GIVEN ? "--layer" : "--head", view_name);
        status = 2;
        goto out;
      }
    if (o.token != NULL && strcmp (view_name, "image") != 0)
      stray = "--token", its_view = "image";
    else if (o.region != NOT_GIVEN && strcmp (view_name, "region") != 0)
      stray = "--region", its_view = "region";
    else if (o.shared_scale && strcmp (view_name, "grid") != 0)
      stray = "--shared-scale", its_view = "grid";
    else if (o.vmax_text != NULL && strcmp (view_name, "summary") == 0)
      {
        g_printerr (_("oscarviz attention: --vmax: the summary view shows shares, which run "
                      "from 0 to 1; leave it out\n"));
        status = 2;
        goto out;
      }
    else if (strcmp (view_name, "difference") != 0
             && (o.before_layer != NOT_GIVEN || o.before_head_text != NULL
                 || o.before_tags != NULL))
      {
        stray = o.before_layer != NOT_GIVEN ? "--before-layer"
                : o.before_head_text != NULL ? "--before-head" : "--before-tags";
        its_view = "difference";
      }
    if (stray != NULL)
      {
        /* Translators: "--region: only for the region view (--view region), not heatmap" */
        g_printerr (_("oscarviz attention: %s: only for the %s view (--view %s), not %s\n"),
                    stray, its_view, its_view, view_name);
        status = 2;
        goto out;
      }
  }
  if (o.vmax_text != NULL)
    {
      char *end = NULL;

      o.vmax = g_ascii_strtod (o.vmax_text, &end);
      if (end == o.vmax_text || *end != '\0' || !(o.vmax >= 1e-6 && o.vmax <= 1e6))
        {
          g_printerr (_("oscarviz attention: --vmax %s: give the attention weight (or "
                        "difference) the colour key ends at, from 0.000001 to 1000000\n"),
                      o.vmax_text);
          status = 2;
          goto out;
        }
      if (o.out == NULL)
        {
          g_printerr (_("oscarviz attention: --vmax: only with a figure to draw (--out "
                        "FIGURE)\n"));
          status = 2;
          goto out;
        }
    }
  if (o.task != NULL && strcmp (o.task, "caption") != 0 && strcmp (o.task, "vqa") != 0
      && strcmp (o.task, "pretrain") != 0)
    {
      g_printerr (_("oscarviz attention: --task %s: give caption, vqa or pretrain\n"), o.task);
      status = 2;
      goto out;
    }
  /* the figure, or only its numbers */
  if (cli.model == NULL || (o.out == NULL && o.csv == NULL && o.json == NULL))
    {
      g_printerr ("oscarviz attention: %s\n",
                  cli.model != NULL ? _("--out is required (the figure: .png, .svg or .pdf), "
                                        "or --csv or --json for its numbers alone")
                  : o.out != NULL || o.csv != NULL || o.json != NULL
                  ? _("no model: give --model DIR (a checkpoint folder) or --model demo")
                  : _("--model and --out are required"));
      status = 2;
      goto out;
    }
  if (!check_figure_options (&o))
    {
      status = 2;
      goto out;
    }
  if (!ov_attention_parse_head (o.head_text != NULL ? o.head_text : "mean", &head))
    {
      g_printerr ("oscarviz attention: --head %s: %s\n", o.head_text,
                  _("give a head index, “mean” or “rollout”"));
      status = 2;
      goto out;
    }
  if (strcmp (view_name, "difference") == 0)
    {
      before_head = head;
      if (o.before_head_text != NULL
          && !ov_attention_parse_head (o.before_head_text, &before_head))
        {
          g_printerr ("oscarviz attention: --before-head %s: %s\n", o.before_head_text,
                      _("give a head index, “mean” or “rollout”"));
          status = 2;
          goto out;
        }
      if (o.before_tags == NULL && o.before_layer == NOT_GIVEN && o.before_head_text == NULL)
        {
          g_printerr ("oscarviz attention: %s\n",
                      _("the difference view needs --before-layer, --before-head or "
                        "--before-tags"));
          status = 2;
          goto out;
        }
    }
  if ((o.beams != NOT_GIVEN && !ov_cli_check_beams (o.beams, &error))
      || !ov_cli_check_question (o.question, &error))
    {
      g_printerr ("oscarviz attention: %s\n", error->message);
      status = 2;
      goto out;
    }
  /* no sample files: say so before anything is read */
  if (o.sample.features == NULL && o.sample.labels == NULL && o.sample.detections == NULL
      && o.sample.image == NULL && o.sample.dataset == NULL && o.sample.hw == NULL)
    {
      g_printerr ("oscarviz attention: %s\n",
                  _("No input: give --image, --features, --labels/--detections or --dataset"));
      status = 2;
      goto out;
    }
  {
    const OvCliOutput outputs[] = {
      { "--out", o.out }, { "--csv", o.csv }, { "--json", o.json },
    };

    if (!ov_cli_check_outputs ("attention", outputs, G_N_ELEMENTS (outputs), cli.model,
                               &o.sample, NULL, 0))
      {
        status = 2;
        goto out;
      }
  }
  if (o.out != NULL && !ov_export_format_from_path (o.out, &format, &error))
    {
      g_printerr ("oscarviz attention: --out %s\n", error->message);
      status = 2;
      goto out;
    }

  sample = ov_sample_source_load (&o.sample, NULL, &error);
  if (sample == NULL
      || !ov_cli_check_class_names (sample, o.sample.dataset != NULL ? o.sample.dataset
                                            : o.sample.features != NULL ? o.sample.features
                                            : o.sample.labels != NULL ? o.sample.labels
                                            : o.sample.detections, o.tags != NULL, &error))
    {
      status = fail (error);
      goto out;
    }
  if (o.regions != NULL && sample->features != NULL)
    {
      g_autoptr(GArray) keep = ov_cli_parse_regions (o.regions, &error);

      if (keep == NULL
          || !ov_sample_keep_regions (sample, (const guint *) keep->data, keep->len, &error))
        {
          ov_cli_regions_error (&error, o.regions);
          status = fail (error);
          goto out;
        }
    }
  if (sample->features != NULL && !ov_sample_build_region_vectors (sample, &error))
    {
      status = fail (error);
      goto out;
    }
  /* Without features the model reads the tags alone, as caption and vqa
   * run such a sample and the window does; the views of the regions have
   * nothing to show (below). Features looked for and not found, or no tags
   * either, stop here. */
  if (sample->features == NULL
      && (sample->features_missing || o.regions != NULL
          || (o.tags != NULL ? o.tags : sample->tags) == NULL
          || ov_tokenizer_text_is_empty (o.tags != NULL ? o.tags : sample->tags)))
    {
      g_set_error (&error, OV_ERROR, OV_ERROR_MISSING,
                   _("sample “%s” has no region features, and the model needs them: give "
                     "a features file with --features, or a dataset or sample that has "
                     "them"), sample->key);
      status = fail (error);
      goto out;
    }
  if (sample->features == NULL
      && strcmp (view_name, "image") != 0 && strcmp (view_name, "region") != 0)
    ov_cli_printerr (_("note: image “%s” has no region features, so the model sees only its "
                       "tags, not its regions (the boxes alone are not what it reads); give "
                       "--features FILE for the regions\n"), sample->key);
  /* the image and region views show attention on the regions: with none
   * left there is nothing to draw */
  if ((strcmp (view_name, "image") == 0 || strcmp (view_name, "region") == 0)
      && (sample->n_regions == 0 || sample->n_features == 0))
    {
      if (o.regions != NULL)
        g_printerr (_("oscarviz attention: --regions %s leaves no regions, and the %s view "
                      "shows attention on the regions; keep at least one, or choose another "
                      "view\n"), o.regions, view_name);
      else if (sample->n_regions > 0)
        g_printerr (_("oscarviz attention: the %s view shows attention on the regions, and "
                      "image “%s” has boxes but no region features, so the model reads no "
                      "region; give --features FILE, or choose another view\n"), view_name,
                    sample->key);
      else if (strcmp (view_name, "region") == 0)
        g_printerr (_("oscarviz attention: the region view needs a region, and image “%s” "
                      "has none\n"), sample->key);
      else
        g_printerr (_("oscarviz attention: the image view shows attention on the regions, "
                      "and image “%s” has none\n"), sample->key);
      status = 2;
      goto out;
    }
  /* regions are counted from 1, as in the window; those --regions keeps
   * keep their numbers */
  if (strcmp (view_name, "region") == 0)
    {
      if (o.region != NOT_GIVEN && o.region >= 1)
        region_index = ov_sample_find_region (sample, (guint) o.region);
      if (region_index >= (int) sample->n_regions)
        region_index = -1;
    }
  if (strcmp (view_name, "region") == 0 && region_index < 0)
    {
      g_autofree char *kept = ov_sample_dup_region_list (sample, sample->n_regions);

      if (o.region == NOT_GIVEN && o.regions != NULL)
        g_printerr (_("oscarviz attention: the region view needs --region K (one of %s, the "
                      "regions of image “%s” that --regions keeps)\n"), kept, sample->key);
      else if (o.region == NOT_GIVEN)
        g_printerr (_("oscarviz attention: the region view needs --region K (1 to %u, the "
                      "regions of image “%s”)\n"), sample->n_regions, sample->key);
      else if (o.regions != NULL)
        g_printerr (_("oscarviz attention: --region %d: give one of %s (the regions of image "
                      "“%s” that --regions keeps)\n"), o.region, kept, sample->key);
      else
        g_printerr (_("oscarviz attention: --region %d: give 1 to %u (the regions of image "
                      "“%s”)\n"), o.region, sample->n_regions, sample->key);
      status = 2;
      goto out;
    }

  /* The picture: --image, else KEY.png or .jpg found beside the dataset
   * (the data layer looks, as for the window). */
  if (sample->image_path != NULL || sample->image_tsv != NULL)
    {
      g_autoptr(GError) local = NULL;

      /* The picture is shown upright; boxes measured on it as stored turn
       * with it. */
      image = ov_sample_load_image (sample, NULL, NULL, &local);
      if (image == NULL)
        image_error = g_strdup (local->message);
      else
        {
          gboolean upright = g_strcmp0 (o.sample.box_frame, "displayed") == 0;

          surface = ov_image_create_surface (image);
          box_turn = ov_sample_box_turn (sample, image, upright);
          /* --image was compared with the boxes' frame as it was read */
          if (o.sample.image == NULL)
            {
              g_autofree char *mismatch = ov_sample_dup_image_mismatch (sample, image, upright);

              if (mismatch != NULL)
                ov_sample_add_warning (sample, "%s", mismatch);
            }
        }
    }
  for (guint i = 0; i < sample->warnings->len; i++)
    ov_cli_printerr (_("warning: %s\n"), (char *) g_ptr_array_index (sample->warnings, i));
  /* The image and region views are drawn over the picture; without one,
   * on a blank frame of the boxes' size, as the window draws them (said
   * only when there is a figure). A picture that cannot be read is an
   * error. */
  if ((strcmp (view_name, "image") == 0 || strcmp (view_name, "region") == 0)
      && surface == NULL)
    {
      if (image_error != NULL)
        {
          g_set_error (&error, OV_ERROR, OV_ERROR_MISSING,
                       _("the %s view draws over the picture, which cannot be read: %s"),
                       view_name, image_error);
          status = fail (error);
          goto out;
        }
      if (o.out != NULL)
        ov_cli_printerr (_("note: image “%s” has no picture, so the boxes are drawn on a blank "
                           "frame: give --image FILE, or keep %s.png, %s.jpg or %s.jpeg beside "
                           "the dataset or in its images/ folder\n"), sample->key, sample->key,
                         sample->key, sample->key);
    }

  model = ov_cli_load_model (&cli, OV_TASK_ENCODE, &error);
  if (model == NULL)
    {
      status = fail (error);
      goto out;
    }
  if (one_layer && o.layer == NOT_GIVEN)
    {
      /* the last layer, the one a paper shows most; said, since the
       * model's depth decides it */
      o.layer = ov_model_get_config (model)->num_hidden_layers - 1;
      ov_cli_printerr (_("note: the %s view shows layer %d, the last; --layer L shows another "
                         "(from 0)\n"), view_name, o.layer);
    }
  if (!check_layer ("--layer", o.layer, model)
      || !check_layer ("--before-layer", o.before_layer, model)
      || !check_head ("--head", head, model)
      || (strcmp (view_name, "difference") == 0
          && !check_head ("--before-head", before_head, model)))
    {
      status = 2;
      goto out;
    }
  /* a difference of a map from itself is zero everywhere */
  if (strcmp (view_name, "difference") == 0 && o.before_tags == NULL
      && (o.before_layer == NOT_GIVEN || o.before_layer == o.layer) && before_head == head)
    {
      g_autofree char *same = head_name (head);

      g_printerr (_("oscarviz attention: the difference view compares layer %d, %s with "
                    "itself: give --before-layer, --before-head or --before-tags that differ "
                    "from it\n"), o.layer, same);
      status = 2;
      goto out;
    }
  if (o.token != NULL && !token_can_occur (model, o.token))
    {
      /* a region label of this sample, as the figures write them */
      guint first = ov_sample_region_number (sample, 0);
      g_autofree char *example = sample->n_regions > 0 && sample->regions[0].cls != NULL
                                 ? g_strdup_printf ("r%u %s", first, sample->regions[0].cls)
                                 : g_strdup_printf ("r%u", first);

      g_printerr (_("oscarviz attention: --token “%s”: no position of the input can hold it: "
                    "give a position, a word piece of %s's vocabulary or a region's label "
                    "(such as “%s”)\n"), o.token, ov_model_get_path (model), example);
      status = 2;
      goto out;
    }
  task = choose_task (model, o.task, &error);
  if ((int) task < 0)
    {
      status = 2;
      g_printerr ("oscarviz attention: %s\n", error->message);
      goto out;
    }
  if (strcmp (view_name, "caption") == 0 && task != OV_TASK_CAPTION)
    {
      if (o.task != NULL)
        g_printerr ("oscarviz attention: %s\n", _("the caption view needs --task caption"));
      else
        g_printerr (_("oscarviz attention: the caption view needs a captioning model, and %s "
                      "is a %s model\n"), ov_model_get_path (model),
                    ov_model_kind_name (ov_model_get_kind (model)));
      status = 2;
      goto out;
    }
  /* only a caption the model writes itself is decoded */
  if ((o.beams != NOT_GIVEN || o.max_length != 0) && (task != OV_TASK_CAPTION || o.text != NULL))
    {
      if (o.beams != NOT_GIVEN)
        g_printerr (_("oscarviz attention: --beams %d: only for a caption the model writes "
                      "(--task caption without --text)\n"), o.beams);
      else
        g_printerr (_("oscarviz attention: --max-length %d: only for a caption the model "
                      "writes (--task caption without --text)\n"), o.max_length);
      status = 2;
      goto out;
    }
  if (task == OV_TASK_CAPTION && !ov_cli_check_max_length (o.max_length, model, &error))
    {
      g_printerr ("oscarviz attention: %s\n", error->message);
      status = 2;
      goto out;
    }
  /* the model reads only its first max_img_seq_length regions */
  if (strcmp (view_name, "region") == 0
      && region_index >= MIN ((int) sample->n_features,
                              ov_model_get_settings (model)->max_img_seq_length))
    {
      int n_read = MIN ((int) sample->n_features,
                        ov_model_get_settings (model)->max_img_seq_length);
      g_autofree char *read = ov_sample_dup_region_list (sample, (guint) MAX (n_read, 0));

      if (o.regions != NULL)
        g_printerr (_("oscarviz attention: --region %d: give one of %s (the regions %s reads "
                      "of those --regions keeps of image “%s”)\n"), o.region, read,
                    ov_model_get_path (model), sample->key);
      else
        g_printerr (_("oscarviz attention: --region %d: give 1 to %d (the regions %s reads of "
                      "image “%s”)\n"), o.region, n_read, ov_model_get_path (model),
                    sample->key);
      status = 2;
      goto out;
    }
  tags = o.tags != NULL ? g_strdup (o.tags)
         : sample->tags != NULL ? g_strdup (sample->tags) : ov_sample_dup_tag_string (sample);
  regions = (OvRegions) { sample->features, sample->n_features, sample->feature_dim };
  if (strcmp (view_name, "difference") == 0 && o.before_tags != NULL
      && (o.before_layer == NOT_GIVEN || o.before_layer == o.layer) && before_head == head)
    {
      g_auto(GStrv) now = g_strsplit_set (tags, " \t\n", -1);
      g_auto(GStrv) then = g_strsplit_set (o.before_tags, " \t\n", -1);
      g_autofree char *now_text = NULL, *then_text = NULL;

      /* the same words, however spaced */
      now_text = join_words (now);
      then_text = join_words (then);
      /* drawn all the same (a check that the same input gives the same
       * weights), but said */
      if (strcmp (now_text, then_text) == 0)
        ov_cli_printerr (_("note: --before-tags “%s” are the input's own tags, so the "
                           "difference is zero everywhere; give other tags, or --before-layer "
                           "or --before-head\n"), o.before_tags);
    }
  unknown_tags = ov_cli_note_unknown_tags (model, tags, NULL);

  if (task == OV_TASK_CAPTION)
    {
      if (o.beams != NOT_GIVEN)
        copts.num_beams = o.beams;
      copts.max_length = o.max_length;
      prefix = caption_ids (model, o.text, tags, &regions, &copts, &error);
      if (prefix == NULL)
        {
          status = fail (error);
          goto out;
        }
    }
  else if (task == OV_TASK_VQA)
    {
      text = o.question;
      if (text == NULL && sample->questions != NULL && sample->questions->len > 0)
        text = ((OvQuestion *) g_ptr_array_index (sample->questions, 0))->question;
      if (text == NULL)
        {
          g_printerr ("oscarviz attention: %s\n", _("give --question: the sample has none"));
          status = 2;
          goto out;
        }
    }
  else
    {
      text = o.text;
      if (text == NULL && sample->captions != NULL && sample->captions->len > 0)
        text = g_ptr_array_index (sample->captions, 0);
      if (text == NULL)
        {
          g_printerr ("oscarviz attention: %s\n", _("give --text: the sample has no caption"));
          status = 2;
          goto out;
        }
    }

  /* what of the tags, regions and text the input leaves out, as caption
   * and vqa say it */
  ov_cli_note_kept (model, task, task == OV_TASK_CAPTION ? NULL : text, tags, &regions);

  hname = head_name (head);
  if (strcmp (view_name, "caption") == 0)
    {
      g_autoptr(OvCaptionAttention) ca = ov_caption_attention_new ();
      OvTokenizer *tok = ov_model_get_tokenizer (model);

      /* Step k starts from [CLS] w1..wk and produced w(k+1); its query is
       * the appended [MASK]. */
      for (guint k = 0; k + 1 < prefix->len; k++)
        {
          Pass step = { 0 };
          g_autofree float *m = NULL;
          gint32 next = g_array_index (prefix, gint32, k + 1);
          const char *word = ov_tokenizer_id_to_token (tok, next);
          gboolean ok;

          ok = run_pass (model, task, sample, tags, NULL, (const gint32 *) prefix->data, k + 1,
                         o.max_length, &step, &error)
               && (m = select_matrix (&step, o.layer, head, &error)) != NULL
               && ov_caption_attention_add_step (ca, word,
                                                 m + (gsize) step.enc->query_index
                                                     * step.fwd->seq_len,
                                                 step.enc->segments,
                                                 (const char *const *) step.labels,
                                                 step.fwd->seq_len, &error);
          pass_clear (&step);
          if (!ok)
            {
              status = fail (error);
              goto out;
            }
        }
      ov_csv_add_text (csv, "step");
      ov_csv_add_text (csv, "word");
      ov_csv_add_text (csv, "column");
      ov_csv_add_text (csv, "label");
      ov_csv_add_text (csv, "value");
      ov_csv_end_row (csv);
      for (int s = 0; s < ca->n_steps; s++)
        for (int c = 0; c < ca->n_cols; c++)
          {
            ov_csv_add_int (csv, s);
            ov_csv_add_text (csv, ca->words[s]);
            ov_csv_add_int (csv, c);
            ov_csv_add_text (csv, ca->col_labels[c]);
            ov_csv_add_number (csv, ca->values[(gsize) s * ca->n_cols + c]);
            ov_csv_end_row (csv);
          }
      /* Translators: a figure's title; %s is "mean of heads", "rollout" or "head 3" */
      title = g_strdup_printf (_("Caption attention on tags and regions, layer %d, %s"), o.layer,
                               hname);
      title = figure_title (&o, title);
      view = ov_caption_view_new (ca, title);
      if (o.vmax > 0)
        ov_caption_view_set_scale_max (view, o.vmax);
      view_free = (GDestroyNotify) ov_caption_view_free;
      paint = ov_caption_view_paint;
      /* room for the title too (about 7 points a character at 13 points);
       * a longer one than 100 characters is fitted as on a page of a given
       * width, smaller and in two lines */
      width = MAX (160 + 16 * ca->n_cols + 120,
                   7.2 * MIN (g_utf8_strlen (title, -1), 100) + 40);
      height = 200 + 20 * ca->n_steps;
    }
  else
    {
      if (!run_pass (model, task, sample, tags, text,
                     prefix != NULL ? (const gint32 *) prefix->data : NULL,
                     prefix != NULL ? (int) prefix->len : 0, o.max_length, &pass, &error))
        {
          status = fail (error);
          goto out;
        }
      if (one_layer && (matrix = select_matrix (&pass, o.layer, head, &error)) == NULL)
        {
          status = fail (error);
          goto out;
        }
    }

  if (pass.fwd != NULL)
    {
      int S = pass.fwd->seq_len, shown = 0;

      for (int i = 0; i < S; i++)
        shown += pass.enc->segments[i] != OV_SEGMENT_PAD;
      if (strcmp (view_name, "heatmap") == 0)
        {
          title = g_strdup_printf (_("Attention, layer %d, %s"), o.layer, hname);
          csv_matrix (csv, matrix, S, pass.enc->segments, pass.labels);
          title = figure_title (&o, title);
          view = ov_heatmap_view_new (matrix, S, pass.enc->segments,
                                      (const char *const *) pass.labels, FALSE, FALSE, title);
          /* a figure of a given size: the map fills what the labels leave */
          ov_heatmap_view_set_fill_page (view, TRUE);
          if (o.vmax > 0)
            ov_heatmap_view_set_scale_max (view, o.vmax);
          view_free = (GDestroyNotify) ov_heatmap_view_free;
          paint = ov_heatmap_view_paint;
          width = CLAMP (260 + 12.0 * shown, 500, 2400);
          height = width - 40;
        }
      else if (strcmp (view_name, "difference") == 0)
        {
          g_autofree float *before = NULL;
          g_autofree float *diff = NULL;
          Pass other = { 0 };

          /* one of these was given (checked before the run) */
          if (o.before_tags != NULL)
            {
              if (!run_pass (model, task, sample, o.before_tags, text,
                             prefix != NULL ? (const gint32 *) prefix->data : NULL,
                             prefix != NULL ? (int) prefix->len : 0, o.max_length, &other,
                             &error))
                {
                  status = fail (error);
                  goto out;
                }
              /* each token is compared with the same token of the other
               * input: a tag taken out or put in moves the others, and its
               * own row and column have no counterpart (grey) */
              g_autofree int *map = match_positions (&pass, &other);

              if (map == NULL)
                {
                  int tags_after = 0, tags_before = 0;

                  for (int i = 0; i < S; i++)
                    tags_after += pass.enc->segments[i] == OV_SEGMENT_TAG;
                  for (int i = 0; i < other.fwd->seq_len; i++)
                    tags_before += other.enc->segments[i] == OV_SEGMENT_TAG;
                  pass_clear (&other);
                  tags_mismatch (o.before_tags, tags_before, tags_after);
                  status = 2;
                  goto out;
                }
              before = select_matrix (&other, o.before_layer >= 0 ? o.before_layer : o.layer,
                                      before_head, &error);
              if (before != NULL)
                {
                  g_autofree float *laid_out = ov_attention_remap (before, other.fwd->seq_len,
                                                                   map, S);

                  diff = ov_attention_difference (laid_out, S, matrix, S, &error);
                }
              pass_clear (&other);
            }
          else
            {
              before = select_matrix (&pass, o.before_layer >= 0 ? o.before_layer : o.layer,
                                      before_head, &error);
              diff = before != NULL ? ov_attention_difference (before, S, matrix, S, &error)
                                    : NULL;
            }
          if (diff == NULL)
            {
              status = fail (error);
              goto out;
            }
          {
            /* what "before" was */
            g_autoptr(GString) what = g_string_new (NULL);

            /* Translators: parts of the difference figure's title, as in
             * “(tags “cup bolt”, layer 2)”, joined by ", " */
            if (o.before_tags != NULL)
              g_string_append_printf (what, _("tags “%s”"), o.before_tags);
            if (o.before_layer != NOT_GIVEN)
              {
                g_string_append (what, what->len > 0 ? C_("title parts", ", ") : "");
                g_string_append_printf (what, _("layer %d"), o.before_layer);
              }
            if (o.before_head_text != NULL)
              {
                g_string_append (what, what->len > 0 ? C_("title parts", ", ") : "");
                g_string_append_printf (what, _("head %s"), o.before_head_text);
              }
            /* Translators: a figure's title: this input's attention minus
             * that of the input or head the last %s names, as in
             * “tags “cup bolt”, layer 2” */
            title = g_strdup_printf (_("Attention, layer %d, %s, minus that with %s"),
                                     o.layer, hname, what->str);
          }
          csv_matrix (csv, diff, S, pass.enc->segments, pass.labels);
          title = figure_title (&o, title);
          view = ov_heatmap_view_new (diff, S, pass.enc->segments,
                                      (const char *const *) pass.labels, TRUE, FALSE, title);
          ov_heatmap_view_set_fill_page (view, TRUE);
          if (o.vmax > 0)
            ov_heatmap_view_set_scale_max (view, o.vmax);
          view_free = (GDestroyNotify) ov_heatmap_view_free;
          paint = ov_heatmap_view_paint;
          width = CLAMP (260 + 12.0 * shown, 500, 2400);
          height = width - 40;
        }
      else if (strcmp (view_name, "grid") == 0 || strcmp (view_name, "summary") == 0)
        {
          int L = pass.fwd->n_layers, A = pass.fwd->n_heads;
          const float *const *att = (const float *const *) pass.fwd->attentions;

          if (strcmp (view_name, "grid") == 0)
            {
              title = g_strdup (_("Attention of every layer and head"));
              title = figure_title (&o, title);
              view = ov_attention_grid_view_new (att, L, A, S, pass.enc->segments, title);
              ov_attention_grid_view_set_fill_page (view, TRUE);
              if (o.vmax > 0)
                ov_attention_grid_view_set_scale_max (view, o.vmax);
              else if (o.shared_scale)
                ov_attention_grid_view_share_scale (view);
              view_free = (GDestroyNotify) ov_attention_grid_view_free;
              paint = ov_attention_grid_view_paint;
              width = 140 + A * 110;
              height = 60 + L * 110;
              ov_csv_add_text (csv, "layer");
              ov_csv_add_text (csv, "head");
              ov_csv_add_text (csv, "query_position");
              ov_csv_add_text (csv, "key_position");
              ov_csv_add_text (csv, "value");
              /* the token labels after the columns grid CSVs always had */
              ov_csv_add_text (csv, "query");
              ov_csv_add_text (csv, "key");
              ov_csv_end_row (csv);
              for (int l = 0; l < L; l++)
                for (int h = 0; h < A; h++)
                  for (int i = 0; i < S; i++)
                    for (int j = 0; j < S; j++)
                      {
                        if (pass.enc->segments[i] == OV_SEGMENT_PAD
                            || pass.enc->segments[j] == OV_SEGMENT_PAD)
                          continue;
                        ov_csv_add_int (csv, l);
                        ov_csv_add_int (csv, h);
                        ov_csv_add_int (csv, i);
                        ov_csv_add_int (csv, j);
                        ov_csv_add_number (csv, att[l][((gsize) h * S + i) * S + j]);
                        ov_csv_add_text (csv, pass.labels[i]);
                        ov_csv_add_text (csv, pass.labels[j]);
                        ov_csv_end_row (csv);
                      }
            }
          else
            {
              OvFlowView *fv;

              title = g_strdup (_("Attention flow between words, tags and regions"));
              title = figure_title (&o, title);
              fv = ov_flow_view_new (att, L, A, S, pass.enc->segments, title);
              view = fv;
              view_free = (GDestroyNotify) ov_flow_view_free;
              paint = ov_flow_view_paint;
              width = 260 + A * 100;
              height = MAX (60 + L * 112, 340);
              ov_csv_add_text (csv, "layer");
              ov_csv_add_text (csv, "head");
              ov_csv_add_text (csv, "from");
              ov_csv_add_text (csv, "to");
              ov_csv_add_text (csv, "mass");
              ov_csv_add_text (csv, "cross_modal_share");
              ov_csv_end_row (csv);
              for (int l = 0; l < L; l++)
                for (int h = 0; h < A; h++)
                  {
                    const double *f = ov_flow_view_get_flow (fv, l, h);
                    double cross = ov_attention_flow_cross_share (
                      (const double (*)[OV_FLOW_N_GROUPS]) f);

                    for (int q = 0; q < OV_FLOW_N_GROUPS; q++)
                      for (int k = 0; k < OV_FLOW_N_GROUPS; k++)
                        {
                          ov_csv_add_int (csv, l);
                          ov_csv_add_int (csv, h);
                          ov_csv_add_text (csv, ov_flow_group_name (q));
                          ov_csv_add_text (csv, ov_flow_group_name (k));
                          ov_csv_add_number (csv, f[q * OV_FLOW_N_GROUPS + k]);
                          ov_csv_add_number (csv, cross);
                          ov_csv_end_row (csv);
                        }
                  }
            }
        }
      else if (strcmp (view_name, "image") == 0 || strcmp (view_name, "region") == 0)
        {
          gboolean reverse = strcmp (view_name, "region") == 0;
          OvAttentionImageView *iv;

          /* the picture and --region were checked before the run */
          if (reverse)
            {
              /* Translators: a figure's title: region number, its class, layer, head */
              title = g_strdup_printf (_("Words and tags attending to region %d (%s), layer "
                                         "%d, %s"), o.region,
                                       sample->regions[region_index].cls, o.layer, hname);
              title = figure_title (&o, title);
              iv = ov_attention_image_view_new_region (matrix, S, pass.enc->segments,
                                                       (const char *const *) pass.labels,
                                                       region_index, pass.enc->query_index,
                                                       sample, surface, NULL, title);
              if (iv == NULL)
                {
                  g_printerr ("oscarviz attention: region %d was not given to the model\n",
                              o.region);
                  goto out;
                }
            }
          else
            {
              int query = pass.enc->query_index;

              if (o.token != NULL && (query = find_token (&pass, o.token, &error)) < 0)
                {
                  fail (error);
                  status = 2;
                  goto out;
                }
              /* Translators: a figure's title: a token, its position, layer, head */
              title = g_strdup_printf (_("Attention of “%s” (position %d) on the regions, "
                                         "layer %d, %s"), pass.labels[query], query, o.layer,
                                       hname);
              title = figure_title (&o, title);
              iv = ov_attention_image_view_new_query (matrix, S, pass.enc->segments,
                                                      (const char *const *) pass.labels, query,
                                                      sample, surface, NULL, title);
            }
          if (o.vmax > 0)
            ov_attention_image_view_set_scale_max (iv, o.vmax);
          view = iv;
          view_free = (GDestroyNotify) ov_attention_image_view_free;
          paint = ov_attention_image_view_paint;
          ov_region_view_set_orientation (ov_attention_image_view_get_region_view (iv), box_turn);
          {
            double fw, fh, s;

            ov_region_view_get_frame_size (ov_attention_image_view_get_region_view (iv), &fw, &fh);
            s = MIN (800.0 / fw, 600.0 / fh);

            width = fw * s + 100;
            height = fh * s + 40 + (reverse ? 90 : 0);
          }
          ov_csv_add_text (csv, reverse ? "position" : "region");
          ov_csv_add_text (csv, reverse ? "token" : "class");
          ov_csv_add_text (csv, "weight");
          ov_csv_end_row (csv);
          if (reverse)
            {
              for (int i = 0; i < S; i++)
                if (pass.enc->segments[i] == OV_SEGMENT_WORD
                    || pass.enc->segments[i] == OV_SEGMENT_TAG || i == pass.enc->query_index)
                  {
                    ov_csv_add_int (csv, i);
                    ov_csv_add_text (csv, pass.labels[i]);
                    ov_csv_add_number (csv, ov_attention_image_view_get_weight (iv, i));
                    ov_csv_end_row (csv);
                  }
            }
          else
            for (guint k = 0; k < sample->n_regions; k++)
              {
                ov_csv_add_int (csv, ov_sample_region_number (sample, k));
                ov_csv_add_text (csv, sample->regions[k].cls);
                ov_csv_add_number (csv, ov_attention_image_view_get_weight (iv, k));
                ov_csv_end_row (csv);
              }
        }
    }

  /* without a title the figure's own size is shorter by its row */
  if (o.title != NULL && *o.title == '\0')
    height -= OV_ATTENTION_VIEW_TITLE_ROW;
  ov_export_fit_size (o.width, o.height, &width, &height);
  {
    const OvCliOutput outputs[] = {
      { "--out", o.out }, { "--csv", o.csv }, { "--json", o.json },
    };
    g_autoptr(OvOutputSet) set = ov_output_set_new ();
    const char *tmp_out = NULL, *tmp_csv = NULL, *tmp_json = NULL;

    /* again, now that the files read are known (the sample's picture, the
     * files of its dataset); then all are written, or none */
    if (!ov_cli_check_outputs ("attention", outputs, G_N_ELEMENTS (outputs), cli.model,
                               &o.sample, NULL, 0))
      {
        status = 2;
        goto out;
      }
    if ((o.out != NULL && (tmp_out = ov_output_set_add (set, "--out", o.out, &error)) == NULL)
        || (o.csv != NULL && (tmp_csv = ov_output_set_add (set, "--csv", o.csv, &error)) == NULL)
        || (o.json != NULL
            && (tmp_json = ov_output_set_add (set, "--json", o.json, &error)) == NULL)
        || (o.out != NULL
            && !ov_export_view (tmp_out, format, paint, view, width, height, o.scale, &error))
        || (o.csv != NULL && !ov_csv_write (csv, tmp_csv, &error)))
      {
        ov_output_set_name_error (set, error);
        status = fail (error);
        goto out;
      }
    if (o.json != NULL)
      {
        g_autoptr(JsonNode) root = ov_csv_to_json (csv);

        if (!ov_export_json (root, tmp_json, &error))
          {
            ov_output_set_name_error (set, error);
            status = fail (error);
            goto out;
          }
      }
    if (!ov_output_set_commit (set, &error))
      {
        status = fail (error);
        goto out;
      }
  }
  ov_cli_print_wrote (o.out);
  ov_cli_print_wrote (o.csv);
  ov_cli_print_wrote (o.json);
  status = 0;

out:
  if (view != NULL)
    view_free (view);
  g_clear_pointer (&surface, cairo_surface_destroy);
  pass_clear (&pass);
  ov_sample_source_options_clear (&o.sample);
  g_free (o.task);
  g_free (o.text);
  g_free (o.question);
  g_free (o.head_text);
  g_free (o.view);
  g_free (o.out);
  g_free (o.scale_text);
  g_free (o.csv);
  g_free (o.json);
  g_free (o.token);
  g_free (o.vmax_text);
  g_free (o.tags);
  g_free (o.regions);
  g_free (o.before_tags);
  g_free (o.before_head_text);
  g_free (o.title);
  return status;
}
