/*
 * budget: results x budgets -> checks. Pure; see budget.h for the rules.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "cmd.h"

static const struct {
	const char *name, *unit;
} builtin_metrics[] = {
    {"wall", "ns"}, {"user", "ns"}, {"sys", "ns"}, {"max_rss", "bytes"}, {"instructions", "count"},
};

bool pg_budget_metric_info(const char *metric, const char **unit,
			   enum pg_report_direction *direction)
{
	for (size_t i = 0; i < PG_ARRAY_SIZE(builtin_metrics); i++) {
		if (strcmp(metric, builtin_metrics[i].name))
			continue;
		if (unit)
			*unit = builtin_metrics[i].unit;
		if (direction)
			*direction = PG_REPORT_LOWER_IS_BETTER;
		return true;
	}
	return false;
}

int pg_budget_exit_code(enum pg_report_outcome overall)
{
	switch (overall) {
	case PG_REPORT_FAIL:
		return PG_EXIT_BREACH;
	case PG_REPORT_ERROR:
		return PG_EXIT_INFRA;
	case PG_REPORT_INCONCLUSIVE:
		return PG_EXIT_INCONCLUSIVE;
	case PG_REPORT_PASS:
	case PG_REPORT_SKIPPED:
		return PG_EXIT_OK;
	}
	return PG_EXIT_INFRA;
}

/* The metric row for (bench, metric), added (unmeasured) when missing. */
static struct pg_report_metric *metric_for(struct pg_report *rep, const char *bench,
					   const char *metric)
{
	struct pg_report_metric *m = pg_report_find_metric(rep, bench, metric);
	const char *unit = "";
	enum pg_report_direction dir = PG_REPORT_LOWER_IS_BETTER;

	const char *error = NULL;

	if (m)
		return m;
	pg_budget_metric_info(metric, &unit, &dir);
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		m = &rep->metrics[i];
		if (strcmp(m->bench, bench) || !m->error)
			continue;
		/*
		 * The benchmark failed before it measured anything: its
		 * placeholder row (pg_report_add_error) becomes this metric's, so
		 * the failure is told once, in the budget's own check.
		 */
		if (!strcmp(m->metric, "run") && !m->nr_checks && !m->nr_base && !m->nr_head) {
			free(m->metric);
			free(m->unit);
			m->metric = pg_xstrdup(metric);
			m->unit = pg_xstrdup(unit);
			m->direction = dir;
			return m;
		}
		error = m->error;
	}
	m = pg_report_add_metric(rep, bench, metric, unit, dir);
	if (error)
		m->error = pg_xstrdup(error);
	return m;
}

static double ratio_of(const struct pg_report_metric *m)
{
	/* A ratio of positive samples is > 0: 0 is an unfilled field. */
	if (m->has_cmp && m->cmp.effect_ratio > 0)
		return m->cmp.effect_ratio;
	if (m->has_cmp && m->cmp.ratio > 0)
		return m->cmp.ratio;
	if (isnan(m->base_median) || isnan(m->head_median))
		return NAN;
	if (m->base_median == 0)
		return m->head_median == 0 ? 1.0 : (m->head_median > 0 ? INFINITY : -INFINITY);
	return m->head_median / m->base_median;
}

/* Relative worsening of head against base (> 0 worse), from a ratio. */
static double worsening(const struct pg_report_metric *m, double ratio)
{
	return m->direction == PG_REPORT_HIGHER_IS_BETTER ? 1 - ratio : ratio - 1;
}

/* "head 412 ms vs base 201 ms, +105% [+98%, +112%], different (p=0.0002)" */
static void describe_comparison(struct pg_buf *b, const struct pg_report_metric *m)
{
	double ratio = ratio_of(m);

	pg_buf_adds(b, "head ");
	pg_report_format_value(b, m->head_median, m->unit);
	pg_buf_adds(b, " vs base ");
	pg_report_format_value(b, m->base_median, m->unit);
	pg_buf_adds(b, ", ");
	pg_report_format_pct(b, ratio - 1);
	if (m->has_cmp && isfinite(m->cmp.ci_low) && isfinite(m->cmp.ci_high)) {
		pg_buf_adds(b, " [");
		pg_report_format_pct(b, m->cmp.ci_low - 1);
		pg_buf_adds(b, ", ");
		pg_report_format_pct(b, m->cmp.ci_high - 1);
		pg_buf_addc(b, ']');
	}
	if (m->has_cmp) {
		pg_buf_addf(b, ", %s", pg_report_verdict_name(m->cmp.verdict));
		if (isfinite(m->cmp.p_value))
			pg_buf_addf(b, " (p=%.2g)", m->cmp.p_value);
	}
}

