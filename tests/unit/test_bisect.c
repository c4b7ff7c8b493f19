#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect.h"
#include "rng.h"

#define G "1111111111111111111111111111111111111111"
#define B "2222222222222222222222222222222222222222"
#define M "3333333333333333333333333333333333333333"

static const char head[] =
    "perfgate-bisect 1\n"
    "start good=" G " bad=" B " bench=my%20bench metric=wall first_parent=1 "
    "config=abc machine=0123456789abcdef json=/tmp/a%20b.json markdown=- svg=-\n";

static void test_journal_parse(void **state)
{
	struct pg_bisect_journal j;
	struct pg_err err = PG_ERR_INIT;
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text),
		 "%s"
		 "warm " G " 1\n"
		 "pair ends " G " 100 " B " 200\n"
		 "trip " G " 1.5e6 " M " 2e6 " B " 3e6\n"
		 "skip " M " build\n"
		 "class " M " bad 0.25 unsure\n"
		 "done found " M "\n",
		 head);
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", text, strlen(text), &err), 0);
	assert_string_equal(j.good, G);
	assert_string_equal(j.bad, B);
	assert_string_equal(j.bench, "my bench");
	assert_string_equal(j.json, "/tmp/a b.json");
	assert_null(j.markdown);
	assert_true(j.first_parent);
	assert_int_equal(j.nr_recs, 6);
	assert_int_equal(j.recs[1].kind, PG_BISECT_REC_PAIR);
	assert_string_equal(j.recs[1].tag, "ends");
	assert_true(j.recs[1].vb == 200);
	assert_int_equal(j.recs[2].kind, PG_BISECT_REC_TRIP);
	assert_string_equal(j.recs[2].b, M);
	assert_true(j.recs[2].va == 1.5e6);
	assert_int_equal(j.recs[4].kind, PG_BISECT_REC_CLASS);
	assert_true(j.recs[4].unsure);
	assert_true(j.done);
	assert_int_equal(j.valid_len, strlen(text));
	pg_bisect_journal_release(&j);
}

/* Every record formatted and parsed back is the same record. */
static void test_journal_roundtrip(void **state)
{
	struct pg_bisect_rec recs[] = {
	    {.kind = PG_BISECT_REC_PAIR,
	     .tag = "confirm",
	     .a = G,
	     .b = B,
	     .va = 0.1,
	     .vb = 1e9 / 3},
	    {.kind = PG_BISECT_REC_TRIP, .a = G, .b = M, .c = B, .va = 1, .vb = 2, .vc = 3},
	    {.kind = PG_BISECT_REC_SKIP, .tag = "exit125", .a = M},
	    {.kind = PG_BISECT_REC_CLASS, .tag = "good", .a = M, .va = -0.125},
	    {.kind = PG_BISECT_REC_DONE, .tag = "ambiguous"},
	};
	struct pg_buf b = PG_BUF_INIT;
	struct pg_bisect_journal j;
	struct pg_err err = PG_ERR_INIT;
	size_t i;

	(void)state;
	pg_buf_adds(&b, head);
	for (i = 0; i < PG_ARRAY_SIZE(recs); i++) {
		pg_bisect_rec_format(&b, &recs[i]);
		pg_buf_addc(&b, '\n');
	}
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", b.data, b.len, &err), 0);
	assert_int_equal(j.nr_recs, PG_ARRAY_SIZE(recs));
	for (i = 0; i < PG_ARRAY_SIZE(recs); i++) {
		assert_int_equal(j.recs[i].kind, recs[i].kind);
		assert_string_equal(j.recs[i].tag, recs[i].tag);
		assert_string_equal(j.recs[i].a, recs[i].a);
		assert_true(j.recs[i].va == recs[i].va);
		assert_true(j.recs[i].vb == recs[i].vb);
	}
	pg_bisect_journal_release(&j);
	pg_buf_release(&b);
}

/* CRLF line ends read the same; a torn last line is dropped, and valid_len
 * stops before it so that appending starts on a fresh line. */
static void test_journal_crlf_and_torn(void **state)
{
	struct pg_bisect_journal j;
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf b = PG_BUF_INIT;
	const char *p;
	size_t whole;

	(void)state;
	for (p = head; *p; p++) {
		if (*p == '\n')
			pg_buf_addc(&b, '\r');
		pg_buf_addc(&b, *p);
	}
	pg_buf_adds(&b, "class " M " good -0.5\r\n");
	whole = b.len;
	pg_buf_adds(&b, "trip " G " 1 " M);
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", b.data, b.len, &err), 0);
	assert_string_equal(j.bench, "my bench");
	assert_string_equal(j.machine, "0123456789abcdef");
	assert_int_equal(j.nr_recs, 1);
	assert_string_equal(j.recs[0].tag, "good");
	assert_int_equal(j.valid_len, whole);
	assert_false(j.done);
	pg_bisect_journal_release(&j);
	pg_buf_release(&b);
}

