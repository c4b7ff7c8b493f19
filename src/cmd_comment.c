/*
 * perfgate comment: one sticky comment per pull or merge request, over http.c.
 *
 * The flow: read the report, build the body (marker first, under the forge's
 * limit), list the comments page by page to find the one that starts with the
 * marker, then edit it, or post a new one. A POST that fails without a clear
 * answer is never repeated blindly: the list is read again, and only a
 * comment carrying the marker counts as delivered.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "comment.h"
#include "http.h"
#include "util.h"

#define REPORT_MAX_BYTES (64u << 20)
#define EVENT_MAX_BYTES (16u << 20)
#define MAX_PAGES 100

struct forge {
	bool github;
	const char *name;	 /* "GitHub" / "GitLab" */
	char *list_url;		 /* first page of the comment list */
	char *post_url;		 /* POST here to add a comment */
	char *edit_prefix;	 /* edit_prefix + id: the comment to edit */
	const char *edit_method; /* PATCH (GitHub) or PUT (GitLab) */
	char *what;		 /* "pull request #7" / "merge request !7" */
	const char *token_var;	 /* the variable the token came from, or NULL */
	char *secret_header;	 /* "Authorization: Bearer ..." / "PRIVATE-TOKEN: ..." */
	const char *secret_name; /* "Authorization: Bearer" / "PRIVATE-TOKEN:" for --dry-run */
	const char *headers[5];	 /* NULL-terminated */
	char *user_agent;
	size_t max_chars;
};

static void forge_release(struct forge *f)
{
	free(f->list_url);
	free(f->post_url);
	free(f->edit_prefix);
	free(f->what);
	if (f->secret_header) {
		explicit_bzero(f->secret_header, strlen(f->secret_header));
		free(f->secret_header);
	}
	free(f->user_agent);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* A positive int from a command-line or environment value, or -1. */
static long parse_number(const char *s)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > INT_MAX)
		return -1;
	return v;
}

/* The token from the first of vars that is set, trimmed; header = prefix + token. */
static int read_token(struct forge *f, const char *const *vars, const char *prefix,
		      struct pg_err *err)
{
	const char *v = NULL, *name = NULL;
	size_t i, start, end;

	for (i = 0; vars[i] && !v; i++)
		if ((v = env(vars[i])))
			name = vars[i];
	if (!v)
		return 0;
	start = strspn(v, " \t\r\n");
	end = strlen(v);
	while (end > start && isspace((unsigned char)v[end - 1]))
		end--;
	for (i = start; i < end; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f || v[i] == ' ')
			return pg_err_set(err, PG_ERR_USAGE,
					  "%s holds control characters or spaces: not a token",
					  name);
	if (start == end)
		return 0;
	f->token_var = name;
	f->secret_header = pg_xasprintf("%s %.*s", prefix, (int)(end - start), v + start);
	return 0;
}

static char *base_url(const char *v)
{
	size_t n = strlen(v);

	while (n > 0 && v[n - 1] == '/')
		n--;
	return pg_xstrndup(v, n);
}

