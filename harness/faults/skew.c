/* Permission skews: the service user's uid/gid remapped in a node's
 * /etc/passwd and /etc/group, and the owner or mode of node paths
 * changed, as a configuration-management run that went slightly wrong
 * leaves a machine; or a stricter security profile (security.c).  Files are
 * changed through the node's own root
 * (/proc/PID/root, resolved in it with no symlink followed), so an
 * overlay /etc sees the change and nothing outside the node's own
 * directories can be reached; each original is kept to be put back
 * exactly at heal. */
#include "base/cleanup.h"
#include "base/fileio.h"
#include "base/suggest.h"
#include "base/sysnames.h"
#include "faults/engine.h"
#include "plan/claims.h"
#include "plan/print.h"
#include "scenario/parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A path a skew changes on a node. */
typedef struct path_skew {
	const char *path;   /* JSON path */
	const char *target; /* "scratch", "spool", "output", "log" or absolute */
	int mode;	    /* -1: unchanged */
	const char *owner;  /* NULL: unchanged; a user name or "service" */
	const char *group;
} path_skew;

/* A skew step's settings, or a changed return's "skew". */
typedef struct skew_spec {
	const char *path;
	/* uid/gid remap of the service user on the node; -1: unchanged */
	long uid, gid;
	path_skew *paths;
	size_t npaths;
	gd_profile profile; /* for services when they (re)start */
} skew_spec;

/* A path's owner and mode before a skew changed them. */
struct saved_path {
	gd_file_attr attr;
	bool set; /* changed: to put back */
};

/* What a skew changed on one node, to put back. */
struct skew_saved {
	char *passwd, *group;	  /* NULL: not changed */
	struct saved_path *paths; /* per path change */
	bool profile;		  /* a security profile was left for gd-init */
};

char *gd_passwd_remap(const char *text, const char *user, long f2, long f3)
{
	char *out = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);
	if (!o)
		return NULL;
	size_t ulen = strlen(user);
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (strncmp(line, user, ulen) == 0 && line[ulen] == ':') {
			/* name:x:F2:F3:rest */
			char buf[1024];
			snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
			char *fields[4] = {buf, NULL, NULL, NULL}, *p = buf;
			for (int i = 1; i < 4 && (p = strchr(p, ':')); i++) {
				*p++ = '\0';
				fields[i] = p;
			}
			char *rest = fields[3] ? strchr(fields[3], ':') : NULL;
			fprintf(o, "%s:%s:", fields[0],
				fields[1] ? fields[1] : "x");
			if (f2 >= 0)
				fprintf(o, "%ld", f2);
			else
				fprintf(o, "%.*s",
					(int)strcspn(fields[2] ? fields[2] : "",
						     ":"),
					fields[2] ? fields[2] : "");
			if (fields[3]) {
				fputc(':', o);
				if (f3 >= 0)
					fprintf(o, "%ld", f3);
				else
					fprintf(o, "%.*s",
						(int)strcspn(fields[3], ":"),
						fields[3]);
				if (rest)
					fputs(rest, o);
			}
		} else {
			fprintf(o, "%.*s", (int)n, line);
		}
		if (!end)
			break;
		fputc('\n', o);
		line = end + 1;
	}
	fclose(o);
	return out;
}

/* Field number field (0-based) of name's line in a passwd or group text
 * (2: the uid or gid), or -1. */
static long id_in(const char *text, const char *name, int field)
{
	size_t len = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l += !!l) {
		if (strncmp(l, name, len) != 0 || l[len] != ':')
			continue;
		const char *p = l;
		for (int i = 0; i < field && p; i++)
			p = strchr(p, ':'), p += !!p;
		return p ? strtol(p, NULL, 10) : -1;
	}
	return -1;
}

/* The same, in the node's own files as they are now. */
static long node_id(const gd_node_rt *n, const char *file, const char *name,
		    int field)
{
	gd_error *e = NULL;
	_cleanup_free_ char *text = gd_node_read(n, file, &e);
	gd_error_free(e);
	return id_in(text, name, field);
}

