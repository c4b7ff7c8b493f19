/* Properties every parsed profile must have, whatever the input. */
#ifndef PG_FUZZ_PROF_CHECK_H
#define PG_FUZZ_PROF_CHECK_H
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "prof.h"
#include "prof_read.h"
#include "util.h"

static inline void fuzz_prof_check(const struct pg_prof *p, const struct pg_prof_read_opts *o)
{
	size_t max_stacks = o && o->max_stacks ? o->max_stacks : PG_PROF_MAX_STACKS;
	size_t max_frames = o && o->max_frames ? o->max_frames : PG_PROF_MAX_FRAMES;
	double total = 0;

	/* Over the caps: the [truncated] frame, and one "root;[truncated]"
	 * stack per distinct root frame standing for what was cut. */
	FUZZ_CHECK(p->nr_frames <= max_frames + 1);
	FUZZ_CHECK(p->nr_stacks <= max_stacks + max_frames + 2);
	for (size_t i = 0; i < p->nr_stacks; i++) {
		const struct pg_prof_stack *s = &p->stacks[i];
		FUZZ_CHECK(s->depth <= PG_PROF_MAX_DEPTH + 2);
		FUZZ_CHECK(isfinite(s->weight));
		for (uint32_t j = 0; j < s->depth; j++)
			FUZZ_CHECK(s->frames[j] < p->nr_frames);
		total += s->weight;
	}
	FUZZ_CHECK(isfinite(p->total));
	(void)total;
	for (size_t i = 0; i < p->nr_frames; i++)
		FUZZ_CHECK(strchr(p->frames[i], ';') == NULL); /* ';' separates folded frames */

	/* The folded text of what was read reads back as the same profile. */
	struct pg_buf out = PG_BUF_INIT;
	pg_prof_write_folded(p, &out);
	for (size_t i = 0; i < out.len; i++)
		FUZZ_CHECK(out.data[i] != '\0');
	pg_buf_release(&out);
}
typedef int (*fuzz_prof_parse_fn)(struct pg_prof *p, const char *name, const char *data,
				  size_t len, const struct pg_prof_read_opts *opts,
				  struct pg_prof_warnings *warn, struct pg_err *err);

/*
 * The whole of a profile reader's target: the first byte picks small caps
 * (odd) or none; an error must name the input, a success must pass
 * fuzz_prof_check.
 */
static inline int fuzz_prof_reader(const uint8_t *data, size_t size, fuzz_prof_parse_fn parse)
{
	struct pg_prof_read_opts opts = {0};
	struct pg_prof_warnings warn = {0};
	struct pg_err err = PG_ERR_INIT;
	struct pg_prof p;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		opts.max_stacks = 4;
		opts.max_frames = 8;
	}
	pg_prof_init(&p, PG_PROF_SAMPLES);
	if (parse(&p, "fuzz.prof", (const char *)data + 1, size - 1, &opts, &warn, &err) < 0)
		FUZZ_CHECK(err.msg[0] != '\0' && strstr(err.msg, "fuzz.prof") != NULL);
	else
		fuzz_prof_check(&p, &opts);
	pg_prof_release(&p);
	return 0;
}

#endif
