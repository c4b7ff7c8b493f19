/*
 * Go pprof profile.proto (perftools.profiles.Profile), gzip-compressed or
 * not. zlib inflates it (capped at PG_PROF_MAX_INFLATED bytes); a small
 * protobuf reader takes only what a flame graph needs:
 *   Profile  1 sample_type{1 type, 2 unit}  2 sample{1 location_id, 2 value}
 *            4 location{1 id, 3 address, 4 line{1 function_id}}
 *            5 function{1 id, 2 name}  6 string_table  11 period_type  12 period
 * Value used: the "cpu"/"nanoseconds" sample type if there is one, else the
 * first type in nanoseconds (unit NS), else the last type (pprof's default;
 * unit SAMPLES, period_ns = period when period_type is nanoseconds).
 * Stacks: a sample's locations are leaf first, and a location's lines are
 * innermost first (inlined functions, then the function they were inlined
 * into): each line is a frame, and the whole list is reversed to root first.
 * A location without lines becomes "0x<address>"; a nameless function
 * "[unknown]". Errors give the byte offset in the (inflated) protobuf:
 * "FILE: offset N: ...". Values must be >= 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "prof_read.h"

#define MAX_VALUES 64

struct pb {
	const unsigned char *p, *end, *base;
	const char *name;
};

struct str {
	const char *s;
	size_t n;
};

struct func {
	uint64_t id;
	int64_t name;
	uint32_t frame;
};

struct loc {
	uint64_t id, address;
	size_t line0, nlines; /* into lines[] (function ids) */
};

struct pprof {
	struct str *strs;
	size_t nstrs, astrs;
	struct func *funcs;
	size_t nfuncs, afuncs;
	struct loc *locs;
	size_t nlocs, alocs;
	uint64_t *lines;
	size_t nlines, alines;
	int64_t (*types)[2];
	size_t ntypes, atypes;
	int64_t period_type[2];
	int64_t period;
};

static int fail(const struct pb *b, const unsigned char *at, struct pg_err *err, const char *what)
{
	return pg_err_set(err, PG_ERR_USAGE, "%s: offset %zu: %s", b->name, (size_t)(at - b->base),
			  what);
}

