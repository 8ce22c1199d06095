/* gd-init: PID 1 of a staging node, and its service supervisor.
 *
 *   gd-init CONFIG        (events go to fd 3 when it is open)
 *
 * It reaps every child (orphans included), starts the node's services,
 * restarts them by policy with a minimum interval and exponential backoff,
 * and stops them with SIGTERM, a grace period and SIGKILL when it is asked
 * to stop (SIGTERM).  Killing it kills the node's pid namespace: that is a
 * power cut.  SIGHUP restarts every service (stop with grace, start
 * again at once, not counted as a failure): how a configuration change
 * such as a new security profile reaches them.
 *
 * When /run/gameday/hold exists at its start, it renames it "held" once
 * it can take signals, and starts no service until SIGUSR1 (removing
 * "held" then): a node coming back changed from a reboot gets its changes
 * before its services see it.
 *
 * Each service starts under the node's security profile when gameday has
 * left one in /etc/gameday (profile.h): capabilities dropped, then a
 * seccomp filter, as a service manager applies a unit's.
 *
 * Linked statically, so a node's /etc/ld.so.preload (libfaketime, for clock
 * faults) never reaches it: its event timestamps stay on the host's clock.
 *
 * With a "provision" block, each start first runs that program as root
 * (the team's provisioning script), its output in
 * /var/log/gameday/provision/BOOT.log (BOOT counting the node's starts
 * from 1), and writes "BOOT STATUS START" (START: its own start time) to
 * /run/gameday/provisioned when it ends: services start only after it exits 0,
 * as a machine whose configuration management failed at boot is no machine to
 * run jobs on.
 *
 * CONFIG, written by gameday, one directive a line:
 *   node NAME
 *   service NAME            starts a service block, "end" closes it
 *   provision               starts the provisioning block (arg, env)
 *   restart always|on-failure|never
 *   min_interval_ms N       at least this long between two starts
 *   backoff_max_ms N        failures double the wait, up to this
 *   grace_ms N              SIGTERM to SIGKILL when stopping
 *   max_restarts N          give up after N restarts in a row (0: never)
 *   user UID GID
 *   env KEY=VALUE
 *   arg ARG                 argv, in order (argv[0] is the program path)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cluster/event_names.h"
#include "profile.h"

#define MAX_SERVICES 32
#define MAX_ARGS     64
#define MAX_ENV	     64

enum restart { RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_NEVER };
enum state { ST_WAITING, ST_RUNNING, ST_STOPPING, ST_DONE };

struct service {
	char *name;
	enum restart restart;
	int64_t min_interval_ms, backoff_max_ms, grace_ms;
	unsigned max_restarts;
	uid_t uid;
	gid_t gid;
	bool has_user;
	char *argv[MAX_ARGS + 1];
	int argc;
	char *env[MAX_ENV + 1];
	int envc;
	/* run time */
	enum state state;
	pid_t pid;
	int64_t started_ms, next_start_ms, kill_at_ms;
	unsigned attempt, failures;
	bool reload; /* stopping to start again (SIGHUP) */
};

static struct service services[MAX_SERVICES];
static int nservices;
static struct service prov = {
	.name = "provision", .restart = RESTART_NEVER, .grace_ms = 5000};
static bool has_prov, provisioned; /* provisioned: it exited 0 */
static unsigned prov_boot;
static char node[64] = "?";
static int events_fd = -1;
static bool stopping;
static bool held; /* services wait for SIGUSR1 */

#define HOLD_FILE "/run/gameday/hold"
#define HELD_FILE "/run/gameday/held"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* JSON string escaping for the few strings an event holds. */
static size_t put_str(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	if (n < cap)
		out[n++] = '"';
	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	if (n < cap)
		out[n++] = '"';
	return n;
}

/* One event, one line, one write(2): appends from every node interleave
 * whole. "extra" is a JSON fragment of more fields, or "". */
