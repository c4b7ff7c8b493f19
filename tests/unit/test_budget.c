/*
 * test_budget: gate/budget.c, table-driven. Each case builds a report with
 * one measured metric and one budget rule and checks the outcome, the
 * message and the warning.
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
#include "cmd.h"

#define MS 1e6 /* ns */

struct judge_case {
	const char *what;
	enum pg_report_direction dir;
	double base_ms, head_ms; /* NaN: side not measured */
	bool has_cmp;
	enum pg_report_verdict verdict;
	double effect;	   /* effect_ratio; NaN = from the medians */
	double min_effect; /* NaN: unknown */
	char kind;	   /* 'x' max, 'n' min, 'r' regress */
	double limit;	   /* ms for max/min, fraction for regress */
	enum pg_report_outcome want;
	const char *want_msg; /* substring of the message */
	bool want_warning;
};

static const struct judge_case cases[] = {
    {"max breached", PG_REPORT_LOWER_IS_BETTER, 200, 412, true, PG_REPORT_VERDICT_DIFFERENT, NAN,
     NAN, 'x', 250, PG_REPORT_FAIL,
     "checksum wall: head 412 ms (base 200 ms); budget max 250 ms exceeded", false},
    {"max kept", PG_REPORT_LOWER_IS_BETTER, 200, 240, true, PG_REPORT_VERDICT_DIFFERENT, NAN, NAN,
     'x', 250, PG_REPORT_PASS, "within budget max 250 ms", false},
    {"max exactly at the limit passes", PG_REPORT_LOWER_IS_BETTER, 200, 250, false,
     PG_REPORT_VERDICT_SAME, NAN, NAN, 'x', 250, PG_REPORT_PASS, "within budget max 250 ms", false},
    {"max judged without a base", PG_REPORT_LOWER_IS_BETTER, NAN, 300, false,
     PG_REPORT_VERDICT_SAME, NAN, NAN, 'x', 250, PG_REPORT_FAIL, "head 300 ms; budget max", false},
    {"max with no head value is an error", PG_REPORT_LOWER_IS_BETTER, 200, NAN, false,
     PG_REPORT_VERDICT_SAME, NAN, NAN, 'x', 250, PG_REPORT_ERROR, "no value measured in head",
     false},
    {"min breached", PG_REPORT_HIGHER_IS_BETTER, 1000, 800, true, PG_REPORT_VERDICT_DIFFERENT, NAN,
     NAN, 'n', 900, PG_REPORT_FAIL, "budget min 900 ms exceeded", false},
    {"min kept", PG_REPORT_HIGHER_IS_BETTER, 1000, 950, true, PG_REPORT_VERDICT_SAME, NAN, NAN, 'n',
     900, PG_REPORT_PASS, "within budget min 900 ms", false},
    {"regress: different, worse beyond tolerance", PG_REPORT_LOWER_IS_BETTER, 201, 412, true,
     PG_REPORT_VERDICT_DIFFERENT, 2.05, 0.02, 'r', 0.10, PG_REPORT_FAIL,
     "checksum wall: head 412 ms vs base 201 ms, +105% [+98%, +112%], different (p=0.0002); "
     "budget regress 10% exceeded",
     false},
    {"regress: different, worse within tolerance", PG_REPORT_LOWER_IS_BETTER, 200, 210, true,
     PG_REPORT_VERDICT_DIFFERENT, 1.05, 0.02, 'r', 0.10, PG_REPORT_PASS,
     "+5.0% [+98%, +112%], different (p=0.0002); within budget regress 10%", false},
    {"regress: different and better", PG_REPORT_LOWER_IS_BETTER, 200, 100, true,
     PG_REPORT_VERDICT_DIFFERENT, 0.5, 0.02, 'r', 0.10, PG_REPORT_PASS,
     "improved, within budget regress 10%", false},
    {"regress: same passes even when the medians moved", PG_REPORT_LOWER_IS_BETTER, 200, 260, true,
     PG_REPORT_VERDICT_SAME, 1.3, 0.02, 'r', 0.10, PG_REPORT_PASS,
     "same (p=0.0002); within budget regress 10%", false},
    {"regress: unknown is inconclusive, not a pass", PG_REPORT_LOWER_IS_BETTER, 200, 300, true,
     PG_REPORT_VERDICT_UNKNOWN, 1.5, 0.02, 'r', 0.10, PG_REPORT_INCONCLUSIVE,
     "unknown (p=0.0002) after 30 vs 30 runs; inconclusive against budget regress 10%", false},
    {"regress: no comparison is inconclusive", PG_REPORT_LOWER_IS_BETTER, 200, 300, false,
     PG_REPORT_VERDICT_SAME, NAN, NAN, 'r', 0.10, PG_REPORT_INCONCLUSIVE,
     "no statistical comparison", false},
    {"regress: no base value is skipped", PG_REPORT_LOWER_IS_BETTER, NAN, 300, false,
     PG_REPORT_VERDICT_SAME, NAN, NAN, 'r', 0.10, PG_REPORT_SKIPPED,
     "no base value to compare with", false},
    {"regress: no head value is an error", PG_REPORT_LOWER_IS_BETTER, 200, NAN, false,
     PG_REPORT_VERDICT_SAME, NAN, NAN, 'r', 0.10, PG_REPORT_ERROR, "no value measured in head",
     false},
    {"regress, higher is better: a drop beyond tolerance fails", PG_REPORT_HIGHER_IS_BETTER, 1000,
     700, true, PG_REPORT_VERDICT_DIFFERENT, 0.7, 0.02, 'r', 0.10, PG_REPORT_FAIL, "-30%", false},
    {"regress, higher is better: a rise passes", PG_REPORT_HIGHER_IS_BETTER, 1000, 1500, true,
     PG_REPORT_VERDICT_DIFFERENT, 1.5, 0.02, 'r', 0.10, PG_REPORT_PASS, "improved", false},
    {"regress, higher is better: a small drop passes", PG_REPORT_HIGHER_IS_BETTER, 1000, 950, true,
     PG_REPORT_VERDICT_DIFFERENT, 0.95, 0.02, 'r', 0.10, PG_REPORT_PASS, "within", false},
    {"regress: the effect estimate decides, not the medians", PG_REPORT_LOWER_IS_BETTER, 200, 260,
     true, PG_REPORT_VERDICT_DIFFERENT, 1.04, 0.02, 'r', 0.10, PG_REPORT_PASS, "+4.0%", false},
    {"regress tighter than the noise floor warns", PG_REPORT_LOWER_IS_BETTER, 200, 202, true,
     PG_REPORT_VERDICT_SAME, 1.01, 0.065, 'r', 0.02, PG_REPORT_PASS, "within", true},
    {"no change detectable at all warns", PG_REPORT_LOWER_IS_BETTER, 200, 202, true,
     PG_REPORT_VERDICT_UNKNOWN, 1.01, INFINITY, 'r', 0.05, PG_REPORT_INCONCLUSIVE, "inconclusive",
     true},
    {"regress above the noise floor does not warn", PG_REPORT_LOWER_IS_BETTER, 200, 202, true,
     PG_REPORT_VERDICT_SAME, 1.01, 0.03, 'r', 0.05, PG_REPORT_PASS, "within", false},
};

