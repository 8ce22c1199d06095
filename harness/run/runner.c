#include "run/runner.h"

#include "base/cleanup.h"
#include "base/duration.h"
#include "base/fileio.h"
#include "base/strbuf.h"
#include "cluster/cluster.h"
#include "cluster/events.h"
#include "faults/faults.h"
#include "faults/schedule.h"
#include "jobsys/jobsys.h"
#include "plan/fidelity.h"
#include "run/job.h"
#include "run/logwatch.h"
#include "run/nodewatch.h"
#include "run/progress.h"
#include "score/report.h"
#include "score/score.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS		 250
#define READY_TIMEOUT_MS 60000
#define UNRESPONSIVE_MS	 120000

typedef struct job_track {
	const gd_plan_job *plan;
	char sys_id[32];		    /* "": not submitted */
	gd_ms submitted, started, finished; /* scenario ms since start, -1 */
	unsigned attempts;
	char nodes[128];
	char state[32];
	enum gd_job_phase phase;
	int final;
	int tried;  /* a submission was attempted (and may have landed) */
	int seen;   /* the job system has listed it */
	int absent; /* ... and its last answer did not */
	int held;   /* the job system holds it */
	char held_why[96]; /* in its words */
	enum gd_job_outcome outcome;
	char why[384];	    /* what makes it not correct */
	char evidence[256]; /* a file of the results to look at first */
	char tail[512];	    /* ... and its last lines */
	int on_time;
} job_track;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Shared storage made ready: what every job writes (its log, its
 * progress: progress.h) as the service user, then each group's own
 * through its kind's row. */
static int prepare_workload(const gd_job_run *run, void **states, job_track *t,
			    gd_error **err)
{
	const gd_plan *p = run->p;
	char dir[PATH_MAX];
	static const char *const subs[] = {"logs", GD_PROGRESS_DIR};
	for (size_t i = 0; i < GD_ARRAY_SIZE(subs); i++) {
		gd_pathf(dir, sizeof(dir), "%s/%s", run->shared, subs[i]);
		int r = gd_mkdir_mode(dir, 01777, err);
		if (r < 0)
			return r;
	}
	const gd_scenario *s = p->scenario;
	for (size_t g = 0; g < s->ngroups; g++) {
		int r = s->groups[g].kind->ops->prepare(run, g, &states[g],
							err);
		if (r < 0)
			return r;
	}
	for (size_t k = 0; k < p->njobs; k++) {
		t[k].plan = &p->jobs[k];
		t[k].submitted = t[k].started = t[k].finished = -1;
	}
	return 0;
}

static int submit(const gd_job_run *run, void *state, gd_jobsys *js,
		  job_track *t, gd_ms now, int events, gd_error **err)
{
	char log[PATH_MAX];
	gd_pathf(log, sizeof(log), "%s/logs/%s.log", run->st->node_shared,
		 t->plan->id);
	const gd_job_kind *kind = run->p->scenario->groups[t->plan->group].kind;
	gd_job_cmd cmd = {0};
	int r = kind->ops->command(run, state, t->plan, &cmd, err);
	if (r < 0)
		return r;
	gd_job_spec spec = {t->plan->id, log, cmd.argv, cmd.res};
	/* A submission that failed may still have landed (sbatch timing out
	 * while slurmctld queues the request): look before trying again,
	 * or gameday itself would run the job twice. */
	int found = 0;
	if (t->tried) {
		found = gd_jobsys_find(js, t->plan->id, t->sys_id,
				       sizeof(t->sys_id), err);
		if (found < 0)
			return found;
	}
	if (!t->tried)
		t->submitted = now;
	t->tried = 1;
	if (!found) {
		r = gd_jobsys_submit(js, &spec, t->sys_id, sizeof(t->sys_id),
				     err);
		if (r < 0)
			return r;
	}
	json_t *ev = json_pack("{s:s,s:s,s:I}", "job", t->plan->id, "system_id",
			       t->sys_id, "t_scenario_ms", (json_int_t)now);
	if (found)
		json_object_set_new(ev, "after_failed_submit", json_true());
	gd_event(events, GD_EV_JOB_SUBMITTED, ev);
	return 0;
}

static int cmp_sys_id(const void *a, const void *b)
{
	return strcmp((*(job_track *const *)a)->sys_id,
		      (*(job_track *const *)b)->sys_id);
}

/* A job in the system's answer with the name of one of ours but another
 * id: a submission gameday retried that landed after all.  It is
 * withdrawn, so the system under test is not blamed for running it
 * twice. */
static void withdraw_stray(gd_jobsys *js, job_track *t, size_t n,
			   const gd_job_status *q, int events)
{
	if (!*q->name || q->phase == GD_PHASE_COMPLETED ||
	    q->phase == GD_PHASE_FAILED)
		return;
	for (size_t k = 0; k < n; k++) {
		if (strcmp(t[k].plan->id, q->name) != 0)
			continue;
		_cleanup_error_ gd_error *e = NULL;
		int r = gd_jobsys_cancel(js, q->sys_id, &e);
		json_t *ev =
			json_pack("{s:s,s:s,s:s}", "job", q->name, "system_id",
				  q->sys_id, "kept", t[k].sys_id);
		if (r < 0)
			json_object_set_new(ev, "error", json_string(e->msg));
		gd_event(events, GD_EV_JOB_STRAY_WITHDRAWN, ev);
		return;
	}
}

