/*
 * report_bisect: a bisect result (bisect.h) rendered as text for people,
 * Markdown for a step summary or a comment, and JSON for machines. Every
 * renderer reads the same struct pg_bisect_result.
 *
 * Owns: layout and number formatting. Must not: print, write files, choose
 * exit codes. Names and subjects are made printable (pg_text_visible).
 *
 * Use:
 *   struct pg_buf t = PG_BUF_INIT;  pg_report_bisect_text(&t, &r);
 *   char *json = pg_report_bisect_json(&r);   // free()
 *
 * JSON shape (version 1), numbers never NaN/inf (null instead):
 *   { "version": 1, "status": "found" | "no-difference" | "ambiguous" | "unconfirmed",
 *     "range": { "good", "bad", "first_parent", "commits" },
 *     "bench", "metric", "unit",
 *     "culprit": { "commit", "short", "subject", "author", "email", "parent",
 *                  "confirmed", "effect": EFFECT,
 *                  "function", "function_touched", "class", "next_step",
 *                  "self_before", "self_after", "self_change", "profile_unit" } | null,
 *     "candidates": [ SHA... ],
 *     "ends": EFFECT,
 *     "steps": [ { "step", "commit", "class": "good"|"bad"|"skipped", "reason",
 *                  "triplets", "position", "unsure" } ],
 *     "cross_check": { "metric", "effect": EFFECT, "agrees" } | null,
 *     "executions", "replayed", "wall_s", "warnings": [...], "profile_error",
 *     "attribution": (report_attrib.h's document) | null }
 *   EFFECT = { "ratio", "ci_lo", "ci_hi", "verdict", "change", "samples", "p" }
 */
#ifndef PG_REPORT_BISECT_H
#define PG_REPORT_BISECT_H

#include "bisect.h"
#include "util.h"

void pg_report_bisect_text(struct pg_buf *out, const struct pg_bisect_result *r);
void pg_report_bisect_markdown(struct pg_buf *out, const struct pg_bisect_result *r);
char *pg_report_bisect_json(const struct pg_bisect_result *r);

/* "+98.3% [+95.0%, +101.2%]" for a verdict's hl_ratio and interval. */
void pg_report_bisect_effect(struct pg_buf *out, const struct pg_stats_verdict *v);

#endif
