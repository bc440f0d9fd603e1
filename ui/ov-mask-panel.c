/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The masked-word and match panel. The entry holds the caption; the word
 * buttons below it replace a word by [MASK] and back. Predictions run on the
 * masked text, the match on the text with every clicked word restored.
 */
#define G_LOG_DOMAIN "ov-mask-panel"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ov-mask-panel.h"
#include "ov-panel-util.h"

#define TOP_K      5

struct _OvMaskPanel
{
  OvPanel      parent_instance;

  GtkLabel    *reason_label;
  GtkWidget   *content;
  GtkEntry    *text_entry;
  GtkLabel    *words_label;
  GtkListBox  *predictions_list;
  GtkLevelBar *match_bar;
  GtkLabel    *match_label;
  GtkSpinner  *spinner;
  GtkEntry    *other_tags_entry;
  GtkLabel    *swapped_label;

  OvRunner     mask_runner;
  OvRunner     match_runner;
  GPtrArray   *originals;     /* char* per word: what a clicked [MASK] replaced, or NULL */
  guint        n_predictions; /* [MASK] positions in the last result */
  OvMatchResult match;        /* the last match, NaN before one */
  gboolean     rewriting;     /* the entry is being changed by a word click */
};

G_DEFINE_FINAL_TYPE (OvMaskPanel, ov_mask_panel, OV_TYPE_PANEL)

static GStrv
split_words (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text, " \t\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

/* The checkpoint's mask token: "[MASK]" unless its special tokens map
 * renames it. */
static char *
dup_mask_token (OvMaskPanel *self)
{
  return ov_session_dup_mask_token (ov_panel_get_session (OV_PANEL (self)));
}

/* The text with clicked words put back: what the match is computed on. */
static char *
dup_unmasked_text (OvMaskPanel *self)
{
  g_auto(GStrv) words = split_words (gtk_editable_get_text (GTK_EDITABLE (self->text_entry)));
  g_autofree char *mask = dup_mask_token (self);

  for (guint i = 0; words[i] != NULL && i < self->originals->len; i++)
    {
      const char *original = g_ptr_array_index (self->originals, i);

      if (original != NULL && g_strcmp0 (words[i], mask) == 0)
        {
          g_free (words[i]);
          words[i] = g_strdup (original);
        }
    }
  return g_strjoinv (" ", words);
}

/* A word link was followed: the uri is "word:<index>". Masks the word, or
 * puts back the word a clicked [MASK] replaced. */
static gboolean
word_activated_cb (GtkLabel    *label,
                   const char  *uri,
                   OvMaskPanel *self)
{
  g_auto(GStrv) words = split_words (gtk_editable_get_text (GTK_EDITABLE (self->text_entry)));
  guint n = g_strv_length (words);
  guint64 index;
  g_autofree char *text = NULL;
  g_autofree char *mask = dup_mask_token (self);

  if (!g_str_has_prefix (uri, "word:")
      || !g_ascii_string_to_unsigned (uri + 5, 10, 0, G_MAXUINT, &index, NULL)
      || index >= n)
    return TRUE;
  if (self->originals->len < n)
    g_ptr_array_set_size (self->originals, n);

  if (g_strcmp0 (words[index], mask) == 0)
    {
      char *original = g_ptr_array_index (self->originals, index);

      if (original == NULL)
        return TRUE;
      g_free (words[index]);
      words[index] = original;
      g_ptr_array_index (self->originals, index) = NULL;
    }
  else
    {
      g_free (g_ptr_array_index (self->originals, index));
      g_ptr_array_index (self->originals, index) = words[index];
      words[index] = g_strdup (mask);
    }

  text = g_strjoinv (" ", words);
  self->rewriting = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->text_entry), text);
  self->rewriting = FALSE;
  /* The new markup puts the label's keyboard cursor back on its first
   * link; a word followed with Enter keeps it, each word being one link. */
  if (gtk_widget_has_focus (GTK_WIDGET (label)))
    for (guint64 i = 0; i < index; i++)
      gtk_widget_child_focus (GTK_WIDGET (label), GTK_DIR_TAB_FORWARD);
  return TRUE;
}

/* The words as links, so they flow like text and each one is a target for
 * the pointer and the keyboard. */
static void
rebuild_words (OvMaskPanel *self)
{
  g_auto(GStrv) words = split_words (gtk_editable_get_text (GTK_EDITABLE (self->text_entry)));
  g_autofree char *mask = dup_mask_token (self);
  GString *markup = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (words[i], -1);

      if (i > 0)
        g_string_append_c (markup, ' ');
      if (g_strcmp0 (words[i], mask) == 0)
        g_string_append_printf (markup, "<a href=\"word:%u\"><b>%s</b></a>", i, escaped);
      else
        g_string_append_printf (markup, "<a href=\"word:%u\">%s</a>", i, escaped);
    }
  gtk_label_set_markup (self->words_label, markup->str);
  g_string_free (markup, TRUE);
}

