#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "sha256.h"
#include "util.h"

/*
 * Two passes: libyaml's event parser builds a small tree of our own (so that
 * we, not libyaml, decide what an anchor, an alias, a deep nesting or a huge
 * node count may cost: each is refused on the event that would start it),
 * then the tree is checked and copied into struct pg_config.
 */

enum ntype { N_SCALAR, N_SEQ, N_MAP };

struct node {
	enum ntype type;
	unsigned line, col; /* 1-based */
	bool plain;	    /* plain scalar: may be a number, bool or null */
	char *str;	    /* scalar text, NUL-terminated */
	size_t len;	    /* bytes in str (a quoted "\0" makes it differ from strlen) */
	struct node **kids; /* sequence items; mapping key, value, key, value ... */
	size_t nr, alloc;
};

struct ctx {
	const char *name;
	const char *data;
	size_t len;
	size_t nr_nodes;
	struct pg_err *err;
	struct pg_config *cfg;
	struct pg_config_pos *instr_off; /* per benchmark: where it says instructions: false */
};

#define SHOWN 100 /* room for a quoted, escaped, shortened user string */

/* A user string made printable and short enough for a message, in quotes. */
static const char *show(char buf[SHOWN], const char *s)
{
	size_t o = 0;

	buf[o++] = '\'';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (o > SHOWN - 12) {
			/* never cut a UTF-8 sequence in two */
			while (o > 1 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
				o--;
			if (o > 1 && ((unsigned char)buf[o - 1] & 0xc0) == 0xc0)
				o--;
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (ch < 0x20 || ch == 0x7f || ch == '\'' || ch == '\\') {
			o += (size_t)snprintf(buf + o, SHOWN - o, "\\x%02x", ch);
		} else {
			buf[o++] = (char)ch;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

static int fail_at(struct ctx *c, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(struct ctx *c, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[PG_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pg_err_set(c->err, PG_ERR_USAGE, "%s:%u:%u: %s", c->name, line, col, msg);
}

#define fail(c, n, ...) fail_at((c), (n)->line, (n)->col, __VA_ARGS__)

/* ---- pass 1: events -> tree ---- */

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nr; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

/* Line and column (1-based, in characters) of a byte offset, for reader errors. */
static void offset_pos(const struct ctx *c, size_t off, unsigned *line, unsigned *col)
{
	const unsigned char *p = (const unsigned char *)c->data;

	*line = 1;
	*col = 1;
	if (off > c->len)
		off = c->len;
	for (size_t i = 0; i < off; i++) {
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= c->len || p[i + 1] != '\n'))) {
			(*line)++;
			*col = 1;
		} else if ((p[i] & 0xc0) != 0x80 && p[i] != '\r') {
			(*col)++;
		}
	}
}

/* The byte at a 0-based (line, column in characters) mark, or -1. */
static int byte_at(const struct ctx *c, size_t line, size_t col)
{
	const unsigned char *p = (const unsigned char *)c->data;
	size_t i = 0;

	while (line && i < c->len) {
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= c->len || p[i + 1] != '\n')))
			line--;
		i++;
	}
	while (col && i < c->len && p[i] != '\n' && p[i] != '\r') {
		i++;
		while (i < c->len && (p[i] & 0xc0) == 0x80)
			i++;
		col--;
	}
	return i < c->len ? p[i] : -1;
}

static int yaml_fail(struct ctx *c, const yaml_parser_t *ps)
{
	const char *problem = ps->problem ? ps->problem : "cannot parse YAML";
	unsigned line, col;

	switch (ps->error) {
	case YAML_MEMORY_ERROR:
		pg_die_oom(0);
	case YAML_READER_ERROR:
		/* reader errors carry a byte offset, not a mark */
		offset_pos(c, ps->problem_offset, &line, &col);
		if (strstr(problem, "UTF-8") || strstr(problem, "Unicode")) {
			if (ps->problem_value >= 0)
				return fail_at(c, line, col,
					       "invalid UTF-8 (%s 0x%02x); save as UTF-8", problem,
					       (unsigned)ps->problem_value);
			return fail_at(c, line, col, "invalid UTF-8 (%s); save as UTF-8", problem);
		}
		if (ps->problem_value >= 0)
			return fail_at(c, line, col, "%s (0x%02x)", problem,
				       (unsigned)ps->problem_value);
		return fail_at(c, line, col, "%s", problem);
	default:
		line = (unsigned)ps->problem_mark.line + 1;
		col = (unsigned)ps->problem_mark.column + 1;
		if (ps->error == YAML_SCANNER_ERROR &&
		    byte_at(c, ps->problem_mark.line, ps->problem_mark.column) == '\t')
			return fail_at(c, line, col,
				       "tab character in indentation; indent with spaces");
		if (ps->context)
			return fail_at(c, line, col, "%s (%s at %u:%u)", problem, ps->context,
				       (unsigned)ps->context_mark.line + 1,
				       (unsigned)ps->context_mark.column + 1);
		return fail_at(c, line, col, "%s", problem);
	}
}

struct key_ref {
	const struct node *key;
	size_t idx;
};

