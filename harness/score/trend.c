#include "score/trend.h"

#include "score/report.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define s_of gd_result_str

static int cmp_runs(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t tx = json_integer_value(json_object_get(x, "started_at_ms"));
	json_int_t ty = json_integer_value(json_object_get(y, "started_at_ms"));
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(s_of(x, "run"), s_of(y, "run"));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(s_of(*(json_t *const *)a, "scenario"),
		      s_of(*(json_t *const *)b, "scenario"));
}

json_t *gd_trend(const json_t *results)
{
	size_t n = json_array_size(results);
	const json_t **sorted = calloc(n + 1, sizeof(*sorted));
	if (!sorted)
		return NULL;
	for (size_t i = 0; i < n; i++)
		sorted[i] = json_array_get(results, i);
	qsort(sorted, n, sizeof(*sorted), cmp_runs);
	json_t *by_name = json_object();
	for (size_t i = 0; i < n; i++) {
		const json_t *r = sorted[i];
		const char *name = s_of(r, "scenario");
		json_t *sc = json_object_get(by_name, name);
		if (!sc) {
			sc = json_pack("{s:s,s:[],s:i,s:i,s:i,s:i}", "scenario",
				       name, "runs", "passed", 0, "failed", 0,
				       "best", -1, "worst", 101);
			json_object_set_new(by_name, name, sc);
		}
		json_int_t score = json_integer_value(
			json_object_get(json_object_get(r, "score"), "total"));
		bool pass = strcmp(s_of(r, "verdict"), "pass") == 0;
		json_array_append_new(json_object_get(sc, "runs"),
				      json_pack("{s:s,s:s,s:s,s:I}", "run",
						s_of(r, "run"), "started_at",
						s_of(r, "started_at"),
						"verdict", s_of(r, "verdict"),
						"score", score));
		const char *key = pass ? "passed" : "failed";
		json_object_set_new(
			sc, key,
			json_integer(
				json_integer_value(json_object_get(sc, key)) +
				1));
		if (score > json_integer_value(json_object_get(sc, "best")))
			json_object_set_new(sc, "best", json_integer(score));
		if (score < json_integer_value(json_object_get(sc, "worst")))
			json_object_set_new(sc, "worst", json_integer(score));
		json_object_set_new(sc, "latest", json_integer(score));
	}
	free(sorted);
	json_t *list = json_array();
	const char *k;
	json_t *sc;
	json_object_foreach (by_name, k, sc) {
		json_int_t p =
			json_integer_value(json_object_get(sc, "passed"));
		json_int_t f =
			json_integer_value(json_object_get(sc, "failed"));
		json_object_set_new(
			sc, "pass_rate_pct",
			json_integer(p + f ? p * 100 / (p + f) : 0));
		json_array_append(list, sc);
	}
	json_decref(by_name);
	/* by name, whatever order the object kept */
	size_t m = json_array_size(list);
	json_t **items = calloc(m + 1, sizeof(*items));
	for (size_t i = 0; items && i < m; i++)
		items[i] = json_array_get(list, i);
	if (items)
		qsort(items, m, sizeof(*items), cmp_names);
	json_t *scenarios = json_array();
	for (size_t i = 0; items && i < m; i++)
		json_array_append(scenarios, items[i]);
	free(items);
	json_decref(list);
	return json_pack("{s:s,s:i,s:o}", "format", "gameday-trend", "version",
			 1, "scenarios", scenarios);
}

#define SPARK_W 360.0
#define SPARK_H 60.0

/* Run i's point: left to right in start order, score 100 at the top. */
static void point(const json_t *run, size_t i, double step, double *x,
		  double *y)
{
	*x = 8 + step * (double)i;
	*y = 6 + (SPARK_H - 12) * (1 - (double)json_integer_value(
					       json_object_get(run, "score")) /
					       100.0);
}

static void sparkline(const json_t *runs, FILE *out)
{
	size_t n = json_array_size(runs);
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">"
		"<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\"/>",
		SPARK_W, SPARK_H, SPARK_W, SPARK_H, SPARK_W, SPARK_H);
	double step = n > 1 ? (SPARK_W - 16) / (double)(n - 1) : 0;
	fputs("<polyline fill=\"none\" stroke=\"#757575\" stroke-width=\"1.5\" points=\"",
	      out);
	size_t i;
	const json_t *r;
	json_array_foreach (runs, i, r) {
		double x, y;
		point(r, i, step, &x, &y);
		fprintf(out, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	fputs("\"/>", out);
	json_array_foreach (runs, i, r) {
		double x, y;
		point(r, i, step, &x, &y);
		bool pass = strcmp(s_of(r, "verdict"), "pass") == 0;
		fprintf(out,
			"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>",
			x, y, pass ? "#2e7d32" : "#c62828");
		gd_xml_escape(s_of(r, "started_at"), out);
		fprintf(out, ": %lld, %s</title></circle>",
			(long long)json_integer_value(
				json_object_get(r, "score")),
			pass ? "pass" : "fail");
	}
	fputs("</svg>", out);
}

void gd_report_trend_html(const json_t *trend, FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>gameday: resilience trend</title><style>"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212121}"
	      "table{border-collapse:collapse}td,th{border-bottom:1px solid #e0e0e0;"
	      "padding:6px 10px;text-align:left;vertical-align:middle}"
	      ".big{font-size:24px;font-weight:700}"
	      "i{display:inline-block;width:10px;height:14px;margin-right:2px}"
	      "</style></head><body>\n<h1>Resilience trend</h1>\n"
	      "<table><thead><tr><th>scenario</th><th>latest</th>"
	      "<th>score over time</th><th>pass / fail</th><th>history</th>"
	      "</tr></thead><tbody>\n",
	      out);
	size_t i, k;
	const json_t *sc, *r;
	json_array_foreach (json_object_get(trend, "scenarios"), i, sc) {
		fputs("<tr><td>", out);
		gd_xml_escape(s_of(sc, "scenario"), out);
		fprintf(out, "</td><td class=\"big\">%lld</td><td>",
			(long long)json_integer_value(
				json_object_get(sc, "latest")));
		sparkline(json_object_get(sc, "runs"), out);
		fprintf(out, "</td><td>%lld / %lld (%lld%%)</td><td>",
			(long long)json_integer_value(
				json_object_get(sc, "passed")),
			(long long)json_integer_value(
				json_object_get(sc, "failed")),
			(long long)json_integer_value(
				json_object_get(sc, "pass_rate_pct")));
		json_array_foreach (json_object_get(sc, "runs"), k, r) {
			bool pass = strcmp(s_of(r, "verdict"), "pass") == 0;
			fprintf(out, "<i style=\"background:%s\" title=\"",
				pass ? "#2e7d32" : "#c62828");
			gd_xml_escape(s_of(r, "started_at"), out);
			fputs("\"></i>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n</body></html>\n", out);
}
