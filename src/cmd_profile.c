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
#include "build.h"
#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "git.h"
#include "prof.h"
#include "profile.h"
#include "report_svg.h"
#include "sig.h"
#include "util.h"

/* callgrind runs a program 20-100 times slower than it runs natively: the
 * benchmark's own timeout is stretched by this much under it. */
#define CALLGRIND_SLOWDOWN 50

static const struct pg_opt opts[] = {
    {'c', "config", "FILE", "the config (default perfgate.yml)"},
    {'b', "bench", "NAME", "the benchmark to profile (default: the config's only one)"},
    {0, "cmd", "CMD", "profile this command instead of a configured benchmark"},
    {0, "rev", "REV", "profile this revision, built and run in a private worktree"},
    {'o', "output", "FILE", "folded stacks to FILE (default NAME.folded); the SVG goes beside it"},
    {0, "profiler", "P", "perf or callgrind (default: the config's profile.profiler, perf)"},
    {0, "call-graph", "CG", "dwarf, fp (frame pointers) or none (default: the config's, dwarf)"},
    {0, "runs", "N", "benchmark runs to record (default 1)"},
    {0, "frequency", "HZ", "perf sampling frequency (default: the config's, 999)"},
    {0, "timeout", "SECONDS", "per run (default: the benchmark's; 600 with --cmd)"},
    {0, "no-build", NULL, "with --rev: do not run the config's build command"},
    {0},
};

static const char description[] =
    "Run one benchmark under perf (cpu-clock, DWARF call graphs by default) or valgrind's\n"
    "callgrind, and write its folded stacks and an SVG flame graph.\n"
    "\n"
    "The benchmark (-b NAME) comes from the config: its run command, cwd, env and timeout\n"
    "(stretched 50x under callgrind), and the config's profile: section (profiler,\n"
    "frequency, call_graph), which the options above override. --cmd CMD profiles a\n"
    "command instead (the config is then read only when -c names it).\n"
    "\n"
    "Without --rev the benchmark runs in the current directory as it is, unbuilt. With\n"
    "--rev REV, REV is checked out into a private worktree under the git directory\n"
    "(<gitdir>/perfgate/worktrees/profile; the checkout, index and branch are never\n"
    "touched), the config's build command runs there, then the benchmark. The config\n"
    "itself is the one in the current directory, so that every revision is profiled the\n"
    "same way, as bisect does.\n"
    "\n"
    "The folded file starts with a '# perfgate: unit=ns runs=N' line, so that perfgate\n"
    "diff compares written profiles as time per run.\n"
    "Exit codes: 0 profiled; 2 usage or config error, unknown benchmark or revision;\n"
    "4 the build failed, the profiler is not permitted or recorded nothing (never a\n"
    "verdict); 130/143 interrupted.";

