/*
 * result: the result model (benchmarks -> metrics -> samples) and its JSON
 * document. The model is what bench fills, what stats and the gate read, and
 * what every report renders.
 *
 * Owns: the structs, summary accessors (median, min, max, mean, CV), JSON
 * save and load (cJSON), and the JSON parsing helper every cJSON reader of
 * perfgate uses (size cap, depth cap, errors as "NAME:LINE:COL: ...").
 * Must not: run anything or print.
 *
 * The document ("perfgate_result": 1):
 *   { "perfgate_result": 1, "created": "2026-01-01T00:00:00Z",
 *     "commit": "<40 hex>" | null, "dirty": false, "config_hash": "<sha256 hex>",
 *     "machine": { "cpu_model", "cores", "kernel", "hostname", "load_avg": [3],
 *                  "fingerprint" },
 *     "benchmarks": [ { "name", "runs", "warmup", "ignored_exits", "status",
 *                       "error": null | "...", "warnings": [...],
 *                       "metrics": [ { "name", "unit", "direction": "lower"|"higher",
 *                                      "samples": [ ... every counted sample ... ] } ] } ] }
 * Names that are not valid UTF-8 are written with U+FFFD in place of each bad
 * byte; NaN and infinities are never stored (pg_result_metric_add refuses them).
 *
 * Use:
 *   struct pg_result r = PG_RESULT_INIT;
 *   struct pg_result_bench *b = pg_result_bench(&r, "parse");
 *   struct pg_metric *m = pg_result_metric(b, "wall", "ns", PG_DIR_LOWER);
 *   pg_result_metric_add(m, 1.5e6);
 *   pg_result_save(&r, "out.json", &err);
 *   pg_result_release(&r);
 * Pointers returned by pg_result_bench and pg_result_metric are borrowed and
 * stay valid until the next pg_result_bench / pg_result_metric on the same parent.
 */
#ifndef PG_RESULT_H
#define PG_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "machine.h"
#include "util.h"

#define PG_RESULT_VERSION 1
#define PG_RESULT_MAX_BYTES (256u * 1024 * 1024)
#define PG_JSON_MAX_DEPTH 64

struct cJSON;

enum pg_direction {
	PG_DIR_LOWER = 0,  /* lower is better (times, bytes, counts) */
	PG_DIR_HIGHER = 1, /* higher is better (throughput) */
};

struct pg_metric {
	char *name;       /* "wall", "user", "sys", "cpu", "max_rss", "instructions", or reported */
	char *unit;       /* "ns", "bytes", "count", or the unit the benchmark reported */
	enum pg_direction dir;
	double *samples;  /* every counted sample, in run order */
	size_t nr_samples;
	size_t alloc;
};

struct pg_result_bench {
	char *name;
	struct pg_metric *metrics;
	size_t nr_metrics;
	size_t alloc;
	unsigned runs;          /* counted runs */
	unsigned warmup;        /* warm-up runs done (discarded) */
	unsigned ignored_exits; /* counted runs whose non-zero exit was in ignore_exit */
	int status;             /* shell-style status of the last run: exit code or 128+signal */
	char *error;            /* NULL, or why the benchmark failed */
	char **warnings;
	size_t nr_warnings;
};

struct pg_result {
	bool has_commit;
	char commit[41];        /* the commit measured ("" when unknown) */
	bool dirty;             /* the tree differed from the commit */
	char config_hash[65];   /* sha256 hex of the config's bytes ("" when unknown) */
	char created[32];       /* ISO 8601 UTC */
	struct pg_machine machine;
	struct pg_result_bench *benches;
	size_t nr_benches;
	size_t alloc;
};

#define PG_RESULT_INIT { 0 }

struct pg_summary {
	size_t n;
	double median, min, max, mean;
	double stddev;  /* sample standard deviation (n - 1); 0 when n < 2 */
	double cv;      /* stddev / |mean|, a fraction; 0 when mean == 0 */
};

void pg_result_release(struct pg_result *r);

/* Get or add the benchmark named name. */
struct pg_result_bench *pg_result_bench(struct pg_result *r, const char *name);
/* The benchmark named name, or NULL. */
struct pg_result_bench *pg_result_find_bench(const struct pg_result *r, const char *name);
void pg_result_bench_release(struct pg_result_bench *b);
/* Add a warning line (copied) to b. */
void pg_result_bench_warn(struct pg_result_bench *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Get or add the metric named name (unit and direction are set when added). */
struct pg_metric *pg_result_metric(struct pg_result_bench *b, const char *name, const char *unit,
				   enum pg_direction dir);
struct pg_metric *pg_result_find_metric(const struct pg_result_bench *b, const char *name);
/* Append a sample; refuses NaN and infinities (returns -1, nothing added). */
int pg_result_metric_add(struct pg_metric *m, double v);

/* Summary of m's samples; all zero when it has none. */
void pg_metric_summary(const struct pg_metric *m, struct pg_summary *s);

const char *pg_direction_name(enum pg_direction d);

/* The document, as text (owned by the caller: free()). */
char *pg_result_to_json(const struct pg_result *r);
/* Write the document with pg_file_write (atomic). */
int pg_result_save(const struct pg_result *r, const char *path, struct pg_err *err);
/* Parse a document; name is used in messages. *r must be PG_RESULT_INIT. */
int pg_result_from_json(struct pg_result *r, const char *name, const char *data, size_t len,
			struct pg_err *err);
int pg_result_load(struct pg_result *r, const char *path, struct pg_err *err);

/*
 * Parse JSON text with cJSON after checking its nesting depth (at most
 * max_depth) with our own scanner; errors read "NAME:LINE:COL: what"
 * (PG_ERR_USAGE). *out is owned by the caller: cJSON_Delete().
 */
int pg_json_parse(struct cJSON **out, const char *name, const char *data, size_t len,
		  unsigned max_depth, struct pg_err *err);
/* Line and column (1-based) of byte offset off in data. */
void pg_text_pos(const char *data, size_t off, unsigned *line, unsigned *col);
/* s with every byte that is not part of valid UTF-8 replaced by U+FFFD. free(). */
char *pg_utf8_clean(const char *s);

#endif
