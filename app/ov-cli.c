/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The options, model and sample loading, error and JSON printing that the
 * model-running subcommands share. A sample comes from the data layer's
 * files, from an Oscar .pt feature dictionary (VQA), or as ready encoder
 * inputs from a safetensors file.
 */
#define G_LOG_DOMAIN "ov-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ov-error.h"
#include "model/ov-files.h"
#include "viz/ov-draw.h"
#include "data/ov-formats.h"
#include "data/ov-demo.h"
#include "model/ov-state-dict.h"
#include "model/ov-tokenizer.h"
#include "ov-cli.h"
#include "viz/ov-export.h"
#include "viz/ov-tsne-plot.h"

void
ov_cli_set_command_name (const char *command)
{
  g_autofree char *prgname = g_strdup_printf ("oscarviz %s", command);

  g_set_prgname (prgname);   /* "Usage: oscarviz vqa [OPTION…]" */
}

gboolean
ov_cli_check_threads (gint64   n_threads,
                      GError **error)
{
  guint cores = g_get_num_processors ();
  guint most = MAX (OV_CLI_MAX_THREADS, cores);

  if (n_threads < 0 || n_threads > (gint64) most)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: "--threads 500: give 0 (all 16 processors) or 1 to 256" */
                   ngettext ("--threads %lld: give 0 (the %u processor) or 1 to %u",
                             "--threads %lld: give 0 (all %u processors) or 1 to %u", cores),
                   (long long) n_threads, cores, most);
      return FALSE;
    }
  return TRUE;
}

/* OMP_NUM_THREADS, when set, as the engine's default takes it: its first
 * number (OpenMP allows a list, one a nesting level) must be one that
 * --threads takes, or the run would ask for that many threads. */
static gboolean
check_omp_num_threads (GError **error)
{
  const char *value = g_getenv ("OMP_NUM_THREADS");
  g_autofree char *first = NULL;
  guint most = MAX (OV_CLI_MAX_THREADS, g_get_num_processors ());
  guint64 n = 0;

  /* (empty: as unset, as libgomp takes it) */
  if (value == NULL || *value == '\0')
    return TRUE;
  first = g_strstrip (g_strndup (value, strcspn (value, ",")));
  if (!g_ascii_string_to_unsigned (first, 10, 1, most, &n, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: "OMP_NUM_THREADS=0: the environment asks for ..." */
                   _("OMP_NUM_THREADS=%s: the environment asks for a number of CPU threads "
                     "from 1 to %u; set it so, unset it, or give --threads N"), value, most);
      return FALSE;
    }
  return TRUE;
}

/* Where --width and --height go: one command parses its options once a
 * process, and the main group's data differs from command to command. */
static double *figure_width, *figure_height;

/* A size in points, or with a unit as a journal's guide gives it: "3.3in",
 * "8.5 cm", "85mm", "240pt". */
static gboolean
parse_figure_size (const char  *option_name,
                   const char  *value,
                   gpointer     data,
                   GError     **error)
{
  static const struct { const char *unit; double points; } units[] = {
    { "", 1.0 }, { "pt", 1.0 }, { "in", 72.0 }, { "cm", 72.0 / 2.54 }, { "mm", 72.0 / 25.4 },
  };
  double *target = strcmp (option_name, "--height") == 0 ? figure_height : figure_width;
  char *end = NULL;
  double number;

  /* read as GLib reads a number option: C or the locale's decimal point */
  number = g_strtod (value, &end);
  if (end != value && end != NULL)
    {
      while (g_ascii_isspace (*end))
        end++;
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (g_ascii_strcasecmp (end, units[i].unit) == 0)
          {
            /* to a ten-thousandth of a point: 254mm is 720 points, not
             * 720.0000000001, which a PNG would round up to one more pixel */
            *target = round (number * units[i].points * 1e4) / 1e4;
            return TRUE;
          }
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               /* Translators: "--width 7inch: give a size in points, or with a unit:
                * 3.3in, 8.5cm, 85mm"; keep the units as they are */
               _("%s %s: give a size in points, or with a unit: 3.3in, 8.5cm, 85mm"),
               option_name, value);
  return FALSE;
}

/* The first of --font, --text-scale and --legend given, which a command
 * without a figure refuses; NULL for none. */
static const char *figure_only_option;

/* --text-scale F: the figure of a page F times smaller, enlarged: text
 * and lines F times as large */
static gboolean
parse_figure_text_scale (const char  *option_name,
                         const char  *value,
                         gpointer     data,
                         GError     **error)
{
  char *end = NULL;
  double f = value != NULL ? g_ascii_strtod (value, &end) : NAN;

  if (value == NULL || end == value || *end != '\0' || !(f >= 0.5 && f <= 4))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: "--text-scale 9: give a factor from 0.5 to 4" */
                   _("%s %s: give a factor from 0.5 to 4 (1.5 makes the text and lines half as "
                     "large again)"), option_name, value != NULL ? value : "");
      return FALSE;
    }
  ov_export_set_magnification (f);
  figure_only_option = figure_only_option != NULL ? figure_only_option : "--text-scale";
  return TRUE;
}

/* --legend of a t-SNE map */
static OvScatterLegend figure_legend = OV_SCATTER_LEGEND_RIGHT;

static gboolean
parse_figure_legend (const char  *option_name,
                     const char  *value,
                     gpointer     data,
                     GError     **error)
{
  static const char *const places[] = { "right", "below", "none" };

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    if (value != NULL && strcmp (value, places[i]) == 0)
      {
        figure_legend = (OvScatterLegend) i;
        figure_only_option = figure_only_option != NULL ? figure_only_option : "--legend";
        return TRUE;
      }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               /* Translators: "--legend left: give right, below or none" */
               _("%s %s: give right, below or none"), option_name, value != NULL ? value : "");
  return FALSE;
}

void
ov_cli_add_legend_option (GOptionContext *context)
{
  const GOptionEntry entries[] = {
    { "legend", 0, 0, G_OPTION_ARG_CALLBACK, parse_figure_legend,
      N_("Where the map's legend goes: right (default), below (columns under the map, for a "
         "narrow figure of many classes) or none"), "right|below|none" },
    { NULL }
  };

  g_return_if_fail (context != NULL);

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

OvScatterLegend
ov_cli_get_legend (void)
{
  return figure_legend;
}

void
ov_cli_fit_map_size (double *width,
                     double *height)
{
  double w = OV_TSNE_PLOT_WIDTH, h = OV_TSNE_PLOT_HEIGHT;

  /* a legend under the map wants a page as tall as it is wide */
  if (figure_legend == OV_SCATTER_LEGEND_BELOW && *height <= 0)
    {
      *width = *width > 0 ? *width : OV_TSNE_PLOT_WIDTH;
      *height = *width;
    }
  if (*width <= 0 && *height <= 0)
    return;
  ov_export_fit_size (*width, *height, &w, &h);
  *width = w;
  *height = h;
}

/* --font: the family of the figure's text, one that is installed (Pango
 * would put another in its place without a word). */
static gboolean
parse_figure_font (const char  *option_name,
                   const char  *value,
                   gpointer     data,
                   GError     **error)
{
  if (value == NULL || *value == '\0' || !ov_draw_family_exists (value))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: "--font “Tmes”: no font family of that name is installed;
                    * ..." */
                   _("%s “%s”: no font family of that name is installed; “fc-list : family” "
                     "lists those that are, and Sans, Serif and Monospace always work"),
                   option_name, value != NULL ? value : "");
      return FALSE;
    }
  ov_draw_set_family (value);
  figure_only_option = figure_only_option != NULL ? figure_only_option : "--font";
  return TRUE;
}

void
ov_cli_add_figure_size_options (GOptionContext *context,
                                double         *width,
                                double         *height)
{
  const GOptionEntry entries[] = {
    { "width", 0, 0, G_OPTION_ARG_CALLBACK, parse_figure_size,
      N_("Figure width in points, or with a unit: 3.3in, 8.5cm, 85mm"), "W" },
    { "height", 0, 0, G_OPTION_ARG_CALLBACK, parse_figure_size,
      N_("Figure height in points, or with a unit: 3.3in, 8.5cm, 85mm"), "H" },
    { "font", 0, 0, G_OPTION_ARG_CALLBACK, parse_figure_font,
      N_("Font family of the figure's text, as a paper's (such as “Liberation Serif”; "
         "default Sans)"), N_("FAMILY") },
    { "text-scale", 0, 0, G_OPTION_ARG_CALLBACK, parse_figure_text_scale,
      N_("Text and lines F times as large: the figure of a page F times smaller, enlarged "
         "(less room for labels), as a paper's column may want; default 1"), "F" },
    { NULL }
  };

  g_return_if_fail (context != NULL && width != NULL && height != NULL);

  figure_width = width;
  figure_height = height;
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

void
ov_cli_add_scale_option (GOptionContext  *context,
                         char           **scale_text)
{
  const GOptionEntry entries[] = {
    { "scale", 0, 0, G_OPTION_ARG_STRING, scale_text, N_("PNG pixels per point (default 2)"),
      "S" },
    { NULL }
  };

  g_return_if_fail (context != NULL && scale_text != NULL);

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

void
ov_cli_add_title_option (GOptionContext  *context,
                         char           **title)
{
  const GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, title,
      N_("Figure title instead of its own; \"\" for none (the plot takes its room)"),
      N_("TEXT") },
    { NULL }
  };

  g_return_if_fail (context != NULL && title != NULL);

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

gboolean
ov_cli_check_scale (const char *scale_text,
                    double     *scale,
                    GError    **error)
{
  char *end = NULL;
  double value;

  g_return_val_if_fail (scale != NULL, FALSE);

  *scale = OV_CLI_DEFAULT_SCALE;
  if (scale_text == NULL)
    return TRUE;
  /* read as GLib reads a number option: C or the locale's decimal point */
  value = g_strtod (scale_text, &end);
  /* NaN fails both bounds */
  if (*scale_text == '\0' || end == NULL || *end != '\0'
      || !(value > 0 && value <= OV_CLI_MAX_SCALE))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: "--scale 20: give more than 0 and at most 16 PNG pixels
                    * per point" */
                   _("--scale %s: give more than 0 and at most %g PNG pixels per point"),
                   scale_text, OV_CLI_MAX_SCALE);
      return FALSE;
    }
  *scale = value;
  return TRUE;
}

