/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * What the subcommands share: their usage line ("oscarviz COMMAND"), the
 * model options (--model, --device, --precision, --threads, checked while
 * parsing), and for the model-running ones (caption, vqa, mask, match,
 * encode) the sample options, loading the model and the one sample they run
 * on (from data files, Oscar .pt feature dictionaries or a safetensors file
 * of ready inputs), and printing errors, JSON and unknown words.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "data/ov-dataset.h"
#include "model/ov-answers.h"
#include "model/ov-model.h"
#include "viz/ov-scatter-view.h"

G_BEGIN_DECLS

typedef struct {
  const char *command;          /* "caption", for messages */
  char       *model;            /* --model DIR (or a demo model name) */
  char       *device;           /* --device cpu|cuda|auto */
  char       *precision;        /* --precision exact|fast */
  int         n_threads;        /* --threads N; 0 = all processors, -1 = not given
                                 * (OMP_NUM_THREADS when set, else all processors) */
  gboolean    json;             /* --json */
  gboolean    takes_inputs;     /* whether the command has --inputs (TRUE by default) */
  char       *inputs;           /* --inputs FILE.safetensors */
  char       *tags;             /* --tags TEXT */
  char       *regions;          /* --regions LIST: the regions kept, from 1 ("2-5,7") */
  OvSampleSourceOptions sample; /* --features, --labels, --key, --row, ... */
} OvCliOptions;

/* The sample a command runs on: tags and region vectors, or, with
 * --inputs, the tensors to give the encoder as they are. */
typedef struct {
  OvSample   *sample;      /* NULL with --inputs */
  char       *source;      /* the file that named the sample, for messages */
  char       *tags;        /* --tags, else the sample's */
  gboolean    tags_given;  /* whether tags is --tags */
  OvRegions   regions;     /* points into sample */
  OvEncoding *encoding;    /* --inputs only */
  /* Tag words the model's vocabulary lacks (they read as [UNK]), each
   * once, and how many distinct tag words there are, when the model reads
   * tags; set by ov_cli_print_warnings, else NULL. */
  GPtrArray  *unknown_tags;
  guint       n_tag_words;
} OvCliSample;

/* The most --threads takes: more threads than cores only slow the engine
 * down, but t-SNE maps depend on the thread count, so a map made on a
 * larger machine can be remade. */
#define OV_CLI_MAX_THREADS 256
/* The widest beam (and the most captions) ov_model_caption takes. */
#define OV_CLI_MAX_BEAMS 64

/* Usage lines read "oscarviz COMMAND [OPTION…]". */
void            ov_cli_set_command_name (const char *command);
/* --regions: "2-5,7" as guint rows from 0 (1, 2, 3, 4, 6), each once. */
GArray         *ov_cli_parse_regions  (const char     *list,
                                       GError        **error);
/* --threads N: 0 (all processors) up to MAX (OV_CLI_MAX_THREADS,
 * processors); the error names the option and the value. */
gboolean        ov_cli_check_threads  (gint64          n_threads,
                                       GError        **error);
/* --beams N: 1 (greedy search) to OV_CLI_MAX_BEAMS. */
gboolean        ov_cli_check_beams    (int             beams,
                                       GError        **error);
/* --max-length N: 0 (not given: the model's max_gen_length), else 2 to
 * ov_model_max_caption_length, [CLS] and [SEP] included. */
gboolean        ov_cli_check_max_length (int           max_length,
                                         OvModel      *model,
                                         GError      **error);
/* --question TEXT: NULL (not given) or text the tokenizer reads as one
 * token or more (not ov_tokenizer_text_is_empty): words it lacks read as
 * [UNK] and punctuation alone as itself, with a warning when it runs; the
 * error names the option and the value. */
gboolean        ov_cli_check_question (const char     *question,
                                       GError        **error);
/* --text TEXT (option names it) of match and mask: NULL (not given) or
 * text the tokenizer reads as one token or more, as for a question. */
gboolean        ov_cli_check_text     (const char     *option,
                                       const char     *text,
                                       GError        **error);

/* The FILENAME options among entries (not G_OPTION_REMAINING), once
 * parsed: an empty value names no file, and the error names the option. */
gboolean        ov_cli_check_file_names (const GOptionEntry *entries,
                                         GError            **error);
/* --regions LIST (NULL: not given) as ov_cli_parse_regions reads it, before
 * any file is read; the error names the option and the value. */
