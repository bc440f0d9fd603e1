/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Input assembly exactly as the original code builds it: VQA (§5.1),
 * pre-training / matching (§6.1) and the uncached caption step (§4.3), with
 * a segment and a label for every position so the views can name rows.
 */
#define G_LOG_DOMAIN "ov-inputs"

#include <math.h>
#include <string.h>

#include "ov-model-private.h"
#include "ov-i18n.h"

/* More region rows than any detector keeps; a guard against absurd settings. */
#define OV_MAX_REGION_ROWS 4096

void
ov_encoding_free (OvEncoding *enc)
{
  int s;

  if (enc == NULL)
    return;
  s = enc->inputs.n_text + enc->inputs.n_regions;
  if (enc->labels != NULL)
    for (int i = 0; i < s; i++)
      g_free (enc->labels[i]);
  g_free (enc->labels);
  g_free (enc->segments);
  g_free (enc->input_ids);
  g_free (enc->token_type_ids);
  g_free (enc->position_ids);
  g_free (enc->img_feats);
  g_free (enc->attention_mask);
  g_free (enc);
}

/* Allocates every array for T text positions and N region rows and points
 * the OvInputs view at them. */
static OvEncoding *
encoding_new (OvModel *model, int t, int n, gboolean mask_2d)
{
  OvEncoding *enc = g_new0 (OvEncoding, 1);
  int s = t + n, d = model->config.img_feature_dim;

  enc->input_ids = g_new0 (gint32, MAX (t, 1));
  enc->token_type_ids = g_new0 (gint32, MAX (t, 1));
  enc->position_ids = g_new0 (gint32, MAX (t, 1));
  enc->img_feats = g_new0 (float, MAX ((gsize) n * d, 1));
  enc->attention_mask = g_new0 (float, mask_2d ? (gsize) s * s : (gsize) s);
  enc->segments = g_new0 (OvSegment, s);
  enc->labels = g_new0 (char *, s);
  enc->inputs.n_text = t;
  enc->inputs.input_ids = enc->input_ids;
  enc->inputs.token_type_ids = enc->token_type_ids;
  enc->inputs.position_ids = enc->position_ids;
  enc->inputs.n_regions = n;
  enc->inputs.img_feats = enc->img_feats;
  enc->inputs.attention_mask = enc->attention_mask;
  enc->inputs.mask_2d = mask_2d;
  return enc;
}

/* Checks the regions and returns how many of the first max_rows are kept. */
static gboolean
check_regions (OvModel *model, const OvRegions *regions, int max_rows, int *n_keep,
               GError **error)
{
  int d = model->config.img_feature_dim;

  *n_keep = 0;
  if (regions == NULL || regions->n_regions == 0)
    return TRUE;
  if (regions->n_regions < 0 || regions->features == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT, _ ("the region list is invalid"));
      return FALSE;
    }
  if (regions->dim != d)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("the region features are %d wide, the model (%s) takes %d"),
                   regions->dim, model->path, d);
      return FALSE;
    }
  *n_keep = MIN (regions->n_regions, max_rows);
  for (gsize i = 0; i < (gsize) *n_keep * d; i++)
    if (!isfinite (regions->features[i]))
      {
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _ ("region %zu has a feature value that is not a finite number "
                        "(feature %zu)"), i / d, i % d);
        return FALSE;
      }
  return TRUE;
}

static void
label_regions (OvEncoding *enc, int first, int n_rows, int n_valid)
{
  for (int k = 0; k < n_rows; k++)
    {
      enc->segments[first + k] = k < n_valid ? OV_SEGMENT_REGION : OV_SEGMENT_PAD;
      /* counted from 1, as the window and the figures count regions */
      enc->labels[first + k] = k < n_valid ? g_strdup_printf ("region %d", k + 1)
                                           : g_strdup ("[PAD]");
    }
}

static char *
token_label (OvModel *model, gint32 id)
{
  const char *tok = ov_tokenizer_id_to_token (model->tokenizer, id);

  return g_strdup (tok != NULL ? tok : "?");
}

/* Whether Python's str.strip () leaves nothing of text: every character
 * one that str.isspace () is true of (ASCII white space, the separators
 * U+001C to U+001F, U+0085, and the Unicode space separators). */
static gboolean
is_python_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        return FALSE;
      if (!(g_unichar_isspace (c) || c == 0x0b || (c >= 0x1c && c <= 0x1f) || c == 0x85
            || g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR))
        return FALSE;
    }
  return TRUE;
}

