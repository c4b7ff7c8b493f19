#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "prof.h"
#include "util.h"

static void test_buf(void **state)
{
	struct pg_buf b = PG_BUF_INIT;
	size_t len;
	char *d;

	(void)state;
	assert_string_equal(pg_buf_cstr(&b), "");
	pg_buf_adds(&b, "abc");
	pg_buf_addf(&b, "%d-%s", 42, "x");
	pg_buf_addc(&b, '!');
	assert_string_equal(b.data, "abc42-x!");
	assert_int_equal(b.len, 8);
	for (int i = 0; i < 10000; i++)
		pg_buf_addc(&b, 'z');
	assert_int_equal(b.len, 10008);
	d = pg_buf_detach(&b, &len);
	assert_int_equal(len, 10008);
	assert_null(b.data);
	free(d);
}

static void test_err_prefix(void **state)
{
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_int_equal(pg_err_set(&err, PG_ERR_USAGE, "cannot open '%s'", "x.yml"), -1);
	pg_err_prefix(&err, "config");
	assert_string_equal(err.msg, "config: cannot open 'x.yml'");
	assert_int_equal(err.kind, PG_ERR_USAGE);
}

static void test_distance_and_slug(void **state)
{
	char *s;

	(void)state;
	assert_int_equal(pg_str_distance("max_msec", "max_ms"), 2);
	assert_int_equal(pg_str_distance("", "abc"), 3);
	assert_int_equal(pg_str_distance("regress", "regress"), 0);
	s = pg_str_slug("../../.git/hooks/pre-commit");
	assert_null(strchr(s, '/'));
	assert_true(s[0] != '.');
	free(s);
	s = pg_str_slug("");
	assert_string_equal(s, "_");
	free(s);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(pg_utf8_valid("h\xc3\xa9llo", 6));
	assert_false(pg_utf8_valid("\xff", 1));
	assert_false(pg_utf8_valid("\xc3", 1));
	assert_false(pg_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(pg_utf8_valid("\xc0\x80", 2));     /* overlong */
}

static void test_file_write_read(void **state)
{
	char dir[] = "/tmp/pg-util-XXXXXX";
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf b = PG_BUF_INIT;
	char *path, *link_target, *cmd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = pg_xasprintf("%s/out.txt", dir);
	link_target = pg_xasprintf("%s/victim", dir);
	assert_int_equal(pg_file_write(link_target, "keep", 4, &err), 0);
	/* A planted symlink at the output path is replaced, not written through. */
	assert_int_equal(symlink(link_target, path), 0);
	assert_int_equal(pg_file_write(path, "hello", 5, &err), 0);
	assert_int_equal(pg_file_read(path, 100, &b, &err), 0);
	assert_string_equal(b.data, "hello");
	pg_buf_reset(&b);
	assert_int_equal(pg_file_read(link_target, 100, &b, &err), 0);
	assert_string_equal(b.data, "keep");
	pg_buf_reset(&b);
	/* The size cap refuses before reading. */
	assert_int_equal(pg_file_read(path, 3, &b, &err), -1);
	assert_non_null(strstr(err.msg, "larger than 3 bytes"));
	assert_int_equal(b.len, 0);
	/* A missing directory fails and leaves nothing. */
	assert_int_equal(pg_file_write("/nonexistent-dir/x", "a", 1, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x"));
	cmd = pg_xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
	free(link_target);
	pg_buf_release(&b);
}

/* The out-of-memory message: activity and size when known, cut to fit, always terminated. */
static void test_oom_message(void **state)
{
	char buf[128], tiny[12];
	size_t n;

	n = pg_oom_message(buf, sizeof(buf), "running 'perfgate fold'", 65536);
	assert_string_equal(buf, "perfgate: out of memory while running 'perfgate fold' "
				 "(allocating 65536 bytes)\n");
	assert_int_equal(n, strlen(buf));
	pg_oom_message(buf, sizeof(buf), NULL, 0);
	assert_string_equal(buf, "perfgate: out of memory\n");
	pg_oom_message(buf, sizeof(buf), "", (size_t)-1);
	assert_string_equal(buf, "perfgate: out of memory (allocating 18446744073709551615 bytes)\n");
	n = pg_oom_message(tiny, sizeof(tiny), "x", 1);
	assert_int_equal(n, sizeof(tiny) - 1);
	assert_string_equal(tiny, "perfgate: o");
	assert_int_equal(pg_oom_message(tiny, 0, "x", 1), 0);
	/* pg_oom_while() hands back the previous activity, for nesting. */
	assert_null(pg_oom_while("a"));
	assert_string_equal(pg_oom_while("b"), "a");
	assert_string_equal(pg_oom_while(NULL), "b");
}

static void test_prof_model(void **state)
{
	struct pg_prof p;
	struct pg_buf out = PG_BUF_INIT;
	uint32_t a, b, c, s1[3], s2[2];

	(void)state;
	pg_prof_init(&p, PG_PROF_SAMPLES);
	a = pg_prof_intern(&p, "main", 4);
	b = pg_prof_intern(&p, "parse_record_xyz", 12); /* "parse_record" */
	c = pg_prof_intern(&p, "checksum", 8);
	assert_int_equal(pg_prof_intern(&p, "main", 4), a);
	assert_string_equal(pg_prof_name(&p, b), "parse_record");
	s1[0] = a; s1[1] = b; s1[2] = c;
	s2[0] = a; s2[1] = b;
	pg_prof_add(&p, s1, 3, 5);
	pg_prof_add(&p, s2, 2, 1);
	pg_prof_add(&p, s1, 3, 2);
	assert_int_equal(p.nr_stacks, 2);
	assert_true(p.total == 8);
	for (int i = 0; i < 3000; i++) {
		char name[32];
		uint32_t id;
		snprintf(name, sizeof(name), "f%d", i);
		id = pg_prof_intern(&p, name, strlen(name));
		pg_prof_add(&p, &id, 1, 1);
	}
	assert_int_equal(p.nr_frames, 3003);
	assert_int_equal(p.nr_stacks, 3002);
	pg_prof_release(&p);

	pg_prof_init(&p, PG_PROF_SAMPLES);
	a = pg_prof_intern(&p, "main", 4);
	c = pg_prof_intern(&p, "checksum", 8);
	s1[0] = a; s1[1] = c;
	pg_prof_add(&p, s1, 2, 3);
	pg_prof_add(&p, &a, 1, 0.5);
	pg_prof_write_folded(&p, &out);
	assert_string_equal(out.data, "main 0.5\nmain;checksum 3\n");
	p.period_ns = 1e6;
	p.runs = 2;
	assert_true(pg_prof_per_run(&p, 3) == 1.5e6);
	assert_string_equal(pg_prof_unit_name(&p), "ns");
	pg_prof_release(&p);
	pg_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_err_prefix),
		cmocka_unit_test(test_distance_and_slug),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_file_write_read),
		cmocka_unit_test(test_prof_model),
		cmocka_unit_test(test_oom_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
