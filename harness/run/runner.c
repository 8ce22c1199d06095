#include "run/runner.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "cluster/cluster.h"
#include "cluster/events.h"
#include "jobsys/slurm.h"
#include "jobsys/slurm_client.h"
#include "workload/classify.h"
#include "workload/corpus.h"

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

enum outcome {
	OUT_PENDING,
	OUT_CORRECT,
	OUT_WRONG,
	OUT_FAILED,
	OUT_LOST,
	OUT_UNFINISHED,
};
static const char *const outcome_names[] = {
	"pending", "correct", "wrong", "failed", "lost", "unfinished",
};

typedef struct job_track {
	const gd_plan_job *plan;
	long slurm_id;
	char *expected;
	gd_ms submitted, started, finished; /* scenario ms since start, -1 */
	unsigned attempts;
	char nodes[256];
	char state[32];
	int final;
	enum outcome outcome;
	int on_time;
	int seen;
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

static int write_file(const char *path, const char *data, size_t len,
		      gd_error **err)
{
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return gd_error_make(err, errno, "cannot write \"%s\"", path);
	return 0;
}

static int mkdir_mode(const char *path, mode_t mode, gd_error **err)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	if (chmod(path, mode) < 0)
		return gd_error_make(err, errno, "cannot chmod \"%s\"", path);
	return 0;
}

/* The corpus and the oracle: every job's document in shared storage, and
 * its expected output in memory. */
static int prepare_workload(const gd_plan *p, const char *shared, job_track *t,
			    gd_error **err)
{
	char dir[PATH_MAX];
	static const char *const subs[] = {"in", "out", "logs", "scratch"};
	for (size_t i = 0; i < 3; i++) {
		gd_pathf(dir, sizeof(dir), "%s/%s", shared, subs[i]);
		int r = mkdir_mode(dir, i == 0 ? 0755 : 01777, err);
		if (r < 0)
			return r;
	}
	for (size_t k = 0; k < p->njobs; k++) {
		const gd_plan_job *j = &p->jobs[k];
		size_t len;
		char *doc = gd_corpus_document(p->seed, j->id, &len);
		gd_pathf(dir, sizeof(dir), "%s/in/%s.txt", shared, j->id);
		int r = write_file(dir, doc, len, err);
		gd_doc_result res;
		gd_doc_result_init(&res);
		gd_classify_document(doc, len, &res);
		free(doc);
		if (r < 0)
			return r;
		char out[1024];
		gd_doc_result_format(&res, j->id, out, sizeof(out));
		t[k].plan = j;
		t[k].expected = strdup(out);
		t[k].submitted = t[k].started = t[k].finished = -1;
	}
	return 0;
}

static int submit(const gd_plan *p, const gd_cluster_state *st, const char *ctl,
		  job_track *t, gd_ms now, int events, gd_error **err)
{
	char in[256], out[256], log[256], runtime[32];
	snprintf(in, sizeof(in), "/srv/shared/in/%s.txt", t->plan->id);
	snprintf(out, sizeof(out), "/srv/shared/out/%s.json", t->plan->id);
	snprintf(log, sizeof(log), "/srv/shared/logs/%s.log", t->plan->id);
	snprintf(runtime, sizeof(runtime), "%lld",
		 (long long)((double)t->plan->runtime /
			     p->scenario->time_scale));
	char *argv[] = {"/srv/gameday/gd-job",
			(char *)t->plan->id,
			in,
			out,
			"--scratch",
			"/srv/scratch/gd-job",
			"--runtime-ms",
			runtime,
			NULL};
	int r = gd_slurm_submit(st, ctl, p->scenario->cluster.service_user,
				t->plan->id, log, argv, &t->slurm_id, err);
	if (r < 0)
		return r;
	t->submitted = now;
	gd_event(events, "job-submitted",
		 json_pack("{s:s,s:i,s:I}", "job", t->plan->id, "slurm_id",
			   (int)t->slurm_id, "t_scenario_ms", (json_int_t)now));
	return 0;
}

static int cmp_slurm_id(const void *a, const void *b)
{
	long x = (*(job_track *const *)a)->slurm_id;
	long y = (*(job_track *const *)b)->slurm_id;
	return x < y ? -1 : x > y;
}

