/*
 * bisect: the algorithm of `perfgate bisect GOOD..BAD` (as git's bisect.c
 * beside builtin/bisect.c): list the range, measure both ends, binary search
 * with paired measurements, confirm the culprit against its parent, profile
 * both and name the function. The command (cmd_bisect.c) parses argv,
 * prints and picks the exit code; this module does neither, and reports
 * progress through a callback.
 *
 * Owns: the journal and the measurement cache under
 * pg_git_state_dir()/bisect/, the private worktrees "bisect-0".."bisect-2",
 * the measuring order, the classification rule, and the result model.
 * Must not: print, choose exit codes, touch the user's checkout, index,
 * HEAD or branches (everything is checked out in private worktrees).
 *
 * Use:
 *   struct pg_bisect_opts o = PG_BISECT_OPTS_INIT;  o.good = "v1.0"; o.bad = "main"; ...
 *   struct pg_bisect_result r;  pg_bisect_result_init(&r);
 *   if (pg_bisect_run(&r, g, &cfg, &o, &err) < 0) -> err (USAGE 2, INFRA 4, INTERRUPTED 130/143)
 *   switch (r.status) { FOUND: exit 0; anything else: exit 3 }
 *   pg_bisect_result_release(&r);
 * --continue: o.resume = true (the range, benchmark, metric and outputs
 * come from the journal: pg_bisect_journal_load reads them first).
 * --reset: pg_bisect_reset. --log: pg_bisect_journal_load + the records.
 *
 * ----------------------------------------------------------------------------
 * HOW A COMMIT IS CLASSIFIED (wall time and the other per-run metrics)
 *
 * Speed drifts by 9-20% within a minute on shared machines, so nothing is
 * judged against old samples. A step measuring candidate M inside the
 * bracket (L, H] (L = newest like-good commit or the good end, H = oldest
 * like-bad commit or the bad end) runs triplets of fresh runs of L, M and H,
 * each triplet in a rotating order (L M H, M H L, H L M, ...), so the three
 * runs of a triplet are a fraction of a second apart and a linear drift
 * cancels over the rotation. For triplet i the statistic is
 *     x_i = log M_i - (log L_i + log H_i) / 2,
 * M's position against the log-midpoint of its brackets: about -E/2 when M
 * is like L and +E/2 when it is like H (E = log of the regression). This is
 * the likelihood-ratio contrast between "M is L" and "M is H" for equal
 * noise, and it needs no estimate of E. The decision: the Wilcoxon
 * signed-rank test of x against 0 (pg_stats_wilcoxon); when its two-sided p
 * <= PG_BISECT_STEP_ALPHA, M is like-good if the Hodges-Lehmann estimate of
 * x is negative, like-bad if positive. Otherwise the step doubles its
 * triplets, from repeat.min up to repeat.max of the benchmark; at repeat.max
 * the sign of the estimate decides and the step is marked unsure (shown in
 * the report). Two checks guard an early call against drift and bursts of
 * load (pg_bisect_classify_step): the median of the x_i must have the same
 * sign, and |estimate| must not exceed E, the log of the ends' estimated
 * ratio (a commit like L or like H sits near -E/2 or +E/2; beyond E the
 * triplets are disturbed); else more triplets. Measured on generated
 * samples with bursts of load (tests/unit/test_bisect.c): as accurate, at
 * about one more triplet a step.
 * A wrong early call needs p <= alpha in the wrong direction,
 * at most alpha/2 per look even at zero effect, and far less at +-E/2.
 * Measured by tests/unit/test_bisect.c on generated samples (CV 3% per run,
 * a 1%-per-run random walk of machine speed): a 5% slowdown is classified
 * right in >= 95% of trials; a 2x slowdown is decided at 6 triplets.
 *
 * The ends are compared in pairs (good, bad) with pg_stats_compare_paired,
 * alpha 1% split over the looks as adapt.h does, doubling from repeat.min to
 * repeat.max, and on to 4 x repeat.max while still UNKNOWN with bad looking
 * slower; the bisect goes on only when the bad end is DIFFERENT and WORSE.
 * The culprit is confirmed against its parent the same way, at alpha 10%
 * over the looks (the ends already showed that a regression exists at 1%;
 * the confirmation checks that this commit carries it), starting from the
 * (parent, culprit) pairs the steps' triplets already hold, then fresh pairs
 * up to repeat.max (2 x repeat.max while it looks worse), with the SAME band
 * at half the ends' effect: SAME (less than half of the regression), or no
 * significant worsening at the end, is reported as unconfirmed.
 *
 * --metric instructions: one callgrind run per commit, cached (instruction
 * counts do not drift); M is like-bad when log M is above the midpoint of
 * log L and log H; the ends must differ by more than 0.1%. When the
 * benchmark also has wall time (always) or instructions (instructions:
 * true), the culprit and its parent are also compared on the other metric.
 * Wall under --metric instructions takes repeat.min pairs (o.cross_check:
 * up to repeat.max, at alpha 10%): it agrees when DIFFERENT and WORSE; it
 * disagrees only when DIFFERENT and BETTER, or SAME with an interval that
 * excludes the instruction effect; anything else is "not confirmed by wall
 * (noise)" (cross_noise), never a disagreement.
 *
 * PROFILING the culprit and its parent, interleaved: with callgrind (the
 * config's profiler, or always under --metric instructions) one exact run a
 * side; a function is named when its self cost grew by more than 0.01% of
 * the total. With perf, sampling at the config's frequency but at least
 * 4999 Hz (a few % of a short benchmark is a handful of samples at 999 Hz):
 * 3 runs a side, doubled while the named function's
 * growth in samples per run is below 3 standard errors (each side's
 * variance the larger of the runs' spread and Poisson's), up to 24 a side;
 * below 2 (or under 3 samples in all) nothing is named: "no function grew
 * beyond the noise" (below_noise). o.profile_runs fixes the count. Frames of
 * the /bin/sh -c wrapper ("[dash]", ...) count as [unknown] (attrib.h R1).
 * ----------------------------------------------------------------------------
 *
 * State (<gitdir>/perfgate/bisect/):
 *   journal   append-only text, one record a line, each written whole,
 *             flushed and fsynced; reading tolerates CRLF and a torn last
 *             line (dropped, and truncated away before appending again).
 *   cache     append-only "KEY OID KIND VALUE" lines, KEY = config hash
 *             (16 hex) + "-" + machine fingerprint: instruction counts,
 *             build failures, exit-125 skips, and every sample taken.
 *   logs/OID.build.log   the log of a build that failed.
 *   report.txt, report.json, report.md, report.svg   the finished bisect's
 *             reports, saved by the command (pg_bisect_state_file) so that
 *             --continue on a finished bisect prints them again; removed when
 *             a new bisect starts.
 * <gitdir>/perfgate/bisect.lock: see pg_bisect_lock.
 * Resuming replays the journal: the search runs again from the start and
 * every sample it asks for that the journal holds (same commits, same
 * order) is taken from there, so nothing is measured twice. *
 * Notes (notes.h): the measurements of each commit measured by this
 * invocation (every metric of every counted run, the warm-up count, and
 * instruction counts) are appended as one perfgate_result, with the machine
 * fingerprint and the config hash, to the commit's note under
 * refs/notes/perfgate of the repository (worktrees share its refs), so a
 * team pushes and fetches them. They are collected in memory and written
 * when pg_bisect_run returns, whatever its outcome (also when interrupted),
 * never inside the measuring loop; samples replayed from the journal are
 * not noted twice. A note that cannot be written is a warning
 * (r->warnings), never a failed bisect. Writing a note makes commits on
 * refs/notes/perfgate only: no checkout, index, HEAD or branch is touched.
 * o.no_notes turns this off (kept in the journal's start record).
 */
