/* benchfmt: every parser on the real fixtures, and on hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four headers above first. */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchfmt.h"
#include "err.h"
#include "result.h"
#include "util.h"

static char *slurp(const char *rel, size_t *len)
{
	struct pg_buf b = PG_BUF_INIT;
	struct pg_err err = PG_ERR_INIT;
	char *path = pg_xasprintf("%s/%s", PG_TEST_DATA, rel);

	if (pg_file_read(path, 1 << 24, &b, &err) < 0)
		fail_msg("%s", err.msg);
	free(path);
	return pg_buf_detach(&b, len);
}

static const struct pg_metric *metric(const struct pg_result_bench *b, const char *name)
{
	const struct pg_metric *m = pg_result_find_metric(b, name);

	if (!m)
		fail_msg("no metric '%s'", name);
	return m;
}

static void expect_samples(const struct pg_metric *m, const char *unit, enum pg_direction dir,
			   const double *want, size_t n)
{
	size_t i;

	assert_string_equal(m->unit, unit);
	assert_int_equal(m->dir, dir);
	assert_int_equal(m->nr_samples, n);
	for (i = 0; i < n; i++)
		if (m->samples[i] != want[i])
			fail_msg("%s[%zu] = %.17g, want %.17g", m->name, i, m->samples[i], want[i]);
}

static void test_gbench(void **state)
{
	struct pg_result_bench b = {0};
	struct pg_benchfmt_info info;
	struct pg_err err = PG_ERR_INIT;
	size_t len;
	char *data = slurp("formats/gbench/gbench.json", &len);
	const double real64[] = {7.3634276710337730e+01, 7.4172781678426645e+01, 74.233932824096};
	const double cpu4096[] = {5218.357553460563, 5259.9261132827505, 5258.25132214302};
	const double bps64[] = {8.7321478782556200e+08, 8.6595374814190662e+08,
				8.6658805513889527e+08};
	const double fmt[] = {125.57054073616496, 144.0104621025822, 109.28650011457604};

	(void)state;
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GBENCH, "gbench.json", data, len, &b, &info, &err), 0);
	assert_int_equal(info.rows, 9);
	assert_int_equal(info.skipped, 12); /* _mean _median _stddev _cv for 3 families */
	expect_samples(metric(&b, "BM_Checksum/64/real_time"), "ns", PG_DIR_LOWER, real64, 3);
	expect_samples(metric(&b, "BM_Checksum/4096/cpu_time"), "ns", PG_DIR_LOWER, cpu4096, 3);
	expect_samples(metric(&b, "BM_Checksum/64/bytes_per_second"), "B/s", PG_DIR_HIGHER, bps64,
		       3);
	assert_true(metric(&b, "BM_Checksum/64/records")->samples[0] == 1.3643981059774406e+07);
	expect_samples(metric(&b, "BM_Format/real_time"), "ns", PG_DIR_LOWER, fmt, 3);
	assert_null(pg_result_find_metric(&b, "BM_Format/bytes_per_second"));
	assert_null(pg_result_find_metric(&b, "BM_Checksum/64_mean/real_time"));
	assert_int_equal(b.nr_metrics, 4 + 4 + 2);
	pg_result_bench_release(&b);
	free(data);

	data = slurp("run/gbench-ms.json", &len);
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_GBENCH, "ms", data, len, &b, NULL, &err), 0);
	{
		const double rt[] = {1.5e6, 2e6}, ips[] = {2000, 1000};

		expect_samples(metric(&b, "BM_Slow/real_time"), "ns", PG_DIR_LOWER, rt, 2);
		expect_samples(metric(&b, "BM_Slow/items_per_second"), "1/s", PG_DIR_HIGHER, ips,
			       2);
	}
	pg_result_bench_release(&b);
	free(data);

	data = slurp("run/gbench-aggregates-only.json", &len);
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_GBENCH, "agg.json", data, len, &b, NULL, &err),
			 -1);
	assert_string_equal(err.msg, "agg.json: no benchmark rows (only 1 aggregate rows)");
	assert_int_equal(b.nr_metrics, 0);
	free(data);
}

