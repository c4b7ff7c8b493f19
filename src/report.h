/*
 * report: the gate's in-memory result (struct pg_report) and one renderer
 * per output format, each rendering that same struct into a pg_buf (as
 * cmark has one renderer per format).
 *
 * Owns: the report model, its lifecycle, the text helpers every renderer
 * shares (making hostile bytes visible, numbers with units), and the
 * renderers:
 *   report_junit.c        JUnit XML (valid against tests/data/junit-10.xsd)
 *   report_markdown.c     Markdown for $GITHUB_STEP_SUMMARY and PR comments
 *   report_annotations.c  GitHub workflow commands (::error ...)
 *   report_metrics.c      GitLab OpenMetrics (artifacts:reports:metrics)
 *   report_json.c         versioned JSON, and reading it back into the model
 *                         (pg_report_from_json: perfgate comment renders a
 *                         check's report.json with the forge's own limit);
 *                         also the model lifecycle and the shared text
 *                         helpers declared below
 * Must not: judge budgets (gate/budget.[ch] fills the checks), run
 * anything, read a clock, print, or write files (the command writes the
 * pg_buf with pg_file_write()). Renderers cannot fail: memory exhaustion
 * aborts through pg_xmalloc.
 *
 * Use (a command):
 *   struct pg_report rep = PG_REPORT_INIT;
 *   pg_report_set_commits(&rep, base_oid, base_subject, head_oid, head_subject);
 *   for each benchmark and metric measured:
 *       struct pg_report_metric *m = pg_report_add_metric(&rep, bench, metric, unit, dir);
 *       pg_report_metric_set_samples(m, base, nr_base, head, nr_head);
 *       m->cmp = ...from stats...; m->has_cmp = true;
 *   for a benchmark that failed to build or run:
 *       pg_report_add_error(&rep, bench, "build failed at 9c1d2e3: exit 2");
 *   pg_budget_judge(&rep, base_cfg, head_cfg);        (gate/budget.h)
 *   pg_report_render_junit(&buf, &rep); pg_file_write(path, buf.data, buf.len, &err);
 *   exit code: pg_budget_exit_code(pg_report_overall(&rep))
 *   pg_report_release(&rep);
 *
 * Every string in the model is owned by the model (copied in by the
 * setters) and may hold any bytes: renderers escape for their format, and
 * control characters and invalid UTF-8 come out as visible escapes ("\x1b").
 * Numbers use the metric's canonical unit (ns, bytes, count, or the unit a
 * benchmark reported); a missing number is NaN, never 0.
 */
#ifndef PG_REPORT_H
#define PG_REPORT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "util.h"

/* The JSON report's version ("perfgate_report": 1). */
#define PG_REPORT_JSON_VERSION 1
/* GitHub's limit on a step summary and on a comment body (characters). */
#define PG_REPORT_MARKDOWN_MAX_BYTES 65536
/* GitHub shows at most 10 error (and 10 warning) annotations per step. */
#define PG_REPORT_ANNOTATIONS_MAX 10

/* Stats' three-way verdict on two sample sets (as Pinpoint's). */
enum pg_report_verdict {
	PG_REPORT_VERDICT_SAME = 0,
	PG_REPORT_VERDICT_DIFFERENT,
	PG_REPORT_VERDICT_UNKNOWN, /* unsure even after the maximum number of runs */
};

enum pg_report_direction {
	PG_REPORT_LOWER_IS_BETTER = 0, /* times, sizes, instruction counts */
	PG_REPORT_HIGHER_IS_BETTER,    /* throughputs */
};

/*
 * What one check came to. The order is not the precedence: see
 * pg_report_overall().
 */
enum pg_report_outcome {
	PG_REPORT_PASS = 0,
	PG_REPORT_FAIL,		/* budget exceeded: a definite breach */
	PG_REPORT_INCONCLUSIVE, /* verdict unknown after the maximum number of runs */
	PG_REPORT_ERROR,	/* benchmark or build failed; metric missing in head */
	PG_REPORT_SKIPPED,	/* not judged: no base value, or budget added in this change */
};

enum pg_report_rule {
	PG_REPORT_RULE_MAX = 0, /* head median <= limit */
	PG_REPORT_RULE_MIN,	/* head median >= limit */
	PG_REPORT_RULE_REGRESS, /* worsening vs base <= limit (fraction), by the verdict */
};

/*
 * One comparison of head against base, shaped like what the stats module
 * gives. From a struct pg_stats_verdict v (src/stats.h) the command fills:
 *   verdict    v.kind (PG_STATS_SAME/DIFFERENT/UNKNOWN -> SAME/DIFFERENT/UNKNOWN)
 *   ratio      v.ratio             effect_ratio  v.hl_ratio
 *   ci_low     v.ci_lo             ci_high       v.ci_hi
 *   confidence 1 - v.alpha         p_value       v.p
 *   cv_base    v.noise.cv_a        cv_head       v.noise.cv_b
 *   min_effect v.noise.mde         runs_base/head v.n_a / v.n_b
 * All ratios are head / base.
 */
