/* The verdict's definitions (docs/verdict.md), each on a small
 * hand-written log: progress, stalls, silent failures, noticing,
 * recovery, alerts, changes that stay, and the score's parts.  Logs are
 * at time scale 1 with t0 = 0, so t_ms is scenario time. */
#include "unit.h"

#include "score/score.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M 60000LL /* a minute */

struct log {
	char *text;
	size_t len, cap;
};

static void add(struct log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add(struct log *l, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(line) - 1);
	if (l->len + (size_t)n + 2 > l->cap) {
		l->cap = (l->len + (size_t)n + 2) * 2;
		l->text = realloc(l->text, l->cap);
		assert_non_null(l->text);
	}
	memcpy(l->text + l->len, line, (size_t)n);
	l->len += (size_t)n;
	l->text[l->len++] = '\n';
	l->text[l->len] = '\0';
}

/* A run of two workers; expect is the run-started "expect" object,
 * extra more of its keys (",\"alerts\":[...]" or ""). */
static void begin(struct log *l, const char *expect, const char *extra)
{
	add(l,
	    "{\"event\":\"run-started\",\"t_ms\":0,\"time_scale\":1,"
	    "\"log_version\":3,\"scenario\":\"t\",\"system\":\"slurm\","
	    "\"seed\":1,\"expect\":%s,\"nodes\":[{\"name\":\"w1\",\"role\":"
	    "\"worker\"},{\"name\":\"w2\",\"role\":\"worker\"}]%s}",
	    expect, extra);
}

/* A job of group g planned at 0, expected 20-40m, deadline 24h. */
static void job(struct log *l, const char *id, const char *g)
{
	add(l,
	    "{\"event\":\"job-planned\",\"t_ms\":0,\"job\":\"%s\",\"group\":"
	    "\"%s\",\"submit_ms\":0,\"deadline_ms\":86400000,"
	    "\"expected_lo_ms\":1200000,\"expected_hi_ms\":2400000}",
	    id, g);
	add(l, "{\"event\":\"job-submitted\",\"t_ms\":0,\"job\":\"%s\"}", id);
}

static void started(struct log *l, long long at, const char *id,
		    const char *node)
{
	add(l,
	    "{\"event\":\"job-started\",\"t_ms\":%lld,\"job\":\"%s\","
	    "\"node\":\"%s\",\"attempt\":1}",
	    at, id, node);
}

static void progress(struct log *l, long long at, const char *id,
		     const char *node)
{
	add(l,
	    "{\"event\":\"job-progress\",\"t_ms\":%lld,\"job\":\"%s\","
	    "\"node\":\"%s\",\"line\":\"step\"}",
	    at, id, node);
}

static void finished(struct log *l, long long at, const char *id)
{
	add(l,
	    "{\"event\":\"job-finished\",\"t_ms\":%lld,\"job\":\"%s\","
	    "\"state\":\"COMPLETED\"}",
	    at, id);
	add(l,
	    "{\"event\":\"job-outcome\",\"t_ms\":%lld,\"job\":\"%s\","
	    "\"outcome\":\"correct\",\"on_time\":true}",
	    at, id);
}

static void state(struct log *l, long long at, const char *node,
		  const char *word)
{
	add(l,
	    "{\"event\":\"node-state\",\"t_ms\":%lld,\"node\":\"%s\","
	    "\"state\":\"%s\"}",
	    at, node, word);
}

/* A fault on node applied at a, healed at h (h < 0: never). */
static void fault(struct log *l, const char *id, const char *kind,
		  const char *node, long long a, long long h)
{
	add(l,
	    "{\"event\":\"fault-applied\",\"t_ms\":%lld,\"fault\":\"%s\","
	    "\"step\":\"%s\",\"kind\":\"%s\",\"nodes\":[\"%s\"],"
	    "\"evidence_ok\":true,\"scheduled_ms\":%lld}",
	    a, id, id, kind, node, a);
	if (h >= 0)
		add(l,
		    "{\"event\":\"fault-healed\",\"t_ms\":%lld,\"fault\":"
		    "\"%s\",\"step\":\"%s\",\"kind\":\"%s\",\"nodes\":"
		    "[\"%s\"],\"evidence_ok\":true,\"scheduled_ms\":%lld}",
		    h, id, id, kind, node, h);
}

