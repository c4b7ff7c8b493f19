/*
 * perfgate check: the pre-merge gate. The algorithm is gate/check.c; this
 * file parses argv, takes the base from the CI environment when --base is
 * left out, prints the verdict, writes the report files and picks the
 * exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmf.h"
#include "budget.h"
#include "check.h"
#include "ci_env.h"
#include "cli.h"
#include "cmd.h"
#include "report.h"
#include "sig.h"
#include "util.h"

static const struct pg_opt opts[] = {
    {0, "base", "REV", "the revision to compare against (default: from the CI environment)"},
    {0, "head", "REV", "the revision under test (default: HEAD)"},
    {'c', "config", "PATH", "the config's path inside the commits (default: perfgate.yml)"},
    {'b', "bench", "NAME", "measure only this benchmark (repeatable)"},
    {0, "junit", "FILE", "write a JUnit XML report to FILE"},
    {0, "markdown", "FILE", "write a Markdown report to FILE"},
    {'j', "json", "FILE", "write a JSON report to FILE ('-' for stdout)"},
    {0, "metrics", "FILE", "write GitLab OpenMetrics (artifacts:reports:metrics) to FILE"},
    {0, "require-base-budgets", NULL, "fail (exit 2) when the base commit has no config"},
    {0, "repeat-max", "N", "at most N runs per side and benchmark (default: the config's)"},
    {0, "no-build", NULL, "do not run the build commands (earlier builds' outputs are kept)"},
    {0, "bmf", "FILE",
     "write the head's numbers in the Bencher Metric Format to FILE ('-': stdout)"},
    {0},
};

enum {
	OPT_BASE = PG_CLI_LONG(0),
	OPT_HEAD = PG_CLI_LONG(1),
	OPT_JUNIT = PG_CLI_LONG(4),
	OPT_MARKDOWN = PG_CLI_LONG(5),
	OPT_METRICS = PG_CLI_LONG(7),
	OPT_REQUIRE = PG_CLI_LONG(8),
	OPT_REPEAT_MAX = PG_CLI_LONG(9),
	OPT_NO_BUILD = PG_CLI_LONG(10),
	OPT_BMF = PG_CLI_LONG(11),
};

static const char description[] =
    "Measure the base and the head revision on this machine and judge the head\n"
    "against the budgets of the BASE commit's config, so that a change cannot\n"
    "loosen its own gate. Both commits are read from the object database: the\n"
    "working tree, the index and uncommitted changes are neither used nor touched.\n"
    "\n"
    "Without --base, the base comes from the CI environment: GitHub Actions'\n"
    "pull request base (pull_request.base.sha in $GITHUB_EVENT_PATH) or GitLab's\n"
    "$CI_MERGE_REQUEST_DIFF_BASE_SHA; elsewhere leaving it out is a usage error.\n"
    "A base missing from a shallow clone is an error (exit 4), never a pass:\n"
    "fetch it (actions/checkout with fetch-depth: 0, or GIT_DEPTH: 0).\n"
    "\n"
    "Each commit is checked out into a private worktree under the git directory\n"
    "(.git/perfgate/worktrees/check-base and check-head, kept for incremental\n"
    "builds) and built with its own config's build command. The benchmarks and\n"
    "their sampling plan (repeat min and max) come from the base's config; each\n"
    "side runs its own config's command for a benchmark (a changed command is\n"
    "reported), and a benchmark that only the head has is not measured. Without a\n"
    "config at the base, the head's config is used for everything and the report\n"
    "says \"budgets not verified against the base\" (or exit 2 with\n"
    "--require-base-budgets).\n"
    "\n"
    "After warm-up runs of each side, both are run interleaved in pairs (A B, order\n"
    "shuffled within a pair), starting from repeat.min pairs and doubling up to\n"
    "repeat.max while the verdict is unknown. Budgets: `max` and `min` judge the\n"
    "head's median; `regress: 5%` fails only when the verdict is \"different\" and\n"
    "the head is worse by more than 5% (each metric knows whether lower or higher\n"
    "is better); \"unknown\" after the most runs is inconclusive (exit 3), not a\n"
    "pass. Wall time is always compared (at 5% without a regress budget) so the\n"
    "report shows the change. Budgets the head changes are reported as \"changed\n"
    "in this change, not applied\".\n"
    "\n"
    "--bmf writes the head's side as {\"<benchmark>\": {\"<metric>\": {\"value\": median,\n"
    "\"lower_value\": min, \"upper_value\": max}}} (canonical units: ns, bytes, count),\n"
    "for Bencher or any tool that reads the Bencher Metric Format.\n"
    "\n"
    "Prints the verdict on stdout (on stderr with --json - or --bmf -); with\n"
    "$GITHUB_STEP_SUMMARY set, appends the Markdown report to it; with\n"
    "GITHUB_ACTIONS=true, prints GitHub error annotations (at most 10). Report\n"
    "files are written whole (temporary file, then rename), also when the gate\n"
    "fails early: the JUnit file then holds an error testcase.\n"
    "\n"
    "Exit codes: 0 every budget holds; 1 a budget is exceeded; 2 usage or config\n"
    "error (nothing was run); 3 inconclusive (too noisy to decide after the most\n"
    "runs); 4 infrastructure error (a side does not build, a benchmark failed,\n"
    "git, a missing base commit, a report file could not be written);\n"
    "130/143 interrupted (no pass is reported).";

struct progress_ctx {
	bool on;     /* stderr is a terminal and NO_COLOR/CI do not ask for plain output */
	bool dirty;  /* a progress line is showing */
	uint64_t t0; /* start, for the elapsed time */
};

