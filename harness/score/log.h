/* A run's event log (JSON Lines), read back for scoring one event at a
 * time, so a log of millions of events needs memory for what the scorer
 * keeps, not for the log.  Every line must be a JSON object with an
 * "event": a line that is not, in the middle of the log, is an error
 * naming FILE:LINE:COL; the last line cut short (a crash while writing)
 * is dropped and the log marked incomplete, as is a log that never says
 * "run-finished". */
#ifndef GD_SCORE_LOG_H
#define GD_SCORE_LOG_H

#include "base/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct gd_log_end {
	size_t events;
	bool complete;
	char incomplete[256]; /* why not, in words */
} gd_log_end;

/* Called for each event in order; ev is lent for the call only. */
typedef void (*gd_log_fn)(json_t *ev, size_t line, void *ctx);

/* Optional: asked first with the event's name, read straight from the
 * line as gameday and gd-init write it ("event":"NAME", no space); false
 * skips the line unparsed, a shape check aside (it must be {...}).  How
 * a scorer reads millions of lines of chatter it has no use for. */
typedef bool (*gd_log_want_fn)(const char *name, size_t len, void *ctx);

typedef struct gd_log_reader {
	gd_log_fn each;
	gd_log_want_fn want; /* NULL: every line is parsed */
	void *ctx;
} gd_log_reader;

int gd_log_scan_file(const char *path, const gd_log_reader *rd, gd_log_end *end,
		     gd_error **err);
/* The same from text in memory (path names it in messages). */
int gd_log_scan_text(const char *text, size_t len, const char *path,
		     const gd_log_reader *rd, gd_log_end *end, gd_error **err);

#endif
