#include "net/netlink.h"

#include "net/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct gd_nl {
	struct nl_sock *sock;
};

/* libnl returns negative NLE_* codes; callers of gameday get errno. */
static int nl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_EXIST:
		return EEXIST;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_PERM:
		return EPERM;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_NODEV:
		return ENODEV;
	case NLE_BUSY:
		return EBUSY;
	case NLE_INVAL:
		return EINVAL;
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_RANGE:
		return ERANGE;
	case NLE_NOADDR:
		return EADDRNOTAVAIL;
	case NLE_AF_NOSUPPORT:
		return EAFNOSUPPORT;
	default:
		return EIO;
	}
}

int gd_nl_open(int netns_fd, gd_nl **out, gd_error **err)
{
	int saved = -1, r;
	if (netns_fd >= 0 && (r = gd_netns_enter(netns_fd, &saved, err)) < 0)
		return r;
	/* The socket belongs to the namespace it is created in, whatever
	 * namespace the thread moves to afterwards. */
	struct nl_sock *sock = nl_socket_alloc();
	int nle = sock ? nl_connect(sock, NETLINK_ROUTE) : -NLE_NOMEM;
	if (saved >= 0 && (r = gd_netns_leave(saved, err)) < 0) {
		nl_socket_free(sock);
		return r;
	}
	if (nle < 0) {
		nl_socket_free(sock);
		return gd_error_make(err, nl_errno(nle),
				     "cannot open a netlink socket");
	}
	gd_nl *nl = calloc(1, sizeof(*nl));
	if (!nl) {
		nl_socket_free(sock);
		return gd_error_make(err, ENOMEM,
				     "cannot open a netlink socket");
	}
	nl->sock = sock;
	*out = nl;
	return 0;
}

void gd_nl_close(gd_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sock);
	free(nl);
}

int gd_nl_ifindex(gd_nl *nl, const char *name, int *index, gd_error **err)
{
	struct rtnl_link *link = NULL;
	int nle = rtnl_link_get_kernel(nl->sock, 0, name, &link);
	if (nle < 0)
		return gd_error_make(err, nl_errno(nle),
				     "cannot find link \"%s\"", name);
	*index = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return 0;
}

int gd_nl_bridge_add(gd_nl *nl, const char *name, gd_error **err)
{
	struct rtnl_link *link = rtnl_link_bridge_alloc();
	if (!link)
		return gd_error_make(err, ENOMEM, "cannot add bridge \"%s\"",
				     name);
	rtnl_link_set_name(link, name);
	rtnl_link_set_flags(link, IFF_UP);
	int nle = rtnl_link_add(nl->sock, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (nle < 0)
		return gd_error_make(err, nl_errno(nle),
				     "cannot add bridge \"%s\"", name);
	return 0;
}

int gd_nl_veth_add(gd_nl *nl, const char *name, int index, int master_index,
		   const char *peer_name, int peer_index, int peer_netns_fd,
		   const uint8_t peer_mac[6], gd_error **err)
{
	struct rtnl_link *link = rtnl_link_veth_alloc();
	if (!link)
		return gd_error_make(err, ENOMEM, "cannot add veth \"%s\"",
				     name);
	rtnl_link_set_name(link, name);
	/* The kernel honours the peer's index only when the link's own is
	 * given too. */
	rtnl_link_set_ifindex(link, index);
	rtnl_link_set_master(link, master_index);
	struct rtnl_link *peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_ifindex(peer, peer_index);
	rtnl_link_set_ns_fd(peer, peer_netns_fd);
	struct nl_addr *mac = nl_addr_build(AF_LLC, peer_mac, 6);
	if (mac) {
		rtnl_link_set_addr(peer, mac);
		nl_addr_put(mac);
	}
	rtnl_link_put(peer);
	int nle = rtnl_link_add(nl->sock, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (nle < 0)
		return gd_error_make(err, nl_errno(nle),
				     "cannot add veth \"%s\" (peer \"%s\"): %s",
				     name, peer_name, nl_geterror(nle));
	return 0;
}

int gd_nl_link_up(gd_nl *nl, int index, gd_error **err)
{
	struct rtnl_link *link = rtnl_link_alloc(), *change = rtnl_link_alloc();
	int nle = -NLE_NOMEM;
	if (link && change) {
		rtnl_link_set_ifindex(link, index);
		rtnl_link_set_flags(change, IFF_UP);
		nle = rtnl_link_change(nl->sock, link, change, 0);
	}
	rtnl_link_put(change);
	rtnl_link_put(link);
	if (nle < 0)
		return gd_error_make(err, nl_errno(nle),
				     "cannot bring up link %d", index);
	return 0;
}

int gd_nl_addr_add(gd_nl *nl, int index, struct in_addr addr, int prefix,
		   gd_error **err)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(AF_INET, &addr, sizeof(addr));
	if (!a || !local) {
		rtnl_addr_put(a);
		nl_addr_put(local);
		return gd_error_make(err, ENOMEM,
				     "cannot add an address to link %d", index);
	}
	nl_addr_set_prefixlen(local, prefix);
	rtnl_addr_set_ifindex(a, index);
	rtnl_addr_set_local(a, local);
	int nle = rtnl_addr_add(nl->sock, a, NLM_F_CREATE | NLM_F_EXCL);
	nl_addr_put(local);
	rtnl_addr_put(a);
	if (nle < 0)
		return gd_error_make(err, nl_errno(nle),
				     "cannot add an address to link %d", index);
	return 0;
}

static int route_cut(gd_nl *nl, bool add, int type, struct in_addr dst,
		     gd_error **err)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct nl_addr *d = nl_addr_build(AF_INET, &dst, sizeof(dst));
	if (!route || !d) {
		rtnl_route_put(route);
		nl_addr_put(d);
		return gd_error_make(err, ENOMEM, "cannot build a route");
	}
	nl_addr_set_prefixlen(d, 32);
	rtnl_route_set_family(route, AF_INET);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_type(route, (uint8_t)type);
	rtnl_route_set_scope(route, RT_SCOPE_UNIVERSE);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_dst(route, d);
	int nle =
		add ? rtnl_route_add(nl->sock, route, NLM_F_CREATE | NLM_F_EXCL)
		    : rtnl_route_delete(nl->sock, route, 0);
	nl_addr_put(d);
	rtnl_route_put(route);
	if (nle < 0) {
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &dst, a, sizeof(a));
		return gd_error_make(err, nl_errno(nle),
				     "cannot %s the route cutting off %s",
				     add ? "add" : "remove", a);
	}
	return 0;
}

