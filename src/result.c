#include "result.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the model ---- */

void pg_result_bench_release(struct pg_result_bench *b)
{
	size_t i;

	for (i = 0; i < b->nr_metrics; i++) {
		free(b->metrics[i].name);
		free(b->metrics[i].unit);
		free(b->metrics[i].samples);
	}
	free(b->metrics);
	for (i = 0; i < b->nr_warnings; i++)
		free(b->warnings[i]);
	free(b->warnings);
	free(b->name);
	free(b->error);
	memset(b, 0, sizeof(*b));
}

void pg_result_release(struct pg_result *r)
{
	size_t i;

	for (i = 0; i < r->nr_benches; i++)
		pg_result_bench_release(&r->benches[i]);
	free(r->benches);
	memset(r, 0, sizeof(*r));
}

struct pg_result_bench *pg_result_find_bench(const struct pg_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nr_benches; i++)
		if (!strcmp(r->benches[i].name, name))
			return &r->benches[i];
	return NULL;
}

struct pg_result_bench *pg_result_bench(struct pg_result *r, const char *name)
{
	struct pg_result_bench *b = pg_result_find_bench(r, name);

	if (b)
		return b;
	PG_GROW(r->benches, r->nr_benches + 1, r->alloc);
	b = &r->benches[r->nr_benches++];
	memset(b, 0, sizeof(*b));
	b->name = pg_xstrdup(name);
	return b;
}

void pg_result_bench_warn(struct pg_result_bench *b, const char *fmt, ...)
{
	struct pg_buf buf = PG_BUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	pg_buf_grow(&buf, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(buf.data, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf.len = (size_t)n;
	b->warnings = pg_xreallocarray(b->warnings, b->nr_warnings + 1, sizeof(*b->warnings));
	b->warnings[b->nr_warnings++] = pg_buf_detach(&buf, NULL);
}

struct pg_metric *pg_result_find_metric(const struct pg_result_bench *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->nr_metrics; i++)
		if (!strcmp(b->metrics[i].name, name))
			return &b->metrics[i];
	return NULL;
}

struct pg_metric *pg_result_metric(struct pg_result_bench *b, const char *name, const char *unit,
				   enum pg_direction dir)
{
	struct pg_metric *m = pg_result_find_metric(b, name);

	if (m)
		return m;
	PG_GROW(b->metrics, b->nr_metrics + 1, b->alloc);
	m = &b->metrics[b->nr_metrics++];
	memset(m, 0, sizeof(*m));
	m->name = pg_xstrdup(name);
	m->unit = pg_xstrdup(unit ? unit : "");
	m->dir = dir;
	return m;
}

int pg_result_metric_add(struct pg_metric *m, double v)
{
	if (!isfinite(v))
		return -1;
	PG_GROW(m->samples, m->nr_samples + 1, m->alloc);
	m->samples[m->nr_samples++] = v;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void pg_metric_summary(const struct pg_metric *m, struct pg_summary *s)
{
	double *v, sum = 0, ss = 0;
	size_t n = m->nr_samples, i;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	v = pg_xmalloc(n * sizeof(*v));
	memcpy(v, m->samples, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	for (i = 0; i < n; i++)
		sum += v[i];
	s->mean = sum / (double)n;
	if (n > 1) {
		for (i = 0; i < n; i++)
			ss += (v[i] - s->mean) * (v[i] - s->mean);
		s->stddev = sqrt(ss / (double)(n - 1));
	}
	s->cv = s->mean != 0 ? s->stddev / fabs(s->mean) : 0;
	free(v);
}

const char *pg_direction_name(enum pg_direction d)
{
	return d == PG_DIR_HIGHER ? "higher" : "lower";
}

/* ---- text helpers ---- */

void pg_text_pos(const char *data, size_t off, unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && data[i]; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			(*col)++; /* count characters, not UTF-8 continuation bytes */
		}
	}
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

char *pg_utf8_clean(const char *s)
{
	struct pg_buf b = PG_BUF_INIT;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);

	while (n) {
		size_t len = utf8_seq(p, n);

		if (len) {
			pg_buf_add(&b, p, len);
		} else {
			pg_buf_adds(&b, "\xef\xbf\xbd");
			len = 1;
		}
		p += len;
		n -= len;
	}
	return pg_buf_detach(&b, NULL);
}

int pg_json_parse(struct cJSON **out, const char *name, const char *data, size_t len,
		  unsigned max_depth, struct pg_err *err)
{
	unsigned depth = 0, line, col;
	char stack[PG_JSON_MAX_DEPTH + 1];
	bool in_str = false, esc = false;
	const char *end = NULL;
	size_t i;
	cJSON *root;

	*out = NULL;
	/* Our own scan first: cJSON recurses, and its limit is 1000. */
	for (i = 0; i < len; i++) {
		char c = data[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (depth < sizeof(stack))
				stack[depth] = c == '[' ? ']' : '}';
			if (++depth > max_depth) {
				pg_text_pos(data, i, &line, &col);
				return pg_err_set(err, PG_ERR_USAGE,
						  "%s:%u:%u: JSON nested deeper than %u levels",
						  name, line, col, max_depth);
			}
		} else if (c == ']' || c == '}') {
			if (!depth || (depth <= sizeof(stack) && stack[depth - 1] != c)) {
				pg_text_pos(data, i, &line, &col);
				return pg_err_set(err, PG_ERR_USAGE,
						  "%s:%u:%u: invalid JSON (unexpected '%c')", name,
						  line, col, c);
			}
			depth--;
		} else if (c == '\0') {
			pg_text_pos(data, i, &line, &col);
			return pg_err_set(err, PG_ERR_USAGE, "%s:%u:%u: NUL byte in JSON", name,
					  line, col);
		}
	}
	root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!root) {
		size_t off = end && end >= data && end <= data + len ? (size_t)(end - data) : 0;
		const char *what = "invalid JSON";

		/* cJSON points near, not at, the end of a truncated document. */
		size_t rest = off + 1;

		while (rest < len && data[rest] && strchr(" \t\r\n", data[rest]))
			rest++;
		if (off >= len || ((in_str || depth > 0) && rest >= len)) {
			off = len;
			what = "unexpected end of JSON";
		}

		/* data need not be NUL-terminated: no strspn */
		size_t blank = 0;
		while (blank < len && data[blank] && strchr(" \t\r\n", data[blank]))
			blank++;
		if (blank == len) {
			off = len;
			what = "empty input, expected JSON";
		}
		pg_text_pos(data, off, &line, &col);
		return pg_err_set(err, PG_ERR_USAGE, "%s:%u:%u: %s", name, line, col, what);
	}
	/* Trailing garbage after the value. */
	if (end) {
		size_t off = (size_t)(end - data);

		while (off < len && strchr(" \t\r\n", data[off]))
			off++;
		if (off < len) {
			pg_text_pos(data, off, &line, &col);
			cJSON_Delete(root);
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s:%u:%u: unexpected data after JSON value", name, line,
					  col);
		}
	}
	*out = root;
	return 0;
}

