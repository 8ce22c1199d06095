#include "cluster/node.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/passwd.h"
#include "base/strbuf.h"
#include "cluster/ns.h"
#include "cluster/provision.h"
#include "host/ledger.h"
#include "net/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct in_addr gd_node_addr(size_t index)
{
	uint32_t host = (uint32_t)index + 10;
	struct in_addr a = {htonl((10u << 24) | (77u << 16) | host)};
	return a;
}

void gd_node_mac(size_t index, uint8_t mac[6])
{
	/* Locally administered (02), "gd", then the index. */
	mac[0] = 0x02;
	mac[1] = 'g';
	mac[2] = 'd';
	mac[3] = (uint8_t)(index >> 16);
	mac[4] = (uint8_t)(index >> 8);
	mac[5] = (uint8_t)index;
}

/* ---- the node's own files ---- */

static int write_text(const char *dir, const char *name, const char *text,
		      gd_error **err)
{
	char path[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_fclose_ FILE *f = fopen(path, "we");
	if (!f)
		return gd_error_make(err, errno, "cannot create \"%s\"", path);
	if (fputs(text, f) < 0 || fflush(f) != 0)
		return gd_error_make(err, errno, "cannot write \"%s\"", path);
	return 0;
}

/* The host's file with lines appended; "" when the host has none. */
static char *host_file_plus(const char *host_path, const char *extra)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	FILE *in = fopen(host_path, "re");
	if (in) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(in);
		if (len && text[len - 1] != '\n')
			fputc('\n', out);
	}
	fputs(extra, out);
	fclose(out);
	return text;
}

/* Who in a passwd or group text (the host's, which every node's starts
 * from) has name, or id in its third field: the line's name, or NULL. */
static const char *account_clash(const char *text, const char *name,
				 unsigned id, char *who, size_t size)
{
	for (const char *l = text && *text ? text : NULL; l;
	     l = gd_passwd_next(l)) {
		char n[64];
		unsigned ids[2];
		if (!gd_passwd_parse(l, n, sizeof(n), ids))
			continue;
		if (strcmp(n, name) == 0 || ids[0] == id) {
			snprintf(who, size, "%s (%u)", n, ids[0]);
			return who;
		}
	}
	return NULL;
}

/* The lines the cluster's accounts add to the host's passwd and group:
 * the team's users and groups with their production ids (a user whose gid
 * no declared group has gets a group of its own name), or gameday's
 * service user alone.  A clash with the host's accounts is an error: the
 * node's files start from the host's. */
static int accounts_text(const gd_cluster *c, const char *host_passwd,
			 const char *host_group, gd_strbuf *pw, gd_strbuf *gr,
			 gd_error **err)
{
	unsigned uid, gid;
	gd_cluster_service_ids(c, &uid, &gid);
	if (!c->nusers) {
		gd_strbuf_addf(
			pw,
			"%s:x:%u:%u:gameday service user:" GD_NS_NODE_SCRATCH
			":/bin/sh\n",
			c->service_user, uid, gid);
		gd_strbuf_addf(gr, "%s:x:%u:\n", c->service_user, gid);
		return 0;
	}
	char who[96];
	for (size_t i = 0; i < c->nusers; i++) {
		const gd_user *u = &c->users[i];
		if (account_clash(host_passwd, u->name, u->uid, who,
				  sizeof(who)))
			return gd_error_make(
				err, EEXIST,
				"%s: %s: user \"%s\" (uid %u) clashes with the host's %s in /etc/passwd, which every node's starts from",
				c->file, u->path, u->name, u->uid, who);
		gd_strbuf_addf(pw,
			       "%s:x:%u:%u:team account:" GD_NS_NODE_SCRATCH
			       ":/bin/sh\n",
			       u->name, u->uid, u->gid);
		bool declared = false;
		for (size_t g = 0; g < c->nuser_groups; g++)
			declared |= c->user_groups[g].gid == u->gid;
		if (!declared && account_clash(host_group, u->name, u->gid, who,
					       sizeof(who)))
			return gd_error_make(
				err, EEXIST,
				"%s: %s: the group of user \"%s\" (gid %u) clashes with the host's %s in /etc/group",
				c->file, u->path, u->name, u->gid, who);
		if (!declared)
			gd_strbuf_addf(gr, "%s:x:%u:\n", u->name, u->gid);
	}
	for (size_t g = 0; g < c->nuser_groups; g++) {
		const gd_user_group *ug = &c->user_groups[g];
		if (account_clash(host_group, ug->name, ug->gid, who,
				  sizeof(who)))
			return gd_error_make(
				err, EEXIST,
				"%s: %s: group \"%s\" (gid %u) clashes with the host's %s in /etc/group, which every node's starts from",
				c->file, ug->path, ug->name, ug->gid, who);
		gd_strbuf_addf(gr, "%s:x:%u:", ug->name, ug->gid);
		const char *sep = "";
		for (size_t i = 0; i < c->nusers; i++)
			for (size_t k = 0; k < c->users[i].groups.n; k++)
				if (!strcmp(c->users[i].groups.v[k],
					    ug->name)) {
					gd_strbuf_addf(gr, "%s%s", sep,
						       c->users[i].name);
					sep = ",";
				}
		gd_strbuf_addch(gr, '\n');
	}
	return 0;
}

