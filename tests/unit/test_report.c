/*
 * test_report: every renderer (src/report_*.c) on a few reports, including
 * hostile names. With PG_REPORT_OUT=DIR set, the rendered documents are also
 * written to DIR (CASE.junit.xml, .md, .annotations.txt, .metrics.txt,
 * .json) with CASE.expect.json, what an outside validator should find in
 * them; tests/e2e/t0500-report-validate.sh checks them with xmllint,
 * junitparser, jq and prometheus_client.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "budget.h"
#include "report.h"

#define MS 1e6

/* Names that are valid UTF-8 and must come back exactly from XML and JSON. */
static const char *const exact_names[] = {
    "amp&lt<gt>quot\"apos'",
    "../../.git/hooks/pre-commit",
    "ünïcødé/✓",
};
/* Names that cannot be shown as they are. */
#define NAME_ESC "esc\x1b[31mred\x0c"
#define NAME_BAD_UTF8 "bad\xff\xc3(utf8"
#define NAME_PUNCT "nl\nnew%line:a,b|c`d*e_[x](y)<b>#!~&\\"

/* ---- building reports ---- */

static void measured(struct pg_report *rep, const char *bench, const char *metric, double base_ns,
		     double head_ns, enum pg_report_verdict v, double min_effect)
{
	struct pg_report_metric *m =
	    pg_report_add_metric(rep, bench, metric, "ns", PG_REPORT_LOWER_IS_BETTER);
	double b[5], h[5];
	struct pg_report_compare c = PG_REPORT_COMPARE_INIT;

	for (int i = 0; i < 5; i++) {
		b[i] = base_ns * (1 + 0.01 * (i - 2));
		h[i] = head_ns * (1 + 0.01 * (i - 2));
	}
	pg_report_metric_set_samples(m, b, 5, h, 5);
	c.verdict = v;
	c.ratio = head_ns / base_ns;
	c.effect_ratio = head_ns / base_ns;
	c.ci_low = c.ratio * 0.97;
	c.ci_high = c.ratio * 1.03;
	c.confidence = 0.99;
	c.p_value = v == PG_REPORT_VERDICT_UNKNOWN ? 0.08 : 0.0002;
	c.cv_base = c.cv_head = 0.01;
	c.min_effect = min_effect;
	c.runs_base = c.runs_head = 5;
	m->cmp = c;
	m->has_cmp = true;
}

static void rule(struct pg_budget_rule *r, const char *bench, const char *metric, char kind,
		 double limit)
{
	memset(r, 0, sizeof(*r));
	r->bench = (char *)bench;
	r->metric = (char *)metric;
	if (kind == 'x') {
		r->has_max = true;
		r->max = limit;
	} else {
		r->has_regress = true;
		r->regress = limit;
	}
}

/* pass, fail, inconclusive, error, skipped, a changed budget, a noise warning */
static void build_mixed(struct pg_report *rep)
{
	struct pg_budget_rule base[5], head[5];

	pg_report_set_commits(rep, "3f2a9d1c0b7e5a4f1e2d3c4b5a69788796a5b4c3", "Add parser",
			      "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", "Harden checksum");
	rep->budget_file = pg_xstrdup("perfgate.yml");
	rep->timestamp = pg_xstrdup("2026-01-15T10:00:00");
	rep->hostname = pg_xstrdup("ci-runner");
	rep->duration_ns = 2431234567u;
	measured(rep, "checksum", "wall", 201 * MS, 412 * MS, PG_REPORT_VERDICT_DIFFERENT, 0.03);
	measured(rep, "parse", "wall", 100 * MS, 101 * MS, PG_REPORT_VERDICT_SAME, 0.08);
	measured(rep, "format", "wall", 50 * MS, 55 * MS, PG_REPORT_VERDICT_UNKNOWN, 0.2);
	measured(rep, "noisy", "user", 50 * MS, 50 * MS, PG_REPORT_VERDICT_SAME, 0.01);
	pg_report_add_error(rep, "crashy", "run 4/10 killed by signal 11 (SIGSEGV)");
	rule(&base[0], "checksum", "wall", 'r', 0.10);
	rule(&base[1], "parse", "wall", 'r', 0.05);
	rule(&base[2], "format", "wall", 'r', 0.10);
	rule(&base[3], "crashy", "wall", 'x', 100 * MS);
	rule(&base[4], "noisy", "user", 'x', 100 * MS);
	memcpy(head, base, sizeof(head));
	rule(&head[0], "checksum", "wall", 'r', 0.50);	  /* the change loosens its own gate */
	rule(&head[4], "newbench", "wall", 'x', 10 * MS); /* and adds a budget */
	head[4].has_max = true;
	pg_budget_apply(rep, base, 5, head, 5, true);
}

