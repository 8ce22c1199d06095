#include "cli/cli.h"

#include "base/cleanup.h"
#include "base/diag.h"
#include "base/prng.h"
#include "base/strbuf.h"
#include "faults/faults.h"
#include "faults/schedule.h"
#include "plan/plan.h"
#include "plan/print.h"
#include "run/runner.h"
#include "scenario/load.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void help(void)
{
	printf("usage: gameday run [--seed N] [--scale K|max] [--unfaithful] [--out DIR]\n"
	       "                   [--dry-run] [--quiet] FILE\n\n"
	       "Brings up the scenario's staging cluster and its job system, submits\n"
	       "the workload on schedule (scenario time compressed by time_scale),\n"
	       "plays the fault steps on schedule, each proved from inside its nodes,\n"
	       "heals them, tracks every job through the job system, checks each\n"
	       "output against the expected one, scores the run (verdict, reasons,\n"
	       "measures, a 0-100 resilience score), tears everything down, and\n"
	       "writes the run directory: result.json, junit.xml, summary.md,\n"
	       "scorecard.html, events.jsonl, and each node's service and\n"
	       "job-system logs.  Needs root.\n\n"
	       "netem steps are refused (exit 3) on a kernel without the netem\n"
	       "qdisc.  A stop condition (stop_when) that fires heals every fault\n"
	       "and ends the run (exit 4).\n\n"
	       "A scale the scenario cannot be played at faithfully is refused\n"
	       "(exit 2): the job system's own timeouts shrink with the scale only\n"
	       "down to a floor, and past it Slurm would act otherwise than in\n"
	       "production (a worker down 10 minutes not declared DOWN, say); the\n"
	       "refusal names each such fault and the largest faithful scale.\n\n"
	       "  -s, --seed N   seed every random choice with N\n"
	       "      --scale K  play scenario time K times faster than real time\n"
	       "                 (1 to 10000), instead of the scenario's\n"
	       "                 time_scale; Slurm's own timeouts follow; max:\n"
	       "                 the largest scale that stays faithful\n"
	       "      --unfaithful  play a scale beyond that all the same (the\n"
	       "                 result records it)\n"
	       "  -o, --out DIR  the run directory (default gameday-runs/NAME-SEED)\n"
	       "  -n, --dry-run  print the whole schedule, jobs and faults, in the\n"
	       "                 order a run would play it; change nothing\n"
	       "  -q, --quiet    no progress (a line redrawn in place on a\n"
	       "                 terminal, a plain line every 10 s otherwise)\n"
	       "  -h, --help     show this help\n\n"
	       "Options may come before or after FILE; \"--\" ends them.\n\n"
	       "exit: 0 every job correct within its deadline and every fault\n"
	       "applied, 1 not, 2 invalid scenario or usage, 3 environment problem\n"
	       "(the run fell behind compressed time too: verdict invalid), 4\n"
	       "stopped by a stop condition, 130 interrupted\n");
}

/* The live progress: one line redrawn in place on a terminal (at most
 * five times a second), a plain line every ten seconds otherwise. */
struct view {
	bool tty, drawn;
	int64_t last_ms;
};

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void show(const gd_run_progress *p, void *ctx)
{
	struct view *v = ctx;
	int64_t t = real_ms();
	if (v->drawn && t - v->last_ms < (v->tty ? 200 : 10000))
		return;
	v->last_ms = t;
	char now[GD_DURATION_BUFSZ], dur[GD_DURATION_BUFSZ],
		at[GD_DURATION_BUFSZ];
	gd_duration_format(p->now / 1000 * 1000, now, sizeof(now));
	gd_duration_format(p->duration, dur, sizeof(dur));
	_cleanup_strbuf_ gd_strbuf line = GD_STRBUF_INIT;
	gd_strbuf_addf(
		&line,
		"%s of %s: jobs %zu/%zu done, %zu submitted; %u fault%s in place",
		now, dur, p->done, p->jobs, p->submitted, p->active_faults,
		p->active_faults == 1 ? "" : "s");
	if (p->next) {
		gd_duration_format(p->next_at, at, sizeof(at));
		gd_strbuf_addf(&line, ", next: %s %s at %s", p->next_kind,
			       p->next, at);
	}
	if (v->tty)
		printf("\r\033[K  %.*s", 110, line.buf);
	else
		printf("progress: %s\n", line.buf);
	fflush(stdout);
	v->drawn = true;
}

