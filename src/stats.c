#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- Summaries ---- */

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = pg_xmalloc((n ? n : 1) * sizeof(*s));

	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

/* type 7 on sorted data */
static double quantile_sorted(const double *s, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (n == 0)
		return NAN;
	if (p <= 0)
		return s[0];
	if (p >= 1)
		return s[n - 1];
	h = (double)(n - 1) * p;
	lo = (size_t)floor(h);
	frac = h - (double)lo;
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double pg_stats_quantile(const double *x, size_t n, double p)
{
	double *s, q;

	if (n == 0)
		return NAN;
	s = sorted_copy(x, n);
	q = quantile_sorted(s, n, p);
	free(s);
	return q;
}

double pg_stats_median(const double *x, size_t n)
{
	return pg_stats_quantile(x, n, 0.5);
}

double pg_stats_mean(const double *x, size_t n)
{
	double sum = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	return sum / (double)n;
}

double pg_stats_stddev(const double *x, size_t n)
{
	double m, ss = 0;

	if (n == 0)
		return NAN;
	if (n == 1)
		return 0;
	m = pg_stats_mean(x, n);
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	return sqrt(ss / (double)(n - 1));
}

double pg_stats_cv(const double *x, size_t n)
{
	double m = pg_stats_mean(x, n);

	if (n == 0 || m == 0)
		return NAN;
	return pg_stats_stddev(x, n) / fabs(m);
}

static double mad_sorted(const double *s, size_t n)
{
	double med, *dev, mad;

	if (n == 0)
		return NAN;
	med = quantile_sorted(s, n, 0.5);
	dev = pg_xmalloc(n * sizeof(*dev));
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(s[i] - med);
	qsort(dev, n, sizeof(*dev), cmp_double);
	mad = quantile_sorted(dev, n, 0.5);
	free(dev);
	return mad;
}

double pg_stats_mad(const double *x, size_t n)
{
	double *s, mad;

	if (n == 0)
		return NAN;
	s = sorted_copy(x, n);
	mad = mad_sorted(s, n);
	free(s);
	return mad;
}

void pg_stats_summarize(struct pg_stats_summary *out, const double *x, size_t n)
{
	double *s;

	memset(out, 0, sizeof(*out));
	out->n = n;
	if (n == 0) {
		out->min = out->max = out->mean = out->median = NAN;
		out->q1 = out->q3 = out->stddev = out->cv = out->mad = NAN;
		return;
	}
	s = sorted_copy(x, n);
	out->min = s[0];
	out->max = s[n - 1];
	out->mean = pg_stats_mean(x, n);
	out->median = quantile_sorted(s, n, 0.5);
	out->q1 = quantile_sorted(s, n, 0.25);
	out->q3 = quantile_sorted(s, n, 0.75);
	out->stddev = pg_stats_stddev(x, n);
	out->cv = out->mean != 0 ? out->stddev / fabs(out->mean) : NAN;
	out->mad = mad_sorted(s, n);
	free(s);
}

/* ---- Normal distribution ---- */

double pg_stats_norm_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

double pg_stats_norm_quantile(double p)
{
	double lo = -40, hi = 40;

	if (!(p > 0))
		return -INFINITY;
	if (!(p < 1))
		return INFINITY;
	/* bisection on erfc: slow-ish but exact to the last bit and cannot diverge */
	for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
		double mid = 0.5 * (lo + hi);

		if (pg_stats_norm_cdf(mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* ---- Ranks ---- */

struct ranked {
	double v;
	int side; /* 0 = a, 1 = b */
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

/*
 * Doubled mid-ranks (integers: first + last rank of a tie run, 1-based) of
 * the pooled data into r2[]; returns sum of t^3 - t over tie runs.
 */
static double midranks2(struct ranked *pool, size_t n, long *r2)
{
	double ties = 0;

	qsort(pool, n, sizeof(*pool), cmp_ranked);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && pool[j].v == pool[i].v)
			j++;
		for (size_t k = i; k < j; k++)
			r2[k] = (long)(i + 1 + j);
		ties += (double)(j - i) * (double)(j - i) * (double)(j - i) - (double)(j - i);
		i = j;
	}
	return ties;
}

/*
 * Number of ways (as doubles) to pick k of the n weights w[] with sum s, for
 * s = 0..*smax: the exact null distribution of a rank sum. Caller frees.
 */
static double *subset_sum_counts(const long *w, size_t n, size_t k, long *smax)
{
	long top = 0, cum = 0;
	double *f, *row;
	long *sorted = pg_xmalloc((n ? n : 1) * sizeof(*sorted));

	memcpy(sorted, w, n * sizeof(*w));
	for (size_t i = 0; i < n; i++) /* top = sum of the k largest */
		for (size_t j = i + 1; j < n; j++)
			if (sorted[j] > sorted[i]) {
				long t = sorted[i];
				sorted[i] = sorted[j];
				sorted[j] = t;
			}
	for (size_t i = 0; i < k && i < n; i++)
		top += sorted[i];
	free(sorted);
	*smax = top;
	f = pg_xcalloc((k + 1) * (size_t)(top + 1), sizeof(*f));
	f[0] = 1;
	for (size_t i = 0; i < n; i++) {
		size_t jmax = i + 1 < k ? i + 1 : k;

		cum += w[i];
		for (size_t j = jmax; j >= 1; j--) {
			double *dst = f + j * (size_t)(top + 1);
			const double *src = f + (j - 1) * (size_t)(top + 1);
			long shi = cum < top ? cum : top;

			for (long s = shi; s >= w[i]; s--)
				dst[s] += src[s - w[i]];
		}
	}
	row = pg_xmalloc((size_t)(top + 1) * sizeof(*row));
	memcpy(row, f + k * (size_t)(top + 1), (size_t)(top + 1) * sizeof(*row));
	free(f);
	return row;
}

static double two_sided(const double *counts, long smax, long obs)
{
	double total = 0, lo = 0, hi = 0, p;

	for (long s = 0; s <= smax; s++) {
		total += counts[s];
		if (s <= obs)
			lo += counts[s];
		if (s >= obs)
			hi += counts[s];
	}
	p = 2 * (lo < hi ? lo : hi) / total;
	return p > 1 ? 1 : p;
}

/* ---- Mann-Whitney U ---- */

void pg_stats_mwu(struct pg_stats_test *out, const double *a, size_t n_a, const double *b,
		  size_t n_b)
{
	size_t n = n_a + n_b;
	struct ranked *pool;
	long *r2, s2 = 0;
	double ties, u, mu, var;

	memset(out, 0, sizeof(*out));
	out->p = 1;
	if (n_a == 0 || n_b == 0)
		return;
	pool = pg_xmalloc(n * sizeof(*pool));
	r2 = pg_xmalloc(n * sizeof(*r2));
	for (size_t i = 0; i < n_a; i++)
		pool[i] = (struct ranked){ a[i], 0 };
	for (size_t i = 0; i < n_b; i++)
		pool[n_a + i] = (struct ranked){ b[i], 1 };
	ties = midranks2(pool, n, r2);
	for (size_t i = 0; i < n; i++)
		if (pool[i].side == 0)
			s2 += r2[i];
	u = (double)s2 / 2 - (double)n_a * (double)(n_a + 1) / 2;
	out->stat = u;
	if (n <= PG_STATS_EXACT_MAX_N) {
		long smax;
		double *counts = subset_sum_counts(r2, n, n_a, &smax);

		out->p = two_sided(counts, smax, s2);
		out->exact = true;
		free(counts);
	} else {
		mu = (double)n_a * (double)n_b / 2;
		var = (double)n_a * (double)n_b / 12 *
		      ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
		if (var > 0) {
			double z = (fabs(u - mu) - 0.5) / sqrt(var);

			out->p = z <= 0 ? 1 : fmin(1, 2 * pg_stats_norm_cdf(-z));
		}
	}
	free(pool);
	free(r2);
}

/* ---- Kolmogorov-Smirnov ---- */

static int64_t ks_dnum(const double *sa, size_t n_a, const double *sb, size_t n_b)
{
	size_t i = 0, j = 0;
	int64_t dmax = 0;

	while (i < n_a || j < n_b) {
		double v;
		int64_t d;

		if (j >= n_b || (i < n_a && sa[i] <= sb[j]))
			v = sa[i];
		else
			v = sb[j];
		while (i < n_a && sa[i] == v)
			i++;
		while (j < n_b && sb[j] == v)
			j++;
		d = (int64_t)i * (int64_t)n_b - (int64_t)j * (int64_t)n_a;
		if (d < 0)
			d = -d;
		if (d > dmax)
			dmax = d;
	}
	return dmax;
}

void pg_stats_ks(struct pg_stats_test *out, const double *a, size_t n_a, const double *b,
		 size_t n_b)
{
	double *sa, *sb;
	int64_t dnum;

	memset(out, 0, sizeof(*out));
	out->p = 1;
	if (n_a == 0 || n_b == 0)
		return;
	sa = sorted_copy(a, n_a);
	sb = sorted_copy(b, n_b);
	dnum = ks_dnum(sa, n_a, sb, n_b);
	free(sa);
	free(sb);
	out->stat = (double)dnum / ((double)n_a * (double)n_b);
	if (dnum == 0) {
		out->exact = true;
		return;
	}
	if (n_a + n_b <= 1000) {
		/* lattice paths from (0,0) to (n_a,n_b) that stay strictly inside |i/n_a - j/n_b| < D */
		double *in = pg_xcalloc(n_b + 1, sizeof(*in));
		double *all = pg_xcalloc(n_b + 1, sizeof(*all));
		double p;

		for (size_t i = 0; i <= n_a; i++)
			for (size_t j = 0; j <= n_b; j++) {
				int64_t d = (int64_t)i * (int64_t)n_b - (int64_t)j * (int64_t)n_a;

				if (i == 0 && j == 0) {
					in[0] = all[0] = 1;
					continue;
				}
				/* in[j] still holds row i-1 here; in[j-1] already holds row i */
				if (j > 0) {
					in[j] += in[j - 1];
					all[j] += all[j - 1];
				}
				if (d >= dnum || -d >= dnum)
					in[j] = 0;
			}
		p = 1 - in[n_b] / all[n_b];
		out->p = p < 0 ? 0 : p > 1 ? 1 : p;
		out->exact = true;
		free(in);
		free(all);
	} else {
		double en = (double)n_a * (double)n_b / (double)(n_a + n_b);
		double lam = (sqrt(en) + 0.12 + 0.11 / sqrt(en)) * out->stat;
		double sum = 0, sign = 1;

		if (lam < 0.2) {
			out->p = 1;
			return;
		}
		for (int k = 1; k <= 100; k++) {
			double term = sign * exp(-2.0 * k * k * lam * lam);

			sum += term;
			if (fabs(term) < 1e-16)
				break;
			sign = -sign;
		}
		sum *= 2;
		out->p = sum < 0 ? 0 : sum > 1 ? 1 : sum;
	}
}

/* ---- Wilcoxon signed rank ---- */

void pg_stats_wilcoxon(struct pg_stats_test *out, const double *d, size_t n)
{
	struct ranked *pool;
	long *r2, w2 = 0, total2 = 0;
	size_t m = 0;
	double ties;

	memset(out, 0, sizeof(*out));
	out->p = 1;
	pool = pg_xmalloc((n ? n : 1) * sizeof(*pool));
	r2 = pg_xmalloc((n ? n : 1) * sizeof(*r2));
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0)
			pool[m++] = (struct ranked){ fabs(d[i]), d[i] > 0 };
	if (m == 0) {
		out->exact = true;
		goto done;
	}
	ties = midranks2(pool, m, r2);
	for (size_t i = 0; i < m; i++) {
		total2 += r2[i];
		if (pool[i].side)
			w2 += r2[i];
	}
	out->stat = (double)w2 / 2;
	if (m <= PG_STATS_EXACT_MAX_PAIRS) {
		double *g = pg_xcalloc((size_t)total2 + 1, sizeof(*g));
		long cum = 0;

		g[0] = 1;
		for (size_t i = 0; i < m; i++) {
			cum += r2[i];
			for (long s = cum; s >= r2[i]; s--)
				g[s] += g[s - r2[i]];
		}
		out->p = two_sided(g, total2, w2);
		out->exact = true;
		free(g);
	} else {
		double mm = (double)m;
		double mu = mm * (mm + 1) / 4;
		double var = mm * (mm + 1) * (2 * mm + 1) / 24 - ties / 48;

		if (var > 0) {
			double z = (fabs(out->stat - mu) - 0.5) / sqrt(var);

			out->p = z <= 0 ? 1 : fmin(1, 2 * pg_stats_norm_cdf(-z));
		}
	}
done:
	free(pool);
	free(r2);
}

/* ---- Hodges-Lehmann and the intervals ---- */

static double *pairwise_diffs(const double *a, size_t n_a, const double *b, size_t n_b)
{
	double *d = pg_xmalloc(n_a * n_b * sizeof(*d));

	for (size_t i = 0; i < n_a; i++)
		for (size_t j = 0; j < n_b; j++)
			d[i * n_b + j] = b[j] - a[i];
	qsort(d, n_a * n_b, sizeof(*d), cmp_double);
	return d;
}

double pg_stats_hl_shift(const double *a, size_t n_a, const double *b, size_t n_b)
{
	double *d, hl;

	if (n_a == 0 || n_b == 0)
		return NAN;
	d = pairwise_diffs(a, n_a, b, n_b);
	hl = quantile_sorted(d, n_a * n_b, 0.5);
	free(d);
	return hl;
}

/*
 * Order statistic k (1-based) bounding a two-sided interval at tail mass
 * half_alpha: 1 + the largest u with P(U <= u) <= half_alpha under the
 * tie-free null; 0 when even u = 0 is too likely (unbounded interval).
 */
static size_t mwu_crit(size_t n_a, size_t n_b, double half_alpha)
{
	size_t n = n_a + n_b;
	double m = (double)n_a * (double)n_b;

	if (n <= PG_STATS_EXACT_MAX_N) {
		long *w = pg_xmalloc(n * sizeof(*w)), smax, base;
		double *c, total = 0, cum = 0;
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			w[i] = (long)i + 1;
		c = subset_sum_counts(w, n, n_a, &smax);
		base = (long)(n_a * (n_a + 1) / 2); /* smallest rank sum, U = 0 */
		for (long s = 0; s <= smax; s++)
			total += c[s];
		for (long s = base; s <= smax; s++) {
			cum += c[s];
			if (cum / total > half_alpha)
				break;
			k++;
		}
		free(c);
		free(w);
		return k;
	} else {
		double z = pg_stats_norm_quantile(1 - half_alpha);
		double sd = sqrt(m * (double)(n + 1) / 12);
		double k = floor(m / 2 + 0.5 - z * sd);

		return k < 0 ? 0 : (size_t)k;
	}
}

static size_t signrank_crit(size_t n, double half_alpha)
{
	double m = (double)n * (double)(n + 1) / 2;

	if (n == 0)
		return 0;
	if (n <= PG_STATS_EXACT_MAX_PAIRS) {
		size_t top = n * (n + 1) / 2, k = 0;
		double *g = pg_xcalloc(top + 1, sizeof(*g)), total = 0, cum = 0;

		g[0] = 1;
		for (size_t r = 1; r <= n; r++)
			for (size_t s = top; s >= r; s--)
				g[s] += g[s - r];
		for (size_t s = 0; s <= top; s++)
			total += g[s];
		for (size_t s = 0; s <= top; s++) {
			cum += g[s];
			if (cum / total > half_alpha)
				break;
			k++;
		}
		free(g);
		return k;
	} else {
		double z = pg_stats_norm_quantile(1 - half_alpha);
		double sd = sqrt((double)n * (double)(n + 1) * (double)(2 * n + 1) / 24);
		double k = floor(m / 2 + 0.5 - z * sd);

		return k < 0 ? 0 : (size_t)k;
	}
}

/* Interval [lo, hi] of exp() of sorted differences d[m] trimmed by k each side. */
static void ci_from_sorted(const double *d, size_t m, size_t k, double *lo, double *hi)
{
	if (k == 0 || 2 * k > m + 1) {
		*lo = 0;
		*hi = INFINITY;
		return;
	}
	*lo = exp(d[k - 1]);
	*hi = exp(d[m - k]);
}

/* ---- The verdict ---- */

static int check_inputs(const double *x, size_t n, const char *side, struct pg_err *err)
{
	if (n == 0)
		return pg_err_set(err, PG_ERR_USAGE, "no %s samples to compare", side);
	if (n > PG_STATS_MAX_SAMPLES)
		return pg_err_set(err, PG_ERR_USAGE, "too many %s samples (%zu > %d)", side, n,
				  PG_STATS_MAX_SAMPLES);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]) || x[i] <= 0)
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s sample %zu is %g: samples must be finite and positive",
					  side, i + 1, x[i]);
	return 0;
}

