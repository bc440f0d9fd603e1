/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The CUDA backend: the backend table on one device and one stream, matrix
 * products through cuBLASLt with the bias added in the product's own kernel
 * (cuBLAS and a bias kernel where cuBLASLt has no algorithm, or with
 * OV_CUDA_LT=0), the rest through our kernels (ov-backend-cuda.cu).
 * Weights are uploaded once; activations come from the stream-ordered pool.
 * Every CUDA and cuBLAS call goes through CUDA_CHECK / CUBLAS_CHECK, which
 * record the first failure with its statement, file and line; check() turns
 * it into an OV_ERROR_DEVICE GError at the engine's boundaries.
 *
 * cuBLAS and cuBLASLt are opened with dlopen when the first backend is made:
 * linking them would load their 500 MB at every start of the program, GPU or
 * not.
 */
#define G_LOG_DOMAIN "ov-backend-cuda"

#include <dlfcn.h>
#include <math.h>
#include <string.h>

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "ov-backend-cuda.h"
#include "ov-cuda-kernels.h"
#include "ov-error.h"
#include "ov-i18n.h"

typedef struct {
  OvBackend       base;
  int             device;
  OvPrecision     precision;
  char           *device_name;
  cudaStream_t    stream;
  cudaMemPool_t   pool;         /* the device's default pool, or NULL */
  cublasHandle_t  blas;
  cublasLtHandle_t lt;          /* NULL: every product through cuBLAS */
  GHashTable     *lt_plans;     /* LtKey → LtPlan */
  void           *workspace;    /* cuBLAS's and cuBLASLt's, workspace_size bytes (one stream) */
  gsize           workspace_size;
  OvCudaStats     stats;
  gboolean        no_graphs;    /* OV_CUDA_GRAPHS=0: every operation runs as it comes */
  GHashTable     *weights;      /* host pointer → device copy */
  GPtrArray      *concats;      /* device copies of weights laid end to end */
  guint64         weight_bytes; /* held by the weights */
  guint64         weight_limit; /* OV_CUDA_WEIGHT_LIMIT_MB, for tests; 0 = none */
  GError         *error;        /* the first failure, until check() */
} OvCudaBackend;

#define CUDA_BE(be) ((OvCudaBackend *) (be))

/* The few cuBLAS entry points we use, from the library opened at run time. */
typedef struct {
  cublasStatus_t (*create)        (cublasHandle_t *handle);
  cublasStatus_t (*destroy)       (cublasHandle_t handle);
  cublasStatus_t (*set_stream)    (cublasHandle_t handle, cudaStream_t stream);
  cublasStatus_t (*set_math_mode) (cublasHandle_t handle, cublasMath_t mode);
  cublasStatus_t (*set_workspace) (cublasHandle_t handle, void *workspace, size_t size);
  cublasStatus_t (*gemm_ex)       (cublasHandle_t handle, cublasOperation_t ta,
                                   cublasOperation_t tb, int m, int n, int k,
                                   const void *alpha, const void *a, cudaDataType at, int lda,
                                   const void *b, cudaDataType bt, int ldb, const void *beta,
                                   void *c, cudaDataType ct, int ldc,
                                   cublasComputeType_t compute, cublasGemmAlgo_t algo);
  const char    *(*status_string) (cublasStatus_t status);
  char          *problem;         /* why it could not be opened, or NULL */
} OvCublas;

/* One of the toolkit's libraries, "libNAME.so.<cuBLAS major>", where the
 * loader finds it or in the toolkit the build saw; NULL with why. */
static void *
open_toolkit_library (const char *name, char **problem)
{
  g_autofree char *file = g_strdup_printf ("lib%s.so.%d", name, CUBLAS_VER_MAJOR);
  void *h = dlopen (file, RTLD_NOW | RTLD_LOCAL);

#ifdef OV_CUDA_LIBDIR
  if (h == NULL)
    {
      g_autofree char *path = g_build_filename (OV_CUDA_LIBDIR, file, NULL);

      h = dlopen (path, RTLD_NOW | RTLD_LOCAL);
    }
#endif
  if (h == NULL)
    *problem = g_strdup_printf (_ ("cannot open %s: %s"), file, dlerror ());
  return h;
}

/* Fills *field with the symbol, unless an earlier one was missing. */
#define SYM(lib, h, file, field, name) \
  if ((lib).problem == NULL && (*(void **) &(lib).field = dlsym ((h), (name))) == NULL) \
    (lib).problem = g_strdup_printf (_ ("%s has no %s"), (file), (name))

static const OvCublas *
cublas_library (void)
{
  static OvCublas lib;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      void *h = open_toolkit_library ("cublas", &lib.problem);

      if (h != NULL)
        {
          SYM (lib, h, "cuBLAS", create, "cublasCreate_v2");
          SYM (lib, h, "cuBLAS", destroy, "cublasDestroy_v2");
          SYM (lib, h, "cuBLAS", set_stream, "cublasSetStream_v2");
          SYM (lib, h, "cuBLAS", set_math_mode, "cublasSetMathMode");
          SYM (lib, h, "cuBLAS", set_workspace, "cublasSetWorkspace_v2");
          SYM (lib, h, "cuBLAS", gemm_ex, "cublasGemmEx");
          SYM (lib, h, "cuBLAS", status_string, "cublasGetStatusString");
        }
      g_once_init_leave (&done, 1);
    }
  return &lib;
}

