#include "cli/cli.h"

#include "base/cleanup.h"
#include "base/diag.h"
#include "cluster/cluster.h"
#include "cluster/teardown.h"
#include "jobsys/jobsys.h"
#include "scenario/load.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	printf("usage: gameday cluster up FILE\n"
	       "       gameday cluster status [--run ID]\n"
	       "       gameday cluster list\n"
	       "       gameday cluster exec [--run ID] NODE -- CMD [ARGS...]\n"
	       "       gameday cluster pause|resume|stop|start [--run ID] NODE\n"
	       "       gameday cluster stop --release [--run ID] NODE\n"
	       "       gameday cluster down [--run ID]\n\n"
	       "up      builds the staging cluster of a scenario or cluster file\n"
	       "        (namespaced nodes on a private bridge, each under gd-init\n"
	       "        with its services), prints its nodes and returns; it keeps\n"
	       "        running\n"
	       "status  prints the nodes of the cluster that is up\n"
	       "list    prints every cluster that is up, with its run id\n"
	       "exec    runs a command inside a node's namespaces and cgroup and\n"
	       "        exits with its status\n"
	       "pause   freezes every process of a node; resume thaws it\n"
	       "stop    kills every process of a node at once (a power cut); its\n"
	       "        namespaces are kept, or with --release let go (its link\n"
	       "        disappears); start brings it back with its services\n"
	       "down    stops every node and removes everything the cluster made\n\n"
	       "--run ID picks a cluster when several are up.  Options may come\n"
	       "anywhere after the subcommand, for exec before the command (its\n"
	       "own options stay its own: exec w1 ls -l); \"--\" ends them.\n"
	       "Needs root.\n\n"
	       "exit: 0 done (exec: the command's own status), 2 bad usage or\n"
	       "unknown node, 3 missing privilege or kernel feature (nothing is\n"
	       "left half-built), 130 up interrupted (the cluster taken down)\n");
}

static int listed;

static void list_one(const gd_cluster_state *st)
{
	size_t up = 0;
	for (size_t i = 0; i < st->nnodes; i++)
		up += strcmp(gd_node_state(&st->nodes[i]), "down") != 0;
	printf("%s  %-20s %zu nodes, %zu up\n", st->id, st->name, st->nnodes,
	       up);
	listed++;
}

static void print_nodes(const gd_cluster_state *st)
{
	printf("cluster %s (run %s)\nevents  %s\n\n", st->name, st->id,
	       st->events);
	printf("  %-15s %-12s %-15s %s\n", "NODE", "ROLE", "ADDRESS", "STATE");
	for (size_t i = 0; i < st->nnodes; i++) {
		const gd_node_rt *n = &st->nodes[i];
		printf("  %-15s %-12s %-15s %s\n", n->name, n->role, n->addr,
		       gd_node_state(n));
	}
}

/* A cluster file is what a scenario's "cluster" holds; anything with a
 * "cluster" key is a scenario. */
static gd_cluster *load_cluster(const char *file, gd_scenario **keep)
{
	gd_diags diags = {0};
	gd_scenario *s = gd_cluster_file_load(file, &diags);
	if (s && gd_jobsys_check_config(&s->cluster, &diags)) {
		gd_scenario_free(s);
		s = NULL;
	}
	if (!s) {
		gd_diags_print(&diags, stderr);
		gd_diags_clear(&diags);
		return NULL;
	}
	gd_diags_clear(&diags);
	*keep = s;
	return &s->cluster;
}

/* The command line after "cluster": its subcommand, options (anywhere
 * after it; for exec, before the command) and operands. */
struct args {
	const char *sub;
	const char *run;
	bool release;
	char **ops; /* NULL-terminated */
	int nops;
};

