/* prof_read: every reader on the real samples in tests/data/formats and tests/data/prof,
 * the same folded output through every path, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prof.h"
#include "prof_read.h"
#include "util.h"

#define FORMATS PG_TEST_DATA "/formats/"
#define PROF PG_TEST_DATA "/prof/"

static char *slurp(const char *path, size_t *len)
{
	struct pg_buf b = PG_BUF_INIT;
	struct pg_err err = PG_ERR_INIT;

	if (pg_file_read(path, 1 << 26, &b, &err) < 0)
		fail_msg("%s", err.msg);
	return pg_buf_detach(&b, len);
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

/* The leaf frame with the most self weight. */
static const char *hottest_leaf(const struct pg_prof *p)
{
	double *self = calloc(p->nr_frames + 1, sizeof(double));
	size_t i, best = 0;

	for (i = 0; i < p->nr_stacks; i++)
		if (p->stacks[i].depth)
			self[p->stacks[i].frames[p->stacks[i].depth - 1]] += p->stacks[i].weight;
	for (i = 1; i < p->nr_frames; i++)
		if (self[i] > self[best])
			best = i;
	free(self);
	return pg_prof_name(p, (uint32_t)best);
}

static bool has_frame(const struct pg_prof *p, const char *name)
{
	return pg_prof_lookup(p, name, strlen(name)) != PG_PROF_NONE;
}

struct real_case {
	const char *path;
	enum pg_prof_format fmt;
	const char *hottest;
	enum pg_prof_unit unit;
	double total;       /* expected total weight, or 0 = only > 0 */
};

static const struct real_case reals[] = {
	{ FORMATS "go/cpu.pprof", PG_PROF_FMT_PPROF, "example.com/perfsample.Checksum", PG_PROF_NS, 0 },
	{ FORMATS "node/hot.noinline.cpuprofile", PG_PROF_FMT_CPUPROFILE, "checksum", PG_PROF_NS, 0 },
	{ FORMATS "handwritten/speedscope.json", PG_PROF_FMT_SPEEDSCOPE, "checksum", PG_PROF_NS,
	  343000000 },
	{ FORMATS "handwritten/py-spy.raw.txt", PG_PROF_FMT_FOLDED, "checksum (hot.py:7)",
	  PG_PROF_SAMPLES, 479 },
	{ FORMATS "handwritten/async-profiler.collapsed.txt", PG_PROF_FMT_FOLDED,
	  "Checksum.fnv1a_[j]", PG_PROF_SAMPLES, 1276 },
	{ PROF "callgrind.out", PG_PROF_FMT_CALLGRIND, "checksum.constprop.0", PG_PROF_INSTRUCTIONS,
	  0 },
	{ PG_TEST_DATA "/fold/dwarf-inlined.in", PG_PROF_FMT_PERF_SCRIPT, "checksum", PG_PROF_NS,
	  25025025 },
};

static void test_real_samples(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(reals); i++) {
		const struct real_case *c = &reals[i];
		struct pg_prof p, q;
		struct pg_err err = PG_ERR_INIT;
		size_t len;
		char *data = slurp(c->path, &len), *a, *b;

		if (pg_prof_detect(data, len) != c->fmt)
			fail_msg("%s: detected as %s", c->path,
				 pg_prof_format_name(pg_prof_detect(data, len)));
		if (pg_prof_read_file(&p, c->path, PG_PROF_FMT_AUTO, &err) < 0)
			fail_msg("%s: %s", c->path, err.msg);
		assert_int_equal(p.unit, c->unit);
		if (strcmp(hottest_leaf(&p), c->hottest))
			fail_msg("%s: hottest leaf %s, want %s", c->path, hottest_leaf(&p), c->hottest);
		assert_true(p.total > 0);
		if (c->total && p.total != c->total)
			fail_msg("%s: total %.17g, want %.17g", c->path, p.total, c->total);

		/* the same profile through memory and through its own folded text */
		a = folded_file(&p);
		assert_int_equal(pg_prof_read_mem(&q, c->path, data, len, c->fmt, &err), 0);
		b = folded_file(&q);
		assert_string_equal(a, b);
		free(b);
		pg_prof_release(&q);
		assert_int_equal(pg_prof_read_mem(&q, "folded", a, strlen(a), PG_PROF_FMT_AUTO, &err), 0);
		b = folded_file(&q);
		assert_string_equal(a, b);
		free(a);
		free(b);
		pg_prof_release(&q);
		pg_prof_release(&p);
		free(data);
	}
}

