/* The steps section: one fault each, with its timing, targets and
 * kind-specific settings. */
#include "scenario/parse.h"

#include "base/cleanup.h"
#include "base/suggest.h"
#include "base/sysnames.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every step's keys, whatever its kind (targets too: a kind that names
 * its nodes another way checks it has one or the other). */
static const char *const common_keys[] = {
	"id", "kind", "note", "at", "after", "delay", "for", "wave", "targets"};

static const char *const target_keys[] = {"pick", "from", "except"};
static const char *const wave_keys[] = {"size", "gap", "order"};
static const char *const path_skew_keys[] = {"path", "mode", "owner", "group"};
static const char *const seccomp_keys[] = {"deny", "deny_write_opens", "errno"};
static const char *const change_keys[] = {"skew", "clock", "config", "for"};
static const char *const skew_body_keys[] = {"uid", "gid", "paths", "seccomp",
					     "caps_drop"};
static const char *const clock_body_keys[] = {"offset", "drift"};

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

void parse_targets(gd_reader *r, json_t *v, gd_targets *t)
{
	t->path = rd_path_keep(r);
	if (json_is_string(v) || json_is_array(v)) {
		rd_as_strv(r, v, &t->names);
		return;
	}
	if (!json_is_object(v)) {
		rd_error(
			r,
			"expected targets: a node or group name, a list of them, or {\"pick\": N, \"from\": GROUP}; got %s",
			rd_type_name(v));
		return;
	}
	rd_object(r, v, "a target selector", target_keys,
		  GD_ARRAY_SIZE(target_keys), NULL, 0);
	json_t *pick = rd_get(r, v, "pick", true);
	if (pick) {
		size_t m = rd_push_key(r, "pick");
		long long n;
		double pct;
		if (json_is_string(pick)) {
			if (rd_as_percent(r, pick, 0, 100, &pct)) {
				if (pct <= 0 || pct != (double)(unsigned)pct)
					rd_error(
						r,
						"pick a whole percentage from 1%% to 100%%");
				else
					t->pick_pct = (unsigned)pct;
			}
		} else if (rd_as_int(r, pick, 1, GD_MAX_NODES, &n)) {
			t->pick = (unsigned)n;
		}
		rd_pop(r, m);
	}
	RD_FIELD(rd_as_strv, r, v, "from", true, &t->from);
	RD_FIELD(rd_as_strv, r, v, "except", false, &t->except);
}

void parse_targets_field(gd_reader *r, json_t *obj, const char *key,
			 gd_targets *t)
{
	json_t *v = rd_get(r, obj, key, false);
	if (!v)
		return;
	size_t m = rd_push_key(r, key);
	parse_targets(r, v, t);
	rd_pop(r, m);
}

static bool parse_mode_string(gd_reader *r, json_t *v, int *mode)
{
	const char *s;
	if (json_is_integer(v)) {
		rd_error(
			r,
			"write a file mode as an octal string, e.g. \"0750\" (JSON numbers are decimal)");
		return false;
	}
	if (!rd_as_string(r, v, &s))
		return false;
	size_t len = strlen(s);
	bool ok = (len == 3 || len == 4);
	for (size_t i = 0; ok && i < len; i++)
		ok = s[i] >= '0' && s[i] <= '7';
	if (!ok) {
		rd_error(
			r,
			"invalid file mode \"%s\" (write 3 or 4 octal digits, e.g. \"0750\")",
			s);
		return false;
	}
	*mode = (int)strtol(s, NULL, 8);
	return true;
}

