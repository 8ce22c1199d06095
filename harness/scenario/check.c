/* Meaning tier, part one: every name a scenario uses refers to something
 * that exists.  Times, cycles and overlaps need the timeline and are checked
 * by the planner. */
#include "scenario/parse.h"

#include "base/suggest.h"
#include "scenario/targets.h"

#include <stdlib.h>
#include <string.h>

static const gd_scenario *sort_ctx;

static int cmp_by_id(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(sort_ctx->steps[ia].id, sort_ctx->steps[ib].id);
	if (c)
		return c;
	return ia < ib ? -1 : ia > ib;
}

long gd_scenario_step_index(const gd_scenario *s, const char *id)
{
	size_t lo = 0, hi = s->nsteps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->steps[s->steps_by_id[mid]].id, id);
		if (c == 0)
			return (long)s->steps_by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void check_ids(gd_reader *r, gd_scenario *s)
{
	s->steps_by_id =
		gd_arena_array(r->arena, s->nsteps + 1, sizeof(size_t));
	for (size_t i = 0; i < s->nsteps; i++)
		s->steps_by_id[i] = i;
	sort_ctx = s;
	qsort(s->steps_by_id, s->nsteps, sizeof(size_t), cmp_by_id);
	for (size_t i = 1; i < s->nsteps; i++) {
		const gd_step *a = &s->steps[s->steps_by_id[i - 1]];
		const gd_step *b = &s->steps[s->steps_by_id[i]];
		if (strcmp(a->id, b->id) == 0)
			gd_diag_path(r->diags, r->file, b->path,
				     "step id \"%s\" is already used by %s",
				     b->id, a->path);
	}
}

/* Suggestions among step ids: a linear scan, but only on the error path. */
static const char *suggest_step(gd_reader *r, const gd_scenario *s,
				const char *word)
{
	const char **ids =
		gd_arena_array(r->arena, s->nsteps + 1, sizeof(char *));
	for (size_t i = 0; i < s->nsteps; i++)
		ids[i] = s->steps[i].id;
	return gd_suggest(word, ids, s->nsteps);
}

static void check_after(gd_reader *r, const gd_scenario *s, const gd_step *st)
{
	for (size_t i = 0; i < st->after.n; i++) {
		const char *id = st->after.v[i];
		const char *at =
			st->after.n > 1
				? gd_arena_printf(r->arena, "%s.after[%zu]",
						  st->path, i)
				: gd_arena_printf(r->arena, "%s.after",
						  st->path);
		long k = gd_scenario_step_index(s, id);
		if (k == (long)st->index) {
			gd_diag_path(r->diags, r->file, at,
				     "step \"%s\" cannot start after itself",
				     id);
		} else if (k < 0) {
			const char *hint = suggest_step(r, s, id);
			if (hint)
				gd_diag_path(
					r->diags, r->file, at,
					"unknown step \"%s\"; did you mean \"%s\"?",
					id, hint);
			else
				gd_diag_path(r->diags, r->file, at,
					     "unknown step \"%s\"", id);
		}
	}
}

static bool check_names(gd_reader *r, const gd_cluster *c, const gd_strv *names,
			const char *path)
{
	bool ok = true;
	size_t nall;
	const char **all = NULL;
	for (size_t i = 0; i < names->n; i++) {
		size_t *ns, nn;
		if (cluster_lookup(c, r->arena, names->v[i], &ns, &nn))
			continue;
		ok = false;
		if (!all)
			all = cluster_names(c, r->arena, &nall);
		const char *at =
			names->n > 1
				? gd_arena_printf(r->arena, "%s[%zu]", path, i)
				: path;
		const char *hint = gd_suggest(names->v[i], all, nall);
		if (hint)
			gd_diag_path(
				r->diags, r->file, at,
				"unknown node or group \"%s\"; did you mean \"%s\"?",
				names->v[i], hint);
		else
			gd_diag_path(r->diags, r->file, at,
				     "unknown node or group \"%s\"",
				     names->v[i]);
	}
	return ok;
}

static void check_targets(gd_reader *r, const gd_cluster *c,
			  const gd_targets *t)
{
	if (!t->path)
		return;
	bool pick = t->pick || t->pick_pct;
	bool ok = pick ? check_names(r, c, &t->from,
				     gd_arena_printf(r->arena, "%s.from",
						     t->path)) &
				  check_names(r, c, &t->except,
					      gd_arena_printf(r->arena,
							      "%s.except",
							      t->path))
		       : check_names(r, c, &t->names, t->path);
	if (!ok)
		return;

	size_t *nodes, n;
	gd_targets_candidates(c, r->arena, t, &nodes, &n);
	/* Names always select a node (roles and groups are never empty), so
	 * only a pick's "except" can leave nothing. */
	if (n == 0) {
		gd_diag_path(
			r->diags, r->file, t->path,
			"nothing to pick from: \"from\" less \"except\" leaves no node");
		return;
	}
	if (t->pick && t->pick > n)
		gd_diag_path(r->diags, r->file,
			     gd_arena_printf(r->arena, "%s.pick", t->path),
			     "cannot pick %u nodes from a group of %zu",
			     t->pick, n);
}

void check_scenario(gd_reader *r, gd_scenario *s)
{
	const gd_cluster *c = &s->cluster;
	check_ids(r, s);
	for (size_t i = 0; i < s->nsteps; i++) {
		const gd_step *st = &s->steps[i];
		check_after(r, s, st);
		if (st->has_targets)
			check_targets(r, c, &st->targets);
		for (size_t g = 0; g < st->nsides; g++)
			check_targets(r, c, &st->sides[g]);
	}
}
