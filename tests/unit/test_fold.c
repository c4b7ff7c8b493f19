/* fold: perf script text -> folded stacks, over tests/data/fold/<case>.in + .expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fold.h"
#include "prof.h"
#include "prof_read.h"
#include "util.h"

#define DIR PG_TEST_DATA "/fold/"

struct fold_case {
	const char *in, *expected;
	struct pg_prof_read_opts opts;
	const char *warning;      /* substring of one warning, or NULL for none */
	enum pg_prof_unit unit;
	uint64_t samples;
};

static const struct fold_case cases[] = {
	{ "dwarf-inlined", "dwarf-inlined", { 0 }, NULL, PG_PROF_NS, 25 },
	{ "fp-kernel", "fp-kernel", { 0 }, NULL, PG_PROF_NS, 103 },
	{ "no-callchain", "no-callchain", { 0 }, NULL, PG_PROF_NS, 9 },
	{ "multi-event", "multi-event", { 0 }, "skipped 16 samples of: cpu-clock", PG_PROF_SAMPLES, 7 },
	{ "multi-event", "multi-event-cpu-clock", { .event = "cpu-clock" },
	  "skipped 7 samples of: page-faults", PG_PROF_NS, 16 },
	{ "jit", "jit", { 0 }, NULL, PG_PROF_NS, 3 },
	{ "symbols", "symbols", { 0 }, NULL, PG_PROF_NS, 6 },
	{ "comm-spaces", "comm-spaces", { 0 }, NULL, PG_PROF_SAMPLES, 3 },
	{ "comm-spaces", "comm-spaces-pid", { .pid = true }, NULL, PG_PROF_SAMPLES, 3 },
	{ "comm-spaces", "comm-spaces-tid", { .tid = true }, NULL, PG_PROF_SAMPLES, 3 },
	{ "truncated", "truncated", { 0 }, "input ends mid-line", PG_PROF_NS, 14 },
	{ "zero", "zero", { 0 }, "no samples", PG_PROF_SAMPLES, 0 },
};

static char *slurp(const char *path, size_t *len)
{
	struct pg_buf b = PG_BUF_INIT;
	struct pg_err err = PG_ERR_INIT;

	if (pg_file_read(path, 1 << 26, &b, &err) < 0)
		fail_msg("%s", err.msg);
	return pg_buf_detach(&b, len);
}

static bool has_warning(const struct pg_prof_warnings *w, const char *sub)
{
	unsigned i;

	for (i = 0; i < w->n; i++)
		if (strstr(w->msg[i], sub))
			return true;
	return false;
}

static char *folded(const struct pg_prof *p)
{
	struct pg_buf b = PG_BUF_INIT;

	pg_prof_write_folded(p, &b);
	return pg_buf_detach(&b, NULL);
}

/* As perfgate writes a folded file: the header line, then the stacks. */
static char *folded_file(const struct pg_prof *p)
{
	struct pg_buf b = PG_BUF_INIT;

	pg_prof_write_folded_header(p, &b);
	pg_prof_write_folded(p, &b);
	return pg_buf_detach(&b, NULL);
}

/* Fold data fed in chunks of `chunk` bytes (0 = all at once). */
static char *fold_chunked(const char *data, size_t len, size_t chunk,
			  const struct pg_prof_read_opts *opts, struct pg_prof_warnings *w,
			  struct pg_prof *p, uint64_t *samples)
{
	struct pg_fold f;
	size_t off = 0;
	char *out;

	pg_prof_init(p, PG_PROF_SAMPLES);
	pg_fold_init(&f, p, "case", opts, w);
	if (!chunk)
		chunk = len ? len : 1;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		pg_fold_feed(&f, data + off, n);
		off += n;
	}
	pg_fold_finish(&f);
	*samples = f.samples;
	pg_fold_release(&f);
	out = folded_file(p);
	return out;
}

