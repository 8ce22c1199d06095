#include "base/sysnames.h"

#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <string.h>

#define E(x)                                                                   \
	{                                                                      \
#x, x                                                          \
	}
static const struct {
	const char *name;
	int value;
} errnos[] = {
	/* The errors a denied or broken operation plausibly returns on a
	 * real node; an exotic errno would test nothing an application
	 * handles. */
	E(EACCES),     E(EPERM),	E(EROFS),	E(ENOSPC),
	E(EDQUOT),     E(EIO),		E(ENOENT),	E(EEXIST),
	E(ENOTDIR),    E(EISDIR),	E(EAGAIN),	E(EBUSY),
	E(EINTR),      E(EINVAL),	E(ENOSYS),	E(ENOMEM),
	E(EMFILE),     E(ENFILE),	E(ETIMEDOUT),	E(ECONNREFUSED),
	E(ECONNRESET), E(EHOSTUNREACH), E(ENETUNREACH), E(ETXTBSY),
	E(ESTALE),
};
#undef E

#define C(x)                                                                   \
	{                                                                      \
#x, x                                                          \
	}
static const struct {
	const char *name;
	int value;
} caps[] = {
	C(CAP_CHOWN),
	C(CAP_DAC_OVERRIDE),
	C(CAP_DAC_READ_SEARCH),
	C(CAP_FOWNER),
	C(CAP_FSETID),
	C(CAP_KILL),
	C(CAP_SETGID),
	C(CAP_SETUID),
	C(CAP_SETPCAP),
	C(CAP_LINUX_IMMUTABLE),
	C(CAP_NET_BIND_SERVICE),
	C(CAP_NET_BROADCAST),
	C(CAP_NET_ADMIN),
	C(CAP_NET_RAW),
	C(CAP_IPC_LOCK),
	C(CAP_IPC_OWNER),
	C(CAP_SYS_MODULE),
	C(CAP_SYS_RAWIO),
	C(CAP_SYS_CHROOT),
	C(CAP_SYS_PTRACE),
	C(CAP_SYS_PACCT),
	C(CAP_SYS_ADMIN),
	C(CAP_SYS_BOOT),
	C(CAP_SYS_NICE),
	C(CAP_SYS_RESOURCE),
	C(CAP_SYS_TIME),
	C(CAP_SYS_TTY_CONFIG),
	C(CAP_MKNOD),
	C(CAP_LEASE),
	C(CAP_AUDIT_WRITE),
	C(CAP_AUDIT_CONTROL),
	C(CAP_SETFCAP),
	C(CAP_MAC_OVERRIDE),
	C(CAP_MAC_ADMIN),
	C(CAP_SYSLOG),
	C(CAP_WAKE_ALARM),
	C(CAP_BLOCK_SUSPEND),
	C(CAP_AUDIT_READ),
	C(CAP_PERFMON),
	C(CAP_BPF),
	C(CAP_CHECKPOINT_RESTORE),
};
#undef C

#define NERRNO (sizeof(errnos) / sizeof(errnos[0]))
#define NCAPS  (sizeof(caps) / sizeof(caps[0]))

static const char *errno_list[NERRNO];
static const char *cap_list[NCAPS];

int gd_errno_by_name(const char *name)
{
	for (size_t i = 0; i < NERRNO; i++)
		if (strcmp(errnos[i].name, name) == 0)
			return errnos[i].value;
	return -1;
}

int gd_cap_by_name(const char *name)
{
	for (size_t i = 0; i < NCAPS; i++)
		if (strcmp(caps[i].name, name) == 0)
			return caps[i].value;
	return -1;
}

bool gd_syscall_known(const char *name)
{
	return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

const char *const *gd_errno_names(size_t *n)
{
	for (size_t i = 0; i < NERRNO; i++)
		errno_list[i] = errnos[i].name;
	*n = NERRNO;
	return errno_list;
}

const char *const *gd_cap_names(size_t *n)
{
	for (size_t i = 0; i < NCAPS; i++)
		cap_list[i] = caps[i].name;
	*n = NCAPS;
	return cap_list;
}
