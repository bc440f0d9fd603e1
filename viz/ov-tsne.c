/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The t-SNE engine: kNN (blocked sgemm or a random-projection forest),
 * perplexity calibration, symmetric CSR affinities, PCA initialisation, the
 * gradient (plain double reference, exact float SIMD, FFT-interpolated) and
 * the optimiser, plus the quality metrics. Every parallel loop splits its
 * range into fixed contiguous chunks and every floating-point sum is taken
 * in a fixed order, so the output depends only on the seed and thread count.
 */
#define G_LOG_DOMAIN "ov-tsne"

#include "config.h"

#include "ov-tsne.h"

#include <cblas.h>
#include <fftw3.h>
#include <math.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "model/ov-error.h"
#include "model/ov-i18n.h"

#ifdef _OPENMP
#define OV_THREAD_ID() omp_get_thread_num ()
#define OV_N_THREADS() omp_get_num_threads ()
#else
#define OV_THREAD_ID() 0
#define OV_N_THREADS() 1
#endif

/* Chunk t of nt over [0, n). */
#define CHUNK_LO(n, t, nt) ((gsize) (((guint64) (n) * (guint64) (t)) / (guint64) (nt)))

#define KL_EXACT_MAX_N 20000
#define KL_SAMPLE_PAIRS 20000000

typedef struct {
  guint32 col;
  float   val;
} OvTsneEntry;

struct _OvTsneAffinities {
  gsize        n;
  gsize        nnz;
  gsize       *row;      /* (n + 1) */
  OvTsneEntry *ent;      /* (nnz) */
  double       sum;      /* sum of all entries (1 up to rounding) */
  double       plogp;    /* sum p log p */
};

static int
resolve_threads (int n_threads)
{
  if (n_threads > 0)
    return n_threads;
  return MAX (1, (int) g_get_num_processors ());
}

static GRand *
rand_new (guint64 seed,
          guint32 stream)
{
  guint32 words[3] = { (guint32) seed, (guint32) (seed >> 32), stream };

  return g_rand_new_with_seed_array (words, 3);
}

static double
rand_normal (GRand *r)
{
  double u1 = g_rand_double (r), u2 = g_rand_double (r);

  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static double
seconds_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / 1e6;
}

void
ov_tsne_params_init (OvTsneParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->perplexity = 30.0;
  params->n_iter = 1000;
  params->early_exag_iter = 250;
  params->early_exag = 12.0;
  params->learning_rate = 0.0;
  params->momentum_early = 0.5;
  params->momentum_late = 0.8;
  params->max_step_norm = 5.0;
  params->seed = 42;
  params->n_threads = 0;
  params->gradient = OV_TSNE_GRADIENT_AUTO;
  params->knn = OV_TSNE_KNN_AUTO;
  /* At 10 000 points the exact gradient cost the same CPU time as the FFT
   * path here (27 s against 25 s for 1000 iterations) and gave a better map
   * (KL 1.10 against 1.23, tests/bench/RESULTS.md). */
  params->exact_max_n = 10000;
  params->knn_exact_max_n = 20000;
  params->fft_max_boxes = 128;
  /* Five nodes per box. Three (FIt-SNE's choice) leave ~1% error in the
   * repulsion, and it shows: on the 50 000-point mixture of
   * tests/bench/RESULTS.md, KL 2.414 and 10-NN preservation 0.257 with
   * three nodes, 2.328 / 0.279 with five, 2.313 / 0.283 with six, against
   * scikit-learn's Barnes-Hut 2.318 / 0.281; five cost 1.6x the CPU of
   * three, six 2.5x. */
  params->fft_nodes = 5;
  params->progress_every = 0;
  params->progress_kl = TRUE;
  params->pca_init = TRUE;
}

/* ---------------------------------------------------------------------- */
/* Small helpers: squared distance, bounded max-heaps                      */

/* The hot kernels are compiled twice, for AVX2 + FMA and for the baseline,
 * and picked at run time (the body is inlined into both). */
static gboolean
have_avx2_fma (void)
{
  static int have = -1;

  if (have < 0)
    {
      __builtin_cpu_init ();
      have = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
    }
  return have;
}

