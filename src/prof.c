#include "prof.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX

static uint64_t hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (len--) {
		h ^= *p++;
		h *= 1099511628211ull;
	}
	return h;
}

void pg_prof_init(struct pg_prof *p, enum pg_prof_unit unit)
{
	memset(p, 0, sizeof(*p));
	p->unit = unit;
	p->runs = 1;
}

void pg_prof_release(struct pg_prof *p)
{
	size_t i;

	for (i = 0; i < p->nr_frames; i++)
		free(p->frames[i]);
	for (i = 0; i < p->nr_stacks; i++)
		free(p->stacks[i].frames);
	free(p->frames);
	free(p->stacks);
	free(p->frame_ht);
	free(p->stack_ht);
	free(p->event);
	memset(p, 0, sizeof(*p));
}

static void frame_rehash(struct pg_prof *p)
{
	size_t n = p->frame_ht_size ? p->frame_ht_size * 2 : 1024, i;

	free(p->frame_ht);
	p->frame_ht = pg_xmalloc(n * sizeof(*p->frame_ht));
	memset(p->frame_ht, 0xff, n * sizeof(*p->frame_ht));
	p->frame_ht_size = n;
	for (i = 0; i < p->nr_frames; i++) {
		size_t h = hash_bytes(p->frames[i], strlen(p->frames[i])) & (n - 1);
		while (p->frame_ht[h] != EMPTY)
			h = (h + 1) & (n - 1);
		p->frame_ht[h] = (uint32_t)i;
	}
}

uint32_t pg_prof_intern(struct pg_prof *p, const char *name, size_t len)
{
	size_t h;

	if ((p->nr_frames + 1) * 2 > p->frame_ht_size)
		frame_rehash(p);
	h = hash_bytes(name, len) & (p->frame_ht_size - 1);
	while (p->frame_ht[h] != EMPTY) {
		const char *f = p->frames[p->frame_ht[h]];
		if (!strncmp(f, name, len) && f[len] == '\0')
			return p->frame_ht[h];
		h = (h + 1) & (p->frame_ht_size - 1);
	}
	PG_GROW(p->frames, p->nr_frames + 1, p->alloc_frames);
	p->frames[p->nr_frames] = pg_xstrndup(name, len);
	p->frame_ht[h] = (uint32_t)p->nr_frames;
	return (uint32_t)p->nr_frames++;
}

uint32_t pg_prof_lookup(const struct pg_prof *p, const char *name, size_t len)
{
	size_t h;

	if (!p->frame_ht_size)
		return PG_PROF_NONE;
	h = hash_bytes(name, len) & (p->frame_ht_size - 1);
	while (p->frame_ht[h] != EMPTY) {
		const char *f = p->frames[p->frame_ht[h]];
		if (!strncmp(f, name, len) && f[len] == '\0')
			return p->frame_ht[h];
		h = (h + 1) & (p->frame_ht_size - 1);
	}
	return PG_PROF_NONE;
}

int pg_prof_has_stack(const struct pg_prof *p, const uint32_t *ids, uint32_t depth)
{
	size_t h;

	if (!p->stack_ht_size)
		return 0;
	h = hash_bytes(ids, depth * sizeof(uint32_t)) & (p->stack_ht_size - 1);
	while (p->stack_ht[h] != EMPTY) {
		const struct pg_prof_stack *s = &p->stacks[p->stack_ht[h]];
		if (s->depth == depth && !memcmp(s->frames, ids, depth * sizeof(uint32_t)))
			return 1;
		h = (h + 1) & (p->stack_ht_size - 1);
	}
	return 0;
}

const char *pg_prof_name(const struct pg_prof *p, uint32_t id)
{
	return id < p->nr_frames ? p->frames[id] : "[invalid]";
}

static void stack_rehash(struct pg_prof *p)
{
	size_t n = p->stack_ht_size ? p->stack_ht_size * 2 : 1024, i;

	free(p->stack_ht);
	p->stack_ht = pg_xmalloc(n * sizeof(*p->stack_ht));
	memset(p->stack_ht, 0xff, n * sizeof(*p->stack_ht));
	p->stack_ht_size = n;
	for (i = 0; i < p->nr_stacks; i++) {
		const struct pg_prof_stack *s = &p->stacks[i];
		size_t h = hash_bytes(s->frames, s->depth * sizeof(uint32_t)) & (n - 1);
		while (p->stack_ht[h] != EMPTY)
			h = (h + 1) & (n - 1);
		p->stack_ht[h] = (uint32_t)i;
	}
}

