#include "unit.h"

#include "plan/fidelity.h"
#include "scenario_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Slurm's production timings against their floors (jobsys/slurm.c): a
 * worker is declared DOWN after SlurmdTimeout (300 s; 5 s real at least),
 * a job lost with a node that is back is requeued after BatchStartTimeout
 * + MessageTimeout (20 s; 4 s), munge's credentials live 300 s (10 s), a
 * requeued job waits cred_expire + 1 + sched_interval (181 s; 7 s). */

static gd_plan *plan_steps(const char *steps, gd_scenario **s)
{
	*s = scenario_from("24h", NULL, steps);
	assert_non_null(*s);
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(*s, 1, GD_SEED_COMMAND_LINE, &d);
	gd_diags_clear(&d);
	assert_non_null(p);
	return p;
}

static void
a_short_reboot_outlives_the_requeue_window_only_in_production(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps("[{\"id\": \"r\", \"kind\": \"reboot\", "
				"\"at\": \"1h\", \"for\": \"5m\", "
				"\"targets\": \"w1\"}]",
				&s);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 600, v, 4), 1);
	assert_string_equal(v[0].entry->id, "r");
	assert_string_equal(s->cluster.nodes[v[0].node].name, "w1");
	assert_int_equal(v[0].timing.kind, GD_TIMING_BACK);
	assert_true(v[0].longer);
	/* 300 s >= 1.5 x 4 s x 50, not x 51 */
	assert_true(v[0].max_scale == 50);
	assert_true(gd_fidelity_max_scale(p) == 50);
	assert_int_equal(gd_fidelity_check(p, 50, v, 4), 0);
	assert_int_equal(gd_fidelity_check(p, 51, v, 4), 1);
	char buf[512];
	gd_fidelity_explain(p, &v[0], 51, buf, sizeof(buf));
	assert_non_null(strstr(buf, "step \"r\" keeps w1 down for 5m; Slurm "));
	assert_non_null(strstr(buf, "20s in production (shorter than that)"));
	assert_non_null(
		strstr(buf, "at scale 51 (4s real); holds up to scale 50"));
	gd_scenario_free(s);
}

static void a_long_pause_must_still_outlast_slurmdtimeout(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps("[{\"id\": \"z\", \"kind\": \"pause\", "
				"\"at\": \"1h\", \"for\": \"1h\", "
				"\"targets\": \"w2\"}]",
				&s);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 600, v, 4), 2);
	assert_int_equal(v[0].timing.kind, GD_TIMING_SILENT);
	assert_string_equal(v[0].timing.name, "SlurmdTimeout");
	/* a frozen node's pings each wait out 2 x MessageTimeout + 1 = 5 s,
	 * so Slurm declares it DOWN as late as 5 + 2 x 5 = 15 s:
	 * 3600 s >= 1.5 x 15 s x 160 */
	assert_true(v[0].max_scale == 160);
	/* a frozen node keeps its jobs: Slurm must have them ready to run
	 * elsewhere before it thaws, 3600 s >= 1.5 x (15 + 7) s x 109 */
	assert_int_equal(v[1].timing.kind, GD_TIMING_STRANDED);
	assert_true(v[1].max_scale == 109);
	assert_int_equal(gd_fidelity_check(p, 109, v, 4), 0);
	char buf[1024];
	assert_int_equal(gd_fidelity_check(p, 200, v, 4), 2);
	gd_fidelity_explain(p, &v[0], 200, buf, sizeof(buf));
	assert_non_null(strstr(buf, "8m20s in production (shorter than that), "
				    "50m at scale 200 (15s real)"));
	gd_scenario_free(s);
}

static void
a_node_down_answers_at_once_so_slurmdtimeout_alone_counts(void **state)
{
	(void)state;
	gd_scenario *s;
	/* the same hour as the pause above, killed: its pings are refused
	 * at once, so 3600 s >= 1.5 x 5 s x 480 */
	gd_plan *p = plan_steps("[{\"id\": \"k\", \"kind\": \"kill\", "
				"\"at\": \"1h\", \"for\": \"1h\", "
				"\"targets\": \"w2\"}]",
				&s);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 480, v, 4), 0);
	assert_int_equal(gd_fidelity_check(p, 481, v, 4), 1);
	assert_int_equal(v[0].timing.kind, GD_TIMING_SILENT);
	assert_true(v[0].max_scale == 480);
	gd_scenario_free(s);
}