static int up(const struct args *a)
{
	if (a->nops != 1)
		return cli_usage_error("cluster", "up takes one file");
	gd_scenario *s = NULL;
	gd_cluster *c = load_cluster(a->ops[0], &s);
	if (!c)
		return GD_EXIT_INVALID;
	if (c->backend && strcmp(c->backend, GD_BACKEND_SSH) == 0) {
		/* a run's hosts are held by its gameday's heartbeat: one
		 * brought up by a command that then exits would revert
		 * itself a minute later */
		fprintf(stderr,
			"gameday cluster up: %s: real hosts are not brought up on their own: gameday run plays a scenario on them (gameday plan checks them)\n",
			a->ops[0]);
		gd_scenario_free(s);
		return GD_EXIT_INVALID;
	}
	const char *libexec = cli_libexec();
	_cleanup_error_ gd_error *err = NULL;
	gd_cluster_state *st = NULL;
	const gd_node_hook *hook = gd_jobsys_node_hook(c);
	int r = gd_cluster_preflight(c, libexec, hook, &err);
	if (r == 0) {
		/* Ctrl-C and SIGTERM wait for a step to finish, then the
		 * half-built cluster is undone: see the check below. */
		sigset_t stop;
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGHUP);
		sigprocmask(SIG_BLOCK, &stop, NULL);
		r = gd_cluster_up(c, libexec, hook, &st, &err);
		sigset_t pending;
		sigpending(&pending);
		if (r == 0 && (sigismember(&pending, SIGINT) ||
			       sigismember(&pending, SIGTERM) ||
			       sigismember(&pending, SIGHUP))) {
			_cleanup_error_ gd_error *e2 = NULL;
			gd_cluster_down(st, 0, &e2);
			gd_cluster_state_free(st);
			gd_scenario_free(s);
			fprintf(stderr,
				"gameday cluster: interrupted; the cluster was taken down\n");
			return 130;
		}
	}
	gd_scenario_free(s);
	if (r == -EINTR) {
		/* a wait the signal cut short (a node provisioning) */
		fprintf(stderr, "gameday cluster: %s; nothing was left\n",
			err->msg);
		return 130;
	}
	if (r < 0)
		return cli_fail("cluster up", err);
	print_nodes(st);
	gd_cluster_state_free(st);
	return GD_EXIT_OK;
}

static int list(const struct args *a)
{
	if (a->nops)
		return cli_usage_error("cluster", "list takes no arguments");
	_cleanup_error_ gd_error *err = NULL;
	listed = 0;
	if (gd_cluster_list(list_one, &err) < 0)
		return cli_fail("cluster list", err);
	if (!listed)
		printf("no staging cluster is up\n");
	return GD_EXIT_OK;
}

static int exec_in(const struct args *a)
{
	if (a->nops < 1)
		return cli_usage_error("cluster",
				       "exec needs NODE -- CMD [ARGS...]");
	const char *node = a->ops[0];
	char **cmd = a->ops + 1;
	if (!*cmd)
		return cli_usage_error("cluster",
				       "exec needs a command after the node");
	_cleanup_error_ gd_error *err = NULL;
	gd_cluster_state *st = NULL;
	int status = 0;
	if (gd_cluster_find(a->run, &st, &err) < 0 ||
	    gd_cluster_exec(st, node, cmd, &status, &err) < 0)
		status = cli_fail("cluster exec", err);
	gd_cluster_state_free(st);
	return status;
}

/* pause, resume, stop, start: one node each. */
static int node_op(const struct args *a)
{
	if (a->nops != 1)
		return cli_usage_error("cluster", "%s takes one node", a->sub);
	const char *sub = a->sub, *node = a->ops[0];
	_cleanup_error_ gd_error *err = NULL;
	gd_cluster_state *st = NULL;
	int r = gd_cluster_find(a->run, &st, &err);
	if (r == 0 && strcmp(sub, "pause") == 0)
		r = gd_cluster_pause(st, node, true, NULL, &err);
	else if (r == 0 && strcmp(sub, "resume") == 0)
		r = gd_cluster_pause(st, node, false, NULL, &err);
	else if (r == 0 && strcmp(sub, "stop") == 0)
		r = gd_cluster_stop_node(st, node, a->release, NULL, &err);
	else if (r == 0)
		r = gd_cluster_start_node(st, node, cli_libexec(), false, &err);
	int code = GD_EXIT_OK;
	if (r < 0) {
		char what[64];
		snprintf(what, sizeof(what), "cluster %s", sub);
		code = cli_fail(what, err);
	} else {
		printf("node %s: %s\n", node,
		       strcmp(sub, "pause") == 0    ? "paused"
		       : strcmp(sub, "resume") == 0 ? "resumed"
		       : strcmp(sub, "stop") == 0
			       ? "stopped (every process killed)"
			       : "started");
	}
	gd_cluster_state_free(st);
	return code;
}

