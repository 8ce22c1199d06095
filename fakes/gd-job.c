/* gd-job: the document job.  Stands in for the legal-document ML service:
 * reads one document from shared storage, classifies every clause with a
 * small fixed model, and writes labels and a digest to shared storage.
 *
 *   gd-job JOB_ID INPUT OUTPUT [--scratch DIR] [--runtime-ms N] [--steps K]
 *          [--give-up-after-ms N] [--record-dir DIR] [--progress-dir DIR]
 *
 * The work takes --runtime-ms (already scaled by gameday) in K steps; after
 * each step a checkpoint goes to node-local scratch, so a job restarted on
 * the same node resumes, and one requeued elsewhere starts over.  The
 * output is written to OUTPUT.tmp.PID and renamed: readers never see half
 * of it.  When a read or write fails (EACCES from a permission skew, say)
 * the job retries every second, as the production scripts did, and makes
 * no progress: that is the stall gameday is built to notice.  With
 * --give-up-after-ms it exits 1 instead once that long has passed.
 *
 * With --record-dir, an attempt that wrote its output leaves a record
 * DIR/JOB_ID.HOST.PID: two records are the same job done twice (a
 * requeue while the first attempt was still alive), which gameday
 * scores as duplicated.  The record is gameday's instrument, not the
 * job's work, so failing to write it does not stall the job.
 *
 * Progress (harness/run/progress.h): after each step whose checkpoint was
 * written (each step, without --scratch) the job appends "step S/K" to
 * DIR/JOB_ID.HOST.PID with --progress-dir, or else to the file
 * $GAMEDAY_PROGRESS names; a job stalled on its checkpoint writes none.
 * Like the record, a line it cannot write does not stall it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "workload/classify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *job;
static long give_up_ms = -1;
static struct timespec started;

static long elapsed_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - started.tv_sec) * 1000 +
	       (now.tv_nsec - started.tv_nsec) / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A failed step: say so (once per kind of failure), wait, try again. */
static void stalled(const char *what, const char *path, int e)
{
	static char last[512];
	char now[512];
	snprintf(now, sizeof(now), "%s %s: %s", what, path, strerror(e));
	if (strcmp(now, last) != 0) {
		fprintf(stderr, "gd-job %s: cannot %s; retrying\n", job, now);
		snprintf(last, sizeof(last), "%s", now);
	}
	if (give_up_ms >= 0 && elapsed_ms() >= give_up_ms) {
		fprintf(stderr, "gd-job %s: giving up after %ld ms\n", job,
			elapsed_ms());
		exit(1);
	}
	sleep_ms(1000);
}

static char *read_all(const char *path, size_t *len)
{
	for (;;) {
		FILE *f = fopen(path, "re");
		if (f) {
			char *buf = NULL;
			size_t cap = 0, n = 0;
			for (;;) {
				if (n + 4096 > cap) {
					cap = cap ? cap * 2 : 65536;
					char *p = realloc(buf, cap);
					if (!p)
						abort();
					buf = p;
				}
				size_t got = fread(buf + n, 1, cap - n, f);
				n += got;
				if (got == 0)
					break;
			}
			int e = ferror(f) ? errno : 0;
			fclose(f);
			if (!e) {
				*len = n;
				return buf;
			}
			free(buf);
			stalled("read", path, e);
			continue;
		}
		stalled("read", path, errno);
	}
}

/* Writes data to path through path.tmp.PID and rename(2). */
static int write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	int e = 0;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		e = errno ? errno : EIO;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e)
		unlink(tmp);
	return e;
}

/* The progress file: the directory's per-attempt file, or the one the
 * environment names (a wrapper's), or none. */
static void progress_path(const char *dir, char *path, size_t size)
{
	const char *env = getenv("GAMEDAY_PROGRESS");
	char host[64] = "?";
	gethostname(host, sizeof(host) - 1);
	host[strcspn(host, ".")] = '\0'; /* the name's fields are dotted */
	if (dir)
		snprintf(path, size, "%s/%s.%s.%d", dir, job, host,
			 (int)getpid());
	else
		snprintf(path, size, "%s", env ? env : "");
}

