/*
 * fold: perf script text -> struct pg_prof. The conventions are in fold.h.
 * The hot loop is memchr over a fixed buffer; each frame costs one symbol
 * normalisation into a reused scratch buffer and one hash lookup; no
 * allocation per line.
 */
#include "fold.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TOKENS 64
#define OTHER_EVENTS_MAX 200

struct tok {
	const char *s;
	size_t n;
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool has_sub(const char *s, size_t n, const char *sub)
{
	size_t m = strlen(sub), i;

	for (i = 0; i + m <= n; i++)
		if (s[i] == sub[0] && !memcmp(s + i, sub, m))
			return true;
	return false;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n >= m && !memcmp(s + n - m, suf, m);
}

static bool is_jit_map(const char *d, size_t n)
{
	size_t i = 10;

	if (n < 15 || memcmp(d, "/tmp/perf-", 10) || !ends_with(d, n, ".map"))
		return false;
	for (; i < n - 4; i++)
		if (!is_digit(d[i]))
			return false;
	return true;
}

void pg_fold_symbol(const char *sym, size_t len, const char *dso, size_t dlen,
		    struct pg_buf *out)
{
	size_t i;
	bool go = false;

	pg_buf_reset(out);
	/* "foo+0x1c" -> "foo" */
	for (i = len; i >= 3; i--) {
		if (sym[i - 1] == 'x' && sym[i - 2] == '0' && sym[i - 3] == '+') {
			size_t j = i;
			while (j < len && is_hex(sym[j]))
				j++;
			if (j == len && j > i)
				len = i - 3;
			break;
		}
		if (!is_hex(sym[i - 1]) && sym[i - 1] != 'x')
			break;
	}
	if (len == 0 || (len == 9 && !memcmp(sym, "[unknown]", 9))) {
		if (dlen && !(dlen == 9 && !memcmp(dso, "[unknown]", 9))) {
			const char *base = dso;
			for (i = 0; i < dlen; i++)
				if (dso[i] == '/')
					base = dso + i + 1;
			if (base == dso + dlen)
				base = dso;
			pg_buf_addc(out, '[');
			if (base[0] == '[' && dso[dlen - 1] == ']')
				pg_buf_add(out, base + 1, (size_t)(dso + dlen - base) - 2);
			else
				pg_buf_add(out, base, (size_t)(dso + dlen - base));
			pg_buf_addc(out, ']');
		} else {
			pg_buf_adds(out, "[unknown]");
		}
	} else {
		const char *lp = memchr(sym, '(', len);
		/* Go: "net/http.(*Client).Do" keeps its parentheses */
		if (lp && lp > sym && lp[-1] == '.') {
			const char *rp = memchr(lp, ')', len - (size_t)(lp - sym));
			go = rp && rp + 1 < sym + len && rp[1] == '.';
		}
		pg_buf_grow(out, len + 8);
		for (i = 0; i < len; i++) {
			char c = sym[i];
			if (c == '"' || c == '\'')
				continue;
			if (c == ';')
				c = ':';
			if (c == '(' && !go) {
				if (len - i >= 21 && !memcmp(sym + i, "(anonymous namespace)", 21)) {
					pg_buf_add(out, sym + i, 21);
					i += 20;
					continue;
				}
				break;
			}
			out->data[out->len++] = c;
		}
		out->data[out->len] = '\0';
		if (out->len == 0) {
			for (i = 0; i < len; i++)
				pg_buf_addc(out, sym[i] == ';' ? ':' : sym[i]);
		}
	}
	if (dlen && (dso[0] == '[' || ends_with(dso, dlen, "vmlinux")) &&
	    !has_sub(dso, dlen, "unknown"))
		pg_buf_adds(out, "_[k]");
	else if (dlen && is_jit_map(dso, dlen) && !ends_with(out->data, out->len, "_[j]"))
		pg_buf_adds(out, "_[j]");
}

void pg_fold_init(struct pg_fold *f, struct pg_prof *p, const char *name,
		  const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn)
{
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->name = name;
	if (opts)
		f->opts = *opts;
	f->warn = warn;
	f->buf = pg_xmalloc(PG_FOLD_BUF_BYTES);
	f->ids = pg_xmalloc(PG_PROF_MAX_DEPTH * sizeof(*f->ids));
	f->stack = pg_xmalloc((PG_PROF_MAX_DEPTH + 2) * sizeof(*f->stack));
	f->root = PG_PROF_NONE;
}

void pg_fold_release(struct pg_fold *f)
{
	free(f->buf);
	free(f->ids);
	free(f->stack);
	free(f->event);
	free(f->other_events);
	pg_buf_release(&f->scratch);
	memset(f, 0, sizeof(*f));
}

static void flush_sample(struct pg_fold *f)
{
	uint32_t n = 0, i;

	if (f->in_sample && f->keep_sample) {
		if (f->root != PG_PROF_NONE)
			f->stack[n++] = f->root;
		if (f->sample_truncated) {
			f->stack[n++] = pg_prof_intern(f->p, PG_PROF_TRUNCATED, strlen(PG_PROF_TRUNCATED));
			f->deep_stacks++;
		}
		for (i = f->depth; i > 0; i--)
			f->stack[n++] = f->ids[i - 1];
		pg_prof_add_capped(f->p, f->stack, n, f->weight, &f->opts, &f->capped);
		f->samples++;
	}
	f->in_sample = false;
	f->keep_sample = false;
	f->sample_truncated = false;
	f->chain = false;
	f->depth = 0;
	f->root = PG_PROF_NONE;
}

static void bad_line(struct pg_fold *f)
{
	if (!f->bad_lines++)
		f->bad_line_first = f->lines;
}

/* "<ws><hex ip> <symbol>[+0xoff] (<dso>)"; returns false if not that shape. */
static bool parse_frame(struct pg_fold *f, const char *s, size_t n)
{
	size_t i = 0, ip;
	const char *sym, *dso = "";
	size_t slen, dlen = 0;

	while (i < n && is_space(s[i]))
		i++;
	ip = i;
	while (i < n && is_hex(s[i]))
		i++;
	if (i == ip || (i < n && !is_space(s[i])))
		return false;
	while (i < n && is_space(s[i]))
		i++;
	while (n > i && is_space(s[n - 1]))
		n--;
	sym = s + i;
	slen = n - i;
	if (slen && sym[slen - 1] == ')') {
		size_t k = slen - 1;
		while (k > 0 && !(sym[k] == '(' && sym[k - 1] == ' '))
			k--;
		if (k > 0) {
			dso = sym + k + 1;
			dlen = slen - k - 2;
			slen = k - 1;
		} else if (sym[0] == '(' && !memchr(sym + 1, '(', slen - 1)) {
			dso = sym + 1;
			dlen = slen - 2;
			slen = 0;
		}
	}
	if (!f->keep_sample)
		return true;
	if (f->depth >= PG_PROF_MAX_DEPTH - 2) {
		f->sample_truncated = true;
		return true;
	}
	/* inlined frames carry the pseudo-dso "inlined": no module to show */
	if (dlen == 7 && !memcmp(dso, "inlined", 7))
		dlen = 0;
	pg_fold_symbol(sym, slen, dso, dlen, &f->scratch);
	f->ids[f->depth++] =
		pg_prof_intern_capped(f->p, f->scratch.data, f->scratch.len, &f->opts, &f->capped);
	return true;
}

static bool tok_numeric(const struct tok *t)
{
	size_t i, slash = 0;

	if (!t->n || !is_digit(t->s[0]) || !is_digit(t->s[t->n - 1]))
		return false;
	for (i = 0; i < t->n; i++) {
		if (t->s[i] == '/')
			slash++;
		else if (!is_digit(t->s[i]))
			return false;
	}
	return slash <= 1;
}

static bool tok_digits(const struct tok *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!is_digit(t->s[i]))
			return false;
	return t->n > 0;
}