/* The cuBLASLt entry points: the products with their bias in the epilogue. */
typedef struct {
  cublasStatus_t (*create)         (cublasLtHandle_t *handle);
  cublasStatus_t (*destroy)        (cublasLtHandle_t handle);
  cublasStatus_t (*desc_create)    (cublasLtMatmulDesc_t *desc, cublasComputeType_t compute,
                                    cudaDataType_t scale);
  cublasStatus_t (*desc_destroy)   (cublasLtMatmulDesc_t desc);
  cublasStatus_t (*desc_set)       (cublasLtMatmulDesc_t desc,
                                    cublasLtMatmulDescAttributes_t attr, const void *buf,
                                    size_t size);
  cublasStatus_t (*layout_create)  (cublasLtMatrixLayout_t *layout, cudaDataType type,
                                    uint64_t rows, uint64_t cols, int64_t ld);
  cublasStatus_t (*layout_destroy) (cublasLtMatrixLayout_t layout);
  cublasStatus_t (*pref_create)    (cublasLtMatmulPreference_t *pref);
  cublasStatus_t (*pref_destroy)   (cublasLtMatmulPreference_t pref);
  cublasStatus_t (*pref_set)       (cublasLtMatmulPreference_t pref,
                                    cublasLtMatmulPreferenceAttributes_t attr,
                                    const void *buf, size_t size);
  cublasStatus_t (*heuristic)      (cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
                                    cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                    cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
                                    cublasLtMatmulPreference_t pref, int n_wanted,
                                    cublasLtMatmulHeuristicResult_t *results, int *n_found);
  cublasStatus_t (*matmul)         (cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
                                    const void *alpha, const void *a, cublasLtMatrixLayout_t ad,
                                    const void *b, cublasLtMatrixLayout_t bd, const void *beta,
                                    const void *c, cublasLtMatrixLayout_t cd, void *d,
                                    cublasLtMatrixLayout_t dd, const cublasLtMatmulAlgo_t *algo,
                                    void *workspace, size_t workspace_size,
                                    cudaStream_t stream);
  char          *problem;          /* why it could not be opened, or NULL */
} OvCublasLt;

static const OvCublasLt *
cublas_lt_library (void)
{
  static OvCublasLt lib;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      void *h = open_toolkit_library ("cublasLt", &lib.problem);

      if (h != NULL)
        {
          SYM (lib, h, "cuBLASLt", create, "cublasLtCreate");
          SYM (lib, h, "cuBLASLt", destroy, "cublasLtDestroy");
          SYM (lib, h, "cuBLASLt", desc_create, "cublasLtMatmulDescCreate");
          SYM (lib, h, "cuBLASLt", desc_destroy, "cublasLtMatmulDescDestroy");
          SYM (lib, h, "cuBLASLt", desc_set, "cublasLtMatmulDescSetAttribute");
          SYM (lib, h, "cuBLASLt", layout_create, "cublasLtMatrixLayoutCreate");
          SYM (lib, h, "cuBLASLt", layout_destroy, "cublasLtMatrixLayoutDestroy");
          SYM (lib, h, "cuBLASLt", pref_create, "cublasLtMatmulPreferenceCreate");
          SYM (lib, h, "cuBLASLt", pref_destroy, "cublasLtMatmulPreferenceDestroy");
          SYM (lib, h, "cuBLASLt", pref_set, "cublasLtMatmulPreferenceSetAttribute");
          SYM (lib, h, "cuBLASLt", heuristic, "cublasLtMatmulAlgoGetHeuristic");
          SYM (lib, h, "cuBLASLt", matmul, "cublasLtMatmul");
        }
      g_once_init_leave (&done, 1);
    }
  return &lib;
}
#undef SYM

static void
record_failure (OvCudaBackend *cb, const char *what, const char *detail, const char *stmt,
                const char *file, int line)
{
  if (cb->error != NULL)
    return;
  cb->error = g_error_new (OV_ERROR, OV_ERROR_DEVICE,
                           "CUDA device %d: %s (%s) in %s at %s:%d", cb->device, what,
                           detail, stmt, file, line);
}

/* Errors after which the device's context is broken for good: every later
 * call in this process fails too. */
static gboolean
error_is_sticky (cudaError_t err)
{
  switch (err)
    {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorLaunchTimeout:
    case cudaErrorAssert:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorECCUncorrectable:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
cuda_check (OvCudaBackend *cb, cudaError_t err, const char *stmt, const char *file, int line)
{
  g_autofree char *what = NULL;

  if (G_LIKELY (err == cudaSuccess))
    return TRUE;
  if (error_is_sticky (err))
    what = g_strdup_printf ("%s; the device cannot be used again until the program restarts "
                            "(--device cpu runs without it)", cudaGetErrorString (err));
  record_failure (cb, what != NULL ? what : cudaGetErrorString (err), cudaGetErrorName (err),
                  stmt, file, line);
  return FALSE;
}

static gboolean
cublas_check (OvCudaBackend *cb, cublasStatus_t st, const char *stmt, const char *file,
              int line)
{
  g_autofree char *code = NULL;

  if (G_LIKELY (st == CUBLAS_STATUS_SUCCESS))
    return TRUE;
  code = g_strdup_printf ("cuBLAS status %d", (int) st);
  record_failure (cb, cublas_library ()->status_string (st), code, stmt, file, line);
  return FALSE;
}

#define CUDA_CHECK(cb, stmt) cuda_check ((cb), (stmt), #stmt, __FILE__, __LINE__)
#define CUBLAS_CHECK(cb, stmt) cublas_check ((cb), (stmt), #stmt, __FILE__, __LINE__)

/* The thread that calls may not have this device current (a GTask worker). */
static gboolean
enter (OvCudaBackend *cb)
{
  if (cb->error != NULL)
    return FALSE;
  return CUDA_CHECK (cb, cudaSetDevice (cb->device));
}

/* Stream-ordered memory from the device's pool; a device without memory
 * pools (some virtual GPUs) gets plain cudaMalloc, and a free there waits
 * for the stream to finish with the memory first. */
static cudaError_t
device_malloc (OvCudaBackend *cb, void **p, gsize size)
{
  if (cb->pool != NULL)
    return cudaMallocAsync (p, size, cb->stream);
  return cudaMalloc (p, size);
}

static cudaError_t
device_free (OvCudaBackend *cb, void *p)
{
  cudaError_t err;

  if (cb->pool != NULL)
    return cudaFreeAsync (p, cb->stream);
  err = cudaStreamSynchronize (cb->stream);
  if (err != cudaSuccess)
    {
      (void) cudaFree (p);
      return err;
    }
  return cudaFree (p);
}

static float *
cuda_alloc (const OvBackend *be, gsize n_floats)
{
  OvCudaBackend *cb = CUDA_BE (be);
  void *p = NULL;

  if (!enter (cb))
    return NULL;
  if (!CUDA_CHECK (cb, device_malloc (cb, &p, MAX (n_floats, 1) * sizeof (float))))
    return NULL;
  return p;
}

static void
cuda_free (const OvBackend *be, float *p)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (p == NULL)
    return;
  /* freed even after a failure, but a second error is not recorded */
  if (cb->error == NULL)
    CUDA_CHECK (cb, device_free (cb, p));
  else
    (void) device_free (cb, p);
}

static void
cuda_upload (const OvBackend *be, float *dst, const float *host, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  /* from pageable memory the call returns once the host data is staged, so
   * the caller may free it at once */
  if (n == 0 || !enter (cb))
    return;
  CUDA_CHECK (cb, cudaMemcpyAsync (dst, host, n * sizeof (float), cudaMemcpyHostToDevice,
                                   cb->stream));
}

static void
cuda_download (const OvBackend *be, float *host, const float *src, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (n == 0)
    return;
  if (enter (cb)
      && CUDA_CHECK (cb, cudaMemcpyAsync (host, src, n * sizeof (float),
                                          cudaMemcpyDeviceToHost, cb->stream))
      && CUDA_CHECK (cb, cudaStreamSynchronize (cb->stream)))
    return;
  /* never hand back stale memory: the caller sees NaN until it checks */
  for (gsize i = 0; i < n; i++)
    host[i] = NAN;
}

/* What a cuBLASLt plan depends on: the shape, the maths, whether the bias
 * is added, and how far each matrix's address is aligned (an algorithm
 * chosen for 16-byte aligned matrices must not be given 4-byte aligned
 * ones). No padding: hashed and compared as bytes. */
typedef struct {
  int   m, n, k;
  int   compute;
  int   bias;
  guint align_w, align_x, align_y, align_b;
} LtKey;

/* A product's descriptors and the algorithm cuBLASLt's heuristic chose;
 * usable FALSE when it had none, and the product goes through cuBLAS. */
typedef struct {
  gboolean               usable;
  cublasLtMatmulDesc_t   desc;
  cublasLtMatrixLayout_t a, b, d;
  cublasLtMatmulAlgo_t   algo;
  gsize                  workspace;
} LtPlan;

static guint
lt_key_hash (gconstpointer p)
{
  const LtKey *key = p;
  guint h = 2166136261u;

  h = (h ^ (guint) key->m) * 16777619u;
  h = (h ^ (guint) key->n) * 16777619u;
  h = (h ^ (guint) key->k) * 16777619u;
  h = (h ^ (guint) key->compute) * 16777619u;
  h = (h ^ (guint) key->bias) * 16777619u;
  h = (h ^ key->align_w ^ (key->align_x << 9) ^ (key->align_y << 18)) * 16777619u;
  h = (h ^ key->align_b) * 16777619u;
  return h;
}

static gboolean
lt_key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (LtKey)) == 0;
}