static int cmp_key_ref(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
	int r = memcmp(x->key->str, y->key->str, n);

	if (r)
		return r;
	if (x->key->len != y->key->len)
		return x->key->len < y->key->len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool same_key(const struct node *a, const struct node *b)
{
	return a->len == b->len && !memcmp(a->str, b->str, a->len);
}

/* Refuse a key given twice in one mapping; reports the earliest repeat. */
static int check_duplicates(struct ctx *c, const struct node *map)
{
	size_t nr = map->nr / 2, i, run;
	struct key_ref *refs;
	const struct key_ref *first = NULL, *dup = NULL;
	int ret = 0;

	if (nr < 2)
		return 0;
	refs = pg_xreallocarray(NULL, nr, sizeof(*refs));
	for (i = 0; i < nr; i++) {
		refs[i].key = map->kids[2 * i];
		refs[i].idx = i;
	}
	/* sorted by key, then by place: each run of equal keys starts with the first one */
	qsort(refs, nr, sizeof(*refs), cmp_key_ref);
	for (run = 0, i = 1; i < nr; i++) {
		if (!same_key(refs[run].key, refs[i].key)) {
			run = i;
			continue;
		}
		if (i == run + 1 && (!dup || refs[i].idx < dup->idx)) {
			first = &refs[run];
			dup = &refs[i];
		}
	}
	if (dup) {
		char b1[SHOWN];
		ret = fail(c, dup->key, "duplicate key %s (first at %u:%u)",
			   show(b1, dup->key->str), first->key->line, first->key->col);
	}
	free(refs);
	return ret;
}

static int build_tree(struct ctx *c, struct node **rootp)
{
	yaml_parser_t ps;
	yaml_event_t ev;
	struct node *stack[PG_CONFIG_MAX_DEPTH];
	struct node *root = NULL;
	size_t depth = 0, nr_docs = 0;
	bool have_ev = false, end = false;
	int ret = -1;

	if (!yaml_parser_initialize(&ps))
		pg_die_oom(0);
	yaml_parser_set_input_string(&ps, (const unsigned char *)c->data, c->len);
	while (!end) {
		unsigned line, col;
		const yaml_char_t *anchor = NULL, *tag = NULL;
		struct node *n;
		enum ntype type;

		if (!yaml_parser_parse(&ps, &ev)) {
			yaml_fail(c, &ps);
			goto done;
		}
		have_ev = true;
		line = (unsigned)ev.start_mark.line + 1;
		col = (unsigned)ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			end = true;
			goto next;
		case YAML_DOCUMENT_START_EVENT:
			if (nr_docs++) {
				fail_at(c, line, col,
					"a second YAML document is not allowed; the config is one "
					"document");
				goto done;
			}
			goto next;
		case YAML_ALIAS_EVENT:
			fail_at(c, line, col, "aliases not allowed");
			goto done;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			if (stack[depth]->type == N_MAP && check_duplicates(c, stack[depth]) < 0)
				goto done;
			goto next;
		case YAML_SCALAR_EVENT:
			type = N_SCALAR;
			anchor = ev.data.scalar.anchor;
			tag = ev.data.scalar.tag;
			break;
		case YAML_SEQUENCE_START_EVENT:
			type = N_SEQ;
			anchor = ev.data.sequence_start.anchor;
			tag = ev.data.sequence_start.tag;
			break;
		case YAML_MAPPING_START_EVENT:
			type = N_MAP;
			anchor = ev.data.mapping_start.anchor;
			tag = ev.data.mapping_start.tag;
			break;
		default:
			goto next;
		}
		/* An anchor is only there to be aliased: refuse it before any alias can cost. */
		if (anchor) {
			fail_at(c, line, col, "aliases not allowed");
			goto done;
		}
		if (tag && (type != N_SCALAR || strcmp((const char *)tag, YAML_STR_TAG))) {
			char b1[SHOWN];
			fail_at(c, line, col, "tag %s not allowed", show(b1, (const char *)tag));
			goto done;
		}
		if (type != N_SCALAR && depth >= PG_CONFIG_MAX_DEPTH) {
			fail_at(c, line, col, "nesting deeper than %d", PG_CONFIG_MAX_DEPTH);
			goto done;
		}
		if (++c->nr_nodes > PG_CONFIG_MAX_NODES) {
			fail_at(c, line, col, "more than %d YAML nodes", PG_CONFIG_MAX_NODES);
			goto done;
		}
		n = pg_xcalloc(1, sizeof(*n));
		n->type = type;
		n->line = line;
		n->col = col;
		if (type == N_SCALAR) {
			n->len = ev.data.scalar.length;
			n->str = pg_xstrndup((const char *)ev.data.scalar.value, n->len);
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag;
		}
		if (!depth) {
			root = n;
		} else {
			struct node *parent = stack[depth - 1];
			bool is_key = parent->type == N_MAP && parent->nr % 2 == 0;
			PG_GROW(parent->kids, parent->nr + 1, parent->alloc);
			parent->kids[parent->nr++] = n;
			if (is_key && type != N_SCALAR) {
				fail(c, n, "mapping keys must be strings, found a %s",
				     type == N_SEQ ? "list" : "mapping");
				goto done;
			}
			if (is_key && strlen(n->str) != n->len) {
				fail(c, n, "a key contains a NUL character");
				goto done;
			}
		}
		if (type != N_SCALAR)
			stack[depth++] = n;
	next:
		yaml_event_delete(&ev);
		have_ev = false;
	}
	ret = 0;
done:
	if (have_ev)
		yaml_event_delete(&ev);
	yaml_parser_delete(&ps);
	if (ret < 0) {
		node_free(root);
		root = NULL;
	}
	*rootp = root;
	return ret;
}

/* ---- pass 2: tree -> struct pg_config ---- */

static bool is_null(const struct node *n)
{
	return n->type == N_SCALAR && n->plain &&
	       (!n->str[0] || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
		!strcmp(n->str, "Null") || !strcmp(n->str, "NULL"));
}

static const char *describe(char buf[SHOWN], const struct node *n)
{
	if (n->type == N_SEQ)
		return "a list";
	if (n->type == N_MAP)
		return "a mapping";
	if (is_null(n))
		return "no value";
	return show(buf, n->str);
}

static const struct node *map_get(const struct node *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->nr; i += 2)
		if (!strcmp(map->kids[i]->str, key))
			return map->kids[i + 1];
	return NULL;
}