gboolean
ov_cli_check_figure_size (double   width,
                          double   height,
                          GError **error)
{
  const struct { const char *name; double value; } sizes[] = {
    { "--width", width }, { "--height", height },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    /* 0 = not given (the figure's own size); NaN fails both bounds */
    if (sizes[i].value != 0
        && !(sizes[i].value >= OV_CLI_MIN_FIGURE_SIZE
             && sizes[i].value <= OV_CLI_MAX_FIGURE_SIZE))
      {
        if (sizes[i].value > 0 && sizes[i].value < 50)
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: "--width 3.3: give 100 to 100000 points, or a size
                        * with its unit (3.3in, 3.3cm)" */
                       _("%s %g: give %g to %g points, or a size with its unit (%gin, %gcm)"),
                       sizes[i].name, sizes[i].value, OV_CLI_MIN_FIGURE_SIZE,
                       OV_CLI_MAX_FIGURE_SIZE, sizes[i].value, sizes[i].value);
        else
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* Translators: "--width 50: give 100 to 100000 points" */
                       _("%s %g: give %g to %g points"), sizes[i].name, sizes[i].value,
                       OV_CLI_MIN_FIGURE_SIZE, OV_CLI_MAX_FIGURE_SIZE);
        return FALSE;
      }
  return TRUE;
}

gboolean
ov_cli_check_figure_wanted (const char  *out_option,
                            const char  *out,
                            double       width,
                            double       height,
                            const char  *scale_text,
                            const char  *title,
                            GError     **error)
{
  OvExportFormat format;

  if (out == NULL
      && (width > 0 || height > 0 || scale_text != NULL || title != NULL
          || figure_only_option != NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: "--width: only with a figure to draw (--out FIGURE)" */
                   _("%s: only with a figure to draw (%s FIGURE)"),
                   width > 0 ? "--width" : height > 0 ? "--height"
                   : scale_text != NULL ? "--scale" : title != NULL ? "--title"
                   : figure_only_option, out_option);
      return FALSE;
    }
  if (out != NULL && scale_text != NULL && ov_export_format_from_path (out, &format, NULL)
      && format != OV_EXPORT_PNG)
    g_printerr (_("%s: note: --scale counts a PNG's pixels; %s is drawn in points and has "
                  "none\n"), g_get_prgname (), out);
  return TRUE;
}

gboolean
ov_cli_check_png_size (const char *out,
                       double      width,
                       double      height,
                       double      scale,
                       GError    **error)
{
  const struct { const char *name; double value; } sizes[] = {
    { "--width", width }, { "--height", height },
  };
  OvExportFormat format;

  if (out == NULL || !ov_export_format_from_path (out, &format, NULL)
      || format != OV_EXPORT_PNG)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    if (sizes[i].value * scale > OV_EXPORT_MAX_PNG_SIDE)
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     /* Translators: "--width 20000: a PNG of 40000 pixels a side at
                      * --scale 2 is beyond what can be written (32767 at most); …" */
                     _("%s %g: a PNG of %g pixels a side at --scale %g is beyond what can be "
                       "written (%d at most); give a smaller size or scale, or write .pdf or "
                       ".svg"), sizes[i].name, sizes[i].value, sizes[i].value * scale, scale,
                     OV_EXPORT_MAX_PNG_SIDE);
        return FALSE;
      }
  return TRUE;
}

gboolean
ov_cli_check_beams (int      beams,
                    GError **error)
{
  if (beams < 1 || beams > OV_CLI_MAX_BEAMS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--beams %d: give 1 (greedy search) to %d"), beams, OV_CLI_MAX_BEAMS);
      return FALSE;
    }
  return TRUE;
}

gboolean
ov_cli_check_max_length (int       max_length,
                         OvModel  *model,
                         GError  **error)
{
  int most = ov_model_max_caption_length (model);

  /* [CLS] and [SEP] at least; Oscar's --max_gen_length is a test-time
   * choice, bounded by the positions and the tag slots */
  if (max_length != 0 && (max_length < 2 || max_length > most))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--max-length %d: give 2 to %d, the longest caption %s can write "
                     "([CLS] and [SEP] included), or 0 for its max_gen_length"), max_length,
                   most, ov_model_get_path (model));
      return FALSE;
    }
  return TRUE;
}

gboolean
ov_cli_check_question (const char *question,
                       GError    **error)
{
  /* text that is not UTF-8 never gets here: the option parser refuses it
   * (ov_cli_print_parse_error names the option) */
  if (question == NULL || !g_utf8_validate (question, -1, NULL))
    return TRUE;
  /* what the tokenizer reads as anything at all runs, as words it lacks
   * ([UNK], with a warning) or as punctuation alone (with a warning); only
   * a question that gives no token is no question */
  if (ov_tokenizer_text_is_empty (question))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--question “%s”: give a question: this one is empty or only white space "
                     "(or leave the option out for the sample's own question)"), question);
      return FALSE;
    }
  return TRUE;
}

gboolean
ov_cli_check_text (const char *option,
                   const char *text,
                   GError    **error)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return TRUE;
  if (ov_tokenizer_text_is_empty (text))
    {
      /* Translators: "--text “ ”: give a text: this one is empty or only white space" */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s “%s”: give a text: this one is empty or only white space"), option,
                   text);
      return FALSE;
    }
  return TRUE;
}

gboolean
ov_cli_check_file_names (const GOptionEntry  *entries,
                         GError             **error)
{
  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    {
      const char *value;

      if (e->arg != G_OPTION_ARG_FILENAME || e->arg_data == NULL
          || strcmp (e->long_name, G_OPTION_REMAINING) == 0)
        continue;
      value = *(char **) e->arg_data;
      if (value != NULL && *value == '\0')
        {
          g_autofree char *option = g_strconcat ("--", e->long_name, NULL);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s needs a file name"), option);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
ov_cli_check_regions (const char  *list,
                      GError     **error)
{
  g_autoptr(GArray) keep = NULL;
  g_autoptr(GError) local = NULL;

  if (list == NULL)
    return TRUE;
  keep = ov_cli_parse_regions (list, &local);
  if (keep != NULL)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--regions “%s”: %s", list,
               local->message);
  return FALSE;
}

double
ov_cli_fit_perplexity (const char *command,
                       double      perplexity,
                       gsize       n)
{
  double most = MAX (1.0, (n - 1) / 3.0);

  if (n < 3 || perplexity <= most)   /* t-SNE refuses fewer than 3 points */
    return perplexity;
  if (most <= 1.0)
    /* Translators: "oscarviz tsne: note: perplexity 30 is too high for 3 points; using 1,
     * the least there is" */
    g_printerr (_("oscarviz %s: note: perplexity %g is too high for %zu points; using 1, the "
                  "least there is\n"), command, perplexity, n);
  else
    /* Translators: "oscarviz tsne: note: perplexity 100 is too high for 60 points; using
     * 19.6667, a third of the other points" */
    g_printerr (_("oscarviz %s: note: perplexity %g is too high for %zu points; using %g, a "
                  "third of the other points\n"), command, perplexity, n, most);
  return most;
}

char *
ov_cli_tsne_title (const char *path,
                   int         layer,
                   double      perplexity,
                   guint       n_tags,
                   guint       n_regions)
{
  g_autofree char *base = g_path_get_basename (path);

  /* Translators: title of the t-SNE map of an embeddings file: the file's
   * name, the hidden-state layer, the perplexity used, then how many tag
   * pieces (drawn as circles) and regions (squares) it shows. */
  return g_strdup_printf (_("t-SNE of %s, layer %d, perplexity %g; tag pieces (circles): %u, "
                            "regions (squares): %u"), base, layer, perplexity, n_tags,
                          n_regions);
}

static gboolean
same_file (const GStatBuf *a,
           const char     *path)
{
  GStatBuf b;

  return path != NULL && g_stat (path, &b) == 0 && a->st_dev == b.st_dev
         && a->st_ino == b.st_ino;
}

/* path and the files read beside it: the .lineidx of a TSV, the .json and
 * .labels.txt of an embeddings file */
static void
add_input (GPtrArray  *files,
           const char *path)
{
  static const char * const sidecars[] = { ".lineidx", ".json", ".labels.txt" };

  if (path == NULL || *path == '\0')
    return;
  g_ptr_array_add (files, g_strdup (path));
  for (gsize i = 0; i < G_N_ELEMENTS (sidecars); i++)
    g_ptr_array_add (files, g_strconcat (path, sidecars[i], NULL));
}

/* The answer list a VQA run looks for beside a data file (ov_cli_find_answers). */
static void
add_answer_lists (GPtrArray  *files,
                  const char *data_path)
{
  g_autofree char *dir = g_path_get_dirname (data_path);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);

  g_ptr_array_add (files, ov_find_answer_list (dir));
  g_ptr_array_add (files, ov_find_answer_list (cache));
}

/* The files of a dataset beyond itself: the answer lists beside it and,
 * for a split yaml, every file it names. */
static void
add_dataset (GPtrArray  *files,
             const char *path)
{
  g_autoptr(GHashTable) map = NULL;
  GHashTableIter iter;
  gpointer value;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return;
  add_answer_lists (files, path);
  if (ov_file_sniff (path, NULL) != OV_FILE_DATASET_YAML
      || (map = ov_dataset_yaml_load (path, NULL)) == NULL)
    return;
  g_hash_table_iter_init (&iter, map);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    add_input (files, value);
}

/* The files a command reads, as far as they are known before it runs:
 * inputs, the files of the sample options, those a split yaml names, the
 * .lineidx of each, the answer lists beside the data, and the files of
 * the model folder. Entries may be NULL. */
static GPtrArray *
known_inputs (const char                  *model,
              const OvSampleSourceOptions *sample,
              const char * const          *inputs,
              gsize                        n_inputs)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < n_inputs; i++)
    {
      add_input (files, inputs[i]);
      /* embed's --dataset */
      if (inputs[i] != NULL
          && (g_str_has_suffix (inputs[i], ".yaml") || g_str_has_suffix (inputs[i], ".yml")))
        add_dataset (files, inputs[i]);
    }
  if (sample != NULL)
    {
      const OvSampleSourceOptions *s = sample;
      const char *given[] = { s->dataset, s->features, s->labels, s->detections, s->image,
                              s->hw, s->class_names };

      for (gsize i = 0; i < G_N_ELEMENTS (given); i++)
        add_input (files, given[i]);
      add_dataset (files, s->dataset);
      if (s->features != NULL && g_file_test (s->features, G_FILE_TEST_IS_REGULAR))
        add_answer_lists (files, s->features);
    }
  /* every file of the checkpoint folder, a bundled model's ("demo") too */
  if (model != NULL)
    {
      g_autofree char *folder = ov_demo_resolve_model (model, NULL);
      g_autoptr(GDir) dir = folder != NULL ? g_dir_open (folder, 0, NULL) : NULL;
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, name, NULL);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (files, g_steal_pointer (&path));
        }
    }
  return files;
}

