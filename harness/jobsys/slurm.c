#include "jobsys/slurm.h"
#include "jobsys/slurm_conf.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "cluster/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const programs[] = {"/usr/sbin/slurmctld",
				       "/usr/sbin/slurmd", "/usr/sbin/munged"};

int gd_slurm_preflight(gd_error **err)
{
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		if (access(programs[i], X_OK) < 0)
			return gd_error_make(
				err, ENOENT,
				"a slurm cluster needs \"%s\" (install Debian's slurmctld, slurmd, slurm-client and munge: 'make deps')",
				programs[i]);
	if (!getpwnam("munge"))
		return gd_error_make(
			err, ENOENT,
			"a slurm cluster needs the \"munge\" user (install Debian's munge package: 'make deps')");
	return 0;
}

/* Production values (Slurm's defaults, or munge's for the credential
 * lifetime) divided by the time scale, never below what Slurm can still
 * honour on a loaded two-core machine (cred_expire: below 5 s Slurm
 * ignores it and takes 120).  docs/fidelity.md says what each is measured
 * against, and how that stays as in production. */
const gd_slurm_timeout_t gd_slurm_timeouts[] = {
	{"SlurmdTimeout", 300, 5},    {"SlurmctldTimeout", 120, 5},
	{"MessageTimeout", 10, 2},    {"KillWait", 30, 2},
	{"BatchStartTimeout", 10, 2}, {"MinJobAge", 300, 10},
	{"ResumeTimeout", 60, 5},
};
const size_t gd_slurm_ntimeouts = GD_ARRAY_SIZE(gd_slurm_timeouts);
/* munge's credential lifetime (munged's default; Slurm asks for it in
 * every credential it encodes).  Compressed only where nothing but scenario
 * time meets it: see gd_slurm_munge_ttl_s. */
const gd_slurm_timeout_t gd_slurm_munge_ttl = {"AuthInfo ttl", 300, 10};
/* A step credential's lifetime, and so how long a requeued job waits
 * before it may start again: 120 s of real time otherwise, hours of a
 * compressed scenario.  slurmd compares it with its own clock only for a
 * step srun launches (slurm_cred_verify), never for a batch script, the
 * only kind gameday submits: a clock offset does not meet it. */
const gd_slurm_timeout_t gd_slurm_cred_expire = {"AuthInfo cred_expire", 120,
						 5};
/* How often the schedulers look at pending jobs: a requeued job whose wait
 * is over starts only at their next pass. */
const gd_slurm_timeout_t gd_slurm_sched_interval = {
	"SchedulerParameters sched_interval", 60, 1};
const gd_slurm_timeout_t gd_slurm_bf_interval = {
	"SchedulerParameters bf_interval", 30, 1};

int gd_slurm_timeout(const gd_slurm_timeout_t *t, double scale)
{
	double v = (double)t->production_s / (scale >= 1 ? scale : 1);
	int s = (int)(v + 0.5);
	return s < t->floor_s ? t->floor_s : s;
}

int gd_slurm_munge_ttl_s(const gd_cluster *c)
{
	if (c->fake_clock)
		return gd_slurm_munge_ttl.production_s;
	return gd_slurm_timeout(&gd_slurm_munge_ttl, c->time_scale);
}

/* A timeout as production has it: the team's value (its slurm_conf), or
 * Slurm's default. */
static int production(const gd_slurm_conf *conf, const char *name)
{
	for (size_t i = 0; i < GD_ARRAY_SIZE(gd_slurm_timeouts); i++)
		if (strcmp(gd_slurm_timeouts[i].name, name) == 0)
			return (int)gd_slurm_conf_seconds(
				conf, name, gd_slurm_timeouts[i].production_s);
	abort(); /* a name of this file's own table */
}

/* The same as configured at scale, compressed down to its floor. */
static int configured(const gd_slurm_conf *conf, const char *name, double scale)
{
	for (size_t i = 0; i < GD_ARRAY_SIZE(gd_slurm_timeouts); i++)
		if (strcmp(gd_slurm_timeouts[i].name, name) == 0) {
			gd_slurm_timeout_t t = gd_slurm_timeouts[i];
			t.production_s = production(conf, name);
			return t.production_s == 0 &&
					       !strcmp(name, "SlurmdTimeout")
				       ? 0 /* never DOWN, at every scale */
				       : gd_slurm_timeout(&t, scale);
		}
	abort();
}

