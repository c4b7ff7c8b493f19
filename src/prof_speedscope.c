/*
 * speedscope file format (https://www.speedscope.app/file-format-schema.json):
 * shared.frames[] {name, file?, line?} and profiles[] of
 *   "sampled": samples[][frame indices, root first] + weights[] (or 1 each);
 *   "evented": events[] {type "O"|"C", frame, at}: the time between two
 *             events is charged to the stack open between them; a "C" must
 *             close the innermost open frame.
 * Frames: the frame's name (file and line are not part of it).
 * Units: "nanoseconds", "microseconds", "milliseconds", "seconds" -> NS;
 * "none" (or absent) -> SAMPLES; anything else (e.g. "bytes") is refused,
 * as are profiles of different units in one file.
 * Several profiles (threads) are merged; each then gets its name as root
 * frame. Weights must be finite and >= 0; errors name the JSON path, or
 * line:col for malformed JSON.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof_read.h"

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

static bool number(const cJSON *j, double *out)
{
	if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
		return false;
	*out = j->valuedouble;
	return true;
}

/* ns per unit, 0 for SAMPLES, -1 for unsupported */
static double unit_scale(const cJSON *u)
{
	const char *s = cJSON_IsString(u) ? u->valuestring : "none";

	if (!strcmp(s, "nanoseconds"))
		return 1;
	if (!strcmp(s, "microseconds"))
		return 1e3;
	if (!strcmp(s, "milliseconds"))
		return 1e6;
	if (!strcmp(s, "seconds"))
		return 1e9;
	if (!strcmp(s, "none"))
		return 0;
	return -1;
}

struct ctx {
	struct pg_prof *p;
	const char *name;
	const struct pg_prof_read_opts *opts;
	uint32_t *frames;  /* shared.frames -> id */
	size_t nr_frames;
	uint32_t *ids;     /* PG_PROF_MAX_DEPTH + 1 */
	bool capped;
	size_t deep;
};

static int frame_id(struct ctx *c, const cJSON *j, const char *what, size_t pi, size_t k,
		    uint32_t *out, struct pg_err *err)
{
	double v;

	if (!number(j, &v) || v < 0 || v >= (double)c->nr_frames || v != floor(v))
		return pg_err_set(err, PG_ERR_USAGE, "%s: profiles[%zu].%s[%zu]: no such frame",
				  c->name, pi, what, k);
	*out = c->frames[(size_t)v];
	return 0;
}

static int sampled(struct ctx *c, const cJSON *prof, size_t pi, uint32_t root, double scale,
		   struct pg_err *err)
{
	const cJSON *samples = cJSON_GetObjectItemCaseSensitive(prof, "samples");
	const cJSON *weights = cJSON_GetObjectItemCaseSensitive(prof, "weights");
	const cJSON *s, *w;
	size_t k = 0;

	if (!cJSON_IsArray(samples))
		return pg_err_set(err, PG_ERR_USAGE, "%s: profiles[%zu].samples: expected an array",
				  c->name, pi);
	if (weights && (!cJSON_IsArray(weights) ||
			cJSON_GetArraySize(weights) != cJSON_GetArraySize(samples)))
		return pg_err_set(err, PG_ERR_USAGE,
				  "%s: profiles[%zu].weights: expected an array as long as samples",
				  c->name, pi);
	w = weights ? weights->child : NULL;
	cJSON_ArrayForEach(s, samples) {
		const cJSON *f;
		uint32_t depth = 0;
		double wt = 1;
		size_t fi = 0;

		if (!cJSON_IsArray(s))
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s: profiles[%zu].samples[%zu]: expected an array", c->name,
					  pi, k);
		if (w && (!number(w, &wt) || wt < 0))
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s: profiles[%zu].weights[%zu]: expected a finite weight >= 0",
					  c->name, pi, k);
		if (root != PG_PROF_NONE)
			c->ids[depth++] = root;
		cJSON_ArrayForEach(f, s) {
			uint32_t id;
			if (frame_id(c, f, "samples", pi, k, &id, err) < 0)
				return -1;
			if (depth < PG_PROF_MAX_DEPTH)
				c->ids[depth++] = id;
			else if (!fi++)
				c->deep++;
		}
		pg_prof_add_capped(c->p, c->ids, depth, scale ? wt * scale : wt, c->opts, &c->capped);
		w = w ? w->next : NULL;
		k++;
	}
	return 0;
}

