#include "plan/fidelity.h"

#include "base/cleanup.h"
#include "base/duration.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum relation { SHORTER, CLOSE, LONGER };

/* Span against a timing that takes effect between early and late: a
 * delay that varies from run to run, so compared by a clear margin. */
static enum relation relate(double span, double early, double late)
{
	if (span * GD_FIDELITY_MARGIN <= early)
		return SHORTER;
	if (span >= (late > early ? late : early) * GD_FIDELITY_MARGIN)
		return LONGER;
	return CLOSE;
}

static gd_ms abs_ms(gd_ms v)
{
	return v < 0 ? -v : v;
}

int gd_fidelity_clock_side(gd_ms offset, gd_ms ttl)
{
	gd_ms off = abs_ms(offset);
	if (off + GD_CLOCK_GUARD_MS <= ttl)
		return -1;
	return off >= ttl + GD_CLOCK_GUARD_MS ? 1 : 0;
}

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
	return s->kind->silences;
}

/* A timing in production or as configured, its latest or its earliest. */
static gd_ms value(const gd_timing *t, bool prod, bool late)
{
	gd_ms at = prod ? t->production : t->real;
	gd_ms latest = prod ? t->production_late : t->real_late;
	return late && latest ? latest : at;
}

/* How span compares with t in production (scale 0) or as configured at
 * scale.  A clock offset is real time at every scale (gameday moves the
 * node's clock by what the scenario says, faults/clock.c), so it meets the
 * configured value itself, and by production's exact rule. */
static enum relation relation(const gd_timing *t, gd_ms span, bool late,
			      double scale)
{
	bool prod = scale == 0;
	gd_ms at = value(t, prod, false);
	if (t->kind == GD_TIMING_CLOCK) /* accepted: the offset is shorter */
		return (enum relation)(gd_fidelity_clock_side(span, at) + 1);
	double per = prod ? 1 : scale;
	return relate((double)span, (double)at * per,
		      late ? (double)value(t, prod, true) * per : 0);
}

struct sink {
	gd_fidelity_issue *out;
	size_t max, n;
	const gd_fidelity_issue *only; /* count this one alone */
};

static bool same_check(const gd_fidelity_issue *a, const gd_fidelity_issue *b)
{
	return a->about == b->about && a->entry == b->entry &&
	       strcmp(a->timing.name, b->timing.name) == 0;
}

/* Compares the issue's span with its timing as production has it and as
 * the run at scale would; records it when they differ (production's own
 * close calls aside). */
static void compare(struct sink *k, gd_fidelity_issue is, double scale)
{
	bool late = is.about == GD_FIDELITY_FAULT &&
		    answers_nothing(is.entry->step);
	enum relation prod = relation(&is.timing, is.span, late, 0);
	if (prod == CLOSE || relation(&is.timing, is.span, late, scale) == prod)
		return;
	if (k->only && !same_check(k->only, &is))
		return;
	is.longer = prod == LONGER;
	if (k->n < k->max)
		k->out[k->n] = is;
	k->n++;
}

/* Steps that can cost a worker's job its node, and so a requeue. */
static bool takes_down(const gd_step *s)
{
	return s->kind->takes_down && s->kind->takes_down(s);
}

static bool loses_jobs(const gd_step *s)
{
	return s->kind->silences || takes_down(s);
}

/* How the step itself (changed: its changed return) moves its nodes'
 * clocks other than back to the host's: false when it does not. */
static bool moves_clock(const gd_step *s, bool changed, gd_time_shift *t)
{
	return gd_step_shifts_clock(s, changed, t) && !t->reset;
}

static gd_ms entry_span(const gd_plan *p, const gd_plan_entry *e)
{
	return (e->until_end ? p->scenario->duration : e->end) - e->start;
}

/* How long a reboot's change lasts once the node is back (0: none). */
static gd_ms change_span(const gd_plan *p, const gd_plan_entry *e)
{
	if (!e->step->back_with || e->until_end)
		return 0;
	return (e->change_until_end ? p->scenario->duration : e->change_end) -
	       e->end;
}

/* The largest offset a step sets a clock to: an offset's, what a drift
 * has gained when it ends (drift_per_h is per hour of scenario time, as
 * faults/clock.c plays it), a reboot's change's offset; 0 for none. */
