#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "err.h"
#include "prof.h"
#include "util.h"

#define assert_near(x, y) assert_true(fabs((double)(x) - (double)(y)) <= 1e-6 * (1 + fabs((double)(y))))

/* A profile from folded lines "a;b;c 10", separated by '\n' (test input only). */
static void folded(struct pg_prof *p, enum pg_prof_unit unit, const char *text)
{
	const char *line = text;

	pg_prof_init(p, unit);
	while (*line) {
		const char *end = strchr(line, '\n'), *sp, *f;
		uint32_t ids[64], n = 0;

		if (!end)
			end = line + strlen(line);
		for (sp = end; sp > line && sp[-1] != ' '; sp--)
			;
		assert_true(sp > line);
		for (f = line; f < sp - 1;) {
			const char *semi = memchr(f, ';', (size_t)(sp - 1 - f));
			const char *fe = semi ? semi : sp - 1;
			ids[n++] = pg_prof_intern(p, f, (size_t)(fe - f));
			f = fe + 1;
		}
		pg_prof_add(p, ids, n, strtod(sp, NULL));
		line = *end ? end + 1 : end;
	}
}

static const struct pg_attrib_fn *fn(const struct pg_attrib *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nr_fns; i++)
		if (!strcmp(a->fns[i].name, name))
			return &a->fns[i];
	return NULL;
}

static const char *responsible(const struct pg_attrib *a)
{
	return a->responsible < 0 ? "(none)" : a->fns[a->responsible].name;
}

struct naming_case {
	const char *what;
	const char *before, *after;
	double runs_before, runs_after;
	const char *want;       /* responsible function, "(none)" when nothing grew */
	const char *want_class; /* class name */
	const char *want_caller;/* or NULL */
};

static const struct naming_case naming_cases[] = {
	{ "a function that doubles is named",
	  "main;process;parse 100\nmain;process;checksum 100\nmain;setup 20",
	  "main;process;parse 100\nmain;process;checksum 200\nmain;setup 20", 1, 1, "checksum",
	  "cpu", NULL },
	{ "a share that grows only because another shrank is not named",
	  "main;a 100\nmain;b 100\nmain;c 10", "main;a 100\nmain;b 20\nmain;c 12", 1, 1, "c", "cpu",
	  NULL },
	{ "nothing grew: nobody named", "main;a 100\nmain;b 100", "main;a 100\nmain;b 50", 1, 1,
	  "(none)", "cpu", NULL },
	{ "per-run normalisation: twice the runs, twice the samples is no change",
	  "main;a 100\nmain;b 100", "main;a 200\nmain;b 200", 1, 2, "(none)", "cpu", NULL },
	{ "per-run normalisation: fewer runs hide a real growth in raw counts",
	  "main;a 300\nmain;b 300", "main;a 100\nmain;b 200", 3, 1, "b", "cpu", NULL },
	{ "allocator pressure names malloc's caller",
	  "main;process;work 100\nmain;process;malloc;_int_malloc 10",
	  "main;process;work 100\nmain;process;malloc;_int_malloc 80", 1, 1, "_int_malloc",
	  "allocator", "process" },
	{ "lock contention (kernel futex frames count for the class)",
	  "main;worker;compute 100\nmain;worker;pthread_mutex_lock;__lll_lock_wait;futex_wait_[k] 5",
	  "main;worker;compute 100\nmain;worker;pthread_mutex_lock;__lll_lock_wait;futex_wait_[k] 90",
	  1, 1, "__lll_lock_wait", "lock", "worker" },
	{ "I/O: a syscall's kernel time is paid by the libc wrapper",
	  "main;load;__libc_read;ksys_read_[k];vfs_read_[k];ext4_file_read_iter_[k] 10\nmain;load;parse 50",
	  "main;load;__libc_read;ksys_read_[k];vfs_read_[k];ext4_file_read_iter_[k] 70\nmain;load;parse 50",
	  1, 1, "__libc_read", "io", "load" },
	{ "logging: printf over write is logging, not I/O",
	  "main;step;printf;__vfprintf_internal 10\nmain;step;printf;__vfprintf_internal;_IO_file_xsputn;write;vfs_write_[k] 5\nmain;step;calc 100",
	  "main;step;printf;__vfprintf_internal 60\nmain;step;printf;__vfprintf_internal;_IO_file_xsputn;write;vfs_write_[k] 30\nmain;step;calc 100",
	  1, 1, "__vfprintf_internal", "logging", "step" },
	{ "dynamic dispatch",
	  "main;loop;__x86_indirect_thunk_rax 5\nmain;loop;shape_area 100",
	  "main;loop;__x86_indirect_thunk_rax 50\nmain;loop;shape_area 100", 1, 1,
	  "__x86_indirect_thunk_rax", "dispatch", "loop" },
	{ "a CPU function calling a growing allocator-free leaf stays cpu",
	  "main;sort;cmp 10\nmain;sort 10", "main;sort;cmp 10\nmain;sort 50", 1, 1, "sort", "cpu",
	  NULL },
};