/* A job the system now holds (or no longer does): said once, since such
 * a job waits for someone to release it, which no poll will show. */
static void held_now(job_track *j, const gd_job_status *q, int events)
{
	if (q->held == j->held)
		return;
	j->held = q->held;
	if (q->held)
		snprintf(j->held_why, sizeof(j->held_why), "%s",
			 *q->reason ? q->reason : q->state);
	gd_event(events, q->held ? GD_EV_JOB_HELD : GD_EV_JOB_RELEASED,
		 json_pack("{s:s,s:s,s:i,s:s,s:s}", "job", j->plan->id,
			   "system_id", j->sys_id, "attempt", (int)j->attempts,
			   "reason", q->reason, "previous_nodes", j->nodes));
}

/* One answer of the job system: new starts, requeues, ends and jobs it
 * forgot become events. */
static void track(gd_jobsys *js, job_track *t, job_track **by_id, size_t n,
		  const gd_job_status *q, size_t nq, gd_ms now, int events)
{
	for (size_t k = 0; k < n; k++)
		by_id[k]->seen = by_id[k]->seen ? -1 : 0; /* -1: not yet now */
	for (size_t i = 0; i < nq; i++) {
		job_track key, *kp = &key;
		snprintf(key.sys_id, sizeof(key.sys_id), "%s", q[i].sys_id);
		job_track **found =
			bsearch(&kp, by_id, n, sizeof(*by_id), cmp_sys_id);
		job_track *j = found ? *found : NULL;
		if (!j) {
			withdraw_stray(js, t, n, &q[i], events);
			continue;
		}
		j->seen = 1;
		j->absent = 0;
		if (j->final)
			continue;
		unsigned attempts = q[i].attempts;
		if (!attempts && q[i].phase != GD_PHASE_QUEUED)
			attempts = j->attempts ? j->attempts : 1;
		if (attempts > j->attempts && j->attempts)
			gd_event(events, GD_EV_JOB_REQUEUED,
				 json_pack("{s:s,s:i,s:s}", "job", j->plan->id,
					   "attempt", (int)attempts,
					   "previous_nodes", j->nodes));
		if (q[i].phase == GD_PHASE_RUNNING && !q[i].ending &&
		    (j->phase != GD_PHASE_RUNNING || attempts != j->attempts)) {
			if (j->started < 0)
				j->started = now;
			gd_event(events, GD_EV_JOB_STARTED,
				 json_pack("{s:s,s:s,s:i}", "job", j->plan->id,
					   "node", q[i].nodes, "attempt",
					   (int)attempts));
		}
		held_now(j, &q[i], events);
		if (*q[i].nodes)
			snprintf(j->nodes, sizeof(j->nodes), "%s", q[i].nodes);
		/* a requeued job's old run being torn down: queued again */
		bool requeued = attempts != j->attempts;
		if (attempts)
			j->attempts = attempts;
		j->phase =
			q[i].ending && requeued ? GD_PHASE_QUEUED : q[i].phase;
		snprintf(j->state, sizeof(j->state), "%s", q[i].state);
		if (q[i].phase == GD_PHASE_COMPLETED ||
		    q[i].phase == GD_PHASE_FAILED) {
			j->final = 1;
			j->finished = now;
			gd_event(events, GD_EV_JOB_FINISHED,
				 json_pack("{s:s,s:s,s:s}", "job", j->plan->id,
					   "state", q[i].state, "nodes",
					   j->nodes));
		}
	}
	for (size_t k = 0; k < n; k++) {
		job_track *j = by_id[k];
		if (j->seen != -1)
			continue;
		j->seen = 1;
		if (!j->final && !j->absent)
			gd_event(events, GD_EV_JOB_MISSING,
				 json_pack("{s:s,s:s}", "job", j->plan->id,
					   "system_id", j->sys_id));
		j->absent = 1;
	}
}

struct lines {
	int events;
	size_t n; /* lines read so far in the run */
};

/* gd_progress_fn: a job's new progress line, an event. */
static void progress_line(const char *job, const char *node,
			  const char *attempt, const char *line, void *ctx)
{
	struct lines *l = ctx;
	l->n++;
	gd_event(l->events, GD_EV_JOB_PROGRESS,
		 json_pack("{s:s,s:s,s:s,s:s}", "job", job, "node", node,
			   "attempt", attempt, "line", line));
}

/* The progress files' new lines as events, counted into *seen. */
static void read_progress(gd_progress *pg, int events, size_t *seen)
{
	struct lines l = {events, 0};
	if (pg)
		gd_progress_poll(pg, progress_line, &l);
	*seen += l.n;
}

/* The job system's answer, then the progress files: a job that finished
 * wrote its last line before, so its progress events come before its
 * "job-finished". */
