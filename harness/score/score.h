/* The verdict and the scorecard of one run, from its event log alone (so
 * any run can be scored again later): per job its outcome, timeliness
 * against the hard deadline and the expected duration, attempts, nodes,
 * time waiting, running and stalled under a fault, and the faults that
 * touched it; per fault when the team would have noticed it and when
 * work recovered; per run the verdict with its reasons (most important
 * first), the measures (inflation, stalls, silent failures) and a 0-100
 * score in five parts, each with its reason; or "invalid" when the run
 * fell behind compressed time.  docs/verdict.md defines every term and
 * field and the formula.
 *
 * The result is a JSON object: what result.json holds and what every
 * report is rendered from.  Same log, same result. */
#ifndef GD_SCORE_SCORE_H
#define GD_SCORE_SCORE_H

#include "base/error.h"
#include "score/log.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* How far behind compressed time a run may fall, in scenario time, and
 * still be scored: a fault that takes effect, a job submitted or a job's
 * state seen later than this makes the run's timings untrustworthy, and
 * its verdict "invalid" (no score), whatever the jobs did. */
#define GD_LAG_BOUND_MS (5 * 60 * 1000)

/* What a compressed run cannot tell apart, in real time: a job system
 * acts on whole seconds (Slurm's scheduler passes, a job's start-up), so
 * two instants closer than this may come in the other order at another
 * scale.  A job whose run started or ended this close to the start of a
 * fault on its node is a "close call": its outcome is one the scale decided
 * (result.json "close_call", the summary lists them).  In scenario time
 * it is this times the scale ("resolution_ms"). */
#define GD_RESOLUTION_REAL_MS 1000

/* The result of the log at path (a new reference), or NULL with *err when
 * it cannot be read or is not a run's (no "run-started").  Lines of the
 * cluster's chatter (supervisors, job-system log lines) are skipped
 * unparsed: no signal the verdict reads is among them (docs/verdict.md);
 * GD_SCORE_EVERY_LINE parses every line (the worst case, for
 * measurements). */
#define GD_SCORE_EVERY_LINE 1u
json_t *gd_score_file(const char *path, unsigned flags, gd_error **err);
/* The same from a log in memory (path names it in messages). */
json_t *gd_score_text(const char *text, size_t len, const char *path,
		      gd_error **err);

/* A scenario duration as reports write it: "45s", "12.5m", "6h18m",
 * "never" for a negative one. */
char *gd_score_fmt_ms(int64_t ms, char *buf, size_t size);

/* json_dumpf flags for a result: keys sorted, floats short, so the bytes
 * are the same for the same log. */
#define GD_RESULT_JSON_FLAGS                                                   \
	(JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6))

#endif
