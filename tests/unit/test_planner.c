#include "unit.h"

#include "scenario_text.h"

#include <stdbool.h>

static gd_plan *plan_of(gd_scenario *s, uint64_t seed, gd_diags *d)
{
	assert_non_null(s);
	return gd_plan_build(s, seed, GD_SEED_COMMAND_LINE, d);
}

static const char *node(const gd_plan *p, const gd_plan_entry *e, size_t k)
{
	return p->scenario->cluster.nodes[e->nodes.v[k]].name;
}

static void after_and_delay_chain_start_times(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"6h", NULL,
		"[{\"id\": \"b\", \"kind\": \"pause\", \"after\": \"a\", "
		"\"delay\": \"5m\", \"for\": \"10m\", \"targets\": \"w2\"},"
		" {\"id\": \"a\", \"kind\": \"reboot\", \"at\": \"1h\", "
		"\"for\": \"20m\", \"targets\": \"w1\"},"
		" {\"id\": \"c\", \"kind\": \"kill\", \"after\": [\"a\", \"b\"], "
		"\"targets\": \"ctl\", \"service\": \"slurmctld\"}]");
	gd_diags d = {0};
	gd_plan *p = plan_of(s, 1, &d);
	assert_non_null(p);
	assert_int_equal(p->nentries, 3);
	/* sorted by start: a (1h), b (1h25m), c (1h35m, instant) */
	assert_string_equal(p->entries[0].id, "a");
	assert_int_equal(p->entries[1].start, 85 * GD_MS_PER_M);
	assert_int_equal(p->entries[1].end, 95 * GD_MS_PER_M);
	assert_string_equal(p->entries[2].id, "c");
	assert_int_equal(p->entries[2].start, 95 * GD_MS_PER_M);
	assert_int_equal(p->entries[2].end, p->entries[2].start);
	assert_int_equal(p->last_heal, 95 * GD_MS_PER_M);
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

static void waves_split_targets_into_batches(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"12h", NULL,
		"[{\"id\": \"w\", \"kind\": \"reboot\", \"at\": \"1h\", "
		"\"for\": \"45m\", \"targets\": [\"w3\", \"w1\", \"w4\"], "
		"\"wave\": {\"size\": 2, \"gap\": \"10m\"}, "
		"\"back_with\": {\"skew\": {\"uid\": 2001}, \"for\": \"1h\"}},"
		" {\"id\": \"next\", \"kind\": \"pause\", \"after\": \"w\", "
		"\"for\": \"1m\", \"targets\": \"w2\"}]");
	gd_diags d = {0};
	gd_plan *p = plan_of(s, 1, &d);
	assert_non_null(p);
	assert_int_equal(p->nentries, 3);
	const gd_plan_entry *b1 = &p->entries[0], *b2 = &p->entries[1];
	assert_string_equal(b1->id, "w#1");
	assert_int_equal(b1->batch, 1);
	assert_int_equal(b1->nodes.n, 2);
	/* listed order w3, w1 for the first batch, shown in cluster order */
	assert_string_equal(node(p, b1, 0), "w1");
	assert_string_equal(node(p, b1, 1), "w3");
	assert_int_equal(b1->start, GD_MS_PER_H);
	assert_int_equal(b1->end, 105 * GD_MS_PER_M);
	assert_int_equal(b1->change_end, 165 * GD_MS_PER_M);
	assert_string_equal(b2->id, "w#2");
	assert_string_equal(node(p, b2, 0), "w4");
	assert_int_equal(b2->start, 115 * GD_MS_PER_M);
	/* "after" a wave waits for its last batch */
	assert_int_equal(p->entries[2].start, 160 * GD_MS_PER_M);
	assert_int_equal(p->last_heal, 220 * GD_MS_PER_M);
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

