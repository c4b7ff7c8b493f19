/*
 * test_check: the parts of gate/check.c that do not run anything: the
 * mapping of a stats verdict onto the report's comparison, and its
 * agreement with the budget judge (a verdict computed on real stats from
 * generated samples, judged through pg_budget_apply). The gate itself is
 * tested end to end in tests/e2e/t06NN-check-*.sh.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "budget.h"
#include "check.h"
#include "stats.h"

static void test_mapping(void **state)
{
	struct pg_stats_verdict v;
	struct pg_report_compare c;
	static const struct {
		enum pg_stats_kind kind;
		enum pg_report_verdict want;
	} kinds[] = {
	    {PG_STATS_SAME, PG_REPORT_VERDICT_SAME},
	    {PG_STATS_DIFFERENT, PG_REPORT_VERDICT_DIFFERENT},
	    {PG_STATS_UNKNOWN, PG_REPORT_VERDICT_UNKNOWN},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.kind = kinds[i].kind;
		v.ratio = 1.5;
		v.hl_ratio = 1.45;
		v.ci_lo = 1.2;
		v.ci_hi = INFINITY;
		v.alpha = 0.002;
		v.p = 0.001;
		v.noise.cv_a = 0.03;
		v.noise.cv_b = 0.04;
		v.noise.mde = 0.07;
		v.n_a = 12;
		v.n_b = 12;
		pg_check_compare_from_verdict(&c, &v);
		assert_int_equal(c.verdict, kinds[i].want);
		assert_true(c.ratio == 1.5 && c.effect_ratio == 1.45);
		assert_true(c.ci_low == 1.2 && isinf(c.ci_high));
		assert_true(fabs(c.confidence - 0.998) < 1e-12);
		assert_true(c.p_value == 0.001 && c.cv_base == 0.03 && c.cv_head == 0.04);
		assert_true(c.min_effect == 0.07);
		assert_int_equal(c.runs_base, 12);
		assert_int_equal(c.runs_head, 12);
	}
}

/* Paired samples: head = base * factor * a small deterministic wobble. */
static void judge(double factor, double tol, enum pg_report_outcome want)
{
	double a[24], b[24];
	struct pg_stats_opts so = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_report_metric *m;
	struct pg_budget_rule rule = {0};

	for (int i = 0; i < 24; i++) {
		double w = 1 + 0.02 * ((i * 7) % 5 - 2) / 2.0;
		a[i] = 10e6 * w;
		b[i] = 10e6 * factor * (1 + 0.02 * ((i * 3) % 5 - 2) / 2.0);
	}
	so.tolerance = tol;
	assert_int_equal(pg_stats_compare_paired(&v, a, b, 24, &so, &err), 0);
	m = pg_report_add_metric(&rep, "hot", "wall", "ns", PG_REPORT_LOWER_IS_BETTER);
	pg_report_metric_set_samples(m, a, 24, b, 24);
	pg_check_compare_from_verdict(&m->cmp, &v);
	m->has_cmp = true;
	rule.bench = "hot";
	rule.metric = "wall";
	rule.builtin = true;
	rule.kind = PG_METRIC_TIME;
	rule.has_regress = true;
	rule.regress = tol;
	pg_budget_apply(&rep, &rule, 1, &rule, 1, true);
	assert_int_equal(rep.metrics[0].nr_checks, 1);
	assert_int_equal(rep.metrics[0].checks[0].outcome, want);
	pg_report_release(&rep);
}

static void test_judged(void **state)
{
	(void)state;
	judge(3.0, 0.5, PG_REPORT_FAIL);   /* 3x slower: fails regress 50% */
	judge(1.0, 0.05, PG_REPORT_PASS);  /* identical: passes */
	judge(1.02, 0.10, PG_REPORT_PASS); /* worse, but within the tolerance */
	judge(0.5, 0.05, PG_REPORT_PASS);  /* faster */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mapping),
	    cmocka_unit_test(test_judged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
