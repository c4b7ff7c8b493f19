/*
 * report_junit: a gate report as JUnit XML.
 *
 * Owns: the XML text, valid against tests/data/junit-10.xsd (Jenkins'
 * xunit schema), read by GitLab's and GitHub's test reporters. Shape:
 *   <testsuites name="perfgate"> with one <testsuite name="perfgate.budgets">;
 *   <properties>: perfgate.result, perfgate.base_sha / base_subject,
 *     perfgate.head_sha / head_subject, perfgate.budgets_from ("base", or
 *     "head (not verified against the base)"), perfgate.budget_file,
 *     one perfgate.notice per report notice;
 *   one <testcase classname="perfgate.BENCH" name="BENCH METRIC: budget RULE">
 *     per benchmark, metric and budget rule:
 *     PASS          <system-out> with the numbers
 *     FAIL          <failure type="perfgate.budget_exceeded" message=MSG>MSG ...</failure>
 *     INCONCLUSIVE  <failure type="perfgate.inconclusive" message=MSG>: the
 *                   gate exits 3 and the job fails, so the test report must
 *                   show a failing case that says why; a <skipped> would be
 *                   shown as grey, or as passed, and hide the reason.
 *                   The type tells it apart from a breach.
 *     ERROR         <error type="perfgate.error" message=MSG>MSG</error>
 *     SKIPPED       <skipped message=MSG/>
 *   the human message is in the message attribute AND in the element's text
 *   (GitLab shows only the text), followed by the budget's note (changed in
 *   this change, not applied) and the noise-floor warning; numbers
 *   (key=value) in <system-out>. A benchmark that failed without a budget,
 *   and a report-wide error, are <error> testcases too, so a gate that
 *   failed early still writes a JUnit file that says so.
 *   testcase time: the head median in seconds for time metrics, else 0.
 * Text: & < > " ' are escaped; control characters and invalid UTF-8 become
 * visible escapes ("\x1b"), so the document is always valid XML 1.0.
 */
#include <math.h>
#include <string.h>

#include "report.h"

/* Escape s for XML character data (attr false) or an attribute value. */
static void xml(struct pg_buf *out, const char *s, bool attr)
{
	struct pg_buf v = PG_BUF_INIT;

	pg_report_visibles(&v, s, PG_REPORT_KEEP_TAB_NL);
	for (size_t i = 0; i < v.len; i++) {
		char c = v.data[i];

		switch (c) {
		case '&':
			pg_buf_adds(out, "&amp;");
			break;
		case '<':
			pg_buf_adds(out, "&lt;");
			break;
		case '>':
			pg_buf_adds(out, "&gt;");
			break;
		case '"':
			pg_buf_adds(out, attr ? "&quot;" : "\"");
			break;
		case '\'':
			pg_buf_adds(out, attr ? "&apos;" : "'");
			break;
		/* Attribute-value normalisation would turn these into spaces. */
		case '\t':
			pg_buf_adds(out, attr ? "&#9;" : "\t");
			break;
		case '\n':
			pg_buf_adds(out, attr ? "&#10;" : "\n");
			break;
		default:
			pg_buf_addc(out, c);
			break;
		}
	}
	pg_buf_release(&v);
}

static void property(struct pg_buf *out, const char *name, const char *value)
{
	if (!value)
		return;
	pg_buf_adds(out, "      <property name=\"");
	xml(out, name, true);
	pg_buf_adds(out, "\" value=\"");
	xml(out, value, true);
	pg_buf_adds(out, "\"/>\n");
}

static void number(struct pg_buf *out, const char *key, double v)
{
	if (isfinite(v))
		pg_buf_addf(out, " %s=%.10g", key, v);
	else
		pg_buf_addf(out, " %s=n/a", key);
}

/* The key=value numbers of a metric (and rule) for <system-out>. */
static void numbers(struct pg_buf *out, const struct pg_report_metric *m,
		    const struct pg_report_check *c)
{
	struct pg_buf t = PG_BUF_INIT;

	pg_buf_adds(&t, "metric=");
	pg_buf_adds(&t, m->metric);
	pg_buf_adds(&t, " unit=");
	pg_buf_adds(&t, *m->unit ? m->unit : "-");
	pg_buf_adds(&t, m->direction == PG_REPORT_HIGHER_IS_BETTER ? " better=higher"
								   : " better=lower");
	number(&t, "base", m->base_median);
	number(&t, "head", m->head_median);
	if (m->has_cmp) {
		const struct pg_report_compare *k = &m->cmp;

		number(&t, "ratio", k->ratio);
		number(&t, "effect_ratio", k->effect_ratio);
		number(&t, "ci_low", k->ci_low);
		number(&t, "ci_high", k->ci_high);
		number(&t, "confidence", k->confidence);
		pg_buf_addf(&t, " verdict=%s", pg_report_verdict_name(k->verdict));
		number(&t, "p", k->p_value);
		pg_buf_addf(&t, " runs_base=%u runs_head=%u", k->runs_base, k->runs_head);
		number(&t, "cv_base", k->cv_base);
		number(&t, "cv_head", k->cv_head);
		number(&t, "min_effect", k->min_effect);
	} else {
		pg_buf_addf(&t, " runs_base=%zu runs_head=%zu", m->nr_base, m->nr_head);
	}
	if (c) {
		pg_buf_addf(&t, " budget=%s", pg_report_rule_name(c->rule));
		number(&t, "limit", c->limit);
		pg_buf_addf(&t, " outcome=%s", pg_report_outcome_name(c->outcome));
		if (c->note) {
			pg_buf_adds(&t, "\nnote: ");
			pg_buf_adds(&t, c->note);
		}
		if (c->warning) {
			pg_buf_adds(&t, "\nwarning: ");
			pg_buf_adds(&t, c->warning);
		}
	}
	pg_buf_adds(out, "      <system-out>");
	xml(out, pg_buf_cstr(&t), false);
	pg_buf_adds(out, "</system-out>\n");
	pg_buf_release(&t);
}