/* ---- save ---- */

static void add_str(cJSON *obj, const char *key, const char *s)
{
	char *clean = pg_utf8_clean(s);

	cJSON_AddItemToObject(obj, key, cJSON_CreateString(clean));
	free(clean);
}

static cJSON *num(double v)
{
	return cJSON_CreateNumber(isfinite(v) ? v : 0);
}

char *pg_result_to_json(const struct pg_result *r)
{
	cJSON *root = cJSON_CreateObject(), *mach, *arr, *load;
	size_t i, j, k;
	char *text, *copy;

	cJSON_AddItemToObject(root, "perfgate_result", cJSON_CreateNumber(PG_RESULT_VERSION));
	add_str(root, "created", r->created);
	if (r->has_commit)
		add_str(root, "commit", r->commit);
	else
		cJSON_AddItemToObject(root, "commit", cJSON_CreateNull());
	cJSON_AddItemToObject(root, "dirty", cJSON_CreateBool(r->dirty));
	add_str(root, "config_hash", r->config_hash);

	mach = cJSON_CreateObject();
	add_str(mach, "cpu_model", r->machine.cpu_model);
	cJSON_AddItemToObject(mach, "cores", cJSON_CreateNumber(r->machine.cores));
	add_str(mach, "kernel", r->machine.kernel);
	add_str(mach, "hostname", r->machine.hostname);
	load = cJSON_CreateArray();
	for (i = 0; i < 3; i++)
		cJSON_AddItemToArray(load, num(r->machine.load_avg[i]));
	cJSON_AddItemToObject(mach, "load_avg", load);
	add_str(mach, "fingerprint", r->machine.fingerprint);
	cJSON_AddItemToObject(root, "machine", mach);

	arr = cJSON_CreateArray();
	for (i = 0; i < r->nr_benches; i++) {
		const struct pg_result_bench *b = &r->benches[i];
		cJSON *jb = cJSON_CreateObject(), *jm = cJSON_CreateArray(),
		      *jw = cJSON_CreateArray();

		add_str(jb, "name", b->name);
		cJSON_AddItemToObject(jb, "runs", cJSON_CreateNumber(b->runs));
		cJSON_AddItemToObject(jb, "warmup", cJSON_CreateNumber(b->warmup));
		cJSON_AddItemToObject(jb, "ignored_exits", cJSON_CreateNumber(b->ignored_exits));
		cJSON_AddItemToObject(jb, "status", cJSON_CreateNumber(b->status));
		if (b->error)
			add_str(jb, "error", b->error);
		else
			cJSON_AddItemToObject(jb, "error", cJSON_CreateNull());
		for (j = 0; j < b->nr_warnings; j++) {
			char *clean = pg_utf8_clean(b->warnings[j]);

			cJSON_AddItemToArray(jw, cJSON_CreateString(clean));
			free(clean);
		}
		cJSON_AddItemToObject(jb, "warnings", jw);
		for (j = 0; j < b->nr_metrics; j++) {
			const struct pg_metric *m = &b->metrics[j];
			cJSON *o = cJSON_CreateObject(), *s = cJSON_CreateArray();

			add_str(o, "name", m->name);
			add_str(o, "unit", m->unit);
			cJSON_AddItemToObject(o, "direction",
					      cJSON_CreateString(pg_direction_name(m->dir)));
			for (k = 0; k < m->nr_samples; k++)
				cJSON_AddItemToArray(s, num(m->samples[k]));
			cJSON_AddItemToObject(o, "samples", s);
			cJSON_AddItemToArray(jm, o);
		}
		cJSON_AddItemToObject(jb, "metrics", jm);
		cJSON_AddItemToArray(arr, jb);
	}
	cJSON_AddItemToObject(root, "benchmarks", arr);
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		pg_die_oom(0);
	/* cJSON allocates with its own hooks; hand back our own allocation. */
	copy = pg_xasprintf("%s\n", text);
	cJSON_free(text);
	return copy;
}

