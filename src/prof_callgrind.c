/*
 * callgrind.out (valgrind --tool=callgrind): "events:" names the cost
 * columns (Ir is used, else the first event; unit INSTRUCTIONS when it is
 * Ir); "positions:" says how many position columns lead each cost line;
 * fn= starts a function whose following cost lines are self cost; cfn=
 * names a callee and the cost line after calls= is that call's inclusive
 * cost. Name compression "(id) name" defines and "(id)" refers (fn and cfn
 * share one space); other keys (ob, fl, fi, fe, cob, cfi, jump, ...) are
 * skipped. Costs must be non-negative integers.
 *
 * Callgrind records caller->callee edges, not stacks, so stacks are an
 * approximation built as gprof2dot and the callgrind-to-flamegraph
 * converters do: inclusive(f) = self(f) + the cost of f's calls; a function
 * is a root for the part of its inclusive cost no caller accounts for
 * (e.g. "(below main)"); walking down from each root, a path reaching f with
 * flow w gives f's self cost to that path in proportion w / inclusive(f),
 * and passes w * call(f,g) / inclusive(f) on to each callee g.
 * Calls inside a cycle (recursion, mutual recursion, callgrind's
 * "(below main)" <-> __libc_start_main) carry inclusive costs that count
 * the cycle twice, so they are ignored, as gprof does: each function of a
 * cycle keeps its self cost and its calls out of the cycle, and what no
 * caller outside the cycle accounts for becomes a root of its own.
 * A flow below 1e-6 of the total, a path at PG_PROF_MAX_DEPTH or past the
 * visit budget (max_stacks) ends there: its whole flow is charged to the
 * callee as if it were self cost. The total weight is the sum of the root
 * flows, i.e. the program's total cost.
 * Errors: "FILE:LINE:COL: ...".
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prof_read.h"

#define MAX_NAME_ID 10000000

struct edge {
	uint32_t from, to;
	double cost;
	bool internal; /* inside a cycle (strongly connected component) */
};

