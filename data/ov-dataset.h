/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A dataset: an ordered set of samples read lazily from detection, feature,
 * image-size, image and caption files (an Oscar split yaml, or the files
 * given one by one). Opening reads only indexes; a sample is read when it
 * is asked for, by row or by key. Also the one entry point the command-line
 * commands use to get a ready sample from their options.
 */
#pragma once

#include <gio/gio.h>

#include "ov-formats.h"
#include "ov-image.h"
#include "ov-sample.h"
#include "ov-tsv.h"

G_BEGIN_DECLS

typedef struct _OvDataset OvDataset;

typedef struct {
  const char *features;     /* Oscar/VinVL feature TSV, or bottom-up/LXMERT TSV */
  const char *labels;       /* detections: label/prediction TSV, sample JSON, VQA json */
  const char *hw;           /* hw.tsv */
  const char *images;       /* image TSV (key, base64 JPEG) */
  const char *captions;     /* [{"image_id", "caption"}] */
  const char *class_names;  /* objects vocab for LXMERT ids (one name a line) */
  const char *attr_names;   /* attributes vocab for LXMERT ids */
  gboolean    no_features;  /* look for none beside a VQA json either */
} OvDatasetFiles;

/* The VQA answer list kept in folder or in its cache/ (where Oscar's data
 * has trainval_label2ans.pkl): label2ans.json, label2ans.txt,
 * answers.json, answers.txt, label2ans.pkl, trainval_label2ans.pkl,
 * ans2label.json, ans2label.pkl or trainval_ans2label.pkl, the first
 * found; NULL when there is none. */
char       *ov_find_answer_list      (const char           *folder);
/* Whether a tensor file can be a feature dict: it holds tensors, and they
 * are not a model's weights; the error names the file. */
gboolean    ov_feature_dict_check    (OvStateDict          *dict,
                                      GError              **error);
/* Opens any one file oscarviz reads as a dataset: a split yaml, a
 * detection/feature/hw TSV, a sample JSON, an Oscar VQA json. */
OvDataset  *ov_dataset_open          (const char           *path,
                                      GCancellable         *cancellable,
                                      GError              **error);
/* Opens a set of files that describe the same images. Samples follow the
 * order of labels (else features); rows are paired by index, as Oscar
 * does, and a row whose key differs is an error. */
OvDataset  *ov_dataset_open_files    (const OvDatasetFiles *files,
                                      GCancellable         *cancellable,
                                      GError              **error);
void        ov_dataset_free          (OvDataset  *dataset);
/* Names the numeric class ids of the dataset's files (an LXMERT TSV's) by
 * a names file (ov_class_names_load), in place of any it had. */
gboolean    ov_dataset_set_class_names (OvDataset  *dataset,
                                        const char *path,
                                        GError    **error);
/* Whether the dataset's files give classes as numeric ids (LXMERT). */
gboolean    ov_dataset_has_class_ids (OvDataset  *dataset);
/* Whether its class ids have no names file: its tags are placeholders. */
gboolean    ov_dataset_lacks_class_names (OvDataset *dataset);
/* Problems with the last row of each of the dataset's detection, feature
 * and size files (char*, empty when none): a row that cannot be read, and
 * whether the file stops without a line end, as a file cut short does.
 * Only the last rows are read. */
GPtrArray  *ov_dataset_check_last_rows (OvDataset    *dataset,
                                        GCancellable *cancellable);
/* Adds an image-size file (hw.tsv) to a dataset that has none; one that
 * names its own is an error that names it. */
gboolean    ov_dataset_add_hw        (OvDataset    *dataset,
                                      const char   *path,
                                      GCancellable *cancellable,
                                      GError      **error);
const char *ov_dataset_get_path      (OvDataset  *dataset);
/* OvFileKind of the file that orders the samples (for a yaml: its kind). */
OvFileKind  ov_dataset_get_kind      (OvDataset  *dataset);
guint       ov_dataset_get_n_samples (OvDataset  *dataset);
char       *ov_dataset_dup_key       (OvDataset  *dataset,
                                      guint       index,
                                      GError    **error);
/* Index of a key; -1 with OV_ERROR_MISSING when absent. */
gint64      ov_dataset_find_key      (OvDataset    *dataset,
                                      const char   *key,
                                      GCancellable *cancellable,
                                      GError      **error);
/* Reads sample `index`: regions, tags, features (as stored: 2048 or 2054
 * wide, use ov_sample_build_region_vectors), size, captions, questions.
 * Boxes are checked against the image size. */