int pg_result_save(const struct pg_result *r, const char *path, struct pg_err *err)
{
	const char *prev = pg_oom_while("writing the results");
	char *text = pg_result_to_json(r);
	int ret = pg_file_write(path, text, strlen(text), err);

	free(text);
	pg_oom_while(prev);
	return ret;
}

/* ---- load ---- */

static int get_str(const cJSON *obj, const char *key, bool nullable, const char **out,
		   const char *name, const char *where, struct pg_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (nullable && (!v || cJSON_IsNull(v)))
		return 0;
	if (!cJSON_IsString(v))
		return pg_err_set(err, PG_ERR_USAGE, "%s: %s%s: expected a string", name, where,
				  key);
	*out = v->valuestring;
	return 0;
}

static int get_num(const cJSON *obj, const char *key, double lo, double hi, double *out,
		   const char *name, const char *where, struct pg_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < lo ||
	    v->valuedouble > hi)
		return pg_err_set(err, PG_ERR_USAGE, "%s: %s%s: expected a number in [%g, %g]",
				  name, where, key, lo, hi);
	*out = v->valuedouble;
	return 0;
}

/*
 * Bad bytes become U+FFFD and a long value is cut at a character boundary,
 * as pg_result_to_json would write it: so the fingerprint computed from the
 * fields is the same after a save and a load (found by fuzz_result).
 */
static void copy_field(char *dst, size_t size, const char *s)
{
	char *clean = pg_utf8_clean(s ? s : "");
	size_t n = strlen(clean);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)clean[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, clean, n);
	dst[n] = '\0';
	free(clean);
}

int pg_result_from_json(struct pg_result *r, const char *name, const char *data, size_t len,
			struct pg_err *err)
{
	cJSON *root = NULL;
	const cJSON *v, *mach, *benches, *jb;
	const char *s;
	char *clean = NULL;
	double d;
	char where[128];
	int ret = -1, bi = 0;
	size_t i;

