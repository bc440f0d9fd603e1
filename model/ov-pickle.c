/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A pickle reader for protocols 0-5 that only builds data: numbers, strings,
 * lists, dicts and a short list of known globals (OrderedDict, torch tensors
 * and storages, argparse.Namespace, torch.device). Any other global is refused
 * by name. Every length is checked against the bytes left before it is used.
 */
#define G_LOG_DOMAIN "ov-pickle"

#include "ov-pickle-private.h"

#include <errno.h>
#include <string.h>

#include "ov-error.h"
#include "ov-i18n.h"

struct _OvPickleArena {
  GPtrArray *values;   /* every value made while parsing, freed together */
};

typedef struct {
  const guint8  *start;
  const guint8  *p;
  const guint8  *end;
  const char    *what;
  OvPickleArena *arena;
  GPtrArray     *stack;   /* OvPickleValue*, borrowed from the arena */
  GArray        *marks;   /* guint: stack length at each MARK */
  GHashTable    *memo;    /* index -> OvPickleValue* */
  GError       **error;
} Parser;

/* Values a pickle may make before we call it a denial of service. Each costs
 * about 250 bytes (an empty list: the value and its GPtrArray) for one byte of
 * file, so 2^20 keeps any pickle under ~256 MiB; a BERT-large state dict needs
 * ~10^4 values and the largest answer lists ~10^5. */
#define OV_PICKLE_MAX_VALUES (G_GINT64_CONSTANT (1) << 20)

static void
value_clear (OvPickleValue *v)
{
  g_free (v->str);
  g_free (v->location);
  if (v->big)
    g_byte_array_unref (v->big);
  if (v->items)
    g_ptr_array_unref (v->items);
  if (v->keys)
    g_ptr_array_unref (v->keys);
  if (v->index)
    g_hash_table_unref (v->index);
  g_free (v);
}

static void
arena_free (OvPickleArena *arena)
{
  for (guint i = 0; i < arena->values->len; i++)
    value_clear (g_ptr_array_index (arena->values, i));
  g_ptr_array_unref (arena->values);
  g_free (arena);
}

void
ov_pickle_value_free (OvPickleValue *v)
{
  /* Only the root owns the arena; inner values go with it. */
  if (v != NULL && v->arena != NULL)
    arena_free (v->arena);
}

static gboolean G_GNUC_PRINTF (3, 4)
fail (Parser     *P,
      int         code,
      const char *format,
      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  if (P->error != NULL && *P->error != NULL)
    return FALSE;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (P->error, OV_ERROR, code, _ ("%s: pickle byte %zu: %s"),
               P->what, (gsize) (P->p - P->start), msg);
  return FALSE;
}

/* Longest text from a pickle that an error message quotes, in bytes */
#define EXCERPT_MAX 40

/* s, or its first EXCERPT_MAX bytes (not splitting a UTF-8 sequence) and
 * "…": a line of a protocol 0 pickle may be megabytes long. */
static char *
excerpt (const char *s)
{
  gsize n = strlen (s);

  if (n <= EXCERPT_MAX)
    return g_strdup (s);
  n = EXCERPT_MAX;
  while (n > 0 && ((guchar) s[n] & 0xc0) == 0x80)
    n--;
  return g_strdup_printf ("%.*s…", (int) n, s);
}

static OvPickleValue *
new_value (Parser      *P,
           OvPickleKind kind)
{
  OvPickleValue *v;

  if (P->arena->values->len >= OV_PICKLE_MAX_VALUES)
    {
      fail (P, OV_ERROR_LIMIT, _ ("more than %" PRId64 " values"), OV_PICKLE_MAX_VALUES);
      return NULL;
    }
  v = g_new0 (OvPickleValue, 1);
  v->kind = kind;
  if (kind == OV_PICKLE_LIST || kind == OV_PICKLE_DICT || kind == OV_PICKLE_OBJECT)
    v->items = g_ptr_array_new ();
  if (kind == OV_PICKLE_DICT)
    {
      v->keys = g_ptr_array_new_with_free_func (g_free);
      v->index = g_hash_table_new (g_str_hash, g_str_equal);
    }
  g_ptr_array_add (P->arena->values, v);
  return v;
}

static const char *
kind_name (OvPickleKind kind)
{
  switch (kind)
    {
    case OV_PICKLE_NONE: return "None";
    case OV_PICKLE_BOOL: return "bool";
    case OV_PICKLE_INT: return "int";
    case OV_PICKLE_FLOAT: return "float";
    case OV_PICKLE_STRING: return "str";
    case OV_PICKLE_BYTES: return "bytes";
    case OV_PICKLE_LIST: return "list/tuple";
    case OV_PICKLE_DICT: return "dict";
    case OV_PICKLE_OBJECT: return "object";
    case OV_PICKLE_TENSOR: return "tensor";
    case OV_PICKLE_GLOBAL: return "global";
    case OV_PICKLE_STORAGE: return "storage";
    default: return "?";
    }
}

/* ---- reading raw bytes ---- */

static gboolean
need (Parser *P,
      guint64 n)
{
  if ((guint64) (P->end - P->p) < n)
    return fail (P, OV_ERROR_TRUNCATED,
                 _ ("needs %" PRIu64 " more bytes, %zu left"), n, (gsize) (P->end - P->p));
  return TRUE;
}

static guint64
read_le (Parser *P,
         int     n)
{
  guint64 x = 0;

  for (int i = n - 1; i >= 0; i--)
    x = (x << 8) | P->p[i];
  P->p += n;
  return x;
}

/* A text line up to '\n' (protocol 0 arguments), without the newline. */
static char *
read_line (Parser *P)
{
  const guint8 *nl = memchr (P->p, '\n', P->end - P->p);
  char *line;

  if (nl == NULL)
    {
      fail (P, OV_ERROR_TRUNCATED, _ ("a text argument has no end of line"));
      return NULL;
    }
  line = g_strndup ((const char *) P->p, nl - P->p);
  P->p = nl + 1;
  return line;
}

/* ---- the stack ---- */

static gboolean
push (Parser        *P,
      OvPickleValue *v)
{
  if (v == NULL)
    return FALSE;
  g_ptr_array_add (P->stack, v);
  return TRUE;
}

/* The value on top of the stack, above the last MARK; NULL, failed, when
 * there is none. */
static OvPickleValue *
top (Parser *P)
{
  guint floor = P->marks->len > 0 ? g_array_index (P->marks, guint, P->marks->len - 1) : 0;

  if (P->stack->len <= floor)
    {
      fail (P, OV_ERROR_FORMAT, _ ("stack underflow"));
      return NULL;
    }
  return g_ptr_array_index (P->stack, P->stack->len - 1);
}