static void test_cpuprofile_special_nodes(void **state)
{
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_int_equal(pg_prof_read_file(&p, FORMATS "node/hot.noinline.cpuprofile",
					   PG_PROF_FMT_AUTO, &err), 0);
	assert_false(has_frame(&p, "(root)") && p.stacks[0].frames[0] ==
		     pg_prof_lookup(&p, "(root)", 6));
	assert_true(has_frame(&p, "(program)"));
	/* (idle) is interned as a name but carries no weight */
	{
		size_t i;
		uint32_t idle = pg_prof_lookup(&p, "(idle)", 6);
		for (i = 0; i < p.nr_stacks; i++)
			assert_int_not_equal(p.stacks[i].frames[p.stacks[i].depth - 1], idle);
		for (i = 0; i < p.nr_stacks; i++)
			assert_int_not_equal(p.stacks[i].frames[0], pg_prof_lookup(&p, "(root)", 6));
	}
	pg_prof_release(&p);
}

static void test_pprof_inline_order(void **state)
{
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;
	size_t i;
	bool seen = false;

	(void)state;
	assert_int_equal(pg_prof_read_file(&p, FORMATS "go/cpu.pprof", PG_PROF_FMT_PPROF, &err), 0);
	assert_string_equal(p.event, "cpu");
	/* root first: the Checksum stacks start at the test runner and end in Checksum */
	for (i = 0; i < p.nr_stacks; i++) {
		const struct pg_prof_stack *s = &p.stacks[i];
		if (!strcmp(pg_prof_name(&p, s->frames[s->depth - 1]), "example.com/perfsample.Checksum")) {
			assert_string_equal(pg_prof_name(&p, s->frames[0]), "testing.(*B).launch");
			seen = true;
		}
	}
	assert_true(seen);
	pg_prof_release(&p);
}

/* ---- hostile input ---- */

struct bad_case {
	const char *what;
	enum pg_prof_format fmt;
	const char *data;
	size_t len;    /* 0 = strlen */
	const char *msg; /* substring of the error */
};

static const char varint11[] = { 0x08, (char)0xff, (char)0xff, (char)0xff, (char)0xff, (char)0xff,
				 (char)0xff, (char)0xff, (char)0xff, (char)0xff, (char)0xff, 0x01 };
static const char longlen[] = { 0x0a, 0x20, 0x01 };
static const char tag_only[] = { 0x0a };
/* A sample type, then a Sample whose location_id has wire type 1 (fixed64):
 * found by fuzz_pprof, the message named "(null): offset 0". */
static const char fixed64_ids[] = { 0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x09, 0x09,
				    'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A' };

