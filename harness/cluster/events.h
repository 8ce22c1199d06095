/* The run's event log: JSON Lines, one event per write(2), appended by
 * gameday and by every node's gd-init through one O_APPEND file. */
#ifndef GD_CLUSTER_EVENTS_H
#define GD_CLUSTER_EVENTS_H

#include "cluster/event_names.h"

#include <jansson.h>

/* Appends {"t_ms": now, "source": "gameday", "event": what's name,
 * ...fields}.
 * Steals the reference to fields (may be NULL).  Errors are ignored: a
 * missing event must never stop a teardown. */
void gd_event(int fd, gd_event_kind what, json_t *fields);

/* gd_event appended to the log at path (a cluster state's events: a
 * backend's call that has no descriptor of it open); gd_event_node's
 * fields are {"node": node}. */
void gd_event_at(const char *path, gd_event_kind what, json_t *fields);
void gd_event_node(const char *path, gd_event_kind what, const char *node);

/* The same event as a line to write later ("\n"-terminated, malloc'd),
 * stamped t_ms (wall clock, ms): a fault's "applying" is made before the
 * fault is due, so that saying it costs the fault one write.  NULL when
 * out of memory. */
char *gd_event_line(gd_event_kind what, json_t *fields, long long t_ms);

#endif
