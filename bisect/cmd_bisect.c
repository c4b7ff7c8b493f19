#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_bisect(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: perfgate bisect\n\nnot built yet (issue 6).\n");
		return PG_EXIT_OK;
	}
	fprintf(stderr, "perfgate bisect: not built yet (issue 6)\n");
	return PG_EXIT_USAGE;
}
