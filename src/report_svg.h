/*
 * report_svg: flame graphs as self-contained SVG files.
 *
 * Owns: the frame tree, its layout, colours, the embedded script (click to
 * zoom, search with the Search button, Ctrl-F or a "#s=REGEX" URL fragment)
 * and XML escaping. Must not: read or write files, print. No external
 * resources: one SVG document with its <script> in CDATA.
 *
 * Use:
 *   struct pg_buf svg = PG_BUF_INIT;
 *   pg_svg_flamegraph(&svg, &prof, "parse at abc1234");
 *   if (pg_svg_diff(&svg, &before, &after, "parse: abc1234 vs def5678", &err) < 0) ...
 *   pg_file_write("out.svg", svg.data, svg.len, &err);  pg_buf_release(&svg);
 *
 * Each frame is <g class="f" data-x data-w data-d> with a <title> whose first
 * line is the frame name, a <rect> and a <text>. Widths are cost per run
 * (pg_prof_per_run). In the differential graph widths come from the after
 * profile and the fill is red for growth, blue for shrinkage, scaled by the
 * frame's change in self cost per run against the largest change. When the
 * script has run, the root element carries data-pg-ready="N" (frames drawn).
 */
#ifndef PG_REPORT_SVG_H
#define PG_REPORT_SVG_H

#include "err.h"
#include "prof.h"
#include "util.h"

#define PG_SVG_WIDTH_PX 1200
#define PG_SVG_MAX_DEPTH 512  /* deeper frames are not drawn */

/* Append the SVG of one profile to out. title may be NULL. */
void pg_svg_flamegraph(struct pg_buf *out, const struct pg_prof *p, const char *title);

/* Append the differential SVG (after against before) to out. Fails (PG_ERR_USAGE)
 * when the profiles' per-run units differ. */
int pg_svg_diff(struct pg_buf *out, const struct pg_prof *before, const struct pg_prof *after,
		const char *title, struct pg_err *err);

/* Append s as XML character data or attribute text: & < > " ' as entities,
 * control characters, U+FFFE/U+FFFF and invalid UTF-8 bytes made visible as
 * "\xNN" (so the result is valid XML 1.0 and shows what was there). */
void pg_svg_escape(struct pg_buf *out, const char *s);

/* Append s with control characters and invalid UTF-8 made visible as
 * "\xNN" but nothing else changed: safe for JSON strings and terminals. */
void pg_text_visible(struct pg_buf *out, const char *s);

/* Format a per-run cost for people: "1.23 ms" for ns, "1.2e+06 instructions". */
void pg_svg_format_cost(struct pg_buf *out, double cost, const char *unit);

#endif
