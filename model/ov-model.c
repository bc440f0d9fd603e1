/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Loading a checkpoint folder: config.json with the constructor defaults,
 * training_args.bin, the tokenizer files and the weights, each weight checked
 * against the config; the model kind is told from the weights present.
 */
#define G_LOG_DOMAIN "ov-model"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "ov-json.h"
#include "ov-i18n.h"
#include "ov-model-private.h"
#include "ov-pickle.h"

void
ov_model_options_init (OvModelOptions *opts)
{
  g_return_if_fail (opts != NULL);
  memset (opts, 0, sizeof *opts);
  opts->device = OV_DEVICE_AUTO;
  opts->precision = OV_PRECISION_EXACT;
  opts->n_threads = 0;
}

const char *
ov_model_kind_name (OvModelKind kind)
{
  switch (kind)
    {
    case OV_MODEL_KIND_ENCODER: return "encoder";
    case OV_MODEL_KIND_CAPTION: return "captioning";
    case OV_MODEL_KIND_CLASSIFIER: return "classifier";
    case OV_MODEL_KIND_PRETRAIN: return "pre-training";
    default: return "unknown";
    }
}

/* config.json (§1.3). An absent key takes the constructor's default; a
 * present one must hold the type the original reads it as. */

/* config.json as parsed, with its text: error messages quote a value as it
 * is written, and json-glib wraps integers beyond 64 bits. */
typedef struct {
  const char *path;
  JsonObject *o;
  const char *text;
  gsize       len;
} ConfigReader;

/* Longest excerpt of a config value quoted in an error message, in bytes */
#define SHOWN_MAX 40

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* Past the closing quote of the JSON string that starts at p, or NULL. */
static const char *
skip_string (const char *p,
             const char *end)
{
  for (p++; p < end; p++)
    if (*p == '\\')
      p++;
    else if (*p == '"')
      return p + 1;
  return NULL;
}

