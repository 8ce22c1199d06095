/* A run's event log (JSON Lines), read back for scoring: every line an
 * object, in order, with its line number.  A line that is not a JSON object
 * in the middle of the log is an error naming FILE:LINE; the last line cut
 * short (a crash while writing) is dropped and the log marked incomplete,
 * as is a log that never says "run-finished". */
#ifndef GD_SCORE_LOG_H
#define GD_SCORE_LOG_H

#include "base/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct gd_log {
	json_t **events;
	size_t *lines; /* events[i] was on line lines[i] */
	size_t n;
	bool complete;
	char incomplete[256]; /* why not, in words */
} gd_log;

int gd_log_read(const char *path, gd_log *log, gd_error **err);
/* The same from text in memory (path names it in messages). */
int gd_log_parse(const char *text, size_t len, const char *path, gd_log *log,
		 gd_error **err);
void gd_log_clear(gd_log *log);

#endif
