/* Which faults cannot overlap on one node.
 *
 * A fault "claims" an aspect of a node for an interval: its power state
 * (down or paused), its clock, its service user's ids, its seccomp profile,
 * its capabilities, one of its paths, its job-system configuration, its
 * traffic shaping.  Two claims on the same aspect of the same node at once
 * are meaningless (which clock wins?), so the planner rejects them, and
 * random picks avoid nodes whose aspect is already claimed. */
#ifndef GD_PLAN_CLAIMS_H
#define GD_PLAN_CLAIMS_H

#include "base/arena.h"
#include "base/duration.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>

/* An aspect of a node a fault may hold.  Each is one object, compared
 * by address, defined beside the row of the kind that holds it; the job
 * system's configuration and the node's files renewed, which a changed
 * return holds, are here. */
typedef struct gd_aspect {
	const char *verb; /* in words: "take down or pause" */
	bool by_path;	  /* held per node path (the claim names it) */
} gd_aspect;

extern const gd_aspect gd_aspect_config;
/* A node's own files, made new by another provisioning script. */
extern const gd_aspect gd_aspect_renew;

typedef struct gd_claim {
	const gd_aspect *aspect;
	const char *path; /* an aspect by_path: which node path */
} gd_claim;

/* The claims of a step's fault (not of its back_with change), at most
 * max; returns how many.  Its kind's row says them. */
size_t gd_step_claims(const gd_step *st, gd_claim *out, size_t max);

/* The claims of a reboot's changed return. */
size_t gd_change_claims(const gd_change *c, gd_claim *out, size_t max);

/* Per-node bookkeeping of active claims, fed in start-time order. */
typedef struct gd_claimbook gd_claimbook;

typedef struct gd_claim_hit {
	size_t owner; /* the caller's tag of the claim found */
	gd_ms start, end;
} gd_claim_hit;

gd_claimbook *gd_claimbook_new(gd_arena *a, size_t nnodes);
/* Forgets claims ended by now; callers go forward in time. */
void gd_claimbook_advance(gd_claimbook *b, gd_ms now);
/* Looks for a claim on node overlapping [start, end) on claim's aspect. */
bool gd_claimbook_find(const gd_claimbook *b, size_t node, gd_claim claim,
		       gd_ms start, gd_ms end, gd_claim_hit *hit);
void gd_claimbook_add(gd_claimbook *b, size_t node, gd_claim claim, gd_ms start,
		      gd_ms end, size_t owner);

#endif
