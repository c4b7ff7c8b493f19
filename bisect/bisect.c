/*
 * bisect: the algorithm behind `perfgate bisect` (see bisect.h for the
 * method, the journal and the cache).
 *
 * executions counts benchmark processes: counted samples (also those the
 * journal replays from an earlier session), warm-up runs (journalled as
 * "warm"), callgrind runs and profiled runs of this session.
 */
#include "bisect.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adapt.h"
#include "bench.h"
#include "build.h"
#include "notes.h"
#include "profile.h"
#include "result.h"
#include "search.h"

/* ---- the classification rule ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Hodges-Lehmann one-sample estimate: the median of the Walsh averages. */
static double walsh_median(const double *x, size_t n)
{
	size_t m = n * (n + 1) / 2, k = 0, i, j;
	double *w, med;

	if (!n)
		return 0;
	w = pg_xreallocarray(NULL, m, sizeof(*w));
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++)
			w[k++] = (x[i] + x[j]) / 2;
	qsort(w, m, sizeof(*w), cmp_double);
	med = m % 2 ? w[m / 2] : (w[m / 2 - 1] + w[m / 2]) / 2;
	free(w);
	return med;
}

enum pg_bisect_class pg_bisect_classify(const double *lo, const double *mid, const double *hi,
					size_t n, double alpha, bool final, double *position)
{
	struct pg_stats_test t;
	double *x, est;
	size_t i;
	enum pg_bisect_class c = PG_BISECT_UNSURE;

	if (position)
		*position = 0;
	if (!n)
		return PG_BISECT_UNSURE;
	x = pg_xreallocarray(NULL, n, sizeof(*x));
	for (i = 0; i < n; i++)
		x[i] = log(mid[i]) - (log(lo[i]) + log(hi[i])) / 2;
	est = walsh_median(x, n);
	pg_stats_wilcoxon(&t, x, n);
	if (t.p <= alpha || final)
		c = est < 0 ? PG_BISECT_GOOD : PG_BISECT_BAD;
	/* at the last look an estimate of exactly 0 still has to choose: like-bad,
	 * as git bisect treats a commit that shows the symptom at all */
	if (position)
		*position = est;
	free(x);
	return c;
}

enum pg_bisect_class pg_bisect_classify_step(const double *lo, const double *mid, const double *hi,
					     size_t n, double alpha, bool final, double effect,
					     double *position)
{
	enum pg_bisect_class c = pg_bisect_classify(lo, mid, hi, n, alpha, final, position);
	double *x, med, pos = position ? *position : 0;
	size_t i;

	if (c == PG_BISECT_UNSURE || final || !(effect > 0))
		return c;
	if (!position)
		pg_bisect_classify(lo, mid, hi, n, alpha, final, &pos);
	x = pg_xreallocarray(NULL, n, sizeof(*x));
	for (i = 0; i < n; i++)
		x[i] = log(mid[i]) - (log(lo[i]) + log(hi[i])) / 2;
	qsort(x, n, sizeof(*x), cmp_double);
	med = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
	free(x);
	/* the median of the triplets must agree, and the position must be one that
	 * "like L" or "like H" can give (about -E/2 or +E/2, not beyond E): else
	 * the triplets are disturbed, and more are taken */
	if ((med < 0) != (pos < 0) || fabs(pos) > effect)
		return PG_BISECT_UNSURE;
	return c;
}

/* ---- journal text ---- */

/* A value as one token: bytes <= ' ', '%' and DEL as %XX. */
static void enc(struct pg_buf *out, const char *s)
{
	if (!s || !*s) {
		pg_buf_addc(out, '-');
		return;
	}
	if (!strcmp(s, "-"))
		pg_buf_adds(out, "%2D");
	else
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;

			if (c <= ' ' || c == '%' || c == 0x7f)
				pg_buf_addf(out, "%%%02X", c);
			else
				pg_buf_addc(out, (char)c);
		}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* NULL for "-". */
static char *dec(const char *s)
{
	struct pg_buf b = PG_BUF_INIT;

	if (!strcmp(s, "-"))
		return NULL;
	for (; *s; s++) {
		if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			pg_buf_addc(&b, (char)(hexval(s[1]) * 16 + hexval(s[2])));
			s += 2;
		} else {
			pg_buf_addc(&b, *s);
		}
	}
	return pg_buf_detach(&b, NULL);
}

static bool is_oid(const char *s)
{
	size_t i;

	for (i = 0; i < 40; i++)
		if (hexval(s[i]) < 0 || (s[i] >= 'A' && s[i] <= 'F'))
			return false;
	return s[40] == '\0';
}

static bool is_num(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !errno && end != s && !*end && isfinite(*v);
}

void pg_bisect_rec_format(struct pg_buf *out, const struct pg_bisect_rec *r)
{
	switch (r->kind) {
	case PG_BISECT_REC_PAIR:
		pg_buf_addf(out, "pair %s %s %.17g %s %.17g", r->tag, r->a, r->va, r->b, r->vb);
		break;
	case PG_BISECT_REC_TRIP:
		pg_buf_addf(out, "trip %s %.17g %s %.17g %s %.17g", r->a, r->va, r->b, r->vb, r->c,
			    r->vc);
		break;
	case PG_BISECT_REC_SKIP:
		pg_buf_addf(out, "skip %s %s", r->a, r->tag);
		break;
	case PG_BISECT_REC_CLASS:
		pg_buf_addf(out, "class %s %s %.17g%s", r->a, r->tag, r->va,
			    r->unsure ? " unsure" : "");
		break;
	case PG_BISECT_REC_WARM:
		pg_buf_addf(out, "warm %s %.0f", r->a, r->va);
		break;
	case PG_BISECT_REC_DONE:
		pg_buf_addf(out, "done %s %s", r->tag, r->a[0] ? r->a : "-");
		break;
	}
}

#define MAX_TOK 16

static size_t split(char *line, char **tok)
{
	size_t n = 0;
	char *p = line;

	while (*p && n < MAX_TOK) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return n;
}

static bool set_tag(char *dst, const char *src)
{
	if (strlen(src) >= 16)
		return false;
	strcpy(dst, src);
	return true;
}

static int parse_rec(struct pg_bisect_rec *r, char **t, size_t n)
{
	memset(r, 0, sizeof(*r));
	if (!strcmp(t[0], "pair") && n == 6 && set_tag(r->tag, t[1]) && is_oid(t[2]) &&
	    is_num(t[3], &r->va) && is_oid(t[4]) && is_num(t[5], &r->vb)) {
		r->kind = PG_BISECT_REC_PAIR;
		strcpy(r->a, t[2]);
		strcpy(r->b, t[4]);
		return 0;
	}
	if (!strcmp(t[0], "trip") && n == 7 && is_oid(t[1]) && is_num(t[2], &r->va) &&
	    is_oid(t[3]) && is_num(t[4], &r->vb) && is_oid(t[5]) && is_num(t[6], &r->vc)) {
		r->kind = PG_BISECT_REC_TRIP;
		strcpy(r->a, t[1]);
		strcpy(r->b, t[3]);
		strcpy(r->c, t[5]);
		return 0;
	}
	if (!strcmp(t[0], "skip") && n == 3 && is_oid(t[1]) && set_tag(r->tag, t[2])) {
		r->kind = PG_BISECT_REC_SKIP;
		strcpy(r->a, t[1]);
		return 0;
	}
	if (!strcmp(t[0], "class") && (n == 4 || (n == 5 && !strcmp(t[4], "unsure"))) &&
	    is_oid(t[1]) && (!strcmp(t[2], "good") || !strcmp(t[2], "bad")) &&
	    is_num(t[3], &r->va)) {
		r->kind = PG_BISECT_REC_CLASS;
		strcpy(r->a, t[1]);
		strcpy(r->tag, t[2]);
		r->unsure = n == 5;
		return 0;
	}
	if (!strcmp(t[0], "warm") && n == 3 && is_oid(t[1]) && is_num(t[2], &r->va)) {
		r->kind = PG_BISECT_REC_WARM;
		strcpy(r->a, t[1]);
		return 0;
	}
	if (!strcmp(t[0], "done") && n == 3 && set_tag(r->tag, t[1]) &&
	    (is_oid(t[2]) || !strcmp(t[2], "-"))) {
		r->kind = PG_BISECT_REC_DONE;
		if (strcmp(t[2], "-"))
			strcpy(r->a, t[2]);
		return 0;
	}
	return -1;
}

static int parse_start(struct pg_bisect_journal *j, char **t, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		char *eq = strchr(t[i], '='), *v;

		if (!eq)
			return -1;
		*eq = '\0';
		v = eq + 1;
		if (!strcmp(t[i], "good") && is_oid(v))
			strcpy(j->good, v);
		else if (!strcmp(t[i], "bad") && is_oid(v))
			strcpy(j->bad, v);
		else if (!strcmp(t[i], "bench") && !j->bench)
			j->bench = dec(v);
		else if (!strcmp(t[i], "metric") && !j->metric)
			j->metric = dec(v);
		else if (!strcmp(t[i], "first_parent"))
			j->first_parent = !strcmp(v, "1");
		else if (!strcmp(t[i], "config") && strlen(v) < sizeof(j->config))
			strcpy(j->config, v);
		else if (!strcmp(t[i], "machine") && strlen(v) < sizeof(j->machine))
			strcpy(j->machine, v);
		else if (!strcmp(t[i], "json") && !j->json)
			j->json = dec(v);
		else if (!strcmp(t[i], "markdown") && !j->markdown)
			j->markdown = dec(v);
		else if (!strcmp(t[i], "svg") && !j->svg)
			j->svg = dec(v);
		else if (!strcmp(t[i], "notes") && (!strcmp(v, "0") || !strcmp(v, "1")))
			j->no_notes = !strcmp(v, "0");
		else
			return -1;
	}
	return j->good[0] && j->bad[0] && j->bench && j->metric ? 0 : -1;
}

