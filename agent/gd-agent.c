/* gd-agent: holds a host's undo journal for one gameday run, and puts the
 * host back as it was found when gameday says so, when gameday goes
 * quiet, and after a reboot.  It knows nothing of faults: it records
 * states and commands before changes, and restores and runs them after.
 *
 * One static program, copied to the host for the run; gameday calls it
 * over ssh as /var/lib/gameday/RUN/gd-agent OP --run RUN ...  This
 * command line is the contract (docs/agent.md):
 *
 *   install --run RUN [--timeout S] [--no-start]
 *       the run's folder, journal and a copy of this program, an enabled
 *       unit gameday-agent-RUN.service running "watch"; systemctl
 *       daemon-reload and start (restart when the unit changed).
 *       Idempotent: a second install keeps the journal.
 *   save --run RUN --tag TAG PATH          PATH's bytes, owner and mode,
 *                                          or its absence, before a change
 *   save-attr --run RUN --tag TAG PATH     its owner and mode only
 *   put --run RUN --tag TAG [--mode OCTAL] [--owner UID:GID] PATH
 *       save, then stdin written over PATH atomically (owner and mode
 *       kept unless given; 0644 and ours for a new file)
 *   on-revert --run RUN --tag TAG -- ARGV...
 *       the revert will run ARGV: call it before the change it undoes
 *   do --run RUN --tag TAG --undo-argv N UNDO1..UNDON -- ARGV...
 *       the undo journalled and synced, then ARGV run: exit 0 when both
 *   revert --run RUN [--tag TAG]     pending entries (of TAG), newest first
 *   finish --run RUN                 revert all, remove the unit and folder
 *       unless a file's or an attr's revert failed: then the journal,
 *       saved/ (the only copy of the original) and the enabled unit stay,
 *       the next boot's watcher retries, and runs lists the run; exit 1.
 *       A command's undo that fails is said (exit 1) but never keeps the
 *       run: commands are gameday's, expected idempotent.  No journal:
 *       only the unit goes, never the folder (it may not be a run's)
 *   beat --run RUN                   gameday's heartbeat, under the lock
 *   watch --run RUN [--timeout S]    the unit's daemon: finish after S s
 *                                    (default 60) without a beat; exit 0
 *                                    when finish kept the run (no restart
 *                                    loop: the next boot retries)
 *   status --run RUN                 pending entries, one a line, as the
 *                                    journal writes them, oldest first
 *   runs                             the runs on this host (folders
 *                                    holding a journal), one a line
 *
 * Every op also takes --root DIR (or $GD_AGENT_ROOT): the folder standing
 * for "/", so tests run it without touching the machine.  $GD_AGENT_SYSTEMCTL
 * names a program run in systemctl's place.  A PATH is absolute, without
 * "." or "..".  Exit 0 done, 1 failed (one line on stderr: the op, the
 * path and why; a revert says each entry that failed), 2 usage.  A save of
 * a path already saved in the run (an entry still pending) records
 * nothing: the first state is the one to restore.  Each op but beat and
 * status (read, or too frequent to log) leaves a line in the run's
 * agent.log; the watcher's also go to stderr (journald).
 *
 * Two agents may run at once (the watcher and an op from gameday): every
 * op that reads or appends the journal holds an flock on it, across the
 * change too for put and do, so a watcher reverting never races a change
 * made after its revert; finish empties the folder under it too, and beat
 * writes only under it, so a beat never lands in a folder being removed. */
#include "agent/agent.h"
#include "base/cleanup.h"
#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double ag_clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ag_say(const agent *a, const char *fmt, ...)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_addf(&sb, "%s boot=%.3f pid=%d %s: ", when,
		       ag_clock_s(CLOCK_BOOTTIME), (int)getpid(), a->op);
	va_list ap;
	va_start(ap, fmt);
	gd_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	gd_strbuf_addch(&sb, '\n');
	if (a->dir) {
		_cleanup_free_ char *log = NULL;
		if (asprintf(&log, "%s/agent.log", a->dir) > 0) {
			_cleanup_close_ int fd =
				open(log, O_WRONLY | O_APPEND | O_CLOEXEC);
			if (fd >= 0 && write(fd, sb.buf, sb.len) < 0)
				(void)0; /* a log line is never worth failing */
		}
	}
	if (a->watcher)
		fputs(sb.buf, stderr);
	gd_strbuf_release(&sb);
}