static void fill_rule(struct pg_budget_rule *r, const char *bench, const char *metric, char kind,
		      double limit)
{
	memset(r, 0, sizeof(*r));
	r->bench = (char *)bench;
	r->metric = (char *)metric;
	switch (kind) {
	case 'x':
		r->has_max = true;
		r->max = limit;
		break;
	case 'n':
		r->has_min = true;
		r->min = limit;
		break;
	case 'r':
		r->has_regress = true;
		r->regress = limit;
		break;
	}
}

static void add_measured(struct pg_report *rep, const char *bench, const char *metric,
			 enum pg_report_direction dir, double base_ns, double head_ns)
{
	struct pg_report_metric *m = pg_report_add_metric(rep, bench, metric, "ns", dir);
	double b[3] = {base_ns * 0.99, base_ns, base_ns * 1.01};
	double h[3] = {head_ns * 0.99, head_ns, head_ns * 1.01};

	pg_report_metric_set_samples(m, b, isnan(base_ns) ? 0 : 3, h, isnan(head_ns) ? 0 : 3);
}

static void test_judge_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		const struct judge_case *tc = &cases[i];
		struct pg_report rep = PG_REPORT_INIT;
		struct pg_report_metric *m;
		struct pg_budget_rule rule;
		double limit = tc->kind == 'r' ? tc->limit : tc->limit * MS;

		add_measured(&rep, "checksum", "wall", tc->dir, tc->base_ms * MS, tc->head_ms * MS);
		m = &rep.metrics[0];
		if (tc->has_cmp) {
			struct pg_report_compare c = PG_REPORT_COMPARE_INIT;

			c.verdict = tc->verdict;
			c.ratio = m->head_median / m->base_median;
			c.effect_ratio = tc->effect;
			c.ci_low = 1.98;
			c.ci_high = 2.12;
			c.confidence = 0.99;
			c.p_value = 0.0002;
			c.cv_base = 0.1;
			c.cv_head = 0.1;
			c.min_effect = tc->min_effect;
			c.runs_base = c.runs_head = 30;
			m->cmp = c;
			m->has_cmp = true;
		}
		fill_rule(&rule, "checksum", "wall", tc->kind, limit);
		pg_budget_apply(&rep, &rule, 1, &rule, 1, true);
		m = pg_report_find_metric(&rep, "checksum", "wall");
		assert_non_null(m);
		if (m->nr_checks != 1 || m->checks[0].outcome != tc->want ||
		    !strstr(m->checks[0].message, tc->want_msg) ||
		    !!m->checks[0].warning != tc->want_warning)
			fail_msg("case '%s': outcome %s, message '%s', warning '%s'; wanted %s, "
				 "'%s', %s",
				 tc->what, pg_report_outcome_name(m->checks[0].outcome),
				 m->checks[0].message,
				 m->checks[0].warning ? m->checks[0].warning : "(none)",
				 pg_report_outcome_name(tc->want), tc->want_msg,
				 tc->want_warning ? "a warning" : "no warning");
		assert_null(m->checks[0].note); /* same rule in head: nothing changed */
		pg_report_release(&rep);
	}
}

