/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The detection and feature file formats of §7 and their row parsers:
 * VinVL predictions and Oscar label TSVs, Oscar feature TSVs, VinVL
 * three-column features, bottom-up-attention and LXMERT TSVs, hw.tsv,
 * image TSVs, Oscar VQA json, torch-saved feature dicts and our own sample
 * JSON. Each parser fills
 * part of an OvSample and names the file and row when the data is wrong.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "model/ov-state-dict.h"
#include "ov-sample.h"

G_BEGIN_DECLS

typedef enum {
  OV_FILE_UNKNOWN,
  OV_FILE_IMAGE,            /* a JPEG or PNG */
  OV_FILE_DETECTIONS_TSV,   /* key \t [objects] or {"objects": [...]} (labels, predictions) */
  OV_FILE_FEATURE_TSV,      /* key \t {"num_boxes": n, "features": b64} (Oscar captioning) */
  OV_FILE_VINVL_FEATURES,   /* key \t n \t b64 (VinVL features.tsv) */
  OV_FILE_HW_TSV,           /* key \t [{"height": h, "width": w}] */
  OV_FILE_IMAGE_TSV,        /* key \t b64(JPEG/PNG bytes) */
  OV_FILE_BUTD_TSV,         /* image_id, image_w, image_h, num_boxes, boxes, features */
  OV_FILE_LXMERT_TSV,       /* img_id, img_h, img_w, objects_id, ..., boxes, features */
  OV_FILE_VQA_JSON,         /* Oscar *_qla_mrcnn.json: [{q, o, img_id, q_id, an, s}] */
  OV_FILE_SAMPLE_JSON,      /* our own hand-writable sample JSON (README.md) */
  OV_FILE_DATASET_YAML,     /* test.yaml: feature:, label:, hw:, caption:, img: */
  OV_FILE_CAPTIONS_JSON,    /* [{"image_id": key, "caption": text}] */
  OV_FILE_FEATURE_DICT,     /* torch.save / safetensors dict image id -> (N, 2054) (§7.3) */
  OV_FILE_CAPTION_PREDICTIONS, /* key \t [{"caption": text, "conf": f}] (run_captioning.py) */
} OvFileKind;

/* The names of numeric class ids. Ids count from 0 without a background
 * class, as LXMERT's TSVs write them. */
typedef struct {
  char  *path;              /* the file, for messages */
  char **names;             /* (n_names + 1), NULL-terminated: names[id] */
  guint  n_names;
} OvClassNames;

/* Short machine name, e.g. "vinvl-features-tsv". */
const char *ov_file_kind_to_string (OvFileKind kind);
/* "image", "detections", "features", "dataset", "image-sizes", "images",
 * "questions", "captions", or "unknown". */
const char *ov_file_kind_role      (OvFileKind kind);
/* What a file is, from its first bytes or first row (not from its name). */
OvFileKind  ov_file_sniff          (const char *path,
                                    GError    **error);
/* Whether the file starts as a torch.save file or safetensors does. */
gboolean    ov_file_is_tensor_container (const char *path);
/* Same from the first row of a TSV (possibly only its beginning). */
OvFileKind  ov_file_sniff_tsv_row  (const char *row);

/* Base64 that must be well formed (GLib's decoder skips bad characters
 * silently). Returns the decoded bytes; what names the data in errors. */
guchar     *ov_base64_decode_strict (const char *text,
                                     gsize       text_len,
                                     gsize      *out_len,
                                     const char *what,
                                     GError    **error);
/* Little-endian float32 values from base64; n_values is their count. */
float      *ov_base64_decode_floats (const char *text,
                                     gsize       text_len,
                                     gsize      *n_values,
                                     const char *what,
                                     GError    **error);

/* Row parsers. `where` names the file and row in messages. `row` is the
 * whole TSV line, modified in place (split at tabs). Each one checks that
 * the key of the row matches sample->key when that is set. */