/* The nearest of cands to s, or NULL when none is near enough to be a typo. */
static const char *nearest(const char *s, const char *const *cands, size_t nr)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, limit = strlen(s) * 2 / 3;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < nr; i++) {
		size_t d = pg_str_distance(s, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

/* "; did you mean 'x'?" or "" */
static const char *suggestion(char buf[SHOWN + 32], const char *s, const char *const *cands,
			      size_t nr)
{
	const char *near = nearest(s, cands, nr);
	char b1[SHOWN];

	if (!near)
		return "";
	snprintf(buf, SHOWN + 32, "; did you mean %s?", show(b1, near));
	return buf;
}

static void join(char *buf, size_t size, const char *const *names, size_t nr)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nr && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", names[i]);
}

static int check_keys(struct ctx *c, const struct node *map, const char *const *allowed,
		      size_t nr_allowed, const char *where)
{
	for (size_t i = 0; i + 1 < map->nr; i += 2) {
		const struct node *k = map->kids[i];
		char b1[SHOWN], b2[SHOWN + 32], list[512];
		size_t j;

		for (j = 0; j < nr_allowed; j++)
			if (!strcmp(k->str, allowed[j]) && strlen(allowed[j]) == k->len)
				break;
		if (j < nr_allowed)
			continue;
		join(list, sizeof(list), allowed, nr_allowed);
		return fail(c, k, "unknown key %s %s%s (allowed: %s)", show(b1, k->str), where,
			    suggestion(b2, k->str, allowed, nr_allowed), list);
	}
	return 0;
}

static int want_scalar(struct ctx *c, const struct node *n, const char *what, const char *expected)
{
	char b1[SHOWN];

	if (n->type != N_SCALAR || is_null(n))
		return fail(c, n, "%s must be %s, found %s", what, expected, describe(b1, n));
	if (strlen(n->str) != n->len)
		return fail(c, n, "%s contains a NUL character", what);
	return 0;
}

static int get_string(struct ctx *c, const struct node *n, const char *what, char **out)
{
	if (want_scalar(c, n, what, "a string") < 0)
		return -1;
	if (!n->str[0])
		return fail(c, n, "%s must not be empty", what);
	*out = pg_xstrdup(n->str);
	return 0;
}

static int get_uint(struct ctx *c, const struct node *n, const char *what, unsigned lo, unsigned hi,
		    unsigned *out)
{
	char b1[SHOWN], expected[64];
	unsigned long long v = 0;
	const char *p;

	snprintf(expected, sizeof(expected), "a whole number from %u to %u", lo, hi);
	if (want_scalar(c, n, what, expected) < 0)
		return -1;
	p = n->str;
	if (!n->plain || !*p)
		goto bad;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > hi)
			goto bad;
	}
	if (v < lo)
		goto bad;
	*out = (unsigned)v;
	return 0;
bad:
	return fail(c, n, "%s must be %s, found %s%s", what, expected,
		    n->plain ? "" : "the quoted string ", show(b1, n->str));
}

static int get_bool(struct ctx *c, const struct node *n, const char *what, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	char b1[SHOWN];

	if (want_scalar(c, n, what, "true or false") < 0)
		return -1;
	for (size_t i = 0; n->plain && i < 3; i++) {
		if (!strcmp(n->str, yes[i]) || !strcmp(n->str, no[i])) {
			*out = !strcmp(n->str, yes[i]);
			return 0;
		}
	}
	return fail(c, n, "%s must be true or false, found %s%s", what,
		    n->plain ? "" : "the quoted string ", show(b1, n->str));
}

static int get_enum(struct ctx *c, const struct node *n, const char *what, const char *const *names,
		    size_t nr, int *out)
{
	char b1[SHOWN], b2[SHOWN + 32], list[512], expected[sizeof(list) + 16];

	join(list, sizeof(list), names, nr);
	snprintf(expected, sizeof(expected), "one of %s", list);
	if (want_scalar(c, n, what, expected) < 0)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		if (!strcmp(n->str, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	return fail(c, n, "unknown value %s for %s%s (allowed: %s)", show(b1, n->str), what,
		    suggestion(b2, n->str, names, nr), list);
}

/* ---- numbers with units ---- */

enum qkind { Q_TIME, Q_SIZE, Q_COUNT, Q_PERCENT, Q_ANY };

struct unit {
	const char *name;
	double factor;
};

static const struct unit time_units[] = {
    {"ns", 1},	  {"us", 1e3},	 {"\xc2\xb5s", 1e3}, {"ms", 1e6},
    {"s", 1e9},	  {"m", 60e9},	 {"min", 60e9},	     {"h", 3600e9},
};
static const struct unit size_units[] = {
    {"B", 1},
    {"KiB", 1024.0},
    {"MiB", 1024.0 * 1024},
    {"GiB", 1024.0 * 1024 * 1024},
    {"TiB", 1024.0 * 1024 * 1024 * 1024},
    {"kB", 1e3},
    {"KB", 1e3},
    {"MB", 1e6},
    {"GB", 1e9},
    {"TB", 1e12},
};
#define TIME_UNITS "ns, us, ms, s, m, min, h"
#define SIZE_UNITS "B, KiB, MiB, GiB, TiB, kB, MB, GB, TB"

static const struct unit *find_unit(const struct unit *units, size_t nr, const char *name)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(units[i].name, name))
			return &units[i];
	return NULL;
}

static const char *unit_suggestion(char buf[SHOWN + 32], const char *u, const struct unit *units,
				   size_t nr)
{
	const char *names[16];
	char b1[SHOWN];

	for (size_t i = 0; i < nr; i++) {
		if (!strcasecmp(u, units[i].name)) {
			snprintf(buf, SHOWN + 32, "; did you mean %s?", show(b1, units[i].name));
			return buf;
		}
		names[i] = units[i].name;
	}
	return suggestion(buf, u, names, nr);
}

enum { NUM_OK, NUM_BAD, NUM_NEG, NUM_NONFINITE, NUM_RANGE };

/* "<decimal>[spaces]<unit>": the number and where the unit starts. */
static int parse_num(const char *s, double *v, const char **unit)
{
	const char *p = s, *q, *r;
	size_t digits = 0;
	char *num;
	double d;

	if (*p == '-')
		return isdigit((unsigned char)p[1]) || p[1] == '.' || !strncasecmp(p + 1, "inf", 3)
			   ? NUM_NEG
			   : NUM_BAD;
	if (*p == '+')
		p++;
	q = *p == '.' ? p + 1 : p;
	if (!strcasecmp(q, "nan") || !strcasecmp(q, "inf") || !strcasecmp(q, "infinity"))
		return NUM_NONFINITE;
	for (q = p; isdigit((unsigned char)*q); q++)
		digits++;
	if (*q == '.')
		for (q++; isdigit((unsigned char)*q); q++)
			digits++;
	if (!digits)
		return NUM_BAD;
	if (*q == 'e' || *q == 'E') {
		r = q + 1;
		if (*r == '+' || *r == '-')
			r++;
		if (isdigit((unsigned char)*r)) {
			while (isdigit((unsigned char)*r))
				r++;
			q = r;
		}
	}
	num = pg_xstrndup(p, (size_t)(q - p));
	errno = 0;
	d = strtod(num, NULL);
	free(num);
	if (errno == ERANGE || !isfinite(d))
		return NUM_RANGE;
	while (*q == ' ')
		q++;
	*v = d;
	*unit = q;
	return NUM_OK;
}