static gd_ms clock_reach(const gd_plan *p, const gd_plan_entry *e)
{
	const gd_step *s = e->step;
	gd_time_shift t;
	if (!moves_clock(s, false, &t) && !moves_clock(s, true, &t))
		return 0;
	if (!t.drift_h)
		return abs_ms(t.offset);
	return (gd_ms)((double)abs_ms(t.drift_h) * (double)entry_span(p, e) /
		       3600000.0);
}

static const gd_timing *find_kind(const gd_timing *t, size_t nt,
				  enum gd_timing_kind kind)
{
	for (size_t j = 0; j < nt; j++)
		if (t[j].kind == kind)
			return &t[j];
	return NULL;
}

/* How long a clock step leaves its nodes unheard in production, their
 * clocks past the credential lifetime (or too close to it to tell); -1
 * when it does not.  A drift crosses it on its way, at the same instant
 * of scenario time in production and in a run. */
static gd_ms clock_cut(const gd_plan *p, const gd_plan_entry *e,
		       const gd_timing *t, size_t nt)
{
	const gd_step *s = e->step;
	const gd_timing *ttl = find_kind(t, nt, GD_TIMING_CLOCK);
	gd_ms reach = clock_reach(p, e);
	gd_time_shift own;
	if (!moves_clock(s, false, &own) || !ttl || reach == 0 ||
	    gd_fidelity_clock_side(reach, ttl->production) < 0)
		return -1;
	gd_ms span = entry_span(p, e);
	if (!own.drift_h)
		return span;
	gd_ms edge = ttl->production - GD_CLOCK_GUARD_MS;
	return span - (gd_ms)((double)span * (double)edge / (double)reach);
}

/* Whether timing t is measured against entry e on node. */
static bool measured(const gd_plan_entry *e, const gd_timing *t, size_t node,
		     long controller, bool clock_cut)
{
	const gd_step *s = e->step;
	/* A partition silences the workers the controller cannot hear,
	 * whichever side it names; so does a controller's clock munge
	 * rejects; a controller that is down or frozen pings no one. */
	bool worker = (long)node != controller || s->kind->splits || clock_cut;
	gd_time_shift shift;
	switch (t->kind) {
	case GD_TIMING_SILENT:
		return worker && (loses_jobs(s) || clock_cut);
	case GD_TIMING_STRANDED:
		return worker && (s->kind->silences || clock_cut);
	case GD_TIMING_BACK:
		return worker && !e->until_end && takes_down(s);
	case GD_TIMING_CLOCK:
		return moves_clock(s, false, &shift) ||
		       moves_clock(s, true, &shift);
	default:
		return false;
	}
}

/* The first node of e that t is measured on, or -1. */
static long first_measured(const gd_plan_entry *e, const gd_timing *t,
			   long controller, bool cut)
{
	for (size_t n = 0; n < e->nodes.n; n++)
		if (measured(e, t, e->nodes.v[n], controller, cut))
			return (long)e->nodes.v[n];
	return -1;
}

/* Every node of an entry lasts as long: one comparison per timing.  A
 * clock offset meets the credential lifetime; the time a clock leaves a
 * node unheard meets the timings of silence. */
static void check_entry(struct sink *k, const gd_plan *p,
			const gd_plan_entry *e, const gd_timing *t, size_t nt,
			double scale, long controller)
{
	gd_ms cut = clock_cut(p, e, t, nt);
	for (size_t j = 0; j < nt; j++) {
		long node = first_measured(e, &t[j], controller, cut >= 0);
		if (node < 0)
			continue;
		gd_fidelity_issue is = {.about = GD_FIDELITY_FAULT,
					.entry = e,
					.node = (size_t)node,
					.timing = t[j]};
		is.span = t[j].kind == GD_TIMING_CLOCK ? clock_reach(p, e)
			  : cut >= 0		       ? cut
						       : entry_span(p, e);
		compare(k, is, scale);
	}
}

/* Whether some fault can make Slurm requeue a job: its node lost, or
 * unheard for its clock. */
