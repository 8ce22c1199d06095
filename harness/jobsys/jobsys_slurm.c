/* The Slurm job system: sbatch and squeue --json run on the controller,
 * and the controller's completion log (jobcomp/filetxt) for jobs that end
 * between two looks and age out of squeue. */
#include "base/cleanup.h"
#include "base/fileio.h"
#include "jobsys/command.h"
#include "jobsys/driver.h"
#include "jobsys/slurm.h"
#include "jobsys/slurm_client.h"
#include "jobsys/slurm_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int slurm_wait_ready(gd_jobsys *js, int timeout_ms, gd_error **err)
{
	return gd_slurm_wait_ready(js->st, js->node, js->c->nnodes - 1,
				   timeout_ms, err);
}

static int slurm_submit(gd_jobsys *js, const gd_job_spec *job, char *sys_id,
			size_t size, gd_error **err)
{
	long id;
	int r = gd_slurm_submit(js->st, js->node, js->c->service_user, job->id,
				job->log, job->argv, job->res,
				js->c->time_scale, &id, err);
	if (r == 0)
		snprintf(sys_id, size, "%ld", id);
	return r;
}

static int slurm_find(gd_jobsys *js, const char *job, char *sys_id, size_t size,
		      gd_error **err)
{
	long id;
	int r = gd_slurm_find(js->st, js->node, job, &id, err);
	if (r == 1)
		snprintf(sys_id, size, "%ld", id);
	return r;
}

static int slurm_cancel(gd_jobsys *js, const char *sys_id, gd_error **err)
{
	char *argv[] = {"scancel", (char *)sys_id, NULL};
	_cleanup_free_ char *out = NULL;
	return gd_jobsys_command(js->st, js->node, argv, js->timeout_ms, &out,
				 err);
}

/* A node drained stays so until resumed, even across its own reboot:
 * what a maintenance plan relies on. */
static int slurm_drain(gd_jobsys *js, const char *nodes, bool drain,
		       const char *reason, gd_error **err)
{
	char names[512], state[32], why[256] = "";
	gd_pathf(names, sizeof(names), "NodeName=%s", nodes);
	gd_pathf(state, sizeof(state), "State=%s", drain ? "DRAIN" : "RESUME");
	if (drain)
		gd_pathf(why, sizeof(why), "Reason=%s", reason);
	char *argv[] = {"scontrol", "update",		names,
			state,	    drain ? why : NULL, NULL};
	_cleanup_free_ char *out = NULL;
	return gd_jobsys_command(js->st, js->node, argv, js->timeout_ms, &out,
				 err);
}

/* sinfo's answer, one "NAME STATE" line per node and partition, into a
 * heap array. */
static int parse_sinfo(char *text, gd_jobsys_node **states, size_t *n)
{
	size_t lines = 1;
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		lines++;
	gd_jobsys_node *v = calloc(lines, sizeof(*v));
	if (!v)
		return -ENOMEM;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *state = strchr(line, ' ');
		if (!state)
			continue;
		*state++ = '\0';
		state += strspn(state, " ");
		snprintf(v[*n].name, sizeof(v[*n].name), "%s", line);
		snprintf(v[*n].state, sizeof(v[*n].state), "%s", state);
		(*n)++;
	}
	*states = v;
	return 0;
}

static int slurm_node_states(gd_jobsys *js, const char *nodes,
			     gd_jobsys_node **states, size_t *n, gd_error **err)
{
	char *argv[] = {"sinfo",       "--noheader",	 "--Node", "--nodes",
			(char *)nodes, "--format=%N %T", NULL};
	_cleanup_free_ char *text = NULL;
	int r = gd_jobsys_command(js->st, js->node, argv, js->timeout_ms, &text,
				  err);
	if (r < 0)
		return r;
	if (parse_sinfo(text, states, n) < 0)
		return gd_error_make(err, ENOMEM, "cannot read sinfo's answer");
	return 0;
}

static enum gd_job_phase phase_of(const char *state)
{
	if (strcmp(state, "COMPLETED") == 0)
		return GD_PHASE_COMPLETED;
	if (gd_slurm_state_final(state))
		return GD_PHASE_FAILED;
	if (strcmp(state, "RUNNING") == 0 || strcmp(state, "COMPLETING") == 0)
		return GD_PHASE_RUNNING;
	return GD_PHASE_QUEUED;
}

/* Appends the completion records written since the last look.  A
 * NODE_FAIL record is a requeue in progress, which squeue shows. */
static int read_completions(gd_jobsys *js, gd_job_status **v, size_t *n,
			    gd_error **err)
{
	char log[PATH_MAX];
	gd_pathf(log, sizeof(log), "%s/log/slurm/jobcomp.log",
		 js->st->nodes[gd_slurm_controller(js->c)].dir);
	_cleanup_close_ int fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[65536];
	ssize_t got = pread(fd, buf, sizeof(buf) - 1, js->jobcomp_off);
	if (got <= 0)
		return 0;
	buf[got] = '\0';
	char *end = strrchr(buf, '\n');
	if (!end)
		return 0;
	js->jobcomp_off += end - buf + 1;
	*end = '\0';
	size_t lines = 1;
	for (char *p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	gd_job_status *grown = realloc(*v, (*n + lines) * sizeof(**v));
	if (!grown)
		return gd_error_make(err, ENOMEM, "cannot read \"%s\"", log);
	*v = grown;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long id;
		gd_job_status s = {0};
		if (gd_slurm_parse_jobcomp(line, &id, s.state, sizeof(s.state),
					   s.nodes, sizeof(s.nodes)) < 0 ||
		    strcmp(s.state, "NODE_FAIL") == 0 ||
		    !gd_slurm_state_final(s.state))
			continue;
		snprintf(s.sys_id, sizeof(s.sys_id), "%ld", id);
		s.phase = phase_of(s.state);
		(*v)[(*n)++] = s;
	}
	return 0;
}

