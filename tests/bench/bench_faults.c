/* make bench: time to effect of faults.  For kill (a node's power cut),
 * pause, partition, clock and skew, 200 injections each on a staging cluster of
 * two bare nodes: gameday's player (the code a run uses) from each step's
 * scheduled instant to the change being in place and to its evidence,
 * beside the same injection done the usual way, by spawning commands
 * (kill, sh -c writing cgroup files, nsenter + ip route, echo into the
 * node's faketimerc, sed on /etc/passwd) and their checks.  Prints p50/p99 and
 * the ratios; asserts nothing about time. bench_faults BUILD_DIR   (root) */
#include "base/fileio.h"
#include "cluster/cluster.h"
#include "faults/faults.h"
#include "faults/schedule.h"
#include "host/cgroup.h"
#include "jobsys/jobsys.h"
#include "plan/plan.h"
#include "scenario/load.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N	 200
#define SLOT_MS	 60 /* one injection per slot */
#define FAULT_MS 20 /* each fault lasts this long */

static const char *const kinds[] = {"kill", "pause", "partition", "clock",
				    "skew"};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

/* A scenario of N faults of one kind on node a, every SLOT_MS. */
static char *scenario_text(const char *kind)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	fprintf(f,
		"{\"gameday\": 1, \"duration\": \"1h\", \"cluster\": {"
		"\"system\": \"none\", \"nodes\": [{\"name\": \"a\", "
		"\"role\": \"n\"}, {\"name\": \"b\", \"role\": \"n\"}],"
		"\"roles\": {\"n\": {\"services\": [{\"name\": \"echo\", "
		"\"argv\": [\"/srv/gameday/gd-probe\", \"listen\", \"7000\"]}]}}},"
		"\"workload\": {\"jobs\": 1, \"deadline\": \"2h\", "
		"\"expected\": \"1m\"}, \"steps\": [");
	for (int i = 0; i < N; i++) {
		fprintf(f, "%s{\"kind\": \"%s\", \"at\": \"%dms\", ",
			i ? "," : "", strcmp(kind, "kill") ? kind : "kill",
			1000 + i * SLOT_MS);
		if (strcmp(kind, "skew") == 0)
			fprintf(f, "\"uid\": 2001, ");
		if (strcmp(kind, "partition") == 0)
			fprintf(f, "\"mode\": \"unreachable\", ");
		if (strcmp(kind, "clock") == 0)
			fprintf(f, "\"offset\": \"+2h\", ");
		fprintf(f, "\"for\": \"%dms\", \"targets\": \"a\"}", FAULT_MS);
	}
	fprintf(f, "]}");
	fclose(f);
	return text;
}

/* Lags (ms) of every fault-applied event in the log after offset. */
static void read_lags(const char *events, off_t from, double *applied,
		      double *evidence, size_t *n)
{
	FILE *f = fopen(events, "re");
	if (!f)
		return;
	fseeko(f, from, SEEK_SET);
	char line[4096];
	*n = 0;
	while (fgets(line, sizeof(line), f) && *n < N) {
		json_t *e = json_loads(line, 0, NULL);
		const char *ev = json_string_value(json_object_get(e, "event"));
		if (ev && strcmp(ev, "fault-applied") == 0) {
			applied[*n] = json_real_value(
				json_object_get(e, "applied_lag_ms"));
			evidence[*n] = json_real_value(
				json_object_get(e, "evidence_lag_ms"));
			(*n)++;
		}
		json_decref(e);
	}
	fclose(f);
}

/* Runs a command and waits for it; its output goes nowhere. */
static int spawn(char *const *argv)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	int ws;
	waitpid(pid, &ws, 0);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char *argv[] = {"sh", "-c", cmd, NULL};
	return spawn(argv);
}

/* The same injection the usual way: applied when the command returns,
 * evidence when a spawned check first passes. */