static const struct bad_case bads[] = {
	{ "pprof varint over 10 bytes", PG_PROF_FMT_PPROF, varint11, sizeof(varint11),
	  "offset 1: protobuf varint longer than 10 bytes" },
	{ "pprof length past the end", PG_PROF_FMT_PPROF, longlen, sizeof(longlen),
	  "offset 1: protobuf length 32 runs past the end" },
	{ "pprof truncated varint", PG_PROF_FMT_PPROF, tag_only, sizeof(tag_only),
	  "truncated inside a varint" },
	{ "pprof fixed64 location ids", PG_PROF_FMT_PPROF, fixed64_ids, sizeof(fixed64_ids),
	  "x: offset 9: protobuf: unexpected wire type for a repeated integer" },
	{ "folded negative", PG_PROF_FMT_FOLDED, "a;b 3\na;c -4\n", 0, "x:2:5: negative count '-4'" },
	{ "folded no count", PG_PROF_FMT_FOLDED, "a;b 3\na;c\n", 0, "x:2:4: expected 'frame" },
	{ "folded word count", PG_PROF_FMT_FOLDED, "a;b x3\n", 0, "x:1:5: expected a count" },
	{ "folded 1e309", PG_PROF_FMT_FOLDED, "a;b 1e309\n", 0, "x:1:5: count out of range" },
	{ "cpuprofile deep JSON", PG_PROF_FMT_CPUPROFILE, NULL, 0, "malformed JSON" },
	{ "cpuprofile truncated JSON", PG_PROF_FMT_CPUPROFILE, "{\"nodes\": [\n  {\"id\": 1,", 0,
	  "x:2:" },
	{ "cpuprofile 1e309 id", PG_PROF_FMT_CPUPROFILE,
	  "{\"nodes\":[{\"id\":1e309,\"callFrame\":{\"functionName\":\"f\"}}]}", 0,
	  "nodes[0].id: expected a finite number" },
	{ "cpuprofile negative hitCount", PG_PROF_FMT_CPUPROFILE,
	  "{\"nodes\":[{\"id\":1,\"hitCount\":-3,\"callFrame\":{\"functionName\":\"f\"}}]}", 0,
	  "nodes[0].hitCount: expected a finite count >= 0" },
	{ "cpuprofile bad child", PG_PROF_FMT_CPUPROFILE,
	  "{\"nodes\":[{\"id\":1,\"children\":[7],\"callFrame\":{\"functionName\":\"f\"}}]}", 0,
	  "nodes[0].children[0]: no such node" },
	{ "cpuprofile parent cycle", PG_PROF_FMT_CPUPROFILE,
	  "{\"nodes\":[{\"id\":1,\"parent\":2,\"hitCount\":1,\"callFrame\":{\"functionName\":\"f\"}},"
	  "{\"id\":2,\"parent\":1,\"callFrame\":{\"functionName\":\"g\"}}]}", 0, "parent cycle" },
	{ "speedscope negative weight", PG_PROF_FMT_SPEEDSCOPE,
	  "{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\","
	  "\"unit\":\"none\",\"samples\":[[0]],\"weights\":[-1]}]}", 0,
	  "profiles[0].weights[0]: expected a finite weight >= 0" },
	{ "speedscope 1e309 weight", PG_PROF_FMT_SPEEDSCOPE,
	  "{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\","
	  "\"unit\":\"none\",\"samples\":[[0]],\"weights\":[1e309]}]}", 0,
	  "profiles[0].weights[0]: expected a finite weight >= 0" },
	{ "speedscope bad frame", PG_PROF_FMT_SPEEDSCOPE,
	  "{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\","
	  "\"unit\":\"none\",\"samples\":[[5]],\"weights\":[1]}]}", 0,
	  "profiles[0].samples[0]: no such frame" },
	{ "speedscope unbalanced close", PG_PROF_FMT_SPEEDSCOPE,
	  "{\"shared\":{\"frames\":[{\"name\":\"a\"},{\"name\":\"b\"}]},\"profiles\":[{\"type\":"
	  "\"evented\",\"unit\":\"none\",\"events\":[{\"type\":\"O\",\"frame\":0,\"at\":0},"
	  "{\"type\":\"C\",\"frame\":1,\"at\":1}]}]}", 0, "not the innermost open one" },
	{ "callgrind negative cost", PG_PROF_FMT_CALLGRIND,
	  "events: Ir\nfn=(1) main\n3 10\n4 -5\n", 0, "x:4:3: expected a cost >= 0" },
	{ "callgrind undefined name", PG_PROF_FMT_CALLGRIND, "events: Ir\nfn=(4)\n3 10\n", 0,
	  "x:2:4: name (4) used before it is defined" },
	{ "callgrind no events", PG_PROF_FMT_CALLGRIND, "fn=main\n3 10\n", 0, "no \"events:\" line" },
};

static void test_hostile(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(bads); i++) {
		const struct bad_case *c = &bads[i];
		struct pg_prof p;
		struct pg_err err = PG_ERR_INIT;
		char *deep = NULL;
		const char *data = c->data;
		size_t len = c->len ? c->len : data ? strlen(data) : 0;
		int rc;

		if (!data) {
			size_t k;
			deep = pg_xmalloc(200002);
			for (k = 0; k < 100000; k++)
				deep[k] = '[';
			for (k = 0; k < 100000; k++)
				deep[100000 + k] = ']';
			data = deep;
			len = 200000;
		}
		rc = pg_prof_read_mem(&p, "x", data, len, c->fmt, &err);
		if (rc >= 0)
			fail_msg("%s: accepted", c->what);
		if (!strstr(err.msg, c->msg))
			fail_msg("%s: error '%s' lacks '%s'", c->what, err.msg, c->msg);
		assert_int_equal(err.kind, PG_ERR_USAGE);
		pg_prof_release(&p);
		free(deep);
	}
}