/* A job Slurm will not run unless someone releases it: pending at
 * priority 0 (a user's or Slurm's own hold, as after a launch that failed
 * on a node still running the job's previous attempt). */
static bool held(const gd_slurm_job *j)
{
	return strcmp(j->state, "PENDING") == 0 &&
	       (j->priority == 0 || strncmp(j->reason, "JobHeld", 7) == 0 ||
		strcasestr(j->reason, "held") != NULL);
}

static int slurm_query(gd_jobsys *js, const char *const *ids, size_t nids,
		       gd_job_status **jobs, size_t *n, gd_error **err)
{
	(void)ids;
	(void)nids;
	gd_slurm_job *q = NULL;
	size_t nq = 0;
	int r = gd_slurm_queue(js->st, js->node, &q, &nq, err);
	if (r < 0)
		return r;
	gd_job_status *v = calloc(nq + 1, sizeof(*v));
	if (!v) {
		free(q);
		return gd_error_make(err, ENOMEM, "cannot read the queue");
	}
	for (size_t i = 0; i < nq; i++) {
		snprintf(v[i].sys_id, sizeof(v[i].sys_id), "%ld", q[i].id);
		snprintf(v[i].state, sizeof(v[i].state), "%s", q[i].state);
		snprintf(v[i].nodes, sizeof(v[i].nodes), "%s", q[i].nodes);
		snprintf(v[i].name, sizeof(v[i].name), "%s", q[i].name);
		v[i].phase = phase_of(q[i].state);
		v[i].attempts = q[i].restarts + 1;
		v[i].ending = strcmp(q[i].state, "COMPLETING") == 0;
		v[i].held = held(&q[i]);
		snprintf(v[i].reason, sizeof(v[i].reason), "%s", q[i].reason);
	}
	free(q);
	*jobs = v;
	*n = nq;
	return read_completions(js, jobs, n, err);
}

/* ---- the cluster file's answers ---- */

static const char *slurm_command_node(const gd_cluster *c)
{
	return c->nodes[gd_slurm_controller(c)].name;
}

static bool slurm_runs_jobs(const gd_cluster *c, size_t i)
{
	return i != gd_slurm_controller(c);
}

/* ---- the cluster's node-setup hook: packages, the munge key, each
 * node's files and daemons ---- */

#define MUNGE_KEY "munge.key" /* in the run directory, root's alone */

static int setup_preflight(void *ctx, const gd_cluster *c, gd_error **err)
{
	(void)ctx;
	(void)c;
	return gd_slurm_preflight(err);
}

static int setup_prepare(void *ctx, const gd_cluster *c, const char *rundir,
			 gd_error **err)
{
	(void)ctx;
	(void)c;
	char key[PATH_MAX];
	gd_pathf(key, sizeof(key), "%s/" MUNGE_KEY, rundir);
	return gd_slurm_make_key(key, err);
}

static void setup_services(void *ctx, const gd_cluster *c, size_t index,
			   FILE *out)
{
	(void)ctx;
	gd_slurm_services(c, index, out);
}

static int setup_node_files(void *ctx, const gd_cluster *c, size_t index,
			    const char *dir, const char *rundir, gd_error **err)
{
	(void)ctx;
	char key[PATH_MAX];
	gd_pathf(key, sizeof(key), "%s/" MUNGE_KEY, rundir);
	return gd_slurm_write_node(c, index, dir, key, err);
}

static const gd_node_hook slurm_setup = {
	.preflight = setup_preflight,
	.prepare = setup_prepare,
	.services = setup_services,
	.node_files = setup_node_files,
};

static const char *const slurm_logs[] = {
	"slurm/slurmd.log", "slurm/slurmctld.log", "slurm/jobcomp.log", NULL};

const gd_jobsys_driver gd_jobsys_slurm = {
	.command_node = slurm_command_node,
	.controller = gd_slurm_controller,
	.runs_jobs = slurm_runs_jobs,
	.timings = gd_slurm_timings,
	.check_config = gd_slurm_conf_check,
	.has_partition = gd_slurm_conf_has_partition,
	.setup = &slurm_setup,
	.config_path = GD_SLURM_CONF,
	.config_override = gd_slurm_conf_override,
	.wait_ready = slurm_wait_ready,
	.submit = slurm_submit,
	.find = slurm_find,
	.cancel = slurm_cancel,
	.query = slurm_query,
	.drain = slurm_drain,
	.node_states = slurm_node_states,
	.logs = slurm_logs,
};
