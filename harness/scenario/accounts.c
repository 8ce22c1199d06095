/* The team's accounts in a cluster: "users" and "user_groups", with the
 * uids and gids production gives them, and the service user among them.
 * "user_groups", not "groups": a cluster's "groups" are groups of nodes. */
#include "scenario/parse.h"

#include "base/cleanup.h"
#include "base/suggest.h"

#include <string.h>

static const char *const user_keys[] = {"name", "uid", "gid", "groups"};
static const char *const user_group_keys[] = {"name", "gid"};

/* Ids as production has them: root's 0 is gameday's own, and 65534 is
 * nobody's on Debian. */
#define ID_MAX 65533

static const gd_user_group *group_by_gid(const gd_cluster *c, unsigned gid)
{
	for (size_t i = 0; i < c->nuser_groups; i++)
		if (c->user_groups[i].gid == gid)
			return &c->user_groups[i];
	return NULL;
}

static const gd_user_group *group_by_name(const gd_cluster *c, const char *name)
{
	for (size_t i = 0; i < c->nuser_groups; i++)
		if (strcmp(c->user_groups[i].name, name) == 0)
			return &c->user_groups[i];
	return NULL;
}

static bool read_id(gd_reader *r, json_t *v, const char *key, unsigned *out)
{
	long long id;
	if (!RD_FIELD(rd_as_int, r, v, key, true, 1, ID_MAX, &id))
		return false;
	*out = (unsigned)id;
	return true;
}

static void parse_user_groups(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (!json_is_array(v)) {
		rd_error(r, "expected an array of groups, got %s",
			 rd_type_name(v));
		return;
	}
	c->user_groups = gd_arena_array(r->arena, json_array_size(v) + 1,
					sizeof(*c->user_groups));
	size_t i;
	json_t *e;
	json_array_foreach (v, i, e) {
		size_t m = rd_push_index(r, i);
		gd_user_group g = {.path = rd_path_keep(r)};
		bool ok = rd_object(r, e, "a group", user_group_keys,
				    GD_ARRAY_SIZE(user_group_keys), NULL, 0);
		ok = ok &&
		     RD_FIELD(rd_as_name, r, e, "name", true, 31, &g.name);
		ok = read_id(r, e, "gid", &g.gid) && ok;
		const gd_user_group *same = NULL;
		if (ok && (same = group_by_name(c, g.name)))
			rd_error_at(r, "name",
				    "group \"%s\" is declared twice (also %s)",
				    g.name, same->path);
		else if (ok && (same = group_by_gid(c, g.gid)))
			rd_error_at(r, "gid",
				    "gid %u is also group \"%s\"'s (%s)", g.gid,
				    same->name, same->path);
		else if (ok)
			c->user_groups[c->nuser_groups++] = g;
		rd_pop(r, m);
	}
}

/* A user's supplementary groups: each one of user_groups. */
static void check_member_of(gd_reader *r, gd_cluster *c, const gd_user *u)
{
	const char **names =
		gd_arena_array(r->arena, c->nuser_groups + 1, sizeof(*names));
	for (size_t i = 0; i < c->nuser_groups; i++)
		names[i] = c->user_groups[i].name;
	size_t m = rd_push_key(r, "groups");
	for (size_t k = 0; k < u->groups.n; k++) {
		if (group_by_name(c, u->groups.v[k]))
			continue;
		size_t mi = rd_push_index(r, k);
		const char *hint =
			gd_suggest(u->groups.v[k], names, c->nuser_groups);
		rd_error(r, "no group \"%s\" in \"user_groups\"%s%s%s",
			 u->groups.v[k], hint ? "; did you mean \"" : "",
			 hint ? hint : "", hint ? "\"?" : "");
		rd_pop(r, mi);
	}
	rd_pop(r, m);
}

/* A primary gid that no declared group has is the user's own group, named
 * after it (as useradd makes one): its name and gid must be free. */