static void event(gd_event_kind what, const struct service *s, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));
static void event(gd_event_kind what, const struct service *s, const char *fmt,
		  ...)
{
	if (events_fd < 0)
		return;
	char line[1024];
	size_t n = (size_t)snprintf(
		line, sizeof(line),
		"{\"t_ms\":%lld,\"source\":\"supervisor\",\"node\":",
		(long long)wall_ms());
	n += put_str(line + n, sizeof(line) - n, node);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ",\"event\":");
	n += put_str(line + n, sizeof(line) - n, gd_event_name(what));
	if (s) {
		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      ",\"service\":");
		n += put_str(line + n, sizeof(line) - n, s->name);
	}
	if (fmt && *fmt) {
		va_list ap;
		va_start(ap, fmt);
		n += (size_t)vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		va_end(ap);
	}
	if (n + 2 >= sizeof(line))
		n = sizeof(line) - 3;
	line[n++] = '}';
	line[n++] = '\n';
	ssize_t w = write(events_fd, line, n);
	(void)w;
}

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "gd-init: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void load(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		die("cannot open \"%s\": %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct service *s = NULL;
	int lineno = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char *sp = strchr(line, ' ');
		char *val = sp ? sp + 1 : (char *)"";
		if (sp)
			*sp = '\0';
		if (!*line || *line == '#')
			continue;
		if (strcmp(line, "node") == 0) {
			snprintf(node, sizeof(node), "%s", val);
		} else if (strcmp(line, "provision") == 0) {
			s = &prov;
			has_prov = true;
		} else if (strcmp(line, "service") == 0) {
			if (nservices == MAX_SERVICES)
				die("%s:%d: too many services", path, lineno);
			s = &services[nservices++];
			s->name = strdup(val);
			s->min_interval_ms = 1000;
			s->backoff_max_ms = 30000;
			s->grace_ms = 5000;
		} else if (!s) {
			die("%s:%d: \"%s\" outside a service block", path,
			    lineno, line);
		} else if (strcmp(line, "end") == 0) {
			if (s->argc == 0)
				die("%s:%d: service \"%s\" has no arg", path,
				    lineno, s->name);
			s = NULL;
		} else if (strcmp(line, "restart") == 0) {
			s->restart = strcmp(val, "always") == 0 ? RESTART_ALWAYS
				     : strcmp(val, "on-failure") == 0
					     ? RESTART_ON_FAILURE
					     : RESTART_NEVER;
		} else if (strcmp(line, "min_interval_ms") == 0) {
			s->min_interval_ms = strtoll(val, NULL, 10);
		} else if (strcmp(line, "backoff_max_ms") == 0) {
			s->backoff_max_ms = strtoll(val, NULL, 10);
		} else if (strcmp(line, "grace_ms") == 0) {
			s->grace_ms = strtoll(val, NULL, 10);
		} else if (strcmp(line, "max_restarts") == 0) {
			s->max_restarts = (unsigned)strtoul(val, NULL, 10);
		} else if (strcmp(line, "user") == 0) {
			unsigned u, g;
			if (sscanf(val, "%u %u", &u, &g) != 2)
				die("%s:%d: user needs UID GID", path, lineno);
			s->uid = u;
			s->gid = g;
			s->has_user = true;
		} else if (strcmp(line, "env") == 0) {
			if (s->envc == MAX_ENV)
				die("%s:%d: too many env entries", path,
				    lineno);
			s->env[s->envc++] = strdup(val);
		} else if (strcmp(line, "arg") == 0) {
			if (s->argc == MAX_ARGS)
				die("%s:%d: too many args", path, lineno);
			s->argv[s->argc++] = strdup(val);
		} else {
			die("%s:%d: unknown directive \"%s\"", path, lineno,
			    line);
		}
	}
	free(line);
	fclose(f);
	if (s)
		die("%s: service \"%s\" has no \"end\"", path, s->name);
}

