/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The window's parts, for the tests that drive it.
 */
#pragma once

#include "ov-attention-panel.h"
#include "ov-caption-panel.h"
#include "ov-embed-panel.h"
#include "ov-image-view.h"
#include "ov-mask-panel.h"
#include "ov-tag-list.h"
#include "ov-vqa-panel.h"
#include "ov-window.h"

G_BEGIN_DECLS

OvImageView    *_ov_window_get_image_view    (OvWindow *self);
OvTagList      *_ov_window_get_tag_list      (OvWindow *self);
OvCaptionPanel *_ov_window_get_caption_panel (OvWindow *self);
OvVqaPanel     *_ov_window_get_vqa_panel     (OvWindow *self);
OvMaskPanel    *_ov_window_get_mask_panel    (OvWindow *self);
OvAttentionPanel *_ov_window_get_attention_panel (OvWindow *self);
OvEmbedPanel   *_ov_window_get_embed_panel   (OvWindow *self);
/* The error banner's text, or NULL while it is hidden. */
const char     *_ov_window_get_banner_text   (OvWindow *self);
/* The name of the task panel shown ("caption", "question", ...). */
const char     *_ov_window_get_panel_name    (OvWindow *self);
/* The note over the view of a sample without its picture, or NULL. */
const char     *_ov_window_get_no_picture_text (OvWindow *self);
/* The title of the toast shown last, or NULL once it is dismissed. */
const char     *_ov_window_get_toast_text    (OvWindow *self);
/* The status line: checkpoints, backend, timing. */
char           *_ov_window_dup_status_text   (OvWindow *self);

G_END_DECLS
