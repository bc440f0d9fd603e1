/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The finite-state machine of constrained beam search (§4.6), built as the
 * original builds it for NoCaps, quirks included:
 *
 * - Main states 0 .. 2^k - 1: bit i set = constraint i decoded. Each keeps a
 *   self-loop on every word except the first pieces of the constraints it
 *   can still take, which lead on instead.
 * - A constraint of several word pieces goes through sub-states, one per
 *   piece but the last, from every main state that lacks it; any word but
 *   the next piece falls back to that main state.
 * - The original resets a main state's self-loop to "every word" before it
 *   takes out the next constraint's pieces, so only the last constraint's
 *   pieces leave the self-loop; an earlier one's both stay and lead on.
 *   The machine is then not deterministic: a caption can sit in two states.
 *
 * The original numbers 8 main states and its sub-states after them whatever
 * k is; those beyond 2^k, and the sub-states hanging off them, can never be
 * reached from state 0 and only ever hold beams at the -1e20 of a forbidden
 * word, so they are left out: the captions are the same.
 */
#define G_LOG_DOMAIN "ov-cbs"

#include <string.h>

#include "ov-model-private.h"
#include "ov-i18n.h"

static void
arc_set (OvCbsArc *arc, gint32 word, gboolean allowed)
{
  for (guint i = 0; i < arc->except->len; i++)
    if (g_array_index (arc->except, gint32, i) == word)
      {
        /* w is allowed as !all now; it stays in except unless that must change */
        if (allowed == arc->all)
          g_array_remove_index_fast (arc->except, i);
        return;
      }
  if (allowed != arc->all)
    g_array_append_val (arc->except, word);
}

static void
arc_set_all (OvCbsArc *arc, gboolean allowed)
{
  arc->all = allowed;
  g_array_set_size (arc->except, 0);
}

gboolean
_ov_cbs_arc_allows (const OvCbsArc *arc, gint32 word)
{
  for (guint i = 0; i < arc->except->len; i++)
    if (g_array_index (arc->except, gint32, i) == word)
      return !arc->all;
  return arc->all;
}

static OvCbsArc *
arc_at (OvCbsFsm *fsm, int from, int to)
{
  return &fsm->arcs[(gsize) from * fsm->n_states + to];
}

/* The original's _connect: the forms of piece lead from -> to and leave
 * from's self-loop; with reset >= 0 every other word leads from -> reset. */
static void
connect (OvCbsFsm *fsm, int from, int to, const GArray *forms, int reset)
{
  for (guint i = 0; i < forms->len; i++)
    {
      gint32 w = g_array_index (forms, gint32, i);

      arc_set (arc_at (fsm, from, to), w, TRUE);
      arc_set (arc_at (fsm, from, from), w, FALSE);
    }
  if (reset < 0)
    return;
  arc_set_all (arc_at (fsm, from, from), FALSE);
  arc_set_all (arc_at (fsm, from, reset), TRUE);
  for (guint i = 0; i < forms->len; i++)
    arc_set (arc_at (fsm, from, reset), g_array_index (forms, gint32, i), FALSE);
}

/* The word pieces of one constraint, at most OV_CBS_MAX_PIECES (n_given,
 * may be NULL, gets how many it has before the cut). A word
 * the tokenizer can only read as [UNK] is an error: no caption could name
 * it, yet generating [UNK] would count as naming it. (Pieces a
 * cbs_constraint file gives are taken as the original takes them.) */
static GPtrArray *
constraint_pieces (OvModel *model, const OvCaptionConstraints *c, const char *constraint,
                   guint *n_given, GError **error)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = g_strsplit_set (constraint, " \t\n\r\f\v", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char * const *given;

      if (*words[i] == '\0')
        continue;
      given = c->word_pieces != NULL ? g_hash_table_lookup (c->word_pieces, words[i]) : NULL;
      if (given != NULL)
        for (guint j = 0; given[j] != NULL; j++)
          g_ptr_array_add (pieces, g_strdup (given[j]));
      else
        {
          g_autoptr(GPtrArray) cut = ov_tokenizer_tokenize (model->tokenizer, words[i]);
          const char *unk = ov_tokenizer_unk_token (model->tokenizer);

          for (guint j = 0; j < cut->len; j++)
            {
              if (g_str_equal (g_ptr_array_index (cut, j), unk))
                {
                  g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                               _ ("“%s” is not in the model's vocabulary (it reads as %s), so no "
                                  "caption can name it"), words[i], unk);
                  g_ptr_array_unref (pieces);
                  return NULL;
                }
              g_ptr_array_add (pieces, g_strdup (g_ptr_array_index (cut, j)));
            }
        }
    }
  /* the original keeps the first max_words_per_constraint */
  if (n_given != NULL)
    *n_given = pieces->len;
  if (pieces->len > OV_CBS_MAX_PIECES)
    g_ptr_array_set_size (pieces, OV_CBS_MAX_PIECES);
  return pieces;
}

