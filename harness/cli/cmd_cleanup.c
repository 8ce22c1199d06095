#include "cli/cli.h"

#include "cluster/cluster.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

int cmd_cleanup(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: gameday cleanup\n\n"
		       "Removes everything earlier gameday runs left on this host, a run\n"
		       "killed with SIGKILL included, and nothing else: it works from each\n"
		       "run's ledger and from gameday's name prefix.  A cluster that is up\n"
		       "is taken down too; a run still in progress is left alone.\n"
		       "Idempotent; prints what it removed.\n\n"
		       "exit: 0 done (nothing to remove included), 2 bad usage,\n"
		       "3 missing privilege or another environment problem\n");
		return GD_EXIT_OK;
	}
	/* "--" ends the options, of which cleanup has only --help. */
	bool dashdash = argc > 1 && strcmp(argv[1], "--") == 0;
	if (argc > 1 + dashdash)
		return cli_usage_error("cleanup", "takes no arguments");
	_cleanup_error_ gd_error *err = NULL;
	int r = gd_cleanup(say, &err);
	if (r < 0)
		return cli_fail("cleanup", err);
	if (!removed)
		printf("nothing to clean up\n");
	return GD_EXIT_OK;
}
