/* Fuzz target: speedscope bytes -> pg_prof_parse_speedscope (see fuzz_prof_reader). */
#include "prof_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_prof_reader(data, size, pg_prof_parse_speedscope);
}
