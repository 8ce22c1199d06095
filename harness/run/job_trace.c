/* The trace job kind: a recorded day of a production cluster replayed
 * (docs/trace.md).  Each job of the export is one of gameday's document
 * jobs (gd-job, judged by the oracle) doing the work the export says it
 * did, submitted at its recorded offset with its CPUs and partition; the
 * reading of the export is workload/trace.c's. */
#include "run/job.h"

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "scenario/parse.h"
#include "workload/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const trace_keys[] = {"trace", "window", "cap_cpus"};
static const char *const window_keys[] = {"from", "length"};
static const char *const deadline_keys[] = {"rule", "unlimited"};
static const char *const deadline_rules[] = {"time_limit", "wait_and_limit"};
static const char *const expected_keys[] = {"elapsed_plus"};

/* The plan's curve has at most this many buckets, each a whole number
 * of these durations (the first that fits). */
#define CURVE_BUCKETS 48
static const gd_ms bucket_sizes[] = {60000,    120000,	 300000,   600000,
				     900000,   1800000,	 3600000,  7200000,
				     21600000, 43200000, 86400000, 604800000};

typedef struct trace_spec {
	const char *rel; /* as written, for the plan */
	gd_trace t;
	gd_trace_opts opts;
	const char *from; /* the window's start as written; NULL: none */
	gd_trace_deadline_rule rule;
	/* expected: each job's Elapsed up to Elapsed + plus, or [lo, hi]
	 * for every job when plus < 0 */
	gd_ms plus, lo, hi;
	bool partitions;       /* passed to the job system, else its default */
	gd_job_resources *res; /* per job of t */
	const char **ids;      /* gameday's, per job of t */
} trace_spec;

extern const gd_job_kind gd_job_kind_document;

static void parse_window(gd_reader *r, json_t *v, trace_spec *ts)
{
	if (!rd_object(r, v, "a window of the export", window_keys,
		       GD_ARRAY_SIZE(window_keys), NULL, 0))
		return;
	const char *why = NULL;
	if (RD_FIELD(rd_as_string, r, v, "from", true, &ts->from) &&
	    gd_trace_time_parse(ts->from, &ts->opts.window_from, &why) < 0) {
		rd_error_at(r, "from", "\"%s\": expected %s", ts->from, why);
		ts->from = NULL;
	}
	if (RD_FIELD(rd_as_positive_duration, r, v, "length", true,
		     &ts->opts.window_length) &&
	    ts->from)
		ts->opts.has_window = true;
}

/* "deadline": a duration for every job, or a rule on each job's own
 * time limit with the deadline of a job that has none. */
static bool parse_deadline(gd_reader *r, json_t *v, trace_spec *ts)
{
	if (json_is_string(v)) {
		ts->rule.kind = GD_TRACE_DEADLINE_FIXED;
		return rd_as_positive_duration(r, v, &ts->rule.fixed);
	}
	if (!json_is_object(v)) {
		rd_error(r,
			 "expected a duration for every job, or "
			 "{\"rule\": \"time_limit\" or \"wait_and_limit\", "
			 "\"unlimited\": a duration}, got %s",
			 rd_type_name(v));
		return false;
	}
	if (!rd_object(r, v, "a deadline rule", deadline_keys,
		       GD_ARRAY_SIZE(deadline_keys), NULL, 0))
		return false;
	int rule;
	bool ok = RD_FIELD(rd_as_choice, r, v, "rule", true, deadline_rules,
			   GD_ARRAY_SIZE(deadline_rules), &rule);
	ok = RD_FIELD(rd_as_positive_duration, r, v, "unlimited", true,
		      &ts->rule.fixed) &&
	     ok;
	ts->rule.kind = rule == 0 ? GD_TRACE_DEADLINE_LIMIT
				  : GD_TRACE_DEADLINE_WAIT_AND_LIMIT;
	return ok;
}

/* "expected": a range for every job, or {"elapsed_plus": d}: each job's
 * recorded Elapsed up to Elapsed + d. */
static bool parse_expected(gd_reader *r, json_t *v, trace_spec *ts)
{
	ts->plus = -1;
	if (json_is_string(v))
		return rd_as_range(r, v, &ts->lo, &ts->hi);
	if (!json_is_object(v)) {
		rd_error(r,
			 "expected a range for every job (\"20m..40m\"), or "
			 "{\"elapsed_plus\": a duration}, got %s",
			 rd_type_name(v));
		return false;
	}
	if (!rd_object(r, v, "an expected duration", expected_keys,
		       GD_ARRAY_SIZE(expected_keys), NULL, 0))
		return false;
	return RD_FIELD(rd_as_duration, r, v, "elapsed_plus", true, &ts->plus);
}

