/* Bringing a cluster up, finding it again, and running commands in it. */
#include "cluster/cluster.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "cluster/events.h"
#include "cluster/teardown.h"
#include "host/cgroup.h"
#include "host/ledger.h"
#include "net/netlink.h"
#include "net/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BRIDGE "gd-br0"

void gd_cluster_state_free(gd_cluster_state *st)
{
	if (!st)
		return;
	free(st->nodes);
	free(st);
}

int gd_cluster_preflight(const gd_cluster *c, const char *libexec,
			 const gd_node_hook *hook, gd_error **err)
{
	if (geteuid() != 0)
		return gd_error_make(
			err, EPERM,
			"a staging cluster needs root: it creates namespaces, cgroups and mounts (run gameday with sudo)");
	char root[PATH_MAX];
	int r = gd_cgroup_root(root, sizeof(root), err);
	if (r < 0)
		return r;
	_cleanup_free_ char *fs = NULL;
	size_t len;
	r = gd_read_file("/proc/filesystems", 1 << 16, &fs, &len, err);
	if (r < 0)
		return r;
	if (!strstr(fs, "\toverlay\n"))
		return gd_error_make(
			err, ENODEV,
			"the kernel has no overlay file system (nodes keep their /etc changes in an overlay): load it with 'modprobe overlay'");
	char init[PATH_MAX];
	gd_pathf(init, sizeof(init), "%s/gd-init", libexec);
	if (access(init, X_OK) < 0)
		return gd_error_make(
			err, errno,
			"cannot run \"%s\" (build it with 'make', or set GAMEDAY_LIBEXEC)",
			init);
	if (c->fake_clock && access(GD_LIBFAKETIME, R_OK) < 0)
		return gd_error_make(
			err, errno,
			"clock faults need libfaketime (%s): install Debian's libfaketime ('make deps')",
			GD_LIBFAKETIME);
	if (hook && hook->preflight)
		return hook->preflight(hook->ctx, c, err);
	return 0;
}

/* ---- cluster.json: what later commands need to find the cluster ---- */

static int save_state(const gd_cluster_state *st, gd_error **err)
{
	json_t *nodes = json_array();
	for (size_t i = 0; i < st->nnodes; i++) {
		const gd_node_rt *n = &st->nodes[i];
		json_array_append_new(
			nodes,
			json_pack("{s:s,s:s,s:s,s:i,s:I,s:s,s:s,s:s}", "name",
				  n->name, "role", n->role, "address", n->addr,
				  "init_pid", (int)n->init_pid, "init_start",
				  (json_int_t)n->init_start, "cgroup",
				  n->cgroup, "netns", n->netns, "dir", n->dir));
	}
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", st->id, "name",
			      st->name, "events", st->events, "switch_netns",
			      st->switch_netns, "nodes", nodes);
	char path[PATH_MAX], tmp[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/cluster.json", st->dir);
	gd_pathf(tmp, sizeof(tmp), "%s/cluster.json.tmp", st->dir);
	int r = json_dump_file(o, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	if (r < 0 || rename(tmp, path) < 0)
		return gd_error_make(err, errno ? errno : EIO,
				     "cannot write \"%s\"", path);
	return 0;
}

static int load_state(const char *dir, gd_cluster_state **out, gd_error **err)
{
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/cluster.json", dir);
	json_error_t je;
	json_t *o = json_load_file(path, 0, &je);
	if (!o)
		return gd_error_make(err, ENOENT, "cannot read \"%s\": %s",
				     path, je.text);
	gd_cluster_state *st = calloc(1, sizeof(*st));
	json_t *nodes = json_object_get(o, "nodes");
	st->nnodes = json_array_size(nodes);
	st->nodes = calloc(st->nnodes + 1, sizeof(*st->nodes));
	if (!st || !st->nodes) {
		json_decref(o);
		gd_cluster_state_free(st);
		return gd_error_make(err, ENOMEM, "cannot read \"%s\"", path);
	}
#define STR(dst, obj, key)                                                     \
	gd_pathf(dst, sizeof(dst), "%s",                                       \
		 json_string_value(json_object_get(obj, key))                  \
			 ? json_string_value(json_object_get(obj, key))        \
			 : "")
	STR(st->id, o, "id");
	STR(st->name, o, "name");
	STR(st->events, o, "events");
	STR(st->switch_netns, o, "switch_netns");
	gd_pathf(st->dir, sizeof(st->dir), "%s", dir);
	for (size_t i = 0; i < st->nnodes; i++) {
		json_t *n = json_array_get(nodes, i);
		gd_node_rt *rt = &st->nodes[i];
		STR(rt->name, n, "name");
		STR(rt->role, n, "role");
		STR(rt->addr, n, "address");
		STR(rt->cgroup, n, "cgroup");
		STR(rt->netns, n, "netns");
		STR(rt->dir, n, "dir");
		rt->pending_fd = -1;
		rt->go_fd = -1;
		rt->root_fd = -1;
		rt->init_pid = (pid_t)json_integer_value(
			json_object_get(n, "init_pid"));
		rt->init_start = (unsigned long long)json_integer_value(
			json_object_get(n, "init_start"));
	}
#undef STR
	json_decref(o);
	*out = st;
	return 0;
}

int gd_cluster_find(const char *id, gd_cluster_state **out, gd_error **err)
{
	char runs[PATH_MAX];
	gd_pathf(runs, sizeof(runs), "%s/runs", gd_state_root());
	if (id) {
		if (!gd_run_id_valid(id))
			return gd_error_set(
				err, EINVAL,
				"\"%s\" is not a run id (gd and 8 hex digits)",
				id);
		char dir[PATH_MAX];
		gd_pathf(dir, sizeof(dir), "%s/%s", runs, id);
		return load_state(dir, out, err);
	}
	DIR *d = opendir(runs);
	char found[PATH_MAX] = "";
	int count = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[PATH_MAX];
		gd_pathf(p, sizeof(p), "%s/%s/cluster.json", runs, e->d_name);
		if (gd_run_id_valid(e->d_name) && access(p, F_OK) == 0) {
			count++;
			gd_pathf(found, sizeof(found), "%s/%s", runs,
				 e->d_name);
		}
	}
	if (d)
		closedir(d);
	if (count == 0)
		return gd_error_set(
			err, ENOENT,
			"no staging cluster is up (start one with 'gameday cluster up FILE')");
	if (count > 1)
		return gd_error_set(
			err, EEXIST,
			"%d staging clusters are up: name one with --run ID (see 'gameday cluster list')",
			count);
	return load_state(found, out, err);
}

