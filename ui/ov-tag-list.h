/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The session's tags as a list of rows, a field to add a typed tag, and a
 * line that shows the model input the tags make: the tag string and the
 * numbers of the regions whose features go in.
 */
#pragma once

#include <adwaita.h>

#include "ov-session.h"

G_BEGIN_DECLS

#define OV_TYPE_TAG_LIST (ov_tag_list_get_type ())

G_DECLARE_FINAL_TYPE (OvTagList, ov_tag_list, OV, TAG_LIST, GtkWidget)

void       ov_tag_list_set_session  (OvTagList *self,
                                     OvSession *session);
OvTagItem *ov_tag_list_get_selected (OvTagList *self);
void       ov_tag_list_set_selected (OvTagList *self,
                                     OvTagItem *item);
/* Moves the focus to the field that adds a tag. */
void       ov_tag_list_focus_add    (OvTagList *self);
/* "collapsed": the rows folded away under the heading; the line of what
 * the model gets still shows. */
gboolean   ov_tag_list_get_collapsed (OvTagList *self);
void       ov_tag_list_set_collapsed (OvTagList *self,
                                      gboolean   collapsed);

G_END_DECLS
