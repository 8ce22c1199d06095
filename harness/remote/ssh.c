/* The SSH transport: a master per host kept as our child, commands as
 * mux clients of it (ssh.h). */
#include "remote/ssh.h"

#include "base/cleanup.h"
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct gd_ssh {
	char *dest;
	char *config;
	char *control; /* the master's socket, as ssh -G expanded it */
	pid_t master;  /* master_watch's shell, its process group's leader */
	int watch_fd;  /* its stdin's other end: it ends ssh at EOF */
	int log_fd;    /* the master's stderr: an unlinked file of ours */
	bool root;
};

#define MAX_ARGS 32

/* The arguments every ssh call shares, then its own. */
typedef struct ssh_argv {
	char *v[MAX_ARGS];
	size_t n;
} ssh_argv;

static void arg(ssh_argv *a, const char *s)
{
	if (a->n + 1 < MAX_ARGS)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void base_args(ssh_argv *a, const char *config, const char *control)
{
	a->n = 0;
	arg(a, "ssh");
	if (config) {
		arg(a, "-F");
		arg(a, config);
	}
	/* never a prompt: a password, a passphrase or an unknown host key
	 * fails instead of waiting for a person who is not there */
	arg(a, "-o");
	arg(a, "BatchMode=yes");
	if (control) {
		arg(a, "-o");
		arg(a, control);
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool plain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("_./=:@%+,-", c);
}

void gd_ssh_quote(gd_strbuf *sb, char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		const char *w = argv[i];
		if (i)
			gd_strbuf_addch(sb, ' ');
		bool plain = *w != '\0';
		/* a first word with '=' would be an assignment */
		for (const char *p = w; *p && plain; p++)
			plain = plain_char(*p) && (i || *p != '=');
		if (plain) {
			gd_strbuf_add(sb, w);
			continue;
		}
		gd_strbuf_addch(sb, '\'');
		for (const char *p = w; *p; p++) {
			if (*p == '\'')
				gd_strbuf_add(sb, "'\\''");
			else
				gd_strbuf_addch(sb, *p);
		}
		gd_strbuf_addch(sb, '\'');
	}
}

/* posix_spawn, so a caller's threads and their locks are never copied
 * into a half-made child.  Signals as a fresh program's: the runner
 * blocks SIGINT and SIGTERM to stop gracefully, and a mask outlives
 * exec. */
int gd_remote_spawn(char *const *argv, int in, int out, int errfd, pid_t *pid,
		    gd_error **err)
{
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t none, dfl;
	sigemptyset(&none);
	sigemptyset(&dfl);
	int sigs[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD};
	for (size_t i = 0; i < GD_ARRAY_SIZE(sigs); i++)
		sigaddset(&dfl, sigs[i]);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF |
					      POSIX_SPAWN_SETPGROUP);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	int fds[3] = {in, out, errfd};
	for (int i = 0; i < 3; i++) {
		if (fds[i] >= 0)
			posix_spawn_file_actions_adddup2(&fa, fds[i], i);
		else
			posix_spawn_file_actions_addopen(
				&fa, i, "/dev/null", i ? O_WRONLY : O_RDONLY,
				0);
	}
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	int rc = posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc)
		return gd_error_make(err, rc, "cannot run %s", argv[0]);
	return 0;
}

