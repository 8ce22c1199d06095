/* A cluster of real hosts ("backend": "ssh") as the model keeps it: the
 * hosts with {node} filled in, power argvs as written, the job system's
 * default units, the cluster's defaults.  Its errors are golden tests
 * (tests/golden/invalid/ssh-*). */
#include "unit.h"

#include "scenario_text.h"

#include <stdio.h>
#include <stdlib.h>

static gd_scenario *parse(const char *cluster)
{
	char *text = NULL;
	int n = asprintf(&text,
			 "{\"gameday\": 1, \"duration\": \"1h\", \"cluster\": "
			 "%s, \"workload\": {\"jobs\": 1, \"deadline\": "
			 "\"2h\", \"expected\": \"10m..20m\"}}",
			 cluster);
	assert_true(n > 0);
	gd_scenario *s = scenario_parse_text(text, n);
	assert_non_null(s);
	return s;
}

static void ssh_hosts_and_defaults(void **state)
{
	(void)state;
	gd_scenario *s = parse(
		"{\"system\": \"slurm\", \"backend\": \"ssh\", \"nodes\": ["
		"{\"name\": \"ctl\", \"role\": \"controller\", \"host\": "
		"\"root@stage-ctl\"},"
		"{\"name\": \"w[1-2]\", \"role\": \"worker\", \"host\": "
		"\"admin@{node}.stage\", \"power\": {\"off\": [\"pdu\", "
		"\"off\", \"{node}\"], \"on\": [\"pdu\", \"on\", \"{host}\"]}}],"
		"\"roles\": {\"worker\": {\"units\": [\"slurmd.service\"]}},"
		"\"heartbeat_timeout\": \"2m\"}");
	const gd_cluster *c = &s->cluster;
	assert_string_equal(c->backend, "ssh");
	assert_int_equal(c->nnodes, 3);
	assert_string_equal(c->nodes[0].host, "root@stage-ctl");
	assert_null(c->nodes[0].power);
	assert_string_equal(c->nodes[1].host, "admin@w1.stage");
	assert_string_equal(c->nodes[2].host, "admin@w2.stage");
	/* one power for the range, its placeholders left to the backend */
	assert_ptr_equal(c->nodes[1].power, c->nodes[2].power);
	assert_int_equal(c->nodes[1].power->off.n, 3);
	assert_string_equal(c->nodes[1].power->off.v[2], "{node}");
	assert_string_equal(c->nodes[1].power->on.v[2], "{host}");
	assert_int_equal(c->nodes[1].power->cycle.n, 0);
	/* the controller's default units, the worker's as written */
	const gd_role *ctl = &c->roles[c->nodes[0].role];
	assert_int_equal(ctl->units.n, 2);
	assert_string_equal(ctl->units.v[0], "munge.service");
	assert_string_equal(ctl->units.v[1], "slurmctld.service");
	const gd_role *w = &c->roles[c->nodes[1].role];
	assert_int_equal(w->units.n, 1);
	assert_string_equal(w->units.v[0], "slurmd.service");
	assert_string_equal(c->storage, "/srv/gameday");
	assert_null(c->ssh_config);
	assert_false(c->allow_host_clock);
	assert_int_equal(c->heartbeat_ms, 120000);
	gd_scenario_free(s);
}

static void slurm_workers_default_to_slurmd(void **state)
{
	(void)state;
	gd_scenario *s = parse(
		"{\"system\": \"slurm\", \"backend\": \"ssh\", \"nodes\": ["
		"{\"name\": \"ctl\", \"role\": \"controller\", \"host\": \"c\"},"
		"{\"name\": \"w1\", \"role\": \"worker\", \"host\": \"w\"}],"
		"\"storage\": \"/data/gd\", \"time_sync\": "
		"{\"allow_host_clock\": true}}");
	const gd_cluster *c = &s->cluster;
	const gd_role *w = &c->roles[c->nodes[1].role];
	assert_int_equal(w->units.n, 2);
	assert_string_equal(w->units.v[1], "slurmd.service");
	assert_string_equal(c->storage, "/data/gd");
	assert_true(c->allow_host_clock);
	assert_int_equal(c->heartbeat_ms, 60000);
	gd_scenario_free(s);
}

static void exec_has_no_default_units(void **state)
{
	(void)state;
	gd_scenario *s = parse(
		"{\"system\": \"exec\", \"backend\": \"ssh\", \"nodes\": ["
		"{\"name\": \"q\", \"role\": \"queue\", \"host\": \"q\"}],"
		"\"adapter\": {\"submit\": [\"/s\"], \"query\": [\"/q\"]}}");
	assert_int_equal(s->cluster.roles[0].units.n, 0);
	gd_scenario_free(s);
}

static void namespaced_keeps_none_of_it(void **state)
{
	(void)state;
	gd_scenario *s = parse("{\"system\": \"slurm\", \"nodes\": ["
			       "{\"name\": \"ctl\", \"role\": \"controller\"},"
			       "{\"name\": \"w1\", \"role\": \"worker\"}]}");
	const gd_cluster *c = &s->cluster;
	assert_null(c->backend);
	assert_null(c->nodes[1].host);
	assert_null(c->storage);
	assert_int_equal(c->roles[0].units.n, 0);
	gd_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ssh_hosts_and_defaults),
		cmocka_unit_test(slurm_workers_default_to_slurmd),
		cmocka_unit_test(exec_has_no_default_units),
		cmocka_unit_test(namespaced_keeps_none_of_it),
	};
	return cmocka_run_group_tests_name("inventory", tests, NULL, NULL);
}
