/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz align VECTORS [VECTORS2]`: how well tag and region embeddings of
 * the same class line up, layer by layer (ov-align.h defines the numbers),
 * as a table or JSON on standard output and optionally as a figure.
 */
#define G_LOG_DOMAIN "ov-cmd-align"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ov-cli.h"
#include "ov-commands.h"
#include "viz/ov-align.h"
#include "viz/ov-export.h"

int
ov_cmd_align (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) given = NULL;
  g_auto(GStrv) files = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *out = NULL;
  g_autofree char *title = NULL;
  gboolean json = FALSE;
  g_autofree char *scale_text = NULL;
  g_autofree char *metric_text = NULL;
  OvAlignMetric metric = OV_ALIGN_EUCLIDEAN;
  double scale = OV_CLI_DEFAULT_SCALE, width = 0, height = 0;
  OvAlignment *models[2] = { NULL, NULL };
  g_autoptr(GHashTable) first_images = NULL;
  guint n = 0;
  int status = 1;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of a table"), NULL },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric_text,
      N_("euclidean (default: distance in the hidden space) or cosine (1 − cosine similarity, "
         "comparable across layers)"), "euclidean|cosine" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Figure: .png, .svg or .pdf"), "FILE" },
    { "name", 0, 0, G_OPTION_ARG_STRING_ARRAY, &names,
      N_("What the table, JSON and figure call a VECTORS file instead of its file name; once "
         "per file, in their order"), N_("NAME") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL,
      N_("VECTORS [VECTORS2]") },
    { NULL }
  };

  ov_cli_set_command_name ("align");
  context = g_option_context_new (_("— tag–region alignment of embeddings"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  ov_cli_add_scale_option (context, &scale_text);
  ov_cli_add_figure_size_options (context, &width, &height);
  ov_cli_add_title_option (context, &title);
  given = g_strdupv (argv);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      ov_cli_print_parse_error (context, "align", given, error);
      return 2;
    }
  if (metric_text != NULL && strcmp (metric_text, "cosine") == 0)
    metric = OV_ALIGN_COSINE;
  else if (metric_text != NULL && strcmp (metric_text, "euclidean") != 0)
    {
      g_printerr (_("oscarviz align: --metric %s: give euclidean or cosine\n"), metric_text);
      return 2;
    }
  if (!ov_cli_check_scale (scale_text, &scale, &error)
      || !ov_cli_check_figure_wanted ("--out", out, width, height, scale_text, title,
                                      &error)
      || !ov_cli_check_figure_size (width, height, &error)
      || !ov_cli_check_png_size (out, width, height, scale, &error)
      || !ov_cli_check_file_names (entries, &error))
    {
      g_printerr ("oscarviz align: %s\n", error->message);
      return 2;
    }
  if (width > 0 || height > 0)
    {
      double w = OV_ALIGN_FIGURE_WIDTH, h = OV_ALIGN_FIGURE_HEIGHT;

      ov_export_fit_size (width, height, &w, &h);
      width = w;
      height = h;
    }
  if (files == NULL || files[0] == NULL || (files[1] != NULL && files[2] != NULL))
    {
      g_printerr ("oscarviz align: %s\n", _("give one or two embeddings files"));
      return 2;
    }
  if (names != NULL && g_strv_length (names) != g_strv_length (files))
    {
      g_printerr (ngettext ("oscarviz align: --name is given %u time for %u files: give one "
                            "name per file, in their order\n",
                            "oscarviz align: --name is given %u times for %u files: give one "
                            "name per file, in their order\n", g_strv_length (names)),
                  g_strv_length (names), g_strv_length (files));
      return 2;
    }
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (*g_strstrip (names[i]) == '\0')
      {
        g_printerr (_("oscarviz align: --name %u is empty; give the text the figure shows\n"),
                    i + 1);
        return 2;
      }
  if (!ov_cli_check_output ("align", "--out", out, NULL, NULL, (const char * const *) files,
                            g_strv_length (files)))
    return 2;
  if (out != NULL)
    {
      OvExportFormat format;

      if (!ov_export_format_from_path (out, &format, &error))
        {
          g_printerr ("oscarviz align: --out %s\n", error->message);
          return 2;
        }
    }

  for (n = 0; files[n] != NULL; n++)
    {
      g_autoptr(OvEmbeddings) emb = ov_embeddings_load (files[n], &error);
      g_autofree char *label = names != NULL ? g_strdup (names[n])
                                             : g_path_get_basename (files[n]);

      if (emb == NULL
          || (models[n] = ov_align_compute_metric (emb, label, metric, &error)) == NULL)
        goto out;
      /* tags the model could not read: their distances look like numbers
       * and mean nothing ("[UNK]", BERT's unknown word, as oscarviz embed
       * writes it for a word piece its vocabulary lacks) */
      {
        guint n_tags = 0, n_unknown = ov_embeddings_count_unknown_tags (emb, "[UNK]", &n_tags);

        if (n_unknown > 0)
          g_printerr (g_dngettext (GETTEXT_PACKAGE,
                                   "oscarviz align: warning: %u of the %u tag pieces of %s is "
                                   "[UNK] (the model's vocabulary lacks its words): its "
                                   "distances say nothing about that tag\n",
                                   "oscarviz align: warning: %u of the %u tag pieces of %s are "
                                   "[UNK] (the model's vocabulary lacks their words): their "
                                   "distances say nothing about those tags\n", n_unknown),
                      n_unknown, n_tags, files[n]);
      }
      /* two models compared on other images: not what a comparison means */
      if (n == 0)
        {
          first_images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          for (guint i = 0; i < emb->image_keys->len; i++)
            g_hash_table_add (first_images, g_strdup (g_ptr_array_index (emb->image_keys, i)));
        }
      else
        {
          guint shared = 0;

          for (guint i = 0; i < emb->image_keys->len; i++)
            shared += g_hash_table_contains (first_images,
                                             g_ptr_array_index (emb->image_keys, i));
          if (shared < MAX (g_hash_table_size (first_images), emb->image_keys->len))
            g_printerr (_("oscarviz align: note: %s and %s share %u of their images (%u and "
                          "%u): the comparison is of different data, not only of two "
                          "models\n"), files[0], files[n], shared,
                        g_hash_table_size (first_images), emb->image_keys->len);
        }
    }

  if (json)
    {
      g_autoptr(JsonNode) root = ov_align_to_json (models, n);
      g_autofree char *text = json_to_string (root, TRUE);

      g_print ("%s\n", text);
    }
  else if (out == NULL)
    /* (with a figure to write, the table stays out of the way: --json
     * prints the numbers beside it) */
    for (guint m = 0; m < n; m++)
      {
        g_autofree char *table = ov_align_format_table (models[m]);

        g_print ("%s%s", m > 0 ? "\n" : "", table);
      }

  if (out != NULL)
    {
      g_autoptr(OvAlignView) view = ov_align_view_new (models, n);
      OvExportFormat format;

      if (title != NULL)
        ov_align_view_set_title (view, title);

      /* again, now that the files read are known */
      if (!ov_cli_check_output ("align", "--out", out, NULL, NULL,
                                (const char * const *) files, g_strv_length (files)))
        {
          status = 2;
          goto out;
        }
      if (!ov_export_format_from_path (out, &format, &error)
          || !ov_export_view (out, format, ov_align_view_paint, view,
                              width > 0 ? width : OV_ALIGN_FIGURE_WIDTH,
                              height > 0 ? height : OV_ALIGN_FIGURE_HEIGHT, scale, &error))
        goto out;
      if (!json)
        /* Translators: said after a file was written */
        ov_cli_print_wrote (out);
    }
  status = 0;

out:
  if (error != NULL)
    g_printerr ("oscarviz align: %s\n", error->message);
  for (guint m = 0; m < 2; m++)
    ov_alignment_free (models[m]);
  return status;
}
