#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "adapt.h"
#include "rng.h"

/* A simulated benchmark: log-normal timings, side B scaled by ratio. */
struct sim {
	struct pg_rng rng;
	double median_ns, cv, ratio;
	unsigned calls, fail_at; /* fail_at: 1-based call that fails, 0 = never */
	char order[256];         /* 'A' / 'B' per call */
	double constant;         /* > 0: every sample is this value (zero noise) */
};

static int measure(void *ctx, enum pg_adapt_side side, double *value, struct pg_err *err)
{
	struct sim *s = ctx;
	double sigma = sqrt(log(1 + s->cv * s->cv));

	s->calls++;
	if (s->calls < sizeof(s->order))
		s->order[s->calls - 1] = side == PG_ADAPT_A ? 'A' : 'B';
	if (s->fail_at && s->calls == s->fail_at)
		return pg_err_set(err, PG_ERR_INFRA, "run %u exited with 1", s->calls);
	if (s->constant != 0) {
		*value = s->constant;
		return 0;
	}
	*value = pg_rng_lognormal(&s->rng, log(s->median_ns), sigma) *
		 (side == PG_ADAPT_B ? s->ratio : 1.0);
	return 0;
}

static void sim_init(struct sim *s, uint64_t seed, double cv, double ratio)
{
	memset(s, 0, sizeof(*s));
	pg_rng_seed(&s->rng, seed);
	s->median_ns = 1e8;
	s->cv = cv;
	s->ratio = ratio;
}

static void test_looks(void **state)
{
	(void)state;
	assert_int_equal(pg_adapt_looks(3, 30), 5);  /* 3 6 12 24 30 */
	assert_int_equal(pg_adapt_looks(3, 64), 6);  /* 3 6 12 24 48 64 */
	assert_int_equal(pg_adapt_looks(3, 3), 1);
	assert_int_equal(pg_adapt_looks(5, 10), 2);
	assert_int_equal(pg_adapt_looks(0, 10), 0);
	assert_int_equal(pg_adapt_looks(4, 3), 0);
}

static void test_clear_slowdown_stops_early(void **state)
{
	struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;
	struct pg_adapt_result r = PG_ADAPT_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct sim s;

	(void)state;
	sim_init(&s, 1, 0.03, 2.0);
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), 0);
	assert_int_equal(r.verdict.kind, PG_STATS_DIFFERENT);
	assert_int_equal(r.verdict.change, PG_STATS_WORSE);
	assert_false(r.inconclusive);
	/* 3 pairs cannot reach p = 0.002 (floor 0.25), 6 pairs neither (0.031): 12 */
	assert_int_equal(r.n_a, 12);
	assert_int_equal(r.n_b, 12);
	assert_int_equal(r.runs, 24);
	assert_int_equal(r.rounds, 3);
	assert_int_equal(r.looks, 5);
	assert_true(fabs(r.alpha_per_look - 0.002) < 1e-15);
	assert_true(fabs(r.verdict.alpha - 0.002) < 1e-15);
	assert_int_equal(s.calls, 24);
	assert_memory_equal(s.order, "ABABABABABABABABABABABAB", 24); /* interleaved */
	assert_true(r.verdict.hl_ratio > 1.9 && r.verdict.hl_ratio < 2.1);
	pg_adapt_result_release(&r);
	assert_null(r.a);
}

static void test_doubling_to_max_is_inconclusive(void **state)
{
	struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;
	struct pg_adapt_result r = PG_ADAPT_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct sim s;

	(void)state;
	/* CV 20% against a 1% tolerance, no real change: never SAME, rarely DIFFERENT */
	o.stats.tolerance = 0.01;
	sim_init(&s, 2, 0.20, 1.0);
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), 0);
	assert_true(r.inconclusive);
	assert_int_equal(r.verdict.kind, PG_STATS_UNKNOWN);
	assert_int_equal(r.n_a, 30);
	assert_int_equal(r.runs, 60);
	assert_int_equal(r.rounds, 5);
	assert_true(r.verdict.noise.tol_below_noise);
	pg_adapt_result_release(&r);

	/* min == max: one look, then inconclusive */
	o.repeat_min = o.repeat_max = 3;
	sim_init(&s, 3, 0.03, 2.0);
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), 0);
	assert_true(r.inconclusive);
	assert_int_equal(r.rounds, 1);
	assert_int_equal(r.runs, 6);
	pg_adapt_result_release(&r);
}

