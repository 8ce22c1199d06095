/* The scenario model: what a scenario file says, checked for shape and
 * meaning, before anything is resolved (random picks, times).  The planner
 * (plan/) turns it into a timeline.
 *
 * Every object lives in the scenario's arena; every element keeps the JSON
 * path it came from so later checks can point at it. */
#ifndef GD_SCENARIO_SCENARIO_H
#define GD_SCENARIO_SCENARIO_H

#include "base/arena.h"
#include "base/duration.h"
#include "kinds/jobkind.h"
#include "kinds/kind.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GD_FORMAT_VERSION 1
#define GD_NODE_NAME_MAX  15 /* a Linux interface name, with no room to spare */
#define GD_MAX_NODES	  256

/* none: the bare substrate, running only the services the roles name */
enum gd_system { GD_SYSTEM_SLURM, GD_SYSTEM_EXEC, GD_SYSTEM_NONE };

const char *gd_system_name(enum gd_system s);
/* The role of the one node whose daemon schedules in a cluster of system
 * s, which a cluster file must give exactly one node, and at least one
 * node besides (Slurm: "controller"); NULL when s has no such node. */
const char *gd_system_controller_role(enum gd_system s);

typedef struct gd_strv {
	const char **v;
	size_t n;
} gd_strv;

enum gd_restart { GD_RESTART_ALWAYS, GD_RESTART_ON_FAILURE, GD_RESTART_NEVER };

/* A service a node's supervisor runs. */
typedef struct gd_service {
	const char *name;
	const char *path;
	gd_strv argv; /* argv[0]: an absolute path inside the node */
	const char **env_keys, **env_values;
	size_t nenv;
	bool as_service_user; /* else root */
	enum gd_restart restart;
	gd_ms min_interval, backoff_max, grace;
	unsigned max_restarts; /* 0: never give up */
} gd_service;

typedef struct gd_role {
	const char *name;
	const char *path;
	int cpus;
	gd_strv features;
	gd_service *services;
	size_t nservices;
} gd_role;

typedef struct gd_node {
	const char *name;
	size_t role; /* index into cluster.roles */
	const char *path;
} gd_node;

typedef struct gd_group {
	const char *name;
	const char *path;
	size_t *members; /* node indexes, in cluster order */
	size_t n;
} gd_group;

typedef struct gd_cluster {
	const char *name;
	const char *file; /* where it was read from: the scenario or a cluster
			     file */
	enum gd_system system;
	gd_node *nodes;
	size_t nnodes;
	gd_role *roles;
	size_t nroles;
	gd_group *groups; /* explicit groups; roles and "all" are implicit */
	size_t ngroups;
	const char *service_user;
	/* system exec: where the adapter's commands run, and them */
	const char *adapter_node; /* NULL: the first node */
	gd_strv adapter_ready, adapter_submit, adapter_query, adapter_verify;
	/* optional, all three or none: a reboot's drain */
	gd_strv adapter_drain, adapter_resume, adapter_nodes;
	double time_scale; /* the scenario's (1 for a bare cluster file) */
	bool fake_clock; /* some step shifts a clock: libfaketime in every node */
} gd_cluster;

/* A target selector as written, resolved by the planner. */
typedef struct gd_targets {
	const char *path;
	gd_strv names;	   /* node or group names (when pick == 0) */
	unsigned pick;	   /* > 0: pick this many ... */
	unsigned pick_pct; /* > 0: ... or this percentage (rounded up) */
	gd_strv from;	   /* ... from these nodes or groups */
	gd_strv except;	   /* never these */
} gd_targets;

/* One part of a changed return: what its kind (whose row can be one,
 * parse_part) reads under "back_with": {NAME: {...}}. */
typedef struct gd_change_part {
	const gd_kind *kind;
	const void *spec;
} gd_change_part;

/* What a rebooted node looks like when it comes back. */
typedef struct gd_change {
	const char *path;
	gd_change_part *parts; /* in the kinds table's order */
	size_t nparts;
	const char **config_keys; /* job-system configuration overrides */
	const char **config_values;
	size_t nconfig;
	bool has_for; /* false: the change stays to the end of the scenario */
	gd_ms for_ms;
} gd_change;

