/* A skew's security profile: a seccomp filter compiled here with
 * libseccomp and the capabilities to drop, left in the node's
 * /etc/gameday where its gd-init applies them to every service it starts
 * (fakes/profile.h is that contract), then the services restarted, as a
 * configuration-management run that tightened a unit's profile would. */
#include "base/cleanup.h"
#include "base/sysnames.h"
#include "fakes/profile.h"
#include "faults/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CHECK_FILE "/tmp/.gameday-profile-check"

bool gd_security_wanted(const gd_profile *k)
{
	return k->has_seccomp || k->caps_drop.n;
}

static bool denied_wholesale(const gd_profile *k, const char *name)
{
	for (size_t i = 0; i < k->deny.n; i++)
		if (strcmp(k->deny.v[i], name) == 0)
			return true;
	return false;
}

/* Write-opens: open and openat asking for O_WRONLY or O_RDWR, and creat.
 * openat2 keeps its flags behind a pointer seccomp cannot read, so it
 * answers ENOSYS and callers fall back to openat, as container runtimes
 * arrange. */
static int add_write_opens(scmp_filter_ctx ctx, const gd_profile *k, int e)
{
	static const struct {
		const char *name;
		unsigned arg;
	} opens[] = {{"open", 1}, {"openat", 2}};
	int r = 0;
	for (size_t i = 0; i < GD_ARRAY_SIZE(opens) && r == 0; i++) {
		if (denied_wholesale(k, opens[i].name))
			continue;
		int nr = seccomp_syscall_resolve_name(opens[i].name);
		for (unsigned acc = O_WRONLY; acc <= O_RDWR && r == 0; acc++)
			r = seccomp_rule_add(
				ctx, SCMP_ACT_ERRNO((uint32_t)e), nr, 1,
				SCMP_CMP(opens[i].arg, SCMP_CMP_MASKED_EQ,
					 O_ACCMODE, acc));
	}
	if (r == 0 && !denied_wholesale(k, "creat"))
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)e),
				     SCMP_SYS(creat), 0);
	if (r == 0 && !denied_wholesale(k, "openat2"))
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				     SCMP_SYS(openat2), 0);
	return r;
}

static int compile(const gd_profile *k, int fd)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	int e = k->deny_errno >= 0 ? k->deny_errno : EPERM;
	int r = 0;
	for (size_t i = 0; i < k->deny.n && r == 0; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)e),
				     seccomp_syscall_resolve_name(k->deny.v[i]),
				     0);
	if (r == 0 && k->deny_write_opens)
		r = add_write_opens(ctx, k, e);
	if (r == 0)
		r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	return r;
}

static uint64_t caps_mask(const gd_profile *k)
{
	uint64_t mask = 0;
	for (size_t i = 0; i < k->caps_drop.n; i++) {
		int cap = gd_cap_by_name(k->caps_drop.v[i]);
		if (cap >= 0 && cap < 64)
			mask |= UINT64_C(1) << cap;
	}
	return mask;
}

/* The filter as BPF, in a memory file read back: what the node gets is
 * bytes put whole, however its files are reached. */