static void test_naming(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(naming_cases); i++) {
		const struct naming_case *c = &naming_cases[i];
		struct pg_prof b, a;
		struct pg_attrib r;
		struct pg_err err = PG_ERR_INIT;

		print_message("case: %s\n", c->what);
		folded(&b, PG_PROF_SAMPLES, c->before);
		folded(&a, PG_PROF_SAMPLES, c->after);
		b.runs = c->runs_before;
		a.runs = c->runs_after;
		assert_int_equal(pg_attrib_compare(&r, &b, &a, NULL, &err), 0);
		assert_string_equal(responsible(&r), c->want);
		assert_string_equal(pg_attrib_class_name(r.cls), c->want_class);
		if (c->want_caller)
			assert_string_equal(r.caller ? r.caller : "(null)", c->want_caller);
		else
			assert_null(r.caller);
		assert_non_null(pg_attrib_next_step(r.cls));
		pg_attrib_release(&r);
		pg_prof_release(&b);
		pg_prof_release(&a);
	}
}

static void test_costs_per_run_and_ranking(void **state)
{
	struct pg_prof b, a;
	struct pg_attrib r;
	struct pg_err err = PG_ERR_INIT;
	const struct pg_attrib_fn *f;

	(void)state;
	folded(&b, PG_PROF_SAMPLES, "main;x;y 10\nmain;x 10\nmain;z 40\nmain 10");
	folded(&a, PG_PROF_SAMPLES, "main;x;y 30\nmain;x 10\nmain;z 20");
	b.period_ns = a.period_ns = 1000; /* 1 us a sample */
	a.runs = 2;
	assert_int_equal(pg_attrib_compare(&r, &b, &a, NULL, &err), 0);
	assert_string_equal(r.unit, "ns");
	assert_near(r.total_before, 70000);
	assert_near(r.total_after, 30000);
	f = fn(&r, "y");
	assert_non_null(f);
	assert_near(f->self_before, 10000);
	assert_near(f->self_after, 15000);
	f = fn(&r, "x");
	assert_near(f->total_before, 20000);
	assert_near(f->total_after, 20000);
	assert_near(f->self_after, 5000);
	/* ranked by self increase: y (+5000) first, z (-30000) last */
	assert_string_equal(r.fns[0].name, "y");
	assert_string_equal(r.fns[r.nr_fns - 1].name, "z");
	/* by inclusive increase: y (+5000), then x (0), z (-30000), main (-40000) */
	assert_string_equal(r.fns[r.by_total[0]].name, "y");
	assert_string_equal(r.fns[r.by_total[r.nr_fns - 1]].name, "main");
	/* top leaves with shares */
	assert_int_equal(r.nr_top_before, 4);
	assert_string_equal(r.top_before[0].name, "z");
	assert_near(r.top_before[0].share, 40.0 / 70);
	assert_string_equal(r.top_after[0].name, "y");
	assert_near(r.top_after[0].share, 0.5);
	pg_attrib_release(&r);
	pg_prof_release(&b);
	pg_prof_release(&a);
}