static bool tok_cpu(const struct tok *t)
{
	struct tok in = { t->s + 1, t->n - 2 };

	return t->n >= 3 && t->s[0] == '[' && t->s[t->n - 1] == ']' && tok_digits(&in);
}

static bool tok_time(const struct tok *t)
{
	size_t i;
	bool dot = false;

	if (t->n < 2 || t->s[t->n - 1] != ':' || !is_digit(t->s[0]))
		return false;
	for (i = 0; i + 1 < t->n; i++) {
		if (t->s[i] == '.' && !dot)
			dot = true;
		else if (!is_digit(t->s[i]))
			return false;
	}
	return true;
}

static bool event_is(const char *ev, size_t n, const char *want)
{
	size_t m = strlen(want);

	return n >= m && !memcmp(ev, want, m) && (n == m || ev[m] == ':');
}

static void note_other_event(struct pg_fold *f, const char *ev, size_t n)
{
	size_t have = f->other_events ? strlen(f->other_events) : 0;
	const char *s = f->other_events;

	while (s && *s) {
		const char *e = strstr(s, ", ");
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == n && !memcmp(s, ev, n))
			return;
		s = e ? e + 2 : s + l;
	}
	if (have + n + 3 > OTHER_EVENTS_MAX)
		return;
	f->other_events = pg_xrealloc(f->other_events, have + n + 3);
	if (have)
		memcpy(f->other_events + have, ", ", 2), have += 2;
	memcpy(f->other_events + have, ev, n);
	f->other_events[have + n] = '\0';
}

