/*
 * bmf: results and gate reports rendered in the Bencher Metric Format, read
 * back through perfgate's own BMF reader (benchfmt) and through cJSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four headers above first. */
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "benchfmt.h"
#include "bmf.h"
#include "err.h"
#include "report.h"
#include "result.h"
#include "util.h"

static void add(struct pg_result_bench *b, const char *metric, const char *unit, const double *v,
		size_t n)
{
	struct pg_metric *m = pg_result_metric(b, metric, unit, PG_DIR_LOWER);
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(pg_result_metric_add(m, v[i]), 0);
}

static double num(const cJSON *root, const char *bench, const char *measure, const char *field)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, bench);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(b, measure);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, field);

	if (!cJSON_IsNumber(v))
		fail_msg("no number %s.%s.%s", bench, measure, field);
	return v->valuedouble;
}

static void test_result_round_trip(void **state)
{
	static const double wall[] = {3e6, 1e6, 2e6, 5e6, 4e6}, rss[] = {1048576, 2097152},
			    ops[] = {1234.5};
	struct pg_result r = PG_RESULT_INIT, back = PG_RESULT_INIT;
	struct pg_result_bench *b, *rb;
	struct pg_benchfmt_info info = {0};
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf out = PG_BUF_INIT;
	const struct pg_metric *m;
	cJSON *root;

	(void)state;
	b = pg_result_bench(&r, "parse");
	add(b, "wall", "ns", wall, 5);
	add(b, "max_rss", "bytes", rss, 2);
	add(pg_result_bench(&r, "BM_Sort/64"), "items_per_second", "1/s", ops, 1);
	b = pg_result_bench(&r, "crashed"); /* failed before measuring: left out */
	b->error = pg_xstrdup("run 1/3 killed by signal 11 (SIGSEGV)");
	pg_result_bench(&r, "bad\xff-name");
	add(pg_result_find_bench(&r, "bad\xff-name"), "wall", "ns", wall, 1);

	pg_bmf_render_result(&out, &r);
	root = cJSON_Parse(out.data);
	assert_non_null(root);
	assert_int_equal(cJSON_GetArraySize(root), 3);
	assert_null(cJSON_GetObjectItemCaseSensitive(root, "crashed"));
	assert_true(num(root, "parse", "wall", "value") == 3e6); /* the median */
	assert_true(num(root, "parse", "wall", "lower_value") == 1e6);
	assert_true(num(root, "parse", "wall", "upper_value") == 5e6);
	assert_true(num(root, "parse", "max_rss", "value") == 1572864); /* median of two */
	assert_true(num(root, "BM_Sort/64", "items_per_second", "value") == 1234.5);
	assert_true(num(root, "bad\xef\xbf\xbd-name", "wall", "value") == 3e6);
	cJSON_Delete(root);

	/* perfgate's own BMF reader takes it back, measure by measure */
	rb = pg_result_bench(&back, "rt");
	if (pg_benchfmt_parse(PG_OUTPUT_BMF, "bmf", out.data, out.len, rb, &info, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(info.rows, 4);
	m = pg_result_find_metric(rb, "parse/wall");
	assert_non_null(m);
	assert_int_equal(m->nr_samples, 1);
	assert_true(m->samples[0] == 3e6);
	m = pg_result_find_metric(rb, "parse/max_rss");
	assert_non_null(m);
	assert_true(m->samples[0] == 1572864);
	m = pg_result_find_metric(rb, "BM_Sort/64/items_per_second");
	assert_non_null(m);
	assert_true(m->samples[0] == 1234.5);
	assert_int_equal(m->dir, PG_DIR_HIGHER);

	pg_buf_release(&out);
	pg_result_release(&r);
	pg_result_release(&back);
}

static void test_empty(void **state)
{
	struct pg_result r = PG_RESULT_INIT;
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_buf out = PG_BUF_INIT;

	(void)state;
	pg_bmf_render_result(&out, &r);
	assert_string_equal(out.data, "{\n}\n");
	pg_buf_reset(&out);
	pg_bmf_render_report(&out, &rep);
	assert_string_equal(out.data, "{\n}\n");
	pg_buf_release(&out);
}

static void test_report(void **state)
{
	static const double base[] = {100, 110, 120}, head[] = {210, 200, 230, 220};
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_report_metric *m;
	struct pg_buf out = PG_BUF_INIT;
	cJSON *root;

	(void)state;
	m = pg_report_add_metric(&rep, "parse", "wall", "ns", PG_REPORT_LOWER_IS_BETTER);
	pg_report_metric_set_samples(m, base, 3, head, 4);
	m = pg_report_add_metric(&rep, "parse", "max_rss", "bytes", PG_REPORT_LOWER_IS_BETTER);
	m->head_median = 4096; /* a median without samples: no bounds */
	/* no head value (it crashed): left out, never NaN */
	pg_report_add_metric(&rep, "crash", "wall", "ns", PG_REPORT_LOWER_IS_BETTER);

	pg_bmf_render_report(&out, &rep);
	assert_null(strstr(out.data, "nan"));
	root = cJSON_Parse(out.data);
	assert_non_null(root);
	assert_int_equal(cJSON_GetArraySize(root), 1);
	assert_true(num(root, "parse", "wall", "value") == 215);
	assert_true(num(root, "parse", "wall", "lower_value") == 200);
	assert_true(num(root, "parse", "wall", "upper_value") == 230);
	assert_true(num(root, "parse", "max_rss", "value") == 4096);
	assert_null(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "parse"),
					     "max_rss"),
	    "lower_value"));
	cJSON_Delete(root);
	pg_buf_release(&out);
	pg_report_release(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_result_round_trip),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
