/* The scorer's model of a run, inside score/ only: what one pass over the
 * event log builds (score.c), what the day's measures read (timeline.c)
 * and what the verdict is judged from (verdict.c).  Times are scenario
 * milliseconds from the run's start; -1 is "never". */
#ifndef GD_SCORE_MODEL_H
#define GD_SCORE_MODEL_H

#include "base/arena.h"
#include "score/log.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t ms_t;

#define MAX_ATTEMPTS 32

struct attempt {
	const char *node;
	ms_t start, end; /* end -1: still running at the end of the log */
};

struct job {
	const char *id, *group;
	ms_t submit_plan, deadline, exp_lo, exp_hi;
	ms_t submitted, first_start, finished; /* -1: never */
	struct attempt att[MAX_ATTEMPTS];
	size_t natt;
	unsigned attempts;
	const char *outcome, *why, *state;
	/* the results' file to read first, and its last lines (a failed
	 * attempt's stderr), when the job's kind keeps one */
	const char *evidence, *tail;
	int on_time;	 /* -1: not judged */
	size_t progress; /* "job-progress" lines it wrote */
};

/* A fault as the day saw it.  A reboot that brings its nodes back changed
 * is two: the reboot, and the change (kind "change") from the nodes'
 * return until something in the scenario undoes it, or never. */
struct fault {
	const char *id, *step, *kind;
	json_t *nodes;
	ms_t scheduled, applied, healed; /* -1: never */
	bool applied_ok, healed_ok, heal_seen;
	const char *evidence;	  /* what the player saw when it applied it */
	ms_t drained;		  /* a reboot's drain ahead of it; -1: none */
	bool drain_ok;		  /* the job system confirmed it */
	const char *drain_states; /* the nodes' states when they went down */
	const char *change;	  /* a reboot's: its change's id, or NULL */
	bool reimaged; /* a change that ends with its nodes re-imaged */
	/* filled by timeline.c */
	ms_t detect; /* from applied to the first signal; -1: never */
	char detected_by[320];
	ms_t recovered;	   /* from the cause's end to progress; -1: never */
	bool touched_work; /* a job ran or waited on its nodes while it held */
};

/* A moment the cluster made progress: a job reported an advance, or
 * finished; node is where (NULL: unknown). */
struct mark {
	ms_t at;
	const char *node;
};

/* Something the team's monitoring would see: a node state going bad, a
 * job failed or requeued, an alert of the scenario's.  An alert about a
 * job that runs nowhere (queued again) points at no node and no fault. */
enum sig_kind { SIG_NODE, SIG_JOB, SIG_ALERT };
struct signal {
	ms_t at;
	const char *node;
	const char *what;
	enum sig_kind kind;
	ms_t since; /* a job's: when the attempt it is about started; -1 */
	bool wide;  /* points at the whole cluster (node is NULL) */
};

/* A node state the job system reported, from then on. */
struct nstate {
	ms_t at;
	const char *node, *word;
	bool bad; /* anything but up, idle, mixed, allocated, completing */
};

/* A stretch of time, [from, to). */
struct span {
	ms_t from, to;
};

/* A stretch in which work waited or ran and nothing progressed; silent
 * when the job system reported nothing wrong throughout. */
struct stretch {
	ms_t from, len;
	json_t *nodes; /* the nodes whose jobs were stuck */
};

/* An alert the scenario declares, evaluated on the log. */
struct alert {
	const char *name;
	ms_t job_over;	   /* a job running this long; -1: not this kind */
	double job_over_x; /* ... or this many times its expected top */
	ms_t quiet_for;	   /* no job finished for this long; -1: not */
};

struct vec {
	void *v;
	size_t n, cap;
};

/* Ids to their place in an array: open addressing, FNV-1a. */
struct index {
	size_t *slot; /* position + 1; 0: empty */
	size_t cap;
};

struct run {
	gd_arena *arena; /* every string kept from the events */
	struct index job_idx, fault_idx;
	bool begun, ended; /* "run-started" seen; "run-finished" seen */
	bool v3;	   /* the log has the job system's node states */
	int64_t t0;
	double scale;
	json_t *started; /* the run-started event */
	json_t *logs;	 /* node-logs events' {node, files}, in order */
	struct job *jobs;
	size_t njobs, jobcap;
	struct fault *faults;
	size_t nfaults, faultcap;
	struct vec marks;    /* struct mark: progress and jobs done */
	struct vec finishes; /* struct mark: jobs done */
	struct vec signals;  /* struct signal */
	struct vec wrongs;   /* struct signal: jobs failed or requeued */
	struct vec states;   /* struct nstate, in log order */
	struct vec
		unanswered; /* struct span: the job system's commands failed */
	ms_t end;	    /* the last event's scenario time */
	const char *stopped_by;
	bool interrupted;
	/* how far behind compressed time the run fell, and where */
	ms_t lag;
	char lag_what[160];
};

/* The day's measures (timeline.c), from a scanned run. */
struct day {
	ms_t limit;		/* the stall limit */
	struct stretch longest; /* the longest stall */
	struct stretch *silent; /* silent failures, in time order */
	size_t nsilent;
	ms_t silent_total;
	json_t *alerts; /* the scenario's alerts as they fired */
};

int gd_score_push(struct vec *v, const void *item, size_t size);
bool gd_score_in_nodes(json_t *nodes, const char *node);
ms_t gd_score_int_or(json_t *ev, const char *key, ms_t fallback);

/* Measures the day: progress, stalls, silent failures, the scenario's
 * alerts; and for each fault when it was noticed and when work recovered
 * from it. */
int gd_day_measure(struct run *r, struct day *d);
void gd_day_free(struct day *d);

/* The result object of a scanned run (verdict.c). */
json_t *gd_verdict_of(struct run *r, const gd_log_end *log);

#endif