int pg_bisect_journal_parse(struct pg_bisect_journal *j, const char *name, const char *text,
			    size_t len, struct pg_err *err)
{
	size_t off = 0;
	unsigned lineno = 0;
	bool started = false;

	memset(j, 0, sizeof(*j));
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t l;
		char *line, *tok[MAX_TOK + 1];
		size_t n;
		int bad = 0;

		if (!nl)
			break; /* a torn last line: never completed, never believed */
		lineno++;
		l = (size_t)(nl - (text + off));
		line = pg_xstrndup(text + off, l);
		if (strlen(line) != l)
			bad = 1; /* a NUL byte: not text */
		else if (l && line[l - 1] == '\r')
			line[l - 1] = '\0';
		n = bad ? 0 : split(line, tok);
		if (bad || n == 0) {
			/* blank line: ignore */
		} else if (lineno == 1) {
			bad =
			    !(n == 2 && !strcmp(tok[0], "perfgate-bisect") && !strcmp(tok[1], "1"));
		} else if (!strcmp(tok[0], "start")) {
			bad = started || parse_start(j, tok, n) < 0;
			started = true;
		} else if (!started) {
			bad = 1;
		} else {
			struct pg_bisect_rec r;

			bad = parse_rec(&r, tok, n) < 0;
			if (!bad) {
				r.line = lineno;
				PG_GROW(j->recs, j->nr_recs + 1, j->alloc);
				j->recs[j->nr_recs++] = r;
				if (r.kind == PG_BISECT_REC_DONE)
					j->done = true;
			}
		}
		free(line);
		if (bad) {
			pg_bisect_journal_release(j);
			return pg_err_set(err, PG_ERR_INFRA,
					  "%s:%u: not a perfgate bisect journal line "
					  "(perfgate bisect --reset starts over)",
					  name, lineno);
		}
		off += l + 1;
		j->valid_len = off;
	}
	if (!started) {
		pg_bisect_journal_release(j);
		return pg_err_set(err, PG_ERR_INFRA,
				  "%s: no start record (perfgate bisect --reset starts over)",
				  name);
	}
	return 0;
}

void pg_bisect_journal_release(struct pg_bisect_journal *j)
{
	free(j->bench);
	free(j->metric);
	free(j->json);
	free(j->markdown);
	free(j->svg);
	free(j->recs);
	memset(j, 0, sizeof(*j));
}

static int state_paths(struct pg_git *g, char **dir, struct pg_err *err)
{
	char *base = NULL;

	if (pg_git_state_dir(g, &base, err) < 0)
		return -1;
	*dir = pg_xasprintf("%sbisect", base);
	if (pg_str_endswith(base, "/") == false) {
		free(*dir);
		*dir = pg_xasprintf("%s/bisect", base);
	}
	free(base);
	return 0;
}

int pg_bisect_state_file(struct pg_git *g, const char *name, char **path, struct pg_err *err)
{
	char *dir = NULL;

	*path = NULL;
	if (state_paths(g, &dir, err) < 0)
		return -1;
	*path = pg_xasprintf("%s/%s", dir, name);
	free(dir);
	return 0;
}

int pg_bisect_journal_load(struct pg_git *g, struct pg_bisect_journal *j, struct pg_err *err)
{
	char *dir = NULL, *path = NULL;
	struct pg_buf b = PG_BUF_INIT;
	struct stat st;
	int ret = -1;

	memset(j, 0, sizeof(*j));
	if (state_paths(g, &dir, err) < 0)
		return -1;
	path = pg_xasprintf("%s/journal", dir);
	if (lstat(path, &st) < 0 && errno == ENOENT) {
		ret = 1;
		goto done;
	}
	if (pg_file_read(path, PG_BISECT_JOURNAL_MAX, &b, err) < 0) {
		err->kind = PG_ERR_INFRA; /* state we wrote, not the user's input */
		goto done;
	}
	ret = pg_bisect_journal_parse(j, path, pg_buf_cstr(&b), b.len, err);
done:
	pg_buf_release(&b);
	free(path);
	free(dir);
	return ret;
}

/* ---- the lock ---- */

int pg_bisect_lock(struct pg_git *g, int *fd, struct pg_err *err)
{
	char *base = NULL, *path = NULL, pid[32];
	int ret = -1;

	*fd = -1;
	if (pg_git_state_dir(g, &base, err) < 0)
		return -1;
	path = pg_xasprintf("%s%sbisect.lock", base, pg_str_endswith(base, "/") ? "" : "/");
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (*fd < 0) {
		pg_err_set(err, PG_ERR_INFRA, "cannot open '%s': %s", path, strerror(errno));
		goto done;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t n = e == EWOULDBLOCK ? pread(*fd, pid, sizeof(pid) - 1, 0) : -1;
		long holder = 0;

		if (n > 0) {
			pid[n] = '\0';
			holder = strtol(pid, NULL, 10);
		}
		if (e != EWOULDBLOCK)
			pg_err_set(err, PG_ERR_INFRA, "cannot lock '%s': %s", path, strerror(e));
		else if (holder > 0)
			pg_err_set(
			    err, PG_ERR_INFRA,
			    "another perfgate bisect (pid %ld) is running in this repository "
			    "('%s' is locked): wait for it, or stop it (its --continue "
			    "resumes it)",
			    holder, path);
		else
			pg_err_set(err, PG_ERR_INFRA,
				   "another perfgate bisect is running in this repository ('%s' is "
				   "locked)",
				   path);
		close(*fd);
		*fd = -1;
		goto done;
	}
	/* who holds it, for the message of the next one (the lock is the flock) */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(*fd, 0) < 0 || pwrite(*fd, pid, strlen(pid), 0) < 0) {
		/* the lock holds without the pid: only the message loses it */
	}
	ret = 0;
done:
	free(base);
	free(path);
	return ret;
}

void pg_bisect_unlock(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) < 0) {
		/* a stale pid is never read: only a failed flock reads it */
	}
	close(fd);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int pg_bisect_reset(struct pg_git *g, struct pg_err *err)
{
	char *dir = NULL, name[16];
	int ret = -1, i, lock = -1;
	struct stat st;

	if (pg_bisect_lock(g, &lock, err) < 0)
		return -1;
	if (state_paths(g, &dir, err) < 0) {
		pg_bisect_unlock(lock);
		return -1;
	}
	for (i = 0; i < PG_BISECT_WORKTREES; i++) {
		snprintf(name, sizeof(name), "bisect-%d", i);
		if (pg_git_worktree_remove(g, name, err) < 0)
			goto done;
	}
	if (lstat(dir, &st) == 0 && nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0) {
		pg_err_set(err, PG_ERR_INFRA, "cannot remove '%s': %s", dir, strerror(errno));
		goto done;
	}
	ret = 0;
done:
	pg_bisect_unlock(lock);
	free(dir);
	return ret;
}

/* ---- the session ---- */

struct slot {
	char name[16];
	char oid[PG_OID_HEX]; /* what is checked out ("" unknown) */
	bool built;	      /* built by this process */
	char *path;
	unsigned long used; /* LRU clock */
};

struct cache_ent {
	char oid[PG_OID_HEX];
	char kind[16];
	double value;
};

/* A triplet a step measured (kept for the culprit's confirmation). */
struct trip {
	char l[PG_OID_HEX], m[PG_OID_HEX], h[PG_OID_HEX];
	double vl, vm, vh;
};

struct sess {
	struct pg_git *g;
	const struct pg_config *cfg;
	const struct pg_bench_cfg *orig;
	struct pg_bench_cfg bench; /* orig with instructions off: wall runs only */
	const struct pg_bisect_opts *o;
	struct pg_bisect_result *r;
	char *dir;
	int jfd, cfd;
	char key[40];
	struct pg_bisect_journal replay;
	bool *consumed;
	struct cache_ent *cache;
	size_t nr_cache, alloc_cache;
	struct slot slots[PG_BISECT_WORKTREES];
	unsigned long clock;
	char (*range)[PG_OID_HEX];
	size_t n;
	bool instr;
	const char *metric;
	unsigned step_no;
	unsigned commits_left, steps_left;
	double step_s_sum;
	unsigned steps_timed;
	double ends_s;
	struct pg_bisect_progress prog;
	struct trip *trips;
	size_t nr_trips, alloc_trips;
	double effect; /* log of the ends' estimated ratio (the steps' plausibility check) */
	/* this session's fresh measurements, one result per commit, kept as notes at the end */
	bool notes;
	struct pg_machine mach;
	struct pg_result *noted;
	size_t nr_noted, alloc_noted;
};

static void progress(struct sess *s)
{
	if (s->o->progress)
		s->o->progress(s->o->progress_ctx, &s->prog);
}

static double eta(const struct sess *s)
{
	double per = s->steps_timed ? s->step_s_sum / s->steps_timed : -1;

	if (per < 0)
		return -1;
	return per * s->steps_left + s->ends_s;
}

static void warn(struct sess *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct sess *s, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->r->warnings = pg_xreallocarray(s->r->warnings, s->r->nr_warnings + 1, sizeof(char *));
	s->r->warnings[s->r->nr_warnings++] = pg_xstrdup(buf);
}

/* The first line of a failed build's message, and where its log is. */
static void warn_skip(struct sess *s, const char *oid, const struct pg_err *e)
{
	const char *nl = strchr(e->msg, '\n');

	warn(s, "%.*s; skipped (log: %s/logs/%s.build.log)",
	     (int)(nl ? (size_t)(nl - e->msg) : strlen(e->msg)), e->msg, s->dir, oid);
}

static int append_line(int fd, const char *what, struct pg_buf *line, struct pg_err *err)
{
	pg_buf_addc(line, '\n');
	if (pg_write_all(fd, line->data, line->len) < 0 || fsync(fd) < 0)
		return pg_err_set(err, PG_ERR_INFRA, "write %s: %s", what, strerror(errno));
	return 0;
}