bool gd_node_running(const gd_node_rt *n)
{
	return n->init_pid &&
	       gd_process_start_time(n->init_pid) == n->init_start;
}

const char *gd_node_state(const gd_node_rt *n)
{
	if (!gd_node_running(n))
		return "down";
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/cgroup.events", n->cgroup);
	_cleanup_free_ char *text = NULL;
	size_t len;
	gd_error *err = NULL;
	if (gd_read_file(path, 4096, &text, &len, &err) < 0) {
		gd_error_free(err);
		return "down";
	}
	return strstr(text, "frozen 1") ? "frozen" : "up";
}

/* ---- up ---- */

/* What bringing a cluster up holds until it is up, or undone. */
struct up {
	const gd_cluster *c;
	const char *libexec;
	const gd_node_hook *hook;
	gd_run run;
	gd_cluster_state *st;
	int events; /* the run's event log */
	int swfd;   /* the switch's network namespace */
	gd_nl *sw;  /* and a netlink socket in it */
	int bridge_index;
};

/* The run's footprint and its event log, which says the cluster is being
 * made before anything else is. */
static int up_open_run(struct up *u, gd_error **err)
{
	gd_cluster_state *st = u->st;
	int r = gd_run_create(&u->run, err);
	if (r < 0)
		return r;
	gd_pathf(st->id, sizeof(st->id), "%s", u->run.id);
	gd_pathf(st->name, sizeof(st->name), "%s", u->c->name);
	gd_pathf(st->dir, sizeof(st->dir), "%s", u->run.dir);
	gd_pathf(st->events, sizeof(st->events), "%s/events.jsonl",
		 u->run.logdir);
	u->events = open(st->events, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			 0644);
	if (u->events < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"",
				     st->events);
	gd_event(u->events, GD_EV_CLUSTER_CREATING,
		 json_pack("{s:s,s:s,s:i}", "run", u->run.id, "cluster",
			   u->c->name, "nodes", (int)u->c->nnodes));
	return 0;
}

/* The run directory's shared parts, and what the hook makes once for
 * every node. */
