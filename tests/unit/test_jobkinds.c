/* The job kinds table: every row complete enough for the parser and the
 * runner that ask it without knowing which kind a group is; the command
 * kind's job line and its judgement from gd-wrap's records (no cluster:
 * the records are written here as gd-wrap writes them). */
#include "unit.h"

#include "base/fileio.h"
#include "run/job.h"
#include "scenario_text.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void every_row_is_complete(void **state)
{
	(void)state;
	static const char *const common[] = {"name",   "jobs",	   "kind",
					     "submit", "deadline", "expected"};
	assert_true(gd_njob_kinds >= 2);
	assert_string_equal(gd_job_kinds[0]->name, "document"); /* default */
	for (size_t i = 0; i < gd_njob_kinds; i++) {
		const gd_job_kind *k = gd_job_kinds[i];
		assert_ptr_equal(gd_job_kind_find(k->name), k);
		assert_non_null(k->parse);
		assert_non_null(k->ops);
		assert_non_null(k->ops->prepare);
		assert_non_null(k->ops->command);
		assert_non_null(k->ops->judge);
		assert_non_null(k->ops->free_state);
		/* a kind whose jobs have their own times counts them and
		 * says them in the plan */
		if (k->job) {
			assert_non_null(k->jobs_instead);
			assert_non_null(k->plan_words);
			assert_non_null(k->plan_text);
			assert_non_null(k->plan_json);
		}
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(gd_job_kinds[j]->name, k->name);
		for (size_t j = 0; j < k->nkeys; j++)
			for (size_t c = 0; c < sizeof(common) / sizeof(*common);
			     c++)
				assert_string_not_equal(k->keys[j], common[c]);
	}
}

struct fixture {
	char dir[64];
	gd_cluster_state st; /* its places alone: the namespaced node's */
	gd_scenario *s;
	gd_plan *p;
	gd_job_run run;
	void *state;
	const gd_job_kind *kind;
};

/* A command group over two inputs, its shared storage prepared in a
 * temporary folder. */
static void command_group(struct fixture *f, const char *extra)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/gd-test-jobkinds.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char path[256], wl[1024];
	snprintf(path, sizeof(path), "%s/in", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	_cleanup_error_ gd_error *err = NULL;
	snprintf(path, sizeof(path), "%s/in/b.txt", f->dir);
	assert_int_equal(gd_write_file(path, "b\n", 2, 0644, &err), 0);
	snprintf(path, sizeof(path), "%s/in/a.txt", f->dir);
	assert_int_equal(gd_write_file(path, "a\n", 2, 0644, &err), 0);
	snprintf(wl, sizeof(wl),
		 "{\"name\": \"mine\", \"kind\": \"command\", \"command\": "
		 "[\"/bin/sh\", \"-c\", \"x {input} {output}/{job}.out\"], "
		 "\"inputs\": \"%s/in\", \"deadline\": \"1h\", \"expected\": "
		 "\"1m..5m\"%s}",
		 f->dir, extra);
	f->s = scenario_from("2h", wl, "[]");
	assert_non_null(f->s);
	gd_diags d = {0};
	f->p = gd_plan_build(f->s, 1, GD_SEED_COMMAND_LINE, &d);
	assert_non_null(f->p);
	gd_diags_clear(&d);
	memset(&f->st, 0, sizeof(f->st));
	snprintf(f->st.dir, sizeof(f->st.dir), "%s", f->dir);
	gd_cluster_places_ns(&f->st);
	assert_int_equal(mkdir(f->st.shared, 0755), 0);
	f->run = (gd_job_run){.p = f->p, .st = &f->st, .shared = f->st.shared};
	f->kind = f->s->groups[0].kind;
	assert_int_equal(f->kind->ops->prepare(&f->run, 0, &f->state, &err), 0);
}

static void fixture_free(struct fixture *f)
{
	f->kind->ops->free_state(f->state);
	_cleanup_error_ gd_error *err = NULL;
	gd_remove_tree(f->dir, false, &err);
	gd_scenario_free(f->s);
}

static void command_line_runs_under_gd_wrap(void **state)
{
	(void)state;
	struct fixture f;
	command_group(&f, ", \"resources\": {\"cpus\": 2, \"memory\": "
			  "\"64M\", \"time_limit\": \"30m\"}");
	assert_int_equal(f.p->njobs, 2); /* one job per input */
	assert_string_equal(f.s->groups[0].kind->name, "command");
	gd_job_cmd c = {0};
	_cleanup_error_ gd_error *err = NULL;
	assert_int_equal(
		f.kind->ops->command(&f.run, f.state, &f.p->jobs[0], &c, &err),
		0);
	const char *want[] = {
		"/srv/gameday/gd-wrap",
		"--progress",
		"/srv/shared/progress",
		"mine-1",
		"/srv/shared/cmd/jobs/mine-1",
		"--",
		"/bin/sh",
		"-c",
		"x /srv/shared/cmd/mine/in/a.txt {output}/mine-1.out",
		NULL};
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(c.argv[i], want[i]);
	assert_null(c.argv[9]);
	assert_non_null(c.res);
	assert_int_equal(c.res->cpus, 2);
	assert_string_equal(c.res->memory, "64M");
	assert_int_equal(c.res->time_limit, 30 * GD_MS_PER_M);
	char path[256];
	gd_pathf(path, sizeof(path), "%s/cmd/mine/in/b.txt", f.st.shared);
	struct stat st;
	assert_int_equal(stat(path, &st), 0); /* the inputs copied */
	fixture_free(&f);
}

