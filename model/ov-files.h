/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The files a run reads, and the files it writes as one set.
 *
 * Where tracking is on (the command line turns it on), every file the
 * model, data and figure layers open for reading is noted by identity
 * (device and inode), so that an output can be refused when it is one of
 * them, whatever name, link or hard link leads to it.
 *
 * An output set holds the files one command writes together (an
 * embeddings file and its .json and .labels.txt, a figure and its CSV):
 * each is written to a temporary file beside its place, and only once all
 * are written are they checked against the files read and renamed into
 * place. A set freed before it is committed removes its temporary files,
 * so a failed write leaves the files of an earlier run as they were. An
 * output named "-" is the standard output; it, a pipe, a device and a name
 * of an open descriptor (ov_files_writes_direct) are spooled to a private
 * temporary file and copied into at the commit, after the files are in
 * place, so that a failed run writes none of it. A symbolic link is
 * followed: the file it names is replaced, the link stays.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Turns the noting of files read on or off (off by default). */
void         ov_files_track_reads   (gboolean     track);
/* Notes path (a file opened for reading) where tracking is on; a path that
 * cannot be stat()ed is skipped. Thread-safe. */
void         ov_files_note_read     (const char  *path);
/* The name under which a file read was noted that is the same file as
 * path (by device and inode), newly allocated, or NULL: none, path does
 * not exist, or tracking is off. */
char        *ov_files_find_read     (const char  *path);

/* Writes len bytes of data to path through a temporary file beside it and
 * a rename, so a failure leaves an earlier file as it was. The messages
 * name path and the system's reason, never the temporary file. */
gboolean     ov_files_set_contents  (const char  *path,
                                     const void  *data,
                                     gsize        len,
                                     GError     **error);
/* Whether a new file can be made in dir: creates a hidden empty file there
 * and removes it again. Catches what access() misses (a read-only mount
 * seen by root, /proc, a full quota of inodes); the error gives the
 * system's reason without the folder's name. */
gboolean     ov_files_probe_folder  (const char  *dir,
                                     GError     **error);

/* FALSE with an error naming path when it is a device or a socket: a
 * read of one may never end (/dev/zero, /dev/urandom). TRUE for a regular
 * file, a folder, a pipe (read to its end, as a shell's "<(…)" gives one),
 * and a path that does not exist (the open that follows says so). */
gboolean     ov_files_check_regular (const char  *path,
                                     GError     **error);

/* The file a write to path reaches: path itself, or where the symbolic
 * links it names lead, each read in turn, so that it also leads to a file
 * not written yet (a rename over the link would replace the link and
 * leave the file it names as it was). Newly allocated. */
char        *ov_files_follow_links  (const char  *path);

/* Whether an output path is "-", the standard output. */
gboolean     ov_files_is_stdout     (const char  *path);
/* Whether an output is written into as it is rather than replaced through
 * a temporary file and a rename: "-", an existing pipe, device or socket,
 * or a name of an open file of the process (/dev/stdout, /dev/fd/N,
 * /proc/self/fd/N, a shell's ">(…)"), whose descriptor a rename would
 * leave on the old file. */
gboolean     ov_files_writes_direct (const char  *path);
/* Whether an output is the standard output: "-" or a name of descriptor
 * 1 (/dev/stdout, /dev/fd/1). */
gboolean     ov_files_is_stdout_alias (const char *path);
/* FALSE with an error for an output that names a descriptor of ours
 * ("-", /dev/fd/N) that is not open, or open for reading only; TRUE for
 * any other path. */
gboolean     ov_files_check_direct  (const char  *path,
                                     GError     **error);

typedef struct _OvOutputSet OvOutputSet;

OvOutputSet *ov_output_set_new      (void);
/* Adds path, named by option (for messages, may be NULL), to the set and
 * returns the temporary file beside it to write instead (owned by the
 * set; it keeps path's extension, so that a writer that reads the format
 * from the name still finds it). NULL with an error when the temporary
 * file cannot be created. */
const char  *ov_output_set_add      (OvOutputSet *set,
                                     const char  *option,
                                     const char  *path,
                                     GError     **error);
/* A writer's error names the temporary file it wrote: names its path
 * instead. */
void         ov_output_set_name_error (OvOutputSet *set,
                                       GError      *error);
/* Once every temporary file is written: fails, writing nothing, when a
 * path is a file this run read (ov_files_find_read) or two are the same
 * file; else renames each temporary file to its path. */
gboolean     ov_output_set_commit   (OvOutputSet *set,
                                     GError     **error);
/* Removes the temporary files not renamed into place. */
void         ov_output_set_free     (OvOutputSet *set);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OvOutputSet, ov_output_set_free)

G_END_DECLS
