/* The run's helper threads (the fault player, the node watcher): each
 * waits on a condition variable timed on CLOCK_MONOTONIC, since a wall
 * clock step must not move its deadlines, and takes none of the signals
 * the run's main thread waits for. */
#ifndef GD_BASE_THREAD_H
#define GD_BASE_THREAD_H

#include <pthread.h>

/* Initialises lock and wake (monotonic), then starts fn(arg) with every
 * signal blocked.  0, or the error number pthread_create returned (lock
 * and wake are initialised either way). */
int gd_thread_start(pthread_t *thread, pthread_mutex_t *lock,
		    pthread_cond_t *wake, void *(*fn)(void *), void *arg);

#endif