static void test_noise_warning_text(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_report_compare c = PG_REPORT_COMPARE_INIT;
	struct pg_budget_rule rule;
	struct pg_report_metric *m;

	(void)state;
	add_measured(&rep, "parse", "wall", PG_REPORT_LOWER_IS_BETTER, 100 * MS, 101 * MS);
	c.verdict = PG_REPORT_VERDICT_SAME;
	c.min_effect = 0.065;
	c.cv_base = 0.102;
	c.cv_head = 0.098;
	c.runs_base = c.runs_head = 30;
	rep.metrics[0].cmp = c;
	rep.metrics[0].has_cmp = true;
	fill_rule(&rule, "parse", "wall", 'r', 0.02);
	pg_budget_apply(&rep, &rule, 1, &rule, 1, true);
	m = &rep.metrics[0];
	assert_non_null(m->checks[0].warning);
	assert_string_equal(
	    m->checks[0].warning,
	    "parse wall: budget regress 2% is below the noise floor: with 30 vs 30 "
	    "runs (CV 10.2% base, 9.8% head) the smallest detectable change is 6.5%");
	pg_report_release(&rep);
}

static void test_bench_error(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_budget_rule rules[2];

	(void)state;
	add_measured(&rep, "parse", "wall", PG_REPORT_LOWER_IS_BETTER, 100 * MS, 101 * MS);
	pg_report_add_error(&rep, "parse", "run 4/10 exited with 1");
	pg_report_add_error(&rep, "crashy", "killed by signal 11 (SIGSEGV)");
	fill_rule(&rules[0], "parse", "wall", 'x', 200 * MS);
	fill_rule(&rules[1], "crashy", "wall", 'r', 0.05);
	pg_budget_apply(&rep, rules, 2, rules, 2, true);
	assert_int_equal(rep.metrics[0].checks[0].outcome, PG_REPORT_ERROR);
	assert_string_equal(rep.metrics[0].checks[0].message,
			    "parse wall: run 4/10 exited with 1; budget max 200 ms not checked");
	/* "crashy" got a "run" row for its error, which became its budget's wall row */
	assert_null(pg_report_find_metric(&rep, "crashy", "run"));
	assert_int_equal(rep.nr_metrics, 2);
	assert_string_equal(
	    rep.metrics[1].checks[0].message,
	    "crashy wall: killed by signal 11 (SIGSEGV); budget regress 5% not checked");
	assert_int_equal(pg_report_overall(&rep), PG_REPORT_ERROR);
	assert_int_equal(pg_budget_exit_code(pg_report_overall(&rep)), PG_EXIT_INFRA);
	pg_report_release(&rep);

	/* An error recorded after judging turns the checks into errors too. */
	add_measured(&rep, "parse", "wall", PG_REPORT_LOWER_IS_BETTER, 100 * MS, 101 * MS);
	pg_budget_apply(&rep, rules, 1, rules, 1, true);
	assert_int_equal(rep.metrics[0].checks[0].outcome, PG_REPORT_PASS);
	pg_report_add_error(&rep, "parse", "build failed at head");
	assert_int_equal(rep.metrics[0].checks[0].outcome, PG_REPORT_ERROR);
	pg_report_release(&rep);

	/* perfgate failed before any benchmark ran */
	pg_report_add_error(&rep, NULL, "cannot create worktree");
	assert_int_equal(pg_report_overall(&rep), PG_REPORT_ERROR);
	pg_report_release(&rep);
}