static int journal(struct sess *s, const struct pg_bisect_rec *rec, struct pg_err *err)
{
	struct pg_buf line = PG_BUF_INIT;
	int ret;

	pg_bisect_rec_format(&line, rec);
	ret = append_line(s->jfd, "bisect journal", &line, err);
	pg_buf_release(&line);
	return ret;
}

static const struct cache_ent *cache_get(const struct sess *s, const char *oid, const char *kind)
{
	size_t i;

	for (i = 0; i < s->nr_cache; i++)
		if (!strcmp(s->cache[i].oid, oid) && !strcmp(s->cache[i].kind, kind))
			return &s->cache[i];
	return NULL;
}

static int cache_put(struct sess *s, const char *oid, const char *kind, double v,
		     struct pg_err *err)
{
	struct pg_buf line = PG_BUF_INIT;
	int ret;

	pg_buf_addf(&line, "%s %s %s %.17g", s->key, oid, kind, v);
	ret = append_line(s->cfd, "bisect cache", &line, err);
	pg_buf_release(&line);
	/* samples are kept as a record; only lasting facts are looked up */
	if (strcmp(kind, "sample")) {
		PG_GROW(s->cache, s->nr_cache + 1, s->alloc_cache);
		snprintf(s->cache[s->nr_cache].oid, PG_OID_HEX, "%s", oid);
		snprintf(s->cache[s->nr_cache].kind, 16, "%s", kind);
		s->cache[s->nr_cache++].value = v;
	}
	return ret;
}

