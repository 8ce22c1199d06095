/* make bench: the network alone, the way gameday builds it (libnl, in one
 * process, no fork/exec), without anything else a node has: per node a
 * network namespace, a veth pair into a bridge, lo up, an address, eth0
 * up.  This is the floor under any tool that builds the same topology on
 * this kernel, so "ip baseline / this" is the best ratio one could reach.
 *   bench_netfloor N [WORKERS]   prints the milliseconds to build N such
 *   nodes, in one process or WORKERS at once
 * Assumes nothing about time. */
#include "base/error.h"
#include "cluster/node.h"
#include "net/netlink.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A new network namespace, held by the returned fd (no pin, no mount). */
static int new_netns(int home)
{
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(home, CLONE_NEWNET) < 0)
		abort();
	return fd;
}

static int fail(gd_error *err)
{
	fprintf(stderr, "bench_netfloor: %s\n", err ? err->msg : "failed");
	return 1;
}

/* Builds nodes first, first + step, ... below n, wired to the bridge in
 * the switch namespace swfd; their namespaces stay held in fds. */
static int build(int swfd, int bridge, int home, int first, int step, int n,
		 int *fds)
{
	gd_error *err = NULL;
	gd_nl *sw = NULL;
	if (gd_nl_open(swfd, &sw, &err) < 0)
		return fail(err);
	for (int i = first; i < n; i += step) {
		char name[16];
		snprintf(name, sizeof(name), "v%d", i);
		gd_nl *nl = NULL;
		uint8_t mac[6];
		gd_node_mac((size_t)i, mac);
		fds[i] = new_netns(home);
		if (fds[i] < 0 ||
		    gd_nl_veth_add(sw, name, 1000 + i, bridge, "eth0", 2,
				   fds[i], mac, &err) < 0 ||
		    gd_nl_link_up(sw, 1000 + i, &err) < 0 ||
		    gd_nl_open(fds[i], &nl, &err) < 0 ||
		    gd_nl_link_up(nl, 1, &err) < 0 ||
		    gd_nl_addr_add(nl, 2, gd_node_addr((size_t)i),
				   GD_SUBNET_PREFIX, &err) < 0 ||
		    gd_nl_link_up(nl, 2, &err) < 0)
			return fail(err);
		gd_nl_close(nl);
	}
	gd_nl_close(sw);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	int workers = argc > 2 ? atoi(argv[2]) : 1;
	if (n <= 0 || workers <= 0)
		return fprintf(stderr, "usage: bench_netfloor N [WORKERS]\n"),
		       2;
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int *fds = calloc((size_t)n, sizeof(*fds));
	gd_error *err = NULL;
	double t0 = now_ms();
	int swfd = new_netns(home);
	gd_nl *sw = NULL;
	int bridge;
	if (swfd < 0 || gd_nl_open(swfd, &sw, &err) < 0 ||
	    gd_nl_bridge_add(sw, "br0", &err) < 0 ||
	    gd_nl_ifindex(sw, "br0", &bridge, &err) < 0)
		return fail(err);
	/* With several workers, each a process building every WORKERS-th
	 * node: what both cores can do together.  A worker's namespaces
	 * live until it exits, so each waits on a pipe, after reporting,
	 * until the parent has its time. */
	int done[2], hold[2];
	if (pipe(done) < 0 || pipe(hold) < 0)
		return 1;
	for (int w = 1; w < workers; w++) {
		if (fork() == 0) {
			close(done[0]);
			close(hold[1]);
			int r = build(swfd, bridge, home, w, workers, n, fds);
			if (write(done[1], r ? "x" : "k", 1) != 1)
				_exit(1);
			char c;
			ssize_t got = read(hold[0], &c, 1);
			_exit(got < 0);
		}
	}
	close(done[1]);
	close(hold[0]);
	int r = build(swfd, bridge, home, 0, workers, n, fds);
	for (int w = 1; w < workers; w++) {
		char c = 'x';
		if (read(done[0], &c, 1) != 1 || c != 'k')
			r = 1;
	}
	double t1 = now_ms();
	if (r)
		return 1;
	printf("%.0f\n", t1 - t0);
	close(hold[1]); /* the workers exit */
	while (wait(NULL) > 0)
		;
	/* Closing the last references frees the namespaces and their links. */
	gd_nl_close(sw);
	close(swfd);
	for (int i = 0; i < n; i++)
		if (fds[i] > 0)
			close(fds[i]);
	free(fds);
	return 0;
}
