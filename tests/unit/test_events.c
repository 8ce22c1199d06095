#include "unit.h"

#include "cluster/event_names.h"

/* A kind added to the enum without a name would be written as "" and
 * never read back: every kind has one, and no two share it. */
static void every_kind_named_once(void **state)
{
	(void)state;
	for (int k = 1; k < GD_EV__COUNT; k++) {
		const char *name = gd_event_name((gd_event_kind)k);
		assert_true(*name);
		assert_int_equal(gd_event_kind_of(name, strlen(name)), k);
		for (int o = 1; o < k; o++)
			assert_string_not_equal(gd_event_name((gd_event_kind)o),
						name);
	}
}

static void names_are_the_log_format(void **state)
{
	(void)state;
	assert_string_equal(gd_event_name(GD_EV_FAULT_APPLIED),
			    "fault-applied");
	assert_string_equal(gd_event_name(GD_EV_JOB_SYSTEM_ANSWERING),
			    "job-system-answering");
	assert_string_equal(gd_event_name(GD_EV_GIVE_UP), "give-up");
	assert_string_equal(gd_event_name(GD_EV_UNKNOWN), "");
	assert_string_equal(gd_event_name(GD_EV__COUNT), "");
}

static void unknown_names(void **state)
{
	(void)state;
	assert_int_equal(gd_event_kind_of("", 0), GD_EV_UNKNOWN);
	assert_int_equal(gd_event_kind_of("fault-appliedx", 14), GD_EV_UNKNOWN);
	/* the length decides, not a NUL: a name still inside its line */
	assert_int_equal(gd_event_kind_of("run-finished\",\"t_ms\"", 12),
			 GD_EV_RUN_FINISHED);
	assert_int_equal(gd_event_kind_of("run-finished", 11), GD_EV_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_named_once),
		cmocka_unit_test(names_are_the_log_format),
		cmocka_unit_test(unknown_names),
	};
	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
