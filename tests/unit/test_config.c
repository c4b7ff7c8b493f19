#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "sha256.h"
#include "util.h"

#define DATA PG_TEST_DATA "/config"

/*
 * Table-driven: every tests/data/config/<case>.yml has a <case>.expected that
 * holds either the exact error message, or "ok" alone (it loads), or "ok"
 * followed by the dump below of every parsed field.
 * Set PG_CONFIG_PRINT=1 to print what each case gives.
 */

static const char *const outputs[] = {
    "none", "google-benchmark", "hyperfine", "go-test", "pytest-benchmark", "bmf", "lines"};
static const char *const kinds[] = {"count", "time", "size"};

static void dump_num(struct pg_buf *b, const char *key, bool has, double v)
{
	if (has)
		pg_buf_addf(b, " %s=%.15g", key, v);
}

static char *dump(const struct pg_config *cfg)
{
	struct pg_buf b = PG_BUF_INIT;

	pg_buf_addf(&b, "ok\nversion=%d\nbuild=%s\nbuild_timeout_ns=%llu\n", cfg->version,
		    cfg->build ? cfg->build : "(none)", (unsigned long long)cfg->build_timeout_ns);
	for (size_t i = 0; i < cfg->nr_benches; i++) {
		const struct pg_bench_cfg *be = &cfg->benches[i];

		pg_buf_addf(&b, "bench %s at %u:%u\n", be->name, be->pos.line, be->pos.col);
		pg_buf_addf(&b, "  run=%s\n  cwd=%s\n  env=", be->run,
			    be->cwd ? be->cwd : "(root)");
		for (size_t j = 0; j < be->nr_env; j++)
			pg_buf_addf(&b, "%s[%s]", j ? "," : "", be->env[j]);
		pg_buf_addf(&b, "\n  warmup=%u repeat=%u..%u timeout_ns=%llu\n", be->warmup,
			    be->repeat_min, be->repeat_max, (unsigned long long)be->timeout_ns);
		pg_buf_addf(&b, "  output=%s instructions=%s ignore_exit=", outputs[be->output],
			    be->instructions ? "true" : "false");
		for (size_t j = 0; j < be->nr_ignore_exit; j++)
			pg_buf_addf(&b, "%s%d", j ? "," : "", be->ignore_exit[j]);
		pg_buf_addc(&b, '\n');
	}
	pg_buf_addf(&b, "profile profiler=%s frequency=%u call_graph=%s\n",
		    cfg->profile.profiler == PG_PROFILER_PERF ? "perf" : "callgrind",
		    cfg->profile.frequency,
		    cfg->profile.call_graph == PG_CALL_GRAPH_DWARF ? "dwarf"
		    : cfg->profile.call_graph == PG_CALL_GRAPH_FP  ? "fp"
								   : "none");
	for (size_t i = 0; i < cfg->nr_budgets; i++) {
		const struct pg_budget_rule *r = &cfg->budgets[i];

		pg_buf_addf(&b, "budget %s %s %s %s at %u:%u:", r->bench, r->metric,
			    r->builtin ? "builtin" : "reported", kinds[r->kind], r->pos.line,
			    r->pos.col);
		dump_num(&b, "max", r->has_max, r->max);
		dump_num(&b, "min", r->has_min, r->min);
		dump_num(&b, "regress", r->has_regress, r->regress);
		pg_buf_addc(&b, '\n');
	}
	return pg_buf_detach(&b, NULL);
}

static char *read_all(const char *path, size_t *len)
{
	struct pg_buf b = PG_BUF_INIT;
	struct pg_err err = PG_ERR_INIT;

	if (pg_file_read(path, 16 << 20, &b, &err) < 0)
		fail_msg("%s", err.msg);
	pg_buf_cstr(&b);
	if (len)
		*len = b.len;
	return pg_buf_detach(&b, NULL);
}

