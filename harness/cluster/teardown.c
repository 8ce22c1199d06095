#include "cluster/teardown.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "cluster/cluster.h"
#include "cluster/ns.h"
#include "host/cgroup.h"
#include "host/ledger.h"
#include "net/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define KILL_TIMEOUT_MS 5000

static void say_nothing(const char *what, const char *name)
{
	(void)what;
	(void)name;
}

/* Lazily unmounts every mount point at or below dir (deepest first), so a
 * tree can be removed without ever crossing into a mounted file system. */
static void unmount_below(const char *dir, gd_say_fn say)
{
	size_t n = strlen(dir);
	for (int pass = 0; pass < 8; pass++) {
		FILE *f = fopen("/proc/self/mountinfo", "re");
		if (!f)
			return;
		char *line = NULL, best[PATH_MAX] = "";
		size_t cap = 0;
		while (getline(&line, &cap, f) > 0) {
			char mnt[PATH_MAX];
			if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
				continue;
			if (strncmp(mnt, dir, n) == 0 &&
			    (mnt[n] == '/' || mnt[n] == '\0') &&
			    strlen(mnt) > strlen(best))
				gd_pathf(best, sizeof(best), "%s", mnt);
		}
		free(line);
		fclose(f);
		if (!*best)
			return;
		if (umount2(best, MNT_DETACH) < 0)
			return;
		say("mount", best);
	}
}

static void nap_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int undo_entry(const gd_ledger_entry *e, gd_say_fn say, gd_error **err)
{
	switch (e->op) {
	case GD_LEDGER_PROCESS:
		/* Only the very process recorded: a recycled pid has another
		 * start time. */
		if (e->pid > 1 && e->start &&
		    gd_process_start_time(e->pid) == e->start) {
			kill(e->pid, SIGKILL);
			for (int waited = 0;
			     waited < KILL_TIMEOUT_MS &&
			     gd_process_start_time(e->pid) == e->start;
			     waited += 5)
				nap_ms(5);
			char name[32];
			gd_pathf(name, sizeof(name), "%d", (int)e->pid);
			say("process", name);
		}
		return 0;
	case GD_LEDGER_CGROUP: {
		if (!e->path || !gd_run_owns_cgroup(e->path))
			return 0;
		if (access(e->path, F_OK) < 0)
			return 0;
		int r = gd_cgroup_remove(e->path, KILL_TIMEOUT_MS, err);
		if (r == 0)
			say("cgroup", e->path);
		return r;
	}
	case GD_LEDGER_MOUNT: {
		if (!e->path || !gd_run_owns_path(e->path))
			return 0;
		if (access(e->path, F_OK) < 0)
			return 0;
		int r = gd_netns_release(e->path, err);
		if (r == 0)
			say("namespace", e->path);
		return r;
	}
	case GD_LEDGER_TMPFS:
		if (!e->path || !gd_run_owns_path(e->path))
			return 0;
		unmount_below(e->path, say);
		return 0;
	case GD_LEDGER_DIR: {
		if (!e->path || !gd_run_owns_path(e->path))
			return 0;
		if (access(e->path, F_OK) < 0)
			return 0;
		unmount_below(e->path, say);
		int r = gd_remove_tree(e->path, false, err);
		if (r == 0)
			say("directory", e->path);
		return r;
	}
	case GD_LEDGER_DONE:
		return 0;
	}
	return 0;
}

/* With the last run gone, gameday's own state directories go too (rmdir
 * only removes them empty). */
static void prune_state_dirs(void)
{
	char runs[PATH_MAX];
	gd_pathf(runs, sizeof(runs), "%s/runs", gd_state_root());
	if (rmdir(runs) == 0 && !getenv("GAMEDAY_STATE_DIR"))
		rmdir(gd_state_root());
}

static int undo_file(const char *ledger, gd_say_fn say, gd_error **err)
{
	gd_ledger_entry *v = NULL;
	size_t n = 0;
	int r = gd_ledger_read(ledger, &v, &n, err);
	if (r < 0)
		return r;
	/* Newest first; keep going past a failure so one stuck object does
	 * not strand the rest, and report the first failure. */
	int first = 0;
	for (size_t i = n; i-- > 0;) {
		gd_error *e = NULL;
		int ri = undo_entry(&v[i], say, &e);
		if (ri < 0 && first == 0) {
			first = ri;
			if (err && !*err)
				*err = e;
			else
				gd_error_free(e);
		} else {
			gd_error_free(e);
		}
	}
	gd_ledger_entries_free(v, n);
	prune_state_dirs();
	return first;
}

int gd_run_undo_held(gd_run *run, gd_say_fn say, gd_error **err)
{
	char ledger[PATH_MAX];
	gd_pathf(ledger, sizeof(ledger), "%s/ledger.jsonl", run->dir);
	return undo_file(ledger, say ? say : say_nothing, err);
}

int gd_run_undo(const char *dir, gd_say_fn say, gd_error **err)
{
	char ledger[PATH_MAX];
	gd_pathf(ledger, sizeof(ledger), "%s/ledger.jsonl", dir);
	_cleanup_close_ int fd = open(ledger, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", ledger);
	/* A run killed a moment ago may still have a child on its way out
	 * holding the ledger: give it a second before calling the run live. */
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 10) {
		if (errno != EWOULDBLOCK || waited >= 1000)
			return gd_error_make(
				err, errno == EWOULDBLOCK ? EBUSY : errno,
				"run \"%s\" is in progress (its ledger is locked)",
				dir);
		nap_ms(10);
	}
	return undo_file(ledger, say ? say : say_nothing, err);
}

