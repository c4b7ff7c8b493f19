/*
 * prof_read: every profile file format -> struct pg_prof (see prof.h).
 *
 * Owns: format detection and dispatch to the pure parsers (fold.c and
 * prof_*.c). Input is capped (PG_PROF_MAX_BYTES) and every parser bounds
 * depth and distinct stacks; errors name the file and, where there is one,
 * the line and column.
 *
 * Use:
 *   struct pg_prof p;
 *   if (pg_prof_read_file(&p, "cpu.pprof", PG_PROF_FMT_AUTO, &err) < 0) ...
 *   ... pg_prof_release(&p);
 */
#ifndef PG_PROF_READ_H
#define PG_PROF_READ_H

#include <stddef.h>

#include "err.h"
#include "prof.h"

#define PG_PROF_MAX_BYTES ((size_t)1 << 30)  /* 1 GiB of input */
#define PG_PROF_MAX_DEPTH 4096               /* frames kept per stack */

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

#endif
