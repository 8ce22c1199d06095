/* A run's footprint on the host, and the rules that keep gameday to it.
 *
 * Everything a run creates carries its id ("gd" and 8 hex digits):
 *   STATE/runs/ID/           run directory: ledger, cluster.json, node
 *                            directories, shared storage, pinned netns files
 *   CGROUP2/gameday-ID/NODE  one cgroup per node
 *   LOGS/ID/                 the event log, kept after the run as its output
 * STATE is $GAMEDAY_STATE_DIR, or /run/gameday: a tmpfs, because a node is
 * a dozen small directories and files, and creating them on a journaled
 * disk costs more than everything else a node needs.  LOGS is
 * $GAMEDAY_LOG_DIR, or /var/lib/gameday/logs.  The host's own network
 * namespace is never changed: the cluster's bridge lives in a namespace of
 * its own, and each veth pair joins that namespace to a node's. */
#ifndef GD_CLUSTER_RUN_H
#define GD_CLUSTER_RUN_H

#include "base/error.h"
#include "host/ledger.h"

#include <limits.h>
#include <stdbool.h>

#define GD_RUN_ID_LEN 10 /* "gd" + 8 hex digits */

/* The xattr on a run's cgroup naming the state root of its ledger. */
#define GD_RUN_ROOT_XATTR "trusted.gameday.state"

typedef struct gd_run {
	char id[GD_RUN_ID_LEN + 1];
	char dir[PATH_MAX];    /* STATE/runs/ID */
	char cgroup[PATH_MAX]; /* CGROUP2/gameday-ID */
	char logdir[PATH_MAX]; /* LOGS/ID */
	gd_ledger *ledger;
} gd_run;

const char *gd_state_root(void);
const char *gd_log_root(void);

/* Creates a new run: its directory, its ledger (locked), its log directory
 * and its parent cgroup, each recorded before it is made. */
int gd_run_create(gd_run *run, gd_error **err);
void gd_run_close(gd_run *run);

/* Records a cgroup in the run's ledger, then creates it. */
int gd_run_cgroup(gd_run *run, const char *path, gd_error **err);

/* Safety: true only for paths gameday may remove or unmount: inside
 * STATE/runs/gd* (or STATE/runs itself for nothing), or cgroups named
 * gameday-gd* under a cgroup2 mount. */
bool gd_run_owns_path(const char *path);
bool gd_run_owns_cgroup(const char *path);
bool gd_run_id_valid(const char *id);

#endif
