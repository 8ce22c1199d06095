/* The planner: a scenario and a seed in, the exact timeline a run would
 * play out.  Resolves random picks, "after" dependencies and waves, and
 * checks what only a timeline shows: cycles, faults that outlive the
 * scenario, and faults of one kind overlapping on one node.
 *
 * Pure: no I/O, no clock, no host changes.  Same scenario and seed, same
 * plan, on every machine. */
#ifndef GD_PLAN_PLAN_H
#define GD_PLAN_PLAN_H

#include "base/diag.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gd_nodeset {
	size_t *v; /* node indexes, in cluster order */
	size_t n;
} gd_nodeset;

/* One fault as it will be played: a step, or one batch of a wave. */
typedef struct gd_plan_entry {
	const gd_step *step;
	const char *id; /* the step's id, or "ID#N" for batch N of a wave */
	unsigned batch; /* 0 outside waves */
	gd_ms start;
	gd_ms end;	  /* == start for instant faults */
	bool until_end;	  /* heals only when the scenario ends */
	gd_nodeset nodes; /* every node the fault touches */
	/* partitions: the groups cut apart (isolate: one group per node and
	 * "the rest"; one-way: [from, to]) */
	gd_nodeset *sides;
	size_t nsides;
	/* a reboot's "back_with": the changed state lasts [end, change_end) */
	gd_ms change_end;
	bool change_until_end;
} gd_plan_entry;

typedef struct gd_plan_job {
	const char *id;
	size_t group;
	gd_ms submit;
	gd_ms runtime; /* the work the job does, drawn from the group's range */
	gd_ms deadline; /* absolute: submit + the group's hard deadline */
	gd_ms expected_lo, expected_hi; /* its expected duration */
} gd_plan_job;

enum gd_seed_source { GD_SEED_COMMAND_LINE, GD_SEED_SCENARIO, GD_SEED_RANDOM };

typedef struct gd_plan {
	const gd_scenario *scenario;
	uint64_t seed;
	enum gd_seed_source seed_source;
	gd_plan_entry *entries; /* by start time, then file order */
	size_t nentries;
	gd_plan_job *jobs; /* by submission time, then group order */
	size_t njobs;
	gd_ms last_heal; /* when the last fault that heals heals */
} gd_plan;

/* Builds the plan in the scenario's arena.  Returns NULL and adds one
 * diagnostic per problem to *diags when the scenario cannot be planned. */
gd_plan *gd_plan_build(const gd_scenario *s, uint64_t seed,
		       enum gd_seed_source source, gd_diags *diags);

const char *gd_seed_source_name(enum gd_seed_source s);

#endif
