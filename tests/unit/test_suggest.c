#include "unit.h"

#include "base/suggest.h"

static void distances(void **state)
{
	(void)state;
	assert_int_equal(gd_edit_distance("duration", "duration", 3), 0);
	assert_int_equal(gd_edit_distance("durration", "duration", 3), 1);
	assert_int_equal(gd_edit_distance("taregts", "targets", 3),
			 1); /* swap */
	assert_int_equal(gd_edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(gd_edit_distance("a", "abcdefgh", 2), 3); /* capped */
	assert_int_equal(gd_edit_distance("", "ab", 5), 2);
}

static void suggests_only_plausible_typos(void **state)
{
	(void)state;
	static const char *const keys[] = {"at",      "after", "for",
					   "targets", "kind",  "duration"};
	assert_string_equal(gd_suggest("durration", keys, 6), "duration");
	assert_string_equal(gd_suggest("targts", keys, 6), "targets");
	assert_string_equal(gd_suggest("aftr", keys, 6), "after");
	assert_null(gd_suggest("wave", keys, 6));
	assert_null(gd_suggest("completely-different", keys, 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distances),
		cmocka_unit_test(suggests_only_plausible_typos),
	};
	return cmocka_run_group_tests_name("suggest", tests, NULL, NULL);
}
