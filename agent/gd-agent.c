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
 *   beat --run RUN                   gameday's heartbeat
 *   watch --run RUN [--timeout S]    the unit's daemon: finish after S s
 *                                    (default 60) without a beat
 *   status --run RUN                 pending entries, one a line, as the
 *                                    journal writes them, oldest first
 *   runs                             the runs on this host, one a line
 *
 * Every op also takes --root DIR (or $GD_AGENT_ROOT): the folder standing
 * for "/", so tests run it without touching the machine.  $GD_AGENT_SYSTEMCTL
 * names a program run in systemctl's place.  A PATH is absolute, without
 * "." or "..".  Exit 0 done, 1 failed (one line on stderr: the op, the
 * path and why; a revert says each entry that failed), 2 usage.  A save of
 * a path already saved in the run (an entry still pending) records
 * nothing: the first state is the one to restore.  Each op leaves a line
 * in the run's agent.log; the watcher's also go to stderr (journald).
 *
 * Two agents may run at once (the watcher and an op from gameday): every
 * op that reads or appends the journal holds an flock on it, across the
 * change too for put and do, so a watcher reverting never races a change
 * made after its revert. */
#include "agent/host.h"
#include "agent/journal.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_MAX (64u << 20)

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

/* SIGTERM to the watcher: systemd stopping it, maybe for a reboot a
 * scenario plays.  It exits without reverting: the unit starts it again
 * after the boot, and its silence counts from there. */
static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* agent.log gets every line, with both clocks: the wall clock may be a
 * clock fault's.  The watcher's go to stderr too, for journald. */
static void say(const agent *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const agent *a, const char *fmt, ...)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_addf(&sb, "%s boot=%.3f pid=%d %s: ", when,
		       clock_s(CLOCK_BOOTTIME), (int)getpid(), a->op);
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

static char *in_dir(const agent *a, const char *name)
{
	char *p = NULL;
	return asprintf(&p, "%s/%s", a->dir, name) < 0 ? NULL : p;
}

/* ---- the journal file ---- */

static int read_fd(int fd, const char *path, char **text, size_t *len,
		   gd_error **err)
{
	gd_strbuf sb = GD_STRBUF_INIT;
	char buf[65536];
	for (off_t off = 0;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gd_strbuf_release(&sb);
			return gd_error_make(err, errno, "cannot read \"%s\"",
					     path);
		}
		if (n == 0)
			break;
		gd_strbuf_addn(&sb, buf, (size_t)n);
		off += n;
		if (sb.len > JOURNAL_MAX)
			break;
	}
	*len = sb.len;
	*text = gd_strbuf_detach(&sb);
	if (!*text || *len > JOURNAL_MAX)
		return gd_error_make(err, *text ? EFBIG : ENOMEM,
				     "cannot read \"%s\"", path);
	return 0;
}

/* Opens the run's journal, locks it and reads it into j; a line cut by a
 * power failure is cut off the file too, so the next append starts a line
 * of its own.  The lock lasts as long as *fd. */