/* Takes the value on top of the stack off it (see top ()). */
static OvPickleValue *
pop (Parser *P)
{
  if (top (P) == NULL)
    return NULL;
  return g_ptr_array_steal_index (P->stack, P->stack->len - 1);
}

/* Pops everything above the last MARK into a new LIST. */
static OvPickleValue *
pop_mark (Parser *P)
{
  OvPickleValue *list;
  guint mark;

  if (P->marks->len == 0)
    {
      fail (P, OV_ERROR_FORMAT, _ ("no MARK on the stack"));
      return NULL;
    }
  mark = g_array_index (P->marks, guint, P->marks->len - 1);
  g_array_set_size (P->marks, P->marks->len - 1);
  list = new_value (P, OV_PICKLE_LIST);
  if (list == NULL)
    return NULL;
  for (guint i = mark; i < P->stack->len; i++)
    g_ptr_array_add (list->items, g_ptr_array_index (P->stack, i));
  g_ptr_array_set_size (P->stack, mark);
  return list;
}

static OvPickleValue *
make_tuple (Parser *P,
            int     n)
{
  OvPickleValue *t = new_value (P, OV_PICKLE_LIST);

  if (t == NULL)
    return NULL;
  g_ptr_array_set_size (t->items, n);
  for (int i = n - 1; i >= 0; i--)
    {
      OvPickleValue *x = pop (P);
      if (x == NULL)
        return NULL;
      t->items->pdata[i] = x;
    }
  return t;
}

/* ---- values ---- */

static OvPickleValue *
make_int (Parser *P,
          gint64  x)
{
  OvPickleValue *v = new_value (P, OV_PICKLE_INT);

  if (v != NULL)
    v->i = x;
  return v;
}

static OvPickleValue *
make_bool (Parser  *P,
           gboolean x)
{
  OvPickleValue *v = new_value (P, OV_PICKLE_BOOL);

  if (v != NULL)
    v->i = x ? 1 : 0;
  return v;
}

/* Valid UTF-8, where (unlike g_utf8_validate_len) U+0000 is allowed: Python
 * strings may hold it. */
static gboolean
utf8_ok (const guint8 *s,
         gsize         n)
{
  while (n > 0)
    {
      const guint8 *nul = memchr (s, '\0', n);
      gsize seg = nul != NULL ? (gsize) (nul - s) : n;
      if (!g_utf8_validate_len ((const char *) s, seg, NULL))
        return FALSE;
      if (nul == NULL)
        break;
      s += seg + 1;
      n -= seg + 1;
    }
  return TRUE;
}

/* A value of kind (str or bytes) holding a copy of the n bytes at s, with a
 * NUL after them. */
static OvPickleValue *
make_string_kind (Parser       *P,
                  OvPickleKind  kind,
                  const guint8 *s,
                  gsize         n)
{
  OvPickleValue *v = new_value (P, kind);

  if (v == NULL)
    return NULL;
  v->str = g_malloc (n + 1);
  if (n > 0)  /* s may be NULL when n is 0 (an empty GByteArray) */
    memcpy (v->str, s, n);
  v->str[n] = '\0';
  v->len = n;
  return v;
}

/* Text (str) from UTF-8 bytes; refuses invalid UTF-8. */
static OvPickleValue *
make_text (Parser       *P,
           const guint8 *s,
           gsize         n)
{
  if (!utf8_ok (s, n))
    {
      fail (P, OV_ERROR_FORMAT, _ ("a string is not valid UTF-8"));
      return NULL;
    }
  return make_string_kind (P, OV_PICKLE_STRING, s, n);
}

static OvPickleValue *
make_bytes (Parser       *P,
            const guint8 *s,
            gsize         n)
{
  return make_string_kind (P, OV_PICKLE_BYTES, s, n);
}

/* LONG1/LONG4 payload: n bytes of little-endian two's complement. */
static OvPickleValue *
make_long (Parser       *P,
           const guint8 *s,
           gsize         n)
{
  OvPickleValue *v;
  gboolean negative = n > 0 && (s[n - 1] & 0x80);
  gsize used = n;

  /* Drop sign-extension bytes so that small values fit in 64 bits. */
  while (used > 1 && s[used - 1] == (negative ? 0xff : 0x00)
         && ((s[used - 2] & 0x80) != 0) == negative)
    used--;
  v = new_value (P, OV_PICKLE_INT);
  if (v == NULL)
    return NULL;
  if (used <= 8)
    {
      guint64 x = negative ? G_MAXUINT64 : 0;
      for (gsize i = 0; i < used; i++)
        {
          x &= ~((guint64) 0xff << (8 * i));
          x |= (guint64) s[i] << (8 * i);
        }
      v->i = (gint64) x;
    }
  else
    {
      v->big = g_byte_array_new ();
      g_byte_array_append (v->big, s, n);
    }
  return v;
}

/* The key of a dict item as text; ints become decimal strings. */
static char *
key_string (Parser        *P,
            OvPickleValue *k)
{
  if (k->kind == OV_PICKLE_STRING)
    return g_strdup (k->str);
  if (k->kind == OV_PICKLE_INT && k->big == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, k->i);
  fail (P, OV_ERROR_UNSUPPORTED, _ ("a dict key of kind %s is not supported"), kind_name (k->kind));
  return NULL;
}

static gboolean
dict_set (Parser        *P,
          OvPickleValue *dict,
          OvPickleValue *key,
          OvPickleValue *value)
{
  char *k;
  gpointer pos;

  if (dict->kind != OV_PICKLE_DICT)
    return fail (P, OV_ERROR_FORMAT, _ ("SETITEM on a %s"), kind_name (dict->kind));
  k = key_string (P, key);
  if (k == NULL)
    return FALSE;
  pos = g_hash_table_lookup (dict->index, k);
  if (pos != NULL)
    {
      /* Same key again: Python keeps the position and takes the new value. */
      dict->items->pdata[GPOINTER_TO_UINT (pos) - 1] = value;
      g_free (k);
      return TRUE;
    }
  g_ptr_array_add (dict->keys, k);
  g_ptr_array_add (dict->items, value);
  g_hash_table_insert (dict->index, k, GUINT_TO_POINTER (dict->items->len));
  return TRUE;
}

/* ---- globals ---- */

typedef enum {
  G_KIND_ORDERED_DICT,
  G_KIND_REBUILD_TENSOR_V2,
  G_KIND_REBUILD_TENSOR,
  G_KIND_REBUILD_PARAMETER,
  G_KIND_STORAGE_TYPE,
  G_KIND_DTYPE,
  G_KIND_NAMESPACE,
  G_KIND_DEVICE,
  G_KIND_SIZE,
  G_KIND_CODECS_ENCODE,
  G_KIND_SET,
  G_KIND_RECONSTRUCTOR,
  G_KIND_OBJECT,
} GlobalKind;