static void add_rule(struct pg_buf *b, enum pg_report_rule rule, double limit,
		     const struct pg_report_metric *m)
{
	pg_buf_adds(b, "budget ");
	pg_report_format_rule(b, rule, limit, m->unit);
}

static void judge_absolute(struct pg_buf *b, struct pg_report_metric *m, enum pg_report_rule rule,
			   double limit, enum pg_report_outcome *outcome)
{
	bool breach;

	if (isnan(m->head_median)) {
		*outcome = PG_REPORT_ERROR;
		pg_buf_adds(b, "no value measured in head; ");
		add_rule(b, rule, limit, m);
		pg_buf_adds(b, " not checked");
		return;
	}
	breach = rule == PG_REPORT_RULE_MAX ? m->head_median > limit : m->head_median < limit;
	*outcome = breach ? PG_REPORT_FAIL : PG_REPORT_PASS;
	pg_buf_adds(b, "head ");
	pg_report_format_value(b, m->head_median, m->unit);
	if (!isnan(m->base_median)) {
		pg_buf_adds(b, " (base ");
		pg_report_format_value(b, m->base_median, m->unit);
		pg_buf_addc(b, ')');
	}
	pg_buf_adds(b, breach ? "; " : "; within ");
	add_rule(b, rule, limit, m);
	if (breach)
		pg_buf_adds(b, " exceeded");
}

static void judge_regress(struct pg_buf *b, struct pg_report_metric *m, double limit,
			  enum pg_report_outcome *outcome)
{
	double ratio, worse;

	if (isnan(m->head_median)) {
		*outcome = PG_REPORT_ERROR;
		pg_buf_adds(b, "no value measured in head; ");
		add_rule(b, PG_REPORT_RULE_REGRESS, limit, m);
		pg_buf_adds(b, " not checked");
		return;
	}
	if (isnan(m->base_median)) {
		*outcome = PG_REPORT_SKIPPED;
		pg_buf_adds(b, "head ");
		pg_report_format_value(b, m->head_median, m->unit);
		pg_buf_adds(b, ", no base value to compare with (new in this change?); ");
		add_rule(b, PG_REPORT_RULE_REGRESS, limit, m);
		pg_buf_adds(b, " not applied");
		return;
	}
	describe_comparison(b, m);
	if (!m->has_cmp) {
		*outcome = PG_REPORT_INCONCLUSIVE;
		pg_buf_adds(b, ", no statistical comparison; inconclusive against ");
		add_rule(b, PG_REPORT_RULE_REGRESS, limit, m);
		return;
	}
	ratio = ratio_of(m);
	worse = worsening(m, ratio);
	switch (m->cmp.verdict) {
	case PG_REPORT_VERDICT_UNKNOWN:
		*outcome = PG_REPORT_INCONCLUSIVE;
		pg_buf_addf(b, " after %u vs %u runs; inconclusive against ", m->cmp.runs_base,
			    m->cmp.runs_head);
		add_rule(b, PG_REPORT_RULE_REGRESS, limit, m);
		break;
	case PG_REPORT_VERDICT_DIFFERENT:
		if (!isnan(worse) && worse > limit) {
			*outcome = PG_REPORT_FAIL;
			pg_buf_adds(b, "; ");
			add_rule(b, PG_REPORT_RULE_REGRESS, limit, m);
			pg_buf_adds(b, " exceeded");
			break;
		}
		/* better, or worse within the tolerance */
		__attribute__((fallthrough));
	case PG_REPORT_VERDICT_SAME:
		*outcome = PG_REPORT_PASS;
		pg_buf_adds(b, worse < 0 && m->cmp.verdict == PG_REPORT_VERDICT_DIFFERENT
				   ? "; improved, within "
				   : "; within ");
		add_rule(b, PG_REPORT_RULE_REGRESS, limit, m);
		break;
	}
}