static bool repo_part_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 100 || (n == 1 && s[0] == '.') || (n == 2 && !strncmp(s, "..", 2)))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static int resolve_github(struct forge *f, const char *pr_arg, bool need_token, struct pg_err *err)
{
	static const char *const token_vars[] = {"PERFGATE_GITHUB_TOKEN", "GITHUB_TOKEN", NULL};
	const char *api = env("GITHUB_API_URL"), *repo = env("GITHUB_REPOSITORY");
	const char *event = env("GITHUB_EVENT_PATH"), *slash;
	struct pg_buf missing = PG_BUF_INIT, ev = PG_BUF_INIT;
	char *base = NULL;
	long pr = -1;
	int ret = -1;

	f->github = true;
	f->name = "GitHub";
	f->edit_method = "PATCH";
	f->max_chars = PG_COMMENT_GITHUB_MAX_CHARS;
	f->secret_name = "Authorization: Bearer";
	f->headers[0] = "Accept: application/vnd.github+json";
	f->headers[1] = "X-GitHub-Api-Version: 2022-11-28";
	f->headers[2] = f->user_agent;
	if (read_token(f, token_vars, "Authorization: Bearer", err) < 0)
		goto done;
	if (repo) {
		slash = strchr(repo, '/');
		if (!slash || !repo_part_ok(repo, (size_t)(slash - repo)) ||
		    !repo_part_ok(slash + 1, strlen(slash + 1))) {
			pg_err_set(err, PG_ERR_USAGE,
				   "GITHUB_REPOSITORY='%.200s' is not OWNER/NAME", repo);
			goto done;
		}
	} else {
		pg_buf_adds(&missing, "GITHUB_REPOSITORY (OWNER/NAME)");
	}
	if (pr_arg) {
		if ((pr = parse_number(pr_arg)) < 0) {
			pg_err_set(err, PG_ERR_USAGE, "--pr '%.40s' is not a pull request number",
				   pr_arg);
			goto done;
		}
	} else if (event) {
		if (pg_file_read(event, EVENT_MAX_BYTES, &ev, err) < 0 ||
		    pg_comment_event_number(&pr, event, ev.data, ev.len, err) < 0) {
			pg_err_prefix(err, "GITHUB_EVENT_PATH");
			goto done;
		}
	} else {
		pg_buf_addf(&missing, "%sa pull request number (--pr N, or GITHUB_EVENT_PATH)",
			    missing.len ? ", " : "");
	}
	if (!f->secret_header && need_token)
		pg_buf_addf(&missing, "%sa token (GITHUB_TOKEN or PERFGATE_GITHUB_TOKEN)",
			    missing.len ? ", " : "");
	if (missing.len) {
		pg_err_set(err, PG_ERR_USAGE, "--github: missing %s", missing.data);
		goto done;
	}
	base = base_url(api ? api : "https://api.github.com");
	f->list_url = pg_xasprintf("%s/repos/%s/issues/%ld/comments?per_page=100", base, repo, pr);
	f->post_url = pg_xasprintf("%s/repos/%s/issues/%ld/comments", base, repo, pr);
	f->edit_prefix = pg_xasprintf("%s/repos/%s/issues/comments/", base, repo);
	f->what = pg_xasprintf("pull request #%ld", pr);
	ret = 0;
done:
	pg_buf_release(&missing);
	pg_buf_release(&ev);
	free(base);
	return ret;
}

static int resolve_gitlab(struct forge *f, const char *mr_arg, bool need_token, struct pg_err *err)
{
	static const char *const token_vars[] = {"PERFGATE_GITLAB_TOKEN", "GITLAB_TOKEN", NULL};
	const char *api = env("CI_API_V4_URL"), *project = env("CI_PROJECT_ID");
	const char *mr_env = env("CI_MERGE_REQUEST_IID");
	struct pg_buf missing = PG_BUF_INIT;
	char *base = NULL, *pid = NULL;
	long mr = -1;
	int ret = -1;

	f->name = "GitLab";
	f->edit_method = "PUT";
	f->max_chars = PG_COMMENT_GITLAB_MAX_CHARS;
	f->secret_name = "PRIVATE-TOKEN:";
	f->headers[0] = "Accept: application/json";
	f->headers[1] = f->user_agent;
	if (read_token(f, token_vars, "PRIVATE-TOKEN:", err) < 0)
		goto done;
	if (!project)
		project = env("CI_PROJECT_PATH");
	if (!api)
		pg_buf_adds(&missing, "CI_API_V4_URL");
	if (!project)
		pg_buf_addf(&missing, "%sCI_PROJECT_ID", missing.len ? ", " : "");
	if (mr_arg || mr_env) {
		if ((mr = parse_number(mr_arg ? mr_arg : mr_env)) < 0) {
			pg_err_set(err, PG_ERR_USAGE, "%s '%.40s' is not a merge request IID",
				   mr_arg ? "--mr" : "CI_MERGE_REQUEST_IID",
				   mr_arg ? mr_arg : mr_env);
			goto done;
		}
	} else {
		pg_buf_addf(&missing, "%sa merge request (--mr N, or CI_MERGE_REQUEST_IID)",
			    missing.len ? ", " : "");
	}
	if (!f->secret_header && need_token) {
		if (env("CI_JOB_TOKEN")) {
			pg_err_set(
			    err, PG_ERR_USAGE,
			    "--gitlab: only CI_JOB_TOKEN is set, and the job token cannot post "
			    "merge request notes: set GITLAB_TOKEN (or PERFGATE_GITLAB_TOKEN) to "
			    "a project or personal access token with the api scope");
			goto done;
		}
		pg_buf_addf(&missing, "%sa token (GITLAB_TOKEN or PERFGATE_GITLAB_TOKEN)",
			    missing.len ? ", " : "");
	}
	if (missing.len) {
		pg_err_set(err, PG_ERR_USAGE, "--gitlab: missing %s", missing.data);
		goto done;
	}
	base = base_url(api);
	pid = pg_comment_url_encode(project);
	f->list_url =
	    pg_xasprintf("%s/projects/%s/merge_requests/%ld/notes?per_page=100", base, pid, mr);
	f->post_url = pg_xasprintf("%s/projects/%s/merge_requests/%ld/notes", base, pid, mr);
	f->edit_prefix = pg_xasprintf("%s/projects/%s/merge_requests/%ld/notes/", base, pid, mr);
	f->what = pg_xasprintf("merge request !%ld", mr);
	ret = 0;
done:
	pg_buf_release(&missing);
	free(base);
	free(pid);
	return ret;
}