/* status and down: the whole cluster. */
static int whole(const struct args *a)
{
	if (a->nops)
		return cli_usage_error("cluster", "%s takes no arguments",
				       a->sub);
	bool down = strcmp(a->sub, "down") == 0;
	const char *what = down ? "cluster down" : "cluster status";
	_cleanup_error_ gd_error *err = NULL;
	gd_cluster_state *st = NULL;
	if (gd_cluster_find(a->run, &st, &err) < 0)
		return cli_fail(what, err);
	int code = GD_EXIT_OK;
	if (!down) {
		print_nodes(st);
	} else if (gd_cluster_down(st, 5000, &err) < 0) {
		code = cli_fail(what, err);
	} else {
		printf("cluster %s (run %s) is down\n", st->name, st->id);
	}
	gd_cluster_state_free(st);
	return code;
}

static const struct sub {
	const char *name;
	int (*run)(const struct args *a);
	bool by_run; /* --run picks the cluster */
} subs[] = {
	{"up", up, false},	  {"status", whole, true},
	{"list", list, false},	  {"exec", exec_in, true},
	{"pause", node_op, true}, {"resume", node_op, true},
	{"stop", node_op, true},  {"start", node_op, true},
	{"down", whole, true},
};

/* The options, anywhere after the subcommand; exec's stop at its command
 * (the operand after NODE), so "exec w1 ls -l" runs ls -l.  Returns -1
 * to go on, else the exit code (help shown, bad usage). */
static int parse_args(int argc, char **argv, const struct sub *sub,
		      struct args *out)
{
	static const struct option opts[] = {
		{"run", required_argument, NULL, 'r'},
		{"release", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool exec = sub->run == exec_in;
	cli_args a = CLI_ARGS(argc, argv, exec ? 2 : 0);
	int c;
	while ((c = cli_getopt(&a, "r:h", opts)) != -1) {
		switch (c) {
		case 'r':
			out->run = optarg;
			break;
		case 'R':
			out->release = true;
			break;
		case 'h':
			help();
			return GD_EXIT_OK;
		default:
			return cli_usage_error("cluster", "invalid option");
		}
	}
	out->ops = argv + 1;
	out->nops = a.n;
	/* "exec -- NODE -- CMD": the second "--" is exec's own, as in
	 * "exec NODE -- CMD". */
	if (exec && a.dashdash == 0 && a.n > 1 &&
	    strcmp(out->ops[1], "--") == 0) {
		out->ops[1] = out->ops[0];
		out->ops++;
		out->nops--;
	}
	if (out->run && !sub->by_run)
		return cli_usage_error("cluster", "%s takes no --run",
				       sub->name);
	if (out->release && strcmp(sub->name, "stop") != 0)
		return cli_usage_error("cluster", "--release is for stop only");
	return -1;
}

int cmd_cluster(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(
			"cluster",
			"missing a subcommand (up, status, list, exec, pause, resume, stop, start, down)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help();
		return GD_EXIT_OK;
	}
	const struct sub *sub = NULL;
	for (size_t i = 0; i < GD_ARRAY_SIZE(subs) && !sub; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			sub = &subs[i];
	if (!sub)
		return cli_usage_error(
			"cluster",
			"unknown subcommand \"%s\" (up, status, list, exec, pause, resume, stop, start, down)",
			argv[1]);
	struct args a = {.sub = sub->name};
	int code = parse_args(argc - 1, argv + 1, sub, &a);
	return code >= 0 ? code : sub->run(&a);
}
