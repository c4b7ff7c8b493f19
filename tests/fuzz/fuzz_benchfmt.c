/*
 * Fuzz target: a benchmark's stdout -> pg_benchfmt_parse; the first byte
 * picks the format (google-benchmark, hyperfine, go test, pytest-benchmark,
 * BMF, lines).
 */
#include <math.h>
#include <string.h>

#include "benchfmt.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum pg_output_format fmts[] = {PG_OUTPUT_GBENCH,	PG_OUTPUT_HYPERFINE,
						     PG_OUTPUT_GO_TEST, PG_OUTPUT_PYTEST,
						     PG_OUTPUT_BMF,	PG_OUTPUT_LINES};
	if (size < 1)
		return 0;
	enum pg_output_format fmt = fmts[data[0] % (sizeof(fmts) / sizeof(fmts[0]))];
	struct pg_result_bench b = {0};
	struct pg_benchfmt_info info = {0};
	struct pg_err err = PG_ERR_INIT;

	b.name = pg_xstrdup("fuzz");
	if (pg_benchfmt_parse(fmt, "fuzz stdout", (const char *)data + 1, size - 1, &b, &info,
			      &err) < 0) {
		FUZZ_CHECK(strstr(err.msg, "fuzz stdout") != NULL);
		FUZZ_CHECK(b.nr_metrics == 0); /* on failure nothing is added */
	} else {
		for (size_t i = 0; i < b.nr_metrics; i++) {
			FUZZ_CHECK(b.metrics[i].name && b.metrics[i].unit);
			for (size_t j = 0; j < b.metrics[i].nr_samples; j++)
				FUZZ_CHECK(isfinite(b.metrics[i].samples[j]));
		}
	}
	pg_result_bench_release(&b);
	return 0;
}