/* 2xx is fine; anything else becomes a message naming the method, URL, status and the API's words.
 */
static int check_status(const struct forge *f, const char *method, const char *url,
			const struct pg_http_response *r, struct pg_err *err)
{
	char *shown = NULL, *host = NULL, *msg = NULL, *text = NULL;
	const char *hint = "";

	if (r->status >= 200 && r->status < 300)
		return 0;
	shown = pg_http_url_redact(url);
	host = pg_http_url_host(r->url ? r->url : url);
	msg = pg_comment_api_message(r->body.data, r->body.len);
	if (r->secret_withheld && !pg_http_url_same_origin(r->url ? r->url : url, url)) {
		pg_err_set(err, PG_ERR_DELIVERY,
			   "%s %s: redirected to %s, which was not sent the token, and answered "
			   "HTTP %ld%s%s",
			   method, shown, host ? host : "another host", r->status, msg ? ": " : "",
			   msg ? msg : "");
		goto done;
	}
	text = pg_comment_status_text(r->status, host, msg);
	if (f->github && r->status == 403 && msg && strstr(msg, "not accessible by integration"))
		hint = " (the job needs 'permissions: pull-requests: write'; pull requests from "
		       "forks get a read-only GITHUB_TOKEN)";
	else if (r->status == 401 && f->token_var)
		hint = f->github
			   ? " (check the token in GITHUB_TOKEN or PERFGATE_GITHUB_TOKEN)"
			   : " (check the access token in GITLAB_TOKEN or PERFGATE_GITLAB_TOKEN)";
	else if (r->status == 403 && !f->github)
		hint = " (the token needs the api scope and at least the Reporter role)";
	else if (r->status == 404)
		hint = f->github ? " (check GITHUB_REPOSITORY and the pull request number, and "
				   "that the token can see the repository)"
				 : " (check CI_PROJECT_ID and the merge request IID, and that the "
				   "token can see the project)";
	else if (r->status >= 300 && r->status < 400)
		hint = " (an unfollowed redirect)";
	pg_err_set(err, PG_ERR_DELIVERY, "%s %s: %s%s", method, shown, text, hint);
done:
	free(shown);
	free(host);
	free(msg);
	free(text);
	return -1;
}

