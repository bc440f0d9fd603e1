/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The tag list binds the session's tag store to a GtkListBox of OvTagRow.
 * Rows are rebuilt by the list box when the store changes, so selection is
 * kept by item, not by row. The list folds away under its heading; the line
 * of what the model gets stays in view either way.
 */
#define G_LOG_DOMAIN "ov-tag-list"

#include "config.h"

#include <glib/gi18n.h>

#include "ov-panel-util.h"
#include "ov-tag-list.h"
#include "ov-tag-row.h"

struct _OvTagList
{
  GtkWidget    parent_instance;

  GtkToggleButton *expand_button;
  GtkImage    *expand_icon;
  GtkWidget   *list_scroller;
  GtkStack    *list_stack;
  GtkListBox  *list_box;
  AdwEntryRow *add_row;
  GtkLabel    *count_label;
  GtkLabel    *input_label;
  GtkLabel    *unknown_label;

  OvSession   *session;
  OvTagItem   *selected;
  gboolean     syncing;
};

enum {
  PROP_0,
  PROP_SELECTED,
  PROP_COLLAPSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OvTagList, ov_tag_list, GTK_TYPE_WIDGET)

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  OvTagList *self = user_data;

  return ov_tag_row_new (self->session, item);
}

static void
select_row_of (OvTagList *self,
               OvTagItem *item)
{
  guint position;

  self->syncing = TRUE;
  if (item != NULL
      && g_list_store_find (G_LIST_STORE (ov_session_get_tags (self->session)), item, &position))
    gtk_list_box_select_row (self->list_box,
                             gtk_list_box_get_row_at_index (self->list_box, position));
  else
    gtk_list_box_unselect_all (self->list_box);
  self->syncing = FALSE;
}

/* Region numbers as the rows show them, runs joined: "1–3, 5". */
static char *
format_region_numbers (GArray *regions)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < regions->len;)
    {
      guint first = g_array_index (regions, guint, i), j = i;

      while (j + 1 < regions->len && g_array_index (regions, guint, j + 1) ==
                                     g_array_index (regions, guint, j) + 1)
        j++;
      if (out->len > 0)
        g_string_append (out, ", ");
      if (j == i)
        g_string_append_printf (out, "%d", ov_region_number ((int) first));
      else
        /* A run of two or more regions, "1–3". */
        g_string_append_printf (out, "%d–%d", ov_region_number ((int) first),
                                ov_region_number ((int) g_array_index (regions, guint, j)));
      i = j + 1;
    }
  return g_string_free (out, FALSE);
}

/* What the captioning model reads of the input when it leaves part of it
 * out, as Oscar does and as the command line notes it; NULL when it reads
 * all of it. */
static char *
dup_reads (const OvInputKept *kept)
{
  gboolean tags_cut = kept->tag_pieces_kept < kept->tag_pieces;
  gboolean regions_cut = kept->regions_kept < kept->regions;

  if (tags_cut && regions_cut)
    /* Translators: what the captioning model reads of its input, put into
     * “Model input: %s; regions %s; tags “%s””. */
    return g_strdup_printf (_("reads %d of the %d word pieces of the tags and the first %d of "
                              "the %d regions"), kept->tag_pieces_kept, kept->tag_pieces,
                            kept->regions_kept, kept->regions);
  if (tags_cut)
    /* Translators: what the captioning model reads of its input, put into
     * “Model input: %s; regions %s; tags “%s””. */
    return g_strdup_printf (_("reads %d of the %d word pieces of the tags"),
                            kept->tag_pieces_kept, kept->tag_pieces);
  if (regions_cut)
    /* Translators: what the captioning model reads of its input, put into
     * “Model input: %s; regions %s; tags “%s””. */
    return g_strdup_printf (_("reads the first %d of the %d regions"), kept->regions_kept,
                            kept->regions);
  return NULL;
}

/* The line under the list; reads is what the captioning model reads when
 * it leaves part of the input out (dup_reads), or NULL. Then that comes
 * first and the tag string last, where the label cuts a long line. */