static int check_opts(const struct pg_stats_opts *o, struct pg_err *err)
{
	if (!isfinite(o->tolerance) || o->tolerance < 0)
		return pg_err_set(err, PG_ERR_USAGE, "tolerance %g is not a fraction >= 0",
				  o->tolerance);
	if (!(o->alpha > 0 && o->alpha < 0.5))
		return pg_err_set(err, PG_ERR_USAGE, "alpha %g is not in (0, 0.5)", o->alpha);
	return 0;
}

static double *logs_of(const double *x, size_t n)
{
	double *l = pg_xmalloc(n * sizeof(*l));

	for (size_t i = 0; i < n; i++)
		l[i] = log(x[i]);
	return l;
}

static bool constant(const double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return false;
	return true;
}

static void fill_common(struct pg_stats_verdict *v, const double *a, size_t n_a, const double *b,
			size_t n_b, const struct pg_stats_opts *o)
{
	memset(v, 0, sizeof(*v));
	v->n_a = n_a;
	v->n_b = n_b;
	v->tolerance = o->tolerance;
	v->alpha = o->alpha;
	v->median_a = pg_stats_median(a, n_a);
	v->median_b = pg_stats_median(b, n_b);
	v->ratio = v->median_b / v->median_a;
	v->hl_shift = pg_stats_hl_shift(a, n_a, b, n_b);
	v->noise.cv_a = pg_stats_cv(a, n_a);
	v->noise.cv_b = pg_stats_cv(b, n_b);
	pg_stats_mwu(&v->mwu, a, n_a, b, n_b);
	pg_stats_ks(&v->ks, a, n_a, b, n_b);
	v->wilcoxon.p = NAN;
	v->wilcoxon.stat = NAN;
}

