/*
 * err: the error value every fallible function fills.
 *
 * Owns: one printable message and an exit-code class. It must not print:
 * only main.c and cmd_*.c print and pick exit codes.
 *
 * Use:
 *   struct pg_err err = PG_ERR_INIT;
 *   if (pg_config_load(&cfg, path, &err) < 0) { fprintf(stderr, "perfgate: %s\n", err.msg); ... }
 * A failing function sets the message with pg_err_set(); a caller adds
 * context on the way up with pg_err_prefix(), which keeps the cause.
 */
#ifndef PG_ERR_H
#define PG_ERR_H

#include <stdarg.h>

/* What kind of failure: maps onto the documented exit codes in main.c. */
enum pg_err_kind {
	PG_ERR_NONE = 0,
	PG_ERR_USAGE,   /* bad arguments, bad config: nothing was run (exit 2) */
	PG_ERR_INFRA,   /* benchmark, build, perf, git or I/O failure (exit 4) */
	PG_ERR_INCONCLUSIVE, /* noise, or only skipped commits left (exit 3) */
	PG_ERR_DELIVERY, /* a report could not be delivered (exit 5) */
	PG_ERR_INTERRUPTED, /* a signal asked us to stop (exit 130/143) */
	PG_ERR_PIPE,    /* stdout's reader went away (EPIPE): stop quietly (exit 141) */
};

#define PG_ERR_MSG_MAX 2048

struct pg_err {
	enum pg_err_kind kind;
	char msg[PG_ERR_MSG_MAX]; /* NUL-terminated, printable as it stands */
};

#define PG_ERR_INIT { PG_ERR_NONE, { 0 } }

/* Set the message (printf-style) and kind; returns -1 so callers can
 * `return pg_err_set(err, ...)`. err may be NULL. */
int pg_err_set(struct pg_err *err, enum pg_err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend context: "ctx: <old message>". Keeps the kind. Returns -1. */
int pg_err_prefix(struct pg_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reset to PG_ERR_NONE with an empty message. */
void pg_err_clear(struct pg_err *err);

#endif
