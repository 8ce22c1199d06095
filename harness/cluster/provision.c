#include "cluster/provision.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/strbuf.h"
#include "cluster/cluster.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool gd_provision_has(const gd_cluster *c, size_t index)
{
	return c->roles[c->nodes[index].role].provision.n > 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

void gd_provision_block(const gd_cluster *c, size_t index, FILE *out)
{
	if (!gd_provision_has(c, index))
		return;
	const gd_node *n = &c->nodes[index];
	const gd_role *role = &c->roles[n->role];
	fprintf(out, "provision\nenv GAMEDAY_NODE=%s\nenv GAMEDAY_ROLE=%s\n",
		n->name, role->name);
	fprintf(out, "arg %s/%s\n", GD_PROVISION_DIR,
		base_name(role->provision.v[0]));
	for (size_t k = 1; k < role->provision.n; k++)
		fprintf(out, "arg %s\n", role->provision.v[k]);
	fprintf(out, "end\n");
}

/* Field number field (2: a passwd's uid or a group's gid, 3: a passwd's
 * gid) of name's line in a passwd or group text, as the node itself
 * resolves it; a number stands for itself. */
static bool lookup_id(const char *text, const char *name, int field,
		      unsigned *id)
{
	char *end;
	unsigned long v = strtoul(name, &end, 10);
	if (*name && !*end && v < 0xffffffffUL) {
		*id = (unsigned)v;
		return field != 3;
	}
	size_t len = strlen(name);
	for (const char *l = text; l && *l;) {
		if (strncmp(l, name, len) == 0 && l[len] == ':') {
			const char *f = l + len;
			for (int k = 1; k < field && f; k++)
				f = strchr(f + 1, ':');
			return f && sscanf(f + 1, "%u", id) == 1;
		}
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return false;
}

static int copy_role_file(const gd_role_file *f, const char *dir,
			  const char *passwd, const char *group, gd_error **err)
{
	size_t at_len;
	const char *sub = gd_node_place(f->to, &at_len);
	if (!sub)
		return gd_error_set(
			err, EROFS,
			"%s: \"%s\" is not in a node's own files (its layers over /etc, /opt, /usr/local, /home, /root and /var, or /srv): the rest is the host's, read-only in nodes",
			f->path, f->to);
	unsigned uid = 0, gid = 0;
	if (f->owner && !lookup_id(passwd, f->owner, 2, &uid))
		return gd_error_set(
			err, ENOENT,
			"%s.owner: no user \"%s\" in the node's /etc/passwd",
			f->path, f->owner);
	if (f->group && !lookup_id(group, f->group, 2, &gid))
		return gd_error_set(
			err, ENOENT,
			"%s.owner: no group \"%s\" in the node's /etc/group",
			f->path, f->group);
	/* "user" alone: the user's own group, or its number again */
	if (f->owner && !f->group && !lookup_id(passwd, f->owner, 3, &gid))
		gid = uid;
	char to[PATH_MAX];
	gd_pathf(to, sizeof(to), "%s/%s%s", dir, sub, f->to + at_len);
	if (gd_copy_tree(f->from, to, uid, gid, f->mode, NULL, err) < 0)
		return gd_error_prefix(err, "%s", f->path);
	return 0;
}

int gd_provision_files(const gd_cluster *c, size_t index, const char *dir,
		       const char *passwd, const char *group, gd_error **err)
{
	const gd_role *role = &c->roles[c->nodes[index].role];
	for (size_t i = 0; i < role->nfiles; i++) {
		int r = copy_role_file(&role->files[i], dir, passwd, group,
				       err);
		if (r < 0)
			return r;
	}
	if (!role->provision.n)
		return 0;
	/* GD_PROVISION_DIR in the node's own /run, DIR/run */
	char to[PATH_MAX];
	gd_pathf(to, sizeof(to), "%s/run/gameday/provision/%s", dir,
		 base_name(role->provision.v[0]));
	return gd_copy_tree(role->provision.v[0], to, 0, 0, 0755, NULL, err);
}

/* The last lines of a node's provisioning output, indented. */
static void output_tail(const gd_node_rt *n, unsigned boot, gd_strbuf *out)
{
	char path[64];
	snprintf(path, sizeof(path), "/var/log/gameday/provision/%u.log", boot);
	_cleanup_error_ gd_error *e = NULL;
	_cleanup_free_ char *text = gd_node_read(n, path, &e);
	if (!text || !*text) {
		gd_strbuf_addf(out, "; it printed nothing");
		return;
	}
	size_t len = strlen(text);
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	const char *from = text + len;
	for (int lines = 0; from > text; from--)
		if (from[-1] == '\n' && ++lines == 20)
			break;
	gd_strbuf_addf(out, "; its output%s (%s):", from > text ? " ends" : "",
		       path);
	for (const char *l = from; l && *l;) {
		const char *nl = strchr(l, '\n');
		int w = nl ? (int)(nl - l) : (int)strlen(l);
		gd_strbuf_addf(out, "\n  | %.*s", w, l);
		l = nl ? nl + 1 : NULL;
	}
}

/* 1 when node n has provisioned at a boot after the last one seen
 * (*boot, *status: which, and its exit status), 0 not yet. */
static int provisioned(const gd_node_rt *n, unsigned *boot, int *status)
{
	_cleanup_error_ gd_error *e = NULL;
	_cleanup_free_ char *text =
		gd_node_read(n, "/run/gameday/provisioned", &e);
	return text && sscanf(text, "%u %d", boot, status) == 2 &&
	       *boot > n->provisioned_boot;
}

static long since_ms(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int gd_provision_wait(const gd_cluster *c, size_t index, gd_node_rt *n,
		      int timeout_ms, gd_error **err)
{
	if (!gd_provision_has(c, index))
		return 0;
	const gd_role *role = &c->roles[c->nodes[index].role];
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned boot;
	int status;
	while (!provisioned(n, &boot, &status)) {
		if (since_ms(&t0) > timeout_ms)
			return gd_error_set(
				err, ETIMEDOUT,
				"node %s: its provisioning script (%s) did not end within %d s",
				n->name, role->provision.v[0],
				timeout_ms / 1000);
		struct timespec pause = {0, 50 * 1000000L};
		nanosleep(&pause, NULL);
	}
	n->provisioned_boot = boot;
	if (status == 0)
		return 0;
	_cleanup_strbuf_ gd_strbuf why = GD_STRBUF_INIT;
	output_tail(n, boot, &why);
	return gd_error_set(
		err, EIO,
		"node %s: its provisioning script (%s, %s) exited with status %d at boot %u%s",
		n->name, role->provision.v[0], role->provision_path, status,
		boot, why.buf);
}
