/* Applying a node's security profile (profile.h) with system calls only:
 * gd-init is static and links no libseccomp. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Reads a whole small file; -ENOENT when it is not there. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	ssize_t n;
	while (len < cap && (n = read(fd, buf + len, cap - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return -e;
		}
		len += (size_t)n;
	}
	close(fd);
	return len == cap ? -EFBIG : (ssize_t)len;
}

/* The capabilities caps-drop lists, as a mask; 0 when there is none. */
static int caps_mask(uint64_t *mask)
{
	char text[1024];
	*mask = 0;
	ssize_t len = slurp(GD_PROFILE_CAPS, text, sizeof(text) - 1);
	if (len == -ENOENT)
		return 0;
	if (len < 0)
		return (int)len;
	text[len] = '\0';
	for (char *p = text, *end; *p; p = end) {
		long cap = strtol(p, &end, 10);
		if (end == p) {
			end = p + 1;
			continue;
		}
		if (cap < 0 || cap > 63)
			return -EINVAL;
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

int gd_profile_drop_bounding(void)
{
	uint64_t mask;
	int r = caps_mask(&mask);
	if (r < 0)
		return r;
	for (int cap = 0; cap < 64; cap++)
		if ((mask >> cap & 1) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    errno != EINVAL) /* a capability this kernel lacks */
			return -errno;
	return 0;
}

int gd_profile_drop_caps(void)
{
	uint64_t mask;
	int r = caps_mask(&mask);
	if (r < 0 || !mask)
		return r;
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t keep = ~(uint32_t)(mask >> (32 * i));
		d[i].effective &= keep;
		d[i].permitted &= keep;
		d[i].inheritable &= keep;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	/* Ambient capabilities need permitted and inheritable ones; any
	 * left would now be invalid, so the kernel has cleared them. */
	return 0;
}

int gd_profile_seccomp(void)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	ssize_t len = slurp(GD_PROFILE_SECCOMP, (char *)insns, sizeof(insns));
	if (len == -ENOENT)
		return 0;
	if (len < 0)
		return (int)len;
	if (len == 0 || len % sizeof(insns[0]))
		return -EINVAL;
	struct sock_fprog prog = {(unsigned short)(len / sizeof(insns[0])),
				  insns};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	if (errno != EACCES)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0
		       ? 0
		       : -errno;
}
