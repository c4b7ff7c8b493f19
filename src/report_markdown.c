/*
 * report_markdown: a gate report as GitHub-flavoured Markdown, for
 * $GITHUB_STEP_SUMMARY and pull/merge request comments.
 *
 * Owns: the Markdown text. Shape: a header line with the overall result,
 * a line with the counts, the commits and where the budgets came from,
 * report notices as a quote, then one table per benchmark with a row per
 * budget check (and a row for a measured metric without a budget):
 *   | metric | base | head | change [interval] | verdict | budget | result |
 * The budget's note (changed in this change, not applied) and noise-floor
 * warning go in the result cell. Tables come in the order the benchmarks
 * first appear, except that benchmarks with a failing (then erroring,
 * then inconclusive) row come first, so that a cut never hides a failure
 * behind passing rows. The whole text stays within max_bytes
 * (GitHub refuses comments over 65,536 characters; bytes >= characters):
 * rows that do not fit are counted in "N more rows in the artifact".
 * Text: every name is made visible (no raw control characters or invalid
 * UTF-8), Markdown punctuation is backslash-escaped (| ` * _ [ ] < > ~ # !
 * & \), and long names are cut (on a character boundary) to keep one row
 * from eating the budget.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define NAME_CAP 200	/* bytes of a name shown in a cell */
#define SUBJECT_CAP 120 /* bytes of a commit subject shown */
#define TRAILER_RESERVE 256

/* Bytes of s to keep to show at most cap bytes without splitting a character. */
static size_t cut_len(const char *s, size_t len, size_t cap)
{
	if (len <= cap)
		return len;
	while (cap > 0 && ((unsigned char)s[cap] & 0xc0) == 0x80)
		cap--;
	return cap;
}

/* Escaped, visible Markdown inline text of s, at most cap bytes of it. */
static void md(struct pg_buf *out, const char *s, size_t cap)
{
	struct pg_buf v = PG_BUF_INIT;
	size_t len = s ? strlen(s) : 0, keep = cut_len(s ? s : "", len, cap);

	pg_report_visible(&v, s, keep, 0);
	for (size_t i = 0; i < v.len; i++) {
		char c = v.data[i];

		if (strchr("\\`*_[]<>|~#!&", c))
			pg_buf_addc(out, '\\');
		pg_buf_addc(out, c);
	}
	if (keep < len)
		pg_buf_adds(out, "…");
	pg_buf_release(&v);
}

static bool is_hex(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return false;
	return true;
}

static void commit(struct pg_buf *out, const char *id, const char *subject)
{
	if (is_hex(id))
		pg_buf_addf(out, "`%.12s`", id);
	else if (id)
		md(out, id, 40);
	else
		pg_buf_adds(out, "(unknown)");
	if (subject) {
		pg_buf_adds(out, " (");
		md(out, subject, SUBJECT_CAP);
		pg_buf_addc(out, ')');
	}
}

static const char *outcome_label(enum pg_report_outcome o)
{
	switch (o) {
	case PG_REPORT_PASS:
		return "✅ pass";
	case PG_REPORT_FAIL:
		return "❌ fail";
	case PG_REPORT_INCONCLUSIVE:
		return "⚠️ inconclusive";
	case PG_REPORT_ERROR:
		return "💥 error";
	case PG_REPORT_SKIPPED:
		return "⏭️ skipped";
	}
	return "?";
}

static const char *headline(enum pg_report_outcome o)
{
	switch (o) {
	case PG_REPORT_FAIL:
		return "❌ budget exceeded";
	case PG_REPORT_ERROR:
		return "💥 error: a benchmark or build failed";
	case PG_REPORT_INCONCLUSIVE:
		return "⚠️ inconclusive: too noisy to decide";
	default:
		return "✅ all budgets pass";
	}
}

