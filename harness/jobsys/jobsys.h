/* A job system as the rest of gameday sees it: the hook that sets the
 * cluster's nodes up for it, then wait until it takes jobs, submit one,
 * look at every job it knows, drain and resume nodes, change its
 * configuration on a node coming back changed.  Two kinds, one row each
 * (driver.h): Slurm (its own commands and completion log) and exec (the
 * commands a cluster file's adapter names, with the contract README.md
 * documents).  Everything runs inside the cluster's nodes; nothing here
 * judges outcomes. */
#ifndef GD_JOBSYS_JOBSYS_H
#define GD_JOBSYS_JOBSYS_H

#include "base/diag.h"
#include "base/error.h"
#include "cluster/cluster.h"
#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>

#define GD_JOBSYS_CMD_TIMEOUT_MS 15000

/* What a job asks of its node, for a system that schedules by it; 0 or
 * NULL: the system's default. */
typedef struct gd_job_resources {
	long cpus;
	const char *memory; /* "512M": a number and K, M, G or T */
	const char *partition;
	gd_ms time_limit;
} gd_job_resources;

/* A job to submit: gameday's id for it and the command that does it (in
 * the nodes' paths), run as the cluster's service user. */
typedef struct gd_job_spec {
	const char *id;
	const char *log; /* where its stdout/stderr may go (Slurm) */
	char *const *argv;
	const gd_job_resources *res; /* NULL: none asked */
} gd_job_spec;

enum gd_job_phase {
	GD_PHASE_QUEUED,
	GD_PHASE_RUNNING,
	GD_PHASE_COMPLETED,
	GD_PHASE_FAILED,
};
const char *gd_job_phase_name(enum gd_job_phase p);
/* "queued", "running", "completed" or "failed" to a phase; -1 otherwise. */
int gd_job_phase_parse(const char *name);

/* What the job system says of one job now. */
typedef struct gd_job_status {
	char sys_id[32]; /* the system's id for it */
	char name[64];	 /* gameday's id for it, when the system says */
	enum gd_job_phase phase;
	char state[32];	   /* the system's own word for it */
	unsigned attempts; /* 0: the system does not say */
	char nodes[128];
	/* A run being torn down (Slurm's COMPLETING): no start, even when
	 * the job was requeued meanwhile and its count went up. */
	bool ending;
	/* The system holds the job: it will not run again unless someone
	 * releases it (Slurm: priority 0, "launch failed requeued held").
	 * reason: the system's words, "" when it gives none. */
	bool held;
	char reason[96];
} gd_job_status;

typedef struct gd_jobsys gd_jobsys;

/* What cluster c's system sets up in the nodes, for gd_cluster_preflight
 * and gd_cluster_up to call at their phases (Slurm: its packages, the
 * munge key, each node's slurm.conf and daemons); NULL when it sets up
 * nothing (an exec adapter's system, a cluster without one). */
const gd_node_hook *gd_jobsys_node_hook(const gd_cluster *c);

/* The job system of cluster c, running in st. */
int gd_jobsys_open(const gd_cluster *c, const gd_cluster_state *st,
		   gd_jobsys **out, gd_error **err);
void gd_jobsys_free(gd_jobsys *js);

/* Waits until the system takes jobs, at most timeout_ms. */
int gd_jobsys_wait_ready(gd_jobsys *js, int timeout_ms, gd_error **err);

/* Submits a job; sys_id receives the system's id for it. */
int gd_jobsys_submit(gd_jobsys *js, const gd_job_spec *job, char *sys_id,
		     size_t size, gd_error **err);

/* After a submission that failed (a time-out, say), whether the system
 * took the job all the same: 1 and its id in sys_id when it did, 0 when
 * it did not or cannot tell.  Retrying blindly would submit it twice. */
int gd_jobsys_find(gd_jobsys *js, const char *job, char *sys_id, size_t size,
		   gd_error **err);

/* Withdraws a job gameday submitted twice by mistake (a submission that
 * failed, was looked for and not found, and landed later).  0 when the
 * system cannot withdraw one. */
int gd_jobsys_cancel(gd_jobsys *js, const char *sys_id, gd_error **err);

/* Every job the system knows about among ids (the system ids submitted so
 * far); a job missing from the answer is one it has forgotten (or, for
 * Slurm, one that aged out before its completion record was read).  *jobs
 * is a heap array. */
int gd_jobsys_query(gd_jobsys *js, const char *const *ids, size_t nids,
		    gd_job_status **jobs, size_t *n, gd_error **err);

/* The output of a finished job as the system stores it, for the oracle to
 * compare: *out is NULL when there is none.  path is where the job was
 * told to write it, as the nodes see it. */
int gd_jobsys_output(gd_jobsys *js, const char *job, const char *sys_id,
		     const char *path, char **out, gd_error **err);

/* Whether the system can drain nodes (Slurm can; an exec adapter can when
 * it has "drain", "resume" and "nodes" commands). */
bool gd_jobsys_can_drain(const gd_cluster *c);

/* Drains (drain: no new jobs on them, the running ones go on) or resumes
 * the nodes named, a comma-separated list; reason is what the system
 * records. */
