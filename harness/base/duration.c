#include "base/duration.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct unit {
	const char *name;
	gd_ms ms;
} units[] = {
	/* Largest first: parse order and format order. */
	{"d", GD_MS_PER_D}, {"h", GD_MS_PER_H}, {"m", GD_MS_PER_M},
	{"s", GD_MS_PER_S}, {"ms", 1},
};
#define NUNITS (sizeof(units) / sizeof(units[0]))

static int fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

/* Reads the unit at *p, advancing past it; returns its index or -1. */
static int read_unit(const char **p)
{
	const char *s = *p;
	if (s[0] == 'm' && s[1] == 's') {
		*p += 2;
		return 4;
	}
	for (size_t i = 0; i < NUNITS; i++) {
		if (strlen(units[i].name) == 1 && s[0] == units[i].name[0]) {
			*p += 1;
			return (int)i;
		}
	}
	return -1;
}

int gd_duration_parse(const char *s, gd_ms *out, const char **why)
{
	if (!s || !*s)
		return fail(why, "empty duration (write e.g. \"90s\", \"20m\", "
				 "\"1h30m\")");
	if (*s == '-')
		return fail(why, "negative durations are not allowed");
	if (*s == '+')
		return fail(why, "durations take no sign");

	const char *p = s;
	int last = -1;
	gd_ms total = 0;
	while (*p) {
		if (!isdigit((unsigned char)*p)) {
			if (isspace((unsigned char)*p))
				return fail(why, "spaces are not allowed in a "
						 "duration (write \"1h30m\")");
			return fail(why, "expected a number (write e.g. "
					 "\"90s\", \"20m\", \"1h30m\")");
		}
		gd_ms n = 0;
		while (isdigit((unsigned char)*p)) {
			if (n > GD_DURATION_MAX)
				return fail(why, "too long (at most 366d)");
			n = n * 10 + (*p - '0');
			p++;
		}
		if (*p == '.' || *p == ',')
			return fail(why, "fractions are not allowed (write "
					 "\"1h30m\", not \"1.5h\")");
		if (!*p)
			return fail(why, "number without a unit (write e.g. "
					 "\"90s\" or \"20m\"; units: d, h, m, "
					 "s, ms)");
		if (isspace((unsigned char)*p))
			return fail(why, "spaces are not allowed in a duration "
					 "(write \"1h30m\")");
		int u = read_unit(&p);
		if (u < 0)
			return fail(why, "unknown unit (units: d, h, m, s, ms; "
					 "case matters)");
		if (u <= last)
			return fail(why, "units must go from largest to "
					 "smallest, each at most once (write "
					 "\"1h30m\")");
		last = u;
		if (n > GD_DURATION_MAX / units[u].ms)
			return fail(why, "too long (at most 366d)");
		total += n * units[u].ms;
		if (total > GD_DURATION_MAX)
			return fail(why, "too long (at most 366d)");
	}
	*out = total;
	return 0;
}

int gd_offset_parse(const char *s, gd_ms *out, const char **why)
{
	if (!s || (*s != '+' && *s != '-'))
		return fail(why, "an offset needs an explicit sign (write "
				 "\"+2h\" or \"-2h\")");
	gd_ms v;
	int r = gd_duration_parse(s + 1, &v, why);
	if (r < 0)
		return r;
	*out = *s == '-' ? -v : v;
	return 0;
}

int gd_range_parse(const char *s, gd_ms *lo, gd_ms *hi, const char **why)
{
	const char *dots = s ? strstr(s, "..") : NULL;
	if (!dots) {
		gd_ms v;
		int r = gd_duration_parse(s, &v, why);
		if (r < 0)
			return r;
		*lo = *hi = v;
		return 0;
	}
	char left[64];
	size_t n = (size_t)(dots - s);
	if (n >= sizeof(left))
		return fail(why, "range bound too long");
	memcpy(left, s, n);
	left[n] = '\0';
	gd_ms a, b;
	int r = gd_duration_parse(left, &a, why);
	if (r < 0)
		return r;
	r = gd_duration_parse(dots + 2, &b, why);
	if (r < 0)
		return r;
	if (a > b)
		return fail(why, "range runs backwards (write \"LOW..HIGH\", "
				 "e.g. \"20m..40m\")");
	*lo = a;
	*hi = b;
	return 0;
}

char *gd_duration_format(gd_ms ms, char *buf, size_t size)
{
	size_t off = 0;
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (ms < 0) {
		off += (size_t)snprintf(buf, size, "-");
		ms = -ms;
	}
	if (ms == 0) {
		snprintf(buf + off, size - off, "0s");
		return buf;
	}
	for (size_t i = 0; i < NUNITS && off < size; i++) {
		gd_ms q = ms / units[i].ms;
		if (!q)
			continue;
		ms -= q * units[i].ms;
		off += (size_t)snprintf(buf + off, size - off, "%lld%s",
					(long long)q, units[i].name);
	}
	return buf;
}
