/* The namespaced node, the first node backend (backend.h): a process
 * tree under gd-init in its own Linux namespaces and cgroup on this host
 * (node.h), reached through /proc/INIT_PID (its namespaces, its root),
 * its cgroup's control files and its directories in the run directory.
 * Bringing a cluster of them up is in cluster.c (gd_ns_up), taking it
 * down in teardown.c (gd_ns_down). */
#include "cluster/ns.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "cluster/events.h"
#include "cluster/provision.h"
#include "host/cgroup.h"
#include "host/ledger.h"
#include "net/netlink.h"
#include "net/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the cluster's places ---- */

void gd_cluster_places_ns(gd_cluster_state *st)
{
	gd_pathf(st->node_shared, sizeof(st->node_shared), "%s",
		 GD_NS_NODE_SHARED);
	gd_pathf(st->node_programs, sizeof(st->node_programs), "%s",
		 GD_NS_NODE_PROGRAMS);
	gd_pathf(st->node_scratch, sizeof(st->node_scratch), "%s",
		 GD_NS_NODE_SCRATCH);
	gd_pathf(st->shared, sizeof(st->shared), "%s/%s", st->dir,
		 GD_NS_SHARED);
}

/* ---- state ---- */

static bool ns_running(const gd_node_rt *n)
{
	return n->init_pid &&
	       gd_process_start_time(n->init_pid) == n->init_start;
}

static const char *ns_state(const gd_node_rt *n)
{
	if (!ns_running(n))
		return "down";
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/cgroup.events", n->cgroup);
	_cleanup_free_ char *text = gd_read_file_or_null(path, 4096);
	if (!text)
		return "down";
	return strstr(text, "frozen 1") ? "frozen" : "up";
}

/* ---- exec ---- */