#ifndef PG_BISECT_H
#define PG_BISECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrib.h"
#include "config.h"
#include "err.h"
#include "git.h"
#include "machine.h"
#include "prof.h"
#include "stats.h"
#include "util.h"

#define PG_BISECT_STEP_ALPHA 0.04	/* per look, see above */
#define PG_BISECT_ENDS_ALPHA 0.01	/* over all looks */
#define PG_BISECT_CONFIRM_ALPHA 0.1	/* over all looks: a check of a chosen hypothesis */
#define PG_BISECT_INSTR_MIN 0.001	/* instructions: smallest relative difference of the ends */
#define PG_BISECT_ENDS_EXTEND 4		/* ends: up to this x repeat.max while bad looks slower */
#define PG_BISECT_EXACT_MIN 1e-4	/* exact profiles: smallest growth named, of the total */
#define PG_BISECT_PROFILE_HZ 4999	/* perf: the least sampling rate */
#define PG_BISECT_PROFILE_RUNS 3	/* perf: profiled runs a side to start with */
#define PG_BISECT_PROFILE_MAX 24	/* perf: at most, a side */
#define PG_BISECT_PROFILE_Z 3.0		/* perf: stop when growth >= Z * sqrt(samples) */
#define PG_BISECT_PROFILE_Z_MIN 2.0	/* perf: below this at the end, nothing is named */
#define PG_BISECT_PROFILE_MIN_SAMPLES 3 /* perf: a smaller sample delta names nothing */
#define PG_BISECT_JOURNAL_MAX (64u * 1024 * 1024)
#define PG_BISECT_WORKTREES 3