/* The second text of a pair as Oscar's VQA reads its tags:
 * o.replace(';', ' ').strip(), taken only when that is not empty. NULL for
 * none (text_b NULL or blank). */
static char *
pair_second_text (const char *text_b)
{
  g_autofree char *read = NULL;

  if (text_b == NULL)
    return NULL;
  read = g_strdelimit (g_strdup (text_b), ";", ' ');
  return is_python_blank (read) ? NULL : g_steal_pointer (&read);
}

/* _truncate_seq_pair: drop the last piece of the longer list (of b on a tie). */
static void
truncate_pair (GArray *a, GArray *b, int max_len)
{
  while ((int) (a->len + b->len) > max_len)
    {
      if (a->len > b->len)
        g_array_set_size (a, a->len - 1);
      else
        g_array_set_size (b, b->len - 1);
    }
}

/* [CLS] a [SEP] b [SEP] + regions, 1-D mask: the VQA and pre-training layout. */
static OvEncoding *
prepare_pair (OvModel *model, const char *text_a, const char *text_b,
              const OvRegions *regions, int max_seq_length, GError **error)
{
  OvTokenizer *tok = model->tokenizer;
  int max_img = model->settings.max_img_seq_length;
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autofree char *b_text = NULL;
  OvEncoding *enc;
  int n_keep, t, n_real;

  if (text_a == NULL || text_a[0] == '\0')
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT, _ ("the text is empty"));
      return NULL;
    }
  if (max_seq_length < 3 || max_seq_length > model->config.max_position_embeddings)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("a text length of %d does not fit (3 to max_position_embeddings %d)"),
                   max_seq_length, model->config.max_position_embeddings);
      return NULL;
    }
  if (max_img < 0 || max_img > OV_MAX_REGION_ROWS)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("max_img_seq_length %d is outside 0 to %d"), max_img, OV_MAX_REGION_ROWS);
      return NULL;
    }
  if (!check_regions (model, regions, max_img, &n_keep, error))
    return NULL;
  a = ov_tokenizer_encode (tok, text_a);
  if (a->len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("the text \"%s\" has no word pieces"), text_a);
      return NULL;
    }
  /* VQA tag strings separate tags with ';' (§5.1); a second segment that
   * is not blank is taken even where it has no word pieces (then it is cut
   * as a pair, to max_seq_length - 3, and gets no [SEP]) */
  b_text = pair_second_text (text_b);
  if (b_text != NULL)
    {
      b = ov_tokenizer_encode (tok, b_text);
      truncate_pair (a, b, max_seq_length - 3);
    }
  else if ((int) a->len > max_seq_length - 2)
    g_array_set_size (a, max_seq_length - 2);

  t = max_seq_length;
  enc = encoding_new (model, t, max_img, FALSE);
  n_real = 0;
  enc->input_ids[n_real] = ov_tokenizer_cls_id (tok);
  enc->segments[n_real++] = OV_SEGMENT_SPECIAL;
  for (guint i = 0; i < a->len; i++)
    {
      enc->input_ids[n_real] = g_array_index (a, gint32, i);
      enc->segments[n_real++] = OV_SEGMENT_WORD;
    }
  enc->input_ids[n_real] = ov_tokenizer_sep_id (tok);
  enc->segments[n_real++] = OV_SEGMENT_SPECIAL;
  if (b != NULL && b->len > 0)
    {
      for (guint i = 0; i < b->len; i++)
        {
          enc->input_ids[n_real] = g_array_index (b, gint32, i);
          enc->token_type_ids[n_real] = 1;
          enc->segments[n_real++] = OV_SEGMENT_TAG;
        }
      enc->input_ids[n_real] = ov_tokenizer_sep_id (tok);
      enc->token_type_ids[n_real] = 1;
      enc->segments[n_real++] = OV_SEGMENT_SPECIAL;
    }
  for (int i = 0; i < t; i++)
    {
      enc->position_ids[i] = i;
      if (i >= n_real)
        {
          enc->input_ids[i] = ov_tokenizer_pad_id (tok);
          enc->segments[i] = OV_SEGMENT_PAD;
        }
      else if (enc->input_ids[i] == ov_tokenizer_mask_id (tok))
        enc->segments[i] = OV_SEGMENT_SPECIAL;
      enc->attention_mask[i] = i < n_real ? 1.0f : 0.0f;
      enc->labels[i] = token_label (model, enc->input_ids[i]);
    }
  if (n_keep > 0)
    memcpy (enc->img_feats, regions->features,
            (gsize) n_keep * model->config.img_feature_dim * sizeof (float));
  for (int k = 0; k < max_img; k++)
    enc->attention_mask[t + k] = k < n_keep ? 1.0f : 0.0f;
  label_regions (enc, t, max_img, n_keep);
  return enc;
}

