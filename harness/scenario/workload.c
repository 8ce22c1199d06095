/* The workload section: groups of jobs with their submission pattern, hard
 * deadline (the contract) and expected duration (the expectation). */
#include "scenario/parse.h"

#include "base/cleanup.h"
#include "base/strbuf.h"

#include <string.h>

#define GD_MAX_JOBS 100000

/* Every group's keys; each kind adds its own (kinds/jobkind.h). */
static const char *const group_keys[] = {"name",   "jobs",     "kind",
					 "submit", "deadline", "expected"};
static const char *const submit_keys[] = {"at", "over", "every"};

static void parse_submit(gd_reader *r, json_t *v, gd_job_group *g)
{
	if (!rd_object(r, v, "a submission pattern", submit_keys,
		       GD_ARRAY_SIZE(submit_keys), NULL, 0))
		return;
	RD_FIELD(rd_as_duration, r, v, "at", false, &g->submit_at);
	bool over = RD_FIELD(rd_as_positive_duration, r, v, "over", false,
			     &g->submit_over);
	bool every = RD_FIELD(rd_as_positive_duration, r, v, "every", false,
			      &g->submit_every);
	if (over && every)
		rd_error(
			r,
			"submit either spread \"over\" a window or one job \"every\" interval, not both");
}

/* The group's kind, looked up quietly: its keys decide what else the
 * group may say, before "kind" itself is read in its turn. */
static const gd_job_kind *peek_kind(json_t *v)
{
	const char *name = json_string_value(json_object_get(v, "kind"));
	const gd_job_kind *k = gd_job_kind_find(name ? name : "document");
	return k ? k : gd_job_kinds[0];
}

/* Checks v is a group object whose keys are every group's and its
 * kind's; a key of another kind is said to belong there. */
static bool group_object(gd_reader *r, json_t *v, const gd_job_kind *kind)
{
	size_t n = GD_ARRAY_SIZE(group_keys), nother = 0;
	const char **known =
		gd_arena_array(r->arena, n + kind->nkeys, sizeof(*known));
	rd_elsewhere *other = NULL;
	memcpy(known, group_keys, sizeof(group_keys));
	for (size_t i = 0; i < kind->nkeys; i++)
		known[n++] = kind->keys[i];
	for (size_t k = 0; k < gd_njob_kinds; k++)
		nother += gd_job_kinds[k] != kind ? gd_job_kinds[k]->nkeys : 0;
	other = gd_arena_array(r->arena, nother + 1, sizeof(*other));
	nother = 0;
	for (size_t k = 0; k < gd_njob_kinds; k++) {
		const gd_job_kind *o = gd_job_kinds[k];
		for (size_t i = 0; o != kind && i < o->nkeys; i++)
			other[nother++] = (rd_elsewhere){
				o->keys[i],
				gd_arena_printf(r->arena,
						"a group of \"kind\": \"%s\"",
						o->name)};
	}
	return rd_object(r, v, "a job group", known, n, other, nother);
}

static void parse_kind(gd_reader *r, json_t *v, gd_job_group *g)
{
	const char *name;
	if (!RD_FIELD(rd_as_string, r, v, "kind", false, &name))
		return;
	if (gd_job_kind_find(name))
		return;
	_cleanup_strbuf_ gd_strbuf known = GD_STRBUF_INIT;
	for (size_t k = 0; k < gd_njob_kinds; k++)
		gd_strbuf_addf(&known, "%s%s", k ? ", " : "",
			       gd_job_kinds[k]->name);
	rd_error_at(r, "kind", "unknown job kind \"%s\" (known: %s)", name,
		    known.buf ? known.buf : "");
	(void)g;
}

static void parse_jobs(gd_reader *r, json_t *v, gd_job_group *g)
{
	const char *instead = g->kind->jobs_instead;
	/* a kind whose jobs have their own times always counts them */
	bool other = instead && (g->kind->job || json_object_get(v, instead));
	if (other && json_object_get(v, "jobs")) {
		rd_error_at(r, "jobs",
			    "\"%s\" says how many jobs there are: leave "
			    "\"jobs\" out",
			    instead);
		return;
	}
	long long jobs;
	if (!other &&
	    RD_FIELD(rd_as_int, r, v, "jobs", true, 1, GD_MAX_JOBS, &jobs))
		g->jobs = (unsigned)jobs;
}

static void parse_group(gd_reader *r, json_t *v, gd_job_group *g,
			const gd_scenario *s, size_t index)
{
	g->path = rd_path_keep(r);
	g->name = index ? gd_arena_printf(r->arena, "jobs%zu", index + 1)
			: "jobs";
	g->kind = peek_kind(v);
	if (!group_object(r, v, g->kind))
		return;
	RD_FIELD(rd_as_name, r, v, "name", false, 32, &g->name);
	parse_jobs(r, v, g);
	parse_kind(r, v, g);
	RD_SECTION(parse_submit, r, v, "submit", false, g);
	if (g->kind->job) {
		g->kind->parse(r, v, s, g);
		return;
	}
	bool deadline = RD_FIELD(rd_as_positive_duration, r, v, "deadline",
				 true, &g->deadline);
	bool expected = RD_FIELD(rd_as_range, r, v, "expected", true,
				 &g->expected_lo, &g->expected_hi);
	if (expected) {
		/* A healthy job lands in the lower half of its expected
		 * window, leaving the upper half for the job system's own
		 * overhead; a kind that knows better says so in its
		 * parse. */
		g->runtime_lo = g->expected_lo;
		g->runtime_hi = (g->expected_lo + g->expected_hi) / 2;
	}
	if (deadline && expected && g->expected_hi > g->deadline) {
		rd_error_at(
			r, "expected",
			"the expected duration runs past the hard deadline");
	}
	g->kind->parse(r, v, s, g);
}

void parse_workload(gd_reader *r, json_t *v, gd_scenario *s)
{
	if (json_is_object(v)) {
		s->ngroups = 1;
		s->groups = gd_arena_alloc(r->arena, sizeof(*s->groups));
		parse_group(r, v, &s->groups[0], s, 0);
		return;
	}
	if (!json_is_array(v) || json_array_size(v) == 0) {
		rd_error(
			r,
			"expected a job group (an object) or a non-empty array of them, got %s",
			json_is_array(v) ? "an empty array" : rd_type_name(v));
		return;
	}
	s->ngroups = json_array_size(v);
	s->groups = gd_arena_array(r->arena, s->ngroups, sizeof(*s->groups));
	for (size_t i = 0; i < s->ngroups; i++) {
		size_t m = rd_push_index(r, i);
		parse_group(r, json_array_get(v, i), &s->groups[i], s, i);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(s->groups[j].name, s->groups[i].name) != 0)
				continue;
			if (json_object_get(json_array_get(v, i), "name"))
				rd_error(r,
					 "job group name \"%s\" is used twice",
					 s->groups[i].name);
			else
				rd_error(
					r,
					"this group's default name \"%s\" is already taken: give it a \"name\"",
					s->groups[i].name);
			break;
		}
		rd_pop(r, m);
	}
}
