/*
 * prof_read: every profile file format -> struct pg_prof (see prof.h).
 *
 * Owns: format detection and dispatch to the pure parsers (fold.c and
 * prof_*.c). Input is capped (PG_PROF_MAX_BYTES) and every parser bounds
 * depth and distinct stacks; errors name the file and, where there is one,
 * the line and column (text formats), the byte offset (pprof) or the JSON
 * path (JSON formats, when the JSON itself is well formed).
 * Must not print: warnings come back in struct pg_prof_warnings.
 *
 * Use:
 *   struct pg_prof p;
 *   if (pg_prof_read_file(&p, "cpu.pprof", PG_PROF_FMT_AUTO, &err) < 0) ...
 *   ... pg_prof_release(&p);
 *
 * A file that parses but holds no samples is not an error: *p comes back
 * empty (p->nr_stacks == 0, p->total == 0) and a warning says "no samples".
 * Perf script text is streamed (fold.h): memory is bounded by the distinct
 * stacks, not by the input size.
 *
 * What each format becomes (frame names, weights, units) is written in the
 * file comment of its parser: fold.h, prof_folded.c, prof_cpuprofile.c,
 * prof_pprof.c, prof_speedscope.c, prof_callgrind.c. Every parser replaces
 * ';' inside a frame name by ':' (';' separates frames in folded text).
 */
#ifndef PG_PROF_READ_H
#define PG_PROF_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "prof.h"

#define PG_PROF_MAX_BYTES ((size_t)1 << 30)  /* 1 GiB of input */
#define PG_PROF_MAX_DEPTH 4096               /* frames kept per stack */
#define PG_PROF_MAX_STACKS 1000000           /* distinct stacks, default cap */
#define PG_PROF_MAX_FRAMES 1000000           /* distinct frame names, default cap */
#define PG_PROF_MAX_INFLATED ((size_t)256 << 20) /* pprof: gunzipped bytes */
#define PG_PROF_TRUNCATED "[truncated]"      /* frame standing for what a cap cut */

enum pg_prof_format {
	PG_PROF_FMT_AUTO = 0,
	PG_PROF_FMT_FOLDED,      /* FlameGraph, py-spy --format raw, async-profiler collapsed */
	PG_PROF_FMT_PERF_SCRIPT, /* perf script text */
	PG_PROF_FMT_CPUPROFILE,  /* Chrome / Node .cpuprofile JSON */
	PG_PROF_FMT_PPROF,       /* Go pprof profile.proto, gzip or not */
	PG_PROF_FMT_SPEEDSCOPE,  /* speedscope JSON */
	PG_PROF_FMT_CALLGRIND,   /* callgrind.out */
};

/* Parse into *p (initialised by the reader; release with pg_prof_release even on failure). */
int pg_prof_read_file(struct pg_prof *p, const char *path, enum pg_prof_format fmt,
		      struct pg_err *err);
int pg_prof_read_mem(struct pg_prof *p, const char *name, const char *data, size_t len,
		     enum pg_prof_format fmt, struct pg_err *err);

/* Guess the format from the first bytes. */
enum pg_prof_format pg_prof_detect(const char *data, size_t len);
const char *pg_prof_format_name(enum pg_prof_format fmt);
/* "folded", "perf-script", "cpuprofile", "pprof", "speedscope", "callgrind", "auto". */
int pg_prof_format_parse(const char *name, enum pg_prof_format *out);

/*
 * Extended interface: options and warnings. The functions above are these
 * with default options and warnings dropped.
 */
#define PG_PROF_WARN_MAX 8
struct pg_prof_warnings {
	unsigned n;          /* messages kept in msg[] */
	unsigned dropped;    /* further warnings not kept */
	char msg[PG_PROF_WARN_MAX][256]; /* printable as they stand, e.g. "FILE: ..." */
};

struct pg_prof_read_opts {
	const char *event;   /* perf script: fold this event only (NULL = the first seen) */
	bool pid, tid;       /* perf script: root frame "comm-PID" / "comm-PID/TID" */
	size_t max_stacks;   /* distinct stacks (0 = PG_PROF_MAX_STACKS) */
	size_t max_frames;   /* distinct frame names (0 = PG_PROF_MAX_FRAMES) */
};

/* Add a warning (printf-style); w may be NULL. */
void pg_prof_warn(struct pg_prof_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* opts and warn may be NULL. */
int pg_prof_read_file_ex(struct pg_prof *p, const char *path, enum pg_prof_format fmt,
			 const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			 struct pg_err *err);
int pg_prof_read_mem_ex(struct pg_prof *p, const char *name, const char *data, size_t len,
			enum pg_prof_format fmt, const struct pg_prof_read_opts *opts,
			struct pg_prof_warnings *warn, struct pg_err *err);

/*
 * The pure parsers, one per format (each in its own file). Each fills an
 * already initialised *p from data[0..len) (need not be NUL-terminated);
 * name is the file name used in messages. Used through the functions above;
 * declared here for the tests.
 */
int pg_prof_parse_folded(struct pg_prof *p, const char *name, const char *data, size_t len,
			 const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			 struct pg_err *err);
int pg_prof_parse_cpuprofile(struct pg_prof *p, const char *name, const char *data, size_t len,
			     const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			     struct pg_err *err);
int pg_prof_parse_pprof(struct pg_prof *p, const char *name, const char *data, size_t len,
			const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			struct pg_err *err);
int pg_prof_parse_speedscope(struct pg_prof *p, const char *name, const char *data, size_t len,
			     const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			     struct pg_err *err);
int pg_prof_parse_callgrind(struct pg_prof *p, const char *name, const char *data, size_t len,
			    const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			    struct pg_err *err);

/*
 * Helpers shared by the parsers.
 * pg_prof_intern_capped: intern a frame name with ';' -> ':' and control
 * characters -> ' ', or return the PG_PROF_TRUNCATED frame once max_frames
 * distinct names exist (setting *capped).
 * pg_prof_add_capped: add a stack, or, once max_stacks distinct stacks
 * exist and this one is new, add it as ids[0];[truncated] (setting *capped).
 * pg_prof_cap_warn: the "too many distinct symbols" warning, if capped.
 */
uint32_t pg_prof_intern_capped(struct pg_prof *p, const char *name, size_t len,
			       const struct pg_prof_read_opts *opts, bool *capped);
void pg_prof_add_capped(struct pg_prof *p, const uint32_t *ids, uint32_t depth, double weight,
			const struct pg_prof_read_opts *opts, bool *capped);
void pg_prof_cap_warn(struct pg_prof_warnings *w, const char *name, bool capped,
		      const struct pg_prof_read_opts *opts);

#endif