static char *
dup_input_line (OvSession  *session,
                const char *reads)
{
  g_autofree char *tags = ov_session_dup_input_tags (session);
  g_autoptr(GArray) regions = ov_session_dup_input_regions (session);
  g_autofree char *numbers = format_region_numbers (regions);
  guint n = regions->len;

  if (reads != NULL && *tags != '\0' && n > 0)
    /* Translators: the model input line when the captioning model leaves
     * part of it out: what it reads, the numbers of the regions given and
     * the tag string given, e.g. “Model input: reads 29 of the 75 word
     * pieces of the tags; regions 1–60; tags “man car …””. */
    return g_strdup_printf (_("Model input: %s; regions %s; tags “%s”"), reads, numbers, tags);
  if (reads != NULL && *tags != '\0')
    /* Translators: as “Model input: %s; regions %s; tags “%s”” */
    return g_strdup_printf (_("Model input: %s; no regions; tags “%s”"), reads, tags);
  if (reads != NULL)
    /* Translators: as “Model input: %s; regions %s; tags “%s”” */
    return g_strdup_printf (_("Model input: %s; regions %s; no tags"), reads, numbers);
  if (*tags != '\0' && n > 0)
    /* Translators: the model input under the tag list: the tag string,
     * then the count and numbers of the regions, e.g. “Model input: tags
     * “cup ring” and 2 regions: 1, 3”. */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Model input: tags “%s” and %u region: %s",
                                         "Model input: tags “%s” and %u regions: %s", n),
                            tags, n, numbers);
  if (*tags != '\0')
    return g_strdup_printf (_("Model input: tags “%s” and no regions"), tags);
  if (n > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Model input: no tags and %u region: %s",
                                         "Model input: no tags and %u regions: %s", n),
                            n, numbers);
  return g_strdup (_("Model input: no tags and no regions"));
}

/* Says which tag words the model reads as [UNK] (a detector's classes
 * that the checkpoint never learnt); hidden when it knows them all. */
static void
update_unknown_note (OvTagList *self)
{
  g_auto(GStrv) unknown = NULL;
  g_autofree char *text = NULL;
  guint n_words = 0, n_unknown;

  unknown = ov_session_dup_unknown_tag_words (self->session, &n_words);
  n_unknown = g_strv_length (unknown);
  if (n_unknown == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->unknown_label), FALSE);
      return;
    }
  if (n_unknown == n_words)
    text = g_strdup (_("The model knows none of the tag words: it reads each one as [UNK], "
                       "so the tags tell it nothing."));
  else
    {
      g_autofree char *list = ov_dup_quoted_words ((const char *const *) unknown);

      /* Translators: "2 of 6 tag words are not in the model's vocabulary…":
       * the plural follows the first number. */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u of %u tag words is not in the model’s "
                                           "vocabulary and reads as [UNK]: %s",
                                           "%u of %u tag words are not in the model’s "
                                           "vocabulary and read as [UNK]: %s", n_unknown),
                              n_unknown, n_words, list);
    }
  gtk_label_set_text (self->unknown_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->unknown_label), text);
  gtk_widget_set_visible (GTK_WIDGET (self->unknown_label), TRUE);
}

static void
update_summary (OvTagList *self)
{
  GListModel *tags = ov_session_get_tags (self->session);
  guint n = g_list_model_get_n_items (tags);
  guint on = 0;
  OvInputKept kept;
  gboolean have_kept = ov_session_get_input_kept (self->session, &kept);
  g_autofree char *reads = have_kept ? dup_reads (&kept) : NULL;
  g_autofree char *count = NULL;
  g_autofree char *line = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (tags, i);

      on += ov_session_tag_in_input (self->session, item);
    }
  if (have_kept && kept.tag_pieces_kept < kept.tag_pieces)
    /* Translators: “12 of 60 tags fit whole in the input”: the captioning
     * model has room for only part of the tags' word pieces; these are the
     * tags it reads all of. */
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u tag fits whole in the input",
                                          "%u of %u tags fit whole in the input", n),
                             ov_session_count_tags_read_whole (self->session, &kept), n);
  else
    /* Translators: “5 of 12 tags in the input”: tag words that reach the model. */
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u tag in the input",
                                          "%u of %u tags in the input", n), on, n);
  gtk_label_set_text (self->count_label, count);
  /* the whole count where large text cuts it short */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->count_label), count);

  line = dup_input_line (self->session, reads);
  gtk_label_set_text (self->input_label, line);
  /* a cut line keeps its start, which says what the model reads */
  gtk_label_set_ellipsize (self->input_label,
                           reads != NULL ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->input_label), line);
  update_unknown_note (self);
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

static void
items_changed_cb (OvTagList *self)
{
  /* The list box replaced the rows; select the item's new row. */
  if (self->selected != NULL)
    select_row_of (self, self->selected);
}

static void
row_selected_cb (GtkListBox    *box,
                 GtkListBoxRow *row,
                 OvTagList     *self)
{
  if (self->syncing)
    return;
  if (row == NULL)
    {
      /* The store is being changed: rows vanish, the item stays selected. */
      return;
    }
  ov_tag_list_set_selected (self, ov_tag_row_get_item (OV_TAG_ROW (row)));
}

static void
add_apply_cb (OvTagList *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->add_row));

  if (ov_session_add_tag (self->session, text) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->add_row), "");
}

