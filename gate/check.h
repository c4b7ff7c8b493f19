/*
 * check: the pre-merge gate's algorithm (as git's bisect.c is to
 * builtin/bisect.c). gate/cmd_check.c parses argv, prints, writes the
 * report files and picks the exit code; this module does neither.
 *
 * Owns: resolving base and head, reading each commit's config from the
 * object database (never from the disk), choosing what is measured and
 * with which command, checking each side out into a private worktree
 * ("check-base", "check-head" under <gitdir>/perfgate/worktrees/), building
 * each side, measuring both interleaved with the adaptive sampling of
 * adapt.h, filling the report (report.h) and judging it with the base's
 * budgets (budget.h). Must not: print, choose exit codes, write report
 * files, touch the user's checkout, index, HEAD or branches.
 *
 * What comes from where:
 *   budgets          the base commit's config; the head's only when the
 *                    base has none (reported as "budgets not verified
 *                    against the base"), or an error with
 *                    require_base_budgets.
 *   benchmark list,  the base's config (the head's when the base has none);
 *   repeat min/max   a benchmark the head adds is not measured (notice).
 *   build, run,      each side's own config (a tree is built and run the
 *   warmup, env,     way it says); a side without a config, or without
 *   cwd, timeout     the benchmark, uses the base's entry. A run command
 *                    that the head changes is reported as a notice.
 *   instructions     on for both sides when the base's entry has it.
 *
 * How each benchmark is measured: warm-up runs of base, then of head
 * (discarded), then pairs A B (order shuffled within each pair, seeded) by
 * pg_adapt_run, from repeat.min pairs doubling up to repeat.max while the
 * verdict is UNKNOWN. The adaptive loop follows one metric: wall, unless
 * the base budgets another per-run metric with regress and not wall (then
 * the first such: cpu, user or a reported metric), at that rule's
 * tolerance (5% when there is no regress rule). Every other metric shown
 * (budgeted ones, reported ones, instructions) is compared afterwards on the
 * samples of the same runs (paired when each run gave one sample).
 * Instructions: one callgrind run per side; equal counts are SAME, unequal
 * DIFFERENT with the exact ratio.
 *
 * Use:
 *   struct pg_check_opts o = PG_CHECK_OPTS_INIT;
 *   o.base_rev = "v1.0"; o.head_rev = "HEAD";
 *   struct pg_report rep = PG_REPORT_INIT;
 *   if (pg_check_run(&rep, &o, &err) < 0)
 *       -> the gate did not complete: err says why (PG_ERR_USAGE: exit 2,
 *          PG_ERR_INFRA: exit 4, PG_ERR_INTERRUPTED); rep holds what is
 *          known (commits, notices) for the report files
 *   else exit code = pg_budget_exit_code(pg_report_overall(&rep))
 *   pg_report_release(&rep);
 * A side that does not build, or a benchmark that fails, is not a -1: the
 * report then holds the error (each budget of that benchmark is ERROR).
 */
#ifndef PG_CHECK_H
#define PG_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "report.h"

enum pg_check_phase {
	PG_CHECK_CHECKOUT = 0, /* side: checking the commit out */
	PG_CHECK_BUILD,	       /* side: running its build command (detail) */
	PG_CHECK_WARMUP,       /* side, bench: warm-up run `run` of `runs` */
	PG_CHECK_MEASURE,      /* side, bench: counted run `run` (target `runs` per side) */
	PG_CHECK_CALLGRIND,    /* side, bench: the instruction-counting run */
};

struct pg_check_event {
	enum pg_check_phase phase;
	const char *side;   /* "base" or "head" */
	const char *commit; /* 7-digit id of the side */
	const char *bench;  /* NULL for checkout and build */
	unsigned bench_i;   /* 1-based index of the benchmark, of nr_benches */
	unsigned nr_benches;
	unsigned run, runs; /* 1-based run of the side; runs = current target (0: unknown) */
	const char *detail; /* the build command; NULL otherwise */
};

struct pg_check_opts {
	const char *repo_path;	 /* where to discover the repository; NULL = "." */
	const char *base_rev;	 /* required */
	const char *head_rev;	 /* NULL = "HEAD" */
	const char *config_path; /* path inside the commits' trees; NULL = "perfgate.yml" */
	const char *const *only; /* measure only these benchmarks; nr_only of them */
	size_t nr_only;
	bool require_base_budgets; /* no config at the base is PG_ERR_USAGE */
	bool no_build;		   /* do not run the build commands */
	unsigned repeat_max;	   /* cap on pairs per benchmark; 0 = the config's */
	/* Called at each step; may be NULL. Must not fail. */
	void (*progress)(void *ctx, const struct pg_check_event *ev);
	void *progress_ctx;
};

#define PG_CHECK_OPTS_INIT                                                                         \
	{                                                                                          \
		NULL, NULL, NULL, NULL, NULL, 0, false, false, 0, NULL, NULL                       \
	}

/* The private worktrees the gate uses (bisect has its own). */
#define PG_CHECK_WORKTREE_BASE "check-base"
#define PG_CHECK_WORKTREE_HEAD "check-head"

/*
 * Run the gate and fill rep (PG_REPORT_INIT): commits, timestamp, host,
 * duration, metrics with samples and comparisons, and the judged checks.
 * 0 when the report is complete (its outcome is the verdict), -1 when the
 * gate could not be completed (see above). Errors name the role:
 *   "base: unknown revision 'foo'", "base: commit abc1234 not present
 *   (shallow clone?)", "abc1234:perfgate.yml:3:5: ...",
 *   "another perfgate check is running in this repository (...)".
 */
int pg_check_run(struct pg_report *rep, const struct pg_check_opts *o, struct pg_err *err);

/*
 * The comparison a report shows, from a stats verdict (report.h's mapping).
 * Exposed for the unit tests.
 */
struct pg_stats_verdict;
void pg_check_compare_from_verdict(struct pg_report_compare *out, const struct pg_stats_verdict *v);

#endif
