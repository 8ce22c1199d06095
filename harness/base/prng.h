/* The one seeded PRNG behind every random choice gameday makes.
 *
 * xoshiro256** seeded through splitmix64.  A run has one seed; each consumer
 * (a step's target pick, a workload group's runtimes) draws from its own
 * stream derived from that seed and a stable label, so adding a step to a
 * scenario does not change the picks of the others.  Same seed and label,
 * same numbers, on every machine. */
#ifndef GD_BASE_PRNG_H
#define GD_BASE_PRNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct gd_prng {
	uint64_t s[4];
} gd_prng;

/* One splitmix64 step: advances *state and returns the next output. */
uint64_t gd_splitmix64(uint64_t *state);

void gd_prng_seed(gd_prng *r, uint64_t seed);
/* Seeds r with a stream of its own for (seed, label). */
void gd_prng_stream(gd_prng *r, uint64_t seed, const char *label);

uint64_t gd_prng_next(gd_prng *r);
/* Uniform in [0, n); n must be > 0.  Unbiased (rejection sampling). */
uint64_t gd_prng_below(gd_prng *r, uint64_t n);
/* Uniform in [lo, hi], lo <= hi. */
int64_t gd_prng_range(gd_prng *r, int64_t lo, int64_t hi);
/* Puts k distinct values from [0, n) at the front of idx (length n, filled
 * by the function), each k-subset equally likely, in draw order. */
void gd_prng_pick(gd_prng *r, size_t *idx, size_t n, size_t k);

/* A seed for runs that name none: from the kernel's entropy, below 2^32 so
 * it is short enough to read out and retype. */
uint64_t gd_prng_fresh_seed(void);

#endif
