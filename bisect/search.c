#include "search.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void pg_search_init(struct pg_search *s, size_t n)
{
	s->n = n;
	s->states = pg_xcalloc(n ? n : 1, sizeof(*s->states));
	if (n)
		s->states[n - 1] = PG_SEARCH_BAD;
}

void pg_search_release(struct pg_search *s)
{
	free(s->states);
	s->states = NULL;
	s->n = 0;
}

void pg_search_set(struct pg_search *s, size_t index, enum pg_search_state state)
{
	if (index < s->n)
		s->states[index] = state;
}

void pg_search_bracket(const struct pg_search *s, long *lo, long *hi)
{
	long i;

	*hi = (long)s->n - 1;
	/* The oldest BAD decides hi; then the newest GOOD below it decides lo. */
	for (i = 0; i < (long)s->n; i++)
		if (s->states[i] == PG_SEARCH_BAD) {
			*hi = i;
			break;
		}
	*lo = -1;
	for (i = *hi - 1; i >= 0; i--)
		if (s->states[i] == PG_SEARCH_GOOD) {
			*lo = i;
			break;
		}
}

size_t pg_search_candidates(const struct pg_search *s, size_t *out)
{
	long lo, hi, i;
	size_t k = 0;

	pg_search_bracket(s, &lo, &hi);
	for (i = lo + 1; i <= hi; i++)
		out[k++] = (size_t)i;
	return k;
}

enum pg_search_step pg_search_next(const struct pg_search *s, size_t *index)
{
	long lo, hi, mid, d;

	if (!s->n)
		return PG_SEARCH_AMBIGUOUS;
	pg_search_bracket(s, &lo, &hi);
	/* Only the commits strictly between lo and hi are left to measure. */
	if (hi - lo <= 1)
		return PG_SEARCH_FOUND;
	mid = lo + (hi - lo) / 2;
	if (mid <= lo)
		mid = lo + 1;
	/*
	 * A skipped midpoint: try its neighbours, nearest first, alternating
	 * older and newer (git bisect moves away from a skipped commit, too).
	 */
	for (d = 0; d < hi - lo; d++) {
		long cand[2] = {mid - d, mid + d};
		for (int k = 0; k < 2; k++) {
			long c = cand[k];
			if (c > lo && c < hi && s->states[c] == PG_SEARCH_UNKNOWN) {
				*index = (size_t)c;
				return PG_SEARCH_MEASURE;
			}
		}
	}
	/* Everything between lo and hi is skipped: the culprit is one of them or hi. */
	return PG_SEARCH_AMBIGUOUS;
}

unsigned pg_search_steps_left(const struct pg_search *s)
{
	long lo, hi, i, unknown = 0;
	unsigned steps = 0;

	pg_search_bracket(s, &lo, &hi);
	for (i = lo + 1; i < hi; i++)
		if (s->states[i] == PG_SEARCH_UNKNOWN)
			unknown++;
	/* ceil(log2(unknown + 1)) */
	while (unknown > 0) {
		steps++;
		unknown >>= 1;
	}
	return steps;
}
