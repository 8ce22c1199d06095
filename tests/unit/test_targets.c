#include "unit.h"

#include "scenario/targets.h"
#include "scenario_text.h"

static gd_scenario *s;

static int setup(void **state)
{
	(void)state;
	s = scenario_from("6h", NULL, "[]");
	return s ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	gd_scenario_free(s);
	return 0;
}

static void lookup_knows_nodes_roles_groups_and_all(void **state)
{
	(void)state;
	size_t *v, n;
	assert_true(gd_cluster_lookup(&s->cluster, s->arena, "w3", &v, &n));
	assert_int_equal(n, 1);
	assert_string_equal(s->cluster.nodes[v[0]].name, "w3");
	assert_true(gd_cluster_lookup(&s->cluster, s->arena, "worker", &v, &n));
	assert_int_equal(n, 4);
	assert_true(gd_cluster_lookup(&s->cluster, s->arena, "rack-a", &v, &n));
	assert_int_equal(n, 2);
	assert_true(gd_cluster_lookup(&s->cluster, s->arena, "all", &v, &n));
	assert_int_equal(n, 5);
	assert_false(
		gd_cluster_lookup(&s->cluster, s->arena, "workers", &v, &n));
}

static void candidates_subtract_except_and_drop_repeats(void **state)
{
	(void)state;
	const char *from[] = {"worker", "w1"}, *except[] = {"rack-a"};
	gd_targets t = {.pick = 1, .from = {from, 2}, .except = {except, 1}};
	size_t *v, n;
	gd_targets_candidates(&s->cluster, s->arena, &t, &v, &n);
	assert_int_equal(n, 2);
	assert_string_equal(s->cluster.nodes[v[0]].name, "w3");
	assert_string_equal(s->cluster.nodes[v[1]].name, "w4");

	const char *names[] = {"w2", "rack-a", "ctl"};
	gd_targets named = {.names = {names, 3}};
	gd_targets_candidates(&s->cluster, s->arena, &named, &v, &n);
	assert_int_equal(n, 3); /* ctl w1 w2, in cluster order */
	assert_string_equal(s->cluster.nodes[v[0]].name, "ctl");
}

static void percentages_round_up(void **state)
{
	(void)state;
	gd_targets t = {.pick_pct = 50};
	assert_int_equal(gd_targets_count(&t, 4), 2);
	assert_int_equal(gd_targets_count(&t, 5), 3);
	t.pick_pct = 1;
	assert_int_equal(gd_targets_count(&t, 4), 1);
	t.pick_pct = 100;
	assert_int_equal(gd_targets_count(&t, 4), 4);
	gd_targets k = {.pick = 3};
	assert_int_equal(gd_targets_count(&k, 4), 3);
	gd_targets all = {0};
	assert_int_equal(gd_targets_count(&all, 4), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup_knows_nodes_roles_groups_and_all),
		cmocka_unit_test(candidates_subtract_except_and_drop_repeats),
		cmocka_unit_test(percentages_round_up),
	};
	return cmocka_run_group_tests_name("targets", tests, setup, teardown);
}