/* In the child: only system calls from here to execve. */
static void exec_service(struct service *s)
{
	/* Services start with no signal blocked, whatever mask gd-init
	 * itself was started with. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	char log[256];
	mkdir("/var/log/gameday", 0755);
	snprintf(log, sizeof(log), "/var/log/gameday/%s.log", s->name);
	if (s == &prov)
		snprintf(log, sizeof(log), "/var/log/gameday/provision/%u.log",
			 prov_boot);
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, 0);
	int r = gd_profile_drop_bounding();
	if (r < 0) {
		dprintf(2, "gd-init: cannot drop capabilities (%s): %s\n",
			GD_PROFILE_CAPS, strerror(-r));
		_exit(126);
	}
	if (s->has_user && (setgroups(0, NULL) < 0 || setgid(s->gid) < 0 ||
			    setuid(s->uid) < 0)) {
		dprintf(2, "gd-init: cannot switch to %u:%u: %s\n",
			(unsigned)s->uid, (unsigned)s->gid, strerror(errno));
		_exit(126);
	}
	if (chdir("/") < 0)
		_exit(126);
	if (s == &prov)
		goto exec; /* root with every capability, as at boot */
	if ((r = gd_profile_drop_caps()) < 0) {
		dprintf(2, "gd-init: cannot drop capabilities (%s): %s\n",
			GD_PROFILE_CAPS, strerror(-r));
		_exit(126);
	}
exec:;
	char *path_env =
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char *env[MAX_ENV + 6];
	int n = 0;
	env[n++] = path_env;
	/* Where a clock fault preloads libfaketime, a running service sees
	 * a change of /etc/faketimerc within a second (its default: 10). */
	env[n++] = "FAKETIME_CACHE_DURATION=1";
	char node_env[80];
	snprintf(node_env, sizeof(node_env), "GD_NODE=%s", node);
	env[n++] = node_env;
	char boot_env[40];
	if (s == &prov) {
		snprintf(boot_env, sizeof(boot_env), "GAMEDAY_BOOT=%u",
			 prov_boot);
		env[n++] = boot_env;
		env[n++] = "HOME=/root";
	}
	for (int i = 0; i < s->envc; i++)
		env[n++] = s->env[i];
	env[n] = NULL;
	/* Last: the filter may deny what the lines above needed. */
	if (s != &prov && (r = gd_profile_seccomp()) < 0) {
		dprintf(2, "gd-init: cannot load the seccomp filter (%s): %s\n",
			GD_PROFILE_SECCOMP, strerror(-r));
		_exit(126);
	}
	execve(s->argv[0], s->argv, env);
	dprintf(2, "gd-init: cannot run \"%s\": %s\n", s->argv[0],
		strerror(errno));
	_exit(127);
}

/* /run/gameday/NAME.pid holds a running service's pid (in the node's pid
 * namespace): how gameday finds the service a fault kills. */
static void pid_file(const struct service *s, pid_t pid)
{
	char path[256];
	snprintf(path, sizeof(path), "/run/gameday/%s.pid", s->name);
	if (!pid) {
		unlink(path);
		return;
	}
	mkdir("/run/gameday", 0755);
	char tmp[272], text[32];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	int n = snprintf(text, sizeof(text), "%d\n", (int)pid);
	if (write(fd, text, (size_t)n) == n)
		rename(tmp, path);
	close(fd);
}

static void start(struct service *s)
{
	pid_t pid = fork();
	if (pid < 0) {
		event(GD_EV_START_FAILED, s, ",\"errno\":%d", errno);
		s->state = ST_WAITING;
		s->next_start_ms = now_ms() + s->min_interval_ms;
		return;
	}
	if (pid == 0)
		exec_service(s);
	s->pid = pid;
	s->state = ST_RUNNING;
	s->started_ms = now_ms();
	s->attempt++;
	event(GD_EV_START, s, ",\"pid\":%d,\"attempt\":%u", (int)pid,
	      s->attempt);
	pid_file(s, pid);
}

static struct service *by_pid(pid_t pid)
{
	for (int i = 0; i < nservices; i++)
		if (services[i].pid == pid &&
		    (services[i].state == ST_RUNNING ||
		     services[i].state == ST_STOPPING))
			return &services[i];
	return NULL;
}