/* Nodes of another backend see shared storage and gameday's programs
 * elsewhere: the command line says the cluster's places, not the
 * namespaced node's. */
static void command_line_says_the_clusters_places(void **state)
{
	(void)state;
	struct fixture f;
	command_group(&f, "");
	snprintf(f.st.node_shared, sizeof(f.st.node_shared),
		 "/data/gameday/run-1");
	snprintf(f.st.node_programs, sizeof(f.st.node_programs),
		 "/data/gameday/run-1/programs");
	gd_job_cmd c = {0};
	_cleanup_error_ gd_error *err = NULL;
	assert_int_equal(
		f.kind->ops->command(&f.run, f.state, &f.p->jobs[1], &c, &err),
		0);
	const char *want[] = {
		"/data/gameday/run-1/programs/gd-wrap",
		"--progress",
		"/data/gameday/run-1/progress",
		"mine-2",
		"/data/gameday/run-1/cmd/jobs/mine-2",
		"--",
		"/bin/sh",
		"-c",
		"x /data/gameday/run-1/cmd/mine/in/b.txt {output}/mine-2.out",
		NULL};
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(c.argv[i], want[i]);
	assert_null(c.argv[9]);
	fixture_free(&f);
}

/* An attempt's done record and stderr as gd-wrap leaves them. */
static void attempt(struct fixture *f, const char *job, int n, const char *done,
		    const char *stderr_text)
{
	char path[256];
	_cleanup_error_ gd_error *err = NULL;
	gd_pathf(path, sizeof(path), "%s/cmd/jobs/%s", f->st.shared, job);
	mkdir(path, 0755);
	gd_pathf(path, sizeof(path), "%s/cmd/jobs/%s/%d", f->st.shared, job, n);
	assert_int_equal(mkdir(path, 0755), 0);
	gd_pathf(path, sizeof(path), "%s/cmd/jobs/%s/%d/done", f->st.shared,
		 job, n);
	assert_int_equal(gd_write_file(path, done, strlen(done), 0644, &err),
			 0);
	gd_pathf(path, sizeof(path), "%s/cmd/jobs/%s/%d/stderr", f->st.shared,
		 job, n);
	assert_int_equal(gd_write_file(path, stderr_text, strlen(stderr_text),
				       0644, &err),
			 0);
}

static gd_job_end judged(struct fixture *f, size_t k)
{
	gd_job_end e = {
		.plan = &f->p->jobs[k], .sys_id = "1", .state = "COMPLETED"};
	f->kind->ops->judge(&f->run, f->state, &e);
	return e;
}

static void judged_from_gd_wraps_records(void **state)
{
	(void)state;
	struct fixture f;
	command_group(&f, "");
	gd_job_end e = judged(&f, 0);
	assert_int_equal(e.outcome, GD_OUT_FAILED); /* no record at all */
	assert_string_equal(e.why,
			    "no attempt ran to its end (the job system says "
			    "COMPLETED)");

	attempt(&f, "mine-1", 1, "{\"node\": \"w1\", \"exit\": 0}", "");
	assert_int_equal(judged(&f, 0).outcome, GD_OUT_CORRECT);
	attempt(&f, "mine-1", 2, "{\"node\": \"w2\", \"exit\": 0}", "");
	e = judged(&f, 0);
	assert_int_equal(e.outcome, GD_OUT_DUPLICATED);
	assert_string_equal(e.why, "2 attempts ran to the end (1 on w1, 2 on "
				   "w2)");
	/* a record that is a link (a job's, to anywhere) is not read */
	char path[256], to[256];
	gd_pathf(path, sizeof(path), "%s/cmd/jobs/mine-1/3", f.st.shared);
	assert_int_equal(mkdir(path, 0755), 0);
	gd_pathf(path, sizeof(path), "%s/cmd/jobs/mine-1/3/done", f.st.shared);
	gd_pathf(to, sizeof(to), "%s/cmd/jobs/mine-1/1/done", f.st.shared);
	assert_int_equal(symlink(to, path), 0);
	assert_string_equal(judged(&f, 0).why,
			    "2 attempts ran to the end (1 on w1, 2 on w2)");

	attempt(&f, "mine-2", 1, "{\"node\": \"w3\", \"exit\": 0}", "");
	attempt(&f, "mine-2", 2, "{\"node\": \"w1\", \"exit\": 3}",
		"starting\nlicence server unreachable\n");
	e = judged(&f, 1);
	assert_int_equal(e.outcome, GD_OUT_FAILED); /* the last attempt's */
	assert_string_equal(e.why, "attempt 2 on w1 exited 3");
	assert_string_equal(e.evidence, "jobs/mine-2/2/stderr");
	assert_string_equal(e.tail, "starting\nlicence server unreachable\n");
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_row_is_complete),
		cmocka_unit_test(command_line_runs_under_gd_wrap),
		cmocka_unit_test(command_line_says_the_clusters_places),
		cmocka_unit_test(judged_from_gd_wraps_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
