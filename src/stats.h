/*
 * stats: how perfgate decides. Summaries of a sample set, the rank tests, the
 * effect estimate with its confidence interval, the noise floor, and the
 * three-way verdict SAME / DIFFERENT / UNKNOWN.
 *
 * Owns: pure arithmetic on arrays of doubles. No I/O, no clock, no globals,
 * no randomness (the interval is exact, not bootstrapped). Inputs are
 * borrowed and never modified; everything returned is in caller-owned structs.
 *
 * Use:
 *   struct pg_stats_opts opts = PG_STATS_OPTS_INIT;   // alpha 0.01, tol 5%, lower is better
 *   opts.tolerance = 0.05;
 *   struct pg_stats_verdict v;
 *   if (pg_stats_compare_paired(&v, base, head, n, &opts, &err) < 0) ...   // interleaved runs
 *   if (pg_stats_compare(&v, base, n_base, head, n_head, &opts, &err) < 0) ... // independent sets
 *   if (v.kind == PG_STATS_DIFFERENT && v.change == PG_STATS_WORSE) ...
 * The adaptive driver (adapt.h) calls these while it doubles the samples.
 *
 * ----------------------------------------------------------------------------
 * THE METHOD
 *
 * Samples are positive measurements of one metric (ns, bytes, instructions,
 * or a benchmark's own unit); A is the base, B the head. Effects are
 * multiplicative: everything is judged on log(x), so "5% slower" means the
 * same on a 1 ms and a 1 s benchmark, and the ratio B/A is the effect.
 *
 * 1. Tests (p-values are two-sided):
 *    - Mann-Whitney U (pg_stats_mwu): U of A. Exact null distribution when
 *      n_a + n_b <= PG_STATS_EXACT_MAX_N, computed by dynamic programming over
 *      the (doubled) mid-ranks of the pooled data, so it is also exact
 *      *conditional on the ties* (a permutation test on the rank sum):
 *      instruction counts and RSS tie a lot, and the textbook tie-free table
 *      is wrong for them. Larger sets: normal approximation with the tie
 *      correction of the variance and a 0.5 continuity correction
 *      (scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True)).
 *      p = min(1, 2 * min(P(U <= u), P(U >= u))). 3 vs 3 can never go below
 *      p = 0.10, 6 vs 6 reaches 0.0022: the start is cheap, the stop is earned.
 *    - Kolmogorov-Smirnov two-sample (pg_stats_ks): D = sup|F_A - F_B|, exact
 *      p = P(D >= d) by counting lattice paths (Hodges 1957) when n_a + n_b <=
 *      1000 (O(n_a * n_b)), else the asymptotic Kolmogorov series with
 *      Stephens' correction.
 *      The null distribution assumes no ties (as scipy's), which makes it
 *      conservative on tied data.
 *    - Wilcoxon signed-rank (pg_stats_wilcoxon) for pairs: on d_i = log(B_i /
 *      A_i), zero differences dropped (Wilcoxon's convention), mid-ranks of
 *      |d|, exact conditional distribution of W+ (again over doubled ranks)
 *      for n <= PG_STATS_EXACT_MAX_PAIRS, else normal with tie and continuity
 *      corrections. 3 pairs cannot go below p = 0.25, 6 pairs reach 0.031.
 *
 * 2. Effect: ratio = median(B) / median(A) (what a person reads), hl_shift
 *    = the Hodges-Lehmann shift median(B_j - A_i) in the metric's unit, and
 *    hl_ratio = exp(HL shift of the logs), the estimate the interval belongs
 *    to. Paired: hl_ratio = exp(median of the Walsh averages of d).
 *
 * 3. Interval for the ratio: the distribution-free interval that inverts the
 *    rank test (Lehmann / Moses for two samples: the k-th smallest and k-th
 *    largest of the n_a*n_b differences log B_j - log A_i; Tukey for pairs:
 *    the same on the n(n+1)/2 Walsh averages), k from the exact tie-free null
 *    distribution (normal approximation above the exact limits), mapped back
 *    with exp(). Chosen over a seeded bootstrap of the ratio of medians
 *    because: it has exact coverage under a shift of log(x) for every n,
 *    where the bootstrap of a median of 3 to 12 samples has a handful of
 *    support points and undercovers badly exactly where perfgate starts; it
 *    agrees with the test (the interval excludes 1 when the rank test rejects),
 *    so verdict and interval never contradict each other; it needs no seed;
 *    and it is cheap. Where the sample is too small for the level, k < 1 and
 *    the interval is honestly unbounded: [0, +inf].
 *    Two levels are computed: ci_lo..ci_hi at 1 - alpha (reported, and used
 *    for DIFFERENT) and eq_lo..eq_hi at 1 - 2*alpha (the TOST interval, used
 *    for SAME).
 *
 * 4. Verdict, with tolerance tol (fraction), alpha and the metric's direction:
 *    - DIFFERENT when p <= alpha AND the 1 - alpha interval excludes 1.
 *      p is the test of the design: Wilcoxon for pairs; for independent sets
 *      Pinpoint's min(p_MWU, p_KS). The interval condition keeps a change of
 *      shape alone (KS) from being called a shift with a direction; in
 *      practice the rank test decides. change = WORSE or BETTER from the
 *      direction and hl_ratio.
 *    - SAME when the 1 - 2*alpha interval lies inside [1/(1+tol), 1+tol]:
 *      two one-sided tests (TOST) at level alpha that the effect is smaller
 *      than the tolerance, in both directions. Pinpoint calls "same" when p
 *      is above a size-dependent threshold, i.e. from the absence of
 *      evidence; TOST requires evidence of absence, and the band is the
 *      budget's own tolerance, so SAME means "within the budget".
 *    - UNKNOWN otherwise: take more samples (adapt.h doubles them).
 *    A significant effect smaller than the tolerance is DIFFERENT (it is
 *    real) and the caller judges its size: the gate fails a budget when the
 *    change is WORSE and hl_ratio is beyond 1 + tol (within_tol says it
 *    is not); bisect calls a commit like-bad on DIFFERENT + WORSE.
 *    Zero noise: when both sides have at least 3 samples and each side's
 *    samples are all equal (instruction counts of a deterministic program),
 *    the answer is exact: SAME if the two values are equal, else DIFFERENT
 *    with the interval [ratio, ratio]. zero_noise says so.
 *
 * 5. Noise floor, reported with every verdict: cv_a and cv_b (stddev / mean
 *    of each side), sigma (the robust spread of log(x): 1.4826 * MAD of the
 *    logs, pooled over both sides; for pairs, of the log ratios), and mde,
 *    the minimum detectable effect: the smallest relative change that the
 *    current sample count detects with 80% power at alpha,
 *    mde = exp((z(1-alpha/2) + z(0.8)) * sigma * sqrt(1/n_a + 1/n_b) * 1.023) - 1
 *    (pairs: sigma * sqrt(1/n)); 1.023 = sqrt(pi/3) is the rank test's
 *    efficiency loss against the t test on normal data; mde = +inf when the
 *    sample count cannot reach alpha at all (3 vs 3). tol_below_noise is set
 *    when the tolerance is below mde: the budget is tighter than what this
 *    many samples can see, and the report must say so instead of flaking.
 *
 * 6. Which comparison to use: check and bisect measure A and B interleaved
 *    (A B A B ...) and must judge with pg_stats_compare_paired: pairing
 *    subtracts the machine's drift, which on shared CI runners is larger than
 *    the effects that matter (PRODUCT.md "How it measures"). bench/stats_sim,
 *    CV 3% with a 1%-per-run random walk of machine speed, identical code:
 *    30 A runs then 30 B runs, MWU calls it DIFFERENT 72% of the time;
 *    interleaved but judged unpaired, it stays honest but loses power (15%
 *    UNKNOWN at 30 a side); interleaved and paired, 0.3% UNKNOWN, 0.3%
 *    DIFFERENT. pg_stats_compare is for sets that were not measured in
 *    adjacent pairs (unequal counts, a side that failed part-way).
 *
 * Reference values in tests/unit/test_stats.c come from scipy 1.10
 * (Debian python3-scipy) and from exhaustive enumeration of permutations.
 * ----------------------------------------------------------------------------
 */
