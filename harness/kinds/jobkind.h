/* What a job kind is: one row of the job kinds table, each in its own
 * file (run/job_document.c, run/job_command.c,
 * run/job_trace.c).
 *
 * A workload group's "kind" picks the row; the scenario parser asks it
 * for the group's own keys, and the runner asks it (through ops, the
 * run's part, run/job.h) to make shared storage ready, to build a
 * job's command line and to judge a job that ended, so neither branches
 * on which kind a group is.  Like the fault kinds' rows (kinds/kind.h),
 * the row's functions take the types of the layers that call them and
 * are only named here. */
#ifndef GD_KINDS_JOBKIND_H
#define GD_KINDS_JOBKIND_H

#include "base/duration.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct gd_reader;
struct gd_scenario;
struct gd_job_group;
struct gd_job_ops;
struct gd_strbuf;

/* One job of a group whose jobs each have their own times (a replayed
 * trace's): what the planner would otherwise draw from the group. */
typedef struct gd_kind_job {
	const char *id;	   /* gameday's id for it */
	gd_ms submit;	   /* from the scenario's start */
	gd_ms runtime;	   /* the work it does */
	gd_ms deadline;	   /* after its submission */
	gd_ms expected_lo; /* its expected duration */
	gd_ms expected_hi;
} gd_kind_job;

typedef struct gd_job_kind {
	const char *name;
	/* The keys a group of this kind accepts besides every group's
	 * (name, jobs, kind, submit, deadline, expected). */
	const char *const *keys;
	size_t nkeys;
	/* A key of its own that says how many jobs there are instead of
	 * "jobs" (then "jobs" must be left out); NULL: "jobs" is
	 * required. */
	const char *jobs_instead;
	/* Reads and checks the kind's own keys of obj into g (g->spec, and
	 * g->jobs when jobs_instead is there), reporting each problem at
	 * its path; the cluster is read already. */
	void (*parse)(struct gd_reader *r, json_t *obj,
		      const struct gd_scenario *s, struct gd_job_group *g);
	/* The time limit g's jobs ask the job system for, in scenario
	 * time, for the fidelity check; NULL or 0: none. */
	gd_ms (*time_limit)(const struct gd_job_group *g);
	/* Non-NULL when each job has its own times: job k of g (k <
	 * g->jobs).  The group's "deadline" and "expected" are then read
	 * by parse, in the kind's own shape, and g's deadline and expected
	 * fields hold the tightest of its jobs' (for the fidelity check). */
	void (*job)(const struct gd_job_group *g, unsigned k, gd_kind_job *out);
	/* The plan's words for such a group, in place of its deadline and
	 * expected range (the group's line), the lines under it, and the
	 * same as members of its JSON object; NULL: none. */
	void (*plan_words)(const struct gd_job_group *g, struct gd_strbuf *b);
	void (*plan_text)(const struct gd_job_group *g, FILE *out);
	void (*plan_json)(const struct gd_job_group *g, json_t *obj);
	const struct gd_job_ops *ops;
} gd_job_kind;

extern const gd_job_kind *const gd_job_kinds[];
extern const size_t gd_njob_kinds;

/* The row named name, or NULL. */
const gd_job_kind *gd_job_kind_find(const char *name);

#endif