/* A scheduler interval, the team's or Slurm's default, and at scale. */
static int interval(const gd_slurm_conf *conf, const gd_slurm_timeout_t *t,
		    double scale, bool compressed)
{
	gd_slurm_timeout_t v = *t;
	const char *option = strchr(t->name, ' ') + 1;
	v.production_s =
		(int)gd_slurm_conf_sched(conf, option, t->production_s);
	return compressed ? gd_slurm_timeout(&v, scale) : v.production_s;
}

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

/* When slurmctld declares a silent node DOWN, in ms: at a ping pass once
 * the node's last answer is SlurmdTimeout older than the pass before
 * (ping_nodes.c).  Passes come every SlurmdTimeout/3, but never before the
 * last pass's pings are done, which for a node that does not answer
 * (frozen, cut off) takes 2 * MessageTimeout + 1: so SlurmdTimeout, and at
 * the latest two passes later.  Measured here at the floors (5 s and 2 s)
 * with a frozen and a cut-off worker: 11-12 s, not 5. */
static void down_window(int slurmd_timeout, int msg_timeout, gd_ms *at,
			gd_ms *late)
{
	int third = slurmd_timeout / 3 > 1 ? slurmd_timeout / 3 : 1;
	int pass = third > 2 * msg_timeout + 1 ? third : 2 * msg_timeout + 1;
	*at = (gd_ms)slurmd_timeout * 1000;
	*late = (gd_ms)(slurmd_timeout + 2 * pass) * 1000;
}

/* How Slurm 22.05 uses them: slurmctld marks a node that has not answered
 * its pings for SlurmdTimeout DOWN and requeues its jobs; a node that
 * registers again without a batch job it was running loses that job only
 * once the job started more than BatchStartTimeout plus MessageTimeout
 * (at most 10 s) ago (job_mgr.c, _purge_missing_jobs), else Slurm waits
 * for a registration 20 pings later; a requeued job may start only after
 * cred_expire + 1 s, at the scheduler's next pass; munged rejects a
 * credential stamped by a clock more than its TTL away from its own
 * (dec.c, dec_validate_time: expired or rewound).  And whatever the
 * scale, starting a job takes Slurm about a second. */