/* Every hostile name as a benchmark, one failing and one passing budget each. */
static void build_hostile(struct pg_report *rep)
{
	const char *names[PG_ARRAY_SIZE(exact_names) + 3];
	size_t n = 0;

	for (size_t i = 0; i < PG_ARRAY_SIZE(exact_names); i++)
		names[n++] = exact_names[i];
	names[n++] = NAME_ESC;
	names[n++] = NAME_BAD_UTF8;
	names[n++] = NAME_PUNCT;
	pg_report_set_commits(rep, "abc\x01\xfe<&>", "subject \x1b\xff & <b>\"'", NULL, NULL);
	rep->budgets_from_base = false;
	pg_report_add_notice(rep, "notice with \x07 bell & <tag> and 100% : , done");
	for (size_t i = 0; i < n; i++) {
		struct pg_report_metric *m;

		measured(rep, names[i], "wall&<\"'", 100 * MS, 300 * MS,
			 PG_REPORT_VERDICT_DIFFERENT, 0.02);
		m = &rep->metrics[rep->nr_metrics - 1];
		pg_report_metric_add_check(m, PG_REPORT_RULE_REGRESS, 0.1, PG_REPORT_FAIL,
					   names[i]);
		pg_report_metric_add_check(m, PG_REPORT_RULE_MAX, 500 * MS, PG_REPORT_PASS, "ok");
		m->checks[0].note = pg_xstrdup(names[i]);
	}
}

static void build_early_error(struct pg_report *rep)
{
	pg_report_set_commits(rep, "3f2a9d1c0b7e5a4f1e2d3c4b5a69788796a5b4c3", NULL, NULL, NULL);
	rep->budgets_from_base = true;
	pg_report_add_error(rep, NULL,
			    "cannot create worktree for 9c1d2e3: No space left on device");
}

static void build_pass(struct pg_report *rep)
{
	struct pg_budget_rule r;

	pg_report_set_commits(rep, "3f2a9d1c0b7e5a4f1e2d3c4b5a69788796a5b4c3", "a",
			      "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", "b");
	measured(rep, "parse", "wall", 100 * MS, 100 * MS, PG_REPORT_VERDICT_SAME, 0.02);
	measured(rep, "parse", "max_rss", 1e6, 1e6, PG_REPORT_VERDICT_SAME, 0.0);
	free(rep->metrics[1].unit);
	rep->metrics[1].unit = pg_xstrdup("bytes");
	rep->metrics[1].cmp.min_effect = NAN;
	rep->metrics[1].cmp.p_value = NAN; /* zero-noise: no p-value */
	rep->metrics[1].cmp.ci_high = INFINITY;
	rule(&r, "parse", "wall", 'r', 0.05);
	pg_budget_apply(rep, &r, 1, &r, 1, true);
}

static void build_big(struct pg_report *rep)
{
	pg_report_set_commits(rep, "3f2a9d1c0b7e5a4f1e2d3c4b5a69788796a5b4c3", "a",
			      "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", "b");
	rep->budgets_from_base = true;
	for (int i = 0; i < 3000; i++) {
		char name[64];
		struct pg_report_metric *m;

		snprintf(name, sizeof(name), "bench_%04d", i);
		measured(rep, name, "wall", 100 * MS, i % 7 ? 100 * MS : 200 * MS,
			 i % 7 ? PG_REPORT_VERDICT_SAME : PG_REPORT_VERDICT_DIFFERENT, 0.02);
		m = &rep->metrics[rep->nr_metrics - 1];
		pg_report_metric_add_check(m, PG_REPORT_RULE_REGRESS, 0.1,
					   i % 7 ? PG_REPORT_PASS : PG_REPORT_FAIL, name);
	}
}

/* ---- checks shared by the cases ---- */

static bool no_raw_controls(const struct pg_buf *b, bool allow_tab_nl)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c == 0x7f || (c < 0x20 && !(allow_tab_nl && (c == '\t' || c == '\n'))))
			return false;
	}
	return true;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

struct rendered {
	struct pg_buf junit, md, ann, metrics, json;
};