static void test_truncated_gzip(void **state)
{
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;
	size_t len;
	char *data = slurp(FORMATS "go/cpu.pprof", &len);

	(void)state;
	assert_int_equal(pg_prof_read_mem(&p, "cpu.pprof", data, len / 2, PG_PROF_FMT_AUTO, &err), -1);
	assert_non_null(strstr(err.msg, "cpu.pprof: truncated gzip stream"));
	pg_prof_release(&p);
	data[20] ^= 0x55; /* corrupt the deflate data */
	if (pg_prof_read_mem(&p, "cpu.pprof", data, len, PG_PROF_FMT_AUTO, &err) == 0)
		fail_msg("corrupt gzip accepted");
	pg_prof_release(&p);
	free(data);
}

/* a pprof whose only sample value is negative: built with a tiny encoder */
static void put_varint(struct pg_buf *b, uint64_t v)
{
	do {
		unsigned char c = v & 0x7f;
		v >>= 7;
		pg_buf_addc(b, (char)(v ? c | 0x80 : c));
	} while (v);
}

static void put_msg(struct pg_buf *b, unsigned field, const struct pg_buf *m)
{
	put_varint(b, field << 3 | 2);
	put_varint(b, m->len);
	pg_buf_add(b, m->data, m->len);
}

static void put_str(struct pg_buf *b, unsigned field, const char *s)
{
	put_varint(b, field << 3 | 2);
	put_varint(b, strlen(s));
	pg_buf_adds(b, s);
}

static void put_int(struct pg_buf *b, unsigned field, uint64_t v)
{
	put_varint(b, field << 3);
	put_varint(b, v);
}

static void build_pprof(struct pg_buf *out, int64_t value)
{
	struct pg_buf m = PG_BUF_INIT, line = PG_BUF_INIT;

	put_int(&m, 1, 1), put_int(&m, 2, 2);
	put_msg(out, 1, &m), pg_buf_reset(&m);              /* sample_type cpu/nanoseconds */
	put_int(&m, 1, 1), put_int(&m, 2, (uint64_t)value);
	put_msg(out, 2, &m), pg_buf_reset(&m);              /* sample */
	put_int(&line, 1, 1);
	put_int(&m, 1, 1), put_msg(&m, 4, &line);
	put_msg(out, 4, &m), pg_buf_reset(&m);              /* location */
	put_int(&m, 1, 1), put_int(&m, 2, 3);
	put_msg(out, 5, &m), pg_buf_reset(&m);              /* function */
	put_str(out, 6, ""), put_str(out, 6, "cpu"), put_str(out, 6, "nanoseconds");
	put_str(out, 6, "main.f");
	pg_buf_release(&m);
	pg_buf_release(&line);
}

static void test_pprof_built(void **state)
{
	struct pg_buf b = PG_BUF_INIT;
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;
	char *out;

	(void)state;
	build_pprof(&b, 5000);
	assert_int_equal(pg_prof_detect(b.data, b.len), PG_PROF_FMT_PPROF);
	assert_int_equal(pg_prof_read_mem(&p, "ok.pb", b.data, b.len, PG_PROF_FMT_AUTO, &err), 0);
	out = folded(&p);
	assert_string_equal(out, "main.f 5000\n");
	free(out);
	pg_prof_release(&p);
	pg_buf_reset(&b);
	build_pprof(&b, -1);
	assert_int_equal(pg_prof_read_mem(&p, "neg.pb", b.data, b.len, PG_PROF_FMT_PPROF, &err), -1);
	assert_non_null(strstr(err.msg, "neg.pb: offset"));
	assert_non_null(strstr(err.msg, "negative sample value"));
	pg_prof_release(&p);
	pg_buf_release(&b);
}

static void test_folded_shapes(void **state)
{
	static const char text[] = "a b;c d 2\r\n\n a;;b 1.5\nthread (0x1): Main;x 3\na b;c d 1\n";
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;
	char *out;

	(void)state;
	assert_int_equal(pg_prof_read_mem(&p, "f", text, sizeof(text) - 1, PG_PROF_FMT_FOLDED, &err), 0);
	out = folded(&p);
	assert_string_equal(out, " a;b 1.5\na b;c d 3\nthread (0x1): Main;x 3\n");
	free(out);
	pg_prof_release(&p);
}

