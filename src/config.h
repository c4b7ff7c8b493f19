/*
 * config: perfgate.yml -> struct pg_config. The ONLY includer of <yaml.h>.
 *
 * Owns: parsing and checking the config, units, and error messages that
 * name file:line:col. Must not: run anything, print, or read budgets from
 * git (the caller hands it the bytes of a blob with pg_config_parse()).
 *
 * Use:
 *   struct pg_config cfg = PG_CONFIG_INIT;
 *   if (pg_config_load(&cfg, "perfgate.yml", &err) < 0) -> err.msg, exit 2
 *   ... use cfg ...
 *   pg_config_release(&cfg);
 *
 * Canonical units inside the struct, whatever the file said:
 *   times in nanoseconds, sizes in bytes, percentages as fractions (5% -> 0.05).
 *
 * Units in the file (a number, optional spaces, the unit; case as written):
 *   times  ns us (or µs) ms s m (= min) min h   a unit is required: "60" is an error
 *   sizes  B KiB MiB GiB TiB (1024-based) and kB KB MB GB TB (1000-based,
 *          as SI says: 1 MB = 1,000,000 B)  a unit is required
 *   counts a plain number (instructions)   no unit
 *   regress a percentage, "5%" -> 0.05     the % is required
 * Negative, NaN, infinite and out-of-range numbers are refused. Quantities
 * with units may be quoted ("250ms" is a string to YAML anyway); whole
 * numbers (version, warmup, repeat, frequency, exit codes) and booleans
 * (true/false only, not yes/no) must not be: "2" is a string, not 2. A metric
 * that a benchmark's own output reports (any name not built in, allowed only
 * on benchmarks with an output: format) takes a plain number, a time or a
 * size; the rule's kind says which was given.
 *
 * Defaults: warmup 1, repeat 3..30 (a plain `repeat: N` sets min N, and
 * max stays 30 unless N is larger, then max = N), timeout 60 s, output none,
 * build_timeout 30 min, profile perf at 999 Hz with dwarf call graphs.
 * A budget on `instructions` turns on `instructions` for its benchmark.
 *
 * Refused before they cost anything (each with FILE:LINE:COL): anchors and
 * aliases, nesting deeper than PG_CONFIG_MAX_DEPTH, more than
 * PG_CONFIG_MAX_NODES nodes, files over PG_CONFIG_MAX_BYTES, a second
 * document, UTF-16/32, invalid UTF-8, tags other than !!str, duplicate keys,
 * unknown keys (with the allowed ones and the nearest), an empty file.
 */
#ifndef PG_CONFIG_H
#define PG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Hard caps on what a config may cost before it is refused. */
#define PG_CONFIG_MAX_BYTES (1024 * 1024) /* 1 MiB */
#define PG_CONFIG_MAX_DEPTH 64
#define PG_CONFIG_MAX_NODES 65536 /* scalars + lists + mappings */
#define PG_CONFIG_MAX_REPEAT 10000

enum pg_output_format {
	PG_OUTPUT_NONE = 0,      /* perfgate measures the process itself */
	PG_OUTPUT_GBENCH,        /* google-benchmark JSON */
	PG_OUTPUT_HYPERFINE,     /* hyperfine --export-json */
	PG_OUTPUT_GO_TEST,       /* go test -bench text */
	PG_OUTPUT_PYTEST,        /* pytest-benchmark JSON */
	PG_OUTPUT_BMF,           /* Bencher Metric Format JSON */
	PG_OUTPUT_LINES,         /* "name: value unit" lines */
};

enum pg_profiler {
	PG_PROFILER_PERF = 0,
	PG_PROFILER_CALLGRIND,
};

enum pg_call_graph {
	PG_CALL_GRAPH_DWARF = 0,
	PG_CALL_GRAPH_FP,
	PG_CALL_GRAPH_NONE,
};

/* What a metric's numbers are. */
enum pg_metric_kind {
	PG_METRIC_COUNT = 0, /* plain number (instructions, or a reported metric given without unit) */
	PG_METRIC_TIME,      /* nanoseconds */
	PG_METRIC_SIZE,      /* bytes */
};

