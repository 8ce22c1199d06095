#include "unit.h"

#include "score/log.h"
#include "score/report.h"
#include "score/score.h"

#include <stdlib.h>
#include <string.h>

static void count(json_t *ev, size_t line, void *ctx)
{
	(void)ev;
	(void)line;
	(*(size_t *)ctx)++;
}

static void a_log_cut_short_is_incomplete(void **state)
{
	(void)state;
	const char *text = "{\"event\":\"run-started\",\"t_ms\":1}\n"
			   "{\"event\":\"job-sub";
	gd_log_end end;
	gd_error *err = NULL;
	size_t n = 0;
	gd_log_reader rd = {count, NULL, &n};
	assert_int_equal(gd_log_scan_text(text, strlen(text), "e.jsonl", &rd,
					  &end, &err),
			 0);
	assert_int_equal(n, 1);
	assert_false(end.complete);
	assert_string_equal(end.incomplete,
			    "e.jsonl:2: the last line is cut short");

	text = "{\"event\":\"run-started\",\"t_ms\":1}\n";
	assert_int_equal(gd_log_scan_text(text, strlen(text), "e.jsonl", &rd,
					  &end, &err),
			 0);
	assert_false(end.complete);
	assert_non_null(strstr(end.incomplete, "no \"run-finished\""));

	/* A last line complete but for its newline is an event. */
	text = "{\"event\":\"run-started\",\"t_ms\":1}\n{\"event\":\"run-finished\"}";
	n = 0;
	assert_int_equal(gd_log_scan_text(text, strlen(text), "e.jsonl", &rd,
					  &end, &err),
			 0);
	assert_int_equal(n, 2);
	assert_true(end.complete);
}

static void a_corrupt_line_is_an_error_with_its_place(void **state)
{
	(void)state;
	const char *bad[] = {
		"{\"event\":\"a\"}\n[1]\n{\"event\":\"b\"}\n",
		"{\"event\":\"a\"}\n\n{\"event\":\"b\"}\n",
		"{\"event\":\"a\"}\n{\"t_ms\":2}\n",
	};
	const char *want[] = {
		"e.jsonl:2:1: an event must be a JSON object",
		"e.jsonl:2:1: an empty line, where an event was expected",
		"e.jsonl:2: an event without \"event\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gd_log_end end;
		gd_error *err = NULL;
		size_t n = 0;
		gd_log_reader rd = {count, NULL, &n};
		assert_true(gd_log_scan_text(bad[i], strlen(bad[i]), "e.jsonl",
					     &rd, &end, &err) < 0);
		assert_string_equal(err->msg, want[i]);
		gd_error_free(err);
	}
}

static bool no_chatter(const char *name, size_t len, void *ctx)
{
	(void)ctx;
	return !(len == 4 && memcmp(name, "exit", 4) == 0);
}

static void lines_a_reader_declines_are_not_parsed(void **state)
{
	(void)state;
	const char *text =
		"{\"event\":\"run-started\",\"t_ms\":1}\n"
		"{\"source\":\"supervisor\",\"event\":\"exit\",\"x\":[}\n"
		"{\"event\":\"run-finished\"}\n";
	gd_log_end end;
	gd_error *err = NULL;
	size_t n = 0;
	gd_log_reader rd = {count, no_chatter, &n};
	assert_int_equal(gd_log_scan_text(text, strlen(text), "e.jsonl", &rd,
					  &end, &err),
			 0);
	assert_int_equal(n, 2);		 /* handed over */
	assert_int_equal(end.events, 3); /* seen */
	assert_true(end.complete);
	/* Without the reader's say, the same line is an error. */
	rd.want = NULL;
	assert_true(gd_log_scan_text(text, strlen(text), "e.jsonl", &rd, &end,
				     &err) < 0);
	gd_error_free(err);
}

static void a_log_without_a_run_is_not_scored(void **state)
{
	(void)state;
	const char *text = "{\"event\":\"job-started\",\"t_ms\":1}\n";
	gd_error *err = NULL;
	assert_null(gd_score_text(text, strlen(text), "e.jsonl", &err));
	assert_string_equal(
		err->msg,
		"e.jsonl: no \"run-started\" event: not the log of a run");
	gd_error_free(err);
}

/* A node's logs, as the run folder kept them, are the log's to say: the
 * result lists them and the scorecard links them, escaped. */
static void node_logs_are_listed_and_linked(void **state)
{
	(void)state;
	const char *text =
		"{\"event\":\"run-started\",\"t_ms\":1,\"nodes\":"
		"[{\"name\":\"w1\",\"role\":\"worker\"}]}\n"
		"{\"event\":\"node-logs\",\"t_ms\":2,\"node\":\"w1\","
		"\"files\":[\"w1/slurmd.service.journal\",\"w1/a&b.log\"]}\n"
		"{\"event\":\"run-finished\",\"t_ms\":3}\n";
	gd_error *err = NULL;
	json_t *res = gd_score_text(text, strlen(text), "e.jsonl", &err);
	assert_non_null(res);
	json_t *logs = json_object_get(res, "logs");
	assert_int_equal(json_array_size(logs), 1);
	json_t *l = json_array_get(logs, 0);
	assert_string_equal(json_string_value(json_object_get(l, "node")),
			    "w1");
	assert_int_equal(json_array_size(json_object_get(l, "files")), 2);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	gd_report_html(res, f);
	fclose(f);
	assert_non_null(strstr(out, "<a href=\"w1/slurmd.service.journal\">"
				    "slurmd.service.journal</a>"));
	assert_non_null(strstr(out, "<a href=\"w1/a&amp;b.log\">"));
	free(out);
	json_decref(res);

	/* none said: no key, as a log written before them is scored */
	text = "{\"event\":\"run-started\",\"t_ms\":1}\n"
	       "{\"event\":\"run-finished\",\"t_ms\":3}\n";
	res = gd_score_text(text, strlen(text), "e.jsonl", &err);
	assert_non_null(res);
	assert_null(json_object_get(res, "logs"));
	json_decref(res);
}

static void xml_text_is_escaped(void **state)
{
	(void)state;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	gd_xml_escape("a<b & \"c\" 'd'>\x01", f);
	fclose(f);
	assert_string_equal(out,
			    "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;?");
	free(out);
}

static void durations_read_as_people_write_them(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(gd_score_fmt_ms(45000, buf, sizeof(buf)), "45.0s");
	assert_string_equal(gd_score_fmt_ms(750000, buf, sizeof(buf)), "12.5m");
	assert_string_equal(gd_score_fmt_ms(22680000, buf, sizeof(buf)),
			    "6h18m");
	assert_string_equal(gd_score_fmt_ms(-1, buf, sizeof(buf)), "never");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_log_cut_short_is_incomplete),
		cmocka_unit_test(a_corrupt_line_is_an_error_with_its_place),
		cmocka_unit_test(lines_a_reader_declines_are_not_parsed),
		cmocka_unit_test(a_log_without_a_run_is_not_scored),
		cmocka_unit_test(node_logs_are_listed_and_linked),
		cmocka_unit_test(xml_text_is_escaped),
		cmocka_unit_test(durations_read_as_people_write_them),
	};
	return cmocka_run_group_tests_name("score", tests, NULL, NULL);
}
