#include "report_attrib.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_svg.h"

static void add_name(struct pg_buf *out, const char *name)
{
	pg_text_visible(out, name);
}

static void cost(struct pg_buf *out, double v, const char *unit)
{
	pg_svg_format_cost(out, v, unit);
}

static void change(struct pg_buf *out, double before, double after, const char *unit)
{
	if (after - before > 0)
		pg_buf_addc(out, '+');
	cost(out, after - before, unit);
	if (before > 0)
		pg_buf_addf(out, " (%+.1f%%)", (after - before) / before * 100);
	else if (after > 0)
		pg_buf_adds(out, " (new)");
}

/* One cell padded to width (bytes; names come last so they may run on). */
static void cell(struct pg_buf *out, const struct pg_buf *c, int width)
{
	int pad = width - (int)c->len;

	pg_buf_adds(out, c->data ? c->data : "");
	while (pad-- > 0)
		pg_buf_addc(out, ' ');
	pg_buf_adds(out, "  ");
}

static void row(struct pg_buf *out, size_t rank, const struct pg_attrib_fn *f, const char *unit,
		bool by_self)
{
	struct pg_buf a = PG_BUF_INIT, b = PG_BUF_INIT, c = PG_BUF_INIT;
	double before = by_self ? f->self_before : f->total_before;
	double after = by_self ? f->self_after : f->total_after;

	cost(&a, before, unit);
	cost(&b, after, unit);
	change(&c, before, after, unit);
	pg_buf_addf(out, "  %2zu  ", rank);
	cell(out, &a, 11);
	cell(out, &b, 11);
	cell(out, &c, 22);
	add_name(out, f->name);
	if (f->touched)
		pg_buf_adds(out, "  [touched]");
	pg_buf_addc(out, '\n');
	pg_buf_release(&a);
	pg_buf_release(&b);
	pg_buf_release(&c);
}

static void leaves(struct pg_buf *out, const char *label, const struct pg_attrib_leaf *l, size_t n,
		   const char *unit)
{
	size_t i;

	pg_buf_addf(out, "\nhot leaves %s:\n", label);
	for (i = 0; i < n; i++) {
		pg_buf_addf(out, "  %5.1f%%  ", l[i].share * 100);
		cost(out, l[i].cost, unit);
		pg_buf_adds(out, "  ");
		add_name(out, l[i].name);
		pg_buf_addc(out, '\n');
	}
}

void pg_report_attrib_text(struct pg_buf *out, const struct pg_attrib *a, size_t top_n,
			   const char *before_name, const char *after_name)
{
	size_t i, n = top_n < a->nr_fns ? top_n : a->nr_fns;

	pg_buf_adds(out, "before: ");
	add_name(out, before_name);
	pg_buf_adds(out, "\nafter:  ");
	add_name(out, after_name);
	pg_buf_addf(out, "\ntotal:  ");
	cost(out, a->total_before, a->unit);
	pg_buf_adds(out, " -> ");
	cost(out, a->total_after, a->unit);
	pg_buf_adds(out, " per run, ");
	change(out, a->total_before, a->total_after, a->unit);
	pg_buf_addc(out, '\n');

	if (a->responsible >= 0) {
		const struct pg_attrib_fn *f = &a->fns[a->responsible];
		pg_buf_adds(out, "\nresponsible: ");
		add_name(out, f->name);
		pg_buf_adds(out, "  self ");
		change(out, f->self_before, f->self_after, a->unit);
		pg_buf_adds(out, " per run");
		if (f->touched)
			pg_buf_adds(out, "  [touched by the change]");
		pg_buf_addc(out, '\n');
		if (a->caller) {
			pg_buf_adds(out, "called from: ");
			add_name(out, a->caller);
			pg_buf_addc(out, '\n');
		}
		pg_buf_addf(out, "class: %s\nnext step: %s\n", pg_attrib_class_name(a->cls),
			    pg_attrib_next_step(a->cls));
	} else {
		pg_buf_adds(out, "\nresponsible: none (no function's self cost per run grew)\n");
	}

	pg_buf_addf(out, "\nby self cost per run (%s):\n  rank  before       after        change                  function\n",
		    a->unit);
	for (i = 0; i < n; i++)
		row(out, i + 1, &a->fns[i], a->unit, true);
	pg_buf_addf(out, "\nby inclusive cost per run (%s):\n  rank  before       after        change                  function\n",
		    a->unit);
	for (i = 0; i < n; i++)
		row(out, i + 1, &a->fns[a->by_total[i]], a->unit, false);
	leaves(out, "before", a->top_before, a->nr_top_before, a->unit);
	leaves(out, "after", a->top_after, a->nr_top_after, a->unit);
}