static void progress(void *vctx, const struct pg_check_event *ev)
{
	struct progress_ctx *p = vctx;
	unsigned secs = (unsigned)((pg_now_ns() - p->t0) / 1000000000u);

	if (ev->phase == PG_CHECK_BUILD) {
		/* Like run: the build is said even without a terminal. */
		if (p->dirty)
			fprintf(stderr, "\r\033[K");
		p->dirty = false;
		fprintf(stderr, "perfgate: building %s %s: %s\n", ev->side, ev->commit, ev->detail);
		return;
	}
	if (!p->on)
		return;
	switch (ev->phase) {
	case PG_CHECK_CHECKOUT:
		fprintf(stderr, "\r\033[K[%us] checking out %s %s", secs, ev->side, ev->commit);
		break;
	case PG_CHECK_WARMUP:
	case PG_CHECK_MEASURE:
	case PG_CHECK_CALLGRIND:
		fprintf(stderr, "\r\033[K[%us] benchmark %u/%u %s: %s %s", secs, ev->bench_i,
			ev->nr_benches, ev->bench, ev->side,
			ev->phase == PG_CHECK_WARMUP	  ? "warm-up"
			: ev->phase == PG_CHECK_CALLGRIND ? "callgrind"
							  : "run");
		if (ev->phase == PG_CHECK_MEASURE && ev->runs)
			fprintf(stderr, " %u/%u (more only while unsure)", ev->run, ev->runs);
		else if (ev->phase != PG_CHECK_CALLGRIND)
			fprintf(stderr, " %u", ev->run);
		break;
	default:
		break;
	}
	p->dirty = true;
	fflush(stderr);
}

static void progress_end(struct progress_ctx *p)
{
	if (p->dirty)
		fprintf(stderr, "\r\033[K");
	p->dirty = false;
}

