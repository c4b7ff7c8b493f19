#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchfmt.h"
#include "proc.h"

#define STDERR_TAIL 700 /* bytes of a failed run's stderr quoted in the message */
#define CALLGRIND_MAX (64u * 1024 * 1024)

/* The benchmark's working directory: root joined with its cwd. Caller frees. */
static char *bench_dir(const struct pg_bench_cfg *b, const struct pg_bench_opts *o)
{
	const char *root = o->root && o->root[0] ? o->root : ".";

	if (!b->cwd || !b->cwd[0])
		return pg_xstrdup(root);
	if (b->cwd[0] == '/')
		return pg_xstrdup(b->cwd);
	return pg_xasprintf("%s/%s", root, b->cwd);
}

int pg_bench_check(const struct pg_bench_cfg *b, const struct pg_bench_opts *o, struct pg_err *err)
{
	char *dir = bench_dir(b, o);
	struct stat st;
	int ret = -1;

	if (stat(dir, &st) < 0) {
		pg_err_set(err, PG_ERR_INFRA, "benchmark '%s': working directory '%s': %s", b->name,
			   dir, strerror(errno));
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		pg_err_set(err, PG_ERR_INFRA,
			   "benchmark '%s': working directory '%s': Not a directory", b->name, dir);
		goto done;
	}
	if (pg_proc_check_cmd(b->run, dir, err) < 0) {
		pg_err_prefix(err, "benchmark '%s'", b->name);
		goto done;
	}
	ret = 0;
done:
	free(dir);
	return ret;
}

static void run_label(char *buf, size_t size, unsigned i, unsigned n, bool warmup)
{
	if (warmup)
		snprintf(buf, size, "warm-up run %u", i);
	else if (n)
		snprintf(buf, size, "run %u/%u", i, n);
	else
		snprintf(buf, size, "run %u", i);
}

/* The last lines of stderr, printable, for a failure message. */
static void add_tail(struct pg_buf *msg, const struct pg_buf *text)
{
	const char *s = text->data ? text->data : "";
	size_t len = text->len, start = len > STDERR_TAIL ? len - STDERR_TAIL : 0, i;

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (start >= len)
		return;
	if (start) {
		const char *nl = memchr(s + start, '\n', len - start);

		if (nl)
			start = (size_t)(nl - s) + 1;
	}
	pg_buf_adds(msg, "; stderr ends with:\n  | ");
	for (i = start; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			pg_buf_adds(msg, "\n  | ");
		else if (c == '\t' || c >= 0x20)
			pg_buf_addc(msg, (char)c);
		else
			pg_buf_addf(msg, "\\x%02x", c);
	}
}

static bool has_warning(const struct pg_result_bench *res, const char *prefix)
{
	size_t i;

	for (i = 0; i < res->nr_warnings; i++)
		if (pg_str_startswith(res->warnings[i], prefix))
			return true;
	return false;
}

static bool exit_ok(const struct pg_bench_cfg *b, int code, bool *ignored)
{
	size_t i;

	*ignored = false;
	if (code == 0)
		return true;
	for (i = 0; i < b->nr_ignore_exit; i++)
		if (b->ignore_exit[i] == code) {
			*ignored = true;
			return true;
		}
	return false;
}

/*
 * Judge a finished run: 0 ok, -1 failed, PG_BENCH_SKIP for exit 125.
 * label is "run 4/10" etc.
 */
static int judge(const struct pg_bench_cfg *b, const struct pg_proc_result *pr, const char *label,
		 struct pg_result_bench *res, bool *ignored, struct pg_err *err)
{
	struct pg_buf msg = PG_BUF_INIT;
	char what[128];
	int ret = -1;

	*ignored = false;
	res->status = pg_proc_status_code(pr);
	if (pr->strays && !has_warning(res, "left ")) {
		if (pr->stray_daemons)
			pg_result_bench_warn(
			    res,
			    "left %u process(es) running after %s, %u of them outside "
			    "its process group (a setsid daemon?); killed",
			    pr->strays, label, pr->stray_daemons);
		else
			pg_result_bench_warn(res, "left %u process(es) running after %s; killed",
					     pr->strays, label);
	}
	if (pr->status == PG_PROC_EXITED && exit_ok(b, pr->exit_code, ignored))
		return 0;
	pg_proc_describe(pr, b->timeout_ns, what, sizeof(what));
	pg_buf_addf(&msg, "benchmark '%s': %s %s", b->name, label, what);
	if (pr->status == PG_PROC_EXITED && pr->exit_code == PG_BENCH_SKIP_EXIT) {
		pg_buf_adds(&msg, " (skip: the benchmark cannot run on this revision)");
		ret = PG_BENCH_SKIP;
	}
	if (pr->status != PG_PROC_TIMEOUT)
		add_tail(&msg, &pr->err);
	pg_err_set(err, PG_ERR_INFRA, "%s", pg_buf_cstr(&msg));
	pg_buf_release(&msg);
	return ret;
}