static void render_all(struct rendered *r, const struct pg_report *rep, size_t md_max)
{
	memset(r, 0, sizeof(*r));
	pg_report_render_junit(&r->junit, rep);
	pg_report_render_markdown(&r->md, rep, md_max, "perfgate-report.json");
	pg_report_render_annotations(&r->ann, rep, 0);
	pg_report_render_metrics(&r->metrics, rep);
	pg_report_render_json(&r->json, rep);

	/* pg_buf_cstr: an empty buffer's data is NULL, and pg_utf8_valid(NULL, 0)
	 * does pointer arithmetic on it */
	pg_buf_cstr(&r->junit);
	pg_buf_cstr(&r->md);
	pg_buf_cstr(&r->ann);
	pg_buf_cstr(&r->metrics);
	pg_buf_cstr(&r->json);
	assert_true(pg_utf8_valid(r->junit.data, r->junit.len));
	assert_true(no_raw_controls(&r->junit, true));
	assert_true(pg_utf8_valid(r->md.data, r->md.len));
	assert_true(no_raw_controls(&r->md, true));
	assert_true(pg_utf8_valid(r->ann.data, r->ann.len));
	assert_true(no_raw_controls(&r->ann, true));
	assert_true(pg_utf8_valid(r->metrics.data, r->metrics.len));
	assert_true(no_raw_controls(&r->metrics, true));
	assert_true(pg_utf8_valid(r->json.data, r->json.len));
	assert_true(no_raw_controls(&r->json, true));
	assert_true(pg_str_endswith(r->metrics.data, "# EOF\n"));
	assert_true(pg_str_endswith(r->junit.data, "</testsuites>\n"));
	/* every annotation is one line starting with a command */
	for (const char *p = pg_buf_cstr(&r->ann); *p; p = strchr(p, '\n') + 1)
		assert_true(pg_str_startswith(p, "::error title=") ||
			    pg_str_startswith(p, "::warning title=") ||
			    pg_str_startswith(p, "::notice title="));
	assert_true(count_of(pg_buf_cstr(&r->ann), "::error ") <= PG_REPORT_ANNOTATIONS_MAX);
	assert_true(count_of(pg_buf_cstr(&r->ann), "::warning ") <= PG_REPORT_ANNOTATIONS_MAX);
}

static void release_all(struct rendered *r)
{
	pg_buf_release(&r->junit);
	pg_buf_release(&r->md);
	pg_buf_release(&r->ann);
	pg_buf_release(&r->metrics);
	pg_buf_release(&r->json);
}

/* Write the documents and an expectation file when PG_REPORT_OUT is set. */
static void save(const char *name, const struct rendered *r, cJSON *expect)
{
	const char *dir = getenv("PG_REPORT_OUT");
	const struct {
		const char *ext;
		const struct pg_buf *b;
	} files[] = {
	    {"junit.xml", &r->junit},	  {"md", &r->md},     {"annotations.txt", &r->ann},
	    {"metrics.txt", &r->metrics}, {"json", &r->json},
	};
	struct pg_err err = PG_ERR_INIT;
	char *text;

	if (!dir || !*dir) {
		cJSON_Delete(expect);
		return;
	}
	for (size_t i = 0; i < PG_ARRAY_SIZE(files); i++) {
		char *path = pg_xasprintf("%s/%s.%s", dir, name, files[i].ext);

		if (pg_file_write(path, files[i].b->data, files[i].b->len, &err) < 0)
			fail_msg("%s", err.msg);
		free(path);
	}
	text = cJSON_Print(expect);
	{
		char *path = pg_xasprintf("%s/%s.expect.json", dir, name);

		if (pg_file_write(path, text, strlen(text), &err) < 0)
			fail_msg("%s", err.msg);
		free(path);
	}
	cJSON_free(text);
	cJSON_Delete(expect);
}

