/*
 * report_json: the JSON form of a gate report, and (until the model gets a
 * report.c of its own) the model's lifecycle and the text helpers that all
 * renderers share. See report.h.
 *
 * JSON owns: {"perfgate_report": 1, ...}, the versioned, complete form
 * that other tools and `perfgate comment` read. Numbers that are missing
 * or not finite are null (JSON has no NaN); strings are made valid UTF-8
 * (invalid bytes as visible "\xNN") so that every JSON reader accepts them;
 * control characters are kept and escaped by cJSON as \u00XX, so valid
 * names round-trip exactly. pg_report_from_json reads it back into the
 * model (null numbers come back NaN), for perfgate comment to render.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report.h"
#include "result.h"

/* ---- lifecycle ---- */

static char *dup_or_null(const char *s)
{
	return s ? pg_xstrdup(s) : NULL;
}

static void metric_release(struct pg_report_metric *m)
{
	free(m->bench);
	free(m->metric);
	free(m->unit);
	free(m->base_samples);
	free(m->head_samples);
	free(m->error);
	for (size_t i = 0; i < m->nr_checks; i++) {
		free(m->checks[i].message);
		free(m->checks[i].note);
		free(m->checks[i].warning);
	}
	free(m->checks);
}

void pg_report_release(struct pg_report *rep)
{
	free(rep->base_id);
	free(rep->base_subject);
	free(rep->head_id);
	free(rep->head_subject);
	free(rep->budget_file);
	free(rep->timestamp);
	free(rep->hostname);
	free(rep->error);
	for (size_t i = 0; i < rep->nr_notices; i++)
		free(rep->notices[i]);
	free(rep->notices);
	for (size_t i = 0; i < rep->nr_metrics; i++)
		metric_release(&rep->metrics[i]);
	free(rep->metrics);
	memset(rep, 0, sizeof(*rep));
}

void pg_report_set_commits(struct pg_report *rep, const char *base_id, const char *base_subject,
			   const char *head_id, const char *head_subject)
{
	free(rep->base_id);
	free(rep->base_subject);
	free(rep->head_id);
	free(rep->head_subject);
	rep->base_id = dup_or_null(base_id);
	rep->base_subject = dup_or_null(base_subject);
	rep->head_id = dup_or_null(head_id);
	rep->head_subject = dup_or_null(head_subject);
}

struct pg_report_metric *pg_report_add_metric(struct pg_report *rep, const char *bench,
					      const char *metric, const char *unit,
					      enum pg_report_direction direction)
{
	struct pg_report_metric *m;

	PG_GROW(rep->metrics, rep->nr_metrics + 1, rep->alloc_metrics);
	m = &rep->metrics[rep->nr_metrics++];
	memset(m, 0, sizeof(*m));
	m->bench = pg_xstrdup(bench ? bench : "");
	m->metric = pg_xstrdup(metric ? metric : "");
	m->unit = pg_xstrdup(unit ? unit : "");
	m->direction = direction;
	m->base_median = NAN;
	m->head_median = NAN;
	return m;
}

