/* Target selectors against a cluster: which nodes a selector may choose
 * from, and how many it chooses.  The random choice itself is the
 * planner's (plan/), made with the run's seed. */
#ifndef GD_SCENARIO_TARGETS_H
#define GD_SCENARIO_TARGETS_H

#include "base/arena.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>

/* Looks up one node, role, explicit group or "all"; fills the node indexes
 * in cluster order.  False when the name is unknown. */
bool gd_cluster_lookup(const gd_cluster *c, gd_arena *a, const char *name,
		       size_t **nodes, size_t *n);

/* The candidate nodes of a selector, in cluster order, without duplicates:
 * the named nodes, or for a pick the "from" nodes less the "except" ones.
 * Unknown names are skipped (check.c reports them). */
void gd_targets_candidates(const gd_cluster *c, gd_arena *a,
			   const gd_targets *t, size_t **nodes, size_t *n);

/* How many nodes the selector chooses among ncand candidates: all of them,
 * "pick" of them, or the percentage rounded up (so any share of a
 * non-empty group is at least one node). */
size_t gd_targets_count(const gd_targets *t, size_t ncand);

#endif
