/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The question panel asks the VQA checkpoint a moment after the user stops
 * typing, and again when the tags change. Questions confirmed with Enter go
 * into the history kept in GSettings. Words the model's vocabulary lacks
 * are named beside the answers, since the model reads each as [UNK]. The
 * sample's own questions are listed under the answers and head the
 * question menu; when one of them is asked its reference answers show with
 * the score the top answer earns.
 */
#define G_LOG_DOMAIN "ov-vqa-panel"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ov-answer-chart.h"
#include "ov-panel-util.h"
#include "ov-vqa-panel.h"

#define HISTORY_MAX 20

struct _OvVqaPanel
{
  OvPanel        parent_instance;

  GtkScrolledWindow *scroller;
  GtkLabel      *reason_label;
  GtkWidget     *content;
  GtkEntry      *question_entry;
  GtkMenuButton *history_button;
  GtkLabel      *answers_label;
  GtkSpinner    *spinner;
  OvAnswerChart *chart;
  GtkWidget     *hint_label;
  GtkLabel      *unknown_label;
  GtkLabel      *reference_label;
  GtkWidget     *own_box;
  GtkListBox    *own_list;

  GSettings     *settings;
  OvRunner       runner;
  guint          n_runs;
  char          *question;   /* the entry's text, stripped */
  char          *asked;      /* the question of the run in flight */
};

G_DEFINE_FINAL_TYPE (OvVqaPanel, ov_vqa_panel, OV_TYPE_PANEL)

enum {
  PROP_0,
  PROP_QUESTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void mark_own_question (OvVqaPanel *self);

static void
question_changed_cb (OvVqaPanel *self)
{
  g_autofree char *question =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->question_entry))));

  if (g_strcmp0 (question, self->question) == 0)
    return;
  g_free (self->question);
  self->question = g_steal_pointer (&question);
  mark_own_question (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUESTION]);
}

const char *
ov_vqa_panel_get_question (OvVqaPanel *self)
{
  g_return_val_if_fail (OV_IS_VQA_PANEL (self), NULL);
  return self->question;
}

static void
ov_vqa_panel_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_QUESTION:
      g_value_set_string (value, OV_VQA_PANEL (object)->question);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
update_answers_label (OvVqaPanel *self)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  const char *path = session != NULL ? ov_session_get_answer_list_path (session) : NULL;
  g_autofree char *text = NULL;

  if (path != NULL)
    {
      g_autofree char *name = g_path_get_basename (path);

      /* Translators: %s is the file name of the answer list. */
      text = g_strdup_printf (_("Answers from %s"), name);
    }
  else
    text = g_strdup (_("No answer list: answers are shown by number"));
  gtk_label_set_text (self->answers_label, text);
}

/* Says which words of the question the model reads as [UNK], and how much
 * of a question too long for its input it reads; hidden when neither. */