static void test_hyperfine(void **state)
{
	struct pg_result_bench b = {0};
	struct pg_err err = PG_ERR_INIT;
	size_t len;
	char *data = slurp("formats/hyperfine/hyperfine.json", &len);
	const double base[] = {0.132398455 * 1e9, 0.11535821900000001 * 1e9,
			       0.12019410300000001 * 1e9, 0.116139484 * 1e9,
			       0.12237483800000001 * 1e9};
	const double head[] = {0.320322467 * 1e9, 0.318319901 * 1e9, 0.341766402 * 1e9,
			       0.324599593 * 1e9, 0.318507348 * 1e9};

	(void)state;
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_HYPERFINE, "h.json", data, len, &b, NULL, &err), 0);
	assert_int_equal(b.nr_metrics, 2);
	expect_samples(metric(&b, "./base/hot 20000/wall"), "ns", PG_DIR_LOWER, base, 5);
	expect_samples(metric(&b, "./head/hot 20000/wall"), "ns", PG_DIR_LOWER, head, 5);
	/* a second run's output adds samples */
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_HYPERFINE, "h.json", data, len, &b, NULL, &err), 0);
	assert_int_equal(metric(&b, "./base/hot 20000/wall")->nr_samples, 10);
	pg_result_bench_release(&b);
	free(data);
}

static void test_go(void **state)
{
	struct pg_result_bench b = {0};
	struct pg_benchfmt_info info;
	struct pg_err err = PG_ERR_INIT;
	size_t len;
	char *data = slurp("formats/go/go-bench.txt", &len);
	const double pr_ns[] = {5303, 5388, 5362}, pr_mb[] = {772.45, 760.17, 763.93};
	const double zero[] = {0, 0, 0}, fo_ns[] = {198.1, 211.4, 215.7}, fo_b[] = {16, 16, 16};

	(void)state;
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_GO_TEST, "go.txt", data, len, &b, &info, &err),
			 0);
	assert_int_equal(info.rows, 6);
	expect_samples(metric(&b, "BenchmarkParseRecord-2/ns/op"), "ns/op", PG_DIR_LOWER, pr_ns, 3);
	expect_samples(metric(&b, "BenchmarkParseRecord-2/MB/s"), "MB/s", PG_DIR_HIGHER, pr_mb, 3);
	expect_samples(metric(&b, "BenchmarkParseRecord-2/B/op"), "B/op", PG_DIR_LOWER, zero, 3);
	expect_samples(metric(&b, "BenchmarkParseRecord-2/allocs/op"), "allocs/op", PG_DIR_LOWER,
		       zero, 3);
	expect_samples(metric(&b, "BenchmarkFormatOutput-2/ns/op"), "ns/op", PG_DIR_LOWER, fo_ns,
		       3);
	expect_samples(metric(&b, "BenchmarkFormatOutput-2/B/op"), "B/op", PG_DIR_LOWER, fo_b, 3);
	assert_int_equal(b.nr_metrics, 4 + 3);
	pg_result_bench_release(&b);
	free(data);

	/* a custom unit, a failure, no results, a bad number */
	data = "BenchmarkX-4   100   12 ns/op   3.5 widgets/op\n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GO_TEST, "x", data, strlen(data), &b, NULL, &err), 0);
	assert_true(metric(&b, "BenchmarkX-4/widgets/op")->samples[0] == 3.5);
	pg_result_bench_release(&b);
	data = "goos: linux\n--- FAIL: BenchmarkX\nFAIL\n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GO_TEST, "x", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "x:2:1: go test reported a failure: --- FAIL: BenchmarkX");
	data = "PASS\nok  x 0.1s\n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GO_TEST, "x", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "x: no 'Benchmark...' result lines");
	data = "BenchmarkY 10 5 ns/op\nBenchmarkY 10 1e999 ns/op\n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GO_TEST, "y", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "y:2:15: not a finite number");
	data = "BenchmarkY 10 5 ns/op abc\n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GO_TEST, "y", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "y:1:23: expected a number");
	assert_int_equal(b.nr_metrics, 0); /* nothing added on failure */
}

