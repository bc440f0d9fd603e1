/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz tsne`: embeds vectors (.npy, CSV or safetensors) in 2-D with
 * t-SNE and writes a scatter figure (PNG/SVG/PDF) and optionally the
 * coordinates as CSV.
 */
#define G_LOG_DOMAIN "oscarviz"

#include "config.h"

#include <glib.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "data/ov-formats.h"
#include "model/ov-files.h"
#include "model/ov-state-dict.h"
#include "ov-cli.h"
#include "ov-commands.h"
#include "viz/ov-embed.h"
#include "viz/ov-export.h"
#include "viz/ov-scatter-view.h"
#include "viz/ov-tsne.h"
#include "viz/ov-tsne-io.h"
#include "viz/ov-tsne-plot.h"

typedef struct {
  gint64 t0;
  gboolean quiet;
} Progress;

static gboolean
progress_cb (int          iter,
             int          n_iter,
             const float *Y,
             gsize        n,
             double       kl,
             gpointer     user_data)
{
  Progress *p = user_data;

  if (!p->quiet)
    fprintf (stderr, _("iteration %d/%d  KL %.4f  %.1f s\n"), iter, n_iter, kl,
             (g_get_monotonic_time () - p->t0) / 1e6);
  return TRUE;
}

/* The labels file beside a safetensors/npy/CSV input: STEM.labels.txt or
 * FILE.labels.txt, used when --labels is not given. */
static char *
sidecar_labels (const char *path)
{
  g_autofree char *a = g_strconcat (path, ".labels.txt", NULL);
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, G_DIR_SEPARATOR);

  if (g_file_test (a, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&a);
  if (dot != NULL && (slash == NULL || dot > slash))
    {
      g_autofree char *stem = g_strndup (path, dot - path);
      g_autofree char *b = g_strconcat (stem, ".labels.txt", NULL);

      if (g_file_test (b, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&b);
    }
  return NULL;
}


/* An embeddings file of `oscarviz embed` (emb, read with its FILE.json by
 * load_embeddings_beside or load_layer) is drawn as `embed --tsne` draws
 * it: its classes, tags as circles and regions as squares, and a title
 * naming the layer mapped; any other matrix as a plain scatter plot
 * coloured by its labels, under a title that names the layer mapped where
 * one is known (layer >= 0: --layer with --labels). */
static gboolean
write_figure (const char         *out,
              const char         *path,
              const OvEmbeddings *emb,
              gboolean            labels_given,
              const float        *Y,
              gsize               n,
              const OvTsneLabels *labels,
              int                 layer,
              double              perplexity,
              const char         *given_title,
              double              width,
              double              height,
              double              scale,
              GError            **error)
{
  g_autofree char *meta = g_strconcat (path, ".json", NULL);

  if (emb != NULL)
    {
      OvExportFormat format;
      g_autoptr(OvScatterView) view = NULL;
      g_autofree char *title = NULL;
      guint n_tags = 0;

      for (guint i = 0; i < emb->n; i++)
        n_tags += emb->modality[i] == OV_EMBED_TAG;
      if (given_title != NULL)
        title = g_strdup (given_title);
      else
        title = ov_cli_tsne_title (path, layer >= 0 ? layer : emb->layers[0], perplexity,
                                   n_tags, emb->n - n_tags);
      view = ov_embeddings_scatter_view_new (emb, Y, NULL, title);
      ov_scatter_view_set_legend (view, ov_cli_get_legend ());
      return ov_export_format_from_path (out, &format, error)
             && ov_export_view (out, format, ov_scatter_view_paint, view,
                                width > 0 ? width : OV_TSNE_PLOT_WIDTH,
                                height > 0 ? height : OV_TSNE_PLOT_HEIGHT, scale, error);
    }
  if (!labels_given && labels == NULL && !g_file_test (meta, G_FILE_TEST_IS_REGULAR))
    {
      /* an embeddings file that travelled without its metadata */
      g_autoptr(OvStateDict) sd = ov_state_dict_load (path, NULL);

      if (sd != NULL && ov_state_dict_lookup (sd, "modality") != NULL)
        g_printerr (_("oscarviz tsne: note: %s is an embeddings file of oscarviz embed, but "
                      "%s is not beside it, so its classes and which points are tags or "
                      "regions are unknown: the points are drawn alike (copy the .json and "
                      ".labels.txt files with it)\n"), path, meta);
    }
  {
    g_autofree char *base = g_path_get_basename (path);
    g_autofree char *title = NULL;

    if (given_title != NULL)
      title = g_strdup (given_title);
    else if (layer >= 0)
      /* Translators: title of the t-SNE figure of one layer of an
       * embeddings file drawn by the labels given: the file's name, the
       * hidden-state layer, the number of points, the perplexity used. */
      title = g_strdup_printf (_("t-SNE of %s, layer %d: %u points, perplexity %g"), base, layer,
                               (guint) n, perplexity);
    else
      /* Translators: title of the t-SNE figure of plain vectors: the input
       * file's name, the number of points, the perplexity used. */
      title = g_strdup_printf (_("t-SNE of %s: %u points, perplexity %g"), base, (guint) n,
                               perplexity);

    return ov_tsne_plot_write (out, Y, n, labels != NULL ? labels->ids : NULL,
                               labels != NULL ? (const char * const *) labels->names : NULL,
                               labels != NULL ? labels->n_names : 0, title,
                               ov_cli_get_legend (), width, height, scale, error);
  }
}

/* The embeddings of `oscarviz embed` behind VECTORS when its metadata is
 * beside it and matches the vectors read (drawn as `embed --tsne` draws
 * them, and their kinds written to the CSV), else NULL. */
static OvEmbeddings *
load_embeddings_beside (const char *path,
                        gboolean    labels_given,
                        gsize       n,
                        gsize       dim)
{
  g_autofree char *meta = g_strconcat (path, ".json", NULL);
  g_autoptr(GError) error = NULL;
  OvEmbeddings *emb;

  if (labels_given || !g_file_test (meta, G_FILE_TEST_IS_REGULAR))
    return NULL;
  emb = ov_embeddings_load (path, &error);
  if (emb != NULL && (emb->n != n || emb->hidden != dim))
    g_clear_pointer (&emb, ov_embeddings_free);
  /* the map is still drawn, but not as the metadata beside it says */
  if (emb == NULL)
    g_printerr (_("oscarviz tsne: warning: %s is drawn as plain vectors, without the classes, "
                  "images and layers of %s: %s\n"), path, meta,
                error != NULL ? error->message : _("it describes other vectors"));
  return emb;
}

/* --layer L: a layer number, 0 for the embedding output. */
static gboolean
parse_layer (const char  *text,
             int         *layer,
             GError     **error)
{
  gint64 value = -1;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: "--layer x: give a layer number ..." */
                   _("--layer %s: give a layer number, from 0 for the embeddings, of those the "
                     "embeddings file stores"), text);
      return FALSE;
    }
  *layer = (int) value;
  return TRUE;
}

/* --layer L of an embeddings file of `oscarviz embed`: a copy of the
 * vectors of that stored layer, and the embeddings in *emb_out. A file of
 * plain vectors (.npy, CSV, a safetensors file of `vectors` alone) has no
 * layers; a layer the file does not store is a bad value of the option,
 * and the error lists those it stores. */
static float *
load_layer (const char    *path,
            int            layer,
            OvEmbeddings **emb_out,
            GError       **error)
{
  g_autofree char *meta = g_strconcat (path, ".json", NULL);
  g_autoptr(OvEmbeddings) emb = NULL;
  const float *x;

  if (!g_file_test (meta, G_FILE_TEST_EXISTS))
    {
      g_autoptr(OvStateDict) sd = ov_file_is_tensor_container (path)
                                  ? ov_state_dict_load (path, NULL) : NULL;

      /* an embeddings file without its metadata: ov_embeddings_load says
       * that the .json is missing */
      if (sd == NULL || ov_state_dict_lookup (sd, "modality") == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: "--layer 2: x.npy holds plain vectors, which have no
                        * layers; ..." */
                       _("--layer %d: %s holds plain vectors, which have no layers; --layer "
                         "picks one of the layers an embeddings file of “oscarviz embed” "
                         "stores"), layer, path);
          return NULL;
        }
    }
  emb = ov_embeddings_load (path, error);
  if (emb == NULL)
    return NULL;
  x = ov_embeddings_get_layer (emb, layer);
  if (x == NULL)
    {
      g_autofree char *list = ov_embeddings_dup_layer_list (emb);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: "--layer 5: E.safetensors stores the layers 0, 1, 2; give
                    * one of them" */
                   ngettext ("--layer %d: %s stores layer %s alone",
                             "--layer %d: %s stores the layers %s; give one of them",
                             emb->n_layers), layer, path, list);
      return NULL;
    }
  *emb_out = g_steal_pointer (&emb);
  return g_memdup2 (x, sizeof (float) * (gsize) (*emb_out)->n * (*emb_out)->hidden);
}

int
ov_cmd_tsne (int argc, char **argv)
{
  g_autofree char *out = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *labels_path = NULL;
  g_autofree char *scale_text = NULL;
  g_autofree char *layer_text = NULL;
  g_autofree char *title = NULL;
  g_auto(GStrv) given = NULL;
  int layer = -1;
  double perplexity = 30.0, width = 0, height = 0, scale = OV_CLI_DEFAULT_SCALE;
  gint64 seed = 42;
  int threads = 0, iterations = 1000;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Figure to write (.png, .svg, .pdf)"),
      N_("FIGURE") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv,
      N_("Also write x,y[,label] rows (with kind, image, token, region and layer for an "
         "embeddings file); - for the standard output"), N_("FILE") },
    { "perplexity", 0, 0, G_OPTION_ARG_DOUBLE, &perplexity,
      N_("Perplexity (30; lowered to a third of the other points for small sets)"), N_("P") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (42)"), N_("S") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads,
      N_("Threads, 0 = all processors (the default)"), N_("N") },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, N_("Iterations (1000)"), N_("N") },
    { "labels", 0, 0, G_OPTION_ARG_FILENAME, &labels_path, N_("One label per line"),
      N_("FILE") },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &layer_text,
      N_("Layer of an embeddings file to map, 0 = embeddings (default: its first, the primary "
         "one)"), "L" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress output"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (OvTsneLabels) labels = NULL;
  g_autofree float *X = NULL;
  g_autofree float *Y = NULL;
  g_autoptr(OvEmbeddings) emb = NULL;
  g_autoptr(OvEmbeddings) layer_emb = NULL;
  g_autoptr(OvOutputSet) set = NULL;
  const char *tmp_out = NULL, *tmp_csv = NULL;
  OvTsneParams params;
  gboolean labels_given;
  Progress prog;
  gsize n = 0, dim = 0;

  ov_cli_set_command_name ("tsne");
  ctx = g_option_context_new (_("VECTORS — t-SNE of vectors (.npy, CSV or safetensors)"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  ov_cli_add_figure_size_options (ctx, &width, &height);
  ov_cli_add_scale_option (ctx, &scale_text);
  ov_cli_add_title_option (ctx, &title);
  ov_cli_add_legend_option (ctx);
  given = g_strdupv (argv);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      ov_cli_print_parse_error (ctx, "tsne", given, error);
      return 2;
    }
  /* the figure, or the map's coordinates alone */
  if (argc != 2 || (out == NULL && csv == NULL))
    {
      g_printerr (_("oscarviz tsne: give one VECTORS file and --out FIGURE, or --csv FILE for "
                    "the map's coordinates alone\n"));
      return 2;
    }
  if (iterations < 1 || iterations > 1000000)
    {
      g_printerr (_("oscarviz tsne: --iterations %d: give 1 to 1000000\n"), iterations);
      return 2;
    }
  if (seed < 0)
    {
      g_printerr (_("oscarviz tsne: --seed %lld: give 0 or more\n"), (long long) seed);
      return 2;
    }
  if (!(perplexity > 0 && perplexity <= 1000))
    {
      g_printerr (_("oscarviz tsne: --perplexity %g: give more than 0 and at most 1000\n"),
                  perplexity);
      return 2;
    }
  if (!ov_cli_check_threads (threads, &error)
      || !ov_cli_check_scale (scale_text, &scale, &error)
      || !ov_cli_check_figure_wanted ("--out", out, width, height, scale_text, title,
                                      &error)
      || !parse_layer (layer_text, &layer, &error)
      || !ov_cli_check_figure_size (width, height, &error)
      || !ov_cli_check_png_size (out, width, height, scale, &error)
      || !ov_cli_check_file_names (entries, &error))
    {
      g_printerr ("oscarviz tsne: %s\n", error->message);
      return 2;
    }
  ov_cli_fit_map_size (&width, &height);
  {
    g_autofree char *sidecar = sidecar_labels (argv[1]);
    const char *inputs[] = { argv[1], labels_path, sidecar };
    const OvCliOutput outputs[] = { { "--out", out }, { "--csv", csv } };
    OvExportFormat format;

    if (!ov_cli_check_outputs ("tsne", outputs, G_N_ELEMENTS (outputs), NULL, NULL, inputs,
                               G_N_ELEMENTS (inputs)))
      return 2;
    /* before the embedding runs, which may take minutes */
    if (out != NULL && !ov_export_format_from_path (out, &format, &error))
      {
        g_printerr ("oscarviz tsne: --out %s\n", error->message);
        return 2;
      }
  }

  X = ov_tsne_load_vectors (argv[1], &n, &dim, &labels, &error);
  if (X == NULL)
    goto fail;
  if (layer_text != NULL)
    {
      float *x = load_layer (argv[1], layer, &layer_emb, &error);

      if (x == NULL)
        goto fail;
      g_free (X);
      X = x;
      n = layer_emb->n;
      dim = layer_emb->hidden;
    }
  labels_given = labels_path != NULL;
  if (labels_path == NULL && labels == NULL)
    labels_path = sidecar_labels (argv[1]);
  if (labels_path != NULL)
    {
      g_clear_pointer (&labels, ov_tsne_labels_free);
      labels = ov_tsne_load_labels (labels_path, n, &error);
      if (labels == NULL)
        goto fail;
    }

  /* as embed --tsne does */
  perplexity = ov_cli_fit_perplexity ("tsne", perplexity, n);
  ov_tsne_params_init (&params);
  params.perplexity = perplexity;
  params.seed = (guint64) seed;
  params.n_threads = threads;
  params.n_iter = iterations;
  params.early_exag_iter = MIN (params.early_exag_iter, iterations);
  params.progress_every = 100;
  prog.t0 = g_get_monotonic_time ();
  prog.quiet = quiet;
  Y = g_new (float, 2 * n);
  if (!ov_tsne_run (X, n, dim, &params, Y, progress_cb, &prog, NULL, &error))
    {
      /* the engine knows rows and columns, not the file they came from */
      g_prefix_error (&error, "%s: ", argv[1]);
      goto fail;
    }

  if (layer_emb != NULL && !labels_given)
    emb = g_steal_pointer (&layer_emb);
  else if (layer_text == NULL)
    emb = load_embeddings_beside (argv[1], labels_given, n, dim);
  /* the layer mapped, where known: the CSV and the title name it */
  if (layer_text == NULL && emb != NULL)
    layer = emb->layers[0];
  {
    g_autofree char *sidecar = sidecar_labels (argv[1]);
    const char *inputs[] = { argv[1], labels_path, sidecar };
    const OvCliOutput outputs[] = { { "--out", out }, { "--csv", csv } };

    /* again, now that the files read are known; then both are written, or
     * neither */
    if (!ov_cli_check_outputs ("tsne", outputs, G_N_ELEMENTS (outputs), NULL, NULL, inputs,
                               G_N_ELEMENTS (inputs)))
      return 2;
  }
  set = ov_output_set_new ();
  if ((out != NULL && (tmp_out = ov_output_set_add (set, "--out", out, &error)) == NULL)
      || (csv != NULL && (tmp_csv = ov_output_set_add (set, "--csv", csv, &error)) == NULL))
    goto fail;
  if (out != NULL
      && !write_figure (tmp_out, argv[1], emb, labels_given, Y, n, labels, layer, perplexity,
                        title, width, height, scale, &error))
    goto fail;
  if (csv != NULL)
    {
      g_autofree const char **kinds = NULL, **images = NULL, **tokens = NULL;
      g_autofree const char **regions = NULL, **layers = NULL;
      g_autoptr(GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *layer_number = g_strdup_printf ("%d", layer);
      OvTsneCsvColumn columns[5];
      guint n_columns = 0;

      /* an embeddings file says what each point is: the kind, the image,
       * the token and the region (from 1), so that a point of the map
       * leads back to its image */
      if (emb != NULL)
        {
          kinds = g_new (const char *, n);
          images = g_new (const char *, n);
          tokens = g_new (const char *, n);
          regions = g_new (const char *, n);
          for (gsize i = 0; i < n; i++)
            {
              int image = emb->images[i];
              char *number = emb->regions[i] >= 0
                             ? g_strdup_printf ("%d", emb->regions[i] + 1) : NULL;

              kinds[i] = emb->modality[i] == OV_EMBED_TAG ? "tag" : "region";
              images[i] = image >= 0 && (guint) image < emb->image_keys->len
                          ? g_ptr_array_index (emb->image_keys, image) : NULL;
              tokens[i] = g_ptr_array_index (emb->tokens, i);
              regions[i] = number;
              if (number != NULL)
                g_ptr_array_add (numbers, number);
            }
          columns[n_columns++] = (OvTsneCsvColumn) { "kind", kinds };
          columns[n_columns++] = (OvTsneCsvColumn) { "image", images };
          columns[n_columns++] = (OvTsneCsvColumn) { "token", tokens };
          columns[n_columns++] = (OvTsneCsvColumn) { "region", regions };
        }
      /* and the hidden-state layer mapped, on every row */
      if (layer >= 0)
        {
          layers = g_new (const char *, MAX (n, 1));
          for (gsize i = 0; i < n; i++)
            layers[i] = layer_number;
          columns[n_columns++] = (OvTsneCsvColumn) { "layer", layers };
        }
      if (!ov_tsne_save_csv (tmp_csv, Y, n, labels, columns, n_columns, &error))
        goto fail;
    }
  if (!ov_output_set_commit (set, &error))
    goto fail;
  if (!quiet)
    ov_cli_print_wrote (out);
  if (!quiet)
    ov_cli_print_wrote (csv);
  return 0;

fail:
  if (set != NULL)
    ov_output_set_name_error (set, error);
  g_printerr ("oscarviz tsne: %s\n", error->message);
  return ov_cli_exit_status (error);
}
