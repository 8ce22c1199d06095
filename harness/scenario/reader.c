#include "scenario/reader.h"

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/suggest.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void rd_init(gd_reader *r, gd_arena *a, gd_diags *d, const char *file)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->diags = d;
	r->file = file;
	r->cap = 256;
	r->path = malloc(r->cap);
	if (!r->path)
		abort();
	strcpy(r->path, "$");
	r->len = 1;
}

void rd_fini(gd_reader *r)
{
	free(r->path);
	r->path = NULL;
}

static void append(gd_reader *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		while (r->len + n + 1 > r->cap)
			r->cap *= 2;
		char *p = realloc(r->path, r->cap);
		if (!p)
			abort();
		r->path = p;
	}
	memcpy(r->path + r->len, s, n);
	r->len += n;
	r->path[r->len] = '\0';
}

static bool plain_key(const char *k)
{
	if (!isalpha((unsigned char)*k) && *k != '_')
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	return true;
}

size_t rd_push_key(gd_reader *r, const char *key)
{
	size_t mark = r->len;
	if (plain_key(key)) {
		append(r, ".", 1);
		append(r, key, strlen(key));
		return mark;
	}
	/* Anything else is written as a quoted member, escaped so the path
	 * stays one printable line. */
	append(r, "[\"", 2);
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		char buf[8];
		if (*p == '"' || *p == '\\') {
			buf[0] = '\\';
			buf[1] = (char)*p;
			append(r, buf, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(buf, sizeof(buf), "\\u%04x", *p);
			append(r, buf, 6);
		} else {
			append(r, (const char *)p, 1);
		}
	}
	append(r, "\"]", 2);
	return mark;
}

size_t rd_push_index(gd_reader *r, size_t i)
{
	size_t mark = r->len;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "[%zu]", i);
	append(r, buf, (size_t)n);
	return mark;
}

void rd_pop(gd_reader *r, size_t mark)
{
	r->len = mark;
	r->path[mark] = '\0';
}

const char *rd_path(const gd_reader *r)
{
	return r->path;
}

const char *rd_path_keep(gd_reader *r)
{
	return gd_arena_strdup(r->arena, r->path);
}

void rd_error(gd_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gd_diag_vpath(r->diags, r->file, r->path, fmt, ap);
	va_end(ap);
}

void rd_error_at(gd_reader *r, const char *key, const char *fmt, ...)
{
	size_t m = rd_push_key(r, key);
	va_list ap;
	va_start(ap, fmt);
	gd_diag_vpath(r->diags, r->file, r->path, fmt, ap);
	va_end(ap);
	rd_pop(r, m);
}

unsigned rd_errors(const gd_reader *r)
{
	return (unsigned)r->diags->n;
}

const char *rd_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c": known sorted by name, whatever order the caller keeps (a
 * heap string). */
