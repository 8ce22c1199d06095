#include "cluster/events.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

char *gd_event_line(gd_event_kind what, json_t *fields, long long t_ms)
{
	json_t *o = fields ? fields : json_object();
	json_object_set_new(o, "t_ms", json_integer((json_int_t)t_ms));
	json_object_set_new(o, "source", json_string("gameday"));
	json_object_set_new(o, "event", json_string(gd_event_name(what)));
	char *line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!line)
		return NULL;
	size_t n = strlen(line);
	char *grown = realloc(line, n + 2);
	if (!grown) {
		free(line);
		return NULL;
	}
	grown[n] = '\n';
	grown[n + 1] = '\0';
	return grown;
}

void gd_event(int fd, gd_event_kind what, json_t *fields)
{
	if (fd < 0) {
		json_decref(fields);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char *line = gd_event_line(what, fields,
				   (long long)ts.tv_sec * 1000 +
					   ts.tv_nsec / 1000000);
	if (!line)
		return;
	ssize_t w = write(fd, line, strlen(line));
	(void)w;
	free(line);
}

void gd_event_at(const char *path, gd_event_kind what, json_t *fields)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	gd_event(fd, what, fields);
	if (fd >= 0)
		close(fd);
}

void gd_event_node(const char *path, gd_event_kind what, const char *node)
{
	gd_event_at(path, what, json_pack("{s:s}", "node", node));
}
