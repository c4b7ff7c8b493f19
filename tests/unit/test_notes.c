/*
 * test_notes: the note document (merge, caps, filtering by machine and
 * config) on its own, then through a real repository made with git.
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

#include "err.h"
#include "git.h"
#include "notes.h"
#include "result.h"
#include "util.h"
#include "git_env.h"

#define OID_A "1111111111111111111111111111111111111111"
#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

#define OK(call)                                                                                   \
	do {                                                                                       \
		if ((call) != 0)                                                                   \
			fail_msg("%s: %s", #call, err.msg);                                        \
	} while (0)

static char root[256];

static void set_machine(struct pg_machine *m, const char *cpu)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->cpu_model, sizeof(m->cpu_model), "%s", cpu);
	m->cores = 2;
	snprintf(m->kernel, sizeof(m->kernel), "Linux 6.1.0 x86_64");
	snprintf(m->hostname, sizeof(m->hostname), "runner-1");
	m->load_avg[0] = m->load_avg[1] = m->load_avg[2] = 0.5;
	pg_machine_fingerprint(m);
}

/* A result on commit oid: one benchmark, "wall" samples tag, tag+1, tag+2 (and n more). */
static void make_result(struct pg_result *r, const char *oid, const char *cpu, const char *hash,
			double tag, size_t extra)
{
	struct pg_result_bench *b;
	struct pg_metric *m;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->has_commit = true;
	snprintf(r->commit, sizeof(r->commit), "%s", oid);
	snprintf(r->config_hash, sizeof(r->config_hash), "%s", hash);
	snprintf(r->created, sizeof(r->created), "2026-01-01T00:00:00Z");
	set_machine(&r->machine, cpu);
	b = pg_result_bench(r, "parse");
	b->runs = 3;
	m = pg_result_metric(b, "wall", "ns", PG_DIR_LOWER);
	for (i = 0; i < 3 + extra; i++)
		assert_int_equal(pg_result_metric_add(m, tag + (double)i + 0.123456789), 0);
}

/* note = note + r; frees the old text. */
static void merge(char **note, const struct pg_result *r)
{
	struct pg_err err = PG_ERR_INIT;
	char *next = NULL;

	OK(pg_notes_merge(&next, "note on 1111111", *note, r, &err));
	free(*note);
	*note = next;
}

static double first_sample(const struct pg_result *r)
{
	return r->benches[0].metrics[0].samples[0];
}

static void test_same_machine_and_config_only(void **state)
{
	struct pg_result a, other_cpu, other_cfg, dirty;
	struct pg_machine here;
	struct pg_result *rs = NULL;
	struct pg_notes_stats st;
	struct pg_err err = PG_ERR_INIT;
	char *note = NULL;
	size_t n = 0;

	(void)state;
	make_result(&a, OID_A, "AMD EPYC 7B13", HASH_A, 1000, 0);
	make_result(&other_cpu, OID_A, "Intel Xeon 8375C", HASH_A, 2000, 0);
	make_result(&other_cfg, OID_A, "AMD EPYC 7B13", HASH_B, 3000, 0);
	make_result(&dirty, OID_A, "AMD EPYC 7B13", HASH_A, 4000, 0);
	dirty.dirty = true;
	merge(&note, &a);
	merge(&note, &other_cpu);
	merge(&note, &other_cfg);
	merge(&note, &dirty);
	assert_non_null(strstr(note, "\"perfgate_notes\":1"));
	assert_int_equal(note[strlen(note) - 1], '\n');

	set_machine(&here, "AMD EPYC 7B13");
	OK(pg_notes_parse("n", note, strlen(note), &here, HASH_A, 0, &rs, &n, &st, &err));
	assert_int_equal(n, 1);
	assert_int_equal(st.total, 4);
	assert_int_equal(st.other_machine, 1);
	assert_int_equal(st.other_config, 1);
	assert_int_equal(st.dirty, 1);
	/* the result comes back whole: samples exact, machine and commit */
	assert_true(first_sample(&rs[0]) == 1000.123456789);
	assert_int_equal(rs[0].benches[0].metrics[0].nr_samples, 3);
	assert_string_equal(rs[0].commit, OID_A);
	assert_string_equal(rs[0].machine.fingerprint, here.fingerprint);
	pg_notes_free_results(rs, n);

	/* with dirty results, and with any config */
	OK(pg_notes_parse("n", note, strlen(note), &here, NULL, PG_NOTES_WITH_DIRTY, &rs, &n, &st,
			  &err));
	assert_int_equal(n, 3);
	assert_int_equal(st.other_machine, 1);
	assert_true(first_sample(&rs[0]) == 1000.123456789);
	assert_true(first_sample(&rs[1]) == 3000.123456789);
	assert_true(first_sample(&rs[2]) == 4000.123456789);
	pg_notes_free_results(rs, n);

	/* the other machine sees only its own */
	set_machine(&here, "Intel Xeon 8375C");
	OK(pg_notes_parse("n", note, strlen(note), &here, HASH_A, 0, &rs, &n, &st, &err));
	assert_int_equal(n, 1);
	assert_true(first_sample(&rs[0]) == 2000.123456789);
	pg_notes_free_results(rs, n);

	/* same model, other core count: another machine */
	set_machine(&here, "AMD EPYC 7B13");
	here.cores = 4;
	pg_machine_fingerprint(&here);
	OK(pg_notes_parse("n", note, strlen(note), &here, HASH_A, 0, &rs, &n, &st, &err));
	assert_int_equal(n, 0);
	assert_int_equal(st.other_machine, 4);
	pg_notes_free_results(rs, n);

	free(note);
	pg_result_release(&a);
	pg_result_release(&other_cpu);
	pg_result_release(&other_cfg);
	pg_result_release(&dirty);
}

