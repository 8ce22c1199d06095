#include "base/thread.h"

#include <signal.h>
#include <time.h>

int gd_thread_start(pthread_t *thread, pthread_mutex_t *lock,
		    pthread_cond_t *wake, void *(*fn)(void *), void *arg)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(lock, NULL);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
