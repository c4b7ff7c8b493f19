#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_flamegraph(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: perfgate flamegraph\n\nnot built yet (issue 4).\n");
		return PG_EXIT_OK;
	}
	fprintf(stderr, "perfgate flamegraph: not built yet (issue 4)\n");
	return PG_EXIT_USAGE;
}
