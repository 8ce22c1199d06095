/* Inside cluster/ only: the SSH backend's parts shared by its files.
 * Its row is ssh_backend.c (a node's commands, files and power), a
 * cluster's bringing up and taking down with the agents' heartbeat in
 * ssh_up.c, what is asked of a host before in ssh_hosts.c, what is left
 * of earlier runs in ssh_cleanup.c.
 *
 * A real host is reached only through its master connection (remote/
 * ssh.h), as root or through sudo, and every change gameday makes there
 * goes through the run's agent (docs/agent.md): the undo is written on
 * the host before the change, so a host gameday loses reverts itself. */
#ifndef GD_CLUSTER_SSH_NODE_H
#define GD_CLUSTER_SSH_NODE_H

#include "cluster/cluster.h"
#include "remote/ssh.h"

#include <pthread.h>
#include <stdbool.h>

/* Where a run's agent lives on a host (agent's own layout). */
#define GD_AGENT_HOST_DIR "/var/lib/gameday"

/* One host of the run. */
struct gd_remote_node {
	const gd_cluster *c;
	const gd_node *node; /* its inventory entry */
	const char *run;     /* the run's id, the agent's --run */
	/* The connection: used under the read lock, replaced (the host
	 * back from a power cycle) under the write one; NULL while the
	 * host is off. */
	pthread_rwlock_t lock;
	gd_ssh *ssh;
	const char *control_dir;
	/* "up", "frozen" or "down", as gameday made it (a real host is not
	 * asked at every look) */
	char state[8];
	char boot_id[40]; /* /proc/sys/kernel/random/boot_id at last look */
	bool agent;	  /* its agent installed (finish owed at down) */
	/* Its addresses (hostname -I, comma-separated, as iptables takes
	 * a list): what another host's cut of it matches. */
	char addrs[256];
	/* gameday's control connection as the host's sshd sees it
	 * (SSH_CONNECTION: our address, its port): always let through */
	char ctl_from[64], ctl_port[8];
	bool firewall; /* the run's chain made (and its removal journalled) */
	bool clock;    /* its daemons run under libfaketime (ssh_clock.c) */
	/* Its own reboot under way (no power switch): a thread awaits its
	 * return (gd_remote_await_return), so that its agent hears the
	 * heartbeat as soon as it boots; boot_before is the boot it left,
	 * back_r and back_err how the wait ended. */
	pthread_t back;
	bool returning;
	int back_r;
	gd_error *back_err;
	char boot_before[40];
	/* Where its logs stood as it came into the run (gd_ssh_logs_mark):
	 * the journal's cursor ("-": none) and the first log files' sizes
	 * (a file beyond them is fetched whole). */
	char log_cursor[256];
	long long log_offsets[32];
};

/* What the cluster holds beside its nodes: the heartbeat thread. */
struct gd_remote_cluster {
	const gd_cluster *c;
	char control_dir[PATH_MAX];
	pthread_t beat;
	bool beating;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	bool stop;
};

extern const gd_node_backend gd_node_backend_ssh;

int gd_ssh_up(const gd_cluster *c, const char *libexec,
	      const gd_node_hook *hook, gd_cluster_state **out, gd_error **err);
int gd_ssh_down(const gd_cluster_state *st, int grace_ms, gd_error **err);

/* argv run as root on n's host, stdin from in/inlen (NULL: none), its
 * stdout appended to out (NULL: dropped); a non-zero exit is an error
 * naming the node with the command's own words.  ESRCH when the host is
 * not connected (off). */
int gd_remote_do(const gd_node_rt *n, char *const *argv, const void *in,
		 size_t inlen, gd_strbuf *out, int timeout_ms, gd_error **err);
/* "gd-agent OP --run RUN" followed by args, as gd_remote_do (timeout_ms
 * 0: a change's default). */
int gd_remote_agent(const gd_node_rt *n, const char *op, char *const *args,
		    const void *in, size_t inlen, int timeout_ms,
		    gd_error **err);
/* The host's boot_id read into n->remote->boot_id: a new one after a
 * power cycle is the evidence it went off and came back. */
int gd_remote_boot_id(const gd_node_rt *n, gd_error **err);
/* Its addresses and how it sees gameday's connection, into n->remote
 * (addrs, ctl_from, ctl_port) and n->addr (the address gameday reaches
 * it at). */
int gd_remote_addrs(gd_node_rt *n, gd_error **err);
/* The host connected again (after a power cycle): the old master closed,
 * a new one opened, waiting up to wait_ms for the host to answer. */
int gd_remote_reconnect(const gd_node_rt *n, int wait_ms, gd_error **err);

/* A host gone down for its own reboot: its return awaited aside (up to
 * wait_ms), the connection opened again and its boot_id read.
 * gd_remote_returned joins that wait: 0 when the host is back on a new
 * boot, else why not (also 0 when no return was awaited). */
int gd_remote_await_return(const gd_node_rt *n, int wait_ms, gd_error **err);
int gd_remote_returned(const gd_node_rt *n, gd_error **err);
/* A run with clock faults: the host's job system daemons restarted
 * under libfaketime, reading the offset a clock fault writes to
 * /etc/faketimerc (ssh_clock.c); called again once the host booted, the
 * drop-ins (in /run) are put back and the offset kept.
 * gd_ssh_clock_env is what exec puts before a command in the node then
 * ("env" and the same variables). */
int gd_ssh_clock_up(gd_node_rt *n, gd_error **err);
extern char *const gd_ssh_clock_env[];

/* Its logs' places now (log_cursor, log_offsets), as the host comes
 * into the run; at the end, what they grew by since written into the
 * folder to (ssh_logs.c: UNIT.journal for the inventory's log units or
 * else the role's, each log file by its path with '/' as '_', and the
 * run's agent's log as gd-agent.log); the first failure said, the
 * others still fetched. */
int gd_ssh_logs_mark(gd_node_rt *n, gd_error **err);
int gd_ssh_fetch_logs(const gd_cluster_state *st, const gd_node_rt *n,
		      const char *to, gd_error **err);
/* A node's power argv (gd_power: off, on, cycle or status) run on this
 * machine with {node} and {host} filled in; its exit status, or -1 when
 * it could not run or took too long. */
int gd_ssh_power_run(const gd_strv *v, const gd_node *n);

#endif
