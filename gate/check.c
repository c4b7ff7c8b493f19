/*
 * check: the gate's algorithm (see check.h).
 */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "adapt.h"
#include "bench.h"
#include "budget.h"
#include "build.h"
#include "config.h"
#include "git.h"
#include "machine.h"
#include "result.h"
#include "sig.h"
#include "stats.h"
#include "util.h"

#define DEFAULT_TOLERANCE 0.05
/* Seed of the order inside each pair: fixed, so a rerun makes the same order. */
#define PAIR_SEED 0x70657266676174ull

enum { BASE = 0, HEAD = 1 };

struct side {
	const char *role; /* "base", "head" */
	char oid[PG_OID_HEX];
	char s7[8];
	struct pg_config cfg;
	bool has_cfg;
	char *dir;	   /* its private worktree */
	char *build_error; /* why it did not build, or NULL */
};

struct measure_ctx;

struct side_progress {
	struct measure_ctx *m;
	int side;
};

struct measure_ctx {
	const struct pg_check_opts *o;
	struct side *sides[2];
	struct pg_bench_cfg b[2]; /* shallow copies: instructions follow the base */
	struct pg_bench_opts bo[2];
	struct pg_result_bench *res[2];
	struct side_progress sp[2];
	const char *metric; /* the metric the adaptive loop follows */
	unsigned target;    /* pairs planned so far (adapt's doubling), for progress */
	unsigned repeat_max;
	unsigned bench_i, nr_benches;
};

void pg_check_compare_from_verdict(struct pg_report_compare *out, const struct pg_stats_verdict *v)
{
	struct pg_report_compare init = PG_REPORT_COMPARE_INIT;

	*out = init;
	switch (v->kind) {
	case PG_STATS_SAME:
		out->verdict = PG_REPORT_VERDICT_SAME;
		break;
	case PG_STATS_DIFFERENT:
		out->verdict = PG_REPORT_VERDICT_DIFFERENT;
		break;
	case PG_STATS_UNKNOWN:
		out->verdict = PG_REPORT_VERDICT_UNKNOWN;
		break;
	}
	out->ratio = v->ratio;
	out->effect_ratio = v->hl_ratio;
	out->ci_low = v->ci_lo;
	out->ci_high = v->ci_hi;
	out->confidence = 1 - v->alpha;
	out->p_value = v->p;
	out->cv_base = v->noise.cv_a;
	out->cv_head = v->noise.cv_b;
	out->min_effect = v->noise.mde;
	out->runs_base = (unsigned)v->n_a;
	out->runs_head = (unsigned)v->n_b;
}

static void event(const struct pg_check_opts *o, enum pg_check_phase phase, const struct side *s,
		  const char *bench, unsigned bench_i, unsigned nr_benches, unsigned run,
		  unsigned runs, const char *detail)
{
	struct pg_check_event ev = {phase,	s->role, s->s7, bench, bench_i,
				    nr_benches, run,	 runs,	detail};

	if (o->progress)
		o->progress(o->progress_ctx, &ev);
}

static void bench_progress(void *vctx, const char *bench, const char *phase, unsigned i, unsigned n)
{
	struct side_progress *sp = vctx;
	struct measure_ctx *m = sp->m;
	enum pg_check_phase p = !strcmp(phase, "warm-up")     ? PG_CHECK_WARMUP
				: !strcmp(phase, "callgrind") ? PG_CHECK_CALLGRIND
							      : PG_CHECK_MEASURE;

	event(m->o, p, m->sides[sp->side], bench, m->bench_i, m->nr_benches, i,
	      p == PG_CHECK_MEASURE ? m->target : n, NULL);
}

static int interrupted(struct pg_err *err)
{
	int sig = pg_sig_received();

	return pg_err_set(err, PG_ERR_INTERRUPTED, "interrupted by %s",
			  sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "SIGINT");
}

