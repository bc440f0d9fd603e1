/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Lazily read datasets over the files of §7, pairing rows by index with a
 * key check (as Oscar does) or by key, and the sample loader shared by the
 * command-line commands.
 */
#define G_LOG_DOMAIN "ov-dataset"

#include "config.h"

#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/ov-error.h"
#include "model/ov-i18n.h"
#include "model/ov-json.h"
#include "ov-dataset.h"
#include "ov-demo.h"
#include "model/ov-files.h"

typedef enum {
  PRIMARY_LABELS,
  PRIMARY_FEATURES,
  PRIMARY_DICT,
  PRIMARY_MEMORY,
  PRIMARY_HW,
  PRIMARY_IMAGES,
} Primary;

struct _OvDataset {
  char       *path;
  OvFileKind  kind;
  Primary     primary;
  guint       n_samples;

  OvTsv      *labels;
  OvFileKind  labels_kind;
  OvTsv      *features;
  OvFileKind  features_kind;
  OvStateDict *dict;         /* a feature dict (OV_FILE_FEATURE_DICT) instead of features */
  GHashTable *dict_index;    /* its image keys -> index + 1 */
  guint       dict_width;    /* 2054, or 2048 without the box values */
  char       *features_note; /* why a VQA json has no features: said with each sample */
  GArray     *linelist;      /* guint rows of the primary TSV a split yaml keeps, or NULL */
  OvTsv      *hw;
  OvTsv      *images;
  GPtrArray  *memory;        /* OvSample*: sample JSON or VQA json, read whole */
  GHashTable *memory_index;  /* key -> index + 1 */
  OvFileKind  memory_kind;
  GHashTable *captions;      /* key -> GPtrArray of char* */
  GHashTable *questions;     /* key -> OvSample* of the yaml's qla: file */
  GPtrArray  *qla;           /* OvSample*, owns the values of questions */
  char       *image_dir;     /* where KEY.png / images/KEY.png are looked for */
  OvClassNames *class_names; /* names of an LXMERT TSV's class ids */
  OvClassNames *attr_names;
};

static OvTsv *primary_tsv (OvDataset *ds);
static gboolean read_part (OvDataset *ds, OvSample *sample, OvTsv *tsv, OvFileKind kind,
                           guint row, OvProgressFunc progress, gpointer progress_data,
                           GCancellable *cancellable, GError **error);

void
ov_dataset_free (OvDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->path);
  g_clear_pointer (&ds->labels, ov_tsv_free);
  g_clear_pointer (&ds->features, ov_tsv_free);
  g_clear_pointer (&ds->dict, ov_state_dict_free);
  g_clear_pointer (&ds->dict_index, g_hash_table_unref);
  g_free (ds->features_note);
  g_clear_pointer (&ds->linelist, g_array_unref);
  g_clear_pointer (&ds->hw, ov_tsv_free);
  g_clear_pointer (&ds->images, ov_tsv_free);
  g_clear_pointer (&ds->memory, g_ptr_array_unref);
  g_clear_pointer (&ds->memory_index, g_hash_table_unref);
  g_clear_pointer (&ds->captions, g_hash_table_unref);
  g_clear_pointer (&ds->questions, g_hash_table_unref);
  g_clear_pointer (&ds->qla, g_ptr_array_unref);
  g_free (ds->image_dir);
  g_clear_pointer (&ds->class_names, ov_class_names_free);
  g_clear_pointer (&ds->attr_names, ov_class_names_free);
  g_free (ds);
}

gboolean
ov_dataset_set_class_names (OvDataset  *ds,
                            const char *path,
                            GError    **error)
{
  OvClassNames *names = ov_class_names_load (path, error);

  if (names == NULL)
    return FALSE;
  g_clear_pointer (&ds->class_names, ov_class_names_free);
  ds->class_names = names;
  return TRUE;
}

gboolean
ov_dataset_has_class_ids (OvDataset *ds)
{
  return ds->features != NULL && ds->features_kind == OV_FILE_LXMERT_TSV;
}

gboolean
ov_dataset_lacks_class_names (OvDataset *ds)
{
  return ov_dataset_has_class_ids (ds) && ds->class_names == NULL;
}

const char *
ov_dataset_get_path (OvDataset *ds)
{
  return ds->path;
}

OvFileKind
ov_dataset_get_kind (OvDataset *ds)
{
  return ds->kind;
}

guint
ov_dataset_get_n_samples (OvDataset *ds)
{
  return ds->n_samples;
}

/* What a file is, with its article, for messages. */
static const char *
kind_phrase (OvFileKind kind)
{
  switch (kind)
    {
    case OV_FILE_IMAGE:          return _ ("an image");
    case OV_FILE_DETECTIONS_TSV: return _ ("a detection TSV");
    case OV_FILE_FEATURE_TSV:    return _ ("an Oscar feature TSV");
    case OV_FILE_VINVL_FEATURES: return _ ("a VinVL features TSV");
    case OV_FILE_HW_TSV:         return _ ("an image-size TSV (hw.tsv)");
    case OV_FILE_IMAGE_TSV:      return _ ("an image TSV");
    case OV_FILE_BUTD_TSV:       return _ ("a bottom-up-attention TSV");
    case OV_FILE_LXMERT_TSV:     return _ ("an LXMERT TSV");
    case OV_FILE_VQA_JSON:       return _ ("an Oscar VQA json");
    case OV_FILE_SAMPLE_JSON:    return _ ("an oscarviz sample JSON");
    case OV_FILE_DATASET_YAML:   return _ ("a dataset yaml");
    case OV_FILE_CAPTIONS_JSON:  return _ ("a captions JSON");
    case OV_FILE_FEATURE_DICT:   return _ ("a tensor file (torch.save or safetensors)");
    case OV_FILE_CAPTION_PREDICTIONS: return _ ("a caption predictions TSV");
    case OV_FILE_UNKNOWN:
    default:                     return _ ("a file of unknown kind");
    }
}

static gboolean
is_feature_kind (OvFileKind k)
{
  return k == OV_FILE_FEATURE_TSV || k == OV_FILE_VINVL_FEATURES || k == OV_FILE_BUTD_TSV
         || k == OV_FILE_LXMERT_TSV;
}

/* What open_tsv_as wanted, as its message names it. */
#define HW_ROLE _ ("an hw TSV (a key and the image's height and width a line)")
#define IMAGES_ROLE _ ("an image TSV (a key and a base64 JPEG or PNG a line)")

static OvTsv *
open_tsv_as (const char   *path,
             const char   *role,
             gboolean    (*accept) (OvFileKind),
             OvFileKind   *kind_out,
             GCancellable *cancellable,
             GError      **error)
{
  OvFileKind kind = ov_file_sniff (path, error);

  if (kind == OV_FILE_UNKNOWN)
    return NULL;
  if (!accept (kind))
    {
      /* Translators: "x.tsv is a feature TSV, not an image TSV (a key and a
       * base64 JPEG or PNG a line)" */
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s is %s, not %s"), path,
                   kind_phrase (kind), role);
      return NULL;
    }
  if (kind_out != NULL)
    *kind_out = kind;
  return ov_tsv_open (path, cancellable, error);
}

/* Whether tensor names look like a model's weights rather than image keys. */
static gboolean
looks_like_weights (OvStateDict *sd)
{
  for (guint i = 0; i < ov_state_dict_get_n_tensors (sd) && i < 8; i++)
    {
      const char *name = ov_state_dict_get_nth (sd, i)->name;

      if (g_str_has_suffix (name, ".weight") || g_str_has_suffix (name, ".bias")
          || strstr (name, "embeddings.") != NULL)
        return TRUE;
    }
  return FALSE;
}

char *
ov_find_answer_list (const char *folder)
{
  static const char *const names[] = {
    "label2ans.json", "label2ans.txt", "answers.json", "answers.txt", "label2ans.pkl",
    "trainval_label2ans.pkl", "ans2label.json", "ans2label.pkl", "trainval_ans2label.pkl",
  };
  static const char *const subfolders[] = { "", "cache" };

  for (guint f = 0; folder != NULL && f < G_N_ELEMENTS (subfolders); f++)
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (folder, subfolders[f], names[i], NULL);

        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          return g_steal_pointer (&path);
      }
  return NULL;
}