static void test_journal_garbage(void **state)
{
	static const char *bad[] = {
	    "garbage\n", "perfgate-bisect 2\n",
	    "perfgate-bisect 1\nclass " M " good 0\n", /* no start */
	    "perfgate-bisect 1\nstart good=" G "\n",   /* no bad end */
	};
	struct pg_bisect_journal j;
	struct pg_err err = PG_ERR_INIT;
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(bad); i++) {
		pg_err_clear(&err);
		assert_int_equal(
		    pg_bisect_journal_parse(&j, "journal", bad[i], strlen(bad[i]), &err), -1);
		assert_int_equal(err.kind, PG_ERR_INFRA);
		assert_non_null(strstr(err.msg, "journal"));
	}
	snprintf(text, sizeof(text), "%sclass %s maybe 0\n", head, M);
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", text, strlen(text), &err), -1);
	assert_non_null(strstr(err.msg, "journal:3:"));
	/* a NUL byte inside a line */
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", "garbage\0\xff\n", 10, &err), -1);
	assert_non_null(strstr(err.msg, "journal:1:"));
	snprintf(text, sizeof(text), "%strip nothex 1 %s 2 %s 3\n", head, M, B);
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", text, strlen(text), &err), -1);
}

/* --no-notes is kept in the start record; without it, notes are on. */
static void test_journal_notes(void **state)
{
	struct pg_bisect_journal j;
	struct pg_err err = PG_ERR_INIT;
	char text[1024];
	size_t len;

	(void)state;
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", head, strlen(head), &err), 0);
	assert_false(j.no_notes);
	pg_bisect_journal_release(&j);
	snprintf(text, sizeof(text), "%s", head);
	len = strlen(text);
	snprintf(text + len - 1, sizeof(text) - len + 1, " notes=0\n");
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", text, strlen(text), &err), 0);
	assert_true(j.no_notes);
	pg_bisect_journal_release(&j);
	snprintf(text + len - 1, sizeof(text) - len + 1, " notes=maybe\n");
	assert_int_equal(pg_bisect_journal_parse(&j, "journal", text, strlen(text), &err), -1);
	assert_non_null(strstr(err.msg, "journal:2:"));
}

/*
 * The classification rule on generated samples: a machine whose speed does
 * a random walk of walk per run, each run with log-normal noise cv, the
 * candidate like lo (bad = false) or like hi = lo * (1 + effect). Runs the
 * step's sequential plan (doubling from 3 to max triplets, rotating order)
 * and returns how many of trials were classified right; *triplets_out
 * gets the mean number of triplets used.
 */
static unsigned simulate(double effect, double cv, double walk, unsigned max, bool bad,
			 unsigned trials, uint64_t seed, double *triplets_out)
{
	struct pg_rng rng;
	unsigned t, right = 0;
	double used = 0;

	pg_rng_seed(&rng, seed);
	for (t = 0; t < trials; t++) {
		double lo[64], mid[64], hi[64], speed = 0;
		unsigned n = 0, target = 3;
		enum pg_bisect_class c;

		for (;;) {
			while (n < target) {
				double *dst[3] = {&lo[n], &mid[n], &hi[n]};
				double base[3] = {1.0, bad ? 1 + effect : 1.0, 1 + effect};
				unsigned k;

				for (k = 0; k < 3; k++) {
					unsigned w = (n + k) % 3;

					speed += walk * pg_rng_normal(&rng);
					*dst[w] = 0.02 * base[w] * exp(speed) *
						  pg_rng_lognormal(&rng, 0, cv);
				}
				n++;
			}
			c = pg_bisect_classify(lo, mid, hi, n, PG_BISECT_STEP_ALPHA, false, NULL);
			if (c == PG_BISECT_UNSURE && target >= max)
				c = pg_bisect_classify(lo, mid, hi, n, PG_BISECT_STEP_ALPHA, true,
						       NULL);
			if (c != PG_BISECT_UNSURE)
				break;
			target = target > max / 2 ? max : 2 * target;
		}
		used += n;
		if (c == (bad ? PG_BISECT_BAD : PG_BISECT_GOOD))
			right++;
	}
	if (triplets_out)
		*triplets_out = used / trials;
	return right;
}

