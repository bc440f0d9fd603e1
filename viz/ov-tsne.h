/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * t-SNE: input affinities from (exact or approximate) nearest neighbours with
 * per-point perplexity calibration, PCA initialisation, and gradient descent
 * with an exact O(N^2) repulsion for small sets and FFT-accelerated
 * interpolation for large ones. Also the quality metrics (KL divergence,
 * k-NN preservation) used by the tests and the benchmark. No GTK.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  OV_TSNE_GRADIENT_AUTO,       /* exact up to exact_max_n points, FFT above */
  OV_TSNE_GRADIENT_EXACT,      /* O(N^2) repulsion, float SIMD loop */
  OV_TSNE_GRADIENT_FFT,        /* interpolation on a grid + FFT convolution */
  OV_TSNE_GRADIENT_REFERENCE,  /* O(N^2) in double, plain loops: the test oracle */
} OvTsneGradientMethod;

typedef enum {
  OV_TSNE_KNN_AUTO,            /* exact up to knn_exact_max_n points, forest above */
  OV_TSNE_KNN_EXACT,           /* blocked sgemm + per-row selection */
  OV_TSNE_KNN_FOREST,          /* random-projection forest + neighbour-of-neighbour passes */
} OvTsneKnnMethod;

typedef struct {
  double   perplexity;         /* 30 */
  int      n_iter;             /* total iterations, 1000 */
  int      early_exag_iter;    /* 250 */
  double   early_exag;         /* 12 */
  /* Learning rate in the convention without the gradient's factor 4
   * (bhtsne, FIt-SNE, openTSNE); <= 0 picks max (N / early_exag, 200). */
  double   learning_rate;
  double   momentum_early;     /* 0.5, during early exaggeration */
  double   momentum_late;      /* 0.8 */
  double   max_step_norm;      /* largest step of one point per iteration, 5; <= 0 = none */
  guint64  seed;               /* PCA start vectors, forest, fallback init */
  int      n_threads;          /* <= 0: all processors */
  OvTsneGradientMethod gradient;
  OvTsneKnnMethod      knn;
  gsize    exact_max_n;        /* AUTO gradient switch, 10000 */
  gsize    knn_exact_max_n;    /* AUTO kNN switch, 20000 */
  int      fft_max_boxes;      /* cap on grid boxes per side, 128 */
  int      fft_nodes;          /* interpolation nodes per box and dimension, 5 */
  int      progress_every;     /* call the progress function every k iterations, 0 = never */
  /* TRUE: each report carries the KL divergence, which costs about one more
   * gradient step on the exact path and two on the FFT one (a log1p per
   * entry of P); FALSE: reports pass NaN except after the last iteration,
   * so a viewer can take the map every iteration for the price of a copy. */
  gboolean progress_kl;
  gboolean pca_init;           /* TRUE; FALSE = Gaussian N(0, 1e-4) */
} OvTsneParams;

/* Called every progress_every iterations (and after the last) with the
 * current embedding Y (n, 2). kl is the KL divergence at that point (without
 * exaggeration, approximate on the FFT path), NaN when progress_kl is FALSE
 * (but for the last call). Return FALSE to stop the run; ov_tsne_run then
 * fails with G_IO_ERROR_CANCELLED. */
typedef gboolean (*OvTsneProgressFunc) (int          iter,
                                        int          n_iter,
                                        const float *Y,
                                        gsize        n,
                                        double       kl,
                                        gpointer     user_data);

typedef struct {
  double   knn_seconds;
  double   affinity_seconds;   /* calibration + symmetrisation */
  double   init_seconds;
  double   optimise_seconds;
  double   kl;                 /* KL at the end, as the optimiser saw it */
  OvTsneGradientMethod gradient_used;
  OvTsneKnnMethod      knn_used;
  gsize    nnz;                /* entries of the symmetric P */
} OvTsneStats;

void      ov_tsne_params_init        (OvTsneParams *params);

/* X: (n, dim) float32 row-major. Y_out: (n, 2). On cancellation Y_out holds
 * the last embedding reached. Same seed and thread count give bit-identical
 * output, provided OpenBLAS (exact kNN, PCA) also runs with the same number
 * of threads (OPENBLAS_NUM_THREADS). */
gboolean  ov_tsne_run                (const float         *X,
                                      gsize                n,
                                      gsize                dim,
                                      const OvTsneParams  *params,
                                      float               *Y_out,
                                      OvTsneProgressFunc   progress,
                                      gpointer             user_data,
                                      GCancellable        *cancellable,
                                      GError             **error);
