#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

/* Run a whole bisect over n commits whose first bad one is culprit; commits
 * in skip[] (a bitmap) are skipped. Returns the step result; *steps counts
 * measurements and candidates are written to cand. */
static enum pg_search_step simulate(size_t n, size_t culprit, const char *skip, size_t *steps,
				    size_t *cand, size_t *nr_cand)
{
	struct pg_search s;
	enum pg_search_step r;
	size_t i;
	char *seen = calloc(n, 1);

	pg_search_init(&s, n);
	*steps = 0;
	while ((r = pg_search_next(&s, &i)) == PG_SEARCH_MEASURE) {
		assert_true(i < n - 1);
		assert_false(seen[i]); /* never measured twice */
		seen[i] = 1;
		(*steps)++;
		if (skip && skip[i])
			pg_search_set(&s, i, PG_SEARCH_SKIP);
		else
			pg_search_set(&s, i, i >= culprit ? PG_SEARCH_BAD : PG_SEARCH_GOOD);
	}
	*nr_cand = pg_search_candidates(&s, cand);
	pg_search_release(&s);
	free(seen);
	return r;
}

static void test_finds_every_culprit(void **state)
{
	size_t cand[128], nc, steps, n, c;

	(void)state;
	for (n = 1; n <= 70; n++) {
		unsigned bound = 0;
		while ((1u << bound) < n)
			bound++;
		for (c = 0; c < n; c++) {
			assert_int_equal(simulate(n, c, NULL, &steps, cand, &nc), PG_SEARCH_FOUND);
			assert_int_equal(nc, 1);
			assert_int_equal(cand[0], c);
			assert_true(steps <= bound);
		}
	}
}

static void test_skip_next_to_midpoint(void **state)
{
	struct pg_search s;
	size_t i;

	(void)state;
	pg_search_init(&s, 9);
	assert_int_equal(pg_search_next(&s, &i), PG_SEARCH_MEASURE);
	assert_int_equal(i, 3); /* lo=-1, hi=8: mid 3 */
	pg_search_set(&s, 3, PG_SEARCH_SKIP);
	assert_int_equal(pg_search_next(&s, &i), PG_SEARCH_MEASURE);
	assert_int_equal(i, 2); /* a neighbour of the skipped one */
	pg_search_set(&s, 2, PG_SEARCH_SKIP);
	assert_int_equal(pg_search_next(&s, &i), PG_SEARCH_MEASURE);
	assert_int_equal(i, 4);
	pg_search_release(&s);
}

static void test_skips_still_found(void **state)
{
	size_t cand[64], nc, steps, c;
	char skip[32] = { 0 };

	(void)state;
	skip[5] = 1; /* one unbuildable commit, not next to the culprit */
	for (c = 0; c < 32; c++) {
		enum pg_search_step r = simulate(32, c, skip, &steps, cand, &nc);
		if (c == 5 || c == 6) {
			/* the skipped commit could be the culprit: exactly {5, 6} */
			assert_int_equal(r, PG_SEARCH_AMBIGUOUS);
			assert_int_equal(nc, 2);
			assert_int_equal(cand[0], 5);
			assert_int_equal(cand[1], 6);
		} else {
			assert_int_equal(r, PG_SEARCH_FOUND);
			assert_int_equal(nc, 1);
			assert_int_equal(cand[0], c);
		}
	}
}

static void test_only_skips_left(void **state)
{
	size_t cand[16], nc, steps;
	char skip[10] = { 0, 0, 0, 1, 1, 1, 0, 0, 0, 0 };

	(void)state;
	/* culprit 4, inside the skipped run 3..5: candidates are exactly 3,4,5,6 */
	assert_int_equal(simulate(10, 4, skip, &steps, cand, &nc), PG_SEARCH_AMBIGUOUS);
	assert_int_equal(nc, 4);
	assert_int_equal(cand[0], 3);
	assert_int_equal(cand[3], 6);
}

static void test_degenerate(void **state)
{
	struct pg_search s;
	size_t i, cand[2];

	(void)state;
	pg_search_init(&s, 1); /* only BAD in the range: it is the culprit */
	assert_int_equal(pg_search_next(&s, &i), PG_SEARCH_FOUND);
	assert_int_equal(pg_search_candidates(&s, cand), 1);
	assert_int_equal(cand[0], 0);
	assert_int_equal(pg_search_steps_left(&s), 0);
	pg_search_release(&s);
	pg_search_init(&s, 0);
	assert_int_equal(pg_search_next(&s, &i), PG_SEARCH_AMBIGUOUS);
	pg_search_release(&s);
}

static void test_steps_left(void **state)
{
	struct pg_search s;

	(void)state;
	pg_search_init(&s, 64);
	assert_int_equal(pg_search_steps_left(&s), 6); /* 63 unknown -> 6 steps */
	pg_search_set(&s, 31, PG_SEARCH_GOOD);
	assert_int_equal(pg_search_steps_left(&s), 5);
	pg_search_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_every_culprit),
		cmocka_unit_test(test_skip_next_to_midpoint),
		cmocka_unit_test(test_skips_still_found),
		cmocka_unit_test(test_only_skips_left),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_steps_left),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