/* One look at the queue: new starts, requeues and ends become events. */
static int poll_queue(const gd_cluster_state *st, const char *ctl, job_track *t,
		      size_t n, gd_ms now, int events, gd_error **err)
{
	gd_slurm_job *q = NULL;
	size_t nq = 0;
	int r = gd_slurm_queue(st, ctl, &q, &nq, err);
	if (r < 0)
		return r;
	/* Slurm's ids to our jobs: sorted once a poll, so a queue of ten
	 * thousand jobs costs n log n, not n squared. */
	job_track **by_id = malloc((n + 1) * sizeof(*by_id));
	if (!by_id) {
		free(q);
		return gd_error_make(err, ENOMEM, "cannot track the jobs");
	}
	for (size_t k = 0; k < n; k++)
		by_id[k] = &t[k];
	qsort(by_id, n, sizeof(*by_id), cmp_slurm_id);
	for (size_t i = 0; i < nq; i++) {
		job_track key = {.slurm_id = q[i].id}, *kp = &key;
		job_track **found =
			bsearch(&kp, by_id, n, sizeof(*by_id), cmp_slurm_id);
		job_track *j = found ? *found : NULL;
		if (!j || j->final)
			continue;
		j->seen = 1;
		if (q[i].restarts + 1 > j->attempts && j->attempts) {
			gd_event(events, "job-requeued",
				 json_pack("{s:s,s:i,s:s}", "job", j->plan->id,
					   "attempt", (int)q[i].restarts + 1,
					   "previous_nodes", j->nodes));
		}
		if (strcmp(q[i].state, "RUNNING") == 0 &&
		    (strcmp(j->state, "RUNNING") != 0 ||
		     q[i].restarts + 1 != j->attempts)) {
			if (j->started < 0)
				j->started = now;
			gd_event(events, "job-started",
				 json_pack("{s:s,s:s,s:i}", "job", j->plan->id,
					   "node", q[i].nodes, "attempt",
					   (int)q[i].restarts + 1));
			snprintf(j->nodes, sizeof(j->nodes), "%s", q[i].nodes);
		}
		j->attempts = q[i].restarts + 1;
		if (strcmp(j->state, q[i].state) != 0)
			snprintf(j->state, sizeof(j->state), "%s", q[i].state);
		if (gd_slurm_state_final(q[i].state)) {
			j->final = 1;
			j->finished = now;
			gd_event(events, "job-finished",
				 json_pack("{s:s,s:s,s:s}", "job", j->plan->id,
					   "state", q[i].state, "nodes",
					   q[i].nodes));
		}
	}
	free(by_id);
	free(q);
	return 0;
}

/* The controller's completion records: a job that ended between two
 * polls (and aged out of squeue) still gets its end.  A NODE_FAIL record
 * is a requeue in progress, which squeue shows. */
static void read_completions(const char *log, off_t *offset, job_track *t,
			     size_t n, gd_ms now, int events)
{
	_cleanup_close_ int fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[65536];
	ssize_t got = pread(fd, buf, sizeof(buf) - 1, *offset);
	if (got <= 0)
		return;
	buf[got] = '\0';
	char *end = strrchr(buf, '\n');
	if (!end)
		return;
	*offset += end - buf + 1;
	*end = '\0';
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long id;
		char state[32], nodes[128];
		if (gd_slurm_parse_jobcomp(line, &id, state, sizeof(state),
					   nodes, sizeof(nodes)) < 0 ||
		    strcmp(state, "NODE_FAIL") == 0 ||
		    !gd_slurm_state_final(state))
			continue;
		for (size_t k = 0; k < n; k++) {
			job_track *j = &t[k];
			if (j->slurm_id != id || j->final)
				continue;
			j->final = 1;
			j->finished = now;
			j->seen = 1;
			snprintf(j->state, sizeof(j->state), "%s", state);
			if (!*j->nodes)
				snprintf(j->nodes, sizeof(j->nodes), "%s",
					 nodes);
			gd_event(events, "job-finished",
				 json_pack("{s:s,s:s,s:s,s:s}", "job",
					   j->plan->id, "state", state, "nodes",
					   nodes, "from", "completion record"));
		}
	}
}

static void judge(const char *shared, job_track *t, size_t n, int events)
{
	for (size_t k = 0; k < n; k++) {
		job_track *j = &t[k];
		char path[PATH_MAX];
		gd_pathf(path, sizeof(path), "%s/out/%s.json", shared,
			 j->plan->id);
		_cleanup_free_ char *got = NULL;
		size_t len = 0;
		gd_error *e = NULL;
		int have = gd_read_file(path, 1 << 20, &got, &len, &e) == 0;
		gd_error_free(e);
		if (!j->final)
			j->outcome = j->slurm_id <= 0 || j->seen
					     ? OUT_UNFINISHED
					     : OUT_LOST;
		else if (strcmp(j->state, "COMPLETED") != 0)
			j->outcome = OUT_FAILED;
		else if (!have || strcmp(got, j->expected) != 0)
			j->outcome = OUT_WRONG;
		else
			j->outcome = OUT_CORRECT;
		gd_ms deadline = j->plan->deadline;
		j->on_time = j->finished >= 0 && j->finished <= deadline;
		gd_event(events, "job-outcome",
			 json_pack("{s:s,s:s,s:b}", "job", j->plan->id,
				   "outcome", outcome_names[j->outcome],
				   "on_time", j->on_time));
	}
}