/* One more sample of a side: the adaptive loop's callback. */
static int measure(void *vctx, enum pg_adapt_side a, double *value, struct pg_err *err)
{
	struct measure_ctx *m = vctx;
	int i = a == PG_ADAPT_A ? BASE : HEAD;
	struct side *s = m->sides[i];
	const struct pg_metric *pm;
	double v;

	if (pg_sig_received())
		return interrupted(err);
	if (m->res[i]->runs >= m->target)
		m->target = m->target > m->repeat_max / 2 ? m->repeat_max : 2 * m->target;
	if (pg_bench_sample(&m->b[i], &m->bo[i], m->res[i], err) != 0) {
		if (err->kind != PG_ERR_INTERRUPTED)
			pg_err_prefix(err, "%s %s", s->role, s->s7);
		return -1;
	}
	pm = pg_result_find_metric(m->res[i], m->metric);
	if (!pm || !pm->nr_samples)
		return pg_err_set(err, PG_ERR_INFRA,
				  "%s %s: benchmark '%s': run %u reported no metric '%s'", s->role,
				  s->s7, m->b[i].name, m->res[i]->runs, m->metric);
	v = pm->samples[pm->nr_samples - 1];
	if (!(v > 0))
		return pg_err_set(err, PG_ERR_INFRA,
				  "%s %s: benchmark '%s': metric '%s' was %g in run %u; comparing "
				  "needs positive values",
				  s->role, s->s7, m->b[i].name, m->metric, v, m->res[i]->runs);
	*value = v;
	return 0;
}

/* ---- configs ---- */

/* 0 read and parsed, 1 the commit has no such file, -1 error. */
static int read_config(struct pg_git *g, struct side *s, const char *path, struct pg_err *err)
{
	struct pg_buf data = PG_BUF_INIT;
	char *name = pg_xasprintf("%s:%s", s->s7, path);
	int r;

	r = pg_git_read_file(g, s->oid, path, PG_CONFIG_MAX_BYTES, &data, err);
	if (r < 0) {
		if (strstr(err->msg, "larger than"))
			err->kind = PG_ERR_USAGE;
		pg_err_prefix(err, "%s %s", s->role, s->s7);
		goto done;
	}
	if (r == 1)
		goto done;
	if (pg_config_parse(&s->cfg, name, pg_buf_cstr(&data), data.len, err) < 0) {
		r = -1;
		goto done;
	}
	s->has_cfg = true;
done:
	free(name);
	pg_buf_release(&data);
	return r;
}

static bool wanted(const struct pg_check_opts *o, const char *name)
{
	if (!o->nr_only)
		return true;
	for (size_t i = 0; i < o->nr_only; i++)
		if (!strcmp(o->only[i], name))
			return true;
	return false;
}

/* The rules of cfg on the wanted benchmarks: shallow copies, free() the array. */
static struct pg_budget_rule *wanted_rules(const struct pg_check_opts *o,
					   const struct pg_config *cfg, size_t *n)
{
	struct pg_budget_rule *r = NULL;

	*n = 0;
	if (!cfg)
		return NULL;
	r = pg_xcalloc(cfg->nr_budgets + 1, sizeof(*r));
	for (size_t i = 0; i < cfg->nr_budgets; i++)
		if (cfg->budgets[i].bench && wanted(o, cfg->budgets[i].bench))
			r[(*n)++] = cfg->budgets[i];
	return r;
}

static const struct pg_budget_rule *find_rule(const struct pg_config *cfg, const char *bench,
					      const char *metric)
{
	for (size_t i = 0; i < cfg->nr_budgets; i++) {
		const struct pg_budget_rule *r = &cfg->budgets[i];

		if (r->bench && r->metric && !strcmp(r->bench, bench) && !strcmp(r->metric, metric))
			return r;
	}
	return NULL;
}

/* Measured once per run, not by callgrind, and not rss/sys (often flat or 0). */
static bool drivable(const char *metric)
{
	return strcmp(metric, "sys") && strcmp(metric, "max_rss") && strcmp(metric, "instructions");
}

