/* gameday report RUN_DIR...: a run scored again from its event log. */
#include "cli/cli.h"

#include "base/fileio.h"
#include "score/report.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

int cmd_report(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: gameday report RUN_DIR...\n\n"
		       "Scores each run from its event log (RUN_DIR/events.jsonl) alone and\n"
		       "writes RUN_DIR/result.json, junit.xml, summary.md and\n"
		       "scorecard.html; prints each run's summary.  The same log always\n"
		       "gives the same bytes.  A log cut short by a crash is scored as far\n"
		       "as it goes and marked incomplete; a corrupt line is an error\n"
		       "naming FILE:LINE.\n\n"
		       "exit: 0 every run passed, 1 some failed, 2 a log that cannot be\n"
		       "scored\n");
		return GD_EXIT_OK;
	}
	if (argc < 2)
		return cli_usage_error("report", "which run directory?");
	int code = GD_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		char events[PATH_MAX];
		gd_pathf(events, sizeof(events), "%s/events.jsonl", argv[i]);
		json_t *result = NULL;
		gd_error *err = NULL;
		if (gd_report_write(events, argv[i], &result, &err) < 0) {
			cli_fail("report", err);
			gd_error_free(err);
			code = GD_EXIT_INVALID;
			continue;
		}
		if (i > 1)
			putchar('\n');
		gd_report_summary(result, stdout);
		if (strcmp(json_string_value(json_object_get(result, "verdict")),
			   "pass") != 0 &&
		    code == GD_EXIT_OK)
			code = GD_EXIT_FAILED;
		json_decref(result);
	}
	return code;
}