gboolean
ov_feature_dict_check (OvStateDict *dict,
                       GError     **error)
{
  const char *path = ov_state_dict_get_path (dict);

  if (ov_state_dict_get_n_tensors (dict) == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s holds no tensors; expected a dict image id → region features "
                      "(regions × %d)"), path, OV_REGION_DIM);
      return FALSE;
    }
  /* what oscarviz embed writes: vectors with their class and modality */
  if (ov_state_dict_lookup (dict, "vectors") != NULL
      && ov_state_dict_lookup (dict, "modality") != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s is an embeddings file written by oscarviz embed, not region "
                      "features; give it to oscarviz tsne or oscarviz align"), path);
      return FALSE;
    }
  if (looks_like_weights (dict))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s holds model weights (%s), not region features; open its folder as a "
                      "model instead"), path, ov_state_dict_get_nth (dict, 0)->name);
      return FALSE;
    }
  return TRUE;
}

/* A dict image key -> region features (§7.3: Oscar's VQA, GQA and NLVR2
 * {split}_img_frcnn_feats.pt), mapped, not read: the files run to tens of
 * gigabytes. Every entry is checked to be a (N, 2048|2054) float matrix
 * here, so that a wrong file fails when it is opened. */
static gboolean
open_feature_dict (OvDataset    *ds,
                   const char   *path,
                   GError      **error)
{
  g_autoptr(OvStateDict) dict = ov_state_dict_load (path, error);
  g_autoptr(GHashTable) index = NULL;
  guint n;
  gint64 width = 0;

  if (dict == NULL || !ov_feature_dict_check (dict, error))
    return FALSE;
  n = ov_state_dict_get_n_tensors (dict);
  index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      const OvTensor *t = ov_state_dict_get_nth (dict, i);
      g_autofree char *where = g_strdup_printf ("%s, image “%s”", path, t->name);
      gint64 w;

      if (!ov_features_tensor_check (t, where, error))
        return FALSE;
      w = t->shape[t->n_dims - 1];
      if ((w != OV_REGION_DIM && w != OV_REGION_APPEARANCE_DIM) || (width != 0 && w != width))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                       _ ("%s: the features are %" PRId64 " wide; region features are "
                          "%d wide (or %d without the box values), all of one width"), where, w,
                       OV_REGION_DIM, OV_REGION_APPEARANCE_DIM);
          return FALSE;
        }
      width = w;
      if (!g_hash_table_contains (index, t->name))
        g_hash_table_insert (index, t->name, GSIZE_TO_POINTER ((gsize) i + 1));
    }
  ds->dict = g_steal_pointer (&dict);
  ds->dict_index = g_steal_pointer (&index);
  ds->dict_width = (guint) width;
  ds->features_kind = OV_FILE_FEATURE_DICT;
  return TRUE;
}

static gboolean
open_features (OvDataset    *ds,
               const char   *path,
               GCancellable *cancellable,
               GError      **error)
{
  OvFileKind kind = ov_file_sniff (path, error);

  if (kind == OV_FILE_UNKNOWN)
    return FALSE;
  if (kind == OV_FILE_FEATURE_DICT)
    return open_feature_dict (ds, path, error);
  /* VinVL's predictions.tsv holds each object's 2048 features in its
   * "feature" when TEST.TSV_SAVE_SUBSET names it (vinvl_x152c4.yaml does);
   * its first row tells */
  if (kind == OV_FILE_DETECTIONS_TSV)
    {
      g_autoptr(OvTsv) tsv = ov_tsv_open (path, cancellable, error);
      g_autofree char *row = NULL;

      if (tsv == NULL)
        return FALSE;
      row = ov_tsv_get_n_rows (tsv) > 0 ? ov_tsv_read_row (tsv, 0, NULL, NULL, cancellable,
                                                           NULL)
                                        : NULL;
      if (row == NULL || strstr (row, "\"feature\"") == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s is a detection TSV whose objects carry no \"feature\", not a "
                          "feature file (VinVL's predictions.tsv has them when "
                          "TEST.TSV_SAVE_SUBSET names \"feature\"); give it as --labels"),
                       path);
          return FALSE;
        }
      ds->features_kind = kind;
      ds->features = g_steal_pointer (&tsv);
      return TRUE;
    }
  if (!is_feature_kind (kind))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s is %s, not a feature file"), path,
                   kind_phrase (kind));
      return FALSE;
    }
  ds->features_kind = kind;
  ds->features = ov_tsv_open (path, cancellable, error);
  return ds->features != NULL;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* The features Oscar's run_vqa.py reads with a VQA json: from the same
 * folder, {name}_img_{type}_feats.pt, where the json is {split}_qla*.json
 * and name is the split without its year (train2014_qla_mrcnn.json and
 * train_img_frcnn_feats.pt) or the split itself (test2015), and type is
 * --img_feature_type, frcnn by default. The first such file that holds
 * 2054-wide region features is taken; without one, ds->features_note says
 * what was looked for and why nothing was taken. */
static void
open_vqa_features (OvDataset    *ds,
                   const char   *qla_path,
                   GCancellable *cancellable)
{
  g_autofree char *dir = g_path_get_dirname (qla_path);
  g_autofree char *base = g_path_get_basename (qla_path);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) skipped = g_string_new (NULL);
  const char *qla = strstr (base, "_qla");
  gsize split_len;

  if (qla == NULL || qla == base)
    return;
  split_len = (gsize) (qla - base);
  g_ptr_array_add (names, g_strndup (base, split_len));
  if (split_len > 4 && g_ascii_isdigit (base[split_len - 1])
      && g_ascii_isdigit (base[split_len - 2]) && g_ascii_isdigit (base[split_len - 3])
      && g_ascii_isdigit (base[split_len - 4]))
    g_ptr_array_add (names, g_strndup (base, split_len - 4));

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("%s_img_", (char *) names->pdata[i]);
      g_autofree char *preferred = g_strdup_printf ("%sfrcnn_feats.pt", prefix);
      g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
      g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
        if (g_str_has_prefix (name, prefix) && g_str_has_suffix (name, "_feats.pt"))
          {
            if (g_str_equal (name, preferred))
              g_ptr_array_add (candidates, g_build_filename (dir, name, NULL));
            else
              g_ptr_array_add (others, g_build_filename (dir, name, NULL));
          }
      g_ptr_array_sort (others, compare_paths);
      g_ptr_array_extend_and_steal (candidates, g_steal_pointer (&others));
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      const char *path = candidates->pdata[i];
      g_autoptr(GError) local = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        return;
      if (open_feature_dict (ds, path, &local) && ds->dict_width == OV_REGION_DIM)
        return;
      if (local == NULL)
        {
          /* 2048 wide: a VQA json has no boxes to give them their box values */
          g_string_append_printf (skipped, _ ("; %s is %u wide, without the box values"), path,
                                  ds->dict_width);
          g_clear_pointer (&ds->dict, ov_state_dict_free);
          g_clear_pointer (&ds->dict_index, g_hash_table_unref);
          ds->features_kind = OV_FILE_UNKNOWN;
        }
      else
        g_string_append_printf (skipped, "; %s", local->message);
    }
  if (names->len > 1)
    ds->features_note = g_strdup_printf (_ ("%s: no region features, as no %s_img_*_feats.pt or "
                                            "%s_img_*_feats.pt beside it holds them%s"), qla_path,
                                         (char *) names->pdata[0], (char *) names->pdata[1],
                                         skipped->str);
  else
    ds->features_note = g_strdup_printf (_ ("%s: no region features, as no %s_img_*_feats.pt "
                                            "beside it holds them%s"), qla_path,
                                         (char *) names->pdata[0], skipped->str);
}

/* Whether a TSV was cut off inside its last row: the file does not end with
 * a line end, and the row's last column stops inside its JSON or, for a
 * base64 column, inside a group of four characters. */
