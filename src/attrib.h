/*
 * attrib: two profiles -> ranked function deltas, the function most
 * responsible, the class of its hot path and the next step.
 *
 * Owns: per-run normalisation of both sides, the rules for untidy profiles,
 * self and inclusive costs per function, ranking, classification and the
 * touched-function cross-check. Pure: no I/O, no clock, no printing.
 *
 * Use:
 *   struct pg_attrib a;
 *   struct pg_attrib_opts o = PG_ATTRIB_OPTS_INIT;
 *   o.touched = names; o.nr_touched = n;        // optional
 *   if (pg_attrib_compare(&a, &before, &after, &o, &err) < 0) -> err.msg (PG_ERR_USAGE)
 *   ... a.fns[a.responsible] ...
 *   pg_attrib_release(&a);                       // also safe after a failure
 *
 * Costs are per benchmark run, in a.unit ("ns", "samples", "instructions"):
 * pg_prof_per_run() of each side, never shares, because a share moves when
 * anything else grows. Profiles whose per-run units differ are refused.
 *
 * Rules for untidy profiles (each has a unit test in tests/unit/test_attrib.c),
 * applied to every stack before costs are counted:
 *  R1 `[unknown]` frames (and empty names) are dropped wherever they sit:
 *     they carry no name to rank. A leaf `[unknown]` therefore charges its
 *     cost to the nearest known frame above it; a stack of nothing but
 *     `[unknown]` stays as one `[unknown]` frame.
 *  R2 Kernel frames (names ending in "_[k]", as perf's folding marks them)
 *     at the leaf end of a stack are cut off: their cost counts as self cost
 *     of the deepest user-space frame above them (a page fault is paid by the
 *     function that touched the memory, a syscall by its caller). They still
 *     count for classification. An all-kernel stack is kept as it is.
 *  R3 Orphan allocator stacks: a stack whose outermost frame (after R1) is an
 *     allocator function (malloc, free, _int_malloc, ...) lost its caller
 *     (libc built without frame pointers). Its weight is split among the
 *     caller paths that reach the allocator in non-orphan stacks of the same
 *     profile, in proportion to their allocator cost, and grafted under them;
 *     with no such caller it stays an orphan.
 *  R4 Leaf without its caller (frame-pointer unwinding: gcc gives a leaf
 *     function no frame, so its caller vanishes and X;L is recorded instead of
 *     X;Y;L). Self cost, which names the function, is the leaf's either way.
 *     With opts.frame_pointers, X;L is re-parented to X;Y;L when the same
 *     profile shows L under X;Y elsewhere (split in proportion across several
 *     Y), which restores Y's inclusive cost. Off by default, because under
 *     DWARF unwinding a direct call X->L is real.
 *  R5 Recursion: inclusive cost counts a function once per stack, however
 *     often it appears in it.
 *
 * Naming: the responsible function is the one with the biggest absolute
 * increase in self cost per run (ties: bigger inclusive increase, then name).
 * When it is a library frame of a class (allocator, lock, I/O, logging,
 * dispatch), `caller` names the user function above that library code whose
 * inclusive cost grew most, which is usually what to fix.
 */
#ifndef PG_ATTRIB_H
#define PG_ATTRIB_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "prof.h"

#define PG_ATTRIB_TOP_LEAVES 5

enum pg_attrib_class {
	PG_ATTRIB_CPU = 0,  /* the code's own computation */
	PG_ATTRIB_ALLOC,    /* malloc/free/calloc/realloc/operator new/delete, GC */
	PG_ATTRIB_LOCK,     /* pthread_mutex*, futex*, __lll_lock*, rwlocks, condvars */
	PG_ATTRIB_IO,       /* read/write and friends, vfs_*, ext4_*, sockets, poll */
	PG_ATTRIB_LOGGING,  /* printf family, syslog, log_* / logger frames */
	PG_ATTRIB_DISPATCH, /* indirect-call thunks, PLT resolution, dynamic_cast, objc_msgSend */
	PG_ATTRIB_NR_CLASSES
};

struct pg_attrib_fn {
	char *name;          /* frame name as in the profiles */
	double self_before;  /* per run, in pg_attrib.unit */
	double self_after;
	double total_before; /* inclusive, once per stack */
	double total_after;
	bool touched;        /* among opts.touched */
};

struct pg_attrib_leaf {
	char *name;
	double cost;  /* self cost per run, unit of the result */
	double share; /* cost / profile total, 0..1 */
};

struct pg_attrib {
	const char *unit;           /* static string: "ns", "samples", "instructions" */
	double total_before;        /* whole profile, per run */
	double total_after;
	struct pg_attrib_fn *fns;   /* ranked: biggest self increase first */
	size_t nr_fns;
	size_t *by_total;           /* indexes into fns, biggest inclusive increase first */
	long responsible;           /* index into fns, -1 when nothing grew */
	char *caller;               /* see "Naming" above; NULL when not applicable */
	enum pg_attrib_class cls;   /* class of the responsible function's hot path */
	struct pg_attrib_leaf top_before[PG_ATTRIB_TOP_LEAVES];
	struct pg_attrib_leaf top_after[PG_ATTRIB_TOP_LEAVES];
	size_t nr_top_before, nr_top_after;
};

struct pg_attrib_opts {
	const char *const *touched; /* names of functions the change touched */
	size_t nr_touched;
	bool frame_pointers;        /* apply rule R4 */
};

#define PG_ATTRIB_OPTS_INIT { NULL, 0, false }

/* Compare before with after. On failure (different units, empty profile)
 * err says why with PG_ERR_USAGE and *out is empty but releasable. */
int pg_attrib_compare(struct pg_attrib *out, const struct pg_prof *before,
		      const struct pg_prof *after, const struct pg_attrib_opts *opts,
		      struct pg_err *err);
void pg_attrib_release(struct pg_attrib *a);

/* Name of a class ("cpu", "allocator", "lock", "io", "logging", "dispatch")
 * and the next step to take for it (one sentence). Static strings. */
const char *pg_attrib_class_name(enum pg_attrib_class cls);
const char *pg_attrib_next_step(enum pg_attrib_class cls);
/* Class of one frame name by the patterns documented in attrib.c;
 * PG_ATTRIB_CPU when none matches. */
enum pg_attrib_class pg_attrib_classify_frame(const char *name);
/* Does frame name match a touched function name? Compares base names:
 * "ns::Foo::bar(int) const" and "checksum.constprop.0" match "bar" and
 * "checksum"; a kernel "_[k]" suffix is ignored. */
bool pg_attrib_name_matches(const char *frame, const char *touched);

/* Apply rules R1-R4 to src, giving a new profile (same unit, period, runs)
 * that out owns (pg_prof_release). Exposed for tests and the flame graphs. */
void pg_attrib_tidy(struct pg_prof *out, const struct pg_prof *src, bool frame_pointers);

#endif