/* The end of the JSON value that starts at p, or NULL. */
static const char *
skip_value (const char *p,
            const char *end)
{
  int depth = 0;

  while (p < end)
    {
      if (*p == '"')
        {
          if ((p = skip_string (p, end)) == NULL || depth == 0)
            return p;
          continue;
        }
      if (*p == '[' || *p == '{')
        depth++;
      else if (*p == ']' || *p == '}')
        {
          if (depth == 0)
            return p;
          if (--depth == 0)
            return p + 1;
        }
      else if (depth == 0 && (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        return p;
      p++;
    }
  return depth == 0 ? p : NULL;
}

/* The text of the top-level member key (the last of that name, the one
 * json-glib keeps), or NULL. */
static char *
config_text (const ConfigReader *r,
             const char         *key)
{
  const char *p = r->text, *end = r->text + r->len, *found = NULL, *found_end = NULL;
  gsize key_len = strlen (key);

  if (p == NULL)
    return NULL;
  if (r->len >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    p += 3;
  p = skip_space (p, end);
  if (p >= end || *p != '{')
    return NULL;
  p = skip_space (p + 1, end);
  while (p < end && *p == '"')
    {
      const char *name = p + 1, *v, *v_end;
      gboolean match;

      if ((p = skip_string (p, end)) == NULL)
        return NULL;
      match = (gsize) (p - 1 - name) == key_len && memcmp (name, key, key_len) == 0;
      p = skip_space (p, end);
      if (p >= end || *p != ':')
        return NULL;
      v = skip_space (p + 1, end);
      if ((v_end = skip_value (v, end)) == NULL)
        return NULL;
      if (match)
        {
          found = v;
          found_end = v_end;
        }
      p = skip_space (v_end, end);
      if (p >= end || *p != ',')
        break;
      p = skip_space (p + 1, end);
    }
  return found != NULL ? g_strndup (found, found_end - found) : NULL;
}

/* The member key as written in config.json, cut to a short excerpt on one
 * line: for error messages. */
static char *
config_shown (const ConfigReader *r,
              const char         *key)
{
  g_autofree char *text = config_text (r, key);
  g_autofree char *valid = NULL;
  const char *end;

  if (text == NULL)
    text = json_to_string (json_object_get_member (r->o, key), FALSE);
  valid = g_utf8_make_valid (text, -1);
  for (char *c = valid; *c != '\0'; c++)
    if (*c == '\n' || *c == '\r' || *c == '\t')
      *c = ' ';
  if (strlen (valid) <= SHOWN_MAX)
    return g_steal_pointer (&valid);
  end = g_utf8_find_prev_char (valid, valid + SHOWN_MAX + 1);
  return g_strdup_printf ("%.*s…", (int) (end - valid), valid);
}

/* A size or count: a whole number from min to max. A number written with a
 * fraction (24.5), a string ("24") or any other type is refused, as torch
 * would refuse it for a size; 24.0 is accepted. Below min is impossible,
 * above max is more than we accept. */
static gboolean
config_int (const ConfigReader *r,
            const char         *key,
            int                 def,
            gint64              min,
            gint64              max,
            int                *out,
            GError            **error)
{
  JsonNode *n = json_object_get_member (r->o, key);
  GType type = G_TYPE_INVALID;
  g_autofree char *shown = NULL;
  gboolean below, above;

  if (n == NULL)
    {
      *out = def;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (n))
    type = json_node_get_value_type (n);
  if (type == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (n);
      g_autofree char *text = config_text (r, key);

      below = v < min;
      above = v > max;
      /* json-glib wraps what does not fit 64 bits (even to a plausible
       * size, from a large negative number): the text tells. */
      if (text != NULL)
        {
          gint64 written;

          errno = 0;
          written = g_ascii_strtoll (text, NULL, 10);
          if (errno == ERANGE || written != v)
            {
              below = text[0] == '-';
              above = !below;
            }
        }
    }
  else if (type == G_TYPE_DOUBLE && isfinite (json_node_get_double (n))
           && json_node_get_double (n) == floor (json_node_get_double (n)))
    {
      double v = json_node_get_double (n);

      below = v < (double) min;
      above = v > (double) max;
    }
  else
    {
      shown = config_shown (r, key);
      /* Translators: "…/config.json: hidden_size is 24.5; give a whole number" */
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: %s is %s; give a whole number"),
                   r->path, key, shown);
      return FALSE;
    }
  if (below || above)
    {
      shown = config_shown (r, key);
      /* Translators: "…/config.json: img_feature_dim is 0; it must be from 1 to 1048576" */
      g_set_error (error, OV_ERROR, below ? OV_ERROR_FORMAT : OV_ERROR_LIMIT,
                   _ ("%s: %s is %s; it must be from %" PRId64 " to %" PRId64), r->path, key,
                   shown, (int64_t) min, (int64_t) max);
      return FALSE;
    }
  *out = type == G_TYPE_INT64 ? (int) json_node_get_int (n) : (int) json_node_get_double (n);
  return TRUE;
}

/* A number (written with or without a fraction). */
static gboolean
config_double (const ConfigReader *r,
               const char         *key,
               double              def,
               double             *out,
               GError            **error)
{
  JsonNode *n = json_object_get_member (r->o, key);

  if (n == NULL)
    {
      *out = def;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n)
      || (json_node_get_value_type (n) != G_TYPE_INT64
          && json_node_get_value_type (n) != G_TYPE_DOUBLE))
    {
      g_autofree char *shown = config_shown (r, key);

      /* Translators: "…/config.json: layer_norm_eps is "x"; give a number (such as 1e-12)" */
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: %s is %s; give a number (such as %g)"), r->path, key, shown, def);
      return FALSE;
    }
  *out = json_node_get_double (n);
  return TRUE;
}

static gboolean
config_string (const ConfigReader *r,
               const char         *key,
               const char         *def,
               char              **out,
               GError            **error)
{
  JsonNode *n = json_object_get_member (r->o, key);

  if (n == NULL)
    {
      *out = g_strdup (def);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_autofree char *shown = config_shown (r, key);

      /* Translators: "…/config.json: hidden_act is 5; give a string (such as "gelu")" */
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: %s is %s; give a string (such as \"%s\")"), r->path, key, shown, def);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

/* Python truthiness of a JSON value: absent, null, false, 0 and "" are false. */
static gboolean
json_truthy (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_BOOLEAN: return json_node_get_boolean (n);
    case G_TYPE_INT64: return json_node_get_int (n) != 0;
    case G_TYPE_DOUBLE: return json_node_get_double (n) != 0.0;
    case G_TYPE_STRING: return json_node_get_string (n)[0] != '\0';
    default: return FALSE;
    }
}

/* The sizes and counts of config.json: the constructor's default and the
 * range accepted (beyond the upper bounds, sizes are refused as more than we
 * accept). */
static const struct {
  const char *key;
  gsize       offset;
  int         def;
  gint64      min, max;
} config_ints[] = {
  { "vocab_size", G_STRUCT_OFFSET (OvConfig, vocab_size), 30522, 1, 1 << 24 },
  { "hidden_size", G_STRUCT_OFFSET (OvConfig, hidden_size), 768, 1, 65536 },
  { "num_hidden_layers", G_STRUCT_OFFSET (OvConfig, num_hidden_layers), 12, 1, 1024 },
  { "num_attention_heads", G_STRUCT_OFFSET (OvConfig, num_attention_heads), 12, 1, 65536 },
  { "intermediate_size", G_STRUCT_OFFSET (OvConfig, intermediate_size), 3072, 1, 1 << 20 },
  { "max_position_embeddings", G_STRUCT_OFFSET (OvConfig, max_position_embeddings), 512, 1,
    1 << 20 },
  { "type_vocab_size", G_STRUCT_OFFSET (OvConfig, type_vocab_size), 2, 1, 1 << 20 },
  { "img_feature_dim", G_STRUCT_OFFSET (OvConfig, img_feature_dim), 2054, 1, 1 << 20 },
  /* checked for a classifier, which needs one at least (load_head_weights) */
  { "num_labels", G_STRUCT_OFFSET (OvConfig, num_labels), 2, G_MININT, G_MAXINT },
  { "cls_hidden_scale", G_STRUCT_OFFSET (OvConfig, cls_hidden_scale), 2, 1, 4096 },
  { "num_contrast_classes", G_STRUCT_OFFSET (OvConfig, num_contrast_classes), 2, G_MININT,
    G_MAXINT },
};

static gboolean
load_config (OvModel *model, const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *contents = NULL;
  ConfigReader r = { 0 };
  OvConfig *c = &model->config;
  JsonObject *o;

  if (!ov_json_load_file (parser, path, &local))
    {
      g_set_error (error, OV_ERROR, ov_json_error_code (local, OV_ERROR_MISSING), "%s: %s",
                   path, local->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: not a JSON object"), path);
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  r.path = path;
  r.o = o;
  /* only for quoting values: without it, they are quoted as json-glib read them */
  if (g_file_get_contents (path, &contents, &r.len, NULL))
    r.text = contents;

  for (gsize i = 0; i < G_N_ELEMENTS (config_ints); i++)
    if (!config_int (&r, config_ints[i].key, config_ints[i].def, config_ints[i].min,
                     config_ints[i].max, G_STRUCT_MEMBER_P (c, config_ints[i].offset), error))
      return FALSE;
  if (!config_double (&r, "layer_norm_eps", 1e-12, &c->layer_norm_eps, error)
      || !config_double (&r, "img_layer_norm_eps", 1e-12, &c->img_layer_norm_eps, error)
      || !config_string (&r, "hidden_act", "gelu", &c->hidden_act, error)
      || !config_string (&r, "img_feature_type", "frcnn", &c->img_feature_type, error)
      || !config_string (&r, "classifier", "linear", &c->classifier, error))
    return FALSE;
  c->use_img_layernorm = json_truthy (o, "use_img_layernorm");
  c->tie_weights = json_truthy (o, "tie_weights");

  if (c->hidden_size % c->num_attention_heads != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: hidden_size %d is not a multiple of num_attention_heads %d"),
                   path, c->hidden_size, c->num_attention_heads);
      return FALSE;
    }
  /* A negative epsilon makes LayerNorm take the square root of a negative
   * variance: every output would be NaN. */
  if (!(isfinite (c->layer_norm_eps) && c->layer_norm_eps >= 0)
      || !(isfinite (c->img_layer_norm_eps) && c->img_layer_norm_eps >= 0))
    {
      gboolean text = !(isfinite (c->layer_norm_eps) && c->layer_norm_eps >= 0);

      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: %s is %g; it must be a small number, 0 or more (such as 1e-12)"),
                   path, text ? "layer_norm_eps" : "img_layer_norm_eps",
                   text ? c->layer_norm_eps : c->img_layer_norm_eps);
      return FALSE;
    }
  if (g_strcmp0 (c->hidden_act, "gelu") == 0)
    c->activation = OV_ACTIVATION_GELU;
  else if (g_strcmp0 (c->hidden_act, "relu") == 0)
    c->activation = OV_ACTIVATION_RELU;
  else if (g_strcmp0 (c->hidden_act, "swish") == 0)
    c->activation = OV_ACTIVATION_SWISH;
  else
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: hidden_act \"%s\" is not supported (\"gelu\", \"relu\" or "
                      "\"swish\", as in the original code)"), path, c->hidden_act);
      return FALSE;
    }
  if (g_str_has_prefix (c->img_feature_type, "dis_code"))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: img_feature_type \"%s\" (discrete codes) is not supported"),
                   path, c->img_feature_type);
      return FALSE;
    }
  if (g_strcmp0 (c->classifier, "linear") != 0 && g_strcmp0 (c->classifier, "mlp") != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: classifier \"%s\" is not supported (\"linear\" or \"mlp\")"),
                   path, c->classifier);
      return FALSE;
    }
  return TRUE;
}