static gboolean
ends_mid_row (OvTsv *tsv)
{
  int fd = ov_files_check_regular (ov_tsv_get_path (tsv), NULL)
           ? g_open (ov_tsv_get_path (tsv), O_RDONLY | O_CLOEXEC, 0) : -1;
  g_autofree char *row = NULL;
  struct stat st;
  char last = '\n';
  const char *column;
  gsize len;

  if (fd < 0)
    return FALSE;
  if (fstat (fd, &st) == 0 && st.st_size > 0 && pread (fd, &last, 1, st.st_size - 1) != 1)
    last = '\n';
  close (fd);
  if (last == '\n' || ov_tsv_get_n_rows (tsv) == 0)
    return FALSE;
  row = ov_tsv_read_row (tsv, ov_tsv_get_n_rows (tsv) - 1, NULL, NULL, NULL, NULL);
  if (row == NULL)
    return FALSE;
  column = strrchr (row, '\t') != NULL ? strrchr (row, '\t') + 1 : row;
  len = strlen (column);
  if (*column == '{' || *column == '[')
    return ov_json_ends_open (column, (gssize) len);
  return len % 4 != 0 && strspn (column, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789+/") == len;
}

static gboolean accept_hw (OvFileKind k) { return k == OV_FILE_HW_TSV; }
static gboolean accept_images (OvFileKind k) { return k == OV_FILE_IMAGE_TSV; }

static gboolean
load_captions (OvDataset  *ds,
               const char *path,
               GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonArray *list;

  if (!ov_json_load_file (parser, path, &local))
    {
      g_set_error (error, OV_ERROR, ov_json_error_code (local, OV_ERROR_IO), "%s: %s", path,
                   local->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: expected a list of {\"image_id\", \"caption\"}"), path);
      return FALSE;
    }
  list = json_node_get_array (root);
  ds->captions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *en = json_array_get_element (list, i);
      JsonNode *idn;
      const char *caption;
      g_autofree char *id = NULL;
      GPtrArray *arr;

      if (!JSON_NODE_HOLDS_OBJECT (en))
        continue;
      idn = json_object_get_member (json_node_get_object (en), "image_id");
      caption = ov_json_get_string (json_node_get_object (en), "caption", NULL);
      if (idn == NULL || !JSON_NODE_HOLDS_VALUE (idn) || caption == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: entry %u needs \"image_id\" and \"caption\""), path, i);
          return FALSE;
        }
      if (json_node_get_value_type (idn) == G_TYPE_INT64)
        id = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (idn));
      else
        id = g_strdup (json_node_get_string (idn));
      if (id == NULL)
        continue;
      arr = g_hash_table_lookup (ds->captions, id);
      if (arr == NULL)
        {
          arr = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (ds->captions, g_strdup (id), arr);
        }
      g_ptr_array_add (arr, g_strdup (caption));
    }
  return TRUE;
}

static gboolean
open_labels (OvDataset    *ds,
             const char   *path,
             GCancellable *cancellable,
             GError      **error)
{
  OvFileKind kind = ov_file_sniff (path, error);

  switch (kind)
    {
    case OV_FILE_DETECTIONS_TSV:
      ds->labels_kind = kind;
      ds->labels = ov_tsv_open (path, cancellable, error);
      return ds->labels != NULL;
    case OV_FILE_SAMPLE_JSON:
    case OV_FILE_VQA_JSON:
      ds->memory_kind = kind;
      ds->memory = kind == OV_FILE_SAMPLE_JSON ? ov_sample_json_load (path, error)
                                               : ov_vqa_json_load (path, error);
      if (ds->memory == NULL)
        return FALSE;
      ds->memory_index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < ds->memory->len; i++)
        {
          OvSample *s = g_ptr_array_index (ds->memory, i);

          if (!g_hash_table_contains (ds->memory_index, s->key))
            g_hash_table_insert (ds->memory_index, s->key, GSIZE_TO_POINTER ((gsize) i + 1));
        }
      return TRUE;
    case OV_FILE_BUTD_TSV:
    case OV_FILE_LXMERT_TSV:
      /* These carry boxes and features in one row. */
      if (ds->features != NULL || ds->dict != NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("%s carries its own features; give it alone, not with another "
                          "feature file"), path);
          return FALSE;
        }
      ds->features_kind = kind;
      ds->features = ov_tsv_open (path, cancellable, error);
      return ds->features != NULL;
    case OV_FILE_UNKNOWN:
      return FALSE;
    default:
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s is %s, not a detection file"),
                   path, kind_phrase (kind));
      return FALSE;
    }
}

OvDataset *
ov_dataset_open_files (const OvDatasetFiles *files,
                       GCancellable         *cancellable,
                       GError              **error)
{
  g_autoptr(OvDataset) ds = g_new0 (OvDataset, 1);

  g_return_val_if_fail (files != NULL, NULL);

  if (files->features != NULL && !open_features (ds, files->features, cancellable, error))
    return NULL;
  if (files->labels != NULL && !open_labels (ds, files->labels, cancellable, error))
    return NULL;
  if (files->features == NULL && !files->no_features && ds->features == NULL
      && ds->memory_kind == OV_FILE_VQA_JSON)
    open_vqa_features (ds, files->labels, cancellable);
  if (files->hw != NULL
      && (ds->hw = open_tsv_as (files->hw, HW_ROLE, accept_hw, NULL, cancellable, error)) == NULL)
    return NULL;
  if (files->images != NULL
      && (ds->images = open_tsv_as (files->images, IMAGES_ROLE, accept_images, NULL,
                                    cancellable, error)) == NULL)
    return NULL;
  if (files->captions != NULL && !load_captions (ds, files->captions, error))
    return NULL;
  if (files->class_names != NULL
      && (ds->class_names = ov_class_names_load (files->class_names, error)) == NULL)
    return NULL;
  if (files->attr_names != NULL
      && (ds->attr_names = ov_class_names_load (files->attr_names, error)) == NULL)
    return NULL;

  /* Oscar iterates the label file and fetches feature row i for label row i. */
  if (ds->labels != NULL)
    {
      ds->primary = PRIMARY_LABELS;
      ds->n_samples = ov_tsv_get_n_rows (ds->labels);
      ds->kind = ds->labels_kind;
      ds->path = g_strdup (ov_tsv_get_path (ds->labels));
    }
  else if (ds->memory != NULL)
    {
      ds->primary = PRIMARY_MEMORY;
      ds->n_samples = ds->memory->len;
      ds->kind = ds->memory_kind;
      ds->path = g_strdup (files->labels);
    }
  else if (ds->features != NULL)
    {
      ds->primary = PRIMARY_FEATURES;
      ds->n_samples = ov_tsv_get_n_rows (ds->features);
      ds->kind = ds->features_kind;
      ds->path = g_strdup (ov_tsv_get_path (ds->features));
    }
  else if (ds->dict != NULL)
    {
      ds->primary = PRIMARY_DICT;
      ds->n_samples = ov_state_dict_get_n_tensors (ds->dict);
      ds->kind = OV_FILE_FEATURE_DICT;
      ds->path = g_strdup (ov_state_dict_get_path (ds->dict));
    }
  else if (ds->hw != NULL)
    {
      ds->primary = PRIMARY_HW;
      ds->n_samples = ov_tsv_get_n_rows (ds->hw);
      ds->kind = OV_FILE_HW_TSV;
      ds->path = g_strdup (ov_tsv_get_path (ds->hw));
    }
  else if (ds->images != NULL)
    {
      ds->primary = PRIMARY_IMAGES;
      ds->n_samples = ov_tsv_get_n_rows (ds->images);
      ds->kind = OV_FILE_IMAGE_TSV;
      ds->path = g_strdup (ov_tsv_get_path (ds->images));
    }
  else
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("No detection, feature, size or image file was given"));
      return NULL;
    }

  /* Row pairing needs equal lengths; say so now rather than at row N. */
  if (ds->labels != NULL && ds->features != NULL
      && ov_tsv_get_n_rows (ds->labels) != ov_tsv_get_n_rows (ds->features))
    {
      OvTsv *shorter = ov_tsv_get_n_rows (ds->labels) < ov_tsv_get_n_rows (ds->features)
                       ? ds->labels : ds->features;

      if (ends_mid_row (shorter))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "%s has %u row but %s has %u, and %s stops in the middle "
                                    "of its last row: it looks cut short",
                                    "%s has %u rows but %s has %u, and %s stops in the middle "
                                    "of its last row: it looks cut short",
                                    ov_tsv_get_n_rows (ds->labels)),
                       ov_tsv_get_path (ds->labels), ov_tsv_get_n_rows (ds->labels),
                       ov_tsv_get_path (ds->features), ov_tsv_get_n_rows (ds->features),
                       ov_tsv_get_path (shorter));
          return NULL;
        }
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%s has %u row but %s has %u; Oscar pairs them row by row, so "
                                "they must list the same images in the same order",
                                "%s has %u rows but %s has %u; Oscar pairs them row by row, so "
                                "they must list the same images in the same order",
                                ov_tsv_get_n_rows (ds->labels)),
                   ov_tsv_get_path (ds->labels), ov_tsv_get_n_rows (ds->labels),
                   ov_tsv_get_path (ds->features), ov_tsv_get_n_rows (ds->features));
      return NULL;
    }
  ds->image_dir = g_path_get_dirname (ds->path);
  return g_steal_pointer (&ds);
}

