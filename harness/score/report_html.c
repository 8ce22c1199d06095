/* scorecard.html: one self-contained page (no script, no network, no
 * external asset) rendered from a result alone: the verdict and score up
 * top, a timeline drawn as SVG (a lane per node with its faults and the
 * job attempts it ran, a row per job with its deadline, the cumulative
 * completions against the expected ones), then the reasons, the measures,
 * the jobs and the faults. */
#include "kinds/kind.h"
#include "score/report.h"

#include "base/cleanup.h"
#include "score/score.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W	 960.0 /* the drawing's width */
#define LEFT	 96.0  /* room for lane labels */
#define RIGHT	 12.0
#define LANE_H	 26.0
#define JOB_H	 9.0
#define CURVE_H	 110.0
#define MAX_ROWS 200 /* job rows drawn; beyond, the curve says enough */

#define s_of  gd_result_str
#define ms_of gd_result_ms

struct color {
	const char *name, *color;
};

static const char *color_of(const struct color *c, size_t n, const char *name,
			    const char *fallback)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, c[i].name) == 0)
			return c[i].color;
	return fallback;
}

static const char *outcome_color(const char *o)
{
	static const struct color colors[] = {
		{"correct", "#2e7d32"},	 {"duplicated", "#f9a825"},
		{"wrong", "#c62828"},	 {"failed", "#ad1457"},
		{"lost", "#4e342e"},	 {"unfinished", "#9e9e9e"},
		{"unjudged", "#90a4ae"}, {"check-error", "#6a1b9a"}};
	return color_of(colors, sizeof(colors) / sizeof(colors[0]), o,
			"#9e9e9e");
}

/* A kind's row says its colour; a reboot's changed return is drawn
 * lighter, as it is no fault of its own kind. */
static const char *fault_color(const char *kind)
{
	const gd_kind *k = gd_kind_find(kind);
	if (k)
		return k->color;
	return strcmp(kind, "change") == 0 ? "#ce93d8" : "#757575";
}

struct frame {
	double end; /* scenario ms the drawing spans */
};

static double x_of(const struct frame *fr, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	return LEFT + (double)ms * (W - LEFT - RIGHT) / fr->end;
}

static void esc(FILE *out, const char *s)
{
	gd_xml_escape(s, out);
}

static void text_el(FILE *out, double x, double y, const char *anchor,
		    const char *cls, const char *text)
{
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">",
		x, y, anchor, cls);
	esc(out, text);
	fputs("</text>\n", out);
}

/* A tick every 1m, 5m, ... or 1d, whichever gives at most ten. */
static void axis(FILE *out, const struct frame *fr, double y0, double y1)
{
	static const int64_t steps[] = {
		60000,	 300000,   600000,   900000,   1800000,	 3600000,
		7200000, 10800000, 21600000, 43200000, 86400000, 172800000};
	int64_t step = steps[sizeof(steps) / sizeof(steps[0]) - 1];
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (fr->end / (double)steps[i] <= 10) {
			step = steps[i];
			break;
		}
	for (int64_t t = 0; (double)t <= fr->end; t += step) {
		double x = x_of(fr, t);
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n",
			x, y0, x, y1);
		char label[32];
		gd_score_fmt_ms(t, label, sizeof(label));
		text_el(out, x, y1 + 12, "middle", "tick", t ? label : "0");
	}
}

static void rect(FILE *out, double x0, double x1, double y, double h,
		 const char *fill, double opacity, const char *title)
{
	if (x1 - x0 < 1.5)
		x1 = x0 + 1.5; /* an instant still shows */
	fprintf(out,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"%.2f\"><title>",
		x0, y, x1 - x0, h, fill, opacity);
	esc(out, title);
	fputs("</title></rect>\n", out);
}

static bool has_node(const json_t *nodes, const char *node)
{
	size_t i;
	const json_t *v;
	json_array_foreach (nodes, i, v) {
		if (strcmp(json_string_value(v), node) == 0)
			return true;
	}
	return false;
}

