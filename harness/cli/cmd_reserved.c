/* Commands the contract reserves for later issues.  They exist now so the
 * command line never changes shape: each says it is not available yet and
 * exits 3 (the environment lacks the feature). */
#include "cli/cli.h"

#include <stdio.h>

static int reserved(const char *name, const char *what, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: gameday %s ...\n\n%s\n\n"
		       "Not available yet in this version of gameday (exit 3).\n",
		       name, what);
		return GD_EXIT_OK;
	}
	fprintf(stderr, "gameday %s: not available yet in gameday %s\n", name,
		GD_VERSION);
	return GD_EXIT_ENV;
}

int cmd_report(int argc, char **argv)
{
	return reserved(
		"report",
		"Scores a run from its event log and writes result.json,\njunit.xml, scorecard.html and summary.md.",
		argc, argv);
}