static int cache_load(struct sess *s, const char *path, struct pg_err *err)
{
	struct pg_buf b = PG_BUF_INIT;
	size_t off = 0;
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	if (pg_file_read(path, PG_BISECT_JOURNAL_MAX * 4, &b, err) < 0)
		return -1;
	while (off < b.len) {
		const char *nl = memchr(b.data + off, '\n', b.len - off);
		char *line, *tok[MAX_TOK + 1];
		size_t l, n;
		double v;

		if (!nl)
			break;
		l = (size_t)(nl - (b.data + off));
		line = pg_xstrndup(b.data + off, l);
		if (strlen(line) && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		n = split(line, tok);
		/* lines of other configs or machines, and garbage, are not ours */
		if (n == 4 && !strcmp(tok[0], s->key) && is_oid(tok[1]) && strlen(tok[2]) < 16 &&
		    strcmp(tok[2], "sample") && is_num(tok[3], &v)) {
			PG_GROW(s->cache, s->nr_cache + 1, s->alloc_cache);
			strcpy(s->cache[s->nr_cache].oid, tok[1]);
			strcpy(s->cache[s->nr_cache].kind, tok[2]);
			s->cache[s->nr_cache++].value = v;
		}
		free(line);
		off += l + 1;
	}
	pg_buf_release(&b);
	return 0;
}

/* ---- results kept as git notes ---- */

/* The result that collects this session's samples of oid (made on first use). */
static struct pg_result_bench *noted_bench(struct sess *s, const char *oid)
{
	struct pg_result *res;
	time_t now;
	size_t i;

	for (i = 0; i < s->nr_noted; i++)
		if (!strcmp(s->noted[i].commit, oid))
			return &s->noted[i].benches[0];
	PG_GROW(s->noted, s->nr_noted + 1, s->alloc_noted);
	res = &s->noted[s->nr_noted++];
	memset(res, 0, sizeof(*res));
	res->has_commit = true;
	snprintf(res->commit, sizeof(res->commit), "%s", oid);
	snprintf(res->config_hash, sizeof(res->config_hash), "%s", s->cfg->hash);
	res->machine = s->mach;
	now = time(NULL);
	strftime(res->created, sizeof(res->created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	return pg_result_bench(res, s->bench.name);
}

/* Add what one successful run (or warm-up) of oid measured; memory only. */
static void note_run(struct sess *s, const char *oid, const struct pg_result_bench *rb)
{
	struct pg_result_bench *nb;
	size_t i, j;

	if (!s->notes)
		return;
	nb = noted_bench(s, oid);
	for (i = 0; i < rb->nr_metrics; i++) {
		const struct pg_metric *m = &rb->metrics[i];
		struct pg_metric *dm = pg_result_metric(nb, m->name, m->unit, m->dir);

		for (j = 0; j < m->nr_samples; j++)
			pg_result_metric_add(dm, m->samples[j]);
	}
	nb->runs += rb->runs;
	nb->warmup += rb->warmup;
}

/*
 * Keep each commit's fresh samples as a note (refs/notes/perfgate) on it.
 * Only commits with counted samples; a failure is a warning naming the
 * commit, and the other commits are still noted.
 */
static void write_notes(struct sess *s)
{
	size_t i;

	for (i = 0; i < s->nr_noted; i++) {
		const struct pg_result_bench *b = &s->noted[i].benches[0];
		struct pg_err e = PG_ERR_INIT;
		size_t k, n = 0;

		for (k = 0; k < b->nr_metrics; k++)
			n += b->metrics[k].nr_samples;
		if (!n)
			continue;
		if (pg_notes_add_result(s->g, s->noted[i].commit, &s->noted[i], &e) < 0)
			warn(s, "measurements not kept as a note: %s", e.msg);
		else
			s->r->nr_noted++;
	}
}

/* ---- replay ---- */

static const struct pg_bisect_rec *replay_pair(struct sess *s, const char *tag, const char *a,
					       const char *b)
{
	size_t i;

	for (i = 0; i < s->replay.nr_recs; i++) {
		const struct pg_bisect_rec *r = &s->replay.recs[i];

		if (!s->consumed[i] && r->kind == PG_BISECT_REC_PAIR && !strcmp(r->tag, tag) &&
		    !strcmp(r->a, a) && !strcmp(r->b, b)) {
			s->consumed[i] = true;
			return r;
		}
	}
	return NULL;
}

static const struct pg_bisect_rec *replay_trip(struct sess *s, const char *l, const char *m,
					       const char *h)
{
	size_t i;

	for (i = 0; i < s->replay.nr_recs; i++) {
		const struct pg_bisect_rec *r = &s->replay.recs[i];

		if (!s->consumed[i] && r->kind == PG_BISECT_REC_TRIP && !strcmp(r->a, l) &&
		    !strcmp(r->b, m) && !strcmp(r->c, h)) {
			s->consumed[i] = true;
			return r;
		}
	}
	return NULL;
}

static const struct pg_bisect_rec *replay_skip(struct sess *s, const char *oid)
{
	size_t i;

	for (i = 0; i < s->replay.nr_recs; i++) {
		const struct pg_bisect_rec *r = &s->replay.recs[i];

		if (r->kind == PG_BISECT_REC_SKIP && !strcmp(r->a, oid))
			return r;
	}
	return NULL;
}

/* ---- worktrees, builds, runs ---- */

static bool pinned(unsigned mask, int i)
{
	return (mask >> i) & 1u;
}

static int save_build_log(struct sess *s, const char *oid, const struct pg_buf *log,
			  const char *msg, struct pg_err *err)
{
	char *dir = pg_xasprintf("%s/logs", s->dir), *path = NULL;
	struct pg_buf text = PG_BUF_INIT;
	int ret = -1;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		pg_err_set(err, PG_ERR_INFRA, "mkdir '%s': %s", dir, strerror(errno));
		goto done;
	}
	path = pg_xasprintf("%s/%s.build.log", dir, oid);
	pg_buf_addf(&text, "%s\n\n", msg);
	if (log->len)
		pg_buf_add(&text, log->data, log->len);
	ret = pg_file_write(path, pg_buf_cstr(&text), text.len, err);
done:
	pg_buf_release(&text);
	free(path);
	free(dir);
	return ret;
}

/*
 * Check oid out into a worktree (the one that has it, else the least
 * recently used one not in mask) and build it. 0 ready, PG_BUILD_FAILED
 * (err says why; the log is saved), -1 failure.
 */
static int acquire(struct sess *s, const char *oid, unsigned mask, int *out, struct pg_err *err)
{
	struct pg_buf log = PG_BUF_INIT;
	struct pg_bench_opts bo = PG_BENCH_OPTS_INIT;
	int i, pick = -1, r, ret = -1;
	char s7[8];

	for (i = 0; i < PG_BISECT_WORKTREES; i++)
		if (!strcmp(s->slots[i].oid, oid)) {
			pick = i;
			break;
		}
	if (pick < 0) {
		for (i = 0; i < PG_BISECT_WORKTREES; i++)
			if (!pinned(mask, i) &&
			    (pick < 0 || s->slots[i].used < s->slots[pick].used))
				pick = i;
		if (pick < 0)
			return pg_err_set(err, PG_ERR_INFRA, "no free bisect worktree");
		s->slots[pick].built = false;
		s->slots[pick].oid[0] = '\0';
	}
	*out = pick;
	s->slots[pick].used = ++s->clock;
	if (s->slots[pick].built)
		return 0;
	free(s->slots[pick].path);
	s->slots[pick].path = NULL;
	if (pg_git_worktree_checkout(s->g, s->slots[pick].name, oid, &s->slots[pick].path, err) < 0)
		goto done;
	snprintf(s->slots[pick].oid, PG_OID_HEX, "%s", oid);
	s->prog.phase = "build";
	s->prog.oid = oid;
	progress(s);
	r = pg_build_run(s->cfg, s->slots[pick].path, &log, err);
	if (r == 0) {
		bo.root = s->slots[pick].path;
		if (pg_bench_check(&s->bench, &bo, err) < 0)
			r = PG_BUILD_FAILED;
	}
	if (r == PG_BUILD_FAILED) {
		struct pg_err e2 = PG_ERR_INIT;

		pg_err_prefix(err, "commit %s", pg_git_short(oid, s7));
		if (save_build_log(s, oid, &log, err->msg, &e2) < 0)
			warn(s, "%s", e2.msg);
		ret = PG_BUILD_FAILED;
		goto done;
	}
	if (r < 0)
		goto done;
	s->slots[pick].built = true;
	ret = 0;
done:
	pg_buf_release(&log);
	return ret;
}

static struct pg_bench_opts bench_opts(const struct sess *s, int slot)
{
	struct pg_bench_opts bo = PG_BENCH_OPTS_INIT;

	bo.root = s->slots[slot].path;
	return bo;
}

static int warmup(struct sess *s, int slot, struct pg_err *err)
{
	struct pg_bench_opts bo = bench_opts(s, slot);
	struct pg_result_bench rb = {0};
	struct pg_bisect_rec rec = {.kind = PG_BISECT_REC_WARM};
	int r;

	if (!s->bench.warmup)
		return 0;
	r = pg_bench_run(&s->bench, &bo, s->bench.warmup, 0, &rb, err);
	s->r->executions += rb.warmup + (r < 0 ? 1 : 0);
	if (r == 0)
		note_run(s, s->slots[slot].oid, &rb);
	pg_result_bench_release(&rb);
	if (r < 0)
		return r;
	snprintf(rec.a, PG_OID_HEX, "%s", s->slots[slot].oid);
	rec.va = s->bench.warmup;
	return journal(s, &rec, err);
}

/* One counted run: 0 with *v, PG_BENCH_SKIP, or -1. */
static int sample(struct sess *s, int slot, const char *metric, double *v, struct pg_err *err)
{
	struct pg_bench_opts bo = bench_opts(s, slot);
	struct pg_result_bench rb = {0};
	const struct pg_metric *m;
	int r;

	r = pg_bench_sample(&s->bench, &bo, &rb, err);
	s->r->executions++;
	if (r < 0) {
		char s7[8];

		if (err->kind != PG_ERR_INTERRUPTED)
			pg_err_prefix(err, "commit %s", pg_git_short(s->slots[slot].oid, s7));
		goto done;
	}
	m = pg_result_find_metric(&rb, metric);
	if (!m || !m->nr_samples) {
		r = pg_err_set(err, PG_ERR_INFRA, "benchmark '%s' reported no '%s'", s->bench.name,
			       metric);
		goto done;
	}
	*v = m->samples[m->nr_samples - 1];
	if (!(*v > 0))
		*v = 1; /* a 0 (sys time, say) cannot be logged: the smallest unit instead */
	r = cache_put(s, s->slots[slot].oid, "sample", *v, err);
	if (r == 0)
		note_run(s, s->slots[slot].oid, &rb);
done:
	pg_result_bench_release(&rb);
	return r;
}

/* Instruction count of oid (cached). 0, PG_BUILD_FAILED, or -1. */
static int instructions(struct sess *s, const char *oid, unsigned mask, double *v,
			struct pg_err *err)
{
	const struct cache_ent *c = cache_get(s, oid, "instructions");
	struct pg_result_bench rb = {0};
	struct pg_bench_opts bo;
	const struct pg_metric *m;
	int slot, r;

	if (c) {
		*v = c->value;
		return 0;
	}
	if ((r = acquire(s, oid, mask, &slot, err)) < 0)
		return r;
	bo = bench_opts(s, slot);
	r = pg_bench_instructions(s->orig, &bo, &rb, err);
	s->r->executions++;
	if (r == 0) {
		m = pg_result_find_metric(&rb, "instructions");
		if (!m || !m->nr_samples)
			r = pg_err_set(err, PG_ERR_INFRA, "callgrind reported no instructions");
		else
			*v = m->samples[m->nr_samples - 1] > 0 ? m->samples[m->nr_samples - 1] : 1;
	}
	if (r == 0)
		note_run(s, oid, &rb);
	pg_result_bench_release(&rb);
	if (r == 0)
		r = cache_put(s, oid, "instructions", *v, err);
	return r;
}

static double budget_tolerance(const struct sess *s)
{
	size_t i;

	for (i = 0; i < s->cfg->nr_budgets; i++) {
		const struct pg_budget_rule *b = &s->cfg->budgets[i];

		if (b->has_regress && !strcmp(b->bench, s->bench.name) &&
		    !strcmp(b->metric, s->metric))
			return b->regress;
	}
	return 0.05;
}

/* How far pairs() goes. */
struct pairs_plan {
	unsigned max;	     /* pairs at the last regular look (0: repeat.max) */
	unsigned extend;     /* beyond max, up to this many, while the estimate is WORSE */
	const double *pre_a; /* pairs the search already has (pooled first) */
	const double *pre_b;
	size_t n_pre;
	double tolerance; /* SAME band; 0: the benchmark's budget tolerance */
};

/*
 * Paired runs of a and b (tag "ends", "confirm", "cross"), doubling from
 * repeat.min while the verdict is UNKNOWN, up to plan->max; then, while it
 * is still UNKNOWN and b looks worse, on up to plan->extend. The pooled
 * pairs of plan->pre_* count as samples already taken. err names the role
 * on failure.
 */
static int pairs(struct sess *s, const char *tag, const char *metric, const char *a, const char *b,
		 double alpha, const struct pairs_plan *plan, struct pg_stats_verdict *v,
		 struct pg_err *err)
{
	unsigned min = s->bench.repeat_min ? s->bench.repeat_min : 3,
		 max = plan->max ? plan->max
				 : (s->bench.repeat_max >= min ? s->bench.repeat_max : min),
		 ext, target, n, looks;
	struct pg_stats_opts so = PG_STATS_OPTS_INIT;
	double *va, *vb;
	int sa = -1, sb = -1, r, ret = -1;
	char s7[8], s7b[8];

	if (max < min)
		max = min;
	ext = plan->extend > max ? plan->extend : max;
	looks = pg_adapt_looks(min, ext);
	va = pg_xcalloc(ext + plan->n_pre, sizeof(double));
	vb = pg_xcalloc(ext + plan->n_pre, sizeof(double));
	for (n = 0; n < plan->n_pre; n++) {
		va[n] = plan->pre_a[n];
		vb[n] = plan->pre_b[n];
	}
	max += n;
	ext += n;
	target = n + min;
	so.alpha = alpha / (looks ? looks : 1);
	so.tolerance = plan->tolerance > 0 ? plan->tolerance : budget_tolerance(s);
	s->prog.phase = tag;
	s->prog.oid = b;
	s->prog.run = 0;
	s->prog.runs = target;
	progress(s);
	for (;;) {
		unsigned lim;

		while (n < target) {
			const struct pg_bisect_rec *rep = replay_pair(s, tag, a, b);

			/* built and warmed only when a fresh sample is needed (not on replay) */
			if (!rep && sa < 0) {
				if ((r = acquire(s, a, 0, &sa, err)) < 0 ||
				    (r = acquire(s, b, 1u << sa, &sb, err)) < 0) {
					if (r == PG_BUILD_FAILED)
						err->kind = PG_ERR_INFRA;
					goto fail;
				}
				if (warmup(s, sa, err) < 0 || warmup(s, sb, err) < 0)
					goto fail;
			}

			if (rep) {
				va[n] = rep->va;
				vb[n] = rep->vb;
				s->r->executions += 2;
				s->r->replayed += 2;
			} else {
				struct pg_bisect_rec rec = {.kind = PG_BISECT_REC_PAIR};
				bool a_first = n % 2 == 0;

				if (sample(s, a_first ? sa : sb, metric, a_first ? &va[n] : &vb[n],
					   err) < 0 ||
				    sample(s, a_first ? sb : sa, metric, a_first ? &vb[n] : &va[n],
					   err) < 0)
					goto fail;
				snprintf(rec.tag, sizeof(rec.tag), "%s", tag);
				snprintf(rec.a, PG_OID_HEX, "%s", a);
				snprintf(rec.b, PG_OID_HEX, "%s", b);
				rec.va = va[n];
				rec.vb = vb[n];
				if (journal(s, &rec, err) < 0)
					goto done;
			}
			n++;
			s->prog.run = n;
			s->prog.runs = target;
			progress(s);
		}
		if (pg_stats_compare_paired(v, va, vb, n, &so, err) < 0)
			goto done;
		if (v->kind != PG_STATS_UNKNOWN)
			break;
		/* past max only while the estimate points the way a regression would */
		lim = v->hl_ratio > 1 ? ext : max;
		if (target >= lim)
			break;
		target = target + (target - (unsigned)plan->n_pre);
		if (target > lim)
			target = lim;
	}
	ret = 0;
	goto done;
fail:
	if (err->kind != PG_ERR_INTERRUPTED)
		pg_err_prefix(err, "%s (%s against %s)", tag, pg_git_short(b, s7),
			      pg_git_short(a, s7b));
done:
	free(va);
	free(vb);
	return ret;
}

/* A verdict from one exact value per side (instruction counts). */
static void exact_verdict(struct pg_stats_verdict *v, double a, double b)
{
	memset(v, 0, sizeof(*v));
	v->ratio = v->hl_ratio = v->ci_lo = v->ci_hi = v->eq_lo = v->eq_hi = b / a;
	v->median_a = a;
	v->median_b = b;
	v->hl_shift = b - a;
	v->n_a = v->n_b = 1;
	v->zero_noise = true;
	v->p = 0;
	if (fabs(b / a - 1) > PG_BISECT_INSTR_MIN) {
		v->kind = PG_STATS_DIFFERENT;
		v->change = b > a ? PG_STATS_WORSE : PG_STATS_BETTER;
	} else {
		v->kind = PG_STATS_SAME;
	}
}

static struct pg_bisect_step *new_step(struct sess *s, const char *oid)
{
	struct pg_bisect_result *r = s->r;
	struct pg_bisect_step *st;

	PG_GROW(r->steps, r->nr_steps + 1, r->alloc_steps);
	st = &r->steps[r->nr_steps++];
	memset(st, 0, sizeof(*st));
	snprintf(st->oid, PG_OID_HEX, "%s", oid);
	st->step = s->step_no;
	return st;
}

static int mark_skip(struct sess *s, struct pg_bisect_step *st, const char *reason, bool journalled,
		     struct pg_err *err)
{
	struct pg_bisect_rec rec = {.kind = PG_BISECT_REC_SKIP};

	st->skipped = true;
	snprintf(st->reason, sizeof(st->reason), "%s", reason);
	if (journalled)
		return 0;
	snprintf(rec.a, PG_OID_HEX, "%s", st->oid);
	snprintf(rec.tag, sizeof(rec.tag), "%s", reason);
	if (journal(s, &rec, err) < 0)
		return -1;
	return cache_put(s, st->oid, reason, 1, err);
}

static int record_class(struct sess *s, struct pg_bisect_step *st, struct pg_err *err)
{
	struct pg_bisect_rec rec = {.kind = PG_BISECT_REC_CLASS};
	size_t i;

	/* replayed: the journal has it already */
	for (i = 0; i < s->replay.nr_recs; i++)
		if (s->replay.recs[i].kind == PG_BISECT_REC_CLASS &&
		    !strcmp(s->replay.recs[i].a, st->oid))
			return 0;

	snprintf(rec.a, PG_OID_HEX, "%s", st->oid);
	snprintf(rec.tag, sizeof(rec.tag), "%s", st->cls == PG_BISECT_GOOD ? "good" : "bad");
	rec.va = st->position;
	rec.unsure = st->unsure;
	return journal(s, &rec, err);
}

/* One step: classify m inside (l, h]. */
static int step(struct sess *s, const char *l, const char *m, const char *h,
		struct pg_bisect_step *st, struct pg_err *err)
{
	unsigned min = s->bench.repeat_min ? s->bench.repeat_min : 3,
		 max = s->bench.repeat_max >= min ? s->bench.repeat_max : min, target = min, n = 0;
	double *vl = NULL, *vm = NULL, *vh = NULL;
	const struct pg_bisect_rec *sk = replay_skip(s, m);
	int sl = -1, sm = -1, sh = -1, r, ret = -1;
	char s7[8];

	s->prog.phase = "step";
	s->prog.oid = m;
	s->prog.run = 0;
	s->prog.runs = 0;
	s->prog.note = NULL;
	progress(s);
	if (sk)
		return mark_skip(s, st, sk->tag, true, err);
	if (cache_get(s, m, "build"))
		return mark_skip(s, st, "build", false, err);
	if (cache_get(s, m, "exit125"))
		return mark_skip(s, st, "exit125", false, err);

	if (s->instr) {
		double il, im, ih;

		s->prog.phase = "step";
		if ((r = instructions(s, m, 0, &im, err)) == PG_BUILD_FAILED) {
			warn(s, "%s: skipped", err->msg);
			return mark_skip(s, st, "build", false, err);
		}
		if (r < 0 || instructions(s, l, 0, &il, err) < 0 ||
		    instructions(s, h, 0, &ih, err) < 0)
			return -1;
		st->position = log(im) - (log(il) + log(ih)) / 2;
		st->cls = st->position < 0 ? PG_BISECT_GOOD : PG_BISECT_BAD;
		st->triplets = 1;
		return record_class(s, st, err);
	}

	vl = pg_xcalloc(max, sizeof(double));
	vm = pg_xcalloc(max, sizeof(double));
	vh = pg_xcalloc(max, sizeof(double));
	for (;;) {
		enum pg_bisect_class c;

		while (n < target) {
			const struct pg_bisect_rec *rep = replay_trip(s, l, m, h);

			/* built and warmed only when a fresh sample is needed (not on replay) */
			if (!rep && sm < 0) {
				r = acquire(s, m, 0, &sm, err);
				if (r == PG_BUILD_FAILED) {
					warn_skip(s, m, err);
					ret = mark_skip(s, st, "build", false, err);
					goto done;
				}
				if (r < 0)
					goto done;
				if ((r = acquire(s, l, 1u << sm, &sl, err)) < 0 ||
				    (r = acquire(s, h, (1u << sm) | (1u << sl), &sh, err)) < 0) {
					if (r == PG_BUILD_FAILED) {
						err->kind = PG_ERR_INFRA;
						pg_err_prefix(
						    err, "a bracketing commit no longer builds");
					}
					goto done;
				}
				r = warmup(s, sm, err);
				if (r == PG_BENCH_SKIP) {
					warn(s, "%s", err->msg);
					ret = mark_skip(s, st, "exit125", false, err);
					goto done;
				}
				if (r < 0 || warmup(s, sl, err) < 0 || warmup(s, sh, err) < 0)
					goto fail;
			}
			if (rep) {
				vl[n] = rep->va;
				vm[n] = rep->vb;
				vh[n] = rep->vc;
				s->r->executions += 3;
				s->r->replayed += 3;
			} else {
				static const int order[3][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}};
				int slot[3] = {sl, sm, sh}, k;
				double *dst[3] = {&vl[n], &vm[n], &vh[n]};
				struct pg_bisect_rec rec = {.kind = PG_BISECT_REC_TRIP};

				for (k = 0; k < 3; k++) {
					int w = order[n % 3][k];

					r = sample(s, slot[w], s->metric, dst[w], err);
					if (r == PG_BENCH_SKIP && w == 1) {
						warn(s, "%s", err->msg);
						ret = mark_skip(s, st, "exit125", false, err);
						goto done;
					}
					if (r < 0)
						goto fail;
				}
				snprintf(rec.a, PG_OID_HEX, "%s", l);
				snprintf(rec.b, PG_OID_HEX, "%s", m);
				snprintf(rec.c, PG_OID_HEX, "%s", h);
				rec.va = vl[n];
				rec.vb = vm[n];
				rec.vc = vh[n];
				if (journal(s, &rec, err) < 0)
					goto done;
			}
			PG_GROW(s->trips, s->nr_trips + 1, s->alloc_trips);
			snprintf(s->trips[s->nr_trips].l, PG_OID_HEX, "%s", l);
			snprintf(s->trips[s->nr_trips].m, PG_OID_HEX, "%s", m);
			snprintf(s->trips[s->nr_trips].h, PG_OID_HEX, "%s", h);
			s->trips[s->nr_trips].vl = vl[n];
			s->trips[s->nr_trips].vm = vm[n];
			s->trips[s->nr_trips++].vh = vh[n];
			n++;
			s->prog.run = n;
			s->prog.runs = target;
			progress(s);
		}
		c = pg_bisect_classify_step(vl, vm, vh, n, PG_BISECT_STEP_ALPHA, false, s->effect,
					    &st->position);
		if (c == PG_BISECT_UNSURE && target >= max) {
			/* the last look: the sign of the estimate decides, and says it was unsure
			 */
			c = pg_bisect_classify(vl, vm, vh, n, PG_BISECT_STEP_ALPHA, true,
					       &st->position);
			st->unsure = true;
		}
		if (c != PG_BISECT_UNSURE) {
			st->cls = c;
			break;
		}
		target = target > max / 2 ? max : 2 * target;
	}
	st->triplets = n;
	ret = record_class(s, st, err);
	goto done;
fail:
	if (err->kind != PG_ERR_INTERRUPTED)
		pg_err_prefix(err, "step %u (%s)", st->step, pg_git_short(m, s7));
done:
	free(vl);
	free(vm);
	free(vh);
	return ret;
}

/* ---- profiles ---- */

/* A frame of a shell binary without symbols, as perf names it ("[dash]"). */
static bool shell_frame(const char *f)
{
	static const char *const sh[] = {"[sh]",    "[dash]", "[bash]", "[busybox]",
					 "[ksh93]", "[mksh]", "[zsh]"};
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(sh); i++)
		if (!strcmp(f, sh[i]))
			return true;
	return false;
}