OvEncoding *
ov_model_prepare_vqa (OvModel *model, const char *question, const char *tags,
                      const OvRegions *regions, GError **error)
{
  g_autofree char *q = NULL;

  g_return_val_if_fail (model != NULL, NULL);

  q = g_strstrip (g_strdup (question != NULL ? question : ""));
  if (q[0] == '\0')
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT, _ ("the question is empty"));
      return NULL;
    }
  return prepare_pair (model, question, tags, regions, model->settings.vqa_max_seq_length,
                       error);
}

OvEncoding *
ov_model_prepare_pretrain (OvModel *model, const char *text, const char *tags,
                           const OvRegions *regions, GError **error)
{
  g_return_val_if_fail (model != NULL, NULL);

  return prepare_pair (model, text, tags, regions, model->settings.pretrain_max_seq_length,
                       error);
}

gboolean
ov_model_count_input_kept (OvModel *model, OvTask task, const char *text, const char *tags,
                           const OvRegions *regions, OvInputKept *kept, GError **error)
{
  g_autoptr(OvEncoding) enc = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  int seq_len;

  g_return_val_if_fail (model != NULL && kept != NULL, FALSE);

  memset (kept, 0, sizeof *kept);
  if (task == OV_TASK_CAPTION)
    {
      gint32 cls = ov_tokenizer_cls_id (model->tokenizer);

      enc = ov_model_prepare_caption_step (model, &cls, 1, tags, regions, error);
    }
  else if (task == OV_TASK_VQA)
    enc = ov_model_prepare_vqa (model, text, tags, regions, error);
  else
    enc = ov_model_prepare_pretrain (model, text, tags, regions, error);
  if (enc == NULL)
    return FALSE;
  /* the tags as the layout reads them: a VQA or pre-training pair reads
   * ';' as a space, and blank tags as none (prepare_pair) */
  if (task != OV_TASK_CAPTION)
    {
      g_autofree char *read = pair_second_text (tags);

      pieces = ov_tokenizer_tokenize (model->tokenizer, read != NULL ? read : "");
    }
  else
    pieces = ov_tokenizer_tokenize (model->tokenizer, tags != NULL ? tags : "");
  kept->tag_pieces = (int) pieces->len;
  kept->regions = regions != NULL ? regions->n_regions : 0;
  seq_len = enc->inputs.n_text + enc->inputs.n_regions;
  for (int i = 0; i < seq_len; i++)
    {
      kept->tag_pieces_kept += enc->segments[i] == OV_SEGMENT_TAG;
      kept->regions_kept += enc->segments[i] == OV_SEGMENT_REGION;
    }
  if (task != OV_TASK_CAPTION && text != NULL)
    {
      g_autoptr(GPtrArray) words = ov_tokenizer_tokenize (model->tokenizer, text);
      int first_segment = 0;

      /* [CLS] text [SEP] are the first segment (token type 0) */
      for (int i = 0; i < enc->inputs.n_text; i++)
        first_segment += enc->token_type_ids[i] == 0 && enc->segments[i] != OV_SEGMENT_PAD;
      kept->text_pieces = (int) words->len;
      kept->text_pieces_kept = MAX (first_segment - 2, 0);
    }
  return TRUE;
}

void
_ov_caption_context_free (OvCaptionContext *ctx)
{
  if (ctx == NULL)
    return;
  g_free (ctx->tag_ids);
  g_free (ctx->tag_types);
  g_free (ctx->tag_pos);
  g_free (ctx->img);
  g_free (ctx);
}

/* Oscar's test-time --max_seq_length default, which stays when
 * training_args.bin has no max_seq_a_length (restore_training_settings). */
#define OSCAR_TEST_MAX_SEQ_LENGTH 70

/* Tag slots, [SEP] included, of a caption of max_len tokens. */
static int
caption_tag_slots (const OvTaskSettings *st,
                   int                   max_len)
{
  if (!st->add_od_labels)
    return 0;
  return st->od_labels_follow_length ? OSCAR_TEST_MAX_SEQ_LENGTH - max_len : st->od_labels_len;
}