static void rstrip(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Parse one file under name and compare with the expected text. */
static void check_case(const char *yml, const char *name, const char *expected_path)
{
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_err err = PG_ERR_INIT;
	size_t len;
	char *data = read_all(yml, &len);
	char *want = read_all(expected_path, NULL);
	char *got;
	int rc;

	rc = pg_config_parse(&cfg, name, data, len, &err);
	if (rc == 0) {
		char hex[65];
		pg_sha256_hex(data, len, hex);
		assert_string_equal(cfg.hash, hex);
		assert_string_equal(cfg.path, name);
		got = dump(&cfg);
	} else {
		assert_int_equal(rc, -1);
		assert_int_equal(err.kind, PG_ERR_USAGE);
		assert_null(cfg.benches);
		assert_null(cfg.path);
		got = pg_xstrdup(err.msg);
	}
	rstrip(got);
	rstrip(want);
	if (getenv("PG_CONFIG_PRINT"))
		printf("== %s\n%s\n", name, got);
	if (!strcmp(want, "ok"))
		want[0] = rc == 0 ? '\0' : 'X', got[0] = '\0';
	if (strcmp(got, want))
		fail_msg("%s:\n  got:  %s\n  want: %s", name, got, want);
	pg_config_release(&cfg);
	pg_config_release(&cfg); /* twice is harmless */
	free(data);
	free(want);
	free(got);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_cases(void **state)
{
	DIR *d = opendir(DATA);
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!pg_str_endswith(de->d_name, ".yml"))
			continue;
		PG_GROW(names, nr + 1, alloc);
		names[nr++] = pg_xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_str);
	assert_true(nr >= 90);
	for (size_t i = 0; i < nr; i++) {
		char *yml = pg_xasprintf("%s/%s", DATA, names[i]);
		char *exp =
		    pg_xasprintf("%s/%.*s.expected", DATA, (int)(strlen(names[i]) - 4), names[i]);
		if (access(exp, R_OK))
			fail_msg("%s has no .expected", names[i]);
		check_case(yml, names[i], exp);
		free(yml);
		free(exp);
		free(names[i]);
	}
	free(names);
}

/* Every .expected belongs to a case (a lost .yml would silently drop its check). */
static void test_no_orphans(void **state)
{
	DIR *d = opendir(DATA);
	struct dirent *de;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		char *yml;
		if (!pg_str_endswith(de->d_name, ".expected") ||
		    !strcmp(de->d_name, "examples-demo.expected"))
			continue;
		yml = pg_xasprintf("%s/%.*s.yml", DATA, (int)(strlen(de->d_name) - 9), de->d_name);
		if (access(yml, R_OK))
			fail_msg("%s has no .yml", de->d_name);
		free(yml);
	}
	closedir(d);
}

static void test_demo(void **state)
{
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_err err = PG_ERR_INIT;
	const char *path = PG_TEST_DATA "/../../examples/demo/perfgate.yml";
	const struct pg_bench_cfg *b;

	(void)state;
	check_case(path, "perfgate.yml", DATA "/examples-demo.expected");
	if (pg_config_load(&cfg, path, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.path, path);
	assert_true(cfg.nr_benches >= 1);
	b = pg_config_bench(&cfg, cfg.benches[0].name);
	assert_ptr_equal(b, &cfg.benches[0]);
	assert_non_null(b->run);
	pg_config_release(&cfg);
}

/* Every example config shipped in configs/ loads. */
static void test_example_configs(void **state)
{
	const char *dir = PG_TEST_DATA "/../../configs";
	DIR *d = opendir(dir);
	struct dirent *de;
	int nr = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		struct pg_config cfg = PG_CONFIG_INIT;
		struct pg_err err = PG_ERR_INIT;
		char *path;

		if (!pg_str_endswith(de->d_name, ".yml"))
			continue;
		path = pg_xasprintf("%s/%s", dir, de->d_name);
		if (pg_config_load(&cfg, path, &err) < 0)
			fail_msg("%s", err.msg);
		assert_true(cfg.nr_benches >= 1);
		pg_config_release(&cfg);
		free(path);
		nr++;
	}
	closedir(d);
	assert_true(nr >= 1);
}