/* training_args.bin (§4.3 restore_training_settings) */

static void
settings_defaults (OvTaskSettings *s)
{
  s->max_seq_a_length = 40;
  s->train_max_seq_length = 70;
  s->max_gen_length = 20;
  s->max_img_seq_length = 50;
  s->add_od_labels = TRUE;
  s->do_lower_case = TRUE;
  s->vqa_max_seq_length = 128;
  s->pretrain_max_seq_length = 35;
  s->od_labels_len = 30;
  s->od_labels_follow_length = FALSE;
}

static const OvPickleValue *
namespace_get (const OvPickleValue *root, const char *key)
{
  if (root == NULL)
    return NULL;
  if (ov_pickle_value_kind (root) != OV_PICKLE_DICT
      && ov_pickle_value_kind (root) != OV_PICKLE_OBJECT)
    return NULL;
  return ov_pickle_value_lookup (root, key);
}

static gboolean
args_int (const OvPickleValue *root, const char *key, int *out)
{
  const OvPickleValue *v = namespace_get (root, key);

  if (v == NULL)
    return FALSE;
  if (ov_pickle_value_kind (v) != OV_PICKLE_INT && ov_pickle_value_kind (v) != OV_PICKLE_BOOL)
    return FALSE;
  *out = (int) ov_pickle_value_int (v);
  return TRUE;
}

/* Reads training_args.bin into model->settings. *args_len receives its
 * max_seq_length (0 when absent): a classification run (run_vqa) pads its
 * input to that length, which is applied once the kind is known. */
static gboolean
load_training_args (OvModel *model, const char *path, int *args_len, GError **error)
{
  g_autoptr(OvPickleValue) root = NULL;
  OvTaskSettings *s = &model->settings;
  int train_len = 0, train_a = 0, train_gen = 0, scst = 0, value;

  root = ov_pickle_load_file (path, error);
  if (root == NULL)
    return FALSE;
  if (args_int (root, "max_seq_length", &value))
    {
      if (value <= 0 || value > 4096)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: impossible max_seq_length %d"), path, value);
          return FALSE;
        }
      *args_len = value;
    }
  if (args_int (root, "max_seq_a_length", &train_a))
    {
      gboolean have_len = args_int (root, "max_seq_length", &train_len);

      args_int (root, "scst", &scst);
      args_int (root, "max_gen_length", &train_gen);
      if (have_len)
        {
          s->train_max_seq_length = train_len;
          s->od_labels_len = scst ? train_len - train_gen : train_len - train_a;
        }
      s->max_seq_a_length = train_a;
    }
  else
    s->od_labels_follow_length = TRUE;
  if (args_int (root, "do_lower_case", &value))
    s->do_lower_case = value != 0;
  if (args_int (root, "add_od_labels", &value))
    s->add_od_labels = value != 0;
  if (args_int (root, "max_img_seq_length", &value))
    s->max_img_seq_length = value;
  if (s->od_labels_len < 0 || s->max_seq_a_length < 0 || s->max_img_seq_length < 0
      || s->od_labels_len > 4096 || s->max_seq_a_length > 4096 || s->max_img_seq_length > 4096)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: impossible sequence lengths (max_seq_length %d, max_seq_a_length %d, "
                      "max_img_seq_length %d)"), path, train_len, train_a, s->max_img_seq_length);
      return FALSE;
    }
  return TRUE;
}

