/* Scoring: one pass over the events in order builds jobs, faults and the
 * run's progress; then the verdict, measures and score are derived. */
#include "score/score.h"

#include "base/arena.h"
#include "base/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int64_t ms_t;

#define MAX_ATTEMPTS 32

struct attempt {
	const char *node;
	ms_t start, end; /* end -1: still running at the end of the log */
};

struct job {
	const char *id, *group;
	ms_t submit_plan, deadline, exp_lo, exp_hi;
	ms_t submitted, first_start, finished; /* -1: never */
	struct attempt att[MAX_ATTEMPTS];
	size_t natt;
	unsigned attempts;
	const char *outcome, *why, *state;
	int on_time; /* -1: not judged */
};

struct fault {
	const char *id, *step, *kind;
	json_t *nodes;
	ms_t scheduled, applied, healed; /* -1: never */
	ms_t changed, reverted; /* a reboot back changed: from, to (-1) */
	bool applied_ok, healed_ok, heal_seen;
	ms_t detect; /* -1: nothing noticed */
	char detected_by[320];
	ms_t drained;		  /* a reboot's drain ahead of it; -1: none */
	bool drain_ok;		  /* the job system confirmed it */
	const char *drain_states; /* the nodes' states when they went down */
};

/* Ids to their place in an array: open addressing, FNV-1a. */
struct index {
	size_t *slot; /* position + 1; 0: empty */
	size_t cap;
};

struct run {
	gd_arena *arena; /* every string kept from the events */
	struct index job_idx, fault_idx;
	bool begun, ended; /* "run-started" seen; "run-finished" seen */
	size_t pending;	   /* faults applied and not noticed yet */
	int64_t t0;
	double scale;
	json_t *started; /* the run-started event */
	struct job *jobs;
	size_t njobs, jobcap;
	struct fault *faults;
	size_t nfaults, faultcap;
	ms_t end; /* the last event's scenario time */
	/* progress: a job submitted, started, requeued or finished */
	ms_t last_progress, stall, stall_from;
	size_t open; /* submitted and not finished */
	const char *stopped_by;
	bool interrupted;
	/* how far behind compressed time the run fell, and where */
	ms_t lag;
	char lag_what[160];
};

static void behind(struct run *r, ms_t lag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void behind(struct run *r, ms_t lag, const char *fmt, ...)
{
	if (lag <= r->lag)
		return;
	r->lag = lag;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->lag_what, sizeof(r->lag_what), fmt, ap);
	va_end(ap);
}

static ms_t at_of(const struct run *r, json_t *ev)
{
	json_int_t t = json_integer_value(json_object_get(ev, "t_ms"));
	return (ms_t)llround((double)(t - r->t0) * r->scale);
}

static const char *str(json_t *ev, const char *key)
{
	return json_string_value(json_object_get(ev, key));
}

static ms_t int_or(json_t *ev, const char *key, ms_t fallback)
{
	json_t *v = json_object_get(ev, key);
	return json_is_integer(v) ? (ms_t)json_integer_value(v) : fallback;
}

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The position of key in a, via the index (keys: n of them, reached by
 * key_at), or -1. */
static long idx_find(const struct index *x, const char *key,
		     const char *(*key_at)(const struct run *, size_t),
		     const struct run *r)
{
	if (!x->cap)
		return -1;
	for (size_t i = hash(key) & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
		if (!x->slot[i])
			return -1;
		if (strcmp(key_at(r, x->slot[i] - 1), key) == 0)
			return (long)(x->slot[i] - 1);
	}
}

/* Adds position pos (of n so far); grows at half full. */
static int idx_add(struct index *x, size_t pos, size_t n,
		   const char *(*key_at)(const struct run *, size_t),
		   const struct run *r)
{
	if (2 * (n + 1) > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		size_t *slot = calloc(cap, sizeof(*slot));
		if (!slot)
			return -ENOMEM;
		free(x->slot);
		x->slot = slot;
		x->cap = cap;
		for (size_t k = 0; k < n; k++)
			idx_add(x, k, 0, key_at, r);
		if (pos < n)
			return 0;
	}
	size_t i = hash(key_at(r, pos)) & (x->cap - 1);
	while (x->slot[i])
		i = (i + 1) & (x->cap - 1);
	x->slot[i] = pos + 1;
	return 0;
}

static const char *job_key(const struct run *r, size_t i)
{
	return r->jobs[i].id;
}

static const char *fault_key(const struct run *r, size_t i)
{
	return r->faults[i].id;
}

