/* bench: the warm-up and repetition loop over real processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four headers above first. */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "config.h"
#include "err.h"
#include "result.h"
#include "util.h"

static char dir[] = "/tmp/pg-test-bench.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static struct pg_bench_cfg cfg(const char *name, const char *run)
{
	struct pg_bench_cfg b;

	memset(&b, 0, sizeof(b));
	b.name = (char *)name;
	b.run = (char *)run;
	b.warmup = 1;
	b.repeat_min = 3;
	b.repeat_max = 30;
	b.timeout_ns = 30000000000ull;
	return b;
}

static struct pg_bench_opts opts(void)
{
	struct pg_bench_opts o = PG_BENCH_OPTS_INIT;

	o.root = dir;
	o.grace_ns = 200000000ull;
	return o;
}

static void test_measures(void **state)
{
	struct pg_bench_cfg b = cfg("t", "true");
	struct pg_bench_opts o = opts();
	struct pg_result_bench r = {0};
	struct pg_err err = PG_ERR_INIT;
	const struct pg_metric *wall, *user, *sys, *cpu, *rss;
	size_t i;

	(void)state;
	assert_int_equal(pg_bench_check(&b, &o, &err), 0);
	assert_int_equal(pg_bench_run(&b, &o, b.warmup, b.repeat_min, &r, &err), 0);
	assert_int_equal(r.runs, 3);
	assert_int_equal(r.warmup, 1);
	wall = pg_result_find_metric(&r, "wall");
	user = pg_result_find_metric(&r, "user");
	sys = pg_result_find_metric(&r, "sys");
	cpu = pg_result_find_metric(&r, "cpu");
	rss = pg_result_find_metric(&r, "max_rss");
	assert_non_null(wall);
	assert_non_null(rss);
	assert_string_equal(wall->unit, "ns");
	assert_string_equal(rss->unit, "bytes");
	assert_int_equal(wall->nr_samples, 3);
	for (i = 0; i < 3; i++) {
		assert_true(wall->samples[i] > 0);
		assert_true(rss->samples[i] > 0);
		assert_true(cpu->samples[i] == user->samples[i] + sys->samples[i]);
	}
	/* one more sample, as check and bisect take them */
	o.run_total = 10;
	assert_int_equal(pg_bench_sample(&b, &o, &r, &err), 0);
	assert_int_equal(r.runs, 4);
	assert_int_equal(pg_result_find_metric(&r, "wall")->nr_samples, 4);
	assert_null(pg_result_find_metric(&r, "instructions"));
	pg_result_bench_release(&r);
}

static void test_failures(void **state)
{
	char counter[256], run[512];
	struct pg_bench_cfg b;
	struct pg_bench_opts o = opts();
	struct pg_result_bench r = {0};
	struct pg_err err = PG_ERR_INIT;
	int ign[] = {1};

	(void)state;
	snprintf(counter, sizeof(counter), "%s/count", dir);
	snprintf(run, sizeof(run),
		 "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; "
		 "[ $n -ne 3 ] || { echo first >&2; echo boom >&2; exit 1; }");
	b = cfg("flaky", run);
	/* warm-up is run 1 of the counter; the failing one is counted run 2/3 */
	assert_int_equal(pg_bench_run(&b, &o, 1, 3, &r, &err), -1);
	assert_int_equal(err.kind, PG_ERR_INFRA);
	assert_string_equal(err.msg, "benchmark 'flaky': run 2/3 exited with 1; stderr ends with:\n"
				     "  | first\n  | boom");
	assert_int_equal(r.runs, 1);
	assert_int_equal(r.status, 1);
	pg_result_bench_release(&r);

	/* ignore_exit accepts it and counts it */
	unlink(counter);
	b.ignore_exit = ign;
	b.nr_ignore_exit = 1;
	assert_int_equal(pg_bench_run(&b, &o, 1, 3, &r, &err), 0);
	assert_int_equal(r.runs, 3);
	assert_int_equal(r.ignored_exits, 1);
	pg_result_bench_release(&r);

	b = cfg("skip", "exit 125");
	assert_int_equal(pg_bench_run(&b, &o, 0, 3, &r, &err), PG_BENCH_SKIP);
	assert_string_equal(err.msg,
			    "benchmark 'skip': run 1/3 exited with 125 (skip: the benchmark "
			    "cannot run on this revision)");
	pg_result_bench_release(&r);

	b = cfg("segv", "kill -SEGV $$");
	assert_int_equal(pg_bench_run(&b, &o, 1, 3, &r, &err), -1);
	assert_string_equal(err.msg,
			    "benchmark 'segv': warm-up run 1 killed by signal 11 (SIGSEGV)");
	assert_int_equal(r.status, 139);
	pg_result_bench_release(&r);

	b = cfg("hang", "sleep 1000");
	b.timeout_ns = 200000000ull;
	assert_int_equal(pg_bench_run(&b, &o, 0, 2, &r, &err), -1);
	assert_string_equal(err.msg, "benchmark 'hang': run 1/2 timed out after 0.200 s");
	pg_result_bench_release(&r);

	b = cfg("missing", "./no-such-bench --fast");
	assert_int_equal(pg_bench_check(&b, &o, &err), -1);
	assert_string_equal(err.msg,
			    "benchmark 'missing': command './no-such-bench' not found: No such "
			    "file or directory");
	b = cfg("nodir", "true");
	b.cwd = "nope";
	assert_int_equal(pg_bench_check(&b, &o, &err), -1);
	assert_true(pg_str_endswith(err.msg, "/nope': No such file or directory"));
}

