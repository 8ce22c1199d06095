/* One staging node: its files, its namespaces and its init.
 *
 * A node is a process tree under gd-init (PID 1 of a new pid namespace),
 * with its own network, UTS, mount and cgroup namespaces and its own cgroup.
 * Its mount namespace shows the host's files read-only, except what a
 * real machine keeps local, each backed by a directory of the run:
 *   /etc /opt /usr/local /var
 *                     layers (gd_node_layers, scenario.h): overlays,
 *                     the host's tree below, the node's changes above
 *                     (for /etc: passwd, group, hosts, hostname, the job
 *                     system's files, ld.so.preload, and whatever
 *                     provisioning writes)
 *   /home /root       layers that start empty: the node's alone
 *   /run /var/spool /var/log   the node's own directories
 *   /srv              the node's own directory, kept across reboots
 *   /tmp /dev/shm     the node's own tmpfs, fresh at every boot
 *   /srv/shared       the cluster's shared storage (same on every node)
 *   /srv/scratch      the node's local scratch
 *   /srv/gameday      gameday's programs for nodes (gd-init, gd-probe,
 *                     gd-job, gd-wrap), read-only
 *   /dev              its own: null, zero, full, random, urandom, tty
 *                     (the host's, bound), its own pts and shm; no disk
 *   /proc /sys        of the node's own pid and network namespaces (an
 *                     empty tmpfs on /sys/fs/cgroup); /sys and /proc/sys
 *                     read-only, as most of them are the host's kernel
 * A write anywhere else (the host's /usr, say) fails with EROFS: a
 * missing package is a missing file, never one installed on the host.
 */
#ifndef GD_CLUSTER_NODE_H
#define GD_CLUSTER_NODE_H

#include "base/error.h"
#include "cluster/hook.h"
#include "cluster/run.h"
#include "net/netlink.h"
#include "scenario/scenario.h"

#include <limits.h>
#include <netinet/in.h>
#include <sys/types.h>

#define GD_SUBNET_PREFIX 16

struct gd_node_backend;

typedef struct gd_node_rt {
	char name[GD_NODE_NAME_MAX + 1];
	char role[40];
	char addr[INET_ADDRSTRLEN];
	pid_t init_pid;
	unsigned long long init_start;
	/* The last boot whose provisioning gameday saw end (provision.h);
	 * 0 before the first. */
	unsigned provisioned_boot;
	/* Renewed by a changed return (provision.h): the script that
	 * provisions it now in place of its role's; NULL otherwise. */
	const gd_strv *renewed;
	char cgroup[PATH_MAX];
	char netns[PATH_MAX]; /* pinned network namespace */
	char dir[PATH_MAX];   /* the node's directories on the host */
	int pending_fd;	      /* while starting: the child's report pipe */
	int go_fd;	      /* until wired: the pipe that lets it go on */
	/* The node's root directory (/proc/INIT_PID/root, whose opening
	 * costs 40 us), held open by the fault player from before a change
	 * to the node's files until it is made (gd_node_hold_files); -1
	 * otherwise.  Files as the node sees them are opened from it
	 * (ns_backend.c). */
	int root_fd;
	/* Its cluster's backend (backend.h), so that a call holding the
	 * node alone reaches it. */
	const struct gd_node_backend *backend;
	/* A real host's connection and what gameday made of it (the ssh
	 * row's, ssh_node.h); NULL for a namespaced node.  Freed with the
	 * cluster's state. */
	struct gd_remote_node *remote;
} gd_node_rt;

/* The address of node number index (0-based): 10.77.0.10 and up.  The
 * subnet exists only inside the cluster's own namespaces. */
struct in_addr gd_node_addr(size_t index);
/* Debian's libfaketime, preloaded in every node of a scenario with clock
 * faults. */
#define GD_LIBFAKETIME "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
/* A node's /etc/faketimerc while its clock is the host's: written at
 * start and put back by every clock heal, byte for byte. */
#define GD_FAKETIMERC_ZERO "+0\n"

/* The MAC of node index's eth0 (chosen, so no lookup is ever needed). */
void gd_node_mac(size_t index, uint8_t mac[6]);

/* Writes a node's local files (passwd, group, hosts, hostname, services,
 * through hook, which may be NULL, the job system's own, then the role's
 * files and provisioning script: script, or the role's when NULL) into
 * its directory, which the caller created; rundir holds what the hook
 * prepared for every node. */
int gd_node_write_files(const gd_cluster *c, size_t index, const char *dir,
			const char *rundir, const gd_node_hook *hook,
			const gd_strv *script, gd_error **err);
/* A node's directory dir and all in it: its own folders (mounted as its
 * /run, /var/spool, /var/log, /srv, /srv/scratch) and its layers. */
int gd_node_make_dirs(const char *dir, gd_error **err);
/* The node's empty layers (gd_node_layers, each with overlayfs's work
 * folder) in its directory dir. */
int gd_node_make_layers(const char *dir, gd_error **err);

/* A node starts in three calls, so that a cluster's nodes overlap: while
 * one child makes its network namespace, mounts and execs, the caller
 * starts the next.  Every host change is ledgered first.
 *
 * gd_node_start(): node index's files (hook's among them) and cgroup,
 * then its child, which makes its own namespaces and waits.  libexec is
 * the directory holding gd-init and gd-probe; events_fd is the run's
 * event log, handed to gd-init as fd 3. */
int gd_node_start(gd_run *run, const gd_cluster *c, size_t index,
		  const char *libexec, const gd_node_hook *hook, int events_fd,
		  gd_node_rt *out, gd_error **err);

/* Once the child says its network namespace is made: the veth to the
 * bridge (link bridge_index in the switch's namespace, sw), addresses,
 * links up; then the child goes on to mount and exec gd-init.  With sw
 * NULL (a node back in its kept namespace) it only lets the child go on. */
int gd_node_wire(gd_node_rt *node, size_t index, gd_nl *sw, int bridge_index,
		 gd_error **err);

/* Waits until a starting node's gd-init runs, or reports why it could not
 * (the child's failure, with its errno). */
int gd_node_started(gd_node_rt *node, gd_error **err);

/* Starts a stopped node again: a new gd-init in the node's cgroup, in its
 * kept network namespace or (released) a new one wired to the bridge again,
 * services from its (possibly changed) files. */
int gd_node_restart(gd_ledger *ledger, gd_node_rt *node, size_t index,
		    const char *rundir, const char *switch_netns,
		    const char *bridge, const char *libexec, int events_fd,
		    gd_error **err);

#endif
