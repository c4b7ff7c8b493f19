#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_check(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: perfgate check\n\nnot built yet (issue 5).\n");
		return PG_EXIT_OK;
	}
	fprintf(stderr, "perfgate check: not built yet (issue 5)\n");
	return PG_EXIT_USAGE;
}
