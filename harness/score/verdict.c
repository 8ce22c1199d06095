/* The judge: the verdict, its reasons, the expectations and the score,
 * from the jobs and the day's measures (model.h).  The score's parts and
 * where they differ from other tools': docs/verdict.md. */
#include "kinds/kind.h"
#include "score/model.h"
#include "score/report.h"
#include "score/score.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define int_or	 gd_score_int_or
#define in_nodes gd_score_in_nodes

/* A job's time against its expected duration: from its first start to
 * its end, requeues and stalls included.  Time queued before it first
 * ran is the cluster's capacity, not the job's (waiting_ms). */
static ms_t duration_of(const struct job *j)
{
	return j->finished >= 0 && j->first_start >= 0
		       ? j->finished - j->first_start
		       : -1;
}

static bool correct_on_time(const struct job *j)
{
	return j->outcome && strcmp(j->outcome, "correct") == 0 && j->on_time;
}

static bool within_expected(const struct job *j)
{
	ms_t d = duration_of(j);
	return correct_on_time(j) && d >= 0 &&
	       (j->exp_hi < 0 || d <= j->exp_hi);
}

/* Time a job ran on a node while a fault held that node. */
static ms_t stalled_of(const struct run *r, const struct job *j,
		       json_t *touched)
{
	ms_t total = 0;
	for (size_t a = 0; a < j->natt; a++) {
		ms_t s = j->att[a].start;
		ms_t e = j->att[a].end >= 0 ? j->att[a].end : r->end;
		for (size_t i = 0; i < r->nfaults; i++) {
			const struct fault *f = &r->faults[i];
			if (f->applied < 0 ||
			    !in_nodes(f->nodes, j->att[a].node))
				continue;
			ms_t fs = f->applied;
			ms_t fe = f->healed >= 0 ? f->healed : r->end;
			ms_t lo = s > fs ? s : fs, hi = e < fe ? e : fe;
			if (fs == fe && fs >= s && fs <= e) {
				/* an instant fault (a service killed) */
				json_array_append_new(touched,
						      json_string(f->id));
				continue;
			}
			if (hi <= lo)
				continue;
			total += hi - lo;
			json_array_append_new(touched, json_string(f->id));
		}
	}
	return total;
}

