/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * What model/ov-backend-cuda.cu needs from CUDA's device side when the host
 * compiler builds it for the emulator (cuda-emu.c): the qualifiers, the
 * thread and block indices, __syncthreads, __shfl_xor_sync, dynamic shared
 * memory, and OV_LAUNCH, which runs a kernel on the emulated device after
 * checking that each pointer it is given is device memory. __shared__
 * variables become static, gathered in one section: blocks run one after
 * another, so a block's threads share them and no two blocks meet, and the
 * emulator poisons the section at the start of each block, as a device's
 * shared memory starts with whatever was there.
 */
#pragma once

#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

#include <cuda_runtime_api.h>

#include "cuda-emu.h"

#undef __global__
#undef __device__
#undef __host__
#undef __shared__
#undef __forceinline__
#define __global__
#define __device__
#define __host__
#define __shared__ static __attribute__ ((section ("ov_emu_shared")))
#define __forceinline__ inline

#define threadIdx ov_emu_thread_idx
#define blockIdx  ov_emu_block_idx
#define blockDim  ov_emu_block_dim
#define gridDim   ov_emu_grid_dim

static inline void
__syncthreads (void)
{
  ov_emu_sync_threads ();
}

template <typename T> static inline T
__shfl_xor_sync (unsigned mask, T v, int lane_mask)
{
  static_assert (sizeof (T) <= sizeof (uint64_t) && std::is_trivially_copyable<T>::value,
                 "a shuffle moves up to 64 bits");
  uint64_t bits = 0;

  std::memcpy (&bits, &v, sizeof v);
  bits = ov_emu_shfl_xor (mask, bits, lane_mask);
  std::memcpy (&v, &bits, sizeof v);
  return v;
}

/* the linker's bounds of the __shared__ section; weak, for a program
 * whose kernels have none */
extern "C" char __start_ov_emu_shared[] __attribute__ ((weak));
extern "C" char __stop_ov_emu_shared[] __attribute__ ((weak));

#define OV_DYNAMIC_SHARED(type, name) type *name = (type *) ov_emu_dynamic_shared ()

/* A kernel with its launch configuration; called with the kernel's
 * arguments, it checks them and runs the grid. */
template <typename... P>
struct OvEmuLaunch
{
  void         (*kernel) (P...);
  const char    *name;
  dim3           grid, block;
  size_t         shared;
  cudaStream_t   stream;

  template <typename F> static void
  call (void *f)
  {
    (*static_cast<F *> (f)) ();
  }

  template <size_t... I> bool
  args_on_device (const std::tuple<P...> &args, std::index_sequence<I...>) const
  {
    bool ok = true;

    ((ok = ok && arg_on_device (std::get<I> (args), (int) I)), ...);
    return ok;
  }

  template <typename T> bool
  arg_on_device (const T &arg, int index) const
  {
    if constexpr (std::is_pointer<T>::value)
      return ov_emu_check_arg (name, index, (const void *) arg) != 0;
    else
      return true;
  }

  /* Checks the arguments and runs the grid; false when either failed. */
  bool
  run (const std::tuple<P...> &args) const
  {
    /* each thread gets its own copies of the arguments, as on a device */
    auto body = [&] () { std::apply (kernel, args); };

    if (!args_on_device (args, std::index_sequence_for<P...> ()))
      return false;
    return ov_emu_launch (name, grid, block, shared, stream, &call<decltype (body)>, &body,
                          __start_ov_emu_shared,
                          __start_ov_emu_shared != nullptr
                          ? (size_t) (__stop_ov_emu_shared - __start_ov_emu_shared) : 0)
           == cudaSuccess;
  }

  /* A launch recorded in a graph: the launcher and its arguments, kept
   * until the graph goes. */
  struct Recorded
  {
    OvEmuLaunch      launch;
    std::tuple<P...> args;

    static int
    replay (void *p)
    {
      const Recorded *r = static_cast<const Recorded *> (p);

      return r->launch.run (r->args) ? 1 : 0;
    }

    static void
    destroy (void *p)
    {
      delete static_cast<Recorded *> (p);
    }
  };

  /* the arguments convert at the call, as for a kernel (NULL included) */
  void
  operator() (P... arguments) const
  {
    std::tuple<P...> args (arguments...);

    if (ov_emu_capturing (stream))
      {
        /* checked now, and again at every launch of the graph */
        if (!args_on_device (args, std::index_sequence_for<P...> ()))
          return;
        ov_emu_capture_node (stream, name, &Recorded::replay, new Recorded { *this, args },
                             &Recorded::destroy);
        return;
      }
    run (args);
  }
};

template <typename... P> static inline OvEmuLaunch<P...>
ov_emu_launcher (void (*kernel) (P...), const char *name, dim3 grid, dim3 block,
                 size_t shared, cudaStream_t stream)
{
  return OvEmuLaunch<P...> { kernel, name, grid, block, shared, stream };
}

#define OV_LAUNCH(kernel, grid, block, shared, stream) \
  ov_emu_launcher (kernel, #kernel, (grid), (block), (shared), (stream))