struct pg_report_metric *pg_report_find_metric(const struct pg_report *rep, const char *bench,
					       const char *metric)
{
	for (size_t i = 0; i < rep->nr_metrics; i++)
		if (!strcmp(rep->metrics[i].bench, bench) &&
		    !strcmp(rep->metrics[i].metric, metric))
			return &rep->metrics[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(const double *v, size_t n)
{
	double *tmp, med;
	size_t k = 0;

	tmp = pg_xreallocarray(NULL, n ? n : 1, sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			tmp[k++] = v[i];
	if (!k) {
		free(tmp);
		return NAN;
	}
	qsort(tmp, k, sizeof(*tmp), cmp_double);
	med = k % 2 ? tmp[k / 2] : (tmp[k / 2 - 1] + tmp[k / 2]) / 2;
	free(tmp);
	return med;
}

static double *copy_samples(const double *v, size_t n)
{
	double *c;

	if (!n)
		return NULL;
	c = pg_xreallocarray(NULL, n, sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	return c;
}

void pg_report_metric_set_samples(struct pg_report_metric *m, const double *base, size_t nr_base,
				  const double *head, size_t nr_head)
{
	free(m->base_samples);
	free(m->head_samples);
	m->base_samples = copy_samples(base, nr_base);
	m->nr_base = m->base_samples ? nr_base : 0;
	m->head_samples = copy_samples(head, nr_head);
	m->nr_head = m->head_samples ? nr_head : 0;
	m->base_median = median_of(m->base_samples, m->nr_base);
	m->head_median = median_of(m->head_samples, m->nr_head);
}

void pg_report_add_error(struct pg_report *rep, const char *bench, const char *message)
{
	bool found = false;

	if (!message)
		message = "failed";
	if (!bench) {
		if (rep->error) {
			char *joined = pg_xasprintf("%s; %s", rep->error, message);
			free(rep->error);
			rep->error = joined;
		} else {
			rep->error = pg_xstrdup(message);
		}
		return;
	}
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		struct pg_report_metric *m = &rep->metrics[i];

		if (strcmp(m->bench, bench))
			continue;
		found = true;
		if (!m->error)
			m->error = pg_xstrdup(message);
		for (size_t j = 0; j < m->nr_checks; j++) {
			m->checks[j].outcome = PG_REPORT_ERROR;
			free(m->checks[j].message);
			m->checks[j].message = pg_xasprintf("%s %s: %s", bench, m->metric, message);
		}
	}
	if (!found)
		pg_report_add_metric(rep, bench, "run", "", PG_REPORT_LOWER_IS_BETTER)->error =
		    pg_xstrdup(message);
}

void pg_report_add_notice(struct pg_report *rep, const char *notice)
{
	PG_GROW(rep->notices, rep->nr_notices + 1, rep->alloc_notices);
	rep->notices[rep->nr_notices++] = pg_xstrdup(notice ? notice : "");
}

struct pg_report_check *pg_report_metric_add_check(struct pg_report_metric *m,
						   enum pg_report_rule rule, double limit,
						   enum pg_report_outcome outcome,
						   const char *message)
{
	struct pg_report_check *c;

	PG_GROW(m->checks, m->nr_checks + 1, m->alloc_checks);
	c = &m->checks[m->nr_checks++];
	memset(c, 0, sizeof(*c));
	c->rule = rule;
	c->limit = limit;
	c->outcome = outcome;
	c->message = dup_or_null(message);
	return c;
}

/* ---- reading ---- */

void pg_report_count(const struct pg_report *rep, struct pg_report_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		const struct pg_report_metric *m = &rep->metrics[i];

		for (size_t j = 0; j < m->nr_checks; j++) {
			out->checks++;
			switch (m->checks[j].outcome) {
			case PG_REPORT_PASS:
				out->pass++;
				break;
			case PG_REPORT_FAIL:
				out->fail++;
				break;
			case PG_REPORT_INCONCLUSIVE:
				out->inconclusive++;
				break;
			case PG_REPORT_ERROR:
				out->error++;
				break;
			case PG_REPORT_SKIPPED:
				out->skipped++;
				break;
			}
		}
		/* A failed benchmark without a budget is still a failed run. */
		if (m->error && !m->nr_checks) {
			out->checks++;
			out->error++;
		}
	}
	if (rep->error) {
		out->checks++;
		out->error++;
	}
}

enum pg_report_outcome pg_report_overall(const struct pg_report *rep)
{
	struct pg_report_counts c;

	pg_report_count(rep, &c);
	if (c.fail)
		return PG_REPORT_FAIL;
	if (c.error)
		return PG_REPORT_ERROR;
	if (c.inconclusive)
		return PG_REPORT_INCONCLUSIVE;
	return PG_REPORT_PASS;
}

const char *pg_report_outcome_name(enum pg_report_outcome o)
{
	switch (o) {
	case PG_REPORT_PASS:
		return "pass";
	case PG_REPORT_FAIL:
		return "fail";
	case PG_REPORT_INCONCLUSIVE:
		return "inconclusive";
	case PG_REPORT_ERROR:
		return "error";
	case PG_REPORT_SKIPPED:
		return "skipped";
	}
	return "unknown";
}

const char *pg_report_verdict_name(enum pg_report_verdict v)
{
	switch (v) {
	case PG_REPORT_VERDICT_SAME:
		return "same";
	case PG_REPORT_VERDICT_DIFFERENT:
		return "different";
	case PG_REPORT_VERDICT_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

const char *pg_report_rule_name(enum pg_report_rule r)
{
	switch (r) {
	case PG_REPORT_RULE_MAX:
		return "max";
	case PG_REPORT_RULE_MIN:
		return "min";
	case PG_REPORT_RULE_REGRESS:
		return "regress";
	}
	return "unknown";
}

/* ---- text helpers ---- */

/* Length of the valid UTF-8 sequence at p (1..4) and its code point, or 0. */
static size_t utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp)
{
	unsigned c = p[0];
	size_t n;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2;
		v = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		v = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

void pg_report_visible(struct pg_buf *out, const char *s, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s, *end;

	pg_buf_grow(out, len);
	if (!s)
		return;
	end = p + len;
	while (p < end) {
		uint32_t cp;
		size_t n = utf8_seq(p, (size_t)(end - p), &cp);
		bool control;

		if (!n) {
			pg_buf_addf(out, "\\x%02x", *p);
			p++;
			continue;
		}
		control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xfffe ||
			  cp == 0xffff;
		if ((flags & PG_REPORT_KEEP_TAB_NL) && (cp == '\t' || cp == '\n'))
			control = false;
		if (flags & PG_REPORT_KEEP_CONTROLS)
			control = false;
		if (!control)
			pg_buf_add(out, p, n);
		else if (cp == '\t')
			pg_buf_adds(out, "\\t");
		else if (cp == '\n')
			pg_buf_adds(out, "\\n");
		else if (cp == '\r')
			pg_buf_adds(out, "\\r");
		else if (cp < 0x80)
			pg_buf_addf(out, "\\x%02x", (unsigned)cp);
		else
			pg_buf_addf(out, "\\u{%04x}", (unsigned)cp);
		p += n;
	}
}

void pg_report_visibles(struct pg_buf *out, const char *s, unsigned flags)
{
	pg_report_visible(out, s, s ? strlen(s) : 0, flags);
}

void pg_report_format_value(struct pg_buf *out, double v, const char *unit)
{
	static const char *const ns_units[] = {"ns", "µs", "ms", "s"};
	static const char *const byte_units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double a = fabs(v);
	size_t i = 0;

	if (!isfinite(v)) {
		pg_buf_adds(out, isnan(v) ? "n/a" : (v > 0 ? "inf" : "-inf"));
		return;
	}
	if (!unit)
		unit = "";
	if (!strcmp(unit, "ns")) {
		while (i + 1 < PG_ARRAY_SIZE(ns_units) && a >= 999.5) {
			a /= 1000;
			v /= 1000;
			i++;
		}
		pg_buf_addf(out, "%.3g %s", v, ns_units[i]);
	} else if (!strcmp(unit, "bytes")) {
		while (i + 1 < PG_ARRAY_SIZE(byte_units) && a >= 1023.5) {
			a /= 1024;
			v /= 1024;
			i++;
		}
		pg_buf_addf(out, "%.3g %s", v, byte_units[i]);
	} else if (!*unit || !strcmp(unit, "count")) {
		pg_buf_addf(out, "%.4g", v);
	} else {
		pg_buf_addf(out, "%.4g ", v);
		pg_report_visibles(out, unit, 0);
	}
}

void pg_report_format_pct(struct pg_buf *out, double fraction)
{
	double pct = fraction * 100;

	if (!isfinite(pct))
		pg_buf_adds(out, isnan(pct) ? "n/a" : (pct > 0 ? "+inf%" : "-inf%"));
	else if (fabs(pct) >= 9.95)
		pg_buf_addf(out, "%+.0f%%", pct);
	else
		pg_buf_addf(out, "%+.1f%%", pct);
}

void pg_report_format_rule(struct pg_buf *out, enum pg_report_rule rule, double limit,
			   const char *unit)
{
	pg_buf_adds(out, pg_report_rule_name(rule));
	pg_buf_addc(out, ' ');
	if (rule == PG_REPORT_RULE_REGRESS) {
		double pct = limit * 100;

		if (isfinite(pct) && pct == floor(pct))
			pg_buf_addf(out, "%.0f%%", pct);
		else
			pg_buf_addf(out, "%.3g%%", pct);
	} else {
		pg_report_format_value(out, limit, unit);
	}
}

/* ---- JSON ---- */

static void add_string(cJSON *obj, const char *key, const char *s)
{
	struct pg_buf b = PG_BUF_INIT;

	if (!s) {
		cJSON_AddNullToObject(obj, key);
		return;
	}
	pg_report_visibles(&b, s, PG_REPORT_KEEP_CONTROLS);
	cJSON_AddStringToObject(obj, key, pg_buf_cstr(&b));
	pg_buf_release(&b);
}

static cJSON *number_or_null(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add_number(cJSON *obj, const char *key, double v)
{
	cJSON_AddItemToObject(obj, key, number_or_null(v));
}

static cJSON *side(double median, const double *samples, size_t n)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();

	add_number(o, "median", median);
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, number_or_null(samples[i]));
	cJSON_AddItemToObject(o, "samples", arr);
	return o;
}

static cJSON *compare_json(const struct pg_report_compare *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "verdict", pg_report_verdict_name(c->verdict));
	add_number(o, "ratio", c->ratio);
	add_number(o, "effect_ratio", c->effect_ratio);
	add_number(o, "ci_low", c->ci_low);
	add_number(o, "ci_high", c->ci_high);
	add_number(o, "confidence", c->confidence);
	add_number(o, "p_value", c->p_value);
	add_number(o, "cv_base", c->cv_base);
	add_number(o, "cv_head", c->cv_head);
	add_number(o, "min_effect", c->min_effect);
	cJSON_AddNumberToObject(o, "runs_base", c->runs_base);
	cJSON_AddNumberToObject(o, "runs_head", c->runs_head);
	return o;
}

static cJSON *commit_json(const char *id, const char *subject)
{
	cJSON *o = cJSON_CreateObject();

	add_string(o, "commit", id);
	add_string(o, "subject", subject);
	return o;
}

void pg_report_render_json(struct pg_buf *out, const struct pg_report *rep)
{
	struct pg_report_counts counts;
	enum pg_report_outcome overall = pg_report_overall(rep);
	cJSON *root = cJSON_CreateObject(), *arr, *o;
	char *text;

	if (!root)
		pg_die_oom(0);
	pg_report_count(rep, &counts);
	cJSON_AddNumberToObject(root, "perfgate_report", PG_REPORT_JSON_VERSION);
	cJSON_AddStringToObject(root, "result", pg_report_outcome_name(overall));
	cJSON_AddItemToObject(root, "base", commit_json(rep->base_id, rep->base_subject));
	cJSON_AddItemToObject(root, "head", commit_json(rep->head_id, rep->head_subject));
	cJSON_AddStringToObject(root, "budgets_from", rep->budgets_from_base ? "base" : "head");
	cJSON_AddBoolToObject(root, "budgets_verified", rep->budgets_from_base);
	add_string(root, "budget_file", rep->budget_file);
	add_string(root, "timestamp", rep->timestamp);
	add_string(root, "hostname", rep->hostname);
	add_number(root, "duration_s", (double)rep->duration_ns / 1e9);
	add_string(root, "error", rep->error);

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "checks", (double)counts.checks);
	cJSON_AddNumberToObject(o, "pass", (double)counts.pass);
	cJSON_AddNumberToObject(o, "fail", (double)counts.fail);
	cJSON_AddNumberToObject(o, "inconclusive", (double)counts.inconclusive);
	cJSON_AddNumberToObject(o, "error", (double)counts.error);
	cJSON_AddNumberToObject(o, "skipped", (double)counts.skipped);
	cJSON_AddItemToObject(root, "counts", o);

	arr = cJSON_AddArrayToObject(root, "notices");
	for (size_t i = 0; i < rep->nr_notices; i++) {
		struct pg_buf b = PG_BUF_INIT;

		pg_report_visibles(&b, rep->notices[i], PG_REPORT_KEEP_CONTROLS);
		cJSON_AddItemToArray(arr, cJSON_CreateString(pg_buf_cstr(&b)));
		pg_buf_release(&b);
	}

	arr = cJSON_AddArrayToObject(root, "metrics");
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		const struct pg_report_metric *m = &rep->metrics[i];
		cJSON *checks;

		o = cJSON_CreateObject();
		add_string(o, "benchmark", m->bench);
		add_string(o, "metric", m->metric);
		add_string(o, "unit", m->unit);
		cJSON_AddStringToObject(o, "direction",
					m->direction == PG_REPORT_HIGHER_IS_BETTER
					    ? "higher_is_better"
					    : "lower_is_better");
		cJSON_AddItemToObject(o, "base", side(m->base_median, m->base_samples, m->nr_base));
		cJSON_AddItemToObject(o, "head", side(m->head_median, m->head_samples, m->nr_head));
		cJSON_AddItemToObject(o, "comparison",
				      m->has_cmp ? compare_json(&m->cmp) : cJSON_CreateNull());
		add_string(o, "error", m->error);
		checks = cJSON_AddArrayToObject(o, "checks");
		for (size_t j = 0; j < m->nr_checks; j++) {
			const struct pg_report_check *c = &m->checks[j];
			cJSON *co = cJSON_CreateObject();

			cJSON_AddStringToObject(co, "rule", pg_report_rule_name(c->rule));
			add_number(co, "limit", c->limit);
			cJSON_AddStringToObject(co, "outcome", pg_report_outcome_name(c->outcome));
			add_string(co, "message", c->message);
			add_string(co, "note", c->note);
			add_string(co, "warning", c->warning);
			cJSON_AddItemToArray(checks, co);
		}
		cJSON_AddItemToArray(arr, o);
	}

	text = cJSON_Print(root);
	if (!text)
		pg_die_oom(0);
	pg_buf_adds(out, text);
	pg_buf_addc(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}

/* ---- reading the JSON back ---- */

struct reader {
	const char *name;
	struct pg_err *err;
};

/* Fails with "NAME: WHERE: what" (WHERE's trailing '.' dropped). */
static int bad(struct reader *rd, const char *where, const char *what)
{
	size_t n = strlen(where);

	if (n && where[n - 1] == '.')
		n--;
	return pg_err_set(rd->err, PG_ERR_USAGE, "%s: %.*s: %s", rd->name, (int)n, where, what);
}

/* A string or null (*out NULL) at key; absent is null. */
static int get_string(struct reader *rd, const cJSON *obj, const char *key, const char *where,
		      char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char path[160];

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring) {
		snprintf(path, sizeof(path), "%s\"%s\"", where, key);
		return bad(rd, path, "expected a string or null");
	}
	*out = pg_xstrdup(v->valuestring);
	return 0;
}