/*
 * Name the shell's frames "[unknown]" in a recording about to be merged
 * (pg_prof_merge reads frames by id; the interning table of p is stale
 * afterwards, so p is only merged and released).
 */
static void unshell(struct pg_prof *p)
{
	size_t i;

	for (i = 0; i < p->nr_frames; i++)
		if (shell_frame(p->frames[i])) {
			free(p->frames[i]);
			p->frames[i] = pg_xstrdup("[unknown]");
		}
}

/* perf's sampling rate: the config's, but at least PG_BISECT_PROFILE_HZ */
static unsigned profile_hz(const struct sess *s)
{
	unsigned hz = s->cfg->profile.frequency ? s->cfg->profile.frequency : 999;

	return hz > PG_BISECT_PROFILE_HZ ? hz : PG_BISECT_PROFILE_HZ;
}

/* The single runs of one side, tidied (rules R1-R4), for the noise check. */
struct runs {
	struct pg_prof *p;
	size_t n, alloc;
};

static void runs_release(struct runs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		pg_prof_release(&rs->p[i]);
	free(rs->p);
	memset(rs, 0, sizeof(*rs));
}

static int profile_one(struct sess *s, int slot, enum pg_profiler profiler, struct pg_prof *acc,
		       struct runs *keep, const char *scratch, struct pg_err *err)
{
	struct pg_profile_opts po = PG_PROFILE_OPTS_INIT;
	struct pg_prof one;
	char *dir = s->bench.cwd && s->bench.cwd[0]
			? (s->bench.cwd[0] == '/'
			       ? pg_xstrdup(s->bench.cwd)
			       : pg_xasprintf("%s/%s", s->slots[slot].path, s->bench.cwd))
			: pg_xstrdup(s->slots[slot].path);
	int r;

