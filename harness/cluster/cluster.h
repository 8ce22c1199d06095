/* The staging cluster as a whole: bring it up, find it again, run commands
 * in its nodes, take it down, and clean up after any run. */
#ifndef GD_CLUSTER_CLUSTER_H
#define GD_CLUSTER_CLUSTER_H

#include "base/error.h"
#include "cluster/backend.h"
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
	/* Where the nodes see the cluster's shared storage, gameday's
	 * programs for nodes and their local scratch, and where this machine
	 * sees that same storage (the backend's choice, set at up and when
	 * the cluster is found again).  Everything gameday tells a node or
	 * looks for in shared storage is built below these, never below a
	 * path of its own: a node of another backend sees other places.
	 * Paths are built below them with gd_pathf, so a backend keeps them
	 * well short of PATH_MAX (refusing a longer one at up). */
	char node_shared[PATH_MAX];
	char node_programs[PATH_MAX];
	char node_scratch[PATH_MAX];
	char shared[PATH_MAX];
	gd_node_rt *nodes;
	size_t nnodes;
	/* What its nodes are (cluster/backend.h); each node keeps a copy. */
	const gd_node_backend *backend;
	/* The ssh row's own beside its hosts (ssh_node.h: the agents'
	 * heartbeat); NULL otherwise.  Freed with the state. */
	struct gd_remote_cluster *remote;
} gd_cluster_state;

void gd_cluster_state_free(gd_cluster_state *st);

/* The namespaced backend's places (its nodes' mount table, node.h;
 * this machine's storage in st->dir): filled at its up, and for a
 * cluster.json that does not record them (written before they were
 * recorded, so namespaced).  st->dir must be set. */
void gd_cluster_places_ns(gd_cluster_state *st);

/* cluster.json rewritten from st (a backend's, at up and when a node's
 * pid changes): what later commands need to find the cluster. */
int gd_cluster_save(const gd_cluster_state *st, gd_error **err);

/* The preflight of a cluster on real hosts (the SSH backend's): each
 * host asked at once whether it has what the scenario's faults need
 * (ssh_preflight.h), the table of answers appended to table.  1: the
 * backend has no hosts to ask (namespaced nodes); 0: every check passed;
 * a negative errno with err when one failed (the table says which). */
int gd_cluster_check_hosts(const gd_cluster *c, gd_strbuf *table,
			   gd_error **err);
/* The SSH backend's (ssh_hosts.c). */
int gd_ssh_hosts_check(const gd_cluster *c, gd_strbuf *table, gd_error **err);

/* Every earlier run's changes on a cluster of real hosts undone by the
 * runs' own agents (gd-agent finish), a host that is off and has a power
 * command powered on first, a run heard from within the heartbeat
 * timeout left alone; say() hears each host's each run ("on host", "w1:
 * reverted RUN" or "w1: failed RUN: why"; "left alone") and each host
 * powered on or not reached.  agent: this machine's gd-agent, put in the
 * place of a run's copy found damaged (empty after a crash); NULL: none.
 * A failed revert or an unreached host fails it,
 * after all the others were tried. */
int gd_ssh_hosts_cleanup(const gd_cluster *c, const char *agent,
			 void (*say)(const char *what, const char *name),
			 gd_error **err);

/* Checks what a cluster needs before anything is changed (the default
 * backend's: root, cgroup v2, overlayfs, gd-init), then what hook's
 * preflight asks for.  Fails with a message naming what is missing. */
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
/* Whether it runs (up or frozen).  Cheaper than gd_node_state. */
bool gd_node_running(const gd_node_rt *n);
/* Node index's address on the cluster's network. */
struct in_addr gd_cluster_node_addr(const gd_cluster_state *st, size_t index);

/* Files as node n sees them (backend.h says how they are reached): read
 * whole (a heap string, NULL on error); text rewritten in place (same
 * inode, as an overlay wants it); data put whole, the file made if
 * missing; removed (gone already is fine); owner and mode. */
char *gd_node_read(const gd_node_rt *n, const char *path, gd_error **err);
int gd_node_write(const gd_node_rt *n, const char *path, const char *text,
		  gd_error **err);
int gd_node_put(const gd_node_rt *n, const char *path, const void *data,
		size_t len, gd_error **err);
int gd_node_unlink(const gd_node_rt *n, const char *path, gd_error **err);
int gd_node_getattr(const gd_node_rt *n, const char *path, gd_file_attr *out,
		    gd_error **err);
