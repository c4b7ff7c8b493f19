#include "benchfmt.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NAME 1024 /* longest benchmark or metric name accepted */

const char *pg_benchfmt_name(enum pg_output_format fmt)
{
	switch (fmt) {
	case PG_OUTPUT_NONE:
		return "none";
	case PG_OUTPUT_GBENCH:
		return "google-benchmark";
	case PG_OUTPUT_HYPERFINE:
		return "hyperfine";
	case PG_OUTPUT_GO_TEST:
		return "go-test";
	case PG_OUTPUT_PYTEST:
		return "pytest-benchmark";
	case PG_OUTPUT_BMF:
		return "bmf";
	case PG_OUTPUT_LINES:
		return "lines";
	}
	return "unknown";
}

static bool contains_ci(const char *s, const char *needle)
{
	return strcasestr(s, needle) != NULL;
}

enum pg_direction pg_benchfmt_direction(const char *metric, const char *unit)
{
	static const char *const higher_names[] = {
		"per_second", "per_sec", "persecond", "throughput", "bandwidth", "ops_per", "qps",
		"rps", "items_per", "bytes_per", "speed", "score", NULL,
	};
	size_t i, ul = unit ? strlen(unit) : 0;

	if (ul >= 2 && (!strcmp(unit + ul - 2, "/s") || (ul >= 4 && !strcmp(unit + ul - 4, "/sec"))))
		return PG_DIR_HIGHER;
	if (unit && (!strcasecmp(unit, "hz") || !strcasecmp(unit, "ops") || !strcasecmp(unit, "qps")))
		return PG_DIR_HIGHER;
	for (i = 0; higher_names[i]; i++)
		if (metric && contains_ci(metric, higher_names[i]))
			return PG_DIR_HIGHER;
	return PG_DIR_LOWER;
}

/* Nanoseconds per one of unit, or 0 when unit is not a time unit. */
static double time_scale(const char *unit)
{
	if (!strcmp(unit, "ns"))
		return 1;
	if (!strcmp(unit, "us") || !strcmp(unit, "\xc2\xb5s") || !strcmp(unit, "\xce\xbcs"))
		return 1e3;
	if (!strcmp(unit, "ms"))
		return 1e6;
	if (!strcmp(unit, "s"))
		return 1e9;
	return 0;
}

static double size_scale(const char *unit)
{
	static const struct {
		const char *u;
		double f;
	} t[] = {
		{ "B", 1 },	     { "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
		{ "KB", 1e3 },	     { "kB", 1e3 },     { "MB", 1e6 },        { "GB", 1e9 },
		{ "bytes", 1 },
	};
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(t); i++)
		if (!strcmp(unit, t[i].u))
			return t[i].f;
	return 0;
}

static int add(struct pg_result_bench *b, const char *sub, const char *metric, const char *unit,
	       enum pg_direction dir, double v, const char *name, const char *where,
	       struct pg_err *err)
{
	char *full;
	struct pg_metric *m;

	if (!isfinite(v))
		return pg_err_set(err, PG_ERR_INFRA, "%s: %s: not a finite number", name, where);
	if (strlen(sub) + strlen(metric) > MAX_NAME)
		return pg_err_set(err, PG_ERR_INFRA, "%s: %s: name longer than %d bytes", name, where,
				  MAX_NAME);
	full = pg_xasprintf("%s/%s", sub, metric);
	m = pg_result_metric(b, full, unit, dir);
	free(full);
	pg_result_metric_add(m, v);
	return 0;
}

/* ---- JSON formats ---- */

