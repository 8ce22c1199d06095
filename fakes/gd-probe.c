/* gd-probe: checks run from inside a staging node, one per subcommand.
 * Dynamically linked on purpose: libfaketime reaches it the way it reaches
 * the job system.  Prints one line; exits 0 when the check succeeded, 1 when
 * it failed (the line says why, with the errno name), 2 on bad usage.
 *
 *   gd-probe listen PORT             TCP server: answers each connection
 *                                    with its hostname, forever
 *   gd-probe connect HOST PORT [MS]  connect (timeout MS, default 1000)
 *                                    and print the answer
 *   gd-probe hostname                print the UTS hostname
 *   gd-probe cat FILE                print a file
 *   gd-probe clock                   print the wall clock (ms since epoch)
 *   gd-probe write PATH              create PATH and write to it
 *   gd-probe crash-after MS          run MS, then die of SIGABRT
 *   gd-probe ticker FILE             write a growing counter to FILE every
 *                                    10 ms, forever (a frozen node stops it)
 *   gd-probe sleep MS
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
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

static int cmd_connect(const char *host, const char *port, long timeout_ms)
{
	struct addrinfo hints = {.ai_family = AF_INET,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai;
	int r = getaddrinfo(host, port, &hints, &ai);
	if (r) {
		printf("error EHOSTUNREACH: cannot resolve \"%s\": %s\n", host,
		       gai_strerror(r));
		return 1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    errno != EINPROGRESS)
		return fail("connect", errno);
	freeaddrinfo(ai);
	struct pollfd p = {fd, POLLOUT, 0};
	r = poll(&p, 1, (int)timeout_ms);
	if (r == 0)
		return fail("connect", ETIMEDOUT);
	int e = 0;
	socklen_t len = sizeof(e);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
	if (e)
		return fail("connect", e);
	p.events = POLLIN;
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
	if (strcmp(cmd, "sleep") == 0 && argc == 3) {
		sleep_ms(strtol(argv[2], NULL, 10));
		return 0;
	}
	fprintf(stderr,
		"usage: gd-probe listen PORT | connect HOST PORT [MS] | hostname | cat FILE | clock | write PATH | crash-after MS | ticker FILE | sleep MS\n");
	return 2;
}
