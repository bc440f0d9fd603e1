/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Reads state dicts from torch zip files (libzip lists and checks the
 * members; stored members are used in place from a mapping of the file), from
 * the legacy torch stream (several pickles, then the raw storages) and from
 * safetensors files, and writes safetensors. Every size in a file is checked
 * against the bytes that are really there before it is used.
 */
#define G_LOG_DOMAIN "ov-state-dict"

#include "ov-state-dict.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <zip.h>
#include <zlib.h>
#ifdef OV_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "ov-error.h"
#include "ov-i18n.h"
#include "ov-json.h"
#include "ov-pickle-private.h"
#include "ov-files.h"

/* Largest pickle member we read into memory (a state dict's data.pkl is a
 * few hundred kilobytes even for big models). 64 MiB: a deflated data.pkl of
 * 1 GiB fits in a 1 MB file, and the pickle reader stops at 2^20 values. */
#define OV_MAX_PICKLE_BYTES (G_GUINT64_CONSTANT (64) << 20)
#define OV_MAX_SAFETENSORS_HEADER (G_GUINT64_CONSTANT (100) << 20)
/* A deflated member above OV_MAX_INFLATE_SMALL bytes may inflate at most
 * OV_MAX_INFLATE_RATIO times its compressed size (see zip_read_member). */
#define OV_MAX_INFLATE_SMALL (G_GUINT64_CONSTANT (64) << 20)
#define OV_MAX_INFLATE_RATIO 64

typedef struct {
  const guint8 *data;      /* mapped or owned */
  gsize         n_bytes;
} OvStorage;

struct _OvStateDict {
  char              *path;
  OvStateDictFormat  format;
  GMappedFile       *map;
  GPtrArray         *tensors;       /* OvTensor*, file order */
  GHashTable        *by_name;       /* name -> OvTensor* */
  GHashTable        *keys;          /* interned storage keys */
  GHashTable        *storages;      /* key -> OvStorage* */
  GPtrArray         *buffers;       /* owned copies of tensor data */
  gsize              mapped_bytes;
};

static const struct {
  const char *name;        /* safetensors spelling */
  gsize       size;
} dtype_info[] = {
  [OV_DTYPE_F32] = { "F32", 4 },
  [OV_DTYPE_F16] = { "F16", 2 },
  [OV_DTYPE_BF16] = { "BF16", 2 },
  [OV_DTYPE_F64] = { "F64", 8 },
  [OV_DTYPE_I64] = { "I64", 8 },
  [OV_DTYPE_I32] = { "I32", 4 },
  [OV_DTYPE_I16] = { "I16", 2 },
  [OV_DTYPE_I8] = { "I8", 1 },
  [OV_DTYPE_U8] = { "U8", 1 },
  [OV_DTYPE_BOOL] = { "BOOL", 1 },
};

gsize
ov_dtype_size (OvDType dtype)
{
  if ((guint) dtype >= G_N_ELEMENTS (dtype_info))
    return 0;
  return dtype_info[dtype].size;
}

const char *
ov_dtype_name (OvDType dtype)
{
  if ((guint) dtype >= G_N_ELEMENTS (dtype_info))
    return "?";
  return dtype_info[dtype].name;
}

static gboolean
dtype_from_name (const char *name,
                 OvDType    *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtype_info); i++)
    if (g_strcmp0 (dtype_info[i].name, name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

static void
tensor_free (gpointer p)
{
  OvTensor *t = p;

  g_free (t->name);
  g_free (t);
}

static OvStateDict *
state_dict_new (const char        *path,
                OvStateDictFormat  format,
                GMappedFile       *map)
{
  OvStateDict *sd = g_new0 (OvStateDict, 1);

  sd->path = g_strdup (path);
  sd->format = format;
  sd->map = map != NULL ? g_mapped_file_ref (map) : NULL;
  sd->tensors = g_ptr_array_new_with_free_func (tensor_free);
  sd->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  sd->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sd->storages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sd->buffers = g_ptr_array_new_with_free_func (g_free);
  return sd;
}

void
ov_state_dict_free (OvStateDict *sd)
{
  if (sd == NULL)
    return;
  g_ptr_array_unref (sd->tensors);
  g_hash_table_unref (sd->by_name);
  g_hash_table_unref (sd->keys);
  g_hash_table_unref (sd->storages);
  g_ptr_array_unref (sd->buffers);
  if (sd->map != NULL)
    g_mapped_file_unref (sd->map);
  g_free (sd->path);
  g_free (sd);
}

static const char *
intern_key (OvStateDict *sd,
            const char  *key)
{
  char *k = g_hash_table_lookup (sd->keys, key);

  if (k == NULL)
    {
      k = g_strdup (key);
      g_hash_table_insert (sd->keys, k, k);
    }
  return k;
}

/* Old checkpoints and DataParallel wrappers spell names differently. */
static char *
rename_key (const char *key)
{
  if (g_str_has_prefix (key, "module."))
    key += strlen ("module.");
  if (g_str_has_suffix (key, ".gamma"))
    return g_strdup_printf ("%.*s.weight", (int) (strlen (key) - strlen (".gamma")), key);
  if (g_str_has_suffix (key, ".beta"))
    return g_strdup_printf ("%.*s.bias", (int) (strlen (key) - strlen (".beta")), key);
  return g_strdup (key);
}

static gboolean
add_tensor (OvStateDict *sd,
            OvTensor    *t,
            GError     **error)
{
  if (g_hash_table_contains (sd->by_name, t->name))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: two tensors are named \"%s\" (after renaming module./gamma/beta)"),
                   sd->path, t->name);
      tensor_free (t);
      return FALSE;
    }
  g_ptr_array_add (sd->tensors, t);
  g_hash_table_insert (sd->by_name, t->name, t);
  return TRUE;
}

/* n_elements of a shape, refusing overflow past 2^62 bytes. */
static gboolean
count_elements (const gint64 *shape,
                int           n_dims,
                gsize         elsize,
                gint64       *out)
{
  guint64 n = 1;

  for (int d = 0; d < n_dims; d++)
    {
      if (shape[d] < 0)
        return FALSE;
      if (!g_uint64_checked_mul (&n, n, (guint64) shape[d]))
        return FALSE;
    }
  if (n > (G_GUINT64_CONSTANT (1) << 62) / MAX (elsize, 1))
    return FALSE;
  *out = (gint64) n;
  return TRUE;
}

/* Aligned copy: g_malloc gives 16-byte alignment on the platforms we build on. */
static void *
take_buffer (OvStateDict *sd,
             gsize        n_bytes)
{
  void *buf = g_try_malloc (MAX (n_bytes, 1));

  if (buf != NULL)
    g_ptr_array_add (sd->buffers, buf);
  return buf;
}

/* ---- tensors from a pickled dict ---- */

typedef gboolean (*ResolveFunc) (OvStateDict      *sd,
                                 gpointer          ctx,
                                 const char       *key,
                                 OvStorage       **out,
                                 GError          **error);

/* Copies a strided view into a new C-order buffer. */
static const void *
gather_strided (OvStateDict  *sd,
                const guint8 *base,          /* storage start */
                gsize         elsize,
                gint64        offset,
                int           n_dims,
                const gint64 *shape,
                const gint64 *stride,
                gint64        n_elements)
{
  gint64 idx[OV_TENSOR_MAX_DIMS] = { 0 };
  guint8 *out = take_buffer (sd, n_elements * elsize);

  if (out == NULL)
    return NULL;
  for (gint64 i = 0; i < n_elements; i++)
    {
      gint64 src = offset;
      for (int d = 0; d < n_dims; d++)
        src += idx[d] * stride[d];
      memcpy (out + i * elsize, base + src * elsize, elsize);
      for (int d = n_dims - 1; d >= 0; d--)
        {
          if (++idx[d] < shape[d])
            break;
          idx[d] = 0;
        }
    }
  return out;
}

