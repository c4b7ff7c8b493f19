/*
 * Fuzz target: the report writers with hostile names. The input is split
 * at NUL bytes into strings (commit ids, subjects, benchmark, metric and
 * unit names, messages, notices) and a few control bytes; a pg_report is
 * built from them and rendered in every format. Checked:
 *   JUnit    well-formed XML 1.0 (xmlcheck.h), and every benchmark's
 *            classname reads back as "perfgate." + its visible name (E1, E2)
 *   JSON     parses with cJSON, is valid UTF-8 (E5)
 *   annotations  every line is a workflow command ("::"): a name cannot
 *            start a command of its own
 *   markdown at most the byte limit asked for, valid UTF-8
 *   metrics  valid UTF-8, ends with "# EOF"
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "report.h"
#include "xmlcheck.h"

struct cursor {
	const char *p, *end;
};

static const char *next(struct cursor *c)
{
	if (c->p >= c->end)
		return "";
	const char *s = c->p;
	const char *z = memchr(s, '\0', (size_t)(c->end - s));
	c->p = z ? z + 1 : c->end;
	return s;
}

static unsigned byte(struct cursor *c)
{
	if (c->p >= c->end)
		return 0;
	return (unsigned char)*c->p++;
}

struct classes {
	struct pg_buf all; /* every testcase classname, unescaped, each NUL-terminated */
};

static void on_attr(void *ctx, const char *elem, size_t elem_len, const char *name, size_t name_len,
		    const char *value, size_t value_len)
{
	struct classes *cl = ctx;
	if (elem_len == 8 && !memcmp(elem, "testcase", 8) && name_len == 9 &&
	    !memcmp(name, "classname", 9)) {
		pg_buf_add(&cl->all, value, value_len);
		pg_buf_addc(&cl->all, '\0');
	}
}

static bool has_class(const struct classes *cl, const char *want)
{
	size_t n = strlen(want) + 1;
	for (size_t i = 0; i < cl->all.len;) {
		const char *v = cl->all.data + i;
		size_t vl = strlen(v) + 1;
		if (vl == n && !memcmp(v, want, n))
			return true;
		i += vl;
	}
	return false;
}

