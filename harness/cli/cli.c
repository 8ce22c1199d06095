/* Helpers every subcommand shares. */
#include "cli/cli.h"

#include "base/diag.h"
#include "base/prng.h"
#include "plan/fidelity.h"
#include "scenario/load.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GD_LIBEXEC
#define GD_LIBEXEC "/usr/local/libexec/gameday"
#endif

const char *cli_libexec(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("GAMEDAY_LIBEXEC");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 16);
	if (n > 0) {
		dir[n] = '\0';
		char *slash = strrchr(dir, '/');
		if (slash) {
			strcpy(slash, "/gd-init");
			if (access(dir, X_OK) == 0) {
				*slash = '\0';
				return dir;
			}
		}
	}
	return GD_LIBEXEC;
}

int cli_fail(const char *cmd, const gd_error *err)
{
	fprintf(stderr, "gameday %s: %s\n", cmd, err ? err->msg : "failed");
	switch (err ? err->code : 0) {
	case EPERM:
	case EACCES:
	case ENODEV:
	case ENOSYS:
	case EOPNOTSUPP:
	case ENOMEM:
		return GD_EXIT_ENV;
	case ENOENT:
	case EINVAL:
	case ESRCH:
	case EEXIST:
		return GD_EXIT_INVALID;
	default:
		return GD_EXIT_ENV;
	}
}

int cli_parse_scale(const char *s, double *out)
{
	if (strcmp(s, "max") == 0) {
		*out = -1;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || errno || *end || !(v >= 1 && v <= GD_SCALE_MAX))
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_scale_arg(const char *cmd, const char *arg, double *out)
{
	if (cli_parse_scale(arg, out) < 0)
		return cli_usage_error(
			cmd, "invalid scale \"%s\" (" CLI_SCALE_HELP ")", arg);
	return 0;
}

int cli_parse_seed(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > (unsigned long long)INT64_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

gd_plan *cli_load_plan(const char *cmd, const char *file, int have_seed,
		       uint64_t seed, double scale, gd_scenario **scenario)
{
	gd_diags diags = {0};
	gd_scenario *s = gd_scenario_load(file, NULL, &diags);
	/* --scale: the same scenario played faster or slower; the job
	 * system's own clocks follow (cluster.time_scale). */
	if (s && scale > 0)
		s->time_scale = s->cluster.time_scale = scale;
	enum gd_seed_source source = GD_SEED_COMMAND_LINE;
	if (s && !have_seed) {
		source = s->has_seed ? GD_SEED_SCENARIO : GD_SEED_RANDOM;
		seed = s->has_seed ? s->seed : gd_prng_fresh_seed();
	}
	gd_plan *p = s ? gd_plan_build(s, seed, source, &diags) : NULL;
	gd_diags_print(&diags, stderr);
	gd_diags_clear(&diags);
	if (!p) {
		/* Planning problems can depend on the seed: name it. */
		if (s)
			fprintf(stderr, "gameday %s: with seed %llu\n", cmd,
				(unsigned long long)seed);
		gd_scenario_free(s);
		return NULL;
	}
	/* The plan is in scenario time: the scale can be chosen after it. */
	if (scale < 0)
		s->time_scale = s->cluster.time_scale =
			gd_fidelity_max_scale(p);
	*scenario = s;
	return p;
}

int cli_check_fidelity(const char *cmd, const gd_plan *p, int unfaithful)
{
	double scale = p->scenario->time_scale;
	if (gd_fidelity_check(p, scale, NULL, 0) == 0)
		return 0;
	double max = gd_fidelity_max_scale(p);
	fprintf(stderr,
		"gameday %s: %s: time scale %g is more than this scenario can be played at faithfully (at most %g: --scale %g, or --scale max); at %g:\n",
		cmd, p->scenario->file, scale, max, max, scale);
	gd_fidelity_print(p, stderr);
	if (!unfaithful)
		return GD_EXIT_INVALID;
	fprintf(stderr,
		"gameday %s: playing it all the same (--unfaithful): the job system may act otherwise than in production\n",
		cmd);
	return 0;
}

/* Everything from argv[i] on is an operand. */
static int cli_rest(cli_args *a, int i)
{
	while (i < a->argc)
		a->argv[++a->n] = a->argv[i++];
	a->argv[a->n + 1] = NULL; /* n + 1 <= argc: within argv */
	a->done = true;
	return -1;
}

int cli_getopt(cli_args *a, const char *shortopts,
	       const struct option *longopts)
{
	/* "-": operands come back in order, as option 1.  glibc's own
	 * permutation would also take options anywhere, but not under
	 * POSIXLY_CORRECT, and it could not stop at exec's command. */
	char in_order[64];
	snprintf(in_order, sizeof(in_order), "-%s", shortopts);
	if (!a->begun) {
		optind = 0; /* glibc starts afresh, reading the "-" */
		a->begun = true;
	}
	while (!a->done) {
		/* Seen here, not by getopt, to know where it stood; getopt
		 * stays on a cluster like -qh until its last letter, so
		 * this is never the middle of one. */
		int at = optind ? optind : 1;
		if (at < a->argc && strcmp(a->argv[at], "--") == 0) {
			a->dashdash = a->n;
			return cli_rest(a, at + 1);
		}
		int c = getopt_long(a->argc, a->argv, in_order, longopts, NULL);
		if (c == -1)
			return cli_rest(a, optind);
		if (c != 1)
			return c;
		/* Every earlier slot has been read: the operands can be
		 * gathered in place, as getopt's permutation does. */
		a->argv[++a->n] = optarg;
		if (a->n == a->stop_at)
			return cli_rest(a, optind);
	}
	return -1;
}