void pg_prof_add(struct pg_prof *p, const uint32_t *ids, uint32_t depth, double weight)
{
	size_t h;
	struct pg_prof_stack *s;

	if ((p->nr_stacks + 1) * 2 > p->stack_ht_size)
		stack_rehash(p);
	h = hash_bytes(ids, depth * sizeof(uint32_t)) & (p->stack_ht_size - 1);
	while (p->stack_ht[h] != EMPTY) {
		s = &p->stacks[p->stack_ht[h]];
		if (s->depth == depth && !memcmp(s->frames, ids, depth * sizeof(uint32_t))) {
			s->weight += weight;
			p->total += weight;
			return;
		}
		h = (h + 1) & (p->stack_ht_size - 1);
	}
	PG_GROW(p->stacks, p->nr_stacks + 1, p->alloc_stacks);
	s = &p->stacks[p->nr_stacks];
	s->frames = pg_xmalloc((depth ? depth : 1) * sizeof(uint32_t));
	if (depth)
		memcpy(s->frames, ids, depth * sizeof(uint32_t));
	s->depth = depth;
	s->weight = weight;
	p->total += weight;
	p->stack_ht[h] = (uint32_t)p->nr_stacks++;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pg_prof_write_folded(const struct pg_prof *p, struct pg_buf *out)
{
	char **lines = pg_xcalloc(p->nr_stacks ? p->nr_stacks : 1, sizeof(*lines));
	size_t i, n = 0;

	for (i = 0; i < p->nr_stacks; i++) {
		const struct pg_prof_stack *s = &p->stacks[i];
		struct pg_buf line = PG_BUF_INIT;
		uint32_t d;

		if (s->weight == 0)
			continue;
		for (d = 0; d < s->depth; d++) {
			if (d)
				pg_buf_addc(&line, ';');
			pg_buf_adds(&line, pg_prof_name(p, s->frames[d]));
		}
		if (s->weight == floor(s->weight) && fabs(s->weight) < 9e15)
			pg_buf_addf(&line, " %lld\n", (long long)s->weight);
		else
			pg_buf_addf(&line, " %.17g\n", s->weight);
		lines[n++] = pg_buf_detach(&line, NULL);
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	for (i = 0; i < n; i++) {
		pg_buf_adds(out, lines[i]);
		free(lines[i]);
	}
	free(lines);
}

static void add_number(struct pg_buf *out, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		pg_buf_addf(out, "%lld", (long long)v);
	else
		pg_buf_addf(out, "%.17g", v);
}

/* An event name kept in the header: a plain token, so the line stays one
 * list of key=value pairs. */
static int plain_token(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') || strchr("-_.:/", s[n])))
			return 0;
	return n > 0 && n <= 64;
}

void pg_prof_write_folded_header(const struct pg_prof *p, struct pg_buf *out)
{
	static const char *const units[] = { "samples", "ns", "instructions" };

	pg_buf_addf(out, PG_PROF_HEADER " unit=%s",
		    (size_t)p->unit < PG_ARRAY_SIZE(units) ? units[p->unit] : "samples");
	if (p->unit == PG_PROF_SAMPLES && p->period_ns > 0 && isfinite(p->period_ns)) {
		pg_buf_adds(out, " period_ns=");
		add_number(out, p->period_ns);
	}
	pg_buf_adds(out, " runs=");
	add_number(out, p->runs > 0 && isfinite(p->runs) ? p->runs : 1);
	if (p->event && plain_token(p->event))
		pg_buf_addf(out, " event=%s", p->event);
	pg_buf_addc(out, '\n');
}

double pg_prof_per_run(const struct pg_prof *p, double weight)
{
	double runs = p->runs > 0 ? p->runs : 1;

	if (p->unit == PG_PROF_SAMPLES && p->period_ns > 0)
		return weight * p->period_ns / runs;
	return weight / runs;
}

const char *pg_prof_unit_name(const struct pg_prof *p)
{
	switch (p->unit) {
	case PG_PROF_NS:
		return "ns";
	case PG_PROF_INSTRUCTIONS:
		return "instructions";
	case PG_PROF_SAMPLES:
		return p->period_ns > 0 ? "ns" : "samples";
	}
	return "samples";
}

void pg_prof_merge(struct pg_prof *out, const struct pg_prof *one)
{
	uint32_t *map = pg_xmalloc((one->nr_frames ? one->nr_frames : 1) * sizeof(*map));
	uint32_t *ids = NULL;
	size_t i, alloc = 0;

	for (i = 0; i < one->nr_frames; i++)
		map[i] = pg_prof_intern(out, one->frames[i], strlen(one->frames[i]));
	for (i = 0; i < one->nr_stacks; i++) {
		const struct pg_prof_stack *s = &one->stacks[i];
		uint32_t d;

		PG_GROW(ids, s->depth + 1, alloc);
		for (d = 0; d < s->depth; d++)
			ids[d] = map[s->frames[d]];
		pg_prof_add(out, ids, s->depth, s->weight);
	}
	if (!out->event && one->event)
		out->event = pg_xstrdup(one->event);
	if (out->period_ns == 0)
		out->period_ns = one->period_ns;
	out->unit = one->unit;
	free(ids);
	free(map);
}
