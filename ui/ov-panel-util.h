/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Small helpers of the panels: a debounced, cancellable run, and releasing
 * what a template left behind.
 */
#pragma once

#include <gtk/gtk.h>

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

/* Unparents what a template left in a widget with a layout manager (the
 * unnamed top child), which dispose must do before chaining up. */
void          ov_widget_unparent_children (GtkWidget *widget);

G_END_DECLS