/* One lane per node: its faults above, the attempts it ran below. */
static double node_lanes(FILE *out, const json_t *result,
			 const struct frame *fr, double y)
{
	const json_t *nodes = json_object_get(result, "nodes");
	const json_t *faults =
		json_object_get(json_object_get(result, "faults"), "list");
	const json_t *jobs = json_object_get(result, "jobs");
	size_t i, k, a;
	const json_t *n, *f, *j, *run;
	char title[512], from[32], to[32];
	json_array_foreach (nodes, i, n) {
		const char *name = s_of(n, "name");
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"lane%zu\"/>\n",
			LEFT, y, W - LEFT - RIGHT, LANE_H - 2, i % 2);
		char label[96];
		snprintf(label, sizeof(label), "%s (%s)", name,
			 s_of(n, "role"));
		text_el(out, LEFT - 6, y + LANE_H / 2 + 3, "end", "lane",
			label);
		json_array_foreach (faults, k, f) {
			if (!has_node(json_object_get(f, "nodes"), name) ||
			    ms_of(f, "applied_ms") < 0)
				continue;
			int64_t end = ms_of(f, "healed_ms");
			if (end < 0)
				end = (int64_t)fr->end;
			snprintf(title, sizeof(title), "%s %s: %s to %s",
				 s_of(f, "kind"), s_of(f, "id"),
				 gd_score_fmt_ms(ms_of(f, "applied_ms"), from,
						 sizeof(from)),
				 gd_score_fmt_ms(end, to, sizeof(to)));
			rect(out, x_of(fr, ms_of(f, "applied_ms")),
			     x_of(fr, end), y + 2, 10,
			     fault_color(s_of(f, "kind")), 0.85, title);
			/* drained ahead of it: no new jobs sent there */
			int64_t d0 = ms_of(f, "drained_ms");
			if (d0 >= 0) {
				snprintf(
					title, sizeof(title),
					"%s: drained, %s to %s (%s)",
					s_of(f, "id"),
					gd_score_fmt_ms(d0, from, sizeof(from)),
					gd_score_fmt_ms(ms_of(f, "applied_ms"),
							to, sizeof(to)),
					s_of(f, "drain_states"));
				rect(out, x_of(fr, d0),
				     x_of(fr, ms_of(f, "applied_ms")), y + 2,
				     10, fault_color(s_of(f, "kind")), 0.3,
				     title);
			}
		}
		json_array_foreach (jobs, k, j) {
			json_array_foreach (json_object_get(j, "runs"), a,
					    run) {
				if (strcmp(s_of(run, "node"), name) != 0)
					continue;
				snprintf(title, sizeof(title),
					 "%s attempt %zu (%s): %s to %s",
					 s_of(j, "id"), a + 1,
					 s_of(j, "outcome"),
					 gd_score_fmt_ms(ms_of(run, "start_ms"),
							 from, sizeof(from)),
					 gd_score_fmt_ms(ms_of(run, "end_ms"),
							 to, sizeof(to)));
				rect(out, x_of(fr, ms_of(run, "start_ms")),
				     x_of(fr, ms_of(run, "end_ms")), y + 14, 8,
				     outcome_color(s_of(j, "outcome")), 0.35,
				     title);
			}
		}
		y += LANE_H;
	}
	return y;
}

/* A row per job: waiting (a line), attempts (bars), its deadline (a red
 * tick, an arrow at the edge when it lies beyond the drawing). */
