/*
 * bmf: the Bencher Metric Format renderer (see bmf.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bmf.h"

/* The object of benchmark name in root, added on first use. */
static cJSON *bench_obj(cJSON *root, const char *name)
{
	char *clean = pg_utf8_clean(name);
	cJSON *b = cJSON_GetObjectItemCaseSensitive(root, clean);

	if (!b) {
		b = cJSON_CreateObject();
		if (!b)
			pg_die_oom(0);
		cJSON_AddItemToObject(root, clean, b);
	}
	free(clean);
	return b;
}

static void add_measure(cJSON *bench, const char *metric, double value, double lo, double hi)
{
	char *clean;
	cJSON *m;

	if (!isfinite(value))
		return;
	clean = pg_utf8_clean(metric);
	if (cJSON_GetObjectItemCaseSensitive(bench, clean)) {
		free(clean);
		return; /* the first of two metrics of one name wins */
	}
	m = cJSON_CreateObject();
	if (!m)
		pg_die_oom(0);
	cJSON_AddItemToObject(m, "value", cJSON_CreateNumber(value));
	if (isfinite(lo) && isfinite(hi)) {
		cJSON_AddItemToObject(m, "lower_value", cJSON_CreateNumber(lo));
		cJSON_AddItemToObject(m, "upper_value", cJSON_CreateNumber(hi));
	}
	cJSON_AddItemToObject(bench, clean, m);
	free(clean);
}

static void finish(struct pg_buf *out, cJSON *root)
{
	cJSON *e, *next;
	char *text;

	/* A benchmark left without a measure says nothing: drop it. */
	for (e = root->child; e; e = next) {
		next = e->next;
		if (!e->child)
			cJSON_Delete(cJSON_DetachItemViaPointer(root, e));
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		pg_die_oom(0);
	pg_buf_adds(out, text);
	pg_buf_addc(out, '\n');
	cJSON_free(text);
}

void pg_bmf_render_result(struct pg_buf *out, const struct pg_result *r)
{
	cJSON *root = cJSON_CreateObject();
	size_t i, j;

	if (!root)
		pg_die_oom(0);
	for (i = 0; i < r->nr_benches; i++) {
		const struct pg_result_bench *b = &r->benches[i];
		cJSON *jb = bench_obj(root, b->name);

		for (j = 0; j < b->nr_metrics; j++) {
			struct pg_summary s;

			pg_metric_summary(&b->metrics[j], &s);
			if (s.n)
				add_measure(jb, b->metrics[j].name, s.median, s.min, s.max);
		}
	}
	finish(out, root);
}

void pg_bmf_render_report(struct pg_buf *out, const struct pg_report *rep)
{
	cJSON *root = cJSON_CreateObject();
	size_t i, k;

	if (!root)
		pg_die_oom(0);
	for (i = 0; i < rep->nr_metrics; i++) {
		const struct pg_report_metric *m = &rep->metrics[i];
		double lo = NAN, hi = NAN;

		for (k = 0; k < m->nr_head; k++) {
			if (!isfinite(m->head_samples[k]))
				continue;
			if (isnan(lo) || m->head_samples[k] < lo)
				lo = m->head_samples[k];
			if (isnan(hi) || m->head_samples[k] > hi)
				hi = m->head_samples[k];
		}
		add_measure(bench_obj(root, m->bench), m->metric, m->head_median, lo, hi);
	}
	finish(out, root);
}