static json_t *ms_json(ms_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static ms_t resolution(const struct run *r)
{
	return (ms_t)llround(GD_RESOLUTION_REAL_MS * r->scale);
}

/* Whether a fault of kind (as the log names it) may take nodes down (its
 * row has the facet); a change comes as its nodes return from a reboot,
 * so what ends then is the reboot's doing too. */
static bool takes_down(const char *kind)
{
	const gd_kind *k = gd_kind_find(kind);
	return k ? k->takes_down != NULL : strcmp(kind, "change") == 0;
}

/* The fault on its node whose application an attempt of j started or
 * ended closest to, closer than the resolution, or NULL: the job ended
 * just before a fault that at another scale would have caught it
 * running, or just after one it might have escaped; or it started on the
 * node just before the fault caught it there (or just after, while the
 * job system did not know yet), where at another scale it might have
 * started later, or elsewhere.  A kill or reboot ending the attempt is
 * its cause, not a race; nor is an attempt that ends as a fault heals,
 * which is when the job system learns what happened during it. */
static json_t *close_call(const struct run *r, const struct job *j)
{
	ms_t best = resolution(r);
	json_t *o = NULL;
	for (size_t a = 0; a < j->natt; a++) {
		const struct attempt *at = &j->att[a];
		if (!at->node)
			continue;
		for (size_t i = 0; i < r->nfaults; i++) {
			const struct fault *f = &r->faults[i];
			if (f->applied < 0 || !in_nodes(f->nodes, at->node))
				continue;
			bool power = f->kind && takes_down(f->kind);
			ms_t when[2] = {at->start, at->end};
			for (int w = 0; w < 2; w++) {
				ms_t apart = when[w] - f->applied;
				if (when[w] < 0 || llabs(apart) >= best ||
				    (power && apart >= 0))
					continue;
				best = llabs(apart);
				json_decref(o);
				o = json_pack("{s:s,s:s,s:s,s:I}", "fault",
					      f->id, "node", at->node, "run",
					      w ? "ended" : "started",
					      "apart_ms", (json_int_t)apart);
			}
		}
	}
	return o;
}

/* A job the log never judged: finished but not checked (the log ends
 * first), or still running or queued. */
static const char *outcome_of(const struct job *j, const char **why)
{
	if (j->outcome)
		return j->outcome;
	*why = j->finished >= 0
		       ? "the log ends before gameday checked its output"
		       : "still queued or running when the log ends";
	return j->finished >= 0 ? "unjudged" : "unfinished";
}

static json_t *job_json(const struct run *r, const struct job *j)
{
	json_t *nodes = json_array(), *touched = json_array();
	for (size_t a = 0; a < j->natt; a++)
		if (j->att[a].node && !in_nodes(nodes, j->att[a].node))
			json_array_append_new(nodes,
					      json_string(j->att[a].node));
	ms_t stalled = stalled_of(r, j, touched);
	/* the same fault once, in order of first touch */
	json_t *faults = json_array();
	size_t i;
	json_t *v;
	json_array_foreach (touched, i, v) {
		if (!in_nodes(faults, json_string_value(v)))
			json_array_append(faults, v);
	}
	json_decref(touched);
	ms_t d = duration_of(j);
	const char *why = j->why;
	ms_t waiting = j->first_start >= 0 && j->submitted >= 0
			       ? j->first_start - j->submitted
			       : -1;
	ms_t running = j->first_start >= 0
			       ? (j->finished >= 0 ? j->finished : r->end) -
					 j->first_start
			       : -1;
	json_t *o = json_pack(
		"{s:s,s:s,s:b,s:o,s:b,s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		"id", j->id, "outcome", outcome_of(j, &why), "correct",
		j->outcome && strcmp(j->outcome, "correct") == 0, "on_time",
		j->on_time > 0 ? json_true() : json_false(), "within_expected",
		within_expected(j), "attempts",
		(int)(j->attempts ? j->attempts : j->natt), "nodes", nodes,
		"faults", faults, "submitted_ms", ms_json(j->submitted),
		"started_ms", ms_json(j->first_start), "finished_ms",
		ms_json(j->finished), "deadline_ms", ms_json(j->deadline),
		"expected_ms",
		json_pack("[o,o]", ms_json(j->exp_lo), ms_json(j->exp_hi)),
		"waiting_ms", ms_json(waiting), "running_ms", ms_json(running),
		"stalled_ms", json_integer(stalled), "duration_ms", ms_json(d));
	if (d >= 0 && j->exp_hi > 0)
		json_object_set_new(
			o, "inflation",
			json_real(round((double)d / (double)j->exp_hi * 100) /
				  100));
	/* Each attempt where and when it ran: the scorecard's bars. */
	json_t *runs = json_array();
	for (size_t a = 0; a < j->natt; a++)
		json_array_append_new(
			runs, json_pack("{s:s?,s:I,s:I,s:b}", "node",
					j->att[a].node, "start_ms",
					(json_int_t)j->att[a].start, "end_ms",
					(json_int_t)(j->att[a].end >= 0
							     ? j->att[a].end
							     : r->end),
					"ended", j->att[a].end >= 0));
	json_object_set_new(o, "runs", runs);
	if (why)
		json_object_set_new(o, "why", json_string(why));
	if (j->evidence && *j->evidence)
		json_object_set_new(o, "evidence", json_string(j->evidence));
	if (j->tail && *j->tail)
		json_object_set_new(o, "tail", json_string(j->tail));
	if (j->group)
		json_object_set_new(o, "group", json_string(j->group));
	if (j->state)
		json_object_set_new(o, "final_state", json_string(j->state));
	json_t *cc = close_call(r, j);
	if (cc)
		json_object_set_new(o, "close_call", cc);
	return o;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

char *gd_score_fmt_ms(int64_t ms, char *buf, size_t size)
{
	if (ms < 0)
		snprintf(buf, size, "never");
	else if (ms >= 3600000)
		snprintf(buf, size, "%lldh%02lldm", (long long)(ms / 3600000),
			 (long long)(ms % 3600000 / 60000));
	else if (ms >= 60000)
		snprintf(buf, size, "%.1fm", (double)ms / 60000.0);
	else
		snprintf(buf, size, "%.1fs", (double)ms / 1000.0);
	return buf;
}

#define fmt_ms gd_score_fmt_ms

/* "jobs-1, jobs-2 and 3 more" of the jobs with outcome o, into out
 * (emptied first). */
static size_t list_jobs(const struct run *r, const char *o, bool late,
			gd_strbuf *out)
{
	size_t n = 0;
	gd_strbuf_reset(out);
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		const char *why;
		const char *jo = outcome_of(j, &why);
		bool hit = late ? strcmp(jo, "correct") == 0 && j->on_time == 0
				: strcmp(jo, o) == 0;
		if (!hit)
			continue;
		if (n < 3)
			gd_strbuf_addf(out, "%s%s", n ? ", " : "", j->id);
		n++;
	}
	if (n > 3)
		gd_strbuf_addf(out, " and %zu more", n - 3);
	return n;
}

static void reason(json_t *reasons, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(json_t *reasons, const char *fmt, ...)
{
	_cleanup_strbuf_ gd_strbuf buf = GD_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	gd_strbuf_vaddf(&buf, fmt, ap);
	va_end(ap);
	json_array_append_new(reasons, json_string(buf.buf));
}

static void add_expectation(json_t *ex, const char *name, bool met, json_t *why)
{
	json_t *o = json_pack("{s:s,s:b}", "name", name, "met", met);
	if (!met && why)
		json_object_set(o, "detail", why);
	json_array_append_new(ex, o);
}

/* gd_log_fn: the events before "run-started" (the cluster coming up)
 * and after "run-finished" (teardown) are not the run. */

/* What the jobs came to. */
struct tally {
	size_t good, within, wrong, close_calls;
	double worst, p95;
	int pct;
};

static json_t *jobs_json(const struct run *r, struct tally *t)
{
	json_t *jobs = json_array();
	double *infl = calloc(r->njobs + 1, sizeof(double));
	size_t ninfl = 0;
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		json_t *jo = job_json(r, j);
		t->close_calls += json_object_get(jo, "close_call") != NULL;
		json_array_append_new(jobs, jo);
		t->good += correct_on_time(j);
		t->within += within_expected(j);
		t->wrong += j->outcome && strcmp(j->outcome, "wrong") == 0;
		ms_t d = duration_of(j);
		if (infl && d >= 0 && j->exp_hi > 0)
			infl[ninfl++] = (double)d / (double)j->exp_hi;
	}
	if (ninfl) {
		qsort(infl, ninfl, sizeof(*infl), cmp_double);
		t->worst = infl[ninfl - 1];
		t->p95 = infl[(size_t)ceil(0.95 * (double)ninfl) - 1];
	}
	free(infl);
	t->pct = r->njobs ? (int)(t->within * 100 / r->njobs) : 100;
	return jobs;
}

static json_t *fault_json(const struct fault *f)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:o,s:b}", "id",
			      f->id, "step", f->step ? f->step : f->id, "kind",
			      f->kind ? f->kind : "?", "nodes",
			      f->nodes ? json_incref(f->nodes) : json_array(),
			      "scheduled_ms", ms_json(f->scheduled),
			      "applied_ms", ms_json(f->applied), "healed_ms",
			      ms_json(f->healed), "evidence_ok",
			      f->applied_ok && (!f->heal_seen || f->healed_ok),
			      "recovered_ms", ms_json(f->recovered),
			      "touched_work", f->touched_work);
	json_object_set_new(
		o, "noticed",
		f->detect >= 0 ? json_pack("{s:s,s:I,s:I}", "by",
					   f->detected_by, "at_ms",
					   (json_int_t)(f->applied + f->detect),
					   "after_ms", (json_int_t)f->detect)
			       : json_null());
	if (f->evidence)
		json_object_set_new(o, "evidence", json_string(f->evidence));
	if (f->change)
		json_object_set_new(o, "change", json_string(f->change));
	if (f->drained >= 0) {
		json_object_set_new(o, "drained_ms", ms_json(f->drained));
		json_object_set_new(o, "drain_ok", json_boolean(f->drain_ok));
	}
	if (f->drain_states)
		json_object_set_new(o, "drain_states",
				    json_string(f->drain_states));
	return o;
}