static int up_shared(struct up *u, gd_error **err)
{
	char path[PATH_MAX];
	static const char *const dirs[] = {"nodes", "ns", "shared"};
	for (size_t i = 0; i < 3; i++) {
		gd_pathf(path, sizeof(path), "%s/%s", u->run.dir, dirs[i]);
		if (mkdir(path, i == 2 ? 01777 : 0755) < 0)
			return gd_error_make(err, errno, "cannot create \"%s\"",
					     path);
	}
	/* (mkdir's mode passes through the umask) */
	gd_pathf(path, sizeof(path), "%s/shared", u->run.dir);
	chmod(path, 01777);
	if (u->hook && u->hook->prepare)
		return u->hook->prepare(u->hook->ctx, u->c, u->run.dir, err);
	return 0;
}

/* The switch: a namespace holding only the bridge. */
static int up_switch(struct up *u, gd_error **err)
{
	gd_cluster_state *st = u->st;
	gd_pathf(st->switch_netns, sizeof(st->switch_netns), "%s/ns/switch.net",
		 u->run.dir);
	int r = gd_ledger_add(u->run.ledger, GD_LEDGER_MOUNT, st->switch_netns,
			      0, 0, err);
	if (r == 0)
		r = gd_netns_create(st->switch_netns, err);
	if (r < 0)
		return r;
	u->swfd = open(st->switch_netns, O_RDONLY | O_CLOEXEC);
	if (u->swfd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"",
				     st->switch_netns);
	r = gd_nl_open(u->swfd, &u->sw, err);
	if (r == 0)
		r = gd_nl_bridge_add(u->sw, BRIDGE, err);
	if (r == 0)
		r = gd_nl_ifindex(u->sw, BRIDGE, &u->bridge_index, err);
	return r;
}

/* Every node, started in a pipeline: node i is cloned while node i - 1
 * makes its network namespace, then i - 1 is wired while i makes its
 * own. */
static int up_nodes(struct up *u, gd_error **err)
{
	gd_cluster_state *st = u->st;
	int r;
	for (size_t i = 0; i <= u->c->nnodes; i++) {
		if (i < u->c->nnodes) {
			r = gd_node_start(&u->run, u->c, i, u->libexec, u->hook,
					  u->events, &st->nodes[i], err);
			if (r < 0)
				return r;
			st->nnodes++;
		}
		if (i > 0) {
			r = gd_node_wire(&st->nodes[i - 1], i - 1, u->sw,
					 u->bridge_index, err);
			if (r < 0)
				return r;
		}
	}
	/* Nodes finish mounting and exec'ing in parallel with the starts
	 * above; collect their outcomes now. */
	for (size_t i = 0; i < st->nnodes; i++) {
		r = gd_node_started(&st->nodes[i], err);
		if (r < 0)
			return r;
		gd_event(u->events, GD_EV_NODE_STARTED,
			 json_pack("{s:s,s:s,s:i}", "node", st->nodes[i].name,
				   "address", st->nodes[i].addr, "init_pid",
				   (int)st->nodes[i].init_pid));
	}
	return 0;
}

static void up_close(struct up *u)
{
	gd_nl_close(u->sw);
	if (u->swfd >= 0)
		close(u->swfd);
	if (u->events >= 0)
		close(u->events);
}

/* A cluster that failed to come up: its nodes' pipes closed, the failure
 * logged, and the ledger undone under our own lock before letting go. */
static void up_undo(struct up *u, gd_error **err)
{
	gd_cluster_state *st = u->st;
	for (size_t i = 0; i < st->nnodes; i++) {
		if (st->nodes[i].pending_fd >= 0)
			close(st->nodes[i].pending_fd);
		if (st->nodes[i].go_fd >= 0)
			close(st->nodes[i].go_fd);
	}
	gd_event(u->events, GD_EV_CLUSTER_FAILED,
		 json_pack("{s:s}", "error", err && *err ? (*err)->msg : "?"));
	up_close(u);
	if (u->run.ledger) {
		gd_error *undo_err = NULL;
		gd_run_undo_held(&u->run, NULL, &undo_err);
		gd_error_free(undo_err);
		gd_run_close(&u->run);
	}
	gd_cluster_state_free(st);
}