static void parse_header(struct pg_fold *f, const char *s, size_t n)
{
	struct tok t[MAX_TOKENS];
	size_t nt = 0, i = 0, pid_i = SIZE_MAX, ev_i = SIZE_MAX, per_i = SIZE_MAX, k;
	size_t comm_end;
	const char *ev = "";
	size_t evn = 0;
	char root[512];
	size_t rn = 0;

	flush_sample(f);
	while (i < n && nt < MAX_TOKENS) {
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n)
			break;
		t[nt].s = s + i;
		while (i < n && !is_space(s[i]))
			i++;
		t[nt].n = (size_t)(s + i - t[nt].s);
		nt++;
	}
	for (k = 0; k + 1 < nt; k++)
		if (tok_numeric(&t[k]) && (tok_cpu(&t[k + 1]) || tok_time(&t[k + 1]))) {
			pid_i = k;
			break;
		}
	if (pid_i == SIZE_MAX)
		for (k = 1; k < nt; k++)
			if (tok_numeric(&t[k])) {
				pid_i = k;
				break;
			}
	for (k = pid_i == SIZE_MAX ? 0 : pid_i + 1; k < nt; k++) {
		if (tok_cpu(&t[k]) || tok_time(&t[k]))
			continue;
		if (t[k].s[t[k].n - 1] == ':') {
			ev_i = k;
			break;
		}
		if (tok_digits(&t[k]))
			per_i = k;
	}
	if (pid_i != SIZE_MAX)
		comm_end = pid_i;
	else
		for (comm_end = 0; comm_end < nt; comm_end++)
			if (tok_cpu(&t[comm_end]) || tok_time(&t[comm_end]) || comm_end == ev_i)
				break;
	if (ev_i != SIZE_MAX) {
		ev = t[ev_i].s;
		evn = t[ev_i].n - 1;
	}

	f->in_sample = true;
	if (f->opts.event) {
		f->keep_sample = event_is(ev, evn, f->opts.event);
		if (!f->event)
			f->event = pg_xstrdup(f->opts.event);
	} else if (!f->event) {
		f->event = pg_xstrndup(ev, evn);
		f->keep_sample = true;
	} else {
		f->keep_sample = strlen(f->event) == evn && !memcmp(f->event, ev, evn);
	}
	if (!f->keep_sample) {
		f->skipped++;
		note_other_event(f, ev, evn);
		return;
	}
	f->weight = 1;
	if (per_i != SIZE_MAX && ev_i != SIZE_MAX && per_i + 1 == ev_i) {
		f->weight = strtod(t[per_i].s, NULL);
		f->have_period = true;
	}

	if (comm_end > 0) {
		size_t len = (size_t)(t[comm_end - 1].s + t[comm_end - 1].n - s);
		for (k = 0; k < len && rn < sizeof(root) - 48; k++)
			root[rn++] = s[k] == ' ' || s[k] == '\t' ? '_' : s[k];
		if (pid_i != SIZE_MAX && (f->opts.pid || f->opts.tid)) {
			const struct tok *pt = &t[pid_i];
			const char *slash = memchr(pt->s, '/', pt->n);
			int pl = slash ? (int)(slash - pt->s) : (int)pt->n;
			int tl = slash ? (int)(pt->s + pt->n - slash - 1) : (int)pt->n;
			const char *tidp = slash ? slash + 1 : pt->s;
			if (pl > 20)
				pl = 20;
			if (tl > 20)
				tl = 20;
			if (f->opts.tid)
				rn += (size_t)snprintf(root + rn, sizeof(root) - rn, "-%.*s/%.*s",
						       slash ? pl : 1, slash ? pt->s : "?", tl, tidp);
			else
				rn += (size_t)snprintf(root + rn, sizeof(root) - rn, "-%.*s",
						       slash ? pl : 1, slash ? pt->s : "?");
		}
		f->root = pg_prof_intern_capped(f->p, root, rn, &f->opts, &f->capped);
	}
	/* perf record without -g: "... event:  ip sym+off (dso)" on the header line */
	if (ev_i != SIZE_MAX) {
		const char *rest = t[ev_i].s + t[ev_i].n;
		size_t rl = (size_t)(s + n - rest);
		size_t j = 0;
		while (j < rl && is_space(rest[j]))
			j++;
		if (j < rl)
			parse_frame(f, rest, rl);
	}
}