static void a_requeued_job_must_still_wait_less_than_the_slack(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"6h",
		"{\"jobs\": 1, \"deadline\": \"1h\", \"expected\": "
		"\"20m..40m\"}",
		"[{\"id\": \"z\", \"kind\": \"pause\", \"at\": \"1h\", "
		"\"for\": \"1m\", \"targets\": \"w2\"}]");
	assert_non_null(s);
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	gd_diags_clear(&d);
	assert_non_null(p);
	/* slack 1h - 40m = 1200 s >= 1.5 x 7 s x 114, not x 115 */
	assert_true(gd_fidelity_max_scale(p) == 114);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 115, v, 4), 1);
	assert_null(v[0].entry);
	assert_int_equal(v[0].timing.kind, GD_TIMING_REQUEUE);
	assert_int_equal(v[0].span, 1200 * 1000);
	char buf[512];
	gd_fidelity_explain(p, &v[0], 115, buf, sizeof(buf));
	assert_non_null(strstr(
		buf,
		"the tightest deadline leaves 20m beyond a job's expected time; Slurm holds a requeued job back"));
	gd_scenario_free(s);
}

/* munged accepts a credential stamped within its TTL of its own clock,
 * in whole seconds and after the message's transit: 2 s either way are
 * too close to call, in production as in a run. */
static void munge_decides_a_clock_offset_exactly(void **state)
{
	(void)state;
	gd_ms ttl = 300 * 1000;
	assert_int_equal(gd_fidelity_clock_side(295 * 1000, ttl), -1);
	assert_int_equal(gd_fidelity_clock_side(-295 * 1000, ttl), -1);
	assert_int_equal(gd_fidelity_clock_side(298 * 1000, ttl), -1);
	assert_int_equal(gd_fidelity_clock_side(298 * 1000 + 1, ttl), 0);
	assert_int_equal(gd_fidelity_clock_side(-300 * 1000, ttl), 0);
	assert_int_equal(gd_fidelity_clock_side(302 * 1000 - 1, ttl), 0);
	assert_int_equal(gd_fidelity_clock_side(302 * 1000, ttl), 1);
	assert_int_equal(gd_fidelity_clock_side(305 * 1000, ttl), 1);
	assert_int_equal(gd_fidelity_clock_side(-305 * 1000, ttl), 1);
}

/* The TTL is not compressed where a clock moves, so an offset compares
 * with it as in production at every scale: a minute within it at scale
 * 600 too (10 s, floored, before). */
static void a_clock_offset_within_munge_ttl_stays_within_it(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps(
		"[{\"id\": \"c\", \"kind\": \"clock\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w3\", \"offset\": \"+1m\"}]",
		&s);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 600, v, 4), 0);
	gd_timing t[GD_TIMINGS_MAX];
	size_t nt = gd_jobsys_timings(&s->cluster, 600, t);
	for (size_t j = 0; j < nt; j++)
		if (t[j].kind == GD_TIMING_CLOCK)
			assert_int_equal(t[j].real, 300 * 1000);
	gd_scenario_free(s);
}

/* Whether any issue of p at scale is about the credential lifetime. */
static bool clock_issue_at(const gd_plan *p, double scale)
{
	gd_fidelity_issue v[16];
	size_t n = gd_fidelity_check(p, scale, v, 16);
	for (size_t i = 0; i < n && i < 16; i++)
		if (v[i].timing.kind == GD_TIMING_CLOCK)
			return true;
	return false;
}

/* The integration test's offsets, the TTL less and plus 5 s: the one
 * within keeps its node, the one beyond cuts it off, and the comparison
 * holds at every scale; what bounds the scale is the cut-off node's
 * silence, as for any clock past the TTL. */
