/* Unit tests for http.c's pure URL and header helpers (no network). */
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

#include "http.h"
#include "util.h"

static void test_redact(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"https://api.github.com/repos/o/r/issues/7/comments?per_page=100",
	     "https://api.github.com/repos/o/r/issues/7/comments?per_page=100"},
	    {"https://user:pass@gitlab.example/api/v4/x", "https://gitlab.example/api/v4/x"},
	    {"https://h/x?private_token=s3cret&page=2", "https://h/x?private_token=***&page=2"},
	    {"https://h/x?page=2&access_token=s3cret", "https://h/x?page=2&access_token=***"},
	    {"https://h/x?X-Amz-Signature=abc&api_key=k&Code=c",
	     "https://h/x?X-Amz-Signature=***&api_key=***&Code=***"},
	    {"https://h/x#frag", "https://h/x"},
	    {"not a url", "(invalid URL)"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char *got = pg_http_url_redact(cases[i].in);

		assert_string_equal(got, cases[i].want);
		assert_null(strstr(got, "s3cret"));
		free(got);
	}
}

static void test_host(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"https://api.github.com/repos", "api.github.com"},
	    {"http://127.0.0.1:8080/x", "127.0.0.1:8080"},
	    {"https://h:443/x", "h:443"},
	    {"https://[::1]:99/x", "[::1]:99"},
	    {"nonsense", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char *got = pg_http_url_host(cases[i].in);

		if (cases[i].want)
			assert_string_equal(got, cases[i].want);
		else
			assert_null(got);
		free(got);
	}
}

static void test_same_origin(void **state)
{
	static const struct {
		const char *a, *b;
		bool same;
	} cases[] = {
	    {"https://api.github.com/a", "https://api.github.com/b?x=1", true},
	    {"https://api.github.com/a", "https://API.GitHub.com:443/b", true},
	    {"http://127.0.0.1:80/a", "http://127.0.0.1/b", true},
	    {"https://api.github.com/a", "http://api.github.com/a", false},
	    {"https://api.github.com/a", "https://api.github.com:8443/a", false},
	    {"http://127.0.0.1:5000/a", "http://127.0.0.2:5000/a", false},
	    {"https://api.github.com/a", "https://api.github.com.evil.example/a", false},
	    {"https://api.github.com/a", "https://evil.example/api.github.com", false},
	    {"https://api.github.com/a", "nonsense", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++)
		assert_int_equal(pg_http_url_same_origin(cases[i].a, cases[i].b), cases[i].same);
}

static void test_resolve(void **state)
{
	static const struct {
		const char *base, *loc, *want;
	} cases[] = {
	    {"https://h/repos/o/r/issues?x=1", "/repositories/1/issues?x=1",
	     "https://h/repositories/1/issues?x=1"},
	    {"https://h/a/b", "c", "https://h/a/c"},
	    {"https://h/a/b", "http://other:81/z", "http://other:81/z"},
	    {"https://h/a/b", "//other/z", "https://other/z"},
	    {"https://h/a/b", "https://h/z#frag", "https://h/z"},
	    {"https://h/a/b", "file:///etc/passwd", NULL},
	    {"https://h/a/b", "ftp://h/x", NULL},
	    {"https://h/a/b", "gopher://h/x", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		char *got = pg_http_url_resolve(cases[i].base, cases[i].loc);

		if (cases[i].want) {
			assert_non_null(got);
			assert_string_equal(got, cases[i].want);
		} else {
			assert_null(got);
		}
		free(got);
	}
}

static void test_retry_after(void **state)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT == 784111777 */
	(void)state;
	assert_int_equal(pg_http_retry_after_s("1", 0), 1);
	assert_int_equal(pg_http_retry_after_s(" 30 ", 0), 30);
	assert_int_equal(pg_http_retry_after_s("0", 0), 0);
	assert_int_equal(pg_http_retry_after_s("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 45),
			 45);
	assert_int_equal(pg_http_retry_after_s("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 5), 0);
	assert_int_equal(pg_http_retry_after_s("99999999999999999999", 0), -1);
	assert_int_equal(pg_http_retry_after_s("999999999", 0), 86400L * 365);
	assert_int_equal(pg_http_retry_after_s("-3", 0), -1);
	assert_int_equal(pg_http_retry_after_s("soon", 0), -1);
	assert_int_equal(pg_http_retry_after_s("5s", 0), -1);
	assert_int_equal(pg_http_retry_after_s(NULL, 0), -1);
}

static void test_client_options(void **state)
{
	struct pg_http_opts o = PG_HTTP_OPTS_INIT;
	struct pg_http_client *c = NULL;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	o.api_url = "ftp://example.com/";
	assert_int_equal(pg_http_client_new(&c, &o, &err), -1);
	assert_null(c);
	assert_int_equal(err.kind, PG_ERR_USAGE);
	o.api_url = "https://api.github.com";
	o.cacert_path = "/nonexistent/ca.pem";
	assert_int_equal(pg_http_client_new(&c, &o, &err), -1);
	assert_non_null(strstr(err.msg, "--cacert '/nonexistent/ca.pem'"));
	o.cacert_path = NULL;
	o.secret_header = "Authorization: Bearer abc";
	assert_int_equal(pg_http_client_new(&c, &o, &err), 0);
	assert_non_null(c);
	pg_http_client_free(c);
	pg_http_client_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_redact),	cmocka_unit_test(test_host),
	    cmocka_unit_test(test_same_origin), cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_retry_after), cmocka_unit_test(test_client_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
