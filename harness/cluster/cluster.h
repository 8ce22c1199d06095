/* The staging cluster as a whole: bring it up, find it again, run commands
 * in its nodes, take it down, and clean up after any run. */
#ifndef GD_CLUSTER_CLUSTER_H
#define GD_CLUSTER_CLUSTER_H

#include "base/error.h"
#include "cluster/hook.h"
#include "cluster/node.h"
#include "host/cgroup.h"
#include "scenario/scenario.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct gd_cluster_state {
	char id[GD_RUN_ID_LEN + 1];
	char name[65];
	char dir[PATH_MAX];
	char events[PATH_MAX];
	char switch_netns[PATH_MAX];
	gd_node_rt *nodes;
	size_t nnodes;
} gd_cluster_state;

void gd_cluster_state_free(gd_cluster_state *st);

/* Checks what a cluster needs before anything is changed: root, cgroup v2,
 * overlayfs, gd-init, then what hook's preflight asks for.  Fails with a
 * message naming what is missing. */
int gd_cluster_preflight(const gd_cluster *c, const char *libexec,
			 const gd_node_hook *hook, gd_error **err);

/* Builds the cluster and starts every node, calling hook (what else lives
 * in the nodes: the job system's, or NULL for none) at its phases; on
 * failure undoes what it did.  The cluster keeps running after the caller
 * exits. */
int gd_cluster_up(const gd_cluster *c, const char *libexec,
		  const gd_node_hook *hook, gd_cluster_state **out,
		  gd_error **err);

/* Finds a cluster that is up: by run id, or the only one (EEXIST when
 * there are several, ENOENT when there is none). */
int gd_cluster_find(const char *id, gd_cluster_state **out, gd_error **err);

/* Calls each() for every cluster that is up (no particular order). */
int gd_cluster_list(void (*each)(const gd_cluster_state *st), gd_error **err);

/* Node state as seen now: "up", "frozen", "down". */
const char *gd_node_state(const gd_node_rt *n);
/* Whether its gd-init is alive (up or frozen): its namespaces are those
 * of /proc/INIT_PID, not the pinned ones.  Cheaper than gd_node_state. */
bool gd_node_running(const gd_node_rt *n);

/* Runs argv inside a node's namespaces and cgroup; *status is its exit
 * status as a shell reports it (code, or 128 + signal). */
int gd_cluster_exec(const gd_cluster_state *st, const char *node,
		    char *const *argv, int *status, gd_error **err);

/* What a pause or a stop of a node needs, made ready ahead by a caller
 * for whom the change's own time counts (a fault played at its instant):
 * its cgroup's control files open; for a stop also its network namespace
 * pinned (written in the ledger first) and its mount namespace held open,
 * so that its last process does not wait, as it exits, for its mounts'
 * teardown (an RCU grace period, 0.2 ms).  Closed once the change is
 * made.  0, or a negative errno (the change then fails too, and says so). */
typedef struct gd_node_ready {
	gd_cgroup_files cgroup;
	int mnt; /* held mount namespace, or -1 */
} gd_node_ready;

int gd_cluster_ready_node(const gd_cluster_state *st, const char *node,
			  bool for_stop, gd_node_ready *ready, gd_error **err);
void gd_node_ready_close(gd_node_ready *ready);

/* Freezes (pause) or thaws a node's every process.  ready: made ready
 * ahead, or NULL. */
int gd_cluster_pause(const gd_cluster_state *st, const char *node, bool pause,
		     const gd_node_ready *ready, gd_error **err);
/* Power cut: kills every process of the node at once.  Its namespaces are
 * kept (the link stays, as a powered-off machine's port does) or, with
 * release, let go (the link disappears); either way it can start again.
 * ready: made ready ahead, or NULL. */
int gd_cluster_stop_node(const gd_cluster_state *st, const char *node,
			 bool release, const gd_node_ready *ready,
			 gd_error **err);
/* Starts a stopped node again with its services; held, its gd-init starts
 * them only at gd_cluster_release_node() (a node coming back changed gets
 * its changes first). */
int gd_cluster_start_node(gd_cluster_state *st, const char *node,
			  const char *libexec, bool held, gd_error **err);
int gd_cluster_release_node(const gd_cluster_state *st, const char *node,
			    gd_error **err);
/* A stopped node re-provisioned: its local scratch (/srv/scratch) empty
 * again, as a renewed blade's disk comes back. */
int gd_cluster_wipe_scratch(const gd_cluster_state *st, const char *node,
			    gd_error **err);

/* Where a command's output goes and how long it may take (timeout_ms <= 0:
 * no limit; an fd < 0: inherited). */
typedef struct gd_exec_io {
	int out_fd, err_fd;
	int timeout_ms;
} gd_exec_io;

/* gd_cluster_exec with its output redirected and a time limit: a command
 * past it is killed (ETIMEDOUT). */
int gd_cluster_exec_io(const gd_cluster_state *st, const char *node,
		       char *const *argv, const gd_exec_io *io, int *status,
		       gd_error **err);

/* Runs argv in a node and collects its stdout and stderr (heap strings the
 * caller frees); a failure to run it at all, or a time-out, is an error,
 * a non-zero *status is not. */
int gd_cluster_capture(const gd_cluster_state *st, const char *node,
		       char *const *argv, int timeout_ms, char **out,
		       char **errout, int *status, gd_error **err);

/* Stops every node (SIGTERM to its init, grace, then cgroup.kill) and
 * undoes the run's ledger. */
int gd_cluster_down(const gd_cluster_state *st, int grace_ms, gd_error **err);

/* Undoes every run nobody holds, and removes stray objects with gameday's
 * name prefix.  Calls say() once per object removed. */
int gd_cleanup(void (*say)(const char *what, const char *name), gd_error **err);

#endif