static void test_top_leaves_capped(void **state)
{
	struct pg_prof b;
	struct pg_attrib r;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	folded(&b, PG_PROF_SAMPLES, "m;a 1\nm;b 2\nm;c 3\nm;d 4\nm;e 5\nm;f 6\nm;g 7");
	assert_int_equal(pg_attrib_compare(&r, &b, &b, NULL, &err), 0);
	assert_int_equal(r.nr_top_after, PG_ATTRIB_TOP_LEAVES);
	assert_string_equal(r.top_after[0].name, "g");
	assert_string_equal(r.top_after[4].name, "c");
	assert_int_equal(r.responsible, -1);
	pg_attrib_release(&r);
	pg_prof_release(&b);
}

static void test_recursion_counted_once(void **state)
{
	struct pg_prof b, a;
	struct pg_attrib r;
	struct pg_err err = PG_ERR_INIT;
	const struct pg_attrib_fn *f;

	(void)state;
	folded(&b, PG_PROF_SAMPLES, "main;fib;fib;fib;fib 10\nmain;fib;fib 5\nmain;other 5");
	folded(&a, PG_PROF_SAMPLES, "main;fib;fib;fib;fib 30\nmain;fib;fib 5\nmain;other 5");
	assert_int_equal(pg_attrib_compare(&r, &b, &a, NULL, &err), 0);
	f = fn(&r, "fib");
	assert_near(f->total_before, 15);
	assert_near(f->total_after, 35);
	assert_near(f->self_after, 35);
	assert_true(f->total_after <= r.total_after);
	assert_string_equal(responsible(&r), "fib");
	pg_attrib_release(&r);
	pg_prof_release(&b);
	pg_prof_release(&a);
}

/* The untidy-profile rules, checked on the tidied profile's folded text. */
struct tidy_case {
	const char *what;
	const char *in;
	bool fp;
	const char *want; /* folded output */
};

static const struct tidy_case tidy_cases[] = {
	{ "R1: [unknown] frames dropped; a leaf [unknown] is paid by the frame above",
	  "main;[unknown];work;[unknown] 5\nmain;work 1", false, "main;work 6\n" },
	{ "R1: an all-[unknown] stack stays one [unknown] frame", "[unknown];[unknown] 4", false,
	  "[unknown] 4\n" },
	{ "R2: kernel page-fault frames count toward the user function above",
	  "main;touch;asm_exc_page_fault_[k];exc_page_fault_[k];handle_mm_fault_[k] 3\nmain;touch 7",
	  false, "main;touch 10\n" },
	{ "R2: an all-kernel stack is kept", "swapper_[k];cpu_idle_[k] 2", false,
	  "swapper_[k];cpu_idle_[k] 2\n" },
	{ "R2: kernel frames in the middle stay (only the leaf end is cut)",
	  "main;sig_[k];handler;leaf_[k] 2", false, "main;sig_[k];handler 2\n" },
	{ "R3: orphan malloc stacks go to the allocator's callers in proportion",
	  "main;a;malloc 3\nmain;b;malloc 1\n_int_malloc 8\nmalloc;_int_malloc 4", false,
	  "main;a;_int_malloc 6\nmain;a;malloc 3\nmain;a;malloc;_int_malloc 3\n"
	  "main;b;_int_malloc 2\nmain;b;malloc 1\nmain;b;malloc;_int_malloc 1\n" },
	{ "R3: orphan free stacks without any caller stay orphans",
	  "free;_int_free 2\nmain;work 5", false, "free;_int_free 2\nmain;work 5\n" },
	{ "R3: [unknown] callers are dropped first, then the orphan is grafted",
	  "[unknown];free 2\nmain;f;free 1", false, "main;f;free 3\n" },
	{ "R4: with frame pointers, a leaf without its caller is re-parented",
	  "main;process;parse;checksum 10\nmain;process;checksum 30", true,
	  "main;process;parse;checksum 40\n" },
	{ "R4: split across several callers in proportion",
	  "m;x;y1;l 1\nm;x;y2;l 3\nm;x;l 8", true, "m;x;y1;l 3\nm;x;y2;l 9\n" },
	{ "R4: off without frame pointers (DWARF: a direct call is real)",
	  "main;process;parse;checksum 10\nmain;process;checksum 30", false,
	  "main;process;checksum 30\nmain;process;parse;checksum 10\n" },
	{ "R4: an unseen leaf is left alone", "main;a;b 2\nmain;c 1", true,
	  "main;a;b 2\nmain;c 1\n" },
};

