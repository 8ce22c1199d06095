#include "unit.h"

#include "plan/dag.h"

static void check_order(size_t n, const size_t *const *deps,
			const size_t *ndeps, const size_t *order)
{
	size_t pos[16];
	for (size_t i = 0; i < n; i++)
		pos[order[i]] = i;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ndeps[i]; k++)
			assert_true(pos[deps[i][k]] < pos[i]);
}

static void orders_dependencies_first(void **state)
{
	(void)state;
	/* 0 <- 2 <- 1, 3 <- {0, 1}, 4 alone */
	static const size_t d1[] = {2}, d2[] = {0}, d3[] = {0, 1};
	const size_t *deps[] = {NULL, d1, d2, d3, NULL};
	size_t ndeps[] = {0, 1, 1, 2, 0};
	size_t order[5], cycle[5], ncycle = 0;
	assert_int_equal(gd_dag_order(5, deps, ndeps, order, cycle, &ncycle),
			 0);
	check_order(5, deps, ndeps, order);
	/* ties go to the lower index: 0 and 4 are ready first */
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 2);
}

static void independent_vertices_keep_file_order(void **state)
{
	(void)state;
	const size_t *deps[4] = {NULL};
	size_t ndeps[4] = {0}, order[4], cycle[4], ncycle;
	assert_int_equal(gd_dag_order(4, deps, ndeps, order, cycle, &ncycle),
			 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(order[i], i);
}

static void reports_a_real_cycle(void **state)
{
	(void)state;
	/* 0 -> 1 -> 2 -> 0 (each waits for the next), 3 waits for 0 */
	static const size_t d0[] = {1}, d1[] = {2}, d2[] = {0}, d3[] = {0};
	const size_t *deps[] = {d0, d1, d2, d3};
	size_t ndeps[] = {1, 1, 1, 1};
	size_t order[4], cycle[4], ncycle = 0;
	assert_int_equal(gd_dag_order(4, deps, ndeps, order, cycle, &ncycle),
			 -1);
	assert_int_equal(ncycle, 3);
	/* each reported vertex waits for the next one, the last for the
	 * first */
	for (size_t k = 0; k < ncycle; k++) {
		size_t v = cycle[k], next = cycle[(k + 1) % ncycle];
		assert_int_equal(deps[v][0], next);
	}
}

static void self_dependency_is_a_cycle(void **state)
{
	(void)state;
	static const size_t d0[] = {0};
	const size_t *deps[] = {d0};
	size_t ndeps[] = {1}, order[1], cycle[1], ncycle = 0;
	assert_int_equal(gd_dag_order(1, deps, ndeps, order, cycle, &ncycle),
			 -1);
	assert_int_equal(ncycle, 1);
	assert_int_equal(cycle[0], 0);
}

static void repeated_dependency_is_counted_once_per_edge(void **state)
{
	(void)state;
	static const size_t d1[] = {0, 0};
	const size_t *deps[] = {NULL, d1};
	size_t ndeps[] = {0, 2}, order[2], cycle[2], ncycle;
	assert_int_equal(gd_dag_order(2, deps, ndeps, order, cycle, &ncycle),
			 0);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(orders_dependencies_first),
		cmocka_unit_test(independent_vertices_keep_file_order),
		cmocka_unit_test(reports_a_real_cycle),
		cmocka_unit_test(self_dependency_is_a_cycle),
		cmocka_unit_test(repeated_dependency_is_counted_once_per_edge),
	};
	return cmocka_run_group_tests_name("dag", tests, NULL, NULL);
}