size_t gd_slurm_timings(const gd_cluster *c, double scale, gd_timing *out)
{
	_cleanup_(gd_slurm_conf_freep) gd_slurm_conf *conf =
		gd_slurm_conf_of(c);
	int mt = production(conf, "MessageTimeout");
	int bst = production(conf, "BatchStartTimeout");
	int sdt = production(conf, "SlurmdTimeout");
	gd_ms prod_at, prod_late, real_at, real_late;
	down_window(sdt, mt, &prod_at, &prod_late);
	down_window(configured(conf, "SlurmdTimeout", scale),
		    configured(conf, "MessageTimeout", scale), &real_at,
		    &real_late);
	gd_timing silent = {
		"SlurmdTimeout",
		"Slurm declares a silent node DOWN and requeues its jobs",
		GD_TIMING_SILENT,
		prod_at,
		real_at,
		prod_late,
		real_late,
	};
	/* SlurmdTimeout=0: Slurm never declares a node DOWN for its
	 * silence, in production as at any scale: nothing to compare. */
	size_t n = 0;
	if (sdt > 0)
		out[n++] = silent;
	out[n++] = (gd_timing){
		"BatchStartTimeout+MessageTimeout",
		"Slurm requeues a job lost with its node as soon as the node is back",
		GD_TIMING_BACK,
		(gd_ms)(bst + min_int(mt, 10)) * 1000,
		(gd_ms)(configured(conf, "BatchStartTimeout", scale) +
			min_int(configured(conf, "MessageTimeout", scale),
				10)) *
			1000,
	};
	/* Met only by clock offsets, which are real time, in a scenario that
	 * has them: there it is not compressed (gd_slurm_munge_ttl_s). */
	out[n++] = (gd_timing){
		"AuthInfo ttl",
		"munge rejects a credential from a clock off by more",
		GD_TIMING_CLOCK,
		(gd_ms)gd_slurm_munge_ttl.production_s * 1000,
		(gd_ms)gd_slurm_munge_ttl.production_s * 1000,
	};
	gd_timing requeue = {
		"AuthInfo cred_expire + SchedulerParameters sched_interval",
		"Slurm holds a requeued job back, then schedules it",
		GD_TIMING_REQUEUE,
		(gd_ms)(gd_slurm_cred_expire.production_s + 1 +
			interval(conf, &gd_slurm_sched_interval, 1, false)) *
			1000,
		(gd_ms)(gd_slurm_timeout(&gd_slurm_cred_expire, scale) + 1 +
			interval(conf, &gd_slurm_sched_interval, scale, true)) *
			1000,
	};
	out[n++] = requeue;
	/* sbatch to a running batch script, then seen by gameday's poll:
	 * about a second of real time at any scale. */
	out[n++] = (gd_timing){
		"its start-up",
		"Slurm has a submitted job running",
		GD_TIMING_START,
		1000,
		1000,
	};
	/* A silent worker that still runs its jobs: once Slurm has requeued
	 * them and they may start again, they run elsewhere while the old
	 * copies go on.  Later than the worker's return instead, a copy can
	 * be sent back to the node whose old copy still holds the job id
	 * (slurmstepd retries its completion every 15 real seconds): slurmd
	 * refuses it ("already running") and Slurm loses it. */
	if (sdt > 0)
		out[n++] = (gd_timing){
			"SlurmdTimeout + AuthInfo cred_expire + sched_interval",
			"Slurm has a silent worker's jobs ready to run elsewhere",
			GD_TIMING_STRANDED,
			silent.production + requeue.production,
			silent.real + requeue.real,
			silent.production_late + requeue.production,
			silent.real_late + requeue.real,
		};
	/* A job's time limit (a command group's resources): Slurm keeps it
	 * in whole minutes (sbatch --time, rounded by gd_slurm_submit) and
	 * slurmctld looks for jobs past theirs about every 30 s, both real
	 * time at every scale (docs/own-job.md). */
	out[n++] = (gd_timing){
		"--time in whole minutes",
		"Slurm ends a job past its time limit, rounded to a minute",
		GD_TIMING_TIME_LIMIT,
		60000,
		60000,
	};
	out[n++] = (gd_timing){
		"slurmctld's time limit check",
		"Slurm notices a job past its time limit, up to 30 s late",
		GD_TIMING_TIME_LIMIT,
		30000,
		30000,
	};
	return n +
	       gd_slurm_conf_settings(conf, scale, out + n, GD_TIMINGS_MAX - n);
}

size_t gd_slurm_controller(const gd_cluster *c)
{
	for (size_t i = 0; i < c->nnodes; i++)
		if (strcmp(c->roles[c->nodes[i].role].name,
			   gd_system_controller_role(GD_SYSTEM_SLURM)) == 0)
			return i;
	return 0;
}

int gd_slurm_make_key(const char *path, gd_error **err)
{
	unsigned char key[GD_MUNGE_KEY_SIZE];
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return gd_error_make(err, errno, "cannot draw a munge key");
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (fd < 0 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key))
		return gd_error_make(err, errno, "cannot write \"%s\"", path);
	return 0;
}

/* Makes dir/sub owned by uid:gid with mode. */
static int own_dir(const char *dir, const char *sub, uid_t uid, gid_t gid,
		   mode_t mode, gd_error **err)
{
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	if (chown(path, uid, gid) < 0 || chmod(path, mode) < 0)
		return gd_error_make(err, errno, "cannot set owner of \"%s\"",
				     path);
	return 0;
}