static const char *expected_q(enum qkind k)
{
	switch (k) {
	case Q_TIME:
		return "a time such as 250ms";
	case Q_SIZE:
		return "a size such as 64MiB";
	case Q_COUNT:
		return "a number";
	case Q_PERCENT:
		return "a percentage such as 5%";
	default:
		return "a number, a time such as 250ms or a size such as 64MiB";
	}
}

/*
 * A non-negative finite quantity in canonical units (ns, bytes, fraction, count);
 * *kind says which for Q_ANY.
 */
static int get_quantity(struct ctx *c, const struct node *n, const char *what, enum qkind k,
			double *out, enum pg_metric_kind *kind)
{
	char b1[SHOWN], b2[SHOWN + 32], b3[SHOWN];
	const struct unit *u = NULL;
	const char *unit = NULL;
	double v = 0, factor = 1;
	enum pg_metric_kind mk = PG_METRIC_COUNT;

	if (want_scalar(c, n, what, expected_q(k)) < 0)
		return -1;
	switch (parse_num(n->str, &v, &unit)) {
	case NUM_BAD:
		return fail(c, n, "%s must be %s, found %s", what, expected_q(k), show(b1, n->str));
	case NUM_NEG:
		return fail(c, n, "%s must not be negative, found %s", what, show(b1, n->str));
	case NUM_NONFINITE:
		return fail(c, n, "%s must be a finite number, found %s", what, show(b1, n->str));
	case NUM_RANGE:
		return fail(c, n, "%s is out of range: %s", what, show(b1, n->str));
	}
	switch (k) {
	case Q_TIME:
		mk = PG_METRIC_TIME;
		if (!*unit)
			return fail(
			    c, n, "%s needs a time unit (" TIME_UNITS "), such as '%ss'; found %s",
			    what, n->str, show(b1, n->str));
		u = find_unit(time_units, PG_ARRAY_SIZE(time_units), unit);
		if (!u &&
		    (find_unit(size_units, PG_ARRAY_SIZE(size_units), unit) || !strcmp(unit, "%")))
			return fail(c, n,
				    "%s is a time, but %s is not a time unit (allowed: " TIME_UNITS
				    ")",
				    what, show(b1, unit));
		if (!u)
			return fail(
			    c, n, "unknown time unit %s in %s%s (allowed: " TIME_UNITS ")",
			    show(b1, unit), what,
			    unit_suggestion(b2, unit, time_units, PG_ARRAY_SIZE(time_units)));
		factor = u->factor;
		break;
	case Q_SIZE:
		mk = PG_METRIC_SIZE;
		if (!*unit)
			return fail(c, n,
				    "%s needs a size unit (" SIZE_UNITS
				    "), such as '%sMiB'; found %s",
				    what, n->str, show(b1, n->str));
		u = find_unit(size_units, PG_ARRAY_SIZE(size_units), unit);
		if (!u &&
		    (find_unit(time_units, PG_ARRAY_SIZE(time_units), unit) || !strcmp(unit, "%")))
			return fail(c, n,
				    "%s is a size, but %s is not a size unit (allowed: " SIZE_UNITS
				    ")",
				    what, show(b1, unit));
		if (!u)
			return fail(
			    c, n, "unknown size unit %s in %s%s (allowed: " SIZE_UNITS ")",
			    show(b1, unit), what,
			    unit_suggestion(b2, unit, size_units, PG_ARRAY_SIZE(size_units)));
		factor = u->factor;
		break;
	case Q_COUNT:
		if (*unit)
			return fail(c, n, "%s is a count; give a plain number, found %s", what,
				    show(b1, n->str));
		break;
	case Q_PERCENT:
		if (strcmp(unit, "%"))
			return fail(c, n, "%s must be a percentage such as 5%%, found %s", what,
				    show(b1, n->str));
		factor = 0.01;
		break;
	case Q_ANY:
		if (!*unit)
			break;
		if ((u = find_unit(time_units, PG_ARRAY_SIZE(time_units), unit))) {
			mk = PG_METRIC_TIME;
		} else if ((u = find_unit(size_units, PG_ARRAY_SIZE(size_units), unit))) {
			mk = PG_METRIC_SIZE;
		} else {
			return fail(c, n,
				    "unknown unit %s in %s (allowed: none, " TIME_UNITS
				    ", " SIZE_UNITS ")",
				    show(b3, unit), what);
		}
		factor = u->factor;
		break;
	}
	v *= factor;
	if (!isfinite(v))
		return fail(c, n, "%s is out of range: %s", what, show(b1, n->str));
	*out = v;
	if (kind)
		*kind = mk;
	return 0;
}

static int get_duration(struct ctx *c, const struct node *n, const char *what, uint64_t *out_ns)
{
	char b1[SHOWN];
	double v;

	if (get_quantity(c, n, what, Q_TIME, &v, NULL) < 0)
		return -1;
	if (v < 1)
		return fail(c, n, "%s must be greater than 0, found %s", what, show(b1, n->str));
	if (v >= 9.2e18)
		return fail(c, n, "%s is out of range: %s", what, show(b1, n->str));
	*out_ns = (uint64_t)(v + 0.5);
	return 0;
}

/* ---- metrics ---- */

static const struct {
	const char *name, *canonical;
	enum pg_metric_kind kind;
} metrics[] = {
    {"wall", "wall", PG_METRIC_TIME},
    {"user", "user", PG_METRIC_TIME},
    {"sys", "sys", PG_METRIC_TIME},
    {"cpu", "cpu", PG_METRIC_TIME},
    {"max_rss", "max_rss", PG_METRIC_SIZE},
    {"rss", "max_rss", PG_METRIC_SIZE},
    {"instructions", "instructions", PG_METRIC_COUNT},
};

const char *pg_config_metric_canonical(const char *name)
{
	for (size_t i = 0; name && i < PG_ARRAY_SIZE(metrics); i++)
		if (!strcmp(metrics[i].name, name))
			return metrics[i].canonical;
	return NULL;
}

