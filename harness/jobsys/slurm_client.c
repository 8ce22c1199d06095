#include "jobsys/slurm_client.h"

#include "base/cleanup.h"
#include "base/fileio.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Runs a command on the controller; a non-zero exit is an error carrying
 * the command's own stderr. */
static int run(const gd_cluster_state *st, const char *ctl, char *const *argv,
	       char **out, gd_error **err)
{
	_cleanup_free_ char *errout = NULL;
	int status = 0;
	int r = gd_cluster_capture(st, ctl, argv, GD_SLURM_CMD_TIMEOUT_MS, out,
				   &errout, &status, err);
	if (r < 0)
		return gd_error_prefix(err, "%s", argv[0]);
	if (status != 0) {
		size_t n = strlen(errout);
		while (n && errout[n - 1] == '\n')
			errout[--n] = '\0';
		free(*out);
		*out = NULL;
		return gd_error_make(err, EIO, "%s exited %d: %s", argv[0],
				     status, *errout ? errout : "(no message)");
	}
	return 0;
}

int gd_slurm_wait_ready(const gd_cluster_state *st, const char *ctl,
			size_t workers, int timeout_ms, gd_error **err)
{
	char *argv[] = {"sinfo", "-h", "-N", "-o", "%T", NULL};
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char last[256] = "";
	for (;;) {
		char *out = NULL;
		gd_error *e = NULL;
		if (run(st, ctl, argv, &out, &e) == 0) {
			size_t idle = 0;
			for (char *p = out; (p = strstr(p, "idle")); p += 4)
				idle++;
			free(out);
			if (idle >= workers)
				return 0;
			snprintf(last, sizeof(last), "%zu of %zu workers idle",
				 idle, workers);
		} else {
			snprintf(last, sizeof(last), "%s", e->msg);
		}
		gd_error_free(e);
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - t0.tv_sec) * 1000 +
			  (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= timeout_ms)
			return gd_error_set(
				err, ETIMEDOUT,
				"Slurm did not come up within %d ms (%s)",
				timeout_ms, last);
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

/* Single-quotes a word for sh. */
static void quote(FILE *f, const char *w)
{
	fputc('\'', f);
	for (; *w; w++)
		if (*w == '\'')
			fputs("'\\''", f);
		else
			fputc(*w, f);
	fputc('\'', f);
}

/* What a job asks of its node as sbatch's options, into args (at most
 * four; how many); bufs holds them. */
static size_t resource_args(const gd_job_resources *res, double time_scale,
			    char bufs[4][96], char **args)
{
	size_t n = 0;
	if (!res)
		return 0;
	if (res->cpus)
		snprintf(bufs[n++], sizeof(bufs[0]), "--cpus-per-task=%ld",
			 res->cpus);
	if (res->memory)
		snprintf(bufs[n++], sizeof(bufs[0]), "--mem=%s", res->memory);
	if (res->partition)
		snprintf(bufs[n++], sizeof(bufs[0]), "--partition=%s",
			 res->partition);
	if (res->time_limit) {
		/* Slurm keeps whole minutes: the nearest, at least one (the
		 * fidelity check keeps a scaled limit well above that) */
		double min = (double)res->time_limit / time_scale / 60000.0;
		long m = (long)(min + 0.5);
		snprintf(bufs[n++], sizeof(bufs[0]), "--time=%ld", m ? m : 1);
	}
	for (size_t i = 0; i < n; i++)
		args[i] = bufs[i];
	return n;
}

int gd_slurm_submit(const gd_cluster_state *st, const char *ctl,
		    const char *user, const char *name, const char *logpath,
		    char *const *argv, const gd_job_resources *res,
		    double time_scale, long *id, gd_error **err)
{
	char *wrap = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&wrap, &len);
	if (!f)
		return gd_error_make(err, ENOMEM, "cannot submit \"%s\"", name);
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			fputc(' ', f);
		quote(f, argv[i]);
	}
	fclose(f);
	char jobname[80], output[PATH_MAX + 16], workdir[PATH_MAX + 16];
	snprintf(jobname, sizeof(jobname), "--job-name=%s", name);
	gd_pathf(output, sizeof(output), "--output=%s", logpath);
	gd_pathf(workdir, sizeof(workdir), "--chdir=%s", st->node_shared);
	char *cmd[20] = {"runuser", "-u",	  (char *)user, "--",
			 "sbatch",  "--parsable", "--requeue",	workdir,
			 jobname,   output};
	char asks[4][96];
	size_t n = 10 + resource_args(res, time_scale, asks, cmd + 10);
	cmd[n++] = "--wrap";
	cmd[n++] = wrap;
	cmd[n] = NULL;
	char *out = NULL;
	int r = run(st, ctl, cmd, &out, err);
	free(wrap);
	if (r < 0)
		return r;
	char *end;
	*id = strtol(out, &end, 10);
	bool ok = end != out && *id > 0;
	free(out);
	if (!ok)
		return gd_error_set(err, EIO, "sbatch printed no job id");
	return 0;
}