static int copy_key(const char *from, const char *to, uid_t uid, gid_t gid,
		    gd_error **err)
{
	_cleanup_free_ char *key = NULL;
	size_t len;
	int r = gd_read_file(from, GD_MUNGE_KEY_SIZE * 4, &key, &len, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd =
		open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0400);
	if (fd < 0 || write(fd, key, len) != (ssize_t)len)
		return gd_error_make(err, errno, "cannot write \"%s\"", to);
	if (fchown(fd, uid, gid) < 0)
		return gd_error_make(err, errno, "cannot set owner of \"%s\"",
				     to);
	return 0;
}

/* gameday's own choices a team's slurm_conf may replace, in the order
 * written. */
static const char *const replaceable[][2] = {
	{"SelectType", "select/cons_tres"},
	{"SelectTypeParameters", "CR_CPU"},
	{"SchedulerType", "sched/backfill"},
	{"MpiDefault", "none"},
	{"ReturnToService", "2"},
	{"JobRequeue", "1"},
	{"InactiveLimit", "0"},
};

/* The keys written above with the team's value where it gives one. */
static void write_replaceable(const gd_slurm_conf *conf, double scale, FILE *f)
{
	for (size_t i = 0; i < GD_ARRAY_SIZE(replaceable); i++) {
		const char *key = replaceable[i][0];
		const char *v = gd_slurm_conf_get(conf, key);
		if (v && !strcmp(key, "InactiveLimit"))
			fprintf(f, "%s=%ld\n", key,
				gd_slurm_conf_compress(key, atol(v), scale));
		else
			fprintf(f, "%s=%s\n", key, v ? v : replaceable[i][1]);
	}
	/* Slurm's own clocks, compressed with the scenario's: the team's
	 * values where it gives them. */
	for (size_t i = 0; i < GD_ARRAY_SIZE(gd_slurm_timeouts); i++)
		fprintf(f, "%s=%d\n", gd_slurm_timeouts[i].name,
			configured(conf, gd_slurm_timeouts[i].name, scale));
}

/* SchedulerParameters: the team's options, but its intervals compressed
 * (and the defaults' where it gives none). */
static void write_sched(const gd_slurm_conf *conf, double scale, FILE *f)
{
	fprintf(f, "SchedulerParameters=sched_interval=%d,bf_interval=%d",
		interval(conf, &gd_slurm_sched_interval, scale, true),
		interval(conf, &gd_slurm_bf_interval, scale, true));
	const char *v = gd_slurm_conf_get(conf, "SchedulerParameters");
	for (const char *o = v; o && *o;) {
		size_t len = strcspn(o, ",");
		if (len && strncasecmp(o, "sched_interval=", 15) &&
		    strncasecmp(o, "bf_interval=", 12))
			fprintf(f, ",%.*s", (int)len, o);
		o += len + (o[len] == ',');
	}
	fputc('\n', f);
}

