#include "cli.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Usage errors quote argv, which may be 10 k of junk or a terminal escape:
 * the message is cut at a bound and its control bytes are shown as \xNN. */
#define USAGE_MSG_MAX 400

void pg_cli_usage_error(const struct pg_cli *cli, const char *fmt, ...)
{
	char msg[USAGE_MSG_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "perfgate %s: ", cli->command);
	for (const char *p = msg; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	if (n > USAGE_MSG_MAX)
		fprintf(stderr, "... (%d bytes)", n);
	fprintf(stderr, "\nTry 'perfgate %s --help'.\n", cli->command);
}

void pg_cli_help(const struct pg_cli *cli, FILE *out)
{
	const struct pg_opt *o;

	fprintf(out, "usage: perfgate %s %s\n\n", cli->command, cli->synopsis);
	if (cli->description && *cli->description)
		fprintf(out, "%s\n\n", cli->description);
	fprintf(out, "options:\n");
	for (o = cli->opts; o && (o->short_name || o->long_name); o++) {
		char left[128];
		int n = 0;

		if (o->short_name)
			n += snprintf(left + n, sizeof(left) - (size_t)n, "-%c, ", o->short_name);
		else
			n += snprintf(left + n, sizeof(left) - (size_t)n, "    ");
		n += snprintf(left + n, sizeof(left) - (size_t)n, "--%s", o->long_name);
		if (o->arg)
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
		fprintf(out, "  %-26s %s\n", left, o->help);
	}
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help and exit");
}

static int find_short(const struct pg_cli *cli, int c)
{
	int i;

	for (i = 0; cli->opts && (cli->opts[i].short_name || cli->opts[i].long_name); i++)
		if (cli->opts[i].short_name == c)
			return i;
	return -1;
}

static int result_of(const struct pg_cli *cli, int i)
{
	return cli->opts[i].short_name ? cli->opts[i].short_name : PG_CLI_LONG(i);
}

static bool is_option(const char *a)
{
	return a[0] == '-' && a[1] != '\0';
}

static void reverse(char **v, int n)
{
	int i;

	for (i = 0; i < n / 2; i++) {
		char *t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

/* The positionals skipped so far, argv[first_nonopt .. last_nonopt), swap
 * places with the options parsed since, argv[last_nonopt .. optind), both
 * keeping their order (GNU getopt's exchange, done by three reversals). */
static void exchange(struct pg_cli *cli)
{
	char **v = cli->argv + cli->first_nonopt;
	int a = cli->last_nonopt - cli->first_nonopt, b = cli->optind - cli->last_nonopt;

	reverse(v, a);
	reverse(v + a, b);
	reverse(v, a + b);
	cli->first_nonopt += b;
	cli->last_nonopt = cli->optind;
}

int pg_cli_next(struct pg_cli *cli, const char **arg)
{
	const char *a;
	int i;

	*arg = NULL;
	if (cli->nextchar) {
		a = cli->argv[cli->optind];
		goto bundle;
	}
	/* Permute as GNU getopt does: positionals are skipped and, once the
	 * options after them are parsed, moved behind those options. */
	if (cli->last_nonopt > cli->optind)
		cli->last_nonopt = cli->optind;
	if (cli->first_nonopt > cli->optind)
		cli->first_nonopt = cli->optind;
	if (cli->first_nonopt != cli->last_nonopt && cli->last_nonopt != cli->optind)
		exchange(cli);
	else if (cli->last_nonopt != cli->optind)
		cli->first_nonopt = cli->optind;
	while (cli->optind < cli->argc && !is_option(cli->argv[cli->optind]))
		cli->optind++;
	cli->last_nonopt = cli->optind;
	if (cli->optind < cli->argc && !strcmp(cli->argv[cli->optind], "--")) {
		/* "--" ends the options: it goes in front of the positionals and is skipped */
		cli->optind++;
		if (cli->first_nonopt != cli->last_nonopt && cli->last_nonopt != cli->optind)
			exchange(cli);
		else if (cli->first_nonopt == cli->last_nonopt)
			cli->first_nonopt = cli->optind;
		cli->last_nonopt = cli->argc;
		cli->optind = cli->argc;
	}
	if (cli->optind >= cli->argc) {
		if (cli->first_nonopt != cli->last_nonopt)
			cli->optind = cli->first_nonopt;
		return -1;
	}
	a = cli->argv[cli->optind];
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);

		cli->optind++;
		if (len == 4 && !strncmp(name, "help", 4)) {
			pg_cli_help(cli, stdout);
			return 'h';
		}
		for (i = 0; cli->opts && (cli->opts[i].short_name || cli->opts[i].long_name); i++) {
			const struct pg_opt *o = &cli->opts[i];
			if (strlen(o->long_name) != len || strncmp(o->long_name, name, len))
				continue;
			if (!o->arg) {
				if (eq) {
					pg_cli_usage_error(cli, "option '--%s' takes no argument",
							   o->long_name);
					return '?';
				}
				return result_of(cli, i);
			}
			if (eq) {
				*arg = eq + 1;
			} else if (cli->optind < cli->argc) {
				*arg = cli->argv[cli->optind++];
			} else {
				pg_cli_usage_error(cli, "option '--%s' needs %s", o->long_name,
						   o->arg);
				return '?';
			}
			return result_of(cli, i);
		}
		pg_cli_usage_error(cli, "unknown option '--%.*s'", (int)len, name);
		return '?';
	}
	cli->nextchar = 1;
bundle : {
	int c = (unsigned char)a[cli->nextchar++];
	int at_end = a[cli->nextchar] == '\0';

	if (c == 'h') {
		cli->nextchar = 0;
		cli->optind++;
		pg_cli_help(cli, stdout);
		return 'h';
	}
	i = find_short(cli, c);
	if (i < 0) {
		cli->nextchar = 0;
		cli->optind++;
		pg_cli_usage_error(cli, "unknown option '-%c'", c);
		return '?';
	}
	if (cli->opts[i].arg) {
		int pos = cli->nextchar;

		cli->nextchar = 0;
		cli->optind++;
		if (!at_end) {
			*arg = a + pos;
		} else if (cli->optind < cli->argc) {
			*arg = cli->argv[cli->optind++];
		} else {
			pg_cli_usage_error(cli, "option '-%c' needs %s", c, cli->opts[i].arg);
			return '?';
		}
		return c;
	}
	if (at_end) {
		cli->nextchar = 0;
		cli->optind++;
	}
	return c;
}
}
