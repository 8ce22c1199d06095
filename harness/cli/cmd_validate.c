#include "cli/cli.h"

#include "base/diag.h"
#include "jobsys/jobsys.h"
#include "plan/fidelity.h"
#include "plan/plan.h"
#include "scenario/load.h"

#include <stdbool.h>
#include <stdio.h>

static void help(void)
{
	printf("usage: gameday validate [-q] FILE...\n\n"
	       "Checks each scenario file for syntax, shape and meaning, down to the\n"
	       "timeline it would play (with its own seed, or seed 0 when it has none)\n"
	       "and whether its time_scale can be played faithfully, without touching\n"
	       "the host.  Prints one line per problem, as\n"
	       "FILE:LINE:COL: or FILE: $.json.path:, and \"FILE: ok\" for good files.\n\n"
	       "  -q, --quiet   print nothing for valid files\n"
	       "  -h, --help    show this help\n\n"
	       "Options may come before or after the files; \"--\" ends them.\n\n"
	       "exit: 0 all valid, 2 any problem\n");
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int quiet = 0, c;
	cli_args a = CLI_ARGS(argc, argv, 0);
	while ((c = cli_getopt(&a, "qh", opts)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			help();
			return GD_EXIT_OK;
		default:
			return cli_usage_error("validate", "invalid option");
		}
	}
	if (a.n == 0)
		return cli_usage_error("validate", "no scenario file given");

	int status = GD_EXIT_OK;
	for (int i = 1; i <= a.n; i++) {
		gd_diags diags = {0};
		_cleanup_scenario_ gd_scenario *s =
			gd_cluster_file_load(argv[i], &diags);
		/* A scenario without a seed is planned with seed 0: its
		 * timeline problems do not depend on the seed unless it
		 * picks at random, and then a fixed seed keeps validation
		 * repeatable. */
		bool plannable = s && s->cluster.nnodes && s->duration;
		/* A cluster file alone: its team configuration is checked
		 * here, a scenario's by the planner. */
		if (s && !plannable)
			gd_jobsys_check_config(&s->cluster, &diags);
		gd_plan *p =
			plannable ? gd_plan_build(s, s->has_seed ? s->seed : 0,
						  GD_SEED_SCENARIO, &diags)
				  : NULL;
		if (plannable && !p)
			status = GD_EXIT_INVALID;
		/* Its own time scale must be one 'gameday run' plays. */
		if (p && gd_fidelity_check(p, s->time_scale, NULL, 0))
			gd_diag_path(
				&diags, s->file, "$.time_scale",
				"%g is more than this scenario can be played at faithfully (at most %g; 'gameday plan' says why)",
				s->time_scale, gd_fidelity_max_scale(p));
		if (diags.n) {
			gd_diags_print(&diags, stderr);
			status = GD_EXIT_INVALID;
		} else if (!quiet) {
			printf("%s: ok\n", argv[i]);
		}
		gd_diags_clear(&diags);
	}
	return status;
}