static int journal_open(agent *a, int *fd, ag_journal *j, gd_error **err)
{
	_cleanup_free_ char *path = in_dir(a, "journal");
	if (!path)
		return gd_error_make(err, ENOMEM, "journal");
	*fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (*fd < 0 && errno == ENOENT)
		return gd_error_set(err, ENOENT,
				    "run \"%s\" is not installed on this host",
				    a->host.run);
	if (*fd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", path);
	while (flock(*fd, LOCK_EX) < 0)
		if (errno != EINTR || stopping)
			return gd_error_make(err, errno, "cannot lock \"%s\"",
					     path);
	struct stat st;
	if (fstat(*fd, &st) < 0 || st.st_nlink == 0) /* finished meanwhile */
		return gd_error_set(err, ENOENT, "run \"%s\" has finished",
				    a->host.run);
	_cleanup_free_ char *text = NULL;
	size_t len, good;
	bool cut;
	int r = read_fd(*fd, path, &text, &len, err);
	if (r == 0)
		r = ag_journal_parse(text, len, j, &cut, &good, err);
	if (r < 0)
		return gd_error_prefix(err, "\"%s\"", path);
	if (cut && (ftruncate(*fd, (off_t)good) < 0 || fsync(*fd) < 0))
		return gd_error_make(err, errno, "cannot cut \"%s\"", path);
	if (cut)
		say(a, "journal: a cut last line dropped");
	return 0;
}

/* One line, whole and synced, before whatever it undoes is done. */
static int journal_append(int fd, gd_strbuf *line, gd_error **err)
{
	if (line->oom)
		return gd_error_make(err, ENOMEM, "journal line");
	ssize_t n = write(fd, line->buf, line->len);
	if (n != (ssize_t)line->len || fsync(fd) < 0)
		return gd_error_make(err, n < 0 ? errno : EIO,
				     "cannot append to the journal");
	return 0;
}

static int append_entry(int fd, const ag_entry *e, gd_error **err)
{
	_cleanup_strbuf_ gd_strbuf line = GD_STRBUF_INIT;
	ag_entry_encode(e, &line);
	return journal_append(fd, &line, err);
}

/* ---- record ---- */

static char *saved_path(const agent *a, unsigned long id)
{
	char *p = NULL;
	return asprintf(&p, "%s/saved/%lu", a->dir, id) < 0 ? NULL : p;
}

/* PATH's present state into the journal, unless a pending entry already
 * holds an earlier one.  The bytes are kept (synced) before the entry
 * that names them is written. */
static int save_locked(agent *a, int fd, const ag_journal *j, ag_kind kind,
		       gd_error **err)
{
	const char *path = a->args[0];
	if (ag_journal_saved(j, path, kind)) {
		say(a, "%s: saved already, first state kept", path);
		return 0;
	}
	ag_entry e = {.id = j->next_id,
		      .kind = kind,
		      .tag = (char *)a->tag,
		      .path = (char *)path};
	int r = ag_state_read(&a->host, path, kind, &e, err);
	_cleanup_free_ char *keep = saved_path(a, e.id);
	if (r == 0 && kind == AG_FILE && !e.absent)
		r = keep ? ag_state_keep(&a->host, path, keep, err)
			 : gd_error_make(err, ENOMEM, "saved");
	if (r == 0)
		r = append_entry(fd, &e, err);
	if (r == 0)
		say(a, "%s: saved as %lu%s", path, e.id,
		    e.absent ? " (absent)" : "");
	return r;
}

static int op_save_kind(agent *a, ag_kind kind, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	int r = journal_open(a, &fd, &j, err);
	if (r == 0)
		r = save_locked(a, fd, &j, kind, err);
	ag_journal_free(&j);
	return r;
}

static int op_save(agent *a, gd_error **err)
{
	return op_save_kind(a, AG_FILE, err);
}

static int op_save_attr(agent *a, gd_error **err)
{
	return op_save_kind(a, AG_ATTR, err);
}

/* stdin into a file of the run's, read whole before the journal is
 * locked: a caller whose connection hangs must not hold the lock a
 * watcher needs to revert. */
static int stage_stdin(const agent *a, char **staged, gd_error **err)
{
	if (asprintf(staged, "%s/put.%d", a->dir, (int)getpid()) < 0)
		return *staged = NULL, gd_error_make(err, ENOMEM, "put");
	_cleanup_close_ int fd =
		open(*staged, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"",
				     *staged);
	char buf[65536];
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buf, (size_t)n) != n)
			return gd_error_make(err, errno, "cannot read stdin");
	}
	return 0;
}

/* The owner and mode a put gives: the options', else the file's own,
 * else 0644 and ours. */