int gd_cluster_up(const gd_cluster *c, const char *libexec,
		  const gd_node_hook *hook, gd_cluster_state **out,
		  gd_error **err)
{
	struct up u = {.c = c,
		       .libexec = libexec,
		       .hook = hook,
		       .events = -1,
		       .swfd = -1};
	u.st = calloc(1, sizeof(*u.st));
	if (!u.st || !(u.st->nodes = calloc(c->nnodes, sizeof(*u.st->nodes)))) {
		free(u.st);
		return gd_error_make(err, ENOMEM, "cannot build the cluster");
	}
	int r = up_open_run(&u, err);
	if (r == 0)
		r = up_shared(&u, err);
	if (r == 0)
		r = up_switch(&u, err);
	if (r == 0)
		r = up_nodes(&u, err);
	if (r == 0)
		r = save_state(u.st, err);
	if (r < 0) {
		up_undo(&u, err);
		return r;
	}
	gd_event(u.events, GD_EV_CLUSTER_UP,
		 json_pack("{s:s}", "run", u.run.id));
	up_close(&u);
	gd_run_close(&u.run);
	*out = u.st;
	return 0;
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

int gd_cluster_exec(const gd_cluster_state *st, const char *node,
		    char *const *argv, int *status, gd_error **err)
{
	return gd_cluster_exec_io(st, node, argv, NULL, status, err);
}

int gd_cluster_exec_io(const gd_cluster_state *st, const char *node,
		       char *const *argv, const gd_exec_io *io, int *status,
		       gd_error **err)
{
	const gd_node_rt *n = NULL;
	for (size_t i = 0; i < st->nnodes; i++)
		if (strcmp(st->nodes[i].name, node) == 0)
			n = &st->nodes[i];
	if (!n)
		return gd_error_set(err, ENOENT, "no node \"%s\" in cluster %s",
				    node, st->id);
	if (strcmp(gd_node_state(n), "down") == 0)
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

/* ---- single nodes ---- */

static gd_node_rt *find_node(const gd_cluster_state *st, const char *node,
			     gd_error **err)
{
	for (size_t i = 0; i < st->nnodes; i++)
		if (strcmp(st->nodes[i].name, node) == 0)
			return &st->nodes[i];
	gd_error_set(err, ENOENT, "no node \"%s\" in cluster %s", node, st->id);
	return NULL;
}

static void node_event(const gd_cluster_state *st, gd_event_kind what,
		       const char *node)
{
	int fd = open(st->events, O_WRONLY | O_APPEND | O_CLOEXEC);
	gd_event(fd, what, json_pack("{s:s}", "node", node));
	if (fd >= 0)
		close(fd);
}

int gd_cluster_pause(const gd_cluster_state *st, const char *node, bool pause,
		     const gd_node_ready *ready, gd_error **err)
{
	gd_node_rt *n = find_node(st, node, err);
	if (!n)
		return -ENOENT;
	int r = gd_cgroup_freeze(n->cgroup, ready ? &ready->cgroup : NULL,
				 pause, 5000, err);
	if (r == 0)
		node_event(st, pause ? GD_EV_NODE_PAUSED : GD_EV_NODE_RESUMED,
			   node);
	return r;
}

static int pin(const gd_cluster_state *st, const gd_node_rt *n, gd_error **err)
{
	if (access(n->netns, F_OK) == 0 || !gd_node_running(n))
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

int gd_cluster_ready_node(const gd_cluster_state *st, const char *node,
			  bool for_stop, gd_node_ready *ready, gd_error **err)
{
	ready->mnt = -1;
	ready->cgroup = (gd_cgroup_files){-1, -1, -1};
	gd_node_rt *n = find_node(st, node, err);
	if (!n)
		return -ENOENT;
	int r = gd_cgroup_files_open(n->cgroup, &ready->cgroup, err);
	if (r < 0 || !for_stop)
		return r;
	r = pin(st, n, err);
	if (r < 0)
		return r;
	char ns[64];
	gd_pathf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)n->init_pid);
	if (gd_node_running(n))
		ready->mnt = open(ns, O_RDONLY | O_CLOEXEC);
	return 0;
}

void gd_node_ready_close(gd_node_ready *ready)
{
	gd_cgroup_files_close(&ready->cgroup);
	if (ready->mnt >= 0)
		close(ready->mnt);
	ready->mnt = -1;
}

int gd_cluster_stop_node(const gd_cluster_state *st, const char *node,
			 bool release, const gd_node_ready *ready,
			 gd_error **err)
{
	gd_node_rt *n = find_node(st, node, err);
	if (!n)
		return -ENOENT;
	/* A node that keeps its namespaces keeps its link. */
	int r = release ? 0 : pin(st, n, err);
	if (r < 0)
		return r;
	node_event(st, GD_EV_NODE_KILLING, node);
	r = gd_cgroup_kill(n->cgroup, ready ? &ready->cgroup : NULL, 5000, err);
	/* Unpinning the network namespace deletes the node's link: the
	 * machine is gone from the network, not just powered off. */
	if (r == 0 && release)
		r = gd_netns_release(n->netns, err);
	if (r == 0)
		node_event(st,
			   release ? GD_EV_NODE_RELEASED : GD_EV_NODE_KILLED,
			   node);
	return r;
}

/* gd-init's, in the node's /run: "hold" renamed "held" once it takes
 * signals (until then the kernel would drop SIGUSR1: a pid namespace's
 * init gets only the signals it handles or blocks). */
#define HOLD_FILE "run/gameday/hold"
#define HELD_FILE "run/gameday/held"

int gd_cluster_start_node(gd_cluster_state *st, const char *node,
			  const char *libexec, bool held, gd_error **err)
{
	gd_node_rt *n = find_node(st, node, err);
	if (!n)
		return -ENOENT;
	if (strcmp(gd_node_state(n), "down") != 0)
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
			    st->switch_netns, BRIDGE, libexec, events, err);
	if (r == 0) {
		gd_event(events, GD_EV_NODE_STARTED,
			 json_pack("{s:s,s:s,s:i}", "node", n->name, "address",
				   n->addr, "init_pid", (int)n->init_pid));
		r = save_state(st, err);
	}
	if (events >= 0)
		close(events);
	gd_ledger_close(ledger);
	return r;
}