/* One output against the files read (known, and those the run has opened
 * so far); prints the message. */
static gboolean
check_output (const char *command,
              const char *option,
              const char *out,
              GPtrArray  *known)
{
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  if (out == NULL)
    return TRUE;
  if (*out == '\0')
    {
      g_printerr (_("oscarviz %s: %s needs a file name\n"), command, option);
      return FALSE;
    }
  /* "-", a pipe or a device is written into as it is (ov_files_writes_direct):
   * no file is made beside it; a descriptor must be open for writing */
  if (ov_files_writes_direct (out))
    {
      if (!ov_files_check_direct (out, &error))
        {
          g_printerr ("oscarviz %s: %s %s\n", command, option, error->message);
          return FALSE;
        }
      return TRUE;
    }
  if (g_stat (out, &st) == 0)
    {
      g_autofree char *read = NULL;
      const char *input = NULL;

      if (S_ISDIR (st.st_mode))
        {
          g_printerr (_("oscarviz %s: %s %s is a folder; give the name of a file to write\n"),
                      command, option, out);
          return FALSE;
        }
      for (guint i = 0; i < known->len && input == NULL; i++)
        if (same_file (&st, g_ptr_array_index (known, i)))
          input = g_ptr_array_index (known, i);
      if (input == NULL)
        input = read = ov_files_find_read (out);
      if (input != NULL)
        {
          g_printerr (_("oscarviz %s: %s %s is a file this command reads (%s); writing it "
                        "would destroy it\n"), command, option, out, input);
          return FALSE;
        }
    }
  /* a file made and removed again: access() passes a read-only mount or
   * /proc for root, and the run would fail only at its end; in the folder
   * of the file a link leads to, where the write goes */
  {
    g_autofree char *target = ov_files_follow_links (out);

    dir = g_path_get_dirname (target);
  }
  if (!ov_files_probe_folder (dir, &error))
    {
      g_printerr (_("oscarviz %s: %s %s: cannot write in the folder %s: %s\n"), command,
                  option, out, dir, error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
ov_cli_check_output (const char                  *command,
                     const char                  *option,
                     const char                  *out,
                     const char                  *model,
                     const OvSampleSourceOptions *sample,
                     const char * const          *inputs,
                     gsize                        n_inputs)
{
  const OvCliOutput output = { option, out };

  return ov_cli_check_outputs (command, &output, 1, model, sample, inputs, n_inputs);
}

/* Set once an output is the standard output: ov_cli_print_wrote. */
static gboolean data_on_stdout;

/* The file path names, symbolic links and "..", resolved; where it does
 * not exist yet, its folder resolved (ov_cli_check_output found it), after
 * the links that lead to it (a link to a file not written yet). */
static char *
resolve_output (const char *path)
{
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  char *real = realpath (path, NULL);

  if (real != NULL)
    {
      char *copy = g_strdup (real);

      free (real);
      return copy;
    }
  target = ov_files_follow_links (path);
  dir = g_path_get_dirname (target);
  base = g_path_get_basename (target);
  real = realpath (dir, NULL);
  if (real != NULL)
    {
      char *joined = g_build_filename (real, base, NULL);

      free (real);
      return joined;
    }
  return g_canonicalize_filename (target, NULL);
}

gboolean
ov_cli_check_outputs (const char                  *command,
                      const OvCliOutput           *outputs,
                      gsize                        n_outputs,
                      const char                  *model,
                      const OvSampleSourceOptions *sample,
                      const char * const          *inputs,
                      gsize                        n_inputs)
{
  g_autoptr(GPtrArray) resolved = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) known = known_inputs (model, sample, inputs, n_inputs);

  for (gsize i = 0; i < n_outputs; i++)
    {
      /* the standard output takes numbers alone */
      if (ov_files_is_stdout (outputs[i].path) && g_strcmp0 (outputs[i].option, "--csv") != 0
          && g_strcmp0 (outputs[i].option, "--json") != 0)
        {
          g_printerr (_("oscarviz %s: %s -: only --csv and --json write to the standard output "
                        "(-); give a file\n"), command, outputs[i].option);
          return FALSE;
        }
      if (!check_output (command, outputs[i].option, outputs[i].path, known))
        return FALSE;
      if (ov_files_is_stdout_alias (outputs[i].path))
        data_on_stdout = TRUE;
      g_ptr_array_add (resolved, outputs[i].path != NULL ? resolve_output (outputs[i].path)
                                                         : NULL);
      for (gsize j = 0; j < i; j++)
        if (ov_files_is_stdout (outputs[i].path) && ov_files_is_stdout (outputs[j].path))
          {
            g_printerr (_("oscarviz %s: %s and %s both write to the standard output (-); give "
                          "one of them a file\n"), command, outputs[j].option,
                        outputs[i].option);
            return FALSE;
          }
    }
  for (gsize i = 0; i < n_outputs; i++)
    for (gsize j = 0; j < i; j++)
      {
        const char *a = g_ptr_array_index (resolved, j);
        const char *b = g_ptr_array_index (resolved, i);
        GStatBuf st;

        /* (a pipe or device takes several outputs: /dev/null, say) */
        if (a == NULL || b == NULL || ov_files_writes_direct (outputs[i].path)
            || ov_files_writes_direct (outputs[j].path))
          continue;
        /* two names of one file (a hard link) count as the same too */
        if (strcmp (a, b) == 0 || (g_stat (a, &st) == 0 && same_file (&st, b)))
          {
            /* Translators: "--csv same.png: --out names the same file; ..." */
            g_printerr (_("oscarviz %s: %s %s: %s names the same file; give each output a "
                          "file of its own\n"), command, outputs[i].option, outputs[i].path,
                        outputs[j].option);
            return FALSE;
          }
      }
  return TRUE;
}

void
ov_cli_print_wrote (const char *path)
{
  /* the standard output holds the data itself, when an output went there,
   * and the lines that name the other files go to the standard error */
  if (path == NULL || ov_files_is_stdout (path))
    return;
  if (data_on_stdout)
    g_printerr (_("wrote %s\n"), path);
  else
    g_print (_("wrote %s\n"), path);
}

void
ov_cli_options_init (OvCliOptions *opts,
                     const char   *command)
{
  memset (opts, 0, sizeof *opts);
  opts->command = command;
  opts->n_threads = -1;   /* not given */
  opts->takes_inputs = TRUE;
  ov_sample_source_options_init (&opts->sample);
}

void
ov_cli_options_clear (OvCliOptions *opts)
{
  g_clear_pointer (&opts->model, g_free);
  g_clear_pointer (&opts->device, g_free);
  g_clear_pointer (&opts->precision, g_free);
  g_clear_pointer (&opts->inputs, g_free);
  g_clear_pointer (&opts->tags, g_free);
  g_clear_pointer (&opts->regions, g_free);
  ov_sample_source_options_clear (&opts->sample);
}

/* Option callbacks of the main group; data is the OvCliOptions. */

static gboolean
parse_device (const char *option_name,
              const char *value,
              gpointer    data,
              GError    **error)
{
  OvCliOptions *opts = data;

  if (!g_str_equal (value, "cpu") && !g_str_equal (value, "cuda")
      && !g_str_equal (value, "auto"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--device %s: give cpu, cuda or auto"), value);
      return FALSE;
    }
  g_free (opts->device);
  opts->device = g_strdup (value);
  return TRUE;
}

static gboolean
parse_precision (const char *option_name,
                 const char *value,
                 gpointer    data,
                 GError    **error)
{
  OvCliOptions *opts = data;

  if (!g_str_equal (value, "exact") && !g_str_equal (value, "fast"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--precision %s: give exact or fast"), value);
      return FALSE;
    }
  g_free (opts->precision);
  opts->precision = g_strdup (value);
  return TRUE;
}

static gboolean
parse_threads (const char *option_name,
               const char *value,
               gpointer    data,
               GError    **error)
{
  OvCliOptions *opts = data;
  char *end = NULL;
  gint64 n = g_ascii_strtoll (value, &end, 10);

  if (end == value || *end != '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--threads %s: give a whole number (0 = all processors)"), value);
      return FALSE;
    }
  if (!ov_cli_check_threads (n, error))
    return FALSE;
  opts->n_threads = (int) n;
  return TRUE;
}

void
ov_cli_add_sample_options (GOptionContext        *context,
                           OvSampleSourceOptions *sample)
{
  g_option_context_add_group (context, ov_sample_source_option_group (sample));
  g_option_context_set_description (context,
                                    _("The sample: --dataset FILE (a split yaml, any one "
                                      "dataset file, or “demo” for the bundled scenes), or "
                                      "--features FILE with --labels FILE, or --image FILE "
                                      "with --detections FILE; --key KEY or --row N picks the "
                                      "image. --help-sample lists these options."));
}

/* After the parse of the main group: the model options that cannot be
 * empty (the other values were checked as they were parsed). */
static gboolean
check_model_options (GOptionContext *context,
                     GOptionGroup   *group,
                     gpointer        data,
                     GError        **error)
{
  OvCliOptions *opts = data;

  if (opts->model != NULL && *opts->model == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("no model: give --model DIR (a checkpoint folder) or --model demo"));
      return FALSE;
    }
  if (opts->inputs != NULL && *opts->inputs == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("%s needs a file name"),
                   "--inputs");
      return FALSE;
    }
  return TRUE;
}

GOptionContext *
ov_cli_context_new (OvCliOptions       *opts,
                    const char         *parameter_string,
                    const GOptionEntry *entries)
{
  const GOptionEntry model_entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opts->model,
      N_("Checkpoint folder, or a bundled model: demo, demo-vqa, demo-pretrain, demo-notags"),
      N_("DIR") },
    { "device", 0, 0, G_OPTION_ARG_CALLBACK, parse_device,
      N_("Where to run: cpu, cuda or auto (default)"), "cpu|cuda|auto" },
    { "precision", 0, 0, G_OPTION_ARG_CALLBACK, parse_precision,
      N_("exact (fp32, default) or fast (TF32 products where the device has them)"),
      "exact|fast" },
    { "threads", 0, 0, G_OPTION_ARG_CALLBACK, parse_threads,
      N_("CPU threads, 0 = all processors (default: OMP_NUM_THREADS when set, else all "
         "processors)"), "N" },
    { NULL }
  };
  GOptionContext *context = g_option_context_new (parameter_string);
  GOptionGroup *main_group = g_option_group_new (NULL, NULL, NULL, opts, NULL);

  ov_cli_set_command_name (opts->command);
  g_option_group_set_translation_domain (main_group, GETTEXT_PACKAGE);
  g_option_group_add_entries (main_group, model_entries);
  g_option_group_set_parse_hooks (main_group, NULL, check_model_options);
  if (entries != NULL)
    g_option_group_add_entries (main_group, entries);
  g_option_context_set_main_group (context, main_group);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
}

