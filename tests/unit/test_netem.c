#include "unit.h"

#include "net/netlink.h"

#include <math.h>

/* The kernel takes netem loss as a fraction of UINT32_MAX (what tc
 * sends for "loss 2.5%"), and the fault's evidence reads it back. */
static void loss_in_kernel_units(void **state)
{
	(void)state;
	assert_int_equal(gd_netem_loss_to_kernel(0), 0);
	assert_int_equal(gd_netem_loss_to_kernel(-1), 0);
	assert_int_equal(gd_netem_loss_to_kernel(100), UINT32_MAX);
	assert_int_equal(gd_netem_loss_to_kernel(250), UINT32_MAX);
	assert_int_equal(gd_netem_loss_to_kernel(50), 2147483648U);
	assert_int_equal(gd_netem_loss_to_kernel(2.5), 107374182U);
}

static void loss_round_trips(void **state)
{
	(void)state;
	static const double pct[] = {0.001, 0.5, 2.5, 5, 33.3, 99.999};
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		double back = gd_netem_loss_from_kernel(
			gd_netem_loss_to_kernel(pct[i]));
		assert_true(fabs(back - pct[i]) < 1e-7);
	}
	assert_true(gd_netem_loss_from_kernel(UINT32_MAX) == 100.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loss_in_kernel_units),
		cmocka_unit_test(loss_round_trips),
	};
	return cmocka_run_group_tests_name("netem", tests, NULL, NULL);
}