static void exited(struct service *s, int status)
{
	int64_t ran = now_ms() - s->started_ms;
	bool failed;
	/* an exit gd-init asked for (SIGHUP) says so */
	const char *why = s->reload ? ",\"reload\":true" : "";
	if (WIFEXITED(status)) {
		failed = WEXITSTATUS(status) != 0;
		event(GD_EV_EXIT, s,
		      ",\"pid\":%d,\"code\":%d,\"status\":%d,\"ran_ms\":%lld%s",
		      (int)s->pid, WEXITSTATUS(status), WEXITSTATUS(status),
		      (long long)ran, why);
	} else {
		failed = true;
		event(GD_EV_EXIT, s,
		      ",\"pid\":%d,\"signal\":%d,\"status\":%d,\"ran_ms\":%lld%s",
		      (int)s->pid, WTERMSIG(status), 128 + WTERMSIG(status),
		      (long long)ran, why);
	}
	s->pid = 0;
	pid_file(s, 0);
	if (s->reload && !stopping) {
		s->reload = false;
		s->state = ST_WAITING;
		s->next_start_ms = now_ms();
		event(GD_EV_RESTART, s,
		      ",\"delay_ms\":0,\"attempt\":%u,\"why\":\"reload\"",
		      s->attempt + 1);
		return;
	}
	if (s->state == ST_STOPPING || stopping) {
		s->state = ST_DONE;
		return;
	}
	bool again = s->restart == RESTART_ALWAYS ||
		     (s->restart == RESTART_ON_FAILURE && failed);
	if (!again) {
		s->state = ST_DONE;
		return;
	}
	/* A service that stayed up well past its backoff ceiling has
	 * recovered: its next failure starts the backoff over. */
	if (ran >= s->backoff_max_ms)
		s->failures = 0;
	s->failures++;
	if (s->max_restarts && s->failures > s->max_restarts) {
		event(GD_EV_GIVE_UP, s, ",\"restarts\":%u", s->failures - 1);
		s->state = ST_DONE;
		return;
	}
	int64_t delay = s->min_interval_ms;
	for (unsigned k = 1; k < s->failures && delay < s->backoff_max_ms; k++)
		delay *= 2;
	if (delay > s->backoff_max_ms)
		delay = s->backoff_max_ms;
	/* The minimum interval counts from the last start. */
	int64_t earliest = s->started_ms + s->min_interval_ms;
	int64_t at = now_ms() + (s->failures > 1 ? delay : 0);
	if (at < earliest)
		at = earliest;
	s->next_start_ms = at;
	s->state = ST_WAITING;
	event(GD_EV_RESTART, s, ",\"delay_ms\":%lld,\"attempt\":%u",
	      (long long)(at - now_ms()), s->attempt + 1);
}

/* SIGTERM to a running service and its process group; SIGKILL follows
 * after its grace period. */
static void stop_service(struct service *s)
{
	kill(-s->pid, SIGTERM);
	kill(s->pid, SIGTERM);
	s->state = ST_STOPPING;
	s->kill_at_ms = now_ms() + s->grace_ms;
}

/* SIGHUP: every running service stops and starts again; one waiting to
 * restart, or one that ended or gave up, starts at once (a restart of
 * every unit, as a service manager does it). */
static void reload(void)
{
	event(GD_EV_NODE_RELOAD, NULL, NULL);
	for (int i = 0; i < nservices; i++) {
		struct service *s = &services[i];
		if (s->state == ST_RUNNING) {
			stop_service(s);
			s->reload = true;
		} else if (s->state == ST_WAITING || s->state == ST_DONE) {
			s->failures = 0;
			s->state = ST_WAITING;
			s->next_start_ms = now_ms();
		}
	}
}

/* Services start once the boot's provisioning (if any) exited 0. */
static bool ready(void)
{
	return !held && (!has_prov || provisioned);
}

/* This gd-init's start time (field 22 of /proc/self/stat, clock ticks
 * since the host booted): gameday knows it too, so a file of an earlier
 * boot, or one the node's root forged, never passes for this boot's. */
static unsigned long long started_at(void)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* How it ended, for gameday (a file it reads by the node's path, written
 * whole) and the log. */
static void provision_ended(int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status)
				     : 128 + WTERMSIG(status);
	provisioned = code == 0;
	mkdir("/run/gameday", 0755);
	int fd = open("/run/gameday/provisioned.tmp",
		      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (dprintf(fd, "%u %d %llu\n", prov_boot, code, started_at()) >
		    0)
			rename("/run/gameday/provisioned.tmp",
			       "/run/gameday/provisioned");
		close(fd);
	}
	event(GD_EV_NODE_PROVISIONED, NULL,
	      ",\"boot\":%u,\"status\":%d,\"services\":%s", prov_boot, code,
	      provisioned && !stopping ? "true" : "false");
}

/* The boot's provisioning, its log claimed first: the boots of a node
 * never share one. */