enum pg_metric_kind pg_config_metric_kind(const char *name)
{
	for (size_t i = 0; name && i < PG_ARRAY_SIZE(metrics); i++)
		if (!strcmp(metrics[i].name, name))
			return metrics[i].kind;
	return PG_METRIC_COUNT;
}

/* ---- the sections ---- */

static const char *const top_keys[] = {"version",    "build",	"build_timeout",
				       "benchmarks", "profile", "budgets"};
static const char *const bench_keys[] = {"name",	 "run",	       "cwd",	  "env",
					 "warmup",	 "repeat",     "timeout", "output",
					 "instructions", "ignore_exit"};
static const char *const repeat_keys[] = {"min", "max"};
static const char *const profile_keys[] = {"profiler", "frequency", "call_graph"};
static const char *const rule_keys[] = {"max", "min", "regress"};
static const char *const output_names[] = {
    "none", "google-benchmark", "hyperfine", "go-test", "pytest-benchmark", "bmf", "lines"};
static const char *const profiler_names[] = {"perf", "callgrind"};
static const char *const call_graph_names[] = {"dwarf", "fp", "none"};

#define MAX_NAME_BYTES 200

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool env_name_ok(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static int parse_repeat(struct ctx *c, const struct node *n, const char *bname,
			struct pg_bench_cfg *b)
{
	char what[SHOWN + 64], where[SHOWN + 64], b1[SHOWN];
	const struct node *v;
	bool has_max = false;

	if (n->type == N_SCALAR && !is_null(n)) {
		snprintf(what, sizeof(what), "'repeat' of benchmark %s", bname);
		if (get_uint(c, n, what, 1, PG_CONFIG_MAX_REPEAT, &b->repeat_min) < 0)
			return -1;
	} else if (n->type == N_MAP) {
		snprintf(where, sizeof(where), "in 'repeat' of benchmark %s", bname);
		if (check_keys(c, n, repeat_keys, PG_ARRAY_SIZE(repeat_keys), where) < 0)
			return -1;
		if ((v = map_get(n, "min"))) {
			snprintf(what, sizeof(what), "'repeat.min' of benchmark %s", bname);
			if (get_uint(c, v, what, 1, PG_CONFIG_MAX_REPEAT, &b->repeat_min) < 0)
				return -1;
		}
		if ((v = map_get(n, "max"))) {
			snprintf(what, sizeof(what), "'repeat.max' of benchmark %s", bname);
			if (get_uint(c, v, what, 1, PG_CONFIG_MAX_REPEAT, &b->repeat_max) < 0)
				return -1;
			has_max = true;
			if (b->repeat_max < b->repeat_min)
				return fail(c, v,
					    "'repeat.max' (%u) is less than 'repeat.min' (%u) in "
					    "benchmark %s",
					    b->repeat_max, b->repeat_min, bname);
		}
	} else {
		snprintf(what, sizeof(what), "'repeat' of benchmark %s", bname);
		return fail(c, n, "%s must be a number or { min: N, max: M }, found %s", what,
			    describe(b1, n));
	}
	if (!has_max && b->repeat_max < b->repeat_min)
		b->repeat_max = b->repeat_min;
	return 0;
}

static int parse_env(struct ctx *c, const struct node *n, const char *bname, struct pg_bench_cfg *b)
{
	char what[SHOWN * 2 + 64], b1[SHOWN];

	if (n->type != N_MAP)
		return fail(c, n,
			    "'env' of benchmark %s must be a mapping of NAME: value, found %s",
			    bname, describe(b1, n));
	b->env = pg_xcalloc(n->nr / 2 + 1, sizeof(*b->env));
	for (size_t i = 0; i + 1 < n->nr; i += 2) {
		const struct node *k = n->kids[i], *v = n->kids[i + 1];
		char *val = NULL;

		if (!env_name_ok(k->str) || strlen(k->str) != k->len)
			return fail(c, k,
				    "bad environment variable name %s in benchmark %s "
				    "(letters, digits and _, not starting with a digit)",
				    show(b1, k->str), bname);
		snprintf(what, sizeof(what), "'env.%s' of benchmark %s", k->str, bname);
		if (want_scalar(c, v, what, "a string") < 0)
			return -1;
		val = pg_xasprintf("%s=%s", k->str, v->str);
		b->env[b->nr_env++] = val;
	}
	return 0;
}

static int parse_ignore_exit(struct ctx *c, const struct node *n, const char *bname,
			     struct pg_bench_cfg *b)
{
	char what[SHOWN + 64], b1[SHOWN];

	if (n->type != N_SEQ)
		return fail(c, n,
			    "'ignore_exit' of benchmark %s must be a list of exit codes such as "
			    "[1], found %s",
			    bname, describe(b1, n));
	b->ignore_exit = pg_xcalloc(n->nr + 1, sizeof(*b->ignore_exit));
	snprintf(what, sizeof(what), "an exit code in 'ignore_exit' of benchmark %s", bname);
	for (size_t i = 0; i < n->nr; i++) {
		unsigned code;
		if (get_uint(c, n->kids[i], what, 0, 255, &code) < 0)
			return -1;
		b->ignore_exit[b->nr_ignore_exit++] = (int)code;
	}
	return 0;
}

static int parse_bench(struct ctx *c, const struct node *n, size_t idx, struct pg_bench_cfg *b)
{
	char bname[SHOWN + 16], what[SHOWN + 64], where[SHOWN + 64], b1[SHOWN];
	const struct node *v;
	int e;

	b->warmup = 1;
	b->repeat_min = 3;
	b->repeat_max = 30;
	b->timeout_ns = 60ull * 1000000000ull;
	b->pos.line = n->line;
	b->pos.col = n->col;
	if (n->type != N_MAP)
		return fail(c, n,
			    "each benchmark must be a mapping with 'name' and 'run', found %s",
			    describe(b1, n));
	v = map_get(n, "name");
	if (v && v->type == N_SCALAR && !is_null(v))
		show(bname, v->str);
	else
		snprintf(bname, sizeof(bname), "#%zu", idx + 1);
	snprintf(where, sizeof(where), "in benchmark %s", bname);
	if (check_keys(c, n, bench_keys, PG_ARRAY_SIZE(bench_keys), where) < 0)
		return -1;
	if (!v)
		return fail(c, n, "benchmark %s has no 'name'", bname);
	if (get_string(c, v, "'name' of a benchmark", &b->name) < 0)
		return -1;
	if (has_control(b->name))
		return fail(c, v, "benchmark name %s contains a control character", bname);
	if (strlen(b->name) > MAX_NAME_BYTES)
		return fail(c, v, "benchmark name %s is longer than %d bytes", bname,
			    MAX_NAME_BYTES);
	if (!(v = map_get(n, "run")))
		return fail(c, n, "benchmark %s has no 'run'", bname);
	snprintf(what, sizeof(what), "'run' of benchmark %s", bname);
	if (get_string(c, v, what, &b->run) < 0)
		return -1;
	if (!b->run[strspn(b->run, " \t\r\n")])
		return fail(c, v, "%s is blank", what);
	if ((v = map_get(n, "cwd"))) {
		snprintf(what, sizeof(what), "'cwd' of benchmark %s", bname);
		if (get_string(c, v, what, &b->cwd) < 0)
			return -1;
		if (b->cwd[0] == '/')
			return fail(c, v, "%s must be relative to the repository root, found %s",
				    what, show(b1, b->cwd));
		if (!strcmp(b->cwd, "..") || pg_str_startswith(b->cwd, "../") ||
		    strstr(b->cwd, "/../") || pg_str_endswith(b->cwd, "/.."))
			return fail(c, v, "%s must stay inside the repository, found %s", what,
				    show(b1, b->cwd));
	}
	if ((v = map_get(n, "env")) && parse_env(c, v, bname, b) < 0)
		return -1;
	if ((v = map_get(n, "warmup"))) {
		snprintf(what, sizeof(what), "'warmup' of benchmark %s", bname);
		if (get_uint(c, v, what, 0, PG_CONFIG_MAX_REPEAT, &b->warmup) < 0)
			return -1;
	}
	if ((v = map_get(n, "repeat")) && parse_repeat(c, v, bname, b) < 0)
		return -1;
	if ((v = map_get(n, "timeout"))) {
		snprintf(what, sizeof(what), "'timeout' of benchmark %s", bname);
		if (get_duration(c, v, what, &b->timeout_ns) < 0)
			return -1;
	}
	if ((v = map_get(n, "output"))) {
		snprintf(what, sizeof(what), "'output' of benchmark %s", bname);
		if (get_enum(c, v, what, output_names, PG_ARRAY_SIZE(output_names), &e) < 0)
			return -1;
		b->output = (enum pg_output_format)e;
	}
	if ((v = map_get(n, "instructions"))) {
		snprintf(what, sizeof(what), "'instructions' of benchmark %s", bname);
		if (get_bool(c, v, what, &b->instructions) < 0)
			return -1;
		if (!b->instructions) {
			c->instr_off[idx].line = v->line;
			c->instr_off[idx].col = v->col;
		}
	}
	if ((v = map_get(n, "ignore_exit")) && parse_ignore_exit(c, v, bname, b) < 0)
		return -1;
	return 0;
}

static int parse_benches(struct ctx *c, const struct node *root)
{
	struct pg_config *cfg = c->cfg;
	const struct node *n = map_get(root, "benchmarks");
	char b1[SHOWN];

	if (!n)
		return fail(c, root, "missing 'benchmarks' at the top level");
	if (n->type != N_SEQ)
		return fail(c, n, "'benchmarks' must be a list of benchmarks, found %s",
			    describe(b1, n));
	if (!n->nr)
		return fail(c, n, "'benchmarks' is empty; add at least one benchmark");
	cfg->benches = pg_xcalloc(n->nr, sizeof(*cfg->benches));
	c->instr_off = pg_xcalloc(n->nr, sizeof(*c->instr_off));
	for (size_t i = 0; i < n->nr; i++) {
		struct pg_bench_cfg *b = &cfg->benches[i];

		cfg->nr_benches++;
		if (parse_bench(c, n->kids[i], i, b) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(cfg->benches[j].name, b->name)) {
				const struct node *name = map_get(n->kids[i], "name");
				return fail(c, name, "duplicate benchmark name %s (first at %u:%u)",
					    show(b1, b->name), cfg->benches[j].pos.line,
					    cfg->benches[j].pos.col);
			}
		}
	}
	return 0;
}