static double job_rows(FILE *out, const json_t *result, const struct frame *fr,
		       double y)
{
	const json_t *jobs = json_object_get(result, "jobs");
	size_t i, a;
	const json_t *j, *run;
	char title[512], from[32], to[32];
	json_array_foreach (jobs, i, j) {
		if (i == MAX_ROWS) {
			char more[64];
			snprintf(more, sizeof(more), "… and %zu more jobs",
				 json_array_size(jobs) - MAX_ROWS);
			text_el(out, LEFT, y + 8, "start", "tick", more);
			return y + 12;
		}
		const char *color = outcome_color(s_of(j, "outcome"));
		int64_t sub = ms_of(j, "submitted_ms");
		int64_t first = ms_of(j, "started_ms");
		if (sub >= 0) {
			int64_t wend = first >= 0 ? first : (int64_t)fr->end;
			fprintf(out,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"wait\"/>\n",
				x_of(fr, sub), y + JOB_H / 2, x_of(fr, wend),
				y + JOB_H / 2);
		}
		json_array_foreach (json_object_get(j, "runs"), a, run) {
			snprintf(title, sizeof(title),
				 "%s (%s) attempt %zu on %s: %s to %s%s%s",
				 s_of(j, "id"), s_of(j, "outcome"), a + 1,
				 s_of(run, "node"),
				 gd_score_fmt_ms(ms_of(run, "start_ms"), from,
						 sizeof(from)),
				 gd_score_fmt_ms(ms_of(run, "end_ms"), to,
						 sizeof(to)),
				 *s_of(j, "why") ? "; " : "", s_of(j, "why"));
			rect(out, x_of(fr, ms_of(run, "start_ms")),
			     x_of(fr, ms_of(run, "end_ms")), y + 1, JOB_H - 2,
			     color, 0.9, title);
		}
		int64_t dl = ms_of(j, "deadline_ms");
		if (dl >= 0 && (double)dl <= fr->end)
			fprintf(out,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"deadline\"/>\n",
				x_of(fr, dl), y, x_of(fr, dl), y + JOB_H);
		else if (dl >= 0)
			fprintf(out,
				"<path d=\"M%.1f %.1f l4 %.1f l-4 %.1f z\" class=\"beyond\"/>\n",
				W - RIGHT, y, JOB_H / 2, JOB_H / 2);
		y += JOB_H;
	}
	return y;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* A step curve of how many of n instants have passed, over the frame. */
static void steps(FILE *out, const struct frame *fr, int64_t *t, size_t n,
		  size_t total, double y0, const char *cls)
{
	qsort(t, n, sizeof(*t), cmp_i64);
	fprintf(out, "<polyline class=\"%s\" points=\"%.1f,%.1f", cls,
		x_of(fr, 0), y0);
	double y = y0;
	for (size_t i = 0; i < n; i++) {
		if ((double)t[i] > fr->end)
			break;
		double x = x_of(fr, t[i]);
		double ny = y0 - CURVE_H * (double)(i + 1) / (double)total;
		fprintf(out, " %.1f,%.1f %.1f,%.1f", x, y, x, ny);
		y = ny;
	}
	fprintf(out, " %.1f,%.1f\"/>\n", W - RIGHT, y);
}

static double curve(FILE *out, const json_t *result, const struct frame *fr,
		    double y)
{
	const json_t *jobs = json_object_get(result, "jobs");
	size_t n = json_array_size(jobs);
	if (!n)
		return y;
	_cleanup_free_ int64_t *done = calloc(n, sizeof(*done));
	_cleanup_free_ int64_t *want = calloc(n, sizeof(*want));
	if (!done || !want)
		return y;
	size_t nd = 0, nw = 0, i;
	const json_t *j;
	json_array_foreach (jobs, i, j) {
		if (strcmp(s_of(j, "outcome"), "correct") == 0 &&
		    ms_of(j, "finished_ms") >= 0)
			done[nd++] = ms_of(j, "finished_ms");
		const json_t *ex = json_object_get(j, "expected_ms");
		int64_t lo = json_integer_value(json_array_get(ex, 0));
		int64_t hi = json_integer_value(json_array_get(ex, 1));
		int64_t sub = ms_of(j, "submitted_ms");
		if (sub >= 0)
			want[nw++] = sub + (lo + hi) / 2;
	}
	double y0 = y + CURVE_H;
	fprintf(out,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"lane1\"/>\n",
		LEFT, y, W - LEFT - RIGHT, CURVE_H);
	text_el(out, LEFT - 6, y + 10, "end", "lane", "jobs done");
	char total[32];
	snprintf(total, sizeof(total), "%zu", n);
	text_el(out, LEFT - 6, y + 22, "end", "tick", total);
	text_el(out, LEFT - 6, y0, "end", "tick", "0");
	steps(out, fr, want, nw, n, y0, "expected");
	steps(out, fr, done, nd, n, y0, "done");
	return y0;
}

/* Each silent failure as a band over the whole drawing: the stretch in
 * which nothing progressed while the job system said all was well. */
static void silent_bands(FILE *out, const json_t *result,
			 const struct frame *fr, double top, double bottom)
{
	size_t i;
	const json_t *sf;
	char title[400], from[32], len[32];
	_cleanup_strbuf_ gd_strbuf nodes = GD_STRBUF_INIT;
	json_array_foreach (json_object_get(result, "silent_failures"), i, sf) {
		int64_t at = ms_of(sf, "from_ms");
		int64_t n = ms_of(sf, "length_ms");
		gd_score_fmt_ms(at, from, sizeof(from));
		gd_score_fmt_ms(n, len, sizeof(len));
		snprintf(
			title, sizeof(title),
			"silent failure: no progress for %s from %s, the job system reporting nothing wrong (jobs stuck on %s)",
			len, from,
			gd_result_join(&nodes, json_object_get(sf, "nodes"),
				       " "));
		double x0 = x_of(fr, at), x1 = x_of(fr, at + n);
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"silentband\"><title>",
			x0, top, x1 - x0, bottom - top);
		esc(out, title);
		fputs("</title></rect>\n", out);
		snprintf(title, sizeof(title), "silent %s", len);
		text_el(out, x0 + 3, top + 10, "start", "silentlabel", title);
	}
}

