/* A real host's power commands (an inventory node's "power"), as
 * `gameday cleanup` runs them on this machine before it can reach a host
 * that is off (ssh_cleanup.c). */
#ifndef GD_CLUSTER_SSH_POWER_H
#define GD_CLUSTER_SSH_POWER_H

#include "base/error.h"
#include "scenario/scenario.h"

typedef enum gd_power_state {
	GD_POWER_ON,	  /* status exited 0 */
	GD_POWER_OFF,	  /* status ran and exited another code */
	GD_POWER_UNKNOWN, /* status did not say: see gd_ssh_power_status */
} gd_power_state;

/* Runs argv v of node n here, "{node}" and "{host}" filled in, through
 * gd_remote_spawn (its output on ours), at most timeout_s seconds: 0 with
 * its exit code in *code, or a negative errno with err saying why there
 * is none (it could not be started, a signal ended it, or it ran past
 * the limit and was killed with its process group).  gd_ssh_power_run
 * (ssh_node.h) is this with cleanup's limit and the errors folded into
 * -1. */
int gd_ssh_power_exec(const gd_strv *v, const gd_node *n, int timeout_s,
		      int *code, gd_error **err);

/* What n's status command says (n->power->status, not empty).  Exit 0 is
 * on, another exit code off; anything else is not an answer, and is
 * GD_POWER_UNKNOWN with err saying why: it could not run, a signal ended
 * it, it ran past timeout_s, or it exited 126 or 127 (a shell's "cannot
 * execute" and "not found": the check never ran, as a BMC tool missing
 * from PATH).  A caller must not power on a host it cannot tell is off. */
gd_power_state gd_ssh_power_status(const gd_node *n, int timeout_s,
				   gd_error **err);

#endif
