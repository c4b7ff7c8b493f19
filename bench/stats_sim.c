/*
 * stats_sim: how well the decision engine decides, on simulated timing noise.
 *
 * For each scenario (noise level, effect, outliers, bimodality, drift) it runs
 * many comparisons and prints, per decision method, the share of DIFFERENT /
 * SAME / UNKNOWN and the mean samples per side. Methods, all on the same
 * draws (one interleaved stream A0 B0 A1 B1 ... per trial):
 *   adapt-paired 3..30   pg_adapt_run, Wilcoxon on pairs (what check/bisect use)
 *   adapt-unpaired 3..30 pg_adapt_run, min(MWU, KS) + HL interval
 *   adapt-paired 3..64
 *   median3 rule         slower if median3(B)/median3(A) > 1 + tol/2, faster if
 *                        below 1/(1 + tol/2), else same (two-way: never unknown)
 *   mwu30 rule           30 a side, MWU p <= 0.01 different, else same
 *   mwu30 sequential     the same, but 30 A runs then 30 B runs (no interleaving)
 * Usage: bench_stats_sim [trials (default 2000)] [seed (default 1)]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt.h"
#include "rng.h"
#include "stats.h"

#define MAXN 64

struct scenario {
	const char *name;
	double cv;          /* per-run noise, fraction */
	double ratio;       /* B / A true effect */
	double outlier;     /* share of runs multiplied by 1.5 */
	double bimodal;     /* share of runs in a second mode 10% slower */
	double drift;       /* sd of the per-run step of log machine speed */
};

static const struct scenario scenarios[] = {
	{ "A/A cv1%", 0.01, 1.00, 0, 0, 0 },
	{ "A/A cv3%", 0.03, 1.00, 0, 0, 0 },
	{ "A/A cv10%", 0.10, 1.00, 0, 0, 0 },
	{ "A/A cv3% +2% outliers x1.5", 0.03, 1.00, 0.02, 0, 0 },
	{ "A/A cv2% bimodal 30% x1.1", 0.02, 1.00, 0, 0.30, 0 },
	{ "A/A cv3% drift 1%/run", 0.03, 1.00, 0, 0, 0.01 },
	{ "+5% cv3%", 0.03, 1.05, 0, 0, 0 },
	{ "+10% cv3%", 0.03, 1.10, 0, 0, 0 },
	{ "+10% cv3% +2% outliers", 0.03, 1.10, 0.02, 0, 0 },
	{ "+10% cv10%", 0.10, 1.10, 0, 0, 0 },
	{ "+10% cv3% drift 1%/run", 0.03, 1.10, 0, 0, 0.01 },
	{ "+2% cv1% (under tol)", 0.01, 1.02, 0, 0, 0 },
};

enum { M_PAIRED, M_UNPAIRED, M_PAIRED64, M_MEDIAN3, M_MWU30, M_MWU30_SEQ, M_COUNT };
static const char *method_names[M_COUNT] = {
	"adapt-paired 3..30", "adapt-unpaired 3..30", "adapt-paired 3..64",
	"median3 rule",       "mwu30 rule",           "mwu30 sequential",
};

struct tally {
	unsigned diff_worse, diff_better, same, unknown;
	unsigned gate_fail; /* DIFFERENT, worse, and the estimate beyond 1 + tol */
	double samples;
};

struct stream {
	double a[MAXN], b[MAXN]; /* interleaved in time: a0 b0 a1 b1 ... */
	double seq[2 * MAXN];    /* sequential: MAXN A runs then MAXN B runs */
	unsigned ia, ib;
};

static double one_run(struct pg_rng *rng, const struct scenario *sc, double speed, bool head)
{
	double sigma = sqrt(log(1 + sc->cv * sc->cv));
	double x = 1e8 * speed * pg_rng_lognormal(rng, 0, sigma);

	if (head)
		x *= sc->ratio;
	if (sc->outlier > 0 && pg_rng_uniform(rng) < sc->outlier)
		x *= 1.5;
	if (sc->bimodal > 0 && pg_rng_uniform(rng) < sc->bimodal)
		x *= 1.1;
	return x;
}

static void make_stream(struct stream *s, struct pg_rng *rng, const struct scenario *sc)
{
	double w = 0;

	for (int i = 0; i < MAXN; i++) {
		s->a[i] = one_run(rng, sc, exp(w), false);
		w += sc->drift * pg_rng_normal(rng);
		s->b[i] = one_run(rng, sc, exp(w), true);
		w += sc->drift * pg_rng_normal(rng);
	}
	w = 0;
	for (int i = 0; i < 2 * MAXN; i++) {
		s->seq[i] = one_run(rng, sc, exp(w), i >= MAXN);
		w += sc->drift * pg_rng_normal(rng);
	}
	s->ia = s->ib = 0;
}

static int replay(void *ctx, enum pg_adapt_side side, double *value, struct pg_err *err)
{
	struct stream *s = ctx;

	if (side == PG_ADAPT_A)
		*value = s->a[s->ia++];
	else
		*value = s->b[s->ib++];
	return 0;
}