/* The header's claim: a 5% slowdown, CV 3% per run, a 1%-per-run random walk
 * of machine speed, repeat.max 30: right >= 95% of the time, either way. */
static void test_classify_5_percent(void **state)
{
	double tg, tb;
	unsigned good = simulate(0.05, 0.03, 0.01, 30, false, 400, 1, &tg);
	unsigned bad = simulate(0.05, 0.03, 0.01, 30, true, 400, 2, &tb);

	(void)state;
	print_message("5%%: like-good right %u/400 (%.1f triplets), like-bad right %u/400 (%.1f)\n",
		      good, tg, bad, tb);
	assert_true(good >= 380);
	assert_true(bad >= 380);
}

/* A 2x slowdown is decided at 6 triplets (the first look that can reach
 * alpha), never wrong. */
static void test_classify_2x(void **state)
{
	double tg, tb;

	(void)state;
	assert_int_equal(simulate(1.0, 0.05, 0.01, 30, false, 200, 3, &tg), 200);
	assert_int_equal(simulate(1.0, 0.05, 0.01, 30, true, 200, 4, &tb), 200);
	assert_true(tg < 6.5 && tb < 6.5);
}

/* Without pairing the rule would be fooled by drift: with a strong walk
 * the paired contrast still holds at 25%. */
static void test_classify_drift(void **state)
{
	(void)state;
	assert_true(simulate(0.25, 0.03, 0.05, 30, false, 200, 5, NULL) >= 190);
	assert_true(simulate(0.25, 0.03, 0.05, 30, true, 200, 6, NULL) >= 190);
}

/*
 * The step's rule (pg_bisect_classify_step) under bursts of load: each run,
 * with probability burst_p, is slowed by burst (another job took the core),
 * on top of the walk. effect is what the ends estimated (log of the ratio).
 * Runs the plan of step() in bisect.c: decide early only when the rule is
 * sure, else double; at max the sign decides.
 */
static unsigned simulate_step(double effect, double cv, double walk, double burst_p, double burst,
			      unsigned max, bool bad, bool checks, unsigned trials, uint64_t seed,
			      double *triplets_out, unsigned *sure_wrong)
{
	struct pg_rng rng;
	unsigned t, right = 0, sw = 0;
	double used = 0;

	pg_rng_seed(&rng, seed);
	for (t = 0; t < trials; t++) {
		double lo[64], mid[64], hi[64], speed = 0;
		unsigned n = 0, target = 3;
		enum pg_bisect_class c;
		bool unsure = false;

		for (;;) {
			while (n < target) {
				double *dst[3] = {&lo[n], &mid[n], &hi[n]};
				double base[3] = {1.0, bad ? 1 + effect : 1.0, 1 + effect};
				unsigned k;

				for (k = 0; k < 3; k++) {
					unsigned w = (n + k) % 3;
					double slow =
					    pg_rng_uniform(&rng) < burst_p ? 1 + burst : 1;

					speed += walk * pg_rng_normal(&rng);
					*dst[w] = 0.02 * base[w] * slow * exp(speed) *
						  pg_rng_lognormal(&rng, 0, cv);
				}
				n++;
			}
			c = pg_bisect_classify_step(lo, mid, hi, n, PG_BISECT_STEP_ALPHA, false,
						    checks ? log(1 + effect) : 0, NULL);
			if (c == PG_BISECT_UNSURE && target >= max) {
				c = pg_bisect_classify(lo, mid, hi, n, PG_BISECT_STEP_ALPHA, true,
						       NULL);
				unsure = true;
			}
			if (c != PG_BISECT_UNSURE)
				break;
			target = target > max / 2 ? max : 2 * target;
		}
		used += n;
		if (c == (bad ? PG_BISECT_BAD : PG_BISECT_GOOD))
			right++;
		else if (!unsure)
			sw++;
	}
	if (triplets_out)
		*triplets_out = used / trials;
	if (sure_wrong)
		*sure_wrong = sw;
	return right;
}

/* 5% under drift and bursts (a tenth of the runs 20% slower): with the
 * checks the rule is right >= 94% either way, and makes no more confident
 * (not unsure) wrong calls than without them. */
