/*
 * Folded stacks: FlameGraph's stackcollapse output, py-spy --format raw,
 * async-profiler collapsed. One stack per line, "root;...;leaf COUNT":
 * the last space-separated token is the count (so frames may hold spaces,
 * as py-spy's "checksum (hot.py:7)" does); frames are kept verbatim (no
 * renaming: suffixes such as _[j], _[k], _[i] and thread frames stay), empty
 * frames from ";;" are dropped, equal stacks add up. The count must be a
 * finite number >= 0 (integers or decimals, as FlameGraph accepts); the
 * unit is SAMPLES. Blank lines are skipped; '\r' before '\n' is ignored.
 * Lines starting with '#' are comments (no tool writes a frame starting with
 * '#'; flamegraph.pl skips such lines too, as they have no trailing count),
 * except the header perfgate writes on the first line (prof.h,
 * pg_prof_write_folded_header):
 *   # perfgate: unit=ns runs=3 event=cpu-clock
 * which gives the unit (samples, ns, instructions), period_ns (ns per
 * sample, for unit samples), runs (benchmark runs covered) and event back,
 * so a written profile compares as cost per run. Unknown keys are skipped
 * with a warning (a newer perfgate may add some); a bad value is an error.
 * Errors: "FILE:LINE:COL: ...".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prof_read.h"

static int positive(const char *v, size_t n, double max, double *out)
{
	char buf[64], *end;
	double d;

	if (!n || n >= sizeof(buf) || v[0] < '0' || v[0] > '9')
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	d = strtod(buf, &end);
	if (*end || !isfinite(d) || d <= 0 || d > max)
		return -1;
	*out = d;
	return 0;
}

/* The "# perfgate: k=v ..." header in s[0..len) (line 1). */
static int parse_header(struct pg_prof *p, const char *name, const char *s, size_t len,
			struct pg_prof_warnings *warn, struct pg_err *err)
{
	size_t i = strlen(PG_PROF_HEADER);
	bool bad = false;

	while (i < len) {
		const char *k, *eq, *v;
		size_t tok, klen, vlen, col;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			break;
		col = i + 1;
		for (tok = i; tok < len && s[tok] != ' ' && s[tok] != '\t'; tok++)
			;
		k = s + i;
		eq = memchr(k, '=', tok - i);
		i = tok;
		if (!eq) {
			pg_prof_warn(warn, "%s:1:%zu: header word '%.*s' is not key=value: ignored", name,
				     col, (int)(tok - col + 1), k);
			continue;
		}
		klen = (size_t)(eq - k);
		v = eq + 1;
		vlen = (size_t)(s + tok - v);
		if (klen == 4 && !memcmp(k, "unit", 4)) {
			if (vlen == 7 && !memcmp(v, "samples", 7))
				p->unit = PG_PROF_SAMPLES;
			else if (vlen == 2 && !memcmp(v, "ns", 2))
				p->unit = PG_PROF_NS;
			else if (vlen == 12 && !memcmp(v, "instructions", 12))
				p->unit = PG_PROF_INSTRUCTIONS;
			else
				bad = true;
		} else if (klen == 9 && !memcmp(k, "period_ns", 9)) {
			bad = positive(v, vlen, 1e18, &p->period_ns) < 0;
		} else if (klen == 4 && !memcmp(k, "runs", 4)) {
			bad = positive(v, vlen, 1e9, &p->runs) < 0;
		} else if (klen == 5 && !memcmp(k, "event", 5)) {
			free(p->event);
			p->event = vlen ? pg_xstrndup(v, vlen) : NULL;
		} else {
			pg_prof_warn(warn, "%s:1:%zu: unknown header key '%.*s': ignored", name, col,
				     (int)klen, k);
		}
		if (bad)
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s:1:%zu: bad value '%.*s' for '%.*s' in the perfgate header",
					  name, col + klen + 1, (int)vlen, v, (int)klen, k);
	}
	return 0;
}

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
		if (*s == '#') {
			size_t hl = strlen(PG_PROF_HEADER);
			bool header = (size_t)(e - s) >= hl && !memcmp(s, PG_PROF_HEADER, hl);

			if (header && lineno == 1) {
				if (parse_header(p, name, s, (size_t)(e - s), warn, err) < 0)
					goto done;
			} else if (header) {
				pg_prof_warn(warn, "%s:%zu: perfgate header not on the first line: ignored",
					     name, lineno);
			}
			goto next;
		}
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
