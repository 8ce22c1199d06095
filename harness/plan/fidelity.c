#include "plan/fidelity.h"

#include "base/duration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum relation { SHORTER, CLOSE, LONGER };

/* Span against a timing that takes effect between early and late. */
static enum relation relate(double span, double early, double late)
{
	if (span * GD_FIDELITY_MARGIN <= early)
		return SHORTER;
	if (span >= (late > early ? late : early) * GD_FIDELITY_MARGIN)
		return LONGER;
	return CLOSE;
}

struct sink {
	gd_fidelity_issue *out;
	size_t max, n;
	const gd_fidelity_issue *only; /* count this one alone */
};

/* Whether a timing's latest matters for a fault: where the node goes on
 * running its jobs and answers nothing (frozen, cut off), every ping of it
 * waits out its time-out, which delays Slurm's verdict on it (the timing's
 * late value), and whether the fault outlasts that decides whether Slurm
 * runs its jobs twice.  A node that is down loses its jobs either way,
 * when Slurm declares it DOWN or when it is back (BACK): only when they
 * are requeued moves, which the requeue check and the bench measure.  A
 * node whose clock munge rejects answers at once, with an error. */
static bool answers_nothing(const gd_step *s)
{
	return s->kind == GD_FAULT_PAUSE || s->kind == GD_FAULT_PARTITION;
}

/* Compares span with t as production has it and as the run at scale
 * would; records an issue when they differ (production's own close calls
 * aside).  A clock offset is real time at every scale: gameday moves the
 * node's clock by what the scenario says. */
static void compare(struct sink *k, const gd_plan_entry *e, size_t node,
		    gd_ms span, const gd_timing *t, double scale)
{
	double per = t->kind == GD_TIMING_CLOCK ? 1 : scale;
	bool late = e && answers_nothing(e->step);
	enum relation prod = relate((double)span, (double)t->production,
				    late ? (double)t->production_late : 0);
	if (prod == CLOSE ||
	    relate((double)span, (double)t->real * per,
		   late ? (double)t->real_late * per : 0) == prod)
		return;
	if (k->only &&
	    (k->only->entry != e || strcmp(k->only->timing.name, t->name) != 0))
		return;
	if (k->n < k->max)
		k->out[k->n] = (gd_fidelity_issue){
			.entry = e,
			.node = node,
			.span = span,
			.timing = *t,
			.longer = prod == LONGER,
		};
	k->n++;
}

/* Steps that can cost a worker's job its node, and so a requeue. */
static bool loses_jobs(const gd_step *s)
{
	switch (s->kind) {
	case GD_FAULT_KILL:
		return !s->kill.service;
	case GD_FAULT_REBOOT:
	case GD_FAULT_PAUSE:
	case GD_FAULT_PARTITION:
		return true;
	default:
		return false;
	}
}

static gd_ms abs_ms(gd_ms v)
{
	return v < 0 ? -v : v;
}

/* Whether timing t is measured against entry e on node. */
static bool measured(const gd_plan_entry *e, const gd_timing *t, size_t node,
		     long controller, bool clock_cut)
{
	const gd_step *s = e->step;
	/* A partition silences the workers the controller cannot hear,
	 * whichever side it names; a controller that is down or frozen pings
	 * no one. */
	bool worker = (long)node != controller || s->kind == GD_FAULT_PARTITION;
	switch (t->kind) {
	case GD_TIMING_SILENT:
		return worker && (loses_jobs(s) || clock_cut);
	case GD_TIMING_STRANDED:
		return worker && (s->kind == GD_FAULT_PAUSE ||
				  s->kind == GD_FAULT_PARTITION || clock_cut);
	case GD_TIMING_BACK:
		return worker && !e->until_end &&
		       (s->kind == GD_FAULT_REBOOT ||
			(s->kind == GD_FAULT_KILL && !s->kill.service));
	case GD_TIMING_CLOCK:
		return (s->kind == GD_FAULT_CLOCK &&
			s->clock.action == GD_CLOCK_OFFSET) ||
		       (s->back_with && s->back_with->clock &&
			s->back_with->clock->action == GD_CLOCK_OFFSET);
	default:
		return false;
	}
}

/* Whether a clock fault moves a node's clock past the credential lifetime
 * in production: the node is then unheard for as long as it lasts. */
static bool cuts_by_clock(const gd_step *s, const gd_timing *t, size_t nt)
{
	if (s->kind != GD_FAULT_CLOCK || s->clock.action != GD_CLOCK_OFFSET)
		return false;
	for (size_t j = 0; j < nt; j++)
		if (t[j].kind == GD_TIMING_CLOCK)
			return relate((double)abs_ms(s->clock.offset),
				      (double)t[j].production,
				      (double)t[j].production_late) == LONGER;
	return false;
}