static void test_per_key_cap(void **state)
{
	struct pg_machine here;
	struct pg_result *rs = NULL;
	struct pg_err err = PG_ERR_INIT;
	struct pg_notes_stats st;
	char *note = NULL;
	size_t n = 0, i;

	(void)state;
	for (i = 0; i < PG_NOTES_MAX_PER_KEY + 4; i++) {
		struct pg_result r;

		make_result(&r, OID_A, "cpu", HASH_A, (double)i * 100, 0);
		merge(&note, &r);
		pg_result_release(&r);
		if (i == 0) { /* one result of another key, oldest of all: it stays */
			make_result(&r, OID_A, "other cpu", HASH_A, 99999, 0);
			merge(&note, &r);
			pg_result_release(&r);
		}
	}
	set_machine(&here, "cpu");
	OK(pg_notes_parse("n", note, strlen(note), &here, HASH_A, 0, &rs, &n, &st, &err));
	assert_int_equal(n, PG_NOTES_MAX_PER_KEY);
	assert_int_equal(st.total, PG_NOTES_MAX_PER_KEY + 1);
	/* the newest kept, oldest first */
	for (i = 0; i < n; i++)
		assert_true(first_sample(&rs[i]) == (double)(i + 4) * 100 + 0.123456789);
	pg_notes_free_results(rs, n);
	free(note);
}

static void test_size_cap(void **state)
{
	struct pg_machine here;
	struct pg_result big, huge, *rs = NULL;
	struct pg_err err = PG_ERR_INIT;
	char *note = NULL, *out = NULL;
	size_t n = 0, i, samples = 12000; /* ~300 KB per result */

	(void)state;
	for (i = 0; i < 6; i++) {
		make_result(&big, OID_A, "cpu", i % 2 ? HASH_A : HASH_B, (double)i * 1e6, samples);
		merge(&note, &big);
		pg_result_release(&big);
		assert_true(strlen(note) <= PG_NOTES_MAX_BYTES);
	}
	set_machine(&here, "cpu");
	OK(pg_notes_parse("n", note, strlen(note), &here, NULL, 0, &rs, &n, NULL, &err));
	assert_true(n >= 2 && n < 6);
	/* the oldest went first: the last one is the newest */
	/* (cJSON prints numbers to 15 digits when that reads back within an ulp) */
	assert_true(fabs(first_sample(&rs[n - 1]) - 5e6) < 1);
	pg_notes_free_results(rs, n);

	/* one result over the cap on its own is refused; the note is untouched */
	make_result(&huge, OID_A, "cpu", HASH_A, 0, 100000);
	assert_int_equal(pg_notes_merge(&out, "note on 1111111", note, &huge, &err), -1);
	assert_null(out);
	assert_int_equal(err.kind, PG_ERR_USAGE);
	assert_non_null(strstr(err.msg, "note on 1111111: result too large for a note"));
	pg_result_release(&huge);
	free(note);
}

static void test_bad_notes(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"hello from a human\n", "note on 1111111:1:1"},
	    {"{\"results\": []}", "not perfgate's note (no \"perfgate_notes\")"},
	    {"{\"perfgate_notes\": 2, \"results\": []}",
	     "perfgate_notes version 2 is not supported"},
	    {"{\"perfgate_notes\": 1, \"results\": {}}", "\"results\": expected an array"},
	    {"{\"perfgate_notes\": 1, \"results\": [ {\"perfgate_result\": 1} ]}",
	     "note on 1111111: results[0]"},
	    {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]",
	     "deeper"},
	};
	struct pg_machine here;
	struct pg_result r, *rs = NULL;
	size_t i, n = 0;

	(void)state;
	set_machine(&here, "cpu");
	make_result(&r, OID_A, "cpu", HASH_A, 1, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pg_err err = PG_ERR_INIT;
		char *out = NULL;

		assert_int_equal(pg_notes_parse("note on 1111111", cases[i].text,
						strlen(cases[i].text), &here, NULL, 0, &rs, &n,
						NULL, &err),
				 -1);
		assert_null(rs);
		assert_int_equal(n, 0);
		assert_int_equal(err.kind, PG_ERR_INFRA);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
		pg_err_clear(&err);
		assert_int_equal(pg_notes_merge(&out, "note on 1111111", cases[i].text, &r, &err),
				 i == 4 ? 0 : -1); /* merge keeps entries it does not read */
		free(out);
	}
	/* an empty note is no results, not an error */
	{
		struct pg_err err = PG_ERR_INIT;

		OK(pg_notes_parse("n", "\n", 1, &here, NULL, 0, &rs, &n, NULL, &err));
		assert_int_equal(n, 0);
	}
	/* a result without a fingerprint or config hash is not kept */
	{
		struct pg_err err = PG_ERR_INIT;
		char *out = NULL;

		r.config_hash[0] = '\0';
		assert_int_equal(pg_notes_merge(&out, "n", NULL, &r, &err), -1);
		assert_int_equal(err.kind, PG_ERR_USAGE);
	}
	pg_result_release(&r);
}