static void test_tidy_rules(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(tidy_cases); i++) {
		const struct tidy_case *c = &tidy_cases[i];
		struct pg_prof in, out;
		struct pg_buf buf = PG_BUF_INIT;

		print_message("case: %s\n", c->what);
		folded(&in, PG_PROF_SAMPLES, c->in);
		pg_attrib_tidy(&out, &in, c->fp);
		pg_prof_write_folded(&out, &buf);
		assert_string_equal(pg_buf_cstr(&buf), c->want);
		assert_near(out.total, in.total);
		pg_buf_release(&buf);
		pg_prof_release(&in);
		pg_prof_release(&out);
	}
}

static void test_fp_rule_restores_inclusive(void **state)
{
	struct pg_prof b, a;
	struct pg_attrib r;
	struct pg_attrib_opts o = PG_ATTRIB_OPTS_INIT;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	folded(&b, PG_PROF_SAMPLES, "main;process;parse;checksum 10\nmain;process;checksum 10");
	folded(&a, PG_PROF_SAMPLES, "main;process;parse;checksum 10\nmain;process;checksum 50");
	o.frame_pointers = true;
	assert_int_equal(pg_attrib_compare(&r, &b, &a, &o, &err), 0);
	assert_near(fn(&r, "parse")->total_after, 60);
	assert_string_equal(responsible(&r), "checksum");
	pg_attrib_release(&r);
	o.frame_pointers = false;
	assert_int_equal(pg_attrib_compare(&r, &b, &a, &o, &err), 0);
	assert_near(fn(&r, "parse")->total_after, 10);
	assert_string_equal(responsible(&r), "checksum");
	pg_attrib_release(&r);
	pg_prof_release(&b);
	pg_prof_release(&a);
}

