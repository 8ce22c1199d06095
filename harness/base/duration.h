/* Durations as people write them in scenario files.
 *
 * Grammar: one or more <digits><unit> parts, units strictly from largest to
 * smallest, each at most once: "90s", "20m", "1h30m", "24h", "2d", "250ms".
 * Units: d (24h), h, m, s, ms.  No sign, no fraction, no spaces, no bare
 * numbers: every form that could be read two ways is rejected, with a reason
 * the user can act on.  Values are milliseconds, at most GD_DURATION_MAX. */
#ifndef GD_BASE_DURATION_H
#define GD_BASE_DURATION_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t gd_ms;

#define GD_MS_PER_S	INT64_C(1000)
#define GD_MS_PER_M	(60 * GD_MS_PER_S)
#define GD_MS_PER_H	(60 * GD_MS_PER_M)
#define GD_MS_PER_D	(24 * GD_MS_PER_H)
#define GD_DURATION_MAX (366 * GD_MS_PER_D)

/* Longest text gd_duration_format() writes, with its NUL. */
#define GD_DURATION_BUFSZ 40

/* Parses an unsigned duration.  On error returns -EINVAL and points *why at
 * a static explanation. */
int gd_duration_parse(const char *s, gd_ms *out, const char **why);

/* Parses a signed offset: a duration with a mandatory leading '+' or '-'
 * ("+2h", "-90s"), so a clock jump's direction is never implied. */
int gd_offset_parse(const char *s, gd_ms *out, const char **why);

/* Parses "LO..HI" (e.g. "20m..40m") or a single duration (LO == HI);
 * LO must not exceed HI. */
int gd_range_parse(const char *s, gd_ms *lo, gd_ms *hi, const char **why);

/* Writes the canonical form ("1h30m", "0s", "-2h" for negative values),
 * which gd_duration_parse() (or gd_offset_parse() when signed) reads back
 * to the same value.  Returns buf. */
char *gd_duration_format(gd_ms ms, char *buf, size_t size);

#endif
