/*
 * cmd: the commands and the exit codes. Every cmd_* function parses its own
 * argv (argv[0] is the command name), calls the core, prints, and returns
 * one of the PG_EXIT_* codes; main.c returns it to the shell.
 */
#ifndef PG_CMD_H
#define PG_CMD_H

#include "err.h"

enum pg_exit {
	PG_EXIT_OK = 0,           /* pass, or culprit found */
	PG_EXIT_BREACH = 1,       /* a budget was exceeded */
	PG_EXIT_USAGE = 2,        /* usage or config error: nothing was run */
	PG_EXIT_INCONCLUSIVE = 3, /* noise, or only skipped commits left */
	PG_EXIT_INFRA = 4,        /* benchmark crashed, build, perf, git or I/O failure, out of memory */
	PG_EXIT_DELIVERY = 5,     /* report not delivered (with --require-comment) */
	PG_EXIT_SIGINT = 130,
	PG_EXIT_SIGTERM = 143,
	PG_EXIT_PIPE = 141,       /* stdout's reader went away (128 + SIGPIPE), said nothing */
};

/* The exit code for a failure of this kind. */
int pg_exit_for(const struct pg_err *err);
/* Print "perfgate: MSG" to stderr and return pg_exit_for(err). */
int pg_fail(const struct pg_err *err);

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_bisect(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_fold(int argc, char **argv);
int cmd_flamegraph(int argc, char **argv);
int cmd_comment(int argc, char **argv);

#endif
