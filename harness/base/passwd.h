/* Reading passwd(5) and group(5) texts, as a node's own files hold them:
 * NAME:PASSWORD:ID[:GID:...], one account a line. */
#ifndef GD_BASE_PASSWD_H
#define GD_BASE_PASSWD_H

#include <stdbool.h>
#include <stddef.h>

/* The line of account name in text, or NULL. */
const char *gd_passwd_line(const char *text, const char *name);
/* The line after line, or NULL at the end. */
const char *gd_passwd_next(const char *line);
/* Of an account's line: its name (into name) and the numbers after its
 * password (ids[0]: a user's uid or a group's gid; ids[1]: a user's gid,
 * 0 for a group); how many numbers it read, 0 when the line is no
 * account. */
int gd_passwd_parse(const char *line, char *name, size_t size, unsigned ids[2]);
/* The name of the first account whose first number is id, into buf, or
 * NULL. */
const char *gd_passwd_name_of(const char *text, unsigned id, char *buf,
			      size_t size);

#endif
