/* The SSH backend's preflight judged from the texts a host's probe prints
 * (gd_probe_parse, gd_preflight_judge): no host, no network. */
#include "unit.h"

#include "cluster/ssh_preflight.h"

#include <stdio.h>

static gd_role roles[] = {{.name = "controller"}, {.name = "worker"}};
static gd_node nodes[] = {
	{.name = "ctl", .role = 0, .host = "root@ctl"},
	{.name = "w1", .role = 1, .host = "root@w1"},
	{.name = "w2", .role = 1, .host = "admin@w2"},
};
static const gd_cluster cluster = {.name = "lab",
				   .system = GD_SYSTEM_SLURM,
				   .nodes = nodes,
				   .nnodes = 3,
				   .roles = roles,
				   .nroles = 2};

/* What a healthy Debian host with Slurm prints, its clock at 1000.2. */
#define HEALTHY                                                                \
	"uid 0\ntool systemctl\ntool nft\ntool iptables iptables-legacy\n"     \
	"tool tc\ntool sinfo\n"                                                \
	"faketime /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1\n"       \
	"cgroup2 yes\nboot 6c9e-1\nfrom 10.77.0.1\n"                           \
	"unit munge.service loaded\nunit slurmd.service loaded\n"              \
	"nodes w1 w2 \nclock 1000.2\nend\n"

static gd_host_facts facts[3];

static void all_healthy(void)
{
	for (size_t i = 0; i < 3; i++)
		gd_probe_parse(HEALTHY, 1000.0, 1000.4, &facts[i]);
}

/* The mark of check name on node i. */
static enum gd_preflight_mark mark(const gd_preflight *pf, const char *name,
				   size_t i)
{
	for (size_t k = 0; k < pf->nchecks; k++)
		if (!strcmp(pf->check_names[k], name))
			return pf->cells[k * pf->nnodes + i].mark;
	fail_msg("no check %s", name);
	return GD_PF_SKIP;
}

static const char *reason(const gd_preflight *pf, const char *name, size_t i)
{
	for (size_t k = 0; k < pf->nchecks; k++)
		if (!strcmp(pf->check_names[k], name))
			return pf->cells[k * pf->nnodes + i].why;
	return "";
}

static void test_parse(void **state)
{
	(void)state;
	gd_host_facts f;
	gd_probe_parse(HEALTHY, 1000.0, 1000.4, &f);
	assert_true(f.answered && f.complete);
	assert_int_equal(f.uid, 0);
	assert_true(f.systemctl && f.nft && f.iptables && f.tc && f.cgroup2);
	assert_true(f.has_sinfo);
	assert_string_equal(f.sinfo_nodes, "w1 w2");
	assert_string_equal(f.ssh_from, "10.77.0.1");
	assert_int_equal(f.nunits, 2);
	assert_string_equal(f.units[1], "slurmd.service");
	assert_string_equal(f.unit_state[1], "loaded");
	/* host 1000.2 at our midpoint 1000.2: no offset, +-0.2 */
	assert_true(f.clock_offset > -1e-6 && f.clock_offset < 1e-6);
	assert_true(f.clock_uncertainty > 0.199 && f.clock_uncertainty < 0.201);
	/* cut off before "end" */
	gd_probe_parse("uid 0\ntool systemctl\n", 0, 0, &f);
	assert_true(f.answered && !f.complete);
}

static void test_healthy_passes(void **state)
{
	(void)state;
	all_healthy();
	gd_preflight pf;
	gd_preflight_judge(&cluster, facts, ~0u, &pf);
	assert_int_equal(pf.failed, 0);
	assert_int_equal(mark(&pf, "job system", 1), GD_PF_OK);
	gd_preflight_release(&pf);
}

