/* result: the model, its summaries, and the JSON document's round trip. */
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
#include <unistd.h>

#include "err.h"
#include "machine.h"
#include "result.h"
#include "util.h"

static void fill(struct pg_result *r)
{
	struct pg_result_bench *b;
	struct pg_metric *m;

	snprintf(r->commit, sizeof(r->commit), "0123456789abcdef0123456789abcdef01234567");
	r->has_commit = true;
	r->dirty = true;
	snprintf(r->config_hash, sizeof(r->config_hash), "%064d", 7);
	snprintf(r->created, sizeof(r->created), "2026-01-01T00:00:00Z");
	pg_machine_probe(&r->machine);
	b = pg_result_bench(r, "parse");
	b->runs = 3;
	b->warmup = 1;
	m = pg_result_metric(b, "wall", "ns", PG_DIR_LOWER);
	pg_result_metric_add(m, 3e6);
	pg_result_metric_add(m, 1e6);
	pg_result_metric_add(m, 2e6);
	m = pg_result_metric(b, "BM_X/bytes_per_second", "B/s", PG_DIR_HIGHER);
	pg_result_metric_add(m, 0.1);
	pg_result_metric_add(m, 123456789.123456789);
	pg_result_bench_warn(b, "left %u process(es)", 2u);
	/* hostile names: quotes, control characters, invalid UTF-8, a path */
	b = pg_result_bench(r, "evil \"q\" \\ \x01\x1b[31m \xff\xfe end \xe2\x82");
	b->error = pg_xstrdup("benchmark 'evil': run 1/3 killed by signal 11 (SIGSEGV)");
	b->status = 139;
	m = pg_result_metric(b, "../../.git/hooks/pre-commit\xc3\x28", "", PG_DIR_LOWER);
	pg_result_metric_add(m, 1);
}