#define OV_KERNEL_PAIR(ret, name, params, args)                                 \
  __attribute__ ((target ("avx2,fma"))) static ret name##_avx2 params          \
  { return name##_body args; }                                                 \
  static ret name##_plain params                                               \
  { return name##_body args; }                                                 \
  static inline ret name params                                                \
  { return have_avx2_fma () ? name##_avx2 args : name##_plain args; }

static inline __attribute__ ((always_inline)) float
sq_dist_body (const float *a,
              const float *b,
              gsize        dim)
{
  float s = 0.f;

#pragma omp simd reduction(+:s)
  for (gsize d = 0; d < dim; d++)
    {
      float t = a[d] - b[d];
      s += t * t;
    }
  return s;
}

OV_KERNEL_PAIR (float, sq_dist, (const float *a, const float *b, gsize dim), (a, b, dim))

static inline __attribute__ ((always_inline)) float
dot_body (const float *a,
          const float *b,
          gsize        dim)
{
  float s = 0.f;

#pragma omp simd reduction(+:s)
  for (gsize d = 0; d < dim; d++)
    s += a[d] * b[d];
  return s;
}

OV_KERNEL_PAIR (float, dot, (const float *a, const float *b, gsize dim), (a, b, dim))

/* A max-heap of k (distance, index) pairs kept in key/val; key[0] is the
 * largest. Empty slots hold +inf. */
static void
heap_replace_top (float   *key,
                  guint32 *val,
                  guint    k,
                  float    d,
                  guint32  j)
{
  guint i = 0;

  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      float km = d;

      if (l < k && key[l] > km)
        {
          m = l;
          km = key[l];
        }
      if (r < k && key[r] > km)
        m = r;
      if (m == i)
        break;
      key[i] = key[m];
      val[i] = val[m];
      i = m;
    }
  key[i] = d;
  val[i] = j;
}

static gboolean
heap_contains (const guint32 *val,
               guint          k,
               guint32        j)
{
  for (guint a = 0; a < k; a++)
    if (val[a] == j)
      return TRUE;
  return FALSE;
}

/* Turns a heap into an ascending list in place. */
static void
heap_sort (float   *key,
           guint32 *val,
           guint    k)
{
  for (guint m = k; m > 1; m--)
    {
      float   d = key[m - 1];
      guint32 j = val[m - 1];

      key[m - 1] = key[0];
      val[m - 1] = val[0];
      heap_replace_top (key, val, m - 1, d, j);
    }
}

/* ---------------------------------------------------------------------- */
/* Exact kNN: d2 = |q|^2 + |x|^2 - 2 q.x with sgemm over blocks            */

#define KNN_ROW_BLOCK 512
#define KNN_COL_BLOCK 4096

/* For each query row (queries[q] indexes X, or q itself when queries is
 * NULL) the k nearest rows of X other than itself. idx, d2: (nq, k). */
static gboolean
knn_exact_queries (const float    *X,
                   gsize           n,
                   gsize           dim,
                   const guint32  *queries,
                   gsize           nq,
                   guint           k,
                   int             nt,
                   guint32        *idx,
                   float          *d2,
                   GCancellable   *cancellable)
{
  g_autofree float *norms = g_new (float, n);
  gsize n_blocks = (nq + KNN_ROW_BLOCK - 1) / KNN_ROW_BLOCK;
  gsize g_cols = MIN ((gsize) KNN_COL_BLOCK, MAX (n, 1));
  gboolean cancelled = FALSE;

  /* every caller: one BLAS thread a product (see ov_tsne_run_full) */
  openblas_set_num_threads (1);

#pragma omp parallel for num_threads (nt) schedule (static)
  for (gsize i = 0; i < n; i++)
    {
      const float *x = X + i * dim;
      float s = 0.f;

      for (gsize d = 0; d < dim; d++)
        s += x[d] * x[d];
      norms[i] = s;
    }

  for (gsize a = 0; a < nq * k; a++)
    {
      d2[a] = INFINITY;
      idx[a] = G_MAXUINT32;
    }

  /* A block of query rows a thread, each product on one BLAS thread (see
   * ov_tsne_run_full): a block's distances are the same whichever thread
   * and however many run. */
#pragma omp parallel num_threads (nt)
  {
    float *qbuf = g_new (float, (gsize) KNN_ROW_BLOCK * dim);
    float *G = g_new (float, (gsize) KNN_ROW_BLOCK * g_cols);

#pragma omp for schedule (dynamic)
    for (gsize blk = 0; blk < n_blocks; blk++)
      {
        gsize r0 = blk * KNN_ROW_BLOCK, rb = MIN ((gsize) KNN_ROW_BLOCK, nq - r0);
        const float *Q;

        if (g_atomic_int_get (&cancelled) || g_cancellable_is_cancelled (cancellable))
          {
            g_atomic_int_set (&cancelled, TRUE);
            continue;
          }
        if (queries != NULL)
          {
            for (gsize r = 0; r < rb; r++)
              memcpy (qbuf + r * dim, X + (gsize) queries[r0 + r] * dim, dim * sizeof (float));
            Q = qbuf;
          }
        else
          Q = X + r0 * dim;

        for (gsize c0 = 0; c0 < n; c0 += KNN_COL_BLOCK)
          {
            gsize cb = MIN ((gsize) KNN_COL_BLOCK, n - c0);

            /* G (rb, cb) = Q (rb, dim) . X[c0:c0+cb] (cb, dim)^T */
            cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rb, (int) cb,
                         (int) dim, 1.f, Q, (int) dim, X + c0 * dim, (int) dim, 0.f, G,
                         (int) cb);
            for (gsize r = 0; r < rb; r++)
              {
                gsize qi = queries != NULL ? queries[r0 + r] : r0 + r;
                float nq_r = norms[qi];
                float *key = d2 + (r0 + r) * k;
                guint32 *val = idx + (r0 + r) * k;
                const float *g_r = G + r * cb;

                for (gsize c = 0; c < cb; c++)
                  {
                    float d = nq_r + norms[c0 + c] - 2.f * g_r[c];

                    if (d < key[0] && c0 + c != qi)
                      heap_replace_top (key, val, k, MAX (d, 0.f), (guint32) (c0 + c));
                  }
              }
          }
      }
    g_free (qbuf);
    g_free (G);
  }
  if (cancelled)
    return FALSE;

#pragma omp parallel for num_threads (nt) schedule (static)
  for (gsize q = 0; q < nq; q++)
    heap_sort (d2 + q * k, idx + q * k, k);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Approximate kNN: random-projection forest (each tree splits by the      */
/* hyperplane halfway between two random points), all pairs within each    */
/* leaf, then passes that try the neighbours of the neighbours.            */

#define FOREST_TREES 8
#define FOREST_REFINE_PASSES 3
#define FOREST_REFINE_FANOUT 16

typedef struct {
  guint32 *perm;     /* (n) points in leaf order */
  GArray  *leaves;   /* guint32 start of each leaf, then n */
} RpTree;

typedef struct {
  float   s;
  guint32 p;
} SideEntry;

/* By side value, then by point index, so the order is total. */
static int
cmp_side (const void *a,
          const void *b)
{
  const SideEntry *x = a, *y = b;

  if (x->s != y->s)
    return x->s < y->s ? -1 : 1;
  return x->p < y->p ? -1 : x->p > y->p;
}

static void
rp_tree_build (RpTree      *tree,
               const float *X,
               gsize        n,
               gsize        dim,
               guint        leaf_size,
               GRand       *rng,
               float       *side,      /* (n) scratch */
               float       *normal)    /* (dim) scratch */
{
  GArray *stack = g_array_new (FALSE, FALSE, sizeof (guint32) * 2);
  guint32 root[2] = { 0, (guint32) n };
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint32));

  tree->perm = g_new (guint32, n);
  for (gsize i = 0; i < n; i++)
    tree->perm[i] = (guint32) i;

  g_array_append_val (stack, root);
  while (stack->len > 0)
    {
      guint32 *top = &g_array_index (stack, guint32, 2 * (stack->len - 1));
      guint32 lo = top[0], hi = top[1], m = hi - lo, a, b, i, j, mid;
      double offset = 0.0;
      guint32 left[2], right[2];
      int tries;

      g_array_set_size (stack, stack->len - 1);
      if (m <= leaf_size)
        {
          g_array_append_val (starts, lo);
          continue;
        }

      a = tree->perm[lo + g_rand_int_range (rng, 0, (gint32) m)];
      b = a;
      for (tries = 0; tries < 8 && b == a; tries++)
        b = tree->perm[lo + g_rand_int_range (rng, 0, (gint32) m)];
      for (gsize d = 0; d < dim; d++)
        {
          normal[d] = X[a * dim + d] - X[(gsize) b * dim + d];
          offset += 0.5 * normal[d] * ((double) X[a * dim + d] + X[(gsize) b * dim + d]);
        }
      for (i = lo; i < hi; i++)
        side[i] = dot (normal, X + (gsize) tree->perm[i] * dim, dim) - (float) offset;

      /* Partition: negative side first; ties alternate sides. */
      i = lo;
      j = hi;
      {
        guint flip = 0;

        while (i < j)
          {
            float s = side[i];
            gboolean go_left = s < 0.f || (s == 0.f && (flip++ & 1));

            if (go_left)
              i++;
            else
              {
                guint32 tp = tree->perm[i];
                float ts = side[i];

                j--;
                tree->perm[i] = tree->perm[j];
                side[i] = side[j];
                tree->perm[j] = tp;
                side[j] = ts;
              }
          }
      }
      mid = i;
      /* A very uneven split (an outlier picked, duplicates, a zero normal)
       * is replaced by the median split along the same direction, so the
       * tree stays shallow and its leaves stay local. */
      if (mid - lo < m / 16 || hi - mid < m / 16)
        {
          SideEntry *e = g_new (SideEntry, m);

          for (guint32 a2 = 0; a2 < m; a2++)
            {
              e[a2].s = side[lo + a2];
              e[a2].p = tree->perm[lo + a2];
            }
          qsort (e, m, sizeof *e, cmp_side);
          for (guint32 a2 = 0; a2 < m; a2++)
            tree->perm[lo + a2] = e[a2].p;
          g_free (e);
          mid = lo + m / 2;
        }

      left[0] = lo;
      left[1] = mid;
      right[0] = mid;
      right[1] = hi;
      g_array_append_val (stack, right);
      g_array_append_val (stack, left);
    }
  g_array_free (stack, TRUE);

  tree->leaves = starts;
}

static int
cmp_u32 (gconstpointer a,
         gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static void
heap_offer (float   *key,
            guint32 *val,
            guint    k,
            float    d,
            guint32  j)
{
  if (d < key[0] && !heap_contains (val, k, j))
    heap_replace_top (key, val, k, d, j);
}

static gboolean
knn_forest (const float  *X,
            gsize         n,
            gsize         dim,
            guint         k,
            guint64       seed,
            int           nt,
            guint32      *idx,
            float        *d2,
            GCancellable *cancellable)
{
  guint n_trees = FOREST_TREES;
  guint leaf_size = MAX (k + 1, 64u);
  RpTree *trees = g_new0 (RpTree, n_trees);
  g_autofree guint32 *idx2 = NULL;
  g_autofree float *d22 = NULL;
  g_autofree guint32 *stamps = NULL;
  gboolean ok = TRUE;

  for (gsize a = 0; a < n * k; a++)
    {
      d2[a] = INFINITY;
      idx[a] = G_MAXUINT32;
    }

  /* 1. Trees, built in parallel, each from its own seeded stream. */
#pragma omp parallel num_threads (nt)
  {
    float *side = g_new (float, n);
    float *normal = g_new (float, dim);

#pragma omp for schedule (static)
    for (guint t = 0; t < n_trees; t++)
      {
        GRand *rng = rand_new (seed, 1000 + t);

        rp_tree_build (&trees[t], X, n, dim, leaf_size, rng, side, normal);
        g_array_sort (trees[t].leaves, cmp_u32);
        {
          guint32 end = (guint32) n;

          g_array_append_val (trees[t].leaves, end);
        }
        g_rand_free (rng);
      }
    g_free (side);
    g_free (normal);
  }

  /* 2. All pairs inside each leaf. Leaves of one tree are disjoint, so
   * threads never touch the same heap. */
  for (guint t = 0; t < n_trees && ok; t++)
    {
      RpTree *tree = &trees[t];
      guint n_leaves = tree->leaves->len - 1;

      if (g_cancellable_is_cancelled (cancellable))
        {
          ok = FALSE;
          break;
        }
#pragma omp parallel for num_threads (nt) schedule (dynamic, 16)
      for (guint l = 0; l < n_leaves; l++)
        {
          guint32 lo = g_array_index (tree->leaves, guint32, l);
          guint32 hi = g_array_index (tree->leaves, guint32, l + 1);

          for (guint32 a = lo; a < hi; a++)
            {
              guint32 pa = tree->perm[a];

              for (guint32 b = a + 1; b < hi; b++)
                {
                  guint32 pb = tree->perm[b];
                  float d = sq_dist (X + (gsize) pa * dim, X + (gsize) pb * dim, dim);

                  heap_offer (d2 + (gsize) pa * k, idx + (gsize) pa * k, k, d, pb);
                  heap_offer (d2 + (gsize) pb * k, idx + (gsize) pb * k, k, d, pa);
                }
            }
        }
    }
  for (guint t = 0; t < n_trees; t++)
    {
      g_free (trees[t].perm);
      g_array_free (trees[t].leaves, TRUE);
    }
  g_free (trees);
  if (!ok)
    return FALSE;

  /* 3. Neighbour-of-neighbour passes: read the old lists, write new ones, so
   * the result does not depend on the order rows are visited in. */
  idx2 = g_new (guint32, n * k);
  d22 = g_new (float, n * k);
  stamps = g_new (guint32, (gsize) nt * n);
  memset (stamps, 0xff, sizeof (guint32) * (gsize) nt * n);
  for (int pass = 0; pass < FOREST_REFINE_PASSES; pass++)
    {
      guint fan = MIN (k, (guint) FOREST_REFINE_FANOUT);

      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      /* Sorted lists: the first entries are the nearest. */
#pragma omp parallel for num_threads (nt) schedule (static)
      for (gsize i = 0; i < n; i++)
        heap_sort (d2 + i * k, idx + i * k, k);

#pragma omp parallel num_threads (nt)
      {
        guint32 *stamp = stamps + (gsize) OV_THREAD_ID () * n;

#pragma omp for schedule (static)
        for (gsize i = 0; i < n; i++)
          {
            float *key = d22 + i * k;
            guint32 *val = idx2 + i * k;
            const guint32 *old = idx + i * k;

            /* Start from the old list without its duplicates, padded with
             * empty slots; a descending list is a valid max-heap. */
            {
              guint w = k;

              stamp[i] = (guint32) i;
              for (guint a = 0; a < k; a++)
                {
                  guint32 j = old[a];

                  if (j == G_MAXUINT32 || stamp[j] == (guint32) i)
                    continue;
                  stamp[j] = (guint32) i;
                  w--;
                  key[w] = d2[i * k + a];
                  val[w] = j;
                }
              for (guint a = 0; a < w; a++)
                {
                  key[a] = INFINITY;
                  val[a] = G_MAXUINT32;
                }
            }
            for (guint a = 0; a < fan; a++)
              {
                guint32 j = old[a];

                if (j == G_MAXUINT32)
                  continue;
                for (guint b = 0; b < fan; b++)
                  {
                    guint32 l = idx[(gsize) j * k + b];
                    float d;

                    if (l == G_MAXUINT32 || stamp[l] == (guint32) i)
                      continue;
                    stamp[l] = (guint32) i;
                    d = sq_dist (X + i * dim, X + (gsize) l * dim, dim);
                    if (d < key[0])
                      heap_replace_top (key, val, k, d, l);
                  }
              }
          }
      }
      memcpy (idx, idx2, sizeof (guint32) * n * k);
      memcpy (d2, d22, sizeof (float) * n * k);
    }

  /* Rows still short of k (tiny leaves everywhere): fill from a scan. */
#pragma omp parallel for num_threads (nt) schedule (static)
  for (gsize i = 0; i < n; i++)
    {
      float *key = d2 + i * k;
      guint32 *val = idx + i * k;

      if (isinf (key[0]) || val[0] == G_MAXUINT32)
        for (gsize j = 0; j < n; j++)
          if (j != i)
            heap_offer (key, val, k, sq_dist (X + i * dim, X + j * dim, dim), (guint32) j);
      heap_sort (key, val, k);
    }
  return TRUE;
}

gboolean
ov_tsne_knn (const float      *X,
             gsize             n,
             gsize             dim,
             guint             k,
             OvTsneKnnMethod   method,
             guint64           seed,
             int               n_threads,
             guint32          *idx,
             float            *d2,
             GCancellable     *cancellable,
             GError          **error)
{
  int nt = resolve_threads (n_threads);
  gboolean ok;

  g_return_val_if_fail (X != NULL && idx != NULL && d2 != NULL, FALSE);

  if (k == 0 || k >= n)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("t-SNE: %u neighbours asked of %zu points"), k, n);
      return FALSE;
    }
  if (method == OV_TSNE_KNN_FOREST)
    ok = knn_forest (X, n, dim, k, seed, nt, idx, d2, cancellable);
  else
    ok = knn_exact_queries (X, n, dim, NULL, n, k, nt, idx, d2, cancellable);
  if (!ok)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("t-SNE cancelled"));
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Perplexity calibration                                                  */

