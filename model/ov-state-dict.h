/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A state dict: named tensors read from a PyTorch file (zip or legacy pickle
 * stream, through a restricted unpickler that never runs pickled code) or a
 * safetensors file. Tensor data is mapped from the file where the layout
 * allows, so a tensor's data pointer lives as long as the OvStateDict.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OV_DTYPE_F32,
  OV_DTYPE_F16,
  OV_DTYPE_BF16,
  OV_DTYPE_F64,
  OV_DTYPE_I64,
  OV_DTYPE_I32,
  OV_DTYPE_I16,
  OV_DTYPE_I8,
  OV_DTYPE_U8,
  OV_DTYPE_BOOL,
} OvDType;

#define OV_TENSOR_MAX_DIMS 8

typedef struct {
  char        *name;                      /* after renames (gamma->weight, module. stripped) */
  OvDType      dtype;
  int          n_dims;
  gint64       shape[OV_TENSOR_MAX_DIMS];  /* C order; strides are always contiguous */
  gint64       n_elements;
  const void  *data;                      /* little-endian, n_elements * element size bytes */
  const char  *storage_key;               /* tensors with the same key share storage (tied) */
  gint64       storage_offset;            /* in elements, into that storage */
} OvTensor;

typedef enum {
  OV_STATE_DICT_FORMAT_TORCH_ZIP,
  OV_STATE_DICT_FORMAT_TORCH_LEGACY,
  OV_STATE_DICT_FORMAT_SAFETENSORS,
} OvStateDictFormat;

typedef struct _OvStateDict OvStateDict;

gsize         ov_dtype_size             (OvDType dtype);
const char   *ov_dtype_name             (OvDType dtype);

/* Detects the container by its magic bytes (PK\3\4, \x80\x02, or a safetensors
 * header). Dict keys that are integers (as in Oscar's .pt feature files) are
 * turned into their decimal strings. Names lose a leading "module." and old
 * ".gamma"/".beta" suffixes become ".weight"/".bias". A dict without tensors
 * but with a "state_dict", "model" or "module" dict is read through that;
 * other non-tensor entries are skipped. Tensor data points into the mapped
 * file when it is stored uncompressed and aligned; compressed zip members,
 * unaligned storages and strided views are copied (C order). Tensors that
 * share a storage share its data. Errors: OV_ERROR_IO, _FORMAT, _TRUNCATED,
 * _FORBIDDEN (a pickle names a global outside the allowed list), _MISSING,
 * _UNSUPPORTED, _LIMIT; messages name the file and the tensor. */
OvStateDict  *ov_state_dict_load        (const char     *path,
                                         GError        **error);

typedef enum {
  OV_STATE_DICT_MAP          = 0,
  /* Copy the file into anonymous memory first (a memfd, filled by the
   * kernel) and map that: a weights file truncated or rewritten in place
   * while the state dict is open cannot make a mapped page vanish (SIGBUS).
   * Costs memory for the whole file; for long-lived processes (the window). */
  OV_STATE_DICT_PRIVATE_COPY = 1 << 0,
} OvStateDictFlags;

OvStateDict  *ov_state_dict_load_full   (const char      *path,
                                         OvStateDictFlags flags,
                                         GError         **error);
void          ov_state_dict_free        (OvStateDict    *sd);
OvStateDictFormat ov_state_dict_get_format (OvStateDict *sd);
const char   *ov_state_dict_get_path    (OvStateDict    *sd);
guint         ov_state_dict_get_n_tensors (OvStateDict  *sd);
/* In file order. */
const OvTensor *ov_state_dict_get_nth   (OvStateDict    *sd,
                                         guint           i);
const OvTensor *ov_state_dict_lookup    (OvStateDict    *sd,
                                         const char     *name);
/* Bytes of tensor data that were mapped rather than copied. */
gsize         ov_state_dict_get_mapped_bytes (OvStateDict *sd);

/* Converts any dtype (fp16 and bf16 exactly, f64 and integers rounded to
 * nearest) to a newly allocated float32 array that the caller frees through
 * *owned, or returns the tensor's own data when it already is float32 (then
 * *owned is NULL). NULL only when out of memory. */
const float  *ov_tensor_as_f32          (const OvTensor *t,
                                         float         **owned);

/* Writes tensors as safetensors (header in the given order, data 8-byte
 * aligned after the header and packed without gaps) through a temporary file
 * in the same folder and a rename. Any dtype is accepted; names must be
 * unique. */
typedef struct {
  const char  *name;
  OvDType      dtype;   /* F32, I64 or I32 */
  int          n_dims;
  gint64       shape[OV_TENSOR_MAX_DIMS];
  const void  *data;
} OvTensorView;

gboolean      ov_safetensors_write      (const char        *path,
                                         const OvTensorView *tensors,
                                         guint              n_tensors,
                                         GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvStateDict, ov_state_dict_free)

G_END_DECLS