	po.cmd = s->bench.run;
	po.cwd = dir;
	po.env = s->bench.env;
	po.nr_env = s->bench.nr_env;
	po.profiler = profiler;
	po.call_graph = s->cfg->profile.call_graph;
	po.frequency_hz = profile_hz(s);
	po.runs = 1;
	po.timeout_ns = s->bench.timeout_ns * (po.profiler == PG_PROFILER_CALLGRIND ? 50 : 2);
	po.scratch_dir = scratch;
	r = pg_profile_capture(&one, &po, err);
	s->r->executions++;
	if (r == 0) {
		/* the /bin/sh -c wrapper of the command is not the benchmark's code */
		unshell(&one);
		pg_prof_merge(acc, &one);
		if (keep) {
			struct pg_prof m;

			pg_prof_init(&m, one.unit);
			pg_prof_merge(&m, &one);
			m.runs = 1;
			PG_GROW(keep->p, keep->n + 1, keep->alloc);
			pg_attrib_tidy(&keep->p[keep->n++], &m,
				       s->cfg->profile.call_graph == PG_CALL_GRAPH_FP);
			pg_prof_release(&m);
		}
	}
	pg_prof_release(&one);
	free(dir);
	return r;
}

/* Samples of one run whose leaf (after tidying) is name. */
static double leaf_samples(const struct sess *s, const struct pg_prof *p, const char *name)
{
	double w = 0, per;
	size_t i;

	for (i = 0; i < p->nr_stacks; i++) {
		const struct pg_prof_stack *st = &p->stacks[i];

		if (st->depth && !strcmp(p->frames[st->frames[st->depth - 1]], name))
			w += st->weight;
	}
	if (p->unit != PG_PROF_NS)
		return w;
	/* cpu-clock weights are ns: one sample is a period of the sampling rate */
	per = 1e9 / profile_hz(s);
	return w / per;
}

static void mean_var(const double *x, size_t n, double *mean, double *var)
{
	double m = 0, v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m += x[i];
	m /= n ? (double)n : 1;
	for (i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	*mean = m;
	*var = n > 1 ? v / (double)(n - 1) : 0;
}

/*
 * How far the named function's growth is above the noise, in sigmas: for
 * sampled profiles the difference of its mean samples per run over the
 * standard error, each run's variance the larger of the runs' spread and
 * Poisson's (a burst in one run, such as a slow start-up, is not a growth);
 * 0 when nothing grew or by fewer than PG_BISECT_PROFILE_MIN_SAMPLES in all.
 * Exact profiles: +inf for a growth above PG_BISECT_EXACT_MIN of the total.
 */
static double attrib_z(const struct sess *s, const struct pg_bisect_result *r,
		       const struct runs *rb, const struct runs *ra)
{
	const struct pg_attrib_fn *f;
	double *xb, *xa, mb, vb, ma, va, z = 0;
	size_t i, n;

	if (r->attrib.responsible < 0)
		return 0;
	f = &r->attrib.fns[r->attrib.responsible];
	if (r->before.unit == PG_PROF_INSTRUCTIONS)
		return f->self_after - f->self_before > PG_BISECT_EXACT_MIN * r->attrib.total_before
			   ? INFINITY
			   : 0;
	n = rb->n < ra->n ? rb->n : ra->n;
	if (!n)
		return 0;
	xb = pg_xcalloc(n, sizeof(double));
	xa = pg_xcalloc(n, sizeof(double));
	for (i = 0; i < n; i++) {
		xb[i] = leaf_samples(s, &rb->p[i], f->name);
		xa[i] = leaf_samples(s, &ra->p[i], f->name);
	}
	mean_var(xb, n, &mb, &vb);
	mean_var(xa, n, &ma, &va);
	if ((ma - mb) * (double)n >= PG_BISECT_PROFILE_MIN_SAMPLES)
		z = (ma - mb) / sqrt(((va > ma ? va : ma) + (vb > mb ? vb : mb)) / (double)n);
	free(xb);
	free(xa);
	return z;
}

/*
 * Profile parent and culprit, interleaved, and name the function. Callgrind
 * (the config's profiler, or --metric instructions) is exact: one run a side.
 * perf: PG_BISECT_PROFILE_RUNS a side, doubled while the named function's
 * growth is below PG_BISECT_PROFILE_Z times its Poisson noise, up to
 * PG_BISECT_PROFILE_MAX; --profile-runs N fixes the count. A growth below
 * PG_BISECT_PROFILE_Z_MIN at the end names nothing (below_noise).
 */
static int profile(struct sess *s, struct pg_err *err)
{
	struct pg_bisect_result *r = s->r;
	struct pg_attrib_opts ao = PG_ATTRIB_OPTS_INIT;
	enum pg_profiler profiler = s->instr ? PG_PROFILER_CALLGRIND : s->cfg->profile.profiler;
	unsigned runs = s->o->profile_runs, done = 0, i;
	bool adaptive = !runs && profiler != PG_PROFILER_CALLGRIND;
	char *scratch = pg_xasprintf("%s/profile", s->dir);
	int sp, sc, ret = -1;
	struct pg_err e = PG_ERR_INIT;
	struct runs rb = {0}, ra = {0};
	bool keep = profiler != PG_PROFILER_CALLGRIND;

	if (!runs)
		runs = profiler == PG_PROFILER_CALLGRIND ? 1 : PG_BISECT_PROFILE_RUNS;
	pg_prof_init(&r->before,
		     profiler == PG_PROFILER_CALLGRIND ? PG_PROF_INSTRUCTIONS : PG_PROF_SAMPLES);
	pg_prof_init(&r->after, r->before.unit);
	r->profiled = true;
	if (mkdir(scratch, 0777) < 0 && errno != EEXIST) {
		pg_err_set(&e, PG_ERR_INFRA, "mkdir '%s': %s", scratch, strerror(errno));
		goto soft;
	}
	if (acquire(s, r->parent, 0, &sp, &e) < 0 || acquire(s, r->culprit, 1u << sp, &sc, &e) < 0)
		goto soft;
	if (pg_git_touched_functions(s->g, r->culprit, &r->touched, &r->nr_touched, &e) < 0) {
		warn(s, "functions the commit touched: %s", e.msg);
		pg_err_clear(&e);
	}
	ao.touched = (const char *const *)r->touched;
	ao.nr_touched = r->nr_touched;
	ao.frame_pointers =
	    profiler == PG_PROFILER_PERF && s->cfg->profile.call_graph == PG_CALL_GRAPH_FP;
	s->prog.phase = "profile";
	for (;;) {
		for (i = done; i < runs; i++) {
			s->prog.run = i + 1;
			s->prog.runs = runs;
			s->prog.oid = r->culprit;
			progress(s);
			/* interleaved, as the samples were: parent, culprit, parent, ... */
			if (profile_one(s, sp, profiler, &r->before, keep ? &rb : NULL, scratch,
					&e) < 0 ||
			    profile_one(s, sc, profiler, &r->after, keep ? &ra : NULL, scratch,
					&e) < 0)
				goto soft;
		}
		done = runs;
		r->before.runs = r->after.runs = runs;
		if (pg_attrib_compare(&r->attrib, &r->before, &r->after, &ao, &e) < 0) {
			pg_attrib_release(&r->attrib);
			goto soft;
		}
		r->attrib_z = attrib_z(s, r, &rb, &ra);
		if (!adaptive || r->attrib_z >= PG_BISECT_PROFILE_Z ||
		    runs >= PG_BISECT_PROFILE_MAX)
			break;
		pg_attrib_release(&r->attrib);
		runs = runs * 2 > PG_BISECT_PROFILE_MAX ? PG_BISECT_PROFILE_MAX : runs * 2;
	}
	if (r->attrib.responsible >= 0 && r->attrib_z < PG_BISECT_PROFILE_Z_MIN)
		r->below_noise = true;
	ret = 0;
	goto done;
soft:
	if (e.kind == PG_ERR_INTERRUPTED) {
		*err = e;
		goto done;
	}
	/* no profile does not undo the culprit: say why, and report what is known */
	r->profile_error = pg_xstrdup(e.msg);
	ret = 0;
done:
	runs_release(&rb);
	runs_release(&ra);
	rmdir(scratch);
	free(scratch);
	return ret;
}

/* ---- the run ---- */

static int open_append(const char *path, bool truncate, int *fd, struct pg_err *err)
{
	*fd = open(
	    path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | (truncate ? O_TRUNC : 0),
	    0666);
	if (*fd < 0)
		return pg_err_set(err, PG_ERR_INFRA, "open '%s': %s", path, strerror(errno));
	return 0;
}

static bool metric_ok(const char *m)
{
	static const char *const ok[] = {"wall", "cpu", "user", "sys", "max_rss", "instructions"};
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(ok); i++)
		if (!strcmp(m, ok[i]))
			return true;
	return false;
}

static int finish(struct sess *s, const char *status, const char *oid, struct pg_err *err)
{
	struct pg_bisect_rec rec = {.kind = PG_BISECT_REC_DONE};

	snprintf(rec.tag, sizeof(rec.tag), "%s", status);
	if (oid)
		snprintf(rec.a, PG_OID_HEX, "%s", oid);
	return journal(s, &rec, err);
}

/*
 * Wall time under --metric instructions: repeat.min pairs (--cross-check:
 * up to repeat.max). It agrees when wall is DIFFERENT and WORSE; it
 * disagrees only when wall is DIFFERENT and BETTER, or SAME with an
 * interval that excludes the instruction effect; else it is noise.
 */