static int64_t int_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	/* 22.05 gives plain numbers; later versions wrap them as
	 * {"set": true, "number": N}. */
	if (json_is_object(v))
		v = json_object_get(v, "number");
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static void str_field(json_t *o, const char *key, char *buf, size_t size)
{
	json_t *v = json_object_get(o, key);
	if (json_is_array(v)) /* job_state is a list in later versions */
		v = json_array_get(v, 0);
	snprintf(buf, size, "%s",
		 json_is_string(v) ? json_string_value(v) : "");
}

int gd_slurm_parse_queue(const char *text, gd_slurm_job **jobs, size_t *n,
			 gd_error **err)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	json_t *arr = json_object_get(root, "jobs");
	if (!json_is_array(arr)) {
		json_decref(root);
		return gd_error_make(
			err, EIO,
			"squeue --json printed no \"jobs\" array (%s)",
			root ? "wrong shape" : je.text);
	}
	size_t count = json_array_size(arr);
	gd_slurm_job *v = calloc(count + 1, sizeof(*v));
	if (!v) {
		json_decref(root);
		return gd_error_make(err, ENOMEM, "cannot read the queue");
	}
	for (size_t i = 0; i < count; i++) {
		json_t *o = json_array_get(arr, i);
		gd_slurm_job *j = &v[i];
		j->id = (long)int_field(o, "job_id");
		str_field(o, "name", j->name, sizeof(j->name));
		str_field(o, "job_state", j->state, sizeof(j->state));
		str_field(o, "nodes", j->nodes, sizeof(j->nodes));
		j->start_s = int_field(o, "start_time");
		j->end_s = int_field(o, "end_time");
		j->restarts = (unsigned)int_field(o, "restart_cnt");
		j->priority = (long)int_field(o, "priority");
		str_field(o, "state_description", j->reason, sizeof(j->reason));
		if (!*j->reason || strcmp(j->reason, "None") == 0)
			str_field(o, "state_reason", j->reason,
				  sizeof(j->reason));
		if (strcmp(j->reason, "None") == 0)
			*j->reason = '\0';
	}
	json_decref(root);
	*jobs = v;
	*n = count;
	return 0;
}

int gd_slurm_queue(const gd_cluster_state *st, const char *ctl,
		   gd_slurm_job **jobs, size_t *n, gd_error **err)
{
	char *argv[] = {"squeue", "--json", NULL};
	_cleanup_free_ char *out = NULL;
	int r = run(st, ctl, argv, &out, err);
	if (r < 0)
		return r;
	return gd_slurm_parse_queue(out, jobs, n, err);
}

int gd_slurm_find(const gd_cluster_state *st, const char *ctl, const char *name,
		  long *id, gd_error **err)
{
	char arg[96];
	snprintf(arg, sizeof(arg), "--name=%s", name);
	char *argv[] = {"squeue",      "--noheader", "--states=all",
			"--format=%i", arg,	     NULL};
	_cleanup_free_ char *out = NULL;
	int r = run(st, ctl, argv, &out, err);
	if (r < 0)
		return r;
	*id = 0;
	for (char *p = out, *end; *p; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (v > 0 && (!*id || v < *id))
			*id = v;
	}
	return *id > 0;
}

int gd_slurm_state_final(const char *state)
{
	static const char *const final[] = {
		"COMPLETED", "FAILED",	  "CANCELLED",
		"TIMEOUT",   "NODE_FAIL", "OUT_OF_MEMORY",
		"BOOT_FAIL", "DEADLINE",  "PREEMPTED",
	};
	for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
		if (strcmp(state, final[i]) == 0)
			return 1;
	return 0;
}

/* Copies the value of " KEY=" in line (up to the next space) into buf. */
static int field(const char *line, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	for (const char *p = line; (p = strstr(p, key)); p += klen) {
		if ((p != line && p[-1] != ' ') || p[klen] != '=')
			continue;
		const char *v = p + klen + 1;
		size_t n = strcspn(v, " \n");
		if (n >= size)
			n = size - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
		return 0;
	}
	return -1;
}

int gd_slurm_parse_jobcomp(const char *line, long *id, char *state,
			   size_t state_size, char *nodes, size_t nodes_size)
{
	char num[32];
	if (field(line, "JobId", num, sizeof(num)) < 0 ||
	    field(line, "JobState", state, state_size) < 0)
		return -EINVAL;
	char *end;
	*id = strtol(num, &end, 10);
	if (end == num || *id <= 0)
		return -EINVAL;
	if (field(line, "NodeList", nodes, nodes_size) < 0)
		nodes[0] = '\0';
	return 0;
}
