/* The command job kind: the team's own program as the job (docs/own-job.md).
 *
 * Every job runs under gd-wrap (fakes/gd-wrap.c), which numbers its
 * attempts itself, so the same evidence comes back under any job system:
 * a folder per attempt in shared storage with the job's output folder,
 * its stdout and stderr, and a done record with its exit status.  The
 * team's check then says whether the output is right. */
#include "run/job.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/strbuf.h"
#include "run/progress.h"
#include "scenario/parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INPUTS	 1000
#define MAX_INPUT_BYTES	 (256ull << 20)
#define CHECK_TIMEOUT_MS 60000

static const char *const command_keys[] = {"command", "inputs", "check",
					   "check_on", "resources"};
static const char *const resources_keys[] = {"cpus", "memory", "partition",
					     "time_limit"};

typedef struct command_spec {
	gd_strv command, check; /* check.n == 0: none */
	/* argv[0]s as the host sees them, copied into shared storage;
	 * NULL: an absolute path, run as is */
	const char *program, *check_program;
	const char *inputs; /* the folder as the host sees it, or NULL */
	const char **names; /* its files, sorted: one job each */
	size_t ninputs;
	const char *check_on; /* NULL: the job system's controller */
	gd_job_resources res;
} command_spec;

/* Every "{x}" of arg is a placeholder this group knows. */
static void check_placeholders(gd_reader *r, const char *arg, bool inputs)
{
	for (const char *p = strchr(arg, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		size_t n = end ? (size_t)(end - p + 1) : strlen(p);
		if (n == 7 && strncmp(p, "{input}", n) == 0 && !inputs)
			rd_error(r, "{input} needs the group's \"inputs\" "
				    "(a folder, one job per file)");
		else if (!(n == 7 && strncmp(p, "{input}", n) == 0) &&
			 !(n == 8 && strncmp(p, "{output}", n) == 0) &&
			 !(n == 5 && strncmp(p, "{job}", n) == 0))
			rd_error(
				r,
				"unknown placeholder \"%.*s\" (known: {input}, "
				"{output}, {job})",
				(int)n, p);
	}
}

/* A program's argv: a non-empty array of strings, placeholders known,
 * its program there; *program is where the host finds argv[0] when it is
 * copied into shared storage. */
static bool parse_argv(gd_reader *r, json_t *v, gd_strv *out, bool inputs,
		       const char **program)
{
	if (!json_is_array(v)) {
		rd_error(r,
			 "expected an array of strings (the program and its "
			 "arguments), got %s",
			 rd_type_name(v));
		return false;
	}
	if (!rd_as_strv(r, v, out))
		return false;
	for (size_t i = 0; i < out->n; i++) {
		size_t m = rd_push_index(r, i);
		check_placeholders(r, out->v[i], inputs);
		rd_pop(r, m);
	}
	size_t m = rd_push_index(r, 0);
	const char *prog = out->v[0];
	*program = prog[0] == '/' ? NULL : rd_beside(r->arena, r->file, prog);
	struct stat st;
	const char *host = *program ? *program : prog;
	if (strchr(prog, '{'))
		rd_error(r, "the program cannot be a placeholder");
	else if (stat(host, &st) < 0)
		rd_error(r, "no program \"%s\" (%s)", host, strerror(errno));
	else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		rd_error(r, "\"%s\" is not an executable file", host);
	rd_pop(r, m);
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The inputs folder's regular files (hidden ones left out), within the
 * caps on what is copied into shared storage. */
static void parse_inputs(gd_reader *r, json_t *v, command_spec *c)
{
	const char *dir;
	if (!rd_as_string(r, v, &dir))
		return;
	c->inputs = rd_beside(r->arena, r->file, dir);
	_cleanup_dir_ DIR *d = opendir(c->inputs);
	if (!d) {
		rd_error(r, "cannot read the folder \"%s\" (%s)", c->inputs,
			 strerror(errno));
		return;
	}
	c->names = gd_arena_array(r->arena, MAX_INPUTS + 1, sizeof(char *));
	unsigned long long bytes = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    !S_ISREG(st.st_mode))
			continue;
		bytes += (unsigned long long)st.st_size;
		if (c->ninputs == MAX_INPUTS || bytes > MAX_INPUT_BYTES) {
			rd_error(r,
				 "the folder \"%s\" holds more than gameday "
				 "copies (%d files, %llu MiB)",
				 c->inputs, MAX_INPUTS, MAX_INPUT_BYTES >> 20);
			c->ninputs = 0;
			return;
		}
		c->names[c->ninputs++] = gd_arena_strdup(r->arena, e->d_name);
	}
	if (!c->ninputs)
		rd_error(r, "the folder \"%s\" has no files: one job per file",
			 c->inputs);
	qsort(c->names, c->ninputs, sizeof(*c->names), cmp_str);
}

