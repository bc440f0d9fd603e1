/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * One object tag as the window shows it: its text, the detector region it
 * came from (or none for a tag the user typed), and which of the two the
 * model gets. OSCAR reads the tag words and the region features as separate
 * inputs, so a row can give both (the common case), only the tag word, only
 * the region, or neither.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OV_TYPE_TAG_ITEM (ov_tag_item_get_type ())

G_DECLARE_FINAL_TYPE (OvTagItem, ov_tag_item, OV, TAG_ITEM, GObject)

/* region = -1 for a text-only tag; confidence NaN when unknown. */
OvTagItem  *ov_tag_item_new             (const char *text,
                                         int         region,
                                         guint       class_index,
                                         double      confidence,
                                         const char *attributes);
const char *ov_tag_item_get_text        (OvTagItem  *self);
void        ov_tag_item_set_text        (OvTagItem  *self,
                                         const char *text);
/* "enabled": the row's switch. TRUE when the tag word or the region goes
 * to the model; setting it gives or takes both at once. */
gboolean    ov_tag_item_get_enabled     (OvTagItem  *self);
void        ov_tag_item_set_enabled     (OvTagItem  *self,
                                         gboolean    enabled);
/* "tag-enabled": the tag word goes into the tag string. */
gboolean    ov_tag_item_get_tag_enabled (OvTagItem  *self);
void        ov_tag_item_set_tag_enabled (OvTagItem  *self,
                                         gboolean    enabled);
/* "region-enabled": the region's features go in (always FALSE for a
 * text-only tag, which has none). */
gboolean    ov_tag_item_get_region_enabled (OvTagItem *self);
void        ov_tag_item_set_region_enabled (OvTagItem *self,
                                            gboolean   enabled);
int         ov_tag_item_get_region      (OvTagItem  *self);
guint       ov_tag_item_get_class_index (OvTagItem  *self);
/* A new colour for the region's class (see ov_session_set_shown_classes). */
void        ov_tag_item_set_class_index (OvTagItem  *self,
                                         guint       class_index);
double      ov_tag_item_get_confidence  (OvTagItem  *self);
/* Attributes joined with ", ", or NULL. */
const char *ov_tag_item_get_attributes  (OvTagItem  *self);
gboolean    ov_tag_item_is_text_only    (OvTagItem  *self);

/* The one numbering of regions the window shows: counted from 1, so the
 * sample's region index 2 is "Region 3" in the tag list and the image's
 * tooltip, and "r3 dog" among the attention panel's tokens. */
int         ov_region_number            (int         region);
char       *ov_region_dup_token_label   (int         region,
                                         const char *cls);

G_END_DECLS
