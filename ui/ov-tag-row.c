/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A tag row edits its OvTagItem in place: the entry applies on Enter and
 * when focus leaves the row (Escape puts the word back), the
 * switch is bound to "enabled" (tag word and region together), the menu
 * gives or takes the tag word and the region one at a time, and the menu
 * and drag handle reorder the session's tag list. Alt+Up and Alt+Down move
 * the focused row.
 */
#define G_LOG_DOMAIN "ov-tag-row"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "viz/ov-viz.h"
#include "ov-tag-row.h"

struct _OvTagRow
{
  AdwEntryRow  parent_instance;

  GtkImage       *drag_handle;
  GtkDrawingArea *chip;
  GtkLabel       *confidence_label;
  GtkSwitch      *enabled_switch;
  GtkMenuButton  *menu_button;
  GMenuModel     *region_menu;
  GMenuModel     *text_menu;

  OvSession      *session;
  OvTagItem      *item;
};

G_DEFINE_FINAL_TYPE (OvTagRow, ov_tag_row, ADW_TYPE_ENTRY_ROW)

static guint
row_position (OvTagRow *self)
{
  guint position = G_MAXUINT;

  g_list_store_find (G_LIST_STORE (ov_session_get_tags (self->session)), self->item, &position);
  return position;
}

static void
draw_chip (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        user_data)
{
  OvTagRow *self = user_data;
  double r = MIN (width, height) / 2.0;

  if (ov_tag_item_is_text_only (self->item))
    {
      /* A typed tag has no box: an outlined dot in the text colour. */
      GdkRGBA fg;

      /* GTK 4.8 has no gtk_widget_get_color yet. */
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
      G_GNUC_END_IGNORE_DEPRECATIONS
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_arc (cr, width / 2.0, height / 2.0, r - 1.5, 0, 2 * G_PI);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
  else
    {
      OvColor c = ov_viz_class_color (ov_tag_item_get_class_index (self->item));

      cairo_set_source_rgb (cr, c.r, c.g, c.b);
      if (ov_session_region_in_input (self->session, ov_tag_item_get_region (self->item)))
        {
          cairo_arc (cr, width / 2.0, height / 2.0, r, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      else
        {
          /* The region is left out: a ring in its colour, as the picture
           * leaves its box out. */
          cairo_arc (cr, width / 2.0, height / 2.0, r - 1.5, 0, 2 * G_PI);
          cairo_set_line_width (cr, 3.0);
          cairo_stroke (cr);
        }
    }
}

static void
update_title (OvTagRow *self)
{
  g_autofree char *title = NULL;
  double conf = ov_tag_item_get_confidence (self->item);
  gboolean word = ov_session_tag_in_input (self->session, self->item);
  gboolean region = FALSE;

  if (ov_tag_item_is_text_only (self->item))
    {
      const OvSample *sample = ov_session_get_sample (self->session);

      /* A file that gives tags and region features without boxes (an
       * Oscar VQA json) pairs neither with the other. */
      if (sample != NULL && sample->n_regions == 0 && sample->n_features > 0)
        title = g_strdup (_("Tag of the file, not tied to a region"));
      else
        title = g_strdup (_("Text only, no region features"));
    }
  else
    {
      int number = ov_region_number (ov_tag_item_get_region (self->item));

      region = ov_session_region_in_input (self->session, ov_tag_item_get_region (self->item));
      if (!word && !region && ov_tag_item_get_enabled (self->item))
        /* Translators: %d is the region number. */
        title = g_strdup_printf (_("Region %d, below the confidence threshold"), number);
      else if (word && !region)
        /* Translators: %d is the region number; the tag word goes to the
         * model, the region's features do not. */
        title = g_strdup_printf (_("Region %d · tag only"), number);
      else if (!word && region)
        /* Translators: %d is the region number; the region's features go
         * to the model, the tag word does not. */
        title = g_strdup_printf (_("Region %d · region only"), number);
      else
        /* Translators: %d is the region number. */
        title = g_strdup_printf (_("Region %d"), number);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);

  if (isnan (conf))
    gtk_label_set_text (self->confidence_label, "");
  else
    {
      g_autofree char *text = g_strdup_printf ("%.2f", conf);

      gtk_label_set_text (self->confidence_label, text);
    }

  if (word || region)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "tag-off");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "tag-off");
  /* The word struck through while its region still goes in. */
  if (!word && region)
    gtk_widget_add_css_class (GTK_WIDGET (self), "tag-word-off");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "tag-word-off");
  gtk_widget_queue_draw (GTK_WIDGET (self->chip));
}

