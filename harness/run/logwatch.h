/* The job system's own words while a run goes on: the logs its driver
 * names (slurmctld.log, slurmd.log…) and every service's output
 * (/var/log/gameday/NAME.log) in every node, read as they grow.  A line
 * that reports trouble or a change of a node's state becomes a
 * "system-log" event: munge's "Expired credential", Slurm marking a node
 * down or a job requeued, as the system said it and when gameday saw it.
 * Once per distinct message (numbers and timestamps aside, names kept) per
 * node and ten seconds, so a retry loop is a few events, not thousands,
 * the same complaint about the next fault is news again, and what a
 * service says both in its log and on its output counts once. */
#ifndef GD_RUN_LOGWATCH_H
#define GD_RUN_LOGWATCH_H

#include "base/error.h"
#include "cluster/cluster.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct gd_logwatch gd_logwatch;

/* logs: paths under a node's /var/log, NULL-terminated. */
int gd_logwatch_open(const gd_cluster_state *st, const char *const *logs,
		     gd_logwatch **out, gd_error **err);
/* Reads what the logs gained since the last call; events to fd events.
 * With events < 0 the lines are only remembered: what a healthy cluster
 * says as it starts is its baseline, not news. */
void gd_logwatch_poll(gd_logwatch *w, int events);
void gd_logwatch_free(gd_logwatch *w);

/* Whether a log line is worth an event, and its message as a key: the
 * line without a leading "[timestamp] " and with every run of digits
 * as "#" (key: at least len + 1 bytes).  Pure, for the unit tests. */
bool gd_log_line_notable(const char *line);
void gd_log_line_key(const char *line, char *key, size_t size);

#endif
