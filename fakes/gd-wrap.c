/* gd-wrap: what every job of a "command" group runs under, the same under
 * any job system (docs/own-job.md is the contract).
 *
 *   gd-wrap [--progress FOLDER] JOB DIR -- PROGRAM [ARG...]
 *
 * It numbers its attempt itself, by creating DIR/attempt.N exclusively
 * (the first N free), so it needs nothing from the job system and a job
 * run twice, requeued or started again by hand, shows as two attempts.
 * The attempt's folder DIR/N holds output/ (what "{output}" in an
 * argument becomes, and $GAMEDAY_OUTPUT), stdout and stderr (the
 * program's), and once the program ended "done", a JSON record of how,
 * written whole or not at all (a temporary file renamed).  The program
 * gets the environment gd-wrap got, plus GAMEDAY_JOB, GAMEDAY_ATTEMPT,
 * GAMEDAY_OUTPUT and GAMEDAY_PROGRESS, the attempt's progress file
 * (harness/run/progress.h), in FOLDER (the shared storage's progress
 * folder as the node sees it; a namespaced node's by default).  gd-wrap exits
 * as the program did (128 + a signal's number when one killed it), so the job
 * system sees a failure as one. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROGRESS_DIR "/srv/shared/progress"
#define MAX_ATTEMPTS 10000

static const char *job;
static pid_t child;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "gd-wrap %s: %s %s: %s\n", job, what, path,
		strerror(errno));
	exit(127);
}

/* snprintf for a path that must fit: a cut one would be another file. */
__attribute__((format(printf, 3, 4))) static void pathf(char *buf, size_t size,
							const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		die("path too long:", buf);
	}
}

/* The first attempt number nobody has claimed, claimed. */
static unsigned claim(const char *dir)
{
	char path[4096];
	for (unsigned n = 1; n <= MAX_ATTEMPTS; n++) {
		pathf(path, sizeof(path), "%s/attempt.%u", dir, n);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0644);
		if (fd >= 0) {
			close(fd);
			return n;
		}
		if (errno != EEXIST)
			die("cannot claim an attempt in", dir);
	}
	errno = EMLINK;
	die("no attempt number left in", dir);
	return 0;
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die("cannot create", path);
}

/* arg with every "{output}" as output (a heap string). */
static char *fill_output(const char *arg, const char *output)
{
	size_t n = strlen(arg) + 1, o = strlen(output);
	for (const char *p = strstr(arg, "{output}"); p;
	     p = strstr(p + 8, "{output}"))
		n += o;
	char *s = malloc(n), *w = s;
	if (!s)
		exit(127);
	while (*arg) {
		if (strncmp(arg, "{output}", 8) == 0) {
			memcpy(w, output, o);
			w += o;
			arg += 8;
		} else {
			*w++ = *arg++;
		}
	}
	*w = '\0';
	return s;
}

static void redirect(int to, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, to) < 0)
		die("cannot write", path);
	close(fd);
}

/* The program, in the attempt's folder adir: its output files there and
 * its environment set.  Does not return. */
static void run(char **argv, const char *adir, const char *output,
		const char *progress, unsigned n)
{
	char path[4096], num[16];
	snprintf(num, sizeof(num), "%u", n);
	if (setenv("GAMEDAY_JOB", job, 1) < 0 ||
	    setenv("GAMEDAY_ATTEMPT", num, 1) < 0 ||
	    setenv("GAMEDAY_OUTPUT", output, 1) < 0 ||
	    setenv("GAMEDAY_PROGRESS", progress, 1) < 0)
		die("cannot set the environment for", argv[0]);
	pathf(path, sizeof(path), "%s/stdout", adir);
	redirect(STDOUT_FILENO, path);
	pathf(path, sizeof(path), "%s/stderr", adir);
	redirect(STDERR_FILENO, path);
	for (size_t i = 0; argv[i]; i++)
		argv[i] = fill_output(argv[i], output);
	execvp(argv[0], argv);
	fprintf(stderr, "gd-wrap %s: cannot run %s: %s\n", job, argv[0],
		strerror(errno));
	_exit(127);
}

/* A stop the job system sends (a cancel, a requeue, a time limit) goes
 * to the program, which gd-wrap then outlives long enough to say how it
 * ended. */
static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

/* The done record, whole or not at all. */
static void record(const char *adir, unsigned n, const char *node, int status)
{
	char tmp[4096], path[4096];
	pathf(tmp, sizeof(tmp), "%s/done.tmp", adir);
	pathf(path, sizeof(path), "%s/done", adir);
	FILE *f = fopen(tmp, "w");
	if (!f)
		die("cannot write", tmp);
	fprintf(f, "{\"job\": \"%s\", \"attempt\": %u, \"node\": \"%s\", ", job,
		n, node);
	if (WIFSIGNALED(status))
		fprintf(f, "\"signal\": %d}\n", WTERMSIG(status));
	else
		fprintf(f, "\"exit\": %d}\n", WEXITSTATUS(status));
	if (fflush(f) != 0 || fsync(fileno(f)) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		die("cannot write", path);
}

int main(int argc, char **argv)
{
	const char *progress_dir = PROGRESS_DIR;
	if (argc > 2 && strcmp(argv[1], "--progress") == 0) {
		progress_dir = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: gd-wrap [--progress FOLDER] JOB DIR -- "
				"PROGRAM [ARG...]\n");
		return 2;
	}
	job = argv[1];
	const char *dir = argv[2];
	char adir[4096], output[4200], progress[4096], node[256];
	if (gethostname(node, sizeof(node)) < 0)
		snprintf(node, sizeof(node), "unknown");
	make_dir(dir);
	unsigned n = claim(dir);
	pathf(adir, sizeof(adir), "%s/%u", dir, n);
	pathf(output, sizeof(output), "%s/output", adir);
	pathf(progress, sizeof(progress), "%s/%s.%s.%u", progress_dir, job,
	      node, n);
	make_dir(adir);
	make_dir(output);
	struct sigaction sa = {.sa_handler = pass_on};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	child = fork();
	if (child < 0)
		die("cannot fork for", argv[4]);
	if (child == 0)
		run(argv + 4, adir, output, progress, n);
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("cannot wait for", argv[4]);
	record(adir, n, node, status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				   : WEXITSTATUS(status);
}
