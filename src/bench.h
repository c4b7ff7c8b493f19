/*
 * bench: the warm-up and repetition loop over proc, turning runs of one
 * configured benchmark into samples.
 *
 * Owns: warm-up runs (discarded), counted runs, the metrics perfgate measures
 * itself per counted run, the metrics the benchmark reports (through
 * benchfmt), instruction counts from one run under valgrind's callgrind, and
 * the wording of a failed run ("benchmark 'parse': run 4/10 exited with 1").
 * Must not: print, choose exit codes, compare anything.
 *
 * Metrics measured per counted run (names as in budgets):
 *   wall (ns), user (ns), sys (ns), cpu (ns, user + sys), max_rss (bytes),
 *   instructions (count; pg_bench_instructions, once: they do not vary).
 *
 * Use (perfgate run):
 *   struct pg_bench_opts o = PG_BENCH_OPTS_INIT; o.root = tree;
 *   struct pg_result_bench *rb = pg_result_bench(&result, cfg->name);
 *   if (pg_bench_check(cfg, &o, &err) < 0) -> exit 4 before any run
 *   if (pg_bench_run(cfg, &o, cfg->warmup, cfg->repeat_min, rb, &err) < 0) -> err
 * Use (check, bisect: interleaved A B A B):
 *   pg_bench_run(a, &oa, a->warmup, 0, ra, &err); pg_bench_run(b, &ob, b->warmup, 0, rb, &err);
 *   loop: pg_bench_sample(a, &oa, ra, &err); pg_bench_sample(b, &ob, rb, &err);
 *   if (a->instructions) pg_bench_instructions(a, &oa, ra, &err); ...
 *
 * Return values: 0 ok; -1 failure (err: PG_ERR_INFRA, or PG_ERR_INTERRUPTED);
 * PG_BENCH_SKIP when a run exited with 125 (bisect's "cannot test this
 * commit"; err says so too). On failure, the samples of runs that
 * succeeded stay in the result, res->status holds the failed run's status
 * (exit code or 128 + signal).
 */
#ifndef PG_BENCH_H
#define PG_BENCH_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "result.h"

#define PG_BENCH_SKIP (-2)
#define PG_BENCH_SKIP_EXIT 125

struct pg_bench_opts {
	const char *root;     /* tree root; the benchmark's cwd is relative to it; NULL = "." */
	uint64_t grace_ns;    /* TERM-to-KILL grace; 0 = proc's default (2 s) */
	size_t out_cap;       /* bytes of stdout/stderr kept per run; 0 = proc's default */
	unsigned run_total;   /* the "10" of "run 4/10" in messages; 0 = not said */
	/* Called before each run (phase "warm-up", "run", "callgrind"); may be NULL. */
	void (*progress)(void *ctx, const char *bench, const char *phase, unsigned i, unsigned n);
	void *progress_ctx;
};

#define PG_BENCH_OPTS_INIT { NULL, 0, 0, 0, NULL, NULL }

/* Before any run: the working directory exists and the command can be executed. */
int pg_bench_check(const struct pg_bench_cfg *b, const struct pg_bench_opts *o, struct pg_err *err);

/* warmup discarded runs, then repeat counted runs appended to res. */
int pg_bench_run(const struct pg_bench_cfg *b, const struct pg_bench_opts *o, unsigned warmup,
		 unsigned repeat, struct pg_result_bench *res, struct pg_err *err);

/* One more counted run, appended to res (res->runs + 1 is its number). */
int pg_bench_sample(const struct pg_bench_cfg *b, const struct pg_bench_opts *o,
		    struct pg_result_bench *res, struct pg_err *err);

/*
 * One run under `valgrind --tool=callgrind` (children traced), adding one
 * sample of "instructions" (the sum of the "totals:"/"summary:" lines of
 * every process's output file). The timeout is 50 times the benchmark's.
 */
int pg_bench_instructions(const struct pg_bench_cfg *b, const struct pg_bench_opts *o,
			  struct pg_result_bench *res, struct pg_err *err);

/* Parse the instruction total out of one callgrind output file's text; -1 if none. */
int pg_bench_callgrind_total(const char *text, uint64_t *out);

#endif