static void offsets_around_munge_ttl_are_faithful_at_every_scale(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps(
		"[{\"id\": \"within\", \"kind\": \"clock\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w1\", \"offset\": \"-4m55s\"},"
		"{\"id\": \"beyond\", \"kind\": \"clock\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w2\", \"offset\": \"+5m5s\"}]",
		&s);
	for (double k = 1; k <= GD_SCALE_MAX; k += k < 100 ? 1 : 37)
		assert_false(clock_issue_at(p, k));
	/* w2 unheard for 1h while its jobs run on: as "+2h" below */
	assert_true(gd_fidelity_max_scale(p) == 200);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 201, v, 4), 1);
	assert_string_equal(v[0].entry->id, "beyond");
	assert_int_equal(v[0].timing.kind, GD_TIMING_STRANDED);
	gd_scenario_free(s);
}

/* A drift leaves its node unheard from when it passes the TTL (less the
 * guard): 10 minutes an hour reach 298 s at 29m48s, so of its hour the
 * node is unheard for 30m12s; and a controller whose clock munge
 * rejects silences every worker. */
static void a_clock_past_munge_ttl_is_silence_from_when_it_is(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps(
		"[{\"id\": \"d\", \"kind\": \"clock\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w1\", \"drift\": \"+10m/h\"}]",
		&s);
	gd_fidelity_issue v[4];
	assert_true(gd_fidelity_check(p, 10000, v, 4) > 0);
	assert_int_equal(v[0].timing.kind, GD_TIMING_SILENT);
	assert_int_equal(v[0].span, (30 * 60 + 12) * 1000);
	char buf[1024];
	gd_fidelity_explain(p, &v[0], 10000, buf, sizeof(buf));
	assert_non_null(strstr(
		buf, "step \"d\" keeps w1 unheard (its clock off) for 30m12s"));
	gd_scenario_free(s);
	p = plan_steps(
		"[{\"id\": \"c\", \"kind\": \"clock\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"ctl\", \"offset\": \"-2h\"}]",
		&s);
	assert_int_equal(gd_fidelity_check(p, 500, v, 4), 2);
	assert_int_equal(v[0].timing.kind, GD_TIMING_SILENT);
	assert_int_equal(v[1].timing.kind, GD_TIMING_STRANDED);
	assert_true(v[1].max_scale == 200);
	gd_scenario_free(s);
}

static void a_controller_going_down_is_not_a_silent_worker(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps("[{\"id\": \"k\", \"kind\": \"reboot\", "
				"\"at\": \"1h\", \"for\": \"30m\", "
				"\"targets\": \"ctl\"}]",
				&s);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 500, v, 4), 0);
	gd_scenario_free(s);
	/* cut off from the controller, a worker is silent all the same */
	p = plan_steps("[{\"id\": \"cut\", \"kind\": \"partition\", "
		       "\"at\": \"1h\", \"for\": \"30m\", "
		       "\"targets\": \"ctl\"}]",
		       &s);
	assert_int_equal(gd_fidelity_check(p, 500, v, 4), 2);
	assert_int_equal(v[0].timing.kind, GD_TIMING_SILENT);
	char buf[512];
	gd_fidelity_explain(p, &v[0], 500, buf, sizeof(buf));
	assert_non_null(strstr(buf, "step \"cut\" cuts ctl off for 30m; "));
	gd_scenario_free(s);
}

static void a_clock_past_munge_ttl_leaves_the_node_unheard(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps(
		"[{\"id\": \"c\", \"kind\": \"clock\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w3\", \"offset\": \"+2h\"}]",
		&s);
	/* unheard for 1h while its jobs run on: they must be ready to run
	 * elsewhere (SlurmdTimeout + cred_expire + sched_interval: 5 + 6 +
	 * 1 s real) well before: 3600 s >= 1.5 x 12 s x 200 */
	assert_true(gd_fidelity_max_scale(p) == 200);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 201, v, 4), 1);
	assert_int_equal(v[0].timing.kind, GD_TIMING_STRANDED);
	char buf[512];
	gd_fidelity_explain(p, &v[0], 201, buf, sizeof(buf));
	assert_non_null(strstr(
		buf, "step \"c\" keeps w3 unheard (its clock off) for 1h; "));
	gd_scenario_free(s);
}

