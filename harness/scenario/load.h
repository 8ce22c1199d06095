/* Reading a scenario file: syntax, shape and meaning.
 *
 * The first two tiers of validation happen here; the planner (plan/) does
 * the last one (times, cycles, overlaps).  On any problem the functions
 * return NULL and leave one diagnostic per problem in *diags. */
#ifndef GD_SCENARIO_LOAD_H
#define GD_SCENARIO_LOAD_H

#include "base/diag.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct gd_load_opts {
	/* Refuse "cluster": "FILE" instead of reading it (the fuzzer must not
	 * open files named by its input). */
	bool no_cluster_files;
} gd_load_opts;

gd_scenario *gd_scenario_load(const char *file, const gd_load_opts *opts,
			      gd_diags *diags);
/* The same from memory; name is used in messages and for relative paths. */
gd_scenario *gd_scenario_parse(const char *text, size_t len, const char *name,
			       const gd_load_opts *opts, gd_diags *diags);

/* Reads a cluster file or a scenario file (what 'gameday cluster up' and
 * 'gameday validate' accept): a file with "nodes" and no "cluster" is a
 * cluster file; anything else is read, and validated whole, as a scenario. */
gd_scenario *gd_cluster_file_load(const char *file, gd_diags *diags);

void gd_scenario_free(gd_scenario *s);
static inline void gd_scenario_freep(gd_scenario **s)
{
	gd_scenario_free(*s);
}
#define _cleanup_scenario_ __attribute__((cleanup(gd_scenario_freep)))

#endif
