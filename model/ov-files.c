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

#include "ov-error.h"
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
  char *path;      /* as given */
  char *target;    /* the file written: path, past any symbolic links */
  char *tmp;
  gboolean direct; /* "-" or a pipe or device: tmp is copied into it */
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
  g_free (o->target);
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

/* Replaces *step by where the symbolic link it names leads (a relative
 * link from the link's folder); FALSE where it names no link. */
static gboolean
follow_one_link (char **step)
{
  g_autofree char *link = g_file_read_link (*step, NULL);
  g_autofree char *dir = NULL;

  if (link == NULL)
    return FALSE;
  dir = g_path_get_dirname (*step);
  g_free (*step);
  *step = g_path_is_absolute (link) ? g_steal_pointer (&link)
                                    : g_build_filename (dir, link, NULL);
  return TRUE;
}

char *
ov_files_follow_links (const char *path)
{
  char *target = g_strdup (path);

  for (int depth = 0; depth < 32 && follow_one_link (&target); depth++)
    ;
  return target;
}

/* The descriptor of this process that path names (/dev/stdout is 1,
 * /dev/fd/N and /proc/self/fd/N are N), itself or through the links it
 * follows, or -1. Written through that descriptor, the data lands where it
 * points (at the end of a file opened to append); a new open would start
 * at the file's beginning, and a rename would leave the descriptor on the
 * old file. ("-" is 1 too.) */
static int
named_descriptor (const char *path)
{
  g_autofree char *step = g_strdup (path);
  g_autofree char *self = g_strdup_printf ("/proc/%d/fd/", (int) getpid ());

  if (ov_files_is_stdout (path))
    return STDOUT_FILENO;
  for (int depth = 0; depth < 32; depth++)
    {
      const char *number = NULL;
      guint64 n;

      if (g_str_equal (step, "/dev/stdout"))
        return STDOUT_FILENO;
      if (g_str_equal (step, "/dev/stderr"))
        return STDERR_FILENO;
      if (g_str_has_prefix (step, "/dev/fd/"))
        number = step + strlen ("/dev/fd/");
      else if (g_str_has_prefix (step, "/proc/self/fd/"))
        number = step + strlen ("/proc/self/fd/");
      else if (g_str_has_prefix (step, "/proc/thread-self/fd/"))
        number = step + strlen ("/proc/thread-self/fd/");
      else if (g_str_has_prefix (step, self))
        number = step + strlen (self);
      if (number != NULL)
        return g_ascii_string_to_unsigned (number, 10, 0, G_MAXINT, &n, NULL) ? (int) n : -1;
      if (!follow_one_link (&step))
        break;
    }
  return -1;
}

gboolean
ov_files_writes_direct (const char *path)
{
  GStatBuf st;

  if (path == NULL)
    return FALSE;
  /* ("-" and this process's descriptors; another's, in /proc, is the file
   * or pipe it leads to, as any other name of one) */
  if (named_descriptor (path) >= 0)
    return TRUE;
  return g_stat (path, &st) == 0 && !S_ISREG (st.st_mode) && !S_ISDIR (st.st_mode);
}

gboolean
ov_files_is_stdout_alias (const char *path)
{
  return path != NULL && named_descriptor (path) == STDOUT_FILENO;
}

gboolean
ov_files_check_direct (const char  *path,
                       GError     **error)
{
  int fd = path != NULL ? named_descriptor (path) : -1;
  int flags;

  if (fd < 0)
    return TRUE;
  flags = fcntl (fd, F_GETFL);
  if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_BADF,
                   flags < 0 ? _ ("%s: descriptor %d is not open")
                             : _ ("%s: descriptor %d is open for reading only"), path, fd);
      return FALSE;
    }
  return TRUE;
}

/* The file an output reaches, by identity, where it is a regular file (a
 * descriptor of ours, or the path): FALSE for a pipe, device or a file
 * not there yet. */
