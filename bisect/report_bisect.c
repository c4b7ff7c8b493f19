/*
 * report_bisect: text, Markdown and JSON of a bisect result (see report_bisect.h).
 */
#include "report_bisect.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_attrib.h"
#include "report_svg.h"

static void pct(struct pg_buf *out, double ratio)
{
	if (!isfinite(ratio) || ratio <= 0)
		pg_buf_adds(out, ratio > 0 ? "+inf%" : "?");
	else
		pg_buf_addf(out, "%+.1f%%", (ratio - 1) * 100);
}

void pg_report_bisect_effect(struct pg_buf *out, const struct pg_stats_verdict *v)
{
	pct(out, v->hl_ratio);
	if (v->zero_noise) {
		pg_buf_adds(out, " (exact)");
		return;
	}
	pg_buf_adds(out, " [");
	pct(out, v->ci_lo);
	pg_buf_adds(out, ", ");
	pct(out, v->ci_hi);
	pg_buf_addf(out, "] at %.4g%%", (1 - v->alpha) * 100);
}

static const char *verdict_words(const struct pg_stats_verdict *v)
{
	if (v->kind == PG_STATS_DIFFERENT)
		return v->change == PG_STATS_WORSE ? "different, worse" : "different, better";
	return pg_stats_kind_name(v->kind);
}

static const struct pg_attrib_fn *responsible(const struct pg_bisect_result *r)
{
	if (!r->profiled || r->profile_error || r->attrib.responsible < 0 || r->below_noise)
		return NULL;
	return &r->attrib.fns[r->attrib.responsible];
}

static void visible(struct pg_buf *out, const char *s)
{
	pg_text_visible(out, s ? s : "");
}

static const char *step_class(const struct pg_bisect_step *st)
{
	if (st->skipped)
		return "skipped";
	return st->cls == PG_BISECT_GOOD ? "good" : "bad";
}

static const char *skip_reason(const char *reason)
{
	return !strcmp(reason, "exit125") ? "the benchmark exited 125" : "build failed";
}

static void function_line(struct pg_buf *out, const struct pg_bisect_result *r, bool md)
{
	const struct pg_attrib_fn *f = responsible(r);

	if (!f) {
		pg_buf_addf(out, "%s%s",
			    r->profile_error ? "not named: "
			    : r->below_noise ? "not named: no function grew beyond the noise"
					     : "not named: nothing grew in the profile",
			    r->profile_error ? "" : "");
		if (r->below_noise) {
			const struct pg_attrib_fn *g = &r->attrib.fns[r->attrib.responsible];

			pg_buf_addf(out, " (largest: ");
			visible(out, g->name);
			if (r->before.unit == PG_PROF_INSTRUCTIONS)
				pg_buf_addf(out, ", +%.0f of %.4g instructions per run)",
					    g->self_after - g->self_before, r->attrib.total_before);
			else
				pg_buf_addf(out, ", %.1f sigma, %.0f profiled runs a side)",
					    r->attrib_z, r->before.runs);
		}
		if (r->profile_error)
			visible(out, r->profile_error);
		return;
	}
	if (md)
		pg_buf_adds(out, "`");
	visible(out, f->name);
	if (md)
		pg_buf_adds(out, "`");
	pg_buf_adds(out, f->touched ? " (touched by the commit)"
				    : " (not touched by the commit's diff: a macro, callee or data it uses?)");
	pg_buf_adds(out, ": self ");
	pg_svg_format_cost(out, f->self_before, r->attrib.unit);
	pg_buf_adds(out, " -> ");
	pg_svg_format_cost(out, f->self_after, r->attrib.unit);
	pg_buf_adds(out, " per run (");
	if (f->self_before > 0)
		pct(out, f->self_after / f->self_before);
	else
		pg_buf_adds(out, "new");
	pg_buf_addf(out, "), class %s", pg_attrib_class_name(r->attrib.cls));
	if (r->attrib.caller) {
		pg_buf_adds(out, ", called from ");
		visible(out, r->attrib.caller);
	}
}