void
ov_cli_printerr (const char *format,
                      ...)
{
  g_autofree char *text = NULL;
  va_list ap;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_printerr ("%s: %s", g_get_prgname () != NULL ? g_get_prgname () : "oscarviz", text);
}

gsize
ov_cli_edit_distance (const char *a,
                      const char *b)
{
  gsize la = strlen (a), lb = strlen (b), w = lb + 1;
  /* three rows of the table: i - 2, i - 1 and i */
  g_autofree gsize *d = g_new (gsize, 3 * w);

  for (gsize i = 0; i <= la; i++)
    {
      gsize *row = d + (i % 3) * w, *up = d + ((i + 2) % 3) * w, *up2 = d + ((i + 1) % 3) * w;

      for (gsize j = 0; j <= lb; j++)
        {
          if (i == 0 || j == 0)
            {
              row[j] = i + j;
              continue;
            }
          row[j] = MIN (MIN (up[j] + 1, row[j - 1] + 1),
                        up[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
          /* two letters swapped count as one edit ("veiw") */
          if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
            row[j] = MIN (row[j], up2[j - 2] + 1);
        }
    }
  return d[(la % 3) * w + lb];
}

const char *
ov_cli_nearest (const char         *word,
                const char *const  *names,
                gsize               n_names,
                gboolean            within_half)
{
  const char *best = NULL;
  gsize best_distance = 3;   /* close names only: two edits at most */

  for (gsize i = 0; i < n_names; i++)
    {
      gsize d = ov_cli_edit_distance (word, names[i]);

      if (d > 0 && d < best_distance && (!within_half || 2 * d < strlen (names[i])))
        best = names[i], best_distance = d;
    }
  return best;
}

/* The long options the context knows ("--model"), read from its help of
 * every group. */
static GPtrArray *
context_long_options (GOptionContext *context)
{
  g_autofree char *help = g_option_context_get_help (context, FALSE, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (const char *p = strstr (help, "--"); p != NULL; p = strstr (p + 2, "--"))
    {
      gsize n = 2;

      if (p > help && !g_ascii_isspace (p[-1]) && p[-1] != ',')
        continue;
      while (g_ascii_isalnum (p[n]) || p[n] == '-')
        n++;
      if (n > 2)
        g_ptr_array_add (names, g_strndup (p, n));
    }
  return names;
}

/* The first long option in argv that the context does not know ("--modle"
 * of "--modle=demo"), or NULL. */
static char *
find_unknown_option (GPtrArray    *known,
                     char * const *argv)
{
  for (guint i = 1; argv[i] != NULL; i++)
    {
      const char *eq = strchr (argv[i], '=');
      g_autofree char *name = NULL;
      gboolean found = FALSE;

      if (strcmp (argv[i], "--") == 0)
        break;
      if (!g_str_has_prefix (argv[i], "--"))
        continue;
      name = eq != NULL ? g_strndup (argv[i], eq - argv[i]) : g_strdup (argv[i]);
      for (guint k = 0; k < known->len && !found; k++)
        found = strcmp (name, g_ptr_array_index (known, k)) == 0;
      if (!found)
        return g_steal_pointer (&name);
    }
  return NULL;
}

void
ov_cli_print_parse_error (GOptionContext *context,
                          const char     *command,
                          char * const   *argv,
                          const GError   *error)
{
  if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION) && argv != NULL
      && context != NULL)
    {
      g_autoptr(GPtrArray) known = context_long_options (context);
      g_autofree char *unknown = find_unknown_option (known, argv);
      const char *best = NULL;
      gsize best_distance = 0;

      for (guint k = 0; unknown != NULL && k < known->len; k++)
        {
          const char *name = g_ptr_array_index (known, k);
          gsize d = ov_cli_edit_distance (unknown + 2, name + 2);

          /* close names only: two edits at most, and fewer than half the word */
          if (d <= 2 && 2 * d < strlen (name + 2) && (best == NULL || d < best_distance))
            best = name, best_distance = d;
        }
      if (unknown != NULL && best != NULL)
        {
          /* Translators: an option mistyped on the command line; the
           * last %s is the command's option nearest to it. */
          g_printerr (_("oscarviz %s: unknown option %s; did you mean %s?\n"), command, unknown,
                      best);
          return;
        }
      if (unknown != NULL)
        {
          g_printerr (_("oscarviz %s: unknown option %s (“oscarviz %s --help” lists the "
                        "options)\n"), command, unknown, command);
          return;
        }
    }
  /* GOption's conversion error does not say which value it could not
   * read: find the text option whose value is not UTF-8 */
  if (error->domain == G_CONVERT_ERROR && argv != NULL)
    for (guint i = 1; argv[i] != NULL; i++)
      {
        const char *eq = strchr (argv[i], '=');
        g_autofree char *option = NULL;

        if (g_str_has_prefix (argv[i], "--") && eq != NULL
            && !g_utf8_validate (eq + 1, -1, NULL))
          option = g_strndup (argv[i], eq - argv[i]);
        else if (!g_utf8_validate (argv[i], -1, NULL) && i > 1 && argv[i - 1][0] == '-')
          option = g_strdup (argv[i - 1]);
        if (option != NULL)
          {
            g_printerr (_("oscarviz %s: %s: the text is not valid UTF-8 (%s)\n"), command,
                        option, error->message);
            return;
          }
      }
  g_printerr ("oscarviz %s: %s\n", command, error->message);
}

static gboolean
has_sample_files (const OvSampleSourceOptions *so)
{
  return so->features != NULL || so->labels != NULL || so->detections != NULL
         || so->image != NULL || so->dataset != NULL || so->hw != NULL;
}

/* "no sample given", listing the ways to give one (--inputs where the
 * command takes it). */
static void
set_no_sample_error (GError **error,
                     GQuark   domain,
                     int      code,
                     gboolean takes_inputs)
{
  if (takes_inputs)
    g_set_error (error, domain, code,
                 _("no sample given: add --dataset FILE (--dataset demo for the bundled "
                   "scenes), --features FILE [--labels FILE], --image FILE --detections "
                   "FILE, or --inputs FILE.safetensors"));
  else
    g_set_error (error, domain, code,
                 _("no sample given: add --dataset FILE (--dataset demo for the bundled "
                   "scenes), --features FILE [--labels FILE], or --image FILE --detections "
                   "FILE"));
}

/* The sample options: --inputs alone, or sample files with --key, --row,
 * --tags and --regions as needed. */
static gboolean
check_sample_given (const OvCliOptions  *opts,
                    GError             **error)
{
  const OvSampleSourceOptions *so = &opts->sample;

  if (opts->inputs != NULL)
    {
      if (has_sample_files (so) || opts->tags != NULL || opts->regions != NULL
          || so->key != NULL || so->row >= 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--inputs holds the whole input; do not add sample files, --key, "
                         "--row, --tags or --regions"));
          return FALSE;
        }
      return TRUE;
    }
  if (has_sample_files (so))
    return TRUE;
  set_no_sample_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, opts->takes_inputs);
  return FALSE;
}