/* Weights */

typedef struct {
  OvModel     *model;
  const char  *prefix;        /* "bert." or "" for the encoder */
  GHashTable  *used;          /* names consumed */
  const char  *file;
} Loader;

static void
add_warning (OvModel *model, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
add_warning (OvModel *model, const char *format, ...)
{
  va_list ap;
  char *msg;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_debug ("%s", msg);
  /* keep the array NULL-terminated */
  g_ptr_array_remove_index (model->warnings, model->warnings->len - 1);
  g_ptr_array_add (model->warnings, msg);
  g_ptr_array_add (model->warnings, NULL);
}

static char *
shape_string (int n_dims, const gint64 *shape)
{
  GString *s = g_string_new ("[");

  for (int i = 0; i < n_dims; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static const OvTensor *
find_tensor (Loader *ld, const char *name, gboolean in_encoder)
{
  g_autofree char *full = g_strconcat (in_encoder ? ld->prefix : "", name, NULL);

  return ov_state_dict_lookup (ld->model->state_dict, full);
}

/* The index of the first of n floats that is an infinity or a NaN, or -1.
 * The exponent test runs over blocks without a branch, so that it
 * vectorises. */
/* Weights of at most this many elements are checked as they are loaded
 * (a test lowers it to reach the other path with a tiny model). */
gint64 _ov_model_scan_at_load = 65536;
#define SCAN_AT_LOAD _ov_model_scan_at_load

static void
set_non_finite_error (GError    **error,
                      const char *file,
                      const char *weight,
                      float       value,
                      gint64      element)
{
  /* Translators: "…/pytorch_model.bin: the weight bert.pooler.dense.bias holds nan at
   * element 3; …" */
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
               _ ("%s: the weight %s holds %g at element %lld; a weight must be a "
                  "finite number (the file is damaged, or the training that wrote it "
                  "diverged)"), file, weight, value, (long long) element);
}

static gint64
first_non_finite (const float *x,
                  gint64       n)
{
  for (gint64 start = 0; start < n; start += 4096)
    {
      gint64 end = MIN (n, start + 4096);
      guint32 bad = 0;

      for (gint64 i = start; i < end; i++)
        {
          guint32 bits;

          memcpy (&bits, x + i, sizeof bits);
          bad |= (bits & 0x7f800000u) == 0x7f800000u;
        }
      if (bad)
        for (gint64 i = start; i < end; i++)
          {
            float v;

            memcpy (&v, x + i, sizeof v);
            if (!isfinite (v))
              return i;
          }
    }
  return -1;
}

/* Fetches a float tensor of the given shape (dims terminated by 0). With
 * optional, an absent tensor gives NULL without an error. */
static const float *
take (Loader *ld, const char *name, gboolean in_encoder, gboolean optional,
      GError **error, ...)
{
  g_autofree char *full = g_strconcat (in_encoder ? ld->prefix : "", name, NULL);
  const OvTensor *t = ov_state_dict_lookup (ld->model->state_dict, full);
  gint64 want[OV_TENSOR_MAX_DIMS];
  int n_want = 0;
  gboolean same;
  const float *data;
  float *owned = NULL;
  gint64 bad;
  va_list ap;

  va_start (ap, error);
  for (int d = va_arg (ap, int); d > 0 && n_want < OV_TENSOR_MAX_DIMS; d = va_arg (ap, int))
    want[n_want++] = d;
  va_end (ap);

  if (t == NULL)
    {
      if (!optional)
        g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                     _ ("%s: the weight %s is missing"), ld->file, full);
      return NULL;
    }
  same = t->n_dims == n_want;
  for (int i = 0; same && i < n_want; i++)
    same = t->shape[i] == want[i];
  if (!same)
    {
      g_autofree char *got = shape_string (t->n_dims, t->shape);
      g_autofree char *exp = shape_string (n_want, want);

      g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                   _ ("%s: the weight %s has shape %s, the config expects %s"),
                   ld->file, full, got, exp);
      return NULL;
    }
  if (t->dtype != OV_DTYPE_F32 && t->dtype != OV_DTYPE_F16 && t->dtype != OV_DTYPE_BF16
      && t->dtype != OV_DTYPE_F64)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: the weight %s has dtype %s, not a floating-point type"),
                   ld->file, full, ov_dtype_name (t->dtype));
      return NULL;
    }
  data = ov_tensor_as_f32 (t, &owned);
  if (owned != NULL)
    g_ptr_array_add (ld->model->owned, owned);
  if (data == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: the weight %s could not be read as float32"), ld->file, full);
      return NULL;
    }
  /* The small weights (biases, LayerNorms) are read through here; the
   * large matrices are not: touching every page of a mapped base model
   * would take three times the rest of the load (0.2 s against 0.06 s).
   * A non-finite value in them shows in the encoder's output, which
   * _ov_model_check_output checks; it then names the weight. */
  if (t->n_elements <= SCAN_AT_LOAD && (bad = first_non_finite (data, t->n_elements)) >= 0)
    {
      set_non_finite_error (error, ld->file, full, data[bad], bad);
      return NULL;
    }
  g_hash_table_add (ld->used, g_strdup (full));
  return data;
}