static void test_cases(void **state)
{
	size_t i;
	static const size_t chunks[] = { 0, 1, 7, 4096 };

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		const struct fold_case *c = &cases[i];
		char path[512];
		size_t len, elen, k;
		char *in, *expected;

		snprintf(path, sizeof(path), DIR "%s.in", c->in);
		in = slurp(path, &len);
		snprintf(path, sizeof(path), DIR "%s.expected", c->expected);
		expected = slurp(path, &elen);
		for (k = 0; k < PG_ARRAY_SIZE(chunks); k++) {
			struct pg_prof_warnings w = { 0 };
			struct pg_prof p;
			uint64_t samples = 0;
			char *out = fold_chunked(in, len, chunks[k], &c->opts, &w, &p, &samples);

			if (strcmp(out, expected))
				fail_msg("%s (chunk %zu): got\n%s\nexpected\n%s", c->expected, chunks[k],
					 out, expected);
			assert_int_equal(p.unit, c->unit);
			assert_int_equal(samples, c->samples);
			if (c->warning && !has_warning(&w, c->warning))
				fail_msg("%s: no warning '%s' (%u warnings, first: %s)", c->expected,
					 c->warning, w.n, w.n ? w.msg[0] : "");
			if (!c->warning && w.n)
				fail_msg("%s: unexpected warning %s", c->expected, w.msg[0]);
			free(out);
			pg_prof_release(&p);
		}
		/* and through the file reader (streamed from the fd) */
		{
			struct pg_prof p;
			struct pg_err err = PG_ERR_INIT;
			char *out;

			snprintf(path, sizeof(path), DIR "%s.in", c->in);
			assert_int_equal(pg_prof_read_file_ex(&p, path, PG_PROF_FMT_PERF_SCRIPT, &c->opts,
							      NULL, &err), 0);
			out = folded_file(&p);
			assert_string_equal(out, expected);
			free(out);
			pg_prof_release(&p);
		}
		free(in);
		free(expected);
	}
}

static void test_autodetect(void **state)
{
	static const char *const names[] = { "dwarf-inlined", "fp-kernel", "no-callchain",
					     "multi-event", "jit", "symbols", "comm-spaces" };
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(names); i++) {
		char path[512];
		size_t len;
		char *in;

		snprintf(path, sizeof(path), DIR "%s.in", names[i]);
		in = slurp(path, &len);
		if (pg_prof_detect(in, len) != PG_PROF_FMT_PERF_SCRIPT)
			fail_msg("%s not detected as perf script", names[i]);
		free(in);
	}
}

struct sym_case {
	const char *sym, *dso, *want;
};

static const struct sym_case syms[] = {
	{ "foo+0x1c", "/srv/app", "foo" },
	{ "checksum.constprop.0+0x1f", "/srv/app", "checksum.constprop.0" },
	{ "deadbeef", "/srv/app", "deadbeef" },
	{ "[unknown]", "/usr/lib/x86_64-linux-gnu/libc.so.6", "[libc.so.6]" },
	{ "[unknown]", "[unknown]", "[unknown]" },
	{ "[unknown]", "", "[unknown]" },
	{ "[unknown]", "[kernel.kallsyms]", "[kernel.kallsyms]_[k]" },
	{ "net/http.(*Client).Do", "/srv/app", "net/http.(*Client).Do" },
	{ "net/http.(*Client).Do+0x1c", "/srv/app", "net/http.(*Client).Do" },
	{ "(anonymous namespace)::f(int)", "/srv/app", "(anonymous namespace)::f" },
	{ "(anonymous namespace)::f", "/srv/app", "(anonymous namespace)::f" },
	{ "ns::g(std::string const&)+0x8", "/srv/app", "ns::g" },
	{ "RegExp:[&<>\"']", "/tmp/perf-7539.map", "RegExp:[&<>]_[j]" },
	{ "f_[j]", "/tmp/perf-7539.map", "f_[j]" },
	{ "x", "/tmp/perf-abc.map", "x" },
	{ "a;b", "/srv/app", "a:b" },
	{ "schedule+0x23", "[kernel.kallsyms]", "schedule_[k]" },
	{ "do_page_fault", "/boot/vmlinux", "do_page_fault_[k]" },
	{ "(foo)", "/srv/app", "(foo)" },
};

static void test_symbols(void **state)
{
	struct pg_buf b = PG_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(syms); i++) {
		pg_fold_symbol(syms[i].sym, strlen(syms[i].sym), syms[i].dso, strlen(syms[i].dso), &b);
		if (strcmp(pg_buf_cstr(&b), syms[i].want))
			fail_msg("'%s' in '%s': got '%s', want '%s'", syms[i].sym, syms[i].dso,
				 pg_buf_cstr(&b), syms[i].want);
		/* idempotent on an already normalised name (both sides agree) */
		{
			struct pg_buf again = PG_BUF_INIT;
			char *first = pg_xstrdup(pg_buf_cstr(&b));
			pg_fold_symbol(first, strlen(first), "", 0, &again);
			if (!strstr(syms[i].want, "[k]") && !strstr(syms[i].want, "[unknown]") &&
			    strcmp(pg_buf_cstr(&again), first))
				fail_msg("not idempotent: '%s' -> '%s'", first, pg_buf_cstr(&again));
			free(first);
			pg_buf_release(&again);
		}
	}
	pg_buf_release(&b);
}