static int put_attrs(const agent *a, unsigned attr[3], gd_error **err)
{
	ag_entry now = {0};
	int r = ag_state_read(&a->host, a->args[0], AG_FILE, &now, err);
	if (r < 0)
		return r;
	attr[0] = now.absent ? (unsigned)geteuid() : now.uid;
	attr[1] = now.absent ? (unsigned)getegid() : now.gid;
	attr[2] = now.absent ? 0644 : now.mode;
	char *end;
	if (a->mode) {
		unsigned long m = strtoul(a->mode, &end, 8);
		if (*end || !*a->mode || m > 07777)
			return gd_error_set(err, EINVAL, "bad --mode \"%s\"",
					    a->mode);
		attr[2] = (unsigned)m;
	}
	if (a->owner && sscanf(a->owner, "%u:%u", &attr[0], &attr[1]) != 2)
		return gd_error_set(err, EINVAL, "bad --owner \"%s\"",
				    a->owner);
	return 0;
}

static int op_put(agent *a, gd_error **err)
{
	unsigned attr[3];
	int r = put_attrs(a, attr, err);
	_cleanup_free_ char *staged = NULL;
	if (r == 0)
		r = stage_stdin(a, &staged, err);
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	if (r == 0)
		r = journal_open(a, &fd, &j, err);
	if (r == 0)
		r = save_locked(a, fd, &j, AG_FILE, err);
	if (r == 0)
		r = ag_replace(&a->host, a->args[0], staged, attr[0], attr[1],
			       attr[2], err);
	if (r == 0)
		say(a, "%s: written (%u:%u %o)", a->args[0], attr[0], attr[1],
		    attr[2]);
	if (staged)
		unlink(staged);
	ag_journal_free(&j);
	return r;
}

/* A command entry of argv, appended under the lock held by fd. */
static int journal_cmd(agent *a, char **argv, size_t argc, gd_error **err,
		       int *fd)
{
	ag_journal j = {0};
	int r = journal_open(a, fd, &j, err);
	ag_entry e = {.id = j.next_id,
		      .kind = AG_CMD,
		      .tag = (char *)a->tag,
		      .argv = argv,
		      .argc = argc};
	if (r == 0)
		r = append_entry(*fd, &e, err);
	if (r == 0)
		say(a, "undo %lu: %s", e.id, argv[0]);
	ag_journal_free(&j);
	return r;
}

static int op_on_revert(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	return journal_cmd(a, a->args, a->nargs, err, &fd);
}

static int op_do(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	int r = journal_cmd(a, a->undo, a->nundo, err, &fd);
	if (r < 0) /* no undo written, no change made */
		return r;
	r = ag_run_argv(a->args, err);
	say(a, "change %s: %s", a->args[0], r == 0 ? "done" : "failed");
	return r < 0 ? gd_error_prefix(err, "change") : 0;
}

/* ---- revert ---- */

/* The pending entries of tag (all when NULL), newest first, each marked
 * done once reverted; a failure is said and the rest still run. */
static int revert_locked(agent *a, int fd, const ag_journal *j, const char *tag,
			 gd_error **err)
{
	_cleanup_free_ size_t *order = calloc(j->n + 1, sizeof(*order));
	if (!order)
		return gd_error_make(err, ENOMEM, "revert");
	size_t n = ag_journal_plan(j, tag, order), failed = 0;
	for (size_t i = 0; i < n; i++) {
		const ag_entry *e = &j->entries[order[i]];
		_cleanup_free_ char *keep = saved_path(a, e->id);
		gd_error *why = NULL;
		_cleanup_strbuf_ gd_strbuf done = GD_STRBUF_INIT;
		ag_done_encode(e->id, &done);
		int r = keep ? ag_revert(&a->host, e, keep, &why)
			     : gd_error_make(&why, ENOMEM, "revert");
		if (r == 0)
			r = journal_append(fd, &done, &why);
		if (r < 0) {
			failed++;
			say(a, "entry %lu (%s): %s", e->id, e->tag, why->msg);
			fprintf(stderr, "gd-agent %s: entry %lu (%s): %s\n",
				a->op, e->id, e->tag, why->msg);
		}
		gd_error_free(why);
	}
	say(a, "%zu entries reverted, %zu failed", n - failed, failed);
	if (failed)
		return gd_error_set(err, EIO, "%zu of %zu entries failed",
				    failed, n);
	return 0;
}