static gboolean
tensor_from_pickle (OvStateDict         *sd,
                    const char          *key,
                    const OvPickleValue *v,
                    ResolveFunc          resolve,
                    gpointer             ctx,
                    GError             **error)
{
  const OvPickleValue *s = v->storage;
  gsize elsize = ov_dtype_size (s->dtype);
  OvStorage *st = NULL;
  OvTensor *t;
  /* Both are checked non-negative by the pickle reader: no wrap-around. */
  guint64 offset = (guint64) s->view_offset + (guint64) v->offset;
  guint64 last = 0, storage_bytes = 0;
  gint64 expect = 1;
  gboolean contiguous = TRUE, overflow = FALSE;

  if (!resolve (sd, ctx, s->str, &st, error))
    return FALSE;
  if (!g_uint64_checked_mul (&storage_bytes, s->numel, elsize) || st->n_bytes != storage_bytes)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: tensor \"%s\": storage \"%s\" holds %zu bytes, its header says %"
                      PRId64 " x %zu"),
                   sd->path, key, s->str, st->n_bytes, s->numel, elsize);
      return FALSE;
    }

  t = g_new0 (OvTensor, 1);
  t->name = rename_key (key);
  t->dtype = s->dtype;
  t->n_dims = v->n_dims;
  memcpy (t->shape, v->shape, sizeof t->shape);
  t->storage_key = intern_key (sd, s->str);
  t->storage_offset = offset;
  if (!count_elements (t->shape, t->n_dims, elsize, &t->n_elements))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: tensor \"%s\" is too large"),
                   sd->path, key);
      tensor_free (t);
      return FALSE;
    }

  /* Highest element touched, and whether strides are C order. */
  for (int d = t->n_dims - 1; d >= 0; d--)
    {
      if (t->shape[d] != 1 && v->stride[d] != expect)
        contiguous = FALSE;
      expect *= t->shape[d];
      if (t->shape[d] > 0)
        {
          guint64 reach;
          if (!g_uint64_checked_mul (&reach, t->shape[d] - 1, v->stride[d])
              || !g_uint64_checked_add (&last, last, reach))
            overflow = TRUE;
        }
    }
  if (t->n_elements > 0
      && (overflow || offset > (guint64) s->numel || last >= (guint64) s->numel - offset))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: tensor \"%s\" (offset %" PRIu64 ", %" PRId64 " elements) lies "
                      "outside its storage of %" PRId64 " elements"), sd->path, key, offset,
                   t->n_elements, s->numel);
      tensor_free (t);
      return FALSE;
    }

  if (t->n_elements == 0)
    t->data = st->data;
  else if (!contiguous && (guint64) t->n_elements / 1024 > (guint64) s->numel)
    {
      /* Expanded (stride 0) views could ask for any amount of memory. */
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: tensor \"%s\" repeats its storage "
                                                       "more than 1024 times"), sd->path, key);
      tensor_free (t);
      return FALSE;
    }
  else if (!contiguous)
    t->data = gather_strided (sd, st->data, elsize, offset, t->n_dims, t->shape, v->stride,
                              t->n_elements);
  else if (((guintptr) (st->data + offset * elsize)) % elsize != 0)
    {
      /* Unaligned in the file (legacy and safetensors layouts): copy. */
      void *buf = take_buffer (sd, t->n_elements * elsize);
      if (buf != NULL)
        memcpy (buf, st->data + offset * elsize, t->n_elements * elsize);
      t->data = buf;
    }
  else
    t->data = st->data + offset * elsize;
  if (t->data == NULL && t->n_elements > 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: out of memory copying tensor \"%s\""),
                   sd->path, key);
      tensor_free (t);
      return FALSE;
    }
  return add_tensor (sd, t, error);
}

