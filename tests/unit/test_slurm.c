#include "unit.h"

#include "jobsys/slurm.h"

static const gd_slurm_timeout_t *find(const char *name)
{
	for (size_t i = 0; i < gd_slurm_ntimeouts; i++)
		if (strcmp(gd_slurm_timeouts[i].name, name) == 0)
			return &gd_slurm_timeouts[i];
	fail_msg("no timeout \"%s\"", name);
	return NULL;
}

static void timeouts_follow_the_time_scale(void **state)
{
	(void)state;
	const gd_slurm_timeout_t *slurmd = find("SlurmdTimeout");
	assert_int_equal(gd_slurm_timeout(slurmd, 1), 300);
	assert_int_equal(gd_slurm_timeout(slurmd, 10), 30);
	assert_int_equal(gd_slurm_timeout(slurmd, 60), 5);
	/* never below the floor Slurm can honour */
	assert_int_equal(gd_slurm_timeout(slurmd, 1000), 5);
	/* a scale below 1 is not a slow-down */
	assert_int_equal(gd_slurm_timeout(slurmd, 0.5), 300);
	assert_int_equal(gd_slurm_timeout(&gd_slurm_munge_ttl, 30), 10);
	assert_int_equal(gd_slurm_timeout(&gd_slurm_munge_ttl, 1), 300);
}

static void every_timeout_has_a_floor_below_its_default(void **state)
{
	(void)state;
	for (size_t i = 0; i < gd_slurm_ntimeouts; i++) {
		assert_true(gd_slurm_timeouts[i].floor_s > 0);
		assert_true(gd_slurm_timeouts[i].floor_s <=
			    gd_slurm_timeouts[i].production_s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timeouts_follow_the_time_scale),
		cmocka_unit_test(every_timeout_has_a_floor_below_its_default),
	};
	return cmocka_run_group_tests_name("slurm", tests, NULL, NULL);
}