/* The CPUs of the largest node the job system runs jobs on. */
static unsigned largest_worker(const gd_cluster *c)
{
	unsigned most = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		if (gd_jobsys_runs_jobs(c, i) &&
		    (unsigned)c->roles[c->nodes[i].role].cpus > most)
			most = (unsigned)c->roles[c->nodes[i].role].cpus;
	return most;
}

static void job_expected(const trace_spec *ts, const gd_trace_job *j, gd_ms *lo,
			 gd_ms *hi)
{
	*lo = ts->plus < 0 ? ts->lo : j->work;
	*hi = ts->plus < 0 ? ts->hi : j->work + ts->plus;
}

/* Every job can meet its deadline without faults; the group's deadline
 * and expected hold the tightest of its jobs' for the fidelity check. */
static void check_jobs(gd_reader *r, const gd_cluster *c, trace_spec *ts,
		       gd_job_group *g)
{
	gd_ms slack = -1, lo = -1, hi = 0;
	ts->res = gd_arena_array(r->arena, ts->t.njobs + 1, sizeof(*ts->res));
	ts->ids = gd_arena_array(r->arena, ts->t.njobs + 1, sizeof(*ts->ids));
	for (size_t k = 0; k < ts->t.njobs; k++) {
		const gd_trace_job *j = &ts->t.jobs[k];
		gd_ms d = gd_trace_deadline(j, &ts->rule), jlo, jhi;
		char a[32], b[32];
		job_expected(ts, j, &jlo, &jhi);
		if (j->work >= d) {
			rd_error_at(
				r, "deadline",
				"%s:%u: job %s ran %s (Elapsed, %s) but its deadline is %s: it would miss it even without faults",
				ts->opts.file, j->line, j->id,
				gd_duration_format(j->work, a, sizeof(a)),
				j->state, gd_duration_format(d, b, sizeof(b)));
			return;
		}
		if (jhi > d)
			jhi = d;
		if (slack < 0 || d - jhi < slack)
			slack = d - jhi;
		if (jlo > 0 && (lo < 0 || jlo < lo))
			lo = jlo;
		hi = jhi > hi ? jhi : hi;
		ts->ids[k] = gd_arena_printf(r->arena, "%s-%s", g->name, j->id);
		if (ts->partitions &&
		    gd_jobsys_has_partition(c, j->partition) == 0) {
			rd_error_at(
				r, "trace",
				"%s:%u: job %s ran in partition \"%s\", which the cluster's configuration file (%s) does not name",
				ts->opts.file, j->line, j->id, j->partition,
				c->conf_rel);
			return;
		}
		ts->res[k].cpus = (long)j->ncpus;
		ts->res[k].partition = ts->partitions ? j->partition : NULL;
	}
	g->expected_lo = lo < 0 ? 0 : lo;
	g->expected_hi = hi;
	g->deadline = hi + slack;
	g->runtime_lo = g->runtime_hi = 0;
}

static void load_trace(gd_reader *r, json_t *v, const gd_scenario *s,
		       trace_spec *ts)
{
	const char *rel;
	if (!RD_FIELD(rd_as_string, r, v, "trace", true, &rel))
		return;
	ts->rel = rel;
	ts->opts.file = rd_beside(r->arena, r->file, rel);
	ts->opts.max_cpus = largest_worker(&s->cluster);
	_cleanup_error_ gd_error *e = NULL;
	if (gd_trace_load(r->arena, ts->opts.file, &ts->opts, &ts->t, &e) < 0)
		rd_error_at(r, "trace", "%s%s", e->msg,
			    strstr(e->msg, "the most any node has") &&
					    !ts->opts.cap_cpus
				    ? " (or \"cap_cpus\": true lowers such "
				      "jobs to it)"
				    : "");
	else if (!ts->t.njobs)
		rd_error_at(r, "trace",
			    "%s has no job to replay%s: %zu outside it, %zu "
			    "never ran",
			    ts->opts.file,
			    ts->opts.has_window ? " in the window" : "",
			    ts->t.outside, ts->t.never_ran);
}