static int poll_jobs(gd_jobsys *js, gd_progress *pg, size_t *lines,
		     job_track *t, size_t n, gd_ms now, int events,
		     gd_error **err)
{
	/* The system's ids to our jobs: sorted once a poll, so a queue of
	 * ten thousand jobs costs n log n, not n squared. */
	_cleanup_free_ job_track **by_id = malloc((n + 1) * sizeof(*by_id));
	_cleanup_free_ const char **ids = malloc((n + 1) * sizeof(*ids));
	if (!by_id || !ids)
		return gd_error_make(err, ENOMEM, "cannot track the jobs");
	for (size_t k = 0; k < n; k++) {
		by_id[k] = &t[k];
		ids[k] = t[k].sys_id;
	}
	qsort(by_id, n, sizeof(*by_id), cmp_sys_id);
	_cleanup_free_ gd_job_status *q = NULL;
	size_t nq = 0;
	int r = gd_jobsys_query(js, ids, n, &q, &nq, err);
	read_progress(pg, events, lines);
	if (r == 0)
		track(js, t, by_id, n, q, nq, now, events);
	return r;
}

static void judge_one(const gd_job_run *run, void *state, job_track *j)
{
	if (!j->final) {
		j->outcome = !*j->sys_id ? GD_OUT_UNFINISHED
			     : j->absent ? GD_OUT_LOST
					 : GD_OUT_UNFINISHED;
		snprintf(j->why, sizeof(j->why), "%s",
			 !*j->sys_id ? "never submitted"
			 : j->absent ? "the job system no longer knows it"
				     : "still not finished at the end");
		if (j->held && *j->sys_id && !j->absent)
			snprintf(
				j->why, sizeof(j->why),
				"held by the job system since it was requeued (%s): it waits for someone to release it",
				j->held_why);
		return;
	}
	gd_job_end e = {
		.plan = j->plan,
		.sys_id = j->sys_id,
		.failed = j->phase == GD_PHASE_FAILED,
		.state = j->state,
	};
	run->p->scenario->groups[j->plan->group].kind->ops->judge(run, state,
								  &e);
	j->outcome = e.outcome;
	snprintf(j->why, sizeof(j->why), "%s", e.why);
	snprintf(j->evidence, sizeof(j->evidence), "%s", e.evidence);
	snprintf(j->tail, sizeof(j->tail), "%s", e.tail);
}

static void judge(const gd_job_run *run, void **states, job_track *t, size_t n,
		  int events)
{
	for (size_t k = 0; k < n; k++) {
		job_track *j = &t[k];
		judge_one(run, states[j->plan->group], j);
		j->on_time =
			j->finished >= 0 && j->finished <= j->plan->deadline;
		json_t *ev =
			json_pack("{s:s,s:s,s:b}", "job", j->plan->id,
				  "outcome", gd_job_outcome_names[j->outcome],
				  "on_time", j->on_time);
		if (*j->why)
			json_object_set_new(ev, "why", json_string(j->why));
		if (*j->evidence)
			json_object_set_new(ev, "evidence",
					    json_string(j->evidence));
		if (*j->tail)
			json_object_set_new(ev, "tail", json_string(j->tail));
		gd_event(events, GD_EV_JOB_OUTCOME, ev);
	}
}

/* The run's first event says what a scorer needs besides the events:
 * the scenario's expectations, its nodes, and every job's plan. */
static void run_started(const gd_plan *p, const gd_cluster_state *st,
			int events)
{
	const gd_scenario *s = p->scenario;
	json_t *expect = json_object();
	if (s->expect.within_expected_pct >= 0)
		json_object_set_new(
			expect, "within_expected_pct",
			json_integer(s->expect.within_expected_pct));
	if (s->expect.has_max_stall)
		json_object_set_new(expect, "max_stall_ms",
				    json_integer(s->expect.max_stall));
	if (s->expect.has_recover_within)
		json_object_set_new(expect, "recover_within_ms",
				    json_integer(s->expect.recover_within));
	json_t *alerts = json_array();
	for (size_t i = 0; i < s->nalerts; i++) {
		const gd_alert *al = &s->alerts[i];
		json_t *o = json_pack("{s:s}", "name", al->name);
		if (al->job_running_over >= 0)
			json_object_set_new(o, "job_running_over_ms",
					    json_integer(al->job_running_over));
		if (al->job_running_over_x > 0)
			json_object_set_new(o, "job_running_over_x",
					    json_real(al->job_running_over_x));
		if (al->no_job_finished_for >= 0)
			json_object_set_new(
				o, "no_job_finished_for_ms",
				json_integer(al->no_job_finished_for));
		json_array_append_new(alerts, o);
	}
	json_t *nodes = json_array();
	for (size_t i = 0; i < st->nnodes; i++)
		json_array_append_new(
			nodes,
			json_pack("{s:s,s:s}", "name", st->nodes[i].name,
				  "role",
				  s->cluster.roles[s->cluster.nodes[i].role]
					  .name));
	gd_event(events, GD_EV_RUN_STARTED,
		 json_pack("{s:s,s:s,s:s,s:I,s:f,s:I,s:o,s:o,s:o,s:i,s:o,s:i}",
			   "scenario", s->name, "run", st->id, "system",
			   gd_system_name(s->cluster.system), "seed",
			   (json_int_t)p->seed, "time_scale", s->time_scale,
			   "duration_ms", (json_int_t)s->duration, "expect",
			   expect, "alerts", alerts, "nodes", nodes, "jobs",
			   (int)p->njobs, "fidelity", gd_fidelity_json(p),
			   "log_version", 3));
	for (size_t k = 0; k < p->njobs; k++) {
		const gd_plan_job *j = &p->jobs[k];
		const gd_job_group *g = &s->groups[j->group];
		gd_event(events, GD_EV_JOB_PLANNED,
			 json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "job", j->id,
				   "group", g->name, "submit_ms",
				   (json_int_t)j->submit, "deadline_ms",
				   (json_int_t)j->deadline, "expected_lo_ms",
				   (json_int_t)j->expected_lo, "expected_hi_ms",
				   (json_int_t)j->expected_hi));
	}
}

