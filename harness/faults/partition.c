/* Partitions, through libnl in the senders' network namespaces: for every
 * sender a and destination b that the fault cuts apart, one cut in a
 * (GD_CUT_*: a neighbour entry that makes the bridge drop a's frames, or
 * an unreachable/prohibit route).  Cuts are counted, so partitions
 * compose; the first to cut a pair decides how. */
#include "base/cleanup.h"
#include "faults/engine.h"
#include "plan/print.h"
#include "scenario/parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum shape { ISOLATE, SPLIT, ONEWAY };

/* A partition step's settings; the nodes are its step's targets (each
 * isolated) or sides (split; one-way: from cannot send to to). */
typedef struct partition_spec {
	enum shape shape;
	enum gd_nl_cut cut; /* how: silent (blackhole), unreachable, prohibit */
} partition_spec;

static const partition_spec *spec_of(const gd_plan_entry *e)
{
	return e->step->spec;
}

static bool has(const gd_nodeset *set, size_t node)
{
	for (size_t k = 0; k < set->n; k++)
		if (set->v[k] == node)
			return true;
	return false;
}

/* Whether the entry stops a sending to b: a and b on different sides of
 * a split or isolation, or a in "from" and b in "to" of a one-way cut. */
static bool cuts(const gd_plan_entry *e, size_t a, size_t b)
{
	if (a == b)
		return false;
	if (spec_of(e)->shape == ONEWAY)
		return e->nsides == 2 && has(&e->sides[0], a) &&
		       has(&e->sides[1], b);
	for (size_t i = 0; i < e->nsides; i++)
		for (size_t j = 0; j < e->nsides; j++)
			if (i != j && has(&e->sides[i], a) &&
			    has(&e->sides[j], b))
				return true;
	return false;
}

/* Whether node a sends anything the entry cuts. */
static bool sends(const gd_faults *f, const gd_plan_entry *e, size_t a)
{
	for (size_t b = 0; b < f->st->nnodes; b++)
		if (cuts(e, a, b))
			return true;
	return false;
}

/* One pair's cut made (heal: removed) when it is the pair's first (its
 * last heal): through nl, a's network handle, or where the backend has
 * none to give (a real host), through its own cut. */
static int pair_cut(gd_faults *f, size_t a, size_t b, enum gd_nl_cut kind,
		    bool heal, gd_nl *nl, gd_error **err)
{
	size_t n = f->st->nnodes;
	unsigned char *count = &f->cuts[a * n + b];
	if (heal ? *count == 0 || --*count > 0 : (*count)++ > 0)
		return 0;
	if (!heal)
		f->cut_kind[a * n + b] = kind;
	kind = f->cut_kind[a * n + b];
	if (!nl)
		return gd_cluster_cut(f->st, a, b, kind, heal, err);
	if (heal)
		return gd_nl_cut_del(nl, kind, 2,
				     gd_cluster_node_addr(f->st, b), err);
	uint8_t mac[6];
	gd_node_mac(a, mac);
	return gd_nl_cut_add(nl, kind, 2, mac, gd_cluster_node_addr(f->st, b),
			     err);
}

/* Adds (heal: removes) the entry's cuts, one socket per sender (opened
 * ahead by the player, or here; none for a backend that has none to
 * offer).  A node whose namespace was released has none to change: it is
 * skipped and named in skipped. */