/* Whether a file's last byte is not a line end. */
static gboolean
ends_without_newline (const char *path)
{
  int fd = ov_files_check_regular (path, NULL) ? g_open (path, O_RDONLY | O_CLOEXEC, 0) : -1;
  struct stat st;
  char last = '\n';

  if (fd < 0)
    return FALSE;
  if (fstat (fd, &st) == 0 && st.st_size > 0 && pread (fd, &last, 1, st.st_size - 1) != 1)
    last = '\n';
  close (fd);
  return last != '\n';
}

GPtrArray *
ov_dataset_check_last_rows (OvDataset    *ds,
                            GCancellable *cancellable)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  struct { OvTsv *tsv; OvFileKind kind; } files[] = {
    { ds->labels, ds->labels_kind }, { ds->features, ds->features_kind },
    { ds->hw, OV_FILE_HW_TSV },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(OvSample) part = NULL;
      g_autoptr(GError) local = NULL;
      g_autofree char *key = NULL;
      guint n;

      if (files[i].tsv == NULL || (n = ov_tsv_get_n_rows (files[i].tsv)) == 0)
        continue;
      key = ov_tsv_read_key (files[i].tsv, n - 1, NULL);
      part = ov_sample_new (key);
      if (key != NULL
          && read_part (ds, part, files[i].tsv, files[i].kind, n - 1, NULL, NULL, cancellable,
                        &local))
        continue;
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        break;
      if (ends_without_newline (ov_tsv_get_path (files[i].tsv)))
        g_ptr_array_add (out, g_strdup_printf (_ ("the last row cannot be read, and the file "
                                                  "stops without a line end, so it looks cut "
                                                  "short: %s"),
                                               local != NULL ? local->message
                                                             : ov_tsv_get_path (files[i].tsv)));
      else
        g_ptr_array_add (out, g_strdup_printf (_ ("the last row cannot be read: %s"),
                                               local != NULL ? local->message
                                                             : ov_tsv_get_path (files[i].tsv)));
    }
  return out;
}

gboolean
ov_dataset_add_hw (OvDataset    *ds,
                   const char   *path,
                   GCancellable *cancellable,
                   GError      **error)
{
  if (ds->hw != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("%s names its own image sizes (%s); do not add %s"), ds->path,
                   ov_tsv_get_path (ds->hw), path);
      return FALSE;
    }
  ds->hw = open_tsv_as (path, HW_ROLE, accept_hw, NULL, cancellable, error);
  return ds->hw != NULL;
}

/* The questions of a split yaml's `qla:` file (an Oscar VQA json), by
 * image key, for samples whose own files carry none. */
static gboolean
load_yaml_questions (OvDataset  *ds,
                     const char *qla_path,
                     GError    **error)
{
  ds->qla = ov_vqa_json_load (qla_path, error);
  if (ds->qla == NULL)
    return FALSE;
  ds->questions = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < ds->qla->len; i++)
    {
      OvSample *s = g_ptr_array_index (ds->qla, i);

      if (!g_hash_table_contains (ds->questions, s->key))
        g_hash_table_insert (ds->questions, s->key, s);
    }
  return TRUE;
}

/* The picture of a sample kept as a file beside the dataset: KEY.png,
 * KEY.jpg or KEY.jpeg in its folder or in images/ there. NULL when there is
 * none. The key names a file here, so it must not lead out of the folder. */
static char *
find_image_file (const char *folder,
                 const char *key)
{
  static const char *const subfolders[] = { "", "images" };
  static const char *const extensions[] = { "png", "jpg", "jpeg" };

  if (folder == NULL || key == NULL || *key == '\0' || key[0] == '.'
      || strchr (key, G_DIR_SEPARATOR) != NULL)
    return NULL;
  for (guint f = 0; f < G_N_ELEMENTS (subfolders); f++)
    for (guint e = 0; e < G_N_ELEMENTS (extensions); e++)
      {
        g_autofree char *name = g_strdup_printf ("%s.%s", key, extensions[e]);
        g_autofree char *path = g_build_filename (folder, subfolders[f], name, NULL);

        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          return g_steal_pointer (&path);
      }
  return NULL;
}

/* A split yaml's linelist: the rows of its files that make the split, one
 * a line (a second column, as in caption linelists, is ignored), each a row
 * of the file the samples follow. */
static gboolean
load_linelist (OvDataset  *ds,
               const char *path,
               GError    **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  OvTsv *tsv = primary_tsv (ds);
  guint n_rows;

  if (tsv == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: a linelist picks rows of TSV files; %s is not one"), path, ds->path);
      return FALSE;
    }
  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error) || !g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  n_rows = ov_tsv_get_n_rows (tsv);
  lines = g_strsplit (text, "\n", -1);
  ds->linelist = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *tab = strchr (line, '\t');
      guint64 row;

      if (*line == '\0')
        continue;
      if (tab != NULL)
        *tab = '\0';
      if (!g_ascii_string_to_unsigned (g_strstrip (line), 10, 0, G_MAXUINT, &row, NULL))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s, line %u: “%s” is not a row number"),
                       path, i + 1, line);
          return FALSE;
        }
      if (row >= n_rows)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s, line %u: row %" PRIu64 ", but %s has %u rows"), path, i + 1,
                       row, ov_tsv_get_path (tsv), n_rows);
          return FALSE;
        }
      {
        guint r = (guint) row;

        g_array_append_val (ds->linelist, r);
      }
    }
  if (ds->linelist->len == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s names no rows"), path);
      return FALSE;
    }
  ds->n_samples = ds->linelist->len;
  return TRUE;
}

OvDataset *
ov_dataset_open (const char   *path,
                 GCancellable *cancellable,
                 GError      **error)
{
  OvDatasetFiles files = { NULL };
  OvFileKind kind;
  OvDataset *ds;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      /* Says which of its files to give instead. */
      g_autofree char *file = ov_demo_resolve_dataset (path, error);

      g_assert (file == NULL);
      return NULL;
    }
  kind = ov_file_sniff (path, error);
  switch (kind)
    {
    case OV_FILE_DATASET_YAML:
      {
        g_autoptr(GHashTable) yaml = ov_dataset_yaml_load (path, error);

        if (yaml == NULL)
          return NULL;
        files.features = g_hash_table_lookup (yaml, "feature");
        files.labels = g_hash_table_lookup (yaml, "label");
        files.hw = g_hash_table_lookup (yaml, "hw");
        files.images = g_hash_table_lookup (yaml, "img");
        files.captions = g_hash_table_lookup (yaml, "caption");
        /* the NoCaps cbs_* keys are caption --cbs's (ov-cbs.c) */
        if (files.features == NULL && files.labels == NULL && files.hw == NULL
            && files.images == NULL)
          {
            g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                         _ ("%s names none of feature:, label:, hw:, img:"), path);
            return NULL;
          }
        ds = ov_dataset_open_files (&files, cancellable, error);
        if (ds == NULL)
          return NULL;
        g_free (ds->path);
        ds->path = g_strdup (path);
        ds->kind = OV_FILE_DATASET_YAML;
        g_free (ds->image_dir);
        ds->image_dir = g_path_get_dirname (path);
        if ((g_hash_table_lookup (yaml, "qla") != NULL
             && !load_yaml_questions (ds, g_hash_table_lookup (yaml, "qla"), error))
            || (g_hash_table_lookup (yaml, "linelist") != NULL
                && !load_linelist (ds, g_hash_table_lookup (yaml, "linelist"), error)))
          {
            ov_dataset_free (ds);
            return NULL;
          }
        return ds;
      }
    case OV_FILE_DETECTIONS_TSV:
    case OV_FILE_SAMPLE_JSON:
    case OV_FILE_VQA_JSON:
    case OV_FILE_BUTD_TSV:
    case OV_FILE_LXMERT_TSV:
      files.labels = path;
      break;
    case OV_FILE_FEATURE_TSV:
    case OV_FILE_VINVL_FEATURES:
    case OV_FILE_FEATURE_DICT:
      files.features = path;
      break;
    case OV_FILE_HW_TSV:
      files.hw = path;
      break;
    case OV_FILE_IMAGE_TSV:
      files.images = path;
      break;
    case OV_FILE_UNKNOWN:
      return NULL;
    case OV_FILE_IMAGE:
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s is an image, which does not make a dataset by itself; give it with its "
                      "detections and features (--image FILE --detections FILE --features FILE)"),
                   path);
      return NULL;
    case OV_FILE_CAPTIONS_JSON:
    default:
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s is %s, which does not make a dataset by itself"), path,
                   kind_phrase (kind));
      return NULL;
    }
  return ov_dataset_open_files (&files, cancellable, error);
}

