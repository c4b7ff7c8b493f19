#include "adapt.h"

#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util.h"

unsigned pg_adapt_looks(unsigned repeat_min, unsigned repeat_max)
{
	unsigned looks = 1, n = repeat_min;

	if (repeat_min == 0 || repeat_max < repeat_min)
		return 0;
	while (n < repeat_max) {
		n = n > repeat_max / 2 ? repeat_max : 2 * n;
		looks++;
	}
	return looks;
}

static int measure_one(struct pg_adapt_result *r, enum pg_adapt_side side,
		       pg_adapt_measure_fn measure, void *ctx, struct pg_err *err)
{
	double v = 0;

	if (measure(ctx, side, &v, err) < 0)
		return -1;
	if (side == PG_ADAPT_A)
		r->a[r->n_a++] = v;
	else
		r->b[r->n_b++] = v;
	r->runs++;
	return 0;
}

int pg_adapt_run(struct pg_adapt_result *out, const struct pg_adapt_opts *opts,
		 pg_adapt_measure_fn measure, void *ctx, struct pg_err *err)
{
	struct pg_stats_opts so = opts->stats;
	struct pg_rng rng;
	unsigned target;

	if (opts->repeat_min < 1 || opts->repeat_max < opts->repeat_min ||
	    opts->repeat_max > PG_STATS_MAX_SAMPLES)
		return pg_err_set(err, PG_ERR_USAGE,
				  "repeat { min: %u, max: %u } must satisfy 1 <= min <= max <= %d",
				  opts->repeat_min, opts->repeat_max, PG_STATS_MAX_SAMPLES);
	if (!(so.alpha > 0 && so.alpha < 0.5))
		return pg_err_set(err, PG_ERR_USAGE, "alpha %g is not in (0, 0.5)", so.alpha);
	pg_rng_seed(&rng, opts->seed);
	out->alloc = opts->repeat_max;
	out->a = pg_xcalloc(out->alloc, sizeof(*out->a));
	out->b = pg_xcalloc(out->alloc, sizeof(*out->b));
	out->looks = pg_adapt_looks(opts->repeat_min, opts->repeat_max);
	out->alpha_per_look = so.alpha / out->looks;
	so.alpha = out->alpha_per_look;

	target = opts->repeat_min;
	for (;;) {
		int ret;

		while (out->n_a < target) {
			bool b_first = opts->shuffle && (pg_rng_next(&rng) >> 63);

			if (measure_one(out, b_first ? PG_ADAPT_B : PG_ADAPT_A, measure, ctx,
					err) < 0 ||
			    measure_one(out, b_first ? PG_ADAPT_A : PG_ADAPT_B, measure, ctx,
					err) < 0)
				return -1;
		}
		out->rounds++;
		if (opts->paired)
			ret = pg_stats_compare_paired(&out->verdict, out->a, out->b, out->n_a,
						      &so, err);
		else
			ret = pg_stats_compare(&out->verdict, out->a, out->n_a, out->b,
					       out->n_b, &so, err);
		if (ret < 0)
			return -1;
		if (out->verdict.kind != PG_STATS_UNKNOWN)
			return 0;
		if (target >= opts->repeat_max) {
			out->inconclusive = true;
			return 0;
		}
		target = target > opts->repeat_max / 2 ? opts->repeat_max : 2 * target;
	}
}

void pg_adapt_result_release(struct pg_adapt_result *r)
{
	free(r->a);
	free(r->b);
	memset(r, 0, sizeof(*r));
}
