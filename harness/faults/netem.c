/* netem: delay, jitter and loss on everything a target node sends (a
 * netem root qdisc on its eth0, through libnl in the node's network
 * namespace); healed by removing it, which brings back the link's default
 * queue.  The plan refuses two netem steps on one node at once, so a heal
 * has nothing to bring back.
 *
 * Evidence is the kernel's word and, for a delay, the network's: the
 * qdisc read back from every target, and a TCP handshake timed from a
 * target to a peer (at least latency - jitter). */
#include "base/cleanup.h"
#include "faults/engine.h"
#include "plan/claims.h"
#include "plan/print.h"
#include "scenario/parse.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* eth0 in every node's namespace (lo is 1). */
#define NODE_ETH0 2

/* A netem step's settings: its step's spec. */
typedef struct shape {
	gd_ms delay, jitter; /* real time, not scaled */
	double loss_pct;
} shape;

/* The longest latency a step may ask for: beyond it the network is down
 * (a partition), and libnl's tick conversion overflows past ~274 s. */
#define MAX_LATENCY 60000

static bool covers(const gd_plan_entry *e, size_t node)
{
	for (size_t k = 0; k < e->nodes.n; k++)
		if (e->nodes.v[k] == node)
			return true;
	return false;
}

static gd_nl_netem wanted(const gd_plan_entry *e)
{
	const shape *n = e->step->spec;
	return (gd_nl_netem){.delay_us = (uint32_t)(n->delay * 1000),
			     .jitter_us = (uint32_t)(n->jitter * 1000),
			     .loss_pct = n->loss_pct};
}

/* Puts e's netem on node a's eth0 (heal: removes it, if it is there: a
 * node that came back in a new namespace has none).  0, 1 when the node
 * has no namespace to change (released), or a negative errno. */
static int set_one(gd_faults *f, const gd_plan_entry *e, size_t a, bool heal,
		   gd_error **err)
{
	gd_nl *prepared = gd_faults_prepared_nl(f, a), *own = NULL;
	int r = prepared ? 0 : gd_faults_node_nl(f, a, &own, err);
	if (r != 0)
		return r;
	gd_nl *nl = prepared ? prepared : own;
	if (!heal) {
		gd_nl_netem want = wanted(e);
		r = gd_nl_netem_set(nl, NODE_ETH0, &want, err);
	} else {
		gd_nl_netem seen;
		char kind[32];
		r = gd_nl_root_qdisc(nl, NODE_ETH0, &seen, kind, sizeof(kind),
				     err);
		if (r == 1)
			r = gd_nl_netem_del(nl, NODE_ETH0, err);
	}
	gd_nl_close(own);
	return r < 0 ? r : 0;
}

/* Sets (heal: removes) e's netem on each target; a node whose namespace
 * was released is named in skipped.  An apply that fails takes back what
 * it set, since a fault not applied is never healed; a heal goes on to
 * every target and reports the first failure. */
static int set_all(gd_faults *f, const gd_plan_entry *e, bool heal,
		   char *skipped, size_t size, gd_error **err)
{
	int first = 0;
	for (size_t k = 0; k < e->nodes.n; k++) {
		size_t a = e->nodes.v[k];
		gd_error *one = NULL;
		int r = set_one(f, e, a, heal, &one);
		if (r == 1) {
			size_t u = strlen(skipped);
			snprintf(skipped + u, size - u, "%s%s", u ? " " : "",
				 f->st->nodes[a].name);
		} else if (r < 0 && !first) {
			first = r;
			gd_error_prefix(&one, "node \"%s\"",
					f->st->nodes[a].name);
			if (err && !*err)
				*err = one, one = NULL;
		}
		gd_error_free(one);
		if (first && !heal) {
			while (k-- > 0) {
				gd_error *ignored = NULL;
				set_one(f, e, e->nodes.v[k], true, &ignored);
				gd_error_free(ignored);
			}
			break;
		}
	}
	return first;
}

static bool same(const gd_nl_netem *a, const gd_nl_netem *b)
{
	/* libnl carries times in the kernel's ticks: a microsecond or two
	 * of rounding either way. */
	return llabs((long long)a->delay_us - (long long)b->delay_us) <= 2 &&
	       llabs((long long)a->jitter_us - (long long)b->jitter_us) <= 2 &&
	       fabs(a->loss_pct - b->loss_pct) < 1e-6;
}

static void describe(char *buf, size_t size, const gd_nl_netem *q)
{
	char delay[32] = "", jitter[32] = "", loss[32] = "";
	if (q->delay_us)
		snprintf(delay, sizeof(delay), " delay %gms",
			 q->delay_us / 1000.0);
	if (q->jitter_us)
		snprintf(jitter, sizeof(jitter), " jitter %gms",
			 q->jitter_us / 1000.0);
	if (q->loss_pct > 0)
		snprintf(loss, sizeof(loss), " loss %g%%", q->loss_pct);
	snprintf(buf, size, "netem%s%s%s", delay, jitter, loss);
}