static int parse_count(const struct pg_cli *cli, const char *opt, const char *arg, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > 1000) {
		pg_cli_usage_error(cli, "%s wants a whole number from 1 to 1000, not '%s'", opt,
				   arg);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* ---- the verdict on stdout ---- */

static void visible(FILE *out, const char *s)
{
	struct pg_buf b = PG_BUF_INIT;

	pg_report_visibles(&b, s, 0);
	fputs(pg_buf_cstr(&b), out);
	pg_buf_release(&b);
}

static const char *upper(enum pg_report_outcome o)
{
	switch (o) {
	case PG_REPORT_PASS:
		return "PASS";
	case PG_REPORT_FAIL:
		return "FAIL";
	case PG_REPORT_INCONCLUSIVE:
		return "INCONCLUSIVE";
	case PG_REPORT_ERROR:
		return "ERROR";
	case PG_REPORT_SKIPPED:
		return "SKIPPED";
	}
	return "?";
}

static void print_commit(FILE *out, const char *role, const char *id, const char *subject)
{
	char s7[8] = "?";

	if (id)
		snprintf(s7, sizeof(s7), "%.7s", id);
	fprintf(out, "%s %s", role, s7);
	if (subject) {
		fputs(" (", out);
		visible(out, subject);
		fputc(')', out);
	}
}

static void print_verdict(FILE *out, const struct pg_report *rep)
{
	struct pg_report_counts n;
	enum pg_report_outcome overall = pg_report_overall(rep);

	pg_report_count(rep, &n);
	fputs("perfgate check: ", out);
	print_commit(out, "base", rep->base_id, rep->base_subject);
	fputs(" -> ", out);
	print_commit(out, "head", rep->head_id, rep->head_subject);
	fputc('\n', out);
	for (size_t i = 0; i < rep->nr_notices; i++) {
		fputs("note: ", out);
		visible(out, rep->notices[i]);
		fputc('\n', out);
	}
	if (rep->error) {
		fputs("ERROR         ", out);
		visible(out, rep->error);
		fputc('\n', out);
	}
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		const struct pg_report_metric *m = &rep->metrics[i];
		struct pg_buf b = PG_BUF_INIT;

		if (!m->nr_checks && m->error) {
			fputs("ERROR         ", out);
			visible(out, m->bench);
			fputs(": ", out);
			visible(out, m->error);
			fputc('\n', out);
			continue;
		}
		if (!m->nr_checks) {
			/* measured, no budget: the change, for information */
			pg_buf_adds(&b, m->bench);
			pg_buf_addc(&b, ' ');
			pg_buf_adds(&b, m->metric);
			pg_buf_adds(&b, ": head ");
			pg_report_format_value(&b, m->head_median, m->unit);
			pg_buf_adds(&b, " vs base ");
			pg_report_format_value(&b, m->base_median, m->unit);
			if (m->has_cmp) {
				pg_buf_adds(&b, ", ");
				pg_report_format_pct(&b, m->cmp.ratio - 1);
				if (isfinite(m->cmp.ci_low) && isfinite(m->cmp.ci_high)) {
					pg_buf_adds(&b, " [");
					pg_report_format_pct(&b, m->cmp.ci_low - 1);
					pg_buf_adds(&b, ", ");
					pg_report_format_pct(&b, m->cmp.ci_high - 1);
					pg_buf_addc(&b, ']');
				}
				pg_buf_addf(&b, ", %s after %u vs %u runs",
					    pg_report_verdict_name(m->cmp.verdict),
					    m->cmp.runs_base, m->cmp.runs_head);
			}
			pg_buf_adds(&b, " (no budget)");
			fputs("info          ", out);
			visible(out, pg_buf_cstr(&b));
			fputc('\n', out);
			pg_buf_release(&b);
			continue;
		}
		for (size_t j = 0; j < m->nr_checks; j++) {
			const struct pg_report_check *c = &m->checks[j];

			fprintf(out, "%-13s ", upper(c->outcome));
			visible(out, c->message ? c->message : "");
			if (c->outcome != PG_REPORT_PASS && c->outcome != PG_REPORT_SKIPPED &&
			    m->has_cmp && c->rule == PG_REPORT_RULE_REGRESS)
				fprintf(out, " (%u vs %u runs)", m->cmp.runs_base,
					m->cmp.runs_head);
			fputc('\n', out);
			if (c->note) {
				fputs("              note: ", out);
				visible(out, c->note);
				fputc('\n', out);
			}
			if (c->warning) {
				fputs("              warning: ", out);
				visible(out, c->warning);
				fputc('\n', out);
			}
		}
	}
	fprintf(out,
		"result: %s (%zu checks: %zu passed, %zu failed, %zu inconclusive, %zu errors, %zu "
		"skipped; %.1f s)\n",
		pg_report_outcome_name(overall), n.checks, n.pass, n.fail, n.inconclusive, n.error,
		n.skipped, (double)rep->duration_ns / 1e9);
}

