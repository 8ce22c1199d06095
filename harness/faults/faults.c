#include "faults/faults.h"
#include "plan/print.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/thread.h"
#include "cluster/events.h"
#include "faults/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

int gd_faults_preflight(const gd_plan *p, gd_error **err)
{
	const gd_scenario *s = p->scenario;
	for (size_t i = 0; i < s->nsteps; i++) {
		const gd_step *st = &s->steps[i];
		const gd_fault_ops *ops = st->kind->ops;
		int r = ops->preflight ? ops->preflight(p, st, err) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

int gd_faults_open(const gd_plan *p, gd_cluster_state *st, const char *libexec,
		   int events, gd_faults **out, gd_error **err)
{
	gd_faults *f = calloc(1, sizeof(*f));
	size_t n = st->nnodes;
	if (f) {
		f->plan = p;
		f->cuts = calloc(n * n + 1, 1);
		f->cut_kind = calloc(n * n + 1, sizeof(*f->cut_kind));
		f->active = calloc(p->nentries + 1, sizeof(*f->active));
		f->kind_state = calloc(p->nentries + 1, sizeof(*f->kind_state));
		f->changed = calloc(p->nentries + 1, sizeof(*f->changed));
		f->change_state =
			calloc(p->nentries + 1, sizeof(*f->change_state));
		f->drained = calloc(p->nentries + 1, sizeof(*f->drained));
	}
	if (!f || !f->cuts || !f->cut_kind || !f->active || !f->kind_state ||
	    !f->changed || !f->change_state || !f->drained) {
		gd_faults_free(f);
		return gd_error_make(err, ENOMEM, "cannot prepare the faults");
	}
	/* A handle of the player's own: the runner's polls its queue in
	 * another thread. */
	for (size_t i = 0; i < p->nentries && !f->js; i++) {
		if (!p->entries[i].step->drain)
			continue;
		int r = gd_jobsys_open(&p->scenario->cluster, st, &f->js, err);
		if (r < 0) {
			gd_faults_free(f);
			return r;
		}
	}
	f->plan = p;
	f->st = st;
	f->libexec = libexec;
	f->events = events;
	f->scale = p->scenario->time_scale;
	*out = f;
	return 0;
}

void gd_faults_free(gd_faults *f)
{
	if (!f)
		return;
	if (f->acts) {
		pthread_cond_destroy(&f->wake);
		pthread_mutex_destroy(&f->lock);
	}
	for (size_t i = 0; f->kind_state && i < f->plan->nentries; i++) {
		const gd_fault_ops *ops = f->plan->entries[i].step->kind->ops;
		if (ops->forget)
			ops->forget(f, i);
		else
			free(f->kind_state[i]);
	}
	for (size_t i = 0; f->change_state && i < f->plan->nentries; i++)
		gd_change_forget(f, i);
	free(f->kind_state);
	free(f->changed);
	free(f->drained);
	gd_jobsys_free(f->js);
	free(f->change_state);
	free(f->cuts);
	free(f->cut_kind);
	free(f->active);
	free(f);
}

static gd_fault_fn fn_for(const gd_plan_entry *e, enum gd_action_kind k)
{
	if (k == GD_ACT_CHANGE_END)
		return gd_change_revert;
	const gd_fault_ops *ops = e->step->kind->ops;
	return k == GD_ACT_APPLY ? ops->apply : ops->heal;
}

static json_t *node_names(const gd_faults *f, const gd_plan_entry *e)
{
	json_t *a = json_array();
	for (size_t k = 0; k < e->nodes.n; k++)
		json_array_append_new(
			a, json_string(f->st->nodes[e->nodes.v[k]].name));
	return a;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void gd_faults_mark_applied(gd_faults *f)
{
	f->applied_ns = mono_ns();
}

/* The real instant an action is due, on CLOCK_MONOTONIC. */
static int64_t due_ns(const gd_faults *f, gd_ms at)
{
	return f->t0_ns + (int64_t)((double)at / f->scale * 1e6);
}

/* e's nodes as the job system names them: "w1,w2". */
static void node_list(const gd_faults *f, const gd_plan_entry *e, char *out,
		      size_t size)
{
	size_t len = 0;
	*out = '\0';
	for (size_t k = 0; k < e->nodes.n; k++) {
		int n = snprintf(out + len, size - len, "%s%s", k ? "," : "",
				 f->st->nodes[e->nodes.v[k]].name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

/* A reboot's drain, ahead of it: the job system sends its nodes no new
 * work, and its own word for their state is the evidence (a node still
 * running jobs is "draining"; one whose jobs are done, "drained"). */
static void drain(gd_faults *f, const gd_action *a)
{
	const gd_plan_entry *e = a->entry;
	size_t idx = (size_t)(e - f->plan->entries);
	char nodes[512], reason[160], states[512] = "";
	node_list(f, e, nodes, sizeof(nodes));
	snprintf(reason, sizeof(reason), "gameday:%s", e->id);
	gd_error *err = NULL;
	int r = gd_jobsys_drain(f->js, nodes, true, reason, &err);
	if (r == 0) {
		f->drained[idx] = true;
		r = gd_jobsys_node_states(f->js, nodes, states, sizeof(states),
					  &err);
	}
	int64_t seen_ns = mono_ns();
	json_t *ev = json_pack(
		"{s:s,s:s,s:s,s:o,s:I,s:I,s:b}", "fault", e->id, "step",
		e->step->id, "kind", e->step->kind->name, "nodes",
		node_names(f, e), "scheduled_ms", (json_int_t)a->at,
		"t_scenario_ms",
		(json_int_t)((double)(seen_ns - f->t0_ns) / 1e6 * f->scale),
		"evidence_ok", r == 0 && strstr(states, "drain") != NULL);
	if (*states)
		json_object_set_new(ev, "evidence", json_string(states));
	if (r < 0)
		json_object_set_new(ev, "error", json_string(err->msg));
	gd_event(f->events,
		 r == 0 ? GD_EV_FAULT_DRAINED : GD_EV_FAULT_NOT_DRAINED, ev);
	gd_error_free(err);
}

/* Gives a drained entry's nodes back to the job system; what it says of
 * them then goes into evidence.  0, or a negative errno. */
static int resume(gd_faults *f, const gd_plan_entry *e, char *evidence,
		  size_t size, gd_error **err)
{
	size_t idx = (size_t)(e - f->plan->entries);
	char nodes[512], states[256] = "";
	node_list(f, e, nodes, sizeof(nodes));
	int r = gd_jobsys_drain(f->js, nodes, false, NULL, err);
	if (r < 0)
		return r;
	f->drained[idx] = false;
	gd_error *ignored = NULL;
	if (gd_jobsys_node_states(f->js, nodes, states, sizeof(states),
				  &ignored) < 0)
		snprintf(states, sizeof(states), "?");
	gd_error_free(ignored);
	size_t len = strlen(evidence);
	snprintf(evidence + len, size - len, "%sresumed in the job system: %s",
		 len ? "; " : "", states);
	return 0;
}

/* Says "fault-applying" for an apply action, stamped with the instant
 * due: before the fault, so what the cluster says about it in the
 * meantime (a service's exit) follows it in the log.  The player says it
 * ahead (prepare()), so that it costs the fault nothing. */
static void announce(gd_faults *f, const gd_action *a, int64_t due)
{
	if (a->kind != GD_ACT_APPLY)
		return;
	const gd_plan_entry *e = a->entry;
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	long long t_ms = (long long)wall.tv_sec * 1000 +
			 wall.tv_nsec / 1000000 + (due - mono_ns()) / 1000000;
	_cleanup_free_ char *line = gd_event_line(
		GD_EV_FAULT_APPLYING,
		json_pack("{s:s,s:s,s:s,s:o,s:I}", "fault", e->id, "step",
			  e->step->id, "kind", e->step->kind->name, "nodes",
			  node_names(f, e), "scheduled_ms", (json_int_t)a->at),
		t_ms);
	if (line && f->events >= 0) {
		ssize_t w = write(f->events, line, strlen(line));
		(void)w;
	}
}

/* Lets go of what prepare() opened. */
static void release_held(gd_faults *f)
{
	while (f->nprep) {
		struct gd_prepared *p = &f->prep[--f->nprep];
		if (p->is_ready)
			gd_cluster_ready_close(f->st, &p->ready);
		gd_nl_close(p->nl);
	}
	while (f->nrooted)
		gd_node_let_go_files(&f->st->nodes[f->rooted[--f->nrooted]]);
}

static const struct gd_prepared *prepared(const gd_faults *f, size_t index)
{
	for (size_t i = 0; i < f->nprep; i++)
		if (f->prep[i].node == index)
			return &f->prep[i];
	return NULL;
}

const gd_node_ready *gd_faults_ready(const gd_faults *f, size_t index)
{
	const struct gd_prepared *p = prepared(f, index);
	return p && p->is_ready ? &p->ready : NULL;
}

int gd_faults_node_nl(const gd_faults *f, size_t a, gd_nl **nl, gd_error **err)
{
	/* A node that is down kept its network (unless released): what a
	 * fault changed there is still there when it comes back. */
	return gd_node_net_open(&f->st->nodes[a], nl, err);
}

gd_nl *gd_faults_prepared_nl(const gd_faults *f, size_t index)
{
	const struct gd_prepared *p = prepared(f, index);
	return p ? p->nl : NULL;
}

/* Plays one action; on_time when the player plays it at its instant
 * (its lags are then recorded).  Only the player applies faults, and it
 * announces them ahead (prepare()); a stop plays heals and change ends. */
static void play(gd_faults *f, const gd_action *a, bool on_time)
{
	if (a->kind == GD_ACT_DRAIN) {
		drain(f, a);
		return;
	}
	const gd_plan_entry *e = a->entry;
	size_t idx = (size_t)(e - f->plan->entries);
	bool apply = a->kind == GD_ACT_APPLY;
	bool revert = a->kind == GD_ACT_CHANGE_END;
	/* A heal of a fault never applied has nothing to undo, nor the end
	 * of a change never made. */
	if (revert ? !f->changed[idx] : !apply && !f->active[idx])
		return;
	gd_fault_fn fn = fn_for(e, a->kind);
	char evidence[512] = "";
	gd_error *err = NULL;
	f->applied_ns = 0;
	int r = fn ? fn(f, e, evidence, sizeof(evidence), &err)
		   : gd_error_set(&err, EOPNOTSUPP, "not supported");
	if (r >= 0 && a->kind == GD_ACT_HEAL && f->drained[idx]) {
		int rr = resume(f, e, evidence, sizeof(evidence), &err);
		if (rr < 0)
			r = rr;
	}
	int64_t seen_ns = mono_ns();
	release_held(f);
	/* What the drain achieved: a node still "draining" had its jobs
	 * killed.  Asked once the nodes are down, not to delay the fault:
	 * the job system takes seconds to notice. */
	char drain_states[512] = "";
	if (apply && f->drained[idx]) {
		char nodes[512];
		gd_error *ignored = NULL;
		node_list(f, e, nodes, sizeof(nodes));
		gd_jobsys_node_states(f->js, nodes, drain_states,
				      sizeof(drain_states), &ignored);
		gd_error_free(ignored);
	}
	/* Only faults that last need a heal (a service kill does not). */
	bool lasts = e->end != e->start || e->until_end;
	if (!revert) {
		bool now = apply && r >= 0 && lasts;
		if (now != f->active[idx])
			__atomic_add_fetch(&f->nactive, now ? 1 : -1,
					   __ATOMIC_RELAXED);
		f->active[idx] = now;
	}

	gd_event_kind event =
		apply ? (r == 0 ? GD_EV_FAULT_APPLIED : GD_EV_FAULT_NOT_APPLIED)
		: revert ? (r == 0 ? GD_EV_CHANGE_REVERTED
				   : GD_EV_CHANGE_NOT_REVERTED)
			 : (r == 0 ? GD_EV_FAULT_HEALED
				   : GD_EV_FAULT_NOT_HEALED);
	if (apply)
		r == 0 ? f->counts.applied++ : f->counts.not_applied++;
	else
		r == 0 ? f->counts.healed++ : f->counts.not_healed++;
	gd_ms now = (gd_ms)((double)(seen_ns - f->t0_ns) / 1e6 * f->scale);
	json_t *ev = json_pack("{s:s,s:s,s:s,s:o,s:I,s:I,s:b}", "fault", e->id,
			       "step", e->step->id, "kind", e->step->kind->name,
			       "nodes", node_names(f, e), "scheduled_ms",
			       (json_int_t)a->at, "t_scenario_ms",
			       (json_int_t)now, "evidence_ok", r == 0);
	if (on_time) {
		int64_t due = due_ns(f, a->at);
		if (f->applied_ns)
			json_object_set_new(
				ev, "applied_lag_ms",
				json_real((double)(f->applied_ns - due) / 1e6));
		json_object_set_new(ev, "evidence_lag_ms",
				    json_real((double)(seen_ns - due) / 1e6));
	}
	/* A reboot's heal brings its node back changed until the change's
	 * end: the scorecard draws that period. */
	if (a->kind == GD_ACT_HEAL && e->step->back_with && r == 0) {
		json_object_set_new(ev, "back_changed", json_true());
		/* its end is a re-image: the scorer must not take what that
		 * does to jobs for the team noticing the change */
		if (e->step->back_with->provision.n)
			json_object_set_new(ev, "back_renewed", json_true());
		char *change = gd_plan_change_text(e);
		if (change)
			json_object_set_new(ev, "change", json_string(change));
		free(change);
	}
	if (apply && !lasts)
		json_object_set_new(ev, "instant", json_true());
	/* gameday tidying up as the run stops is no part of the story the
	 * scenario tells: the scorer reads such a fault as never undone */
	if (!on_time)
		json_object_set_new(ev, "cleanup", json_true());
	if (*drain_states)
		json_object_set_new(ev, "drain_states",
				    json_string(drain_states));
	if (*evidence)
		json_object_set_new(ev, "evidence", json_string(evidence));
	if (r < 0)
		json_object_set_new(ev, "error", json_string(err->msg));
	gd_event(f->events, event, ev);
	gd_error_free(err);
}

/* Node index's slot in the prepared table (a new one if it has none),
 * or NULL when the table is full. */
static struct gd_prepared *prep_slot(gd_faults *f, size_t index)
{
	struct gd_prepared *p = (struct gd_prepared *)prepared(f, index);
	if (p || f->nprep == GD_ARRAY_SIZE(f->prep))
		return p;
	p = &f->prep[f->nprep++];
	*p = (struct gd_prepared){.node = index};
	return p;
}

void gd_faults_prepare_nl(gd_faults *f, size_t index)
{
	struct gd_prepared *p = prep_slot(f, index);
	gd_error *err = NULL;
	if (p && !p->nl && gd_faults_node_nl(f, index, &p->nl, &err) != 0)
		p->nl = NULL;
	gd_error_free(err);
}

void gd_faults_prepare_root(gd_faults *f, size_t index)
{
	if (f->nrooted < GD_ARRAY_SIZE(f->rooted) &&
	    gd_node_hold_files(&f->st->nodes[index]) == 0)
		f->rooted[f->nrooted++] = index;
}

void gd_faults_prepare_roots(gd_faults *f, const gd_plan_entry *e, bool apply)
{
	(void)apply;
	for (size_t k = 0; k < e->nodes.n; k++)
		gd_faults_prepare_root(f, e->nodes.v[k]);
}

void gd_faults_prepare_nls(gd_faults *f, const gd_plan_entry *e, bool apply)
{
	(void)apply;
	for (size_t k = 0; k < e->nodes.n; k++)
		gd_faults_prepare_nl(f, e->nodes.v[k]);
}

void gd_faults_prepare_ready(gd_faults *f, size_t index, bool stop)
{
	struct gd_prepared *p = prep_slot(f, index);
	if (!p)
		return;
	gd_error *err = NULL;
	p->is_ready = gd_cluster_ready_node(f->st, f->st->nodes[index].name,
					    stop, &p->ready, &err) == 0;
	if (!p->is_ready)
		gd_cluster_ready_close(f->st, &p->ready);
	gd_error_free(err);
}

/* What an action needs done before its instant, so that its time to
 * effect is the change alone: its "fault-applying" said, and what its
 * kind's prepare opens (gd_faults_prepare_*()), let go once the change is
 * made (release_held()). */
static void prepare(gd_faults *f, const gd_action *a, int64_t due)
{
	announce(f, a, due);
	const gd_plan_entry *e = a->entry;
	if (!e || (a->kind != GD_ACT_APPLY && a->kind != GD_ACT_HEAL))
		return;
	const gd_fault_ops *ops = e->step->kind->ops;
	if (ops->prepare)
		ops->prepare(f, e, a->kind == GD_ACT_APPLY);
}

/* The player wakes PREPARE_NS before an action to prepare it, then
 * sleeps again until SPIN_NS before and spins on the clock for the rest:
 * a sleeping thread wakes 0.1-0.25 ms after its timer here (a VM's timer
 * and scheduler), which would be most of a pause's or a route's time to
 * effect.  A fraction of a millisecond of one core per action. */
#define PREPARE_NS 3000000LL
#define SPIN_NS	   400000LL

static void wait_until(int64_t due)
{
	int64_t sleep_to = due - SPIN_NS;
	struct timespec ts = {sleep_to / 1000000000, sleep_to % 1000000000};
	if (sleep_to > mono_ns())
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	while (mono_ns() < due)
		;
}

/* What moves on its own (a drift) stepped to where it has got by now. */
static void tick_all(gd_faults *f)
{
	for (size_t k = 0; k < gd_nkinds; k++)
		if (gd_kinds[k]->ops->tick)
			gd_kinds[k]->ops->tick(f);
}

static void *player(void *arg)
{
	gd_faults *f = arg;
	/* Timer slack would add 50 us to every sleep. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	pthread_mutex_lock(&f->lock);
	int64_t tick = 0;
	for (size_t i = 0; i < f->nacts && !f->stop; i++) {
		int64_t due = due_ns(f, f->acts[i].at);
		/* Until the action is due, drifting clocks are stepped. */
		for (;;) {
			int64_t wake = due - PREPARE_NS;
			if (f->ndrifting) {
				if (!tick)
					tick = mono_ns() +
					       GD_DRIFT_TICK_MS * 1000000LL;
				if (tick < wake)
					wake = tick;
			}
			struct timespec ts = {wake / 1000000000,
					      wake % 1000000000};
			while (!f->stop &&
			       pthread_cond_timedwait(&f->wake, &f->lock,
						      &ts) != ETIMEDOUT)
				;
			if (f->stop || wake == due - PREPARE_NS)
				break;
			pthread_mutex_unlock(&f->lock);
			tick_all(f);
			pthread_mutex_lock(&f->lock);
			tick = 0;
		}
		if (f->stop)
			break;
		pthread_mutex_unlock(&f->lock);
		prepare(f, &f->acts[i], due);
		wait_until(due);
		play(f, &f->acts[i], true);
		release_held(f); /* whatever play() did */
		__atomic_store_n(&f->next_act, i + 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

int gd_faults_start(gd_faults *f, const gd_action *acts, size_t n,
		    int64_t t0_ns, gd_error **err)
{
	f->acts = acts;
	f->nacts = n;
	f->t0_ns = t0_ns;
	int r = gd_thread_start(&f->thread, &f->lock, &f->wake, player, f);
	if (r != 0)
		return gd_error_make(err, r, "cannot start playing the faults");
	f->running = true;
	return 0;
}

void gd_faults_stop(gd_faults *f)
{
	if (f->running) {
		pthread_mutex_lock(&f->lock);
		f->stop = true;
		pthread_cond_signal(&f->wake);
		pthread_mutex_unlock(&f->lock);
		pthread_join(f->thread, NULL);
		f->running = false;
	}
	/* Newest first, as a ledger is undone. */
	for (size_t i = f->plan->nentries; i-- > 0;) {
		const gd_plan_entry *e = &f->plan->entries[i];
		if (f->active[i]) {
			gd_action a = {e->end, GD_ACT_HEAL, e};
			play(f, &a, false);
		}
		if (f->changed[i]) {
			gd_action a = {e->change_end, GD_ACT_CHANGE_END, e};
			play(f, &a, false);
		}
		/* Drained, and the reboot never played or never applied. */
		if (f->drained[i]) {
			char evidence[512] = "";
			gd_error *err = NULL;
			int r = resume(f, e, evidence, sizeof(evidence), &err);
			json_t *ev = json_pack("{s:s,s:s,s:o}", "fault", e->id,
					       "step", e->step->id, "nodes",
					       node_names(f, e));
			json_object_set_new(
				ev, r == 0 ? "evidence" : "error",
				json_string(r == 0 ? evidence : err->msg));
			gd_event(f->events,
				 r == 0 ? GD_EV_FAULT_RESUMED
					: GD_EV_FAULT_NOT_RESUMED,
				 ev);
			gd_error_free(err);
		}
	}
}

gd_faults_counts gd_faults_counts_of(const gd_faults *f)
{
	return f->counts;
}

void gd_faults_now_of(const gd_faults *f, gd_faults_now *now)
{
	now->active = __atomic_load_n(&f->nactive, __ATOMIC_RELAXED);
	size_t i = __atomic_load_n(&f->next_act, __ATOMIC_RELAXED);
	now->next = NULL;
	now->next_kind = NULL;
	now->next_at = -1;
	if (f->acts && i < f->nacts) {
		now->next = f->acts[i].entry->id;
		now->next_kind = gd_action_kind_name(f->acts[i].kind);
		now->next_at = f->acts[i].at;
	}
}

static int probe_v(gd_faults *f, size_t index, char *out, size_t size,
		   const char *program, va_list ap)
{
	char *argv[16];
	argv[0] = (char *)program;
	size_t n = 1;
	const char *a;
	while (n < 15 && (a = va_arg(ap, const char *)))
		argv[n++] = (char *)a;
	argv[n] = NULL;
	_cleanup_free_ char *text = NULL, *errout = NULL;
	int status = -1;
	gd_error *err = NULL;
	if (gd_cluster_capture(f->st, f->st->nodes[index].name, argv,
			       GD_PROBE_LIMIT_MS, &text, &errout, &status,
			       &err) < 0) {
		snprintf(out, size, "%s", err->msg);
		gd_error_free(err);
		return -1;
	}
	const char *said = *text ? text : errout;
	snprintf(out, size, "%.*s", (int)strcspn(said, "\n"), said);
	return status;
}

int gd_probe(gd_faults *f, size_t index, char *out, size_t size, ...)
{
	char program[PATH_MAX];
	gd_pathf(program, sizeof(program), "%s/gd-probe", f->st->node_programs);
	va_list ap;
	va_start(ap, size);
	int r = probe_v(f, index, out, size, program, ap);
	va_end(ap);
	return r;
}

int gd_probe_cmd(gd_faults *f, size_t index, char *out, size_t size, ...)
{
	va_list ap;
	va_start(ap, size);
	const char *program = va_arg(ap, const char *);
	int r = probe_v(f, index, out, size, program, ap);
	va_end(ap);
	return r;
}
