/*
 * perfgate run: build (optional), run the configured benchmarks, print a
 * table, write the results as JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bmf.h"
#include "build.h"
#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "git.h"
#include "machine.h"
#include "notes.h"
#include "proc.h"
#include "result.h"
#include "sig.h"
#include "util.h"

static const struct pg_opt opts[] = {
    {'c', "config", "FILE", "the config file (default: perfgate.yml)"},
    {'b', "bench", "NAME", "run only this benchmark (repeatable)"},
    {'j', "json", "FILE", "write the results as JSON to FILE ('-' for stdout)"},
    {0, "no-build", NULL, "do not run the config's build command"},
    {'n', "repeat", "N", "counted runs per benchmark (default: the config's repeat.min)"},
    {'w', "warmup", "N", "discarded warm-up runs (default: the config's warmup)"},
    {0, "save", NULL, "keep the results as a git note (refs/notes/perfgate) on HEAD"},
    {0, "allow-dirty", NULL, "with --save: save even when the tree has uncommitted changes"},
    {0, "bmf", "FILE", "write the results in the Bencher Metric Format to FILE ('-': stdout)"},
    {0},
};

static const char description[] =
    "Run the build command (unless --no-build), then each benchmark of the config (or those\n"
    "named with -b): its warm-up runs, discarded, then its counted runs. Each run is a\n"
    "child in its own process group with stdin from /dev/null, killed (TERM, then KILL\n"
    "2 s later) at the benchmark's timeout. Commands run in the current directory (the\n"
    "tree root) joined with the benchmark's cwd.\n"
    "\n"
    "Measured per run: wall, user, sys, cpu (user + sys), max_rss; instructions (one\n"
    "run under valgrind's callgrind) when the benchmark sets `instructions: true`;\n"
    "and the metrics the benchmark prints itself when it sets `output:`.\n"
    "Prints a table (median, min, max, CV %, runs) on stdout; warnings and progress\n"
    "on stderr.\n"
    "\n"
    "--save keeps the results with the repository: appended to the git note on the\n"
    "commit measured (HEAD) under refs/notes/perfgate, with the machine's fingerprint\n"
    "(CPU model, cores, kernel) and the config's hash; results from another machine\n"
    "or config are never compared as if alike. A note keeps the 8 newest results per\n"
    "machine and config, and at most 1 MiB. --save refuses a tree that differs from\n"
    "HEAD before the build (staged, unstaged or untracked files: the results would\n"
    "not belong to the commit) unless --allow-dirty, whose results are marked dirty\n"
    "and left out of comparisons. Nothing is saved when a benchmark failed. Share\n"
    "them with: git push origin refs/notes/perfgate and\n"
    "git fetch origin refs/notes/perfgate:refs/notes/perfgate\n"
    "\n"
    "--bmf writes {\"<benchmark>\": {\"<metric>\": {\"value\": median, \"lower_value\":\n"
    "min, \"upper_value\": max}}} in the metric's unit (ns, bytes, count, or reported),\n"
    "for Bencher (bencher run --adapter json) and other tools that read BMF.\n"
    "\n"
    "Exit codes: 0 all benchmarks ran; 2 usage or config error, or --save on a\n"
    "dirty tree or outside a repository (nothing was run); 4 a benchmark failed\n"
    "(non-zero exit, signal, timeout, bad output), the build failed, a file could\n"
    "not be written, or the note could not be saved; 130/143 interrupted.";

struct run_ctx {
	bool progress; /* stderr is a terminal and NO_COLOR/CI do not ask for plain output */
};

static void progress(void *vctx, const char *bench, const char *phase, unsigned i, unsigned n)
{
	struct run_ctx *ctx = vctx;

	if (!ctx->progress)
		return;
	if (n)
		fprintf(stderr, "\r\033[K%s: %s %u/%u", bench, phase, i, n);
	else
		fprintf(stderr, "\r\033[K%s: %s %u", bench, phase, i);
	fflush(stderr);
}

static void progress_end(struct run_ctx *ctx)
{
	if (ctx->progress)
		fprintf(stderr, "\r\033[K");
}