/* Walk the comment list for our marker: 1 found (*id_out), 0 not, -1 error. */
static int find_comment(struct pg_http_client *c, const struct forge *f, const char *marker,
			char **id_out, struct pg_err *err)
{
	struct pg_http_response r = PG_HTTP_RESPONSE_INIT;
	char *url = pg_xstrdup(f->list_url), *next = NULL, *shown = NULL;
	const char *np;
	int pages, ret = -1, found;

	*id_out = NULL;
	for (pages = 0; pages < MAX_PAGES; pages++) {
		if (pg_http_request(c, "GET", url, NULL, &r, err) < 0)
			goto done;
		if (check_status(f, "GET", url, &r, err) < 0)
			goto done;
		shown = pg_http_url_redact(url);
		found = pg_comment_find(id_out, r.body.data, r.body.len, marker, shown, err);
		free(shown);
		shown = NULL;
		if (found != 0) {
			ret = found;
			goto done;
		}
		next = pg_comment_link_next(pg_http_response_header(&r, "Link"));
		if (!next && (np = pg_http_response_header(&r, "X-Next-Page")) &&
		    parse_number(np) > 0)
			next = pg_comment_url_with_page(url, np);
		if (next) {
			/* Relative links are resolved; other schemes than http(s) end the walk. */
			char *abs = pg_http_url_resolve(url, next);

			free(next);
			next = abs;
		}
		if (!next || !strcmp(next, url)) {
			ret = 0;
			goto done;
		}
		free(url);
		url = next;
		next = NULL;
	}
	ret = 0; /* more than MAX_PAGES pages: treat as not found, post a new one */
done:
	pg_http_response_release(&r);
	free(url);
	free(next);
	free(shown);
	return ret;
}

static void print_done(const struct forge *f, const char *verb, const char *id,
		       const struct pg_http_response *r)
{
	char *link = pg_comment_response_link(r->body.data, r->body.len);

	if (link)
		printf("perfgate comment: %s the comment on %s: %s\n", verb, f->what, link);
	else if (id)
		printf("perfgate comment: %s comment %s on %s\n", verb, id, f->what);
	else
		printf("perfgate comment: %s the comment on %s\n", verb, f->what);
	free(link);
}

static int deliver(struct pg_http_client *c, const struct forge *f, const char *marker,
		   const char *json, struct pg_err *err)
{
	struct pg_http_response r = PG_HTTP_RESPONSE_INIT;
	struct pg_err post_err = PG_ERR_INIT;
	char *id = NULL, *url = NULL;
	int ret = -1, found;

	found = find_comment(c, f, marker, &id, err);
	if (found < 0)
		goto done;
	if (found) {
		url = pg_xasprintf("%s%s", f->edit_prefix, id);
		if (pg_http_request(c, f->edit_method, url, json, &r, err) < 0)
			goto done;
		if (r.status != 404) {
			if (check_status(f, f->edit_method, url, &r, err) < 0)
				goto done;
			print_done(f, "updated", id, &r);
			ret = 0;
			goto done;
		}
		/* Deleted since we listed it: post a new one. */
		free(id);
		id = NULL;
	}
	if (pg_http_request(c, "POST", f->post_url, json, &r, &post_err) == 0 &&
	    check_status(f, "POST", f->post_url, &r, &post_err) == 0) {
		print_done(f, "posted", NULL, &r);
		ret = 0;
		goto done;
	}
	if (post_err.kind == PG_ERR_INTERRUPTED || (r.status >= 400 && r.status < 500)) {
		*err = post_err;
		goto done;
	}
	/* No clear answer: did it land? Look instead of posting again. */
	if (find_comment(c, f, marker, &id, err) == 1) {
		printf(
		    "perfgate comment: posted the comment on %s (comment %s; the server's answer "
		    "was lost: %s)\n",
		    f->what, id, post_err.msg);
		ret = 0;
		goto done;
	}
	*err = post_err;
done:
	pg_http_response_release(&r);
	free(id);
	free(url);
	return ret;
}

static void print_notice(void *ctx, const char *msg)
{
	fprintf(stderr, "perfgate: %s\n", msg);
}

