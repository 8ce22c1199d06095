/* Clock faults: a node's /etc/faketimerc, which libfaketime (preloaded in
 * every node of a scenario with clock faults, see node.c) reads in every
 * dynamically linked process: new ones at once, running ones within the
 * second (FAKETIME_CACHE_DURATION, set by gd-init).  Static programs
 * (gd-init itself) keep the host's clock.
 *
 * A drift is played as an offset the player thread steps every
 * GD_DRIFT_TICK_MS (gd_clock_tick): libfaketime's own rate ("x1.01")
 * counts from each process's start, so processes started at different
 * times would disagree on the node's time, which no real machine does. */
#include "base/cleanup.h"
#include "faults/engine.h"
#include "plan/claims.h"
#include "plan/print.h"
#include "scenario/parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const gd_kind gd_kind_clock; /* this file's row, at its end */

enum clock_action { CLOCK_OFFSET, CLOCK_DRIFT, CLOCK_RESET };

/* A clock step's settings, or a changed return's "clock". */
typedef struct clock_spec {
	const char *path;
	enum clock_action action;
	gd_ms offset;	   /* OFFSET */
	gd_ms drift_per_h; /* DRIFT: clock gains this much per hour */
} clock_spec;

/* The offset of e's nodes' clocks set. */
static int clock_set(gd_faults *f, const gd_plan_entry *e, gd_ms offset,
		     gd_error **err)
{
	char text[64] = GD_FAKETIMERC_ZERO;
	if (offset)
		snprintf(text, sizeof(text), "%+.3f\n",
			 (double)offset / 1000.0);
	for (size_t j = 0; j < e->nodes.n; j++) {
		int r = gd_node_write(&f->st->nodes[e->nodes.v[j]],
				      "/etc/faketimerc", text, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Evidence: a new process in each node reads its wall clock, compared
 * with the host's plus the offset (within a second). */
static int clock_check(gd_faults *f, const gd_plan_entry *e, gd_ms offset,
		       char *evidence, size_t size)
{
	int missing = 0;
	size_t used = 0;
	for (size_t j = 0; j < e->nodes.n && used < size; j++) {
		char said[128];
		struct timespec before;
		clock_gettime(CLOCK_REALTIME, &before);
		gd_probe(f, e->nodes.v[j], said, sizeof(said), "clock", NULL);
		long long node_ms = strtoll(said, NULL, 10);
		long long host_ms = (long long)before.tv_sec * 1000 +
				    before.tv_nsec / 1000000;
		long long off = node_ms - host_ms;
		bool ok = node_ms > 0 && llabs(off - offset) < 1000;
		missing += !ok;
		used += (size_t)snprintf(
			evidence + used, size - used,
			"%s%s: its clock reads %+.1f s from the host's",
			used ? "; " : "", f->st->nodes[e->nodes.v[j]].name,
			(double)off / 1000.0);
	}
	return missing > 0;
}

/* A drift's start, on CLOCK_MONOTONIC, kept with its entry. */
struct drift {
	int64_t t0_ns;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What a drift has gained by now, in scenario time. */
static gd_ms drifted(const gd_faults *f, const gd_plan_entry *e)
{
	const struct drift *d = f->kind_state[e - f->plan->entries];
	double real_ms = (double)(mono_ns() - d->t0_ns) / 1e6;
	return (gd_ms)((double)((const clock_spec *)e->step->spec)->drift_per_h *
		       real_ms * f->scale / 3600000.0);
}

static bool is_drift(const gd_plan_entry *e)
{
	return ((const clock_spec *)e->step->spec)->action == CLOCK_DRIFT;
}

static int clock_apply(gd_faults *f, const gd_plan_entry *e, char *evidence,
		       size_t size, gd_error **err)
{
	const clock_spec *c = e->step->spec;
	size_t idx = (size_t)(e - f->plan->entries);
	gd_ms offset = c->action == CLOCK_OFFSET ? c->offset : 0;
	if (is_drift(e)) {
		struct drift *d = f->kind_state[idx];
		if (!d && !(d = f->kind_state[idx] = calloc(1, sizeof(*d))))
			return gd_error_make(err, ENOMEM, "cannot drift");
		d->t0_ns = mono_ns();
	}
	int r = clock_set(f, e, offset, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	if (is_drift(e))
		f->ndrifting++;
	return clock_check(f, e, offset, evidence, size);
}

static void clock_tick(gd_faults *f)
{
	for (size_t i = 0; i < f->plan->nentries; i++) {
		const gd_plan_entry *e = &f->plan->entries[i];
		if (e->step->kind != &gd_kind_clock || !is_drift(e) ||
		    !f->active[i])
			continue;
		gd_error *err = NULL;
		clock_set(f, e, drifted(f, e), &err);
		gd_error_free(err); /* the heal says how far it got */
	}
}

static int clock_heal(gd_faults *f, const gd_plan_entry *e, char *evidence,
		      size_t size, gd_error **err)
{
	int missing = 0;
	if (is_drift(e)) {
		/* Where the drift got to, read from inside before the reset:
		 * its evidence. */
		f->ndrifting--;
		gd_ms got = drifted(f, e);
		gd_error *e2 = NULL;
		if (clock_set(f, e, got, &e2) == 0)
			missing += clock_check(f, e, got, evidence, size);
		gd_error_free(e2); /* the reset below matters more */
		size_t used = strlen(evidence);
		snprintf(evidence + used, size - used,
			 " after drifting %+.1f s; reset: ",
			 (double)got / 1000.0);
	}
	int r = clock_set(f, e, 0, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	size_t used = strlen(evidence);
	missing += clock_check(f, e, 0, evidence + used, size - used);
	return missing > 0;
}

static bool rd_as_drift(gd_reader *r, json_t *v, gd_ms *per_h)
{
	static const struct {
		const char *unit;
		gd_ms ms;
	} per[] = {{"d", GD_MS_PER_D}, {"h", GD_MS_PER_H}, {"m", GD_MS_PER_M}};
	const char *s;
	if (!rd_as_string(r, v, &s))
		return false;
	const char *slash = strchr(s, '/');
	if (!slash) {
		rd_error(
			r,
			"invalid drift \"%s\": write a signed gain per period, e.g. \"+30s/h\" or \"-2m/d\"",
			s);
		return false;
	}
	const char *why;
	gd_ms gain, unit = 0;
	char *left = gd_arena_printf(r->arena, "%.*s", (int)(slash - s), s);
	if (gd_offset_parse(left, &gain, &why) < 0) {
		rd_error(r, "invalid drift \"%s\": %s", s, why);
		return false;
	}
	for (size_t i = 0; i < GD_ARRAY_SIZE(per); i++)
		if (strcmp(slash + 1, per[i].unit) == 0)
			unit = per[i].ms;
	if (!unit) {
		rd_error(
			r,
			"invalid drift \"%s\": the period after '/' must be m, h or d",
			s);
		return false;
	}
	/* Beyond half again as fast or slow it is no longer drift, and
	 * libfaketime misbehaves at large speed factors. */
	if ((gain < 0 ? -gain : gain) * 2 > unit) {
		rd_error(r,
			 "drift \"%s\" is too fast (at most 30m/h either way)",
			 s);
		return false;
	}
	if (gain == 0) {
		rd_error(r, "a drift of zero changes nothing");
		return false;
	}
	*per_h = gain * GD_MS_PER_H / unit;
	if (*per_h == 0) {
		rd_error(
			r,
			"drift \"%s\" is too slow to express (under 1ms an hour)",
			s);
		return false;
	}
	return true;
}

static void parse_body(gd_reader *r, json_t *obj, clock_spec *c)
{
	c->path = rd_path_keep(r);
	json_t *off = json_object_get(obj, "offset");
	json_t *drift = json_object_get(obj, "drift");
	json_t *reset = json_object_get(obj, "reset");
	int given = !!off + !!drift + !!reset;
	if (given != 1) {
		rd_error(
			r,
			given ? "a clock change takes one of \"offset\", \"drift\", \"reset\", not several"
			      : "a clock change needs \"offset\" (e.g. \"+2h\"), \"drift\" (e.g. \"+30s/h\") or \"reset\": true");
		return;
	}
	if (off) {
		c->action = CLOCK_OFFSET;
		if (RD_FIELD(rd_as_offset, r, obj, "offset", true,
			     &c->offset) &&
		    c->offset == 0) {
			rd_error_at(r, "offset",
				    "an offset of zero changes nothing");
		}
	} else if (drift) {
		c->action = CLOCK_DRIFT;
		RD_FIELD(rd_as_drift, r, obj, "drift", true, &c->drift_per_h);
	} else {
		bool b = false;
		c->action = CLOCK_RESET;
		if (RD_FIELD(rd_as_bool, r, obj, "reset", true, &b) && !b) {
			rd_error_at(
				r, "reset",
				"\"reset\" can only be true (leave it out otherwise)");
		}
	}
}

static void clock_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	clock_spec *c = gd_arena_alloc(r->arena, sizeof(*c));
	parse_body(r, obj, c);
	st->spec = c;
	if (c->action == CLOCK_RESET && json_object_get(obj, "for")) {
		rd_error_at(r, "for",
			    "a clock reset is instant; it takes no \"for\"");
	}
}

/* A changed return's clock is set, not reset. */
static const void *clock_parse_part(gd_reader *r, json_t *obj)
{
	static const char *const part_keys[] = {"offset", "drift"};
	if (!rd_object(r, obj, "a clock change", part_keys,
		       GD_ARRAY_SIZE(part_keys), NULL, 0))
		return NULL;
	clock_spec *c = gd_arena_alloc(r->arena, sizeof(*c));
	parse_body(r, obj, c);
	return c;
}

static bool instant(const gd_step *st)
{
	return ((const clock_spec *)st->spec)->action == CLOCK_RESET;
}

static bool shifts(const void *spec, gd_time_shift *out)
{
	const clock_spec *c = spec;
	*out = (gd_time_shift){
		.reset = c->action == CLOCK_RESET,
		.offset = c->action == CLOCK_OFFSET ? c->offset : 0,
		.drift_h = c->action == CLOCK_DRIFT ? c->drift_per_h : 0};
	return true;
}

static size_t part_claims(const void *spec, gd_claim *out, size_t max)
{
	(void)spec;
	(void)max;
	static const gd_aspect clock = {"change the clock of", false};
	out[0] = (gd_claim){&clock, NULL};
	return 1;
}

/* A reset is instant: it holds nothing. */
static size_t clock_claims(const gd_step *st, gd_claim *out, size_t max)
{
	return instant(st) ? 0 : part_claims(st->spec, out, max);
}

static void clock_print(const void *spec, FILE *out)
{
	const clock_spec *c = spec;
	char buf[GD_DURATION_BUFSZ];
	switch (c->action) {
	case CLOCK_OFFSET:
		fprintf(out, "clock %s%s", c->offset > 0 ? "+" : "",
			gd_duration_format(c->offset, buf, sizeof(buf)));
		break;
	case CLOCK_DRIFT:
		fprintf(out, "clock drifts %s%s/h",
			c->drift_per_h > 0 ? "+" : "",
			gd_duration_format(c->drift_per_h, buf, sizeof(buf)));
		break;
	case CLOCK_RESET:
		fputs("clock reset", out);
		break;
	}
}

static json_t *clock_json(const void *spec)
{
	const clock_spec *c = spec;
	json_t *o = json_object();
	char buf[GD_DURATION_BUFSZ];
	switch (c->action) {
	case CLOCK_OFFSET:
		json_object_set_new(o, "action", json_string("offset"));
		gd_plan_json_duration(o, "offset", c->offset);
		break;
	case CLOCK_DRIFT:
		json_object_set_new(o, "action", json_string("drift"));
		json_object_set_new(o, "drift_per_hour",
				    json_string(gd_duration_format(
					    c->drift_per_h, buf, sizeof(buf))));
		json_object_set_new(o, "drift_per_hour_ms",
				    json_integer(c->drift_per_h));
		break;
	case CLOCK_RESET:
		json_object_set_new(o, "action", json_string("reset"));
		break;
	}
	return o;
}

static int part_make(gd_faults *f, const gd_plan_entry *e, const void *spec,
		     gd_error **err)
{
	return clock_set(f, e, ((const clock_spec *)spec)->offset, err);
}

static int part_undo(gd_faults *f, const gd_plan_entry *e, const void *spec,
		     gd_error **err)
{
	(void)spec;
	return clock_set(f, e, 0, err);
}

static int part_check(gd_faults *f, const gd_plan_entry *e, const void *spec,
		      bool reverted, char *evidence, size_t size)
{
	size_t used = strlen(evidence);
	if (used && used + 2 < size)
		strcat(evidence, "; ");
	used = strlen(evidence);
	return clock_check(f, e,
			   reverted ? 0 : ((const clock_spec *)spec)->offset,
			   evidence + used, size - used);
}

/* A node comes back with its clock off by an offset; a drift would need
 * the player's ticks from the moment it returns. */
static const char *part_refused(const void *spec)
{
	return ((const clock_spec *)spec)->action == CLOCK_DRIFT
		       ? "a node coming back with a drifting clock (a back_with clock takes an offset)"
		       : NULL;
}

static const gd_fault_ops ops = {
	.apply = clock_apply,
	.heal = clock_heal,
	.prepare = gd_faults_prepare_roots,
	.tick = clock_tick,
	.part_make = part_make,
	.part_undo = part_undo,
	.part_check = part_check,
	.part_refused = part_refused,
};

static const char *const keys[] = {"offset", "drift", "reset"};

const gd_kind gd_kind_clock = {
	.name = "clock",
	.keys = keys,
	.nkeys = GD_ARRAY_SIZE(keys),
	.color = "#00897b",
	.keeps_pre = "keeps",
	.keeps_post = " unheard (its clock off)",
	.parse = clock_parse,
	.instant = instant,
	.shifts_clock = shifts,
	.claims = clock_claims,
	.parse_part = clock_parse_part,
	.part_claims = part_claims,
	.part_describe = clock_print,
	.part_describe_json = clock_json,
	.host_needs = GD_HOST_NEEDS_FAKETIME,
	.ops = &ops,
};
