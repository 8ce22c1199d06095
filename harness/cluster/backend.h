/* A node backend: what a node is and how gameday reaches it.
 *
 * Every node of a cluster is reached through one row of this table, its
 * cluster's (gd_cluster_state.backend, copied into each gd_node_rt so
 * that a call holding the node alone reaches it).  Callers never use a
 * row directly: the public calls of cluster.h (gd_cluster_exec,
 * gd_cluster_pause, gd_node_read, ...) dispatch through it, so nothing
 * outside cluster/ knows which backend it talks to.
 *
 * The first row is the namespaced node (ns_backend.c): a process tree
 * under gd-init in its own Linux namespaces and cgroup on this host.  A
 * second one (a real host over SSH, say) is a file of its own filling
 * this table and a line in backend.c's list; what it keeps per node
 * beyond name, role and address goes beside the namespaced row's fields
 * of gd_node_rt (init pid, cgroup, netns, dir, root_fd).
 *
 * The rule of every op is the library's: 0, or a negative errno with err
 * filled (its message names the node).  Nodes passed in are the ones the
 * row itself filled at up (or that cluster.json gave back).  Ops that
 * play a fault's change at its instant (pause, stop, and the network
 * handle's use) are called right after what their ready op opened ahead:
 * they should cost the change alone. */
#ifndef GD_CLUSTER_BACKEND_H
#define GD_CLUSTER_BACKEND_H

#include "base/error.h"
#include "base/strbuf.h"
#include "cluster/hook.h"
#include "cluster/node.h"
#include "host/cgroup.h"
#include "net/netlink.h"
#include "scenario/scenario.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct gd_cluster_state;

/* Where a command's output goes and how long it may take (timeout_ms <= 0:
 * no limit; an fd < 0: inherited). */
typedef struct gd_exec_io {
	int out_fd, err_fd;
	int timeout_ms;
} gd_exec_io;

/* What a pause or a stop of a node needs, made ready ahead by a caller
 * for whom the change's own time counts (a fault played at its instant),
 * closed once the change is made.  The namespaced row's: its cgroup's
 * control files open; for a stop also its network namespace pinned
 * (written in the ledger first) and its mount namespace held open, so
 * that its last process does not wait, as it exits, for its mounts'
 * teardown (an RCU grace period, 0.2 ms).  A remote row would keep its
 * own here (a connection with the command already sent, waiting for a
 * byte to go). */
typedef struct gd_node_ready {
	gd_cgroup_files cgroup;
	int mnt; /* held mount namespace, or -1 */
} gd_node_ready;

/* Nothing ready: what ready_close may be given before ready ran. */
#define GD_NODE_READY_INIT                                                     \
	{                                                                      \
		.cgroup = {-1, -1, -1}, .mnt = -1                              \
	}

/* A file's owner and mode as the node sees them; (uid_t)-1, (gid_t)-1,
 * (mode_t)-1 keep what is there when set. */
typedef struct gd_file_attr {
	uid_t uid;
	gid_t gid;
	mode_t mode; /* permission bits (07777) */
} gd_file_attr;

