#include "unit.h"

#include "base/duration.h"

#include <errno.h>

static void parses_every_unit(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		gd_ms ms;
	} cases[] = {
		{"90s", 90 * GD_MS_PER_S},
		{"20m", 20 * GD_MS_PER_M},
		{"1h30m", 90 * GD_MS_PER_M},
		{"24h", GD_MS_PER_D},
		{"2d", 2 * GD_MS_PER_D},
		{"250ms", 250},
		{"1d2h3m4s5ms", GD_MS_PER_D + 2 * GD_MS_PER_H +
					3 * GD_MS_PER_M + 4 * GD_MS_PER_S + 5},
		{"0s", 0},
		{"90m", 90 * GD_MS_PER_M},
		{"366d", GD_DURATION_MAX},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gd_ms v = -1;
		const char *why = NULL;
		assert_int_equal(gd_duration_parse(cases[i].text, &v, &why), 0);
		assert_int_equal(v, cases[i].ms);
	}
}

static void rejects_ambiguous_forms(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *reason; /* a word the explanation must contain */
	} cases[] = {
		{"", "empty"},
		{"90", "without a unit"},
		{"1m30", "without a unit"},
		{"-5m", "negative"},
		{"+5m", "no sign"},
		{"1.5h", "fractions"},
		{"1,5h", "fractions"},
		{"30m1h", "largest to smallest"},
		{"1h1h", "largest to smallest"},
		{"5mm", "expected a number"},
		{"2w", "unknown unit"},
		{"30M", "unknown unit"},
		{"1h 30m", "spaces"},
		{" 1h", "spaces"},
		{"h", "expected a number"},
		{"367d", "too long"},
		{"99999999999999999999s", "too long"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gd_ms v = 12345;
		const char *why = NULL;
		int r = gd_duration_parse(cases[i].text, &v, &why);
		if (r != -EINVAL)
			fail_msg("\"%s\" was accepted", cases[i].text);
		assert_non_null(why);
		if (!strstr(why, cases[i].reason))
			fail_msg("\"%s\": reason \"%s\" lacks \"%s\"",
				 cases[i].text, why, cases[i].reason);
		assert_int_equal(v, 12345); /* untouched on error */
	}
}

static void formats_canonically_and_round_trips(void **state)
{
	(void)state;
	char buf[GD_DURATION_BUFSZ];
	assert_string_equal(gd_duration_format(0, buf, sizeof(buf)), "0s");
	assert_string_equal(
		gd_duration_format(90 * GD_MS_PER_M, buf, sizeof(buf)),
		"1h30m");
	assert_string_equal(
		gd_duration_format(GD_MS_PER_D + 1, buf, sizeof(buf)), "1d1ms");
	assert_string_equal(
		gd_duration_format(-2 * GD_MS_PER_H, buf, sizeof(buf)), "-2h");
	/* Every value of a sweep reads back to itself. */
	for (gd_ms v = 0; v < 3 * GD_MS_PER_D; v += 7919 * 1013) {
		gd_ms back = -1;
		gd_duration_format(v, buf, sizeof(buf));
		assert_int_equal(gd_duration_parse(buf, &back, NULL), 0);
		assert_int_equal(back, v);
	}
}

static void offsets_need_a_sign(void **state)
{
	(void)state;
	gd_ms v;
	const char *why;
	assert_int_equal(gd_offset_parse("+2h", &v, &why), 0);
	assert_int_equal(v, 2 * GD_MS_PER_H);
	assert_int_equal(gd_offset_parse("-90s", &v, &why), 0);
	assert_int_equal(v, -90 * GD_MS_PER_S);
	assert_int_equal(gd_offset_parse("2h", &v, &why), -EINVAL);
	assert_non_null(strstr(why, "sign"));
	assert_int_equal(gd_offset_parse("--2h", &v, &why), -EINVAL);
	assert_int_equal(gd_offset_parse("+", &v, &why), -EINVAL);
}

static void ranges(void **state)
{
	(void)state;
	gd_ms lo, hi;
	const char *why;
	assert_int_equal(gd_range_parse("20m..40m", &lo, &hi, &why), 0);
	assert_int_equal(lo, 20 * GD_MS_PER_M);
	assert_int_equal(hi, 40 * GD_MS_PER_M);
	assert_int_equal(gd_range_parse("25m", &lo, &hi, &why), 0);
	assert_int_equal(lo, hi);
	assert_int_equal(gd_range_parse("40m..20m", &lo, &hi, &why), -EINVAL);
	assert_non_null(strstr(why, "backwards"));
	assert_int_equal(gd_range_parse("20m..", &lo, &hi, &why), -EINVAL);
	assert_int_equal(gd_range_parse("..40m", &lo, &hi, &why), -EINVAL);
	assert_int_equal(gd_range_parse("20m...40m", &lo, &hi, &why), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_unit),
		cmocka_unit_test(rejects_ambiguous_forms),
		cmocka_unit_test(formats_canonically_and_round_trips),
		cmocka_unit_test(offsets_need_a_sign),
		cmocka_unit_test(ranges),
	};
	return cmocka_run_group_tests_name("duration", tests, NULL, NULL);
}