static void
show_predictions (OvMaskPanel *self,
                  GPtrArray   *predictions)
{
  GtkWidget *child;
  g_auto(GStrv) words = split_words (gtk_editable_get_text (GTK_EDITABLE (self->text_entry)));
  g_autofree char *mask = dup_mask_token (self);
  g_autoptr(GArray) masked = g_array_new (FALSE, FALSE, sizeof (guint));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->predictions_list))) != NULL)
    gtk_list_box_remove (self->predictions_list, child);
  /* the words that are [MASK], in order: the k-th prediction is the k-th */
  for (guint w = 0; words[w] != NULL; w++)
    if (g_strcmp0 (words[w], mask) == 0)
      g_array_append_val (masked, w);

  for (guint i = 0; predictions != NULL && i < predictions->len; i++)
    {
      OvMaskPrediction *p = g_ptr_array_index (predictions, i);
      GtkWidget *row = adw_action_row_new ();
      GString *line = g_string_new (NULL);
      g_autofree char *title = NULL;

      for (int k = 0; k < p->n; k++)
        {
          const char *token = ov_session_id_to_token (ov_panel_get_session (OV_PANEL (self)),
                                                     p->ids[k]);

          g_string_append_printf (line, "%s%s %.2f", k > 0 ? "   " : "",
                                  token != NULL ? token : "?", p->probs[k]);
        }
      if (i < masked->len && g_array_index (masked, guint, i) < self->originals->len
          && g_ptr_array_index (self->originals, g_array_index (masked, guint, i)) != NULL)
        /* Translators: the predictions for a [MASK] put in place of a word
         * (clicked), and its position in the model's input. */
        title = g_strdup_printf (_("In place of “%s” (position %d)"),
                                 (const char *) g_ptr_array_index (
                                   self->originals, g_array_index (masked, guint, i)),
                                 p->position);
      else
        /* Translators: a [MASK] typed into the text: the first, second...
         * and its position in the model's input. */
        title = g_strdup_printf (_("[MASK] %u (position %d)"), i + 1, p->position);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), line->str);
      gtk_list_box_append (self->predictions_list, row);
      g_string_free (line, TRUE);
    }
  self->n_predictions = predictions != NULL ? predictions->len : 0;
  gtk_widget_set_visible (GTK_WIDGET (self->predictions_list), self->n_predictions > 0);
}

static void
masks_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OvMaskPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) predictions = NULL;

  predictions = ov_session_predict_masks_finish (OV_SESSION (source), result, &error);
  if (ov_error_is_cancelled (error))
    return;
  if (predictions == NULL)
    ov_panel_report_failure (OV_PANEL (self), error->message);
  show_predictions (self, predictions);
}

static void
match_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OvMaskPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  OvMatchResult match;
  g_autofree char *text = NULL;

  if (!ov_session_match_finish (OV_SESSION (source), result, &match, &error))
    {
      if (ov_error_is_cancelled (error))
        return;
      gtk_spinner_stop (self->spinner);
      ov_panel_report_failure (OV_PANEL (self), error->message);
      return;
    }
  gtk_spinner_stop (self->spinner);
  self->match = match;
  gtk_level_bar_set_value (self->match_bar, match.probability);
  /* Translators: probability that the caption matches the image. */
  text = g_strdup_printf (_("P(match) %.2f"), match.probability);
  gtk_label_set_text (self->match_label, text);
  if (isnan (match.swapped_probability))
    gtk_label_set_text (self->swapped_label, "");
  else
    {
      g_autofree char *swapped =
        /* Translators: match probability after swapping in another image's
         * tags, and its change. */
        g_strdup_printf (_("With the other image’s tags: %.2f (%+.2f)"),
                         match.swapped_probability,
                         match.swapped_probability - match.probability);

      gtk_label_set_text (self->swapped_label, swapped);
    }
}

static void
run (OvMaskPanel *self)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->text_entry));
  g_autofree char *unmasked = NULL;
  g_autofree char *mask = dup_mask_token (self);

  /* an edit may have cancelled the match that was spinning */
  gtk_spinner_stop (self->spinner);
  if (*text == '\0')
    return;

  if (ov_panel_can_run (OV_PANEL (self), OV_TASK_MASK) && strstr (text, mask))
    ov_session_predict_masks_async (session, text, TOP_K,
                                    ov_runner_begin (&self->mask_runner),
                                    masks_ready_cb, g_object_ref (self));
  else
    show_predictions (self, NULL);

  if (ov_panel_can_run (OV_PANEL (self), OV_TASK_MATCH))
    {
      unmasked = dup_unmasked_text (self);
      gtk_spinner_start (self->spinner);
      ov_session_match_async (session, unmasked,
                              gtk_editable_get_text (GTK_EDITABLE (self->other_tags_entry)),
                              ov_runner_begin (&self->match_runner),
                              match_ready_cb, g_object_ref (self));
    }
}

