/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The CPU backend: matrix products through OpenBLAS (or, for the few rows of
 * a decoding step, a multi-row GEMV that reads each weight matrix once for
 * all rows), and OpenMP loops for the rest. Plain reference loops for the
 * tests sit beside the fast paths.
 */
#define G_LOG_DOMAIN "ov-backend-cpu"

#include <math.h>
#include <string.h>

#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "ov-backend-private.h"
#include "ov-i18n.h"
#include "ov-pool.h"

/* Below about this many multiply-adds a loop runs on one thread: handing out
 * chunks costs more than it saves, and much more on a loaded machine. */
#define OV_PARALLEL_WORK (1 << 18)

/* The backend's table with the thread pool its loops share out their
 * chunks on. */
typedef void (*DotBlock4Func) (float *out, const float *x, const float *const *w, int m, int k);

typedef struct
{
  OvBackend     base;
  OvPool       *pool;
  DotBlock4Func dot_block4;   /* the block kernel of linear_small_m */
  const char   *kernel;       /* its name */
} CpuBackend;

static inline OvPool *
cpu_pool (const OvBackend *be)
{
  return ((const CpuBackend *) be)->pool;
}

/* Number of chunks for n_items items of `work` multiply-adds in all: one
 * below OV_PARALLEL_WORK, else about `per_thread` a thread, each at least
 * min_items and at most max_items items. Returns the items per chunk in
 * *items. */
static int
cpu_chunks (const OvBackend *be, gint64 n_items, gint64 work, int per_thread,
            gint64 min_items, gint64 max_items, gint64 *items)
{
  gint64 per;

  if (work <= OV_PARALLEL_WORK || be->n_threads == 1 || n_items <= min_items)
    {
      *items = MAX (n_items, 1);
      return 1;
    }
  per = n_items / ((gint64) be->n_threads * per_thread);
  per = CLAMP (per, min_items, MAX (min_items, max_items));
  *items = per;
  return (int) ((n_items + per - 1) / per);
}


/* Up to this many rows, linear() streams the weights row by row itself
 * instead of calling sgemm, which reads them far below bandwidth for small M. */
#define OV_SMALL_M 48

static float *
cpu_alloc (const OvBackend *be, gsize n_floats)
{
  return g_malloc_n (MAX (n_floats, 1), sizeof (float));
}

static void
cpu_free (const OvBackend *be, float *p)
{
  g_free (p);
}

static void
cpu_copy (const OvBackend *be, float *dst, const float *src, gsize n)
{
  if (n > 0)
    memcpy (dst, src, n * sizeof (float));
}

/* ov_backend_ref_linear: y (M, N) = x (M, K) · w (N, K)ᵀ + b */
void
ov_backend_ref_linear (float *y, const float *x, const float *w, const float *b,
                       int m, int n, int k)
{
  for (int i = 0; i < m; i++)
    for (int o = 0; o < n; o++)
      {
        double s = b != NULL ? b[o] : 0.0;

        for (int j = 0; j < k; j++)
          s += (double) x[(gsize) i * k + j] * w[(gsize) o * k + j];
        y[(gsize) i * n + o] = (float) s;
      }
}

/* The block kernel: out (M, 4) = x (M, K) · w[0..3]ᵀ for M <= OV_SMALL_M,
 * the four weight rows of one block of outputs against every input row.
 * Input rows go in groups of up to G, with 4·G vector accumulators in
 * registers, so each weight vector loaded feeds G FMAs and each input vector
 * four: G = 3 with sixteen registers (AVX2: 12 accumulators, 3 inputs, 1
 * weight), G = 5 with thirty-two (AVX-512: 20 + 5 + 1, on sixteen lanes, or
 * on eight for comparison; with the input rows aligned, sixteen ran five
 * to ten rows 5-15 % faster in cache and 2-5 % from memory in bench-linear,
 * though the captions showed no difference: see tests/bench/RESULTS.md).
 * With one group (M <= G) it walks the whole of K at once; with more, K goes
 * in chunks of OV_K_CHUNK floats so that the chunk of the four weight rows
 * and of the input rows stays in L1 while every group passes over it, the
 * accumulators waiting in memory between chunks. The first group reads the
 * weights from memory.
 *
 * Streaming four rows while doing G FMAs a vector leaves the processor's
 * own prefetchers behind: the groups ask, once a cache line, for the line
 * OV_PREFETCH_AHEAD floats further on in the four rows, into L2 (locality
 * 1). That is more than a block of 768-float rows ahead and a row of
 * 3072-float ones; measured with tests/bench/bench-linear it doubles the
 * rate for five rows on one thread. With several groups, each asks for its
 * share of the four rows (two groups: rows 0-1 and 2-3), so that requests
 * go out while every group computes and none twice: against every group
 * asking for all four, twelve and sixteen rows ran 8-10 % faster, ten the
 * same (an earlier change found any requests from the later groups better
 * than none). Prefetches past the end of the weights are harmless: they
 * never fault.
 *
 * Lane l of an accumulator sums the products at k ≡ l (mod lanes) in
 * increasing k, chunk after chunk, so the chunking does not change the
 * result; the lanes are then added pairwise in a fixed order, and the last
 * K mod lanes products after them.
 *
 * DEFINE_DOT_BLOCK4 (name, vector type, lanes, G, target) makes
 * name_group() and name(); the kernels differ only in those. */
