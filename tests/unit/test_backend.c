/* The node backends' table: the public calls of cluster.h dispatch to a
 * row's ops without checking them, so every row fills every op, and a
 * cluster.json names its row by a name that finds it again. */
#include "unit.h"

#include "cluster/backend.h"

static void every_row_is_complete(void **state)
{
	(void)state;
	assert_true(gd_node_nbackends >= 1);
	for (size_t i = 0; i < gd_node_nbackends; i++) {
		const gd_node_backend *b = gd_node_backends[i];
		assert_non_null(b->name);
		assert_non_null(b->preflight);
		assert_non_null(b->up);
		assert_non_null(b->down);
		assert_non_null(b->exec);
		assert_non_null(b->read);
		assert_non_null(b->write);
		assert_non_null(b->unlink);
		assert_non_null(b->getattr);
		assert_non_null(b->setattr);
		assert_non_null(b->hold_files);
		assert_non_null(b->let_go_files);
		assert_non_null(b->ready);
		assert_non_null(b->ready_close);
		assert_non_null(b->pause);
		assert_non_null(b->stop);
		assert_non_null(b->start);
		assert_non_null(b->release);
		assert_non_null(b->wipe_scratch);
		assert_non_null(b->renew);
		assert_non_null(b->restore);
		assert_non_null(b->changes);
		assert_non_null(b->restart_services);
		assert_non_null(b->signal_all);
		assert_non_null(b->populated);
		assert_non_null(b->service_pid);
		assert_non_null(b->signal_service);
		assert_non_null(b->state);
		assert_non_null(b->running);
		assert_non_null(b->addr);
		assert_non_null(b->net_open);
		assert_non_null(b->cut);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(gd_node_backends[j]->name,
						b->name);
	}
}

/* A cluster.json without a backend (written before there were any) is
 * the default row's: the namespaced node's. */
static void rows_are_found_by_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < gd_node_nbackends; i++)
		assert_ptr_equal(
			gd_node_backend_find(gd_node_backends[i]->name),
			gd_node_backends[i]);
	assert_ptr_equal(gd_node_backend_find(NULL), gd_node_backends[0]);
	assert_string_equal(gd_node_backend_find(NULL)->name, "namespace");
	assert_null(gd_node_backend_find("vm"));
	assert_null(gd_node_backend_find(""));
}

/* Every backend a cluster file may name has its row: a file validate
 * takes is never refused by run for want of one. */
static void every_name_a_file_takes_has_a_row(void **state)
{
	(void)state;
	for (size_t i = 0; i < gd_backend_nnames; i++)
		assert_non_null(gd_node_backend_find(gd_backend_names[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_row_is_complete),
		cmocka_unit_test(rows_are_found_by_name),
		cmocka_unit_test(every_name_a_file_takes_has_a_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