static void
ov_tag_list_dispose (GObject *object)
{
  OvTagList *self = OV_TAG_LIST (object);

  ov_tag_list_set_session (self, NULL);
  g_clear_object (&self->selected);
  gtk_widget_dispose_template (GTK_WIDGET (self), OV_TYPE_TAG_LIST);
  ov_widget_unparent_children (GTK_WIDGET (self));
  G_OBJECT_CLASS (ov_tag_list_parent_class)->dispose (object);
}

static void
ov_tag_list_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  OvTagList *self = OV_TAG_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_object (value, self->selected);
      break;
    case PROP_COLLAPSED:
      g_value_set_boolean (value, ov_tag_list_get_collapsed (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_tag_list_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  OvTagList *self = OV_TAG_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      ov_tag_list_set_selected (self, g_value_get_object (value));
      break;
    case PROP_COLLAPSED:
      ov_tag_list_set_collapsed (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_tag_list_class_init (OvTagListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ov_tag_list_dispose;
  object_class->get_property = ov_tag_list_get_property;
  object_class->set_property = ov_tag_list_set_property;

  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, OV_TYPE_TAG_ITEM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The rows folded away: only the heading and the input line show. */
  properties[PROP_COLLAPSED] =
    g_param_spec_boolean ("collapsed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/oscarviz/Oscarviz/ov-tag-list.ui");
  gtk_widget_class_bind_template_child (widget_class, OvTagList, expand_button);
  gtk_widget_class_bind_template_child (widget_class, OvTagList, expand_icon);
  gtk_widget_class_bind_template_child (widget_class, OvTagList, list_scroller);
  gtk_widget_class_bind_template_child (widget_class, OvTagList, list_stack);
  gtk_widget_class_bind_template_child (widget_class, OvTagList, list_box);
  gtk_widget_class_bind_template_child (widget_class, OvTagList, add_row);
  gtk_widget_class_bind_template_child (widget_class, OvTagList, count_label);
  gtk_widget_class_bind_template_child (widget_class, OvTagList, input_label);
  gtk_widget_class_bind_template_child (widget_class, OvTagList, unknown_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ov-tag-list");
}

static void
expand_toggled_cb (OvTagList *self)
{
  gboolean expanded = gtk_toggle_button_get_active (self->expand_button);

  gtk_widget_set_visible (self->list_scroller, expanded);
  gtk_image_set_from_icon_name (self->expand_icon,
                                expanded ? "pan-down-symbolic" : "pan-end-symbolic");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLLAPSED]);
}

static void
ov_tag_list_init (OvTagList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->expand_button, "toggled", G_CALLBACK (expand_toggled_cb),
                            self);
  g_signal_connect (self->list_box, "row-selected", G_CALLBACK (row_selected_cb), self);
  g_signal_connect_swapped (self->add_row, "apply", G_CALLBACK (add_apply_cb), self);
}

void
ov_tag_list_set_session (OvTagList *self,
                         OvSession *session)
{
  g_return_if_fail (OV_IS_TAG_LIST (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (ov_session_get_tags (self->session), self);
      gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
    }
  g_set_object (&self->session, session);
  if (session == NULL)
    return;

  gtk_list_box_bind_model (self->list_box, ov_session_get_tags (session),
                           create_row_cb, self, NULL);
  g_signal_connect_object (ov_session_get_tags (session), "items-changed",
                           G_CALLBACK (items_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (session, "input-changed", G_CALLBACK (update_summary), self,
                           G_CONNECT_SWAPPED);
  /* what the captioning model reads is known once it is open */
  g_signal_connect_object (session, "notify::has-model", G_CALLBACK (update_summary), self,
                           G_CONNECT_SWAPPED);
  update_summary (self);
}

OvTagItem *
ov_tag_list_get_selected (OvTagList *self)
{
  g_return_val_if_fail (OV_IS_TAG_LIST (self), NULL);
  return self->selected;
}

void
ov_tag_list_set_selected (OvTagList *self,
                          OvTagItem *item)
{
  g_return_if_fail (OV_IS_TAG_LIST (self));
  g_return_if_fail (item == NULL || OV_IS_TAG_ITEM (item));

  if (!g_set_object (&self->selected, item))
    return;
  select_row_of (self, item);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

void
ov_tag_list_focus_add (OvTagList *self)
{
  g_return_if_fail (OV_IS_TAG_LIST (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->add_row));
}

gboolean
ov_tag_list_get_collapsed (OvTagList *self)
{
  g_return_val_if_fail (OV_IS_TAG_LIST (self), FALSE);
  return !gtk_toggle_button_get_active (self->expand_button);
}

void
ov_tag_list_set_collapsed (OvTagList *self,
                           gboolean   collapsed)
{
  g_return_if_fail (OV_IS_TAG_LIST (self));

  /* The button's "toggled" notifies, only on a change. */
  gtk_toggle_button_set_active (self->expand_button, !collapsed);
}
