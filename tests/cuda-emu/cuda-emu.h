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

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

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
