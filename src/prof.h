/*
 * prof: the one profile model every reader fills and every consumer reads.
 *
 * A profile is a set of weighted root-to-leaf stacks over interned frame
 * names, with what a weight means and how many benchmark runs it covers,
 * so that any two profiles can be compared as cost per run.
 *
 * Owns: interning, stack dedup, the folded-text writer. Pure: no I/O.
 *
 * Use:
 *   struct pg_prof p;  pg_prof_init(&p, PG_PROF_SAMPLES);
 *   uint32_t ids[3] = { pg_prof_intern(&p, "main", 4), ... };
 *   pg_prof_add(&p, ids, 3, 1.0);           // root first
 *   pg_prof_write_folded(&p, &buf);         // "main;f;g 1\n", sorted
 *   pg_prof_release(&p);
 */
#ifndef PG_PROF_H
#define PG_PROF_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum pg_prof_unit {
	PG_PROF_SAMPLES = 0, /* sample counts; period_ns says what one is worth, if known */
	PG_PROF_NS,          /* nanoseconds */
	PG_PROF_INSTRUCTIONS,/* instructions (callgrind Ir) */
};

struct pg_prof_stack {
	uint32_t *frames; /* frame ids, root first */
	uint32_t depth;
	double weight;    /* in units of the profile */
};

struct pg_prof {
	enum pg_prof_unit unit;
	double period_ns;      /* ns per sample when unit == SAMPLES; 0 = unknown */
	double runs;           /* benchmark runs covered; 1 by default */
	char *event;           /* e.g. "cpu-clock", or NULL */

	char **frames;         /* interned names, id = index */
	size_t nr_frames, alloc_frames;
	struct pg_prof_stack *stacks;
	size_t nr_stacks, alloc_stacks;
	double total;          /* sum of all weights */

	/* private: hash tables for interning and stack dedup */
	uint32_t *frame_ht;  size_t frame_ht_size;
	uint32_t *stack_ht;  size_t stack_ht_size;
};

void pg_prof_init(struct pg_prof *p, enum pg_prof_unit unit);
void pg_prof_release(struct pg_prof *p);

/* Intern a name of len bytes (need not be NUL-terminated); returns its id. */
uint32_t pg_prof_intern(struct pg_prof *p, const char *name, size_t len);
/* Borrowed name of a frame id. */
const char *pg_prof_name(const struct pg_prof *p, uint32_t id);
/* Add weight to the stack ids[0..depth) (root first); equal stacks merge. */
void pg_prof_add(struct pg_prof *p, const uint32_t *ids, uint32_t depth, double weight);

#define PG_PROF_NONE UINT32_MAX
/* Id of an already interned name, or PG_PROF_NONE; interns nothing. */
uint32_t pg_prof_lookup(const struct pg_prof *p, const char *name, size_t len);
/* Whether the stack ids[0..depth) exists already; adds nothing. */
int pg_prof_has_stack(const struct pg_prof *p, const uint32_t *ids, uint32_t depth);
/*
 * Add every stack of one to out (frames re-interned, equal stacks merged):
 * the runs of one recording summed. out takes one's unit, and its event and
 * period when it has none yet; runs are the caller's to count.
 */
void pg_prof_merge(struct pg_prof *out, const struct pg_prof *one);

/* Folded text ("a;b;c weight\n"), lines sorted bytewise; integral weights
 * printed as integers, others with %.17g. Appends to out. */
void pg_prof_write_folded(const struct pg_prof *p, struct pg_buf *out);

/*
 * The header that keeps, in a folded file, what folded text cannot say: one
 * comment line, appended to out,
 *   "# perfgate: unit=ns runs=3 event=cpu-clock\n"
 * with unit samples|ns|instructions, period_ns=N when unit is samples with
 * a known period, runs (benchmark runs covered) and event when it is a plain
 * token. The folded reader (prof_folded.c) takes it back from the first line,
 * so a diff of written files is in ns per run, not samples. It ends in no
 * " COUNT", so tools that match a folded line as /^(.*)\s+(\d+)$/ skip it:
 * FlameGraph's flamegraph.pl (noting "Ignored 1 lines with invalid format"
 * on stderr) and speedscope's collapsed-stack importer. difffolded.pl does
 * not skip it: it emits an empty stack of weight 0 (harmless) and perl's
 * "uninitialized value" warnings; `perfgate fold --no-header` is for such tools.
 * Writers of folded files (fold, profile -o) write this, then
 * pg_prof_write_folded.
 */
#define PG_PROF_HEADER "# perfgate:"
void pg_prof_write_folded_header(const struct pg_prof *p, struct pg_buf *out);

/* Weight of one unit per run, in the profile's cost unit: for SAMPLES with a
 * known period, ns per run; otherwise weight / runs. */
double pg_prof_per_run(const struct pg_prof *p, double weight);
/* Name of the per-run cost unit: "ns", "samples", "instructions". */
const char *pg_prof_unit_name(const struct pg_prof *p);

#endif
