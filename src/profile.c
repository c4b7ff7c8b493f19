#include "profile.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "prof_read.h"
#include "util.h"

int pg_profile_profiler_parse(const char *name, enum pg_profiler *out)
{
	if (!strcmp(name, "perf"))
		*out = PG_PROFILER_PERF;
	else if (!strcmp(name, "callgrind"))
		*out = PG_PROFILER_CALLGRIND;
	else
		return -1;
	return 0;
}

int pg_profile_call_graph_parse(const char *name, enum pg_call_graph *out)
{
	if (!strcmp(name, "dwarf"))
		*out = PG_CALL_GRAPH_DWARF;
	else if (!strcmp(name, "fp"))
		*out = PG_CALL_GRAPH_FP;
	else if (!strcmp(name, "none"))
		*out = PG_CALL_GRAPH_NONE;
	else
		return -1;
	return 0;
}

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = -100;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -100;
		fclose(f);
	}
	return v;
}

/* The last non-empty line of a captured stream, for messages. */
static void last_line(const struct pg_buf *b, char *out, size_t size)
{
	const char *s = b->data ? b->data : "", *end = s + b->len, *start;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	for (start = end; start > s && start[-1] != '\n'; start--)
		;
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

/*
 * perf's own warning about a damaged recording, joined into one line: from the
 * first line that says WARNING or "failed to process" (perf script's words for
 * a perf.data cut short or corrupted), up to three lines. Empty when none.
 */
static void perf_warning(const struct pg_buf *b, char *out, size_t size)
{
	const char *s = b->data ? b->data : "", *w = NULL, *p;
	static const char *const marks[] = {"WARNING", "Warning:", "failed to process",
					    "incompatible file format", "file truncated"};
	size_t i, n = 0;
	unsigned lines = 0;

	for (i = 0; i < PG_ARRAY_SIZE(marks); i++) {
		p = strstr(s, marks[i]);
		if (p && (!w || p < w))
			w = p;
	}
	*out = 0;
	if (!w)
		return;
	while (w > s && w[-1] != '\n')
		w--;
	for (p = w; *p && lines < 3 && n + 1 < size; p++) {
		if (*p == '\n') {
			lines++;
			while (p[1] == '\n')
				p++;
			if (!p[1] || lines >= 3)
				break;
			out[n++] = ' ';
		} else if ((unsigned char)*p >= 0x20) {
			out[n++] = *p;
		}
	}
	out[n] = 0;
}

/* Did perf script, which exited 0, warn that the recording is damaged? */
static bool perf_data_damaged(const char *warning)
{
	return strstr(warning, "data size field is 0") || strstr(warning, "truncated") ||
	       strstr(warning, "corrupt") || strstr(warning, "failed to process") ||
	       strstr(warning, "properly terminated");
}

/* Run argv through proc; a failure to start, a timeout, a signal or a
 * non-zero exit is an error naming what. */
static int run(char *const *argv, const char *what, const struct pg_profile_opts *o,
	       bool keep_out, struct pg_proc_result *r, struct pg_err *err)
{
	struct pg_proc_opts po = PG_PROC_OPTS_INIT;
	char desc[256];

	po.cmd = what;
	po.argv = argv;
	po.cwd = o->cwd;
	po.env_add = o->env;
	po.nr_env_add = o->nr_env;
	po.timeout_ns = o->timeout_ns;
	po.out_cap = keep_out ? PG_PROFILE_SCRIPT_CAP : 0;
	if (pg_proc_run(&po, r, err) < 0)
		return -1;
	if (keep_out && r->out_truncated)
		return pg_err_set(err, PG_ERR_INFRA, "%s: output larger than %zu bytes", what,
				  (size_t)PG_PROFILE_SCRIPT_CAP);
	if (r->status != PG_PROC_EXITED || r->exit_code != 0) {
		char line[512];
		last_line(&r->err, line, sizeof(line));
		return pg_err_set(err, PG_ERR_INFRA, "%s %s%s%s", what,
				  pg_proc_describe(r, o->timeout_ns, desc, sizeof(desc)),
				  *line ? ": " : "", line);
	}
	return 0;
}

static int perf_denied(const struct pg_proc_result *r)
{
	const char *e = r->err.data ? r->err.data : "";

	return strstr(e, "perf_event_paranoid") || strstr(e, "Permission denied") ||
	       strstr(e, "EACCES") || strstr(e, "Operation not permitted") ||
	       strstr(e, "No permission");
}

static int record_perf(struct pg_prof *one, const struct pg_profile_opts *o, unsigned i,
		       struct pg_err *err)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	char *data = pg_xasprintf("%s/perf.%u.data", o->scratch_dir, i);
	char freq[32];
	char *rec[] = { "perf", "record", "-q", "-e", "cpu-clock", "-F", freq, "--call-graph",
			o->call_graph == PG_CALL_GRAPH_FP ? "fp" : "dwarf", "-o", data, "--",
			"/bin/sh", "-c", (char *)o->cmd, NULL };
	char *what = NULL, warn[512], desc[128];
	char *script[] = { "perf", "script", "-i", data, "-F",
			   "comm,pid,tid,time,period,event,ip,sym,dso", NULL };
	int ret = -1;

	snprintf(freq, sizeof(freq), "%u", o->frequency_hz ? o->frequency_hz : 999);
	if (o->call_graph == PG_CALL_GRAPH_NONE) {
		/* no call graph: leave out "--call-graph MODE", leaf frames only */
		memmove(&rec[7], &rec[9], sizeof(rec) - 9 * sizeof(rec[0]));
	}
	if (run(rec, "perf record", o, false, &r, err) < 0) {
		if (err->kind != PG_ERR_INTERRUPTED && perf_denied(&r))
			pg_err_set(err, PG_ERR_INFRA,
				   "perf is not permitted to profile here: perf_event_paranoid is %d "
				   "(user-space profiling needs 2 or less, or CAP_PERFMON): "
				   "no profile, no verdict",
				   paranoid_level());
		goto done;
	}
	pg_proc_result_release(&r);
	what = pg_xasprintf("perf script -i %s", data);
	if (run(script, what, o, true, &r, err) < 0) {
		if (err->kind == PG_ERR_INTERRUPTED || r.status == PG_PROC_TIMEOUT)
			goto done;
		perf_warning(&r.err, warn, sizeof(warn));
		if (*warn ||
		    (r.status == PG_PROC_SIGNALED && (r.signal == SIGBUS || r.signal == SIGSEGV)))
			pg_err_set(err, PG_ERR_INFRA,
				   "%s %s: the recording is damaged or truncated (%s); "
				   "no profile, no verdict",
				   what, pg_proc_describe(&r, o->timeout_ns, desc, sizeof(desc)),
				   *warn ? warn : "perf gave no reason");
		goto done;
	}
	perf_warning(&r.err, warn, sizeof(warn));
	if (*warn && perf_data_damaged(warn)) {
		pg_err_set(err, PG_ERR_INFRA,
			   "%s: the recording is damaged or truncated (%s); no profile, no verdict",
			   what, warn);
		goto done;
	}
	if (pg_prof_read_mem(one, data, pg_buf_cstr(&r.out), r.out.len, PG_PROF_FMT_PERF_SCRIPT,
			     err) < 0)
		goto done;
	ret = 0;
done:
	pg_proc_result_release(&r);
	unlink(data);
	free(data);
	free(what);
	return ret;
}

