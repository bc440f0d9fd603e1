/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 */
#define G_LOG_DOMAIN "ov-files"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ov-files.h"
#include "ov-i18n.h"

typedef struct {
  dev_t dev;
  ino_t ino;
} FileId;

static GMutex reads_lock;
static GHashTable *reads;   /* FileId* -> char* (the name it was read under) */
static gboolean tracking;

static guint
file_id_hash (gconstpointer p)
{
  const FileId *id = p;

  return (guint) id->ino ^ ((guint) id->dev * 2654435761u);
}

static gboolean
file_id_equal (gconstpointer a,
               gconstpointer b)
{
  const FileId *x = a, *y = b;

  return x->dev == y->dev && x->ino == y->ino;
}

void
ov_files_track_reads (gboolean track)
{
  g_mutex_lock (&reads_lock);
  tracking = track;
  if (!track)
    g_clear_pointer (&reads, g_hash_table_unref);
  g_mutex_unlock (&reads_lock);
}

void
ov_files_note_read (const char *path)
{
  GStatBuf st;
  FileId *id;

  if (path == NULL || !g_atomic_int_get (&tracking) || g_stat (path, &st) != 0)
    return;
  id = g_new (FileId, 1);
  id->dev = st.st_dev;
  id->ino = st.st_ino;
  g_mutex_lock (&reads_lock);
  if (tracking && reads == NULL)
    reads = g_hash_table_new_full (file_id_hash, file_id_equal, g_free, g_free);
  if (tracking && !g_hash_table_contains (reads, id))
    g_hash_table_insert (reads, g_steal_pointer (&id), g_strdup (path));
  g_mutex_unlock (&reads_lock);
  g_free (id);
}

char *
ov_files_find_read (const char *path)
{
  GStatBuf st;
  FileId id;
  char *found = NULL;

  if (path == NULL || g_stat (path, &st) != 0)
    return NULL;
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  g_mutex_lock (&reads_lock);
  if (reads != NULL)
    found = g_strdup (g_hash_table_lookup (reads, &id));
  g_mutex_unlock (&reads_lock);
  return found;
}

typedef struct {
  char *option;
  char *path;
  char *tmp;
  gboolean placed;
} Output;

struct _OvOutputSet {
  GArray *outputs;   /* Output */
};

static void
output_clear (gpointer p)
{
  Output *o = p;

  if (o->tmp != NULL && !o->placed)
    g_unlink (o->tmp);
  g_free (o->option);
  g_free (o->path);
  g_free (o->tmp);
}

OvOutputSet *
ov_output_set_new (void)
{
  OvOutputSet *set = g_new0 (OvOutputSet, 1);

  set->outputs = g_array_new (FALSE, TRUE, sizeof (Output));
  g_array_set_clear_func (set->outputs, output_clear);
  return set;
}

void
ov_output_set_free (OvOutputSet *set)
{
  if (set == NULL)
    return;
  g_array_unref (set->outputs);
  g_free (set);
}

/* "dir/.name.XXXXXX.ext": hidden, beside path (so the rename stays on one
 * file system) and with path's extension. */
static char *
temp_template (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  const char *dot = strrchr (base, '.');
  g_autofree char *stem = dot != NULL && dot != base ? g_strndup (base, dot - base)
                                                     : g_strdup (base);
  g_autofree char *name = g_strdup_printf (".%s.XXXXXX%s", stem,
                                           dot != NULL && dot != base ? dot : "");

  return g_build_filename (dir, name, NULL);
}

