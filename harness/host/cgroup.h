/* cgroup v2: where the unified hierarchy is mounted, and the per-node
 * cgroups gameday uses to freeze, thaw and kill every process of a node at
 * once.  Every cgroup gameday creates lives under one directory named
 * "gameday-RUN" at the root of the hierarchy. */
#ifndef GD_HOST_CGROUP_H
#define GD_HOST_CGROUP_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>

/* Finds the cgroup2 mount in /proc/self/mountinfo (a pure v2 host mounts it
 * at /sys/fs/cgroup, a hybrid one somewhere below).  Fails with ENOENT and
 * a message saying what is missing. */
int gd_cgroup_root(char *buf, size_t size, gd_error **err);

/* Writes a short value to a cgroup control file ("1" to cgroup.kill). */
int gd_cgroup_write(const char *cgroup, const char *file, const char *value,
		    gd_error **err);

/* Whether the cgroup still holds processes (cgroup.events "populated"). */
int gd_cgroup_populated(const char *cgroup, bool *populated, gd_error **err);

/* A cgroup's control files opened ahead, so that a change whose own time
 * counts (a fault played at its instant) is one write and a wait.  A
 * cgroup removed since (a node started again gets a new one) makes its
 * writes fail with ENODEV. */
typedef struct gd_cgroup_files {
	int kill, freeze, events;
} gd_cgroup_files;

int gd_cgroup_files_open(const char *cgroup, gd_cgroup_files *files,
			 gd_error **err);
void gd_cgroup_files_close(gd_cgroup_files *files);

/* Freezes (true) or thaws (false), waiting until the kernel reports the
 * new state (cgroup.events "frozen"), at most timeout_ms.  files: opened
 * ahead, or NULL. */
int gd_cgroup_freeze(const char *cgroup, const gd_cgroup_files *files,
		     bool frozen, int timeout_ms, gd_error **err);

/* Kills every process in the cgroup and waits, at most timeout_ms, until
 * none is left.  files: opened ahead, or NULL. */
int gd_cgroup_kill(const char *cgroup, const gd_cgroup_files *files,
		   int timeout_ms, gd_error **err);

/* Kills what is left, then removes the cgroup; ENOENT is success. */
int gd_cgroup_remove(const char *cgroup, int timeout_ms, gd_error **err);

#endif
