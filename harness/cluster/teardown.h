/* Undoing what runs did: one run's ledger, or everything on the host that
 * carries gameday's name prefix. */
#ifndef GD_CLUSTER_TEARDOWN_H
#define GD_CLUSTER_TEARDOWN_H

#include "base/error.h"
#include "cluster/run.h"

/* Told of each object removed ("cgroup", PATH); what is NULL for a run
 * left alone because a live gameday holds it. */
typedef void (*gd_say_fn)(const char *what, const char *name);

/* Undoes a run whose ledger this process holds (a failed 'up'). */
int gd_run_undo_held(gd_run *run, gd_say_fn say, gd_error **err);

/* Undoes the run in dir, taking its ledger's lock first: EBUSY when a live
 * gameday holds it. */
int gd_run_undo(const char *dir, gd_say_fn say, gd_error **err);

#endif
