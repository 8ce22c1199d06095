/* Walking a parsed JSON document with a JSON path in hand.
 *
 * The shape tier of validation: each rd_* call reads one key or value, checks
 * its type and form, and on a problem records a diagnostic at
 * "$.path.to.value" and returns false, so parsing goes on and every problem
 * is reported in one pass. */
#ifndef GD_SCENARIO_READER_H
#define GD_SCENARIO_READER_H

#include "base/arena.h"
#include "base/diag.h"
#include "base/duration.h"
#include "scenario/scenario.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct gd_reader {
	gd_arena *arena;
	gd_diags *diags;
	const char *file;
	char *path; /* heap, grows */
	size_t len, cap;
	/* Keys offered as "did you mean" in the last object checked: a
	 * missing required key that was only misspelt is one problem, not
	 * two, so rd_missing() stays quiet about it. */
	const json_t *hinted_obj;
	const char *hinted[8];
	size_t nhinted;
} gd_reader;

void rd_init(gd_reader *r, gd_arena *a, gd_diags *d, const char *file);
void rd_fini(gd_reader *r);

/* Path bookkeeping: push returns the length to pop back to. */
size_t rd_push_key(gd_reader *r, const char *key);
size_t rd_push_index(gd_reader *r, size_t i);
void rd_pop(gd_reader *r, size_t mark);
const char *rd_path(const gd_reader *r);
/* The current path, copied into the arena (for model elements). */
const char *rd_path_keep(gd_reader *r);

void rd_error(gd_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, at key of the object at the current path. */
void rd_error_at(gd_reader *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned rd_errors(const gd_reader *r);

/* Checks v is an object whose keys are all in known (n entries); returns
 * whether v is an object at all, so parsing goes on past unknown keys.
 * Unknown keys are reported with the closest known key and the sorted list;
 * a key found in other_keys is reported as belonging elsewhere, with
 * other_what naming where (e.g. "a clock step").  what names this object
 * in messages ("a step"). */
typedef struct rd_elsewhere {
	const char *key;
	const char *where;
} rd_elsewhere;
bool rd_object(gd_reader *r, json_t *v, const char *what,
	       const char *const *known, size_t n, const rd_elsewhere *other,
	       size_t nother);

const char *rd_type_name(const json_t *v);

/* Converters for the value v at the current path. */
bool rd_as_string(gd_reader *r, json_t *v, const char **out);
bool rd_as_duration(gd_reader *r, json_t *v, gd_ms *out);
bool rd_as_positive_duration(gd_reader *r, json_t *v, gd_ms *out);
bool rd_as_offset(gd_reader *r, json_t *v, gd_ms *out);
bool rd_as_range(gd_reader *r, json_t *v, gd_ms *lo, gd_ms *hi);
bool rd_as_int(gd_reader *r, json_t *v, long long min, long long max,
	       long long *out);
bool rd_as_number(gd_reader *r, json_t *v, double min, double max, double *out);
bool rd_as_bool(gd_reader *r, json_t *v, bool *out);
/* A string, or an array of strings (at least one). */
bool rd_as_strv(gd_reader *r, json_t *v, gd_strv *out);
/* A file mode: an octal string of 3 or 4 digits ("0750"). */
bool rd_as_mode(gd_reader *r, json_t *v, int *mode);
/* rel as seen from the folder of file (rel itself when absolute, or
 * when file is in the current folder), in arena a. */
const char *rd_beside(gd_arena *a, const char *file, const char *rel);
/* A path on this host, written relative to the folder of the file being
 * read unless absolute, and there now: a regular file (want 'f'), a
 * folder ('d'), or either (0).  *out is the resolved path. */
bool rd_as_host_path(gd_reader *r, json_t *v, char want, const char **out);
/* An argv (a string or an array of them, no newline in any) whose
 * program is a regular file on this host (rd_as_host_path: relative to
 * the file being read); out->v[0] is then its resolved path. */
bool rd_as_host_argv(gd_reader *r, json_t *v, gd_strv *out);
/* The file's "gameday" key: present, and the format version this gameday
 * reads. */
void rd_check_version(gd_reader *r, json_t *root);

/* One of n strings: *out is its index.  Otherwise lists the choices. */
bool rd_as_choice(gd_reader *r, json_t *v, const char *const *choices, size_t n,
		  int *out);
/* A percentage string ("50%") between min and max. */
bool rd_as_percent(gd_reader *r, json_t *v, double min, double max,
		   double *out);
/* A name: [a-z0-9] then [a-z0-9_.-]*, at most max characters. */
bool rd_as_name(gd_reader *r, json_t *v, size_t max, const char **out);

/* The same, for obj[key]: missing and required is an error at the object's
 * path; missing and optional returns false without a diagnostic, leaving
 * *out untouched.  rd_has() tells them apart. */
json_t *rd_get(gd_reader *r, json_t *obj, const char *key, bool required);
/* Reports that obj lacks a required key, unless a misspelling of it was
 * already reported. */
void rd_missing(gd_reader *r, const json_t *obj, const char *key);
#define RD_FIELD(fn, r, obj, key, required, ...)                               \
	({                                                                     \
		json_t *_v = rd_get((r), (obj), (key), (required));            \
		bool _ok = false;                                              \
		if (_v) {                                                      \
			size_t _m = rd_push_key((r), (key));                   \
			_ok = fn((r), _v, __VA_ARGS__);                        \
			rd_pop((r), _m);                                       \
		}                                                              \
		_ok;                                                           \
	})

/* Parses the section obj[key] with fn(r, value, ...) at the key's path;
 * evaluates to whether the key was there. */
#define RD_SECTION(fn, r, obj, key, required, ...)                             \
	({                                                                     \
		json_t *_s = rd_get((r), (obj), (key), (required));            \
		if (_s) {                                                      \
			size_t _m = rd_push_key((r), (key));                   \
			fn((r), _s, __VA_ARGS__);                              \
			rd_pop((r), _m);                                       \
		}                                                              \
		_s != NULL;                                                    \
	})

#endif