static void test_deep_stack(void **state)
{
	struct pg_buf in = PG_BUF_INIT;
	struct pg_prof_warnings w = { 0 };
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;
	int i;

	(void)state;
	pg_buf_adds(&in, "deep 1/1 1.000000: 1 cpu-clock:\n");
	pg_buf_adds(&in, "\t1000 leaf+0x1 (/srv/app)\n");
	for (i = 0; i < 100000; i++)
		pg_buf_addf(&in, "\t%x recurse+0x4 (/srv/app)\n", 0x2000 + i);
	pg_buf_adds(&in, "\t3000 main+0x1 (/srv/app)\n\n");
	assert_int_equal(pg_fold_parse(&p, "deep", in.data, in.len, NULL, &w, &err), 0);
	assert_int_equal(p.nr_stacks, 1);
	assert_true(p.stacks[0].depth <= PG_PROF_MAX_DEPTH);
	assert_string_equal(pg_prof_name(&p, p.stacks[0].frames[0]), "deep");
	assert_string_equal(pg_prof_name(&p, p.stacks[0].frames[1]), PG_PROF_TRUNCATED);
	assert_string_equal(pg_prof_name(&p, p.stacks[0].frames[p.stacks[0].depth - 1]), "leaf");
	assert_true(has_warning(&w, "deeper than 4096 frames"));
	pg_prof_release(&p);
	pg_buf_release(&in);
}

static void test_caps(void **state)
{
	struct pg_buf in = PG_BUF_INIT;
	struct pg_prof_warnings w = { 0 };
	struct pg_prof_read_opts o = { .max_frames = 20, .max_stacks = 10 };
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		pg_buf_addf(&in, "app 1/1 1.%06d: 1 cpu-clock:\n\t%x fn%d+0x1 (/srv/app)\n"
			    "\t1 main+0x1 (/srv/app)\n\n", i, i, i);
	assert_int_equal(pg_fold_parse(&p, "many", in.data, in.len, &o, &w, &err), 0);
	assert_true(p.nr_frames <= 21);
	assert_true(p.nr_stacks <= 12);
	assert_true(p.total == 1000);
	assert_int_not_equal(pg_prof_lookup(&p, PG_PROF_TRUNCATED, strlen(PG_PROF_TRUNCATED)),
			     PG_PROF_NONE);
	assert_true(has_warning(&w, "too many distinct symbols"));
	pg_prof_release(&p);
	pg_buf_release(&in);
}

static void test_long_line(void **state)
{
	struct pg_buf in = PG_BUF_INIT;
	struct pg_prof_warnings w = { 0 };
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;
	char *out;
	size_t i;

	(void)state;
	pg_buf_adds(&in, "app 1/1 1.000001: 1 cpu-clock:\n\t1 ");
	for (i = 0; i < PG_FOLD_BUF_BYTES + 10; i++)
		pg_buf_addc(&in, 'x');
	pg_buf_adds(&in, " (/srv/app)\n\t2 main (/srv/app)\n\n");
	assert_int_equal(pg_fold_parse(&p, "long", in.data, in.len, NULL, &w, &err), 0);
	out = folded(&p);
	assert_string_equal(out, "app;main 1\n");
	assert_true(has_warning(&w, "lines longer than"));
	free(out);
	pg_prof_release(&p);
	pg_buf_release(&in);
}

static void test_garbage(void **state)
{
	static const char text[] = "app 1/1 1.000001: 1 cpu-clock:\n\tnot a frame\n\t1 main (/a)\n\n";
	struct pg_prof_warnings w = { 0 };
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_int_equal(pg_fold_parse(&p, "g.txt", text, sizeof(text) - 1, NULL, &w, &err), 0);
	assert_true(has_warning(&w, "g.txt:2: 1 unrecognised lines"));
	assert_int_equal(p.nr_stacks, 1);
	pg_prof_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_autodetect),
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_deep_stack),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
