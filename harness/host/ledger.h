/* The state ledger: every change gameday makes to the host, written down
 * before it is made.
 *
 * A run appends to its own ledger file while it holds an exclusive lock on
 * it.  'gameday cleanup' and the next run read the ledgers of runs nobody
 * holds and undo every entry, newest first; undoing tolerates changes that
 * were recorded but never made (a run killed between the two). */
#ifndef GD_HOST_LEDGER_H
#define GD_HOST_LEDGER_H

#include "base/error.h"

#include <stddef.h>
#include <sys/types.h>

enum gd_ledger_op {
	GD_LEDGER_DIR,	   /* a directory tree under the state root */
	GD_LEDGER_CGROUP,  /* a cgroup v2 directory */
	GD_LEDGER_MOUNT,   /* a bind mount (namespace files) on the host */
	GD_LEDGER_TMPFS,   /* a tmpfs mounted on a run directory */
	GD_LEDGER_PROCESS, /* a process (pid and start time) */
	GD_LEDGER_DONE,	   /* the run undid everything itself */
};

typedef struct gd_ledger_entry {
	enum gd_ledger_op op;
	char *path;
	pid_t pid;
	unsigned long long
		start; /* process start time, clock ticks since boot */
} gd_ledger_entry;

typedef struct gd_ledger gd_ledger;

/* Creates (O_EXCL) or reopens path for appending and locks it; fails with
 * EWOULDBLOCK when another process holds it. */
int gd_ledger_open(const char *path, gd_ledger **out, gd_error **err);
void gd_ledger_close(gd_ledger *l);

/* Appends one entry (one write(2), so a killed gameday never leaves half
 * an entry).  With GAMEDAY_CRASH_AT=N in the
 * environment, the process kills itself with SIGKILL right after the Nth
 * entry of this process is on disk: the tests use it to stop a run at every
 * step it can stop. */
int gd_ledger_add(gd_ledger *l, enum gd_ledger_op op, const char *path,
		  pid_t pid, unsigned long long start, gd_error **err);

/* Reads every complete entry of a ledger (a torn last line is ignored). */
int gd_ledger_read(const char *path, gd_ledger_entry **entries, size_t *n,
		   gd_error **err);
void gd_ledger_entries_free(gd_ledger_entry *e, size_t n);

const char *gd_ledger_op_name(enum gd_ledger_op op);

/* The start time of a live process (field 22 of /proc/PID/stat), or 0 when
 * it is gone or a zombie: pid plus start time names one process for good. */
unsigned long long gd_process_start_time(pid_t pid);

#endif
