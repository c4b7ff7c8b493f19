/*
 * prof_read: detection, dispatch, capped file reading, and the helpers the
 * parsers share. Perf script text is streamed through fold.c: only the
 * first block is read for detection, the rest goes through the fold buffer.
 */
#include "prof_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fold.h"

#define DETECT_BYTES 65536

void pg_prof_warn(struct pg_prof_warnings *w, const char *fmt, ...)
{
	va_list ap;

	if (!w)
		return;
	if (w->n >= PG_PROF_WARN_MAX) {
		w->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(w->msg[w->n++], sizeof(w->msg[0]), fmt, ap);
	va_end(ap);
}

static size_t max_frames(const struct pg_prof_read_opts *o)
{
	return o && o->max_frames ? o->max_frames : PG_PROF_MAX_FRAMES;
}

static size_t max_stacks(const struct pg_prof_read_opts *o)
{
	return o && o->max_stacks ? o->max_stacks : PG_PROF_MAX_STACKS;
}

uint32_t pg_prof_intern_capped(struct pg_prof *p, const char *name, size_t len,
			       const struct pg_prof_read_opts *opts, bool *capped)
{
	char small[256], *tmp = NULL;
	uint32_t id;
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] == ';' || (unsigned char)name[i] < 0x20)
			break;
	if (i < len) {
		char *c = len < sizeof(small) ? small : (tmp = pg_xmalloc(len));
		for (i = 0; i < len; i++)
			c[i] = name[i] == ';' ? ':' : (unsigned char)name[i] < 0x20 ? ' ' : name[i];
		name = c;
	}
	id = pg_prof_lookup(p, name, len);
	if (id == PG_PROF_NONE) {
		if (p->nr_frames >= max_frames(opts)) {
			if (capped)
				*capped = true;
			id = pg_prof_intern(p, PG_PROF_TRUNCATED, strlen(PG_PROF_TRUNCATED));
		} else {
			id = pg_prof_intern(p, name, len);
		}
	}
	free(tmp);
	return id;
}

void pg_prof_add_capped(struct pg_prof *p, const uint32_t *ids, uint32_t depth, double weight,
			const struct pg_prof_read_opts *opts, bool *capped)
{
	if (p->nr_stacks >= max_stacks(opts) && !pg_prof_has_stack(p, ids, depth)) {
		uint32_t two[2];
		uint32_t n = 0;
		if (depth)
			two[n++] = ids[0];
		two[n++] = pg_prof_intern(p, PG_PROF_TRUNCATED, strlen(PG_PROF_TRUNCATED));
		if (capped)
			*capped = true;
		pg_prof_add(p, two, n, weight);
		return;
	}
	pg_prof_add(p, ids, depth, weight);
}

void pg_prof_cap_warn(struct pg_prof_warnings *w, const char *name, bool capped,
		      const struct pg_prof_read_opts *opts)
{
	if (capped)
		pg_prof_warn(w, "%s: too many distinct symbols (caps: %zu frames, %zu stacks): "
			     "the rest folded into %s", name, max_frames(opts), max_stacks(opts),
			     PG_PROF_TRUNCATED);
}

static const char *const format_names[] = {
	[PG_PROF_FMT_AUTO] = "auto",
	[PG_PROF_FMT_FOLDED] = "folded",
	[PG_PROF_FMT_PERF_SCRIPT] = "perf-script",
	[PG_PROF_FMT_CPUPROFILE] = "cpuprofile",
	[PG_PROF_FMT_PPROF] = "pprof",
	[PG_PROF_FMT_SPEEDSCOPE] = "speedscope",
	[PG_PROF_FMT_CALLGRIND] = "callgrind",
};

const char *pg_prof_format_name(enum pg_prof_format fmt)
{
	if ((size_t)fmt < PG_ARRAY_SIZE(format_names))
		return format_names[fmt];
	return "unknown";
}

int pg_prof_format_parse(const char *name, enum pg_prof_format *out)
{
	size_t i;

	for (i = 0; i < PG_ARRAY_SIZE(format_names); i++)
		if (!strcmp(name, format_names[i])) {
			*out = (enum pg_prof_format)i;
			return 0;
		}
	return -1;
}

