/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The CUDA emulator's inside, shared by its runtime (cuda-emu.c), its cuBLAS
 * (cublas-emu.c) and the kernels compiled for it (cuda-emu-device.h). See
 * cuda-emu.c for what it is for and what it cannot show.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cublas_api.h>
#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the emulated device has been asked to do since the program started:
 * the work a real device would queue (kernel launches, cuBLAS and cuBLASLt
 * products, copies), and the calls that make the host wait for it. */
typedef struct {
  uint64_t kernels;      /* launches that ran */
  uint64_t products;     /* matrix products (cublas-emu.c, cublaslt-emu.c) */
  uint64_t copies;       /* cudaMemcpy and cudaMemcpyAsync calls that copied */
  uint64_t host_waits;   /* stream synchronisations and cudaMemcpy calls */
  uint64_t allocations;  /* cudaMalloc and cudaMallocAsync calls that succeeded */
  uint64_t recorded;     /* nodes recorded by stream capture */
  uint64_t graph_launches; /* cudaGraphLaunch calls */
  uint64_t replayed;     /* kernels, products and copies run by those */
} OvEmuCounts;

void         ov_emu_get_counts      (OvEmuCounts *counts);
/* Counts one matrix product (the emulated cuBLAS libraries call it). */
void         ov_emu_count_product   (void);

/* The emulated cuBLAS's product (cublas-emu.c), which the emulated
 * cuBLASLt makes too: column-major C (M, N) = alpha op(A) op(B) + beta C,
 * checked as cuBLAS checks it, every matrix wholly in device memory; with
 * tf32 the inputs are rounded to TF32 first; with check_only, the checks
 * alone. what names the call in the messages. */
cublasStatus_t ov_emu_gemm          (const char *what, int transposed_a, int transposed_b,
                                     int m, int n, int k, float alpha, const float *a, int lda,
                                     const float *b, int ldb, float beta, float *c, int ldc,
                                     int tf32, int check_only);

/* Stream capture (cudaStreamBeginCapture ... cudaStreamEndCapture): while
 * a stream is captured, work queued on it is recorded as a node of the
 * graph instead of running. */
int          ov_emu_capturing       (cudaStream_t s);
/* When s is captured: records run (data), to be called at each launch of
 * the graph (returning nonzero when it worked), and returns 1; destroy
 * frees data with the graph. Otherwise returns 0 and the caller runs the
 * work itself. */
int          ov_emu_capture_node    (cudaStream_t s, const char *what, int (*run) (void *),
                                     void *data, void (*destroy) (void *));
/* A call a captured stream cannot take: says why, spoils the capture
 * (cudaStreamEndCapture then fails) and returns
 * cudaErrorStreamCaptureUnsupported for the caller to return. */
cudaError_t  ov_emu_capture_refuse  (cudaStream_t s, const char *what, const char *why);

/* Whether [p, p + n_bytes) lies inside one live device allocation. */
int          ov_emu_is_device       (const void *p, size_t n_bytes);
/* Whether s is the default stream or a live one. */
int          ov_emu_is_stream       (cudaStream_t s);
/* Records err as this host thread's last error (what cudaGetLastError
 * returns and clears) and says why on stderr, naming the kernel or call. */
void         ov_emu_fail            (cudaError_t err, const char *what, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Says why on stderr, naming the call, and leaves the last error alone (as
 * cuBLAS's failures do). */
void         ov_emu_report          (const char *what, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Checks a pointer argument of a kernel: NULL or device memory. */
int          ov_emu_check_arg       (const char *kernel, int index, const void *p);

/* Runs the grid block after block; in each block every thread runs
 * body (closure) as its own coroutine, switched at barriers and shuffles.
 * static_shared (static_size bytes) holds the program's __shared__
 * variables, poisoned like the dynamic shared memory at each block. */
cudaError_t  ov_emu_launch          (const char *kernel, dim3 grid, dim3 block, size_t shared,
                                     cudaStream_t stream, void (*body) (void *),
                                     void *closure, void *static_shared,
                                     size_t static_size);

/* What the kernel reads as threadIdx, blockIdx, blockDim and gridDim. */
extern uint3 ov_emu_thread_idx;
extern uint3 ov_emu_block_idx;
extern dim3  ov_emu_block_dim;
extern dim3  ov_emu_grid_dim;

/* __syncthreads: waits for every thread of the block that has not returned. */
void         ov_emu_sync_threads    (void);
/* __shfl_xor_sync over 64-bit payloads: the value of lane ^ lane_mask. */
uint64_t     ov_emu_shfl_xor        (unsigned mask, uint64_t bits, int lane_mask);
/* The block's dynamic shared memory (extern __shared__), poisoned at the
 * start of each block. */
void        *ov_emu_dynamic_shared  (void);

#ifdef __cplusplus
}
#endif
