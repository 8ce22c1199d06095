#include "score/log.h"

#include "base/cleanup.h"
#include "cluster/event_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One name compared, not the table searched: asked of every line. */
static bool is_run_finished(const char *name, size_t len)
{
	const char *finished = gd_event_name(GD_EV_RUN_FINISHED);
	return strlen(finished) == len && memcmp(finished, name, len) == 0;
}

/* Whether the reader declines this line, judged by its event's name
 * without parsing it (only a line of the usual shape is judged so). */
static bool skipped(const char *text, size_t len, const gd_log_reader *rd,
		    gd_log_end *end)
{
	static const char key[] = "\"event\":\"";
	if (!rd->want || len < 2 || text[0] != '{' || text[len - 1] != '}')
		return false;
	const char *at = memmem(text, len, key, sizeof(key) - 1);
	if (!at)
		return false;
	const char *name = at + sizeof(key) - 1;
	const char *q = memchr(name, '"', len - (size_t)(name - text));
	if (!q || rd->want(name, (size_t)(q - name), rd->ctx))
		return false;
	end->complete |= is_run_finished(name, (size_t)(q - name));
	end->events++;
	return true;
}

/* One line (without its newline; last: no newline followed it). */
static int line_seen(const char *text, size_t len, bool last, const char *path,
		     size_t line, const gd_log_reader *rd, gd_log_end *end,
		     gd_error **err)
{
	if (skipped(text, len, rd, end))
		return 0;
	json_error_t je;
	json_t *ev = len ? json_loadb(text, len, 0, &je) : NULL;
	if (!ev || !json_is_object(ev)) {
		bool parsed = ev != NULL;
		json_decref(ev);
		if (last && len) {
			/* The last line, never finished: a crash. */
			snprintf(end->incomplete, sizeof(end->incomplete),
				 "%s:%zu: the last line is cut short", path,
				 line);
			return 1;
		}
		return gd_error_set(
			err, EINVAL, "%s:%zu:%d: %s", path, line,
			len && !parsed ? je.column : 1,
			!len	 ? "an empty line, where an event was expected"
			: parsed ? "an event must be a JSON object"
				 : je.text);
	}
	const char *what = json_string_value(json_object_get(ev, "event"));
	if (!what) {
		json_decref(ev);
		return gd_error_set(err, EINVAL,
				    "%s:%zu: an event without \"event\"", path,
				    line);
	}
	end->complete |= is_run_finished(what, strlen(what));
	end->events++;
	rd->each(ev, line, rd->ctx);
	json_decref(ev);
	return 0;
}

static void finish(const char *path, gd_log_end *end)
{
	if (*end->incomplete)
		end->complete = false;
	else if (!end->complete)
		snprintf(end->incomplete, sizeof(end->incomplete),
			 "%s: the run never finished (no \"run-finished\")",
			 path);
}

int gd_log_scan_text(const char *text, size_t len, const char *path,
		     const gd_log_reader *rd, gd_log_end *end, gd_error **err)
{
	memset(end, 0, sizeof(*end));
	size_t line = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t stop = nl ? (size_t)(nl - text) : len;
		int r = line_seen(text + at, stop - at, !nl, path, ++line, rd,
				  end, err);
		if (r < 0)
			return r;
		if (r > 0)
			break;
		at = stop + 1;
	}
	finish(path, end);
	return 0;
}

int gd_log_scan_file(const char *path, const gd_log_reader *rd, gd_log_end *end,
		     gd_error **err)
{
	memset(end, 0, sizeof(*end));
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return gd_error_make(err, errno, "cannot open \"%s\"", path);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, line = 0;
	ssize_t n;
	while ((n = getline(&buf, &cap, f)) > 0) {
		bool last = buf[n - 1] != '\n';
		size_t len = (size_t)n - !last;
		int r = line_seen(buf, len, last, path, ++line, rd, end, err);
		if (r < 0)
			return r;
		if (r > 0)
			break;
	}
	if (ferror(f))
		return gd_error_make(err, EIO, "cannot read \"%s\"", path);
	finish(path, end);
	return 0;
}