gboolean
ov_files_set_contents (const char  *path,
                       const void  *data,
                       gsize        len,
                       GError     **error)
{
  g_autofree char *tmp = temp_template (path);
  const char *p = data;
  int fd, saved = 0;

  g_return_val_if_fail (path != NULL && (data != NULL || len == 0), FALSE);

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("cannot write %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  while (len > 0)
    {
      gssize n = write (fd, p, MIN (len, (gsize) G_MAXSSIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          saved = n < 0 ? errno : ENOSPC;
          break;
        }
      p += n;
      len -= (gsize) n;
    }
  /* data reaches the disk before the name does, so a crash between the
   * two cannot leave an empty file under path */
  if (saved == 0 && fsync (fd) != 0 && errno != EINVAL && errno != EROFS)
    saved = errno;
  if (close (fd) != 0 && saved == 0)
    saved = errno;
  if (saved == 0 && g_rename (tmp, path) != 0)
    saved = errno;
  if (saved != 0)
    {
      g_unlink (tmp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("cannot write %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
ov_files_is_stdout (const char *path)
{
  return path != NULL && strcmp (path, "-") == 0;
}

gboolean
ov_files_probe_folder (const char  *dir,
                       GError     **error)
{
  g_autofree char *probe = g_build_filename (dir, ".oscarviz-probe-XXXXXX", NULL);
  int fd = g_mkstemp_full (probe, O_WRONLY | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                           g_strerror (saved));
      return FALSE;
    }
  close (fd);
  g_unlink (probe);
  return TRUE;
}

const char *
ov_output_set_add (OvOutputSet *set,
                   const char  *option,
                   const char  *path,
                   GError     **error)
{
  Output o = { 0 };
  int fd;

  g_return_val_if_fail (set != NULL && path != NULL, NULL);

  if (ov_files_is_stdout (path))
    {
      /* (written to the standard output only when the set is committed) */
      g_autofree char *spool = g_build_filename (g_get_tmp_dir (), "oscarviz-out", NULL);

      o.tmp = temp_template (spool);
    }
  else
    o.tmp = temp_template (path);
  fd = g_mkstemp_full (o.tmp, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("%s: cannot create a temporary file: %s"), path, g_strerror (saved));
      g_free (o.tmp);
      return NULL;
    }
  close (fd);
  o.option = g_strdup (option);
  o.path = g_strdup (path);
  g_array_append_val (set->outputs, o);
  return g_array_index (set->outputs, Output, set->outputs->len - 1).tmp;
}

void
ov_output_set_name_error (OvOutputSet *set,
                          GError      *error)
{
  if (error == NULL)
    return;
  for (guint i = 0; i < set->outputs->len; i++)
    {
      const Output *o = &g_array_index (set->outputs, Output, i);
      g_auto(GStrv) parts = g_strsplit (error->message, o->tmp, -1);

      if (parts[0] != NULL && parts[1] != NULL)
        {
          g_free (error->message);
          error->message = g_strjoinv (o->path, parts);
        }
    }
}

static gboolean
same_output (const char *a,
             const char *b)
{
  g_autofree char *ca = g_canonicalize_filename (a, NULL);
  g_autofree char *cb = g_canonicalize_filename (b, NULL);
  GStatBuf sa, sb;

  if (strcmp (ca, cb) == 0)
    return TRUE;
  return g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0 && sa.st_dev == sb.st_dev
         && sa.st_ino == sb.st_ino;
}

static gboolean
copy_to_stdout (const char  *spool,
                GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (spool, &data, &len, &local))
    {
      g_set_error (error, G_FILE_ERROR, local->code, _ ("cannot write the standard output: %s"),
                   local->message);
      return FALSE;
    }
  if ((len > 0 && fwrite (data, 1, len, stdout) != len) || fflush (stdout) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("cannot write the standard output: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
ov_output_set_commit (OvOutputSet *set,
                      GError     **error)
{
  GArray *outs = set->outputs;

  for (guint i = 0; i < outs->len; i++)
    {
      const Output *o = &g_array_index (outs, Output, i);
      g_autofree char *input = ov_files_is_stdout (o->path) ? NULL
                                                            : ov_files_find_read (o->path);

      if (input != NULL)
        {
          if (o->option != NULL)
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         /* Translators: "--csv photo.jpg is a file this command reads
                          * (images/photo.jpg); ..." */
                         _ ("%s %s is a file this command reads (%s); writing it would "
                           "destroy it"), o->option, o->path, input);
          else
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _ ("%s is a file this command reads (%s); writing it would destroy "
                           "it"), o->path, input);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        {
          const Output *p = &g_array_index (outs, Output, j);

          if (ov_files_is_stdout (o->path) && ov_files_is_stdout (p->path))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           /* Translators: "--csv and --json both write to the standard
                            * output (-); ..." */
                           _ ("%s and %s both write to the standard output (-); give one "
                              "of them a file"), p->option != NULL ? p->option : p->path,
                           o->option != NULL ? o->option : o->path);
              return FALSE;
            }
          if (ov_files_is_stdout (o->path) || ov_files_is_stdout (p->path))
            continue;
          if (same_output (o->path, p->path))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _ ("%s and %s name the same file; give each output a file of its "
                             "own"), p->path, o->path);
              return FALSE;
            }
        }
    }
  for (guint i = 0; i < outs->len; i++)
    {
      Output *o = &g_array_index (outs, Output, i);

      if (ov_files_is_stdout (o->path))
        continue;
      if (g_rename (o->tmp, o->path) != 0)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _ ("cannot write %s: %s"), o->path, g_strerror (saved));
          return FALSE;
        }
      o->placed = TRUE;
    }
  /* the files are in place; the one for the standard output is copied
   * there last, and its spool file is removed with the set */
  for (guint i = 0; i < outs->len; i++)
    {
      const Output *o = &g_array_index (outs, Output, i);

      if (ov_files_is_stdout (o->path) && !copy_to_stdout (o->tmp, error))
        return FALSE;
    }
  return TRUE;
}
