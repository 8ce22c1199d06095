/* Whether a run compressed by a time scale still behaves as production
 * would.  The job system's own delays (jobsys.h: gd_timing) shrink with
 * the scale only down to a floor, so past some scale they last longer in
 * scenario time than in production.  That changes what the system does
 * where a fault is measured against one: Slurm declares a worker down 10
 * minutes DOWN and requeues its job (SlurmdTimeout is 300 s), but at scale
 * 600 its timeout, floored at 5 s real, is 50 minutes and the job waits.
 *
 * A plan is faithful at a scale when every such comparison comes out as
 * it does in production by a clear margin (GD_FIDELITY_MARGIN either
 * way), or is too close to call in production already; and when the
 * longer wait of a requeued job still fits within the tightest deadline's
 * slack, and starting a job stays short of the shortest job, by that
 * margin.  Pure: no cluster is needed to tell. */
#ifndef GD_PLAN_FIDELITY_H
#define GD_PLAN_FIDELITY_H

#include "jobsys/jobsys.h"
#include "plan/plan.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define GD_FIDELITY_MARGIN 1.5
/* The largest scale gameday accepts at all. */
#define GD_SCALE_MAX 10000

typedef struct gd_fidelity_issue {
	const gd_plan_entry *entry; /* NULL: the workload's (requeue slack,
				       shortest job) */
	size_t node;		    /* with entry: the node it is about */
	gd_ms span; /* the fault's length, its clock offset, or the slack */
	gd_timing timing; /* as configured at the scale checked */
	bool longer;	  /* in production the span is longer than the timing */
	double max_scale; /* the largest scale at which this one holds */
} gd_fidelity_issue;

/* The ways p is unfaithful at scale, into out (at most max; out may be
 * NULL when max is 0); how many there are in all. */
size_t gd_fidelity_check(const gd_plan *p, double scale, gd_fidelity_issue *out,
			 size_t max);

/* The largest whole scale in 1..GD_SCALE_MAX at which p is faithful. */
double gd_fidelity_max_scale(const gd_plan *p);

/* One sentence on an issue found at scale, in scenario terms. */
void gd_fidelity_explain(const gd_plan *p, const gd_fidelity_issue *i,
			 double scale, char *buf, size_t size);

/* Reports spell out at most this many issues. */
#define GD_FIDELITY_SHOWN 8

/* The issues of p at its own time scale, a sentence a line after two
 * spaces (at most GD_FIDELITY_SHOWN, then "and N more"); how many. */
size_t gd_fidelity_print(const gd_plan *p, FILE *out);

/* The same as JSON: {"faithful", "max_scale", "issues": [sentences],
 * "issues_total"}. */
json_t *gd_fidelity_json(const gd_plan *p);

#endif