static gboolean
tensors_from_root (OvStateDict         *sd,
                   const OvPickleValue *root,
                   ResolveFunc          resolve,
                   gpointer             ctx,
                   GError             **error)
{
  static const char *const wrappers[] = { "state_dict", "model", "module" };
  gboolean any_tensor = FALSE;

  if (ov_pickle_value_kind (root) != OV_PICKLE_DICT)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: the pickled object is not a dict "
                                                        "of tensors"), sd->path);
      return FALSE;
    }
  /* Training checkpoints wrap the state dict: {"model": {...}, "epoch": 3}. */
  for (guint i = 0; i < ov_pickle_value_n_items (root); i++)
    if (ov_pickle_value_kind (ov_pickle_value_nth (root, i)) == OV_PICKLE_TENSOR)
      any_tensor = TRUE;
  for (guint w = 0; !any_tensor && w < G_N_ELEMENTS (wrappers); w++)
    {
      const OvPickleValue *inner = ov_pickle_value_lookup (root, wrappers[w]);
      if (ov_pickle_value_kind (inner) == OV_PICKLE_DICT)
        {
          root = inner;
          break;
        }
    }
  for (guint i = 0; i < ov_pickle_value_n_items (root); i++)
    {
      const OvPickleValue *v = ov_pickle_value_nth (root, i);
      const char *key = ov_pickle_value_nth_key (root, i);

      /* Non-tensor entries (counters, nested optimiser state) are skipped. */
      if (ov_pickle_value_kind (v) != OV_PICKLE_TENSOR)
        continue;
      if (!tensor_from_pickle (sd, key, v, resolve, ctx, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- torch zip ---- */

typedef struct {
  zip_t         *za;
  zip_source_t  *src;
  const guint8  *file;
  gsize          file_len;
  char          *prefix;   /* "pytorch_model/" */
  const char    *path;
} ZipCtx;

static void
zip_set_error (GError    **error,
               const char *path,
               const char *what,
               zip_error_t *ze)
{
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, "%s: %s: %s", path, what,
               zip_error_strerror (ze));
}

/* What is wrong with a zip archive libzip refused without saying where:
 * its directory is walked here, and the first record that lies outside the
 * file or lacks its signature is named. NULL when nothing is found. */

static guint64
le_read (const guint8 *p,
         int           n)
{
  guint64 v = 0;

  for (int i = n - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

/* A member name from a directory entry, for a message: printable ASCII
 * kept, other bytes as '?', at most 60 bytes. */
static char *
zip_shown_name (const guint8 *p,
                gsize         n)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < MIN (n, 60); i++)
    g_string_append_c (s, p[i] >= 0x20 && p[i] < 0x7f ? (char) p[i] : '?');
  if (n > 60)
    g_string_append (s, "…");
  return g_string_free (s, FALSE);
}

/* The zip64 extended information of a directory entry (id 1) replaces the
 * fields written as 0xffffffff, in order: size, compressed size, offset. */
static void
zip64_extra (const guint8 *extra,
             gsize         n,
             guint64      *size,
             guint64      *comp_size,
             guint64      *offset)
{
  while (n >= 4)
    {
      guint id = le_read (extra, 2), len = le_read (extra + 2, 2);
      const guint8 *f = extra + 4;
      gsize left;

      if (len > n - 4)
        return;
      left = len;
      if (id == 1)
        {
          guint64 *fields[] = { size, comp_size, offset };

          for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
            if (*fields[i] == 0xffffffffu && left >= 8)
              {
                *fields[i] = le_read (f, 8);
                f += 8;
                left -= 8;
              }
          return;
        }
      extra += 4 + len;
      n -= 4 + len;
    }
}

static char *
zip_diagnose (const guint8 *d,
              gsize         len)
{
  gsize e, lowest;
  guint64 n_entries, cd_size, cd_offset, end, p;
  gboolean found = FALSE;

  /* the end of central directory record, within its comment's reach */
  if (len < 22)
    return g_strdup (_ ("it has no directory at its end (the file is cut short?)"));
  lowest = len - 22 > 65535 ? len - 22 - 65535 : 0;
  for (e = len - 22; ; e--)
    {
      if (memcmp (d + e, "PK\5\6", 4) == 0 && e + 22 + le_read (d + e + 20, 2) <= len)
        {
          found = TRUE;
          break;
        }
      if (e == lowest)
        break;
    }
  if (!found)
    return g_strdup (_ ("it has no directory at its end (the file is cut short?)"));
  n_entries = le_read (d + e + 10, 2);
  cd_size = le_read (d + e + 12, 4);
  cd_offset = le_read (d + e + 16, 4);
  end = e;
  if (n_entries == 0xffff || cd_size == 0xffffffffu || cd_offset == 0xffffffffu)
    {
      guint64 z;

      if (e < 20 || memcmp (d + e - 20, "PK\6\7", 4) != 0)
        return g_strdup (_ ("its end record calls for a zip64 record, which is missing"));
      z = le_read (d + e - 20 + 8, 8);
      if (z > e - 20 || e - 20 - z < 56 || memcmp (d + z, "PK\6\6", 4) != 0)
        return g_strdup_printf (_ ("its zip64 end record (at byte %" PRIu64 ") is damaged or "
                                   "lies outside the file"), z);
      n_entries = le_read (d + z + 32, 8);
      cd_size = le_read (d + z + 40, 8);
      cd_offset = le_read (d + z + 48, 8);
      end = z;
    }
  if (cd_offset > end || cd_size > end - cd_offset)
    return g_strdup_printf (_ ("its directory (%" PRIu64 " bytes at byte %" PRIu64 ") lies "
                               "outside the file (%zu bytes before its end "
                               "record)"), cd_size, cd_offset, (gsize) end);
  p = cd_offset;
  for (guint64 i = 0; i < n_entries; i++)
    {
      guint64 comp_size, size, offset, name_len, extra_len, data;
      g_autofree char *name = NULL;

      if (p > end || end - p < 46 || memcmp (d + p, "PK\1\2", 4) != 0)
        return g_strdup_printf (_ ("directory entry %" PRIu64 " (at byte %" PRIu64 ") is "
                                   "damaged"), i, p);
      comp_size = le_read (d + p + 20, 4);
      size = le_read (d + p + 24, 4);
      name_len = le_read (d + p + 28, 2);
      extra_len = le_read (d + p + 30, 2);
      offset = le_read (d + p + 42, 4);
      if (end - p - 46 < name_len + extra_len + le_read (d + p + 32, 2))
        return g_strdup_printf (_ ("directory entry %" PRIu64 " (at byte %" PRIu64 ") is "
                                   "damaged"), i, p);
      name = zip_shown_name (d + p + 46, name_len);
      zip64_extra (d + p + 46 + name_len, extra_len, &size, &comp_size, &offset);
      if (offset >= len || len - offset < 30)
        /* Translators: "member pytorch_model/data/0: its directory entry puts it at byte
         * 9999999, past the end of the file (3378683 bytes)" */
        return g_strdup_printf (_ ("member %s: its directory entry puts it at byte %" PRIu64
                                   ", past the end of the file (%zu bytes)"),
                                name, offset, len);
      if (memcmp (d + offset, "PK\3\4", 4) != 0)
        return g_strdup_printf (_ ("member %s: its header at byte %" PRIu64 " is damaged "
                                   "(or its directory entry gives the wrong offset)"),
                                name, offset);
      data = offset + 30 + le_read (d + offset + 26, 2) + le_read (d + offset + 28, 2);
      if (data > len || comp_size > len - data)
        return g_strdup_printf (_ ("member %s: its directory entry gives it %" PRIu64 " bytes "
                                   "from byte %" PRIu64 ", past the end of the file (%zu "
                                   "bytes)"), name, comp_size, data, len);
      p += 46 + name_len + extra_len + le_read (d + p + 32, 2);
    }
  return NULL;
}

static gboolean
zip_ctx_open (ZipCtx       *z,
              const char   *path,
              const guint8 *data,
              gsize         len,
              GError      **error)
{
  zip_error_t ze;
  zip_int64_t n;

  memset (z, 0, sizeof *z);
  z->path = path;
  z->file = data;
  z->file_len = len;
  zip_error_init (&ze);
  z->src = zip_source_buffer_create (data, len, 0, &ze);
  if (z->src == NULL)
    {
      zip_set_error (error, path, _ ("cannot read the zip archive"), &ze);
      zip_error_fini (&ze);
      return FALSE;
    }
  z->za = zip_open_from_source (z->src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
  if (z->za == NULL)
    {
      g_autofree char *what = NULL;

      /* libzip says only "File already exists" */
      if (zip_error_code_zip (&ze) == ZIP_ER_EXISTS)
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                     _ ("%s: not a valid zip archive: two of its members have the same name"),
                     path);
      /* libzip says "Not a zip archive" for most damage; a torch zip keeps
       * its directory at the end, so one without was most likely cut short */
      else if ((what = zip_diagnose (data, len)) != NULL)
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: not a valid zip archive: %s"),
                     path, what);
      else
        zip_set_error (error, path, _ ("not a valid zip archive"), &ze);
      zip_source_free (z->src);
      z->src = NULL;
      zip_error_fini (&ze);
      return FALSE;
    }
  zip_error_fini (&ze);

  n = zip_get_num_entries (z->za, 0);
  for (zip_int64_t i = 0; i < n; i++)
    {
      const char *name = zip_get_name (z->za, i, 0);
      gsize nl;
      if (name == NULL || !g_str_has_suffix (name, "data.pkl"))
        continue;
      nl = strlen (name) - strlen ("data.pkl");
      /* "<folder>/data.pkl" with one folder level (or none). */
      if (nl == 0 || (name[nl - 1] == '/' && memchr (name, '/', nl - 1) == NULL))
        {
          z->prefix = g_strndup (name, nl);
          return TRUE;
        }
    }
  g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: zip archive without a data.pkl "
                                                    "(not a torch checkpoint)"), path);
  return FALSE;
}

static void
zip_ctx_close (ZipCtx *z)
{
  if (z->za != NULL)
    zip_discard (z->za);   /* also frees the source */
  g_free (z->prefix);
}

