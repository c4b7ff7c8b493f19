/*
 * perfgate bisect: argv, progress, printing and exit codes around the
 * algorithm in bisect.c (as git's builtin/bisect.c around bisect.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect.h"
#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "git.h"
#include "report_bisect.h"
#include "report_svg.h"
#include "sig.h"
#include "util.h"

static const struct pg_opt opts[] = {
    {'c', "config", "FILE", "the config (default: perfgate.yml at the top of the checkout)"},
    {'b', "bench", "NAME", "the benchmark to bisect (default: the config's only one)"},
    {0, "metric", "M", "wall (default), cpu, user, sys, max_rss, or instructions (callgrind)"},
    {0, "all-parents", NULL, "bisect the whole graph, not only first parents"},
    {'j', "json", "FILE", "write the result as JSON to FILE ('-' for stdout)"},
    {0, "markdown", "FILE", "write the result as Markdown to FILE"},
    {0, "svg", "FILE", "write the differential flame graph (parent -> culprit) to FILE"},
    {0, "profile-runs", "N",
     "profiled runs of the culprit and of its parent (default: perf 3, more while the "
     "function's growth is within the noise, up to 24; callgrind 1)"},
    {0, "continue", NULL, "resume an interrupted bisect, measuring nothing twice"},
    {0, "log", NULL, "print what the current bisect has done"},
    {0, "reset", NULL, "remove the bisect state and its private worktrees"},
    {0, "no-notes", NULL, "do not keep the measurements as git notes (refs/notes/perfgate)"},
    {0, "cross-check", NULL,
     "--metric instructions: cross-check on wall time up to repeat.max pairs (default "
     "repeat.min)"},
    {0},
};

static const char description[] =
    "Find the first commit of GOOD..BAD that made a benchmark slower, then profile it and\n"
    "its parent and name the function responsible.\n"
    "\n"
    "The config comes from the current checkout and is applied to every commit (as\n"
    "`git bisect run` takes its script from outside). Commits are checked out and built\n"
    "in private worktrees under the git directory (.git/perfgate/worktrees/bisect-N),\n"
    "reused from step to step; the checkout, index and branch are never touched.\n"
    "\n"
    "Both ends are measured first, in interleaved pairs, and must differ. Each step runs\n"
    "triplets of the candidate and the two commits that bracket it, in rotating order,\n"
    "and classifies it on the paired differences, sampling more only while unsure (up\n"
    "to the benchmark's repeat.max). A commit that does not build, or whose benchmark\n"
    "exits 125, is skipped. The culprit is confirmed against its parent, then both are\n"
    "profiled (the config's profiler) and the function whose time grew most is named,\n"
    "with whether the commit touched it (perf: more profiled runs while its growth is\n"
    "within the noise; none named when nothing grew beyond it). --metric instructions\n"
    "bisects on callgrind's instruction counts: one run per commit decides, the profiles\n"
    "are callgrind's, and wall time cross-checks (repeat.min pairs; --cross-check: more).\n"
    "\n"
    "State (journal, cache, logs of failed builds) is kept in .git/perfgate/bisect/:\n"
    "--continue resumes after Ctrl-C or a killed job (on a finished bisect it prints\n"
    "the report again, and writes --json/--markdown/--svg); --log shows it; --reset\n"
    "removes it. One bisect at a time in a repository: a second one exits 4, naming\n"
    "the lock (.git/perfgate/bisect.lock) and the pid that holds it.\n"
    "\n"
    "The samples taken of each commit are kept with the repository as a git note on\n"
    "that commit (refs/notes/perfgate, with the machine's fingerprint and the config's\n"
    "hash; share them with git push/fetch origin refs/notes/perfgate), unless\n"
    "--no-notes. A note that cannot be written is a warning.\n"
    "\n"
    "Exit codes: 0 culprit found; 2 usage or config error (nothing was run);\n"
    "3 inconclusive (the ends do not differ, skipped commits leave several candidates,\n"
    "or the culprit does not differ from its parent); 4 build of an end, benchmark,\n"
    "git or I/O failure, or another bisect running in the repository; 130/143\n"
    "interrupted (resume with --continue).";

struct prog_ctx {
	bool tty;
	bool dirty; /* a live line is on the terminal */
};

static void eta_text(char *buf, size_t size, const struct pg_bisect_progress *p)
{
	if (p->eta_s < 0)
		snprintf(buf, size, "%s", "");
	else if (p->eta_s >= 90)
		snprintf(buf, size, ", ~%.0f min left", p->eta_s / 60);
	else
		snprintf(buf, size, ", ~%.0f s left", p->eta_s);
}

