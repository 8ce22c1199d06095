#include "jobsys/jobsys.h"

#include "base/fileio.h"
#include "jobsys/driver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const phase_names[] = {"queued", "running", "completed",
					  "failed"};

const char *gd_job_phase_name(enum gd_job_phase p)
{
	return phase_names[p];
}

int gd_job_phase_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(phase_names) / sizeof(phase_names[0]);
	     i++)
		if (strcmp(name, phase_names[i]) == 0)
			return (int)i;
	return -1;
}

/* The row of each kind of system; none for a cluster without one. */
static const gd_jobsys_driver *const drivers[] = {
	[GD_SYSTEM_SLURM] = &gd_jobsys_slurm,
	[GD_SYSTEM_EXEC] = &gd_jobsys_exec,
	[GD_SYSTEM_NONE] = NULL,
};

static const gd_jobsys_driver *driver_of(const gd_cluster *c)
{
	return drivers[c->system];
}

size_t gd_jobsys_timings(const gd_cluster *c, double scale, gd_timing *out)
{
	const gd_jobsys_driver *d = driver_of(c);
	return d && d->timings ? d->timings(c, scale, out) : 0;
}

size_t gd_jobsys_check_config(const gd_cluster *c, gd_diags *diags)
{
	const gd_jobsys_driver *d = driver_of(c);
	if (!c->conf_text)
		return 0;
	if (!d || !d->check_config) {
		gd_diag_path(diags, c->file, c->conf_path,
			     "a %s cluster takes no configuration file",
			     gd_system_name(c->system));
		return 1;
	}
	return d->check_config(c, diags);
}

int gd_jobsys_has_partition(const gd_cluster *c, const char *name)
{
	const gd_jobsys_driver *d = driver_of(c);
	return c->conf_text && d && d->has_partition ? d->has_partition(c, name)
						     : -1;
}

long gd_jobsys_controller(const gd_cluster *c)
{
	const gd_jobsys_driver *d = driver_of(c);
	return d && d->controller ? (long)d->controller(c) : -1;
}

const gd_node_hook *gd_jobsys_node_hook(const gd_cluster *c)
{
	const gd_jobsys_driver *d = driver_of(c);
	return d ? d->setup : NULL;
}

const char *gd_jobsys_config_path(const gd_cluster *c)
{
	const gd_jobsys_driver *d = driver_of(c);
	return d && d->config_override ? d->config_path : NULL;
}

char *gd_jobsys_config_override(const gd_cluster *c, const char *text,
				const char *node, const char *const *keys,
				const char *const *values, size_t n)
{
	const gd_jobsys_driver *d = driver_of(c);
	if (!d || !d->config_override)
		return NULL;
	return d->config_override(text, node, keys, values, n);
}

int gd_jobsys_open(const gd_cluster *c, const gd_cluster_state *st,
		   gd_jobsys **out, gd_error **err)
{
	const gd_jobsys_driver *d = driver_of(c);
	if (!d)
		return gd_error_make(
			err, EOPNOTSUPP,
			"a cluster with \"system\": \"none\" runs no jobs");
	gd_jobsys *js = calloc(1, sizeof(*js));
	if (!js)
		return gd_error_make(err, ENOMEM, "cannot open the job system");
	js->drv = d;
	js->c = c;
	js->st = st;
	js->timeout_ms = GD_JOBSYS_CMD_TIMEOUT_MS;
	js->node = d->command_node(c);
	*out = js;
	return 0;
}

void gd_jobsys_free(gd_jobsys *js)
{
	free(js);
}

int gd_jobsys_wait_ready(gd_jobsys *js, int timeout_ms, gd_error **err)
{
	return js->drv->wait_ready(js, timeout_ms, err);
}

int gd_jobsys_submit(gd_jobsys *js, const gd_job_spec *job, char *sys_id,
		     size_t size, gd_error **err)
{
	int r = js->drv->submit(js, job, sys_id, size, err);
	return r < 0 ? gd_error_prefix(err, "submit \"%s\"", job->id) : r;
}

