/* Partitions, through libnl in the senders' network namespaces: for every
 * sender a and destination b that the fault cuts apart, one cut in a
 * (GD_CUT_*: a neighbour entry that makes the bridge drop a's frames, or
 * an unreachable/prohibit route).  Cuts are counted, so partitions
 * compose; the first to cut a pair decides how. */
#include "base/cleanup.h"
#include "faults/engine.h"
#include "plan/print.h"
#include "scenario/parse.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static enum gd_nl_cut cut_of(const gd_partition *p)
{
	return p->mode == GD_PART_UNREACHABLE ? GD_CUT_UNREACHABLE
	       : p->mode == GD_PART_PROHIBIT  ? GD_CUT_PROHIBIT
					      : GD_CUT_SILENT;
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
	if (e->step->partition.shape == GD_PART_ONEWAY)
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

/* Adds (heal: removes) the entry's cuts, one socket per sender (opened
 * ahead by the player, or here).  A node whose namespace was released has
 * none to change: it is skipped and named in skipped. */
static int set_cuts(gd_faults *f, const gd_plan_entry *e, bool heal,
		    char *skipped, size_t size, gd_error **err)
{
	size_t n = f->st->nnodes;
	enum gd_nl_cut kind = cut_of(&e->step->partition);
	for (size_t a = 0; a < n; a++) {
		if (!sends(f, e, a))
			continue;
		gd_nl *prepared = gd_faults_prepared_nl(f, a), *own = NULL;
		int r = prepared ? 0 : gd_faults_node_nl(f, a, &own, err);
		if (r == 1) {
			size_t u = strlen(skipped);
			snprintf(skipped + u, size - u, "%s%s", u ? " " : "",
				 f->st->nodes[a].name);
			continue;
		}
		gd_nl *nl = prepared ? prepared : own;
		for (size_t b = 0; b < n && r == 0; b++) {
			if (!cuts(e, a, b))
				continue;
			/* Only the first cut of a pair and the last heal
			 * change anything. */
			unsigned char *count = &f->cuts[a * n + b];
			if (heal ? *count == 0 || --*count > 0 : (*count)++ > 0)
				continue;
			if (heal) {
				r = gd_nl_cut_del(nl, f->cut_kind[a * n + b], 2,
						  gd_node_addr(b), err);
			} else {
				uint8_t mac[6];
				gd_node_mac(a, mac);
				f->cut_kind[a * n + b] = kind;
				r = gd_nl_cut_add(nl, kind, 2, mac,
						  gd_node_addr(b), err);
			}
		}
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
	const gd_partition *p = &e->step->partition;
	if (e->nsides < 2 || !e->sides[0].n || !e->sides[1].n) {
		snprintf(evidence, size, "nothing to cut");
		return 1;
	}
	size_t a = e->sides[0].v[0], b = e->sides[1].v[0];
	const char *want = !cut_now			    ? NULL
			   : p->mode == GD_PART_PROHIBIT    ? "EACCES"
			   : p->mode == GD_PART_UNREACHABLE ? "EHOSTUNREACH"
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

static void parse_groups(gd_reader *r, json_t *groups, gd_partition *pt)
{
	size_t m = rd_push_key(r, "groups");
	if (!json_is_array(groups) || json_array_size(groups) < 2) {
		rd_error(r,
			 "expected an array of at least two groups of targets");
	} else {
		size_t n = json_array_size(groups);
		pt->groups = gd_arena_array(r->arena, n, sizeof(gd_targets));
		pt->ngroups = n;
		for (size_t i = 0; i < n; i++) {
			size_t mi = rd_push_index(r, i);
			parse_targets(r, json_array_get(groups, i),
				      &pt->groups[i]);
			rd_pop(r, mi);
		}
	}
	rd_pop(r, m);
}

static void partition_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	gd_partition *pt = &st->partition;
	json_t *groups = json_object_get(obj, "groups");
	json_t *from = json_object_get(obj, "from");
	json_t *to = json_object_get(obj, "to");
	bool isolate = json_object_get(obj, "targets") != NULL;
	int shapes = isolate + !!groups + !!(from || to);
	rd_step_lasts(r, obj, st);
	if (shapes != 1) {
		rd_error(
			r,
			shapes ? "a partition takes one of \"targets\" (isolate), \"groups\" (split) or \"from\"+\"to\" (one-way), not several"
			       : "a partition needs \"targets\" (isolate them), \"groups\" (split the cluster) or \"from\" and \"to\" (one-way cut)");
		return;
	}
	if (isolate)
		pt->shape = GD_PART_ISOLATE;
	if (groups) {
		pt->shape = GD_PART_SPLIT;
		parse_groups(r, groups, pt);
	}
	if (from || to) {
		pt->shape = GD_PART_ONEWAY;
		if (!from || !to)
			rd_error(
				r,
				"a one-way partition needs both \"from\" and \"to\"");
		parse_targets_field(r, obj, "from", &pt->from);
		parse_targets_field(r, obj, "to", &pt->to);
	}
	static const char *const modes[] = {"blackhole", "unreachable",
					    "prohibit"};
	int mode = 0;
	RD_FIELD(rd_as_choice, r, obj, "mode", false, modes, 3, &mode);
	pt->mode = (enum gd_partition_mode)mode;
}

static void partition_describe(const gd_plan *p, const gd_plan_entry *e,
			       FILE *out)
{
	static const char *const modes[] = {"silent", "unreachable",
					    "prohibit"};
	const gd_cluster *c = &p->scenario->cluster;
	const gd_partition *pt = &e->step->partition;
	if (pt->shape == GD_PART_ISOLATE) {
		fputs("isolated", out);
	} else if (pt->shape == GD_PART_SPLIT) {
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
	fprintf(out, " (%s)", modes[pt->mode]);
}

static json_t *partition_describe_json(const gd_plan *p, const gd_plan_entry *e)
{
	static const char *const shapes[] = {"isolate", "split", "one-way"};
	static const char *const modes[] = {"blackhole", "unreachable",
					    "prohibit"};
	const gd_partition *pt = &e->step->partition;
	json_t *o = json_object();
	json_object_set_new(o, "shape", json_string(shapes[pt->shape]));
	json_object_set_new(o, "mode", json_string(modes[pt->mode]));
	json_t *sides = json_array();
	for (size_t g = 0; g < e->nsides; g++)
		json_array_append_new(sides,
				      gd_plan_nodes_json(&p->scenario->cluster,
							 &e->sides[g]));
	json_object_set_new(o, "sides", sides);
	return o;
}

static bool always(const gd_step *st)
{
	(void)st;
	return true;
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
	.loses_jobs = always,
	.keeps_pre = "cuts",
	.keeps_post = " off",
	.keys = keys,
	.nkeys = GD_ARRAY_SIZE(keys),
	.targets_optional = true,
	.color = "#ef6c00",
	.parse = partition_parse,
	.describe = partition_describe,
	.describe_json = partition_describe_json,
	.ops = &ops,
};
