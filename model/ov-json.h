/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * JSON loading with a nesting limit. json-glib's parser recurses once per
 * level of nesting, so a small file of brackets can overflow the stack;
 * every JSON file model/ and data/ read goes through these checks first.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deepest nesting of arrays and objects accepted (real files use < 10). */
#define OV_JSON_MAX_DEPTH 512

/* FALSE with OV_ERROR_LIMIT when text (len bytes, or NUL-terminated when
 * len < 0) nests arrays and objects deeper than OV_JSON_MAX_DEPTH. The
 * message names the line and does not name a file (callers prefix it). */
gboolean ov_json_check_depth (const char *text,
                              gssize      len,
                              GError    **error);

/* Whether text stops inside a string or an unclosed [ or { (a document
 * cut short). */
gboolean ov_json_ends_open   (const char *text,
                              gssize      len);

/* The OvError code a caller reports a failed ov_json_load_file with:
 * missing_code for a file that is not there, OV_ERROR_TRUNCATED for one cut
 * short, else OV_ERROR_FORMAT. */
int      ov_json_error_code  (const GError *error,
                              int           missing_code);

/* json_parser_load_from_data after ov_json_check_depth; an empty or blank
 * document (json-glib: success with no root) is an OV_ERROR_FORMAT error. */
gboolean ov_json_load_data   (JsonParser *parser,
                              const char *text,
                              gssize      len,
                              GError    **error);

/* json_parser_load_from_mapped_file after ov_json_check_depth; errors are
 * json-glib's and GFileError as there, or OV_ERROR_LIMIT, or OV_ERROR_FORMAT
 * for an empty document. */
gboolean ov_json_load_file   (JsonParser *parser,
                              const char *path,
                              GError    **error);

/* The member key of o when it is a JSON string, else def. Unlike
 * json_object_get_string_member_with_default this takes any member (an
 * object, an array, a number) without a critical warning. */
const char *ov_json_get_string (JsonObject *o,
                                const char *key,
                                const char *def);

/* Likewise: the member when it is an integer (a whole double too) / an array /
 * an object, else def / NULL. */
gint64      ov_json_get_int    (JsonObject *o,
                                const char *key,
                                gint64      def);
JsonArray  *ov_json_get_array  (JsonObject *o,
                                const char *key);
JsonObject *ov_json_get_object (JsonObject *o,
                                const char *key);
/* Element i of a when it is an integer, else def. */
gint64      ov_json_array_get_int (JsonArray *a,
                                   guint      i,
                                   gint64     def);

G_END_DECLS