static gboolean
has_prefix_tensor (OvStateDict *sd, const char *prefix)
{
  for (guint i = 0; i < ov_state_dict_get_n_tensors (sd); i++)
    if (g_str_has_prefix (ov_state_dict_get_nth (sd, i)->name, prefix))
      return TRUE;
  return FALSE;
}

/* A weight the file lacks but the original fills in deterministically
 * (init_weights: LayerNorm weight 1 and bias 0; the LM head's bias starts
 * at zero): n copies of value, with a load warning. Weights the original
 * would leave random are not filled in: they stay required. */
static const float *
take_or_fill (Loader *ld, const char *name, gboolean in_encoder, int n, float value,
              GError **error)
{
  g_autofree char *full = g_strconcat (in_encoder ? ld->prefix : "", name, NULL);
  float *filled;

  if (ov_state_dict_lookup (ld->model->state_dict, full) != NULL)
    return take (ld, name, in_encoder, FALSE, error, n, 0);
  filled = g_new (float, n);
  for (int i = 0; i < n; i++)
    filled[i] = value;
  g_ptr_array_add (ld->model->owned, filled);
  add_warning (ld->model, _ ("%s: the weight %s is missing; it is set to %g, as the original "
                             "code initialises it"), ld->file, full, value);
  return filled;
}

static gboolean
load_encoder_weights (Loader *ld, GError **error)
{
  OvModel *m = ld->model;
  const OvConfig *c = &m->config;
  int h = c->hidden_size, in = c->intermediate_size;

#define REQ(dst, name, ...) \
  if (((dst) = take (ld, name, TRUE, FALSE, error, __VA_ARGS__, 0)) == NULL) return FALSE

  REQ (m->word_emb, "embeddings.word_embeddings.weight", c->vocab_size, h);
  REQ (m->pos_emb, "embeddings.position_embeddings.weight", c->max_position_embeddings, h);
  REQ (m->type_emb, "embeddings.token_type_embeddings.weight", c->type_vocab_size, h);
  REQ (m->emb_ln_g, "embeddings.LayerNorm.weight", h);
  REQ (m->emb_ln_b, "embeddings.LayerNorm.bias", h);
  REQ (m->img_w, "img_embedding.weight", h, c->img_feature_dim);
  REQ (m->img_b, "img_embedding.bias", h);
  if (c->use_img_layernorm)
    {
      if ((m->img_ln_g = take_or_fill (ld, "LayerNorm.weight", TRUE, h, 1.0f, error)) == NULL
          || (m->img_ln_b = take_or_fill (ld, "LayerNorm.bias", TRUE, h, 0.0f, error)) == NULL)
        return FALSE;
    }
  else if (find_tensor (ld, "LayerNorm.weight", TRUE) != NULL)
    {
      add_warning (m, _ ("%s: the file has an image LayerNorm (%sLayerNorm.weight) but the "
                         "config does not enable use_img_layernorm, so it is not applied "
                         "(as in the original code)"), ld->file, ld->prefix);
    }
  m->layers = g_new0 (OvLayerWeights, c->num_hidden_layers);
  for (int l = 0; l < c->num_hidden_layers; l++)
    {
      OvLayerWeights *w = &m->layers[l];
      char name[128];

#define LREQ(dst, suffix, ...) \
      g_snprintf (name, sizeof name, "encoder.layer.%d.%s", l, suffix); \
      REQ (dst, name, __VA_ARGS__)

      LREQ (w->q_w, "attention.self.query.weight", h, h);
      LREQ (w->q_b, "attention.self.query.bias", h);
      LREQ (w->k_w, "attention.self.key.weight", h, h);
      LREQ (w->k_b, "attention.self.key.bias", h);
      LREQ (w->v_w, "attention.self.value.weight", h, h);
      LREQ (w->v_b, "attention.self.value.bias", h);
      LREQ (w->ao_w, "attention.output.dense.weight", h, h);
      LREQ (w->ao_b, "attention.output.dense.bias", h);
      LREQ (w->aln_g, "attention.output.LayerNorm.weight", h);
      LREQ (w->aln_b, "attention.output.LayerNorm.bias", h);
      LREQ (w->i_w, "intermediate.dense.weight", in, h);
      LREQ (w->i_b, "intermediate.dense.bias", in);
      LREQ (w->o_w, "output.dense.weight", h, in);
      LREQ (w->o_b, "output.dense.bias", h);
      LREQ (w->oln_g, "output.LayerNorm.weight", h);
      LREQ (w->oln_b, "output.LayerNorm.bias", h);
#undef LREQ
    }
  /* Captioning never reads the pooled vector, so a captioning file may lack
   * the pooler (the original leaves it random and unused); the heads on the
   * pooled vector need it. */
  if (m->kind == OV_MODEL_KIND_CAPTION && find_tensor (ld, "pooler.dense.weight", TRUE) == NULL
      && find_tensor (ld, "pooler.dense.bias", TRUE) == NULL)
    return TRUE;
  REQ (m->pool_w, "pooler.dense.weight", h, h);
  REQ (m->pool_b, "pooler.dense.bias", h);
  return TRUE;
}

