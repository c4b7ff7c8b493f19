/*
 * rng: the one seeded pseudo-random generator of perfgate.
 *
 * Owns: xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64, and
 * the draws built on it: uniform doubles, bounded integers without modulo
 * bias, standard normal and log-normal draws, and Fisher-Yates shuffles.
 * Every random choice in perfgate (run order, simulations, tests) comes from
 * here, so that one seed reproduces a whole run. Pure: no I/O, no clock, no
 * global state: the caller holds the state and picks the seed.
 *
 * Use:
 *   struct pg_rng rng;
 *   pg_rng_seed(&rng, 42);
 *   double u = pg_rng_uniform(&rng);          // [0, 1)
 *   double t = pg_rng_lognormal(&rng, 0.0, 0.03);
 *   pg_rng_shuffle(&rng, order, n, sizeof(order[0]));
 * Nothing to free. The sequence for a seed is part of the contract: tests
 * hard-code values drawn from seeds, so do not change the algorithm lightly.
 */
#ifndef PG_RNG_H
#define PG_RNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct pg_rng {
	uint64_t s[4];     /* xoshiro256** state, never all zero */
	double spare;      /* second normal of the last polar draw */
	bool has_spare;
};

/* Seed with splitmix64(seed): any seed, 0 included, gives a valid state. */
void pg_rng_seed(struct pg_rng *rng, uint64_t seed);
/* Next 64 random bits. */
uint64_t pg_rng_next(struct pg_rng *rng);
/* Uniform double in [0, 1), 53 random bits. */
double pg_rng_uniform(struct pg_rng *rng);
/* Uniform integer in [0, n), without modulo bias (Lemire's method); n = 0 gives 0. */
uint64_t pg_rng_below(struct pg_rng *rng, uint64_t n);
/* Standard normal (mean 0, sd 1), Marsaglia's polar method. */
double pg_rng_normal(struct pg_rng *rng);
/* exp(mu + sigma * N(0,1)). For a timing with median m and coefficient of
 * variation cv, use mu = log(m), sigma = sqrt(log(1 + cv^2)). */
double pg_rng_lognormal(struct pg_rng *rng, double mu, double sigma);
/* Fisher-Yates shuffle of n elements of size bytes each, in place. */
void pg_rng_shuffle(struct pg_rng *rng, void *base, size_t n, size_t size);

#endif