typedef struct gd_node_backend {
	/* As cluster.json records it ("namespace"). */
	const char *name;

	/* ---- the cluster ----
	 * preflight: what up needs is there (privilege, kernel features,
	 * gd-init in libexec), then the hook's own preflight; changes
	 * nothing.  up: every node made and started with its services,
	 * calling hook (NULL: none) at its phases (cluster/hook.h); *out's
	 * backend and its nodes' set, cluster.json written
	 * (gd_cluster_save); on failure everything undone.  down: every
	 * node stopped (services first, grace_ms, then for good) and
	 * whatever up changed on the hosts undone. */
	int (*preflight)(const gd_cluster *c, const char *libexec,
			 const gd_node_hook *hook, gd_error **err);
	int (*up)(const gd_cluster *c, const char *libexec,
		  const gd_node_hook *hook, struct gd_cluster_state **out,
		  gd_error **err);
	int (*down)(const struct gd_cluster_state *st, int grace_ms,
		    gd_error **err);

	/* ---- commands ----
	 * argv run inside node n as its services run (its namespaces, its
	 * cgroup: a kill of the node takes the command too), PATH searched
	 * there; output to io's fds (io NULL: inherited), killed past its
	 * time limit (ETIMEDOUT).  *status as a shell says it (code, or
	 * 128 + signal); ESRCH when the node is down.  The caller may have
	 * threads: a local row's child makes system calls only. */
	int (*exec)(const struct gd_cluster_state *st, const gd_node_rt *n,
		    char *const *argv, const gd_exec_io *io, int *status,
		    gd_error **err);

	/* ---- the node's own files, by the paths it sees ----
	 * Resolved as the node resolves them, never following a symlink
	 * and never leaving its root; no file descriptor is handed out (a
	 * remote host has none to give), so each op is a whole read or
	 * write by path.  read: the whole file (a heap string; NULL with
	 * err).  write: len bytes of data over the file from its start,
	 * then the rest cut off: same inode (an overlay or bind mount
	 * keeps seeing it) and never empty meanwhile; create: made (0644)
	 * when missing, else ENOENT.  unlink: removed, gone already is
	 * fine.  getattr, setattr: owner and mode.
	 * hold_files: the prepare-ahead of a change made through files,
	 * so that the change costs the writes alone (the namespaced row
	 * opens the node's root, 40 us); 0 held now, 1 held already or
	 * nothing to hold, a negative errno (the change then reaches the
	 * node itself).  let_go_files undoes a 0. */
	char *(*read)(const gd_node_rt *n, const char *path, gd_error **err);
	int (*write)(const gd_node_rt *n, const char *path, const void *data,
		     size_t len, bool create, gd_error **err);
	int (*unlink)(const gd_node_rt *n, const char *path, gd_error **err);
	int (*getattr)(const gd_node_rt *n, const char *path, gd_file_attr *out,
		       gd_error **err);
	int (*setattr)(const gd_node_rt *n, const char *path,
		       const gd_file_attr *attr, gd_error **err);
	int (*hold_files)(gd_node_rt *n);
	void (*let_go_files)(gd_node_rt *n);

	/* ---- power ----
	 * ready: opens into *ready what a pause (for_stop false) or a
	 * stop will use; ready_close lets it go (also after a failed
	 * ready).  pause: every process of the node frozen, or thawed.
	 * stop: a power cut, every process killed at once; the node's
	 * network presence kept (its link stays, as a powered-off
	 * machine's port does) or, with release, let go.  ready may be
	 * NULL for both (the op then opens what it needs).
	 * start: a stopped node booted again with its services; held, its
	 * services wait for release (a node coming back changed gets its
	 * changes first, through the file ops).  wipe_scratch: a stopped
	 * node's local scratch (st->node_scratch) empty, as a re-provisioned
	 * machine's disk comes back.  restart_services: its supervisor
	 * restarts every service (what they read only as they start).
	 * signal_all: sig to every process of the node.  populated:
	 * whether any process of it is left.  service_pid: the pid (as
	 * the node numbers it) its supervisor keeps for service, 0 for
	 * none; signal_service: sig to that service's process group, *group
	 * 0 at the first call and kept by the row for the next ones (the
	 * group outlives its leader, whose pid is all the node says). */
	int (*ready)(const struct gd_cluster_state *st, const gd_node_rt *n,
		     bool for_stop, gd_node_ready *ready, gd_error **err);
	void (*ready_close)(gd_node_ready *ready);
	int (*pause)(const struct gd_cluster_state *st, const gd_node_rt *n,
		     bool pause, const gd_node_ready *ready, gd_error **err);
	int (*stop)(const struct gd_cluster_state *st, const gd_node_rt *n,
		    bool release, const gd_node_ready *ready, gd_error **err);
	/* reboot: the node's own restart, its services kept down until
	 * start (a real host's systemctl reboot, its units held through the
	 * boot); NULL: stop stands for it, as a namespaced node's power cut
	 * is its reboot. */
	int (*reboot)(const struct gd_cluster_state *st, const gd_node_rt *n,
		      const gd_node_ready *ready, gd_error **err);
	int (*start)(struct gd_cluster_state *st, gd_node_rt *n,
		     const char *libexec, bool held, gd_error **err);
	int (*release)(const struct gd_cluster_state *st, const gd_node_rt *n,
		       gd_error **err);
	int (*wipe_scratch)(const struct gd_cluster_state *st,
			    const gd_node_rt *n, gd_error **err);
	/* renew: a stopped node's own files made new, provisioned at its
	 * next boots by script (provision.h, gd_provision_renew); restore:
	 * the kept ones back; changes: what the renewed files differ in,
	 * one line each, the count returned. */
	int (*renew)(const struct gd_cluster_state *st, gd_node_rt *n,
		     const gd_cluster *c, const gd_node_hook *hook,
		     const gd_strv *script, gd_error **err);
	int (*restore)(const struct gd_cluster_state *st, gd_node_rt *n,
		       gd_error **err);
	size_t (*changes)(const gd_node_rt *n, gd_strbuf *out);
	int (*restart_services)(const gd_node_rt *n, gd_error **err);
	int (*signal_all)(const gd_node_rt *n, int sig, gd_error **err);
	int (*populated)(const gd_node_rt *n, bool *any, gd_error **err);
	long (*service_pid)(const gd_node_rt *n, const char *service);
	int (*signal_service)(const gd_node_rt *n, long pid, int sig,
			      long *group, gd_error **err);

	/* fetch_logs: what the node logged during the run written into
	 * the folder to (a real host's journal and log files, read there);
	 * NULL: nothing to fetch, the runner copies a namespaced node's
	 * logs from its folder on this host. */
	int (*fetch_logs)(const struct gd_cluster_state *st,
			  const gd_node_rt *n, const char *to, gd_error **err);

	/* ---- what it is now, and where ----
	 * state: "up", "frozen" or "down"; running: up or frozen (cheaper
	 * than state, called by the player before each change).
	 * addr: node index's address on the cluster's network.
	 * net_open: the network handle a fault's change to what the node
	 * sends is made through (partitions' cuts, netem), opened ahead of
	 * the change: today a netlink socket in the node's network
	 * namespace (its kept one while it is down), so 1 when it has none
	 * (released).  A remote host offers no local netlink socket: its
	 * row returns -EOPNOTSUPP until gd_nl grows a remote twin (the
	 * faults that need one refuse then, in their preflight). */
	const char *(*state)(const gd_node_rt *n);
	bool (*running)(const gd_node_rt *n);
	struct in_addr (*addr)(size_t index);
	int (*net_open)(const gd_node_rt *n, gd_nl **nl, gd_error **err);
	/* cut: what node a sends to node b (indexes) stopped as kind says
	 * (GD_CUT_SILENT: nothing answers; UNREACHABLE, PROHIBIT: refused
	 * at once), or with heal let through again; a caller cuts a pair
	 * once.  The namespaced row makes it in a's network namespace (its
	 * neighbour entry or route, as a partition's prepared socket does
	 * faster); a real host's row on b, a rule of the run's own firewall
	 * chain journalled by the agent, the control connection always let
	 * through.  EOPNOTSUPP for a kind the row cannot make. */
	int (*cut)(const struct gd_cluster_state *st, size_t a, size_t b,
		   enum gd_nl_cut kind, bool heal, gd_error **err);
} gd_node_backend;

/* The rows (backend.c), the default first. */
extern const gd_node_backend *const gd_node_backends[];
extern const size_t gd_node_nbackends;

/* The row named name, the default for NULL, or NULL. */
const gd_node_backend *gd_node_backend_find(const char *name);

#endif
