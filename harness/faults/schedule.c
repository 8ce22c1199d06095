#include "faults/schedule.h"

#include <errno.h>
#include <stdlib.h>

const char *gd_action_kind_name(enum gd_action_kind k)
{
	static const char *const names[] = {"apply", "heal", "change-end",
					    "drain"};
	return names[k];
}

static bool instant(const gd_plan_entry *e)
{
	return e->end == e->start && !e->until_end;
}

static int cmp_action(const void *a, const void *b)
{
	const gd_action *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	bool xa = x->kind == GD_ACT_APPLY, ya = y->kind == GD_ACT_APPLY;
	if (xa != ya)
		return xa ? 1 : -1;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

int gd_schedule_build(const gd_plan *p, gd_action **out, size_t *n)
{
	gd_action *v = calloc(p->nentries * 4 + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < p->nentries; i++) {
		const gd_plan_entry *e = &p->entries[i];
		if (e->step->drain)
			v[k++] = (gd_action){e->start - e->step->drain,
					     GD_ACT_DRAIN, e};
		v[k++] = (gd_action){e->start, GD_ACT_APPLY, e};
		if (instant(e))
			continue;
		/* A fault or change nothing in the scenario ends stays in
		 * place to the end of the run, past the scenario's duration,
		 * as it would in production: gameday's clean-up after the run
		 * is not part of the day. */
		if (e->until_end)
			continue;
		v[k++] = (gd_action){e->end, GD_ACT_HEAL, e};
		if (e->step->back_with && !e->change_until_end)
			v[k++] = (gd_action){e->change_end, GD_ACT_CHANGE_END,
					     e};
	}
	/* Entries are an array in plan order, so comparing their addresses
	 * keeps plan order among equals. */
	qsort(v, k, sizeof(*v), cmp_action);
	*out = v;
	*n = k;
	return 0;
}
