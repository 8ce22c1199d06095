#include "unit.h"

#include "jobsys/exec.h"

#include <errno.h>
#include <stdlib.h>

static void a_query_answer_is_read(void **state)
{
	(void)state;
	gd_job_status *v = NULL;
	size_t n = 0;
	gd_error *err = NULL;
	const char *text =
		"{\"jobs\": [{\"id\": \"7\", \"state\": \"running\", \"attempts\": 2, \"node\": \"w3\"},"
		" {\"id\": 8, \"state\": \"completed\", \"detail\": \"deleted\"},"
		" {\"id\": \"9\", \"state\": \"queued\"}]}";
	assert_int_equal(gd_exec_parse_query(text, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].sys_id, "7");
	assert_int_equal(v[0].phase, GD_PHASE_RUNNING);
	assert_int_equal(v[0].attempts, 2);
	assert_string_equal(v[0].nodes, "w3");
	assert_string_equal(v[0].state, "running");
	/* integer ids are the system's ids too; detail is its own word */
	assert_string_equal(v[1].sys_id, "8");
	assert_int_equal(v[1].phase, GD_PHASE_COMPLETED);
	assert_string_equal(v[1].state, "deleted");
	assert_int_equal(v[1].attempts, 0);
	assert_int_equal(v[2].phase, GD_PHASE_QUEUED);
	free(v);
}

static void an_empty_queue_is_an_answer(void **state)
{
	(void)state;
	gd_job_status *v = NULL;
	size_t n = 9;
	gd_error *err = NULL;
	assert_int_equal(gd_exec_parse_query("{\"jobs\": []}", &v, &n, &err),
			 0);
	assert_int_equal(n, 0);
	free(v);
}

/* Each way of breaking the contract is named, with where. */
static void contract_breaches_are_named(void **state)
{
	(void)state;
	static const struct {
		const char *text, *says;
	} cases[] = {
		{"accepted", "adapter \"query\" printed accepted; expected"},
		{"{\"queue\": []}", "expected {\"jobs\": [...]}"},
		{"{\"jobs\": [1]}", "$.jobs[0] is not an object"},
		{"{\"jobs\": [{\"state\": \"queued\"}]}",
		 "$.jobs[0] has no \"id\""},
		{"{\"jobs\": [{\"id\": \"1\", \"state\": \"queued\"}, {\"id\": \"2\", \"state\": \"sleeping\"}]}",
		 "$.jobs[1] has no \"state\" among queued, running, completed, failed"},
		{"{\"jobs\": [{\"id\": \"\", \"state\": \"queued\"}]}",
		 "has no \"id\""},
		{"{\"jobs\": [{\"id\": 1, \"state\": \"queued\", \"attempts\": -1}]}",
		 "\"attempts\" that is not a count"},
		{"{\"jobs\": [{\"id\": 1, \"state\": \"queued\", \"node\": 3}]}",
		 "\"node\" that is not a string"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gd_job_status *v = NULL;
		size_t n = 0;
		gd_error *err = NULL;
		assert_int_equal(
			gd_exec_parse_query(cases[i].text, &v, &n, &err),
			-EPROTO);
		assert_non_null(err);
		if (!strstr(err->msg, cases[i].says))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i,
				 err->msg, cases[i].says);
		assert_null(v);
		gd_error_free(err);
	}
}

static void a_nodes_answer_is_read(void **state)
{
	(void)state;
	gd_jobsys_node *v = NULL;
	size_t n = 0;
	gd_error *err = NULL;
	assert_int_equal(
		gd_exec_parse_nodes(
			"{\"nodes\": [{\"name\": \"w1\", \"state\": \"drained\"},"
			" {\"name\": \"w2\", \"state\": \"draining\"}]}",
			&v, &n, &err),
		0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "w1");
	assert_string_equal(v[0].state, "drained");
	assert_string_equal(v[1].name, "w2");
	assert_string_equal(v[1].state, "draining");
	free(v);
	assert_int_equal(gd_exec_parse_nodes("{\"nodes\": []}", &v, &n, &err),
			 0);
	assert_int_equal(n, 0);
	free(v);
	static const struct {
		const char *text, *says;
	} cases[] = {
		{"drained", "adapter \"nodes\" printed drained; expected"},
		{"{\"nodes\": [{\"name\": \"w1\"}]}",
		 "$.nodes[0] needs a \"name\" and a \"state\""},
		{"{\"nodes\": [{\"name\": \"w1\", \"state\": \"idle\"}, 7]}",
		 "$.nodes[1] needs"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
			gd_exec_parse_nodes(cases[i].text, &v, &n, &err),
			-EPROTO);
		if (!strstr(err->msg, cases[i].says))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i,
				 err->msg, cases[i].says);
		assert_null(v);
		assert_int_equal(n, 0);
		gd_error_free(err);
		err = NULL;
	}
}

static void phases_have_names_both_ways(void **state)
{
	(void)state;
	for (int p = GD_PHASE_QUEUED; p <= GD_PHASE_FAILED; p++)
		assert_int_equal(gd_job_phase_parse(gd_job_phase_name(p)), p);
	assert_int_equal(gd_job_phase_parse("RUNNING"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_query_answer_is_read),
		cmocka_unit_test(an_empty_queue_is_an_answer),
		cmocka_unit_test(contract_breaches_are_named),
		cmocka_unit_test(a_nodes_answer_is_read),
		cmocka_unit_test(phases_have_names_both_ways),
	};
	return cmocka_run_group_tests_name("exec adapter", tests, NULL, NULL);
}