#ifndef PG_STATS_H
#define PG_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Exact MWU null distribution up to this many pooled samples. */
#define PG_STATS_EXACT_MAX_N 40
/* Exact signed-rank null distribution up to this many non-zero pairs. */
#define PG_STATS_EXACT_MAX_PAIRS 64
/* Most samples per side a comparison accepts (the HL estimate is n_a*n_b). */
#define PG_STATS_MAX_SAMPLES 1000

/* ---- Summaries. x is not modified; n = 0 gives NAN. ---- */

struct pg_stats_summary {
	size_t n;
	double min, max;
	double mean;
	double median;
	double q1, q3;   /* quantiles 0.25 and 0.75, type 7 */
	double stddev;   /* sample standard deviation (n - 1); 0 for n = 1 */
	double cv;       /* stddev / mean, fraction; NAN when mean = 0 */
	double mad;      /* median absolute deviation from the median, unscaled */
};

void pg_stats_summarize(struct pg_stats_summary *out, const double *x, size_t n);
double pg_stats_mean(const double *x, size_t n);
double pg_stats_stddev(const double *x, size_t n);
double pg_stats_cv(const double *x, size_t n);
double pg_stats_median(const double *x, size_t n);
/* Quantile p in [0, 1], type 7 (R's default, numpy's linear): x[(n-1)p]
 * interpolated linearly between order statistics. */
