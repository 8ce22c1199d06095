#include "base/thread.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
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

struct each {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t i;
};

static void *each_main(void *arg)
{
	const struct each *e = arg;
	e->fn(e->ctx, e->i);
	return NULL;
}

void gd_thread_each(size_t n, size_t at_once, void (*fn)(void *ctx, size_t i),
		    void *ctx)
{
	if (!at_once)
		at_once = 1;
	pthread_t *t = calloc(at_once, sizeof(*t));
	struct each *e = calloc(at_once, sizeof(*e));
	bool *started = calloc(at_once, sizeof(*started));
	for (size_t from = 0; from < n;) {
		size_t to = n - from > at_once ? from + at_once : n;
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		for (size_t i = from; t && e && started && i < to; i++) {
			e[i - from] = (struct each){fn, ctx, i};
			started[i - from] =
				pthread_create(&t[i - from], NULL, each_main,
					       &e[i - from]) == 0;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		/* (out of memory: none started, each run here) */
		for (size_t i = from; i < to; i++) {
			if (started && started[i - from])
				pthread_join(t[i - from], NULL);
			else
				fn(ctx, i);
		}
		from = to;
	}
	free(t);
	free(e);
	free(started);
}