/* What the JUnit file must hold, from the report (not from the renderer). */
static cJSON *expect_junit(const struct pg_report *rep)
{
	cJSON *e = cJSON_CreateObject(), *cases = cJSON_AddArrayToObject(e, "cases");
	size_t tests = 0, failures = 0, errors = 0, skipped = 0;

	if (rep->error) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "name", "perfgate");
		cJSON_AddStringToObject(c, "result", "error");
		cJSON_AddStringToObject(c, "message", rep->error);
		cJSON_AddItemToArray(cases, c);
		tests++;
		errors++;
	}
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		const struct pg_report_metric *m = &rep->metrics[i];
		bool exact = pg_utf8_valid(m->bench, strlen(m->bench)) &&
			     !strpbrk(m->bench, "\x1b\x0c\n\r") && !strpbrk(m->metric, "\x1b");

		if (m->error && !m->nr_checks) {
			tests++;
			errors++;
		}
		for (size_t j = 0; j < m->nr_checks; j++) {
			const struct pg_report_check *k = &m->checks[j];
			cJSON *c = cJSON_CreateObject();
			struct pg_buf name = PG_BUF_INIT;
			const char *res = "pass";

			tests++;
			switch (k->outcome) {
			case PG_REPORT_FAIL:
				failures++;
				res = "failure";
				break;
			case PG_REPORT_INCONCLUSIVE:
				failures++;
				res = "failure";
				break;
			case PG_REPORT_ERROR:
				errors++;
				res = "error";
				break;
			case PG_REPORT_SKIPPED:
				skipped++;
				res = "skipped";
				break;
			case PG_REPORT_PASS:
				break;
			}
			pg_buf_addf(&name, "%s %s: budget ", m->bench, m->metric);
			pg_report_format_rule(&name, k->rule, k->limit, m->unit);
			/* Only names that can be shown as they are must round-trip. */
			if (exact)
				cJSON_AddStringToObject(c, "name", pg_buf_cstr(&name));
			cJSON_AddStringToObject(c, "result", res);
			if (k->outcome == PG_REPORT_INCONCLUSIVE)
				cJSON_AddStringToObject(c, "type", "perfgate.inconclusive");
			if (exact && k->message && k->outcome != PG_REPORT_PASS)
				cJSON_AddStringToObject(c, "message", k->message);
			cJSON_AddItemToArray(cases, c);
			pg_buf_release(&name);
		}
	}
	cJSON_AddNumberToObject(e, "tests", (double)tests);
	cJSON_AddNumberToObject(e, "failures", (double)failures);
	cJSON_AddNumberToObject(e, "errors", (double)errors);
	cJSON_AddNumberToObject(e, "skipped", (double)skipped);
	cJSON_AddStringToObject(e, "result", pg_report_outcome_name(pg_report_overall(rep)));
	return e;
}

/* ---- the tests ---- */