double
ov_tsne_calibrate_row (const float *d2,
                       guint        k,
                       double       perplexity,
                       double      *p_out)
{
  double target = log (perplexity);
  double beta = 1.0, lo = 0.0, hi = INFINITY;
  double dmin = INFINITY;

  g_return_val_if_fail (d2 != NULL && p_out != NULL && k > 0, 0.0);

  for (guint j = 0; j < k; j++)
    dmin = MIN (dmin, (double) d2[j]);

  /* p_j = exp(-beta (d2_j - dmin)) / S; H = log S + beta E[d2 - dmin]. */
  for (int step = 0; step < 200; step++)
    {
      double s = 0.0, sd = 0.0, H;

      for (guint j = 0; j < k; j++)
        {
          double dd = d2[j] - dmin;
          double e = exp (-beta * dd);

          p_out[j] = e;
          s += e;
          sd += e * dd;
        }
      H = log (s) + beta * sd / s;
      for (guint j = 0; j < k; j++)
        p_out[j] /= s;
      if (fabs (H - target) < 1e-5)
        break;
      if (H > target)
        {
          lo = beta;
          beta = isinf (hi) ? beta * 2.0 : 0.5 * (beta + hi);
        }
      else
        {
          hi = beta;
          beta = 0.5 * (beta + lo);
        }
    }
  return beta;
}

/* ---------------------------------------------------------------------- */
/* Symmetric P in CSR                                                      */

static int
cmp_entry (const void *a,
           const void *b)
{
  guint32 x = ((const OvTsneEntry *) a)->col, y = ((const OvTsneEntry *) b)->col;

  return x < y ? -1 : x > y;
}

/* P_ij = (p_j|i + p_i|j) / 2n from the conditional rows cond (n, k). */
static OvTsneAffinities *
affinities_from_conditional (const guint32 *idx,
                             const float   *cond,
                             gsize          n,
                             guint          k,
                             int            nt)
{
  OvTsneAffinities *P = g_new0 (OvTsneAffinities, 1);
  g_autofree gsize *start = g_new0 (gsize, n + 1);
  g_autofree gsize *fill = NULL;
  g_autofree gsize *kept = g_new0 (gsize, n);
  OvTsneEntry *tmp;
  double scale = 1.0 / (2.0 * (double) n);

  /* Row i holds its own k entries and one per row that lists i. */
  for (gsize i = 0; i < n; i++)
    start[i + 1] += k;
  for (gsize a = 0; a < n * k; a++)
    start[idx[a] + 1]++;
  for (gsize i = 0; i < n; i++)
    start[i + 1] += start[i];

  tmp = g_new (OvTsneEntry, start[n]);
  fill = g_new (gsize, n);
  for (gsize i = 0; i < n; i++)
    {
      for (guint a = 0; a < k; a++)
        {
          tmp[start[i] + a].col = idx[i * k + a];
          tmp[start[i] + a].val = cond[i * k + a];
        }
      fill[i] = start[i] + k;
    }
  for (gsize i = 0; i < n; i++)
    for (guint a = 0; a < k; a++)
      {
        guint32 j = idx[i * k + a];
        OvTsneEntry *e = &tmp[fill[j]++];

        e->col = (guint32) i;
        e->val = cond[i * k + a];
      }

  /* Sort each row by column and merge duplicates (i lists j and j lists i). */
#pragma omp parallel for num_threads (nt) schedule (dynamic, 256)
  for (gsize i = 0; i < n; i++)
    {
      OvTsneEntry *r = tmp + start[i];
      gsize m = start[i + 1] - start[i], w = 0;

      qsort (r, m, sizeof *r, cmp_entry);
      for (gsize a = 0; a < m; a++)
        {
          if (w > 0 && r[w - 1].col == r[a].col)
            r[w - 1].val += r[a].val;
          else
            r[w++] = r[a];
        }
      kept[i] = w;
    }

  P->n = n;
  P->row = g_new (gsize, n + 1);
  P->row[0] = 0;
  for (gsize i = 0; i < n; i++)
    P->row[i + 1] = P->row[i] + kept[i];
  P->nnz = P->row[n];
  P->ent = g_new (OvTsneEntry, P->nnz);
  for (gsize i = 0; i < n; i++)
    for (gsize a = 0; a < kept[i]; a++)
      {
        OvTsneEntry e = tmp[start[i] + a];

        e.val = (float) (e.val * scale);
        P->ent[P->row[i] + a] = e;
      }
  g_free (tmp);

  P->sum = 0.0;
  P->plogp = 0.0;
  for (gsize a = 0; a < P->nnz; a++)
    {
      double p = P->ent[a].val;

      P->sum += p;
      if (p > 0)
        P->plogp += p * log (p);
    }
  return P;
}

static gboolean
check_input (const float *X,
             gsize        n,
             gsize        dim,
             double       perplexity,
             GError     **error)
{
  gsize bad = G_MAXSIZE;
  double limit;

  if (n < 3 || dim == 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("t-SNE needs at least 3 points of dimension >= 1 (got %zu x %zu)"), n, dim);
      return FALSE;
    }
  if (n > G_MAXUINT32 - 1)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("t-SNE: %zu points is more than supported"), n);
      return FALSE;
    }
  if (!(perplexity > 0.0) || perplexity >= (double) n)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("t-SNE: perplexity %g must be positive and less than the number of "
                      "points (%zu)"), perplexity, n);
      return FALSE;
    }
  /* Distances are squared sums in single precision: past this bound they
   * overflow to infinity, and the neighbour search then lists no neighbours
   * at all (values of 1e19 crashed it). */
  limit = sqrt (G_MAXFLOAT / (64.0 * (double) dim));
  for (gsize a = 0; a < n * dim; a++)
    if (!isfinite (X[a]) || fabs (X[a]) > limit)
      {
        bad = a;
        break;
      }
  if (bad != G_MAXSIZE && !isfinite (X[bad]))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("t-SNE: input row %zu column %zu is not a finite number"),
                   bad / dim, bad % dim);
      return FALSE;
    }
  if (bad != G_MAXSIZE)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("t-SNE: input row %zu column %zu is %g; the squared distances of values "
                      "this large overflow single precision (keep them within ±%.3g)"),
                   bad / dim, bad % dim, X[bad], limit);
      return FALSE;
    }
  return TRUE;
}

static guint
neighbours_for (gsize  n,
                double perplexity)
{
  guint k = (guint) MIN ((double) (n - 1), floor (3.0 * perplexity));

  return MAX (k, 1u);
}

static OvTsneAffinities *
affinities_new_timed (const float      *X,
                      gsize             n,
                      gsize             dim,
                      double            perplexity,
                      OvTsneKnnMethod   knn,
                      gsize             knn_exact_max_n,
                      guint64           seed,
                      int               nt,
                      GCancellable     *cancellable,
                      OvTsneStats      *stats,
                      GError          **error)
{
  guint k = neighbours_for (n, perplexity);
  g_autofree guint32 *idx = g_new (guint32, n * k);
  g_autofree float *d2 = g_new (float, n * k);
  g_autofree float *cond = NULL;
  gint64 t0 = g_get_monotonic_time ();
  OvTsneAffinities *P;

  if (knn == OV_TSNE_KNN_AUTO)
    knn = n <= knn_exact_max_n ? OV_TSNE_KNN_EXACT : OV_TSNE_KNN_FOREST;
  if (!ov_tsne_knn (X, n, dim, k, knn, seed, nt, idx, d2, cancellable, error))
    return NULL;
  if (stats != NULL)
    {
      stats->knn_seconds = seconds_since (t0);
      stats->knn_used = knn;
    }

  t0 = g_get_monotonic_time ();
  cond = g_new (float, n * k);
#pragma omp parallel num_threads (nt)
  {
    double *p = g_new (double, k);

#pragma omp for schedule (static)
    for (gsize i = 0; i < n; i++)
      {
        ov_tsne_calibrate_row (d2 + i * k, k, perplexity, p);
        for (guint a = 0; a < k; a++)
          cond[i * k + a] = (float) p[a];
      }
    g_free (p);
  }
  P = affinities_from_conditional (idx, cond, n, k, nt);
  if (stats != NULL)
    {
      stats->affinity_seconds = seconds_since (t0);
      stats->nnz = P->nnz;
    }
  return P;
}