/* What the run has progressed so far, as one number: it changes whenever
 * a job finishes or reports an advance (docs/verdict.md: a start or a
 * requeue is not progress), and when work opens after none was open (an
 * idle gap is no stall). */
static size_t progress_mark(const job_track *t, size_t n, size_t lines)
{
	size_t mark = lines * 2, open = 0;
	for (size_t k = 0; k < n; k++) {
		mark += (size_t)t[k].final * 2;
		open += !t[k].final;
	}
	return mark + (open == 0);
}

/* How much later than every POLL_MS the loop came round, in real time,
 * over rounds whose commands all worked, less the time the job system
 * took to answer them: a job system slow or unresponsive (a fault behind
 * it, or a stalled controller) is the rehearsal, not gameday falling
 * behind. */
struct lag_watch {
	int64_t round_at, late_max, answering; /* real ms */
	bool round_ok, said;
};

/* A new round at now: its lateness measured, said once past the bound. */
static void lag_round(struct lag_watch *w, int64_t now, double scale,
		      int events)
{
	int64_t late = now - w->round_at - POLL_MS - w->answering;
	if (w->round_at >= 0 && w->round_ok && late > w->late_max) {
		w->late_max = late;
		gd_ms behind = (gd_ms)((double)late * scale);
		if (behind > GD_LAG_BOUND_MS && !w->said) {
			w->said = true;
			gd_event(events, GD_EV_RUN_LAGGING,
				 json_pack("{s:I,s:I}", "late_ms",
					   (json_int_t)behind, "bound_ms",
					   (json_int_t)GD_LAG_BOUND_MS));
		}
	}
	w->round_at = now;
}

/* Where the fault player stands (nothing active, nothing next, when
 * there is no player or nothing for it to play). */
static gd_faults_now faults_now(gd_faults *faults, size_t nacts)
{
	gd_faults_now fn = {0, NULL, NULL, -1};
	if (faults && nacts)
		gd_faults_now_of(faults, &fn);
	return fn;
}

/* Every job not done is held by the job system and nothing is left to
 * play: no poll can change the outcome (a held job waits for someone to
 * release it), so the run need not wait for the last deadline.  Said in
 * the log; the held jobs are judged unfinished, as at their deadline. */
static bool all_held(gd_faults *faults, size_t nacts, bool all_submitted,
		     size_t done, size_t held, size_t n, int events)
{
	if (!all_submitted || !held || done + held != n)
		return false;
	if (faults_now(faults, nacts).next)
		return false;
	gd_event(events, GD_EV_RUN_ENDED_HELD,
		 json_pack("{s:i}", "held", (int)held));
	return true;
}

/* The scenario's stop conditions, looked at once a poll: why the run
 * must stop now (into why), or false. */
static bool must_stop(const gd_stop_when *sw, const job_track *t, size_t n,
		      gd_ms now, gd_ms progress_at, char *why, size_t size)
{
	size_t failed = 0, open = 0;
	for (size_t k = 0; k < n; k++) {
		/* lost: gone from the system before it ended (a finished
		 * job leaving the queue is not) */
		failed += t[k].phase == GD_PHASE_FAILED ||
			  (t[k].absent && !t[k].final);
		open += !t[k].final;
	}
	if (sw->failed_jobs_exceed >= 0 &&
	    failed > (size_t)sw->failed_jobs_exceed) {
		snprintf(
			why, size,
			"stop_when.failed_jobs_exceed: %zu jobs failed or were lost (more than %ld)",
			failed, sw->failed_jobs_exceed);
		return true;
	}
	if (sw->has_no_progress && open &&
	    now - progress_at > sw->no_progress_for) {
		char d[32];
		snprintf(
			why, size,
			"stop_when.no_progress_for: no job finished or reported progress for %s",
			gd_duration_format(sw->no_progress_for, d, sizeof(d)));
		return true;
	}
	return false;
}

/* A copy that fails leaves a result without that file, not a run
 * without a verdict. */
static void copy_file(const char *from, const char *to)
{
	_cleanup_error_ gd_error *e = NULL;
	gd_copy_file(from, to, 256u << 20, 0644, &e);
}

static int env_ms(const char *name, int fallback)
{
	const char *v = getenv(name);
	int ms = v ? atoi(v) : 0;
	return ms > 0 ? ms : fallback;
}

static int interrupted(void)
{
	sigset_t pending;
	sigpending(&pending);
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM);
}

