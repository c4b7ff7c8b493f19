/*
 * fold: perf script text -> struct pg_prof, streaming.
 *
 * Owns: parsing `perf script` output line by line through a fixed buffer
 * (PG_FOLD_BUF_BYTES), never holding the whole input; memory is bounded by
 * the distinct stacks and frames, which are capped (pg_prof_read_opts).
 * Must not print or exit: warnings go into struct pg_prof_warnings.
 * Reads from an fd only in pg_fold_read_fd; everything else is pure.
 *
 * Input: perfgate captures with
 *   perf script -F comm,pid,tid,time,period,event,ip,sym,dso,symoff
 * (pinned fields); any other field set of the default shape is accepted:
 *   SAMPLE HEADER  `comm pid/tid [cpu] time: period event:` (comm may hold
 *                  spaces; pid/, [cpu], time, period optional; perf pads a
 *                  right-aligned comm with spaces when there is no callchain)
 *   FRAME LINES    `\t<hex ip> <symbol>[+0x<off>] (<dso>)`, leaf first,
 *                  tab-indented
 *   a blank line ends a sample; lines starting with '#' are skipped; other
 *   lines (srcline, trace data) are counted and skipped with a warning.
 *   A sample whose header has no callchain but ip/sym/dso on the same line
 *   (perf record without -g) is a one-frame stack.
 *
 * Conventions (FlameGraph's stackcollapse-perf.pl, default options):
 *  - Root frame: the comm with spaces turned into '_'; with pid:
 *    "comm-PID", with tid: "comm-PID/TID" (PID "?" when perf printed only a
 *    tid). No comm field: no root frame.
 *  - Symbol normalisation (pg_fold_symbol), the same for every sample of
 *    every input, so two profiles compare name by name:
 *      `foo+0x1c`              -> `foo` (offsets stripped)
 *      `[unknown]` in a dso    -> `[libc.so.6]` (the dso's basename in brackets);
 *                                 `[unknown]` when the dso is unknown too
 *      `foo(int, char)`        -> `foo` (arguments dropped from the first
 *                                 '(' ...)
 *      `(anonymous namespace)::f(int)` -> `(anonymous namespace)::f` (...
 *                                 except "(anonymous namespace)")
 *      `net/http.(*Client).Do` -> kept as is (Go method names, `.(...).`)
 *      `RegExp:[&<>"']`        -> `RegExp:[&<>]` (quotes dropped)
 *      ';' -> ':' (';' separates folded frames)
 *  - Kernel frames (dso `[kernel.kallsyms]`, any `[...]` dso but `[unknown]`,
 *    or a dso ending in vmlinux) get the suffix `_[k]`; JIT frames (dso
 *    /tmp/perf-PID.map) get `_[j]`.
 *  - Inlined frames: perf prints them as extra frame lines with the pseudo
 *    dso "(inlined)"; each is kept as its own frame. (The old `a->b` form is
 *    not split.)
 *  - Weights: the period when the header has one (then, for cpu-clock and
 *    task-clock, the profile's unit is ns; for other events, event counts
 *    with unit SAMPLES), else 1 per sample (unit SAMPLES, period unknown).
 *  - Several events in one input: only one is folded (opts->event, else the
 *    first seen); the others are skipped with a warning naming them.
 *  - Caps: a stack deeper than PG_PROF_MAX_DEPTH keeps its root frame and
 *    its leaf-most frames, with PG_PROF_TRUNCATED in between, and a warning;
 *    beyond max_frames distinct names or max_stacks distinct stacks, new
 *    ones fold into PG_PROF_TRUNCATED with the warning "too many distinct
 *    symbols".
 *  - Zero samples is not an error: the profile is empty and a warning says
 *    "no samples"; pg_fold.samples says how many were folded.
 *  - Input ending mid-line or mid-sample (truncated perf script output):
 *    the incomplete last line is dropped, the complete frames of the last
 *    sample are kept, with a warning.
 *
 * Use:
 *   struct pg_fold f;  pg_prof_init(&p, PG_PROF_SAMPLES);
 *   pg_fold_init(&f, &p, "perf.txt", opts, &warnings);
 *   pg_fold_feed(&f, chunk, n);  ...            // any chunking
 *   or pg_fold_read_fd(&f, fd, &err);
 *   pg_fold_finish(&f);                           // flushes the last sample
 *   pg_fold_release(&f);                          // p stays the caller's
 * or, for text in memory, pg_fold_parse(&p, name, data, len, opts, warn, &err).
 */
#ifndef PG_FOLD_H
#define PG_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "prof.h"
#include "prof_read.h"
#include "util.h"

#define PG_FOLD_BUF_BYTES ((size_t)1 << 20) /* also the longest line kept */

struct pg_fold {
	/* results */
	uint64_t samples;        /* samples folded */
	uint64_t skipped;        /* samples of other events */
	uint64_t lines;          /* lines read */

	/* private */
	struct pg_prof *p;
	const char *name;
	struct pg_prof_read_opts opts;
	struct pg_prof_warnings *warn;
	char *buf;               /* PG_FOLD_BUF_BYTES: partial line carried between feeds */
	size_t carry;            /* bytes of buf in use */
	bool skip_long;          /* inside a line longer than the buffer */
	uint64_t long_lines, bad_lines, bad_line_first, deep_stacks;
	bool capped, have_period, in_sample, keep_sample, sample_truncated;
	bool chain;              /* the current sample has callchain lines */
	double weight;           /* of the current sample */
	uint32_t root;           /* root frame id, PG_PROF_NONE if none */
	uint32_t depth;          /* frames in ids[], leaf first */
	uint32_t *ids;           /* PG_PROF_MAX_DEPTH */
	uint32_t *stack;         /* PG_PROF_MAX_DEPTH + 2, root first */
	char *event;             /* the event folded */
	char *other_events;      /* names of skipped events, ", "-separated, capped */
	struct pg_buf scratch;   /* symbol normalisation */
};

void pg_fold_init(struct pg_fold *f, struct pg_prof *p, const char *name,
		  const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn);
/* Feed any chunk of the text. */
void pg_fold_feed(struct pg_fold *f, const char *data, size_t len);
/* Feed everything readable from fd (until EOF). */
int pg_fold_read_fd(struct pg_fold *f, int fd, struct pg_err *err);
/* End of input: fold the last sample, set the unit, add the warnings. */
void pg_fold_finish(struct pg_fold *f);
void pg_fold_release(struct pg_fold *f);

/* Whole text in memory; *p is initialised here. Returns 0. */
int pg_fold_parse(struct pg_prof *p, const char *name, const char *data, size_t len,
		  const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
		  struct pg_err *err);

/*
 * Normalise one perf symbol (sym[0..sym_len), as printed, offset included)
 * in dso (without parentheses; may be empty) by the rules above; replaces
 * out's contents.
 */
void pg_fold_symbol(const char *sym, size_t sym_len, const char *dso, size_t dso_len,
		    struct pg_buf *out);

#endif