static void decide(struct pg_stats_verdict *v, const struct pg_stats_opts *o, bool reachable,
		   double se_factor)
{
	double band_hi = 1 + o->tolerance, band_lo = 1 / (1 + o->tolerance);
	double z = pg_stats_norm_quantile(1 - o->alpha / 2) + pg_stats_norm_quantile(0.8);
	bool up;

	v->within_tol = v->hl_ratio >= band_lo && v->hl_ratio <= band_hi;
	v->noise.mde = reachable ? exp(z * v->noise.sigma * se_factor) - 1 : INFINITY;
	v->noise.tol_below_noise = o->tolerance < v->noise.mde;

	if (v->zero_noise) {
		v->ci_lo = v->ci_hi = v->eq_lo = v->eq_hi = v->hl_ratio;
		if (v->hl_ratio == 1)
			v->kind = PG_STATS_SAME;
		else
			v->kind = PG_STATS_DIFFERENT;
		v->noise.mde = 0;
		v->noise.tol_below_noise = false;
	} else if (v->p <= o->alpha && (v->ci_lo > 1 || v->ci_hi < 1)) {
		v->kind = PG_STATS_DIFFERENT;
	} else if (v->eq_lo >= band_lo && v->eq_hi <= band_hi) {
		v->kind = PG_STATS_SAME;
	} else {
		v->kind = PG_STATS_UNKNOWN;
	}
	if (v->kind != PG_STATS_DIFFERENT)
		return;
	up = v->zero_noise ? v->hl_ratio > 1 : v->ci_lo > 1;
	if (o->direction == PG_STATS_LOWER_IS_BETTER)
		v->change = up ? PG_STATS_WORSE : PG_STATS_BETTER;
	else
		v->change = up ? PG_STATS_BETTER : PG_STATS_WORSE;
}