/* a "pid[/tid]" token followed by a "[cpu]" or "time:" token */
static bool looks_like_header(const char *s, size_t n)
{
	struct tok prev = { NULL, 0 }, cur;
	size_t i = 0, k = 0;

	while (i < n && k < MAX_TOKENS) {
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n)
			break;
		cur.s = s + i;
		while (i < n && !is_space(s[i]))
			i++;
		cur.n = (size_t)(s + i - cur.s);
		if (k && tok_numeric(&prev) && (tok_cpu(&cur) || tok_time(&cur)))
			return true;
		prev = cur;
		k++;
	}
	return false;
}

static void process_line(struct pg_fold *f, const char *s, size_t n)
{
	size_t i = 0;

	f->lines++;
	if (n && s[n - 1] == '\r')
		n--;
	if (n == 0) {
		flush_sample(f);
		return;
	}
	if (is_space(s[0])) {
		while (i < n && is_space(s[i]))
			i++;
		if (i == n) {
			flush_sample(f);
			return;
		}
		/* callchain lines are tab-indented; perf pads a right-aligned comm
		 * with spaces, so a space-indented line may be a sample header */
		if (s[0] == ' ' && looks_like_header(s + i, n - i)) {
			parse_header(f, s + i, n - i);
			return;
		}
		if (!f->in_sample) {
			bad_line(f);
			return;
		}
		f->chain = true;
		if (!f->keep_sample)
			return;
		if (!parse_frame(f, s, n))
			bad_line(f);
		return;
	}
	if (s[0] == '#')
		return;
	parse_header(f, s, n);
}

/* Process the complete lines of data[0..len); returns bytes consumed. */
static size_t process_lines(struct pg_fold *f, const char *data, size_t len)
{
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if (f->skip_long)
			f->skip_long = false;
		else
			process_line(f, p, (size_t)(nl - p));
		p = nl + 1;
	}
	return (size_t)(p - data);
}

static void carry_rest(struct pg_fold *f, const char *rest, size_t n)
{
	if (f->skip_long)
		return;
	if (f->carry + n > PG_FOLD_BUF_BYTES) {
		f->long_lines++;
		f->lines++;
		f->skip_long = true;
		f->carry = 0;
		return;
	}
	memmove(f->buf + f->carry, rest, n);
	f->carry += n;
}

void pg_fold_feed(struct pg_fold *f, const char *data, size_t len)
{
	size_t used;

	if (f->carry || f->skip_long) {
		const char *nl = memchr(data, '\n', len);
		size_t head = nl ? (size_t)(nl - data) : len;

		if (!nl) {
			carry_rest(f, data, len);
			return;
		}
		if (f->skip_long) {
			f->skip_long = false;
		} else if (f->carry + head > PG_FOLD_BUF_BYTES) {
			f->long_lines++;
			f->lines++;
		} else {
			memcpy(f->buf + f->carry, data, head);
			process_line(f, f->buf, f->carry + head);
		}
		f->carry = 0;
		data += head + 1;
		len -= head + 1;
	}
	used = process_lines(f, data, len);
	carry_rest(f, data + used, len - used);
}

