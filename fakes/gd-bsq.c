/* gd-bsq: a second, independent job system for the exec adapter, built on
 * beanstalkd (Debian's package): a work queue server on one node and
 * workers on the others.  It stands in for "the team's own system" and is
 * the proof that gameday drives one through its adapter contract
 * (README.md, "The exec adapter").
 *
 *   gd-bsq [--server HOST:PORT] [--tube T] [--records DIR] COMMAND ...
 *     ready [--workers N]          exit 0 once N workers watch the tube
 *     submit [--ttr S] JOB CMD..   queue a job; prints {"id": N}
 *     query ID...                  prints {"jobs": [...]}
 *     verify JOB ID PATH           prints the output; exit 1 if none
 *     worker [--retries N] [--logs DIR]
 *                                  take jobs and run them, forever
 *     drain NODE...                NODE's worker takes no new job
 *     resume NODE...               ... until this
 *     nodes NODE...                prints {"nodes": [{"name", "state"}]}
 *
 * beanstalkd's own mechanism is what survives a worker's death: a job
 * reserved by a worker whose connection closes (a killed node) goes back
 * to the ready queue at once, and one whose worker stops touching it (a
 * frozen node) goes back after its time-to-run.  A worker that comes back
 * from a freeze finishes its copy anyway, as real workers do: that is a
 * duplicate, and gameday sees it.
 *
 * beanstalkd forgets a job once it is deleted, so a worker leaves a
 * record DIR/ID.done ("completed NODE ATTEMPTS") before deleting it, and
 * DIR/ID.node while running it; query reads them for the jobs the server
 * no longer has.  submit keeps DIR/JOB.id, so submitting a job again
 * returns the id it already has.
 *
 * A drain is DIR/NODE.drain, which the node's worker reads before each
 * job, and DIR/NODE.worker says whether it is running one ("busy") or
 * not: a drained node is "draining" until its job ends, then "drained",
 * and stays so across its own reboot until resumed.  A worker already
 * waiting in "reserve" when its node is drained gives back the job it
 * then gets, and counts that in DIR/ID.skips, which query and the retry
 * count take off the job's reserves: the job never started there. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *server = "queue:11300";
static const char *tube = "gameday";
static const char *records = "/srv/shared/bsq";

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt,
								...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gd-bsq: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A connection with a read buffer: beanstalkd speaks lines ending in
 * "\r\n", followed for some replies by a body of announced length. */
typedef struct conn {
	int fd;
	char buf[65536];
	size_t have;
} conn;

static int bs_connect(conn *c, int worker, char *why, size_t size)
{
	char host[256];
	snprintf(host, sizeof(host), "%s", server);
	char *port = strrchr(host, ':');
	if (!port)
		die("--server \"%s\": expected HOST:PORT", server);
	*port++ = '\0';
	struct addrinfo hints = {.ai_family = AF_INET,
				 .ai_socktype = SOCK_STREAM},
			*ai;
	int r = getaddrinfo(host, port, &hints, &ai);
	if (r != 0) {
		snprintf(why, size, "cannot resolve %s: %s", host,
			 gai_strerror(r));
		return -1;
	}
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c->have = 0;
	/* A partitioned server must not hang a command for minutes, nor a
	 * worker blocked in "reserve" forever: commands time out, workers
	 * probe the connection. */
	struct timeval tv = {10, 0};
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!worker) {
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	} else {
		int on = 1, idle = 5, intvl = 2, cnt = 3;
		setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
		setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
			   sizeof(idle));
		setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
			   sizeof(intvl));
		setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	}
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		snprintf(why, size, "cannot connect to %s: %s", server,
			 strerror(errno));
		close(c->fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return 0;
}

