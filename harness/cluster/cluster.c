/* Bringing a cluster up, finding it again, and running commands in it.
 * What its nodes are is their backend's (backend.h); bringing a cluster
 * of namespaced nodes up is here (gd_ns_up, for ns_backend.c's row). */
#include "cluster/cluster.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "cluster/events.h"
#include "cluster/ns.h"
#include "cluster/provision.h"
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

void gd_cluster_state_free(gd_cluster_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; st->nodes && i < st->nnodes; i++)
		free(st->nodes[i].remote);
	free(st->nodes);
	free(st->remote);
	free(st);
}

/* The cluster file's backend (validate knows its name before this
 * gameday has a row of it: a file naming one is refused here, never
 * played on namespaced nodes instead). */
static const gd_node_backend *cluster_backend(const gd_cluster *c,
					      gd_error **err)
{
	const gd_node_backend *be = gd_node_backend_find(c->backend);
	if (!be)
		gd_error_set(
			err, ENOTSUP,
			"cluster %s: this gameday has no \"%s\" node backend yet",
			c->name, c->backend);
	return be;
}

int gd_cluster_check_hosts(const gd_cluster *c, gd_strbuf *table,
			   gd_error **err)
{
	if (!c->backend || strcmp(c->backend, GD_BACKEND_SSH) != 0)
		return 1;
	return gd_ssh_hosts_check(c, table, err);
}

int gd_cluster_preflight(const gd_cluster *c, const char *libexec,
			 const gd_node_hook *hook, gd_error **err)
{
	const gd_node_backend *be = cluster_backend(c, err);
	return be ? be->preflight(c, libexec, hook, err) : -ENOTSUP;
}

int gd_ns_preflight(const gd_cluster *c, const char *libexec,
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

int gd_cluster_save(const gd_cluster_state *st, gd_error **err)
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
	json_t *o = json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "id", st->id,
		"name", st->name, "backend", st->backend->name, "events",
		st->events, "switch_netns", st->switch_netns, "node_shared",
		st->node_shared, "node_programs", st->node_programs,
		"node_scratch", st->node_scratch, "shared", st->shared, "nodes",
		nodes);
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
	/* (a cluster.json from before backends: namespaced nodes) */
	const char *name = json_string_value(json_object_get(o, "backend"));
	const gd_node_backend *be = gd_node_backend_find(name);
	if (!be) {
		gd_error_set(err, ENOENT, "\"%s\": no node backend \"%s\"",
			     path, name);
		json_decref(o);
		return -ENOENT;
	}
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
	st->backend = be;
	/* The places as the backend chose them at up; a cluster.json
	 * without them was written before they were recorded, when every
	 * cluster was of namespaced nodes. */
	if (json_is_string(json_object_get(o, "shared"))) {
		STR(st->node_shared, o, "node_shared");
		STR(st->node_programs, o, "node_programs");
		STR(st->node_scratch, o, "node_scratch");
		STR(st->shared, o, "shared");
	} else {
		gd_cluster_places_ns(st);
	}
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
		rt->backend = be;
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
	gd_cluster_places_ns(st);
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
	static const char *const dirs[] = {"nodes", "ns", GD_NS_SHARED};
	for (size_t i = 0; i < 3; i++) {
		gd_pathf(path, sizeof(path), "%s/%s", u->run.dir, dirs[i]);
		if (mkdir(path, i == 2 ? 01777 : 0755) < 0)
			return gd_error_make(err, errno, "cannot create \"%s\"",
					     path);
	}
	/* (mkdir's mode passes through the umask) */
	chmod(u->st->shared, 01777);
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
		r = gd_nl_bridge_add(u->sw, GD_NS_BRIDGE, err);
	if (r == 0)
		r = gd_nl_ifindex(u->sw, GD_NS_BRIDGE, &u->bridge_index, err);
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
			st->nodes[i].backend = st->backend;
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
	const gd_node_backend *be = cluster_backend(c, err);
	return be ? be->up(c, libexec, hook, out, err) : -ENOTSUP;
}

int gd_ns_up(const gd_cluster *c, const char *libexec, const gd_node_hook *hook,
	     gd_cluster_state **out, gd_error **err)
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
	u.st->backend = &gd_node_backend_ns;
	int r = up_open_run(&u, err);
	if (r == 0)
		r = up_shared(&u, err);
	if (r == 0)
		r = up_switch(&u, err);
	if (r == 0)
		r = up_nodes(&u, err);
	/* Saved first: a cluster whose provisioning hangs can be found and
	 * taken down. */
	if (r == 0)
		r = gd_cluster_save(u.st, err);
	for (size_t i = 0; r == 0 && i < u.st->nnodes; i++)
		r = gd_provision_wait(c, i, &u.st->nodes[i],
				      GD_PROVISION_TIMEOUT_MS, NULL, err);
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