GStrv
ov_caption_constraint_pieces (OvModel                    *model,
                              const OvCaptionConstraints *c,
                              int                         index,
                              guint                      *n_given,
                              GError                    **error)
{
  GPtrArray *pieces;

  g_return_val_if_fail (model != NULL && c != NULL, NULL);
  g_return_val_if_fail (index >= 0 && index < c->n_constraints, NULL);

  pieces = constraint_pieces (model, c, c->constraints[index], n_given, error);
  if (pieces == NULL)
    return NULL;
  g_ptr_array_add (pieces, NULL);
  return (GStrv) g_ptr_array_free (pieces, FALSE);
}

/* The ids of the forms of a piece, each once. */
static GArray *
piece_forms (OvModel *model, const OvCaptionConstraints *c, const char *piece)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  const char * const *forms = c->piece_forms != NULL ? g_hash_table_lookup (c->piece_forms, piece)
                                                     : NULL;
  const char *self[] = { piece, NULL };

  if (forms == NULL)
    forms = self;
  for (guint i = 0; forms[i] != NULL; i++)
    {
      gint32 id = ov_tokenizer_token_to_id (model->tokenizer, forms[i]);
      gboolean seen = FALSE;

      if (id < 0 || id >= model->config.vocab_size)
        continue;
      for (guint j = 0; j < ids->len; j++)
        seen = seen || g_array_index (ids, gint32, j) == id;
      if (!seen)
        g_array_append_val (ids, id);
    }
  return ids;
}

void
_ov_cbs_fsm_free (OvCbsFsm *fsm)
{
  if (fsm == NULL)
    return;
  for (gsize i = 0; i < (gsize) fsm->n_states * fsm->n_states; i++)
    g_array_unref (fsm->arcs[i].except);
  g_free (fsm->arcs);
  g_free (fsm);
}

OvCbsFsm *
_ov_cbs_fsm_new (OvModel *model, const OvCaptionConstraints *c, GError **error)
{
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  int k = c->n_constraints, n_main = 1 << k, n_states = n_main, sub;
  OvCbsFsm *fsm;

  if (k < 0 || k > OV_CBS_MAX_CONSTRAINTS)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("constrained beam search takes 0 to %d constraints, not %d"),
                   OV_CBS_MAX_CONSTRAINTS, k);
      return NULL;
    }
  for (int i = 0; i < k; i++)
    {
      GPtrArray *p = constraint_pieces (model, c, c->constraints[i], NULL, error);

      if (p == NULL)
        return NULL;
      if (p->len == 0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("the constraint “%s” has no word that the model could write"),
                       c->constraints[i]);
          g_ptr_array_unref (p);
          return NULL;
        }
      g_ptr_array_add (pieces, p);
      /* a sub-state per piece but the last, from each of 2^(k-1) main states */
      n_states += (n_main / 2) * ((int) p->len - 1);
    }

  fsm = g_new0 (OvCbsFsm, 1);
  fsm->n_states = n_states;
  fsm->n_main = n_main;
  fsm->n_constraints = k;
  fsm->arcs = g_new0 (OvCbsArc, (gsize) n_states * n_states);
  for (gsize i = 0; i < (gsize) n_states * n_states; i++)
    fsm->arcs[i].except = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (int s = 0; s < n_main; s++)
    arc_set_all (arc_at (fsm, s, s), TRUE);

  sub = n_main;
  for (int n = 0; n < k; n++)
    {
      GPtrArray *p = g_ptr_array_index (pieces, n);
      int stride = 1 << n;

      /* the main states without bit n, in increasing order */
      for (int from = 0; from < n_main; from++)
        {
          int at = from;

          if (from & stride)
            continue;
          for (guint i = 0; i < p->len; i++)
            {
              g_autoptr(GArray) forms = piece_forms (model, c, g_ptr_array_index (p, i));

              if (i + 1 < p->len)
                {
                  connect (fsm, at, sub, forms, from);
                  at = sub++;
                }
              else
                connect (fsm, at, from + stride, forms, from);
            }
        }
    }
  g_assert (sub == n_states);
  return fsm;
}