static const cJSON *field(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int want_number(const cJSON *v, double *out, const char *name, const char *where,
		       struct pg_err *err)
{
	if (!cJSON_IsNumber(v))
		return pg_err_set(err, PG_ERR_INFRA, "%s: %s: expected a number", name, where);
	if (!isfinite(v->valuedouble))
		return pg_err_set(err, PG_ERR_INFRA, "%s: %s: not a finite number", name, where);
	*out = v->valuedouble;
	return 0;
}

static const char *const gbench_known[] = {
	"name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
	"repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit",
	"aggregate_name", "aggregate_unit", "error_occurred", "error_message", "label", "big_o",
	"rms", "complexity_n", "skipped", "skip_message", NULL,
};

static bool known_key(const char *k)
{
	size_t i;

	for (i = 0; gbench_known[i]; i++)
		if (!strcmp(gbench_known[i], k))
			return true;
	return false;
}

static int parse_gbench(const cJSON *root, const char *name, struct pg_result_bench *b,
			struct pg_benchfmt_info *info, struct pg_err *err)
{
	const cJSON *arr = field(root, "benchmarks"), *row;
	char where[MAX_NAME + 64];
	int i = 0;

	if (!cJSON_IsObject(root) || !cJSON_IsArray(arr))
		return pg_err_set(err, PG_ERR_INFRA,
				  "%s: not Google Benchmark JSON (no \"benchmarks\" array)", name);
	cJSON_ArrayForEach(row, arr)
	{
		const cJSON *v, *c;
		const char *bname, *tu = "ns";
		double scale, x;

		snprintf(where, sizeof(where), "benchmarks[%d]", i++);
		if (!cJSON_IsObject(row))
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s: expected an object", name, where);
		v = field(row, "name");
		if (!cJSON_IsString(v))
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s.name: expected a string", name, where);
		bname = v->valuestring;
		v = field(row, "run_type");
		if (cJSON_IsString(v) && !strcmp(v->valuestring, "aggregate")) {
			info->skipped++;
			continue;
		}
		if (cJSON_IsTrue(field(row, "error_occurred"))) {
			v = field(row, "error_message");
			return pg_err_set(err, PG_ERR_INFRA, "%s: benchmark '%s' reported an error: %s",
					  name, bname, cJSON_IsString(v) ? v->valuestring : "(no message)");
		}
		if (cJSON_IsTrue(field(row, "skipped")) || cJSON_IsNumber(field(row, "skipped"))) {
			if (!cJSON_IsNumber(field(row, "skipped")) || field(row, "skipped")->valueint) {
				info->skipped++;
				continue;
			}
		}
		v = field(row, "time_unit");
		if (v && !cJSON_IsString(v))
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s.time_unit: expected a string", name,
					  where);
		if (v)
			tu = v->valuestring;
		scale = time_scale(tu);
		if (scale == 0)
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s.time_unit: unknown unit '%s'", name,
					  where, tu);
		snprintf(where, sizeof(where), "benchmarks[%d].real_time", i - 1);
		if (want_number(field(row, "real_time"), &x, name, where, err) < 0 ||
		    add(b, bname, "real_time", "ns", PG_DIR_LOWER, x * scale, name, where, err) < 0)
			return -1;
		snprintf(where, sizeof(where), "benchmarks[%d].cpu_time", i - 1);
		if (want_number(field(row, "cpu_time"), &x, name, where, err) < 0 ||
		    add(b, bname, "cpu_time", "ns", PG_DIR_LOWER, x * scale, name, where, err) < 0)
			return -1;
		cJSON_ArrayForEach(c, row)
		{
			const char *unit = "";

			if (!c->string || known_key(c->string) || !cJSON_IsNumber(c))
				continue;
			if (!strcmp(c->string, "bytes_per_second"))
				unit = "B/s";
			else if (!strcmp(c->string, "items_per_second"))
				unit = "1/s";
			snprintf(where, sizeof(where), "benchmarks[%d].%.200s", i - 1, c->string);
			if (add(b, bname, c->string, unit, pg_benchfmt_direction(c->string, unit),
				c->valuedouble, name, where, err) < 0)
				return -1;
		}
		info->rows++;
	}
	if (!info->rows)
		return pg_err_set(err, PG_ERR_INFRA, "%s: no benchmark rows (only %zu aggregate rows)",
				  name, info->skipped);
	return 0;
}

static int parse_hyperfine(const cJSON *root, const char *name, struct pg_result_bench *b,
			   struct pg_benchfmt_info *info, struct pg_err *err)
{
	const cJSON *arr = field(root, "results"), *row;
	char where[128];
	int i = 0;