static int parse_count(const struct pg_cli *cli, const char *opt, const char *arg, unsigned min,
		       unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > 100000) {
		pg_cli_usage_error(cli, "%s wants a whole number from %u to 100000, not '%s'", opt,
				   min, arg);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/*
 * The commit measured and whether the tree was dirty, from the git module,
 * taken before the build: the build's own outputs (untracked files) are
 * products of the commit, not changes to it. Outside a repository (or on
 * an unborn branch) has_commit stays false. With --save the repository is
 * kept open in *gp (NULL when there is none). A HEAD that cannot be read
 * fails into err: a result without its commit would be a quiet lie (t0956;
 * out of memory inside libgit2 ends in the git module).
 */
static int head_state(struct pg_result *res, struct pg_git **gp, struct pg_err *out)
{
	struct pg_git *g = NULL;
	struct pg_err err = PG_ERR_INIT;
	char oid[PG_OID_HEX];
	bool dirty = false;

	if (pg_git_open(&g, ".", &err) < 0)
		return 0;
	if (pg_git_head_state(g, oid, &dirty, &err) < 0) {
		pg_git_free(g);
		return pg_err_set(out, PG_ERR_INFRA, "%s", err.msg);
	}
	if (oid[0]) {
		memcpy(res->commit, oid, sizeof(res->commit));
		res->has_commit = true;
		res->dirty = dirty;
	}
	if (gp)
		*gp = g;
	else
		pg_git_free(g);
	return 0;
}

/* --save before anything runs: a repository, a commit, a clean tree. */
static int save_check(const struct pg_result *res, const struct pg_git *g, bool allow_dirty,
		      struct pg_err *err)
{
	char s7[8];

	if (!g)
		return pg_err_set(err, PG_ERR_USAGE,
				  "--save keeps results as git notes: not inside a git repository");
	if (!res->has_commit)
		return pg_err_set(
		    err, PG_ERR_USAGE,
		    "--save: HEAD has no commit yet (unborn branch): nothing to note");
	if (res->dirty && !allow_dirty)
		return pg_err_set(
		    err, PG_ERR_USAGE,
		    "--save: the tree differs from HEAD %s (staged, unstaged or untracked files), "
		    "so the results would not belong to that commit; commit or stash the "
		    "changes, or pass --allow-dirty",
		    pg_git_short(res->commit, s7));
	return 0;
}

/* --save after the runs: append, then say what the note now holds. */
static int save_note(struct pg_git *g, const struct pg_result *res, struct pg_err *err)
{
	struct pg_result *rs = NULL;
	struct pg_notes_stats st;
	size_t n = 0;
	char s7[8];

	if (pg_notes_add_result(g, res->commit, res, err) < 0)
		return pg_err_prefix(err, "--save");
	if (pg_notes_load(g, res->commit, &res->machine, res->config_hash, 0, &rs, &n, &st, err) <
	    0)
		return pg_err_prefix(err, "--save");
	fprintf(stderr,
		"perfgate: saved as a note on %s (%s)%s: %zu result%s from this machine and "
		"config",
		pg_git_short(res->commit, s7), PG_NOTES_REF, res->dirty ? ", marked dirty" : "", n,
		n == 1 ? "" : "s");
	if (st.other_machine || st.other_config)
		fprintf(stderr, "; not compared: %zu from other machines, %zu from other configs",
			st.other_machine, st.other_config);
	fprintf(stderr, "\n");
	pg_notes_free_results(rs, n);
	return 0;
}

static int run_build(const struct pg_config *cfg, struct pg_err *err)
{
	fprintf(stderr, "perfgate: building: %s\n", cfg->build);
	return pg_build_run(cfg, NULL, NULL, err) == 0 ? 0 : -1;
}

/* ---- the table ---- */

static void human(double v, const char *unit, char *buf, size_t size)
{
	double a = v < 0 ? -v : v;

	if (!strcmp(unit, "ns")) {
		if (a >= 1e9)
			snprintf(buf, size, "%.3f s", v / 1e9);
		else if (a >= 1e6)
			snprintf(buf, size, "%.3f ms", v / 1e6);
		else if (a >= 1e3)
			snprintf(buf, size, "%.3f us", v / 1e3);
		else
			snprintf(buf, size, "%.0f ns", v);
	} else if (!strcmp(unit, "bytes")) {
		if (a >= 1073741824.0)
			snprintf(buf, size, "%.2f GiB", v / 1073741824.0);
		else if (a >= 1048576.0)
			snprintf(buf, size, "%.2f MiB", v / 1048576.0);
		else if (a >= 1024.0)
			snprintf(buf, size, "%.1f KiB", v / 1024.0);
		else
			snprintf(buf, size, "%.0f B", v);
	} else if (!strcmp(unit, "count")) {
		snprintf(buf, size, "%.0f", v);
	} else {
		snprintf(buf, size, "%.4g%s%s", v, unit[0] ? " " : "", unit);
	}
}

/* A name printed in the table: control characters shown as \xNN. */
static void printable(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
}

static void print_table(FILE *out, const struct pg_result *res)
{
	size_t i, j, wb = strlen("benchmark"), wm = strlen("metric");
	char name[256];

	for (i = 0; i < res->nr_benches; i++) {
		printable(res->benches[i].name, name, sizeof(name));
		if (strlen(name) > wb)
			wb = strlen(name);
		for (j = 0; j < res->benches[i].nr_metrics; j++) {
			printable(res->benches[i].metrics[j].name, name, sizeof(name));
			if (strlen(name) > wm)
				wm = strlen(name);
		}
	}
	if (wb > 40)
		wb = 40;
	if (wm > 48)
		wm = 48;
	fprintf(out, "%-*s  %-*s  %12s  %12s  %12s  %7s  %4s\n", (int)wb, "benchmark", (int)wm,
		"metric", "median", "min", "max", "CV %", "runs");
	for (i = 0; i < res->nr_benches; i++) {
		const struct pg_result_bench *b = &res->benches[i];
		char bname[256];

		printable(b->name, bname, sizeof(bname));
		if (b->error && !b->nr_metrics)
			fprintf(out, "%-*s  %-*s  %s\n", (int)wb, bname, (int)wm, "-", "failed");
		for (j = 0; j < b->nr_metrics; j++) {
			const struct pg_metric *m = &b->metrics[j];
			struct pg_summary s;
			char med[64], lo[64], hi[64];

			pg_metric_summary(m, &s);
			printable(m->name, name, sizeof(name));
			human(s.median, m->unit, med, sizeof(med));
			human(s.min, m->unit, lo, sizeof(lo));
			human(s.max, m->unit, hi, sizeof(hi));
			fprintf(out, "%-*s  %-*s  %12s  %12s  %12s  %7.2f  %4zu%s\n", (int)wb,
				j ? "" : bname, (int)wm, name, med, lo, hi, s.cv * 100, s.n,
				m->dir == PG_DIR_HIGHER ? "  (higher is better)" : "");
		}
	}
}

/* ---- the command ---- */

static bool wanted(char **names, size_t n, const char *name)
{
	size_t i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

int cmd_run(int argc, char **argv)
{
	struct pg_cli cli =
	    PG_CLI_INIT(argc, argv, "run",
			"[-c FILE] [-b NAME]... [--json FILE] [--bmf FILE] "
			"[--no-build] [--repeat N] [--warmup N] [--save [--allow-dirty]]",
			description, opts);
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_result res = PG_RESULT_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct run_ctx ctx = {false};
	struct pg_git *g = NULL;
	const char *config_path = "perfgate.yml", *json = NULL, *bmf = NULL, *arg,
		   *nc = getenv("NO_COLOR"), *ci = getenv("CI");
	char **only = NULL;
	size_t nr_only = 0, i;
	unsigned repeat = 0, warmup = 0;
	bool has_repeat = false, has_warmup = false, no_build = false, save = false,
	     allow_dirty = false;
	int c, ret = PG_EXIT_OK;
	time_t now;

	while ((c = pg_cli_next(&cli, &arg)) != -1) {
		switch (c) {
		case 'c':
			config_path = arg;
			break;
		case 'b':
			only = pg_xreallocarray(only, nr_only + 1, sizeof(*only));
			only[nr_only++] = (char *)arg;
			break;
		case 'j':
			json = arg;
			break;
		case PG_CLI_LONG(3):
			no_build = true;
			break;
		case 'n':
			if (parse_count(&cli, "--repeat", arg, 1, &repeat) < 0) {
				ret = PG_EXIT_USAGE;
				goto done;
			}
			has_repeat = true;
			break;
		case 'w':
			if (parse_count(&cli, "--warmup", arg, 0, &warmup) < 0) {
				ret = PG_EXIT_USAGE;
				goto done;
			}
			has_warmup = true;
			break;
		case PG_CLI_LONG(6):
			save = true;
			break;
		case PG_CLI_LONG(7):
			allow_dirty = true;
			break;
		case PG_CLI_LONG(8):
			bmf = arg;
			break;
		case 'h':
			ret = PG_EXIT_OK;
			goto done;
		default:
			ret = PG_EXIT_USAGE;
			goto done;
		}
	}
	if (cli.optind < argc) {
		pg_cli_usage_error(&cli, "unexpected argument '%s'", argv[cli.optind]);
		ret = PG_EXIT_USAGE;
		goto done;
	}
	if (json && bmf && !strcmp(json, "-") && !strcmp(bmf, "-")) {
		pg_cli_usage_error(&cli, "--json - and --bmf - cannot both write to stdout");
		ret = PG_EXIT_USAGE;
		goto done;
	}
	if (allow_dirty && !save) {
		pg_cli_usage_error(&cli, "--allow-dirty goes with --save");
		ret = PG_EXIT_USAGE;
		goto done;
	}
	if (pg_config_load(&cfg, config_path, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	for (i = 0; i < nr_only; i++) {
		const struct pg_bench_cfg *b;

		if (pg_config_find_bench(&cfg, only[i], config_path, &b, &err) < 0) {
			ret = pg_fail(&err);
			goto done;
		}
	}
	ctx.progress = isatty(2) && !(nc && nc[0]) && !(ci && ci[0]);
	if (head_state(&res, save ? &g : NULL, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	if (save && save_check(&res, g, allow_dirty, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}

	if (cfg.build && cfg.build[0] && !no_build && run_build(&cfg, &err) < 0) {
		ret = err.kind == PG_ERR_INTERRUPTED ? pg_sig_exit_code() : pg_fail(&err);
		if (err.kind == PG_ERR_INTERRUPTED)
			pg_fail(&err);
		goto done;
	}
	/* Every command must be runnable before any benchmark's warm-up. */
	for (i = 0; i < cfg.nr_benches; i++) {
		struct pg_bench_opts bo = PG_BENCH_OPTS_INIT;

		if (!wanted(only, nr_only, cfg.benches[i].name))
			continue;
		if (pg_bench_check(&cfg.benches[i], &bo, &err) < 0) {
			ret = pg_fail(&err);
			goto done;
		}
	}

	pg_machine_probe(&res.machine);
	snprintf(res.config_hash, sizeof(res.config_hash), "%s", cfg.hash);
	now = time(NULL);
	strftime(res.created, sizeof(res.created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

	for (i = 0; i < cfg.nr_benches; i++) {
		const struct pg_bench_cfg *b = &cfg.benches[i];
		struct pg_bench_opts bo = PG_BENCH_OPTS_INIT;
		struct pg_result_bench *rb;
		unsigned w = has_warmup ? warmup : b->warmup,
			 n = has_repeat ? repeat : b->repeat_min;
		size_t k;
		int r;

		if (!wanted(only, nr_only, b->name))
			continue;
		bo.progress = progress;
		bo.progress_ctx = &ctx;
		rb = pg_result_bench(&res, b->name);
		r = pg_bench_run(b, &bo, w, n ? n : 1, rb, &err);
		progress_end(&ctx);
		for (k = 0; k < rb->nr_warnings; k++)
			fprintf(stderr, "perfgate: warning: benchmark '%s': %s\n", b->name,
				rb->warnings[k]);
		if (r < 0) {
			if (err.kind == PG_ERR_INTERRUPTED) {
				pg_fail(&err);
				rb->error = pg_xstrdup(err.msg);
				ret = pg_sig_exit_code() ? pg_sig_exit_code() : PG_EXIT_SIGINT;
				break;
			}
			rb->error = pg_xstrdup(err.msg);
			pg_fail(&err);
			ret = PG_EXIT_INFRA;
		}
	}
	/* With --json - or --bmf -, stdout is the document: the table goes to stderr. */
	print_table((json && !strcmp(json, "-")) || (bmf && !strcmp(bmf, "-")) ? stderr : stdout,
		    &res);
	if (json && pg_result_save(&res, json, &err) < 0) {
		pg_fail(&err);
		if (ret == PG_EXIT_OK)
			ret = PG_EXIT_INFRA;
	}
	if (bmf) {
		struct pg_buf b = PG_BUF_INIT;

		pg_bmf_render_result(&b, &res);
		if (pg_file_write(bmf, b.data, b.len, &err) < 0) {
			pg_fail(&err);
			if (ret == PG_EXIT_OK)
				ret = PG_EXIT_INFRA;
		}
		pg_buf_release(&b);
	}
	if (save && ret == PG_EXIT_OK && save_note(g, &res, &err) < 0) {
		ret = pg_fail(&err);
		if (ret == PG_EXIT_USAGE) /* the benchmarks ran: not "nothing was run" */
			ret = PG_EXIT_INFRA;
	} else if (save && ret != PG_EXIT_OK)
		fprintf(stderr, "perfgate: --save: nothing saved: not every benchmark ran\n");
done:
	pg_git_free(g);
	pg_result_release(&res);
	pg_config_release(&cfg);
	free(only);
	return ret;
}
