/*
 * Folded stacks: FlameGraph's stackcollapse output, py-spy --format raw,
 * async-profiler collapsed. One stack per line, "root;...;leaf COUNT":
 * the last space-separated token is the count (so frames may hold spaces,
 * as py-spy's "checksum (hot.py:7)" does); frames are kept verbatim (no
 * renaming: suffixes such as _[j], _[k], _[i] and thread frames stay), empty
 * frames from ";;" are dropped, equal stacks add up. The count must be a
 * finite number >= 0 (integers or decimals, as FlameGraph accepts); the
 * unit is SAMPLES. Blank lines are skipped; '\r' before '\n' is ignored.
 * Errors: "FILE:LINE:COL: ...".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prof_read.h"

int pg_prof_parse_folded(struct pg_prof *p, const char *name, const char *data, size_t len,
			 const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			 struct pg_err *err)
{
	const char *s = data, *end = data + len;
	uint32_t *ids = pg_xmalloc((PG_PROF_MAX_DEPTH + 1) * sizeof(*ids));
	size_t lineno = 0, deep = 0;
	bool capped = false;
	char num[64];
	int ret = -1;

	p->unit = PG_PROF_SAMPLES;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *sp, *f;
		uint32_t depth = 0;
		double w;
		char *numend;
		size_t nlen;

		lineno++;
		if (e > s && e[-1] == '\r')
			e--;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e == s)
			goto next;
		for (sp = e; sp > s && sp[-1] != ' ' && sp[-1] != '\t'; sp--)
			;
		if (sp == s) {
			pg_err_set(err, PG_ERR_USAGE, "%s:%zu:%zu: expected 'frame;frame;... COUNT'",
				   name, lineno, (size_t)(e - s) + 1);
			goto done;
		}
		nlen = (size_t)(e - sp);
		if (nlen >= sizeof(num))
			nlen = sizeof(num) - 1;
		memcpy(num, sp, nlen);
		num[nlen] = '\0';
		w = strtod(num, &numend);
		if (numend == num || *numend || (num[0] < '0' || num[0] > '9')) {
			if (num[0] == '-' && numend != num && !*numend)
				pg_err_set(err, PG_ERR_USAGE, "%s:%zu:%zu: negative count '%s'", name,
					   lineno, (size_t)(sp - s) + 1, num);
			else
				pg_err_set(err, PG_ERR_USAGE,
					   "%s:%zu:%zu: expected a count at the end of the line, not '%s'",
					   name, lineno, (size_t)(sp - s) + 1, num);
			goto done;
		}
		if (!isfinite(w)) {
			pg_err_set(err, PG_ERR_USAGE, "%s:%zu:%zu: count out of range '%s'", name,
				   lineno, (size_t)(sp - s) + 1, num);
			goto done;
		}
		while (sp > s && (sp[-1] == ' ' || sp[-1] == '\t'))
			sp--;
		for (f = s; f < sp;) {
			const char *semi = memchr(f, ';', (size_t)(sp - f));
			const char *fe = semi ? semi : sp;
			if (fe > f) {
				if (depth >= PG_PROF_MAX_DEPTH) {
					deep++;
					break;
				}
				ids[depth++] = pg_prof_intern_capped(p, f, (size_t)(fe - f), opts, &capped);
			}
			f = fe + 1;
		}
		pg_prof_add_capped(p, ids, depth, w, opts, &capped);
next:
		s = nl ? nl + 1 : end;
	}
	if (deep)
		pg_prof_warn(warn, "%s: %zu stacks deeper than %d frames truncated", name, deep,
			     PG_PROF_MAX_DEPTH);
	pg_prof_cap_warn(warn, name, capped, opts);
	if (p->nr_stacks == 0)
		pg_prof_warn(warn, "%s: no samples", name);
	ret = 0;
done:
	free(ids);
	return ret;
}
