/*
 * fuzz: the libFuzzer entry point every target in tests/fuzz/ defines.
 *
 * Each fuzz_<target>.c defines LLVMFuzzerTestOneInput() and nothing else;
 * it is linked either with libFuzzer (-fsanitize=fuzzer, PERFGATE_FUZZ=ON
 * with clang) or with replay.c, whose main() runs every file of the
 * directories (or files) it is given, so the committed corpus
 * tests/fuzz/corpus/<target>/ runs under ctest in every build.
 * A target aborts (FUZZ_CHECK) when a property it checks does not hold.
 */
#ifndef PG_FUZZ_H
#define PG_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)
#endif
