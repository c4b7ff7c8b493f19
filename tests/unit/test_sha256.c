#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

/* FIPS 180-2 appendix B (SHA-256 examples) and the NIST CAVS long message. */
static const struct {
	const char *msg;
	const char *hex;
} fips[] = {
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
     "lmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void test_fips_vectors(void **state)
{
	char out[65];

	(void)state;
	for (size_t i = 0; i < sizeof(fips) / sizeof(fips[0]); i++) {
		pg_sha256_hex(fips[i].msg, strlen(fips[i].msg), out);
		assert_string_equal(out, fips[i].hex);
	}
}

/* FIPS 180-2 B.3: one million 'a', fed in uneven pieces. */
static void test_million_a(void **state)
{
	struct pg_sha256 ctx;
	char *buf = malloc(1000000), out[65];
	size_t off = 0, step = 1;

	(void)state;
	memset(buf, 'a', 1000000);
	pg_sha256_hex(buf, 1000000, out);
	assert_string_equal(out,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	pg_sha256_init(&ctx);
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;
		pg_sha256_update(&ctx, buf + off, n);
		off += n;
		step = step * 3 % 1031 + 1;
	}
	pg_sha256_final_hex(&ctx, out);
	assert_string_equal(out,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}

/* Lengths around the padding boundary (55, 56, 64 bytes), checked against coreutils sha256sum. */
static void test_padding_boundaries(void **state)
{
	static const struct {
		size_t len;
		const char *hex;
	} cases[] = {
	    {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
	    {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
	    {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
	    {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
	    {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
	    {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
	};
	char buf[128], out[65];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pg_sha256 ctx;

		pg_sha256_hex(buf, cases[i].len, out);
		assert_string_equal(out, cases[i].hex);
		pg_sha256_init(&ctx);
		for (size_t j = 0; j < cases[i].len; j++)
			pg_sha256_update(&ctx, buf + j, 1);
		pg_sha256_final_hex(&ctx, out);
		assert_string_equal(out, cases[i].hex);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_padding_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