struct fault_tally {
	size_t applied, not_applied, not_healed, not_drained;
	size_t touched, noticed, recovered, never_undone;
	double detect_q, recover_q; /* summed over faults that touched work */
	ms_t slowest_recovery;	    /* among those that recovered */
	bool unrecovered;	    /* one whose cause ended never did */
};

/* 1 within the limit, less in proportion beyond it. */
static double timely(ms_t took, ms_t limit)
{
	if (took < 0)
		return 0;
	if (limit <= 0 || took <= limit)
		return 1;
	return (double)limit / (double)took;
}

static json_t *faults_json(const struct run *r, const struct day *d,
			   struct fault_tally *t)
{
	json_t *list = json_array();
	for (size_t i = 0; i < r->nfaults; i++) {
		const struct fault *f = &r->faults[i];
		t->applied += f->applied_ok;
		t->not_applied += !f->applied_ok;
		t->not_drained += f->drained >= 0 && !f->drain_ok;
		t->not_healed += f->heal_seen && !f->healed_ok;
		t->never_undone += f->applied_ok && f->healed < 0;
		if (f->touched_work) {
			t->touched++;
			t->noticed += f->detect >= 0;
			t->detect_q += timely(f->detect, d->limit);
			t->recover_q += timely(f->recovered, d->limit);
		}
		if (f->recovered >= 0) {
			t->recovered++;
			if (f->recovered > t->slowest_recovery)
				t->slowest_recovery = f->recovered;
		} else if (f->healed >= 0 && f->applied_ok)
			t->unrecovered = true;
		json_array_append_new(list, fault_json(f));
	}
	return json_pack("{s:i,s:i,s:i,s:o}", "played", (int)r->nfaults,
			 "applied", (int)t->applied, "not_healed",
			 (int)t->not_healed, "list", list);
}

