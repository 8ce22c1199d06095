#include "base/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static int make(gd_error **err, int errnum, bool with_text, const char *fmt,
		va_list ap)
{
	int ret = errnum > 0 ? -errnum : -EINVAL;
	if (!err || *err)
		return ret;
	gd_error *e = calloc(1, sizeof(*e));
	if (!e)
		return ret;
	e->code = errnum > 0 ? errnum : 0;
	char *what = vformat(fmt, ap);
	if (what && errnum > 0 && with_text) {
		char *full = NULL;
		if (asprintf(&full, "%s: %s", what, strerror(errnum)) >= 0) {
			free(what);
			what = full;
		}
	}
	e->msg = what ? what : strdup("out of memory while reporting an error");
	*err = e;
	return ret;
}

int gd_error_set(gd_error **err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = make(err, code, false, fmt, ap);
	va_end(ap);
	return r;
}

int gd_error_make(gd_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = make(err, errnum, true, fmt, ap);
	va_end(ap);
	return r;
}

int gd_error_prefix(gd_error **err, const char *fmt, ...)
{
	if (!err || !*err)
		return -EINVAL;
	gd_error *e = *err;
	int ret = e->code > 0 ? -e->code : -EINVAL;

	va_list ap;
	va_start(ap, fmt);
	char *ctx = vformat(fmt, ap);
	va_end(ap);

	char *full = NULL;
	if (ctx && asprintf(&full, "%s: %s", ctx, e->msg) >= 0) {
		free(e->msg);
		e->msg = full;
	}
	free(ctx);
	return ret;
}

void gd_error_free(gd_error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}
