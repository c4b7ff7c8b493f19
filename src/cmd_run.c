#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_run(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: perfgate run\n\nnot built yet (issue 2).\n");
		return PG_EXIT_OK;
	}
	fprintf(stderr, "perfgate run: not built yet (issue 2)\n");
	return PG_EXIT_USAGE;
}