static const struct {
  const char *name;
  GlobalKind  kind;
  OvDType     dtype;
} allowed_globals[] = {
  { "collections.OrderedDict", G_KIND_ORDERED_DICT, 0 },
  { "torch._utils._rebuild_tensor_v2", G_KIND_REBUILD_TENSOR_V2, 0 },
  { "torch._utils._rebuild_tensor", G_KIND_REBUILD_TENSOR, 0 },
  { "torch._utils._rebuild_parameter", G_KIND_REBUILD_PARAMETER, 0 },
  { "torch.FloatStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_F32 },
  { "torch.HalfStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_F16 },
  { "torch.BFloat16Storage", G_KIND_STORAGE_TYPE, OV_DTYPE_BF16 },
  { "torch.DoubleStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_F64 },
  { "torch.LongStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_I64 },
  { "torch.IntStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_I32 },
  { "torch.ShortStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_I16 },
  { "torch.CharStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_I8 },
  { "torch.ByteStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_U8 },
  { "torch.BoolStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_BOOL },
  { "torch.UntypedStorage", G_KIND_STORAGE_TYPE, OV_DTYPE_U8 },
  { "torch.float32", G_KIND_DTYPE, OV_DTYPE_F32 },
  { "torch.float16", G_KIND_DTYPE, OV_DTYPE_F16 },
  { "torch.bfloat16", G_KIND_DTYPE, OV_DTYPE_BF16 },
  { "torch.float64", G_KIND_DTYPE, OV_DTYPE_F64 },
  { "torch.int64", G_KIND_DTYPE, OV_DTYPE_I64 },
  { "torch.int32", G_KIND_DTYPE, OV_DTYPE_I32 },
  { "torch.int16", G_KIND_DTYPE, OV_DTYPE_I16 },
  { "torch.int8", G_KIND_DTYPE, OV_DTYPE_I8 },
  { "torch.uint8", G_KIND_DTYPE, OV_DTYPE_U8 },
  { "torch.bool", G_KIND_DTYPE, OV_DTYPE_BOOL },
  { "argparse.Namespace", G_KIND_NAMESPACE, 0 },
  { "torch.device", G_KIND_DEVICE, 0 },
  { "torch.Size", G_KIND_SIZE, 0 },
  { "_codecs.encode", G_KIND_CODECS_ENCODE, 0 },
  { "builtins.set", G_KIND_SET, 0 },
  { "builtins.frozenset", G_KIND_SET, 0 },
  { "copyreg._reconstructor", G_KIND_RECONSTRUCTOR, 0 },
  { "builtins.object", G_KIND_OBJECT, 0 },
};

static int
find_global (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_globals); i++)
    if (strcmp (allowed_globals[i].name, name) == 0)
      return i;
  return -1;
}

static OvPickleValue *
make_global (Parser     *P,
             const char *module,
             const char *name)
{
  g_autofree char *full = NULL;
  OvPickleValue *v;
  int which;

  /* Python 2 spellings of the same modules. */
  if (strcmp (module, "__builtin__") == 0)
    module = "builtins";
  else if (strcmp (module, "copy_reg") == 0)
    module = "copyreg";
  full = g_strdup_printf ("%s.%s", module, name);
  which = find_global (full);
  if (which < 0)
    {
      g_autofree char *escaped = g_strescape (full, NULL);
      g_autofree char *shown = excerpt (escaped);
      fail (P, OV_ERROR_FORBIDDEN, _ ("refusing global \"%s\": only state dicts, "
                                      "argparse.Namespace and answer lists may be read"), shown);
      return NULL;
    }
  v = new_value (P, OV_PICKLE_GLOBAL);
  if (v == NULL)
    return NULL;
  v->str = g_steal_pointer (&full);
  v->len = strlen (v->str);
  v->dtype = allowed_globals[which].dtype;
  v->i = which;
  return v;
}

static gboolean
get_int (Parser        *P,
         OvPickleValue *v,
         const char    *what,
         gint64        *out)
{
  if (v == NULL || (v->kind != OV_PICKLE_INT && v->kind != OV_PICKLE_BOOL) || v->big != NULL)
    return fail (P, OV_ERROR_FORMAT, _ ("%s is not a (64-bit) int"), what);
  *out = v->i;
  return TRUE;
}

/* torch._utils._rebuild_tensor[_v2](storage, offset, size, stride, ...) */
static OvPickleValue *
rebuild_tensor (Parser        *P,
                OvPickleValue *args)
{
  OvPickleValue *t, *storage, *size, *stride;

  if (args->items->len < 4)
    {
      fail (P, OV_ERROR_FORMAT, _ ("_rebuild_tensor needs 4 arguments, got %u"), args->items->len);
      return NULL;
    }
  storage = args->items->pdata[0];
  size = args->items->pdata[2];
  stride = args->items->pdata[3];
  if (storage->kind != OV_PICKLE_STORAGE)
    {
      fail (P, OV_ERROR_FORMAT, _ ("a tensor's storage is a %s"), kind_name (storage->kind));
      return NULL;
    }
  if (size->kind != OV_PICKLE_LIST || stride->kind != OV_PICKLE_LIST
      || size->items->len != stride->items->len)
    {
      fail (P, OV_ERROR_FORMAT, _ ("a tensor's size and stride are not tuples of one length"));
      return NULL;
    }
  if (size->items->len > OV_TENSOR_MAX_DIMS)
    {
      fail (P, OV_ERROR_UNSUPPORTED, _ ("a tensor has %u dimensions (at most %d)"),
            size->items->len, OV_TENSOR_MAX_DIMS);
      return NULL;
    }
  t = new_value (P, OV_PICKLE_TENSOR);
  if (t == NULL)
    return NULL;
  t->storage = storage;
  t->dtype = storage->dtype;
  t->n_dims = size->items->len;
  if (!get_int (P, args->items->pdata[1], "a tensor's storage offset", &t->offset))
    return NULL;
  for (int d = 0; d < t->n_dims; d++)
    {
      if (!get_int (P, size->items->pdata[d], "a tensor size", &t->shape[d])
          || !get_int (P, stride->items->pdata[d], "a tensor stride", &t->stride[d]))
        return NULL;
      if (t->shape[d] < 0 || t->stride[d] < 0)
        {
          fail (P, OV_ERROR_FORMAT, _ ("a tensor has a negative size or stride"));
          return NULL;
        }
    }
  if (t->offset < 0)
    {
      fail (P, OV_ERROR_FORMAT, _ ("a tensor has a negative storage offset"));
      return NULL;
    }
  return t;
}

/* _codecs.encode(text, encoding): how protocol 2 writes bytes. */
static OvPickleValue *
codecs_encode (Parser        *P,
               OvPickleValue *args)
{
  OvPickleValue *text, *enc;
  GByteArray *out;
  OvPickleValue *v;

  if (args->items->len != 2)
    {
      fail (P, OV_ERROR_FORMAT, _ ("_codecs.encode needs 2 arguments"));
      return NULL;
    }
  text = args->items->pdata[0];
  enc = args->items->pdata[1];
  if (text->kind != OV_PICKLE_STRING || enc->kind != OV_PICKLE_STRING)
    {
      fail (P, OV_ERROR_FORMAT, _ ("_codecs.encode of non-strings"));
      return NULL;
    }
  if (g_ascii_strcasecmp (enc->str, "utf-8") == 0 || g_ascii_strcasecmp (enc->str, "utf8") == 0)
    return make_bytes (P, (const guint8 *) text->str, text->len);
  if (g_ascii_strcasecmp (enc->str, "latin1") != 0 && g_ascii_strcasecmp (enc->str, "latin-1") != 0)
    {
      g_autofree char *shown = excerpt (enc->str);

      fail (P, OV_ERROR_UNSUPPORTED,
            _ ("_codecs.encode to \"%s\" is not supported (only utf-8 and latin1)"), shown);
      return NULL;
    }
  out = g_byte_array_new ();
  for (const char *s = text->str; s < text->str + text->len; s = g_utf8_next_char (s))
    {
      gunichar c = g_utf8_get_char (s);
      guint8 b = (guint8) c;
      if (c > 0xff)
        {
          g_byte_array_unref (out);
          fail (P, OV_ERROR_FORMAT, _ ("_codecs.encode: a character beyond latin-1"));
          return NULL;
        }
      g_byte_array_append (out, &b, 1);
    }
  v = make_bytes (P, out->data, out->len);
  g_byte_array_unref (out);
  return v;
}

/* Applies an allowed global to a tuple of arguments (REDUCE, NEWOBJ, INST, OBJ). */
static OvPickleValue *
call_global (Parser        *P,
             OvPickleValue *callable,
             OvPickleValue *args)
{
  OvPickleValue *v;

  if (callable == NULL || args == NULL)
    return NULL;
  if (callable->kind != OV_PICKLE_GLOBAL)
    {
      fail (P, OV_ERROR_FORMAT, _ ("the pickle calls a %s, not a global"),
            kind_name (callable->kind));
      return NULL;
    }
  if (args->kind != OV_PICKLE_LIST)
    {
      fail (P, OV_ERROR_FORMAT, _ ("arguments of %s are a %s"), callable->str,
            kind_name (args->kind));
      return NULL;
    }

  switch (allowed_globals[callable->i].kind)
    {
    case G_KIND_ORDERED_DICT:
      v = new_value (P, OV_PICKLE_DICT);
      if (v == NULL)
        return NULL;
      if (args->items->len == 1
          && ((OvPickleValue *) args->items->pdata[0])->kind == OV_PICKLE_LIST)
        {
          OvPickleValue *pairs = args->items->pdata[0];
          for (guint i = 0; i < pairs->items->len; i++)
            {
              OvPickleValue *pair = pairs->items->pdata[i];
              if (pair->kind != OV_PICKLE_LIST || pair->items->len != 2)
                {
                  fail (P, OV_ERROR_FORMAT, _ ("OrderedDict item %u is not a pair"), i);
                  return NULL;
                }
              if (!dict_set (P, v, pair->items->pdata[0], pair->items->pdata[1]))
                return NULL;
            }
        }
      else if (args->items->len != 0)
        {
          fail (P, OV_ERROR_FORMAT, _ ("OrderedDict with unexpected arguments"));
          return NULL;
        }
      return v;

    case G_KIND_REBUILD_TENSOR_V2:
    case G_KIND_REBUILD_TENSOR:
      return rebuild_tensor (P, args);

    case G_KIND_REBUILD_PARAMETER:
      if (args->items->len < 1
          || ((OvPickleValue *) args->items->pdata[0])->kind != OV_PICKLE_TENSOR)
        {
          fail (P, OV_ERROR_FORMAT, _ ("_rebuild_parameter without a tensor"));
          return NULL;
        }
      return args->items->pdata[0];

    case G_KIND_NAMESPACE:
    case G_KIND_DEVICE:
      v = new_value (P, OV_PICKLE_OBJECT);
      if (v == NULL)
        return NULL;
      v->str = g_strdup (callable->str);
      v->len = strlen (v->str);
      g_ptr_array_extend (v->items, args->items, NULL, NULL);
      return v;

    case G_KIND_SIZE:
    case G_KIND_SET:
      v = new_value (P, OV_PICKLE_LIST);
      if (v == NULL)
        return NULL;
      v->unordered = allowed_globals[callable->i].kind == G_KIND_SET;
      if (args->items->len == 1
          && ((OvPickleValue *) args->items->pdata[0])->kind == OV_PICKLE_LIST)
        g_ptr_array_extend (v->items, ((OvPickleValue *) args->items->pdata[0])->items,
                            NULL, NULL);
      else if (args->items->len != 0)
        {
          fail (P, OV_ERROR_FORMAT, _ ("%s with unexpected arguments"), callable->str);
          return NULL;
        }
      return v;

    case G_KIND_CODECS_ENCODE:
      return codecs_encode (P, args);

    case G_KIND_RECONSTRUCTOR:
      {
        OvPickleValue *empty;
        if (args->items->len < 1)
          {
            fail (P, OV_ERROR_FORMAT, _ ("copyreg._reconstructor without a class"));
            return NULL;
          }
        empty = new_value (P, OV_PICKLE_LIST);
        if (empty == NULL)
          return NULL;
        return call_global (P, args->items->pdata[0], empty);
      }

    case G_KIND_STORAGE_TYPE:
    case G_KIND_DTYPE:
    case G_KIND_OBJECT:
    default:
      fail (P, OV_ERROR_UNSUPPORTED, _ ("%s cannot be called here"), callable->str);
      return NULL;
    }
}

/* BINPERSID: ('storage', StorageType, key, location, numel[, view]). */
static OvPickleValue *
persistent_load (Parser        *P,
                 OvPickleValue *pid)
{
  OvPickleValue *s, *tag, *type, *key, *loc;

  if (pid == NULL)
    return NULL;
  if (pid->kind != OV_PICKLE_LIST || pid->items->len < 5)
    {
      fail (P, OV_ERROR_FORMAT, _ ("a persistent id is not a storage tuple"));
      return NULL;
    }
  tag = pid->items->pdata[0];
  type = pid->items->pdata[1];
  key = pid->items->pdata[2];
  loc = pid->items->pdata[3];
  if (tag->kind != OV_PICKLE_STRING || strcmp (tag->str, "storage") != 0)
    {
      fail (P, OV_ERROR_UNSUPPORTED, _ ("a persistent id that is not a storage"));
      return NULL;
    }
  if (type->kind != OV_PICKLE_GLOBAL
      || allowed_globals[type->i].kind != G_KIND_STORAGE_TYPE)
    {
      fail (P, OV_ERROR_FORMAT, _ ("a storage whose type is not a torch storage class"));
      return NULL;
    }
  s = new_value (P, OV_PICKLE_STORAGE);
  if (s == NULL)
    return NULL;
  s->dtype = type->dtype;
  s->str = key_string (P, key);
  if (s->str == NULL)
    return NULL;
  s->len = strlen (s->str);
  s->location = loc->kind == OV_PICKLE_STRING ? g_strdup (loc->str) : g_strdup ("?");
  if (!get_int (P, pid->items->pdata[4], "a storage size", &s->numel))
    return NULL;
  if (s->numel < 0)
    {
      fail (P, OV_ERROR_FORMAT, _ ("a storage has a negative size"));
      return NULL;
    }
  /* Legacy views: (view_key, offset, size) into the root storage. */
  if (pid->items->len >= 6)
    {
      OvPickleValue *view = pid->items->pdata[5];
      if (view->kind == OV_PICKLE_LIST && view->items->len == 3)
        {
          gint64 size = 0;
          if (!get_int (P, view->items->pdata[1], "a view offset", &s->view_offset)
              || !get_int (P, view->items->pdata[2], "a view size", &size))
            return NULL;
          if (s->view_offset < 0 || size < 0 || s->view_offset > s->numel
              || size > s->numel - s->view_offset)
            {
              fail (P, OV_ERROR_FORMAT, _ ("a storage view lies outside its storage"));
              return NULL;
            }
        }
      else if (view->kind != OV_PICKLE_NONE)
        {
          fail (P, OV_ERROR_FORMAT, _ ("a storage view is not None or a triple"));
          return NULL;
        }
    }
  return s;
}

static gboolean
build (Parser *P)
{
  OvPickleValue *state = pop (P);
  OvPickleValue *obj = top (P);

  if (state == NULL || obj == NULL)
    return FALSE;
  /* (dict state, slot state) pairs: take whichever is a dict. */
  if (state->kind == OV_PICKLE_LIST && state->items->len == 2)
    {
      OvPickleValue *a = state->items->pdata[0], *b = state->items->pdata[1];
      state = a->kind == OV_PICKLE_DICT ? a : b;
    }
  switch (obj->kind)
    {
    case OV_PICKLE_OBJECT:
    case OV_PICKLE_DICT:
      if (state->kind != OV_PICKLE_DICT && state->kind != OV_PICKLE_NONE)
        return fail (P, OV_ERROR_FORMAT, _ ("BUILD with a %s state"), kind_name (state->kind));
      if (state->kind == OV_PICKLE_DICT)
        obj->state = state;
      return TRUE;
    case OV_PICKLE_TENSOR:
      return TRUE;   /* Python attributes of a tensor: none matter here */
    default:
      return fail (P, OV_ERROR_FORMAT, _ ("BUILD on a %s"), kind_name (obj->kind));
    }
}

static gboolean
memo_put (Parser        *P,
          guint64        idx,
          OvPickleValue *v)
{
  if (v == NULL)
    return FALSE;
  if (idx > G_MAXUINT32)
    return fail (P, OV_ERROR_LIMIT, _ ("memo index %" PRIu64 " is too large"), idx);
  g_hash_table_insert (P->memo, GUINT_TO_POINTER ((guint) idx), v);
  return TRUE;
}

static gboolean
memo_get (Parser *P,
          guint64 idx)
{
  OvPickleValue *v = NULL;

  if (idx <= G_MAXUINT32)
    v = g_hash_table_lookup (P->memo, GUINT_TO_POINTER ((guint) idx));
  if (v == NULL)
    return fail (P, OV_ERROR_FORMAT, _ ("memo entry %" PRIu64 " was never stored"), idx);
  return push (P, v);
}

/* Decodes the quoted Python literal of a protocol-0 STRING argument. */
static OvPickleValue *
text_string (Parser *P,
             char   *line)
{
  gsize n = strlen (line);
  GString *out;
  OvPickleValue *v;

  if (n < 2 || (line[0] != '\'' && line[0] != '"') || line[n - 1] != line[0])
    {
      fail (P, OV_ERROR_FORMAT, _ ("a STRING argument is not quoted"));
      return NULL;
    }
  out = g_string_new (NULL);
  for (gsize i = 1; i + 1 < n; i++)
    {
      char c = line[i];
      if (c != '\\')
        {
          g_string_append_c (out, c);
          continue;
        }
      if (i + 2 >= n)
        break;
      c = line[++i];
      switch (c)
        {
        case 'n': g_string_append_c (out, '\n'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case '\\': case '\'': case '"': g_string_append_c (out, c); break;
        case 'x':
          if (i + 3 < n && g_ascii_isxdigit (line[i + 1]) && g_ascii_isxdigit (line[i + 2]))
            {
              g_string_append_c (out, (char) (g_ascii_xdigit_value (line[i + 1]) * 16
                                              + g_ascii_xdigit_value (line[i + 2])));
              i += 2;
              break;
            }
          G_GNUC_FALLTHROUGH;
        default:
          g_string_free (out, TRUE);
          fail (P, OV_ERROR_UNSUPPORTED,
                _ ("escape \\%c in a STRING argument is not supported"), c);
          return NULL;
        }
    }
  if (utf8_ok ((const guint8 *) out->str, out->len))
    v = make_text (P, (const guint8 *) out->str, out->len);
  else
    v = make_bytes (P, (const guint8 *) out->str, out->len);
  g_string_free (out, TRUE);
  return v;
}

/* Decodes raw-unicode-escape (protocol-0 UNICODE): \uXXXX, \UXXXXXXXX,
 * every other byte is a latin-1 code point. */
static OvPickleValue *
text_unicode (Parser *P,
              char   *line)
{
  GString *out = g_string_new (NULL);
  OvPickleValue *v;

  for (const guint8 *s = (const guint8 *) line; *s != '\0'; s++)
    {
      gunichar c = *s;
      if (s[0] == '\\' && (s[1] == 'u' || s[1] == 'U'))
        {
          int digits = s[1] == 'u' ? 4 : 8;
          c = 0;
          for (int k = 0; k < digits; k++)
            {
              if (!g_ascii_isxdigit (s[2 + k]))
                {
                  g_string_free (out, TRUE);
                  fail (P, OV_ERROR_FORMAT, _ ("a bad \\u escape in a UNICODE argument"));
                  return NULL;
                }
              c = c * 16 + g_ascii_xdigit_value (s[2 + k]);
            }
          s += 1 + digits;
        }
      if (!g_unichar_validate (c))
        {
          g_string_free (out, TRUE);
          fail (P, OV_ERROR_FORMAT, _ ("an invalid code point in a UNICODE argument"));
          return NULL;
        }
      g_string_append_unichar (out, c);
    }
  v = make_text (P, (const guint8 *) out->str, out->len);
  g_string_free (out, TRUE);
  return v;
}

static gboolean
text_int (Parser     *P,
          const char *line,
          gboolean    is_long,
          gint64     *out)
{
  g_autofree char *shown = NULL;
  char *end = NULL;
  gboolean range;

  errno = 0;
  *out = g_ascii_strtoll (line, &end, 10);
  range = errno == ERANGE;
  if (is_long && end != NULL && *end == 'L')
    end++;
  if (end == line || *end != '\0')
    {
      shown = excerpt (line);
      return fail (P, OV_ERROR_FORMAT, _ ("\"%s\" is not an integer"), shown);
    }
  if (range)
    {
      shown = excerpt (line);
      return fail (P, OV_ERROR_LIMIT, _ ("integer %s does not fit in 64 bits"), shown);
    }
  return TRUE;
}

/* ---- the main loop ---- */

static OvPickleValue *
run (Parser *P)
{
  for (;;)
    {
      guint8 op;
      OvPickleValue *a, *b, *c;
      guint64 n;

      if (!need (P, 1))
        return NULL;
      op = *P->p++;

      switch (op)
        {
        case 0x80: /* PROTO */
          if (!need (P, 1))
            return NULL;
          if (*P->p > 5)
            {
              fail (P, OV_ERROR_UNSUPPORTED,
                    _ ("pickle protocol %d is not supported (0 to 5 are)"), *P->p);
              return NULL;
            }
          P->p++;
          break;
        case 0x95: /* FRAME: framing is only a hint, the opcodes follow */
          if (!need (P, 8))
            return NULL;
          n = read_le (P, 8);
          if (!need (P, n))
            return NULL;
          break;
        case '.': /* STOP */
          a = top (P);
          return a;
        case '(': /* MARK */
          g_array_append_val (P->marks, P->stack->len);
          break;
        case '0': /* POP */
          if (pop (P) == NULL)
            return NULL;
          break;
        case '1': /* POP_MARK */
          if (pop_mark (P) == NULL)
            return NULL;
          break;
        case '2': /* DUP */
          if (!push (P, top (P)))
            return NULL;
          break;

        /* numbers */
        case 'J': /* BININT */
          if (!need (P, 4) || !push (P, make_int (P, (gint32) (guint32) read_le (P, 4))))
            return NULL;
          break;
        case 'K': /* BININT1 */
          if (!need (P, 1) || !push (P, make_int (P, read_le (P, 1))))
            return NULL;
          break;
        case 'M': /* BININT2 */
          if (!need (P, 2) || !push (P, make_int (P, read_le (P, 2))))
            return NULL;
          break;
        case 0x8a: /* LONG1 */
        case 0x8b: /* LONG4 */
          if (!need (P, op == 0x8a ? 1 : 4))
            return NULL;
          n = read_le (P, op == 0x8a ? 1 : 4);
          if (op == 0x8b && (n & 0x80000000u))
            {
              fail (P, OV_ERROR_FORMAT, _ ("LONG4 with a negative length"));
              return NULL;
            }
          if (n > 1024)
            {
              fail (P, OV_ERROR_LIMIT,
                    _ ("an integer of %" PRIu64 " bytes is too long (at most 1024)"), n);
              return NULL;
            }
          if (!need (P, n) || !push (P, make_long (P, P->p, n)))
            return NULL;
          P->p += n;
          break;
        case 'G': /* BINFLOAT: big-endian double */
          {
            guint64 bits = 0;
            double d;
            if (!need (P, 8))
              return NULL;
            for (int k = 0; k < 8; k++)
              bits = (bits << 8) | *P->p++;
            memcpy (&d, &bits, sizeof d);
            a = new_value (P, OV_PICKLE_FLOAT);
            if (a == NULL)
              return NULL;
            a->f = d;
            push (P, a);
          }
          break;
        case 'I': /* INT (text) */
        case 'L': /* LONG (text) */
          {
            g_autofree char *line = read_line (P);
            gint64 x;
            if (line == NULL)
              return NULL;
            if (op == 'I' && (strcmp (line, "00") == 0 || strcmp (line, "01") == 0))
              {
                if (!push (P, make_bool (P, line[1] == '1')))
                  return NULL;
                break;
              }
            if (!text_int (P, line, op == 'L', &x) || !push (P, make_int (P, x)))
              return NULL;
          }
          break;
        case 'F': /* FLOAT (text) */
          {
            g_autofree char *line = read_line (P);
            char *end = NULL;
            if (line == NULL)
              return NULL;
            a = new_value (P, OV_PICKLE_FLOAT);
            if (a == NULL)
              return NULL;
            a->f = g_ascii_strtod (line, &end);
            if (end == line || *end != '\0')
              {
                g_autofree char *shown = excerpt (line);

                fail (P, OV_ERROR_FORMAT, _ ("\"%s\" is not a float"), shown);
                return NULL;
              }
            push (P, a);
          }
          break;
        case 'N': /* NONE */
          if (!push (P, new_value (P, OV_PICKLE_NONE)))
            return NULL;
          break;
        case 0x88: /* NEWTRUE */
        case 0x89: /* NEWFALSE */
          if (!push (P, make_bool (P, op == 0x88)))
            return NULL;
          break;

        /* strings and bytes */
        case 'X': /* BINUNICODE */
        case 0x8c: /* SHORT_BINUNICODE */
        case 0x8d: /* BINUNICODE8 */
        case 'T': /* BINSTRING */
        case 'U': /* SHORT_BINSTRING */
        case 'B': /* BINBYTES */
        case 'C': /* SHORT_BINBYTES */
        case 0x8e: /* BINBYTES8 */
        case 0x96: /* BYTEARRAY8 */
          {
            int width = (op == 0x8c || op == 'U' || op == 'C') ? 1
                        : (op == 0x8d || op == 0x8e || op == 0x96) ? 8 : 4;
            if (!need (P, width))
              return NULL;
            n = read_le (P, width);
            if (op == 'T' && (n & 0x80000000u))
              {
                fail (P, OV_ERROR_FORMAT, _ ("BINSTRING with a negative length"));
                return NULL;
              }
            if (!need (P, n))
              return NULL;
            if (op == 'X' || op == 0x8c || op == 0x8d)
              a = make_text (P, P->p, n);
            else if ((op == 'T' || op == 'U') && utf8_ok (P->p, n))
              a = make_text (P, P->p, n);
            else
              a = make_bytes (P, P->p, n);
            P->p += n;
            if (!push (P, a))
              return NULL;
          }
          break;
        case 'S': /* STRING (text) */
        case 'V': /* UNICODE (text) */
          {
            g_autofree char *line = read_line (P);
            if (line == NULL)
              return NULL;
            if (!push (P, op == 'S' ? text_string (P, line) : text_unicode (P, line)))
              return NULL;
          }
          break;

        /* containers */
        case ']': /* EMPTY_LIST */
        case ')': /* EMPTY_TUPLE */
          if (!push (P, new_value (P, OV_PICKLE_LIST)))
            return NULL;
          break;
        case 0x8f: /* EMPTY_SET */
          {
            OvPickleValue *set = new_value (P, OV_PICKLE_LIST);

            if (set != NULL)
              set->unordered = TRUE;
            if (!push (P, set))
              return NULL;
            break;
          }
        case '}': /* EMPTY_DICT */
          if (!push (P, new_value (P, OV_PICKLE_DICT)))
            return NULL;
          break;
        case 'l': /* LIST */
        case 't': /* TUPLE */
          if (!push (P, pop_mark (P)))
            return NULL;
          break;
        case 0x91: /* FROZENSET */
          {
            OvPickleValue *set = pop_mark (P);

            if (set != NULL)
              set->unordered = TRUE;
            if (!push (P, set))
              return NULL;
            break;
          }
        case 0x85: /* TUPLE1 */
        case 0x86: /* TUPLE2 */
        case 0x87: /* TUPLE3 */
          if (!push (P, make_tuple (P, op - 0x84)))
            return NULL;
          break;
        case 'd': /* DICT */
          a = pop_mark (P);
          if (a == NULL)
            return NULL;
          if (a->items->len % 2 != 0)
            {
              fail (P, OV_ERROR_FORMAT, _ ("DICT with an odd number of items"));
              return NULL;
            }
          b = new_value (P, OV_PICKLE_DICT);
          if (b == NULL)
            return NULL;
          for (guint k = 0; k < a->items->len; k += 2)
            if (!dict_set (P, b, a->items->pdata[k], a->items->pdata[k + 1]))
              return NULL;
          push (P, b);
          break;
        case 'a': /* APPEND */
          a = pop (P);
          b = top (P);
          if (a == NULL || b == NULL)
            return NULL;
          if (b->kind != OV_PICKLE_LIST)
            {
              fail (P, OV_ERROR_FORMAT, _ ("APPEND to a %s"), kind_name (b->kind));
              return NULL;
            }
          g_ptr_array_add (b->items, a);
          break;
        case 'e': /* APPENDS */
        case 0x90: /* ADDITEMS */
          a = pop_mark (P);
          b = top (P);
          if (a == NULL || b == NULL)
            return NULL;
          if (b->kind != OV_PICKLE_LIST)
            {
              fail (P, OV_ERROR_FORMAT, _ ("APPENDS to a %s"), kind_name (b->kind));
              return NULL;
            }
          g_ptr_array_extend (b->items, a->items, NULL, NULL);
          break;
        case 's': /* SETITEM */
          a = pop (P);
          b = pop (P);
          c = top (P);
          if (a == NULL || b == NULL || c == NULL || !dict_set (P, c, b, a))
            return NULL;
          break;
        case 'u': /* SETITEMS */
          a = pop_mark (P);
          c = top (P);
          if (a == NULL || c == NULL)
            return NULL;
          if (a->items->len % 2 != 0)
            {
              fail (P, OV_ERROR_FORMAT, _ ("SETITEMS with an odd number of items"));
              return NULL;
            }
          for (guint k = 0; k < a->items->len; k += 2)
            if (!dict_set (P, c, a->items->pdata[k], a->items->pdata[k + 1]))
              return NULL;
          break;

        /* memo */
        case 'q': /* BINPUT */
        case 'r': /* LONG_BINPUT */
          if (!need (P, op == 'q' ? 1 : 4))
            return NULL;
          n = read_le (P, op == 'q' ? 1 : 4);
          if (!memo_put (P, n, top (P)))
            return NULL;
          break;
        case 0x94: /* MEMOIZE */
          if (!memo_put (P, g_hash_table_size (P->memo), top (P)))
            return NULL;
          break;
        case 'h': /* BINGET */
        case 'j': /* LONG_BINGET */
          if (!need (P, op == 'h' ? 1 : 4))
            return NULL;
          if (!memo_get (P, read_le (P, op == 'h' ? 1 : 4)))
            return NULL;
          break;
        case 'p': /* PUT (text) */
        case 'g': /* GET (text) */
          {
            g_autofree char *line = read_line (P);
            gint64 x;
            if (line == NULL || !text_int (P, line, FALSE, &x))
              return NULL;
            if (x < 0)
              {
                fail (P, OV_ERROR_FORMAT, _ ("negative memo index"));
                return NULL;
              }
            if (op == 'p' ? !memo_put (P, x, top (P)) : !memo_get (P, x))
              return NULL;
          }
          break;

        /* globals and objects */
        case 'c': /* GLOBAL */
        case 'i': /* INST */
          {
            g_autofree char *module = read_line (P);
            g_autofree char *name = module != NULL ? read_line (P) : NULL;
            if (name == NULL)
              return NULL;
            a = make_global (P, module, name);
            if (a == NULL)
              return NULL;
            if (op == 'i')
              a = call_global (P, a, pop_mark (P));
            if (!push (P, a))
              return NULL;
          }
          break;
        case 0x93: /* STACK_GLOBAL */
          b = pop (P);
          a = pop (P);
          if (a == NULL || b == NULL)
            return NULL;
          if (a->kind != OV_PICKLE_STRING || b->kind != OV_PICKLE_STRING)
            {
              fail (P, OV_ERROR_FORMAT, _ ("STACK_GLOBAL of non-strings"));
              return NULL;
            }
          if (!push (P, make_global (P, a->str, b->str)))
            return NULL;
          break;
        case 'o': /* OBJ */
          a = pop_mark (P);
          if (a == NULL)
            return NULL;
          if (a->items->len < 1)
            {
              fail (P, OV_ERROR_FORMAT, _ ("OBJ without a class"));
              return NULL;
            }
          b = g_ptr_array_steal_index (a->items, 0);
          if (!push (P, call_global (P, b, a)))
            return NULL;
          break;
        case 'R': /* REDUCE */
        case 0x81: /* NEWOBJ */
          b = pop (P);
          a = pop (P);
          if (!push (P, call_global (P, a, b)))
            return NULL;
          break;
        case 0x92: /* NEWOBJ_EX */
          c = pop (P);
          b = pop (P);
          a = pop (P);
          if (c == NULL)
            return NULL;
          if (c->kind != OV_PICKLE_DICT || c->items->len != 0)
            {
              fail (P, OV_ERROR_UNSUPPORTED, _ ("NEWOBJ_EX with keyword arguments"));
              return NULL;
            }
          if (!push (P, call_global (P, a, b)))
            return NULL;
          break;
        case 'b': /* BUILD */
          if (!build (P))
            return NULL;
          break;
        case 'Q': /* BINPERSID */
          if (!push (P, persistent_load (P, pop (P))))
            return NULL;
          break;

        case 'P': /* PERSID (text) */
        case 0x82: case 0x83: case 0x84: /* EXT1/2/4 */
        case 0x97: case 0x98: /* NEXT_BUFFER, READONLY_BUFFER */
          P->p--;
          fail (P, OV_ERROR_UNSUPPORTED, _ ("opcode 0x%02x is not supported"), op);
          return NULL;
        default:
          P->p--;
          fail (P, OV_ERROR_FORMAT, _ ("unknown opcode 0x%02x"), op);
          return NULL;
        }
    }
}

OvPickleValue *
_ov_pickle_parse (const guint8 *data,
                  gsize         len,
                  const char   *what,
                  gsize        *consumed,
                  GError      **error)
{
  Parser P = { 0 };
  OvPickleValue *root;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  P.start = P.p = data;
  P.end = data + len;
  P.what = what != NULL ? what : "pickle";
  P.arena = g_new0 (OvPickleArena, 1);
  P.arena->values = g_ptr_array_new ();
  P.stack = g_ptr_array_new ();
  P.marks = g_array_new (FALSE, FALSE, sizeof (guint));
  P.memo = g_hash_table_new (g_direct_hash, g_direct_equal);
  P.error = error;

  root = run (&P);

  g_ptr_array_unref (P.stack);
  g_array_unref (P.marks);
  g_hash_table_unref (P.memo);
  if (root == NULL)
    {
      arena_free (P.arena);
      return NULL;
    }
  /* A root that is also inside another value still owns everything. */
  root->arena = P.arena;
  if (consumed != NULL)
    *consumed = P.p - P.start;
  return root;
}

GPtrArray *
_ov_pickle_all_values (const OvPickleValue *root)
{
  g_return_val_if_fail (root != NULL && root->arena != NULL, NULL);

  return root->arena->values;
}

gboolean
_ov_pickle_is_torch_legacy_magic (const OvPickleValue *v)
{
  /* 0x1950a86a20f9469cfc6c, little-endian. */
  static const guint8 magic[] = { 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

  return v != NULL && v->kind == OV_PICKLE_INT && v->big != NULL
         && v->big->len == sizeof magic && memcmp (v->big->data, magic, sizeof magic) == 0;
}

OvPickleValue *
ov_pickle_load_file (const char *path,
                     GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return _ov_torch_file_load_pickle (path, error);
}

/* ---- accessors ---- */

/* OBJECT values with a state answer item queries from it. */
static const OvPickleValue *
as_container (const OvPickleValue *v)
{
  if (v != NULL && v->kind == OV_PICKLE_OBJECT && v->state != NULL)
    return v->state;
  return v;
}

OvPickleKind
ov_pickle_value_kind (const OvPickleValue *v)
{
  return v != NULL ? v->kind : OV_PICKLE_NONE;
}

gboolean
ov_pickle_value_is_set (const OvPickleValue *v)
{
  return v != NULL && v->kind == OV_PICKLE_LIST && v->unordered;
}

gint64
ov_pickle_value_int (const OvPickleValue *v)
{
  if (v != NULL && (v->kind == OV_PICKLE_INT || v->kind == OV_PICKLE_BOOL) && v->big == NULL)
    return v->i;
  return 0;
}

double
ov_pickle_value_float (const OvPickleValue *v)
{
  if (v == NULL)
    return 0.0;
  if (v->kind == OV_PICKLE_FLOAT)
    return v->f;
  return (double) ov_pickle_value_int (v);
}

const char *
ov_pickle_value_string (const OvPickleValue *v)
{
  if (v != NULL && v->kind == OV_PICKLE_STRING)
    return v->str;
  return NULL;
}

const guint8 *
ov_pickle_value_bytes (const OvPickleValue *v,
                       gsize               *len)
{
  if (v != NULL && (v->kind == OV_PICKLE_BYTES || v->kind == OV_PICKLE_STRING))
    {
      if (len != NULL)
        *len = v->len;
      return (const guint8 *) v->str;
    }
  if (len != NULL)
    *len = 0;
  return NULL;
}

guint
ov_pickle_value_n_items (const OvPickleValue *v)
{
  v = as_container (v);
  if (v != NULL && v->items != NULL)
    return v->items->len;
  return 0;
}

const OvPickleValue *
ov_pickle_value_nth (const OvPickleValue *v,
                     guint                i)
{
  v = as_container (v);
  if (v != NULL && v->items != NULL && i < v->items->len)
    return v->items->pdata[i];
  return NULL;
}

const char *
ov_pickle_value_nth_key (const OvPickleValue *v,
                         guint                i)
{
  v = as_container (v);
  if (v != NULL && v->keys != NULL && i < v->keys->len)
    return v->keys->pdata[i];
  return NULL;
}

const OvPickleValue *
ov_pickle_value_lookup (const OvPickleValue *v,
                        const char          *key)
{
  gpointer pos;

  v = as_container (v);
  if (v == NULL || v->index == NULL || key == NULL)
    return NULL;
  pos = g_hash_table_lookup (v->index, key);
  return pos != NULL ? v->items->pdata[GPOINTER_TO_UINT (pos) - 1] : NULL;
}

const char *
ov_pickle_value_global (const OvPickleValue *v)
{
  if (v != NULL && (v->kind == OV_PICKLE_OBJECT || v->kind == OV_PICKLE_GLOBAL))
    return v->str;
  return NULL;
}