static bool rd_as_memory(gd_reader *r, json_t *v, const char **out)
{
	if (!rd_as_string(r, v, out))
		return false;
	char *end;
	long long n = strtoll(*out, &end, 10);
	if (end == *out || n <= 0 ||
	    (*end && (!strchr("KMGT", *end) || end[1])))
		rd_error(r,
			 "expected an amount of memory like \"512M\" (a "
			 "number, then K, M, G or T), got \"%s\"",
			 *out);
	return true;
}

static void parse_resources(gd_reader *r, json_t *v, gd_job_resources *res)
{
	if (!rd_object(r, v, "resources", resources_keys,
		       GD_ARRAY_SIZE(resources_keys), NULL, 0))
		return;
	long long cpus;
	if (RD_FIELD(rd_as_int, r, v, "cpus", false, 1, 4096, &cpus))
		res->cpus = (long)cpus;
	RD_FIELD(rd_as_memory, r, v, "memory", false, &res->memory);
	RD_FIELD(rd_as_name, r, v, "partition", false, 64, &res->partition);
	RD_FIELD(rd_as_positive_duration, r, v, "time_limit", false,
		 &res->time_limit);
}

static void parse_check_on(gd_reader *r, json_t *v, const gd_cluster *cl,
			   command_spec *c)
{
	if (!rd_as_string(r, v, &c->check_on))
		return;
	for (size_t i = 0; i < cl->nnodes; i++)
		if (strcmp(cl->nodes[i].name, c->check_on) == 0)
			return;
	rd_error(r, "no node \"%s\" in the cluster", c->check_on);
}

