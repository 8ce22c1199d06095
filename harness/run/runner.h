/* gameday run: a scenario from cluster up to torn down, with the
 * workload submitted on schedule, tracked through the job system, checked
 * against the oracle, with the scenario's faults played on schedule
 * (faults/), and written to a run directory. */
#ifndef GD_RUN_RUNNER_H
#define GD_RUN_RUNNER_H

#include "base/error.h"
#include "plan/plan.h"

#include <stdbool.h>

/* Where a run stands, handed to gd_run_opts.progress about every poll. */
typedef struct gd_run_progress {
	gd_ms now, duration; /* scenario time */
	size_t jobs, submitted, done;
	unsigned active_faults;
	const char *next;      /* the next fault action's id, or NULL */
	const char *next_kind; /* "apply", "heal", "change-end" */
	gd_ms next_at;
} gd_run_progress;

typedef struct gd_run_opts {
	const char *out_dir; /* the run directory to write */
	const char *libexec;
	/* optional: the library never prints; a command line shows this */
	void (*progress)(const gd_run_progress *p, void *ctx);
	void *progress_ctx;
} gd_run_opts;

typedef struct gd_run_summary {
	size_t jobs, correct, on_time;
	size_t faults, faults_applied; /* applied: with evidence */
	size_t faults_unhealed;
	int interrupted;
	char stopped_by[256]; /* "": no stop condition fired */
	/* the scorer's verdict (score/): pass, the score, the first reasons */
	bool pass;
	bool invalid; /* fell behind compressed time: not scored */
	int score;
	char reasons[3][512];
	size_t nreasons;
	char teardown[512]; /* "": the cluster came down cleanly */
	/* workers the job system showed down or drained at the end, up in
	 * gameday's eyes, and put back in service ("w1,w2"; "": none) */
	char resumed[256];
} gd_run_summary;

/* Runs the plan.  Returns 0 when the run happened (whatever its verdict,
 * which *sum tells), or an error when the environment failed it (then the
 * host is left clean all the same). */
int gd_run_scenario(const gd_plan *p, const gd_run_opts *o, gd_run_summary *sum,
		    gd_error **err);

#endif
