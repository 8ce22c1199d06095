#include "unit.h"

#include "run/logwatch.h"

static void trouble_and_state_changes_are_notable(void **state)
{
	(void)state;
	assert_true(gd_log_line_notable(
		"[2026-11-24T16:28:02.946] error: Munge decode failed: Expired credential"));
	assert_true(gd_log_line_notable("Node w1 now responding"));
	assert_true(gd_log_line_notable(
		"_job_complete: requeue JobId=1 per user/system request"));
	assert_true(gd_log_line_notable("FATAL: cannot bind"));
	assert_false(gd_log_line_notable(
		"[2026-11-24T16:21:30.874] Launching batch job 4 for UID 64000"));
	assert_false(gd_log_line_notable(""));
}

static void keys_ignore_timestamps_and_numbers(void **state)
{
	(void)state;
	char a[128], b[128];
	gd_log_line_key("[2026-11-24T16:28:02.946] error: slurm_receive_msg "
			"[10.77.0.11:47234]: Unspecified error",
			a, sizeof(a));
	gd_log_line_key("[2026-11-24T16:29:13.001] error: slurm_receive_msg "
			"[10.77.0.11:47236]: Unspecified error",
			b, sizeof(b));
	assert_string_equal(a, b);
	assert_string_equal(
		a, "error: slurm_receive_msg [#.#.#.#:#]: Unspecified error");
	/* Names keep their digits: w1 and w12 are different nodes. */
	gd_log_line_key("error: Nodes w12 not responding", a, sizeof(a));
	assert_string_equal(a, "error: Nodes w12 not responding");
	/* A key never overruns its buffer. */
	char small[8];
	gd_log_line_key("error: something long", small, sizeof(small));
	assert_string_equal(small, "error: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trouble_and_state_changes_are_notable),
		cmocka_unit_test(keys_ignore_timestamps_and_numbers),
	};
	return cmocka_run_group_tests_name("logwatch", tests, NULL, NULL);
}