static void command_parse(gd_reader *r, json_t *v, const gd_scenario *s,
			  gd_job_group *g)
{
	command_spec *c = gd_arena_alloc(r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	g->spec = c;
	bool inputs = json_object_get(v, "inputs") != NULL;
	RD_SECTION(parse_inputs, r, v, "inputs", false, c);
	if (c->inputs)
		g->jobs = (unsigned)c->ninputs;
	RD_FIELD(parse_argv, r, v, "command", true, &c->command, inputs,
		 &c->program);
	RD_FIELD(parse_argv, r, v, "check", false, &c->check, inputs,
		 &c->check_program);
	RD_SECTION(parse_check_on, r, v, "check_on", false, &s->cluster, c);
	if (c->check_on && !c->check.n)
		rd_error_at(r, "check_on", "there is no \"check\" to run");
	RD_SECTION(parse_resources, r, v, "resources", false, &c->res);
}

/* The run's: the group's settings, and each of its jobs' input. */
typedef struct command_state {
	const gd_job_group *g;
	const command_spec *c;
	const char **input;	 /* by the job's index in the plan */
	const char *node_shared; /* shared storage as nodes see it (the run's) */
} command_state;

static void command_free(void *state)
{
	command_state *cs = state;
	if (cs)
		free(cs->input);
	free(cs);
}

/* A program copied into the group's folder sub (when it is not run
 * where it is: host NULL). */
static int copy_program(const gd_job_run *run, const char *group,
			const char *host, const char *sub, gd_error **err)
{
	if (!host)
		return 0;
	_cleanup_free_ char *copy = strdup(host);
	if (!copy)
		return gd_error_make(err, ENOMEM, "cannot copy \"%s\"", host);
	char to[PATH_MAX], dir[PATH_MAX];
	gd_pathf(dir, sizeof(dir), "%s/cmd/%s/%s", run->shared, group, sub);
	int r = gd_mkdir_mode(dir, 0755, err);
	gd_pathf(to, sizeof(to), "%s/%s", dir, basename(copy));
	if (r == 0)
		r = gd_copy_file(host, to, MAX_INPUT_BYTES, 0755, err);
	return r;
}

static int copy_inputs(const gd_job_run *run, const command_state *cs,
		       gd_error **err)
{
	char dir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	gd_pathf(dir, sizeof(dir), "%s/cmd/%s/in", run->shared, cs->g->name);
	int r = gd_mkdir_mode(dir, 0755, err);
	for (size_t i = 0; r == 0 && i < cs->c->ninputs; i++) {
		gd_pathf(from, sizeof(from), "%s/%s", cs->c->inputs,
			 cs->c->names[i]);
		gd_pathf(to, sizeof(to), "%s/%s", dir, cs->c->names[i]);
		r = gd_copy_file(from, to, MAX_INPUT_BYTES, 0644, err);
	}
	return r;
}

/* The group's folder in shared storage: its programs and inputs, read
 * by the jobs (run as the service user); and the jobs' folders, where
 * gd-wrap keeps their attempts. */
static int command_prepare(const gd_job_run *run, size_t g, void **state,
			   gd_error **err)
{
	const gd_plan *p = run->p;
	command_state *cs = calloc(1, sizeof(*cs));
	if (!cs || !(cs->input = calloc(p->njobs + 1, sizeof(char *)))) {
		free(cs);
		return gd_error_make(err, ENOMEM, "cannot prepare the jobs");
	}
	*state = cs;
	cs->g = &p->scenario->groups[g];
	cs->c = cs->g->spec;
	cs->node_shared = run->st->node_shared;
	size_t k = 0;
	for (size_t i = 0; i < p->njobs && cs->c->ninputs; i++)
		if (p->jobs[i].group == g)
			cs->input[i] = cs->c->names[k++];
	char dir[PATH_MAX];
	gd_pathf(dir, sizeof(dir), "%s/cmd", run->shared);
	int r = gd_mkdir_mode(dir, 0755, err);
	gd_pathf(dir, sizeof(dir), "%s/cmd/jobs", run->shared);
	if (r == 0)
		r = gd_mkdir_mode(dir, 01777, err);
	gd_pathf(dir, sizeof(dir), "%s/cmd/checks", run->shared);
	if (r == 0)
		r = gd_mkdir_mode(dir, 0755, err);
	gd_pathf(dir, sizeof(dir), "%s/cmd/%s", run->shared, cs->g->name);
	if (r == 0)
		r = gd_mkdir_mode(dir, 0755, err);
	if (r == 0)
		r = copy_program(run, cs->g->name, cs->c->program, "bin", err);
	if (r == 0)
		r = copy_program(run, cs->g->name, cs->c->check_program,
				 "check", err);
	if (r == 0)
		r = copy_inputs(run, cs, err);
	return r;
}

/* arg with {job} and {input} filled in, and {output} too when output is
 * given (gd-wrap fills it in for the job: each attempt has its own). */
static void fill(gd_strbuf *b, const char *arg, const char *job,
		 const command_state *cs, const char *input, const char *output)
{
	while (*arg) {
		if (strncmp(arg, "{job}", 5) == 0) {
			gd_strbuf_add(b, job);
			arg += 5;
		} else if (strncmp(arg, "{input}", 7) == 0 && input) {
			gd_strbuf_addf(b, "%s/cmd/%s/in/%s", cs->node_shared,
				       cs->g->name, input);
			arg += 7;
		} else if (strncmp(arg, "{output}", 8) == 0 && output) {
			gd_strbuf_add(b, output);
			arg += 8;
		} else {
			gd_strbuf_addch(b, *arg++);
		}
	}
}

/* argv filled in, its program where the group's copy is (sub, when
 * copied), into c. */
static bool add_argv(gd_job_cmd *c, const gd_strv *argv, const char *sub,
		     const command_state *cs, const char *job,
		     const char *input, const char *output)
{
	for (size_t i = 0; i < argv->n; i++) {
		_cleanup_strbuf_ gd_strbuf b = GD_STRBUF_INIT;
		if (i == 0 && sub) {
			_cleanup_free_ char *copy = strdup(argv->v[0]);
			gd_strbuf_addf(&b, "%s/cmd/%s/%s/%s", cs->node_shared,
				       cs->g->name, sub,
				       copy ? basename(copy) : "");
		} else {
			fill(&b, argv->v[i], job, cs, input, output);
		}
		if (!b.buf || !gd_job_cmd_add(c, "%s", b.buf))
			return false;
	}
	return true;
}

/* gd-wrap --progress FOLDER JOB DIR -- the group's command
 * (fakes/gd-wrap.c). */
static int command_command(const gd_job_run *run, void *state,
			   const gd_plan_job *j, gd_job_cmd *c, gd_error **err)
{
	const command_state *cs = state;
	const gd_job_resources *res = &cs->c->res;
	if (res->cpus || res->memory || res->partition || res->time_limit)
		c->res = res;
	bool ok = gd_job_cmd_add(c, "%s/gd-wrap", run->st->node_programs) &&
		  gd_job_cmd_add(c, "--progress") &&
		  gd_job_cmd_add(c, "%s/" GD_PROGRESS_DIR, cs->node_shared) &&
		  gd_job_cmd_add(c, "%s", j->id) &&
		  gd_job_cmd_add(c, "%s/cmd/jobs/%s", cs->node_shared, j->id) &&
		  gd_job_cmd_add(c, "--") &&
		  add_argv(c, &cs->c->command, cs->c->program ? "bin" : NULL,
			   cs, j->id, cs->input[j - run->p->jobs], NULL);
	return ok ? 0
		  : gd_error_make(err, E2BIG, "job %s: command too long",
				  j->id);
}

/* What an attempt's done record says (gd-wrap writes it once the
 * command ended). */
typedef struct attempt {
	unsigned n;
	int exit, sig; /* sig: killed by it, exit meaningless */
	char node[64];
} attempt;

static int cmp_attempt(const void *a, const void *b)
{
	unsigned x = ((const attempt *)a)->n, y = ((const attempt *)b)->n;
	return x < y ? -1 : x > y;
}

/* A file the job's side wrote (as the service user, in a folder it
 * owns), opened by gameday (root) only when it is a regular file there:
 * not a link a job made to a host file, nor a fifo that would block. */
static int open_jobs_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A done record, gd-wrap's JSON, or NULL. */
static json_t *read_done(const char *path)
{
	_cleanup_close_ int fd = open_jobs_file(path);
	char buf[1024];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return json_loads(buf, 0, NULL);
}

/* The job's attempts that ended, in order (at most max). */
static size_t ended_attempts(const char *shared, const char *job, attempt *a,
			     size_t max)
{
	char dir[PATH_MAX], done[PATH_MAX];
	gd_pathf(dir, sizeof(dir), "%s/cmd/jobs/%s", shared, job);
	_cleanup_dir_ DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) && n < max) {
		char *end;
		unsigned long k = strtoul(e->d_name, &end, 10);
		if (!k || *end)
			continue;
		gd_pathf(done, sizeof(done), "%s/%s/done", dir, e->d_name);
		json_t *rec = read_done(done);
		if (!rec)
			continue;
		a[n] = (attempt){.n = (unsigned)k};
		a[n].exit =
			(int)json_integer_value(json_object_get(rec, "exit"));
		a[n].sig =
			(int)json_integer_value(json_object_get(rec, "signal"));
		snprintf(a[n].node, sizeof(a[n].node), "%s",
			 json_string_value(json_object_get(rec, "node"))
				 ?: "?");
		json_decref(rec);
		n++;
	}
	qsort(a, n, sizeof(*a), cmp_attempt);
	return n;
}