/* A number or null (NaN) at key; absent is null. */
static int get_number(struct reader *rd, const cJSON *obj, const char *key, const char *where,
		      double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char path[160];

	*out = NAN;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v)) {
		snprintf(path, sizeof(path), "%s\"%s\"", where, key);
		return bad(rd, path, "expected a number or null");
	}
	*out = v->valuedouble;
	return 0;
}

static int get_count(struct reader *rd, const cJSON *obj, const char *key, const char *where,
		     unsigned *out)
{
	double v;

	if (get_number(rd, obj, key, where, &v) < 0)
		return -1;
	*out = isfinite(v) && v >= 0 && v <= 4294967295.0 ? (unsigned)v : 0;
	return 0;
}

/* The index of the name at key among names[n] (a required string). */
static int get_enum(struct reader *rd, const cJSON *obj, const char *key, const char *where,
		    const char *const *names, size_t n, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char path[160];

	snprintf(path, sizeof(path), "%s\"%s\"", where, key);
	if (!cJSON_IsString(v) || !v->valuestring)
		return bad(rd, path, "expected a string");
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v->valuestring, names[i])) {
			*out = (int)i;
			return 0;
		}
	return pg_err_set(rd->err, PG_ERR_USAGE, "%s: %s: unknown value '%.40s'", rd->name, path,
			  v->valuestring);
}