/* The metric the adaptive loop follows, and its tolerance. */
static const char *driving_metric(const struct pg_config *plan, const char *bench, double *tol)
{
	const struct pg_budget_rule *w = find_rule(plan, bench, "wall");

	if (w && w->has_regress) {
		*tol = w->regress;
		return "wall";
	}
	for (size_t i = 0; i < plan->nr_budgets; i++) {
		const struct pg_budget_rule *r = &plan->budgets[i];

		if (r->bench && r->metric && !strcmp(r->bench, bench) && r->has_regress &&
		    drivable(r->metric)) {
			*tol = r->regress;
			return r->metric;
		}
	}
	*tol = DEFAULT_TOLERANCE;
	return "wall";
}

static void add_noticef(struct pg_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_noticef(struct pg_report *rep, const char *fmt, ...)
{
	va_list ap;
	struct pg_buf raw = PG_BUF_INIT;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		pg_die_oom(0);
	va_end(ap);
	pg_buf_adds(&raw, s);
	pg_report_add_notice(rep, pg_buf_cstr(&raw));
	pg_buf_release(&raw);
	free(s);
}

/* Notices about benchmarks that the head adds or whose command it changes. */
static void notice_bench_changes(struct pg_report *rep, const struct pg_check_opts *o,
				 const struct side *base, const struct side *head)
{
	if (!base->has_cfg || !head->has_cfg)
		return;
	for (size_t i = 0; i < head->cfg.nr_benches; i++) {
		const struct pg_bench_cfg *h = &head->cfg.benches[i];
		const struct pg_bench_cfg *b = pg_config_bench(&base->cfg, h->name);

		if (!wanted(o, h->name))
			continue;
		if (!b)
			add_noticef(rep,
				    "benchmark '%s' is added in this change and not measured: "
				    "the benchmarks come from the base commit's config",
				    h->name);
		else if (strcmp(b->run, h->run))
			add_noticef(rep,
				    "benchmark '%s': its command changed in this change (base: %s; "
				    "head: %s); each side ran its own",
				    h->name, b->run, h->run);
	}
	if (base->cfg.build && head->cfg.build && strcmp(base->cfg.build, head->cfg.build))
		add_noticef(rep,
			    "the build command changed in this change (base: %s; head: %s); "
			    "each side was built with its own",
			    base->cfg.build, head->cfg.build);
}

/* ---- the lock ---- */

static int lock_gate(struct pg_git *g, int *fd, struct pg_err *err)
{
	char *dir = NULL, *path = NULL;
	int ret = -1;

	*fd = -1;
	if (pg_git_state_dir(g, &dir, err) < 0)
		return -1;
	path = pg_xasprintf("%scheck.lock", dir);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (*fd < 0) {
		pg_err_set(err, PG_ERR_INFRA, "cannot open '%s': %s", path, strerror(errno));
		goto done;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		pg_err_set(err, PG_ERR_INFRA,
			   errno == EWOULDBLOCK
			       ? "another perfgate check is running in this repository ('%s' is "
				 "locked)"
			       : "cannot lock '%s'",
			   path);
		close(*fd);
		*fd = -1;
		goto done;
	}
	ret = 0;
done:
	free(dir);
	free(path);
	return ret;
}

/* ---- filling the report ---- */

static enum pg_report_direction dir_of(enum pg_direction d)
{
	return d == PG_DIR_HIGHER ? PG_REPORT_HIGHER_IS_BETTER : PG_REPORT_LOWER_IS_BETTER;
}

static bool all_positive(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0) || !isfinite(x[i]))
			return false;
	return true;
}