/* Waits for pid without EINTR's surprises; its wait status. */
static int reap(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* ssh's words with its carriage returns and trailing newline dropped. */
static void tidy(gd_strbuf *sb, const char *text)
{
	for (const char *p = text; *p; p++)
		if (*p != '\r')
			gd_strbuf_addch(sb, *p == '\n' && p[1] ? ' ' : *p);
	while (sb->len &&
	       (sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == ' '))
		sb->buf[--sb->len] = '\0';
}

/* One ssh control command (-O check, -O exit): its exit status. */
static int control(const gd_ssh *s, const char *op)
{
	ssh_argv a;
	_cleanup_free_ char *cp = NULL;
	if (asprintf(&cp, "ControlPath=%s", s->control) < 0)
		return -1;
	base_args(&a, s->config, cp);
	arg(&a, "-O");
	arg(&a, op);
	arg(&a, "--");
	arg(&a, s->dest);
	pid_t pid;
	if (gd_remote_spawn(a.v, -1, -1, -1, &pid, NULL) < 0)
		return -1;
	int st = reap(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The pipes of one command and what went through them. */
typedef struct pump {
	int in, out, errfd; /* ours; -1 once done */
	const char *data;
	size_t left;
	gd_strbuf *outb, *errb;
} pump;

static void drain(int *fd, gd_strbuf *sb)
{
	char buf[65536];
	ssize_t n = read(*fd, buf, sizeof(buf));
	if (n > 0) {
		if (sb)
			gd_strbuf_addn(sb, buf, (size_t)n);
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

/* Feeds stdin and reads stdout and stderr until both close or the
 * deadline (<0: none) passes; whether they closed in time. */
static bool pump_until(pump *p, long long deadline)
{
	while (p->out >= 0 || p->errfd >= 0) {
		struct pollfd pf[3] = {{p->in, POLLOUT, 0},
				       {p->out, POLLIN, 0},
				       {p->errfd, POLLIN, 0}};
		int wait = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0)
				return false;
			wait = (int)left;
		}
		if (poll(pf, 3, wait) < 0 && errno != EINTR)
			return false;
		if (p->in >= 0 && pf[0].revents) {
			/* a socket, so a command gone before reading it all
			 * is EPIPE here and not a SIGPIPE for the caller */
			ssize_t n = send(p->in, p->data, p->left,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0) {
				p->data += n;
				p->left -= (size_t)n;
			}
			if (p->left == 0 ||
			    (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close(p->in);
				p->in = -1;
			}
		}
		if (p->out >= 0 && pf[1].revents)
			drain(&p->out, p->outb);
		if (p->errfd >= 0 && pf[2].revents)
			drain(&p->errfd, p->errb);
	}
	return true;
}

static void pump_close(pump *p)
{
	int *fds[] = {&p->in, &p->out, &p->errfd};
	for (int i = 0; i < 3; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

/* A mux client running cmd (already the remote shell's text): its wait
 * status, or -ETIMEDOUT past timeout_ms with the client killed. */
static int mux_run(gd_ssh *s, const char *cmd, const void *in, size_t inlen,
		   gd_strbuf *out, gd_strbuf *errb, int timeout_ms, int *wst,
		   gd_error **err)
{
	ssh_argv a;
	_cleanup_free_ char *cp = NULL;
	if (asprintf(&cp, "ControlPath=%s", s->control) < 0)
		return gd_error_make(err, ENOMEM, "ssh %s", s->dest);
	base_args(&a, s->config, cp);
	arg(&a, "-o");
	arg(&a, "ControlMaster=no");
	arg(&a, s->dest);
	arg(&a, "--");
	arg(&a, cmd);

	int sv[2] = {-1, -1}, po[2] = {-1, -1}, pe[2] = {-1, -1};
	if ((in && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) ||
	    pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		int e = errno;
		int fds[] = {sv[0], sv[1], po[0], po[1], pe[0], pe[1]};
		for (size_t i = 0; i < GD_ARRAY_SIZE(fds); i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return gd_error_make(err, e, "ssh %s: pipes", s->dest);
	}
	pid_t pid;
	int rc = gd_remote_spawn(a.v, sv[1], po[1], pe[1], &pid, err);
	if (sv[1] >= 0)
		close(sv[1]);
	close(po[1]);
	close(pe[1]);
	pump p = {sv[0], po[0], pe[0], in, inlen, out, errb};
	if (rc < 0) {
		pump_close(&p);
		return rc;
	}
	bool done = pump_until(&p, timeout_ms > 0 ? now_ms() + timeout_ms : -1);
	pump_close(&p);
	if (!done)
		kill(pid, SIGKILL);
	*wst = reap(pid);
	if (!done)
		return gd_error_set(err, ETIMEDOUT,
				    "ssh %s: command still running after %d ms",
				    s->dest, timeout_ms);
	return 0;
}

/* What the master has said on its stderr (its log file), tidied. */
static void master_words(const gd_ssh *s, gd_strbuf *msg)
{
	char buf[4096];
	ssize_t n =
		s->log_fd >= 0 ? pread(s->log_fd, buf, sizeof(buf) - 1, 0) : 0;
	buf[n > 0 ? n : 0] = '\0';
	tidy(msg, buf);
}

/* Whether the master has exited, leaving it to gd_ssh_close to reap
 * (WNOWAIT): a command sent without it would not fail but quietly open
 * a connection of its own. */
static bool master_gone(const gd_ssh *s)
{
	siginfo_t si = {0};
	if (s->master <= 0)
		return true;
	if (waitid(P_PID, (id_t)s->master, &si, WEXITED | WNOHANG | WNOWAIT) <
	    0)
		return errno == ECHILD; /* reaped by someone else */
	return si.si_pid != 0;
}

static int connection_lost(const gd_ssh *s, const char *said, gd_error **err)
{
	_cleanup_strbuf_ gd_strbuf msg = GD_STRBUF_INIT;
	tidy(&msg, said);
	if (!msg.len)
		master_words(s, &msg);
	return gd_error_set(err, ECONNRESET, "ssh %s: connection lost: %s",
			    s->dest, msg.len ? msg.buf : "no word from ssh");
}

/* gd_ssh_run, through sudo or not. */
static int run(gd_ssh *s, bool sudo, char *const *argv, const void *in,
	       size_t inlen, gd_strbuf *out, gd_strbuf *errout, int timeout_ms,
	       int *status, gd_error **err)
{
	_cleanup_strbuf_ gd_strbuf cmd = GD_STRBUF_INIT;
	if (sudo)
		gd_strbuf_add(&cmd, "sudo -n -- ");
	/* killed there too: a mux client killed here leaves its command
	 * running on the host; timeout kills the command's process group */
	if (timeout_ms > 0)
		gd_strbuf_addf(&cmd, "timeout -k 1 %d.%03ds ",
			       timeout_ms / 1000, timeout_ms % 1000);
	gd_ssh_quote(&cmd, argv);
	/* a shell that waits for the command says 128+n for a signal n,
	 * where one that execs it would leave sshd an exit-signal, which
	 * ssh reports as its own 255 */
	gd_strbuf_add(&cmd, "; exit $?");
	if (cmd.oom)
		return gd_error_make(err, ENOMEM, "ssh %s", s->dest);

	if (master_gone(s))
		return connection_lost(s, "", err);
	_cleanup_strbuf_ gd_strbuf eb = GD_STRBUF_INIT;
	int wst = 0;
	int rc =
		mux_run(s, cmd.buf, in, inlen, out, &eb, timeout_ms, &wst, err);
	if (errout)
		gd_strbuf_addn(errout, eb.buf, eb.len);
	if (rc < 0)
		return rc;
	int code = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
	/* 255 is ssh's own failure, unless the master still answers and it
	 * was the command's own exit code */
	if (code == 255 && control(s, "check") != 0)
		return connection_lost(s, eb.buf, err);
	*status = code;
	return 0;
}

int gd_ssh_run(gd_ssh *s, char *const *argv, const void *in, size_t inlen,
	       gd_strbuf *out, gd_strbuf *errout, int timeout_ms, int *status,
	       gd_error **err)
{
	return run(s, !s->root, argv, in, inlen, out, errout, timeout_ms,
		   status, err);
}

int gd_ssh_run_login(gd_ssh *s, char *const *argv, gd_strbuf *out,
		     int timeout_ms, int *status, gd_error **err)
{
	return run(s, false, argv, NULL, 0, out, NULL, timeout_ms, status, err);
}

/* The master's socket path: ssh -G expands %C as the master will. */
static int control_path(gd_ssh *s, const char *dir, gd_error **err)
{
	ssh_argv a;
	_cleanup_free_ char *cp = NULL;
	if (asprintf(&cp, "ControlPath=%s/%%C", dir) < 0)
		return gd_error_make(err, ENOMEM, "ssh %s", s->dest);
	base_args(&a, s->config, cp);
	arg(&a, "-G");
	arg(&a, "--");
	arg(&a, s->dest);
	int po[2];
	if (pipe2(po, O_CLOEXEC))
		return gd_error_make(err, errno, "ssh %s: pipe", s->dest);
	pid_t pid;
	int rc = gd_remote_spawn(a.v, -1, po[1], -1, &pid, err);
	close(po[1]);
	_cleanup_strbuf_ gd_strbuf conf = GD_STRBUF_INIT;
	pump p = {-1, po[0], -1, NULL, 0, &conf, NULL};
	if (rc == 0) {
		pump_until(&p, -1);
		int st = reap(pid);
		rc = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EINVAL;
	}
	pump_close(&p);
	const char *at = strstr(conf.buf, "\ncontrolpath ");
	if (rc < 0 || !at)
		return gd_error_set(
			err, EINVAL,
			"ssh %s: ssh -G cannot read its configuration",
			s->dest);
	at += strlen("\ncontrolpath ");
	s->control = strndup(at, strcspn(at, "\n"));
	return s->control ? 0 : gd_error_make(err, ENOMEM, "ssh %s", s->dest);
}

/* What the master said before it exited, for the error. */
static int master_failed(gd_ssh *s, int wst, gd_error **err)
{
	_cleanup_strbuf_ gd_strbuf msg = GD_STRBUF_INIT;
	master_words(s, &msg);
	s->master = -1;
	if (!msg.len)
		gd_strbuf_addf(&msg, "ssh exited with status %d",
			       WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
	return gd_error_set(err, ECONNREFUSED, "cannot reach %s: %s", s->dest,
			    msg.buf);
}

/* sh -c MASTER_WATCH gd-ssh-master SSH ARGS...: ssh run beside a reader
 * of the shell's stdin, a pipe whose other end only gameday holds
 * (watch_fd): when gameday dies (SIGKILL included) the read ends and ssh
 * is told to go.  Tied to the process, not to the thread that started
 * it (a parent-death signal would end a master opened by a thread that
 * then exits: a host's return awaited aside, a fault's player).  In a
 * process group of its own, no Ctrl-C reaches it.  Its exit status is
 * ssh's. */
static const char master_watch[] = "exec 3<&0\n"
				   "\"$@\" &\n"
				   "m=$!\n"
				   "{ read -r _ <&3; kill $m; } 2>/dev/null &\n"
				   "w=$!\n"
				   "exec 3<&-\n"
				   "wait $m\n"
				   "s=$?\n"
				   "kill $w 2>/dev/null\n"
				   "exit $s\n";

static int start_master(gd_ssh *s, const gd_ssh_opts *o, gd_error **err)
{
	char tmpl[4096];
	gd_pathf(tmpl, sizeof(tmpl), "%s/master-XXXXXX", o->control_dir);
	s->log_fd = mkostemp(tmpl, O_CLOEXEC);
	if (s->log_fd < 0)
		return gd_error_make(err, errno, "ssh %s: %s", s->dest, tmpl);
	unlink(tmpl);

	ssh_argv a;
	char cp[4200], ct[64];
	gd_pathf(cp, sizeof(cp), "ControlPath=%s", s->control);
	int timeout = o->connect_timeout_s > 0 ? o->connect_timeout_s : 10;
	gd_pathf(ct, sizeof(ct), "ConnectTimeout=%d", timeout);
	base_args(&a, s->config, cp);
	static const char *const opts[] = {
		"ControlMaster=yes", "ControlPersist=no",
		"ServerAliveInterval=5", "ServerAliveCountMax=3"};
	for (size_t i = 0; i < GD_ARRAY_SIZE(opts); i++) {
		arg(&a, "-o");
		arg(&a, opts[i]);
	}
	arg(&a, "-o");
	arg(&a, ct);
	arg(&a, "-N");
	arg(&a, "--");
	arg(&a, s->dest);
	ssh_argv m = {.n = 0};
	static const char *const watch[] = {"sh", "-c", master_watch,
					    "gd-ssh-master"};
	for (size_t i = 0; i < GD_ARRAY_SIZE(watch); i++)
		arg(&m, watch[i]);
	for (size_t i = 0; i < a.n; i++)
		arg(&m, a.v[i]);
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return gd_error_make(err, errno, "ssh %s", s->dest);
	int rc =
		gd_remote_spawn(m.v, pipefd[0], -1, s->log_fd, &s->master, err);
	close(pipefd[0]);
	if (rc < 0) {
		close(pipefd[1]);
		return rc;
	}
	s->watch_fd = pipefd[1];

	/* The socket appears once the master has logged in; it is ready
	 * when it answers.  The connect timeout bounds the connection, and
	 * as much again the login. */
	long long deadline = now_ms() + 2000LL * timeout;
	for (;;) {
		int wst;
		pid_t w = waitpid(s->master, &wst, WNOHANG);
		if (w == s->master || (w < 0 && errno == ECHILD))
			return master_failed(s, w < 0 ? 0 : wst, err);
		struct stat sb;
		if (stat(s->control, &sb) == 0 && control(s, "check") == 0)
			return 0;
		if (now_ms() > deadline)
			return gd_error_set(
				err, ETIMEDOUT,
				"cannot reach %s: no login within %d s",
				s->dest, 2 * timeout);
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
}

/* id -u once: root, or sudo that asks for no password. */
static int probe_root(gd_ssh *s, gd_error **err)
{
	_cleanup_strbuf_ gd_strbuf out = GD_STRBUF_INIT, eb = GD_STRBUF_INIT;
	int status = -1;
	s->root = true; /* the probe itself goes without sudo */
	char *id[] = {"id", "-u", NULL};
	int rc = gd_ssh_run(s, id, NULL, 0, &out, NULL, 30000, &status, err);
	if (rc < 0)
		return rc;
	if (status != 0)
		return gd_error_set(err, EIO, "%s: id -u failed (%d)", s->dest,
				    status);
	s->root = strcmp(out.buf, "0\n") == 0;
	if (s->root)
		return 0;
	char *probe[] = {"true", NULL};
	rc = gd_ssh_run(s, probe, NULL, 0, NULL, &eb, 30000, &status, err);
	if (rc < 0)
		return rc;
	if (status != 0) {
		_cleanup_strbuf_ gd_strbuf msg = GD_STRBUF_INIT;
		tidy(&msg, eb.buf);
		return gd_error_set(
			err, EACCES,
			"%s is not root and \"sudo -n\" refuses it (gameday cannot type a password; give the user passwordless sudo): %s",
			s->dest, msg.buf);
	}
	return 0;
}

int gd_ssh_open(const char *dest, const gd_ssh_opts *o, gd_ssh **out,
		gd_error **err)
{
	*out = NULL;
	if (!dest || !*dest || *dest == '-' || strpbrk(dest, " \t\n"))
		return gd_error_set(err, EINVAL,
				    "invalid ssh destination \"%s\"",
				    dest ? dest : "");
	gd_ssh *s = calloc(1, sizeof(*s));
	if (!s)
		return gd_error_make(err, ENOMEM, "ssh %s", dest);
	s->master = -1;
	s->watch_fd = s->log_fd = -1;
	s->dest = strdup(dest);
	s->config = o->config ? strdup(o->config) : NULL;
	int rc = !s->dest || (o->config && !s->config)
			 ? gd_error_make(err, ENOMEM, "ssh %s", dest)
			 : control_path(s, o->control_dir, err);
	if (rc == 0)
		rc = start_master(s, o, err);
	if (rc == 0)
		rc = probe_root(s, err);
	if (rc < 0) {
		gd_ssh_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

bool gd_ssh_is_root(const gd_ssh *s)
{
	return s->root;
}

int gd_ssh_put(gd_ssh *s, const char *local_path, const char *remote_path,
	       mode_t mode, gd_error **err)
{
	if (remote_path[0] != '/')
		return gd_error_set(err, EINVAL,
				    "%s: \"%s\" is not an absolute path",
				    s->dest, remote_path);
	_cleanup_free_ char *data = NULL;
	size_t len;
	int rc = gd_read_file(local_path, (size_t)1 << 30, &data, &len, err);
	if (rc < 0)
		return rc;
	char m[16];
	gd_pathf(m, sizeof(m), "%04o", (unsigned)(mode & 07777));
	/* The new file whole or not at all: written beside it, then renamed
	 * over it.  Its temporary name is mktemp's, made there (O_EXCL, ten
	 * random characters from the host's own source): never one another
	 * put (another thread of ours, another gameday, a file planted
	 * there) can have, nor one to guess.  Not the scenario's PRNG: that
	 * one is seeded for reproducible choices, which a temporary name
	 * must not be. */
	char *argv[] = {
		"sh",
		"-c",
		"umask 077; d=${2%/*}; "
		"t=$(mktemp \"${d:-/}/.gd-put.XXXXXXXXXX\") || exit 1; "
		"{ cat >\"$t\" && chmod \"$1\" \"$t\" && mv -f -- \"$t\" \"$2\"; } || "
		"{ rm -f -- \"$t\"; exit 1; }",
		"sh",
		m,
		(char *)remote_path,
		NULL};
	_cleanup_strbuf_ gd_strbuf eb = GD_STRBUF_INIT;
	int status = -1;
	rc = gd_ssh_run(s, argv, data, len, NULL, &eb, 0, &status, err);
	if (rc < 0)
		return gd_error_prefix(err, "put %s", remote_path);
	if (status != 0) {
		_cleanup_strbuf_ gd_strbuf msg = GD_STRBUF_INIT;
		tidy(&msg, eb.buf);
		return gd_error_set(err, EIO, "%s: cannot write %s: %s",
				    s->dest, remote_path, msg.buf);
	}
	return 0;
}

int gd_ssh_dir_make(char dir[GD_SSH_DIR_LEN], gd_error **err)
{
	gd_pathf(dir, GD_SSH_DIR_LEN, "/tmp/gd-ssh-XXXXXX");
	if (!mkdtemp(dir))
		return gd_error_make(err, errno,
				     "cannot make a folder for ssh's sockets");
	return 0;
}

void gd_ssh_dir_remove(const char *dir)
{
	gd_remove_tree(dir, false, NULL);
}

void gd_ssh_close(gd_ssh *s)
{
	if (!s)
		return;
	if (s->master > 0) {
		control(s, "exit");
		/* and the watch told (a master that never logged in has no
		 * socket to hear the exit on) */
		if (s->watch_fd >= 0)
			close(TAKE_FD(s->watch_fd));
		/* -O exit asks; a master that does not go within 2 s is
		 * killed, so close never hangs on a stuck connection */
		long long deadline = now_ms() + 2000;
		int wst;
		while (waitpid(s->master, &wst, WNOHANG) == 0) {
			if (now_ms() > deadline) {
				kill(-s->master, SIGKILL);
				reap(s->master);
				break;
			}
			nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
		}
	}
	if (s->watch_fd >= 0)
		close(s->watch_fd);
	if (s->control)
		unlink(s->control);
	if (s->log_fd >= 0)
		close(s->log_fd);
	free(s->control);
	free(s->config);
	free(s->dest);
	free(s);
}
