/* The run's life on the host: installed as an enabled unit, beaten by
 * gameday, watched, and finished leaving nothing (agent.h). */
#include "agent/agent.h"
#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t ag_stopping;

/* Installed without SA_RESTART: a wait for the journal's lock or a nap
 * between polls ends at once. */
static void on_term(int sig)
{
	(void)sig;
	ag_stopping = 1;
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
		ag_say(a, "%s", why->msg); /* stopped already is fine */
		gd_error_free(why);
	}
	if ((unlink(link) < 0 && errno != ENOENT) ||
	    (unlink(unit) < 0 && errno != ENOENT))
		return gd_error_make(err, errno, "cannot remove \"%s\"", unit);
	if (there && !a->no_start)
		return systemctl(a, "daemon-reload", false, err);
	return 0;
}

/* Set by finish when a file's or an attr's revert failed and the run was
 * kept: the watcher then exits 0, so Restart=on-failure does not loop it,
 * and the next boot's watcher retries. */
static bool run_kept;

int ag_op_finish(agent *a, gd_error **err)
{
	_cleanup_close_ int fd = -1;
	ag_journal j = {0};
	gd_error *why = NULL;
	bool keep = false;
	int r = ag_journal_open(a, &fd, &j, &why);
	if (r == -ENOENT) {
		/* finished, or never installed: the unit only, never the
		 * folder, which need not be a run's (gameday's own logs/) */
		ag_journal_free(&j);
		gd_error_free(why);
		return unit_remove(a, err);
	}
	if (r < 0) { /* a journal that cannot be read stays for a person */
		ag_journal_free(&j);
		*err = why;
		return r;
	}
	r = ag_revert_locked(a, fd, &j, NULL, &keep, &why);
	ag_journal_free(&j);
	if (keep) {
		/* the only copy of an original is in saved/: the journal,
		 * saved/ and the unit stay, for the next boot to retry and
		 * the preflight to list */
		run_kept = true;
		ag_say(a, "run \"%s\" kept: a file or attr revert failed",
		       a->host.run);
		*err = why;
		return gd_error_prefix(err, "run kept for a retry");
	}
	/* a command's undo that failed is said, and does not keep the run:
	 * run again it would only fail the same way */
	gd_error *unit = NULL, *tree = NULL;
	int u = unit_remove(a, &unit);
	_cleanup_free_ char *top = ag_host_path(&a->host, "/var/lib/gameday");
	/* under the journal's lock: a beat or a put's staging waits for it
	 * and then finds the run gone (nlink 0) */
	int t = ag_remove_dir(a->dir, &tree);
	if (t == 0 && top && rmdir(top) < 0 && errno != ENOTEMPTY &&
	    errno != ENOENT) /* ours when the last run goes */
		t = gd_error_make(&tree, errno, "cannot remove \"%s\"", top);
	if (u == 0 && t == 0)
		ag_say(a, "run \"%s\" removed", a->host.run);
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
	unlink(tmp); /* a cut install's, or a link in the way */
	_cleanup_close_ int fd =
		open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     mode);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len ||
	    fchmod(fd, mode) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
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
	_cleanup_free_ char *bin = ag_in_dir(a, "gd-agent");
	_cleanup_free_ char *tmp = ag_in_dir(a, "gd-agent.tmp");
	struct stat self, there;
	if (!bin || !tmp)
		return gd_error_make(err, ENOMEM, "install");
	if (stat("/proc/self/exe", &self) < 0)
		return gd_error_make(err, errno, "cannot find this program");
	if (stat(bin, &there) == 0 && there.st_dev == self.st_dev &&
	    there.st_ino == self.st_ino)
		return 0;
	/* by rename: a running watcher's file cannot be written over.
	 * Synced before: a host that loses power (or a reboot that skips
	 * the disk's flush) would otherwise come back with an empty
	 * program for the unit to start, and nothing to revert with
	 * (seen on the lab's machines). */
	int r = gd_copy_file("/proc/self/exe", tmp, 64u << 20, 0700, err);
	if (r == 0) {
		int fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) < 0)
			r = gd_error_make(err, errno, "cannot sync \"%s\"",
					  tmp);
		if (fd >= 0)
			close(fd);
	}
	if (r == 0 && rename(tmp, bin) < 0)
		r = gd_error_make(err, errno, "cannot install \"%s\"", bin);
	return r; /* the folder is synced by install */
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