static void test_unmeasured_metric_is_error(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_budget_rule rule;
	struct pg_report_metric *m;

	(void)state;
	fill_rule(&rule, "gone", "max_rss", 'x', 64.0 * 1024 * 1024);
	pg_budget_apply(&rep, &rule, 1, &rule, 1, true);
	m = pg_report_find_metric(&rep, "gone", "max_rss");
	assert_non_null(m);
	assert_string_equal(m->unit, "bytes");
	assert_int_equal(m->checks[0].outcome, PG_REPORT_ERROR);
	assert_string_equal(
	    m->checks[0].message,
	    "gone max_rss: no value measured in head; budget max 64 MiB not checked");
	pg_report_release(&rep);
}

static void test_changed_budgets(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_budget_rule base[2], head[2];
	struct pg_report_metric *m;
	size_t n;

	(void)state;
	add_measured(&rep, "checksum", "wall", PG_REPORT_LOWER_IS_BETTER, 200 * MS, 412 * MS);
	add_measured(&rep, "parse", "wall", PG_REPORT_LOWER_IS_BETTER, 100 * MS, 100 * MS);
	/* base: checksum wall max 250 ms + regress 10%, parse wall max 150 ms */
	fill_rule(&base[0], "checksum", "wall", 'x', 250 * MS);
	base[0].has_regress = true;
	base[0].regress = 0.10;
	fill_rule(&base[1], "parse", "wall", 'x', 150 * MS);
	/* head loosens checksum to max 500 ms, drops its regress, adds parse min 1 ms */
	fill_rule(&head[0], "checksum", "wall", 'x', 500 * MS);
	fill_rule(&head[1], "parse", "wall", 'x', 150 * MS);
	head[1].has_min = true;
	head[1].min = 1 * MS;
	n = rep.nr_notices;
	pg_budget_apply(&rep, base, 2, head, 2, true);
	assert_int_equal(rep.nr_notices, n + 1);
	assert_non_null(
	    strstr(rep.notices[n], "3 budget rules changed in this change, not applied"));

	m = pg_report_find_metric(&rep, "checksum", "wall");
	assert_int_equal(m->nr_checks, 2);
	/* the base's max 250 ms is applied and fails: the loosening is not applied */
	assert_int_equal(m->checks[0].rule, PG_REPORT_RULE_MAX);
	assert_int_equal(m->checks[0].outcome, PG_REPORT_FAIL);
	assert_string_equal(m->checks[0].note,
			    "budget max 250 ms changed to max 500 ms in this change, not applied "
			    "(budgets come from the base commit)");
	assert_int_equal(m->checks[1].rule, PG_REPORT_RULE_REGRESS);
	assert_non_null(strstr(m->checks[1].note, "budget regress 10% removed in this change"));

	m = pg_report_find_metric(&rep, "parse", "wall");
	assert_int_equal(m->nr_checks, 2);
	assert_null(m->checks[0].note);
	assert_int_equal(m->checks[1].rule, PG_REPORT_RULE_MIN);
	assert_int_equal(m->checks[1].outcome, PG_REPORT_SKIPPED);
	assert_string_equal(m->checks[1].message,
			    "parse wall: budget min 1 ms added in this change, not applied "
			    "(budgets come from the base commit)");
	assert_int_equal(pg_budget_exit_code(pg_report_overall(&rep)), PG_EXIT_BREACH);
	pg_report_release(&rep);

	/* Identical sets: nothing marked. */
	assert_int_equal(pg_budget_mark_changes(&rep, base, 2, base, 2), 0);
	assert_int_equal(rep.nr_notices, 0);
	pg_report_release(&rep);
}

