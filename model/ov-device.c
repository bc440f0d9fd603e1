/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Choosing where a model runs: the device report, the backend that
 * ov_model_load attaches (CUDA when asked for or when AUTO finds a device,
 * else the CPU with the reason kept), the weight upload with its fallback
 * when the device runs out of memory, and the CUDA entry points of a build
 * without the toolkit.
 */
#define G_LOG_DOMAIN "ov-device"

#include <cblas.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "ov-backend-cuda.h"
#include "ov-i18n.h"
#include "ov-device.h"
#include "ov-model-private.h"

#ifndef OV_HAVE_CUDA
#define OV_NOT_BUILT "this build has no CUDA backend (the CUDA toolkit was not found, " \
                     "or the build was configured with -Dcuda=disabled)"

OvBackend *
ov_backend_cuda_new (int device, OvPrecision precision, GError **error)
{
  g_set_error (error, OV_ERROR, OV_ERROR_DEVICE, "%s", OV_NOT_BUILT);
  return NULL;
}

char *
ov_backend_cuda_describe (const OvBackend *be)
{
  return g_strdup ("CUDA (not built)");
}

void
_ov_backend_cuda_get_stats (const OvBackend *be, OvCudaStats *stats)
{
  memset (stats, 0, sizeof *stats);
}

void
_ov_backend_cuda_probe (OvDeviceReport *r)
{
  r->cuda_built = FALSE;
  r->cuda_reason = g_strdup (OV_NOT_BUILT);
}
#endif

void
ov_backend_free (OvBackend *be)
{
  if (be == NULL)
    return;
  if (be->destroy != NULL)
    be->destroy (be);
  else
    g_free (be);
}

static void
cuda_device_info_free (OvCudaDeviceInfo *info)
{
  g_free (info->name);
  g_free (info);
}