int pg_fold_read_fd(struct pg_fold *f, int fd, struct pg_err *err)
{
	for (;;) {
		ssize_t n;
		size_t have, used;

		if (f->carry == PG_FOLD_BUF_BYTES) {
			f->long_lines++;
			f->lines++;
			f->skip_long = true;
			f->carry = 0;
		}
		n = read(fd, f->buf + f->carry, PG_FOLD_BUF_BYTES - f->carry);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return pg_err_set(err, PG_ERR_INFRA, "cannot read '%s': %s", f->name,
					  strerror(errno));
		}
		if (n == 0)
			return 0;
		have = f->carry + (size_t)n;
		if (f->skip_long) {
			const char *nl = memchr(f->buf, '\n', have);
			if (!nl) {
				f->carry = 0;
				continue;
			}
			f->skip_long = false;
			used = (size_t)(nl - f->buf) + 1;
		} else {
			used = 0;
		}
		used += process_lines(f, f->buf + used, have - used);
		memmove(f->buf, f->buf + used, have - used);
		f->carry = have - used;
	}
}

void pg_fold_finish(struct pg_fold *f)
{
	const char *nm = f->name;

	if (f->carry || f->skip_long) {
		pg_prof_warn(f->warn, "%s: input ends mid-line (truncated?): last line ignored", nm);
		f->carry = 0;
		f->lines++;
	}
	if (f->in_sample) {
		if (f->keep_sample && f->chain)
			pg_prof_warn(f->warn, "%s: input ends inside a sample (truncated?)", nm);
		flush_sample(f);
	}
	free(f->p->event);
	f->p->event = f->event && *f->event ? pg_xstrdup(f->event) : NULL;
	if (f->have_period && f->event &&
	    (event_is(f->event, strlen(f->event), "cpu-clock") ||
	     event_is(f->event, strlen(f->event), "task-clock")))
		f->p->unit = PG_PROF_NS;
	else
		f->p->unit = PG_PROF_SAMPLES;
	if (f->skipped && f->samples)
		pg_prof_warn(f->warn,
			     "%s: several events in the input: folded '%s' only, skipped %llu "
			     "samples of: %s", nm, f->event, (unsigned long long)f->skipped,
			     f->other_events ? f->other_events : "?");
	if (f->deep_stacks)
		pg_prof_warn(f->warn, "%s: %llu stacks deeper than %d frames truncated", nm,
			     (unsigned long long)f->deep_stacks, PG_PROF_MAX_DEPTH);
	if (f->long_lines)
		pg_prof_warn(f->warn, "%s: %llu lines longer than %zu bytes skipped", nm,
			     (unsigned long long)f->long_lines, PG_FOLD_BUF_BYTES);
	if (f->bad_lines)
		pg_prof_warn(f->warn, "%s:%llu: %llu unrecognised lines skipped (first at line %llu)",
			     nm, (unsigned long long)f->bad_line_first,
			     (unsigned long long)f->bad_lines,
			     (unsigned long long)f->bad_line_first);
	pg_prof_cap_warn(f->warn, nm, f->capped, &f->opts);
	if (!f->samples) {
		if (f->skipped)
			pg_prof_warn(f->warn, "%s: no samples of event '%s' (events seen: %s)", nm,
				     f->event ? f->event : "?",
				     f->other_events ? f->other_events : "?");
		else
			pg_prof_warn(f->warn, "%s: no samples", nm);
	}
}

int pg_fold_parse(struct pg_prof *p, const char *name, const char *data, size_t len,
		  const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
		  struct pg_err *err)
{
	struct pg_fold f;

	pg_prof_init(p, PG_PROF_SAMPLES);
	pg_fold_init(&f, p, name, opts, warn);
	pg_fold_feed(&f, data, len);
	pg_fold_finish(&f);
	pg_fold_release(&f);
	return 0;
}