static void test_mixed(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct rendered r;
	cJSON *json, *metrics;

	(void)state;
	build_mixed(&rep);
	assert_int_equal(pg_report_overall(&rep), PG_REPORT_FAIL);
	render_all(&r, &rep, 0);
	save("mixed", &r, expect_junit(&rep));

	/* JUnit: counts, properties, each outcome's element, message twice */
	assert_non_null(strstr(r.junit.data,
			       "<testsuites name=\"perfgate\" tests=\"6\" failures=\"2\" "
			       "errors=\"1\" time=\"2.431\">"));
	assert_non_null(strstr(r.junit.data,
			       "skipped=\"1\" time=\"2.431\" "
			       "timestamp=\"2026-01-15T10:00:00\" hostname=\"ci-runner\""));
	assert_non_null(strstr(r.junit.data,
			       "<property name=\"perfgate.base_sha\" "
			       "value=\"3f2a9d1c0b7e5a4f1e2d3c4b5a69788796a5b4c3\"/>"));
	assert_non_null(strstr(r.junit.data, "<property name=\"perfgate.head_subject\" "
					     "value=\"Harden checksum\"/>"));
	assert_non_null(strstr(r.junit.data, "<property name=\"perfgate.budgets_from\" "
					     "value=\"base\"/>"));
	assert_non_null(strstr(
	    r.junit.data,
	    "<failure type=\"perfgate.budget_exceeded\" message=\"checksum wall: head 412 ms vs "
	    "base 201 ms, +105% [+99%, +111%], different (p=0.0002); budget regress 10% "
	    "exceeded\">checksum wall: head 412 ms vs base 201 ms, +105% [+99%, +111%], "
	    "different (p=0.0002); budget regress 10% exceeded\nnote: budget regress 10% "
	    "changed to regress 50% in this change, not applied"));
	assert_non_null(strstr(r.junit.data, "<failure type=\"perfgate.inconclusive\""));
	assert_non_null(strstr(r.junit.data,
			       "<error type=\"perfgate.error\" message=\"crashy wall: "
			       "run 4/10 killed by signal 11 (SIGSEGV); budget max "
			       "100 ms not checked\">"));
	assert_non_null(strstr(r.junit.data, "<skipped message=\"newbench wall: budget max 10 ms "
					     "added in this change, not applied"));
	assert_non_null(strstr(r.junit.data, "name=\"checksum wall: budget regress 10%\" "
					     "time=\"0.412\">"));
	assert_non_null(strstr(r.junit.data, "verdict=different p=0.0002 runs_base=5 runs_head=5"));
	/* the noise-floor warning: budget 5% under an 8% floor */
	assert_non_null(strstr(r.junit.data, "warning: parse wall: budget regress 5% is below the "
					     "noise floor"));

	/* Markdown: header, a table per benchmark, each outcome */
	assert_true(pg_str_startswith(r.md.data, "## perfgate: ❌ budget exceeded\n"));
	assert_non_null(strstr(r.md.data,
			       "**1 failed**, 1 inconclusive, 1 error, 2 passed, 1 "
			       "skipped. Base `3f2a9d1c0b7e` (Add parser) → head "
			       "`9c1d2e3f4a5b` (Harden checksum); budgets from the base"));
	assert_non_null(strstr(r.md.data, "\n### checksum\n\n| metric | base | head |"));
	assert_non_null(strstr(r.md.data, "| wall | 201 ms | 412 ms | +105% [+99%, +111%] | "
					  "different (p=0.0002, 5+5 runs) | regress 10% | ❌ fail"));
	assert_non_null(strstr(r.md.data, "⚠️ inconclusive"));
	assert_non_null(
	    strstr(r.md.data, "| max 100 ms | 💥 error: run 4/10 killed by signal 11 (SIGSEGV) |"));
	assert_null(strstr(r.md.data, "more row"));

	/* Annotations */
	assert_non_null(strstr(r.ann.data,
			       "::error title=perfgate%3A checksum wall budget "
			       "exceeded::checksum wall: head 412 ms vs base 201 ms, +105%25 "
			       "[+99%25, +111%25], different (p=0.0002); budget regress "
			       "10%25 exceeded\n"));
	assert_non_null(
	    strstr(r.ann.data, "::warning title=perfgate%3A format wall inconclusive::"));
	assert_non_null(strstr(r.ann.data, "::notice title=perfgate%3A checksum wall budget not "
					   "applied::checksum wall: budget regress 10%25 changed"));

	/* Metrics: head medians only */
	assert_non_null(strstr(r.metrics.data, "perfgate_metric{benchmark=\"checksum\",metric="
					       "\"wall\",unit=\"ns\"} 412000000\n"));
	assert_non_null(strstr(r.metrics.data, "perfgate_budget_violations 1\n"));
	assert_null(strstr(r.metrics.data, "crashy"));

	/* JSON: parses, versioned, numbers */
	json = cJSON_Parse(r.json.data);
	assert_non_null(json);
	assert_int_equal(cJSON_GetObjectItem(json, "perfgate_report")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(json, "result")->valuestring, "fail");
	metrics = cJSON_GetObjectItem(json, "metrics");
	assert_int_equal(cJSON_GetArraySize(metrics), 6);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(metrics, 0), "benchmark")->valuestring,
	    "checksum");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(metrics, 5), "head"), "median")));
	cJSON_Delete(json);

	release_all(&r);
	pg_report_release(&rep);
}

