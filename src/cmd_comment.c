#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_comment(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: perfgate comment\n\nnot built yet (issue 7).\n");
		return PG_EXIT_OK;
	}
	fprintf(stderr, "perfgate comment: not built yet (issue 7)\n");
	return PG_EXIT_USAGE;
}