#define OV_K_CHUNK 256
#define OV_PREFETCH_AHEAD 4096

#define DEFINE_DOT_BLOCK4(NAME, VEC, LANES, G, TARGET)                             \
  TARGET __attribute__ ((always_inline)) static inline void                        \
  NAME##_step (VEC (*a)[4], const float *x, int k, const float *const *w, int j,   \
               const int R)                                                        \
  {                                                                                \
    VEC xv[G];                                                                     \
                                                                                   \
    _Pragma ("GCC unroll 8")                                                       \
    for (int r = 0; r < R; r++)                                                    \
      xv[r] = *(const VEC *) (x + (gsize) r * k + j);                              \
    _Pragma ("GCC unroll 4")                                                       \
    for (int q = 0; q < 4; q++)                                                    \
      {                                                                            \
        VEC wv = *(const VEC *) (w[q] + j);                                        \
                                                                                   \
        _Pragma ("GCC unroll 8")                                                   \
        for (int r = 0; r < R; r++)                                                \
          a[r][q] += wv * xv[r];                                                   \
      }                                                                            \
  }                                                                                \
                                                                                   \
  TARGET __attribute__ ((always_inline)) static inline void                        \
  NAME##_group (VEC (*acc)[4], const float *x, int k, const float *const *w,       \
                int c, int ce, int pf0, int pf1, const int R)                      \
  {                                                                                \
    VEC a[G][4];                                                                   \
                                                                                   \
    if (c == 0)                                                                    \
      {                                                                            \
        _Pragma ("GCC unroll 8")                                                   \
        for (int r = 0; r < R; r++)                                                \
          _Pragma ("GCC unroll 4")                                                 \
          for (int q = 0; q < 4; q++)                                              \
            a[r][q] = (VEC) { 0 };                                                 \
      }                                                                            \
    else                                                                           \
      {                                                                            \
        _Pragma ("GCC unroll 8")                                                   \
        for (int r = 0; r < R; r++)                                                \
          _Pragma ("GCC unroll 4")                                                 \
          for (int q = 0; q < 4; q++)                                              \
            a[r][q] = acc[r][q];                                                   \
      }                                                                            \
    int j = c;                                                                     \
                                                                                   \
    /* a cache line (16 floats) of each row an iteration */                        \
    for (; j + 16 <= ce; j += 16)                                                  \
      {                                                                            \
        _Pragma ("GCC unroll 4")                                                   \
        for (int q = pf0; q < pf1; q++)                                            \
          __builtin_prefetch (w[q] + j + OV_PREFETCH_AHEAD, 0, 1);                 \
        NAME##_step (a, x, k, w, j, R);                                            \
        if (LANES == 8)                                                            \
          NAME##_step (a, x, k, w, j + 8, R);                                      \
      }                                                                            \
    for (; j < ce; j += LANES)                                                     \
      NAME##_step (a, x, k, w, j, R);                                              \
    _Pragma ("GCC unroll 8")                                                       \
    for (int r = 0; r < R; r++)                                                    \
      _Pragma ("GCC unroll 4")                                                     \
      for (int q = 0; q < 4; q++)                                                  \
        acc[r][q] = a[r][q];                                                       \
  }                                                                                \
                                                                                   \
  TARGET static void                                                               \
  NAME (float *out, const float *x, const float *const *w, int m, int k)           \
  {                                                                                \
    VEC acc[OV_SMALL_M][4];                                                        \
    int kv = k - k % LANES;                                                        \
    int step = m > G ? OV_K_CHUNK : MAX (kv, 1);                                   \
                                                                                   \
    int ng = (m + G - 1) / G;                                                      \
                                                                                   \
    for (int c = 0; c < kv; c += step)                                             \
      {                                                                            \
        int ce = MIN (c + step, kv), i = 0, g = 0;                                 \
                                                                                   \
        if (ng == 1)                                                               \
          {                                                                        \
            /* one group asks for all four rows: constant bounds, an unrolled   \
             * loop (a counted one cost two-row products some 3 %) */           \
            switch (m)                                                             \
              {                                                                    \
              case 5: NAME##_group (acc, x, k, w, c, ce, 0, 4, MIN (5, G)); break; \
              case 4: NAME##_group (acc, x, k, w, c, ce, 0, 4, MIN (4, G)); break; \
              case 3: NAME##_group (acc, x, k, w, c, ce, 0, 4, MIN (3, G)); break; \
              case 2: NAME##_group (acc, x, k, w, c, ce, 0, 4, 2); break;          \
              case 1: NAME##_group (acc, x, k, w, c, ce, 0, 4, 1); break;          \
              default: break;                                                      \
              }                                                                    \
            continue;                                                              \
          }                                                                        \
        for (; i + G <= m; i += G, g++)                                            \
          NAME##_group (acc + i, x + (gsize) i * k, k, w, c, ce, 4 * g / ng,       \
                        4 * (g + 1) / ng, G);                                      \
        int p0 = 4 * g / ng, p1 = 4 * (g + 1) / ng;                                \
        switch (m - i)                                                             \
          {                                                                        \
          case 4:                                                                  \
            NAME##_group (acc + i, x + (gsize) i * k, k, w, c, ce, p0, p1, MIN (4, G)); \
            break;                                                                 \
          case 3:                                                                  \
            NAME##_group (acc + i, x + (gsize) i * k, k, w, c, ce, p0, p1, MIN (3, G)); \
            break;                                                                 \
          case 2:                                                                  \
            NAME##_group (acc + i, x + (gsize) i * k, k, w, c, ce, p0, p1, 2);     \
            break;                                                                 \
          case 1:                                                                  \
            NAME##_group (acc + i, x + (gsize) i * k, k, w, c, ce, p0, p1, 1);     \
            break;                                                                 \
          default:                                                                 \
            break;                                                                 \
          }                                                                        \
      }                                                                            \
    for (int i = 0; i < m; i++)                                                    \
      for (int q = 0; q < 4; q++)                                                  \
        {                                                                          \
          const float *xi = x + (gsize) i * k;                                     \
          float lanes[LANES], s = 0.0f;                                            \
                                                                                   \
          if (kv > 0)                                                              \
            {                                                                      \
              memcpy (lanes, &acc[i][q], sizeof lanes);                            \
              s = lanes_sum (lanes, LANES);                                        \
            }                                                                      \
          for (int j = kv; j < k; j++)                                             \
            s += xi[j] * w[q][j];                                                  \
          out[i * 4 + q] = s;                                                      \
        }                                                                          \
  }