/* gd-init's configuration of node index: the hook's services (the job
 * system's daemons) first, then the role's own.  A heap string, or NULL
 * when out of memory. */
static char *services_text(const gd_cluster *c, size_t index,
			   const gd_node_hook *hook, const gd_strv *script)
{
	static const char *const restarts[] = {"always", "on-failure", "never"};
	const gd_node *n = &c->nodes[index];
	const gd_role *role = &c->roles[n->role];
	char *text = NULL;
	size_t len = 0;
	FILE *s = open_memstream(&text, &len);
	if (!s)
		return NULL;
	fprintf(s, "node %s\n", n->name);
	gd_provision_block(c, index, script, s);
	if (hook && hook->services)
		hook->services(hook->ctx, c, index, s);
	for (size_t i = 0; i < role->nservices; i++) {
		const gd_service *sv = &role->services[i];
		fprintf(s, "service %s\nrestart %s\n", sv->name,
			restarts[sv->restart]);
		fprintf(s,
			"min_interval_ms %lld\nbackoff_max_ms %lld\ngrace_ms %lld\nmax_restarts %u\n",
			(long long)sv->min_interval, (long long)sv->backoff_max,
			(long long)sv->grace, sv->max_restarts);
		unsigned uid, gid;
		gd_cluster_service_ids(c, &uid, &gid);
		if (sv->as_service_user)
			fprintf(s, "user %u %u\n", uid, gid);
		for (size_t k = 0; k < sv->nenv; k++)
			fprintf(s, "env %s=%s\n", sv->env_keys[k],
				sv->env_values[k]);
		for (size_t k = 0; k < sv->argv.n; k++)
			fprintf(s, "arg %s\n", sv->argv.v[k]);
		fprintf(s, "end\n");
	}
	fclose(s);
	return text;
}

