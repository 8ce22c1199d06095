/* What lives in the nodes besides gameday's own files: the phases at which
 * the cluster lets someone else (the job system) set its nodes up.  The
 * cluster calls them without knowing who answers, so it never names a job
 * system; whoever fills one in keeps its state behind ctx.
 *
 * Every phase may be NULL (nothing to do then), and so may the hook
 * itself (a cluster with no job system).  Phases run in this order:
 *   preflight     before anything is changed (gd_cluster_preflight)
 *   prepare       once the run directory exists, before any node
 *   services      per node, while gd-init's configuration is written
 *   node_files    per node, once gameday's files of the node are written
 * A failure undoes the cluster as far as it was built. */
#ifndef GD_CLUSTER_HOOK_H
#define GD_CLUSTER_HOOK_H

#include "base/error.h"
#include "scenario/scenario.h"

#include <stddef.h>
#include <stdio.h>

typedef struct gd_node_hook {
	/* What the nodes will need is installed on the host; fails naming
	 * what to install. */
	int (*preflight)(void *ctx, const gd_cluster *c, gd_error **err);
	/* What every node shares, made once in rundir (the run directory,
	 * root's alone): a secret its daemons authenticate with, say. */
	int (*prepare)(void *ctx, const gd_cluster *c, const char *rundir,
		       gd_error **err);
	/* Node index's services, appended to its gd-init configuration
	 * before the role's own ("service NAME" ... "end" each, as
	 * fakes/gd-init reads them): they start first. */
	void (*services)(void *ctx, const gd_cluster *c, size_t index,
			 FILE *out);
	/* Node index's own files under dir (its etc overlay and its run,
	 * spool and log directories), from what prepare left in rundir. */
	int (*node_files)(void *ctx, const gd_cluster *c, size_t index,
			  const char *dir, const char *rundir, gd_error **err);
	void *ctx;
} gd_node_hook;

#endif