/* Where a value came from in the file, for messages. */
struct pg_config_pos {
	unsigned line, col; /* 1-based; 0 when unknown */
};

struct pg_bench_cfg {
	char *name;            /* unique within the config */
	char *run;             /* the command, run with /bin/sh -c in cwd */
	char *cwd;             /* working directory relative to the tree root; NULL = root */
	char **env;            /* "KEY=VALUE" strings, nr_env of them */
	size_t nr_env;
	unsigned warmup;       /* discarded runs; default 1 */
	unsigned repeat_min;   /* counted runs to start with; default 3 */
	unsigned repeat_max;   /* most counted runs while unsure; default 30 */
	uint64_t timeout_ns;   /* per run; default 60 s */
	enum pg_output_format output;
	bool instructions;     /* also count instructions with callgrind */
	int *ignore_exit;      /* exit codes accepted as success besides 0 */
	size_t nr_ignore_exit;
	struct pg_config_pos pos; /* the list item */
};

struct pg_profile_cfg {
	enum pg_profiler profiler; /* default perf */
	unsigned frequency;        /* Hz; default 999 */
	enum pg_call_graph call_graph; /* default dwarf */
};

/* One rule: budgets.<bench>.<metric>: { max, min, regress } */
struct pg_budget_rule {
	char *bench;           /* benchmark name */
	char *metric;          /* canonical metric name ("wall", "max_rss", ...) */
	bool builtin;          /* measured by perfgate; false = reported by the benchmark's output */
	enum pg_metric_kind kind; /* unit of max and min */
	bool has_max, has_min, has_regress;
	double max, min;       /* canonical unit of the metric (ns, bytes, count) */
	double regress;        /* tolerated relative worsening, fraction (0.05 = 5%) */
	struct pg_config_pos pos; /* the metric's key */
};

struct pg_config {
	char *path;            /* the file name used in messages */
	int version;           /* 1 */
	char *build;           /* build command or NULL */
	uint64_t build_timeout_ns; /* default 30 min */
	struct pg_bench_cfg *benches;
	size_t nr_benches;
	struct pg_profile_cfg profile;
	struct pg_budget_rule *budgets;
	size_t nr_budgets;
	char hash[65];         /* sha256 hex of the file's bytes (see sha256.h) */
};

#define PG_CONFIG_INIT { 0 }

/*
 * Read and parse path (capped at PG_CONFIG_MAX_BYTES). cfg must be
 * PG_CONFIG_INIT (or released). On failure cfg is left released and err
 * holds "FILE:LINE:COL: message" (kind PG_ERR_USAGE; PG_ERR_INFRA when the
 * file cannot be read). On success the caller frees with pg_config_release().
 */
int pg_config_load(struct pg_config *cfg, const char *path, struct pg_err *err);
/* Parse bytes already in memory; name is used in messages (e.g. "abc1234:perfgate.yml").
 * data need not be NUL-terminated; len over PG_CONFIG_MAX_BYTES is refused. */
int pg_config_parse(struct pg_config *cfg, const char *name, const char *data, size_t len,
		    struct pg_err *err);
void pg_config_release(struct pg_config *cfg);

/* Borrowed pointer to the benchmark named name, or NULL. */
const struct pg_bench_cfg *pg_config_bench(const struct pg_config *cfg, const char *name);
/*
 * The same for a name the user gave (-b NAME): 0 and *out, or -1 with
 * PG_ERR_USAGE "<where>: no benchmark named 'x' (did you mean 'y'?)"; where
 * NULL is cfg->path.
 */
int pg_config_find_bench(const struct pg_config *cfg, const char *name, const char *where,
			 const struct pg_bench_cfg **out, struct pg_err *err);

/* Canonical metric name for a built-in one ("rss" -> "max_rss", "wall" -> "wall");
 * NULL if not built in. Returns a static string. */
const char *pg_config_metric_canonical(const char *name);
/* Kind of a built-in metric (canonical or alias); PG_METRIC_COUNT if not built in. */
enum pg_metric_kind pg_config_metric_kind(const char *name);

#endif
