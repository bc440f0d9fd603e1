/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * `oscarviz devices [--json]`: the backends this build has and what each
 * finds here: CPU threads and OpenBLAS; whether CUDA was built, its runtime
 * and driver versions, each device with its memory, or why none answers.
 */
#define G_LOG_DOMAIN "ov-cmd-devices"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "model/ov-device.h"
#include "ov-cli.h"
#include "ov-commands.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

static JsonNode *
report_json (const OvDeviceReport *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *built = ov_cuda_version_string (r->cuda_build_version);
  g_autofree char *runtime = ov_cuda_version_string (r->cuda_runtime_version);
  g_autofree char *driver = ov_cuda_version_string (r->cuda_driver_version);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cpu");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "threads");
  json_builder_add_int_value (b, r->cpu_threads);
  json_builder_set_member_name (b, "blas");
  json_builder_add_string_value (b, r->blas_config);
  json_builder_set_member_name (b, "blas_threads");
  json_builder_add_int_value (b, r->blas_threads);
  json_builder_set_member_name (b, "kernel");
  json_builder_add_string_value (b, r->cpu_kernel);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "cuda");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "built");
  json_builder_add_boolean_value (b, r->cuda_built);
  if (r->cuda_built)
    {
      json_builder_set_member_name (b, "toolkit_version");
      json_builder_add_string_value (b, built);
      json_builder_set_member_name (b, "runtime_version");
      json_builder_add_string_value (b, runtime);
      json_builder_set_member_name (b, "driver_version");
      json_builder_add_string_value (b, driver);
    }
  json_builder_set_member_name (b, "devices");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->cuda_devices->len; i++)
    {
      const OvCudaDeviceInfo *d = r->cuda_devices->pdata[i];
      g_autofree char *cc = g_strdup_printf ("%d.%d", d->major, d->minor);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, d->index);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, d->name);
      json_builder_set_member_name (b, "compute_capability");
      json_builder_add_string_value (b, cc);
      json_builder_set_member_name (b, "multiprocessors");
      json_builder_add_int_value (b, d->n_multiprocessors);
      json_builder_set_member_name (b, "total_memory");
      json_builder_add_int_value (b, (gint64) d->total_memory);
      json_builder_set_member_name (b, "free_memory");
      json_builder_add_int_value (b, (gint64) d->free_memory);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "reason");
  if (r->cuda_reason != NULL)
    json_builder_add_string_value (b, r->cuda_reason);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
report_text (const OvDeviceReport *r)
{
  g_autofree char *cpu = g_strdup_printf (ngettext ("%d thread", "%d threads", r->cpu_threads),
                                          r->cpu_threads);
  g_autofree char *blas = g_strdup_printf (ngettext ("%d thread", "%d threads", r->blas_threads),
                                           r->blas_threads);

  /* Translators: "CPU: 16 threads in the engine's pool; OpenBLAS 0.3.21 ... (its own
   * pool: 16 threads, used single-threaded inside the engine's loops)" */
  g_print (_("CPU: %s in the engine's pool; %s (its own pool: %s, used single-threaded "
             "inside the engine's loops)\n"), cpu, r->blas_config, blas);
  /* Translators: "fma" or "avx512" names the kernel's instruction set */
  g_print (_("  few-row product kernel (decoding steps): %s\n"), r->cpu_kernel);
  if (!r->cuda_built)
    {
      g_print (_("CUDA: not built: %s\n"), r->cuda_reason);
      return;
    }
  {
    g_autofree char *built = ov_cuda_version_string (r->cuda_build_version);
    g_autofree char *runtime = ov_cuda_version_string (r->cuda_runtime_version);
    g_autofree char *driver = ov_cuda_version_string (r->cuda_driver_version);

    g_print (_("CUDA: built with %s; runtime %s, driver %s\n"), built, runtime, driver);
  }
  for (guint i = 0; i < r->cuda_devices->len; i++)
    {
      const OvCudaDeviceInfo *d = r->cuda_devices->pdata[i];

      g_print (ngettext ("  device %d: %s, compute %d.%d, %d multiprocessor, "
                         "%.1f GiB (%.1f GiB free)\n",
                         "  device %d: %s, compute %d.%d, %d multiprocessors, "
                         "%.1f GiB (%.1f GiB free)\n", d->n_multiprocessors), d->index, d->name,
               d->major, d->minor, d->n_multiprocessors, d->total_memory / GIB,
               d->free_memory / GIB);
    }
  if (r->cuda_reason != NULL)
    g_print (_("  no device: %s\n"), r->cuda_reason);
}

int
ov_cmd_devices (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) given = NULL;
  g_autoptr(OvDeviceReport) report = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };

  ov_cli_set_command_name ("devices");
  context = g_option_context_new (_("— list the backends and the devices they find"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  given = g_strdupv (argv);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      ov_cli_print_parse_error (context, "devices", given, error);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("oscarviz devices: %s\n", _("takes no arguments"));
      return 2;
    }
  report = ov_device_report_new ();
  if (json)
    {
      g_autoptr(JsonNode) node = report_json (report);
      g_autofree char *text = json_to_string (node, FALSE);

      g_print ("%s\n", text);
    }
  else
    report_text (report);
  return 0;
}
