/* Your own job system, through the commands a cluster file's "adapter"
 * names.  The contract (arguments, exit codes, stdout JSON) is in
 * README.md, "The exec adapter"; every answer is checked against it, and
 * a command that breaks it is an error quoting what it printed. */
#include "base/cleanup.h"
#include "jobsys/command.h"
#include "jobsys/driver.h"
#include "jobsys/exec.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The adapter's argv followed by extra words (a heap array of borrowed
 * strings). */
static char **command(const gd_strv *base, const char *const *extra,
		      size_t nextra)
{
	char **argv = calloc(base->n + nextra + 1, sizeof(*argv));
	if (!argv)
		return NULL;
	for (size_t i = 0; i < base->n; i++)
		argv[i] = (char *)base->v[i];
	for (size_t i = 0; i < nextra; i++)
		argv[base->n + i] = (char *)extra[i];
	return argv;
}

/* Runs an adapter command (base, then extra words) in the adapter's node;
 * *out is its stdout. */
static int run_adapter(gd_jobsys *js, const gd_strv *base,
		       const char *const *extra, size_t nextra, int timeout_ms,
		       char **out, gd_error **err)
{
	_cleanup_free_ char **argv = command(base, extra, nextra);
	if (!argv)
		return gd_error_make(err, ENOMEM, "cannot run the adapter");
	return gd_jobsys_command(js->st, js->node, argv, timeout_ms, out, err);
}

/* A short, one-line quote of what a command printed, for errors. */
static const char *quote(const char *text, char *buf, size_t size)
{
	size_t n = 0;
	for (const char *p = text; *p && n + 4 < size; p++)
		buf[n++] = *p == '\n' ? ' ' : *p;
	if (text[n] && n + 4 >= size)
		memcpy(buf + n, "...", 3), n += 3;
	buf[n] = '\0';
	return n ? buf : "(nothing)";
}