static int neigh_cut(gd_nl *nl, bool add, int index, const uint8_t mac[6],
		     struct in_addr dst, gd_error **err)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *d = nl_addr_build(AF_INET, &dst, sizeof(dst));
	struct nl_addr *ll = add ? nl_addr_build(AF_LLC, mac, 6) : NULL;
	if (!n || !d || (add && !ll)) {
		rtnl_neigh_put(n);
		nl_addr_put(d);
		nl_addr_put(ll);
		return gd_error_make(err, ENOMEM, "cannot build a neighbour");
	}
	rtnl_neigh_set_family(n, AF_INET);
	rtnl_neigh_set_ifindex(n, index);
	rtnl_neigh_set_dst(n, d);
	int nle;
	if (add) {
		rtnl_neigh_set_lladdr(n, ll);
		rtnl_neigh_set_state(n, NUD_PERMANENT);
		nle = rtnl_neigh_add(nl->sock, n, NLM_F_CREATE | NLM_F_REPLACE);
	} else {
		nle = rtnl_neigh_delete(nl->sock, n, 0);
	}
	nl_addr_put(d);
	nl_addr_put(ll);
	rtnl_neigh_put(n);
	if (nle < 0) {
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &dst, a, sizeof(a));
		return gd_error_make(
			err, nl_errno(nle),
			"cannot %s the neighbour entry cutting off %s",
			add ? "add" : "remove", a);
	}
	return 0;
}

int gd_nl_cut_add(gd_nl *nl, enum gd_nl_cut kind, int index,
		  const uint8_t mac[6], struct in_addr dst, gd_error **err)
{
	if (kind == GD_CUT_SILENT)
		return neigh_cut(nl, true, index, mac, dst, err);
	return route_cut(nl, true,
			 kind == GD_CUT_PROHIBIT ? RTN_PROHIBIT
						 : RTN_UNREACHABLE,
			 dst, err);
}

int gd_nl_cut_del(gd_nl *nl, enum gd_nl_cut kind, int index, struct in_addr dst,
		  gd_error **err)
{
	if (kind == GD_CUT_SILENT)
		return neigh_cut(nl, false, index, NULL, dst, err);
	return route_cut(nl, false,
			 kind == GD_CUT_PROHIBIT ? RTN_PROHIBIT
						 : RTN_UNREACHABLE,
			 dst, err);
}