static int cross_check(struct sess *s, struct pg_err *err)
{
	struct pg_bisect_result *r = s->r;
	struct pg_err e = PG_ERR_INIT;
	double a, b;

	if (s->instr) {
		struct pairs_plan plan = {0};
		unsigned min = s->bench.repeat_min ? s->bench.repeat_min : 3;

		plan.max = plan.extend = s->o->cross_check ? 0 : min;
		snprintf(r->cross_metric, sizeof(r->cross_metric), "wall");
		s->prog.phase = "cross-check";
		if (pairs(s, "cross", "wall", r->parent, r->culprit, PG_BISECT_CONFIRM_ALPHA, &plan,
			  &r->cross, &e) < 0)
			goto soft;
		r->has_cross = true;
		if (r->cross.kind == PG_STATS_DIFFERENT)
			r->disagree = r->cross.change != PG_STATS_WORSE;
		else if (r->cross.kind == PG_STATS_SAME)
			r->disagree = r->cross.ci_hi < r->confirm.ratio;
		r->cross_noise = !r->disagree && r->cross.kind != PG_STATS_DIFFERENT;
		return 0;
	} else if (s->orig->instructions) {
		snprintf(r->cross_metric, sizeof(r->cross_metric), "instructions");
		s->prog.phase = "cross-check";
		if (instructions(s, r->parent, 0, &a, &e) < 0 ||
		    instructions(s, r->culprit, 0, &b, &e) < 0)
			goto soft;
		exact_verdict(&r->cross, a, b);
	} else {
		return 0;
	}
	r->has_cross = true;
	r->disagree = !(r->cross.kind == PG_STATS_DIFFERENT && r->cross.change == PG_STATS_WORSE);
	return 0;
soft:
	if (e.kind == PG_ERR_INTERRUPTED) {
		*err = e;
		return -1;
	}
	r->cross_error = pg_xstrdup(e.msg);
	return 0;
}

/* The culprit against its parent in the triplets the search measured. */
static size_t pooled(const struct sess *s, const char *parent, const char *culprit, double **pa,
		     double **pc)
{
	size_t i, n = 0;

	*pa = pg_xcalloc(s->nr_trips + 1, sizeof(double));
	*pc = pg_xcalloc(s->nr_trips + 1, sizeof(double));
	for (i = 0; i < s->nr_trips; i++) {
		const struct trip *t = &s->trips[i];

		if (!strcmp(t->l, parent) && !strcmp(t->m, culprit)) {
			(*pa)[n] = t->vl;
			(*pc)[n++] = t->vm;
		} else if (!strcmp(t->m, parent) && !strcmp(t->h, culprit)) {
			(*pa)[n] = t->vm;
			(*pc)[n++] = t->vh;
		}
	}
	return n;
}