static int evented(struct ctx *c, const cJSON *prof, size_t pi, uint32_t root, double scale,
		   struct pg_err *err)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(prof, "events");
	const cJSON *e;
	uint32_t depth = 0, base = 0, over = 0;
	double last = 0;
	size_t k = 0;

	if (!cJSON_IsArray(events))
		return pg_err_set(err, PG_ERR_USAGE, "%s: profiles[%zu].events: expected an array",
				  c->name, pi);
	if (root != PG_PROF_NONE)
		c->ids[depth++] = root;
	base = depth;
	cJSON_ArrayForEach(e, events) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
		double at;
		uint32_t id;

		if (!number(cJSON_GetObjectItemCaseSensitive(e, "at"), &at))
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s: profiles[%zu].events[%zu].at: expected a finite number",
					  c->name, pi, k);
		if (frame_id(c, cJSON_GetObjectItemCaseSensitive(e, "frame"), "events", pi, k, &id,
			     err) < 0)
			return -1;
		if (k && at < last)
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s: profiles[%zu].events[%zu]: time goes backwards", c->name,
					  pi, k);
		if (k && depth > base && at > last)
			pg_prof_add_capped(c->p, c->ids, depth, scale ? (at - last) * scale : at - last,
					   c->opts, &c->capped);
		last = at;
		if (cJSON_IsString(type) && !strcmp(type->valuestring, "O")) {
			if (depth < PG_PROF_MAX_DEPTH) {
				c->ids[depth++] = id;
			} else {
				if (!over++)
					c->deep++;
			}
		} else if (cJSON_IsString(type) && !strcmp(type->valuestring, "C")) {
			if (over) {
				over--;
			} else if (depth <= base || c->ids[depth - 1] != id) {
				return pg_err_set(err, PG_ERR_USAGE,
						  "%s: profiles[%zu].events[%zu]: closes a frame that is "
						  "not the innermost open one", c->name, pi, k);
			} else {
				depth--;
			}
		} else {
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s: profiles[%zu].events[%zu].type: expected \"O\" or \"C\"",
					  c->name, pi, k);
		}
		k++;
	}
	return 0;
}

int pg_prof_parse_speedscope(struct pg_prof *p, const char *name, const char *data, size_t len,
			     const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			     struct pg_err *err)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	const cJSON *frames, *profiles, *it;
	struct ctx c = { p, name, opts, NULL, 0, NULL, false, 0 };
	double scale = -2;
	size_t i, np;
	int ret = -1;

	if (!root)
		return json_error(name, data, len, end, err);
	frames = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "shared"),
						  "frames");
	profiles = cJSON_GetObjectItemCaseSensitive(root, "profiles");
	if (!cJSON_IsArray(frames) || !cJSON_IsArray(profiles)) {
		pg_err_set(err, PG_ERR_USAGE,
			   "%s: not a speedscope file: no \"shared.frames\" or \"profiles\" array", name);
		goto done;
	}
	c.nr_frames = (size_t)cJSON_GetArraySize(frames);
	c.frames = pg_xmalloc((c.nr_frames ? c.nr_frames : 1) * sizeof(*c.frames));
	c.ids = pg_xmalloc((PG_PROF_MAX_DEPTH + 1) * sizeof(*c.ids));
	i = 0;
	cJSON_ArrayForEach(it, frames) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (!cJSON_IsString(nm)) {
			pg_err_set(err, PG_ERR_USAGE, "%s: shared.frames[%zu].name: expected a string",
				   name, i);
			goto done;
		}
		c.frames[i++] = pg_prof_intern_capped(p, nm->valuestring, strlen(nm->valuestring),
						      opts, &c.capped);
	}
	np = (size_t)cJSON_GetArraySize(profiles);
	i = 0;
	cJSON_ArrayForEach(it, profiles) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "type");
		const cJSON *pname = cJSON_GetObjectItemCaseSensitive(it, "name");
		double s = unit_scale(cJSON_GetObjectItemCaseSensitive(it, "unit"));
		uint32_t rootf = PG_PROF_NONE;

		if (s < 0) {
			pg_err_set(err, PG_ERR_USAGE,
				   "%s: profiles[%zu].unit: not a unit of time or \"none\"", name, i);
			goto done;
		}
		if (scale != -2 && (scale == 0) != (s == 0)) {
			pg_err_set(err, PG_ERR_USAGE,
				   "%s: profiles[%zu].unit: profiles of time and of counts mixed", name, i);
			goto done;
		}
		scale = s;
		if (np > 1) {
			char buf[32];
			const char *rn = cJSON_IsString(pname) ? pname->valuestring : buf;
			snprintf(buf, sizeof(buf), "profile %zu", i);
			rootf = pg_prof_intern_capped(p, rn, strlen(rn), opts, &c.capped);
		}
		if (cJSON_IsString(type) && !strcmp(type->valuestring, "sampled")) {
			if (sampled(&c, it, i, rootf, s, err) < 0)
				goto done;
		} else if (cJSON_IsString(type) && !strcmp(type->valuestring, "evented")) {
			if (evented(&c, it, i, rootf, s, err) < 0)
				goto done;
		} else {
			pg_err_set(err, PG_ERR_USAGE,
				   "%s: profiles[%zu].type: expected \"sampled\" or \"evented\"", name, i);
			goto done;
		}
		i++;
	}
	p->unit = scale > 0 ? PG_PROF_NS : PG_PROF_SAMPLES;
	if (c.deep)
		pg_prof_warn(warn, "%s: %zu stacks deeper than %d frames truncated", name, c.deep,
			     PG_PROF_MAX_DEPTH);
	pg_prof_cap_warn(warn, name, c.capped, opts);
	if (p->nr_stacks == 0)
		pg_prof_warn(warn, "%s: no samples", name);
	ret = 0;
done:
	cJSON_Delete(root);
	free(c.frames);
	free(c.ids);
	return ret;
}
