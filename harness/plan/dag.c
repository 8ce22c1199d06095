#include "plan/dag.h"

#include <stdbool.h>
#include <stdlib.h>

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

/* A binary min-heap of vertex indexes: Kahn's algorithm taking the lowest
 * ready index each time. */
static void heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;
	while (i > 0 && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], last = h[--(*n)], i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= last)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

int gd_dag_order(size_t n, const size_t *const *deps, const size_t *ndeps,
		 size_t *order, size_t *cycle, size_t *ncycle)
{
	size_t *waiting = xcalloc(n, sizeof(size_t));  /* unmet deps */
	size_t *nrev = xcalloc(n + 1, sizeof(size_t)); /* CSR offsets */
	size_t edges = 0;
	for (size_t i = 0; i < n; i++) {
		waiting[i] = ndeps[i];
		edges += ndeps[i];
		for (size_t k = 0; k < ndeps[i]; k++)
			nrev[deps[i][k] + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		nrev[i + 1] += nrev[i];
	size_t *rev = xcalloc(edges, sizeof(size_t));
	size_t *fill = xcalloc(n, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ndeps[i]; k++) {
			size_t d = deps[i][k];
			rev[nrev[d] + fill[d]++] = i;
		}

	size_t *heap = xcalloc(n, sizeof(size_t)), nheap = 0, done = 0;
	for (size_t i = 0; i < n; i++)
		if (!waiting[i])
			heap_push(heap, &nheap, i);
	while (nheap) {
		size_t v = heap_pop(heap, &nheap);
		order[done++] = v;
		for (size_t k = nrev[v]; k < nrev[v + 1]; k++)
			if (--waiting[rev[k]] == 0)
				heap_push(heap, &nheap, rev[k]);
	}

	int ret = 0;
	if (done < n) {
		/* Every vertex left waits for another one left, so walking
		 * unmet dependencies must come back to a vertex already seen:
		 * that loop is the cycle to report. */
		size_t *seen_at = xcalloc(n, sizeof(size_t));
		size_t v = 0;
		while (!waiting[v])
			v++;
		size_t len = 0;
		while (!seen_at[v]) {
			seen_at[v] = ++len;
			cycle[len - 1] = v;
			size_t next = v;
			for (size_t k = 0; k < ndeps[v]; k++)
				if (waiting[deps[v][k]]) {
					next = deps[v][k];
					break;
				}
			v = next;
		}
		size_t first = seen_at[v] - 1;
		*ncycle = len - first;
		for (size_t k = 0; k < *ncycle; k++)
			cycle[k] = cycle[first + k];
		free(seen_at);
		ret = -1;
	}
	free(heap);
	free(fill);
	free(rev);
	free(nrev);
	free(waiting);
	return ret;
}