/* Copies each file of the folder rel below root whose name ends with
 * suffix to to/PREFIXNAME.  What is there is someone else's (a node's
 * root, a job): no link is followed and only regular files are read, so
 * a link to a host file never puts that file in the run folder. */
static void keep_folder(const char *root, const char *rel, const char *suffix,
			const char *to, const char *prefix)
{
	int fd = gd_open_beneath(root, rel, O_DIRECTORY);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d && fd >= 0)
		close(fd);
	size_t sl = strlen(suffix);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= sl ||
		    strcmp(e->d_name + len - sl, suffix) != 0)
			continue;
		char from[PATH_MAX], dest[PATH_MAX];
		gd_pathf(from, sizeof(from), "%s/%s", rel, e->d_name);
		gd_pathf(dest, sizeof(dest), "%s/%s%s", to, prefix, e->d_name);
		gd_copy_beneath(root, from, dest, 0644);
	}
}

static int regular_visible(const struct dirent *e)
{
	return e->d_type == DT_REG && e->d_name[0] != '.';
}

/* The files of the run folder's dir (a node's), as "dir/FILE" sorted:
 * what the scorecard links (a node-logs event says them, so that the
 * report stays the log's alone). */
static void say_logs(int events, const char *out_dir, const char *dir)
{
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/%s", out_dir, dir);
	struct dirent **list = NULL;
	int n = scandir(path, &list, regular_visible, alphasort);
	json_t *files = json_array();
	for (int i = 0; i < n; i++) {
		char rel[PATH_MAX];
		gd_pathf(rel, sizeof(rel), "%s/%s", dir, list[i]->d_name);
		json_array_append_new(files, json_string(rel));
		free(list[i]);
	}
	free(list);
	if (json_array_size(files))
		gd_event(events, GD_EV_NODE_LOGS,
			 json_pack("{s:s,s:o}", "node", dir, "files", files));
	else
		json_decref(files);
}

/* The run directory keeps each node's service logs (what gd-init
 * captured), what the team's provisioning said at each boot
 * (NODE/provision-BOOT.log), the job system's own logs (a real host's
 * fetched from it: its units' journal, its log files, its agent's log),
 * and each job's output log (jobs/JOB.log: a stalled job says there what
 * it could not do); a node-logs event lists each node's. */
static void keep_logs(const gd_cluster_state *st, const gd_jobsys *js,
		      const char *out_dir, int events)
{
	char to[PATH_MAX];
	gd_pathf(to, sizeof(to), "%s/jobs", out_dir);
	mkdir(to, 0755);
	keep_folder(st->shared, "logs", "", to, "");
	for (size_t i = 0; i < st->nnodes; i++) {
		const gd_node_rt *n = &st->nodes[i];
		gd_pathf(to, sizeof(to), "%s/%s", out_dir, n->name);
		mkdir(to, 0755);
		keep_folder(n->dir, "log/gameday", ".log", to, "service-");
		keep_folder(n->dir, "log/gameday/provision", "", to,
			    "provision-");
		for (const char *const *l = gd_jobsys_logs(js); *l; l++) {
			char from[PATH_MAX], dest[PATH_MAX];
			gd_pathf(from, sizeof(from), "log/%s", *l);
			gd_pathf(dest, sizeof(dest), "%s/%s", to,
				 strrchr(*l, '/') + 1);
			gd_copy_beneath(n->dir, from, dest, 0644);
		}
		/* a real host's, read there: what could not be is said
		 * beside them */
		_cleanup_error_ gd_error *e = NULL;
		if (gd_cluster_fetch_logs(st, n->name, to, &e) < 0) {
			char missing[PATH_MAX];
			gd_pathf(missing, sizeof(missing),
				 "%s/logs-missing.txt", to);
			gd_write_file(missing, e->msg, strlen(e->msg), 0644,
				      NULL);
		}
		say_logs(events, out_dir, n->name);
	}
}

/* What a run holds from its cluster coming up to its teardown, handed
 * from phase to phase. */
struct running {
	const gd_plan *p;
	const gd_run_opts *o;
	gd_run_summary *sum;
	gd_cluster_state *st;
	gd_jobsys *js;
	gd_logwatch *logs;
	gd_progress *pg;
	gd_nodewatch *nw;
	gd_faults *faults;
	gd_action *acts;
	size_t nacts;
	job_track *t;
	void **states; /* each group's row's */
	gd_job_run jr;
	int events;
	int unresponsive_ms;
	gd_ms last_deadline;
	int64_t t0; /* real ms (CLOCK_MONOTONIC) at scenario time 0 */
	/* the loop's */
	size_t next, lines, mark;
	gd_ms progress_at;
	int64_t failing_since;
	char last_complaint[512];
	int stopped; /* by SIGINT or SIGTERM */
	struct lag_watch lag;
};

/* Everything the run needs before its time starts: the job system up
 * and answering, the workload written, the watchers and the faults
 * ready. */