/* Reads a whole member into a new buffer (libzip checks its CRC). */
static guint8 *
zip_read_member (ZipCtx      *z,
                 zip_uint64_t index,
                 const char  *name,
                 guint64      limit,
                 gsize       *len_out,
                 GError     **error)
{
  zip_stat_t st;
  zip_file_t *zf;
  guint8 *buf;
  zip_int64_t got;

  zip_stat_init (&st);
  if (zip_stat_index (z->za, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: cannot stat member %s"), z->path, name);
      return NULL;
    }
  /* Deflate expands at most about 1032 times; a header that claims more is
   * corrupt, and we would not want to allocate what it claims. */
  if ((st.valid & ZIP_STAT_COMP_SIZE) && st.comp_size <= z->file_len)
    limit = MIN (limit, st.comp_method == ZIP_CM_STORE ? st.comp_size
                                                       : st.comp_size * 1032 + 1024);
  else
    limit = 0;
  if (st.size > limit)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: member %s is %" PRIu64 " bytes, more than we read"), z->path, name,
                   (guint64) st.size);
      return NULL;
    }
  /* Model weights hardly compress (fp32 noise: about 1.1:1). A large
   * compressed member that claims to inflate more than OV_MAX_INFLATE_RATIO
   * times is a bomb, not weights: refusing it keeps a small file from making
   * us allocate gigabytes. Small members (all-zero biases) may compress as
   * far as deflate goes. */
  if (st.comp_method != ZIP_CM_STORE && st.size > OV_MAX_INFLATE_SMALL
      && (st.valid & ZIP_STAT_COMP_SIZE)
      && st.size / OV_MAX_INFLATE_RATIO > st.comp_size)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("%s: member %s claims to inflate from %" PRIu64 " to %" PRIu64 " bytes, "
                      "more than model weights compress; refused"), z->path, name,
                   (guint64) st.comp_size, (guint64) st.size);
      return NULL;
    }
  buf = g_try_malloc (MAX (st.size, 1));
  if (buf == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: out of memory for member %s"),
                   z->path, name);
      return NULL;
    }
  zf = zip_fopen_index (z->za, index, 0);
  if (zf == NULL)
    {
      zip_set_error (error, z->path, name, zip_get_error (z->za));
      g_free (buf);
      return NULL;
    }
  got = st.size > 0 ? zip_fread (zf, buf, st.size) : 0;
  /* One byte more must give end of file, which also triggers the CRC check. */
  if (got == (zip_int64_t) st.size)
    {
      guint8 extra;
      if (zip_fread (zf, &extra, 1) != 0)
        got = -1;
    }
  if (got != (zip_int64_t) st.size)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: member %s: %s"), z->path, name,
                   got < 0 ? zip_error_strerror (zip_file_get_error (zf)) : "short read");
      zip_fclose (zf);
      g_free (buf);
      return NULL;
    }
  zip_fclose (zf);
  *len_out = st.size;
  return buf;
}

/* Where the bytes of a stored member begin in the file, or -1. libzip has
 * no call for it, so we read the first bytes through libzip and ask the
 * underlying buffer source where it stands; the caller checks the result
 * against the bytes libzip returned and the member's CRC. */
static gint64
zip_stored_offset (ZipCtx      *z,
                   zip_uint64_t index,
                   gsize        size,
                   guint8      *head,
                   gsize        n_head)
{
  zip_file_t *zf = zip_fopen_index (z->za, index, 0);
  zip_int64_t got, pos;

  if (zf == NULL)
    return -1;
  got = zip_fread (zf, head, n_head);
  pos = zip_source_tell (z->src);
  zip_fclose (zf);
  if (got != (zip_int64_t) n_head || pos < (zip_int64_t) n_head)
    return -1;
  pos -= n_head;
  if ((guint64) pos > z->file_len || size > z->file_len - pos)
    return -1;
  if (memcmp (z->file + pos, head, n_head) != 0)
    return -1;
  return pos;
}

/* CRC-32 of one piece: libdeflate's carry-less-multiply version when it was
 * found at build time, else zlib's, fed in uInt-sized chunks. */
static guint32
piece_crc32 (const guint8 *data,
             gsize         len)
{
#ifdef OV_HAVE_LIBDEFLATE
  return libdeflate_crc32 (0, data, len);
#else
  uLong crc = crc32 (0, Z_NULL, 0);

  for (gsize done = 0; done < len;)
    {
      uInt n = (uInt) MIN (len - done, (gsize) 1 << 30);

      crc = crc32 (crc, data + done, n);
      done += n;
    }
  return (guint32) crc;
#endif
}

/* CRC-32 of a stored member. A large one is cut into pieces checked on all
 * cores and joined with zlib's crc32_combine, so a base-size checkpoint is
 * checked in a few tens of milliseconds. */
#define OV_CRC_PIECES 8
#define OV_CRC_MIN_PIECE (4 << 20)

static guint32
stored_crc32 (const guint8 *data,
              gsize         len)
{
  guint32 part[OV_CRC_PIECES];
  gsize piece = MAX ((len + OV_CRC_PIECES - 1) / OV_CRC_PIECES, (gsize) OV_CRC_MIN_PIECE);
  int n = (int) ((len + piece - 1) / piece);
  uLong crc;

  if (n <= 1)
    return piece_crc32 (data, len);
#pragma omp parallel for schedule(static)
  for (int i = 0; i < n; i++)
    part[i] = piece_crc32 (data + (gsize) i * piece, MIN (piece, len - (gsize) i * piece));
  crc = part[0];
  for (int i = 1; i < n; i++)
    crc = crc32_combine (crc, part[i], (z_off_t) MIN (piece, len - (gsize) i * piece));
  return (guint32) crc;
}

static gboolean
zip_resolve (OvStateDict *sd,
             gpointer     ctx,
             const char  *key,
             OvStorage  **out,
             GError     **error)
{
  ZipCtx *z = ctx;
  g_autofree char *name = NULL;
  OvStorage *st = g_hash_table_lookup (sd->storages, key);
  zip_stat_t zs;
  zip_int64_t index;

  if (st != NULL)
    {
      *out = st;
      return TRUE;
    }
  name = g_strdup_printf ("%sdata/%s", z->prefix, key);
  index = zip_name_locate (z->za, name, 0);
  if (index < 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: storage member %s is missing"),
                   sd->path, name);
      return FALSE;
    }
  zip_stat_init (&zs);
  if (zip_stat_index (z->za, index, 0, &zs) != 0)
    {
      zip_set_error (error, sd->path, name, zip_get_error (z->za));
      return FALSE;
    }

  st = g_new0 (OvStorage, 1);
  if (zs.comp_method == ZIP_CM_STORE && zs.encryption_method == ZIP_EM_NONE
      && (zs.valid & ZIP_STAT_CRC) && zs.size > 0)
    {
      guint8 head[64];
      gint64 pos = zip_stored_offset (z, index, zs.size, head, MIN (zs.size, sizeof head));
      if (pos >= 0)
        {
          guint32 crc = stored_crc32 (z->file + pos, zs.size);
          if (crc != zs.crc)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                           _ ("%s: storage member %s fails its CRC check (corrupt file)"),
                           sd->path, name);
              g_free (st);
              return FALSE;
            }
          st->data = z->file + pos;
          st->n_bytes = zs.size;
          sd->mapped_bytes += zs.size;
        }
    }
  if (st->data == NULL)
    {
      /* Compressed (or the offset could not be confirmed): copy. */
      gsize len = 0;
      guint8 *buf = zip_read_member (z, index, name, G_MAXUINT64, &len, error);
      if (buf == NULL)
        {
          g_free (st);
          return FALSE;
        }
      g_ptr_array_add (sd->buffers, buf);
      st->data = buf;
      st->n_bytes = len;
    }
  g_hash_table_insert (sd->storages, g_strdup (key), st);
  *out = st;
  return TRUE;
}

/* torch >= 2.1 records the byte order of the storages; older files are
 * little-endian. */