/* The schedule a run would play, jobs and faults merged in time order
 * (faults first at one instant, as the runner plays them). */
static int dry_run(const gd_plan *p)
{
	_cleanup_free_ gd_action *acts = NULL;
	size_t nacts = 0;
	if (gd_schedule_build(p, &acts, &nacts) < 0) {
		fprintf(stderr, "gameday run: out of memory\n");
		return GD_EXIT_ENV;
	}
	const gd_scenario *s = p->scenario;
	printf("gameday run --dry-run: %s, seed %llu (%s), time scale %g\n",
	       s->name, (unsigned long long)p->seed,
	       gd_seed_source_name(p->seed_source), s->time_scale);
	printf("  %-10s %-10s %-10s %s\n", "SCENARIO", "REAL", "ACTION",
	       "WHAT");
	size_t j = 0, a = 0;
	char st[GD_DURATION_BUFSZ], rt[GD_DURATION_BUFSZ];
	while (j < p->njobs || a < nacts) {
		bool fault = a < nacts &&
			     (j >= p->njobs || acts[a].at <= p->jobs[j].submit);
		gd_ms at = fault ? acts[a].at : p->jobs[j].submit;
		gd_duration_format(at, st, sizeof(st));
		gd_duration_format((gd_ms)((double)at / s->time_scale), rt,
				   sizeof(rt));
		if (fault) {
			_cleanup_free_ char *what =
				gd_plan_entry_text(p, acts[a].entry);
			printf("  %-10s %-10s %-10s %s\n", st, rt,
			       gd_action_kind_name(acts[a].kind),
			       what ? what : "(out of memory)");
			a++;
		} else {
			char dl[GD_DURATION_BUFSZ];
			gd_duration_format(p->jobs[j].deadline, dl, sizeof(dl));
			printf("  %-10s %-10s %-10s job %s (deadline %s)\n", st,
			       rt, "submit", p->jobs[j].id, dl);
			j++;
		}
	}
	printf("nothing was changed (--dry-run)\n");
	return GD_EXIT_OK;
}

/* The command line, once parsed. */
struct run_args {
	uint64_t seed;
	double scale; /* 0: the scenario's */
	int have_seed, dry, quiet, unfaithful;
	const char *out; /* NULL: gameday-runs/NAME-SEED */
	const char *file;
};

/* Options and the one operand into ra: -1 to go on, else the exit code
 * (--help's, or a usage error's). */
static int parse_args(int argc, char **argv, struct run_args *ra)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"scale", required_argument, NULL, 'S'},
		{"out", required_argument, NULL, 'o'},
		{"dry-run", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"unfaithful", no_argument, NULL, 'U'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	cli_args a = CLI_ARGS(argc, argv, 0);
	while ((c = cli_getopt(&a, "s:S:o:nqh", opts)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_seed(optarg, &ra->seed) < 0)
				return cli_usage_error(
					"run", "invalid seed \"%s\"", optarg);
			ra->have_seed = 1;
			break;
		case 'S': {
			int bad = cli_scale_arg("run", optarg, &ra->scale);
			if (bad)
				return bad;
			break;
		}
		case 'o':
			ra->out = optarg;
			break;
		case 'n':
			ra->dry = 1;
			break;
		case 'q':
			ra->quiet = 1;
			break;
		case 'U':
			ra->unfaithful = 1;
			break;
		case 'h':
			help();
			return GD_EXIT_OK;
		default:
			return cli_usage_error("run", "invalid option");
		}
	}
	if (a.n != 1)
		return cli_usage_error("run", "one scenario file, please");
	ra->file = argv[1];
	return -1;
}