static void
apply_cb (OvTagRow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self))));

  /* An emptied tag keeps its old text (switch it off to drop it). */
  if (*text == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self), ov_tag_item_get_text (self->item));
  else
    ov_tag_item_set_text (self->item, text);
}

/* Applies the entry's text through its own activation, which also hides
 * its apply button: as Enter does. */
static void
activate_entry (OvTagRow *self)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (self));

  if (GTK_IS_TEXT (text))
    g_signal_emit_by_name (text, "activate");
}

static gboolean
is_edited (OvTagRow *self)
{
  return self->item != NULL
         && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self)),
                       ov_tag_item_get_text (self->item)) != 0;
}

/* Focus leaving the row, or moving on to its switch or menu, applies what
 * was typed (only the entry's apply button leaves the edit open): the list
 * never shows a word that the model does not read. */
static void
focus_moved_cb (OvTagRow *self)
{
  if (is_edited (self))
    activate_entry (self);
}

/* Escape while editing puts the tag's word back; otherwise it is the
 * window's (cancel a load). */
static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   data)
{
  OvTagRow *self = OV_TAG_ROW (widget);

  if (!is_edited (self))
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self), ov_tag_item_get_text (self->item));
  gtk_editable_set_position (GTK_EDITABLE (self), -1);
  activate_entry (self);
  return TRUE;
}

/* The menu offers no move the row cannot make: Move Up is off on the
 * first row, Move Down on the last. */
static void
update_move_actions (OvTagRow *self)
{
  guint position = row_position (self);
  guint n = g_list_model_get_n_items (ov_session_get_tags (self->session));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.move-up",
                                 position != G_MAXUINT && position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.move-down",
                                 position != G_MAXUINT && position + 1 < n);
}

static void
move_by (OvTagRow *self,
         int       delta)
{
  guint position = row_position (self);
  guint n = g_list_model_get_n_items (ov_session_get_tags (self->session));
  GtkWidget *list;

  if (position == G_MAXUINT)
    return;
  if ((delta < 0 && position == 0) || (delta > 0 && position + 1 >= n))
    return;
  list = gtk_widget_get_parent (GTK_WIDGET (self));
  ov_session_move_tag (self->session, position, position + delta);
  /* The list box made a new row for the moved item; keep focus on it. */
  if (GTK_IS_LIST_BOX (list))
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), position + delta);

      if (row != NULL)
        {
          gtk_list_box_select_row (GTK_LIST_BOX (list), row);
          gtk_widget_grab_focus (GTK_WIDGET (row));
        }
    }
}

static void
move_up_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  move_by (OV_TAG_ROW (widget), -1);
}

static void
move_down_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  move_by (OV_TAG_ROW (widget), 1);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  OvTagRow *self = OV_TAG_ROW (widget);
  guint position = row_position (self);

  if (position != G_MAXUINT)
    ov_session_remove_tag (self->session, position);
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 OvTagRow      *self)
{
  return gdk_content_provider_new_typed (OV_TYPE_TAG_ITEM, self->item);
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               OvTagRow      *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         OvTagRow      *self)
{
  OvTagItem *dropped = g_value_get_object (value);
  GListStore *store = G_LIST_STORE (ov_session_get_tags (self->session));
  guint from, to;

  if (dropped == NULL || dropped == self->item)
    return FALSE;
  if (!g_list_store_find (store, dropped, &from) || !g_list_store_find (store, self->item, &to))
    return FALSE;
  ov_session_move_tag (self->session, from, to);
  return TRUE;
}

