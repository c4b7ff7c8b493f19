/*
 * perfgate flamegraph FILE -o out.svg: one profile as an SVG flame graph.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "prof_read.h"
#include "report_svg.h"
#include "util.h"

static const struct pg_opt opts[] = {
	{ 'o', "output", "FILE", "write the SVG to FILE (required; '-' for stdout)" },
	{ 0, "title", "T", "title drawn at the top (default: the input's name)" },
	{ 0, "format", "FMT", "input format: auto (default), folded, perf-script, cpuprofile, pprof, speedscope, callgrind" },
	{ 0 },
};

int cmd_flamegraph(int argc, char **argv)
{
	struct pg_cli cli = PG_CLI_INIT(argc, argv, "flamegraph", "FILE -o OUT.svg [--title T]",
		"Draw a profile (any supported format) as a self-contained SVG flame graph:\n"
		"click a frame to zoom, Ctrl-F or Search to highlight frames matching a regex.", opts);
	struct pg_err err = PG_ERR_INIT;
	struct pg_prof p;
	struct pg_buf svg = PG_BUF_INIT;
	enum pg_prof_format fmt = PG_PROF_FMT_AUTO;
	const char *out = NULL, *title = NULL, *arg;
	char **pos;
	size_t nr_pos;
	int c, ret = PG_EXIT_USAGE;
	bool read = false;

	while ((c = pg_cli_next(&cli, &arg)) != -1) {
		switch (c) {
		case 'o':
			out = arg;
			break;
		case PG_CLI_LONG(1):
			title = arg;
			break;
		case PG_CLI_LONG(2):
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
	if (nr_pos != 1) {
		pg_cli_usage_error(&cli, "wants one profile FILE");
		goto done;
	}
	if (!out) {
		pg_cli_usage_error(&cli, "wants -o OUT.svg");
		goto done;
	}
	read = true;
	if (pg_prof_read_file(&p, pos[0], fmt, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	if (p.total <= 0) {
		pg_err_set(&err, PG_ERR_INFRA, "%s: no samples (missing -g? perf_event_paranoid?)",
			   pos[0]);
		ret = pg_fail(&err);
		goto done;
	}
	pg_svg_flamegraph(&svg, &p, title ? title : pos[0]);
	if (pg_file_write(out, svg.data, svg.len, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	ret = PG_EXIT_OK;
done:
	if (read)
		pg_prof_release(&p);
	pg_buf_release(&svg);
	return ret;
}