static void
lt_plan_free (gpointer p)
{
  const OvCublasLt *lt = cublas_lt_library ();
  LtPlan *plan = p;

  if (plan->desc != NULL)
    (void) lt->desc_destroy (plan->desc);
  if (plan->a != NULL)
    (void) lt->layout_destroy (plan->a);
  if (plan->b != NULL)
    (void) lt->layout_destroy (plan->b);
  if (plan->d != NULL)
    (void) lt->layout_destroy (plan->d);
  g_free (plan);
}

/* The largest power of two, up to 256, that divides the address. */
static guint
alignment (const void *p)
{
  guintptr a = (guintptr) p;

  return a == 0 ? 256 : (guint) MIN ((guintptr) 256, a & -a);
}

/* The plan for a key, made on first use: y (N, M) column-major =
 * op(w) (N, K) · x (K, M), w being the column-major (K, N) matrix used
 * transposed, plus the bias on every column when key->bias. The heuristic
 * sees the bias pointer of this first use: cuBLASLt judges the bias's
 * alignment by it, and the key holds that alignment. */
static LtPlan *
lt_plan (OvCudaBackend *cb, const LtKey *key, const float *bias)
{
  const OvCublasLt *lt = cublas_lt_library ();
  LtPlan *plan = g_hash_table_lookup (cb->lt_plans, key);
  cublasLtMatmulPreference_t pref = NULL;
  cublasLtMatmulHeuristicResult_t result;
  cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
  cublasLtEpilogue_t epilogue = key->bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
  uint64_t workspace = cb->workspace_size;
  uint32_t align_w = key->align_w, align_x = key->align_x, align_y = key->align_y;
  int found = 0;

  if (plan != NULL)
    return plan;
  plan = g_new0 (LtPlan, 1);
  memset (&result, 0, sizeof result);
  /* a plan that cannot be made is remembered as such: cuBLAS does those
   * products, and the heuristic is not asked again */
  plan->usable =
    lt->desc_create (&plan->desc, (cublasComputeType_t) key->compute, CUDA_R_32F)
      == CUBLAS_STATUS_SUCCESS
    && lt->desc_set (plan->desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta)
       == CUBLAS_STATUS_SUCCESS
    && lt->desc_set (plan->desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb)
       == CUBLAS_STATUS_SUCCESS
    && lt->desc_set (plan->desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue)
       == CUBLAS_STATUS_SUCCESS
    && (bias == NULL
        || lt->desc_set (plan->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias)
           == CUBLAS_STATUS_SUCCESS)
    && lt->layout_create (&plan->a, CUDA_R_32F, key->k, key->n, key->k) == CUBLAS_STATUS_SUCCESS
    && lt->layout_create (&plan->b, CUDA_R_32F, key->k, key->m, key->k) == CUBLAS_STATUS_SUCCESS
    && lt->layout_create (&plan->d, CUDA_R_32F, key->n, key->m, key->n) == CUBLAS_STATUS_SUCCESS
    && lt->pref_create (&pref) == CUBLAS_STATUS_SUCCESS
    && lt->pref_set (pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                     sizeof workspace) == CUBLAS_STATUS_SUCCESS
    && lt->pref_set (pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &align_w,
                     sizeof align_w) == CUBLAS_STATUS_SUCCESS
    && lt->pref_set (pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &align_x,
                     sizeof align_x) == CUBLAS_STATUS_SUCCESS
    && lt->pref_set (pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &align_y,
                     sizeof align_y) == CUBLAS_STATUS_SUCCESS
    && lt->pref_set (pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &align_y,
                     sizeof align_y) == CUBLAS_STATUS_SUCCESS
    && lt->heuristic (cb->lt, plan->desc, plan->a, plan->b, plan->d, plan->d, pref, 1,
                      &result, &found) == CUBLAS_STATUS_SUCCESS
    && found > 0 && result.state == CUBLAS_STATUS_SUCCESS
    && result.workspaceSize <= cb->workspace_size;
  if (pref != NULL)
    (void) lt->pref_destroy (pref);
  if (plan->usable)
    {
      plan->algo = result.algo;
      plan->workspace = result.workspaceSize;
    }
  else
    {
      cb->stats.lt_refused++;
      g_debug ("cuBLASLt has no algorithm for %dx%dx%d (compute %d, bias %d, alignments "
               "%u/%u/%u/%u): cuBLAS makes it", key->m, key->n, key->k, key->compute,
               key->bias, key->align_w, key->align_x, key->align_y, key->align_b);
    }
  g_hash_table_insert (cb->lt_plans, g_memdup2 (key, sizeof *key), plan);
  return plan;
}