static void
update_unknown_note (OvVqaPanel *self,
                     const char *question)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  g_auto(GStrv) unknown = NULL;
  g_autofree char *text = NULL;
  g_autofree char *cut = NULL;
  guint n_words = 0, n_unknown;
  OvInputKept kept;

  if (session == NULL || question == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->unknown_label), FALSE);
      return;
    }
  if (ov_session_get_task_input_kept (session, OV_TASK_VQA, question, &kept)
      && kept.text_pieces_kept < kept.text_pieces)
    /* Translators: "The model reads 20 of the question's 36 word pieces; …" */
    cut = g_strdup_printf (_("The model reads %d of the question’s %d word pieces; the rest "
                             "do not fit its max_seq_length and are left out, as Oscar leaves "
                             "them out."), kept.text_pieces_kept, kept.text_pieces);
  {
    /* Translators: above the answers when the sample has boxes but no
     * region features, or when the model was given neither tags nor
     * regions. */
    const char *input = ov_session_input_is_empty (session)
                        ? _("The model is given no tags and no regions: the answers come from "
                            "the question alone.")
                        : ov_session_sample_lacks_features (session)
                        ? _("This sample has no region features: the model reads its tags "
                            "alone.")
                        : NULL;

    if (input != NULL)
      {
        char *both = g_strconcat (input, cut != NULL ? "\n" : "", cut, NULL);

        g_free (cut);
        cut = both;
      }
  }
  unknown = ov_session_dup_unknown_words (session, OV_TASK_VQA, question, &n_words);
  n_unknown = g_strv_length (unknown);
  if (n_unknown == 0 && cut == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->unknown_label), FALSE);
      return;
    }
  if (n_unknown == 0)
    text = g_steal_pointer (&cut);
  else if (n_unknown == n_words)
    text = g_strdup (_("The model knows none of these words: it reads each one as [UNK], "
                       "so the answers below do not come from what the question says."));
  else
    {
      g_autofree char *list = ov_dup_quoted_words ((const char *const *) unknown);

      /* Translators: "2 of 6 words are not in the model's vocabulary…":
       * the plural follows the first number. */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u of %u words is not in the model’s vocabulary "
                                           "and reads as [UNK]: %s",
                                           "%u of %u words are not in the model’s vocabulary "
                                           "and read as [UNK]: %s", n_unknown),
                              n_unknown, n_words, list);
    }
  if (cut != NULL)
    {
      char *both = g_strconcat (text, "\n", cut, NULL);

      g_free (text);
      text = both;
    }
  gtk_label_set_text (self->unknown_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->unknown_label), TRUE);
}

/* The reference answers of the sample's question being asked, and the soft
 * VQA score of the top answer against them; hidden for other questions. */
static void
update_reference (OvVqaPanel      *self,
                  const OvAnswers *answers)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  const OvSample *sample = session != NULL ? ov_session_get_sample (session) : NULL;
  const OvQuestion *q = ov_sample_find_question (sample, self->asked);
  g_autoptr(GString) text = NULL;
  double score;

  if (answers == NULL || answers->n == 0 || !ov_question_has_reference (q))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->reference_label), FALSE);
      return;
    }
  text = g_string_new (NULL);
  if (q->n_labels > 0)
    {
      for (guint k = 0; k < q->n_labels; k++)
        {
          const char *name = ov_session_get_label_answer (session, q->labels[k]);

          if (k > 0)
            g_string_append (text, C_("word list", ", "));
          if (name != NULL)
            /* Translators: a reference answer and its VQA score, "red (0.90)". */
            g_string_append_printf (text, _("%s (%.2f)"), name, q->label_scores[k]);
          else
            /* Translators: a reference answer known only by its number, and its score. */
            g_string_append_printf (text, _("answer %lld (%.2f)"), (long long) q->labels[k],
                                    q->label_scores[k]);
        }
    }
  else if (ov_session_answer_is_listed (session, q->answer))
    g_string_append (text, q->answer);
  else
    /* Translators: a reference answer that the model's answer list lacks,
     * so that no answer of the model scores anything against it. */
    g_string_append_printf (text, _("%s (not one of the model’s answers)"), q->answer);
  /* without an answer list a text reference has no name to compare with */
  score = ov_question_top_score (q, ov_session_get_answer_label (session, answers->indices[0]),
                                 ov_session_get_answer_name (session, answers->indices[0]));
  {
    const char *top = ov_session_get_answer_name (session, answers->indices[0]);
    g_autofree char *top_name = top != NULL ? g_strdup (top)
                                            /* Translators: an answer known only by its number */
                                            : g_strdup_printf (_("answer %lld"),
                                                               (long long) answers->indices[0]);
    /* Translators: the dataset's answers to this question, then the
     * model's best answer and the VQA score (0 to 1) it earns against
     * them: "Reference: red (1.00) · the model's “blue” scores 0.00 of 1". */
    g_autofree char *line = score >= 0.0
                            ? g_strdup_printf (_("Reference: %s · the model’s “%s” scores %.2f "
                                                 "of 1"), text->str, top_name, score)
                            /* Translators: the dataset's answers to this question */
                            : g_strdup_printf (_("Reference: %s"), text->str);

    gtk_label_set_text (self->reference_label, line);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->reference_label), TRUE);
}

