#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "rng.h"
#include "stats.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

static void assert_close(double got, double want, double rel)
{
	if (!(fabs(got - want) <= rel * fmax(1e-300, fabs(want))))
		fail_msg("got %.17g, want %.17g (rel %g)", got, want, rel);
}

static void test_summaries(void **state)
{
	/* numpy 1.24: np.median, np.quantile (linear = type 7), np.std(ddof=1) */
	static const double x[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	struct pg_stats_summary s;

	(void)state;
	pg_stats_summarize(&s, x, N(x));
	assert_int_equal(s.n, 8);
	assert_close(s.median, 3.5, 1e-15);
	assert_close(s.q1, 1.75, 1e-15);
	assert_close(s.q3, 5.25, 1e-15);
	assert_close(s.mean, 3.875, 1e-15);
	assert_close(s.stddev, 2.748376143938713, 1e-13);
	assert_close(s.cv, 0.7092583597261195, 1e-13);
	assert_close(s.mad, 2.0, 1e-15);
	assert_close(s.min, 1, 0);
	assert_close(s.max, 9, 0);
	assert_close(pg_stats_quantile(x, N(x), 0.1), 1.0, 1e-15);
	assert_close(pg_stats_quantile(x, N(x), 0.9), 6.9, 1e-13);
	assert_close(pg_stats_quantile(x, N(x), 0), 1, 0);
	assert_close(pg_stats_quantile(x, N(x), 1), 9, 0);
	assert_close(pg_stats_median(x, 1), 3, 0);
	assert_close(pg_stats_stddev(x, 1), 0, 0);
	assert_true(isnan(pg_stats_median(x, 0)));
	pg_stats_summarize(&s, x, 0);
	assert_true(isnan(s.mean));
	assert_close(x[0], 3, 0); /* input untouched */
}

static void test_norm(void **state)
{
	(void)state;
	assert_close(pg_stats_norm_cdf(0), 0.5, 1e-15);
	assert_close(pg_stats_norm_cdf(-1.959963984540054), 0.025, 1e-12);
	assert_close(pg_stats_norm_quantile(0.975), 1.959963984540054, 1e-12);
	assert_close(pg_stats_norm_quantile(0.8), 0.8416212335729143, 1e-12);
	assert_close(pg_stats_norm_quantile(0.005), -2.5758293035489004, 1e-12);
}

/*
 * Reference values. "scipy" = scipy 1.10.1 (Debian python3-scipy):
 * mannwhitneyu(a, b, method=...), ks_2samp(a, b, method="exact"),
 * wilcoxon(d, method=...). "perm" = exhaustive enumeration of every split
 * (itertools.combinations over the pooled mid-ranks) or every sign flip,
 * two-sided as 2 * min(tails): the exact test conditional on ties, which
 * scipy's "exact" (tie-free table) does not compute.
 */
struct two_case {
	const char *name;
	double a[32], b[32];
	size_t n_a, n_b;
	double u, p_u;    /* U of a and its p */
	bool u_exact;
	double d, p_ks;   /* KS statistic and exact p */
};

static const struct two_case two_cases[] = {
	/* scipy exact: U=0 p=0.1; ks D=1 p=0.1. The 3 vs 3 floor. */
	{ "separated 3v3", { 1, 2, 3 }, { 4, 5, 6 }, 3, 3, 0, 0.1, true, 1, 0.1 },
	/* scipy exact: U=3 p=0.7; ks D=1/3 p=1 */
	{ "overlapping 3v3", { 10, 12, 11 }, { 11.5, 10.5, 12.5 }, 3, 3, 3, 0.7, true,
	  1.0 / 3, 1.0 },
	/* ties: perm p = 0.1038961038961039 (scipy's tie-free "exact" says 0.0823,
	 * asymptotic 0.0724); ks scipy exact D=0.5 p=0.35714285714285715 */
	{ "ties 5v6", { 1, 2, 2, 3, 3 }, { 2, 3, 3, 4, 4, 5 }, 5, 6, 5, 0.1038961038961039, true,
	  0.5, 0.35714285714285715 },
	/* scipy exact: U=9 p=0.028904428904428903; ks D=0.6071428571428571 p=0.08702408702408701 */
	{ "no ties 8v7", { 1.1, 2.3, 0.4, 3.3, 2.9, 1.8, 0.9, 2.2 },
	  { 2.5, 3.1, 4.2, 1.9, 3.8, 2.8, 4.4 }, 8, 7, 9, 0.028904428904428903, true,
	  0.6071428571428571, 0.08702408702408701 },
};

static void test_mwu_ks_reference(void **state)
{
	(void)state;
	for (size_t c = 0; c < N(two_cases); c++) {
		const struct two_case *t = &two_cases[c];
		struct pg_stats_test m, k;

		pg_stats_mwu(&m, t->a, t->n_a, t->b, t->n_b);
		pg_stats_ks(&k, t->a, t->n_a, t->b, t->n_b);
		print_message("%s: U=%g p=%.17g D=%g p=%.17g\n", t->name, m.stat, m.p, k.stat,
			      k.p);
		assert_close(m.stat, t->u, 1e-12);
		assert_close(m.p, t->p_u, 1e-12);
		assert_int_equal(m.exact, t->u_exact);
		assert_close(k.stat, t->d, 1e-12);
		assert_close(k.p, t->p_ks, 1e-12);
		assert_true(k.exact);
	}
}

static void test_mwu_asymptotic(void **state)
{
	double a[30], b[25];
	struct pg_stats_test m;

	(void)state;
	for (int i = 0; i < 30; i++)
		a[i] = i % 7;
	for (int i = 0; i < 25; i++)
		b[i] = i % 9 + 1;
	/* 55 pooled > PG_STATS_EXACT_MAX_N: scipy mannwhitneyu(method="asymptotic",
	 * use_continuity=True) U=217.5 p=0.0075254254402242699 (heavy ties) */
	pg_stats_mwu(&m, a, 30, b, 25);
	assert_false(m.exact);
	assert_close(m.stat, 217.5, 1e-12);
	assert_close(m.p, 0.0075254254402242699, 1e-9);
	/* all equal: no evidence at all */
	for (int i = 0; i < 25; i++)
		b[i] = a[0] = 5;
	for (int i = 0; i < 30; i++)
		a[i] = 5;
	pg_stats_mwu(&m, a, 30, b, 25);
	assert_close(m.p, 1, 0);
}

static void test_wilcoxon_reference(void **state)
{
	static const struct {
		double d[80];
		size_t n;
		double wplus, p;
		bool exact;
	} cases[] = {
		/* scipy exact: p=0.0390625 (W- = 3, W+ = 33) */
		{ { 0.5, -0.2, 1.1, 0.7, 0.9, -0.1, 1.5, 0.3 }, 8, 33, 0.0390625, true },
		/* 3 pairs all one way: scipy exact p = 0.25, the floor */
		{ { 1, 2, 3 }, 3, 6, 0.25, true },
		/* zeros dropped, ties: perm (2^8 sign flips of mid-ranks) p = 0.1015625
		 * (scipy's tie-free exact says 0.0767) */
		{ { 0, 1, -1, 2, 2, 0, 3, -2, 3, 3 }, 10, 30.5, 0.1015625, true },
	};
	struct pg_stats_test w;
	double big[80];

	(void)state;
	for (size_t c = 0; c < N(cases); c++) {
		pg_stats_wilcoxon(&w, cases[c].d, cases[c].n);
		assert_close(w.stat, cases[c].wplus, 1e-12);
		assert_close(w.p, cases[c].p, 1e-12);
		assert_int_equal(w.exact, cases[c].exact);
	}
	/* 77 non-zero of 80 > PG_STATS_EXACT_MAX_PAIRS: scipy wilcoxon(method="approx",
	 * correction=True) p = 0.0007405662690105593; W+ = 2166 */
	for (int i = 0; i < 80; i++)
		big[i] = (i * 7) % 23 - 8;
	pg_stats_wilcoxon(&w, big, 80);
	assert_false(w.exact);
	assert_close(w.stat, 2166, 1e-12);
	assert_close(w.p, 0.0007405662690105593, 1e-9);
	/* all zero: nothing to test */
	memset(big, 0, sizeof(big));
	pg_stats_wilcoxon(&w, big, 80);
	assert_close(w.p, 1, 0);
}

static void test_hodges_lehmann(void **state)
{
	static const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };

	(void)state;
	/* differences 1,2,2,3,3,3,4,4,5: median 3 */
	assert_close(pg_stats_hl_shift(a, 3, b, 3), 3, 0);
	assert_close(pg_stats_hl_shift(b, 3, a, 3), -3, 0);
}