/* Compare a metric afterwards on the samples of the same runs. */
static void compare_after(struct pg_report_metric *rm, const struct pg_metric *a,
			  const struct pg_metric *b, unsigned runs_a, unsigned runs_b, double tol)
{
	struct pg_stats_opts so = PG_STATS_OPTS_INIT;
	struct pg_stats_verdict v;
	struct pg_err err = PG_ERR_INIT;
	int r;

	if (!a->nr_samples || !b->nr_samples || !all_positive(a->samples, a->nr_samples) ||
	    !all_positive(b->samples, b->nr_samples) || a->nr_samples > PG_STATS_MAX_SAMPLES ||
	    b->nr_samples > PG_STATS_MAX_SAMPLES)
		return;
	so.tolerance = tol;
	so.direction =
	    a->dir == PG_DIR_HIGHER ? PG_STATS_HIGHER_IS_BETTER : PG_STATS_LOWER_IS_BETTER;
	if (a->nr_samples == 1 && b->nr_samples == 1) {
		/* One exact count a side (callgrind): the counts decide. */
		struct pg_report_compare init = PG_REPORT_COMPARE_INIT;
		double ratio = b->samples[0] / a->samples[0];

		rm->cmp = init;
		rm->cmp.verdict = a->samples[0] == b->samples[0] ? PG_REPORT_VERDICT_SAME
								 : PG_REPORT_VERDICT_DIFFERENT;
		rm->cmp.ratio = rm->cmp.effect_ratio = rm->cmp.ci_low = rm->cmp.ci_high = ratio;
		rm->cmp.cv_base = rm->cmp.cv_head = rm->cmp.min_effect = 0;
		rm->cmp.runs_base = rm->cmp.runs_head = 1;
		rm->has_cmp = true;
		return;
	}
	if (a->nr_samples == runs_a && b->nr_samples == runs_b && runs_a == runs_b)
		r = pg_stats_compare_paired(&v, a->samples, b->samples, a->nr_samples, &so, &err);
	else
		r = pg_stats_compare(&v, a->samples, a->nr_samples, b->samples, b->nr_samples, &so,
				     &err);
	if (r < 0)
		return;
	pg_check_compare_from_verdict(&rm->cmp, &v);
	rm->has_cmp = true;
}

static bool shown(const struct pg_config *plan, const struct side *head, const char *bench,
		  const char *metric)
{
	static const char *const quiet[] = {"user", "sys", "cpu", "max_rss"};

	if (!strcmp(metric, "wall") || find_rule(plan, bench, metric) ||
	    (head->has_cfg && find_rule(&head->cfg, bench, metric)))
		return true;
	for (size_t i = 0; i < PG_ARRAY_SIZE(quiet); i++)
		if (!strcmp(metric, quiet[i]))
			return false;
	return true; /* instructions, and the benchmark's own metrics */
}

static void fill_metrics(struct pg_report *rep, const struct pg_config *plan,
			 const struct side *head, const char *bench, struct pg_result_bench *ra,
			 struct pg_result_bench *rb, const char *driving,
			 const struct pg_adapt_result *ar)
{
	for (size_t k = 0; k < ra->nr_metrics; k++) {
		const struct pg_metric *a = &ra->metrics[k];
		const struct pg_metric *b = pg_result_find_metric(rb, a->name);
		const struct pg_budget_rule *rule = find_rule(plan, bench, a->name);
		struct pg_report_metric *rm;

		if (!shown(plan, head, bench, a->name))
			continue;
		rm = pg_report_add_metric(rep, bench, a->name, a->unit, dir_of(a->dir));
		pg_report_metric_set_samples(rm, a->samples, a->nr_samples, b ? b->samples : NULL,
					     b ? b->nr_samples : 0);
		if (!b)
			continue;
		if (!strcmp(a->name, driving) && ar) {
			pg_check_compare_from_verdict(&rm->cmp, &ar->verdict);
			if (ar->inconclusive)
				rm->cmp.verdict = PG_REPORT_VERDICT_UNKNOWN;
			rm->has_cmp = true;
			continue;
		}
		compare_after(rm, a, b, ra->runs, rb->runs,
			      rule && rule->has_regress ? rule->regress : DEFAULT_TOLERANCE);
	}
	/* A metric the head reports and the base does not: shown with no base value. */
	for (size_t k = 0; k < rb->nr_metrics; k++) {
		const struct pg_metric *b = &rb->metrics[k];
		struct pg_report_metric *rm;

		if (pg_result_find_metric(ra, b->name) || !shown(plan, head, bench, b->name))
			continue;
		rm = pg_report_add_metric(rep, bench, b->name, b->unit, dir_of(b->dir));
		pg_report_metric_set_samples(rm, NULL, 0, b->samples, b->nr_samples);
	}
}

/* ---- one benchmark ---- */