gboolean
ov_cli_parse (OvCliOptions       *opts,
              const char         *parameter_string,
              const GOptionEntry *entries,
              int                *argc,
              char             ***argv)
{
  const GOptionEntry common[] = {
    { "tags", 0, 0, G_OPTION_ARG_STRING, &opts->tags,
      N_("Object tags to use instead of those of the label file"), N_("TEXT") },
    { "regions", 0, 0, G_OPTION_ARG_STRING, &opts->regions,
      N_("Only these regions, numbered from 1 as the window numbers them (e.g. 2-5,7); "
         "with --tags this gives the input of a window whose rows are switched off"),
      N_("LIST") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json,
      N_("Print one JSON document instead of text"), NULL },
    { NULL }
  };
  const GOptionEntry inputs[] = {
    { "inputs", 0, 0, G_OPTION_ARG_FILENAME, &opts->inputs,
      N_("Run exactly these encoder inputs (input_ids, token_type_ids, attention_mask, "
         "img_feats, optional position_ids; or a file “oscarviz encode” wrote) instead of "
         "a sample"), N_("FILE.safetensors") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = ov_cli_context_new (opts, parameter_string, common);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) given = g_strdupv (*argv);

  if (opts->takes_inputs)
    g_option_context_add_main_entries (context, inputs, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  ov_cli_add_sample_options (context, &opts->sample);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      ov_cli_print_parse_error (context, opts->command, given, error);
      return FALSE;
    }
  if (*argc > 1)
    {
      ov_cli_unexpected_argument (opts->command, (*argv)[1], opts->model != NULL);
      return FALSE;
    }
  /* every command parsed here runs a model: a missing --model is a usage
   * error (status 2), found before any file is read */
  if (opts->model == NULL)
    {
      g_printerr ("oscarviz %s: %s\n", opts->command,
                  _("no model: give --model DIR (a checkpoint folder) or --model demo"));
      return FALSE;
    }
  /* the other usage errors, found before the model loads */
  if (!ov_cli_check_file_names (entries, &error) || !ov_cli_check_regions (opts->regions, &error)
      || !check_sample_given (opts, &error))
    {
      g_printerr ("oscarviz %s: %s\n", opts->command, error->message);
      return FALSE;
    }
  return TRUE;
}

int
ov_cli_fail (OvCliOptions *opts,
             const GError *error)
{
  g_printerr ("oscarviz %s: %s\n", opts->command, error->message);
  return ov_cli_exit_status (error);
}

int
ov_cli_exit_status (const GError *error)
{
  /* a bad option value found only once the files were read */
  return error != NULL && error->domain == G_OPTION_ERROR ? 2 : 1;
}

void
ov_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

void
ov_cli_json_add_number (JsonBuilder *builder,
                        double       value)
{
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* The words, separated by spaces. */
static char *
join_words (GPtrArray *words)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < words->len; i++)
    g_string_append_printf (list, "%s%s", i > 0 ? " " : "",
                            (const char *) g_ptr_array_index (words, i));
  return g_string_free (list, FALSE);
}

/* Tag words that the model's vocabulary lacks read as [UNK]: a detector's
 * classes that the checkpoint was not trained on (the demo model knows only
 * its own world's shapes) tell the model nothing, which is said. */
GPtrArray *
ov_cli_note_unknown_tags (OvModel    *model,
                          const char *tags,
                          guint      *n_words)
{
  g_autofree char *list = NULL;
  GPtrArray *unknown;
  guint n_unknown, n = 0;

  if (n_words != NULL)
    *n_words = 0;
  if (tags == NULL || *tags == '\0' || !ov_model_reads_tags (model))
    return NULL;
  unknown = ov_tokenizer_unknown_distinct_words (ov_model_get_tokenizer (model), tags, &n);
  if (n_words != NULL)
    *n_words = n;
  n_unknown = unknown->len;
  if (n_unknown == 0)
    return unknown;
  if (n_unknown == n)
    {
      ov_cli_printerr (ngettext ("warning: the vocabulary of %s lacks the tag word; the model "
                                 "reads only [UNK] for it, so the tag tells it nothing\n",
                                 "warning: the vocabulary of %s lacks all %u tag words; the "
                                 "model reads only [UNK] for them, so the tags tell it nothing\n",
                                 n_unknown), ov_model_get_path (model), n_unknown);
      return unknown;
    }
  list = join_words (unknown);
  ov_cli_printerr (ngettext ("note: %u of the %u tag words is not in the vocabulary of %s and "
                             "reads as [UNK]: %s\n",
                             "note: %u of the %u tag words are not in the vocabulary of %s and "
                             "read as [UNK]: %s\n", n_unknown),
                   n_unknown, n, ov_model_get_path (model), list);
  return unknown;
}

/* Members count_name (n_words) and list_name (the unknown words). */
static void
unknown_words_to_json (JsonBuilder     *b,
                       const char      *count_name,
                       guint            n_words,
                       const char      *list_name,
                       const GPtrArray *unknown)
{
  json_builder_set_member_name (b, count_name);
  json_builder_add_int_value (b, n_words);
  json_builder_set_member_name (b, list_name);
  json_builder_begin_array (b);
  for (guint i = 0; i < unknown->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (unknown, i));
  json_builder_end_array (b);
}

void
ov_cli_unknown_tags_to_json (const OvCliSample *sample,
                             JsonBuilder       *b)
{
  if (sample->unknown_tags != NULL)
    unknown_words_to_json (b, "tag_words", sample->n_tag_words, "unknown_tag_words",
                           sample->unknown_tags);
}

GArray *
ov_cli_parse_regions (const char *list, GError **error)
{
  g_autoptr(GArray) keep = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) items = g_strsplit (list, ",", -1);

  /* the window's "no regions": the tags alone */
  if (items[0] != NULL && items[1] == NULL
      && g_ascii_strcasecmp (g_strstrip (items[0]), "none") == 0)
    return g_steal_pointer (&keep);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) ends = g_strsplit (g_strstrip (items[i]), "-", 3);
      guint64 lo = 0, hi = 0;

      if (ends[0] != NULL && ends[1] != NULL && ends[2] == NULL
          && g_ascii_string_to_unsigned (g_strstrip (ends[0]), 10, 1, G_MAXINT, &lo, NULL)
          && g_ascii_string_to_unsigned (g_strstrip (ends[1]), 10, 1, G_MAXINT, &hi, NULL)
          && hi < lo)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _("the range %u-%u runs backwards; write %u-%u"), (guint) lo, (guint) hi,
                       (guint) hi, (guint) lo);
          return NULL;
        }
      if (ends[0] == NULL
          || !g_ascii_string_to_unsigned (g_strstrip (ends[0]), 10, 1, G_MAXINT, &lo, NULL)
          || (ends[1] != NULL
              && !g_ascii_string_to_unsigned (g_strstrip (ends[1]), 10, 1, G_MAXINT, &hi, NULL))
          || (ends[1] != NULL && ends[2] != NULL))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _("give region numbers from 1 and ranges joined by commas, such as "
                         "2-5,7, or none"));
          return NULL;
        }
      if (ends[1] == NULL)
        hi = lo;
      for (guint64 r = lo; r <= hi; r++)
        {
          guint row = (guint) r - 1;

          for (guint j = 0; j < keep->len; j++)
            if (g_array_index (keep, guint, j) == row)
              {
                g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                             _("region %u is named twice"), row + 1);
                return NULL;
              }
          if (keep->len >= 4096)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                           _("more regions than any image has"));
              return NULL;
            }
          g_array_append_val (keep, row);
        }
    }
  if (keep->len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _("give region numbers from 1 and ranges joined by commas, such as 2-5,7, "
                     "or none"));
      return NULL;
    }
  return g_steal_pointer (&keep);
}

/* Whether text is NULL or gives the tokenizer no token (only white space,
 * control characters or non-spacing marks). */
static gboolean
is_blank (const char *text)
{
  return text == NULL || ov_tokenizer_text_is_empty (text);
}

void
ov_cli_print_warnings (OvModel     *model,
                       OvCliSample *sample)
{
  const char *const *warnings = model != NULL ? ov_model_get_warnings (model) : NULL;

  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    ov_cli_printerr (_("warning: %s\n"), warnings[i]);
  if (sample != NULL && sample->sample != NULL)
    for (guint i = 0; i < sample->sample->warnings->len; i++)
      ov_cli_printerr (_("warning: %s\n"),
                       (char *) g_ptr_array_index (sample->sample->warnings, i));
  if (model != NULL && sample != NULL)
    {
      g_clear_pointer (&sample->unknown_tags, g_ptr_array_unref);
      sample->unknown_tags = ov_cli_note_unknown_tags (model, sample->tags, &sample->n_tag_words);
    }
  /* a feature file alone gives no tags, and nothing else would say so */
  if (model != NULL && sample != NULL && sample->sample != NULL && ov_model_reads_tags (model)
      && is_blank (sample->tags))
    {
      if (sample->tags_given)
        ov_cli_printerr (_("note: the tags that --tags gives are empty, so %s reads no tags for "
                           "image “%s”, though it was trained with tags and reads them beside the "
                           "regions; name some, or leave --tags out for those of the sample's "
                           "files\n"), ov_model_get_path (model), sample->sample->key);
      else
        ov_cli_printerr (_("note: image “%s” gives the model no tags (its files name no classes), "
                           "but %s was trained with tags and reads them beside the regions; give "
                           "--labels FILE or --tags TEXT\n"), sample->sample->key,
                         ov_model_get_path (model));
    }
}

void
ov_cli_note_input_kept (OvModel     *model,
                        OvTask       task,
                        const char  *text,
                        OvCliSample *sample)
{
  if (model == NULL || sample == NULL || sample->sample == NULL)
    return;
  ov_cli_note_kept (model, task, text, sample->tags, &sample->regions);
}

