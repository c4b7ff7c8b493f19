#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_fold(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: perfgate fold\n\nnot built yet (issue 4).\n");
		return PG_EXIT_OK;
	}
	fprintf(stderr, "perfgate fold: not built yet (issue 4)\n");
	return PG_EXIT_USAGE;
}