static const struct {
	const char *name;
	int type;
} ns_order[] = {
	/* mnt last: after it, /proc is the node's. */
	{"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
	{"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP},
	{"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
};
#define NNS (sizeof(ns_order) / sizeof(ns_order[0]))

/* Says why the child cannot go on, on its stderr, without stdio (see
 * exec_child): "gameday cluster exec: " before arg after ": " why. */
static void child_say(const char *before, const char *arg, const char *after,
		      int err)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "gameday cluster exec: %s%s%s: %s\n",
			 before, arg, after, strerrordesc_np(err));
	if (n > 0) {
		ssize_t w = write(2, buf,
				  (size_t)n < sizeof(buf) ? (size_t)n
							  : sizeof(buf) - 1);
		(void)w;
	}
}

/* The child of a multi-threaded gameday (the fault player runs beside the
 * runner) holds copies of whatever locks the other threads held: it may
 * make system calls only, never malloc, stdio or glibc's fork(), which
 * takes malloc's locks and would wait for ever (a probe that hung 5 s
 * now and then, until the lag watch showed it). */
static __attribute__((noreturn)) void exec_child(int *fds, char *const *argv,
						 const gd_exec_io *io)
{
	if (io && io->out_fd >= 0 && dup2(io->out_fd, 1) < 0)
		_exit(127);
	if (io && io->err_fd >= 0 && dup2(io->err_fd, 2) < 0)
		_exit(127);
	for (size_t i = 0; i < NNS; i++)
		if (setns(fds[i], ns_order[i].type) < 0) {
			child_say("cannot enter the node's ", ns_order[i].name,
				  " namespace", errno);
			_exit(127);
		}
	if (chdir("/") < 0)
		_exit(127);
	/* setns(pid) takes effect for children: one more, by system call. */
	struct clone_args ca = {.exit_signal = SIGCHLD};
	pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		_exit(127);
	if (pid == 0) {
		/* If we are killed (a command past its time limit), so is
		 * the command. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* (glibc searches PATH in a buffer on the stack) */
		execvp(argv[0], argv);
		child_say("cannot run \"", argv[0], "\"", errno);
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int ns_exec(const gd_cluster_state *st, const gd_node_rt *n,
		   char *const *argv, const gd_exec_io *io, int *status,
		   gd_error **err)
{
	(void)st;
	const char *node = n->name;
	if (strcmp(ns_state(n), "down") == 0)
		return gd_error_set(err, ESRCH, "node \"%s\" is down", node);

	int fds[NNS];
	for (size_t i = 0; i < NNS; i++)
		fds[i] = -1;
	int r = 0;
	for (size_t i = 0; i < NNS && r == 0; i++) {
		char p[64];
		gd_pathf(p, sizeof(p), "/proc/%d/ns/%s", (int)n->init_pid,
			 ns_order[i].name);
		fds[i] = open(p, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			r = gd_error_make(err, errno, "cannot open \"%s\"", p);
	}
	_cleanup_close_ int cgfd =
		r == 0 ? open(n->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
		       : -1;
	if (r == 0 && cgfd < 0)
		r = gd_error_make(err, errno, "cannot open cgroup \"%s\"",
				  n->cgroup);
	pid_t pid = -1;
	if (r == 0) {
		/* In the node's cgroup from the start, so a node kill takes
		 * the command too. */
		struct clone_args ca = {.flags = CLONE_INTO_CGROUP,
					.exit_signal = SIGCHLD,
					.cgroup = (uint64_t)cgfd};
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0)
			exec_child(fds, argv, io);
		if (pid < 0)
			r = gd_error_make(
				err, errno,
				"cannot start a process in node \"%s\"", node);
	}
	for (size_t i = 0; i < NNS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (r < 0)
		return r;
	int ws;
	int limit = io && io->timeout_ms > 0 ? io->timeout_ms : -1;
	for (int waited = 0;; waited++) {
		pid_t got = waitpid(pid, &ws, limit < 0 ? 0 : WNOHANG);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			return gd_error_make(err, errno,
					     "cannot wait for the command");
		if (limit >= 0 && waited >= limit) {
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
			return gd_error_make(
				err, ETIMEDOUT,
				"\"%s\" on node \"%s\" did not finish within %d ms",
				argv[0], node, limit);
		}
		if (got == 0) {
			struct timespec ts = {0, 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}

/* ---- power ---- */

static int ns_pause(const gd_cluster_state *st, const gd_node_rt *n, bool pause,
		    const gd_node_ready *ready, gd_error **err)
{
	const char *node = n->name;
	int r = gd_cgroup_freeze(n->cgroup, ready ? &ready->cgroup : NULL,
				 pause, 5000, err);
	if (r == 0)
		gd_event_node(st->events,
			      pause ? GD_EV_NODE_PAUSED : GD_EV_NODE_RESUMED,
			      node);
	return r;
}

static int pin(const gd_cluster_state *st, const gd_node_rt *n, gd_error **err)
{
	if (access(n->netns, F_OK) == 0 || !ns_running(n))
		return 0;
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/ledger.jsonl", st->dir);
	gd_ledger *ledger = NULL;
	int r = gd_ledger_open(path, &ledger, err);
	if (r == 0)
		r = gd_ledger_add(ledger, GD_LEDGER_MOUNT, n->netns, 0, 0, err);
	if (r == 0)
		r = gd_netns_pin(n->init_pid, n->netns, err);
	gd_ledger_close(ledger);
	return r;
}

static int ns_ready(const gd_cluster_state *st, const gd_node_rt *n,
		    bool for_stop, gd_node_ready *ready, gd_error **err)
{
	*ready = (gd_node_ready)GD_NODE_READY_INIT;
	int r = gd_cgroup_files_open(n->cgroup, &ready->cgroup, err);
	if (r < 0 || !for_stop)
		return r;
	r = pin(st, n, err);
	if (r < 0)
		return r;
	char ns[64];
	gd_pathf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)n->init_pid);
	if (ns_running(n))
		ready->mnt = open(ns, O_RDONLY | O_CLOEXEC);
	return 0;
}

static void ns_ready_close(gd_node_ready *ready)
{
	gd_cgroup_files_close(&ready->cgroup);
	if (ready->mnt >= 0)
		close(ready->mnt);
	ready->mnt = -1;
}

static int ns_stop(const gd_cluster_state *st, const gd_node_rt *n,
		   bool release, const gd_node_ready *ready, gd_error **err)
{
	const char *node = n->name;
	/* A node that keeps its namespaces keeps its link. */
	int r = release ? 0 : pin(st, n, err);
	if (r < 0)
		return r;
	gd_event_node(st->events, GD_EV_NODE_KILLING, node);
	r = gd_cgroup_kill(n->cgroup, ready ? &ready->cgroup : NULL, 5000, err);
	/* The cgroup reads empty a moment before the node's init is done
	 * exiting (it leaves its cgroup first, then waits for the last of
	 * its namespace to be reaped): until then the node still reads as
	 * up, and a start right away (a renewed node re-imaged at its
	 * change's end) was refused as "already up". */
	for (int ms = 0; r == 0 && ns_running(n); ms++) {
		if (ms >= 5000)
			r = gd_error_set(err, ETIMEDOUT,
					 "node \"%s\": its init did not end",
					 node);
		struct timespec ts = {0, 1000000L};
		nanosleep(&ts, NULL);
	}
	/* Unpinning the network namespace deletes the node's link: the
	 * machine is gone from the network, not just powered off. */
	if (r == 0 && release)
		r = gd_netns_release(n->netns, err);
	if (r == 0)
		gd_event_node(st->events,
			      release ? GD_EV_NODE_RELEASED : GD_EV_NODE_KILLED,
			      node);
	return r;
}

/* gd-init's, in the node's /run: "hold" renamed "held" once it takes
 * signals (until then the kernel would drop SIGUSR1: a pid namespace's
 * init gets only the signals it handles or blocks). */
#define HOLD_FILE "run/gameday/hold"
#define HELD_FILE "run/gameday/held"

static int ns_start(gd_cluster_state *st, gd_node_rt *n, const char *libexec,
		    bool held, gd_error **err)
{
	const char *node = n->name;
	if (strcmp(ns_state(n), "down") != 0)
		return gd_error_set(err, EEXIST, "node \"%s\" is already up",
				    node);
	/* A fresh cgroup for the new init: the old one may still be frozen,
	 * and this kernel kills any task cloned into a cgroup that has been
	 * through 'cgroup.kill' before (its kill sequence number differs
	 * from the parent's).  Same path, so the ledger entry covers it. */
	int r = gd_cgroup_remove(n->cgroup, 5000, err);
	if (r < 0)
		return r;
	if (mkdir(n->cgroup, 0755) < 0)
		return gd_error_make(err, errno, "cannot create cgroup \"%s\"",
				     n->cgroup);
	char path[PATH_MAX];
	if (held) {
		/* The node's /run is its own directory here while it is
		 * down; gd-init removes the file when released. */
		char hold[PATH_MAX];
		gd_pathf(path, sizeof(path), "%s/run/gameday", n->dir);
		gd_pathf(hold, sizeof(hold), "%s/" HOLD_FILE, n->dir);
		_cleanup_close_ int fd = -1;
		if ((mkdir(path, 0755) < 0 && errno != EEXIST) ||
		    (fd = open(hold, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
			return gd_error_make(
				err, errno,
				"cannot hold the services of \"%s\"", node);
	}
	gd_pathf(path, sizeof(path), "%s/ledger.jsonl", st->dir);
	gd_ledger *ledger = NULL;
	r = gd_ledger_open(path, &ledger, err);
	if (r < 0)
		return r;
	int events = open(st->events, O_WRONLY | O_APPEND | O_CLOEXEC);
	r = gd_node_restart(ledger, n, (size_t)(n - st->nodes), st->dir,
			    st->switch_netns, GD_NS_BRIDGE, libexec, events,
			    err);
	if (r == 0) {
		gd_event(events, GD_EV_NODE_STARTED,
			 json_pack("{s:s,s:s,s:i}", "node", n->name, "address",
				   n->addr, "init_pid", (int)n->init_pid));
		r = gd_cluster_save(st, err);
	}
	if (events >= 0)
		close(events);
	gd_ledger_close(ledger);
	return r;
}

static int ns_release(const gd_cluster_state *st, const gd_node_rt *n,
		      gd_error **err)
{
	(void)st;
	const char *node = n->name;
	char held[PATH_MAX];
	gd_pathf(held, sizeof(held), "%s/" HELD_FILE, n->dir);
	for (int waited = 0; access(held, F_OK) < 0 && waited < 5000; waited++)
		usleep(1000);
	/* Before gd-init takes signals the kernel would drop SIGUSR1 and
	 * leave the node held for good. */
	if (access(held, F_OK) < 0)
		return gd_error_set(
			err, ETIMEDOUT,
			"node \"%s\" did not get ready to be released", node);
	if (kill(n->init_pid, SIGUSR1) < 0)
		return gd_error_make(err, errno,
				     "cannot release the services of \"%s\"",
				     node);
	return 0;
}

static int ns_wipe_scratch(const gd_cluster_state *st, const gd_node_rt *n,
			   gd_error **err)
{
	(void)st;
	const char *node = n->name;
	if (strcmp(ns_state(n), "down") != 0)
		return gd_error_set(err, EBUSY,
				    "node \"%s\" is up: its scratch stays",
				    node);
	/* Down, the node's scratch is only its directory here. */
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/scratch", n->dir);
	return gd_remove_tree(path, true, err);
}

/* Down, the node's files are only its directory here. */
static int ns_renew(const gd_cluster_state *st, gd_node_rt *n,
		    const gd_cluster *c, const gd_node_hook *hook,
		    const gd_strv *script, gd_error **err)
{
	return gd_provision_renew(c, (size_t)(n - st->nodes), n, hook, st->dir,
				  script, err);
}

static int ns_restore(const gd_cluster_state *st, gd_node_rt *n, gd_error **err)
{
	(void)st;
	return gd_provision_restore(n, err);
}

/* gd-init restarts every service at SIGHUP (with the node's profile as
 * it is then). */
static int ns_restart_services(const gd_node_rt *n, gd_error **err)
{
	if (kill(n->init_pid, SIGHUP) < 0)
		return gd_error_make(err, errno,
				     "cannot restart the services of \"%s\"",
				     n->name);
	return 0;
}

static int ns_signal_all(const gd_node_rt *n, int sig, gd_error **err)
{
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/cgroup.procs", n->cgroup);
	_cleanup_free_ char *procs = NULL;
	size_t len;
	if (gd_read_file(path, 1 << 20, &procs, &len, err) < 0)
		return -EIO;
	for (char *p = procs, *end; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0)
			kill((pid_t)pid, sig);
	}
	return 0;
}

static int ns_populated(const gd_node_rt *n, bool *any, gd_error **err)
{
	return gd_cgroup_populated(n->cgroup, any, err);
}

/* The pid the supervisor keeps for a service (in the node's /run, its
 * own directory here), 0 when it runs none. */
static long ns_service_pid(const gd_node_rt *n, const char *service)
{
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/run/gameday/%s.pid", n->dir, service);
	_cleanup_free_ char *text = gd_read_file_or_null(path, 64);
	if (!text)
		return 0;
	return strtol(text, NULL, 10);
}

/* The host's pid of the node's process nspid (as its own pid namespace
 * numbers it): the one in the node's cgroup whose NSpid ends in it. */
static pid_t host_pid(const gd_node_rt *n, long nspid)
{
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/cgroup.procs", n->cgroup);
	_cleanup_free_ char *procs = gd_read_file_or_null(path, 1 << 20);
	if (!procs)
		return 0;
	for (char *p = procs, *end; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		char status[64];
		snprintf(status, sizeof(status), "/proc/%ld/status", pid);
		_cleanup_fclose_ FILE *f = fopen(status, "re");
		char line[256];
		while (f && fgets(line, sizeof(line), f)) {
			if (strncmp(line, "NSpid:", 6) != 0)
				continue;
			char *last = strrchr(line, '\t');
			if (last && strtol(last + 1, NULL, 10) == nspid)
				return (pid_t)pid;
			break;
		}
	}
	return 0;
}

/* Its process group (the supervisor starts each service in a session of
 * its own), signalled from here by its leader's host pid. */
static int ns_signal_service(const gd_node_rt *n, long pid, int sig,
			     long *group, gd_error **err)
{
	if (!*group)
		*group = host_pid(n, pid);
	pid_t leader = (pid_t)*group;
	if (!leader || kill(-leader, sig) < 0)
		return gd_error_make(err, leader ? errno : ESRCH,
				     "cannot signal process %ld on \"%s\"", pid,
				     n->name);
	return 0;
}

/* ---- files, through the node's root ----
 * Reached from the host through the node's own root (/proc/PID/root) and
 * resolved inside it with no symlink followed: an overlay /etc sees the
 * change, and nothing outside the node's view can be reached by a path
 * that leaves it. */

static int open_root(const gd_node_rt *n)
{
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)n->init_pid);
	return open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Opens path as node n sees it: through its root when it is up (held
 * open ahead, or opened here), never following a symlink. */
static int node_open(const gd_node_rt *n, const char *path, int flags,
		     gd_error **err)
{
	_cleanup_close_ int own = n->root_fd < 0 ? open_root(n) : -1;
	int rfd = n->root_fd < 0 ? own : n->root_fd;
	if (rfd < 0)
		return gd_error_make(err, errno, "node \"%s\" is not up",
				     n->name);
	struct open_how how = {.flags = (uint64_t)flags | O_CLOEXEC,
			       .mode = flags & O_CREAT ? 0644 : 0,
			       .resolve =
				       RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS};
	int fd = (int)syscall(SYS_openat2, rfd, path + (path[0] == '/'), &how,
			      sizeof(how));
	if (fd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\" on \"%s\"",
				     path, n->name);
	return fd;
}

static char *ns_read(const gd_node_rt *n, const char *path, gd_error **err)
{
	/* A FIFO the node's root put there must not hold gameday. */
	_cleanup_close_ int fd = node_open(n, path, O_RDONLY | O_NONBLOCK, err);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		gd_error_set(err, EINVAL, "\"%s\" on \"%s\" is no file", path,
			     n->name);
		return NULL;
	}
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	char *text = NULL;
	size_t len;
	if (gd_read_file(proc, 16 << 20, &text, &len, err) < 0)
		return NULL;
	return text;
}

/* Rewrites a file in place (same inode, as a bind mount wants it): the
 * new text over the old, then the rest cut off.  A process reading it
 * meanwhile sees the new text first (with the old one's tail after it),
 * never an empty file; and no truncation to zero, after which ext4
 * flushes the file on close (0.3 ms, a clock fault's time many times). */
static int ns_write(const gd_node_rt *n, const char *path, const void *data,
		    size_t len, bool create, gd_error **err)
{
	_cleanup_close_ int fd =
		node_open(n, path, O_WRONLY | (create ? O_CREAT : 0), err);
	if (fd < 0)
		return fd;
	if (pwrite(fd, data, len, 0) != (ssize_t)len ||
	    ftruncate(fd, (off_t)len) < 0)
		return gd_error_make(err, errno,
				     "cannot write \"%s\" on \"%s\"", path,
				     n->name);
	return 0;
}

static int ns_unlink(const gd_node_rt *n, const char *path, gd_error **err)
{
	const char *slash = strrchr(path, '/');
	if (!slash || !slash[1])
		return gd_error_set(err, EINVAL, "cannot remove \"%s\"", path);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1), path);
	_cleanup_close_ int dfd = node_open(n, dir, O_PATH | O_DIRECTORY, err);
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, slash + 1, 0) < 0 && errno != ENOENT)
		return gd_error_make(err, errno,
				     "cannot remove \"%s\" on \"%s\"", path,
				     n->name);
	return 0;
}

static int ns_getattr(const gd_node_rt *n, const char *path, gd_file_attr *out,
		      gd_error **err)
{
	_cleanup_close_ int fd = node_open(n, path, O_PATH, err);
	if (fd < 0)
		return fd;
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return gd_error_make(err, errno, "cannot stat \"%s\"", path);
	*out = (gd_file_attr){sb.st_uid, sb.st_gid, sb.st_mode & 07777};
	return 0;
}

static int ns_setattr(const gd_node_rt *n, const char *path,
		      const gd_file_attr *attr, gd_error **err)
{
	_cleanup_close_ int fd = node_open(n, path, O_PATH, err);
	if (fd < 0)
		return fd;
	if ((attr->uid != (uid_t)-1 || attr->gid != (gid_t)-1) &&
	    fchownat(fd, "", attr->uid, attr->gid, AT_EMPTY_PATH) < 0)
		return gd_error_make(err, errno,
				     "cannot chown \"%s\" on \"%s\"", path,
				     n->name);
	/* (an O_PATH descriptor takes no fchmod: its /proc link does) */
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (attr->mode != (mode_t)-1 && chmod(proc, attr->mode) < 0)
		return gd_error_make(err, errno,
				     "cannot chmod \"%s\" on \"%s\"", path,
				     n->name);
	return 0;
}

/* The node's root held open (opening it costs 40 us) until let go. */
static int ns_hold_files(gd_node_rt *n)
{
	if (n->root_fd >= 0 || !ns_running(n))
		return 1;
	n->root_fd = open_root(n);
	return n->root_fd < 0 ? -errno : 0;
}

static void ns_let_go_files(gd_node_rt *n)
{
	if (n->root_fd >= 0)
		close(n->root_fd);
	n->root_fd = -1;
}

/* ---- network ---- */

/* A node that is down kept its namespace pinned (unless released): what a
 * fault changed there is still there when it comes back. */
static int ns_net_open(const gd_node_rt *n, gd_nl **nl, gd_error **err)
{
	char ns[64];
	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)n->init_pid);
	_cleanup_close_ int fd =
		open(ns_running(n) ? ns : n->netns, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	return gd_nl_open(fd, nl, err);
}

static int ns_cut(const gd_cluster_state *st, size_t a, size_t b,
		  enum gd_nl_cut kind, bool heal, gd_error **err)
{
	gd_nl *nl = NULL;
	int r = ns_net_open(&st->nodes[a], &nl, err);
	if (r == 1)
		return gd_error_set(err, ESRCH, "node \"%s\" has no network",
				    st->nodes[a].name);
	if (r < 0)
		return r;
	uint8_t mac[6];
	gd_node_mac(a, mac);
	/* link 2: the node's eth0, its only one beside lo */
	r = heal ? gd_nl_cut_del(nl, kind, 2, gd_node_addr(b), err)
		 : gd_nl_cut_add(nl, kind, 2, mac, gd_node_addr(b), err);
	gd_nl_close(nl);
	return r;
}

const gd_node_backend gd_node_backend_ns = {
	.name = "namespace",
	.preflight = gd_ns_preflight,
	.up = gd_ns_up,
	.down = gd_ns_down,
	.exec = ns_exec,
	.read = ns_read,
	.write = ns_write,
	.unlink = ns_unlink,
	.getattr = ns_getattr,
	.setattr = ns_setattr,
	.hold_files = ns_hold_files,
	.let_go_files = ns_let_go_files,
	.ready = ns_ready,
	.ready_close = ns_ready_close,
	.pause = ns_pause,
	.stop = ns_stop,
	.start = ns_start,
	.release = ns_release,
	.wipe_scratch = ns_wipe_scratch,
	.renew = ns_renew,
	.restore = ns_restore,
	.changes = gd_provision_changes,
	.restart_services = ns_restart_services,
	.signal_all = ns_signal_all,
	.populated = ns_populated,
	.service_pid = ns_service_pid,
	.signal_service = ns_signal_service,
	.state = ns_state,
	.running = ns_running,
	.addr = gd_node_addr,
	.net_open = ns_net_open,
	.cut = ns_cut,
};