OvTsneAffinities *
ov_tsne_affinities_new (const float      *X,
                        gsize             n,
                        gsize             dim,
                        double            perplexity,
                        OvTsneKnnMethod   knn,
                        gsize             knn_exact_max_n,
                        guint64           seed,
                        int               n_threads,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_return_val_if_fail (X != NULL, NULL);

  if (!check_input (X, n, dim, perplexity, error))
    return NULL;
  return affinities_new_timed (X, n, dim, perplexity, knn, knn_exact_max_n, seed,
                               resolve_threads (n_threads), cancellable, NULL, error);
}

void
ov_tsne_affinities_free (OvTsneAffinities *P)
{
  if (P == NULL)
    return;
  g_free (P->row);
  g_free (P->ent);
  g_free (P);
}

gsize
ov_tsne_affinities_get_n (const OvTsneAffinities *P)
{
  return P->n;
}

gsize
ov_tsne_affinities_get_nnz (const OvTsneAffinities *P)
{
  return P->nnz;
}

double
ov_tsne_affinities_get (const OvTsneAffinities *P,
                        gsize                   i,
                        gsize                   j)
{
  g_return_val_if_fail (P != NULL && i < P->n, 0.0);

  for (gsize a = P->row[i]; a < P->row[i + 1]; a++)
    if (P->ent[a].col == j)
      return P->ent[a].val;
  return 0.0;
}

/* ---------------------------------------------------------------------- */
/* PCA initialisation: covariance by sgemm over row chunks, then subspace  */
/* iteration with a Rayleigh-Ritz step for the leading components.         */

/* Eigen-decomposition of a small symmetric matrix A (m, m) by cyclic Jacobi;
 * eigenvalues into w, eigenvectors as columns of V (m, m). */
static void
jacobi_eigen (double *A,
              int     m,
              double *w,
              double *V)
{
  for (int i = 0; i < m; i++)
    for (int j = 0; j < m; j++)
      V[i * m + j] = i == j;
  for (int sweep = 0; sweep < 100; sweep++)
    {
      double off = 0.0;

      for (int p = 0; p < m; p++)
        for (int q = p + 1; q < m; q++)
          off += A[p * m + q] * A[p * m + q];
      if (off < 1e-30)
        break;
      for (int p = 0; p < m; p++)
        for (int q = p + 1; q < m; q++)
          {
            double apq = A[p * m + q], theta, t, c, s;

            if (fabs (apq) < 1e-300)
              continue;
            theta = (A[q * m + q] - A[p * m + p]) / (2.0 * apq);
            t = (theta >= 0 ? 1.0 : -1.0) / (fabs (theta) + sqrt (theta * theta + 1.0));
            c = 1.0 / sqrt (t * t + 1.0);
            s = t * c;
            for (int r = 0; r < m; r++)
              {
                double arp = A[r * m + p], arq = A[r * m + q];

                A[r * m + p] = c * arp - s * arq;
                A[r * m + q] = s * arp + c * arq;
              }
            for (int r = 0; r < m; r++)
              {
                double apr = A[p * m + r], aqr = A[q * m + r];

                A[p * m + r] = c * apr - s * aqr;
                A[q * m + r] = s * apr + c * aqr;
              }
            for (int r = 0; r < m; r++)
              {
                double vrp = V[r * m + p], vrq = V[r * m + q];

                V[r * m + p] = c * vrp - s * vrq;
                V[r * m + q] = s * vrp + c * vrq;
              }
          }
    }
  for (int i = 0; i < m; i++)
    w[i] = A[i * m + i];
}

/* Modified Gram-Schmidt on the m columns of V (d, m). */
static void
orthonormalise (double *V,
                gsize   d,
                int     m)
{
  for (int c = 0; c < m; c++)
    {
      double nrm = 0.0;

      for (int b = 0; b < c; b++)
        {
          double dot = 0.0;

          for (gsize r = 0; r < d; r++)
            dot += V[r * m + c] * V[r * m + b];
          for (gsize r = 0; r < d; r++)
            V[r * m + c] -= dot * V[r * m + b];
        }
      for (gsize r = 0; r < d; r++)
        nrm += V[r * m + c] * V[r * m + c];
      nrm = sqrt (nrm);
      for (gsize r = 0; r < d; r++)
        V[r * m + c] = nrm > 1e-300 ? V[r * m + c] / nrm : (r == (gsize) c);
    }
}

static void
random_init (gsize    n,
             guint64  seed,
             double  *Y)
{
  GRand *rng = rand_new (seed, 7);

  for (gsize a = 0; a < 2 * n; a++)
    Y[a] = 1e-4 * rand_normal (rng);
  g_rand_free (rng);
}

void
ov_tsne_pca_init (const float *X,
                  gsize        n,
                  gsize        dim,
                  guint64      seed,
                  int          n_threads,
                  double      *Y_out)
{
  int nt = resolve_threads (n_threads);
  const gsize chunk = 4096;
  int m = (int) MIN ((gsize) 4, dim);
  g_autofree double *mean = g_new0 (double, dim);
  g_autofree float *mean_f = g_new (float, dim);
  g_autofree float *Cf = g_new0 (float, dim * dim);
  g_autofree double *C = g_new (double, dim * dim);
  g_autofree float *buf = g_new (float, chunk * dim);
  g_autofree double *V = g_new (double, dim * m);
  g_autofree double *W = g_new (double, dim * m);
  double H[16], evals[4], evecs[16];
  int order[4];
  g_autofree double *pcs = g_new0 (double, 2 * dim);
  double sd = 0.0, mu0 = 0.0;
  GRand *rng;

  g_return_if_fail (X != NULL && Y_out != NULL && n > 0 && dim > 0);

  /* 1. Mean and covariance (dim, dim) = Xc^T Xc / n, chunk by chunk. */
  for (gsize i = 0; i < n; i++)
    for (gsize d = 0; d < dim; d++)
      mean[d] += X[i * dim + d];
  for (gsize d = 0; d < dim; d++)
    {
      mean[d] /= (double) n;
      mean_f[d] = (float) mean[d];
    }
  for (gsize i0 = 0; i0 < n; i0 += chunk)
    {
      gsize rows = MIN (chunk, n - i0);

      for (gsize r = 0; r < rows; r++)
        for (gsize d = 0; d < dim; d++)
          buf[r * dim + d] = X[(i0 + r) * dim + d] - mean_f[d];
      cblas_ssyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) dim, (int) rows,
                   1.f, buf, (int) dim, 1.f, Cf, (int) dim);
    }
  for (gsize a = 0; a < dim; a++)
    for (gsize b = a; b < dim; b++)
      C[a * dim + b] = C[b * dim + a] = Cf[a * dim + b] / (double) n;

  /* 2. Subspace iteration from seeded random vectors. */
  rng = rand_new (seed, 3);
  for (gsize a = 0; a < dim * m; a++)
    V[a] = rand_normal (rng);
  g_rand_free (rng);
  orthonormalise (V, dim, m);
  for (int it = 0; it < 150; it++)
    {
#pragma omp parallel for num_threads (nt) schedule (static)
      for (gsize r = 0; r < dim; r++)
        for (int c = 0; c < m; c++)
          {
            double s = 0.0;

            for (gsize q = 0; q < dim; q++)
              s += C[r * dim + q] * V[q * m + c];
            W[r * m + c] = s;
          }
      memcpy (V, W, sizeof (double) * dim * m);
      orthonormalise (V, dim, m);
    }

  /* 3. Rayleigh-Ritz: H = V^T C V (m, m), its eigenvectors rotate V. */
  for (int a = 0; a < m; a++)
    for (int b = 0; b < m; b++)
      {
        double s = 0.0;

        for (gsize r = 0; r < dim; r++)
          for (gsize q = 0; q < dim; q++)
            s += V[r * m + a] * C[r * dim + q] * V[q * m + b];
        H[a * m + b] = s;
      }
  jacobi_eigen (H, m, evals, evecs);
  /* Eigenvalue order, largest first (m <= 4: a selection sort). */
  for (int a = 0; a < m; a++)
    order[a] = a;
  for (int a = 0; a < m; a++)
    for (int b = a + 1; b < m; b++)
      if (evals[order[b]] > evals[order[a]])
        {
          int t = order[a];

          order[a] = order[b];
          order[b] = t;
        }
  for (int c = 0; c < MIN (m, 2); c++)
    {
      double *pc = pcs + c * dim;
      double big = 0.0;

      for (gsize r = 0; r < dim; r++)
        {
          double s = 0.0;

          for (int b = 0; b < m; b++)
            s += V[r * m + b] * evecs[b * m + order[c]];
          pc[r] = s;
          if (fabs (s) > fabs (big))
            big = s;
        }
      /* Sign: the largest loading positive. */
      if (big < 0)
        for (gsize r = 0; r < dim; r++)
          pc[r] = -pc[r];
    }

  /* 4. Project and scale so that column 0 has standard deviation 1e-4. */
#pragma omp parallel for num_threads (nt) schedule (static)
  for (gsize i = 0; i < n; i++)
    {
      double y0 = 0.0, y1 = 0.0;

      for (gsize d = 0; d < dim; d++)
        {
          double x = X[i * dim + d] - mean[d];

          y0 += x * pcs[d];
          y1 += x * pcs[dim + d];
        }
      Y_out[2 * i] = y0;
      Y_out[2 * i + 1] = m >= 2 ? y1 : 0.0;
    }
  for (gsize i = 0; i < n; i++)
    mu0 += Y_out[2 * i];
  mu0 /= (double) n;
  for (gsize i = 0; i < n; i++)
    sd += (Y_out[2 * i] - mu0) * (Y_out[2 * i] - mu0);
  sd = sqrt (sd / (double) n);
  if (!(sd > 1e-30))
    {
      random_init (n, seed, Y_out);
      return;
    }
  for (gsize a = 0; a < 2 * n; a++)
    Y_out[a] *= 1e-4 / sd;
  if (m < 2)
    {
      rng = rand_new (seed, 5);
      for (gsize i = 0; i < n; i++)
        Y_out[2 * i + 1] = 1e-4 * rand_normal (rng);
      g_rand_free (rng);
    }
}

