/* The SSH node backend (backend.h's second row): each node a real host
 * of the team's staging cluster, reached over its master connection
 * (remote/ssh.h), its job system the team's own, already running.
 *
 * What a fault changes is the job system's systemd units and the scopes
 * its jobs run in (gd_system_scopes), or the host's power through the
 * inventory's command, or its files; each change is made through the
 * run's agent with its undo written on the host first (ssh_node.h).  A
 * host is not asked its state at every look: gameday keeps what it made
 * of it.  Bringing the hosts into a run and out is ssh_up.c. */
#include "cluster/ssh_node.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "cluster/events.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A command of gameday's on a host: long enough for systemctl waiting
 * for a unit to stop. */
#define CMD_TIMEOUT_MS 60000
/* A host powered on answers SSH within this (a server's firmware and
 * boot take minutes). */
#define BOOT_WAIT_MS (10 * 60 * 1000)

/* sh -c UNITS_SCRIPT units OP PATTERN...: on the loaded units matching
 * the patterns (for a freeze, a thaw, a kill or a look at the freezer
 * those active alone: a stopped unit has no processes to take, and
 * systemctl refuses to thaw it; a frozen one still reads active),
 * systemctl OP (its words split: "kill
 * --signal=9"); "kill-stop": every process killed at once, then the
 * units stopped (a unit that restarts on failure, as Debian's munge
 * does, stays down until gameday starts it; a scope is gone already,
 * and what is left running the caller asks after); "freezer": "UNIT STATE"
 * a line each, its FreezerState. */
static const char units_script[] =
	"op=$1; shift\n"
	"case $op in freeze|thaw|freezer|kill*) "
	"s=--state=active,reloading,activating;; *) s=--all;; esac\n"
	"set -- $(systemctl list-units --plain --no-legend --full $s "
	"\"$@\" | awk '{print $1}')\n"
	"[ $# -eq 0 ] && exit 0\n"
	"case $op in\n"
	"freezer) for u; do echo \"$u $(systemctl show -P FreezerState "
	"\"$u\")\"; done;;\n"
	"kill-stop) systemctl kill --signal=KILL \"$@\"\n"
	"  systemctl stop \"$@\" 2>/dev/null || true;;\n"
	"*) systemctl $op \"$@\";;\n"
	"esac\n";

static const gd_role *role_of(const gd_node_rt *n)
{
	const struct gd_remote_node *h = n->remote;
	return &h->c->roles[h->node->role];
}

static int not_connected(const gd_node_rt *n, gd_error **err)
{
	if (!n->remote)
		return gd_error_set(
			err, ENOTCONN,
			"node \"%s\" is a real host: only the gameday that brought its cluster up reaches it (gameday cleanup FILE undoes what a lost run left)",
			n->name);
	return gd_error_set(err, ESRCH, "node \"%s\" is down", n->name);
}

int gd_remote_do(const gd_node_rt *n, char *const *argv, const void *in,
		 size_t inlen, gd_strbuf *out, int timeout_ms, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	if (!h)
		return not_connected(n, err);
	pthread_rwlock_rdlock(&h->lock);
	gd_strbuf errout = GD_STRBUF_INIT;
	int status = 0, r = -ESRCH;
	if (h->ssh)
		r = gd_ssh_run(h->ssh, argv, in, inlen, out, &errout,
			       timeout_ms > 0 ? timeout_ms : CMD_TIMEOUT_MS,
			       &status, err);
	pthread_rwlock_unlock(&h->lock);
	if (r == -ESRCH)
		r = not_connected(n, err);
	else if (r == 0 && status != 0) {
		size_t len = errout.len;
		while (len && errout.buf[len - 1] == '\n')
			len--;
		r = gd_error_set(err, EIO, "%s: %s failed (status %d): %.*s",
				 n->name, argv[0], status, (int)len,
				 errout.len ? errout.buf : "");
	}
	gd_strbuf_release(&errout);
	return r;
}

int gd_remote_agent(const gd_node_rt *n, const char *op, char *const *args,
		    const void *in, size_t inlen, int timeout_ms,
		    gd_error **err)
{
	const struct gd_remote_node *h = n->remote;
	if (!h)
		return not_connected(n, err);
	char agent[PATH_MAX];
	gd_pathf(agent, sizeof(agent), GD_AGENT_HOST_DIR "/%s/gd-agent",
		 h->run);
	char *argv[80] = {agent, (char *)op, "--run", (char *)h->run};
	size_t k = 4;
	for (; args && *args && k < GD_ARRAY_SIZE(argv) - 1; args++)
		argv[k++] = *args;
	if (args && *args)
		return gd_error_set(err, E2BIG,
				    "%s: gd-agent %s: more than %zu words",
				    n->name, op, GD_ARRAY_SIZE(argv) - 5);
	argv[k] = NULL;
	return gd_remote_do(n, argv, in, inlen, NULL, timeout_ms, err);
}

/* Appends to argv (k used, max room) the role's units and, with scopes,
 * the patterns of the scopes its job system's jobs run in. */