static cJSON *str(const char *s)
{
	struct pg_buf b = PG_BUF_INIT;
	cJSON *j;

	pg_text_visible(&b, s);
	j = cJSON_CreateString(pg_buf_cstr(&b));
	pg_buf_release(&b);
	if (!j)
		pg_die_oom(0);
	return j;
}

static void num(cJSON *o, const char *k, double v)
{
	if (!isfinite(v))
		v = 0; /* never NaN or Inf in JSON */
	if (!cJSON_AddNumberToObject(o, k, v))
		pg_die_oom(0);
}

static cJSON *fn_json(const struct pg_attrib_fn *f, const char *unit)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		pg_die_oom(0);
	cJSON_AddItemToObject(o, "name", str(f->name));
	num(o, "self_before", f->self_before);
	num(o, "self_after", f->self_after);
	num(o, "total_before", f->total_before);
	num(o, "total_after", f->total_after);
	cJSON_AddItemToObject(o, "unit", str(unit));
	cJSON_AddBoolToObject(o, "touched", f->touched);
	return o;
}

static cJSON *leaves_json(const struct pg_attrib_leaf *l, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	if (!arr)
		pg_die_oom(0);
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			pg_die_oom(0);
		cJSON_AddItemToObject(o, "name", str(l[i].name));
		num(o, "cost", l[i].cost);
		num(o, "share", l[i].share);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

char *pg_report_attrib_json(const struct pg_attrib *a, const char *before_name,
			    const char *after_name)
{
	cJSON *root = cJSON_CreateObject(), *fns;
	size_t i, n = a->nr_fns < PG_REPORT_ATTRIB_MAX_FNS ? a->nr_fns : PG_REPORT_ATTRIB_MAX_FNS;
	char *text, *out;

	if (!root)
		pg_die_oom(0);
	num(root, "version", 1);
	cJSON_AddItemToObject(root, "before", str(before_name));
	cJSON_AddItemToObject(root, "after", str(after_name));
	cJSON_AddItemToObject(root, "unit", str(a->unit));
	num(root, "total_before", a->total_before);
	num(root, "total_after", a->total_after);
	if (a->responsible >= 0) {
		cJSON *r = fn_json(&a->fns[a->responsible], a->unit);
		if (a->caller)
			cJSON_AddItemToObject(r, "caller", str(a->caller));
		else
			cJSON_AddNullToObject(r, "caller");
		cJSON_AddItemToObject(root, "responsible", r);
	} else {
		cJSON_AddNullToObject(root, "responsible");
	}
	cJSON_AddItemToObject(root, "class", str(pg_attrib_class_name(a->cls)));
	cJSON_AddItemToObject(root, "next_step", str(pg_attrib_next_step(a->cls)));
	cJSON_AddItemToObject(root, "top_leaves_before", leaves_json(a->top_before, a->nr_top_before));
	cJSON_AddItemToObject(root, "top_leaves_after", leaves_json(a->top_after, a->nr_top_after));
	fns = cJSON_CreateArray();
	if (!fns)
		pg_die_oom(0);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(fns, fn_json(&a->fns[i], a->unit));
	cJSON_AddItemToObject(root, "functions", fns);
	num(root, "functions_omitted", (double)(a->nr_fns - n));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		pg_die_oom(0);
	out = pg_xasprintf("%s\n", text);
	cJSON_free(text);
	return out;
}