int gd_cluster_release_node(const gd_cluster_state *st, const char *node,
			    gd_error **err)
{
	gd_node_rt *n = find_node(st, node, err);
	if (!n)
		return -ENOENT;
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

int gd_cluster_wipe_scratch(const gd_cluster_state *st, const char *node,
			    gd_error **err)
{
	gd_node_rt *n = find_node(st, node, err);
	if (!n)
		return -ENOENT;
	if (strcmp(gd_node_state(n), "down") != 0)
		return gd_error_set(err, EBUSY,
				    "node \"%s\" is up: its scratch stays",
				    node);
	/* Down, the node's scratch is only its directory here. */
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/scratch", n->dir);
	return gd_remove_tree(path, true, err);
}

static char *slurp_fd(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		size = 0;
	char *buf = malloc((size_t)size + 1);
	if (!buf)
		return NULL;
	ssize_t got = pread(fd, buf, (size_t)size, 0);
	buf[got > 0 ? got : 0] = '\0';
	return buf;
}

int gd_cluster_capture(const gd_cluster_state *st, const char *node,
		       char *const *argv, int timeout_ms, char **out,
		       char **errout, int *status, gd_error **err)
{
	/* Memory files rather than pipes: a command's output (squeue --json
	 * of thousands of jobs) never blocks it, and nothing need be read
	 * while it runs. */
	_cleanup_close_ int ofd = memfd_create("gameday-out", MFD_CLOEXEC);
	_cleanup_close_ int efd = memfd_create("gameday-err", MFD_CLOEXEC);
	if (ofd < 0 || efd < 0)
		return gd_error_make(err, errno, "cannot create a memory file");
	gd_exec_io io = {ofd, efd, timeout_ms};
	int r = gd_cluster_exec_io(st, node, argv, &io, status, err);
	if (r == -ETIMEDOUT) {
		/* What a hung command said before it hung is often why. */
		_cleanup_free_ char *said = slurp_fd(efd);
		size_t n = said ? strlen(said) : 0;
		while (n && said[n - 1] == '\n')
			said[--n] = '\0';
		if (n && *err) {
			gd_error *full = NULL;
			gd_error_set(&full, ETIMEDOUT, "%s; it said: %s",
				     (*err)->msg, said);
			gd_error_free(*err);
			*err = full;
		}
	}
	if (r < 0)
		return r;
	*out = slurp_fd(ofd);
	*errout = slurp_fd(efd);
	if (!*out || !*errout) {
		free(*out);
		free(*errout);
		return gd_error_make(err, ENOMEM,
				     "cannot read a command's output");
	}
	return 0;
}

int gd_cluster_list(void (*each)(const gd_cluster_state *st), gd_error **err)
{
	char runs[PATH_MAX];
	gd_pathf(runs, sizeof(runs), "%s/runs", gd_state_root());
	DIR *d = opendir(runs);
	if (!d)
		return errno == ENOENT
			       ? 0
			       : gd_error_make(err, errno, "cannot read \"%s\"",
					       runs);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!gd_run_id_valid(e->d_name))
			continue;
		gd_cluster_state *st = NULL;
		gd_error *e2 = NULL;
		if (gd_cluster_find(e->d_name, &st, &e2) == 0)
			each(st);
		gd_error_free(e2);
		gd_cluster_state_free(st);
	}
	closedir(d);
	return 0;
}