static void trace_parse(gd_reader *r, json_t *v, const gd_scenario *s,
			gd_job_group *g)
{
	trace_spec *ts = gd_arena_alloc(r->arena, sizeof(*ts));
	g->spec = ts;
	if (g->submit_over || g->submit_every)
		rd_error_at(r, "submit",
			    "a trace's jobs are submitted at their recorded "
			    "offsets: only \"at\" (where the window starts) "
			    "applies");
	unsigned before = rd_errors(r);
	RD_FIELD(rd_as_bool, r, v, "cap_cpus", false, &ts->opts.cap_cpus);
	RD_SECTION(parse_window, r, v, "window", false, ts);
	RD_SECTION(parse_deadline, r, v, "deadline", true, ts);
	RD_SECTION(parse_expected, r, v, "expected", true, ts);
	/* Without the team's partitions the cluster has only gameday's
	 * default one: the export's names would be refused at submission. */
	ts->partitions = gd_jobsys_has_partition(&s->cluster, "") >= 0;
	load_trace(r, v, s, ts);
	/* each job is checked against rules that were read whole */
	if (rd_errors(r) != before)
		return;
	g->jobs = (unsigned)ts->t.njobs;
	check_jobs(r, &s->cluster, ts, g);
}

static void trace_job(const gd_job_group *g, unsigned k, gd_kind_job *out)
{
	const trace_spec *ts = g->spec;
	const gd_trace_job *j = &ts->t.jobs[k];
	out->id = ts->ids[k];
	out->submit = j->submit;
	out->runtime = j->work;
	out->deadline = gd_trace_deadline(j, &ts->rule);
	job_expected(ts, j, &out->expected_lo, &out->expected_hi);
	if (out->expected_hi > out->deadline)
		out->expected_hi = out->deadline;
}

/* Job j of the plan as the trace's: its index there. */
static size_t trace_index(const trace_spec *ts, const gd_plan_job *j)
{
	for (size_t k = 0; k < ts->t.njobs; k++)
		if (ts->ids[k] == j->id)
			return k;
	return ts->t.njobs;
}

/* gd-job as for a document job, with the CPUs and partition the job
 * had. */
static int trace_command(const gd_job_run *run, void *state,
			 const gd_plan_job *j, gd_job_cmd *c, gd_error **err)
{
	const trace_spec *ts = run->p->scenario->groups[j->group].spec;
	size_t k = trace_index(ts, j);
	if (k == ts->t.njobs)
		return gd_error_make(err, ENOENT, "job %s: not in its trace",
				     j->id);
	c->res = &ts->res[k];
	return gd_job_kind_document.ops->command(run, state, j, c, err);
}

/* The bucket of the plan's curve: the first size giving at most
 * CURVE_BUCKETS of them over the span. */
static gd_ms curve_bucket(const gd_trace *t)
{
	for (size_t i = 0; i < GD_ARRAY_SIZE(bucket_sizes); i++)
		if (t->span / bucket_sizes[i] < CURVE_BUCKETS)
			return bucket_sizes[i];
	return bucket_sizes[GD_ARRAY_SIZE(bucket_sizes) - 1];
}

/* The plan's curve: *n buckets of *bucket ms (heap; NULL when out of
 * memory). */
static unsigned *curve_of(const gd_trace *t, gd_ms *bucket, size_t *n)
{
	*bucket = curve_bucket(t);
	*n = gd_trace_nbuckets(t, *bucket);
	unsigned *counts = calloc(*n + 1, sizeof(*counts));
	if (counts)
		gd_trace_curve(t, *bucket, counts, *n);
	return counts;
}

/* A count as one character of the histogram, against the largest. */
static char bar(unsigned n, unsigned most)
{
	static const char levels[] = " .:-=+*#%@";
	if (!n)
		return ' ';
	return levels[1 + (size_t)(n - 1) * 8 / (most ? most : 1)];
}

static void trace_dropped(const gd_trace *t, gd_strbuf *b)
{
	gd_strbuf_addf(b,
		       "%zu outside the window, %zu never ran, %zu pending "
		       "array tasks, %zu steps",
		       t->outside, t->never_ran, t->pending_tasks, t->steps);
}

