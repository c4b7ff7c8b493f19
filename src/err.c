#include "err.h"

#include <stdio.h>
#include <string.h>

int pg_err_set(struct pg_err *err, enum pg_err_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int pg_err_prefix(struct pg_err *err, const char *fmt, ...)
{
	char ctx[PG_ERR_MSG_MAX];
	char old[PG_ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation keeps the start: the context and the head of the cause. */
	size_t n = strnlen(ctx, sizeof(ctx) - 1);
	if (n > sizeof(err->msg) - 3)
		n = sizeof(err->msg) - 3;
	memcpy(err->msg, ctx, n);
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	size_t rest = strnlen(old, sizeof(old) - 1);
	if (rest > sizeof(err->msg) - 1 - n)
		rest = sizeof(err->msg) - 1 - n;
	memcpy(err->msg + n, old, rest);
	err->msg[n + rest] = '\0';
	return -1;
}

void pg_err_clear(struct pg_err *err)
{
	if (!err)
		return;
	err->kind = PG_ERR_NONE;
	err->msg[0] = '\0';
}