static void write_conf(const gd_cluster *c, FILE *f)
{
	_cleanup_(gd_slurm_conf_freep) gd_slurm_conf *conf =
		gd_slurm_conf_of(c);
	size_t ctl = gd_slurm_controller(c);
	char addr[INET_ADDRSTRLEN];
	struct in_addr a = gd_node_addr(ctl);
	inet_ntop(AF_INET, &a, addr, sizeof(addr));
	fprintf(f,
		"# Written by gameday for a staging cluster%s.\n"
		"ClusterName=gameday\n"
		"SlurmctldHost=%s(%s)\n"
		"SlurmUser=root\n"
		"SlurmdUser=root\n"
		"AuthType=auth/munge\n"
		"CredType=cred/munge\n"
		"StateSaveLocation=/var/spool/slurmctld\n"
		"SlurmdSpoolDir=/var/spool/slurmd\n"
		"SlurmctldPidFile=/run/slurmctld.pid\n"
		"SlurmdPidFile=/run/slurmd.pid\n"
		"SlurmctldLogFile=/var/log/slurm/slurmctld.log\n"
		"SlurmdLogFile=/var/log/slurm/slurmd.log\n"
		/* Nodes are namespaces: track job processes by parentage, not
		 * by cgroups gameday already uses for the node itself. */
		"ProctrackType=proctrack/linuxproc\n"
		"TaskPlugin=task/none\n"
		"JobAcctGatherType=jobacct_gather/none\n"
		"AccountingStorageType=accounting_storage/none\n"
		/* The emulated node's CPU count is what the scenario says,
		 * not what the host has. */
		"SlurmdParameters=config_overrides\n"
		/* The controller's completion record of every job. */
		"JobCompType=jobcomp/filetxt\n"
		"JobCompLoc=/var/log/slurm/jobcomp.log\n",
		conf ? ", with the team's slurm_conf" : "", c->nodes[ctl].name,
		addr);
	write_replaceable(conf, c->time_scale, f);
	fprintf(f, "AuthInfo=ttl=%d,cred_expire=%d\n", gd_slurm_munge_ttl_s(c),
		gd_slurm_timeout(&gd_slurm_cred_expire, c->time_scale));
	write_sched(conf, c->time_scale, f);
	/* The team's other keys, as it wrote them but for their times. */
	const char *done[GD_ARRAY_SIZE(replaceable) +
			 GD_ARRAY_SIZE(gd_slurm_timeouts) + 1];
	size_t ndone = 0;
	for (size_t i = 0; i < GD_ARRAY_SIZE(replaceable); i++)
		done[ndone++] = replaceable[i][0];
	for (size_t i = 0; i < GD_ARRAY_SIZE(gd_slurm_timeouts); i++)
		done[ndone++] = gd_slurm_timeouts[i].name;
	done[ndone++] = "SchedulerParameters";
	gd_slurm_conf_write_added(conf, done, ndone, c->time_scale, f);
	for (size_t i = 0; i < c->nnodes; i++) {
		if (i == ctl)
			continue;
		a = gd_node_addr(i);
		inet_ntop(AF_INET, &a, addr, sizeof(addr));
		/* RealMemory: the host's, so a job's --mem can be met;
		 * CR_CPU leaves memory unreserved (docs/own-job.md) */
		fprintf(f,
			"NodeName=%s NodeAddr=%s CPUs=%d RealMemory=%ld "
			"State=UNKNOWN\n",
			c->nodes[i].name, addr, c->roles[c->nodes[i].role].cpus,
			sysconf(_SC_PHYS_PAGES) /
				(1048576 / sysconf(_SC_PAGESIZE)));
	}
	/* gameday's partition only when the team brings none of its own. */
	if (!gd_slurm_conf_write_partitions(conf, c->time_scale, f))
		fprintf(f,
			"PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n");
}

int gd_slurm_write_node(const gd_cluster *c, size_t index, const char *dir,
			const char *key_path, gd_error **err)
{
	(void)index;
	struct passwd *pw = getpwnam("munge");
	if (!pw)
		return gd_error_make(err, ENOENT, "no \"munge\" user");
	uid_t mu = pw->pw_uid;
	gid_t mg = pw->pw_gid;
	int r;
	if ((r = own_dir(dir, "etc/slurm", 0, 0, 0755, err)) < 0 ||
	    (r = own_dir(dir, "etc/munge", mu, mg, 0700, err)) < 0 ||
	    (r = own_dir(dir, "run/munge", mu, mg, 0755, err)) < 0 ||
	    (r = own_dir(dir, "log/munge", mu, mg, 0700, err)) < 0 ||
	    (r = own_dir(dir, "spool/munge", mu, mg, 0700, err)) < 0 ||
	    (r = own_dir(dir, "log/slurm", 0, 0, 0755, err)) < 0 ||
	    (r = own_dir(dir, "spool/slurmd", 0, 0, 0755, err)) < 0 ||
	    (r = own_dir(dir, "spool/slurmctld", 0, 0, 0755, err)) < 0)
		return r;

	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/etc/munge/munge.key", dir);
	r = copy_key(key_path, path, mu, mg, err);
	if (r < 0)
		return r;
	gd_pathf(path, sizeof(path), "%s/etc/slurm/slurm.conf", dir);
	_cleanup_fclose_ FILE *f = fopen(path, "we");
	if (!f)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	write_conf(c, f);
	if (fflush(f) != 0)
		return gd_error_make(err, errno, "cannot write \"%s\"", path);

	/* slurmd loads a cgroup plugin whatever ProctrackType says.  Left
	 * to detect one on a host with a unified hierarchy it takes
	 * cgroup/v2, which wants systemd over D-Bus; cgroup/v1 loads with
	 * the empty /sys/fs/cgroup a node has, and never touches a cgroup
	 * with the plugins above. */
	gd_pathf(path, sizeof(path), "%s/etc/slurm/cgroup.conf", dir);
	_cleanup_fclose_ FILE *g = fopen(path, "we");
	if (!g)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	if (fputs("CgroupPlugin=cgroup/v1\n", g) < 0 || fflush(g) != 0)
		return gd_error_make(err, errno, "cannot write \"%s\"", path);
	return 0;
}