int ag_op_install(agent *a, gd_error **err)
{
	_cleanup_free_ char *top = ag_host_path(&a->host, "/var/lib/gameday");
	_cleanup_free_ char *saved = ag_in_dir(a, "saved");
	if (!top || !saved)
		return gd_error_make(err, ENOMEM, "install");
	bool changed = false;
	/* each folder's entry synced in its parent, and the run's folder
	 * once everything in it is made (saved/, the journal, the log, the
	 * program): a power cut right after install loses none of them,
	 * and a second install, which makes nothing, syncs them again */
	int r = gd_mkdir_p(top, 0755, err);
	if (r == 0)
		r = sync_parent(top, err);
	if (r == 0)
		r = gd_mkdir_mode(a->dir, 0700, err);
	if (r == 0)
		r = sync_parent(a->dir, err);
	if (r == 0)
		r = gd_mkdir_mode(saved, 0700, err);
	if (r == 0)
		r = ag_journal_create(a, err);
	if (r == 0)
		r = copy_self(a, err);
	if (r == 0)
		r = ag_sync_dir(a->dir, err);
	if (r == 0)
		r = unit_install(a, &changed, err);
	if (r == 0 && !a->no_start)
		r = systemctl(a, "daemon-reload", false, err);
	/* a changed unit (another timeout) takes effect by a restart, which
	 * stops the watcher with SIGTERM: nothing is reverted by it */
	if (r == 0 && !a->no_start)
		r = systemctl(a, changed ? "restart" : "start", true, err);
	if (r == 0)
		ag_say(a, "installed, timeout %ld s%s", a->timeout_s,
		       a->no_start ? ", not started" : "");
	return r;
}

/* ---- heartbeat and watcher ---- */

static bool installed(const agent *a)
{
	_cleanup_free_ char *path = ag_in_dir(a, "journal");
	return path && access(path, F_OK) == 0;
}

static unsigned long read_beat(const agent *a)
{
	_cleanup_free_ char *path = ag_in_dir(a, "beat");
	_cleanup_free_ char *text = path ? gd_read_file_or_null(path, 64) : 0;
	return text ? strtoul(text, NULL, 10) : 0;
}

/* Under the journal's lock, and only while the journal is still linked:
 * a beat landing while finish empties the folder would leave "beat" in
 * it, its rmdir failing and a folder that no one lists. */
int ag_op_beat(agent *a, gd_error **err)
{
	_cleanup_free_ char *journal = ag_in_dir(a, "journal");
	_cleanup_close_ int fd =
		journal ? open(journal, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (fd < 0 && journal && errno != ENOENT)
		return gd_error_make(err, errno, "cannot open \"%s\"", journal);
	while (fd >= 0 && flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return gd_error_make(err, errno, "cannot lock \"%s\"",
					     journal);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0)
		return gd_error_set(err, ENOENT,
				    "run \"%s\" is not installed on this host",
				    a->host.run);
	_cleanup_free_ char *path = ag_in_dir(a, "beat");
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
int ag_op_watch(agent *a, gd_error **err)
{
	struct sigaction sa = {.sa_handler = on_term}; /* no SA_RESTART */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	a->watcher = true;
	double quiet_since = ag_clock_s(CLOCK_BOOTTIME), poll = 1.0;
	if (a->timeout_s < 4)
		poll = (double)a->timeout_s / 4;
	unsigned long last = read_beat(a);
	ag_say(a, "watching: finish after %ld s without a beat", a->timeout_s);
	while (!ag_stopping && installed(a)) {
		unsigned long beat = read_beat(a);
		double now = ag_clock_s(CLOCK_BOOTTIME);
		if (beat != last) {
			last = beat;
			quiet_since = now;
		}
		if (now - quiet_since >= (double)a->timeout_s) {
			ag_say(a, "no beat for %.1f s: finishing",
			       now - quiet_since);
			int r = ag_op_finish(a, err);
			if (r < 0)
				fprintf(stderr, "gd-agent watch: %s\n",
					(*err)->msg);
			/* kept (a file's revert failed): exit 0, or
			 * Restart=on-failure would finish it again every
			 * timeout; the unit stays enabled, so the next boot
			 * retries.  Uninstalled: a failure exit would only
			 * have systemd restart a unit that is gone. */
			if (run_kept)
				ag_say(a, "run kept: the next boot retries");
			return installed(a) && !ag_stopping && !run_kept ? r
									 : 0;
		}
		nap(poll);
	}
	if (ag_stopping) {
		ag_say(a, "stopped: nothing reverted");
		return 0;
	}
	/* finished by gameday, or its folder gone by hand: no unit of a
	 * run that is not there may start again at the next boot */
	ag_say(a, "run finished");
	return unit_remove(a, err);
}

/* A run's folder is one that holds a journal: /var/lib/gameday also
 * holds gameday's own folders (logs/) on a host that runs it. */
static int is_run(const struct dirent *d)
{
	return (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN) &&
	       ag_run_valid(d->d_name);
}

int ag_op_runs(agent *a, gd_error **err)
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
		_cleanup_free_ char *journal = NULL;
		struct stat st;
		if (asprintf(&journal, "%s/%s/journal", top, names[i]->d_name) >
			    0 &&
		    lstat(journal, &st) == 0 && S_ISREG(st.st_mode))
			printf("%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return 0;
}