static gboolean
debounced_run_cb (gpointer user_data)
{
  OvMaskPanel *self = user_data;

  self->mask_runner.timeout_id = 0;
  run (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_run (OvMaskPanel *self)
{
  /* The match in flight is for the old text or tags too: drop it with the
   * masks' run, or it would be shown for the new ones. */
  ov_runner_clear (&self->match_runner);
  ov_runner_schedule (&self->mask_runner, debounced_run_cb, self);
}

static void
text_changed_cb (OvMaskPanel *self)
{
  /* Typing shifts words about, so clicked masks forget their words. */
  if (!self->rewriting)
    g_ptr_array_set_size (self->originals, 0);
  rebuild_words (self);
  schedule_run (self);
}

static void
input_changed (OvPanel *panel)
{
  schedule_run (OV_MASK_PANEL (panel));
}

/* How long the style's focus ring takes to come in, with a margin. */
#define FOCUS_RING_US (400 * G_TIME_SPAN_MILLISECOND)

static gboolean
redraw_words_cb (GtkWidget     *label,
                 GdkFrameClock *clock,
                 gpointer       data)
{
  gint64 *until = data;

  gtk_widget_queue_draw (label);
  return gdk_frame_clock_get_frame_time (clock) < *until ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* GTK 4.8 puts the keyboard on a word link when the label takes the focus
 * from Tab or Shift+Tab, but does not redraw the label while the style
 * brings the link's focus ring in with a transition: the first word
 * focused showed no ring until something else redrew the label. Redraw it
 * while the ring comes in. */
static void
words_focus_enter_cb (GtkEventControllerFocus *focus,
                      OvMaskPanel             *self)
{
  gint64 *until = g_new (gint64, 1);

  *until = g_get_monotonic_time () + FOCUS_RING_US;
  gtk_widget_add_tick_callback (GTK_WIDGET (self->words_label), redraw_words_cb, until,
                                g_free);
}

static void
ov_mask_panel_dispose (GObject *object)
{
  OvMaskPanel *self = OV_MASK_PANEL (object);

  ov_runner_clear (&self->mask_runner);
  ov_runner_clear (&self->match_runner);
  g_clear_pointer (&self->originals, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), OV_TYPE_MASK_PANEL);
  G_OBJECT_CLASS (ov_mask_panel_parent_class)->dispose (object);
}

static void
ov_mask_panel_class_init (OvMaskPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  OvPanelClass *panel_class = OV_PANEL_CLASS (klass);

  object_class->dispose = ov_mask_panel_dispose;
  /* Masks and the match come from the same pre-training checkpoint. */
  panel_class->task = OV_TASK_MASK;
  panel_class->input_changed = input_changed;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/oscarviz/Oscarviz/ov-mask-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, reason_label);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, content);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, text_entry);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, words_label);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, predictions_list);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, match_bar);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, match_label);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, spinner);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, other_tags_entry);
  gtk_widget_class_bind_template_child (widget_class, OvMaskPanel, swapped_label);
  gtk_widget_class_set_css_name (widget_class, "ov-mask-panel");
}

static void
ov_mask_panel_init (OvMaskPanel *self)
{
  GtkEventController *focus;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->originals = g_ptr_array_new_with_free_func (g_free);
  self->match.probability = NAN;
  self->match.swapped_probability = NAN;
  g_signal_connect_swapped (self->text_entry, "changed", G_CALLBACK (text_changed_cb), self);
  g_signal_connect (self->words_label, "activate-link", G_CALLBACK (word_activated_cb), self);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "enter", G_CALLBACK (words_focus_enter_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->words_label), focus);
  g_signal_connect_swapped (self->other_tags_entry, "changed", G_CALLBACK (schedule_run), self);
  ov_panel_set_parts (OV_PANEL (self), self->content, self->reason_label);
}

void
ov_mask_panel_set_text (OvMaskPanel *self,
                        const char  *text)
{
  g_return_if_fail (OV_IS_MASK_PANEL (self));
  gtk_editable_set_text (GTK_EDITABLE (self->text_entry), text != NULL ? text : "");
}

void
ov_mask_panel_set_other_tags (OvMaskPanel *self,
                              const char  *tags)
{
  g_return_if_fail (OV_IS_MASK_PANEL (self));
  gtk_editable_set_text (GTK_EDITABLE (self->other_tags_entry), tags != NULL ? tags : "");
}

guint
ov_mask_panel_get_n_predictions (OvMaskPanel *self)
{
  g_return_val_if_fail (OV_IS_MASK_PANEL (self), 0);
  return self->n_predictions;
}

const char *
ov_mask_panel_get_prediction_title (OvMaskPanel *self,
                                    guint        index)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (OV_IS_MASK_PANEL (self), NULL);
  row = gtk_list_box_get_row_at_index (self->predictions_list, (int) index);
  return row != NULL ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) : NULL;
}

void
ov_mask_panel_toggle_word (OvMaskPanel *self,
                           guint        index)
{
  g_autofree char *uri = g_strdup_printf ("word:%u", index);

  g_return_if_fail (OV_IS_MASK_PANEL (self));
  word_activated_cb (self->words_label, uri, self);
}

OvMatchResult
ov_mask_panel_get_match (OvMaskPanel *self)
{
  OvMatchResult none = { NAN, NAN };

  g_return_val_if_fail (OV_IS_MASK_PANEL (self), none);
  return self->match;
}