static gboolean
load_head_weights (Loader *ld, GError **error)
{
  OvModel *m = ld->model;
  const OvConfig *c = &m->config;
  int h = c->hidden_size;

  if (m->kind == OV_MODEL_KIND_CAPTION || m->kind == OV_MODEL_KIND_PRETRAIN)
    {
      gboolean tied = m->kind == OV_MODEL_KIND_PRETRAIN || c->tie_weights;

#undef REQ
#define REQ(dst, name, ...) \
  if (((dst) = take (ld, name, FALSE, FALSE, error, __VA_ARGS__, 0)) == NULL) return FALSE

      REQ (m->lm_dense_w, "cls.predictions.transform.dense.weight", h, h);
      REQ (m->lm_dense_b, "cls.predictions.transform.dense.bias", h);
      REQ (m->lm_ln_g, "cls.predictions.transform.LayerNorm.weight", h);
      REQ (m->lm_ln_b, "cls.predictions.transform.LayerNorm.bias", h);
      if ((m->lm_bias = take_or_fill (ld, "cls.predictions.bias", FALSE, c->vocab_size, 0.0f,
                                      error)) == NULL)
        return FALSE;
      if (tied)
        {
          /* The decoder is the word-embedding matrix; a stored copy is
           * checked and then ignored, as tie_weights() replaces it. */
          if (find_tensor (ld, "cls.predictions.decoder.weight", FALSE) != NULL
              && take (ld, "cls.predictions.decoder.weight", FALSE, FALSE, error,
                       c->vocab_size, h, 0) == NULL)
            return FALSE;
          m->lm_dec_w = m->word_emb;
        }
      else
        REQ (m->lm_dec_w, "cls.predictions.decoder.weight", c->vocab_size, h);
    }
  if (m->kind == OV_MODEL_KIND_PRETRAIN)
    {
      const OvTensor *t = find_tensor (ld, "cls.seq_relationship.weight", FALSE);

      /* The class count comes from the tensor (§2.4): 2 for Oscar, 3 for Oscar+. */
      m->n_contrast = t != NULL && t->n_dims == 2 ? (int) t->shape[0] : 0;
      if (m->n_contrast < 1 || m->n_contrast > 8)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                       _ ("%s: the weight cls.seq_relationship.weight should be [C, %d] with "
                          "C at most 8"), ld->file, h);
          return FALSE;
        }
      REQ (m->sr_w, "cls.seq_relationship.weight", m->n_contrast, h);
      REQ (m->sr_b, "cls.seq_relationship.bias", m->n_contrast);
    }
  if (m->kind == OV_MODEL_KIND_CLASSIFIER)
    {
      m->n_labels = c->num_labels;
      if (m->n_labels <= 0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: num_labels is %d in config.json; a VQA classifier needs at least "
                          "one answer"), m->path, m->n_labels);
          return FALSE;
        }
      m->cls_mlp = g_strcmp0 (c->classifier, "mlp") == 0;
      if (m->cls_mlp)
        {
          m->cls_hidden = h * c->cls_hidden_scale;
          REQ (m->cls1_w, "classifier.0.weight", m->cls_hidden, h);
          REQ (m->cls1_b, "classifier.0.bias", m->cls_hidden);
          REQ (m->cls2_w, "classifier.2.weight", m->n_labels, m->cls_hidden);
          REQ (m->cls2_b, "classifier.2.bias", m->n_labels);
        }
      else
        {
          REQ (m->cls1_w, "classifier.weight", m->n_labels, h);
          REQ (m->cls1_b, "classifier.bias", m->n_labels);
        }
    }
#undef REQ
  return TRUE;
}

static OvModelKind
detect_kind (OvStateDict *sd)
{
  gboolean lm = has_prefix_tensor (sd, "cls.predictions.");
  gboolean sr = has_prefix_tensor (sd, "cls.seq_relationship.");

  if (lm && sr)
    return OV_MODEL_KIND_PRETRAIN;
  if (lm)
    return OV_MODEL_KIND_CAPTION;
  if (has_prefix_tensor (sd, "classifier."))
    return OV_MODEL_KIND_CLASSIFIER;
  return OV_MODEL_KIND_ENCODER;
}

static gboolean
load_weights (OvModel *model, gboolean private_copy, GError **error)
{
  g_autofree char *bin = g_build_filename (model->path, "pytorch_model.bin", NULL);
  g_autofree char *st = g_build_filename (model->path, "model.safetensors", NULL);
  const char *file;
  Loader ld = { model, "bert.", NULL, NULL };
  gboolean ok;

  if (g_file_test (bin, G_FILE_TEST_EXISTS))
    file = bin;
  else if (g_file_test (st, G_FILE_TEST_EXISTS))
    file = st;
  else
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("%s: no weights (neither pytorch_model.bin nor model.safetensors)"),
                   model->path);
      return FALSE;
    }
  model->state_dict = ov_state_dict_load_full (file, private_copy ? OV_STATE_DICT_PRIVATE_COPY
                                                                  : OV_STATE_DICT_MAP, error);
  if (model->state_dict == NULL)
    return FALSE;

  ld.file = ov_state_dict_get_path (model->state_dict);
  /* A bare encoder's names lack the "bert." prefix (§1.4). */
  if (!has_prefix_tensor (model->state_dict, "bert"))
    ld.prefix = "";
  model->kind = detect_kind (model->state_dict);
  ld.used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ok = load_encoder_weights (&ld, error) && load_head_weights (&ld, error);
  if (ok)
    for (guint i = 0; i < ov_state_dict_get_n_tensors (model->state_dict); i++)
      {
        const char *name = ov_state_dict_get_nth (model->state_dict, i)->name;

        if (g_hash_table_contains (ld.used, name)
            || g_str_has_suffix (name, "embeddings.position_ids"))
          continue;
        /* an image LayerNorm the config disables was warned about above */
        if (!model->config.use_img_layernorm && g_str_has_prefix (name, ld.prefix)
            && (strcmp (name + strlen (ld.prefix), "LayerNorm.weight") == 0
                || strcmp (name + strlen (ld.prefix), "LayerNorm.bias") == 0))
          continue;
        add_warning (model, _ ("%s: unexpected weight %s is not used by the %s model"),
                     ld.file, name, ov_model_kind_name (model->kind));
      }
  g_hash_table_unref (ld.used);
  return ok;
}

