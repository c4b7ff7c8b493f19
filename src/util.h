/*
 * util: memory wrappers, a growable buffer, capped file reads and whole-file
 * writes. Shared by every module; depends on nothing but libc and err.
 *
 * Memory: pg_xmalloc() and friends never return NULL (one wrapper, as tmux
 * and redis do); callers never test for it. On failure pg_die_oom() prints
 * "perfgate: out of memory while ACTIVITY (allocating N bytes)", removes the
 * temporary file pg_file_write() may have open, runs the fatal hook (main.c:
 * kill the tracked child process groups) and _exit()s 4, the infrastructure
 * error. ACTIVITY is what pg_oom_while() last set: a string literal, e.g.
 *   const char *prev = pg_oom_while("parsing the config");
 *   ... ; pg_oom_while(prev);
 *
 * Buffers: struct pg_buf is a byte buffer that is always NUL-terminated
 * (buf.data[buf.len] == 0) once initialised with PG_BUF_INIT and grown by
 * any pg_buf_* call. The caller owns it and frees it with pg_buf_release().
 */
#ifndef PG_UTIL_H
#define PG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "err.h"

#define PG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *pg_xmalloc(size_t size);
void *pg_xcalloc(size_t nmemb, size_t size);
void *pg_xrealloc(void *ptr, size_t size);
/* realloc for arrays: checks nmemb * size for overflow. */
void *pg_xreallocarray(void *ptr, size_t nmemb, size_t size);
char *pg_xstrdup(const char *s);
char *pg_xstrndup(const char *s, size_t n);
char *pg_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Out of memory: the message, cleanup and _exit(4) above; never returns.
 * bytes is the failed request (0: unknown, left out of the message).
 */
void pg_die_oom(size_t bytes) __attribute__((noreturn));
/* Name what perfgate is doing, for the message; returns the previous activity. */
const char *pg_oom_while(const char *activity);
/* A function pg_die_oom() calls before exiting: async-signal-safe, allocates nothing. */
void pg_oom_on_fatal(void (*fn)(void));
/* The message pg_die_oom() prints, into buf (NUL-terminated); returns its length. */
size_t pg_oom_message(char *buf, size_t size, const char *activity, size_t bytes);

/* Grow *arr (of *alloc elements of elem_size bytes) to hold at least need. */
#define PG_GROW(arr, need, alloc) \
	do { \
		if ((size_t)(need) > (alloc)) { \
			size_t pg_grow_n_ = (alloc) ? (alloc) * 2 : 8; \
			while (pg_grow_n_ < (size_t)(need)) \
				pg_grow_n_ *= 2; \
			(arr) = pg_xreallocarray((arr), pg_grow_n_, sizeof(*(arr))); \
			(alloc) = pg_grow_n_; \
		} \
	} while (0)

struct pg_buf {
	char *data;   /* NUL-terminated after any pg_buf call; NULL when empty-initialised */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t alloc; /* bytes allocated */
};

#define PG_BUF_INIT { NULL, 0, 0 }

void pg_buf_grow(struct pg_buf *b, size_t extra);
void pg_buf_add(struct pg_buf *b, const void *data, size_t len);
void pg_buf_adds(struct pg_buf *b, const char *s);
void pg_buf_addc(struct pg_buf *b, char c);
void pg_buf_addf(struct pg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pg_buf_reset(struct pg_buf *b);   /* len = 0, keeps memory */
void pg_buf_release(struct pg_buf *b); /* frees, back to PG_BUF_INIT */
/* Hand the data to the caller (never NULL); b is back to PG_BUF_INIT. */
char *pg_buf_detach(struct pg_buf *b, size_t *len);
/* Guarantee data != NULL (an empty "" string). */
const char *pg_buf_cstr(struct pg_buf *b);

/*
 * Read a whole file, refusing files larger than cap bytes before reading
 * them ("FILE: larger than N bytes"). path "-" reads stdin. Appends to out.
 */
int pg_file_read(const char *path, size_t cap, struct pg_buf *out, struct pg_err *err);

/*
 * Write a whole file: to a temporary file in the same directory, fsync, then
 * rename over path, so that readers see the old file or the new one, never
 * half of either; an existing symlink at path is replaced, never followed.
 * On failure the old file is intact and no temporary is left.
 * path "-" writes to stdout; a reader that went away (EPIPE) is PG_ERR_PIPE.
 */
int pg_file_write(const char *path, const void *data, size_t len, struct pg_err *err);

/* Write all of data to fd, retrying on EINTR and short writes. */
int pg_write_all(int fd, const void *data, size_t len);

/* Monotonic clock in nanoseconds. Not for pure modules. */
uint64_t pg_now_ns(void);

/* String helpers. */
bool pg_str_startswith(const char *s, const char *prefix);
bool pg_str_endswith(const char *s, const char *suffix);
/* Levenshtein distance, for "did you mean" suggestions. */
size_t pg_str_distance(const char *a, const char *b);
/*
 * A name made safe to use as one path component: [A-Za-z0-9._-] kept,
 * everything else '_', no leading '.', never empty, at most 100 bytes.
 */
char *pg_str_slug(const char *name);

/* Returns true when the byte string is valid UTF-8. */
bool pg_utf8_valid(const char *s, size_t len);

#endif