/* Sum of n (8 or 16) lanes, pairwise in a fixed order. */
static inline float
lanes_sum (const float *v, int n)
{
  float t[8];

  for (int l = 0; l < 8; l++)
    t[l] = n == 16 ? v[l] + v[l + 8] : v[l];
  return ((t[0] + t[4]) + (t[1] + t[5])) + ((t[2] + t[6]) + (t[3] + t[7]));
}

/* Eight and sixteen floats; loads through them may be unaligned. */
typedef float OvV8 __attribute__ ((vector_size (32), aligned (4)));
typedef float OvV16 __attribute__ ((vector_size (64), aligned (4)));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define OV_HAVE_X86_KERNELS 1
#define OV_TARGET_AVX512 __attribute__ ((target ("avx512f,avx512vl,fma")))
#define OV_TARGET_FMA __attribute__ ((target ("avx2,fma")))
DEFINE_DOT_BLOCK4 (dot_block4_avx512, OvV8, 8, 5, OV_TARGET_AVX512)
DEFINE_DOT_BLOCK4 (dot_block4_avx512_16, OvV16, 16, 5, OV_TARGET_AVX512)
DEFINE_DOT_BLOCK4 (dot_block4_fma, OvV8, 8, 3, OV_TARGET_FMA)
#endif
/* Plain x86-64 (SSE2) or any other processor: the compiler splits the
 * eight lanes as it can. */
