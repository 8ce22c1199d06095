/* What a renewed node's layers differ in from the ones kept aside
 * (provision.h, gd_provision_changes): the evidence of a changed return
 * by another provisioning script, so a reviewer sees the difference
 * without reading either script.  Both sides were written over the same
 * host tree, so comparing what each layer holds is comparing the nodes. */
#include "cluster/provision.h"

#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/passwd.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* How deep a layer is compared: deeper is a tree no template makes. */
#define GD_DIFF_DEPTH 32

struct item {
	char *path; /* as the node sees it */
	char type;  /* f d l, w: a host file the node deleted, o: other */
	unsigned uid, gid, mode;
};

struct items {
	struct item *v;
	size_t n, cap;
};

/* Compared by their content instead, as accounts; or gameday's own. */
static bool skipped(const char *path)
{
	static const char *const skip[] = {"/etc/passwd", "/etc/group",
					   "/etc/shadow", "/etc/gshadow",
					   "/etc/gameday"};
	for (size_t i = 0; i < GD_ARRAY_SIZE(skip); i++) {
		size_t len = strlen(skip[i]);
		if (!strncmp(path, skip[i], len) &&
		    (!path[len] || path[len] == '/'))
			return true;
	}
	return false;
}

static char type_of(const struct stat *st)
{
	if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0))
		return 'w'; /* overlayfs's whiteout */
	return S_ISREG(st->st_mode)   ? 'f'
	       : S_ISDIR(st->st_mode) ? 'd'
	       : S_ISLNK(st->st_mode) ? 'l'
				      : 'o';
}

static bool grow(struct items *out)
{
	if (out->n < out->cap)
		return true;
	size_t cap = out->cap ? 2 * out->cap : 64;
	struct item *v = realloc(out->v, cap * sizeof(*v));
	if (!v)
		return false;
	out->v = v;
	out->cap = cap;
	return true;
}

/* A layer's tree, walked by descriptor (the node's root may be changing
 * it: no link is followed) to a bounded depth, its paths on the heap
 * (the fault player's thread has a small stack). */
static void collect(int dfd, const char *at, int depth, struct items *out)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *node = NULL;
		struct stat st;
		if (asprintf(&node, "%s/%s", at, e->d_name) < 0)
			break;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    skipped(node) || !grow(out)) {
			free(node);
			continue;
		}
		out->v[out->n++] = (struct item){node, type_of(&st), st.st_uid,
						 st.st_gid, st.st_mode & 07777};
		if (!S_ISDIR(st.st_mode) || depth >= GD_DIFF_DEPTH)
			continue;
		int sub =
			openat(dirfd(d), e->d_name,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			collect(sub, node, depth + 1, out);
	}
	closedir(d);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->path,
		      ((const struct item *)b)->path);
}

static void layers_of(const gd_node_rt *n, bool kept, struct items *out)
{
	char root[PATH_MAX];
	if (kept)
		gd_provision_aside(n, "kept", root, sizeof(root));
	else
		gd_pathf(root, sizeof(root), "%s", n->dir);
	for (size_t i = 0; i < gd_node_nlayers; i++) {
		int fd = gd_open_beneath(root, gd_node_layers[i].name,
					 O_DIRECTORY);
		if (fd >= 0)
			collect(fd, gd_node_layers[i].at, 0, out);
	}
	qsort(out->v, out->n, sizeof(*out->v), by_path);
}

static void items_free(struct items *it)
{
	for (size_t i = 0; i < it->n; i++)
		free(it->v[i].path);
	free(it->v);
}

/* The name of id in a passwd or group text, or the number. */
static const char *name_of(const char *text, unsigned id, char *buf,
			   size_t size)
{
	if (!gd_passwd_name_of(text, id, buf, size))
		snprintf(buf, size, "%u", id);
	return buf;
}

struct side {
	char *passwd, *group;
};

/* ids: each name with its number, for an owner whose name is the same on
 * both sides but whose id is not (a uid moved: "docsvc" then and now). */
static void describe(const struct item *it, const struct side *s, bool ids,
		     gd_strbuf *out)
{
	static const char *const types[] = {"f", "file", "d", "folder",
					    "l", "link", "o", "special file"};
	const char *type = "file";
	for (size_t i = 0; i < GD_ARRAY_SIZE(types); i += 2)
		if (types[i][0] == it->type)
			type = types[i + 1];
	char u[64], g[64];
	name_of(s->passwd, it->uid, u, sizeof(u));
	name_of(s->group, it->gid, g, sizeof(g));
	if (ids)
		gd_strbuf_addf(out, "%s %s(%u):%s(%u) %04o", type, u, it->uid,
			       g, it->gid, it->mode);
	else
		gd_strbuf_addf(out, "%s %s:%s %04o", type, u, g, it->mode);
}

/* The same owner's or group's name on both sides for another id. */
static bool same_name_other_id(const struct item *a, const struct side *ws,
			       const struct item *b, const struct side *ns)
{
	char x[64], y[64];
	if (a->uid != b->uid &&
	    strcmp(name_of(ws->passwd, a->uid, x, sizeof(x)),
		   name_of(ns->passwd, b->uid, y, sizeof(y))) == 0)
		return true;
	return a->gid != b->gid &&
	       strcmp(name_of(ws->group, a->gid, x, sizeof(x)),
		      name_of(ns->group, b->gid, y, sizeof(y))) == 0;
}

/* What the node sees at a path its layer lacks (or deleted): the
 * host's file below, if any. */
