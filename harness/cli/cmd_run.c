#include "cli/cli.h"

#include "base/diag.h"
#include "base/prng.h"
#include "plan/plan.h"
#include "run/runner.h"
#include "scenario/load.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void help(void)
{
	printf("usage: gameday run [--seed N] [--out DIR] FILE\n\n"
	       "Brings up the scenario's staging cluster and its job system, submits\n"
	       "the workload on schedule (scenario time compressed by time_scale),\n"
	       "tracks every job through the job system, checks each output against\n"
	       "the expected one, tears everything down, and writes the run directory:\n"
	       "result.json (one entry per job), events.jsonl, and each node's service\n"
	       "and job-system logs.  Needs root.\n\n"
	       "Not yet: playing the scenario's fault steps (a scenario with steps is\n"
	       "refused, exit 3), the exec adapter, stop conditions.\n\n"
	       "  -s, --seed N   seed every random choice with N\n"
	       "  -o, --out DIR  the run directory (default gameday-runs/NAME-SEED)\n"
	       "  -h, --help     show this help\n\n"
	       "exit: 0 every job correct within its deadline, 1 not, 2 invalid\n"
	       "scenario or usage, 3 environment problem, 130 interrupted\n");
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	uint64_t seed = 0;
	int have_seed = 0, c;
	const char *out = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_seed(optarg, &seed) < 0)
				return cli_usage_error(
					"run", "invalid seed \"%s\"", optarg);
			have_seed = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			help();
			return GD_EXIT_OK;
		default:
			return cli_usage_error("run", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("run", "one scenario file, please");

	gd_scenario *s = NULL;
	gd_plan *p = cli_load_plan("run", argv[optind], have_seed, seed, &s);
	if (!p)
		return GD_EXIT_INVALID;
	_cleanup_scenario_ gd_scenario *owner = s;
	seed = p->seed;
	enum gd_seed_source source = p->seed_source;
	if (s->nsteps) {
		fprintf(stderr,
			"gameday run: \"%s\" has %zu fault steps, and playing faults is not available yet in gameday %s\n",
			s->file, s->nsteps, GD_VERSION);
		return GD_EXIT_ENV;
	}

	char dir[4096];
	if (!out) {
		snprintf(dir, sizeof(dir), "gameday-runs/%s-%llu", s->name,
			 (unsigned long long)seed);
		out = dir;
	}
	if (strchr(out, '/')) {
		char parent[4096];
		snprintf(parent, sizeof(parent), "%s", out);
		*strrchr(parent, '/') = '\0';
		if (*parent)
			mkdir(parent, 0755);
	}
	printf("gameday run: %s, seed %llu (%s), time scale %g\n", s->name,
	       (unsigned long long)seed, gd_seed_source_name(source),
	       s->time_scale);
	fflush(stdout);

	gd_run_opts o = {out, cli_libexec()};
	gd_run_summary sum;
	gd_error *err = NULL;
	if (gd_run_scenario(p, &o, &sum, &err) < 0) {
		int code = cli_fail("run", err);
		gd_error_free(err);
		return code;
	}
	printf("%zu jobs: %zu correct, %zu on time\nrun directory: %s\n",
	       sum.jobs, sum.correct, sum.on_time, out);
	if (sum.interrupted) {
		printf("interrupted: what was observed is in the run directory\n");
		return 130;
	}
	return sum.correct == sum.jobs && sum.on_time == sum.jobs
		       ? GD_EXIT_OK
		       : GD_EXIT_FAILED;
}