/* The last line of text that says something, for a one-line why. */
static const char *last_line(char *text)
{
	if (!text)
		return "";
	size_t n = strlen(text);
	while (n && strchr("\n\r \t", text[n - 1]))
		text[--n] = '\0';
	char *nl = strrchr(text, '\n');
	return nl ? nl + 1 : text;
}

/* The file a reader should look at first, as the results folder has it
 * (command_keep copies shared storage's cmd/jobs/JOB there as jobs/JOB,
 * and cmd/checks/JOB.log as jobs/JOB/check.log), and its last lines. */
static void evidence(const gd_job_run *run, gd_job_end *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void evidence(const gd_job_run *run, gd_job_end *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->evidence, sizeof(e->evidence), fmt, ap);
	va_end(ap);
	char host[PATH_MAX];
	size_t len = strlen(e->evidence);
	if (len > 10 && strcmp(e->evidence + len - 10, "/check.log") == 0)
		gd_pathf(host, sizeof(host), "%s/cmd/checks/%s.log",
			 run->shared, e->plan->id);
	else
		gd_pathf(host, sizeof(host), "%s/cmd/%s", run->shared,
			 e->evidence);
	_cleanup_close_ int fd = open_jobs_file(host);
	off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	size_t want = sizeof(e->tail) - 1;
	off_t from = size > (off_t)want ? size - (off_t)want : 0;
	ssize_t n = size > 0 ? pread(fd, e->tail, want, from) : 0;
	e->tail[n > 0 ? n : 0] = '\0';
	char *start = e->tail;
	if (from > 0 && (start = strchr(e->tail, '\n')))
		memmove(e->tail, start + 1, strlen(start + 1) + 1);
}