static bool requeues(const gd_plan *p, const gd_timing *t, size_t nt)
{
	for (size_t i = 0; i < p->nentries; i++)
		if (loses_jobs(p->entries[i].step) ||
		    clock_cut(p, &p->entries[i], t, nt) >= 0)
			return true;
	return false;
}

/* The slack the tightest deadline leaves beyond a job's expected time, or
 * -1 without groups. */
static gd_ms deadline_slack(const gd_scenario *s)
{
	gd_ms slack = -1;
	for (size_t i = 0; i < s->ngroups; i++) {
		gd_ms g = s->groups[i].deadline - s->groups[i].expected_hi;
		if (slack < 0 || g < slack)
			slack = g;
	}
	return slack;
}

/* Every timing of one kind against one span of the scenario's. */
static void compare_each(struct sink *k, const gd_timing *t, size_t nt,
			 enum gd_timing_kind kind, enum gd_fidelity_about about,
			 gd_ms span, double scale)
{
	for (size_t j = 0; j < nt; j++)
		if (t[j].kind == kind)
			compare(k,
				(gd_fidelity_issue){
					.about = about,
					.span = span,
					.timing = t[j],
				},
				scale);
}

/* A requeued job's wait (every REQUEUE timing together) against the slack
 * the tightest deadline leaves beyond a job's expected time.  Against the
 * duration expectations it is not a comparison but a bias, which the plan
 * states instead (gd_fidelity_bias_at). */
static void check_requeue(struct sink *k, const gd_plan *p, const gd_timing *t,
			  size_t nt, double scale)
{
	gd_ms slack = deadline_slack(p->scenario);
	if (slack <= 0 || !requeues(p, t, nt))
		return;
	compare_each(k, t, nt, GD_TIMING_REQUEUE, GD_FIDELITY_DEADLINE, slack,
		     scale);
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
	if (shortest > 0)
		compare_each(k, t, nt, GD_TIMING_START, GD_FIDELITY_START,
			     shortest, scale);
}

/* The shortest time limit a job asks for against how the job system
 * keeps and enforces one: a limit scaled down to seconds is not one. */
static void check_time_limit(struct sink *k, const gd_plan *p,
			     const gd_timing *t, size_t nt, double scale)
{
	const gd_scenario *s = p->scenario;
	gd_ms shortest = 0;
	for (size_t i = 0; i < s->ngroups; i++) {
		const gd_job_group *g = &s->groups[i];
		gd_ms limit = g->kind->time_limit ? g->kind->time_limit(g) : 0;
		if (limit > 0 && (!shortest || limit < shortest))
			shortest = limit;
	}
	if (shortest > 0)
		compare_each(k, t, nt, GD_TIMING_TIME_LIMIT,
			     GD_FIDELITY_TIME_LIMIT, shortest, scale);
}

size_t gd_fidelity_peak_submissions(const gd_plan *p, gd_ms window_ms)
{
	size_t most = 0, first = 0;
	for (size_t k = 0; k < p->njobs; k++) {
		while (p->jobs[k].submit - p->jobs[first].submit >= window_ms)
			first++;
		if (k - first + 1 > most)
			most = k - first + 1;
	}
	return most;
}

static const gd_timing submit_path = {
	.name = "gameday's submission path",
	.effect = "jobs are submitted at their offsets",
	.kind = GD_TIMING_START,
	.production = 1000,
	.real = 1000,
};

/* The most jobs the plan submits within a second of real time against
 * what gameday's submission path takes in one, by the margin: past it
 * jobs are submitted late, after what production submitted after them
 * (a trace's burst) or after the fault they should have met. */
static void check_submit(struct sink *k, const gd_plan *p, double scale)
{
	gd_ms window = (gd_ms)(1000.0 * scale);
	size_t most = gd_fidelity_peak_submissions(p, window);
	if ((double)most * GD_FIDELITY_MARGIN <= GD_SUBMIT_PER_S)
		return;
	gd_fidelity_issue is = {.about = GD_FIDELITY_SUBMIT,
				.span = window,
				.timing = submit_path,
				.jobs = most};
	if (k->only && !same_check(k->only, &is))
		return;
	if (k->n < k->max)
		k->out[k->n] = is;
	k->n++;
}

