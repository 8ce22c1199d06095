#include "base/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gd_diag *push(gd_diags *d)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		gd_diag *items = realloc(d->items, cap * sizeof(*items));
		if (!items) {
			fputs("gameday: out of memory\n", stderr);
			abort();
		}
		d->items = items;
		d->cap = cap;
	}
	gd_diag *g = &d->items[d->n++];
	memset(g, 0, sizeof(*g));
	return g;
}

static char *xstrdup(const char *s)
{
	char *p = s ? strdup(s) : NULL;
	if (s && !p) {
		fputs("gameday: out of memory\n", stderr);
		abort();
	}
	return p;
}

/* Formats a message and escapes control characters in it: names in
 * messages come from the user's file, and one diagnostic must stay one
 * line. */
static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0) {
		fputs("gameday: out of memory\n", stderr);
		abort();
	}
	size_t ctl = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		ctl += *p < 0x20 || *p == 0x7f;
	if (!ctl)
		return s;
	char *out = malloc(strlen(s) + 4 * ctl + 1), *o = out;
	if (!out) {
		fputs("gameday: out of memory\n", stderr);
		abort();
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	free(s);
	return out;
}

void gd_diag_at(gd_diags *d, const char *file, int line, int col,
		const char *fmt, ...)
{
	gd_diag *g = push(d);
	g->file = xstrdup(file);
	g->line = line;
	g->col = col;
	va_list ap;
	va_start(ap, fmt);
	g->msg = xvasprintf(fmt, ap);
	va_end(ap);
}

void gd_diag_vpath(gd_diags *d, const char *file, const char *path,
		   const char *fmt, va_list ap)
{
	gd_diag *g = push(d);
	g->file = xstrdup(file);
	g->path = xstrdup(path);
	g->msg = xvasprintf(fmt, ap);
}

void gd_diag_path(gd_diags *d, const char *file, const char *path,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gd_diag_vpath(d, file, path, fmt, ap);
	va_end(ap);
}

void gd_diags_print(const gd_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const gd_diag *g = &d->items[i];
		if (g->line > 0)
			fprintf(out, "%s:%d:%d: %s\n", g->file, g->line, g->col,
				g->msg);
		else if (g->path)
			fprintf(out, "%s: %s: %s\n", g->file, g->path, g->msg);
		else
			fprintf(out, "%s: %s\n", g->file, g->msg);
	}
}

void gd_diags_clear(gd_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].path);
		free(d->items[i].msg);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}
