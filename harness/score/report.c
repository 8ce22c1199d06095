#include "score/report.h"

#include "base/fileio.h"
#include "score/score.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *gd_result_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

int64_t gd_result_ms(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

const char *gd_result_join(gd_strbuf *sb, const json_t *strings,
			   const char *sep)
{
	size_t i;
	const json_t *v;
	gd_strbuf_reset(sb);
	json_array_foreach (strings, i, v) {
		if (i)
			gd_strbuf_add(sb, sep);
		gd_strbuf_add(sb, json_string_value(v));
	}
	return sb->buf;
}

#define s_of gd_result_str

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

void gd_xml_escape(const char *text, FILE *out)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			fputc(*p < 0x20 && *p != '\t' && *p != '\n' &&
					      *p != '\r'
				      ? '?'
				      : *p,
			      out);
		}
	}
}

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	gd_xml_escape(value, out);
	fputc('"', out);
}

/* Seconds of scenario time, as JUnit's time attribute wants them. */
static void time_attr(FILE *out, const json_t *v)
{
	if (json_is_integer(v))
		fprintf(out, " time=\"%.3f\"",
			(double)json_integer_value(v) / 1000.0);
}

static void job_case(const char *suite, const json_t *j, FILE *out)
{
	fputs("    <testcase", out);
	char cls[256];
	snprintf(cls, sizeof(cls), "%s.jobs", suite);
	attr(out, "classname", cls);
	attr(out, "name", s_of(j, "id"));
	time_attr(out, json_object_get(j, "duration_ms"));
	const char *outcome = s_of(j, "outcome");
	bool correct = strcmp(outcome, "correct") == 0;
	bool on_time = json_is_true(json_object_get(j, "on_time"));
	if (correct && on_time) {
		fputs("/>\n", out);
		return;
	}
	char msg[512];
	if (correct)
		snprintf(msg, sizeof(msg),
			 "correct, but finished after its hard deadline");
	else
		snprintf(msg, sizeof(msg), "%s%s%s", outcome,
			 *s_of(j, "why") ? ": " : "", s_of(j, "why"));
	fputs(">\n      <failure", out);
	attr(out, "type", correct ? "late" : outcome);
	attr(out, "message", msg);
	fputs("/>\n    </testcase>\n", out);
}

