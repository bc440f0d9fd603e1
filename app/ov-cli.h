/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * What the model-running subcommands (caption, vqa, mask, match, encode)
 * share: the model and sample options, loading the model and the one
 * sample they run on (from data files, Oscar .pt feature dictionaries or a
 * safetensors file of ready inputs), and printing errors and JSON.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "data/ov-dataset.h"
#include "model/ov-answers.h"
#include "model/ov-model.h"

G_BEGIN_DECLS

typedef struct {
  const char *command;          /* "caption", for messages */
  char       *model;            /* --model DIR (or a demo model name) */
  char       *device;           /* --device cpu|cuda|auto */
  char       *precision;        /* --precision exact|fast */
  int         n_threads;        /* --threads N; 0 = all cores */
  gboolean    json;             /* --json */
  char       *inputs;           /* --inputs FILE.safetensors */
  char       *tags;             /* --tags TEXT */
  OvSampleSourceOptions sample; /* --features, --labels, --key, --row, ... */
} OvCliOptions;

/* The sample a command runs on: tags and region vectors, or, with
 * --inputs, the tensors to give the encoder as they are. */
typedef struct {
  OvSample   *sample;      /* NULL with --inputs */
  char       *source;      /* the file that named the sample, for messages */
  char       *tags;        /* --tags, else the sample's */
  OvRegions   regions;     /* points into sample */
  OvEncoding *encoding;    /* --inputs only */
} OvCliSample;

void            ov_cli_options_init   (OvCliOptions   *opts,
                                       const char     *command);
void            ov_cli_options_clear  (OvCliOptions   *opts);
/* A context with the common entries, the command's own entries and the
 * sample group. Parses argv; on failure prints the message and returns
 * FALSE (exit status 2). */
gboolean        ov_cli_parse          (OvCliOptions       *opts,
                                       const char         *parameter_string,
                                       const GOptionEntry *entries,
                                       int                *argc,
                                       char             ***argv);
/* Loads the model named by --model and checks that it can do task. */
OvModel        *ov_cli_load_model     (OvCliOptions   *opts,
                                       OvTask          task,
                                       GError        **error);
OvCliSample    *ov_cli_load_sample    (OvCliOptions   *opts,
                                       OvModel        *model,
                                       GError        **error);
void            ov_cli_sample_free    (OvCliSample    *sample);
/* Reads a safetensors file of encoder inputs: input_ids (T),
 * token_type_ids (T), attention_mask (S) or (S, S), img_feats (N, D),
 * optional position_ids (T); a leading batch dimension of 1 is allowed. */
OvEncoding     *ov_cli_inputs_load    (const char     *path,
                                       OvModel        *model,
                                       GError        **error);
/* Finds the answer list shipped in a checkpoint folder (label2ans.json,
 * answers.txt, ...); NULL without error when there is none. */
OvAnswerList   *ov_cli_find_answers   (OvModel        *model,
                                       GError        **error);
/* Prints "oscarviz COMMAND: message" on stderr; returns exit status 1. */
int             ov_cli_fail           (OvCliOptions   *opts,
                                       const GError   *error);
void            ov_cli_print_json     (JsonBuilder    *builder);
/* Prints the model's load warnings on stderr. */
void            ov_cli_print_warnings (OvModel        *model,
                                       OvCliSample    *sample);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCliSample, ov_cli_sample_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OvCliOptions, ov_cli_options_clear)

G_END_DECLS
