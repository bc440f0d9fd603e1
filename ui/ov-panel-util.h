/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Small helpers of the panels: a debounced, cancellable run, releasing
 * what a template left behind, and the text size of the canvases.
 */
#pragma once

#include <gtk/gtk.h>

#include "viz/ov-draw.h"

G_BEGIN_DECLS

/* Milliseconds of quiet after an edit before the model runs again. */
#define OV_DEBOUNCE_MS 300

typedef struct {
  guint         timeout_id;
  GCancellable *cancellable;
} OvRunner;

/* Cancels the run in flight, whose input is now old, and (re)starts the
 * quiet period; func runs once it ends. */
void          ov_runner_schedule  (OvRunner    *runner,
                                   GSourceFunc  func,
                                   gpointer     data);
/* Cancels the run in flight and any pending one, and returns the
 * cancellable of a new run (owned by the runner). */
GCancellable *ov_runner_begin     (OvRunner    *runner);
/* Whether error only says that a newer run replaced this one. */
gboolean      ov_error_is_cancelled (GError    *error);
void          ov_runner_clear     (OvRunner    *runner);

/* The words quoted and joined into a list for a sentence: “a”, “b”. */
char         *ov_dup_quoted_words (const char *const *words);

/* Adds a Size choice to a figure's export dialog: the figure's own size,
 * a paper's column (3.3 in) or its text width (7 in), the other side in
 * the figure's proportions; the one chosen last is offered first. */
void          ov_export_chooser_add_size (GtkFileChooser *chooser);
/* The width chosen there, in points; 0 for the figure's own size. Notes
 * the choice for the next dialog. */
double        ov_export_chooser_get_width (GtkFileChooser *chooser);

/* Unparents what a template left in a widget with a layout manager (the
 * unnamed top child), which dispose must do before chaining up. */
void          ov_widget_unparent_children (GtkWidget *widget);

/* The canvases draw their figures (viz/) at a logical size divided by this
 * factor and enlarged by it, so that their text grows with the window's:
 * GTK's font resolution (gtk-xft-dpi) over its usual 96 dpi, which the
 * Preferences' text size multiplies (1.5 at "larger" on a 96 dpi screen).
 * Pointer positions divided by it are the figure's (view) coordinates.
 * A figure that shrinks in a small canvas is told the factor
 * (ov_*_view_set_shown_scale), so that it shrinks for the size it is shown
 * at, not the smaller one it is laid out at. */
double        ov_widget_get_text_scale (GtkWidget *widget);
/* Queues a resize of widget, and so a new layout and drawing, whenever the
 * font resolution changes while it is shown. */
void          ov_widget_follow_text_scale (GtkWidget *widget);
/* A cairo_t over the widget's whole area, already scaled by its text
 * scale; width and height receive the logical size the figure is laid out
 * at. Free with cairo_destroy. */
cairo_t      *ov_widget_append_scaled_cairo (GtkWidget   *widget,
                                             GtkSnapshot *snapshot,
                                             double      *width,
                                             double      *height);
/* The renderers' ink from the widget's style: its text colour on the
 * theme's view background, so a canvas is dark in a dark style. Exports
 * do not come through here and keep the light ink. */
void          ov_widget_get_ink (GtkWidget *widget,
                                 OvInk     *ink);

G_END_DECLS
