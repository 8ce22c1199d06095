/* The kinds table: every row complete enough for the layers that ask it
 * without knowing which kind it is, and each kind's settings read, said
 * and claimed through its row alone. */
#include "unit.h"

#include "faults/engine.h"
#include "plan/claims.h"
#include "plan/print.h"
#include "scenario_text.h"

#include <stdbool.h>
#include <stdlib.h>

/* What the parser, the planner, the printer and the player call
 * unconditionally is there in every row; names and colours are unique,
 * and no kind claims a key every step has. */
static void every_row_is_complete(void **state)
{
	(void)state;
	static const char *const common[] = {"id",  "kind",  "note",
					     "at",  "after", "delay",
					     "for", "wave",  "targets"};
	assert_true(gd_nkinds >= 7);
	for (size_t i = 0; i < gd_nkinds; i++) {
		const gd_kind *k = gd_kinds[i];
		assert_non_null(k->name);
		assert_ptr_equal(gd_kind_find(k->name), k);
		assert_non_null(k->color);
		assert_true(k->describe || k->part_describe);
		assert_true(k->describe_json || k->part_describe_json);
		assert_non_null(k->ops);
		assert_non_null(k->ops->apply);
		assert_non_null(k->ops->heal);
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(gd_kinds[j]->name, k->name);
			assert_string_not_equal(gd_kinds[j]->color, k->color);
		}
		for (size_t j = 0; j < k->nkeys; j++)
			for (size_t c = 0; c < sizeof(common) / sizeof(*common);
			     c++)
				assert_string_not_equal(k->keys[j], common[c]);
		/* a kind that can be part of a changed return can be said,
		 * claimed and played as one */
		if (k->parse_part) {
			assert_non_null(k->part_claims);
			assert_non_null(k->part_describe);
			assert_non_null(k->part_describe_json);
			assert_non_null(k->ops->part_make);
			assert_non_null(k->ops->part_undo);
			assert_non_null(k->ops->part_check);
		}
	}
	assert_null(gd_kind_find("netemm"));
}

/* A row's lasts says what its parse does: a step of a kind that lasts,
 * given without "for", is told it needs one; a step of any other kind
 * is not (whatever else is wrong with so bare a step). */
static void lasts_is_what_parse_says(void **state)
{
	(void)state;
	for (size_t i = 0; i < gd_nkinds; i++) {
		const gd_kind *k = gd_kinds[i];
		char *text = NULL, *want = NULL;
		int n = asprintf(
			&text,
			"{\"gameday\": 1, \"duration\": \"6h\", \"cluster\": %s, "
			"\"workload\": {\"jobs\": 1, \"deadline\": \"24h\", "
			"\"expected\": \"20m..40m\"}, \"steps\": [{\"kind\": "
			"\"%s\", \"at\": \"1h\", \"targets\": \"w1\"}]}",
			CLUSTER_5, k->name);
		assert_true(n > 0);
		assert_true(asprintf(&want, "a %s step needs \"for\"",
				     k->name) > 0);
		gd_diags d = {0};
		gd_load_opts opts = {.no_cluster_files = true};
		gd_scenario *sc = gd_scenario_parse(text, (size_t)n,
						    "test.json", &opts, &d);
		bool said = false;
		for (size_t j = 0; j < d.n; j++)
			said |= strstr(d.items[j].msg, want) != NULL;
		assert_int_equal(said, k->lasts);
		gd_scenario_free(sc);
		gd_diags_clear(&d);
		free(want);
		free(text);
	}
}

static char *entry_text(const gd_plan *p, size_t i)
{
	return gd_plan_entry_text(p, &p->entries[i]);
}

/* A step's kind is its row; its settings go through the row to the
 * plan's words and JSON and to its claims. */
