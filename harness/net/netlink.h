/* The one netlink module: links, addresses and routes through libnl-route,
 * each call on a socket opened inside the namespace it changes.  libnl's
 * NLE_* codes are turned into errno values with the object named. */
#ifndef GD_NET_NETLINK_H
#define GD_NET_NETLINK_H

#include "base/error.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gd_nl gd_nl;

/* Opens a route socket in the network namespace open at netns_fd (-1: the
 * caller's own). */
int gd_nl_open(int netns_fd, gd_nl **out, gd_error **err);
void gd_nl_close(gd_nl *nl);

/* A bridge, up, with no address. */
int gd_nl_bridge_add(gd_nl *nl, const char *name, gd_error **err);
/* The index of a link by name (one lookup). */
int gd_nl_ifindex(gd_nl *nl, const char *name, int *index, gd_error **err);

/* Links by interface index, each change one message without a lookup:
 * in a fresh namespace lo is index 1 and gameday picks the others. */

/* A veth pair with the indexes asked for: name here, enslaved to master;
 * peer_name inside the namespace open at peer_netns_fd.  Both are left
 * down. */
int gd_nl_veth_add(gd_nl *nl, const char *name, int index, int master_index,
		   const char *peer_name, int peer_index, int peer_netns_fd,
		   const uint8_t peer_mac[6], gd_error **err);
int gd_nl_link_up(gd_nl *nl, int index, gd_error **err);
/* Adds addr/prefix (network byte order) to the link. */
int gd_nl_addr_add(gd_nl *nl, int index, struct in_addr addr, int prefix,
		   gd_error **err);

/* Cuts: what a partition is made of, one sender and one destination at a
 * time, in the sender's namespace. */
enum gd_nl_cut {
	/* Silent: the destination's neighbour entry points at the sender's
	 * own MAC, so the bridge drops every frame (a frame is never sent
	 * back out of the port it came in by) and nothing answers. */
	GD_CUT_SILENT,
	GD_CUT_UNREACHABLE, /* a route of type unreachable: EHOSTUNREACH */
	GD_CUT_PROHIBIT,    /* type prohibit: EACCES */
};
/* Cuts off dst (a /32) on link index, whose own MAC is mac. */
int gd_nl_cut_add(gd_nl *nl, enum gd_nl_cut kind, int index,
		  const uint8_t mac[6], struct in_addr dst, gd_error **err);
int gd_nl_cut_del(gd_nl *nl, enum gd_nl_cut kind, int index, struct in_addr dst,
		  gd_error **err);

/* netem: delay, jitter and loss on what a link sends, as its root qdisc. */
typedef struct gd_nl_netem {
	uint32_t delay_us, jitter_us;
	double loss_pct; /* 0..100 */
} gd_nl_netem;
/* Puts netem (replacing whatever root qdisc the link has) on link index. */
int gd_nl_netem_set(gd_nl *nl, int index, const gd_nl_netem *want,
		    gd_error **err);
/* Removes it: the link's default queue comes back. */
int gd_nl_netem_del(gd_nl *nl, int index, gd_error **err);
/* The link's root qdisc as the kernel reports it: 1 when it is netem
 * (seen filled), 0 when it is not (kind names it, "" for none), or a
 * negative errno. */
int gd_nl_root_qdisc(gd_nl *nl, int index, gd_nl_netem *seen, char *kind,
		     size_t size, gd_error **err);
/* The kernel's loss probability (a fraction of UINT32_MAX) from a
 * percentage, and back. */
uint32_t gd_netem_loss_to_kernel(double pct);
double gd_netem_loss_from_kernel(uint32_t loss);

/* Whether this kernel can make a netem qdisc: tried on the loopback of a
 * throwaway network namespace, in a child process.  1 yes, 0 no, or a
 * negative errno when the trial itself could not be made. */
int gd_nl_netem_works(gd_error **err);

#endif
