#include "unit.h"

#include "base/strbuf.h"

#include <stdint.h>
#include <stdlib.h>

static void starts_empty_and_readable(void **state)
{
	(void)state;
	gd_strbuf sb = GD_STRBUF_INIT;
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.len, 0);
	gd_strbuf_release(&sb); /* nothing to free */
	gd_strbuf_release(&sb); /* and again */
	gd_strbuf_init(&sb);
	gd_strbuf_add(&sb, "");
	assert_string_equal(sb.buf, "");
	assert_false(sb.oom);
}

static void appends_every_way(void **state)
{
	(void)state;
	_cleanup_strbuf_ gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_add(&sb, "jobs");
	gd_strbuf_addch(&sb, '-');
	gd_strbuf_addf(&sb, "%d and %s", 1, "more");
	gd_strbuf_addn(&sb, "!?", 1);
	assert_string_equal(sb.buf, "jobs-1 and more!");
	assert_int_equal(sb.len, strlen("jobs-1 and more!"));
	gd_strbuf_reset(&sb);
	assert_string_equal(sb.buf, "");
	gd_strbuf_addf(&sb, "%s", "again");
	assert_string_equal(sb.buf, "again");
}

static void grows_past_any_fixed_size(void **state)
{
	(void)state;
	_cleanup_strbuf_ gd_strbuf sb = GD_STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		gd_strbuf_addf(&sb, "%s%04d", i ? ", " : "", i);
	assert_int_equal(sb.len, 4 + 999 * 6);
	assert_int_equal(strlen(sb.buf), sb.len);
	assert_memory_equal(sb.buf + sb.len - 10, "0998, 0999", 10);
	/* one addf longer than everything so far, in one go */
	char big[20000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	size_t before = sb.len;
	gd_strbuf_addf(&sb, "[%s]", big);
	assert_int_equal(sb.len, before + sizeof(big) + 1);
	assert_int_equal(sb.buf[sb.len - 1], ']');
	assert_false(sb.oom);
}

static void detach_hands_over(void **state)
{
	(void)state;
	gd_strbuf sb = GD_STRBUF_INIT;
	char *empty = gd_strbuf_detach(&sb);
	assert_non_null(empty);
	assert_string_equal(empty, "");
	free(empty);
	gd_strbuf_add(&sb, "w1, w2");
	char *s = gd_strbuf_detach(&sb);
	assert_string_equal(s, "w1, w2");
	assert_string_equal(sb.buf, ""); /* as after init */
	assert_int_equal(sb.alloc, 0);
	free(s);
}

static void out_of_memory_is_sticky(void **state)
{
	(void)state;
	_cleanup_strbuf_ gd_strbuf sb = GD_STRBUF_INIT;
	gd_strbuf_add(&sb, "kept");
	/* a length no allocation can hold: the failure path without
	 * needing malloc to fail */
	gd_strbuf_addn(&sb, "x", SIZE_MAX - 2);
	assert_true(sb.oom);
	assert_string_equal(sb.buf, "kept"); /* the failed add added nothing */
	gd_strbuf_add(&sb, " and more");
	gd_strbuf_addf(&sb, "%d", 42);
	assert_string_equal(sb.buf, "kept"); /* nor does any later one */
	assert_null(gd_strbuf_detach(&sb));
	assert_false(sb.oom); /* as after init */
	gd_strbuf_add(&sb, "fresh");
	assert_string_equal(sb.buf, "fresh");
	gd_strbuf_reset(&sb);
	assert_false(sb.oom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starts_empty_and_readable),
		cmocka_unit_test(appends_every_way),
		cmocka_unit_test(grows_past_any_fixed_size),
		cmocka_unit_test(detach_hands_over),
		cmocka_unit_test(out_of_memory_is_sticky),
	};
	return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
