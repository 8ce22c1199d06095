#include "cli/cli.h"

#include "base/cleanup.h"
#include "base/diag.h"
#include "base/prng.h"
#include "cluster/cluster.h"
#include "plan/plan.h"
#include "plan/print.h"
#include "scenario/load.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
	printf("usage: gameday plan [--seed N] [--scale K|max] [--json] FILE\n\n"
	       "Resolves a scenario, random picks included, into the exact timeline a\n"
	       "run would play: every fault with its start, its targets and when it\n"
	       "heals, and every job with its submission time and deadline.  Touches\n"
	       "nothing.  Same file and seed, same bytes.\n\n"
	       "The seed comes from --seed, else the scenario's \"seed\", else a fresh\n"
	       "random one; it is always printed, so any plan can be replayed.\n\n"
	       "It also says up to which time scale the scenario stays faithful:\n"
	       "where the job system's timeouts, which shrink with the scale only\n"
	       "down to a floor, still compare with each fault as in production.\n\n"
	       "A cluster of real hosts (\"backend\": \"ssh\") is asked over SSH\n"
	       "whether each host is ready for the scenario (reachable, root or\n"
	       "sudo, the job system's units, its clock, no earlier run's leftovers,\n"
	       "the tools its faults need); the table follows the plan (on stderr\n"
	       "with --json).  That changes nothing on the hosts.\n\n"
	       "  -s, --seed N  seed every random choice with N (0 to 2^63-1)\n"
	       "      --scale K play scenario time K times faster than real time\n"
	       "                (1 to 10000), instead of the scenario's time_scale;\n"
	       "                max: the largest faithful one\n"
	       "  -j, --json    print the plan as JSON (sorted keys)\n"
	       "      --offline do not ask the hosts (no preflight)\n"
	       "  -h, --help    show this help\n\n"
	       "Options may come before or after FILE; \"--\" ends them.\n\n"
	       "exit: 0 planned, 2 invalid scenario or usage, 3 a host failed its\n"
	       "preflight (the plan is printed all the same)\n");
}

/* The hosts' preflight table after the plan (stderr beside JSON). */
static int check_hosts(const gd_cluster *c, int json)
{
	_cleanup_strbuf_ gd_strbuf table = GD_STRBUF_INIT;
	_cleanup_error_ gd_error *err = NULL;
	int r = gd_cluster_check_hosts(c, &table, &err);
	if (r == 1)
		return GD_EXIT_OK;
	FILE *out = json ? stderr : stdout;
	fprintf(out, "\n%s", table.buf ? table.buf : "");
	fflush(out);
	if (r < 0) {
		fprintf(stderr, "gameday plan: %s\n", err->msg);
		return GD_EXIT_ENV;
	}
	return GD_EXIT_OK;
}

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"scale", required_argument, NULL, 'S'},
		{"json", no_argument, NULL, 'j'},
		{"offline", no_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int json = 0, offline = 0, c;
	int have_seed = 0;
	uint64_t seed = 0;
	double scale = 0; /* 0: the scenario's */
	cli_args a = CLI_ARGS(argc, argv, 0);
	while ((c = cli_getopt(&a, "s:S:jh", opts)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_seed(optarg, &seed) < 0)
				return cli_usage_error(
					"plan",
					"invalid seed \"%s\" (a whole number from 0 to 9223372036854775807)",
					optarg);
			have_seed = 1;
			break;
		case 'S': {
			int bad = cli_scale_arg("plan", optarg, &scale);
			if (bad)
				return bad;
			break;
		}
		case 'j':
			json = 1;
			break;
		case 'O':
			offline = 1;
			break;
		case 'h':
			help();
			return GD_EXIT_OK;
		default:
			return cli_usage_error("plan", "invalid option");
		}
	}
	if (a.n == 0)
		return cli_usage_error("plan", "no scenario file given");
	if (a.n > 1)
		return cli_usage_error(
			"plan", "one scenario file at a time (got %d)", a.n);

	gd_scenario *s = NULL;
	gd_plan *p = cli_load_plan("plan", argv[1], have_seed, seed, scale, &s);
	if (!p)
		return GD_EXIT_INVALID;
	_cleanup_scenario_ gd_scenario *owner = s;

	if (json) {
		json_t *doc = gd_plan_to_json(p);
		char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));
		json_decref(doc);
		if (!text) {
			fprintf(stderr, "gameday plan: out of memory\n");
			return GD_EXIT_ENV;
		}
		puts(text);
		free(text);
	} else {
		gd_plan_print_text(p, stdout);
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gameday plan: cannot write the plan: %s\n",
			strerror(errno));
		return GD_EXIT_ENV;
	}
	return offline ? GD_EXIT_OK : check_hosts(&s->cluster, json);
}