static void baseline(const char *kind, gd_cluster_state *st,
		     const char *libexec, double *applied, double *evidence,
		     size_t *n)
{
	gd_node_rt *a = &st->nodes[0];
	*n = 0;
	for (int i = 0; i < N; i++) {
		int pid = (int)a->init_pid;
		int64_t t0 = now_ns();
		int rc = 0;
		if (strcmp(kind, "kill") == 0) {
			char p[32];
			snprintf(p, sizeof(p), "%d", pid);
			char *argv[] = {"kill", "-KILL", p, NULL};
			rc = spawn(argv);
		} else if (strcmp(kind, "pause") == 0) {
			rc = sh("echo 1 > %s/cgroup.freeze", a->cgroup);
		} else if (strcmp(kind, "partition") == 0) {
			rc = sh("nsenter --net=/proc/%d/ns/net ip route add unreachable %s/32",
				pid, st->nodes[1].addr);
		} else if (strcmp(kind, "clock") == 0) {
			rc = sh("echo +7200 > /proc/%d/root/etc/faketimerc",
				pid);
		} else {
			rc = sh("sed -i 's/^gdjob:x:64000:64000:/gdjob:x:2001:64000:/' /proc/%d/root/etc/passwd",
				pid);
		}
		int64_t t1 = now_ns();
		for (int tries = 0; rc == 0 && tries < 1000; tries++) {
			int ok;
			if (strcmp(kind, "kill") == 0)
				ok = sh("test -z \"$(cat %s/cgroup.procs)\"",
					a->cgroup);
			else if (strcmp(kind, "pause") == 0)
				ok = sh("grep -q 'frozen 1' %s/cgroup.events",
					a->cgroup);
			else if (strcmp(kind, "partition") == 0)
				ok = sh("nsenter --net=/proc/%d/ns/net %s/gd-probe connect %s 9 300 | grep -q EHOSTUNREACH",
					pid, libexec, st->nodes[1].addr);
			else if (strcmp(kind, "clock") == 0)
				ok = sh("t=$(nsenter -t %d -m /srv/gameday/gd-probe clock) && "
					"[ $((t / 1000 - $(date +%%s))) -ge 7199 ]",
					pid);
			else
				ok = sh("grep -q '^gdjob:x:2001:' /proc/%d/root/etc/passwd",
					pid);
			if (ok == 0)
				break;
		}
		int64_t t2 = now_ns();
		if (rc == 0) {
			applied[*n] = (double)(t1 - t0) / 1e6;
			evidence[*n] = (double)(t2 - t0) / 1e6;
			(*n)++;
		}
		/* Undo, untimed. */
		gd_error *e = NULL;
		if (strcmp(kind, "kill") == 0) {
			for (int w = 0;
			     w < 1000 && strcmp(gd_node_state(a), "down") != 0;
			     w++)
				usleep(1000);
			gd_cluster_start_node(st, a->name, libexec, false, &e);
		} else if (strcmp(kind, "pause") == 0) {
			gd_cgroup_freeze(a->cgroup, NULL, false, 5000, &e);
		} else if (strcmp(kind, "partition") == 0) {
			sh("nsenter --net=/proc/%d/ns/net ip route del %s/32",
			   pid, st->nodes[1].addr);
		} else if (strcmp(kind, "clock") == 0) {
			sh("echo +0 > /proc/%d/root/etc/faketimerc", pid);
		} else {
			sh("sed -i 's/^gdjob:x:2001:/gdjob:x:64000:/' /proc/%d/root/etc/passwd",
			   pid);
		}
		gd_error_free(e);
	}
}

