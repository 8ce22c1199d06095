#include "base/passwd.h"

#include <stdio.h>
#include <string.h>

const char *gd_passwd_next(const char *line)
{
	const char *nl = line ? strchr(line, '\n') : NULL;
	return nl && nl[1] ? nl + 1 : NULL;
}

const char *gd_passwd_line(const char *text, const char *name)
{
	size_t len = strlen(name);
	for (const char *l = text && *text ? text : NULL; l;
	     l = gd_passwd_next(l))
		if (strncmp(l, name, len) == 0 && l[len] == ':')
			return l;
	return NULL;
}

int gd_passwd_parse(const char *line, char *name, size_t size, unsigned ids[2])
{
	const char *colon = strchr(line, ':');
	const char *nl = strchr(line, '\n');
	ids[0] = ids[1] = 0;
	if (!colon || (nl && colon > nl))
		return 0;
	snprintf(name, size, "%.*s", (int)(colon - line), line);
	/* the password field may be empty ("name::1000:") */
	const char *f = strchr(colon + 1, ':');
	int n = f && (!nl || f < nl) ? sscanf(f + 1, "%u:%u", &ids[0], &ids[1])
				     : 0;
	return n > 0 ? n : 0;
}

const char *gd_passwd_name_of(const char *text, unsigned id, char *buf,
			      size_t size)
{
	for (const char *l = text && *text ? text : NULL; l;
	     l = gd_passwd_next(l)) {
		unsigned ids[2];
		if (gd_passwd_parse(l, buf, size, ids) > 0 && ids[0] == id)
			return buf;
	}
	return NULL;
}
