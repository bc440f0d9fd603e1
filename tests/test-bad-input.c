/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Hostile and broken files, one of each kind docs/bad-input.md lists: each is
 * made here, given to the reader a user's file would meet, and must fail with
 * the stated error code and a message naming the file, within a small memory
 * budget. Run with --verbose to see the messages the document quotes.
 */
#define G_LOG_DOMAIN "test-bad-input"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <zip.h>

#include "data/ov-cbs.h"
#include "data/ov-dataset.h"
#include "data/ov-formats.h"
#include "data/ov-image.h"
#include "data/ov-tsv.h"
#include "model/ov-answers.h"
#include "model/ov-error.h"
#include "model/ov-model.h"
#include "model/ov-pickle.h"
#include "model/ov-state-dict.h"
#include "model/ov-tokenizer.h"
#include "ov-test-util.h"

#if defined(__SANITIZE_ADDRESS__)
#define OV_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OV_ASAN 1
#endif
#endif

typedef enum {
  READ_PICKLE,
  READ_CHECKPOINT,
  READ_CONFIG,       /* the file is a checkpoint folder's config.json */
  READ_ANSWERS,
  READ_DATASET,      /* ov_dataset_open, then its first sample */
  READ_IMAGE,
  READ_IMAGE_INFO,   /* ov_image_read_info: the size and orientation alone */
  READ_VOCAB,
  READ_CLASS_NAMES,  /* --class-names FILE */
  READ_CBS_LIST,     /* a constrained beam search word list (cbs_tokenforms) */
  READ_CBS_TREE,     /* an Open Images class hierarchy (cbs_hierarchy) */
  READ_CBS_BOXES,    /* a constraint box file (cbs_box), then image "img1" */
} Reader;

typedef struct {
  const char *name;       /* test path and file name */
  Reader      reader;
  int         code;       /* expected OvError code */
  GBytes   *(*make) (void);
  const char *says;       /* a part of the message, or NULL */
} Case;

static char *tmp_dir;

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static GBytes *
fixture (const char *first, ...)
{
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  gsize len;
  va_list ap;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *p;

  g_ptr_array_add (parts, (gpointer) OV_SOURCE_DIR);
  va_start (ap, first);
  for (p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  path = g_build_filenamev ((char **) parts->pdata);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

/* ---- the files ---- */

static GBytes *make_os_system (void)
{ return fixture ("tests", "fixtures", "checkpoint", "os-system.pkl", NULL); }
static GBytes *make_eval (void)
{ return fixture ("tests", "fixtures", "checkpoint", "builtins-eval.pkl", NULL); }
static GBytes *make_nested_forbidden (void)
{ return fixture ("tests", "fixtures", "checkpoint", "nested-forbidden.pkl", NULL); }

/* protocol 2, eight million EMPTY_LIST: an 8 MB file that once took more
 * than 2 GiB to read */
static GBytes *
make_pickle_many (void)
{
  gsize n = 8000000;
  guint8 *d = g_malloc (n + 3);

  d[0] = 0x80;
  d[1] = 2;
  memset (d + 2, ']', n);
  d[n + 2] = '.';
  return g_bytes_new_take (d, n + 3);
}

/* lists nested a million deep: EMPTY_LIST a million times, then APPENDs */
static GBytes *
make_pickle_deep (void)
{
  gsize n = 1000000;
  guint8 *d = g_malloc (2 * n + 2);

  d[0] = 0x80;
  d[1] = 2;
  memset (d + 2, ']', n);
  memset (d + 2 + n, 'a', n - 1);
  d[2 * n + 1] = '.';
  return g_bytes_new_take (d, 2 * n + 2);
}

/* BINUNICODE claiming 4 GiB - 1 of text in a 10-byte file */
static GBytes *
make_pickle_long_string (void)
{
  static const guint8 d[] = { 0x80, 2, 'X', 0xff, 0xff, 0xff, 0xff, 'a', 'b', '.' };
  return g_bytes_new_static (d, sizeof d);
}

/* LONG_BINGET of a memo slot never written */
static GBytes *
make_pickle_memo (void)
{
  static const guint8 d[] = { 0x80, 2, 'j', 0xff, 0xff, 0xff, 0x7f, '.' };
  return g_bytes_new_static (d, sizeof d);
}

static GBytes *
safetensors (const char *header)
{
  GByteArray *b = g_byte_array_new ();
  guint64 n = GUINT64_TO_LE (strlen (header));
  static const guint8 payload[16] = { 0 };

  g_byte_array_append (b, (const guint8 *) &n, 8);
  g_byte_array_append (b, (const guint8 *) header, strlen (header));
  g_byte_array_append (b, payload, sizeof payload);
  return g_byte_array_free_to_bytes (b);
}

static GBytes *make_st_huge_shape (void)
{
  return safetensors ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],"
                      "\"data_offsets\":[0,16]}}");
}
static GBytes *make_st_past_end (void)
{
  return safetensors ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1000],"
                      "\"data_offsets\":[0,4000]}}");
}
static GBytes *make_st_overflow (void)
{
  return safetensors ("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
                      "\"data_offsets\":[0,0]}}");
}

