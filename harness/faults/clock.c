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

int gd_clock_set(gd_faults *f, const gd_plan_entry *e, gd_ms offset,
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
int gd_clock_check(gd_faults *f, const gd_plan_entry *e, gd_ms offset,
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
	return (gd_ms)((double)e->step->clock.drift_per_h * real_ms * f->scale /
		       3600000.0);
}

static bool is_drift(const gd_plan_entry *e)
{
	return e->step->clock.action == GD_CLOCK_DRIFT;
}

static int clock_apply(gd_faults *f, const gd_plan_entry *e, char *evidence,
		       size_t size, gd_error **err)
{
	const gd_clock *c = &e->step->clock;
	size_t idx = (size_t)(e - f->plan->entries);
	gd_ms offset = c->action == GD_CLOCK_OFFSET ? c->offset : 0;
	if (is_drift(e)) {
		struct drift *d = f->kind_state[idx];
		if (!d && !(d = f->kind_state[idx] = calloc(1, sizeof(*d))))
			return gd_error_make(err, ENOMEM, "cannot drift");
		d->t0_ns = mono_ns();
	}
	int r = gd_clock_set(f, e, offset, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	if (is_drift(e))
		f->ndrifting++;
	return gd_clock_check(f, e, offset, evidence, size);
}

void gd_clock_tick(gd_faults *f)
{
	for (size_t i = 0; i < f->plan->nentries; i++) {
		const gd_plan_entry *e = &f->plan->entries[i];
		if (e->step->kind != &gd_kind_clock || !is_drift(e) ||
		    !f->active[i])
			continue;
		gd_error *err = NULL;
		gd_clock_set(f, e, drifted(f, e), &err);
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
		if (gd_clock_set(f, e, got, &e2) == 0)
			missing += gd_clock_check(f, e, got, evidence, size);
		gd_error_free(e2); /* the reset below matters more */
		size_t used = strlen(evidence);
		snprintf(evidence + used, size - used,
			 " after drifting %+.1f s; reset: ",
			 (double)got / 1000.0);
	}
	int r = gd_clock_set(f, e, 0, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	size_t used = strlen(evidence);
	missing += gd_clock_check(f, e, 0, evidence + used, size - used);
	return missing > 0;
}

static void clock_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	parse_clock_body(r, obj, &st->clock);
	if (st->clock.action == GD_CLOCK_RESET && st->has_for) {
		size_t m = rd_push_key(r, "for");
		rd_error(r, "a clock reset is instant; it takes no \"for\"");
		rd_pop(r, m);
	}
}

/* A reset is instant: it holds nothing. */
static size_t clock_claims(const gd_step *st, gd_claim *out, size_t max)
{
	(void)max;
	if (st->clock.action == GD_CLOCK_RESET)
		return 0;
	out[0] = (gd_claim){&gd_aspect_clock, NULL};
	return 1;
}

static void clock_describe(const gd_plan *p, const gd_plan_entry *e, FILE *out)
{
	(void)p;
	gd_plan_clock_print(out, &e->step->clock);
}

static json_t *clock_describe_json(const gd_plan *p, const gd_plan_entry *e)
{
	(void)p;
	return gd_plan_clock_json(&e->step->clock);
}

/* Each node's root: the clock is set through the node's files. */
static void clock_prepare(gd_faults *f, const gd_plan_entry *e, bool apply)
{
	(void)apply;
	for (size_t k = 0; k < e->nodes.n; k++)
		gd_faults_prepare_root(f, e->nodes.v[k]);
}

static const gd_fault_ops ops = {
	.apply = clock_apply,
	.heal = clock_heal,
	.prepare = clock_prepare,
};

static const char *const keys[] = {"offset", "drift", "reset"};

const gd_kind gd_kind_clock = {
	.name = "clock",
	.keeps_pre = "keeps",
	.keeps_post = " unheard (its clock off)",
	.keys = keys,
	.nkeys = GD_ARRAY_SIZE(keys),
	.color = "#00897b",
	.parse = clock_parse,
	.claims = clock_claims,
	.describe = clock_describe,
	.describe_json = clock_describe_json,
	.ops = &ops,
};
