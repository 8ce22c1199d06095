/* Scoring: one pass over the events in order builds the jobs, the faults,
 * the progress marks, the signals the team would have seen and the job
 * system's node states (model.h); timeline.c measures the day and
 * verdict.c judges it. */
#include "score/score.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "cluster/event_names.h"
#include "score/model.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

ms_t gd_score_int_or(json_t *ev, const char *key, ms_t fallback)
{
	json_t *v = json_object_get(ev, key);
	return json_is_integer(v) ? (ms_t)json_integer_value(v) : fallback;
}

#define int_or gd_score_int_or

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
	f->drained = f->recovered = -1;
	if (idx_add(&r->fault_idx, r->nfaults, r->nfaults, fault_key, r) < 0)
		return NULL;
	return &r->faults[r->nfaults++];
}

bool gd_score_in_nodes(json_t *nodes, const char *node)
{
	size_t i;
	json_t *v;
	json_array_foreach (nodes, i, v) {
		if (node && strcmp(json_string_value(v), node) == 0)
			return true;
	}
	return false;
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

static void signal_at(struct run *r, ms_t at, const struct attempt *a,
		      const char *node, enum sig_kind kind, const char *fmt,
		      ...) __attribute__((format(printf, 6, 7)));
static void signal_at(struct run *r, ms_t at, const struct attempt *a,
		      const char *node, enum sig_kind kind, const char *fmt,
		      ...)
{
	char what[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	struct signal s = {at,	 keep(r, node),	    keep(r, what),
			   kind, a ? a->start : -1, false};
	gd_score_push(&r->signals, &s, sizeof(s));
	if (kind == SIG_JOB)
		gd_score_push(&r->wrongs, &s, sizeof(s));
}

static void mark_at(struct vec *v, ms_t at, const char *node)
{
	struct mark m = {at, node};
	gd_score_push(v, &m, sizeof(m));
}

static const char *last_node(const struct job *j)
{
	return j->natt ? j->att[j->natt - 1].node : NULL;
}

/* A job system's word for a job that did not complete: Slurm's FAILED,
 * CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY; an adapter's own. */
static bool failed_state(const char *state)
{
	static const char *const words[] = {"fail", "cancel", "timeout",
					    "out_of_memory", "error"};
	for (size_t i = 0; state && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(state, words[i]))
			return true;
	return false;
}

/* States a person watching the job system reads as healthy (Slurm's
 * "planned": the backfill scheduler holds the node for a job); anything
 * else (down, drained, not responding "*"...) is a report that something
 * is wrong.  "unknown" is what gameday logs for a
 * system that cannot say: silence, not an alarm. */
static bool good_state(const char *s)
{
	static const char *const ok[] = {"up",	      "idle",	    "mixed",
					 "allocated", "completing", "planned",
					 "unknown"};
	for (size_t i = 0; s && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(s, ok[i]) == 0)
			return true;
	return false;
}

static const char *state_before(const struct run *r, const char *node)
{
	for (size_t i = r->states.n; i-- > 0;) {
		const struct nstate *s = &((struct nstate *)r->states.v)[i];
		if (strcmp(s->node, node) == 0)
			return s->word;
	}
	return NULL;
}

typedef void (*on_fn)(struct run *r, json_t *ev, gd_event_kind what, ms_t at);

static void on_planned(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what, (void)at;
	struct job *j = job_by_id(r, str(ev, "job"), true);
	if (!j)
		return;
	j->group = keep(r, str(ev, "group"));
	j->submit_plan = int_or(ev, "submit_ms", -1);
	j->deadline = int_or(ev, "deadline_ms", -1);
	j->exp_lo = int_or(ev, "expected_lo_ms", -1);
	j->exp_hi = int_or(ev, "expected_hi_ms", -1);
}

static void on_submitted(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what;
	struct job *j = job_by_id(r, str(ev, "job"), true);
	if (j && j->submitted < 0)
		j->submitted = int_or(ev, "t_scenario_ms", at);
}

static void on_started(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what;
	struct job *j = job_by_id(r, str(ev, "job"), true);
	if (!j)
		return;
	close_attempt(j, at);
	if (j->natt < MAX_ATTEMPTS)
		j->att[j->natt++] =
			(struct attempt){keep(r, str(ev, "node")), at, -1};
	if (j->first_start < 0)
		j->first_start = at;
	ms_t n = int_or(ev, "attempt", 1);
	if (n > (ms_t)j->attempts)
		j->attempts = (unsigned)n;
}

/* A requeue or a job the system forgot: something the team sees, on
 * the node the job ran on. */
static void on_lost_run(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	struct job *j = job_by_id(r, str(ev, "job"), false);
	if (!j)
		return;
	const struct attempt *a = open_attempt(j);
	bool requeued = what == GD_EV_JOB_REQUEUED;
	signal_at(r, at, a, a ? a->node : NULL, SIG_JOB, "job %s %s", j->id,
		  requeued ? "requeued" : "forgotten by the job system");
	close_attempt(j, at);
}

/* A job the system holds (as after a launch that failed on a node still
 * running its previous attempt): squeue says so, on the node it last
 * ran on.  It will not run again unless someone releases it. */
static void on_held(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what;
	struct job *j = job_by_id(r, str(ev, "job"), false);
	if (!j)
		return;
	const struct attempt *a = j->natt ? &j->att[j->natt - 1] : NULL;
	close_attempt(j, at);
	signal_at(r, at, a, a ? a->node : NULL, SIG_JOB,
		  "job %s held by the job system (%s)", j->id,
		  str(ev, "reason") && *str(ev, "reason") ? str(ev, "reason")
							  : "no reason given");
}

static void on_progress(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what;
	struct job *j = job_by_id(r, str(ev, "job"), false);
	if (!j)
		return;
	j->progress++;
	const char *node = str(ev, "node");
	mark_at(&r->marks, at, node ? keep(r, node) : last_node(j));
}

static void on_finished(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what;
	struct job *j = job_by_id(r, str(ev, "job"), false);
	if (!j || j->finished >= 0)
		return;
	const char *node = last_node(j);
	struct attempt last =
		j->natt ? j->att[j->natt - 1] : (struct attempt){NULL, -1, -1};
	close_attempt(j, at);
	j->finished = at;
	j->state = keep(r, str(ev, "state"));
	if (failed_state(j->state)) {
		signal_at(r, at, &last, node, SIG_JOB, "job %s %s", j->id,
			  j->state);
		return;
	}
	mark_at(&r->marks, at, node);
	mark_at(&r->finishes, at, node);
}

static void on_outcome(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what, (void)at;
	struct job *j = job_by_id(r, str(ev, "job"), false);
	if (!j)
		return;
	j->outcome = keep(r, str(ev, "outcome"));
	j->why = keep(r, str(ev, "why"));
	j->evidence = keep(r, str(ev, "evidence"));
	j->tail = keep(r, str(ev, "tail"));
	json_t *ot = json_object_get(ev, "on_time");
	if (json_is_boolean(ot))
		j->on_time = json_is_true(ot);
}

/* "fault-applying" comes first when the log has it: the fault starts
 * there, before its evidence was looked for. */
static void on_applied(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	struct fault *f = fault_by_id(r, str(ev, "fault"), true);
	if (!f)
		return;
	if (f->applied < 0) {
		f->step = keep(r, str(ev, "step"));
		f->kind = keep(r, str(ev, "kind"));
		f->nodes = json_incref(json_object_get(ev, "nodes"));
		f->scheduled = int_or(ev, "scheduled_ms", at);
		f->applied = at;
	}
	if (what == GD_EV_FAULT_APPLYING)
		return; /* the outcome follows */
	f->applied_ok = what == GD_EV_FAULT_APPLIED;
	f->evidence = keep(r, str(ev, "evidence"));
	if (json_is_string(json_object_get(ev, "drain_states")))
		f->drain_states = keep(r, str(ev, "drain_states"));
	json_t *late = json_object_get(ev, "applied_lag_ms");
	if (json_is_number(late))
		behind(r, (ms_t)llround(json_number_value(late) * r->scale),
		       "fault %s took effect late", f->id);
	/* nothing stays in place: a service killed, or a change that
	 * could not be made */
	if (!f->applied_ok || json_is_true(json_object_get(ev, "instant")))
		f->healed = f->applied;
}

static void on_drained(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what;
	struct fault *f = fault_by_id(r, str(ev, "fault"), true);
	if (!f)
		return;
	f->drained = at;
	f->drain_ok = json_is_true(json_object_get(ev, "evidence_ok"));
}

/* A change's evidence: its words, then what a renewal found on each node
 * (the heal's "NODE: renewed by SCRIPT, N differences, first: ..." parts),
 * since for a node renewed from another template the difference found is
 * the change (nobody declared it) and the first thing to read of it. */
static const char *change_evidence(struct run *r, const char *words,
				   const char *heal)
{
	if (!words || !heal || !strstr(heal, ": renewed by "))
		return keep(r, words);
	size_t cap = strlen(words) + strlen(heal) + 8, used = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return keep(r, words);
	used += (size_t)snprintf(buf, cap, "%s", words);
	const char *seg = heal;
	while (seg && *seg) {
		const char *end = strstr(seg, "; ");
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		const char *found = strstr(seg, ": renewed by ");
		if (found && found < seg + len)
			used += (size_t)snprintf(buf + used, cap - used,
						 "%s%.*s", used ? "; " : "",
						 (int)len, seg);
		seg = end ? end + 2 : NULL;
	}
	return keep(r, buf);
}

/* A reboot's nodes back changed: the change is a fault of its own, in
 * place from their return until the scenario undoes it. */
static void change_begins(struct run *r, const char *reboot_id, json_t *ev,
			  ms_t at)
{
	char id[256];
	snprintf(id, sizeof(id), "%s.back_with", reboot_id);
	struct fault *c = fault_by_id(r, id, true);
	struct fault *reboot = fault_by_id(r, reboot_id, false);
	if (!c || !reboot || c->applied >= 0)
		return;
	reboot->change = c->id;
	c->step = reboot->step;
	c->kind = "change";
	c->nodes = json_incref(reboot->nodes);
	c->scheduled = at;
	c->applied = at;
	c->applied_ok = true;
	c->evidence =
		change_evidence(r, str(ev, "change"), str(ev, "evidence"));
	c->reimaged = json_is_true(json_object_get(ev, "back_renewed"));
}

/* gameday tidying up as the run stops: not part of the day */
static bool cleanup(json_t *ev)
{
	return json_is_true(json_object_get(ev, "cleanup"));
}

static void on_healed(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	struct fault *f = fault_by_id(r, str(ev, "fault"), false);
	if (!f || cleanup(ev))
		return;
	/* When the heal was in place, not when its evidence was in: the
	 * action's instant plus how late it took effect. */
	json_t *lag = json_object_get(ev, "applied_lag_ms");
	ms_t late = json_is_number(lag)
			    ? (ms_t)llround(json_number_value(lag) * r->scale)
			    : -1;
	f->healed = late >= 0 ? int_or(ev, "scheduled_ms", at) + late : at;
	f->heal_seen = true;
	if (late >= 0)
		behind(r, late, "fault %s healed late", f->id);
	f->healed_ok = what == GD_EV_FAULT_HEALED;
	if (json_is_true(json_object_get(ev, "back_changed")))
		change_begins(r, f->id, ev, f->healed);
}

static void on_reverted(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	struct fault *f = fault_by_id(r, str(ev, "fault"), false);
	struct fault *c =
		f && f->change ? fault_by_id(r, f->change, false) : NULL;
	if (!c || cleanup(ev))
		return;
	/* a re-image is said once its nodes are back: it began (and took
	 * the change away) at its instant */
	c->healed = c->reimaged ? int_or(ev, "scheduled_ms", at) : at;
	c->heal_seen = true;
	c->healed_ok = what == GD_EV_CHANGE_REVERTED;
}

/* What the job system says of a node, logged when it changes: a new
 * bad state is a signal the team's monitoring would see. */
static void on_node_state(struct run *r, json_t *ev, gd_event_kind what,
			  ms_t at)
{
	(void)what;
	const char *node = str(ev, "node"), *word = str(ev, "state");
	if (!node || !word)
		return;
	r->v3 = true;
	const char *before = state_before(r, node);
	if (before && strcmp(before, word) == 0)
		return;
	struct nstate s = {at, keep(r, node), keep(r, word), !good_state(word)};
	gd_score_push(&r->states, &s, sizeof(s));
	if (s.bad)
		signal_at(r, at, NULL, s.node, SIG_NODE, "node %s %s (%s)",
			  node, word, str(r->started, "system"));
}

/* The job system's commands failing (its controller stopped, a fault
 * behind it): the team's monitoring sees that, pointing at the whole
 * cluster, until it answers again. */
static void on_unanswered(struct run *r, json_t *ev, gd_event_kind what,
			  ms_t at)
{
	struct span *open =
		r->unanswered.n
			? &((struct span *)r->unanswered.v)[r->unanswered.n - 1]
			: NULL;
	if (what == GD_EV_JOB_SYSTEM_ANSWERING) {
		if (open && open->to < 0)
			open->to = at;
		return;
	}
	if (open && open->to < 0)
		return; /* the same streak, another complaint */
	struct span s = {at, -1};
	gd_score_push(&r->unanswered, &s, sizeof(s));
	struct signal sig = {
		at,	 NULL, keep(r, "the job system did not answer"),
		SIG_JOB, -1,   true};
	(void)ev;
	gd_score_push(&r->signals, &sig, sizeof(sig));
}

static void on_stopped(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what, (void)at;
	r->stopped_by = keep(r, str(ev, "why"));
}

static void on_run_finished(struct run *r, json_t *ev, gd_event_kind what,
			    ms_t at)
{
	(void)what, (void)at;
	r->interrupted = json_is_true(json_object_get(ev, "interrupted"));
	behind(r, int_or(json_object_get(ev, "lag"), "poll_late_ms", 0),
	       "submitting and polling jobs fell behind");
}

/* The logs the run folder keeps of a node, for the scorecard's links. */
static void on_logs(struct run *r, json_t *ev, gd_event_kind what, ms_t at)
{
	(void)what, (void)at;
	const char *node = str(ev, "node");
	json_t *files = json_object_get(ev, "files");
	size_t i;
	const json_t *f;
	if (!node || !json_is_array(files))
		return;
	json_array_foreach (files, i, f)
		if (!json_is_string(f))
			return; /* not gameday's: no link made of it */
	if (!r->logs)
		r->logs = json_array();
	json_array_append_new(
		r->logs, json_pack("{s:s,s:O}", "node", node, "files", files));
}

/* The events the scorer reads; every other kind (GD_EV_UNKNOWN
 * included) has no slot and is passed over. */
static const on_fn handlers[GD_EV__COUNT] = {
	[GD_EV_JOB_PLANNED] = on_planned,
	[GD_EV_JOB_SUBMITTED] = on_submitted,
	[GD_EV_JOB_STARTED] = on_started,
	[GD_EV_JOB_REQUEUED] = on_lost_run,
	[GD_EV_JOB_MISSING] = on_lost_run,
	[GD_EV_JOB_PROGRESS] = on_progress,
	[GD_EV_JOB_HELD] = on_held,
	[GD_EV_JOB_SYSTEM_ERROR] = on_unanswered,
	[GD_EV_JOB_SYSTEM_ANSWERING] = on_unanswered,
	[GD_EV_JOB_FINISHED] = on_finished,
	[GD_EV_JOB_OUTCOME] = on_outcome,
	[GD_EV_FAULT_APPLYING] = on_applied,
	[GD_EV_FAULT_APPLIED] = on_applied,
	[GD_EV_FAULT_NOT_APPLIED] = on_applied,
	[GD_EV_FAULT_DRAINED] = on_drained,
	[GD_EV_FAULT_NOT_DRAINED] = on_drained,
	[GD_EV_FAULT_HEALED] = on_healed,
	[GD_EV_FAULT_NOT_HEALED] = on_healed,
	[GD_EV_CHANGE_REVERTED] = on_reverted,
	[GD_EV_CHANGE_NOT_REVERTED] = on_reverted,
	[GD_EV_NODE_STATE] = on_node_state,
	[GD_EV_RUN_STOPPED] = on_stopped,
	[GD_EV_RUN_FINISHED] = on_run_finished,
	[GD_EV_NODE_LOGS] = on_logs,
};

static void on_event(struct run *r, json_t *ev, gd_event_kind what)
{
	ms_t at = at_of(r, ev);
	if (at > r->end)
		r->end = at;
	const char *source = str(ev, "source");
	/* supervisors' chatter is the cluster's, not the run's */
	if (source && strcmp(source, "supervisor") == 0)
		return;
	if (handlers[what])
		handlers[what](r, ev, what, at);
}

/* gd_log_fn: the events before "run-started" (the cluster coming up)
 * and after "run-finished" (teardown) are not the run. */
static void each_event(json_t *ev, size_t line, void *ctx)
{
	(void)line;
	struct run *r = ctx;
	if (r->ended)
		return;
	/* the log reader made sure "event" is a string */
	const char *name = str(ev, "event");
	gd_event_kind what = gd_event_kind_of(name, strlen(name));
	if (!r->begun) {
		if (what != GD_EV_RUN_STARTED)
			return;
		r->begun = true;
		r->started = json_incref(ev);
		r->t0 = json_integer_value(json_object_get(ev, "t_ms"));
		double sc =
			json_number_value(json_object_get(ev, "time_scale"));
		r->scale = sc > 0 ? sc : 1;
		r->v3 = int_or(ev, "log_version", 2) >= 3;
	}
	on_event(r, ev, what);
	r->ended = what == GD_EV_RUN_FINISHED;
}

/* gd_log_want_fn: the cluster's chatter (supervisors' events, the job
 * system's log lines) is no signal the scorer reads; skipped unparsed. */
static bool wanted(const char *name, size_t len, void *ctx)
{
	const struct run *r = ctx;
	static const bool chatter[GD_EV__COUNT] = {
		[GD_EV_SYSTEM_LOG] = true,
		[GD_EV_START] = true,
		[GD_EV_EXIT] = true,
		[GD_EV_RESTART] = true,
		[GD_EV_GIVE_UP] = true,
		[GD_EV_NODE_UP] = true,
		[GD_EV_NODE_DOWN] = true,
		[GD_EV_NODE_STOPPING] = true,
		[GD_EV_NODE_RELOAD] = true,
		[GD_EV_NODE_RELEASED] = true,
		[GD_EV_START_FAILED] = true,
		[GD_EV_NODE_PROVISIONING] = true,
		[GD_EV_NODE_PROVISIONED] = true,
	};
	return !r->ended && !chatter[gd_event_kind_of(name, len)];
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->nfaults; i++)
		json_decref(r->faults[i].nodes);
	free(r->jobs);
	free(r->faults);
	free(r->job_idx.slot);
	free(r->fault_idx.slot);
	free(r->marks.v);
	free(r->finishes.v);
	free(r->signals.v);
	free(r->wrongs.v);
	free(r->states.v);
	free(r->unanswered.v);
	json_decref(r->started);
	json_decref(r->logs);
	gd_arena_free(r->arena);
}

/* After the scan (scanned: its return): the result, or why there is
 * none; the run is freed either way. */
static json_t *scored(struct run *r, int scanned, const gd_log_end *end,
		      const char *path, gd_error **err)
{
	json_t *result = NULL;
	if (scanned == 0 && r->begun)
		result = gd_verdict_of(r, end);
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