static void trace_plan_text(const gd_job_group *g, FILE *out)
{
	const trace_spec *ts = g->spec;
	const gd_trace *t = &ts->t;
	char bk[32], w[32];
	gd_ms bucket;
	size_t n;
	_cleanup_free_ unsigned *counts = curve_of(t, &bucket, &n);
	if (!counts)
		return;
	unsigned most = 0;
	for (size_t i = 0; i < n; i++)
		most = counts[i] > most ? counts[i] : most;
	_cleanup_strbuf_ gd_strbuf b = GD_STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		gd_strbuf_addch(&b, bar(counts[i], most));
	fprintf(out, "             trace %s", ts->rel);
	if (ts->from)
		fprintf(out, " from %s for %s", ts->from,
			gd_duration_format(ts->opts.window_length, w,
					   sizeof(w)));
	fprintf(out, "\n             per %s |%s| most %u\n",
		gd_duration_format(bucket, bk, sizeof(bk)), b.buf ? b.buf : "",
		most);
	fprintf(out, "             peak %zu jobs within a minute (%.2f/s)\n",
		gd_trace_peak(t, 60000), gd_trace_peak_rate(t, 60000));
	_cleanup_strbuf_ gd_strbuf d = GD_STRBUF_INIT;
	trace_dropped(t, &d);
	fprintf(out, "             dropped %s", d.buf ? d.buf : "");
	if (t->capped)
		fprintf(out, "; %zu capped to %u CPUs", t->capped,
			ts->opts.max_cpus);
	fprintf(out, "; partitions %s\n",
		ts->partitions ? "as recorded"
			       : "the default (the cluster names none)");
}

static void trace_plan_json(const gd_job_group *g, json_t *o)
{
	const trace_spec *ts = g->spec;
	const gd_trace *t = &ts->t;
	gd_ms bucket;
	size_t n;
	_cleanup_free_ unsigned *counts = curve_of(t, &bucket, &n);
	json_t *curve = json_array();
	for (size_t i = 0; counts && i < n; i++)
		json_array_append_new(curve, json_integer(counts[i]));
	json_object_set_new(
		o, "trace",
		json_pack("{s:s,s:I,s:o,s:I,s:f,s:{s:I,s:I,s:I,s:I},s:I,s:I,"
			  "s:b}",
			  "file", ts->rel, "bucket_ms", (json_int_t)bucket,
			  "curve", curve, "peak_per_minute",
			  (json_int_t)gd_trace_peak(t, 60000),
			  "peak_rate_per_s", gd_trace_peak_rate(t, 60000),
			  "dropped", "outside", (json_int_t)t->outside,
			  "never_ran", (json_int_t)t->never_ran,
			  "pending_tasks", (json_int_t)t->pending_tasks,
			  "steps", (json_int_t)t->steps, "capped",
			  (json_int_t)t->capped, "running",
			  (json_int_t)t->running, "partitions",
			  ts->partitions));
}

static void trace_plan_words(const gd_job_group *g, gd_strbuf *b)
{
	const trace_spec *ts = g->spec;
	char x[32];
	if (ts->rule.kind == GD_TRACE_DEADLINE_FIXED)
		gd_strbuf_addf(
			b, "deadline %s",
			gd_duration_format(ts->rule.fixed, x, sizeof(x)));
	else
		gd_strbuf_addf(
			b, "deadline %s (unlimited: %s)",
			ts->rule.kind == GD_TRACE_DEADLINE_LIMIT
				? "its time limit"
				: "its wait and time limit",
			gd_duration_format(ts->rule.fixed, x, sizeof(x)));
	if (ts->plus >= 0)
		gd_strbuf_addf(b, ", expected its Elapsed up to +%s",
			       gd_duration_format(ts->plus, x, sizeof(x)));
}

/* The rest is the document job's: the documents and their oracle. */
static int trace_prepare(const gd_job_run *run, size_t g, void **state,
			 gd_error **err)
{
	return gd_job_kind_document.ops->prepare(run, g, state, err);
}

static void trace_judge(const gd_job_run *run, void *state, gd_job_end *e)
{
	gd_job_kind_document.ops->judge(run, state, e);
}

static void trace_free(void *state)
{
	gd_job_kind_document.ops->free_state(state);
}

static const gd_job_ops trace_ops_table = {
	.prepare = trace_prepare,
	.command = trace_command,
	.judge = trace_judge,
	.free_state = trace_free,
};

const gd_job_kind gd_job_kind_trace = {
	.name = "trace",
	.keys = trace_keys,
	.nkeys = GD_ARRAY_SIZE(trace_keys),
	.jobs_instead = "trace",
	.parse = trace_parse,
	.job = trace_job,
	.plan_words = trace_plan_words,
	.plan_text = trace_plan_text,
	.plan_json = trace_plan_json,
	.ops = &trace_ops_table,
};