bool gd_node_path_local(const char *path)
{
	static const char *const roots[] = {
		"/etc", "/run",	    "/var/spool",   "/var/log",
		"/tmp", "/dev/shm", "/srv/scratch", "/srv/shared"};
	if (strstr(path, "/../") || strstr(path, "/./") ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		return false;
	for (size_t i = 0; i < GD_ARRAY_SIZE(roots); i++) {
		size_t n = strlen(roots[i]);
		if (strncmp(path, roots[i], n) == 0 &&
		    (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

static void parse_path_skew(gd_reader *r, json_t *v, gd_path_skew *p)
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
			size_t m = rd_push_key(r, "path");
			rd_error(
				r,
				"\"%s\" is not the node's own: a skew may change paths under %s only (the rest of a node's file system is the host's)",
				p->target, GD_NODE_LOCAL_PATHS);
			rd_pop(r, m);
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
	RD_FIELD(parse_mode_string, r, v, "mode", false, &p->mode);
	RD_FIELD(rd_as_name, r, v, "owner", false, 31, &p->owner);
	RD_FIELD(rd_as_name, r, v, "group", false, 31, &p->group);
	if (!json_object_get(v, "mode") && !json_object_get(v, "owner") &&
	    !json_object_get(v, "group"))
		rd_error(
			r,
			"a path change needs at least one of \"mode\", \"owner\", \"group\"");
}

static void parse_seccomp(gd_reader *r, json_t *v, gd_skew *k)
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

/* The fields a skew step and a reboot's "back_with.skew" share. */
void parse_skew_body(gd_reader *r, json_t *obj, gd_skew *k)
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
		parse_seccomp(r, sc, k);
		rd_pop(r, m);
	}

	if (RD_FIELD(rd_as_strv, r, obj, "caps_drop", false, &k->caps_drop)) {
		size_t m = rd_push_key(r, "caps_drop");
		bool many = json_is_array(json_object_get(obj, "caps_drop"));
		for (size_t i = 0; i < k->caps_drop.n; i++) {
			if (gd_cap_by_name(k->caps_drop.v[i]) >= 0)
				continue;
			size_t mi = many ? rd_push_index(r, i) : r->len;
			size_t n;
			const char *const *names = gd_cap_names(&n);
			error_with_hint(r, "capability", k->caps_drop.v[i],
					names, n);
			rd_pop(r, mi);
		}
		rd_pop(r, m);
	}

	if (k->uid < 0 && k->gid < 0 && !paths && !sc && !k->caps_drop.n &&
	    !json_object_get(obj, "caps_drop"))
		rd_error(
			r,
			"a skew must change something: \"uid\", \"gid\", \"paths\", \"seccomp\" or \"caps_drop\"");
}

static bool rd_as_drift(gd_reader *r, json_t *v, gd_ms *per_h)
{
	static const struct {
		const char *unit;
		gd_ms ms;
	} per[] = {{"d", GD_MS_PER_D}, {"h", GD_MS_PER_H}, {"m", GD_MS_PER_M}};
	const char *s;
	if (!rd_as_string(r, v, &s))
		return false;
	const char *slash = strchr(s, '/');
	if (!slash) {
		rd_error(
			r,
			"invalid drift \"%s\": write a signed gain per period, e.g. \"+30s/h\" or \"-2m/d\"",
			s);
		return false;
	}
	const char *why;
	gd_ms gain, unit = 0;
	char *left = gd_arena_printf(r->arena, "%.*s", (int)(slash - s), s);
	if (gd_offset_parse(left, &gain, &why) < 0) {
		rd_error(r, "invalid drift \"%s\": %s", s, why);
		return false;
	}
	for (size_t i = 0; i < GD_ARRAY_SIZE(per); i++)
		if (strcmp(slash + 1, per[i].unit) == 0)
			unit = per[i].ms;
	if (!unit) {
		rd_error(
			r,
			"invalid drift \"%s\": the period after '/' must be m, h or d",
			s);
		return false;
	}
	/* Beyond half again as fast or slow it is no longer drift, and
	 * libfaketime misbehaves at large speed factors. */
	if ((gain < 0 ? -gain : gain) * 2 > unit) {
		rd_error(r,
			 "drift \"%s\" is too fast (at most 30m/h either way)",
			 s);
		return false;
	}
	if (gain == 0) {
		rd_error(r, "a drift of zero changes nothing");
		return false;
	}
	*per_h = gain * GD_MS_PER_H / unit;
	if (*per_h == 0) {
		rd_error(
			r,
			"drift \"%s\" is too slow to express (under 1ms an hour)",
			s);
		return false;
	}
	return true;
}

void parse_clock_body(gd_reader *r, json_t *obj, gd_clock *c)
{
	c->path = rd_path_keep(r);
	json_t *off = json_object_get(obj, "offset");
	json_t *drift = json_object_get(obj, "drift");
	json_t *reset = json_object_get(obj, "reset");
	int given = !!off + !!drift + !!reset;
	if (given != 1) {
		rd_error(
			r,
			given ? "a clock change takes one of \"offset\", \"drift\", \"reset\", not several"
			      : "a clock change needs \"offset\" (e.g. \"+2h\"), \"drift\" (e.g. \"+30s/h\") or \"reset\": true");
		return;
	}
	if (off) {
		c->action = GD_CLOCK_OFFSET;
		if (RD_FIELD(rd_as_offset, r, obj, "offset", true,
			     &c->offset) &&
		    c->offset == 0) {
			size_t m = rd_push_key(r, "offset");
			rd_error(r, "an offset of zero changes nothing");
			rd_pop(r, m);
		}
	} else if (drift) {
		c->action = GD_CLOCK_DRIFT;
		RD_FIELD(rd_as_drift, r, obj, "drift", true, &c->drift_per_h);
	} else {
		bool b = false;
		c->action = GD_CLOCK_RESET;
		if (RD_FIELD(rd_as_bool, r, obj, "reset", true, &b) && !b) {
			size_t m = rd_push_key(r, "reset");
			rd_error(
				r,
				"\"reset\" can only be true (leave it out otherwise)");
			rd_pop(r, m);
		}
	}
}

static void parse_config(gd_reader *r, json_t *v, gd_change *c)
{
	if (!json_is_object(v) || json_object_size(v) == 0) {
		rd_error(
			r,
			"expected a non-empty object of configuration settings, got %s",
			json_is_object(v) ? "an empty object"
					  : rd_type_name(v));
		return;
	}
	c->nconfig = json_object_size(v);
	c->config_keys = gd_arena_array(r->arena, c->nconfig, sizeof(char *));
	c->config_values = gd_arena_array(r->arena, c->nconfig, sizeof(char *));
	size_t i = 0;
	const char *key;
	json_t *val;
	json_object_foreach (v, key, val) {
		size_t m = rd_push_key(r, key);
		c->config_keys[i] = gd_arena_strdup(r->arena, key);
		if (json_is_integer(val))
			c->config_values[i] = gd_arena_printf(
				r->arena, "%lld",
				(long long)json_integer_value(val));
		else
			rd_as_string(r, val, &c->config_values[i]);
		i++;
		rd_pop(r, m);
	}
}

void parse_back_with(gd_reader *r, json_t *v, gd_step *st)
{
	gd_change *c = gd_arena_alloc(r->arena, sizeof(*c));
	st->back_with = c;
	c->path = rd_path_keep(r);
	if (!rd_object(r, v, "a change on return", change_keys,
		       GD_ARRAY_SIZE(change_keys), NULL, 0))
		return;
	json_t *skew = json_object_get(v, "skew");
	json_t *clock = json_object_get(v, "clock");
	json_t *config = json_object_get(v, "config");
	if (!skew && !clock && !config)
		rd_error(
			r,
			"\"back_with\" needs at least one of \"skew\", \"clock\", \"config\"");
	if (skew) {
		size_t m = rd_push_key(r, "skew");
		c->skew = gd_arena_alloc(r->arena, sizeof(*c->skew));
		if (rd_object(r, skew, "a skew", skew_body_keys,
			      GD_ARRAY_SIZE(skew_body_keys), NULL, 0))
			parse_skew_body(r, skew, c->skew);
		rd_pop(r, m);
	}
	if (clock) {
		size_t m = rd_push_key(r, "clock");
		c->clock = gd_arena_alloc(r->arena, sizeof(*c->clock));
		if (rd_object(r, clock, "a clock change", clock_body_keys,
			      GD_ARRAY_SIZE(clock_body_keys), NULL, 0))
			parse_clock_body(r, clock, c->clock);
		rd_pop(r, m);
	}
	if (config) {
		size_t m = rd_push_key(r, "config");
		parse_config(r, config, c);
		rd_pop(r, m);
	}
	c->has_for = RD_FIELD(rd_as_positive_duration, r, v, "for", false,
			      &c->for_ms);
}

static void parse_wave(gd_reader *r, json_t *v, gd_step *st)
{
	gd_wave *w = gd_arena_alloc(r->arena, sizeof(*w));
	st->wave = w;
	if (!rd_object(r, v, "a wave", wave_keys, GD_ARRAY_SIZE(wave_keys),
		       NULL, 0))
		return;
	long long size;
	if (RD_FIELD(rd_as_int, r, v, "size", true, 1, GD_MAX_NODES, &size))
		w->size = (unsigned)size;
	RD_FIELD(rd_as_duration, r, v, "gap", false, &w->gap);
	static const char *const orders[] = {"listed", "shuffled"};
	int order = 0;
	if (RD_FIELD(rd_as_choice, r, v, "order", false, orders, 2, &order))
		w->shuffle = order == 1;
}

void rd_step_lasts(gd_reader *r, json_t *obj, gd_step *st)
{
	if (!json_object_get(obj, "for"))
		rd_error(r, "a %s step needs \"for\" (how long it lasts)",
			 st->kind->name);
}

/* The kind's own settings, then what every step's "targets" and "wave"
 * must agree with; these are the rules a reader could otherwise
 * misread. */
static void check_kind_rules(gd_reader *r, json_t *obj, gd_step *st)
{
	bool node_targets = json_object_get(obj, "targets") != NULL;
	if (st->kind->parse)
		st->kind->parse(r, obj, st);
	if (!st->kind->targets_optional && !node_targets)
		rd_missing(r, obj, "targets");
	if (node_targets) {
		parse_targets_field(r, obj, "targets", &st->targets);
		st->has_targets = true;
	}
	if (st->wave && !(st->kind->waves && st->kind->waves(st))) {
		size_t m = rd_push_key(r, "wave");
		rd_error(
			r,
			"waves take nodes down in batches: they apply to kill (whole node, with \"for\"), pause and reboot steps");
		rd_pop(r, m);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The step's kind, or NULL once it is reported as unknown. */
static const gd_kind *read_kind(gd_reader *r, json_t *v)
{
	size_t m = rd_push_key(r, "kind");
	const char *name = NULL;
	const gd_kind *k = NULL;
	if (rd_as_string(r, v, &name) && !(k = gd_kind_find(name))) {
		const char **names =
			gd_arena_array(r->arena, gd_nkinds, sizeof(char *));
		for (size_t i = 0; i < gd_nkinds; i++)
			names[i] = gd_kinds[i]->name;
		qsort(names, gd_nkinds, sizeof(*names), by_name);
		const char *hint = gd_suggest(name, names, gd_nkinds);
		char *list = gd_arena_printf(r->arena, "%s", names[0]);
		for (size_t i = 1; i < gd_nkinds; i++)
			list = gd_arena_printf(r->arena, "%s, %s", list,
					       names[i]);
		rd_error(r, "unknown fault kind \"%s\"%s%s%s (kinds: %s)", name,
			 hint ? "; did you mean \"" : "", hint ? hint : "",
			 hint ? "\"?" : "", list);
	}
	rd_pop(r, m);
	return k;
}

static bool has_key(const gd_kind *k, const char *key)
{
	for (size_t i = 0; i < k->nkeys; i++)
		if (strcmp(k->keys[i], key) == 0)
			return true;
	return false;
}

/* Every key some step may hold: the common ones, then each kind's. */
static const char **keys_of_any_kind(gd_reader *r, size_t *n)
{
	size_t cap = GD_ARRAY_SIZE(common_keys);
	for (size_t k = 0; k < gd_nkinds; k++)
		cap += gd_kinds[k]->nkeys;
	const char **any = gd_arena_array(r->arena, cap, sizeof(char *));
	*n = 0;
	for (size_t i = 0; i < GD_ARRAY_SIZE(common_keys); i++)
		any[(*n)++] = common_keys[i];
	for (size_t k = 0; k < gd_nkinds; k++)
		for (size_t i = 0; i < gd_kinds[k]->nkeys; i++) {
			bool seen = false;
			for (size_t j = 0; j < *n && !seen; j++)
				seen = strcmp(any[j], gd_kinds[k]->keys[i]) ==
				       0;
			if (!seen)
				any[(*n)++] = gd_kinds[k]->keys[i];
		}
	return any;
}

/* Without a kind, which keys a step may hold is unknown: a key some kind
 * has ("back_with" beside "kind": "rebot") would be a second, wrong
 * problem.  Only keys no kind has are reported ("knd" for "kind"). */
static void check_keys_of_any_kind(gd_reader *r, json_t *obj)
{
	size_t n;
	const char **any = keys_of_any_kind(r, &n);
	rd_object(r, obj, "a step of any kind", any, n, NULL, 0);
}

/* Checks obj's keys against kind k's: a key of other kinds is named as
 * theirs ("offset" in a kill step: "a clock step"); the rest get the
 * did-you-mean treatment against k's keys. */
static void check_keys_of(gd_reader *r, json_t *obj, const gd_kind *k)
{
	size_t nany, nmine = GD_ARRAY_SIZE(common_keys) + k->nkeys;
	const char **any = keys_of_any_kind(r, &nany);
	const char **mine = gd_arena_array(r->arena, nmine, sizeof(char *));
	memcpy(mine, common_keys, sizeof(common_keys));
	memcpy(mine + GD_ARRAY_SIZE(common_keys), k->keys,
	       k->nkeys * sizeof(char *));
	rd_elsewhere *other =
		gd_arena_array(r->arena, nany, sizeof(rd_elsewhere));
	size_t nother = 0;
	for (size_t i = GD_ARRAY_SIZE(common_keys); i < nany; i++) {
		if (has_key(k, any[i]))
			continue;
		char *where = NULL;
		for (size_t j = 0; j < gd_nkinds; j++)
			if (has_key(gd_kinds[j], any[i]))
				where = where ? gd_arena_printf(
							r->arena, "%s or %s",
							where,
							gd_kinds[j]->name)
					      : gd_arena_printf(
							r->arena, "a %s",
							gd_kinds[j]->name);
		other[nother++] = (rd_elsewhere){
			any[i], gd_arena_printf(r->arena, "%s step", where)};
	}
	const char *what = gd_arena_printf(r->arena, "a %s step", k->name);
	rd_object(r, obj, what, mine, nmine, other, nother);
}

static void parse_step(gd_reader *r, json_t *obj, gd_step *st)
{
	st->path = rd_path_keep(r);
	if (!json_is_object(obj)) {
		rd_error(r, "expected a step (an object), got %s",
			 rd_type_name(obj));
		return;
	}

	json_t *kind_value = json_object_get(obj, "kind");
	const gd_kind *k = kind_value ? read_kind(r, kind_value) : NULL;
	if (!k) {
		check_keys_of_any_kind(r, obj);
		/* After the keys: a misspelt "kind" already has its hint. */
		if (!kind_value)
			rd_missing(r, obj, "kind");
		return;
	}
	st->kind = k;
	check_keys_of(r, obj, k);

	RD_FIELD(rd_as_name, r, obj, "id", false, 64, &st->id);
	RD_FIELD(rd_as_string, r, obj, "note", false, &st->note);

	json_t *at = json_object_get(obj, "at");
	json_t *after = json_object_get(obj, "after");
	if (at && after)
		rd_error(
			r,
			"a step starts either \"at\" a time or \"after\" other steps, not both");
	else if (!at && !after)
		rd_error(
			r,
			"a step needs \"at\" (e.g. \"10m\" from the start) or \"after\" (the id of a step)");
	st->has_at = RD_FIELD(rd_as_duration, r, obj, "at", false, &st->at);
	RD_FIELD(rd_as_strv, r, obj, "after", false, &st->after);
	if (json_object_get(obj, "delay")) {
		if (!after) {
			size_t m = rd_push_key(r, "delay");
			rd_error(
				r,
				"\"delay\" counts from the end of the \"after\" steps; use \"at\" alone otherwise");
			rd_pop(r, m);
		} else {
			RD_FIELD(rd_as_duration, r, obj, "delay", true,
				 &st->delay);
		}
	}
	st->has_for = RD_FIELD(rd_as_positive_duration, r, obj, "for", false,
			       &st->for_ms);

	json_t *wave = json_object_get(obj, "wave");
	if (wave) {
		size_t m = rd_push_key(r, "wave");
		parse_wave(r, wave, st);
		rd_pop(r, m);
	}
	check_kind_rules(r, obj, st);
}

void parse_steps(gd_reader *r, json_t *v, gd_scenario *s)
{
	if (!json_is_array(v)) {
		rd_error(r, "expected an array of steps, got %s",
			 rd_type_name(v));
		return;
	}
	s->nsteps = json_array_size(v);
	s->steps = gd_arena_array(r->arena, s->nsteps + 1, sizeof(*s->steps));
	for (size_t i = 0; i < s->nsteps; i++) {
		size_t m = rd_push_index(r, i);
		gd_step *st = &s->steps[i];
		st->index = i;
		parse_step(r, json_array_get(v, i), st);
		if (!st->id)
			st->id = gd_arena_printf(r->arena, "step%zu", i + 1);
		rd_pop(r, m);
	}
}