char *ag_in_dir(const agent *a, const char *name)
{
	char *p = NULL;
	return asprintf(&p, "%s/%s", a->dir, name) < 0 ? NULL : p;
}

/* ---- the command line ---- */

enum {
	RUN = 1 << 0,	   /* --run required */
	TAG = 1 << 1,	   /* --tag required */
	TAG_OPT = 1 << 2,  /* --tag allowed */
	PATH = 1 << 3,	   /* one PATH */
	ARGV = 1 << 4,	   /* -- ARGV... */
	UNDO = 1 << 5,	   /* --undo-argv N ... */
	TIMEOUT = 1 << 6,  /* --timeout S */
	NO_START = 1 << 7, /* --no-start */
	ATTRS = 1 << 8,	   /* --mode, --owner */
};

static const struct op {
	const char *name;
	int (*run)(agent *a, gd_error **err);
	unsigned takes;
	const char *usage;
} ops[] = {
	{"install", ag_op_install, RUN | TIMEOUT | NO_START,
	 "--run RUN [--timeout S] [--no-start]"},
	{"save", ag_op_save, RUN | TAG | PATH, "--run RUN --tag TAG PATH"},
	{"save-attr", ag_op_save_attr, RUN | TAG | PATH,
	 "--run RUN --tag TAG PATH"},
	{"put", ag_op_put, RUN | TAG | PATH | ATTRS,
	 "--run RUN --tag TAG [--mode OCTAL] [--owner UID:GID] PATH <DATA"},
	{"on-revert", ag_op_on_revert, RUN | TAG | ARGV,
	 "--run RUN --tag TAG -- ARGV..."},
	{"do", ag_op_do, RUN | TAG | ARGV | UNDO,
	 "--run RUN --tag TAG --undo-argv N UNDO1..UNDON -- ARGV..."},
	{"revert", ag_op_revert, RUN | TAG_OPT, "--run RUN [--tag TAG]"},
	{"finish", ag_op_finish, RUN | NO_START, "--run RUN"},
	{"beat", ag_op_beat, RUN, "--run RUN"},
	{"watch", ag_op_watch, RUN | TIMEOUT, "--run RUN [--timeout S]"},
	{"status", ag_op_status, RUN, "--run RUN"},
	{"runs", ag_op_runs, 0, ""},
};

/* An option's value, or NULL (usage) when it has none. */
static char *value(int argc, char **argv, int *i)
{
	return *i + 1 < argc ? argv[++*i] : NULL;
}

static bool read_undo(agent *a, int argc, char **argv, int *i)
{
	char *n = value(argc, argv, i), *end;
	unsigned long k = n ? strtoul(n, &end, 10) : 0;
	if (!n || *end || k == 0 || k > (unsigned long)(argc - *i - 1))
		return false;
	a->undo = argv + *i + 1;
	a->nundo = k;
	*i += (int)k;
	return true;
}

/* Options in any order, then PATH, or ARGV after "--"; what the op does
 * not take is a usage error.  Returns the flags seen. */
