/* The document job kind: gd-job classifies a generated document, and
 * gameday's oracle (the same model, workload/classify.c) knows the
 * right answer beforehand. */
#include "run/job.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/strbuf.h"
#include "run/progress.h"
#include "scenario/parse.h"
#include "workload/classify.h"
#include "workload/corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const document_keys[] = {"runtime"};

static void document_parse(gd_reader *r, json_t *v, const gd_scenario *s,
			   gd_job_group *g)
{
	(void)s;
	if (RD_FIELD(rd_as_range, r, v, "runtime", false, &g->runtime_lo,
		     &g->runtime_hi) &&
	    g->deadline && g->runtime_hi > g->deadline) {
		rd_error_at(
			r, "runtime",
			"jobs would run longer than their hard deadline even without faults");
	}
}

/* The oracle: each job's expected output, by its index in the plan. */
typedef struct document_state {
	size_t n;
	char *expected[];
} document_state;

static void document_free(void *state)
{
	document_state *d = state;
	for (size_t k = 0; d && k < d->n; k++)
		free(d->expected[k]);
	free(d);
}

/* The corpus and the oracle: every job's document in shared storage, and
 * its expected output in memory. */
static int document_prepare(const gd_job_run *run, size_t g, void **state,
			    gd_error **err)
{
	const gd_plan *p = run->p;
	char dir[PATH_MAX];
	/* Jobs run as the service user: they write outputs and the
	 * records of completed attempts, and read only their inputs. */
	static const char *const subs[] = {"in", "out", "done"};
	for (size_t i = 0; i < GD_ARRAY_SIZE(subs); i++) {
		gd_pathf(dir, sizeof(dir), "%s/%s", run->shared, subs[i]);
		int r = gd_mkdir_mode(dir, i == 0 ? 0755 : 01777, err);
		if (r < 0)
			return r;
	}
	document_state *d = *state;
	if (!d) {
		d = calloc(1, sizeof(*d) + (p->njobs + 1) * sizeof(char *));
		if (!d)
			return gd_error_make(err, ENOMEM, "cannot judge jobs");
		d->n = p->njobs;
		*state = d;
	}
	for (size_t k = 0; k < p->njobs; k++) {
		const gd_plan_job *j = &p->jobs[k];
		if (j->group != g)
			continue;
		size_t len;
		char *doc = gd_corpus_document(p->seed, j->id, &len);
		gd_pathf(dir, sizeof(dir), "%s/in/%s.txt", run->shared, j->id);
		int r = gd_write_file(dir, doc, len, 0644, err);
		gd_doc_result res;
		gd_doc_result_init(&res);
		gd_classify_document(doc, len, &res);
		free(doc);
		if (r < 0)
			return r;
		char out[1024];
		gd_doc_result_format(&res, j->id, out, sizeof(out));
		d->expected[k] = strdup(out);
	}
	return 0;
}

static int document_command(const gd_job_run *run, void *state,
			    const gd_plan_job *j, gd_job_cmd *c, gd_error **err)
{
	(void)state;
	const gd_cluster_state *st = run->st;
	bool ok = gd_job_cmd_add(c, "%s/gd-job", st->node_programs) &&
		  gd_job_cmd_add(c, "%s", j->id) &&
		  gd_job_cmd_add(c, "%s/in/%s.txt", st->node_shared, j->id) &&
		  gd_job_cmd_add(c, "%s/out/%s.json", st->node_shared, j->id) &&
		  gd_job_cmd_add(c, "--scratch") &&
		  gd_job_cmd_add(c, "%s/gd-job", st->node_scratch) &&
		  gd_job_cmd_add(c, "--runtime-ms") &&
		  gd_job_cmd_add(c, "%lld",
				 (long long)((double)j->runtime /
					     run->p->scenario->time_scale)) &&
		  gd_job_cmd_add(c, "--record-dir") &&
		  gd_job_cmd_add(c, "%s/done", st->node_shared) &&
		  gd_job_cmd_add(c, "--progress-dir") &&
		  gd_job_cmd_add(c, "%s/" GD_PROGRESS_DIR, st->node_shared);
	return ok ? 0
		  : gd_error_make(err, E2BIG, "job %s: command too long",
				  j->id);
}

/* The attempts that got as far as writing their output leave a record
 * each (gd-job --record-dir); more than one is the job done twice.
 * Their names ("w1-1, w2-2") go into where. */
static size_t completed_attempts(const char *shared, const char *job,
				 gd_strbuf *where)
{
	char dir[PATH_MAX];
	gd_pathf(dir, sizeof(dir), "%s/done", shared);
	_cleanup_dir_ DIR *d = opendir(dir);
	size_t n = 0, len = strlen(job);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, job, len) != 0 || e->d_name[len] != '.')
			continue;
		gd_strbuf_addf(where, "%s%s", n++ ? ", " : "",
			       e->d_name + len + 1);
	}
	return n;
}

/* A temporary file an attempt left behind in the output directory. */
static int partial_output(const char *shared, const char *job, char *name,
			  size_t size)
{
	char dir[PATH_MAX], prefix[128];
	gd_pathf(dir, sizeof(dir), "%s/out", shared);
	snprintf(prefix, sizeof(prefix), "%s.json.tmp.", job);
	_cleanup_dir_ DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			snprintf(name, size, "%s", e->d_name);
			return 1;
		}
	return 0;
}

static void document_judge(const gd_job_run *run, void *state, gd_job_end *j)
{
	document_state *d = state;
	const char *expected = d->expected[j->plan - run->p->jobs];
	char out[PATH_MAX], partial[NAME_MAX + 1];
	gd_pathf(out, sizeof(out), "%s/out/%s.json", run->st->node_shared,
		 j->plan->id);
	if (j->failed) {
		j->outcome = GD_OUT_FAILED;
		snprintf(j->why, sizeof(j->why), "the job system says %s",
			 j->state);
		return;
	}
	_cleanup_free_ char *got = NULL;
	_cleanup_error_ gd_error *e = NULL;
	if (gd_jobsys_output(run->js, j->plan->id, j->sys_id, out, &got, &e) <
	    0) {
		j->outcome = GD_OUT_WRONG;
		snprintf(j->why, sizeof(j->why), "%s", e->msg);
		return;
	}
	_cleanup_strbuf_ gd_strbuf where = GD_STRBUF_INIT;
	size_t done = completed_attempts(run->shared, j->plan->id, &where);
	if (!got || strcmp(got, expected) != 0) {
		j->outcome = GD_OUT_WRONG;
		snprintf(j->why, sizeof(j->why), "%s",
			 got ? "the output differs from the oracle's"
			     : "no output");
	} else if (partial_output(run->shared, j->plan->id, partial,
				  sizeof(partial))) {
		j->outcome = GD_OUT_WRONG;
		snprintf(j->why, sizeof(j->why),
			 "an attempt left a partial output (%s)", partial);
	} else if (done > 1) {
		j->outcome = GD_OUT_DUPLICATED;
		snprintf(j->why, sizeof(j->why),
			 "%zu attempts ran to the end (%s)", done, where.buf);
	} else {
		j->outcome = GD_OUT_CORRECT;
	}
}

static const gd_job_ops document_ops = {
	.prepare = document_prepare,
	.command = document_command,
	.judge = document_judge,
	.free_state = document_free,
};

const gd_job_kind gd_job_kind_document = {
	.name = "document",
	.keys = document_keys,
	.nkeys = GD_ARRAY_SIZE(document_keys),
	.parse = document_parse,
	.ops = &document_ops,
};