DEFINE_DOT_BLOCK4 (dot_block4_plain, OvV8, 8, 3, )

/* The block kernels by name, widest last. */
static const struct
{
  const char   *name;
  DotBlock4Func fn;
} dot_kernels[] = {
  { "plain", dot_block4_plain },
#ifdef OV_HAVE_X86_KERNELS
  { "fma", dot_block4_fma },
  { "avx512", dot_block4_avx512 },
  { "avx512-16", dot_block4_avx512_16 },
#endif
};

static gboolean
dot_kernel_supported (const char *name)
{
#ifdef OV_HAVE_X86_KERNELS
  __builtin_cpu_init ();
  if (strcmp (name, "fma") == 0)
    return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
  if (strcmp (name, "avx512") == 0 || strcmp (name, "avx512-16") == 0)
    return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512vl");
#endif
  return strcmp (name, "plain") == 0;
}

/* Few rows: the weights are streamed once, four rows at a time, for all M
 * input rows (every beam of a decoding step); chunks of whole blocks go to
 * the pool's threads, about two a thread (each chunk starts its prefetching
 * cold, so fewer, longer ones stream better). */
typedef struct
{
  float        *y;
  const float  *x, *w, *b;
  int           m, n, k;
  gint64        blocks_per_chunk;
  DotBlock4Func dot_block4;
} SmallMJob;

static void
linear_small_m_chunk (gpointer data, int chunk, int thread)
{
  const SmallMJob *j = data;
  int n_blocks = (j->n + 3) / 4;
  int first = (int) (chunk * j->blocks_per_chunk);
  int last = (int) MIN (n_blocks, first + j->blocks_per_chunk);

  for (int blk = first; blk < last; blk++)
    {
      float out[OV_SMALL_M * 4];
      const float *rows[4];
      int o = blk * 4, nr = MIN (4, j->n - o);

      /* a short last block repeats its last row and drops the copies */
      for (int r = 0; r < 4; r++)
        rows[r] = j->w + (gsize) (o + MIN (r, nr - 1)) * j->k;
      j->dot_block4 (out, j->x, rows, j->m, j->k);
      for (int i = 0; i < j->m; i++)
        for (int r = 0; r < nr; r++)
          j->y[(gsize) i * j->n + o + r] = out[i * 4 + r] + (j->b != NULL ? j->b[o + r] : 0.0f);
    }
}

static void
linear_small_m (const OvBackend *be, float *y, const float *x, const float *w, const float *b,
                int m, int n, int k)
{
  SmallMJob job = { y, x, w, b, m, n, k, 0, ((const CpuBackend *) be)->dot_block4 };
  int n_blocks = (n + 3) / 4;
  float *x_aligned = NULL;
  /* at most 1024 blocks (4096 weight rows) a chunk, so that a thread taken
   * off its core in the middle of one holds the others up only so long */
  int n_chunks = cpu_chunks (be, n_blocks, (gint64) m * n * k, 2, 1, 1024,
                             &job.blocks_per_chunk);

  /* Every group step loads a vector of each input row: rows that start on
   * a cache line (k is a multiple of 16 in every BERT shape) keep those
   * loads from straddling two lines, which cost the kernel 10-25 % here.
   * The copy (at most 48 rows, one allocation a call) takes microseconds
   * against the product's streaming of the weights. */
  if ((guintptr) x % 64 != 0 && k > 0 && k % 16 == 0)
    {
      x_aligned = g_aligned_alloc ((gsize) m * k, sizeof (float), 64);
      memcpy (x_aligned, x, (gsize) m * k * sizeof (float));
      job.x = x_aligned;
    }
  ov_pool_run (cpu_pool (be), n_chunks, linear_small_m_chunk, &job);
  if (x_aligned != NULL)
    g_aligned_free (x_aligned);
}

/* Many rows: OpenBLAS sgemm, single-threaded, on panels of whole 16-column
 * groups of the output (weight rows) that the pool's threads share out. */
typedef struct
{
  float       *y;
  const float *x, *w, *b;
  int          m, n, k;
  gint64       cols_per_chunk;
} SgemmJob;