static void begin_provision(void)
{
	mkdir("/var/log/gameday", 0755);
	mkdir("/var/log/gameday/provision", 0755);
	for (prov_boot = 1;; prov_boot++) {
		char path[64];
		snprintf(path, sizeof(path),
			 "/var/log/gameday/provision/%u.log", prov_boot);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0644);
		if (fd >= 0)
			close(fd);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	unlink("/run/gameday/provisioned");
	event(GD_EV_NODE_PROVISIONING, NULL, ",\"boot\":%u", prov_boot);
	start(&prov);
	if (prov.state != ST_RUNNING) /* no fork: as if it could not run */
		provision_ended(127 << 8);
}

static void begin_stop(void)
{
	stopping = true;
	event(GD_EV_NODE_STOPPING, NULL, NULL);
	if (prov.state == ST_RUNNING)
		stop_service(&prov);
	for (int i = 0; i < nservices; i++) {
		struct service *s = &services[i];
		if (s->state == ST_RUNNING)
			stop_service(s);
		else if (s->state == ST_WAITING)
			s->state = ST_DONE;
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gd-init CONFIG\n");
		return 2;
	}
	if (fcntl(3, F_GETFD) >= 0) {
		events_fd = 3;
		fcntl(3, F_SETFD, FD_CLOEXEC);
	}
	load(argv[1]);

	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1);

	held = rename(HOLD_FILE, HELD_FILE) == 0;
	event(GD_EV_NODE_UP, NULL, ",\"services\":%d%s", nservices,
	      held ? ",\"held\":true" : "");
	if (has_prov && !held)
		begin_provision();
	for (int i = 0; i < nservices && ready(); i++)
		start(&services[i]);

	for (;;) {
		int64_t now = now_ms(), next = -1;
		for (int i = 0; i < nservices; i++) {
			struct service *s = &services[i];
			if (s->state == ST_WAITING && !stopping && ready()) {
				if (s->next_start_ms <= now)
					start(s);
				else if (next < 0 || s->next_start_ms < next)
					next = s->next_start_ms;
			} else if (s->state == ST_STOPPING) {
				if (s->kill_at_ms <= now) {
					kill(-s->pid, SIGKILL);
					kill(s->pid, SIGKILL);
					s->kill_at_ms = now + 60000;
				} else if (next < 0 || s->kill_at_ms < next) {
					next = s->kill_at_ms;
				}
			}
		}
		if (prov.state == ST_STOPPING && prov.kill_at_ms <= now) {
			kill(-prov.pid, SIGKILL);
			kill(prov.pid, SIGKILL);
			prov.kill_at_ms = now + 60000;
		}
		if (prov.state == ST_STOPPING &&
		    (next < 0 || prov.kill_at_ms < next))
			next = prov.kill_at_ms;
		if (stopping) {
			bool busy = prov.state == ST_STOPPING;
			for (int i = 0; i < nservices; i++)
				busy |= services[i].state == ST_STOPPING;
			if (!busy) {
				event(GD_EV_NODE_DOWN, NULL, NULL);
				return 0;
			}
		}

		siginfo_t info;
		struct timespec ts, *tp = NULL;
		if (next >= 0) {
			int64_t wait = next - now_ms();
			if (wait < 0)
				wait = 0;
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = (wait % 1000) * 1000000;
			tp = &ts;
		}
		int sig = sigtimedwait(&all, &info, tp);
		if (sig < 0)
			continue; /* timeout or EINTR: look at the timers */
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping)
				begin_stop();
		} else if (sig == SIGHUP) {
			if (!stopping && !held)
				reload();
		} else if (sig == SIGUSR1 && held) {
			held = false;
			unlink(HELD_FILE);
			event(GD_EV_NODE_RELEASED, NULL, NULL);
			if (has_prov && !stopping)
				begin_provision();
		} else if (sig == SIGCHLD) {
			int status;
			pid_t pid;
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
				struct service *s = by_pid(pid);
				if (s)
					exited(s, status);
				if (pid == prov.pid &&
				    (prov.state == ST_RUNNING ||
				     prov.state == ST_STOPPING)) {
					exited(&prov, status);
					provision_ended(status);
				}
			}
		}
	}
}
