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

static const char *const kind_names[GD_FAULT_KIND_COUNT] = {
	[GD_FAULT_KILL] = "kill",     [GD_FAULT_PAUSE] = "pause",
	[GD_FAULT_REBOOT] = "reboot", [GD_FAULT_PARTITION] = "partition",
	[GD_FAULT_CLOCK] = "clock",   [GD_FAULT_SKEW] = "skew",
	[GD_FAULT_NETEM] = "netem",
};

const char *gd_fault_kind_name(enum gd_fault_kind k)
{
	return k < GD_FAULT_KIND_COUNT ? kind_names[k] : "?";
}

#define COMMON_KEYS "id", "kind", "note", "at", "after", "delay", "for", "wave"
static const char *const kill_keys[] = {COMMON_KEYS, "targets", "mode", "grace",
					"service"};
static const char *const pause_keys[] = {COMMON_KEYS, "targets"};
static const char *const reboot_keys[] = {COMMON_KEYS, "targets", "back_with",
					  "drain"};
static const char *const partition_keys[] = {COMMON_KEYS, "targets", "groups",
					     "from",	  "to",	     "mode"};
static const char *const clock_keys[] = {COMMON_KEYS, "targets", "offset",
					 "drift", "reset"};
static const char *const skew_keys[] = {
	COMMON_KEYS, "targets", "uid", "gid", "paths", "seccomp", "caps_drop"};
static const char *const netem_keys[] = {COMMON_KEYS, "targets", "latency",
					 "jitter", "loss"};

static const struct kind_keys {
	const char *const *keys;
	size_t n;
} keys_of[GD_FAULT_KIND_COUNT] = {
#define K(kind, arr) [kind] = {arr, GD_ARRAY_SIZE(arr)}
	K(GD_FAULT_KILL, kill_keys),	 K(GD_FAULT_PAUSE, pause_keys),
	K(GD_FAULT_REBOOT, reboot_keys), K(GD_FAULT_PARTITION, partition_keys),
	K(GD_FAULT_CLOCK, clock_keys),	 K(GD_FAULT_SKEW, skew_keys),
	K(GD_FAULT_NETEM, netem_keys),
#undef K
};

/* Keys of other kinds, so "offset" in a kill step says where it belongs. */
static const rd_elsewhere elsewhere[] = {
	{"mode", "a kill or partition step"},
	{"grace", "a kill step"},
	{"service", "a kill step"},
	{"back_with", "a reboot step"},
	{"drain", "a reboot step"},
	{"groups", "a partition step"},
	{"from", "a partition step"},
	{"to", "a partition step"},
	{"offset", "a clock step"},
	{"drift", "a clock step"},
	{"reset", "a clock step"},
	{"uid", "a skew step"},
	{"gid", "a skew step"},
	{"paths", "a skew step"},
	{"seccomp", "a skew step"},
	{"caps_drop", "a skew step"},
	{"latency", "a netem step"},
	{"jitter", "a netem step"},
	{"loss", "a netem step"},
};

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

