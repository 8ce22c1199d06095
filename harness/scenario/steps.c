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

/* The keys of "back_with": each kind that can be part of a changed
 * return, by its name, then "config" and "for". */
static const char **change_keys(gd_reader *r, size_t *n)
{
	const char **keys =
		gd_arena_array(r->arena, gd_nkinds + 3, sizeof(char *));
	*n = 0;
	for (size_t k = 0; k < gd_nkinds; k++)
		if (gd_kinds[k]->parse_part)
			keys[(*n)++] = gd_kinds[k]->name;
	keys[(*n)++] = "config";
	keys[(*n)++] = "provision";
	keys[(*n)++] = "for";
	return keys;
}

void parse_back_with(gd_reader *r, json_t *v, gd_step *st)
{
	gd_change *c = gd_arena_alloc(r->arena, sizeof(*c));
	st->back_with = c;
	c->path = rd_path_keep(r);
	size_t nkeys;
	const char **keys = change_keys(r, &nkeys);
	if (!rd_object(r, v, "a change on return", keys, nkeys, NULL, 0))
		return;
	c->parts = gd_arena_array(r->arena, gd_nkinds, sizeof(*c->parts));
	bool any =
		json_object_get(v, "config") || json_object_get(v, "provision");
	for (size_t k = 0; k < gd_nkinds; k++) {
		json_t *body = gd_kinds[k]->parse_part
				       ? json_object_get(v, gd_kinds[k]->name)
				       : NULL;
		if (!body)
			continue;
		any = true;
		size_t m = rd_push_key(r, gd_kinds[k]->name);
		const void *spec = gd_kinds[k]->parse_part(r, body);
		if (spec)
			c->parts[c->nparts++] =
				(gd_change_part){gd_kinds[k], spec};
		rd_pop(r, m);
	}
	if (!any) {
		char *list = gd_arena_printf(r->arena, "\"%s\"", keys[0]);
		for (size_t i = 1; i + 1 < nkeys; i++)
			list = gd_arena_printf(r->arena, "%s, \"%s\"", list,
					       keys[i]);
		rd_error(r, "\"back_with\" needs at least one of %s", list);
	}
	json_t *config = json_object_get(v, "config");
	if (config) {
		size_t m = rd_push_key(r, "config");
		parse_config(r, config, c);
		rd_pop(r, m);
	}
	json_t *script = json_object_get(v, "provision");
	if (script) {
		size_t m = rd_push_key(r, "provision");
		c->provision_path = rd_path_keep(r);
		rd_as_host_argv(r, script, &c->provision);
		/* the node's files are the new script's whole */
		if (c->nparts || c->nconfig)
			rd_error(
				r,
				"a node renewed by another script gets its files from it alone: \"provision\" cannot be combined with \"%s\"",
				c->nparts ? c->parts[0].kind->name : "config");
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

void parse_lasts(gd_reader *r, json_t *obj, gd_step *st)
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
	if (st->wave && !(st->kind->waves && st->kind->waves(st)))
		rd_error_at(
			r, "wave",
			"waves take nodes down in batches: they apply to kill (whole node, with \"for\"), pause and reboot steps");
	else if (st->wave && !st->kind->lasts && !json_object_get(obj, "for"))
		/* a kind that lasts has said it needs "for" already */
		rd_error_at(
			r, "wave",
			"a wave needs the step's \"for\" (how long each batch is down)");
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
		/* of two as close, the one first in the table */
		const char *hint = gd_suggest(name, names, gd_nkinds);
		qsort(names, gd_nkinds, sizeof(*names), by_name);
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

/* What checking a step's keys needs, made once for all the steps of a
 * file (a file may hold thousands): every key some step may hold, and
 * per kind its own and where each other kind's belongs. */
struct kind_keys {
	const char *what; /* "a kill step" */
	const char **mine;
	size_t nmine;
	rd_elsewhere *other; /* "offset" in a kill step: "a clock step" */
	size_t nother;
};

struct step_keys {
	const char **any; /* the common ones, then each kind's */
	size_t nany;
	const char **any_sorted; /* of two keys as close, the first by name */
	struct kind_keys of[];	 /* in the table's order */
};

/* "a kill or partition step": the kinds that have key, in table order. */
static const char *whose(gd_reader *r, const char *key)
{
	char *where = NULL;
	for (size_t j = 0; j < gd_nkinds; j++)
		if (has_key(gd_kinds[j], key))
			where = where ? gd_arena_printf(r->arena, "%s or %s",
							where,
							gd_kinds[j]->name)
				      : gd_arena_printf(r->arena, "a %s",
							gd_kinds[j]->name);
	return gd_arena_printf(r->arena, "%s step", where);
}

static void keys_of_kind(gd_reader *r, const struct step_keys *sk,
			 const gd_kind *k, struct kind_keys *kk)
{
	kk->what = gd_arena_printf(r->arena, "a %s step", k->name);
	kk->nmine = GD_ARRAY_SIZE(common_keys) + k->nkeys;
	kk->mine = gd_arena_array(r->arena, kk->nmine, sizeof(char *));
	for (size_t i = 0; i < kk->nmine; i++)
		kk->mine[i] = i < GD_ARRAY_SIZE(common_keys)
				      ? common_keys[i]
				      : k->keys[i - GD_ARRAY_SIZE(common_keys)];
	kk->other = gd_arena_array(r->arena, sk->nany, sizeof(rd_elsewhere));
	for (size_t i = GD_ARRAY_SIZE(common_keys); i < sk->nany; i++)
		if (!has_key(k, sk->any[i]))
			kk->other[kk->nother++] = (rd_elsewhere){
				sk->any[i], whose(r, sk->any[i])};
}

static const struct step_keys *step_keys_new(gd_reader *r)
{
	size_t cap = GD_ARRAY_SIZE(common_keys);
	for (size_t k = 0; k < gd_nkinds; k++)
		cap += gd_kinds[k]->nkeys;
	struct step_keys *sk = gd_arena_alloc(
		r->arena, sizeof(*sk) + gd_nkinds * sizeof(sk->of[0]));
	sk->any = gd_arena_array(r->arena, cap, sizeof(char *));
	for (size_t i = 0; i < GD_ARRAY_SIZE(common_keys); i++)
		sk->any[sk->nany++] = common_keys[i];
	for (size_t k = 0; k < gd_nkinds; k++)
		for (size_t i = 0; i < gd_kinds[k]->nkeys; i++) {
			bool seen = false;
			for (size_t j = 0; j < sk->nany && !seen; j++)
				seen = strcmp(sk->any[j],
					      gd_kinds[k]->keys[i]) == 0;
			if (!seen)
				sk->any[sk->nany++] = gd_kinds[k]->keys[i];
		}
	sk->any_sorted = gd_arena_array(r->arena, sk->nany, sizeof(char *));
	memcpy(sk->any_sorted, sk->any, sk->nany * sizeof(char *));
	qsort(sk->any_sorted, sk->nany, sizeof(char *), by_name);
	for (size_t k = 0; k < gd_nkinds; k++)
		keys_of_kind(r, sk, gd_kinds[k], &sk->of[k]);
	return sk;
}

/* Checks obj's keys against kind k's: a key of other kinds is named as
 * theirs; the rest get the did-you-mean treatment against k's keys.
 * Without a kind (NULL), which keys a step may hold is unknown: a key
 * some kind has ("back_with" beside "kind": "rebot") would be a second,
 * wrong problem, so only keys no kind has are reported ("knd"). */
static void check_keys(gd_reader *r, json_t *obj, const struct step_keys *sk,
		       const gd_kind *k)
{
	for (size_t i = 0; k && i < gd_nkinds; i++)
		if (gd_kinds[i] == k) {
			const struct kind_keys *kk = &sk->of[i];
			rd_object(r, obj, kk->what, kk->mine, kk->nmine,
				  kk->other, kk->nother);
			return;
		}
	rd_object(r, obj, "a step of any kind", sk->any_sorted, sk->nany, NULL,
		  0);
}

static void parse_step(gd_reader *r, json_t *obj, const struct step_keys *sk,
		       gd_step *st)
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
		check_keys(r, obj, sk, NULL);
		/* After the keys: a misspelt "kind" already has its hint. */
		if (!kind_value)
			rd_missing(r, obj, "kind");
		return;
	}
	st->kind = k;
	check_keys(r, obj, sk, k);

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
			rd_error_at(
				r, "delay",
				"\"delay\" counts from the end of the \"after\" steps; use \"at\" alone otherwise");
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

bool gd_step_shifts_clock(const gd_step *st, bool changed, gd_time_shift *out)
{
	gd_time_shift ignored;
	if (!out)
		out = &ignored;
	if (!st->kind) /* a step whose kind was not understood */
		return false;
	if (!changed)
		return st->kind->shifts_clock &&
		       st->kind->shifts_clock(st->spec, out);
	for (size_t i = 0; st->back_with && i < st->back_with->nparts; i++) {
		const gd_change_part *part = &st->back_with->parts[i];
		if (part->kind->shifts_clock &&
		    part->kind->shifts_clock(part->spec, out))
			return true;
	}
	return false;
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
	const struct step_keys *sk = step_keys_new(r);
	for (size_t i = 0; i < s->nsteps; i++) {
		size_t m = rd_push_index(r, i);
		gd_step *st = &s->steps[i];
		st->index = i;
		parse_step(r, json_array_get(v, i), sk, st);
		if (!st->id)
			st->id = gd_arena_printf(r->arena, "step%zu", i + 1);
		rd_pop(r, m);
	}
}