static void
linear_sgemm_chunk (gpointer data, int chunk, int thread)
{
  const SgemmJob *j = data;
  int n0 = (int) (chunk * j->cols_per_chunk);
  int n1 = (int) MIN (j->n, n0 + j->cols_per_chunk);

  if (j->b != NULL)
    for (int i = 0; i < j->m; i++)
      memcpy (j->y + (gsize) i * j->n + n0, j->b + n0, (gsize) (n1 - n0) * sizeof (float));
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, j->m, n1 - n0, j->k,
               1.0f, j->x, j->k, j->w + (gsize) n0 * j->k, j->k, j->b != NULL ? 1.0f : 0.0f,
               j->y + n0, j->n);
}

static void
linear_sgemm (const OvBackend *be, float *y, const float *x, const float *w, const float *b,
              int m, int n, int k)
{
  SgemmJob job = { y, x, w, b, m, n, k, 0 };
  gint64 groups_per_chunk;
  int n_groups = (n + 15) / 16;
  /* four panels a thread, each at least 64 columns: OpenBLAS packs the
   * input rows again for every call */
  int n_chunks = n < 64 ? 1 : cpu_chunks (be, n_groups, (gint64) m * n * k / 8, 4, 4,
                                          G_MAXINT, &groups_per_chunk);

  job.cols_per_chunk = n_chunks == 1 ? n : groups_per_chunk * 16;
  n_chunks = (int) ((n + job.cols_per_chunk - 1) / job.cols_per_chunk);
  ov_pool_run (cpu_pool (be), n_chunks, linear_sgemm_chunk, &job);
}

static void
cpu_linear (const OvBackend *be, float *y, const float *x, const float *w,
            const float *b, int m, int n, int k)
{
  if (m <= 0 || n <= 0)
    return;
  if (m <= OV_SMALL_M)
    linear_small_m (be, y, x, w, b, m, n, k);
  else
    linear_sgemm (be, y, x, w, b, m, n, k);
}

static void
layer_norm_row (float *x, const float *r, const float *g, const float *b, int n, float eps)
{
  double mean = 0.0, var = 0.0;
  float inv;

  if (r != NULL)
    for (int j = 0; j < n; j++)
      x[j] += r[j];
  /* sums in double, in vector lanes (a sequential sum would wait on
   * every add) */
#pragma omp simd reduction(+:mean)
  for (int j = 0; j < n; j++)
    mean += x[j];
  mean /= n;
#pragma omp simd reduction(+:var)
  for (int j = 0; j < n; j++)
    var += (x[j] - mean) * (x[j] - mean);
  var /= n;
  inv = (float) (1.0 / sqrt (var + eps));
  for (int j = 0; j < n; j++)
    x[j] = (float) (x[j] - mean) * inv * g[j] + b[j];
}

/* ov_backend_ref_layer_norm: the plain loop, in double, for the tests */
void
ov_backend_ref_layer_norm (float *x, const float *r, const float *g, const float *b,
                           int m, int n, float eps)
{
  for (int i = 0; i < m; i++)
    {
      float *row = x + (gsize) i * n;
      double mean = 0.0, var = 0.0;

      for (int j = 0; j < n; j++)
        mean += (double) row[j] + (r != NULL ? r[(gsize) i * n + j] : 0.0);
      mean /= n;
      for (int j = 0; j < n; j++)
        {
          double v = (double) row[j] + (r != NULL ? r[(gsize) i * n + j] : 0.0) - mean;

          var += v * v;
        }
      var /= n;
      for (int j = 0; j < n; j++)
        {
          double v = (double) row[j] + (r != NULL ? r[(gsize) i * n + j] : 0.0);

          row[j] = (float) ((v - mean) / sqrt (var + eps) * g[j] + b[j]);
        }
    }
}

typedef struct
{
  float       *x;
  const float *r, *g, *b;
  int          m, n;
  float        eps;
  gint64       rows_per_chunk;
} LayerNormJob;

static void
layer_norm_chunk (gpointer data, int chunk, int thread)
{
  const LayerNormJob *j = data;
  gint64 first = chunk * j->rows_per_chunk, last = MIN (j->m, first + j->rows_per_chunk);

  for (gint64 i = first; i < last; i++)
    layer_norm_row (j->x + (gsize) i * j->n, j->r != NULL ? j->r + (gsize) i * j->n : NULL,
                    j->g, j->b, j->n, j->eps);
}

static void
cpu_add_layer_norm (const OvBackend *be, float *x, const float *r, const float *g,
                    const float *b, int m, int n, float eps)
{
  LayerNormJob job = { x, r, g, b, m, n, eps, 0 };
  int n_chunks = cpu_chunks (be, m, (gint64) m * n * 8, 2, 1, G_MAXINT, &job.rows_per_chunk);

  ov_pool_run (cpu_pool (be), n_chunks, layer_norm_chunk, &job);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) \
    && defined(__GLIBC__) && __GLIBC_PREREQ (2, 35)
