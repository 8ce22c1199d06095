#include "scenario/targets.h"

#include "scenario/parse.h"

#include <stdbool.h>
#include <string.h>

bool gd_cluster_lookup(const gd_cluster *c, gd_arena *a, const char *name,
		       size_t **nodes, size_t *n)
{
	return cluster_lookup(c, a, name, nodes, n);
}

static void mark(const gd_cluster *c, gd_arena *a, const gd_strv *names,
		 bool *set, bool value)
{
	for (size_t i = 0; i < names->n; i++) {
		size_t *ns, nn;
		if (!cluster_lookup(c, a, names->v[i], &ns, &nn))
			continue;
		for (size_t k = 0; k < nn; k++)
			set[ns[k]] = value;
	}
}

void gd_targets_candidates(const gd_cluster *c, gd_arena *a,
			   const gd_targets *t, size_t **nodes, size_t *n)
{
	bool *in = gd_arena_array(a, c->nnodes + 1, sizeof(bool));
	if (t->pick || t->pick_pct) {
		mark(c, a, &t->from, in, true);
		mark(c, a, &t->except, in, false);
	} else {
		mark(c, a, &t->names, in, true);
	}
	*nodes = gd_arena_array(a, c->nnodes + 1, sizeof(size_t));
	*n = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		if (in[i])
			(*nodes)[(*n)++] = i;
}

size_t gd_targets_count(const gd_targets *t, size_t ncand)
{
	if (t->pick)
		return t->pick;
	if (t->pick_pct)
		return (ncand * t->pick_pct + 99) / 100;
	return ncand;
}