void
ov_cli_note_kept (OvModel         *model,
                  OvTask           task,
                  const char      *text,
                  const char      *tags,
                  const OvRegions *regions)
{
  OvInputKept kept;

  if (model == NULL
      || !ov_model_count_input_kept (model, task, text, tags, regions, &kept, NULL))
    return;
  if (kept.tag_pieces_kept < kept.tag_pieces)
    ov_cli_printerr (_("note: %s reads %d of the %d word pieces of the tags; the rest do not fit "
                       "its text slots and are left out, as Oscar leaves them out\n"),
                     ov_model_get_path (model), kept.tag_pieces_kept, kept.tag_pieces);
  if (kept.text_pieces_kept < kept.text_pieces)
    ov_cli_printerr (_("note: %s reads %d of the %d word pieces of the %s; the rest do not fit its "
                       "max_seq_length and are left out, as Oscar leaves them out\n"),
                     ov_model_get_path (model), kept.text_pieces_kept, kept.text_pieces,
                     task == OV_TASK_VQA ? _("question") : _("text"));
  if (kept.regions_kept < kept.regions)
    ov_cli_printerr (_("note: %s reads the first %d of the %d regions (its max_img_seq_length); "
                       "the rest are left out, as Oscar leaves them out\n"),
                     ov_model_get_path (model), kept.regions_kept, kept.regions);
}

/* Adds "file: " in front of a message that does not name the file yet. */
static void
name_file (GError    **error,
           const char *path)
{
  if (error != NULL && *error != NULL && path != NULL && strstr ((*error)->message, path) == NULL)
    g_prefix_error (error, "%s: ", path);
}

void
ov_cli_regions_error (GError     **error,
                      const char  *list)
{
  g_autoptr(GError) local = NULL;

  if (error == NULL || *error == NULL)
    return;
  /* a region the sample does not have: the value is wrong, not the file */
  local = g_steal_pointer (error);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--regions “%s”: %s", list,
               local->message);
}

/* Model --------------------------------------------------------------------- */

/* A --model that is no folder but a near miss of a bundled model's name
 * ("dmeo"): the error says which was meant. */
static void
suggest_bundled_model (const char  *name,
                       GError     **error)
{
  const char *const *names = ov_demo_model_names ();
  const char *best;

  if (name == NULL || error == NULL || *error == NULL
      || !g_error_matches (*error, OV_ERROR, OV_ERROR_MISSING)
      || g_file_test (name, G_FILE_TEST_EXISTS))
    return;
  best = ov_cli_nearest (name, names, g_strv_length ((char **) names), FALSE);
  if (best != NULL)
    {
      g_autofree char *message = (*error)->message;

      /* Translators: appended to "--model dmeo: no such checkpoint
       * folder, nor a bundled model (...)"; %s is the bundled model's name */
      (*error)->message = g_strdup_printf (_("%s; did you mean %s?"), message, best);
    }
}

void
ov_cli_unexpected_argument (const char *command,
                            const char *arg,
                            gboolean    model_given)
{
  /* "caption demo": a bundled model's name where an option's value goes;
   * with --model given, "demo" can only be the scenes */
  if (model_given && strcmp (arg, "demo") == 0)
    /* Translators: "oscarviz caption --model demo demo" */
    g_printerr (_("oscarviz %s: unexpected argument “%s”: give it as --dataset %s for the "
                  "bundled scenes\n"), command, arg, arg);
  else if (g_strv_contains (ov_demo_model_names (), arg))
    g_printerr (strcmp (arg, "demo") == 0
                /* Translators: "oscarviz caption demo" */
                ? _("oscarviz %s: unexpected argument “%s”: name what it is, --model %s for "
                    "the model or --dataset %s for the scenes\n")
                : _("oscarviz %s: unexpected argument “%s”: give it as --model %s\n"),
                command, arg, arg, arg);
  else if (g_file_test (arg, G_FILE_TEST_EXISTS))
    /* Translators: a file given without the option that says what it is */
    g_printerr (_("oscarviz %s: unexpected argument “%s”: files are given with the option that "
                  "says what they are, such as --dataset %s (“oscarviz %s --help” lists "
                  "them)\n"), command, arg, arg, command);
  else
    g_printerr (_("oscarviz %s: unexpected argument “%s” (“oscarviz %s --help” lists the "
                  "options)\n"), command, arg, command);
}

OvModel *
ov_cli_load_model (OvCliOptions *opts,
                   OvTask        task,
                   GError      **error)
{
  g_autofree char *dir = NULL;
  g_autoptr(OvModel) model = NULL;
  OvModelOptions mo;

  /* The values were checked while parsing. */
  ov_model_options_init (&mo);
  mo.device = g_strcmp0 (opts->device, "cpu") == 0 ? OV_DEVICE_CPU
              : g_strcmp0 (opts->device, "cuda") == 0 ? OV_DEVICE_CUDA : OV_DEVICE_AUTO;
  mo.precision = g_strcmp0 (opts->precision, "fast") == 0 ? OV_PRECISION_FAST
                                                          : OV_PRECISION_EXACT;
  /* --threads 0 is every processor, whatever OMP_NUM_THREADS says; the
   * engine's own default (0 there) follows OMP_NUM_THREADS. */
  if (opts->n_threads == 0)
    mo.n_threads = (int) g_get_num_processors ();
  else if (opts->n_threads > 0)
    mo.n_threads = opts->n_threads;
  else if (!check_omp_num_threads (error))
    return NULL;

  dir = ov_demo_resolve_model (opts->model, error);
  if (dir == NULL)
    {
      suggest_bundled_model (opts->model, error);
      return NULL;
    }
  model = ov_model_load (dir, &mo, error);
  if (model == NULL)
    {
      name_file (error, dir);
      return NULL;
    }
  if (!ov_model_supports (model, task, error))
    return NULL;
  return g_steal_pointer (&model);
}

/* Sample -------------------------------------------------------------------- */

void
ov_cli_sample_free (OvCliSample *sample)
{
  if (sample == NULL)
    return;
  g_clear_pointer (&sample->sample, ov_sample_free);
  g_clear_pointer (&sample->encoding, ov_encoding_free);
  g_clear_pointer (&sample->unknown_tags, g_ptr_array_unref);
  g_free (sample->source);
  g_free (sample->tags);
  g_free (sample);
}

/* --features FILE.pt (or .safetensors): a dict image id -> float tensor
 * (N, D). The image is the one the other files name, else --key / --row
 * into the dict. Rows as wide as the model's img_feature_dim are taken as
 * they are; 2048-wide ones get the box values from the detections. */
static OvSample *
load_tensor_features (const OvSampleSourceOptions *so,
                      int                          model_dim,
                      GError                     **error)
{
  g_autoptr(OvStateDict) sd = ov_state_dict_load (so->features, error);
  g_autoptr(OvSample) sample = NULL;
  g_autofree char *where = NULL;
  const OvTensor *t;
  gboolean as_stored;

  if (sd == NULL)
    {
      name_file (error, so->features);
      return NULL;
    }
  if (!ov_feature_dict_check (sd, error))
    return NULL;
  if (so->labels != NULL || so->detections != NULL || so->dataset != NULL || so->hw != NULL
      || so->image != NULL)
    {
      OvSampleSourceOptions rest = *so;

      /* the features are these, not any found beside a VQA json */
      rest.features = NULL;
      rest.no_features = TRUE;
      sample = ov_sample_source_load (&rest, NULL, error);
      if (sample == NULL)
        return NULL;
      t = ov_state_dict_lookup (sd, sample->key);
      if (t == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                       _("%s has no features for image “%s”"), so->features, sample->key);
          return NULL;
        }
    }
  else
    {
      guint n = ov_state_dict_get_n_tensors (sd);

      if (so->key != NULL && so->row >= 0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _("Give either --key or --row, not both"));
          return NULL;
        }
      if (so->key != NULL)
        {
          t = ov_state_dict_lookup (sd, so->key);
          if (t == NULL)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                           _("%s has no image “%s”"), so->features, so->key);
              return NULL;
            }
        }
      else if (so->row >= (gint64) n || n == 0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                       ngettext ("%s holds %u image; there is no row %lld",
                                 "%s holds %u images; there is no row %lld", n),
                       so->features, n, (long long) MAX (so->row, 0));
          return NULL;
        }
      else
        t = ov_state_dict_get_nth (sd, so->row >= 0 ? (guint) so->row : 0);
      sample = ov_sample_new (t->name);
    }

  where = g_strdup_printf ("%s, image “%s”", so->features, t->name);
  if (!ov_parse_features_tensor (sample, t, where, error))
    return NULL;
  /* Rows as wide as the model's own width are taken as they are (a model
   * with img_feature_dim 2048 reads appearance rows alone, as run_vqa feeds
   * its *_obj_feats.pt). */
  as_stored = sample->feature_dim == (guint) model_dim;
  if (!as_stored && !ov_sample_build_region_vectors (sample, error))
    {
      name_file (error, so->features);
      return NULL;
    }
  if (sample->tags == NULL)
    sample->tags = ov_sample_dup_tag_string (sample);
  return g_steal_pointer (&sample);
}

