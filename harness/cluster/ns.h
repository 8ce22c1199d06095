/* Inside cluster/ only: the namespaced node backend's parts that live
 * beside the cluster's generic code (bringing a cluster up in cluster.c,
 * taking it down in teardown.c); its row is ns_backend.c. */
#ifndef GD_CLUSTER_NS_H
#define GD_CLUSTER_NS_H

#include "cluster/cluster.h"

/* The switch's bridge in its own network namespace. */
#define GD_NS_BRIDGE "gd-br0"

/* Where a namespaced node sees the cluster's shared storage, gameday's
 * programs for nodes and its local scratch (node.h's mount table); the
 * rest of gameday reads them from gd_cluster_state, never from here.
 * This machine sees the shared storage at GD_NS_SHARED below the run
 * directory. */
#define GD_NS_NODE_SHARED   "/srv/shared"
#define GD_NS_NODE_PROGRAMS "/srv/gameday"
#define GD_NS_NODE_SCRATCH  "/srv/scratch"
#define GD_NS_SHARED	    "shared"

extern const gd_node_backend gd_node_backend_ns;

int gd_ns_preflight(const gd_cluster *c, const char *libexec,
		    const gd_node_hook *hook, gd_error **err);
int gd_ns_up(const gd_cluster *c, const char *libexec, const gd_node_hook *hook,
	     gd_cluster_state **out, gd_error **err);
int gd_ns_down(const gd_cluster_state *st, int grace_ms, gd_error **err);

#endif