static bool mem_has(const char *d, size_t n, const char *s)
{
	return memmem(d, n, s, strlen(s)) != NULL;
}

enum pg_prof_format pg_prof_detect(const char *data, size_t len)
{
	size_t i = 0, lines = 0;
	const char *p, *end;

	if (len > DETECT_BYTES)
		len = DETECT_BYTES;
	if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b)
		return PG_PROF_FMT_PPROF;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i < len && data[i] == '{') {
		if (mem_has(data, len, "speedscope") || mem_has(data, len, "\"shared\""))
			return PG_PROF_FMT_SPEEDSCOPE;
		return PG_PROF_FMT_CPUPROFILE;
	}
	if (mem_has(data, len, "# callgrind format") ||
	    ((len >= 8 && !memcmp(data, "version:", 8)) && mem_has(data, len, "\nevents:")) ||
	    (mem_has(data, len, "\nevents:") && mem_has(data, len, "\nfn=")))
		return PG_PROF_FMT_CALLGRIND;
	/* a binary protobuf: field 1 (sample_type, length-delimited) first, or any
	 * control bytes a text format would not hold */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			return PG_PROF_FMT_PPROF;
	}
	/* perf script: an indented "<hex> sym" line after an unindented one */
	p = data;
	end = data + len;
	while (p < end && lines < 200) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (e - p > 8 && e[-1] == ':' && memchr(p, '.', (size_t)(e - p))) {
			/* "comm pid/tid time: period event:" */
			const char *q = e - 1;
			while (q > p && q[-1] != ' ')
				q--;
			if (q > p && mem_has(p, (size_t)(q - p), ": "))
				return PG_PROF_FMT_PERF_SCRIPT;
		}
		if (p < e && (*p == '\t' || *p == ' ')) {
			const char *q = p;
			while (q < e && (*q == '\t' || *q == ' '))
				q++;
			if (q < e && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')))
				return PG_PROF_FMT_PERF_SCRIPT;
		}
		if (!nl)
			break;
		p = nl + 1;
		lines++;
	}
	return PG_PROF_FMT_FOLDED;
}

static int dispatch(struct pg_prof *p, const char *name, const char *data, size_t len,
		    enum pg_prof_format fmt, const struct pg_prof_read_opts *opts,
		    struct pg_prof_warnings *warn, struct pg_err *err)
{
	if (fmt == PG_PROF_FMT_AUTO)
		fmt = pg_prof_detect(data, len);
	switch (fmt) {
	case PG_PROF_FMT_PERF_SCRIPT:
		return pg_fold_parse(p, name, data, len, opts, warn, err);
	case PG_PROF_FMT_FOLDED:
		pg_prof_init(p, PG_PROF_SAMPLES);
		return pg_prof_parse_folded(p, name, data, len, opts, warn, err);
	case PG_PROF_FMT_CPUPROFILE:
		pg_prof_init(p, PG_PROF_NS);
		return pg_prof_parse_cpuprofile(p, name, data, len, opts, warn, err);
	case PG_PROF_FMT_PPROF:
		pg_prof_init(p, PG_PROF_NS);
		return pg_prof_parse_pprof(p, name, data, len, opts, warn, err);
	case PG_PROF_FMT_SPEEDSCOPE:
		pg_prof_init(p, PG_PROF_NS);
		return pg_prof_parse_speedscope(p, name, data, len, opts, warn, err);
	case PG_PROF_FMT_CALLGRIND:
		pg_prof_init(p, PG_PROF_INSTRUCTIONS);
		return pg_prof_parse_callgrind(p, name, data, len, opts, warn, err);
	case PG_PROF_FMT_AUTO:
		break;
	}
	pg_prof_init(p, PG_PROF_SAMPLES);
	return pg_err_set(err, PG_ERR_USAGE, "%s: unknown profile format", name);
}