static void end(struct log *l, long long at)
{
	add(l, "{\"event\":\"run-finished\",\"t_ms\":%lld}", at);
}

static json_t *score(struct log *l)
{
	gd_error *err = NULL;
	json_t *r = gd_score_text(l->text, l->len, "t.jsonl", &err);
	if (!r)
		fail_msg("%s", err ? err->msg : "no result");
	free(l->text);
	memset(l, 0, sizeof(*l));
	return r;
}

static json_int_t num(json_t *o, const char *path)
{
	json_t *v = o;
	char key[64];
	for (const char *p = path; v && *p;) {
		size_t n = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		v = json_is_array(v) ? json_array_get(v, (size_t)atoi(key))
				     : json_object_get(v, key);
		p += n + (p[n] == '.');
	}
	return json_integer_value(v);
}

static json_t *fault_of(json_t *r, const char *id)
{
	size_t i;
	json_t *f;
	json_array_foreach (
		json_object_get(json_object_get(r, "faults"), "list"), i, f) {
		if (strcmp(json_string_value(json_object_get(f, "id")), id) ==
		    0)
			return f;
	}
	fail_msg("no fault %s", id);
	return NULL;
}

static const char *verdict(json_t *r)
{
	return json_string_value(json_object_get(r, "verdict"));
}

/* Two jobs that report every 5 minutes and finish: no stall, 100. */
static void a_clean_day_scores_full_marks(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	job(&l, "a", "g");
	job(&l, "b", "g");
	started(&l, 0, "a", "w1");
	started(&l, 0, "b", "w2");
	for (long long t = 5 * M; t < 30 * M; t += 5 * M) {
		progress(&l, t, "a", "w1");
		progress(&l, t, "b", "w2");
	}
	finished(&l, 30 * M, "a");
	finished(&l, 30 * M, "b");
	end(&l, 31 * M);
	json_t *r = score(&l);
	assert_string_equal(verdict(r), "pass");
	assert_int_equal(num(r, "score.total"), 100);
	assert_int_equal(num(r, "measures.longest_stall_ms"), 5 * M);
	assert_true(json_is_true(
		json_object_get(json_object_get(r, "log"), "progress_events")));
	json_decref(r);
}

/* A job that starts and never progresses while its node looks healthy:
 * its group reports progress, so it is stalled from its start; past the
 * limit (40m, the expected top) that is a silent failure on its node. */
static void a_start_is_not_progress(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	state(&l, 0, "w1", "idle");
	state(&l, 0, "w2", "idle");
	job(&l, "a", "g");
	job(&l, "b", "g");
	started(&l, 0, "a", "w1");
	progress(&l, 5 * M, "a", "w1");
	finished(&l, 10 * M, "a");
	started(&l, 10 * M, "b", "w2");
	/* b restarts: a start again, still not progress */
	started(&l, 30 * M, "b", "w2");
	finished(&l, 130 * M, "b");
	end(&l, 131 * M);
	json_t *r = score(&l);
	assert_string_equal(verdict(r), "fail");
	json_t *sf = json_object_get(r, "silent_failures");
	assert_int_equal(json_array_size(sf), 1);
	assert_int_equal(num(sf, "0.from_ms"), 10 * M);
	assert_int_equal(num(sf, "0.length_ms"), 120 * M);
	assert_string_equal(
		json_string_value(json_array_get(
			json_object_get(json_array_get(sf, 0), "nodes"), 0)),
		"w2");
	json_decref(r);
}

/* A group that never reports progress: each job counts as progressing
 * from its start to the top of its expected range, then as stalled. */
static void
a_job_without_progress_lines_progresses_to_its_expected_top(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	job(&l, "a", "quiet");
	started(&l, 0, "a", "w1");
	finished(&l, 100 * M, "a");
	end(&l, 101 * M);
	json_t *r = score(&l);
	assert_int_equal(num(r, "measures.longest_stall_ms"), 60 * M);
	assert_int_equal(num(r, "measures.longest_stall_from_ms"), 40 * M);
	/* no node state was ever bad: silent */
	assert_int_equal(json_array_size(json_object_get(r, "silent_failures")),
			 1);
	assert_true(json_is_false(
		json_object_get(json_object_get(r, "log"), "progress_events")));
	json_decref(r);
}

