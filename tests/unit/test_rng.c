#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "rng.h"

/* Reference outputs of xoshiro256** seeded with splitmix64(seed), from an
 * independent Python transcription of Vigna's reference C code. */
static void test_reference_sequence(void **state)
{
	static const struct {
		uint64_t seed;
		uint64_t out[3];
	} cases[] = {
		{ 0, { 0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL } },
		{ 42, { 0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL } },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pg_rng rng;

		pg_rng_seed(&rng, cases[c].seed);
		for (int i = 0; i < 3; i++)
			assert_true(pg_rng_next(&rng) == cases[c].out[i]);
	}
}

static void test_same_seed_same_draws(void **state)
{
	struct pg_rng r1, r2, r3;
	int differ = 0;

	(void)state;
	pg_rng_seed(&r1, 7);
	pg_rng_seed(&r2, 7);
	pg_rng_seed(&r3, 8);
	for (int i = 0; i < 1000; i++) {
		double x = pg_rng_normal(&r1), y = pg_rng_normal(&r2), z = pg_rng_normal(&r3);

		assert_true(x == y);
		differ += x != z;
	}
	assert_true(differ > 990);
}

static void test_uniform_and_below(void **state)
{
	struct pg_rng rng;
	double sum = 0;
	unsigned counts[3] = { 0 };
	const int n = 100000;

	(void)state;
	pg_rng_seed(&rng, 1);
	for (int i = 0; i < n; i++) {
		double u = pg_rng_uniform(&rng);
		uint64_t k = pg_rng_below(&rng, 3);

		assert_true(u >= 0 && u < 1);
		assert_true(k < 3);
		counts[k]++;
		sum += u;
	}
	assert_true(fabs(sum / n - 0.5) < 0.01);
	for (int k = 0; k < 3; k++) /* each 1/3 within 1.5% (sd is 0.15%) */
		assert_true(fabs(counts[k] / (double)n - 1.0 / 3) < 0.015);
	assert_int_equal(pg_rng_below(&rng, 0), 0);
	assert_int_equal(pg_rng_below(&rng, 1), 0);
}

static void test_normal_and_lognormal(void **state)
{
	struct pg_rng rng;
	double sum = 0, ss = 0;
	unsigned below_median = 0;
	const int n = 100000;

	(void)state;
	pg_rng_seed(&rng, 2);
	for (int i = 0; i < n; i++) {
		double z = pg_rng_normal(&rng);

		sum += z;
		ss += z * z;
	}
	assert_true(fabs(sum / n) < 0.02);
	assert_true(fabs(sqrt(ss / n) - 1) < 0.02);
	for (int i = 0; i < n; i++) /* median of a log-normal is exp(mu) */
		below_median += pg_rng_lognormal(&rng, log(100.0), 0.03) < 100.0;
	assert_true(fabs(below_median / (double)n - 0.5) < 0.01);
}

struct big {
	int id;
	char pad[96]; /* larger than the shuffle's swap chunk */
};

static void test_shuffle(void **state)
{
	struct pg_rng r1, r2;
	int x[50], y[50], seen[50] = { 0 };
	static struct big b[20];
	int moved = 0;

	(void)state;
	for (int i = 0; i < 50; i++)
		x[i] = y[i] = i;
	pg_rng_seed(&r1, 3);
	pg_rng_seed(&r2, 3);
	pg_rng_shuffle(&r1, x, 50, sizeof(x[0]));
	pg_rng_shuffle(&r2, y, 50, sizeof(y[0]));
	assert_memory_equal(x, y, sizeof(x));
	for (int i = 0; i < 50; i++) {
		seen[x[i]]++;
		moved += x[i] != i;
	}
	for (int i = 0; i < 50; i++)
		assert_int_equal(seen[i], 1);
	assert_true(moved > 40);

	for (int i = 0; i < 20; i++) {
		b[i].id = i;
		memset(b[i].pad, i, sizeof(b[i].pad));
	}
	pg_rng_shuffle(&r1, b, 20, sizeof(b[0]));
	for (int i = 0; i < 20; i++) /* elements moved whole */
		assert_int_equal((unsigned char)b[i].pad[95], (unsigned char)b[i].id);
	pg_rng_shuffle(&r1, x, 0, sizeof(x[0]));
	pg_rng_shuffle(&r1, x, 1, sizeof(x[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_sequence),
		cmocka_unit_test(test_same_seed_same_draws),
		cmocka_unit_test(test_uniform_and_below),
		cmocka_unit_test(test_normal_and_lognormal),
		cmocka_unit_test(test_shuffle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
