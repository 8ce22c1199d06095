#include "plan/claims.h"

#include <stdlib.h>
#include <string.h>

const gd_aspect gd_aspect_config = {"change the job system's configuration on",
				    false};

const gd_aspect gd_aspect_renew = {"renew the files of", false};

size_t gd_step_claims(const gd_step *st, gd_claim *out, size_t max)
{
	if (max == 0 || !st->kind->claims)
		return 0;
	return st->kind->claims(st, out, max);
}

size_t gd_change_claims(const gd_change *c, gd_claim *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nparts && n < max; i++)
		n += c->parts[i].kind->part_claims(c->parts[i].spec, out + n,
						   max - n);
	if (c->nconfig && n < max)
		out[n++] = (gd_claim){&gd_aspect_config, NULL};
	if (c->provision.n && n < max)
		out[n++] = (gd_claim){&gd_aspect_renew, NULL};
	return n;
}

struct held {
	gd_claim claim;
	gd_ms start, end;
	size_t owner;
};

struct nodebook {
	struct held *v;
	size_t n, cap;
};

struct gd_claimbook {
	gd_arena *arena;
	struct nodebook *nodes;
	size_t nnodes;
};

gd_claimbook *gd_claimbook_new(gd_arena *a, size_t nnodes)
{
	gd_claimbook *b = gd_arena_alloc(a, sizeof(*b));
	b->arena = a;
	b->nnodes = nnodes;
	b->nodes = gd_arena_array(a, nnodes + 1, sizeof(*b->nodes));
	return b;
}

void gd_claimbook_advance(gd_claimbook *b, gd_ms now)
{
	for (size_t i = 0; i < b->nnodes; i++) {
		struct nodebook *nb = &b->nodes[i];
		size_t k = 0;
		for (size_t j = 0; j < nb->n; j++)
			if (nb->v[j].end > now)
				nb->v[k++] = nb->v[j];
		nb->n = k;
	}
}

static bool same_aspect(gd_claim a, gd_claim b)
{
	if (a.aspect != b.aspect)
		return false;
	return !a.aspect->by_path || strcmp(a.path, b.path) == 0;
}

bool gd_claimbook_find(const gd_claimbook *b, size_t node, gd_claim claim,
		       gd_ms start, gd_ms end, gd_claim_hit *hit)
{
	const struct nodebook *nb = &b->nodes[node];
	for (size_t j = 0; j < nb->n; j++) {
		const struct held *h = &nb->v[j];
		if (same_aspect(h->claim, claim) && h->start < end &&
		    start < h->end) {
			if (hit)
				*hit = (gd_claim_hit){h->owner, h->start,
						      h->end};
			return true;
		}
	}
	return false;
}

void gd_claimbook_add(gd_claimbook *b, size_t node, gd_claim claim, gd_ms start,
		      gd_ms end, size_t owner)
{
	if (end <= start)
		return; /* instants hold nothing */
	struct nodebook *nb = &b->nodes[node];
	if (nb->n == nb->cap) {
		size_t cap = nb->cap ? nb->cap * 2 : 8;
		struct held *v = gd_arena_array(b->arena, cap, sizeof(*v));
		if (nb->n)
			memcpy(v, nb->v, nb->n * sizeof(*v));
		nb->v = v;
		nb->cap = cap;
	}
	nb->v[nb->n++] = (struct held){claim, start, end, owner};
}