static void test_classify_frames(void **state)
{
	static const struct {
		const char *name;
		const char *cls;
	} cases[] = {
		{ "malloc", "allocator" }, { "_int_free", "allocator" }, { "calloc", "allocator" },
		{ "realloc", "allocator" }, { "operator new(unsigned long)", "allocator" },
		{ "_Znwm", "allocator" }, { "runtime.mallocgc", "allocator" },
		{ "tcache_get.isra.0", "allocator" }, { "pthread_mutex_lock", "lock" },
		{ "__lll_lock_wait", "lock" }, { "futex_wait_[k]", "lock" },
		{ "sync.(*Mutex).Lock", "lock" }, { "read", "io" }, { "__libc_write", "io" },
		{ "vfs_read_[k]", "io" }, { "ext4_file_write_iter_[k]", "io" },
		{ "printf", "logging" }, { "fprintf", "logging" }, { "__vfprintf_internal", "logging" },
		{ "syslog", "logging" }, { "log_message", "logging" }, { "log", "cpu" },
		{ "logf", "cpu" }, { "__x86_indirect_thunk_rax", "dispatch" },
		{ "__dynamic_cast", "dispatch" }, { "__cxa_guard_acquire", "cpu" },
		{ "checksum", "cpu" }, { "freeze", "cpu" }, { "readers_count", "cpu" },
		{ "", "cpu" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++) {
		print_message("frame: '%s'\n", cases[i].name);
		assert_string_equal(pg_attrib_class_name(pg_attrib_classify_frame(cases[i].name)),
				    cases[i].cls);
	}
	for (i = 0; i < PG_ATTRIB_NR_CLASSES; i++)
		assert_true(strlen(pg_attrib_next_step((enum pg_attrib_class)i)) > 20);
}

static void test_touched(void **state)
{
	static const char *const touched[] = { "checksum", "bar", "Do" };
	struct pg_prof b, a;
	struct pg_attrib r;
	struct pg_attrib_opts o = PG_ATTRIB_OPTS_INIT;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	assert_true(pg_attrib_name_matches("checksum.constprop.0", "checksum"));
	assert_true(pg_attrib_name_matches("ns::Foo::bar(int) const", "bar"));
	assert_true(pg_attrib_name_matches("ns::Foo::bar(int)", "Foo::bar"));
	assert_true(pg_attrib_name_matches("net/http.(*Client).Do", "Do"));
	assert_true(pg_attrib_name_matches("Checksum.fnv1a_[j]", "fnv1a"));
	assert_false(pg_attrib_name_matches("checksum2", "checksum"));
	assert_false(pg_attrib_name_matches("main", "checksum"));
	assert_false(pg_attrib_name_matches("", ""));

	folded(&b, PG_PROF_SAMPLES, "main;process;checksum.constprop.0 10\nmain;ns::Foo::bar(int) 5");
	folded(&a, PG_PROF_SAMPLES, "main;process;checksum.constprop.0 20\nmain;ns::Foo::bar(int) 5");
	o.touched = touched;
	o.nr_touched = PG_ARRAY_SIZE(touched);
	assert_int_equal(pg_attrib_compare(&r, &b, &a, &o, &err), 0);
	assert_string_equal(responsible(&r), "checksum.constprop.0");
	assert_true(r.fns[r.responsible].touched);
	assert_true(fn(&r, "ns::Foo::bar(int)")->touched);
	assert_false(fn(&r, "process")->touched);
	assert_false(fn(&r, "main")->touched);
	pg_attrib_release(&r);
	pg_prof_release(&b);
	pg_prof_release(&a);
}

static void test_units(void **state)
{
	struct pg_prof b, a;
	struct pg_attrib r;
	struct pg_err err = PG_ERR_INIT;

	(void)state;
	folded(&b, PG_PROF_NS, "main;a 100");
	folded(&a, PG_PROF_INSTRUCTIONS, "main;a 100");
	assert_int_equal(pg_attrib_compare(&r, &b, &a, NULL, &err), -1);
	assert_int_equal(err.kind, PG_ERR_USAGE);
	assert_non_null(strstr(err.msg, "different cost units"));
	assert_non_null(strstr(err.msg, "ns before, instructions after"));
	pg_attrib_release(&r);
	pg_prof_release(&a);

	/* samples with a known period are ns: comparable with ns */
	folded(&a, PG_PROF_SAMPLES, "main;a 1");
	a.period_ns = 200;
	pg_err_clear(&err);
	assert_int_equal(pg_attrib_compare(&r, &b, &a, NULL, &err), 0);
	assert_string_equal(responsible(&r), "a");
	pg_attrib_release(&r);
	pg_prof_release(&a);

	/* samples without a period are not ns */
	folded(&a, PG_PROF_SAMPLES, "main;a 1");
	assert_int_equal(pg_attrib_compare(&r, &b, &a, NULL, &err), -1);
	pg_attrib_release(&r);
	pg_prof_release(&a);

	/* an empty profile is refused, not "no regression" */
	pg_prof_init(&a, PG_PROF_NS);
	pg_err_clear(&err);
	assert_int_equal(pg_attrib_compare(&r, &b, &a, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "no samples"));
	pg_attrib_release(&r);
	pg_prof_release(&a);
	pg_prof_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_naming),
		cmocka_unit_test(test_costs_per_run_and_ranking),
		cmocka_unit_test(test_top_leaves_capped),
		cmocka_unit_test(test_recursion_counted_once),
		cmocka_unit_test(test_tidy_rules),
		cmocka_unit_test(test_fp_rule_restores_inclusive),
		cmocka_unit_test(test_classify_frames),
		cmocka_unit_test(test_touched),
		cmocka_unit_test(test_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
