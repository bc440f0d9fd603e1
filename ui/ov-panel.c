/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The task panels' shared half. Subclasses build their content from a
 * template, hand the base the part to grey out, and implement
 * input_changed; the base watches the session for them.
 */
#define G_LOG_DOMAIN "ov-panel"

#include "config.h"

#include "ov-panel.h"
#include "ov-panel-util.h"

typedef struct
{
  OvSession *session;
  GtkWidget *content;
  GtkLabel  *reason_label;
} OvPanelPrivate;

enum {
  RUN_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (OvPanel, ov_panel, GTK_TYPE_WIDGET)

static void
update_support (OvPanel *self)
{
  OvPanelPrivate *priv = ov_panel_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (priv->content == NULL)
    return;
  ok = priv->session != NULL
       && ov_session_supports (priv->session, OV_PANEL_GET_CLASS (self)->task, &error);
  gtk_widget_set_sensitive (priv->content, ok);
  gtk_widget_set_visible (GTK_WIDGET (priv->reason_label), !ok);
  if (!ok)
    gtk_label_set_text (priv->reason_label, error != NULL ? error->message : "");
}

static void
input_changed_cb (OvPanel *self)
{
  OV_PANEL_GET_CLASS (self)->input_changed (self);
}

static void
sample_changed_cb (OvPanel *self)
{
  if (OV_PANEL_GET_CLASS (self)->sample_changed != NULL)
    OV_PANEL_GET_CLASS (self)->sample_changed (self);
}

static void
models_changed_cb (OvPanel *self)
{
  update_support (self);
  OV_PANEL_GET_CLASS (self)->input_changed (self);
}

static void
ov_panel_dispose (GObject *object)
{
  OvPanel *self = OV_PANEL (object);
  OvPanelPrivate *priv = ov_panel_get_instance_private (self);

  /* The subclass has released its template: the parts are gone. */
  priv->content = NULL;
  priv->reason_label = NULL;
  ov_panel_set_session (self, NULL);
  ov_widget_unparent_children (GTK_WIDGET (self));
  G_OBJECT_CLASS (ov_panel_parent_class)->dispose (object);
}

static void
ov_panel_class_init (OvPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ov_panel_dispose;

  /* A run ended with an error; the argument is its message. */
  signals[RUN_FAILED] =
    g_signal_new ("run-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ov_panel_init (OvPanel *self)
{
}

OvSession *
ov_panel_get_session (OvPanel *self)
{
  OvPanelPrivate *priv = ov_panel_get_instance_private (self);

  g_return_val_if_fail (OV_IS_PANEL (self), NULL);
  return priv->session;
}

void
ov_panel_set_session (OvPanel   *self,
                      OvSession *session)
{
  OvPanelPrivate *priv = ov_panel_get_instance_private (self);

  g_return_if_fail (OV_IS_PANEL (self));
  g_return_if_fail (session == NULL || OV_IS_SESSION (session));

  if (priv->session == session)
    return;
  if (priv->session != NULL)
    g_signal_handlers_disconnect_by_data (priv->session, self);
  g_set_object (&priv->session, session);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "input-changed", G_CALLBACK (input_changed_cb), self);
      g_signal_connect_swapped (session, "sample-changed", G_CALLBACK (sample_changed_cb), self);
      g_signal_connect_swapped (session, "notify::has-model", G_CALLBACK (models_changed_cb),
                                self);
    }
  update_support (self);
}

void
ov_panel_set_parts (OvPanel   *self,
                    GtkWidget *content,
                    GtkLabel  *reason_label)
{
  OvPanelPrivate *priv = ov_panel_get_instance_private (self);

  g_return_if_fail (OV_IS_PANEL (self));
  g_return_if_fail (GTK_IS_WIDGET (content));
  g_return_if_fail (GTK_IS_LABEL (reason_label));

  priv->content = content;
  priv->reason_label = reason_label;
  update_support (self);
}

gboolean
ov_panel_can_run (OvPanel *self,
                  OvTask   task)
{
  OvPanelPrivate *priv = ov_panel_get_instance_private (self);

  g_return_val_if_fail (OV_IS_PANEL (self), FALSE);

  return priv->session != NULL && ov_session_get_sample (priv->session) != NULL
         && ov_session_supports (priv->session, task, NULL);
}

void
ov_panel_report_failure (OvPanel    *self,
                         const char *message)
{
  g_return_if_fail (OV_IS_PANEL (self));
  g_signal_emit (self, signals[RUN_FAILED], 0, message);
}