static void test_same_earned(void **state)
{
	struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;
	struct pg_adapt_result r = PG_ADAPT_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct sim s;

	(void)state;
	sim_init(&s, 4, 0.01, 1.0);
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), 0);
	assert_int_equal(r.verdict.kind, PG_STATS_SAME);
	assert_true(r.n_a > 3); /* the start never decides */
	assert_true(r.n_a == 6 || r.n_a == 12 || r.n_a == 24 || r.n_a == 30);
	pg_adapt_result_release(&r);

	/* unpaired judging works from the same samples */
	o.paired = false;
	sim_init(&s, 4, 0.01, 1.0);
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), 0);
	assert_int_equal(r.verdict.kind, PG_STATS_SAME);
	assert_false(r.verdict.paired);
	pg_adapt_result_release(&r);

	/* zero noise (instruction counts): decided at the first look */
	o.paired = true;
	sim_init(&s, 4, 0.01, 1.0);
	s.constant = 123456789;
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), 0);
	assert_int_equal(r.verdict.kind, PG_STATS_SAME);
	assert_int_equal(r.runs, 6);
	pg_adapt_result_release(&r);
}

static void test_callback_failure_stops(void **state)
{
	struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;
	struct pg_adapt_result r = PG_ADAPT_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct sim s;

	(void)state;
	sim_init(&s, 5, 0.03, 1.0);
	s.fail_at = 8;
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), -1);
	assert_string_equal(err.msg, "run 8 exited with 1");
	assert_int_equal(err.kind, PG_ERR_INFRA);
	assert_int_equal(s.calls, 8); /* nothing measured after the failure */
	assert_int_equal(r.runs, 7);
	assert_int_equal(r.n_a, 4);
	assert_int_equal(r.n_b, 3);
	pg_adapt_result_release(&r);
}

static void test_shuffle_reproducible(void **state)
{
	struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;
	struct pg_adapt_result r1 = PG_ADAPT_RESULT_INIT, r2 = PG_ADAPT_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct sim s1, s2;
	int b_first = 0;

	(void)state;
	o.shuffle = true;
	o.seed = 1234;
	sim_init(&s1, 6, 0.03, 1.03);
	sim_init(&s2, 6, 0.03, 1.03);
	assert_int_equal(pg_adapt_run(&r1, &o, measure, &s1, &err), 0);
	assert_int_equal(pg_adapt_run(&r2, &o, measure, &s2, &err), 0);
	assert_int_equal(s1.calls, s2.calls);
	assert_memory_equal(s1.order, s2.order, s1.calls);
	assert_int_equal(r1.verdict.kind, r2.verdict.kind);
	assert_int_equal(r1.n_a, r2.n_a);
	assert_memory_equal(r1.a, r2.a, r1.n_a * sizeof(double));
	assert_memory_equal(r1.b, r2.b, r1.n_b * sizeof(double));
	for (unsigned i = 0; i + 1 < s1.calls; i += 2) { /* each pair has one of each */
		assert_true(s1.order[i] != s1.order[i + 1]);
		b_first += s1.order[i] == 'B';
	}
	assert_true(b_first > 0 && b_first < (int)s1.calls / 2);
	pg_adapt_result_release(&r1);
	pg_adapt_result_release(&r2);
}

static int measure_zero(void *ctx, enum pg_adapt_side side, double *value, struct pg_err *err)
{
	(void)ctx;
	(void)err;
	*value = side == PG_ADAPT_A ? 1.0 : 0.0;
	return 0;
}

static void test_bad_options(void **state)
{
	struct pg_adapt_opts o = PG_ADAPT_OPTS_INIT;
	struct pg_adapt_result r = PG_ADAPT_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct sim s;

	(void)state;
	sim_init(&s, 7, 0.03, 1.0);
	o.repeat_min = 0;
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), -1);
	assert_int_equal(err.kind, PG_ERR_USAGE);
	assert_non_null(strstr(err.msg, "repeat { min: 0, max: 30 }"));
	o.repeat_min = 40;
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), -1);
	o.repeat_min = 3;
	o.stats.alpha = 0;
	assert_int_equal(pg_adapt_run(&r, &o, measure, &s, &err), -1);
	assert_int_equal(s.calls, 0);
	pg_adapt_result_release(&r);
	/* a zero sample is refused by the comparison, not averaged in */
	o.stats.alpha = 0.01;
	assert_int_equal(pg_adapt_run(&r, &o, measure_zero, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "head sample 1 is 0"));
	pg_adapt_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_looks),
		cmocka_unit_test(test_clear_slowdown_stops_early),
		cmocka_unit_test(test_doubling_to_max_is_inconclusive),
		cmocka_unit_test(test_same_earned),
		cmocka_unit_test(test_callback_failure_stops),
		cmocka_unit_test(test_shuffle_reproducible),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
