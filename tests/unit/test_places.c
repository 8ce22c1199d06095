/* The places of a cluster (where its nodes see shared storage, gameday's
 * programs and their scratch, and where this machine sees the storage):
 * the backend's choice at up, found again with the cluster from its
 * cluster.json; one written before they were recorded is namespaced. */
#include "unit.h"

#include "base/fileio.h"
#include "cluster/cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RUN_ID "gd0000abcd"

struct root {
	char dir[64], run[128];
};

static void state_root(struct root *r)
{
	gd_pathf(r->dir, sizeof(r->dir), "/tmp/gd-test-places.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	assert_int_equal(setenv("GAMEDAY_STATE_DIR", r->dir, 1), 0);
	char runs[128];
	gd_pathf(runs, sizeof(runs), "%s/runs", r->dir);
	assert_int_equal(mkdir(runs, 0755), 0);
	gd_pathf(r->run, sizeof(r->run), "%s/" RUN_ID, runs);
	assert_int_equal(mkdir(r->run, 0755), 0);
}

static void root_free(struct root *r)
{
	_cleanup_error_ gd_error *err = NULL;
	gd_remove_tree(r->dir, false, &err);
	unsetenv("GAMEDAY_STATE_DIR");
}

static void namespaced_places(void **state)
{
	(void)state;
	static gd_cluster_state st;
	gd_pathf(st.dir, sizeof(st.dir), "/run/gameday/runs/" RUN_ID);
	gd_cluster_places_ns(&st);
	assert_string_equal(st.node_shared, "/srv/shared");
	assert_string_equal(st.node_programs, "/srv/gameday");
	assert_string_equal(st.node_scratch, "/srv/scratch");
	assert_string_equal(st.shared, "/run/gameday/runs/" RUN_ID "/shared");
}

static void places_come_back_with_the_cluster(void **state)
{
	(void)state;
	struct root r;
	state_root(&r);
	static gd_cluster_state st;
	gd_pathf(st.id, sizeof(st.id), RUN_ID);
	gd_pathf(st.name, sizeof(st.name), "lab");
	gd_pathf(st.dir, sizeof(st.dir), "%s", r.run);
	st.backend = gd_node_backend_find(NULL);
	gd_pathf(st.node_shared, sizeof(st.node_shared), "/data/gd/" RUN_ID);
	gd_pathf(st.node_programs, sizeof(st.node_programs),
		 "/data/gd/" RUN_ID "/programs");
	gd_pathf(st.node_scratch, sizeof(st.node_scratch), "/var/tmp/gd");
	gd_pathf(st.shared, sizeof(st.shared), "/mnt/lab/" RUN_ID);
	_cleanup_error_ gd_error *err = NULL;
	assert_int_equal(gd_cluster_save(&st, &err), 0);
	gd_cluster_state *found = NULL;
	assert_int_equal(gd_cluster_find(RUN_ID, &found, &err), 0);
	assert_string_equal(found->node_shared, st.node_shared);
	assert_string_equal(found->node_programs, st.node_programs);
	assert_string_equal(found->node_scratch, st.node_scratch);
	assert_string_equal(found->shared, st.shared);
	gd_cluster_state_free(found);
	root_free(&r);
}

/* A cluster.json from before the places were recorded: namespaced
 * nodes, their storage in the run directory. */
static void older_cluster_json_is_namespaced(void **state)
{
	(void)state;
	struct root r;
	state_root(&r);
	char path[192];
	gd_pathf(path, sizeof(path), "%s/cluster.json", r.run);
	static const char text[] =
		"{\"id\": \"" RUN_ID "\", \"name\": \"lab\", "
		"\"events\": \"\", \"switch_netns\": \"\", "
		"\"nodes\": []}";
	_cleanup_error_ gd_error *err = NULL;
	assert_int_equal(
		gd_write_file(path, text, sizeof(text) - 1, 0644, &err), 0);
	gd_cluster_state *found = NULL;
	assert_int_equal(gd_cluster_find(RUN_ID, &found, &err), 0);
	assert_string_equal(found->node_shared, "/srv/shared");
	assert_string_equal(found->node_programs, "/srv/gameday");
	assert_string_equal(found->node_scratch, "/srv/scratch");
	char want[192];
	gd_pathf(want, sizeof(want), "%s/shared", r.run);
	assert_string_equal(found->shared, want);
	gd_cluster_state_free(found);
	root_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(namespaced_places),
		cmocka_unit_test(places_come_back_with_the_cluster),
		cmocka_unit_test(older_cluster_json_is_namespaced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