/* The node the check runs in: check_on, or the job system's
 * controller, or the first node. */
static const char *check_node(const gd_job_run *run, const command_spec *c)
{
	const gd_cluster *cl = &run->p->scenario->cluster;
	long ctl = gd_jobsys_controller(cl);
	if (c->check_on)
		return c->check_on;
	return ctl >= 0 ? cl->nodes[ctl].name : cl->nodes[0].name;
}

/* The team's check of attempt a's output, as the service user; its
 * output kept for the results (cmd/checks/JOB.log). */
static void run_check(const gd_job_run *run, const command_state *cs,
		      const gd_plan_job *j, const attempt *a, gd_job_end *e)
{
	char output[PATH_MAX], log[PATH_MAX];
	gd_job_cmd c = {0};
	gd_pathf(output, sizeof(output), "%s/cmd/jobs/%s/%u/output",
		 cs->node_shared, j->id, a->n);
	bool ok = gd_job_cmd_add(&c, "runuser") && gd_job_cmd_add(&c, "-u") &&
		  gd_job_cmd_add(&c, "%s",
				 run->p->scenario->cluster.service_user) &&
		  gd_job_cmd_add(&c, "--") &&
		  add_argv(&c, &cs->c->check,
			   cs->c->check_program ? "check" : NULL, cs, j->id,
			   cs->input[j - run->p->jobs], output);
	_cleanup_free_ char *out = NULL, *errout = NULL;
	_cleanup_error_ gd_error *err = NULL;
	int status = -1;
	const char *node = check_node(run, cs->c);
	if (!ok) {
		e->outcome = GD_OUT_CHECK_ERROR;
		snprintf(e->why, sizeof(e->why),
			 "the check's command is too long");
		return;
	}
	if (gd_cluster_capture(run->st, node, c.argv, CHECK_TIMEOUT_MS, &out,
			       &errout, &status, &err) < 0) {
		e->outcome = GD_OUT_CHECK_ERROR;
		snprintf(e->why, sizeof(e->why),
			 "the check did not run in %s: %s", node, err->msg);
		return;
	}
	_cleanup_strbuf_ gd_strbuf both = GD_STRBUF_INIT;
	gd_strbuf_addf(&both, "%s%s", out ? out : "", errout ? errout : "");
	/* not in the job's folder, which the job owns: root writes it */
	gd_pathf(log, sizeof(log), "%s/cmd/checks/%s.log", run->shared, j->id);
	_cleanup_error_ gd_error *werr = NULL;
	if (both.buf)
		gd_write_file(log, both.buf, both.len, 0644, &werr);
	if (status == 0) {
		e->outcome = GD_OUT_CORRECT;
	} else if (status == 1) {
		e->outcome = GD_OUT_WRONG;
		snprintf(e->why, sizeof(e->why),
			 "the check says attempt %u's output is wrong: %s",
			 a->n, last_line(both.buf));
		/* the check's words are the why; what the job said while
		 * it went wrong is the evidence */
		evidence(run, e, "jobs/%s/%u/stderr", j->id, a->n);
	} else {
		e->outcome = GD_OUT_CHECK_ERROR;
		snprintf(e->why, sizeof(e->why),
			 "the check itself failed (exit %d in %s): %s", status,
			 node, last_line(both.buf));
		evidence(run, e, "jobs/%s/check.log", j->id);
	}
}