uint32_t gd_netem_loss_to_kernel(double pct)
{
	if (pct <= 0)
		return 0;
	if (pct >= 100)
		return UINT32_MAX;
	return (uint32_t)(pct / 100.0 * UINT32_MAX + 0.5);
}

double gd_netem_loss_from_kernel(uint32_t loss)
{
	return loss * 100.0 / UINT32_MAX;
}

static struct rtnl_qdisc *root_qdisc(int index)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	if (q) {
		rtnl_tc_set_ifindex(TC_CAST(q), index);
		rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	}
	return q;
}

int gd_nl_netem_set(gd_nl *nl, int index, const gd_nl_netem *want,
		    gd_error **err)
{
	struct rtnl_qdisc *q = root_qdisc(index);
	if (!q)
		return gd_error_make(err, ENOMEM, "cannot build a netem qdisc");
	int nle = rtnl_tc_set_kind(TC_CAST(q), "netem");
	if (nle == 0) {
		/* Every setting given, so a replaced netem keeps nothing of
		 * the one before (libnl sends a limit of 1000 packets). */
		rtnl_netem_set_delay(q, (int)want->delay_us);
		rtnl_netem_set_jitter(q, (int)want->jitter_us);
		rtnl_netem_set_loss(
			q, (int)gd_netem_loss_to_kernel(want->loss_pct));
		nle = rtnl_qdisc_add(nl->sock, q, NLM_F_CREATE | NLM_F_REPLACE);
	}
	rtnl_qdisc_put(q);
	if (nle < 0)
		return gd_error_make(err, nl_errno(nle),
				     "cannot put a netem qdisc on link %d: %s",
				     index, nl_geterror(nle));
	return 0;
}

int gd_nl_root_qdisc(gd_nl *nl, int index, gd_nl_netem *seen, char *kind,
		     size_t size, gd_error **err)
{
	struct nl_cache *cache = NULL;
	int nle = rtnl_qdisc_alloc_cache(nl->sock, &cache);
	if (nle < 0)
		return gd_error_make(err, nl_errno(nle),
				     "cannot read the qdiscs of link %d",
				     index);
	struct rtnl_qdisc *q =
		rtnl_qdisc_get_by_parent(cache, index, TC_H_ROOT);
	const char *k = q ? rtnl_tc_get_kind(TC_CAST(q)) : NULL;
	snprintf(kind, size, "%s", k ? k : "");
	bool netem = k && strcmp(k, "netem") == 0;
	if (netem) {
		int delay = rtnl_netem_get_delay(q);
		int jitter = rtnl_netem_get_jitter(q);
		*seen = (gd_nl_netem){
			.delay_us = delay > 0 ? (uint32_t)delay : 0,
			.jitter_us = jitter > 0 ? (uint32_t)jitter : 0,
			.loss_pct = gd_netem_loss_from_kernel(
				(uint32_t)rtnl_netem_get_loss(q)),
		};
	}
	rtnl_qdisc_put(q);
	nl_cache_free(cache);
	return netem;
}

int gd_nl_netem_del(gd_nl *nl, int index, gd_error **err)
{
	struct rtnl_qdisc *q = root_qdisc(index);
	if (!q)
		return gd_error_make(err, ENOMEM, "cannot build a qdisc");
	int nle = rtnl_tc_set_kind(TC_CAST(q), "netem");
	if (nle == 0)
		nle = rtnl_qdisc_delete(nl->sock, q);
	rtnl_qdisc_put(q);
	if (nle < 0)
		return gd_error_make(
			err, nl_errno(nle),
			"cannot remove the netem qdisc of link %d: %s", index,
			nl_geterror(nle));
	return 0;
}

/* In the child: a netem qdisc on a fresh namespace's loopback. */
static int try_netem(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return 2;
	gd_nl *nl = NULL;
	gd_error *err = NULL;
	if (gd_nl_open(-1, &nl, &err) < 0)
		return 2;
	return gd_nl_netem_set(nl, 1, &(gd_nl_netem){.delay_us = 1000}, &err) <
	       0;
}

int gd_nl_netem_works(gd_error **err)
{
	pid_t pid = fork();
	if (pid < 0)
		return gd_error_make(err, errno, "cannot look for netem");
	if (pid == 0)
		_exit(try_netem());
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return gd_error_make(err, errno,
					     "cannot look for netem");
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return gd_error_set(
			err, EPERM,
			"cannot look for netem: a network namespace could not be made to try it in");
	return WEXITSTATUS(status) == 0;
}
