/* Inside faults/: the engine's state and what each kind of fault provides.
 * Not for use outside this folder; faults.h is the contract. */
#ifndef GD_FAULTS_ENGINE_H
#define GD_FAULTS_ENGINE_H

#include "faults/faults.h"
#include "jobsys/jobsys.h"
#include "kinds/kind.h"
#include "net/netlink.h"

#include <pthread.h>
#include <stddef.h>

struct gd_faults {
	const gd_plan *plan;
	gd_cluster_state *st;
	const char *libexec;
	int events;
	double scale; /* scenario ms per real ms */
	/* partitions compose: how many faults cut node a off from b
	 * (cuts[a * n + b]) and how the first one did it */
	unsigned char *cuts;
	enum gd_nl_cut *cut_kind;
	bool *active;	     /* per plan entry: applied and not healed */
	void **kind_state;   /* per plan entry: what its kind keeps to heal */
	bool *changed;	     /* per reboot entry: back changed, not reverted */
	bool *drained;	     /* per reboot entry: drained, not resumed */
	gd_jobsys *js;	     /* the player's own, for drains; or NULL */
	void **change_state; /* per reboot entry: what its change replaced */
	gd_faults_counts counts;
	/* the player thread */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	const gd_action *acts;
	size_t nacts;
	int64_t t0_ns;
	int64_t applied_ns; /* when the current action's change was made */
	/* what an action's nodes need, opened before its instant and let
	 * go once its change is made (prepare() and release_held() in
	 * faults.c); a node's files are held in its gd_node_rt */
	struct gd_prepared {
		size_t node;
		gd_node_ready ready; /* a pause's or power cut's */
		bool is_ready;
		gd_nl *nl; /* a netlink socket in the node's namespace */
	} prep[64];
	size_t nprep;
	size_t rooted[64]; /* nodes whose files prepare() held */
	size_t nrooted;
	unsigned ndrifting; /* clock drifts in place: the player ticks */
	/* for gd_faults_now_of(), read by other threads (atomics) */
	unsigned nactive;
	size_t next_act;
};

/* How often a drifting clock's offset is stepped, in real time. */
#define GD_DRIFT_TICK_MS 200

/* Kinds call this the moment their change is in place, before looking
 * for its evidence. */
void gd_faults_mark_applied(gd_faults *f);
/* What prepare() made ready for node index before the action's instant,
 * or NULL (the change then opens what it needs itself). */
const gd_node_ready *gd_faults_ready(const gd_faults *f, size_t index);
gd_nl *gd_faults_prepared_nl(const gd_faults *f, size_t index);

/* Each kind's apply and heal: 0 with the evidence seen (in words, in
 * evidence), 1 when the change was made but its evidence did not show
 * (evidence says what was seen instead), or a negative errno when the
 * change could not be made. */
typedef int (*gd_fault_fn)(gd_faults *f, const gd_plan_entry *e, char *evidence,
			   size_t size, gd_error **err);

/* The player's part of a kind's row (kinds/kind.h). */
typedef struct gd_fault_ops {
	/* Refuses, before anything is changed, a step this host or cluster
	 * cannot play: 0 or a negative errno with the reason.  NULL: any. */
	int (*preflight)(const gd_plan *p, const gd_step *st, gd_error **err);
	gd_fault_fn apply, heal;
	/* Opens ahead of the instant what an apply (or a heal) of e will
	 * use, through gd_faults_prepare_*(); NULL: nothing. */
	void (*prepare)(gd_faults *f, const gd_plan_entry *e, bool apply);
	/* Frees what the kind kept for entry (kind_state); NULL: free(). */
	void (*forget)(gd_faults *f, size_t entry);
	/* Steps what it changes that moves on its own (a drift), every
	 * GD_DRIFT_TICK_MS while f->ndrifting; NULL: nothing moves. */
	void (*tick)(gd_faults *f);
	/* As a part of a changed return (spec: what its row's parse_part
	 * read), on e's nodes while they are held: made, undone, and its
	 * evidence appended (reverted: the node as it was; 0 seen, 1 not).
	 * Its state is e's kind_state, one slot the parts of a change share:
	 * one part kind alone may keep state.  part_restarts: whether undoing
	 * it needs the node's services restarted (what they read only as they
	 * start).  part_refused: why this version cannot play it, or NULL. */
	int (*part_make)(gd_faults *f, const gd_plan_entry *e, const void *spec,
			 gd_error **err);
	int (*part_undo)(gd_faults *f, const gd_plan_entry *e, const void *spec,
			 gd_error **err);
	int (*part_check)(gd_faults *f, const gd_plan_entry *e,
			  const void *spec, bool reverted, char *evidence,
			  size_t size);
	bool (*part_restarts)(const void *spec);
	const char *(*part_refused)(const void *spec);
} gd_fault_ops;