/* The product through cuBLASLt, the bias in its epilogue. FALSE when it was
 * not made (no cuBLASLt, no algorithm, an argument cuBLASLt refuses): the
 * caller goes through cuBLAS. A failure while running is recorded. */
static gboolean
lt_linear (OvCudaBackend *cb, float *y, const float *x, const float *w, const float *b,
           int m, int n, int k, cublasComputeType_t compute)
{
  const OvCublasLt *lt = cublas_lt_library ();
  const float one = 1.0f, zero = 0.0f;
  LtKey key;
  LtPlan *plan;
  cublasStatus_t st;

  /* an empty product and a bias off the 16-byte grid take the plain way */
  if (cb->lt == NULL || k <= 0 || (b != NULL && (guintptr) b % 16 != 0))
    return FALSE;
  memset (&key, 0, sizeof key);
  key.m = m;
  key.n = n;
  key.k = k;
  key.compute = (int) compute;
  key.bias = b != NULL;
  key.align_w = alignment (w);
  key.align_x = alignment (x);
  key.align_y = alignment (y);
  key.align_b = b != NULL ? alignment (b) : 0;
  plan = lt_plan (cb, &key, b);
  if (!plan->usable)
    return FALSE;
  if (b != NULL
      && lt->desc_set (plan->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &b, sizeof b)
         != CUBLAS_STATUS_SUCCESS)
    st = CUBLAS_STATUS_NOT_SUPPORTED;
  else
    st = lt->matmul (cb->lt, plan->desc, &one, w, plan->a, x, plan->b, &zero, y, plan->d, y,
                     plan->d, &plan->algo, cb->workspace, plan->workspace, cb->stream);
  if (st == CUBLAS_STATUS_NOT_SUPPORTED || st == CUBLAS_STATUS_INVALID_VALUE)
    {
      /* refused before anything ran: cuBLAS makes this product from now on */
      g_debug ("cuBLASLt refused %dx%dx%d (%s): cuBLAS makes it", m, n, k,
               cublas_library ()->status_string (st));
      plan->usable = FALSE;
      cb->stats.lt_refused++;
      return FALSE;
    }
  if (CUBLAS_CHECK (cb, st))
    cb->stats.lt_products++;
  return TRUE;
}

/* y (M, N) = x (M, K) · w (N, K)ᵀ + b. Row-major y is column-major yᵀ
 * (N, M) = w · xᵀ: w is a column-major (K, N) matrix used transposed. */
static void
cuda_linear (const OvBackend *be, float *y, const float *x, const float *w, const float *b,
             int m, int n, int k)
{
  OvCudaBackend *cb = CUDA_BE (be);
  const float one = 1.0f, zero = 0.0f;
  /* Fast precision takes TF32 only for products of 32 rows or more. Below
   * that a product reads its weights once for few rows and should be bound
   * by memory, so TF32 ought to buy no time (to be measured on a GPU). And
   * a decoding step's products (two rows a beam) are where a caption's near
   * ties are decided: with TF32 there, one of the 60 demo-scene captions
   * changed a word once the inputs were truncated to TF32 rather than
   * rounded (tests/cuda-emu). */
  cublasComputeType_t compute = cb->precision == OV_PRECISION_FAST && m >= 32
                                ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;

  if (m <= 0 || n <= 0 || !enter (cb))
    return;
  /* one launch where cuBLASLt takes it, the bias added in its epilogue */
  if (lt_linear (cb, y, x, w, b, m, n, k, compute))
    return;
  /* cuBLAS wants leading dimensions of at least 1; with k = 0 it writes
   * zeros, and y = b as on the CPU */
  if (!CUBLAS_CHECK (cb, cublas_library ()->gemm_ex (cb->blas, CUBLAS_OP_T, CUBLAS_OP_N,
                                                     n, m, k, &one, w, CUDA_R_32F, MAX (k, 1),
                                                     x, CUDA_R_32F, MAX (k, 1), &zero, y,
                                                     CUDA_R_32F, n, compute,
                                                     CUBLAS_GEMM_DEFAULT)))
    return;
  cb->stats.plain_products++;
  if (b != NULL)
    CUDA_CHECK (cb, ov_cuda_bias (y, b, m, n, cb->stream));
}

static void
cuda_add_layer_norm (const OvBackend *be, float *x, const float *r, const float *g,
                     const float *b, int m, int n, float eps)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_add_layer_norm (x, r, g, b, m, n, eps, cb->stream));
}

static void
cuda_gelu (const OvBackend *be, float *x, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_gelu (x, n, cb->stream));
}

static void
cuda_relu (const OvBackend *be, float *x, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_relu (x, n, cb->stream));
}

static void
cuda_swish (const OvBackend *be, float *x, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_swish (x, n, cb->stream));
}

static void
cuda_tanh (const OvBackend *be, float *x, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_tanh (x, n, cb->stream));
}

/* A small host int32 array copied into a stream-ordered device buffer,
 * freed by the caller with device_free after the kernel that reads it. */