static const struct pg_bench_cfg *side_bench(const struct side *s, const struct pg_config *plan,
					     const char *name)
{
	const struct pg_bench_cfg *b = s->has_cfg ? pg_config_bench(&s->cfg, name) : NULL;

	return b ? b : pg_config_bench(plan, name);
}

/* 0 measured (or its failure recorded in rep), -1 interrupted. */
static int measure_bench(struct pg_report *rep, const struct pg_check_opts *o,
			 const struct pg_config *plan, const struct pg_bench_cfg *pb,
			 struct side *sides[2], unsigned bench_i, unsigned nr_benches,
			 struct pg_err *err)
{
	struct measure_ctx m;
	struct pg_result res = PG_RESULT_INIT;
	struct pg_adapt_opts ao = PG_ADAPT_OPTS_INIT;
	struct pg_adapt_result ar = PG_ADAPT_RESULT_INIT;
	struct pg_err e = PG_ERR_INIT;
	double tol;
	int ret = 0, i;

	memset(&m, 0, sizeof(m));
	m.o = o;
	m.bench_i = bench_i;
	m.nr_benches = nr_benches;
	m.metric = driving_metric(plan, pb->name, &tol);
	m.res[BASE] = pg_result_bench(&res, "base");
	m.res[HEAD] = pg_result_bench(&res, "head");
	for (i = BASE; i <= HEAD; i++) {
		const struct pg_bench_cfg *b = side_bench(sides[i], plan, pb->name);
		struct pg_bench_opts init = PG_BENCH_OPTS_INIT;

		m.sides[i] = sides[i];
		m.b[i] = *b;
		m.b[i].instructions = pb->instructions;
		m.bo[i] = init;
		m.bo[i].root = sides[i]->dir;
		m.sp[i].m = &m;
		m.sp[i].side = i;
		m.bo[i].progress = bench_progress;
		m.bo[i].progress_ctx = &m.sp[i];
	}
	if (sides[HEAD]->has_cfg && sides[BASE]->has_cfg &&
	    !pg_config_bench(&sides[HEAD]->cfg, pb->name)) {
		pg_report_add_error(rep, pb->name,
				    "the head's config has no such benchmark (removed in this "
				    "change?); the base's budgets still apply");
		goto done;
	}
	/* Every command must be runnable on both sides before any run. */
	for (i = BASE; i <= HEAD; i++) {
		if (pg_bench_check(&m.b[i], &m.bo[i], &e) < 0) {
			pg_err_prefix(&e, "%s %s", sides[i]->role, sides[i]->s7);
			pg_report_add_error(rep, pb->name, e.msg);
			goto done;
		}
	}
	/* Warm-up of each side (and its callgrind run), discarded. */
	for (i = BASE; i <= HEAD; i++) {
		if (pg_sig_received()) {
			ret = interrupted(err);
			goto done;
		}
		if (pg_bench_run(&m.b[i], &m.bo[i], m.b[i].warmup, 0, m.res[i], &e) != 0) {
			if (e.kind == PG_ERR_INTERRUPTED) {
				*err = e;
				ret = -1;
				goto done;
			}
			pg_err_prefix(&e, "%s %s", sides[i]->role, sides[i]->s7);
			pg_report_add_error(rep, pb->name, e.msg);
			goto done;
		}
	}
	ao.repeat_min = pb->repeat_min ? pb->repeat_min : 1;
	ao.repeat_max = pb->repeat_max;
	if (o->repeat_max && o->repeat_max < ao.repeat_max)
		ao.repeat_max = o->repeat_max;
	if (ao.repeat_max > PG_STATS_MAX_SAMPLES)
		ao.repeat_max = PG_STATS_MAX_SAMPLES;
	if (ao.repeat_max < ao.repeat_min)
		ao.repeat_min = ao.repeat_max;
	ao.shuffle = true;
	ao.seed = PAIR_SEED ^ bench_i;
	ao.stats.tolerance = tol;
	m.target = ao.repeat_min;
	m.repeat_max = ao.repeat_max;
	if (pg_adapt_run(&ar, &ao, measure, &m, &e) < 0) {
		if (e.kind == PG_ERR_INTERRUPTED) {
			*err = e;
			ret = -1;
			goto done;
		}
		pg_report_add_error(rep, pb->name, e.msg);
		goto done;
	}
	fill_metrics(rep, plan, sides[HEAD], pb->name, m.res[BASE], m.res[HEAD], m.metric, &ar);
	for (i = BASE; i <= HEAD; i++)
		for (size_t k = 0; k < m.res[i]->nr_warnings; k++)
			add_noticef(rep, "%s %s: benchmark '%s': %s", sides[i]->role, sides[i]->s7,
				    pb->name, m.res[i]->warnings[k]);
done:
	pg_adapt_result_release(&ar);
	pg_result_release(&res);
	return ret;
}

