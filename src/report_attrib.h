/*
 * report_attrib: an attribution (attrib.h) rendered as text for people and as
 * JSON for machines. Every renderer reads the same struct pg_attrib.
 *
 * Owns: layout and number formatting. Must not: print, write files, choose
 * exit codes. Names are made printable (control characters and invalid
 * UTF-8 shown as "\xNN"), so the JSON is valid UTF-8 that `jq` accepts.
 *
 * Use:
 *   struct pg_buf txt = PG_BUF_INIT;
 *   pg_report_attrib_text(&txt, &a, 10, "a.folded", "b.folded");
 *   char *json = pg_report_attrib_json(&a, "a.folded", "b.folded");   // free()
 *
 * JSON shape (version 1):
 *   { "version": 1, "before": A, "after": B, "unit": "ns",
 *     "total_before": x, "total_after": y,
 *     "responsible": { "name", "self_before", "self_after", "total_before",
 *                      "total_after", "touched", "caller" } | null,
 *     "class": "cpu", "next_step": "...",
 *     "top_leaves_before": [ { "name", "cost", "share" } ], "top_leaves_after": [...],
 *     "functions": [ { "name", "self_before", "self_after", "total_before",
 *                      "total_after", "unit", "touched" } ],   // ranked by self increase
 *     "functions_omitted": n }                                 // beyond PG_REPORT_ATTRIB_MAX_FNS
 */
#ifndef PG_REPORT_ATTRIB_H
#define PG_REPORT_ATTRIB_H

#include <stddef.h>

#include "attrib.h"
#include "util.h"

#define PG_REPORT_ATTRIB_MAX_FNS 2000

/* Append the text report; top_n rows of each ranking. */
void pg_report_attrib_text(struct pg_buf *out, const struct pg_attrib *a, size_t top_n,
			   const char *before_name, const char *after_name);
/* The JSON document, NUL-terminated, owned by the caller (free()). */
char *pg_report_attrib_json(const struct pg_attrib *a, const char *before_name,
			    const char *after_name);

#endif