/* The reasons about jobs, most important first. */
static void job_reasons(const struct run *r, json_t *reasons)
{
	static const struct {
		const char *outcome;
		bool late;
		const char *one, *many;
	} kinds[] = {
		{"wrong", false, "job finished with a wrong output",
		 "jobs finished with a wrong output"},
		{"failed", false, "job failed", "jobs failed"},
		{"lost", false, "job lost by the job system",
		 "jobs lost by the job system"},
		{"duplicated", false, "job ran to the end more than once",
		 "jobs ran to the end more than once"},
		{"check-error", false,
		 "job's own check failed, so its output was not judged",
		 "jobs' own checks failed, so their outputs were not judged"},
		{NULL, true, "job finished after the hard deadline",
		 "jobs finished after the hard deadline"},
		{"unfinished", false, "job never finished",
		 "jobs never finished"},
		{"unjudged", false,
		 "job finished, but the log ends before its output was checked",
		 "jobs finished, but the log ends before their output was checked"},
	};
	_cleanup_strbuf_ gd_strbuf list = GD_STRBUF_INIT;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n = list_jobs(r, kinds[k].outcome, kinds[k].late, &list);
		if (n)
			reason(reasons, "%zu %s: %s", n,
			       n > 1 ? kinds[k].many : kinds[k].one, list.buf);
	}
}

