#include "cli/cli.h"

#include "base/diag.h"
#include "cluster/cluster.h"
#include "cluster/teardown.h"
#include "scenario/load.h"

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
	       "--run ID picks a cluster when several are up.  Needs root.\n\n"
	       "exit: 0 done, 2 bad usage or unknown node, 3 missing privilege or\n"
	       "kernel feature (nothing is left half-built)\n");
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
	if (!s) {
		gd_diags_print(&diags, stderr);
		gd_diags_clear(&diags);
		return NULL;
	}
	gd_diags_clear(&diags);
	*keep = s;
	return &s->cluster;
}

static int up(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("cluster", "up takes one file");
	gd_scenario *s = NULL;
	gd_cluster *c = load_cluster(argv[1], &s);
	if (!c)
		return GD_EXIT_INVALID;
	const char *libexec = cli_libexec();
	gd_error *err = NULL;
	gd_cluster_state *st = NULL;
	int r = gd_cluster_preflight(c, libexec, &err);
	if (r == 0) {
		/* Ctrl-C and SIGTERM wait for a step to finish, then the
		 * half-built cluster is undone: see the check below. */
		sigset_t stop;
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGHUP);
		sigprocmask(SIG_BLOCK, &stop, NULL);
		r = gd_cluster_up(c, libexec, &st, &err);
		sigset_t pending;
		sigpending(&pending);
		if (r == 0 && (sigismember(&pending, SIGINT) ||
			       sigismember(&pending, SIGTERM) ||
			       sigismember(&pending, SIGHUP))) {
			gd_error *e2 = NULL;
			gd_cluster_down(st, 0, &e2);
			gd_error_free(e2);
			gd_cluster_state_free(st);
			gd_scenario_free(s);
			fprintf(stderr,
				"gameday cluster: interrupted; the cluster was taken down\n");
			return 130;
		}
	}
	gd_scenario_free(s);
	if (r < 0) {
		int code = cli_fail("cluster up", err);
		gd_error_free(err);
		return code;
	}
	print_nodes(st);
	gd_cluster_state_free(st);
	return GD_EXIT_OK;
}

int cmd_cluster(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc < 2)
			return cli_usage_error(
				"cluster",
				"missing a subcommand (up, status, list, exec, pause, resume, stop, start, down)");
		help();
		return GD_EXIT_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "list") == 0) {
		if (argc != 2)
			return cli_usage_error("cluster",
					       "list takes no arguments");
		gd_error *err = NULL;
		listed = 0;
		if (gd_cluster_list(list_one, &err) < 0) {
			int code = cli_fail("cluster list", err);
			gd_error_free(err);
			return code;
		}
		if (!listed)
			printf("no staging cluster is up\n");
		return GD_EXIT_OK;
	}
	if (strcmp(sub, "up") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			help();
			return GD_EXIT_OK;
		}
		return up(argc - 1, argv + 1);
	}
	static const char *const node_ops[] = {"pause", "resume", "stop",
					       "start"};
	bool node_op = false;
	for (size_t i = 0; i < 4; i++)
		node_op |= strcmp(sub, node_ops[i]) == 0;
	if (strcmp(sub, "status") && strcmp(sub, "exec") &&
	    strcmp(sub, "down") && !node_op)
		return cli_usage_error(
			"cluster",
			"unknown subcommand \"%s\" (up, status, list, exec, pause, resume, stop, start, down)",
			sub);

	static const struct option opts[] = {
		{"run", required_argument, NULL, 'r'},
		{"release", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *run = NULL;
	bool release = false;
	int c;
	optind = 1;
	/* "+": stop at the first non-option, the node of exec. */
	while ((c = getopt_long(argc - 1, argv + 1, "+r:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'r':
			run = optarg;
			break;
		case 'R':
			release = true;
			break;
		case 'h':
			help();
			return GD_EXIT_OK;
		default:
			return cli_usage_error("cluster", "invalid option");
		}
	}
	int rest = optind + 1; /* index in argv */
	gd_error *err = NULL;
	gd_cluster_state *st = NULL;
	const char *what = strcmp(sub, "exec") == 0   ? "cluster exec"
			   : strcmp(sub, "down") == 0 ? "cluster down"
						      : "cluster status";
	if (strcmp(sub, "exec") == 0) {
		if (rest >= argc)
			return cli_usage_error(
				"cluster", "exec needs NODE -- CMD [ARGS...]");
		const char *node = argv[rest++];
		if (rest < argc && strcmp(argv[rest], "--") == 0)
			rest++;
		if (rest >= argc)
			return cli_usage_error(
				"cluster",
				"exec needs a command after the node");
		int status = 0;
		if (gd_cluster_find(run, &st, &err) < 0 ||
		    gd_cluster_exec(st, node, argv + rest, &status, &err) < 0) {
			int code = cli_fail(what, err);
			gd_error_free(err);
			gd_cluster_state_free(st);
			return code;
		}
		gd_cluster_state_free(st);
		return status;
	}
	if (node_op) {
		if (rest + 1 != argc)
			return cli_usage_error("cluster", "%s takes one node",
					       sub);
		const char *node = argv[rest];
		int r = gd_cluster_find(run, &st, &err);
		if (r == 0 && strcmp(sub, "pause") == 0)
			r = gd_cluster_pause(st, node, true, NULL, &err);
		else if (r == 0 && strcmp(sub, "resume") == 0)
			r = gd_cluster_pause(st, node, false, NULL, &err);
		else if (r == 0 && strcmp(sub, "stop") == 0)
			r = gd_cluster_stop_node(st, node, release, NULL, &err);
		else if (r == 0)
			r = gd_cluster_start_node(st, node, cli_libexec(),
						  false, &err);
		int code = GD_EXIT_OK;
		if (r < 0) {
			char what2[64];
			snprintf(what2, sizeof(what2), "cluster %s", sub);
			code = cli_fail(what2, err);
			gd_error_free(err);
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
	if (rest != argc)
		return cli_usage_error("cluster", "%s takes no arguments", sub);
	if (gd_cluster_find(run, &st, &err) < 0) {
		int code = cli_fail(what, err);
		gd_error_free(err);
		return code;
	}
	int code = GD_EXIT_OK;
	if (strcmp(sub, "status") == 0) {
		print_nodes(st);
	} else if (gd_cluster_down(st, 5000, &err) < 0) {
		code = cli_fail(what, err);
		gd_error_free(err);
	} else {
		printf("cluster %s (run %s) is down\n", st->name, st->id);
	}
	gd_cluster_state_free(st);
	return code;
}
