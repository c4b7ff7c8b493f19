/*
 * search: which commit a bisect measures next, given what is known. Pure:
 * no I/O, no clock, no git (the git module is bisect.c's business).
 *
 * The range is the list of commits of GOOD..BAD, oldest first, BAD last
 * (index n-1); GOOD itself is index -1 and is known good. Each commit's
 * state is UNKNOWN until classified GOOD (like the good end), BAD (like the
 * bad end) or SKIP (did not build, or its benchmark exited 125).
 *
 * Invariant used throughout: the first bad commit lies in (lo, hi], where
 * lo is the newest GOOD index (or -1) below hi, and hi the oldest BAD index.
 * Commits classified against that invariant (a GOOD above a BAD) are
 * reported as inconsistent rather than silently believed.
 *
 * Use:
 *   struct pg_search s;  pg_search_init(&s, n);
 *   while (pg_search_next(&s, &i) == PG_SEARCH_MEASURE) { ...; pg_search_set(&s, i, state); }
 *   then pg_search_result(): FOUND (culprit index) or AMBIGUOUS (candidate indexes).
 */
#ifndef PG_SEARCH_H
#define PG_SEARCH_H

#include <stddef.h>

enum pg_search_state {
	PG_SEARCH_UNKNOWN = 0,
	PG_SEARCH_GOOD,
	PG_SEARCH_BAD,
	PG_SEARCH_SKIP,
};

enum pg_search_step {
	PG_SEARCH_MEASURE,   /* measure the commit at *index */
	PG_SEARCH_FOUND,     /* the first bad commit is known */
	PG_SEARCH_AMBIGUOUS, /* skips leave several candidates */
};

struct pg_search {
	size_t n;		      /* commits in the range; index n-1 is BAD */
	enum pg_search_state *states; /* n of them; owned */
};

void pg_search_init(struct pg_search *s, size_t n);
void pg_search_release(struct pg_search *s);
void pg_search_set(struct pg_search *s, size_t index, enum pg_search_state state);

/* The next step; with MEASURE, *index is the commit to measure. */
enum pg_search_step pg_search_next(const struct pg_search *s, size_t *index);

/*
 * The bracket: *lo is the newest GOOD index below *hi (-1 for the good end),
 * *hi the oldest BAD index. Candidates for the first bad commit are the
 * non-GOOD indexes in (lo, hi].
 */
void pg_search_bracket(const struct pg_search *s, long *lo, long *hi);

/* The candidates (indexes into the range, oldest first): one when FOUND,
 * several when AMBIGUOUS. Returns how many; out holds up to s->n. */
size_t pg_search_candidates(const struct pg_search *s, size_t *out);

/* Steps still expected (log2 of the unskipped candidates, rounded up). */
unsigned pg_search_steps_left(const struct pg_search *s);

#endif