/* A team's setting that nothing of the plan meets (KillWait, a
 * partition's MaxTime) is kept only when Slurm can be given its value /
 * scale within the margin: Slurm takes it in whole seconds or minutes, at
 * least a floor, and rounding it up or away is a change the plan states,
 * not one it makes silently. */
static void check_settings(struct sink *k, const gd_timing *t, size_t nt,
			   double scale)
{
	for (size_t j = 0; j < nt; j++) {
		if (t[j].kind != GD_TIMING_SETTING)
			continue;
		double prod = (double)t[j].production;
		double run = (double)t[j].real * scale;
		if (run == prod || (run * GD_FIDELITY_MARGIN > prod &&
				    run < prod * GD_FIDELITY_MARGIN))
			continue;
		gd_fidelity_issue is = {.about = GD_FIDELITY_SETTING,
					.span = t[j].production,
					.timing = t[j],
					.longer = run > prod};
		if (k->only && !same_check(k->only, &is))
			continue;
		if (k->n < k->max)
			k->out[k->n] = is;
		k->n++;
	}
}

/* gameday's own pauses, real time at every scale like a job's start:
 * gd-job's between tries of a failed read or write, and how often a
 * running daemon rereads the node's clock offset (gd-init sets
 * FAKETIME_CACHE_DURATION). */
static const gd_timing job_retry = {
	.name = "gd-job's retry pause",
	.effect = "a job that cannot read or write tries again",
	.kind = GD_TIMING_START,
	.production = GD_JOB_RETRY_MS,
	.real = GD_JOB_RETRY_MS,
};
static const gd_timing clock_reread = {
	.name = "libfaketime's reread of the offset",
	.effect = "a running daemon sees its node's clock move",
	.kind = GD_TIMING_START,
	.production = GD_FAKETIME_REREAD_MS,
	.real = GD_FAKETIME_REREAD_MS,
};

static bool own_pause(const gd_timing *t)
{
	return strcmp(t->name, job_retry.name) == 0 ||
	       strcmp(t->name, clock_reread.name) == 0;
}

/* What one of gameday's pauses is measured against: faults that stall
 * jobs on failed reads and writes, or that move a clock. */
enum touch { STALLS_IO, MOVES_CLOCK };

/* Whether the step (changed: its changed return) does what touch names. */
static bool touches(const gd_step *s, bool changed, enum touch touch)
{
	gd_time_shift t;
	if (touch == MOVES_CLOCK)
		return moves_clock(s, changed, &t);
	if (!changed)
		return s->kind->stalls_io;
	for (size_t i = 0; s->back_with && i < s->back_with->nparts; i++)
		if (s->back_with->parts[i].kind->stalls_io)
			return true;
	return false;
}

/* Steps that touch (a reboot's change that does too) against one of gameday's
 * pauses: a job stalled by a skew resumes at its next try after the heal,
 * within a second in production, and a daemon sees a clock move within a
 * second; at scale 600 that second is 10 minutes, and a change shorter
 * than it may come and go between two looks. */
static void check_pause(struct sink *k, const gd_plan *p, const gd_timing *t,
			enum touch touch, double scale)
{
	for (size_t i = 0; i < p->nentries; i++) {
		const gd_plan_entry *e = &p->entries[i];
		const gd_step *s = e->step;
		gd_fidelity_issue is = {.entry = e,
					.node = e->nodes.n ? e->nodes.v[0] : 0,
					.timing = *t};
		if (touches(s, false, touch)) {
			is.about = GD_FIDELITY_FAULT;
			is.span = entry_span(p, e);
		} else if (touches(s, true, touch) && change_span(p, e) > 0) {
			is.about = GD_FIDELITY_CHANGE;
			is.span = change_span(p, e);
		} else {
			continue;
		}
		compare(k, is, scale);
	}
}

/* How much longer than production's t lasts at scale, in scenario time;
 * 0 when not. */
static gd_ms excess(const gd_timing *t, double scale)
{
	double x = (double)t->real * scale - (double)t->production;
	return x > 0 ? (gd_ms)(x + 0.5) : 0;
}

/* When after it starts a fault on entry e lets Slurm find a job lost, in
 * production (scale 0) or at scale; -1 when it cannot: DOWN once the node
 * has been silent long enough (at the latest, for one that answers
 * nothing), or, for one that is down, the job missing once it is back. */