static int op_revert(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	int r = journal_open(a, &fd, &j, err);
	if (r == 0)
		r = revert_locked(a, fd, &j, a->tag, err);
	ag_journal_free(&j);
	return r;
}

/* ---- the unit ---- */

static char *unit_path(const agent *a, bool wants)
{
	char *rel = NULL, *full;
	if (asprintf(&rel, "/etc/systemd/system/%sgameday-agent-%s.service",
		     wants ? "multi-user.target.wants/" : "", a->host.run) < 0)
		return NULL;
	full = ag_host_path(&a->host, rel);
	free(rel);
	return full;
}

static int systemctl(const agent *a, const char *verb, bool unit,
		     gd_error **err)
{
	const char *prog = getenv("GD_AGENT_SYSTEMCTL");
	char name[80];
	snprintf(name, sizeof(name), "gameday-agent-%s.service", a->host.run);
	char *argv[] = {(char *)(prog && *prog ? prog : "systemctl"),
			(char *)verb, unit ? name : NULL, NULL};
	int r = ag_run_argv(argv, err);
	return r < 0 ? gd_error_prefix(err, "systemctl %s", verb) : 0;
}

/* The unit's file and its enable link gone, systemd told: a finish that
 * is the watcher's own never stops itself, it only exits after. */
static int unit_remove(agent *a, gd_error **err)
{
	_cleanup_free_ char *unit = unit_path(a, false);
	_cleanup_free_ char *link = unit_path(a, true);
	if (!unit || !link)
		return gd_error_make(err, ENOMEM, "unit");
	bool there = access(unit, F_OK) == 0;
	gd_error *why = NULL;
	if (there && !a->watcher && !a->no_start &&
	    systemctl(a, "stop", true, &why) < 0) {
		say(a, "%s", why->msg); /* stopped already is fine */
		gd_error_free(why);
	}
	if ((unlink(link) < 0 && errno != ENOENT) ||
	    (unlink(unit) < 0 && errno != ENOENT))
		return gd_error_make(err, errno, "cannot remove \"%s\"", unit);
	if (there && !a->no_start)
		return systemctl(a, "daemon-reload", false, err);
	return 0;
}

static int op_finish(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	gd_error *why = NULL;
	int r = journal_open(a, &fd, &j, &why);
	if (r == -ENOENT) { /* finished or never installed: the unit only */
		gd_error_free(why);
		why = NULL;
		r = 0;
	} else if (r == 0) {
		r = revert_locked(a, fd, &j, NULL, &why);
	} else { /* a journal that cannot be read stays for a person */
		ag_journal_free(&j);
		*err = why;
		return r;
	}
	ag_journal_free(&j);
	/* reverts that failed are said; a run left half installed would
	 * only fail the same way again, and be something left behind */
	gd_error *unit = NULL, *tree = NULL;
	int u = unit_remove(a, &unit);
	_cleanup_free_ char *top = ag_host_path(&a->host, "/var/lib/gameday");
	int t = gd_remove_tree(a->dir, false, &tree);
	if (t == 0 && top && rmdir(top) < 0 && errno != ENOTEMPTY &&
	    errno != ENOENT) /* ours when the last run goes */
		t = gd_error_make(&tree, errno, "cannot remove \"%s\"", top);
	if (u == 0 && t == 0)
		say(a, "run \"%s\" removed", a->host.run);
	/* the first failure is the one to say; the rest are in the log */
	gd_error **first = why ? &why : unit ? &unit : &tree;
	*err = *first;
	*first = NULL;
	gd_error_free(why);
	gd_error_free(unit);
	gd_error_free(tree);
	return r < 0 ? r : u < 0 ? u : t;
}

/* ---- install ---- */

