/* `gameday cleanup INVENTORY`: every earlier run's changes on a cluster
 * of real hosts undone by the runs' own agents (gd-agent finish), from
 * any machine that has the inventory.  A host that does not answer and
 * can be powered (the node's "power") is powered on first: a machine that
 * is off cannot revert itself; one whose power status does not answer
 * (it cannot run, or runs past its time) is never powered on blindly. */
#include "cluster/ssh_node.h"
#include "cluster/ssh_power.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "remote/ssh.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a powered-on host has to answer over SSH. */
#define BOOT_WAIT_S 300
/* How long a power command may take. */
#define POWER_TIMEOUT_S 120

/* Each agent's finish, one line per run: "reverted RUN", "failed RUN:
 * its words", "live RUN SECONDS" for a run heard from (its beat or
 * journal written) within the heartbeat timeout $1: a gameday may still
 * be playing it, and its own agent reverts it once it goes quiet; or
 * "damaged RUN" when the run's copy of the agent is empty or not a
 * program (a crash before it reached the disk): this machine's then
 * takes its place, once.  Otherwise the agent is the run's own copy,
 * so no program of this machine's is needed there. */
static const char finish_script[] =
	"now=$(date +%s); q=$1; shift\n"
	"for j in /var/lib/gameday/*/journal; do\n"
	"  [ -f \"$j\" ] || continue\n"
	"  d=${j%/journal}; r=${d##*/}\n"
	"  if [ $# -gt 0 ]; then\n"
	"    case \" $* \" in *\" $r \"*) ;; *) continue ;; esac\n"
	"  fi\n"
	"  b=$(stat -c %Y \"$j\" \"$d/beat\" 2>/dev/null | sort -n | tail -1)\n"
	"  if [ -n \"$b\" ] && [ $((now - b)) -lt \"$q\" ]; then\n"
	"    echo \"live $r $((now - b))\"; continue\n"
	"  fi\n"
	"  if [ ! -s \"$d/gd-agent\" ] || [ ! -x \"$d/gd-agent\" ]; then\n"
	"    echo \"damaged $r\"; continue\n"
	"  fi\n"
	"  if o=$(\"$d/gd-agent\" finish --run \"$r\" 2>&1); then\n"
	"    echo \"reverted $r\"\n"
	"  else\n"
	"    echo \"failed $r: $(echo \"$o\" | tail -1)\"\n"
	"  fi\n"
	"done\n";

/* s with every "{node}" and "{host}" filled in (heap). */
static char *fill(const char *s, const gd_node *n)
{
	gd_strbuf sb = GD_STRBUF_INIT;
	while (*s) {
		if (!strncmp(s, "{node}", 6)) {
			gd_strbuf_add(&sb, n->name);
			s += 6;
		} else if (!strncmp(s, "{host}", 6)) {
			gd_strbuf_add(&sb, n->host);
			s += 6;
		} else
			gd_strbuf_addch(&sb, *s++);
	}
	return gd_strbuf_detach(&sb);
}