/* ---------------------------------------------------------------------- */
/* Gradient. Internally the gradient omits the factor 4 of dKL/dy:         */
/*   g_i = exag sum_j p_ij w_ij (y_i - y_j) - (1/Z) sum_j w_ij^2 (y_i - y_j) */
/* with w_ij = 1 / (1 + |y_i - y_j|^2) and Z = sum_{i != j} w_ij.          */

typedef struct {
  int            p;           /* nodes per box and dimension */
  int            max_boxes;
  int            nt;
  int            nb;          /* boxes per side; 0 = no grid yet */
  int            nn;          /* nodes per side = nb p */
  int            nf;          /* FFT length per side = 2 nn */
  double         span;        /* quantised side of the grid */
  /* The FFTs run in single precision: the interpolation error (~1e-2 at one
   * box per unit) dwarfs float rounding, and they take half the time. */
  float         *in;          /* (4, in_stride >= nf * nf) charges, then potentials */
  fftwf_complex *spec;        /* (4, spec_stride >= nf * (nf/2 + 1)) */
  gsize          in_stride, spec_stride;
  fftwf_complex *khat;        /* (nf, nf/2 + 1) kernel spectrum */
  fftwf_plan     fwd, inv;
  double        *grids;       /* (nt, 4, nn, nn) per-thread spreading */
  gsize          n;
  guint32       *node;        /* (n) first node (row-major in the nn x nn grid) */
  double        *wx, *wy;     /* (n, p) Lagrange weights */
  double        *phi;         /* (n, 4) interpolated potentials */
  double        *denom;       /* (p) Lagrange denominators */
} Fft;

typedef struct {
  const OvTsneAffinities *P;
  OvTsneGradientMethod    method;
  int                     nt;
  gsize                   n;
  double                 *rep;    /* (n, 2) repulsion numerators */
  double                 *zrow;   /* (n) */
  double                 *lw;     /* (n) sum_j p_ij log w_ij per row */
  float                  *yx, *yy;/* (n) float copies for the exact kernel */
  Fft                    *fft;
} Grad;

static GMutex fftwf_planner_lock;

static void
fftw_threads_once (void)
{
#ifdef OV_HAVE_FFTW_OMP
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      fftwf_init_threads ();
      g_once_init_leave (&done, 1);
    }
#endif
}

static Fft *
fft_new (gsize n,
         int   p,
         int   max_boxes,
         int   nt)
{
  Fft *f = g_new0 (Fft, 1);

  f->p = CLAMP (p, 2, 8);
  f->max_boxes = MAX (max_boxes, 8);
  f->nt = nt;
  f->n = n;
  f->node = g_new (guint32, n);
  f->wx = g_new (double, n * f->p);
  f->wy = g_new (double, n * f->p);
  f->phi = g_new (double, n * 4);
  f->denom = g_new (double, f->p);
  /* Nodes at (k + 0.5) / p inside a box of unit width. */
  for (int k = 0; k < f->p; k++)
    {
      double d = 1.0;

      for (int m = 0; m < f->p; m++)
        if (m != k)
          d *= (double) (k - m) / f->p;
      f->denom[k] = d;
    }
  fftw_threads_once ();
  return f;
}

static void
fft_free_grid (Fft *f)
{
  g_mutex_lock (&fftwf_planner_lock);
  if (f->fwd != NULL)
    fftwf_destroy_plan (f->fwd);
  if (f->inv != NULL)
    fftwf_destroy_plan (f->inv);
  g_mutex_unlock (&fftwf_planner_lock);
  f->fwd = f->inv = NULL;
  fftwf_free (f->in);
  fftwf_free (f->spec);
  fftwf_free (f->khat);
  g_free (f->grids);
  f->in = NULL;
  f->spec = f->khat = NULL;
  f->grids = NULL;
  f->nb = 0;
}

static void
fft_free (Fft *f)
{
  if (f == NULL)
    return;
  fft_free_grid (f);
  g_free (f->node);
  g_free (f->wx);
  g_free (f->wy);
  g_free (f->phi);
  g_free (f->denom);
  g_free (f);
}

static gboolean
is_7_smooth (int v)
{
  static const int primes[] = { 2, 3, 5, 7 };

  for (guint a = 0; a < G_N_ELEMENTS (primes); a++)
    while (v % primes[a] == 0)
      v /= primes[a];
  return v == 1;
}

/* Sets up the grid for a map of side span (already quantised): boxes of about
 * one unit, at least 50 and at most max_boxes per side, a count whose FFT
 * length 2 p nb has only factors 2, 3, 5 and 7. Plans are made with
 * FFTW_ESTIMATE: measured plans could differ between runs and so break
 * bit-for-bit reproducibility. */
static void
fft_setup (Fft    *f,
           double  span)
{
  int want = (int) CLAMP (ceil (span), 50.0, (double) f->max_boxes);
  int nb = want, nf, nh;
  double delta;
  float *kr;
  fftwf_plan kplan;

  while (!is_7_smooth (2 * f->p * nb) && nb < f->max_boxes)
    nb++;
  if (!is_7_smooth (2 * f->p * nb))
    for (nb = want; nb > 8 && !is_7_smooth (2 * f->p * nb); nb--)
      ;

  if (nb != f->nb)
    {
      fft_free_grid (f);
      f->nb = nb;
      f->nn = nb * f->p;
      f->nf = 2 * f->nn;
      nf = f->nf;
      nh = nf / 2 + 1;
      /* per-charge strides rounded up to 64 bytes: every plan execution
       * sees the alignment the plan was made for */
      f->in_stride = ((gsize) nf * nf + 15) / 16 * 16;
      f->spec_stride = ((gsize) nf * nh + 7) / 8 * 8;
      f->in = fftwf_alloc_real (4 * f->in_stride);
      f->spec = fftwf_alloc_complex (4 * f->spec_stride);
      f->khat = fftwf_alloc_complex ((gsize) nf * nh);
      f->grids = g_new (double, (gsize) f->nt * 4 * f->nn * f->nn);
      g_mutex_lock (&fftwf_planner_lock);
#ifdef OV_HAVE_FFTW_OMP
      /* Both cores on the FFTs; otherwise the second thread idles meanwhile. */
      fftwf_plan_with_nthreads (f->nt);
#endif
      /* One 2-D plan run on each of the 4 charge grids: with estimated plans
       * this was faster here than a single plan over all four. */
      f->fwd = fftwf_plan_dft_r2c_2d (nf, nf, f->in, f->spec, FFTW_ESTIMATE);
      f->inv = fftwf_plan_dft_c2r_2d (nf, nf, f->spec, f->in, FFTW_ESTIMATE);
      g_mutex_unlock (&fftwf_planner_lock);
    }
  f->span = span;

  /* Kernel 1 / (1 + r^2)^2 at node offsets, wrapped for a circular
   * convolution of length nf = 2 nn (offsets -(nn-1) .. nn-1 never alias). */
  nf = f->nf;
  nh = nf / 2 + 1;
  delta = span / f->nn;
  kr = fftwf_alloc_real ((gsize) nf * nf);
  for (int a = 0; a < nf; a++)
    {
      double dx = (a < f->nn ? a : a - nf) * delta;

      for (int b = 0; b < nf; b++)
        {
          double dy = (b < f->nn ? b : b - nf) * delta;
          double w = 1.0 / (1.0 + dx * dx + dy * dy);

          kr[(gsize) a * nf + b] = (float) (w * w);
        }
    }
  g_mutex_lock (&fftwf_planner_lock);
#ifdef OV_HAVE_FFTW_OMP
  fftwf_plan_with_nthreads (f->nt);
#endif
  kplan = fftwf_plan_dft_r2c_2d (nf, nf, kr, f->khat, FFTW_ESTIMATE);
  g_mutex_unlock (&fftwf_planner_lock);
  fftwf_execute (kplan);
  g_mutex_lock (&fftwf_planner_lock);
  fftwf_destroy_plan (kplan);
  g_mutex_unlock (&fftwf_planner_lock);
  fftwf_free (kr);
  (void) nh;
}

/* Repulsion by interpolation: charges (1, y1, y2, |y|^2) of every point are
 * spread onto p x p Lagrange nodes of its box, convolved with the squared
 * Cauchy kernel on the node grid by FFT and read back at the points:
 *   phi_c(i) ~ sum_j w_ij^2 q_c(j)
 *   sum_j w_ij = sum_j w_ij^2 (1 + |y_i - y_j|^2)
 *              = (1 + |y_i|^2) phi_0 - 2 y_i . (phi_1, phi_2) + phi_3
 *   sum_j w_ij^2 (y_i - y_j) = y_i phi_0 - (phi_1, phi_2).
 * Coordinates are taken relative to the grid centre. Returns Z. */
