/* A string that grows on the heap, for messages and lists built in
 * pieces: what a char[512] filled by snprintf at an offset did, without
 * the arithmetic or the silent cut.
 *
 *	_cleanup_strbuf_ gd_strbuf sb = GD_STRBUF_INIT;
 *	gd_strbuf_addf(&sb, "%s: %d", name, n);
 *	use(sb.buf);
 *
 * sb.buf is always a NUL-terminated string (never NULL, "" before the
 * first add), so it can be read at any point; sb.len is its length.
 *
 * Out of memory is sticky, never fatal: an add that cannot grow the
 * buffer adds nothing and sets sb.oom, every later add is then ignored,
 * and detach returns NULL.  A caller that must not act on a cut string
 * checks sb.oom (or detach's NULL) once at the end, not after each add;
 * one that only says something (a message, a report line) may print the
 * prefix it has. */
#ifndef GD_BASE_STRBUF_H
#define GD_BASE_STRBUF_H

#include "base/cleanup.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct gd_strbuf {
	char *buf;
	size_t len;
	size_t alloc; /* 0: buf is the shared "", nothing to free */
	bool oom;
} gd_strbuf;

/* What buf points at until the first allocation; never written. */
extern char gd_strbuf_empty[1];

#define GD_STRBUF_INIT                                                         \
	{                                                                      \
		.buf = gd_strbuf_empty                                         \
	}

void gd_strbuf_init(gd_strbuf *sb);

/* Appends: a string, len bytes of data (no NUL needed), one character,
 * printf-formatted text. */
void gd_strbuf_add(gd_strbuf *sb, const char *s);
void gd_strbuf_addn(gd_strbuf *sb, const void *data, size_t len);
void gd_strbuf_addch(gd_strbuf *sb, char c);
void gd_strbuf_addf(gd_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void gd_strbuf_vaddf(gd_strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Empties the string, keeping the memory (and clearing oom) for reuse. */
void gd_strbuf_reset(gd_strbuf *sb);

/* The string, now the caller's to free (malloc'd even when empty); the
 * buffer is left empty, as after init.  NULL when out of memory, at the
 * detach or at any add before it. */
char *gd_strbuf_detach(gd_strbuf *sb);

/* Frees the memory and leaves the buffer as after init; safe to call
 * again, and on a buffer never added to. */
void gd_strbuf_release(gd_strbuf *sb);

#define _cleanup_strbuf_ _cleanup_(gd_strbuf_release)

#endif