static void on_progress(void *vctx, const struct pg_bisect_progress *p)
{
	struct prog_ctx *ctx = vctx;
	char s7[8] = "", eta[64];

	if (p->oid)
		pg_git_short(p->oid, s7);
	eta_text(eta, sizeof(eta), p);
	if (p->note) {
		/* a finished step: one line, terminal or not */
		if (ctx->dirty)
			fprintf(stderr, "\r\033[K");
		ctx->dirty = false;
		fprintf(
		    stderr,
		    "perfgate: step %u: %s is %s (%u samples); %u commit%s left, ~%u step%s%s\n",
		    p->step, s7, p->note, p->run, p->commits_left, p->commits_left == 1 ? "" : "s",
		    p->steps_left, p->steps_left == 1 ? "" : "s", eta);
		return;
	}
	if (!ctx->tty)
		return;
	if (!strcmp(p->phase, "step"))
		fprintf(stderr, "\r\033[Kstep %u: %s, sample %u/%u; %u commits left, ~%u steps%s",
			p->step, s7, p->run, p->runs, p->commits_left, p->steps_left, eta);
	else
		fprintf(stderr, "\r\033[K%s: %s, sample %u/%u%s", p->phase, s7, p->run, p->runs,
			eta);
	ctx->dirty = true;
	fflush(stderr);
}

/* Options anywhere; positionals collected in order. */
static int next_opt(struct pg_cli *cli, const char **arg, const char **pos, size_t *nr_pos)
{
	for (;;) {
		const char *a;

		if (cli->nextchar)
			return pg_cli_next(cli, arg);
		if (cli->optind >= cli->argc)
			return -1;
		a = cli->argv[cli->optind];
		if (a[0] != '-' || a[1] == '\0') {
			if (*nr_pos < 4)
				pos[*nr_pos] = a;
			(*nr_pos)++;
			cli->optind++;
			continue;
		}
		if (!strcmp(a, "--")) {
			cli->optind++;
			while (cli->optind < cli->argc) {
				if (*nr_pos < 4)
					pos[*nr_pos] = cli->argv[cli->optind];
				(*nr_pos)++;
				cli->optind++;
			}
			return -1;
		}
		return pg_cli_next(cli, arg);
	}
}

static char *absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (!path || !strcmp(path, "-") || path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return path ? pg_xstrdup(path) : NULL;
	return pg_xasprintf("%s/%s", cwd, path);
}

static int write_out(const char *path, const char *data, size_t len, struct pg_err *err)
{
	if (!strcmp(path, "-")) {
		fwrite(data, 1, len, stdout);
		return 0;
	}
	return pg_file_write(path, data, len, err);
}

/* Keep a rendering of the finished bisect for --continue; a failure is a warning. */
static void keep(struct pg_git *g, const char *name, const char *data, size_t len)
{
	struct pg_err err = PG_ERR_INIT;
	char *path = NULL;

	if (pg_bisect_state_file(g, name, &path, &err) < 0 ||
	    pg_file_write(path, data, len, &err) < 0)
		fprintf(stderr, "perfgate: warning: the report is not kept for --continue: %s\n",
			err.msg);
	free(path);
}

/*
 * --continue on a finished bisect: its report again, and the files asked
 * for, from the renderings kept when it finished. 1 when none were kept.
 */
static int reprint(struct pg_git *g, const struct pg_bisect_journal *j, const char *json,
		   const char *md, const char *svg, int *code)
{
	static const char *const names[] = {"report.txt", "report.json", "report.md", "report.svg"};
	const char *dest[] = {NULL, json, md, svg};
	struct pg_buf b = PG_BUF_INIT;
	struct pg_err err = PG_ERR_INIT;
	const char *status = "found";
	char *path = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; i < j->nr_recs; i++)
		if (j->recs[i].kind == PG_BISECT_REC_DONE)
			status = j->recs[i].tag;
	*code = !strcmp(status, "found") ? PG_EXIT_OK : PG_EXIT_INCONCLUSIVE;
	for (i = 0; i < PG_ARRAY_SIZE(names); i++) {
		if (i && !dest[i])
			continue;
		free(path);
		path = NULL;
		pg_buf_reset(&b);
		pg_err_clear(&err);
		if (pg_bisect_state_file(g, names[i], &path, &err) < 0 || access(path, F_OK) < 0 ||
		    pg_file_read(path, PG_BISECT_JOURNAL_MAX, &b, &err) < 0) {
			if (i == 0) {
				ret = 1; /* finished before reports were kept */
				goto done;
			}
			fprintf(stderr, "perfgate: warning: no %s written to %s: %s\n",
				i == 3 ? "flame graph" : "report", dest[i],
				i == 3 ? "no culprit was profiled" : "it was not kept");
			continue;
		}
		if (i == 0) {
			fprintf(stderr,
				"perfgate: the bisect of %.7s..%.7s is finished (%s); its report "
				"(perfgate bisect --reset starts over):\n",
				j->good, j->bad, status);
			fwrite(b.data, 1, b.len, json && !strcmp(json, "-") ? stderr : stdout);
		} else if (write_out(dest[i], b.data, b.len, &err) < 0) {
			pg_fail(&err);
			*code = PG_EXIT_INFRA;
		}
	}