/* ---- the gate ---- */

static int prepare_side(struct pg_git *g, const struct pg_check_opts *o, struct side *s,
			const struct pg_config *build_cfg, const char *wt, struct pg_err *err)
{
	struct pg_err e = PG_ERR_INIT;
	int r;

	if (pg_sig_received())
		return interrupted(err);
	event(o, PG_CHECK_CHECKOUT, s, NULL, 0, 0, 0, 0, NULL);
	if (pg_git_worktree_checkout(g, wt, s->oid, &s->dir, err) < 0)
		return pg_err_prefix(err, "%s %s", s->role, s->s7);
	if (o->no_build || !build_cfg || !build_cfg->build || !build_cfg->build[0])
		return 0;
	event(o, PG_CHECK_BUILD, s, NULL, 0, 0, 0, 0, build_cfg->build);
	r = pg_build_run(build_cfg, s->dir, NULL, &e);
	if (r == 0)
		return 0;
	if (e.kind == PG_ERR_INTERRUPTED) {
		*err = e;
		return -1;
	}
	s->build_error = pg_xasprintf("%s %s: %s", s->role, s->s7, e.msg);
	return 0;
}

static void set_meta(struct pg_report *rep, uint64_t t0)
{
	struct pg_machine mach;
	char ts[32];
	time_t now = time(NULL);

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	free(rep->timestamp);
	rep->timestamp = pg_xstrdup(ts);
	pg_machine_probe(&mach);
	free(rep->hostname);
	rep->hostname = pg_xstrdup(mach.hostname);
	rep->duration_ns = pg_now_ns() - t0;
}

static int resolve_side(struct pg_git *g, struct side *s, const char *rev, struct pg_err *err)
{
	if (pg_git_resolve(g, rev, s->oid, err) < 0)
		return pg_err_prefix(err, "%s", s->role);
	pg_git_short(s->oid, s->s7);
	return 0;
}