	if (!cJSON_IsObject(root) || !cJSON_IsArray(arr))
		return pg_err_set(err, PG_ERR_INFRA, "%s: not hyperfine JSON (no \"results\" array)",
				  name);
	cJSON_ArrayForEach(row, arr)
	{
		const cJSON *cmd, *times, *t;
		double x;
		int j = 0;

		snprintf(where, sizeof(where), "results[%d]", i);
		if (!cJSON_IsObject(row))
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s: expected an object", name, where);
		cmd = field(row, "command");
		if (!cJSON_IsString(cmd))
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s.command: expected a string", name,
					  where);
		times = field(row, "times");
		if (cJSON_IsArray(times) && cJSON_GetArraySize(times) > 0) {
			cJSON_ArrayForEach(t, times)
			{
				snprintf(where, sizeof(where), "results[%d].times[%d]", i, j++);
				if (want_number(t, &x, name, where, err) < 0 ||
				    add(b, cmd->valuestring, "wall", "ns", PG_DIR_LOWER, x * 1e9, name, where,
					err) < 0)
					return -1;
			}
		} else {
			snprintf(where, sizeof(where), "results[%d].mean", i);
			if (want_number(field(row, "mean"), &x, name, where, err) < 0 ||
			    add(b, cmd->valuestring, "wall", "ns", PG_DIR_LOWER, x * 1e9, name, where, err) < 0)
				return -1;
		}
		i++;
		info->rows++;
	}
	if (!info->rows)
		return pg_err_set(err, PG_ERR_INFRA, "%s: no results", name);
	return 0;
}

static int parse_pytest(const cJSON *root, const char *name, struct pg_result_bench *b,
			struct pg_benchfmt_info *info, struct pg_err *err)
{
	const cJSON *arr = field(root, "benchmarks"), *row;
	char where[128];
	int i = 0;

	if (!cJSON_IsObject(root) || !cJSON_IsArray(arr))
		return pg_err_set(err, PG_ERR_INFRA,
				  "%s: not pytest-benchmark JSON (no \"benchmarks\" array)", name);
	cJSON_ArrayForEach(row, arr)
	{
		const cJSON *bn, *stats, *data, *t;
		double x;
		int j = 0;

		snprintf(where, sizeof(where), "benchmarks[%d]", i);
		if (!cJSON_IsObject(row))
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s: expected an object", name, where);
		bn = field(row, "name");
		if (!cJSON_IsString(bn))
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s.name: expected a string", name, where);
		stats = field(row, "stats");
		if (!cJSON_IsObject(stats))
			return pg_err_set(err, PG_ERR_INFRA, "%s: %s.stats: expected an object", name,
					  where);
		data = field(stats, "data");
		if (cJSON_IsArray(data) && cJSON_GetArraySize(data) > 0) {
			cJSON_ArrayForEach(t, data)
			{
				snprintf(where, sizeof(where), "benchmarks[%d].stats.data[%d]", i, j++);
				if (want_number(t, &x, name, where, err) < 0 ||
				    add(b, bn->valuestring, "time", "ns", PG_DIR_LOWER, x * 1e9, name, where,
					err) < 0)
					return -1;
			}
		} else {
			snprintf(where, sizeof(where), "benchmarks[%d].stats.median", i);
			if (want_number(field(stats, "median"), &x, name, where, err) < 0 ||
			    add(b, bn->valuestring, "time", "ns", PG_DIR_LOWER, x * 1e9, name, where, err) < 0)
				return -1;
		}
		i++;
		info->rows++;
	}
	if (!info->rows)
		return pg_err_set(err, PG_ERR_INFRA, "%s: no benchmarks", name);
	return 0;
}

static int parse_bmf(const cJSON *root, const char *name, struct pg_result_bench *b,
		     struct pg_benchfmt_info *info, struct pg_err *err)
{
	const cJSON *bench, *measure;
	char where[2 * MAX_NAME + 64];

	if (!cJSON_IsObject(root))
		return pg_err_set(err, PG_ERR_INFRA,
				  "%s: not Bencher Metric Format (expected an object of benchmarks)", name);
	cJSON_ArrayForEach(bench, root)
	{
		if (!cJSON_IsObject(bench))
			return pg_err_set(err, PG_ERR_INFRA, "%s: \"%.200s\": expected an object of measures",
					  name, bench->string);
		cJSON_ArrayForEach(measure, bench)
		{
			const char *unit = "";
			double x;

			snprintf(where, sizeof(where), "\"%.200s\".\"%.200s\".value", bench->string,
				 measure->string);
			if (!cJSON_IsObject(measure))
				return pg_err_set(err, PG_ERR_INFRA, "%s: \"%.200s\".\"%.200s\": expected an object",
						  name, bench->string, measure->string);
			if (want_number(field(measure, "value"), &x, name, where, err) < 0)
				return -1;
			if (!strcmp(measure->string, "latency"))
				unit = "ns";
			else if (!strcmp(measure->string, "throughput"))
				unit = "ops/s";
			if (add(b, bench->string, measure->string, unit,
				pg_benchfmt_direction(measure->string, unit), x, name, where, err) < 0)
				return -1;
			info->rows++;
		}
	}
	if (!info->rows)
		return pg_err_set(err, PG_ERR_INFRA, "%s: no measures", name);
	return 0;
}

