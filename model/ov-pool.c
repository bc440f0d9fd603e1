/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The work-sharing pool of ov-pool.h.
 *
 * All of a job's scheduling state sits in one 64-bit word, the ticket:
 *
 *   bits 40..63  generation, one more for every job
 *   bits 20..39  number of chunks of the job
 *   bits  0..19  next chunk to hand out
 *
 * A thread claims a chunk with one fetch-and-add on the ticket and learns
 * from the value it got back which job the chunk belongs to, how many
 * chunks that job has and which one is now its own, with no window in
 * which another job could slip in between. A claim past the last chunk
 * does nothing; each thread makes at most one such claim a job, so the
 * chunk field never spills into the count.
 *
 * Workers that find no new job spin for a short while (a decoding step
 * starts a job every few tens of microseconds), then sleep on a condition
 * variable; the caller only takes the mutex to wake them when one is
 * asleep.
 */
#define G_LOG_DOMAIN "ov-pool"

#include <stdatomic.h>

#include "ov-pool.h"

#define TICKET_CHUNK_BITS 20
#define TICKET_CHUNK_MASK ((G_GUINT64_CONSTANT (1) << TICKET_CHUNK_BITS) - 1)
#define TICKET_GEN_SHIFT  (2 * TICKET_CHUNK_BITS)
#define MAX_CHUNKS        ((int) TICKET_CHUNK_MASK - 1024)
#define MAX_THREADS       256

/* How long an idle worker spins before it sleeps, and how long the caller
 * spins on chunks still running before it starts yielding its core. */
#define WORKER_SPIN_US    200
#define CALLER_SPIN_US    20

struct _OvPool
{
  int              n_threads;
  GThread        **threads;

  _Atomic guint64  ticket;
  _Atomic int      done;       /* chunks of the current job finished */
  _Atomic int      sleepers;   /* workers waiting on wake */
  _Atomic gboolean quit;

  /* The current job; written by the caller before the ticket is published. */
  OvPoolFunc       fn;
  gpointer         data;

  GMutex           run_lock;   /* one caller at a time */
  GMutex           sleep_lock;
  GCond            wake;
};

typedef struct
{
  OvPool *pool;
  int     index;
} Worker;

static inline guint32
ticket_gen (guint64 t)
{
  return (guint32) (t >> TICKET_GEN_SHIFT);
}

static inline int
ticket_total (guint64 t)
{
  return (int) ((t >> TICKET_CHUNK_BITS) & TICKET_CHUNK_MASK);
}

static inline int
ticket_chunk (guint64 t)
{
  return (int) (t & TICKET_CHUNK_MASK);
}

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__ ("yield");
#endif
}

/* Claims and runs chunks until the job of the ticket it meets is used up;
 * returns that job's generation. */
static guint32
work_on (OvPool *pool, int thread)
{
  for (;;)
    {
      guint64 t = atomic_fetch_add_explicit (&pool->ticket, 1, memory_order_acq_rel);

      if (ticket_chunk (t) >= ticket_total (t))
        return ticket_gen (t);
      /* The job cannot change before this chunk is counted done. */
      pool->fn (pool->data, ticket_chunk (t), thread);
      atomic_fetch_add_explicit (&pool->done, 1, memory_order_release);
    }
}

static gpointer
worker_main (gpointer user_data)
{
  Worker *self = user_data;
  OvPool *pool = self->pool;
  guint32 last = ticket_gen (atomic_load (&pool->ticket));

  while (!atomic_load_explicit (&pool->quit, memory_order_acquire))
    {
      gint64 spin_until = g_get_monotonic_time () + WORKER_SPIN_US;
      int spins = 0;

      while (ticket_gen (atomic_load_explicit (&pool->ticket, memory_order_acquire)) == last)
        {
          cpu_relax ();
          if (++spins % 256 != 0 || g_get_monotonic_time () < spin_until)
            continue;
          g_mutex_lock (&pool->sleep_lock);
          atomic_fetch_add (&pool->sleepers, 1);
          while (ticket_gen (atomic_load (&pool->ticket)) == last
                 && !atomic_load (&pool->quit))
            g_cond_wait (&pool->wake, &pool->sleep_lock);
          atomic_fetch_sub (&pool->sleepers, 1);
          g_mutex_unlock (&pool->sleep_lock);
          break;
        }
      last = work_on (pool, self->index);
    }
  g_free (self);
  return NULL;
}

