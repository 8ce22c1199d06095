#include "base/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char gd_strbuf_empty[1];

void gd_strbuf_init(gd_strbuf *sb)
{
	*sb = (gd_strbuf)GD_STRBUF_INIT;
}

/* Room for extra more bytes and the NUL; false (and oom set) when there
 * is none to be had. */
static bool grow(gd_strbuf *sb, size_t extra)
{
	if (sb->oom)
		return false;
	if (extra < sb->alloc - sb->len)
		return true;
	if (extra > SIZE_MAX - sb->len - 1) {
		sb->oom = true;
		return false;
	}
	size_t need = sb->len + extra + 1;
	/* doubling keeps a long run of small adds linear */
	size_t want = sb->alloc > SIZE_MAX / 2 ? need : sb->alloc * 2;
	if (want < need)
		want = need;
	if (want < 64)
		want = 64;
	char *p = realloc(sb->alloc ? sb->buf : NULL, want);
	if (!p) {
		sb->oom = true;
		return false;
	}
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = want;
	return true;
}

void gd_strbuf_addn(gd_strbuf *sb, const void *data, size_t len)
{
	if (!len || !grow(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void gd_strbuf_add(gd_strbuf *sb, const char *s)
{
	gd_strbuf_addn(sb, s, strlen(s));
}

void gd_strbuf_addch(gd_strbuf *sb, char c)
{
	gd_strbuf_addn(sb, &c, 1);
}

void gd_strbuf_vaddf(gd_strbuf *sb, const char *fmt, va_list ap)
{
	if (sb->oom)
		return;
	va_list again;
	va_copy(again, ap);
	size_t room = sb->alloc ? sb->alloc - sb->len : 0;
	int n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
	if (n >= 0 && (size_t)n >= room)
		n = grow(sb, (size_t)n) ? vsnprintf(sb->buf + sb->len,
						    (size_t)n + 1, fmt, again)
					: -1;
	va_end(again);
	if (n < 0) {
		/* out of memory, or a format the C library cannot render
		 * (EOVERFLOW): the text is lost either way, and what the
		 * first try wrote past len is not the string's */
		sb->oom = true;
		if (sb->alloc)
			sb->buf[sb->len] = '\0';
		return;
	}
	sb->len += (size_t)n;
}

void gd_strbuf_addf(gd_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gd_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void gd_strbuf_reset(gd_strbuf *sb)
{
	sb->len = 0;
	sb->oom = false;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

char *gd_strbuf_detach(gd_strbuf *sb)
{
	char *s = NULL;
	if (!sb->oom)
		s = sb->alloc ? sb->buf : strdup("");
	else if (sb->alloc)
		free(sb->buf);
	gd_strbuf_init(sb);
	return s;
}

void gd_strbuf_release(gd_strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	gd_strbuf_init(sb);
}