static gboolean
zip_check_byteorder (ZipCtx  *z,
                     GError **error)
{
  g_autofree char *name = g_strdup_printf ("%sbyteorder", z->prefix);
  g_autofree guint8 *buf = NULL;
  zip_int64_t index = zip_name_locate (z->za, name, 0);
  gsize len = 0;

  if (index < 0)
    return TRUE;
  buf = zip_read_member (z, index, name, 64, &len, error);
  if (buf == NULL)
    return FALSE;
  if (len != strlen ("little") || memcmp (buf, "little", len) != 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED, _ ("%s: storages are not "
                                                             "little-endian (%s)"), z->path, name);
      return FALSE;
    }
  return TRUE;
}

static OvPickleValue *
zip_load_pickle (ZipCtx  *z,
                 GError **error)
{
  g_autofree char *name = g_strdup_printf ("%sdata.pkl", z->prefix);
  g_autofree char *what = g_strdup_printf ("%s:%s", z->path, name);
  g_autofree guint8 *buf = NULL;
  zip_int64_t index = zip_name_locate (z->za, name, 0);
  gsize len = 0, consumed = 0;
  OvPickleValue *root;

  if (index < 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: %s is missing"), z->path, name);
      return NULL;
    }
  buf = zip_read_member (z, index, name, OV_MAX_PICKLE_BYTES, &len, error);
  if (buf == NULL)
    return NULL;
  root = _ov_pickle_parse (buf, len, what, &consumed, error);
  if (root != NULL && consumed != len)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: bytes after the pickle's end"), what);
      ov_pickle_value_free (root);
      return NULL;
    }
  return root;
}

static OvStateDict *
load_zip (const char  *path,
          GMappedFile *map,
          GError     **error)
{
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (map);
  gsize len = g_mapped_file_get_length (map);
  g_autoptr (OvPickleValue) root = NULL;
  OvStateDict *sd;
  ZipCtx z;

  if (!zip_ctx_open (&z, path, data, len, error))
    {
      zip_ctx_close (&z);
      return NULL;
    }
  if (zip_check_byteorder (&z, error))
    root = zip_load_pickle (&z, error);
  if (root == NULL)
    {
      zip_ctx_close (&z);
      return NULL;
    }
  sd = state_dict_new (path, OV_STATE_DICT_FORMAT_TORCH_ZIP, map);
  if (!tensors_from_root (sd, root, zip_resolve, &z, error))
    {
      ov_state_dict_free (sd);
      sd = NULL;
    }
  zip_ctx_close (&z);
  return sd;
}

/* ---- legacy torch stream ---- */

typedef struct {
  const guint8   *data;
  gsize           len;
  gsize           pos;
  const char     *path;
  OvPickleValue  *pickles[5];   /* magic, protocol, sys info, root, storage keys */
} LegacyCtx;

static void
legacy_clear (LegacyCtx *L)
{
  for (guint i = 0; i < G_N_ELEMENTS (L->pickles); i++)
    g_clear_pointer (&L->pickles[i], ov_pickle_value_free);
}

static OvPickleValue *
legacy_next (LegacyCtx  *L,
             const char *which,
             GError    **error)
{
  g_autofree char *what = g_strdup_printf ("%s (%s at byte %" G_GSIZE_FORMAT ")", L->path, which,
                                           L->pos);
  gsize consumed = 0;
  OvPickleValue *v = _ov_pickle_parse (L->data + L->pos, L->len - L->pos, what, &consumed, error);

  if (v != NULL)
    L->pos += consumed;
  return v;
}

/* Reads the header pickles up to and including the root object. Returns
 * FALSE with no error when the file is a plain pickle (pickles[0] is it). */
static gboolean
legacy_read_header (LegacyCtx *L,
                    GError   **error)
{
  const OvPickleValue *endian;

  L->pickles[0] = legacy_next (L, "first pickle", error);
  if (L->pickles[0] == NULL)
    return FALSE;
  if (!_ov_pickle_is_torch_legacy_magic (L->pickles[0]))
    return FALSE;
  L->pickles[1] = legacy_next (L, "protocol version", error);
  if (L->pickles[1] == NULL)
    return FALSE;
  if (ov_pickle_value_kind (L->pickles[1]) != OV_PICKLE_INT
      || ov_pickle_value_int (L->pickles[1]) != 1001)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: legacy torch protocol %" PRId64 " (only 1001 is known)"), L->path,
                   ov_pickle_value_int (L->pickles[1]));
      return FALSE;
    }
  L->pickles[2] = legacy_next (L, "system info", error);
  if (L->pickles[2] == NULL)
    return FALSE;
  endian = ov_pickle_value_lookup (L->pickles[2], "little_endian");
  if (endian != NULL && ov_pickle_value_int (endian) != 1)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED, _ ("%s: written on a big-endian machine"),
                   L->path);
      return FALSE;
    }
  L->pickles[3] = legacy_next (L, "object", error);
  return L->pickles[3] != NULL;
}

static gboolean
legacy_resolve (OvStateDict *sd,
                gpointer     ctx,
                const char  *key,
                OvStorage  **out,
                GError     **error)
{
  *out = g_hash_table_lookup (sd->storages, key);
  if (*out == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_MISSING, _ ("%s: storage \"%s\" is not in the file"),
                   sd->path, key);
      return FALSE;
    }
  return TRUE;
}

/* After the object: the list of storage keys, then per key an int64 element
 * count and the raw elements. The element size comes from the storage type
 * the object's pickle names for that key. */
static gboolean
legacy_read_storages (LegacyCtx   *L,
                      OvStateDict *sd,
                      GError     **error)
{
  g_autoptr (GHashTable) dtypes = g_hash_table_new (g_str_hash, g_str_equal);
  const OvPickleValue *keys;
  GPtrArray *values = _ov_pickle_all_values (L->pickles[3]);

  for (guint i = 0; i < values->len; i++)
    {
      OvPickleValue *v = values->pdata[i];
      if (v->kind == OV_PICKLE_STORAGE)
        g_hash_table_insert (dtypes, v->str, GINT_TO_POINTER (v->dtype + 1));
    }

  L->pickles[4] = legacy_next (L, "storage keys", error);
  if (L->pickles[4] == NULL)
    return FALSE;
  keys = L->pickles[4];
  if (ov_pickle_value_kind (keys) != OV_PICKLE_LIST)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: the storage key list is not a list"),
                   L->path);
      return FALSE;
    }
  for (guint i = 0; i < ov_pickle_value_n_items (keys); i++)
    {
      const char *key = ov_pickle_value_string (ov_pickle_value_nth (keys, i));
      gpointer dt = key != NULL ? g_hash_table_lookup (dtypes, key) : NULL;
      gsize elsize;
      guint64 numel;
      OvStorage *st;

      if (dt == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: storage key %u is not used by "
                                                            "any tensor"), L->path, i);
          return FALSE;
        }
      if (g_hash_table_contains (sd->storages, key))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: storage \"%s\" is listed twice"),
                       L->path, key);
          return FALSE;
        }
      elsize = ov_dtype_size (GPOINTER_TO_INT (dt) - 1);
      if (L->len - L->pos < 8)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED, _ ("%s: ends before storage \"%s\""),
                       L->path, key);
          return FALSE;
        }
      memcpy (&numel, L->data + L->pos, 8);
      numel = GUINT64_FROM_LE (numel);
      L->pos += 8;
      /* torch writes the count as a signed int64 */
      if ((gint64) numel < 0)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                       _ ("%s: storage \"%s\" announces a negative size (%" PRId64 " elements)"),
                       L->path, key, (gint64) numel);
          return FALSE;
        }
      if (numel > (L->len - L->pos) / elsize)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                       _ ("%s: storage \"%s\" announces %" PRIu64 " elements, the file ends "
                          "first"), L->path, key, numel);
          return FALSE;
        }
      st = g_new0 (OvStorage, 1);
      st->data = L->data + L->pos;
      st->n_bytes = numel * elsize;
      L->pos += st->n_bytes;
      if (((guintptr) st->data) % elsize != 0)
        {
          /* The counts before each storage leave it unaligned: copy the
           * whole storage once so tensors sharing it still share. */
          void *buf = take_buffer (sd, st->n_bytes);
          if (buf == NULL)
            {
              g_free (st);
              g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: out of memory"), L->path);
              return FALSE;
            }
          memcpy (buf, st->data, st->n_bytes);
          st->data = buf;
        }
      else
        sd->mapped_bytes += st->n_bytes;
      g_hash_table_insert (sd->storages, g_strdup (key), st);
    }
  return TRUE;
}