/* Whether a message already names one of the sample's files. */
static gboolean
names_any_file (const GError                *error,
                const OvSampleSourceOptions *so)
{
  const char *files[] = { so->features, so->labels, so->detections, so->image, so->dataset,
                          so->hw, so->class_names };

  for (guint i = 0; error != NULL && i < G_N_ELEMENTS (files); i++)
    if (files[i] != NULL && strstr (error->message, files[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* The file that names the sample, for messages. */
static const char *
sample_source (const OvSampleSourceOptions *so)
{
  if (so->dataset != NULL)
    return so->dataset;
  if (so->features != NULL)
    return so->features;
  if (so->labels != NULL)
    return so->labels;
  if (so->detections != NULL)
    return so->detections;
  if (so->hw != NULL)
    return so->hw;
  return so->image;
}

gboolean
ov_cli_check_class_names (const OvSample *sample,
                          const char     *source,
                          gboolean        tags_given,
                          GError        **error)
{
  if (!sample->classes_unnamed || tags_given)
    return TRUE;
  g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
               _("%s: image “%s”: the classes are numeric ids without names, and the model "
                 "would read placeholders for tags; give --class-names FILE, the names the "
                 "ids count in (for an LXMERT TSV the 1600 Visual Genome object classes, "
                 "objects_vocab.txt), or the tags with --tags TEXT"), source, sample->key);
  return FALSE;
}

OvCliSample *
ov_cli_load_sample (OvCliOptions *opts,
                    OvModel      *model,
                    GError      **error)
{
  const OvSampleSourceOptions *so = &opts->sample;
  g_autoptr(OvCliSample) out = g_new0 (OvCliSample, 1);
  gboolean has_sample = so->features != NULL || so->labels != NULL || so->detections != NULL
                        || so->image != NULL || so->dataset != NULL || so->hw != NULL;

  if (opts->inputs != NULL)
    {
      if (has_sample || opts->tags != NULL || opts->regions != NULL || so->key != NULL
          || so->row >= 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--inputs holds the whole input; do not add sample files, --key, "
                         "--row, --tags or --regions"));
          return NULL;
        }
      out->source = g_strdup (opts->inputs);
      out->encoding = ov_cli_inputs_load (opts->inputs, model, error);
      if (out->encoding == NULL)
        return NULL;
      return g_steal_pointer (&out);
    }

  if (!has_sample)
    {
      set_no_sample_error (error, OV_ERROR, OV_ERROR_MISSING, opts->takes_inputs);
      return NULL;
    }
  /* --dataset demo: the bundled scenes, named by their file in messages */
  if (so->dataset != NULL)
    {
      char *file = ov_demo_resolve_dataset (so->dataset, error);

      if (file == NULL)
        return NULL;
      g_free (opts->sample.dataset);
      opts->sample.dataset = file;
    }
  out->source = g_strdup (sample_source (so));
  if (so->features != NULL && ov_file_is_tensor_container (so->features))
    out->sample = load_tensor_features (so, ov_model_get_config (model)->img_feature_dim, error);
  else
    {
      out->sample = ov_sample_source_load (so, NULL, error);
      if (out->sample == NULL && !names_any_file (*error, so))
        name_file (error, out->source);
    }
  if (out->sample == NULL)
    return NULL;

  if (!ov_cli_check_class_names (out->sample, out->source, opts->tags != NULL, error))
    return NULL;
  out->tags = g_strdup (opts->tags != NULL ? opts->tags
                        : out->sample->tags != NULL ? out->sample->tags : "");
  out->tags_given = opts->tags != NULL;
  /* tags alone only for a sample that has no features to begin with: one
   * whose features were looked for and not found says why, and stops */
  if (out->sample->features == NULL
      && (is_blank (out->tags) || opts->regions != NULL || out->sample->features_missing))
    {
      /* the data layer's notes say what was looked for (a VQA json's .pt) */
      g_autoptr(GString) why = g_string_new (NULL);

      for (guint i = 0; i < out->sample->warnings->len; i++)
        g_string_append_printf (why, "\n  %s", (char *) g_ptr_array_index (out->sample->warnings,
                                                                           i));
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _("%s: image “%s” has no region features; give --features (the model "
                     "reads region feature vectors, not pixels)%s"), out->source,
                   out->sample->key, why->str);
      return NULL;
    }
  if (out->sample->features == NULL)
    {
      /* as the window runs such a sample: on its tags alone */
      ov_cli_printerr (_("note: image “%s” has no region features, so the model sees only its "
                         "tags, not its regions (the boxes alone are not what it reads); give "
                         "--features FILE for the regions\n"), out->sample->key);
      out->regions.features = NULL;
      out->regions.n_regions = 0;
      out->regions.dim = ov_model_get_config (model)->img_feature_dim;
      return g_steal_pointer (&out);
    }
  if (opts->regions != NULL)
    {
      g_autoptr(GArray) keep = ov_cli_parse_regions (opts->regions, error);

      if (keep == NULL
          || !ov_sample_keep_regions (out->sample, (const guint *) keep->data, keep->len, error))
        {
          ov_cli_regions_error (error, opts->regions);
          return NULL;
        }
      if (opts->tags == NULL)
        ov_cli_printerr (_("note: --regions keeps only those regions' features; the tags still "
                           "name every region (add --tags to leave theirs out too, as a window row "
                           "switched off does)\n"));
    }
  /* A model with img_feature_dim 2048 reads the appearance part of rows
   * that carry the 6 box values too. */
  if (ov_model_get_config (model)->img_feature_dim == OV_REGION_APPEARANCE_DIM
      && out->sample->feature_dim == OV_REGION_DIM)
    {
      OvSample *s = out->sample;

      for (guint i = 0; i < s->n_features; i++)
        memmove (s->features + (gsize) i * OV_REGION_APPEARANCE_DIM,
                 s->features + (gsize) i * OV_REGION_DIM,
                 sizeof (float) * OV_REGION_APPEARANCE_DIM);
      s->feature_dim = OV_REGION_APPEARANCE_DIM;
    }
  out->regions.features = out->sample->features;
  out->regions.n_regions = (int) out->sample->n_features;
  out->regions.dim = (int) out->sample->feature_dim;
  return g_steal_pointer (&out);
}

/* --inputs ------------------------------------------------------------------- */

/* A tensor of the inputs file with its batch dimension of 1 dropped. */
static const OvTensor *
input_tensor (OvStateDict *sd,
              const char  *path,
              const char  *name,
              gboolean     required,
              int          min_dims,
              int          max_dims,
              int         *n_dims,
              gint64      *shape,
              GError     **error)
{
  const OvTensor *t = ov_state_dict_lookup (sd, name);
  int skip;

  if (t == NULL)
    {
      if (required)
        g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _("%s has no tensor “%s”"), path, name);
      return NULL;
    }
  skip = t->n_dims > max_dims && t->n_dims == max_dims + 1 && t->shape[0] == 1 ? 1 : 0;
  if (t->n_dims > max_dims && skip == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _("%s: tensor “%s” has %d dimensions; only one example (a batch of 1) "
                     "is run at a time"), path, name, t->n_dims);
      return NULL;
    }
  if (t->n_dims - skip < min_dims)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   ngettext ("%s: tensor “%s” has %d dimension, expected at least %d",
                             "%s: tensor “%s” has %d dimensions, expected at least %d",
                             t->n_dims), path, name, t->n_dims, min_dims);
      return NULL;
    }
  *n_dims = t->n_dims - skip;
  for (int i = 0; i < *n_dims; i++)
    shape[i] = t->shape[i + skip];
  if (t->dtype == OV_DTYPE_BOOL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _("%s: tensor “%s” is boolean; store it as an integer or float tensor"),
                   path, name);
      return NULL;
    }
  return t;
}

/* Any integer or float tensor as gint32 (ids must be whole numbers). */
static gint32 *
tensor_to_i32 (const OvTensor *t,
               const char     *path,
               GError        **error)
{
  g_autofree gint32 *out = g_new (gint32, MAX (t->n_elements, 1));

  for (gint64 i = 0; i < t->n_elements; i++)
    {
      gint64 v;

      switch (t->dtype)
        {
        case OV_DTYPE_I64: v = ((const gint64 *) t->data)[i]; break;
        case OV_DTYPE_I32: v = ((const gint32 *) t->data)[i]; break;
        case OV_DTYPE_I16: v = ((const gint16 *) t->data)[i]; break;
        case OV_DTYPE_I8: v = ((const gint8 *) t->data)[i]; break;
        case OV_DTYPE_U8: v = ((const guint8 *) t->data)[i]; break;
        default:
          g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                       _("%s: tensor “%s” is %s; ids must be an integer tensor"), path, t->name,
                       ov_dtype_name (t->dtype));
          return NULL;
        }
      if (v < G_MININT32 || v > G_MAXINT32)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _("%s: tensor “%s” holds %lld at %lld, out of range"), path, t->name,
                       (long long) v, (long long) i);
          return NULL;
        }
      out[i] = (gint32) v;
    }
  return g_steal_pointer (&out);
}

/* Any integer or float tensor as float, checked finite. */
static float *
tensor_to_f32 (const OvTensor *t,
               const char     *path,
               GError        **error)
{
  g_autofree float *out = NULL;

  if (t->dtype == OV_DTYPE_F32 || t->dtype == OV_DTYPE_F16 || t->dtype == OV_DTYPE_BF16
      || t->dtype == OV_DTYPE_F64)
    {
      g_autofree float *owned = NULL;
      const float *data = ov_tensor_as_f32 (t, &owned);

      /* img_feats of shape (0, D), no regions, has no element to copy */
      if (owned != NULL)
        out = g_steal_pointer (&owned);
      else if (t->n_elements == 0)
        out = g_new0 (float, 1);
      else
        out = g_memdup2 (data, t->n_elements * sizeof (float));
    }
  else
    {
      g_autofree gint32 *ints = tensor_to_i32 (t, path, error);

      if (ints == NULL)
        return NULL;
      out = g_new (float, MAX (t->n_elements, 1));
      for (gint64 i = 0; i < t->n_elements; i++)
        out[i] = (float) ints[i];
    }
  for (gint64 i = 0; i < t->n_elements; i++)
    if (!isfinite (out[i]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _("%s: tensor “%s” holds a value that is not a finite number at element "
                       "%lld"), path, t->name, (long long) i);
        return NULL;
      }
  return g_steal_pointer (&out);
}

static void
label_inputs (OvEncoding *enc,
              OvModel    *model)
{
  OvTokenizer *tok = ov_model_get_tokenizer (model);
  const OvInputs *in = &enc->inputs;
  int t = in->n_text, s = t + in->n_regions;

  enc->segments = g_new (OvSegment, s);
  enc->labels = g_new0 (char *, s);
  for (int i = 0; i < t; i++)
    {
      gint32 id = enc->input_ids[i];
      const char *token = ov_tokenizer_id_to_token (tok, id);

      enc->labels[i] = g_strdup (token != NULL ? token : "?");
      if (id == ov_tokenizer_pad_id (tok))
        enc->segments[i] = OV_SEGMENT_PAD;
      else if (id == ov_tokenizer_cls_id (tok) || id == ov_tokenizer_sep_id (tok)
               || id == ov_tokenizer_mask_id (tok))
        enc->segments[i] = OV_SEGMENT_SPECIAL;
      else if (enc->token_type_ids != NULL && enc->token_type_ids[i] == 1)
        enc->segments[i] = OV_SEGMENT_TAG;
      else
        enc->segments[i] = OV_SEGMENT_WORD;
    }
  for (int k = 0; k < in->n_regions; k++)
    {
      /* A region nobody may attend to is padding. */
      gboolean seen = FALSE;

      if (in->mask_2d)
        for (int q = 0; q < s && !seen; q++)
          seen = in->attention_mask[(gsize) q * s + t + k] != 0.0f;
      else
        seen = in->attention_mask[t + k] != 0.0f;
      enc->segments[t + k] = seen ? OV_SEGMENT_REGION : OV_SEGMENT_PAD;
      enc->labels[t + k] = seen ? g_strdup_printf ("region %d", k + 1) : g_strdup ("[PAD]");
    }
}