static double found_lost(const gd_plan *p, const gd_plan_entry *e,
			 const gd_timing *t, size_t nt, double scale)
{
	long controller = gd_jobsys_controller(&p->scenario->cluster);
	gd_ms cut = clock_cut(p, e, t, nt);
	bool prod = scale == 0, late = answers_nothing(e->step);
	double per = prod ? 1 : scale, at = -1;
	for (size_t j = 0; j < nt; j++) {
		const gd_timing *x = &t[j];
		bool back = x->kind == GD_TIMING_BACK;
		if ((x->kind != GD_TIMING_SILENT && !back) ||
		    first_measured(e, x, controller, cut >= 0) < 0)
			continue;
		double when = (double)value(x, prod, late) * per +
			      (back ? (double)entry_span(p, e) : 0);
		at = at < 0 || when < at ? when : at;
	}
	return at;
}

/* How much later than in production Slurm may find a job lost, over the
 * faults that can cost a job its node. */
static gd_ms noticed_later(const gd_plan *p, const gd_timing *t, size_t nt,
			   double scale)
{
	gd_ms most = 0;
	for (size_t i = 0; i < p->nentries; i++) {
		const gd_plan_entry *e = &p->entries[i];
		double prod = found_lost(p, e, t, nt, 0);
		double run = found_lost(p, e, t, nt, scale);
		if (prod >= 0 && run - prod > (double)most)
			most = (gd_ms)(run - prod + 0.5);
	}
	return most;
}

/* Whether some fault stalls jobs on failed reads and writes. */
static bool stalls(const gd_plan *p)
{
	for (size_t i = 0; i < p->nentries; i++) {
		const gd_plan_entry *e = &p->entries[i];
		if (touches(e->step, false, STALLS_IO) ||
		    (touches(e->step, true, STALLS_IO) &&
		     change_span(p, e) > 0))
			return true;
	}
	return false;
}