static void testcase_open(struct pg_buf *out, const char *bench, const char *name, double time_s)
{
	pg_buf_adds(out, "    <testcase classname=\"perfgate.");
	xml(out, bench, true);
	pg_buf_adds(out, "\" name=\"");
	xml(out, name, true);
	pg_buf_addf(out, "\" time=\"%.3f\">\n", isfinite(time_s) && time_s >= 0 ? time_s : 0.0);
}

/* element with message attribute and the message (plus extra lines) as text */
static void outcome_element(struct pg_buf *out, const char *elem, const char *type,
			    const char *message, const struct pg_report_check *c)
{
	pg_buf_addf(out, "      <%s type=\"%s\" message=\"", elem, type);
	xml(out, message ? message : "", true);
	pg_buf_adds(out, "\">");
	xml(out, message ? message : "", false);
	if (c && c->note) {
		pg_buf_adds(out, "\nnote: ");
		xml(out, c->note, false);
	}
	if (c && c->warning) {
		pg_buf_adds(out, "\nwarning: ");
		xml(out, c->warning, false);
	}
	pg_buf_addf(out, "</%s>\n", elem);
}

static void check_case(struct pg_buf *out, const struct pg_report_metric *m,
		       const struct pg_report_check *c)
{
	struct pg_buf name = PG_BUF_INIT;
	double t = !strcmp(m->unit, "ns") ? m->head_median / 1e9 : 0;

	pg_buf_addf(&name, "%s %s: budget ", m->bench, m->metric);
	pg_report_format_rule(&name, c->rule, c->limit, m->unit);
	testcase_open(out, m->bench, pg_buf_cstr(&name), t);
	switch (c->outcome) {
	case PG_REPORT_PASS:
		break;
	case PG_REPORT_FAIL:
		outcome_element(out, "failure", "perfgate.budget_exceeded", c->message, c);
		break;
	case PG_REPORT_INCONCLUSIVE:
		outcome_element(out, "failure", "perfgate.inconclusive", c->message, c);
		break;
	case PG_REPORT_ERROR:
		outcome_element(out, "error", "perfgate.error", c->message, c);
		break;
	case PG_REPORT_SKIPPED:
		pg_buf_adds(out, "      <skipped message=\"");
		xml(out, c->message ? c->message : "", true);
		pg_buf_adds(out, "\"/>\n");
		break;
	}
	numbers(out, m, c);
	pg_buf_adds(out, "    </testcase>\n");
	pg_buf_release(&name);
}

void pg_report_render_junit(struct pg_buf *out, const struct pg_report *rep)
{
	struct pg_report_counts n;
	double time_s = (double)rep->duration_ns / 1e9;
	size_t failures;

	pg_report_count(rep, &n);
	failures = n.fail + n.inconclusive;
	pg_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	pg_buf_addf(out,
		    "<testsuites name=\"perfgate\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		    "time=\"%.3f\">\n",
		    n.checks, failures, n.error, time_s);
	pg_buf_addf(out,
		    "  <testsuite name=\"perfgate.budgets\" tests=\"%zu\" failures=\"%zu\" "
		    "errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
		    n.checks, failures, n.error, n.skipped, time_s);
	if (rep->timestamp) {
		pg_buf_adds(out, " timestamp=\"");
		xml(out, rep->timestamp, true);
		pg_buf_addc(out, '"');
	}
	if (rep->hostname) {
		pg_buf_adds(out, " hostname=\"");
		xml(out, rep->hostname, true);
		pg_buf_addc(out, '"');
	}
	pg_buf_adds(out, ">\n    <properties>\n");
	property(out, "perfgate.result", pg_report_outcome_name(pg_report_overall(rep)));
	property(out, "perfgate.base_sha", rep->base_id);
	property(out, "perfgate.base_subject", rep->base_subject);
	property(out, "perfgate.head_sha", rep->head_id);
	property(out, "perfgate.head_subject", rep->head_subject);
	property(out, "perfgate.budgets_from",
		 rep->budgets_from_base ? "base" : "head (not verified against the base)");
	property(out, "perfgate.budget_file", rep->budget_file);
	for (size_t i = 0; i < rep->nr_notices; i++)
		property(out, "perfgate.notice", rep->notices[i]);
	pg_buf_adds(out, "    </properties>\n");

	if (rep->error) {
		pg_buf_adds(out, "    <testcase classname=\"perfgate\" name=\"perfgate\" "
				 "time=\"0.000\">\n");
		outcome_element(out, "error", "perfgate.error", rep->error, NULL);
		pg_buf_adds(out, "    </testcase>\n");
	}
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		const struct pg_report_metric *m = &rep->metrics[i];

		if (m->error && !m->nr_checks) {
			struct pg_buf name = PG_BUF_INIT;

			pg_buf_addf(&name, "%s %s", m->bench, m->metric);
			testcase_open(out, m->bench, pg_buf_cstr(&name), 0);
			pg_buf_release(&name);
			pg_buf_addf(&name, "%s: %s", m->bench, m->error);
			outcome_element(out, "error", "perfgate.error", pg_buf_cstr(&name), NULL);
			pg_buf_release(&name);
			pg_buf_adds(out, "    </testcase>\n");
		}
		for (size_t j = 0; j < m->nr_checks; j++)
			check_case(out, m, &m->checks[j]);
	}
	pg_buf_adds(out, "  </testsuite>\n</testsuites>\n");
}
