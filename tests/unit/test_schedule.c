#include "unit.h"

#include "faults/schedule.h"
#include "scenario_text.h"

struct want {
	const char *id;
	enum gd_action_kind kind;
	gd_ms at;
};

/* The schedule of a 6-hour scenario with these steps is exactly want. */
static void schedule_is(const char *steps, const struct want *want, size_t n)
{
	gd_scenario *s = scenario_from("6h", NULL, steps);
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	assert_non_null(p);
	gd_action *v = NULL;
	size_t got = 0;
	assert_int_equal(gd_schedule_build(p, &v, &got), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].entry->id, want[i].id);
		assert_int_equal(v[i].kind, want[i].kind);
		assert_int_equal(v[i].at, want[i].at);
	}
	free(v);
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

static void faults_apply_and_heal_in_time_order(void **state)
{
	(void)state;
	static const struct want want[] = {
		{"r", GD_ACT_APPLY, 1 * GD_MS_PER_H},
		/* the reboot's heal (2h) and the pause (2h): heal first */
		{"r", GD_ACT_HEAL, 2 * GD_MS_PER_H},
		{"p", GD_ACT_APPLY, 2 * GD_MS_PER_H},
		{"p", GD_ACT_HEAL, 2 * GD_MS_PER_H + 10 * GD_MS_PER_M},
		{"r", GD_ACT_CHANGE_END, 2 * GD_MS_PER_H + 30 * GD_MS_PER_M},
		/* a service kill is instant: no heal */
		{"k", GD_ACT_APPLY, 3 * GD_MS_PER_H},
		/* a clock offset without "for" stays past the scenario's end,
		 * until the run ends: no heal */
		{"c", GD_ACT_APPLY, 4 * GD_MS_PER_H},
	};
	schedule_is(
		"[{\"id\": \"p\", \"kind\": \"pause\", \"at\": \"2h\", "
		"\"for\": \"10m\", \"targets\": \"w2\"},"
		" {\"id\": \"r\", \"kind\": \"reboot\", \"at\": \"1h\", "
		"\"for\": \"1h\", \"targets\": \"w1\", "
		"\"back_with\": {\"skew\": {\"uid\": 2001}, \"for\": \"30m\"}},"
		" {\"id\": \"k\", \"kind\": \"kill\", \"at\": \"3h\", "
		"\"targets\": \"ctl\", \"service\": \"slurmctld\"},"
		" {\"id\": \"c\", \"kind\": \"clock\", \"at\": \"4h\", "
		"\"targets\": \"w3\", \"offset\": \"+2h\"}]",
		want, sizeof(want) / sizeof(want[0]));
}

static void a_wave_is_one_apply_and_heal_per_batch(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"6h", NULL,
		"[{\"id\": \"w\", \"kind\": \"pause\", \"at\": \"1h\", "
		"\"for\": \"10m\", \"targets\": \"worker\", "
		"\"wave\": {\"size\": 2, \"gap\": \"5m\"}}]");
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	assert_non_null(p);
	gd_action *v = NULL;
	size_t n = 0;
	assert_int_equal(gd_schedule_build(p, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].entry->id, "w#1");
	assert_string_equal(v[2].entry->id, "w#2");
	assert_int_equal(v[2].at, 75 * GD_MS_PER_M);
	assert_int_equal(v[3].kind, GD_ACT_HEAL);
	free(v);
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

static void a_drained_reboot_drains_each_batch_ahead_of_it(void **state)
{
	(void)state;
	static const struct want want[] = {
		{"m#1", GD_ACT_DRAIN, 15 * GD_MS_PER_M},
		/* the second batch drains while the first one is drained */
		{"m#2", GD_ACT_DRAIN, 45 * GD_MS_PER_M},
		{"m#1", GD_ACT_APPLY, 1 * GD_MS_PER_H},
		{"m#1", GD_ACT_HEAL, 90 * GD_MS_PER_M},
		{"m#2", GD_ACT_APPLY, 90 * GD_MS_PER_M},
		{"m#2", GD_ACT_HEAL, 2 * GD_MS_PER_H},
	};
	schedule_is(
		"[{\"id\": \"m\", \"kind\": \"reboot\", \"at\": \"1h\", "
		"\"for\": \"30m\", \"drain\": \"45m\", \"targets\": "
		"[\"w1\", \"w2\"], \"wave\": {\"size\": 1, \"gap\": \"0s\"}}]",
		want, sizeof(want) / sizeof(want[0]));
	assert_string_equal(gd_action_kind_name(GD_ACT_DRAIN), "drain");
}

static void a_drain_before_the_run_starts_is_refused(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"6h", NULL,
		"[{\"id\": \"m\", \"kind\": \"reboot\", \"at\": \"30m\", "
		"\"for\": \"30m\", \"drain\": \"45m\", \"targets\": \"w1\"}]");
	gd_diags d = {0};
	assert_null(gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].path, "$.steps[0].drain");
	assert_non_null(strstr(d.items[0].msg, "before the scenario begins"));
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(faults_apply_and_heal_in_time_order),
		cmocka_unit_test(a_wave_is_one_apply_and_heal_per_batch),
		cmocka_unit_test(
			a_drained_reboot_drains_each_batch_ahead_of_it),
		cmocka_unit_test(a_drain_before_the_run_starts_is_refused),
	};
	return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
