/* Whole-file reads, paths, and removing trees. */
#ifndef GD_BASE_FILEIO_H
#define GD_BASE_FILEIO_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads all of path into a NUL-terminated heap buffer (caller frees).
 * Refuses directories and files over max bytes. */
int gd_read_file(const char *path, size_t max, char **buf, size_t *len,
		 gd_error **err);

/* The same, as a heap string or NULL when path cannot be read, for a
 * file whose absence is itself the answer (a process gone, a node
 * down): the error is dropped. */
char *gd_read_file_or_null(const char *path, size_t max);

/* snprintf for paths and names that must fit: every path gameday builds
 * derives from a state root of bounded length, so truncation is a bug,
 * and this aborts with a message rather than act on a wrong path. */
void gd_pathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* rm -rf dir (contents_only: what is in it, keeping dir itself), staying
 * on one file system and never following a symlink.  Gone already is
 * fine. */
int gd_remove_tree(const char *dir, bool contents_only, gd_error **err);

/* mkdir -p: path and its missing parents (parents 0755, path mode). */
int gd_mkdir_p(const char *path, mode_t mode, gd_error **err);

/* Copies what is at from (a regular file, a symlink, or a folder and all
 * it holds) to to, replacing a file there and merging into a folder,
 * missing parents made 0755.  Everything copied is owned by uid:gid;
 * with mode >= 0 files get mode and folders mode plus search where it
 * reads, otherwise each keeps its source's.  Anything else (a device, a
 * socket) is refused, naming it; *bytes, when given, adds up what the
 * files held. */
int gd_copy_tree(const char *from, const char *to, uid_t uid, gid_t gid,
		 int mode, size_t *bytes, gd_error **err);
/* Writes data to path (created with mode, or truncated). */
int gd_write_file(const char *path, const char *data, size_t len, mode_t mode,
		  gd_error **err);
/* mkdir, fine when it is there, and then exactly mode. */
int gd_mkdir_mode(const char *path, mode_t mode, gd_error **err);
/* Copies a file of at most max bytes; the copy gets mode. */
int gd_copy_file(const char *from, const char *to, size_t max, mode_t mode,
		 gd_error **err);

/* Opens rel below the folder root for reading, when someone else holds
 * what is there (a node's root, a job): no link followed anywhere below
 * root, never waiting on a FIFO, and, unless flags has O_DIRECTORY, a
 * regular file only.  -1 with errno otherwise.  root itself is ours. */
int gd_open_beneath(const char *root, const char *rel, int flags);
/* The same file read whole (at most max bytes) as a heap string, or NULL;
 * and copied to a new file to of ours with mode, 0 or -1. */
char *gd_read_beneath(const char *root, const char *rel, size_t max);
int gd_copy_beneath(const char *root, const char *rel, const char *to,
		    mode_t mode);

#endif
