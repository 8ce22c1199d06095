/* Kill, pause and reboot: a node's power and its processes.  Whole nodes
 * go through the cluster's own calls (cgroup.kill, the freezer, a new
 * gd-init); a service is killed inside its node by the pid its
 * supervisor keeps in /run/gameday. */
#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/strbuf.h"
#include "cluster/provision.h"
#include "faults/engine.h"
#include "plan/claims.h"
#include "plan/print.h"
#include "scenario/parse.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* This file's rows, at its end. */
extern const gd_kind gd_kind_kill, gd_kind_pause, gd_kind_reboot;

/* A kill step's settings. */
typedef struct kill_spec {
	bool graceful;
	gd_ms grace;
	const char *service; /* NULL: the whole node */
} kill_spec;

/* The kill settings of st, or NULL when it is no kill. */
static const kill_spec *kill_of(const gd_step *st)
{
	return st->kind == &gd_kind_kill ? st->spec : NULL;
}

/* Whether st kills one service, not whole nodes. */
static bool service_kill(const gd_step *st)
{
	return kill_of(st) && kill_of(st)->service;
}

/* Appends "NODE: text" to the evidence, "; "-separated. */
static void say(char *evidence, size_t size, const char *node, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
static void say(char *evidence, size_t size, const char *node, const char *fmt,
		...)
{
	size_t used = strlen(evidence);
	if (used + 4 >= size)
		return;
	int n = snprintf(evidence + used, size - used,
			 "%s%s: ", used ? "; " : "", node);
	if (n < 0 || (size_t)n >= size - used)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(evidence + used + n, size - used - (size_t)n, fmt, ap);
	va_end(ap);
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Scenario time to real time, at least 1 ms for a positive span. */
static long real_ms(const gd_faults *f, gd_ms ms)
{
	long r = (long)((double)ms / f->scale);
	return ms > 0 && r < 1 ? 1 : r;
}

/* A graceful stop's grace in real time: scaled like every span, but never
 * below 2 s (or the scenario's own grace, if less), the time a daemon
 * needs to save its state whatever the scale; a slurmctld given 50 ms
 * loses the jobs it had not saved. */
static long grace_ms(const gd_faults *f, gd_ms grace)
{
	long floor = grace < 2000 ? (long)grace : 2000;
	long r = real_ms(f, grace);
	return r < floor ? floor : r;
}

/* SIGTERM to every process of the node, then, once grace has passed
 * (or sooner when they are all gone), the hard kill. */
static int graceful_stop(gd_faults *f, gd_node_rt *n, gd_ms grace,
			 gd_error **err)
{
	if (gd_node_signal_all(n, SIGTERM, err) < 0)
		return -EIO;
	for (long waited = 0, limit = grace_ms(f, grace); waited < limit;
	     waited += 2) {
		bool populated = true;
		gd_error *e = NULL;
		if (gd_node_populated(n, &populated, &e) < 0 || !populated) {
			gd_error_free(e);
			break;
		}
		nap_ms(2);
	}
	return gd_cluster_stop_node(
		f->st, n->name, false,
		gd_faults_ready(f, (size_t)(n - f->st->nodes)), err);
}

static int node_gone(const gd_node_rt *n, char *evidence, size_t size)
{
	bool populated = true;
	gd_error *e = NULL;
	gd_node_populated(n, &populated, &e);
	gd_error_free(e);
	say(evidence, size, n->name, "%s",
	    populated ? "processes still in its cgroup" : "no process left");
	return populated;
}

/* Waits, at most limit_ms, until the supervisor has reaped pid (its pid
 * file is gone or names another process); returns the pid now there. */
static long wait_reaped(const gd_node_rt *n, const char *service, long pid,
			long limit_ms)
{
	long now = gd_node_service_pid(n, service);
	for (long waited = 0; now == pid && waited < limit_ms; waited += 2) {
		nap_ms(2);
		now = gd_node_service_pid(n, service);
	}
	return now;
}

static int kill_service(gd_faults *f, gd_node_rt *n, const kill_spec *k,
			char *evidence, size_t size, gd_error **err)
{
	long pid = gd_node_service_pid(n, k->service);
	if (!pid)
		return gd_error_set(err, ESRCH,
				    "node \"%s\" runs no service \"%s\" now",
				    n->name, k->service);
	/* Its process group (the supervisor starts each service in a
	 * session of its own). */
	gd_error *e = NULL;
	long group = 0;
	int r = gd_node_signal_service(n, pid, k->graceful ? SIGTERM : SIGKILL,
				       &group, &e);
	gd_error_free(e);
	if (r < 0)
		return gd_error_make(err, -r,
				     "cannot kill service \"%s\" on \"%s\"",
				     k->service, n->name);
	gd_faults_mark_applied(f);
	long now = wait_reaped(n, k->service, pid,
			       k->graceful ? grace_ms(f, k->grace) : 2000);
	if (k->graceful && now == pid) {
		gd_node_signal_service(n, pid, SIGKILL, &group, NULL);
		now = wait_reaped(n, k->service, pid, 2000);
	}
	if (now == pid) {
		say(evidence, size, n->name, "service %s (pid %ld) still runs",
		    k->service, pid);
		return 1;
	}
	say(evidence, size, n->name, "service %s (pid %ld) was reaped%s",
	    k->service, pid,
	    now ? ", and its supervisor already runs a new one" : "");
	return 0;
}

static int power_apply(gd_faults *f, const gd_plan_entry *e, char *evidence,
		       size_t size, gd_error **err)
{
	const gd_step *st = e->step;
	int missing = 0;
	for (size_t k = 0; k < e->nodes.n; k++) {
		gd_node_rt *n = &f->st->nodes[e->nodes.v[k]];
		const gd_node_ready *ready = gd_faults_ready(f, e->nodes.v[k]);
		int r;
		if (st->kind == &gd_kind_pause) {
			r = gd_cluster_pause(f->st, n->name, true, ready, err);
			if (r < 0)
				return r;
			gd_faults_mark_applied(f);
			bool frozen = strcmp(gd_node_state(n), "frozen") == 0;
			say(evidence, size, n->name, "%s",
			    frozen ? "every process frozen (cgroup.events)"
				   : "not frozen");
			missing += !frozen;
			continue;
		}
		if (service_kill(st)) {
			r = kill_service(f, n, kill_of(st), evidence, size,
					 err);
			if (r < 0)
				return r;
			missing += r;
			continue;
		}
		if (kill_of(st) && kill_of(st)->graceful)
			r = graceful_stop(f, n, kill_of(st)->grace, err);
		else if (st->kind == &gd_kind_reboot)
			r = gd_cluster_reboot_node(f->st, n->name, ready, err);
		else
			r = gd_cluster_stop_node(f->st, n->name, false, ready,
						 err);
		if (r < 0)
			return r;
		gd_faults_mark_applied(f);
		missing += node_gone(n, evidence, size);
	}
	return missing > 0;
}

/* Starts e's nodes again; a reboot coming back changed starts them held,
 * makes its change, then lets their services start (released whatever
 * happened: a node left held would run nothing). */
static int power_on(gd_faults *f, const gd_plan_entry *e, gd_error **err)
{
	bool changed = e->step->kind == &gd_kind_reboot && e->step->back_with;
	size_t started = 0;
	int r = 0;
	/* Coming back changed is a re-provisioning: an empty scratch. */
	for (size_t k = 0; changed && k < e->nodes.n && r == 0; k++)
		r = gd_cluster_wipe_scratch(
			f->st, f->st->nodes[e->nodes.v[k]].name, err);
	if (r == 0 && changed)
		r = gd_change_renew(f, e, err);
	for (; started < e->nodes.n && r == 0; started += r == 0)
		r = gd_cluster_start_node(
			f->st, f->st->nodes[e->nodes.v[started]].name,
			f->libexec, changed, err);
	if (r == 0 && changed)
		r = gd_change_make(f, e, err);
	for (size_t k = 0; changed && k < started; k++) {
		gd_error *e2 = NULL;
		int r2 = gd_cluster_release_node(
			f->st, f->st->nodes[e->nodes.v[k]].name, &e2);
		if (r2 < 0 && r == 0) {
			r = r2;
			*err = TAKE_PTR(e2);
		}
		gd_error_free(e2);
	}
	return r;
}

/* A node whose role provisions it runs the team's script again at every
 * boot before its services: back means provisioned (its status and the
 * start of what it said in the evidence otherwise; all of it is kept in
 * the run folder).  The count of nodes that were not. */
static int provisioned(gd_faults *f, const gd_plan_entry *e, char *evidence,
		       size_t size)
{
	int missing = 0;
	for (size_t k = 0; k < e->nodes.n; k++) {
		size_t i = e->nodes.v[k];
		gd_node_rt *n = &f->st->nodes[i];
		_cleanup_error_ gd_error *pe = NULL;
		const gd_cluster *c = &f->plan->scenario->cluster;
		int ended;
		if (!gd_provision_has(c, i, n))
			continue;
		if (gd_provision_wait(c, i, n, GD_PROVISION_TIMEOUT_MS, &ended,
				      &pe) == 0) {
			say(evidence, size, n->name, "provisioned at boot %u",
			    n->provisioned_boot);
			continue;
		}
		/* the evidence is short: the script's last line (what went
		 * wrong, most often); all it said is in the run folder */
		_cleanup_strbuf_ gd_strbuf why = GD_STRBUF_INIT;
		if (ended > 0)
			gd_provision_failure(c, i, n, ended, &why);
		say(evidence, size, n->name, "NOT provisioned: %s",
		    ended > 0 ? why.buf : pe->msg);
		missing++;
	}
	return missing;
}

static int power_heal(gd_faults *f, const gd_plan_entry *e, char *evidence,
		      size_t size, gd_error **err)
{
	int missing = 0;
	if (e->step->kind == &gd_kind_pause) {
		for (size_t k = 0; k < e->nodes.n; k++) {
			gd_node_rt *n = &f->st->nodes[e->nodes.v[k]];
			int r = gd_cluster_pause(
				f->st, n->name, false,
				gd_faults_ready(f, e->nodes.v[k]), err);
			if (r < 0)
				return r;
			gd_faults_mark_applied(f);
			const char *state = gd_node_state(n);
			say(evidence, size, n->name, "%s", state);
			missing += strcmp(state, "up") != 0;
		}
		return missing > 0;
	}
	int r = power_on(f, e, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	for (size_t k = 0; k < e->nodes.n; k++) {
		gd_node_rt *n = &f->st->nodes[e->nodes.v[k]];
		/* Back: something runs in it and answers with its name. */
		char said[256];
		int status = gd_probe(f, e->nodes.v[k], said, sizeof(said),
				      "hostname", NULL);
		bool ok = status == 0 && strcmp(said, n->name) == 0;
		say(evidence, size, n->name, "%s%s",
		    ok ? "back up, its hostname read from inside" : said,
		    ok ? "" : " (no answer from inside)");
		missing += !ok;
	}
	missing += provisioned(f, e, evidence, size);
	if (e->step->kind == &gd_kind_reboot && e->step->back_with)
		missing += gd_change_check(f, e, false, evidence, size);
	return missing > 0;
}

/* The three kinds of power fault share what they do to a node; their
 * rows differ in what a step may say and what it holds. */

static void kill_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	kill_spec *k = gd_arena_alloc(r->arena, sizeof(*k));
	st->spec = k;
	static const char *const modes[] = {"hard", "graceful"};
	int mode = 0;
	RD_FIELD(rd_as_choice, r, obj, "mode", false, modes, 2, &mode);
	k->graceful = mode == 1;
	k->grace = 10 * GD_MS_PER_S;
	if (json_object_get(obj, "grace")) {
		if (!k->graceful) {
			rd_error_at(
				r, "grace",
				"\"grace\" applies to \"mode\": \"graceful\" kills only");
		} else {
			RD_FIELD(rd_as_positive_duration, r, obj, "grace", true,
				 &k->grace);
		}
	}
	RD_FIELD(rd_as_name, r, obj, "service", false, 64, &k->service);
	if (k->service && json_object_get(obj, "for"))
		rd_error_at(
			r, "for",
			"a killed service is restarted by its supervisor; \"for\" applies to whole-node kills");
}

static void reboot_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	RD_FIELD(rd_as_positive_duration, r, obj, "drain", false, &st->drain);
	json_t *back = json_object_get(obj, "back_with");
	if (back) {
		size_t m = rd_push_key(r, "back_with");
		parse_back_with(r, back, st);
		rd_pop(r, m);
	}
	parse_lasts(r, obj, st);
}

static bool instant(const gd_step *st)
{
	return service_kill(st);
}

static bool whole_node(const gd_step *st)
{
	return !service_kill(st);
}

static bool always(const gd_step *st)
{
	(void)st;
	return true;
}

/* A service kill is instant (its supervisor restarts it): it holds
 * nothing. */
static size_t power_claims(const gd_step *st, gd_claim *out, size_t max)
{
	(void)max;
	if (service_kill(st))
		return 0;
	static const gd_aspect power = {"take down or pause", false};
	out[0] = (gd_claim){&power, NULL};
	return 1;
}

static void kill_describe(const gd_plan *p, const gd_plan_entry *e, FILE *out)
{
	(void)p;
	const kill_spec *k = e->step->spec;
	char buf[GD_DURATION_BUFSZ];
	fputs(k->graceful ? "graceful" : "hard", out);
	if (k->graceful)
		fprintf(out, " (grace %s)",
			gd_duration_format(k->grace, buf, sizeof(buf)));
	if (k->service)
		fprintf(out, ", service %s", k->service);
	else
		fputs(", whole node", out);
}

static json_t *kill_describe_json(const gd_plan *p, const gd_plan_entry *e)
{
	(void)p;
	const kill_spec *k = e->step->spec;
	json_t *o = json_object();
	json_object_set_new(o, "mode",
			    json_string(k->graceful ? "graceful" : "hard"));
	if (k->graceful)
		gd_plan_json_duration(o, "grace", k->grace);
	if (k->service)
		json_object_set_new(o, "service", json_string(k->service));
	return o;
}

static void pause_describe(const gd_plan *p, const gd_plan_entry *e, FILE *out)
{
	(void)p;
	(void)e;
	fputs("frozen", out);
}

static void reboot_describe(const gd_plan *p, const gd_plan_entry *e, FILE *out)
{
	(void)p;
	char buf[GD_DURATION_BUFSZ];
	fprintf(out, "down %s",
		gd_duration_format(e->end - e->start, buf, sizeof(buf)));
	if (e->step->drain)
		fprintf(out, ", drained in the job system from %s",
			gd_duration_format(e->start - e->step->drain, buf,
					   sizeof(buf)));
}

static json_t *no_settings(const gd_plan *p, const gd_plan_entry *e)
{
	(void)p;
	(void)e;
	return json_object();
}

static int reboot_preflight(const gd_plan *p, const gd_step *st, gd_error **err)
{
	const gd_scenario *s = p->scenario;
	const char *why = NULL;
	if (st->drain && !gd_jobsys_can_drain(&s->cluster))
		return gd_error_set(
			err, EOPNOTSUPP,
			"%s: step \"%s\": a drain needs the exec adapter's \"drain\", \"resume\" and \"nodes\" commands (README, \"The exec adapter\"); this cluster's adapter has none",
			s->file, st->id);
	const gd_change *c = st->back_with;
	if (c && c->nconfig && !gd_jobsys_config_path(&s->cluster))
		why = "a configuration change (back_with.config: only Slurm's slurm.conf is known to gameday)";
	for (size_t i = 0; c && !why && i < c->nparts; i++) {
		const gd_fault_ops *ops = c->parts[i].kind->ops;
		why = ops->part_refused ? ops->part_refused(c->parts[i].spec)
					: NULL;
	}
	if (why)
		return gd_error_set(
			err, EOPNOTSUPP,
			"%s: step \"%s\": %s cannot be played by this version of gameday",
			s->file, st->id, why);
	return 0;
}

/* A pause (and its thaw) and a power cut find their nodes' control files
 * open; a cut also their namespaces pinned and held.  A service kill and
 * a power-on need nothing ahead. */
static void power_prepare(gd_faults *f, const gd_plan_entry *e, bool apply)
{
	const gd_step *st = e->step;
	bool pause = st->kind == &gd_kind_pause;
	bool stop = apply && !pause && !service_kill(st);
	for (size_t k = 0; (pause || stop) && k < e->nodes.n; k++)
		gd_faults_prepare_ready(f, e->nodes.v[k], stop);
}

static const gd_fault_ops power_ops = {
	.apply = power_apply,
	.heal = power_heal,
	.prepare = power_prepare,
};

/* A reboot keeps what its changed return replaced. */
static const gd_fault_ops reboot_ops = {
	.preflight = reboot_preflight,
	.apply = power_apply,
	.heal = power_heal,
	.prepare = power_prepare,
	.forget = gd_change_forget_parts,
};

static const char *const kill_keys[] = {"mode", "grace", "service"};
static const char *const reboot_keys[] = {"back_with", "drain"};

const gd_kind gd_kind_kill = {
	.name = "kill",
	.takes_down = whole_node,
	.instant = instant,
	.keys = kill_keys,
	.nkeys = GD_ARRAY_SIZE(kill_keys),
	.color = "#424242",
	.parse = kill_parse,
	.waves = whole_node,
	.claims = power_claims,
	.describe = kill_describe,
	.describe_json = kill_describe_json,
	.host_needs = GD_HOST_NEEDS_CGROUP2,
	.ops = &power_ops,
};

const gd_kind gd_kind_pause = {
	.name = "pause",
	.lasts = true,
	.silences = true,
	.keeps_pre = "freezes",
	.keeps_post = "",
	.color = "#1565c0",
	.parse = parse_lasts,
	.waves = always,
	.claims = power_claims,
	.describe = pause_describe,
	.describe_json = no_settings,
	.host_needs = GD_HOST_NEEDS_CGROUP2,
	.ops = &power_ops,
};

const gd_kind gd_kind_reboot = {
	.name = "reboot",
	.lasts = true,
	.takes_down = always,
	.keys = reboot_keys,
	.nkeys = GD_ARRAY_SIZE(reboot_keys),
	.color = "#616161",
	.parse = reboot_parse,
	.waves = always,
	.claims = power_claims,
	.describe = reboot_describe,
	.describe_json = no_settings,
	.ops = &reboot_ops,
};