void gd_report_junit(const json_t *result, FILE *out)
{
	const char *suite = s_of(result, "scenario");
	const json_t *jobs = json_object_get(result, "jobs");
	const json_t *ex = json_object_get(result, "expectations");
	size_t tests = json_array_size(jobs) + json_array_size(ex),
	       failures = 0;
	size_t i;
	const json_t *v;
	json_array_foreach (jobs, i, v) {
		failures += !(strcmp(s_of(v, "outcome"), "correct") == 0 &&
			      json_is_true(json_object_get(v, "on_time")));
	}
	json_array_foreach (ex, i, v) {
		failures += !json_is_true(json_object_get(v, "met"));
	}
	/* A run that fell behind compressed time is an error of the run
	 * itself, beside whatever its jobs did. */
	bool invalid = strcmp(s_of(result, "verdict"), "invalid") == 0;
	tests += invalid;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
	attr(out, "name", "gameday");
	fprintf(out,
		" tests=\"%zu\" failures=\"%zu\" errors=\"%d\">\n  <testsuite",
		tests, failures, invalid);
	attr(out, "name", suite);
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%d\"", tests,
		failures, invalid);
	time_attr(out, json_object_get(result, "duration_ms"));
	fputs(">\n    <properties>\n", out);
	char buf[64];
	const json_t *score = json_object_get(result, "score");
	struct {
		const char *name;
		const char *value;
	} props[] = {{"verdict", s_of(result, "verdict")},
		     {"system", s_of(result, "system")},
		     {"seed", NULL},
		     {"score", NULL}};
	for (size_t k = 0; k < sizeof(props) / sizeof(props[0]); k++) {
		if (k == 2)
			snprintf(buf, sizeof(buf), "%lld",
				 (long long)json_integer_value(
					 json_object_get(result, "seed")));
		if (k == 3 && invalid)
			snprintf(buf, sizeof(buf), "none");
		else if (k == 3)
			snprintf(buf, sizeof(buf), "%lld",
				 (long long)json_integer_value(
					 json_object_get(score, "total")));
		fputs("      <property", out);
		attr(out, "name", props[k].name);
		attr(out, "value", props[k].value ? props[k].value : buf);
		fputs("/>\n", out);
	}
	fputs("    </properties>\n", out);
	char cls[256];
	if (invalid) {
		snprintf(cls, sizeof(cls), "%s.run", suite);
		fputs("    <testcase", out);
		attr(out, "classname", cls);
		attr(out, "name", "kept up with compressed time");
		fputs(">\n      <error", out);
		attr(out, "type", "lag");
		attr(out, "message",
		     json_string_value(json_array_get(
			     json_object_get(result, "reasons"), 0)));
		fputs("/>\n    </testcase>\n", out);
	}
	snprintf(cls, sizeof(cls), "%s.expectations", suite);
	json_array_foreach (ex, i, v) {
		fputs("    <testcase", out);
		attr(out, "classname", cls);
		attr(out, "name", s_of(v, "name"));
		if (json_is_true(json_object_get(v, "met"))) {
			fputs("/>\n", out);
			continue;
		}
		fputs(">\n      <failure", out);
		attr(out, "type", "expectation");
		attr(out, "message",
		     *s_of(v, "detail") ? s_of(v, "detail") : "not met");
		fputs("/>\n    </testcase>\n", out);
	}
	json_array_foreach (jobs, i, v) {
		job_case(suite, v, out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
}

static void fmt_ms(const json_t *v, char *buf, size_t size)
{
	if (json_is_integer(v))
		gd_score_fmt_ms(json_integer_value(v), buf, size);
	else
		snprintf(buf, size, "-");
}

static long long int_of(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void gd_result_measures(const json_t *m, bool summary,
			void (*row)(void *ctx, const char *label,
				    const char *value),
			void *ctx)
{
	char v[160], a[32], b[32];
	snprintf(v, sizeof(v), "%lld of %lld", int_of(m, "correct_on_time"),
		 int_of(m, "jobs"));
	row(ctx, "jobs correct within their hard deadline", v);
	snprintf(v, sizeof(v), "%lld (%lld%%)", int_of(m, "within_expected"),
		 int_of(m, "within_expected_pct"));
	row(ctx, "within their expected duration", v);
	snprintf(v, sizeof(v), "%.2fx / %.2fx", num(m, "worst_inflation"),
		 num(m, "p95_inflation"));
	row(ctx, "job-time inflation, worst / p95", v);
	fmt_ms(json_object_get(m, "longest_stall_ms"), a, sizeof(a));
	fmt_ms(json_object_get(m, "stall_limit_ms"), b, sizeof(b));
	snprintf(v, sizeof(v), "%s (limit %s)", a, b);
	row(ctx, "longest stall (no job progressed)", v);
	bool silent = json_is_true(json_object_get(m, "silent_failure"));
	if (summary)
		row(ctx, "silent failure", silent ? "**YES**" : "no");
	fmt_ms(json_object_get(m, "silent_ms"), a, sizeof(a));
	if (silent || !summary)
		row(ctx, "silent, in all", a);
	snprintf(v, sizeof(v), "%lld: %lld / %lld",
		 int_of(m, "faults_touching_work"), int_of(m, "faults_noticed"),
		 int_of(m, "faults_recovered"));
	row(ctx, "faults that touched work: noticed / recovered", v);
}

static void md_row(void *ctx, const char *label, const char *value)
{
	fprintf(ctx, "| %s | %s |\n", label, value);
}

char *gd_result_close_call(const json_t *job, char *buf, size_t size)
{
	const json_t *c = json_object_get(job, "close_call");
	if (!c)
		return NULL;
	json_int_t apart = json_integer_value(json_object_get(c, "apart_ms"));
	char d[32];
	gd_score_fmt_ms(apart < 0 ? -apart : apart, d, sizeof(d));
	snprintf(buf, size, "its run on %s %s %s %s %s was applied",
		 s_of(c, "node"), s_of(c, "run"), d,
		 apart < 0 ? "before" : "after", s_of(c, "fault"));
	return buf;
}

/* Jobs whose run ended closer to a fault on their node than the run's
 * scale can tell apart: their outcome is the scale's call. */
static void close_calls(const json_t *result, FILE *out)
{
	const json_t *m = json_object_get(result, "measures");
	if (json_integer_value(json_object_get(m, "close_calls")) <= 0)
		return;
	char res[32];
	fmt_ms(json_object_get(result, "resolution_ms"), res, sizeof(res));
	fprintf(out,
		"\nClose calls: these jobs started or ended within %s of a fault's start on their node (one real second at this scale, closer than it tells apart); at another scale they may end otherwise:\n\n",
		res);
	size_t i;
	const json_t *j;
	json_array_foreach (json_object_get(result, "jobs"), i, j) {
		char said[256];
		if (gd_result_close_call(j, said, sizeof(said)))
			fprintf(out, "- %s (%s): %s\n", s_of(j, "id"),
				s_of(j, "outcome"), said);
	}
}

/* Each silent stretch: when, how long, whose jobs were stuck. */
static void summary_silent(const json_t *result, FILE *out)
{
	const json_t *list = json_object_get(result, "silent_failures");
	size_t i;
	const json_t *s;
	_cleanup_strbuf_ gd_strbuf nodes = GD_STRBUF_INIT;
	json_array_foreach (list, i, s) {
		char from[32], len[32];
		fmt_ms(json_object_get(s, "from_ms"), from, sizeof(from));
		fmt_ms(json_object_get(s, "length_ms"), len, sizeof(len));
		gd_result_join(&nodes, json_object_get(s, "nodes"), ", ");
		fprintf(out,
			"%s- silent from %s for %s: jobs stuck on %s while the job system reported nothing wrong\n",
			i ? "" : "Silent failures:\n\n", from, len,
			nodes.len ? nodes.buf : "no node");
	}
	if (json_array_size(list))
		fputc('\n', out);
}

/* The score, each part with its points and why. */
static void summary_score(const json_t *score, FILE *out)
{
	if (json_is_null(json_object_get(score, "total")))
		fputs("Not scored; the parts would be:\n\n", out);
	else
		fprintf(out, "Score %lld/100%s%s:\n\n",
			(long long)json_integer_value(
				json_object_get(score, "total")),
			*s_of(score, "cap") ? ", " : "", s_of(score, "cap"));
	fputs("| part | points | why |\n|---|---|---|\n", out);
	size_t i;
	const json_t *p;
	json_array_foreach (json_object_get(score, "parts"), i, p) {
		fprintf(out, "| %s | %.1f/%lld | %s |\n", s_of(p, "name"),
			num(p, "points"),
			(long long)json_integer_value(
				json_object_get(p, "max")),
			s_of(p, "why"));
	}
}

/* A log from before progress lines and node states is scored without
 * them: said, so nobody reads its stalls as measured. */
static void summary_log(const json_t *result, FILE *out)
{
	const json_t *log = json_object_get(result, "log");
	if (json_is_false(json_object_get(log, "progress_events")))
		fputs("\nNo job reported progress in this log: each job counted as progressing from its start to the top of its expected range.\n",
		      out);
	if (json_is_false(json_object_get(log, "node_states")))
		fputs("\nThe log has no node states from the job system: only failed and requeued jobs and the scenario's alerts could notice a fault.\n",
		      out);
}

/* Each fault: when applied and undone, when noticed and by what, when
 * work recovered; then the drains made ahead of reboots. */
static void summary_faults(const json_t *list, FILE *out)
{
	fputs("\n| fault | kind | nodes | applied | undone | noticed | recovered after |\n"
	      "|---|---|---|---|---|---|---|\n",
	      out);
	size_t i;
	const json_t *f;
	_cleanup_strbuf_ gd_strbuf nodes = GD_STRBUF_INIT;
	json_array_foreach (list, i, f) {
		gd_result_join(&nodes, json_object_get(f, "nodes"), ", ");
		char ap[32], he[32], de[32], re[32], noticed[400];
		fmt_ms(json_object_get(f, "applied_ms"), ap, sizeof(ap));
		fmt_ms(json_object_get(f, "healed_ms"), he, sizeof(he));
		fmt_ms(json_object_get(f, "recovered_ms"), re, sizeof(re));
		const json_t *n = json_object_get(f, "noticed");
		fmt_ms(json_object_get(n, "after_ms"), de, sizeof(de));
		if (json_is_object(n))
			snprintf(noticed, sizeof(noticed), "after %s: %s", de,
				 s_of(n, "by"));
		else
			snprintf(noticed, sizeof(noticed), "**never**");
		fprintf(out, "| %s | %s | %s | %s%s | %s | %s | %s |\n",
			s_of(f, "id"), s_of(f, "kind"), nodes.buf, ap,
			json_is_true(json_object_get(f, "evidence_ok"))
				? ""
				: " (no evidence)",
			json_is_null(json_object_get(f, "healed_ms")) ? "never"
								      : he,
			noticed,
			json_is_null(json_object_get(f, "recovered_ms"))
				? "never"
				: re);
	}
	/* Drained ahead: a node still "draining" when it went down had its
	 * jobs killed, the sign of a lead too short for them. */
	bool said = false;
	json_array_foreach (list, i, f) {
		const json_t *d = json_object_get(f, "drained_ms");
		if (!d)
			continue;
		char at[32];
		fmt_ms(d, at, sizeof(at));
		fprintf(out, "%s- %s: drained from %s%s; as it went down: %s\n",
			said ? "" : "\n", s_of(f, "id"), at,
			json_is_true(json_object_get(f, "drain_ok"))
				? ""
				: " (not confirmed by the job system)",
			*s_of(f, "drain_states") ? s_of(f, "drain_states")
						 : "(not seen)");
		said = true;
	}
}

void gd_report_summary(const json_t *result, FILE *out)
{
	const json_t *score = json_object_get(result, "score");
	const json_t *m = json_object_get(result, "measures");
	const json_t *faults = json_object_get(result, "faults");
	bool pass = strcmp(s_of(result, "verdict"), "pass") == 0;
	if (strcmp(s_of(result, "verdict"), "invalid") == 0)
		fprintf(out, "## gameday: %s — INVALID (not scored)\n\n",
			s_of(result, "scenario"));
	else
		fprintf(out, "## gameday: %s — %s (score %lld/100)\n\n",
			s_of(result, "scenario"), pass ? "PASS" : "FAIL",
			(long long)json_integer_value(
				json_object_get(score, "total")));
	long long njobs = json_integer_value(json_object_get(m, "jobs"));
	long long nfaults =
		json_integer_value(json_object_get(faults, "played"));
	fprintf(out,
		"Seed %lld, time scale %g, %lld job%s, %lld fault%s%s.\n\n",
		(long long)json_integer_value(json_object_get(result, "seed")),
		num(result, "time_scale"), njobs, njobs == 1 ? "" : "s",
		nfaults, nfaults == 1 ? "" : "s",
		json_is_true(json_object_get(result, "complete"))
			? ""
			: " (the log is incomplete)");
	const json_t *fid = json_object_get(result, "fidelity");
	if (json_is_false(json_object_get(fid, "faithful")))
		fprintf(out,
			"**Played beyond its largest faithful time scale (%g)**: the job system may have acted otherwise than in production.\n\n",
			num(fid, "max_scale"));
	const json_t *notes = json_object_get(fid, "bias_notes");
	size_t k;
	const json_t *note;
	json_array_foreach (notes, k, note) {
		fprintf(out, "%s- %s\n",
			k ? ""
			  : "What the time scale may add to the measures:\n\n",
			json_string_value(note));
	}
	if (json_array_size(notes))
		fputc('\n', out);
	const json_t *reasons = json_object_get(result, "reasons");
	if (json_array_size(reasons)) {
		fputs(strcmp(s_of(result, "verdict"), "invalid") == 0
			      ? "Why it is not scored, most important first:\n\n"
			      : "Why it failed, most important first:\n\n",
		      out);
		size_t i;
		const json_t *v;
		json_array_foreach (reasons, i, v) {
			fprintf(out, "%zu. %s\n", i + 1, json_string_value(v));
		}
		fputc('\n', out);
	}
	fputs("| measure | value |\n|---|---|\n", out);
	gd_result_measures(m, true, md_row, out);
	fputc('\n', out);
	summary_silent(result, out);
	summary_score(score, out);
	summary_log(result, out);
	const json_t *list = json_object_get(faults, "list");
	if (!json_array_size(list))
		return;
	summary_faults(list, out);
	close_calls(result, out);
}

void gd_report_json(const json_t *result, FILE *out)
{
	json_dumpf(result, out, GD_RESULT_JSON_FLAGS);
	fputc('\n', out);
}

int gd_report_file(const char *dir, const char *name, gd_render_fn render,
		   const json_t *data, gd_error **err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	gd_pathf(path, sizeof(path), "%s/%s", dir, name);
	gd_pathf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return gd_error_make(err, errno, "cannot write \"%s\"", path);
	render(data, f);
	errno = 0;
	if (ferror(f) | (fclose(f) != 0) || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;
		unlink(tmp);
		return gd_error_make(err, e, "cannot write \"%s\"", path);
	}
	return 0;
}

int gd_report_write(const char *events, const char *dir, json_t **result,
		    gd_error **err)
{
	json_t *res = gd_score_file(events, 0, err);
	if (!res)
		return -EINVAL;
	int r = 0;
	static const struct {
		const char *name;
		gd_render_fn render;
	} files[] = {{"result.json", gd_report_json},
		     {"junit.xml", gd_report_junit},
		     {"summary.md", gd_report_summary},
		     {"scorecard.html", gd_report_html}};
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]) && r == 0; k++)
		r = gd_report_file(dir, files[k].name, files[k].render, res,
				   err);
	if (r == 0 && result)
		*result = json_incref(res);
	json_decref(res);
	return r;
}