/* The row of the primary TSV that sample `index` is. */
static guint
sample_row (OvDataset *ds,
            guint      index)
{
  return ds->linelist != NULL ? g_array_index (ds->linelist, guint, index) : index;
}

static OvTsv *
primary_tsv (OvDataset *ds)
{
  switch (ds->primary)
    {
    case PRIMARY_LABELS:   return ds->labels;
    case PRIMARY_FEATURES: return ds->features;
    case PRIMARY_HW:       return ds->hw;
    case PRIMARY_IMAGES:   return ds->images;
    case PRIMARY_DICT:
    case PRIMARY_MEMORY:
    default:               return NULL;
    }
}

char *
ov_dataset_dup_key (OvDataset *ds,
                    guint      index,
                    GError   **error)
{
  if (index >= ds->n_samples)
    {
      if (ds->n_samples == 0)
        g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s has no samples"), ds->path);
      else
        g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                     _ ("%s has %u samples, numbered from 0 to %u; there is no sample %u"),
                     ds->path, ds->n_samples, ds->n_samples - 1, index);
      return NULL;
    }
  if (ds->primary == PRIMARY_MEMORY)
    return g_strdup (((OvSample *) g_ptr_array_index (ds->memory, index))->key);
  if (ds->primary == PRIMARY_DICT)
    return g_strdup (ov_state_dict_get_nth (ds->dict, index)->name);
  return ov_tsv_read_key (primary_tsv (ds), sample_row (ds, index), error);
}

gint64
ov_dataset_find_key (OvDataset    *ds,
                     const char   *key,
                     GCancellable *cancellable,
                     GError      **error)
{
  gint64 row;

  if (ds->primary == PRIMARY_MEMORY || ds->primary == PRIMARY_DICT)
    {
      gpointer hit = g_hash_table_lookup (ds->primary == PRIMARY_MEMORY ? ds->memory_index
                                                                        : ds->dict_index, key);

      if (hit == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s has no sample with key “%s”"),
                       ds->path, key);
          return -1;
        }
      return GPOINTER_TO_SIZE (hit) - 1;
    }
  row = ov_tsv_find_key (primary_tsv (ds), key, cancellable, error);
  if (row < 0 || ds->linelist == NULL)
    return row;
  for (guint i = 0; i < ds->linelist->len; i++)
    if (g_array_index (ds->linelist, guint, i) == (guint) row)
      return i;
  /* the key may come again further down, in a row the linelist keeps */
  for (guint i = 0; i < ds->linelist->len; i++)
    {
      g_autofree char *k = ov_tsv_read_key (primary_tsv (ds), g_array_index (ds->linelist, guint,
                                                                            i), NULL);

      if (g_strcmp0 (k, key) == 0)
        return i;
    }
  g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
               _ ("%s: image “%s” is row %" PRId64 " of %s, which the split's linelist "
                  "leaves out"), ds->path, key, row, ov_tsv_get_path (primary_tsv (ds)));
  return -1;
}

/* Reads row `row` of one TSV into the sample with the parser of its kind. */
static gboolean
read_part (OvDataset      *ds,
           OvSample       *sample,
           OvTsv          *tsv,
           OvFileKind      kind,
           guint           row,
           OvProgressFunc  progress,
           gpointer        progress_data,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autofree char *line = NULL;
  g_autofree char *where = NULL;

  line = ov_tsv_read_row (tsv, row, progress, progress_data, cancellable, error);
  if (line == NULL)
    return FALSE;
  where = g_strdup_printf ("%s, row %u", ov_tsv_get_path (tsv), row);
  switch (kind)
    {
    case OV_FILE_DETECTIONS_TSV:
      return ov_parse_detections_row (sample, line, where, error);
    case OV_FILE_FEATURE_TSV:
    case OV_FILE_VINVL_FEATURES:
      return ov_parse_features_row (sample, kind, line, where, error);
    case OV_FILE_BUTD_TSV:
    case OV_FILE_LXMERT_TSV:
      return ov_parse_butd_row (sample, kind, line, ds->class_names, ds->attr_names, where,
                                error);
    case OV_FILE_HW_TSV:
      return ov_parse_hw_row (sample, line, where, error);
    default:
      g_set_error (error, OV_ERROR, OV_ERROR_FAILED,
                   _ ("%s: cannot read rows of this kind"), where);
      return FALSE;
    }
}

/* Row of `key` in a secondary file: the same row when it holds the key
 * (the usual case), else a key search. */
static gint64
row_for_key (OvTsv        *tsv,
             guint         hint,
             const char   *key,
             GCancellable *cancellable,
             GError      **error)
{
  if (hint < ov_tsv_get_n_rows (tsv))
    {
      g_autofree char *k = ov_tsv_read_key (tsv, hint, NULL);

      if (g_strcmp0 (k, key) == 0)
        return hint;
    }
  return ov_tsv_find_key (tsv, key, cancellable, error);
}

/* Gives sample the regions part read (the boxes and the features come from
 * one row), leaving part sample's old ones to free. */
static void
take_regions (OvSample *sample,
              OvSample *part)
{
  OvRegion *tmp = sample->regions;

  sample->regions = part->regions;
  sample->n_regions = part->n_regions;
  part->regions = tmp;
  part->n_regions = 0;
}