static void settings_go_through_the_row(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"6h", NULL,
		"[{\"id\": \"slow\", \"kind\": \"netem\", \"at\": \"1h\", "
		"\"for\": \"10m\", \"targets\": \"w1\", \"latency\": \"200ms\", "
		"\"jitter\": \"20ms\", \"loss\": \"1%\"},"
		" {\"id\": \"ids\", \"kind\": \"skew\", \"at\": \"2h\", "
		"\"for\": \"10m\", \"targets\": \"w2\", \"uid\": 2001, "
		"\"paths\": {\"path\": \"scratch\", \"mode\": \"0700\"}},"
		" {\"id\": \"cut\", \"kind\": \"partition\", \"at\": \"3h\", "
		"\"for\": \"5m\", \"from\": \"w1\", \"to\": \"ctl\", "
		"\"mode\": \"prohibit\"}]");
	assert_non_null(s);
	assert_ptr_equal(s->steps[0].kind, gd_kind_find("netem"));
	assert_non_null(s->steps[0].spec);
	assert_int_equal(s->steps[2].nsides, 2);
	gd_diags d = {0};
	gd_plan *p = gd_plan_build(s, 1, GD_SEED_COMMAND_LINE, &d);
	assert_non_null(p);
	assert_int_equal(p->nentries, 3);

	char *t = entry_text(p, 0);
	assert_string_equal(
		t, "netem slow on w1: latency 200ms +/- 20ms, loss 1%");
	free(t);
	t = entry_text(p, 1);
	assert_string_equal(t, "skew ids on w2: uid 2001, scratch mode 0700");
	free(t);
	t = entry_text(p, 2);
	assert_non_null(strstr(t, "one-way: w1 cannot send to ctl (prohibit)"));
	free(t);

	json_t *o = p->entries[0].step->kind->describe_json(p, &p->entries[0]);
	assert_int_equal(json_integer_value(json_object_get(o, "latency_ms")),
			 200);
	assert_true(json_real_value(json_object_get(o, "loss_percent")) == 1.0);
	json_decref(o);

	gd_claim c[8];
	/* a uid and a path: two aspects, the path named */
	assert_int_equal(gd_step_claims(&s->steps[1], c, 8), 2);
	assert_string_equal(c[0].aspect->verb,
			    "remap the service user's ids on");
	assert_false(c[0].aspect->by_path);
	assert_true(c[1].aspect->by_path);
	assert_string_equal(c[1].path, "scratch");
	/* partitions compose: they hold no aspect */
	assert_int_equal(gd_step_claims(&s->steps[2], c, 8), 0);
	gd_diags_clear(&d);
	gd_scenario_free(s);
}

/* A changed return's parts are the kinds named under back_with, in the
 * table's order whatever the file's, each said and claimed by its row. */
static void back_with_parts_are_kinds(void **state)
{
	(void)state;
	gd_scenario *s = scenario_from(
		"12h", NULL,
		"[{\"id\": \"r\", \"kind\": \"reboot\", \"at\": \"1h\", "
		"\"for\": \"10m\", \"targets\": \"w1\", "
		"\"back_with\": {\"clock\": {\"offset\": \"+10m\"}, "
		"\"skew\": {\"gid\": 3001}, \"for\": \"1h\"}}]");
	assert_non_null(s);
	const gd_change *ch = s->steps[0].back_with;
	assert_non_null(ch);
	assert_int_equal(ch->nparts, 2);
	assert_string_equal(ch->parts[0].kind->name, "skew");
	assert_string_equal(ch->parts[1].kind->name, "clock");
	gd_time_shift t;
	assert_true(gd_step_shifts_clock(&s->steps[0], true, &t));
	assert_int_equal(t.offset, 10 * GD_MS_PER_M);
	assert_false(gd_step_shifts_clock(&s->steps[0], false, &t));
	gd_claim c[8];
	assert_int_equal(gd_change_claims(ch, c, 8), 2);
	assert_string_equal(c[0].aspect->verb,
			    "remap the service user's ids on");
	assert_string_equal(c[1].aspect->verb, "change the clock of");
	gd_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_row_is_complete),
		cmocka_unit_test(lasts_is_what_parse_says),
		cmocka_unit_test(settings_go_through_the_row),
		cmocka_unit_test(back_with_parts_are_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
