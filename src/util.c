#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The out-of-memory policy's state: string literals and a function pointer,
 * so that pg_die_oom() needs no memory and no locks.
 */
static const char *oom_activity;
static void (*oom_hook)(void);
static const char *oom_tmp; /* the temporary pg_file_write() has open, or NULL */

const char *pg_oom_while(const char *activity)
{
	const char *prev = oom_activity;

	oom_activity = activity;
	return prev;
}

void pg_oom_on_fatal(void (*fn)(void))
{
	oom_hook = fn;
}

static size_t put(char *buf, size_t size, size_t o, const char *s)
{
	while (*s && o + 1 < size)
		buf[o++] = *s++;
	return o;
}

size_t pg_oom_message(char *buf, size_t size, const char *activity, size_t bytes)
{
	char num[24];
	size_t o = 0, n = sizeof(num);

	if (!size)
		return 0;
	o = put(buf, size, o, "perfgate: out of memory");
	if (activity && *activity) {
		o = put(buf, size, o, " while ");
		o = put(buf, size, o, activity);
	}
	if (bytes) {
		num[--n] = '\0';
		do {
			num[--n] = (char)('0' + bytes % 10);
			bytes /= 10;
		} while (bytes);
		o = put(buf, size, o, " (allocating ");
		o = put(buf, size, o, num + n);
		o = put(buf, size, o, " bytes)");
	}
	o = put(buf, size, o, "\n");
	buf[o] = '\0';
	return o;
}

void pg_die_oom(size_t bytes)
{
	char msg[512];
	size_t n = pg_oom_message(msg, sizeof(msg), oom_activity, bytes);
	ssize_t r = write(2, msg, n);

	(void)r;
	if (oom_tmp)
		unlink(oom_tmp);
	if (oom_hook)
		oom_hook();
	_exit(4); /* PG_EXIT_INFRA */
}

void *pg_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		pg_die_oom(size);
	return p;
}

void *pg_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		pg_die_oom(size && nmemb > SIZE_MAX / size ? SIZE_MAX : nmemb * size);
	return p;
}

void *pg_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		pg_die_oom(size);
	return p;
}

void *pg_xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		pg_die_oom(SIZE_MAX);
	return pg_xrealloc(ptr, nmemb * size);
}

char *pg_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		pg_die_oom(strlen(s ? s : "") + 1);
	return p;
}

char *pg_xstrndup(const char *s, size_t n)
{
	char *p = strndup(s ? s : "", n);
	if (!p)
		pg_die_oom(strnlen(s ? s : "", n) + 1);
	return p;
}

char *pg_xasprintf(const char *fmt, ...)
{
	struct pg_buf b = PG_BUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		pg_die_oom(0);
	pg_buf_grow(&b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b.data, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b.len = (size_t)n;
	return pg_buf_detach(&b, NULL);
}

void pg_buf_grow(struct pg_buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		pg_die_oom(SIZE_MAX);
	need = b->len + extra + 1;
	if (need > b->alloc) {
		size_t n = b->alloc ? b->alloc : 64;
		while (n < need)
			n = n > SIZE_MAX / 2 ? need : n * 2;
		b->data = pg_xrealloc(b->data, n);
		b->alloc = n;
	}
	b->data[b->len] = '\0';
}

void pg_buf_add(struct pg_buf *b, const void *data, size_t len)
{
	pg_buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void pg_buf_adds(struct pg_buf *b, const char *s)
{
	pg_buf_add(b, s, strlen(s));
}

void pg_buf_addc(struct pg_buf *b, char c)
{
	pg_buf_add(b, &c, 1);
}

void pg_buf_addf(struct pg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	pg_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void pg_buf_reset(struct pg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void pg_buf_release(struct pg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

char *pg_buf_detach(struct pg_buf *b, size_t *len)
{
	char *d;

	pg_buf_grow(b, 0);
	d = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->alloc = 0;
	return d;
}

const char *pg_buf_cstr(struct pg_buf *b)
{
	pg_buf_grow(b, 0);
	return b->data;
}

int pg_file_read(const char *path, size_t cap, struct pg_buf *out, struct pg_err *err)
{
	int fd = -1, ret = -1;
	struct stat st;
	size_t start = out->len;

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
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap) {
			pg_err_set(err, PG_ERR_USAGE, "'%s': larger than %zu bytes (%lld bytes)", path,
				   cap, (long long)st.st_size);
			goto done;
		}
	}
	for (;;) {
		ssize_t n;

		pg_buf_grow(out, 65536);
		n = read(fd, out->data + out->len, 65536);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pg_err_set(err, PG_ERR_INFRA, "cannot read '%s': %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len - start > cap) {
			pg_err_set(err, PG_ERR_USAGE, "'%s': larger than %zu bytes", path, cap);
			goto done;
		}
	}
	ret = 0;
done:
	if (ret < 0 && out->data) {
		out->len = start;
		out->data[start] = '\0';
	}
	if (fd > 0)
		close(fd);
	return ret;
}

int pg_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int pg_file_write(const char *path, const void *data, size_t len, struct pg_err *err)
{
	char *tmp = NULL;
	int fd = -1, ret = -1;

	if (!strcmp(path, "-")) {
		if (pg_write_all(1, data, len) < 0 || fflush(stdout) != 0)
			return pg_err_set(err, errno == EPIPE ? PG_ERR_PIPE : PG_ERR_INFRA,
					  "write to stdout: %s", strerror(errno));
		return 0;
	}
	tmp = pg_xasprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		pg_err_set(err, PG_ERR_INFRA, "write %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	oom_tmp = tmp; /* pg_die_oom() removes it */
	if (pg_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		pg_err_set(err, PG_ERR_INFRA, "write %s: %s", path, strerror(errno));
		goto done;
	}
	/* mkstemp makes 0600; reports are for sharing. */
	if (fchmod(fd, 0644) < 0) {
		pg_err_set(err, PG_ERR_INFRA, "write %s: %s", path, strerror(errno));
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		pg_err_set(err, PG_ERR_INFRA, "write %s: %s", path, strerror(errno));
		goto done;
	}
	fd = -1;
	/* rename() replaces a symlink at path; it never writes through it. */
	if (rename(tmp, path) < 0) {
		pg_err_set(err, PG_ERR_INFRA, "write %s: %s", path, strerror(errno));
		goto done;
	}
	ret = 0;
done:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp);
	oom_tmp = NULL;
	free(tmp);
	return ret;
}

uint64_t pg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool pg_str_startswith(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool pg_str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !memcmp(s + a - b, suffix, b);
}

size_t pg_str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *row, res;

	if (la > 256 || lb > 256)
		return SIZE_MAX;
	row = pg_xcalloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	res = row[lb];
	free(row);
	return res;
}

char *pg_str_slug(const char *name)
{
	struct pg_buf b = PG_BUF_INIT;
	const char *p;

	for (p = name; *p && b.len < 100; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (b.len == 0 && c == '.')
			ok = 0;
		pg_buf_addc(&b, ok ? c : '_');
	}
	if (!b.len)
		pg_buf_addc(&b, '_');
	return pg_buf_detach(&b, NULL);
}

bool pg_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p, *end;

	if (!len)
		return true;
	p = (const unsigned char *)s;
	end = p + len;
	while (p < end) {
		unsigned c = *p;
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}