/* A stall while a node is down is a stall, not a silent one: the job
 * system said something was wrong. */
static void a_stall_the_job_system_reports_is_not_silent(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{\"max_stall_ms\":1800000}", "");
	state(&l, 0, "w1", "idle");
	job(&l, "a", "g");
	started(&l, 0, "a", "w1");
	progress(&l, 5 * M, "a", "w1");
	state(&l, 10 * M, "w1", "down*");
	state(&l, 100 * M, "w1", "idle");
	progress(&l, 105 * M, "a", "w1");
	finished(&l, 110 * M, "a");
	end(&l, 111 * M);
	json_t *r = score(&l);
	assert_int_equal(json_array_size(json_object_get(r, "silent_failures")),
			 0);
	assert_int_equal(num(r, "measures.longest_stall_ms"), 100 * M);
	assert_string_equal(verdict(r), "fail"); /* max_stall: 30m */
	json_decref(r);
}

/* A reboot brings w1 back changed and nothing undoes the change: two
 * faults; the reboot is noticed (its node went down), the change never
 * (the node looks healthy), and never undone. */
static void a_change_never_undone_is_a_fault_of_its_own(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	state(&l, 0, "w1", "idle");
	job(&l, "a", "g");
	started(&l, 0, "a", "w1");
	progress(&l, 5 * M, "a", "w1");
	fault(&l, "r", "reboot", "w1", 10 * M, -1);
	state(&l, 12 * M, "w1", "down*");
	add(&l, "{\"event\":\"job-requeued\",\"t_ms\":%lld,\"job\":\"a\"}",
	    12 * M);
	add(&l,
	    "{\"event\":\"fault-healed\",\"t_ms\":%lld,\"fault\":\"r\","
	    "\"step\":\"r\",\"kind\":\"reboot\",\"nodes\":[\"w1\"],"
	    "\"evidence_ok\":true,\"back_changed\":true,\"change\":\"uid "
	    "2001 to the end\",\"scheduled_ms\":%lld}",
	    20 * M, 20 * M);
	state(&l, 21 * M, "w1", "idle");
	started(&l, 21 * M, "a", "w1");
	/* gameday's clean-up as the run stops is not the day's */
	add(&l,
	    "{\"event\":\"change-reverted\",\"t_ms\":%lld,\"fault\":\"r\","
	    "\"cleanup\":true}",
	    300 * M);
	end(&l, 300 * M);
	json_t *r = score(&l);
	json_t *reboot = fault_of(r, "r"), *change = fault_of(r, "r.back_with");
	assert_string_equal(json_string_value(json_object_get(change, "kind")),
			    "change");
	assert_true(json_is_null(json_object_get(change, "healed_ms")));
	assert_true(json_is_null(json_object_get(change, "noticed")));
	assert_true(json_is_null(json_object_get(change, "recovered_ms")));
	assert_int_equal(num(reboot, "noticed.after_ms"), 2 * M);
	/* its node came back, but nothing progressed there again */
	assert_true(json_is_null(json_object_get(reboot, "recovered_ms")));
	assert_int_equal(num(r, "measures.faults_never_undone"), 1);
	assert_int_equal(json_array_size(json_object_get(r, "silent_failures")),
			 1);
	assert_int_equal(num(r, "silent_failures.0.from_ms"), 21 * M);
	json_decref(r);
}

/* Two overlapping faults on different nodes: each noticed by its own
 * node's signal, each recovered by progress on its own node. */