static char *nz(const char *s)
{
	return *s ? pg_xstrdup(s) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* NUL-terminated copy: the last string ends at the end of the input. */
	char *copy = pg_xmalloc(size + 1);
	if (size)
		memcpy(copy, data, size);
	copy[size] = '\0';
	struct cursor c = {copy, copy + size};
	struct pg_report rep = PG_REPORT_INIT;
	unsigned flags = byte(&c);

	const char *base_id = next(&c), *base_subject = next(&c);
	const char *head_id = next(&c), *head_subject = next(&c);
	pg_report_set_commits(&rep, *base_id ? base_id : NULL, base_subject, head_id,
			      *head_subject ? head_subject : NULL);
	rep.budgets_from_base = flags & 1;
	rep.budget_file = nz(next(&c));
	rep.timestamp = nz(next(&c));
	rep.hostname = nz(next(&c));
	rep.duration_ns = flags * 12345678ull;
	if (flags & 2)
		rep.error = pg_xstrdup(next(&c));
	if (flags & 4)
		pg_report_add_notice(&rep, next(&c));

	/* Up to 8 metrics, each with up to 3 checks. */
	unsigned nr = (flags >> 4) % 9;
	for (unsigned k = 0; k < nr && c.p < c.end; k++) {
		unsigned ctl = byte(&c);
		const char *bench = next(&c), *metric = next(&c), *unit = next(&c);
		struct pg_report_metric *m = pg_report_add_metric(
		    &rep, bench, metric, (ctl & 1) ? unit : NULL,
		    (ctl & 2) ? PG_REPORT_HIGHER_IS_BETTER : PG_REPORT_LOWER_IS_BETTER);
		double base[3] = {1e6 * (ctl + 1), 2e6, (ctl & 4) ? 0.0 : 3e6};
		double head[3] = {(double)byte(&c) * 1e5, -(double)ctl, 1e300};
		pg_report_metric_set_samples(m, base, (ctl >> 3) & 3, head, (ctl >> 5) & 3);
		if (ctl & 0x80) {
			m->has_cmp = true;
			m->cmp.verdict = (enum pg_report_verdict)(ctl % 3);
			m->cmp.ratio = (ctl & 4) ? NAN : 1.5;
			m->cmp.ci_low = 0;
			m->cmp.ci_high = (ctl & 8) ? INFINITY : 2.0;
			m->cmp.min_effect = INFINITY;
		}
		unsigned nchecks = ctl % 4;
		for (unsigned j = 0; j < nchecks; j++) {
			unsigned b = byte(&c);
			double limits[] = {250e6, 0, NAN, INFINITY, -1, 0.05, 1e-300, 1e300};
			struct pg_report_check *ck = pg_report_metric_add_check(
			    m, (enum pg_report_rule)(b % 3), limits[(b >> 2) & 7],
			    (enum pg_report_outcome)((b >> 5) % 5), (b & 0x80) ? NULL : next(&c));
			if (b & 0x10)
				ck->note = pg_xstrdup(next(&c));
			if (b & 0x20)
				ck->warning = pg_xstrdup(next(&c));
		}
		if (ctl & 0x40)
			pg_report_add_error(&rep, bench, next(&c));
	}
	if (flags & 8)
		pg_report_add_error(&rep, NULL, next(&c));

	struct pg_buf out = PG_BUF_INIT, want = PG_BUF_INIT;
	struct classes cl = {PG_BUF_INIT};

	pg_report_render_junit(&out, &rep);
	const char *why = xml_check(out.data, out.len, on_attr, &cl);
	if (why) {
		fprintf(stderr, "junit: %s\n%s\n", why, out.data);
		FUZZ_CHECK(why == NULL);
	}
	for (size_t i = 0; i < rep.nr_metrics; i++) {
		if (!rep.metrics[i].nr_checks && !rep.metrics[i].error)
			continue; /* no budget, no failure: no testcase */
		pg_buf_reset(&want);
		pg_buf_adds(&want, "perfgate.");
		/* JUnit keeps tab and newline (as &#9; &#10; in attributes). */
		pg_report_visibles(&want, rep.metrics[i].bench, PG_REPORT_KEEP_TAB_NL);
		if (!has_class(&cl, pg_buf_cstr(&want))) {
			fprintf(stderr, "no testcase classname '%s' in:\n%s\n", want.data,
				out.data);
			FUZZ_CHECK(0);
		}
	}

	pg_buf_reset(&out);
	pg_report_render_json(&out, &rep);
	FUZZ_CHECK(pg_utf8_valid(out.data, out.len));
	cJSON *j = cJSON_ParseWithLength(out.data, out.len);
	if (!j)
		fprintf(stderr, "json does not parse:\n%s\n", out.data);
	FUZZ_CHECK(j != NULL && cJSON_IsObject(j));
	cJSON_Delete(j);

	pg_buf_reset(&out);
	pg_report_render_annotations(&out, &rep, 0);
	FUZZ_CHECK(pg_utf8_valid(out.data, out.len));
	for (size_t i = 0; i < out.len;) {
		if (out.len - i < 2 || memcmp(out.data + i, "::", 2)) {
			fprintf(stderr, "annotation line not a command:\n%s\n", out.data + i);
			FUZZ_CHECK(0);
		}
		const char *nl = memchr(out.data + i, '\n', out.len - i);
		i = nl ? (size_t)(nl - out.data) + 1 : out.len;
	}

	size_t max = (flags & 0x80) ? 2048 : 0;
	pg_buf_reset(&out);
	pg_report_render_markdown(&out, &rep, max, (flags & 1) ? "perfgate-report" : NULL);
	FUZZ_CHECK(out.len <= (max ? max : PG_REPORT_MARKDOWN_MAX_BYTES));
	FUZZ_CHECK(pg_utf8_valid(out.data, out.len));

	pg_buf_reset(&out);
	pg_report_render_metrics(&out, &rep);
	FUZZ_CHECK(pg_utf8_valid(out.data, out.len));
	FUZZ_CHECK(out.len >= 6 && !memcmp(out.data + out.len - 6, "# EOF\n", 6));

	pg_buf_release(&out);
	pg_buf_release(&want);
	pg_buf_release(&cl.all);
	pg_report_release(&rep);
	free(copy);
	return 0;
}