static void
answer_ready_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(OvVqaPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OvAnswers) answers = NULL;

  answers = ov_session_answer_finish (OV_SESSION (source), result, &error);
  if (ov_error_is_cancelled (error))
    return;
  gtk_spinner_stop (self->spinner);
  if (answers == NULL)
    {
      ov_answer_chart_set_answers (self->chart, NULL);
      update_unknown_note (self, NULL);
      update_reference (self, NULL);
      ov_panel_report_failure (OV_PANEL (self), error->message);
      return;
    }
  self->n_runs++;
  if (answers->n_listed > 0 && answers->n_listed != answers->n_classes)
    {
      /* Translators: the answer list does not fit the model */
      g_autofree char *text = g_strdup_printf (_("The answer list has %d answers but the model "
                                                 "%d classes: answers are shown by number"),
                                               answers->n_listed, answers->n_classes);

      gtk_label_set_text (self->answers_label, text);
    }
  else
    update_answers_label (self);
  ov_answer_chart_set_answers (self->chart, answers);
  update_unknown_note (self, self->asked);
  update_reference (self, answers);
  gtk_widget_set_visible (self->hint_label, FALSE);
}

static void
run (OvVqaPanel *self)
{
  g_autofree char *question = NULL;
  GCancellable *cancellable;

  if (!ov_panel_can_run (OV_PANEL (self), OV_TASK_VQA))
    {
      /* an edit may have cancelled the run that was spinning */
      gtk_spinner_stop (self->spinner);
      return;
    }
  question = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->question_entry))));
  if (*question == '\0')
    {
      ov_runner_clear (&self->runner);
      gtk_spinner_stop (self->spinner);
      ov_answer_chart_set_answers (self->chart, NULL);
      update_unknown_note (self, NULL);
      update_reference (self, NULL);
      gtk_widget_set_visible (self->hint_label, TRUE);
      return;
    }

  g_free (self->asked);
  self->asked = g_strdup (question);
  cancellable = ov_runner_begin (&self->runner);
  gtk_spinner_start (self->spinner);
  ov_session_answer_async (ov_panel_get_session (OV_PANEL (self)), question,
                           g_settings_get_int (self->settings, "answer-count"),
                           cancellable, answer_ready_cb, g_object_ref (self));
}

static gboolean
debounced_run_cb (gpointer user_data)
{
  OvVqaPanel *self = user_data;

  self->runner.timeout_id = 0;
  run (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_run (OvVqaPanel *self)
{
  ov_runner_schedule (&self->runner, debounced_run_cb, self);
}

static void
add_question_item (GMenu      *section,
                   const char *question)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (question, NULL);

  g_menu_item_set_action_and_target_value (item, "vqa.ask", g_variant_new_string (question));
  g_menu_append_item (section, item);
}

/* The sample's own questions (as a person writes them), then the ones
 * asked before. */
static void
rebuild_history_menu (OvVqaPanel *self)
{
  g_auto(GStrv) history = g_settings_get_strv (self->settings, "question-history");
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  const OvSample *sample = session != NULL ? ov_session_get_sample (session) : NULL;
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) own = g_menu_new ();
  g_autoptr(GMenu) earlier = g_menu_new ();

  for (guint i = 0; sample != NULL && i < sample->questions->len; i++)
    {
      const OvQuestion *q = g_ptr_array_index (sample->questions, i);
      g_autofree char *plain = ov_text_dup_untokenized (q->question);

      add_question_item (own, plain);
    }
  for (guint i = 0; history[i] != NULL; i++)
    add_question_item (earlier, history[i]);
  if (g_menu_model_get_n_items (G_MENU_MODEL (own)) > 0)
    g_menu_append_section (menu, _("This Image"), G_MENU_MODEL (own));
  if (history[0] != NULL)
    g_menu_append_section (menu, _("Earlier"), G_MENU_MODEL (earlier));
  gtk_menu_button_set_menu_model (self->history_button, G_MENU_MODEL (menu));
  gtk_widget_set_sensitive (GTK_WIDGET (self->history_button),
                            g_menu_model_get_n_items (G_MENU_MODEL (menu)) > 0);
}

