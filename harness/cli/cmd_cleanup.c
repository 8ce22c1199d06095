#include "cli/cli.h"

#include "base/diag.h"
#include "cluster/cluster.h"
#include "scenario/load.h"

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int removed;

static void say(const char *what, const char *name)
{
	if (!what) {
		printf("left alone (a gameday still holds it): %s\n", name);
		return;
	}
	printf("removed %s %s\n", what, name);
	removed++;
}

static void host_say(const char *what, const char *name)
{
	printf("%s %s\n", what, name);
	removed += !strcmp(what, "on host");
}

/* The real hosts of FILE's cluster, through their runs' agents. */
static int hosts(const char *file)
{
	gd_diags diags = {0};
	gd_scenario *s = gd_cluster_file_load(file, &diags);
	gd_diags_print(&diags, stderr);
	gd_diags_clear(&diags);
	if (!s)
		return GD_EXIT_INVALID;
	if (!s->cluster.backend || strcmp(s->cluster.backend, GD_BACKEND_SSH)) {
		gd_scenario_free(s);
		return cli_usage_error(
			"cleanup",
			"%s: not a cluster of real hosts (\"backend\": "
			"\"ssh\"); this host's runs need no file",
			file);
	}
	_cleanup_error_ gd_error *err = NULL;
	char agent[PATH_MAX];
	snprintf(agent, sizeof(agent), "%s/gd-agent", cli_libexec());
	int r = gd_ssh_hosts_cleanup(&s->cluster,
				     access(agent, R_OK) == 0 ? agent : NULL,
				     host_say, &err);
	gd_scenario_free(s);
	if (r < 0)
		return cli_fail("cleanup", err);
	if (!removed)
		printf("nothing to clean up\n");
	return GD_EXIT_OK;
}

int cmd_cleanup(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: gameday cleanup [FILE]\n\n"
		       "Removes everything earlier gameday runs left on this host, a run\n"
		       "killed with SIGKILL included, and nothing else: it works from each\n"
		       "run's ledger and from gameday's name prefix.  A cluster that is up\n"
		       "is taken down too; a run still in progress is left alone.\n"
		       "Idempotent; prints what it removed.\n\n"
		       "With FILE, a cluster file of real hosts (\"backend\": \"ssh\") or a\n"
		       "scenario naming one: on each host, every earlier run's agent\n"
		       "reverts that run's changes and removes itself, but a run heard\n"
		       "from within the cluster's heartbeat_timeout is left alone (a\n"
		       "gameday may be playing it); a host that does not answer is\n"
		       "powered on first through its \"power\" commands.\n"
		       "From any machine with the inventory and SSH access.\n\n"
		       "exit: 0 done (nothing to remove included), 2 bad usage or FILE,\n"
		       "3 missing privilege, a host not reached or a change not\n"
		       "reverted, or another environment problem\n");
		return GD_EXIT_OK;
	}
	/* cleanup has no option but --help (handled above); "--" ends them
	 * and FILE may stand before or after it, as in the other commands */
	static const struct option opts[] = {{0}};
	cli_args a = CLI_ARGS(argc, argv, 0);
	if (cli_getopt(&a, "", opts) != -1)
		return cli_usage_error("cleanup", "invalid option");
	if (a.n > 1)
		return cli_usage_error("cleanup", "takes one file at most");
	if (a.n == 1)
		return hosts(argv[1]);
	_cleanup_error_ gd_error *err = NULL;
	int r = gd_cleanup(say, &err);
	if (r < 0)
		return cli_fail("cleanup", err);
	if (!removed)
		printf("nothing to clean up\n");
	return GD_EXIT_OK;
}