void pg_report_bisect_text(struct pg_buf *out, const struct pg_bisect_result *r)
{
	char s7[8], s7b[8];
	size_t i;

	switch (r->status) {
	case PG_BISECT_FOUND:
	case PG_BISECT_UNCONFIRMED:
		pg_buf_addf(out, "%s: %s\n",
			    r->status == PG_BISECT_FOUND ? "first bad commit"
							 : "first bad commit (NOT confirmed)",
			    r->culprit);
		pg_buf_adds(out, "subject:   ");
		visible(out, r->has_info ? r->info.subject : "");
		pg_buf_adds(out, "\nauthor:    ");
		visible(out, r->has_info ? r->info.author_name : "");
		pg_buf_adds(out, " <");
		visible(out, r->has_info ? r->info.author_email : "");
		pg_buf_addf(out, ">\neffect:    %s ", r->metric);
		pg_report_bisect_effect(out, &r->confirm);
		pg_buf_addf(out, " against its parent %s (%s, %zu pairs",
			    pg_git_short(r->parent, s7), verdict_words(&r->confirm),
			    r->confirm.n_a);
		if (r->confirm_pooled)
			pg_buf_addf(out, ", %u of them from the steps", r->confirm_pooled);
		pg_buf_adds(out, ")\n");
		if (r->status == PG_BISECT_FOUND) {
			pg_buf_adds(out, "function:  ");
			function_line(out, r, false);
			pg_buf_adds(out, "\n");
			if (responsible(r))
				pg_buf_addf(out, "next step: %s\n",
					    pg_attrib_next_step(r->attrib.cls));
		}
		break;
	case PG_BISECT_AMBIGUOUS:
		pg_buf_adds(out, "first bad commit could be any of:");
		for (i = 0; i < r->nr_candidates; i++)
			pg_buf_addf(out, " %s", pg_git_short(r->candidates[i], s7));
		pg_buf_adds(out, "\n");
		break;
	case PG_BISECT_NO_DIFFERENCE:
		pg_buf_addf(out, "good commit %s is not faster than bad %s: %s ",
			    pg_git_short(r->good, s7), pg_git_short(r->bad, s7b), r->metric);
		pg_report_bisect_effect(out, &r->ends);
		pg_buf_addf(out, " (%s, %zu pairs)\n", verdict_words(&r->ends), r->ends.n_a);
		break;
	}
	if (r->status != PG_BISECT_NO_DIFFERENCE) {
		pg_buf_addf(out, "ends:      %s..%s, %s ", pg_git_short(r->good, s7),
			    pg_git_short(r->bad, s7b), r->metric);
		pg_report_bisect_effect(out, &r->ends);
		pg_buf_addf(out, " (%s, %zu pairs)\n", verdict_words(&r->ends), r->ends.n_a);
	}
	if (r->has_cross) {
		pg_buf_addf(out, "cross-check: %s ", r->cross_metric);
		pg_report_bisect_effect(out, &r->cross);
		pg_buf_addf(out, " (%s, %zu pairs): %s\n", verdict_words(&r->cross), r->cross.n_a,
			    r->disagree ? "DISAGREES with the bisected metric (I/O, syscalls or "
					  "waiting are invisible to instruction counts)"
			    : r->cross_noise
				? "not confirmed by wall (noise; --cross-check samples "
				  "more)"
				: "agrees");
	}
	for (i = 0; i < r->nr_steps; i++) {
		const struct pg_bisect_step *st = &r->steps[i];

		pg_buf_addf(out, "step %u:    %s %s", st->step, pg_git_short(st->oid, s7),
			    step_class(st));
		if (st->skipped)
			pg_buf_addf(out, " (%s)\n", skip_reason(st->reason));
		else
			pg_buf_addf(out, " (%u %s, position %+.3f%s)\n", st->triplets,
				    !strcmp(r->metric, "instructions") ? "run" : "triplets",
				    st->position, st->unsure ? ", unsure" : "");
	}
	pg_buf_addf(out, "commits:   %zu in the range; executions: %u", r->nr_commits,
		    r->executions);
	if (r->replayed)
		pg_buf_addf(out, " (%u samples from the journal)", r->replayed);
	pg_buf_addf(out, "; wall time %.1f s\n", r->wall_s);
}

