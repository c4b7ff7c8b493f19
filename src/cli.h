/*
 * cli: one option table per command that is both the parser and the help
 * text (as libgit2's cli does). Used only by main.c and cmd_*.c.
 *
 * Use:
 *   static const struct pg_opt opts[] = {
 *       { 'b', "bench", "NAME", "run only this benchmark (repeatable)" },
 *       { 'j', "json",  "FILE", "write results as JSON to FILE" },
 *       { 0 } };
 *   struct pg_cli cli = PG_CLI_INIT(argc, argv, "run", "[options]", "Run the benchmarks.", opts);
 *   int c; const char *arg;
 *   while ((c = pg_cli_next(&cli, &arg)) != -1) switch (c) { ... PG_CLI_DEFAULT(&cli); }
 *   positional arguments: cli.argv[cli.optind .. cli.argc)
 *
 * Options and positional arguments may come in any order, as with GNU
 * getopt: pg_cli_next permutes argv (in place) so that when it returns -1
 * every positional argument, in its original order, is in
 * argv[optind .. argc). "--" ends the options (what follows is positional
 * even if it starts with '-'); a lone "-" is positional (stdin). Options
 * bundle (-ab), and take their argument attached (-oFILE, --out=FILE) or
 * as the next element (-o FILE, --out FILE), even when it starts with '-'.
 *
 * pg_cli_next returns the option's short letter, or its index + 256 for
 * long-only options (short == 0), 'h' for --help (already printed: return 0),
 * '?' for an unknown option or missing argument (message printed: exit 2).
 */
#ifndef PG_CLI_H
#define PG_CLI_H

#include <stdio.h>

struct pg_opt {
	int short_name;	       /* letter, or 0 for a long-only option */
	const char *long_name; /* without "--" */
	const char *arg;       /* argument placeholder, or NULL for a flag */
	const char *help;      /* one line */
};

struct pg_cli {
	int argc;
	char **argv;
	const char *command;
	const char *synopsis;
	const char *description; /* paragraphs printed after the synopsis */
	const struct pg_opt *opts;
	int optind;
	int nextchar;		       /* private: position inside a bundle like -abc */
	int first_nonopt, last_nonopt; /* private: positionals skipped, not yet moved */
};

#define PG_CLI_INIT(argc_, argv_, cmd_, syn_, desc_, opts_)                                        \
	{                                                                                          \
		(argc_), (argv_), (cmd_), (syn_), (desc_), (opts_), 1, 0, 1, 1                     \
	}

/* Long-only options come back as PG_CLI_LONG(index in table). */
#define PG_CLI_LONG(i) (256 + (i))

int pg_cli_next(struct pg_cli *cli, const char **arg);
void pg_cli_help(const struct pg_cli *cli, FILE *out);

/* Print "perfgate CMD: MSG" plus "Try 'perfgate CMD --help'." to stderr; MSG is cut
 * at 400 bytes and its control characters are escaped (\xNN): it quotes argv. */
void pg_cli_usage_error(const struct pg_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