static void noise_warning(struct pg_report_metric *m, struct pg_report_check *c)
{
	struct pg_buf b = PG_BUF_INIT;
	const struct pg_report_compare *cmp = &m->cmp;

	if (c->rule != PG_REPORT_RULE_REGRESS || !m->has_cmp || isnan(cmp->min_effect) ||
	    !(c->limit < cmp->min_effect))
		return;
	pg_buf_adds(&b, m->bench);
	pg_buf_addc(&b, ' ');
	pg_buf_adds(&b, m->metric);
	pg_buf_adds(&b, ": budget ");
	pg_report_format_rule(&b, c->rule, c->limit, m->unit);
	pg_buf_adds(&b, " is below the noise floor: ");
	pg_buf_addf(&b, "with %u vs %u runs", cmp->runs_base, cmp->runs_head);
	if (isfinite(cmp->cv_base) && isfinite(cmp->cv_head))
		pg_buf_addf(&b, " (CV %.1f%% base, %.1f%% head)", cmp->cv_base * 100,
			    cmp->cv_head * 100);
	if (isfinite(cmp->min_effect))
		pg_buf_addf(&b, " the smallest detectable change is %.1f%%", cmp->min_effect * 100);
	else
		pg_buf_adds(&b, " no change is detectable");
	free(c->warning);
	c->warning = pg_buf_detach(&b, NULL);
}

static void judge_rule(struct pg_report_metric *m, enum pg_report_rule rule, double limit)
{
	struct pg_buf b = PG_BUF_INIT;
	enum pg_report_outcome outcome = PG_REPORT_ERROR;
	struct pg_report_check *c;

	pg_buf_adds(&b, m->bench);
	pg_buf_addc(&b, ' ');
	pg_buf_adds(&b, m->metric);
	pg_buf_adds(&b, ": ");
	if (m->error) {
		pg_buf_adds(&b, m->error);
		pg_buf_adds(&b, "; ");
		add_rule(&b, rule, limit, m);
		pg_buf_adds(&b, " not checked");
	} else if (rule == PG_REPORT_RULE_REGRESS) {
		judge_regress(&b, m, limit, &outcome);
	} else {
		judge_absolute(&b, m, rule, limit, &outcome);
	}
	c = pg_report_metric_add_check(m, rule, limit, outcome, pg_buf_cstr(&b));
	noise_warning(m, c);
	pg_buf_release(&b);
}

void pg_budget_apply(struct pg_report *rep, const struct pg_budget_rule *rules, size_t nr_rules,
		     const struct pg_budget_rule *head_rules, size_t nr_head, bool from_base)
{
	rep->budgets_from_base = from_base;
	if (!from_base && nr_rules)
		pg_report_add_notice(rep, "budgets not verified against the base: the base commit "
					  "has no config, so the head's own budgets were applied");
	for (size_t i = 0; i < nr_rules; i++) {
		const struct pg_budget_rule *r = &rules[i];
		struct pg_report_metric *m;

		if (!r->bench || !r->metric)
			continue;
		m = metric_for(rep, r->bench, r->metric);
		if (r->has_max)
			judge_rule(m, PG_REPORT_RULE_MAX, r->max);
		if (r->has_min)
			judge_rule(m, PG_REPORT_RULE_MIN, r->min);
		if (r->has_regress)
			judge_rule(m, PG_REPORT_RULE_REGRESS, r->regress);
	}
	if (from_base)
		pg_budget_mark_changes(rep, rules, nr_rules, head_rules, nr_head);
}

void pg_budget_judge(struct pg_report *rep, const struct pg_config *base,
		     const struct pg_config *head)
{
	if (base) {
		if (!head)
			pg_report_add_notice(rep, "the head commit has no config; the base "
						  "commit's budgets were applied");
		pg_budget_apply(rep, base->budgets, base->nr_budgets, head ? head->budgets : NULL,
				head ? head->nr_budgets : 0, true);
	} else if (head) {
		pg_budget_apply(rep, head->budgets, head->nr_budgets, NULL, 0, false);
	} else {
		rep->budgets_from_base = false;
	}
}

/* ---- budgets the change edits ---- */

/* One (bench, metric, kind) rule with its limit. */
struct flat_rule {
	const char *bench, *metric;
	enum pg_report_rule rule;
	double limit;
};