static void silent_reason(const struct day *d, json_t *reasons)
{
	char a[32], b[32], c[32];
	const struct stretch *s = &d->silent[0];
	for (size_t i = 1; i < d->nsilent; i++)
		if (d->silent[i].len > s->len)
			s = &d->silent[i];
	_cleanup_strbuf_ gd_strbuf nodes = GD_STRBUF_INIT;
	gd_result_join(&nodes, s->nodes, ", ");
	reason(reasons,
	       "silent failure: no job progressed for %s from %s while the job system reported nothing wrong (jobs stuck on %s; stall limit %s)%s",
	       gd_score_fmt_ms(s->len, a, sizeof(a)),
	       gd_score_fmt_ms(s->from, b, sizeof(b)),
	       nodes.len ? nodes.buf : "no node",
	       gd_score_fmt_ms(d->limit, c, sizeof(c)),
	       d->nsilent > 1 ? "; and more: see silent_failures" : "");
}

struct judged {
	bool invalid, within_ok, stall_ok, recover_ok, pass;
	json_t *within_why, *stall_why, *recover_why, *silent_why, *jobs_why;
};

static void expectation_reasons(const struct run *r, const struct day *d,
				const struct tally *t,
				const struct fault_tally *ft, json_t *reasons,
				struct judged *j)
{
	json_t *expect = json_object_get(r->started, "expect");
	int want = (int)int_or(expect, "within_expected_pct", -1);
	ms_t max_stall = int_or(expect, "max_stall_ms", -1);
	ms_t within = int_or(expect, "recover_within_ms", -1);
	char a[32], b[32], c[32];
	j->within_ok = want < 0 || t->pct >= want;
	if (!j->within_ok) {
		reason(reasons,
		       "expectation missed: %d%% of jobs finished within their expected duration (expected %d%%); the slowest took %.1fx its expected time",
		       t->pct, want, t->worst);
		j->within_why =
			json_array_get(reasons, json_array_size(reasons) - 1);
	}
	j->stall_ok = max_stall < 0 || d->longest.len <= max_stall;
	if (!j->stall_ok) {
		reason(reasons,
		       "expectation missed: no job progressed for %s from %s (at most %s expected)",
		       gd_score_fmt_ms(d->longest.len, a, sizeof(a)),
		       gd_score_fmt_ms(d->longest.from, b, sizeof(b)),
		       gd_score_fmt_ms(max_stall, c, sizeof(c)));
		j->stall_why =
			json_array_get(reasons, json_array_size(reasons) - 1);
	}
	j->recover_ok = within < 0 ||
			(!ft->unrecovered && ft->slowest_recovery <= within);
	if (!j->recover_ok) {
		if (ft->unrecovered)
			reason(reasons,
			       "expectation missed: work never resumed on the nodes of a fault after its cause was gone (within %s expected)",
			       gd_score_fmt_ms(within, a, sizeof(a)));
		else
			reason(reasons,
			       "expectation missed: work resumed %s after a fault's cause was gone (within %s expected)",
			       gd_score_fmt_ms(ft->slowest_recovery, a,
					       sizeof(a)),
			       gd_score_fmt_ms(within, b, sizeof(b)));
		j->recover_why =
			json_array_get(reasons, json_array_size(reasons) - 1);
	}
}

static void fault_reasons(const struct fault_tally *ft, json_t *reasons)
{
	if (ft->not_applied)
		reason(reasons,
		       "%zu fault%s not applied as written (no evidence): the rehearsal did not happen as planned",
		       ft->not_applied, ft->not_applied > 1 ? "s" : "");
	if (ft->not_healed)
		reason(reasons, "%zu fault%s not healed with evidence",
		       ft->not_healed, ft->not_healed > 1 ? "s" : "");
	if (ft->not_drained)
		reason(reasons,
		       "%zu drain%s not confirmed by the job system: the maintenance did not happen as planned",
		       ft->not_drained, ft->not_drained > 1 ? "s" : "");
}

