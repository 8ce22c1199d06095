#include "net/netns.h"

#include "base/cleanup.h"
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

static int make_pin_file(const char *path, gd_error **err)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (fd < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	close(fd);
	return 0;
}

static int pin(const char *nsfile, const char *path, gd_error **err)
{
	int r = make_pin_file(path, err);
	if (r < 0)
		return r;
	if (mount(nsfile, path, NULL, MS_BIND, NULL) < 0) {
		int e = errno;
		unlink(path);
		return gd_error_make(err, e, "cannot bind \"%s\" to \"%s\"",
				     nsfile, path);
	}
	return 0;
}

int gd_netns_ipv4_only(void)
{
	int fd = open("/proc/sys/net/ipv6/conf/default/addr_gen_mode",
		      O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	int r = write(fd, "1", 1) == 1 ? 0
				       : -errno; /* IN6_ADDR_GEN_MODE_NONE */
	close(fd);
	return r;
}

int gd_netns_create(const char *path, gd_error **err)
{
	_cleanup_close_ int saved =
		open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return gd_error_make(
			err, errno,
			"cannot open the current network namespace");
	if (unshare(CLONE_NEWNET) < 0)
		return gd_error_make(
			err, errno, "cannot create a network namespace%s",
			errno == EPERM ? " (needs CAP_SYS_ADMIN: run as root)"
				       : "");
	int r = gd_netns_ipv4_only();
	if (r < 0)
		r = gd_error_make(err, -r,
				  "cannot turn off IPv6 addresses in a new "
				  "network namespace");
	if (r == 0)
		r = pin("/proc/self/ns/net", path, err);
	if (setns(saved, CLONE_NEWNET) < 0 && r == 0)
		r = gd_error_make(
			err, errno,
			"cannot return to the original network namespace");
	return r;
}

int gd_netns_pin(pid_t pid, const char *path, gd_error **err)
{
	char nsfile[64];
	gd_pathf(nsfile, sizeof(nsfile), "/proc/%d/ns/net", (int)pid);
	return pin(nsfile, path, err);
}

int gd_netns_release(const char *path, gd_error **err)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return gd_error_make(err, errno, "cannot unmount \"%s\"", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return gd_error_make(err, errno, "cannot remove \"%s\"", path);
	return 0;
}

int gd_netns_enter(int fd, int *saved, gd_error **err)
{
	*saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return gd_error_make(
			err, errno,
			"cannot open the current network namespace");
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = errno;
		close(*saved);
		*saved = -1;
		return gd_error_make(err, e,
				     "cannot enter a network namespace");
	}
	return 0;
}

int gd_netns_leave(int saved, gd_error **err)
{
	int r = 0;
	if (setns(saved, CLONE_NEWNET) < 0)
		r = gd_error_make(
			err, errno,
			"cannot return to the original network namespace");
	close(saved);
	return r;
}