static size_t flatten(const struct pg_budget_rule *rules, size_t n, struct flat_rule **out)
{
	struct flat_rule *f = NULL;
	size_t nr = 0, alloc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct pg_budget_rule *r = &rules[i];
		const struct {
			bool has;
			enum pg_report_rule rule;
			double limit;
		} kinds[] = {
		    {r->has_max, PG_REPORT_RULE_MAX, r->max},
		    {r->has_min, PG_REPORT_RULE_MIN, r->min},
		    {r->has_regress, PG_REPORT_RULE_REGRESS, r->regress},
		};

		if (!r->bench || !r->metric)
			continue;
		for (size_t k = 0; k < PG_ARRAY_SIZE(kinds); k++) {
			if (!kinds[k].has)
				continue;
			PG_GROW(f, nr + 1, alloc);
			f[nr].bench = r->bench;
			f[nr].metric = r->metric;
			f[nr].rule = kinds[k].rule;
			f[nr].limit = kinds[k].limit;
			nr++;
		}
	}
	*out = f;
	return nr;
}

static const struct flat_rule *find_flat(const struct flat_rule *f, size_t n,
					 const struct flat_rule *key)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].rule == key->rule && !strcmp(f[i].bench, key->bench) &&
		    !strcmp(f[i].metric, key->metric))
			return &f[i];
	return NULL;
}

static bool same_limit(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

static void set_note(struct pg_report *rep, const struct flat_rule *base, const char *note)
{
	struct pg_report_metric *m = metric_for(rep, base->bench, base->metric);

	for (size_t i = 0; i < m->nr_checks; i++) {
		struct pg_report_check *c = &m->checks[i];

		if (c->rule != base->rule || c->note)
			continue;
		c->note = pg_xstrdup(note);
		return;
	}
}

size_t pg_budget_mark_changes(struct pg_report *rep, const struct pg_budget_rule *base,
			      size_t nr_base, const struct pg_budget_rule *head, size_t nr_head)
{
	struct flat_rule *fb = NULL, *fh = NULL;
	size_t nb = flatten(base, nr_base, &fb), nh = flatten(head, nr_head, &fh);
	size_t changed = 0;
	struct pg_buf b = PG_BUF_INIT;

	for (size_t i = 0; i < nb; i++) {
		const struct flat_rule *h = find_flat(fh, nh, &fb[i]);
		struct pg_report_metric *m;

		if (h && same_limit(h->limit, fb[i].limit))
			continue;
		m = metric_for(rep, fb[i].bench, fb[i].metric);
		pg_buf_reset(&b);
		pg_buf_adds(&b, "budget ");
		pg_report_format_rule(&b, fb[i].rule, fb[i].limit, m->unit);
		if (h) {
			pg_buf_adds(&b, " changed to ");
			pg_report_format_rule(&b, h->rule, h->limit, m->unit);
			pg_buf_adds(&b, " in this change, not applied (budgets come from the base "
					"commit)");
		} else {
			pg_buf_adds(&b, " removed in this change, not applied (budgets come from "
					"the base commit)");
		}
		set_note(rep, &fb[i], pg_buf_cstr(&b));
		changed++;
	}
	for (size_t i = 0; i < nh; i++) {
		struct pg_report_metric *m;
		struct pg_report_check *c;

		if (find_flat(fb, nb, &fh[i]))
			continue;
		m = metric_for(rep, fh[i].bench, fh[i].metric);
		pg_buf_reset(&b);
		pg_buf_adds(&b, "budget ");
		pg_report_format_rule(&b, fh[i].rule, fh[i].limit, m->unit);
		pg_buf_adds(&b, " added in this change, not applied (budgets come from the base "
				"commit)");
		c = pg_report_metric_add_check(m, fh[i].rule, fh[i].limit, PG_REPORT_SKIPPED, NULL);
		c->note = pg_xstrdup(pg_buf_cstr(&b));
		c->message = pg_xasprintf("%s %s: %s", m->bench, m->metric, pg_buf_cstr(&b));
		changed++;
	}
	if (changed) {
		pg_buf_reset(&b);
		pg_buf_addf(&b,
			    "%zu budget rule%s changed in this change, not applied: the budgets "
			    "that judge a change come from its base commit",
			    changed, changed == 1 ? "" : "s");
		pg_report_add_notice(rep, pg_buf_cstr(&b));
	}
	pg_buf_release(&b);
	free(fb);
	free(fh);
	return changed;
}