static GBytes *
make_st_header_len (void)
{
  static const guint8 d[] = { 0, 0, 0, 0, 0, 0, 0, 0x10, '{', '}' };
  return g_bytes_new_static (d, sizeof d);
}

static GBytes *
make_zip_truncated (void)
{
  g_autoptr(GBytes) whole = fixture ("tests", "fixtures", "checkpoint", "zip.pt", NULL);
  return g_bytes_new_from_bytes (whole, 0, g_bytes_get_size (whole) / 2);
}

static guint32
le32 (const guint8 *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32) p[3] << 24;
}

/* The oracle captioning checkpoint (a torch zip), and the offset of its
 * directory's first entry, to damage a copy. */
static guint8 *
oracle_zip (gsize *len,
            gsize *dir)
{
  g_autofree char *path = ov_test_shared_path ("oracle", "checkpoints", "caption_tiny",
                                               "pytorch_model.bin", NULL);
  char *data = NULL;
  gsize e;

  g_assert_true (g_file_get_contents (path, &data, len, NULL));
  for (e = *len - 22; e > 0 && memcmp (data + e, "PK\5\6", 4) != 0; e--)
    ;
  g_assert_cmpuint (e, >, 0);
  *dir = le32 ((guint8 *) data + e + 16);
  g_assert_cmpmem (data + *dir, 4, "PK\1\2", 4);
  return (guint8 *) data;
}

/* The directory entry after the one at p */
static gsize
next_entry (const guint8 *d,
            gsize         p)
{
  /* name, extra field and comment lengths: 16 bits each */
  return p + 46 + (le32 (d + p + 28) & 0xffff) + (le32 (d + p + 28) >> 16)
         + (le32 (d + p + 32) & 0xffff);
}

/* The second member's local header signature overwritten (was "it has no
 * directory at its end (the file is cut short?)") */
static GBytes *
make_zip_local_header (void)
{
  gsize len, dir;
  guint8 *d = oracle_zip (&len, &dir);
  guint32 offset = le32 (d + next_entry (d, dir) + 42);

  g_assert_cmpmem (d + offset, 4, "PK\3\4", 4);
  memcpy (d + offset, "PK\0\0", 4);
  return g_bytes_new_take (d, len);
}

/* The second directory entry's offset past the end of the file */
static GBytes *
make_zip_entry_offset (void)
{
  gsize len, dir;
  guint8 *d = oracle_zip (&len, &dir);
  guint32 offset = GUINT32_TO_LE ((guint32) len + 1000);

  memcpy (d + next_entry (d, dir) + 42, &offset, 4);
  return g_bytes_new_take (d, len);
}

/* The first directory entry's sizes 2^31 - 1 */
static GBytes *
make_zip_entry_size (void)
{
  gsize len, dir;
  guint8 *d = oracle_zip (&len, &dir);
  guint32 size = GUINT32_TO_LE (0x7fffffff);

  memcpy (d + dir + 20, &size, 4);
  memcpy (d + dir + 24, &size, 4);
  return g_bytes_new_take (d, len);
}

static GBytes *
make_legacy_truncated (void)
{
  g_autoptr(GBytes) whole = fixture ("tests", "fixtures", "checkpoint", "legacy.pt", NULL);
  return g_bytes_new_from_bytes (whole, 0, g_bytes_get_size (whole) - 100);
}

static GBytes *make_nul (void) { return g_bytes_new_static ("\0\0\0\0", 4); }
/* A torch zip whose data.pkl inflates to 100 MB (a 100 kB file). */
static GBytes *
make_zip_bomb (void)
{
  gsize n = 100 << 20;
  guint8 *pkl = g_malloc0 (n);
  g_autofree char *path = g_build_filename (tmp_dir, "bomb.zip", NULL);
  g_autofree char *data = NULL;
  gsize len;
  zip_t *za;
  zip_source_t *src;
  zip_int64_t idx;

  pkl[0] = 0x80;
  pkl[1] = 2;
  za = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, NULL);
  g_assert_nonnull (za);
  src = zip_source_buffer (za, pkl, n, 0);
  idx = zip_file_add (za, "archive/data.pkl", src, 0);
  g_assert_cmpint (idx, >=, 0);
  zip_set_file_compression (za, (zip_uint64_t) idx, ZIP_CM_DEFLATE, 1);
  g_assert_cmpint (zip_close (za), ==, 0);
  g_free (pkl);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_remove (path);
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