static void test_hostile(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct rendered r;
	cJSON *json, *m;

	(void)state;
	build_hostile(&rep);
	render_all(&r, &rep, 0);
	save("hostile", &r, expect_junit(&rep));

	/* XML: names escaped in attributes and text; controls and bad bytes visible */
	assert_non_null(strstr(r.junit.data, "name=\"amp&amp;lt&lt;gt&gt;quot&quot;apos&apos; "
					     "wall&amp;&lt;&quot;&apos;: budget regress 10%\""));
	assert_non_null(strstr(r.junit.data, ">amp&amp;lt&lt;gt&gt;quot\"apos'"));
	assert_non_null(strstr(r.junit.data, "esc\\x1b[31mred\\x0c"));
	assert_non_null(strstr(r.junit.data, "bad\\xff\\xc3(utf8"));
	assert_non_null(strstr(r.junit.data, "value=\"abc\\x01\\xfe&lt;&amp;&gt;\""));
	assert_non_null(strstr(r.junit.data, "nl&#10;new%line")); /* attribute */
	assert_non_null(strstr(r.junit.data, "budgets_from\" value=\"head (not verified"));

	/* Markdown: punctuation escaped, newline visible, no raw pipe in a name */
	assert_non_null(strstr(r.md.data,
			       "### nl\\\\nnew%line:a,b\\|c\\`d\\*e\\_\\[x\\](y)\\<b\\>\\#"
			       "\\!\\~\\&\\\\\n"));
	assert_non_null(strstr(r.md.data, "### amp\\&lt\\<gt\\>quot\"apos'"));
	assert_non_null(strstr(r.md.data, "budgets not verified against the base"));

	/* Annotations: % CR LF escaped; : and , in properties; nothing breaks a line */
	assert_non_null(
	    strstr(r.ann.data, "::error title=perfgate%3A nl%0Anew%25line%3Aa%2Cb|c`d"));
	assert_non_null(strstr(r.ann.data,
			       "::notice title=perfgate::notice with \\x07 bell & <tag> "
			       "and 100%25 : , done\n"));
	assert_int_equal(count_of(r.ann.data, "\n"), 13);

	/* Metrics: label values escaped */
	assert_non_null(strstr(r.metrics.data, "benchmark=\"amp&lt<gt>quot\\\"apos'\""));
	assert_non_null(strstr(r.metrics.data, "benchmark=\"nl\\\\nnew%line:a,b|c`d*e_[x](y)<b>#!~&"
					       "\\\\\""));

	/* JSON: valid names round-trip exactly, controls kept (escaped by JSON) */
	json = cJSON_Parse(r.json.data);
	assert_non_null(json);
	m = cJSON_GetObjectItem(json, "metrics");
	for (size_t i = 0; i < PG_ARRAY_SIZE(exact_names); i++)
		assert_string_equal(
		    cJSON_GetObjectItem(cJSON_GetArrayItem(m, (int)i), "benchmark")->valuestring,
		    exact_names[i]);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 3), "benchmark")->valuestring,
			    NAME_ESC);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 4), "benchmark")->valuestring,
			    "bad\\xff\\xc3(utf8");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 5), "benchmark")->valuestring,
			    NAME_PUNCT);
	cJSON_Delete(json);

	release_all(&r);
	pg_report_release(&rep);
}

static void test_early_error(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct rendered r;

	(void)state;
	build_early_error(&rep);
	assert_int_equal(pg_report_overall(&rep), PG_REPORT_ERROR);
	render_all(&r, &rep, 0);
	save("early-error", &r, expect_junit(&rep));
	assert_non_null(strstr(r.junit.data, "tests=\"1\" failures=\"0\" errors=\"1\""));
	assert_non_null(strstr(r.junit.data, "<testcase classname=\"perfgate\" name=\"perfgate\""));
	assert_non_null(strstr(r.junit.data,
			       "<error type=\"perfgate.error\" message=\"cannot create "
			       "worktree for 9c1d2e3: No space left on device\">"));
	assert_true(pg_str_startswith(r.md.data, "## perfgate: 💥 error"));
	assert_non_null(strstr(r.ann.data, "::error title=perfgate%3A error::cannot create"));
	assert_non_null(strstr(r.metrics.data, "perfgate_budget_errors 1\n"));
	assert_non_null(strstr(r.json.data, "\"error\":\t\"cannot create worktree"));
	release_all(&r);
	pg_report_release(&rep);
}

static void test_pass_and_no_numbers(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct rendered r;

	(void)state;
	build_pass(&rep);
	assert_int_equal(pg_report_overall(&rep), PG_REPORT_PASS);
	render_all(&r, &rep, 0);
	save("pass", &r, expect_junit(&rep));
	assert_true(pg_str_startswith(r.md.data, "## perfgate: ✅ all budgets pass\n"));
	/* a metric without a budget still has a row, and no testcase */
	assert_non_null(strstr(r.md.data,
			       "| max\\_rss | 977 KiB | 977 KiB | +0.0% | same (5+5 runs) "
			       "| — | — |"));
	assert_non_null(strstr(r.junit.data, "tests=\"1\" failures=\"0\" errors=\"0\""));
	/* no NaN or Inf in JSON */
	assert_null(strstr(r.json.data, "nan"));
	assert_null(strstr(r.json.data, "inf"));
	assert_non_null(strstr(r.json.data, "\"ci_high\":\tnull"));
	assert_non_null(strstr(r.json.data, "\"p_value\":\tnull"));
	release_all(&r);
	pg_report_release(&rep);
}