OvSample   *ov_dataset_load_sample   (OvDataset      *dataset,
                                      guint           index,
                                      OvProgressFunc  progress,
                                      gpointer        progress_data,
                                      GCancellable   *cancellable,
                                      GError        **error);
/* Same by key: each file is searched for the key, so files in different
 * orders pair correctly. */
OvSample   *ov_dataset_load_key      (OvDataset      *dataset,
                                      const char     *key,
                                      OvProgressFunc  progress,
                                      gpointer        progress_data,
                                      GCancellable   *cancellable,
                                      GError        **error);
/* The image of a sample from the dataset's image TSV; NULL with
 * OV_ERROR_MISSING when the dataset has none. */
OvImage    *ov_dataset_load_image    (OvDataset                *dataset,
                                      const char               *key,
                                      const OvImageLoadOptions *options,
                                      GCancellable             *cancellable,
                                      GError                  **error);

/* The sample's picture: its image_path, else its row of its image_tsv;
 * NULL with OV_ERROR_MISSING when it has neither. */
OvImage    *ov_sample_load_image     (const OvSample           *sample,
                                      const OvImageLoadOptions *options,
                                      GCancellable             *cancellable,
                                      GError                  **error);

/* How the sample's boxes turn to lie on image, which is shown upright: by
 * the picture's EXIF orientation when the boxes were measured on the
 * pixels as stored; not at all when boxes_upright says they were measured
 * on the upright picture, or when the sample's size is the upright size
 * with the sides swapped (a size taken from an image viewer, say). */
OvOrientation ov_sample_box_turn     (const OvSample           *sample,
                                      const OvImage            *image,
                                      gboolean                  boxes_upright);
/* A warning when the picture, turned as its boxes turn, is of another
 * shape than the frame the boxes were measured in (it is then stretched
 * to that frame and the boxes may miss what they name), else NULL. A
 * picture of the same shape at another size is only scaled. */
char         *ov_sample_dup_image_mismatch (const OvSample     *sample,
                                            const OvImage      *image,
                                            gboolean            boxes_upright);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvDataset, ov_dataset_free)

/* The shared sample options of the command-line commands --------------- */

typedef enum {
  OV_BOX_FRAME_STORED,      /* boxes were measured on the pixels as stored (plain PIL) */
  OV_BOX_FRAME_DISPLAYED,   /* boxes were measured after EXIF orientation (cv2.imread,
                             * OpenCV >= 3.1) */
} OvBoxFrame;

typedef struct {
  char       *features;     /* --features FILE */
  char       *labels;       /* --labels FILE */
  char       *detections;   /* --detections FILE (same role as --labels) */
  char       *image;        /* --image FILE */
  char       *dataset;      /* --dataset FILE (yaml or any file ov_dataset_open reads) */
  char       *hw;           /* --hw FILE */
  char       *class_names;  /* --class-names FILE */
  char       *key;          /* --key KEY */
  gint64      row;          /* --row N; -1 when not given */
  char       *box_frame;    /* --box-frame stored|displayed */
  gboolean    no_features;  /* the caller reads the features itself (OvDatasetFiles) */
  OvProgressFunc progress;
  gpointer       progress_data;
} OvSampleSourceOptions;

void      ov_sample_source_options_init  (OvSampleSourceOptions *opts);
void      ov_sample_source_options_clear (OvSampleSourceOptions *opts);
/* Parses a whole-number option value in min..max for a GOptionArgFunc;
 * the error (G_OPTION_ERROR_BAD_VALUE) names the option and the value. */
gboolean  ov_parse_count_option          (const char *option_name,
                                          const char *value,
                                          guint64     min,
                                          guint64     max,
                                          guint64    *out,
                                          GError    **error);
/* GOptionEntry rows for the options above, to add to a command's context.
 * --dataset also takes "demo", the bundled scenes (ov_demo_resolve_dataset). */
GOptionGroup *ov_sample_source_option_group (OvSampleSourceOptions *opts);
/* Loads one sample as described by the options: region vectors built
 * (2054 wide) when there are features, tags set, image path and size
 * filled in. Needs at least one of the files. */
OvSample *ov_sample_source_load          (const OvSampleSourceOptions *opts,
                                          GCancellable                *cancellable,
                                          GError                     **error);
/* The same, setting *row to the row (from 0) the sample was read from,
 * by number or by key, or -1 when the files are no dataset. */
OvSample *ov_sample_source_load_row      (const OvSampleSourceOptions *opts,
                                          gint64                      *row,
                                          GCancellable                *cancellable,
                                          GError                     **error);

G_END_DECLS