static void same_seed_same_picks_other_seeds_differ(void **state)
{
	(void)state;
	const char *steps =
		"[{\"id\": \"m\", \"kind\": \"pause\", \"at\": \"1h\", "
		"\"for\": \"5m\", \"targets\": {\"pick\": 2, \"from\": \"all\"}}]";
	gd_scenario *s1 = scenario_from("6h", NULL, steps);
	gd_scenario *s2 = scenario_from("6h", NULL, steps);
	gd_diags d = {0};
	gd_plan *p1 = plan_of(s1, 77, &d), *p2 = plan_of(s2, 77, &d);
	assert_non_null(p1);
	assert_non_null(p2);
	assert_int_equal(p1->entries[0].nodes.n, 2);
	assert_memory_equal(p1->entries[0].nodes.v, p2->entries[0].nodes.v,
			    2 * sizeof(size_t));

	/* Over many seeds every node gets picked sometimes. */
	bool seen[5] = {false};
	for (uint64_t seed = 0; seed < 64; seed++) {
		gd_scenario *s = scenario_from("6h", NULL, steps);
		gd_plan *p = plan_of(s, seed, &d);
		assert_non_null(p);
		for (size_t k = 0; k < p->entries[0].nodes.n; k++)
			seen[p->entries[0].nodes.v[k]] = true;
		gd_scenario_free(s);
	}
	for (int i = 0; i < 5; i++)
		assert_true(seen[i]);
	gd_diags_clear(&d);
	gd_scenario_free(s1);
	gd_scenario_free(s2);
}

static void picks_avoid_nodes_already_claimed(void **state)
{
	(void)state;
	/* w1..w3 are paused; a pick of one worker while they are must be
	 * w4, whatever the seed. */
	const char *steps =
		"[{\"kind\": \"pause\", \"at\": \"1h\", \"for\": \"1h\", "
		"\"targets\": [\"w1\", \"w2\", \"w3\"]},"
		" {\"id\": \"m\", \"kind\": \"reboot\", \"at\": \"1h30m\", "
		"\"for\": \"5m\", \"targets\": {\"pick\": 1, \"from\": \"worker\"}},"
		" {\"kind\": \"clock\", \"at\": \"1h30m\", \"for\": \"5m\", "
		"\"offset\": \"+1h\", \"targets\": {\"pick\": 1, \"from\": \"rack-a\"}}]";
	for (uint64_t seed = 0; seed < 16; seed++) {
		gd_scenario *s = scenario_from("6h", NULL, steps);
		gd_diags d = {0};
		gd_plan *p = plan_of(s, seed, &d);
		assert_non_null(p);
		const gd_plan_entry *e = &p->entries[1];
		assert_string_equal(e->id, "m");
		assert_string_equal(node(p, e, 0), "w4");
		/* a clock change does not claim power: a paused node is
		 * still a candidate */
		assert_int_equal(p->entries[2].nodes.n, 1);
		gd_diags_clear(&d);
		gd_scenario_free(s);
	}
}

static void overlaps_and_late_heals_are_rejected(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"2h", NULL,
		"[{\"id\": \"x\", \"kind\": \"skew\", \"at\": \"10m\", "
		"\"for\": \"30m\", \"targets\": \"w1\", \"uid\": 1234},"
		" {\"id\": \"y\", \"kind\": \"skew\", \"at\": \"20m\", "
		"\"for\": \"10m\", \"targets\": \"worker\", \"gid\": 99},"
		" {\"id\": \"z\", \"kind\": \"skew\", \"at\": \"20m\", "
		"\"for\": \"10m\", \"targets\": \"w1\", \"caps_drop\": \"CAP_KILL\"},"
		" {\"id\": \"late\", \"kind\": \"pause\", \"at\": \"1h50m\", "
		"\"for\": \"20m\", \"targets\": \"w2\"}]");
	gd_diags d = {0};
	assert_null(plan_of(s, 1, &d));
	/* y clashes with x on w1 (ids); z does not (capabilities); late
	 * outlives the scenario */
	assert_int_equal(d.n, 2);
	assert_string_equal(d.items[0].path, "$.steps[1]");
	assert_non_null(strstr(d.items[0].msg, "\"w1\""));
	assert_non_null(strstr(d.items[0].msg, "remap the service user"));
	assert_string_equal(d.items[1].path, "$.steps[3]");
	assert_non_null(strstr(d.items[1].msg, "heals at 2h10m"));
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