static size_t add_patterns(const gd_node_rt *n, bool scopes, char **argv,
			   size_t k, size_t max)
{
	gd_strv units = role_of(n)->units;
	gd_strv sc =
		scopes ? gd_system_scopes(n->remote->c->system) : (gd_strv){0};
	for (size_t i = 0; i < units.n && k < max; i++)
		argv[k++] = (char *)units.v[i];
	for (size_t i = 0; i < sc.n && k < max; i++)
		argv[k++] = (char *)sc.v[i];
	return k;
}

/* sh -c units_script units OP PATTERN... appended at argv + k. */
static size_t units_argv(const gd_node_rt *n, const char *op, bool scopes,
			 char **argv, size_t k, size_t max)
{
	char *const head[] = {"sh", "-c", (char *)units_script, "units",
			      (char *)op};
	for (size_t i = 0; i < GD_ARRAY_SIZE(head) && k < max; i++)
		argv[k++] = head[i];
	return add_patterns(n, scopes, argv, k, max);
}

#define MAX_ARGV 64

/* A change and its undo each name all the role's units (and, with
 * scopes, its jobs' scopes) in one command: a role of more than fit is
 * refused, never played on some of them. */
static int too_many(const gd_node_rt *n, bool scopes, gd_error **err)
{
	size_t many = role_of(n)->units.n +
		      (scopes ? gd_system_scopes(n->remote->c->system).n : 0);
	if (many <= MAX_ARGV / 2 - 10)
		return 0;
	return gd_error_set(
		err, E2BIG,
		"%s: %zu units and scopes in one change: at most %d", n->name,
		many, MAX_ARGV / 2 - 10);
}

/* The agent's "do": undo (units_script's UNDO on the same units)
 * journalled, then the change (its OP). */
static int units_change(const gd_node_rt *n, const char *tag, const char *op,
			const char *undo, bool scopes, gd_error **err)
{
	int r = too_many(n, scopes, err);
	if (r < 0)
		return r;
	char *args[MAX_ARGV] = {"--tag", (char *)tag, "--undo-argv", NULL};
	char count[16];
	size_t k = units_argv(n, undo, scopes, args, 4, MAX_ARGV / 2);
	snprintf(count, sizeof(count), "%zu", k - 4);
	args[3] = count;
	args[k++] = "--";
	k = units_argv(n, op, scopes, args, k, MAX_ARGV - 1);
	args[k] = NULL;
	return gd_remote_agent(n, "do", args, NULL, 0, 0, err);
}

/* ---- state ---- */

static const char *ssh_state(const gd_node_rt *n)
{
	return n->remote ? n->remote->state : "down";
}

static bool ssh_running(const gd_node_rt *n)
{
	return strcmp(ssh_state(n), "down") != 0;
}

static void set_state(const gd_node_rt *n, const char *state)
{
	snprintf(n->remote->state, sizeof(n->remote->state), "%s", state);
}

static struct in_addr ssh_addr(size_t index)
{
	/* a real host's address is its network's, not gameday's to give */
	(void)index;
	return (struct in_addr){htonl(INADDR_ANY)};
}

/* ---- the network: the run's firewall chain on each host ---- */

/* sh -c FW_SCRIPT fw OP CHAIN ARG...: iptables (its legacy twin where
 * the kernel has no nf_tables for it: whichever made the chains) on the
 * run's own two chains, CHAIN jumped to from INPUT and CHAIN-o from
 * OUTPUT: "init" makes them with gameday's control connection let
 * through first (ARG: its address and the sshd's port); "fini" removes
 * them, and only them (none: nothing to do); "add" appends the rule
 * ARG... to the chain ARG1 names (in or out); "del" deletes it when it
 * is there (an undo run twice, or after a reboot dropped the chains, is
 * not an error).  Never saved: a reboot drops them. */
static const char fw_script[] =
	"op=$1 c=$2; shift 2\n"
	"ipt=\n"
	"for t in iptables iptables-legacy; do\n"
	"  $t -w -n -L \"$c\" >/dev/null 2>&1 && { ipt=$t; break; }\n"
	"done\n"
	"case $op in\n"
	"init) for t in iptables iptables-legacy; do\n"
	"    $t -w -N \"$c\" 2>/dev/null && { ipt=$t; break; }\n"
	"  done\n"
	"  [ -n \"$ipt\" ] || { echo \"no iptables can make chain $c\" >&2; "
	"exit 1; }\n"
	"  $ipt -w -N \"$c-o\" && $ipt -w -I INPUT -j \"$c\" &&\n"
	"  $ipt -w -I OUTPUT -j \"$c-o\" || exit 1\n"
	"  [ -z \"$1\" ] && exit 0\n"
	"  $ipt -w -A \"$c\" -s \"$1\" -p tcp --dport \"$2\" -j ACCEPT &&\n"
	"  $ipt -w -A \"$c-o\" -d \"$1\" -p tcp --sport \"$2\" -j ACCEPT;;\n"
	"fini) [ -z \"$ipt\" ] && exit 0\n"
	"  $ipt -w -D INPUT -j \"$c\"; $ipt -w -D OUTPUT -j \"$c-o\"\n"
	"  $ipt -w -F \"$c\"; $ipt -w -F \"$c-o\"\n"
	"  $ipt -w -X \"$c\"; $ipt -w -X \"$c-o\";;\n"
	"add) [ -n \"$ipt\" ] || { echo \"no chain $c\" >&2; exit 1; }\n"
	"  [ \"$1\" = out ] && c=$c-o; shift; $ipt -w -A \"$c\" \"$@\";;\n"
	"del) [ -z \"$ipt\" ] && exit 0\n"
	"  [ \"$1\" = out ] && c=$c-o; shift\n"
	"  ! $ipt -w -C \"$c\" \"$@\" 2>/dev/null || $ipt -w -D \"$c\" \"$@\";;\n"
	"esac\n";

