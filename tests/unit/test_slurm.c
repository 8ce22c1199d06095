#include "unit.h"

#include "jobsys/slurm.h"
#include "jobsys/slurm_client.h"
#include "jobsys/slurm_conf.h"

#include <errno.h>
#include <stdlib.h>

static const gd_slurm_timeout_t *find(const char *name)
{
	for (size_t i = 0; i < gd_slurm_ntimeouts; i++)
		if (strcmp(gd_slurm_timeouts[i].name, name) == 0)
			return &gd_slurm_timeouts[i];
	fail_msg("no timeout \"%s\"", name);
	return NULL;
}

static void timeouts_follow_the_time_scale(void **state)
{
	(void)state;
	const gd_slurm_timeout_t *slurmd = find("SlurmdTimeout");
	assert_int_equal(gd_slurm_timeout(slurmd, 1), 300);
	assert_int_equal(gd_slurm_timeout(slurmd, 10), 30);
	assert_int_equal(gd_slurm_timeout(slurmd, 60), 5);
	/* never below the floor Slurm can honour */
	assert_int_equal(gd_slurm_timeout(slurmd, 1000), 5);
	/* a scale below 1 is not a slow-down */
	assert_int_equal(gd_slurm_timeout(slurmd, 0.5), 300);
	assert_int_equal(gd_slurm_timeout(&gd_slurm_munge_ttl, 30), 10);
	assert_int_equal(gd_slurm_timeout(&gd_slurm_munge_ttl, 1), 300);
	assert_int_equal(gd_slurm_timeout(&gd_slurm_cred_expire, 1), 120);
	assert_int_equal(gd_slurm_timeout(&gd_slurm_cred_expire, 12), 10);
	assert_int_equal(gd_slurm_timeout(&gd_slurm_cred_expire, 600), 5);
}

/* A clock offset is real seconds at every scale, so where a step moves a
 * clock munge's credential lifetime is production's: 300 s, not 10. */
static void munge_ttl_is_not_compressed_where_a_clock_moves(void **state)
{
	(void)state;
	gd_cluster c = {.time_scale = 600};
	assert_int_equal(gd_slurm_munge_ttl_s(&c), 10);
	c.time_scale = 2;
	assert_int_equal(gd_slurm_munge_ttl_s(&c), 150);
	c.fake_clock = true;
	assert_int_equal(gd_slurm_munge_ttl_s(&c), 300);
	c.time_scale = 600;
	assert_int_equal(gd_slurm_munge_ttl_s(&c), 300);
	gd_timing t[GD_TIMINGS_MAX];
	size_t n = gd_slurm_timings(&c, 600, t);
	bool seen = false;
	for (size_t i = 0; i < n; i++)
		if (t[i].kind == GD_TIMING_CLOCK) {
			assert_int_equal(t[i].production, 300 * 1000);
			assert_int_equal(t[i].real, 300 * 1000);
			seen = true;
		}
	assert_true(seen);
}

static void every_timeout_has_a_floor_below_its_default(void **state)
{
	(void)state;
	for (size_t i = 0; i < gd_slurm_ntimeouts; i++) {
		assert_true(gd_slurm_timeouts[i].floor_s > 0);
		assert_true(gd_slurm_timeouts[i].floor_s <=
			    gd_slurm_timeouts[i].production_s);
	}
}