static OvSample *
load_sample (OvDataset      *ds,
             guint           index,
             gboolean        by_key,
             OvProgressFunc  progress,
             gpointer        progress_data,
             GCancellable   *cancellable,
             GError        **error)
{
  g_autoptr(OvSample) sample = NULL;
  g_autofree char *key = NULL;
  int labels_w = 0, labels_h = 0;
  guint n_label_regions;
  /* the row of the TSVs paired by row: the index, or the linelist's entry */
  guint row_no = index < ds->n_samples ? sample_row (ds, index) : index;

  key = ov_dataset_dup_key (ds, index, error);
  if (key == NULL)
    return NULL;

  if (ds->primary == PRIMARY_MEMORY)
    sample = ov_sample_copy (g_ptr_array_index (ds->memory, index));
  else
    sample = ov_sample_new (key);

  if (ds->labels != NULL
      && !read_part (ds, sample, ds->labels, ds->labels_kind, row_no, NULL, NULL,
                     cancellable, error))
    return NULL;
  labels_w = sample->width;
  labels_h = sample->height;
  n_label_regions = sample->n_regions;

  if (ds->features != NULL || ds->dict != NULL)
    {
      gboolean has_labels = ds->labels != NULL || ds->memory != NULL;
      g_autoptr(OvSample) part = ov_sample_new (key);
      const char *features_path = ds->dict != NULL ? ov_state_dict_get_path (ds->dict)
                                                   : ov_tsv_get_path (ds->features);

      if (ds->dict != NULL)
        {
          /* Oscar looks the features up by image id, whatever the order. */
          const OvTensor *t = ov_state_dict_lookup (ds->dict, key);
          g_autofree char *where = g_strdup_printf ("%s, image “%s”", features_path, key);

          if (t == NULL)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                           _ ("%s has no features for image “%s”"),
                           features_path, key);
              return NULL;
            }
          if (!ov_parse_features_tensor (part, t, where, error))
            return NULL;
        }
      else
        {
          gint64 row = row_no;

          if (by_key && ds->primary != PRIMARY_FEATURES)
            row = row_for_key (ds->features, row_no, key, cancellable, error);
          else if (ds->primary == PRIMARY_MEMORY)
            row = ov_tsv_find_key (ds->features, key, cancellable, error);
          if (row < 0)
            return NULL;
          if (!read_part (ds, part, ds->features, ds->features_kind, row, progress,
                          progress_data, cancellable, error))
            return NULL;
          if (part->features == NULL)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                           _ ("%s, row %" PRId64 ": the objects carry no \"feature\", so the "
                              "file gives image “%s” no region features"), features_path, row,
                           key);
              return NULL;
            }
        }
      g_clear_pointer (&sample->features, g_free);
      sample->features = g_steal_pointer (&part->features);
      sample->n_features = part->n_features;
      sample->feature_dim = part->feature_dim;
      if (ds->features_kind == OV_FILE_DETECTIONS_TSV && !has_labels)
        {
          /* predictions with their features: the boxes are theirs */
          take_regions (sample, part);
          n_label_regions = sample->n_regions;
          if (part->width > 0)
            {
              labels_w = sample->width = part->width;
              labels_h = sample->height = part->height;
            }
        }
      if (ds->features_kind == OV_FILE_BUTD_TSV || ds->features_kind == OV_FILE_LXMERT_TSV)
        {
          /* Boxes and size come from the same row. */
          if (!has_labels)
            {
              take_regions (sample, part);
              n_label_regions = sample->n_regions;
            }
          labels_w = part->width;
          labels_h = part->height;
          sample->width = part->width;
          sample->height = part->height;
        }
      if (has_labels && sample->n_features != n_label_regions)
        {
          if (sample->feature_dim != OV_REGION_DIM)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_SHAPE,
                           _ ("%s, image “%s”: %u feature rows but %u boxes; 2048-wide features "
                              "need one box each to get their box values"),
                           features_path, key, sample->n_features,
                           n_label_regions);
              return NULL;
            }
          /* §7.2: Oscar allows this (tags are not tied to regions). A VQA
           * json gives tags only, no boxes: nothing to compare there. */
          if (n_label_regions > 0 || ds->labels != NULL)
            ov_sample_add_warning (sample, _ ("%s, image “%s”: %u feature rows but %u "
                                              "labelled boxes; tags are not tied to regions"),
                                   features_path, key, sample->n_features,
                                   n_label_regions);
        }
    }

  if (ds->hw != NULL)
    {
      g_autoptr(OvSample) part = ov_sample_new (key);
      gint64 row = ds->primary == PRIMARY_HW ? (gint64) row_no
                                              : row_for_key (ds->hw, row_no, key, cancellable,
                                                             error);

      if (row < 0)
        return NULL;
      if (!read_part (ds, part, ds->hw, OV_FILE_HW_TSV, row, NULL, NULL, cancellable, error))
        return NULL;
      if (labels_w > 0 && (labels_w != part->width || labels_h != part->height))
        ov_sample_add_warning (sample, _ ("image “%s”: the detections say %d×%d but %s says %d×%d; "
                                          "the detections' size is used"), key, labels_w, labels_h,
                               ov_tsv_get_path (ds->hw), part->width, part->height);
      else
        {
          sample->width = part->width;
          sample->height = part->height;
        }
    }

  if (ds->captions != NULL)
    {
      GPtrArray *caps = g_hash_table_lookup (ds->captions, key);

      for (guint i = 0; caps != NULL && i < caps->len; i++)
        g_ptr_array_add (sample->captions, g_strdup (g_ptr_array_index (caps, i)));
    }

  if (ds->questions != NULL && sample->questions->len == 0)
    {
      const OvSample *qla = g_hash_table_lookup (ds->questions, key);

      for (guint i = 0; qla != NULL && i < qla->questions->len; i++)
        g_ptr_array_add (sample->questions,
                         ov_question_copy (g_ptr_array_index (qla->questions, i)));
    }

  if (ov_dataset_lacks_class_names (ds))
    {
      g_autoptr(GString) tags = g_string_new (NULL);

      /* the first few are enough to show what they are */
      for (guint i = 0; i < MIN (sample->n_regions, 4); i++)
        g_string_append_printf (tags, "%s%s", i > 0 ? " " : "", sample->regions[i].cls);
      if (sample->n_regions > 4)
        g_string_append (tags, " …");
      sample->classes_unnamed = TRUE;
      ov_sample_add_warning (sample, _ ("%s, image “%s”: the classes are numeric ids that no "
                                        "names file names, so the tags are placeholders "
                                        "(“%s”); give --class-names FILE (for LXMERT TSVs "
                                        "the 1600 Visual Genome object classes, "
                                        "objects_vocab.txt)"), ov_tsv_get_path (ds->features),
                             key, tags->str);
    }
  else if (ov_dataset_has_class_ids (ds) && ds->class_names->n_names != 1600)
    ov_sample_add_warning (sample, _ ("%s names %u classes, but an LXMERT TSV's class ids "
                                      "count from 0 in the 1600 Visual Genome object classes "
                                      "(objects_vocab.txt); the names may not be the ones "
                                      "the ids stand for"), ds->class_names->path,
                           ds->class_names->n_names);
  else if (ds->class_names != NULL && !ov_dataset_has_class_ids (ds))
    ov_sample_add_warning (sample, _ ("%s gives its classes by name, not by numeric id; the "
                                      "names of %s are not used"), ds->path,
                           ds->class_names->path);
  if (ds->features_note != NULL)
    {
      ov_sample_add_warning (sample, "%s", ds->features_note);
      sample->features_missing = TRUE;
    }
  if (sample->image_path == NULL)
    sample->image_path = find_image_file (ds->image_dir, key);
  if (sample->image_path == NULL && ds->images != NULL)
    sample->image_tsv = g_strdup (ov_tsv_get_path (ds->images));
  if (sample->image_path != NULL && !g_file_test (sample->image_path, G_FILE_TEST_EXISTS))
    ov_sample_add_warning (sample, _ ("%s: the picture %s of image “%s” does not exist"),
                           ds->path, sample->image_path, sample->key);
  /* A hand-written sample may leave its size to its picture (stored
   * orientation, as boxes are read by default). A picture that cannot be
   * read leaves the size unknown, which the model's input then names. */
  if (sample->width <= 0 && sample->n_regions > 0 && sample->image_path != NULL)
    {
      g_autofree char *format = NULL;
      OvOrientation orientation;
      int w, h;

      if (ov_image_read_info (sample->image_path, &format, &w, &h, &orientation, NULL)
          && w > 0 && h > 0)
        {
          sample->width = w;
          sample->height = h;
        }
    }

  if (!ov_sample_check_boxes (sample, ds->path, error))
    return NULL;
  return g_steal_pointer (&sample);
}

OvSample *
ov_dataset_load_sample (OvDataset      *ds,
                        guint           index,
                        OvProgressFunc  progress,
                        gpointer        progress_data,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_return_val_if_fail (ds != NULL, NULL);

  return load_sample (ds, index, FALSE, progress, progress_data, cancellable, error);
}

OvSample *
ov_dataset_load_key (OvDataset      *ds,
                     const char     *key,
                     OvProgressFunc  progress,
                     gpointer        progress_data,
                     GCancellable   *cancellable,
                     GError        **error)
{
  gint64 index;

  g_return_val_if_fail (ds != NULL && key != NULL, NULL);

  index = ov_dataset_find_key (ds, key, cancellable, error);
  if (index < 0)
    return NULL;
  return load_sample (ds, index, TRUE, progress, progress_data, cancellable, error);
}

/* The picture under key in an image TSV: key, base64 of the file. */
static OvImage *
load_tsv_image (OvTsv                    *images,
                const char               *key,
                const OvImageLoadOptions *options,
                GCancellable             *cancellable,
                GError                  **error)
{
  g_autofree char *line = NULL;
  g_autofree char *name = NULL;
  g_autofree guchar *bytes = NULL;
  gsize n_bytes;
  gint64 row;
  char *tab;

  row = ov_tsv_find_key (images, key, cancellable, error);
  if (row < 0)
    return NULL;
  line = ov_tsv_read_row (images, row, NULL, NULL, cancellable, error);
  if (line == NULL)
    return NULL;
  name = g_strdup_printf ("%s, row %" G_GINT64_FORMAT, ov_tsv_get_path (images), row);
  tab = strchr (line, '\t');
  if (tab == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: no image column"), name);
      return NULL;
    }
  /* Some image TSVs add a third column; the image is the second. */
  if (strchr (tab + 1, '\t') != NULL)
    *strchr (tab + 1, '\t') = '\0';
  bytes = ov_base64_decode_strict (tab + 1, strlen (tab + 1), &n_bytes, name, error);
  if (bytes == NULL)
    return NULL;
  return ov_image_load_from_data (bytes, n_bytes, name, options, cancellable, error);
}

OvImage *
ov_dataset_load_image (OvDataset                *ds,
                       const char               *key,
                       const OvImageLoadOptions *options,
                       GCancellable             *cancellable,
                       GError                  **error)
{
  if (ds->images == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s has no image file"), ds->path);
      return NULL;
    }
  return load_tsv_image (ds->images, key, options, cancellable, error);
}

