/* Inside jobsys/: what each kind of job system provides.  Not for use
 * outside this folder; jobsys.h is the contract. */
#ifndef GD_JOBSYS_DRIVER_H
#define GD_JOBSYS_DRIVER_H

#include "jobsys/jobsys.h"

#include <sys/types.h>

typedef struct gd_jobsys_driver {
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
	/* NULL: the system cannot drain nodes */
	int (*drain)(gd_jobsys *js, const char *nodes, bool drain,
		     const char *reason, gd_error **err);
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
