/* make bench, fidelity: compares runs of one scenario at several time
 * scales with the run at the smallest (the reference), job by job.
 *   bench_fidelity REF/result.json RUN/result.json...
 * Prints, per run: its scale, whether its verdict and each job's outcome
 * (outcome and on time) agree with the reference's, whether each job is
 * within its expected duration in both or in neither, and how far each
 * job's finish moved, in scenario time (median and worst) and as a share
 * of the job's expected duration.  "close": of the jobs whose outcome
 * differs, how many either run flagged a close call (a job that ended
 * closer to a fault than its scale tells apart, score.h). */
#include "base/duration.h"
#include "score/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *load(const char *path)
{
	json_error_t e;
	json_t *r = json_load_file(path, 0, &e);
	if (!r)
		fprintf(stderr, "bench fidelity: %s:%d:%d: %s\n", path, e.line,
			e.column, e.text);
	return r;
}

static const json_t *job(const json_t *result, const char *id)
{
	size_t i;
	const json_t *j;
	json_array_foreach (json_object_get(result, "jobs"), i, j) {
		if (strcmp(gd_result_str(j, "id"), id) == 0)
			return j;
	}
	return NULL;
}

static int cmp_ms(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void row(const json_t *ref, const json_t *run, const char *path)
{
	const json_t *jobs = json_object_get(ref, "jobs");
	size_t n = json_array_size(jobs), agree = 0, within = 0, timed = 0;
	size_t close = 0;
	int64_t *err = calloc(n ? n : 1, sizeof(*err));
	double worst_share = 0;
	size_t i;
	const json_t *a;
	json_array_foreach (jobs, i, a) {
		const char *id = gd_result_str(a, "id");
		const json_t *b = job(run, id);
		if (!b)
			continue;
		if (strcmp(gd_result_str(a, "outcome"),
			   gd_result_str(b, "outcome")) == 0 &&
		    json_equal(json_object_get(a, "on_time"),
			       json_object_get(b, "on_time")))
			agree++;
		else
			close += json_object_get(a, "close_call") ||
				 json_object_get(b, "close_call");
		within += json_equal(json_object_get(a, "within_expected"),
				     json_object_get(b, "within_expected"));
		int64_t fa = gd_result_ms(a, "finished_ms");
		int64_t fb = gd_result_ms(b, "finished_ms");
		if (fa < 0 || fb < 0)
			continue;
		int64_t d = fa > fb ? fa - fb : fb - fa;
		err[timed++] = d;
		const json_t *exp = json_object_get(a, "expected_ms");
		double hi = (double)json_integer_value(json_array_get(exp, 1));
		if (hi > 0 && (double)d / hi > worst_share)
			worst_share = (double)d / hi;
	}
	qsort(err, timed, sizeof(*err), cmp_ms);
	char med[GD_DURATION_BUFSZ] = "-", max[GD_DURATION_BUFSZ] = "-";
	if (timed) {
		gd_duration_format(err[timed / 2] / 1000 * 1000, med,
				   sizeof(med));
		gd_duration_format(err[timed - 1] / 1000 * 1000, max,
				   sizeof(max));
	}
	const json_t *fid = json_object_get(run, "fidelity");
	printf("  %6g  %-7s %-8s %3zu/%-3zu  %2zu/%-2zu  %3zu/%-3zu  %9s  %9s  %5.0f%%  %s\n",
	       json_number_value(json_object_get(run, "time_scale")),
	       gd_result_str(run, "verdict"),
	       strcmp(gd_result_str(run, "verdict"),
		      gd_result_str(ref, "verdict")) == 0
		       ? "same"
		       : "DIFFERS",
	       agree, n, close, n - agree, within, n, med, max,
	       worst_share * 100,
	       json_is_false(json_object_get(fid, "faithful")) ? "unfaithful"
	       : fid					       ? "faithful"
							       : path);
	free(err);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
			"usage: bench_fidelity REF/result.json RUN/result.json...\n");
		return 2;
	}
	json_t *ref = load(argv[1]);
	if (!ref)
		return 1;
	printf("  %6s  %-7s %-8s %7s  %5s  %7s  %9s  %9s  %6s  %s\n", "scale",
	       "verdict", "vs ref", "agree", "close", "in exp", "finish~",
	       "finish^", "of job", "fidelity");
	row(ref, ref, argv[1]);
	for (int i = 2; i < argc; i++) {
		json_t *run = load(argv[i]);
		if (!run)
			return 1;
		row(ref, run, argv[i]);
		json_decref(run);
	}
	json_decref(ref);
	return 0;
}