int gd_jobsys_drain(gd_jobsys *js, const char *nodes, bool drain,
		    const char *reason, gd_error **err);

/* The nodes' states in the system's own words, "w1 drained, w2 draining",
 * into out: a drain's evidence. */
int gd_jobsys_node_states(gd_jobsys *js, const char *nodes, char *out,
			  size_t size, gd_error **err);

/* One node as the job system sees it: its state in the system's own
 * words (Slurm: sinfo's %T, "idle", "down*", "drained", "mixed"). */
typedef struct gd_jobsys_node {
	char name[GD_NODE_NAME_MAX + 1];
	char state[48];
} gd_jobsys_node;

/* The same as a heap array, in the order the system answers (a node may
 * be missing, or there twice: Slurm lists one per partition).  Nothing,
 * when the system cannot tell (gd_jobsys_can_tell_states). */
int gd_jobsys_node_list(gd_jobsys *js, const char *nodes,
			gd_jobsys_node **states, size_t *n, gd_error **err);

/* Whether the system can tell its nodes' states (Slurm can; an exec
 * adapter can when it has a "nodes" command). */
bool gd_jobsys_can_tell_states(const gd_cluster *c);

/* Whether node i of c is one the system runs jobs on, whose state it is
 * asked for: every node but Slurm's controller, or the adapter's node. */
bool gd_jobsys_runs_jobs(const gd_cluster *c, size_t i);

/* The time limit of js's commands from now on (GD_JOBSYS_CMD_TIMEOUT_MS
 * by default): a watcher's shorter one never holds the run's end up
 * long. */
void gd_jobsys_set_timeout(gd_jobsys *js, int timeout_ms);

/* The system's log files in a node's log directory, to keep in the run
 * directory (relative paths; NULL-terminated). */
const char *const *gd_jobsys_logs(const gd_jobsys *js);

/* A delay of the job system that a fault's length or size is measured
 * against.  Compressed with the run's time scale only down to a floor (a
 * whole second, or what the daemons keep to on a loaded machine), so past
 * some scale it lasts longer in scenario time than in production:
 * plan/fidelity.h judges whether that changes what the system does. */
enum gd_timing_kind {
	GD_TIMING_SILENT,   /* vs how long a worker stays silent (down, frozen,
			       cut off) */
	GD_TIMING_BACK,	    /* vs how long a worker is down before it is back */
	GD_TIMING_STRANDED, /* vs how long a worker that keeps running its
			       jobs stays silent (frozen, cut off, or its
			       clock past the credential lifetime) */
	GD_TIMING_CLOCK,    /* vs a clock offset (real time at every scale) */
	GD_TIMING_REQUEUE,  /* added to a requeued job's wait */
	GD_TIMING_START,    /* vs the shortest job: starting one takes this */
	GD_TIMING_SETTING,  /* a team's setting nothing gameday measures meets:
			       kept only when its compressed value is
			       production's / scale, within the margin */
	GD_TIMING_TIME_LIMIT, /* vs the shortest time limit a job asks for */
};

typedef struct gd_timing {
	const char *name;   /* the setting(s), as the system's files say */
	const char *effect; /* what the system does once it has passed */
	enum gd_timing_kind kind;
	gd_ms production; /* in production, so in scenario time */
	gd_ms real;	  /* as configured at the scale, in real time */
	/* The latest the effect can come, when the system checks only every
	 * so often (0: as above): a fault must outlast this one to be sure
	 * of it, and be shorter than the one above to be sure it is spared. */
	gd_ms production_late, real_late;
} gd_timing;

#define GD_TIMINGS_MAX 32

/* The timings of cluster c's system at time scale scale, into out (at most
 * GD_TIMINGS_MAX); how many.  None for an exec adapter's system, whose
 * delays gameday does not know. */
size_t gd_jobsys_timings(const gd_cluster *c, double scale, gd_timing *out);

/* Checks the team's configuration file of c's system (cluster.conf_text):
 * one diagnostic per problem, at FILE:LINE:COL of that file; how many. */
size_t gd_jobsys_check_config(const gd_cluster *c, gd_diags *d);

/* The node whose daemon schedules (Slurm's controller), or -1. */
long gd_jobsys_controller(const gd_cluster *c);

/* Whether the team's configuration file of c's job system names the
 * partition (queue) name: 1, 0, or -1 when it names none (no file, or a
 * system without partitions), where every job goes to the default. */
int gd_jobsys_has_partition(const gd_cluster *c, const char *name);

/* The file of the system's configuration a reboot's back_with "config"
 * changes, as every node reads it (Slurm: /etc/slurm/slurm.conf); NULL
 * when gameday knows none (an exec adapter's system). */
const char *gd_jobsys_config_path(const gd_cluster *c);

/* That file's text as node sees it after a configuration-management run
 * that set keys[i] to values[i], in the system's own syntax.  A heap
 * string, or NULL when out of memory (or there is no such file). */
char *gd_jobsys_config_override(const gd_cluster *c, const char *text,
				const char *node, const char *const *keys,
				const char *const *values, size_t n);

#endif
