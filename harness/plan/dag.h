/* Ordering steps that start "after" other steps. */
#ifndef GD_PLAN_DAG_H
#define GD_PLAN_DAG_H

#include <stddef.h>

/* Orders n vertices so every vertex comes after all of its dependencies
 * (deps[i] lists the ndeps[i] vertices that i waits for).  Among vertices
 * that are ready together, the lower index goes first, so the order is
 * stable.  Returns 0 with order filled (n entries), or -1 when there is a
 * cycle, with cycle filled by one cycle's vertices in dependency order
 * (each waits for the next; the last waits for the first) and *ncycle set. */
int gd_dag_order(size_t n, const size_t *const *deps, const size_t *ndeps,
		 size_t *order, size_t *cycle, size_t *ncycle);

#endif