/* What prepare() may open for node index: a netlink socket in its
 * network namespace; its root directory (for a change made through its
 * files); its cgroup's control files (stop: and its namespaces pinned
 * and held, for a power cut).  Each is let go once the change is made;
 * whatever fails here fails again, and says so, in the change. */
void gd_faults_prepare_nl(gd_faults *f, size_t index);
void gd_faults_prepare_root(gd_faults *f, size_t index);
void gd_faults_prepare_ready(gd_faults *f, size_t index, bool stop);
/* Prepares, as a kind's prepare, the roots of e's nodes (a change made
 * through their files), or a netlink socket in each (a change to what
 * they send). */
void gd_faults_prepare_roots(gd_faults *f, const gd_plan_entry *e, bool apply);
void gd_faults_prepare_nls(gd_faults *f, const gd_plan_entry *e, bool apply);

/* A netlink socket in node a's network namespace (its pinned one when it
 * is down): 0, 1 when it has none (released), or a negative errno. */
int gd_faults_node_nl(const gd_faults *f, size_t a, gd_nl **nl, gd_error **err);
/* The text of a passwd or group file with user's line given new numeric
 * fields: f2 the third field (uid, or a group's gid), f3 the fourth
 * (passwd's gid); -1 keeps a field.  Every other byte is kept.  A heap
 * string, or NULL when out of memory. */
char *gd_passwd_remap(const char *text, const char *user, long f2, long f3);

/* A reboot coming back changed (change.c): back_with made on e's nodes
 * while they are held, its evidence looked for (reverted: the node as it
 * was), and reverted at the change's end.  Applies as gd_fault_fn. */
int gd_change_make(gd_faults *f, const gd_plan_entry *e, gd_error **err);
/* Its "provision": e's nodes, stopped, renewed before they start. */
int gd_change_renew(gd_faults *f, const gd_plan_entry *e, gd_error **err);
int gd_change_check(gd_faults *f, const gd_plan_entry *e, bool reverted,
		    char *evidence, size_t size);
int gd_change_revert(gd_faults *f, const gd_plan_entry *e, char *evidence,
		     size_t size, gd_error **err);
void gd_change_forget(gd_faults *f, size_t entry);
/* What the change's parts kept for entry, freed (a reboot's forget). */
void gd_change_forget_parts(gd_faults *f, size_t entry);

/* A security profile for a node's services: a seccomp filter (deny:
 * system call names; deny_write_opens: open, openat and creat for
 * writing; with deny_errno) and capabilities dropped ("CAP_..."). */
typedef struct gd_profile {
	bool has_seccomp;
	gd_strv deny;
	bool deny_write_opens;
	int deny_errno;
	const char *deny_errno_name;
	gd_strv caps_drop;
} gd_profile;

/* A profile on a node (security.c): the seccomp filter and the
 * dropped capabilities written where the node's gd-init applies them to
 * every service it starts, or removed; then every service restarted
 * (SIGHUP to gd-init), since a profile reaches a service only when it
 * starts.  The check waits for the restarted services and reads their
 * seccomp mode and capabilities from inside, and for write-opens tries
 * one under the profile: 0 seen, 1 not (evidence says what was). */
bool gd_security_wanted(const gd_profile *k);
int gd_security_set(const gd_node_rt *n, const gd_profile *k, gd_error **err);
int gd_security_clear(const gd_node_rt *n, gd_error **err);
int gd_security_restart(const gd_node_rt *n, gd_error **err);
int gd_security_check(gd_faults *f, size_t index, const gd_profile *k,
		      bool healed, char *evidence, size_t size);

/* Runs gd-probe ARGS... (gd_probe_cmd: PROGRAM ARGS...) inside node
 * index, GD_PROBE_LIMIT_MS at most; out gets the first line it printed
 * (or why it could not run).  Returns its exit status, or -1. */
#define GD_PROBE_LIMIT_MS 5000
int gd_probe(gd_faults *f, size_t index, char *out, size_t size, ...);
int gd_probe_cmd(gd_faults *f, size_t index, char *out, size_t size, ...);

#endif