/* The path a skew's target names, as the nodes see it: a named place
 * (the cluster's own where it has one), in buf, or target itself. */
static const char *named_path(const gd_cluster_state *st, const char *target,
			      char *buf, size_t size)
{
	const struct {
		const char *name, *at, *below;
	} named[] = {{"scratch", st->node_scratch, ""},
		     {"spool", "/var/spool", ""},
		     {"output", st->node_shared, "/out"},
		     {"log", "/var/log", ""},
		     {"shared", st->node_shared, ""}};
	for (size_t i = 0; i < GD_ARRAY_SIZE(named); i++)
		if (strcmp(target, named[i].name) == 0) {
			gd_pathf(buf, size, "%s%s", named[i].at,
				 named[i].below);
			return buf;
		}
	return target;
}

static int set_path(gd_faults *f, const gd_node_rt *n, const path_skew *ps,
		    struct saved_path *saved, gd_error **err)
{
	char buf[PATH_MAX];
	const char *path = named_path(f->st, ps->target, buf, sizeof(buf));
	int r = gd_node_getattr(n, path, &saved->attr, err);
	if (r < 0)
		return r;
	saved->set = true;
	const char *user = f->plan->scenario->cluster.service_user;
	gd_file_attr to = {(uid_t)-1, (gid_t)-1, (mode_t)-1};
	if (ps->owner) {
		long id = node_id(
			n, "/etc/passwd",
			strcmp(ps->owner, "service") ? ps->owner : user, 2);
		if (id < 0)
			return gd_error_set(err, ESRCH,
					    "no user \"%s\" on node \"%s\"",
					    ps->owner, n->name);
		to.uid = (uid_t)id;
	}
	if (ps->group) {
		long id = node_id(
			n, "/etc/group",
			strcmp(ps->group, "service") ? ps->group : user, 2);
		if (id < 0)
			return gd_error_set(err, ESRCH,
					    "no group \"%s\" on node \"%s\"",
					    ps->group, n->name);
		to.gid = (gid_t)id;
	}
	if (ps->mode >= 0)
		to.mode = (mode_t)ps->mode;
	return gd_node_setattr(n, path, &to, err);
}

static int restore_path(const gd_cluster_state *st, const gd_node_rt *n,
			const path_skew *ps, const struct saved_path *saved,
			gd_error **err)
{
	char buf[PATH_MAX];
	return gd_node_setattr(n, named_path(st, ps->target, buf, sizeof(buf)),
			       &saved->attr, err);
}

/* Evidence from inside: what id(1) and stat(1) say there. */
static int check(gd_faults *f, size_t index, const skew_spec *k, bool healed,
		 const struct skew_saved *saved, char *evidence, size_t size)
{
	const gd_node_rt *n = &f->st->nodes[index];
	const char *user = f->plan->scenario->cluster.service_user;
	int missing = 0;
	size_t used = strlen(evidence);
	if (k->uid >= 0 || k->gid >= 0) {
		char said[256], want[64];
		gd_probe_cmd(f, index, said, sizeof(said), "/usr/bin/id", user,
			     NULL);
		/* Skewed: the new ids; healed: the ones it had before. */
		long uid = healed ? id_in(saved->passwd, user, 2) : k->uid;
		long gid = healed ? id_in(saved->passwd, user, 3) : k->gid;
		snprintf(want, sizeof(want), "uid=%ld(", uid);
		bool ok = uid < 0 || strstr(said, want);
		snprintf(want, sizeof(want), "gid=%ld(", gid);
		ok = ok && (gid < 0 || strstr(said, want));
		missing += !ok;
		used += (size_t)snprintf(evidence + used, size - used,
					 "%s%s: id %s: %s", used ? "; " : "",
					 n->name, user, said);
	}
	if (gd_security_wanted(&k->profile) && used < size) {
		missing += gd_security_check(f, index, &k->profile, healed,
					     evidence, size);
		used = strlen(evidence);
	}
	for (size_t i = 0; i < k->npaths && used < size; i++) {
		const path_skew *ps = &k->paths[i];
		char said[256], buf[PATH_MAX];
		const char *path =
			named_path(f->st, ps->target, buf, sizeof(buf));
		gd_probe_cmd(f, index, said, sizeof(said), "/usr/bin/stat",
			     "-c", "%a %U:%G", path, NULL);
		bool ok = true;
		if (!healed && ps->mode >= 0) {
			char mode[16];
			snprintf(mode, sizeof(mode), "%o ", ps->mode);
			ok = strncmp(said, mode, strlen(mode)) == 0;
		}
		missing += !ok;
		used += (size_t)snprintf(evidence + used, size - used,
					 "%s%s: %s is %s", used ? "; " : "",
					 n->name, path, said);
	}
	return missing > 0;
}