static int read_side(struct reader *rd, const cJSON *obj, const char *key, const char *where,
		     double *median, double **samples, size_t *n)
{
	const cJSON *side_obj = cJSON_GetObjectItemCaseSensitive(obj, key), *arr, *e;
	char path[160];
	size_t i = 0;

	*median = NAN;
	*samples = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s\"%s\".", where, key);
	if (!side_obj || cJSON_IsNull(side_obj))
		return 0;
	if (!cJSON_IsObject(side_obj))
		return bad(rd, path, "expected an object");
	if (get_number(rd, side_obj, "median", path, median) < 0)
		return -1;
	arr = cJSON_GetObjectItemCaseSensitive(side_obj, "samples");
	if (!arr || cJSON_IsNull(arr))
		return 0;
	strncat(path, "\"samples\"", sizeof(path) - strlen(path) - 1);
	if (!cJSON_IsArray(arr))
		return bad(rd, path, "expected an array");
	*samples = pg_xreallocarray(NULL, (size_t)cJSON_GetArraySize(arr) + 1, sizeof(double));
	cJSON_ArrayForEach(e, arr)
	{
		if (cJSON_IsNumber(e))
			(*samples)[i++] = e->valuedouble;
		else if (cJSON_IsNull(e))
			(*samples)[i++] = NAN;
		else
			return bad(rd, path, "expected numbers");
	}
	*n = i;
	if (!i) {
		free(*samples);
		*samples = NULL;
	}
	return 0;
}

