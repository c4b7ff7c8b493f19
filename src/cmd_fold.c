/*
 * perfgate fold: a profile (perf script text by default) -> folded stacks.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "prof.h"
#include "prof_read.h"

static const struct pg_opt opts[] = {
	[0] = { 'o', "output", "FILE", "write the folded stacks to FILE (atomically) instead of stdout" },
	[1] = { 0, "event", "NAME", "perf script: fold only samples of event NAME (default: the first seen)" },
	[2] = { 0, "pid", NULL, "perf script: root frame 'comm-PID' instead of 'comm'" },
	[3] = { 0, "tid", NULL, "perf script: root frame 'comm-PID/TID'" },
	[4] = { 0, "from", "FORMAT", "input format: perf-script (default), folded, cpuprofile, pprof, "
				     "speedscope, callgrind or auto (detect)" },
	[5] = { 0, "no-header", NULL, "omit the '# perfgate: unit=... runs=...' first line" },
	{ 0 } };

static const char description[] =
	"Fold a profile into FlameGraph's folded stacks ('root;...;leaf WEIGHT' per line,\n"
	"lines sorted), reading FILE or standard input ('-' or no FILE).\n"
	"By default the input is perf script text, e.g. from\n"
	"  perf script -F comm,pid,tid,time,period,event,ip,sym,dso,symoff\n"
	"read as a stream (memory bounded by the distinct stacks, not the input size),\n"
	"with stackcollapse-perf.pl's conventions: comm as root frame, offsets stripped,\n"
	"[unknown] symbols named after their module ([libc.so.6]), kernel frames _[k],\n"
	"JIT frames _[j], weight = the period when perf printed one, else 1 per sample.\n"
	"With --from, any supported profile format is folded the same way.\n"
	"The first line is a comment keeping what folded text cannot say, e.g.\n"
	"  # perfgate: unit=ns runs=1 event=cpu-clock\n"
	"(the cost unit, ns per sample when known, the benchmark runs covered), read back\n"
	"by perfgate diff and flamegraph; flamegraph.pl and speedscope skip it (it has no\n"
	"trailing count). --no-header leaves it out.\n"
	"Warnings (several events, truncated input, caps) go to standard error.\n"
	"Exit codes: 0 done (also with no samples: a warning says so), 2 unreadable or\n"
	"malformed input or bad arguments, 4 I/O error.";

int cmd_fold(int argc, char **argv)
{
	struct pg_cli cli = PG_CLI_INIT(argc, argv, "fold", "[FILE|-] [-o FILE] [--event NAME] "
					"[--pid] [--tid] [--from FORMAT] [--no-header]", description, opts);
	struct pg_prof_read_opts ro = { 0 };
	struct pg_prof_warnings warn = { 0 };
	enum pg_prof_format fmt = PG_PROF_FMT_PERF_SCRIPT;
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf out = PG_BUF_INIT;
	const char *output = "-", *input = "-", *arg;
	struct pg_prof p;
	bool loaded = false, header = true;
	int c, ret;
	unsigned i;

	while ((c = pg_cli_next(&cli, &arg)) != -1) {
		switch (c) {
		case 'o':
			output = arg;
			break;
		case PG_CLI_LONG(1):
			ro.event = arg;
			break;
		case PG_CLI_LONG(2):
			ro.pid = true;
			break;
		case PG_CLI_LONG(3):
			ro.tid = true;
			break;
		case PG_CLI_LONG(4):
			if (pg_prof_format_parse(arg, &fmt) < 0) {
				pg_cli_usage_error(&cli, "unknown format '%s'", arg);
				return PG_EXIT_USAGE;
			}
			break;
		case PG_CLI_LONG(5):
			header = false;
			break;
		case 'h':
			return PG_EXIT_OK;
		default:
			return PG_EXIT_USAGE;
		}
	}
	if (cli.argc - cli.optind > 1) {
		pg_cli_usage_error(&cli, "one input file at most");
		return PG_EXIT_USAGE;
	}
	if (cli.optind < cli.argc)
		input = cli.argv[cli.optind];

	ret = pg_prof_read_file_ex(&p, input, fmt, &ro, &warn, &err);
	loaded = true;
	for (i = 0; i < warn.n; i++)
		fprintf(stderr, "perfgate fold: warning: %s\n", warn.msg[i]);
	if (warn.dropped)
		fprintf(stderr, "perfgate fold: warning: %u more warnings\n", warn.dropped);
	if (ret < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	if (header)
		pg_prof_write_folded_header(&p, &out);
	pg_prof_write_folded(&p, &out);
	if (pg_file_write(output, out.data ? out.data : "", out.len, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	ret = PG_EXIT_OK;
done:
	if (loaded)
		pg_prof_release(&p);
	pg_buf_release(&out);
	return ret;
}