/* text into path through a synced temporary file; *changed says whether
 * path held anything else before. */
static int write_durable(const char *path, const char *text, mode_t mode,
			 bool *changed, gd_error **err)
{
	_cleanup_free_ char *old = gd_read_file_or_null(path, 1 << 20);
	*changed = !old || strcmp(old, text) != 0;
	if (!*changed)
		return 0;
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return gd_error_make(err, ENOMEM, "\"%s\"", path);
	_cleanup_close_ int fd =
		open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 ||
	    fchmod(fd, mode) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return gd_error_make(err, e, "cannot write \"%s\"", path);
	}
	return 0;
}

/* This program into the run's folder, unless it runs from there: the
 * unit starts that copy, so the host needs nothing of gameday's else. */
static int copy_self(const agent *a, gd_error **err)
{
	_cleanup_free_ char *bin = in_dir(a, "gd-agent");
	_cleanup_free_ char *tmp = in_dir(a, "gd-agent.tmp");
	struct stat self, there;
	if (!bin || !tmp)
		return gd_error_make(err, ENOMEM, "install");
	if (stat("/proc/self/exe", &self) < 0)
		return gd_error_make(err, errno, "cannot find this program");
	if (stat(bin, &there) == 0 && there.st_dev == self.st_dev &&
	    there.st_ino == self.st_ino)
		return 0;
	/* by rename: a running watcher's file cannot be written over */
	int r = gd_copy_file("/proc/self/exe", tmp, 64u << 20, 0700, err);
	if (r == 0 && rename(tmp, bin) < 0)
		r = gd_error_make(err, errno, "cannot install \"%s\"", bin);
	return r;
}

static char *unit_text(const agent *a)
{
	gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_addf(&sb,
		       "# gameday run %s: written by gd-agent install, "
		       "removed by its finish\n"
		       "[Unit]\n"
		       "Description=gameday agent of run %s (reverts the "
		       "run's changes when gameday goes quiet)\n\n"
		       "[Service]\n"
		       "Type=simple\n"
		       "ExecStart=%s/gd-agent watch --run %s --timeout %ld",
		       a->host.run, a->host.run, a->dir, a->host.run,
		       a->timeout_s);
	if (strcmp(a->host.root, "/") != 0)
		gd_strbuf_addf(&sb, " --root %s", a->host.root);
	gd_strbuf_add(&sb, "\nRestart=on-failure\nRestartSec=1\n\n"
			   "[Install]\nWantedBy=multi-user.target\n");
	return gd_strbuf_detach(&sb);
}

static int sync_parent(const char *path, gd_error **err)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash)
		return gd_error_make(err, ENOMEM, "\"%s\"", path);
	*slash = '\0';
	return ag_sync_dir(dir, err);
}

/* The unit and its link in multi-user.target.wants, as "systemctl
 * enable" makes them: it starts again at every boot until finish. */
static int unit_install(const agent *a, bool *changed, gd_error **err)
{
	_cleanup_free_ char *unit = unit_path(a, false);
	_cleanup_free_ char *link = unit_path(a, true);
	_cleanup_free_ char *text = unit_text(a);
	if (!unit || !link || !text)
		return gd_error_make(err, ENOMEM, "unit");
	char *slash = strrchr(link, '/');
	*slash = '\0';
	int r = gd_mkdir_p(link, 0755, err);
	*slash = '/';
	if (r == 0)
		r = write_durable(unit, text, 0644, changed, err);
	if (r < 0)
		return r;
	/* relative, so it holds below a test's root as on the host */
	char rel[96], target[96];
	snprintf(rel, sizeof(rel), "../gameday-agent-%s.service", a->host.run);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	if (strcmp(target, rel) != 0 &&
	    ((unlink(link) < 0 && errno != ENOENT) || symlink(rel, link) < 0))
		return gd_error_make(err, errno, "cannot link \"%s\"", link);
	r = sync_parent(unit, err);
	return r < 0 ? r : sync_parent(link, err);
}