static int read_compare(struct reader *rd, const cJSON *o, const char *where,
			struct pg_report_compare *c)
{
	static const char *const verdicts[] = {"same", "different", "unknown"};
	int v;

	if (get_enum(rd, o, "verdict", where, verdicts, PG_ARRAY_SIZE(verdicts), &v) < 0 ||
	    get_number(rd, o, "ratio", where, &c->ratio) < 0 ||
	    get_number(rd, o, "effect_ratio", where, &c->effect_ratio) < 0 ||
	    get_number(rd, o, "ci_low", where, &c->ci_low) < 0 ||
	    get_number(rd, o, "ci_high", where, &c->ci_high) < 0 ||
	    get_number(rd, o, "confidence", where, &c->confidence) < 0 ||
	    get_number(rd, o, "p_value", where, &c->p_value) < 0 ||
	    get_number(rd, o, "cv_base", where, &c->cv_base) < 0 ||
	    get_number(rd, o, "cv_head", where, &c->cv_head) < 0 ||
	    get_number(rd, o, "min_effect", where, &c->min_effect) < 0 ||
	    get_count(rd, o, "runs_base", where, &c->runs_base) < 0 ||
	    get_count(rd, o, "runs_head", where, &c->runs_head) < 0)
		return -1;
	c->verdict = (enum pg_report_verdict)v;
	return 0;
}

