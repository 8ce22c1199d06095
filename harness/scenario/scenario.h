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
/* The key of a cluster of system s naming the team's configuration file
 * of it ("slurm_conf"); NULL when gameday takes none. */
const char *gd_system_conf_key(enum gd_system s);

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

/* What a staging node keeps as its own over the host's files, which it
 * sees read-only (every node backend keeps to it).  A layer over the
 * host's tree at "at": NAME names where the node's changes are kept (the
 * namespaced node: DIR/NAME, beside overlayfs's DIR/NAME-work).  In
 * mount order. */
typedef struct gd_node_layer {
	const char *at, *name;
	/* nothing of the host's below: it starts empty (a home folder of
	 * the host's, its keys among them, is no staging node's) */
	bool empty;
} gd_node_layer;
extern const gd_node_layer gd_node_layers[];
extern const size_t gd_node_nlayers;
/* Where path (absolute, inside a node) is kept among the node's own
 * places: a layer's name, or "run", "spool", "log", "srv", "scratch"
 * for the node's own folders there; *at_len the length of the place's
 * own path.  NULL: the host's (read-only in nodes), or gameday's
 * (/srv/shared, /srv/gameday, /run/gameday). */
const char *gd_node_place(const char *path, size_t *at_len);
/* The layer that holds path, or NULL. */
const gd_node_layer *gd_node_layer_of(const char *path);

/* A file or folder of the team's, copied into each node of a role before
 * it first boots. */
typedef struct gd_role_file {
	const char *path;	   /* JSON path */
	const char *from;	   /* on this host */
	const char *to;		   /* absolute, inside the node */
	const char *owner, *group; /* names or numbers; NULL: root */
	int mode;		   /* -1: the source's */
} gd_role_file;

typedef struct gd_role {
	const char *name;
	const char *path;
	int cpus;
	gd_strv features;
	gd_service *services; /* none under ssh: a real host's own run */
	size_t nservices;
	/* ssh: the job system's systemd units on the role's hosts (its
	 * defaults when the file names none: gd_system_units) */
	gd_strv units;
	gd_role_file *files;
	size_t nfiles;
	/* The team's provisioning script and its arguments, run as root in
	 * each node of the role before its services start, at every boot;
	 * provision.v[0] is on this host (copied into the node). */
	gd_strv provision;
	const char *provision_path; /* JSON path; NULL: none */
} gd_role;

/* How a real host is powered off and on (ssh): argvs run on the gameday
 * machine, "{node}" and "{host}" in their strings left for the backend
 * to fill in. */
typedef struct gd_power {
	const char *path; /* JSON path */
	gd_strv off, on;
	gd_strv cycle;	/* n 0: none (off, then on) */
	gd_strv status; /* exit 0: powered on; n 0: none */
} gd_power;

typedef struct gd_node {
	const char *name;
	size_t role; /* index into cluster.roles */
	const char *path;
	/* ssh: the destination (user@host, or a Host alias of the ssh
	 * configuration), "{node}" filled in; NULL for other backends */
	const char *host;
	const gd_power *power; /* ssh: NULL when it cannot be powered */
} gd_node;

typedef struct gd_group {
	const char *name;
	const char *path;
	size_t *members; /* node indexes, in cluster order */
	size_t n;
} gd_group;

/* An account of the team's, with its production ids: the nodes' passwd
 * and group carry them, so files and jobs show the owners production has. */
typedef struct gd_user {
	const char *name;
	const char *path;
	unsigned uid, gid; /* gid: its primary group's */
	gd_strv groups; /* supplementary: names of the cluster's user_groups */
} gd_user;

typedef struct gd_user_group {
	const char *name;
	const char *path;
	unsigned gid;
} gd_user_group;

/* The uid and gid of the service user when the cluster declares no users
 * (gameday's own account "gdjob"). */
#define GD_SERVICE_ID_DEFAULT 64000