static char *joined_sorted(const char *const *known, size_t n)
{
	const char **sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		abort();
	memcpy(sorted, known, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	gd_strbuf s = GD_STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		gd_strbuf_addf(&s, "%s%s", i ? ", " : "", sorted[i]);
	free(sorted);
	char *list = gd_strbuf_detach(&s);
	if (!list)
		abort();
	return list;
}

bool rd_object(gd_reader *r, json_t *v, const char *what,
	       const char *const *known, size_t n, const rd_elsewhere *other,
	       size_t nother)
{
	if (!json_is_object(v)) {
		rd_error(r, "expected %s (an object), got %s", what,
			 rd_type_name(v));
		return false;
	}

	/* Report unknown keys in sorted order, whatever order the file has
	 * them in, so the output is stable. */
	size_t nkeys = json_object_size(v), i = 0;
	const char **keys = malloc((nkeys ? nkeys : 1) * sizeof(*keys));
	if (!keys)
		abort();
	const char *key;
	json_t *val;
	json_object_foreach (v, key, val)
		keys[i++] = key;
	qsort(keys, nkeys, sizeof(*keys), cmp_str);

	r->hinted_obj = v;
	r->nhinted = 0;
	for (i = 0; i < nkeys; i++) {
		bool found = false;
		for (size_t k = 0; k < n && !found; k++)
			found = strcmp(keys[i], known[k]) == 0;
		if (found)
			continue;
		size_t mark = rd_push_key(r, keys[i]);
		const char *where = NULL;
		for (size_t k = 0; k < nother && !where; k++)
			if (strcmp(keys[i], other[k].key) == 0)
				where = other[k].where;
		if (where) {
			rd_error(
				r,
				"\"%s\" does not belong in %s (it belongs in %s)",
				keys[i], what, where);
		} else if (strpbrk(keys[i], "\"\\")) {
			/* The path shows the key escaped; repeating it raw in
			 * quotes would only confuse. */
			char *list = joined_sorted(known, n);
			rd_error(r, "unknown key in %s (known keys: %s)", what,
				 list);
			free(list);
		} else {
			char *list = joined_sorted(known, n);
			const char *hint = gd_suggest(keys[i], known, n);
			if (hint && r->nhinted < GD_ARRAY_SIZE(r->hinted))
				r->hinted[r->nhinted++] = hint;
			if (hint)
				rd_error(
					r,
					"unknown key \"%s\" in %s; did you mean \"%s\"? (known keys: %s)",
					keys[i], what, hint, list);
			else
				rd_error(
					r,
					"unknown key \"%s\" in %s (known keys: %s)",
					keys[i], what, list);
			free(list);
		}
		rd_pop(r, mark);
	}
	free(keys);
	return true;
}

void rd_missing(gd_reader *r, const json_t *obj, const char *key)
{
	if (obj == r->hinted_obj)
		for (size_t i = 0; i < r->nhinted; i++)
			if (strcmp(r->hinted[i], key) == 0)
				return;
	if (strcmp(key, "gameday") == 0)
		rd_error(
			r,
			"missing required key \"gameday\" (the format version: \"gameday\": %d)",
			GD_FORMAT_VERSION);
	else
		rd_error(r, "missing required key \"%s\"", key);
}

json_t *rd_get(gd_reader *r, json_t *obj, const char *key, bool required)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!v && required)
		rd_missing(r, obj, key);
	return v;
}

bool rd_as_string(gd_reader *r, json_t *v, const char **out)
{
	if (!json_is_string(v)) {
		rd_error(r, "expected a string, got %s", rd_type_name(v));
		return false;
	}
	*out = gd_arena_strdup(r->arena, json_string_value(v));
	return true;
}

bool rd_as_mode(gd_reader *r, json_t *v, int *mode)
{
	const char *s;
	if (json_is_integer(v)) {
		rd_error(
			r,
			"write a file mode as an octal string, e.g. \"0750\" (JSON numbers are decimal)");
		return false;
	}
	if (!rd_as_string(r, v, &s))
		return false;
	size_t len = strlen(s);
	bool ok = (len == 3 || len == 4);
	for (size_t i = 0; ok && i < len; i++)
		ok = s[i] >= '0' && s[i] <= '7';
	if (!ok) {
		rd_error(
			r,
			"invalid file mode \"%s\" (write 3 or 4 octal digits, e.g. \"0750\")",
			s);
		return false;
	}
	*mode = (int)strtol(s, NULL, 8);
	return true;
}

const char *rd_beside(gd_arena *a, const char *file, const char *rel)
{
	const char *slash = file ? strrchr(file, '/') : NULL;
	if (rel[0] == '/' || !slash)
		return rel;
	return gd_arena_printf(a, "%.*s/%s", (int)(slash - file), file, rel);
}