struct cg {
	struct pg_prof *p;
	const struct pg_prof_read_opts *opts;
	uint32_t *names;        /* compressed id -> frame */
	size_t nnames;
	double *self;           /* by frame id */
	size_t aself;
	struct edge *edges;
	size_t nedges, aedges;
	uint64_t *eht;          /* (from << 32 | to) + 1, 0 = empty */
	size_t *eidx;
	size_t ehtn;
	bool capped;
	/* walk */
	double *incl;
	size_t *out0, *outn;    /* per frame: range in edges sorted by from */
	bool *on_path;
	uint32_t *path;
	double min_flow;
	size_t visits, budget, pruned;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static void edge_add(struct cg *c, uint32_t from, uint32_t to, double cost)
{
	uint64_t key = ((uint64_t)from << 32 | to) + 1;
	size_t h, i;

	if ((c->nedges + 1) * 2 > c->ehtn) {
		size_t n = c->ehtn ? c->ehtn * 2 : 1024;
		free(c->eht);
		free(c->eidx);
		c->eht = pg_xcalloc(n, sizeof(*c->eht));
		c->eidx = pg_xmalloc(n * sizeof(*c->eidx));
		c->ehtn = n;
		for (i = 0; i < c->nedges; i++) {
			uint64_t k = ((uint64_t)c->edges[i].from << 32 | c->edges[i].to) + 1;
			h = mix(k) & (n - 1);
			while (c->eht[h])
				h = (h + 1) & (n - 1);
			c->eht[h] = k;
			c->eidx[h] = i;
		}
	}
	h = mix(key) & (c->ehtn - 1);
	while (c->eht[h]) {
		if (c->eht[h] == key) {
			c->edges[c->eidx[h]].cost += cost;
			return;
		}
		h = (h + 1) & (c->ehtn - 1);
	}
	PG_GROW(c->edges, c->nedges + 1, c->aedges);
	c->edges[c->nedges].from = from;
	c->edges[c->nedges].to = to;
	c->edges[c->nedges].cost = cost;
	c->edges[c->nedges].internal = false;
	c->eht[h] = key;
	c->eidx[h] = c->nedges++;
}

static void self_add(struct cg *c, uint32_t f, double cost)
{
	if (f >= c->aself) {
		size_t old = c->aself, n = old ? old : 64;
		while (n <= f)
			n *= 2;
		c->self = pg_xreallocarray(c->self, n, sizeof(*c->self));
		memset(c->self + old, 0, (n - old) * sizeof(*c->self));
		c->aself = n;
	}
	c->self[f] += cost;
}

/* "(id) name", "(id)" or "name" -> frame id; returns -1 with err on a bad reference */
static int name_ref(struct cg *c, const char *s, size_t n, uint32_t *out, const char *file,
		    size_t line, size_t col, struct pg_err *err)
{
	if (n && s[0] == '(' && n > 1 && s[1] >= '0' && s[1] <= '9') {
		size_t i = 1, id = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && id <= MAX_NAME_ID)
			id = id * 10 + (size_t)(s[i++] - '0');
		if (i < n && s[i] == ')' && id <= MAX_NAME_ID) {
			i++;
			while (i < n && s[i] == ' ')
				i++;
			if (i < n) {
				if (id >= c->nnames) {
					size_t old = c->nnames, m = old ? old : 64;
					while (m <= id)
						m *= 2;
					c->names = pg_xreallocarray(c->names, m, sizeof(*c->names));
					memset(c->names + old, 0xff, (m - old) * sizeof(*c->names));
					c->nnames = m;
				}
				c->names[id] = pg_prof_intern_capped(c->p, s + i, n - i, c->opts,
								     &c->capped);
				*out = c->names[id];
				return 0;
			}
			if (id >= c->nnames || c->names[id] == PG_PROF_NONE)
				return pg_err_set(err, PG_ERR_USAGE,
						  "%s:%zu:%zu: name (%zu) used before it is defined", file,
						  line, col, id);
			*out = c->names[id];
			return 0;
		}
	}
	*out = pg_prof_intern_capped(c->p, s, n, c->opts, &c->capped);
	return 0;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

/* Mark the edges inside cycles (Tarjan's strongly connected components,
 * iteratively: call graphs can be deep). */
static void mark_cycles(struct cg *c, size_t n)
{
	size_t *index = pg_xmalloc(n * sizeof(*index)), *low = pg_xmalloc(n * sizeof(*low));
	size_t *comp = pg_xmalloc(n * sizeof(*comp)), *st = pg_xmalloc(n * sizeof(*st));
	size_t (*cs)[2] = pg_xmalloc(n * sizeof(*cs));
	bool *on = pg_xcalloc(n, sizeof(*on));
	size_t idx = 0, sp = 0, csp, v0, i;

	for (i = 0; i < n; i++)
		index[i] = SIZE_MAX;
	for (v0 = 0; v0 < n; v0++) {
		if (index[v0] != SIZE_MAX)
			continue;
		index[v0] = low[v0] = idx++;
		st[sp++] = v0;
		on[v0] = true;
		cs[0][0] = v0;
		cs[0][1] = c->out0[v0];
		csp = 1;
		while (csp) {
			size_t v = cs[csp - 1][0], it = cs[csp - 1][1];
			if (it < c->out0[v] + c->outn[v]) {
				size_t w = c->edges[it].to;
				cs[csp - 1][1]++;
				if (index[w] == SIZE_MAX) {
					index[w] = low[w] = idx++;
					st[sp++] = w;
					on[w] = true;
					cs[csp][0] = w;
					cs[csp][1] = c->out0[w];
					csp++;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			if (low[v] == index[v]) {
				size_t w;
				do {
					w = st[--sp];
					on[w] = false;
					comp[w] = v;
				} while (w != v);
			}
			csp--;
			if (csp && low[v] < low[cs[csp - 1][0]])
				low[cs[csp - 1][0]] = low[v];
		}
	}
	for (i = 0; i < c->nedges; i++)
		c->edges[i].internal = comp[c->edges[i].from] == comp[c->edges[i].to];
	free(index);
	free(low);
	free(comp);
	free(st);
	free(cs);
	free(on);
}

static void walk(struct cg *c, uint32_t depth, uint32_t f, double flow)
{
	double frac;
	size_t i;

	c->path[depth++] = f;
	if (c->incl[f] <= 0)
		return;
	frac = flow / c->incl[f];
	if (frac > 1)
		frac = 1;
	if (c->self[f] > 0)
		pg_prof_add_capped(c->p, c->path, depth, c->self[f] * frac, c->opts, &c->capped);
	c->on_path[f] = true;
	for (i = c->out0[f]; i < c->out0[f] + c->outn[f]; i++) {
		const struct edge *e = &c->edges[i];
		double w = e->cost * frac;
		if (e->internal || w <= 0)
			continue;
		if (c->on_path[e->to] || w < c->min_flow || depth + 1 >= PG_PROF_MAX_DEPTH ||
		    ++c->visits > c->budget) {
			c->path[depth] = e->to;
			pg_prof_add_capped(c->p, c->path, depth + 1, w, c->opts, &c->capped);
			c->pruned++;
			continue;
		}
		walk(c, depth, e->to, w);
	}
	c->on_path[f] = false;
}

static bool key_is(const char *s, size_t n, const char *key)
{
	size_t k = strlen(key);

	return n >= k && !memcmp(s, key, k);
}

int pg_prof_parse_callgrind(struct pg_prof *p, const char *name, const char *data, size_t len,
			    const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			    struct pg_err *err)
{
	struct cg c;
	const char *s = data, *end = data + len;
	size_t lineno = 0, npos = 1, ev = 0, i;
	uint32_t fn = PG_PROF_NONE, cfn = PG_PROF_NONE;
	bool in_call = false, have_events = false;
	double *incoming = NULL, total = 0;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.p = p;
	c.opts = opts;
	p->unit = PG_PROF_INSTRUCTIONS;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		size_t n;

		lineno++;
		if (e > s && e[-1] == '\r')
			e--;
		n = (size_t)(e - s);
		if (n == 0 || s[0] == '#')
			goto next;
		if ((s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-' || s[0] == '*') {
			const char *t = s;
			size_t col = 0;
			double cost = 0;
			bool found = false;

			for (col = 0; t < e; col++) {
				const char *ts;
				while (t < e && (*t == ' ' || *t == '\t'))
					t++;
				if (t >= e)
					break;
				ts = t;
				while (t < e && *t != ' ' && *t != '\t')
					t++;
				if (col < npos)
					continue;
				if (col - npos == ev) {
					const char *q;
					for (q = ts; q < t; q++)
						if (*q < '0' || *q > '9') {
							pg_err_set(err, PG_ERR_USAGE,
								   "%s:%zu:%zu: expected a cost >= 0, not '%.*s'",
								   name, lineno, (size_t)(ts - s) + 1,
								   (int)(t - ts), ts);
							goto done;
						}
					cost = strtod(ts, NULL);
					if (!isfinite(cost)) {
						pg_err_set(err, PG_ERR_USAGE, "%s:%zu:%zu: cost out of range",
							   name, lineno, (size_t)(ts - s) + 1);
						goto done;
					}
					found = true;
				}
			}
			if (fn == PG_PROF_NONE) {
				if (found && cost > 0) {
					pg_err_set(err, PG_ERR_USAGE, "%s:%zu:1: cost line before any fn=",
						   name, lineno);
					goto done;
				}
			} else if (in_call) {
				if (cfn != PG_PROF_NONE)
					edge_add(&c, fn, cfn, cost);
				in_call = false;
			} else {
				self_add(&c, fn, cost);
			}
			goto next;
		}
		if (key_is(s, n, "events:")) {
			const char *t = s + 7, *first = NULL, *pick = NULL;
			size_t k = 0, firstn = 0, pickn = 0;
			have_events = true;
			ev = 0;
			while (t < e) {
				const char *ts;
				while (t < e && *t == ' ')
					t++;
				if (t >= e)
					break;
				ts = t;
				while (t < e && *t != ' ')
					t++;
				if (!first) {
					first = ts;
					firstn = (size_t)(t - ts);
				}
				if (!pick && (size_t)(t - ts) == 2 && !memcmp(ts, "Ir", 2)) {
					pick = ts;
					pickn = 2;
					ev = k;
				}
				k++;
			}
			free(p->event);
			p->event = NULL;
			if (!pick) {
				pick = first;
				pickn = firstn;
			}
			if (pick)
				p->event = pg_xstrndup(pick, pickn);
			p->unit = pick && pickn == 2 && !memcmp(pick, "Ir", 2) ? PG_PROF_INSTRUCTIONS
									       : PG_PROF_SAMPLES;
		} else if (key_is(s, n, "positions:")) {
			const char *t = s + 10;
			npos = 0;
			while (t < e) {
				while (t < e && *t == ' ')
					t++;
				if (t < e)
					npos++;
				while (t < e && *t != ' ')
					t++;
			}
		} else if (key_is(s, n, "fn=")) {
			if (name_ref(&c, s + 3, n - 3, &fn, name, lineno, 4, err) < 0)
				goto done;
			cfn = PG_PROF_NONE;
			in_call = false;
		} else if (key_is(s, n, "cfn=") || key_is(s, n, "cfni=")) {
			size_t k = s[3] == '=' ? 4 : 5;
			if (name_ref(&c, s + k, n - k, &cfn, name, lineno, k + 1, err) < 0)
				goto done;
		} else if (key_is(s, n, "calls=")) {
			if (fn == PG_PROF_NONE) {
				pg_err_set(err, PG_ERR_USAGE, "%s:%zu:1: calls= before any fn=", name,
					   lineno);
				goto done;
			}
			in_call = true;
		}
next:
		s = nl ? nl + 1 : end;
	}
	if (!have_events) {
		pg_err_set(err, PG_ERR_USAGE, "%s: not a callgrind file: no \"events:\" line", name);
		goto done;
	}

	/* edges -> stacks */
	self_add(&c, p->nr_frames ? (uint32_t)p->nr_frames - 1 : 0, 0);
	if (c.nedges > 1) /* qsort(NULL, 0, ...) is undefined */
		qsort(c.edges, c.nedges, sizeof(*c.edges), cmp_edge);
	c.incl = pg_xcalloc(c.aself, sizeof(*c.incl));
	incoming = pg_xcalloc(c.aself, sizeof(*incoming));
	c.out0 = pg_xcalloc(c.aself, sizeof(*c.out0));
	c.outn = pg_xcalloc(c.aself, sizeof(*c.outn));
	c.on_path = pg_xcalloc(c.aself, sizeof(*c.on_path));
	c.path = pg_xmalloc((PG_PROF_MAX_DEPTH + 1) * sizeof(*c.path));
	for (i = 0; i < p->nr_frames; i++)
		c.incl[i] = c.self[i];
	for (i = 0; i < c.nedges; i++) {
		const struct edge *ed = &c.edges[i];
		if (!c.outn[ed->from])
			c.out0[ed->from] = i;
		c.outn[ed->from]++;
	}
	mark_cycles(&c, p->nr_frames);
	for (i = 0; i < c.nedges; i++) {
		const struct edge *ed = &c.edges[i];
		if (!ed->internal) {
			c.incl[ed->from] += ed->cost;
			incoming[ed->to] += ed->cost;
		}
	}
	for (i = 0; i < p->nr_frames; i++) {
		double r = c.incl[i] - incoming[i];
		if (r > 1e-9 * (c.incl[i] + 1))
			total += r;
	}
	c.min_flow = total * 1e-6;
	c.budget = opts && opts->max_stacks ? opts->max_stacks : PG_PROF_MAX_STACKS;
	for (i = 0; i < p->nr_frames; i++) {
		double r = c.incl[i] - incoming[i];
		if (r > 1e-9 * (c.incl[i] + 1))
			walk(&c, 0, (uint32_t)i, r);
	}
	if (c.pruned)
		pg_prof_warn(warn, "%s: %zu call paths cut short (cycles, depth or tiny flows): "
			     "their cost is charged to the callee", name, c.pruned);
	pg_prof_cap_warn(warn, name, c.capped, opts);
	if (p->nr_stacks == 0)
		pg_prof_warn(warn, "%s: no samples", name);
	ret = 0;
done:
	free(c.names);
	free(c.self);
	free(c.edges);
	free(c.eht);
	free(c.eidx);
	free(c.incl);
	free(c.out0);
	free(c.outn);
	free(c.on_path);
	free(c.path);
	free(incoming);
	return ret;
}