gboolean        ov_cli_check_regions  (const char     *list,
                                       GError        **error);
/* Turns an error of ov_sample_keep_regions (a region the sample lacks)
 * into one about --regions list (exit status 2). */
void            ov_cli_regions_error  (GError        **error,
                                       const char     *list);

/* The sides --width and --height take, in points: below the smallest
 * nothing can be read. */
#define OV_CLI_MIN_FIGURE_SIZE 100.0
#define OV_CLI_MAX_FIGURE_SIZE 100000.0

/* Adds --width W and --height H (the figure's size in points) to the main
 * group of a command that writes a figure; a value stays 0 when its option
 * is not given (the figure's own size). */
void            ov_cli_add_figure_size_options (GOptionContext *context,
                                                double         *width,
                                                double         *height);
/* The PNG pixels per point --scale takes (more than 0, up to the most),
 * and what a figure gets without it. */
#define OV_CLI_MAX_SCALE     16.0
#define OV_CLI_DEFAULT_SCALE 2.0

/* Adds --scale S (PNG pixels per point) to the main group of a command
 * that writes a figure, as text: *scale_text stays NULL when the option is
 * not given. */
void            ov_cli_add_scale_option (GOptionContext *context,
                                         char          **scale_text);
/* Adds --title TEXT (the figure's title) to the main group of a command
 * that writes a figure: *title stays NULL when the option is not given (the
 * figure's own title); "" asks for no title, and the plot takes its room. */
void            ov_cli_add_title_option (GOptionContext *context,
                                         char          **title);
/* That text: NULL (not given: OV_CLI_DEFAULT_SCALE) or a number more than
 * 0 and at most OV_CLI_MAX_SCALE, as attention and align take it, in
 * *scale; the error names the option and the value. */
gboolean        ov_cli_check_scale       (const char    *scale_text,
                                          double        *scale,
                                          GError       **error);
/* Those values: 0 (not given) or OV_CLI_MIN_FIGURE_SIZE to
 * OV_CLI_MAX_FIGURE_SIZE; the error names the option and the value. */
gboolean        ov_cli_check_figure_size (double        width,
                                          double        height,
                                          GError      **error);
/* --legend right|below|none of a t-SNE map (ov_cli_get_legend gives it;
 * without a figure it is refused as the sizes are). */
void            ov_cli_add_legend_option (GOptionContext *context);
OvScatterLegend ov_cli_get_legend        (void);
/* A t-SNE map's page from --width and --height (0: not given): the other
 * side in the default page's proportions, square with --legend below;
 * both left 0 when neither is given nor needed. */
void            ov_cli_fit_map_size      (double         *width,
                                          double         *height);
/* --width, --height, --scale, --title, --font, --text-scale and --legend
 * (width, height 0,
 * scale_text and title NULL when not given; --font is remembered by its
 * option) without a figure to draw (out NULL,
 * out_option names the option that would give it) are refused; --scale
 * with an SVG or PDF figure, which has no pixels, is noted on stderr and
 * drawn as asked. */
gboolean        ov_cli_check_figure_wanted (const char  *out_option,
                                            const char  *out,
                                            double       width,
                                            double       height,
                                            const char  *scale_text,
                                            const char  *title,
                                            GError     **error);
/* Where out is a PNG: that width and height (those given; 0 = the
 * figure's own) at scale pixels per point are within what a PNG can hold
 * (OV_EXPORT_MAX_PNG_SIDE pixels a side), so that a figure too large is
 * refused before any model runs. */
gboolean        ov_cli_check_png_size    (const char    *out,
                                          double        width,
                                          double        height,
                                          double        scale,
                                          GError      **error);

/* The perplexity t-SNE runs with on n points (embed --tsne, tsne): the one
 * asked for, or a third of the other points where n is too small for it
 * (a perplexity wants about three times as many neighbours), with a note
 * on stderr that says so. */
double          ov_cli_fit_perplexity (const char     *command,
                                       double          perplexity,
                                       gsize           n);
/* The title of the t-SNE map of an embeddings file (tsne, embed --tsne):
 * the file's name, the layer, the perplexity and the points of each kind. */
char           *ov_cli_tsne_title     (const char     *path,
                                       int             layer,
                                       double          perplexity,
                                       guint           n_tags,
                                       guint           n_regions);