/* A zip holding two members of the same name: libzip's own message was
 * only "File already exists". */
static GBytes *
make_zip_dup_names (void)
{
  static const char pkl[] = "\x80\x02}q\x00.";
  g_autofree char *path = g_build_filename (tmp_dir, "dup.zip", NULL);
  g_autofree char *data = NULL;
  gsize len;
  zip_t *za = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, NULL);

  g_assert_nonnull (za);
  for (int i = 0; i < 2; i++)
    g_assert_cmpint (zip_file_add (za, i == 0 ? "archive/data.pkl" : "archive/data.pkX",
                                   zip_source_buffer (za, pkl, sizeof pkl - 1, 0), 0), >=, 0);
  g_assert_cmpint (zip_close (za), ==, 0);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_remove (path);
  /* the second name becomes the first, in its local header and the directory */
  for (char *p = data; (p = memmem (p, data + len - p, "data.pkX", 8)) != NULL; p += 8)
    p[7] = 'l';
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

/* A real torch zip whose storage zip/data/0 is replaced by 100 MB of zeros,
 * deflated at level 1 (a 460 kB file): weights do not compress like that. */
static GBytes *
make_tensor_bomb (void)
{
  g_autoptr(GBytes) whole = fixture ("tests", "fixtures", "checkpoint", "zip.pt", NULL);
  g_autofree char *path = g_build_filename (tmp_dir, "tensor-bomb.zip", NULL);
  gsize n = 100 << 20;
  guint8 *zeros = g_malloc0 (n);
  g_autofree char *data = NULL;
  gsize len;
  zip_t *za;
  zip_source_t *src;
  zip_int64_t idx;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (whole, NULL),
                                      (gssize) g_bytes_get_size (whole), NULL));
  za = zip_open (path, 0, NULL);
  g_assert_nonnull (za);
  idx = zip_name_locate (za, "zip/data/0", 0);
  g_assert_cmpint (idx, >=, 0);
  src = zip_source_buffer (za, zeros, n, 0);
  g_assert_cmpint (zip_file_replace (za, (zip_uint64_t) idx, src, 0), ==, 0);
  zip_set_file_compression (za, (zip_uint64_t) idx, ZIP_CM_DEFLATE, 1);
  g_assert_cmpint (zip_close (za), ==, 0);
  g_free (zeros);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_remove (path);
  g_assert_cmpuint (len, <, 1 << 20);
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static GBytes *make_not_checkpoint (void) { return text ("<html>Not Found</html>\n"); }

static GBytes *make_config_huge (void)
{
  return text ("{\"hidden_size\": 1000000000, \"num_attention_heads\": 1, "
               "\"intermediate_size\": 1000000000, \"num_hidden_layers\": 100000}");
}
static GBytes *make_config_heads (void)
{ return text ("{\"hidden_size\": 10, \"num_attention_heads\": 3}"); }
static GBytes *make_config_shapes (void)
{ return text ("{\"hidden_size\": 48, \"num_attention_heads\": 4}"); }
static GBytes *make_config_act (void)
{ return text ("{\"hidden_act\": \"__import__('os').system('true')\"}"); }
static GBytes *make_config_empty (void) { return text (""); }
static GBytes *make_config_wrap (void)
{ return text ("{\"hidden_size\": 4294967312, \"num_attention_heads\": 4}"); }
static GBytes *make_config_double (void) { return text ("{\"hidden_size\": 1e300}"); }
/* values of the wrong JSON type (ran with the defaults) */
static GBytes *make_config_act_number (void) { return text ("{\"hidden_act\": 5}"); }
static GBytes *make_config_eps_string (void) { return text ("{\"layer_norm_eps\": \"x\"}"); }
static GBytes *make_config_fraction (void) { return text ("{\"hidden_size\": 24.5}"); }
static GBytes *make_config_size_string (void) { return text ("{\"hidden_size\": \"24\"}"); }
/* sizes out of range (named another field, or -1) */
static GBytes *make_config_vocab_huge (void) { return text ("{\"vocab_size\": 1099511627776}"); }
static GBytes *make_config_img_zero (void) { return text ("{\"img_feature_dim\": 0}"); }
static GBytes *make_config_img_int (void) { return text ("{\"img_feature_dim\": 2147483648}"); }
static GBytes *make_config_positions_zero (void)
{ return text ("{\"max_position_embeddings\": 0}"); }
/* json-glib wraps this one to 16, a plausible size */
static GBytes *make_config_neg_wrap (void)
{ return text ("{\"hidden_size\": -18446744073709551600, \"num_attention_heads\": 2}"); }
static GBytes *make_vqa_q_object (void)
{ return text ("[{\"q\": {\"a\": 1}, \"img_id\": 1, \"o\": \"dog\"}]"); }
static GBytes *make_butd_width (void)
{ return text ("1\t33333333333333339\t480\t1\tAACAPw==\tAACAPw==\n"); }

