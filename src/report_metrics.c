/*
 * report_metrics: a gate report as OpenMetrics text for GitLab's
 * artifacts:reports:metrics (the merge request widget compares each line's
 * value with the target branch's report).
 *
 * Owns: the text. Shape (see tests/data/formats/handwritten/gitlab-metrics.txt):
 *   # HELP perfgate_metric ...
 *   # TYPE perfgate_metric gauge
 *   perfgate_metric{benchmark="B",metric="M",unit="U"} HEAD_MEDIAN
 *   perfgate_budget_violations / _inconclusive / _errors  COUNT
 *   # EOF
 * Only the head (this pipeline's commit) is reported: GitLab compares it
 * with the target branch itself. Metrics without a head value are left out
 * (OpenMetrics has NaN, but GitLab would show it as a change).
 * Benchmark and metric names go into label values, never into metric
 * names: the family names are fixed and valid ([a-zA-Z_:][a-zA-Z0-9_:]*),
 * and two names that a sanitiser would fold together ("a-b", "a_b") stay
 * apart. Label values are made visible (no control characters, valid
 * UTF-8) and escaped as OpenMetrics says (\\, \", \n).
 */
#include <math.h>
#include <string.h>

#include "report.h"

static void label(struct pg_buf *out, const char *name, const char *value, bool comma)
{
	struct pg_buf v = PG_BUF_INIT;

	pg_report_visibles(&v, value, 0);
	pg_buf_addf(out, "%s%s=\"", comma ? "," : "", name);
	for (size_t i = 0; i < v.len; i++) {
		char c = v.data[i];

		if (c == '\\' || c == '"')
			pg_buf_addc(out, '\\');
		pg_buf_addc(out, c);
	}
	pg_buf_addc(out, '"');
	pg_buf_release(&v);
}

static void count(struct pg_buf *out, const char *name, const char *help, size_t n)
{
	pg_buf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %zu\n", name, help, name, name, n);
}

void pg_report_render_metrics(struct pg_buf *out, const struct pg_report *rep)
{
	struct pg_report_counts n;

	pg_report_count(rep, &n);
	pg_buf_adds(out, "# HELP perfgate_metric Median of a benchmark metric on this pipeline's "
			 "commit, in the unit of its label.\n# TYPE perfgate_metric gauge\n");
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		const struct pg_report_metric *m = &rep->metrics[i];
		bool dup = false;

		if (!isfinite(m->head_median))
			continue;
		/* One sample per label set: a repeated (bench, metric) is shown once. */
		for (size_t j = 0; j < i && !dup; j++)
			dup = isfinite(rep->metrics[j].head_median) &&
			      !strcmp(rep->metrics[j].bench, m->bench) &&
			      !strcmp(rep->metrics[j].metric, m->metric);
		if (dup)
			continue;
		pg_buf_adds(out, "perfgate_metric{");
		label(out, "benchmark", m->bench, false);
		label(out, "metric", m->metric, true);
		label(out, "unit", m->unit, true);
		pg_buf_addf(out, "} %.10g\n", m->head_median);
	}
	count(out, "perfgate_budget_violations", "Budget checks that failed.", n.fail);
	count(out, "perfgate_budget_inconclusive", "Budget checks too noisy to decide.",
	      n.inconclusive);
	count(out, "perfgate_budget_errors", "Budget checks that could not run.", n.error);
	pg_buf_adds(out, "# EOF\n");
}