bool rd_as_host_path(gd_reader *r, json_t *v, char want, const char **out)
{
	const char *rel;
	if (!rd_as_string(r, v, &rel))
		return false;
	if (!*rel) {
		rd_error(r, "expected a path, got an empty string");
		return false;
	}
	const char *path = rd_beside(r->arena, r->file, rel);
	struct stat st;
	if (stat(path, &st) < 0) {
		rd_error(r, "cannot use \"%s\": %s", path, strerror(errno));
		return false;
	}
	bool isdir = S_ISDIR(st.st_mode);
	if ((want == 'f' && !S_ISREG(st.st_mode)) || (want == 'd' && !isdir) ||
	    (!want && !isdir && !S_ISREG(st.st_mode))) {
		rd_error(r, "\"%s\" is not a %s", path,
			 want == 'f'   ? "regular file"
			 : want == 'd' ? "folder"
				       : "file or folder");
		return false;
	}
	*out = path;
	return true;
}

bool rd_as_host_argv(gd_reader *r, json_t *v, gd_strv *out)
{
	if (!rd_as_strv(r, v, out))
		return false;
	/* it reaches a node's supervisor a line an argument */
	for (size_t i = 0; i < out->n; i++)
		if (strchr(out->v[i], '\n')) {
			rd_error(r, "arguments cannot hold a newline");
			return false;
		}
	if (!json_is_array(v))
		return rd_as_host_path(r, v, 'f', &out->v[0]);
	size_t m = rd_push_index(r, 0);
	bool ok = rd_as_host_path(r, json_array_get(v, 0), 'f', &out->v[0]);
	rd_pop(r, m);
	return ok;
}

/* Durations must be strings: a bare number has no unit, and guessing one
 * is how a 90-minute window becomes a 90-second one. */
static bool duration_text(gd_reader *r, json_t *v, const char **s)
{
	if (json_is_integer(v) || json_is_real(v)) {
		rd_error(
			r,
			"a duration must be a string with a unit, e.g. \"90s\" or \"20m\" (got a bare number)");
		return false;
	}
	if (!json_is_string(v)) {
		rd_error(
			r,
			"expected a duration (a string such as \"20m\"), got %s",
			rd_type_name(v));
		return false;
	}
	*s = json_string_value(v);
	return true;
}

bool rd_as_duration(gd_reader *r, json_t *v, gd_ms *out)
{
	const char *s, *why;
	if (!duration_text(r, v, &s))
		return false;
	if (gd_duration_parse(s, out, &why) < 0) {
		rd_error(r, "invalid duration \"%s\": %s", s, why);
		return false;
	}
	return true;
}

bool rd_as_positive_duration(gd_reader *r, json_t *v, gd_ms *out)
{
	gd_ms ms;
	if (!rd_as_duration(r, v, &ms))
		return false;
	if (ms == 0) {
		rd_error(r, "must be longer than zero");
		return false;
	}
	*out = ms;
	return true;
}

bool rd_as_offset(gd_reader *r, json_t *v, gd_ms *out)
{
	const char *s, *why;
	if (!duration_text(r, v, &s))
		return false;
	if (gd_offset_parse(s, out, &why) < 0) {
		rd_error(r, "invalid offset \"%s\": %s", s, why);
		return false;
	}
	return true;
}

bool rd_as_range(gd_reader *r, json_t *v, gd_ms *lo, gd_ms *hi)
{
	const char *s, *why;
	if (!duration_text(r, v, &s))
		return false;
	if (gd_range_parse(s, lo, hi, &why) < 0) {
		rd_error(r, "invalid duration range \"%s\": %s", s, why);
		return false;
	}
	if (*lo == 0) {
		rd_error(r, "durations in a range must be longer than zero");
		return false;
	}
	return true;
}

bool rd_as_int(gd_reader *r, json_t *v, long long min, long long max,
	       long long *out)
{
	if (!json_is_integer(v)) {
		rd_error(r, "expected an integer, got %s", rd_type_name(v));
		return false;
	}
	long long n = json_integer_value(v);
	if (n < min || n > max) {
		rd_error(r, "%lld is out of range (%lld to %lld)", n, min, max);
		return false;
	}
	*out = n;
	return true;
}

bool rd_as_number(gd_reader *r, json_t *v, double min, double max, double *out)
{
	if (!json_is_number(v)) {
		rd_error(r, "expected a number, got %s", rd_type_name(v));
		return false;
	}
	double d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max) {
		rd_error(r, "%g is out of range (%g to %g)", d, min, max);
		return false;
	}
	*out = d;
	return true;
}

