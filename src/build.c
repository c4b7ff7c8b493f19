/*
 * build: the config's build command in a tree (see build.h).
 */
#include <string.h>

#include "build.h"
#include "proc.h"

static void add_tail(struct pg_buf *msg, const char *name, const struct pg_buf *log)
{
	const char *s = log->data ? log->data : "";
	size_t len = log->len, start;

	while (len && s[len - 1] == '\n')
		len--;
	start = len > PG_BUILD_LOG_TAIL / 2 ? len - PG_BUILD_LOG_TAIL / 2 : 0;
	if (start < len)
		pg_buf_addf(msg, "\n%s ends with:\n%.*s", name, (int)(len - start), s + start);
}

int pg_build_run(const struct pg_config *cfg, const char *dir, struct pg_buf *log,
		 struct pg_err *err)
{
	struct pg_proc_opts o = PG_PROC_OPTS_INIT;
	struct pg_proc_result pr = PG_PROC_RESULT_INIT;
	struct pg_buf msg = PG_BUF_INIT;
	char what[128];
	int ret = -1;

	if (!cfg->build || !cfg->build[0])
		return 0;
	o.cmd = cfg->build;
	o.cwd = dir;
	o.force_shell = true;
	o.timeout_ns = cfg->build_timeout_ns;
	o.out_cap = 256 * 1024;
	if (pg_proc_run(&o, &pr, err) < 0) {
		if (err->kind != PG_ERR_INTERRUPTED)
			pg_err_prefix(err, "build");
		goto done;
	}
	if (log) {
		if (pr.out.len)
			pg_buf_add(log, pr.out.data, pr.out.len);
		if (pr.err.len)
			pg_buf_add(log, pr.err.data, pr.err.len);
	}
	if (pr.status == PG_PROC_EXITED && pr.exit_code == 0) {
		ret = 0;
		goto done;
	}
	pg_buf_addf(&msg, "build failed (%s): %s",
		    pg_proc_describe(&pr, o.timeout_ns, what, sizeof(what)), cfg->build);
	add_tail(&msg, "stdout", &pr.out);
	add_tail(&msg, "stderr", &pr.err);
	pg_err_set(err, PG_ERR_INFRA, "%s", pg_buf_cstr(&msg));
	ret = PG_BUILD_FAILED;
done:
	pg_buf_release(&msg);
	pg_proc_result_release(&pr);
	return ret;
}