static void test_classify_step_bursts(void **state)
{
	double tg, tb, tg0, tb0;
	unsigned wg, wb, wg0, wb0;
	unsigned good =
	    simulate_step(0.05, 0.03, 0.01, 0.1, 0.2, 30, false, true, 400, 7, &tg, &wg);
	unsigned bad = simulate_step(0.05, 0.03, 0.01, 0.1, 0.2, 30, true, true, 400, 8, &tb, &wb);
	unsigned good0 =
	    simulate_step(0.05, 0.03, 0.01, 0.1, 0.2, 30, false, false, 400, 7, &tg0, &wg0);
	unsigned bad0 =
	    simulate_step(0.05, 0.03, 0.01, 0.1, 0.2, 30, true, false, 400, 8, &tb0, &wb0);

	(void)state;
	print_message("5%% with bursts: checks: good %u/400 (%.1f triplets, %u sure and wrong), "
		      "bad %u/400 (%.1f, %u); without: good %u/400 (%.1f, %u), bad %u/400 (%.1f, "
		      "%u)\n",
		      good, tg, wg, bad, tb, wb, good0, tg0, wg0, bad0, tb0, wb0);
	assert_true(good >= 376);
	assert_true(bad >= 376);
	assert_true(wg + wb <= wg0 + wb0);
}

/* The checks: an estimate far beyond the ends' effect, or one the median
 * contradicts, is not decided early. */
static void test_classify_step_checks(void **state)
{
	double lo[6] = {1, 1, 1, 1, 1, 1}, hi[6] = {1.1, 1.1, 1.1, 1.1, 1.1, 1.1},
	       far[6] = {1.5, 1.5, 1.5, 1.5, 1.5, 1.5}, pos;

	(void)state;
	/* mid like hi: decided, the ends' effect fits */
	assert_int_equal(
	    pg_bisect_classify_step(lo, hi, hi, 6, PG_BISECT_STEP_ALPHA, false, log(1.1), &pos),
	    PG_BISECT_BAD);
	/* mid 50% slower than lo, ends 10% apart: no such commit, more triplets */
	assert_int_equal(
	    pg_bisect_classify_step(lo, far, hi, 6, PG_BISECT_STEP_ALPHA, false, log(1.1), &pos),
	    PG_BISECT_UNSURE);
	assert_int_equal(pg_bisect_classify(lo, far, hi, 6, PG_BISECT_STEP_ALPHA, false, &pos),
			 PG_BISECT_BAD);
	/* no effect known: the plain rule */
	assert_int_equal(
	    pg_bisect_classify_step(lo, far, hi, 6, PG_BISECT_STEP_ALPHA, false, 0, &pos),
	    PG_BISECT_BAD);
	/* the last look always decides */
	assert_int_equal(
	    pg_bisect_classify_step(lo, far, hi, 6, PG_BISECT_STEP_ALPHA, true, log(1.1), &pos),
	    PG_BISECT_BAD);
}

static void test_classify_edges(void **state)
{
	double lo[6] = {1, 1, 1, 1, 1, 1}, hi[6] = {2, 2, 2, 2, 2, 2}, pos;

	(void)state;
	/* 3 triplets can never be significant: unsure unless it is the last look */
	assert_int_equal(pg_bisect_classify(lo, lo, hi, 3, PG_BISECT_STEP_ALPHA, false, &pos),
			 PG_BISECT_UNSURE);
	assert_int_equal(pg_bisect_classify(lo, lo, hi, 3, PG_BISECT_STEP_ALPHA, true, &pos),
			 PG_BISECT_GOOD);
	assert_true(fabs(pos + log(2) / 2) < 1e-12);
	assert_int_equal(pg_bisect_classify(lo, hi, hi, 6, PG_BISECT_STEP_ALPHA, false, &pos),
			 PG_BISECT_BAD);
	assert_true(fabs(pos - log(2) / 2) < 1e-12);
	assert_int_equal(pg_bisect_classify(lo, lo, hi, 0, PG_BISECT_STEP_ALPHA, true, &pos),
			 PG_BISECT_UNSURE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journal_parse),
	    cmocka_unit_test(test_journal_roundtrip),
	    cmocka_unit_test(test_journal_crlf_and_torn),
	    cmocka_unit_test(test_journal_garbage),
	    cmocka_unit_test(test_journal_notes),
	    cmocka_unit_test(test_classify_5_percent),
	    cmocka_unit_test(test_classify_2x),
	    cmocka_unit_test(test_classify_drift),
	    cmocka_unit_test(test_classify_edges),
	    cmocka_unit_test(test_classify_step_bursts),
	    cmocka_unit_test(test_classify_step_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
