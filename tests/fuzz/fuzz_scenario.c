/* libFuzzer target: any bytes through the whole validate path (syntax,
 * shape, meaning, plan) and both plan writers.  Cluster files are refused
 * so the input cannot make the parser open files. */
#include "base/diag.h"
#include "plan/plan.h"
#include "plan/print.h"
#include "scenario/load.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gd_diags d = {0};
	gd_load_opts opts = {.no_cluster_files = true};
	gd_scenario *s = gd_scenario_parse((const char *)data, size,
					   "fuzz.json", &opts, &d);
	if (s) {
		gd_plan *p = gd_plan_build(s, 1234, GD_SEED_COMMAND_LINE, &d);
		if (p) {
			FILE *null = fopen("/dev/null", "w");
			if (null) {
				gd_plan_print_text(p, null);
				fclose(null);
			}
			json_t *j = gd_plan_to_json(p);
			free(json_dumps(j, JSON_SORT_KEYS));
			json_decref(j);
		}
		gd_scenario_free(s);
	}
	/* Diagnostics are user output too: format them. */
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		gd_diags_print(&d, null);
		fclose(null);
	}
	gd_diags_clear(&d);
	return 0;
}