/* Appends "step S/K" to the progress file (once opened, kept open). */
static void report_step(const char *path, long step, long steps)
{
	static int fd = -1;
	static int said;
	if (!*path)
		return;
	if (fd < 0)
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			  0644);
	char line[64];
	int n = snprintf(line, sizeof(line), "step %ld/%ld\n", step, steps);
	if ((fd < 0 || write(fd, line, (size_t)n) != n) && !said++)
		fprintf(stderr, "gd-job %s: cannot report progress to %s: %s\n",
			job, path, strerror(errno));
}

static void record_attempt(const char *dir)
{
	char host[64] = "?", path[4096];
	gethostname(host, sizeof(host) - 1);
	snprintf(path, sizeof(path), "%s/%s.%s.%d", dir, job, host,
		 (int)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		fprintf(stderr,
			"gd-job %s: cannot record the attempt in %s: %s\n", job,
			path, strerror(errno));
	else
		close(fd);
}

/* Writes step to the checkpoint, retrying until it can. */
static void checkpoint(const char *ckpt, const char *scratch, long step)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "step %ld\n", step);
	int e;
	/* The scratch directory may have been refused to us at start (a
	 * skew) and given back since: make it again each try. */
	while ((e = write_atomic(ckpt, line, (size_t)n)) != 0) {
		stalled("checkpoint to", ckpt, e);
		if (e == ENOENT)
			mkdir(scratch, 0755);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr,
			"usage: gd-job JOB_ID INPUT OUTPUT [--scratch DIR] [--runtime-ms N] [--steps K] [--give-up-after-ms N] [--record-dir DIR] [--progress-dir DIR]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &started);
	job = argv[1];
	const char *input = argv[2], *output = argv[3], *scratch = NULL,
		   *records = NULL, *progress_dir = NULL;
	long runtime_ms = 0, steps = 10;
	for (int i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--scratch") == 0)
			scratch = argv[i + 1];
		else if (strcmp(argv[i], "--runtime-ms") == 0)
			runtime_ms = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--steps") == 0)
			steps = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--give-up-after-ms") == 0)
			give_up_ms = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--record-dir") == 0)
			records = argv[i + 1];
		else if (strcmp(argv[i], "--progress-dir") == 0)
			progress_dir = argv[i + 1];
		else {
			fprintf(stderr, "gd-job: unknown option \"%s\"\n",
				argv[i]);
			return 2;
		}
	}
	if (steps < 1)
		steps = 1;
	char progress[4096];
	progress_path(progress_dir, progress, sizeof(progress));

	size_t len;
	char *text = read_all(input, &len);

	/* Resume from this node's checkpoint, if it has one. */
	char ckpt[4096] = "";
	long done = 0;
	if (scratch) {
		while (mkdir(scratch, 0755) < 0 && errno != EEXIST)
			stalled("create", scratch, errno);
		snprintf(ckpt, sizeof(ckpt), "%s/%s.ckpt", scratch, job);
		FILE *f = fopen(ckpt, "re");
		if (f) {
			if (fscanf(f, "step %ld", &done) != 1 || done > steps)
				done = 0;
			fclose(f);
			if (done)
				fprintf(stderr,
					"gd-job %s: resuming at step %ld of %ld\n",
					job, done, steps);
		}
	}
	for (long s = done; s < steps; s++) {
		sleep_ms(runtime_ms / steps);
		if (*ckpt)
			checkpoint(ckpt, scratch, s + 1);
		report_step(progress, s + 1, steps);
	}

	gd_doc_result r;
	gd_doc_result_init(&r);
	gd_classify_document(text, len, &r);
	char out[1024];
	int n = gd_doc_result_format(&r, job, out, sizeof(out));
	int e;
	while ((e = write_atomic(output, out, (size_t)n)) != 0)
		stalled("write", output, e);
	if (*ckpt)
		unlink(ckpt);
	if (records)
		record_attempt(records);
	free(text);
	return 0;
}