static int parse_profile(struct ctx *c, const struct node *n)
{
	struct pg_profile_cfg *p = &c->cfg->profile;
	const struct node *v;
	char b1[SHOWN];
	int e;

	if (n->type != N_MAP)
		return fail(c, n,
			    "'profile' must be a mapping such as { profiler: perf }, found %s",
			    describe(b1, n));
	if (check_keys(c, n, profile_keys, PG_ARRAY_SIZE(profile_keys), "in 'profile'") < 0)
		return -1;
	if ((v = map_get(n, "profiler"))) {
		if (get_enum(c, v, "'profiler'", profiler_names, PG_ARRAY_SIZE(profiler_names),
			     &e) < 0)
			return -1;
		p->profiler = (enum pg_profiler)e;
	}
	if ((v = map_get(n, "frequency")) &&
	    get_uint(c, v, "'profile.frequency'", 1, 100000, &p->frequency) < 0)
		return -1;
	if ((v = map_get(n, "call_graph"))) {
		if (get_enum(c, v, "'call_graph'", call_graph_names,
			     PG_ARRAY_SIZE(call_graph_names), &e) < 0)
			return -1;
		p->call_graph = (enum pg_call_graph)e;
	}
	return 0;
}

static int parse_rule(struct ctx *c, const struct node *key, const struct node *n,
		      struct pg_bench_cfg *b, struct pg_budget_rule *r)
{
	char where[SHOWN + 32], what[2 * SHOWN + 64], bname[SHOWN], mname[SHOWN], b1[SHOWN];
	const struct node *vmax, *vmin, *vreg;
	enum qkind k = Q_ANY;
	enum pg_metric_kind kmax = PG_METRIC_COUNT, kmin = PG_METRIC_COUNT;