/* glibc's libmvec has erff for 4 and 8 lanes; saying so lets the loop in
 * gelu_block call it instead of one erff a value. */
float erff (float) __attribute__ ((simd ("notinbranch")));
#define OV_GELU_CLONES __attribute__ ((target_clones ("avx2", "default")))
#else
#define OV_GELU_CLONES
#endif

/* x (n) = 0.5 x (1 + erf (x / √2)) */
OV_GELU_CLONES
static void
gelu_block (float *x, gsize n)
{
#pragma omp simd
  for (gsize i = 0; i < n; i++)
    x[i] = 0.5f * x[i] * (1.0f + erff (x[i] * (float) M_SQRT1_2));
}

#define GELU_CHUNK 4096

typedef struct
{
  float *x;
  gsize  n;
} GeluJob;

static void
gelu_chunk (gpointer data, int chunk, int thread)
{
  const GeluJob *j = data;
  gsize first = (gsize) chunk * GELU_CHUNK;

  gelu_block (j->x + first, MIN (GELU_CHUNK, j->n - first));
}

static void
cpu_gelu (const OvBackend *be, float *x, gsize n)
{
  GeluJob job = { x, n };

  /* erff is dear: two chunks are worth sharing out (a decoding step's ten
   * rows of 3072) */
  if (n <= GELU_CHUNK || be->n_threads == 1)
    gelu_block (x, n);
  else
    ov_pool_run (cpu_pool (be), (int) ((n + GELU_CHUNK - 1) / GELU_CHUNK), gelu_chunk, &job);
}