static gboolean
load_tokenizer (OvModel *model, GError **error)
{
  g_autofree char *vocab = g_build_filename (model->path, "vocab.txt", NULL);
  g_autofree char *added = g_build_filename (model->path, "added_tokens.json", NULL);
  g_autofree char *special = g_build_filename (model->path, "special_tokens_map.json", NULL);

  model->tokenizer = ov_tokenizer_new_from_files (vocab, added, special,
                                                  model->settings.do_lower_case, error);
  return model->tokenizer != NULL;
}

OvModel *
ov_model_load (const char *dir, const OvModelOptions *opts, GError **error)
{
  g_autoptr(OvModel) model = NULL;
  g_autofree char *config = NULL;
  g_autofree char *args = NULL;
  int args_len = 0;
  OvModelOptions defaults;

  g_return_val_if_fail (dir != NULL, NULL);

  if (opts == NULL)
    {
      ov_model_options_init (&defaults);
      opts = &defaults;
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: not a checkpoint folder"), dir);
      return NULL;
    }

  model = g_new0 (OvModel, 1);
  model->path = g_strdup (dir);
  model->owned = g_ptr_array_new_with_free_func (g_free);
  model->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (model->warnings, NULL);
  settings_defaults (&model->settings);

  config = g_build_filename (dir, "config.json", NULL);
  if (!g_file_test (config, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("%s: not a checkpoint folder: it has no config.json (a checkpoint folder "
                      "holds config.json, vocab.txt and pytorch_model.bin or model.safetensors)"),
                   dir);
      return NULL;
    }
  if (!load_config (model, config, error))
    return NULL;
  args = g_build_filename (dir, "training_args.bin", NULL);
  if (g_file_test (args, G_FILE_TEST_EXISTS)
      && !load_training_args (model, args, &args_len, error))
    return NULL;
  if (!load_tokenizer (model, error))
    return NULL;
  if (ov_tokenizer_get_vocab_size (model->tokenizer) != (guint) model->config.vocab_size)
    add_warning (model, _ ("%s/vocab.txt has %u entries but config.json says vocab_size %d"),
                 dir, ov_tokenizer_get_vocab_size (model->tokenizer), model->config.vocab_size);
  {
    gint32 first, later;
    guint n = ov_tokenizer_get_duplicates (model->tokenizer, &first, &later);

    if (n > 0)
      add_warning (model, ngettext ("%s/vocab.txt repeats %u word piece: “%s” is on lines %d "
                                    "and %d (counted from 0); as in Oscar the later line's id is "
                                    "the one the text reads, and id %d is never read",
                                    "%s/vocab.txt repeats %u word pieces; the first, “%s”, is "
                                    "on lines %d and %d (counted from 0); as in Oscar the later "
                                    "line's id is the one the text reads, and id %d is never "
                                    "read", n),
                   dir, n, ov_tokenizer_id_to_token (model->tokenizer, later), first, later,
                   first);
  }
  if (!load_weights (model, opts->private_weights, error))
    return NULL;
  /* run_captioning's test branch makes its tokenizer without do_lower_case,
   * so the constructor's default, lower case, holds whatever
   * training_args.bin says (run_vqa passes its own flag on). */
  if (model->kind == OV_MODEL_KIND_CAPTION && !model->settings.do_lower_case)
    {
      model->settings.do_lower_case = TRUE;
      g_clear_pointer (&model->tokenizer, ov_tokenizer_free);
      if (!load_tokenizer (model, error))
        return NULL;
    }
  /* run_vqa pads question + tags to its args.max_seq_length */
  if (model->kind == OV_MODEL_KIND_CLASSIFIER && args_len > 0)
    model->settings.vqa_max_seq_length = args_len;

  if (!_ov_model_attach_backend (model, opts, error))
    return NULL;
  return g_steal_pointer (&model);
}

void
ov_model_free (OvModel *model)
{
  if (model == NULL)
    return;
  g_free (model->path);
  g_free (model->config.hidden_act);
  g_free (model->config.img_feature_type);
  g_free (model->config.classifier);
  g_clear_pointer (&model->tokenizer, ov_tokenizer_free);
  g_clear_pointer (&model->state_dict, ov_state_dict_free);
  g_clear_pointer (&model->owned, g_ptr_array_unref);
  g_clear_pointer (&model->warnings, g_ptr_array_unref);
  g_free (model->layers);
  g_free (model->backend_desc);
  g_free (model->device_fallback);
  /* its buffers belong to the backend: before it */
  g_clear_pointer (&model->spare_cache[0], _ov_device_cache_destroy);
  g_clear_pointer (&model->spare_cache[1], _ov_device_cache_destroy);
  g_clear_pointer (&model->backend, ov_backend_free);
  g_free (model);
}

OvModelKind
ov_model_get_kind (OvModel *model)
{
  g_return_val_if_fail (model != NULL, OV_MODEL_KIND_ENCODER);
  return model->kind;
}