static int read_check(struct reader *rd, struct pg_report_metric *m, const cJSON *o,
		      const char *where)
{
	static const char *const rules[] = {"max", "min", "regress"};
	static const char *const outcomes[] = {"pass", "fail", "inconclusive", "error", "skipped"};
	struct pg_report_check *c;
	char *message = NULL;
	double limit;
	int rule, outcome;

	if (!cJSON_IsObject(o))
		return bad(rd, where, "expected an object");
	if (get_enum(rd, o, "rule", where, rules, PG_ARRAY_SIZE(rules), &rule) < 0 ||
	    get_enum(rd, o, "outcome", where, outcomes, PG_ARRAY_SIZE(outcomes), &outcome) < 0 ||
	    get_number(rd, o, "limit", where, &limit) < 0 ||
	    get_string(rd, o, "message", where, &message) < 0)
		return -1;
	c = pg_report_metric_add_check(m, (enum pg_report_rule)rule, limit,
				       (enum pg_report_outcome)outcome, message);
	free(message);
	if (get_string(rd, o, "note", where, &c->note) < 0 ||
	    get_string(rd, o, "warning", where, &c->warning) < 0)
		return -1;
	return 0;
}

static int read_metric(struct reader *rd, struct pg_report *rep, const cJSON *o, const char *where)
{
	static const char *const dirs[] = {"lower_is_better", "higher_is_better"};
	struct pg_report_metric *m;
	const cJSON *v, *e;
	char *bench = NULL, *metric = NULL, *unit = NULL, path[160];
	double *samples = NULL;
	size_t n, i = 0;
	int dir, ret = -1;

	if (!cJSON_IsObject(o))
		return bad(rd, where, "expected an object");
	if (get_string(rd, o, "benchmark", where, &bench) < 0 ||
	    get_string(rd, o, "metric", where, &metric) < 0 ||
	    get_string(rd, o, "unit", where, &unit) < 0 ||
	    get_enum(rd, o, "direction", where, dirs, PG_ARRAY_SIZE(dirs), &dir) < 0)
		goto done;
	if (!bench || !metric) {
		bad(rd, where, "\"benchmark\" and \"metric\" are required");
		goto done;
	}
	m = pg_report_add_metric(rep, bench, metric, unit, (enum pg_report_direction)dir);
	if (read_side(rd, o, "base", where, &m->base_median, &samples, &n) < 0)
		goto done;
	m->base_samples = samples;
	m->nr_base = n;
	samples = NULL;
	if (read_side(rd, o, "head", where, &m->head_median, &samples, &n) < 0)
		goto done;
	m->head_samples = samples;
	m->nr_head = n;
	samples = NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, "comparison");
	if (v && !cJSON_IsNull(v)) {
		struct pg_report_compare c = PG_REPORT_COMPARE_INIT;

		snprintf(path, sizeof(path), "%s\"comparison\".", where);
		if (!cJSON_IsObject(v)) {
			bad(rd, path, "expected an object or null");
			goto done;
		}
		if (read_compare(rd, v, path, &c) < 0)
			goto done;
		m->cmp = c;
		m->has_cmp = true;
	}
	if (get_string(rd, o, "error", where, &m->error) < 0)
		goto done;
	v = cJSON_GetObjectItemCaseSensitive(o, "checks");
	if (v && !cJSON_IsNull(v) && !cJSON_IsArray(v)) {
		bad(rd, where, "\"checks\": expected an array");
		goto done;
	}
	cJSON_ArrayForEach(e, v)
	{
		snprintf(path, sizeof(path), "%s\"checks\"[%zu].", where, i++);
		if (read_check(rd, m, e, path) < 0)
			goto done;
	}
	ret = 0;
