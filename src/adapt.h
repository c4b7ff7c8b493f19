/*
 * adapt: the adaptive sampling driver. Measures base (A) and head (B) in
 * interleaved pairs, starting from repeat_min per side, and while the verdict
 * (stats.h) is UNKNOWN doubles the samples per side up to repeat_max; then it
 * reports INCONCLUSIVE rather than guess.
 *
 * Owns: the order of runs and the stopping rule. Pure apart from the
 * callback: no I/O, no clock; the only randomness is the seeded order inside
 * each pair. It does not know what a run is: the caller's callback measures.
 *
 * Use:
 *   static int measure(void *ctx, enum pg_adapt_side side, double *value, struct pg_err *err);
 *   struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;        // 3..30, paired, alpha 1%, tol 5%
 *   o.stats.tolerance = rule->regress;
 *   struct pg_adapt_result r = PG_ADAPT_RESULT_INIT;
 *   if (pg_adapt_run(&r, &o, measure, ctx, &err) < 0) ...   // a callback failed: err is its error
 *   if (r.inconclusive) ...  else if (r.verdict.kind == PG_STATS_DIFFERENT) ...
 *   pg_adapt_result_release(&r);                      // always, also after a failure
 *
 * Steps: round 1 measures repeat_min pairs; each pair runs A then B, or in a
 * seeded random order when shuffle is set (so that a periodic disturbance
 * cannot line up with one side). After each round the pairs so far are
 * judged; on UNKNOWN the target becomes min(2 * n, repeat_max) pairs and
 * only the new pairs are measured. Samples are never discarded.
 *
 * Multiple looks: judging after every round is sequential testing, and
 * testing each look at alpha would call identical code DIFFERENT more often
 * than alpha. The driver therefore spends alpha over the planned looks
 * (Bonferroni): each look is judged at alpha / looks, where looks is the
 * number of rounds from repeat_min to repeat_max (3..30: 3, 6, 12, 24, 30 =
 * 5 looks, 0.2% each for alpha = 1%). bench/stats_sim measures the result.
 *
 * Cancellation: when the callback returns < 0 the driver stops at once and
 * returns -1 with the callback's err untouched; samples measured so far stay
 * in the result (runs counts them). The callback is where a caller checks
 * for SIGINT and returns PG_ERR_INTERRUPTED.
 */
#ifndef PG_ADAPT_H
#define PG_ADAPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "stats.h"

enum pg_adapt_side {
	PG_ADAPT_A = 0, /* base */
	PG_ADAPT_B,     /* head */
};

/* Measure one more sample of side; store it (> 0) in *value. 0 ok, < 0 failed (err set). */
typedef int (*pg_adapt_measure_fn)(void *ctx, enum pg_adapt_side side, double *value,
				   struct pg_err *err);

struct pg_adapt_opts {
	unsigned repeat_min;       /* pairs in the first round, >= 1 */
	unsigned repeat_max;       /* most pairs, >= repeat_min; default 30 */
	bool paired;               /* judge with pg_stats_compare_paired (default; see stats.h 6.) */
	bool shuffle;              /* seeded random order inside each pair; else A then B */
	uint64_t seed;             /* for shuffle */
	struct pg_stats_opts stats;/* tolerance, alpha (overall, split over looks), direction */
};

#define PG_ADAPT_OPTS_INIT { 3, 30, true, false, 0, PG_STATS_OPTS_INIT }

struct pg_adapt_result {
	struct pg_stats_verdict verdict; /* of the last look (alpha per look inside) */
	bool inconclusive;     /* UNKNOWN at repeat_max */
	double *a, *b;         /* samples in measuring order; owned, see release */
	size_t n_a, n_b;       /* samples per side (equal unless a callback failed) */
	size_t alloc;
	unsigned runs;         /* successful callbacks (= n_a + n_b) */
	unsigned rounds;       /* looks taken */
	unsigned looks;        /* looks planned */
	double alpha_per_look;
};

#define PG_ADAPT_RESULT_INIT { .a = NULL }

/* Number of rounds from repeat_min to repeat_max (the doubling plan). */
unsigned pg_adapt_looks(unsigned repeat_min, unsigned repeat_max);

/* Run the plan. 0 with a verdict, or -1: bad options (PG_ERR_USAGE) or the
 * callback's own error. out must be PG_ADAPT_RESULT_INIT. */
int pg_adapt_run(struct pg_adapt_result *out, const struct pg_adapt_opts *opts,
		 pg_adapt_measure_fn measure, void *ctx, struct pg_err *err);

void pg_adapt_result_release(struct pg_adapt_result *r);

#endif
