/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * What this build can compute on and what it finds on this machine: the CPU
 * backend's threads and BLAS, and whether the CUDA backend was built, which
 * devices answer, or why none does. `oscarviz devices` prints this, and
 * OV_DEVICE_AUTO decides with the same probe.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int      index;
  char    *name;
  int      major, minor;          /* compute capability */
  int      n_multiprocessors;
  guint64  total_memory;          /* bytes */
  guint64  free_memory;           /* bytes, 0 when it could not be read */
} OvCudaDeviceInfo;

typedef struct {
  int        cpu_threads;         /* threads the CPU backend uses by default */
  char      *blas_config;         /* OpenBLAS's build description */
  int        blas_threads;        /* OpenBLAS's own thread pool */
  const char *cpu_kernel;         /* the few-row product kernel: plain, fma, avx512 or avx512-16 */
  gboolean   cuda_built;          /* the CUDA backend is in this build */
  int        cuda_build_version;  /* toolkit at build time, 13000 = 13.0; 0 when not built */
  int        cuda_runtime_version;/* 0 when unknown */
  int        cuda_driver_version; /* 0 when no driver */
  GPtrArray *cuda_devices;        /* OvCudaDeviceInfo *, empty when none answers */
  char      *cuda_reason;         /* why no CUDA device can be used, or NULL */
} OvDeviceReport;

/* Probes the backends. Never fails: what is missing is said in the report. */
OvDeviceReport *ov_device_report_new  (void);
void            ov_device_report_free (OvDeviceReport *report);
/* A version number as CUDA writes it (12040) in words ("12.4"). */
char           *ov_cuda_version_string (int version);

/* OpenBLAS picks its kernels when it is loaded, before main(). Debian 12's
 * 0.3.21 does not know the newest x86 processors (Emerald Rapids, model 207,
 * among them) and then falls back to its generic SSE3 "Prescott" kernels,
 * three times slower than its AVX-512 ones. ov_blas_better_core() names the
 * core type to ask for instead ("SkylakeX" with AVX-512, "Haswell" with
 * AVX2 and FMA), or returns NULL when OpenBLAS chose something else, the
 * processor has neither, or OPENBLAS_CORETYPE is already set (a user who
 * sets it, even to Prescott, is obeyed). ov_blas_reexec_if_generic() sets
 * OPENBLAS_CORETYPE to that name and runs this program again with the same
 * arguments; it returns only when there is nothing to do or the exec
 * failed, and then the generic kernels are used. */
const char     *ov_blas_better_core       (void);
void            ov_blas_reexec_if_generic (char **argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvDeviceReport, ov_device_report_free)

G_END_DECLS
