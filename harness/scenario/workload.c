/* The workload section: groups of jobs with their submission pattern, hard
 * deadline (the contract) and expected duration (the expectation). */
#include "scenario/parse.h"

#include "base/cleanup.h"

#include <string.h>

#define GD_MAX_JOBS 100000

static const char *const group_keys[] = {
	"name", "jobs", "kind", "submit", "deadline", "expected", "runtime"};
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

static void parse_group(gd_reader *r, json_t *v, gd_job_group *g, size_t index)
{
	g->path = rd_path_keep(r);
	g->name = index ? gd_arena_printf(r->arena, "jobs%zu", index + 1)
			: "jobs";
	g->kind = "document";
	if (!rd_object(r, v, "a job group", group_keys,
		       GD_ARRAY_SIZE(group_keys), NULL, 0))
		return;
	RD_FIELD(rd_as_name, r, v, "name", false, 32, &g->name);
	long long jobs;
	if (RD_FIELD(rd_as_int, r, v, "jobs", true, 1, GD_MAX_JOBS, &jobs))
		g->jobs = (unsigned)jobs;
	if (RD_FIELD(rd_as_string, r, v, "kind", false, &g->kind) &&
	    strcmp(g->kind, "document") != 0) {
		rd_error_at(r, "kind",
			    "unknown job kind \"%s\" (known: document)",
			    g->kind);
	}
	RD_SECTION(parse_submit, r, v, "submit", false, g);
	bool deadline = RD_FIELD(rd_as_positive_duration, r, v, "deadline",
				 true, &g->deadline);
	bool expected = RD_FIELD(rd_as_range, r, v, "expected", true,
				 &g->expected_lo, &g->expected_hi);
	bool runtime = RD_FIELD(rd_as_range, r, v, "runtime", false,
				&g->runtime_lo, &g->runtime_hi);
	if (expected && !runtime) {
		/* A healthy job lands in the lower half of its expected
		 * window, leaving the upper half for the job system's own
		 * overhead. */
		g->runtime_lo = g->expected_lo;
		g->runtime_hi = (g->expected_lo + g->expected_hi) / 2;
	}
	if (deadline && expected && g->expected_hi > g->deadline) {
		rd_error_at(
			r, "expected",
			"the expected duration runs past the hard deadline");
	}
	if (deadline && runtime && g->runtime_hi > g->deadline) {
		rd_error_at(
			r, "runtime",
			"jobs would run longer than their hard deadline even without faults");
	}
}

void parse_workload(gd_reader *r, json_t *v, gd_scenario *s)
{
	if (json_is_object(v)) {
		s->ngroups = 1;
		s->groups = gd_arena_alloc(r->arena, sizeof(*s->groups));
		parse_group(r, v, &s->groups[0], 0);
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
		parse_group(r, json_array_get(v, i), &s->groups[i], i);
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
