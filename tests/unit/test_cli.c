/* cli: the option parser, table-driven: options before, between and after
 * positional arguments (GNU getopt's permutation), "--", a lone "-",
 * bundles, attached and separate arguments, and the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "util.h"

static const struct pg_opt opts[] = {
    {'o', "output", "FILE", "output"},	   {'v', "verbose", NULL, "verbose"},
    {'x', "extra", NULL, "extra"},	   {0, "json", "FILE", "json"},
    {0, "flag", NULL, "a long-only flag"}, {0},
};

struct cli_case {
	const char *args; /* space-separated, after the command name */
	const char *want; /* options seen, "o=ARG v x json=ARG flag", then "| POS POS" */
	int last;	  /* what ended the parse: -1, or '?' / 'h' */
};

static const struct cli_case cases[] = {
    {"a b", "| a b", -1},
    {"-v a", "v | a", -1},
    {"a -v", "v | a", -1},
    {"a -o out b", "o=out | a b", -1},
    {"a b --json j.json", "json=j.json | a b", -1},
    {"a --json=j.json b -v", "json=j.json v | a b", -1},
    {"-vx a", "v x | a", -1},
    {"a -xvo out", "x v o=out | a", -1},
    {"a -oout", "o=out | a", -1},
    {"a -o -v b", "o=-v | a b", -1}, /* an option's argument may start with '-' */
    {"a --output --flag", "o=--flag | a", -1},
    {"a -- -v b", "| a -v b", -1}, /* "--" ends the options */
    {"-- a -v", "| a -v", -1},
    {"-v -- --", "v | --", -1},
    {"- -v", "v | -", -1}, /* a lone "-" is positional */
    {"a - b --flag", "flag | a - b", -1},
    {"a b c --flag d", "flag | a b c d", -1},
    {"a --nope", "", '?'},
    {"a -q", "", '?'},
    {"a -o", "", '?'}, /* missing argument */
    {"a --json", "", '?'},
    {"a --flag=1", "", '?'},
    {"a --help", "", 'h'},
    {"a -vh", "v", 'h'},
    {"", "|", -1},
};

static void run_case(const struct cli_case *c)
{
	char *copy = pg_xstrdup(c->args), *tok, *save = NULL;
	char *argv[32];
	int argc = 0, r;
	struct pg_buf got = PG_BUF_INIT;
	const char *arg;

	argv[argc++] = "test";
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	{
		struct pg_cli cli = PG_CLI_INIT(argc, argv, "test", "[options] ARGS", "", opts);
		while ((r = pg_cli_next(&cli, &arg)) != -1 && r != '?' && r != 'h') {
			if (got.len)
				pg_buf_addc(&got, ' ');
			if (r == PG_CLI_LONG(3))
				pg_buf_addf(&got, "json=%s", arg);
			else if (r == PG_CLI_LONG(4))
				pg_buf_adds(&got, "flag");
			else if (arg)
				pg_buf_addf(&got, "%c=%s", r, arg);
			else
				pg_buf_addf(&got, "%c", r);
		}
		if (r == -1) {
			int i;

			pg_buf_adds(&got, got.len ? " |" : "|");
			for (i = cli.optind; i < cli.argc; i++)
				pg_buf_addf(&got, " %s", cli.argv[i]);
		}
	}
	if (r != c->last || strcmp(pg_buf_cstr(&got), c->want))
		fail_msg("'%s': got '%s' ending %d, want '%s' ending %d", c->args,
			 pg_buf_cstr(&got), r, c->want, c->last);
	pg_buf_release(&got);
	free(copy);
}

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PG_ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
}

/* The positionals keep their order and every element survives the permutation. */
static void test_permutation_keeps_elements(void **state)
{
	char *argv[] = {"test", "p1", "-v", "p2", "--output", "o", "p3", "-x", "p4", NULL};
	struct pg_cli cli = PG_CLI_INIT(9, argv, "test", "", "", opts);
	const char *arg;
	int r, n = 0;

	(void)state;
	while ((r = pg_cli_next(&cli, &arg)) != -1) {
		assert_true(r == 'v' || r == 'o' || r == 'x');
		if (r == 'o')
			assert_string_equal(arg, "o");
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(cli.argc - cli.optind, 4);
	assert_string_equal(argv[cli.optind], "p1");
	assert_string_equal(argv[cli.optind + 1], "p2");
	assert_string_equal(argv[cli.optind + 2], "p3");
	assert_string_equal(argv[cli.optind + 3], "p4");
	/* a second call after the end stays at the end */
	assert_int_equal(pg_cli_next(&cli, &arg), -1);
	assert_int_equal(cli.argc - cli.optind, 4);
}

static void test_help_lists_options(void **state)
{
	char *argv[] = {"test", NULL};
	struct pg_cli cli = PG_CLI_INIT(1, argv, "test", "[options] ARGS", "What it does.", opts);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	pg_cli_help(&cli, f);
	fclose(f);
	assert_non_null(strstr(text, "usage: perfgate test [options] ARGS"));
	assert_non_null(strstr(text, "-o, --output FILE"));
	assert_non_null(strstr(text, "    --json FILE"));
	assert_non_null(strstr(text, "-h, --help"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_permutation_keeps_elements),
	    cmocka_unit_test(test_help_lists_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