double pg_stats_quantile(const double *x, size_t n, double p);
/* Median absolute deviation, unscaled (multiply by 1.4826 for a normal sd). */
double pg_stats_mad(const double *x, size_t n);

/* ---- Tests ---- */

struct pg_stats_test {
	double stat;  /* U of A (MWU), D (KS) or W+ (signed rank) */
	double p;     /* two-sided p-value in [0, 1] */
	bool exact;   /* exact null distribution (else asymptotic) */
};

/* Mann-Whitney U of a against b. Needs n_a, n_b >= 1 (else p = 1). */
void pg_stats_mwu(struct pg_stats_test *out, const double *a, size_t n_a, const double *b,
		  size_t n_b);
/* Two-sample Kolmogorov-Smirnov. */
void pg_stats_ks(struct pg_stats_test *out, const double *a, size_t n_a, const double *b,
		 size_t n_b);
/* Wilcoxon signed-rank test of d against 0 (zeros dropped). */
void pg_stats_wilcoxon(struct pg_stats_test *out, const double *d, size_t n);

/* Hodges-Lehmann shift: median over i, j of b_j - a_i. */
double pg_stats_hl_shift(const double *a, size_t n_a, const double *b, size_t n_b);

/* Standard normal CDF and its inverse (p in (0, 1)). */
double pg_stats_norm_cdf(double z);
double pg_stats_norm_quantile(double p);

/* ---- The verdict ---- */

enum pg_stats_direction {
	PG_STATS_LOWER_IS_BETTER = 0, /* time, memory, instructions */
	PG_STATS_HIGHER_IS_BETTER,    /* throughput */
};

enum pg_stats_kind {
	PG_STATS_UNKNOWN = 0,
	PG_STATS_SAME,
	PG_STATS_DIFFERENT,
};

enum pg_stats_change {
	PG_STATS_NO_CHANGE = 0, /* kind is not DIFFERENT */
	PG_STATS_WORSE,
	PG_STATS_BETTER,
};

struct pg_stats_opts {
	double tolerance;                  /* relative change that matters, fraction (0.05) */
	double alpha;                      /* significance level, in (0, 0.5) */
	enum pg_stats_direction direction;
};

#define PG_STATS_OPTS_INIT { 0.05, 0.01, PG_STATS_LOWER_IS_BETTER }

struct pg_stats_noise {
	double cv_a, cv_b;     /* stddev / mean of each side, fraction */
	double sigma;          /* robust sd of log(x) (pairs: of log(B/A)), pooled */
	double mde;            /* minimum detectable effect at alpha, 80% power, fraction; may be +inf */
	bool tol_below_noise;  /* tolerance < mde */
};

struct pg_stats_verdict {
	enum pg_stats_kind kind;
	enum pg_stats_change change;
	bool paired;           /* judged on pairs (Wilcoxon) */
	bool zero_noise;       /* decided by the zero-noise rule */
	bool within_tol;       /* hl_ratio is inside [1/(1+tol), 1+tol] */
	size_t n_a, n_b;       /* samples per side */
	double median_a, median_b; /* unit of the metric */
	double ratio;          /* median(B) / median(A) */
	double hl_shift;       /* Hodges-Lehmann shift B - A, unit of the metric */
	double hl_ratio;       /* exp(HL shift of logs): the estimate the interval belongs to */
	double ci_lo, ci_hi;   /* 1 - alpha interval for the ratio B/A; may be 0 / +inf */
	double eq_lo, eq_hi;   /* 1 - 2 alpha interval (TOST) */
	double p;              /* the decision's p-value */
	struct pg_stats_test mwu, ks, wilcoxon; /* wilcoxon only when paired (else p = NAN) */
	struct pg_stats_noise noise;
	double tolerance, alpha; /* as used */
};

/*
 * Compare independent samples a (base) and b (head). Fails (PG_ERR_USAGE)
 * on an empty side, more than PG_STATS_MAX_SAMPLES a side, a sample that is
 * not finite and positive, or options out of range. out is filled on success.
 */
int pg_stats_compare(struct pg_stats_verdict *out, const double *a, size_t n_a, const double *b,
		     size_t n_b, const struct pg_stats_opts *opts, struct pg_err *err);

/* Compare n pairs (a[i], b[i]) measured next to each other. Same failures. */
int pg_stats_compare_paired(struct pg_stats_verdict *out, const double *a, const double *b,
			    size_t n, const struct pg_stats_opts *opts, struct pg_err *err);

/* "same", "different", "unknown"; "worse", "better", "none". */
const char *pg_stats_kind_name(enum pg_stats_kind kind);
const char *pg_stats_change_name(enum pg_stats_change change);

#endif