static void test_unreachable_gates_the_rest(void **state)
{
	(void)state;
	all_healthy();
	gd_probe_unreachable("cannot reach root@w1: ssh: connect to host w1 "
			     "port 22: No route to host",
			     &facts[1]);
	gd_preflight pf;
	gd_preflight_judge(&cluster, facts, 0, &pf);
	assert_int_equal(pf.failed, 1);
	assert_int_equal(mark(&pf, "reachable", 1), GD_PF_FAIL);
	assert_int_equal(mark(&pf, "systemd", 1), GD_PF_SKIP);
	assert_non_null(
		strstr(reason(&pf, "reachable", 1), "No route to host"));
	assert_non_null(strstr(reason(&pf, "reachable", 1), "root@w1"));
	gd_preflight_release(&pf);
}

static void test_no_sudo(void **state)
{
	(void)state;
	all_healthy();
	gd_probe_parse("uid 1000\nsudo no\ntool systemctl\nend\n", 0, 0,
		       &facts[2]);
	gd_preflight pf;
	gd_preflight_judge(&cluster, facts, 0, &pf);
	assert_int_equal(mark(&pf, "root", 2), GD_PF_FAIL);
	assert_non_null(strstr(reason(&pf, "root", 2), "sudo"));
	gd_preflight_release(&pf);
	/* the transport's own refusal (its open asks sudo first) */
	gd_probe_refused("admin@w2 is not root and \"sudo -n\" refuses it",
			 &facts[2]);
	gd_preflight_judge(&cluster, facts, 0, &pf);
	assert_int_equal(mark(&pf, "reachable", 2), GD_PF_OK);
	assert_int_equal(mark(&pf, "root", 2), GD_PF_FAIL);
	assert_int_equal(mark(&pf, "systemd", 2), GD_PF_SKIP);
	assert_non_null(strstr(reason(&pf, "root", 2), "refuses it"));
	gd_preflight_release(&pf);
	gd_probe_parse("uid 1000\nsudo yes\n" HEALTHY, 1000.0, 1000.4,
		       &facts[2]);
	gd_preflight_judge(&cluster, facts, 0, &pf);
	assert_int_equal(mark(&pf, "root", 2), GD_PF_OK);
	gd_preflight_release(&pf);
}

/* A tool is checked only when a planned fault needs it. */
static void test_needs(void **state)
{
	(void)state;
	all_healthy();
	gd_probe_parse("uid 0\ntool systemctl\ntool sinfo\nnodes w1 w2\n"
		       "clock 1000.2\nend\n",
		       1000.0, 1000.4, &facts[1]);
	gd_preflight pf;
	gd_preflight_judge(&cluster, facts, 0, &pf);
	assert_int_equal(pf.failed, 0);
	assert_int_equal(mark(&pf, "firewall", 1), GD_PF_SKIP);
	gd_preflight_release(&pf);
	gd_preflight_judge(&cluster, facts,
			   GD_HOST_NEEDS_FIREWALL | GD_HOST_NEEDS_FAKETIME,
			   &pf);
	assert_int_equal(pf.failed, 2);
	assert_int_equal(mark(&pf, "firewall", 1), GD_PF_FAIL);
	assert_int_equal(mark(&pf, "libfaketime", 1), GD_PF_FAIL);
	assert_int_equal(mark(&pf, "firewall", 0), GD_PF_OK);
	gd_preflight_release(&pf);
	/* nft alone: the cut is an iptables chain today */
	gd_probe_parse("uid 0\ntool systemctl\ntool sinfo\ntool nft\n"
		       "nodes w1 w2\nclock 1000.2\nend\n",
		       1000.0, 1000.4, &facts[1]);
	gd_preflight_judge(&cluster, facts, GD_HOST_NEEDS_FIREWALL, &pf);
	assert_int_equal(mark(&pf, "firewall", 1), GD_PF_FAIL);
	assert_non_null(strstr(reason(&pf, "firewall", 1),
			       "nft alone is not enough yet"));
	gd_preflight_release(&pf);
}

