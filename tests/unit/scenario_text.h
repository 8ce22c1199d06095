/* Builds scenarios from text for unit tests: a five-node slurm cluster
 * (ctl, w1..w4) and a one-group workload around the steps given. */
#ifndef GD_TESTS_SCENARIO_TEXT_H
#define GD_TESTS_SCENARIO_TEXT_H

#include "base/diag.h"
#include "plan/plan.h"
#include "scenario/load.h"

#include <stdio.h>
#include <stdlib.h>

#define CLUSTER_5                                                              \
	"{\"system\": \"slurm\", \"nodes\": [{\"name\": \"ctl\", \"role\": "   \
	"\"controller\"}, {\"name\": \"w[1-4]\", \"role\": \"worker\"}], "     \
	"\"groups\": {\"rack-a\": [\"w1\", \"w2\"]}}"

/* Parses text (n bytes, from asprintf: freed here) as a scenario file,
 * cluster files not read; NULL, its diagnostics printed, when it does
 * not parse. */
static inline gd_scenario *scenario_parse_text(char *text, int n)
{
	if (n < 0)
		abort();
	gd_diags d = {0};
	gd_load_opts opts = {.no_cluster_files = true};
	gd_scenario *s =
		gd_scenario_parse(text, (size_t)n, "test.json", &opts, &d);
	if (!s)
		gd_diags_print(&d, stderr);
	gd_diags_clear(&d);
	free(text);
	return s;
}

/* Parses a scenario with the given duration, workload and steps; fails the
 * test (printing the diagnostics) when it does not parse. */
static inline gd_scenario *
scenario_from(const char *duration, const char *workload, const char *steps)
{
	char *text = NULL;
	int n = asprintf(
		&text,
		"{\"gameday\": 1, \"duration\": \"%s\", \"cluster\": %s, "
		"\"workload\": %s, \"steps\": %s}",
		duration, CLUSTER_5,
		workload ? workload
			 : "{\"jobs\": 1, \"deadline\": \"24h\", "
			   "\"expected\": \"20m..40m\"}",
		steps);
	return scenario_parse_text(text, n);
}

#endif