static int bs_send(conn *c, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until the buffer holds at least need bytes. */
static int bs_fill(conn *c, size_t need)
{
	while (c->have < need) {
		if (need > sizeof(c->buf))
			return -1;
		ssize_t n = recv(c->fd, c->buf + c->have,
				 sizeof(c->buf) - c->have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c->have += (size_t)n;
	}
	return 0;
}

static void bs_consume(conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->have - n);
	c->have -= n;
}

/* Reads a reply line into line (without "\r\n"); a body, when the reply
 * announces one and body is given, into *body. */
static int bs_reply(conn *c, char *line, size_t lsize, char **body)
{
	char *end;
	for (;;) {
		end = memmem(c->buf, c->have, "\r\n", 2);
		if (end)
			break;
		if (bs_fill(c, c->have + 1) < 0)
			return -1;
	}
	size_t len = (size_t)(end - c->buf);
	snprintf(line, lsize, "%.*s", (int)len, c->buf);
	bs_consume(c, len + 2);
	if (body)
		*body = NULL;
	unsigned long bytes;
	char word[32];
	if (!body || (sscanf(line, "OK %lu", &bytes) != 1 &&
		      sscanf(line, "RESERVED %31s %lu", word, &bytes) != 2))
		return 0;
	if (bs_fill(c, bytes + 2) < 0)
		return -1;
	*body = strndup(c->buf, bytes);
	bs_consume(c, bytes + 2);
	return 0;
}

/* Sends a command line and reads its reply. */
static int bs_call(conn *c, char *line, size_t lsize, char **body,
		   const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof(cmd) - 2, fmt, ap);
	va_end(ap);
	memcpy(cmd + n, "\r\n", 2);
	if (bs_send(c, cmd, (size_t)n + 2) < 0)
		return -1;
	return bs_reply(c, line, lsize, body);
}

static void must_connect(conn *c)
{
	char why[512];
	if (bs_connect(c, 0, why, sizeof(why)) < 0)
		die("%s", why);
}

/* The value of "key: " in a YAML dictionary from stats-job. */
static int yaml_field(const char *yaml, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	for (const char *p = yaml; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			const char *v = p + klen + 1 + (p[klen + 1] == ' ');
			size_t n = strcspn(v, "\n");
			snprintf(out, size, "%.*s", (int)n, v);
			return 0;
		}
	}
	return -1;
}

static int cmd_ready(int argc, char **argv)
{
	long want = 1;
	if (argc == 2 && strcmp(argv[0], "--workers") == 0)
		want = strtol(argv[1], NULL, 10);
	conn c;
	must_connect(&c);
	char line[256], *body, watching[32] = "0";
	if (bs_call(&c, line, sizeof(line), &body, "stats-tube %s", tube) < 0)
		die("%s closed the connection", server);
	if (body)
		yaml_field(body, "current-watching", watching,
			   sizeof(watching));
	free(body);
	if (strtol(watching, NULL, 10) < want) {
		fprintf(stderr, "gd-bsq: %s workers of %ld watch \"%s\"\n",
			watching, want, tube);
		return 1;
	}
	return 0;
}

static int read_record(const char *id, const char *kind, char *out, size_t size)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.%s", records, id, kind);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int ok = fgets(out, (int)size, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

/* Writes a record through a temporary file, so query never reads half. */
static void write_record(const char *id, const char *kind, const char *text)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s.%s", records, id, kind);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "we");
	if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		fprintf(stderr, "gd-bsq: cannot write %s: %s\n", path,
			strerror(errno));
}

static int is_drained(const char *node)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.drain", records, node);
	return access(path, F_OK) == 0;
}

/* How many times job id was handed to a drained worker and given back. */
static long skips_of(const char *id)
{
	char text[32];
	return read_record(id, "skips", text, sizeof(text)) == 0
		       ? strtol(text, NULL, 10)
		       : 0;
}

static int cmd_drain(int argc, char **argv, int drain)
{
	if (argc < 1)
		die("usage: gd-bsq %s NODE...", drain ? "drain" : "resume");
	if (mkdir(records, 01777) == 0)
		chmod(records, 01777);
	for (int i = 0; i < argc; i++) {
		if (strchr(argv[i], '/') || argv[i][0] == '.')
			die("\"%s\" is not a node name", argv[i]);
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.drain", records, argv[i]);
		if (drain)
			write_record(argv[i], "drain", "drained");
		else if (unlink(path) < 0 && errno != ENOENT)
			die("cannot resume %s: %s", argv[i], strerror(errno));
		if (drain && !is_drained(argv[i]))
			die("cannot drain %s", argv[i]);
	}
	return 0;
}

