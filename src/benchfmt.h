/*
 * benchfmt: metrics a benchmark reports about itself, read from its stdout.
 *
 * Owns: the parsers for Google Benchmark JSON, hyperfine --export-json,
 * go test -bench text, pytest-benchmark JSON, the Bencher Metric Format and
 * plain "name: value unit" lines; the direction (lower or higher is better)
 * of a reported metric. Pure: no I/O, no clock.
 * Must not: print, run anything.
 *
 * Every metric is named "<reported benchmark>/<metric>", e.g.
 *   google-benchmark  BM_Checksum/64/real_time (ns), .../cpu_time (ns),
 *                     .../bytes_per_second (B/s, higher), .../items_per_second
 *                     (1/s, higher), .../<user counter> (unit "")
 *                     one sample per "iteration" row; aggregate rows
 *                     (_mean, _median, _stddev, _cv) are skipped and counted
 *   hyperfine         <command>/wall (ns): each entry of "times" is a sample
 *   go-test           BenchmarkParseRecord-2/ns/op (unit "ns/op"), .../B/op,
 *                     .../allocs/op, .../MB/s (higher), custom units as printed;
 *                     each row (-count N) is a sample
 *   pytest-benchmark  <name>/time (ns): stats.data when present, else stats.median
 *   bmf               <benchmark>/<measure> (latency: ns, throughput: ops/s higher,
 *                     others unit ""), the "value" of each measure
 *   lines             <name> with times converted to ns and sizes to bytes;
 *                     blank lines, '#' comments and lines that are not
 *                     "name: value [unit]" are ignored; at least one is required
 * Times are converted to nanoseconds. Values must be finite numbers.
 *
 * Use:
 *   struct pg_benchfmt_info info;
 *   if (pg_benchfmt_parse(PG_OUTPUT_GBENCH, "benchmark 'parse' stdout", data, len,
 *                         bench_result, &info, &err) < 0) -> err.msg (PG_ERR_INFRA)
 * On failure nothing is added to the result.
 */
#ifndef PG_BENCHFMT_H
#define PG_BENCHFMT_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "result.h"

struct pg_benchfmt_info {
	size_t rows;    /* result rows read */
	size_t skipped; /* rows skipped (aggregates, ignored lines) */
};

int pg_benchfmt_parse(enum pg_output_format fmt, const char *name, const char *data, size_t len,
		      struct pg_result_bench *out, struct pg_benchfmt_info *info, struct pg_err *err);

/* The config's spelling of a format ("google-benchmark"), "none" for PG_OUTPUT_NONE. */
const char *pg_benchfmt_name(enum pg_output_format fmt);

/* Higher is better for throughput-like units and names (ops/s, MB/s, items_per_second, ...). */
enum pg_direction pg_benchfmt_direction(const char *metric, const char *unit);

#endif