int gd_node_write_files(const gd_cluster *c, size_t index, const char *dir,
			const char *rundir, const gd_node_hook *hook,
			const gd_strv *script, gd_error **err)
{
	const gd_node *n = &c->nodes[index];
	char line[512];
	int r;

	/* The service user and the team's accounts exist on nodes only,
	 * never on the host. */
	_cleanup_free_ char *host_pw = host_file_plus("/etc/passwd", "");
	_cleanup_free_ char *host_gr = host_file_plus("/etc/group", "");
	_cleanup_strbuf_ gd_strbuf pw = GD_STRBUF_INIT;
	_cleanup_strbuf_ gd_strbuf gr = GD_STRBUF_INIT;
	if (!host_pw || !host_gr)
		return gd_error_make(err, ENOMEM, "cannot build node files");
	if ((r = accounts_text(c, host_pw, host_gr, &pw, &gr, err)) < 0)
		return r;
	_cleanup_free_ char *passwd = host_file_plus("/etc/passwd", pw.buf);
	_cleanup_free_ char *group = host_file_plus("/etc/group", gr.buf);

	char *hosts_extra = NULL;
	size_t hlen = 0;
	FILE *h = open_memstream(&hosts_extra, &hlen);
	if (!h)
		return gd_error_make(err, ENOMEM, "cannot build /etc/hosts");
	fprintf(h,
		"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	for (size_t i = 0; i < c->nnodes; i++) {
		char a[INET_ADDRSTRLEN];
		struct in_addr addr = gd_node_addr(i);
		inet_ntop(AF_INET, &addr, a, sizeof(a));
		fprintf(h, "%s\t%s\n", a, c->nodes[i].name);
	}
	fclose(h);
	_cleanup_free_ char *hosts = hosts_extra;

	if (!passwd || !group || !hosts)
		return gd_error_make(err, ENOMEM, "cannot build node files");
	if ((r = write_text(dir, "etc/passwd", passwd, err)) < 0 ||
	    (r = write_text(dir, "etc/group", group, err)) < 0 ||
	    (r = write_text(dir, "etc/hosts", hosts, err)) < 0)
		return r;
	gd_pathf(line, sizeof(line), "%s\n", n->name);
	if ((r = write_text(dir, "etc/hostname", line, err)) < 0)
		return r;
	/* Clock faults: every dynamically linked process of the node loads
	 * libfaketime and reads the node's own offset, "+0" until a fault. */
	if (c->fake_clock && ((r = write_text(dir, "etc/ld.so.preload",
					      GD_LIBFAKETIME "\n", err)) < 0 ||
			      (r = write_text(dir, "etc/faketimerc",
					      GD_FAKETIMERC_ZERO, err)) < 0))
		return r;

	/* The supervisor's configuration: gd-init reads it at start. */
	_cleanup_free_ char *services = services_text(c, index, hook, script);
	if (!services)
		return gd_error_make(err, ENOMEM, "cannot build services");
	char gdir[PATH_MAX];
	gd_pathf(gdir, sizeof(gdir), "%s/etc/gameday", dir);
	if (mkdir(gdir, 0755) < 0 && errno != EEXIST)
		return gd_error_make(err, errno, "cannot create \"%s\"", gdir);
	r = write_text(dir, "etc/gameday/services", services, err);
	/* The team's files after gameday's and the job system's, as they
	 * would land on a machine: theirs may replace any of them. */
	if (r == 0 && hook && hook->node_files)
		r = hook->node_files(hook->ctx, c, index, dir, rundir, err);
	if (r == 0)
		r = gd_provision_files(c, index, dir, script, passwd, group,
				       err);
	return r;
}

/* ---- the child: only system calls from here to execve ---- */

/* What the child reports when a step fails (err != 0; EOF on the pipe
 * means execve worked), or, with err 0, that its new network namespace is
 * made. */
struct child_failure {
	int err;
	char what[200];
};

struct child_args {
	const char *name, *dir, *shared, *libexec;
	int go_fd, report_fd, events_fd;
	int go_w, report_r; /* the parent's ends, closed at once */
	int netns_fd;	    /* >= 0: join this network namespace */
};

static void child_fail(const struct child_args *a, const char *what)
{
	struct child_failure f = {errno, ""};
	snprintf(f.what, sizeof(f.what), "%s", what);
	ssize_t w = write(a->report_fd, &f, sizeof(f));
	(void)w;
	_exit(127);
}

/* Opens a source directory as an O_PATH fd, before any mount of the node
 * can hide it (the state directory may sit below /tmp or /srv). */
static int source(const struct child_args *a, const char *dir, const char *sub)
{
	char path[PATH_MAX];
	int len = snprintf(path, sizeof(path), "%s%s%s", dir, *sub ? "/" : "",
			   sub);
	if (len < 0 || (size_t)len >= sizeof(path))
		errno = ENAMETOOLONG;
	int fd = len < 0 || (size_t)len >= sizeof(path)
			 ? -1
			 : open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		child_fail(a, path);
	return fd;
}

static void bind_fd(const struct child_args *a, int fd, const char *target,
		    unsigned long extra)
{
	char src[64];
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		child_fail(a, target);
	if (extra &&
	    mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | extra, NULL) < 0)
		child_fail(a, target);
}

/* Makes mount target read-only (set) or writable again, below it too
 * when recursive. */
