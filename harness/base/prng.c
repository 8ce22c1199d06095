#include "base/prng.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t gd_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void gd_prng_seed(gd_prng *r, uint64_t seed)
{
	uint64_t st = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = gd_splitmix64(&st);
}

void gd_prng_stream(gd_prng *r, uint64_t seed, const char *label)
{
	/* FNV-1a of the label, mixed with the seed: stable across builds. */
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
		h ^= *p;
		h *= UINT64_C(0x100000001b3);
	}
	uint64_t st = seed;
	uint64_t mixed = gd_splitmix64(&st) ^ h;
	gd_prng_seed(r, mixed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gd_prng_next(gd_prng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t gd_prng_below(gd_prng *r, uint64_t n)
{
	/* Reject the top partial copy of [0, n) so every value has the same
	 * number of preimages. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;
	do
		x = gd_prng_next(r);
	while (x >= limit);
	return x % n;
}

int64_t gd_prng_range(gd_prng *r, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo;
	if (span == UINT64_MAX)
		return (int64_t)gd_prng_next(r);
	return (int64_t)((uint64_t)lo + gd_prng_below(r, span + 1));
}

void gd_prng_pick(gd_prng *r, size_t *idx, size_t n, size_t k)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	/* Partial Fisher-Yates: the first k slots are a uniform k-subset. */
	for (size_t i = 0; i < k && i < n; i++) {
		size_t j = i + (size_t)gd_prng_below(r, n - i);
		size_t t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
}

uint64_t gd_prng_fresh_seed(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		/* Early boot without entropy: time and pid still differ
		 * between runs, which is all a fresh seed needs. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t st = (uint64_t)ts.tv_nsec ^
			      ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
		v = gd_splitmix64(&st);
	}
	return v & UINT64_C(0xffffffff);
}