static void queue_json_is_read(void **state)
{
	(void)state;
	const char *json =
		"{\"meta\": {}, \"jobs\": ["
		"{\"job_id\": 7, \"name\": \"jobs-1\", \"job_state\": \"RUNNING\", "
		"\"nodes\": \"w2\", \"start_time\": 100, \"end_time\": 0, \"restart_cnt\": 1},"
		"{\"job_id\": {\"set\": true, \"number\": 8}, \"name\": \"jobs-2\", "
		"\"job_state\": [\"PENDING\"], \"restart_cnt\": 0}]}";
	gd_slurm_job *jobs = NULL;
	size_t n = 0;
	gd_error *err = NULL;
	assert_int_equal(gd_slurm_parse_queue(json, &jobs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(jobs[0].id, 7);
	assert_string_equal(jobs[0].state, "RUNNING");
	assert_string_equal(jobs[0].nodes, "w2");
	assert_int_equal(jobs[0].restarts, 1);
	/* the shapes of later Slurm versions read the same */
	assert_int_equal(jobs[1].id, 8);
	assert_string_equal(jobs[1].state, "PENDING");
	free(jobs);

	/* a job Slurm holds after a launch refused on a node still running
	 * its previous attempt: pending at priority 0, and why */
	json = "{\"jobs\": [{\"job_id\": 9, \"name\": \"jobs-9\", "
	       "\"job_state\": \"PENDING\", \"restart_cnt\": 2, "
	       "\"priority\": 0, \"state_reason\": \"launch_failed_requeued_held\", "
	       "\"state_description\": \"launch failed requeued held\"},"
	       "{\"job_id\": 10, \"name\": \"jobs-10\", \"job_state\": "
	       "\"PENDING\", \"priority\": 4294901758, \"state_reason\": "
	       "\"Resources\", \"state_description\": \"None\"}]}";
	assert_int_equal(gd_slurm_parse_queue(json, &jobs, &n, &err), 0);
	assert_int_equal(jobs[0].priority, 0);
	assert_string_equal(jobs[0].reason, "launch failed requeued held");
	assert_true(jobs[1].priority > 0);
	assert_string_equal(jobs[1].reason, "Resources");
	free(jobs);

	assert_true(gd_slurm_parse_queue("{\"errors\": []}", &jobs, &n, &err) <
		    0);
	assert_non_null(strstr(err->msg, "no \"jobs\" array"));
	gd_error_free(err);
	err = NULL;
	assert_true(gd_slurm_parse_queue("not json", &jobs, &n, &err) < 0);
	gd_error_free(err);
}

static void completion_records_are_read(void **state)
{
	(void)state;
	long id;
	char st[32], nodes[64];
	assert_int_equal(
		gd_slurm_parse_jobcomp(
			"JobId=12 UserId=gdjob(64000) Name=jobs-3 JobState=COMPLETED "
			"Partition=batch NodeList=w3 NodeCnt=1 WorkDir=/srv/shared",
			&id, st, sizeof(st), nodes, sizeof(nodes)),
		0);
	assert_int_equal(id, 12);
	assert_string_equal(st, "COMPLETED");
	assert_string_equal(nodes, "w3");
	/* a key inside another key's name is not the key */
	assert_int_equal(gd_slurm_parse_jobcomp("XJobId=3 JobState=FAILED", &id,
						st, sizeof(st), nodes,
						sizeof(nodes)),
			 -EINVAL);
	assert_int_equal(gd_slurm_parse_jobcomp("garbage", &id, st, sizeof(st),
						nodes, sizeof(nodes)),
			 -EINVAL);
	assert_true(gd_slurm_state_final("COMPLETED"));
	assert_true(gd_slurm_state_final("NODE_FAIL"));
	assert_false(gd_slurm_state_final("RUNNING"));
	assert_false(gd_slurm_state_final("PENDING"));
}

static void config_overrides_reach_the_node_line_or_a_key(void **state)
{
	(void)state;
	const char *conf =
		"ClusterName=gameday\n"
		"SlurmdTimeout=300\n"
		"NodeName=w1 NodeAddr=10.0.0.2 CPUs=1 State=UNKNOWN\n"
		"NodeName=w10 NodeAddr=10.0.0.3 CPUs=1 State=UNKNOWN\n"
		"PartitionName=batch Nodes=ALL Default=YES\n";
	const char *keys[] = {"cpus", "SlurmdTimeout", "TmpFS"};
	const char *values[] = {"4", "30", "/srv/scratch"};
	char *out = gd_slurm_conf_override(conf, "w1", keys, values, 3);
	assert_non_null(out);
	assert_string_equal(
		out, "ClusterName=gameday\n"
		     "SlurmdTimeout=30\n"
		     "NodeName=w1 NodeAddr=10.0.0.2 cpus=4 State=UNKNOWN\n"
		     "NodeName=w10 NodeAddr=10.0.0.3 CPUs=1 State=UNKNOWN\n"
		     "PartitionName=batch Nodes=ALL Default=YES\n"
		     "TmpFS=/srv/scratch\n");
	free(out);
	/* A key no line has, on a text without a final newline. */
	out = gd_slurm_conf_override("A=1", "w1", keys + 2, values + 2, 1);
	assert_string_equal(out, "A=1\nTmpFS=/srv/scratch\n");
	free(out);
}

/* Slurm's syntax: comments, continuations, several keys to a line, keys
 * in any case, quoted values; each parameter where it was written. */
static void team_conf_is_read_as_slurm_reads_it(void **state)
{
	(void)state;
	gd_diags d = {0};
	gd_slurm_conf *conf = gd_slurm_conf_parse(
		"# a comment\n\nslurmdtimeout=600  # and another\n"
		"MessageTimeout=20 \\\n  KillWait=60\n"
		"PartitionName=p Nodes=w[1-2] AllowGroups=\"a b\"\n",
		"t.conf", &d);
	assert_non_null(conf);
	assert_int_equal(d.n, 0);
	assert_int_equal(conf->nlines, 3);
	assert_string_equal(gd_slurm_conf_get(conf, "SlurmdTimeout"), "600");
	assert_int_equal(gd_slurm_conf_seconds(conf, "KillWait", 30), 60);
	assert_int_equal(conf->lines[1].p[1].line, 5);
	assert_int_equal(conf->lines[1].p[1].col, 3);
	assert_string_equal(conf->lines[2].p[2].value, "a b");
	gd_slurm_conf_free(conf);

	conf = gd_slurm_conf_parse("Key\nA=\"open\n", "t.conf", &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.items[0].line, 1);
	assert_non_null(strstr(d.items[1].msg, "never closes"));
	gd_slurm_conf_free(conf);
	gd_diags_clear(&d);
}

static void hostlists_expand(void **state)
{
	(void)state;
	gd_strv v;
	char *why;
	assert_int_equal(
		gd_slurm_hostlist_expand("w[1-3,5],c1,n[08-10]x", &v, &why), 0);
	assert_int_equal(v.n, 8);
	assert_string_equal(v.v[3], "w5");
	assert_string_equal(v.v[4], "c1");
	assert_string_equal(v.v[5], "n08x");
	assert_string_equal(v.v[7], "n10x");
	gd_slurm_names_free(&v);
	assert_int_equal(gd_slurm_hostlist_expand("w[3-1]", &v, &why), -2);
	free(why);
	assert_int_equal(gd_slurm_hostlist_expand("w[1-2", &v, &why), -2);
	assert_non_null(strstr(why, "without its ']'"));
	free(why);
	assert_int_equal(gd_slurm_time_parse("90"), 5400);
	assert_int_equal(gd_slurm_time_parse("1-02:00:00"), 93600);
	assert_int_equal(gd_slurm_time_parse("INFINITE"), -1);
	assert_int_equal(gd_slurm_time_parse("1h"), -2);
}

static gd_cluster two_workers(const char *text)
{
	static gd_role roles[] = {{.name = "controller", .cpus = 1},
				  {.name = "worker", .cpus = 1}};
	static gd_node nodes[] = {
		{.name = "ctl", .role = 0},
		{.name = "w1", .role = 1},
		{.name = "w2", .role = 1},
	};
	return (gd_cluster){.system = GD_SYSTEM_SLURM,
			    .nodes = nodes,
			    .nnodes = 3,
			    .roles = roles,
			    .nroles = 2,
			    .time_scale = 1,
			    .conf_file = "t.conf",
			    .conf_text = text};
}

static void team_conf_is_checked(void **state)
{
	(void)state;
	gd_diags d = {0};
	gd_cluster c = two_workers(
		"SchedulerType=sched/builtin\nReturnToService=1\n"
		"PartitionName=a Nodes=w1 Default=YES\nPartitionName=b Nodes=w2\n");
	assert_int_equal(gd_slurm_conf_check(&c, &d), 0);
	c = two_workers("StateSaveLocation=/x\nslurmdtimout=5\n"
			"PartitionName=a Nodes=w[1-3],ctl\n"
			"ReturnToService=4\nKillWait=1\nKillWait=2\n");
	assert_int_equal(gd_slurm_conf_check(&c, &d), 7);
	assert_non_null(
		strstr(d.items[0].msg, "\"StateSaveLocation\" is gameday's"));
	assert_non_null(
		strstr(d.items[1].msg, "did you mean \"SlurmdTimeout\""));
	assert_int_equal(d.items[1].line, 2);
	assert_non_null(strstr(d.items[2].msg, "no staging node \"w3\""));
	assert_non_null(strstr(d.items[3].msg, "the controller"));
	assert_non_null(strstr(d.items[4].msg, "ReturnToService is 0, 1 or 2"));
	assert_non_null(strstr(d.items[5].msg, "set twice"));
	assert_non_null(strstr(d.items[6].msg, "Default=YES"));
	gd_diags_clear(&d);
}

/* The team's timeouts are production's: the timings compare faults with
 * them, compressed the same way as gameday's defaults; a setting nothing
 * meets is a timing of its own, kept or not. */
static void team_timeouts_are_production(void **state)
{
	(void)state;
	gd_cluster c = two_workers(
		"SlurmdTimeout=600\nKillWait=45\n"
		"PartitionName=a Nodes=ALL Default=YES MaxTime=90\n");
	gd_timing t[GD_TIMINGS_MAX];
	size_t n = gd_slurm_timings(&c, 60, t);
	bool silent = false, kill = false, max = false;
	for (size_t i = 0; i < n; i++) {
		if (t[i].kind == GD_TIMING_SILENT) {
			assert_int_equal(t[i].production, 600 * 1000);
			assert_int_equal(t[i].real, 10 * 1000);
			silent = true;
		} else if (!strcmp(t[i].name, "KillWait")) {
			assert_int_equal(t[i].kind, GD_TIMING_SETTING);
			assert_int_equal(t[i].production, 45 * 1000);
			assert_int_equal(t[i].real,
					 2 * 1000); /* 0.75 s: floor */
			kill = true;
		} else if (strstr(t[i].name, "MaxTime")) {
			assert_int_equal(t[i].production, 5400 * 1000);
			assert_int_equal(t[i].real, 2 * 60000); /* 1.5 min */
			max = true;
		}
	}
	assert_true(silent && kill && max);
	/* SlurmdTimeout=0: never DOWN, so nothing to compare with */
	c = two_workers("SlurmdTimeout=0\n");
	n = gd_slurm_timings(&c, 60, t);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(t[i].kind, GD_TIMING_SILENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timeouts_follow_the_time_scale),
		cmocka_unit_test(
			munge_ttl_is_not_compressed_where_a_clock_moves),
		cmocka_unit_test(every_timeout_has_a_floor_below_its_default),
		cmocka_unit_test(queue_json_is_read),
		cmocka_unit_test(team_conf_is_read_as_slurm_reads_it),
		cmocka_unit_test(hostlists_expand),
		cmocka_unit_test(team_conf_is_checked),
		cmocka_unit_test(team_timeouts_are_production),
		cmocka_unit_test(completion_records_are_read),
		cmocka_unit_test(config_overrides_reach_the_node_line_or_a_key),
	};
	return cmocka_run_group_tests_name("slurm", tests, NULL, NULL);
}
