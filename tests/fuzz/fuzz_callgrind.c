/* Fuzz target: callgrind bytes -> pg_prof_parse_callgrind (the first byte picks a small cap or
 * none). */
#include "prof_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct pg_prof_read_opts opts = {0};
	if (data[0] & 1) {
		opts.max_stacks = 4;
		opts.max_frames = 8;
	}
	struct pg_prof p;
	struct pg_prof_warnings warn = {0};
	struct pg_err err = PG_ERR_INIT;

	pg_prof_init(&p, PG_PROF_SAMPLES);
	int rc = pg_prof_parse_callgrind(&p, "fuzz.prof", (const char *)data + 1, size - 1, &opts,
					 &warn, &err);
	if (rc < 0)
		FUZZ_CHECK(err.msg[0] != '\0' && strstr(err.msg, "fuzz.prof") != NULL);
	else
		fuzz_prof_check(&p, &opts);
	pg_prof_release(&p);
	return 0;
}