/* The run directory: the one asked for or gameday-runs/NAME-SEED (in
 * dir), its parent made so the library need make only the last part. */
static const char *run_dir(const char *out, const gd_scenario *s, uint64_t seed,
			   char *dir, size_t size)
{
	if (!out) {
		snprintf(dir, size, "gameday-runs/%s-%llu", s->name,
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
	return out;
}

/* The run's outcome in a few lines, and the exit code it makes. */
static int say_summary(const gd_run_summary *sum, const char *out)
{
	printf("%zu jobs: %zu correct, %zu on time\n", sum->jobs, sum->correct,
	       sum->on_time);
	if (sum->faults)
		printf("%zu faults: %zu applied with evidence%s\n", sum->faults,
		       sum->faults_applied,
		       sum->faults_applied < sum->faults
			       ? "; the others were NOT applied (events.jsonl says why)"
			       : "");
	if (sum->invalid)
		printf("verdict: INVALID, not scored\n");
	else
		printf("verdict: %s, score %d/100\n",
		       sum->pass ? "PASS" : "FAIL", sum->score);
	for (size_t k = 0; k < sum->nreasons && k < 3; k++)
		printf("  %s\n", sum->reasons[k]);
	if (sum->nreasons > 3)
		printf("  (%zu more in summary.md)\n", sum->nreasons - 3);
	printf("run directory: %s (result.json, junit.xml, summary.md, scorecard.html)\n",
	       out);
	if (*sum->resumed)
		printf("resumed in the job system: %s (down or drained at the end, though up again)\n",
		       sum->resumed);
	if (*sum->teardown)
		fprintf(stderr,
			"gameday run: teardown: %s (the verdict above stands; 'gameday cleanup' removes what is left)\n",
			sum->teardown);
	if (sum->interrupted) {
		printf("interrupted: what was observed is in the run directory\n");
		return 130;
	}
	if (*sum->stopped_by) {
		printf("stopped: %s\n", sum->stopped_by);
		return GD_EXIT_STOPPED;
	}
	/* This machine could not keep up with the scale: the environment's
	 * problem, not the scenario's. */
	if (sum->invalid)
		return GD_EXIT_ENV;
	return sum->pass ? GD_EXIT_OK : GD_EXIT_FAILED;
}

int cmd_run(int argc, char **argv)
{
	struct run_args ra = {0};
	int parsed = parse_args(argc, argv, &ra);
	if (parsed >= 0)
		return parsed;

	gd_scenario *s = NULL;
	gd_plan *p = cli_load_plan("run", ra.file, ra.have_seed, ra.seed,
				   ra.scale, &s);
	if (!p)
		return GD_EXIT_INVALID;
	_cleanup_scenario_ gd_scenario *owner = s;
	uint64_t seed = p->seed;
	enum gd_seed_source source = p->seed_source;
	int refused = cli_check_fidelity("run", p, ra.unfaithful);
	if (refused)
		return refused;
	if (ra.dry)
		return dry_run(p);
	_cleanup_error_ gd_error *err = NULL;
	if (gd_faults_preflight(p, &err) < 0)
		return cli_fail("run", err);

	char dir[4096];
	const char *out = run_dir(ra.out, s, seed, dir, sizeof(dir));
	printf("gameday run: %s, seed %llu (%s), time scale %g\n", s->name,
	       (unsigned long long)seed, gd_seed_source_name(source),
	       s->time_scale);
	fflush(stdout);

	struct view view = {isatty(STDOUT_FILENO), false, 0};
	gd_run_opts o = {out, cli_libexec(), ra.quiet ? NULL : show, &view};
	gd_run_summary sum;
	int rr = gd_run_scenario(p, &o, &sum, &err);
	if (view.tty && view.drawn)
		printf("\n");
	if (rr == -EINTR) {
		/* cut short before the run began (a node provisioning) */
		fprintf(stderr, "gameday run: %s; nothing was left\n",
			err->msg);
		return 130;
	}
	if (rr < 0)
		return cli_fail("run", err);
	return say_summary(&sum, out);
}