static int write_result(const gd_plan *p, const char *run_id,
			const char *out_dir, job_track *t, size_t n,
			int interrupted, gd_error **err)
{
	json_t *jobs = json_array();
	for (size_t k = 0; k < n; k++) {
		const job_track *j = &t[k];
		json_t *o = json_pack("{s:s,s:s,s:b,s:b,s:i,s:i,s:s,s:s}", "id",
				      j->plan->id, "outcome",
				      outcome_names[j->outcome], "correct",
				      j->outcome == OUT_CORRECT, "on_time",
				      j->on_time, "attempts", (int)j->attempts,
				      "slurm_id", (int)j->slurm_id, "nodes",
				      j->nodes, "final_state", j->state);
		json_object_set_new(o, "submitted_ms",
				    j->submitted >= 0
					    ? json_integer(j->submitted)
					    : json_null());
		json_object_set_new(o, "started_ms",
				    j->started >= 0 ? json_integer(j->started)
						    : json_null());
		json_object_set_new(o, "finished_ms",
				    j->finished >= 0 ? json_integer(j->finished)
						     : json_null());
		json_object_set_new(o, "deadline_ms",
				    json_integer(j->plan->deadline));
		json_array_append_new(jobs, o);
	}
	json_t *root = json_pack("{s:s,s:i,s:s,s:s,s:I,s:b,s:o}", "format",
				 "gameday-result", "version", 1, "scenario",
				 p->scenario->name, "run", run_id, "seed",
				 (json_int_t)p->seed, "interrupted",
				 interrupted, "jobs", jobs);
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/result.json", out_dir);
	int r = json_dump_file(root, path, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	if (r < 0)
		return gd_error_make(err, EIO, "cannot write \"%s\"", path);
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	gd_error *e = NULL;
	int r = gd_read_file(from, 256u << 20, &data, &len, &e);
	gd_error_free(e);
	if (r < 0)
		return r;
	e = NULL;
	r = write_file(to, data, len, &e);
	gd_error_free(e);
	return r;
}

static int interrupted(void)
{
	sigset_t pending;
	sigpending(&pending);
	return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM);
}

