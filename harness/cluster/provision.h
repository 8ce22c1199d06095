/* The team's own provisioning of its nodes, inside cluster/: each role's
 * files copied into its nodes' layers, its script run by gd-init as root
 * at every boot before the services (the "provision" block of gd-init's
 * configuration), and its outcome read back by the node's path
 * /run/gameday/provisioned ("BOOT STATUS"). */
#ifndef GD_CLUSTER_PROVISION_H
#define GD_CLUSTER_PROVISION_H

#include "base/error.h"
#include "cluster/node.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stdio.h>

/* Where the script of a role is copied in its nodes (their own /run). */
#define GD_PROVISION_DIR "/run/gameday/provision"

/* gd-init's "provision" block for node index, when its role has a
 * script. */
void gd_provision_block(const gd_cluster *c, size_t index, FILE *out);

/* The role's files and script copied into node index's directory dir,
 * owners looked up in the node's own passwd and group texts. */
int gd_provision_files(const gd_cluster *c, size_t index, const char *dir,
		       const char *passwd, const char *group, gd_error **err);

/* Whether node index's role provisions it. */
bool gd_provision_has(const gd_cluster *c, size_t index);

/* How long a node's provisioning may take, in real time, before the
 * cluster gives up on it (a script waiting on a prompt, say). */
#define GD_PROVISION_TIMEOUT_MS (10 * 60 * 1000)

/* Waits (up to timeout_ms of real time) until node index (n), when its
 * role provisions it, has provisioned at a boot later than the last one
 * seen (n->provisioned_boot, then updated); a script that failed, or did
 * not end in time, is an error naming the node, the status and the end
 * of its output. */
int gd_provision_wait(const gd_cluster *c, size_t index, gd_node_rt *n,
		      int timeout_ms, gd_error **err);

#endif