OvEncoding *
ov_cli_inputs_load (const char *path,
                    OvModel    *model,
                    GError    **error)
{
  static const char *const known[] = {
    "input_ids", "token_type_ids", "attention_mask", "img_feats", "position_ids",
  };
  /* What `oscarviz encode` writes besides its inputs; such a file runs as
   * the inputs it holds. */
  static const char *const outputs[] = {
    "pooled", "lm_logits", "vqa_logits", "mlm_logits", "contrastive_logits",
  };
  g_autoptr(OvStateDict) sd = NULL;
  g_autoptr(OvEncoding) enc = g_new0 (OvEncoding, 1);
  const OvTensor *ids_t, *types_t, *pos_t = NULL, *mask_t, *feats_t;
  gint64 ids_shape[8], types_shape[8], pos_shape[8], mask_shape[8], feats_shape[8];
  int ids_dims, types_dims, pos_dims, mask_dims, feats_dims;
  int d = ov_model_get_config (model)->img_feature_dim;
  GError *local = NULL;
  gint64 t, n, s;

  sd = ov_state_dict_load (path, error);
  if (sd == NULL)
    {
      name_file (error, path);
      return NULL;
    }
  for (guint i = 0; i < ov_state_dict_get_n_tensors (sd); i++)
    {
      const char *name = ov_state_dict_get_nth (sd, i)->name;
      gboolean ok = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (known); j++)
        ok = ok || g_str_equal (name, known[j]);
      for (guint j = 0; j < G_N_ELEMENTS (outputs); j++)
        ok = ok || g_str_equal (name, outputs[j]);
      ok = ok || g_str_has_prefix (name, "hidden_states.")
           || g_str_has_prefix (name, "attentions.");
      if (!ok)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _("%s: unknown tensor “%s” (expected input_ids, token_type_ids, "
                         "attention_mask, img_feats and optionally position_ids)"), path, name);
          return NULL;
        }
    }

  ids_t = input_tensor (sd, path, "input_ids", TRUE, 1, 1, &ids_dims, ids_shape, error);
  if (ids_t == NULL)
    return NULL;
  /* No img_feats: no regions (encode leaves it out then). */
  feats_t = input_tensor (sd, path, "img_feats", FALSE, 2, 2, &feats_dims, feats_shape, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  if (feats_t == NULL)
    {
      feats_shape[0] = 0;
      feats_shape[1] = d;
    }
  mask_t = input_tensor (sd, path, "attention_mask", TRUE, 1, 2, &mask_dims, mask_shape, error);
  if (mask_t == NULL)
    return NULL;
  types_t = input_tensor (sd, path, "token_type_ids", FALSE, 1, 1, &types_dims, types_shape,
                          &local);
  if (local == NULL)
    pos_t = input_tensor (sd, path, "position_ids", FALSE, 1, 1, &pos_dims, pos_shape, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }

  t = ids_shape[0];
  n = feats_shape[0];
  s = t + n;
  if (t < 1 || s > G_MAXINT / 4)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   ngettext ("%s: input_ids has %lld token", "%s: input_ids has %lld tokens", t),
                   path, (long long) t);
      return NULL;
    }
  if (feats_shape[1] != d)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _("%s: img_feats rows are %lld wide; the model (%s) takes %d"), path,
                   (long long) feats_shape[1], ov_model_get_path (model), d);
      return NULL;
    }
  if ((types_t != NULL && types_shape[0] != t) || (pos_t != NULL && pos_shape[0] != t))
    {
      gint64 entries = types_t != NULL && types_shape[0] != t ? types_shape[0] : pos_shape[0];

      /* Translators: "inputs.safetensors: token_type_ids has 12 entries but input_ids has 15" */
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   ngettext ("%s: %s has %lld entry but input_ids has %lld",
                             "%s: %s has %lld entries but input_ids has %lld", entries), path,
                   types_t != NULL && types_shape[0] != t ? "token_type_ids" : "position_ids",
                   (long long) entries, (long long) t);
      return NULL;
    }
  /* (S) or (S, S) with S = T + N; (1, S) is a batch of one 1-D mask. */
  if (mask_dims == 2 && mask_shape[0] == 1 && mask_shape[1] == s && s > 1)
    {
      mask_dims = 1;
      mask_shape[0] = s;
    }
  if (mask_shape[0] != s || (mask_dims == 2 && mask_shape[1] != s))
    {
      g_autofree char *tokens = g_strdup_printf (ngettext ("%lld token", "%lld tokens", t),
                                                 (long long) t);
      g_autofree char *regions = g_strdup_printf (ngettext ("%lld region", "%lld regions", n),
                                                  (long long) n);

      /* Translators: "... must be (20) or (20, 20) for 15 tokens and 5 regions" */
      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _("%s: attention_mask must be (%lld) or (%lld, %lld) for %s and %s"), path,
                   (long long) s, (long long) s, (long long) s, tokens, regions);
      return NULL;
    }

  enc->input_ids = tensor_to_i32 (ids_t, path, error);
  if (enc->input_ids == NULL)
    return NULL;
  if (types_t != NULL && (enc->token_type_ids = tensor_to_i32 (types_t, path, error)) == NULL)
    return NULL;
  if (pos_t != NULL && (enc->position_ids = tensor_to_i32 (pos_t, path, error)) == NULL)
    return NULL;
  enc->attention_mask = tensor_to_f32 (mask_t, path, error);
  if (enc->attention_mask == NULL)
    return NULL;
  if (feats_t != NULL && (enc->img_feats = tensor_to_f32 (feats_t, path, error)) == NULL)
    return NULL;

  enc->inputs.n_text = (int) t;
  enc->inputs.input_ids = enc->input_ids;
  enc->inputs.token_type_ids = enc->token_type_ids;
  enc->inputs.position_ids = enc->position_ids;
  enc->inputs.n_regions = (int) n;
  enc->inputs.img_feats = enc->img_feats;
  enc->inputs.attention_mask = enc->attention_mask;
  enc->inputs.mask_2d = mask_dims == 2;
  label_inputs (enc, model);
  return g_steal_pointer (&enc);
}

/* Answers --------------------------------------------------------------------- */

OvAnswerList *
ov_cli_find_answers (OvModel    *model,
                     const char *data_path,
                     char      **found,
                     GError    **error)
{
  g_autofree char *data_dir = data_path != NULL ? g_path_get_dirname (data_path) : NULL;
  g_autofree char *path = ov_find_answer_list (ov_model_get_path (model));

  /* the model's own list first; Oscar keeps it with the data */
  if (path == NULL)
    path = ov_find_answer_list (data_dir);
  if (path == NULL)
    return NULL;
  if (found != NULL)
    *found = g_strdup (path);
  return ov_answer_list_load (path, error);
}

/* Unknown words --------------------------------------------------------------- */

OvCliWords *
ov_cli_words_new (OvModel    *model,
                  const char *text)
{
  OvCliWords *words = g_new0 (OvCliWords, 1);

  words->unknown = ov_tokenizer_unknown_words (ov_model_get_tokenizer (model), text,
                                               &words->n_words);
  return words;
}

void
ov_cli_words_free (OvCliWords *words)
{
  if (words == NULL)
    return;
  g_ptr_array_unref (words->unknown);
  g_free (words);
}

void
ov_cli_words_to_json (const OvCliWords *words,
                      JsonBuilder      *b)
{
  unknown_words_to_json (b, "words", words->n_words, "unknown_words", words->unknown);
}

void
ov_cli_sample_input_to_json (const OvCliSample *sample,
                             const char        *text_member,
                             const char        *text,
                             const OvCliWords  *words,
                             JsonBuilder       *b)
{
  if (sample->sample == NULL)
    return;
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, sample->sample->key);
  json_builder_set_member_name (b, text_member);
  json_builder_add_string_value (b, text);
  ov_cli_words_to_json (words, b);
  json_builder_set_member_name (b, "tags");
  json_builder_add_string_value (b, sample->tags);
  ov_cli_unknown_tags_to_json (sample, b);
}

void
ov_cli_words_print (const OvCliWords *words)
{
  guint n_unknown = words->unknown->len;
  g_autofree char *list = NULL;

  if (words->n_words == 0)
    {
      g_print ("%s\n", _("  warning: the text has no words, only punctuation or symbols; the "
                         "results below are the model's answer to nothing"));
      return;
    }
  if (n_unknown == 0)
    return;
  if (n_unknown == words->n_words)
    {
      g_print (ngettext ("  warning: the model's vocabulary lacks this word; the model reads "
                         "only [UNK], so the results below say nothing about it\n",
                         "  warning: the model's vocabulary lacks all %u words; the model reads "
                         "only [UNK], so the results below say nothing about them\n",
                         words->n_words), words->n_words);
      return;
    }
  list = join_words (words->unknown);
  /* Translators: "2 of 6 words are not in the model's vocabulary ..." */
  g_print (ngettext ("  note: %u of %u words is not in the model's vocabulary and reads as "
                     "[UNK]: %s\n",
                     "  note: %u of %u words are not in the model's vocabulary and read as "
                     "[UNK]: %s\n", n_unknown), n_unknown, words->n_words, list);
}