/* ---- the classification rule (pure) ---- */

enum pg_bisect_class {
	PG_BISECT_UNSURE = 0, /* take more triplets */
	PG_BISECT_GOOD,	      /* like the good end */
	PG_BISECT_BAD,	      /* like the bad end */
};

/*
 * Classify a candidate from n triplets (lo[i], mid[i], hi[i]) of positive
 * samples of a lower-is-better metric. final: the last look (decide by the
 * sign). *position (may be NULL) gets the HL estimate of x (see above).
 */
enum pg_bisect_class pg_bisect_classify(const double *lo, const double *mid, const double *hi,
					size_t n, double alpha, bool final, double *position);

/*
 * The step's rule: pg_bisect_classify, and before the last look two checks
 * against drift and bursts of load (effect = log of the ends' estimated
 * ratio, 0 when unknown: no checks): the median of the x_i must have the
 * sign of the estimate, and |estimate| must not exceed effect (M like L or
 * like H gives about effect/2). Else UNSURE: more triplets.
 */
enum pg_bisect_class pg_bisect_classify_step(const double *lo, const double *mid, const double *hi,
					     size_t n, double alpha, bool final, double effect,
					     double *position);

/* ---- the journal ---- */

enum pg_bisect_rec_kind {
	PG_BISECT_REC_PAIR,  /* tag, a, va, b, vb */
	PG_BISECT_REC_TRIP,  /* a (lo), va, b (mid), vb, c (hi), vc */
	PG_BISECT_REC_SKIP,  /* a, tag = reason ("build" or "exit125") */
	PG_BISECT_REC_CLASS, /* a, tag = "good" | "bad", unsure, value = position */
	PG_BISECT_REC_WARM,  /* a: one warm-up run */
	PG_BISECT_REC_DONE,  /* tag = status name, a = culprit ("" when none) */
};

struct pg_bisect_rec {
	enum pg_bisect_rec_kind kind;
	char tag[16];
	char a[PG_OID_HEX], b[PG_OID_HEX], c[PG_OID_HEX];
	double va, vb, vc;
	bool unsure;
	unsigned line; /* in the journal, for messages */
};

struct pg_bisect_journal {
	char good[PG_OID_HEX], bad[PG_OID_HEX];
	char *bench, *metric;
	bool first_parent;
	char config[65];
	char machine[PG_MACHINE_FP];
	char *json, *markdown, *svg; /* NULL when not asked for */
	bool no_notes;		     /* started with --no-notes */
	struct pg_bisect_rec *recs;
	size_t nr_recs, alloc;
	size_t valid_len; /* bytes of whole lines (a torn last line excluded) */
	bool done;
};

/* Parse journal text (CRLF and a torn last line tolerated). name is for
 * messages ("journal:3: ..."); errors are PG_ERR_INFRA. */
int pg_bisect_journal_parse(struct pg_bisect_journal *j, const char *name, const char *text,
			    size_t len, struct pg_err *err);
/* Read the journal of g: 0, or 1 when there is none. */
int pg_bisect_journal_load(struct pg_git *g, struct pg_bisect_journal *j, struct pg_err *err);
void pg_bisect_journal_release(struct pg_bisect_journal *j);
/* One record as a journal line (no newline), appended to out. */
void pg_bisect_rec_format(struct pg_buf *out, const struct pg_bisect_rec *r);

/* Remove the state and the private worktrees. Succeeds when there is none,
 * or when the state is garbage; fails (PG_ERR_INFRA) while a bisect runs. */
int pg_bisect_reset(struct pg_git *g, struct pg_err *err);

/*
 * The lock against two bisects in one repository: an flock on
 * <gitdir>/perfgate/bisect.lock (outside bisect/, so --reset keeps it),
 * holding the holder's pid for the message. pg_bisect_run and
 * pg_bisect_reset take it themselves. Held: PG_ERR_INFRA "another perfgate
 * bisect (pid N) is running in this repository ('PATH' is locked) ...".
 * Released by pg_bisect_unlock(fd), or by the process ending however it
 * ends (the fd is close-on-exec: benchmarks never inherit it).
 */
int pg_bisect_lock(struct pg_git *g, int *fd, struct pg_err *err);
void pg_bisect_unlock(int fd);

/* A file of the finished bisect's state (report.txt, report.json, ...):
 * its path under <gitdir>/perfgate/bisect/, owned by the caller. */
int pg_bisect_state_file(struct pg_git *g, const char *name, char **path, struct pg_err *err);

/* ---- running a bisect ---- */

