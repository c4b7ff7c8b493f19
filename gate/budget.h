/*
 * budget: the gate's judgement. Pure: results x budgets -> verdicts.
 *
 * Owns: applying budget rules (struct pg_budget_rule from config.h) to the
 * metrics of a struct pg_report (report.h), the human message of every
 * check, noticing budgets that the change itself edits, the noise-floor
 * warning, and the overall exit code. Must not: run, measure, read a
 * clock, print or write files.
 *
 * Use (perfgate check, after measuring):
 *   1. fill rep with commits, metrics, samples and comparisons (report.h);
 *   2. pg_budget_judge(&rep, base_cfg, head_cfg);
 *        base_cfg: the config read from the base commit, or NULL when the
 *        base has none (first adoption: head's budgets are applied and the
 *        report says "budgets not verified against the base"; the command
 *        decides whether --require-base-budgets makes that exit 2);
 *        head_cfg: the head's config, or NULL when head deleted it.
 *   3. code = pg_budget_exit_code(pg_report_overall(&rep)); render; return code.
 *
 * The rules, one check (one JUnit testcase) per benchmark, metric and rule:
 *   max      head median > max                      -> FAIL, else PASS
 *   min      head median < min                      -> FAIL, else PASS
 *   regress  verdict DIFFERENT, head worse than base, and the relative
 *            worsening (point estimate of the ratio; for higher-is-better
 *            metrics 1 - ratio) beyond the tolerance  -> FAIL
 *            DIFFERENT and worse within the tolerance, DIFFERENT and
 *            better, or SAME                         -> PASS
 *            UNKNOWN (after the maximum number of runs) -> INCONCLUSIVE,
 *            never a pass
 *            no base value (new benchmark)           -> SKIPPED
 *   any rule: the benchmark failed (metric->error)   -> ERROR;
 *             no head value while the base has one, or neither has one -> ERROR
 *             (a change that stops reporting a metric must not slip by);
 *             max/min with no head value but a base one -> ERROR.
 * Budgets come from the base. A rule that head adds is a SKIPPED check
 * "added in this change, not applied"; one that head changes or removes
 * keeps the base rule, with the note "changed in this change, not applied".
 * A regress tolerance below the comparison's min_effect gets a warning
 * (the budget is tighter than the noise lets this many runs see).
 */
#ifndef PG_BUDGET_H
#define PG_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "report.h"

/*
 * Judge rep against the budgets (see above). Adds checks to rep's metrics
 * (adding a metric row for a budgeted metric that was not measured), sets
 * rep->budgets_from_base and adds notices. Call once per report.
 */
void pg_budget_judge(struct pg_report *rep, const struct pg_config *base,
		     const struct pg_config *head);

/*
 * The same with bare rule arrays: rules are applied; head_rules (may be
 * NULL with 0) are compared with rules to mark what the change edits.
 * from_base says where rules came from.
 */
void pg_budget_apply(struct pg_report *rep, const struct pg_budget_rule *rules, size_t nr_rules,
		     const struct pg_budget_rule *head_rules, size_t nr_head, bool from_base);

/*
 * Compare the base's and the head's rule sets and mark in rep each
 * changed, added or removed rule (called by pg_budget_apply; rules must
 * already have been applied). Returns how many rules differ.
 */
size_t pg_budget_mark_changes(struct pg_report *rep, const struct pg_budget_rule *base,
			      size_t nr_base, const struct pg_budget_rule *head, size_t nr_head);

/*
 * The exit code of the gate: PASS (and SKIPPED) 0, FAIL 1, INCONCLUSIVE 3,
 * ERROR 4 (the PG_EXIT_* values of cmd.h). With pg_report_overall()'s
 * precedence, a definite breach (1) wins over an error (4), which wins
 * over inconclusive (3): a budget that could not be checked is worse news
 * than one that was checked and was unsure.
 */
int pg_budget_exit_code(enum pg_report_outcome overall);

/*
 * Unit and direction of the metrics perfgate measures itself ("wall",
 * "user", "sys": ns; "max_rss": bytes; "instructions": count; all lower
 * is better). Returns false for any other name (a benchmark's own metric:
 * the command takes unit and direction from its output).
 */
bool pg_budget_metric_info(const char *metric, const char **unit,
			   enum pg_report_direction *direction);

#endif
