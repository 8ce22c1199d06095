#include "unit.h"

#include "base/prng.h"

#include <stdbool.h>

static void splitmix_matches_reference(void **state)
{
	(void)state;
	/* First outputs of splitmix64 from state 0 (Vigna's reference). */
	uint64_t st = 0;
	assert_int_equal(gd_splitmix64(&st), UINT64_C(0xe220a8397b1dcdaf));
	assert_int_equal(gd_splitmix64(&st), UINT64_C(0x6e789e6aa1b965f4));
	assert_int_equal(gd_splitmix64(&st), UINT64_C(0x06c45d188009454f));
}

static void same_seed_same_numbers(void **state)
{
	(void)state;
	gd_prng a, b, c;
	gd_prng_seed(&a, 42);
	gd_prng_seed(&b, 42);
	gd_prng_seed(&c, 43);
	bool differs = false;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = gd_prng_next(&a);
		assert_int_equal(x, gd_prng_next(&b));
		differs |= x != gd_prng_next(&c);
	}
	assert_true(differs);
}

static void streams_are_independent_and_stable(void **state)
{
	(void)state;
	gd_prng a, b, a2;
	gd_prng_stream(&a, 7, "step:renewal");
	gd_prng_stream(&b, 7, "step:monkey");
	gd_prng_stream(&a2, 7, "step:renewal");
	uint64_t xa = gd_prng_next(&a), xb = gd_prng_next(&b);
	assert_true(xa != xb);
	assert_int_equal(xa, gd_prng_next(&a2));
}

static void below_stays_in_bounds_and_is_roughly_uniform(void **state)
{
	(void)state;
	gd_prng r;
	gd_prng_seed(&r, 1);
	enum { N = 6, DRAWS = 60000 };
	unsigned hist[N] = {0};
	for (int i = 0; i < DRAWS; i++) {
		uint64_t v = gd_prng_below(&r, N);
		assert_true(v < N);
		hist[v]++;
	}
	/* Chi-square with 5 degrees of freedom: 20.5 is p = 0.001, so a
	 * correct generator fails this about once in a thousand seeds, and
	 * the seed is fixed. */
	double chi = 0, expect = (double)DRAWS / N;
	for (int i = 0; i < N; i++)
		chi += (hist[i] - expect) * (hist[i] - expect) / expect;
	assert_true(chi < 20.5);
	assert_int_equal(gd_prng_below(&r, 1), 0);
}

static void range_includes_both_ends(void **state)
{
	(void)state;
	gd_prng r;
	gd_prng_seed(&r, 3);
	bool lo = false, hi = false;
	for (int i = 0; i < 1000; i++) {
		int64_t v = gd_prng_range(&r, -2, 2);
		assert_true(v >= -2 && v <= 2);
		lo |= v == -2;
		hi |= v == 2;
	}
	assert_true(lo && hi);
	assert_int_equal(gd_prng_range(&r, 5, 5), 5);
}

static void pick_draws_distinct_values_evenly(void **state)
{
	(void)state;
	gd_prng r;
	gd_prng_seed(&r, 9);
	enum { N = 5, K = 2, ROUNDS = 20000 };
	unsigned count[N] = {0};
	size_t idx[N];
	for (int round = 0; round < ROUNDS; round++) {
		gd_prng_pick(&r, idx, N, K);
		assert_true(idx[0] != idx[1]);
		/* the whole array stays a permutation */
		unsigned seen = 0;
		for (int i = 0; i < N; i++)
			seen |= 1u << idx[i];
		assert_int_equal(seen, (1u << N) - 1);
		count[idx[0]]++;
		count[idx[1]]++;
	}
	/* each value is picked K/N of the time: 8000 expected */
	for (int i = 0; i < N; i++)
		assert_true(count[i] > 7600 && count[i] < 8400);
}

static void fresh_seeds_fit_in_32_bits(void **state)
{
	(void)state;
	for (int i = 0; i < 10; i++)
		assert_true(gd_prng_fresh_seed() <= UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splitmix_matches_reference),
		cmocka_unit_test(same_seed_same_numbers),
		cmocka_unit_test(streams_are_independent_and_stable),
		cmocka_unit_test(below_stays_in_bounds_and_is_roughly_uniform),
		cmocka_unit_test(range_includes_both_ends),
		cmocka_unit_test(pick_draws_distinct_values_evenly),
		cmocka_unit_test(fresh_seeds_fit_in_32_bits),
	};
	return cmocka_run_group_tests_name("prng", tests, NULL, NULL);
}
