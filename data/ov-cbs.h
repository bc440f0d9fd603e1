/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The files of NoCaps' constrained beam search that a split yaml names, and
 * the choice of an image's constraints from its Open Images boxes, as the
 * original's ConstraintFilter makes it. No GTK.
 */
#pragma once

#include <glib.h>

#include "model/ov-model.h"

G_BEGIN_DECLS

typedef struct _OvCbsFiles OvCbsFiles;

/* cbs_box: per image, the Open Images detector's boxes (key, then a JSON
 * list of {"class", "conf", ...}); cbs_constraint: a word, a tab, its word
 * pieces joined by commas; cbs_tokenforms: a word piece, a tab, its forms;
 * cbs_hierarchy: the Open Images class tree (JSON, "LabelName" and
 * "Subcategory"). Any may be NULL but boxes, which is what picks the
 * constraints. Errors name the file and the line. */
OvCbsFiles *ov_cbs_files_load      (const char  *boxes,
                                    const char  *constraint_pieces,
                                    const char  *piece_forms,
                                    const char  *hierarchy,
                                    GError     **error);
/* The files a split yaml names with cbs_box, cbs_constraint,
 * cbs_tokenforms and cbs_hierarchy; an error when it names no cbs_box. */
OvCbsFiles *ov_cbs_files_load_yaml (const char  *yaml,
                                    GError     **error);
void        ov_cbs_files_free      (OvCbsFiles  *files);
const char *ov_cbs_files_get_boxes_path (OvCbsFiles *files);
/* The constraints of image key (up to OV_CBS_MAX_CONSTRAINTS, best first;
 * none for an image the box file lacks, as in the original). An error
 * when the image's row is not a list of boxes. */
char      **ov_cbs_files_pick      (OvCbsFiles  *files,
                                    const char  *key,
                                    GError     **error);
/* Points c's word_pieces and piece_forms at the files' tables (or NULL). */
void        ov_cbs_files_fill      (OvCbsFiles            *files,
                                    OvCaptionConstraints  *c);

typedef struct {
  const char *cls;     /* as the file has it; compared in lower case */
  double      conf;
} OvCbsBox;

/* ConstraintFilter without the files: boxes of confidence 0 or less and of
 * the excluded classes go, the max_constraints most confident remain
 * (equal ones in the order of their class's height in the hierarchy, then
 * of the boxes; heights: lower-case class -> GINT_TO_POINTER (height + 1),
 * or NULL), some names are replaced by the words NoCaps uses, and a name
 * that comes twice is kept once. Returns a GStrv, lower case. */
char      **ov_cbs_pick_constraints (const OvCbsBox *boxes,
                                     guint           n_boxes,
                                     GHashTable     *heights,
                                     int             max_constraints);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCbsFiles, ov_cbs_files_free)

G_END_DECLS
