/*
 * report_annotations: a gate report as GitHub Actions workflow commands
 * (printed to stdout by the command; GitHub turns them into annotations).
 *
 * Owns: the command lines.
 *   ::error title=perfgate: BENCH METRIC budget exceeded::MESSAGE     (FAIL)
 *   ::error title=perfgate: BENCH METRIC error::MESSAGE               (ERROR)
 *   ::warning title=perfgate: BENCH METRIC inconclusive::MESSAGE      (INCONCLUSIVE)
 *   ::warning title=perfgate: BENCH METRIC noise floor::WARNING
 *   ::notice title=perfgate: BENCH METRIC budget not applied::NOTE    (changed in the change)
 *   ::notice title=perfgate::NOTICE                                   (report notices)
 * GitHub shows at most 10 errors and 10 warnings per step: of each kind at
 * most max_each lines are written, and when there are more the last one
 * says "N more ...; see the report" instead.
 * Escaping, per GitHub's runner (toolkit's escapeData/escapeProperty):
 * in data % -> %25, CR -> %0D, LF -> %0A; in properties also : -> %3A and
 * , -> %2C. So no name can end a command early or start a new one. Control
 * characters and invalid UTF-8 are first made visible ("\x1b").
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

enum kind { K_ERROR, K_WARNING, K_NOTICE, K_MAX };

static const char *const kind_cmd[K_MAX] = {"error", "warning", "notice"};

struct line {
	char *title;
	char *message;
};

struct lines {
	struct line *v;
	size_t nr, alloc;
};

static void add(struct lines *l, const char *title, const char *message)
{
	PG_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr].title = pg_xstrdup(title);
	l->v[l->nr].message = pg_xstrdup(message ? message : "");
	l->nr++;
}

static void escape(struct pg_buf *out, const char *s, bool property)
{
	struct pg_buf v = PG_BUF_INIT;

	pg_report_visibles(&v, s, PG_REPORT_KEEP_TAB_NL);
	for (size_t i = 0; i < v.len; i++) {
		char c = v.data[i];

		if (c == '%')
			pg_buf_adds(out, "%25");
		else if (c == '\r')
			pg_buf_adds(out, "%0D");
		else if (c == '\n')
			pg_buf_adds(out, "%0A");
		else if (property && c == ':')
			pg_buf_adds(out, "%3A");
		else if (property && c == ',')
			pg_buf_adds(out, "%2C");
		else
			pg_buf_addc(out, c);
	}
	pg_buf_release(&v);
}

static void emit(struct pg_buf *out, enum kind k, const char *title, const char *message)
{
	pg_buf_addf(out, "::%s title=", kind_cmd[k]);
	escape(out, title, true);
	pg_buf_adds(out, "::");
	escape(out, message, false);
	pg_buf_addc(out, '\n');
}

static char *title_of(const struct pg_report_metric *m, const char *what)
{
	return pg_xasprintf("perfgate: %s %s %s", m->bench, m->metric, what);
}

void pg_report_render_annotations(struct pg_buf *out, const struct pg_report *rep,
				  unsigned max_each)
{
	struct lines l[K_MAX] = {{0}};

	if (!max_each)
		max_each = PG_REPORT_ANNOTATIONS_MAX;
	if (rep->error)
		add(&l[K_ERROR], "perfgate: error", rep->error);
	for (size_t i = 0; i < rep->nr_notices; i++)
		add(&l[K_NOTICE], "perfgate", rep->notices[i]);
	for (size_t i = 0; i < rep->nr_metrics; i++) {
		const struct pg_report_metric *m = &rep->metrics[i];
		char *title;

		if (m->error && !m->nr_checks) {
			char *msg = pg_xasprintf("%s: %s", m->bench, m->error);

			title = title_of(m, "error");
			add(&l[K_ERROR], title, msg);
			free(title);
			free(msg);
		}
		for (size_t j = 0; j < m->nr_checks; j++) {
			const struct pg_report_check *c = &m->checks[j];

			title = NULL;
			switch (c->outcome) {
			case PG_REPORT_FAIL:
				title = title_of(m, "budget exceeded");
				add(&l[K_ERROR], title, c->message);
				break;
			case PG_REPORT_ERROR:
				title = title_of(m, "error");
				add(&l[K_ERROR], title, c->message);
				break;
			case PG_REPORT_INCONCLUSIVE:
				title = title_of(m, "inconclusive");
				add(&l[K_WARNING], title, c->message);
				break;
			case PG_REPORT_PASS:
			case PG_REPORT_SKIPPED:
				break;
			}
			free(title);
			if (c->warning) {
				title = title_of(m, "noise floor");
				add(&l[K_WARNING], title, c->warning);
				free(title);
			}
			if (c->note) {
				char *msg = pg_xasprintf("%s %s: %s", m->bench, m->metric, c->note);

				title = title_of(m, "budget not applied");
				add(&l[K_NOTICE], title, msg);
				free(title);
				free(msg);
			}
		}
	}
	for (int k = 0; k < K_MAX; k++) {
		size_t show = l[k].nr <= max_each ? l[k].nr : max_each - 1;

		for (size_t i = 0; i < show; i++)
			emit(out, (enum kind)k, l[k].v[i].title, l[k].v[i].message);
		if (show < l[k].nr) {
			char *msg = pg_xasprintf("%zu more %s%s not shown here; see the report",
						 l[k].nr - show, kind_cmd[k],
						 l[k].nr - show == 1 ? "" : "s");

			emit(out, (enum kind)k, "perfgate: more", msg);
			free(msg);
		}
		for (size_t i = 0; i < l[k].nr; i++) {
			free(l[k].v[i].title);
			free(l[k].v[i].message);
		}
		free(l[k].v);
	}
}
