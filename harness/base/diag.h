/* Diagnostics: the problems found in a user's input file.
 *
 * Unlike gd_error (one failure, passed up and printed once), a validation
 * collects every problem it can find so the user fixes them in one pass.
 * Each diagnostic names its place: "FILE:LINE:COL: msg" for syntax, and
 * "FILE: $.json.path: msg" for shape and meaning. */
#ifndef GD_BASE_DIAG_H
#define GD_BASE_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct gd_diag {
	char *file;
	int line, col; /* > 0 for syntax errors */
	char *path;    /* JSON path, or NULL */
	char *msg;
} gd_diag;

typedef struct gd_diags {
	gd_diag *items;
	size_t n, cap;
} gd_diags;

void gd_diag_at(gd_diags *d, const char *file, int line, int col,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void gd_diag_path(gd_diags *d, const char *file, const char *path,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void gd_diag_vpath(gd_diags *d, const char *file, const char *path,
		   const char *fmt, va_list ap);

/* Prints one line per diagnostic, in the order they were found. */
void gd_diags_print(const gd_diags *d, FILE *out);
void gd_diags_clear(gd_diags *d);

#endif