/* What each target's eth0 has now, against what it should have (e's
 * netem, or once healed none): 0 all as expected,
 * 1 not (evidence names the nodes that are not, or the first that is). */
static int read_back(gd_faults *f, const gd_plan_entry *e, bool healed,
		     char *evidence, size_t size)
{
	char first[128] = "", wrong[256] = "";
	for (size_t k = 0; k < e->nodes.n; k++) {
		size_t a = e->nodes.v[k];
		const char *name = f->st->nodes[a].name;
		gd_nl *nl = NULL;
		gd_error *err = NULL;
		int has = gd_faults_node_nl(f, a, &nl, &err);
		if (has == 1)
			continue; /* released: named as skipped */
		gd_nl_netem seen;
		char kind[32], got[96];
		if (has == 0)
			has = gd_nl_root_qdisc(nl, NODE_ETH0, &seen, kind,
					       sizeof(kind), &err);
		gd_nl_close(nl);
		if (has < 0)
			snprintf(got, sizeof(got), "unreadable (%s)", err->msg);
		else if (has)
			describe(got, sizeof(got), &seen);
		else
			snprintf(got, sizeof(got), "%s",
				 kind[0] ? kind : "no qdisc");
		gd_error_free(err);
		gd_nl_netem want = wanted(e);
		bool ok =
			has >= 0 && (healed ? !has : has && same(&seen, &want));
		size_t u = strlen(wrong);
		if (!ok)
			snprintf(wrong + u, sizeof(wrong) - u, "%s%s eth0: %s",
				 u ? "; " : "", name, got);
		else if (!first[0])
			snprintf(first, sizeof(first), "%s eth0: %s", name,
				 got);
	}
	snprintf(evidence, size, "read back: %s%s",
		 wrong[0]   ? wrong
		 : first[0] ? first
			    : "no node to read",
		 wrong[0] ? " (not as asked)" : "");
	return wrong[0] != '\0';
}

/* A handshake timed from the first running target to a running node the
 * step leaves alone (or any other): ms, -1 when there was nothing to time
 * or it could not be timed, -2 when the probe failed (why in note). */
static double handshake_ms(gd_faults *f, const gd_plan_entry *e, size_t *from,
			   size_t *to, char *note, size_t size)
{
	const gd_node_rt *nodes = f->st->nodes;
	size_t a = SIZE_MAX, b = SIZE_MAX;
	for (size_t k = 0; k < e->nodes.n && a == SIZE_MAX; k++)
		if (gd_node_running(&nodes[e->nodes.v[k]]))
			a = e->nodes.v[k];
	for (size_t i = 0; i < f->st->nnodes && a != SIZE_MAX; i++) {
		if (i == a || !gd_node_running(&nodes[i]))
			continue;
		if (b == SIZE_MAX || (covers(e, b) && !covers(e, i)))
			b = i;
	}
	if (a == SIZE_MAX || b == SIZE_MAX) {
		snprintf(note, size, "no running pair of nodes to time");
		return -1;
	}
	*from = a;
	*to = b;
	/* Room for the SYN and its answer, delayed, and for one SYN lost
	 * and sent again a second later, within what a probe may take. */
	const shape *n = e->step->spec;
	long long wait = 2 * (n->delay + n->jitter) + 1500;
	if (wait > GD_PROBE_LIMIT_MS - 500) {
		snprintf(note, size,
			 "not timed: a delay this long outlasts a probe");
		return -1;
	}
	char timeout[32];
	snprintf(timeout, sizeof(timeout), "%lld", wait);
	char said[256];
	/* port 9 (discard): nothing listens, the peer's kernel refuses */
	gd_probe(f, a, said, sizeof(said), "rtt", nodes[b].addr, "9", timeout,
		 NULL);
	double ms;
	if (sscanf(said, "rtt %*s %lf ms", &ms) != 1) {
		snprintf(note, size, "%s", said);
		return -2;
	}
	return ms;
}

static int check(gd_faults *f, const gd_plan_entry *e, bool healed,
		 const char *skipped, char *evidence, size_t size)
{
	int bad = read_back(f, e, healed, evidence, size);
	const shape *n = e->step->spec;
	/* A delay shows in a round trip (timed again after the heal, for
	 * the record); a loss percentage does not show in one probe: the
	 * kernel's word stands alone there. */
	char timed[320] = "";
	if (n->delay) {
		size_t a = 0, b = 0;
		char note[256] = "";
		double ms = handshake_ms(f, e, &a, &b, note, sizeof(note));
		if (ms >= 0)
			snprintf(timed, sizeof(timed),
				 "; %s -> %s handshake %.1f ms",
				 f->st->nodes[a].name, f->st->nodes[b].name,
				 ms);
		else
			snprintf(timed, sizeof(timed), "; handshake: %s", note);
		/* Nothing to time leaves the read-back alone; loss may eat
		 * every try of the probe. */
		if (!healed && ms >= 0)
			bad |= ms < (double)(n->delay - n->jitter);
		else if (!healed && ms < -1)
			bad |= !(n->loss_pct > 0 && strstr(note, "ETIMEDOUT"));
	}
	size_t u = strlen(evidence);
	snprintf(evidence + u, size - u, "%s%s%s", timed,
		 *skipped ? "; released, skipped: " : "", skipped);
	return bad;
}

