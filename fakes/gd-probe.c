/* gd-probe: checks run from inside a staging node, one per subcommand.
 * Dynamically linked on purpose: libfaketime reaches it the way it reaches
 * the job system.  Prints one line; exits 0 when the check succeeded, 1 when
 * it failed (the line says why, with the errno name), 2 on bad usage.
 *
 *   gd-probe listen PORT             TCP server: answers each connection
 *                                    with its hostname, forever
 *   gd-probe connect HOST PORT [MS]  connect (timeout MS, default 1000)
 *                                    and print the answer
 *   gd-probe rtt HOST PORT [MS]      time one TCP handshake (a refusal is
 *                                    an answer too) and print it in ms
 *   gd-probe hostname                print the UTS hostname
 *   gd-probe cat FILE                print a file
 *   gd-probe clock                   print the wall clock (ms since epoch)
 *   gd-probe write PATH              create PATH and write to it
 *   gd-probe crash-after MS          run MS, then die of SIGABRT
 *   gd-probe ticker FILE             write a growing counter to FILE every
 *                                    10 ms, forever (a frozen node stops it)
 *   gd-probe sleep MS
 *   gd-probe services                each service gd-init runs: its pid,
 *                                    seccomp mode and filters, bounding
 *                                    and effective capabilities
 *   gd-probe profiled CHECK...       run CHECK under the node's security
 *                                    profile (profile.h), as a service
 *                                    (re)started now would meet it
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "profile.h"

static int fail(const char *what, int e)
{
	printf("error %s: %s (%s)\n",
	       strerrorname_np(e) ? strerrorname_np(e) : "?", what,
	       strerror(e));
	return 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int cmd_listen(const char *port)
{
	struct addrinfo hints = {.ai_family = AF_INET,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE};
	struct addrinfo *ai;
	int r = getaddrinfo(NULL, port, &hints, &ai);
	if (r)
		return fail(gai_strerror(r), EINVAL);
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, 64) < 0)
		return fail("listen", errno);
	freeaddrinfo(ai);
	signal(SIGPIPE, SIG_IGN);
	struct utsname u;
	uname(&u);
	char reply[128];
	int n = snprintf(reply, sizeof(reply), "%s\n", u.nodename);
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		ssize_t w = write(c, reply, (size_t)n);
		(void)w;
		close(c);
	}
}

/* A TCP handshake with HOST:PORT, TIMEOUT_MS at most: the connected
 * socket, or -1 with e set (ECONNREFUSED: the host answered with a
 * reset, itself a round trip).  1 when HOST does not resolve. */
static int handshake(const char *host, const char *port, long timeout_ms,
		     int *e)
{
	struct addrinfo hints = {.ai_family = AF_INET,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai;
	int r = getaddrinfo(host, port, &hints, &ai);
	if (r) {
		printf("error EHOSTUNREACH: cannot resolve \"%s\": %s\n", host,
		       gai_strerror(r));
		exit(1);
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		exit(fail("socket", errno));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    errno != EINPROGRESS) {
		*e = errno;
		return -1;
	}
	freeaddrinfo(ai);
	struct pollfd p = {fd, POLLOUT, 0};
	r = poll(&p, 1, (int)timeout_ms);
	if (r <= 0) {
		*e = r == 0 ? ETIMEDOUT : errno;
		return -1;
	}
	socklen_t len = sizeof(*e);
	*e = 0;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, e, &len);
	return *e ? -1 : fd;
}

static int cmd_connect(const char *host, const char *port, long timeout_ms)
{
	int e, fd = handshake(host, port, timeout_ms, &e);
	if (fd < 0)
		return fail("connect", e);
	struct pollfd p = {fd, POLLIN, 0};
	if (poll(&p, 1, (int)timeout_ms) <= 0)
		return fail("read", ETIMEDOUT);
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return fail("read", errno);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("connected %s:%s %s\n", host, port, buf);
	return 0;
}

/* The round trip of one handshake: a port that refuses answers too. */
static int cmd_rtt(const char *host, const char *port, long timeout_ms)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int e, fd = handshake(host, port, timeout_ms, &e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (fd < 0 && e != ECONNREFUSED)
		return fail("connect", e);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("rtt %s:%s %.3f ms (%s)\n", host, port, ms,
	       fd < 0 ? "refused" : "connected");
	return 0;
}

static int cmd_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(path, errno);
	if (write(fd, "gameday\n", 8) != 8)
		return fail(path, errno);
	if (close(fd) < 0)
		return fail(path, errno);
	printf("ok wrote %s\n", path);
	return 0;
}