static void count(struct tally *t, const struct pg_stats_verdict *v, bool inconclusive, size_t n)
{
	if (v->kind == PG_STATS_DIFFERENT && v->change == PG_STATS_WORSE && v->hl_ratio > 1.05)
		t->gate_fail++;
	if (v->kind == PG_STATS_DIFFERENT && v->change == PG_STATS_WORSE)
		t->diff_worse++;
	else if (v->kind == PG_STATS_DIFFERENT)
		t->diff_better++;
	else if (v->kind == PG_STATS_SAME)
		t->same++;
	else
		t->unknown++;
	(void)inconclusive;
	t->samples += (double)n;
}

static double median3(const double *x)
{
	double a = x[0], b = x[1], c = x[2];

	if (a > b) {
		double t = a;
		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

int main(int argc, char **argv)
{
	unsigned trials = argc > 1 ? (unsigned)atoi(argv[1]) : 2000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	const double tol = 0.05, alpha = 0.01;
	struct pg_rng rng;
	struct stream s;
	struct pg_err err = PG_ERR_INIT;

	pg_rng_seed(&rng, seed);
	printf("stats_sim: %u trials per scenario, seed %llu, tolerance %.0f%%, alpha %.2f\n",
	       trials, (unsigned long long)seed, tol * 100, alpha);
	printf("DIFF = DIFFERENT (worse+better; worse alone in brackets), UNK = UNKNOWN/inconclusive\n");
	printf("gate fail = DIFFERENT, worse, and the estimate (HL ratio; the fixed rules: ratio of\n"
	       "medians) beyond 1 + tol: what `check` would fail\n\n");
	printf("%-28s %-22s %14s %7s %7s %9s %8s\n", "scenario", "method", "DIFF (worse)", "SAME",
	       "UNK", "gate fail", "n/side");
	for (size_t sc = 0; sc < sizeof(scenarios) / sizeof(scenarios[0]); sc++) {
		struct tally t[M_COUNT];

		memset(t, 0, sizeof(t));
		for (unsigned k = 0; k < trials; k++) {
			struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;
			struct pg_adapt_result r = PG_ADAPT_RESULT_INIT;
			struct pg_stats_test mw;
			struct pg_stats_verdict v;
			double m;

			o.stats.tolerance = tol;
			o.stats.alpha = alpha;
			make_stream(&s, &rng, &scenarios[sc]);
			for (int meth = M_PAIRED; meth <= M_PAIRED64; meth++) {
				s.ia = s.ib = 0;
				o.paired = meth != M_UNPAIRED;
				o.repeat_max = meth == M_PAIRED64 ? 64 : 30;
				if (pg_adapt_run(&r, &o, replay, &s, &err) < 0) {
					fprintf(stderr, "stats_sim: %s\n", err.msg);
					return 1;
				}
				count(&t[meth], &r.verdict, r.inconclusive, r.n_a);
				pg_adapt_result_release(&r);
			}
			memset(&v, 0, sizeof(v));
			m = median3(s.b) / median3(s.a);
			v.kind = m > 1 + tol / 2 || m < 1 / (1 + tol / 2) ? PG_STATS_DIFFERENT
									   : PG_STATS_SAME;
			v.change = m > 1 ? PG_STATS_WORSE : PG_STATS_BETTER;
			v.hl_ratio = m;
			count(&t[M_MEDIAN3], &v, false, 3);

			pg_stats_mwu(&mw, s.a, 30, s.b, 30);
			v.kind = mw.p <= alpha ? PG_STATS_DIFFERENT : PG_STATS_SAME;
			v.hl_ratio = pg_stats_median(s.b, 30) / pg_stats_median(s.a, 30);
			v.change = v.hl_ratio > 1 ? PG_STATS_WORSE : PG_STATS_BETTER;
			count(&t[M_MWU30], &v, false, 30);

			pg_stats_mwu(&mw, s.seq, 30, s.seq + MAXN, 30);
			v.kind = mw.p <= alpha ? PG_STATS_DIFFERENT : PG_STATS_SAME;
			v.hl_ratio = pg_stats_median(s.seq + MAXN, 30) / pg_stats_median(s.seq, 30);
			v.change = v.hl_ratio > 1 ? PG_STATS_WORSE : PG_STATS_BETTER;
			count(&t[M_MWU30_SEQ], &v, false, 30);
		}
		for (int meth = 0; meth < M_COUNT; meth++) {
			double n = trials;
			char diff[32];

			snprintf(diff, sizeof(diff), "%5.1f%% (%5.1f)",
				 100.0 * (t[meth].diff_worse + t[meth].diff_better) / n,
				 100.0 * t[meth].diff_worse / n);
			printf("%-28s %-22s %14s %6.1f%% %6.1f%% %8.1f%% %8.1f\n",
			       meth == 0 ? scenarios[sc].name : "", method_names[meth], diff,
			       100.0 * t[meth].same / n, 100.0 * t[meth].unknown / n,
			       100.0 * t[meth].gate_fail / n, t[meth].samples / n);
		}
	}
	return 0;
}
