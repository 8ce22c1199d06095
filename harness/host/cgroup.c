#include "host/cgroup.h"

#include "base/cleanup.h"
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int gd_cgroup_root(char *buf, size_t size, gd_error **err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return gd_error_make(err, errno,
				     "cannot read /proc/self/mountinfo");
	char *line = NULL;
	size_t cap = 0;
	int found = 0;
	while (!found && getline(&line, &cap, f) > 0) {
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SRC" */
		char mnt[4096], fstype[64];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(dash, " - %63s", fstype) != 1 ||
		    strcmp(fstype, "cgroup2") != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		if (strlen(mnt) + 1 > size)
			continue;
		strcpy(buf, mnt);
		found = 1;
	}
	free(line);
	if (!found)
		return gd_error_make(
			err, ENOENT,
			"no cgroup v2 hierarchy is mounted (gameday freezes and kills nodes with cgroup v2: mount one with 'mount -t cgroup2 none /sys/fs/cgroup/unified')");
	return 0;
}

int gd_cgroup_write(const char *cgroup, const char *file, const char *value,
		    gd_error **err)
{
	char path[4096];
	gd_pathf(path, sizeof(path), "%s/%s", cgroup, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", path);
	size_t n = strlen(value);
	if (write(fd, value, n) != (ssize_t)n)
		return gd_error_make(err, errno,
				     "cannot write \"%s\" to \"%s\"", value,
				     path);
	return 0;
}

/* The value of "KEY 0|1" in cgroup.events text; -1 when absent. */
static int flag_in(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ')
			return p[klen + 1] == '1';
	return -1;
}

/* Reads "KEY 0|1" out of cgroup.events. */
static int events_flag(const char *cgroup, const char *key, bool *value,
		       gd_error **err)
{
	char path[4096];
	gd_pathf(path, sizeof(path), "%s/cgroup.events", cgroup);
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = gd_read_file(path, 4096, &text, &len, err);
	if (r < 0)
		return r;
	int v = flag_in(text, key);
	if (v < 0)
		return gd_error_make(
			err, ENOTSUP,
			"\"%s\" has no \"%s\" field (kernel too old?)", path,
			key);
	*value = v;
	return 0;
}

int gd_cgroup_populated(const char *cgroup, bool *populated, gd_error **err)
{
	return events_flag(cgroup, "populated", populated, err);
}

static void nap(int ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gd_cgroup_files_open(const char *cgroup, gd_cgroup_files *files,
			 gd_error **err)
{
	static const char *const names[] = {"cgroup.kill", "cgroup.freeze",
					    "cgroup.events"};
	int *fds[] = {&files->kill, &files->freeze, &files->events};
	for (size_t i = 0; i < 3; i++)
		*fds[i] = -1;
	for (size_t i = 0; i < 3; i++) {
		char path[4096];
		gd_pathf(path, sizeof(path), "%s/%s", cgroup, names[i]);
		*fds[i] = open(path, (i < 2 ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		if (*fds[i] < 0) {
			int e = errno;
			gd_cgroup_files_close(files);
			return gd_error_make(err, e, "cannot open \"%s\"",
					     path);
		}
	}
	return 0;
}

void gd_cgroup_files_close(gd_cgroup_files *files)
{
	int *fds[] = {&files->kill, &files->freeze, &files->events};
	for (size_t i = 0; i < 3; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Writes "1" or "0" to a control file: held open (fd >= 0) or by name. */
static int write_flag(const char *cgroup, int fd, const char *file, bool value,
		      gd_error **err)
{
	if (fd < 0)
		return gd_cgroup_write(cgroup, file, value ? "1" : "0", err);
	if (write(fd, value ? "1" : "0", 1) != 1)
		return gd_error_make(err, errno,
				     "cannot write \"%d\" to \"%s/%s\"", value,
				     cgroup, file);
	return 0;
}

/* Waits until cgroup.events (held open at fd, or opened here when fd < 0)
 * reads key = want.  The kernel wakes a poll for POLLPRI on the file at
 * every change, so the wait ends the moment the state does (a fault's
 * time to effect is measured in it). */
static int wait_flag(const char *cgroup, int fd, const char *key, bool want,
		     int timeout_ms, gd_error **err)
{
	char path[4096];
	gd_pathf(path, sizeof(path), "%s/cgroup.events", cgroup);
	_cleanup_close_ int own = -1;
	if (fd < 0) {
		fd = own = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return gd_error_make(err, errno, "cannot open \"%s\"",
					     path);
	}
	int64_t end = mono_ms() + timeout_ms;
	for (;;) {
		char text[512];
		ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
		if (n < 0)
			return gd_error_make(err, errno, "cannot read \"%s\"",
					     path);
		text[n] = '\0';
		int v = flag_in(text, key);
		if (v < 0)
			return gd_error_make(
				err, ENOTSUP,
				"\"%s\" has no \"%s\" field (kernel too old?)",
				path, key);
		if (v == want)
			return 0;
		int64_t left = end - mono_ms();
		if (left <= 0)
			return gd_error_make(
				err, ETIMEDOUT,
				"cgroup \"%s\" did not become %s%s", cgroup,
				want ? "" : "un", key);
		struct pollfd p = {fd, POLLPRI, 0};
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return gd_error_make(err, errno,
					     "cannot wait on \"%s\"", path);
	}
}

int gd_cgroup_freeze(const char *cgroup, const gd_cgroup_files *files,
		     bool frozen, int timeout_ms, gd_error **err)
{
	int r = write_flag(cgroup, files ? files->freeze : -1, "cgroup.freeze",
			   frozen, err);
	if (r < 0)
		return r;
	return wait_flag(cgroup, files ? files->events : -1, "frozen", frozen,
			 timeout_ms, err);
}

int gd_cgroup_kill(const char *cgroup, const gd_cgroup_files *files,
		   int timeout_ms, gd_error **err)
{
	/* Made ready ahead, the kill is the write: an empty cgroup takes it
	 * as well (nothing to kill).  Otherwise an empty cgroup is left as
	 * it is. */
	if (!files) {
		bool populated;
		int r = gd_cgroup_populated(cgroup, &populated, err);
		if (r < 0 || !populated)
			return r;
	}
	int r = write_flag(cgroup, files ? files->kill : -1, "cgroup.kill",
			   true, err);
	if (r < 0)
		return r;
	return wait_flag(cgroup, files ? files->events : -1, "populated", false,
			 timeout_ms, err);
}

int gd_cgroup_remove(const char *cgroup, int timeout_ms, gd_error **err)
{
	if (access(cgroup, F_OK) < 0 && errno == ENOENT)
		return 0;
	int r = gd_cgroup_kill(cgroup, NULL, timeout_ms, err);
	if (r < 0)
		return r;
	/* A cgroup empties a moment before rmdir may succeed. */
	for (int tries = 0;; tries++) {
		if (rmdir(cgroup) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || tries >= timeout_ms)
			return gd_error_make(err, errno,
					     "cannot remove cgroup \"%s\"",
					     cgroup);
		nap(1);
	}
}