static void timeline(FILE *out, const json_t *result)
{
	struct frame fr = {(double)ms_of(result, "duration_ms")};
	if (fr.end <= 0)
		fr.end = 1;
	size_t nodes = json_array_size(json_object_get(result, "nodes"));
	size_t jobs = json_array_size(json_object_get(result, "jobs"));
	size_t rows = jobs > MAX_ROWS ? MAX_ROWS + 2 : jobs;
	double h = 8 + (double)nodes * LANE_H + 14 + (double)rows * JOB_H + 14 +
		   CURVE_H + 24;
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"timeline\">\n",
		W, h, W, h);
	double y = node_lanes(out, result, &fr, 8);
	text_el(out, LEFT - 6, y + 10, "end", "lane", "jobs");
	y = job_rows(out, result, &fr, y + 14);
	y = curve(out, result, &fr, y + 14);
	silent_bands(out, result, &fr, 8, y);
	axis(out, &fr, 8, y);
	fputs("</svg>\n", out);
}

static void legend(FILE *out, const json_t *result)
{
	static const char *const outcomes[] = {
		"correct", "duplicated", "wrong",      "failed",
		"lost",	   "unfinished", "check-error"};
	/* the last only when a job has it: most jobs have no check of
	 * their own that could fail */
	size_t n = sizeof(outcomes) / sizeof(outcomes[0]) - 1, i;
	const json_t *j;
	json_array_foreach (json_object_get(result, "jobs"), i, j)
		if (strcmp(s_of(j, "outcome"), outcomes[n]) == 0) {
			n++;
			break;
		}
	fputs("<p class=\"legend\">", out);
	for (i = 0; i < n; i++)
		fprintf(out, "<span><i style=\"background:%s\"></i>%s</span>",
			outcome_color(outcomes[i]), outcomes[i]);
	fputs(" &#8195; ", out);
	for (i = 0; i <= gd_nkinds; i++) {
		const char *kind = i < gd_nkinds ? gd_kinds[i]->name : "change";
		fprintf(out, "<span><i style=\"background:%s\"></i>%s</span>",
			fault_color(kind), kind);
	}
	fputs(" &#8195; <span><i class=\"sf\"></i>silent failure</span>"
	      "<span><i class=\"dl\"></i>hard deadline</span>"
	      "<span><i class=\"cd\"></i>jobs done correctly</span>"
	      "<span><i class=\"ce\"></i>expected</span></p>\n",
	      out);
}

static void cell(FILE *out, const char *text)
{
	fputs("<td>", out);
	esc(out, text);
	fputs("</td>", out);
}

static void cell_ms(FILE *out, int64_t ms)
{
	char buf[32];
	cell(out, ms >= 0 ? gd_score_fmt_ms(ms, buf, sizeof(buf)) : "-");
}

/* The why, and for a job whose kind kept evidence (a failed attempt's
 * stderr) a link to the file beside the scorecard and its last lines. */
