#include "host/cgroup.h"

#include "base/cleanup.h"
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
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
	size_t klen = strlen(key);
	for (char *p = text; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			*value = p[klen + 1] == '1';
			return 0;
		}
	}
	return gd_error_make(err, ENOTSUP,
			     "\"%s\" has no \"%s\" field (kernel too old?)",
			     path, key);
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

/* Polls cgroup.events until key reads want.  The kernel also signals the
 * change with an inotify/poll event on the file, but state changes take
 * microseconds to milliseconds, so a short poll loop is simpler and as
 * quick. */
static int wait_flag(const char *cgroup, const char *key, bool want,
		     int timeout_ms, gd_error **err)
{
	for (int waited = 0;; waited++) {
		bool v;
		int r = events_flag(cgroup, key, &v, err);
		if (r < 0)
			return r;
		if (v == want)
			return 0;
		if (waited >= timeout_ms)
			return gd_error_make(
				err, ETIMEDOUT,
				"cgroup \"%s\" did not become %s%s", cgroup,
				want ? "" : "un", key);
		nap(1);
	}
}

int gd_cgroup_freeze(const char *cgroup, bool frozen, int timeout_ms,
		     gd_error **err)
{
	int r = gd_cgroup_write(cgroup, "cgroup.freeze", frozen ? "1" : "0",
				err);
	if (r < 0)
		return r;
	return wait_flag(cgroup, "frozen", frozen, timeout_ms, err);
}

int gd_cgroup_kill(const char *cgroup, int timeout_ms, gd_error **err)
{
	bool populated;
	int r = gd_cgroup_populated(cgroup, &populated, err);
	if (r < 0 || !populated)
		return r;
	r = gd_cgroup_write(cgroup, "cgroup.kill", "1", err);
	if (r < 0)
		return r;
	return wait_flag(cgroup, "populated", false, timeout_ms, err);
}

int gd_cgroup_remove(const char *cgroup, int timeout_ms, gd_error **err)
{
	if (access(cgroup, F_OK) < 0 && errno == ENOENT)
		return 0;
	int r = gd_cgroup_kill(cgroup, timeout_ms, err);
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