done:
	free(bench);
	free(metric);
	free(unit);
	free(samples);
	return ret;
}

int pg_report_from_json(struct pg_report *rep, const char *name, const char *text, size_t len,
			struct pg_err *err)
{
	struct reader rd = {name, err};
	cJSON *root = NULL;
	const cJSON *v, *e;
	char *base_id = NULL, *base_subject = NULL, *head_id = NULL, *head_subject = NULL;
	char path[64];
	double d;
	size_t i = 0;
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	if (pg_json_parse(&root, name, text, len, PG_JSON_MAX_DEPTH, err) < 0)
		goto done;
	v = cJSON_GetObjectItemCaseSensitive(root, "perfgate_report");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(v)) {
		pg_err_set(err, PG_ERR_USAGE, "%s: not a perfgate report (no \"perfgate_report\")",
			   name);
		goto done;
	}
	if (v->valuedouble != PG_REPORT_JSON_VERSION) {
		pg_err_set(err, PG_ERR_USAGE,
			   "%s: perfgate_report version %g is not supported (this is %d)", name,
			   v->valuedouble, PG_REPORT_JSON_VERSION);
		goto done;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "base");
	if (v && !cJSON_IsNull(v) &&
	    (get_string(&rd, v, "commit", "\"base\".", &base_id) < 0 ||
	     get_string(&rd, v, "subject", "\"base\".", &base_subject) < 0))
		goto done;
	v = cJSON_GetObjectItemCaseSensitive(root, "head");
	if (v && !cJSON_IsNull(v) &&
	    (get_string(&rd, v, "commit", "\"head\".", &head_id) < 0 ||
	     get_string(&rd, v, "subject", "\"head\".", &head_subject) < 0))
		goto done;
	pg_report_set_commits(rep, base_id, base_subject, head_id, head_subject);
	rep->budgets_from_base =
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "budgets_verified"));
	if (get_string(&rd, root, "budget_file", "", &rep->budget_file) < 0 ||
	    get_string(&rd, root, "timestamp", "", &rep->timestamp) < 0 ||
	    get_string(&rd, root, "hostname", "", &rep->hostname) < 0 ||
	    get_string(&rd, root, "error", "", &rep->error) < 0 ||
	    get_number(&rd, root, "duration_s", "", &d) < 0)
		goto done;
	rep->duration_ns = isfinite(d) && d > 0 && d < 1e9 ? (uint64_t)llround(d * 1e9) : 0;

	v = cJSON_GetObjectItemCaseSensitive(root, "notices");
	if (v && !cJSON_IsNull(v) && !cJSON_IsArray(v)) {
		bad(&rd, "\"notices\"", "expected an array");
		goto done;
	}
	cJSON_ArrayForEach(e, v)
	{
		if (!cJSON_IsString(e) || !e->valuestring) {
			bad(&rd, "\"notices\"", "expected strings");
			goto done;
		}
		pg_report_add_notice(rep, e->valuestring);
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "metrics");
	if (!cJSON_IsArray(v)) {
		bad(&rd, "\"metrics\"", "expected an array");
		goto done;
	}
	cJSON_ArrayForEach(e, v)
	{
		snprintf(path, sizeof(path), "\"metrics\"[%zu].", i++);
		if (read_metric(&rd, rep, e, path) < 0)
			goto done;
	}
	ret = 0;
done:
	if (ret < 0)
		pg_report_release(rep);
	cJSON_Delete(root);
	free(base_id);
	free(base_subject);
	free(head_id);
	free(head_subject);
	return ret;
}
