#include <stdio.h>

#include "cmd.h"

int pg_exit_for(const struct pg_err *err)
{
	switch (err->kind) {
	case PG_ERR_NONE:
		return PG_EXIT_OK;
	case PG_ERR_USAGE:
		return PG_EXIT_USAGE;
	case PG_ERR_INCONCLUSIVE:
		return PG_EXIT_INCONCLUSIVE;
	case PG_ERR_DELIVERY:
		return PG_EXIT_DELIVERY;
	case PG_ERR_INTERRUPTED:
		return PG_EXIT_SIGINT;
	case PG_ERR_PIPE:
		return PG_EXIT_PIPE;
	case PG_ERR_INFRA:
		break;
	}
	return PG_EXIT_INFRA;
}

int pg_fail(const struct pg_err *err)
{
	/* `perfgate fold big | head -1`: the reader has what it wanted. */
	if (err->kind == PG_ERR_PIPE)
		return pg_exit_for(err);
	fprintf(stderr, "perfgate: %s\n", err->msg[0] ? err->msg : "unknown error");
	return pg_exit_for(err);
}