static int cmd_nodes(int argc, char **argv)
{
	printf("{\"nodes\": [");
	for (int i = 0; i < argc; i++) {
		char state[64] = "idle";
		read_record(argv[i], "worker", state, sizeof(state));
		int busy = strcmp(state, "busy") == 0;
		printf("%s\n {\"name\": \"%s\", \"state\": \"%s\"}",
		       i ? "," : "", argv[i],
		       is_drained(argv[i]) ? (busy ? "draining" : "drained")
					   : state);
	}
	printf("]}\n");
	return 0;
}

static int cmd_submit(int argc, char **argv)
{
	long ttr = 5;
	if (argc >= 2 && strcmp(argv[0], "--ttr") == 0) {
		ttr = strtol(argv[1], NULL, 10);
		argc -= 2, argv += 2;
	}
	if (argc < 2)
		die("usage: gd-bsq submit [--ttr S] JOB CMD [ARG...]");
	/* Workers run as the service user and write their records here. */
	if (mkdir(records, 01777) == 0)
		chmod(records, 01777);
	char body[8192];
	size_t n = 0;
	for (int i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n'))
			die("arguments cannot hold a newline");
		int w = snprintf(body + n, sizeof(body) - n, "%s\n", argv[i]);
		if (w < 0 || (size_t)w >= sizeof(body) - n)
			die("the job's command line is too long");
		n += (size_t)w;
	}
	/* Idempotent by job id, as the adapter contract asks: gameday
	 * submits again only after a failure, which may have been a put
	 * that landed. */
	char known[64];
	if (read_record(argv[0], "id", known, sizeof(known)) == 0) {
		printf("{\"id\": %s}\n", known);
		return 0;
	}
	conn c;
	must_connect(&c);
	char line[256], hdr[128];
	if (bs_call(&c, line, sizeof(line), NULL, "use %s", tube) < 0)
		die("%s closed the connection", server);
	int h = snprintf(hdr, sizeof(hdr), "put 1024 0 %ld %zu\r\n", ttr, n);
	unsigned long id;
	if (bs_send(&c, hdr, (size_t)h) < 0 || bs_send(&c, body, n) < 0 ||
	    bs_send(&c, "\r\n", 2) < 0 ||
	    bs_reply(&c, line, sizeof(line), NULL) < 0)
		die("%s closed the connection", server);
	if (sscanf(line, "INSERTED %lu", &id) != 1)
		die("put: %s", line);
	snprintf(known, sizeof(known), "%lu", id);
	write_record(argv[0], "id", known);
	printf("{\"id\": %lu}\n", id);
	return 0;
}

static int cmd_query(int argc, char **argv)
{
	conn c;
	must_connect(&c);
	printf("{\"jobs\": [");
	const char *sep = "";
	for (int i = 0; i < argc; i++) {
		const char *id = argv[i];
		if (strspn(id, "0123456789") != strlen(id) || !*id)
			die("query: \"%s\" is not a job id", id);
		char line[256], *body, state[32] = "", reserves[32] = "0",
				       node[128] = "", rec[256];
		if (bs_call(&c, line, sizeof(line), &body, "stats-job %s", id) <
		    0)
			die("%s closed the connection", server);
		const char *phase;
		if (body) {
			yaml_field(body, "state", state, sizeof(state));
			yaml_field(body, "reserves", reserves,
				   sizeof(reserves));
			free(body);
			phase = strcmp(state, "reserved") == 0 ? "running"
				: strcmp(state, "buried") == 0 ? "failed"
							       : "queued";
			read_record(id, "node", node, sizeof(node));
		} else if (strcmp(line, "NOT_FOUND") == 0 &&
			   read_record(id, "done", rec, sizeof(rec)) == 0 &&
			   sscanf(rec, "completed %127s %31s", node,
				  reserves) == 2) {
			phase = "completed";
			snprintf(state, sizeof(state), "deleted");
		} else if (strcmp(line, "NOT_FOUND") == 0) {
			continue; /* forgotten: gameday calls it lost */
		} else {
			die("stats-job %s: %s", id, line);
		}
		long attempts = strtol(reserves, NULL, 10);
		if (phase[0] != 'c') /* a completed record counts for itself */
			attempts -= skips_of(id);
		printf("%s\n {\"id\": \"%s\", \"state\": \"%s\", \"attempts\": %ld, \"node\": \"%s\", \"detail\": \"%s\"}",
		       sep, id, phase, attempts < 0 ? 0 : attempts, node,
		       state);
		sep = ",";
	}
	printf("]}\n");
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	if (argc != 3)
		die("usage: gd-bsq verify JOB ID PATH");
	FILE *f = fopen(argv[2], "re");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		die("cannot read %s: %s", argv[2], strerror(errno));
	}
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