static bool effective(const struct item *in_layer, const char *path,
		      struct item *out)
{
	if (in_layer && in_layer->type != 'w') {
		*out = *in_layer;
		return true;
	}
	struct stat st;
	const gd_node_layer *l = gd_node_layer_of(path);
	if (in_layer || (l && l->empty) || lstat(path, &st) < 0)
		return false;
	*out = (struct item){(char *)path, type_of(&st), st.st_uid, st.st_gid,
			     st.st_mode & 07777};
	return true;
}

static void one_change(const char *path, const struct item *a,
		       const struct side *ws, const struct item *b,
		       const struct side *ns, gd_strbuf *out)
{
	gd_strbuf_addf(out, "%s: ", path);
	if (!b) {
		gd_strbuf_add(out, "gone (was ");
		describe(a, ws, false, out);
		gd_strbuf_add(out, ")\n");
	} else if (!a) {
		gd_strbuf_add(out, "new, ");
		describe(b, ns, false, out);
		gd_strbuf_addch(out, '\n');
	} else {
		bool ids = same_name_other_id(a, ws, b, ns);
		describe(b, ns, ids, out);
		gd_strbuf_add(out, " (was ");
		describe(a, ws, ids, out);
		gd_strbuf_add(out, ")\n");
	}
}

/* Whether path lies in one of the n folders dirs. */
static bool within(const char **dirs, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dirs[i]);
		if (!strncmp(path, dirs[i], len) && path[len] == '/')
			return true;
	}
	return false;
}

static size_t compare_items(const struct items *was, const struct side *ws,
			    const struct items *now, const struct side *ns,
			    gd_strbuf *out)
{
	size_t i = 0, j = 0, lines = 0;
	/* a folder gone or new is one line: what it held goes with it (its
	 * contents need not follow it in the order: "/a.d" sorts between
	 * "/a" and "/a/x") */
	const char **whole = NULL;
	size_t nwhole = 0;
	while (i < was->n || j < now->n) {
		int c = i == was->n   ? 1
			: j == now->n ? -1
				      : strcmp(was->v[i].path, now->v[j].path);
		const struct item *in_a = c <= 0 ? &was->v[i] : NULL;
		const struct item *in_b = c >= 0 ? &now->v[j] : NULL;
		const char *path = (in_a ? in_a : in_b)->path;
		i += c <= 0;
		j += c >= 0;
		if (within(whole, nwhole, path))
			continue;
		struct item a, b;
		bool has_a = effective(in_a, path, &a);
		bool has_b = effective(in_b, path, &b);
		if (has_a == has_b &&
		    (!has_a || (a.type == b.type && a.uid == b.uid &&
				a.gid == b.gid && a.mode == b.mode)))
			continue;
		one_change(path, has_a ? &a : NULL, ws, has_b ? &b : NULL, ns,
			   out);
		if (has_a != has_b && (has_a ? a.type : b.type) == 'd') {
			const char **w =
				realloc(whole, (nwhole + 1) * sizeof(*w));
			if (w) {
				whole = w;
				whole[nwhole++] = path;
			}
		}
		lines++;
	}
	free(whole);
	return lines;
}

/* Each account by name (user: uid and gid; group: gid), compared: pass
 * 0 walks the kept text (changed or gone), pass 1 the renewed (new). */
static size_t compare_accounts(const char *was, const char *now, bool users,
			       gd_strbuf *out)
{
	const char *what = users ? "user" : "group";
	size_t lines = 0;
	for (int pass = 0; pass < 2; pass++) {
		const char *from = pass ? now : was, *other = pass ? was : now;
		for (const char *l = from && *from ? from : NULL; l;
		     l = gd_passwd_next(l)) {
			char name[64] = "", oname[64];
			unsigned id[2], oid[2];
			const char *o = NULL;
			if (gd_passwd_parse(l, name, sizeof(name), id))
				o = gd_passwd_line(other, name);
			if (*name && !o) {
				gd_strbuf_addf(out, "%s %s: %s (%s %u)\n", what,
					       name, pass ? "new" : "gone",
					       users ? "uid" : "gid", id[0]);
				lines++;
			}
			if (!o || pass)
				continue;
			gd_passwd_parse(o, oname, sizeof(oname), oid);
			for (int k = 0; k < (users ? 2 : 1); k++) {
				if (id[k] == oid[k])
					continue;
				gd_strbuf_addf(out, "%s %s: %s %u (was %u)\n",
					       what, name,
					       users && !k ? "uid" : "gid",
					       oid[k], id[k]);
				lines++;
			}
		}
	}
	return lines;
}

size_t gd_provision_changes(const gd_node_rt *n, gd_strbuf *out)
{
	struct side sides[2];
	for (int k = 0; k < 2; k++) {
		char root[PATH_MAX];
		if (k)
			gd_pathf(root, sizeof(root), "%s", n->dir);
		else
			gd_provision_aside(n, "kept", root, sizeof(root));
		/* the node's root may have made them links or FIFOs */
		sides[k].passwd = gd_read_beneath(root, "etc/passwd", 1 << 20);
		sides[k].group = gd_read_beneath(root, "etc/group", 1 << 20);
	}
	size_t lines = 0;
	if (sides[0].passwd && sides[1].passwd)
		lines += compare_accounts(sides[0].passwd, sides[1].passwd,
					  true, out);
	if (sides[0].group && sides[1].group)
		lines += compare_accounts(sides[0].group, sides[1].group, false,
					  out);
	struct items was = {0}, now = {0};
	layers_of(n, true, &was);
	layers_of(n, false, &now);
	lines += compare_items(&was, &sides[0], &now, &sides[1], out);
	items_free(&was);
	items_free(&now);
	for (int k = 0; k < 2; k++) {
		free(sides[k].passwd);
		free(sides[k].group);
	}
	return lines;
}
