/* The SSH backend's preflight played on the hosts: every host probed at
 * once (ssh_preflight.h says what is asked and judged), each over a
 * master connection of its own that ends with the check. */
#include "cluster/cluster.h"
#include "cluster/ssh_preflight.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/thread.h"
#include "remote/ssh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long a host has to answer the probe once connected. */
#define PROBE_TIMEOUT_MS 20000
/* Hosts probed at once: each is an ssh client of ours and a thread. */
#define PROBE_AT_ONCE 32

typedef struct probe_job {
	const gd_cluster *c;
	size_t node;
	const char *control_dir;
	gd_host_facts *out;
} probe_job;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* argv: sh -c SCRIPT probe UNIT... (the role's units as $@). */
static char **probe_argv(const gd_role *role)
{
	char **argv = calloc(role->units.n + 5, sizeof(*argv));
	if (!argv)
		abort();
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)GD_PROBE_SCRIPT;
	argv[3] = (char *)"probe";
	for (size_t i = 0; i < role->units.n; i++)
		argv[4 + i] = (char *)role->units.v[i];
	return argv;
}

static void probe_one(const probe_job *j)
{
	const gd_node *n = &j->c->nodes[j->node];
	gd_ssh_opts o = {.config = j->c->ssh_config,
			 .control_dir = j->control_dir,
			 .connect_timeout_s = 10};
	gd_ssh *s = NULL;
	_cleanup_error_ gd_error *err = NULL;
	int r = gd_ssh_open(n->host, &o, &s, &err);
	if (r == -EACCES) {
		gd_probe_refused(err->msg, j->out);
		return;
	}
	if (r < 0) {
		gd_probe_unreachable(err ? err->msg : "failed", j->out);
		return;
	}
	_cleanup_free_ char **argv = probe_argv(&j->c->roles[n->role]);
	gd_strbuf out = GD_STRBUF_INIT;
	int status = 0;
	double t0 = now_s();
	/* as the login user: sudo would hide SSH_CONNECTION and its uid */
	r = gd_ssh_run_login(s, argv, &out, PROBE_TIMEOUT_MS, &status, &err);
	double t1 = now_s();
	if (r < 0)
		gd_probe_unreachable(err ? err->msg : "failed", j->out);
	else
		gd_probe_parse(out.buf ? out.buf : "", t0, t1, j->out);
	gd_strbuf_release(&out);
	gd_ssh_close(s);
}

static void probe_at(void *ctx, size_t i)
{
	probe_one(&((const probe_job *)ctx)[i]);
}

int gd_ssh_hosts_check(const gd_cluster *c, gd_strbuf *table, gd_error **err)
{
	char dir[GD_SSH_DIR_LEN];
	int made = gd_ssh_dir_make(dir, err);
	if (made < 0)
		return made;
	gd_host_facts *facts =
		calloc(c->nnodes ? c->nnodes : 1, sizeof(*facts));
	probe_job *jobs = calloc(c->nnodes ? c->nnodes : 1, sizeof(*jobs));
	if (!facts || !jobs)
		abort();
	for (size_t i = 0; i < c->nnodes; i++)
		jobs[i] = (probe_job){c, i, dir, &facts[i]};
	gd_thread_each(c->nnodes, PROBE_AT_ONCE, probe_at, jobs);
	gd_ssh_dir_remove(dir);

	gd_preflight pf;
	gd_preflight_judge(c, facts, c->host_needs, &pf);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	gd_preflight_print(c, &pf, f);
	fclose(f);
	gd_strbuf_addn(table, text, len);
	free(text);
	size_t failed = pf.failed;
	gd_preflight_release(&pf);
	free(jobs);
	free(facts);
	if (failed) {
		gd_error_set(
			err, EHOSTUNREACH,
			"cluster %s: %zu preflight check%s failed on its hosts",
			c->name, failed, failed == 1 ? "" : "s");
		return -EHOSTUNREACH;
	}
	return 0;
}
