/* Test tool: remote/ssh.h against a real sshd (tests/integration/ssh.sh).
 *   gd_ssh_try CONFIG CONTROL_DIR DEST open
 *   gd_ssh_try CONFIG CONTROL_DIR DEST run [-i IN_FILE] [-t MS] ARGV...
 *   gd_ssh_try CONFIG CONTROL_DIR DEST put LOCAL REMOTE MODE
 *   gd_ssh_try CONFIG CONTROL_DIR DEST put-twice LOCAL1 LOCAL2 REMOTE MODE
 *                                            (two threads at once, each a
 *                                             put to REMOTE: both must
 *                                             succeed)
 *   gd_ssh_try CONFIG CONTROL_DIR DEST bench N
 *   gd_ssh_try CONFIG CONTROL_DIR DEST lost  (its master killed, then
 *                                             a command: must fail)
 * CONFIG "-": the user's.  Each opens the host and closes it.  run writes
 * the command's stdout to stdout, its stderr to stderr and "status N" to
 * fd 3 when open; an error is printed and exits 1 (124: a timeout). */
#include "base/cleanup.h"
#include "base/fileio.h"
#include "remote/ssh.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fail(gd_error *err)
{
	fprintf(stderr, "gd_ssh_try: %s\n", err ? err->msg : "failed");
	int code = err && err->code == ETIMEDOUT ? 124 : 1;
	gd_error_free(err);
	return code;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(gd_ssh *s, int argc, char **argv, gd_error **err)
{
	_cleanup_free_ char *in = NULL;
	size_t inlen = 0;
	int timeout = 0, i = 0;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-i") == 0 &&
		    gd_read_file(argv[i + 1], 1 << 26, &in, &inlen, err) < 0)
			return -1;
		if (strcmp(argv[i], "-t") == 0)
			timeout = atoi(argv[i + 1]);
	}
	_cleanup_strbuf_ gd_strbuf out = GD_STRBUF_INIT, eb = GD_STRBUF_INIT;
	int status = -1;
	double t0 = now_s();
	int rc = gd_ssh_run(s, argv + i, in, inlen, &out, &eb, timeout, &status,
			    err);
	fwrite(out.buf, 1, out.len, stdout);
	fwrite(eb.buf, 1, eb.len, stderr);
	fflush(stdout);
	dprintf(3, "status %d after %.2f s\n", rc < 0 ? rc : status,
		now_s() - t0);
	return rc;
}

static int bench(gd_ssh *s, int n, gd_error **err)
{
	char *argv[] = {"true", NULL};
	double t0 = now_s();
	for (int k = 0; k < n; k++) {
		int status;
		if (gd_ssh_run(s, argv, NULL, 0, NULL, NULL, 0, &status, err) <
		    0)
			return -1;
	}
	printf("%d multiplexed commands in %.3f s\n", n, now_s() - t0);
	return 0;
}

/* The connection lost as a network would lose it: the master (our only
 * child) killed, then a command, which must fail rather than quietly
 * open a connection of its own. */
static int lost(gd_ssh *s, gd_error **err)
{
	_cleanup_dir_ DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[64];
		int pid = atoi(e->d_name), ppid = 0;
		if (pid <= 0)
			continue;
		gd_pathf(path, sizeof(path), "/proc/%d/stat", pid);
		_cleanup_fclose_ FILE *f = fopen(path, "r");
		if (f && fscanf(f, "%*d (%*[^)]) %*c %d", &ppid) == 1 &&
		    ppid == (int)getpid())
			kill(pid, SIGKILL);
	}
	usleep(200 * 1000);
	char *argv[] = {"true", NULL};
	int status = -1;
	int rc = gd_ssh_run(s, argv, NULL, 0, NULL, NULL, 5000, &status, err);
	if (rc == 0)
		printf("lost: the command ran anyway (status %d)\n", status);
	return rc == 0 ? -1 : rc;
}

typedef struct put_job {
	gd_ssh *s;
	const char *local, *remote;
	mode_t mode;
	gd_error *err;
	int rc;
} put_job;

static void *put_thread(void *p)
{
	put_job *j = p;
	j->rc = gd_ssh_put(j->s, j->local, j->remote, j->mode, &j->err);
	return NULL;
}

/* Two puts to one path at once from one process, as two threads of
 * gameday's may: neither may take the other's temporary file. */
static int put_twice(gd_ssh *s, char **argv, gd_error **err)
{
	mode_t mode = (mode_t)strtoul(argv[3], NULL, 8);
	put_job j[2] = {{s, argv[0], argv[2], mode, NULL, 0},
			{s, argv[1], argv[2], mode, NULL, 0}};
	pthread_t t;
	if (pthread_create(&t, NULL, put_thread, &j[0]) != 0)
		return gd_error_make(err, EAGAIN, "pthread_create");
	put_thread(&j[1]);
	pthread_join(t, NULL);
	int rc = 0;
	for (int k = 0; k < 2; k++) {
		if (j[k].rc < 0 && rc == 0) {
			*err = j[k].err;
			j[k].err = NULL;
			rc = j[k].rc;
		}
		gd_error_free(j[k].err);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: gd_ssh_try CONFIG CONTROL_DIR DEST "
				"open|run|put|bench ...\n");
		return 2;
	}
	gd_ssh_opts o = {strcmp(argv[1], "-") ? argv[1] : NULL, argv[2], 5};
	gd_error *err = NULL;
	gd_ssh *s;
	if (gd_ssh_open(argv[3], &o, &s, &err) < 0)
		return fail(err);
	int rc = 0;
	const char *op = argv[4];
	if (strcmp(op, "open") == 0)
		printf("open: %s\n", gd_ssh_is_root(s) ? "root" : "via sudo");
	else if (strcmp(op, "run") == 0)
		rc = run(s, argc - 5, argv + 5, &err);
	else if (strcmp(op, "put") == 0 && argc == 8)
		rc = gd_ssh_put(s, argv[5], argv[6],
				(mode_t)strtoul(argv[7], NULL, 8), &err);
	else if (strcmp(op, "put-twice") == 0 && argc == 9)
		rc = put_twice(s, argv + 5, &err);
	else if (strcmp(op, "lost") == 0)
		rc = lost(s, &err);
	else if (strcmp(op, "bench") == 0 && argc == 6)
		rc = bench(s, atoi(argv[5]), &err);
	else
		rc = -1;
	gd_ssh_close(s);
	return rc < 0 ? fail(err) : 0;
}