static const char *keep(struct run *r, const char *s)
{
	return s ? gd_arena_strdup(r->arena, s) : NULL;
}

/* Room for one more of n items in *items (doubling). */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	void *p = realloc(*items, c * size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*cap = c;
	return 0;
}

static struct job *job_by_id(struct run *r, const char *id, bool make)
{
	if (!id)
		return NULL;
	long at = idx_find(&r->job_idx, id, job_key, r);
	if (at >= 0)
		return &r->jobs[at];
	if (!make)
		return NULL;
	if (grow((void **)&r->jobs, &r->jobcap, r->njobs, sizeof(*r->jobs)) < 0)
		return NULL;
	struct job *j = &r->jobs[r->njobs];
	memset(j, 0, sizeof(*j));
	j->id = keep(r, id);
	j->submit_plan = j->deadline = j->exp_lo = j->exp_hi = -1;
	j->submitted = j->first_start = j->finished = -1;
	j->on_time = -1;
	if (idx_add(&r->job_idx, r->njobs, r->njobs, job_key, r) < 0)
		return NULL;
	return &r->jobs[r->njobs++];
}

static struct fault *fault_by_id(struct run *r, const char *id, bool make)
{
	if (!id)
		return NULL;
	long at = idx_find(&r->fault_idx, id, fault_key, r);
	if (at >= 0)
		return &r->faults[at];
	if (!make)
		return NULL;
	if (grow((void **)&r->faults, &r->faultcap, r->nfaults,
		 sizeof(*r->faults)) < 0)
		return NULL;
	struct fault *f = &r->faults[r->nfaults];
	memset(f, 0, sizeof(*f));
	f->id = keep(r, id);
	f->scheduled = f->applied = f->healed = f->detect = -1;
	f->changed = f->reverted = f->drained = -1;
	if (idx_add(&r->fault_idx, r->nfaults, r->nfaults, fault_key, r) < 0)
		return NULL;
	return &r->faults[r->nfaults++];
}

static bool in_nodes(json_t *nodes, const char *node)
{
	size_t i;
	json_t *v;
	json_array_foreach (nodes, i, v) {
		if (node && strcmp(json_string_value(v), node) == 0)
			return true;
	}
	return false;
}

/* Whether ranges, the inside of a Slurm hostlist's brackets ("1-3,5]",
 * "01-07]"), hold the number digits[0..len): by value, and by width
 * where a range is written zero-padded. */
static bool ranges_hold(const char *ranges, const char *digits, size_t len)
{
	long n = strtol(digits, NULL, 10);
	const char *p = ranges;
	while (isdigit((unsigned char)*p)) {
		const char *lo_at = p;
		long lo = strtol(p, (char **)&p, 10), hi = lo;
		size_t width = (size_t)(p - lo_at);
		if (*p == '-' && isdigit((unsigned char)p[1]))
			hi = strtol(p + 1, (char **)&p, 10);
		bool padded = *lo_at == '0' && width > 1;
		if (n >= lo && n <= hi && (!padded || width == len))
			return true;
		if (*p != ',')
			break;
		p++;
	}
	return false;
}

/* Whether a line names node n as a word ("w1", not "w10"), itself or in
 * a Slurm hostlist ("Nodes w[1-4] not responding"). */
static bool line_names_node(const char *line, const char *n)
{
	size_t len = strlen(n);
	for (const char *p = line; (p = strstr(p, n)); p++) {
		bool before = p == line || !isalnum((unsigned char)p[-1]);
		if (before && !isalnum((unsigned char)p[len]))
			return true;
	}
	/* "w12" is the prefix "w" and the number "12" */
	size_t pre = len;
	while (pre > 0 && isdigit((unsigned char)n[pre - 1]))
		pre--;
	if (pre == 0 || pre == len)
		return false;
	for (const char *p = line; (p = strstr(p, "[")); p++) {
		const char *start = p - pre;
		if (start < line || strncmp(start, n, pre) != 0 ||
		    (start > line && isalnum((unsigned char)start[-1])))
			continue;
		if (ranges_hold(p + 1, n + pre, len - pre))
			return true;
	}
	return false;
}

/* Whether a line names one of the nodes. */
static bool line_names(const char *line, json_t *nodes)
{
	size_t i;
	json_t *v;
	json_array_foreach (nodes, i, v) {
		if (line_names_node(line, json_string_value(v)))
			return true;
	}
	return false;
}

static void progress(struct run *r, ms_t at)
{
	if (r->open && at - r->last_progress > r->stall) {
		r->stall = at - r->last_progress;
		r->stall_from = r->last_progress;
	}
	r->last_progress = at;
}