static void command_judge(const gd_job_run *run, void *state, gd_job_end *e)
{
	const command_state *cs = state;
	const char *id = e->plan->id;
	attempt a[64];
	size_t n = ended_attempts(run->shared, id, a, GD_ARRAY_SIZE(a));
	if (!n) {
		e->outcome = GD_OUT_FAILED;
		snprintf(e->why, sizeof(e->why),
			 "no attempt ran to its end (the job system says %s)",
			 e->state);
		return;
	}
	const attempt *last = &a[n - 1];
	if (last->sig || last->exit) {
		e->outcome = GD_OUT_FAILED;
		if (last->sig)
			snprintf(e->why, sizeof(e->why),
				 "attempt %u on %s was killed by signal %d",
				 last->n, last->node, last->sig);
		else
			snprintf(e->why, sizeof(e->why),
				 "attempt %u on %s exited %d", last->n,
				 last->node, last->exit);
		evidence(run, e, "jobs/%s/%u/stderr", id, last->n);
		return;
	}
	e->outcome = GD_OUT_CORRECT;
	if (cs->c->check.n)
		run_check(run, cs, e->plan, last, e);
	_cleanup_strbuf_ gd_strbuf where = GD_STRBUF_INIT;
	size_t ok = 0;
	for (size_t i = 0; i < n; i++)
		if (!a[i].sig && !a[i].exit)
			gd_strbuf_addf(&where, "%s%u on %s", ok++ ? ", " : "",
				       a[i].n, a[i].node);
	if (e->outcome == GD_OUT_CORRECT && ok > 1) {
		e->outcome = GD_OUT_DUPLICATED;
		snprintf(e->why, sizeof(e->why),
			 "%zu attempts ran to the end (%s)", ok, where.buf);
	}
}

/* Every attempt's folder (output, stdout, stderr, done) and the check's
 * log, into the results: jobs/JOB/. */
static void command_keep(const gd_job_run *run, void *state,
			 const gd_plan_job *j, const char *out_dir)
{
	(void)state;
	char from[PATH_MAX], to[PATH_MAX];
	gd_pathf(from, sizeof(from), "%s/cmd/jobs/%s", run->shared, j->id);
	gd_pathf(to, sizeof(to), "%s/jobs/%s", out_dir, j->id);
	/* a copy that fails leaves the results without it, not the run
	 * without a verdict */
	_cleanup_error_ gd_error *err = NULL, *log_err = NULL;
	gd_copy_tree(from, to, 0, 0, 0644, NULL, &err);
	gd_pathf(from, sizeof(from), "%s/cmd/checks/%s.log", run->shared,
		 j->id);
	gd_pathf(to, sizeof(to), "%s/jobs/%s/check.log", out_dir, j->id);
	if (access(from, F_OK) == 0)
		gd_copy_tree(from, to, 0, 0, 0644, NULL, &log_err);
}

static gd_ms command_time_limit(const gd_job_group *g)
{
	return ((const command_spec *)g->spec)->res.time_limit;
}

static const gd_job_ops command_ops = {
	.prepare = command_prepare,
	.command = command_command,
	.judge = command_judge,
	.keep = command_keep,
	.free_state = command_free,
};

const gd_job_kind gd_job_kind_command = {
	.name = "command",
	.keys = command_keys,
	.nkeys = GD_ARRAY_SIZE(command_keys),
	.jobs_instead = "inputs",
	.parse = command_parse,
	.time_limit = command_time_limit,
	.ops = &command_ops,
};