/* ---- through a real repository ---- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void read_line(const char *cmd, char *buf, size_t size)
{
	FILE *f = popen(cmd, "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, (int)size, f));
	assert_int_equal(pclose(f), 0);
	buf[strcspn(buf, "\n")] = '\0';
}

static void test_repository(void **state)
{
	struct pg_git *g = NULL;
	struct pg_err err = PG_ERR_INIT;
	struct pg_result a, b, wrong, *rs = NULL;
	struct pg_notes_stats st;
	struct pg_machine here;
	char repo[512], cmd[1024], head[64], parent[64], before[4096], after[4096];
	size_t n = 0;

	(void)state;
	snprintf(repo, sizeof(repo), "%s/repo", root);
	assert_int_equal(sh("git init -q -b main '%s' && cd '%s' && echo 1 >f && git add f && "
			    "git commit -q -m one && echo 2 >f && git commit -q -am two",
			    repo, repo),
			 0);
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD", repo);
	read_line(cmd, head, sizeof(head));
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD~1", repo);
	read_line(cmd, parent, sizeof(parent));
	OK(pg_git_open(&g, repo, &err));

	set_machine(&here, "cpu");
	assert_int_equal(pg_notes_load(g, head, &here, HASH_A, 0, &rs, &n, &st, &err), 1);
	assert_int_equal(n, 0);

	make_result(&a, head, "cpu", HASH_A, 10, 0);
	make_result(&b, head, "another cpu", HASH_A, 20, 0);
	OK(pg_notes_add_result(g, head, &a, &err));
	OK(pg_notes_add_result(g, head, &b, &err));
	OK(pg_notes_add_result(g, head, &a, &err));
	assert_int_equal(pg_notes_load(g, head, &here, HASH_A, 0, &rs, &n, &st, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(st.other_machine, 1);
	assert_true(first_sample(&rs[0]) == 10.123456789);
	pg_notes_free_results(rs, n);
	/* git itself sees the note under refs/notes/perfgate */
	snprintf(cmd, sizeof(cmd),
		 "git -C '%s' notes --ref=perfgate show HEAD | grep -c fingerprint", repo);
	read_line(cmd, before, sizeof(before));
	assert_string_equal(before, "1");
	/* the parent has none */
	assert_int_equal(pg_notes_load(g, parent, &here, HASH_A, 0, &rs, &n, NULL, &err), 1);

	/* a result measured on another commit is refused */
	make_result(&wrong, parent, "cpu", HASH_A, 30, 0);
	assert_int_equal(pg_notes_add_result(g, head, &wrong, &err), -1);
	assert_int_equal(err.kind, PG_ERR_USAGE);
	assert_non_null(strstr(err.msg, "the result was measured on"));

	/* a note written by hand is never overwritten */
	assert_int_equal(sh("git -C '%s' notes --ref=perfgate add -m 'hand-written' HEAD~1", repo),
			 0);
	snprintf(cmd, sizeof(cmd), "git -C '%s' notes --ref=perfgate show HEAD~1", repo);
	read_line(cmd, before, sizeof(before));
	assert_int_equal(pg_notes_add_result(g, parent, &wrong, &err), -1);
	assert_int_equal(err.kind, PG_ERR_INFRA);
	assert_non_null(strstr(err.msg, "on "));
	read_line(cmd, after, sizeof(after));
	assert_string_equal(before, after);
	assert_int_equal(pg_notes_load(g, parent, &here, HASH_A, 0, &rs, &n, NULL, &err), -1);

	pg_result_release(&a);
	pg_result_release(&b);
	pg_result_release(&wrong);
	pg_git_free(g);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/pg-test-notes.XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(root, sizeof(root), "%s", tmpl);
	pg_test_git_env(root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!getenv("PG_KEEP_TRASH"))
		sh("rm -rf '%s'", root);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_machine_and_config_only),
	    cmocka_unit_test(test_per_key_cap),
	    cmocka_unit_test(test_size_cap),
	    cmocka_unit_test(test_bad_notes),
	    cmocka_unit_test(test_repository),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
