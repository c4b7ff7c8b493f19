/*
 * perfgate diff A B: compare two profiles and name the function responsible.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "cli.h"
#include "cmd.h"
#include "prof_read.h"
#include "report_attrib.h"
#include "report_svg.h"
#include "util.h"

#define TOUCHED_MAX_BYTES (1024 * 1024)
#define TOUCHED_MAX_NAMES 10000

static const struct pg_opt opts[] = {
	{ 'j', "json", "FILE", "write the attribution as JSON to FILE ('-' for stdout)" },
	{ 0, "svg", "FILE", "write a differential flame graph (SVG) to FILE" },
	{ 't', "touched", "F1,F2", "functions the change touched (marked in the ranking)" },
	{ 0, "touched-file", "FILE", "read touched function names from FILE, one a line" },
	{ 'n', "top", "N", "rows in each ranking (default 10)" },
	{ 0, "runs-a", "N", "benchmark runs that profile A covers (default: as recorded, or 1)" },
	{ 0, "runs-b", "N", "benchmark runs that profile B covers" },
	{ 0, "frame-pointers", NULL, "the profiles were unwound with frame pointers: restore the callers of frameless leaves" },
	{ 0, "format", "FMT", "input format: auto (default), folded, perf-script, cpuprofile, pprof, speedscope, callgrind" },
	{ 0 },
};

static int parse_count(const struct pg_cli *cli, const char *opt, const char *arg, double *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 1 || v > 1000000) {
		pg_cli_usage_error(cli, "%s wants a whole number from 1 to 1000000, not '%s'", opt, arg);
		return -1;
	}
	*out = (double)v;
	return 0;
}

static void add_names(char ***names, size_t *n, size_t *alloc, const char *s, size_t len)
{
	while (len && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	if (!len || *n >= TOUCHED_MAX_NAMES)
		return;
	PG_GROW(*names, *n + 1, *alloc);
	(*names)[(*n)++] = pg_xstrndup(s, len);
}

static void split_names(char ***names, size_t *n, size_t *alloc, const char *s, char sep)
{
	while (*s) {
		const char *e = strchr(s, sep);
		size_t len = e ? (size_t)(e - s) : strlen(s);
		add_names(names, n, alloc, s, len);
		s += len;
		if (*s)
			s++;
	}
}

int cmd_diff(int argc, char **argv)
{
	struct pg_cli cli = PG_CLI_INIT(argc, argv, "diff", "A B [options]",
		"Compare two profiles (any supported format) as cost per benchmark run: functions\n"
		"ranked by the change in self and in inclusive cost, the function most responsible,\n"
		"the class of its hot path and the next step, and a differential flame graph.\n"
		"Exit 0 when compared; 2 for bad arguments, unreadable or incomparable profiles.", opts);
	struct pg_err err = PG_ERR_INIT;
	struct pg_prof a, b;
	struct pg_attrib at;
	struct pg_attrib_opts ao = PG_ATTRIB_OPTS_INIT;
	struct pg_buf text = PG_BUF_INIT, svg = PG_BUF_INIT, tf = PG_BUF_INIT;
	enum pg_prof_format fmt = PG_PROF_FMT_AUTO;
	const char *json_path = NULL, *svg_path = NULL, *touched_file = NULL, *arg;
	char **touched = NULL, *json = NULL;
	size_t nr_touched = 0, alloc_touched = 0, top = 10, i;
	double runs_a = 0, runs_b = 0;
	char **pos;
	size_t nr_pos;
	int c, ret = PG_EXIT_USAGE;
	bool read_a = false, read_b = false, compared = false;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&at, 0, sizeof(at));
	while ((c = pg_cli_next(&cli, &arg)) != -1) {
		switch (c) {
		case 'j':
			json_path = arg;
			break;
		case PG_CLI_LONG(1):
			svg_path = arg;
			break;
		case 't':
			split_names(&touched, &nr_touched, &alloc_touched, arg, ',');
			break;
		case PG_CLI_LONG(3):
			touched_file = arg;
			break;
		case 'n': {
			double v;
			if (parse_count(&cli, "--top", arg, &v) < 0)
				goto done;
			top = (size_t)v;
			break;
		}
		case PG_CLI_LONG(5):
			if (parse_count(&cli, "--runs-a", arg, &runs_a) < 0)
				goto done;
			break;
		case PG_CLI_LONG(6):
			if (parse_count(&cli, "--runs-b", arg, &runs_b) < 0)
				goto done;
			break;
		case PG_CLI_LONG(7):
			ao.frame_pointers = true;
			break;
		case PG_CLI_LONG(8):
			if (pg_prof_format_parse(arg, &fmt) < 0) {
				pg_cli_usage_error(&cli, "unknown profile format '%s'", arg);
				goto done;
			}
			break;
		case 'h':
			ret = PG_EXIT_OK;
			goto done;
		default:
			goto done;
		}
	}
	pos = cli.argv + cli.optind;
	nr_pos = (size_t)(cli.argc - cli.optind);
	if (nr_pos != 2) {
		pg_cli_usage_error(&cli, "wants two profiles, A (before) and B (after)");
		goto done;
	}
	if (touched_file) {
		if (pg_file_read(touched_file, TOUCHED_MAX_BYTES, &tf, &err) < 0) {
			err.kind = PG_ERR_USAGE;
			ret = pg_fail(&err);
			goto done;
		}
		split_names(&touched, &nr_touched, &alloc_touched, pg_buf_cstr(&tf), '\n');
	}

	read_a = true;
	if (pg_prof_read_file(&a, pos[0], fmt, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	read_b = true;
	if (pg_prof_read_file(&b, pos[1], fmt, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	if (runs_a > 0)
		a.runs = runs_a;
	if (runs_b > 0)
		b.runs = runs_b;

	ao.touched = (const char *const *)touched;
	ao.nr_touched = nr_touched;
	compared = true;
	if (pg_attrib_compare(&at, &a, &b, &ao, &err) < 0) {
		pg_err_prefix(&err, "diff %s %s", pos[0], pos[1]);
		ret = pg_fail(&err);
		goto done;
	}

	if (svg_path) {
		char *title = pg_xasprintf("%s -> %s", pos[0], pos[1]);
		int r = pg_svg_diff(&svg, &a, &b, title, &err);
		free(title);
		if (r < 0 || pg_file_write(svg_path, svg.data, svg.len, &err) < 0) {
			ret = pg_fail(&err);
			goto done;
		}
	}
	if (json_path) {
		json = pg_report_attrib_json(&at, pos[0], pos[1]);
		if (pg_file_write(json_path, json, strlen(json), &err) < 0) {
			ret = pg_fail(&err);
			goto done;
		}
	}
	if (!json_path || strcmp(json_path, "-")) {
		pg_report_attrib_text(&text, &at, top, pos[0], pos[1]);
		fputs(pg_buf_cstr(&text), stdout);
	}
	ret = PG_EXIT_OK;
done:
	if (compared)
		pg_attrib_release(&at);
	if (read_a)
		pg_prof_release(&a);
	if (read_b)
		pg_prof_release(&b);
	for (i = 0; i < nr_touched; i++)
		free(touched[i]);
	free(touched);
	free(json);
	pg_buf_release(&text);
	pg_buf_release(&svg);
	pg_buf_release(&tf);
	return ret;
}