static int exec_wait_ready(gd_jobsys *js, int timeout_ms, gd_error **err)
{
	const gd_strv *ready = &js->c->adapter_ready;
	if (!ready->n)
		return 0;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long ms = 0;
	for (;;) {
		_cleanup_free_ char *out = NULL;
		gd_error *e = NULL;
		/* A "ready" that hangs has the rest of the wait, no more. */
		long left = timeout_ms - ms;
		int limit = left < GD_JOBSYS_CMD_TIMEOUT_MS
				    ? (int)(left > 100 ? left : 100)
				    : GD_JOBSYS_CMD_TIMEOUT_MS;
		if (run_adapter(js, ready, NULL, 0, limit, &out, &e) == 0)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - t0.tv_sec) * 1000 +
		     (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= timeout_ms) {
			int r = gd_error_set(
				err, ETIMEDOUT,
				"the job system did not come up within %d ms (adapter \"ready\": %s)",
				timeout_ms, e->msg);
			gd_error_free(e);
			return r;
		}
		gd_error_free(e);
		struct timespec ts = {0, 250 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

/* An id may be a JSON string or integer; anything else breaks the
 * contract. */
static int id_of(json_t *v, char *buf, size_t size)
{
	if (json_is_string(v) && json_string_length(v) > 0 &&
	    json_string_length(v) < size)
		snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	else
		return -1;
	return 0;
}

static int exec_submit(gd_jobsys *js, const gd_job_spec *job, char *sys_id,
		       size_t size, gd_error **err)
{
	size_t nargs = 0;
	while (job->argv[nargs])
		nargs++;
	const char **extra = calloc(nargs + 2, sizeof(*extra));
	if (!extra)
		return gd_error_make(err, ENOMEM, "cannot run the adapter");
	extra[0] = job->id;
	for (size_t i = 0; i < nargs; i++)
		extra[i + 1] = job->argv[i];
	_cleanup_free_ char *out = NULL;
	int r = run_adapter(js, &js->c->adapter_submit, extra, nargs + 1,
			    js->timeout_ms, &out, err);
	free(extra);
	if (r < 0)
		return r;
	json_t *root = json_loads(out, JSON_DECODE_ANY, NULL);
	int bad = !json_is_object(root) ||
		  id_of(json_object_get(root, "id"), sys_id, size) < 0;
	json_decref(root);
	if (bad) {
		char q[200];
		return gd_error_set(
			err, EPROTO,
			"adapter \"submit\" printed %s; expected {\"id\": ID}",
			quote(out, q, sizeof(q)));
	}
	return 0;
}

int gd_exec_parse_query(const char *text, gd_job_status **jobs, size_t *n,
			gd_error **err)
{
	char q[200];
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	json_t *arr = json_object_get(root, "jobs");
	if (!json_is_array(arr)) {
		json_decref(root);
		return gd_error_set(
			err, EPROTO,
			"adapter \"query\" printed %s; expected {\"jobs\": [...]}",
			quote(text, q, sizeof(q)));
	}
	size_t count = json_array_size(arr);
	gd_job_status *v = calloc(count + 1, sizeof(*v));
	if (!v) {
		json_decref(root);
		return gd_error_make(err, ENOMEM, "cannot read the queue");
	}
	for (size_t i = 0; i < count; i++) {
		json_t *o = json_array_get(arr, i);
		json_t *state = json_object_get(o, "state");
		json_t *attempts = json_object_get(o, "attempts");
		json_t *node = json_object_get(o, "node");
		json_t *detail = json_object_get(o, "detail");
		int phase =
			json_is_string(state)
				? gd_job_phase_parse(json_string_value(state))
				: -1;
		const char *why =
			!json_is_object(o) ? "is not an object"
			: id_of(json_object_get(o, "id"), v[i].sys_id,
				sizeof(v[i].sys_id)) < 0
				? "has no \"id\" (a string or an integer)"
			: phase < 0
				? "has no \"state\" among queued, running, completed, failed"
			: (attempts && (!json_is_integer(attempts) ||
					json_integer_value(attempts) < 0))
				? "has an \"attempts\" that is not a count"
			: (node && !json_is_string(node))
				? "has a \"node\" that is not a string"
			: (detail && !json_is_string(detail))
				? "has a \"detail\" that is not a string"
				: NULL;
		if (why) {
			json_decref(root);
			free(v);
			return gd_error_set(err, EPROTO,
					    "adapter \"query\": $.jobs[%zu] %s",
					    i, why);
		}
		v[i].phase = (enum gd_job_phase)phase;
		v[i].attempts =
			attempts ? (unsigned)json_integer_value(attempts) : 0;
		snprintf(v[i].nodes, sizeof(v[i].nodes), "%s",
			 node ? json_string_value(node) : "");
		snprintf(v[i].state, sizeof(v[i].state), "%s",
			 json_string_value(detail ? detail : state));
	}
	json_decref(root);
	*jobs = v;
	*n = count;
	return 0;
}

static int exec_query(gd_jobsys *js, const char *const *ids, size_t nids,
		      gd_job_status **jobs, size_t *n, gd_error **err)
{
	_cleanup_free_ char *out = NULL;
	int r = run_adapter(js, &js->c->adapter_query, ids, nids,
			    js->timeout_ms, &out, err);
	if (r < 0)
		return r;
	return gd_exec_parse_query(out, jobs, n, err);
}

/* verify JOB SYS_ID PATH: exit 0 with the output on stdout, exit 1 when
 * there is none.  Without a "verify", outputs are in shared storage. */
static int exec_output(gd_jobsys *js, const char *job, const char *sys_id,
		       const char *path, char **out, gd_error **err)
{
	if (!js->c->adapter_verify.n)
		return 1;
	const char *extra[] = {job, sys_id, path};
	_cleanup_free_ char **argv = command(&js->c->adapter_verify, extra, 3);
	if (!argv)
		return gd_error_make(err, ENOMEM, "cannot run the adapter");
	_cleanup_free_ char *text = NULL, *errout = NULL;
	int status = 0;
	int r = gd_cluster_capture(js->st, js->node, argv, js->timeout_ms,
				   &text, &errout, &status, err);
	if (r < 0)
		return gd_error_prefix(err, "adapter \"verify\" of \"%s\"",
				       job);
	if (status == 1)
		return 0;
	if (status != 0) {
		char q[200];
		return gd_error_set(
			err, EIO, "adapter \"verify\" of \"%s\" exited %d: %s",
			job, status, quote(errout, q, sizeof(q)));
	}
	*out = text;
	text = NULL;
	return 0;
}

/* "w1,w2" split into words (a node name has no comma): *copy holds them,
 * the returned array (NULL-terminated) points into it; both the caller's
 * to free.  NULL when out of memory. */
static const char **split_nodes(const char *nodes, char **copy, size_t *n)
{
	size_t max = 1;
	for (const char *p = nodes; *p; p++)
		max += *p == ',';
	const char **words = calloc(max + 1, sizeof(*words));
	*copy = strdup(nodes);
	if (!words || !*copy) {
		free(words);
		free(*copy);
		*copy = NULL;
		return NULL;
	}
	*n = 0;
	char *save = NULL;
	for (char *w = strtok_r(*copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save))
		words[(*n)++] = w;
	return words;
}

/* Runs an adapter command with the nodes named in nodes appended. */
static int run_on_nodes(gd_jobsys *js, const gd_strv *base, const char *nodes,
			char **out, gd_error **err)
{
	_cleanup_free_ char *copy = NULL;
	size_t n = 0;
	_cleanup_free_ const char **words = split_nodes(nodes, &copy, &n);
	if (!words)
		return gd_error_make(err, ENOMEM, "cannot run the adapter");
	return run_adapter(js, base, words, n, js->timeout_ms, out, err);
}

/* drain NODE... or resume NODE...: exit 0 once the system has it. */
static int exec_drain(gd_jobsys *js, const char *nodes, bool drain,
		      const char *reason, gd_error **err)
{
	(void)reason; /* the contract passes node names only */
	_cleanup_free_ char *out = NULL;
	return run_on_nodes(
		js, drain ? &js->c->adapter_drain : &js->c->adapter_resume,
		nodes, &out, err);
}

/* $.nodes[i] of an answer into *s, or the contract it breaks. */
static const char *node_of(json_t *o, gd_jobsys_node *s)
{
	json_t *name = json_object_get(o, "name");
	json_t *state = json_object_get(o, "state");
	if (!json_is_string(name) || !json_is_string(state))
		return "needs a \"name\" and a \"state\" (strings)";
	snprintf(s->name, sizeof(s->name), "%s", json_string_value(name));
	snprintf(s->state, sizeof(s->state), "%s", json_string_value(state));
	return NULL;
}

int gd_exec_parse_nodes(const char *text, gd_jobsys_node **states, size_t *n,
			gd_error **err)
{
	char q[200];
	*states = NULL;
	*n = 0;
	json_t *root = json_loads(text, 0, NULL);
	json_t *arr = json_object_get(root, "nodes");
	if (!json_is_array(arr)) {
		json_decref(root);
		return gd_error_set(
			err, EPROTO,
			"adapter \"nodes\" printed %s; expected {\"nodes\": [...]}",
			quote(text, q, sizeof(q)));
	}
	gd_jobsys_node *v = calloc(json_array_size(arr) + 1, sizeof(*v));
	if (!v) {
		json_decref(root);
		return gd_error_make(err, ENOMEM, "cannot read the nodes");
	}
	size_t i;
	json_t *o;
	json_array_foreach (arr, i, o) {
		const char *why = node_of(o, &v[i]);
		if (why) {
			json_decref(root);
			free(v);
			return gd_error_set(
				err, EPROTO,
				"adapter \"nodes\": $.nodes[%zu] %s", i, why);
		}
	}
	*n = json_array_size(arr);
	*states = v;
	json_decref(root);
	return 0;
}

static int exec_node_states(gd_jobsys *js, const char *nodes,
			    gd_jobsys_node **states, size_t *n, gd_error **err)
{
	_cleanup_free_ char *text = NULL;
	int r = run_on_nodes(js, &js->c->adapter_nodes, nodes, &text, err);
	if (r < 0)
		return r;
	return gd_exec_parse_nodes(text, states, n, err);
}

/* The adapter's commands run in the node it names, or the first. */
static const char *exec_command_node(const gd_cluster *c)
{
	return c->adapter_node ? c->adapter_node : c->nodes[0].name;
}

static bool exec_runs_jobs(const gd_cluster *c, size_t i)
{
	return c->adapter_node ? strcmp(c->nodes[i].name, c->adapter_node) != 0
			       : i != 0;
}

/* The cluster file has "drain", "resume" and "nodes" together or none. */
static bool exec_can_drain(const gd_cluster *c)
{
	return c->adapter_drain.n;
}

static bool exec_can_tell_states(const gd_cluster *c)
{
	return c->adapter_nodes.n;
}

static const char *const exec_logs[] = {NULL};

/* No setup row: the team's own system is in the nodes already (its
 * services are the roles' own), and gameday knows none of its files. */
const gd_jobsys_driver gd_jobsys_exec = {
	.command_node = exec_command_node,
	.runs_jobs = exec_runs_jobs,
	.can_drain = exec_can_drain,
	.can_tell_states = exec_can_tell_states,
	.wait_ready = exec_wait_ready,
	.submit = exec_submit,
	.query = exec_query,
	.output = exec_output,
	.drain = exec_drain,
	.node_states = exec_node_states,
	.logs = exec_logs,
};
