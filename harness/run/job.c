/* What every job kind's row shares (run/job.h). */
#include "run/job.h"

#include <stdarg.h>
#include <stdio.h>

const char *const gd_job_outcome_names[GD_OUT_COUNT] = {
	"pending", "correct", "wrong",	    "duplicated",
	"failed",  "lost",    "unfinished", "check-error",
};

bool gd_job_cmd_add(gd_job_cmd *c, const char *fmt, ...)
{
	if (c->argc + 1 >= sizeof(c->argv) / sizeof(c->argv[0]))
		return false;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(c->buf + c->used, sizeof(c->buf) - c->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(c->buf) - c->used)
		return false;
	c->argv[c->argc++] = c->buf + c->used;
	c->argv[c->argc] = NULL;
	c->used += (size_t)n + 1;
	return true;
}
