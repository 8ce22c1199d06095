/* A region allocator: a parsed scenario and its plan live in one arena and
 * are freed together, so the parser never has to unwind half-built objects
 * when the input is bad.  Allocation failure aborts: gameday cannot do
 * anything useful without memory, and an abort is never silent. */
#ifndef GD_BASE_ARENA_H
#define GD_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct gd_arena gd_arena;

gd_arena *gd_arena_new(void);
void gd_arena_free(gd_arena *a);
static inline void gd_arena_freep(gd_arena **a)
{
	gd_arena_free(*a);
}
#define _cleanup_arena_ __attribute__((cleanup(gd_arena_freep)))

/* Zeroed memory, aligned for any type. */
void *gd_arena_alloc(gd_arena *a, size_t size);
/* Zeroed array of n elements; aborts on overflow. */
void *gd_arena_array(gd_arena *a, size_t n, size_t size);
char *gd_arena_strdup(gd_arena *a, const char *s);
char *gd_arena_printf(gd_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *gd_arena_vprintf(gd_arena *a, const char *fmt, va_list ap);

#endif