static void set_rdonly(const struct child_args *a, const char *target,
		       bool rdonly, bool recursive)
{
	struct mount_attr attr = {0};
	if (rdonly)
		attr.attr_set = MOUNT_ATTR_RDONLY;
	else
		attr.attr_clr = MOUNT_ATTR_RDONLY;
	if (mount_setattr(AT_FDCWD, target, recursive ? AT_RECURSIVE : 0, &attr,
			  sizeof(attr)) < 0)
		child_fail(a, target);
}

/* Each layer an overlay: the host's tree below, the node's changes in
 * its directory above; or, empty, the node's directory alone (bound from
 * the run's tmpfs, so nodev as the overlays). */
static void mount_layers(const struct child_args *a)
{
	for (size_t i = 0; i < gd_node_nlayers; i++) {
		const gd_node_layer *l = &gd_node_layers[i];
		char work[NAME_MAX], opts[256];
		snprintf(work, sizeof(work), "%s-work", l->name);
		int upper = source(a, a->dir, l->name);
		if (l->empty) {
			bind_fd(a, upper, l->at, 0);
			close(upper);
			continue;
		}
		int wfd = source(a, a->dir, work);
		snprintf(opts, sizeof(opts),
			 "lowerdir=%s,upperdir=/proc/self/fd/%d,"
			 "workdir=/proc/self/fd/%d",
			 l->at, upper, wfd);
		/* no device node a node makes there opens a host's disk */
		if (mount("overlay", l->at, "overlay", MS_NODEV, opts) < 0)
			child_fail(a, l->at);
		close(upper);
		close(wfd);
	}
}

/* The kernel's views of the node's own namespaces, mounted last: the
 * binds before them needed the host's /proc/self/fd. */
