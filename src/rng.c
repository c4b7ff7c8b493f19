#include "rng.h"

#include <math.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void pg_rng_seed(struct pg_rng *rng, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
	/* splitmix64 is a bijection of a counter, so four outputs are never all zero */
	rng->spare = 0.0;
	rng->has_spare = false;
}

uint64_t pg_rng_next(struct pg_rng *rng)
{
	uint64_t *s = rng->s;
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

double pg_rng_uniform(struct pg_rng *rng)
{
	return (double)(pg_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t pg_rng_below(struct pg_rng *rng, uint64_t n)
{
	unsigned __int128 m;
	uint64_t lo;

	if (n == 0)
		return 0;
	m = (unsigned __int128)pg_rng_next(rng) * n;
	lo = (uint64_t)m;
	if (lo < n) {
		uint64_t threshold = -n % n;

		while (lo < threshold) {
			m = (unsigned __int128)pg_rng_next(rng) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double pg_rng_normal(struct pg_rng *rng)
{
	double u, v, s, f;

	if (rng->has_spare) {
		rng->has_spare = false;
		return rng->spare;
	}
	do {
		u = 2.0 * pg_rng_uniform(rng) - 1.0;
		v = 2.0 * pg_rng_uniform(rng) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	f = sqrt(-2.0 * log(s) / s);
	rng->spare = v * f;
	rng->has_spare = true;
	return u * f;
}

double pg_rng_lognormal(struct pg_rng *rng, double mu, double sigma)
{
	return exp(mu + sigma * pg_rng_normal(rng));
}

void pg_rng_shuffle(struct pg_rng *rng, void *base, size_t n, size_t size)
{
	unsigned char *p = base;
	unsigned char tmp[64];

	if (n < 2 || size == 0)
		return;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)pg_rng_below(rng, (uint64_t)i + 1);
		size_t off = 0;

		if (j == i)
			continue;
		/* swap in chunks so any element size works without allocation */
		while (off < size) {
			size_t c = size - off < sizeof(tmp) ? size - off : sizeof(tmp);

			memcpy(tmp, p + i * size + off, c);
			memcpy(p + i * size + off, p + j * size + off, c);
			memcpy(p + j * size + off, tmp, c);
			off += c;
		}
	}
}