/* The journal, created with its header unless there: a second install
 * keeps what the first recorded. */
static int journal_create(const agent *a, gd_error **err)
{
	_cleanup_free_ char *path = in_dir(a, "journal");
	_cleanup_free_ char *log = in_dir(a, "agent.log");
	if (!path || !log)
		return gd_error_make(err, ENOMEM, "journal");
	_cleanup_close_ int lfd =
		open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	_cleanup_close_ int fd =
		open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	struct stat st;
	if (fd < 0 || lfd < 0 || flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	if (st.st_size > 0)
		return 0;
	gd_strbuf head = GD_STRBUF_INIT;
	gd_strbuf_add(&head, AG_JOURNAL_HEADER);
	int r = journal_append(fd, &head, err);
	gd_strbuf_release(&head);
	return r;
}

static int op_install(agent *a, gd_error **err)
{
	_cleanup_free_ char *top = ag_host_path(&a->host, "/var/lib/gameday");
	_cleanup_free_ char *saved = in_dir(a, "saved");
	if (!top || !saved)
		return gd_error_make(err, ENOMEM, "install");
	bool changed = false;
	int r = gd_mkdir_p(top, 0755, err);
	if (r == 0)
		r = gd_mkdir_mode(a->dir, 0700, err);
	if (r == 0)
		r = gd_mkdir_mode(saved, 0700, err);
	if (r == 0)
		r = journal_create(a, err);
	if (r == 0)
		r = copy_self(a, err);
	if (r == 0)
		r = sync_parent(a->dir, err);
	if (r == 0)
		r = unit_install(a, &changed, err);
	if (r == 0 && !a->no_start)
		r = systemctl(a, "daemon-reload", false, err);
	/* a changed unit (another timeout) takes effect by a restart, which
	 * stops the watcher with SIGTERM: nothing is reverted by it */
	if (r == 0 && !a->no_start)
		r = systemctl(a, changed ? "restart" : "start", true, err);
	if (r == 0)
		say(a, "installed, timeout %ld s%s", a->timeout_s,
		    a->no_start ? ", not started" : "");
	return r;
}

/* ---- heartbeat and watcher ---- */

static bool installed(const agent *a)
{
	_cleanup_free_ char *path = in_dir(a, "journal");
	return path && access(path, F_OK) == 0;
}

static unsigned long read_beat(const agent *a)
{
	_cleanup_free_ char *path = in_dir(a, "beat");
	_cleanup_free_ char *text = path ? gd_read_file_or_null(path, 64) : 0;
	return text ? strtoul(text, NULL, 10) : 0;
}

static int op_beat(agent *a, gd_error **err)
{
	if (!installed(a))
		return gd_error_set(err, ENOENT,
				    "run \"%s\" is not installed on this host",
				    a->host.run);
	_cleanup_free_ char *path = in_dir(a, "beat");
	_cleanup_free_ char *tmp = NULL;
	char text[32];
	snprintf(text, sizeof(text), "%lu\n", read_beat(a) + 1);
	if (!path || asprintf(&tmp, "%s.%d", path, (int)getpid()) < 0)
		return gd_error_make(err, ENOMEM, "beat");
	/* not synced: after a power cut the silence counts from the boot */
	if (gd_write_file(tmp, text, strlen(text), 0600, err) < 0 ||
	    rename(tmp, path) < 0) {
		unlink(tmp);
		return gd_error_make(err, errno, "cannot write \"%s\"", path);
	}
	return 0;
}

static void nap(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (long)s) * 1e9)};
	nanosleep(&ts, NULL); /* SIGTERM cuts it short, as it should */
}

/* Silence is measured on CLOCK_BOOTTIME: a clock fault may move the
 * host's wall clock, never this one; a fresh start (a reboot) counts
 * from itself. */
