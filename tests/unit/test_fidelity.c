#include "unit.h"

#include "plan/fidelity.h"
#include "scenario_text.h"

#include <string.h>

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

static void a_clock_offset_within_munge_ttl_stays_within_it(void **state)
{
	(void)state;
	gd_scenario *s;
	gd_plan *p = plan_steps(
		"[{\"id\": \"c\", \"kind\": \"clock\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w3\", \"offset\": \"+1m\"}]",
		&s);
	gd_fidelity_issue v[4];
	assert_int_equal(gd_fidelity_check(p, 600, v, 4), 1);
	assert_int_equal(v[0].timing.kind, GD_TIMING_CLOCK);
	assert_false(v[0].longer);
	/* the TTL, 300 s / scale rounded, must stay >= 1.5 x 60 s */
	assert_true(v[0].max_scale == 3);
	char buf[512];
	gd_fidelity_explain(p, &v[0], 600, buf, sizeof(buf));
	assert_non_null(
		strstr(buf, "moves the clock of w3 by 1m; munge rejects"));
	assert_non_null(strstr(buf, "10s at scale 600; holds up to scale 3"));
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
		cmocka_unit_test(
			a_clock_offset_within_munge_ttl_stays_within_it),
		cmocka_unit_test(
			a_controller_going_down_is_not_a_silent_worker),
		cmocka_unit_test(
			a_clock_past_munge_ttl_leaves_the_node_unheard),
		cmocka_unit_test(
			starting_a_job_must_stay_short_of_the_shortest_job),
	};
	return cmocka_run_group_tests_name("fidelity", tests, NULL, NULL);
}