static void test_markdown_limit(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct rendered r;
	struct pg_buf small = PG_BUF_INIT;
	const char *more;
	unsigned long n = 0;
	size_t rows;

	(void)state;
	build_big(&rep);
	render_all(&r, &rep, 0);
	save("big", &r, expect_junit(&rep));
	assert_true(r.md.len <= PG_REPORT_MARKDOWN_MAX_BYTES);
	more = strstr(r.md.data, "more rows in the artifact (perfgate-report.json)._\n");
	assert_non_null(more);
	while (more > r.md.data && more[-1] != '_')
		more--;
	n = strtoul(more, NULL, 10);
	rows = count_of(r.md.data, "\n| wall |");
	assert_int_equal(rows + n, 3000);
	/* failing benchmarks come first: of the 429, as many as fit are shown, no pass */
	assert_int_equal(count_of(r.md.data, "❌ fail"), rows);
	assert_true(rows > 100 && rows < 429);
	assert_non_null(strstr(r.md.data, "\n### bench\\_0000\n"));
	assert_non_null(strstr(r.md.data, "\n### bench\\_0007\n"));
	assert_null(strstr(r.md.data, "### bench\\_0001\n"));
	assert_true(n > 0);
	/* the annotations stop at 10 errors, the last one counting the rest */
	assert_int_equal(count_of(r.ann.data, "::error "), 10);
	assert_non_null(strstr(r.ann.data, "420 more errors not shown here"));

	/* a tiny limit still holds, on a character boundary */
	pg_report_render_markdown(&small, &rep, 300, NULL);
	assert_true(small.len <= 300);
	assert_true(pg_utf8_valid(small.data, small.len));
	pg_buf_release(&small);
	release_all(&r);
	pg_report_release(&rep);
}

/* JSON -> model -> JSON gives the same document; the Markdown rendered from
 * the model read back is the Markdown of the original (what comment posts). */
static void test_json_roundtrip(void **state)
{
	static void (*const builders[])(struct pg_report *) = {
	    build_mixed, build_hostile, build_early_error, build_pass, build_big,
	};
	(void)state;
	for (size_t i = 0; i < PG_ARRAY_SIZE(builders); i++) {
		struct pg_report rep = PG_REPORT_INIT, back = PG_REPORT_INIT;
		struct pg_buf j1 = PG_BUF_INIT, j2 = PG_BUF_INIT, m1 = PG_BUF_INIT,
			      m2 = PG_BUF_INIT;
		struct pg_err err = PG_ERR_INIT;

		builders[i](&rep);
		pg_report_render_json(&j1, &rep);
		assert_int_equal(pg_report_from_json(&back, "r.json", j1.data, j1.len, &err), 0);
		pg_report_render_json(&j2, &back);
		assert_string_equal(j1.data, j2.data);
		assert_int_equal(pg_report_overall(&back), pg_report_overall(&rep));
		if (builders[i] != build_hostile) {
			/* (hostile bytes are made visible in JSON: the text differs) */
			pg_report_render_markdown(&m1, &rep, 4000, "report.json");
			pg_report_render_markdown(&m2, &back, 4000, "report.json");
			assert_string_equal(m1.data, m2.data);
		}
		pg_report_release(&rep);
		pg_report_release(&back);
		pg_buf_release(&j1);
		pg_buf_release(&j2);
		pg_buf_release(&m1);
		pg_buf_release(&m2);
	}
}