/* ---- text formats ---- */

/* A strict number: digits with optional sign, point and exponent; no nan/inf/hex. */
static bool read_number(const char *p, const char *end, double *out, const char **after)
{
	const char *q = p;
	char buf[128];
	size_t n;

	if (q < end && (*q == '-' || *q == '+'))
		q++;
	if (q >= end || !(isdigit((unsigned char)*q) || (*q == '.' && q + 1 < end && isdigit((unsigned char)q[1]))))
		return false;
	while (q < end && (isdigit((unsigned char)*q) || *q == '.'))
		q++;
	if (q < end && (*q == 'e' || *q == 'E')) {
		const char *e = q + 1;

		if (e < end && (*e == '-' || *e == '+'))
			e++;
		if (e < end && isdigit((unsigned char)*e)) {
			while (e < end && isdigit((unsigned char)*e))
				e++;
			q = e;
		}
	}
	n = (size_t)(q - p);
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	*after = q;
	return true;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

static int parse_go(const char *name, const char *data, size_t len, struct pg_result_bench *b,
		    struct pg_benchfmt_info *info, struct pg_err *err)
{
	const char *p = data, *end = data + len;
	unsigned lineno = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q, *nend;
		char bname[MAX_NAME + 1], where[MAX_NAME + 64];
		double iters;

		if (!eol)
			eol = end;
		lineno++;
		if (eol - p >= 8 && !memcmp(p, "--- FAIL", 8))
			return pg_err_set(err, PG_ERR_INFRA, "%s:%u:1: go test reported a failure: %.*s",
					  name, lineno, (int)(eol - p > 200 ? 200 : eol - p), p);
		if (eol - p < 9 || memcmp(p, "Benchmark", 9)) {
			info->skipped++;
			p = eol + 1;
			continue;
		}
		q = p;
		while (q < eol && *q != ' ' && *q != '\t')
			q++;
		nend = q;
		q = skip_ws(q, eol);
		/* "BenchmarkX" alone on a line is the name printed before a -v run's output. */
		if (!read_number(q, eol, &iters, &q)) {
			info->skipped++;
			p = eol + 1;
			continue;
		}
		if ((size_t)(nend - p) > MAX_NAME)
			return pg_err_set(err, PG_ERR_INFRA, "%s:%u:1: benchmark name longer than %d bytes",
					  name, lineno, MAX_NAME);
		memcpy(bname, p, (size_t)(nend - p));
		bname[nend - p] = '\0';
		for (;;) {
			const char *us, *vs;
			char unit[128];
			double v;

			q = skip_ws(q, eol);
			if (q >= eol)
				break;
			vs = q;
			if (!read_number(q, eol, &v, &q)) {
				return pg_err_set(err, PG_ERR_INFRA, "%s:%u:%u: expected a number", name,
						  lineno, (unsigned)(vs - p) + 1);
			}
			q = skip_ws(q, eol);
			us = q;
			while (q < eol && *q != ' ' && *q != '\t' && *q != '\r')
				q++;
			if (q == us || (size_t)(q - us) >= sizeof(unit))
				return pg_err_set(err, PG_ERR_INFRA, "%s:%u:%u: expected a unit after %g", name,
						  lineno, (unsigned)(us - p) + 1, v);
			memcpy(unit, us, (size_t)(q - us));
			unit[q - us] = '\0';
			snprintf(where, sizeof(where), "%u:%u", lineno, (unsigned)(vs - p) + 1);
			if (!isfinite(v))
				return pg_err_set(err, PG_ERR_INFRA, "%s:%s: not a finite number", name, where);
			if (add(b, bname, unit, unit, pg_benchfmt_direction(unit, unit), v, name, where,
				err) < 0)
				return -1;
		}
		info->rows++;
		p = eol + 1;
	}
	if (!info->rows)
		return pg_err_set(err, PG_ERR_INFRA, "%s: no 'Benchmark...' result lines", name);
	return 0;
}

static int parse_lines(const char *name, const char *data, size_t len, struct pg_result_bench *b,
		       struct pg_benchfmt_info *info, struct pg_err *err)
{
	const char *p = data, *end = data + len;
	unsigned lineno = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *colon = NULL, *q, *s, *ns, *ne;
		char mname[MAX_NAME + 1], unit[64] = "";
		double v, scale;

