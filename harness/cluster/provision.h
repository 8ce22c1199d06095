/* The team's own provisioning of its nodes, inside cluster/: each role's
 * files copied into its nodes' layers, its script run by gd-init as root
 * at every boot before the services (the "provision" block of gd-init's
 * configuration), and its outcome read back by the node's path
 * /run/gameday/provisioned ("BOOT STATUS START": START the start time
 * of the gd-init that ran it, so a file of an earlier boot never counts). */
#ifndef GD_CLUSTER_PROVISION_H
#define GD_CLUSTER_PROVISION_H

#include "base/error.h"
#include "base/strbuf.h"
#include "cluster/hook.h"
#include "cluster/node.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stdio.h>

/* Where the script of a role is copied in its nodes: in their /etc layer,
 * made fresh with the node (and with a renewal), so gameday never writes
 * through a folder the node's programs had in hand. */
#define GD_PROVISION_DIR "/etc/gameday/provision"

/* gd-init's "provision" block for node index: script (argv, its program
 * on this host), or its role's when NULL; nothing when neither is. */
void gd_provision_block(const gd_cluster *c, size_t index,
			const gd_strv *script, FILE *out);

/* The role's files and the script (its role's when NULL) copied into
 * node index's directory dir, owners looked up in the node's own passwd
 * and group texts. */
int gd_provision_files(const gd_cluster *c, size_t index, const char *dir,
		       const gd_strv *script, const char *passwd,
		       const char *group, gd_error **err);

/* Whether node index (n) is provisioned at its boots: by its role's
 * script, or by the one it was renewed with. */
bool gd_provision_has(const gd_cluster *c, size_t index, const gd_node_rt *n);

/* A stopped node renewed (the namespaced node's part of a changed return
 * with "provision"): its layers kept aside, fresh ones made with
 * gameday's files, the job system's (hook) and its role's, provisioned
 * at its next boots by script.  Renewed again, the kept ones stay (they
 * are the node as it was).  gd_provision_restore: the kept layers back
 * (the node stopped), the renewed ones dropped. */
int gd_provision_renew(const gd_cluster *c, size_t index, gd_node_rt *n,
		       const gd_node_hook *hook, const char *rundir,
		       const gd_strv *script, gd_error **err);
int gd_provision_restore(gd_node_rt *n, gd_error **err);
/* Where the namespaced node n keeps a directory of its own aside (what:
 * "kept", its layers as they were; "renewing", the fresh ones being
 * written), beside its directory. */
void gd_provision_aside(const gd_node_rt *n, const char *what, char *buf,
			size_t size);
/* What a renewed node's files differ in from the kept ones, one line
 * each ("user docsvc: uid 2001, was 2002", "/var/lib/docconv: gone"):
 * its accounts, and what is, and the owner, group and mode of each
 * path, in its layers.  The number of lines. */
size_t gd_provision_changes(const gd_node_rt *n, gd_strbuf *out);

/* How long a node's provisioning may take, in real time, before the
 * cluster gives up on it (a script waiting on a prompt, say). */
#define GD_PROVISION_TIMEOUT_MS (10 * 60 * 1000)

/* Waits (up to timeout_ms of real time) until node index (n), when its
 * role provisions it, has provisioned at this boot (n->provisioned_boot
 * then says which); a script that failed, or did not end in time, is an
 * error naming the node, the status and the end of its output.  *ended,
 * when given: the script's exit status, or -1 when it did not end. */
int gd_provision_wait(const gd_cluster *c, size_t index, gd_node_rt *n,
		      int timeout_ms, int *ended, gd_error **err);
/* A script that ended with status at node n's last boot, in words for a
 * fault's evidence: which, where named, and the last line it said. */
void gd_provision_failure(const gd_cluster *c, size_t index,
			  const gd_node_rt *n, int status, gd_strbuf *out);

#endif