static GBytes *
make_tsv_nested (void)
{
  GString *s = g_string_new ("k\t");
  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  g_string_append_c (s, '\n');
  return g_string_free_to_bytes (s);
}

static GBytes *
make_jpeg_truncated (void)
{
  g_autofree char *path = ov_test_shared_path ("data", "images", "edge-cases",
                                               "skimage-truncated.jpg", NULL);
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static GBytes *
make_deep_json (void)
{
  GString *s = g_string_new ("{\"boxes\": ");
  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  return g_string_free_to_bytes (s);
}

static GBytes *make_json_cut (void)
{ return text ("{\"key\": \"a\", \"boxes\": [{\"rect\": [1, 2"); }
static GBytes *make_rect_short (void)
{
  return text ("{\"key\": \"a\", \"width\": 10, \"height\": 10, "
               "\"boxes\": [{\"rect\": [1, 2], \"class\": \"x\"}]}");
}
static GBytes *make_vqa_references (void)
{ return text ("[{\"q\": \"a ?\", \"img_id\": 1, \"o\": \"dog\", \"an\": [1, 2], \"s\": [1]}]"); }
static GBytes *make_weights_as_features (void)
{ return fixture ("tests", "fixtures", "checkpoint", "zip.pt", NULL); }

static GBytes *make_answers_gap (void) { return text ("{\"yes\": 0, \"no\": 5}"); }

static GBytes *make_boxes_billion (void)
{ return text ("img1\t{\"num_boxes\": 1000000000, \"features\": \"AAAAAA==\"}\n"); }
static GBytes *make_boxes_mismatch (void)
{ return text ("img1\t{\"num_boxes\": 2, \"features\": \"AACAPwAAgD8=\"}\n"); }
static GBytes *make_vinvl_billion (void)
{ return text ("img1\t1000000000\tAACAPw==\n"); }
static GBytes *make_bad_base64 (void)
{ return text ("img1\t{\"num_boxes\": 1, \"features\": \"AA*A!\"}\n"); }
static GBytes *make_butd_billion (void)
{ return text ("1\t640\t480\t1000000000\tAACAPw==\tAACAPw==\n"); }
static GBytes *make_detection_nan (void)
{ return text ("img1\t[{\"rect\": [1, 2, \"x\", 4], \"class\": \"dog\"}]\n"); }
static GBytes *make_yaml_device (void)
{ return text ("feature: /dev/zero\nlabel: /dev/zero\n"); }
static GBytes *make_yaml_missing (void)
{ return text ("feature: no-such-file.tsv\n"); }

/* a real baseline JPEG whose frame header (SOF0) now claims 65500 x 65500 */
static GBytes *
make_jpeg_huge (void)
{
  g_autofree char *path = ov_test_shared_path ("data", "images", "edge-cases",
                                               "ijg-testorig-baseline.jpg", NULL);
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  for (gsize i = 0; i + 9 < len; i++)
    if ((guint8) data[i] == 0xff && (guint8) data[i + 1] == 0xc0)
      {
        memcpy (data + i + 5, "\xff\xdc\xff\xdc", 4);  /* height, width */
        return g_bytes_new_take (g_steal_pointer (&data), len);
      }
  g_assert_not_reached ();
}

/* a PNG whose IHDR claims 1000000 x 1000000 pixels, then an empty IDAT */
static GBytes *
make_png_huge (void)
{
  GByteArray *b = g_byte_array_new ();
  static const guint8 sig[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[25] = { 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                      0, 0x0f, 0x42, 0x40, 0, 0x0f, 0x42, 0x40, 8, 2, 0, 0, 0 };
  gulong crc = 0;
  static const guint32 table_poly = 0xedb88320u;
  static const guint8 idat[] = { 0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x35, 0xaf, 0x06, 0x1e };

  /* CRC-32 of the chunk type and data, as PNG requires */
  crc = 0xffffffffu;
  for (int i = 4; i < 21; i++)
    {
      crc ^= ihdr[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (table_poly & (0u - (crc & 1u)));
    }
  crc ^= 0xffffffffu;
  ihdr[21] = (guint8) (crc >> 24);
  ihdr[22] = (guint8) (crc >> 16);
  ihdr[23] = (guint8) (crc >> 8);
  ihdr[24] = (guint8) crc;
  g_byte_array_append (b, sig, sizeof sig);
  g_byte_array_append (b, ihdr, 25);
  g_byte_array_append (b, idat, sizeof idat);
  return g_byte_array_free_to_bytes (b);
}

static GBytes *make_not_image (void) { return text ("GIF89a this is not a JPEG"); }
static GBytes *make_vocab_utf8 (void) { return g_bytes_new_static ("[PAD]\n\xff\xfe\n", 9); }
static GBytes *make_vocab_nul (void) { return g_bytes_new_static ("[PAD]\nabc\0d\n", 12); }

/* a safetensors header (little-endian length, then JSON) of 100 000 [ */
static GBytes *
make_st_nested (void)
{
  GByteArray *a = g_byte_array_new ();
  const char *start = "{\"w\": ";
  guint64 len = GUINT64_TO_LE (strlen (start) + 100000);

  g_byte_array_append (a, (const guint8 *) &len, 8);
  g_byte_array_append (a, (const guint8 *) start, strlen (start));
  for (guint i = 0; i < 100000; i++)
    g_byte_array_append (a, (const guint8 *) "[", 1);
  return g_byte_array_free_to_bytes (a);
}

static GBytes *
make_config_nested (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  return g_string_free_to_bytes (s);
}

static GBytes *make_json_empty (void) { return text (""); }
/* a binary given as --class-names */
static GBytes *make_names_binary (void) { return g_bytes_new_static ("yolk\n\0\1\2\3", 9); }
/* an empty file (was a GLib critical: it splits into no lines at all) */
static GBytes *make_names_empty (void) { return g_bytes_new_static ("", 0); }

static GBytes *make_cbs_no_tab (void) { return text ("dog\ndog,dogs\n"); }
static GBytes *make_cbs_binary (void) { return g_bytes_new_static ("dog\tdo\0g\n", 10); }
static GBytes *make_cbs_tree (void) { return text ("{\"LabelName\": 3, \"Subcategory\": []}"); }
static GBytes *make_cbs_boxes (void) { return text ("img1\t{\"class\": \"Dog\", \"conf\": 1}\n"); }
static GBytes *make_cbs_glued (void) { return text ("img1 [{\"class\": \"Dog\", \"conf\": 1}]\n"); }

static const Case cases[] = {
  { "pickle-os-system", READ_PICKLE, OV_ERROR_FORBIDDEN, make_os_system },
  { "pickle-builtins-eval", READ_PICKLE, OV_ERROR_FORBIDDEN, make_eval },
  { "pickle-nested-forbidden", READ_CHECKPOINT, OV_ERROR_FORBIDDEN, make_nested_forbidden },
  { "pickle-8-million-lists", READ_PICKLE, OV_ERROR_LIMIT, make_pickle_many },
  { "pickle-nested-million", READ_CHECKPOINT, OV_ERROR_FORMAT, make_pickle_deep },
  { "pickle-string-4gib", READ_PICKLE, OV_ERROR_TRUNCATED, make_pickle_long_string },
  { "pickle-memo-unset", READ_PICKLE, OV_ERROR_FORMAT, make_pickle_memo },
  { "checkpoint-zip-truncated", READ_CHECKPOINT, OV_ERROR_FORMAT, make_zip_truncated,
    "it has no directory at its end (the file is cut short?)" },
  { "checkpoint-zip-local-header", READ_CHECKPOINT, OV_ERROR_FORMAT, make_zip_local_header,
    "member pytorch_model/data/0: its header at byte 8417 is damaged" },
  { "checkpoint-zip-entry-offset", READ_CHECKPOINT, OV_ERROR_FORMAT, make_zip_entry_offset,
    "member pytorch_model/data/0: its directory entry puts it at byte 3379683, past the end of "
    "the file (3378683 bytes)" },
  { "checkpoint-zip-entry-size", READ_CHECKPOINT, OV_ERROR_FORMAT, make_zip_entry_size,
    "member pytorch_model/data.pkl: its directory entry gives it 2147483647 bytes from byte 64, "
    "past the end of the file (3378683 bytes)" },
  { "checkpoint-legacy-truncated", READ_CHECKPOINT, OV_ERROR_TRUNCATED, make_legacy_truncated },
  { "checkpoint-zip-bomb", READ_CHECKPOINT, OV_ERROR_LIMIT, make_zip_bomb },
  { "checkpoint-zip-same-names", READ_CHECKPOINT, OV_ERROR_FORMAT, make_zip_dup_names },
  { "checkpoint-tensor-bomb", READ_CHECKPOINT, OV_ERROR_LIMIT, make_tensor_bomb },
  { "checkpoint-html", READ_CHECKPOINT, OV_ERROR_FORMAT, make_not_checkpoint },
  { "checkpoint-nul", READ_CHECKPOINT, OV_ERROR_FORMAT, make_nul },
  { "safetensors-huge-shape", READ_CHECKPOINT, OV_ERROR_FORMAT, make_st_huge_shape },
  { "safetensors-past-end", READ_CHECKPOINT, OV_ERROR_FORMAT, make_st_past_end },
  { "safetensors-shape-overflow", READ_CHECKPOINT, OV_ERROR_FORMAT, make_st_overflow },
  { "safetensors-header-length", READ_CHECKPOINT, OV_ERROR_TRUNCATED, make_st_header_len },
  { "config-huge", READ_CONFIG, OV_ERROR_LIMIT, make_config_huge },
  { "config-heads", READ_CONFIG, OV_ERROR_FORMAT, make_config_heads },
  { "config-shapes", READ_CONFIG, OV_ERROR_SHAPE, make_config_shapes },
  { "config-hidden-act", READ_CONFIG, OV_ERROR_UNSUPPORTED, make_config_act },
  { "config-empty", READ_CONFIG, OV_ERROR_FORMAT, make_config_empty },
  { "config-int-wrap", READ_CONFIG, OV_ERROR_LIMIT, make_config_wrap,
    "hidden_size is 4294967312; it must be from 1 to 65536" },
  { "config-double", READ_CONFIG, OV_ERROR_LIMIT, make_config_double,
    "hidden_size is 1e300; it must be from 1 to 65536" },
  { "config-act-number", READ_CONFIG, OV_ERROR_FORMAT, make_config_act_number,
    "hidden_act is 5; give a string" },
  { "config-eps-string", READ_CONFIG, OV_ERROR_FORMAT, make_config_eps_string,
    "layer_norm_eps is \"x\"; give a number" },
  { "config-size-fraction", READ_CONFIG, OV_ERROR_FORMAT, make_config_fraction,
    "hidden_size is 24.5; give a whole number" },
  { "config-size-string", READ_CONFIG, OV_ERROR_FORMAT, make_config_size_string,
    "hidden_size is \"24\"; give a whole number" },
  { "config-vocab-2-40", READ_CONFIG, OV_ERROR_LIMIT, make_config_vocab_huge,
    "vocab_size is 1099511627776; it must be from 1 to 16777216" },
  { "config-img-dim-0", READ_CONFIG, OV_ERROR_FORMAT, make_config_img_zero,
    "img_feature_dim is 0; it must be from 1 to 1048576" },
  { "config-img-dim-2-31", READ_CONFIG, OV_ERROR_LIMIT, make_config_img_int,
    "img_feature_dim is 2147483648; it must be from 1 to 1048576" },
  { "config-positions-0", READ_CONFIG, OV_ERROR_FORMAT, make_config_positions_zero,
    "max_position_embeddings is 0; it must be from 1 to 1048576" },
  { "config-negative-wrap", READ_CONFIG, OV_ERROR_FORMAT, make_config_neg_wrap,
    "hidden_size is -18446744073709551600; it must be from 1 to 65536" },
  { "vqa-q-object.json", READ_DATASET, OV_ERROR_FORMAT, make_vqa_q_object },
  { "tsv-butd-width.tsv", READ_DATASET, OV_ERROR_FORMAT, make_butd_width },
  { "tsv-nested.tsv", READ_DATASET, OV_ERROR_FORMAT, make_tsv_nested },
  { "image-truncated.jpg", READ_IMAGE, OV_ERROR_TRUNCATED, make_jpeg_truncated },
  /* the header alone, as --image reads it: truncated too (was "cannot read
   * the JPEG header") */
  { "image-info-truncated.jpg", READ_IMAGE_INFO, OV_ERROR_TRUNCATED, make_jpeg_truncated },
  { "json-nested.json", READ_DATASET, OV_ERROR_FORMAT, make_deep_json },
  { "json-cut-short.json", READ_DATASET, OV_ERROR_TRUNCATED, make_json_cut },
  { "json-rect-short.json", READ_DATASET, OV_ERROR_FORMAT, make_rect_short },
  { "vqa-references.json", READ_DATASET, OV_ERROR_FORMAT, make_vqa_references },
  { "weights-as-features.pt", READ_DATASET, OV_ERROR_FORMAT, make_weights_as_features },
  { "answers-gap.json", READ_ANSWERS, OV_ERROR_FORMAT, make_answers_gap },
  { "tsv-billion-boxes.tsv", READ_DATASET, OV_ERROR_FORMAT, make_boxes_billion },
  { "tsv-boxes-mismatch.tsv", READ_DATASET, OV_ERROR_SHAPE, make_boxes_mismatch },
  { "tsv-vinvl-billion.tsv", READ_DATASET, OV_ERROR_FORMAT, make_vinvl_billion },
  { "tsv-bad-base64.tsv", READ_DATASET, OV_ERROR_FORMAT, make_bad_base64 },
  { "tsv-butd-billion.tsv", READ_DATASET, OV_ERROR_FORMAT, make_butd_billion },
  { "tsv-detection-rect.tsv", READ_DATASET, OV_ERROR_FORMAT, make_detection_nan },
  { "yaml-dev-zero.yaml", READ_DATASET, OV_ERROR_IO, make_yaml_device },
  { "yaml-missing.yaml", READ_DATASET, OV_ERROR_IO, make_yaml_missing },
  { "image-png-million.png", READ_IMAGE, OV_ERROR_LIMIT, make_png_huge },
  { "image-not-image.jpg", READ_IMAGE, OV_ERROR_FORMAT, make_not_image },
  { "vocab-invalid-utf8", READ_VOCAB, OV_ERROR_FORMAT, make_vocab_utf8 },
  { "vocab-nul", READ_VOCAB, OV_ERROR_FORMAT, make_vocab_nul },
  { "safetensors-header-nested", READ_CHECKPOINT, OV_ERROR_FORMAT, make_st_nested },
  { "config-nested", READ_CONFIG, OV_ERROR_FORMAT, make_config_nested },
  { "json-empty.json", READ_DATASET, OV_ERROR_TRUNCATED, make_json_empty },
  { "class-names-binary.txt", READ_CLASS_NAMES, OV_ERROR_FORMAT, make_names_binary },
  { "class-names-empty.txt", READ_CLASS_NAMES, OV_ERROR_FORMAT, make_names_empty },
  { "cbs-forms-no-tab.tsv", READ_CBS_LIST, OV_ERROR_FORMAT, make_cbs_no_tab },
  { "cbs-forms-binary.tsv", READ_CBS_LIST, OV_ERROR_FORMAT, make_cbs_binary },
  { "cbs-hierarchy-label.json", READ_CBS_TREE, OV_ERROR_FORMAT, make_cbs_tree },
  { "cbs-boxes-object.tsv", READ_CBS_BOXES, OV_ERROR_FORMAT, make_cbs_boxes },
  { "cbs-boxes-no-tab.tsv", READ_CBS_BOXES, OV_ERROR_FORMAT, make_cbs_glued },
};

static void
copy_fixture (const char *dir,
              const char *name)
{
  g_autoptr(GBytes) b = fixture ("tests", "fixtures", "pretrain_tiny", name, NULL);
  g_autofree char *dst = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (dst, g_bytes_get_data (b, NULL),
                                      (gssize) g_bytes_get_size (b), NULL));
}

static GError *
read_file (Reader      reader,
           const char *path)
{
  GError *error = NULL;

  switch (reader)
    {
    case READ_PICKLE:
      {
        g_autoptr(OvPickleValue) v = ov_pickle_load_file (path, &error);
        g_assert_true ((v == NULL) == (error != NULL));
        break;
      }
    case READ_CHECKPOINT:
      {
        g_autoptr(OvStateDict) sd = ov_state_dict_load (path, &error);
        g_assert_true ((sd == NULL) == (error != NULL));
        break;
      }
    case READ_CONFIG:
      {
        g_autofree char *dir = g_path_get_dirname (path);
        g_autoptr(OvModel) model = NULL;

        copy_fixture (dir, "vocab.txt");
        copy_fixture (dir, "pytorch_model.bin");
        model = ov_model_load (dir, NULL, &error);
        g_assert_true ((model == NULL) == (error != NULL));
        break;
      }
    case READ_ANSWERS:
      {
        g_autoptr(OvAnswerList) list = ov_answer_list_load (path, &error);
        g_assert_true ((list == NULL) == (error != NULL));
        break;
      }
    case READ_DATASET:
      {
        g_autoptr(OvDataset) ds = ov_dataset_open (path, NULL, &error);
        g_autoptr(OvSample) sample = NULL;

        if (ds == NULL)
          break;
        sample = ov_dataset_load_sample (ds, 0, NULL, NULL, NULL, &error);
        g_assert_true ((sample == NULL) == (error != NULL));
        break;
      }
    case READ_IMAGE:
      {
        g_autoptr(OvImage) image = ov_image_load (path, NULL, NULL, &error);
        g_assert_true ((image == NULL) == (error != NULL));
        break;
      }
    case READ_IMAGE_INFO:
      {
        g_autofree char *format = NULL;
        OvOrientation orientation;
        int w, h;
        gboolean ok = ov_image_read_info (path, &format, &w, &h, &orientation, &error);

        g_assert_true (ok == (error == NULL));
        break;
      }
    case READ_VOCAB:
      {
        g_autoptr(OvTokenizer) tok = ov_tokenizer_new_from_files (path, NULL, NULL, TRUE, &error);
        g_assert_true ((tok == NULL) == (error != NULL));
        break;
      }
    case READ_CLASS_NAMES:
      {
        g_autoptr(OvClassNames) names = ov_class_names_load (path, &error);
        g_assert_true ((names == NULL) == (error != NULL));
        break;
      }
    case READ_CBS_LIST:
    case READ_CBS_TREE:
    case READ_CBS_BOXES:
      {
        /* the first two get a good box file beside them */
        g_autofree char *dir = g_path_get_dirname (path);
        g_autofree char *boxes = g_build_filename (dir, "boxes.tsv", NULL);
        g_autoptr(OvCbsFiles) files = NULL;
        g_auto(GStrv) picked = NULL;

        g_assert_true (g_file_set_contents (boxes, "img1\t[]\n", -1, NULL));
        files = ov_cbs_files_load (reader == READ_CBS_BOXES ? path : boxes,
                                   reader == READ_CBS_LIST ? path : NULL, NULL,
                                   reader == READ_CBS_TREE ? path : NULL, &error);

        g_assert_true ((files == NULL) == (error != NULL));
        if (files != NULL)
          {
            picked = ov_cbs_files_pick (files, "img1", &error);
            g_assert_true ((picked == NULL) == (error != NULL));
          }
        break;
      }
    default:
      g_assert_not_reached ();
    }
  return error;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *dir = g_build_filename (tmp_dir, c->name, NULL);
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = c->make ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, c->reader == READ_CONFIG ? "config.json" : c->name, NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  error = read_file (c->reader, path);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", c->name, error->message);
  g_assert_true (error->domain == OV_ERROR);
  g_assert_cmpint (error->code, ==, c->code);
  if (c->says != NULL)
    g_assert_nonnull (strstr (error->message, c->says));
  /* the message names the file (or its folder, for a checkpoint; a dataset
   * file may name the file it refers to instead) */
  if (!g_str_has_prefix (c->name, "yaml-"))
    g_assert_nonnull (strstr (error->message, c->reader == READ_CONFIG ? dir : c->name));
}

/* Whole numbers written as floats (16.0, 3e0) are sizes, and absent keys
 * take the defaults: the fixture loads. */
static void
test_config_whole_numbers (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "config-whole-numbers", NULL);
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  g_autoptr(GBytes) config = fixture ("tests", "fixtures", "pretrain_tiny", "config.json", NULL);
  g_autofree char *orig = g_strndup (g_bytes_get_data (config, NULL), g_bytes_get_size (config));
  g_auto(GStrv) parts = g_strsplit (orig, "\"hidden_size\": 16,", 2);
  g_autofree char *changed = NULL;
  g_autoptr(OvModel) model = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  changed = g_strconcat (parts[0], "\"hidden_size\": 16.0, \"cls_hidden_scale\": 3e0,",
                         parts[1], NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, changed, -1, NULL));
  copy_fixture (dir, "vocab.txt");
  copy_fixture (dir, "pytorch_model.bin");
  model = ov_model_load (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ov_model_get_config (model)->hidden_size, ==, 16);
  g_assert_cmpint (ov_model_get_config (model)->cls_hidden_scale, ==, 3);
  g_assert_cmpint (ov_model_get_config (model)->type_vocab_size, ==, 2);
}