	if (pg_json_parse(&root, name, data, len, PG_JSON_MAX_DEPTH, err) < 0)
		return -1;
	if (!cJSON_IsObject(root)) {
		pg_err_set(err, PG_ERR_USAGE, "%s: not a perfgate result (expected an object)",
			   name);
		goto done;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "perfgate_result");
	if (!cJSON_IsNumber(v)) {
		pg_err_set(err, PG_ERR_USAGE, "%s: not a perfgate result (no \"perfgate_result\")",
			   name);
		goto done;
	}
	if (v->valuedouble != PG_RESULT_VERSION) {
		pg_err_set(err, PG_ERR_USAGE,
			   "%s: perfgate_result version %g is not supported (this is %d)", name,
			   v->valuedouble, PG_RESULT_VERSION);
		goto done;
	}
	if (get_str(root, "created", true, &s, name, "", err) < 0)
		goto done;
	copy_field(r->created, sizeof(r->created), s);
	if (get_str(root, "commit", true, &s, name, "", err) < 0)
		goto done;
	r->has_commit = s != NULL;
	copy_field(r->commit, sizeof(r->commit), s);
	v = cJSON_GetObjectItemCaseSensitive(root, "dirty");
	r->dirty = cJSON_IsTrue(v);
	if (get_str(root, "config_hash", true, &s, name, "", err) < 0)
		goto done;
	copy_field(r->config_hash, sizeof(r->config_hash), s);

	mach = cJSON_GetObjectItemCaseSensitive(root, "machine");
	if (cJSON_IsObject(mach)) {
		const cJSON *load;

		if (get_str(mach, "cpu_model", true, &s, name, "machine.", err) < 0)
			goto done;
		copy_field(r->machine.cpu_model, sizeof(r->machine.cpu_model), s);
		if (get_str(mach, "kernel", true, &s, name, "machine.", err) < 0)
			goto done;
		copy_field(r->machine.kernel, sizeof(r->machine.kernel), s);
		if (get_str(mach, "hostname", true, &s, name, "machine.", err) < 0)
			goto done;
		copy_field(r->machine.hostname, sizeof(r->machine.hostname), s);
		if (get_num(mach, "cores", 0, 1e6, &d, name, "machine.", err) < 0)
			goto done;
		r->machine.cores = (unsigned)d;
		load = cJSON_GetObjectItemCaseSensitive(mach, "load_avg");
		for (i = 0; i < 3; i++) {
			const cJSON *e =
			    cJSON_IsArray(load) ? cJSON_GetArrayItem(load, (int)i) : NULL;

			r->machine.load_avg[i] = cJSON_IsNumber(e) ? e->valuedouble : -1;
		}
		/* No machine recorded (as when "machine" is absent, which saves as
		 * empty fields): the fingerprint stays unknown, "" (fuzz_result). */
		if (r->machine.cpu_model[0] || r->machine.kernel[0] || r->machine.cores)
			pg_machine_fingerprint(&r->machine);
	}