static size_t fw_argv(const gd_node_rt *n, const char *op, char **argv,
		      size_t k, char *chain, size_t size)
{
	snprintf(chain, size, "gd-%s", n->remote->run);
	char *const head[] = {"sh", "-c",	(char *)fw_script,
			      "fw", (char *)op, chain};
	for (size_t i = 0; i < GD_ARRAY_SIZE(head); i++)
		argv[k++] = head[i];
	return k;
}

/* The chain made on n's host the first time a cut needs it, its removal
 * journalled first. */
static int firewall_up(const gd_node_rt *n, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	if (h->firewall)
		return 0;
	char chain[64];
	char *args[32] = {"--tag", "firewall", "--undo-argv", "6"};
	size_t k = fw_argv(n, "fini", args, 4, chain, sizeof(chain));
	args[k++] = "--";
	k = fw_argv(n, "init", args, k, chain, sizeof(chain));
	args[k++] = h->ctl_from;
	args[k++] = h->ctl_port;
	args[k] = NULL;
	int r = gd_remote_agent(n, "do", args, NULL, 0, 0, err);
	h->firewall = r == 0;
	return r;
}

/* The rule that cuts what a sends to b, on the host that holds it:
 * silent, b drops it as it comes in (a sending locally into a drop would
 * hear EPERM at once); unreachable, a refuses it as it goes out (its own
 * stack answers EHOSTUNREACH, as a route would, and no ICMP has to cross
 * the cut back). */
static size_t cut_rule(const gd_cluster_state *st, size_t a, size_t b,
		       enum gd_nl_cut kind, const gd_node_rt **on, char **rule)
{
	if (kind == GD_CUT_SILENT) {
		*on = &st->nodes[b];
		char *const r[] = {"in", "-s", st->nodes[a].remote->addrs, "-j",
				   "DROP"};
		memcpy(rule, r, sizeof(r));
		return GD_ARRAY_SIZE(r);
	}
	*on = &st->nodes[a];
	char *const r[] = {"out",
			   "-d",
			   st->nodes[b].remote->addrs,
			   "-j",
			   "REJECT",
			   "--reject-with",
			   "icmp-host-unreachable"};
	memcpy(rule, r, sizeof(r));
	return GD_ARRAY_SIZE(r);
}

/* What a sends to b stopped by a rule of the run's chains (cut_rule),
 * journalled by the agent of the host that holds it; healed by that
 * agent reverting it. */
static int ssh_cut(const gd_cluster_state *st, size_t a, size_t b,
		   enum gd_nl_cut kind, bool heal, gd_error **err)
{
	const gd_node_rt *from = &st->nodes[a], *to = &st->nodes[b], *on;
	if (!from->remote || !to->remote)
		return not_connected(from->remote ? to : from, err);
	if (kind == GD_CUT_PROHIBIT)
		return gd_error_set(
			err, EOPNOTSUPP,
			"%s: a real host's firewall refuses as \"unreachable\", not as a prohibiting route does: use the mode \"silent\" or \"unreachable\"",
			from->name);
	char *rule[8];
	size_t nrule = cut_rule(st, a, b, kind, &on, rule);
	char tag[64];
	snprintf(tag, sizeof(tag), "cut-%s-%s", from->name, to->name);
	if (heal) {
		char *args[] = {"--tag", tag, NULL};
		return gd_remote_agent(on, "revert", args, NULL, 0, 0, err);
	}
	int r = firewall_up(on, err);
	char chain[64], count[16];
	char *args[48] = {"--tag", tag, "--undo-argv", count};
	size_t k = fw_argv(on, "del", args, 4, chain, sizeof(chain));
	for (size_t i = 0; i < nrule; i++)
		args[k++] = rule[i];
	snprintf(count, sizeof(count), "%zu", k - 4);
	args[k++] = "--";
	k = fw_argv(on, "add", args, k, chain, sizeof(chain));
	for (size_t i = 0; i < nrule; i++)
		args[k++] = rule[i];
	args[k] = NULL;
	return r < 0 ? r : gd_remote_agent(on, "do", args, NULL, 0, 0, err);
}