done:
	free(path);
	pg_buf_release(&b);
	return ret;
}

static void print_log(const struct pg_bisect_journal *j, FILE *out)
{
	char s7[8], s7b[8], s7c[8];
	size_t i;
	unsigned steps = 0;

	fprintf(out, "bisect of %s..%s, benchmark '%s', metric %s, %s\n", pg_git_short(j->good, s7),
		pg_git_short(j->bad, s7b), j->bench, j->metric,
		j->first_parent ? "first parents" : "all parents");
	for (i = 0; i < j->nr_recs; i++) {
		const struct pg_bisect_rec *r = &j->recs[i];

		switch (r->kind) {
		case PG_BISECT_REC_PAIR:
			fprintf(out, "  %-8s %s %.6g  %s %.6g\n", r->tag, pg_git_short(r->a, s7),
				r->va, pg_git_short(r->b, s7b), r->vb);
			break;
		case PG_BISECT_REC_TRIP:
			fprintf(out, "  triplet  %s %.6g  %s %.6g  %s %.6g\n",
				pg_git_short(r->a, s7), r->va, pg_git_short(r->b, s7b), r->vb,
				pg_git_short(r->c, s7c), r->vc);
			break;
		case PG_BISECT_REC_SKIP:
			fprintf(out, "step %u: %s skipped (%s)\n", ++steps, pg_git_short(r->a, s7),
				!strcmp(r->tag, "exit125") ? "the benchmark exited 125"
							   : "build failed");
			break;
		case PG_BISECT_REC_CLASS:
			fprintf(out, "step %u: %s is %s (position %+.3f%s)\n", ++steps,
				pg_git_short(r->a, s7), r->tag, r->va, r->unsure ? ", unsure" : "");
			break;
		case PG_BISECT_REC_WARM:
			break;
		case PG_BISECT_REC_DONE:
			fprintf(out, "done: %s%s%s\n", r->tag, r->a[0] ? " " : "",
				r->a[0] ? pg_git_short(r->a, s7) : "");
			break;
		}
	}
	if (!j->done)
		fprintf(out, "(in progress: perfgate bisect --continue)\n");
}

static void print_warnings(const struct pg_bisect_result *res)
{
	for (size_t i = 0; i < res->nr_warnings; i++)
		fprintf(stderr, "perfgate: warning: %s\n", res->warnings[i]);
	if (res->nr_noted)
		fprintf(stderr,
			"perfgate: the measurements of %u commit%s kept as notes (%s; share with "
			"git push origin %s)\n",
			res->nr_noted, res->nr_noted == 1 ? "" : "s", PG_NOTES_REF, PG_NOTES_REF);
}

