#include "score/log.h"

#include "base/cleanup.h"
#include "base/fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int push(gd_log *log, json_t *ev, size_t line)
{
	if ((log->n & (log->n - 1)) == 0) {
		size_t cap = log->n ? log->n * 2 : 64;
		json_t **e = realloc(log->events, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		log->events = e;
		size_t *l = realloc(log->lines, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		log->lines = l;
	}
	log->events[log->n] = ev;
	log->lines[log->n++] = line;
	return 0;
}

int gd_log_parse(const char *text, size_t len, const char *path, gd_log *log,
		 gd_error **err)
{
	memset(log, 0, sizeof(*log));
	size_t line = 0;
	bool finished = false;
	for (size_t at = 0; at < len;) {
		line++;
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		json_error_t je;
		json_t *ev = end > at ? json_loadb(text + at, end - at, 0, &je)
				      : NULL;
		if (!ev || !json_is_object(ev)) {
			bool parsed = ev != NULL;
			json_decref(ev);
			if (!nl) {
				/* The last line, never finished: a crash. */
				snprintf(log->incomplete,
					 sizeof(log->incomplete),
					 "%s:%zu: the last line is cut short",
					 path, line);
				break;
			}
			int r = gd_error_set(
				err, EINVAL, "%s:%zu:%d: %s", path, line,
				end > at && !parsed ? je.column : 1,
				end == at
					? "an empty line, where an event was expected"
				: parsed ? "an event must be a JSON object"
					 : je.text);
			gd_log_clear(log);
			return r;
		}
		const char *what =
			json_string_value(json_object_get(ev, "event"));
		if (!what) {
			json_decref(ev);
			int r = gd_error_set(
				err, EINVAL,
				"%s:%zu: an event without \"event\"", path,
				line);
			gd_log_clear(log);
			return r;
		}
		finished |= strcmp(what, "run-finished") == 0;
		if (push(log, ev, line) < 0) {
			json_decref(ev);
			gd_log_clear(log);
			return gd_error_make(err, ENOMEM, "cannot read \"%s\"",
					     path);
		}
		at = nl ? end + 1 : len;
	}
	log->complete = finished && !*log->incomplete;
	if (!finished && !*log->incomplete)
		snprintf(log->incomplete, sizeof(log->incomplete),
			 "%s: the run never finished (no \"run-finished\")",
			 path);
	return 0;
}

int gd_log_read(const char *path, gd_log *log, gd_error **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = gd_read_file(path, (size_t)1 << 32, &text, &len, err);
	if (r < 0)
		return r;
	return gd_log_parse(text, len, path, log, err);
}

void gd_log_clear(gd_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		json_decref(log->events[i]);
	free(log->events);
	free(log->lines);
	memset(log, 0, sizeof(*log));
}
