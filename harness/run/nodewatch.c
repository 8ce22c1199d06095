#include "run/nodewatch.h"

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/thread.h"
#include "cluster/events.h"
#include "jobsys/jobsys.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVERY_MS   1000 /* real time between two questions */
#define COMMAND_MS 5000 /* a question's time limit: the most stop waits */

struct watched {
	const char *name;
	char state[sizeof(((gd_jobsys_node *)0)->state)]; /* "": not yet */
};

struct gd_nodewatch {
	gd_jobsys *js;
	int events;
	struct watched *nodes; /* sorted by name */
	size_t n;
	char *list; /* "w1,w2,w3": the question */
	pthread_t thread;
	bool running, stop;
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

static int cmp_watched(const void *a, const void *b)
{
	return strcmp(((const struct watched *)a)->name,
		      ((const struct watched *)b)->name);
}

/* Says each node's state that differs from the last one said. */
static void note(gd_nodewatch *w, const gd_jobsys_node *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct watched key = {v[i].name, ""};
		struct watched *o = bsearch(&key, w->nodes, w->n,
					    sizeof(*w->nodes), cmp_watched);
		if (!o || strcmp(o->state, v[i].state) == 0)
			continue;
		snprintf(o->state, sizeof(o->state), "%s", v[i].state);
		gd_event(w->events, GD_EV_NODE_STATE,
			 json_pack("{s:s,s:s}", "node", o->name, "state",
				   o->state));
	}
}

static void ask(gd_nodewatch *w)
{
	_cleanup_free_ gd_jobsys_node *v = NULL;
	size_t n = 0;
	_cleanup_error_ gd_error *e = NULL;
	if (gd_jobsys_node_list(w->js, w->list, &v, &n, &e) == 0)
		note(w, v, n);
}

static void *watcher(void *arg)
{
	gd_nodewatch *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		pthread_mutex_unlock(&w->lock);
		ask(w);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		long ns = until.tv_nsec + EVERY_MS % 1000 * 1000000L;
		until.tv_sec += EVERY_MS / 1000 + ns / 1000000000L;
		until.tv_nsec = ns % 1000000000L;
		pthread_mutex_lock(&w->lock);
		while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock,
							  &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* The nodes the system runs jobs on, sorted, and the question naming
 * them. */
static int pick_nodes(gd_nodewatch *w, const gd_cluster *c)
{
	w->nodes = calloc(c->nnodes + 1, sizeof(*w->nodes));
	if (!w->nodes)
		return -ENOMEM;
	_cleanup_strbuf_ gd_strbuf list = GD_STRBUF_INIT;
	for (size_t i = 0; i < c->nnodes; i++) {
		if (!gd_jobsys_runs_jobs(c, i))
			continue;
		gd_strbuf_addf(&list, "%s%s", w->n ? "," : "",
			       c->nodes[i].name);
		w->nodes[w->n++].name = c->nodes[i].name;
	}
	w->list = gd_strbuf_detach(&list);
	if (!w->list)
		return -ENOMEM;
	qsort(w->nodes, w->n, sizeof(*w->nodes), cmp_watched);
	return 0;
}

static int start_thread(gd_nodewatch *w)
{
	int r = gd_thread_start(&w->thread, &w->lock, &w->wake, watcher, w);
	if (r == 0)
		w->running = true;
	return -r;
}

int gd_nodewatch_start(const gd_cluster *c, const gd_cluster_state *st,
		       int events, gd_nodewatch **out, gd_error **err)
{
	gd_nodewatch *w = calloc(1, sizeof(*w));
	if (!w || pick_nodes(w, c) < 0) {
		gd_nodewatch_stop(w);
		return gd_error_make(err, ENOMEM, "cannot watch the nodes");
	}
	w->events = events;
	*out = w;
	if (!gd_jobsys_can_tell_states(c)) {
		for (size_t i = 0; i < w->n; i++)
			gd_event(events, GD_EV_NODE_STATE,
				 json_pack("{s:s,s:s}", "node",
					   w->nodes[i].name, "state",
					   "unknown"));
		return 0;
	}
	int r = gd_jobsys_open(c, st, &w->js, err);
	if (r == 0) {
		gd_jobsys_set_timeout(w->js, COMMAND_MS);
		r = start_thread(w);
		if (r < 0)
			gd_error_make(err, -r, "cannot watch the nodes");
	}
	if (r < 0) {
		gd_nodewatch_stop(w);
		*out = NULL;
	}
	return r;
}

void gd_nodewatch_stop(gd_nodewatch *w)
{
	if (!w)
		return;
	if (w->running) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
	}
	gd_jobsys_free(w->js);
	free(w->nodes);
	free(w->list);
	free(w);
}
