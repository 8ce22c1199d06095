/* The day as a person would judge it: when work progressed, when it
 * stalled, which stalls were silent (the job system said all was well),
 * when the team's monitoring would have noticed each fault, and when work
 * recovered from it.  Definitions:
 * docs/verdict.md. */
#include "base/cleanup.h"
#include "score/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VEC_AT(vec, type, i) (&((type *)(vec).v)[i])

int gd_score_push(struct vec *v, const void *item, size_t size)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void *p = realloc(v->v, cap * size);
		if (!p)
			return -ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	memcpy((char *)v->v + v->n * size, item, size);
	v->n++;
	return 0;
}

/* qsort, which must not be given the NULL of an empty vector */
static void sort(struct vec *v, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (v->n)
		qsort(v->v, v->n, size, cmp);
}

static int cmp_mark(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

static int cmp_signal(const void *a, const void *b)
{
	const struct signal *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* A job's group reports progress when any job of it wrote a progress
 * line in this log; a job of a group that never does counts as
 * progressing from its first start to the top of its expected range.
 * Into reports[i] for each job; groups are few, jobs many. */
static int group_reports(const struct run *r, bool *reports)
{
	struct vec groups = {0}; /* const char *: groups that report */
	for (size_t i = 0; i < r->njobs; i++) {
		const char *g = r->jobs[i].group ? r->jobs[i].group : "";
		bool known = false;
		for (size_t k = 0; k < groups.n && !known; k++)
			known = strcmp(((const char **)groups.v)[k], g) == 0;
		if (r->jobs[i].progress && !known &&
		    gd_score_push(&groups, &g, sizeof(g)) < 0) {
			free(groups.v);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < r->njobs; i++) {
		const char *g = r->jobs[i].group ? r->jobs[i].group : "";
		reports[i] = false;
		for (size_t k = 0; k < groups.n && !reports[i]; k++)
			reports[i] =
				strcmp(((const char **)groups.v)[k], g) == 0;
	}
	free(groups.v);
	return 0;
}

static ms_t fin_or_end(const struct run *r, const struct job *j)
{
	return j->finished >= 0 ? j->finished : r->end;
}

/* The silent-progress window of a job that reports none, or false. */
static bool implicit_window(const struct run *r, const struct job *j,
			    bool reports, ms_t *from, ms_t *to)
{
	if (reports || j->first_start < 0)
		return false;
	*from = j->first_start;
	*to = fin_or_end(r, j);
	if (j->exp_hi >= 0 && j->first_start + j->exp_hi < *to)
		*to = j->first_start + j->exp_hi;
	return *to > *from;
}

struct edge {
	ms_t at;
	int open, quiet; /* +1 / -1 */
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Where work was open (submitted, not finished) and no job counted as
 * progressing on its own: the stretches a stall can be in, disjoint and
 * in order, into *out.  reports NULL: where work was open at all. */
static int stallable(const struct run *r, const bool *reports, struct vec *out)
{
	_cleanup_free_ struct edge *e = calloc(4 * r->njobs + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		ms_t a, b;
		if (j->submitted >= 0 && fin_or_end(r, j) > j->submitted) {
			e[n++] = (struct edge){j->submitted, 1, 0};
			e[n++] = (struct edge){fin_or_end(r, j), -1, 0};
		}
		if (reports && implicit_window(r, j, reports[i], &a, &b)) {
			e[n++] = (struct edge){a, 0, 1};
			e[n++] = (struct edge){b, 0, -1};
		}
	}
	if (n)
		qsort(e, n, sizeof(*e), cmp_edge);
	int open = 0, quiet = 0;
	ms_t from = -1;
	for (size_t k = 0; k < n;) {
		ms_t at = e[k].at;
		for (; k < n && e[k].at == at; k++)
			open += e[k].open, quiet += e[k].quiet;
		bool in = open > 0 && quiet == 0;
		if (in && from < 0)
			from = at;
		else if (!in && from >= 0) {
			struct span s = {from, at};
			if (gd_score_push(out, &s, sizeof(s)) < 0)
				return -ENOMEM;
			from = -1;
		}
	}
	return 0;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

/* Adds to spans the stretches the job system did not answer (one still
 * open runs to the end) and merges them into disjoint ones in order. */
static int with_unanswered(const struct run *r, struct vec *spans)
{
	for (size_t i = 0; i < r->unanswered.n; i++) {
		struct span s = VEC_AT(r->unanswered, struct span, i)[0];
		if (s.to < 0)
			s.to = r->end;
		if (gd_score_push(spans, &s, sizeof(s)) < 0)
			return -ENOMEM;
	}
	sort(spans, sizeof(struct span), cmp_span);
	struct span *v = spans->v;
	size_t n = 0;
	for (size_t i = 0; i < spans->n; i++) {
		if (n && v[i].from <= v[n - 1].to) {
			if (v[i].to > v[n - 1].to)
				v[n - 1].to = v[i].to;
		} else
			v[n++] = v[i];
	}
	spans->n = n;
	return 0;
}

/* Where some node was in a bad state, or the job system did not answer,
 * disjoint and in order. */
static int bad_spans(const struct run *r, struct vec *out)
{
	/* states are in log order; a node's last word holds until its next */
	_cleanup_free_ const char **bad = calloc(r->states.n + 1, sizeof(*bad));
	if (!bad)
		return -ENOMEM;
	size_t nbad = 0;
	ms_t from = -1;
	for (size_t i = 0; i < r->states.n; i++) {
		const struct nstate *s = VEC_AT(r->states, struct nstate, i);
		size_t k = 0;
		while (k < nbad && strcmp(bad[k], s->node) != 0)
			k++;
		if (s->bad && k == nbad)
			bad[nbad++] = s->node;
		else if (!s->bad && k < nbad)
			bad[k] = bad[--nbad];
		if (nbad && from < 0)
			from = s->at;
		else if (!nbad && from >= 0) {
			struct span sp = {from, s->at};
			if (gd_score_push(out, &sp, sizeof(sp)) < 0)
				return -ENOMEM;
			from = -1;
		}
	}
	if (from >= 0) {
		struct span sp = {from, r->end};
		if (gd_score_push(out, &sp, sizeof(sp)) < 0)
			return -ENOMEM;
	}
	return with_unanswered(r, out);
}

/* The nodes whose jobs were waiting-on or running in [from, to). */
static json_t *stuck_nodes(const struct run *r, ms_t from, ms_t to)
{
	json_t *nodes = json_array();
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		for (size_t a = 0; a < j->natt; a++) {
			const struct attempt *at = &j->att[a];
			ms_t e = at->end >= 0 ? at->end : r->end;
			if (at->node && at->start < to && e > from &&
			    !gd_score_in_nodes(nodes, at->node))
				json_array_append_new(nodes,
						      json_string(at->node));
		}
	}
	return nodes;
}

struct cuts {
	const struct vec *bad;	  /* struct span */
	const struct vec *wrongs; /* struct signal: jobs failed, requeued */
	struct day *d;
	const struct run *r;
	size_t bi, wi; /* stalls come in time order: where to look next */
};

static int add_silent(struct cuts *c, ms_t from, ms_t to)
{
	if (to - from <= c->d->limit)
		return 0;
	struct stretch s = {from, to - from, stuck_nodes(c->r, from, to)};
	struct stretch *v =
		realloc(c->d->silent, (c->d->nsilent + 1) * sizeof(*v));
	if (!v) {
		json_decref(s.nodes);
		return -ENOMEM;
	}
	c->d->silent = v;
	v[c->d->nsilent++] = s;
	c->d->silent_total += s.len;
	return 0;
}

/* A stall [from, to) less what the job system reported wrong in it: the
 * parts longer than the limit are silent failures. */
static int silent_parts(struct cuts *c, ms_t from, ms_t to)
{
	const struct span *bad = c->bad->v;
	const struct signal *w = c->wrongs->v;
	while (c->bi < c->bad->n && bad[c->bi].to <= from)
		c->bi++;
	while (c->wi < c->wrongs->n && w[c->wi].at <= from)
		c->wi++;
	ms_t cur = from;
	for (size_t i = c->bi; i <= c->bad->n && cur < to; i++) {
		ms_t stop = to, resume = to;
		if (i < c->bad->n) {
			if (bad[i].from >= to)
				i = c->bad->n; /* none left in this stall */
			else {
				stop = bad[i].from > cur ? bad[i].from : cur;
				resume = bad[i].to;
			}
		}
		/* split [cur, stop) at every job failed or requeued */
		for (size_t k = c->wi; k < c->wrongs->n && w[k].at < stop;
		     k++) {
			if (w[k].at <= cur)
				continue;
			if (add_silent(c, cur, w[k].at) < 0)
				return -ENOMEM;
			cur = w[k].at;
		}
		if (stop > cur && add_silent(c, cur, stop) < 0)
			return -ENOMEM;
		cur = resume;
	}
	return 0;
}

/* Every stall: each stallable stretch cut at every progress mark. */
static int stalls(const struct vec *spans, const struct vec *marks,
		  struct cuts *c)
{
	size_t m = 0;
	for (size_t i = 0; i < spans->n; i++) {
		const struct span *s = VEC_AT(*spans, struct span, i);
		ms_t cur = s->from;
		while (cur < s->to) {
			while (m < marks->n &&
			       VEC_AT(*marks, struct mark, m)->at <= cur)
				m++;
			ms_t next = s->to;
			if (m < marks->n &&
			    VEC_AT(*marks, struct mark, m)->at < s->to)
				next = VEC_AT(*marks, struct mark, m)->at;
			if (next - cur > c->d->longest.len) {
				c->d->longest.from = cur;
				c->d->longest.len = next - cur;
			}
			if (silent_parts(c, cur, next) < 0)
				return -ENOMEM;
			cur = next;
		}
	}
	return 0;
}

static int fire(struct run *r, json_t *fired, const struct alert *al, ms_t at,
		const struct job *j, const struct attempt *on)
{
	char what[320];
	const char *node = on ? on->node : NULL;
	if (j)
		snprintf(what, sizeof(what), "alert \"%s\": job %s%s%s",
			 al->name, j->id, node ? " on " : " (queued)",
			 node ? node : "");
	else
		snprintf(what, sizeof(what), "alert \"%s\"", al->name);
	/* a long day's firings are bounded: the first say when */
	if (json_array_size(fired) < 200)
		json_array_append_new(fired, json_pack("{s:s,s:I,s:s?,s:s?}",
						       "alert", al->name,
						       "at_ms", (json_int_t)at,
						       "job", j ? j->id : NULL,
						       "node", node));
	struct signal s = {at,
			   node,
			   gd_arena_strdup(r->arena, what),
			   SIG_ALERT,
			   on ? on->start : -1,
			   j == NULL};
	return gd_score_push(&r->signals, &s, sizeof(s));
}

/* "a job running past X": as squeue's TIME counts, each run of a job
 * from its start on its node; once per run, pointing at that node. */
static int alert_job_over(struct run *r, const struct alert *al, json_t *fired)
{
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		ms_t over =
			al->job_over >= 0
				? al->job_over
				: (ms_t)(al->job_over_x * (double)j->exp_hi);
		if (over < 0 || (al->job_over < 0 && j->exp_hi < 0))
			continue;
		for (size_t a = 0; a < j->natt; a++) {
			ms_t at = j->att[a].start + over;
			ms_t end = j->att[a].end >= 0 ? j->att[a].end : r->end;
			if (at > end || at > r->end)
				continue;
			if (fire(r, fired, al, at, j, &j->att[a]) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* "no job finished for X": while work is open, X after the last job
 * finished (or work opened), again after each finish. */
static int alert_quiet(struct run *r, const struct alert *al,
		       const struct vec *open, const struct vec *finishes,
		       json_t *fired)
{
	size_t f = 0;
	for (size_t i = 0; i < open->n; i++) {
		const struct span *s = VEC_AT(*open, struct span, i);
		ms_t since = s->from;
		for (;;) {
			while (f < finishes->n &&
			       VEC_AT(*finishes, struct mark, f)->at <= since)
				f++;
			ms_t next =
				f < finishes->n
					? VEC_AT(*finishes, struct mark, f)->at
					: s->to;
			if (next > s->to)
				next = s->to;
			if (next - since > al->quiet_for &&
			    fire(r, fired, al, since + al->quiet_for, NULL,
				 NULL) < 0)
				return -ENOMEM;
			if (next >= s->to)
				break;
			since = next;
		}
	}
	return 0;
}

static void read_alert(json_t *o, struct alert *al)
{
	al->name = json_string_value(json_object_get(o, "name"));
	al->job_over = gd_score_int_or(o, "job_running_over_ms", -1);
	json_t *x = json_object_get(o, "job_running_over_x");
	al->job_over_x = json_is_number(x) ? json_number_value(x) : -1;
	al->quiet_for = gd_score_int_or(o, "no_job_finished_for_ms", -1);
	if (!al->name)
		al->name = "?";
}

static int alerts(struct run *r, const struct vec *finishes, json_t *fired)
{
	json_t *list = json_object_get(r->started, "alerts");
	struct vec open = {0};
	int rc = stallable(r, NULL, &open);
	size_t i;
	json_t *o;
	json_array_foreach (list, i, o) {
		if (rc < 0)
			break;
		struct alert al;
		read_alert(o, &al);
		if (al.job_over >= 0 || al.job_over_x > 0)
			rc = alert_job_over(r, &al, fired);
		else if (al.quiet_for > 0)
			rc = alert_quiet(r, &al, &open, finishes, fired);
	}
	free(open.v);
	return rc;
}

/* Whether node was reported good in [from, to): a node back from a
 * reboot is seen coming up before a later bad state can be news. */
static bool seen_good(const struct run *r, const char *node, ms_t from, ms_t to)
{
	for (size_t i = 0; i < r->states.n; i++) {
		const struct nstate *s = VEC_AT(r->states, struct nstate, i);
		if (s->at >= from && s->at < to && !s->bad &&
		    strcmp(s->node, node) == 0)
			return true;
	}
	return false;
}

static bool in_place(const struct fault *f, ms_t at)
{
	return at >= f->applied && (f->healed < 0 || at <= f->healed);
}

/* The first signal that points at f: on one of its nodes, or at the
 * whole cluster while it was in place; long after its end a signal is
 * about something else. */
static void notice(const struct run *r, struct fault *f)
{
	bool change = f->kind && strcmp(f->kind, "change") == 0;
	ms_t until = -1;
	if (f->healed >= 0)
		until = f->healed + (f->healed - f->applied) + 60000;
	/* a change undone by re-imaging its nodes: the requeues and the
	 * nodes going away that follow are the re-image's, not news of the
	 * change */
	if (f->reimaged && f->healed >= 0)
		until = f->healed;
	for (size_t i = 0; i < r->signals.n; i++) {
		const struct signal *s = VEC_AT(r->signals, struct signal, i);
		if (s->at < f->applied)
			continue;
		if (until >= 0 && s->at > until)
			break;
		if (s->wide ? !in_place(f, s->at)
			    : !gd_score_in_nodes(f->nodes, s->node))
			continue;
		if (change && s->kind == SIG_NODE &&
		    !seen_good(r, s->node, f->applied, s->at))
			continue;
		/* a job that ran there while it held: for a change, one that
		 * started on the node as it came back changed */
		if (s->kind != SIG_NODE && s->since >= 0 && change &&
		    s->since < f->applied)
			continue;
		f->detect = s->at - f->applied;
		snprintf(f->detected_by, sizeof(f->detected_by), "%s", s->what);
		return;
	}
}

static bool open_at(const struct run *r, ms_t t)
{
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		if (j->submitted >= 0 && j->submitted <= t &&
		    (j->finished < 0 || j->finished > t))
			return true;
	}
	return false;
}

static bool ran_on(const struct run *r, json_t *nodes, ms_t from, ms_t to)
{
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		for (size_t a = 0; a < j->natt; a++) {
			ms_t e = j->att[a].end >= 0 ? j->att[a].end : r->end;
			if (j->att[a].start < to && e > from &&
			    gd_score_in_nodes(nodes, j->att[a].node))
				return true;
		}
	}
	return false;
}

/* From the cause's end (its undo; a power fault's node back) to the
 * first progress on its nodes; when no job ever ran there again, to the
 * first progress anywhere; 0 when no work was left to do. */
static void recover(const struct run *r, const struct vec *marks,
		    struct fault *f)
{
	ms_t gone = f->healed;
	f->recovered = -1;
	if (gone < 0 || f->applied < 0)
		return;
	if (!open_at(r, gone)) {
		f->recovered = 0;
		return;
	}
	bool again = ran_on(r, f->nodes, gone + 1, r->end + 1);
	size_t lo = 0, hi = marks->n; /* the first mark after gone */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (VEC_AT(*marks, struct mark, mid)->at <= gone)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < marks->n; i++) {
		const struct mark *m = VEC_AT(*marks, struct mark, i);
		if (again && !gd_score_in_nodes(f->nodes, m->node))
			continue;
		f->recovered = m->at - gone;
		return;
	}
}

/* Progress marks for recovery: the log's, and each start of a job that
 * reports none while it counts as progressing. */
static int recovery_marks(const struct run *r, const bool *reports,
			  struct vec *out)
{
	for (size_t i = 0; i < r->marks.n; i++)
		if (gd_score_push(out, VEC_AT(r->marks, struct mark, i),
				  sizeof(struct mark)) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		ms_t a, b;
		if (!implicit_window(r, j, reports[i], &a, &b))
			continue;
		for (size_t k = 0; k < j->natt; k++) {
			struct mark m = {j->att[k].start, j->att[k].node};
			if (m.at < b && gd_score_push(out, &m, sizeof(m)) < 0)
				return -ENOMEM;
		}
	}
	sort(out, sizeof(struct mark), cmp_mark);
	return 0;
}

static ms_t default_limit(const struct run *r)
{
	ms_t limit = gd_score_int_or(json_object_get(r->started, "expect"),
				     "max_stall_ms", -1);
	if (limit >= 0)
		return limit;
	limit = 0;
	for (size_t i = 0; i < r->njobs; i++)
		if (r->jobs[i].exp_hi > limit)
			limit = r->jobs[i].exp_hi;
	return limit;
}

static void faults_measure(struct run *r, const struct vec *marks)
{
	for (size_t i = 0; i < r->nfaults; i++) {
		struct fault *f = &r->faults[i];
		f->detect = -1;
		f->recovered = -1;
		if (f->applied < 0 || !f->applied_ok)
			continue;
		notice(r, f);
		recover(r, marks, f);
		ms_t to = f->healed >= 0 ? f->healed : r->end;
		f->touched_work = ran_on(r, f->nodes, f->applied,
					 to > f->applied ? to : f->applied + 1);
	}
}

int gd_day_measure(struct run *r, struct day *d)
{
	memset(d, 0, sizeof(*d));
	d->limit = default_limit(r);
	d->longest.from = -1;
	d->alerts = json_array();
	_cleanup_free_ bool *reports = calloc(r->njobs + 1, sizeof(bool));
	struct vec spans = {0}, bad = {0}, marks = {0};
	int rc = reports && d->alerts ? 0 : -ENOMEM;
	if (rc == 0)
		rc = group_reports(r, reports);
	sort(&r->marks, sizeof(struct mark), cmp_mark);
	sort(&r->finishes, sizeof(struct mark), cmp_mark);
	if (rc == 0)
		rc = alerts(r, &r->finishes, d->alerts);
	sort(&r->signals, sizeof(struct signal), cmp_signal);
	sort(&r->wrongs, sizeof(struct signal), cmp_signal);
	if (rc == 0)
		rc = stallable(r, reports, &spans);
	if (rc == 0)
		rc = bad_spans(r, &bad);
	struct cuts c = {&bad, &r->wrongs, d, r, 0, 0};
	if (rc == 0)
		rc = stalls(&spans, &r->marks, &c);
	if (rc == 0)
		rc = recovery_marks(r, reports, &marks);
	if (rc == 0)
		faults_measure(r, &marks);
	if (d->longest.len > 0)
		d->longest.nodes = stuck_nodes(
			r, d->longest.from, d->longest.from + d->longest.len);
	free(spans.v);
	free(bad.v);
	free(marks.v);
	return rc;
}

void gd_day_free(struct day *d)
{
	for (size_t i = 0; i < d->nsilent; i++)
		json_decref(d->silent[i].nodes);
	free(d->silent);
	json_decref(d->longest.nodes);
	json_decref(d->alerts);
}