	benches = cJSON_GetObjectItemCaseSensitive(root, "benchmarks");
	if (!cJSON_IsArray(benches)) {
		pg_err_set(err, PG_ERR_USAGE, "%s: \"benchmarks\": expected an array", name);
		goto done;
	}
	cJSON_ArrayForEach(jb, benches)
	{
		const cJSON *metrics, *jm, *warns, *w;
		struct pg_result_bench *b;
		int mi = 0;

		snprintf(where, sizeof(where), "benchmarks[%d].", bi);
		if (!cJSON_IsObject(jb)) {
			pg_err_set(err, PG_ERR_USAGE, "%s: benchmarks[%d]: expected an object",
				   name, bi);
			goto done;
		}
		if (get_str(jb, "name", false, &s, name, where, err) < 0)
			goto done;
		/*
		 * Names are kept as they will be saved (invalid UTF-8 as U+FFFD),
		 * so that two names that differ only in bad bytes are refused here
		 * rather than saved as twins that no longer load.
		 */
		clean = pg_utf8_clean(s);
		if (pg_result_find_bench(r, clean)) {
			pg_err_set(err, PG_ERR_USAGE, "%s: %sname: benchmark '%s' appears twice",
				   name, where, clean);
			goto done;
		}
		b = pg_result_bench(r, clean);
		free(clean);
		clean = NULL;
		if (get_num(jb, "runs", 0, 1e9, &d, name, where, err) < 0)
			goto done;
		b->runs = (unsigned)d;
		v = cJSON_GetObjectItemCaseSensitive(jb, "warmup");
		b->warmup = cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e9
				? (unsigned)v->valuedouble
				: 0;
		v = cJSON_GetObjectItemCaseSensitive(jb, "ignored_exits");
		b->ignored_exits = cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e9
				       ? (unsigned)v->valuedouble
				       : 0;
		v = cJSON_GetObjectItemCaseSensitive(jb, "status");
		b->status =
		    cJSON_IsNumber(v) && fabs(v->valuedouble) < 1e6 ? (int)v->valuedouble : 0;
		if (get_str(jb, "error", true, &s, name, where, err) < 0)
			goto done;
		if (s)
			b->error = pg_xstrdup(s);
		warns = cJSON_GetObjectItemCaseSensitive(jb, "warnings");
		cJSON_ArrayForEach(w, warns) if (cJSON_IsString(w))
		    pg_result_bench_warn(b, "%s", w->valuestring);
		metrics = cJSON_GetObjectItemCaseSensitive(jb, "metrics");
		if (!cJSON_IsArray(metrics)) {
			pg_err_set(err, PG_ERR_USAGE, "%s: %smetrics: expected an array", name,
				   where);
			goto done;
		}
		cJSON_ArrayForEach(jm, metrics)
		{
			const char *mname, *unit, *dir;
			const cJSON *samples, *e;
			struct pg_metric *m;
			char mwhere[192];
			int si = 0;

			snprintf(mwhere, sizeof(mwhere), "%smetrics[%d].", where, mi);
			if (!cJSON_IsObject(jm)) {
				pg_err_set(err, PG_ERR_USAGE, "%s: %s: expected an object", name,
					   mwhere);
				goto done;
			}
			if (get_str(jm, "name", false, &mname, name, mwhere, err) < 0 ||
			    get_str(jm, "unit", false, &unit, name, mwhere, err) < 0 ||
			    get_str(jm, "direction", false, &dir, name, mwhere, err) < 0)
				goto done;
			if (strcmp(dir, "lower") && strcmp(dir, "higher")) {
				pg_err_set(
				    err, PG_ERR_USAGE,
				    "%s: %sdirection: expected \"lower\" or \"higher\", not \"%s\"",
				    name, mwhere, dir);
				goto done;
			}
			clean = pg_utf8_clean(mname);
			if (pg_result_find_metric(b, clean)) {
				pg_err_set(err, PG_ERR_USAGE,
					   "%s: %sname: metric '%s' appears twice", name, mwhere,
					   clean);
				goto done;
			}
			m = pg_result_metric(b, clean, unit,
					     !strcmp(dir, "higher") ? PG_DIR_HIGHER : PG_DIR_LOWER);
			free(clean);
			clean = NULL;
			samples = cJSON_GetObjectItemCaseSensitive(jm, "samples");
			if (!cJSON_IsArray(samples)) {
				pg_err_set(err, PG_ERR_USAGE, "%s: %ssamples: expected an array",
					   name, mwhere);
				goto done;
			}
			cJSON_ArrayForEach(e, samples)
			{
				if (!cJSON_IsNumber(e) ||
				    pg_result_metric_add(m, e->valuedouble) < 0) {
					pg_err_set(err, PG_ERR_USAGE,
						   "%s: %ssamples[%d]: expected a finite number",
						   name, mwhere, si);
					goto done;
				}
				si++;
			}
			mi++;
		}
		bi++;
	}
	ret = 0;
done:
	free(clean);
	cJSON_Delete(root);
	if (ret < 0)
		pg_result_release(r);
	return ret;
}

int pg_result_load(struct pg_result *r, const char *path, struct pg_err *err)
{
	struct pg_buf buf = PG_BUF_INIT;
	int ret = -1;

	if (pg_file_read(path, PG_RESULT_MAX_BYTES, &buf, err) < 0)
		goto done;
	ret = pg_result_from_json(r, path, pg_buf_cstr(&buf), buf.len, err);
done:
	pg_buf_release(&buf);
	return ret;
}