int gd_jobsys_find(gd_jobsys *js, const char *job, char *sys_id, size_t size,
		   gd_error **err)
{
	if (!js->drv->find)
		return 0;
	int r = js->drv->find(js, job, sys_id, size, err);
	return r < 0 ? gd_error_prefix(err, "look for \"%s\"", job) : r;
}

bool gd_jobsys_can_drain(const gd_cluster *c)
{
	const gd_jobsys_driver *d = driver_of(c);
	return d && d->drain && (!d->can_drain || d->can_drain(c));
}

int gd_jobsys_drain(gd_jobsys *js, const char *nodes, bool drain,
		    const char *reason, gd_error **err)
{
	int r = js->drv->drain
			? js->drv->drain(js, nodes, drain, reason, err)
			: gd_error_set(err, EOPNOTSUPP,
				       "the job system cannot drain nodes");
	return r < 0 ? gd_error_prefix(err, "%s %s", drain ? "drain" : "resume",
				       nodes)
		     : r;
}

void gd_jobsys_set_timeout(gd_jobsys *js, int timeout_ms)
{
	js->timeout_ms = timeout_ms;
}

bool gd_jobsys_can_tell_states(const gd_cluster *c)
{
	const gd_jobsys_driver *d = driver_of(c);
	return d && d->node_states &&
	       (!d->can_tell_states || d->can_tell_states(c));
}

bool gd_jobsys_runs_jobs(const gd_cluster *c, size_t i)
{
	const gd_jobsys_driver *d = driver_of(c);
	return d && d->runs_jobs(c, i);
}

int gd_jobsys_node_list(gd_jobsys *js, const char *nodes,
			gd_jobsys_node **states, size_t *n, gd_error **err)
{
	*states = NULL;
	*n = 0;
	if (!gd_jobsys_can_tell_states(js->c))
		return 0;
	return js->drv->node_states(js, nodes, states, n, err);
}

int gd_jobsys_node_states(gd_jobsys *js, const char *nodes, char *out,
			  size_t size, gd_error **err)
{
	*out = '\0';
	gd_jobsys_node *v = NULL;
	size_t n = 0, len = 0;
	int r = gd_jobsys_node_list(js, nodes, &v, &n, err);
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + len, size - len, "%s%s %s",
				 len ? ", " : "", v[i].name, v[i].state);
		if (w < 0 || (size_t)w >= size - len) {
			out[len] = '\0';
			break;
		}
		len += (size_t)w;
	}
	free(v);
	return r;
}

int gd_jobsys_cancel(gd_jobsys *js, const char *sys_id, gd_error **err)
{
	return js->drv->cancel ? js->drv->cancel(js, sys_id, err) : 0;
}

int gd_jobsys_query(gd_jobsys *js, const char *const *ids, size_t nids,
		    gd_job_status **jobs, size_t *n, gd_error **err)
{
	*jobs = NULL;
	*n = 0;
	return js->drv->query(js, ids, nids, jobs, n, err);
}

int gd_jobsys_output(gd_jobsys *js, const char *job, const char *sys_id,
		     const char *path, char **out, gd_error **err)
{
	*out = NULL;
	if (js->drv->output) {
		int r = js->drv->output(js, job, sys_id, path, out, err);
		if (r != 1)
			return r;
	}
	/* This machine sees shared storage too, at a place of its own. */
	const char *shared = js->st->node_shared;
	size_t below = strlen(shared);
	if (strncmp(path, shared, below) != 0 || path[below] != '/')
		return gd_error_set(err, EINVAL,
				    "output \"%s\" is not in shared storage",
				    path);
	char host[PATH_MAX];
	gd_pathf(host, sizeof(host), "%s%s", js->st->shared, path + below);
	size_t len;
	gd_error *e = NULL;
	int r = gd_read_file(host, 1 << 20, out, &len, &e);
	if (r == -ENOENT) {
		gd_error_free(e);
		return 0;
	}
	if (r < 0)
		*err = e;
	return r;
}

const char *const *gd_jobsys_logs(const gd_jobsys *js)
{
	return js->drv->logs;
}