void pg_report_bisect_markdown(struct pg_buf *out, const struct pg_bisect_result *r)
{
	char s7[8], s7b[8];
	size_t i;

	pg_buf_adds(out, "## perfgate bisect\n\n");
	switch (r->status) {
	case PG_BISECT_FOUND:
	case PG_BISECT_UNCONFIRMED:
		pg_buf_addf(out, "**First bad commit%s:** `%s` ",
			    r->status == PG_BISECT_FOUND ? "" : " (not confirmed)",
			    pg_git_short(r->culprit, s7));
		visible(out, r->has_info ? r->info.subject : "");
		pg_buf_adds(out, " (");
		visible(out, r->has_info ? r->info.author_name : "");
		pg_buf_adds(out, ")\n\n| | |\n|---|---|\n");
		pg_buf_addf(out, "| commit | `%s` |\n| effect | %s ", r->culprit, r->metric);
		pg_report_bisect_effect(out, &r->confirm);
		pg_buf_addf(out, " against parent `%s` (%s) |\n", pg_git_short(r->parent, s7),
			    verdict_words(&r->confirm));
		if (r->status == PG_BISECT_FOUND) {
			pg_buf_adds(out, "| function | ");
			function_line(out, r, true);
			pg_buf_adds(out, " |\n");
			if (responsible(r))
				pg_buf_addf(out, "| next step | %s |\n",
					    pg_attrib_next_step(r->attrib.cls));
		}
		break;
	case PG_BISECT_AMBIGUOUS:
		pg_buf_adds(out, "**Inconclusive:** the first bad commit could be any of:");
		for (i = 0; i < r->nr_candidates; i++)
			pg_buf_addf(out, " `%s`", pg_git_short(r->candidates[i], s7));
		pg_buf_adds(out, "\n\n| | |\n|---|---|\n");
		break;
	case PG_BISECT_NO_DIFFERENCE:
		pg_buf_addf(out,
			    "**Inconclusive:** good commit `%s` is not faster than bad `%s`.\n\n"
			    "| | |\n|---|---|\n",
			    pg_git_short(r->good, s7), pg_git_short(r->bad, s7b));
		break;
	}
	pg_buf_addf(out, "| ends | `%s..%s` ", pg_git_short(r->good, s7),
		    pg_git_short(r->bad, s7b));
	pg_report_bisect_effect(out, &r->ends);
	pg_buf_addf(out, " (%s) |\n", verdict_words(&r->ends));
	if (r->has_cross) {
		pg_buf_addf(out, "| cross-check | %s ", r->cross_metric);
		pg_report_bisect_effect(out, &r->cross);
		pg_buf_addf(out, " (%s) |\n",
			    r->disagree	     ? "**disagrees**"
			    : r->cross_noise ? "not confirmed (noise)"
					     : "agrees");
	}
	pg_buf_addf(out, "| cost | %u executions, %.1f s, %zu commits in the range |\n\n",
		    r->executions, r->wall_s, r->nr_commits);
	if (r->nr_steps) {
		pg_buf_adds(
		    out, "| step | commit | class | samples | position |\n|---|---|---|---|---|\n");
		for (i = 0; i < r->nr_steps; i++) {
			const struct pg_bisect_step *st = &r->steps[i];

			pg_buf_addf(out, "| %u | `%s` | %s | ", st->step, pg_git_short(st->oid, s7),
				    step_class(st));
			if (st->skipped)
				pg_buf_addf(out, "%s | |\n", skip_reason(st->reason));
			else
				pg_buf_addf(out, "%u | %+.3f%s |\n", st->triplets, st->position,
					    st->unsure ? " (unsure)" : "");
		}
	}
}

static void num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void str(cJSON *o, const char *k, const char *v)
{
	struct pg_buf b = PG_BUF_INIT;

	if (!v) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	pg_text_visible(&b, v);
	cJSON_AddStringToObject(o, k, pg_buf_cstr(&b));
	pg_buf_release(&b);
}

static cJSON *effect(const struct pg_stats_verdict *v)
{
	cJSON *o = cJSON_CreateObject();

	num(o, "ratio", v->hl_ratio);
	num(o, "ci_lo", v->ci_lo);
	num(o, "ci_hi", v->ci_hi);
	cJSON_AddStringToObject(o, "verdict", pg_stats_kind_name(v->kind));
	cJSON_AddStringToObject(o, "change", pg_stats_change_name(v->change));
	cJSON_AddNumberToObject(o, "samples", (double)v->n_a);
	num(o, "p", v->p);
	return o;
}

