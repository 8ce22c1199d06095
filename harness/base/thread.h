/* The run's helper threads (the fault player, the node watcher): each
 * waits on a condition variable timed on CLOCK_MONOTONIC, since a wall
 * clock step must not move its deadlines, and takes none of the signals
 * the run's main thread waits for. */
#ifndef GD_BASE_THREAD_H
#define GD_BASE_THREAD_H

#include <pthread.h>
#include <stddef.h>

/* Initialises lock and wake (monotonic), then starts fn(arg) with every
 * signal blocked.  0, or the error number pthread_create returned (lock
 * and wake are initialised either way). */
int gd_thread_start(pthread_t *thread, pthread_mutex_t *lock,
		    pthread_cond_t *wake, void *(*fn)(void *), void *arg);

/* fn(ctx, i) for every i in [0, n), at most at_once of them at a time,
 * each in a thread of its own with every signal blocked (one that cannot
 * be started runs in the caller's); returns once all have ended.  For
 * work that waits on other machines, one each: a host brought into a
 * run, a host probed. */
void gd_thread_each(size_t n, size_t at_once, void (*fn)(void *ctx, size_t i),
		    void *ctx);

#endif