/* The same, also filling stats (nullable). */
gboolean  ov_tsne_run_full           (const float         *X,
                                      gsize                n,
                                      gsize                dim,
                                      const OvTsneParams  *params,
                                      float               *Y_out,
                                      OvTsneProgressFunc   progress,
                                      gpointer             user_data,
                                      GCancellable        *cancellable,
                                      OvTsneStats         *stats,
                                      GError             **error);

/* The symmetric joint probabilities P in CSR form (both directions stored,
 * sum of all entries 1). */
typedef struct _OvTsneAffinities OvTsneAffinities;

OvTsneAffinities *ov_tsne_affinities_new  (const float      *X,
                                           gsize             n,
                                           gsize             dim,
                                           double            perplexity,
                                           OvTsneKnnMethod   knn,
                                           gsize             knn_exact_max_n,
                                           guint64           seed,
                                           int               n_threads,
                                           GCancellable     *cancellable,
                                           GError          **error);
void      ov_tsne_affinities_free    (OvTsneAffinities *P);
gsize     ov_tsne_affinities_get_n   (const OvTsneAffinities *P);
gsize     ov_tsne_affinities_get_nnz (const OvTsneAffinities *P);
/* Entry (i, j), 0 when not stored. */
double    ov_tsne_affinities_get     (const OvTsneAffinities *P,
                                      gsize i,
                                      gsize j);

/* k nearest neighbours (squared Euclidean, self excluded) of every row of X:
 * idx and d2 are (n, k), sorted by distance. Exposed for tests (recall). */
gboolean  ov_tsne_knn                (const float      *X,
                                      gsize             n,
                                      gsize             dim,
                                      guint             k,
                                      OvTsneKnnMethod   method,
                                      guint64           seed,
                                      int               n_threads,
                                      guint32          *idx,
                                      float            *d2,
                                      GCancellable     *cancellable,
                                      GError          **error);

/* Calibrates one conditional distribution: p_j = exp(-beta d2_j) / sum, with
 * beta found by bisection so that the entropy (nats) is log(perplexity).
 * d2: (k) squared distances; p_out: (k). Returns beta. */
double    ov_tsne_calibrate_row      (const float *d2,
                                      guint        k,
                                      double       perplexity,
                                      double      *p_out);

/* PCA initialisation: the first two principal components of X, scaled so
 * that the first column has standard deviation 1e-4. Y_out: (n, 2). */
void      ov_tsne_pca_init           (const float *X,
                                      gsize        n,
                                      gsize        dim,
                                      guint64      seed,
                                      int          n_threads,
                                      double      *Y_out);

/* KL(P || Q) of embedding Y (n, 2) and its gradient with respect to Y
 * (grad_out (n, 2), nullable), with the attraction scaled by exaggeration.
 * The returned KL never includes the exaggeration. Exact for EXACT and
 * REFERENCE, interpolated for FFT. params (nullable) supplies n_threads,
 * fft_nodes and fft_max_boxes. */
double    ov_tsne_objective          (const OvTsneAffinities *P,
                                      const double           *Y,
                                      OvTsneGradientMethod    method,
                                      double                  exaggeration,
                                      const OvTsneParams     *params,
                                      double                 *grad_out);

/* Fraction of the exact k nearest neighbours of n_queries seeded sample
 * points found in idx (n, k), e.g. from the forest. */
double    ov_tsne_knn_recall         (const float   *X,
                                      gsize          n,
                                      gsize          dim,
                                      const guint32 *idx,
                                      guint          k,
                                      gsize          n_queries,
                                      guint64        seed,
                                      int            n_threads);

/* Metrics on a final embedding Y (n, 2) float. KL: Q's normaliser exact for
 * n <= 20000, estimated from 2e7 seeded random pairs above. */
double    ov_tsne_kl_divergence      (const OvTsneAffinities *P,
                                      const float            *Y,
                                      int                     n_threads);
/* Fraction of the k exact input-space neighbours of n_queries points
 * (seeded sample; all points when n_queries >= n) that are also among their
 * k nearest neighbours in Y. */
double    ov_tsne_knn_preservation   (const float *X,
                                      gsize        n,
                                      gsize        dim,
                                      const float *Y,
                                      guint        k,
                                      gsize        n_queries,
                                      guint64      seed,
                                      int          n_threads);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvTsneAffinities, ov_tsne_affinities_free)

G_END_DECLS