void gd_fidelity_bias_at(const gd_plan *p, double scale, gd_fidelity_bias *b)
{
	gd_timing t[GD_TIMINGS_MAX];
	size_t nt = gd_jobsys_timings(&p->scenario->cluster, scale, t);
	*b = (gd_fidelity_bias){0};
	if (requeues(p, t, nt)) {
		b->noticed = noticed_later(p, t, nt, scale);
		for (size_t j = 0; j < nt; j++)
			if (t[j].kind == GD_TIMING_REQUEUE)
				b->held += excess(&t[j], scale);
			else if (t[j].kind == GD_TIMING_START)
				b->started += excess(&t[j], scale);
		b->requeued = b->noticed + b->held + b->started;
	}
	if (stalls(p))
		b->stalled = excess(&job_retry, scale);
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
	check_time_limit(&k, p, t, nt, scale);
	check_settings(&k, t, nt, scale);
	check_submit(&k, p, scale);
	check_pause(&k, p, &job_retry, STALLS_IO, scale);
	check_pause(&k, p, &clock_reread, MOVES_CLOCK, scale);
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

/* How the fault keeps a node from its controller: "keeps NODE down";
 * or, against one of gameday's pauses (own), what it changes there. */
static void verb(const gd_step *s, bool own, const char **pre,
		 const char **post)
{
	if (own && gd_step_shifts_clock(s, false, NULL)) {
		*pre = "moves the clock of", *post = "";
		return;
	}
	*pre = s->kind->keeps_pre ? s->kind->keeps_pre : "keeps";
	*post = s->kind->keeps_post ? s->kind->keeps_post : " down";
}

/* The nodes of an issue's entry the timing is measured on, by name. */
static void entry_nodes(const gd_plan *p, const gd_fidelity_issue *i,
			gd_strbuf *out)
{
	const gd_cluster *c = &p->scenario->cluster;
	long controller = gd_jobsys_controller(c);
	const gd_plan_entry *e = i->entry;
	bool own = own_pause(&i->timing);
	for (size_t n = 0; n < e->nodes.n; n++) {
		size_t node = e->nodes.v[n];
		/* an issue of a clock fault's silence is one that cut the
		 * node off */
		if (own || measured(e, &i->timing, node, controller,
				    gd_step_shifts_clock(e->step, false, NULL)))
			gd_strbuf_addf(out, "%s%s", out->len ? " " : "",
				       c->nodes[node].name);
	}
}

/* What a workload issue measures, around its span: "the tightest
 * deadline leaves 20m beyond a job's expected time". */
static const char *const workload_what[][2] = {
	[GD_FIDELITY_DEADLINE] = {"the tightest deadline leaves ",
				  " beyond a job's expected time"},
	[GD_FIDELITY_START] = {"the shortest job is expected to take ", ""},
	[GD_FIDELITY_TIME_LIMIT] = {"the shortest time limit a job asks for "
				    "is ",
				    ""},
};

/* The first half of an issue's sentence: what is measured against what. */
static void subject(const gd_plan *p, const gd_fidelity_issue *i,
		    const char *span, char *buf, size_t size)
{
	const gd_timing *t = &i->timing;
	if (!i->entry) {
		snprintf(buf, size, "%s%s%s; %s after %s",
			 workload_what[i->about][0], span,
			 workload_what[i->about][1], t->effect, t->name);
		return;
	}
	_cleanup_strbuf_ gd_strbuf nodes_sb = GD_STRBUF_INIT;
	entry_nodes(p, i, &nodes_sb);
	const char *nodes = nodes_sb.buf;
	const gd_step *s = i->entry->step;
	gd_time_shift own;
	bool drift = gd_step_shifts_clock(s, false, &own) && own.drift_h;
	const char *pre, *post;
	verb(s, own_pause(t), &pre, &post);
	if (t->kind == GD_TIMING_CLOCK)
		snprintf(buf, size,
			 "step \"%s\" %s the clock of %s by %s; %s than %s",
			 i->entry->id, drift ? "drifts" : "moves", nodes, span,
			 t->effect, t->name);
	else if (i->about == GD_FIDELITY_CHANGE)
		snprintf(
			buf, size,
			"step \"%s\" brings %s back changed for %s; %s after %s",
			i->entry->id, nodes, span, t->effect, t->name);
	else
		snprintf(buf, size, "step \"%s\" %s %s%s for %s; %s after %s",
			 i->entry->id, pre, nodes, post, span, t->effect,
			 t->name);
}

void gd_fidelity_explain(const gd_plan *p, const gd_fidelity_issue *i,
			 double scale, char *buf, size_t size)
{
	char span[GD_DURATION_BUFSZ], prod[GD_DURATION_BUFSZ],
		scaled[GD_DURATION_BUFSZ], real[GD_DURATION_BUFSZ];
	const gd_timing *t = &i->timing;
	bool clock = t->kind == GD_TIMING_CLOCK;
	if (i->about == GD_FIDELITY_SUBMIT) {
		gd_duration_format(i->span, span, sizeof(span));
		snprintf(
			buf, size,
			"the workload submits %zu jobs within %s of scenario time, a second of real time at scale %g; %s takes %d a second on this machine, %.0f by the margin, so jobs would be submitted late; holds up to scale %g",
			i->jobs, span, scale, t->name, GD_SUBMIT_PER_S,
			GD_SUBMIT_PER_S / GD_FIDELITY_MARGIN, i->max_scale);
		return;
	}
	if (i->about == GD_FIDELITY_SETTING) {
		gd_duration_format(t->production, prod, sizeof(prod));
		gd_duration_format((gd_ms)((double)t->real * scale), scaled,
				   sizeof(scaled));
		gd_duration_format(t->real, real, sizeof(real));
		snprintf(
			buf, size,
			"%s (%s): %s in production cannot be kept at scale %g, where it is %s real, %s of scenario time; holds up to scale %g",
			t->name, t->effect, prod, scale, real, scaled,
			i->max_scale);
		return;
	}
	/* A fault longer in production is measured against the latest the
	 * effect can come; a shorter one against the earliest. */
	bool late = i->longer && i->about == GD_FIDELITY_FAULT &&
		    answers_nothing(i->entry->step);
	gd_ms p_ms =
		late && t->production_late ? t->production_late : t->production;
	gd_ms r_ms = late && t->real_late ? t->real_late : t->real;
	gd_duration_format(i->span, span, sizeof(span));
	gd_duration_format(p_ms, prod, sizeof(prod));
	gd_duration_format(clock ? r_ms : (gd_ms)((double)r_ms * scale), scaled,
			   sizeof(scaled));
	gd_duration_format(r_ms, real, sizeof(real));
	const char *cmp = i->longer ? "shorter than" : "longer than";
	char what[512];
	subject(p, i, span, what, sizeof(what));
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

/* The duration expectations p asks for, "within_expected, max_stall";
 * "" for none. */
static void expectations(const gd_plan *p, gd_strbuf *out)
{
	const gd_expect *x = &p->scenario->expect;
	const char *v[3];
	size_t n = 0;
	if (x->within_expected_pct > 0)
		v[n++] = "within_expected";
	if (x->has_max_stall)
		v[n++] = "max_stall";
	if (x->has_recover_within)
		v[n++] = "recover_within";
	for (size_t i = 0; i < n; i++)
		gd_strbuf_addf(out, "%s%s", i ? ", " : "", v[i]);
}

#define NOTE_SIZE 1024

/* The bias as sentences into v (at most 2); how many. */
static size_t bias_notes(const gd_plan *p, double scale, char v[][NOTE_SIZE])
{
	gd_fidelity_bias b;
	gd_fidelity_bias_at(p, scale, &b);
	char tail[160], a[GD_DURATION_BUFSZ], n[GD_DURATION_BUFSZ],
		h[GD_DURATION_BUFSZ], st[GD_DURATION_BUFSZ];
	_cleanup_strbuf_ gd_strbuf x = GD_STRBUF_INIT;
	expectations(p, &x);
	snprintf(tail, sizeof(tail), "%s%s%s", x.len ? ", which may fail " : "",
		 x.buf, x.len ? " where production would pass" : "");
	size_t k = 0;
	if (b.requeued > 0) {
		gd_duration_format(b.requeued, a, sizeof(a));
		gd_duration_format(b.noticed, n, sizeof(n));
		gd_duration_format(b.held, h, sizeof(h));
		gd_duration_format(b.started, st, sizeof(st));
		snprintf(
			v[k++], NOTE_SIZE,
			"at scale %g a job Slurm requeues may run again up to %s later than in production (its node's loss noticed up to %s later, the job held back up to %s longer, its start %s slower): its duration, the longest stall and a recovery may be as much longer%s",
			scale, a, n, h, st, tail);
	}
	if (b.stalled > 0) {
		gd_duration_format(b.stalled, a, sizeof(a));
		snprintf(
			v[k++], NOTE_SIZE,
			"at scale %g a job a skew stalls may resume up to %s later after the heal than in production (%s, %gs real): its duration, the longest stall and a recovery may be as much longer%s",
			scale, a, job_retry.name, GD_JOB_RETRY_MS / 1000.0,
			tail);
	}
	return k;
}

size_t gd_fidelity_print_bias(const gd_plan *p, FILE *out)
{
	char v[2][NOTE_SIZE];
	size_t n = bias_notes(p, p->scenario->time_scale, v);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %s\n", v[i]);
	return n;
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

static json_t *bias_json(const gd_plan *p, double scale)
{
	gd_fidelity_bias b;
	gd_fidelity_bias_at(p, scale, &b);
	return json_pack("{s:I,s:I,s:I,s:I,s:I}", "requeued_ms",
			 (json_int_t)b.requeued, "noticed_ms",
			 (json_int_t)b.noticed, "held_ms", (json_int_t)b.held,
			 "started_ms", (json_int_t)b.started, "stalled_ms",
			 (json_int_t)b.stalled);
}

static json_t *bias_notes_json(const gd_plan *p)
{
	char v[2][NOTE_SIZE];
	size_t n = bias_notes(p, p->scenario->time_scale, v);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
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
	return json_pack("{s:b,s:f,s:o,s:I,s:o,s:o}", "faithful", n == 0,
			 "max_scale", gd_fidelity_max_scale(p), "issues",
			 issues, "issues_total", (json_int_t)n, "bias",
			 bias_json(p, scale), "bias_notes", bias_notes_json(p));
}