static double
fft_repulsion (Fft          *f,
               const double *Y,
               double       *rep,
               double       *zrow)
{
  gsize n = f->n;
  int p = f->p, nt = f->nt;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  double span, cx, cy, x0, y0, h, scale, Z = 0.0;
  int nn, nf, nb;
  gsize cells;
  static const double step = 1.05;

  for (gsize i = 0; i < n; i++)
    {
      xmin = MIN (xmin, Y[2 * i]);
      xmax = MAX (xmax, Y[2 * i]);
      ymin = MIN (ymin, Y[2 * i + 1]);
      ymax = MAX (ymax, Y[2 * i + 1]);
    }
  /* The span is rounded up to a power of 1.05 so that the kernel spectrum
   * is recomputed only every few iterations while the map grows. */
  span = MAX (xmax - xmin, ymax - ymin) * (1.0 + 1e-6) + 1e-12;
  span = pow (step, ceil (log (span) / log (step)));
  if (f->nb == 0 || span != f->span)
    fft_setup (f, span);

  nn = f->nn;
  nf = f->nf;
  nb = f->nb;
  cells = (gsize) nn * nn;
  cx = 0.5 * (xmin + xmax);
  cy = 0.5 * (ymin + ymax);
  x0 = cx - 0.5 * span;
  y0 = cy - 0.5 * span;
  h = span / nb;

  /* 1. Boxes, weights, and spreading into per-thread grids. */
#pragma omp parallel num_threads (nt)
  {
    int t = OV_THREAD_ID (), tn = OV_N_THREADS ();
    gsize lo = CHUNK_LO (n, t, tn), hi = CHUNK_LO (n, t + 1, tn);
    double *g = f->grids + (gsize) t * 4 * cells;

    memset (g, 0, sizeof (double) * 4 * cells);
    for (gsize i = lo; i < hi; i++)
      {
        double ux = (Y[2 * i] - x0) / h, uy = (Y[2 * i + 1] - y0) / h;
        int bx = CLAMP ((int) floor (ux), 0, nb - 1), by = CLAMP ((int) floor (uy), 0, nb - 1);
        double *wx = f->wx + i * p, *wy = f->wy + i * p;
        double rx = Y[2 * i] - cx, ry = Y[2 * i + 1] - cy;
        double q[4] = { 1.0, rx, ry, rx * rx + ry * ry };
        gsize base = (gsize) bx * p * nn + (gsize) by * p;

        ux -= bx;
        uy -= by;
        for (int k = 0; k < p; k++)
          {
            double lx = 1.0, ly = 1.0;

            for (int m = 0; m < p; m++)
              if (m != k)
                {
                  lx *= ux - (m + 0.5) / p;
                  ly *= uy - (m + 0.5) / p;
                }
            wx[k] = lx / f->denom[k];
            wy[k] = ly / f->denom[k];
          }
        f->node[i] = (guint32) base;
        for (int k = 0; k < p; k++)
          for (int l = 0; l < p; l++)
            {
              double w = wx[k] * wy[l];
              gsize at = base + (gsize) k * nn + l;

              g[at] += w * q[0];
              g[cells + at] += w * q[1];
              g[2 * cells + at] += w * q[2];
              g[3 * cells + at] += w * q[3];
            }
      }
  }

  /* 2. Sum the thread grids in thread order into the zero-padded input. */
  memset (f->in, 0, sizeof (float) * 4 * f->in_stride);
#pragma omp parallel for num_threads (nt) schedule (static)
  for (gsize r = 0; r < (gsize) 4 * nn; r++)
    {
      gsize c = r / nn, row = r % nn;
      float *dst = f->in + c * f->in_stride + row * nf;
      const double *src0 = f->grids + c * cells + row * nn;

      for (int col = 0; col < nn; col++)
        {
          double v = src0[col];

          for (int t = 1; t < nt; t++)
            v += src0[(gsize) t * 4 * cells + col];
          dst[col] = (float) v;
        }
    }

  /* 3. Convolution: forward FFT, multiply by the kernel spectrum, inverse. */
  for (int c = 0; c < 4; c++)
    fftwf_execute_dft_r2c (f->fwd, f->in + c * f->in_stride, f->spec + c * f->spec_stride);
  {
    gsize nh = (gsize) nf / 2 + 1, m = (gsize) nf * nh;

#pragma omp parallel for num_threads (nt) schedule (static)
    for (gsize a = 0; a < 4 * m; a++)
      {
        /* fftwf_complex is two floats (re, im) whether or not it is C99's */
        const float *k = (const float *) &f->khat[a % m];
        float *s = (float *) &f->spec[(a / m) * f->spec_stride + a % m];
        float re = s[0], im = s[1];

        s[0] = re * k[0] - im * k[1];
        s[1] = re * k[1] + im * k[0];
      }
  }
  for (int c = 0; c < 4; c++)
    fftwf_execute_dft_c2r (f->inv, f->spec + c * f->spec_stride, f->in + c * f->in_stride);
  scale = 1.0 / ((double) nf * nf);

  /* 4. Gather at the points. */
#pragma omp parallel for num_threads (nt) schedule (static)
  for (gsize i = 0; i < n; i++)
    {
      const double *wx = f->wx + i * p, *wy = f->wy + i * p;
      gsize base = f->node[i];
      gsize brow = base / nn, bcol = base % nn;
      double ph[4] = { 0, 0, 0, 0 };
      double rx = Y[2 * i] - cx, ry = Y[2 * i + 1] - cy;

      for (int k = 0; k < p; k++)
        for (int l = 0; l < p; l++)
          {
            double w = wx[k] * wy[l] * scale;
            gsize at = (brow + k) * nf + bcol + l;

            for (int c = 0; c < 4; c++)
              ph[c] += w * f->in[c * f->in_stride + at];
          }
      rep[2 * i] = rx * ph[0] - ph[1];
      rep[2 * i + 1] = ry * ph[0] - ph[2];
      zrow[i] = (1.0 + rx * rx + ry * ry) * ph[0] - 2.0 * (rx * ph[1] + ry * ph[2]) + ph[3];
    }
  for (gsize i = 0; i < n; i++)
    Z += zrow[i];
  return Z - (double) n;
}

/* One row of the exact repulsion in float: sums over 1024-column blocks are
 * folded into double. Includes j = i (w = 1, no force): the caller
 * subtracts it from Z. */
static inline __attribute__ ((always_inline)) void
exact_row_body (const float *yx,
           const float *yy,
           gsize        n,
           float        xi,
           float        yi,
           double      *z,
           double      *fx,
           double      *fy)
{
  double zs = 0.0, fxs = 0.0, fys = 0.0;

  for (gsize j0 = 0; j0 < n; j0 += 1024)
    {
      gsize j1 = MIN (n, j0 + 1024);
      float zf = 0.f, fxf = 0.f, fyf = 0.f;

#pragma omp simd reduction(+:zf, fxf, fyf)
      for (gsize j = j0; j < j1; j++)
        {
          float dx = xi - yx[j], dy = yi - yy[j];
          float w = 1.f / (1.f + dx * dx + dy * dy);
          float w2 = w * w;

          zf += w;
          fxf += w2 * dx;
          fyf += w2 * dy;
        }
      zs += zf;
      fxs += fxf;
      fys += fyf;
    }
  *z = zs;
  *fx = fxs;
  *fy = fys;
}

OV_KERNEL_PAIR (void, exact_row,
                (const float *yx, const float *yy, gsize n, float xi, float yi, double *z,
                 double *fx, double *fy),
                (yx, yy, n, xi, yi, z, fx, fy))

static double
exact_repulsion (Grad         *g,
                 const double *Y)
{
  gsize n = g->n;
  double Z = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      g->yx[i] = (float) Y[2 * i];
      g->yy[i] = (float) Y[2 * i + 1];
    }
#pragma omp parallel for num_threads (g->nt) schedule (static)
  for (gsize i = 0; i < n; i++)
    exact_row (g->yx, g->yy, n, g->yx[i], g->yy[i], &g->zrow[i], &g->rep[2 * i],
               &g->rep[2 * i + 1]);
  for (gsize i = 0; i < n; i++)
    Z += g->zrow[i];
  return Z - (double) n;
}

/* The plain double loop: the oracle for both fast paths. */
static double
reference_repulsion (Grad         *g,
                     const double *Y)
{
  gsize n = g->n;
  double Z = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double fx = 0.0, fy = 0.0, z = 0.0;

      for (gsize j = 0; j < n; j++)
        {
          double dx, dy, w;

          if (j == i)
            continue;
          dx = Y[2 * i] - Y[2 * j];
          dy = Y[2 * i + 1] - Y[2 * j + 1];
          w = 1.0 / (1.0 + dx * dx + dy * dy);
          z += w;
          fx += w * w * dx;
          fy += w * w * dy;
        }
      g->rep[2 * i] = fx;
      g->rep[2 * i + 1] = fy;
      Z += z;
    }
  return Z;
}

static Grad *
grad_new (const OvTsneAffinities *P,
          OvTsneGradientMethod    method,
          int                     nt,
          int                     fft_nodes,
          int                     fft_max_boxes)
{
  Grad *g = g_new0 (Grad, 1);

  g->P = P;
  g->method = method;
  g->nt = nt;
  g->n = P->n;
  g->rep = g_new (double, 2 * g->n);
  g->zrow = g_new (double, g->n);
  g->lw = g_new (double, g->n);
  if (method == OV_TSNE_GRADIENT_EXACT)
    {
      g->yx = g_new (float, g->n);
      g->yy = g_new (float, g->n);
    }
  if (method == OV_TSNE_GRADIENT_FFT)
    g->fft = fft_new (g->n, fft_nodes, fft_max_boxes, nt);
  return g;
}

static void
grad_free (Grad *g)
{
  if (g == NULL)
    return;
  g_free (g->rep);
  g_free (g->zrow);
  g_free (g->lw);
  g_free (g->yx);
  g_free (g->yy);
  fft_free (g->fft);
  g_free (g);
}

/* sum_j p_ij w_ij (y_i - y_j) over one row of P: gathers of Y, 4 lanes. */
static inline __attribute__ ((always_inline)) void
attract_row_body (const OvTsneEntry *ent,
             gsize              m,
             const double      *Y,
             double             yi0,
             double             yi1,
             double            *ax_out,
             double            *ay_out)
{
  double ax = 0.0, ay = 0.0;

#pragma omp simd reduction(+:ax, ay)
  for (gsize a = 0; a < m; a++)
    {
      gsize j = ent[a].col;
      double dx = yi0 - Y[2 * j], dy = yi1 - Y[2 * j + 1];
      double pw = ent[a].val / (1.0 + dx * dx + dy * dy);

      ax += pw * dx;
      ay += pw * dy;
    }
  *ax_out = ax;
  *ay_out = ay;
}

