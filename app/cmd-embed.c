/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz embed`: one pass of a model over a dataset that saves the hidden
 * states at tag and region positions (ov-embed.h says which input and which
 * labels) for t-SNE and `oscarviz align`; with --tsne it also draws the
 * t-SNE of the primary layer (colour = class, circle = tag, square = region).
 * With --tag-layout a captioning model trained without tags reads the tags
 * in the tag slots of a tagged one, so that `oscarviz align` can compare
 * the two (as the window's Embeddings panel does).
 */
#define G_LOG_DOMAIN "ov-cmd-embed"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "data/ov-dataset.h"
#include "data/ov-demo.h"
#include "model/ov-error.h"
#include "model/ov-model.h"
#include "model/ov-files.h"
#include "ov-cli.h"
#include "ov-commands.h"
#include "viz/ov-embed.h"
#include "viz/ov-export.h"
#include "viz/ov-tsne.h"
#include "viz/ov-tsne-plot.h"

static void
progress_cb (guint done, guint total, gpointer data)
{
  /* on a terminal one line rewritten in place; in a log one line a report */
  gboolean tty = isatty (STDERR_FILENO);

  if (done == total || done % 10 == 0)
    {
      if (tty)
        g_printerr ("\r");
      g_printerr (ngettext ("%u / %u sample", "%u / %u samples", total), done, total);
      if (!tty)
        g_printerr ("\n");
    }
  if (done == total && tty)
    g_printerr ("\n");
}

/* No output may be a file the run reads (checked before anything runs,
 * and again as more of the files read are known), nor may two outputs be
 * one file: the embeddings file, the .json and .labels.txt written beside
 * it and the --tsne figure. */
static gboolean
check_outputs (OvCliOptions *cli,
               const char   *dataset_name,
               const char   *tag_layout,
               const char   *out,
               const char   *tsne_out)
{
  const char *inputs[] = { dataset_name, tag_layout };
  g_autofree char *meta = out != NULL ? g_strconcat (out, ".json", NULL) : NULL;
  g_autofree char *labels = out != NULL ? g_strconcat (out, ".labels.txt", NULL) : NULL;
  const OvCliOutput outputs[] = {
    { "--out", out }, { "--out", meta }, { "--out", labels }, { "--tsne", tsne_out },
  };

  /* the file is three, .json and .labels.txt beside it: a pipe or device
   * has no beside */
  if (out != NULL && ov_files_writes_direct (out))
    {
      g_printerr (_("oscarviz embed: --out %s: the embeddings are a file with its .json and "
                    ".labels.txt beside it; give the name of a file in a folder\n"), out);
      return FALSE;
    }
  return ov_cli_check_outputs ("embed", outputs, G_N_ELEMENTS (outputs), cli->model,
                               &cli->sample, inputs, G_N_ELEMENTS (inputs));
}

/* Whether two models read text with the same word pieces: the same
 * vocabulary lines and added tokens, id for id. The error names
 * option_value, both folders and the first difference. */
static gboolean
same_vocabulary (OvModel    *model,
                 OvModel    *tagged,
                 const char *option_value,
                 GError    **error)
{
  OvTokenizer *a = ov_model_get_tokenizer (model);
  OvTokenizer *b = ov_model_get_tokenizer (tagged);
  gint64 id = ov_tokenizer_first_difference (a, b);
  guint na = ov_tokenizer_get_vocab_size (a) + ov_tokenizer_get_n_added_tokens (a);
  guint nb = ov_tokenizer_get_vocab_size (b) + ov_tokenizer_get_n_added_tokens (b);
  const char *ta, *tb;

  if (id < 0)
    return TRUE;
  if (na != nb)
    {
      /* Translators: "--tag-layout CKPT: CKPT has a vocabulary of 30522 word pieces and
       * DIR one of 106; ..." */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--tag-layout %s: %s has a vocabulary of %u word pieces and %s one of %u; "
                     "give a tagged model with the same vocabulary (for demo-notags, demo)"),
                   option_value, ov_model_get_path (tagged), nb, ov_model_get_path (model), na);
      return FALSE;
    }
  ta = ov_tokenizer_id_to_token (a, (gint32) id);
  tb = ov_tokenizer_id_to_token (b, (gint32) id);
  /* Translators: "... word piece 1012 is “.” in DIR and “,” in CKPT ..." */
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--tag-layout %s: the vocabularies differ: word piece %lld is “%s” in %s and "
                 "“%s” in %s; give a tagged model with the same vocabulary (for demo-notags, "
                 "demo)"), option_value, (long long) id, ta != NULL ? ta : "",
               ov_model_get_path (model), tb != NULL ? tb : "", ov_model_get_path (tagged));
  return FALSE;
}

/* --tag-layout MODEL: the tag slots of a tagged captioning model for a
 * model trained without them (ov_model_borrow_tag_layout). The tagged
 * model's weights are only mapped, not read. Its vocabulary must be the
 * model's: the layout counts the tag slots in word pieces, and align
 * compares a model with its tagged twin; any other pairing would measure
 * two different vocabularies. *dir_out gets its folder, which the
 * embeddings file records. */
static gboolean
borrow_tag_layout (OvModel    *model,
                   const char *tagged_name,
                   char      **dir_out,
                   GError    **error)
{
  g_autofree char *dir = ov_demo_resolve_model (tagged_name, error);
  g_autoptr(OvModel) tagged = NULL;

  if (dir == NULL)
    {
      /* the error says --model; the folder was given with --tag-layout */
      if (!g_file_test (tagged_name, G_FILE_TEST_EXISTS))
        {
          g_clear_error (error);
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                       _("--tag-layout %s: no such checkpoint folder, nor a bundled model"),
                       tagged_name);
        }
      return FALSE;
    }
  tagged = ov_model_load (dir, NULL, error);
  if (tagged == NULL)
    return FALSE;
  if (ov_model_borrow_tag_layout (model, tagged))
    {
      /* the command stops on an error, so the borrowed settings do not matter then */
      if (!same_vocabulary (model, tagged, tagged_name, error))
        return FALSE;
      g_printerr (_("oscarviz embed: %s was trained without tags; it reads the tags in the tag "
                    "slots of %s, as the demo's own alignment measurement does\n"),
                  ov_model_get_path (model), dir);
      *dir_out = g_steal_pointer (&dir);
      return TRUE;
    }
  if (ov_model_get_kind (tagged) != OV_MODEL_KIND_CAPTION
      || !ov_model_get_settings (tagged)->add_od_labels)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("--tag-layout %s: not a captioning model trained with tags"), tagged_name);
  else
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("--tag-layout %s: %s is no captioning model trained without tags, so it "
                   "has a layout of its own"), tagged_name, ov_model_get_path (model));
  return FALSE;
}

/* The most unknown words a warning lists. */
#define MAX_LISTED_WORDS 20

/* A warning when tag pieces read as [UNK]: their vectors are the [UNK]
 * embedding's in context and say nothing about the tags, as vqa warns of
 * unknown question words. The words come from the tags the pieces were
 * cut from (their classes). */
static void
warn_unknown_tags (OvModel            *model,
                   const OvEmbeddings *emb)
{
  OvTokenizer *tok = ov_model_get_tokenizer (model);
  const char *unk = ov_tokenizer_unk_token (tok);
  g_autoptr(GHashTable) classes_seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) words_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *pieces = NULL;
  guint n_tags = 0, n_unknown = 0;

  for (guint i = 0; i < emb->n; i++)
    {
      gint32 cls = emb->classes[i];
      g_autoptr(GPtrArray) lacking = NULL;

      if (emb->modality[i] != OV_EMBED_TAG)
        continue;
      n_tags++;
      if (g_strcmp0 (g_ptr_array_index (emb->tokens, i), unk) != 0)
        continue;
      n_unknown++;
      if (!g_hash_table_add (classes_seen, GINT_TO_POINTER (cls)))
        continue;
      lacking = ov_tokenizer_unknown_words (tok, g_ptr_array_index (emb->class_names, cls),
                                            NULL);
      for (guint w = 0; w < lacking->len; w++)
        {
          char *word = g_ptr_array_index (lacking, w);

          if (!g_hash_table_contains (words_seen, word))
            {
              word = g_strdup (word);
              g_hash_table_add (words_seen, word);
              g_ptr_array_add (words, word);
            }
        }
    }
  if (n_unknown == 0)
    return;

  for (guint w = 0; w < MIN (words->len, MAX_LISTED_WORDS); w++)
    g_string_append_printf (list, "%s%s", w > 0 ? " " : "",
                            (const char *) g_ptr_array_index (words, w));
  if (words->len > MAX_LISTED_WORDS)
    g_string_append_printf (list, _(" and %u more"), words->len - MAX_LISTED_WORDS);
  if (words->len == 0)
    g_string_append (list, _("some of their words"));
  pieces = g_strdup_printf (ngettext ("%u tag piece", "%u tag pieces", n_tags), n_tags);
  /* Translators: "oscarviz embed: warning: 70 of the 74 tag pieces read as [UNK], as the
   * vocabulary of DIR lacks dog couch pillow ...; their vectors say nothing about those
   * tags" */
  g_printerr (ngettext ("oscarviz embed: warning: %u of the %s reads as [UNK], as the "
                        "vocabulary of %s lacks %s; its vector says nothing about that tag\n",
                        "oscarviz embed: warning: %u of the %s read as [UNK], as the "
                        "vocabulary of %s lacks %s; their vectors say nothing about those "
                        "tags\n", n_unknown),
              n_unknown, pieces, ov_model_get_path (model), list->str);
}

/* --layer before the model loads: "last", "all" or layer numbers from 0
 * joined by commas (the model says how many layers there are). */
static gboolean
check_layer_list (const char  *text,
                  GError     **error)
{
  g_auto(GStrv) parts = NULL;
  gboolean ok = *text != '\0';

  if (g_ascii_strcasecmp (text, "last") == 0 || g_ascii_strcasecmp (text, "all") == 0)
    return TRUE;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; ok && parts[i] != NULL; i++)
    ok = g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXINT, NULL, NULL);
  if (!ok)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 /* Translators: "--layer x: give layer numbers from 0 ..." */
                 _("--layer %s: give layer numbers from 0 joined by commas (such as 0,6,12), "
                   "“last” or “all”"), text);
  return ok;
}

int
ov_cmd_embed (int argc, char **argv)
{
  g_auto(OvCliOptions) cli = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvDataset) dataset = NULL;
  g_autoptr(OvEmbeddings) emb = NULL;
  g_autofree char *dataset_name = NULL;
  g_autofree char *dataset_path = NULL;
  g_autofree char *class_names = NULL;
  g_autofree char *tag_layout = NULL;
  g_autofree char *tag_layout_dir = NULL;
  g_autofree char *layer_text = NULL;
  g_autofree char *out = NULL;
  g_autofree int *layers = NULL;
  g_autofree char *tsne_out = NULL;
  g_autofree char *scale_text = NULL;
  g_autofree char *figure_title = NULL;
  gint64 limit = G_MININT64;   /* not given: every sample */
  gint64 seed = G_MININT64;    /* not given: the t-SNE's own (42) */
  int iterations = G_MININT;   /* not given: 1000 */
  double perplexity = 30.0, width = 0, height = 0, scale = OV_CLI_DEFAULT_SCALE;
  gboolean quiet = FALSE;
  guint n_layers, n_tags = 0;
  g_auto(GStrv) given = NULL;
  const GOptionEntry entries[] = {
    { "dataset", 0, 0, G_OPTION_ARG_FILENAME, &dataset_name,
      N_("Dataset: split yaml or any one detection/feature file, or “demo” for the bundled "
         "scenes"), "FILE" },
    { "class-names", 0, 0, G_OPTION_ARG_FILENAME, &class_names,
      N_("Class names for numeric class ids (one a line, a table with a “name” column, or a "
         "label map JSON)"), "FILE" },
    { "tag-layout", 0, 0, G_OPTION_ARG_FILENAME, &tag_layout,
      N_("For a captioning model trained without tags: read the tags in the tag slots of "
         "this tagged captioning model (a folder or a bundled model), to compare the two with "
         "“oscarviz align”"), "MODEL" },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &layer_text,
      N_("Hidden-state layer (required, no default): 0 = embeddings .. L, a list “0,6,12”, "
         "“last” or “all”; the first is the primary one"), "L" },
    { "limit", 0, 0, G_OPTION_ARG_INT64, &limit,
      N_("Only the first N samples (default: all)"), "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      N_("Embeddings file (safetensors; FILE.json beside it)"), "VECTORS" },
    { "tsne", 0, 0, G_OPTION_ARG_FILENAME, &tsne_out,
      N_("Also draw a t-SNE of the primary layer (.png, .svg, .pdf)"), "FIGURE" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("t-SNE random seed (42)"), N_("S") },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, N_("t-SNE iterations (1000)"),
      N_("N") },
    { "perplexity", 0, 0, G_OPTION_ARG_DOUBLE, &perplexity,
      N_("t-SNE perplexity (30; lowered to a third of the other points for small sets)"),
      "P" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress"), NULL },
    { NULL }
  };

  ov_cli_options_init (&cli, "embed");
  context = ov_cli_context_new (&cli, _("— collect tag and region embeddings over a dataset"),
                                entries);
  ov_cli_add_figure_size_options (context, &width, &height);
  ov_cli_add_scale_option (context, &scale_text);
  ov_cli_add_title_option (context, &figure_title);
  ov_cli_add_legend_option (context);
  given = g_strdupv (argv);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      ov_cli_print_parse_error (context, "embed", given, error);
      return 2;
    }
  if (argc > 1)
    {
      ov_cli_unexpected_argument ("embed", argv[1], cli.model != NULL);
      return 2;
    }
  if (cli.model == NULL || dataset_name == NULL || out == NULL || layer_text == NULL)
    {
      g_autoptr(GString) missing = g_string_new (NULL);
      const char *names[] = { "--model", "--dataset", "--layer", "--out" };
      const gboolean absent[] = { cli.model == NULL, dataset_name == NULL, layer_text == NULL,
                                  out == NULL };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        if (absent[i])
          g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", names[i]);
      /* Translators: the end is a list of options, e.g. "--layer, --out" */
      g_printerr (_("oscarviz embed: --model, --dataset, --layer and --out are required; "
                    "missing: %s\n"), missing->str);
      return 2;
    }
  if (!ov_cli_check_file_names (entries, &error) || !check_layer_list (layer_text, &error))
    {
      g_printerr ("oscarviz embed: %s\n", error->message);
      return 2;
    }
  /* --out is the vectors; in attention, tsne and align it is the figure,
   * and a figure's name here would get a safetensors file */
  {
    OvExportFormat format;

    if (ov_export_format_from_path (out, &format, NULL))
      {
        g_printerr (_("oscarviz embed: --out %s: the embeddings are written as a safetensors "
                      "file (e.g. vectors.safetensors); the t-SNE figure is --tsne %s\n"), out,
                    out);
        return 2;
      }
  }
  /* 0 used to mean all; now leaving --limit out does. */
  if (limit != G_MININT64 && (limit < 1 || limit > G_MAXUINT))
    {
      g_printerr (_("oscarviz embed: --limit %lld: give a count of 1 or more (leave it out for "
                    "every sample)\n"), (long long) limit);
      return 2;
    }
  if (!(perplexity > 0 && perplexity <= 1000))
    {
      g_printerr (_("oscarviz embed: --perplexity %g: give more than 0 and at most 1000\n"),
                  perplexity);
      return 2;
    }
  if (!ov_cli_check_scale (scale_text, &scale, &error)
      || !ov_cli_check_figure_size (width, height, &error)
      || !ov_cli_check_png_size (tsne_out, width, height, scale, &error))
    {
      g_printerr ("oscarviz embed: %s\n", error->message);
      return 2;
    }
  if (!ov_cli_check_figure_wanted ("--tsne", tsne_out, width, height, scale_text, figure_title,
                                   &error))
    {
      g_printerr ("oscarviz embed: %s\n", error->message);
      return 2;
    }
  /* the map's settings, as oscarviz tsne and the window take them */
  if ((seed != G_MININT64 || iterations != G_MININT) && tsne_out == NULL)
    {
      g_printerr (_("oscarviz embed: %s: only for the t-SNE figure (--tsne FIGURE)\n"),
                  seed != G_MININT64 ? "--seed" : "--iterations");
      return 2;
    }
  if (iterations != G_MININT && (iterations < 1 || iterations > 1000000))
    {
      g_printerr (_("oscarviz embed: --iterations %d: give 1 to 1000000\n"), iterations);
      return 2;
    }
  if (seed != G_MININT64 && seed < 0)
    {
      g_printerr (_("oscarviz embed: --seed %lld: give 0 or more\n"), (long long) seed);
      return 2;
    }
  ov_cli_fit_map_size (&width, &height);
  if (tsne_out != NULL)
    {
      OvExportFormat format;

      if (!ov_export_format_from_path (tsne_out, &format, &error))
        {
          g_printerr ("oscarviz embed: --tsne %s\n", error->message);
          return 2;
        }
    }
  if (!check_outputs (&cli, dataset_name, tag_layout, out, tsne_out))
    return 2;

  model = ov_cli_load_model (&cli, OV_TASK_ENCODE, &error);
  if (model == NULL)
    goto fail;
  if (tag_layout != NULL && !borrow_tag_layout (model, tag_layout, &tag_layout_dir, &error))
    goto fail;
  layers = ov_embed_parse_layers (layer_text, ov_model_get_config (model)->num_hidden_layers,
                                  &n_layers, &error);
  if (layers == NULL)
    {
      g_printerr ("oscarviz embed: --layer %s: %s\n", layer_text, error->message);
      return 2;
    }
  dataset_path = ov_demo_resolve_dataset (dataset_name, &error);
  if (dataset_path == NULL)
    goto fail;
  dataset = ov_dataset_open (dataset_path, NULL, &error);
  if (dataset == NULL
      || (class_names != NULL && !ov_dataset_set_class_names (dataset, class_names, &error)))
    goto fail;
  /* placeholders ("class511") would be the tags and the classes */
  if (ov_dataset_lacks_class_names (dataset))
    {
      g_set_error (&error, OV_ERROR, OV_ERROR_MISSING,
                   _("%s: the classes are numeric ids without names, and the model would read "
                     "placeholders for tags; give --class-names FILE, the names the ids count "
                     "in (for an LXMERT TSV the 1600 Visual Genome object classes, "
                     "objects_vocab.txt)"), dataset_path);
      goto fail;
    }
  /* the files the dataset named are known now */
  if (!check_outputs (&cli, dataset_name, tag_layout, out, tsne_out))
    return 2;
  emb = ov_embed_collect_dataset (model, dataset, limit > 0 ? (guint) limit : 0, layers,
                                  n_layers, quiet ? NULL : progress_cb, NULL, NULL, &error);
  if (emb == NULL)
    goto fail;
  emb->tag_layout = g_steal_pointer (&tag_layout_dir);
  /* and the pictures the samples' sizes were read from */
  if (!check_outputs (&cli, dataset_name, tag_layout, out, tsne_out))
    return 2;
  if (!ov_embeddings_save (emb, out, &error))
    goto fail;
  for (guint i = 0; i < emb->n; i++)
    n_tags += emb->modality[i] == OV_EMBED_TAG;
  {
    g_autofree char *vectors = g_strdup_printf (ngettext ("%u vector", "%u vectors", emb->n),
                                                emb->n);
    g_autofree char *tags_text = g_strdup_printf (ngettext ("%u tag piece", "%u tag pieces",
                                                            n_tags), n_tags);
    g_autofree char *regions = g_strdup_printf (ngettext ("%u region", "%u regions",
                                                          emb->n - n_tags), emb->n - n_tags);
    g_autofree char *images = g_strdup_printf (ngettext ("%u image", "%u images",
                                                         emb->image_keys->len),
                                               emb->image_keys->len);
    g_autofree char *classes = g_strdup_printf (ngettext ("%u class", "%u classes",
                                                          emb->class_names->len),
                                                emb->class_names->len);

    /* Translators: "vec.safetensors: 133 vectors (65 tag pieces, 68 regions) of 10
     * images, 9 classes, layer 2, input caption-step" */
    g_print (_("%s: %s (%s, %s) of %s, %s, layer %d, input %s\n"), out, vectors, tags_text,
             regions, images, classes, emb->layers[0], emb->input != NULL ? emb->input : "-");
    if (emb->n_layers > 1)
      {
        g_autofree char *list = ov_embeddings_dup_layer_list (emb);

        g_print (_("  layers stored: %s (t-SNE maps layer %d, named above, unless --layer says "
                   "another)\n"), list, emb->layers[0]);
      }
  }
  warn_unknown_tags (model, emb);
  /* a model trained without tags has no tag slots: all it can leave out
   * is regions */
  if (emb->n_cut > 0 && !ov_model_reads_tags (model))
    g_printerr (ngettext ("oscarviz embed: note: in %u of the %u images the model's input left "
                          "out regions, as Oscar's does (it reads the first %d, its "
                          "max_img_seq_length); the vectors are of what it read\n",
                          "oscarviz embed: note: in %u of the %u images the model's input left "
                          "out regions, as Oscar's does (it reads the first %d, its "
                          "max_img_seq_length); the vectors are of what it read\n", emb->n_cut),
                emb->n_cut, emb->image_keys->len,
                ov_model_get_settings (model)->max_img_seq_length);
  else if (emb->n_cut > 0)
    g_printerr (ngettext ("oscarviz embed: note: in %u of the %u images the model's input left "
                          "out part of the tags or regions, as Oscar's does (the first "
                          "max_img_seq_length regions, as many tag word pieces as its text "
                          "slots hold); the vectors are of what it read\n",
                          "oscarviz embed: note: in %u of the %u images the model's input left "
                          "out part of the tags or regions, as Oscar's does (the first "
                          "max_img_seq_length regions, as many tag word pieces as its text "
                          "slots hold); the vectors are of what it read\n", emb->n_cut),
                emb->n_cut, emb->image_keys->len);
  if (emb->n_unlabelled > 0)
    g_printerr (ngettext ("oscarviz embed: note: %u region feature row has no detection, so "
                          "no class to be coloured or aligned by, and is left out (an Oscar VQA "
                          "json, say, gives tags but no boxes)\n",
                          "oscarviz embed: note: %u region feature rows have no detection, so "
                          "no class to be coloured or aligned by, and are left out (an Oscar "
                          "VQA json, say, gives tags but no boxes)\n", emb->n_unlabelled),
                emb->n_unlabelled);
  if (n_tags == 0 && !ov_model_reads_tags (model))
    g_printerr (_("oscarviz embed: note: %s was trained without tags, so there are no tag "
                  "vectors to align; --tag-layout MODEL gives it the tag slots of a tagged "
                  "model (for example --tag-layout demo)\n"), ov_model_get_path (model));

  if (tsne_out != NULL)
    {
      OvTsneParams params;
      OvExportFormat format;
      g_autofree float *xy = g_new (float, 2 * (gsize) MAX (emb->n, 1));
      g_autoptr(OvScatterView) view = NULL;
      g_autofree char *title = NULL;

      if (!ov_export_format_from_path (tsne_out, &format, &error))
        goto fail;
      ov_tsne_params_init (&params);
      params.perplexity = ov_cli_fit_perplexity ("embed", perplexity, emb->n);
      if (seed != G_MININT64)
        params.seed = (guint64) seed;
      if (iterations != G_MININT)
        {
          params.n_iter = iterations;
          params.early_exag_iter = MIN (params.early_exag_iter, iterations);
        }
      /* --threads decides the map's threads too, so that a map can be made again */
      if (cli.n_threads > 0)
        params.n_threads = cli.n_threads;
      if (!ov_tsne_run (emb->vectors[0], emb->n, emb->hidden, &params, xy, NULL, NULL, NULL,
                        &error))
        goto fail;
      /* named as `oscarviz tsne` of the file written names it */
      if (figure_title != NULL)
        title = g_strdup (figure_title);
      else
        title = ov_cli_tsne_title (out, emb->layers[0], params.perplexity, n_tags,
                                   emb->n - n_tags);
      view = ov_embeddings_scatter_view_new (emb, xy, NULL, title);
      ov_scatter_view_set_legend (view, ov_cli_get_legend ());
      if (!ov_export_view (tsne_out, format, ov_scatter_view_paint, view,
                           width > 0 ? width : OV_TSNE_PLOT_WIDTH,
                           height > 0 ? height : OV_TSNE_PLOT_HEIGHT, scale, &error))
        goto fail;
      ov_cli_print_wrote (tsne_out);
    }
  return 0;

fail:
  g_printerr ("oscarviz embed: %s\n", error->message);
  /* a bad option value, found once the models were loaded */
  return error->domain == G_OPTION_ERROR ? 2 : 1;
}
