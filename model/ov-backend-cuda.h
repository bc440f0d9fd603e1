/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The CUDA backend's entry points beside the backend table. They exist in
 * every build; without the CUDA toolkit, ov_backend_cuda_new fails with
 * OV_ERROR_DEVICE and the others say that the backend was not built.
 */
#pragma once

#include "ov-backend-private.h"
#include "ov-device.h"
#include "ov-model.h"

G_BEGIN_DECLS

/* A backend on CUDA device `device` (cuBLASLt for the matrix products, the
 * bias added in the product's kernel; cuBLAS and a bias kernel where
 * cuBLASLt cannot be had, or with OV_CUDA_LT=0 in the environment; our
 * kernels for the rest). EXACT keeps fp32 products (no TF32); FAST lets
 * cuBLAS use TF32 tensor cores in products of 32 rows or more (encoding,
 * the embedding pass), while a decoding step's few-row products, bound by
 * memory, stay fp32. NULL with OV_ERROR_DEVICE when no device answers.
 * Free with ov_backend_free. The environment variable
 * OV_CUDA_WEIGHT_LIMIT_MB (MiB, fractions allowed) caps the memory its
 * weights may take, so that running out of device memory can be tested. */
OvBackend *ov_backend_cuda_new      (int device, OvPrecision precision, GError **error);
/* e.g. "CUDA: NVIDIA H200 (device 0, exact; cuBLASLt; graphs)". */
char      *ov_backend_cuda_describe (const OvBackend *be);
/* What the backend has done so far, for the tests and the benchmark: what
 * its description says is switched on, this says what ran. */
typedef struct {
  guint64 lt_products;     /* products made through cuBLASLt */
  guint64 plain_products;  /* through cuBLAS, each with a bias kernel when it has a bias */
  guint64 lt_refused;      /* product shapes cuBLASLt had no algorithm for, or refused */
  guint64 graphs_recorded;
  guint64 graphs_failed;   /* recordings that failed (their operations then ran one by one) */
  guint64 graph_launches;
  guint64 weight_bytes;    /* held by the weights on the device */
} OvCudaStats;

void       _ov_backend_cuda_get_stats (const OvBackend *be, OvCudaStats *stats);

/* Fills the CUDA part of a device report (ov-device.c). */
void       _ov_backend_cuda_probe   (OvDeviceReport *report);

G_END_DECLS
