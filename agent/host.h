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
 * is refused, since restoring through it would replace it by a file. */
int ag_state_read(const ag_host *h, const char *path, ag_kind kind, ag_entry *e,
		  gd_error **err);

/* Copies the host's path (its bytes only) to keep, durably. */
int ag_state_keep(const ag_host *h, const char *path, const char *keep,
		  gd_error **err);

/* Replaces path atomically by the bytes of from (a file of ours), owned
 * uid:gid with mode: a temporary file beside it that a revert of path
 * also removes, so a kill between the two leaves nothing behind. */
int ag_replace(const ag_host *h, const char *path, const char *from,
	       unsigned uid, unsigned gid, unsigned mode, gd_error **err);

/* Puts back what e recorded (a file's bytes from keep, its absence, an
 * owner and mode, or runs its command).  Idempotent: an absent file's
 * entry finds nothing to remove, a file's is written over again. */
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