/* A JPEG can claim at most 65535 x 65535; 5 kB of data cannot hold
 * 65500 x 65500 pixels (half a bit an 8 x 8 block would take 33 MB), so
 * the header lies, or the file is cut far short: refused, by the decoder
 * and by the header reader that sizes a sample's boxes alike, rather than
 * decoded at 1/8 size into 256 MiB of blank picture. */
static void
test_jpeg_lies (void)
{
  g_autoptr(GBytes) bytes = make_jpeg_huge ();
  g_autoptr(GError) error = NULL;
  g_autoptr(OvImage) image = ov_image_load_from_data (g_bytes_get_data (bytes, NULL),
                                                      g_bytes_get_size (bytes),
                                                      "image-jpeg-65500.jpg", NULL, NULL,
                                                      &error);

  g_assert_null (image);
  g_assert_error (error, OV_ERROR, OV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "image-jpeg-65500.jpg: the JPEG header says "
                                            "65500×65500 pixels, more than its"));
  g_test_message ("%s", error->message);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      GDir *d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      if (d != NULL)
        g_dir_close (d);
      g_rmdir (path);
    }
  else
    g_remove (path);
}

int
main (int   argc,
      char *argv[])
{
  int ret;
#ifndef OV_ASAN
  /* A small file must never make a reader take gigabytes. */
  struct rlimit lim = { (rlim_t) 2 << 30, (rlim_t) 2 << 30 };
  setrlimit (RLIMIT_AS, &lim);
#endif

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("ov-bad-input-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strconcat ("/bad-input/", cases[i].name, NULL);
      g_test_add_data_func (name, &cases[i], test_case);
    }
  g_test_add_func ("/bad-input/image-jpeg-65500", test_jpeg_lies);
  g_test_add_func ("/bad-input/config-whole-numbers", test_config_whole_numbers);
  ret = g_test_run ();
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