static json_t *reasons_of(const struct run *r, const struct day *d,
			  const struct tally *t, const struct fault_tally *ft,
			  const gd_log_end *log, struct judged *j)
{
	json_t *reasons = json_array();
	char a[32], b[32];
	j->invalid = r->lag > GD_LAG_BOUND_MS;
	if (j->invalid)
		reason(reasons,
		       "invalid: the run fell behind compressed time by %s (%s), more than the %s it may; its timings cannot be trusted: play it at a smaller scale",
		       gd_score_fmt_ms(r->lag, a, sizeof(a)), r->lag_what,
		       gd_score_fmt_ms(GD_LAG_BOUND_MS, b, sizeof(b)));
	if (r->stopped_by)
		reason(reasons, "stopped: %s", r->stopped_by);
	size_t before = json_array_size(reasons);
	job_reasons(r, reasons);
	if (json_array_size(reasons) > before)
		j->jobs_why = json_array_get(reasons, before);
	if (d->nsilent) {
		silent_reason(d, reasons);
		j->silent_why =
			json_array_get(reasons, json_array_size(reasons) - 1);
	}
	expectation_reasons(r, d, t, ft, reasons, j);
	fault_reasons(ft, reasons);
	if (!log->complete)
		reason(reasons, "the log is incomplete: %s", log->incomplete);
	j->pass = json_array_size(reasons) == 0;
	return reasons;
}

/* What the score's measures read. */
struct scored {
	const struct run *r;
	const struct day *d;
	const struct tally *t;
	const struct fault_tally *ft;
};

/* Each measure: the share of its points the day earns (0 to 1), and why
 * in one line. */
static double contract(const struct scored *c, gd_strbuf *why)
{
	size_t n = c->r->njobs;
	gd_strbuf_addf(why,
		       "%zu of %zu jobs correct within their hard deadline",
		       c->t->good, n);
	return n ? (double)c->t->good / (double)n : 1;
}

/* Full at the share expected, nothing 40 points below it (a day that
 * misses by that much is as bad as any). */
static double expectation(const struct scored *c, gd_strbuf *why)
{
	int want = (int)int_or(json_object_get(c->r->started, "expect"),
			       "within_expected_pct", -1);
	if (want < 0)
		want = 100;
	int pct = c->t->pct;
	gd_strbuf_addf(
		why,
		"%d%% of jobs within their expected duration (%d%% expected)",
		pct, want);
	return pct >= want ? 1 : 1.0 - (double)(want - pct) / 40.0;
}

/* Nothing left at 8 times the stall limit of silent stalls. */
static double silence(const struct scored *c, gd_strbuf *why)
{
	const struct day *d = c->d;
	char a[32], b[32];
	if (!d->nsilent) {
		gd_strbuf_add(why, "no silent stall");
		return 1;
	}
	gd_strbuf_addf(
		why,
		"%s of silent stalls (the job system reported nothing wrong; nothing left at 8x the %s limit)",
		gd_score_fmt_ms(d->silent_total, a, sizeof(a)),
		gd_score_fmt_ms(d->limit, b, sizeof(b)));
	double limit8 = 8.0 * (double)(d->limit > 0 ? d->limit : 1);
	return 1.0 - (double)d->silent_total / limit8;
}

static double detection(const struct scored *c, gd_strbuf *why)
{
	const struct fault_tally *ft = c->ft;
	if (!ft->touched) {
		gd_strbuf_add(why, "no fault touched work");
		return 1;
	}
	gd_strbuf_addf(
		why,
		"%zu of %zu faults that touched work noticed by the team's signals",
		ft->noticed, ft->touched);
	return ft->detect_q / (double)ft->touched;
}

static double recovery(const struct scored *c, gd_strbuf *why)
{
	const struct fault_tally *ft = c->ft;
	double k = ft->touched ? (double)ft->touched : 1;
	char a[32];
	gd_strbuf_addf(why,
		       "work progressed again within %s of the cause's end: %s",
		       gd_score_fmt_ms(c->d->limit, a, sizeof(a)),
		       !ft->touched		   ? "no fault touched work"
		       : ft->recover_q >= k - 1e-9 ? "every fault"
						   : "not for every fault");
	return ft->touched ? ft->recover_q / k : 1;
}