static OvStateDict *
load_legacy (const char  *path,
             GMappedFile *map,
             GError     **error)
{
  LegacyCtx L = { 0 };
  OvStateDict *sd;

  L.data = (const guint8 *) g_mapped_file_get_contents (map);
  L.len = g_mapped_file_get_length (map);
  L.path = path;
  if (!legacy_read_header (&L, error))
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: a plain pickle, not a torch "
                                                          "checkpoint"), path);
      legacy_clear (&L);
      return NULL;
    }
  sd = state_dict_new (path, OV_STATE_DICT_FORMAT_TORCH_LEGACY, map);
  if (!legacy_read_storages (&L, sd, error)
      || !tensors_from_root (sd, L.pickles[3], legacy_resolve, NULL, error))
    {
      ov_state_dict_free (sd);
      sd = NULL;
    }
  legacy_clear (&L);
  return sd;
}

/* ---- safetensors ---- */

typedef struct {
  const char *name;
  guint64     begin, end;
  guint       order;
  OvTensor   *t;
} SafeEntry;

static int
safe_entry_cmp (gconstpointer a,
                gconstpointer b)
{
  const SafeEntry *x = a, *y = b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  return (int) x->order - (int) y->order;
}

static gboolean
safe_parse_entry (OvStateDict  *sd,
                  const char   *name,
                  JsonNode     *node,
                  guint64       data_len,
                  SafeEntry    *e,
                  GError      **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *dn = o ? json_object_get_member (o, "dtype") : NULL;
  JsonNode *sn = o ? json_object_get_member (o, "shape") : NULL;
  JsonNode *on = o ? json_object_get_member (o, "data_offsets") : NULL;
  JsonArray *shape, *offs;
  OvTensor *t;
  OvDType dtype;

  if (dn == NULL || sn == NULL || on == NULL || !JSON_NODE_HOLDS_VALUE (dn)
      || json_node_get_value_type (dn) != G_TYPE_STRING || !JSON_NODE_HOLDS_ARRAY (sn)
      || !JSON_NODE_HOLDS_ARRAY (on))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: tensor \"%s\" lacks dtype, shape or "
                                                        "data_offsets"), sd->path, name);
      return FALSE;
    }
  if (!dtype_from_name (json_node_get_string (dn), &dtype))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_UNSUPPORTED,
                   _ ("%s: tensor \"%s\" has dtype %s, which oscarviz cannot read"), sd->path,
                   name, json_node_get_string (dn));
      return FALSE;
    }
  shape = json_node_get_array (sn);
  offs = json_node_get_array (on);
  if (json_array_get_length (shape) > OV_TENSOR_MAX_DIMS || json_array_get_length (offs) != 2)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: tensor \"%s\" has a bad shape or "
                                                        "data_offsets"), sd->path, name);
      return FALSE;
    }
  t = g_new0 (OvTensor, 1);
  t->name = g_strdup (name);
  t->dtype = dtype;
  t->n_dims = json_array_get_length (shape);
  for (int d = 0; d < t->n_dims; d++)
    {
      JsonNode *x = json_array_get_element (shape, d);
      if (!JSON_NODE_HOLDS_VALUE (x) || json_node_get_value_type (x) != G_TYPE_INT64
          || json_node_get_int (x) < 0)
        t->shape[d] = -1;
      else
        t->shape[d] = json_node_get_int (x);
    }
  for (int k = 0; k < 2; k++)
    {
      JsonNode *x = json_array_get_element (offs, k);
      gint64 val = -1;
      if (JSON_NODE_HOLDS_VALUE (x) && json_node_get_value_type (x) == G_TYPE_INT64)
        val = json_node_get_int (x);
      if (val < 0)
        {
          e->end = G_MAXUINT64;
          break;
        }
      if (k == 0)
        e->begin = val;
      else
        e->end = val;
    }
  if (!count_elements (t->shape, t->n_dims, ov_dtype_size (dtype), &t->n_elements)
      || e->end < e->begin || e->end > data_len
      || e->end - e->begin != (guint64) t->n_elements * ov_dtype_size (dtype))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: tensor \"%s\": shape and data_offsets disagree or lie outside the "
                      "file"), sd->path, name);
      tensor_free (t);
      return FALSE;
    }
  e->t = t;
  return TRUE;
}

static OvStateDict *
load_safetensors (const char  *path,
                  GMappedFile *map,
                  GError     **error)
{
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (map);
  gsize len = g_mapped_file_get_length (map);
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GArray) entries = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GHashTable) by_begin = NULL;
  JsonNode *root;
  JsonObject *obj;
  GList *members;
  guint64 hlen;
  const guint8 *base;
  OvStateDict *sd;
  guint order = 0;

  memcpy (&hlen, data, 8);
  hlen = GUINT64_FROM_LE (hlen);
  if (hlen > len - 8 || hlen > OV_MAX_SAFETENSORS_HEADER)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED,
                   _ ("%s: safetensors header of %" PRIu64 " bytes does not fit in the file"),
                   path, hlen);
      return NULL;
    }
  parser = json_parser_new ();
  if (!ov_json_load_data (parser, (const char *) data + 8, hlen, &local))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: safetensors header: %s"), path,
                   local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT, _ ("%s: safetensors header is not an object"),
                   path);
      return NULL;
    }
  obj = json_node_get_object (root);
  base = data + 8 + hlen;
  sd = state_dict_new (path, OV_STATE_DICT_FORMAT_SAFETENSORS, map);
  entries = g_array_new (FALSE, TRUE, sizeof (SafeEntry));
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      SafeEntry e = { 0 };
      if (strcmp (l->data, "__metadata__") == 0)
        continue;
      e.name = l->data;
      e.order = order++;
      if (!safe_parse_entry (sd, l->data, json_object_get_member (obj, l->data),
                             len - 8 - hlen, &e, error))
        {
          for (guint i = 0; i < entries->len; i++)
            tensor_free (g_array_index (entries, SafeEntry, i).t);
          g_list_free (members);
          ov_state_dict_free (sd);
          return NULL;
        }
      g_array_append_val (entries, e);
    }
  g_list_free (members);

  /* File order; tensors at the same bytes share a storage key. */
  g_array_sort (entries, safe_entry_cmp);
  by_begin = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < entries->len; i++)
    {
      SafeEntry *e = &g_array_index (entries, SafeEntry, i);
      OvTensor *t = e->t;
      const OvTensor *first = g_hash_table_lookup (by_begin, &e->begin);
      gsize elsize = ov_dtype_size (t->dtype);

      e->t = NULL;
      t->storage_key = first != NULL ? first->storage_key : intern_key (sd, t->name);
      if (first != NULL && first->dtype == t->dtype && first->n_elements == t->n_elements)
        t->data = first->data;
      else if (((guintptr) (base + e->begin)) % elsize == 0)
        {
          t->data = base + e->begin;
          sd->mapped_bytes += e->end - e->begin;
        }
      else
        {
          void *buf = take_buffer (sd, e->end - e->begin);
          if (buf != NULL)
            memcpy (buf, base + e->begin, e->end - e->begin);
          t->data = buf;
        }
      if (first == NULL)
        g_hash_table_insert (by_begin, &e->begin, t);
      if (t->data == NULL || !add_tensor (sd, t, error))
        {
          if (t->data == NULL)
            {
              g_set_error (error, OV_ERROR, OV_ERROR_LIMIT, _ ("%s: out of memory"), path);
              tensor_free (t);
            }
          for (guint j = i + 1; j < entries->len; j++)
            tensor_free (g_array_index (entries, SafeEntry, j).t);
          ov_state_dict_free (sd);
          return NULL;
        }
    }
  return sd;
}