static int set_cuts(gd_faults *f, const gd_plan_entry *e, bool heal,
		    char *skipped, size_t size, gd_error **err)
{
	size_t n = f->st->nnodes;
	enum gd_nl_cut kind = spec_of(e)->cut;
	for (size_t a = 0; a < n; a++) {
		if (!sends(f, e, a))
			continue;
		gd_nl *prepared = gd_faults_prepared_nl(f, a), *own = NULL;
		int r = prepared ? 0 : gd_faults_node_nl(f, a, &own, err);
		if (r == -EOPNOTSUPP && err) {
			gd_error_free(*err);
			*err = NULL;
		}
		if (r == -EOPNOTSUPP)
			r = 0;
		if (r == 1) {
			size_t u = strlen(skipped);
			snprintf(skipped + u, size - u, "%s%s", u ? " " : "",
				 f->st->nodes[a].name);
			continue;
		}
		gd_nl *nl = prepared ? prepared : own;
		for (size_t b = 0; b < n && r == 0; b++)
			if (cuts(e, a, b))
				r = pair_cut(f, a, b, kind, heal, nl, err);
		gd_nl_close(own);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The first pair cut: a probe from a to b's discard port.  Reachable,
 * b's kernel refuses it; cut, it times out (silent) or fails at once. */
static int check(gd_faults *f, const gd_plan_entry *e, bool cut_now,
		 const char *skipped, char *evidence, size_t size)
{
	enum gd_nl_cut cut = spec_of(e)->cut;
	if (e->nsides < 2 || !e->sides[0].n || !e->sides[1].n) {
		snprintf(evidence, size, "nothing to cut");
		return 1;
	}
	size_t a = e->sides[0].v[0], b = e->sides[1].v[0];
	const char *want = !cut_now		       ? NULL
			   : cut == GD_CUT_PROHIBIT    ? "EACCES"
			   : cut == GD_CUT_UNREACHABLE ? "EHOSTUNREACH"
						       : "ETIMEDOUT";
	char said[256];
	gd_probe(f, a, said, sizeof(said), "connect", f->st->nodes[b].addr, "9",
		 "300", NULL);
	bool ok = want ? strstr(said, want) != NULL
		       : strstr(said, "ECONNREFUSED") != NULL ||
				  strncmp(said, "connected", 9) == 0;
	snprintf(evidence, size, "%s -> %s: %s%s%s", f->st->nodes[a].name,
		 f->st->nodes[b].name, said,
		 *skipped ? "; released, skipped: " : "", skipped);
	return !ok;
}

static int partition_apply(gd_faults *f, const gd_plan_entry *e, char *evidence,
			   size_t size, gd_error **err)
{
	char skipped[256] = "";
	int r = set_cuts(f, e, false, skipped, sizeof(skipped), err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	return check(f, e, true, skipped, evidence, size);
}

static int partition_heal(gd_faults *f, const gd_plan_entry *e, char *evidence,
			  size_t size, gd_error **err)
{
	char skipped[256] = "";
	int r = set_cuts(f, e, true, skipped, sizeof(skipped), err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	/* Healed, unless another partition still cuts the same pair. */
	return check(f, e, false, skipped, evidence, size);
}

/* A netlink socket in each sender's namespace: a cut is made there. */
static void partition_prepare(gd_faults *f, const gd_plan_entry *e, bool apply)
{
	(void)apply;
	for (size_t i = 0; i < f->st->nnodes; i++)
		if (sends(f, e, i))
			gd_faults_prepare_nl(f, i);
}

static void parse_groups(gd_reader *r, json_t *groups, gd_step *st)
{
	size_t m = rd_push_key(r, "groups");
	if (!json_is_array(groups) || json_array_size(groups) < 2) {
		rd_error(r,
			 "expected an array of at least two groups of targets");
	} else {
		size_t n = json_array_size(groups);
		st->sides = gd_arena_array(r->arena, n, sizeof(gd_targets));
		st->nsides = n;
		for (size_t i = 0; i < n; i++) {
			size_t mi = rd_push_index(r, i);
			parse_targets(r, json_array_get(groups, i),
				      &st->sides[i]);
			rd_pop(r, mi);
		}
	}
	rd_pop(r, m);
}

static void partition_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	partition_spec *pt = gd_arena_alloc(r->arena, sizeof(*pt));
	st->spec = pt;
	json_t *groups = json_object_get(obj, "groups");
	json_t *from = json_object_get(obj, "from");
	json_t *to = json_object_get(obj, "to");
	bool isolate = json_object_get(obj, "targets") != NULL;
	int shapes = isolate + !!groups + !!(from || to);
	parse_lasts(r, obj, st);
	if (shapes != 1) {
		rd_error(
			r,
			shapes ? "a partition takes one of \"targets\" (isolate), \"groups\" (split) or \"from\"+\"to\" (one-way), not several"
			       : "a partition needs \"targets\" (isolate them), \"groups\" (split the cluster) or \"from\" and \"to\" (one-way cut)");
		return;
	}
	if (isolate)
		pt->shape = ISOLATE;
	if (groups) {
		pt->shape = SPLIT;
		parse_groups(r, groups, st);
	}
	if (from || to) {
		pt->shape = ONEWAY;
		if (!from || !to)
			rd_error(
				r,
				"a one-way partition needs both \"from\" and \"to\"");
		st->sides = gd_arena_array(r->arena, 2, sizeof(gd_targets));
		st->nsides = 2;
		parse_targets_field(r, obj, "from", &st->sides[0]);
		parse_targets_field(r, obj, "to", &st->sides[1]);
	}
	static const char *const modes[] = {"blackhole", "unreachable",
					    "prohibit"};
	static const enum gd_nl_cut cuts_of[] = {
		GD_CUT_SILENT, GD_CUT_UNREACHABLE, GD_CUT_PROHIBIT};
	int mode = 0;
	RD_FIELD(rd_as_choice, r, obj, "mode", false, modes, 3, &mode);
	pt->cut = cuts_of[mode];
}

/* A cut's word in the plan's text and in its JSON. */
static const char *cut_word(enum gd_nl_cut cut, bool json)
{
	switch (cut) {
	case GD_CUT_UNREACHABLE:
		return "unreachable";
	case GD_CUT_PROHIBIT:
		return "prohibit";
	default:
		return json ? "blackhole" : "silent";
	}
}

static void partition_describe(const gd_plan *p, const gd_plan_entry *e,
			       FILE *out)
{
	const gd_cluster *c = &p->scenario->cluster;
	const partition_spec *pt = spec_of(e);
	if (pt->shape == ISOLATE) {
		fputs("isolated", out);
	} else if (pt->shape == SPLIT) {
		fputs("split", out);
		for (size_t g = 0; g < e->nsides; g++) {
			fputs(g ? " | [" : " [", out);
			gd_plan_nodes_print(out, c, &e->sides[g]);
			fputs("]", out);
		}
	} else {
		fputs("one-way: ", out);
		gd_plan_nodes_print(out, c, &e->sides[0]);
		fputs(" cannot send to ", out);
		gd_plan_nodes_print(out, c, &e->sides[1]);
	}
	fprintf(out, " (%s)", cut_word(pt->cut, false));
}

static json_t *partition_describe_json(const gd_plan *p, const gd_plan_entry *e)
{
	static const char *const shapes[] = {"isolate", "split", "one-way"};
	const partition_spec *pt = spec_of(e);
	json_t *o = json_object();
	json_object_set_new(o, "shape", json_string(shapes[pt->shape]));
	json_object_set_new(o, "mode", json_string(cut_word(pt->cut, true)));
	json_t *sides = json_array();
	for (size_t g = 0; g < e->nsides; g++)
		json_array_append_new(sides,
				      gd_plan_nodes_json(&p->scenario->cluster,
							 &e->sides[g]));
	json_object_set_new(o, "sides", sides);
	return o;
}

static const gd_fault_ops ops = {
	.apply = partition_apply,
	.heal = partition_heal,
	.prepare = partition_prepare,
};

static const char *const keys[] = {"groups", "from", "to", "mode"};

/* It holds no aspect of a node: partitions compose, several cuts can
 * hold at once (the cuts are counted). */
const gd_kind gd_kind_partition = {
	.name = "partition",
	.lasts = true,
	.silences = true,
	.splits = true,
	.keeps_pre = "cuts",
	.keeps_post = " off",
	.keys = keys,
	.nkeys = GD_ARRAY_SIZE(keys),
	.targets_optional = true,
	.color = "#ef6c00",
	.parse = partition_parse,
	.describe = partition_describe,
	.describe_json = partition_describe_json,
	.host_needs = GD_HOST_NEEDS_FIREWALL,
	.ops = &ops,
};