OvOrientation
ov_sample_box_turn (const OvSample *sample,
                    const OvImage  *image,
                    gboolean        boxes_upright)
{
  int uw, uh;

  g_return_val_if_fail (sample != NULL, OV_ORIENTATION_NORMAL);

  if (image == NULL || !image->orientation_applied || boxes_upright)
    return OV_ORIENTATION_NORMAL;
  ov_orientation_apply_size (image->orientation, image->stored_width, image->stored_height,
                             &uw, &uh);
  if (sample->width > 0 && uw != uh && sample->width == uw && sample->height == uh)
    return OV_ORIENTATION_NORMAL;
  return image->orientation;
}

/* Whether a picture of pw × ph, stretched to sw × sh, is stretched more
 * one way than the other: by over 2 %, more than rounding a resized
 * picture's sides gives. */
static gboolean
shape_differs (double pw,
               double ph,
               int    sw,
               int    sh)
{
  if (pw <= 0 || ph <= 0 || sw <= 0 || sh <= 0)
    return FALSE;
  return fabs ((pw / ph) / ((double) sw / sh) - 1.0) > 0.02;
}

char *
ov_sample_dup_image_mismatch (const OvSample *sample,
                              const OvImage  *image,
                              gboolean        boxes_upright)
{
  gboolean stored;
  int pw, ph;

  g_return_val_if_fail (sample != NULL && image != NULL, NULL);

  /* the boxes lie on the picture as stored when they turn with it */
  stored = ov_sample_box_turn (sample, image, boxes_upright) != OV_ORIENTATION_NORMAL;
  pw = stored ? image->stored_width : image->width;
  ph = stored ? image->stored_height : image->height;
  if (!shape_differs (pw, ph, sample->width, sample->height))
    return NULL;
  return g_strdup_printf (_ ("image “%s”: the picture is %d×%d, of another shape than the "
                             "%d×%d its boxes were measured on; it is stretched to their "
                             "frame, and the boxes may miss what they name"),
                          sample->key, pw, ph, sample->width, sample->height);
}

OvImage *
ov_sample_load_image (const OvSample           *sample,
                      const OvImageLoadOptions *options,
                      GCancellable             *cancellable,
                      GError                  **error)
{
  g_autoptr(OvTsv) images = NULL;

  g_return_val_if_fail (sample != NULL, NULL);

  if (sample->image_path != NULL)
    return ov_image_load (sample->image_path, options, cancellable, error);
  if (sample->image_tsv == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("image “%s” has no picture"),
                   sample->key);
      return NULL;
    }
  images = ov_tsv_open (sample->image_tsv, cancellable, error);
  if (images == NULL)
    return NULL;
  return load_tsv_image (images, sample->key, options, cancellable, error);
}

/* Sample source --------------------------------------------------------------- */

void
ov_sample_source_options_init (OvSampleSourceOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->row = -1;
}

void
ov_sample_source_options_clear (OvSampleSourceOptions *opts)
{
  g_clear_pointer (&opts->features, g_free);
  g_clear_pointer (&opts->labels, g_free);
  g_clear_pointer (&opts->detections, g_free);
  g_clear_pointer (&opts->image, g_free);
  g_clear_pointer (&opts->dataset, g_free);
  g_clear_pointer (&opts->hw, g_free);
  g_clear_pointer (&opts->class_names, g_free);
  g_clear_pointer (&opts->key, g_free);
  g_clear_pointer (&opts->box_frame, g_free);
  opts->row = -1;
}

/* --row N: a row number, 0 or more; anything else names itself. */
static gboolean
parse_row (const char *option_name,
           const char *value,
           gpointer    data,
           GError    **error)
{
  OvSampleSourceOptions *opts = data;
  guint64 row = 0;

  if (!ov_parse_count_option (option_name, value, 0, G_MAXUINT - 1, &row, error))
    return FALSE;
  opts->row = (gint64) row;
  return TRUE;
}

/* --box-frame stored|displayed, checked while parsing. */
static gboolean
parse_box_frame (const char *option_name,
                 const char *value,
                 gpointer    data,
                 GError    **error)
{
  OvSampleSourceOptions *opts = data;

  if (!g_str_equal (value, "stored") && !g_str_equal (value, "displayed"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s %s: give stored or displayed"), option_name, value);
      return FALSE;
    }
  g_free (opts->box_frame);
  opts->box_frame = g_strdup (value);
  return TRUE;
}

gboolean
ov_parse_count_option (const char *option_name,
                       const char *value,
                       guint64     min,
                       guint64     max,
                       guint64    *out,
                       GError    **error)
{
  g_autoptr(GError) local = NULL;

  if (!g_ascii_string_to_unsigned (value, 10, min, max, out, &local))
    {
      if (max >= G_MAXUINT - 1)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     /* Translators: "--row -1: give a whole number, 0 or more" */
                     _("%s %s: give a whole number, %llu or more"),
                     option_name, value, (unsigned long long) min);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("%s %s: give a whole number from %llu to %llu"), option_name, value,
                     (unsigned long long) min, (unsigned long long) max);
      return FALSE;
    }
  return TRUE;
}

/* After the parse: the options that cannot go together. */
static gboolean
check_sample_options (GOptionContext *context,
                      GOptionGroup   *group,
                      gpointer        data,
                      GError        **error)
{
  OvSampleSourceOptions *opts = data;
  const struct { const char *option; const char *value; } files[] = {
    { "--features", opts->features }, { "--labels", opts->labels },
    { "--detections", opts->detections }, { "--image", opts->image },
    { "--dataset", opts->dataset }, { "--hw", opts->hw }, { "--class-names", opts->class_names },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i].value != NULL && files[i].value[0] == '\0')
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     /* Translators: "--features needs a file name" */
                     _("%s needs a file name"), files[i].option);
        return FALSE;
      }
  if (opts->key != NULL && opts->row >= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--key %s and --row %lld: give either --key or --row, not both"),
                   opts->key, (long long) opts->row);
      return FALSE;
    }
  if (opts->labels != NULL && opts->detections != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("Give either --labels or --detections, not both"));
      return FALSE;
    }
  /* a dataset names its own files; only an Oscar .pt (or safetensors)
   * feature dictionary may stand in for its features, which its first
   * bytes tell. --hw may add the sizes a dataset lacks (checked when it is
   * open). */
  if (opts->dataset != NULL
      && (opts->labels != NULL || opts->detections != NULL
          || (opts->features != NULL && g_file_test (opts->features, G_FILE_TEST_IS_REGULAR)
              && !ov_file_is_tensor_container (opts->features))))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--dataset names its own files; do not add --features or --labels (give "
                      "a detection file as --labels FILE and its features as --features FILE "
                      "instead)"));
      return FALSE;
    }
  /* a split yaml that names its sizes takes no others */
  if (opts->dataset != NULL && opts->hw != NULL)
    {
      g_autofree char *file = ov_demo_resolve_dataset (opts->dataset, NULL);
      g_autoptr(GHashTable) yaml = NULL;

      if (file != NULL && ov_file_sniff (file, NULL) == OV_FILE_DATASET_YAML)
        yaml = ov_dataset_yaml_load (file, NULL);
      if (yaml != NULL && g_hash_table_lookup (yaml, "hw") != NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--dataset %s names its own image sizes (%s); do not add --hw"),
                       opts->dataset, (const char *) g_hash_table_lookup (yaml, "hw"));
          return FALSE;
        }
    }
  return TRUE;
}