int pg_bisect_run(struct pg_bisect_result *r, struct pg_git *g, const struct pg_config *cfg,
		  const struct pg_bisect_opts *o, struct pg_err *err)
{
	struct sess s;
	struct pg_search se = {0};
	struct pg_machine mach;
	struct pg_bisect_journal old;
	char *jpath = NULL, *cpath = NULL, s7[8], s7b[8];
	const char *bench_name, *metric;
	bool first_parent, have_old = false;
	char *saved_bench = NULL, *saved_metric = NULL;
	uint64_t t0 = pg_now_ns();
	size_t i, *cand = NULL;
	int ret = -1, k, lock = -1;

	memset(&s, 0, sizeof(s));
	memset(&old, 0, sizeof(old));
	s.jfd = s.cfd = -1;
	s.g = g;
	s.cfg = cfg;
	s.o = o;
	s.r = r;
	pg_machine_probe(&mach);
	s.mach = mach;
	s.notes = !o->no_notes;

	if (o->resume) {
		/* the journal is read under the lock: no other bisect is appending to it */
		if (pg_bisect_lock(g, &lock, err) < 0)
			goto done;
		k = pg_bisect_journal_load(g, &old, err);
		if (k < 0)
			goto done;
		if (k == 1) {
			pg_err_set(err, PG_ERR_USAGE,
				   "no bisect to continue (start one with "
				   "perfgate bisect GOOD..BAD)");
			goto done;
		}
		if (strcmp(old.config, cfg->hash)) {
			pg_err_set(err, PG_ERR_USAGE,
				   "%s changed since the bisect started (config %.12s, now %.12s): "
				   "perfgate bisect --reset starts over",
				   cfg->path ? cfg->path : "perfgate.yml", old.config, cfg->hash);
			goto done;
		}
		snprintf(r->good, PG_OID_HEX, "%s", old.good);
		snprintf(r->bad, PG_OID_HEX, "%s", old.bad);
		saved_bench = pg_xstrdup(old.bench);
		saved_metric = pg_xstrdup(old.metric);
		bench_name = saved_bench;
		metric = saved_metric;
		first_parent = old.first_parent;
		if (old.no_notes)
			s.notes = false;
		if (strcmp(old.machine, mach.fingerprint)) {
			warn(&s,
			     "the bisect started on another machine (%s, now %s): the samples "
			     "taken there are not reused",
			     old.machine, mach.fingerprint);
			have_old = true; /* outputs from old; journal starts over */
		} else {
			s.replay = old;
			memset(&old, 0, sizeof(old));
		}
	} else {
		if (!o->good || !o->bad) {
			pg_err_set(err, PG_ERR_USAGE, "no range: perfgate bisect GOOD..BAD");
			goto done;
		}
		if (pg_git_resolve(g, o->good, r->good, err) < 0 ||
		    pg_git_resolve(g, o->bad, r->bad, err) < 0)
			goto done;
		bench_name = o->bench;
		metric = o->metric ? o->metric : "wall";
		first_parent = o->first_parent;
	}
	if (!metric_ok(metric)) {
		pg_err_set(err, PG_ERR_USAGE,
			   "unknown metric '%s' (wall, cpu, user, sys, max_rss or instructions)",
			   metric);
		goto done;
	}
	if (!bench_name) {
		if (cfg->nr_benches != 1) {
			struct pg_buf names = PG_BUF_INIT;

			for (i = 0; i < cfg->nr_benches; i++)
				pg_buf_addf(&names, "%s%s", i ? ", " : "", cfg->benches[i].name);
			pg_err_set(err, PG_ERR_USAGE,
				   "%s has %zu benchmarks: choose one with -b NAME (%s)",
				   cfg->path ? cfg->path : "perfgate.yml", cfg->nr_benches,
				   pg_buf_cstr(&names));
			pg_buf_release(&names);
			goto done;
		}
		bench_name = cfg->benches[0].name;
	}
	s.orig = pg_config_bench(cfg, bench_name);
	if (!s.orig) {
		pg_err_set(err, PG_ERR_USAGE, "%s: no benchmark named '%s'",
			   cfg->path ? cfg->path : "perfgate.yml", bench_name);
		goto done;
	}
	s.bench = *s.orig;
	s.bench.instructions = false;
	s.metric = metric;
	s.instr = !strcmp(metric, "instructions");
	r->bench = pg_xstrdup(bench_name);
	r->metric = pg_xstrdup(metric);
	r->unit = !strcmp(metric, "max_rss") ? "bytes" : s.instr ? "count" : "ns";
	r->first_parent = first_parent;
	if (pg_git_range(g, r->good, r->bad, first_parent, &s.range, &s.n, err) < 0)
		goto done;
	r->nr_commits = s.n;

	/* Only now, with a valid range, is any state made: under the lock. */
	if (lock < 0 && pg_bisect_lock(g, &lock, err) < 0)
		goto done;
	if (state_paths(g, &s.dir, err) < 0)
		goto done;
	if (mkdir(s.dir, 0777) < 0 && errno != EEXIST) {
		pg_err_set(err, PG_ERR_INFRA, "mkdir '%s': %s", s.dir, strerror(errno));
		goto done;
	}
	r->build_log_dir = pg_xasprintf("%s/logs", s.dir);
	jpath = pg_xasprintf("%s/journal", s.dir);
	cpath = pg_xasprintf("%s/cache", s.dir);
	snprintf(s.key, sizeof(s.key), "%.16s-%s", cfg->hash, mach.fingerprint);
	for (k = 0; k < PG_BISECT_WORKTREES; k++) {
		struct pg_err e = PG_ERR_INIT;

		snprintf(s.slots[k].name, sizeof(s.slots[k].name), "bisect-%d", k);
		if (pg_git_worktree_current(g, s.slots[k].name, s.slots[k].oid, &e) != 0)
			s.slots[k].oid[0] = '\0';
	}
	if (cache_load(&s, cpath, err) < 0 || open_append(cpath, false, &s.cfd, err) < 0)
		goto done;
	if (o->resume && !have_old) {
		if (truncate(jpath, (off_t)s.replay.valid_len) < 0) {
			pg_err_set(err, PG_ERR_INFRA, "truncate '%s': %s", jpath, strerror(errno));
			goto done;
		}
		if (open_append(jpath, false, &s.jfd, err) < 0)
			goto done;
	} else if (o->resume) {
		if (open_append(jpath, true, &s.jfd, err) < 0)
			goto done;
	} else {
		struct pg_bisect_journal cur;
		struct pg_err e = PG_ERR_INIT;
		static const char *const reports[] = {"report.txt", "report.json", "report.md",
						      "report.svg"};

		k = pg_bisect_journal_load(g, &cur, &e);
		if (k == 0 && !cur.done) {
			pg_err_set(err, PG_ERR_USAGE,
				   "a bisect of %s..%s is in progress: perfgate bisect --continue, "
				   "or --reset to start over",
				   pg_git_short(cur.good, s7), pg_git_short(cur.bad, s7b));
			pg_bisect_journal_release(&cur);
			goto done;
		}
		if (k == 0)
			pg_bisect_journal_release(&cur);
		/* the reports of the bisect before belong to it, not to this one */
		for (k = 0; k < (int)PG_ARRAY_SIZE(reports); k++) {
			char *rp = pg_xasprintf("%s/%s", s.dir, reports[k]);

			unlink(rp);
			free(rp);
		}
		if (open_append(jpath, true, &s.jfd, err) < 0)
			goto done;
	}
	if (!s.replay.bench) {
		struct pg_buf line = PG_BUF_INIT;
		const char *json = have_old ? old.json : o->json,
			   *md = have_old ? old.markdown : o->markdown,
			   *svg = have_old ? old.svg : o->svg;

		pg_buf_adds(&line, "perfgate-bisect 1\n");
		pg_buf_addf(&line, "start good=%s bad=%s bench=", r->good, r->bad);
		enc(&line, bench_name);
		pg_buf_adds(&line, " metric=");
		enc(&line, metric);
		pg_buf_addf(&line, " first_parent=%d config=%s machine=%s json=", first_parent,
			    cfg->hash, mach.fingerprint);
		enc(&line, json);
		pg_buf_adds(&line, " markdown=");
		enc(&line, md);
		pg_buf_adds(&line, " svg=");
		enc(&line, svg);
		if (!s.notes)
			pg_buf_adds(&line, " notes=0");
		if (append_line(s.jfd, "bisect journal", &line, err) < 0) {
			pg_buf_release(&line);
			goto done;
		}
		pg_buf_release(&line);
	}
	s.consumed = pg_xcalloc(s.replay.nr_recs + 1, sizeof(bool));
	for (i = 0; i < s.replay.nr_recs; i++)
		if (s.replay.recs[i].kind == PG_BISECT_REC_WARM)
			r->executions += (unsigned)s.replay.recs[i].va;

	/* 1. The ends. */
	pg_search_init(&se, s.n);
	s.commits_left = (unsigned)s.n;
	s.steps_left = pg_search_steps_left(&se);
	s.prog.commits_left = s.commits_left;
	s.prog.steps_left = s.steps_left;
	s.prog.eta_s = -1;
	{
		uint64_t te = pg_now_ns();

		if (s.instr) {
			double a, b;

			s.prog.phase = "ends";
			if ((k = instructions(&s, r->good, 0, &a, err)) < 0 ||
			    (k = instructions(&s, r->bad, 0, &b, err)) < 0) {
				if (k == PG_BUILD_FAILED)
					err->kind = PG_ERR_INFRA;
				pg_err_prefix(err, "the ends");
				goto done;
			}
			exact_verdict(&r->ends, a, b);
		} else {
			/* beyond repeat.max (to 4 x) while bad looks slower but unsure */
			struct pairs_plan plan = {0};

			plan.extend = PG_BISECT_ENDS_EXTEND * s.bench.repeat_max;
			if (pairs(&s, "ends", s.metric, r->good, r->bad, PG_BISECT_ENDS_ALPHA,
				  &plan, &r->ends, err) < 0)
				goto done;
		}
		s.ends_s = (double)(pg_now_ns() - te) / 1e9;
	}
	s.effect = r->ends.hl_ratio > 1 ? log(r->ends.hl_ratio) : 0;
	if (!(r->ends.kind == PG_STATS_DIFFERENT && r->ends.change == PG_STATS_WORSE)) {
		r->status = PG_BISECT_NO_DIFFERENCE;
		if (finish(&s, "no-difference", NULL, err) < 0)
			goto done;
		ret = 0;
		goto done;
	}

	/* 2. The search. */
	cand = pg_xcalloc(s.n + 1, sizeof(*cand));
	for (;;) {
		size_t idx;
		long lo, hi;
		enum pg_search_step next = pg_search_next(&se, &idx);
		struct pg_bisect_step *st;
		uint64_t ts;
		size_t before;

		if (next != PG_SEARCH_MEASURE)
			break;
		pg_search_bracket(&se, &lo, &hi);
		s.step_no++;
		s.commits_left = (unsigned)pg_search_candidates(&se, cand);
		s.steps_left = pg_search_steps_left(&se);
		s.prog.step = s.step_no;
		s.prog.commits_left = s.commits_left;
		s.prog.steps_left = s.steps_left;
		s.prog.eta_s = eta(&s);
		before = r->replayed;
		ts = pg_now_ns();
		st = new_step(&s, s.range[idx]);
		if (step(&s, lo < 0 ? r->good : s.range[lo], s.range[idx], s.range[hi], st, err) <
		    0)
			goto done;
		if (r->replayed == before && !st->skipped) {
			s.step_s_sum += (double)(pg_now_ns() - ts) / 1e9;
			s.steps_timed++;
		}
		pg_search_set(&se, idx,
			      st->skipped		  ? PG_SEARCH_SKIP
			      : st->cls == PG_BISECT_GOOD ? PG_SEARCH_GOOD
							  : PG_SEARCH_BAD);
		s.prog.phase = "step";
		s.prog.oid = st->oid;
		s.prog.note = st->skipped ? "skipped" : st->cls == PG_BISECT_GOOD ? "good" : "bad";
		s.prog.commits_left = (unsigned)pg_search_candidates(&se, cand);
		s.prog.steps_left = pg_search_steps_left(&se);
		s.prog.run = st->triplets;
		progress(&s);
		s.prog.note = NULL;
	}
	r->nr_candidates = pg_search_candidates(&se, cand);
	r->candidates = pg_xcalloc(r->nr_candidates ? r->nr_candidates : 1, PG_OID_HEX);
	for (i = 0; i < r->nr_candidates; i++)
		snprintf(r->candidates[i], PG_OID_HEX, "%s", s.range[cand[i]]);
	if (pg_search_next(&se, &i) == PG_SEARCH_AMBIGUOUS || r->nr_candidates != 1) {
		r->status = PG_BISECT_AMBIGUOUS;
		if (finish(&s, "ambiguous", NULL, err) < 0)
			goto done;
		ret = 0;
		goto done;
	}

	/* 3. Confirm against the parent. */
	snprintf(r->culprit, PG_OID_HEX, "%s", r->candidates[0]);
	snprintf(r->parent, PG_OID_HEX, "%s", cand[0] == 0 ? r->good : s.range[cand[0] - 1]);
	if (pg_git_commit_info(g, r->culprit, &r->info, err) < 0)
		goto done;
	r->has_info = true;
	s.steps_left = 0;
	s.prog.steps_left = 0;
	s.prog.commits_left = 1;
	s.prog.eta_s = s.ends_s;
	if (s.instr) {
		double a, b;

		if (instructions(&s, r->parent, 0, &a, err) < 0 ||
		    instructions(&s, r->culprit, 0, &b, err) < 0)
			goto done;
		exact_verdict(&r->confirm, a, b);
	} else {
		/* the pairs the steps already have, then fresh ones up to 2 x repeat.max */
		struct pairs_plan plan = {0};
		double *pa, *pc;
		int k2;

		plan.n_pre = pooled(&s, r->parent, r->culprit, &pa, &pc);
		plan.pre_a = pa;
		plan.pre_b = pc;
		plan.extend = 2 * s.bench.repeat_max;
		/* SAME: this commit carries less than half of the ends' regression */
		plan.tolerance = r->ends.hl_ratio > 1 ? (r->ends.hl_ratio - 1) / 2 : 0;
		r->confirm_pooled = (unsigned)plan.n_pre;
		k2 = pairs(&s, "confirm", s.metric, r->parent, r->culprit, PG_BISECT_CONFIRM_ALPHA,
			   &plan, &r->confirm, err);
		free(pa);
		free(pc);
		if (k2 < 0)
			goto done;
	}
	if (!(r->confirm.kind == PG_STATS_DIFFERENT && r->confirm.change == PG_STATS_WORSE)) {
		r->status = PG_BISECT_UNCONFIRMED;
		if (finish(&s, "unconfirmed", r->culprit, err) < 0)
			goto done;
		ret = 0;
		goto done;
	}
	r->status = PG_BISECT_FOUND;

	/* 4. The other metric, then the profiles. */
	s.prog.eta_s = -1;
	if (cross_check(&s, err) < 0 || profile(&s, err) < 0)
		goto done;
	if (finish(&s, "found", r->culprit, err) < 0)
		goto done;
	ret = 0;
done:
	/* also after a failure or an interrupt: what was measured is kept (the
	 * samples a --continue replays from the journal are not noted again) */
	write_notes(&s);
	for (i = 0; i < s.nr_noted; i++)
		pg_result_release(&s.noted[i]);
	free(s.noted);
	r->wall_s = (double)(pg_now_ns() - t0) / 1e9;
	pg_search_release(&se);
	free(cand);
	if (s.jfd >= 0)
		close(s.jfd);
	if (s.cfd >= 0)
		close(s.cfd);
	for (k = 0; k < PG_BISECT_WORKTREES; k++)
		free(s.slots[k].path);
	free(s.range);
	free(s.cache);
	free(s.trips);
	free(s.consumed);
	free(s.dir);
	free(jpath);
	free(cpath);
	pg_bisect_journal_release(&s.replay);
	pg_bisect_journal_release(&old);
	free(saved_bench);
	free(saved_metric);
	pg_bisect_unlock(lock);
	return ret;
}

void pg_bisect_result_init(struct pg_bisect_result *r)
{
	memset(r, 0, sizeof(*r));
}

void pg_bisect_result_release(struct pg_bisect_result *r)
{
	size_t i;

	free(r->bench);
	free(r->metric);
	if (r->has_info)
		pg_git_commit_release(&r->info);
	free(r->candidates);
	free(r->steps);
	free(r->cross_error);
	if (r->profiled) {
		pg_prof_release(&r->before);
		pg_prof_release(&r->after);
		if (!r->profile_error)
			pg_attrib_release(&r->attrib);
	}
	for (i = 0; i < r->nr_touched; i++)
		free(r->touched[i]);
	free(r->touched);
	free(r->profile_error);
	free(r->build_log_dir);
	for (i = 0; i < r->nr_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}

const char *pg_bisect_status_name(enum pg_bisect_status s)
{
	switch (s) {
	case PG_BISECT_FOUND:
		return "found";
	case PG_BISECT_NO_DIFFERENCE:
		return "no-difference";
	case PG_BISECT_AMBIGUOUS:
		return "ambiguous";
	case PG_BISECT_UNCONFIRMED:
		return "unconfirmed";
	}
	return "unknown";
}