/* Whether the tag slots of a caption of max_len tokens are a number
 * Oscar's tensorizer can fill: none or more, and when they follow the
 * length at least the slot of the tags' [SEP]. */
static gboolean
caption_slots_valid (const OvTaskSettings *st,
                     int                   max_len)
{
  int slots = caption_tag_slots (st, max_len);

  return slots >= 0 && !(st->add_od_labels && st->od_labels_follow_length && slots < 1);
}

/* Whether a caption of max_len tokens fits the positions and its tags. */
static gboolean
caption_length_fits (const OvModel *model,
                     int            max_len)
{
  const OvTaskSettings *st = &model->settings;

  return max_len >= 2 && caption_slots_valid (st, max_len)
         && MAX (st->max_seq_a_length, max_len) + caption_tag_slots (st, max_len)
            <= model->config.max_position_embeddings
         && max_len <= model->config.max_position_embeddings;
}

int
ov_model_max_caption_length (OvModel *model)
{
  int most = 0;

  g_return_val_if_fail (model != NULL, 0);

  /* the tag slots shrink or stay as the caption grows: the lengths that
   * fit run from 2 up to the answer */
  for (int n = 2; n <= model->config.max_position_embeddings; n++)
    if (caption_length_fits (model, n))
      most = n;
    else if (most > 0)
      break;
  return most;
}

OvCaptionContext *
_ov_caption_context_new (OvModel *model, int max_len, const char *tags,
                         const OvRegions *regions, GError **error)
{
  const OvTaskSettings *st = &model->settings;
  OvTokenizer *tok = model->tokenizer;
  g_autoptr(OvCaptionContext) ctx = g_new0 (OvCaptionContext, 1);
  int start;

  if (max_len <= 0)
    max_len = st->max_gen_length;
  start = MAX (st->max_seq_a_length, max_len);
  if (max_len < 2 || st->od_labels_len < 0 || st->max_img_seq_length < 0
      || st->max_img_seq_length > OV_MAX_REGION_ROWS
      || !caption_slots_valid (st, max_len))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("caption settings out of range (max_length %d, tag slots %d, regions "
                      "%d)"), max_len, caption_tag_slots (st, max_len), st->max_img_seq_length);
      return NULL;
    }
  ctx->n_tag_slots = caption_tag_slots (st, max_len);
  if (start + ctx->n_tag_slots > model->config.max_position_embeddings
      || max_len > model->config.max_position_embeddings)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("caption positions reach %d, beyond max_position_embeddings %d"),
                   start + ctx->n_tag_slots, model->config.max_position_embeddings);
      return NULL;
    }
  if (!check_regions (model, regions, st->max_img_seq_length, &ctx->n_img_valid, error))
    return NULL;

  ctx->tag_ids = g_new0 (gint32, MAX (ctx->n_tag_slots, 1));
  ctx->tag_types = g_new0 (gint32, MAX (ctx->n_tag_slots, 1));
  ctx->tag_pos = g_new0 (gint32, MAX (ctx->n_tag_slots, 1));
  if (ctx->n_tag_slots > 0 && tags != NULL && tags[0] != '\0')
    {
      g_autoptr(GArray) ids = ov_tokenizer_encode (tok, tags);
      /* tag word pieces are cut to max_seq_length - max_gen_length - 1
       * (§4.3); Oscar's "if text_b:" asks only whether the string is
       * empty, so tags of no word pieces (blank class names) still give
       * their [SEP] */
      int keep = MIN ((int) ids->len, ctx->n_tag_slots - 1);

      for (int i = 0; i < keep; i++)
        {
          ctx->tag_ids[i] = g_array_index (ids, gint32, i);
          ctx->tag_types[i] = 1;
        }
      ctx->tag_ids[keep] = ov_tokenizer_sep_id (tok);
      ctx->tag_types[keep] = 1;
      ctx->n_tags_valid = keep + 1;
    }
  for (int i = 0; i < ctx->n_tag_slots; i++)
    {
      ctx->tag_pos[i] = start + i;
      if (i >= ctx->n_tags_valid)
        ctx->tag_ids[i] = ov_tokenizer_pad_id (tok);
    }
  ctx->n_img = st->max_img_seq_length;
  ctx->img = g_new0 (float, MAX ((gsize) ctx->n_img * model->config.img_feature_dim, 1));
  if (ctx->n_img_valid > 0)
    memcpy (ctx->img, regions->features,
            (gsize) ctx->n_img_valid * model->config.img_feature_dim * sizeof (float));
  return g_steal_pointer (&ctx);
}