static int open_run(struct running *rn, gd_error **err)
{
	const gd_plan *p = rn->p;
	int r = gd_jobsys_open(&p->scenario->cluster, rn->st, &rn->js, err);
	if (r == 0 && (!rn->t || !rn->states))
		r = gd_error_make(err, ENOMEM, "cannot track the jobs");
	rn->jr = (gd_job_run){p, rn->st, rn->js, rn->st->shared};
	if (r == 0)
		r = gd_logwatch_open(rn->st, gd_jobsys_logs(rn->js), &rn->logs,
				     err);
	if (r == 0)
		r = prepare_workload(&rn->jr, rn->states, rn->t, err);
	char progress_dir[PATH_MAX];
	gd_pathf(progress_dir, sizeof(progress_dir), "%s/" GD_PROGRESS_DIR,
		 rn->st->shared);
	if (r == 0)
		r = gd_progress_open(progress_dir, &rn->pg, err);
	/* How long the job system may take to come up, and may stay
	 * unresponsive later: $GAMEDAY_READY_MS and $GAMEDAY_UNRESPONSIVE_MS
	 * override the defaults. */
	int ready_ms = env_ms("GAMEDAY_READY_MS", READY_TIMEOUT_MS);
	rn->unresponsive_ms =
		env_ms("GAMEDAY_UNRESPONSIVE_MS", UNRESPONSIVE_MS);
	if (r == 0)
		r = gd_jobsys_wait_ready(rn->js, ready_ms, err);
	if (r == 0)
		r = gd_faults_open(p, rn->st, rn->o->libexec, rn->events,
				   &rn->faults, err);
	if (r == 0 && gd_schedule_build(p, &rn->acts, &rn->nacts) < 0)
		r = gd_error_make(err, ENOMEM, "cannot schedule the faults");
	for (size_t k = 0; k < p->njobs; k++)
		if (p->jobs[k].deadline > rn->last_deadline)
			rn->last_deadline = p->jobs[k].deadline;
	return r;
}

/* Scenario time 0: the log's first run event, the node watcher and the
 * fault player started on it. */
static int start_run(struct running *rn, gd_error **err)
{
	/* Scenario time runs time_scale times faster than real time. */
	struct timespec t0_ts;
	clock_gettime(CLOCK_MONOTONIC, &t0_ts);
	rn->t0 = (int64_t)t0_ts.tv_sec * 1000 + t0_ts.tv_nsec / 1000000;
	gd_logwatch_poll(rn->logs, -1);
	run_started(rn->p, rn->st, rn->events);
	int r = gd_nodewatch_start(&rn->p->scenario->cluster, rn->st,
				   rn->events, &rn->nw, err);
	if (r == 0 && rn->nacts)
		r = gd_faults_start(rn->faults, rn->acts, rn->nacts,
				    (int64_t)t0_ts.tv_sec * 1000000000 +
					    t0_ts.tv_nsec,
				    err);
	return r;
}

/* A round's business with the job system: the jobs due submitted, every
 * job asked after.  The job system failing a command is something to
 * record and live through (a fault may be behind it), not a reason to
 * stop: only one that stays unresponsive ends the run (an error). */
static int ask_job_system(struct running *rn, gd_ms now, gd_error **err)
{
	const gd_plan *p = rn->p;
	_cleanup_error_ gd_error *cmd_err = NULL;
	int64_t asked = mono_ms();
	while (rn->next < p->njobs && p->jobs[rn->next].submit <= now &&
	       submit(&rn->jr, rn->states[p->jobs[rn->next].group], rn->js,
		      &rn->t[rn->next], now, rn->events, &cmd_err) == 0)
		rn->next++;
	if (!cmd_err)
		poll_jobs(rn->js, rn->pg, &rn->lines, rn->t, rn->next, now,
			  rn->events, &cmd_err);
	else
		read_progress(rn->pg, rn->events, &rn->lines);
	rn->lag.answering = mono_ms() - asked;
	rn->lag.round_ok = !cmd_err;
	if (!cmd_err) {
		/* the end of a failing streak: said, so the log has how
		 * long the job system did not answer */
		if (rn->failing_since >= 0)
			gd_event(rn->events, GD_EV_JOB_SYSTEM_ANSWERING,
				 json_object());
		rn->failing_since = -1;
		rn->last_complaint[0] = '\0';
		return 0;
	}
	/* Once per distinct complaint, not once a poll. */
	if (strcmp(cmd_err->msg, rn->last_complaint) != 0)
		gd_event(rn->events, GD_EV_JOB_SYSTEM_ERROR,
			 json_pack("{s:s}", "error", cmd_err->msg));
	snprintf(rn->last_complaint, sizeof(rn->last_complaint), "%s",
		 cmd_err->msg);
	if (rn->failing_since < 0)
		rn->failing_since = mono_ms();
	if (mono_ms() - rn->failing_since > rn->unresponsive_ms)
		return gd_error_set(
			err, ETIMEDOUT,
			"the job system stayed unresponsive for %.1f s: %s",
			rn->unresponsive_ms / 1000.0, cmd_err->msg);
	return 0;
}

/* The caller's view of the run (gd_run_opts.progress), once a round. */
static void say_progress(const struct running *rn, gd_ms now, size_t done)
{
	gd_faults_now fn = faults_now(rn->faults, rn->nacts);
	gd_run_progress pr = {
		.now = now,
		.duration = rn->p->scenario->duration,
		.jobs = rn->p->njobs,
		.submitted = rn->next,
		.done = done,
		.active_faults = fn.active,
		.next = fn.next,
		.next_kind = fn.next_kind,
		.next_at = fn.next_at,
	};
	rn->o->progress(&pr, rn->o->progress_ctx);
}

