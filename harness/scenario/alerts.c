/* "alerts": the team's own alerting, declared so the rehearsal shows when
 * each would have fired:
 *
 *   "alerts": [
 *     {"name": "slow job", "job_running_over": "2x"},
 *     {"name": "no completions", "no_job_finished_for": "45m"}
 *   ]
 *
 * job_running_over is a duration, or "Nx": N times the top of the job's
 * expected range. */
#include "scenario/parse.h"

#include "base/cleanup.h"

#include <stdlib.h>
#include <string.h>

static const char *const alert_keys[] = {"name", "job_running_over",
					 "no_job_finished_for"};

/* "2x", "1.5x": a multiple of the expected top, else a duration. */
static bool as_running_over(gd_reader *r, json_t *v, gd_alert *al)
{
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;
	if (n > 1 && s[n - 1] == 'x') {
		char *end;
		double x = strtod(s, &end);
		if (end != s + n - 1 || !(x >= 1.0 && x <= 1000.0)) {
			rd_error(
				r,
				"invalid multiple \"%s\" (expected a number from 1 to 1000 then x, e.g. \"2x\": twice the top of a job's expected range)",
				s);
			return false;
		}
		al->job_running_over_x = x;
		return true;
	}
	return rd_as_positive_duration(r, v, &al->job_running_over);
}

static void parse_alert(gd_reader *r, json_t *v, gd_alert *al)
{
	al->job_running_over = al->no_job_finished_for = -1;
	al->path = rd_path_keep(r);
	if (!rd_object(r, v, "an alert", alert_keys, GD_ARRAY_SIZE(alert_keys),
		       NULL, 0))
		return;
	RD_FIELD(rd_as_name, r, v, "name", true, 64, &al->name);
	bool over =
		RD_FIELD(as_running_over, r, v, "job_running_over", false, al);
	bool quiet =
		RD_FIELD(rd_as_positive_duration, r, v, "no_job_finished_for",
			 false, &al->no_job_finished_for);
	if (over && quiet)
		rd_error(
			r,
			"an alert has one condition: \"job_running_over\" or \"no_job_finished_for\", not both");
	else if (!over && !quiet && !json_object_get(v, "job_running_over") &&
		 !json_object_get(v, "no_job_finished_for"))
		rd_error(
			r,
			"an alert needs a condition: \"job_running_over\" (a duration or \"2x\" the expected top) or \"no_job_finished_for\" (a duration)");
}

void parse_alerts(gd_reader *r, json_t *v, gd_scenario *s)
{
	if (!json_is_array(v)) {
		rd_error(r, "expected an array of alerts, got %s",
			 rd_type_name(v));
		return;
	}
	s->nalerts = json_array_size(v);
	s->alerts =
		gd_arena_array(r->arena, s->nalerts + 1, sizeof(*s->alerts));
	for (size_t i = 0; i < s->nalerts; i++) {
		size_t m = rd_push_index(r, i);
		parse_alert(r, json_array_get(v, i), &s->alerts[i]);
		for (size_t k = 0; k < i && s->alerts[i].name; k++)
			if (s->alerts[k].name &&
			    strcmp(s->alerts[k].name, s->alerts[i].name) == 0)
				rd_error(r, "alert \"%s\" is named twice",
					 s->alerts[i].name);
		rd_pop(r, m);
	}
}