/* Runs one reserved job to its end, touching it so the server keeps it
 * ours; returns the exit status, or -1 when the command could not run. */
static int run_job(conn *c, int *alive, const char *id, long ttr, char *body,
		   const char *logs)
{
	char *args[256];
	size_t n = 0;
	for (char *save, *w = strtok_r(body, "\n", &save); w && n < 255;
	     w = strtok_r(NULL, "\n", &save))
		args[n++] = w;
	args[n] = NULL;
	if (n < 2) {
		fprintf(stderr, "gd-bsq: job %s has no command\n", id);
		return -1;
	}
	const char *job = args[0];
	char log[4096];
	snprintf(log, sizeof(log), "%s/%s.log", logs, job);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			      0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(args[1], args + 1);
		fprintf(stderr, "gd-bsq: cannot run %s: %s\n", args[1],
			strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		return -1;
	long touch_every = ttr > 2 ? ttr * 1000 / 2 : 1000, since = 0;
	int ws;
	for (;;) {
		pid_t got = waitpid(pid, &ws, WNOHANG);
		if (got == pid)
			break;
		sleep_ms(100);
		since += 100;
		if (*alive && since >= touch_every) {
			char line[128];
			since = 0;
			if (bs_call(c, line, sizeof(line), NULL, "touch %s",
				    id) < 0)
				*alive = 0;
			else if (strcmp(line, "TOUCHED") != 0)
				fprintf(stderr,
					"gd-bsq: touch %s: %s (the server gave the job away)\n",
					id, line);
		}
	}
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static int cmd_worker(int argc, char **argv)
{
	long retries = 3;
	const char *logs = "/srv/shared/logs";
	for (int i = 0; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--retries") == 0)
			retries = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--logs") == 0)
			logs = argv[i + 1];
		else
			die("worker: unknown option \"%s\"", argv[i]);
	}
	char host[64] = "?";
	gethostname(host, sizeof(host) - 1);
	setvbuf(stderr, NULL, _IOLBF, 0);
	/* Its state is recorded from the start, before any job is. */
	if (mkdir(records, 01777) == 0)
		chmod(records, 01777);
	for (;;) {
		conn c;
		char why[512], line[256], *body;
		if (bs_connect(&c, 1, why, sizeof(why)) < 0) {
			fprintf(stderr, "gd-bsq: %s; retrying\n", why);
			sleep_ms(1000);
			continue;
		}
		int alive = bs_call(&c, line, sizeof(line), NULL, "watch %s",
				    tube) == 0 &&
			    bs_call(&c, line, sizeof(line), NULL,
				    "ignore default") == 0;
		fprintf(stderr, "gd-bsq: %s: watching \"%s\" on %s\n", host,
			tube, server);
		int idle_said = 0;
		while (alive) {
			if (!idle_said) {
				write_record(host, "worker", "idle");
				idle_said = 1;
			}
			if (is_drained(host)) {
				sleep_ms(200);
				continue;
			}
			/* Plain "reserve": beanstalkd 1.12 never times out
			 * a job handed over at once by "reserve-with-timeout"
			 * (the connection keeps a stale pending timeout and
			 * is not rescheduled for the job's TTR), so a frozen
			 * worker would keep its job forever. */
			if (bs_call(&c, line, sizeof(line), &body, "reserve") <
			    0) {
				alive = 0;
				break;
			}
			char id[32];
			unsigned long bytes;
			if (!body || sscanf(line, "RESERVED %31s %lu", id,
					    &bytes) != 2) {
				free(body);
				continue;
			}
			/* Drained while it waited: the job goes back as it
			 * came (priority 1024, no delay), never started. */
			if (is_drained(host)) {
				char n[32];
				snprintf(n, sizeof(n), "%ld", skips_of(id) + 1);
				write_record(id, "skips", n);
				fprintf(stderr,
					"gd-bsq: %s is drained: job %s given back\n",
					host, id);
				free(body);
				if (bs_call(&c, line, sizeof(line), NULL,
					    "release %s 1024 0", id) < 0)
					alive = 0;
				continue;
			}
			char stats[256], *yaml, ttr[32] = "5",
						reserves[32] = "1";
			if (bs_call(&c, stats, sizeof(stats), &yaml,
				    "stats-job %s", id) == 0 &&
			    yaml) {
				yaml_field(yaml, "ttr", ttr, sizeof(ttr));
				yaml_field(yaml, "reserves", reserves,
					   sizeof(reserves));
				free(yaml);
			}
			snprintf(reserves, sizeof(reserves), "%ld",
				 strtol(reserves, NULL, 10) - skips_of(id));
			write_record(id, "node", host);
			write_record(host, "worker", "busy");
			idle_said = 0;
			int status = run_job(&c, &alive, id,
					     strtol(ttr, NULL, 10), body, logs);
			free(body);
			char rec[256];
			if (status == 0) {
				snprintf(rec, sizeof(rec), "completed %s %s",
					 host, reserves);
				write_record(id, "done", rec);
			}
			if (!alive)
				break; /* the server released it already */
			int r;
			if (status == 0)
				r = bs_call(&c, line, sizeof(line), NULL,
					    "delete %s", id);
			else if (strtol(reserves, NULL, 10) >= retries)
				r = bs_call(&c, line, sizeof(line), NULL,
					    "bury %s 1024", id);
			else
				r = bs_call(&c, line, sizeof(line), NULL,
					    "release %s 1024 1", id);
			if (status != 0)
				fprintf(stderr,
					"gd-bsq: job %s exited %d (attempt %s of %ld)\n",
					id, status, reserves, retries);
			if (r < 0)
				alive = 0;
		}
		fprintf(stderr,
			"gd-bsq: lost the connection to %s; reconnecting\n",
			server);
		close(c.fd);
		sleep_ms(500);
	}
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--server") == 0)
			server = argv[i + 1];
		else if (strcmp(argv[i], "--tube") == 0)
			tube = argv[i + 1];
		else if (strcmp(argv[i], "--records") == 0)
			records = argv[i + 1];
		else
			die("unknown option \"%s\"", argv[i]);
	}
	if (i >= argc)
		die("usage: gd-bsq [--server HOST:PORT] [--tube T] [--records DIR] ready|submit|query|verify|worker|drain|resume|nodes ...");
	signal(SIGPIPE, SIG_IGN);
	const char *cmd = argv[i++];
	argc -= i;
	argv += i;
	if (strcmp(cmd, "ready") == 0)
		return cmd_ready(argc, argv);
	if (strcmp(cmd, "submit") == 0)
		return cmd_submit(argc, argv);
	if (strcmp(cmd, "query") == 0)
		return cmd_query(argc, argv);
	if (strcmp(cmd, "verify") == 0)
		return cmd_verify(argc, argv);
	if (strcmp(cmd, "worker") == 0)
		return cmd_worker(argc, argv);
	if (strcmp(cmd, "drain") == 0 || strcmp(cmd, "resume") == 0)
		return cmd_drain(argc, argv, cmd[0] == 'd');
	if (strcmp(cmd, "nodes") == 0)
		return cmd_nodes(argc, argv);
	die("unknown command \"%s\"", cmd);
}