GOptionGroup *
ov_sample_source_option_group (OvSampleSourceOptions *opts)
{
  const GOptionEntry entries[] = {
    { "features", 0, 0, G_OPTION_ARG_FILENAME, &opts->features,
      N_("Region features (Oscar/VinVL feature TSV, bottom-up-attention or LXMERT TSV, "
         "Oscar .pt or safetensors feature dict)"), "FILE" },
    { "labels", 0, 0, G_OPTION_ARG_FILENAME, &opts->labels,
      N_("Object tags and boxes (label or predictions TSV, sample JSON, VQA json)"), "FILE" },
    { "detections", 0, 0, G_OPTION_ARG_FILENAME, &opts->detections,
      N_("Same as --labels"), "FILE" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &opts->image, N_("The image (JPEG or PNG)"), "FILE" },
    { "dataset", 0, 0, G_OPTION_ARG_FILENAME, &opts->dataset,
      N_("A dataset: split yaml (test.yaml) or any one detection/feature file"), "FILE" },
    { "hw", 0, 0, G_OPTION_ARG_FILENAME, &opts->hw, N_("Image sizes (hw.tsv)"), "FILE" },
    { "class-names", 0, 0, G_OPTION_ARG_FILENAME, &opts->class_names,
      N_("Class names for numeric class ids (one a line, a table with a “name” column, or a "
         "label map JSON)"), "FILE" },
    { "key", 0, 0, G_OPTION_ARG_STRING, &opts->key, N_("Image key of the sample"), "KEY" },
    { "row", 0, 0, G_OPTION_ARG_CALLBACK, parse_row, N_("Row of the sample (from 0)"), "N" },
    { "box-frame", 0, 0, G_OPTION_ARG_CALLBACK, parse_box_frame,
      N_("Whether boxes refer to the image as stored (default) or as displayed after "
         "EXIF orientation"), "stored|displayed" },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("sample", N_("Sample options:"),
                                            N_("Show the options that choose the input sample"),
                                            opts, NULL);

  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  g_option_group_set_parse_hooks (group, NULL, check_sample_options);
  return group;
}

OvSample *
ov_sample_source_load (const OvSampleSourceOptions *opts,
                       GCancellable                *cancellable,
                       GError                     **error)
{
  return ov_sample_source_load_row (opts, NULL, cancellable, error);
}

OvSample *
ov_sample_source_load_row (const OvSampleSourceOptions *opts,
                           gint64                      *row,
                           GCancellable                *cancellable,
                           GError                     **error)
{
  gint64 row_out = -1;
  g_autoptr(OvDataset) ds = NULL;
  g_autoptr(OvSample) sample = NULL;
  g_autofree char *dataset = NULL;
  const char *labels;
  OvBoxFrame frame = OV_BOX_FRAME_STORED;

  g_return_val_if_fail (opts != NULL, NULL);

  if (opts->box_frame != NULL)
    {
      if (g_str_equal (opts->box_frame, "displayed"))
        frame = OV_BOX_FRAME_DISPLAYED;
      else if (!g_str_equal (opts->box_frame, "stored"))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("--box-frame must be “stored” or “displayed”, not “%s”"),
                       opts->box_frame);
          return NULL;
        }
    }
  if (opts->labels != NULL && opts->detections != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("Give either --labels or --detections, not both"));
      return NULL;
    }
  if (opts->key != NULL && opts->row >= 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("Give either --key or --row, not both"));
      return NULL;
    }
  labels = opts->labels != NULL ? opts->labels : opts->detections;

  if (opts->dataset != NULL)
    {
      if (opts->features != NULL || labels != NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("--dataset names its own files; do not add --features or --labels (give "
                          "a detection file as --labels FILE and its features as --features FILE "
                          "instead)"));
          return NULL;
        }
      dataset = ov_demo_resolve_dataset (opts->dataset, error);
      if (dataset == NULL)
        return NULL;
      ds = ov_dataset_open (dataset, cancellable, error);
      if (ds == NULL)
        return NULL;
      if (opts->hw != NULL && !ov_dataset_add_hw (ds, opts->hw, cancellable, error))
        return NULL;
      if (opts->class_names != NULL
          && !ov_dataset_set_class_names (ds, opts->class_names, error))
        return NULL;
    }
  else if (opts->features != NULL || labels != NULL || opts->hw != NULL)
    {
      OvDatasetFiles files = { NULL };

      files.features = opts->features;
      files.labels = labels;
      files.hw = opts->hw;
      files.class_names = opts->class_names;
      files.no_features = opts->no_features;
      ds = ov_dataset_open_files (&files, cancellable, error);
      if (ds == NULL)
        return NULL;
    }

  if (ds != NULL)
    {
      guint n = ov_dataset_get_n_samples (ds);

      /* a key or row the dataset lacks is a bad option value, as a
       * misspelt option is; a part file that lacks the key is not */
      if (opts->key != NULL)
        {
          GError *local = NULL;
          gint64 index = ov_dataset_find_key (ds, opts->key, cancellable, &local);

          if (index < 0)
            {
              g_autofree char *path_colon = g_strconcat (ov_dataset_get_path (ds), ": ", NULL);
              g_autofree char *first = n > 0 ? ov_dataset_dup_key (ds, 0, NULL) : NULL;
              g_autofree char *last = n > 0 ? ov_dataset_dup_key (ds, n - 1, NULL) : NULL;

              /* the lookup's own words where they say more than "not there"
               * (a linelist that leaves the key out); else the keys the
               * dataset does have, first and last */
              if (g_error_matches (local, OV_ERROR, OV_ERROR_MISSING)
                  && g_str_has_prefix (local->message, path_colon))
                g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--key: %s",
                             local->message);
              else if (g_error_matches (local, OV_ERROR, OV_ERROR_MISSING)
                       && first != NULL && last != NULL)
                g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                             _ ("--key “%s”: %s has no sample with that key; its %u samples "
                                "run from “%s” (row 0) to “%s” (row %u)"), opts->key,
                             ov_dataset_get_path (ds), n, first, last, n - 1);
              else if (g_error_matches (local, OV_ERROR, OV_ERROR_MISSING))
                g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                             _ ("--key “%s”: %s has no sample with that key"), opts->key,
                             ov_dataset_get_path (ds));
              else
                g_propagate_error (error, g_steal_pointer (&local));
              g_clear_error (&local);
              return NULL;
            }
          /* the row found above, not a second lookup of the key */
          sample = load_sample (ds, (guint) index, TRUE, opts->progress, opts->progress_data,
                                cancellable, error);
          row_out = index;
        }
      else if (n > 0 && opts->row >= (gint64) n)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _ ("--row %" PRId64 ": %s has %u samples, numbered from 0 to %u"),
                     opts->row, ov_dataset_get_path (ds), n, n - 1);
      else
        {
          sample = ov_dataset_load_sample (ds, opts->row >= 0 ? (guint) opts->row : 0,
                                           opts->progress, opts->progress_data, cancellable,
                                           error);
          row_out = MAX (opts->row, 0);
        }
      if (sample == NULL)
        return NULL;
    }
  else if (opts->image != NULL)
    {
      g_autofree char *base = g_path_get_basename (opts->image);
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      sample = ov_sample_new (opts->key != NULL ? opts->key : base);
    }
  else
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("No input: give --image, --features, --labels/--detections or --dataset"));
      return NULL;
    }

  if (opts->image != NULL)
    {
      g_autofree char *format = NULL;
      int sw, sh, dw, dh, w, h;
      OvOrientation orientation;

      if (!ov_image_read_info (opts->image, &format, &sw, &sh, &orientation, error))
        return NULL;
      ov_orientation_apply_size (orientation, sw, sh, &dw, &dh);
      w = frame == OV_BOX_FRAME_DISPLAYED ? dw : sw;
      h = frame == OV_BOX_FRAME_DISPLAYED ? dh : sh;
      g_free (sample->image_path);
      sample->image_path = g_strdup (opts->image);
      if (sample->width <= 0)
        {
          sample->width = w;
          sample->height = h;
          if (!ov_sample_check_boxes (sample, opts->image, error))
            return NULL;
        }
      /* a picture of the same shape at another size is only scaled */
      else if (shape_differs (w, h, sample->width, sample->height))
        ov_sample_add_warning (sample,
                               _ ("image “%s”: the detection files give %d×%d but %s is %d×%d "
                                  "(%s), of another shape; it is stretched to the boxes' "
                                  "frame, and the boxes may miss what they name"),
                               sample->key, sample->width, sample->height, opts->image, w, h,
                               frame == OV_BOX_FRAME_DISPLAYED ? _ ("as displayed")
                                                               : _ ("as stored"));
    }

  /* 2048-wide features get their box values from the image size: say
   * which options give it */
  if (sample->features != NULL && sample->feature_dim == OV_REGION_APPEARANCE_DIM
      && sample->n_features == sample->n_regions && sample->width <= 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING,
                   _ ("image “%s”: the image size is unknown, so the 2048-wide features cannot "
                      "get their box values; give the sizes with --hw FILE (an Oscar hw.tsv) or "
                      "the picture with --image FILE"), sample->key);
      return NULL;
    }
  if (sample->features != NULL && !ov_sample_build_region_vectors (sample, error))
    return NULL;
  if (sample->tags == NULL)
    sample->tags = ov_sample_dup_tag_string (sample);
  if (row != NULL)
    *row = row_out;
  return g_steal_pointer (&sample);
}