static int varint(struct pb *b, uint64_t *out, struct pg_err *err)
{
	const unsigned char *start = b->p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 10; i++) {
		if (b->p >= b->end)
			return fail(b, start, err, "protobuf truncated inside a varint");
		v |= (uint64_t)(*b->p & 0x7f) << (7 * i);
		if (!(*b->p++ & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return fail(b, start, err, "protobuf varint longer than 10 bytes");
}

/* Next field: number, wire type, and for wire type 2 the sub-buffer. */
static int field(struct pb *b, uint32_t *num, int *wt, struct pb *sub, uint64_t *val,
		 struct pg_err *err)
{
	const unsigned char *at = b->p;
	uint64_t tag, len;

	if (varint(b, &tag, err) < 0)
		return -1;
	*num = (uint32_t)(tag >> 3);
	*wt = (int)(tag & 7);
	/* An empty sub-message at the value for every wire type, so that a
	 * caller's error about an unexpected type names this file and offset
	 * (found by fuzz_pprof: sub was left uninitialised for types 0, 1, 5). */
	sub->p = sub->end = b->p;
	sub->base = b->base;
	sub->name = b->name;
	switch (*wt) {
	case 0:
		return varint(b, val, err);
	case 1:
	case 5: {
		size_t n = *wt == 1 ? 8 : 4;
		if ((size_t)(b->end - b->p) < n)
			return fail(b, b->p, err, "protobuf truncated inside a fixed-size field");
		*val = 0;
		memcpy(val, b->p, n);
		b->p += n;
		return 0;
	}
	case 2:
		at = b->p;
		if (varint(b, &len, err) < 0)
			return -1;
		if (len > (uint64_t)(b->end - b->p)) {
			char msg[96];
			snprintf(msg, sizeof(msg), "protobuf length %llu runs past the end of its message",
				 (unsigned long long)len);
			return fail(b, at, err, msg);
		}
		sub->p = b->p;
		sub->end = b->p + len;
		sub->base = b->base;
		sub->name = b->name;
		b->p += len;
		return 0;
	}
	return fail(b, at, err, "protobuf wire type not supported (groups?)");
}

/* A repeated integer field, packed (wt 2) or not (wt 0): call add for each. */
static int repeated(int wt, struct pb *sub, uint64_t val, uint64_t *out, size_t *n, size_t cap,
		    size_t *dropped, struct pg_err *err)
{
	if (wt == 0) {
		if (*n < cap)
			out[(*n)++] = val;
		else
			(*dropped)++;
		return 0;
	}
	if (wt != 2)
		return fail(sub, sub->p, err, "protobuf: unexpected wire type for a repeated integer");
	while (sub->p < sub->end) {
		uint64_t v;
		if (varint(sub, &v, err) < 0)
			return -1;
		if (*n < cap)
			out[(*n)++] = v;
		else
			(*dropped)++;
	}
	return 0;
}

static int value_type(struct pb *b, int64_t out[2], struct pg_err *err)
{
	uint32_t num;
	int wt;
	struct pb sub;
	uint64_t v = 0;

	out[0] = out[1] = 0;
	while (b->p < b->end) {
		if (field(b, &num, &wt, &sub, &v, err) < 0)
			return -1;
		if ((num == 1 || num == 2) && wt == 0)
			out[num - 1] = (int64_t)v;
	}
	return 0;
}

static int pass1(struct pprof *pp, struct pb *b, struct pg_err *err)
{
	uint32_t num;
	int wt;
	struct pb sub;
	uint64_t v = 0;

	while (b->p < b->end) {
		if (field(b, &num, &wt, &sub, &v, err) < 0)
			return -1;
		if (num == 1 && wt == 2) {
			PG_GROW(pp->types, pp->ntypes + 1, pp->atypes);
			if (value_type(&sub, pp->types[pp->ntypes++], err) < 0)
				return -1;
		} else if (num == 4 && wt == 2) {
			struct loc *l;
			PG_GROW(pp->locs, pp->nlocs + 1, pp->alocs);
			l = &pp->locs[pp->nlocs++];
			memset(l, 0, sizeof(*l));
			l->line0 = pp->nlines;
			while (sub.p < sub.end) {
				struct pb ln;
				if (field(&sub, &num, &wt, &ln, &v, err) < 0)
					return -1;
				if (num == 1 && wt == 0) {
					l->id = v;
				} else if (num == 3 && wt == 0) {
					l->address = v;
				} else if (num == 4 && wt == 2) {
					uint64_t fid = 0;
					while (ln.p < ln.end) {
						struct pb x;
						if (field(&ln, &num, &wt, &x, &v, err) < 0)
							return -1;
						if (num == 1 && wt == 0)
							fid = v;
					}
					PG_GROW(pp->lines, pp->nlines + 1, pp->alines);
					pp->lines[pp->nlines++] = fid;
					l->nlines++;
				}
			}
		} else if (num == 5 && wt == 2) {
			struct func *f;
			PG_GROW(pp->funcs, pp->nfuncs + 1, pp->afuncs);
			f = &pp->funcs[pp->nfuncs++];
			memset(f, 0, sizeof(*f));
			f->frame = PG_PROF_NONE;
			while (sub.p < sub.end) {
				struct pb x;
				if (field(&sub, &num, &wt, &x, &v, err) < 0)
					return -1;
				if (num == 1 && wt == 0)
					f->id = v;
				else if (num == 2 && wt == 0)
					f->name = (int64_t)v;
			}
		} else if (num == 6 && wt == 2) {
			PG_GROW(pp->strs, pp->nstrs + 1, pp->astrs);
			pp->strs[pp->nstrs].s = (const char *)sub.p;
			pp->strs[pp->nstrs++].n = (size_t)(sub.end - sub.p);
		} else if (num == 11 && wt == 2) {
			if (value_type(&sub, pp->period_type, err) < 0)
				return -1;
		} else if (num == 12 && wt == 0) {
			pp->period = (int64_t)v;
		}
	}
	return 0;
}

static int cmp_func(const void *a, const void *b)
{
	uint64_t x = ((const struct func *)a)->id, y = ((const struct func *)b)->id;

	return x < y ? -1 : x > y;
}

static int cmp_loc(const void *a, const void *b)
{
	uint64_t x = ((const struct loc *)a)->id, y = ((const struct loc *)b)->id;

	return x < y ? -1 : x > y;
}

static bool str_is(const struct pprof *pp, int64_t i, const char *s)
{
	return i >= 0 && (size_t)i < pp->nstrs && pp->strs[i].n == strlen(s) &&
	       !memcmp(pp->strs[i].s, s, pp->strs[i].n);
}

static int inflate_gz(const char *name, const char *data, size_t len, struct pg_buf *out,
		      struct pg_err *err)
{
	z_stream z;
	int rc, ret = -1;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return pg_err_set(err, PG_ERR_INFRA, "%s: cannot start gzip decompression", name);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	for (;;) {
		pg_buf_grow(out, 1 << 16);
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)(out->alloc - out->len - 1);
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)((char *)z.next_out - out->data);
		out->data[out->len] = '\0';
		if (rc == Z_STREAM_END)
			break;
		if (out->len > PG_PROF_MAX_INFLATED) {
			pg_err_set(err, PG_ERR_USAGE, "%s: gzip data inflates past %zu bytes", name,
				   PG_PROF_MAX_INFLATED);
			goto done;
		}
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			pg_err_set(err, PG_ERR_USAGE, "%s: truncated gzip stream (after %zu bytes)",
				   name, (size_t)z.total_in);
			goto done;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			pg_err_set(err, PG_ERR_USAGE, "%s: bad gzip data at byte %zu: %s", name,
				   (size_t)z.total_in, z.msg ? z.msg : "inflate failed");
			goto done;
		}
	}
	ret = 0;
