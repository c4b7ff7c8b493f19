/* Unit tests for comment.c: the pure parts of `perfgate comment`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* clang-format off: cmocka.h needs the four headers above first */
#include <cmocka.h>
/* clang-format on */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comment.h"
#include "err.h"
#include "report.h"
#include "util.h"

static void test_link_next(void **state)
{
	static const struct {
		const char *link, *next;
	} cases[] = {
	    {"<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2>; "
	     "rel=\"next\", "
	     "<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=5>; "
	     "rel=\"last\"",
	     "https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2"},
	    {"<https://x/a?page=1>; rel=\"prev\", <https://x/a?page=3>; rel=\"next\"",
	     "https://x/a?page=3"},
	    {"<https://x/a?page=1>; rel=\"first\", <https://x/a?page=1>; rel=\"prev\"", NULL},
	    {"<https://x/a?page=4>;rel=next", "https://x/a?page=4"},
	    {"<https://x/a?page=4> ; title=\"a, b; c\" ; rel=\"next last\"", "https://x/a?page=4"},
	    {"<https://x/a?page=9>; rel=\"nextish\"", NULL},
	    {"<https://x/a?p=1,2>; rel=\"NEXT\"", "https://x/a?p=1,2"},
	    {"", NULL},
	    {"garbage", NULL},
	    {"<unterminated; rel=\"next\"", NULL},
	    {"<>; rel=\"next\"", NULL},
	};
	size_t i;

	(void)state;
	assert_null(pg_comment_link_next(NULL));
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char *got = pg_comment_link_next(cases[i].link);

		if (cases[i].next) {
			assert_non_null(got);
			assert_string_equal(got, cases[i].next);
		} else {
			assert_null(got);
		}
		free(got);
	}
}