OV_KERNEL_PAIR (void, attract_row,
                (const OvTsneEntry *ent, gsize m, const double *Y, double yi0, double yi1,
                 double *ax_out, double *ay_out),
                (ent, m, Y, yi0, yi1, ax_out, ay_out))

/* grad (n, 2) without the factor 4; returns KL when want_kl, else 0. */
static double
grad_compute (Grad         *g,
              const double *Y,
              double        exag,
              double       *grad,
              gboolean      want_kl)
{
  const OvTsneAffinities *P = g->P;
  gsize n = g->n;
  double Z, inv_z, kl = 0.0;

  switch (g->method)
    {
    case OV_TSNE_GRADIENT_FFT:
      Z = fft_repulsion (g->fft, Y, g->rep, g->zrow);
      break;
    case OV_TSNE_GRADIENT_REFERENCE:
      Z = reference_repulsion (g, Y);
      break;
    case OV_TSNE_GRADIENT_EXACT:
    case OV_TSNE_GRADIENT_AUTO:
    default:
      Z = exact_repulsion (g, Y);
      break;
    }
  Z = MAX (Z, 1e-300);
  inv_z = 1.0 / Z;

  /* Attraction over the rows of P, combined with the repulsion. */
#pragma omp parallel for num_threads (g->nt) schedule (static)
  for (gsize i = 0; i < n; i++)
    {
      double ax, ay;

      attract_row (P->ent + P->row[i], P->row[i + 1] - P->row[i], Y, Y[2 * i], Y[2 * i + 1],
                   &ax, &ay);
      if (grad != NULL)
        {
          grad[2 * i] = exag * ax - g->rep[2 * i] * inv_z;
          grad[2 * i + 1] = exag * ay - g->rep[2 * i + 1] * inv_z;
        }
      if (want_kl)
        {
          double lw = 0.0;

          for (gsize a = P->row[i]; a < P->row[i + 1]; a++)
            {
              gsize j = P->ent[a].col;
              double dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];

              lw -= P->ent[a].val * log1p (dx * dx + dy * dy);
            }
          g->lw[i] = lw;
        }
    }

  if (want_kl)
    {
      double slw = 0.0;

      for (gsize i = 0; i < n; i++)
        slw += g->lw[i];
      /* KL = sum p log p - sum p log w + (sum p) log Z */
      kl = P->plogp - slw + P->sum * log (Z);
    }
  return kl;
}

double
ov_tsne_objective (const OvTsneAffinities *P,
                   const double           *Y,
                   OvTsneGradientMethod    method,
                   double                  exaggeration,
                   const OvTsneParams     *params,
                   double                 *grad_out)
{
  OvTsneParams defaults;
  Grad *g;
  double kl;

  g_return_val_if_fail (P != NULL && Y != NULL, 0.0);

  if (params == NULL)
    {
      ov_tsne_params_init (&defaults);
      params = &defaults;
    }
  if (method == OV_TSNE_GRADIENT_AUTO)
    method = P->n <= params->exact_max_n ? OV_TSNE_GRADIENT_EXACT : OV_TSNE_GRADIENT_FFT;
  g = grad_new (P, method, resolve_threads (params->n_threads), params->fft_nodes,
                params->fft_max_boxes);
  kl = grad_compute (g, Y, exaggeration, grad_out, TRUE);
  if (grad_out != NULL)
    for (gsize a = 0; a < 2 * P->n; a++)
      grad_out[a] *= 4.0;
  grad_free (g);
  return kl;
}

/* ---------------------------------------------------------------------- */
/* Optimiser and the whole run                                             */

/* Y (n, 2) in the optimiser's order back to the caller's: out[old] =
 * Y[inv[old]]. */
static void
to_float (const double  *Y,
          gsize          n,
          const guint32 *inv,
          float         *out)
{
  for (gsize i = 0; i < n; i++)
    {
      out[2 * i] = (float) Y[2 * (gsize) inv[i]];
      out[2 * i + 1] = (float) Y[2 * (gsize) inv[i] + 1];
    }
}

/* A breadth-first order of the graph of P (order[new] = old): points that
 * are neighbours in P get nearby indices, so the attraction's reads of Y and
 * the spreading onto the grid stay in cache. On a shuffled 200 000-point set
 * this made the attraction several times faster. */
static guint32 *
bfs_order (const OvTsneAffinities *P)
{
  gsize n = P->n, head = 0, tail = 0;
  guint32 *order = g_new (guint32, n);
  guint8 *seen = g_new0 (guint8, n);

  for (gsize start = 0; start < n; start++)
    {
      if (seen[start])
        continue;
      seen[start] = 1;
      order[tail++] = (guint32) start;
      while (head < tail)
        {
          gsize i = order[head++];

          for (gsize a = P->row[i]; a < P->row[i + 1]; a++)
            {
              guint32 j = P->ent[a].col;

              if (!seen[j])
                {
                  seen[j] = 1;
                  order[tail++] = j;
                }
            }
        }
    }
  g_free (seen);
  return order;
}

/* P with rows and columns renumbered: new index = inv[old]. */
static OvTsneAffinities *
affinities_permute (const OvTsneAffinities *P,
                    const guint32          *order,
                    const guint32          *inv)
{
  OvTsneAffinities *Q = g_new0 (OvTsneAffinities, 1);
  gsize n = P->n;

  Q->n = n;
  Q->nnz = P->nnz;
  Q->sum = P->sum;
  Q->plogp = P->plogp;
  Q->row = g_new (gsize, n + 1);
  Q->ent = g_new (OvTsneEntry, P->nnz);
  Q->row[0] = 0;
  for (gsize r = 0; r < n; r++)
    {
      gsize i = order[r], m = P->row[i + 1] - P->row[i];

      for (gsize a = 0; a < m; a++)
        {
          OvTsneEntry e = P->ent[P->row[i] + a];

          e.col = inv[e.col];
          Q->ent[Q->row[r] + a] = e;
        }
      Q->row[r + 1] = Q->row[r] + m;
    }
  return Q;
}

gboolean
ov_tsne_run_full (const float         *X,
                  gsize                n,
                  gsize                dim,
                  const OvTsneParams  *params,
                  float               *Y_out,
                  OvTsneProgressFunc   progress,
                  gpointer             user_data,
                  GCancellable        *cancellable,
                  OvTsneStats         *stats,
                  GError             **error)
{
  OvTsneParams defaults;
  OvTsneStats local_stats;
  g_autoptr (OvTsneAffinities) P = NULL;
  g_autofree double *Y = NULL;
  g_autofree double *Y0 = NULL;
  g_autofree guint32 *order = NULL;
  g_autofree guint32 *inv = NULL;
  g_autofree double *grad = NULL;
  g_autofree double *upd = NULL;
  g_autofree double *gains = NULL;
  OvTsneGradientMethod method;
  Grad *g;
  int nt;
  double lr, ee;
  gint64 t0, t_block;
  gboolean ok = TRUE;

  g_return_val_if_fail (X != NULL && Y_out != NULL, FALSE);

  if (params == NULL)
    {
      ov_tsne_params_init (&defaults);
      params = &defaults;
    }
  if (stats == NULL)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);
  if (!check_input (X, n, dim, params->perplexity, error))
    return FALSE;
  /* OpenBLAS cuts a product differently for another number of its own
   * threads, and the last bits that change are enough to give another map:
   * the products here run on one BLAS thread (the threads above split the
   * work), so that a seed gives one map in every process and on every
   * machine. The CPU model backend asks the same of OpenBLAS. */
  openblas_set_num_threads (1);
  if (params->n_iter < 0 || params->early_exag_iter < 0)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("t-SNE: negative iteration count (%d, %d)"), params->n_iter,
                   params->early_exag_iter);
      return FALSE;
    }
  nt = resolve_threads (params->n_threads);

  /* 1. Affinities. */
  P = affinities_new_timed (X, n, dim, params->perplexity, params->knn,
                            params->knn_exact_max_n, params->seed, nt, cancellable, stats,
                            error);
  if (P == NULL)
    return FALSE;

  /* 2. Initial map, then everything renumbered in breadth-first order. */
  t0 = g_get_monotonic_time ();
  Y0 = g_new (double, 2 * n);
  if (params->pca_init)
    ov_tsne_pca_init (X, n, dim, params->seed, nt, Y0);
  else
    random_init (n, params->seed, Y0);
  order = bfs_order (P);
  inv = g_new (guint32, n);
  for (gsize r = 0; r < n; r++)
    inv[order[r]] = (guint32) r;
  {
    OvTsneAffinities *Q = affinities_permute (P, order, inv);

    ov_tsne_affinities_free (P);
    P = Q;
  }
  Y = g_new (double, 2 * n);
  for (gsize r = 0; r < n; r++)
    {
      Y[2 * r] = Y0[2 * (gsize) order[r]];
      Y[2 * r + 1] = Y0[2 * (gsize) order[r] + 1];
    }
  g_clear_pointer (&Y0, g_free);
  stats->init_seconds = seconds_since (t0);

  /* 3. Gradient descent with momentum and per-coordinate gains. */
  t0 = g_get_monotonic_time ();
  method = params->gradient;
  if (method == OV_TSNE_GRADIENT_AUTO)
    method = n <= params->exact_max_n ? OV_TSNE_GRADIENT_EXACT : OV_TSNE_GRADIENT_FFT;
  stats->gradient_used = method;
  ee = params->early_exag > 0 ? params->early_exag : 12.0;
  lr = params->learning_rate > 0 ? params->learning_rate : MAX ((double) n / ee, 200.0);
  grad = g_new (double, 2 * n);
  upd = g_new0 (double, 2 * n);
  gains = g_new (double, 2 * n);
  for (gsize a = 0; a < 2 * n; a++)
    gains[a] = 1.0;
  /* Small maps are not worth a thread each: the per-iteration barriers would
   * cost more than the work. The choice depends only on n and n_threads. */
  nt = MIN (nt, 1 + (int) (n / 2000));
  g = grad_new (P, method, nt, params->fft_nodes, params->fft_max_boxes);
  t_block = g_get_monotonic_time ();

  for (int it = 0; it < params->n_iter; it++)
    {
      gboolean early = it < params->early_exag_iter;
      double exag = early ? params->early_exag : 1.0;
      double mom = early ? params->momentum_early : params->momentum_late;
      gboolean last = it == params->n_iter - 1;
      gboolean report = progress != NULL && params->progress_every > 0
                        && ((it + 1) % params->progress_every == 0 || last);
      double kl, mx = 0.0, my = 0.0;

      if (g_cancellable_is_cancelled (cancellable))
        {
          ok = FALSE;
          break;
        }
      /* The KL of a report is an extra pass over P; skipped when unwanted.
       * It never feeds back into the map, so Y is the same either way. */
      kl = grad_compute (g, Y, exag, grad, (report && params->progress_kl) || last);
      if (report && !params->progress_kl && !last)
        kl = NAN;

#pragma omp parallel for num_threads (nt) schedule (static)
      for (gsize i = 0; i < n; i++)
        {
          double step2 = 0.0;

          for (int d = 0; d < 2; d++)
            {
              gsize a = 2 * i + d;
              double gr = grad[a];

              /* Gains grow where the gradient changes sign against the
               * previous step, shrink where it keeps it. */
              if ((gr > 0) != (upd[a] > 0))
                gains[a] += 0.2;
              else
                gains[a] *= 0.8;
              if (gains[a] < 0.01)
                gains[a] = 0.01;
              upd[a] = mom * upd[a] - lr * gains[a] * gr;
              step2 += upd[a] * upd[a];
            }
          if (params->max_step_norm > 0 && step2 > params->max_step_norm * params->max_step_norm)
            {
              double s = params->max_step_norm / sqrt (step2);

              upd[2 * i] *= s;
              upd[2 * i + 1] *= s;
            }
          Y[2 * i] += upd[2 * i];
          Y[2 * i + 1] += upd[2 * i + 1];
        }
      /* Keep the map centred (in a fixed summation order). */
      for (gsize i = 0; i < n; i++)
        {
          mx += Y[2 * i];
          my += Y[2 * i + 1];
        }
      mx /= (double) n;
      my /= (double) n;
      for (gsize i = 0; i < n; i++)
        {
          Y[2 * i] -= mx;
          Y[2 * i + 1] -= my;
        }

      if (last)
        stats->kl = kl;
      if ((it + 1) % 100 == 0)
        {
          g_debug ("iteration %d: %.2f ms per iteration, %d grid boxes per side", it + 1,
                   (g_get_monotonic_time () - t_block) / 1e5,
                   g->fft != NULL ? g->fft->nb : 0);
          t_block = g_get_monotonic_time ();
        }
      if (report)
        {
          to_float (Y, n, inv, Y_out);
          if (!progress (it + 1, params->n_iter, Y_out, n, kl, user_data))
            {
              ok = FALSE;
              break;
            }
        }
    }
  grad_free (g);
  stats->optimise_seconds = seconds_since (t0);
  to_float (Y, n, inv, Y_out);
  if (!ok)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("t-SNE cancelled"));
      return FALSE;
    }
  return TRUE;
}