static gint32 *
upload_ints (OvCudaBackend *cb, const gint32 *host, gsize n)
{
  void *p = NULL;

  if (!CUDA_CHECK (cb, device_malloc (cb, &p, MAX (n, 1) * sizeof (gint32))))
    return NULL;
  if (!CUDA_CHECK (cb, cudaMemcpyAsync (p, host, n * sizeof (gint32), cudaMemcpyHostToDevice,
                                        cb->stream)))
    {
      (void) device_free (cb, p);
      return NULL;
    }
  return p;
}

/* The token ids are host arrays (the engine builds them on the host). */
static void
cuda_embed (const OvBackend *be, float *out, const float *word, const float *pos,
            const float *type, const gint32 *ids, const gint32 *pos_ids,
            const gint32 *type_ids, int t, int h)
{
  OvCudaBackend *cb = CUDA_BE (be);
  g_autofree gint32 *packed = NULL;
  gint32 *dev;

  if (t <= 0 || !enter (cb))
    return;
  packed = g_new (gint32, (gsize) 3 * t);
  memcpy (packed, ids, (gsize) t * sizeof (gint32));
  memcpy (packed + t, pos_ids, (gsize) t * sizeof (gint32));
  memcpy (packed + 2 * t, type_ids, (gsize) t * sizeof (gint32));
  dev = upload_ints (cb, packed, (gsize) 3 * t);
  if (dev == NULL)
    return;
  CUDA_CHECK (cb, ov_cuda_embed (out, word, pos, type, dev, t, h, cb->stream));
  CUDA_CHECK (cb, device_free (cb, dev));
}

static void
cuda_attention (const OvBackend *be, float *ctx, float *probs, const float *q, int q_stride,
                const float *k, const float *v, int kv_stride, const float *add_mask,
                int mask_stride, int lq, int lk, int n_heads, int head_dim)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_attention (ctx, probs, q, q_stride, k, v, kv_stride, add_mask,
                                       mask_stride, lq, lk, n_heads, head_dim, cb->stream));
}

static void
cuda_attention_batch (const OvBackend *be, float *ctx, const float *q, int q_stride,
                      const float *k, const float *v, int kv_stride, const float *add_mask,
                      int mask_stride, int lq, int lk, int n_heads, int head_dim, int n_batch,
                      gsize ctx_batch, gsize q_batch, gsize kv_batch)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb))
    CUDA_CHECK (cb, ov_cuda_attention_batch (ctx, q, q_stride, k, v, kv_stride, add_mask,
                                             mask_stride, lq, lk, n_heads, head_dim, n_batch,
                                             ctx_batch, q_batch, kv_batch, cb->stream));
}

static void
cuda_copy_runs (const OvBackend *be, float *dst, gsize dst_outer, const float *src,
                gsize src_outer, const int *src_index, int n_outer, int n_inner,
                gsize inner, gsize n)
{
  OvCudaBackend *cb = CUDA_BE (be);
  gint32 *dev = NULL;

  if (n == 0 || n_outer <= 0 || n_inner <= 0 || !enter (cb))
    return;
  if (n_inner == 1 && n_outer == 1)
    {
      const float *s = src + (gsize) (src_index != NULL ? src_index[0] : 0) * src_outer;

      CUDA_CHECK (cb, cudaMemcpyAsync (dst, s, n * sizeof (float), cudaMemcpyDeviceToDevice,
                                       cb->stream));
      return;
    }
  if (src_index != NULL)
    {
      g_autofree gint32 *idx = g_new (gint32, n_outer);

      for (int o = 0; o < n_outer; o++)
        idx[o] = src_index[o];
      dev = upload_ints (cb, idx, n_outer);
      if (dev == NULL)
        return;
    }
  CUDA_CHECK (cb, ov_cuda_copy_runs (dst, dst_outer, src, src_outer, dev, n_outer, n_inner,
                                     inner, n, cb->stream));
  if (dev != NULL)
    CUDA_CHECK (cb, device_free (cb, dev));
}

static void
cuda_copy_parts_at (const OvBackend *be, float *dst, gsize dst_outer, gsize dst_inner,
                    gsize dst_part, const float *src, gsize src_outer, gsize src_inner,
                    gsize src_part, int n_outer, int n_inner, int n_parts, gsize n,
                    const float *at, gsize at_stride)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (n == 0 || n_outer <= 0 || n_inner <= 0 || n_parts <= 0 || !enter (cb))
    return;
  CUDA_CHECK (cb, ov_cuda_copy_parts (dst, dst_outer, dst_inner, dst_part, src, src_outer,
                                      src_inner, src_part, n_outer, n_inner, n_parts, n, at,
                                      at_stride, cb->stream));
}

/* A stream's work recorded as a CUDA graph, in relaxed mode: cuBLAS and
 * cuBLASLt may make calls of their own while it records. */
static gboolean
cuda_graph_begin (const OvBackend *be)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (cb->no_graphs || !enter (cb))
    return FALSE;
  if (cudaStreamBeginCapture (cb->stream, cudaStreamCaptureModeRelaxed) != cudaSuccess)
    {
      (void) cudaGetLastError ();
      cb->stats.graphs_failed++;
      return FALSE;
    }
  return TRUE;
}

static gpointer
cuda_graph_end (const OvBackend *be, GError **error)
{
  OvCudaBackend *cb = CUDA_BE (be);
  cudaGraph_t graph = NULL;
  cudaGraphExec_t exec = NULL;
  cudaError_t err;

  (void) cudaSetDevice (cb->device);
  /* the capture ends whatever happened while it recorded */
  err = cudaStreamEndCapture (cb->stream, &graph);
  if (err == cudaSuccess && cb->error == NULL)
    err = cudaGraphInstantiate (&exec, graph, 0);
  if (graph != NULL)
    (void) cudaGraphDestroy (graph);
  if (cb->error != NULL)
    {
      /* an operation failed while recording: nothing ran; its error goes
       * to the caller, who runs the operations again without a graph */
      if (exec != NULL)
        (void) cudaGraphExecDestroy (exec);
      (void) cudaGetLastError ();
      cb->stats.graphs_failed++;
      g_propagate_error (error, g_steal_pointer (&cb->error));
      return NULL;
    }
  if (err != cudaSuccess)
    {
      (void) cudaGetLastError ();
      cb->stats.graphs_failed++;
      g_set_error (error, OV_ERROR, OV_ERROR_DEVICE, _ ("CUDA device %d: no graph (%s)"),
                   cb->device, cudaGetErrorString (err));
      return NULL;
    }
  cb->stats.graphs_recorded++;
  return exec;
}

