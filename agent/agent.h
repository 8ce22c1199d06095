/* What gd-agent's ops share: an op's context, its log line, the journal
 * read under its lock, and the ops themselves.  record.c holds the
 * journal's side (record, revert, status), unit.c the run's life on the
 * host (install, heartbeat, watcher, finish); gd-agent.c is the command
 * line over them, and its header comment the contract. */
#ifndef GD_AGENT_AGENT_H
#define GD_AGENT_AGENT_H

#include "agent/host.h"
#include "agent/journal.h"
#include "base/error.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct agent {
	ag_host host;
	const char *op;
	char *dir; /* ROOT/var/lib/gameday/RUN */
	const char *tag;
	long timeout_s;
	bool no_start, watcher;
	const char *mode, *owner;
	char **undo; /* do: the undo argv */
	size_t nundo;
	char **args; /* after the options: a PATH, or ARGV after "--" */
	size_t nargs;
} agent;

/* Set by SIGTERM to the watcher: systemd stopping it, maybe for a reboot
 * a scenario plays.  It exits without reverting (the unit starts it again
 * after the boot, and its silence counts from there), and a wait for the
 * journal's lock gives up. */
extern volatile sig_atomic_t ag_stopping;

/* A line in the run's agent.log with both clocks (the wall clock may be a
 * clock fault's); the watcher's go to stderr too, for journald. */
void ag_say(const agent *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A clock's reading in seconds (CLOCK_BOOTTIME for silences). */
double ag_clock_s(clockid_t id);
/* NAME in the run's folder, a heap string (NULL: out of memory). */
char *ag_in_dir(const agent *a, const char *name);

/* The run's journal opened, locked (for as long as *fd is open) and read
 * into j; a line cut by a power failure is cut off the file too, so the
 * next append starts a line of its own.  Fails with -ENOENT when the run
 * is not installed or finished meanwhile. */
int ag_journal_open(agent *a, int *fd, ag_journal *j, gd_error **err);
/* The journal with its header, unless there: a second install keeps what
 * the first recorded. */
int ag_journal_create(const agent *a, gd_error **err);
/* The pending entries of tag (all when NULL), newest first, each marked
 * done once reverted; a failure is said and the rest still run.  *kept,
 * when given, says whether an entry whose failure keeps the run (a file's
 * or an attr's: ag_failure_keeps_run) failed. */
int ag_revert_locked(agent *a, int fd, const ag_journal *j, const char *tag,
		     bool *kept, gd_error **err);

/* The ops (gd-agent.c's header says what each does), 0 or a negative
 * errno with err filled.  record.c: */
int ag_op_save(agent *a, gd_error **err);
int ag_op_save_attr(agent *a, gd_error **err);
int ag_op_put(agent *a, gd_error **err);
int ag_op_on_revert(agent *a, gd_error **err);
int ag_op_do(agent *a, gd_error **err);
int ag_op_revert(agent *a, gd_error **err);
int ag_op_status(agent *a, gd_error **err);
/* unit.c: */
int ag_op_install(agent *a, gd_error **err);
int ag_op_finish(agent *a, gd_error **err);
int ag_op_beat(agent *a, gd_error **err);
int ag_op_watch(agent *a, gd_error **err);
int ag_op_runs(agent *a, gd_error **err);

#endif