struct pg_report_compare {
	enum pg_report_verdict verdict;
	double ratio;	     /* head median / base median; NaN if unknown */
	double effect_ratio; /* the estimate the interval belongs to (Hodges-Lehmann
				ratio); the budget is judged on it; NaN: use ratio */
	double ci_low;	     /* confidence interval of the ratio, low end (may be 0); NaN if none */
	double ci_high;	     /* high end (may be +inf); NaN if none */
	double confidence;   /* level of that interval, fraction (0.95); NaN if unknown */
	double p_value;	     /* of the rank test; NaN if none */
	double cv_base;	     /* noise floor: coefficient of variation of base, fraction */
	double cv_head;	     /* of head, fraction */
	double min_effect;   /* smallest relative change detectable with these runs,
				fraction; +inf when no change is detectable; NaN if unknown */
	unsigned runs_base;  /* samples used on each side */
	unsigned runs_head;
};

/* Every number unknown (NaN): start from this, not from { 0 }. */
#define PG_REPORT_COMPARE_INIT                                                                     \
	{                                                                                          \
		PG_REPORT_VERDICT_UNKNOWN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0, 0       \
	}

/* One budget rule applied to one metric: one JUnit testcase. */
struct pg_report_check {
	enum pg_report_rule rule;
	double limit; /* MAX/MIN: the metric's unit; REGRESS: fraction (0.10 = 10%) */
	enum pg_report_outcome outcome;
	char *message; /* one line, names benchmark, metric, numbers, budget; owned */
	char *note;    /* "budget changed in this change, not applied: ..." or NULL */
	char *warning; /* noise-floor warning or NULL */
};

struct pg_report_metric {
	char *bench;  /* benchmark name */
	char *metric; /* canonical metric name ("wall", "max_rss", ...) */
	char *unit;   /* "ns", "bytes", "count", or a benchmark's own unit; "" if none */
	enum pg_report_direction direction;
	double *base_samples; /* optional; nr_base of them; owned */
	size_t nr_base;
	double *head_samples;
	size_t nr_head;
	double base_median; /* NaN when base has no value */
	double head_median; /* NaN when head has no value */
	bool has_cmp;	    /* cmp filled from stats */
	struct pg_report_compare cmp;
	char *error; /* why this benchmark has no value (crash, build), or NULL */
	struct pg_report_check *checks; /* one per budget rule; owned */
	size_t nr_checks, alloc_checks;
};

struct pg_report {
	char *base_id;	    /* full commit id of the base, or NULL */
	char *base_subject; /* its subject line, or NULL */
	char *head_id;
	char *head_subject;
	bool budgets_from_base; /* false: the base has no config, budgets came from head */
	char *budget_file;	/* config path for messages ("perfgate.yml"), or NULL */
	char *timestamp;	/* ISO 8601 start time from the caller, or NULL */
	char *hostname;		/* or NULL */
	uint64_t duration_ns;	/* wall time of the whole check */
	char *error;		/* perfgate failed before or outside any benchmark, or NULL */
	char **notices;		/* report-wide notices, each one line; owned */
	size_t nr_notices, alloc_notices;
	struct pg_report_metric *metrics; /* in the order added; owned */
	size_t nr_metrics, alloc_metrics;
};

#define PG_REPORT_INIT                                                                             \
	{                                                                                          \
		0                                                                                  \
	}

struct pg_report_counts {
	size_t checks, pass, fail, inconclusive, error, skipped;
};

/* ---- model lifecycle (report_json.c) ---- */

void pg_report_release(struct pg_report *rep);
/* Copy the commit ids and subjects in (any may be NULL). */
void pg_report_set_commits(struct pg_report *rep, const char *base_id, const char *base_subject,
			   const char *head_id, const char *head_subject);
/*
 * Add a metric (medians NaN, no samples, no comparison) and return a
 * borrowed pointer to it, valid until the next pg_report_add_* call.
 * unit NULL is "".
 */
struct pg_report_metric *pg_report_add_metric(struct pg_report *rep, const char *bench,
					      const char *metric, const char *unit,
					      enum pg_report_direction direction);
/* Borrowed pointer to the metric (bench, metric), or NULL. */
struct pg_report_metric *pg_report_find_metric(const struct pg_report *rep, const char *bench,
					       const char *metric);
/*
 * Copy both sample sets in and set each median from them (NaN when a side
 * has no samples). Either array may be NULL with its count 0.
 */
void pg_report_metric_set_samples(struct pg_report_metric *m, const double *base, size_t nr_base,
				  const double *head, size_t nr_head);
/*
 * Record that bench failed (build, crash, timeout): every check of its
 * metrics becomes ERROR with this message. bench NULL sets rep->error
 * (perfgate failed outside any benchmark). Adds a metric named "run" for
 * a benchmark that has none yet, so the failure has a row and a testcase.
 */
void pg_report_add_error(struct pg_report *rep, const char *bench, const char *message);
/* Append a report-wide notice (copied). */
void pg_report_add_notice(struct pg_report *rep, const char *notice);
/* Append a check to m and return it (borrowed); message copied, may be NULL. */
struct pg_report_check *pg_report_metric_add_check(struct pg_report_metric *m,
						   enum pg_report_rule rule, double limit,
						   enum pg_report_outcome outcome,
						   const char *message);

