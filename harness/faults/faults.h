/* Playing faults on a running staging cluster: each action of the
 * schedule applied or healed, then proved from inside the nodes (the
 * probe program, the kernel's own cgroup state), and written to the event
 * log with its scheduled time, when it took effect and the evidence.
 *
 * Everything a fault changes lives in the cluster's own namespaces,
 * cgroups and node directories, so tearing the cluster down (or 'gameday
 * cleanup' after a SIGKILL) undoes any fault left in place. */
#ifndef GD_FAULTS_FAULTS_H
#define GD_FAULTS_FAULTS_H

#include "base/error.h"
#include "cluster/cluster.h"
#include "faults/schedule.h"
#include "plan/plan.h"

#include <stdbool.h>
#include <stdint.h>

/* Refuses (EOPNOTSUPP, naming the step) faults this build cannot play yet
 * or this kernel cannot host, before anything is brought up. */
int gd_faults_preflight(const gd_plan *p, gd_error **err);

typedef struct gd_faults gd_faults;

int gd_faults_open(const gd_plan *p, gd_cluster_state *st, const char *libexec,
		   int events, gd_faults **out, gd_error **err);
void gd_faults_free(gd_faults *f);

/* Plays the schedule in a thread of its own, each action at its instant
 * (t0_ns on CLOCK_MONOTONIC, plus its scenario time over the time scale),
 * so that no job-system command ever delays a fault.  A fault that cannot
 * be applied, or whose evidence does not show, is reported (an event,
 * the counts) and the schedule goes on.  Each event gives the action's
 * scheduled time and how late, in real milliseconds, the change was in
 * place (applied_lag_ms) and its evidence seen (evidence_lag_ms). */
int gd_faults_start(gd_faults *f, const gd_action *acts, size_t n,
		    int64_t t0_ns, gd_error **err);

/* Stops the schedule (actions not yet due are dropped), then heals
 * whatever is still in place, newest first. */
void gd_faults_stop(gd_faults *f);

typedef struct gd_faults_counts {
	size_t applied;	    /* with evidence */
	size_t not_applied; /* failed, or no evidence */
	size_t healed;
	size_t not_healed;
} gd_faults_counts;
gd_faults_counts gd_faults_counts_of(const gd_faults *f);

/* What is in place now and what comes next, for a progress display (read
 * while the player runs: a snapshot, not a promise). */
typedef struct gd_faults_now {
	unsigned active;       /* faults applied and not yet healed */
	const char *next;      /* the next action's fault id, or NULL */
	const char *next_kind; /* "apply", "heal", "change-end" */
	gd_ms next_at;	       /* scenario time */
} gd_faults_now;
void gd_faults_now_of(const gd_faults *f, gd_faults_now *now);

#endif