static int parse_uint(const struct pg_cli *cli, const char *opt, const char *arg, unsigned max,
		      unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || arg[0] == '-' || v < 1 || v > max) {
		pg_cli_usage_error(cli, "%s wants a whole number from 1 to %u, not '%s'", opt, max,
				   arg);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* The benchmark named name, or the config's only one when name is NULL. */
static int pick_bench(const struct pg_config *cfg, const char *name,
		      const struct pg_bench_cfg **out, struct pg_err *err)
{
	struct pg_buf names = PG_BUF_INIT;
	size_t i;

	if (name)
		return pg_config_find_bench(cfg, name, NULL, out, err);
	if (cfg->nr_benches == 1) {
		*out = &cfg->benches[0];
		return 0;
	}
	for (i = 0; i < cfg->nr_benches && i < 10; i++)
		pg_buf_addf(&names, "%s'%s'", i ? ", " : "", cfg->benches[i].name);
	pg_err_set(err, PG_ERR_USAGE, "%s has %zu benchmarks: say which with -b NAME (%s%s)",
		   cfg->path, cfg->nr_benches, pg_buf_cstr(&names),
		   cfg->nr_benches > 10 ? ", ..." : "");
	pg_buf_release(&names);
	return -1;
}

static int fail(struct pg_err *err)
{
	int code = pg_fail(err);

	if (err->kind == PG_ERR_INTERRUPTED && pg_sig_exit_code())
		return pg_sig_exit_code();
	return code;
}

static void print_summary(const char *out, const char *svg_path, const struct pg_prof *p,
			  const struct pg_attrib *at, enum pg_profiler profiler)
{
	struct pg_buf t = PG_BUF_INIT;
	size_t i;

	pg_svg_format_cost(&t, at->total_after, at->unit);
	printf("profile: %s (%s, %.0f run%s, total %s per run)\nflame graph: %s\nhot leaves:\n",
	       out, profiler == PG_PROFILER_CALLGRIND ? "callgrind" : "perf", p->runs,
	       p->runs == 1 ? "" : "s", pg_buf_cstr(&t), svg_path);
	for (i = 0; i < at->nr_top_after; i++) {
		pg_buf_reset(&t);
		pg_text_visible(&t, at->top_after[i].name);
		printf("  %5.1f%%  %s\n", at->top_after[i].share * 100, pg_buf_cstr(&t));
	}
	if (at->nr_top_after) {
		pg_buf_reset(&t);
		pg_text_visible(&t, at->top_after[0].name);
		printf("hottest: %s\n", pg_buf_cstr(&t));
	}
	pg_buf_release(&t);
}

int cmd_profile(int argc, char **argv)
{
	struct pg_cli cli = PG_CLI_INIT(
	    argc, argv, "profile",
	    "[-c FILE] [-b NAME | --cmd CMD] [--rev REV] [-o FILE] [options]", description, opts);
	struct pg_err err = PG_ERR_INIT;
	struct pg_profile_opts po = PG_PROFILE_OPTS_INIT;
	struct pg_config cfg = PG_CONFIG_INIT;
	const struct pg_bench_cfg *b = NULL;
	struct pg_prof p;
	struct pg_attrib at;
	struct pg_buf folded = PG_BUF_INIT, svg = PG_BUF_INIT;
	struct pg_git *g = NULL;
	const char *config = NULL, *bench = NULL, *cmd = NULL, *rev = NULL, *out = NULL, *arg;
	char *out_owned = NULL, *svg_path = NULL, *wt = NULL, *cwd = NULL, scratch[4096] = "";
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	unsigned timeout_s = 0, frequency = 0;
	enum pg_profiler profiler = PG_PROFILER_PERF;
	enum pg_call_graph call_graph = PG_CALL_GRAPH_DWARF;
	bool set_profiler = false, set_call_graph = false, no_build = false;
	bool captured = false, compared = false, have_cfg = false;
	int c, ret = PG_EXIT_USAGE;

	memset(&p, 0, sizeof(p));
	while ((c = pg_cli_next(&cli, &arg)) != -1) {
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
			if (pg_profile_profiler_parse(arg, &profiler) < 0) {
				pg_cli_usage_error(
				    &cli, "unknown profiler '%s' (perf or callgrind)", arg);
				goto done;
			}
			set_profiler = true;
			break;
		case PG_CLI_LONG(6):
			if (pg_profile_call_graph_parse(arg, &call_graph) < 0) {
				pg_cli_usage_error(
				    &cli, "unknown call graph '%s' (dwarf, fp or none)", arg);
				goto done;
			}
			set_call_graph = true;
			break;
		case PG_CLI_LONG(7):
			if (parse_uint(&cli, "--runs", arg, 1000, &po.runs) < 0)
				goto done;
			break;
		case PG_CLI_LONG(8):
			if (parse_uint(&cli, "--frequency", arg, 100000, &frequency) < 0)
				goto done;
			break;
		case PG_CLI_LONG(9):
			if (parse_uint(&cli, "--timeout", arg, 86400, &timeout_s) < 0)
				goto done;
			break;
		case PG_CLI_LONG(10):
			no_build = true;
			break;
		case 'h':
			ret = PG_EXIT_OK;
			goto done;
		default:
			goto done;
		}
	}
	if (cli.optind < cli.argc) {
		pg_cli_usage_error(&cli, "unexpected argument '%s'", cli.argv[cli.optind]);
		goto done;
	}

	/* What to run, and how to profile it: the config, then the options. */
	if (!cmd || config) {
		if (pg_config_load(&cfg, config ? config : "perfgate.yml", &err) < 0) {
			ret = fail(&err);
			goto done;
		}
		have_cfg = true;
		po.profiler = cfg.profile.profiler;
		po.frequency_hz = cfg.profile.frequency;
		po.call_graph = cfg.profile.call_graph;
	}
	if (!cmd) {
		if (pick_bench(&cfg, bench, &b, &err) < 0) {
			ret = fail(&err);
			goto done;
		}
		bench = b->name;
		po.cmd = b->run;
		po.env = b->env;
		po.nr_env = b->nr_env;
	} else {
		if (!bench)
			bench = "profile";
		po.cmd = cmd;
	}
	if (set_profiler)
		po.profiler = profiler;
	if (set_call_graph)
		po.call_graph = call_graph;
	if (frequency)
		po.frequency_hz = frequency;
	if (timeout_s)
		po.timeout_ns = (uint64_t)timeout_s * 1000000000ull;
	else if (b)
		po.timeout_ns =
		    b->timeout_ns * (po.profiler == PG_PROFILER_CALLGRIND ? CALLGRIND_SLOWDOWN : 1);
	else
		po.timeout_ns = 600ull * 1000000000ull;

	if (!out) {
		char *slug = pg_str_slug(bench);
		out = out_owned = pg_xasprintf("%s.folded", slug);
		free(slug);
	}
	if (pg_str_endswith(out, ".folded"))
		svg_path = pg_xasprintf("%.*s.svg", (int)(strlen(out) - 7), out);
	else
		svg_path = pg_xasprintf("%s.svg", out);

	/* Where to run it: here as it is, or a private worktree of REV, built. */
	if (rev) {
		char oid[PG_OID_HEX], shortid[8];
		int r;

		if (pg_git_open(&g, ".", &err) < 0 || pg_git_resolve(g, rev, oid, &err) < 0) {
			pg_err_prefix(&err, "profile --rev %s", rev);
			ret = fail(&err);
			goto done;
		}
		pg_git_short(oid, shortid);
		if (pg_git_worktree_checkout(g, "profile", oid, &wt, &err) < 0) {
			pg_err_prefix(&err, "profile --rev %s (%s)", rev, shortid);
			ret = fail(&err);
			goto done;
		}
		if (have_cfg && cfg.build && cfg.build[0] && !no_build) {
			fprintf(stderr, "perfgate: building %s in %s: %s\n", shortid, wt,
				cfg.build);
			r = pg_build_run(&cfg, wt, NULL, &err);
			if (r < 0) {
				pg_err_prefix(&err, "profile --rev %s (%s)", rev, shortid);
				ret = fail(&err);
				goto done;
			}
		}
		fprintf(stderr, "perfgate: profiling %s in %s\n", shortid, wt);
	}
	if (b && b->cwd && b->cwd[0])
		cwd = b->cwd[0] == '/' ? pg_xstrdup(b->cwd)
				       : pg_xasprintf("%s/%s", wt ? wt : ".", b->cwd);
	else if (wt)
		cwd = pg_xstrdup(wt);
	po.cwd = cwd;

	snprintf(scratch, sizeof(scratch), "%s/perfgate-profile.XXXXXX", tmp);
	if (!mkdtemp(scratch)) {
		pg_err_set(&err, PG_ERR_INFRA,
			   "cannot make a scratch directory under %s (TMPDIR): %s", tmp,
			   strerror(errno));
		scratch[0] = '\0';
		ret = fail(&err);
		goto done;
	}
	po.scratch_dir = scratch;
	captured = true;
	if (pg_profile_capture(&p, &po, &err) < 0) {
		pg_err_prefix(&err, "benchmark '%s'", bench);
		ret = fail(&err);
		goto done;
	}
	pg_prof_write_folded_header(&p, &folded);
	pg_prof_write_folded(&p, &folded);
	pg_svg_flamegraph(&svg, &p, bench);
	if (pg_file_write(out, folded.data, folded.len, &err) < 0 ||
	    pg_file_write(svg_path, svg.data, svg.len, &err) < 0) {
		ret = fail(&err);
		goto done;
	}
	compared = true;
	if (pg_attrib_compare(&at, &p, &p, NULL, &err) < 0) {
		ret = fail(&err);
		goto done;
	}
	print_summary(out, svg_path, &p, &at, po.profiler);
	ret = fflush(stdout) ? PG_EXIT_INFRA : PG_EXIT_OK;
done:
	if (compared)
		pg_attrib_release(&at);
	if (captured)
		pg_prof_release(&p);
	if (scratch[0])
		rmdir(scratch);
	pg_config_release(&cfg);
	pg_git_free(g);
	free(wt);
	free(cwd);
	free(out_owned);
	free(svg_path);
	pg_buf_release(&folded);
	pg_buf_release(&svg);
	return ret;
}