/* ---- reading the model ---- */

void pg_report_count(const struct pg_report *rep, struct pg_report_counts *out);
/*
 * The overall outcome, by precedence: FAIL (a breach is definite) before
 * ERROR (something did not run: its budget is unknown) before
 * INCONCLUSIVE before PASS. SKIPPED checks count as PASS; rep->error, or
 * a metric with an error and no check, counts as ERROR.
 */
enum pg_report_outcome pg_report_overall(const struct pg_report *rep);

/* "pass", "fail", "inconclusive", "error", "skipped". */
const char *pg_report_outcome_name(enum pg_report_outcome o);
/* "same", "different", "unknown". */
const char *pg_report_verdict_name(enum pg_report_verdict v);
/* "max", "min", "regress". */
const char *pg_report_rule_name(enum pg_report_rule r);

/* ---- text helpers shared by the renderers and the gate (report_json.c) ---- */

/* Keep tab and newline as they are (else they become "\t" and "\n"). */
#define PG_REPORT_KEEP_TAB_NL 1u
/* Keep C0/C1 controls and DEL (only invalid UTF-8 is made visible): for JSON. */
#define PG_REPORT_KEEP_CONTROLS 2u
/*
 * Append s[0..len) to out with every byte that is not valid UTF-8 shown as
 * "\xNN", and control characters (C0 but tab/newline/CR per flags, DEL,
 * C1, U+FFFE, U+FFFF) shown as "\xNN" or "\u{NNNN}". The result is valid
 * UTF-8 and valid XML 1.0 character data. s may be NULL (appends nothing).
 */
void pg_report_visible(struct pg_buf *out, const char *s, size_t len, unsigned flags);
/* Same for a C string. */
void pg_report_visibles(struct pg_buf *out, const char *s, unsigned flags);
/*
 * A value with its unit for people: "412 ms", "64 MiB", "1.23e+06 count",
 * "n/a" for NaN. unit "ns" scales to ns/µs/ms/s, "bytes" to B/KiB/MiB/GiB.
 */
void pg_report_format_value(struct pg_buf *out, double v, const char *unit);
/* A relative change (fraction) as "+105%", "+1.2%", "-0.4%"; NaN as "n/a". */
void pg_report_format_pct(struct pg_buf *out, double fraction);
/* A budget for people: "max 250 ms", "min 1000 ops/s", "regress 10%". */
void pg_report_format_rule(struct pg_buf *out, enum pg_report_rule rule, double limit,
			   const char *unit);

/* ---- renderers: each appends one whole document to out ---- */

/*
 * JUnit XML: one testsuite "perfgate.budgets", one testcase per benchmark,
 * metric and budget rule (report_junit.c says how each outcome is shown).
 */
void pg_report_render_junit(struct pg_buf *out, const struct pg_report *rep);
/*
 * Markdown: header line with the overall result, one table per benchmark;
 * at most max_bytes bytes (0 = PG_REPORT_MARKDOWN_MAX_BYTES): rows that do
 * not fit are counted in "N more rows in the artifact", naming artifact
 * when it is not NULL.
 */
void pg_report_render_markdown(struct pg_buf *out, const struct pg_report *rep, size_t max_bytes,
			       const char *artifact);
/*
 * GitHub workflow commands, one per line: ::error for FAIL and ERROR,
 * ::warning for INCONCLUSIVE and noise-floor warnings, ::notice for
 * budgets changed in the change and report notices. At most max_each
 * (0 = PG_REPORT_ANNOTATIONS_MAX) of each kind, the last one saying how
 * many more there were.
 */
void pg_report_render_annotations(struct pg_buf *out, const struct pg_report *rep,
				  unsigned max_each);
/* OpenMetrics text for GitLab: head medians and counts; ends with "# EOF". */
void pg_report_render_metrics(struct pg_buf *out, const struct pg_report *rep);
/* JSON {"perfgate_report": 1, ...}; never NaN or Inf (null instead). */
void pg_report_render_json(struct pg_buf *out, const struct pg_report *rep);

/* ---- reading the JSON form back (report_json.c) ---- */

/*
 * Fill rep (which must be PG_REPORT_INIT) from text, a document as
 * pg_report_render_json writes it, so that every renderer can render it
 * again: pg_report_render_json of the result gives the same document, but
 * for numbers that were not finite (null in JSON, NaN here). The overall
 * result and the counts are recomputed from the checks, never taken from
 * the file. Unknown keys are ignored. Errors (PG_ERR_USAGE) read
 * "NAME:LINE:COL: ..." for bad JSON (depth capped at PG_JSON_MAX_DEPTH) and
 * "NAME: \"metrics\"[2].\"checks\"[0].\"outcome\": ..." for a bad field;
 * on error rep is released.
 */
int pg_report_from_json(struct pg_report *rep, const char *name, const char *text, size_t len,
			struct pg_err *err);

#endif
