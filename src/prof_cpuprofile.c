/*
 * Chrome / Node .cpuprofile: {"nodes":[{id, callFrame{functionName, url,
 * lineNumber}, children[ids] | parent, hitCount}], startTime, endTime,
 * samples[node ids], timeDeltas[us]} -> stacks from (root) down.
 *
 * Frames: functionName; an empty one becomes "(anonymous)", followed by
 * " FILE:LINE" (url basename, 1-based line) when the node has a url, so
 * that distinct anonymous functions stay distinct.
 * Special nodes: "(root)" is the tree's root and is not a frame;
 * "(program)" (time in the VM outside JS) and "(garbage collector)" are kept
 * as frames of their own; "(idle)" samples are dropped (not CPU time).
 * Weights: with samples + timeDeltas, each sample lasts until the next
 * sample's timestamp (the last one until endTime), as DevTools computes it;
 * us -> ns, unit NS. A negative duration (samples out of order) counts as 0,
 * with a warning. Without samples, hitCount per node, unit SAMPLES.
 * Numbers must be finite and counts >= 0; errors name the JSON path, or the
 * line:col for malformed JSON (nesting capped by cJSON at 1000).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prof_read.h"

struct node {
	double id;
	int parent;       /* index, -1 = none */
	double weight;
	uint32_t frame;   /* PG_PROF_NONE for (root) */
	bool idle;
};

struct idmap {
	double id;
	int index;
};

static int json_error(const char *name, const char *data, size_t len, const char *at,
		      struct pg_err *err)
{
	size_t line = 1, col = 1;
	const char *s;