static double robust_sd(const double *x, size_t n)
{
	return 1.4826 * pg_stats_mad(x, n);
}

int pg_stats_compare(struct pg_stats_verdict *out, const double *a, size_t n_a, const double *b,
		     size_t n_b, const struct pg_stats_opts *opts, struct pg_err *err)
{
	double *la = NULL, *lb = NULL, *d = NULL;
	double sa, sb, min_p;
	size_t m, k;
	int ret = -1;

	if (check_opts(opts, err) < 0 || check_inputs(a, n_a, "base", err) < 0 ||
	    check_inputs(b, n_b, "head", err) < 0)
		goto done;
	fill_common(out, a, n_a, b, n_b, opts);
	la = logs_of(a, n_a);
	lb = logs_of(b, n_b);
	d = pairwise_diffs(la, n_a, lb, n_b);
	m = n_a * n_b;
	out->hl_ratio = exp(quantile_sorted(d, m, 0.5));
	out->p = fmin(out->mwu.p, out->ks.p);
	k = mwu_crit(n_a, n_b, opts->alpha / 2);
	ci_from_sorted(d, m, k, &out->ci_lo, &out->ci_hi);
	k = mwu_crit(n_a, n_b, opts->alpha);
	ci_from_sorted(d, m, k, &out->eq_lo, &out->eq_hi);
	out->zero_noise = n_a >= 3 && n_b >= 3 && constant(a, n_a) && constant(b, n_b);

	sa = robust_sd(la, n_a);
	sb = robust_sd(lb, n_b);
	out->noise.sigma = sqrt((sa * sa + sb * sb) / 2);
	/* smallest two-sided p the sizes allow: 2 / C(n_a + n_b, n_a) */
	min_p = 2 / exp(lgamma((double)(n_a + n_b) + 1) - lgamma((double)n_a + 1) -
			lgamma((double)n_b + 1));
	decide(out, opts, min_p <= opts->alpha,
	       sqrt(1.0 / (double)n_a + 1.0 / (double)n_b) * sqrt(M_PI / 3));
	ret = 0;
done:
	free(la);
	free(lb);
	free(d);
	return ret;
}