static int run(const char *libexec)
{
	/* The benches before this one tore clusters down: let the kernel
	 * finish freeing their namespaces (cleanup_net runs in the
	 * background) so that none of that work is charged to a fault. */
	sleep(3);
	printf("bench faults: time to effect, %d injections each, ms after the scheduled instant (p50/p99)\n"
	       "  gameday: the change in place (a kill or pause: when the kernel reports the cgroup\n"
	       "  empty or frozen), then its evidence; spawned: the command returns, then its check\n"
	       "  passes (for kill and pause the kernel finishes after the command returns).\n",
	       N);
	printf("  %-9s  %-15s  %-15s  %-15s  %-15s  %s\n", "kind",
	       "gameday change", "gameday proof", "spawned cmd",
	       "spawned check", "ratio change, proof (p50)");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char *text = scenario_text(kinds[k]);
		gd_diags d = {0};
		gd_load_opts opts = {.no_cluster_files = true};
		gd_scenario *s = gd_scenario_parse(text, strlen(text),
						   "bench.json", &opts, &d);
		free(text);
		gd_plan *p = s ? gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d)
			       : NULL;
		if (!p) {
			gd_diags_print(&d, stderr);
			return 1;
		}
		gd_cluster_state *st = NULL;
		gd_error *err = NULL;
		if (gd_cluster_up(&s->cluster, libexec,
				  gd_jobsys_node_hook(&s->cluster), &st,
				  &err) < 0) {
			fprintf(stderr, "bench faults: %s\n", err->msg);
			return 1;
		}
		usleep(300000); /* the services start */
		int events = open(st->events, O_WRONLY | O_APPEND | O_CLOEXEC);
		struct stat sb;
		off_t from = stat(st->events, &sb) == 0 ? sb.st_size : 0;
		gd_faults *f = NULL;
		gd_action *acts = NULL;
		size_t nacts = 0;
		if (gd_faults_open(p, st, libexec, events, &f, &err) < 0 ||
		    gd_schedule_build(p, &acts, &nacts) < 0 ||
		    gd_faults_start(f, acts, nacts, now_ns(), &err) < 0) {
			fprintf(stderr, "bench faults: %s\n",
				err ? err->msg : "cannot start");
			return 1;
		}
		usleep((1000 + N * SLOT_MS + 500) * 1000);
		gd_faults_stop(f);
		gd_faults_free(f);
		free(acts);
		static double ga[N], ge[N], ba[N], be[N];
		size_t gn = 0, bn = 0;
		read_lags(st->events, from, ga, ge, &gn);
		baseline(kinds[k], st, libexec, ba, be, &bn);
		double ga50 = pct(ga, gn, 0.5), ga99 = pct(ga, gn, 0.99);
		double ge50 = pct(ge, gn, 0.5), ge99 = pct(ge, gn, 0.99);
		double ba50 = pct(ba, bn, 0.5), ba99 = pct(ba, bn, 0.99);
		double be50 = pct(be, bn, 0.5);
		double be99 = pct(be, bn, 0.99);
		/* The spawned change is in place when its command returns
		 * (routes, files) or when its check passes (kill, pause). */
		bool async = strcmp(kinds[k], "kill") == 0 ||
			     strcmp(kinds[k], "pause") == 0;
		double in_place = async ? be50 : ba50;
		printf("  %-9s  %6.2f / %6.2f  %6.2f / %6.2f  %6.2f / %6.2f  %6.2f / %6.2f  %5.1fx, %5.1fx\n",
		       kinds[k], ga50, ga99, ge50, ge99, ba50, ba99, be50, be99,
		       ga50 > 0 ? in_place / ga50 : 0,
		       ge50 > 0 ? be50 / ge50 : 0);
		if (gn < N || bn < N)
			printf("  (%s: %zu of %d gameday and %zu spawned injections took effect)\n",
			       kinds[k], gn, N, bn);
		close(events);
		gd_cluster_down(st, 2000, &err);
		gd_error_free(err);
		gd_cluster_state_free(st);
		gd_scenario_free(s);
		gd_diags_clear(&d);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2 || geteuid() != 0) {
		printf("bench faults: skipped (needs root and BUILD_DIR)\n");
		return 0;
	}
	/* Its clusters' state and event logs in a directory of its own,
	 * removed at the end, like the other benches'. */
	char tmp[] = "/tmp/gameday-bench.XXXXXX", dir[64];
	if (!mkdtemp(tmp)) {
		perror("bench faults: mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/state", tmp);
	setenv("GAMEDAY_STATE_DIR", dir, 1);
	snprintf(dir, sizeof(dir), "%s/logs", tmp);
	setenv("GAMEDAY_LOG_DIR", dir, 1);
	int r = run(argv[1]);
	gd_error *err = NULL;
	if (gd_remove_tree(tmp, false, &err) < 0) {
		fprintf(stderr, "bench faults: %s\n", err->msg);
		gd_error_free(err);
	}
	return r;
}