		if (!eol)
			eol = end;
		lineno++;
		s = skip_ws(p, eol);
		if (s >= eol || *s == '#')
			goto next;
		/* The last ": " whose rest is "value [unit]". */
		for (q = eol - 1; q >= s; q--) {
			const char *r, *us;
			double x;

			if (*q != ':')
				continue;
			r = skip_ws(q + 1, eol);
			if (r == q + 1 && r < eol)
				continue; /* "a:b" is not a separator */
			if (!read_number(r, eol, &x, &r))
				continue;
			us = r = skip_ws(r, eol);
			while (r < eol && *r != ' ' && *r != '\t' && *r != '\r')
				r++;
			if (skip_ws(r, eol) != eol || (size_t)(r - us) >= sizeof(unit))
				continue;
			memcpy(unit, us, (size_t)(r - us));
			unit[r - us] = '\0';
			v = x;
			colon = q;
			break;
		}
		if (!colon) {
			info->skipped++;
			goto next;
		}
		ns = s;
		ne = colon;
		while (ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		if (ne == ns) {
			info->skipped++;
			goto next;
		}
		if ((size_t)(ne - ns) > MAX_NAME)
			return pg_err_set(err, PG_ERR_INFRA, "%s:%u:1: name longer than %d bytes", name,
					  lineno, MAX_NAME);
		if (!isfinite(v))
			return pg_err_set(err, PG_ERR_INFRA, "%s:%u:%u: not a finite number", name, lineno,
					  (unsigned)(skip_ws(colon + 1, eol) - p) + 1);
		memcpy(mname, ns, (size_t)(ne - ns));
		mname[ne - ns] = '\0';
		if ((scale = time_scale(unit)) != 0) {
			v *= scale;
			snprintf(unit, sizeof(unit), "ns");
		} else if ((scale = size_scale(unit)) != 0) {
			v *= scale;
			snprintf(unit, sizeof(unit), "bytes");
		}
		{
			struct pg_metric *m = pg_result_metric(b, mname, unit,
							       pg_benchfmt_direction(mname, unit));
			pg_result_metric_add(m, v);
		}
		info->rows++;
next:
		p = eol + 1;
	}
	if (!info->rows)
		return pg_err_set(err, PG_ERR_INFRA, "%s: no 'name: value unit' lines", name);
	return 0;
}

/* Append every metric of from to to. */
static void merge(struct pg_result_bench *to, const struct pg_result_bench *from)
{
	size_t i, j;

	for (i = 0; i < from->nr_metrics; i++) {
		const struct pg_metric *f = &from->metrics[i];
		struct pg_metric *m = pg_result_metric(to, f->name, f->unit, f->dir);

		for (j = 0; j < f->nr_samples; j++)
			pg_result_metric_add(m, f->samples[j]);
	}
}

int pg_benchfmt_parse(enum pg_output_format fmt, const char *name, const char *data, size_t len,
		      struct pg_result_bench *out, struct pg_benchfmt_info *info, struct pg_err *err)
{
	struct pg_result_bench tmp = { 0 };
	struct pg_benchfmt_info dummy;
	cJSON *root = NULL;
	int ret = -1;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	tmp.name = pg_xstrdup(out->name ? out->name : "");
	switch (fmt) {
	case PG_OUTPUT_NONE:
		ret = 0;
		goto done;
	case PG_OUTPUT_GO_TEST:
		ret = parse_go(name, data, len, &tmp, info, err);
		goto done;
	case PG_OUTPUT_LINES:
		ret = parse_lines(name, data, len, &tmp, info, err);
		goto done;
	case PG_OUTPUT_GBENCH:
	case PG_OUTPUT_HYPERFINE:
	case PG_OUTPUT_PYTEST:
	case PG_OUTPUT_BMF:
		break;
	}
	if (pg_json_parse(&root, name, data, len, PG_JSON_MAX_DEPTH, err) < 0) {
		err->kind = PG_ERR_INFRA;
		goto done;
	}
	if (fmt == PG_OUTPUT_GBENCH)
		ret = parse_gbench(root, name, &tmp, info, err);
	else if (fmt == PG_OUTPUT_HYPERFINE)
		ret = parse_hyperfine(root, name, &tmp, info, err);
	else if (fmt == PG_OUTPUT_PYTEST)
		ret = parse_pytest(root, name, &tmp, info, err);
	else
		ret = parse_bmf(root, name, &tmp, info, err);
done:
	if (ret == 0)
		merge(out, &tmp);
	cJSON_Delete(root);
	pg_result_bench_release(&tmp);
	return ret;
}
