#include "unit.h"

#include "base/thread.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* Each item's visits, and how many ran at once at most. */
struct seen {
	int *visits;
	int inflight, most;
};

static void visit(void *ctx, size_t i)
{
	struct seen *s = ctx;
	int now = __atomic_add_fetch(&s->inflight, 1, __ATOMIC_SEQ_CST);
	int most = __atomic_load_n(&s->most, __ATOMIC_SEQ_CST);
	while (now > most &&
	       !__atomic_compare_exchange_n(&s->most, &most, now, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	/* long enough for the others of its batch to have started */
	nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	__atomic_add_fetch(&s->visits[i], 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&s->inflight, 1, __ATOMIC_SEQ_CST);
}

static void every_item_once_and_a_batch_at_once(void **state)
{
	(void)state;
	size_t n = 10;
	struct seen s = {calloc(n, sizeof(int)), 0, 0};
	gd_thread_each(n, 4, visit, &s);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(s.visits[i], 1);
	assert_int_equal(s.inflight, 0);
	assert_true(s.most > 1);  /* at once */
	assert_true(s.most <= 4); /* never more than asked */
	free(s.visits);
}

static void none_and_one_at_a_time(void **state)
{
	(void)state;
	struct seen s = {calloc(3, sizeof(int)), 0, 0};
	gd_thread_each(0, 4, visit, &s);
	assert_int_equal(s.most, 0);
	gd_thread_each(3, 1, visit, &s);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(s.visits[i], 1);
	assert_int_equal(s.most, 1);
	free(s.visits);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_item_once_and_a_batch_at_once),
		cmocka_unit_test(none_and_one_at_a_time),
	};
	return cmocka_run_group_tests_name("thread", tests, NULL, NULL);
}