/* ---- entry points ---- */

typedef enum {
  KIND_UNKNOWN,
  KIND_ZIP,
  KIND_SAFETENSORS,
  KIND_PICKLE,
} FileKind;

static FileKind
sniff (const guint8 *data,
       gsize         len)
{
  if (len >= 4 && memcmp (data, "PK\003\004", 4) == 0)
    return KIND_ZIP;
  if (len >= 9 && data[8] == '{')
    {
      guint64 hlen;
      memcpy (&hlen, data, 8);
      hlen = GUINT64_FROM_LE (hlen);
      /* A header length too large for the file is reported by the
       * safetensors reader, unless the file starts like a pickle (PROTO). */
      if (hlen <= len - 8 || !(data[0] == 0x80 && data[1] >= 2 && data[1] <= 5))
        return KIND_SAFETENSORS;
    }
  if (len >= 2 && data[0] == 0x80)
    return KIND_PICKLE;
  /* Protocol 0/1 plain pickles (answer lists written long ago); strchr would
   * also find a NUL byte. */
  if (len >= 1 && data[0] != '\0' && strchr ("(]}cldtSVFIN", data[0]) != NULL)
    return KIND_PICKLE;
  return KIND_UNKNOWN;
}

/* A private copy of the file at path: a memfd the kernel fills from the
 * file, mapped. Whatever later happens to the file leaves it alone. */
static GMappedFile *
map_private_copy (const char *path,
                  GError    **error)
{
  g_autoptr (GError) local = NULL;
  GMappedFile *map = NULL;
  struct stat st;
  off_t done = 0;
  int in, out;

  ov_files_note_read (path);
  if (!ov_files_check_regular (path, error))
    return NULL;
  in = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (in < 0)
    {
      int saved = errno;

      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: cannot open: %s"), path,
                   g_strerror (saved));
      return NULL;
    }
  out = memfd_create ("oscarviz-weights", MFD_CLOEXEC);
  if (out < 0 || fstat (in, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: cannot copy into memory: %s"), path,
                   g_strerror (saved));
      goto out;
    }
  /* to the end of the file as it is now; a file that shrinks meanwhile
   * just gives a shorter copy, which the parsers refuse */
  while (done < st.st_size)
    {
      ssize_t got = copy_file_range (in, NULL, out, NULL, (size_t) (st.st_size - done), 0);

      if (got < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS
                      || errno == EOPNOTSUPP))
        {
          /* no in-kernel copy between these file systems: read and write */
          char buf[1 << 16];
          ssize_t r = pread (in, buf, sizeof buf, done);

          got = r > 0 && write (out, buf, (size_t) r) == r ? r : (r == 0 ? 0 : -1);
        }
      if (got < 0)
        {
          int saved = errno;

          g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: cannot copy into memory: %s"), path,
                       g_strerror (saved));
          goto out;
        }
      if (got == 0)
        break;
      done += got;
    }
  map = g_mapped_file_new_from_fd (out, FALSE, &local);
  if (map == NULL)
    g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: cannot map its copy: %s"), path,
                 local->message);
out:
  if (out >= 0)
    close (out);
  close (in);
  return map;
}

static GMappedFile *
map_file (const char      *path,
          OvStateDictFlags flags,
          GError         **error)
{
  g_autoptr (GError) local = NULL;
  GMappedFile *map;

  if (flags & OV_STATE_DICT_PRIVATE_COPY)
    {
      map = map_private_copy (path, error);
      if (map == NULL)
        return NULL;
    }
  else
    {
      ov_files_note_read (path);
      if (!ov_files_check_regular (path, error))
        return NULL;
      map = g_mapped_file_new (path, FALSE, &local);
      if (map == NULL)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: cannot open: %s"), path,
                       local->message);
          return NULL;
        }
    }
  if (g_mapped_file_get_length (map) == 0 || g_mapped_file_get_contents (map) == NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_TRUNCATED, _ ("%s: the file is empty"), path);
      g_mapped_file_unref (map);
      return NULL;
    }
#ifdef MADV_POPULATE_READ
  /* Every byte is read at least once (the CRC check), so map the pages in
   * one call rather than fault them in one by one; on a kernel without it
   * (before 5.14) the call fails harmlessly. */
  madvise (g_mapped_file_get_contents (map), g_mapped_file_get_length (map),
           MADV_POPULATE_READ);
#endif
  return map;
}

OvStateDict *
ov_state_dict_load (const char *path,
                    GError    **error)
{
  return ov_state_dict_load_full (path, OV_STATE_DICT_MAP, error);
}

OvStateDict *
ov_state_dict_load_full (const char      *path,
                         OvStateDictFlags flags,
                         GError         **error)
{
  g_autoptr (GMappedFile) map = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  map = map_file (path, flags, error);
  if (map == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (map);
  len = g_mapped_file_get_length (map);

  switch (sniff (data, len))
    {
    case KIND_ZIP:
      return load_zip (path, map, error);
    case KIND_SAFETENSORS:
      return load_safetensors (path, map, error);
    case KIND_PICKLE:
      return load_legacy (path, map, error);
    case KIND_UNKNOWN:
    default:
      g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                   _ ("%s: not a torch checkpoint or safetensors file (unknown magic bytes)"),
                   path);
      return NULL;
    }
}

