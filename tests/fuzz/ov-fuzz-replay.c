/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * A main() for the fuzz targets without libFuzzer: feeds every file named on
 * the command line (folders: every file inside, recursively) to
 * LLVMFuzzerTestOneInput once, under an address-space limit so that a reader
 * that believes a size in the file fails here instead of swapping. Prints TAP.
 */
#define G_LOG_DOMAIN "oscarviz-fuzz"

#include "ov-fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#if defined(__SANITIZE_ADDRESS__)
#define OV_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OV_FUZZ_ASAN 1
#endif
#endif

/* Every reader must stay under this whatever a file claims. */
#define OV_FUZZ_MEMORY_LIMIT ((rlim_t) 2 << 30)

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
collect (const char *path,
         GPtrArray  *files)
{
  GDir *dir;
  const char *name;
  g_autoptr(GPtrArray) names = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;  /* e.g. a target without regressions yet */
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    collect (g_ptr_array_index (names, i), files);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint failed = 0;

#ifndef OV_FUZZ_ASAN
  /* AddressSanitizer reserves terabytes of address space: no limit there. */
  {
    struct rlimit lim = { OV_FUZZ_MEMORY_LIMIT, OV_FUZZ_MEMORY_LIMIT };
    if (setrlimit (RLIMIT_AS, &lim) != 0)
      g_printerr ("# cannot limit the address space\n");
  }
#endif

  for (int i = 1; i < argc; i++)
    if (g_strcmp0 (argv[i], "--tap") != 0)
      collect (argv[i], files);

  g_print ("TAP version 13\n1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *data = NULL;
      gsize len;

      if (!g_file_get_contents (path, &data, &len, NULL))
        {
          g_print ("not ok %u %s # cannot read\n", i + 1, path);
          failed++;
          continue;
        }
      /* A crash ends the program, and meson names the file from the last
       * line printed. */
      g_print ("# %s\n", path);
      fflush (stdout);
      LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
      g_print ("ok %u %s\n", i + 1, path);
    }
  return failed > 0 ? 1 : 0;
}