static void
ov_tag_row_dispose (GObject *object)
{
  OvTagRow *self = OV_TAG_ROW (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_clear_object (&self->session);
  g_clear_object (&self->item);
  G_OBJECT_CLASS (ov_tag_row_parent_class)->dispose (object);
}

static void
ov_tag_row_class_init (OvTagRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ov_tag_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/oscarviz/Oscarviz/ov-tag-row.ui");
  gtk_widget_class_bind_template_child (widget_class, OvTagRow, drag_handle);
  gtk_widget_class_bind_template_child (widget_class, OvTagRow, chip);
  gtk_widget_class_bind_template_child (widget_class, OvTagRow, confidence_label);
  gtk_widget_class_bind_template_child (widget_class, OvTagRow, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, OvTagRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, OvTagRow, region_menu);
  gtk_widget_class_bind_template_child (widget_class, OvTagRow, text_menu);

  gtk_widget_class_install_action (widget_class, "row.move-up", NULL, move_up_action);
  gtk_widget_class_install_action (widget_class, "row.move-down", NULL, move_down_action);
  gtk_widget_class_install_action (widget_class, "row.remove", NULL, remove_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK,
                                       "row.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK,
                                       "row.move-down", NULL);
}

static void
ov_tag_row_init (OvTagRow *self)
{
  GtkWidget *watched[] = { NULL, NULL, NULL };
  GtkEventController *keys = gtk_shortcut_controller_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->chip, draw_chip, self, NULL);
  watched[0] = GTK_WIDGET (self);
  watched[1] = GTK_WIDGET (self->enabled_switch);
  watched[2] = GTK_WIDGET (self->menu_button);
  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    {
      GtkEventController *focus = gtk_event_controller_focus_new ();

      g_signal_connect_swapped (focus, i == 0 ? "leave" : "enter", G_CALLBACK (focus_moved_cb),
                                self);
      gtk_widget_add_controller (watched[i], focus);
    }
  /* before the entry's own keys, so that Escape reaches it while editing */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                      gtk_callback_action_new (escape_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

GtkWidget *
ov_tag_row_new (OvSession *session,
                OvTagItem *item)
{
  OvTagRow *self;
  GtkDragSource *source;
  GtkDropTarget *target;
  g_autoptr(GSimpleActionGroup) parts = g_simple_action_group_new ();
  g_autoptr(GPropertyAction) word_action = NULL;
  g_autoptr(GPropertyAction) region_action = NULL;

  g_return_val_if_fail (OV_IS_SESSION (session), NULL);
  g_return_val_if_fail (OV_IS_TAG_ITEM (item), NULL);

  self = g_object_new (OV_TYPE_TAG_ROW, NULL);
  self->session = g_object_ref (session);
  self->item = g_object_ref (item);

  gtk_editable_set_text (GTK_EDITABLE (self), ov_tag_item_get_text (item));
  g_object_bind_property (item, "enabled", self->enabled_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  /* The finer choice: the menu's check items are the item's two parts. */
  word_action = g_property_action_new ("word", item, "tag-enabled");
  g_action_map_add_action (G_ACTION_MAP (parts), G_ACTION (word_action));
  if (ov_tag_item_is_text_only (item))
    {
      gtk_menu_button_set_menu_model (self->menu_button, self->text_menu);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->enabled_switch),
                                   _("Give this tag to the model"));
    }
  else
    {
      region_action = g_property_action_new ("region", item, "region-enabled");
      g_action_map_add_action (G_ACTION_MAP (parts), G_ACTION (region_action));
      gtk_menu_button_set_menu_model (self->menu_button, self->region_menu);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->enabled_switch),
                                   _("Give this tag and its region to the model; the menu "
                                     "gives one without the other"));
    }
  gtk_widget_insert_action_group (GTK_WIDGET (self), "tag", G_ACTION_GROUP (parts));
  g_signal_connect (self, "apply", G_CALLBACK (apply_cb), NULL);
  g_signal_connect_swapped (session, "input-changed", G_CALLBACK (update_title), self);
  g_signal_connect_object (session, "palette-changed", G_CALLBACK (gtk_widget_queue_draw),
                           self->chip, G_CONNECT_SWAPPED);
  g_signal_connect_object (ov_session_get_tags (session), "items-changed",
                           G_CALLBACK (update_move_actions), self, G_CONNECT_SWAPPED);
  update_move_actions (self);
  update_title (self);

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), self);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->drag_handle), GTK_EVENT_CONTROLLER (source));

  target = gtk_drop_target_new (OV_TYPE_TAG_ITEM, GDK_ACTION_MOVE);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  return GTK_WIDGET (self);
}

OvTagItem *
ov_tag_row_get_item (OvTagRow *self)
{
  g_return_val_if_fail (OV_IS_TAG_ROW (self), NULL);
  return self->item;
}