int pg_stats_compare_paired(struct pg_stats_verdict *out, const double *a, const double *b,
			    size_t n, const struct pg_stats_opts *opts, struct pg_err *err)
{
	double *lr = NULL, *w = NULL;
	size_t m = 0, k;
	int ret = -1;

	if (check_opts(opts, err) < 0 || check_inputs(a, n, "base", err) < 0 ||
	    check_inputs(b, n, "head", err) < 0)
		goto done;
	fill_common(out, a, n, b, n, opts);
	out->paired = true;
	lr = pg_xmalloc(n * sizeof(*lr));
	for (size_t i = 0; i < n; i++)
		lr[i] = log(b[i]) - log(a[i]);
	pg_stats_wilcoxon(&out->wilcoxon, lr, n);
	out->p = out->wilcoxon.p;
	/* Walsh averages (d_i + d_j) / 2, i <= j */
	w = pg_xmalloc(n * (n + 1) / 2 * sizeof(*w));
	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++)
			w[m++] = (lr[i] + lr[j]) / 2;
	qsort(w, m, sizeof(*w), cmp_double);
	out->hl_ratio = exp(quantile_sorted(w, m, 0.5));
	k = signrank_crit(n, opts->alpha / 2);
	ci_from_sorted(w, m, k, &out->ci_lo, &out->ci_hi);
	k = signrank_crit(n, opts->alpha);
	ci_from_sorted(w, m, k, &out->eq_lo, &out->eq_hi);
	out->zero_noise = n >= 3 && constant(a, n) && constant(b, n);
	out->noise.sigma = robust_sd(lr, n);
	/* smallest two-sided p of n pairs: 2 / 2^n */
	decide(out, opts, n < 64 ? 2.0 / ldexp(1.0, (int)n) <= opts->alpha : true,
	       sqrt(1.0 / (double)n) * sqrt(M_PI / 3));
	ret = 0;
done:
	free(lr);
	free(w);
	return ret;
}

const char *pg_stats_kind_name(enum pg_stats_kind kind)
{
	switch (kind) {
	case PG_STATS_SAME:
		return "same";
	case PG_STATS_DIFFERENT:
		return "different";
	case PG_STATS_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *pg_stats_change_name(enum pg_stats_change change)
{
	switch (change) {
	case PG_STATS_WORSE:
		return "worse";
	case PG_STATS_BETTER:
		return "better";
	case PG_STATS_NO_CHANGE:
		break;
	}
	return "none";
}