	show(bname, b->name);
	show(mname, key->str);
	if (n->type != N_MAP)
		return fail(c, n,
			    "budget %s of benchmark %s must be a mapping such as { max: 250ms, "
			    "regress: 5%% }, found %s",
			    mname, bname, describe(b1, n));
	snprintf(where, sizeof(where), "in budget %s", mname);
	if (check_keys(c, n, rule_keys, PG_ARRAY_SIZE(rule_keys), where) < 0)
		return -1;
	vmax = map_get(n, "max");
	vmin = map_get(n, "min");
	vreg = map_get(n, "regress");
	if (!vmax && !vmin && !vreg)
		return fail(c, n, "budget %s of benchmark %s sets none of max, min, regress", mname,
			    bname);
	if (r->builtin) {
		switch (pg_config_metric_kind(r->metric)) {
		case PG_METRIC_TIME:
			k = Q_TIME;
			break;
		case PG_METRIC_SIZE:
			k = Q_SIZE;
			break;
		default:
			k = Q_COUNT;
		}
		r->kind = pg_config_metric_kind(r->metric);
	}
	if (vmax) {
		snprintf(what, sizeof(what), "'max' of budget %s", mname);
		if (get_quantity(c, vmax, what, k, &r->max, &kmax) < 0)
			return -1;
		r->has_max = true;
	}
	if (vmin) {
		snprintf(what, sizeof(what), "'min' of budget %s", mname);
		if (get_quantity(c, vmin, what, k, &r->min, &kmin) < 0)
			return -1;
		r->has_min = true;
	}
	if (!r->builtin) {
		if (vmax && vmin && kmax != kmin)
			return fail(c, vmin,
				    "'min' and 'max' of budget %s use different kinds of unit",
				    mname);
		r->kind = vmax ? kmax : kmin;
	}
	if (vmax && vmin && r->min > r->max)
		return fail(c, vmin, "'min' of budget %s is greater than its 'max'", mname);
	if (vreg) {
		snprintf(what, sizeof(what), "'regress' of budget %s", mname);
		if (get_quantity(c, vreg, what, Q_PERCENT, &r->regress, NULL) < 0)
			return -1;
		r->has_regress = true;
	}
	return 0;
}

static int parse_budgets(struct ctx *c, const struct node *n)
{
	struct pg_config *cfg = c->cfg;
	const char **names = NULL;
	size_t nr_metrics = 0;
	char b1[SHOWN], b2[SHOWN + 32], b3[SHOWN], list[512];
	int ret = -1;

	if (n->type != N_MAP) {
		fail(c, n,
		     "'budgets' must be a mapping of benchmark: metric: { max, min, regress }, "
		     "found %s",
		     describe(b1, n));
		goto done;
	}
	for (size_t i = 0; i + 1 < n->nr; i += 2)
		if (n->kids[i + 1]->type == N_MAP)
			nr_metrics += n->kids[i + 1]->nr / 2;
	cfg->budgets = pg_xcalloc(nr_metrics + 1, sizeof(*cfg->budgets));
	names = pg_xcalloc(cfg->nr_benches + 1, sizeof(*names));
	for (size_t i = 0; i < cfg->nr_benches; i++)
		names[i] = cfg->benches[i].name;
	for (size_t i = 0; i + 1 < n->nr; i += 2) {
		const struct node *bk = n->kids[i], *bv = n->kids[i + 1];
		struct pg_bench_cfg *b = (struct pg_bench_cfg *)pg_config_bench(cfg, bk->str);

		if (!b) {
			join(list, sizeof(list), names,
			     cfg->nr_benches < 10 ? cfg->nr_benches : 10);
			fail(c, bk, "budget for unknown benchmark %s%s (benchmarks: %s%s)",
			     show(b1, bk->str), suggestion(b2, bk->str, names, cfg->nr_benches),
			     list, cfg->nr_benches > 10 ? ", ..." : "");
			goto done;
		}
		if (bv->type != N_MAP) {
			fail(c, bv,
			     "budgets of benchmark %s must be a mapping of metrics such as wall: { "
			     "max: 250ms }, found %s",
			     show(b1, b->name), describe(b3, bv));
			goto done;
		}
		for (size_t j = 0; j + 1 < bv->nr; j += 2) {
			const struct node *mk = bv->kids[j], *mv = bv->kids[j + 1];
			const char *canon = pg_config_metric_canonical(mk->str);
			struct pg_budget_rule *r = &cfg->budgets[cfg->nr_budgets];

			if (!canon && b->output == PG_OUTPUT_NONE) {
				const char *builtin[PG_ARRAY_SIZE(metrics)];
				for (size_t m = 0; m < PG_ARRAY_SIZE(metrics); m++)
					builtin[m] = metrics[m].name;
				join(list, sizeof(list), builtin, PG_ARRAY_SIZE(builtin));
				fail(c, mk,
				     "unknown metric %s for benchmark %s%s (built in: %s; other "
				     "names need an 'output:' format on the benchmark)",
				     show(b1, mk->str), show(b3, b->name),
				     suggestion(b2, mk->str, builtin, PG_ARRAY_SIZE(builtin)),
				     list);
				goto done;
			}
			if (!canon && (!mk->str[0] || has_control(mk->str) ||
				       strlen(mk->str) > MAX_NAME_BYTES)) {
				fail(c, mk, "bad metric name %s", show(b1, mk->str));
				goto done;
			}
			for (size_t k = 0; k < cfg->nr_budgets; k++) {
				const struct pg_budget_rule *o = &cfg->budgets[k];
				if (!strcmp(o->bench, b->name) &&
				    !strcmp(o->metric, canon ? canon : mk->str)) {
					fail(c, mk,
					     "metric '%s' of benchmark %s given twice (first at "
					     "%u:%u)",
					     o->metric, show(b1, b->name), o->pos.line, o->pos.col);
					goto done;
				}
			}
			cfg->nr_budgets++;
			r->bench = pg_xstrdup(b->name);
			r->metric = pg_xstrdup(canon ? canon : mk->str);
			r->builtin = canon != NULL;
			r->pos.line = mk->line;
			r->pos.col = mk->col;
			if (parse_rule(c, mk, mv, b, r) < 0)
				goto done;
			if (canon && !strcmp(canon, "instructions")) {
				const struct pg_config_pos *off = &c->instr_off[b - cfg->benches];
				if (off->line) {
					fail(c, mk,
					     "a budget on 'instructions' needs instruction counts, "
					     "but benchmark %s sets 'instructions: false' (at "
					     "%u:%u)",
					     show(b1, b->name), off->line, off->col);
					goto done;
				}
				b->instructions = true;
			}
		}
	}
	ret = 0;
done:
	free(names);
	return ret;
}