OvPool *
ov_pool_new (int n_threads)
{
  OvPool *pool = g_new0 (OvPool, 1);

  pool->n_threads = CLAMP (n_threads, 1, MAX_THREADS);
  g_mutex_init (&pool->run_lock);
  g_mutex_init (&pool->sleep_lock);
  g_cond_init (&pool->wake);
  atomic_init (&pool->ticket, 0);
  atomic_init (&pool->done, 0);
  atomic_init (&pool->sleepers, 0);
  atomic_init (&pool->quit, FALSE);
  pool->threads = g_new0 (GThread *, pool->n_threads);
  for (int i = 1; i < pool->n_threads; i++)
    {
      Worker *w = g_new (Worker, 1);
      g_autofree char *name = g_strdup_printf ("ov-pool-%d", i);

      w->pool = pool;
      w->index = i;
      pool->threads[i] = g_thread_new (name, worker_main, w);
    }
  return pool;
}

/* Publishes a new ticket (generation + 1, total chunks, chunk 0) and wakes
 * sleeping workers. */
static void
publish (OvPool *pool, int n_chunks)
{
  guint64 old = atomic_load (&pool->ticket);
  guint64 gen = (guint64) ((ticket_gen (old) + 1) & 0xffffff);

  atomic_store (&pool->ticket, (gen << TICKET_GEN_SHIFT)
                               | ((guint64) n_chunks << TICKET_CHUNK_BITS));
  if (atomic_load (&pool->sleepers) > 0)
    {
      g_mutex_lock (&pool->sleep_lock);
      g_cond_broadcast (&pool->wake);
      g_mutex_unlock (&pool->sleep_lock);
    }
}

void
ov_pool_free (OvPool *pool)
{
  if (pool == NULL)
    return;
  g_mutex_lock (&pool->run_lock);
  atomic_store (&pool->quit, TRUE);
  publish (pool, 0);
  g_mutex_lock (&pool->sleep_lock);
  g_cond_broadcast (&pool->wake);
  g_mutex_unlock (&pool->sleep_lock);
  for (int i = 1; i < pool->n_threads; i++)
    g_thread_join (pool->threads[i]);
  g_mutex_unlock (&pool->run_lock);
  g_free (pool->threads);
  g_mutex_clear (&pool->run_lock);
  g_mutex_clear (&pool->sleep_lock);
  g_cond_clear (&pool->wake);
  g_free (pool);
}

int
ov_pool_get_n_threads (const OvPool *pool)
{
  return pool->n_threads;
}

void
ov_pool_run (OvPool *pool, int n_chunks, OvPoolFunc fn, gpointer data)
{
  gint64 spin_until;

  if (n_chunks <= 0)
    return;
  g_return_if_fail (n_chunks <= MAX_CHUNKS);
  if (pool == NULL || pool->n_threads == 1 || n_chunks == 1
      || !g_mutex_trylock (&pool->run_lock))
    {
      for (int c = 0; c < n_chunks; c++)
        fn (data, c, 0);
      return;
    }

  pool->fn = fn;
  pool->data = data;
  atomic_store (&pool->done, 0);
  publish (pool, n_chunks);
  work_on (pool, 0);

  /* Only chunks that a worker has claimed are left. */
  spin_until = g_get_monotonic_time () + CALLER_SPIN_US;
  while (atomic_load_explicit (&pool->done, memory_order_acquire) < n_chunks)
    {
      cpu_relax ();
      if (g_get_monotonic_time () > spin_until)
        g_thread_yield ();
    }
  g_mutex_unlock (&pool->run_lock);
}