/* Every node of an entry lasts as long: one comparison per timing. */
static void check_entry(struct sink *k, const gd_plan *p,
			const gd_plan_entry *e, const gd_timing *t, size_t nt,
			double scale, long controller)
{
	const gd_step *s = e->step;
	gd_ms span = (e->until_end ? p->scenario->duration : e->end) - e->start;
	gd_ms offset = s->kind == GD_FAULT_CLOCK ? s->clock.offset
		       : s->back_with && s->back_with->clock
			       ? s->back_with->clock->offset
			       : 0;
	bool clock_cut = cuts_by_clock(s, t, nt);
	for (size_t j = 0; j < nt; j++)
		for (size_t i = 0; i < e->nodes.n; i++)
			if (measured(e, &t[j], e->nodes.v[i], controller,
				     clock_cut)) {
				compare(k, e, e->nodes.v[i],
					t[j].kind == GD_TIMING_CLOCK
						? abs_ms(offset)
						: span,
					&t[j], scale);
				break;
			}
}

/* A requeued job's wait (every REQUEUE timing together) against the slack
 * the tightest deadline leaves beyond a job's expected time. */
static void check_requeue(struct sink *k, const gd_plan *p, const gd_timing *t,
			  size_t nt, double scale)
{
	bool any = false;
	for (size_t i = 0; i < p->nentries && !any; i++)
		any = loses_jobs(p->entries[i].step);
	const gd_scenario *s = p->scenario;
	if (!any || s->ngroups == 0)
		return;
	gd_ms slack = -1;
	for (size_t i = 0; i < s->ngroups; i++) {
		gd_ms g = s->groups[i].deadline - s->groups[i].expected_hi;
		if (slack < 0 || g < slack)
			slack = g;
	}
	for (size_t j = 0; j < nt; j++)
		if (t[j].kind == GD_TIMING_REQUEUE && slack > 0)
			compare(k, NULL, 0, slack, &t[j], scale);
}

/* A job's start against the shortest job expected: a start that takes a
 * second at scale 1000 is 17 minutes of scenario time. */
static void check_start(struct sink *k, const gd_plan *p, const gd_timing *t,
			size_t nt, double scale)
{
	const gd_scenario *s = p->scenario;
	gd_ms shortest = -1;
	for (size_t i = 0; i < s->ngroups; i++)
		if (shortest < 0 || s->groups[i].expected_lo < shortest)
			shortest = s->groups[i].expected_lo;
	for (size_t j = 0; j < nt; j++)
		if (t[j].kind == GD_TIMING_START && shortest > 0)
			compare(k, NULL, 0, shortest, &t[j], scale);
}

static size_t collect(const gd_plan *p, double scale, gd_fidelity_issue *out,
		      size_t max, const gd_fidelity_issue *only)
{
	gd_timing t[GD_TIMINGS_MAX];
	const gd_cluster *c = &p->scenario->cluster;
	size_t nt = gd_jobsys_timings(c, scale, t);
	long controller = gd_jobsys_controller(c);
	struct sink k = {out, max, 0, only};
	for (size_t i = 0; i < p->nentries; i++)
		check_entry(&k, p, &p->entries[i], t, nt, scale, controller);
	check_requeue(&k, p, t, nt, scale);
	check_start(&k, p, t, nt, scale);
	return k.n;
}

/* Whether p is faithful at scale, or (issue) that one comparison is. */
static bool faithful_at(const gd_plan *p, const gd_fidelity_issue *issue,
			double scale)
{
	return collect(p, scale, NULL, 0, issue) == 0;
}

/* The largest whole scale at which issue (NULL: every comparison) holds.
 * Past the scale where a floor is reached a timing only grows in scenario
 * time, so a bisection finds the edge; the rounding of a timing to whole
 * seconds below it can make a smaller scale fail, hence the walk down. */
static double largest(const gd_plan *p, const gd_fidelity_issue *issue)
{
	long lo = 1, hi = GD_SCALE_MAX;
	if (faithful_at(p, issue, (double)hi))
		return (double)hi;
	while (hi - lo > 1) {
		long mid = lo + (hi - lo) / 2;
		if (faithful_at(p, issue, (double)mid))
			lo = mid;
		else
			hi = mid;
	}
	while (lo > 1 && !faithful_at(p, issue, (double)lo))
		lo--;
	return (double)lo;
}

size_t gd_fidelity_check(const gd_plan *p, double scale, gd_fidelity_issue *out,
			 size_t max)
{
	size_t n = collect(p, scale, out, max, NULL);
	for (size_t i = 0; i < n && i < max; i++)
		out[i].max_scale = largest(p, &out[i]);
	return n;
}

double gd_fidelity_max_scale(const gd_plan *p)
{
	return largest(p, NULL);
}

