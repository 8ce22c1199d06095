#include "scenario/load.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fileio.h"
#include "scenario/parse.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define GD_MAX_FILE_SIZE (64u << 20)

static const char *const scenario_keys[] = {
	"gameday",    "name",	  "description", "seed",
	"time_scale", "duration", "cluster",	 "workload",
	"steps",      "expect",	  "alerts",	 "stop_when",
};
static const char *const expect_keys[] = {"within_expected", "max_stall",
					  "recover_within"};
static const char *const stop_keys[] = {"failed_jobs_exceed",
					"no_progress_for"};

/* Syntax tier: jansson's own message with the place it found the problem.
 * Duplicate keys are errors: with two "for" keys one of them is silently
 * ignored, which is exactly the misreading this format must prevent. */
static json_t *parse_json(const char *text, size_t len, const char *name,
			  gd_diags *diags)
{
	json_error_t e;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!root)
		gd_diag_at(diags, name, e.line > 0 ? e.line : 1,
			   e.column > 0 ? e.column : 1, "%s", e.text);
	return root;
}

/* The team's configuration file a cluster names ("slurm_conf"), read
 * relative to the file that names it; its lines are the job system's to
 * check (gd_jobsys_check_config), at FILE:LINE:COL of their own. */
static void load_conf_file(gd_arena *a, gd_diags *diags, gd_cluster *c,
			   const gd_load_opts *opts)
{
	if (!c->conf_rel || !*c->conf_rel)
		return;
	if (opts && opts->no_cluster_files) {
		gd_diag_path(diags, c->file, c->conf_path,
			     "configuration files cannot be read here");
		return;
	}
	c->conf_file = rd_beside(a, c->file, c->conf_rel);
	_cleanup_free_ char *text = NULL;
	_cleanup_error_ gd_error *err = NULL;
	size_t len;
	if (gd_read_file(c->conf_file, GD_MAX_FILE_SIZE, &text, &len, &err) <
	    0) {
		gd_diag_path(diags, c->file, c->conf_path, "%s", err->msg);
		return;
	}
	if (strlen(text) != len) {
		gd_diag_path(diags, c->file, c->conf_path,
			     "\"%s\" holds a NUL byte: not a text file",
			     c->conf_file);
		return;
	}
	c->conf_text = gd_arena_strdup(a, text);
}

/* "cluster": "clusters/small.json" is read relative to the scenario file,
 * and its problems are reported against the cluster file. */
static void load_cluster_file(gd_reader *r, const char *rel, gd_scenario *s,
			      const gd_load_opts *opts)
{
	if (opts && opts->no_cluster_files) {
		rd_error(r, "cluster files cannot be read here");
		return;
	}
	if (!*rel) {
		rd_error(r, "empty cluster file name");
		return;
	}
	const char *path = rd_beside(r->arena, s->file, rel);

	_cleanup_free_ char *text = NULL;
	_cleanup_error_ gd_error *err = NULL;
	size_t len;
	if (gd_read_file(path, GD_MAX_FILE_SIZE, &text, &len, &err) < 0) {
		rd_error(r, "%s", err->msg);
		return;
	}
	json_t *root = parse_json(text, len, path, r->diags);
	if (!root)
		return;
	gd_reader sub;
	rd_init(&sub, r->arena, r->diags, path);
	s->cluster.file = path;
	parse_cluster(&sub, root, &s->cluster, true);
	rd_fini(&sub);
	load_conf_file(r->arena, r->diags, &s->cluster, opts);
	json_decref(root);
}