static struct skew_saved **saved_of(gd_faults *f, const gd_plan_entry *e)
{
	return (struct skew_saved **)&f->kind_state[e - f->plan->entries];
}

/* Puts back whatever sv says was changed, newest first. */
static int restore(gd_faults *f, const gd_plan_entry *e, const skew_spec *k,
		   const struct skew_saved *sv, gd_error **err)
{
	int r = 0;
	for (size_t j = e->nodes.n; sv && j-- > 0 && r == 0;) {
		const gd_node_rt *n = &f->st->nodes[e->nodes.v[j]];
		/* A path changed by two entries of this list gets back its
		 * first value. */
		for (size_t i = k->npaths; r == 0 && i-- > 0;)
			if (sv[j].paths && sv[j].paths[i].set)
				r = restore_path(f->st, n, &k->paths[i],
						 &sv[j].paths[i], err);
		if (r == 0 && sv[j].profile)
			r = gd_security_clear(n, err);
		if (r == 0 && sv[j].group)
			r = gd_node_write(n, "/etc/group", sv[j].group, err);
		if (r == 0 && sv[j].passwd)
			r = gd_node_write(n, "/etc/passwd", sv[j].passwd, err);
	}
	return r;
}

static int change(gd_faults *f, const gd_plan_entry *e, const skew_spec *k,
		  struct skew_saved *sv, gd_error **err)
{
	const char *user = f->plan->scenario->cluster.service_user;
	for (size_t j = 0; j < e->nodes.n; j++) {
		const gd_node_rt *n = &f->st->nodes[e->nodes.v[j]];
		sv[j].paths = calloc(k->npaths + 1, sizeof(*sv[j].paths));
		if (!sv[j].paths)
			return gd_error_make(err, ENOMEM, "cannot skew");
		if (k->uid >= 0 || k->gid >= 0) {
			_cleanup_free_ char *pw0 =
				gd_node_read(n, "/etc/passwd", err);
			_cleanup_free_ char *gr0 =
				pw0 ? gd_node_read(n, "/etc/group", err) : NULL;
			if (!pw0 || !gr0)
				return -EIO;
			_cleanup_free_ char *pw =
				gd_passwd_remap(pw0, user, k->uid, k->gid);
			_cleanup_free_ char *gr =
				gd_passwd_remap(gr0, user, k->gid, -1);
			if (!pw || !gr)
				return gd_error_make(err, ENOMEM,
						     "cannot skew");
			sv[j].passwd = TAKE_PTR(pw0);
			int r = gd_node_write(n, "/etc/passwd", pw, err);
			if (r < 0)
				return r;
			sv[j].group = TAKE_PTR(gr0);
			r = gd_node_write(n, "/etc/group", gr, err);
			if (r < 0)
				return r;
		}
		for (size_t i = 0; i < k->npaths; i++) {
			int r = set_path(f, n, &k->paths[i], &sv[j].paths[i],
					 err);
			if (r < 0)
				return r;
		}
		if (gd_security_wanted(&k->profile)) {
			sv[j].profile = true;
			int r = gd_security_set(n, &k->profile, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* A profile reaches services only when they start. */
static int restart_profiled(gd_faults *f, const gd_plan_entry *e,
			    const skew_spec *k, gd_error **err)
{
	for (size_t j = 0; gd_security_wanted(&k->profile) && j < e->nodes.n;
	     j++) {
		int r = gd_security_restart(&f->st->nodes[e->nodes.v[j]], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int skew_make(gd_faults *f, const gd_plan_entry *e, const skew_spec *k,
		     gd_error **err)
{
	struct skew_saved *sv = calloc(e->nodes.n + 1, sizeof(*sv));
	if (!sv)
		return gd_error_make(err, ENOMEM, "cannot skew");
	*saved_of(f, e) = sv;
	int r = change(f, e, k, sv, err);
	if (r < 0) {
		/* Half a skew is put back: the fault did not happen. */
		gd_error *e2 = NULL;
		restore(f, e, k, sv, &e2);
		gd_error_free(e2);
	}
	return r;
}

static int skew_undo(gd_faults *f, const gd_plan_entry *e, const skew_spec *k,
		     bool restart, gd_error **err)
{
	int r = restore(f, e, k, *saved_of(f, e), err);
	return r == 0 && restart ? restart_profiled(f, e, k, err) : r;
}

static int skew_check(gd_faults *f, const gd_plan_entry *e, const skew_spec *k,
		      bool healed, char *evidence, size_t size)
{
	const struct skew_saved *sv = *saved_of(f, e);
	int missing = 0;
	for (size_t j = 0; sv && j < e->nodes.n; j++)
		missing += check(f, e->nodes.v[j], k, healed, &sv[j], evidence,
				 size);
	return missing > 0;
}

static int skew_apply(gd_faults *f, const gd_plan_entry *e, char *evidence,
		      size_t size, gd_error **err)
{
	const skew_spec *k = e->step->spec;
	int r = skew_make(f, e, k, err);
	if (r < 0)
		return r;
	r = restart_profiled(f, e, k, err);
	if (r < 0) {
		/* Not applied, so nothing may stay of it. */
		gd_error *e2 = NULL;
		skew_undo(f, e, k, false, &e2);
		gd_error_free(e2);
		return r;
	}
	gd_faults_mark_applied(f);
	return skew_check(f, e, k, false, evidence, size);
}

static int skew_heal(gd_faults *f, const gd_plan_entry *e, char *evidence,
		     size_t size, gd_error **err)
{
	const skew_spec *k = e->step->spec;
	int r = skew_undo(f, e, k, true, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	return skew_check(f, e, k, true, evidence, size);
}

static void skew_forget(gd_faults *f, size_t entry)
{
	struct skew_saved *sv = f->kind_state[entry];
	if (!sv)
		return;
	const gd_plan_entry *e = &f->plan->entries[entry];
	for (size_t j = 0; j < e->nodes.n; j++) {
		free(sv[j].passwd);
		free(sv[j].group);
		free(sv[j].paths);
	}
	free(sv);
	f->kind_state[entry] = NULL;
}

static const char *const path_skew_keys[] = {"path", "mode", "owner", "group"};
static const char *const seccomp_keys[] = {"deny", "deny_write_opens", "errno"};

static void error_with_hint(gd_reader *r, const char *what, const char *word,
			    const char *const *known, size_t n)
{
	const char *hint = gd_suggest(word, known, n);
	if (hint)
		rd_error(r, "unknown %s \"%s\"; did you mean \"%s\"?", what,
			 word, hint);
	else
		rd_error(r, "unknown %s \"%s\"", what, word);
}

static void parse_path_skew(gd_reader *r, json_t *v, path_skew *p)
{
	p->path = rd_path_keep(r);
	p->mode = -1;
	if (!rd_object(r, v, "a path change", path_skew_keys,
		       GD_ARRAY_SIZE(path_skew_keys), NULL, 0))
		return;
	if (RD_FIELD(rd_as_string, r, v, "path", true, &p->target)) {
		static const char *const known[] = {"scratch", "spool",
						    "output", "log", "shared"};
		bool ok = p->target[0] == '/';
		for (size_t i = 0; !ok && i < GD_ARRAY_SIZE(known); i++)
			ok = strcmp(p->target, known[i]) == 0;
		if (ok && p->target[0] == '/' &&
		    !gd_node_path_local(p->target)) {
			rd_error_at(
				r, "path",
				"\"%s\" is not the node's own: a skew may change paths under %s only (the rest of a node's file system is the host's)",
				p->target, GD_NODE_LOCAL_PATHS);
		} else if (!ok) {
			size_t m = rd_push_key(r, "path");
			const char *hint = gd_suggest(p->target, known,
						      GD_ARRAY_SIZE(known));
			rd_error(
				r,
				"unknown node path \"%s\"%s%s%s (use an absolute path or one of: log, output, scratch, shared, spool)",
				p->target, hint ? "; did you mean \"" : "",
				hint ? hint : "", hint ? "\"?" : "");
			rd_pop(r, m);
		}
	}
	RD_FIELD(rd_as_mode, r, v, "mode", false, &p->mode);
	RD_FIELD(rd_as_name, r, v, "owner", false, 31, &p->owner);
	RD_FIELD(rd_as_name, r, v, "group", false, 31, &p->group);
	if (!json_object_get(v, "mode") && !json_object_get(v, "owner") &&
	    !json_object_get(v, "group"))
		rd_error(
			r,
			"a path change needs at least one of \"mode\", \"owner\", \"group\"");
}

static void parse_seccomp(gd_reader *r, json_t *v, gd_profile *k)
{
	k->has_seccomp = true;
	k->deny_errno = -1;
	if (!rd_object(r, v, "a seccomp profile", seccomp_keys,
		       GD_ARRAY_SIZE(seccomp_keys), NULL, 0))
		return;
	if (RD_FIELD(rd_as_strv, r, v, "deny", false, &k->deny)) {
		size_t m = rd_push_key(r, "deny");
		for (size_t i = 0; i < k->deny.n; i++) {
			if (!gd_syscall_known(k->deny.v[i])) {
				size_t mi = json_is_array(
						    json_object_get(v, "deny"))
						    ? rd_push_index(r, i)
						    : r->len;
				rd_error(r, "unknown system call \"%s\"",
					 k->deny.v[i]);
				rd_pop(r, mi);
			}
		}
		rd_pop(r, m);
	}
	RD_FIELD(rd_as_bool, r, v, "deny_write_opens", false,
		 &k->deny_write_opens);
	if (!k->deny.n && !k->deny_write_opens)
		rd_error(
			r,
			"a seccomp profile must deny something: \"deny\" (system calls) or \"deny_write_opens\": true");
	if (RD_FIELD(rd_as_string, r, v, "errno", true, &k->deny_errno_name)) {
		k->deny_errno = gd_errno_by_name(k->deny_errno_name);
		if (k->deny_errno < 0) {
			size_t n, m = rd_push_key(r, "errno");
			const char *const *names = gd_errno_names(&n);
			error_with_hint(r, "errno name", k->deny_errno_name,
					names, n);
			rd_pop(r, m);
		}
	}
}

/* A skew step's keys, or a changed return's "skew". */
static void parse_body(gd_reader *r, json_t *obj, skew_spec *k)
{
	long long id;
	k->path = rd_path_keep(r);
	k->uid = k->gid = -1;
	if (RD_FIELD(rd_as_int, r, obj, "uid", false, 1, 2147483646, &id))
		k->uid = (long)id;
	if (RD_FIELD(rd_as_int, r, obj, "gid", false, 1, 2147483646, &id))
		k->gid = (long)id;

	json_t *paths = rd_get(r, obj, "paths", false);
	if (paths) {
		size_t m = rd_push_key(r, "paths");
		if (json_is_object(paths)) {
			k->paths = gd_arena_alloc(r->arena, sizeof(*k->paths));
			k->npaths = 1;
			parse_path_skew(r, paths, &k->paths[0]);
		} else if (json_is_array(paths) && json_array_size(paths)) {
			k->npaths = json_array_size(paths);
			k->paths = gd_arena_array(r->arena, k->npaths,
						  sizeof(*k->paths));
			for (size_t i = 0; i < k->npaths; i++) {
				size_t mi = rd_push_index(r, i);
				parse_path_skew(r, json_array_get(paths, i),
						&k->paths[i]);
				rd_pop(r, mi);
			}
		} else {
			rd_error(
				r,
				"expected a path change or a non-empty array of them, got %s",
				json_is_array(paths) ? "an empty array"
						     : rd_type_name(paths));
		}
		rd_pop(r, m);
	}

	json_t *sc = rd_get(r, obj, "seccomp", false);
	if (sc) {
		size_t m = rd_push_key(r, "seccomp");
		parse_seccomp(r, sc, &k->profile);
		rd_pop(r, m);
	}

	if (RD_FIELD(rd_as_strv, r, obj, "caps_drop", false,
		     &k->profile.caps_drop)) {
		size_t m = rd_push_key(r, "caps_drop");
		bool many = json_is_array(json_object_get(obj, "caps_drop"));
		for (size_t i = 0; i < k->profile.caps_drop.n; i++) {
			if (gd_cap_by_name(k->profile.caps_drop.v[i]) >= 0)
				continue;
			size_t mi = many ? rd_push_index(r, i) : r->len;
			size_t n;
			const char *const *names = gd_cap_names(&n);
			error_with_hint(r, "capability",
					k->profile.caps_drop.v[i], names, n);
			rd_pop(r, mi);
		}
		rd_pop(r, m);
	}

	if (k->uid < 0 && k->gid < 0 && !paths && !sc &&
	    !k->profile.caps_drop.n && !json_object_get(obj, "caps_drop"))
		rd_error(
			r,
			"a skew must change something: \"uid\", \"gid\", \"paths\", \"seccomp\" or \"caps_drop\"");
}

static const char *const keys[] = {"uid", "gid", "paths", "seccomp",
				   "caps_drop"};

static void skew_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	skew_spec *k = gd_arena_alloc(r->arena, sizeof(*k));
	parse_body(r, obj, k);
	st->spec = k;
}

static const void *skew_parse_part(gd_reader *r, json_t *obj)
{
	if (!rd_object(r, obj, "a skew", keys, GD_ARRAY_SIZE(keys), NULL, 0))
		return NULL;
	skew_spec *k = gd_arena_alloc(r->arena, sizeof(*k));
	parse_body(r, obj, k);
	return k;
}

static const gd_aspect ids = {"remap the service user's ids on", false},
		       seccomp = {"set a seccomp profile on", false},
		       caps = {"drop capabilities on", false},
		       path = {"change the same path on", true};

static size_t skew_claims_of(const void *spec, gd_claim *out, size_t max)
{
	const skew_spec *k = spec;
	size_t n = 0;
	if ((k->uid >= 0 || k->gid >= 0) && n < max)
		out[n++] = (gd_claim){&ids, NULL};
	if (k->profile.has_seccomp && n < max)
		out[n++] = (gd_claim){&seccomp, NULL};
	if (k->profile.caps_drop.n && n < max)
		out[n++] = (gd_claim){&caps, NULL};
	for (size_t i = 0; i < k->npaths && n < max; i++)
		out[n++] = (gd_claim){&path, k->paths[i].target};
	return n;
}

static size_t skew_claims(const gd_step *st, gd_claim *out, size_t max)
{
	return skew_claims_of(st->spec, out, max);
}

static void strv_print(FILE *out, const gd_strv *v, const char *sep)
{
	for (size_t i = 0; i < v->n; i++)
		fprintf(out, "%s%s", i ? sep : " ", v->v[i]);
}

static void skew_print(const void *spec, FILE *out)
{
	const skew_spec *k = spec;
	const gd_profile *pr = &k->profile;
	const char *sep = "";
	if (k->uid >= 0) {
		fprintf(out, "%suid %ld", sep, k->uid);
		sep = ", ";
	}
	if (k->gid >= 0) {
		fprintf(out, "%sgid %ld", sep, k->gid);
		sep = ", ";
	}
	for (size_t i = 0; i < k->npaths; i++) {
		const path_skew *ps = &k->paths[i];
		fprintf(out, "%s%s", sep, ps->target);
		if (ps->mode >= 0)
			fprintf(out, " mode %04o", (unsigned)ps->mode);
		if (ps->owner)
			fprintf(out, " owner %s", ps->owner);
		if (ps->group)
			fprintf(out, " group %s", ps->group);
		sep = ", ";
	}
	if (pr->has_seccomp) {
		fprintf(out, "%sseccomp denies", sep);
		strv_print(out, &pr->deny, ",");
		if (pr->deny_write_opens)
			fprintf(out, "%swrite-opens", pr->deny.n ? "," : " ");
		fprintf(out, " with %s", pr->deny_errno_name);
		sep = ", ";
	}
	if (pr->caps_drop.n) {
		fprintf(out, "%sdrops", sep);
		strv_print(out, &pr->caps_drop, ",");
	}
}

static json_t *strv_json(const gd_strv *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

static json_t *path_json(const path_skew *ps)
{
	json_t *po = json_pack("{s:s}", "path", ps->target);
	if (ps->mode >= 0) {
		char m[16];
		snprintf(m, sizeof(m), "%04o", (unsigned)ps->mode);
		json_object_set_new(po, "mode", json_string(m));
	}
	if (ps->owner)
		json_object_set_new(po, "owner", json_string(ps->owner));
	if (ps->group)
		json_object_set_new(po, "group", json_string(ps->group));
	return po;
}

static json_t *skew_json(const void *spec)
{
	const skew_spec *k = spec;
	const gd_profile *pr = &k->profile;
	json_t *o = json_object();
	if (k->uid >= 0)
		json_object_set_new(o, "uid", json_integer(k->uid));
	if (k->gid >= 0)
		json_object_set_new(o, "gid", json_integer(k->gid));
	if (k->npaths) {
		json_t *a = json_array();
		for (size_t i = 0; i < k->npaths; i++)
			json_array_append_new(a, path_json(&k->paths[i]));
		json_object_set_new(o, "paths", a);
	}
	if (pr->has_seccomp)
		json_object_set_new(
			o, "seccomp",
			json_pack("{s:o,s:b,s:s}", "deny", strv_json(&pr->deny),
				  "deny_write_opens", pr->deny_write_opens,
				  "errno", pr->deny_errno_name));
	if (pr->caps_drop.n)
		json_object_set_new(o, "caps_drop", strv_json(&pr->caps_drop));
	return o;
}

/* As a part of a changed return: made while the nodes are held (their
 * services start under it), so no restart; undone without one either,
 * the change's end restarts them once for all its parts. */
static int part_make(gd_faults *f, const gd_plan_entry *e, const void *spec,
		     gd_error **err)
{
	return skew_make(f, e, spec, err);
}

static int part_undo(gd_faults *f, const gd_plan_entry *e, const void *spec,
		     gd_error **err)
{
	return skew_undo(f, e, spec, false, err);
}

static int part_check(gd_faults *f, const gd_plan_entry *e, const void *spec,
		      bool reverted, char *evidence, size_t size)
{
	return skew_check(f, e, spec, reverted, evidence, size);
}

static bool part_restarts(const void *spec)
{
	return gd_security_wanted(&((const skew_spec *)spec)->profile);
}

static const gd_fault_ops ops = {
	.apply = skew_apply,
	.heal = skew_heal,
	.prepare = gd_faults_prepare_roots,
	.forget = skew_forget,
	.part_make = part_make,
	.part_undo = part_undo,
	.part_check = part_check,
	.part_restarts = part_restarts,
};

const gd_kind gd_kind_skew = {
	.name = "skew",
	.keys = keys,
	.nkeys = GD_ARRAY_SIZE(keys),
	.color = "#8e24aa",
	.stalls_io = true,
	.keeps_pre = "skews",
	.keeps_post = "",
	.parse = skew_parse,
	.claims = skew_claims,
	.parse_part = skew_parse_part,
	.part_claims = skew_claims_of,
	.part_describe = skew_print,
	.part_describe_json = skew_json,
	.ops = &ops,
};