static int compile_bpf(const gd_profile *k, char **bpf, size_t *len)
{
	_cleanup_close_ int fd = memfd_create("gameday-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = compile(k, fd);
	if (r < 0)
		return r;
	off_t size = lseek(fd, 0, SEEK_END);
	*bpf = size > 0 ? malloc((size_t)size) : NULL;
	if (!*bpf)
		return size < 0 ? -errno : -ENOMEM;
	if (pread(fd, *bpf, (size_t)size, 0) != size) {
		free(*bpf);
		*bpf = NULL;
		return -EIO;
	}
	*len = (size_t)size;
	return 0;
}

int gd_security_set(const gd_node_rt *n, const gd_profile *k, gd_error **err)
{
	if (k->has_seccomp) {
		_cleanup_free_ char *bpf = NULL;
		size_t len = 0;
		int r = compile_bpf(k, &bpf, &len);
		if (r < 0)
			return gd_error_make(
				err, -r,
				"cannot compile the seccomp profile for \"%s\"",
				n->name);
		r = gd_node_put(n, GD_PROFILE_SECCOMP, bpf, len, err);
		if (r < 0)
			return r;
	}
	if (k->caps_drop.n) {
		char text[512];
		size_t used = 0;
		uint64_t mask = caps_mask(k);
		for (int cap = 0; cap < 64 && used < sizeof(text); cap++)
			if (mask >> cap & 1)
				used += (size_t)snprintf(text + used,
							 sizeof(text) - used,
							 "%d\n", cap);
		int r = gd_node_put(n, GD_PROFILE_CAPS, text, used, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int gd_security_clear(const gd_node_rt *n, gd_error **err)
{
	int r = gd_node_unlink(n, GD_PROFILE_SECCOMP, err);
	return r < 0 ? r : gd_node_unlink(n, GD_PROFILE_CAPS, err);
}

int gd_security_restart(const gd_node_rt *n, gd_error **err)
{
	return gd_node_restart_services(n, err);
}

/* Whether every service gd-probe listed shows the profile (or, healed,
 * its absence): seccomp mode 2 and the dropped bits gone from CapBnd. */
static bool services_show(const char *said, const gd_profile *k, bool healed)
{
	bool any = false;
	uint64_t mask = caps_mask(k);
	for (const char *p = said; (p = strstr(p, " pid ")); p++) {
		any = true;
		const char *sc = strstr(p, " seccomp ");
		const char *bnd = strstr(p, " capbnd ");
		const char *next = strstr(p + 1, " pid ");
		if (!sc || !bnd || (next && (sc > next || bnd > next)))
			return false;
		int mode = atoi(sc + 9);
		if (k->has_seccomp && (mode == 2) == healed)
			return false;
		uint64_t caps = strtoull(bnd + 8, NULL, 16);
		if (mask && ((caps & mask) == 0) == healed)
			return false;
	}
	return any;
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int gd_security_check(gd_faults *f, size_t index, const gd_profile *k,
		      bool healed, char *evidence, size_t size)
{
	const gd_node_rt *n = &f->st->nodes[index];
	char said[384] = "";
	bool ok = false;
	/* The old services keep their old profile until they are gone:
	 * wait for the new ones, as long as a slow stop may take. */
	for (int waited = 0; !ok && waited < 15000; waited += 20) {
		int status = gd_probe(f, index, said, sizeof(said), "services",
				      NULL);
		if (status == 1 && strstr(said, "ESRCH"))
			break; /* a node running no service: only the probe */
		ok = status == 0 && services_show(said, k, healed);
		if (!ok)
			nap_ms(20);
	}
	int missing = !ok && !strstr(said, "ESRCH");
	size_t used = strlen(evidence);
	used += (size_t)snprintf(evidence + used, size - used, "%s%s: %s",
				 used ? "; " : "", n->name, said);
	if (k->has_seccomp && k->deny_write_opens && used < size) {
		char wrote[256];
		gd_probe(f, index, wrote, sizeof(wrote), "profiled", "write",
			 CHECK_FILE, NULL);
		/* gd-probe says "ok wrote PATH" or "error ENAME: ..." */
		char want[64] = "ok ";
		if (!healed) {
			int e = k->deny_errno >= 0 ? k->deny_errno : EPERM;
			snprintf(want, sizeof(want), "error %s:",
				 strerrorname_np(e) ? strerrorname_np(e) : "?");
		}
		bool seen = strncmp(wrote, want, strlen(want)) == 0;
		missing += !seen;
		snprintf(evidence + used, size - used,
			 "; a write-open under its profile: %s", wrote);
		gd_error *e = NULL;
		gd_node_unlink(n, CHECK_FILE, &e);
		gd_error_free(e);
	}
	return missing > 0;
}
