/* make bench: how long 'gameday validate' takes on a generated scenario of
 * 10,000 steps (target: well under a second), end to end through the
 * program and in-process through the library.  Prints figures; asserts
 * nothing about time. */
#include "base/diag.h"
#include "plan/plan.h"
#include "scenario/load.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define STEPS 10000
#define NODES 32
#define RUNS  7

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Steps of every kind, on rotating nodes a minute apart, a fifth of them
 * chained with "after", a tenth picking at random: shaped like a long
 * random-monkey scenario, and valid. */
static void generate(FILE *f)
{
	fprintf(f,
		"{\"gameday\": 1, \"seed\": 1, \"duration\": \"%dh\",\n"
		" \"cluster\": {\"system\": \"slurm\", \"nodes\": ["
		"{\"name\": \"ctl\", \"role\": \"controller\"}, "
		"{\"name\": \"w[1-%d]\", \"role\": \"worker\"}]},\n"
		" \"workload\": {\"jobs\": 500, \"submit\": {\"every\": \"1m\"}, "
		"\"deadline\": \"24h\", \"expected\": \"20m..40m\"},\n"
		" \"steps\": [\n",
		STEPS / 60 + 4, NODES - 1);
	static const char *const kinds[] = {"pause", "reboot",	  "clock",
					    "skew",  "partition", "kill"};
	for (int i = 0; i < STEPS; i++) {
		int node = 1 + i % (NODES - 1);
		const char *kind = kinds[i % 6];
		fprintf(f, "  {\"id\": \"s%d\", \"kind\": \"%s\", ", i, kind);
		if (i % 5 == 4)
			fprintf(f, "\"after\": \"s%d\", \"delay\": \"1m\", ",
				i - 1);
		else
			fprintf(f, "\"at\": \"%dm\", ", i);
		if (i % 10 == 3)
			fprintf(f,
				"\"targets\": {\"pick\": 1, \"from\": \"worker\"}, ");
		else
			fprintf(f, "\"targets\": \"w%d\", ", node);
		if (strcmp(kind, "clock") == 0)
			fprintf(f, "\"offset\": \"+5m\", ");
		if (strcmp(kind, "skew") == 0)
			fprintf(f, "\"uid\": %d, ", 2000 + i);
		fprintf(f, "\"for\": \"30s\"}%s\n", i + 1 < STEPS ? "," : "");
	}
	fprintf(f, " ]}\n");
}

static double run_validate(const char *gameday, const char *file)
{
	pid_t pid;
	char *argv[] = {(char *)gameday, "validate", "-q", (char *)file, NULL};
	double t0 = now_ms();
	int r = posix_spawn(&pid, gameday, NULL, NULL, argv, environ);
	if (r != 0) {
		fprintf(stderr, "bench: cannot run \"%s\": %s\n", gameday,
			strerror(r));
		exit(3);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	double t = now_ms() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr,
			"bench: the generated scenario did not validate\n");
		exit(1);
	}
	return t;
}

static void report(const char *what, double *t)
{
	qsort(t, RUNS, sizeof(*t), cmp_double);
	printf("  %-34s min %7.1f ms  median %7.1f ms  max %7.1f ms\n", what,
	       t[0], t[RUNS / 2], t[RUNS - 1]);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_validate GAMEDAY\n");
		return 2;
	}
	char path[] = "/tmp/gameday-bench-XXXXXX.json";
	int fd = mkstemps(path, 5);
	if (fd < 0) {
		fprintf(stderr, "bench: cannot create a temporary file: %s\n",
			strerror(errno));
		return 3;
	}
	FILE *f = fdopen(fd, "w");
	generate(f);
	long size = ftell(f);
	fclose(f);

	double prog[RUNS], lib[RUNS];
	for (int i = 0; i < RUNS; i++)
		prog[i] = run_validate(argv[1], path);
	for (int i = 0; i < RUNS; i++) {
		gd_diags d = {0};
		double t0 = now_ms();
		gd_scenario *s = gd_scenario_load(path, NULL, &d);
		gd_plan *p =
			s ? gd_plan_build(s, 1, GD_SEED_SCENARIO, &d) : NULL;
		lib[i] = now_ms() - t0;
		if (!p) {
			gd_diags_print(&d, stderr);
			return 1;
		}
		gd_scenario_free(s);
		gd_diags_clear(&d);
	}
	unlink(path);

	printf("bench validate: %d steps, %d nodes, %ld bytes, %d runs each\n",
	       STEPS, NODES, size, RUNS);
	report("gameday validate (process)", prog);
	report("load + plan (in process)", lib);
	return 0;
}
