/* The one error rule.
 *
 * A fallible function returns 0 on success or a negative errno, and fills a
 * gd_error describing what failed, on what, and why.  Each caller on the way
 * up may add context in front ("plan 'x': step 3: ...").  Only main() prints
 * an error, once.  Library code never prints. */
#ifndef GD_BASE_ERROR_H
#define GD_BASE_ERROR_H

typedef struct gd_error {
	int code; /* positive errno, or 0 when no system call failed */
	char *msg;
} gd_error;

/* Sets *err (when err is non-NULL and *err is NULL) to the formatted message,
 * followed by ": strerror(errnum)" when errnum is non-zero.  Returns
 * -errnum, or -EINVAL when errnum is 0, so callers can write
 * "return gd_error_make(err, errno, ...)". */
int gd_error_make(gd_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same for failures that are not a system call's: the code classifies
 * the error (for exit codes) but no errno text is appended. */
int gd_error_set(gd_error **err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Puts "context: " in front of an existing error's message; returns the
 * error's negative code (or -EINVAL when there is no error). */
int gd_error_prefix(gd_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void gd_error_free(gd_error *err);
static inline void gd_error_freep(gd_error **err)
{
	gd_error_free(*err);
}
#define _cleanup_error_ __attribute__((cleanup(gd_error_freep)))

#endif