static void proc_opts(const struct pg_bench_cfg *b, const struct pg_bench_opts *o, const char *dir,
		      struct pg_proc_opts *po)
{
	struct pg_proc_opts init = PG_PROC_OPTS_INIT;

	*po = init;
	po->cmd = b->run;
	po->cwd = dir;
	po->env_add = b->env;
	po->nr_env_add = b->nr_env;
	po->timeout_ns = b->timeout_ns;
	po->grace_ns = o->grace_ns;
	po->out_cap = o->out_cap;
}

/* One run; counted runs add samples to res. */
static int run_one(const struct pg_bench_cfg *b, const struct pg_bench_opts *o, bool warmup,
		   unsigned i, unsigned n, struct pg_result_bench *res, struct pg_err *err)
{
	struct pg_proc_result pr = PG_PROC_RESULT_INIT;
	struct pg_proc_opts po;
	char *dir = bench_dir(b, o);
	char label[64];
	bool ignored = false;
	int ret = -1, r;

	run_label(label, sizeof(label), i, n, warmup);
	if (o->progress)
		o->progress(o->progress_ctx, b->name, warmup ? "warm-up" : "run", i, n);
	proc_opts(b, o, dir, &po);
	if (pg_proc_run(&po, &pr, err) < 0) {
		if (err && err->kind != PG_ERR_INTERRUPTED)
			pg_err_prefix(err, "benchmark '%s': %s", b->name, label);
		goto done;
	}
	r = judge(b, &pr, label, res, &ignored, err);
	if (r < 0) {
		ret = r;
		goto done;
	}
	if (b->output != PG_OUTPUT_NONE) {
		struct pg_result_bench scratch = {0};
		char *name;

		if (pr.out_truncated) {
			pg_err_set(err, PG_ERR_INFRA,
				   "benchmark '%s': %s: output of %llu bytes is larger than the "
				   "%zu bytes kept; "
				   "cannot read its %s results",
				   b->name, label, (unsigned long long)pr.out_bytes,
				   o->out_cap ? o->out_cap : (size_t)PG_PROC_OUT_CAP_DEFAULT,
				   pg_benchfmt_name(b->output));
			goto done;
		}
		name = pg_xasprintf("benchmark '%s' output (%s)", b->name, label);
		r = pg_benchfmt_parse(b->output, name, pg_buf_cstr(&pr.out), pr.out.len,
				      warmup ? &scratch : res, NULL, err);
		free(name);
		pg_result_bench_release(&scratch);
		if (r < 0)
			goto done;
	}
	if (warmup) {
		res->warmup++;
	} else {
		pg_result_metric_add(pg_result_metric(res, "wall", "ns", PG_DIR_LOWER),
				     (double)pr.wall_ns);
		pg_result_metric_add(pg_result_metric(res, "user", "ns", PG_DIR_LOWER),
				     (double)pr.user_ns);
		pg_result_metric_add(pg_result_metric(res, "sys", "ns", PG_DIR_LOWER),
				     (double)pr.sys_ns);
		pg_result_metric_add(pg_result_metric(res, "cpu", "ns", PG_DIR_LOWER),
				     (double)(pr.user_ns + pr.sys_ns));
		pg_result_metric_add(pg_result_metric(res, "max_rss", "bytes", PG_DIR_LOWER),
				     (double)pr.max_rss_bytes);
		res->runs++;
		if (ignored)
			res->ignored_exits++;
	}
	ret = 0;
done:
	pg_proc_result_release(&pr);
	free(dir);
	return ret;
}

int pg_bench_run(const struct pg_bench_cfg *b, const struct pg_bench_opts *o, unsigned warmup,
		 unsigned repeat, struct pg_result_bench *res, struct pg_err *err)
{
	unsigned i, first = res->runs;
	int r;

	for (i = 1; i <= warmup; i++)
		if ((r = run_one(b, o, true, i, warmup, res, err)) < 0)
			return r;
	for (i = 1; i <= repeat; i++)
		if ((r = run_one(b, o, false, first + i,
				 o->run_total ? o->run_total : first + repeat, res, err)) < 0)
			return r;
	if (b->instructions && !pg_result_find_metric(res, "instructions"))
		return pg_bench_instructions(b, o, res, err);
	return 0;
}

int pg_bench_sample(const struct pg_bench_cfg *b, const struct pg_bench_opts *o,
		    struct pg_result_bench *res, struct pg_err *err)
{
	return run_one(b, o, false, res->runs + 1, o->run_total, res, err);
}