/* After a round's questions: whether the run ends here, by a stop
 * condition, every job done, the last deadline passed or every open
 * job held. */
static bool round_ends_run(struct running *rn, gd_ms now)
{
	const gd_plan *p = rn->p;
	size_t m = progress_mark(rn->t, rn->next, rn->lines);
	if (m != rn->mark) {
		rn->mark = m;
		rn->progress_at = now;
	}
	gd_run_summary *sum = rn->sum;
	if (must_stop(&p->scenario->stop_when, rn->t, rn->next, now,
		      rn->progress_at, sum->stopped_by,
		      sizeof(sum->stopped_by))) {
		gd_event(rn->events, GD_EV_RUN_STOPPED,
			 json_pack("{s:s}", "why", sum->stopped_by));
		return true;
	}
	size_t held = 0, done = 0;
	for (size_t k = 0; k < rn->next; k++) {
		done += rn->t[k].final;
		held += !rn->t[k].final && rn->t[k].held;
	}
	if (rn->o->progress)
		say_progress(rn, now, done);
	return done == p->njobs || now > rn->last_deadline ||
	       all_held(rn->faults, rn->nacts, rn->next == p->njobs, done, held,
			p->njobs, rn->events);
}

/* The rounds, one every POLL_MS, until the run ends (0), is interrupted
 * (0, stopped set) or the job system stops answering. */
static int play(struct running *rn, gd_error **err)
{
	double scale = rn->p->scenario->time_scale;
	for (;;) {
		int64_t round_now = mono_ms();
		lag_round(&rn->lag, round_now, scale, rn->events);
		gd_ms now = (gd_ms)((double)(round_now - rn->t0) * scale);
		if (interrupted()) {
			rn->stopped = 1;
			return 0;
		}
		int r = ask_job_system(rn, now, err);
		if (r < 0)
			return r;
		gd_logwatch_poll(rn->logs, rn->events);
		if (round_ends_run(rn, now))
			return 0;
		nap(POLL_MS);
	}
}

/* The verdict's gist for the caller. */
static void summarize(gd_run_summary *sum, const json_t *result)
{
	const char *verdict =
		json_string_value(json_object_get(result, "verdict"));
	sum->pass = strcmp(verdict, "pass") == 0;
	sum->invalid = strcmp(verdict, "invalid") == 0;
	sum->score = (int)json_integer_value(
		json_object_get(json_object_get(result, "score"), "total"));
	json_t *rs = json_object_get(result, "reasons");
	for (size_t k = 0;
	     k < json_array_size(rs) && k < GD_ARRAY_SIZE(sum->reasons); k++)
		snprintf(sum->reasons[k], sizeof(sum->reasons[k]), "%s",
			 json_string_value(json_array_get(rs, k)));
	sum->nreasons = json_array_size(rs);
}

/* The run over (played out or interrupted): the last of the logs and
 * progress read, every job judged, the logs kept, the end said, and the
 * verdict written before teardown, so a teardown that fails cannot lose
 * it. */
static int finish_run(struct running *rn, gd_error **err)
{
	const gd_plan *p = rn->p;
	gd_run_summary *sum = rn->sum;
	gd_logwatch_poll(rn->logs, rn->events);
	read_progress(rn->pg, rn->events, &rn->lines);
	judge(&rn->jr, rn->states, rn->t, p->njobs, rn->events);
	keep_logs(rn->st, rn->js, rn->o->out_dir, rn->events);
	for (size_t k = 0; k < p->njobs; k++) {
		const gd_job_ops *ops =
			p->scenario->groups[p->jobs[k].group].kind->ops;
		if (ops->keep)
			ops->keep(&rn->jr, rn->states[p->jobs[k].group],
				  &p->jobs[k], rn->o->out_dir);
	}
	for (size_t k = 0; k < p->njobs; k++)
		sum->correct += rn->t[k].outcome == GD_OUT_CORRECT,
			sum->on_time += rn->t[k].on_time;
	sum->jobs = p->njobs;
	sum->interrupted = rn->stopped;
	gd_event(rn->events, GD_EV_RUN_FINISHED,
		 json_pack("{s:i,s:i,s:i,s:b,s:i,s:i,s:{s:I}}", "jobs",
			   (int)sum->jobs, "correct", (int)sum->correct,
			   "on_time", (int)sum->on_time, "interrupted",
			   rn->stopped, "faults", (int)sum->faults,
			   "faults_applied", (int)sum->faults_applied, "lag",
			   "poll_late_ms",
			   (json_int_t)((double)rn->lag.late_max *
					p->scenario->time_scale)));
	json_t *result = NULL;
	int r = gd_report_write(rn->st->events, rn->o->out_dir, &result, err);
	if (r == 0)
		summarize(sum, result);
	json_decref(result);
	return r;
}

static bool out_of_service(const char *state)
{
	return strstr(state, "down") || strstr(state, "drain") ||
	       strstr(state, "fail");
}

