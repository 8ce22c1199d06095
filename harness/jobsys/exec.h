/* The exec driver's parsers of an adapter's answers, checked against the
 * contract (README.md, "The exec adapter"): for the driver and its unit
 * tests, nothing else. */
#ifndef GD_JOBSYS_EXEC_H
#define GD_JOBSYS_EXEC_H

#include "base/error.h"
#include "jobsys/jobsys.h"

#include <stddef.h>

/* Parses a "query" answer; *jobs is a heap array. */
int gd_exec_parse_query(const char *text, gd_job_status **jobs, size_t *n,
			gd_error **err);
/* Parses a "nodes" answer; *states is a heap array. */
int gd_exec_parse_nodes(const char *text, gd_jobsys_node **states, size_t *n,
			gd_error **err);

#endif