int cmd_bisect(int argc, char **argv)
{
	struct pg_cli cli = PG_CLI_INIT(
	    argc, argv, "bisect",
	    "GOOD..BAD [-b NAME] [--metric M] [--json FILE] "
	    "[--markdown FILE] [--svg FILE] [--no-notes] | --continue | --log | --reset",
	    description, opts);
	struct pg_bisect_opts bo = PG_BISECT_OPTS_INIT;
	struct pg_bisect_result res;
	struct pg_bisect_journal j;
	struct pg_config cfg = PG_CONFIG_INIT;
	struct pg_err err = PG_ERR_INIT;
	struct pg_git *g = NULL;
	struct prog_ctx pctx = {false, false};
	struct pg_buf text = PG_BUF_INIT;
	const char *pos[4] = {NULL}, *arg, *config = NULL, *nc = getenv("NO_COLOR"),
		   *ci = getenv("CI");
	char *json = NULL, *md = NULL, *svg = NULL, *config_owned = NULL, *range = NULL;
	size_t nr_pos = 0;
	bool cont = false, log = false, reset = false, have_j = false, have_res = false;
	int c, ret = PG_EXIT_USAGE;

	pg_bisect_result_init(&res);
	memset(&j, 0, sizeof(j));
	while ((c = next_opt(&cli, &arg, pos, &nr_pos)) != -1) {
		switch (c) {
		case 'c':
			config = arg;
			break;
		case 'b':
			bo.bench = arg;
			break;
		case PG_CLI_LONG(2):
			bo.metric = arg;
			break;
		case PG_CLI_LONG(3):
			bo.first_parent = false;
			break;
		case 'j':
			free(json);
			json = absolute(arg);
			break;
		case PG_CLI_LONG(5):
			free(md);
			md = absolute(arg);
			break;
		case PG_CLI_LONG(6):
			free(svg);
			svg = absolute(arg);
			break;
		case PG_CLI_LONG(7): {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(arg, &end, 10);
			if (errno || *end || end == arg || arg[0] == '-' || v < 1 || v > 1000) {
				pg_cli_usage_error(&cli, "--profile-runs wants 1 to 1000, not '%s'",
						   arg);
				goto done;
			}
			bo.profile_runs = (unsigned)v;
			break;
		}
		case PG_CLI_LONG(8):
			cont = true;
			break;
		case PG_CLI_LONG(9):
			log = true;
			break;
		case PG_CLI_LONG(10):
			reset = true;
			break;
		case PG_CLI_LONG(11):
			bo.no_notes = true;
			break;
		case PG_CLI_LONG(12):
			bo.cross_check = true;
			break;
		case 'h':
			ret = PG_EXIT_OK;
			goto done;
		default:
			goto done;
		}
	}
	if ((cont + log + reset) > 1) {
		pg_cli_usage_error(&cli, "--continue, --log and --reset go alone");
		goto done;
	}
	if ((cont || log || reset) && nr_pos) {
		pg_cli_usage_error(&cli, "--%s takes no range",
				   cont	 ? "continue"
				   : log ? "log"
					 : "reset");
		goto done;
	}
	if (!cont && !log && !reset) {
		const char *dots;

		if (nr_pos == 2) {
			bo.good = pos[0];
			bo.bad = pos[1];
		} else if (nr_pos == 1 && (dots = strstr(pos[0], "..")) &&
			   !strstr(dots + 2, "..") && dots[2] != '.') {
			range = pg_xstrdup(pos[0]);
			range[dots - pos[0]] = '\0';
			bo.good = range;
			bo.bad = range + (dots - pos[0]) + 2;
			if (!*bo.bad)
				bo.bad = "HEAD";
			if (!*bo.good) {
				pg_cli_usage_error(&cli, "the range '%s' has no good end", pos[0]);
				goto done;
			}
		} else {
			pg_cli_usage_error(&cli,
					   nr_pos ? "expected one range GOOD..BAD, not '%s'"
						  : "expected a range GOOD..BAD%s",
					   nr_pos ? pos[0] : "");
			goto done;
		}
	}

	if (pg_git_open(&g, ".", &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	if (reset) {
		if (pg_bisect_reset(g, &err) < 0) {
			ret = pg_fail(&err);
			goto done;
		}
		fprintf(stderr, "perfgate: bisect state removed\n");
		ret = PG_EXIT_OK;
		goto done;
	}
	if (log || cont) {
		int k = pg_bisect_journal_load(g, &j, &err);

		if (k < 0) {
			ret = pg_fail(&err);
			goto done;
		}
		if (k == 1) {
			if (log) {
				printf("no bisect\n");
				ret = PG_EXIT_OK;
			} else {
				pg_err_set(&err, PG_ERR_USAGE,
					   "no bisect to continue (start one "
					   "with perfgate bisect GOOD..BAD)");
				ret = pg_fail(&err);
			}
			goto done;
		}
		have_j = true;
		if (log) {
			print_log(&j, stdout);
			ret = PG_EXIT_OK;
			goto done;
		}
		if (j.done && reprint(g, &j, json, md, svg, &ret) == 0)
			goto done;
		if (j.done) {
			/* finished by a perfgate that kept no report */
			fprintf(stderr,
				"perfgate: the bisect of %.7s..%.7s is finished (see "
				"perfgate bisect --log); nothing to continue\n",
				j.good, j.bad);
			ret = PG_EXIT_OK;
			goto done;
		}
		/* outputs from the command line win over the saved ones */
		if (!json && j.json)
			json = pg_xstrdup(j.json);
		if (!md && j.markdown)
			md = pg_xstrdup(j.markdown);
		if (!svg && j.svg)
			svg = pg_xstrdup(j.svg);
		bo.resume = true;
	}
	if (!config) {
		const char *wd = pg_git_workdir(g);

		config = config_owned = pg_xasprintf("%sperfgate.yml", wd && *wd ? wd : "");
	}
	if (pg_config_load(&cfg, config, &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}
	bo.json = json;
	bo.markdown = md;
	bo.svg = svg;
	pctx.tty = isatty(2) && !(nc && nc[0]) && !(ci && ci[0]);
	bo.progress = on_progress;
	bo.progress_ctx = &pctx;
	have_res = true;
	if (pg_bisect_run(&res, g, &cfg, &bo, &err) < 0) {
		if (pctx.dirty)
			fprintf(stderr, "\r\033[K");
		print_warnings(&res);
		pg_fail(&err);
		if (err.kind == PG_ERR_INTERRUPTED || pg_sig_received()) {
			fprintf(stderr, "perfgate: bisect interrupted; the journal is kept: "
					"perfgate bisect --continue resumes it\n");
			ret = pg_sig_exit_code() ? pg_sig_exit_code() : PG_EXIT_SIGINT;
		} else {
			ret = pg_exit_for(&err);
		}
		goto done;
	}
	if (pctx.dirty)
		fprintf(stderr, "\r\033[K");
	print_warnings(&res);
	pg_report_bisect_text(&text, &res);
	fwrite(text.data, 1, text.len, json && !strcmp(json, "-") ? stderr : stdout);
	keep(g, "report.txt", text.data, text.len);
	switch (res.status) {
	case PG_BISECT_FOUND:
		ret = PG_EXIT_OK;
		break;
	case PG_BISECT_NO_DIFFERENCE: {
		char a[8], b[8];

		fprintf(stderr,
			"perfgate: good commit %s is not faster than bad %s: nothing to "
			"bisect\n",
			pg_git_short(res.good, a), pg_git_short(res.bad, b));
		ret = PG_EXIT_INCONCLUSIVE;
		break;
	}
	case PG_BISECT_AMBIGUOUS:
		fprintf(stderr,
			"perfgate: skipped commits leave %zu candidates (build logs in %s)\n",
			res.nr_candidates, res.build_log_dir);
		ret = PG_EXIT_INCONCLUSIVE;
		break;
	case PG_BISECT_UNCONFIRMED:
		fprintf(stderr, "perfgate: the first bad commit does not differ from its parent: "
				"the regression may be spread over several commits, or too small "
				"for the benchmark's repeat.max\n");
		ret = PG_EXIT_INCONCLUSIVE;
		break;
	}
	/* every rendering is kept, for --continue on the finished bisect */
	{
		char *doc = pg_report_bisect_json(&res);

		keep(g, "report.json", doc, strlen(doc));
		if (json && write_out(json, doc, strlen(doc), &err) < 0) {
			pg_fail(&err);
			ret = PG_EXIT_INFRA;
		}
		free(doc);
	}
	pg_buf_reset(&text);
	pg_report_bisect_markdown(&text, &res);
	keep(g, "report.md", text.data, text.len);
	if (md && write_out(md, text.data, text.len, &err) < 0) {
		pg_fail(&err);
		ret = PG_EXIT_INFRA;
	}
	if (res.profiled && !res.profile_error) {
		char s7[8], p7[8], *title;

		pg_buf_reset(&text);
		title = pg_xasprintf("%s: %s -> %s", res.bench, pg_git_short(res.parent, p7),
				     pg_git_short(res.culprit, s7));
		if (pg_svg_diff(&text, &res.before, &res.after, title, &err) < 0) {
			if (svg) {
				pg_fail(&err);
				ret = PG_EXIT_INFRA;
			}
		} else {
			keep(g, "report.svg", text.data, text.len);
			if (svg && write_out(svg, text.data, text.len, &err) < 0) {
				pg_fail(&err);
				ret = PG_EXIT_INFRA;
			}
		}
		free(title);
	} else if (svg) {
		fprintf(stderr, "perfgate: warning: no flame graph written to %s: %s\n", svg,
			res.profile_error ? res.profile_error : "no culprit was profiled");
	}
done:
	if (have_res)
		pg_bisect_result_release(&res);
	if (have_j)
		pg_bisect_journal_release(&j);
	pg_config_release(&cfg);
	pg_git_free(g);
	pg_buf_release(&text);
	free(json);
	free(md);
	free(svg);
	free(config_owned);
	free(range);
	return ret;
}
