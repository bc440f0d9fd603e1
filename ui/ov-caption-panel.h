/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Captions of the current input: decoding settings, the best captions with
 * their confidence, and the caption before the last change beside them.
 */
#pragma once

#include "ov-panel.h"

G_BEGIN_DECLS

#define OV_TYPE_CAPTION_PANEL (ov_caption_panel_get_type ())

G_DECLARE_FINAL_TYPE (OvCaptionPanel, ov_caption_panel, OV, CAPTION_PANEL, OvPanel)

/* The decoding options of the panel's controls: greedy is 1 beam, 1 caption. */
void        ov_caption_panel_get_options (OvCaptionPanel   *self,
                                          OvCaptionOptions *options);
/* Sets the controls as the user would: for this panel only, never the
 * defaults in GSettings. num_beams 1 selects greedy decoding. */
void        ov_caption_panel_set_options (OvCaptionPanel         *self,
                                          const OvCaptionOptions *options);
/* Starts a run now (a running one is cancelled). */
void        ov_caption_panel_run         (OvCaptionPanel *self);
/* The best caption shown, or NULL. */
const char *ov_caption_panel_get_caption (OvCaptionPanel *self);
/* The caption under "Before the last change" (of the same sample), or
 * NULL while that line is hidden. */
const char *ov_caption_panel_get_previous_caption (OvCaptionPanel *self);
/* How many runs have finished, for tests and the status line. */
guint       ov_caption_panel_get_n_runs  (OvCaptionPanel *self);
/* The "Must name" entry: classes joined by commas that the caption must
 * name (constrained beam search); "" for none. */
void        ov_caption_panel_set_constraints (OvCaptionPanel *self,
                                              const char     *text);
/* The entry's text as classes: lower case, each once, empty ones dropped. */
char      **ov_caption_panel_parse_constraints (const char   *text);

G_END_DECLS