static void row(struct pg_buf *out, const struct pg_report_metric *m,
		const struct pg_report_check *c)
{
	double ratio = m->head_median / m->base_median;

	if (m->has_cmp && m->cmp.effect_ratio > 0)
		ratio = m->cmp.effect_ratio;
	else if (m->has_cmp && m->cmp.ratio > 0)
		ratio = m->cmp.ratio;

	pg_buf_adds(out, "| ");
	md(out, m->metric, NAME_CAP);
	pg_buf_adds(out, " | ");
	pg_report_format_value(out, m->base_median, m->unit);
	pg_buf_adds(out, " | ");
	pg_report_format_value(out, m->head_median, m->unit);
	pg_buf_adds(out, " | ");
	if (isnan(m->base_median) || isnan(m->head_median))
		pg_buf_adds(out, "n/a");
	else
		pg_report_format_pct(out, ratio - 1);
	if (m->has_cmp && isfinite(m->cmp.ci_low) && isfinite(m->cmp.ci_high)) {
		pg_buf_adds(out, " [");
		pg_report_format_pct(out, m->cmp.ci_low - 1);
		pg_buf_adds(out, ", ");
		pg_report_format_pct(out, m->cmp.ci_high - 1);
		pg_buf_addc(out, ']');
	}
	pg_buf_adds(out, " | ");
	if (m->has_cmp) {
		pg_buf_adds(out, pg_report_verdict_name(m->cmp.verdict));
		if (isfinite(m->cmp.p_value))
			pg_buf_addf(out, " (p=%.2g, %u+%u runs)", m->cmp.p_value, m->cmp.runs_base,
				    m->cmp.runs_head);
		else
			pg_buf_addf(out, " (%u+%u runs)", m->cmp.runs_base, m->cmp.runs_head);
	} else {
		pg_buf_adds(out, "—");
	}
	pg_buf_adds(out, " | ");
	if (c) {
		struct pg_buf r = PG_BUF_INIT;

		pg_report_format_rule(&r, c->rule, c->limit, m->unit);
		md(out, pg_buf_cstr(&r), NAME_CAP);
		pg_buf_release(&r);
	} else {
		pg_buf_adds(out, "—");
	}
	pg_buf_adds(out, " | ");
	if (c) {
		pg_buf_adds(out, outcome_label(c->outcome));
		if (c->outcome == PG_REPORT_ERROR && m->error) {
			pg_buf_adds(out, ": ");
			md(out, m->error, NAME_CAP);
		}
		if (c->note) {
			pg_buf_adds(out, "<br>📝 ");
			md(out, c->note, NAME_CAP * 2);
		}
		if (c->warning) {
			pg_buf_adds(out, "<br>⚠️ ");
			md(out, c->warning, NAME_CAP * 2);
		}
	} else if (m->error) {
		pg_buf_adds(out, outcome_label(PG_REPORT_ERROR));
		pg_buf_adds(out, ": ");
		md(out, m->error, NAME_CAP);
	} else {
		pg_buf_adds(out, "—");
	}
	pg_buf_adds(out, " |\n");
}

/* How bad a metric's worst row is: failures first, so a cut keeps them. */
static int severity(const struct pg_report_metric *m)
{
	static const int rank[] = {
	    [PG_REPORT_FAIL] = 0,    [PG_REPORT_ERROR] = 1, [PG_REPORT_INCONCLUSIVE] = 2,
	    [PG_REPORT_SKIPPED] = 3, [PG_REPORT_PASS] = 4,
	};
	int worst = m->error ? rank[PG_REPORT_ERROR] : rank[PG_REPORT_PASS];

	for (size_t j = 0; j < m->nr_checks; j++)
		if (rank[m->checks[j].outcome] < worst)
			worst = rank[m->checks[j].outcome];
	return worst;
}

struct row_order {
	size_t idx; /* metric index */
	const char *bench;
	size_t first; /* index of the bench's first metric: the table */
	int sev;      /* the bench's worst severity */
};