static void
cuda_graph_launch (const OvBackend *be, gpointer graph)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (enter (cb) && CUDA_CHECK (cb, cudaGraphLaunch ((cudaGraphExec_t) graph, cb->stream)))
    cb->stats.graph_launches++;
}

static void
cuda_graph_free (const OvBackend *be, gpointer graph)
{
  if (graph != NULL)
    (void) cudaGraphExecDestroy ((cudaGraphExec_t) graph);
}

/* cudaMalloc, and when the device is full, again after the pool has given
 * back the activation memory it keeps. */
static cudaError_t
weight_alloc (OvCudaBackend *cb, void **dev, gsize n_bytes)
{
  cudaError_t err = cudaMalloc (dev, n_bytes);

  if (err == cudaErrorMemoryAllocation && cb->pool != NULL)
    {
      (void) cudaGetLastError ();
      if (cudaStreamSynchronize (cb->stream) == cudaSuccess
          && cudaMemPoolTrimTo (cb->pool, 0) == cudaSuccess)
        err = cudaMalloc (dev, n_bytes);
    }
  return err;
}

/* "288 bytes", "2.8 MiB", "139.8 GiB": plain ASCII, for messages that may
 * go to a log in any locale. */
static char *
size_text (guint64 bytes)
{
  if (bytes < 1024)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", bytes);
  if (bytes < 1048576)
    return g_strdup_printf ("%.1f KiB", bytes / 1024.0);
  if (bytes < G_GUINT64_CONSTANT (1) << 30)
    return g_strdup_printf ("%.1f MiB", bytes / 1048576.0);
  return g_strdup_printf ("%.1f GiB", bytes / 1073741824.0);
}

/* Host arrays laid end to end in one new device buffer, counted against
 * the weight limit; NULL with an error saying how much did not fit. */
static void *
upload_parts (OvCudaBackend *cb, const float *const *hosts, const gsize *n, int count,
              GError **error)
{
  gsize total = 0, at = 0;
  void *dev = NULL;
  cudaError_t err;

  for (int i = 0; i < count; i++)
    total += n[i];
  /* the limit lets the tests run out of memory on purpose */
  if (cb->weight_limit > 0 && cb->weight_bytes + total * sizeof (float) > cb->weight_limit)
    err = cudaErrorMemoryAllocation;
  else
    err = weight_alloc (cb, &dev, MAX (total, 1) * sizeof (float));
  /* on the compute stream: it does not wait for the legacy default stream,
   * and a plain cudaMemcpy from pageable memory may return before the copy
   * has landed */
  for (int i = 0; i < count && err == cudaSuccess; i++)
    {
      err = cudaMemcpyAsync ((float *) dev + at, hosts[i], n[i] * sizeof (float),
                             cudaMemcpyHostToDevice, cb->stream);
      at += n[i];
    }
  if (err != cudaSuccess)
    {
      size_t free_b = 0, total_b = 0;
      g_autofree char *want = NULL, *have = NULL, *all = NULL;

      if (dev != NULL)
        cudaFree (dev);
      /* a failed allocation leaves no sticky error; clear it for the next call */
      (void) cudaGetLastError ();
      (void) cudaMemGetInfo (&free_b, &total_b);
      want = size_text (total * sizeof (float));
      have = size_text (free_b);
      all = size_text (total_b);
      g_set_error (error, OV_ERROR, OV_ERROR_DEVICE,
                   _ ("CUDA device %d: cannot hold a weight of %s (%s; %s of %s free)"),
                   cb->device, want, cudaGetErrorString (err), have, all);
      return NULL;
    }
  cb->weight_bytes += total * sizeof (float);
  cb->stats.weight_bytes = cb->weight_bytes;
  return dev;
}

static const float *
cuda_weight (const OvBackend *be, const float *host, gsize n, GError **error)
{
  OvCudaBackend *cb = CUDA_BE (be);
  void *dev = g_hash_table_lookup (cb->weights, host);

  if (dev != NULL)
    return dev;
  if (!ov_backend_check (be, error) || !enter (cb))
    return NULL;
  dev = upload_parts (cb, &host, &n, 1, error);
  if (dev != NULL)
    g_hash_table_insert (cb->weights, (gpointer) host, dev);
  return dev;
}

/* Host arrays laid end to end in one device copy, kept in cb->concats. */
static const float *
cuda_weight_concat (const OvBackend *be, const float *const *hosts, const gsize *n, int count,
                    GError **error)
{
  OvCudaBackend *cb = CUDA_BE (be);
  void *dev;

  if (!ov_backend_check (be, error) || !enter (cb))
    return NULL;
  dev = upload_parts (cb, hosts, n, count, error);
  if (dev != NULL)
    g_ptr_array_add (cb->concats, dev);
  return dev;
}

static gboolean
cuda_check_error (const OvBackend *be, GError **error)
{
  OvCudaBackend *cb = CUDA_BE (be);

  if (cb->error == NULL)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&cb->error));
  /* a launch failure leaves the runtime's last error set: clear it */
  (void) cudaGetLastError ();
  return FALSE;
}

static void
free_device (gpointer p)
{
  (void) cudaFree (p);
}

static void
cuda_destroy (OvBackend *be)
{
  OvCudaBackend *cb = CUDA_BE (be);

  (void) cudaSetDevice (cb->device);
  if (cb->stream != NULL)
    (void) cudaStreamSynchronize (cb->stream);
  g_clear_pointer (&cb->weights, g_hash_table_unref);
  g_clear_pointer (&cb->concats, g_ptr_array_unref);
  g_clear_pointer (&cb->lt_plans, g_hash_table_unref);
  if (cb->lt != NULL)
    (void) cublas_lt_library ()->destroy (cb->lt);
  /* the pool is the process's: hand back what it keeps for the next model */
  if (cb->pool != NULL)
    (void) cudaMemPoolTrimTo (cb->pool, 0);
  if (cb->blas != NULL)
    (void) cublas_library ()->destroy (cb->blas);
  /* after the libraries that were given it */
  if (cb->workspace != NULL)
    (void) cudaFree (cb->workspace);
  if (cb->stream != NULL)
    (void) cudaStreamDestroy (cb->stream);
  g_clear_error (&cb->error);
  g_free (cb->device_name);
  g_free (cb);
}