static void test_json_read_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"{\"perfgate_report\": 2, \"metrics\": []}", "r.json: perfgate_report version 2"},
	    {"{\"metrics\": []}", "r.json: not a perfgate report"},
	    {"[1]", "r.json: not a perfgate report"},
	    {"{\"perfgate_report\": 1}", "r.json: \"metrics\": expected an array"},
	    {"{\"perfgate_report\": 1, \"metrics\": [5]}", "r.json: \"metrics\"[0]: expected"},
	    {"{\"perfgate_report\": 1, \"metrics\": [{\"benchmark\": \"a\", \"metric\": \"wall\", "
	     "\"direction\": \"sideways\"}]}",
	     "r.json: \"metrics\"[0].\"direction\": unknown value 'sideways'"},
	    {"{\"perfgate_report\": 1, \"metrics\": [{\"benchmark\": \"a\", \"metric\": \"wall\", "
	     "\"direction\": \"lower_is_better\", \"checks\": [{\"rule\": \"max\", \"outcome\": "
	     "\"maybe\"}]}]}",
	     "r.json: \"metrics\"[0].\"checks\"[0].\"outcome\": unknown value 'maybe'"},
	    {"{\"perfgate_report\": 1, \"metrics\": [{\"benchmark\": 7, \"metric\": \"wall\"}]}",
	     "r.json: \"metrics\"[0].\"benchmark\": expected a string"},
	    {"{\"perfgate_report\": 1, \"metrics\": [{\"benchmark\": \"a\", \"metric\": \"wall\", "
	     "\"direction\": \"lower_is_better\", \"base\": {\"samples\": [\"x\"]}}]}",
	     "r.json: \"metrics\"[0].\"base\".\"samples\": expected numbers"},
	    {"{\"perfgate_report\": 1, \"metrics\": [}", "r.json:1:"},
	};
	char deep[300];

	(void)state;
	for (size_t i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		struct pg_report rep = PG_REPORT_INIT;
		struct pg_err err = PG_ERR_INIT;

		assert_int_equal(
		    pg_report_from_json(&rep, "r.json", cases[i].text, strlen(cases[i].text), &err),
		    -1);
		assert_int_equal(err.kind, PG_ERR_USAGE);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].want);
		assert_int_equal(rep.nr_metrics, 0);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	{
		struct pg_report rep = PG_REPORT_INIT;
		struct pg_err err = PG_ERR_INIT;

		assert_int_equal(pg_report_from_json(&rep, "r.json", deep, strlen(deep), &err), -1);
	}
}

static void test_visible(void **state)
{
	struct pg_buf b = PG_BUF_INIT;
	static const char in[] = "a\0b\x1b\x7f\t\n\r\xc2\x85\xef\xbf\xbe\xed\xa0\x80\xf0\x9f\x98"
				 "\x80z\xe2\x82";

	(void)state;
	pg_report_visible(&b, in, sizeof(in) - 1, 0);
	assert_string_equal(b.data, "a\\x00b\\x1b\\x7f\\t\\n\\r\\u{0085}\\u{fffe}\\xed\\xa0\\x80"
				    "\xf0\x9f\x98\x80z\\xe2\\x82");
	pg_buf_reset(&b);
	pg_report_visible(&b, "t\tn\nr\r", 6, PG_REPORT_KEEP_TAB_NL);
	assert_string_equal(b.data, "t\tn\nr\\r");
	pg_buf_reset(&b);
	pg_report_visible(&b, "\x1b\xff", 2, PG_REPORT_KEEP_CONTROLS);
	assert_string_equal(b.data, "\x1b\\xff");
	pg_buf_release(&b);
}

static void test_format(void **state)
{
	struct pg_buf b = PG_BUF_INIT;
	static const struct {
		double v;
		const char *unit, *want;
	} cases[] = {
	    {412e6, "ns", "412 ms"},
	    {1.234e9, "ns", "1.23 s"},
	    {999.4, "ns", "999 ns"},
	    {12345, "ns", "12.3 µs"},
	    {64.0 * 1048576, "bytes", "64 MiB"},
	    {512, "bytes", "512 B"},
	    {123456789, "count", "1.235e+08"},
	    {3.5, "ops/s", "3.5 ops/s"},
	    {NAN, "ns", "n/a"},
	    {7, "u\x1bnit", "7 u\\x1bnit"},
	};

	(void)state;
	for (size_t i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		pg_buf_reset(&b);
		pg_report_format_value(&b, cases[i].v, cases[i].unit);
		assert_string_equal(pg_buf_cstr(&b), cases[i].want);
	}
	pg_buf_reset(&b);
	pg_report_format_pct(&b, 1.05);
	pg_buf_adds(&b, " ");
	pg_report_format_pct(&b, 0.012);
	pg_buf_adds(&b, " ");
	pg_report_format_pct(&b, -0.004);
	assert_string_equal(b.data, "+105% +1.2% -0.4%");
	pg_buf_reset(&b);
	pg_report_format_rule(&b, PG_REPORT_RULE_REGRESS, 0.025, "ns");
	assert_string_equal(b.data, "regress 2.5%");
	pg_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mixed),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_early_error),
	    cmocka_unit_test(test_pass_and_no_numbers),
	    cmocka_unit_test(test_markdown_limit),
	    cmocka_unit_test(test_visible),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_json_roundtrip),
	    cmocka_unit_test(test_json_read_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
