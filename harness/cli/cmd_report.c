/* gameday report RUN_DIR... [--trend [--out DIR]]: runs scored again from
 * their event logs, and the trend over them. */
#include "cli/cli.h"

#include "base/fileio.h"
#include "score/report.h"
#include "score/trend.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void help(void)
{
	printf("usage: gameday report RUN_DIR... [--trend [--out DIR]]\n\n"
	       "Scores each run from its event log (RUN_DIR/events.jsonl) alone and\n"
	       "writes RUN_DIR/result.json, junit.xml, summary.md and\n"
	       "scorecard.html; prints each run's summary.  The same log always\n"
	       "gives the same bytes.  A log cut short by a crash is scored as far\n"
	       "as it goes and marked incomplete; a corrupt line is an error\n"
	       "naming FILE:LINE.\n\n"
	       "  -t, --trend    also write trend.json and trend.html: per scenario,\n"
	       "                 the runs' scores over time and pass/fail history\n"
	       "  -o, --out DIR  where the trend goes (default: the current directory)\n"
	       "  -h, --help     show this help\n\n"
	       "Options may come before or after the run directories;\n"
	       "\"--\" ends them.\n\n"
	       "exit: 0 every run passed, 1 some failed, 3 some fell behind\n"
	       "compressed time (invalid, not scored), 2 a log that cannot be\n"
	       "scored\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"trend", no_argument, NULL, 't'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool trend = false;
	const char *out = ".";
	int c;
	cli_args a = CLI_ARGS(argc, argv, 0);
	while ((c = cli_getopt(&a, "to:h", opts)) != -1) {
		switch (c) {
		case 't':
			trend = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			help();
			return GD_EXIT_OK;
		default:
			return cli_usage_error("report", "invalid option");
		}
	}
	if (a.n == 0)
		return cli_usage_error("report", "which run directory?");
	int code = GD_EXIT_OK;
	json_t *results = json_array();
	for (int i = 1; i <= a.n; i++) {
		char events[PATH_MAX];
		gd_pathf(events, sizeof(events), "%s/events.jsonl", argv[i]);
		json_t *result = NULL;
		_cleanup_error_ gd_error *err = NULL;
		if (gd_report_write(events, argv[i], &result, &err) < 0) {
			cli_fail("report", err);
			code = GD_EXIT_INVALID;
			continue;
		}
		if (i > 1)
			putchar('\n');
		gd_report_summary(result, stdout);
		const char *verdict =
			json_string_value(json_object_get(result, "verdict"));
		if (strcmp(verdict, "invalid") == 0)
			code = GD_EXIT_ENV;
		else if (strcmp(verdict, "pass") != 0 && code == GD_EXIT_OK)
			code = GD_EXIT_FAILED;
		json_array_append_new(results, result);
	}
	if (trend && json_array_size(results)) {
		json_t *t = gd_trend(results);
		_cleanup_error_ gd_error *err = NULL;
		if (!t ||
		    gd_report_file(out, "trend.json", gd_report_json, t, &err) <
			    0 ||
		    gd_report_file(out, "trend.html", gd_report_trend_html, t,
				   &err) < 0) {
			code = err ? cli_fail("report", err) : GD_EXIT_ENV;
		} else {
			printf("\ntrend of %zu runs: %s/trend.json, %s/trend.html\n",
			       json_array_size(results), out, out);
		}
		json_decref(t);
	}
	json_decref(results);
	return code;
}