/* ---- the files ---- */

static int write_report(const char *path, const struct pg_buf *b, const char *what)
{
	struct pg_err err = PG_ERR_INIT;

	if (!path)
		return 0;
	if (pg_file_write(path, b->data ? b->data : "", b->len, &err) < 0) {
		err.kind = PG_ERR_INFRA;
		pg_err_prefix(&err, "%s report", what);
		pg_fail(&err);
		return -1;
	}
	return 0;
}

/* $GITHUB_STEP_SUMMARY is appended to (other steps' summaries are kept). */
static int append_summary(const char *path, const struct pg_buf *b)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	int ret = 0;

	if (fd < 0 || pg_write_all(fd, b->data ? b->data : "", b->len) < 0 ||
	    (b->len && pg_write_all(fd, "\n", 1) < 0))
		ret = -1;
	if (ret < 0)
		fprintf(stderr, "perfgate: write GITHUB_STEP_SUMMARY '%s': %s\n", path,
			strerror(errno));
	if (fd >= 0 && close(fd) < 0 && ret == 0) {
		fprintf(stderr, "perfgate: write GITHUB_STEP_SUMMARY '%s': %s\n", path,
			strerror(errno));
		ret = -1;
	}
	return ret;
}

struct outputs {
	const char *junit, *markdown, *json, *metrics, *bmf;
};

static int write_all(const struct pg_report *rep, const struct outputs *w, FILE *out)
{
	struct pg_buf b = PG_BUF_INIT;
	const char *summary = getenv("GITHUB_STEP_SUMMARY"), *gha = getenv("GITHUB_ACTIONS");
	const char *artifact = w->junit ? w->junit : w->json;
	const char *prev = pg_oom_while("writing the reports");
	int ret = 0;

	if (w->junit) {
		pg_report_render_junit(&b, rep);
		ret |= write_report(w->junit, &b, "JUnit");
		pg_buf_reset(&b);
	}
	if (w->json) {
		pg_report_render_json(&b, rep);
		ret |= write_report(w->json, &b, "JSON");
		pg_buf_reset(&b);
	}
	if (w->metrics) {
		pg_report_render_metrics(&b, rep);
		ret |= write_report(w->metrics, &b, "OpenMetrics");
		pg_buf_reset(&b);
	}
	if (w->bmf) {
		pg_bmf_render_report(&b, rep);
		ret |= write_report(w->bmf, &b, "BMF");
		pg_buf_reset(&b);
	}
	if (w->markdown || (summary && summary[0])) {
		pg_report_render_markdown(&b, rep, 0, artifact);
		if (w->markdown)
			ret |= write_report(w->markdown, &b, "Markdown");
		if (summary && summary[0])
			ret |= append_summary(summary, &b);
		pg_buf_reset(&b);
	}
	if (gha && !strcmp(gha, "true")) {
		pg_report_render_annotations(&b, rep, 0);
		fputs(pg_buf_cstr(&b), out);
	}
	pg_buf_release(&b);
	pg_oom_while(prev);
	return ret ? -1 : 0;
}