const char *
ov_model_get_path (OvModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->path;
}

const OvConfig *
ov_model_get_config (OvModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->config;
}

gboolean
ov_model_reads_tags (OvModel *model)
{
  g_return_val_if_fail (model != NULL, FALSE);
  return model->kind != OV_MODEL_KIND_CAPTION || model->settings.add_od_labels;
}

OvTaskSettings *
ov_model_get_settings (OvModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->settings;
}

gboolean
ov_model_borrow_tag_layout (OvModel *model,
                            OvModel *tagged)
{
  gboolean lower;

  g_return_val_if_fail (model != NULL && tagged != NULL, FALSE);

  if (model->kind != OV_MODEL_KIND_CAPTION || model->settings.add_od_labels
      || tagged->kind != OV_MODEL_KIND_CAPTION || !tagged->settings.add_od_labels)
    return FALSE;
  lower = model->settings.do_lower_case;
  model->settings = tagged->settings;
  model->settings.do_lower_case = lower;
  return TRUE;
}

OvTokenizer *
ov_model_get_tokenizer (OvModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->tokenizer;
}

const char *
ov_model_get_backend_description (OvModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->backend_desc;
}

const char *const *
ov_model_get_warnings (OvModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  if (model->warnings->len <= 1)
    return NULL;
  return (const char *const *) model->warnings->pdata;
}

gboolean
ov_model_supports (OvModel *model, OvTask task, GError **error)
{
  static const char *task_names[] = {
    N_("encoding"), N_("captioning"), N_("question answering"), N_("masked-word prediction"),
    N_("image-text matching"),
  };
  const char *kind, *use, *bundled;
  gboolean ok;

  g_return_val_if_fail (model != NULL, FALSE);

  switch (task)
    {
    case OV_TASK_ENCODE: ok = TRUE; break;
    case OV_TASK_CAPTION: ok = model->kind == OV_MODEL_KIND_CAPTION; break;
    case OV_TASK_VQA: ok = model->kind == OV_MODEL_KIND_CLASSIFIER; break;
    case OV_TASK_MASK:
      ok = model->kind == OV_MODEL_KIND_PRETRAIN;
      break;
    case OV_TASK_MATCH: ok = model->kind == OV_MODEL_KIND_PRETRAIN; break;
    default: ok = FALSE; break;
    }
  if (ok)
    return TRUE;
  switch (model->kind)
    {
    case OV_MODEL_KIND_CAPTION:
      kind = _ ("captioning");
      use = _ ("it writes captions (oscarviz caption)");
      break;
    case OV_MODEL_KIND_CLASSIFIER:
      kind = _ ("classifier");
      use = _ ("it answers questions (oscarviz vqa)");
      break;
    case OV_MODEL_KIND_PRETRAIN:
      kind = _ ("pre-training");
      use = _ ("it predicts masked words and matches text to images (oscarviz mask, "
               "oscarviz match)");
      break;
    default:
      kind = _ ("encoder");
      use = _ ("it only encodes (oscarviz encode, embed, attention)");
      break;
    }
  /* the bundled model that can do what was asked */
  switch (task)
    {
    case OV_TASK_CAPTION: bundled = _ ("the bundled captioning model demo can"); break;
    case OV_TASK_VQA: bundled = _ ("the bundled VQA model demo-vqa can"); break;
    case OV_TASK_MASK:
    case OV_TASK_MATCH:
      bundled = _ ("the bundled pre-training model demo-pretrain can");
      break;
    default: bundled = NULL; break;
    }
  if (bundled != NULL)
    /* Translators: "demo: a captioning model cannot do masked-word prediction; it writes
     * captions (oscarviz caption); the bundled pre-training model demo-pretrain can" */
    g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED, _ ("%s: a %s model cannot do %s; %s; %s"),
                 model->path, kind,
                 (guint) task < G_N_ELEMENTS (task_names) ? _ (task_names[task]) : "?", use,
                 bundled);
  else
    g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED, _ ("%s: a %s model cannot do %s; %s"),
                 model->path, kind,
                 (guint) task < G_N_ELEMENTS (task_names) ? _ (task_names[task]) : "?", use);
  return FALSE;
}

gboolean
_ov_model_check_output (OvModel     *model,
                        const float *x,
                        gsize        n,
                        GError     **error)
{
  OvStateDict *sd = model->state_dict;
  const char *file = ov_state_dict_get_path (sd);

  if (first_non_finite (x, (gint64) n) < 0)
    return TRUE;
  /* the large weights were not checked at load: find the culprit now */
  for (guint i = 0; i < ov_state_dict_get_n_tensors (sd); i++)
    {
      const OvTensor *t = ov_state_dict_get_nth (sd, i);
      g_autofree float *owned = NULL;
      const float *data;
      gint64 bad;

      if (t->n_elements <= SCAN_AT_LOAD
          || (t->dtype != OV_DTYPE_F32 && t->dtype != OV_DTYPE_F16
              && t->dtype != OV_DTYPE_BF16 && t->dtype != OV_DTYPE_F64))
        continue;
      data = ov_tensor_as_f32 (t, &owned);
      if (data != NULL && (bad = first_non_finite (data, t->n_elements)) >= 0)
        {
          set_non_finite_error (error, file, t->name, data[bad], bad);
          return FALSE;
        }
    }
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
               _ ("%s: the model's output is not a finite number although every weight and "
                  "input value is: its arithmetic overflowed, as inputs far outside the usual "
                  "range (region features of 1e30, say) or weights of a training that diverged "
                  "make it do"), file);
  return FALSE;
}