/* A written folded file keeps its unit, period and runs; a plain one reads as samples. */
static void test_folded_header(void **state)
{
	static const char plain[] = "main;f 3\nmain;g 1\n";
	struct pg_prof p, q;
	struct pg_err err = PG_ERR_INIT;
	struct pg_prof_warnings w = { 0 };
	uint32_t ids[2];
	char *a, *b;

	(void)state;
	/* ns, as perf's cpu-clock gives, over 3 runs */
	pg_prof_init(&p, PG_PROF_NS);
	p.runs = 3;
	p.event = pg_xstrdup("cpu-clock");
	ids[0] = pg_prof_intern(&p, "main", 4);
	ids[1] = pg_prof_intern(&p, "f", 1);
	pg_prof_add(&p, ids, 2, 3003003);
	a = folded_file(&p);
	assert_string_equal(a, "# perfgate: unit=ns runs=3 event=cpu-clock\nmain;f 3003003\n");
	assert_int_equal(pg_prof_read_mem(&q, "a.folded", a, strlen(a), PG_PROF_FMT_AUTO, &err), 0);
	assert_int_equal(q.unit, PG_PROF_NS);
	assert_true(q.runs == 3);
	assert_string_equal(q.event, "cpu-clock");
	assert_true(pg_prof_per_run(&q, q.total) == 1001001);
	assert_string_equal(pg_prof_unit_name(&q), "ns");
	b = folded_file(&q);
	assert_string_equal(a, b);
	free(a);
	free(b);
	pg_prof_release(&q);
	pg_prof_release(&p);

	/* samples with a known period: per run in ns */
	pg_prof_init(&p, PG_PROF_SAMPLES);
	p.period_ns = 1000000;
	p.runs = 2;
	ids[0] = pg_prof_intern(&p, "main", 4);
	pg_prof_add(&p, ids, 1, 10);
	a = folded_file(&p);
	assert_string_equal(a, "# perfgate: unit=samples period_ns=1000000 runs=2\nmain 10\n");
	assert_int_equal(pg_prof_read_mem(&q, "b.folded", a, strlen(a), PG_PROF_FMT_FOLDED, &err), 0);
	assert_true(pg_prof_per_run(&q, q.total) == 5000000);
	free(a);
	pg_prof_release(&q);
	pg_prof_release(&p);

	/* without the header: samples, one run, as before */
	assert_int_equal(pg_prof_read_mem(&q, "plain", plain, strlen(plain), PG_PROF_FMT_AUTO, &err), 0);
	assert_int_equal(q.unit, PG_PROF_SAMPLES);
	assert_true(q.runs == 1 && q.period_ns == 0 && q.total == 4);
	assert_string_equal(pg_prof_unit_name(&q), "samples");
	pg_prof_release(&q);

	/* comments are skipped; a header below line 1 and unknown keys only warn */
	{
		static const char t[] = "# perfgate: unit=instructions runs=2 colour=red\n"
					"# a comment 12\nmain 4\n# perfgate: unit=ns runs=9\n";
		assert_int_equal(pg_prof_read_mem_ex(&q, "c", t, strlen(t), PG_PROF_FMT_FOLDED, NULL, &w,
						     &err), 0);
		assert_int_equal(q.unit, PG_PROF_INSTRUCTIONS);
		assert_true(q.runs == 2 && q.total == 4);
		assert_int_equal(w.n, 2);
		assert_non_null(strstr(w.msg[0], "c:1:38: unknown header key 'colour'"));
		assert_non_null(strstr(w.msg[1], "c:4: perfgate header not on the first line"));
		pg_prof_release(&q);
	}
	/* bad values are errors with line and column */
	{
		static const char *const bad[][2] = {
			{ "# perfgate: unit=ms runs=1\nmain 1\n", "x:1:18: bad value 'ms' for 'unit'" },
			{ "# perfgate: unit=ns runs=0\nmain 1\n", "x:1:26: bad value '0' for 'runs'" },
			{ "# perfgate: runs=-2\nmain 1\n", "x:1:18: bad value '-2' for 'runs'" },
			{ "# perfgate: runs=1e999\n", "bad value '1e999' for 'runs'" },
			{ "# perfgate: unit=samples period_ns=nan\n", "bad value 'nan' for 'period_ns'" },
		};
		size_t i;

		for (i = 0; i < PG_ARRAY_SIZE(bad); i++) {
			err = (struct pg_err)PG_ERR_INIT;
			assert_int_equal(pg_prof_read_mem(&q, "x", bad[i][0], strlen(bad[i][0]),
							  PG_PROF_FMT_AUTO, &err), -1);
			if (!strstr(err.msg, bad[i][1]))
				fail_msg("'%s': %s, want %s", bad[i][0], err.msg, bad[i][1]);
			assert_int_equal(err.kind, PG_ERR_USAGE);
			pg_prof_release(&q);
		}
	}
}