static void overlapping_faults_are_noticed_and_recovered_apart(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	job(&l, "a", "g");
	job(&l, "b", "g");
	started(&l, 0, "a", "w1");
	started(&l, 0, "b", "w2");
	fault(&l, "p1", "pause", "w1", 10 * M, 30 * M);
	fault(&l, "p2", "pause", "w2", 20 * M, 25 * M);
	state(&l, 22 * M, "w2", "idle*");
	state(&l, 26 * M, "w2", "allocated");
	progress(&l, 27 * M, "b", "w2");
	progress(&l, 33 * M, "a", "w1");
	finished(&l, 40 * M, "a");
	finished(&l, 40 * M, "b");
	end(&l, 41 * M);
	json_t *r = score(&l);
	json_t *p1 = fault_of(r, "p1"), *p2 = fault_of(r, "p2");
	assert_true(json_is_null(json_object_get(p1, "noticed")));
	assert_int_equal(num(p2, "noticed.after_ms"), 2 * M);
	assert_int_equal(num(p1, "recovered_ms"), 3 * M);
	assert_int_equal(num(p2, "recovered_ms"), 2 * M);
	json_decref(r);
}

/* Declared alerts fire on the log and notice what they point at: a job
 * running past twice its expected top on its node; no job finished for
 * 45m at the whole cluster while the fault is in place. */
static void declared_alerts_fire_and_notice(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}",
	      ",\"alerts\":[{\"name\":\"slow\",\"job_running_over_x\":2},"
	      "{\"name\":\"quiet\",\"no_job_finished_for_ms\":2700000}]");
	job(&l, "a", "g");
	started(&l, 0, "a", "w1");
	fault(&l, "s", "skew", "w1", 5 * M, 200 * M);
	progress(&l, 201 * M, "a", "w1");
	finished(&l, 210 * M, "a");
	end(&l, 211 * M);
	json_t *r = score(&l);
	json_t *al = json_object_get(r, "alerts");
	/* in the order declared: slow at 80m; quiet once, at 45m (it fires
	 * again only after a job finished) */
	assert_int_equal(json_array_size(al), 2);
	assert_int_equal(num(al, "0.at_ms"), 80 * M);
	assert_int_equal(num(al, "1.at_ms"), 45 * M);
	json_t *s = fault_of(r, "s");
	/* "quiet" at 45m comes first, pointing at the cluster */
	assert_int_equal(num(s, "noticed.at_ms"), 45 * M);
	assert_int_equal(num(s, "recovered_ms"), 1 * M);
	json_decref(r);
}

/* A run stopped early: its jobs never finished; the stop is a reason and
 * the stall runs to the end of the log. */
static void a_run_stopped_early(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	job(&l, "a", "g");
	started(&l, 0, "a", "w1");
	progress(&l, 5 * M, "a", "w1");
	add(&l,
	    "{\"event\":\"run-stopped\",\"t_ms\":%lld,\"why\":\"no progress\"}",
	    65 * M);
	end(&l, 65 * M);
	json_t *r = score(&l);
	assert_string_equal(verdict(r), "fail");
	assert_int_equal(num(r, "measures.longest_stall_ms"), 60 * M);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(r, "reasons"), 0)),
			    "stopped: no progress");
	json_decref(r);
}

/* An exec system without a nodes command logs "unknown": silence, which
 * neither alarms nor notices; a requeue still does. */
static void an_exec_system_without_node_states(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	state(&l, 0, "w1", "unknown");
	state(&l, 0, "w2", "unknown");
	job(&l, "a", "g");
	started(&l, 0, "a", "w1");
	progress(&l, 5 * M, "a", "w1");
	fault(&l, "k", "kill", "w1", 10 * M, 20 * M);
	add(&l, "{\"event\":\"job-requeued\",\"t_ms\":%lld,\"job\":\"a\"}",
	    25 * M);
	started(&l, 26 * M, "a", "w2");
	progress(&l, 90 * M, "a", "w2");
	finished(&l, 95 * M, "a");
	end(&l, 96 * M);
	json_t *r = score(&l);
	json_t *k = fault_of(r, "k");
	assert_int_equal(num(k, "noticed.after_ms"), 15 * M);
	/* 5m to 90m stalled; the requeue at 25m cuts it: 20m, not silent,
	 * then 65m with nothing reported */
	assert_int_equal(json_array_size(json_object_get(r, "silent_failures")),
			 1);
	assert_int_equal(num(r, "silent_failures.0.from_ms"), 25 * M);
	assert_int_equal(num(r, "silent_failures.0.length_ms"), 65 * M);
	json_decref(r);
}