static void test_url_with_page(void **state)
{
	static const struct {
		const char *url, *page, *want;
	} cases[] = {
	    {"http://h/notes?per_page=100", "2", "http://h/notes?per_page=100&page=2"},
	    {"http://h/notes?per_page=100&page=2", "3", "http://h/notes?per_page=100&page=3"},
	    {"http://h/notes?page=2&per_page=100", "3", "http://h/notes?per_page=100&page=3"},
	    {"http://h/notes", "2", "http://h/notes?page=2"},
	    {"http://h/notes?pages=1", "2", "http://h/notes?pages=1&page=2"},
	    {"http://h/notes?page=1", "2", "http://h/notes?page=2"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char *got = pg_comment_url_with_page(cases[i].url, cases[i].page);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void test_url_encode(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"group/sub/project", "group%2Fsub%2Fproject"},
	    {"4242", "4242"},
	    {"a b&c=d?e#f", "a%20b%26c%3Dd%3Fe%23f"},
	    {"keep-._~", "keep-._~"},
	    {"caf\xc3\xa9", "caf%C3%A9"},
	    {"", ""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char *got = pg_comment_url_encode(cases[i].in);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void test_marker(void **state)
{
	char *m;

	(void)state;
	assert_true(pg_comment_id_valid("perfgate"));
	assert_true(pg_comment_id_valid("nightly-2.x_y"));
	assert_false(pg_comment_id_valid(""));
	assert_false(pg_comment_id_valid(NULL));
	assert_false(pg_comment_id_valid("a -->"));
	assert_false(pg_comment_id_valid("a\nb"));
	assert_false(pg_comment_id_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 65 */
	m = pg_comment_marker("perfgate");
	assert_string_equal(m, "<!-- perfgate:perfgate -->");
	free(m);
}

static void test_find(void **state)
{
	static const char *const marker = "<!-- perfgate:perfgate -->";
	static const struct {
		const char *json;
		int ret;
		const char *id;
	} cases[] = {
	    {"[]", 0, NULL},
	    {"[{\"id\": 1, \"body\": \"hello\"}, {\"id\": 2000000000123, \"body\": "
	     "\"<!-- perfgate:perfgate -->\\n## pass\"}]",
	     1, "2000000000123"},
	    /* quoted by a human, not at the start: not ours */
	    {"[{\"id\": 1, \"body\": \"see <!-- perfgate:perfgate --> here\"}]", 0, NULL},
	    /* leading blank lines are fine */
	    {"[{\"id\": 5, \"body\": \"\\n <!-- perfgate:perfgate -->\"}]", 1, "5"},
	    /* another marker id is another comment */
	    {"[{\"id\": 5, \"body\": \"<!-- perfgate:nightly -->\"}]", 0, NULL},
	    /* GitLab system notes are skipped */
	    {"[{\"id\": 5, \"system\": true, \"body\": \"<!-- perfgate:perfgate -->\"},"
	     " {\"id\": 6, \"system\": false, \"body\": \"<!-- perfgate:perfgate -->\"}]",
	     1, "6"},
	    /* the first (oldest on GitHub) wins */
	    {"[{\"id\": 8, \"body\": \"<!-- perfgate:perfgate -->a\"},"
	     " {\"id\": 9, \"body\": \"<!-- perfgate:perfgate -->b\"}]",
	     1, "8"},
	    /* odd entries are skipped, not fatal */
	    {"[1, null, {\"body\": 3}, {\"id\": 4, \"body\": \"<!-- perfgate:perfgate -->\"}]", 1,
	     "4"},
	    /* errors */
	    {"{\"message\": \"Not Found\"}", -1, NULL},
	    {"[", -1, NULL},
	    {"", -1, NULL},
	    {"[{\"id\": -1, \"body\": \"<!-- perfgate:perfgate -->\"}]", -1, NULL},
	    {"[{\"id\": 1.5, \"body\": \"<!-- perfgate:perfgate -->\"}]", -1, NULL},
	    {"[{\"body\": \"<!-- perfgate:perfgate -->\"}]", -1, NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		struct pg_err err = PG_ERR_INIT;
		char *id = NULL;
		int ret = pg_comment_find(&id, cases[i].json, strlen(cases[i].json), marker,
					  "http://h/list", &err);

		assert_int_equal(ret, cases[i].ret);
		if (cases[i].id) {
			assert_non_null(id);
			assert_string_equal(id, cases[i].id);
		} else {
			assert_null(id);
		}
		if (ret < 0) {
			assert_int_equal(err.kind, PG_ERR_DELIVERY);
			assert_non_null(strstr(err.msg, "http://h/list"));
		}
		free(id);
	}
}

static void test_find_deep(void **state)
{
	size_t n = 100000;
	char *deep = pg_xmalloc(n + 1);
	struct pg_err err = PG_ERR_INIT;
	char *id = NULL;

	(void)state;
	memset(deep, '[', n);
	deep[n] = '\0';
	assert_int_equal(pg_comment_find(&id, deep, n, "<!-- perfgate:x -->", "u", &err), -1);
	assert_null(id);
	free(deep);
}

/* Count lines of s. */
static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_body_fits(void **state)
{
	size_t cut = 99;
	char *b = pg_comment_body("<!-- perfgate:x -->", "## hi\n\nok\n", 100, &cut);

	(void)state;
	assert_string_equal(b, "<!-- perfgate:x -->\n## hi\n\nok\n");
	assert_int_equal(cut, 0);
	free(b);
}

static void test_body_truncated(void **state)
{
	struct pg_buf md = PG_BUF_INIT;
	size_t limits[] = {200, 1000, 4096, 65536};
	size_t i, cut;

	(void)state;
	for (i = 0; i < 5000; i++)
		pg_buf_addf(&md, "| bench_%04zu | 1.000 ms | 1.010 ms |\n", i);
	for (i = 0; i < PG_ARRAY_SIZE(limits); i++) {
		char *b = pg_comment_body("<!-- perfgate:x -->", md.data, limits[i], &cut);
		const char *foot = strstr(b, "\n... ");
		char want[128];
		size_t kept = lines(b) - 3; /* marker, blank line, footer */

		assert_true(pg_comment_chars(b, strlen(b)) <= limits[i]);
		assert_true(pg_str_startswith(b, "<!-- perfgate:x -->\n| bench_0000 |"));
		assert_non_null(foot);
		snprintf(want, sizeof(want),
			 "\n... %zu more lines: see the perfgate report artifact.\n", cut);
		assert_string_equal(foot, want);
		assert_int_equal(kept + cut, 5000);
		/* whole lines only: what is kept is a prefix of the report */
		assert_memory_equal(b + strlen("<!-- perfgate:x -->\n"), md.data,
				    (size_t)(foot - b) - strlen("<!-- perfgate:x -->\n"));
		/* and not much room is wasted */
		assert_true(pg_comment_chars(b, strlen(b)) + 40 + 80 >= limits[i]);
		free(b);
	}
	pg_buf_release(&md);
}

static void test_body_fence_and_long_line(void **state)
{
	struct pg_buf md = PG_BUF_INIT;
	size_t i, cut;
	char *b;

	(void)state;
	pg_buf_adds(&md, "## stacks\n```\n");
	for (i = 0; i < 100; i++)
		pg_buf_addf(&md, "main;parse;checksum %zu\n", i);
	pg_buf_adds(&md, "```\n");
	b = pg_comment_body("<!-- m -->", md.data, 400, &cut);
	assert_true(strlen(b) <= 400);
	assert_non_null(strstr(b, "\n```\n\n... "));
	free(b);

	/* One line longer than the limit: cut at a character, never inside UTF-8. */
	pg_buf_reset(&md);
	for (i = 0; i < 300; i++)
		pg_buf_adds(&md, "\xc3\xa9"); /* é, 2 bytes, 1 character */
	b = pg_comment_body("<!-- m -->", md.data, 200, &cut);
	assert_true(pg_comment_chars(b, strlen(b)) <= 200);
	assert_true(pg_utf8_valid(b, strlen(b)));
	assert_int_equal(cut, 1);
	assert_non_null(strstr(b, "\xc3\xa9\n\n... 1 more lines"));
	free(b);
	pg_buf_release(&md);
}

static void test_chars(void **state)
{
	(void)state;
	assert_int_equal(pg_comment_chars("abc", 3), 3);
	assert_int_equal(pg_comment_chars("\xc3\xa9", 2), 1);
	assert_int_equal(pg_comment_chars("\xe2\x82\xac", 3), 1);     /* € */
	assert_int_equal(pg_comment_chars("\xf0\x9f\x98\x80", 4), 2); /* emoji: a surrogate pair */
}

static void test_json_body(void **state)
{
	char *j = pg_comment_json_body("a \"quote\"\nand \\ and \x01");

	(void)state;
	assert_string_equal(j, "{\"body\":\"a \\\"quote\\\"\\nand \\\\ and \\u0001\"}");
	free(j);
}

static void test_report_markdown(void **state)
{
	static const struct {
		const char *text;
		int ret;
		const char *want;
	} cases[] = {
	    {"{\"perfgate_report\": 1, \"markdown\": \"## pass\\n\"}", 0, "## pass\n"},
	    {"## a markdown file\n", 0, "## a markdown file\n"},
	    {"{\"other\": \"json\"}", 0, "{\"other\": \"json\"}"},
	    {"[1, 2]", 0, "[1, 2]"},
	    {"{\"perfgate_report\": 1}", -1, NULL}, /* no "metrics": not a report */
	    {"{\"perfgate_report\": 1, \"markdown\": 5}", -1, NULL},
	    {"{\"markdown\": \"  \\n\"}", -1, NULL},
	    {"", -1, NULL},
	    {"\xff\xfe bad", -1, NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		struct pg_err err = PG_ERR_INIT;
		char *md = NULL;
		int ret = pg_comment_report_markdown(&md, "r.json", cases[i].text,
						     strlen(cases[i].text), 0, &err);

		assert_int_equal(ret, cases[i].ret);
		if (ret == 0) {
			assert_string_equal(md, cases[i].want);
		} else {
			assert_null(md);
			assert_int_equal(err.kind, PG_ERR_USAGE);
			assert_true(pg_str_startswith(err.msg, "r.json: "));
		}
		free(md);
	}
	{
		struct pg_err err = PG_ERR_INIT;
		char *md = NULL;

		assert_int_equal(pg_comment_report_markdown(&md, "r", "a\0b", 3, 0, &err), -1);
		assert_null(md);
	}
}

/* check's JSON report (no "markdown"): rendered from the model read back,
 * under the limit given, rows that do not fit counted and pointed to. */
static void test_report_json_rendered(void **state)
{
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_buf json = PG_BUF_INIT, want = PG_BUF_INIT;
	struct pg_err err = PG_ERR_INIT;
	char *md = NULL, *marker = pg_comment_marker("perfgate"), *body;
	size_t limit = PG_COMMENT_GITHUB_MAX_CHARS - strlen(marker) - 1, cut = 99;

	(void)state;
	pg_report_set_commits(&rep, "3f2a9d1c0b7e5a4f1e2d3c4b5a69788796a5b4c3", "a",
			      "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", "b");
	rep.budgets_from_base = true;
	for (int i = 0; i < 3000; i++) {
		char name[32];
		struct pg_report_metric *m;
		double b[3] = {1e8, 1.01e8, 0.99e8}, h[3] = {2e8, 2.02e8, 1.98e8};

		snprintf(name, sizeof(name), "bench_%04d", i);
		m = pg_report_add_metric(&rep, name, "wall", "ns", PG_REPORT_LOWER_IS_BETTER);
		pg_report_metric_set_samples(m, b, 3, h, 3);
		pg_report_metric_add_check(m, PG_REPORT_RULE_REGRESS, 0.1,
					   i % 7 ? PG_REPORT_PASS : PG_REPORT_FAIL, name);
	}
	pg_report_render_json(&json, &rep);
	assert_null(strstr(json.data, "\"markdown\""));
	assert_int_equal(
	    pg_comment_report_markdown(&md, "out/report.json", json.data, json.len, limit, &err),
	    0);
	pg_report_render_markdown(&want, &rep, limit, "report.json");
	assert_string_equal(md, want.data);
	assert_true(strlen(md) <= limit);
	assert_true(pg_str_startswith(md, "## perfgate: "));
	assert_non_null(strstr(md, "more rows in the artifact (report.json)"));
	/* with the marker it fits: comment cuts no line */
	body = pg_comment_body(marker, md, PG_COMMENT_GITHUB_MAX_CHARS, &cut);
	assert_int_equal(cut, 0);
	free(body);
	free(md);
	md = NULL;
	/* a report that does not read back is an error naming the file */
	memcpy(strstr(json.data, "\"lower_is_better\""), "\"lower_is_bitter\"", 17);
	assert_int_equal(
	    pg_comment_report_markdown(&md, "out/report.json", json.data, json.len, limit, &err),
	    -1);
	assert_non_null(strstr(err.msg, "unknown value"));
	assert_true(pg_str_startswith(err.msg, "out/report.json:"));
	assert_null(md);
	pg_report_release(&rep);
	pg_buf_release(&json);
	pg_buf_release(&want);
	free(marker);
}

static void test_api_message(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
	    {"{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com\"}",
	     "Bad credentials"},
	    {"{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"IssueComment\","
	     "\"code\":\"custom\",\"field\":\"body\",\"message\":\"body is too long\"}]}",
	     "Validation Failed: body is too long"},
	    {"{\"message\":\"401 Unauthorized\"}", "401 Unauthorized"},
	    {"{\"message\":{\"note\":[\"is too long\",\"is bad\"]}}", "note is too long, is bad"},
	    {"{\"error\":\"insufficient_scope\",\"error_description\":\"needs api\"}",
	     "insufficient_scope: needs api"},
	    {"{\"message\":\"a\\nb\\u001b[31m\"}", "a b [31m"},
	    {"<html>502</html>", NULL},
	    {"{}", NULL},
	    {"", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char *got = pg_comment_api_message(cases[i].json, strlen(cases[i].json));

		if (cases[i].want) {
			assert_non_null(got);
			assert_string_equal(got, cases[i].want);
		} else {
			assert_null(got);
		}
		free(got);
	}
	{
		struct pg_buf big = PG_BUF_INIT;
		char *got;

		pg_buf_adds(&big, "{\"message\":\"");
		for (i = 0; i < 1000; i++)
			pg_buf_adds(&big, "\xc3\xa9");
		pg_buf_adds(&big, "\"}");
		got = pg_comment_api_message(big.data, big.len);
		assert_true(strlen(got) <= 303);
		assert_true(pg_utf8_valid(got, strlen(got)));
		free(got);
		pg_buf_release(&big);
	}
}

static void test_status_text(void **state)
{
	static const struct {
		long status;
		const char *host, *msg, *want;
	} cases[] = {
	    {401, "api.github.com", "Bad credentials",
	     "token rejected (401) by api.github.com: Bad credentials"},
	    {403, "gitlab.com", NULL, "token rejected (403) by gitlab.com"},
	    {404, "h:8080", "Not Found", "not found (404) on h:8080: Not Found"},
	    {429, "h", "slow down", "rate limited (429) by h: slow down"},
	    {500, "h", "Server Error", "HTTP 500 from h: Server Error"},
	    {502, NULL, NULL, "HTTP 502 from the server"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char *got = pg_comment_status_text(cases[i].status, cases[i].host, cases[i].msg);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void test_event_number(void **state)
{
	static const struct {
		const char *json;
		long want; /* -1: error */
	} cases[] = {
	    {"{\"action\":\"opened\",\"number\":12,\"pull_request\":{\"number\":12}}", 12},
	    {"{\"pull_request\":{\"number\":34}}", 34},
	    {"{\"number\":56}", 56},
	    {"{\"issue\":{\"number\":78,\"pull_request\":{\"url\":\"x\"}}}", 78},
	    {"{\"issue\":{\"number\":78}}", -1}, /* a plain issue is not a PR */
	    {"{\"ref\":\"refs/heads/main\"}", -1},
	    {"{\"number\":-1}", -1},
	    {"{\"number\":1.5}", -1},
	    {"{\"number\":\"7\"}", -1},
	    {"{\"number\":1e300}", -1},
	    {"not json", -1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		struct pg_err err = PG_ERR_INIT;
		long n = 0;
		int ret = pg_comment_event_number(&n, "event.json", cases[i].json,
						  strlen(cases[i].json), &err);

		if (cases[i].want < 0) {
			assert_int_equal(ret, -1);
			assert_int_equal(err.kind, PG_ERR_USAGE);
			assert_true(pg_str_startswith(err.msg, "event.json: "));
		} else {
			assert_int_equal(ret, 0);
			assert_int_equal(n, cases[i].want);
		}
	}
}

static void test_response_link(void **state)
{
	const char *ok = "{\"id\":1,\"html_url\":\"https://github.com/o/r/pull/7#issuecomment-1\"}";
	const char *bad = "{\"html_url\":\"javascript:alert(1)\"}";
	char *l;

	(void)state;
	l = pg_comment_response_link(ok, strlen(ok));
	assert_string_equal(l, "https://github.com/o/r/pull/7#issuecomment-1");
	free(l);
	assert_null(pg_comment_response_link(bad, strlen(bad)));
	assert_null(pg_comment_response_link("{\"id\":3}", 8));
	assert_null(pg_comment_response_link("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_next),
	    cmocka_unit_test(test_url_with_page),
	    cmocka_unit_test(test_url_encode),
	    cmocka_unit_test(test_marker),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_find_deep),
	    cmocka_unit_test(test_body_fits),
	    cmocka_unit_test(test_body_truncated),
	    cmocka_unit_test(test_body_fence_and_long_line),
	    cmocka_unit_test(test_chars),
	    cmocka_unit_test(test_json_body),
	    cmocka_unit_test(test_report_markdown),
	    cmocka_unit_test(test_report_json_rendered),
	    cmocka_unit_test(test_api_message),
	    cmocka_unit_test(test_status_text),
	    cmocka_unit_test(test_event_number),
	    cmocka_unit_test(test_response_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