static __attribute__((noreturn)) void cmd_ticker(const char *path)
{
	for (unsigned long n = 1;; n++) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		FILE *f = fopen(tmp, "we");
		if (f) {
			fprintf(f, "%lu\n", n);
			fclose(f);
			rename(tmp, path);
		}
		sleep_ms(10);
	}
}

/* The fields of /proc/PID/status that show a security profile. */
static void status_of(long pid, char *out, size_t size)
{
	static const char *const keys[] = {
		"Seccomp:", "Seccomp_filters:", "CapBnd:", "CapEff:"};
	static const char *const says[] = {"seccomp", "filters", "capbnd",
					   "capeff"};
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	size_t used = 0;
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f) && used < size) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t k = strlen(keys[i]);
			if (strncmp(line, keys[i], k) != 0)
				continue;
			char *v = line + k + strspn(line + k, " \t");
			v[strcspn(v, "\n")] = '\0';
			used += (size_t)snprintf(out + used, size - used,
						 " %s %s", says[i], v);
		}
	}
	if (f)
		fclose(f);
	else
		snprintf(out, size, " gone");
}

static int cmd_services(void)
{
	DIR *d = opendir("/run/gameday");
	if (!d)
		return fail("/run/gameday", errno);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".pid") != 0)
			continue;
		char path[512], text[32] = "";
		snprintf(path, sizeof(path), "/run/gameday/%s", de->d_name);
		FILE *f = fopen(path, "re");
		if (!f || !fgets(text, sizeof(text), f)) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		long pid = strtol(text, NULL, 10);
		char st[256];
		status_of(pid, st, sizeof(st));
		printf("%s%.*s pid %ld%s", n++ ? "; " : "", (int)len - 4,
		       de->d_name, pid, st);
	}
	closedir(d);
	printf("\n");
	return n ? 0 : fail("no service runs", ESRCH);
}

static int cmd_profiled(void)
{
	int r = gd_profile_drop_bounding();
	if (r == 0)
		r = gd_profile_drop_caps();
	if (r == 0)
		r = gd_profile_seccomp();
	return r < 0 ? fail("the node's security profile", -r) : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *cmd = argc > 1 ? argv[1] : "";
	if (strcmp(cmd, "listen") == 0 && argc == 3)
		return cmd_listen(argv[2]);
	if (strcmp(cmd, "connect") == 0 && (argc == 4 || argc == 5))
		return cmd_connect(argv[2], argv[3],
				   argc == 5 ? strtol(argv[4], NULL, 10)
					     : 1000);
	if (strcmp(cmd, "rtt") == 0 && (argc == 4 || argc == 5))
		return cmd_rtt(argv[2], argv[3],
			       argc == 5 ? strtol(argv[4], NULL, 10) : 1000);
	if (strcmp(cmd, "hostname") == 0 && argc == 2) {
		struct utsname u;
		uname(&u);
		printf("%s\n", u.nodename);
		return 0;
	}
	if (strcmp(cmd, "cat") == 0 && argc == 3) {
		FILE *f = fopen(argv[2], "re");
		if (!f)
			return fail(argv[2], errno);
		int c;
		while ((c = getc(f)) != EOF)
			putchar(c);
		fclose(f);
		return 0;
	}
	if (strcmp(cmd, "clock") == 0 && argc == 2) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("%lld\n",
		       (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
		return 0;
	}
	if (strcmp(cmd, "write") == 0 && argc == 3)
		return cmd_write(argv[2]);
	if (strcmp(cmd, "crash-after") == 0 && argc == 3) {
		sleep_ms(strtol(argv[2], NULL, 10));
		abort();
	}
	if (strcmp(cmd, "ticker") == 0 && argc == 3)
		cmd_ticker(argv[2]);
	if (strcmp(cmd, "services") == 0 && argc == 2)
		return cmd_services();
	if (strcmp(cmd, "profiled") == 0 && argc > 2) {
		int r = cmd_profiled();
		return r ? r : main(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "sleep") == 0 && argc == 3) {
		sleep_ms(strtol(argv[2], NULL, 10));
		return 0;
	}
	fprintf(stderr,
		"usage: gd-probe listen PORT | connect HOST PORT [MS] | rtt HOST PORT [MS] | hostname | cat FILE | clock | write PATH | crash-after MS | ticker FILE | sleep MS | services | profiled CHECK...\n");
	return 2;
}
