/*
 * bmf: results in the Bencher Metric Format (https://bencher.dev), for
 * `perfgate run --bmf FILE` and for any command that wants to hand its
 * numbers to Bencher or another tool that reads BMF.
 *
 * Owns: rendering a result (run) or the head side of a gate report (check)
 * as one BMF document:
 *   { "<benchmark>": { "<metric>": { "value": median,
 *                                    "lower_value": min, "upper_value": max } } }
 * Metric names are perfgate's ("wall", "user", "sys", "cpu", "max_rss",
 * "instructions", or what the benchmark reported); values are in the
 * metric's canonical unit (ns, bytes, count, or the reported unit).
 * perfgate reads the same document back as a benchmark's `output: bmf`
 * (benchfmt.h), measure by measure.
 * Must not: run anything, print, write files (the command writes the buffer
 * with pg_file_write), or emit NaN or infinities (such numbers are left out).
 * Names that are not valid UTF-8 get U+FFFD for each bad byte. A benchmark
 * without a single metric value (it failed before measuring) is left out.
 *
 * Use:
 *   struct pg_buf b = PG_BUF_INIT;
 *   pg_bmf_render_result(&b, &res);
 *   pg_file_write(path, b.data, b.len, &err);
 *   pg_buf_release(&b);
 */
#ifndef PG_BMF_H
#define PG_BMF_H

#include "report.h"
#include "result.h"
#include "util.h"

/* Every benchmark and metric of r: median, min and max of its samples. */
void pg_bmf_render_result(struct pg_buf *out, const struct pg_result *r);

/* The head side of a gate report: head_median, and min and max of the head
 * samples when the report holds them. */
void pg_bmf_render_report(struct pg_buf *out, const struct pg_report *rep);

#endif