static int parse_root(struct ctx *c, const struct node *root)
{
	struct pg_config *cfg = c->cfg;
	const struct node *v;
	char b1[SHOWN];
	unsigned version;

	if (root->type != N_MAP)
		return fail(c, root,
			    "the config must be a mapping (version: 1, benchmarks: ...), found %s",
			    describe(b1, root));
	/* the version first: another version may have other keys */
	if (!(v = map_get(root, "version")))
		return fail(c, root, "missing 'version: 1' at the top level");
	if (want_scalar(c, v, "'version'", "1") < 0)
		return -1;
	if (!v->plain || !v->str[0] || strspn(v->str, "0123456789") != strlen(v->str) ||
	    strlen(v->str) > 6)
		return fail(c, v, "'version' must be 1, found %s%s",
			    v->plain ? "" : "the quoted string ", show(b1, v->str));
	version = (unsigned)atoi(v->str);
	if (version != 1)
		return fail(c, v, "unsupported version %u (this perfgate reads version 1)",
			    version);
	cfg->version = 1;
	if (check_keys(c, root, top_keys, PG_ARRAY_SIZE(top_keys), "at the top level") < 0)
		return -1;
	if ((v = map_get(root, "build")) && get_string(c, v, "'build'", &cfg->build) < 0)
		return -1;
	if ((v = map_get(root, "build_timeout")) &&
	    get_duration(c, v, "'build_timeout'", &cfg->build_timeout_ns) < 0)
		return -1;
	if (parse_benches(c, root) < 0)
		return -1;
	if ((v = map_get(root, "profile")) && parse_profile(c, v) < 0)
		return -1;
	if ((v = map_get(root, "budgets")) && parse_budgets(c, v) < 0)
		return -1;
	return 0;
}

int pg_config_parse(struct pg_config *cfg, const char *name, const char *data, size_t len,
		    struct pg_err *err)
{
	struct ctx c = {name, data, len, 0, err, cfg, NULL};
	const unsigned char *u = (const unsigned char *)data;
	struct node *root = NULL;
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = pg_xstrdup(name);
	cfg->build_timeout_ns = 30ull * 60 * 1000000000ull;
	cfg->profile.profiler = PG_PROFILER_PERF;
	cfg->profile.frequency = 999;
	cfg->profile.call_graph = PG_CALL_GRAPH_DWARF;
	if (len > PG_CONFIG_MAX_BYTES) {
		pg_err_set(err, PG_ERR_USAGE, "%s: larger than %d bytes (%zu bytes)", name,
			   PG_CONFIG_MAX_BYTES, len);
		goto done;
	}
	pg_sha256_hex(data ? data : "", len, cfg->hash);
	if (len >= 4 && ((u[0] == 0 && u[1] == 0 && u[2] == 0xfe && u[3] == 0xff) ||
			 (u[0] == 0xff && u[1] == 0xfe && u[2] == 0 && u[3] == 0))) {
		fail_at(&c, 1, 1, "UTF-32 is not supported; save as UTF-8");
		goto done;
	}
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff) ||
			 u[0] == 0 || u[1] == 0)) {
		fail_at(&c, 1, 1, "UTF-16 is not supported; save as UTF-8");
		goto done;
	}
	if (!data)
		c.data = data = "";
	if (build_tree(&c, &root) < 0)
		goto done;
	if (!root || is_null(root)) {
		fail_at(&c, 1, 1, "empty config (expected 'version: 1' and 'benchmarks:')");
		goto done;
	}
	if (parse_root(&c, root) < 0)
		goto done;
	ret = 0;
done:
	node_free(root);
	free(c.instr_off);
	if (ret < 0)
		pg_config_release(cfg);
	return ret;
}

int pg_config_load(struct pg_config *cfg, const char *path, struct pg_err *err)
{
	const char *prev = pg_oom_while("reading the config");
	struct pg_buf buf = PG_BUF_INIT;
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (pg_file_read(path, PG_CONFIG_MAX_BYTES, &buf, err) < 0)
		goto done;
	ret = pg_config_parse(cfg, path, pg_buf_cstr(&buf), buf.len, err);
done:
	pg_buf_release(&buf);
	pg_oom_while(prev);
	return ret;
}

void pg_config_release(struct pg_config *cfg)
{
	for (size_t i = 0; i < cfg->nr_benches; i++) {
		struct pg_bench_cfg *b = &cfg->benches[i];
		free(b->name);
		free(b->run);
		free(b->cwd);
		for (size_t j = 0; j < b->nr_env; j++)
			free(b->env[j]);
		free(b->env);
		free(b->ignore_exit);
	}
	free(cfg->benches);
	for (size_t i = 0; i < cfg->nr_budgets; i++) {
		free(cfg->budgets[i].bench);
		free(cfg->budgets[i].metric);
	}
	free(cfg->budgets);
	free(cfg->build);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

const struct pg_bench_cfg *pg_config_bench(const struct pg_config *cfg, const char *name)
{
	for (size_t i = 0; name && i < cfg->nr_benches; i++)
		if (cfg->benches[i].name && !strcmp(cfg->benches[i].name, name))
			return &cfg->benches[i];
	return NULL;
}

int pg_config_find_bench(const struct pg_config *cfg, const char *name, const char *where,
			 const struct pg_bench_cfg **out, struct pg_err *err)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	*out = pg_config_bench(cfg, name);
	if (*out)
		return 0;
	for (size_t i = 0; i < cfg->nr_benches; i++) {
		size_t d = pg_str_distance(name, cfg->benches[i].name);

		if (d < best_d) {
			best_d = d;
			best = cfg->benches[i].name;
		}
	}
	if (best_d > 3)
		best = NULL;
	return pg_err_set(err, PG_ERR_USAGE, "%s: no benchmark named '%s'%s%s%s",
			  where ? where : cfg->path, name, best ? " (did you mean '" : "",
			  best ? best : "", best ? "'?)" : "");
}
