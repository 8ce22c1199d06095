/* Network namespaces gameday creates, kept alive by bind mounts of their
 * nsfs files under the run directory (not /run/netns: nothing of the host's
 * own tooling needs to see them, and 'ip netns' would remount /sys). */
#ifndef GD_NET_NETNS_H
#define GD_NET_NETNS_H

#include "base/error.h"

#include <sys/types.h>

/* Creates a new, empty network namespace and pins it at path (a file that
 * must not exist yet), its links IPv4-only as below.  The caller stays in
 * its own namespace. */
int gd_netns_create(const char *path, gd_error **err);
/* In the calling thread's network namespace, links made from now on get
 * no IPv6 address of their own (the namespace's default addr_gen_mode is
 * "none"): no link-local address, so no duplicate address detection or
 * multicast reports, which a bridge would flood to every node.  The
 * staging network is IPv4.  System calls only, so a child between clone
 * and exec may call it; a kernel without IPv6 is fine.  0 or -errno. */
int gd_netns_ipv4_only(void);
/* Pins the network namespace of process pid at path. */
int gd_netns_pin(pid_t pid, const char *path, gd_error **err);
/* Unpins (lazy unmount) and removes path; a missing path is success. */
int gd_netns_release(const char *path, gd_error **err);

/* Switches the calling thread into the namespace open at fd, saving the
 * current one in *saved (an fd to pass to gd_netns_leave). */
int gd_netns_enter(int fd, int *saved, gd_error **err);
int gd_netns_leave(int saved, gd_error **err);

#endif
