/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz embed`: one pass of a model over a dataset that saves the hidden
 * states at tag and region positions (ov-embed.h says which input and which
 * labels) for t-SNE and `oscarviz align`; with --tsne it also draws the
 * t-SNE of the primary layer (colour = class, circle = tag, square = region).
 */
#define G_LOG_DOMAIN "ov-cmd-embed"

#include "config.h"

#include <glib/gi18n.h>

#include "data/ov-dataset.h"
#include "model/ov-model.h"
#include "ov-commands.h"
#include "viz/ov-embed.h"
#include "viz/ov-export.h"
#include "viz/ov-tsne.h"

static void
progress_cb (guint done, guint total, gpointer data)
{
  if (done == total || done % 10 == 0)
    g_printerr ("\r%u / %u samples", done, total);
  if (done == total)
    g_printerr ("\n");
}

int
ov_cmd_embed (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(OvDataset) dataset = NULL;
  g_autoptr(OvEmbeddings) emb = NULL;
  g_autofree char *model_dir = NULL;
  g_autofree char *dataset_path = NULL;
  g_autofree char *layer_text = NULL;
  g_autofree char *out = NULL;
  g_autofree int *layers = NULL;
  g_autofree char *tsne_out = NULL;
  gint64 limit = 0;
  double perplexity = 30.0;
  gboolean quiet = FALSE;
  guint n_layers, n_tags = 0;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_dir, N_("Checkpoint folder"), "DIR" },
    { "dataset", 0, 0, G_OPTION_ARG_FILENAME, &dataset_path,
      N_("Dataset: split yaml or any one detection/feature file"), "FILE" },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &layer_text,
      N_("Hidden-state layer: 0 = embeddings .. L, a list “0,6,12”, “last” or “all”; the first "
         "is the primary one"), "L" },
    { "limit", 0, 0, G_OPTION_ARG_INT64, &limit, N_("Only the first N samples"), "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      N_("Embeddings file (safetensors; FILE.json beside it)"), "VECTORS" },
    { "tsne", 0, 0, G_OPTION_ARG_FILENAME, &tsne_out,
      N_("Also draw a t-SNE of the primary layer (.png, .svg, .pdf)"), "FIGURE" },
    { "perplexity", 0, 0, G_OPTION_ARG_DOUBLE, &perplexity,
      N_("t-SNE perplexity (30; lowered for small sets)"), "P" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— collect tag and region embeddings over a dataset"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("oscarviz embed: %s\n", error->message);
      return 2;
    }
  if (model_dir == NULL || dataset_path == NULL || out == NULL || layer_text == NULL)
    {
      g_printerr ("oscarviz embed: %s\n", _("--model, --dataset, --layer and --out are required"));
      return 2;
    }
  if (limit < 0 || limit > G_MAXUINT)
    {
      g_printerr ("oscarviz embed: %s\n", _("--limit must be a positive count"));
      return 2;
    }

  model = ov_model_load (model_dir, NULL, &error);
  if (model == NULL)
    goto fail;
  layers = ov_embed_parse_layers (layer_text, ov_model_get_config (model)->num_hidden_layers,
                                  &n_layers, &error);
  if (layers == NULL)
    goto fail;
  dataset = ov_dataset_open (dataset_path, NULL, &error);
  if (dataset == NULL)
    goto fail;
  emb = ov_embed_collect_dataset (model, dataset, (guint) limit, layers, n_layers,
                                  quiet ? NULL : progress_cb, NULL, NULL, &error);
  if (emb == NULL || !ov_embeddings_save (emb, out, &error))
    goto fail;
  for (guint i = 0; i < emb->n; i++)
    n_tags += emb->modality[i] == OV_EMBED_TAG;
  g_print ("%s: %u vectors (%u tag pieces, %u regions) of %u images, %u classes, layer %d, "
           "input %s\n", out, emb->n, n_tags, emb->n - n_tags, emb->image_keys->len,
           emb->class_names->len, emb->layers[0], emb->input != NULL ? emb->input : "-");

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
      /* A perplexity needs about 3x as many neighbours as its value. */
      params.perplexity = MIN (perplexity, MAX (1.0, (emb->n - 1) / 3.0));
      if (!ov_tsne_run (emb->vectors[0], emb->n, emb->hidden, &params, xy, NULL, NULL, NULL,
                        &error))
        goto fail;
      title = g_strdup_printf ("t-SNE of layer %d: %u tag pieces (circles), %u regions "
                               "(squares)", emb->layers[0], n_tags, emb->n - n_tags);
      view = ov_embeddings_scatter_view_new (emb, xy, NULL, title);
      if (!ov_export_view (tsne_out, format, ov_scatter_view_paint, view, 900, 640, 2.0,
                           &error))
        goto fail;
    }
  return 0;

fail:
  g_printerr ("oscarviz embed: %s\n", error->message);
  return 1;
}