int gd_remote_addrs(gd_node_rt *n, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	/* as the login user: sudo would drop SSH_CONNECTION */
	char *argv[] = {"sh", "-c", "echo $SSH_CONNECTION; hostname -I", NULL};
	gd_strbuf sb = GD_STRBUF_INIT;
	int status = 0;
	pthread_rwlock_rdlock(&h->lock);
	int r = h->ssh ? gd_ssh_run_login(h->ssh, argv, &sb, 0, &status, err)
		       : not_connected(n, err);
	pthread_rwlock_unlock(&h->lock);
	char from[64] = "", port[8] = "", local[64] = "";
	if (r == 0 && (status != 0 || sscanf(sb.buf, "%63s %*s %63s %7s", from,
					     local, port) != 3))
		r = gd_error_set(err, EIO, "%s: cannot read its addresses: %s",
				 n->name, sb.len ? sb.buf : "nothing said");
	if (r == 0) {
		snprintf(h->ctl_from, sizeof(h->ctl_from), "%s", from);
		snprintf(h->ctl_port, sizeof(h->ctl_port), "%s", port);
		snprintf(n->addr, sizeof(n->addr), "%s", local);
		/* hostname -I: space-separated, IPv4 ones kept for iptables */
		gd_strbuf list = GD_STRBUF_INIT;
		char *line = strchr(sb.buf, '\n'), *save = NULL;
		for (char *w = line ? strtok_r(line + 1, " \n", &save) : NULL;
		     w; w = strtok_r(NULL, " \n", &save))
			if (!strchr(w, ':'))
				gd_strbuf_addf(&list, "%s%s",
					       list.len ? "," : "", w);
		snprintf(h->addrs, sizeof(h->addrs), "%s",
			 list.len ? list.buf : local);
		gd_strbuf_release(&list);
	}
	gd_strbuf_release(&sb);
	return r;
}

static int ssh_net_open(const gd_node_rt *n, gd_nl **nl, gd_error **err)
{
	(void)nl;
	return gd_error_set(
		err, EOPNOTSUPP,
		"node \"%s\" is a real host: its network is changed through its own firewall, not from here",
		n->name);
}

/* ---- commands ---- */

