/* What the job system says about its nodes while a run goes on, as
 * "node-state" events: {"node": "w1", "state": "idle"}, the state in the
 * system's own words (Slurm: sinfo's %T, "idle", "mixed", "allocated",
 * "completing", "drained", "down*"; an exec adapter: its "nodes"
 * command's).  Every node the system runs jobs on (gd_jobsys_runs_jobs)
 * at the first answer, then each one whose state changed.  A system that
 * cannot tell (an exec adapter without "nodes") gets one "unknown" per
 * node at the start, and nothing more.
 *
 * The watcher is a thread with a job-system handle of its own, asking
 * about once a second: a command a fault makes slow or hang never delays
 * the runner's polls (nor counts in its lag watch).  A command that fails
 * is skipped without an event: the runner's own commands already say
 * when the job system does not answer. */
#ifndef GD_RUN_NODEWATCH_H
#define GD_RUN_NODEWATCH_H

#include "base/error.h"
#include "cluster/cluster.h"

typedef struct gd_nodewatch gd_nodewatch;

/* Starts watching the nodes of cluster c (running in st); events to fd
 * events, which must stay open until gd_nodewatch_stop. */
int gd_nodewatch_start(const gd_cluster *c, const gd_cluster_state *st,
		       int events, gd_nodewatch **out, gd_error **err);
/* Stops the watcher (waiting for a command under way, a few seconds at
 * most) and frees it; NULL is fine. */
void gd_nodewatch_stop(gd_nodewatch *w);

#endif