	if (!at || at < data || at > data + len)
		at = data + len;
	for (s = data; s < at; s++) {
		if (*s == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return pg_err_set(err, PG_ERR_USAGE, "%s:%zu:%zu: malformed JSON (or nested deeper than %d)",
			  name, line, col, CJSON_NESTING_LIMIT);
}

static int cmp_id(const void *a, const void *b)
{
	double x = ((const struct idmap *)a)->id, y = ((const struct idmap *)b)->id;

	return x < y ? -1 : x > y;
}

static int find(const struct idmap *m, size_t n, double id)
{
	struct idmap key = { id, 0 };
	/* bsearch(NULL, 0) is undefined: no nodes at all */
	const struct idmap *r = n ? bsearch(&key, m, n, sizeof(*m), cmp_id) : NULL;

	return r ? r->index : -1;
}

static bool number(const cJSON *j, double *out)
{
	if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
		return false;
	*out = j->valuedouble;
	return true;
}

int pg_prof_parse_cpuprofile(struct pg_prof *p, const char *name, const char *data, size_t len,
			     const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			     struct pg_err *err)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	const cJSON *nodes, *samples, *deltas, *it;
	struct node *nv = NULL;
	struct idmap *map = NULL;
	uint32_t *ids = NULL;
	size_t n = 0, i, negative = 0;
	bool capped = false;
	int ret = -1;

	if (!root)
		return json_error(name, data, len, end, err);
	nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
	if (!cJSON_IsArray(nodes)) {
		pg_err_set(err, PG_ERR_USAGE, "%s: not a .cpuprofile: no \"nodes\" array", name);
		goto done;
	}
	n = (size_t)cJSON_GetArraySize(nodes);
	nv = pg_xcalloc(n ? n : 1, sizeof(*nv));
	map = pg_xcalloc(n ? n : 1, sizeof(*map));
	ids = pg_xmalloc((PG_PROF_MAX_DEPTH + 1) * sizeof(*ids));
	i = 0;
	cJSON_ArrayForEach(it, nodes) {
		const cJSON *cf = cJSON_GetObjectItemCaseSensitive(it, "callFrame");
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(cf, "functionName");
		const cJSON *url = cJSON_GetObjectItemCaseSensitive(cf, "url");
		const cJSON *ln = cJSON_GetObjectItemCaseSensitive(cf, "lineNumber");
		const char *fname = cJSON_IsString(fn) ? fn->valuestring : "";

		if (!number(cJSON_GetObjectItemCaseSensitive(it, "id"), &nv[i].id)) {
			pg_err_set(err, PG_ERR_USAGE, "%s: nodes[%zu].id: expected a finite number",
				   name, i);
			goto done;
		}
		nv[i].parent = -1;
		map[i].id = nv[i].id;
		map[i].index = (int)i;
		if (!strcmp(fname, "(root)")) {
			nv[i].frame = PG_PROF_NONE;
		} else if (*fname) {
			nv[i].idle = !strcmp(fname, "(idle)");
			nv[i].frame = pg_prof_intern_capped(p, fname, strlen(fname), opts, &capped);
		} else {
			struct pg_buf b = PG_BUF_INIT;
			double line = 0;
			pg_buf_adds(&b, "(anonymous)");
			if (cJSON_IsString(url) && *url->valuestring) {
				const char *base = strrchr(url->valuestring, '/');
				pg_buf_addf(&b, " %s", base ? base + 1 : url->valuestring);
				if (number(ln, &line) && line >= 0 && line < 1e9)
					pg_buf_addf(&b, ":%d", (int)line + 1);
			}
			nv[i].frame = pg_prof_intern_capped(p, b.data, b.len, opts, &capped);
			pg_buf_release(&b);
		}
		i++;
	}
	qsort(map, n, sizeof(*map), cmp_id);
	for (i = 0; i + 1 < n; i++)
		if (map[i].id == map[i + 1].id) {
			pg_err_set(err, PG_ERR_USAGE, "%s: nodes[%d]: duplicate id %.17g", name,
				   map[i + 1].index, map[i].id);
			goto done;
		}
	i = 0;
	cJSON_ArrayForEach(it, nodes) {
		const cJSON *children = cJSON_GetObjectItemCaseSensitive(it, "children");
		const cJSON *parent = cJSON_GetObjectItemCaseSensitive(it, "parent");
		const cJSON *c;
		size_t k = 0;
		double v;

		cJSON_ArrayForEach(c, children) {
			int ci;
			if (!number(c, &v) || (ci = find(map, n, v)) < 0) {
				pg_err_set(err, PG_ERR_USAGE, "%s: nodes[%zu].children[%zu]: no such node",
					   name, i, k);
				goto done;
			}
			if (nv[ci].parent < 0)
				nv[ci].parent = (int)i;
			k++;
		}
		if (parent && (!number(parent, &v) || (nv[i].parent = find(map, n, v)) < 0)) {
			pg_err_set(err, PG_ERR_USAGE, "%s: nodes[%zu].parent: no such node", name, i);
			goto done;
		}
		i++;
	}

	samples = cJSON_GetObjectItemCaseSensitive(root, "samples");
	deltas = cJSON_GetObjectItemCaseSensitive(root, "timeDeltas");
	if (cJSON_IsArray(samples) && cJSON_GetArraySize(samples) > 0) {
		size_t ns = (size_t)cJSON_GetArraySize(samples), k = 0;
		double t = 0, start = 0, endt = 0, *ts;
		const cJSON *s, *d;
		int *si;

		if (!cJSON_IsArray(deltas) || (size_t)cJSON_GetArraySize(deltas) != ns) {
			pg_err_set(err, PG_ERR_USAGE,
				   "%s: \"timeDeltas\" must be an array as long as \"samples\" (%zu)",
				   name, ns);
			goto done;
		}
		ts = pg_xmalloc(ns * sizeof(*ts));
		si = pg_xmalloc(ns * sizeof(*si));
		number(cJSON_GetObjectItemCaseSensitive(root, "startTime"), &start);
		t = start;
		d = deltas->child;
		cJSON_ArrayForEach(s, samples) {
			double v, dv;
			if (!number(s, &v) || (si[k] = find(map, n, v)) < 0) {
				pg_err_set(err, PG_ERR_USAGE, "%s: samples[%zu]: no such node", name, k);
				free(ts), free(si);
				goto done;
			}
			if (!number(d, &dv)) {
				pg_err_set(err, PG_ERR_USAGE, "%s: timeDeltas[%zu]: expected a finite number",
					   name, k);
				free(ts), free(si);
				goto done;
			}
			t += dv;
			ts[k++] = t;
			d = d->next;
		}
		if (!number(cJSON_GetObjectItemCaseSensitive(root, "endTime"), &endt) ||
		    endt < ts[ns - 1])
			endt = ts[ns - 1];
		for (k = 0; k < ns; k++) {
			double w = (k + 1 < ns ? ts[k + 1] : endt) - ts[k];
			if (w < 0) {
				negative++;
				w = 0;
			}
			nv[si[k]].weight += w * 1000.0;
		}
		free(ts);
		free(si);
		p->unit = PG_PROF_NS;
	} else {
		i = 0;
		cJSON_ArrayForEach(it, nodes) {
			const cJSON *hc = cJSON_GetObjectItemCaseSensitive(it, "hitCount");
			if (hc && (!number(hc, &nv[i].weight) || nv[i].weight < 0)) {
				pg_err_set(err, PG_ERR_USAGE,
					   "%s: nodes[%zu].hitCount: expected a finite count >= 0", name, i);
				goto done;
			}
			i++;
		}
		p->unit = PG_PROF_SAMPLES;
	}

	for (i = 0; i < n; i++) {
		uint32_t depth = 0, k;
		size_t steps = 0;
		int j;
		bool idle = false;

		if (nv[i].weight <= 0)
			continue;
		for (j = (int)i; j >= 0; j = nv[j].parent) {
			if (++steps > n) {
				pg_err_set(err, PG_ERR_USAGE, "%s: nodes[%zu]: parent cycle", name, i);
				goto done;
			}
			idle |= nv[j].idle;
			if (nv[j].frame != PG_PROF_NONE && depth < PG_PROF_MAX_DEPTH)
				ids[depth++] = nv[j].frame;
		}
		if (idle)
			continue;
		for (k = 0; k < depth / 2; k++) {
			uint32_t tmp = ids[k];
			ids[k] = ids[depth - 1 - k];
			ids[depth - 1 - k] = tmp;
		}
		pg_prof_add_capped(p, ids, depth, nv[i].weight, opts, &capped);
	}
	if (negative)
		pg_prof_warn(warn, "%s: %zu samples with a negative time delta counted as 0", name,
			     negative);
	pg_prof_cap_warn(warn, name, capped, opts);
	if (p->nr_stacks == 0)
		pg_prof_warn(warn, "%s: no samples", name);
	ret = 0;
done:
	cJSON_Delete(root);
	free(nv);
	free(map);
	free(ids);
	return ret;
}