static void copy_out(const gd_strbuf *sb, int fd)
{
	for (size_t off = 0; fd >= 0 && off < sb->len;) {
		ssize_t w = write(fd, sb->buf + off, sb->len - off);
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static int ssh_exec(const gd_cluster_state *st, const gd_node_rt *n,
		    char *const *argv, const gd_exec_io *io, int *status,
		    gd_error **err)
{
	(void)st;
	struct gd_remote_node *h = n->remote;
	if (!h || !ssh_running(n))
		return not_connected(n, err);
	/* on the node's clock, as its daemons are */
	char *timed[MAX_ARGV];
	if (h->clock) {
		size_t k = 0;
		for (char *const *e = gd_ssh_clock_env; *e; e++)
			timed[k++] = *e;
		for (; *argv && k < MAX_ARGV - 1; argv++)
			timed[k++] = *argv;
		if (*argv)
			return gd_error_set(err, E2BIG,
					    "%s: a command of more than %d "
					    "words",
					    n->name, MAX_ARGV - 5);
		timed[k] = NULL;
		argv = timed;
	}
	gd_strbuf out = GD_STRBUF_INIT, errout = GD_STRBUF_INIT;
	pthread_rwlock_rdlock(&h->lock);
	int r = h->ssh ? gd_ssh_run(h->ssh, argv, NULL, 0, &out, &errout,
				    io ? io->timeout_ms : 0, status, err)
		       : not_connected(n, err);
	pthread_rwlock_unlock(&h->lock);
	copy_out(&out, io ? io->out_fd : STDOUT_FILENO);
	copy_out(&errout, io ? io->err_fd : STDERR_FILENO);
	gd_strbuf_release(&out);
	gd_strbuf_release(&errout);
	return r;
}

/* ---- files, each change saved by the agent first ---- */

static char *ssh_read(const gd_node_rt *n, const char *path, gd_error **err)
{
	char *argv[] = {"cat", "--", (char *)path, NULL};
	gd_strbuf out = GD_STRBUF_INIT;
	if (gd_remote_do(n, argv, NULL, 0, &out, 0, err) < 0) {
		gd_strbuf_release(&out);
		return NULL;
	}
	return gd_strbuf_detach(&out);
}

static int ssh_write(const gd_node_rt *n, const char *path, const void *data,
		     size_t len, bool create, gd_error **err)
{
	if (!create) {
		char *test[] = {"test", "-f", (char *)path, NULL};
		if (gd_remote_do(n, test, NULL, 0, NULL, 0, err) < 0)
			return -ENOENT;
	}
	char *args[] = {"--tag", "file", (char *)path, NULL};
	return gd_remote_agent(n, "put", args, data, len, 0, err);
}

/* A change whose undo a save holds already, made by the agent under its
 * journal's lock: a watcher that reverted meanwhile (gameday silent) has
 * it fail, rather than land after the revert and stay. */
static int saved_change(const gd_node_rt *n, const char *tag, char *const *argv,
			gd_error **err)
{
	char *args[16] = {"--tag", (char *)tag, "--undo-argv",
			  "1",	   "true",	"--"};
	size_t k = 6;
	for (; *argv && k < GD_ARRAY_SIZE(args) - 1; argv++)
		args[k++] = *argv;
	args[k] = NULL;
	return gd_remote_agent(n, "do", args, NULL, 0, 0, err);
}

static int ssh_unlink(const gd_node_rt *n, const char *path, gd_error **err)
{
	char *args[] = {"--tag", "file", (char *)path, NULL};
	int r = gd_remote_agent(n, "save", args, NULL, 0, 0, err);
	char *argv[] = {"rm", "-f", "--", (char *)path, NULL};
	return r < 0 ? r : saved_change(n, "file", argv, err);
}

static int ssh_getattr(const gd_node_rt *n, const char *path, gd_file_attr *out,
		       gd_error **err)
{
	char *argv[] = {"stat", "-c", "%u %g %a", "--", (char *)path, NULL};
	gd_strbuf sb = GD_STRBUF_INIT;
	int r = gd_remote_do(n, argv, NULL, 0, &sb, 0, err);
	unsigned uid, gid, mode;
	if (r == 0 && sscanf(sb.buf, "%u %u %o", &uid, &gid, &mode) != 3)
		r = gd_error_set(err, EIO, "%s: stat of \"%s\" said \"%s\"",
				 n->name, path, sb.buf);
	if (r == 0)
		*out = (gd_file_attr){uid, gid, mode};
	gd_strbuf_release(&sb);
	return r;
}

static int ssh_setattr(const gd_node_rt *n, const char *path,
		       const gd_file_attr *attr, gd_error **err)
{
	char *args[] = {"--tag", "attr", (char *)path, NULL};
	int r = gd_remote_agent(n, "save-attr", args, NULL, 0, 0, err);
	char owner[32] = "", mode[16] = "";
	if (attr->uid != (uid_t)-1)
		snprintf(owner, sizeof(owner), "%u", (unsigned)attr->uid);
	if (attr->gid != (gid_t)-1)
		snprintf(owner + strlen(owner), sizeof(owner) - strlen(owner),
			 ":%u", (unsigned)attr->gid);
	if (r == 0 && owner[0]) {
		char *argv[] = {"chown", "-h", owner, "--", (char *)path, NULL};
		r = saved_change(n, "attr", argv, err);
	}
	if (r == 0 && attr->mode != (mode_t)-1) {
		snprintf(mode, sizeof(mode), "%o", (unsigned)attr->mode);
		char *argv[] = {"chmod", mode, "--", (char *)path, NULL};
		r = saved_change(n, "attr", argv, err);
	}
	return r;
}

/* Each change is its own round trip: nothing to open ahead. */
static int ssh_hold_files(gd_node_rt *n)
{
	(void)n;
	return 1;
}

static void ssh_let_go_files(gd_node_rt *n)
{
	(void)n;
}

/* ---- power ---- */

static int ssh_ready(const gd_cluster_state *st, const gd_node_rt *n,
		     bool for_stop, gd_node_ready *ready, gd_error **err)
{
	(void)st, (void)n, (void)for_stop, (void)err;
	*ready = (gd_node_ready)GD_NODE_READY_INIT;
	return 0;
}

static void ssh_ready_close(gd_node_ready *ready)
{
	(void)ready;
}

/* What the host says of its units' freezer, every one frozen or none as
 * asked, read again a moment later while it is still on its way (a
 * cgroup reads frozen once its last process stopped); the node's state
 * is what it says. */
static int read_frozen(const gd_node_rt *n, bool frozen, gd_error **err)
{
	char *argv[MAX_ARGV];
	argv[units_argv(n, "freezer", true, argv, 0, MAX_ARGV - 1)] = NULL;
	gd_strbuf sb = GD_STRBUF_INIT;
	int r = gd_remote_do(n, argv, NULL, 0, &sb, 0, err);
	bool all = true, any = false;
	for (char *line = sb.buf; r == 0 && line && *line;) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		bool is = len > 7 && strncmp(line + len - 7, " frozen", 7) == 0;
		all = all && is;
		any = any || is;
		line = end ? end + 1 : NULL;
	}
	if (r == 0)
		set_state(n, any && all ? "frozen" : "up");
	if (r == 0 && (frozen ? !all || !any : any))
		r = gd_error_set(err, EAGAIN, "%s: its units are %s: %s",
				 n->name,
				 frozen ? "not all frozen" : "still frozen",
				 sb.len ? sb.buf : "none runs");
	gd_strbuf_release(&sb);
	return r;
}

static int check_frozen(const gd_node_rt *n, bool frozen, gd_error **err)
{
	int r;
	gd_error *e = NULL;
	for (int tries = 0;; tries++) {
		gd_error_free(e);
		e = NULL;
		r = read_frozen(n, frozen, &e);
		if (r != -EAGAIN || tries == 20)
			break;
		struct timespec ts = {0, 250000000L};
		nanosleep(&ts, NULL);
	}
	if (err)
		*err = e;
	else
		gd_error_free(e);
	return r;
}

static int ssh_pause(const gd_cluster_state *st, const gd_node_rt *n,
		     bool pause, const gd_node_ready *ready, gd_error **err)
{
	(void)ready;
	if (!n->remote)
		return not_connected(n, err);
	int r = pause ? units_change(n, "pause", "freeze", "thaw", true, err)
		      : units_change(n, "thaw", "thaw", "thaw", true, err);
	if (r == 0)
		r = check_frozen(n, pause, err);
	if (r == 0) {
		gd_event_node(st->events,
			      pause ? GD_EV_NODE_PAUSED : GD_EV_NODE_RESUMED,
			      n->name);
	}
	return r;
}

/* The host itself off through its power command: nothing of it runs;
 * its agent, enabled, reverts what the cut kept once it is on again. */
static int power_off(const gd_node_rt *n, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	if (gd_ssh_power_run(&h->node->power->off, h->node) != 0)
		return gd_error_set(
			err, EIO, "%s: its power off command failed", n->name);
	pthread_rwlock_wrlock(&h->lock);
	gd_ssh_close(h->ssh);
	h->ssh = NULL;
	pthread_rwlock_unlock(&h->lock);
	return 0;
}

static int ssh_stop(const gd_cluster_state *st, const gd_node_rt *n,
		    bool release, const gd_node_ready *ready, gd_error **err)
{
	(void)release, (void)ready;
	if (!n->remote)
		return not_connected(n, err);
	gd_event_node(st->events, GD_EV_NODE_KILLING, n->name);
	/* A host that can be powered is; else its job system dies whole,
	 * the scopes of its jobs with it. */
	int r = n->remote->node->power ? power_off(n, err)
				       : units_change(n, "kill", "kill-stop",
						      "start", true, err);
	if (r == 0) {
		set_state(n, "down");
		gd_event_node(st->events, GD_EV_NODE_KILLED, n->name);
	}
	return r;
}

/* The role's units masked through the boot to come (a masked unit does
 * not start), the undo journalled first under two tags the heal reverts
 * in turn: "reboot-hold" unmasks them, "reboot-start" (older, so last in
 * a revert of all) starts them.  systemctl refuses to mask a unit whose
 * own file is in /etc/systemd/system, and says so. */
static int hold_units(const gd_node_rt *n, gd_error **err)
{
	if (too_many(n, false, err) < 0)
		return -E2BIG;
	char *start[MAX_ARGV] = {"--tag", "reboot-start", "--"};
	start[units_argv(n, "start", false, start, 3, MAX_ARGV - 1)] = NULL;
	int r = gd_remote_agent(n, "on-revert", start, NULL, 0, 0, err);
	if (r < 0)
		return r;
	char *units[MAX_ARGV / 2 - 6];
	size_t nu = add_patterns(n, false, units, 0, GD_ARRAY_SIZE(units));
	char count[16];
	snprintf(count, sizeof(count), "%zu", nu + 2);
	char *args[MAX_ARGV] = {"--tag", "reboot-hold", "--undo-argv",
				count,	 "systemctl",	"unmask"};
	size_t k = 6;
	for (size_t i = 0; i < nu; i++)
		args[k++] = units[i];
	args[k++] = "--";
	args[k++] = "systemctl";
	args[k++] = "mask";
	for (size_t i = 0; i < nu; i++)
		args[k++] = units[i];
	args[k] = NULL;
	return gd_remote_agent(n, "do", args, NULL, 0, 0, err);
}

/* hold_units undone: the units unmasked and, with start, started. */
static int unhold_units(const gd_node_rt *n, bool start, gd_error **err)
{
	char *hold[] = {"--tag", "reboot-hold", NULL};
	char *run[] = {"--tag", "reboot-start", NULL};
	int r = gd_remote_agent(n, "revert", hold, NULL, 0, 0, err);
	if (r == 0 && start)
		r = gd_remote_agent(n, "revert", run, NULL, 0, 0, err);
	return r;
}

/* Back from its own reboot (ssh_reboot), on a new boot: its units let
 * start again, and started unless held. */
static int back_from_reboot(const gd_node_rt *n, bool held, gd_error **err)
{
	int r = gd_remote_returned(n, err);
	return r < 0 ? r : unhold_units(n, !held, err);
}

/* Asked to reboot, then looked at until its connection drops (its sshd
 * stopped by the shutdown): the change is made once the host has gone.
 * The request itself may lose its connection before it returns: only a
 * host still answering afterwards is a failure. */
static int reboot_now(const gd_node_rt *n, gd_error **err)
{
	char *reboot[] = {"systemctl", "--no-block", "reboot", NULL};
	_cleanup_error_ gd_error *why = NULL;
	gd_remote_do(n, reboot, NULL, 0, NULL, 0, &why);
	char *look[] = {"true", NULL};
	for (int waited = 0; waited < CMD_TIMEOUT_MS; waited += 250) {
		if (gd_remote_do(n, look, NULL, 0, NULL, 2000, NULL) < 0)
			return 0;
		struct timespec ts = {0, 250000000L};
		nanosleep(&ts, NULL);
	}
	return gd_error_set(
		err, ETIMEDOUT,
		"%s: asked to reboot, still answering after %d s%s%s", n->name,
		CMD_TIMEOUT_MS / 1000, why ? ": " : "", why ? why->msg : "");
}

/* A host's own reboot, its units held down through it until the heal
 * (ssh_start), which then finds it on a new boot; its return is awaited
 * aside meanwhile, so that its agent hears the heartbeat as soon as it
 * is up (else it would revert the hold once its timeout passed).  A host
 * with a power switch is power cycled instead: off now, on at the heal. */
static int ssh_reboot(const gd_cluster_state *st, const gd_node_rt *n,
		      const gd_node_ready *ready, gd_error **err)
{
	if (!n->remote)
		return not_connected(n, err);
	struct gd_remote_node *h = n->remote;
	if (h->node->power)
		return ssh_stop(st, n, false, ready, err);
	gd_event_node(st->events, GD_EV_NODE_KILLING, n->name);
	int r = hold_units(n, err);
	if (r == 0)
		r = reboot_now(n, err);
	if (r < 0) {
		/* (a hold half made included) */
		unhold_units(n, true, NULL);
		return r;
	}
	pthread_rwlock_wrlock(&h->lock);
	gd_ssh_close(h->ssh);
	h->ssh = NULL;
	pthread_rwlock_unlock(&h->lock);
	/* the run's chains go with the boot */
	h->firewall = false;
	set_state(n, "down");
	gd_event_node(st->events, GD_EV_NODE_KILLED, n->name);
	return gd_remote_await_return(n, BOOT_WAIT_MS, err);
}

int gd_remote_boot_id(const gd_node_rt *n, gd_error **err)
{
	char *argv[] = {"cat", "/proc/sys/kernel/random/boot_id", NULL};
	gd_strbuf sb = GD_STRBUF_INIT;
	int r = gd_remote_do(n, argv, NULL, 0, &sb, 0, err);
	if (r == 0)
		snprintf(n->remote->boot_id, sizeof(n->remote->boot_id), "%.*s",
			 (int)strcspn(sb.buf, "\n"), sb.buf);
	gd_strbuf_release(&sb);
	return r;
}

/* Power on, the host's answer awaited and its new boot checked.  Its
 * units start at boot: held, they are stopped again until released. */
static int power_on(const gd_node_rt *n, bool held, gd_error **err)
{
	struct gd_remote_node *h = n->remote;
	char before[sizeof(h->boot_id)];
	snprintf(before, sizeof(before), "%s", h->boot_id);
	if (gd_ssh_power_run(&h->node->power->on, h->node) != 0)
		return gd_error_set(err, EIO, "%s: its power on command failed",
				    n->name);
	/* the run's chains went with the boot */
	h->firewall = false;
	int r = gd_remote_reconnect(n, BOOT_WAIT_MS, err);
	if (r == 0)
		r = gd_remote_boot_id(n, err);
	if (r == 0 && strcmp(before, h->boot_id) == 0)
		r = gd_error_set(err, EIO,
				 "%s: powered on but its boot_id is the same "
				 "(%s): it never went off",
				 n->name, before);
	if (r == 0 && held) {
		char *argv[MAX_ARGV];
		argv[units_argv(n, "stop", false, argv, 0, MAX_ARGV - 1)] =
			NULL;
		r = gd_remote_do(n, argv, NULL, 0, NULL, 0, err);
	}
	return r;
}

static int ssh_start(gd_cluster_state *st, gd_node_rt *n, const char *libexec,
		     bool held, gd_error **err)
{
	(void)libexec;
	if (!n->remote)
		return not_connected(n, err);
	if (ssh_running(n))
		return gd_error_set(err, EEXIST, "node \"%s\" is already up",
				    n->name);
	int r = 0;
	char was[sizeof(n->remote->boot_id)];
	snprintf(was, sizeof(was), "%s",
		 n->remote->returning ? n->remote->boot_before
				      : n->remote->boot_id);
	bool boots = n->remote->returning || n->remote->node->power;
	if (n->remote->returning)
		r = back_from_reboot(n, held, err);
	else if (n->remote->node->power)
		r = power_on(n, held, err);
	else if (!held)
		r = units_change(n, "start", "start", "start", false, err);
	/* the boot took the clock's drop-ins (in /run) with it */
	if (r == 0 && boots && n->remote->clock)
		r = gd_ssh_clock_up(n, err);
	if (r < 0)
		return r;
	set_state(n, "up");
	/* a boot's evidence: the kernel's new boot_id beside the old */
	gd_event_at(st->events, GD_EV_NODE_STARTED,
		    json_pack("{s:s,s:s,s:s}", "node", n->name, "boot_id",
			      n->remote->boot_id, "boot_id_before", was));
	return 0;
}

static int ssh_release(const gd_cluster_state *st, const gd_node_rt *n,
		       gd_error **err)
{
	(void)st;
	char *argv[MAX_ARGV] = {"systemctl", "start"};
	argv[add_patterns(n, false, argv, 2, MAX_ARGV - 1)] = NULL;
	return gd_remote_do(n, argv, NULL, 0, NULL, 0, err);
}

static int ssh_wipe_scratch(const gd_cluster_state *st, const gd_node_rt *n,
			    gd_error **err)
{
	char *argv[] = {"find",	     (char *)st->node_scratch,
			"-mindepth", "1",
			"-delete",   NULL};
	return gd_remote_do(n, argv, NULL, 0, NULL, 0, err);
}

static int ssh_renew(const gd_cluster_state *st, gd_node_rt *n,
		     const gd_cluster *c, const gd_node_hook *hook,
		     const gd_strv *script, gd_error **err)
{
	(void)st, (void)c, (void)hook, (void)script;
	return gd_error_set(
		err, EOPNOTSUPP,
		"node \"%s\" is a real host: a renewal through \"provision\" is not played on real hosts yet",
		n->name);
}

static int ssh_restore(const gd_cluster_state *st, gd_node_rt *n,
		       gd_error **err)
{
	return ssh_renew(st, n, NULL, NULL, NULL, err);
}

static size_t ssh_changes(const gd_node_rt *n, gd_strbuf *out)
{
	(void)n, (void)out;
	return 0;
}

static int ssh_restart_services(const gd_node_rt *n, gd_error **err)
{
	return units_change(n, "restart", "restart", "start", false, err);
}

static int ssh_signal_all(const gd_node_rt *n, int sig, gd_error **err)
{
	char op[32];
	snprintf(op, sizeof(op), "kill --signal=%d", sig);
	return units_change(n, "signal", op, "start", true, err);
}

static int ssh_populated(const gd_node_rt *n, bool *any, gd_error **err)
{
	/* a host powered off runs nothing, as its power status says when
	 * it has one; one whose units were killed is asked */
	*any = false;
	if (!n->remote)
		return 0;
	const gd_node *node = n->remote->node;
	if (!n->remote->ssh) {
		*any = node->power && node->power->status.n &&
		       gd_ssh_power_run(&node->power->status, node) == 0;
		return 0;
	}
	char *argv[MAX_ARGV] = {
		"systemctl", "list-units", "--plain", "--no-legend",
		"--state=active,reloading,activating,deactivating"};
	argv[add_patterns(n, true, argv, 5, MAX_ARGV - 1)] = NULL;
	gd_strbuf sb = GD_STRBUF_INIT;
	int r = gd_remote_do(n, argv, NULL, 0, &sb, 0, err);
	*any = r == 0 && sb.len > 0;
	gd_strbuf_release(&sb);
	return r;
}

/* Services are gameday's own in a namespaced node; a real host runs the
 * team's, named by units, not by a service of the cluster file. */
static long ssh_service_pid(const gd_node_rt *n, const char *service)
{
	(void)n, (void)service;
	return 0;
}

static int ssh_signal_service(const gd_node_rt *n, long pid, int sig,
			      long *group, gd_error **err)
{
	(void)pid, (void)sig, (void)group;
	return gd_error_set(err, ESRCH,
			    "node \"%s\" is a real host: it runs no service "
			    "of the cluster file's",
			    n->name);
}

static int ssh_preflight(const gd_cluster *c, const char *libexec,
			 const gd_node_hook *hook, gd_error **err)
{
	(void)hook;
	char agent[PATH_MAX];
	gd_pathf(agent, sizeof(agent), "%s/gd-agent", libexec);
	if (access(agent, X_OK) < 0)
		return gd_error_make(err, ENOENT,
				     "no agent for the hosts at \"%s\" (make)",
				     agent);
	if (!c->storage_here)
		return gd_error_set(
			err, EINVAL,
			"%s: a run needs \"storage_here\": where this machine mounts the hosts' shared storage %s (gameday puts the jobs' inputs there and reads their outputs)",
			c->file, c->storage);
	gd_strbuf table = GD_STRBUF_INIT;
	int r = gd_ssh_hosts_check(c, &table, err);
	if (r < 0 && err && *err) {
		gd_error *e = *err;
		*err = NULL;
		gd_error_set(err, -r, "the hosts are not ready:\n%s%s",
			     table.buf ? table.buf : "", e->msg);
		gd_error_free(e);
	}
	gd_strbuf_release(&table);
	return r;
}

const gd_node_backend gd_node_backend_ssh = {
	.name = GD_BACKEND_SSH,
	.preflight = ssh_preflight,
	.up = gd_ssh_up,
	.down = gd_ssh_down,
	.exec = ssh_exec,
	.read = ssh_read,
	.write = ssh_write,
	.unlink = ssh_unlink,
	.getattr = ssh_getattr,
	.setattr = ssh_setattr,
	.hold_files = ssh_hold_files,
	.let_go_files = ssh_let_go_files,
	.ready = ssh_ready,
	.ready_close = ssh_ready_close,
	.pause = ssh_pause,
	.stop = ssh_stop,
	.reboot = ssh_reboot,
	.start = ssh_start,
	.release = ssh_release,
	.wipe_scratch = ssh_wipe_scratch,
	.renew = ssh_renew,
	.restore = ssh_restore,
	.changes = ssh_changes,
	.restart_services = ssh_restart_services,
	.signal_all = ssh_signal_all,
	.populated = ssh_populated,
	.service_pid = ssh_service_pid,
	.signal_service = ssh_signal_service,
	.state = ssh_state,
	.running = ssh_running,
	.addr = ssh_addr,
	.net_open = ssh_net_open,
	.cut = ssh_cut,
	.fetch_logs = gd_ssh_fetch_logs,
};