static gboolean cuda_log_softmax_topk (const OvBackend *be, const float *logits,
                                       const float *beam_scores, int nb, int v, int k,
                                       float *row_max, float *row_lse, float *top_scores,
                                       gint32 *top_words, float *top_lps, GError **error);

static const OvBackend cuda_table = {
  .name = "cuda",
  .n_threads = 1,
  .host_memory = FALSE,
  .alloc = cuda_alloc,
  .free = cuda_free,
  .upload = cuda_upload,
  .download = cuda_download,
  .linear = cuda_linear,
  .add_layer_norm = cuda_add_layer_norm,
  .gelu = cuda_gelu,
  .relu = cuda_relu,
  .swish = cuda_swish,
  .tanh = cuda_tanh,
  .embed = cuda_embed,
  .attention = cuda_attention,
  .copy_runs = cuda_copy_runs,
  .attention_batch = cuda_attention_batch,
  .weight = cuda_weight,
  .log_softmax_topk = cuda_log_softmax_topk,
  .copy_parts_at = cuda_copy_parts_at,
  .weight_concat = cuda_weight_concat,
  .graph_begin = cuda_graph_begin,
  .graph_end = cuda_graph_end,
  .graph_launch = cuda_graph_launch,
  .graph_free = cuda_graph_free,
  .check = cuda_check_error,
  .destroy = cuda_destroy,
};

/* Whether the NVIDIA driver's library can be opened; when it cannot, why.
 * Asking the runtime instead costs a good part of a second on a machine
 * without the driver (it searches for the library and sets itself up
 * first), and every start of the program asks. */
static const char *
driver_missing (void)
{
  static char *why;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* kept open: the runtime opens the same library */
      if (dlopen ("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL) == NULL)
        why = g_strdup_printf (_ ("no NVIDIA driver: %s"), dlerror ());
      g_once_init_leave (&done, 1);
    }
  return why;
}

static char *
device_problem (int index)
{
  int n = 0;
  cudaError_t err;

  if (driver_missing () != NULL)
    return g_strdup (driver_missing ());
  err = cudaGetDeviceCount (&n);

  if (err != cudaSuccess)
    {
      (void) cudaGetLastError ();
      if (err == cudaErrorInsufficientDriver)
        return g_strdup_printf (_ ("%s (the NVIDIA driver is missing or older than CUDA %d.%d "
                                   "needs)"), cudaGetErrorString (err), CUDART_VERSION / 1000,
                                CUDART_VERSION % 1000 / 10);
      return g_strdup_printf ("%s (%s)", cudaGetErrorString (err), cudaGetErrorName (err));
    }
  if (n == 0)
    return g_strdup (_ ("the driver reports no CUDA device"));
  if (index < 0 || index >= n)
    return g_strdup_printf (_ ("there is no CUDA device %d (%d found)"), index, n);
  return NULL;
}

/* cuBLASLt for the products unless OV_CUDA_LT=0 or it cannot be had (the
 * debug log says why); then cuBLAS and the bias kernel make every product,
 * and the description says cuBLAS. */
static void
lt_setup (OvCudaBackend *cb)
{
  const OvCublasLt *lt;

  if (g_strcmp0 (g_getenv ("OV_CUDA_LT"), "0") == 0)
    return;
  lt = cublas_lt_library ();
  if (lt->problem != NULL)
    {
      g_debug ("products through cuBLAS: %s", lt->problem);
      return;
    }
  if (lt->create (&cb->lt) != CUBLAS_STATUS_SUCCESS)
    {
      g_debug ("products through cuBLAS: cublasLtCreate failed");
      cb->lt = NULL;
      return;
    }
  cb->lt_plans = g_hash_table_new_full (lt_key_hash, lt_key_equal, g_free, lt_plan_free);
}

/* A workspace of our own for cuBLAS and cuBLASLt, so that neither needs to
 * allocate one inside a recorded graph; set after cublasSetStream, which
 * resets cuBLAS's. Without room for it, cuBLAS keeps its own and cuBLASLt
 * takes only algorithms that need none. */
static void
workspace_setup (OvCudaBackend *cb)
{
  /* what cuBLAS itself sets aside on Hopper */
  gsize size = 32 * 1048576;

  if (cudaMalloc (&cb->workspace, size) != cudaSuccess)
    {
      (void) cudaGetLastError ();
      cb->workspace = NULL;
      return;
    }
  cb->workspace_size = size;
  if (cublas_library ()->set_workspace (cb->blas, cb->workspace, size) != CUBLAS_STATUS_SUCCESS)
    g_debug ("cublasSetWorkspace refused %zu bytes: cuBLAS keeps its own", size);
}

OvBackend *
ov_backend_cuda_new (int device, OvPrecision precision, GError **error)
{
  g_autofree char *problem = device_problem (device);
  const OvCublas *blas;
  OvCudaBackend *cb;
  struct cudaDeviceProp prop;
  guint64 keep = G_MAXUINT64;
  int pools = 0;

  if (problem != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_DEVICE, _ ("no CUDA device: %s"), problem);
      return NULL;
    }
  /* only now: opening cuBLAS costs a fraction of a second */
  blas = cublas_library ();
  if (blas->problem != NULL)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_DEVICE, _ ("no cuBLAS: %s"), blas->problem);
      return NULL;
    }
  cb = g_new0 (OvCudaBackend, 1);
  cb->base = cuda_table;
  cb->device = device;
  cb->precision = precision;
  cb->weights = g_hash_table_new_full (NULL, NULL, NULL, free_device);
  cb->concats = g_ptr_array_new_with_free_func (free_device);
  cb->no_graphs = g_strcmp0 (g_getenv ("OV_CUDA_GRAPHS"), "0") == 0;
  /* MiB, fractions allowed, so that a test can run out at a chosen weight */
  if (g_getenv ("OV_CUDA_WEIGHT_LIMIT_MB") != NULL)
    cb->weight_limit = (guint64) (g_ascii_strtod (g_getenv ("OV_CUDA_WEIGHT_LIMIT_MB"), NULL)
                                  * 1048576.0);
  if (CUDA_CHECK (cb, cudaSetDevice (device))
      && CUDA_CHECK (cb, cudaGetDeviceProperties (&prop, device))
      && CUDA_CHECK (cb, cudaStreamCreateWithFlags (&cb->stream, cudaStreamNonBlocking))
      && CUDA_CHECK (cb, cudaDeviceGetAttribute (&pools, cudaDevAttrMemoryPoolsSupported,
                                                 device))
      /* keep freed activation memory in the pool between calls */
      && (!pools
          || (CUDA_CHECK (cb, cudaDeviceGetDefaultMemPool (&cb->pool, device))
              && CUDA_CHECK (cb, cudaMemPoolSetAttribute (cb->pool,
                                                          cudaMemPoolAttrReleaseThreshold,
                                                          &keep))))
      && CUBLAS_CHECK (cb, blas->create (&cb->blas))
      && CUBLAS_CHECK (cb, blas->set_stream (cb->blas, cb->stream))
      /* CUBLAS_COMPUTE_32F in each call already excludes TF32 in exact mode */
      && CUBLAS_CHECK (cb, blas->set_math_mode (cb->blas, CUBLAS_DEFAULT_MATH)))
    {
      if (!pools)
        g_debug ("%s has no memory pools: plain cudaMalloc, and a wait before each free",
                 prop.name);
      cb->device_name = g_strdup (prop.name);
      workspace_setup (cb);
      lt_setup (cb);
      return &cb->base;
    }
  g_propagate_error (error, g_steal_pointer (&cb->error));
  cuda_destroy (&cb->base);
  return NULL;
}