/* How the fault keeps a node from its controller: "keeps NODE down". */
static void verb(const gd_step *s, const char **pre, const char **post)
{
	switch (s->kind) {
	case GD_FAULT_PAUSE:
		*pre = "freezes", *post = "";
		break;
	case GD_FAULT_PARTITION:
		*pre = "cuts", *post = " off";
		break;
	case GD_FAULT_CLOCK:
		*pre = "keeps", *post = " unheard (its clock off)";
		break;
	default:
		*pre = "keeps", *post = " down";
	}
}

void gd_fidelity_explain(const gd_plan *p, const gd_fidelity_issue *i,
			 double scale, char *buf, size_t size)
{
	char span[GD_DURATION_BUFSZ], prod[GD_DURATION_BUFSZ],
		scaled[GD_DURATION_BUFSZ], real[GD_DURATION_BUFSZ];
	const gd_timing *t = &i->timing;
	bool clock = t->kind == GD_TIMING_CLOCK;
	/* A fault longer in production is measured against the latest the
	 * effect can come; a shorter one against the earliest. */
	bool late = i->longer && i->entry && answers_nothing(i->entry->step);
	gd_ms p_ms =
		late && t->production_late ? t->production_late : t->production;
	gd_ms r_ms = late && t->real_late ? t->real_late : t->real;
	gd_duration_format(i->span, span, sizeof(span));
	gd_duration_format(p_ms, prod, sizeof(prod));
	gd_duration_format(clock ? r_ms : (gd_ms)((double)r_ms * scale), scaled,
			   sizeof(scaled));
	gd_duration_format(r_ms, real, sizeof(real));
	const char *cmp = i->longer ? "shorter than" : "longer than";
	char what[512], nodes[160] = "";
	if (i->entry) {
		const gd_cluster *c = &p->scenario->cluster;
		long controller = gd_jobsys_controller(c);
		for (size_t n = 0; n < i->entry->nodes.n; n++) {
			size_t node = i->entry->nodes.v[n], len = strlen(nodes);
			if (measured(i->entry, t, node, controller,
				     /* an issue of a clock fault's silence
				      * is one that cut the node off */
				     i->entry->step->kind == GD_FAULT_CLOCK))
				snprintf(nodes + len, sizeof(nodes) - len,
					 "%s%s", len ? " " : "",
					 c->nodes[node].name);
		}
	}
	if (!i->entry && t->kind == GD_TIMING_START)
		snprintf(what, sizeof(what),
			 "the shortest job is expected to take %s; %s after %s",
			 span, t->effect, t->name);
	else if (!i->entry)
		snprintf(
			what, sizeof(what),
			"the tightest deadline leaves %s beyond a job's expected time; %s after %s",
			span, t->effect, t->name);
	else if (clock)
		snprintf(what, sizeof(what),
			 "step \"%s\" moves the clock of %s by %s; %s than %s",
			 i->entry->id, nodes, span, t->effect, t->name);
	else {
		const char *pre, *post;
		verb(i->entry->step, &pre, &post);
		snprintf(what, sizeof(what),
			 "step \"%s\" %s %s%s for %s; %s after %s",
			 i->entry->id, pre, nodes, post, span, t->effect,
			 t->name);
	}
	if (clock)
		snprintf(
			buf, size,
			"%s: %s in production (%s the offset), %s at scale %g; holds up to scale %g",
			what, prod, cmp, scaled, scale, i->max_scale);
	else
		snprintf(
			buf, size,
			"%s: %s in production (%s that), %s at scale %g (%s real); holds up to scale %g",
			what, prod, cmp, scaled, scale, real, i->max_scale);
}

size_t gd_fidelity_print(const gd_plan *p, FILE *out)
{
	double scale = p->scenario->time_scale;
	gd_fidelity_issue v[GD_FIDELITY_SHOWN];
	size_t n = gd_fidelity_check(p, scale, v, GD_FIDELITY_SHOWN);
	for (size_t i = 0; i < n && i < GD_FIDELITY_SHOWN; i++) {
		char line[1024];
		gd_fidelity_explain(p, &v[i], scale, line, sizeof(line));
		fprintf(out, "  %s\n", line);
	}
	if (n > GD_FIDELITY_SHOWN)
		fprintf(out, "  and %zu more\n", n - GD_FIDELITY_SHOWN);
	return n;
}

json_t *gd_fidelity_json(const gd_plan *p)
{
	double scale = p->scenario->time_scale;
	gd_fidelity_issue v[GD_FIDELITY_SHOWN];
	size_t n = gd_fidelity_check(p, scale, v, GD_FIDELITY_SHOWN);
	json_t *issues = json_array();
	for (size_t i = 0; i < n && i < GD_FIDELITY_SHOWN; i++) {
		char line[1024];
		gd_fidelity_explain(p, &v[i], scale, line, sizeof(line));
		json_array_append_new(issues, json_string(line));
	}
	return json_pack("{s:b,s:f,s:o,s:I}", "faithful", n == 0, "max_scale",
			 gd_fidelity_max_scale(p), "issues", issues,
			 "issues_total", (json_int_t)n);
}