static void test_summary(void **state)
{
	struct pg_metric m = {0};
	struct pg_summary s;
	const double v[] = {5, 1, 4, 2, 3};
	size_t i;

	(void)state;
	pg_metric_summary(&m, &s);
	assert_int_equal(s.n, 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(pg_result_metric_add(&m, v[i]), 0);
	assert_int_equal(pg_result_metric_add(&m, NAN), -1);
	assert_int_equal(pg_result_metric_add(&m, INFINITY), -1);
	pg_metric_summary(&m, &s);
	assert_int_equal(s.n, 5);
	assert_true(s.median == 3 && s.min == 1 && s.max == 5 && s.mean == 3);
	assert_true(fabs(s.stddev - sqrt(2.5)) < 1e-12);
	assert_true(fabs(s.cv - sqrt(2.5) / 3) < 1e-12);
	pg_result_metric_add(&m, 6);
	pg_metric_summary(&m, &s);
	assert_true(s.median == 3.5);
	assert_true(m.samples[0] == 5); /* the samples keep their run order */
	free(m.samples);
}

static void test_round_trip(void **state)
{
	struct pg_result a = PG_RESULT_INIT, b = PG_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	char *text, *text2, path[] = "/tmp/pg-test-result.XXXXXX", cmd[128];
	int fd;

	(void)state;
	fill(&a);
	text = pg_result_to_json(&a);
	assert_true(pg_utf8_valid(text, strlen(text)));
	assert_null(strstr(text, "NaN"));
	assert_non_null(strstr(text, "\"perfgate_result\":\t1"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pg_result_save(&a, path, &err), 0);
	/* jq accepts it */
	snprintf(cmd, sizeof(cmd), "jq -e '.benchmarks | length == 2' %s >/dev/null", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(pg_result_load(&b, path, &err), 0);
	assert_true(b.has_commit && b.dirty);
	assert_string_equal(b.commit, a.commit);
	assert_string_equal(b.config_hash, a.config_hash);
	assert_string_equal(b.machine.fingerprint, a.machine.fingerprint);
	assert_true(pg_machine_same(&a.machine, &b.machine));
	assert_int_equal(b.nr_benches, 2);
	assert_int_equal(b.benches[0].runs, 3);
	assert_int_equal(b.benches[0].warmup, 1);
	assert_int_equal(b.benches[0].nr_warnings, 1);
	assert_int_equal(b.benches[0].metrics[1].dir, PG_DIR_HIGHER);
	assert_true(b.benches[0].metrics[1].samples[1] == 123456789.123456789);
	assert_true(b.benches[0].metrics[0].samples[0] == 3e6);
	assert_string_equal(
	    b.benches[1].name,
	    "evil \"q\" \\ \x01\x1b[31m \xef\xbf\xbd\xef\xbf\xbd end \xef\xbf\xbd\xef\xbf\xbd");
	assert_int_equal(b.benches[1].status, 139);
	assert_string_equal(b.benches[1].error, a.benches[1].error);
	/* loading and saving again is a fixed point */
	text2 = pg_result_to_json(&b);
	pg_result_release(&a);
	pg_result_release(&b);
	assert_int_equal(pg_result_from_json(&a, "t2", text2, strlen(text2), &err), 0);
	free(text);
	text = pg_result_to_json(&a);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	pg_result_release(&a);
	unlink(path);
}

static void test_load_errors(void **state)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
	    {"[]", "r.json: not a perfgate result (expected an object)"},
	    {"{}", "r.json: not a perfgate result (no \"perfgate_result\")"},
	    {"{\"perfgate_result\": 2}",
	     "r.json: perfgate_result version 2 is not supported (this is 1)"},
	    {"{\"perfgate_result\": 1}", "r.json: \"benchmarks\": expected an array"},
	    {"{\"perfgate_result\": 1, \"benchmarks\": [{\"name\": 1}]}",
	     "r.json: benchmarks[0].name: expected a string"},
	    {"{\"perfgate_result\": 1, \"benchmarks\": [{\"name\": \"a\", \"runs\": -1}]}",
	     "r.json: benchmarks[0].runs: expected a number in [0, 1e+09]"},
	    {"{\"perfgate_result\": 1, \"benchmarks\": [{\"name\": \"a\", \"runs\": 1, "
	     "\"metrics\": "
	     "[{\"name\": \"w\", \"unit\": \"ns\", \"direction\": \"up\", \"samples\": []}]}]}",
	     "r.json: benchmarks[0].metrics[0].direction: expected \"lower\" or \"higher\", not "
	     "\"up\""},
	    {"{\"perfgate_result\": 1, \"benchmarks\": [{\"name\": \"a\", \"runs\": 1, "
	     "\"metrics\": "
	     "[{\"name\": \"w\", \"unit\": \"ns\", \"direction\": \"lower\", \"samples\": [1, "
	     "null]}]}]}",
	     "r.json: benchmarks[0].metrics[0].samples[1]: expected a finite number"},
	    {"{\"perfgate_result\": 1, \"benchmarks\": [{\"name\": \"a\", \"runs\": 1, "
	     "\"metrics\": "
	     "[{\"name\": \"w\", \"unit\": \"ns\", \"direction\": \"lower\", \"samples\": "
	     "[1e999]}]}]}",
	     "r.json: benchmarks[0].metrics[0].samples[0]: expected a finite number"},
	    {"{\"perfgate_result\": 1, \"benchmarks\": [{\"name\": \"a\", \"runs\": 1, "
	     "\"metrics\": []},"
	     "{\"name\": \"a\", \"runs\": 1, \"metrics\": []}]}",
	     "r.json: benchmarks[1].name: benchmark 'a' appears twice"},
	    {"{\"perfgate_result\": 1,\n \"benchmarks\": [}",
	     "r.json:2:17: invalid JSON (unexpected '}')"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		struct pg_result r = PG_RESULT_INIT;
		struct pg_err err = PG_ERR_INIT;

		assert_int_equal(
		    pg_result_from_json(&r, "r.json", cases[i].json, strlen(cases[i].json), &err),
		    -1);
		assert_int_equal(err.kind, PG_ERR_USAGE);
		assert_string_equal(err.msg, cases[i].msg);
		assert_int_equal(r.nr_benches, 0);
	}
}

/* Found by fuzz_result: blank input not NUL-terminated was scanned with strspn
 * past its end. Exactly len bytes on the heap, so ASan sees any overread. */
static void test_load_blank_unterminated(void **state)
{
	static const char *const blanks[] = {" ", " \n\t\r"};

	(void)state;
	for (size_t i = 0; i < PG_ARRAY_SIZE(blanks); i++) {
		size_t len = strlen(blanks[i]);
		char *data = malloc(len);
		struct pg_result r = PG_RESULT_INIT;
		struct pg_err err = PG_ERR_INIT;

		assert_non_null(data);
		memcpy(data, blanks[i], len);
		assert_int_equal(pg_result_from_json(&r, "r.json", data, len, &err), -1);
		assert_non_null(strstr(err.msg, "empty input, expected JSON"));
		free(data);
	}
}

/* Found by fuzz_result: names that differ only in invalid bytes are twins once
 * saved (U+FFFD each), so they are refused at load, not saved unloadable. */
static void test_names_cleaned_on_load(void **state)
{
	static const char doc[] =
	    "{\"perfgate_result\": 1, \"benchmarks\": ["
	    "{\"name\": \"c\xffrash\", \"runs\": 1, \"metrics\": []},"
	    "{\"name\": \"c\xferash\", \"runs\": 1, \"metrics\": []}]}";
	struct pg_result r = PG_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_int_equal(pg_result_from_json(&r, "r.json", doc, sizeof(doc) - 1, &err), -1);
	assert_string_equal(err.msg,
			    "r.json: benchmarks[1].name: benchmark 'c\xef\xbf\xbdrash' appears twice");
}

/* Found by fuzz_result: a long machine field with bad bytes was cut and
 * cleaned differently on each load, so the fingerprint changed with a save. */
static void test_machine_field_round_trip(void **state)
{
	struct pg_buf json = PG_BUF_INIT;
	struct pg_result r = PG_RESULT_INIT, r2 = PG_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	char *text;

	(void)state;
	pg_buf_adds(&json, "{\"perfgate_result\": 1, \"machine\": {\"cpu_model\": \"x\", "
			   "\"cores\": 2, \"hostname\": \"h\", \"kernel\": \"Linux ");
	for (int i = 0; i < 300; i++)
		pg_buf_addc(&json, (char)0x8d);
	pg_buf_adds(&json, "\"}, \"benchmarks\": []}");
	assert_int_equal(pg_result_from_json(&r, "r.json", json.data, json.len, &err), 0);
	assert_true(pg_utf8_valid(r.machine.kernel, strlen(r.machine.kernel)));
	text = pg_result_to_json(&r);
	assert_int_equal(pg_result_from_json(&r2, "r2.json", text, strlen(text), &err), 0);
	assert_string_equal(r.machine.kernel, r2.machine.kernel);
	assert_string_equal(r.machine.fingerprint, r2.machine.fingerprint);
	free(text);
	pg_result_release(&r);
	pg_result_release(&r2);

	/* No machine at all: unknown before and after a save and load. */
	static const char bare[] = "{\"perfgate_result\": 1, \"benchmarks\": []}";
	memset(&r, 0, sizeof(r));
	memset(&r2, 0, sizeof(r2));
	assert_int_equal(pg_result_from_json(&r, "r.json", bare, strlen(bare), &err), 0);
	text = pg_result_to_json(&r);
	assert_int_equal(pg_result_from_json(&r2, "r2.json", text, strlen(text), &err), 0);
	assert_string_equal(r.machine.fingerprint, "");
	assert_string_equal(r2.machine.fingerprint, "");
	free(text);
	pg_buf_release(&json);
	pg_result_release(&r);
	pg_result_release(&r2);
}

static void test_utf8_and_pos(void **state)
{
	char *s;
	unsigned line, col;

	(void)state;
	s = pg_utf8_clean("ok \xc3\xa9 \xed\xa0\x80 \xc0\xaf \xf4\x90\x80\x80");
	assert_string_equal(
	    s, "ok \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
	       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	pg_text_pos("ab\ncd\xc3\xa9x", 7, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 4);
}

static void test_machine(void **state)
{
	struct pg_machine a, b;

	(void)state;
	pg_machine_probe(&a);
	assert_true(a.cores >= 1);
	assert_true(pg_str_startswith(a.kernel, "Linux "));
	assert_int_equal(strlen(a.fingerprint), 16);
	b = a;
	b.load_avg[0] += 5; /* load is recorded, not compared */
	pg_machine_fingerprint(&b);
	assert_string_equal(a.fingerprint, b.fingerprint);
	b.cores++;
	pg_machine_fingerprint(&b);
	assert_string_not_equal(a.fingerprint, b.fingerprint);
	assert_false(pg_machine_same(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_load_blank_unterminated),
	    cmocka_unit_test(test_names_cleaned_on_load),
	    cmocka_unit_test(test_machine_field_round_trip),
	    cmocka_unit_test(test_utf8_and_pos),
	    cmocka_unit_test(test_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