int gd_run_scenario(const gd_plan *p, const gd_run_opts *o, gd_run_summary *sum,
		    gd_error **err)
{
	const gd_scenario *s = p->scenario;
	const gd_cluster *c = &s->cluster;
	memset(sum, 0, sizeof(*sum));
	if (c->system != GD_SYSTEM_SLURM)
		return gd_error_make(
			err, EOPNOTSUPP,
			"'gameday run' drives Slurm clusters so far; \"%s\" is not supported yet",
			gd_system_name(c->system));
	int r = mkdir_mode(o->out_dir, 0755, err);
	if (r < 0)
		return r;

	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	gd_cluster_state *st = NULL;
	r = gd_cluster_preflight(c, o->libexec, err);
	if (r == 0)
		r = gd_cluster_up(c, o->libexec, &st, err);
	if (r < 0)
		return r;

	job_track *t = calloc(p->njobs + 1, sizeof(*t));
	const char *ctl = c->nodes[gd_slurm_controller(c)].name;
	int events = open(st->events, O_WRONLY | O_APPEND | O_CLOEXEC);
	char shared[PATH_MAX];
	gd_pathf(shared, sizeof(shared), "%s/shared", st->dir);
	if (!t)
		r = gd_error_make(err, ENOMEM, "cannot track the jobs");
	if (r == 0)
		r = prepare_workload(p, shared, t, err);
	/* How long Slurm may take to come up: a minute, or (for tests)
	 * $GAMEDAY_SLURM_READY_MS. */
	const char *ready_env = getenv("GAMEDAY_SLURM_READY_MS");
	int ready_ms = ready_env ? atoi(ready_env) : 0;
	if (r == 0)
		r = gd_slurm_wait_ready(
			st, ctl, c->nnodes - 1,
			ready_ms > 0 ? ready_ms : READY_TIMEOUT_MS, err);

	gd_ms last_deadline = 0;
	for (size_t k = 0; k < p->njobs; k++)
		if (p->jobs[k].deadline > last_deadline)
			last_deadline = p->jobs[k].deadline;

	/* Scenario time runs time_scale times faster than real time. */
	int64_t t0 = mono_ms();
	gd_event(events, "run-started",
		 json_pack("{s:s,s:I,s:f}", "scenario", s->name, "seed",
			   (json_int_t)p->seed, "time_scale", s->time_scale));
	size_t next = 0, done = 0;
	int64_t failing_since = -1;
	char jobcomp[PATH_MAX];
	off_t jobcomp_off = 0;
	gd_pathf(jobcomp, sizeof(jobcomp), "%s/log/slurm/jobcomp.log",
		 st->nodes[gd_slurm_controller(c)].dir);
	int stopped = 0;
	while (r == 0) {
		gd_ms now = (gd_ms)((double)(mono_ms() - t0) * s->time_scale);
		if (interrupted()) {
			stopped = 1;
			break;
		}
		/* The job system failing a command is something to record
		 * and live through (a fault may be behind it), not a reason
		 * to stop: only one that stays unresponsive ends the run. */
		gd_error *cmd_err = NULL;
		while (next < p->njobs && p->jobs[next].submit <= now &&
		       submit(p, st, ctl, &t[next], now, events, &cmd_err) == 0)
			next++;
		if (!cmd_err)
			poll_queue(st, ctl, t, next, now, events, &cmd_err);
		if (cmd_err) {
			gd_event(events, "job-system-error",
				 json_pack("{s:s}", "error", cmd_err->msg));
			if (failing_since < 0)
				failing_since = mono_ms();
			if (mono_ms() - failing_since > UNRESPONSIVE_MS) {
				r = gd_error_set(
					err, ETIMEDOUT,
					"the job system stayed unresponsive for %d s: %s",
					UNRESPONSIVE_MS / 1000, cmd_err->msg);
				gd_error_free(cmd_err);
				break;
			}
			gd_error_free(cmd_err);
		} else {
			failing_since = -1;
		}
		read_completions(jobcomp, &jobcomp_off, t, next, now, events);
		done = 0;
		for (size_t k = 0; k < next; k++)
			done += t[k].final;
		if (done == p->njobs || now > last_deadline)
			break;
		nap(POLL_MS);
	}

	if (r == 0 || stopped) {
		judge(shared, t, p->njobs, events);
		/* The run directory: events, service logs, job logs, result. */
		char from[PATH_MAX], to[PATH_MAX];
		for (size_t i = 0; i < st->nnodes; i++) {
			gd_pathf(to, sizeof(to), "%s/%s", o->out_dir,
				 st->nodes[i].name);
			mkdir(to, 0755);
			static const char *const logs[] = {
				"gameday/slurmd.log",  "gameday/slurmctld.log",
				"gameday/munged.log",  "slurm/slurmd.log",
				"slurm/slurmctld.log", "slurm/jobcomp.log"};
			for (size_t k = 0; k < sizeof(logs) / sizeof(logs[0]);
			     k++) {
				gd_pathf(from, sizeof(from), "%s/log/%s",
					 st->nodes[i].dir, logs[k]);
				const char *base = strrchr(logs[k], '/') + 1;
				gd_pathf(to, sizeof(to), "%s/%s/%s%s",
					 o->out_dir, st->nodes[i].name,
					 strncmp(logs[k], "gameday", 7)
						 ? ""
						 : "service-",
					 base);
				copy_file(from, to);
			}
		}
		for (size_t k = 0; k < p->njobs; k++)
			sum->correct += t[k].outcome == OUT_CORRECT,
				sum->on_time += t[k].on_time;
		sum->jobs = p->njobs;
		sum->interrupted = stopped;
		gd_event(events, "run-finished",
			 json_pack("{s:i,s:i,s:i,s:b}", "jobs", (int)sum->jobs,
				   "correct", (int)sum->correct, "on_time",
				   (int)sum->on_time, "interrupted", stopped));
		r = write_result(p, st->id, o->out_dir, t, p->njobs, stopped,
				 err);
	}

	/* Tear down whatever happened above; an error keeps its message. */
	gd_error *down_err = NULL;
	if (gd_cluster_down(st, 2000, &down_err) < 0 && r == 0) {
		*err = down_err;
		down_err = NULL;
		r = -EIO;
	}
	gd_error_free(down_err);
	if (events >= 0)
		close(events);
	char to[PATH_MAX];
	gd_pathf(to, sizeof(to), "%s/events.jsonl", o->out_dir);
	copy_file(st->events, to);
	for (size_t k = 0; k < p->njobs && t; k++)
		free(t[k].expected);
	free(t);
	gd_cluster_state_free(st);
	return r;
}