/* The first sign after a fault that the cluster noticed it: its node's
 * supervisor seeing a service die, a log line of (or naming) its node, a
 * job on it requeued or forgotten. */
static void noticed(struct run *r, ms_t at, const char *node, const char *line,
		    const char *what)
{
	for (size_t i = 0; i < r->nfaults; i++) {
		struct fault *f = &r->faults[i];
		if (f->applied < 0 || f->detect >= 0 || at < f->applied)
			continue;
		/* Long after its heal, a sign is about something else. */
		if (f->healed >= 0 &&
		    at > f->healed + (f->healed - f->applied) + 60000)
			continue;
		if (!in_nodes(f->nodes, node) &&
		    !(line && line_names(line, f->nodes)))
			continue;
		f->detect = at - f->applied;
		snprintf(f->detected_by, sizeof(f->detected_by), "%s", what);
		r->pending--;
	}
}

static const struct attempt *open_attempt(const struct job *j)
{
	return j->natt && j->att[j->natt - 1].end < 0 ? &j->att[j->natt - 1]
						      : NULL;
}

static void close_attempt(struct job *j, ms_t at)
{
	if (j->natt && j->att[j->natt - 1].end < 0)
		j->att[j->natt - 1].end = at;
}

static void on_event(struct run *r, json_t *ev)
{
	const char *what = str(ev, "event");
	const char *source = str(ev, "source");
	ms_t at = at_of(r, ev);
	if (at > r->end)
		r->end = at;
	struct job *j = NULL;
	char said[320];
	if (source && strcmp(source, "supervisor") == 0) {
		/* A service gameday itself restarts (a profile applied or
		 * healed) is no sign that the cluster noticed anything. */
		bool ours = json_is_true(json_object_get(ev, "reload"));
		if (!ours && (strcmp(what, "exit") == 0 ||
			      strcmp(what, "give-up") == 0)) {
			snprintf(said, sizeof(said), "%s on %s: %s %s",
				 "supervisor", str(ev, "node"),
				 str(ev, "service") ? str(ev, "service") : "",
				 strcmp(what, "exit") ? "given up" : "exited");
			noticed(r, at, str(ev, "node"), NULL, said);
		}
		return;
	}
	if (strcmp(what, "job-planned") == 0) {
		j = job_by_id(r, str(ev, "job"), true);
		if (!j)
			return;
		j->group = keep(r, str(ev, "group"));
		j->submit_plan = int_or(ev, "submit_ms", -1);
		j->deadline = int_or(ev, "deadline_ms", -1);
		j->exp_lo = int_or(ev, "expected_lo_ms", -1);
		j->exp_hi = int_or(ev, "expected_hi_ms", -1);
	} else if (strcmp(what, "job-submitted") == 0) {
		j = job_by_id(r, str(ev, "job"), true);
		if (j && j->submitted < 0) {
			j->submitted = int_or(ev, "t_scenario_ms", at);
			/* the gap before it is judged on the jobs open in it */
			progress(r, j->submitted);
			r->open++;
		}
	} else if (strcmp(what, "job-started") == 0) {
		j = job_by_id(r, str(ev, "job"), true);
		if (!j)
			return;
		close_attempt(j, at);
		if (j->natt < MAX_ATTEMPTS)
			j->att[j->natt++] = (struct attempt){
				keep(r, str(ev, "node")), at, -1};
		if (j->first_start < 0)
			j->first_start = at;
		ms_t n = int_or(ev, "attempt", 1);
		if (n > (ms_t)j->attempts)
			j->attempts = (unsigned)n;
		progress(r, at);
	} else if (strcmp(what, "job-requeued") == 0 ||
		   strcmp(what, "job-missing") == 0) {
		j = job_by_id(r, str(ev, "job"), false);
		if (!j)
			return;
		const struct attempt *a = open_attempt(j);
		const char *node = a ? a->node : NULL;
		snprintf(said, sizeof(said), "job %s %s", j->id,
			 what[4] == 'r' ? "requeued"
					: "forgotten by the job system");
		noticed(r, at, node, NULL, said);
		close_attempt(j, at);
		if (what[4] == 'r')
			progress(r, at);
	} else if (strcmp(what, "job-finished") == 0) {
		j = job_by_id(r, str(ev, "job"), false);
		if (!j || j->finished >= 0)
			return;
		close_attempt(j, at);
		j->finished = at;
		j->state = keep(r, str(ev, "state"));
		progress(r, at);
		if (r->open)
			r->open--;
	} else if (strcmp(what, "job-outcome") == 0) {
		j = job_by_id(r, str(ev, "job"), false);
		if (!j)
			return;
		j->outcome = keep(r, str(ev, "outcome"));
		j->why = keep(r, str(ev, "why"));
		json_t *ot = json_object_get(ev, "on_time");
		if (json_is_boolean(ot))
			j->on_time = json_is_true(ot);
	} else if (strcmp(what, "fault-applying") == 0 ||
		   strcmp(what, "fault-applied") == 0 ||
		   strcmp(what, "fault-not-applied") == 0) {
		/* "fault-applying" comes first when the log has it: the
		 * fault starts there, before its evidence was looked for. */
		struct fault *f = fault_by_id(r, str(ev, "fault"), true);
		if (!f)
			return;
		if (f->applied < 0) {
			f->step = keep(r, str(ev, "step"));
			f->kind = keep(r, str(ev, "kind"));
			f->nodes = json_incref(json_object_get(ev, "nodes"));
			f->scheduled = int_or(ev, "scheduled_ms", at);
			f->applied = at;
			r->pending++;
		}
		if (strcmp(what, "fault-applying") == 0)
			return; /* the outcome follows */
		f->applied_ok = strcmp(what, "fault-applied") == 0;
		if (json_is_string(json_object_get(ev, "drain_states")))
			f->drain_states = keep(r, str(ev, "drain_states"));
		json_t *late = json_object_get(ev, "applied_lag_ms");
		if (json_is_number(late))
			behind(r,
			       (ms_t)llround(json_number_value(late) *
					     r->scale),
			       "fault %s took effect late", f->id);
		/* nothing stays in place: a service killed, or a change
		 * that could not be made */
		if (!f->applied_ok ||
		    json_is_true(json_object_get(ev, "instant")))
			f->healed = f->applied;
	} else if (strcmp(what, "fault-drained") == 0 ||
		   strcmp(what, "fault-not-drained") == 0) {
		struct fault *f = fault_by_id(r, str(ev, "fault"), true);
		if (!f)
			return;
		f->drained = at;
		f->drain_ok = json_is_true(json_object_get(ev, "evidence_ok"));
	} else if (strcmp(what, "fault-healed") == 0 ||
		   strcmp(what, "fault-not-healed") == 0) {
		struct fault *f = fault_by_id(r, str(ev, "fault"), false);
		if (!f)
			return;
		/* When the heal was in place, not when its evidence was in:
		 * the action's instant plus how late it took effect. */
		json_t *lag = json_object_get(ev, "applied_lag_ms");
		f->healed =
			json_is_number(lag)
				? int_or(ev, "scheduled_ms", at) +
					  (ms_t)llround(json_number_value(lag) *
							r->scale)
				: at;
		f->heal_seen = true;
		if (json_is_number(lag))
			behind(r,
			       (ms_t)llround(json_number_value(lag) * r->scale),
			       "fault %s healed late", f->id);
		f->healed_ok = strcmp(what, "fault-healed") == 0;
		if (json_is_true(json_object_get(ev, "back_changed")))
			f->changed = at;
	} else if (strcmp(what, "change-reverted") == 0 ||
		   strcmp(what, "change-not-reverted") == 0) {
		struct fault *f = fault_by_id(r, str(ev, "fault"), false);
		if (f)
			f->reverted = at;
	} else if (strcmp(what, "system-log") == 0) {
		snprintf(said, sizeof(said), "%s on %s: %s", str(ev, "log"),
			 str(ev, "node"), str(ev, "line"));
		noticed(r, at, str(ev, "node"), str(ev, "line"), said);
	} else if (strcmp(what, "run-stopped") == 0) {
		r->stopped_by = keep(r, str(ev, "why"));
	} else if (strcmp(what, "run-finished") == 0) {
		r->interrupted =
			json_is_true(json_object_get(ev, "interrupted"));
		behind(r, int_or(json_object_get(ev, "lag"), "poll_late_ms", 0),
		       "submitting and polling jobs fell behind");
	}
}

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
			bool power =
				f->kind && (strcmp(f->kind, "kill") == 0 ||
					    strcmp(f->kind, "reboot") == 0);
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