static int op_watch(agent *a, gd_error **err)
{
	struct sigaction sa = {.sa_handler = on_term}; /* no SA_RESTART */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	a->watcher = true;
	double quiet_since = clock_s(CLOCK_BOOTTIME), poll = 1.0;
	if (a->timeout_s < 4)
		poll = (double)a->timeout_s / 4;
	unsigned long last = read_beat(a);
	say(a, "watching: finish after %ld s without a beat", a->timeout_s);
	while (!stopping && installed(a)) {
		unsigned long beat = read_beat(a);
		double now = clock_s(CLOCK_BOOTTIME);
		if (beat != last) {
			last = beat;
			quiet_since = now;
		}
		if (now - quiet_since >= (double)a->timeout_s) {
			say(a, "no beat for %.1f s: finishing",
			    now - quiet_since);
			int r = op_finish(a, err);
			/* uninstalled: a failure exit would only have
			 * systemd restart a unit that is gone */
			if (r < 0 && !installed(a))
				fprintf(stderr, "gd-agent watch: %s\n",
					(*err)->msg);
			return installed(a) && !stopping ? r : 0;
		}
		nap(poll);
	}
	if (stopping) {
		say(a, "stopped: nothing reverted");
		return 0;
	}
	/* finished by gameday, or its folder gone by hand: no unit of a
	 * run that is not there may start again at the next boot */
	say(a, "run finished");
	return unit_remove(a, err);
}

/* ---- reading ---- */

static int op_status(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	int r = journal_open(a, &fd, &j, err);
	for (size_t i = 0; r == 0 && i < j.n; i++) {
		if (j.entries[i].done)
			continue;
		_cleanup_strbuf_ gd_strbuf line = GD_STRBUF_INIT;
		ag_entry_encode(&j.entries[i], &line);
		fputs(line.buf + strlen("entry\t"), stdout);
	}
	ag_journal_free(&j);
	return r;
}

static int is_run(const struct dirent *d)
{
	return (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN) &&
	       ag_run_valid(d->d_name);
}

static int op_runs(agent *a, gd_error **err)
{
	_cleanup_free_ char *top = ag_host_path(&a->host, "/var/lib/gameday");
	struct dirent **names;
	if (!top)
		return gd_error_make(err, ENOMEM, "runs");
	int n = scandir(top, &names, is_run, alphasort);
	if (n < 0 && errno == ENOENT)
		return 0;
	if (n < 0)
		return gd_error_make(err, errno, "cannot list \"%s\"", top);
	for (int i = 0; i < n; i++) {
		printf("%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return 0;
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
	{"install", op_install, RUN | TIMEOUT | NO_START,
	 "--run RUN [--timeout S] [--no-start]"},
	{"save", op_save, RUN | TAG | PATH, "--run RUN --tag TAG PATH"},
	{"save-attr", op_save_attr, RUN | TAG | PATH,
	 "--run RUN --tag TAG PATH"},
	{"put", op_put, RUN | TAG | PATH | ATTRS,
	 "--run RUN --tag TAG [--mode OCTAL] [--owner UID:GID] PATH <DATA"},
	{"on-revert", op_on_revert, RUN | TAG | ARGV,
	 "--run RUN --tag TAG -- ARGV..."},
	{"do", op_do, RUN | TAG | ARGV | UNDO,
	 "--run RUN --tag TAG --undo-argv N UNDO1..UNDON -- ARGV..."},
	{"revert", op_revert, RUN | TAG_OPT, "--run RUN [--tag TAG]"},
	{"finish", op_finish, RUN | NO_START, "--run RUN"},
	{"beat", op_beat, RUN, "--run RUN"},
	{"watch", op_watch, RUN | TIMEOUT, "--run RUN [--timeout S]"},
	{"status", op_status, RUN, "--run RUN"},
	{"runs", op_runs, 0, ""},
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
		say(&a, "failed: %s", err ? err->msg : "?");
		fprintf(stderr, "gd-agent %s: %s\n", a.op,
			err ? err->msg : "?");
	}
	gd_error_free(err);
	free(a.dir);
	return r < 0 ? 1 : 0;
}