void gd_slurm_services(const gd_cluster *c, size_t index, FILE *out)
{
	struct passwd *pw = getpwnam("munge");
	fprintf(out, "service munged\nrestart always\nmin_interval_ms 500\n"
		     "backoff_max_ms 10000\ngrace_ms 2000\n");
	if (pw)
		fprintf(out, "user %u %u\n", (unsigned)pw->pw_uid,
			(unsigned)pw->pw_gid);
	fprintf(out, "arg /usr/sbin/munged\narg --foreground\n"
		     "arg --seed-file=/var/spool/munge/munged.seed\nend\n");
	bool ctl = index == gd_slurm_controller(c);
	fprintf(out,
		"service %s\nrestart always\nmin_interval_ms 1000\n"
		"backoff_max_ms 10000\ngrace_ms 5000\n"
		"arg /usr/sbin/%s\narg -D\n%send\n",
		ctl ? "slurmctld" : "slurmd", ctl ? "slurmctld" : "slurmd",
		ctl ? "arg -i\n" : "");
}

/* Where KEY= starts in a line of whitespace-separated parameters, or
 * NULL. */
static const char *param_in(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = line; p < line + len;) {
		p += strspn(p, " \t");
		if (p + klen < line + len && strncasecmp(p, key, klen) == 0 &&
		    p[klen] == '=')
			return p;
		p += strcspn(p, " \t\n");
	}
	return NULL;
}

static bool is_node_line(const char *line, size_t len, const char *node)
{
	const char *p = param_in(line, len, "NodeName");
	if (p != line)
		return false;
	size_t nlen = strlen(node);
	return strncmp(p + 9, node, nlen) == 0 && strchr(" \t\n", p[9 + nlen]);
}

/* One override applied: a heap string, NULL when out of memory. */
static char *override_one(const char *text, const char *node, const char *key,
			  const char *value)
{
	char *out = NULL;
	size_t size = 0;
	FILE *o = open_memstream(&out, &size);
	if (!o)
		return NULL;
	bool done = false;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *p = NULL;
		if (!done && is_node_line(line, len, node))
			p = param_in(line, len, key);
		else if (!done && param_in(line, len, key) == line &&
			 !param_in(line, len, "NodeName") &&
			 !param_in(line, len, "PartitionName"))
			p = line;
		if (p) {
			const char *v = p + strlen(key) + 1;
			size_t vlen = strcspn(v, " \t\n");
			fprintf(o, "%.*s%s=%s%.*s", (int)(p - line), line, key,
				value, (int)(line + len - (v + vlen)),
				v + vlen);
			done = true;
		} else {
			fprintf(o, "%.*s", (int)len, line);
		}
		line += len;
		if (*line == '\n')
			fputc(*line++, o);
	}
	if (!done)
		fprintf(o, "%s%s=%s\n",
			*text && text[strlen(text) - 1] != '\n' ? "\n" : "",
			key, value);
	if (fclose(o) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *gd_slurm_conf_override(const char *text, const char *node,
			     const char *const *keys, const char *const *values,
			     size_t n)
{
	char *cur = strdup(text);
	for (size_t i = 0; cur && i < n; i++) {
		char *next = override_one(cur, node, keys[i], values[i]);
		free(cur);
		cur = next;
	}
	return cur;
}
