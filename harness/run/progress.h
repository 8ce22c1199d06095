/* The progress contract: how a job says it advanced.  Progress is a job
 * completing (the job system says so) or a job reporting that it
 * advanced, through this contract.
 *
 * Each attempt of a job appends to a file of its own in shared storage,
 * the same path on every node:
 *
 *   SHARED/progress/JOB.NODE.ATTEMPT
 *
 * SHARED being where the nodes see the cluster's shared storage
 * (gd_cluster_state.node_shared: /srv/shared on a namespaced node).
 * JOB is gameday's id for the job, NODE the node the attempt runs on (its
 * hostname; node names have no dots), ATTEMPT a word without dots that no
 * other attempt of the job on that node uses (the document job: its PID).
 * One line per advance, ended by "\n" and appended in one write(2) once
 * the advance is kept: the document job writes "step 3/8" after that
 * step's checkpoint is written, so a job that cannot write its
 * checkpoint (a permission skew) writes none while it stalls.  The text
 * is free; gameday reports its first GD_PROGRESS_LINE_MAX bytes.  The
 * document job is told where by `--progress-dir DIR` (it makes the file
 * name itself), or else by $GAMEDAY_PROGRESS naming the file.
 *
 * gameday reads the directory every poll round, only the files that
 * grew since, and makes each new line a "job-progress" event. */
#ifndef GD_RUN_PROGRESS_H
#define GD_RUN_PROGRESS_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>

#define GD_PROGRESS_DIR	     "progress" /* below shared storage */
#define GD_PROGRESS_LINE_MAX 200

typedef struct gd_progress gd_progress;

/* One new line of the file attempt (its name), of job on node. */
typedef void gd_progress_fn(const char *job, const char *node,
			    const char *attempt, const char *line, void *ctx);

/* Watches dir, the progress directory as the host sees it. */
int gd_progress_open(const char *dir, gd_progress **out, gd_error **err);
/* Reads what every progress file gained since the last call: fn once per
 * new complete line, in the order of each file.  Files that are not
 * progress files (by name or kind) are left alone. */
void gd_progress_poll(gd_progress *p, gd_progress_fn *fn, void *ctx);
void gd_progress_free(gd_progress *p);

/* Splits a progress file's name "JOB.NODE.ATTEMPT" (printable ASCII):
 * false when it is not one.  Pure, for the unit tests. */
bool gd_progress_name(const char *name, char *job, size_t job_size, char *node,
		      size_t node_size);
/* A line as reported, in place: blanks trimmed, control characters as
 * spaces, cut to GD_PROGRESS_LINE_MAX bytes on a character boundary, and
 * bytes that are not UTF-8 as '?'. */
void gd_progress_clean(char *line);

#endif