gboolean    ov_parse_detections_row (OvSample   *sample,
                                     char       *row,
                                     const char *where,
                                     GError    **error);
/* Any feature row (Oscar, VinVL three-column): fills features, n_features,
 * feature_dim (2048 or 2054). */
gboolean    ov_parse_features_row   (OvSample   *sample,
                                     OvFileKind  kind,
                                     char       *row,
                                     const char *where,
                                     GError    **error);
gboolean    ov_parse_hw_row         (OvSample   *sample,
                                     char       *row,
                                     const char *where,
                                     GError    **error);
/* Whether a tensor of a feature dict is a float matrix (N, D) or
 * (1, N, D); the error names `where`. */
gboolean    ov_features_tensor_check (const OvTensor *tensor,
                                      const char     *where,
                                      GError        **error);
/* The features of one image from a feature dict: such a tensor, of any
 * float dtype, copied to float32. Any width is taken; `where` names the
 * file and the image in messages. */
gboolean    ov_parse_features_tensor (OvSample       *sample,
                                      const OvTensor *tensor,
                                      const char     *where,
                                      GError        **error);
/* bottom-up-attention and LXMERT rows carry boxes and features together.
 * class_names / attr_names (may be NULL) turn LXMERT ids into names; an id
 * they do not name is an error. Without them the ids become placeholders,
 * "class511" and "attr3". */
gboolean    ov_parse_butd_row       (OvSample           *sample,
                                     OvFileKind          kind,
                                     char               *row,
                                     const OvClassNames *class_names,
                                     const OvClassNames *attr_names,
                                     const char         *where,
                                     GError            **error);
/* Key of the row (its first column), or NULL when it is empty. */
char       *ov_row_dup_key          (const char *row);

/* Our own sample JSON: one object or {"samples": [...]} or a list. Image
 * paths are made absolute against the file's folder. */
GPtrArray  *ov_sample_json_load     (const char *path,
                                     GError    **error);
OvSample   *ov_sample_from_json     (JsonNode   *node,
                                     const char *base_dir,
                                     const char *where,
                                     GError    **error);
JsonNode   *ov_sample_to_json       (const OvSample *sample);
gboolean    ov_sample_json_save     (const OvSample *sample,
                                     const char     *path,
                                     GError        **error);
/* Oscar VQA json: one sample per img_id (first-appearance order), tags
 * from "o", one OvQuestion per entry. */
GPtrArray  *ov_vqa_json_load        (const char *path,
                                     GError    **error);

/* The key: value lines of a dataset yaml, values made absolute against the
 * yaml's folder (only for keys whose value names a file). */
GHashTable *ov_dataset_yaml_load    (const char *path,
                                     GError    **error);

/* Reads one of: one name a line, synonyms after a comma ("stop
 * sign,stopsign", the first kept), as the Visual Genome objects_vocab.txt:
 * line k (from 0) names id k; a table with a header holding a "name" column
 * and an "index" column (coco-80-categories.tsv): id = index, else the row;
 * a JSON list of names; a VinVL label map {"idx_to_label": {"1": name}}:
 * id k is label k + 1, as label 0 is the background. Anything else (binary,
 * not UTF-8, tabs without a header, other JSON) is refused. */
OvClassNames *ov_class_names_load   (const char *path,
                                     GError    **error);
void        ov_class_names_free     (OvClassNames *names);
/* Whether a file the sniffer takes for no kind it reads (or, a JSON label
 * map, for a sample JSON) is a names file ov_class_names_load reads: how
 * the window tells one among the files it opens. */
gboolean    ov_file_is_class_names  (const char *path);
/* The name of id; an id outside the list is an error naming `where`, the
 * id, the file and the list's length. */
char       *ov_class_names_dup_name (const OvClassNames *names,
                                     gint64              id,
                                     const char         *where,
                                     GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvClassNames, ov_class_names_free)

G_END_DECLS
