/* Reports rendered from a scorer's result (score.h) alone, each
 * deterministic (same result, same bytes): JUnit XML for CI systems, a
 * short Markdown summary for a pull request or a ticket, a self-contained
 * HTML scorecard with an SVG timeline (report_html.c). */
#ifndef GD_SCORE_REPORT_H
#define GD_SCORE_REPORT_H

#include "base/error.h"
#include "base/strbuf.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Scores the event log at events and writes result.json, junit.xml,
 * summary.md and scorecard.html into dir, each whole or not at all (written
 * aside, then renamed).  *result, when asked for, gets the result (a new
 * reference). A log that cannot be read or is not a run's is an error naming
 * it. */
int gd_report_write(const char *events, const char *dir, json_t **result,
		    gd_error **err);

/* A renderer: writes one report of data to out. */
typedef void (*gd_render_fn)(const json_t *data, FILE *out);

/* dir/name rendered whole or not at all (written aside, then renamed). */
int gd_report_file(const char *dir, const char *name, gd_render_fn render,
		   const json_t *data, gd_error **err);

/* result.json: the result itself, keys sorted. */
void gd_report_json(const json_t *result, FILE *out);
/* One test case per expectation and per job; a failure carries why. */
void gd_report_junit(const json_t *result, FILE *out);
void gd_report_summary(const json_t *result, FILE *out);
void gd_report_html(const json_t *result, FILE *out);

/* Readers of a result the renderers share: a string member ("" when
 * absent), an integer member (-1 when absent), and an array of strings
 * joined with sep into sb (emptied first; its text returned, so a loop
 * reuses one buffer). */
const char *gd_result_str(const json_t *o, const char *key);
int64_t gd_result_ms(const json_t *o, const char *key);
const char *gd_result_join(gd_strbuf *sb, const json_t *strings,
			   const char *sep);
/* A job's close call in words ("its run on w1 ended 30.0s before jump was
 * applied") into buf, or NULL when it has none. */
/* The run's measures (result.json's "measures", m) as the reports list
 * them, a row each: a label and its value in words.  summary: the
 * summary's rows, which say whether the day was silent and how long only
 * when it was; else the scorecard's. */
void gd_result_measures(const json_t *m, bool summary,
			void (*row)(void *ctx, const char *label,
				    const char *value),
			void *ctx);
char *gd_result_close_call(const json_t *job, char *buf, size_t size);

/* Text with &, <, >, " and ' escaped, and the control characters XML 1.0
 * cannot carry at all replaced by '?'. */
void gd_xml_escape(const char *text, FILE *out);

#endif
