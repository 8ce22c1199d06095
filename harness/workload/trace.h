/* A recorded day of a real cluster as the rehearsal's workload: the text
 * of a Slurm accounting export,
 *
 *	sacct -X -a -P -S START -E END \
 *	      -o JobID,Submit,Start,End,Elapsed,NCPUS,Partition,State,Timelimit
 *
 * read into jobs the runner can submit again: when (an offset from the
 * window's start), how much work (what the job really ran), how many
 * CPUs, where, with what limit.  Pure: text in, jobs out, no Slurm and
 * no clock; docs/trace.md says what is kept, what is dropped and why.
 *
 * Everything lives in the caller's arena (a scenario's), so a bad line
 * needs no unwinding.  The first problem stops the parse with one error,
 * "FILE:LINE:COL: Column \"value\": expected ...". */
#ifndef GD_WORKLOAD_TRACE_H
#define GD_WORKLOAD_TRACE_H

#include "base/arena.h"
#include "base/duration.h"
#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A job's time limit or deadline when it has none. */
#define GD_TRACE_NONE ((gd_ms)-1)

/* Timestamps are the export's local wall time without a zone; they are
 * read as seconds on a uniform count (no zone, no daylight saving), so
 * only differences between two of them mean anything. */
typedef int64_t gd_trace_time;

typedef struct gd_trace_job {
	const char *id;	       /* as sacct wrote it: "123", "123_4", "123+0" */
	gd_ms submit;	       /* from the trace's origin; >= 0 */
	gd_ms wait;	       /* from submission to start in the export */
	gd_ms work;	       /* Elapsed: what the job ran */
	unsigned ncpus;	       /* after capping, when the options cap */
	const char *partition; /* as written */
	gd_ms limit;	       /* Timelimit; GD_TRACE_NONE when unlimited */
	const char *state;     /* as written: "CANCELLED by 1234" */
	bool running;	       /* still running at the export's end: work is
				  what it had done by then, a lower bound */
	unsigned line;	       /* its line in the export */
} gd_trace_job;

typedef struct gd_trace_opts {
	const char *file; /* named in messages; "trace" when NULL */
	/* The CPUs of the largest node: a job asking more could never
	 * start, which is an error naming its line unless cap_cpus lowers
	 * it to max_cpus (counted in capped).  0: not checked. */
	unsigned max_cpus;
	bool cap_cpus;
	/* Keep only jobs submitted in [from, from + length); offsets then
	 * count from `from`.  Without one, the whole export, offsets from
	 * its first kept submission. */
	bool has_window;
	gd_trace_time window_from; /* gd_trace_time_parse() */
	gd_ms window_length;	   /* > 0 */
} gd_trace_opts;

typedef struct gd_trace {
	gd_trace_job *jobs; /* by submit offset; equal offsets in line order */
	size_t njobs;
	gd_trace_time origin; /* the time offset 0 stands for */
	/* The window's length, or up to one second past the last kept
	 * submission (timestamps have whole seconds), so every job's offset
	 * is in [0, span). */
	gd_ms span;
	/* Lines read but not kept, each said in docs/trace.md. */
	size_t outside;	      /* submitted outside the window */
	size_t never_ran;     /* no start, PENDING, or cancelled before it */
	size_t pending_tasks; /* array tasks of "123_[5-9]" lines, never run */
	size_t steps;	      /* "123.batch" and other step lines */
	size_t capped;	      /* jobs whose CPUs were lowered to max_cpus */
	size_t running;	      /* kept jobs still running at the end */
} gd_trace;

/* Reads the export in text (len bytes, NUL not needed) into *out.
 * Returns 0, or -EINVAL with *err naming the file, line and column. */
int gd_trace_parse(gd_arena *a, const char *text, size_t len,
		   const gd_trace_opts *opts, gd_trace *out, gd_error **err);

/* The same for the file at path (opts->file is then the path). */
int gd_trace_load(gd_arena *a, const char *path, const gd_trace_opts *opts,
		  gd_trace *out, gd_error **err);

/* A timestamp as sacct writes them, "2026-11-20T14:03:11".  On error
 * returns -EINVAL and points *why at what was expected. */
int gd_trace_time_parse(const char *s, gd_trace_time *out, const char **why);

/* How a job's deadline (after its submission, as a document job's) is
 * made: a policy the scenario chooses, applied to the trace's data. */
typedef enum gd_trace_deadline_kind {
	/* Its time limit, counted from submission: tighter than Slurm's,
	 * which counts from the start, by the time the job waited. */
	GD_TRACE_DEADLINE_LIMIT,
	/* The time it waited in the export plus its time limit: when Slurm
	 * would have killed it that day. */
	GD_TRACE_DEADLINE_WAIT_AND_LIMIT,
	/* The same for every job: `fixed`. */
	GD_TRACE_DEADLINE_FIXED,
} gd_trace_deadline_kind;

typedef struct gd_trace_deadline_rule {
	gd_trace_deadline_kind kind;
	/* FIXED: every job's deadline.  The others: the deadline of a job
	 * without a limit (UNLIMITED, Partition_Limit); GD_TRACE_NONE: none. */
	gd_ms fixed;
} gd_trace_deadline_rule;

/* The job's deadline under the rule, or GD_TRACE_NONE. */
gd_ms gd_trace_deadline(const gd_trace_job *job,
			const gd_trace_deadline_rule *rule);

/* The submission curve: how many buckets of `bucket` ms cover the
 * trace's span, and counts[i] = the jobs submitted in
 * [i * bucket, (i + 1) * bucket), for i < n (later ones are not
 * counted).  bucket > 0. */
size_t gd_trace_nbuckets(const gd_trace *t, gd_ms bucket);
void gd_trace_curve(const gd_trace *t, gd_ms bucket, unsigned *counts,
		    size_t n);

/* The most jobs submitted within any window_ms of scenario time (a
 * sliding window, not aligned to buckets), and the same as a rate in
 * jobs per second of scenario time.  At time scale k, the runner must
 * submit gd_trace_peak(t, w * k) jobs within w ms of real time.  The
 * export has whole seconds, so windows under 1000 ms see every job of a
 * second at once.  window_ms > 0. */
size_t gd_trace_peak(const gd_trace *t, gd_ms window_ms);
double gd_trace_peak_rate(const gd_trace *t, gd_ms window_ms);

#endif
