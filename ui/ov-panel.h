/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The base of the task panels (caption, question, masked words): the
 * session they watch, greying out with the reason when no open checkpoint
 * can do the panel's task, and the "run-failed" signal the window turns
 * into a toast.
 */
#pragma once

#include <gtk/gtk.h>

#include "ov-session.h"

G_BEGIN_DECLS

#define OV_TYPE_PANEL (ov_panel_get_type ())

G_DECLARE_DERIVABLE_TYPE (OvPanel, ov_panel, OV, PANEL, GtkWidget)

struct _OvPanelClass
{
  GtkWidgetClass parent_class;

  /* The task that decides whether the panel is usable. */
  OvTask task;
  /* The model input or the open checkpoints changed; schedule a run. */
  void (*input_changed) (OvPanel *self);
  /* Optional: another sample was set; called before input_changed, for
   * what belongs to the sample shown so far. */
  void (*sample_changed) (OvPanel *self);
};

OvSession *ov_panel_get_session    (OvPanel    *self);
void       ov_panel_set_session    (OvPanel    *self,
                                    OvSession  *session);
/* The part greyed out and the label that says why; both from the
 * subclass's template, set once at init. */
void       ov_panel_set_parts      (OvPanel    *self,
                                    GtkWidget  *content,
                                    GtkLabel   *reason_label);
/* Whether a run makes sense for task: a sample is open and a checkpoint
 * can do it. */
gboolean   ov_panel_can_run        (OvPanel    *self,
                                    OvTask      task);
/* Emits "run-failed" with message. */
void       ov_panel_report_failure (OvPanel    *self,
                                    const char *message);

G_END_DECLS