static void mount_kernel_views(const struct child_args *a)
{
	/* A sysfs of the node's own network namespace: /sys/class/net shows
	 * the node's links, not the host's (what 'ip netns exec' does).  The
	 * host's /sys goes first, with what is mounted below it (its
	 * cgroups among them), unless it is no mount point of its own. */
	if (umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL)
		child_fail(a, "unmount the host's /sys");
	/* Read-only: a write to /sys (a disk's queue, a kernel knob) would
	 * be the host's. */
	if (mount("sysfs", "/sys", "sysfs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) < 0)
		child_fail(a, "mount /sys");
	/* No cgroup of the host's is reachable from a node: an empty
	 * /sys/fs/cgroup (the node's own cgroup is gameday's to freeze and
	 * kill, from outside). */
	if (mount("tmpfs", "/sys/fs/cgroup", "tmpfs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
		child_fail(a, "tmpfs /sys/fs/cgroup");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		child_fail(a, "mount /proc");
	/* Most of /proc/sys is the host's kernel, whatever the pid
	 * namespace: a provisioning script's "sysctl -w" fails with EROFS
	 * rather than retune the host.  So does the sysrq trigger. */
	static const char *const host_knobs[] = {"/proc/sys",
						 "/proc/sysrq-trigger"};
	for (size_t i = 0; i < sizeof(host_knobs) / sizeof(host_knobs[0]); i++)
		if (mount(host_knobs[i], host_knobs[i], NULL, MS_BIND | MS_REC,
			  NULL) < 0
			    ? errno != ENOENT /* a kernel without */
			    : mount(NULL, host_knobs[i], NULL,
				    MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			child_fail(a, host_knobs[i]);
}

/* The devices a node's programs use, and no other: the host's disks are
 * not there, so a template's mkfs or dd finds nothing to overwrite.  Each
 * is the host's own device, bound; the terminals are the node's own. */
static void mount_dev(const struct child_args *a)
{
	static const char *const devs[] = {"null",   "zero",	"full",
					   "random", "urandom", "tty"};
	enum { NDEVS = sizeof(devs) / sizeof(devs[0]) };
	int fds[NDEVS];
	char path[32];
	for (size_t i = 0; i < NDEVS; i++) {
		snprintf(path, sizeof(path), "/dev/%s", devs[i]);
		fds[i] = open(path, O_PATH | O_CLOEXEC);
		if (fds[i] < 0)
			child_fail(a, path);
	}
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=64k") < 0)
		child_fail(a, "tmpfs /dev");
	for (size_t i = 0; i < NDEVS; i++) {
		snprintf(path, sizeof(path), "/dev/%s", devs[i]);
		int f = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
		if (f < 0)
			child_fail(a, path);
		close(f);
		bind_fd(a, fds[i], path, 0);
		close(fds[i]);
	}
	if (mkdir("/dev/pts", 0755) < 0 || mkdir("/dev/shm", 01777) < 0 ||
	    mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		child_fail(a, "devpts /dev/pts");
	static const char *const links[][2] = {
		{"pts/ptmx", "/dev/ptmx"},
		{"/proc/self/fd", "/dev/fd"},
		{"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"},
		{"/proc/self/fd/2", "/dev/stderr"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			child_fail(a, links[i][1]);
}

/* The node's local view of the file system (node.h), mounted by the child
 * in its own mount namespace: what a real machine keeps local over the
 * host's files, and the host's own read-only. */
static void mount_view(const struct child_args *a)
{
	/* Sources held open first: the node's mounts may hide them. */
	int run = source(a, a->dir, "run");
	int spool = source(a, a->dir, "spool");
	int log = source(a, a->dir, "log");
	int srv = source(a, a->dir, "srv");
	int scratch = source(a, a->dir, "scratch");
	int shared = source(a, a->shared, "");
	int libexec = source(a, a->libexec, "");
	mount_layers(a);
	bind_fd(a, run, "/run", 0);
	bind_fd(a, spool, "/var/spool", 0);
	bind_fd(a, log, "/var/log", 0);
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") <
	    0)
		child_fail(a, "tmpfs /tmp");
	mount_dev(a);
	if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=1777") < 0)
		child_fail(a, "tmpfs /dev/shm");
	bind_fd(a, srv, "/srv", 0);
	/* Made at the node's first boot, found at the next. */
	static const char *const srv_dirs[] = {
		GD_NS_NODE_SHARED, GD_NS_NODE_SCRATCH, GD_NS_NODE_PROGRAMS};
	for (size_t i = 0; i < sizeof(srv_dirs) / sizeof(srv_dirs[0]); i++)
		if (mkdir(srv_dirs[i], 0755) < 0 && errno != EEXIST)
			child_fail(a, srv_dirs[i]);
	bind_fd(a, shared, GD_NS_NODE_SHARED, 0);
	bind_fd(a, scratch, GD_NS_NODE_SCRATCH, 0);
	bind_fd(a, libexec, GD_NS_NODE_PROGRAMS, MS_RDONLY | MS_NOSUID);
	/* Everything else is the host's, and no node may change it: a
	 * provisioning script writing to /usr fails with EROFS instead.
	 * Then the node's own mounts are made writable again. */
	set_rdonly(a, "/", true, true);
	for (size_t i = 0; i < gd_node_nlayers; i++)
		set_rdonly(a, gd_node_layers[i].at, false, false);
	static const char *const own[] = {
		"/run", "/var/spool",	   "/var/log",
		"/tmp", "/dev/shm",	   "/dev/pts",
		"/srv", GD_NS_NODE_SHARED, GD_NS_NODE_SCRATCH};
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		set_rdonly(a, own[i], false, false);
	mount_kernel_views(a);
}

static __attribute__((noreturn)) void child(const struct child_args *a)
{
	/* 1. A new node makes its own network namespace, here rather than in
	 * clone3: the kernel's work of making one (a third of a node's start)
	 * then runs on another core while the parent clones the next node.
	 * It says so with an empty report.  Then it waits until the parent
	 * has wired the network; with the parent's end of the pipe closed
	 * here, the parent's death reads as EOF. */
	close(a->go_w);
	close(a->report_r);
	if (a->netns_fd < 0) {
		if (unshare(CLONE_NEWNET) < 0)
			child_fail(a, "create the node's network namespace");
		int r = gd_netns_ipv4_only();
		if (r < 0) {
			errno = -r;
			child_fail(a, "turn off IPv6 addresses in the node's "
				      "network namespace");
		}
		struct child_failure made = {0, ""};
		if (write(a->report_fd, &made, sizeof(made)) != sizeof(made))
			_exit(127);
	}
	char go;
	if (read(a->go_fd, &go, 1) != 1)
		_exit(127); /* the parent died: nothing to report to */
	if (a->netns_fd >= 0 && setns(a->netns_fd, CLONE_NEWNET) < 0)
		child_fail(a, "join the node's network namespace");

	/* 2. Nothing mounted here may reach the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(a, "make / private");

	/* 3. The node's local view of the file system. */
	mount_view(a);

	/* 4. Its name. */
	if (sethostname(a->name, strlen(a->name)) < 0)
		child_fail(a, "sethostname");

	/* 5. No process of the node may load a kernel module, set the
	 * host's clock, clear its kernel log or reach its ports and memory
	 * directly: whatever a team's script or service tries, those are the
	 * host's alone. */
	static const int host_caps[] = {CAP_SYS_MODULE, CAP_SYS_TIME,
					CAP_SYSLOG, CAP_SYS_RAWIO};
	for (size_t i = 0; i < sizeof(host_caps) / sizeof(host_caps[0]); i++)
		if (prctl(PR_CAPBSET_DROP, host_caps[i], 0, 0, 0) < 0)
			child_fail(a, "drop the host's capabilities");

	/* 6. gd-init, with the event log as fd 3 and no signal blocked
	 * (gameday blocks a few while it builds the cluster). */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(a->events_fd, 3) < 0)
		child_fail(a, "dup2 events");
	/* The node holds nothing of its creator's: not its terminal or
	 * pipes (a 'cluster up | tail' would never end), nor any other fd. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0)
		child_fail(a, "/dev/null");
	if (syscall(SYS_close_range, 4U, ~0U, 0U) < 0)
		child_fail(a, "close_range");
	char *argv[] = {GD_NS_NODE_PROGRAMS "/gd-init", "/etc/gameday/services",
			NULL};
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	execve(argv[0], argv, envp);
	child_fail(a, "execve " GD_NS_NODE_PROGRAMS "/gd-init");
	_exit(127);
}

static pid_t clone_into(int cgroup_fd, uint64_t flags)
{
	struct clone_args ca = {
		.flags = flags | CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
}

/* Wires a new node's network namespace to the bridge.  The namespace is
 * not pinned: its processes hold it, and a bind mount per node in the
 * host's mount table would make every later clone copy them all
 * (copy_mnt_ns), quadratic in the cluster's size.  Stopping a node pins it
 * first. */
static int wire_network(gd_nl *sw, int bridge_index, size_t index, pid_t pid,
			gd_error **err)
{
	char nsfile[64], veth[IFNAMSIZ];
	gd_pathf(nsfile, sizeof(nsfile), "/proc/%d/ns/net", (int)pid);
	_cleanup_close_ int nsfd = open(nsfile, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"", nsfile);
	gd_pathf(veth, sizeof(veth), "gd-n%zu", index);
	/* Indexes chosen here save a lookup per call: in a new node lo is 1
	 * and eth0 will be 2.  (Creating the peer already up fails with this
	 * kernel, so it is brought up by index.) */
	int sw_index = 1000 + (int)index;
	uint8_t mac[6];
	gd_node_mac(index, mac);
	int r = gd_nl_veth_add(sw, veth, sw_index, bridge_index, "eth0", 2,
			       nsfd, mac, err);
	if (r == 0)
		r = gd_nl_link_up(sw, sw_index, err);
	if (r < 0)
		return r;
	gd_nl *nl = NULL;
	r = gd_nl_open(nsfd, &nl, err);
	if (r < 0)
		return r;
	r = gd_nl_link_up(nl, 1, err);
	if (r == 0)
		r = gd_nl_addr_add(nl, 2, gd_node_addr(index), GD_SUBNET_PREFIX,
				   err);
	if (r == 0)
		r = gd_nl_link_up(nl, 2, err);
	gd_nl_close(nl);
	return r;
}

/* Starts gd-init for a node in its cgroup: in a new network namespace
 * the child makes (netns_fd < 0; gd_node_wire() then connects it) or in
 * the node's existing one.  Returns with the child waiting for its "go",
 * which gd_node_wire() gives, so the caller can start the next node
 * meanwhile. */
static int launch(gd_ledger *ledger, const char *name, gd_node_rt *node,
		  const char *rundir, const char *libexec, int netns_fd,
		  int events_fd, gd_error **err)
{
	_cleanup_close_ int cgfd =
		open(node->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return gd_error_make(err, errno, "cannot open cgroup \"%s\"",
				     node->cgroup);
	int go[2], report[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return gd_error_make(err, errno, "cannot create a pipe");
	if (pipe2(report, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return gd_error_make(err, errno, "cannot create a pipe");
	}
	char shared[PATH_MAX];
	gd_pathf(shared, sizeof(shared), "%s/" GD_NS_SHARED, rundir);
	struct child_args a = {
		.name = name,
		.dir = node->dir,
		.shared = shared,
		.libexec = libexec,
		.go_fd = go[0],
		.report_fd = report[1],
		.events_fd = events_fd,
		.go_w = go[1],
		.report_r = report[0],
		.netns_fd = netns_fd,
	};

	/* Straight into the node's cgroup: from its first instruction a
	 * 'cgroup.kill' of the node takes it, whatever happens to us. */
	pid_t pid = clone_into(cgfd, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
					     CLONE_NEWCGROUP | CLONE_NEWIPC);
	if (pid == 0)
		child(&a);
	int clone_errno = errno;
	close(go[0]);
	close(report[1]);
	_cleanup_close_ int go_w = go[1];
	_cleanup_close_ int report_r = report[0];
	if (pid < 0)
		return gd_error_make(
			err, clone_errno, "cannot create node \"%s\"%s", name,
			clone_errno == EPERM ? " (needs root)" : "");

	node->init_pid = pid;
	node->init_start = gd_process_start_time(pid);
	int r = gd_ledger_add(ledger, GD_LEDGER_PROCESS, NULL, pid,
			      node->init_start, err);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return gd_error_prefix(err, "node \"%s\"", name);
	}
	node->go_fd = TAKE_FD(go_w);
	node->pending_fd = TAKE_FD(report_r);
	return 0;
}

/* Reads the child's report; 1 when it says its network namespace is
 * made, 0 at EOF (execve worked), < 0 with its failure. */
static int child_report(gd_node_rt *node, gd_error **err)
{
	struct child_failure f;
	ssize_t got;
	while ((got = read(node->pending_fd, &f, sizeof(f))) < 0 &&
	       errno == EINTR)
		;
	if (got == (ssize_t)sizeof(f) && f.err == 0)
		return 1;
	close(node->pending_fd);
	node->pending_fd = -1;
	if (got == (ssize_t)sizeof(f)) {
		waitpid(node->init_pid, NULL, 0);
		return gd_error_make(err, f.err, "node \"%s\": %s", node->name,
				     f.what);
	}
	return 0;
}

int gd_node_wire(gd_node_rt *node, size_t index, gd_nl *sw, int bridge_index,
		 gd_error **err)
{
	if (node->go_fd < 0)
		return 0;
	_cleanup_close_ int go_w = TAKE_FD(node->go_fd);
	int r = 0;
	if (sw) {
		r = child_report(node, err);
		if (r < 0)
			return r; /* the child's failure; it is reaped */
		if (r == 0)
			r = gd_error_make(err, ECHILD,
					  "its init ended at once");
		else
			r = wire_network(sw, bridge_index, index,
					 node->init_pid, err);
	}
	if (r < 0) {
		kill(node->init_pid, SIGKILL);
		waitpid(node->init_pid, NULL, 0);
		if (node->pending_fd >= 0)
			close(node->pending_fd);
		node->pending_fd = -1;
		return gd_error_prefix(err, "node \"%s\"", node->name);
	}
	if (write(go_w, "g", 1) != 1)
		return gd_error_make(err, errno, "node \"%s\": cannot start it",
				     node->name);
	/* The child now mounts and execs on its own. */
	return 0;
}

int gd_node_started(gd_node_rt *node, gd_error **err)
{
	if (node->pending_fd < 0)
		return 0;
	int r = child_report(node, err);
	if (r == 1) {
		/* Only gd_node_wire() expects that report. */
		close(node->pending_fd);
		node->pending_fd = -1;
		return gd_error_make(err, EPROTO, "node \"%s\": garbled start",
				     node->name);
	}
	return r;
}

int gd_node_restart(gd_ledger *ledger, gd_node_rt *node, size_t index,
		    const char *rundir, const char *switch_netns,
		    const char *bridge, const char *libexec, int events_fd,
		    gd_error **err)
{
	int r;
	_cleanup_close_ int nsfd = open(node->netns, O_RDONLY | O_CLOEXEC);
	if (nsfd >= 0) {
		/* Namespaces kept: the node comes back on its old link. */
		r = launch(ledger, node->name, node, rundir, libexec, nsfd,
			   events_fd, err);
		if (r == 0)
			r = gd_node_wire(node, index, NULL, 0, err);
		return r < 0 ? r : gd_node_started(node, err);
	}
	if (errno != ENOENT)
		return gd_error_make(err, errno, "cannot open \"%s\"",
				     node->netns);

	/* Namespaces released: a new network namespace, wired again. */
	_cleanup_close_ int swfd = open(switch_netns, O_RDONLY | O_CLOEXEC);
	if (swfd < 0)
		return gd_error_make(err, errno, "cannot open \"%s\"",
				     switch_netns);
	gd_nl *sw = NULL;
	r = gd_nl_open(swfd, &sw, err);
	if (r < 0)
		return r;
	int bridge_index;
	r = gd_nl_ifindex(sw, bridge, &bridge_index, err);
	if (r == 0)
		r = launch(ledger, node->name, node, rundir, libexec, -1,
			   events_fd, err);
	if (r == 0)
		r = gd_node_wire(node, index, sw, bridge_index, err);
	gd_nl_close(sw);
	return r < 0 ? r : gd_node_started(node, err);
}

/* A node's directories: its own, each layer's two, and those bound in
 * its view (inside the run directory, already ledgered). */
int gd_node_make_layers(const char *dir, gd_error **err)
{
	char p[PATH_MAX];
	for (size_t i = 0; i < gd_node_nlayers; i++)
		for (int w = 0; w < 2; w++) {
			gd_pathf(p, sizeof(p), "%s/%s%s", dir,
				 gd_node_layers[i].name, w ? "-work" : "");
			if (mkdir(p, 0755) < 0)
				return gd_error_make(err, errno,
						     "cannot create \"%s\"", p);
		}
	return 0;
}

int gd_node_make_dirs(const char *dir, gd_error **err)
{
	static const char *const own[] = {"",	  "/run",     "/spool",
					  "/log", "/scratch", "/srv"};
	char p[PATH_MAX];
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		gd_pathf(p, sizeof(p), "%s%s", dir, own[i]);
		if (mkdir(p, 0755) < 0)
			return gd_error_make(err, errno, "cannot create \"%s\"",
					     p);
	}
	int r = gd_node_make_layers(dir, err);
	if (r < 0)
		return r;
	gd_pathf(p, sizeof(p), "%s/scratch", dir);
	if (chmod(p, 01777) < 0)
		return gd_error_make(err, errno, "cannot chmod \"%s\"", p);
	return 0;
}

int gd_node_start(gd_run *run, const gd_cluster *c, size_t index,
		  const char *libexec, const gd_node_hook *hook, int events_fd,
		  gd_node_rt *out, gd_error **err)
{
	const gd_node *n = &c->nodes[index];
	memset(out, 0, sizeof(*out));
	out->pending_fd = -1;
	out->go_fd = -1;
	out->root_fd = -1;
	gd_pathf(out->name, sizeof(out->name), "%s", n->name);
	gd_pathf(out->role, sizeof(out->role), "%s", c->roles[n->role].name);
	struct in_addr addr = gd_node_addr(index);
	inet_ntop(AF_INET, &addr, out->addr, sizeof(out->addr));
	gd_pathf(out->dir, sizeof(out->dir), "%s/nodes/%s", run->dir, n->name);
	gd_pathf(out->cgroup, sizeof(out->cgroup), "%s/%s", run->cgroup,
		 n->name);
	gd_pathf(out->netns, sizeof(out->netns), "%s/ns/%s.net", run->dir,
		 n->name);

	/* Its directories (inside the run directory, already ledgered). */
	int r = gd_node_make_dirs(out->dir, err);
	if (r < 0)
		return r;
	r = gd_node_write_files(c, index, out->dir, run->dir, hook, NULL, err);
	if (r < 0)
		return r;

	r = gd_run_cgroup(run, out->cgroup, err);
	if (r < 0)
		return r;
	return launch(run->ledger, c->nodes[index].name, out, run->dir, libexec,
		      -1, events_fd, err);
}