static void test_reported_metrics(void **state)
{
	struct pg_bench_cfg b =
	    cfg("lines", "echo \"score: $PG_SCORE ms\"; echo \"speed: 3 MB/s\"");
	struct pg_bench_opts o = opts();
	struct pg_result_bench r = {0};
	struct pg_err err = PG_ERR_INIT;
	char *env[] = {"PG_SCORE=2.5"};
	const struct pg_metric *m;

	(void)state;
	b.output = PG_OUTPUT_LINES;
	b.env = env;
	b.nr_env = 1;
	assert_int_equal(pg_bench_run(&b, &o, 1, 2, &r, &err), 0);
	m = pg_result_find_metric(&r, "score");
	assert_non_null(m);
	assert_int_equal(m->nr_samples, 2); /* the warm-up's output is checked, not kept */
	assert_true(m->samples[0] == 2.5e6);
	assert_int_equal(pg_result_find_metric(&r, "speed")->dir, PG_DIR_HIGHER);
	assert_non_null(pg_result_find_metric(&r, "wall"));
	pg_result_bench_release(&r);

	b = cfg("badjson", "echo '{\"benchmarks\": ['");
	b.output = PG_OUTPUT_GBENCH;
	assert_int_equal(pg_bench_run(&b, &o, 1, 2, &r, &err), -1);
	assert_string_equal(
	    err.msg, "benchmark 'badjson' output (warm-up run 1):2:1: unexpected end of JSON");
	assert_int_equal(r.runs, 0);
	pg_result_bench_release(&r);
}

static void test_leftover_warning(void **state)
{
	struct pg_bench_cfg b = cfg("forks", "sleep 1000 & echo done");
	struct pg_bench_opts o = opts();
	struct pg_result_bench r = {0};
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_int_equal(pg_bench_run(&b, &o, 0, 2, &r, &err), 0);
	assert_int_equal(r.runs, 2);
	assert_int_equal(r.nr_warnings, 1); /* said once, not per run */
	assert_string_equal(r.warnings[0], "left 1 process(es) running after run 1/2; killed");
	pg_result_bench_release(&r);
}

static void test_instructions(void **state)
{
	struct pg_bench_cfg b = cfg("ins", "true");
	struct pg_bench_opts o = opts();
	struct pg_result_bench r = {0};
	struct pg_err err = PG_ERR_INIT;
	const struct pg_metric *m;
	uint64_t v;
	double one;

	(void)state;
	assert_int_equal(pg_bench_callgrind_total("events: Ir\nsummary: 123\n", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(pg_bench_callgrind_total("events: Ir\ntotals: 77 3\nsummary: 123\n", &v),
			 0);
	assert_int_equal(v, 77);
	assert_int_equal(pg_bench_callgrind_total("events: Ir\n", &v), -1);
	assert_int_equal(pg_bench_callgrind_total("summary: x\n", &v), -1);

	b.instructions = true;
	assert_int_equal(pg_bench_run(&b, &o, 0, 1, &r, &err), 0);
	m = pg_result_find_metric(&r, "instructions");
	if (!m)
		fail_msg("no instructions: %s", err.msg);
	assert_int_equal(m->nr_samples, 1);
	assert_string_equal(m->unit, "count");
	assert_true(m->samples[0] > 10000); /* the dynamic loader alone runs more than this */
	one = m->samples[0];
	pg_result_bench_release(&r);

	/* through the shell, children traced: two processes are more than one */
	b = cfg("ins2", "true; /bin/true; /bin/true");
	b.instructions = true;
	assert_int_equal(pg_bench_instructions(&b, &o, &r, &err), 0);
	assert_true(pg_result_find_metric(&r, "instructions")->samples[0] > 2 * one);
	pg_result_bench_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_measures),	     cmocka_unit_test(test_failures),
	    cmocka_unit_test(test_reported_metrics), cmocka_unit_test(test_leftover_warning),
	    cmocka_unit_test(test_instructions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