static void draw(struct pg_rng *rng, double *x, size_t n, double median, double cv)
{
	double sigma = sqrt(log(1 + cv * cv));

	for (size_t i = 0; i < n; i++)
		x[i] = pg_rng_lognormal(rng, log(median), sigma);
}

static void test_verdict_clear_cases(void **state)
{
	struct pg_stats_opts o = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	struct pg_rng rng;
	double a[30], b[30];

	(void)state;
	pg_rng_seed(&rng, 11);
	/* identical distributions, CV 1%, 30 a side: SAME within 5% */
	draw(&rng, a, 30, 100, 0.01);
	draw(&rng, b, 30, 100, 0.01);
	assert_int_equal(pg_stats_compare(&v, a, 30, b, 30, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_SAME);
	assert_int_equal(v.change, PG_STATS_NO_CHANGE);
	assert_true(v.eq_lo > 1 / 1.05 && v.eq_hi < 1.05);
	assert_true(v.ci_lo < 1 && v.ci_hi > 1);
	assert_false(v.noise.tol_below_noise);
	assert_true(v.noise.mde < 0.05);
	assert_int_equal(pg_stats_compare_paired(&v, a, b, 30, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_SAME);

	/* 2x slower, CV 3%, 12 a side: DIFFERENT, worse, about 2x */
	draw(&rng, a, 12, 100, 0.03);
	draw(&rng, b, 12, 200, 0.03);
	assert_int_equal(pg_stats_compare(&v, a, 12, b, 12, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_DIFFERENT);
	assert_int_equal(v.change, PG_STATS_WORSE);
	assert_true(v.ratio > 1.8 && v.ratio < 2.2);
	assert_true(v.hl_ratio > 1.8 && v.hl_ratio < 2.2);
	assert_true(v.ci_lo > 1.5 && v.ci_lo <= v.hl_ratio && v.hl_ratio <= v.ci_hi);
	assert_true(v.hl_shift > 80 && v.hl_shift < 120);
	assert_true(v.p <= 0.01);
	assert_false(v.within_tol);
	assert_string_equal(pg_stats_kind_name(v.kind), "different");
	assert_string_equal(pg_stats_change_name(v.change), "worse");
	assert_int_equal(pg_stats_compare_paired(&v, a, b, 12, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_DIFFERENT);
	assert_int_equal(v.change, PG_STATS_WORSE);
	assert_true(v.paired && v.wilcoxon.exact);
	/* throughput doubled: the same numbers, higher is better */
	o.direction = PG_STATS_HIGHER_IS_BETTER;
	assert_int_equal(pg_stats_compare(&v, a, 12, b, 12, &o, &err), 0);
	assert_int_equal(v.change, PG_STATS_BETTER);
	/* and 2x faster, lower is better */
	o.direction = PG_STATS_LOWER_IS_BETTER;
	assert_int_equal(pg_stats_compare(&v, b, 12, a, 12, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_DIFFERENT);
	assert_int_equal(v.change, PG_STATS_BETTER);
	assert_true(v.ci_hi < 0.7);
}

static void test_verdict_unknown_at_three(void **state)
{
	struct pg_stats_opts o = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	static const double a[] = { 10, 12, 11 }, b[] = { 11.5, 10.5, 12.5 };
	static const double fast[] = { 1.00, 1.01, 1.02 }, slow[] = { 2.00, 2.01, 2.02 };

	(void)state;
	assert_int_equal(pg_stats_compare(&v, a, 3, b, 3, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_UNKNOWN);
	assert_true(isinf(v.noise.mde) && v.noise.tol_below_noise);
	/* even 2x apart, 3 vs 3 cannot earn a verdict: p >= 0.1, interval unbounded */
	assert_int_equal(pg_stats_compare(&v, fast, 3, slow, 3, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_UNKNOWN);
	assert_close(v.mwu.p, 0.1, 1e-12);
	assert_close(v.p, 0.1, 1e-12);
	assert_true(v.ci_lo == 0 && isinf(v.ci_hi));
	assert_true(v.ratio > 1.9);
	assert_int_equal(pg_stats_compare_paired(&v, fast, slow, 3, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_UNKNOWN);
	assert_close(v.wilcoxon.p, 0.25, 1e-12);
}

static void test_verdict_zero_noise(void **state)
{
	struct pg_stats_opts o = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	static const double a[] = { 1e9, 1e9, 1e9 }, b[] = { 1.02e9, 1.02e9, 1.02e9 };

	(void)state;
	assert_int_equal(pg_stats_compare(&v, a, 3, a, 3, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_SAME);
	assert_true(v.zero_noise);
	assert_int_equal(pg_stats_compare_paired(&v, a, b, 3, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_DIFFERENT);
	assert_int_equal(v.change, PG_STATS_WORSE);
	assert_close(v.ci_lo, 1.02, 1e-12);
	assert_true(v.within_tol);
	/* two equal samples are not enough to call it zero noise */
	assert_int_equal(pg_stats_compare(&v, a, 2, b, 2, &o, &err), 0);
	assert_int_equal(v.kind, PG_STATS_UNKNOWN);
}

static void test_noise_floor(void **state)
{
	struct pg_stats_opts o = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	struct pg_rng rng;
	double a[64], b[64], mde12, mde64;

	(void)state;
	pg_rng_seed(&rng, 5);
	draw(&rng, a, 64, 100, 0.10);
	draw(&rng, b, 64, 100, 0.10);
	assert_int_equal(pg_stats_compare(&v, a, 12, b, 12, &o, &err), 0);
	mde12 = v.noise.mde;
	assert_true(v.noise.cv_a > 0.05 && v.noise.cv_a < 0.2);
	assert_true(v.noise.tol_below_noise); /* 5% is below what CV 10% x 12 can see */
	assert_int_equal(pg_stats_compare(&v, a, 64, b, 64, &o, &err), 0);
	mde64 = v.noise.mde;
	assert_true(mde64 < mde12);
	/* sqrt(12/64) scaling, within the noise of the spread estimates */
	assert_true(mde64 / mde12 > 0.25 && mde64 / mde12 < 0.8);
	o.tolerance = 0.5;
	assert_int_equal(pg_stats_compare(&v, a, 64, b, 64, &o, &err), 0);
	assert_false(v.noise.tol_below_noise);
	assert_int_equal(v.kind, PG_STATS_SAME);
}

/* The interval agrees with the test: with no ties and exact distributions,
 * the 1 - alpha interval excludes 1 exactly when the rank test rejects. */
static void test_interval_matches_test(void **state)
{
	struct pg_stats_opts o = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	struct pg_rng rng;
	double a[20], b[20];
	int rejected = 0;

	(void)state;
	o.alpha = 0.05;
	pg_rng_seed(&rng, 99);
	for (int t = 0; t < 300; t++) {
		size_t n_a = 4 + pg_rng_below(&rng, 13), n_b = 4 + pg_rng_below(&rng, 13);
		bool excl, excl_paired;

		draw(&rng, a, n_a, 100, 0.05);
		draw(&rng, b, n_b, 100 * (1 + 0.02 * (double)(t % 5)), 0.05);
		assert_int_equal(pg_stats_compare(&v, a, n_a, b, n_b, &o, &err), 0);
		assert_true(v.mwu.exact);
		excl = v.ci_lo > 1 || v.ci_hi < 1;
		assert_int_equal(excl, v.mwu.p <= o.alpha);
		rejected += excl;
		assert_int_equal(pg_stats_compare_paired(&v, a, b, n_a < n_b ? n_a : n_b, &o, &err),
				 0);
		excl_paired = v.ci_lo > 1 || v.ci_hi < 1;
		assert_int_equal(excl_paired, v.wilcoxon.p <= o.alpha);
	}
	assert_true(rejected > 20 && rejected < 280); /* the check saw both outcomes */
}

/* Coverage: the 95% interval holds the true ratio about 95% of the time. */
static void test_interval_coverage(void **state)
{
	struct pg_stats_opts o = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	struct pg_rng rng;
	double a[10], b[10];
	int cover = 0, cover_p = 0;
	const int trials = 1000;

	(void)state;
	o.alpha = 0.05;
	pg_rng_seed(&rng, 2024);
	for (int t = 0; t < trials; t++) {
		draw(&rng, a, 10, 100, 0.05);
		draw(&rng, b, 10, 107, 0.05);
		assert_int_equal(pg_stats_compare(&v, a, 10, b, 10, &o, &err), 0);
		cover += v.ci_lo <= 1.07 && 1.07 <= v.ci_hi;
		assert_int_equal(pg_stats_compare_paired(&v, a, b, 10, &o, &err), 0);
		cover_p += v.ci_lo <= 1.07 && 1.07 <= v.ci_hi;
	}
	print_message("coverage: unpaired %d/%d paired %d/%d\n", cover, trials, cover_p, trials);
	/* exact level is >= 95% (discrete); binomial sd ~0.7% */
	assert_true(cover >= 930 && cover <= 985);
	assert_true(cover_p >= 930 && cover_p <= 985);
}

static void test_reproducible(void **state)
{
	struct pg_stats_opts o = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v1, v2;
	struct pg_err err = PG_ERR_INIT;
	struct pg_rng r1, r2;
	double a1[16], b1[16], a2[16], b2[16];

	(void)state;
	pg_rng_seed(&r1, 77);
	pg_rng_seed(&r2, 77);
	draw(&r1, a1, 16, 50, 0.03);
	draw(&r1, b1, 16, 52, 0.03);
	draw(&r2, a2, 16, 50, 0.03);
	draw(&r2, b2, 16, 52, 0.03);
	assert_int_equal(pg_stats_compare(&v1, a1, 16, b1, 16, &o, &err), 0);
	assert_int_equal(pg_stats_compare(&v2, a2, 16, b2, 16, &o, &err), 0);
	assert_memory_equal(&v1, &v2, sizeof(v1));
}

static void test_bad_input(void **state)
{
	struct pg_stats_opts o = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	static const double ok[] = { 1, 2, 3 }, zero[] = { 1, 0, 3 };
	double nan3[] = { 1, NAN, 3 };
	static double many[PG_STATS_MAX_SAMPLES + 1];

	(void)state;
	assert_int_equal(pg_stats_compare(&v, ok, 3, zero, 3, &o, &err), -1);
	assert_string_equal(err.msg, "head sample 2 is 0: samples must be finite and positive");
	assert_int_equal(err.kind, PG_ERR_USAGE);
	assert_int_equal(pg_stats_compare_paired(&v, nan3, ok, 3, &o, &err), -1);
	assert_non_null(strstr(err.msg, "base sample 2"));
	assert_int_equal(pg_stats_compare(&v, ok, 0, ok, 3, &o, &err), -1);
	assert_string_equal(err.msg, "no base samples to compare");
	for (size_t i = 0; i < N(many); i++)
		many[i] = 1;
	assert_int_equal(pg_stats_compare(&v, many, N(many), ok, 3, &o, &err), -1);
	assert_non_null(strstr(err.msg, "too many base samples"));
	o.alpha = 0.7;
	assert_int_equal(pg_stats_compare(&v, ok, 3, ok, 3, &o, &err), -1);
	assert_non_null(strstr(err.msg, "alpha"));
	o.alpha = 0.01;
	o.tolerance = NAN;
	assert_int_equal(pg_stats_compare(&v, ok, 3, ok, 3, &o, &err), -1);
	assert_non_null(strstr(err.msg, "tolerance"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summaries),
		cmocka_unit_test(test_norm),
		cmocka_unit_test(test_mwu_ks_reference),
		cmocka_unit_test(test_mwu_asymptotic),
		cmocka_unit_test(test_wilcoxon_reference),
		cmocka_unit_test(test_hodges_lehmann),
		cmocka_unit_test(test_verdict_clear_cases),
		cmocka_unit_test(test_verdict_unknown_at_three),
		cmocka_unit_test(test_verdict_zero_noise),
		cmocka_unit_test(test_noise_floor),
		cmocka_unit_test(test_interval_matches_test),
		cmocka_unit_test(test_interval_coverage),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