char *
ov_backend_cuda_describe (const OvBackend *be)
{
  OvCudaBackend *cb = CUDA_BE (be);

  return g_strdup_printf ("CUDA: %s (device %d, %s; %s; %s)", cb->device_name, cb->device,
                          cb->precision == OV_PRECISION_FAST ? "fast, TF32" : "exact",
                          cb->lt != NULL ? "cuBLASLt" : "cuBLAS",
                          cb->no_graphs ? "no graphs" : "graphs");
}

void
_ov_backend_cuda_get_stats (const OvBackend *be, OvCudaStats *stats)
{
  *stats = CUDA_BE (be)->stats;
}

static gboolean
cuda_log_softmax_topk (const OvBackend *be, const float *logits, const float *beam_scores,
                       int nb, int v, int k, float *row_max, float *row_lse,
                       float *top_scores, gint32 *top_words, float *top_lps, GError **error)
{
  OvCudaBackend *cb = CUDA_BE (be);
  gsize n_top = (gsize) nb * k;
  /* one buffer each way, so a step waits for the device once: the beams'
   * scores in front, then what comes back: max (B), lse (B), scores (B, k),
   * log-probabilities (B, k) and the words (B, k) as int32 */
  gsize n_back = (gsize) 2 * nb + 3 * n_top;
  g_autofree float *host = NULL;
  float *buf, *back;

  G_STATIC_ASSERT (sizeof (gint32) == sizeof (float));
  if (nb <= 0 || k <= 0)
    return TRUE;
  buf = cuda_alloc (be, nb + n_back);
  if (buf != NULL)
    {
      back = buf + nb;
      cuda_upload (be, buf, beam_scores, nb);
      if (cb->error == NULL)
        CUDA_CHECK (cb, ov_cuda_log_softmax_topk (logits, buf, nb, v, k, back, back + nb,
                                                  back + 2 * nb, (gint32 *) (back + 2 * nb
                                                                             + 2 * n_top),
                                                  back + 2 * nb + n_top, cb->stream));
      host = g_new (float, n_back);
      cuda_download (be, host, back, n_back);
      if (cb->error == NULL)
        {
          memcpy (row_max, host, nb * sizeof (float));
          memcpy (row_lse, host + nb, nb * sizeof (float));
          memcpy (top_scores, host + 2 * nb, n_top * sizeof (float));
          memcpy (top_lps, host + 2 * nb + n_top, n_top * sizeof (float));
          memcpy (top_words, host + 2 * nb + 2 * n_top, n_top * sizeof (gint32));
        }
    }
  cuda_free (be, buf);
  return ov_backend_check (be, error);
}

void
_ov_backend_cuda_probe (OvDeviceReport *r)
{
  int n = 0;
  cudaError_t err;

  r->cuda_built = TRUE;
  r->cuda_build_version = CUDART_VERSION;
  if (cudaRuntimeGetVersion (&r->cuda_runtime_version) != cudaSuccess)
    r->cuda_runtime_version = 0;
  if (driver_missing () != NULL)
    {
      r->cuda_reason = g_strdup (driver_missing ());
      return;
    }
  if (cudaDriverGetVersion (&r->cuda_driver_version) != cudaSuccess)
    r->cuda_driver_version = 0;
  err = cudaGetDeviceCount (&n);
  if (err != cudaSuccess || n == 0)
    {
      r->cuda_reason = device_problem (0);
      return;
    }
  for (int i = 0; i < n; i++)
    {
      struct cudaDeviceProp prop;
      OvCudaDeviceInfo *info;
      size_t free_b = 0, total_b = 0;

      if (cudaGetDeviceProperties (&prop, i) != cudaSuccess)
        {
          (void) cudaGetLastError ();
          continue;
        }
      info = g_new0 (OvCudaDeviceInfo, 1);
      info->index = i;
      info->name = g_strdup (prop.name);
      info->major = prop.major;
      info->minor = prop.minor;
      info->n_multiprocessors = prop.multiProcessorCount;
      info->total_memory = prop.totalGlobalMem;
      if (cudaSetDevice (i) == cudaSuccess && cudaMemGetInfo (&free_b, &total_b) == cudaSuccess)
        info->free_memory = free_b;
      else
        (void) cudaGetLastError ();
      g_ptr_array_add (r->cuda_devices, info);
    }
  if (r->cuda_devices->len == 0)
    r->cuda_reason = g_strdup ("no CUDA device could be queried");
}