/* Before anything is written: the file OUT that --OPTION names must not be
 * one the command reads, compared by identity (device and inode, so that
 * a link or a hard link counts too): one of inputs (n_inputs paths, NULL
 * entries skipped); with sample (may be NULL) its --dataset, --features,
 * --labels, --detections, --image, --hw and --class-names; the files a
 * split yaml names (--dataset, or an input named .yaml or .yml) and the
 * answer lists beside the data; the
 * .lineidx of each of those; with model (may be NULL) any file in the
 * checkpoint folder it names; and any file the run has read so far
 * (ov_files_find_read; a command calls this again once its inputs are
 * read, right before it writes). OUT must not be a folder, and its folder
 * must exist and take files. Prints "oscarviz COMMAND: ..." and returns
 * FALSE (exit status 2) when it fails. */
gboolean        ov_cli_check_output   (const char                  *command,
                                       const char                  *option,
                                       const char                  *out,
                                       const char                  *model,
                                       const OvSampleSourceOptions *sample,
                                       const char * const          *inputs,
                                       gsize                        n_inputs);

/* One file a command writes, and the option that names it. */
typedef struct {
  const char *option;   /* "--csv" */
  const char *path;     /* NULL: not given */
} OvCliOutput;

/* ov_cli_check_output for each of the n_outputs files a command writes,
 * and no two of them may be the same file (compared by their resolved
 * paths and by identity), since the second would overwrite the first. */
gboolean        ov_cli_check_outputs  (const char                  *command,
                                       const OvCliOutput           *outputs,
                                       gsize                        n_outputs,
                                       const char                  *model,
                                       const OvSampleSourceOptions *sample,
                                       const char * const          *inputs,
                                       gsize                        n_inputs);

/* Prints "wrote PATH" for a file a command wrote; nothing for "-", the
 * standard output, whose text is the data, and where ov_cli_check_outputs
 * was given the standard output ("-", /dev/stdout) the line goes to the
 * standard error. */
void            ov_cli_print_wrote    (const char                  *path);

/* Prints "oscarviz COMMAND: message" for a failed option parse; argv (as
 * given, before the parse) lets it name an option whose text is not UTF-8,
 * and an unknown long option with the context's nearest one ("did you
 * mean --model?"). */
void            ov_cli_print_parse_error (GOptionContext *context,
                                          const char     *command,
                                          char * const   *argv,
                                          const GError   *error);
/* Prints "oscarviz COMMAND: " and the message, formatted as printf does:
 * the notes and warnings a command gives on its way, named as its errors
 * are. */
void            ov_cli_printerr       (const char                  *format,
                                       ...) G_GNUC_PRINTF (1, 2);
/* Edits (insertions, deletions, substitutions, swaps of two neighbours)
 * between two short words, for "did you mean". */
gsize           ov_cli_edit_distance  (const char                  *a,
                                       const char                  *b);
/* The name of names (n_names) one or two edits from word, the nearest
 * (the first of those as near), for "did you mean"; with within_half only
 * one whose edits are fewer than half its letters; NULL for none. */
const char     *ov_cli_nearest        (const char                  *word,
                                       const char *const           *names,
                                       gsize                        n_names,
                                       gboolean                     within_half);

/* FALSE with an error when the sample's classes are numeric ids that no
 * names file named and no tags replace them (tags_given): the model would
 * read placeholders ("class511") as tags. */
gboolean        ov_cli_check_class_names (const OvSample *sample,
                                          const char     *source,
                                          gboolean        tags_given,
                                          GError        **error);

void            ov_cli_options_init   (OvCliOptions   *opts,
                                       const char     *command);
void            ov_cli_options_clear  (OvCliOptions   *opts);
/* A context for opts->command whose main group holds the model options
 * (--model, --device, --precision, --threads) and entries (may be NULL).
 * Bad values of the model options fail the parse, naming option and
 * value. */
GOptionContext *ov_cli_context_new    (OvCliOptions       *opts,
                                       const char         *parameter_string,
                                       const GOptionEntry *entries);
/* Adds the sample group (--dataset, --features, ... under --help-sample)
 * and a line under --help that names them. */
void            ov_cli_add_sample_options (GOptionContext        *context,
                                           OvSampleSourceOptions *sample);
/* A context with the model options, --tags, --json, --inputs (where
 * opts->takes_inputs), the command's own entries and the sample group.
 * Parses argv and checks what needs no file read: --model given, no empty
 * file names, --regions, a sample or --inputs (not both); on failure prints
 * the message and returns FALSE (exit status 2). */