int pg_check_run(struct pg_report *rep, const struct pg_check_opts *o, struct pg_err *err)
{
	struct pg_git *g = NULL;
	struct side base = {.role = "base"}, head = {.role = "head"};
	struct side *sides[2] = {&base, &head};
	struct pg_git_commit cb = {0}, ch = {0};
	const char *path = o->config_path && o->config_path[0] ? o->config_path : "perfgate.yml";
	const struct pg_config *plan;
	struct pg_budget_rule *rules = NULL, *head_rules = NULL;
	size_t nr_rules = 0, nr_head_rules = 0;
	uint64_t t0 = pg_now_ns();
	unsigned nr_benches = 0, bench_i = 0;
	int lock = -1, ret = -1, r;

	free(rep->budget_file);
	rep->budget_file = pg_xstrdup(path);
	if (!o->base_rev || !o->base_rev[0]) {
		pg_err_set(err, PG_ERR_USAGE, "no base revision");
		goto done;
	}
	if (pg_git_open(&g, o->repo_path ? o->repo_path : ".", err) < 0)
		goto done;
	if (resolve_side(g, &base, o->base_rev, err) < 0 ||
	    resolve_side(g, &head, o->head_rev ? o->head_rev : "HEAD", err) < 0)
		goto done;
	if (pg_git_commit_info(g, base.oid, &cb, err) < 0) {
		pg_err_prefix(err, "base");
		goto done;
	}
	if (pg_git_commit_info(g, head.oid, &ch, err) < 0) {
		pg_err_prefix(err, "head");
		goto done;
	}
	pg_report_set_commits(rep, base.oid, cb.subject, head.oid, ch.subject);

	/* The configs, from the commits' trees. */
	if ((r = read_config(g, &base, path, err)) < 0 ||
	    (r = read_config(g, &head, path, err)) < 0)
		goto done;
	if (!base.has_cfg && !head.has_cfg) {
		pg_err_set(err, PG_ERR_USAGE, "neither base %s nor head %s has '%s'", base.s7,
			   head.s7, path);
		goto done;
	}
	if (!base.has_cfg && o->require_base_budgets) {
		pg_err_set(err, PG_ERR_USAGE,
			   "base %s has no '%s': the budgets cannot be verified against the base "
			   "(--require-base-budgets)",
			   base.s7, path);
		goto done;
	}
	plan = base.has_cfg ? &base.cfg : &head.cfg;
	rep->budgets_from_base = base.has_cfg;
	for (size_t i = 0; i < o->nr_only; i++) {
		const struct pg_bench_cfg *b;
		char *where = pg_xasprintf("%s %s:%s", base.has_cfg ? "base" : "head",
					   base.has_cfg ? base.s7 : head.s7, path);
		int found = pg_config_find_bench(plan, o->only[i], where, &b, err);

		free(where);
		if (found < 0)
			goto done;
	}
	for (size_t i = 0; i < plan->nr_benches; i++)
		if (wanted(o, plan->benches[i].name))
			nr_benches++;
	if (!strcmp(base.oid, head.oid))
		add_noticef(rep, "base and head are the same commit (%s): an A/A comparison",
			    base.s7);
	notice_bench_changes(rep, o, &base, &head);

	if (lock_gate(g, &lock, err) < 0)
		goto done;
	if (prepare_side(g, o, &base, base.has_cfg ? &base.cfg : &head.cfg, PG_CHECK_WORKTREE_BASE,
			 err) < 0)
		goto done;
	if (prepare_side(g, o, &head, head.has_cfg ? &head.cfg : &base.cfg, PG_CHECK_WORKTREE_HEAD,
			 err) < 0)
		goto done;

	for (size_t i = 0; i < plan->nr_benches; i++) {
		const struct pg_bench_cfg *pb = &plan->benches[i];

		if (!wanted(o, pb->name))
			continue;
		bench_i++;
		if (base.build_error || head.build_error) {
			char *msg = base.build_error && head.build_error
					? pg_xasprintf("%s; %s", base.build_error, head.build_error)
					: pg_xstrdup(base.build_error ? base.build_error
								      : head.build_error);

			pg_report_add_error(rep, pb->name, msg);
			free(msg);
			continue;
		}
		if (measure_bench(rep, o, plan, pb, sides, bench_i, nr_benches, err) < 0)
			goto done;
	}

	rules = wanted_rules(o, base.has_cfg ? &base.cfg : &head.cfg, &nr_rules);
	if (base.has_cfg) {
		if (!head.has_cfg)
			pg_report_add_notice(rep, "the head commit has no config; the base "
						  "commit's budgets were applied");
		head_rules = wanted_rules(o, head.has_cfg ? &head.cfg : NULL, &nr_head_rules);
		pg_budget_apply(rep, rules, nr_rules, head_rules, nr_head_rules, true);
	} else {
		pg_budget_apply(rep, rules, nr_rules, NULL, 0, false);
		if (!nr_rules)
			pg_report_add_notice(rep, "budgets not verified against the base: the base "
						  "commit has no config");
	}
	ret = 0;
done:
	set_meta(rep, t0);
	if (lock >= 0)
		close(lock);
	free(rules);
	free(head_rules);
	for (int i = BASE; i <= HEAD; i++) {
		pg_config_release(&sides[i]->cfg);
		free(sides[i]->dir);
		free(sides[i]->build_error);
	}
	pg_git_commit_release(&cb);
	pg_git_commit_release(&ch);
	pg_git_free(g);
	return ret;
}