int pg_prof_read_mem_ex(struct pg_prof *p, const char *name, const char *data, size_t len,
			enum pg_prof_format fmt, const struct pg_prof_read_opts *opts,
			struct pg_prof_warnings *warn, struct pg_err *err)
{
	const char *prev;
	int ret;

	if (len > PG_PROF_MAX_BYTES) {
		pg_prof_init(p, PG_PROF_SAMPLES);
		return pg_err_set(err, PG_ERR_USAGE, "%s: larger than %zu bytes", name,
				  PG_PROF_MAX_BYTES);
	}
	prev = pg_oom_while("reading a profile");
	ret = dispatch(p, name, data, len, fmt, opts, warn, err);
	pg_oom_while(prev);
	return ret;
}

int pg_prof_read_mem(struct pg_prof *p, const char *name, const char *data, size_t len,
		     enum pg_prof_format fmt, struct pg_err *err)
{
	return pg_prof_read_mem_ex(p, name, data, len, fmt, NULL, NULL, err);
}

/* Read up to want more bytes into b; returns bytes read (0 at EOF), -1 on error. */
static ssize_t read_some(int fd, struct pg_buf *b, size_t want)
{
	size_t got = 0;

	pg_buf_grow(b, want);
	while (got < want) {
		ssize_t n = read(fd, b->data + b->len, want - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		got += (size_t)n;
	}
	b->data[b->len] = '\0';
	return (ssize_t)got;
}

int pg_prof_read_file_ex(struct pg_prof *p, const char *path, enum pg_prof_format fmt,
			 const struct pg_prof_read_opts *opts, struct pg_prof_warnings *warn,
			 struct pg_err *err)
{
	const char *prev = pg_oom_while("reading a profile");
	struct pg_buf b = PG_BUF_INIT;
	const char *name = !strcmp(path, "-") ? "<stdin>" : path;
	int fd = -1, ret = -1;
	struct stat st;
	ssize_t n;

	pg_prof_init(p, PG_PROF_SAMPLES);
	if (!strcmp(path, "-")) {
		fd = 0;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			pg_err_set(err, PG_ERR_USAGE, "cannot open '%s': %s", path, strerror(errno));
			goto done;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			pg_err_set(err, PG_ERR_USAGE, "cannot read '%s': Is a directory", path);
			goto done;
		}
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_size > PG_PROF_MAX_BYTES) {
			pg_err_set(err, PG_ERR_USAGE, "'%s': larger than %zu bytes (%lld bytes)", path,
				   PG_PROF_MAX_BYTES, (long long)st.st_size);
			goto done;
		}
	}
	if (read_some(fd, &b, DETECT_BYTES) < 0)
		goto read_error;
	if (fmt == PG_PROF_FMT_AUTO)
		fmt = pg_prof_detect(b.data, b.len);
	if (fmt == PG_PROF_FMT_PERF_SCRIPT) {
		struct pg_fold f;

		pg_fold_init(&f, p, name, opts, warn);
		pg_fold_feed(&f, b.data, b.len);
		ret = pg_fold_read_fd(&f, fd, err);
		if (ret == 0)
			pg_fold_finish(&f);
		pg_fold_release(&f);
		goto done;
	}
	while ((n = read_some(fd, &b, 1 << 20)) > 0)
		if (b.len > PG_PROF_MAX_BYTES) {
			pg_err_set(err, PG_ERR_USAGE, "'%s': larger than %zu bytes", name,
				   PG_PROF_MAX_BYTES);
			goto done;
		}
	if (n < 0)
		goto read_error;
	pg_prof_release(p);
	ret = dispatch(p, name, b.data ? b.data : "", b.len, fmt, opts, warn, err);
	goto done;
read_error:
	pg_err_set(err, PG_ERR_INFRA, "cannot read '%s': %s", name, strerror(errno));
done:
	if (fd > 0)
		close(fd);
	pg_buf_release(&b);
	pg_oom_while(prev);
	return ret;
}

int pg_prof_read_file(struct pg_prof *p, const char *path, enum pg_prof_format fmt,
		      struct pg_err *err)
{
	return pg_prof_read_file_ex(p, path, fmt, NULL, NULL, err);
}