gboolean        ov_cli_parse          (OvCliOptions       *opts,
                                       const char         *parameter_string,
                                       const GOptionEntry *entries,
                                       int                *argc,
                                       char             ***argv);
/* Loads the model named by --model (a folder or a bundled model's name,
 * ov_demo_resolve_model) with --device, --precision and --threads (0: every
 * processor; not given: the engine's default, OMP_NUM_THREADS when set),
 * and checks that it can do task. */
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
 * answers.txt, ..., see ov_find_answer_list), else in the folder of the
 * data file data_path (may be NULL) or its cache/; NULL without error when
 * there is none. found (may be NULL) gets the file's path. */
OvAnswerList   *ov_cli_find_answers   (OvModel        *model,
                                       const char     *data_path,
                                       char          **found,
                                       GError        **error);
/* Says on stderr that arg was not expected by command (one that takes
 * --model and --dataset), with what was likely meant (model_given: the
 * command's --model was given). */
void            ov_cli_unexpected_argument (const char *command,
                                            const char *arg,
                                            gboolean    model_given);
/* Notes on stderr what of the sample's tags and regions the task's input
 * leaves out (ov_model_count_input_kept); text is the question or caption
 * where the task has one. */
void            ov_cli_note_input_kept (OvModel       *model,
                                        OvTask         task,
                                        const char    *text,
                                        OvCliSample   *sample);
/* The same for an input given piece by piece (tags NULL for none). */
void            ov_cli_note_kept       (OvModel         *model,
                                        OvTask           task,
                                        const char      *text,
                                        const char      *tags,
                                        const OvRegions *regions);
/* Prints "oscarviz COMMAND: message" on stderr; returns the exit status,
 * ov_cli_exit_status. */
int             ov_cli_fail           (OvCliOptions   *opts,
                                       const GError   *error);
/* The exit status of a command that failed with error: 2 for a bad option
 * value (G_OPTION_ERROR, found once files were read), else 1 (a file, the
 * data or the model). */
int             ov_cli_exit_status    (const GError   *error);
void            ov_cli_print_json     (JsonBuilder    *builder);
/* Adds value to builder, or null where it is not a finite number (JSON
 * has no NaN or infinity). */
void            ov_cli_json_add_number (JsonBuilder   *builder,
                                        double         value);
/* Prints the model's load warnings and the sample's on stderr, and notes
 * tag words the model reads as [UNK] (kept in sample->unknown_tags). */
void            ov_cli_print_warnings (OvModel        *model,
                                       OvCliSample    *sample);
/* Notes on stderr the tag words the model reads as [UNK] (a warning when
 * it knows none), each once, when the model reads tags; returns them, with
 * *n_words the distinct tag words, or NULL when the model reads no tags. */
GPtrArray      *ov_cli_note_unknown_tags (OvModel     *model,
                                          const char  *tags,
                                          guint       *n_words);
/* Members "tag_words" and "unknown_tag_words" after ov_cli_print_warnings
 * found the model reads tags; nothing otherwise. */
void            ov_cli_unknown_tags_to_json (const OvCliSample *sample,
                                             JsonBuilder       *b);

/* The words of a question or text that the model reads as [UNK]
 * (ov_tokenizer_unknown_words), for the text and the JSON output. */
typedef struct {
  guint      n_words;
  GPtrArray *unknown;   /* char* */
} OvCliWords;

OvCliWords     *ov_cli_words_new      (OvModel        *model,
                                       const char     *text);
void            ov_cli_words_free     (OvCliWords     *words);
/* Members "words" (the count) and "unknown_words" (a list). */
void            ov_cli_words_to_json  (const OvCliWords *words,
                                       JsonBuilder      *builder);
/* With a sample (not --inputs): the members "key", text_member with text
 * (what the model was asked), those of ov_cli_words_to_json and "tags". */
void            ov_cli_sample_input_to_json (const OvCliSample *sample,
                                             const char        *text_member,
                                             const char        *text,
                                             const OvCliWords  *words,
                                             JsonBuilder       *builder);
/* A line saying how many words are unknown, or that none is known; nothing
 * when every word is known. */
void            ov_cli_words_print    (const OvCliWords *words);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCliSample, ov_cli_sample_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvCliWords, ov_cli_words_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OvCliOptions, ov_cli_options_clear)

G_END_DECLS
