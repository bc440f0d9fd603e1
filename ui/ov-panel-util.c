/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Debounce and cancel for the task panels: a newer request cancels the
 * older one, so only the latest input's result is ever shown. Also the
 * small text helpers the panels share, and the text scale of the canvases.
 */
#define G_LOG_DOMAIN "ov-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ov-panel-util.h"
#include "viz/ov-export.h"

void
ov_runner_schedule (OvRunner    *runner,
                    GSourceFunc  func,
                    gpointer     data)
{
  /* A run in flight works on the input before this edit: its result would be
   * shown as if it were the new input's, so it is dropped now rather than
   * when the quiet period ends. */
  if (runner->cancellable != NULL)
    g_cancellable_cancel (runner->cancellable);
  g_clear_object (&runner->cancellable);
  g_clear_handle_id (&runner->timeout_id, g_source_remove);
  runner->timeout_id = g_timeout_add (OV_DEBOUNCE_MS, func, data);
}

GCancellable *
ov_runner_begin (OvRunner *runner)
{
  g_clear_handle_id (&runner->timeout_id, g_source_remove);
  if (runner->cancellable != NULL)
    g_cancellable_cancel (runner->cancellable);
  g_clear_object (&runner->cancellable);
  runner->cancellable = g_cancellable_new ();
  return runner->cancellable;
}

gboolean
ov_error_is_cancelled (GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

void
ov_runner_clear (OvRunner *runner)
{
  g_clear_handle_id (&runner->timeout_id, g_source_remove);
  if (runner->cancellable != NULL)
    g_cancellable_cancel (runner->cancellable);
  g_clear_object (&runner->cancellable);
}

void
ov_widget_unparent_children (GtkWidget *widget)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (widget)) != NULL)
    gtk_widget_unparent (child);
}

/* GTK's font resolution when nothing sets one. */
#define DEFAULT_DPI 96.0

double
ov_widget_get_text_scale (GtkWidget *widget)
{
  int dpi = 0;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), 1.0);

  /* The resolution GTK lays the widget's own text out at (in 1/1024 dot
   * per inch; -1 for its default): the Preferences' text size, and any a
   * desktop's larger-text setting asks for, reach the figures as they reach
   * the labels around them. */
  g_object_get (gtk_widget_get_settings (widget), "gtk-xft-dpi", &dpi, NULL);
  if (dpi <= 0)
    return 1.0;
  return CLAMP (dpi / 1024.0 / DEFAULT_DPI, 0.5, 4.0);
}

void
ov_widget_follow_text_scale (GtkWidget *widget)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  g_signal_connect_object (gtk_widget_get_settings (widget), "notify::gtk-xft-dpi",
                           G_CALLBACK (gtk_widget_queue_resize), widget, G_CONNECT_SWAPPED);
}

cairo_t *
ov_widget_append_scaled_cairo (GtkWidget   *widget,
                               GtkSnapshot *snapshot,
                               double      *width,
                               double      *height)
{
  double scale = ov_widget_get_text_scale (widget);
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  cairo_scale (cr, scale, scale);
  *width = w / scale;
  *height = h / scale;
  return cr;
}

static OvColor
mix (GdkRGBA a,
     GdkRGBA b,
     double  t)
{
  return (OvColor) { a.red + (b.red - a.red) * t, a.green + (b.green - a.green) * t,
                     a.blue + (b.blue - a.blue) * t };
}

void
ov_widget_get_ink (GtkWidget *widget,
                   OvInk     *ink)
{
  GtkStyleContext *context;
  GdkRGBA fg, bg;

  g_return_if_fail (GTK_IS_WIDGET (widget) && ink != NULL);

  /* GTK 4.8 has no gtk_widget_get_color yet. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  gtk_style_context_get_color (context, &fg);
  if (!gtk_style_context_lookup_color (context, "view_bg_color", &bg))
    {
      double y = 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue;

      bg = y > 0.5 ? (GdkRGBA) { 0.12, 0.12, 0.12, 1 } : (GdkRGBA) { 1, 1, 1, 1 };
    }
  G_GNUC_END_IGNORE_DEPRECATIONS

  ink->background = (OvColor) { bg.red, bg.green, bg.blue };
  ink->text = mix (bg, fg, fg.alpha);
  ink->dim = mix (bg, fg, 0.7 * fg.alpha);
  ink->no_data = mix (bg, fg, 0.12);
}

char *
ov_dup_quoted_words (const char *const *words)
{
  /* each word is isolated (U+2068 … U+2069), so that a right-to-left word
   * does not carry the quotes and commas around it into its own order */
  GString *list = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (i > 0)
        /* Translators: between two words of a list. */
        g_string_append (list, C_("word list", ", "));
      g_autofree char *isolated = g_strdup_printf ("\u2068%s\u2069", words[i]);

      /* Translators: a word (of a question, of the tags), quoted. */
      g_string_append_printf (list, _("“%s”"), isolated);
    }
  return g_string_free (list, FALSE);
}

/* The export size chosen last in this run of the program. */
static char *export_size = NULL;

void
ov_export_chooser_add_size (GtkFileChooser *chooser)
{
  const char *ids[] = { "own", "column", "text", NULL };
  /* Translators: the sizes a figure is exported at: as it is drawn, as wide
   * as a paper's column, as wide as a paper's text */
  const char *labels[] = { _("Figure’s own"), _("Column, 3.3 in wide"),
                           _("Page, 7 in wide"), NULL };

  g_return_if_fail (GTK_IS_FILE_CHOOSER (chooser));

  /* Translators: the label of the choice of export sizes */
  gtk_file_chooser_add_choice (chooser, "size", _("Size"), ids, labels);
  gtk_file_chooser_set_choice (chooser, "size", export_size != NULL ? export_size : "own");
}

double
ov_export_chooser_get_width (GtkFileChooser *chooser)
{
  const char *id = gtk_file_chooser_get_choice (chooser, "size");

  if (id == NULL)
    return 0.0;
  g_free (export_size);
  export_size = g_strdup (id);
  if (strcmp (id, "column") == 0)
    return OV_EXPORT_COLUMN_WIDTH;
  if (strcmp (id, "text") == 0)
    return OV_EXPORT_TEXT_WIDTH;
  return 0.0;
}
