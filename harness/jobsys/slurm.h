/* Slurm on the staging cluster: the per-node files (slurm.conf, the munge
 * key) and the services gd-init runs (munged everywhere, slurmctld on the
 * controller, slurmd on every other node).  Nothing here talks to Slurm;
 * it only prepares nodes the way a configuration-management run would. */
#ifndef GD_JOBSYS_SLURM_H
#define GD_JOBSYS_SLURM_H

#include "base/error.h"
#include "jobsys/jobsys.h"
#include "scenario/scenario.h"

#include <stddef.h>
#include <stdio.h>

#define GD_MUNGE_KEY_SIZE 1024

/* Checks the Debian packages are there: slurmctld, slurmd, munged, the
 * munge user.  Fails (ENOENT) naming what to install. */
int gd_slurm_preflight(gd_error **err);

/* Writes a fresh munge key for the run to path (0400). */
int gd_slurm_make_key(const char *path, gd_error **err);

/* Writes node index's Slurm and munge files under dir (its etc overlay
 * and its run/spool/log directories), copying the run's key. */
int gd_slurm_write_node(const gd_cluster *c, size_t index, const char *dir,
			const char *key_path, gd_error **err);

/* Appends the node's Slurm services to a gd-init configuration. */
void gd_slurm_services(const gd_cluster *c, size_t index, FILE *out);

/* A Slurm timing setting that follows the scenario's time scale: a
 * scenario written in production time keeps its relative timing. */
typedef struct gd_slurm_timeout_t {
	const char *name;
	int production_s; /* Slurm's default, in seconds */
	int floor_s;	  /* never below this, whatever the scale */
} gd_slurm_timeout_t;

extern const gd_slurm_timeout_t gd_slurm_timeouts[];
extern const size_t gd_slurm_ntimeouts;
extern const gd_slurm_timeout_t gd_slurm_munge_ttl;
extern const gd_slurm_timeout_t gd_slurm_cred_expire;
extern const gd_slurm_timeout_t gd_slurm_sched_interval;
extern const gd_slurm_timeout_t gd_slurm_bf_interval;

/* The value to configure at time scale scale: production / scale, rounded,
 * at least the floor. */
int gd_slurm_timeout(const gd_slurm_timeout_t *t, double scale);

/* munge's credential lifetime configured for c, in seconds (AuthInfo
 * ttl=, which Slurm asks for in every credential it encodes; munged caps a
 * request at its --max-ttl, 3600 s unless set).  Where a step moves a
 * clock it is production's at every scale: the offset is real seconds
 * (gameday moves the clock by what the scenario says), and only an
 * uncompressed lifetime accepts and rejects the offsets production does.
 * Elsewhere it is compressed like the timeouts (down to 10 s): what meets
 * it there is scenario time, the age of a message a node reads late (one
 * that waited in a frozen node's socket).  docs/fidelity.md. */
int gd_slurm_munge_ttl_s(const gd_cluster *c);

/* The delays of Slurm and munge a fault is measured against, as
 * configured at scale (jobsys.h: gd_jobsys_timings). */
size_t gd_slurm_timings(const gd_cluster *c, double scale, gd_timing *out);

/* The path of slurm.conf inside every node. */
#define GD_SLURM_CONF "/etc/slurm/slurm.conf"

/* slurm.conf text as node sees it after a configuration-management run
 * that set key i to values[i]: a parameter of the node's own NodeName
 * line ("CPUs") is changed there; otherwise a Key=Value line is replaced
 * or, when there is none, appended.  Keys match as Slurm matches them,
 * ignoring case.  A heap string, or NULL when out of memory. */
char *gd_slurm_conf_override(const char *text, const char *node,
			     const char *const *keys, const char *const *values,
			     size_t n);

/* The controller's node index (the node with role "controller"). */
size_t gd_slurm_controller(const gd_cluster *c);

#endif