static long maxrss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A1: refusing a billion-laughs file costs next to nothing. */
static void test_billion_laughs_cheap(void **state)
{
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf big = PG_BUF_INIT;
	long before, after;

	(void)state;
	/* same shape as a1-billion-laughs.yml but 12 levels and the aliases first */
	pg_buf_adds(&big, "version: 1\nbudgets:\n");
	for (int i = 11; i >= 1; i--) {
		pg_buf_addf(&big, "  l%d: [", i);
		for (int j = 0; j < 10; j++)
			pg_buf_addf(&big, "%s*a%d", j ? "," : "", i - 1);
		pg_buf_adds(&big, "]\n");
	}
	pg_buf_adds(&big, "  l0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
	before = maxrss_kib();
	assert_int_equal(pg_config_parse(&cfg, "budgets.yml", big.data, big.len, &err), -1);
	assert_string_equal(err.msg, "budgets.yml:3:9: aliases not allowed");
	pg_err_clear(&err);
	assert_int_equal(pg_config_load(&cfg, DATA "/a1-billion-laughs.yml", &err), -1);
	after = maxrss_kib();
	assert_string_equal(err.msg, DATA "/a1-billion-laughs.yml:3:12: aliases not allowed");
	assert_true(after - before < 50 * 1024);
	pg_buf_release(&big);
}

static void test_load_errors(void **state)
{
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_err err = PG_ERR_INIT;
	char *path = pg_xasprintf("%s/test_config_big_%d.yml", PG_BUILD_DIR, (int)getpid());
	char *data = pg_xmalloc(PG_CONFIG_MAX_BYTES + 1);
	FILE *f;

	(void)state;
	assert_int_equal(pg_config_load(&cfg, DATA "/no-such-file.yml", &err), -1);
	assert_non_null(strstr(err.msg, "no-such-file.yml"));
	assert_non_null(strstr(err.msg, "No such file or directory"));
	assert_null(cfg.path);

	pg_err_clear(&err);
	assert_int_equal(pg_config_load(&cfg, DATA, &err), -1);
	assert_non_null(strstr(err.msg, "Is a directory"));

	/* one byte over the cap: refused before parsing, in memory and on disk */
	memset(data, '#', PG_CONFIG_MAX_BYTES + 1);
	pg_err_clear(&err);
	assert_int_equal(pg_config_parse(&cfg, "big.yml", data, PG_CONFIG_MAX_BYTES + 1, &err), -1);
	assert_string_equal(err.msg, "big.yml: larger than 1048576 bytes (1048577 bytes)");
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, PG_CONFIG_MAX_BYTES + 1, f), PG_CONFIG_MAX_BYTES + 1);
	fclose(f);
	pg_err_clear(&err);
	assert_int_equal(pg_config_load(&cfg, path, &err), -1);
	assert_non_null(strstr(err.msg, "larger than 1048576 bytes"));
	assert_int_equal(err.kind, PG_ERR_USAGE);
	/* at the cap exactly: parsed (all comments, so empty) */
	pg_err_clear(&err);
	assert_int_equal(pg_config_parse(&cfg, "cap.yml", data, PG_CONFIG_MAX_BYTES, &err), -1);
	assert_string_equal(err.msg, "cap.yml:1:1: empty config (expected 'version: 1' and 'benchmarks:')");
	unlink(path);
	free(path);
	free(data);
}

/* More nodes than PG_CONFIG_MAX_NODES: refused on the node over the cap. */
static void test_node_cap(void **state)
{
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf b = PG_BUF_INIT;

	(void)state;
	pg_buf_adds(&b, "x: [");
	for (int i = 0; i < PG_CONFIG_MAX_NODES; i++)
		pg_buf_adds(&b, "1,");
	pg_buf_adds(&b, "1]\n");
	assert_int_equal(pg_config_parse(&cfg, "n.yml", b.data, b.len, &err), -1);
	/* root map, key x, the list: the 65534th item is node 65537 at column 5 + 2 * 65533 */
	assert_string_equal(err.msg, "n.yml:1:131071: more than 65536 YAML nodes");
	pg_buf_release(&b);
}

static void test_metric_names(void **state)
{
	(void)state;
	assert_string_equal(pg_config_metric_canonical("rss"), "max_rss");
	assert_string_equal(pg_config_metric_canonical("max_rss"), "max_rss");
	assert_string_equal(pg_config_metric_canonical("wall"), "wall");
	assert_string_equal(pg_config_metric_canonical("user"), "user");
	assert_string_equal(pg_config_metric_canonical("sys"), "sys");
	assert_string_equal(pg_config_metric_canonical("cpu"), "cpu");
	assert_string_equal(pg_config_metric_canonical("instructions"), "instructions");
	assert_null(pg_config_metric_canonical("Wall"));
	assert_null(pg_config_metric_canonical("items_per_second"));
	assert_null(pg_config_metric_canonical(""));
	assert_null(pg_config_metric_canonical(NULL));
	assert_int_equal(pg_config_metric_kind("rss"), PG_METRIC_SIZE);
	assert_int_equal(pg_config_metric_kind("cpu"), PG_METRIC_TIME);
	assert_int_equal(pg_config_metric_kind("instructions"), PG_METRIC_COUNT);
	assert_int_equal(pg_config_metric_kind("mean"), PG_METRIC_COUNT);
}