static void starting_a_job_must_stay_short_of_the_shortest_job(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps("[]", &s);
	/* a second's start at scale 800 is 13m20s, 1.5 x that is 20m */
	assert_true(gd_fidelity_max_scale(p) == 800);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 801, v, 4), 1);
	assert_int_equal(v[0].timing.kind, GD_TIMING_START);
	char buf[512];
	gd_fidelity_explain(p, &v[0], 801, buf, sizeof(buf));
	assert_non_null(
		strstr(buf, "the shortest job is expected to take 20m; "));
	gd_scenario_free(s);
}

/* A skew against gd-job's one-second pause between tries: 5 minutes
 * outlast 1.5 of them up to scale 200. */
static void a_skew_must_outlast_the_job_retry_pause(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps("[{\"id\": \"s\", \"kind\": \"skew\", "
				"\"at\": \"1h\", \"for\": \"5m\", "
				"\"targets\": \"w1\", \"uid\": 2001}]",
				&s);
	assert_true(gd_fidelity_max_scale(p) == 200);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 201, v, 4), 1);
	char buf[1024];
	gd_fidelity_explain(p, &v[0], 201, buf, sizeof(buf));
	assert_string_equal(
		buf,
		"step \"s\" skews w1 for 5m; a job that cannot read or write "
		"tries again after gd-job's retry pause: 1s in production "
		"(shorter than that), 3m21s at scale 201 (1s real); holds up to "
		"scale 200");
	gd_scenario_free(s);
}

/* A clock step against libfaketime's reread of the offset: a running
 * daemon sees the clock move within a second of real time. */
static void a_clock_step_must_outlast_the_clock_reread(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps("[{\"id\": \"c\", \"kind\": \"clock\", "
				"\"at\": \"1h\", \"for\": \"5m\", "
				"\"targets\": \"w1\", \"offset\": \"+3s\"}]",
				&s);
	assert_true(gd_fidelity_max_scale(p) == 200);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 201, v, 4), 1);
	char buf[1024];
	gd_fidelity_explain(p, &v[0], 201, buf, sizeof(buf));
	assert_non_null(strstr(
		buf,
		"step \"c\" moves the clock of w1 for 5m; a running daemon "
		"sees its node's clock move after libfaketime's reread of "
		"the offset: 1s in production"));
	gd_scenario_free(s);
}

/* A scenario with an "expect" block, as scenario_from builds the rest. */
static gd_scenario *scenario_expecting(const char *expect, const char *steps)
{
	char *text = NULL;
	int n = asprintf(
		&text,
		"{\"gameday\": 1, \"duration\": \"6h\", \"cluster\": %s, "
		"\"workload\": {\"jobs\": 4, \"deadline\": \"24h\", "
		"\"expected\": \"20m..40m\"}, \"expect\": %s, \"steps\": %s}",
		CLUSTER_5, expect, steps);
	assert_true(n > 0);
	gd_scenario *s = scenario_parse_text(text, n);
	assert_non_null(s);
	return s;
}

/* Compression alone lengthens a requeued job's wait where no comparison
 * changes: the plan states by how much, and which expectations it can
 * fail.  At scale 120 a worker killed for an hour is found lost after
 * 5 s real, 10m (5m in production); its job is held back 7 s real, 14m
 * (3m1s); its start takes 1 s real, 2m (1s). */