const char *
ov_blas_better_core (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  const char *core = openblas_get_corename ();

  if (g_getenv ("OPENBLAS_CORETYPE") != NULL || core == NULL
      || g_ascii_strcasecmp (core, "Prescott") != 0)
    return NULL;
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512vl")
      && __builtin_cpu_supports ("avx512bw") && __builtin_cpu_supports ("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return "Haswell";
#endif
  return NULL;
}

void
ov_blas_reexec_if_generic (char **argv)
{
  const char *core = ov_blas_better_core ();

  if (core == NULL || argv == NULL || argv[0] == NULL)
    return;
  if (!g_setenv ("OPENBLAS_CORETYPE", core, TRUE))
    return;
  execv ("/proc/self/exe", argv);
  /* the exec failed: this process goes on with the generic kernels, and
   * OPENBLAS_CORETYPE stays set for whatever it starts */
}

OvDeviceReport *
ov_device_report_new (void)
{
  OvDeviceReport *r = g_new0 (OvDeviceReport, 1);
  const char *config = openblas_get_config ();

#ifdef _OPENMP
  r->cpu_threads = omp_get_max_threads ();
#else
  r->cpu_threads = 1;
#endif
  r->blas_config = g_strstrip (g_strdup (config != NULL ? config : "OpenBLAS"));
  r->blas_threads = openblas_get_num_threads ();
  r->cpu_kernel = _ov_backend_cpu_best_kernel ();
  r->cuda_devices = g_ptr_array_new_with_free_func ((GDestroyNotify) cuda_device_info_free);
  _ov_backend_cuda_probe (r);
  return r;
}

void
ov_device_report_free (OvDeviceReport *r)
{
  if (r == NULL)
    return;
  g_free (r->blas_config);
  g_clear_pointer (&r->cuda_devices, g_ptr_array_unref);
  g_free (r->cuda_reason);
  g_free (r);
}

char *
ov_cuda_version_string (int version)
{
  if (version <= 0)
    return g_strdup ("none");
  return g_strdup_printf ("%d.%d", version / 1000, version % 1000 / 10);
}

/* Every weight of the model, with its length in floats. */
typedef struct {
  const float **slot;
  gsize         n;
} WeightSlot;

static GArray *
list_weights (OvModel *m, gboolean without_qkv)
{
  const OvConfig *c = &m->config;
  gsize h = c->hidden_size, in = c->intermediate_size, v = c->vocab_size;
  GArray *a = g_array_new (FALSE, FALSE, sizeof (WeightSlot));

#define W(field, count) \
  G_STMT_START { \
    if ((field) != NULL) \
      { \
        WeightSlot s_ = { &(field), (count) }; \
        g_array_append_val (a, s_); \
      } \
  } G_STMT_END

  W (m->word_emb, v * h);
  W (m->pos_emb, (gsize) c->max_position_embeddings * h);
  W (m->type_emb, (gsize) c->type_vocab_size * h);
  W (m->emb_ln_g, h);
  W (m->emb_ln_b, h);
  W (m->img_w, h * c->img_feature_dim);
  W (m->img_b, h);
  W (m->img_ln_g, h);
  W (m->img_ln_b, h);
  for (int l = 0; l < c->num_hidden_layers; l++)
    {
      OvLayerWeights *w = &m->layers[l];

      if (!without_qkv)
        {
          W (w->q_w, h * h); W (w->q_b, h);
          W (w->k_w, h * h); W (w->k_b, h);
          W (w->v_w, h * h); W (w->v_b, h);
        }
      W (w->ao_w, h * h); W (w->ao_b, h);
      W (w->aln_g, h); W (w->aln_b, h);
      W (w->i_w, in * h); W (w->i_b, in);
      W (w->o_w, h * in); W (w->o_b, h);
      W (w->oln_g, h); W (w->oln_b, h);
    }
  W (m->pool_w, h * h);
  W (m->pool_b, h);
  W (m->lm_dense_w, h * h);
  W (m->lm_dense_b, h);
  W (m->lm_ln_g, h);
  W (m->lm_ln_b, h);
  W (m->lm_dec_w, v * h);      /* the word embeddings when tied: uploaded once */
  W (m->lm_bias, v);
  W (m->cls1_w, (gsize) (m->cls_mlp ? m->cls_hidden : m->n_labels) * h);
  W (m->cls1_b, (gsize) (m->cls_mlp ? m->cls_hidden : m->n_labels));
  W (m->cls2_w, (gsize) m->n_labels * m->cls_hidden);
  W (m->cls2_b, (gsize) m->n_labels);
  W (m->sr_w, (gsize) m->n_contrast * h);
  W (m->sr_b, (gsize) m->n_contrast);
#undef W
  return a;
}

/* Points every weight of the model at the backend's copy; on failure the
 * model keeps its host pointers. A backend that can lays each layer's Q, K
 * and V weights, and their biases, end to end, so that one product of 3H
 * rows makes all three (_ov_layer_qkv_fused). */
static gboolean
upload_weights (OvModel *model, OvBackend *be, GError **error)
{
  const OvConfig *c = &model->config;
  gboolean fuse = be->weight_concat != NULL;
  g_autoptr(GArray) slots = NULL;
  g_autofree const float **dev = NULL;
  int n_layers;
  g_autofree const float **qkv_w = g_new0 (const float *, MAX (c->num_hidden_layers, 1));
  g_autofree const float **qkv_b = g_new0 (const float *, MAX (c->num_hidden_layers, 1));
  gsize h = c->hidden_size, hh = h * h;

  for (int l = 0; l < c->num_hidden_layers && fuse; l++)
    {
      const OvLayerWeights *w = &model->layers[l];

      fuse = w->q_w != NULL && w->k_w != NULL && w->v_w != NULL && w->q_b != NULL
             && w->k_b != NULL && w->v_b != NULL;
    }
  n_layers = fuse ? c->num_hidden_layers : 0;
  slots = list_weights (model, fuse);
  dev = g_new (const float *, MAX (slots->len, 1));
  for (guint i = 0; i < slots->len; i++)
    {
      WeightSlot *s = &g_array_index (slots, WeightSlot, i);

      dev[i] = be->weight (be, *s->slot, s->n, error);
      if (dev[i] == NULL)
        return FALSE;
    }
  for (int l = 0; l < n_layers; l++)
    {
      const OvLayerWeights *w = &model->layers[l];
      const float *ws[3] = { w->q_w, w->k_w, w->v_w }, *bs[3] = { w->q_b, w->k_b, w->v_b };
      gsize nw[3] = { hh, hh, hh }, nb[3] = { h, h, h };

      qkv_w[l] = be->weight_concat (be, ws, nw, 3, error);
      if (qkv_w[l] == NULL)
        return FALSE;
      qkv_b[l] = be->weight_concat (be, bs, nb, 3, error);
      if (qkv_b[l] == NULL)
        return FALSE;
    }
  for (guint i = 0; i < slots->len; i++)
    *g_array_index (slots, WeightSlot, i).slot = dev[i];
  for (int l = 0; l < n_layers; l++)
    {
      OvLayerWeights *w = &model->layers[l];

      w->q_w = qkv_w[l];
      w->k_w = qkv_w[l] + hh;
      w->v_w = qkv_w[l] + 2 * hh;
      w->q_b = qkv_b[l];
      w->k_b = qkv_b[l] + h;
      w->v_b = qkv_b[l] + 2 * h;
    }
  return TRUE;
}

/* Tries CUDA device 0 with the model's weights; NULL with the reason, and
 * *no_room set when a device answered but the weights did not fit. */
static OvBackend *
try_cuda (OvModel *model, const OvModelOptions *opts, gboolean *no_room, GError **error)
{
  OvBackend *be = ov_backend_cuda_new (0, opts->precision, error);

  *no_room = FALSE;
  if (be == NULL)
    return NULL;
  if (!upload_weights (model, be, error))
    {
      *no_room = TRUE;
      ov_backend_free (be);
      return NULL;
    }
  return be;
}

gboolean
_ov_model_attach_backend (OvModel *model, const OvModelOptions *opts, GError **error)
{
  g_autoptr(GError) cuda_error = NULL;
  gboolean no_room = FALSE;

  if (opts->device != OV_DEVICE_CPU)
    {
      model->backend = try_cuda (model, opts, &no_room, &cuda_error);
      if (model->backend != NULL)
        {
          model->backend_desc = ov_backend_cuda_describe (model->backend);
          return TRUE;
        }
      /* Asked for CUDA by name and no device answers: say so. Running out of
       * device memory falls back to the CPU in both cases. */
      if (opts->device == OV_DEVICE_CUDA && !no_room)
        {
          g_set_error (error, OV_ERROR, OV_ERROR_DEVICE, "%s: %s", model->path,
                       cuda_error != NULL ? cuda_error->message : "CUDA failed");
          return FALSE;
        }
      model->device_fallback = g_strdup (cuda_error != NULL ? cuda_error->message
                                                            : "CUDA failed");
      if (no_room)
        g_message ("%s: running on the CPU instead: %s", model->path,
                   model->device_fallback);
    }
  model->backend = ov_backend_cpu_new (opts->n_threads);
  model->backend_desc = ov_backend_cpu_describe (model->backend);
  return TRUE;
}

const char *
ov_model_get_device_fallback (OvModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->device_fallback;
}