static void test_units_clock_leftovers_jobsys(void **state)
{
	(void)state;
	all_healthy();
	gd_probe_parse("uid 0\ntool systemctl\nunit slurmd.service not-found\n"
		       "run 20261206-0001\nclock 1003.2\nend\n",
		       1000.0, 1000.4, &facts[1]);
	/* the controller's Slurm knows w1 alone */
	gd_probe_parse("uid 0\ntool systemctl\ntool sinfo\nnodes w1\n"
		       "clock 1000.2\nend\n",
		       1000.0, 1000.4, &facts[0]);
	gd_preflight pf;
	gd_preflight_judge(&cluster, facts, 0, &pf);
	assert_int_equal(mark(&pf, "units", 1), GD_PF_FAIL);
	assert_non_null(strstr(reason(&pf, "units", 1), "not-found"));
	assert_int_equal(mark(&pf, "clock", 1), GD_PF_FAIL);
	assert_non_null(strstr(reason(&pf, "clock", 1), "3.000 s ahead"));
	assert_int_equal(mark(&pf, "no leftovers", 1), GD_PF_FAIL);
	assert_non_null(strstr(reason(&pf, "no leftovers", 1), "cleanup"));
	assert_int_equal(mark(&pf, "job system", 1), GD_PF_OK);
	assert_int_equal(mark(&pf, "job system", 2), GD_PF_FAIL);
	assert_non_null(
		strstr(reason(&pf, "job system", 2), "sinfo lists: w1"));
	/* a name that is a prefix of a listed one is not listed */
	gd_probe_parse("uid 0\ntool sinfo\nnodes w10 w2x\nend\n", 0, 0,
		       &facts[0]);
	gd_preflight_release(&pf);
	gd_preflight_judge(&cluster, facts, 0, &pf);
	assert_int_equal(mark(&pf, "job system", 1), GD_PF_FAIL);
	assert_int_equal(mark(&pf, "job system", 2), GD_PF_FAIL);
	gd_preflight_release(&pf);
	/* a list longer than is read: cut at a whole name, and a name past
	 * the cut is said to be past it, not unknown */
	static char big[sizeof(facts[0].sinfo_nodes) + 64];
	strcpy(big, "uid 0\ntool sinfo\nnodes ");
	while (strlen(big) < sizeof(big) - 16)
		strcat(big, "w1 w10 ");
	strcat(big, "w2\nend\n");
	gd_probe_parse(big, 0, 0, &facts[0]);
	assert_true(facts[0].sinfo_cut);
	assert_null(strstr(facts[0].sinfo_nodes, "w2"));
	gd_preflight_judge(&cluster, facts, 0, &pf);
	assert_int_equal(mark(&pf, "job system", 1), GD_PF_OK);
	assert_int_equal(mark(&pf, "job system", 2), GD_PF_FAIL);
	assert_non_null(
		strstr(reason(&pf, "job system", 2), "more nodes than"));
	gd_preflight_release(&pf);
}

static void test_print(void **state)
{
	(void)state;
	all_healthy();
	gd_probe_unreachable("cannot reach admin@w2: Permission denied "
			     "(publickey).",
			     &facts[2]);
	gd_preflight pf;
	gd_preflight_judge(&cluster, facts, 0, &pf);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	gd_preflight_print(&cluster, &pf, f);
	fclose(f);
	assert_non_null(strstr(text, "  reachable     ok       ok       FAIL"));
	assert_non_null(strstr(text, "FAIL w2: cannot reach admin@w2: "
				     "Permission denied (publickey)."));
	free(text);
	gd_preflight_release(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_healthy_passes),
		cmocka_unit_test(test_unreachable_gates_the_rest),
		cmocka_unit_test(test_no_sudo),
		cmocka_unit_test(test_needs),
		cmocka_unit_test(test_units_clock_leftovers_jobsys),
		cmocka_unit_test(test_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