/* The score's parts, most weight first (docs/verdict.md). */
static const struct measure {
	const char *name;
	double max;
	double (*share)(const struct scored *c, gd_strbuf *why);
} measures[] = {
	{"contract", 30, contract}, {"expectation", 25, expectation},
	{"silence", 25, silence},   {"detection", 10, detection},
	{"recovery", 10, recovery},
};

static json_t *score_of(const struct scored *c, bool invalid)
{
	json_t *parts = json_array();
	double total = 0;
	for (size_t i = 0; i < GD_ARRAY_SIZE(measures); i++) {
		const struct measure *m = &measures[i];
		_cleanup_strbuf_ gd_strbuf why = GD_STRBUF_INIT;
		double share = fmax(0, fmin(1, m->share(c, &why)));
		total += m->max * share;
		json_array_append_new(
			parts,
			json_pack("{s:s,s:f,s:i,s:s}", "name", m->name,
				  "points", round(m->max * share * 10) / 10,
				  "max", (int)m->max, "why", why.buf));
	}
	const char *cap = NULL;
	if (c->t->wrong && total > 20) {
		total = 20;
		cap = "a wrong output caps the score at 20";
	}
	return json_pack("{s:o,s:o,s:s?}", "total",
			 invalid ? json_null() : json_integer(lround(total)),
			 "parts", parts, "cap", cap);
}

static json_t *silent_json(const struct day *d)
{
	json_t *list = json_array();
	for (size_t i = 0; i < d->nsilent; i++)
		json_array_append_new(list,
				      json_pack("{s:I,s:I,s:O}", "from_ms",
						(json_int_t)d->silent[i].from,
						"length_ms",
						(json_int_t)d->silent[i].len,
						"nodes", d->silent[i].nodes));
	return list;
}

static json_t *expectations_json(const struct run *r, const struct day *d,
				 const struct tally *t, const struct judged *j)
{
	json_t *expect = json_object_get(r->started, "expect");
	json_t *ex = json_array();
	char name[160], a[32];
	add_expectation(ex, "every job correct within its hard deadline",
			t->good == r->njobs, j->jobs_why);
	snprintf(
		name, sizeof(name),
		"no silent failure (a stall over %s while the job system reported nothing wrong)",
		gd_score_fmt_ms(d->limit, a, sizeof(a)));
	add_expectation(ex, name, d->nsilent == 0, j->silent_why);
	int want = (int)int_or(expect, "within_expected_pct", -1);
	if (want >= 0) {
		snprintf(name, sizeof(name),
			 "%d%% of jobs within their expected duration", want);
		add_expectation(ex, name, j->within_ok, j->within_why);
	}
	ms_t v = int_or(expect, "max_stall_ms", -1);
	if (v >= 0) {
		snprintf(name, sizeof(name), "no stall longer than %s",
			 gd_score_fmt_ms(v, a, sizeof(a)));
		add_expectation(ex, name, j->stall_ok, j->stall_why);
	}
	v = int_or(expect, "recover_within_ms", -1);
	if (v >= 0) {
		snprintf(name, sizeof(name),
			 "work resumes within %s of each fault's cause ending",
			 gd_score_fmt_ms(v, a, sizeof(a)));
		add_expectation(ex, name, j->recover_ok, j->recover_why);
	}
	return ex;
}

static json_t *measures_json(const struct run *r, const struct day *d,
			     const struct tally *t,
			     const struct fault_tally *ft)
{
	return json_pack(
		"{s:i,s:i,s:i,s:i,s:f,s:f,s:I,s:o,s:I,s:b,s:I,s:i,s:i,s:i,s:i,s:i}",
		"jobs", (int)r->njobs, "correct_on_time", (int)t->good,
		"within_expected", (int)t->within, "within_expected_pct",
		t->pct, "worst_inflation", round(t->worst * 100) / 100,
		"p95_inflation", round(t->p95 * 100) / 100, "longest_stall_ms",
		(json_int_t)d->longest.len, "longest_stall_from_ms",
		ms_json(d->longest.from), "stall_limit_ms",
		(json_int_t)d->limit, "silent_failure", d->nsilent > 0,
		"silent_ms", (json_int_t)d->silent_total,
		"faults_touching_work", (int)ft->touched, "faults_noticed",
		(int)ft->noticed, "faults_recovered", (int)ft->recovered,
		"faults_never_undone", (int)ft->never_undone, "close_calls",
		(int)t->close_calls);
}