static void test_bench_lookup(void **state)
{
	static const char yml[] = "version: 1\nbenchmarks:\n  - { name: a, run: ./a }\n"
				  "  - { name: b, run: ./b }\n";
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_int_equal(pg_config_parse(&cfg, "abc1234:perfgate.yml", yml, sizeof(yml) - 1, &err),
			 0);
	assert_ptr_equal(pg_config_bench(&cfg, "a"), &cfg.benches[0]);
	assert_ptr_equal(pg_config_bench(&cfg, "b"), &cfg.benches[1]);
	assert_null(pg_config_bench(&cfg, "c"));
	assert_null(pg_config_bench(&cfg, ""));
	assert_null(pg_config_bench(&cfg, NULL));
	assert_string_equal(cfg.path, "abc1234:perfgate.yml");
	{
		static const char yml2[] = "version: 1\nbenchmarks:\n  - { name: parse, run: ./p }\n"
					   "  - { name: render, run: ./r }\n";
		struct pg_config c2 = PG_CONFIG_INIT;
		const struct pg_bench_cfg *b = NULL;

		assert_int_equal(pg_config_parse(&c2, "perfgate.yml", yml2, sizeof(yml2) - 1, &err), 0);
		assert_int_equal(pg_config_find_bench(&c2, "render", NULL, &b, &err), 0);
		assert_ptr_equal(b, &c2.benches[1]);
		assert_int_equal(pg_config_find_bench(&c2, "pasre", NULL, &b, &err), -1);
		assert_int_equal(err.kind, PG_ERR_USAGE);
		assert_null(b);
		assert_string_equal(err.msg,
				    "perfgate.yml: no benchmark named 'pasre' (did you mean 'parse'?)");
		assert_int_equal(
		    pg_config_find_bench(&c2, "zzzzzzzz", "base abc1234:perfgate.yml", &b, &err), -1);
		assert_string_equal(err.msg, "base abc1234:perfgate.yml: no benchmark named 'zzzzzzzz'");
		pg_config_release(&c2);
	}
	pg_config_release(&cfg);
	assert_null(pg_config_bench(&cfg, "a"));
	/* the name given is the one in messages */
	assert_int_equal(pg_config_parse(&cfg, "abc1234:perfgate.yml", "version: 3\n", 11, &err),
			 -1);
	assert_string_equal(err.msg, "abc1234:perfgate.yml:1:10: unsupported version 3 (this "
				     "perfgate reads version 1)");
}

/* Each prefix of a valid file: an error or a success, never a crash or a leak (ASan). */
static void test_truncations(void **state)
{
	size_t len;
	char *data = read_all(DATA "/full.yml", &len);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct pg_config cfg = PG_CONFIG_INIT;
		struct pg_err err = PG_ERR_INIT;
		if (pg_config_parse(&cfg, "t.yml", data, n, &err) < 0)
			assert_true(pg_str_startswith(err.msg, "t.yml:"));
		pg_config_release(&cfg);
	}
	free(data);
}

/*
 * Fixed-seed mutations of valid files (bytes flipped, inserted, removed):
 * each gives a success or a "FILE:..." error, never a crash or leak (ASan).
 */
static void test_mutations(void **state)
{
	static const char *const files[] = {DATA "/full.yml", DATA "/units.yml"};
	static const char alphabet[] = "[]{}:-&*!|>'\"#%@`,? \t\n\r0.9aZ\xc3\xa9\xff";
	uint64_t seed = 42;

	(void)state;
	for (size_t f = 0; f < PG_ARRAY_SIZE(files); f++) {
		size_t len;
		char *orig = read_all(files[f], &len);
		char *buf = pg_xmalloc(len + 8);

		for (int iter = 0; iter < 3000; iter++) {
			struct pg_config cfg = PG_CONFIG_INIT;
			struct pg_err err = PG_ERR_INIT;
			size_t n = len;

			memcpy(buf, orig, len);
			for (int k = 0; k < 1 + iter % 3; k++) {
				size_t pos;
				char ch;
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				pos = (size_t)(seed >> 33) % n;
				ch = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
				switch ((seed >> 12) % 3) {
				case 0:
					buf[pos] = ch;
					break;
				case 1:
					memmove(buf + pos + 1, buf + pos, n - pos);
					buf[pos] = ch;
					n++;
					break;
				default:
					memmove(buf + pos, buf + pos + 1, n - pos - 1);
					n--;
				}
			}
			if (pg_config_parse(&cfg, "m.yml", buf, n, &err) < 0) {
				if (!pg_str_startswith(err.msg, "m.yml:"))
					fail_msg("bad message: %s", err.msg);
			} else {
				assert_true(cfg.nr_benches >= 1);
			}
			pg_config_release(&cfg);
		}
		free(buf);
		free(orig);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_no_orphans),
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_example_configs),
		cmocka_unit_test(test_billion_laughs_cheap),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_node_cap),
		cmocka_unit_test(test_metric_names),
		cmocka_unit_test(test_bench_lookup),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