static gboolean
output_file_id (const char *path,
                gboolean    direct,
                FileId     *id)
{
  /* (only a direct output can name a descriptor: ov_output_set_add) */
  int fd = direct ? named_descriptor (path) : -1;
  GStatBuf st;

  if (fd >= 0 ? fstat (fd, &st) != 0 : g_stat (path, &st) != 0)
    return FALSE;
  if (!S_ISREG (st.st_mode))
    return FALSE;
  id->dev = st.st_dev;
  id->ino = st.st_ino;
  return TRUE;
}

/* Writes len bytes of data to fd; errno's value on failure, else 0. */
static int
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, MIN (len, (gsize) G_MAXSSIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? errno : ENOSPC;
      data += n;
      len -= (gsize) n;
    }
  return 0;
}

/* Writes data into path ("-": the standard output) as it is, without a
 * temporary file: a pipe or a device. */
static gboolean
write_direct (const char  *path,
              const char  *data,
              gsize        len,
              GError     **error)
{
  gboolean out = ov_files_is_stdout (path);
  /* a descriptor of ours is written through, not opened again */
  int own = named_descriptor (path);
  int fd, saved;

  if (own == STDOUT_FILENO)
    fflush (stdout);
  fd = own >= 0 ? own : g_open (path, O_WRONLY | O_CLOEXEC | O_NOCTTY, 0);
  saved = fd < 0 ? errno : write_all (fd, data, len);
  if (own < 0 && fd >= 0 && close (fd) != 0 && saved == 0)
    saved = errno;
  if (saved != 0)
    {
      if (out)
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                     _ ("cannot write the standard output: %s"), g_strerror (saved));
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                     _ ("cannot write %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* The new file fd, which will replace the file at path, gets that file's
 * permissions (a private 0600 output stays private); a path not there
 * yet leaves fd as it was made. */
static void
keep_mode (int         fd,
           const char *path)
{
  GStatBuf st;

  if (fd >= 0 && g_stat (path, &st) == 0 && S_ISREG (st.st_mode))
    (void) fchmod (fd, st.st_mode & 07777);
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
  g_autofree char *target = NULL;
  g_autofree char *tmp = NULL;
  const char *p = data;
  int fd, saved = 0;

  g_return_val_if_fail (path != NULL && (data != NULL || len == 0), FALSE);

  if (ov_files_writes_direct (path))
    return write_direct (path, data, len, error);
  target = ov_files_follow_links (path);
  tmp = temp_template (target);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
  keep_mode (fd, target);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("cannot write %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  saved = write_all (fd, p, len);
  /* data reaches the disk before the name does, so a crash between the
   * two cannot leave an empty file under path */
  if (saved == 0 && fsync (fd) != 0 && errno != EINVAL && errno != EROFS)
    saved = errno;
  if (close (fd) != 0 && saved == 0)
    saved = errno;
  if (saved == 0 && g_rename (tmp, target) != 0)
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
ov_files_check_regular (const char  *path,
                        GError     **error)
{
  GStatBuf st;
  const char *kind;

  /* (a pipe is read as any program reads one, to its end: a shell's
   * process substitution, "<(…)", gives one) */
  if (path == NULL || g_stat (path, &st) != 0 || S_ISREG (st.st_mode) || S_ISDIR (st.st_mode)
      || S_ISFIFO (st.st_mode))
    return TRUE;
  if (S_ISCHR (st.st_mode))
    kind = _ ("a character device");
  else if (S_ISBLK (st.st_mode))
    kind = _ ("a block device");
  else if (S_ISSOCK (st.st_mode))
    kind = _ ("a socket");
  else
    kind = _ ("no regular file");
  g_set_error (error, OV_ERROR, OV_ERROR_IO,
               /* Translators: "/dev/zero is a character device, not a file: ..." */
               _ ("%s is %s, not a file: oscarviz reads files and pipes, which end"), path,
               kind);
  return FALSE;
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

  /* (a pipe or device by its own name: the links to one may lead to no
   * path, as /dev/stdout to "pipe:[…]" does) */
  o.direct = ov_files_writes_direct (path);
  o.target = o.direct ? g_strdup (path) : ov_files_follow_links (path);
  if (o.direct)
    {
      /* spooled, private, with the name's extension (a writer may read
       * the format from it), and copied into it when the set is committed */
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *spool = g_build_filename (g_get_tmp_dir (), base, NULL);

      o.tmp = temp_template (spool);
    }
  else
    o.tmp = temp_template (o.target);
  fd = g_mkstemp_full (o.tmp, O_RDWR | O_CLOEXEC, o.direct ? 0600 : 0666);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("%s: cannot create a temporary file: %s"), path, g_strerror (saved));
      g_free (o.tmp);
      g_free (o.target);
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
copy_spool (const char  *spool,
            const char  *target,
            GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (spool, &data, &len, &local))
    {
      g_set_error (error, G_FILE_ERROR, local->code, _ ("cannot write %s: %s"),
                   ov_files_is_stdout (target) ? _ ("the standard output") : target,
                   local->message);
      return FALSE;
    }
  /* gone before the write, which a reader that left ends with SIGPIPE */
  g_unlink (spool);
  return write_direct (target, data, len, error);
}

gboolean
ov_output_set_commit (OvOutputSet *set,
                      GError     **error)
{
  GArray *outs = set->outputs;
  /* the outputs met so far, by canonical name and by file (a demo world's
   * split is a million pictures: one look-up each) */
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         NULL);
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (file_id_hash, file_id_equal, g_free,
                                                       NULL);
  const char *stdout_by = NULL;

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
      /* two outputs on the standard output; two names of one file (a
       * pipe or device may take several, /dev/null say) */
      if (o->direct && ov_files_is_stdout_alias (o->path))
        {
          if (stdout_by != NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           /* Translators: "--csv and --json both write to the standard
                            * output (-); ..." */
                           _ ("%s and %s both write to the standard output (-); give one "
                              "of them a file"), stdout_by,
                           o->option != NULL ? o->option : o->path);
              return FALSE;
            }
          stdout_by = o->option != NULL ? o->option : o->path;
        }
      {
        /* (a pipe or device has no name to compare, and takes any number
         * of outputs; a descriptor of ours that leads to a file is that
         * file, which a rename of another output would take from it) */
        g_autofree char *name = o->direct ? NULL : g_canonicalize_filename (o->target, NULL);
        const char *earlier = name != NULL ? g_hash_table_lookup (by_name, name) : NULL;
        FileId id;

        if (earlier == NULL && output_file_id (o->direct ? o->path : o->target, o->direct, &id))
          {
            earlier = g_hash_table_lookup (by_id, &id);
            if (earlier == NULL)
              g_hash_table_insert (by_id, g_memdup2 (&id, sizeof id), o->path);
          }
        if (earlier != NULL)
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _ ("%s and %s name the same file; give each output a file of its "
                           "own"), earlier, o->path);
            return FALSE;
          }
        if (name != NULL)
          g_hash_table_insert (by_name, g_steal_pointer (&name), o->path);
      }
    }
  for (guint i = 0; i < outs->len; i++)
    {
      Output *o = &g_array_index (outs, Output, i);

      if (o->direct)
        continue;
      {
        /* the file replaced gives its permissions (whatever made the
         * temporary file: a writer may have put a new one in its place) */
        GStatBuf st;

        if (g_stat (o->target, &st) == 0 && S_ISREG (st.st_mode))
          (void) g_chmod (o->tmp, st.st_mode & 07777);
      }
      if (g_rename (o->tmp, o->target) != 0)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _ ("cannot write %s: %s"), o->path, g_strerror (saved));
          return FALSE;
        }
      o->placed = TRUE;
    }
  /* the files are in place; the standard output, a pipe or a device gets
   * its copy last, and the spool file is removed with the set */
  for (guint i = 0; i < outs->len; i++)
    {
      const Output *o = &g_array_index (outs, Output, i);

      if (o->direct && !copy_spool (o->tmp, o->target, error))
        return FALSE;
    }
  return TRUE;
}