static void partitions_compose_and_resolve_sides(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"2h", NULL,
		"[{\"kind\": \"partition\", \"at\": \"10m\", \"for\": \"30m\", "
		"\"targets\": [\"w1\", \"w2\"]},"
		" {\"kind\": \"partition\", \"at\": \"20m\", \"for\": \"30m\", "
		"\"groups\": [\"rack-a\", [\"w3\", \"ctl\"]]}]");
	gd_diags d = {0};
	gd_plan *p = plan_of(s, 1, &d);
	assert_non_null(p);
	/* isolate w1, w2: each alone, plus the rest */
	assert_int_equal(p->entries[0].nsides, 3);
	assert_int_equal(p->entries[0].sides[2].n, 3);
	/* split: w4 is in no group and is left alone */
	assert_int_equal(p->entries[1].nsides, 2);
	assert_int_equal(p->entries[1].nodes.n, 4);
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

static void jobs_follow_the_submission_pattern(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"6h",
		"[{\"name\": \"a\", \"jobs\": 4, \"submit\": {\"at\": \"1h\", "
		"\"over\": \"1h\"}, \"deadline\": \"3h\", \"expected\": "
		"\"20m..40m\", \"runtime\": \"10m..12m\"},"
		" {\"name\": \"b\", \"jobs\": 12, \"submit\": {\"every\": \"5m\"}, "
		"\"deadline\": \"1h\", \"expected\": \"1m..2m\"}]",
		"[]");
	gd_diags d = {0};
	gd_plan *p = plan_of(s, 5, &d);
	assert_non_null(p);
	assert_int_equal(p->njobs, 16);
	int a = 0;
	for (size_t k = 0; k < p->njobs; k++) {
		const gd_plan_job *j = &p->jobs[k];
		if (k)
			assert_true(j->submit >= p->jobs[k - 1].submit);
		if (strncmp(j->id, "a-", 2) == 0) {
			assert_int_equal(j->submit,
					 GD_MS_PER_H + a * 15 * GD_MS_PER_M);
			assert_true(j->runtime >= 10 * GD_MS_PER_M &&
				    j->runtime <= 12 * GD_MS_PER_M);
			assert_int_equal(j->deadline,
					 j->submit + 3 * GD_MS_PER_H);
			a++;
		} else {
			/* default runtime: the lower half of expected */
			assert_true(j->runtime >= GD_MS_PER_M &&
				    j->runtime <= 90 * GD_MS_PER_S);
		}
	}
	assert_int_equal(a, 4);
	/* b-01 .. b-12 at 0s .. 55m, a-1 .. a-4 from 1h: the last is a-4 */
	assert_string_equal(p->jobs[0].id, "b-01");
	assert_string_equal(p->jobs[p->njobs - 1].id, "a-4");
	assert_int_equal(p->jobs[p->njobs - 1].submit, 105 * GD_MS_PER_M);
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(after_and_delay_chain_start_times),
		cmocka_unit_test(waves_split_targets_into_batches),
		cmocka_unit_test(same_seed_same_picks_other_seeds_differ),
		cmocka_unit_test(picks_avoid_nodes_already_claimed),
		cmocka_unit_test(overlaps_and_late_heals_are_rejected),
		cmocka_unit_test(partitions_compose_and_resolve_sides),
		cmocka_unit_test(jobs_follow_the_submission_pattern),
	};
	return cmocka_run_group_tests_name("planner", tests, NULL, NULL);
}