static int netem_apply(gd_faults *f, const gd_plan_entry *e, char *evidence,
		       size_t size, gd_error **err)
{
	char skipped[256] = "";
	int r = set_all(f, e, false, skipped, sizeof(skipped), err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	return check(f, e, false, skipped, evidence, size);
}

static int netem_heal(gd_faults *f, const gd_plan_entry *e, char *evidence,
		      size_t size, gd_error **err)
{
	char skipped[256] = "";
	int r = set_all(f, e, true, skipped, sizeof(skipped), err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	return check(f, e, true, skipped, evidence, size);
}

static int netem_preflight(const gd_plan *p, const gd_step *st, gd_error **err)
{
	int has = gd_nl_netem_works(err);
	if (has < 0)
		return has;
	if (!has)
		return gd_error_set(
			err, EOPNOTSUPP,
			"%s: step \"%s\": netem delay and loss need the kernel's netem queueing discipline, and this kernel has none (build it with CONFIG_NET_SCH_NETEM, or load it: modprobe sch_netem)",
			p->scenario->file, st->id);
	return 0;
}

static void netem_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	shape *n = gd_arena_alloc(r->arena, sizeof(*n));
	st->spec = n;
	parse_lasts(r, obj, st);
	bool lat = RD_FIELD(rd_as_positive_duration, r, obj, "latency", false,
			    &n->delay);
	if (lat && n->delay > MAX_LATENCY) {
		rd_error_at(
			r, "latency",
			"latency over 1m: a network that slow is down (a partition)");
	}
	RD_FIELD(rd_as_percent, r, obj, "loss", false, 0, 100, &n->loss_pct);
	if (json_object_get(obj, "jitter")) {
		if (!json_object_get(obj, "latency"))
			rd_error(r, "\"jitter\" needs \"latency\"");
		else if (RD_FIELD(rd_as_positive_duration, r, obj, "jitter",
				  true, &n->jitter) &&
			 lat && n->jitter > n->delay) {
			rd_error_at(r, "jitter",
				    "jitter larger than the latency it varies");
		}
	}
	if (!json_object_get(obj, "latency") && !json_object_get(obj, "loss"))
		rd_error(r, "a netem step needs \"latency\" or \"loss\"");
}

static const gd_aspect shaping = {"shape the traffic of", false};

static size_t netem_claims(const gd_step *st, gd_claim *out, size_t max)
{
	(void)st;
	(void)max;
	out[0] = (gd_claim){&shaping, NULL};
	return 1;
}

static void netem_describe(const gd_plan *p, const gd_plan_entry *e, FILE *out)
{
	(void)p;
	const shape *n = e->step->spec;
	char buf[GD_DURATION_BUFSZ];
	const char *sep = "";
	if (n->delay) {
		fprintf(out, "latency %s",
			gd_duration_format(n->delay, buf, sizeof(buf)));
		sep = ", ";
	}
	if (n->jitter)
		fprintf(out, " +/- %s",
			gd_duration_format(n->jitter, buf, sizeof(buf)));
	if (n->loss_pct > 0)
		fprintf(out, "%sloss %g%%", sep, n->loss_pct);
}

static json_t *netem_describe_json(const gd_plan *p, const gd_plan_entry *e)
{
	(void)p;
	const shape *n = e->step->spec;
	json_t *o = json_object();
	if (n->delay)
		gd_plan_json_duration(o, "latency", n->delay);
	if (n->jitter)
		gd_plan_json_duration(o, "jitter", n->jitter);
	if (n->loss_pct > 0)
		json_object_set_new(o, "loss_percent", json_real(n->loss_pct));
	return o;
}

static const gd_fault_ops ops = {
	.preflight = netem_preflight,
	.apply = netem_apply,
	.heal = netem_heal,
	.prepare = gd_faults_prepare_nls,
};

static const char *const keys[] = {"latency", "jitter", "loss"};

const gd_kind gd_kind_netem = {
	.name = "netem",
	.lasts = true,
	.keys = keys,
	.nkeys = GD_ARRAY_SIZE(keys),
	.color = "#795548",
	.parse = netem_parse,
	.claims = netem_claims,
	.describe = netem_describe,
	.describe_json = netem_describe_json,
	.host_needs = GD_HOST_NEEDS_TC | GD_HOST_NEEDS_FIREWALL,
	.ops = &ops,
};
