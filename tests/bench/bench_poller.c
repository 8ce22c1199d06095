/* make bench: how many jobs a second the status poller tracks, on
 * squeue --json output of 10,000 queued jobs (generated in Slurm 22.05's
 * shape).  Prints figures; asserts nothing about time. */
#include "jobsys/slurm_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JOBS 10000
#define RUNS 5

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	fprintf(f,
		"{\"meta\": {\"plugin\": {\"type\": \"openapi/v0.0.38\"}}, \"errors\": [], \"jobs\": [\n");
	for (int i = 1; i <= JOBS; i++)
		fprintf(f,
			"{\"account\": \"\", \"batch_flag\": true, \"batch_host\": \"w%d\", \"command\": \"/srv/gameday/gd-job\", "
			"\"cpus\": 1, \"current_working_directory\": \"/srv/shared\", \"end_time\": %d, \"exit_code\": 0, "
			"\"job_id\": %d, \"job_state\": \"%s\", \"name\": \"jobs-%05d\", \"nodes\": \"w%d\", "
			"\"partition\": \"batch\", \"requeue\": true, \"restart_cnt\": %d, \"start_time\": %d, "
			"\"state_reason\": \"None\", \"submit_time\": %d, \"user_name\": \"gdjob\"}%s\n",
			i % 64 + 1, 1795524000 + i, i,
			i % 3 ? "PENDING" : "RUNNING", i, i % 64 + 1,
			i % 7 == 0, 1795520000 + i, 1795510000 + i,
			i < JOBS ? "," : "");
	fprintf(f, "]}\n");
	fclose(f);

	double best = 1e18, total = 0;
	for (int r = 0; r < RUNS; r++) {
		gd_slurm_job *jobs = NULL;
		size_t n = 0;
		gd_error *err = NULL;
		double t0 = now_ms();
		if (gd_slurm_parse_queue(text, &jobs, &n, &err) < 0 ||
		    n != JOBS) {
			fprintf(stderr, "bench poller: parse failed: %s\n",
				err ? err->msg : "wrong count");
			return 1;
		}
		double t = now_ms() - t0;
		free(jobs);
		total += t;
		if (t < best)
			best = t;
	}
	printf("bench poller: squeue --json of %d jobs (%zu bytes)\n", JOBS,
	       len);
	printf("  one poll parsed in %.1f ms (best of %d), %.0f jobs tracked a second\n",
	       best, RUNS, JOBS / (best / 1000));
	printf("  mean %.1f ms a poll\n", total / RUNS);
	free(text);
	return 0;
}