int gd_node_setattr(const gd_node_rt *n, const char *path,
		    const gd_file_attr *attr, gd_error **err);
/* What a change through n's files opens ahead (backend.h: hold_files):
 * 0 held now (let go with gd_node_let_go_files), 1 nothing to hold, or a
 * negative errno. */
int gd_node_hold_files(gd_node_rt *n);
void gd_node_let_go_files(gd_node_rt *n);

/* The network handle of node n's changes: a netlink socket in its
 * network namespace (its kept one when it is down): 0, 1 when it has
 * none (released), or a negative errno. */
int gd_node_net_open(const gd_node_rt *n, gd_nl **nl, gd_error **err);
/* What node a sends to node b cut (kind) or, heal, let through again
 * (backend.h: cut), for a backend with no network handle to offer. */
int gd_cluster_cut(const gd_cluster_state *st, size_t a, size_t b,
		   enum gd_nl_cut kind, bool heal, gd_error **err);

/* Its services restarted by their supervisor; sig to every process of
 * it; whether any is left; the pid (as the node numbers it) of a
 * service, 0 for none, and sig to that service's process group (*group:
 * 0 at first, then what the backend found, for the next signal). */
int gd_node_restart_services(const gd_node_rt *n, gd_error **err);
int gd_node_signal_all(const gd_node_rt *n, int sig, gd_error **err);
int gd_node_populated(const gd_node_rt *n, bool *any, gd_error **err);
long gd_node_service_pid(const gd_node_rt *n, const char *service);
int gd_node_signal_service(const gd_node_rt *n, long pid, int sig, long *group,
			   gd_error **err);

/* Runs argv inside a node's namespaces and cgroup; *status is its exit
 * status as a shell reports it (code, or 128 + signal). */
int gd_cluster_exec(const gd_cluster_state *st, const char *node,
		    char *const *argv, int *status, gd_error **err);

/* What a pause or a stop of a node needs (gd_node_ready, backend.h), made
 * ready ahead by a caller for whom the change's own time counts (a fault
 * played at its instant), closed once the change is made.  0, or a
 * negative errno (the change then fails too, and says so). */
int gd_cluster_ready_node(const gd_cluster_state *st, const char *node,
			  bool for_stop, gd_node_ready *ready, gd_error **err);
void gd_cluster_ready_close(const gd_cluster_state *st, gd_node_ready *ready);

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
/* What node logged during the run written into the folder to, where its
 * backend has logs away from this host (a real host's); 0 when there is
 * nothing to fetch. */
int gd_cluster_fetch_logs(const gd_cluster_state *st, const char *node,
			  const char *to, gd_error **err);
/* A reboot: the node restarted as its backend can (a real host's own
 * reboot; a namespaced node's power cut), down until
 * gd_cluster_start_node.  ready: made ready ahead, or NULL. */
int gd_cluster_reboot_node(const gd_cluster_state *st, const char *node,
			   const gd_node_ready *ready, gd_error **err);
/* Starts a stopped node again with its services; held, its gd-init starts
 * them only at gd_cluster_release_node() (a node coming back changed gets
 * its changes first). */
int gd_cluster_start_node(gd_cluster_state *st, const char *node,
			  const char *libexec, bool held, gd_error **err);
int gd_cluster_release_node(const gd_cluster_state *st, const char *node,
			    gd_error **err);
/* A stopped node re-provisioned: its local scratch (node_scratch) empty
 * again, as a renewed blade's disk comes back. */
int gd_cluster_wipe_scratch(const gd_cluster_state *st, const char *node,
			    gd_error **err);

/* A stopped node renewed, as a machine re-imaged from another template:
 * its own files kept aside and made new (gameday's, the job system's
 * through hook, its role's), provisioned at its next boots by script
 * (argv, its program on this host) instead of its role's.  Restored: the
 * kept files back (the node stopped again first by the caller).
 * Changes: what the renewed node's files differ in from the kept ones,
 * a line each (users, groups, paths' presence, owner, group and mode),
 * their count returned. */
int gd_cluster_renew_node(gd_cluster_state *st, const char *node,
			  const gd_cluster *c, const gd_node_hook *hook,
			  const gd_strv *script, gd_error **err);
int gd_cluster_restore_node(gd_cluster_state *st, const char *node,
			    gd_error **err);
size_t gd_cluster_node_changes(const gd_cluster_state *st, const char *node,
			       gd_strbuf *out);

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