static void check_primary(gd_reader *r, const gd_cluster *c, const gd_user *u)
{
	if (group_by_gid(c, u->gid))
		return;
	const gd_user_group *g = group_by_name(c, u->name);
	if (g) {
		rd_error_at(
			r, "gid",
			"gid %u is no group of \"user_groups\", and the group named \"%s\" has gid %u (%s): give the user that gid or declare its group",
			u->gid, u->name, g->gid, g->path);
		return;
	}
	for (size_t i = 0; i < c->nusers; i++)
		if (c->users[i].gid == u->gid &&
		    !group_by_gid(c, c->users[i].gid)) {
			rd_error_at(
				r, "gid",
				"gid %u is also user \"%s\"'s (%s) and no group of \"user_groups\": declare the group they share",
				u->gid, c->users[i].name, c->users[i].path);
			return;
		}
}

static void parse_user(gd_reader *r, json_t *e, gd_cluster *c)
{
	gd_user u = {.path = rd_path_keep(r)};
	if (!rd_object(r, e, "a user", user_keys, GD_ARRAY_SIZE(user_keys),
		       NULL, 0))
		return;
	bool ok = RD_FIELD(rd_as_name, r, e, "name", true, 31, &u.name);
	ok = read_id(r, e, "uid", &u.uid) && ok;
	ok = read_id(r, e, "gid", &u.gid) && ok;
	if (json_object_get(e, "groups"))
		ok = RD_FIELD(rd_as_strv, r, e, "groups", false, &u.groups) &&
		     ok;
	if (!ok)
		return;
	for (size_t i = 0; i < c->nusers; i++) {
		if (strcmp(c->users[i].name, u.name) == 0) {
			rd_error_at(r, "name",
				    "user \"%s\" is declared twice (also %s)",
				    u.name, c->users[i].path);
			return;
		}
		if (c->users[i].uid == u.uid) {
			rd_error_at(r, "uid",
				    "uid %u is also user \"%s\"'s (%s)", u.uid,
				    c->users[i].name, c->users[i].path);
			return;
		}
	}
	unsigned before = rd_errors(r);
	check_member_of(r, c, &u);
	check_primary(r, c, &u);
	if (rd_errors(r) == before)
		c->users[c->nusers++] = u;
}

static void parse_users(gd_reader *r, json_t *v, gd_cluster *c)
{
	if (!json_is_array(v) || json_array_size(v) == 0) {
		rd_error(r, "expected a non-empty array of users, got %s",
			 json_is_array(v) ? "an empty array" : rd_type_name(v));
		return;
	}
	c->users =
		gd_arena_array(r->arena, json_array_size(v), sizeof(*c->users));
	size_t i;
	json_t *e;
	json_array_foreach (v, i, e) {
		size_t m = rd_push_index(r, i);
		parse_user(r, e, c);
		rd_pop(r, m);
	}
}

void parse_accounts(gd_reader *r, json_t *v, gd_cluster *c)
{
	RD_SECTION(parse_user_groups, r, v, "user_groups", false, c);
	bool users = RD_SECTION(parse_users, r, v, "users", false, c);
	json_t *su = json_object_get(v, "service_user");
	if (!users || !su) {
		if (users)
			rd_error(
				r,
				"a cluster with \"users\" needs a \"service_user\" naming the one jobs run as");
		return;
	}
	for (size_t i = 0; i < c->nusers; i++)
		if (strcmp(c->users[i].name, c->service_user) == 0)
			return;
	/* A service_user or a user that did not parse is reported already. */
	if (!json_is_string(su) ||
	    strcmp(json_string_value(su), c->service_user) != 0 ||
	    json_array_size(json_object_get(v, "users")) != c->nusers)
		return;
	const char **names =
		gd_arena_array(r->arena, c->nusers + 1, sizeof(*names));
	for (size_t i = 0; i < c->nusers; i++)
		names[i] = c->users[i].name;
	const char *hint = gd_suggest(c->service_user, names, c->nusers);
	rd_error_at(r, "service_user", "\"%s\" is none of \"users\"%s%s%s",
		    c->service_user, hint ? "; did you mean \"" : "",
		    hint ? hint : "", hint ? "\"?" : "");
}

void gd_cluster_service_ids(const gd_cluster *c, unsigned *uid, unsigned *gid)
{
	*uid = *gid = GD_SERVICE_ID_DEFAULT;
	for (size_t i = 0; i < c->nusers; i++)
		if (strcmp(c->users[i].name, c->service_user) == 0) {
			*uid = c->users[i].uid;
			*gid = c->users[i].gid;
		}
}
