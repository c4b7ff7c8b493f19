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
	case PG_ERR_INFRA:
		break;
	}
	return PG_EXIT_INFRA;
}

int pg_fail(const struct pg_err *err)
{
	fprintf(stderr, "perfgate: %s\n", err->msg[0] ? err->msg : "unknown error");
	return pg_exit_for(err);
}
