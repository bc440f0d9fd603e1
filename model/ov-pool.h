/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A small work-sharing thread pool for the CPU backend. The caller of
 * ov_pool_run() cuts its work into chunks and takes part itself; every
 * thread claims the next chunk from one atomic counter until none is left.
 * The caller then waits only for the chunks already claimed, never for a
 * thread that has not shown up: a worker that the system has descheduled
 * (another program on the core, the window redrawing) costs at most the
 * chunk it holds, where an OpenMP barrier waits for every thread of the
 * team. Results do not depend on which thread ran a chunk, as long as
 * chunks write disjoint outputs.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OvPool OvPool;

/* Runs chunk `chunk` of the work. `thread` is 0 for the caller of
 * ov_pool_run and 1..n_threads-1 for the workers, for per-thread scratch. */
typedef void (*OvPoolFunc) (gpointer data, int chunk, int thread);

/* n_threads counts the caller: n_threads - 1 workers are started (none for
 * n_threads <= 1). */
OvPool   *ov_pool_new          (int n_threads);
void      ov_pool_free         (OvPool *pool);
int       ov_pool_get_n_threads (const OvPool *pool);

/* Calls fn (data, c, thread) once for every c in 0..n_chunks-1, spread over
 * the caller and the workers, and returns when all have returned. When the
 * pool is already running work for another thread, or n_chunks is 1, the
 * chunks run on the calling thread alone. At most 2^20 - 1024 chunks. */
void      ov_pool_run          (OvPool    *pool,
                                int        n_chunks,
                                OvPoolFunc fn,
                                gpointer   data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvPool, ov_pool_free)

G_END_DECLS