/* Marks the row of the sample's question that is in the entry. */
static void
mark_own_question (OvVqaPanel *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->own_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *question = g_object_get_data (G_OBJECT (row), "question");
      GtkWidget *mark = g_object_get_data (G_OBJECT (row), "mark");

      if (mark != NULL)
        gtk_widget_set_visible (mark, g_strcmp0 (question, self->question) == 0);
    }
}

/* The sample's own questions as rows under the answers: a teacher asks the
 * dataset's questions with a click, without opening the menu. */
static void
rebuild_own_questions (OvVqaPanel *self)
{
  OvSession *session = ov_panel_get_session (OV_PANEL (self));
  const OvSample *sample = session != NULL ? ov_session_get_sample (session) : NULL;
  guint n = sample != NULL ? sample->questions->len : 0;
  GtkWidget *old;

  while ((old = gtk_widget_get_first_child (GTK_WIDGET (self->own_list))) != NULL)
    gtk_list_box_remove (self->own_list, old);
  for (guint i = 0; i < n; i++)
    {
      const OvQuestion *q = g_ptr_array_index (sample->questions, i);
      g_autofree char *plain = ov_text_dup_untokenized (q->question);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *mark = gtk_image_new_from_icon_name ("object-select-symbolic");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), plain);
      gtk_widget_set_tooltip_text (mark, _("In the question box"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("In the question box"), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), mark);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "vqa.ask");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row),
                                              g_variant_new_string (plain));
      g_object_set_data_full (G_OBJECT (row), "question", g_steal_pointer (&plain), g_free);
      g_object_set_data (G_OBJECT (row), "mark", mark);
      gtk_list_box_append (self->own_list, row);
    }
  gtk_widget_set_visible (self->own_box, n > 0);
  mark_own_question (self);
}

guint
ov_vqa_panel_get_n_own_questions (OvVqaPanel *self)
{
  guint n = 0;

  g_return_val_if_fail (OV_IS_VQA_PANEL (self), 0);

  if (!gtk_widget_get_visible (self->own_box))
    return 0;
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->own_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

void
ov_vqa_panel_activate_own_question (OvVqaPanel *self,
                                    guint       index)
{
  GtkListBoxRow *row;

  g_return_if_fail (OV_IS_VQA_PANEL (self));

  row = gtk_list_box_get_row_at_index (self->own_list, (int) index);
  g_return_if_fail (row != NULL);
  gtk_widget_activate (GTK_WIDGET (row));
}

static void
remember_question (OvVqaPanel *self,
                   const char *question)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "question-history");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) history = NULL;
  guint n = 1;

  g_strv_builder_add (builder, question);
  for (guint i = 0; old[i] != NULL && n < HISTORY_MAX; i++)
    if (g_strcmp0 (old[i], question) != 0)
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  history = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "question-history", (const char *const *) history);
}

static void
entry_activate_cb (OvVqaPanel *self)
{
  g_autofree char *question =
    g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->question_entry))));

  run (self);
  if (*question != '\0')
    remember_question (self, question);
}

static void
ask_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  OvVqaPanel *self = OV_VQA_PANEL (widget);

  ov_vqa_panel_set_question (self, g_variant_get_string (parameter, NULL));
  /* the question asked from the list under the answers: the answers and
   * its reference are what to see next, above the list */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0.0);
}

static void
answers_chosen_cb (GtkNativeDialog *dialog,
                   int              response,
                   OvVqaPanel      *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_object_unref (dialog);
  if (file == NULL || ov_panel_get_session (OV_PANEL (self)) == NULL)
    return;

  path = g_file_get_path (file);
  if (path == NULL
      || !ov_session_load_answer_list (ov_panel_get_session (OV_PANEL (self)), path, &error))
    {
      ov_panel_report_failure (OV_PANEL (self), error != NULL
                                                ? error->message
                                                : _("The answer list is not a local file."));
      return;
    }
  update_answers_label (self);
  run (self);
}

static void
choose_answers_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  OvVqaPanel *self = OV_VQA_PANEL (widget);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Choose an Answer List"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (answers_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
input_changed (OvPanel *panel)
{
  /* A new checkpoint may bring its own answer list, a new sample its own
   * questions. */
  update_answers_label (OV_VQA_PANEL (panel));
  rebuild_history_menu (OV_VQA_PANEL (panel));
  rebuild_own_questions (OV_VQA_PANEL (panel));
  schedule_run (OV_VQA_PANEL (panel));
}