/* The node backends a cluster file may name as its "backend" (the
 * first, "namespace", the default), as cluster/backend.c's rows are
 * named; scenario/ only reads the file, so it keeps the names alone. */
extern const char *const gd_backend_names[];
extern const size_t gd_backend_nnames;
#define GD_BACKEND_SSH "ssh"

/* Where jobs write on a real host's shared storage by default. */
#define GD_STORAGE_DEFAULT "/srv/gameday"

/* A job system's systemd units on a real host of a role (ssh), when the
 * cluster file names none: Slurm's controller munge and slurmctld, its
 * other nodes munge and slurmd; none for the others. */
gd_strv gd_system_units(enum gd_system s, bool controller);
/* The systemd unit patterns of the scopes a job system runs its jobs in
 * on a real host (Slurm's job steps), which a kill or a pause of the host
 * takes with its units; none for a system that names none. */
gd_strv gd_system_scopes(enum gd_system s);

typedef struct gd_cluster {
	const char *name;
	const char *file; /* where it was read from: the scenario or a cluster
			     file */
	enum gd_system system;
	/* The node backend as the file names it (gd_backend_names); NULL:
	 * the default, the namespaced node.  What follows to heartbeat_ms
	 * is for "ssh" alone (a real host), left empty otherwise. */
	const char *backend;
	const char *ssh_config; /* -F file, resolved; NULL: the user's */
	const char *storage;	/* absolute: the shared storage jobs write */
	/* The same storage as this machine mounts it (NFS, say), where
	 * gameday puts the jobs' inputs and reads their outputs; NULL:
	 * not mounted here (a run refuses, a plan does not need it). */
	const char *storage_here;
	gd_strv log_units;     /* journald units fetched into the run */
	gd_strv log_files;     /* absolute paths fetched into the run */
	bool allow_host_clock; /* a clock fault may change a whole host's */
	gd_ms heartbeat_ms;    /* a host silent this long is lost */
	gd_node *nodes;
	size_t nnodes;
	gd_role *roles;
	size_t nroles;
	gd_group *groups; /* explicit groups; roles and "all" are implicit */
	size_t ngroups;
	const char *service_user;
	/* the team's accounts (none: the service user alone, uid and gid
	 * GD_SERVICE_ID_DEFAULT) */
	gd_user *users;
	size_t nusers;
	gd_user_group *user_groups;
	size_t nuser_groups;
	/* The team's configuration file of the job system (its key,
	 * "slurm_conf", in the systems' rules): read by load.c relative to the
	 * file that names it, checked by the job system's driver (plan,
	 * validate). */
	const char *conf_rel;  /* as written; NULL: none */
	const char *conf_path; /* the key's JSON path, for diagnostics */
	const char *conf_file; /* resolved, for FILE:LINE:COL */
	const char *conf_text; /* its contents (NULL until read) */
	/* system exec: where the adapter's commands run, and them */
	const char *adapter_node; /* NULL: the first node */
	gd_strv adapter_ready, adapter_submit, adapter_query, adapter_verify;
	/* optional, all three or none: a reboot's drain */
	gd_strv adapter_drain, adapter_resume, adapter_nodes;
	double time_scale; /* the scenario's (1 for a bare cluster file) */
	bool fake_clock; /* some step shifts a clock: libfaketime in every node */
	/* What the scenario's faults need of a real host (an OR of their
	 * kinds' GD_HOST_NEEDS_*), for the SSH backend's preflight. */
	unsigned host_needs;
} gd_cluster;

/* The service user's uid and gid in the nodes: its declared ids, or
 * GD_SERVICE_ID_DEFAULT for both when the cluster declares no users. */
void gd_cluster_service_ids(const gd_cluster *c, unsigned *uid, unsigned *gid);

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
	/* The team's other provisioning script (argv, its program on this
	 * host): the node comes back renewed, its own files fresh and
	 * provisioned by it; its old ones back at the change's end. */
	gd_strv provision;
	const char *provision_path; /* JSON path; NULL: none */
	const char **config_keys;   /* job-system configuration overrides */
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