struct pg_bisect_progress {
	const char *phase;     /* "ends", "step", "confirm", "cross-check", "profile" */
	const char *oid;       /* commit being measured; may be NULL */
	unsigned step;	       /* 1-based step number ("step" phase) */
	unsigned commits_left; /* candidates for the first bad commit */
	unsigned steps_left;   /* expected steps still to do */
	double eta_s;	       /* estimated seconds left; < 0 when unknown */
	unsigned run, runs;    /* sample within the phase, and its current target */
	const char *note;      /* a finished step's outcome ("bad", "skipped: ...") or NULL */
};

struct pg_bisect_opts {
	const char *good, *bad; /* revisions (ignored with resume) */
	const char *bench;	/* NULL: the config's only benchmark */
	const char *metric;	/* NULL: "wall"; or cpu, user, sys, max_rss, instructions */
	bool first_parent;	/* default true */
	bool resume;		/* --continue: everything above comes from the journal */
	const char *json, *markdown, *svg; /* saved in the journal (absolute paths) */
	unsigned profile_runs;		   /* per side; 0 = adaptive (perf) or 1 (callgrind) */
	void (*progress)(void *ctx, const struct pg_bisect_progress *p);
	void *progress_ctx;
	bool no_notes;	  /* --no-notes: keep no measurement as a git note (saved in the journal) */
	bool cross_check; /* instructions: sample wall up to repeat.max, not repeat.min */
};

#define PG_BISECT_OPTS_INIT                                                                        \
	{                                                                                          \
		NULL, NULL, NULL, NULL, true, false, NULL, NULL, NULL, 0, NULL, NULL, false, false \
	}

enum pg_bisect_status {
	PG_BISECT_FOUND = 0,	 /* culprit found and confirmed */
	PG_BISECT_NO_DIFFERENCE, /* the ends do not differ (or bad is faster) */
	PG_BISECT_AMBIGUOUS,	 /* skips leave several candidates */
	PG_BISECT_UNCONFIRMED,	 /* the culprit does not differ from its parent */
};

struct pg_bisect_step {
	char oid[PG_OID_HEX];
	unsigned step;		  /* 1-based */
	enum pg_bisect_class cls; /* UNSURE = skipped */
	bool skipped;
	char reason[16];   /* "build", "exit125" when skipped */
	bool unsure;	   /* decided by the sign at repeat.max */
	unsigned triplets; /* or samples with instructions */
	double position;   /* see above (log units) */
};

struct pg_bisect_result {
	enum pg_bisect_status status;
	char good[PG_OID_HEX], bad[PG_OID_HEX];
	char *bench, *metric;
	const char *unit; /* "ns", "bytes", "count" */
	bool first_parent;
	size_t nr_commits; /* in the range */
	struct pg_stats_verdict ends;
	char culprit[PG_OID_HEX], parent[PG_OID_HEX];
	struct pg_git_commit info; /* of the culprit (when found or unconfirmed) */
	bool has_info;
	struct pg_stats_verdict confirm; /* parent (A) against culprit (B) */
	unsigned confirm_pooled;	 /* of its pairs, from the steps' triplets */
	char (*candidates)[PG_OID_HEX];	 /* AMBIGUOUS; else the culprit alone */
	size_t nr_candidates;
	struct pg_bisect_step *steps;
	size_t nr_steps, alloc_steps;
	/* the other metric, culprit against parent */
	bool has_cross;
	char cross_metric[16];
	struct pg_stats_verdict cross;
	bool disagree;	   /* the other metric sees no regression, beyond its noise */
	bool cross_noise;  /* neither agrees nor disagrees: not confirmed (noise) */
	char *cross_error; /* why there is no cross-check, or NULL */
	/* profiles of parent (before) and culprit (after) */
	bool profiled;
	struct pg_prof before, after;
	struct pg_attrib attrib;
	char **touched;
	size_t nr_touched;
	char *profile_error; /* why there is no attribution, or NULL */
	bool below_noise;    /* nothing grew beyond the profile's noise (attrib kept) */
	double attrib_z;     /* the named function's growth / its Poisson noise; 0 exact */
	char *build_log_dir; /* where failed builds' logs are */
	unsigned executions; /* benchmark runs, this and earlier sessions (see .c) */
	unsigned replayed;   /* samples taken from the journal */
	unsigned nr_noted;   /* commits whose fresh measurements were kept as notes */
	double wall_s;	     /* this invocation */
	char **warnings;
	size_t nr_warnings;
};

void pg_bisect_result_init(struct pg_bisect_result *r);
void pg_bisect_result_release(struct pg_bisect_result *r);

int pg_bisect_run(struct pg_bisect_result *r, struct pg_git *g, const struct pg_config *cfg,
		  const struct pg_bisect_opts *o, struct pg_err *err);

const char *pg_bisect_status_name(enum pg_bisect_status s);

#endif
