/* The management view over many runs: per scenario, each run's score and
 * verdict in the order the runs started, the latest score, the pass rate
 * and the score's range.  Built from results alone (score.h), so the
 * same runs give the same bytes. */
#ifndef GD_SCORE_TREND_H
#define GD_SCORE_TREND_H

#include <jansson.h>
#include <stdio.h>

/* results: an array of results.  The trend (a new reference):
 * {"format": "gameday-trend", "scenarios": [{"scenario", "runs": [{"run",
 * "started_at", "verdict", "score"}...], "latest", "passed", "failed",
 * "pass_rate_pct", "best", "worst"}]}, scenarios by name. */
json_t *gd_trend(const json_t *results);

/* trend.html: one self-contained page, a row per scenario with its score
 * over time (SVG) and its pass/fail history. */
void gd_report_trend_html(const json_t *trend, FILE *out);

#endif