static void
cpu_relu (const OvBackend *be, float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static void
cpu_swish (const OvBackend *be, float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = x[i] / (1.0f + expf (-x[i]));
}

static void
cpu_tanh (const OvBackend *be, float *x, gsize n)
{
  for (gsize i = 0; i < n; i++)
    x[i] = tanhf (x[i]);
}

static void
cpu_embed (const OvBackend *be, float *out, const float *word, const float *pos,
           const float *type, const gint32 *ids, const gint32 *pos_ids,
           const gint32 *type_ids, int t, int h)
{
  for (int i = 0; i < t; i++)
    {
      const float *we = word + (gsize) ids[i] * h;
      const float *pe = pos + (gsize) pos_ids[i] * h;
      const float *te = type + (gsize) type_ids[i] * h;
      float *o = out + (gsize) i * h;

      /* PyTorch adds word + position first, then the type embedding. */
      for (int j = 0; j < h; j++)
        o[j] = (we[j] + pe[j]) + te[j];
    }
}

/* One (head, query) row of attention: scores, masked softmax, weighted sum.
 * scores is scratch of lk floats, or the probs row itself. */
static void
attention_row (float *ctx_row, float *p, const float *q_row, const float *k,
               const float *v, int kv_stride, const float *mask_row, int lk,
               int head_dim, float scale_div)
{
  float max = -G_MAXFLOAT;
  float sum = 0.0f;

  for (int j = 0; j < lk; j++)
    {
      const float *k_j = k + (gsize) j * kv_stride;
      float s = 0.0f;

#pragma omp simd reduction(+:s)
      for (int d = 0; d < head_dim; d++)
        s += q_row[d] * k_j[d];
      s = s / scale_div;
      if (mask_row != NULL)
        s += mask_row[j];
      p[j] = s;
      max = MAX (max, s);
    }
  for (int j = 0; j < lk; j++)
    {
      p[j] = expf (p[j] - max);
      sum += p[j];
    }
  for (int j = 0; j < lk; j++)
    p[j] /= sum;
  for (int d = 0; d < head_dim; d++)
    ctx_row[d] = 0.0f;
  for (int j = 0; j < lk; j++)
    {
      const float *v_j = v + (gsize) j * kv_stride;
      float pj = p[j];

      if (pj == 0.0f)
        continue;
#pragma omp simd
      for (int d = 0; d < head_dim; d++)
        ctx_row[d] += pj * v_j[d];
    }
}

/* ov_backend_ref_attention: the plain loops, in double, for the tests */
void
ov_backend_ref_attention (float *ctx, float *probs, const float *q, int q_stride,
                          const float *k, const float *v, int kv_stride,
                          const float *add_mask, int mask_stride,
                          int lq, int lk, int n_heads, int head_dim)
{
  g_autofree double *p = g_new (double, MAX (lk, 1));

  for (int h = 0; h < n_heads; h++)
    for (int i = 0; i < lq; i++)
      {
        double max = -G_MAXDOUBLE, sum = 0.0;

        for (int j = 0; j < lk; j++)
          {
            double s = 0.0;

            for (int d = 0; d < head_dim; d++)
              s += (double) q[(gsize) i * q_stride + h * head_dim + d]
                   * k[(gsize) j * kv_stride + h * head_dim + d];
            s /= sqrt (head_dim);
            if (add_mask != NULL)
              s += add_mask[(gsize) i * mask_stride + j];
            p[j] = s;
            max = MAX (max, s);
          }
        for (int j = 0; j < lk; j++)
          {
            p[j] = exp (p[j] - max);
            sum += p[j];
          }
        for (int j = 0; j < lk; j++)
          {
            p[j] /= sum;
            if (probs != NULL)
              probs[((gsize) h * lq + i) * lk + j] = (float) p[j];
          }
        for (int d = 0; d < head_dim; d++)
          {
            double c = 0.0;

            for (int j = 0; j < lk; j++)
              c += p[j] * v[(gsize) j * kv_stride + h * head_dim + d];
            ctx[(gsize) i * n_heads * head_dim + h * head_dim + d] = (float) c;
          }
      }
}

typedef struct
{
  float       *ctx, *probs;
  const float *q, *k, *v, *add_mask;
  int          q_stride, kv_stride, mask_stride, lq, lk, n_heads, head_dim;
  float        scale;
  gint64       rows_per_chunk;
  float       *scratch;       /* lk floats a thread, when probs is NULL */
} AttentionJob;

static void
attention_chunk (gpointer data, int chunk, int thread)
{
  const AttentionJob *j = data;
  int h_total = j->n_heads * j->head_dim;
  gint64 first = chunk * j->rows_per_chunk;
  gint64 last = MIN ((gint64) j->n_heads * j->lq, first + j->rows_per_chunk);

  for (gint64 r = first; r < last; r++)
    {
      int h = (int) (r / j->lq), i = (int) (r % j->lq);
      float *p = j->probs != NULL ? j->probs + ((gsize) h * j->lq + i) * j->lk
                                  : j->scratch + (gsize) thread * j->lk;
      const float *mrow = j->add_mask != NULL ? j->add_mask + (gsize) i * j->mask_stride : NULL;

      attention_row (j->ctx + (gsize) i * h_total + h * j->head_dim, p,
                     j->q + (gsize) i * j->q_stride + h * j->head_dim,
                     j->k + h * j->head_dim, j->v + h * j->head_dim, j->kv_stride, mrow, j->lk,
                     j->head_dim, j->scale);
    }
}

static void
cpu_attention (const OvBackend *be, float *ctx, float *probs, const float *q, int q_stride,
               const float *k, const float *v, int kv_stride, const float *add_mask,
               int mask_stride, int lq, int lk, int n_heads, int head_dim)
{
  g_autofree float *scratch = NULL;
  AttentionJob job = {
    ctx, probs, q, k, v, add_mask, q_stride, kv_stride, mask_stride, lq, lk, n_heads,
    head_dim, sqrtf ((float) head_dim), 0, NULL,
  };
  int n_rows = n_heads * lq;
  int n_chunks = cpu_chunks (be, n_rows, (gint64) n_rows * lk * head_dim, 4, 1, G_MAXINT,
                             &job.rows_per_chunk);

  if (probs == NULL)
    job.scratch = scratch = g_new (float, (gsize) be->n_threads * MAX (lk, 1));
  ov_pool_run (cpu_pool (be), n_chunks, attention_chunk, &job);
}

static void
cpu_copy_runs (const OvBackend *be, float *dst, gsize dst_outer, const float *src,
               gsize src_outer, const int *src_index, int n_outer, int n_inner,
               gsize inner, gsize n)
{
  if (n == 0)
    return;
  for (int o = 0; o < n_outer; o++)
    {
      const float *s = src + (gsize) (src_index != NULL ? src_index[o] : o) * src_outer;

      for (int i = 0; i < n_inner; i++)
        memcpy (dst + o * dst_outer + i * inner, s + i * inner, n * sizeof (float));
    }
}

static void
cpu_destroy (OvBackend *be)
{
  ov_pool_free (cpu_pool (be));
  g_free (be);
}

static const OvBackend cpu_backend = {
  .name = "cpu",
  .n_threads = 1,
  .host_memory = TRUE,
  .alloc = cpu_alloc,
  .free = cpu_free,
  .upload = cpu_copy,
  .download = cpu_copy,
  .linear = cpu_linear,
  .add_layer_norm = cpu_add_layer_norm,
  .gelu = cpu_gelu,
  .relu = cpu_relu,
  .swish = cpu_swish,
  .tanh = cpu_tanh,
  .embed = cpu_embed,
  .attention = cpu_attention,
  .copy_runs = cpu_copy_runs,
  .destroy = cpu_destroy,
};

OvBackend *
_ov_backend_cpu_new_full (int n_threads, const char *kernel)
{
  CpuBackend *cpu;
  int pick = -1;

  for (int i = 0; i < (int) G_N_ELEMENTS (dot_kernels); i++)
    if (kernel != NULL ? strcmp (kernel, dot_kernels[i].name) == 0
                       : dot_kernel_supported (dot_kernels[i].name))
      pick = i;
  if (pick < 0 || !dot_kernel_supported (dot_kernels[pick].name))
    return NULL;

  cpu = g_new0 (CpuBackend, 1);
  cpu->base = cpu_backend;
#ifdef _OPENMP
  /* OMP_NUM_THREADS, when set, else every processor; never more than
   * OV_BACKEND_MAX_THREADS, which a value such as 2000000000 would ask */
  cpu->base.n_threads = n_threads > 0 ? n_threads
                        : MIN (omp_get_max_threads (),
                               MAX (OV_BACKEND_MAX_THREADS, (int) g_get_num_processors ()));
#else
  cpu->base.n_threads = n_threads > 0 ? n_threads : (int) g_get_num_processors ();
#endif
  cpu->pool = ov_pool_new (cpu->base.n_threads);
  cpu->dot_block4 = dot_kernels[pick].fn;
  cpu->kernel = dot_kernels[pick].name;
  /* OpenBLAS runs single-threaded inside the pool's chunks (see
   * linear_sgemm): its own threads and ours would otherwise fight over the
   * cores. The engine is OpenBLAS's only user in the program. */
  openblas_set_num_threads (1);
  return &cpu->base;
}

/* OV_CPU_KERNEL=plain|fma|avx512|avx512-16 asks for another block kernel
 * than the processor's widest (comparisons; avx512 is the eight-lane one);
 * one it lacks is never taken. */
OvBackend *
ov_backend_cpu_new (int n_threads)
{
  const char *force = g_getenv ("OV_CPU_KERNEL");
  OvBackend *be = NULL;

  if (force != NULL && *force != '\0')
    be = _ov_backend_cpu_new_full (n_threads, force);
  if (be == NULL)
    be = _ov_backend_cpu_new_full (n_threads, NULL);
  return be;
}

const char *
_ov_backend_cpu_best_kernel (void)
{
  const char *force = g_getenv ("OV_CPU_KERNEL");
  const char *best = "plain";

  for (guint i = 0; i < G_N_ELEMENTS (dot_kernels); i++)
    if (dot_kernel_supported (dot_kernels[i].name))
      {
        best = dot_kernels[i].name;
        if (g_strcmp0 (force, best) == 0)
          break;
      }
  return best;
}

const char *
_ov_backend_cpu_get_kernel (const OvBackend *be)
{
  return ((const CpuBackend *) be)->kernel;
}

void
_ov_backend_cpu_run (const OvBackend *be, int n_chunks, OvPoolFunc fn, gpointer data)
{
  ov_pool_run (cpu_pool (be), n_chunks, fn, data);
}

char *
ov_backend_cpu_describe (const OvBackend *be)
{
  const char *kernel = g_str_has_prefix (_ov_backend_cpu_get_kernel (be), "avx512") ? "AVX-512"
                       : g_strcmp0 (_ov_backend_cpu_get_kernel (be), "fma") == 0 ? "AVX2"
                                                                                  : _ ("generic");

  /* Translators: "CPU (2 threads, AVX2, OpenBLAS)": threads, vector instructions, BLAS */
  return g_strdup_printf (ngettext ("CPU (%d thread, %s, OpenBLAS)",
                                    "CPU (%d threads, %s, OpenBLAS)", be->n_threads),
                          be->n_threads, kernel);
}