static bool parse_args(agent *a, int argc, char **argv, unsigned *seen,
		       const char **run, const char **root)
{
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		const char **str = !strcmp(s, "--run")	   ? run
				   : !strcmp(s, "--root")  ? root
				   : !strcmp(s, "--tag")   ? &a->tag
				   : !strcmp(s, "--mode")  ? &a->mode
				   : !strcmp(s, "--owner") ? &a->owner
							   : NULL;
		if (str && !(*str = value(argc, argv, &i)))
			return false;
		if (str) {
			*seen |= str == run	  ? RUN
				 : str == &a->tag ? TAG_OPT
				 : str == root	  ? 0
						  : ATTRS;
		} else if (!strcmp(s, "--timeout")) {
			char *v = value(argc, argv, &i), *end;
			a->timeout_s = v ? strtol(v, &end, 10) : 0;
			if (!v || *end || a->timeout_s < 1 ||
			    a->timeout_s > 86400)
				return false;
			*seen |= TIMEOUT;
		} else if (!strcmp(s, "--no-start")) {
			a->no_start = true;
			*seen |= NO_START;
		} else if (!strcmp(s, "--undo-argv")) {
			if (!read_undo(a, argc, argv, &i))
				return false;
			*seen |= UNDO;
		} else if (!strcmp(s, "--")) {
			a->args = argv + i + 1;
			a->nargs = (size_t)(argc - i - 1);
			*seen |= ARGV;
			return a->nargs > 0;
		} else if (s[0] == '-' || a->nargs) {
			return false;
		} else {
			a->args = argv + i;
			a->nargs = 1;
			*seen |= PATH;
		}
	}
	return true;
}

/* NULL when the op has what it needs, else what is wrong. */
static const char *unusable(const struct op *op, agent *a, unsigned seen,
			    const char *run)
{
	unsigned allowed = op->takes | (op->takes & TAG ? TAG_OPT : 0);
	unsigned needed = op->takes & (RUN | PATH | ARGV | UNDO);
	if (op->takes & TAG)
		needed |= TAG_OPT;
	if ((seen & ~allowed) || (seen & needed) != needed)
		return "";
	if (run && !ag_run_valid(run))
		return "a run is [a-z0-9-]{1,40}";
	if (a->tag && !ag_tag_valid(a->tag))
		return "a tag is [A-Za-z0-9._:@-]{1,64}";
	if ((seen & PATH) && !ag_path_valid(a->args[0]))
		return "a path is absolute, without . or ..";
	return NULL;
}

static int usage(const char *op, const char *text, const char *why)
{
	if (op && why && *why)
		fprintf(stderr, "gd-agent %s: usage: %s\n", op, why);
	else if (op)
		fprintf(stderr,
			"gd-agent %s: usage: gd-agent %s %s [--root DIR]\n", op,
			op, text);
	else
		fprintf(stderr,
			"usage: gd-agent OP --run RUN ... (ops: install "
			"save save-attr put on-revert do revert finish "
			"beat watch status runs)\n");
	return 2;
}

int main(int argc, char **argv)
{
	umask(022);
	/* gameday's connection dropping (gameday killed, the network lost)
	 * must not cut an op short, above all not between a change's start
	 * and its end: a watcher would revert before the change landed */
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	const struct op *op = NULL;
	for (size_t i = 0; argc > 1 && i < GD_ARRAY_SIZE(ops); i++)
		if (!strcmp(argv[1], ops[i].name))
			op = &ops[i];
	if (!op)
		return usage(NULL, NULL, NULL);
	agent a = {.op = op->name, .timeout_s = 60};
	unsigned seen = 0;
	const char *run = NULL, *root = getenv("GD_AGENT_ROOT");
	if (!parse_args(&a, argc, argv, &seen, &run, &root))
		return usage(op->name, op->usage, NULL);
	const char *why = unusable(op, &a, seen, run);
	if (why)
		return usage(op->name, op->usage, why);
	a.host.root = root && *root ? root : "/";
	a.host.run = run ? run : "";
	if (a.host.root[0] != '/')
		return usage(op->name, NULL, "--root is an absolute path");
	_cleanup_free_ char *rel = NULL;
	if (run && (asprintf(&rel, "/var/lib/gameday/%s", run) < 0 ||
		    !(a.dir = ag_host_path(&a.host, rel))))
		return 1;
	gd_error *err = NULL;
	int r = op->run(&a, &err);
	if (r < 0) {
		ag_say(&a, "failed: %s", err ? err->msg : "?");
		fprintf(stderr, "gd-agent %s: %s\n", a.op,
			err ? err->msg : "?");
	}
	gd_error_free(err);
	free(a.dir);
	return r < 0 ? 1 : 0;
}