int pg_bench_callgrind_total(const char *text, uint64_t *out)
{
	const char *p = text, *found = NULL;

	/* "totals:" is the newer spelling; "summary:" is always there. Prefer totals. */
	while (p && *p) {
		if (!strncmp(p, "totals:", 7)) {
			found = p + 7;
			break;
		}
		if (!strncmp(p, "summary:", 8) && !found)
			found = p + 8;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!found)
		return -1;
	while (*found == ' ' || *found == '\t')
		found++;
	if (*found < '0' || *found > '9')
		return -1;
	errno = 0;
	*out = strtoull(found, NULL, 10);
	return errno ? -1 : 0;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char *p;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			p = pg_xasprintf("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

int pg_bench_instructions(const struct pg_bench_cfg *b, const struct pg_bench_opts *o,
			  struct pg_result_bench *res, struct pg_err *err)
{
	struct pg_proc_result pr = PG_PROC_RESULT_INIT;
	struct pg_proc_opts po;
	struct pg_buf file = PG_BUF_INIT;
	const char *tmp = getenv("TMPDIR");
	char *dir = bench_dir(b, o), *tdir = NULL, *outopt = NULL, **split = NULL;
	char *argv[16];
	size_t n = 0, nsplit, i;
	uint64_t total = 0;
	unsigned files = 0;
	bool ignored;
	DIR *d = NULL;
	struct dirent *e;
	int ret = -1, r;

	if (pg_proc_check_cmd("valgrind", NULL, err) < 0) {
		pg_err_prefix(err, "benchmark '%s': counting instructions needs valgrind", b->name);
		goto done;
	}
	tdir = pg_xasprintf("%s/perfgate-callgrind.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(tdir)) {
		pg_err_set(err, PG_ERR_INFRA,
			   "benchmark '%s': cannot make a temporary directory in "
			   "'%s' (TMPDIR): %s",
			   b->name, tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
		free(tdir);
		tdir = NULL;
		goto done;
	}
	if (o->progress)
		o->progress(o->progress_ctx, b->name, "callgrind", 1, 1);
	outopt = pg_xasprintf("--callgrind-out-file=%s/callgrind.%%p", tdir);
	argv[n++] = "valgrind";
	argv[n++] = "--tool=callgrind";
	argv[n++] = "--trace-children=yes";
	argv[n++] = "--quiet";
	argv[n++] = outopt;
	argv[n++] = "--";
	nsplit = pg_proc_split(b->run, &split);
	if (nsplit > 0 && nsplit < PG_ARRAY_SIZE(argv) - n - 1) {
		for (i = 0; i < nsplit; i++)
			argv[n++] = split[i];
	} else {
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = b->run;
	}
	argv[n] = NULL;
	proc_opts(b, o, dir, &po);
	po.argv = argv;
	po.timeout_ns = b->timeout_ns ? b->timeout_ns * 50 : 0;
	if (pg_proc_run(&po, &pr, err) < 0) {
		if (err && err->kind != PG_ERR_INTERRUPTED)
			pg_err_prefix(err, "benchmark '%s': callgrind run", b->name);
		goto done;
	}
	if ((r = judge(b, &pr, "callgrind run", res, &ignored, err)) < 0) {
		ret = r;
		goto done;
	}
	d = opendir(tdir);
	if (!d && errno == ENOMEM)
		pg_die_oom(0); /* not "callgrind wrote no instruction totals" */
	while (d && (e = readdir(d))) {
		char *path;
		uint64_t v;

		if (strncmp(e->d_name, "callgrind.", 10))
			continue;
		path = pg_xasprintf("%s/%s", tdir, e->d_name);
		pg_buf_reset(&file);
		r = pg_file_read(path, CALLGRIND_MAX, &file, err);
		free(path);
		if (r < 0) {
			err->kind = PG_ERR_INFRA;
			pg_err_prefix(err, "benchmark '%s': callgrind output", b->name);
			goto done;
		}
		if (pg_bench_callgrind_total(pg_buf_cstr(&file), &v) == 0) {
			total += v;
			files++;
		}
	}
	if (!files) {
		pg_err_set(err, PG_ERR_INFRA,
			   "benchmark '%s': callgrind wrote no instruction totals", b->name);
		goto done;
	}
	pg_result_metric_add(pg_result_metric(res, "instructions", "count", PG_DIR_LOWER),
			     (double)total);
	ret = 0;
done:
	if (d)
		closedir(d);
	if (tdir)
		remove_dir(tdir);
	pg_buf_release(&file);
	pg_proc_result_release(&pr);
	free(split);
	free(outopt);
	free(tdir);
	free(dir);
	return ret;
}