static void parse_expect(gd_reader *r, json_t *v, gd_expect *e)
{
	if (!rd_object(r, v, "expectations", expect_keys,
		       GD_ARRAY_SIZE(expect_keys), NULL, 0))
		return;
	json_t *share = json_object_get(v, "within_expected");
	if (share) {
		size_t m = rd_push_key(r, "within_expected");
		const char *s;
		char *end;
		if (json_is_number(share))
			rd_error(
				r,
				"write a share as a percentage string, e.g. \"90%%\" (a bare number could mean 0.9 or 90)");
		else if (rd_as_string(r, share, &s)) {
			long pct = strtol(s, &end, 10);
			if (end == s || strcmp(end, "%") != 0 || pct < 0 ||
			    pct > 100 || s[0] < '0' || s[0] > '9')
				rd_error(
					r,
					"invalid share \"%s\" (write a whole percentage, e.g. \"90%%\")",
					s);
			else
				e->within_expected_pct = (int)pct;
		}
		rd_pop(r, m);
	}
	e->has_max_stall = RD_FIELD(rd_as_positive_duration, r, v, "max_stall",
				    false, &e->max_stall);
	e->has_recover_within =
		RD_FIELD(rd_as_positive_duration, r, v, "recover_within", false,
			 &e->recover_within);
}

static void parse_stop(gd_reader *r, json_t *v, gd_stop_when *st)
{
	if (!rd_object(r, v, "stop conditions", stop_keys,
		       GD_ARRAY_SIZE(stop_keys), NULL, 0))
		return;
	long long n;
	if (RD_FIELD(rd_as_int, r, v, "failed_jobs_exceed", false, 0, 1000000,
		     &n))
		st->failed_jobs_exceed = (long)n;
	st->has_no_progress =
		RD_FIELD(rd_as_positive_duration, r, v, "no_progress_for",
			 false, &st->no_progress_for);
	if (json_object_size(v) == 0)
		rd_error(
			r,
			"empty stop conditions (leave \"stop_when\" out instead)");
}

static void parse_root(gd_reader *r, json_t *root, gd_scenario *s,
		       const gd_load_opts *opts)
{
	if (!rd_object(r, root, "a scenario", scenario_keys,
		       GD_ARRAY_SIZE(scenario_keys), NULL, 0))
		return;
	rd_check_version(r, root);

	s->name = NULL;
	RD_FIELD(rd_as_name, r, root, "name", false, 64, &s->name);
	RD_FIELD(rd_as_string, r, root, "description", false, &s->description);
	long long seed;
	s->has_seed = RD_FIELD(rd_as_int, r, root, "seed", false, 0,
			       (long long)INT64_MAX, &seed);
	if (s->has_seed)
		s->seed = (uint64_t)seed;
	s->time_scale = 1;
	RD_FIELD(rd_as_number, r, root, "time_scale", false, 1.0, 10000.0,
		 &s->time_scale);
	RD_FIELD(rd_as_positive_duration, r, root, "duration", true,
		 &s->duration);

	json_t *cluster = rd_get(r, root, "cluster", true);
	if (cluster) {
		size_t m = rd_push_key(r, "cluster");
		s->cluster.file = s->file;
		if (json_is_string(cluster))
			load_cluster_file(r, json_string_value(cluster), s,
					  opts);
		else {
			parse_cluster(r, cluster, &s->cluster, false);
			load_conf_file(r->arena, r->diags, &s->cluster, opts);
		}
		rd_pop(r, m);
	}

	RD_SECTION(parse_workload, r, root, "workload", true, s);

	RD_SECTION(parse_steps, r, root, "steps", false, s);

	s->expect.within_expected_pct = -1;
	RD_SECTION(parse_expect, r, root, "expect", false, &s->expect);

	RD_SECTION(parse_alerts, r, root, "alerts", false, s);

	s->stop_when.failed_jobs_exceed = -1;
	RD_SECTION(parse_stop, r, root, "stop_when", false, &s->stop_when);
}

/* The default name is the file's base name without ".json". */
static const char *name_from_file(gd_arena *a, const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	return gd_arena_printf(a, "%.*s", (int)n, base);
}

