#include "cluster/provision.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/passwd.h"
#include "base/strbuf.h"
#include "cluster/cluster.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const gd_strv *script_of(const gd_cluster *c, size_t index,
				const gd_strv *script)
{
	const gd_strv *role = &c->roles[c->nodes[index].role].provision;
	return script ? script : role->n ? role : NULL;
}

bool gd_provision_has(const gd_cluster *c, size_t index, const gd_node_rt *n)
{
	return script_of(c, index, n->renewed) != NULL;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Where script is copied in the node: a renewed node's beside its
 * role's, which its kept files still name. */
static void script_path(const gd_strv *script, bool renewed, char *buf,
			size_t size)
{
	gd_pathf(buf, size, "%s/%s%s", GD_PROVISION_DIR,
		 renewed ? "renewed/" : "", base_name(script->v[0]));
}

void gd_provision_block(const gd_cluster *c, size_t index,
			const gd_strv *script, FILE *out)
{
	const gd_strv *argv = script_of(c, index, script);
	if (!argv)
		return;
	const gd_node *n = &c->nodes[index];
	char path[PATH_MAX];
	script_path(argv, script != NULL, path, sizeof(path));
	fprintf(out, "provision\nenv GAMEDAY_NODE=%s\nenv GAMEDAY_ROLE=%s\n",
		n->name, c->roles[n->role].name);
	fprintf(out, "arg %s\n", path);
	for (size_t k = 1; k < argv->n; k++)
		fprintf(out, "arg %s\n", argv->v[k]);
	fprintf(out, "end\n");
}

/* Number k (0: a passwd's uid or a group's gid, 1: a passwd's gid) of
 * name's account in a passwd or group text, as the node itself resolves
 * it; a number stands for itself (as a uid or gid, not for the gid of a
 * user). */
static bool lookup_id(const char *text, const char *name, int k, unsigned *id)
{
	char *end;
	unsigned long v = strtoul(name, &end, 10);
	if (*name && !*end && v < 0xffffffffUL) {
		*id = (unsigned)v;
		return k == 0;
	}
	const char *line = gd_passwd_line(text, name);
	char found[64];
	unsigned ids[2];
	if (!line || gd_passwd_parse(line, found, sizeof(found), ids) <= k)
		return false;
	*id = ids[k];
	return true;
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
	if (f->owner && !lookup_id(passwd, f->owner, 0, &uid))
		return gd_error_set(
			err, ENOENT,
			"%s.owner: no user \"%s\" in the node's /etc/passwd",
			f->path, f->owner);
	if (f->group && !lookup_id(group, f->group, 0, &gid))
		return gd_error_set(
			err, ENOENT,
			"%s.owner: no group \"%s\" in the node's /etc/group",
			f->path, f->group);
	/* "user" alone: the user's own group, or its number again */
	if (f->owner && !f->group && !lookup_id(passwd, f->owner, 1, &gid))
		gid = uid;
	char to[PATH_MAX];
	gd_pathf(to, sizeof(to), "%s/%s%s", dir, sub, f->to + at_len);
	if (gd_copy_tree(f->from, to, uid, gid, f->mode, NULL, err) < 0)
		return gd_error_prefix(err, "%s", f->path);
	return 0;
}

int gd_provision_files(const gd_cluster *c, size_t index, const char *dir,
		       const gd_strv *script, const char *passwd,
		       const char *group, gd_error **err)
{
	const gd_role *role = &c->roles[c->nodes[index].role];
	for (size_t i = 0; i < role->nfiles; i++) {
		int r = copy_role_file(&role->files[i], dir, passwd, group,
				       err);
		if (r < 0)
			return r;
	}
	const gd_strv *argv = script_of(c, index, script);
	if (!argv)
		return 0;
	/* GD_PROVISION_DIR in the node's /etc layer, DIR/etc */
	char path[PATH_MAX], to[PATH_MAX];
	script_path(argv, script != NULL, path, sizeof(path));
	gd_pathf(to, sizeof(to), "%s%s", dir, path);
	return gd_copy_tree(argv->v[0], to, 0, 0, 0755, NULL, err);
}

/* What a script that failed did: its name, where the scenario names it
 * (the role's), its status, the boot. */
static void failure_text(const gd_cluster *c, size_t index, const gd_node_rt *n,
			 int status, gd_strbuf *out)
{
	const gd_strv *argv = script_of(c, index, n->renewed);
	gd_strbuf_addf(
		out,
		"its provisioning script (%s%s%s) exited with status %d at boot %u",
		argv->v[0], n->renewed ? "" : ", ",
		n->renewed ? "" : c->roles[c->nodes[index].role].provision_path,
		status, n->provisioned_boot);
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

/* 1 when node n has provisioned at this boot (*boot, *status: its
 * number, and the script's exit status), 0 not yet: the gd-init that
 * wrote the file is the one running now. */
static int provisioned(const gd_node_rt *n, unsigned *boot, int *status)
{
	_cleanup_error_ gd_error *e = NULL;
	_cleanup_free_ char *text =
		gd_node_read(n, "/run/gameday/provisioned", &e);
	unsigned long long start;
	return text && sscanf(text, "%u %d %llu", boot, status, &start) == 3 &&
	       start == n->init_start;
}

static long since_ms(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int gd_provision_wait(const gd_cluster *c, size_t index, gd_node_rt *n,
		      int timeout_ms, int *ended, gd_error **err)
{
	if (ended)
		*ended = -1;
	if (!gd_provision_has(c, index, n))
		return 0;
	const gd_strv *argv = script_of(c, index, n->renewed);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned boot;
	int status;
	while (!provisioned(n, &boot, &status)) {
		/* held by the caller, not handled: a script may take minutes */
		sigset_t pending;
		sigpending(&pending);
		if (sigismember(&pending, SIGINT) ||
		    sigismember(&pending, SIGTERM))
			return gd_error_set(
				err, EINTR,
				"interrupted while node %s was provisioned",
				n->name);
		if (!gd_node_running(n))
			return gd_error_set(
				err, EIO,
				"node %s went down while it was provisioned",
				n->name);
		if (since_ms(&t0) > timeout_ms)
			return gd_error_set(
				err, ETIMEDOUT,
				"node %s: its provisioning script (%s) did not end within %d s",
				n->name, argv->v[0], timeout_ms / 1000);
		struct timespec pause = {0, 50 * 1000000L};
		nanosleep(&pause, NULL);
	}
	n->provisioned_boot = boot;
	if (ended)
		*ended = status;
	if (status == 0)
		return 0;
	_cleanup_strbuf_ gd_strbuf why = GD_STRBUF_INIT;
	failure_text(c, index, n, status, &why);
	output_tail(n, boot, &why);
	return gd_error_set(err, EIO, "node %s: %s", n->name, why.buf);
}

void gd_provision_failure(const gd_cluster *c, size_t index,
			  const gd_node_rt *n, int status, gd_strbuf *out)
{
	failure_text(c, index, n, status, out);
	char path[64];
	snprintf(path, sizeof(path), "/var/log/gameday/provision/%u.log",
		 n->provisioned_boot);
	_cleanup_error_ gd_error *e = NULL;
	_cleanup_free_ char *text = gd_node_read(n, path, &e);
	size_t len = text ? strlen(text) : 0;
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	const char *last = len ? strrchr(text, '\n') : NULL;
	if (len)
		gd_strbuf_addf(out, "; it last said: %s",
			       last ? last + 1 : text);
}

/* ---- a node renewed by a changed return, and what that changed ---- */

static void layer_dir(const gd_node_rt *n, size_t i, bool work, char *buf,
		      size_t size)
{
	gd_pathf(buf, size, "%s/%s%s", n->dir, gd_node_layers[i].name,
		 work ? "-work" : "");
}

void gd_provision_aside(const gd_node_rt *n, const char *what, char *buf,
			size_t size)
{
	/* ".NAME.what": no node's name starts with a dot */
	const char *slash = strrchr(n->dir, '/');
	gd_pathf(buf, size, "%.*s/.%s.%s", (int)(slash - n->dir), n->dir,
		 slash + 1, what);
}

/* A node's files are changed only with no process of it left (its init
 * may not be reaped yet: the kernel empties its cgroup first). */
static int still_up(const gd_node_rt *n, gd_error **err)
{
	bool any = true;
	int r = gd_node_populated(n, &any, err);
	if (r == 0 && any)
		r = gd_error_set(err, EBUSY,
				 "node \"%s\" is up: its files stay", n->name);
	return r;
}

/* Moves node directory from's layer i (both its folders) to to's. */
static int move_layer(const char *from, const char *to, size_t i,
		      gd_error **err)
{
	for (int w = 0; w < 2; w++) {
		char a[PATH_MAX], b[PATH_MAX];
		gd_pathf(a, sizeof(a), "%s/%s%s", from, gd_node_layers[i].name,
			 w ? "-work" : "");
		gd_pathf(b, sizeof(b), "%s/%s%s", to, gd_node_layers[i].name,
			 w ? "-work" : "");
		if (rename(a, b) < 0)
			return gd_error_make(err, errno, "cannot move \"%s\"",
					     a);
	}
	return 0;
}

/* The node's files are written whole into a fresh directory beside its
 * own, and only its layers moved in: its /run, /var/log and the rest
 * have been in the hands of the node's root, and a link planted there
 * must never lead gameday's writes to the host. */
int gd_provision_renew(const gd_cluster *c, size_t index, gd_node_rt *n,
		       const gd_node_hook *hook, const char *rundir,
		       const gd_strv *script, gd_error **err)
{
	int r = still_up(n, err);
	if (r < 0)
		return r;
	char fresh[PATH_MAX], kept[PATH_MAX];
	gd_provision_aside(n, "renewing", fresh, sizeof(fresh));
	gd_provision_aside(n, "kept", kept, sizeof(kept));
	if ((r = gd_remove_tree(fresh, false, err)) < 0 ||
	    (r = gd_node_make_dirs(fresh, err)) < 0 ||
	    (r = gd_node_write_files(c, index, fresh, rundir, hook, script,
				     err)) < 0)
		return r;
	/* Renewed again: the kept layers stay (the node as it was). */
	bool again = access(kept, F_OK) == 0;
	if (!again && mkdir(kept, 0700) < 0)
		return gd_error_make(err, errno, "cannot create \"%s\"", kept);
	for (size_t i = 0; i < gd_node_nlayers && r == 0; i++) {
		r = again ? 0 : move_layer(n->dir, kept, i, err);
		if (r == 0 && again) {
			char cur[PATH_MAX];
			for (int w = 0; w < 2 && r == 0; w++) {
				layer_dir(n, i, w, cur, sizeof(cur));
				r = gd_remove_tree(cur, false, err);
			}
		}
		if (r == 0)
			r = move_layer(fresh, n->dir, i, err);
	}
	if (r == 0)
		r = gd_remove_tree(fresh, false, err);
	if (r == 0)
		n->renewed = script;
	return r;
}

int gd_provision_restore(gd_node_rt *n, gd_error **err)
{
	int r = still_up(n, err);
	if (r < 0)
		return r;
	char kept[PATH_MAX];
	gd_provision_aside(n, "kept", kept, sizeof(kept));
	if (access(kept, F_OK) < 0) {
		n->renewed = NULL;
		return 0;
	}
	for (size_t i = 0; i < gd_node_nlayers && r == 0; i++) {
		char cur[PATH_MAX];
		for (int w = 0; w < 2 && r == 0; w++) {
			layer_dir(n, i, w, cur, sizeof(cur));
			r = gd_remove_tree(cur, false, err);
		}
		if (r == 0)
			r = move_layer(kept, n->dir, i, err);
	}
	if (r == 0)
		r = gd_remove_tree(kept, false, err);
	if (r == 0)
		n->renewed = NULL;
	return r;
}