bool rd_as_bool(gd_reader *r, json_t *v, bool *out)
{
	if (!json_is_boolean(v)) {
		rd_error(r, "expected true or false, got %s", rd_type_name(v));
		return false;
	}
	*out = json_is_true(v);
	return true;
}

bool rd_as_strv(gd_reader *r, json_t *v, gd_strv *out)
{
	if (json_is_string(v)) {
		out->v = gd_arena_alloc(r->arena, sizeof(*out->v));
		out->n = 1;
		return rd_as_string(r, v, &out->v[0]);
	}
	if (!json_is_array(v)) {
		rd_error(r, "expected a string or an array of strings, got %s",
			 rd_type_name(v));
		return false;
	}
	size_t n = json_array_size(v);
	if (n == 0) {
		rd_error(r, "expected at least one entry, got an empty array");
		return false;
	}
	out->v = gd_arena_array(r->arena, n, sizeof(*out->v));
	out->n = n;
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		size_t m = rd_push_index(r, i);
		ok &= rd_as_string(r, json_array_get(v, i), &out->v[i]);
		rd_pop(r, m);
	}
	return ok;
}

bool rd_as_name(gd_reader *r, json_t *v, size_t max, const char **out)
{
	const char *s;
	if (!rd_as_string(r, v, &s))
		return false;
	size_t len = strlen(s);
	bool ok =
		len > 0 && len <= max &&
		(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0]));
	for (size_t i = 0; ok && i < len; i++)
		ok = islower((unsigned char)s[i]) ||
		     isdigit((unsigned char)s[i]) || s[i] == '-' ||
		     s[i] == '_' || s[i] == '.';
	if (!ok) {
		rd_error(
			r,
			"invalid name \"%s\": use 1 to %zu characters from a-z, 0-9, '-', '_' and '.', starting with a letter or digit",
			s, max);
		return false;
	}
	*out = s;
	return true;
}

/* Picks one of the strings in choices; reports the list otherwise. */
bool rd_as_choice(gd_reader *r, json_t *v, const char *const *choices, size_t n,
		  int *out)
{
	const char *s;
	if (!rd_as_string(r, v, &s))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, choices[i]) == 0) {
			*out = (int)i;
			return true;
		}
	}
	_cleanup_free_ char *list = joined_sorted(choices, n);
	const char *hint = gd_suggest(s, choices, n);
	if (hint)
		rd_error(
			r,
			"unknown value \"%s\"; did you mean \"%s\"? (one of: %s)",
			s, hint, list);
	else
		rd_error(r, "unknown value \"%s\" (one of: %s)", s, list);
	return false;
}

bool rd_as_percent(gd_reader *r, json_t *v, double min, double max, double *out)
{
	const char *s;
	if (json_is_number(v)) {
		rd_error(
			r,
			"write a share as a percentage string, e.g. \"50%%\" (a bare number could mean 0.5 or 50)");
		return false;
	}
	if (!rd_as_string(r, v, &s))
		return false;
	char *end;
	double d = strtod(s, &end);
	if (end == s || strcmp(end, "%") != 0 || !isdigit((unsigned char)*s)) {
		rd_error(r, "invalid percentage \"%s\" (write e.g. \"50%%\")",
			 s);
		return false;
	}
	if (d < min || d > max) {
		rd_error(r, "percentage \"%s\" is out of range (%g%% to %g%%)",
			 s, min, max);
		return false;
	}
	*out = d;
	return true;
}

void rd_check_version(gd_reader *r, json_t *root)
{
	long long version;
	if (RD_FIELD(rd_as_int, r, root, "gameday", true, 1, 1000, &version) &&
	    version != GD_FORMAT_VERSION) {
		rd_error_at(
			r, "gameday",
			"format version %lld is not supported (this gameday reads version %d)",
			version, GD_FORMAT_VERSION);
	}
}