typedef struct gd_wave {
	unsigned size; /* nodes per batch */
	gd_ms gap;    /* from one batch's return to the next batch going down */
	bool shuffle; /* order the targets with the seed instead of as listed */
} gd_wave;

typedef struct gd_step {
	const char *id;
	const char *path;
	const char *note; /* for people; carried into plans and reports */
	size_t index;
	const gd_kind *kind; /* its row: all the rest asks the row */
	bool has_at;
	gd_ms at;
	gd_strv after; /* start when all these steps have ended ... */
	gd_ms delay;   /* ... plus this */
	bool has_for;
	gd_ms for_ms;
	gd_targets targets; /* unless its kind names its nodes as sides */
	bool has_targets;
	/* a kind that splits the cluster: the sides it names ("from" and
	 * "to", or "groups"); none when its targets are each a side */
	gd_targets *sides;
	size_t nsides;
	gd_wave *wave;
	/* A kind that takes nodes down may bring them back changed
	 * (back_with), and drain them in the job system this long ahead (0:
	 * no drain; no new jobs, those running finish, resumed when back:
	 * the maintenance a team would file). */
	gd_change *back_with;
	gd_ms drain;
	const void *spec; /* a kind's own settings, read by its row alone */
} gd_step;

typedef struct gd_job_group {
	const char *name;
	const char *path;
	const gd_job_kind *kind; /* its row: the runner asks the row */
	const void *spec;	 /* the kind's own settings, its parse's */
	unsigned jobs;
	gd_ms submit_at, submit_over, submit_every;
	gd_ms deadline; /* hard deadline, after submission */
	gd_ms expected_lo, expected_hi;
	gd_ms runtime_lo, runtime_hi; /* the work each job really does */
} gd_job_group;

typedef struct gd_expect {
	int within_expected_pct; /* -1: not asked */
	bool has_max_stall;
	gd_ms max_stall;
	bool has_recover_within;
	gd_ms recover_within;
} gd_expect;

/* A signal the team's monitoring raises, declared so a rehearsal shows
 * when it would have fired and which faults it would have pointed at.
 * Exactly one condition is set. */
typedef struct gd_alert {
	const char *name;
	const char *path;
	gd_ms job_running_over;	   /* a job running this long; -1: not set */
	double job_running_over_x; /* ... this many times its expected top */
	gd_ms no_job_finished_for; /* work open, no job done; -1: not set */
} gd_alert;

typedef struct gd_stop_when {
	long failed_jobs_exceed; /* -1: not set */
	bool has_no_progress;
	gd_ms no_progress_for;
} gd_stop_when;

typedef struct gd_scenario {
	gd_arena *arena;
	const char *file;
	const char *name;
	const char *description;
	bool has_seed;
	uint64_t seed;
	double time_scale;
	gd_ms duration;
	gd_cluster cluster;
	gd_job_group *groups;
	size_t ngroups;
	gd_step *steps;
	size_t nsteps;
	gd_expect expect;
	gd_alert *alerts;
	size_t nalerts;
	gd_stop_when stop_when;
	size_t *steps_by_id; /* step indexes sorted by id, for lookups */
} gd_scenario;

/* The directories every node has of its own (or shares with its cluster
 * only): what a skew may change.  Elsewhere a node sees the host's files. */
#define GD_NODE_LOCAL_PATHS                                                    \
	"/etc, /run, /var/spool, /var/log, /tmp, /dev/shm, /srv/scratch, "     \
	"/srv/shared"
bool gd_node_path_local(const char *path);

/* How st moves its nodes' clocks (changed: as its changed return does,
 * not as the fault itself): false when it does not.  out may be NULL. */
bool gd_step_shifts_clock(const gd_step *st, bool changed, gd_time_shift *out);

/* The index of the step with this id, or -1. */
long gd_scenario_step_index(const gd_scenario *s, const char *id);

#endif
