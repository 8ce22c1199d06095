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
 * way), or is too close to call in production already.  A comparison
 * production makes exactly, a clock offset against munge's credential
 * lifetime, is held to that: within it less GD_CLOCK_GUARD_MS, or beyond
 * it plus as much (docs/fidelity.md).  The workload's side: the longer
 * wait of a requeued job must still fit, by the margin, within the
 * tightest deadline's slack; starting a job must stay short of the
 * shortest job, gd-job's pause between tries of a failed write short of
 * every skew, and libfaketime's reread of a clock offset short of every
 * clock step; and the most jobs submitted within a second of real time
 * must fit gameday's submission path (GD_SUBMIT_PER_S).  What the longer waits
 * add to the durations expectations measure changes no comparison: it is stated
 * (gd_fidelity_bias).  Pure: no cluster is needed to tell. */
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
/* munge stamps a credential with its encoder's clock in whole seconds and
 * its decoder compares that with its own, after the message's transit:
 * an offset within the lifetime less this is accepted for sure, one
 * beyond it plus this rejected for sure; between, the second's phase and
 * the transit decide, in production as in a run. */
#define GD_CLOCK_GUARD_MS 2000
/* gd-job's pause between tries of a read or write that failed
 * (fakes/gd-job.c: stalled()), real time at every scale. */
#define GD_JOB_RETRY_MS 1000
/* How long a running process of a node keeps the clock offset it read
 * (FAKETIME_CACHE_DURATION, set by fakes/gd-init.c), real time too. */
#define GD_FAKETIME_REREAD_MS 1000

/* How many jobs a second of real time gameday's own submission path
 * takes (one sbatch after another in the controller node, each waiting
 * for slurmctld's answer): measured on this machine by
 * tests/bench/submit_rate.sh, docs/fidelity.md.  A workload that asks
 * more, at a scale, is submitted late, off its offsets. */
#define GD_SUBMIT_PER_S 100 /* 109.5 measured, rounded down */

/* What an issue measures a timing against. */
enum gd_fidelity_about {
	GD_FIDELITY_FAULT,	/* a fault's span, or its clock offset */
	GD_FIDELITY_CHANGE,	/* how long a reboot's change lasts once back */
	GD_FIDELITY_DEADLINE,	/* the tightest deadline's slack */
	GD_FIDELITY_START,	/* the shortest job */
	GD_FIDELITY_SETTING,	/* a team's setting, against itself / scale */
	GD_FIDELITY_TIME_LIMIT, /* the shortest time limit a job asks for */
	GD_FIDELITY_SUBMIT,	/* the most jobs submitted in a real second */
};

typedef struct gd_fidelity_issue {
	enum gd_fidelity_about about;
	const gd_plan_entry *entry; /* FAULT and CHANGE; else NULL */
	size_t node;		    /* with entry: the node it is about */
	gd_ms span; /* the fault's length, its clock offset, or the room */
	gd_timing timing; /* as configured at the scale checked */
	bool longer;	  /* in production the span is longer than the timing */
	double max_scale; /* the largest scale at which this one holds */
	size_t jobs;	  /* SUBMIT: the most jobs within span */
} gd_fidelity_issue;

/* The most of p's jobs submitted within any window_ms of scenario time
 * (a sliding window from each submission). */
size_t gd_fidelity_peak_submissions(const gd_plan *p, gd_ms window_ms);

/* Which side of a credential lifetime of ttl munge puts two clocks offset
 * apart (either sign): -1 accepted for sure, 1 rejected for sure, 0 when
 * whole seconds and transit decide (GD_CLOCK_GUARD_MS). */
int gd_fidelity_clock_side(gd_ms offset, gd_ms ttl);

/* The ways p is unfaithful at scale, into out (at most max; out may be
 * NULL when max is 0); how many there are in all. */
size_t gd_fidelity_check(const gd_plan *p, double scale, gd_fidelity_issue *out,
			 size_t max);

/* The largest whole scale in 1..GD_SCALE_MAX at which p is faithful. */
double gd_fidelity_max_scale(const gd_plan *p);

/* One sentence on an issue found at scale, in scenario terms. */
void gd_fidelity_explain(const gd_plan *p, const gd_fidelity_issue *i,
			 double scale, char *buf, size_t size);

/* What compression alone adds to a job's time at a scale, where no
 * comparison changes (so the plan may be faithful) but a delay a job
 * waits out lasts longer than in production: by as much a job's duration,
 * the longest stall and a fault's recovery may come out longer, and an
 * expectation on them (within_expected, max_stall, recover_within) fail
 * where production's would pass.  Scenario time; 0: nothing is off. */
typedef struct gd_fidelity_bias {
	gd_ms requeued; /* a job Slurm requeues runs again this much later, */
	gd_ms noticed;	/* of which: its node's loss noticed later, */
	gd_ms held;	/* the requeued job held back longer, */
	gd_ms started;	/* and its start slower */
	gd_ms stalled;	/* a job a skew stalls resumes this much later */
} gd_fidelity_bias;

/* The bias of p at scale. */
void gd_fidelity_bias_at(const gd_plan *p, double scale, gd_fidelity_bias *b);

/* The bias of p at its own time scale as sentences, a line each after two
 * spaces; how many (0: nothing is off). */
size_t gd_fidelity_print_bias(const gd_plan *p, FILE *out);

/* Reports spell out at most this many issues. */
#define GD_FIDELITY_SHOWN 8

/* The issues of p at its own time scale, a sentence a line after two
 * spaces (at most GD_FIDELITY_SHOWN, then "and N more"); how many. */
size_t gd_fidelity_print(const gd_plan *p, FILE *out);

/* The same as JSON: {"faithful", "max_scale", "issues": [sentences],
 * "issues_total", "bias": {"requeued_ms", "noticed_ms", "held_ms",
 * "started_ms", "stalled_ms"}, "bias_notes": [sentences]}. */
json_t *gd_fidelity_json(const gd_plan *p);

#endif