/* The run's identity and circumstances, from its first event. */
static void describe_run(const struct run *r, const gd_log_end *log,
			 json_t *result)
{
	static const char *const copied[] = {"scenario", "system", "seed",
					     "time_scale", "fidelity"};
	for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
		json_t *v = json_object_get(r->started, copied[i]);
		if (v)
			json_object_set(result, copied[i], v);
	}
	json_t *run = json_object_get(r->started, "run");
	json_object_set(result, "run", run ? run : json_null());
	json_object_set_new(result, "complete", json_boolean(log->complete));
	json_object_set_new(result, "interrupted",
			    json_boolean(r->interrupted));
	if (r->stopped_by)
		json_object_set_new(result, "stopped_by",
				    json_string(r->stopped_by));
	if (!log->complete)
		json_object_set_new(result, "incomplete",
				    json_string(log->incomplete));
	json_object_set_new(result, "duration_ms", json_integer(r->end));
	json_object_set_new(result, "resolution_ms",
			    json_integer(resolution(r)));
	json_object_set_new(result, "lag",
			    json_pack("{s:I,s:s,s:I}", "max_ms",
				      (json_int_t)r->lag, "what", r->lag_what,
				      "bound_ms", (json_int_t)GD_LAG_BOUND_MS));
	/* When the run started, on the host's clock: a trend's x axis. */
	json_t *t0 = json_object_get(r->started, "t_ms");
	if (json_is_integer(t0)) {
		time_t secs = (time_t)(json_integer_value(t0) / 1000);
		struct tm tm;
		char iso[32];
		gmtime_r(&secs, &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(result, "started_at", json_string(iso));
		json_object_set_new(result, "started_at_ms",
				    json_integer(json_integer_value(t0)));
	}
	json_t *nodes = json_object_get(r->started, "nodes");
	json_object_set_new(result, "nodes",
			    nodes ? json_incref(nodes) : json_array());
	/* (left out when the log says of none, as it did before) */
	if (r->logs)
		json_object_set(result, "logs", r->logs);
}

/* What the log could tell: a log written before version 3 has no
 * progress lines nor node states, and is scored without them. */
static json_t *log_json(const struct run *r)
{
	bool progress = false;
	for (size_t i = 0; i < r->njobs && !progress; i++)
		progress = r->jobs[i].progress > 0;
	return json_pack("{s:b,s:b}", "progress_events", progress,
			 "node_states", r->v3);
}

json_t *gd_verdict_of(struct run *r, const gd_log_end *log)
{
	struct day d;
	if (gd_day_measure(r, &d) < 0) {
		gd_day_free(&d);
		return NULL;
	}
	struct tally t = {0};
	struct fault_tally ft = {0};
	struct judged j = {0};
	json_t *jobs = jobs_json(r, &t);
	json_t *faults = faults_json(r, &d, &ft);
	json_t *reasons = reasons_of(r, &d, &t, &ft, log, &j);
	const struct scored scored = {r, &d, &t, &ft};
	json_t *result =
		json_pack("{s:s,s:i,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			  "format", "gameday-result", "version", 3, "verdict",
			  j.invalid ? "invalid"
			  : j.pass  ? "pass"
				    : "fail",
			  "expectations", expectations_json(r, &d, &t, &j),
			  "reasons", reasons, "jobs", jobs, "faults", faults,
			  "score", score_of(&scored, j.invalid), "measures",
			  measures_json(r, &d, &t, &ft), "silent_failures",
			  silent_json(&d), "alerts", json_incref(d.alerts),
			  "log", log_json(r));
	describe_run(r, log, result);
	gd_day_free(&d);
	return result;
}