static void
ov_vqa_panel_dispose (GObject *object)
{
  OvVqaPanel *self = OV_VQA_PANEL (object);

  ov_runner_clear (&self->runner);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->question, g_free);
  g_clear_pointer (&self->asked, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), OV_TYPE_VQA_PANEL);
  G_OBJECT_CLASS (ov_vqa_panel_parent_class)->dispose (object);
}

static void
ov_vqa_panel_class_init (OvVqaPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  OvPanelClass *panel_class = OV_PANEL_CLASS (klass);

  object_class->dispose = ov_vqa_panel_dispose;
  object_class->get_property = ov_vqa_panel_get_property;
  /* The question in the entry, stripped; "" when empty. */
  properties[PROP_QUESTION] =
    g_param_spec_string ("question", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  panel_class->task = OV_TASK_VQA;
  panel_class->input_changed = input_changed;

  g_type_ensure (OV_TYPE_ANSWER_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/oscarviz/Oscarviz/ov-vqa-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, reason_label);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, content);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, question_entry);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, history_button);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, answers_label);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, spinner);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, chart);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, hint_label);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, unknown_label);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, reference_label);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, own_box);
  gtk_widget_class_bind_template_child (widget_class, OvVqaPanel, own_list);
  gtk_widget_class_install_action (widget_class, "vqa.ask", "s", ask_action);
  gtk_widget_class_install_action (widget_class, "vqa.choose-answers", NULL,
                                   choose_answers_action);
  gtk_widget_class_set_css_name (widget_class, "ov-vqa-panel");
}

static void
ov_vqa_panel_init (OvVqaPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed::question-history",
                           G_CALLBACK (rebuild_history_menu), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::answer-count",
                           G_CALLBACK (schedule_run), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->question_entry, "changed", G_CALLBACK (schedule_run), self);
  g_signal_connect_swapped (self->question_entry, "changed", G_CALLBACK (question_changed_cb),
                            self);
  g_signal_connect_swapped (self->question_entry, "activate",
                            G_CALLBACK (entry_activate_cb), self);
  rebuild_history_menu (self);
  update_answers_label (self);
  ov_panel_set_parts (OV_PANEL (self), self->content, self->reason_label);
}

void
ov_vqa_panel_set_question (OvVqaPanel *self,
                           const char *question)
{
  g_return_if_fail (OV_IS_VQA_PANEL (self));

  gtk_editable_set_text (GTK_EDITABLE (self->question_entry), question != NULL ? question : "");
  gtk_editable_set_position (GTK_EDITABLE (self->question_entry), -1);
}

void
ov_vqa_panel_focus (OvVqaPanel *self)
{
  g_return_if_fail (OV_IS_VQA_PANEL (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->question_entry));
}

const char *
ov_vqa_panel_get_top_answer (OvVqaPanel *self)
{
  g_return_val_if_fail (OV_IS_VQA_PANEL (self), NULL);
  return ov_answer_chart_get_label (self->chart, 0);
}

guint
ov_vqa_panel_get_n_runs (OvVqaPanel *self)
{
  g_return_val_if_fail (OV_IS_VQA_PANEL (self), 0);
  return self->n_runs;
}

const char *
ov_vqa_panel_get_unknown_note (OvVqaPanel *self)
{
  g_return_val_if_fail (OV_IS_VQA_PANEL (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->unknown_label)))
    return NULL;
  return gtk_label_get_text (self->unknown_label);
}

const char *
ov_vqa_panel_get_reference (OvVqaPanel *self)
{
  g_return_val_if_fail (OV_IS_VQA_PANEL (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->reference_label)))
    return NULL;
  return gtk_label_get_text (self->reference_label);
}

GMenuModel *
ov_vqa_panel_get_question_menu (OvVqaPanel *self)
{
  g_return_val_if_fail (OV_IS_VQA_PANEL (self), NULL);
  return gtk_menu_button_get_menu_model (self->history_button);
}