gd_scenario *gd_scenario_parse(const char *text, size_t len, const char *name,
			       const gd_load_opts *opts, gd_diags *diags)
{
	size_t before = diags->n;
	json_t *root = parse_json(text, len, name, diags);
	if (!root)
		return NULL;

	gd_arena *a = gd_arena_new();
	gd_scenario *s = gd_arena_alloc(a, sizeof(*s));
	s->arena = a;
	s->file = gd_arena_strdup(a, name);

	gd_reader r;
	rd_init(&r, a, diags, s->file);
	parse_root(&r, root, s, opts);
	if (diags->n == before)
		check_scenario(&r, s);
	rd_fini(&r);
	json_decref(root);

	if (!s->name)
		s->name = name_from_file(a, s->file);
	s->cluster.time_scale = s->time_scale;
	/* A node's clock can only be shifted for processes that load
	 * libfaketime, so a scenario with clock faults gets it in every node
	 * from the start (at no offset). */
	for (size_t i = 0; i < s->nsteps; i++)
		if (gd_step_shifts_clock(&s->steps[i], false, NULL) ||
		    gd_step_shifts_clock(&s->steps[i], true, NULL))
			s->cluster.fake_clock = true;
	for (size_t i = 0; i < s->nsteps; i++) {
		const gd_step *st = &s->steps[i];
		s->cluster.host_needs |= st->kind ? st->kind->host_needs : 0;
		for (size_t k = 0; st->back_with && k < st->back_with->nparts;
		     k++)
			s->cluster.host_needs |=
				st->back_with->parts[k].kind->host_needs;
	}
	if (diags->n != before) {
		gd_scenario_free(s);
		return NULL;
	}
	return s;
}

/* Reads a user's file; a failure is the file's diagnostic. */
static int read_input(const char *file, gd_diags *diags, char **text,
		      size_t *len)
{
	_cleanup_error_ gd_error *err = NULL;
	int r = gd_read_file(file, GD_MAX_FILE_SIZE, text, len, &err);
	if (r < 0)
		gd_diag_path(diags, file, NULL, "cannot read: %s",
			     strerror(err->code ? err->code : EIO));
	return r;
}

gd_scenario *gd_scenario_load(const char *file, const gd_load_opts *opts,
			      gd_diags *diags)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (read_input(file, diags, &text, &len) < 0)
		return NULL;
	return gd_scenario_parse(text, len, file, opts, diags);
}

gd_scenario *gd_cluster_file_load(const char *file, gd_diags *diags)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (read_input(file, diags, &text, &len) < 0)
		return NULL;
	size_t before = diags->n;
	json_t *root = parse_json(text, len, file, diags);
	if (!root)
		return NULL;
	/* Only a file with nothing of a scenario's is read as a cluster
	 * file, so a scenario with a stray "nodes" still gets scenario
	 * messages. */
	bool scenario = !json_is_object(root) ||
			!json_object_get(root, "nodes") ||
			json_object_get(root, "cluster") ||
			json_object_get(root, "workload") ||
			json_object_get(root, "duration") ||
			json_object_get(root, "steps");
	json_decref(root);
	if (scenario)
		return gd_scenario_parse(text, len, file, NULL, diags);

	root = parse_json(text, len, file, diags);
	gd_arena *a = gd_arena_new();
	gd_scenario *s = gd_arena_alloc(a, sizeof(*s));
	s->arena = a;
	s->file = gd_arena_strdup(a, file);
	s->name = name_from_file(a, s->file);
	s->cluster.file = s->file;
	s->cluster.time_scale = 1;
	gd_reader r;
	rd_init(&r, a, diags, s->file);
	parse_cluster(&r, root, &s->cluster, true);
	rd_fini(&r);
	load_conf_file(a, diags, &s->cluster, NULL);
	json_decref(root);
	if (diags->n != before) {
		gd_scenario_free(s);
		return NULL;
	}
	return s;
}

void gd_scenario_free(gd_scenario *s)
{
	if (s)
		gd_arena_free(s->arena);
}
