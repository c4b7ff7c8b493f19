/*
 * perfgate profile: capture a CPU profile of one benchmark at one revision,
 * as folded stacks and a flame graph.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib.h"
#include "cli.h"
#include "cmd.h"
#include "git.h"
#include "profile.h"
#include "prof.h"
#include "report_svg.h"
#include "util.h"

static const struct pg_opt opts[] = {
	{ 'c', "config", "FILE", "the config (default perfgate.yml)" },
	{ 'b', "bench", "NAME", "the benchmark to profile" },
	{ 0, "cmd", "CMD", "profile this command instead of a configured benchmark" },
	{ 0, "rev", "REV", "profile this revision, checked out in a private worktree" },
	{ 'o', "output", "FILE", "folded stacks to FILE (default NAME.folded); the SVG goes beside it" },
	{ 0, "profiler", "P", "perf (default) or callgrind" },
	{ 0, "call-graph", "CG", "dwarf (default) or fp (frame pointers)" },
	{ 0, "runs", "N", "benchmark runs to record (default 1)" },
	{ 0, "frequency", "HZ", "perf sampling frequency (default 999)" },
	{ 0, "timeout", "SECONDS", "per run (default 600)" },
	{ 0 },
};

static int next_opt(struct pg_cli *cli, const char **arg, size_t *nr_pos)
{
	for (;;) {
		const char *a;

		if (cli->nextchar)
			return pg_cli_next(cli, arg);
		if (cli->optind >= cli->argc)
			return -1;
		a = cli->argv[cli->optind];
		if (a[0] != '-' || a[1] == '\0' || !strcmp(a, "--")) {
			(*nr_pos)++;
			cli->optind++;
			continue;
		}
		return pg_cli_next(cli, arg);
	}
}

static int parse_uint(const struct pg_cli *cli, const char *opt, const char *arg, unsigned max,
		      unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || arg[0] == '-' || v < 1 || v > max) {
		pg_cli_usage_error(cli, "%s wants a whole number from 1 to %u, not '%s'", opt, max, arg);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int cmd_profile(int argc, char **argv)
{
	struct pg_cli cli = PG_CLI_INIT(argc, argv, "profile", "[-c FILE] [-b NAME | --cmd CMD] [options]",
		"Run one benchmark under perf (cpu-clock, DWARF call graphs by default) or\n"
		"valgrind's callgrind, and write its folded stacks and an SVG flame graph.\n"
		"Exit 4 when the profiler is not permitted or records nothing: never a verdict.", opts);
	struct pg_err err = PG_ERR_INIT;
	struct pg_profile_opts po = PG_PROFILE_OPTS_INIT;
	struct pg_prof p;
	struct pg_attrib at;
	struct pg_buf folded = PG_BUF_INIT, svg = PG_BUF_INIT;
	struct pg_git *g = NULL;
	const char *config = NULL, *bench = NULL, *cmd = NULL, *rev = NULL, *out = NULL, *arg;
	char *out_owned = NULL, *svg_path = NULL, *wt = NULL, scratch[4096] = "";
	unsigned timeout_s = 600;
	size_t nr_pos = 0, i;
	int c, ret = PG_EXIT_USAGE;
	bool captured = false, compared = false;

	memset(&p, 0, sizeof(p));
	while ((c = next_opt(&cli, &arg, &nr_pos)) != -1) {
		switch (c) {
		case 'c':
			config = arg;
			break;
		case 'b':
			bench = arg;
			break;
		case PG_CLI_LONG(2):
			cmd = arg;
			break;
		case PG_CLI_LONG(3):
			rev = arg;
			break;
		case 'o':
			out = arg;
			break;
		case PG_CLI_LONG(5):
			if (pg_profile_profiler_parse(arg, &po.profiler) < 0) {
				pg_cli_usage_error(&cli, "unknown profiler '%s' (perf or callgrind)", arg);
				goto done;
			}
			break;
		case PG_CLI_LONG(6):
			if (pg_profile_call_graph_parse(arg, &po.call_graph) < 0) {
				pg_cli_usage_error(&cli, "unknown call graph '%s' (dwarf or fp)", arg);
				goto done;
			}
			break;
		case PG_CLI_LONG(7):
			if (parse_uint(&cli, "--runs", arg, 1000, &po.runs) < 0)
				goto done;
			break;
		case PG_CLI_LONG(8):
			if (parse_uint(&cli, "--frequency", arg, 100000, &po.frequency_hz) < 0)
				goto done;
			break;
		case PG_CLI_LONG(9):
			if (parse_uint(&cli, "--timeout", arg, 86400, &timeout_s) < 0)
				goto done;
			break;
		case 'h':
			ret = PG_EXIT_OK;
			goto done;
		default:
			goto done;
		}
	}
	if (nr_pos) {
		pg_cli_usage_error(&cli, "takes no positional arguments");
		goto done;
	}
	if (!cmd) {
		/* The config module (perfgate.yml -> benchmarks) is another helper's: until
		 * it is merged, only --cmd can say what to run. */
		pg_err_set(&err, PG_ERR_USAGE,
			   "profile -c %s -b %s: reading benchmarks from the config is not built yet "
			   "(issue \"Profiles\", needs the config module); use --cmd CMD",
			   config ? config : "perfgate.yml", bench ? bench : "NAME");
		ret = pg_fail(&err);
		goto done;
	}
	if (!bench)
		bench = "profile";
	if (!out) {
		char *slug = pg_str_slug(bench);
		out = out_owned = pg_xasprintf("%s.folded", slug);
		free(slug);
	}
	if (pg_str_endswith(out, ".folded"))
		svg_path = pg_xasprintf("%.*s.svg", (int)(strlen(out) - 7), out);
	else
		svg_path = pg_xasprintf("%s.svg", out);

	if (rev) {
		char oid[PG_OID_HEX], shortid[8];
		if (pg_git_open(&g, ".", &err) < 0 || pg_git_resolve(g, rev, oid, &err) < 0 ||
		    pg_git_worktree_checkout(g, "profile", oid, &wt, &err) < 0) {
			pg_err_prefix(&err, "profile --rev %s", rev);
			ret = pg_fail(&err);
			goto done;
		}
		fprintf(stderr, "perfgate: profiling %s in %s\n", pg_git_short(oid, shortid), wt);
		po.cwd = wt;
	}

	snprintf(scratch, sizeof(scratch), "%s/perfgate-profile.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(scratch)) {
		pg_err_set(&err, PG_ERR_INFRA, "cannot make a scratch directory under %s (TMPDIR): %s",
			   getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(errno));
		scratch[0] = '\0';
		ret = pg_fail(&err);
		goto done;
	}
	po.cmd = cmd;
	po.scratch_dir = scratch;
	po.timeout_ns = (uint64_t)timeout_s * 1000000000ull;
	captured = true;
	if (pg_profile_capture(&p, &po, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	pg_prof_write_folded(&p, &folded);
	pg_svg_flamegraph(&svg, &p, bench);
	if (pg_file_write(out, folded.data, folded.len, &err) < 0 ||
	    pg_file_write(svg_path, svg.data, svg.len, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	compared = true;
	if (pg_attrib_compare(&at, &p, &p, NULL, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	printf("profile: %s (%s, %.0f run%s, total ", out,
	       po.profiler == PG_PROFILER_CALLGRIND ? "callgrind" : "perf", p.runs,
	       p.runs == 1 ? "" : "s");
	{
		struct pg_buf t = PG_BUF_INIT;
		pg_svg_format_cost(&t, at.total_after, at.unit);
		printf("%s per run)\nflame graph: %s\nhot leaves:\n", pg_buf_cstr(&t), svg_path);
		for (i = 0; i < at.nr_top_after; i++) {
			pg_buf_reset(&t);
			pg_text_visible(&t, at.top_after[i].name);
			printf("  %5.1f%%  %s\n", at.top_after[i].share * 100, pg_buf_cstr(&t));
		}
		if (at.nr_top_after) {
			pg_buf_reset(&t);
			pg_text_visible(&t, at.top_after[0].name);
			printf("hottest: %s\n", pg_buf_cstr(&t));
		}
		pg_buf_release(&t);
	}
	ret = PG_EXIT_OK;
done:
	if (compared)
		pg_attrib_release(&at);
	if (captured)
		pg_prof_release(&p);
	if (scratch[0])
		rmdir(scratch);
	pg_git_free(g);
	free(wt);
	free(out_owned);
	free(svg_path);
	pg_buf_release(&folded);
	pg_buf_release(&svg);
	return ret;
}