static void test_pytest(void **state)
{
	struct pg_result_bench b = {0};
	struct pg_err err = PG_ERR_INIT;
	size_t len;
	char *data = slurp("formats/pytest/pytest-benchmark.json", &len);
	const struct pg_metric *m;

	(void)state;
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_PYTEST, "p.json", data, len, &b, NULL, &err),
			 0);
	assert_int_equal(b.nr_metrics, 2);
	m = metric(&b, "test_checksum/time");
	assert_string_equal(m->unit, "ns");
	assert_int_equal(m->nr_samples, 75);
	assert_true(m->samples[0] == 2.0307999875512905e-05 * 1e9);
	assert_true(m->samples[74] == 1.955700008693384e-05 * 1e9);
	m = metric(&b, "test_format/time");
	assert_int_equal(m->nr_samples, 388);
	assert_true(m->samples[0] == 1.806666659831535e-07 * 1e9);
	pg_result_bench_release(&b);
	free(data);

	/* no raw data: the median is the one sample */
	data = "{\"benchmarks\": [{\"name\": \"t\", \"stats\": {\"median\": 0.25}}]}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_PYTEST, "p", data, strlen(data), &b, NULL, &err), 0);
	assert_true(metric(&b, "t/time")->samples[0] == 0.25e9);
	assert_int_equal(metric(&b, "t/time")->nr_samples, 1);
	pg_result_bench_release(&b);
}

static void test_bmf(void **state)
{
	struct pg_result_bench b = {0};
	struct pg_err err = PG_ERR_INIT;
	size_t len;
	char *data = slurp("formats/handwritten/bmf.json", &len);
	const double lat[] = {5310.2}, thr[] = {771.4}, bt[] = {1.87}, fs[] = {16384.0};

	(void)state;
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_BMF, "bmf.json", data, len, &b, NULL, &err),
			 0);
	assert_int_equal(b.nr_metrics, 4);
	expect_samples(metric(&b, "parse/parse_record/4096/latency"), "ns", PG_DIR_LOWER, lat, 1);
	expect_samples(metric(&b, "parse/parse_record/4096/throughput"), "ops/s", PG_DIR_HIGHER,
		       thr, 1);
	expect_samples(metric(&b, "hot --rounds 20000/build-time"), "", PG_DIR_LOWER, bt, 1);
	expect_samples(metric(&b, "hot --rounds 20000/file-size"), "", PG_DIR_LOWER, fs, 1);
	pg_result_bench_release(&b);
	free(data);

	data = "{\"a\": {\"latency\": {\"value\": \"fast\"}}}";
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_BMF, "b", data, strlen(data), &b, NULL, &err),
			 -1);
	assert_string_equal(err.msg, "b: \"a\".\"latency\".value: expected a number");
	data = "[1, 2]";
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_BMF, "b", data, strlen(data), &b, NULL, &err),
			 -1);
	assert_string_equal(err.msg,
			    "b: not Bencher Metric Format (expected an object of benchmarks)");
}

static void test_lines(void **state)
{
	struct pg_result_bench b = {0};
	struct pg_benchfmt_info info;
	struct pg_err err = PG_ERR_INIT;
	size_t len;
	char *data = slurp("run/lines.txt", &len);
	const double parse[] = {12.5e6}, fast[] = {250e3}, rss[] = {3.0 * 1048576};
	const double thr[] = {1500}, rec[] = {42}, ratio[] = {0.75};

	(void)state;
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_LINES, "out", data, len, &b, &info, &err), 0);
	assert_int_equal(info.rows, 6);
	assert_int_equal(info.skipped, 1);
	expect_samples(metric(&b, "parse"), "ns", PG_DIR_LOWER, parse, 1);
	expect_samples(metric(&b, "parse::fast"), "ns", PG_DIR_LOWER, fast, 1);
	expect_samples(metric(&b, "rss peak"), "bytes", PG_DIR_LOWER, rss, 1);
	expect_samples(metric(&b, "throughput"), "ops/s", PG_DIR_HIGHER, thr, 1);
	expect_samples(metric(&b, "records"), "", PG_DIR_LOWER, rec, 1);
	expect_samples(metric(&b, "ratio"), "x", PG_DIR_LOWER, ratio, 1);
	pg_result_bench_release(&b);
	free(data);

	data = "a: 1 ms\nb: 1e999 ms\n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_LINES, "o", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "o:2:4: not a finite number");
	assert_int_equal(b.nr_metrics, 0);
	data = "a: nan\nb: inf s\nc: 0x10\n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_LINES, "o", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "o: no 'name: value unit' lines");
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_LINES, "o", "", 0, &b, NULL, &err), -1);
}

