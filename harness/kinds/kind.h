/* What a fault kind is: one row of the kinds table, each in its own file.
 *
 * Everything gameday does with a step is asked of its kind through this
 * row, so that the parser, the planner, the player and the report never
 * branch on which kind a step is: the keys it accepts and their rules, what
 * it claims on a node, how it is printed and drawn, and (through ops, the
 * player's part, faults/engine.h) how it is made, healed and seen.  Rows
 * live with the code that plays them (faults/netem.c is netem); the table
 * (kinds/table.c) lists them.  Adding a kind is a file with its row and
 * a line in the table: docs/adding-a-kind.md shows how.
 *
 * The row's functions take the types of the layers that call them; they
 * are only named here, so this header includes none of those layers.
 *
 * Every row has a name (not "change", the scorer's name for a changed
 * return, nor "config" or "for", keys of back_with), a colour, words
 * (describe or part_describe, and a JSON form) and ops with apply and
 * heal; tests/unit/test_kinds.c holds every row to that.  The table's
 * order is the legend's, the order a changed return's parts are made
 * and seen in (reverted in reverse), and the order kinds are named in
 * messages ("a kill or partition step"). */
#ifndef GD_KINDS_KIND_H
#define GD_KINDS_KIND_H

#include "base/duration.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct gd_step;
struct gd_reader;
struct gd_plan;
struct gd_plan_entry;
struct gd_claim;
struct gd_fault_ops;

/* How a fault moves its nodes' clocks, for the checks that compare a
 * clock offset against the job system's credential lifetime. */
typedef struct gd_time_shift {
	bool reset;    /* back to the host's time */
	gd_ms offset;  /* or this far off */
	gd_ms drift_h; /* or gaining this much per hour of scenario time */
} gd_time_shift;

/* What a real host (the SSH backend) must have for a kind played on it,
 * a bit each; its preflight checks those the plan's kinds need. */
enum {
	GD_HOST_NEEDS_FIREWALL = 1 << 0, /* nft or iptables */
	GD_HOST_NEEDS_FAKETIME = 1 << 1, /* libfaketime, for daemons' clocks */
	GD_HOST_NEEDS_CGROUP2 = 1 << 2,	 /* cgroup v2: freeze, kill */
	GD_HOST_NEEDS_TC = 1 << 3,	 /* tc, for netem */
};

typedef struct gd_kind {
	const char *name;
	/* The keys a step of this kind accepts besides every step's (id,
	 * kind, note, at, after, delay, for, wave, targets). */
	const char *const *keys;
	size_t nkeys;
	/* It always lasts: its parse refuses a step without "for"
	 * (parse_lasts), and a wave of it needs no second word on that. */
	bool lasts;
	/* It may name its nodes some other way than "targets". */
	bool targets_optional;
	/* Its bars and legend on the HTML timeline. */
	const char *color;
	/* Reads and checks the kind's own keys of obj into st (its spec,
	 * set before any return when the row's other functions read it),
	 * reporting each problem at its path.  Called once the step's id,
	 * timing, "for" (st->has_for: it parsed; the key may be there and
	 * bad) and wave are read, before its targets. */
	void (*parse)(struct gd_reader *r, json_t *obj, struct gd_step *st);
	/* Whether st takes its nodes down in batches when it has a "wave";
	 * NULL: waves are not for this kind. */
	bool (*waves)(const struct gd_step *st);
	/* What st holds on each of its nodes while it lasts, at most max
	 * (plan/claims.h); how many.  NULL, or none for an instant step:
	 * it holds nothing (partitions compose). */
	size_t (*claims)(const struct gd_step *st, struct gd_claim *out,
			 size_t max);
	/* The entry's settings in words for the plan and the reports
	 * ("latency 200ms +/- 20ms"), nothing when there is nothing to
	 * add to the kind's name; and as a JSON object for plan --json.
	 * NULL: its part_describe and part_describe_json of the step's
	 * spec (the same words as a step or as a part). */
	void (*describe)(const struct gd_plan *p, const struct gd_plan_entry *e,
			 FILE *out);
	json_t *(*describe_json)(const struct gd_plan *p,
				 const struct gd_plan_entry *e);
	/* Whether st has nothing to heal (a service kill, a clock reset);
	 * NULL: it lasts. */
	bool (*instant)(const struct gd_step *st);
	/* Its nodes are sides cut apart, not targets changed: its parse
	 * fills st->sides, or leaves none and each of its "targets" is a
	 * side of its own beside the rest (targets_optional, then). */
	bool splits;
	/* Facets the fidelity check reads (plan/fidelity.c): whether st
	 * takes its nodes down (their jobs lost, a requeue); whether they
	 * run on and answer nothing (frozen, cut off); whether jobs there
	 * stall on failed reads and writes, to resume at their next try;
	 * how it moves their clocks (spec: a step's or a changed return's
	 * part of this kind; false: it does not; a reset is a move, back
	 * to the host's time).  takes_down NULL: it never does. */
	bool (*takes_down)(const struct gd_step *st);
	bool silences;
	bool stalls_io;
	bool (*shifts_clock)(const void *spec, gd_time_shift *out);
	/* How the fidelity check says what it does to a node: keeps_pre
	 * NODE keeps_post ("cuts w1 off"); each NULL: "keeps", " down". */
	const char *keeps_pre, *keeps_post;
	/* As a part of a reboot's changed return ("back_with": {NAME:
	 * {...}}): its settings read (spec; NULL once reported, and the
	 * part is dropped), what they hold on a node, and in words and
	 * JSON.  NULL: this kind cannot be one; set: so are these three and
	 * the part_* ops. */
	const void *(*parse_part)(struct gd_reader *r, json_t *obj);
	size_t (*part_claims)(const void *spec, struct gd_claim *out,
			      size_t max);
	void (*part_describe)(const void *spec, FILE *out);
	json_t *(*part_describe_json)(const void *spec);
	/* What a real host needs for it (GD_HOST_NEEDS_*), as a step or
	 * as a part. */
	unsigned host_needs;
	/* The player's part: made, healed, prepared, seen. */
	const struct gd_fault_ops *ops;
} gd_kind;

/* The rows (kinds/table.c), in the order the timeline's legend shows
 * them. */
extern const gd_kind *const gd_kinds[];
extern const size_t gd_nkinds;

/* The row named name, or NULL. */
const gd_kind *gd_kind_find(const char *name);

#endif
