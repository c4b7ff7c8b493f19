#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "prof.h"
#include "report_attrib.h"
#include "report_svg.h"
#include "util.h"

static void add(struct pg_prof *p, const char *a, const char *b, const char *c, double w)
{
	uint32_t ids[3];
	uint32_t n = 0;

	ids[n++] = pg_prof_intern(p, a, strlen(a));
	if (b)
		ids[n++] = pg_prof_intern(p, b, strlen(b));
	if (c)
		ids[n++] = pg_prof_intern(p, c, strlen(c));
	pg_prof_add(p, ids, n, w);
}

static void test_escape(void **state)
{
	static const struct {
		const char *in, *xml, *text;
	} cases[] = {
		{ "plain", "plain", "plain" },
		{ "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f", "a&b<c>d\"e'f" },
		{ "esc\x1b[0m", "esc\\x1B[0m", "esc\\x1B[0m" },
		{ "ff\x0c tab\t", "ff\\x0C tab\\x09", "ff\\x0C tab\\x09" },
		{ "bad\xff\xfe", "bad\\xFF\\xFE", "bad\\xFF\\xFE" },
		{ "caf\xc3\xa9", "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "trunc\xc3", "trunc\\xC3", "trunc\\xC3" },
		{ "overlong\xc0\xaf", "overlong\\xC0\\xAF", "overlong\\xC0\\xAF" },
		{ "surrogate\xed\xa0\x80", "surrogate\\xED\\xA0\\x80", "surrogate\\xED\\xA0\\x80" },
		{ "nonchar\xef\xbf\xbf", "nonchar\\xEF\\xBF\\xBF", "nonchar\\xEF\\xBF\\xBF" },
		{ "RegExp:[&<>\"']", "RegExp:[&amp;&lt;&gt;&quot;&apos;]", "RegExp:[&<>\"']" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		struct pg_buf x = PG_BUF_INIT, t = PG_BUF_INIT;

		pg_svg_escape(&x, cases[i].in);
		pg_text_visible(&t, cases[i].in);
		assert_string_equal(pg_buf_cstr(&x), cases[i].xml);
		assert_string_equal(pg_buf_cstr(&t), cases[i].text);
		assert_true(pg_utf8_valid(x.data, x.len));
		pg_buf_release(&x);
		pg_buf_release(&t);
	}
}

static void test_flamegraph(void **state)
{
	struct pg_prof p;
	struct pg_buf svg = PG_BUF_INIT;
	const char *s;

	(void)state;
	pg_prof_init(&p, PG_PROF_SAMPLES);
	p.period_ns = 1e6;
	add(&p, "main", "process", "checksum", 70);
	add(&p, "main", "process", NULL, 20);
	add(&p, "main", "a<b>&\x01", NULL, 10);
	pg_svg_flamegraph(&svg, &p, "t & \"title\"");
	s = pg_buf_cstr(&svg);
	assert_non_null(strstr(s, "<?xml version=\"1.0\""));
	assert_non_null(strstr(s, "<title>checksum\n70 ms per run, 70.00%; self 70 ms</title>"));
	assert_non_null(strstr(s, "<title>a&lt;b&gt;&amp;\\x01\n"));
	assert_non_null(strstr(s, ">t &amp; &quot;title&quot;</text>"));
	assert_non_null(strstr(s, "<script type=\"text/ecmascript\"><![CDATA["));
	assert_non_null(strstr(s, "data-pg-ready"));
	assert_null(strstr(s, "href"));
	/* one CDATA end: the script never contains its own terminator */
	assert_ptr_equal(strstr(s, "]]>"), strrchr(s, ']') - 1);
	assert_true(pg_utf8_valid(svg.data, svg.len));
	pg_buf_release(&svg);
	pg_prof_release(&p);
}

static void test_diff_colours(void **state)
{
	struct pg_prof a, b, c;
	struct pg_buf svg = PG_BUF_INIT;
	struct pg_err err = PG_ERR_INIT;
	const char *s, *g;

	(void)state;
	pg_prof_init(&a, PG_PROF_SAMPLES);
	pg_prof_init(&b, PG_PROF_SAMPLES);
	add(&a, "main", "grow", NULL, 10);
	add(&a, "main", "shrink", NULL, 40);
	add(&b, "main", "grow", NULL, 30);
	add(&b, "main", "shrink", NULL, 20);
	assert_int_equal(pg_svg_diff(&svg, &a, &b, NULL, &err), 0);
	s = pg_buf_cstr(&svg);
	g = strstr(s, "<title>grow\n");
	assert_non_null(g);
	assert_non_null(strstr(g, "fill=\"rgb(255,35,35)\"")); /* the biggest change: full red */
	g = strstr(s, "<title>shrink\n");
	assert_non_null(g);
	assert_non_null(strstr(g, "fill=\"rgb(35,35,255)\""));
	assert_non_null(strstr(s, "total 10 samples -> 30 samples (+200.0%) per run"));
	pg_buf_release(&svg);

	pg_prof_init(&c, PG_PROF_INSTRUCTIONS);
	add(&c, "main", NULL, NULL, 1);
	assert_int_equal(pg_svg_diff(&svg, &a, &c, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "different cost units"));
	pg_buf_release(&svg);
	pg_prof_release(&a);
	pg_prof_release(&b);
	pg_prof_release(&c);
}

static void test_json_report(void **state)
{
	struct pg_prof a, b;
	struct pg_attrib at;
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf text = PG_BUF_INIT;
	char *json;

	(void)state;
	pg_prof_init(&a, PG_PROF_NS);
	pg_prof_init(&b, PG_PROF_NS);
	add(&a, "main", "bad\xff", NULL, 10);
	add(&b, "main", "bad\xff", NULL, 30);
	assert_int_equal(pg_attrib_compare(&at, &a, &b, NULL, &err), 0);
	json = pg_report_attrib_json(&at, "a", "b");
	assert_true(pg_utf8_valid(json, strlen(json)));
	assert_non_null(strstr(json, "\"name\":\t\"bad\\\\xFF\""));
	assert_non_null(strstr(json, "\"class\":\t\"cpu\""));
	assert_non_null(strstr(json, "\"top_leaves_after\""));
	assert_non_null(strstr(json, "\"unit\":\t\"ns\""));
	pg_report_attrib_text(&text, &at, 5, "a", "b");
	assert_non_null(strstr(pg_buf_cstr(&text), "responsible: bad\\xFF  self +20 ns (+200.0%)"));
	free(json);
	pg_buf_release(&text);
	pg_attrib_release(&at);
	pg_prof_release(&a);
	pg_prof_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_flamegraph),
		cmocka_unit_test(test_diff_colours),
		cmocka_unit_test(test_json_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
