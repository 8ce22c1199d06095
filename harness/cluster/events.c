#include "cluster/events.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void gd_event(int fd, const char *what, json_t *fields)
{
	if (fd < 0) {
		json_decref(fields);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	json_t *o = fields ? fields : json_object();
	json_object_set_new(o, "t_ms",
			    json_integer((json_int_t)ts.tv_sec * 1000 +
					 ts.tv_nsec / 1000000));
	json_object_set_new(o, "source", json_string("gameday"));
	json_object_set_new(o, "event", json_string(what));
	char *line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!line)
		return;
	size_t n = strlen(line);
	line[n] = '\n';
	ssize_t w = write(fd, line, n + 1);
	(void)w;
	free(line);
}