/* A job the job system holds after a refused launch: the hold is a
 * signal on the node it last ran on, and cuts a stall's silence. */
static void a_held_job_is_noticed_and_not_silent(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	job(&l, "a", "g");
	started(&l, 0, "a", "w1");
	progress(&l, 5 * M, "a", "w1");
	fault(&l, "cut", "partition", "w1", 10 * M, 50 * M);
	add(&l,
	    "{\"event\":\"job-held\",\"t_ms\":%lld,\"job\":\"a\","
	    "\"reason\":\"launch failed requeued held\"}",
	    52 * M);
	end(&l, 300 * M);
	json_t *r = score(&l);
	json_t *cut = fault_of(r, "cut");
	assert_int_equal(num(cut, "noticed.after_ms"), 42 * M);
	/* 5m to 52m, then 52m to the end: each side of the hold */
	assert_int_equal(num(r, "silent_failures.0.length_ms"), 47 * M);
	assert_int_equal(num(r, "silent_failures.1.from_ms"), 52 * M);
	json_decref(r);
}

/* The job system not answering (its controller stopped) is something
 * the team sees: no silence while it lasts, and it notices what is in
 * place then. */
static void a_job_system_not_answering_is_not_silent(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	job(&l, "a", "g");
	fault(&l, "p", "pause", "ctl", 1 * M, 60 * M);
	add(&l,
	    "{\"event\":\"job-system-error\",\"t_ms\":%lld,\"error\":"
	    "\"squeue timed out\"}",
	    2 * M);
	add(&l,
	    "{\"event\":\"job-system-error\",\"t_ms\":%lld,\"error\":"
	    "\"sbatch timed out\"}",
	    30 * M);
	add(&l, "{\"event\":\"job-system-answering\",\"t_ms\":%lld}", 61 * M);
	started(&l, 62 * M, "a", "w1");
	progress(&l, 65 * M, "a", "w1");
	finished(&l, 70 * M, "a");
	end(&l, 71 * M);
	json_t *r = score(&l);
	assert_int_equal(json_array_size(json_object_get(r, "silent_failures")),
			 0);
	assert_int_equal(num(r, "measures.longest_stall_ms"), 65 * M);
	assert_int_equal(num(fault_of(r, "p"), "noticed.after_ms"), 1 * M);
	json_decref(r);
}

/* The score's parts add up, and a wrong output caps it. */
static void a_wrong_output_caps_the_score(void **st)
{
	(void)st;
	struct log l = {0};
	begin(&l, "{}", "");
	job(&l, "a", "g");
	started(&l, 0, "a", "w1");
	progress(&l, 5 * M, "a", "w1");
	add(&l,
	    "{\"event\":\"job-finished\",\"t_ms\":%lld,\"job\":\"a\","
	    "\"state\":\"COMPLETED\"}",
	    30 * M);
	add(&l,
	    "{\"event\":\"job-outcome\",\"t_ms\":%lld,\"job\":\"a\","
	    "\"outcome\":\"wrong\",\"on_time\":true}",
	    30 * M);
	end(&l, 31 * M);
	json_t *r = score(&l);
	assert_int_equal(num(r, "score.total"), 20);
	assert_int_equal(json_array_size(json_object_get(
				 json_object_get(r, "score"), "parts")),
			 5);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_clean_day_scores_full_marks),
		cmocka_unit_test(a_start_is_not_progress),
		cmocka_unit_test(
			a_job_without_progress_lines_progresses_to_its_expected_top),
		cmocka_unit_test(a_stall_the_job_system_reports_is_not_silent),
		cmocka_unit_test(a_change_never_undone_is_a_fault_of_its_own),
		cmocka_unit_test(
			overlapping_faults_are_noticed_and_recovered_apart),
		cmocka_unit_test(declared_alerts_fire_and_notice),
		cmocka_unit_test(a_run_stopped_early),
		cmocka_unit_test(an_exec_system_without_node_states),
		cmocka_unit_test(a_held_job_is_noticed_and_not_silent),
		cmocka_unit_test(a_job_system_not_answering_is_not_silent),
		cmocka_unit_test(a_wrong_output_caps_the_score),
	};
	return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