static int by_bench(const void *a, const void *b)
{
	const struct row_order *x = a, *y = b;
	int c = strcmp(x->bench, y->bench);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int by_severity(const void *a, const void *b)
{
	const struct row_order *x = a, *y = b;

	if (x->sev != y->sev)
		return x->sev - y->sev;
	if (x->first != y->first)
		return (x->first > y->first) - (x->first < y->first);
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * The metrics grouped into one table per benchmark (in order of first
 * appearance), the benchmarks with a failing row first. Caller frees.
 */
static struct row_order *sort_rows(const struct pg_report *rep)
{
	size_t n = rep->nr_metrics;
	struct row_order *o = pg_xreallocarray(NULL, n ? n : 1, sizeof(*o));

	for (size_t i = 0; i < n; i++) {
		o[i].idx = i;
		o[i].bench = rep->metrics[i].bench;
		o[i].sev = severity(&rep->metrics[i]);
	}
	qsort(o, n, sizeof(*o), by_bench);
	for (size_t i = 0, g = 0; i < n; i++) {
		if (i == 0 || strcmp(o[i].bench, o[g].bench))
			g = i;
		o[i].first = o[g].idx;
		if (o[i].sev < o[g].sev)
			o[g].sev = o[i].sev;
	}
	/* every row of a group takes the group's worst severity */
	for (size_t i = 0, g = 0; i < n; i++) {
		if (i == 0 || o[i].first != o[g].first)
			g = i;
		o[i].sev = o[g].sev;
	}
	qsort(o, n, sizeof(*o), by_severity);
	return o;
}

static size_t nr_rows(const struct pg_report_metric *m)
{
	return m->nr_checks ? m->nr_checks : 1;
}

void pg_report_render_markdown(struct pg_buf *out, const struct pg_report *rep, size_t max_bytes,
			       const char *artifact)
{
	struct pg_report_counts n;
	enum pg_report_outcome overall = pg_report_overall(rep);
	size_t start = out->len, total_rows = 0, shown = 0, limit;
	struct pg_buf r = PG_BUF_INIT, t = PG_BUF_INIT;
	struct row_order *order;
	bool cut = false;

	if (!max_bytes)
		max_bytes = PG_REPORT_MARKDOWN_MAX_BYTES;
	limit = max_bytes > TRAILER_RESERVE * 2 ? max_bytes - TRAILER_RESERVE : max_bytes / 2;
	pg_report_count(rep, &n);

	pg_buf_addf(out, "## perfgate: %s\n\n", headline(overall));
	pg_buf_addf(out, "**%zu failed**, %zu inconclusive, %zu error%s, %zu passed, %zu skipped. ",
		    n.fail, n.inconclusive, n.error, n.error == 1 ? "" : "s", n.pass, n.skipped);
	pg_buf_adds(out, "Base ");
	commit(out, rep->base_id, rep->base_subject);
	pg_buf_adds(out, " → head ");
	commit(out, rep->head_id, rep->head_subject);
	pg_buf_adds(out, rep->budgets_from_base
			     ? "; budgets from the base commit.\n"
			     : "; **budgets not verified against the base** (the base has no "
			       "config).\n");
	if (rep->error) {
		pg_buf_adds(out, "\n💥 ");
		md(out, rep->error, NAME_CAP * 4);
		pg_buf_addc(out, '\n');
	}

	for (size_t i = 0; i < rep->nr_metrics; i++)
		total_rows += nr_rows(&rep->metrics[i]);
	total_rows += rep->nr_notices;

	for (size_t i = 0; i < rep->nr_notices && !cut; i++) {
		pg_buf_reset(&r);
		pg_buf_adds(&r, i ? "> " : "\n> ");
		md(&r, rep->notices[i], NAME_CAP * 4);
		pg_buf_adds(&r, "\n");
		if (out->len - start + r.len > limit) {
			cut = true;
			break;
		}
		pg_buf_add(out, r.data, r.len);
		shown++;
	}

	order = sort_rows(rep);
	for (size_t k = 0; k < rep->nr_metrics && !cut; k++) {
		const struct pg_report_metric *m = &rep->metrics[order[k].idx];
		bool new_table = k == 0 || order[k].first != order[k - 1].first;

		if (new_table) {
			pg_buf_reset(&t);
			pg_buf_adds(&t, "\n### ");
			md(&t, m->bench, NAME_CAP);
			pg_buf_adds(
			    &t, "\n\n| metric | base | head | change [interval] | verdict | "
				"budget | result |\n| --- | --- | --- | --- | --- | --- | --- |\n");
		}
		for (size_t j = 0; j < nr_rows(m); j++) {
			pg_buf_reset(&r);
			if (new_table && j == 0)
				pg_buf_add(&r, t.data, t.len);
			row(&r, m, m->nr_checks ? &m->checks[j] : NULL);
			if (out->len - start + r.len > limit) {
				cut = true;
				break;
			}
			pg_buf_add(out, r.data, r.len);
			shown++;
		}
	}
	free(order);
	if (shown < total_rows) {
		pg_buf_addf(out, "\n_%zu more row%s in the artifact", total_rows - shown,
			    total_rows - shown == 1 ? "" : "s");
		if (artifact) {
			pg_buf_adds(out, " (");
			md(out, artifact, 100);
			pg_buf_addc(out, ')');
		}
		pg_buf_adds(out, "._\n");
	}
	/* Only a tiny max_bytes can get here: cut on a character boundary. */
	if (out->len - start > max_bytes) {
		out->len = start + cut_len(out->data + start, out->len - start, max_bytes);
		out->data[out->len] = 0;
	}
	pg_buf_release(&r);
	pg_buf_release(&t);
}