OvPickleValue *
_ov_torch_file_load_pickle (const char *path,
                            GError    **error)
{
  g_autoptr (GMappedFile) map = map_file (path, OV_STATE_DICT_MAP, error);
  const guint8 *data;
  gsize len;

  if (map == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (map);
  len = g_mapped_file_get_length (map);

  if (sniff (data, len) == KIND_ZIP)
    {
      ZipCtx z;
      OvPickleValue *root = NULL;
      if (zip_ctx_open (&z, path, data, len, error))
        root = zip_load_pickle (&z, error);
      zip_ctx_close (&z);
      return root;
    }
  else
    {
      LegacyCtx L = { .data = data, .len = len, .path = path };
      OvPickleValue *root = NULL;
      if (legacy_read_header (&L, error))
        {
          /* The storages must be there too, even if only the object is wanted. */
          OvStateDict *scratch = state_dict_new (path, OV_STATE_DICT_FORMAT_TORCH_LEGACY, NULL);
          if (legacy_read_storages (&L, scratch, error))
            root = g_steal_pointer (&L.pickles[3]);
          ov_state_dict_free (scratch);
        }
      else if (L.pickles[0] != NULL && !_ov_pickle_is_torch_legacy_magic (L.pickles[0]))
        {
          /* A plain pickle: it must be the whole file. */
          if (L.pos != len)
            g_set_error (error, OV_ERROR, OV_ERROR_FORMAT,
                         _ ("%s: %zu bytes after the pickle's end"), path, len - L.pos);
          else
            root = g_steal_pointer (&L.pickles[0]);
        }
      legacy_clear (&L);
      return root;
    }
}

OvStateDictFormat
ov_state_dict_get_format (OvStateDict *sd)
{
  g_return_val_if_fail (sd != NULL, OV_STATE_DICT_FORMAT_TORCH_ZIP);

  return sd->format;
}

const char *
ov_state_dict_get_path (OvStateDict *sd)
{
  g_return_val_if_fail (sd != NULL, NULL);

  return sd->path;
}

guint
ov_state_dict_get_n_tensors (OvStateDict *sd)
{
  g_return_val_if_fail (sd != NULL, 0);

  return sd->tensors->len;
}

const OvTensor *
ov_state_dict_get_nth (OvStateDict *sd,
                       guint        i)
{
  g_return_val_if_fail (sd != NULL, NULL);

  return i < sd->tensors->len ? sd->tensors->pdata[i] : NULL;
}

const OvTensor *
ov_state_dict_lookup (OvStateDict *sd,
                      const char  *name)
{
  g_return_val_if_fail (sd != NULL, NULL);

  return name != NULL ? g_hash_table_lookup (sd->by_name, name) : NULL;
}

gsize
ov_state_dict_get_mapped_bytes (OvStateDict *sd)
{
  g_return_val_if_fail (sd != NULL, 0);

  return sd->mapped_bytes;
}

/* ---- conversion ---- */

/* IEEE half to float, subnormals, infinities and NaN included. */
static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f;
  guint32 mant = h & 0x3ff;
  guint32 bits;
  float f;

  if (exp == 0x1f)
    bits = sign | 0x7f800000u | (mant << 13);
  else if (exp != 0)
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  else if (mant == 0)
    bits = sign;
  else
    {
      /* Subnormal half: value = mant * 2^-24, exact in float. */
      f = (float) mant * (1.0f / 16777216.0f);
      return sign ? -f : f;
    }
  memcpy (&f, &bits, sizeof f);
  return f;
}

const float *
ov_tensor_as_f32 (const OvTensor *t,
                  float         **owned)
{
  float *out;

  g_return_val_if_fail (t != NULL && owned != NULL, NULL);

  *owned = NULL;
  if (t->dtype == OV_DTYPE_F32)
    return t->data;
  out = g_try_new (float, MAX (t->n_elements, 1));
  if (out == NULL)
    return NULL;
  for (gint64 i = 0; i < t->n_elements; i++)
    {
      const guint8 *p = (const guint8 *) t->data + i * ov_dtype_size (t->dtype);
      switch (t->dtype)
        {
        case OV_DTYPE_F16:
          {
            guint16 h;
            memcpy (&h, p, 2);
            out[i] = half_to_float (GUINT16_FROM_LE (h));
          }
          break;
        case OV_DTYPE_BF16:
          {
            guint16 h;
            guint32 bits;
            memcpy (&h, p, 2);
            bits = (guint32) GUINT16_FROM_LE (h) << 16;
            memcpy (&out[i], &bits, 4);
          }
          break;
        case OV_DTYPE_F64: { double d; memcpy (&d, p, 8); out[i] = (float) d; } break;
        case OV_DTYPE_I64: { gint64 x; memcpy (&x, p, 8); out[i] = (float) x; } break;
        case OV_DTYPE_I32: { gint32 x; memcpy (&x, p, 4); out[i] = (float) x; } break;
        case OV_DTYPE_I16: { gint16 x; memcpy (&x, p, 2); out[i] = (float) x; } break;
        case OV_DTYPE_I8: out[i] = (float) *(const gint8 *) p; break;
        case OV_DTYPE_U8: out[i] = (float) *p; break;
        case OV_DTYPE_BOOL: out[i] = *p != 0 ? 1.0f : 0.0f; break;
        case OV_DTYPE_F32:
        default:
          g_assert_not_reached ();
        }
    }
  *owned = out;
  return out;
}

/* ---- writing ---- */

gboolean
ov_safetensors_write (const char         *path,
                      const OvTensorView *tensors,
                      guint               n_tensors,
                      GError            **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *header = NULL;
  g_autofree char *tmp = NULL;
  gsize hlen = 0;
  guint64 offset = 0, hlen_le;
  FILE *f;
  int fd;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (tensors != NULL || n_tensors == 0, FALSE);

  /* Header: name -> {dtype, shape, data_offsets}, in the order given. */
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_tensors; i++)
    {
      const OvTensorView *v = &tensors[i];
      gint64 n;
      if (v->name == NULL || strcmp (v->name, "__metadata__") == 0
          || g_hash_table_contains (seen, v->name) || v->n_dims < 0
          || v->n_dims > OV_TENSOR_MAX_DIMS || ov_dtype_size (v->dtype) == 0
          || !count_elements (v->shape, v->n_dims, ov_dtype_size (v->dtype), &n)
          || (n > 0 && v->data == NULL))
        {
          g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                       _ ("%s: tensor %u (\"%s\") has a bad or repeated name, dtype, shape or "
                          "no data"), path, i, v->name != NULL ? v->name : "");
          return FALSE;
        }
      g_hash_table_add (seen, (gpointer) v->name);
      json_builder_set_member_name (builder, v->name);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "dtype");
      json_builder_add_string_value (builder, ov_dtype_name (v->dtype));
      json_builder_set_member_name (builder, "shape");
      json_builder_begin_array (builder);
      for (int d = 0; d < v->n_dims; d++)
        json_builder_add_int_value (builder, v->shape[d]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "data_offsets");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, offset);
      offset += n * ov_dtype_size (v->dtype);
      json_builder_add_int_value (builder, offset);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  header = json_generator_to_data (gen, &hlen);

  /* Pad with spaces so the data starts 8-byte aligned. */
  {
    gsize padded = (hlen + 7) / 8 * 8;
    header = g_realloc (header, padded + 1);
    memset (header + hlen, ' ', padded - hlen);
    header[padded] = '\0';
    hlen = padded;
  }

  tmp = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: cannot create a temporary file: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  f = fdopen (fd, "wb");
  if (f == NULL)
    {
      close (fd);
      g_unlink (tmp);
      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: cannot write"), path);
      return FALSE;
    }
  hlen_le = GUINT64_TO_LE ((guint64) hlen);
  ok = fwrite (&hlen_le, 8, 1, f) == 1 && fwrite (header, 1, hlen, f) == hlen;
  for (guint i = 0; ok && i < n_tensors; i++)
    {
      gint64 n = 1;
      gsize bytes;
      count_elements (tensors[i].shape, tensors[i].n_dims, 1, &n);
      bytes = n * ov_dtype_size (tensors[i].dtype);
      ok = bytes == 0 || fwrite (tensors[i].data, 1, bytes, f) == bytes;
    }
  ok = ok && fflush (f) == 0 && fsync (fileno (f)) == 0;
  if (fclose (f) != 0)
    ok = FALSE;
  if (ok && g_rename (tmp, path) != 0)
    ok = FALSE;
  if (!ok)
    {
      int saved = errno;
      g_unlink (tmp);
      g_set_error (error, OV_ERROR, OV_ERROR_IO, _ ("%s: cannot write: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