/* "jobs-1, jobs-2 and 3 more" of the jobs with outcome o. */
static size_t list_jobs(const struct run *r, const char *o, bool late,
			char *out, size_t size)
{
	size_t n = 0, used = 0;
	*out = '\0';
	for (size_t i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		const char *why;
		const char *jo = outcome_of(j, &why);
		bool hit = late ? strcmp(jo, "correct") == 0 && j->on_time == 0
				: strcmp(jo, o) == 0;
		if (!hit)
			continue;
		if (n < 3 && used < size)
			used += (size_t)snprintf(out + used, size - used,
						 "%s%s", n ? ", " : "", j->id);
		n++;
	}
	if (n > 3 && used < size)
		snprintf(out + used, size - used, " and %zu more", n - 3);
	return n;
}

static void reason(json_t *reasons, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(json_t *reasons, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(reasons, json_string(buf));
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
static void each_event(json_t *ev, size_t line, void *ctx)
{
	(void)line;
	struct run *r = ctx;
	const char *what = str(ev, "event");
	if (r->ended)
		return;
	if (!r->begun) {
		if (strcmp(what, "run-started") != 0)
			return;
		r->begun = true;
		r->started = json_incref(ev);
		r->t0 = json_integer_value(json_object_get(ev, "t_ms"));
		double sc =
			json_number_value(json_object_get(ev, "time_scale"));
		r->scale = sc > 0 ? sc : 1;
	}
	on_event(r, ev);
	r->ended = strcmp(what, "run-finished") == 0;
}

/* gd_log_want_fn: what the cluster said (supervisors' events, the job
 * system's logs) matters only while a fault waits to be noticed; the
 * rest of the run always does. */
static bool wanted(const char *name, size_t len, void *ctx)
{
	const struct run *r = ctx;
	static const char *const chatter[] = {
		"system-log",  "start",		"exit",	       "restart",
		"give-up",     "node-up",	"node-down",   "node-stopping",
		"node-reload", "node-released", "start-failed"};
	if (r->ended)
		return false;
	if (r->begun && r->pending)
		return true;
	for (size_t i = 0; i < sizeof(chatter) / sizeof(chatter[0]); i++)
		if (strlen(chatter[i]) == len &&
		    memcmp(chatter[i], name, len) == 0)
			return false;
	return true;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->nfaults; i++)
		json_decref(r->faults[i].nodes);
	free(r->jobs);
	free(r->faults);
	free(r->job_idx.slot);
	free(r->fault_idx.slot);
	json_decref(r->started);
	gd_arena_free(r->arena);
}

static json_t *result_of(struct run *r, const gd_log_end *log);

/* After the scan (scanned: its return): the result, or why there is
 * none; the run is freed either way. */
static json_t *scored(struct run *r, int scanned, const gd_log_end *end,
		      const char *path, gd_error **err)
{
	json_t *result = NULL;
	if (scanned == 0 && r->begun)
		result = result_of(r, end);
	else if (scanned == 0)
		gd_error_set(
			err, EINVAL,
			"%s: no \"run-started\" event: not the log of a run",
			path);
	run_free(r);
	return result;
}

json_t *gd_score_file(const char *path, unsigned flags, gd_error **err)
{
	struct run r = {.arena = gd_arena_new(), .scale = 1};
	gd_log_end end;
	gd_log_reader rd = {each_event,
			    flags & GD_SCORE_EVERY_LINE ? NULL : wanted, &r};
	return scored(&r, gd_log_scan_file(path, &rd, &end, err), &end, path,
		      err);
}

json_t *gd_score_text(const char *text, size_t len, const char *path,
		      gd_error **err)
{
	struct run r = {.arena = gd_arena_new(), .scale = 1};
	gd_log_end end;
	gd_log_reader rd = {each_event, wanted, &r};
	return scored(&r, gd_log_scan_text(text, len, path, &rd, &end, err),
		      &end, path, err);
}

static json_t *result_of(struct run *rp, const gd_log_end *log)
{
	struct run r = *rp;
	/* Open jobs at the end: the stall runs to the end of the log. */
	if (r.open && r.end - r.last_progress > r.stall) {
		r.stall = r.end - r.last_progress;
		r.stall_from = r.last_progress;
	}

	json_t *expect = json_object_get(r.started, "expect");
	int want_pct = (int)int_or(expect, "within_expected_pct", -1);
	ms_t max_stall = int_or(expect, "max_stall_ms", -1);
	ms_t recover_within = int_or(expect, "recover_within_ms", -1);

	/* Jobs. */
	json_t *jobs = json_array();
	size_t good = 0, within = 0, wrong = 0, close_calls = 0;
	double *infl = calloc(r.njobs + 1, sizeof(double));
	size_t ninfl = 0;
	ms_t longest_expected = 0;
	for (size_t i = 0; i < r.njobs; i++) {
		const struct job *j = &r.jobs[i];
		json_t *jo = job_json(&r, j);
		close_calls += json_object_get(jo, "close_call") != NULL;
		json_array_append_new(jobs, jo);
		good += correct_on_time(j);
		within += within_expected(j);
		wrong += j->outcome && strcmp(j->outcome, "wrong") == 0;
		ms_t d = duration_of(j);
		if (infl && d >= 0 && j->exp_hi > 0)
			infl[ninfl++] = (double)d / (double)j->exp_hi;
		if (j->exp_hi > longest_expected)
			longest_expected = j->exp_hi;
	}
	double worst = 0, p95 = 0;
	if (ninfl) {
		qsort(infl, ninfl, sizeof(*infl), cmp_double);
		worst = infl[ninfl - 1];
		p95 = infl[(size_t)ceil(0.95 * (double)ninfl) - 1];
	}
	free(infl);

	/* Faults: detection, healing, recovery. */
	json_t *faults = json_array();
	ms_t last_heal = -1;
	size_t applied = 0, not_applied = 0, not_healed = 0, not_drained = 0;
	for (size_t i = 0; i < r.nfaults; i++) {
		const struct fault *f = &r.faults[i];
		applied += f->applied_ok;
		not_applied += !f->applied_ok;
		not_drained += f->drained >= 0 && !f->drain_ok;
		not_healed += f->heal_seen && !f->healed_ok;
		if (f->healed > last_heal)
			last_heal = f->healed;
		json_t *o = json_pack(
			"{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:o}", "id", f->id,
			"step", f->step ? f->step : f->id, "kind",
			f->kind ? f->kind : "?", "nodes",
			f->nodes ? json_incref(f->nodes) : json_array(),
			"scheduled_ms", ms_json(f->scheduled), "applied_ms",
			ms_json(f->applied), "healed_ms", ms_json(f->healed),
			"evidence_ok",
			f->applied_ok && (!f->heal_seen || f->healed_ok),
			"detect_ms", ms_json(f->detect));
		if (f->detect >= 0)
			json_object_set_new(o, "detected_by",
					    json_string(f->detected_by));
		if (f->drained >= 0) {
			json_object_set_new(o, "drained_ms",
					    ms_json(f->drained));
			json_object_set_new(o, "drain_ok",
					    json_boolean(f->drain_ok));
		}
		if (f->drain_states)
			json_object_set_new(o, "drain_states",
					    json_string(f->drain_states));
		if (f->changed >= 0)
			json_object_set_new(
				o, "changed_ms",
				json_pack("[I,I]", (json_int_t)f->changed,
					  (json_int_t)(f->reverted >= 0
							       ? f->reverted
							       : r.end)));
		json_array_append_new(faults, o);
	}
	/* Recovery: from the last heal to the next job started or
	 * finished, when jobs were still open; silent when none ever was. */
	ms_t recover = -1;
	bool silent = false;
	if (last_heal >= 0) {
		size_t open_then = 0;
		ms_t next = -1;
		for (size_t i = 0; i < r.njobs; i++) {
			const struct job *j = &r.jobs[i];
			bool open =
				j->submitted >= 0 &&
				j->submitted <= last_heal &&
				(j->finished < 0 || j->finished > last_heal);
			open_then += open;
			ms_t cand[2] = {j->finished, -1};
			for (size_t a = 0; a < j->natt; a++)
				if (j->att[a].start > last_heal &&
				    (cand[1] < 0 || j->att[a].start < cand[1]))
					cand[1] = j->att[a].start;
			for (int c = 0; c < 2; c++)
				if (cand[c] > last_heal &&
				    (next < 0 || cand[c] < next))
					next = cand[c];
		}
		/* Silence counts only once the run went on long enough after
		 * the heal for a job to make progress. */
		ms_t window =
			recover_within >= 0 ? recover_within : longest_expected;
		if (!open_then)
			recover = 0;
		else if (next >= 0)
			recover = next - last_heal;
		else
			silent = r.end - last_heal >= window;
	}

	/* The verdict: every job correct within its hard deadline, every
	 * expectation met; reasons most important first. */
	json_t *reasons = json_array();
	char list[256], a[32], b[32];
	size_t n;
	bool invalid = r.lag > GD_LAG_BOUND_MS;
	if (invalid)
		reason(reasons,
		       "invalid: the run fell behind compressed time by %s (%s), more than the %s it may; its timings cannot be trusted: play it at a smaller scale",
		       fmt_ms(r.lag, a, sizeof(a)), r.lag_what,
		       fmt_ms(GD_LAG_BOUND_MS, b, sizeof(b)));
	if (r.stopped_by)
		reason(reasons, "stopped: %s", r.stopped_by);
	size_t job_lo = json_array_size(reasons);
	if ((n = list_jobs(&r, "wrong", false, list, sizeof(list))))
		reason(reasons, "%zu job%s finished with a wrong output: %s", n,
		       n > 1 ? "s" : "", list);
	if ((n = list_jobs(&r, "failed", false, list, sizeof(list))))
		reason(reasons, "%zu job%s failed: %s", n, n > 1 ? "s" : "",
		       list);
	if ((n = list_jobs(&r, "lost", false, list, sizeof(list))))
		reason(reasons, "%zu job%s lost by the job system: %s", n,
		       n > 1 ? "s" : "", list);
	if ((n = list_jobs(&r, "duplicated", false, list, sizeof(list))))
		reason(reasons, "%zu job%s ran to the end more than once: %s",
		       n, n > 1 ? "s" : "", list);
	if ((n = list_jobs(&r, NULL, true, list, sizeof(list))))
		reason(reasons,
		       "%zu job%s finished after the hard deadline: %s", n,
		       n > 1 ? "s" : "", list);
	if ((n = list_jobs(&r, "unfinished", false, list, sizeof(list))))
		reason(reasons, "%zu job%s never finished: %s", n,
		       n > 1 ? "s" : "", list);
	if ((n = list_jobs(&r, "unjudged", false, list, sizeof(list))))
		reason(reasons,
		       "%zu job%s finished, but the log ends before %s output was checked: %s",
		       n, n > 1 ? "s" : "", n > 1 ? "their" : "its", list);
	size_t job_hi = json_array_size(reasons);
	if (silent)
		reason(reasons,
		       "silent failure: every fault was healed at %s, but no job started or finished after it",
		       fmt_ms(last_heal, a, sizeof(a)));
	int pct = r.njobs ? (int)(within * 100 / r.njobs) : 100;
	bool within_ok = want_pct < 0 || pct >= want_pct;
	size_t within_at = json_array_size(reasons);
	if (!within_ok)
		reason(reasons,
		       "expectation missed: %d%% of jobs finished within their expected duration (expected %d%%); the slowest took %.1fx its expected time",
		       pct, want_pct, worst);
	bool stall_ok = max_stall < 0 || r.stall <= max_stall;
	size_t stall_at = json_array_size(reasons);
	if (!stall_ok)
		reason(reasons,
		       "expectation missed: no job made progress for %s from %s (at most %s expected)",
		       fmt_ms(r.stall, a, sizeof(a)),
		       fmt_ms(r.stall_from, b, sizeof(b)),
		       fmt_ms(max_stall, list, sizeof(list)));
	bool recover_ok = recover_within < 0 || last_heal < 0 ||
			  (recover >= 0 && recover <= recover_within);
	size_t recover_at = silent ? job_hi : json_array_size(reasons);
	if (!recover_ok && !silent)
		reason(reasons,
		       "expectation missed: work resumed %s after the last heal (within %s expected)",
		       fmt_ms(recover, a, sizeof(a)),
		       fmt_ms(recover_within, b, sizeof(b)));
	if (not_applied)
		reason(reasons,
		       "%zu fault%s not applied as written (no evidence): the rehearsal did not happen as planned",
		       not_applied, not_applied > 1 ? "s" : "");
	if (not_healed)
		reason(reasons, "%zu fault%s not healed with evidence",
		       not_healed, not_healed > 1 ? "s" : "");
	if (not_drained)
		reason(reasons,
		       "%zu drain%s not confirmed by the job system: the maintenance did not happen as planned",
		       not_drained, not_drained > 1 ? "s" : "");
	if (!log->complete)
		reason(reasons, "the log is incomplete: %s", log->incomplete);
	bool pass = json_array_size(reasons) == 0;

	/* The score: correctness 60, expectation 25, recovery 15. */
	double correctness =
		r.njobs ? 60.0 * (double)good / (double)r.njobs : 60.0;
	double share = r.njobs ? (double)within / (double)r.njobs : 1.0;
	double expectation =
		25.0 *
		(want_pct > 0 ? fmin(1.0, share * 100.0 / want_pct) : share);
	double recovery = 15.0;
	ms_t ref = recover_within >= 0 ? recover_within : longest_expected;
	if (silent || (last_heal >= 0 && recover < 0))
		recovery = 0; /* silent, or never seen */
	else if (recover > 0 && ref > 0 && recover > ref)
		recovery = 15.0 * (double)ref / (double)recover;
	double total = correctness + expectation + recovery;
	const char *cap = NULL;
	if (wrong && total > 20) {
		total = 20;
		cap = "a wrong output caps the score at 20";
	} else if (silent && total > 40) {
		total = 40;
		cap = "a silent failure caps the score at 40";
	}

	json_t *result = json_pack(
		"{s:s,s:i,s:O?,s:O?,s:O?,s:O?,s:O?,s:b,s:b,s:s,s:o,s:o,s:o,s:o}",
		"format", "gameday-result", "version", 2, "scenario",
		json_object_get(r.started, "scenario"), "system",
		json_object_get(r.started, "system"), "seed",
		json_object_get(r.started, "seed"), "time_scale",
		json_object_get(r.started, "time_scale"), "run",
		json_object_get(r.started, "run")
			? json_object_get(r.started, "run")
			: json_null(),
		"complete", log->complete, "interrupted", r.interrupted,
		"verdict",
		invalid ? "invalid"
		: pass	? "pass"
			: "fail",
		"reasons", reasons, "jobs", jobs, "faults",
		json_pack("{s:i,s:i,s:i,s:o}", "played", (int)r.nfaults,
			  "applied", (int)applied, "not_healed",
			  (int)not_healed, "list", faults),
		"score",
		json_pack("{s:i,s:f,s:f,s:f,s:s?}", "total", (int)lround(total),
			  "correctness", round(correctness * 10) / 10,
			  "expectation", round(expectation * 10) / 10,
			  "recovery", round(recovery * 10) / 10, "cap", cap));
	json_object_set_new(result, "lag",
			    json_pack("{s:I,s:s,s:I}", "max_ms",
				      (json_int_t)r.lag, "what", r.lag_what,
				      "bound_ms", (json_int_t)GD_LAG_BOUND_MS));
	if (invalid) /* not scored */
		json_object_set_new(json_object_get(result, "score"), "total",
				    json_null());
	if (json_object_get(r.started, "fidelity"))
		json_object_set(result, "fidelity",
				json_object_get(r.started, "fidelity"));
	json_object_set_new(
		result, "measures",
		json_pack("{s:i,s:i,s:i,s:i,s:f,s:f,s:o,s:o,s:o,s:b,s:o,s:i}",
			  "jobs", (int)r.njobs, "correct_on_time", (int)good,
			  "within_expected", (int)within, "within_expected_pct",
			  pct, "worst_inflation", round(worst * 100) / 100,
			  "p95_inflation", round(p95 * 100) / 100,
			  "longest_stall_ms", json_integer(r.stall),
			  "longest_stall_from_ms", json_integer(r.stall_from),
			  "recover_ms", ms_json(recover), "silent_failure",
			  silent, "last_heal_ms", ms_json(last_heal),
			  "close_calls", (int)close_calls));
	json_object_set_new(result, "resolution_ms",
			    json_integer(resolution(&r)));
	/* Each expectation, and when it is not met the reason saying why. */
	json_t *ex = json_array();
	add_expectation(
		ex, "every job correct within its hard deadline",
		good == r.njobs,
		json_array_get(reasons, job_hi > job_lo ? job_lo : job_hi));
	if (want_pct >= 0) {
		snprintf(list, sizeof(list),
			 "%d%% of jobs within their expected duration",
			 want_pct);
		add_expectation(ex, list, within_ok,
				json_array_get(reasons, within_at));
	}
	if (max_stall >= 0) {
		snprintf(list, sizeof(list), "no stall longer than %s",
			 fmt_ms(max_stall, a, sizeof(a)));
		add_expectation(ex, list, stall_ok,
				json_array_get(reasons, stall_at));
	}
	if (recover_within >= 0) {
		snprintf(list, sizeof(list),
			 "work resumes within %s of the last heal",
			 fmt_ms(recover_within, a, sizeof(a)));
		add_expectation(ex, list, recover_ok && !silent,
				json_array_get(reasons, recover_at));
	}
	json_object_set_new(result, "expectations", ex);
	if (r.stopped_by)
		json_object_set_new(result, "stopped_by",
				    json_string(r.stopped_by));
	if (!log->complete)
		json_object_set_new(result, "incomplete",
				    json_string(log->incomplete));
	json_object_set_new(result, "duration_ms", json_integer(r.end));
	/* When the run started, on the host's clock: a trend's x axis. */
	json_t *t0 = json_object_get(r.started, "t_ms");
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
	json_t *nodes = json_object_get(r.started, "nodes");
	json_object_set_new(result, "nodes",
			    nodes ? json_incref(nodes) : json_array());
	return result;
}