char *pg_report_bisect_json(const struct pg_bisect_result *r)
{
	cJSON *root = cJSON_CreateObject(), *o, *a;
	const struct pg_attrib_fn *f = responsible(r);
	char s7[8], *text;
	size_t i;

	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddStringToObject(root, "status", pg_bisect_status_name(r->status));
	o = cJSON_AddObjectToObject(root, "range");
	cJSON_AddStringToObject(o, "good", r->good);
	cJSON_AddStringToObject(o, "bad", r->bad);
	cJSON_AddBoolToObject(o, "first_parent", r->first_parent);
	cJSON_AddNumberToObject(o, "commits", (double)r->nr_commits);
	str(root, "bench", r->bench);
	str(root, "metric", r->metric);
	str(root, "unit", r->unit);
	if (r->status == PG_BISECT_FOUND || r->status == PG_BISECT_UNCONFIRMED) {
		o = cJSON_AddObjectToObject(root, "culprit");
		cJSON_AddStringToObject(o, "commit", r->culprit);
		cJSON_AddStringToObject(o, "short", pg_git_short(r->culprit, s7));
		str(o, "subject", r->has_info ? r->info.subject : NULL);
		str(o, "author", r->has_info ? r->info.author_name : NULL);
		str(o, "email", r->has_info ? r->info.author_email : NULL);
		cJSON_AddStringToObject(o, "parent", r->parent);
		cJSON_AddBoolToObject(o, "confirmed", r->status == PG_BISECT_FOUND);
		cJSON_AddItemToObject(o, "effect", effect(&r->confirm));
		str(o, "function", f ? f->name : NULL);
		if (f) {
			cJSON_AddBoolToObject(o, "function_touched", f->touched);
			cJSON_AddStringToObject(o, "class", pg_attrib_class_name(r->attrib.cls));
			cJSON_AddStringToObject(o, "next_step", pg_attrib_next_step(r->attrib.cls));
			num(o, "self_before", f->self_before);
			num(o, "self_after", f->self_after);
			num(o, "self_change", f->self_after - f->self_before);
			cJSON_AddStringToObject(o, "profile_unit", r->attrib.unit);
			str(o, "caller", r->attrib.caller);
		}
		if (r->profiled && !r->profile_error) {
			/* the named (or, below the noise, the largest) growth in sigmas;
			 * null for an exact profile */
			cJSON_AddBoolToObject(o, "function_below_noise", r->below_noise);
			num(o, "function_sigma", r->attrib_z);
			cJSON_AddNumberToObject(o, "profiled_runs", r->before.runs);
		}
	} else {
		cJSON_AddNullToObject(root, "culprit");
	}
	a = cJSON_AddArrayToObject(root, "candidates");
	for (i = 0; i < r->nr_candidates; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(r->candidates[i]));
	cJSON_AddItemToObject(root, "ends", effect(&r->ends));
	a = cJSON_AddArrayToObject(root, "steps");
	for (i = 0; i < r->nr_steps; i++) {
		const struct pg_bisect_step *st = &r->steps[i];
		cJSON *s = cJSON_CreateObject();

		cJSON_AddNumberToObject(s, "step", st->step);
		cJSON_AddStringToObject(s, "commit", st->oid);
		cJSON_AddStringToObject(s, "class", step_class(st));
		if (st->skipped)
			cJSON_AddStringToObject(s, "reason", st->reason);
		else
			cJSON_AddNullToObject(s, "reason");
		cJSON_AddNumberToObject(s, "triplets", st->triplets);
		num(s, "position", st->position);
		cJSON_AddBoolToObject(s, "unsure", st->unsure);
		cJSON_AddItemToArray(a, s);
	}
	if (r->has_cross) {
		o = cJSON_AddObjectToObject(root, "cross_check");
		cJSON_AddStringToObject(o, "metric", r->cross_metric);
		cJSON_AddItemToObject(o, "effect", effect(&r->cross));
		cJSON_AddBoolToObject(o, "agrees", !r->disagree && !r->cross_noise);
		cJSON_AddStringToObject(o, "outcome",
					r->disagree	 ? "disagrees"
					: r->cross_noise ? "not-confirmed"
							 : "agrees");
	} else {
		cJSON_AddNullToObject(root, "cross_check");
	}
	cJSON_AddNumberToObject(root, "executions", r->executions);
	cJSON_AddNumberToObject(root, "replayed", r->replayed);
	num(root, "wall_s", r->wall_s);
	a = cJSON_AddArrayToObject(root, "warnings");
	for (i = 0; i < r->nr_warnings; i++) {
		struct pg_buf b = PG_BUF_INIT;

		pg_text_visible(&b, r->warnings[i]);
		cJSON_AddItemToArray(a, cJSON_CreateString(pg_buf_cstr(&b)));
		pg_buf_release(&b);
	}
	str(root, "profile_error", r->profile_error);
	if (r->profiled && !r->profile_error) {
		char *aj = pg_report_attrib_json(&r->attrib, "parent", "culprit");
		cJSON *at = cJSON_Parse(aj);

		free(aj);
		if (at)
			cJSON_AddItemToObject(root, "attribution", at);
		else
			cJSON_AddNullToObject(root, "attribution");
	} else {
		cJSON_AddNullToObject(root, "attribution");
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		pg_die_oom(0);
	{
		char *copy = pg_xasprintf("%s\n", text);

		cJSON_free(text);
		return copy;
	}
}
