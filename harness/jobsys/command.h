/* A job-system command run inside a node, the way a user would type it:
 * with a time limit, its stdout kept, and a failure carrying the
 * command's own stderr verbatim. */
#ifndef GD_JOBSYS_COMMAND_H
#define GD_JOBSYS_COMMAND_H

#include "base/error.h"
#include "cluster/cluster.h"

/* Runs argv in node; *out is its stdout (heap, NUL-terminated).  A
 * non-zero exit, a signal or the time limit is an error naming argv[0]
 * and quoting its stderr; *out is then NULL. */
int gd_jobsys_command(const gd_cluster_state *st, const char *node,
		      char *const *argv, int timeout_ms, char **out,
		      gd_error **err);

#endif
