/* Inside jobsys/: what each kind of job system provides, one row per kind
 * (jobsys_slurm.c, jobsys_exec.c), chosen by the cluster file's "system"
 * in jobsys.c.  Not for use outside this folder; jobsys.h is the contract,
 * and says what each operation means. */
#ifndef GD_JOBSYS_DRIVER_H
#define GD_JOBSYS_DRIVER_H

#include "cluster/hook.h"
#include "jobsys/jobsys.h"

#include <sys/types.h>

typedef struct gd_jobsys_driver {
	/* ---- what the cluster file decides, before any cluster is up */
	/* The node its commands run in. */
	const char *(*command_node)(const gd_cluster *c);
	/* NULL: no node's daemon schedules (gd_jobsys_controller's -1) */
	size_t (*controller)(const gd_cluster *c);
	bool (*runs_jobs)(const gd_cluster *c, size_t i);
	/* NULL: whenever drain (or node_states) below is there */
	bool (*can_drain)(const gd_cluster *c);
	bool (*can_tell_states)(const gd_cluster *c);
	/* NULL: gameday does not know the system's delays */
	size_t (*timings)(const gd_cluster *c, double scale, gd_timing *out);
	/* NULL: the system takes no configuration file of the team's */
	size_t (*check_config)(const gd_cluster *c, gd_diags *d);
	/* Whether the team's configuration file names the partition (or
	 * queue): 1, 0, or -1 when it names none; NULL: always -1. */
	int (*has_partition)(const gd_cluster *c, const char *name);

	/* ---- setting the nodes up: the cluster calls it at its phases */
	const gd_node_hook *setup; /* NULL: nothing to set up */

	/* ---- a node coming back changed (a reboot's back_with "config") */
	const char *config_path; /* NULL: gameday knows no file of its */
	char *(*config_override)(const char *text, const char *node,
				 const char *const *keys,
				 const char *const *values, size_t n);

	/* ---- running jobs */
	int (*wait_ready)(gd_jobsys *js, int timeout_ms, gd_error **err);
	int (*submit)(gd_jobsys *js, const gd_job_spec *job, char *sys_id,
		      size_t size, gd_error **err);
	/* NULL: the system cannot tell (an exec adapter's submit is
	 * idempotent by job id instead) */
	int (*find)(gd_jobsys *js, const char *job, char *sys_id, size_t size,
		    gd_error **err);
	int (*cancel)(gd_jobsys *js, const char *sys_id, gd_error **err);
	int (*query)(gd_jobsys *js, const char *const *ids, size_t nids,
		     gd_job_status **jobs, size_t *n, gd_error **err);
	/* NULL, or returning 1: the output is in shared storage */
	int (*output)(gd_jobsys *js, const char *job, const char *sys_id,
		      const char *path, char **out, gd_error **err);

	/* ---- a reboot's drain ahead of it and resume at its heal */
	/* NULL: the system cannot drain nodes */
	int (*drain)(gd_jobsys *js, const char *nodes, bool drain,
		     const char *reason, gd_error **err);

	/* ---- evidence: what the system says of its nodes, and its logs */
	/* NULL: the system cannot tell */
	int (*node_states)(gd_jobsys *js, const char *nodes,
			   gd_jobsys_node **states, size_t *n, gd_error **err);
	const char *const *logs;
} gd_jobsys_driver;

struct gd_jobsys {
	const gd_jobsys_driver *drv;
	const gd_cluster *c;
	const gd_cluster_state *st;
	const char *node;  /* where its commands run */
	int timeout_ms;	   /* of each command gd_jobsys_command runs */
	off_t jobcomp_off; /* Slurm: how far the completion log was read */
};

extern const gd_jobsys_driver gd_jobsys_slurm, gd_jobsys_exec;

#endif