/* Two recordings summed: frames re-interned, equal stacks merged, event and period kept. */
static void test_merge(void **state)
{
	static const char one[] = "main;f 3\nmain;g 1\n", two[] = "main;g 2\nmain;h;f 5\n";
	struct pg_prof acc, p;
	struct pg_err err = PG_ERR_INIT;
	char *text;

	(void)state;
	pg_prof_init(&acc, PG_PROF_SAMPLES);
	assert_int_equal(pg_prof_read_mem(&p, "one", one, strlen(one), PG_PROF_FMT_FOLDED, &err), 0);
	p.period_ns = 1000;
	p.event = pg_xstrdup("cpu-clock");
	pg_prof_merge(&acc, &p);
	pg_prof_release(&p);
	assert_int_equal(pg_prof_read_mem(&p, "two", two, strlen(two), PG_PROF_FMT_FOLDED, &err), 0);
	pg_prof_merge(&acc, &p);
	pg_prof_release(&p);
	assert_true(acc.total == 11);
	assert_true(acc.period_ns == 1000);
	assert_string_equal(acc.event, "cpu-clock");
	text = folded_file(&acc);
	assert_string_equal(text, "# perfgate: unit=samples period_ns=1000 runs=1 event=cpu-clock\n"
				  "main;f 3\nmain;g 3\nmain;h;f 5\n");
	free(text);
	pg_prof_release(&acc);
}

static void test_speedscope_evented(void **state)
{
	static const char text[] =
		"{\"shared\":{\"frames\":[{\"name\":\"main\"},{\"name\":\"f\"}]},\"profiles\":["
		"{\"type\":\"evented\",\"name\":\"t1\",\"unit\":\"microseconds\",\"startValue\":0,"
		"\"endValue\":10,\"events\":[{\"type\":\"O\",\"frame\":0,\"at\":0},"
		"{\"type\":\"O\",\"frame\":1,\"at\":2},{\"type\":\"C\",\"frame\":1,\"at\":7},"
		"{\"type\":\"C\",\"frame\":0,\"at\":10}]}]}";
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;
	char *out;

	(void)state;
	assert_int_equal(pg_prof_read_mem(&p, "s", text, sizeof(text) - 1, PG_PROF_FMT_AUTO, &err), 0);
	out = folded(&p);
	assert_string_equal(out, "main 5000\nmain;f 5000\n");
	assert_int_equal(p.unit, PG_PROF_NS);
	free(out);
	pg_prof_release(&p);
}

static void test_errors_name_file(void **state)
{
	struct pg_prof p;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_int_equal(pg_prof_read_file(&p, PG_TEST_DATA "/nope.pprof", PG_PROF_FMT_AUTO, &err), -1);
	assert_non_null(strstr(err.msg, "cannot open '" PG_TEST_DATA "/nope.pprof'"));
	pg_prof_release(&p);
	{
		enum pg_prof_format f;
		assert_int_equal(pg_prof_format_parse("speedscope", &f), 0);
		assert_int_equal(f, PG_PROF_FMT_SPEEDSCOPE);
		assert_int_equal(pg_prof_format_parse("svg", &f), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_samples),
		cmocka_unit_test(test_cpuprofile_special_nodes),
		cmocka_unit_test(test_pprof_inline_order),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_pprof_built),
		cmocka_unit_test(test_folded_shapes),
		cmocka_unit_test(test_folded_header),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_speedscope_evented),
		cmocka_unit_test(test_errors_name_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