/* The namespaced backend's down (ns.h). */
int gd_ns_down(const gd_cluster_state *st, int grace_ms, gd_error **err)
{
	/* Ask every init to stop its services (they log it), then give them
	 * the grace period before the ledger's cgroup kills. */
	for (size_t i = 0; i < st->nnodes; i++) {
		const gd_node_rt *n = &st->nodes[i];
		if (n->init_pid > 1 &&
		    gd_process_start_time(n->init_pid) == n->init_start)
			kill(n->init_pid, SIGTERM);
	}
	for (int waited = 0; waited < grace_ms; waited += 10) {
		bool alive = false;
		for (size_t i = 0; i < st->nnodes && !alive; i++)
			alive = gd_process_start_time(st->nodes[i].init_pid) ==
				st->nodes[i].init_start;
		if (!alive)
			break;
		nap_ms(10);
	}
	return gd_run_undo(st->dir, NULL, err);
}

/* Keeps the first failure of a cleanup (r and its error *e) in *first
 * and *err; later ones are dropped, the cleanup going on past them. */
static void keep_first(int r, gd_error **e, int *first, gd_error **err)
{
	if (r < 0 && *first == 0) {
		*first = r;
		*err = TAKE_PTR(*e);
	}
	gd_error_free(*e);
	*e = NULL;
}

/* 1. Every run nobody holds, by its ledger. */
static void cleanup_runs(const char *runs, gd_say_fn say, int *first,
			 gd_error **err)
{
	DIR *d = opendir(runs);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!gd_run_id_valid(e->d_name))
			continue;
		char dir[PATH_MAX], ledger[PATH_MAX];
		gd_pathf(dir, sizeof(dir), "%s/%s", runs, e->d_name);
		gd_pathf(ledger, sizeof(ledger), "%s/ledger.jsonl", dir);
		gd_error *e2 = NULL;
		int r = 0;
		if (access(ledger, F_OK) == 0) {
			r = gd_run_undo(dir, say, &e2);
		} else {
			/* Killed before its ledger existed: only the empty
			 * directory can be there. */
			unmount_below(dir, say);
			r = gd_remove_tree(dir, false, &e2);
			if (r == 0)
				say("directory", dir);
		}
		if (r == -EBUSY) {
			say(NULL, dir);
			r = 0;
		}
		keep_first(r, &e2, first, err);
	}
	if (d)
		closedir(d);
}

/* Whether cgroup cg (gameday-ID) is another state root's run whose ledger
 * is still there: its own cleanup's to undo, not ours. */
static bool owned_elsewhere(const char *cg, const char *id)
{
	char other[PATH_MAX] = "", rundir[PATH_MAX];
	ssize_t n = getxattr(cg, GD_RUN_ROOT_XATTR, other, sizeof(other) - 1);
	if (n <= 0)
		return false;
	other[n] = '\0';
	gd_pathf(rundir, sizeof(rundir), "%s/runs/%s", other, id);
	return strcmp(other, gd_state_root()) != 0 && access(rundir, F_OK) == 0;
}

/* A stray run cgroup removed, its nodes' first. */
static void remove_stray(const char *cg, gd_say_fn say, int *first,
			 gd_error **err)
{
	DIR *sub = opendir(cg);
	struct dirent *s;
	while (sub && (s = readdir(sub))) {
		char child[PATH_MAX];
		if (s->d_type != DT_DIR || s->d_name[0] == '.')
			continue;
		gd_pathf(child, sizeof(child), "%s/%s", cg, s->d_name);
		gd_error *e4 = NULL;
		if (gd_cgroup_remove(child, KILL_TIMEOUT_MS, &e4) == 0)
			say("cgroup", child);
		gd_error_free(e4);
	}
	if (sub)
		closedir(sub);
	gd_error *e5 = NULL;
	if (gd_cgroup_remove(cg, KILL_TIMEOUT_MS, &e5) == 0)
		say("cgroup", cg);
	else
		keep_first(-EBUSY, &e5, first, err);
}

/* 2. Cgroups with the prefix whose run is gone (a ledger lost or never
 * written).  A run still in progress keeps its own. */
static void cleanup_cgroups(const char *runs, gd_say_fn say, int *first,
			    gd_error **err)
{
	char root[PATH_MAX];
	gd_error *e3 = NULL;
	if (gd_cgroup_root(root, sizeof(root), &e3) < 0) {
		gd_error_free(e3);
		return;
	}
	DIR *c = opendir(root);
	struct dirent *e;
	while (c && (e = readdir(c))) {
		if (strncmp(e->d_name, "gameday-", 8) != 0 ||
		    !gd_run_id_valid(e->d_name + 8))
			continue;
		char rundir[PATH_MAX], cg[PATH_MAX];
		gd_pathf(rundir, sizeof(rundir), "%s/%s", runs, e->d_name + 8);
		if (access(rundir, F_OK) == 0)
			continue;
		gd_pathf(cg, sizeof(cg), "%s/%s", root, e->d_name);
		if (!owned_elsewhere(cg, e->d_name + 8))
			remove_stray(cg, say, first, err);
	}
	if (c)
		closedir(c);
}

int gd_cleanup(gd_say_fn say, gd_error **err)
{
	int first = 0;
	char runs[PATH_MAX];
	gd_pathf(runs, sizeof(runs), "%s/runs", gd_state_root());
	cleanup_runs(runs, say, &first, err);
	cleanup_cgroups(runs, say, &first, err);
	return first;
}