OvEncoding *
_ov_caption_step_encoding (OvModel *model, const OvCaptionContext *ctx,
                           const gint32 *prefix_ids, int n_prefix)
{
  OvTokenizer *tok = model->tokenizer;
  int c = n_prefix + 1;                       /* caption rows incl. the [MASK] */
  int t = c + ctx->n_tag_slots, n = ctx->n_img, s = t + n;
  OvEncoding *enc = encoding_new (model, t, n, TRUE);
  float *m = enc->attention_mask;
  g_autofree gboolean *valid = g_new0 (gboolean, s);

  for (int i = 0; i < n_prefix; i++)
    {
      enc->input_ids[i] = prefix_ids[i];
      enc->segments[i] = i == 0 || prefix_ids[i] == ov_tokenizer_sep_id (tok)
                         ? OV_SEGMENT_SPECIAL : OV_SEGMENT_WORD;
    }
  enc->input_ids[n_prefix] = ov_tokenizer_mask_id (tok);
  enc->segments[n_prefix] = OV_SEGMENT_SPECIAL;
  for (int i = 0; i < c; i++)
    enc->position_ids[i] = i;
  for (int i = 0; i < ctx->n_tag_slots; i++)
    {
      enc->input_ids[c + i] = ctx->tag_ids[i];
      enc->token_type_ids[c + i] = ctx->tag_types[i];
      enc->position_ids[c + i] = ctx->tag_pos[i];
      enc->segments[c + i] = i < ctx->n_tags_valid - 1 ? OV_SEGMENT_TAG
                             : i == ctx->n_tags_valid - 1 ? OV_SEGMENT_SPECIAL
                             : OV_SEGMENT_PAD;
    }
  for (int i = 0; i < t; i++)
    enc->labels[i] = token_label (model, enc->input_ids[i]);
  memcpy (enc->img_feats, ctx->img, (gsize) n * model->config.img_feature_dim * sizeof (float));
  label_regions (enc, t, n, ctx->n_img_valid);

  /* seq2seq mask (§4.2) with the unused caption slots removed: the caption
   * is causal and sees the tags and regions; tags and regions see each other
   * but never the caption; padding rows and columns stay 0. */
  for (int i = 0; i < s; i++)
    valid[i] = i < c || (i >= c && i < c + ctx->n_tags_valid)
               || (i >= t && i < t + ctx->n_img_valid);
  for (int i = 0; i < s; i++)
    {
      if (!valid[i])
        continue;
      for (int j = 0; j < s; j++)
        {
          gboolean see;

          if (!valid[j])
            continue;
          if (i < c)
            see = j >= c || j <= i;
          else
            see = j >= c;
          m[(gsize) i * s + j] = see ? 1.0f : 0.0f;
        }
    }
  enc->query_index = n_prefix;
  return enc;
}

OvEncoding *
ov_model_prepare_caption_step (OvModel *model, const gint32 *prefix_ids, int n_prefix,
                               const char *tags, const OvRegions *regions, GError **error)
{
  return ov_model_prepare_caption_step_for (model, 0, prefix_ids, n_prefix, tags, regions,
                                            error);
}

OvEncoding *
ov_model_prepare_caption_step_for (OvModel *model, int max_length, const gint32 *prefix_ids,
                                   int n_prefix, const char *tags, const OvRegions *regions,
                                   GError **error)
{
  g_autoptr(OvCaptionContext) ctx = NULL;

  g_return_val_if_fail (model != NULL, NULL);

  if (max_length <= 0)
    max_length = model->settings.max_gen_length;
  if (prefix_ids == NULL || n_prefix < 1 || n_prefix >= max_length)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("a caption prefix must hold 1 to %d tokens, not %d"),
                   max_length - 1, n_prefix);
      return NULL;
    }
  for (int i = 0; i < n_prefix; i++)
    if (prefix_ids[i] < 0 || prefix_ids[i] >= model->config.vocab_size)
      {
        g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                     _ ("caption prefix token %d is outside the vocabulary"), prefix_ids[i]);
        return NULL;
      }
  ctx = _ov_caption_context_new (model, max_length, tags, regions, error);
  if (ctx == NULL)
    return NULL;
  return _ov_caption_step_encoding (model, ctx, prefix_ids, n_prefix);
}