done:
	inflateEnd(&z);
	return ret;
}

int pg_prof_parse_pprof(struct pg_prof *p, const char *name, const char *data, size_t len,
			const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			struct pg_err *err)
{
	struct pg_buf raw = PG_BUF_INIT;
	struct pprof pp;
	struct pb b;
	uint64_t *locids = NULL, values[MAX_VALUES];
	uint32_t *ids = NULL;
	size_t vi = 0, i, deep = 0, dropped = 0, unresolved = 0;
	bool capped = false, ns = false;
	int ret = -1;

	memset(&pp, 0, sizeof(pp));
	if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
		if (inflate_gz(name, data, len, &raw, err) < 0)
			goto done;
		data = raw.data;
		len = raw.len;
	}
	b.p = b.base = (const unsigned char *)data;
	b.end = b.p + len;
	b.name = name;
	if (pass1(&pp, &b, err) < 0)
		goto done;
	if (pp.ntypes == 0) {
		pg_err_set(err, PG_ERR_USAGE, "%s: not a pprof profile: no sample types", name);
		goto done;
	}
	if (pp.nfuncs > 1) /* qsort(NULL, 0, ...) is undefined */
		qsort(pp.funcs, pp.nfuncs, sizeof(*pp.funcs), cmp_func);
	if (pp.nlocs > 1)
		qsort(pp.locs, pp.nlocs, sizeof(*pp.locs), cmp_loc);
	vi = pp.ntypes - 1;
	for (i = pp.ntypes; i-- > 0;)
		if (str_is(&pp, pp.types[i][1], "nanoseconds")) {
			if (!ns || str_is(&pp, pp.types[i][0], "cpu"))
				vi = i;
			ns = true;
		}
	p->unit = ns ? PG_PROF_NS : PG_PROF_SAMPLES;
	if (!ns && str_is(&pp, pp.period_type[1], "nanoseconds") && pp.period > 0)
		p->period_ns = (double)pp.period;
	if (pp.types[vi][0] >= 0 && (size_t)pp.types[vi][0] < pp.nstrs)
		p->event = pg_xstrndup(pp.strs[pp.types[vi][0]].s, pp.strs[pp.types[vi][0]].n);

	locids = pg_xmalloc((PG_PROF_MAX_DEPTH + 1) * sizeof(*locids));
	ids = pg_xmalloc((PG_PROF_MAX_DEPTH + 1) * sizeof(*ids));
	b.p = b.base;
	while (b.p < b.end) {
		uint32_t num, depth = 0, k;
		int wt;
		struct pb sub;
		uint64_t v = 0;
		size_t nloc = 0, nval = 0, lost = 0, vdrop = 0;
		const unsigned char *at = b.p;

		if (field(&b, &num, &wt, &sub, &v, err) < 0)
			goto done;
		if (num != 2 || wt != 2)
			continue;
		while (sub.p < sub.end) {
			struct pb x;
			if (field(&sub, &num, &wt, &x, &v, err) < 0)
				goto done;
			if (num == 1 && repeated(wt, &x, v, locids, &nloc, PG_PROF_MAX_DEPTH, &lost,
						 err) < 0)
				goto done;
			if (num == 2 && repeated(wt, &x, v, values, &nval, MAX_VALUES, &vdrop, err) < 0)
				goto done;
		}
		if (lost)
			deep++;
		if (vi >= nval) {
			fail(&b, at, err, "sample has fewer values than sample types");
			goto done;
		}
		if ((int64_t)values[vi] < 0) {
			fail(&b, at, err, "negative sample value");
			goto done;
		}
		if (values[vi] == 0)
			continue;
		for (i = 0; i < nloc; i++) {
			struct loc key = { .id = locids[i] };
			/* bsearch(NULL, 0) is undefined: a profile with no locations at all */
			const struct loc *l = pp.nlocs ? bsearch(&key, pp.locs, pp.nlocs, sizeof(*pp.locs),
								 cmp_loc)
						       : NULL;
			size_t j;

			if (!l) {
				fail(&b, at, err, "sample refers to a missing location");
				goto done;
			}
			if (l->nlines == 0 && depth < PG_PROF_MAX_DEPTH) {
				char hex[32];
				int n = snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)l->address);
				ids[depth++] = pg_prof_intern_capped(p, hex, (size_t)n, opts, &capped);
				unresolved++;
			}
			for (j = 0; j < l->nlines && depth < PG_PROF_MAX_DEPTH; j++) {
				struct func fk = { .id = pp.lines[l->line0 + j] };
				struct func *f = pp.nfuncs ? bsearch(&fk, pp.funcs, pp.nfuncs,
								     sizeof(*pp.funcs), cmp_func)
							   : NULL;
				if (!f) {
					fail(&b, at, err, "location refers to a missing function");
					goto done;
				}
				if (f->frame == PG_PROF_NONE) {
					if (f->name > 0 && (size_t)f->name < pp.nstrs)
						f->frame = pg_prof_intern_capped(p, pp.strs[f->name].s,
										 pp.strs[f->name].n, opts,
										 &capped);
					else if (f->name == 0)
						f->frame = pg_prof_intern_capped(p, "[unknown]", 9, opts,
										 &capped);
					else {
						fail(&b, at, err, "function name outside the string table");
						goto done;
					}
				}
				ids[depth++] = f->frame;
			}
			if (depth >= PG_PROF_MAX_DEPTH && i + 1 < nloc)
				lost = 1;
		}
		for (k = 0; k < depth / 2; k++) {
			uint32_t t = ids[k];
			ids[k] = ids[depth - 1 - k];
			ids[depth - 1 - k] = t;
		}
		pg_prof_add_capped(p, ids, depth, (double)values[vi], opts, &capped);
		dropped += vdrop;
	}
	if (deep)
		pg_prof_warn(warn, "%s: %zu stacks deeper than %d frames truncated", name, deep,
			     PG_PROF_MAX_DEPTH);
	if (dropped)
		pg_prof_warn(warn, "%s: %zu sample values beyond the first %d ignored", name, dropped,
			     MAX_VALUES);
	if (unresolved)
		pg_prof_warn(warn, "%s: %zu frames without symbols shown as addresses", name,
			     unresolved);
	pg_prof_cap_warn(warn, name, capped, opts);
	if (p->nr_stacks == 0)
		pg_prof_warn(warn, "%s: no samples", name);
	ret = 0;
done:
	pg_buf_release(&raw);
	free(pp.strs);
	free(pp.funcs);
	free(pp.locs);
	free(pp.lines);
	free(pp.types);
	free(locids);
	free(ids);
	return ret;
}