static int record_callgrind(struct pg_prof *one, const struct pg_profile_opts *o, unsigned i,
			    struct pg_err *err)
{
	struct pg_proc_result r = PG_PROC_RESULT_INIT;
	char *file = pg_xasprintf("%s/callgrind.%u.out", o->scratch_dir, i);
	char *opt = pg_xasprintf("--callgrind-out-file=%s", file);
	char *vg[] = { "valgrind", "--tool=callgrind", "-q", "--trace-children=yes", opt,
		       "/bin/sh", "-c", (char *)o->cmd, NULL };
	char **split = NULL, **argv = vg;
	size_t n = pg_proc_split(o->cmd, &split), k;
	int ret = -1;

	if (n > 0) {
		/* a plain command runs without the shell, so the profile is the benchmark's alone */
		argv = pg_xcalloc(n + 6, sizeof(*argv));
		argv[0] = "valgrind";
		argv[1] = "--tool=callgrind";
		argv[2] = "-q";
		argv[3] = opt;
		for (k = 0; k < n; k++)
			argv[4 + k] = split[k];
	}
	if (run(argv, "valgrind --tool=callgrind", o, false, &r, err) < 0)
		goto done;
	if (pg_prof_read_file(one, file, PG_PROF_FMT_CALLGRIND, err) < 0)
		goto done;
	ret = 0;
done:
	pg_proc_result_release(&r);
	if (argv != vg)
		free(argv);
	free(split);
	unlink(file);
	free(file);
	free(opt);
	return ret;
}

int pg_profile_capture(struct pg_prof *out, const struct pg_profile_opts *o, struct pg_err *err)
{
	unsigned runs = o->runs ? o->runs : 1, i;

	pg_prof_init(out, o->profiler == PG_PROFILER_CALLGRIND ? PG_PROF_INSTRUCTIONS
							      : PG_PROF_SAMPLES);
	for (i = 0; i < runs; i++) {
		struct pg_prof one;
		int r;

		memset(&one, 0, sizeof(one));
		r = o->profiler == PG_PROFILER_CALLGRIND ? record_callgrind(&one, o, i, err)
							 : record_perf(&one, o, i, err);
		if (r == 0)
			pg_prof_merge(out, &one);
		pg_prof_release(&one);
		if (r < 0)
			return pg_err_prefix(err, "profiling '%s' (run %u of %u)", o->cmd, i + 1, runs);
	}
	out->runs = runs;
	if (out->total <= 0) {
		if (o->profiler == PG_PROFILER_CALLGRIND)
			return pg_err_set(err, PG_ERR_INFRA,
					  "callgrind counted no instructions for '%s'", o->cmd);
		return pg_err_set(err, PG_ERR_INFRA,
				  "perf recorded no samples of '%s' (perf_event_paranoid is %d; "
				  "missing -g? a run shorter than one sample at %u Hz?): no profile, "
				  "no verdict",
				  o->cmd, paranoid_level(), o->frequency_hz ? o->frequency_hz : 999);
	}
	return 0;
}
