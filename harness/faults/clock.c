/* Clock faults: a node's /etc/faketimerc, which libfaketime (preloaded in
 * every node of a scenario with clock faults, see node.c) reads in every
 * dynamically linked process: new ones at once, running ones within the
 * second (FAKETIME_CACHE_DURATION, set by gd-init).  Static programs
 * (gd-init itself) keep the host's clock. */
#include "faults/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int gd_clock_set(gd_faults *f, const gd_plan_entry *e, gd_ms offset,
		 gd_error **err)
{
	char text[64];
	snprintf(text, sizeof(text), "%+.3f\n", (double)offset / 1000.0);
	for (size_t j = 0; j < e->nodes.n; j++) {
		int r = gd_node_write(&f->st->nodes[e->nodes.v[j]],
				      "/etc/faketimerc", text, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Evidence: a new process in each node reads its wall clock, compared
 * with the host's plus the offset (within a second). */
int gd_clock_check(gd_faults *f, const gd_plan_entry *e, gd_ms offset,
		   char *evidence, size_t size)
{
	int missing = 0;
	size_t used = 0;
	for (size_t j = 0; j < e->nodes.n && used < size; j++) {
		char said[128];
		struct timespec before;
		clock_gettime(CLOCK_REALTIME, &before);
		gd_probe(f, e->nodes.v[j], said, sizeof(said), "clock", NULL);
		long long node_ms = strtoll(said, NULL, 10);
		long long host_ms = (long long)before.tv_sec * 1000 +
				    before.tv_nsec / 1000000;
		long long off = node_ms - host_ms;
		bool ok = node_ms > 0 && llabs(off - offset) < 1000;
		missing += !ok;
		used += (size_t)snprintf(
			evidence + used, size - used,
			"%s%s: its clock reads %+.1f s from the host's",
			used ? "; " : "", f->st->nodes[e->nodes.v[j]].name,
			(double)off / 1000.0);
	}
	return missing > 0;
}

static gd_ms offset_of(const gd_clock *c)
{
	return c->action == GD_CLOCK_OFFSET ? c->offset : 0;
}

int gd_clock_apply(gd_faults *f, const gd_plan_entry *e, char *evidence,
		   size_t size, gd_error **err)
{
	gd_ms offset = offset_of(&e->step->clock);
	int r = gd_clock_set(f, e, offset, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	return gd_clock_check(f, e, offset, evidence, size);
}

int gd_clock_heal(gd_faults *f, const gd_plan_entry *e, char *evidence,
		  size_t size, gd_error **err)
{
	int r = gd_clock_set(f, e, 0, err);
	if (r < 0)
		return r;
	gd_faults_mark_applied(f);
	return gd_clock_check(f, e, 0, evidence, size);
}