/* Every worker was idle when the run began (it waits for that): one the
 * job system shows down or drained at the end, though it is up again in
 * gameday's eyes (a fault healed), is put back in service, as it was
 * found.  A real cluster whose slurm.conf has no ReturnToService keeps a
 * node that stopped answering down until someone resumes it; one that a
 * scenario leaves down at its end is left so. */
static void resume_nodes(struct running *rn)
{
	const gd_cluster *c = &rn->p->scenario->cluster;
	if (!rn->js || !gd_jobsys_can_drain(c))
		return;
	_cleanup_strbuf_ gd_strbuf workers = GD_STRBUF_INIT;
	for (size_t i = 0; i < rn->st->nnodes; i++)
		if (gd_jobsys_runs_jobs(c, i))
			gd_strbuf_addf(&workers, "%s%s", workers.len ? "," : "",
				       rn->st->nodes[i].name);
	_cleanup_free_ gd_jobsys_node *v = NULL;
	size_t n = 0;
	_cleanup_error_ gd_error *e = NULL;
	if (!workers.len ||
	    gd_jobsys_node_list(rn->js, workers.buf, &v, &n, &e) < 0)
		return;
	_cleanup_strbuf_ gd_strbuf list = GD_STRBUF_INIT;
	for (size_t i = 0; i < rn->st->nnodes; i++) {
		const gd_node_rt *node = &rn->st->nodes[i];
		bool out = false;
		for (size_t k = 0; k < n && !out; k++)
			out = strcmp(v[k].name, node->name) == 0 &&
			      out_of_service(v[k].state);
		if (out && gd_jobsys_runs_jobs(c, i) &&
		    strcmp(gd_node_state(node), "up") == 0)
			gd_strbuf_addf(&list, "%s%s", list.len ? "," : "",
				       node->name);
	}
	if (list.len &&
	    gd_jobsys_drain(rn->js, list.buf, false,
			    "gameday: back in service at the run's end",
			    &e) == 0)
		snprintf(rn->sum->resumed, sizeof(rn->sum->resumed), "%s",
			 list.buf);
}

/* Tear down whatever happened before.  The verdict is written already:
 * a teardown that fails is reported beside it, not instead of it. */
static void tear_down(struct running *rn)
{
	_cleanup_error_ gd_error *down_err = NULL;
	if (gd_cluster_down(rn->st, 2000, &down_err) < 0)
		snprintf(rn->sum->teardown, sizeof(rn->sum->teardown), "%s",
			 down_err->msg);
	if (rn->events >= 0)
		close(rn->events);
	char to[PATH_MAX];
	gd_pathf(to, sizeof(to), "%s/events.jsonl", rn->o->out_dir);
	copy_file(rn->st->events, to);
	const gd_scenario *s = rn->p->scenario;
	for (size_t g = 0; g < s->ngroups && rn->states; g++)
		s->groups[g].kind->ops->free_state(rn->states[g]);
	free(rn->states);
	free(rn->t);
	gd_jobsys_free(rn->js);
	gd_logwatch_free(rn->logs);
	gd_progress_free(rn->pg);
	gd_faults_free(rn->faults);
	free(rn->acts);
	gd_cluster_state_free(rn->st);
}

int gd_run_scenario(const gd_plan *p, const gd_run_opts *o, gd_run_summary *sum,
		    gd_error **err)
{
	const gd_cluster *c = &p->scenario->cluster;
	memset(sum, 0, sizeof(*sum));
	if (c->system == GD_SYSTEM_NONE)
		return gd_error_set(
			err, EOPNOTSUPP,
			"a cluster with \"system\": \"none\" runs no jobs; 'gameday cluster up' brings it up");
	int r = gd_mkdir_mode(o->out_dir, 0755, err);
	if (r < 0)
		return r;

	/* held, not handled: the loop looks once a round, so an interrupt
	 * still judges the jobs and tears the cluster down */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	gd_cluster_state *st = NULL;
	const gd_node_hook *hook = gd_jobsys_node_hook(c);
	r = gd_cluster_preflight(c, o->libexec, hook, err);
	if (r == 0)
		r = gd_cluster_up(c, o->libexec, hook, &st, err);
	if (r < 0)
		return r;

	struct running rn = {
		.p = p,
		.o = o,
		.sum = sum,
		.st = st,
		.t = calloc(p->njobs + 1, sizeof(*rn.t)),
		.states = calloc(p->scenario->ngroups + 1, sizeof(void *)),
		.events = open(st->events, O_WRONLY | O_APPEND | O_CLOEXEC),
		.failing_since = -1,
		.lag = {-1, 0, 0, false, false},
	};
	r = open_run(&rn, err);
	if (r == 0)
		r = start_run(&rn, err);
	if (r == 0)
		r = play(&rn, err);

	gd_nodewatch_stop(rn.nw);
	if (rn.faults) {
		gd_faults_stop(rn.faults);
		gd_faults_counts fc = gd_faults_counts_of(rn.faults);
		sum->faults = fc.applied + fc.not_applied;
		sum->faults_applied = fc.applied;
		sum->faults_unhealed = fc.not_healed;
	}
	if (r == 0 || rn.stopped)
		r = finish_run(&rn, err);
	resume_nodes(&rn);
	tear_down(&rn);
	return r;
}