int gd_ssh_power_exec(const gd_strv *v, const gd_node *n, int timeout_s,
		      int *code, gd_error **err)
{
	char **argv = calloc(v->n + 1, sizeof(*argv));
	if (!argv)
		abort();
	for (size_t i = 0; i < v->n; i++)
		argv[i] = fill(v->v[i], n);
	pid_t pid;
	int r, status = 0;
	/* its words to gameday's own output, as a person running it sees */
	int rc = gd_remote_spawn(argv, -1, STDOUT_FILENO, STDERR_FILENO, &pid,
				 err);
	if (rc == 0) {
		struct timespec t0, now;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			r = waitpid(pid, &status, WNOHANG);
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (r != 0 || now.tv_sec - t0.tv_sec >= timeout_s)
				break;
			usleep(50000);
		}
		if (r == 0) {
			kill(-pid,
			     SIGKILL); /* its group: a script's children */
			waitpid(pid, NULL, 0);
			rc = gd_error_set(err, ETIMEDOUT,
					  "\"%s\" still running after %d s "
					  "(killed)",
					  argv[0], timeout_s);
		} else if (r < 0)
			rc = gd_error_make(err, errno, "cannot wait for \"%s\"",
					   argv[0]);
		else if (WIFSIGNALED(status))
			rc = gd_error_set(err, EINTR,
					  "\"%s\" killed by signal %d", argv[0],
					  WTERMSIG(status));
		else
			*code = WEXITSTATUS(status);
	}
	for (size_t i = 0; i < v->n; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

gd_power_state gd_ssh_power_status(const gd_node *n, int timeout_s,
				   gd_error **err)
{
	const gd_strv *v = &n->power->status;
	int code = -1;
	if (gd_ssh_power_exec(v, n, timeout_s, &code, err) < 0)
		return GD_POWER_UNKNOWN;
	if (code == 126 || code == 127) {
		gd_error_set(err, ENOEXEC,
			     "\"%s\" exited %d (a command it runs not found "
			     "or not executable?)",
			     v->v[0], code);
		return GD_POWER_UNKNOWN;
	}
	return code == 0 ? GD_POWER_ON : GD_POWER_OFF;
}

int gd_ssh_power_run(const gd_strv *v, const gd_node *n)
{
	int code = -1;
	return gd_ssh_power_exec(v, n, POWER_TIMEOUT_S, &code, NULL) < 0 ? -1
									 : code;
}

/* A connection to n, powering it on first when its status says it is off
 * (or, with no status, when it does not answer).  A status that says
 * nothing (gd_ssh_power_status) is said, and the host never powered on on
 * its account: tried over SSH only, and reported when it does not
 * answer. */
static int reach(const gd_cluster *c, const gd_node *n, const char *dir,
		 gd_ssh **s, void (*say)(const char *, const char *),
		 gd_error **err)
{
	gd_ssh_opts o = {.config = c->ssh_config, .control_dir = dir};
	const gd_power *pw = n->power;
	gd_power_state state = GD_POWER_ON;
	_cleanup_error_ gd_error *why = NULL;
	if (pw && pw->status.n)
		state = gd_ssh_power_status(n, POWER_TIMEOUT_S, &why);
	if (state != GD_POWER_OFF) {
		int r = gd_ssh_open(n->host, &o, s, err);
		if (r == 0 && state == GD_POWER_UNKNOWN) {
			char what[512];
			snprintf(what, sizeof(what), "%s: %s (it answers)",
				 n->name, why->msg);
			say("cannot tell power state of", what);
		}
		if (r == 0 || !pw || r == -EACCES)
			return r;
		if (state == GD_POWER_UNKNOWN) {
			gd_error_prefix(err,
					"cannot tell power state of %s: %s; "
					"not powered on, and it does not "
					"answer",
					n->name, why->msg);
			return r;
		}
		gd_error_free(*err);
		*err = NULL;
	}
	int code = -1;
	_cleanup_error_ gd_error *on = NULL;
	if (gd_ssh_power_exec(&pw->on, n, POWER_TIMEOUT_S, &code, &on) < 0 ||
	    code != 0)
		return gd_error_set(err, EIO,
				    "%s: does not answer, and its power on "
				    "command failed%s%s",
				    n->name, on ? ": " : "", on ? on->msg : "");
	say("powered on", n->name);
	time_t end = time(NULL) + BOOT_WAIT_S;
	for (;;) {
		int r = gd_ssh_open(n->host, &o, s, err);
		if (r == 0 || time(NULL) > end)
			return r;
		gd_error_free(*err);
		*err = NULL;
		sleep(2);
	}
}

/* One line of the finish script's output, said. */
static void say_line(const gd_node *n, const char *line, size_t len,
		     void (*say)(const char *, const char *), size_t *failed)
{
	char what[512];
	if (len > 5 && !strncmp(line, "live ", 5)) {
		const char *sp = memchr(line + 5, ' ', len - 5);
		int rl = sp ? (int)(sp - line - 5) : (int)len - 5;
		snprintf(what, sizeof(what),
			 "%s: run %.*s, heard from %.*s s ago (its agent "
			 "reverts it once it goes quiet)",
			 n->name, rl, line + 5,
			 sp ? (int)(line + len - sp - 1) : 1,
			 sp ? sp + 1 : "?");
		say("left alone", what);
		return;
	}
	snprintf(what, sizeof(what), "%s: %.*s", n->name, (int)len, line);
	say("on host", what);
	*failed += len > 7 && !strncmp(line, "failed ", 7);
}

/* The finish script on one host, for the runs named (none: all); each
 * line said, a damaged run's name added to damaged (NULL: a failure). */
static int finish_runs(const gd_cluster *c, const gd_node *n, gd_ssh *s,
		       char **runs, gd_strbuf *damaged,
		       void (*say)(const char *, const char *), size_t *failed,
		       gd_error **err)
{
	char quiet[32];
	snprintf(quiet, sizeof(quiet), "%lld",
		 (long long)(c->heartbeat_ms + 999) / 1000);
	char *argv[40] = {"sh", "-c", (char *)finish_script, "cleanup", quiet};
	for (size_t k = 0; runs && runs[k] && k < 34; k++)
		argv[5 + k] = runs[k];
	gd_strbuf out = GD_STRBUF_INIT;
	int status = 0;
	int r = gd_ssh_run(s, argv, NULL, 0, &out, NULL, 300000, &status, err);
	for (const char *p = out.buf; r == 0 && p && *p;) {
		const char *nl = strchrnul(p, '\n');
		size_t len = (size_t)(nl - p);
		if (len > 8 && !strncmp(p, "damaged ", 8) && damaged)
			gd_strbuf_addf(damaged, "%.*s\n", (int)len - 8, p + 8);
		else if (len > 8 && !strncmp(p, "damaged ", 8)) {
			char line[300];
			snprintf(line, sizeof(line),
				 "failed %.*s: its agent is empty or not a "
				 "program, and none of this machine's took "
				 "its place",
				 (int)len - 8, p + 8);
			say_line(n, line, strlen(line), say, failed);
		} else
			say_line(n, p, len, say, failed);
		p = *nl ? nl + 1 : nl;
	}
	gd_strbuf_release(&out);
	return r;
}

/* Runs whose copy of the agent was damaged get this machine's (agent),
 * then are finished once more. */
static int replace_damaged(const gd_cluster *c, const gd_node *n, gd_ssh *s,
			   const char *agent, char *names,
			   void (*say)(const char *, const char *),
			   size_t *failed, gd_error **err)
{
	char *runs[35] = {0};
	size_t k = 0;
	char *save = NULL;
	for (char *t = strtok_r(names, "\n", &save); t && k < 34;
	     t = strtok_r(NULL, "\n", &save)) {
		char path[256];
		snprintf(path, sizeof(path), "/var/lib/gameday/%s/gd-agent", t);
		if (agent && gd_ssh_put(s, agent, path, 0700, err) < 0)
			return -EIO;
		runs[k++] = t;
	}
	return finish_runs(c, n, s, runs, NULL, say, failed, err);
}

int gd_ssh_hosts_cleanup(const gd_cluster *c, const char *agent,
			 void (*say)(const char *, const char *),
			 gd_error **err)
{
	char dir[GD_SSH_DIR_LEN];
	int made = gd_ssh_dir_make(dir, err);
	if (made < 0)
		return made;
	size_t failed = 0, unreached = 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		const gd_node *n = &c->nodes[i];
		gd_ssh *s = NULL;
		_cleanup_error_ gd_error *e = NULL;
		if (reach(c, n, dir, &s, say, &e) < 0) {
			say("could not reach", e->msg);
			unreached++;
			continue;
		}
		gd_strbuf damaged = GD_STRBUF_INIT;
		int r = finish_runs(c, n, s, NULL, agent ? &damaged : NULL, say,
				    &failed, &e);
		if (r == 0 && damaged.len)
			r = replace_damaged(c, n, s, agent, damaged.buf, say,
					    &failed, &e);
		if (r < 0) {
			say("could not clean", e ? e->msg : n->name);
			unreached++;
		}
		gd_strbuf_release(&damaged);
		gd_ssh_close(s);
	}
	gd_ssh_dir_remove(dir);
	if (failed || unreached)
		return gd_error_set(err, EIO,
				    "cluster %s: %zu host%s not reached, %zu "
				    "run%s not reverted whole",
				    c->name, unreached,
				    unreached == 1 ? "" : "s", failed,
				    failed == 1 ? "" : "s");
	return 0;
}
