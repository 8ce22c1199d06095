#include "base/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE (64 * 1024)
#define ALIGN	   _Alignof(max_align_t)

struct block {
	struct block *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

struct gd_arena {
	struct block *head;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p) {
		fputs("gameday: out of memory\n", stderr);
		abort();
	}
	return p;
}

gd_arena *gd_arena_new(void)
{
	return xcalloc(1, sizeof(gd_arena));
}

void gd_arena_free(gd_arena *a)
{
	if (!a)
		return;
	for (struct block *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *gd_arena_alloc(gd_arena *a, size_t size)
{
	size = (size + ALIGN - 1) & ~(ALIGN - 1);
	if (size == 0)
		size = ALIGN;
	struct block *b = a->head;
	if (!b || b->size - b->used < size) {
		/* Large requests get a block of their own, placed behind the
		 * current one so its free space stays usable. */
		size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
		struct block *nb = xcalloc(1, sizeof(*nb) + cap);
		nb->size = cap;
		if (b && size > BLOCK_SIZE) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += size;
	return p;
}

void *gd_arena_array(gd_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		fputs("gameday: allocation too large\n", stderr);
		abort();
	}
	return gd_arena_alloc(a, n * size);
}

char *gd_arena_strdup(gd_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = gd_arena_alloc(a, n);
	memcpy(p, s, n);
	return p;
}

char *gd_arena_vprintf(gd_arena *a, const char *fmt, va_list ap)
{
	char *tmp = NULL;
	int n = vasprintf(&tmp, fmt, ap);
	if (n < 0) {
		fputs("gameday: out of memory\n", stderr);
		abort();
	}
	char *p = gd_arena_alloc(a, (size_t)n + 1);
	memcpy(p, tmp, (size_t)n + 1);
	free(tmp);
	return p;
}

char *gd_arena_printf(gd_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = gd_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