static void parse_targets_field(gd_reader *r, json_t *obj, const char *key,
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

static void parse_back_with(gd_reader *r, json_t *v, gd_step *st)
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

/* Settings that make sense for one kind only, checked once the kind is
 * known; these are the rules a reader could otherwise misread. */
static void check_kind_rules(gd_reader *r, json_t *obj, gd_step *st)
{
	bool has_for = json_object_get(obj, "for") != NULL;
	bool node_targets = json_object_get(obj, "targets") != NULL;

	switch (st->kind) {
	case GD_FAULT_KILL: {
		static const char *const modes[] = {"hard", "graceful"};
		int mode = 0;
		RD_FIELD(rd_as_choice, r, obj, "mode", false, modes, 2, &mode);
		st->kill.graceful = mode == 1;
		st->kill.grace = 10 * GD_MS_PER_S;
		if (json_object_get(obj, "grace")) {
			if (!st->kill.graceful) {
				size_t m = rd_push_key(r, "grace");
				rd_error(
					r,
					"\"grace\" applies to \"mode\": \"graceful\" kills only");
				rd_pop(r, m);
			} else {
				RD_FIELD(rd_as_positive_duration, r, obj,
					 "grace", true, &st->kill.grace);
			}
		}
		RD_FIELD(rd_as_name, r, obj, "service", false, 64,
			 &st->kill.service);
		if (st->kill.service && has_for) {
			size_t m = rd_push_key(r, "for");
			rd_error(
				r,
				"a killed service is restarted by its supervisor; \"for\" applies to whole-node kills");
			rd_pop(r, m);
		}
		break;
	}
	case GD_FAULT_PAUSE:
	case GD_FAULT_REBOOT:
	case GD_FAULT_NETEM:
		if (!has_for)
			rd_error(r,
				 "a %s step needs \"for\" (how long it lasts)",
				 gd_fault_kind_name(st->kind));
		break;
	case GD_FAULT_PARTITION: {
		json_t *groups = json_object_get(obj, "groups");
		json_t *from = json_object_get(obj, "from");
		json_t *to = json_object_get(obj, "to");
		int shapes = node_targets + !!groups + !!(from || to);
		if (!has_for)
			rd_error(
				r,
				"a partition step needs \"for\" (how long it lasts)");
		if (shapes != 1) {
			rd_error(
				r,
				shapes ? "a partition takes one of \"targets\" (isolate), \"groups\" (split) or \"from\"+\"to\" (one-way), not several"
				       : "a partition needs \"targets\" (isolate them), \"groups\" (split the cluster) or \"from\" and \"to\" (one-way cut)");
			break;
		}
		if (node_targets)
			st->partition.shape = GD_PART_ISOLATE;
		if (groups) {
			st->partition.shape = GD_PART_SPLIT;
			size_t m = rd_push_key(r, "groups");
			if (!json_is_array(groups) ||
			    json_array_size(groups) < 2) {
				rd_error(
					r,
					"expected an array of at least two groups of targets");
			} else {
				size_t n = json_array_size(groups);
				st->partition.groups = gd_arena_array(
					r->arena, n, sizeof(gd_targets));
				st->partition.ngroups = n;
				for (size_t i = 0; i < n; i++) {
					size_t mi = rd_push_index(r, i);
					parse_targets(r,
						      json_array_get(groups, i),
						      &st->partition.groups[i]);
					rd_pop(r, mi);
				}
			}
			rd_pop(r, m);
		}
		if (from || to) {
			st->partition.shape = GD_PART_ONEWAY;
			if (!from || !to)
				rd_error(
					r,
					"a one-way partition needs both \"from\" and \"to\"");
			parse_targets_field(r, obj, "from",
					    &st->partition.from);
			parse_targets_field(r, obj, "to", &st->partition.to);
		}
		static const char *const modes[] = {"blackhole", "unreachable",
						    "prohibit"};
		int mode = 0;
		RD_FIELD(rd_as_choice, r, obj, "mode", false, modes, 3, &mode);
		st->partition.mode = (enum gd_partition_mode)mode;
		break;
	}
	case GD_FAULT_CLOCK:
		parse_clock_body(r, obj, &st->clock);
		if (st->clock.action == GD_CLOCK_RESET && has_for) {
			size_t m = rd_push_key(r, "for");
			rd_error(
				r,
				"a clock reset is instant; it takes no \"for\"");
			rd_pop(r, m);
		}
		break;
	case GD_FAULT_SKEW:
		parse_skew_body(r, obj, &st->skew);
		break;
	case GD_FAULT_KIND_COUNT:
		break;
	}

	if (st->kind == GD_FAULT_NETEM) {
		gd_netem *n = &st->netem;
		bool lat = RD_FIELD(rd_as_positive_duration, r, obj, "latency",
				    false, &n->delay);
		if (lat && n->delay > GD_NETEM_MAX_LATENCY) {
			size_t m = rd_push_key(r, "latency");
			rd_error(
				r,
				"latency over 1m: a network that slow is down (a partition)");
			rd_pop(r, m);
		}
		RD_FIELD(rd_as_percent, r, obj, "loss", false, 0, 100,
			 &n->loss_pct);
		if (json_object_get(obj, "jitter")) {
			if (!json_object_get(obj, "latency"))
				rd_error(r, "\"jitter\" needs \"latency\"");
			else if (RD_FIELD(rd_as_positive_duration, r, obj,
					  "jitter", true, &n->jitter) &&
				 lat && n->jitter > n->delay) {
				size_t m = rd_push_key(r, "jitter");
				rd_error(
					r,
					"jitter larger than the latency it varies");
				rd_pop(r, m);
			}
		}
		if (!json_object_get(obj, "latency") &&
		    !json_object_get(obj, "loss"))
			rd_error(r,
				 "a netem step needs \"latency\" or \"loss\"");
	}

	bool targets_needed = st->kind != GD_FAULT_PARTITION;
	if (targets_needed && !node_targets)
		rd_missing(r, obj, "targets");
	if (node_targets) {
		parse_targets_field(r, obj, "targets", &st->targets);
		st->has_targets = true;
	}

	if (st->wave) {
		bool waveable =
			st->kind == GD_FAULT_PAUSE ||
			st->kind == GD_FAULT_REBOOT ||
			(st->kind == GD_FAULT_KILL && !st->kill.service);
		size_t m = rd_push_key(r, "wave");
		if (!waveable)
			rd_error(
				r,
				"waves take nodes down in batches: they apply to kill (whole node, with \"for\"), pause and reboot steps");
		else if (!has_for && st->kind == GD_FAULT_KILL)
			/* pause and reboot already say they need "for" */
			rd_error(
				r,
				"a wave needs the step's \"for\" (how long each batch is down)");
		rd_pop(r, m);
	}
}

/* The step's kind, or -1 once it is reported as unknown. */
static int read_kind(gd_reader *r, json_t *v)
{
	size_t m = rd_push_key(r, "kind");
	const char *kind = NULL;
	int k = -1;
	if (rd_as_string(r, v, &kind)) {
		for (int i = 0; i < GD_FAULT_KIND_COUNT; i++)
			if (strcmp(kind, kind_names[i]) == 0)
				k = i;
		if (k < 0) {
			const char *hint = gd_suggest(kind, kind_names,
						      GD_FAULT_KIND_COUNT);
			rd_error(
				r,
				"unknown fault kind \"%s\"%s%s%s (kinds: clock, kill, netem, partition, pause, reboot, skew)",
				kind, hint ? "; did you mean \"" : "",
				hint ? hint : "", hint ? "\"?" : "");
		}
	}
	rd_pop(r, m);
	return k;
}

/* Without a kind, which keys a step may hold is unknown: a key some kind
 * has ("back_with" beside "kind": "rebot") would be a second, wrong
 * problem.  Only keys no kind has are reported ("knd" for "kind"). */
static void check_keys_of_any_kind(gd_reader *r, json_t *obj)
{
	const char *any[64];
	size_t n = 0;
	for (int k = 0; k < GD_FAULT_KIND_COUNT; k++)
		for (size_t i = 0; i < keys_of[k].n; i++) {
			bool seen = false;
			for (size_t j = 0; j < n && !seen; j++)
				seen = strcmp(any[j], keys_of[k].keys[i]) == 0;
			if (!seen && n < GD_ARRAY_SIZE(any))
				any[n++] = keys_of[k].keys[i];
		}
	rd_object(r, obj, "a step of any kind", any, n, NULL, 0);
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
	int k = kind_value ? read_kind(r, kind_value) : -1;
	if (k < 0) {
		check_keys_of_any_kind(r, obj);
		/* After the keys: a misspelt "kind" already has its hint. */
		if (!kind_value)
			rd_missing(r, obj, "kind");
		return;
	}
	st->kind = (enum gd_fault_kind)k;

	/* Keys of another kind are named as such; the rest get the
	 * did-you-mean treatment against this kind's keys. */
	const struct kind_keys *kk = &keys_of[k];
	rd_elsewhere other[GD_ARRAY_SIZE(elsewhere)];
	size_t nother = 0;
	for (size_t i = 0; i < GD_ARRAY_SIZE(elsewhere); i++) {
		bool mine = false;
		for (size_t j = 0; j < kk->n && !mine; j++)
			mine = strcmp(kk->keys[j], elsewhere[i].key) == 0;
		if (!mine)
			other[nother++] = elsewhere[i];
	}
	const char *what =
		gd_arena_printf(r->arena, "a %s step", kind_names[k]);
	rd_object(r, obj, what, kk->keys, kk->n, other, nother);

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
	if (st->kind == GD_FAULT_REBOOT)
		RD_FIELD(rd_as_positive_duration, r, obj, "drain", false,
			 &st->drain);
	json_t *back = json_object_get(obj, "back_with");
	if (back && st->kind == GD_FAULT_REBOOT) {
		size_t m = rd_push_key(r, "back_with");
		parse_back_with(r, back, st);
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
		st->kind = GD_FAULT_KIND_COUNT;
		parse_step(r, json_array_get(v, i), st);
		if (!st->id)
			st->id = gd_arena_printf(r->arena, "step%zu", i + 1);
		rd_pop(r, m);
	}
}
