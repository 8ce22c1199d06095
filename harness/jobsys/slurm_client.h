/* Talking to Slurm the way a user does: its commands, run inside the
 * controller node, and their JSON.  gameday depends on nothing of Slurm's
 * it cannot see through them; their errors are passed on verbatim. */
#ifndef GD_JOBSYS_SLURM_CLIENT_H
#define GD_JOBSYS_SLURM_CLIENT_H

#include "base/error.h"
#include "cluster/cluster.h"
#include "jobsys/jobsys.h"

#include <stddef.h>
#include <stdint.h>

#define GD_SLURM_CMD_TIMEOUT_MS 15000

/* Waits until n workers report idle (sinfo), at most timeout_ms. */
int gd_slurm_wait_ready(const gd_cluster_state *st, const char *ctl,
			size_t workers, int timeout_ms, gd_error **err);

/* sbatch, as user, with --requeue: the job runs argv (words, quoted for
 * the shell by this function) with its output in logpath, asking res of
 * its node (NULL: nothing; a time limit scenario time, scaled by
 * time_scale); *id is Slurm's job id. */
int gd_slurm_submit(const gd_cluster_state *st, const char *ctl,
		    const char *user, const char *name, const char *logpath,
		    char *const *argv, const gd_job_resources *res,
		    double time_scale, long *id, gd_error **err);

/* The job named name (the lowest id if several), in any state squeue
 * still shows: 1 and *id, or 0 when there is none. */
int gd_slurm_find(const gd_cluster_state *st, const char *ctl, const char *name,
		  long *id, gd_error **err);

typedef struct gd_slurm_job {
	long id;
	char name[64];
	char state[32]; /* PENDING, RUNNING, COMPLETED, FAILED, ... */
	char nodes[128];
	int64_t start_s, end_s; /* epoch seconds, 0 when not yet */
	unsigned restarts;
	long priority;	 /* 0: held */
	char reason[96]; /* state_description, else state_reason */
} gd_slurm_job;

/* squeue --json: the jobs the controller knows now (a heap array). */
int gd_slurm_queue(const gd_cluster_state *st, const char *ctl,
		   gd_slurm_job **jobs, size_t *n, gd_error **err);

/* Parses squeue --json output (exposed for the unit tests). */
int gd_slurm_parse_queue(const char *json, gd_slurm_job **jobs, size_t *n,
			 gd_error **err);

/* One line of the controller's completion log (jobcomp/filetxt): "JobId=N
 * ... JobState=S ... NodeList=L ...".  Returns 0, or -EINVAL for a line
 * without a JobId and a JobState. */
int gd_slurm_parse_jobcomp(const char *line, long *id, char *state,
			   size_t state_size, char *nodes, size_t nodes_size);

/* True for states a job does not leave. */
int gd_slurm_state_final(const char *state);

#endif
