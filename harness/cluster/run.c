#include "cluster/run.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/prng.h"
#include "host/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

const char *gd_state_root(void)
{
	/* Bounded, so every path below it fits in PATH_MAX (gd_pathf). */
	const char *s = getenv("GAMEDAY_STATE_DIR");
	return s && *s == '/' && strlen(s) < 1024 ? s : "/run/gameday";
}

const char *gd_log_root(void)
{
	const char *s = getenv("GAMEDAY_LOG_DIR");
	return s && *s == '/' && strlen(s) < 1024 ? s : "/var/lib/gameday/logs";
}

bool gd_run_id_valid(const char *id)
{
	if (strlen(id) != GD_RUN_ID_LEN || strncmp(id, "gd", 2) != 0)
		return false;
	for (int i = 2; i < GD_RUN_ID_LEN; i++)
		if (!strchr("0123456789abcdef", id[i]))
			return false;
	return true;
}

/* p starts with a run id that ends the string or a path component. */
static bool id_at(const char *p)
{
	char id[GD_RUN_ID_LEN + 1];
	size_t len = strcspn(p, "/");
	if (len != GD_RUN_ID_LEN)
		return false;
	memcpy(id, p, len);
	id[len] = '\0';
	return gd_run_id_valid(id);
}

/* path is STATE/runs/ID or below it, with no ".." anywhere. */
bool gd_run_owns_path(const char *path)
{
	char prefix[PATH_MAX];
	gd_pathf(prefix, sizeof(prefix), "%s/runs/", gd_state_root());
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n))
		return false;
	if (strstr(path, "/../") || strstr(path, "/./"))
		return false;
	return id_at(path + n);
}

bool gd_run_owns_cgroup(const char *path)
{
	char root[PATH_MAX];
	gd_error *err = NULL;
	if (gd_cgroup_root(root, sizeof(root), &err) < 0) {
		gd_error_free(err);
		return false;
	}
	size_t n = strlen(root);
	if (strncmp(path, root, n) || strncmp(path + n, "/gameday-", 9))
		return false;
	if (strstr(path, "/../") || strstr(path, "/./"))
		return false;
	return id_at(path + n + 9);
}

int gd_run_create(gd_run *run, gd_error **err)
{
	memset(run, 0, sizeof(*run));
	const char *root = gd_state_root();
	char runs[PATH_MAX];
	gd_pathf(runs, sizeof(runs), "%s/runs", root);
	int r = gd_mkdir_p(runs, 0700, err);
	if (r < 0)
		return r;

	/* The id is the run's name on every object; it comes from the
	 * kernel's entropy, not the scenario seed, so two runs of one
	 * scenario never collide. */
	for (int tries = 0;; tries++) {
		gd_pathf(run->id, sizeof(run->id), "gd%08llx",
			 (unsigned long long)gd_prng_fresh_seed());
		gd_pathf(run->dir, sizeof(run->dir), "%s/%s", runs, run->id);
		if (mkdir(run->dir, 0700) == 0)
			break;
		if (errno != EEXIST || tries > 16)
			return gd_error_make(err, errno, "cannot create \"%s\"",
					     run->dir);
	}
	/* The run directory is a tmpfs of its own: a node is a dozen small
	 * files and directories, and on a journaled disk creating them costs
	 * more than everything else a node needs.  The ledger lives inside,
	 * so its first entries cover the mount and the directory made a
	 * moment before it (a run killed in between leaves a directory
	 * without a ledger, which cleanup recognises by its name). */
	if (mount("tmpfs", run->dir, "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0700") < 0)
		return gd_error_make(
			err, errno, "cannot mount a tmpfs on \"%s\"", run->dir);
	char ledger[PATH_MAX];
	gd_pathf(ledger, sizeof(ledger), "%s/ledger.jsonl", run->dir);
	r = gd_ledger_open(ledger, &run->ledger, err);
	if (r < 0)
		return r;
	r = gd_ledger_add(run->ledger, GD_LEDGER_DIR, run->dir, 0, 0, err);
	if (r == 0)
		r = gd_ledger_add(run->ledger, GD_LEDGER_TMPFS, run->dir, 0, 0,
				  err);
	if (r < 0)
		return r;

	gd_pathf(run->logdir, sizeof(run->logdir), "%s/%s", gd_log_root(),
		 run->id);
	r = gd_mkdir_p(run->logdir, 0755, err);
	if (r < 0)
		return r;

	char cgroot[PATH_MAX];
	r = gd_cgroup_root(cgroot, sizeof(cgroot), err);
	if (r < 0)
		return r;
	gd_pathf(run->cgroup, sizeof(run->cgroup), "%s/gameday-%s", cgroot,
		 run->id);
	r = gd_run_cgroup(run, run->cgroup, err);
	/* The cgroup says which state root holds its ledger, so that a
	 * cleanup working from another root leaves it alone (best effort:
	 * without the mark, the prefix sweep treats it as orphaned). */
	if (r == 0)
		setxattr(run->cgroup, GD_RUN_ROOT_XATTR, root, strlen(root), 0);
	return r;
}

int gd_run_cgroup(gd_run *run, const char *path, gd_error **err)
{
	int r = gd_ledger_add(run->ledger, GD_LEDGER_CGROUP, path, 0, 0, err);
	if (r < 0)
		return r;
	if (mkdir(path, 0755) < 0)
		return gd_error_make(err, errno, "cannot create cgroup \"%s\"",
				     path);
	return 0;
}

void gd_run_close(gd_run *run)
{
	gd_ledger_close(run->ledger);
	run->ledger = NULL;
}
