/* Inside cluster/ only: the namespaced node backend's parts that live
 * beside the cluster's generic code (bringing a cluster up in cluster.c,
 * taking it down in teardown.c); its row is ns_backend.c. */
#ifndef GD_CLUSTER_NS_H
#define GD_CLUSTER_NS_H

#include "cluster/cluster.h"

/* The switch's bridge in its own network namespace. */
#define GD_NS_BRIDGE "gd-br0"

extern const gd_node_backend gd_node_backend_ns;

int gd_ns_preflight(const gd_cluster *c, const char *libexec,
		    const gd_node_hook *hook, gd_error **err);
int gd_ns_up(const gd_cluster *c, const char *libexec, const gd_node_hook *hook,
	     gd_cluster_state **out, gd_error **err);
int gd_ns_down(const gd_cluster_state *st, int grace_ms, gd_error **err);

#endif
