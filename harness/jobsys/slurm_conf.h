/* Inside jobsys/: the team's slurm.conf lines (a cluster's "slurm_conf"),
 * read with Slurm's syntax (KEY=VALUE, several to a line, "quoted" values,
 * '#' comments, a '\' continuing a line, keys in any case), checked and
 * merged into the slurm.conf gameday writes (slurm.c).  docs/team-config.md
 * says which keys a team may set and what becomes of them. */
#ifndef GD_JOBSYS_SLURM_CONF_H
#define GD_JOBSYS_SLURM_CONF_H

#include "base/diag.h"
#include "jobsys/jobsys.h"
#include "jobsys/slurm.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct gd_slurm_param {
	char *key, *value;
	int line, col;
} gd_slurm_param;

/* A logical line: its parameters (a PartitionName line's first one names
 * the partition, the others are its own). */
typedef struct gd_slurm_conf_line {
	gd_slurm_param *p;
	size_t n;
} gd_slurm_conf_line;

typedef struct gd_slurm_conf {
	gd_slurm_conf_line *lines;
	size_t nlines;
} gd_slurm_conf;

/* Reads text, a syntax problem a diagnostic at file:line:col; NULL when
 * out of memory. */
gd_slurm_conf *gd_slurm_conf_parse(const char *text, const char *file,
				   gd_diags *d);
void gd_slurm_conf_free(gd_slurm_conf *conf);
static inline void gd_slurm_conf_freep(gd_slurm_conf **conf)
{
	gd_slurm_conf_free(*conf);
}
/* c's team file read, its problems ignored (checked before: NULL when it
 * has none, or out of memory). */
gd_slurm_conf *gd_slurm_conf_of(const gd_cluster *c);

/* Checks c's team file: every problem a diagnostic at FILE:LINE:COL (a
 * key gameday owns, an unknown one, a value Slurm would refuse, a
 * partition naming no staging worker); how many. */
size_t gd_slurm_conf_check(const gd_cluster *c, gd_diags *d);

/* Whether c's team file has a PartitionName=name line: 1, 0, or -1 when
 * it has no partition (or no file). */
int gd_slurm_conf_has_partition(const gd_cluster *c, const char *name);

/* The value the team gives key outside partitions (the last, as Slurm
 * keeps), or NULL. */
const char *gd_slurm_conf_get(const gd_slurm_conf *conf, const char *key);
/* The same as whole seconds; dflt when unset. */
long gd_slurm_conf_seconds(const gd_slurm_conf *conf, const char *key,
			   long dflt);
/* An option of the team's SchedulerParameters ("sched_interval"); dflt
 * when unset. */
long gd_slurm_conf_sched(const gd_slurm_conf *conf, const char *option,
			 long dflt);
/* A setting in seconds at scale: production / scale in whole seconds, at
 * least its floor; 0 kept where 0 turns it off. */
long gd_slurm_conf_compress(const char *key, long production, double scale);

/* The team's time settings that no comparison of the plan meets (all but
 * SlurmdTimeout, MessageTimeout and BatchStartTimeout, which the timings
 * use), and its partitions' MaxTime and DefaultTime, as timings of kind
 * GD_TIMING_SETTING: production and as configured at scale.  How many
 * (at most max). */
size_t gd_slurm_conf_settings(const gd_slurm_conf *conf, double scale,
			      gd_timing *out, size_t max);

/* Writes the team's partitions, their time limits compressed; whether
 * there was one besides PartitionName=DEFAULT (gameday's own is dropped
 * then). */
bool gd_slurm_conf_write_partitions(const gd_slurm_conf *conf, double scale,
				    FILE *f);
/* Writes the team's other keys, but those in done (written already with
 * the team's values), as Slurm keeps them (the last of each), times
 * compressed. */
void gd_slurm_conf_write_added(const gd_slurm_conf *conf,
			       const char *const *done, size_t ndone,
			       double scale, FILE *f);

/* Slurm's time syntax to seconds: -1 INFINITE, -2 not a time. */
long gd_slurm_time_parse(const char *s);

/* A Slurm hostlist ("w[1-3,5],c1") as names, a heap array freed with
 * gd_slurm_names_free; -2 and why (heap) when malformed, -1 out of
 * memory. */
int gd_slurm_hostlist_expand(const char *list, gd_strv *out, char **why);
void gd_slurm_names_free(gd_strv *v);

#endif