int cmd_check(int argc, char **argv)
{
	struct pg_cli cli =
	    PG_CLI_INIT(argc, argv, "check",
			"[--base REV] [--head REV] [-c PATH] [-b NAME]... [--junit FILE]\n"
			"       [--markdown FILE] [--json FILE] [--metrics FILE] "
			"[--require-base-budgets]\n"
			"       [--repeat-max N] [--no-build] [--bmf FILE]",
			description, opts);
	struct pg_check_opts co = PG_CHECK_OPTS_INIT;
	struct pg_report rep = PG_REPORT_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct outputs w = {NULL, NULL, NULL, NULL, NULL};
	struct progress_ctx pc = {false, false, pg_now_ns()};
	const char *arg, *nc = getenv("NO_COLOR"), *ci = getenv("CI"), *source = NULL;
	const char **only = NULL;
	char *ci_base = NULL;
	size_t nr_only = 0;
	bool started = false;
	FILE *out = stdout;
	int c, ret = PG_EXIT_OK;

	while ((c = pg_cli_next(&cli, &arg)) != -1) {
		switch (c) {
		case OPT_BASE:
			co.base_rev = arg;
			break;
		case OPT_HEAD:
			co.head_rev = arg;
			break;
		case 'c':
			co.config_path = arg;
			break;
		case 'b':
			only = pg_xreallocarray(only, nr_only + 1, sizeof(*only));
			only[nr_only++] = arg;
			break;
		case OPT_JUNIT:
			w.junit = arg;
			break;
		case OPT_MARKDOWN:
			w.markdown = arg;
			break;
		case 'j':
			w.json = arg;
			break;
		case OPT_METRICS:
			w.metrics = arg;
			break;
		case OPT_REQUIRE:
			co.require_base_budgets = true;
			break;
		case OPT_REPEAT_MAX:
			if (parse_count(&cli, "--repeat-max", arg, &co.repeat_max) < 0) {
				ret = PG_EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_NO_BUILD:
			co.no_build = true;
			break;
		case OPT_BMF:
			w.bmf = arg;
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
	if (w.json && w.bmf && !strcmp(w.json, "-") && !strcmp(w.bmf, "-")) {
		pg_cli_usage_error(&cli, "--json - and --bmf - cannot both write to stdout");
		ret = PG_EXIT_USAGE;
		goto done;
	}
	co.only = only;
	co.nr_only = nr_only;
	/* With --json - or --bmf -, stdout is the document: the verdict goes to stderr. */
	if ((w.json && !strcmp(w.json, "-")) || (w.bmf && !strcmp(w.bmf, "-")))
		out = stderr;
	started = true;

	if (!co.base_rev) {
		int r = pg_ci_base(&ci_base, &source, &err);

		if (r < 0) {
			ret = pg_fail(&err);
			pg_report_add_error(&rep, NULL, err.msg);
			goto done;
		}
		if (r == 1) {
			pg_cli_usage_error(&cli,
					   "no --base given, and the environment names no pull or "
					   "merge request base (GITHUB_EVENT_PATH, "
					   "CI_MERGE_REQUEST_DIFF_BASE_SHA)");
			pg_report_add_error(&rep, NULL, "no base revision: give --base REV");
			ret = PG_EXIT_USAGE;
			goto done;
		}
		co.base_rev = ci_base;
		fprintf(stderr, "perfgate: base %s from %s\n", ci_base, source);
	}
	pc.on = isatty(2) && !(nc && nc[0]) && !(ci && ci[0]);
	co.progress = progress;
	co.progress_ctx = &pc;

	if (pg_check_run(&rep, &co, &err) < 0) {
		progress_end(&pc);
		if (err.kind == PG_ERR_INTERRUPTED) {
			pg_fail(&err);
			ret = pg_sig_exit_code() ? pg_sig_exit_code() : PG_EXIT_SIGINT;
		} else {
			ret = pg_fail(&err);
		}
		pg_report_add_error(&rep, NULL, err.msg);
		goto done;
	}
	progress_end(&pc);
	ret = pg_budget_exit_code(pg_report_overall(&rep));
done:
	if (started) {
		print_verdict(out, &rep);
		if (write_all(&rep, &w, out) < 0 &&
		    (ret == PG_EXIT_OK || ret == PG_EXIT_INCONCLUSIVE))
			ret = PG_EXIT_INFRA;
	}
	pg_report_release(&rep);
	free(ci_base);
	free(only);
	return ret;
}
