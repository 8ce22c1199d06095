#include "plan/plan.h"

#include "base/cleanup.h"
#include "base/prng.h"
#include "base/strbuf.h"
#include "jobsys/jobsys.h"
#include "plan/claims.h"
#include "plan/dag.h"
#include "scenario/targets.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLAIMS 16

const char *gd_seed_source_name(enum gd_seed_source s)
{
	switch (s) {
	case GD_SEED_COMMAND_LINE:
		return "command line";
	case GD_SEED_SCENARIO:
		return "scenario";
	case GD_SEED_RANDOM:
		return "random";
	}
	return "?";
}

typedef struct planner {
	const gd_scenario *s;
	gd_arena *a;
	gd_diags *diags;
	uint64_t seed;
	/* per step, from the timing pass */
	gd_ms *start, *span;
	bool *until_end;
	size_t *count; /* nodes each step's selector chooses */
	gd_claimbook *book;
	gd_plan *plan;
	size_t cap;
	bool failed;
} planner;

static const char *fmt_ms(planner *p, gd_ms ms)
{
	char buf[GD_DURATION_BUFSZ];
	return gd_arena_strdup(p->a, gd_duration_format(ms, buf, sizeof(buf)));
}

static void problem(planner *p, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(planner *p, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gd_diag_vpath(p->diags, p->s->file, path, fmt, ap);
	va_end(ap);
	p->failed = true;
}

/* Nodes of a selector in the order a reader sees them: names as listed
 * (groups expanded in cluster order), without repeats. */
static gd_nodeset listed(planner *p, const gd_targets *t)
{
	const gd_cluster *c = &p->s->cluster;
	gd_nodeset set = {gd_arena_array(p->a, c->nnodes + 1, sizeof(size_t)),
			  0};
	bool *seen = gd_arena_array(p->a, c->nnodes + 1, sizeof(bool));
	for (size_t i = 0; i < t->names.n; i++) {
		size_t *ns, nn;
		if (!gd_cluster_lookup(c, p->a, t->names.v[i], &ns, &nn))
			continue;
		for (size_t k = 0; k < nn; k++)
			if (!seen[ns[k]]) {
				seen[ns[k]] = true;
				set.v[set.n++] = ns[k];
			}
	}
	return set;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* Pass 1: how long each step lasts, knowing only how many nodes it takes. */
static void spans(planner *p)
{
	const gd_scenario *s = p->s;
	for (size_t i = 0; i < s->nsteps; i++) {
		const gd_step *st = &s->steps[i];
		if (st->has_targets) {
			size_t *nodes, n;
			gd_targets_candidates(&s->cluster, p->a, &st->targets,
					      &nodes, &n);
			p->count[i] = gd_targets_count(&st->targets, n);
		}
		bool instant = st->kind->instant && st->kind->instant(st);
		if (instant) {
			p->span[i] = 0;
		} else if (st->wave) {
			size_t size = st->wave->size;
			size_t batches = (p->count[i] + size - 1) / size;
			p->span[i] = (gd_ms)batches * st->for_ms +
				     (gd_ms)(batches ? batches - 1 : 0) *
					     st->wave->gap;
		} else if (st->has_for) {
			p->span[i] = st->for_ms;
		} else {
			p->until_end[i] =
				true; /* lasts until the scenario ends */
		}
	}
}

/* Pass 2: start times, in dependency order. */
static bool times(planner *p)
{
	const gd_scenario *s = p->s;
	size_t n = s->nsteps;
	const size_t **deps = gd_arena_array(p->a, n + 1, sizeof(*deps));
	size_t *ndeps = gd_arena_array(p->a, n + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		const gd_step *st = &s->steps[i];
		size_t *d =
			gd_arena_array(p->a, st->after.n + 1, sizeof(size_t));
		for (size_t k = 0; k < st->after.n; k++)
			d[k] = (size_t)gd_scenario_step_index(s,
							      st->after.v[k]);
		deps[i] = d;
		ndeps[i] = st->after.n;
	}
	size_t *order = gd_arena_array(p->a, n + 1, sizeof(size_t));
	size_t *cycle = gd_arena_array(p->a, n + 1, sizeof(size_t)), ncycle;
	if (gd_dag_order(n, deps, ndeps, order, cycle, &ncycle) < 0) {
		/* "a -> b -> a": each step waits for the next one named. */
		_cleanup_strbuf_ gd_strbuf text = GD_STRBUF_INIT;
		for (size_t k = 0; k <= ncycle; k++)
			gd_strbuf_addf(&text, "%s\"%s\"", k ? " -> " : "",
				       s->steps[cycle[k % ncycle]].id);
		problem(p, s->steps[cycle[0]].path,
			"steps wait for each other in a cycle: %s (each starts after the next)",
			text.buf);
		return false;
	}

	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		const gd_step *st = &s->steps[i];
		if (st->has_at) {
			p->start[i] = st->at;
			continue;
		}
		gd_ms t = 0;
		for (size_t d = 0; d < st->after.n; d++) {
			size_t j = deps[i][d];
			if (p->until_end[j]) {
				problem(p, st->path,
					"starts after step \"%s\", which lasts until the scenario ends (give it a \"for\")",
					s->steps[j].id);
				return false;
			}
			if (p->start[j] + p->span[j] > t)
				t = p->start[j] + p->span[j];
		}
		p->start[i] = t + st->delay;
	}
	return true;
}

static gd_plan_entry *new_entry(planner *p)
{
	gd_plan *pl = p->plan;
	if (pl->nentries == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		gd_plan_entry *v = gd_arena_array(p->a, cap, sizeof(*v));
		if (pl->nentries)
			memcpy(v, pl->entries, pl->nentries * sizeof(*v));
		pl->entries = v;
		p->cap = cap;
	}
	gd_plan_entry *e = &pl->entries[pl->nentries++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* Picks a selector's nodes.  Random picks draw from the step's own stream
 * and pass over nodes whose claimed aspects are busy in [start, end), so a
 * seeded monkey never pauses a node twice at once.  Returns them in pick
 * order (explicit selectors: in listed order). */
static bool resolve(planner *p, const gd_step *st, const gd_targets *t,
		    const char *label, const gd_claim *claims, size_t nclaims,
		    gd_ms start, gd_ms end, const bool *taken, gd_nodeset *out)
{
	const gd_cluster *c = &p->s->cluster;
	if (!(t->pick || t->pick_pct)) {
		*out = listed(p, t);
		return true;
	}
	size_t *cand, ncand;
	gd_targets_candidates(c, p->a, t, &cand, &ncand);
	size_t want = gd_targets_count(t, ncand);
	size_t nfree = 0;
	for (size_t k = 0; k < ncand; k++) {
		bool busy = taken && taken[cand[k]];
		for (size_t q = 0; q < nclaims && !busy; q++)
			busy = gd_claimbook_find(p->book, cand[k], claims[q],
						 start, end, NULL);
		if (!busy)
			cand[nfree++] = cand[k];
	}
	if (nfree < want) {
		problem(p, t->path,
			"step \"%s\" picks %zu node%s at %s, but only %zu of the %zu candidates %s free then (the others are already %s)",
			st->id, want, want == 1 ? "" : "s", fmt_ms(p, start),
			nfree, ncand, nfree == 1 ? "is" : "are",
			taken ? "in another group of this partition"
			      : "claimed by overlapping faults");
		return false;
	}
	gd_prng r;
	gd_prng_stream(&r, p->seed, label);
	size_t *idx = gd_arena_array(p->a, nfree + 1, sizeof(size_t));
	gd_prng_pick(&r, idx, nfree, want);
	out->v = gd_arena_array(p->a, want + 1, sizeof(size_t));
	out->n = want;
	for (size_t k = 0; k < want; k++)
		out->v[k] = cand[idx[k]];
	return true;
}

static void sort_set(gd_nodeset *set)
{
	qsort(set->v, set->n, sizeof(size_t), cmp_size);
}

/* Records the claims of one entry, rejecting overlaps with earlier ones. */
static void claim(planner *p, const gd_step *st, const char *path,
		  const gd_nodeset *nodes, const gd_claim *claims,
		  size_t nclaims, gd_ms start, gd_ms end, size_t owner)
{
	const gd_cluster *c = &p->s->cluster;
	for (size_t k = 0; k < nodes->n; k++) {
		for (size_t q = 0; q < nclaims; q++) {
			gd_claim_hit hit;
			if (gd_claimbook_find(p->book, nodes->v[k], claims[q],
					      start, end, &hit)) {
				const gd_step *other = &p->s->steps[hit.owner];
				problem(p, path,
					"on node \"%s\", step \"%s\" (%s to %s) overlaps step \"%s\" (%s to %s): both %s the node",
					c->nodes[nodes->v[k]].name, st->id,
					fmt_ms(p, start), fmt_ms(p, end),
					other->id, fmt_ms(p, hit.start),
					fmt_ms(p, hit.end),
					claims[q].aspect->verb);
				continue;
			}
			gd_claimbook_add(p->book, nodes->v[k], claims[q], start,
					 end, owner);
		}
	}
}

/* The sides a splitting step cuts apart: the sides it names or, without
 * any, each of its targets alone and the rest of the cluster. */
static void split_sides(planner *p, const gd_step *st, gd_plan_entry *e)
{
	const gd_cluster *c = &p->s->cluster;
	bool *taken = gd_arena_array(p->a, c->nnodes + 1, sizeof(bool));

	if (!st->nsides) {
		gd_nodeset t;
		if (!resolve(p, st, &st->targets,
			     gd_arena_printf(p->a, "step:%s", st->id), NULL, 0,
			     e->start, e->end, NULL, &t))
			return;
		sort_set(&t);
		e->nodes = t;
		/* Each isolated node is a side of its own; the rest of the
		 * cluster, if any, is one more. */
		e->sides = gd_arena_array(p->a, t.n + 1, sizeof(gd_nodeset));
		for (size_t k = 0; k < t.n; k++) {
			taken[t.v[k]] = true;
			e->sides[e->nsides].v = &t.v[k];
			e->sides[e->nsides++].n = 1;
		}
		gd_nodeset rest = {
			gd_arena_array(p->a, c->nnodes + 1, sizeof(size_t)), 0};
		for (size_t i = 0; i < c->nnodes; i++)
			if (!taken[i])
				rest.v[rest.n++] = i;
		if (rest.n)
			e->sides[e->nsides++] = rest;
		if (e->nsides < 2)
			problem(p, st->targets.path,
				"isolating a node needs a cluster of at least two nodes");
		return;
	}

	const gd_targets *groups = st->sides;
	size_t ngroups = st->nsides;
	e->sides = gd_arena_array(p->a, ngroups, sizeof(gd_nodeset));
	e->nsides = ngroups;
	gd_nodeset all = {gd_arena_array(p->a, c->nnodes + 1, sizeof(size_t)),
			  0};
	for (size_t g = 0; g < ngroups; g++) {
		gd_nodeset side;
		if (!resolve(
			    p, st, &groups[g],
			    gd_arena_printf(p->a, "step:%s:side%zu", st->id, g),
			    NULL, 0, e->start, e->end, taken, &side))
			return;
		for (size_t k = 0; k < side.n; k++) {
			if (taken[side.v[k]]) {
				problem(p, groups[g].path,
					"node \"%s\" is on both sides of the partition",
					c->nodes[side.v[k]].name);
				return;
			}
			taken[side.v[k]] = true;
			all.v[all.n++] = side.v[k];
		}
		sort_set(&side);
		e->sides[g] = side;
	}
	sort_set(&all);
	e->nodes = all;
}

static void change_window(planner *p, const gd_step *st, gd_plan_entry *e)
{
	const gd_change *ch = st->back_with;
	e->change_until_end = !ch->has_for;
	e->change_end = ch->has_for ? e->end + ch->for_ms : p->s->duration;
	if (ch->has_for && e->change_end > p->s->duration)
		problem(p, gd_arena_printf(p->a, "%s.for", ch->path),
			"the changed state of step \"%s\" lasts until %s, after the scenario ends at %s",
			e->id, fmt_ms(p, e->change_end),
			fmt_ms(p, p->s->duration));
}

/* Pass 3: resolve every step in start order into plan entries. */
static void place(planner *p, size_t i)
{
	const gd_scenario *s = p->s;
	const gd_step *st = &s->steps[i];
	gd_ms start = p->start[i];
	gd_ms end = p->until_end[i] ? s->duration : start + p->span[i];

	if (start >= s->duration) {
		problem(p, st->path,
			"step \"%s\" starts at %s, when the scenario (%s) is already over",
			st->id, fmt_ms(p, start), fmt_ms(p, s->duration));
		return;
	}
	if (end > s->duration) {
		problem(p, st->path,
			"step \"%s\" heals at %s, after the scenario ends at %s (it starts at %s and lasts %s)",
			st->id, fmt_ms(p, end), fmt_ms(p, s->duration),
			fmt_ms(p, start), fmt_ms(p, p->span[i]));
		return;
	}

	if (st->drain && s->cluster.system == GD_SYSTEM_NONE)
		problem(p, gd_arena_printf(p->a, "%s.drain", st->path),
			"step \"%s\" drains its nodes, but this cluster runs no job system to drain them in",
			st->id);
	else if (st->drain > start)
		problem(p, gd_arena_printf(p->a, "%s.drain", st->path),
			"step \"%s\" would drain its nodes %s before it starts at %s, before the scenario begins",
			st->id, fmt_ms(p, st->drain), fmt_ms(p, start));

	gd_claim claims[MAX_CLAIMS], change[MAX_CLAIMS];
	size_t nclaims = gd_step_claims(st, claims, MAX_CLAIMS);
	size_t nchange = st->back_with ? gd_change_claims(st->back_with, change,
							  MAX_CLAIMS)
				       : 0;

	if (st->kind->splits) {
		gd_plan_entry *e = new_entry(p);
		e->step = st;
		e->id = st->id;
		e->start = start;
		e->end = end;
		split_sides(p, st, e);
		return;
	}

	/* A pick must find its nodes free for the whole step, and for a
	 * changed return, until the change ends too. */
	gd_claim all[2 * MAX_CLAIMS];
	memcpy(all, claims, nclaims * sizeof(*claims));
	memcpy(all + nclaims, change, nchange * sizeof(*change));
	gd_ms busy_until = end;
	if (nchange)
		busy_until = st->back_with->has_for
				     ? end + st->back_with->for_ms
				     : s->duration;
	gd_nodeset nodes;
	if (!resolve(p, st, &st->targets,
		     gd_arena_printf(p->a, "step:%s", st->id), all,
		     nclaims + nchange, start, busy_until, NULL, &nodes))
		return;

	if (st->wave && st->wave->shuffle) {
		gd_prng r;
		gd_prng_stream(&r, p->seed,
			       gd_arena_printf(p->a, "wave:%s", st->id));
		size_t *idx = gd_arena_array(p->a, nodes.n + 1, sizeof(size_t));
		gd_prng_pick(&r, idx, nodes.n, nodes.n);
		size_t *v = gd_arena_array(p->a, nodes.n + 1, sizeof(size_t));
		for (size_t k = 0; k < nodes.n; k++)
			v[k] = nodes.v[idx[k]];
		nodes.v = v;
	}

	size_t size = st->wave ? st->wave->size : nodes.n;
	size_t batches = st->wave ? (nodes.n + size - 1) / size : 1;
	for (size_t b = 0; b < batches; b++) {
		gd_plan_entry *e = new_entry(p);
		e->step = st;
		e->batch = st->wave ? (unsigned)b + 1 : 0;
		e->id = st->wave
				? gd_arena_printf(p->a, "%s#%zu", st->id, b + 1)
				: st->id;
		e->until_end = p->until_end[i];
		e->start =
			start +
			(gd_ms)b * (st->wave ? st->for_ms + st->wave->gap : 0);
		e->end = st->wave ? e->start + st->for_ms : end;
		size_t from = b * size;
		size_t n = nodes.n - from < size ? nodes.n - from : size;
		e->nodes.v = gd_arena_array(p->a, n + 1, sizeof(size_t));
		memcpy(e->nodes.v, nodes.v + from, n * sizeof(size_t));
		e->nodes.n = n;
		sort_set(&e->nodes);
		claim(p, st, st->path, &e->nodes, claims, nclaims, e->start,
		      e->end, i);
		if (st->back_with) {
			change_window(p, st, e);
			claim(p, st, st->back_with->path, &e->nodes, change,
			      nchange, e->end, e->change_end, i);
		}
	}
}

static const planner *cmp_ctx;

static int cmp_start(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	gd_ms sx = cmp_ctx->start[x], sy = cmp_ctx->start[y];
	if (sx != sy)
		return sx < sy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_entry(const void *a, const void *b)
{
	const gd_plan_entry *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->step->index != y->step->index)
		return x->step->index < y->step->index ? -1 : 1;
	return x->batch < y->batch ? -1 : x->batch > y->batch;
}

static int cmp_job(const void *a, const void *b)
{
	const gd_plan_job *x = a, *y = b;
	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Job k of a group whose kind gives each job its own times. */
static void own_job(const gd_job_group *jg, unsigned k, gd_plan_job *j)
{
	gd_kind_job kj;
	jg->kind->job(jg, k, &kj);
	j->id = kj.id;
	j->submit = jg->submit_at + kj.submit;
	j->runtime = kj.runtime;
	j->deadline = j->submit + kj.deadline;
	j->expected_lo = kj.expected_lo;
	j->expected_hi = kj.expected_hi;
}

/* Job k of a group whose jobs share its pattern: its work drawn from
 * the group's range. */
static void drawn_job(planner *p, const gd_job_group *jg, unsigned k, int width,
		      gd_prng *r, gd_plan_job *j)
{
	j->id = gd_arena_printf(p->a, "%s-%0*u", jg->name, width, k + 1);
	j->submit = jg->submit_at;
	if (jg->submit_over)
		j->submit += jg->submit_over * (gd_ms)k / (gd_ms)jg->jobs;
	else if (jg->submit_every)
		j->submit += jg->submit_every * (gd_ms)k;
	/* Whole seconds: plans are read by people. */
	gd_ms lo = (jg->runtime_lo + 999) / 1000;
	gd_ms hi = jg->runtime_hi / 1000;
	j->runtime = (hi > lo ? gd_prng_range(r, lo, hi) : lo) * 1000;
	j->deadline = j->submit + jg->deadline;
	j->expected_lo = jg->expected_lo;
	j->expected_hi = jg->expected_hi;
}

static void jobs(planner *p)
{
	const gd_scenario *s = p->s;
	size_t total = 0;
	for (size_t g = 0; g < s->ngroups; g++)
		total += s->groups[g].jobs;
	gd_plan *pl = p->plan;
	pl->jobs = gd_arena_array(p->a, total + 1, sizeof(*pl->jobs));
	for (size_t g = 0; g < s->ngroups; g++) {
		const gd_job_group *jg = &s->groups[g];
		gd_prng r;
		gd_prng_stream(&r, p->seed,
			       gd_arena_printf(p->a, "workload:%s", jg->name));
		int width = 1;
		for (unsigned n = jg->jobs; n >= 10; n /= 10)
			width++;
		gd_ms last = 0;
		for (unsigned k = 0; k < jg->jobs; k++) {
			gd_plan_job *j = &pl->jobs[pl->njobs++];
			j->group = g;
			if (jg->kind->job)
				own_job(jg, k, j);
			else
				drawn_job(p, jg, k, width, &r, j);
			if (j->submit > last)
				last = j->submit;
		}
		if (last >= s->duration)
			problem(p, jg->path,
				"the last job of group \"%s\" is submitted at %s, when the scenario (%s) is already over",
				jg->name, fmt_ms(p, last),
				fmt_ms(p, s->duration));
	}
	cmp_ctx = p;
	qsort(pl->jobs, pl->njobs, sizeof(*pl->jobs), cmp_job);
}

gd_plan *gd_plan_build(const gd_scenario *s, uint64_t seed,
		       enum gd_seed_source source, gd_diags *diags)
{
	/* The team's configuration of the job system is meaning too: its
	 * lines are checked by the system's driver, which knows its keys. */
	if (gd_jobsys_check_config(&s->cluster, diags))
		return NULL;
	gd_arena *a = s->arena;
	size_t n = s->nsteps;
	planner p = {
		.s = s,
		.a = a,
		.diags = diags,
		.seed = seed,
		.start = gd_arena_array(a, n + 1, sizeof(gd_ms)),
		.span = gd_arena_array(a, n + 1, sizeof(gd_ms)),
		.until_end = gd_arena_array(a, n + 1, sizeof(bool)),
		.count = gd_arena_array(a, n + 1, sizeof(size_t)),
		.book = gd_claimbook_new(a, s->cluster.nnodes),
		.plan = gd_arena_alloc(a, sizeof(gd_plan)),
	};
	p.plan->scenario = s;
	p.plan->seed = seed;
	p.plan->seed_source = source;

	spans(&p);
	if (!times(&p))
		return NULL;

	size_t *order = gd_arena_array(a, n + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	cmp_ctx = &p;
	qsort(order, n, sizeof(size_t), cmp_start);
	for (size_t k = 0; k < n; k++) {
		gd_claimbook_advance(p.book, p.start[order[k]]);
		place(&p, order[k]);
	}
	jobs(&p);
	if (p.failed)
		return NULL;

	gd_plan *pl = p.plan;
	if (pl->nentries)
		qsort(pl->entries, pl->nentries, sizeof(*pl->entries),
		      cmp_entry);
	for (size_t k = 0; k < pl->nentries; k++) {
		const gd_plan_entry *e = &pl->entries[k];
		/* what nothing undoes stays until the run ends: no heal */
		if (!e->until_end && e->end > pl->last_heal)
			pl->last_heal = e->end;
		if (e->step->back_with && !e->change_until_end &&
		    e->change_end > pl->last_heal)
			pl->last_heal = e->change_end;
	}
	return pl;
}
