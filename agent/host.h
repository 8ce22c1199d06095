/* The host as gd-agent reads, changes and restores it: every absolute
 * host path taken below a root (the machine's "/", or a test's folder),
 * every write durable before it counts (tmp in the same folder, fsync,
 * rename, fsync the folder), and the commands a journal names run with a
 * time limit.  Plain libc, for one static program. */
#ifndef GD_AGENT_HOST_H
#define GD_AGENT_HOST_H

#include "agent/journal.h"
#include "base/error.h"

#include <stdbool.h>
#include <sys/types.h>

/* How long a change's or a revert's command may run before it is killed:
 * the journal's lock is held meanwhile, and a watcher waiting on it must
 * still revert the host within about its timeout. */
#define AG_CMD_LIMIT_S 30

typedef struct ag_host {
	const char *root; /* "/" or a folder standing for it */
	const char *run;  /* names our temporary files beside a host's */
} ag_host;

/* root + path as a heap string (path alone when root is "/"). */
char *ag_host_path(const ag_host *h, const char *path);

/* path's present state into e (absent, uid, gid, mode): for AG_FILE a
 * regular file or nothing; for AG_ATTR anything there but a link.  A link
 * is refused, since restoring through it would replace it by a file.
 * The path is opened once, without following a link at its last
 * component (O_PATH, O_NOFOLLOW), and everything is read from that
 * descriptor. */
int ag_state_read(const ag_host *h, const char *path, ag_kind kind, ag_entry *e,
		  gd_error **err);

/* ag_state_read, and for a regular file under AG_FILE its bytes copied
 * to keep (NULL: none), durably (keep synced, its folder synced), from
 * the same open file whose owner and mode e records: a link or another
 * file swapped in between the check and the copy is never read. */
int ag_state_save(const ag_host *h, const char *path, ag_kind kind, ag_entry *e,
		  const char *keep, gd_error **err);

/* Replaces path atomically by the bytes of from (a file of ours), owned
 * uid:gid with mode: a temporary file beside it that a revert of path
 * also removes, so a kill between the two leaves nothing behind.  Its
 * folder is opened once and written by descriptor (openat O_EXCL
 * O_NOFOLLOW, fchown and fchmod on the new file, renameat, fsync of the
 * folder): a link at path is replaced, never followed. */
int ag_replace(const ag_host *h, const char *path, const char *from,
	       unsigned uid, unsigned gid, unsigned mode, gd_error **err);

/* Puts back what e recorded (a file's bytes from keep, its absence, an
 * owner and mode, or runs its command).  Idempotent: an absent file's
 * entry finds nothing to remove, a file's is written over again.  Never
 * through a link at the path: a file's revert replaces the link (as
 * ag_replace), an owner and mode's is refused (ELOOP) when a link is
 * there now. */
int ag_revert(const ag_host *h, const ag_entry *e, const char *keep,
	      gd_error **err);

/* Runs argv (found on PATH) with stdin from /dev/null, its output where
 * ours goes, killed with its process group after AG_CMD_LIMIT_S.  Fails
 * unless it exits 0, saying how it ended. */
int ag_run_argv(char *const argv[], gd_error **err);

/* fsync of a folder, so a rename or unlink in it outlives a power cut. */
int ag_sync_dir(const char *dir, gd_error **err);

/* dir and everything below it removed, by descriptor, never following a
 * link.  Not gd_remove_tree: its walk stays on one st_dev, and on an
 * overlay root (a container's, a lab machine's) a file reports its
 * layer's device, not the folder's, so the walk would leave it. */
int ag_remove_dir(const char *dir, gd_error **err);

#endif
