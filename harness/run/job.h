/* The run's part of a job kind (kinds/jobkind.h): what the runner asks a
 * group's row, so it never learns which kind of job it runs.
 *
 * The runner owns submitting, polling and what the job system says; the
 * row owns what the job is: the files it needs in shared storage, its
 * command line, and whether an ended job did its work. */
#ifndef GD_RUN_JOB_H
#define GD_RUN_JOB_H

#include "base/error.h"
#include "cluster/cluster.h"
#include "jobsys/jobsys.h"
#include "plan/plan.h"

#include <stdbool.h>
#include <stddef.h>

enum gd_job_outcome {
	GD_OUT_PENDING,
	GD_OUT_CORRECT,
	GD_OUT_WRONG,
	GD_OUT_DUPLICATED,
	GD_OUT_FAILED,
	GD_OUT_LOST,
	GD_OUT_UNFINISHED,
	/* the job's own check could not say (crashed, timed out, exited
	 * neither 0 nor 1): the rehearsal's instrument failed, not the
	 * job */
	GD_OUT_CHECK_ERROR,
	GD_OUT_COUNT
};
extern const char *const gd_job_outcome_names[GD_OUT_COUNT];

/* What a row may use during a run. */
typedef struct gd_job_run {
	const gd_plan *p;
	const gd_cluster_state *st;
	gd_jobsys *js;
	/* shared storage as this machine sees it (st->shared) */
	const char *shared;
} gd_job_run;

/* A job's command line (nodes' paths), built in place. */
typedef struct gd_job_cmd {
	const gd_job_resources *res; /* what it asks of its node, or NULL */
	char *argv[128];
	size_t argc;
	char buf[16384];
	size_t used;
} gd_job_cmd;
/* Appends an argument; false when it does not fit. */
bool gd_job_cmd_add(gd_job_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A job that ended, as the job system saw it, and the row's judgement. */
typedef struct gd_job_end {
	const gd_plan_job *plan;
	const char *sys_id;
	bool failed;	   /* the job system says it failed */
	const char *state; /* in the job system's words */
	enum gd_job_outcome outcome;
	char why[384]; /* what makes it not correct */
	/* the file (in the run's results folder) a reader should look at
	 * first, "" when none: the failed attempt's stderr */
	char evidence[256];
	char tail[512]; /* its last lines, "" when none */
} gd_job_end;

typedef struct gd_job_ops {
	/* Shared storage made ready for group g's jobs before the run
	 * starts; *state is the row's own for the run (freed by
	 * free_state). */
	int (*prepare)(const gd_job_run *run, size_t g, void **state,
		       gd_error **err);
	/* The command line that does job j. */
	int (*command)(const gd_job_run *run, void *state, const gd_plan_job *j,
		       gd_job_cmd *cmd, gd_error **err);
	/* Judges an ended job: e->outcome and e->why. */
	void (*judge)(const gd_job_run *run, void *state, gd_job_end *e);
	/* The job's attempts kept in the run's results folder out_dir;
	 * NULL: nothing beyond the job system's log. */
	void (*keep)(const gd_job_run *run, void *state, const gd_plan_job *j,
		     const char *out_dir);
	void (*free_state)(void *state);
} gd_job_ops;

#endif