static void dry_run(const struct forge *f, const char *marker, const char *json, size_t chars,
		    size_t cut_lines)
{
	size_t i;

	printf("dry run: nothing is sent to %s\n", f->name);
	printf("GET %s (and the next pages)\n", f->list_url);
	printf("then %s %s{id} when a comment starts with %s,\n", f->edit_method, f->edit_prefix,
	       marker);
	printf("else POST %s\n", f->post_url);
	for (i = 0; f->headers[i]; i++)
		printf("%s\n", f->headers[i]);
	if (f->token_var)
		printf("%s *** (from %s)\n", f->secret_name, f->token_var);
	else
		printf("%s (no token set)\n", f->secret_name);
	printf("Content-Type: application/json\n");
	printf("body: %zu characters of at most %zu", chars, f->max_chars);
	if (cut_lines)
		printf(", %zu lines cut", cut_lines);
	printf("\n\n%s\n", json);
}

int cmd_comment(int argc, char **argv)
{
	static const struct pg_opt opts[] = {
	    {0, "github", NULL, "post on a GitHub pull request"},
	    {0, "gitlab", NULL, "post on a GitLab merge request"},
	    {0, "pr", "N", "pull request number (default: from GITHUB_EVENT_PATH)"},
	    {0, "mr", "N", "merge request IID (default: CI_MERGE_REQUEST_IID)"},
	    {0, "require-comment", NULL, "exit 5 when the comment cannot be posted"},
	    {0, "cacert", "FILE", "trust the CA certificates in FILE (PEM) for HTTPS"},
	    {0, "marker", "ID", "hidden marker <!-- perfgate:ID --> (default: perfgate)"},
	    {0, "timeout", "SECONDS", "give up on one HTTP request after SECONDS (default 60)"},
	    {'n', "dry-run", NULL, "print the requests that would be made; send nothing"},
	    {0},
	};
	struct pg_cli cli = PG_CLI_INIT(
	    argc, argv, "comment", "--github|--gitlab [options] REPORT",
	    "Post the report as one sticky comment on a pull or merge request, or edit the\n"
	    "one posted before (found by its hidden marker). REPORT is perfgate check's JSON\n"
	    "report (--json: rendered as Markdown to fit the forge's limit, GitHub 65,536\n"
	    "characters, rows that do not fit counted), a JSON object with a \"markdown\"\n"
	    "string, or a Markdown file (over the limit, whole lines are cut at the end,\n"
	    "with a pointer to the artifact).\n"
	    "\n"
	    "GitHub: GITHUB_API_URL (default https://api.github.com), GITHUB_REPOSITORY,\n"
	    "GITHUB_EVENT_PATH or --pr, token in PERFGATE_GITHUB_TOKEN or GITHUB_TOKEN\n"
	    "(needs pull-requests: write).\n"
	    "GitLab: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID or --mr, token in\n"
	    "PERFGATE_GITLAB_TOKEN or GITLAB_TOKEN: a project or personal access token with\n"
	    "the api scope (CI_JOB_TOKEN cannot post notes).\n"
	    "\n"
	    "The token is never printed and goes only to the API's host. Certificates are\n"
	    "always verified. Timeouts: 10 s to connect, --timeout per request, and a\n"
	    "transfer under 1 byte/s for 10 s is dropped. A comment that cannot be posted is\n"
	    "a warning (exit 0) unless --require-comment (exit 5); out of memory, or\n"
	    "libcurl failing to start, is exit 4 either way.",
	    opts);
	struct forge f = {0};
	struct pg_http_opts ho = PG_HTTP_OPTS_INIT;
	struct pg_http_client *client = NULL;
	struct pg_err err = PG_ERR_INIT;
	struct pg_buf report = PG_BUF_INIT;
	const char *arg, *pr = NULL, *mr = NULL, *cacert = NULL, *marker_id = "perfgate";
	const char *report_path;
	char *markdown = NULL, *marker = NULL, *body = NULL, *json = NULL;
	bool github = false, gitlab = false, require = false, dry = false;
	long timeout_s = 60;
	size_t cut_lines = 0, limit;
	int c, ret = PG_EXIT_USAGE;

	while ((c = pg_cli_next(&cli, &arg)) != -1) {
		switch (c) {
		case PG_CLI_LONG(0):
			github = true;
			break;
		case PG_CLI_LONG(1):
			gitlab = true;
			break;
		case PG_CLI_LONG(2):
			pr = arg;
			break;
		case PG_CLI_LONG(3):
			mr = arg;
			break;
		case PG_CLI_LONG(4):
			require = true;
			break;
		case PG_CLI_LONG(5):
			cacert = arg;
			break;
		case PG_CLI_LONG(6):
			marker_id = arg;
			break;
		case PG_CLI_LONG(7):
			timeout_s = parse_number(arg);
			if (timeout_s < 1 || timeout_s > 3600) {
				pg_cli_usage_error(&cli, "--timeout '%s' is not 1 to 3600 seconds",
						   arg);
				goto done;
			}
			break;
		case 'n':
			dry = true;
			break;
		case 'h':
			ret = PG_EXIT_OK;
			goto done;
		default:
			goto done;
		}
	}
	if (github == gitlab) {
		pg_cli_usage_error(&cli, "say where to post: --github or --gitlab");
		goto done;
	}
	if ((pr && gitlab) || (mr && github)) {
		pg_cli_usage_error(&cli, "%s goes with %s", pr ? "--pr" : "--mr",
				   pr ? "--github" : "--gitlab");
		goto done;
	}
	if (cli.argc - cli.optind != 1) {
		pg_cli_usage_error(&cli,
				   cli.argc == cli.optind ? "missing REPORT" : "one REPORT only");
		goto done;
	}
	report_path = cli.argv[cli.optind];
	if (!pg_comment_id_valid(marker_id)) {
		pg_cli_usage_error(&cli, "--marker '%.80s': use 1 to 64 of A-Z a-z 0-9 . _ -",
				   marker_id);
		goto done;
	}
	/* a JSON report is rendered to fit the forge's limit with the marker line */
	marker = pg_comment_marker(marker_id);
	limit = (github ? PG_COMMENT_GITHUB_MAX_CHARS : PG_COMMENT_GITLAB_MAX_CHARS) -
		pg_comment_chars(marker, strlen(marker)) - 1;
	if (pg_file_read(report_path, REPORT_MAX_BYTES, &report, &err) < 0 ||
	    pg_comment_report_markdown(&markdown, report_path, report.data, report.len, limit,
				       &err) < 0) {
		ret = pg_fail(&err);
		goto done;
	}

	f.user_agent = pg_xstrdup("User-Agent: perfgate/" PERFGATE_VERSION);
	if ((github ? resolve_github(&f, pr, !dry, &err) : resolve_gitlab(&f, mr, !dry, &err)) <
	    0) {
		ret = pg_fail(&err);
		goto done;
	}
	body = pg_comment_body(marker, markdown, f.max_chars, &cut_lines);
	json = pg_comment_json_body(body);
	if (cut_lines)
		fprintf(stderr, "perfgate: the report is longer than %s allows: %zu lines cut\n",
			f.name, cut_lines);
	if (dry) {
		dry_run(&f, marker, json, pg_comment_chars(body, strlen(body)), cut_lines);
		ret = PG_EXIT_OK;
		goto done;
	}

	ho.api_url = f.list_url;
	ho.secret_header = f.secret_header;
	ho.headers = f.headers;
	ho.cacert_path = cacert;
	ho.timeout_s = timeout_s;
	ho.notice = print_notice;
	if (pg_http_client_new(&client, &ho, &err) < 0 ||
	    deliver(client, &f, marker, json, &err) < 0) {
		/* out of memory (libcurl's, like ours) is exit 4, not a delivery warning */
		if (err.kind == PG_ERR_USAGE || err.kind == PG_ERR_INTERRUPTED ||
		    err.kind == PG_ERR_INFRA) {
			ret = pg_fail(&err);
		} else if (require) {
			fprintf(stderr, "perfgate: comment not posted: %s\n", err.msg);
			ret = PG_EXIT_DELIVERY;
		} else {
			fprintf(stderr, "perfgate: warning: comment not posted: %s\n", err.msg);
			ret = PG_EXIT_OK;
		}
		goto done;
	}
	ret = PG_EXIT_OK;
done:
	pg_http_client_free(client);
	forge_release(&f);
	pg_buf_release(&report);
	free(markdown);
	free(marker);
	free(body);
	free(json);
	return ret;
}