static void the_bias_of_a_requeue_is_stated(void **state)
{
	(void)state;
	gd_scenario *s = scenario_expecting(
		"{\"within_expected\": \"80%\", \"max_stall\": \"20m\"}",
		"[{\"id\": \"k\", \"kind\": \"kill\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w2\"}]");
	s->time_scale = s->cluster.time_scale = 120;
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	gd_diags_clear(&d);
	assert_non_null(p);
	assert_int_equal(gd_fidelity_check(p, 120, NULL, 0), 0);
	gd_fidelity_bias b;
	gd_fidelity_bias_at(p, 120, &b);
	assert_int_equal(b.noticed, 300 * 1000);
	assert_int_equal(b.held, (840 - 181) * 1000);
	assert_int_equal(b.started, 119 * 1000);
	assert_int_equal(b.requeued, b.noticed + b.held + b.started);
	assert_int_equal(b.stalled, 0);
	/* at scale 1 nothing is off */
	gd_fidelity_bias_at(p, 1, &b);
	assert_int_equal(b.requeued, 0);
	json_t *j = gd_fidelity_json(p);
	const char *note = json_string_value(
		json_array_get(json_object_get(j, "bias_notes"), 0));
	assert_non_null(note);
	assert_non_null(strstr(note, "at scale 120 a job Slurm requeues may "
				     "run again up to 17m58s later than in "
				     "production"));
	assert_non_null(
		strstr(note, "which may fail within_expected, max_stall where "
			     "production would pass"));
	json_decref(j);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_int_equal(gd_fidelity_print_bias(p, f), 1);
	fclose(f);
	assert_true(strncmp(text, "  at scale 120 ", 15) == 0);
	free(text);
	gd_scenario_free(s);
}

/* A clock past the TTL costs the node its jobs as a cut would: their
 * longer wait meets the deadline's slack, and a skew's stall is a bias. */
static void a_clock_cut_requeues_and_a_skew_stalls(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"6h",
		"{\"jobs\": 1, \"deadline\": \"1h\", \"expected\": "
		"\"20m..40m\"}",
		"[{\"id\": \"c\", \"kind\": \"clock\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w2\", \"offset\": \"-1h\"},"
		"{\"id\": \"s\", \"kind\": \"skew\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w3\", \"uid\": 2001}]");
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	gd_diags_clear(&d);
	/* slack 20m: 1200 s >= 1.5 x 7 s x 114, as for a pause */
	assert_true(gd_fidelity_max_scale(p) == 114);
	gd_fidelity_bias b;
	gd_fidelity_bias_at(p, 100, &b);
	assert_int_equal(b.stalled, 99 * 1000);
	assert_true(b.requeued > 0);
	gd_scenario_free(s);
}

/* A job's time limit, scaled, must stay well above Slurm's minute: 30m
 * holds up to scale 20 (30m / 1.5 minutes), a group without one bounds
 * nothing. */
static void a_time_limit_must_stay_minutes_long(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"24h",
		"{\"kind\": \"command\", \"command\": [\"/bin/true\"], "
		"\"jobs\": 1, \"deadline\": \"24h\", \"expected\": "
		"\"20m..40m\", \"resources\": {\"time_limit\": \"30m\"}}",
		"[]");
	assert_non_null(s);
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	gd_diags_clear(&d);
	assert_non_null(p);
	assert_true(gd_fidelity_max_scale(p) == 20);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 20, v, 4), 0);
	assert_int_equal(gd_fidelity_check(p, 21, v, 4), 1);
	assert_int_equal(v[0].about, GD_FIDELITY_TIME_LIMIT);
	assert_int_equal(v[0].span, 30 * GD_MS_PER_M);
	gd_scenario_free(s);
}

/* Whether v[0..n) holds an issue about what. */
static bool has_issue(const gd_fidelity_issue *v, size_t n,
		      enum gd_fidelity_about what)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].about == what)
			return true;
	return false;
}

/* One job a second: at scale k a real second holds k submissions, which
 * gameday's submission path must take by the margin. */