static void evidence_cell(FILE *out, const json_t *j, const char *why)
{
	const char *file = s_of(j, "evidence"), *tail = s_of(j, "tail");
	if (!*file && !*tail) {
		cell(out, why);
		return;
	}
	fputs("<td>", out);
	esc(out, why);
	if (*file) {
		fputs(" <a href=\"", out);
		esc(out, file);
		fputs("\">", out);
		esc(out, file);
		fputs("</a>", out);
	}
	if (*tail) {
		/* styled here, so a scorecard without such a job stays as
		 * it was */
		fputs("<pre style=\"max-width:48em;white-space:pre-wrap;"
		      "font-size:11px;margin:4px 0\">",
		      out);
		esc(out, tail);
		fputs("</pre>", out);
	}
	fputs("</td>", out);
}

static void jobs_table(FILE *out, const json_t *result)
{
	fputs("<table><thead><tr><th>job</th><th>outcome</th><th>on time</th>"
	      "<th>within expected</th><th>attempts</th><th>nodes</th>"
	      "<th>waiting</th><th>running</th><th>stalled</th>"
	      "<th>inflation</th><th>faults</th><th>why</th></tr></thead><tbody>\n",
	      out);
	size_t i;
	const json_t *j;
	_cleanup_strbuf_ gd_strbuf list = GD_STRBUF_INIT;
	json_array_foreach (json_object_get(result, "jobs"), i, j) {
		const char *o = s_of(j, "outcome");
		fputs("<tr>", out);
		cell(out, s_of(j, "id"));
		fprintf(out, "<td><i style=\"background:%s\"></i>",
			outcome_color(o));
		esc(out, o);
		fputs("</td>", out);
		cell(out, json_is_true(json_object_get(j, "on_time")) ? "yes"
								      : "no");
		cell(out, json_is_true(json_object_get(j, "within_expected"))
				  ? "yes"
				  : "no");
		fprintf(out, "<td>%lld</td>",
			(long long)json_integer_value(
				json_object_get(j, "attempts")));
		cell(out,
		     gd_result_join(&list, json_object_get(j, "nodes"), " "));
		cell_ms(out, ms_of(j, "waiting_ms"));
		cell_ms(out, ms_of(j, "running_ms"));
		cell_ms(out, ms_of(j, "stalled_ms"));
		const json_t *inf = json_object_get(j, "inflation");
		if (json_is_number(inf))
			fprintf(out, "<td>%.2fx</td>", json_number_value(inf));
		else
			fputs("<td>-</td>", out);
		cell(out,
		     gd_result_join(&list, json_object_get(j, "faults"), " "));
		/* the list's buffer again, now for why */
		gd_strbuf_reset(&list);
		gd_strbuf_add(&list, s_of(j, "why"));
		char said[256];
		if (gd_result_close_call(j, said, sizeof(said)))
			gd_strbuf_addf(&list, "%sclose call: %s",
				       list.len ? "; " : "", said);
		evidence_cell(out, j, list.buf);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void faults_table(FILE *out, const json_t *result)
{
	const json_t *list =
		json_object_get(json_object_get(result, "faults"), "list");
	if (!json_array_size(list))
		return;
	fputs("<h2>Faults</h2>\n<table><thead><tr><th>fault</th><th>kind</th>"
	      "<th>nodes</th><th>applied</th><th>undone</th><th>evidence</th>"
	      "<th>noticed after</th><th>noticed by</th><th>recovered after</th>"
	      "</tr></thead><tbody>\n",
	      out);
	size_t i;
	const json_t *f;
	_cleanup_strbuf_ gd_strbuf nodes = GD_STRBUF_INIT;
	json_array_foreach (list, i, f) {
		fputs("<tr>", out);
		cell(out, s_of(f, "id"));
		fprintf(out, "<td><i style=\"background:%s\"></i>",
			fault_color(s_of(f, "kind")));
		esc(out, s_of(f, "kind"));
		fputs("</td>", out);
		cell(out,
		     gd_result_join(&nodes, json_object_get(f, "nodes"), " "));
		cell_ms(out, ms_of(f, "applied_ms"));
		if (ms_of(f, "healed_ms") < 0)
			cell(out, "never");
		else
			cell_ms(out, ms_of(f, "healed_ms"));
		cell(out, json_is_true(json_object_get(f, "evidence_ok"))
				  ? "seen"
				  : "NOT seen");
		const json_t *n = json_object_get(f, "noticed");
		if (json_is_object(n)) {
			cell_ms(out, ms_of(n, "after_ms"));
			cell(out, s_of(n, "by"));
		} else {
			cell(out, "never");
			cell(out, "-");
		}
		if (ms_of(f, "recovered_ms") < 0)
			cell(out, "never");
		else
			cell_ms(out, ms_of(f, "recovered_ms"));
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212121}"
	"header{border-left:8px solid;padding:4px 16px;margin-bottom:16px}"
	"header.pass{border-color:#2e7d32}header.fail{border-color:#c62828}"
	"header.invalid{border-color:#757575}"
	"h1{margin:0;font-size:22px}h2{font-size:17px;margin:24px 0 8px}"
	".verdict{font-size:28px;font-weight:700}"
	".pass .verdict{color:#2e7d32}.fail .verdict{color:#c62828}"
	".score{font-size:40px;font-weight:700;float:right}"
	".score small{font-size:16px;color:#757575}"
	".meta{color:#616161}"
	"table{border-collapse:collapse;font-size:12px}"
	"td,th{border-bottom:1px solid #e0e0e0;padding:3px 8px;text-align:left}"
	"i{display:inline-block;width:10px;height:10px;margin-right:4px}"
	".legend span{margin-right:12px;font-size:12px}"
	".legend i.dl{background:#c62828;width:2px}"
	".legend i.sf{background:#c62828;opacity:.25}"
	"svg .silentband{fill:#c62828;fill-opacity:.14;stroke:#c62828;stroke-opacity:.6}"
	"svg .silentlabel{font-size:11px;font-weight:700;fill:#c62828}"
	".legend i.cd{background:#2e7d32;height:2px}"
	".legend i.ce{background:#757575;height:2px}"
	".silent{background:#ffebee;border:2px solid #c62828;padding:8px 12px;font-weight:700}"
	"svg .lane0{fill:#fafafa}svg .lane1{fill:#f0f0f0}"
	"svg .grid{stroke:#e0e0e0}svg .tick{font-size:10px;fill:#757575}"
	"svg .lane{font-size:11px;fill:#424242}"
	"svg .wait{stroke:#bdbdbd;stroke-width:1}"
	"svg .deadline{stroke:#c62828;stroke-width:2}"
	"svg .beyond{fill:#c62828;fill-opacity:.4}"
	"svg .done{fill:none;stroke:#2e7d32;stroke-width:2}"
	"svg .expected{fill:none;stroke:#757575;stroke-width:1.5;stroke-dasharray:4 3}";

/* Each part of the score with its points and why, and a cap. */
static void score_parts(FILE *out, const json_t *score)
{
	fputs("<table class=\"parts\"><tbody>", out);
	size_t i;
	const json_t *p;
	json_array_foreach (json_object_get(score, "parts"), i, p) {
		fputs("<tr>", out);
		cell(out, s_of(p, "name"));
		fprintf(out, "<td>%.1f/%lld</td>",
			json_number_value(json_object_get(p, "points")),
			(long long)ms_of(p, "max"));
		cell(out, s_of(p, "why"));
		fputs("</tr>", out);
	}
	fputs("</tbody></table>\n", out);
	if (*s_of(score, "cap")) {
		fputs("<p>", out);
		esc(out, s_of(score, "cap"));
		fputs("</p>\n", out);
	}
}

/* Each string of list as an <li>, escaped. */
static void list_items(FILE *out, const json_t *list)
{
	size_t i;
	const json_t *v;
	json_array_foreach (list, i, v) {
		fputs("<li>", out);
		esc(out, json_string_value(v));
		fputs("</li>", out);
	}
}

/* What the time scale may add to the durations the measures judge. */
static void bias_notes(FILE *out, const json_t *result)
{
	const json_t *notes = json_object_get(
		json_object_get(result, "fidelity"), "bias_notes");
	if (!json_array_size(notes))
		return;
	fputs("<p class=\"meta\">What the time scale may add to the measures:</p><ul class=\"meta\">",
	      out);
	list_items(out, notes);
	fputs("</ul>\n", out);
}

static void silent_banner(FILE *out, const json_t *result)
{
	const json_t *list = json_object_get(result, "silent_failures");
	size_t i;
	const json_t *sf;
	_cleanup_strbuf_ gd_strbuf nodes = GD_STRBUF_INIT;
	json_array_foreach (list, i, sf) {
		char from[32], len[32];
		gd_result_join(&nodes, json_object_get(sf, "nodes"), ", ");
		fprintf(out,
			"<p class=\"silent\">Silent failure: no job progressed for %s from %s while the job system reported nothing wrong (jobs stuck on ",
			gd_score_fmt_ms(ms_of(sf, "length_ms"), len,
					sizeof(len)),
			gd_score_fmt_ms(ms_of(sf, "from_ms"), from,
					sizeof(from)));
		esc(out, nodes.len ? nodes.buf : "no node");
		fputs(").</p>\n", out);
	}
}

static void html_row(void *ctx, const char *label, const char *value)
{
	fprintf(ctx, "<tr><td>%s</td><td>%s</td></tr>\n", label, value);
}

/* Each node's logs kept in the run folder, linked. */
static void logs_list(FILE *out, const json_t *result)
{
	const json_t *logs = json_object_get(result, "logs");
	if (!json_array_size(logs))
		return;
	fputs("<h2>Logs</h2>\n<table><tbody>\n", out);
	size_t i, k;
	const json_t *l, *f;
	json_array_foreach (logs, i, l) {
		fputs("<tr><td>", out);
		esc(out, s_of(l, "node"));
		fputs("</td><td>", out);
		json_array_foreach (json_object_get(l, "files"), k, f) {
			const char *path = json_string_value(f);
			if (!path)
				continue;
			const char *base = strchr(path, '/');
			fputs(k ? ", <a href=\"" : "<a href=\"", out);
			esc(out, path);
			fputs("\">", out);
			esc(out, base ? base + 1 : path);
			fputs("</a>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

void gd_report_html(const json_t *result, FILE *out)
{
	const json_t *score = json_object_get(result, "score");
	const json_t *m = json_object_get(result, "measures");
	bool pass = strcmp(s_of(result, "verdict"), "pass") == 0;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>gameday: ",
	      out);
	esc(out, s_of(result, "scenario"));
	fprintf(out, "</title>\n<style>%s</style></head><body>\n", style);
	bool invalid = strcmp(s_of(result, "verdict"), "invalid") == 0;
	if (invalid)
		fputs("<header class=\"invalid\"><div class=\"score\">&ndash;<small>/100</small></div>",
		      out);
	else
		fprintf(out,
			"<header class=\"%s\"><div class=\"score\">%lld<small>/100</small></div>",
			pass ? "pass" : "fail",
			(long long)json_integer_value(
				json_object_get(score, "total")));
	fputs("<h1>", out);
	esc(out, s_of(result, "scenario"));
	fprintf(out, "</h1><div class=\"verdict\">%s</div>\n",
		invalid ? "INVALID: NOT SCORED"
		: pass	? "PASS"
			: "FAIL");
	score_parts(out, score);
	char dur[32];
	fprintf(out,
		"<p class=\"meta\">%s, seed %lld, time scale %g, %s of scenario time, run %s%s</p></header>\n",
		s_of(result, "system"),
		(long long)json_integer_value(json_object_get(result, "seed")),
		json_number_value(json_object_get(result, "time_scale")),
		gd_score_fmt_ms(ms_of(result, "duration_ms"), dur, sizeof(dur)),
		s_of(result, "run"),
		json_is_true(json_object_get(result, "complete"))
			? ""
			: " — the log is incomplete");
	silent_banner(out, result);
	bias_notes(out, result);
	const json_t *reasons = json_object_get(result, "reasons");
	if (json_array_size(reasons)) {
		fputs("<h2>Why it failed</h2>\n<ol>", out);
		list_items(out, reasons);
		fputs("</ol>\n", out);
	}
	fputs("<h2>Timeline</h2>\n", out);
	timeline(out, result);
	legend(out, result);
	fputs("<h2>Measures</h2>\n<table><tbody>\n", out);
	gd_result_measures(m, false, html_row, out);
	fputs("</tbody></table>\n<h2>Jobs</h2>\n", out);
	jobs_table(out, result);
	faults_table(out, result);
	logs_list(out, result);
	fputs("</body></html>\n", out);
}
