/* make bench: scoring throughput.  Writes a generated event log of
 * 1,000,000 events (20,000 jobs through their lives, 200 faults on 64
 * nodes, and the supervisors' and the job system's chatter in between),
 * then scores it as 'gameday report' does, and prints events per second
 * and the memory the process peaked at (goal: the whole log in under a
 * second).  Asserts nothing about time.
 *   bench_score [EVENTS] */
#include "score/report.h"
#include "score/score.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define JOBS   20000
#define NODES  64
#define FAULTS 200

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	long total = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	char path[] = "/tmp/gameday-bench-score-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		perror("bench score");
		return 1;
	}
	const long long t0 = 1795000000000LL; /* scale 60: 1 ms = 60 ms */
	long n = 0;
	fprintf(f,
		"{\"event\":\"run-started\",\"t_ms\":%lld,\"source\":\"gameday\",\"scenario\":\"bench\",\"seed\":1,\"time_scale\":60,\"expect\":{\"within_expected_pct\":90},\"nodes\":[",
		t0);
	for (int i = 0; i < NODES; i++)
		fprintf(f, "%s{\"name\":\"w%d\",\"role\":\"worker\"}",
			i ? "," : "", i);
	fputs("]}\n", f);
	n++;
	for (int j = 0; j < JOBS; j++, n++)
		fprintf(f,
			"{\"event\":\"job-planned\",\"t_ms\":%lld,\"source\":\"gameday\",\"job\":\"jobs-%d\",\"group\":\"jobs\",\"submit_ms\":%d,\"deadline_ms\":%d,\"expected_lo_ms\":1200000,\"expected_hi_ms\":2400000}\n",
			t0, j, j * 60, j * 60 + 86400000);
	/* The rest in time order: each job's life, faults now and then,
	 * chatter filling the gaps. */
	/* per job: submitted, started, finished, outcome; then 2 per fault
	 * and the closing event */
	long remaining = total - n - (long)JOBS * 4 - FAULTS * 2 - 1;
	long per_job = remaining > 0 ? remaining / JOBS : 0;
	long extra = remaining > 0 ? remaining % JOBS : 0;
	long long t = t0;
	for (int j = 0; j < JOBS; j++) {
		int node = j % NODES;
		fprintf(f,
			"{\"event\":\"job-submitted\",\"t_ms\":%lld,\"source\":\"gameday\",\"job\":\"jobs-%d\",\"system_id\":\"%d\",\"t_scenario_ms\":%lld}\n",
			t, j, j + 1, (t - t0) * 60);
		fprintf(f,
			"{\"event\":\"job-started\",\"t_ms\":%lld,\"source\":\"gameday\",\"job\":\"jobs-%d\",\"node\":\"w%d\",\"attempt\":1}\n",
			t + 5, j, node);
		if (j % (JOBS / FAULTS) == 0) {
			fprintf(f,
				"{\"event\":\"fault-applied\",\"t_ms\":%lld,\"source\":\"gameday\",\"fault\":\"f%d\",\"step\":\"f%d\",\"kind\":\"pause\",\"nodes\":[\"w%d\"],\"scheduled_ms\":%lld,\"evidence_ok\":true}\n",
				t + 6, j, j, node, (t + 6 - t0) * 60);
			n++;
			fprintf(f,
				"{\"event\":\"fault-healed\",\"t_ms\":%lld,\"source\":\"gameday\",\"fault\":\"f%d\",\"step\":\"f%d\",\"kind\":\"pause\",\"nodes\":[\"w%d\"],\"scheduled_ms\":%lld,\"evidence_ok\":true}\n",
				t + 8, j, j, node, (t + 8 - t0) * 60);
			n++;
		}
		long chatter = per_job + (j < extra);
		for (long k = 0; k < chatter; k++)
			fprintf(f,
				k % 2 ? "{\"event\":\"system-log\",\"t_ms\":%lld,\"source\":\"gameday\",\"node\":\"w%ld\",\"log\":\"slurm/slurmd.log\",\"line\":\"error: message %ld\"}\n"
				      : "{\"event\":\"restart\",\"t_ms\":%lld,\"source\":\"supervisor\",\"node\":\"w%ld\",\"service\":\"slurmd\",\"delay_ms\":%ld}\n",
				t + 9, (j + k) % NODES, k);
		fprintf(f,
			"{\"event\":\"job-finished\",\"t_ms\":%lld,\"source\":\"gameday\",\"job\":\"jobs-%d\",\"state\":\"COMPLETED\",\"nodes\":\"w%d\"}\n",
			t + 30000, j, node);
		t += 1;
		n += 3 + chatter;
	}
	for (int j = 0; j < JOBS; j++, n++)
		fprintf(f,
			"{\"event\":\"job-outcome\",\"t_ms\":%lld,\"source\":\"gameday\",\"job\":\"jobs-%d\",\"outcome\":\"correct\",\"on_time\":true}\n",
			t + 30001, j);
	fprintf(f,
		"{\"event\":\"run-finished\",\"t_ms\":%lld,\"source\":\"gameday\"}\n",
		t + 30002);
	n++;
	fclose(f);

	long before = maxrss_kb();
	double s0 = now_s();
	gd_error *err = NULL;
	json_t *result = gd_score_file(path, 0, &err);
	double s1 = now_s();
	double scored = s1 - s0;
	if (!result) {
		fprintf(stderr, "bench score: %s\n", err->msg);
		unlink(path);
		return 1;
	}
	/* The worst case: the same log scored with every line parsed, as
	 * when a fault is never noticed and all chatter after it counts. */
	double w0 = now_s();
	json_t *again = gd_score_file(path, GD_SCORE_EVERY_LINE, &err);
	double w1 = now_s();
	json_decref(again);
	FILE *null = fopen("/dev/null", "w");
	gd_report_junit(result, null);
	gd_report_summary(result, null);
	gd_report_html(result, null);
	fclose(null);
	double s2 = now_s();
	printf("bench score: %ld events (%d jobs, %d faults, %d nodes)\n", n,
	       JOBS, FAULTS, NODES);
	printf("  scored in %.3f s: %.0f events/s (goal: the whole log in under 1 s)\n",
	       scored, (double)n / scored);
	printf("  every line parsed (the chatter too, as if the scorer read it): %.3f s, %.0f events/s\n",
	       w1 - w0, (double)n / (w1 - w0));
	printf("  reports (junit, summary, scorecard) rendered in %.3f s\n",
	       s2 - s1 - (w1 - w0));
	printf("  peak memory %.1f MiB (%.1f MiB before scoring)\n",
	       (double)maxrss_kb() / 1024.0, (double)before / 1024.0);
	json_decref(result);
	if (getenv("GD_BENCH_KEEP"))
		printf("  log kept: %s\n", path);
	else
		unlink(path);
	return 0;
}