static void test_json_errors(void **state)
{
	struct pg_result_bench b = {0};
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf deep = PG_BUF_INIT;
	const char *data;
	int i;

	(void)state;
	data = "{\n  \"benchmarks\": [\n    {\"name\": \"x\",, }\n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GBENCH, "g.json", data, strlen(data), &b, NULL, &err), -1);
	assert_int_equal(err.kind, PG_ERR_INFRA);
	assert_string_equal(err.msg, "g.json:3:19: invalid JSON");
	data = "{\"benchmarks\": [";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GBENCH, "g.json", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "g.json:1:17: unexpected end of JSON");
	data = "  \n";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_HYPERFINE, "h", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "h:2:1: empty input, expected JSON");
	data = "{\"results\": []} trailing";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_HYPERFINE, "h", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "h:1:17: unexpected data after JSON value");
	data = "{\"results\": [{\"command\": \"x\", \"times\": [NaN]}]}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_HYPERFINE, "h", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "h:1:41: invalid JSON");
	data = "{\"results\": [{\"command\": \"x\", \"times\": [1e999]}]}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_HYPERFINE, "h", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "h: results[0].times[0]: not a finite number");
	data = "{\"results\": [{\"command\": \"x\", \"times\": [1e300]}]}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_HYPERFINE, "h", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg,
			    "h: results[0].times[0]: not a finite number"); /* 1e300 s in ns */
	data = "{\"results\": [{\"command\": 7, \"times\": [1]}]}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_HYPERFINE, "h", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "h: results[0].command: expected a string");
	data = "{\"benchmarks\": [{\"name\": \"a\", \"real_time\": \"1\", \"cpu_time\": 1}]}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GBENCH, "g", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "g: benchmarks[0].real_time: expected a number");
	data = "{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1, "
	       "\"time_unit\": \"fortnight\"}]}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GBENCH, "g", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "g: benchmarks[0].time_unit: unknown unit 'fortnight'");
	data = "{\"benchmarks\": [{\"name\": \"a\", \"error_occurred\": true, \"error_message\": "
	       "\"boom\"}]}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_GBENCH, "g", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "g: benchmark 'a' reported an error: boom");
	data = "{\"benchmarks\": {}}";
	assert_int_equal(
	    pg_benchfmt_parse(PG_OUTPUT_PYTEST, "p", data, strlen(data), &b, NULL, &err), -1);
	assert_string_equal(err.msg, "p: not pytest-benchmark JSON (no \"benchmarks\" array)");

	/* nesting: refused by our scanner before cJSON recurses */
	for (i = 0; i < 100000; i++)
		pg_buf_addc(&deep, '[');
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_BMF, "d", deep.data, deep.len, &b, NULL, &err),
			 -1);
	assert_string_equal(err.msg, "d:1:65: JSON nested deeper than 64 levels");
	pg_buf_reset(&deep);
	pg_buf_adds(
	    &deep,
	    "{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\"}");
	assert_int_equal(pg_benchfmt_parse(PG_OUTPUT_BMF, "d", deep.data, deep.len, &b, NULL, &err),
			 -1);
	assert_string_equal(
	    err.msg,
	    "d: \"a\": expected an object of measures"); /* brackets in strings do not count */
	pg_buf_release(&deep);
	assert_int_equal(b.nr_metrics, 0);
}

static void test_direction(void **state)
{
	(void)state;
	assert_int_equal(pg_benchfmt_direction("x", "ops/s"), PG_DIR_HIGHER);
	assert_int_equal(pg_benchfmt_direction("x", "MB/s"), PG_DIR_HIGHER);
	assert_int_equal(pg_benchfmt_direction("items_per_second", ""), PG_DIR_HIGHER);
	assert_int_equal(pg_benchfmt_direction("Throughput", ""), PG_DIR_HIGHER);
	assert_int_equal(pg_benchfmt_direction("x", "ns/op"), PG_DIR_LOWER);
	assert_int_equal(pg_benchfmt_direction("latency", "ns"), PG_DIR_LOWER);
	assert_int_equal(pg_benchfmt_direction("score", "ns"), PG_DIR_LOWER);
	assert_int_equal(pg_benchfmt_direction("score", ""), PG_DIR_HIGHER);
	assert_string_equal(pg_benchfmt_name(PG_OUTPUT_GO_TEST), "go-test");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gbench),	cmocka_unit_test(test_hyperfine),
	    cmocka_unit_test(test_go),		cmocka_unit_test(test_pytest),
	    cmocka_unit_test(test_bmf),		cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_json_errors), cmocka_unit_test(test_direction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
