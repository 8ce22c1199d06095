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

/* What a skew changed on one node, to put back. */
struct skew_saved {
	char *passwd, *group; /* NULL: not changed */
	struct stat *paths;   /* per path change; st_mode 0: not changed */
	bool profile;	      /* a security profile was left for gd-init */
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

static const char *named_path(const char *target)
{
	static const struct {
		const char *name, *path;
	} named[] = {{"scratch", "/srv/scratch"},
		     {"spool", "/var/spool"},
		     {"output", "/srv/shared/out"},
		     {"log", "/var/log"},
		     {"shared", "/srv/shared"}};
	for (size_t i = 0; i < GD_ARRAY_SIZE(named); i++)
		if (strcmp(target, named[i].name) == 0)
			return named[i].path;
	return target;
}

static int set_path(gd_faults *f, const gd_node_rt *n, const gd_path_skew *ps,
		    struct stat *saved, gd_error **err)
{
	const char *path = named_path(ps->target);
	_cleanup_close_ int fd = gd_node_open(n, path, O_PATH, err);
	if (fd < 0)
		return fd;
	if (fstat(fd, saved) < 0)
		return gd_error_make(err, errno, "cannot stat \"%s\"", path);
	const char *user = f->plan->scenario->cluster.service_user;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	if (ps->owner) {
		long id = node_id(
			n, "/etc/passwd",
			strcmp(ps->owner, "service") ? ps->owner : user, 2);
		if (id < 0)
			return gd_error_set(err, ESRCH,
					    "no user \"%s\" on node \"%s\"",
					    ps->owner, n->name);
		uid = (uid_t)id;
	}
	if (ps->group) {
		long id = node_id(
			n, "/etc/group",
			strcmp(ps->group, "service") ? ps->group : user, 2);
		if (id < 0)
			return gd_error_set(err, ESRCH,
					    "no group \"%s\" on node \"%s\"",
					    ps->group, n->name);
		gid = (gid_t)id;
	}
	if ((ps->owner || ps->group) &&
	    fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		return gd_error_make(err, errno,
				     "cannot chown \"%s\" on \"%s\"", path,
				     n->name);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (ps->mode >= 0 && chmod(proc, (mode_t)ps->mode) < 0)
		return gd_error_make(err, errno,
				     "cannot chmod \"%s\" on \"%s\"", path,
				     n->name);
	return 0;
}

static int restore_path(const gd_node_rt *n, const gd_path_skew *ps,
			const struct stat *saved, gd_error **err)
{
	const char *path = named_path(ps->target);
	_cleanup_close_ int fd = gd_node_open(n, path, O_PATH, err);
	if (fd < 0)
		return fd;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (fchownat(fd, "", saved->st_uid, saved->st_gid, AT_EMPTY_PATH) < 0 ||
	    chmod(proc, saved->st_mode & 07777) < 0)
		return gd_error_make(err, errno,
				     "cannot restore \"%s\" on \"%s\"", path,
				     n->name);
	return 0;
}

/* Evidence from inside: what id(1) and stat(1) say there. */
static int check(gd_faults *f, size_t index, const gd_skew *k, bool healed,
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
	if (gd_security_wanted(k) && used < size) {
		missing +=
			gd_security_check(f, index, k, healed, evidence, size);
		used = strlen(evidence);
	}
	for (size_t i = 0; i < k->npaths && used < size; i++) {
		const gd_path_skew *ps = &k->paths[i];
		char said[256];
		gd_probe_cmd(f, index, said, sizeof(said), "/usr/bin/stat",
			     "-c", "%a %U:%G", named_path(ps->target), NULL);
		bool ok = true;
		if (!healed && ps->mode >= 0) {
			char mode[16];
			snprintf(mode, sizeof(mode), "%o ", ps->mode);
			ok = strncmp(said, mode, strlen(mode)) == 0;
		}
		missing += !ok;
		used += (size_t)snprintf(evidence + used, size - used,
					 "%s%s: %s is %s", used ? "; " : "",
					 n->name, named_path(ps->target), said);
	}
	return missing > 0;
}

static struct skew_saved **saved_of(gd_faults *f, const gd_plan_entry *e)
{
	return (struct skew_saved **)&f->kind_state[e - f->plan->entries];
}

/* Puts back whatever sv says was changed, newest first. */
static int restore(gd_faults *f, const gd_plan_entry *e, const gd_skew *k,
		   const struct skew_saved *sv, gd_error **err)
{
	int r = 0;
	for (size_t j = e->nodes.n; sv && j-- > 0 && r == 0;) {
		const gd_node_rt *n = &f->st->nodes[e->nodes.v[j]];
		/* A path changed by two entries of this list gets back its
		 * first value. */
		for (size_t i = k->npaths; r == 0 && i-- > 0;)
			if (sv[j].paths && sv[j].paths[i].st_mode)
				r = restore_path(n, &k->paths[i],
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

static int change(gd_faults *f, const gd_plan_entry *e, const gd_skew *k,
		  struct skew_saved *sv, gd_error **err)
{
	const char *user = f->plan->scenario->cluster.service_user;
	for (size_t j = 0; j < e->nodes.n; j++) {
		const gd_node_rt *n = &f->st->nodes[e->nodes.v[j]];
		sv[j].paths = calloc(k->npaths + 1, sizeof(struct stat));
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
		if (gd_security_wanted(k)) {
			sv[j].profile = true;
			int r = gd_security_set(n, k, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* A profile reaches services only when they start. */
static int restart_profiled(gd_faults *f, const gd_plan_entry *e,
			    const gd_skew *k, gd_error **err)
{
	for (size_t j = 0; gd_security_wanted(k) && j < e->nodes.n; j++) {
		int r = gd_security_restart(&f->st->nodes[e->nodes.v[j]], err);
		if (r < 0)
			return r;
	}
	return 0;
}

int gd_skew_make(gd_faults *f, const gd_plan_entry *e, const gd_skew *k,
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

int gd_skew_undo(gd_faults *f, const gd_plan_entry *e, const gd_skew *k,
		 bool restart, gd_error **err)
{
	int r = restore(f, e, k, *saved_of(f, e), err);
	return r == 0 && restart ? restart_profiled(f, e, k, err) : r;
}

int gd_skew_check(gd_faults *f, const gd_plan_entry *e, const gd_skew *k,
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
	const gd_skew *k = &e->step->skew;
	int r = gd_skew_make(f, e, k, err);
	if (r < 0)
		return r;
	r = restart_profiled(f, e, k, err);
	if (r < 0) {
		/* Not applied, so nothing may stay of it. */
		gd_error *e2 = NULL;
		gd_skew_undo(f, e, k, false, &e2);
		gd_error_free(e2);
		return r;
	}
	gd_faults_mark_applied(f);
	return gd_skew_check(f, e, k, false, evidence, size);
}

static int skew_heal(gd_faults *f, const gd_plan_entry *e, char *evidence,
		     size_t size, gd_error **err)
{
	const gd_skew *k = &e->step->skew;
	int r = gd_skew_undo(f, e, k, true, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	return gd_skew_check(f, e, k, true, evidence, size);
}

void gd_skew_forget(gd_faults *f, size_t entry)
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

static void skew_parse(gd_reader *r, json_t *obj, gd_step *st)
{
	parse_skew_body(r, obj, &st->skew);
}

static size_t skew_claims(const gd_step *st, gd_claim *out, size_t max)
{
	return gd_skew_claims(&st->skew, out, max);
}

static void skew_describe(const gd_plan *p, const gd_plan_entry *e, FILE *out)
{
	(void)p;
	gd_plan_skew_print(out, &e->step->skew);
}

static json_t *skew_describe_json(const gd_plan *p, const gd_plan_entry *e)
{
	(void)p;
	return gd_plan_skew_json(&e->step->skew);
}

/* Each node's root: a skew is made in the node's files. */
static void skew_prepare(gd_faults *f, const gd_plan_entry *e, bool apply)
{
	(void)apply;
	for (size_t k = 0; k < e->nodes.n; k++)
		gd_faults_prepare_root(f, e->nodes.v[k]);
}

static const gd_fault_ops ops = {
	.apply = skew_apply,
	.heal = skew_heal,
	.prepare = skew_prepare,
	.forget = gd_skew_forget,
};

static const char *const keys[] = {"uid", "gid", "paths", "seccomp",
				   "caps_drop"};

const gd_kind gd_kind_skew = {
	.name = "skew",
	.keeps_pre = "skews",
	.keeps_post = "",
	.keys = keys,
	.nkeys = GD_ARRAY_SIZE(keys),
	.color = "#8e24aa",
	.parse = skew_parse,
	.claims = skew_claims,
	.describe = skew_describe,
	.describe_json = skew_describe_json,
	.ops = &ops,
};