gboolean
ov_tsne_run (const float         *X,
             gsize                n,
             gsize                dim,
             const OvTsneParams  *params,
             float               *Y_out,
             OvTsneProgressFunc   progress,
             gpointer             user_data,
             GCancellable        *cancellable,
             GError             **error)
{
  return ov_tsne_run_full (X, n, dim, params, Y_out, progress, user_data, cancellable,
                           NULL, error);
}

/* ---------------------------------------------------------------------- */
/* Metrics                                                                 */

double
ov_tsne_kl_divergence (const OvTsneAffinities *P,
                       const float            *Y,
                       int                     n_threads)
{
  gsize n;
  int nt = resolve_threads (n_threads);
  g_autofree double *Yd = NULL;
  double Z = 0.0, slw = 0.0;
  Grad *g;

  g_return_val_if_fail (P != NULL && Y != NULL, 0.0);

  n = P->n;
  Yd = g_new (double, 2 * n);
  for (gsize a = 0; a < 2 * n; a++)
    Yd[a] = Y[a];

  g = grad_new (P, OV_TSNE_GRADIENT_EXACT, nt, 3, 128);
  if (n <= KL_EXACT_MAX_N)
    Z = exact_repulsion (g, Yd);
  else
    {
      /* Z ~ n (n - 1) E[w] over seeded random pairs i != j. */
      GRand *rng = rand_new (0x6b6cULL, 11);
      double s = 0.0;

      for (gsize t = 0; t < KL_SAMPLE_PAIRS; t++)
        {
          gsize i = g_rand_int_range (rng, 0, (gint32) n);
          gsize j = g_rand_int_range (rng, 0, (gint32) n - 1);
          double dx, dy;

          if (j >= i)
            j++;
          dx = Yd[2 * i] - Yd[2 * j];
          dy = Yd[2 * i + 1] - Yd[2 * j + 1];
          s += 1.0 / (1.0 + dx * dx + dy * dy);
        }
      g_rand_free (rng);
      Z = s / KL_SAMPLE_PAIRS * (double) n * (double) (n - 1);
    }

#pragma omp parallel for num_threads (nt) schedule (static)
  for (gsize i = 0; i < n; i++)
    {
      double lw = 0.0;

      for (gsize a = P->row[i]; a < P->row[i + 1]; a++)
        {
          gsize j = P->ent[a].col;
          double dx = Yd[2 * i] - Yd[2 * j], dy = Yd[2 * i + 1] - Yd[2 * j + 1];

          lw -= P->ent[a].val * log1p (dx * dx + dy * dy);
        }
      g->lw[i] = lw;
    }
  for (gsize i = 0; i < n; i++)
    slw += g->lw[i];
  grad_free (g);
  return P->plogp - slw + P->sum * log (Z);
}

/* n_queries seeded sample points without replacement (all when >= n);
 * returns an array of n whose first *nq_out entries are the queries. */
static guint32 *
sample_queries (gsize    n,
                gsize    n_queries,
                guint64  seed,
                gsize   *nq_out)
{
  gsize nq = MIN (n_queries, n);
  guint32 *q = g_new (guint32, n);

  for (gsize i = 0; i < n; i++)
    q[i] = (guint32) i;
  if (nq < n)
    {
      GRand *rng = rand_new (seed, 13);

      for (gsize i = 0; i < nq; i++)
        {
          gsize j = i + (gsize) g_rand_int_range (rng, 0, (gint32) (n - i));
          guint32 t = q[i];

          q[i] = q[j];
          q[j] = t;
        }
      g_rand_free (rng);
    }
  *nq_out = nq;
  return q;
}

double
ov_tsne_knn_recall (const float   *X,
                    gsize          n,
                    gsize          dim,
                    const guint32 *idx,
                    guint          k,
                    gsize          n_queries,
                    guint64        seed,
                    int            n_threads)
{
  gsize nq, hits = 0;
  g_autofree guint32 *q = NULL;
  g_autofree guint32 *ex_idx = NULL;
  g_autofree float *ex_d2 = NULL;

  g_return_val_if_fail (X != NULL && idx != NULL && k > 0 && k < n, 0.0);

  q = sample_queries (n, n_queries, seed, &nq);
  ex_idx = g_new (guint32, nq * k);
  ex_d2 = g_new (float, nq * k);
  knn_exact_queries (X, n, dim, q, nq, k, resolve_threads (n_threads), ex_idx, ex_d2, NULL);
  for (gsize a = 0; a < nq; a++)
    for (guint b = 0; b < k; b++)
      if (heap_contains (idx + (gsize) q[a] * k, k, ex_idx[a * k + b]))
        hits++;
  return (double) hits / ((double) nq * k);
}

double
ov_tsne_knn_preservation (const float *X,
                          gsize        n,
                          gsize        dim,
                          const float *Y,
                          guint        k,
                          gsize        n_queries,
                          guint64      seed,
                          int          n_threads)
{
  int nt = resolve_threads (n_threads);
  g_autofree guint32 *q = NULL;
  g_autofree guint32 *hi_idx = NULL;
  g_autofree float *hi_d2 = NULL;
  g_autofree guint32 *lo_idx = NULL;
  g_autofree float *lo_d2 = NULL;
  gsize nq, hits = 0;

  g_return_val_if_fail (X != NULL && Y != NULL, 0.0);
  g_return_val_if_fail (k > 0 && k < n, 0.0);

  q = sample_queries (n, n_queries, seed, &nq);

  hi_idx = g_new (guint32, nq * k);
  hi_d2 = g_new (float, nq * k);
  knn_exact_queries (X, n, dim, q, nq, k, nt, hi_idx, hi_d2, NULL);

  lo_idx = g_new (guint32, nq * k);
  lo_d2 = g_new (float, nq * k);
#pragma omp parallel for num_threads (nt) schedule (static)
  for (gsize a = 0; a < nq; a++)
    {
      float *key = lo_d2 + a * k;
      guint32 *val = lo_idx + a * k;
      gsize i = q[a];
      float xi = Y[2 * i], yi = Y[2 * i + 1];

      for (guint b = 0; b < k; b++)
        {
          key[b] = INFINITY;
          val[b] = G_MAXUINT32;
        }
      for (gsize j = 0; j < n; j++)
        {
          float dx = xi - Y[2 * j], dy = yi - Y[2 * j + 1];
          float d = dx * dx + dy * dy;

          if (d < key[0] && j != i)
            heap_replace_top (key, val, k, d, (guint32) j);
        }
    }

  for (gsize a = 0; a < nq; a++)
    for (guint b = 0; b < k; b++)
      if (heap_contains (lo_idx + a * k, k, hi_idx[a * k + b]))
        hits++;
  return (double) hits / ((double) nq * k);
}