static void test_judge_configs(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_budget_rule r;
	struct pg_config head = PG_CONFIG_INIT, base = PG_CONFIG_INIT;

	(void)state;
	/* First adoption: the base has no config; head's budgets apply, unverified. */
	add_measured(&rep, "checksum", "wall", PG_REPORT_LOWER_IS_BETTER, 200 * MS, 412 * MS);
	fill_rule(&r, "checksum", "wall", 'x', 250 * MS);
	head.budgets = &r;
	head.nr_budgets = 1;
	pg_budget_judge(&rep, NULL, &head);
	assert_false(rep.budgets_from_base);
	assert_int_equal(rep.nr_notices, 1);
	assert_non_null(strstr(rep.notices[0], "budgets not verified against the base"));
	assert_int_equal(rep.metrics[0].checks[0].outcome, PG_REPORT_FAIL);
	pg_report_release(&rep);

	/* Head deleted its config: the base's budgets still apply. */
	add_measured(&rep, "checksum", "wall", PG_REPORT_LOWER_IS_BETTER, 200 * MS, 412 * MS);
	base.budgets = &r;
	base.nr_budgets = 1;
	pg_budget_judge(&rep, &base, NULL);
	assert_true(rep.budgets_from_base);
	assert_int_equal(rep.metrics[0].checks[0].outcome, PG_REPORT_FAIL);
	assert_non_null(rep.metrics[0].checks[0].note);
	pg_report_release(&rep);
}

struct exit_case {
	const enum pg_report_outcome outcomes[4];
	size_t n;
	enum pg_report_outcome want;
	int want_code;
};

static void test_exit_precedence(void **state)
{
	static const struct exit_case ec[] = {
	    {{PG_REPORT_PASS}, 1, PG_REPORT_PASS, 0},
	    {{PG_REPORT_SKIPPED, PG_REPORT_PASS}, 2, PG_REPORT_PASS, 0},
	    {{PG_REPORT_PASS, PG_REPORT_FAIL}, 2, PG_REPORT_FAIL, 1},
	    {{PG_REPORT_INCONCLUSIVE, PG_REPORT_PASS}, 2, PG_REPORT_INCONCLUSIVE, 3},
	    {{PG_REPORT_INCONCLUSIVE, PG_REPORT_ERROR}, 2, PG_REPORT_ERROR, 4},
	    {{PG_REPORT_ERROR, PG_REPORT_FAIL, PG_REPORT_INCONCLUSIVE}, 3, PG_REPORT_FAIL, 1},
	    {{PG_REPORT_INCONCLUSIVE, PG_REPORT_FAIL}, 2, PG_REPORT_FAIL, 1},
	    {{0}, 0, PG_REPORT_PASS, 0},
	};

	(void)state;
	for (size_t i = 0; i < PG_ARRAY_SIZE(ec); i++) {
		struct pg_report rep = PG_REPORT_INIT;
		struct pg_report_metric *m =
		    pg_report_add_metric(&rep, "b", "wall", "ns", PG_REPORT_LOWER_IS_BETTER);

		for (size_t j = 0; j < ec[i].n; j++)
			pg_report_metric_add_check(m, PG_REPORT_RULE_MAX, 1, ec[i].outcomes[j],
						   "m");
		assert_int_equal(pg_report_overall(&rep), ec[i].want);
		assert_int_equal(pg_budget_exit_code(pg_report_overall(&rep)), ec[i].want_code);
		pg_report_release(&rep);
	}
	assert_int_equal(pg_budget_exit_code(PG_REPORT_FAIL), PG_EXIT_BREACH);
	assert_int_equal(pg_budget_exit_code(PG_REPORT_INCONCLUSIVE), PG_EXIT_INCONCLUSIVE);
	assert_int_equal(pg_budget_exit_code(PG_REPORT_ERROR), PG_EXIT_INFRA);
}

static void test_metric_info(void **state)
{
	const char *unit = NULL;
	enum pg_report_direction dir = PG_REPORT_HIGHER_IS_BETTER;

	(void)state;
	assert_true(pg_budget_metric_info("max_rss", &unit, &dir));
	assert_string_equal(unit, "bytes");
	assert_int_equal(dir, PG_REPORT_LOWER_IS_BETTER);
	assert_true(pg_budget_metric_info("instructions", &unit, NULL));
	assert_string_equal(unit, "count");
	assert_false(pg_budget_metric_info("ops", &unit, &dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_judge_table),
	    cmocka_unit_test(test_noise_warning_text),
	    cmocka_unit_test(test_bench_error),
	    cmocka_unit_test(test_unmeasured_metric_is_error),
	    cmocka_unit_test(test_changed_budgets),
	    cmocka_unit_test(test_judge_configs),
	    cmocka_unit_test(test_exit_precedence),
	    cmocka_unit_test(test_metric_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