static void submissions_must_fit_the_submission_path(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"24h",
		"{\"jobs\": 600, \"submit\": {\"every\": \"1s\"}, "
		"\"deadline\": \"24h\", \"expected\": \"20m..40m\"}",
		"[]");
	assert_non_null(s);
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	gd_diags_clear(&d);
	assert_non_null(p);
	assert_int_equal(gd_fidelity_peak_submissions(p, 1000), 1);
	assert_int_equal(gd_fidelity_peak_submissions(p, 999), 1);
	assert_int_equal(gd_fidelity_peak_submissions(p, 60000), 60);
	double fits = (double)(long)(GD_SUBMIT_PER_S / GD_FIDELITY_MARGIN);
	assert_true(fits >= 1);
	assert_true(gd_fidelity_max_scale(p) == fits);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, fits, v, 4), 0);
	assert_int_equal(gd_fidelity_check(p, fits + 1, v, 4), 1);
	assert_int_equal(v[0].about, GD_FIDELITY_SUBMIT);
	assert_int_equal(v[0].jobs, (size_t)fits + 1);
	assert_int_equal(v[0].span, (gd_ms)(fits + 1) * 1000);
	assert_true(v[0].max_scale == fits);
	char buf[1024];
	gd_fidelity_explain(p, &v[0], fits + 1, buf, sizeof(buf));
	assert_non_null(strstr(buf, "gameday's submission path takes"));
	gd_scenario_free(s);
}

/* A trace whose one second holds more jobs than the submission path
 * takes, by the margin, cannot be replayed faithfully at any scale: the
 * plan says so at scale 1 already. */
static void a_burst_past_the_path_is_unfaithful_at_every_scale(void **state)
{
	(void)state;
	char path[] = "/tmp/gd-test-burst.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	size_t n = (size_t)(GD_SUBMIT_PER_S / GD_FIDELITY_MARGIN) + 1;
	fprintf(f, "JobID|Submit|Start|End|Elapsed|NCPUS|Partition|State|"
		   "Timelimit\n");
	for (size_t k = 0; k < n; k++)
		fprintf(f,
			"%zu|2026-11-20T08:00:00|2026-11-20T08:00:00|"
			"2026-11-20T08:30:00|00:30:00|1|docs|COMPLETED|"
			"01:00:00\n",
			k + 1);
	fclose(f);
	char wl[512];
	snprintf(wl, sizeof(wl),
		 "{\"kind\": \"trace\", \"trace\": \"%s\", \"deadline\": "
		 "\"3h\", \"expected\": {\"elapsed_plus\": \"10m\"}}",
		 path);
	gd_scenario *s = scenario_from("24h", wl, "[]");
	unlink(path);
	assert_non_null(s);
	assert_int_equal(s->groups[0].jobs, n);
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	gd_diags_clear(&d);
	assert_non_null(p);
	gd_fidelity_issue v[8];
	size_t got = gd_fidelity_check(p, 1, v, 8);
	assert_true(has_issue(v, got, GD_FIDELITY_SUBMIT));
	assert_true(gd_fidelity_max_scale(p) == 1);
	gd_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			a_short_reboot_outlives_the_requeue_window_only_in_production),
		cmocka_unit_test(a_long_pause_must_still_outlast_slurmdtimeout),
		cmocka_unit_test(
			a_node_down_answers_at_once_so_slurmdtimeout_alone_counts),
		cmocka_unit_test(
			a_requeued_job_must_still_wait_less_than_the_slack),
		cmocka_unit_test(munge_decides_a_clock_offset_exactly),
		cmocka_unit_test(
			a_clock_offset_within_munge_ttl_stays_within_it),
		cmocka_unit_test(
			offsets_around_munge_ttl_are_faithful_at_every_scale),
		cmocka_unit_test(
			a_clock_past_munge_ttl_is_silence_from_when_it_is),
		cmocka_unit_test(a_skew_must_outlast_the_job_retry_pause),
		cmocka_unit_test(a_clock_step_must_outlast_the_clock_reread),
		cmocka_unit_test(the_bias_of_a_requeue_is_stated),
		cmocka_unit_test(a_clock_cut_requeues_and_a_skew_stalls),
		cmocka_unit_test(
			a_controller_going_down_is_not_a_silent_worker),
		cmocka_unit_test(
			a_clock_past_munge_ttl_leaves_the_node_unheard),
		cmocka_unit_test(
			starting_a_job_must_stay_short_of_the_shortest_job),
		cmocka_unit_test(a_time_limit_must_stay_minutes_long),
		cmocka_unit_test(submissions_must_fit_the_submission_path),
		cmocka_unit_test(
			a_burst_past_the_path_is_unfaithful_at_every_scale),
	};
	return cmocka_run_group_tests_name("fidelity", tests, NULL, NULL);
}
