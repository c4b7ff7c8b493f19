/*
 * comment: the pure parts of `perfgate comment`: the hidden marker, the body
 * kept under the forge's size limit, the JSON that goes out and comes back,
 * pagination links, URL encoding and the wording of API errors.
 *
 * Owns nothing but strings. Must not: do I/O, read the clock or the
 * environment, print. cmd_comment.c drives these over http.c.
 *
 * Every returned char * is the caller's, to free(); NULL means "none" where
 * a function says so. Functions that can fail take struct pg_err *err last
 * and set a PG_ERR_USAGE (bad input file) or PG_ERR_DELIVERY (bad API answer).
 */
#ifndef PG_COMMENT_H
#define PG_COMMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Body limits of the forges, in characters (UTF-16 code units, the stricter count). */
#define PG_COMMENT_GITHUB_MAX_CHARS 65536
#define PG_COMMENT_GITLAB_MAX_CHARS 1000000

/* ID for the marker: [A-Za-z0-9._-], 1 to 64 characters. */
bool pg_comment_id_valid(const char *id);
/* "<!-- perfgate:ID -->" (ID must be valid). */
char *pg_comment_marker(const char *id);

/*
 * The Markdown to post from a report file's text: the "markdown" string of a
 * JSON object when there is one; for perfgate check's JSON report
 * ("perfgate_report"), the report read back (pg_report_from_json) and
 * rendered by pg_report_render_markdown in at most max_bytes bytes (0 =
 * PG_REPORT_MARKDOWN_MAX_BYTES), rows that do not fit counted and pointed
 * to path's file name; otherwise the text itself (a Markdown file). A report
 * that does not read back, text that is not UTF-8 or holds a NUL, are errors
 * naming path. (Bytes: the forges count UTF-16 units, never more than bytes.)
 */
int pg_comment_report_markdown(char **out, const char *path, const char *text, size_t len,
			       size_t max_bytes, struct pg_err *err);

/* Length of s in UTF-16 code units (what the forges count); s is UTF-8. */
size_t pg_comment_chars(const char *s, size_t len);

/*
 * The comment body: marker, a newline, then markdown, at most max_chars
 * long. When it does not fit, whole lines are cut from the end (the last
 * kept line cut at a character boundary only when not even one fits), an
 * open ``` fence is closed, and "... N more lines: see the perfgate report
 * artifact." is appended. *cut_lines (may be NULL) says how many lines went.
 */
char *pg_comment_body(const char *marker, const char *markdown, size_t max_chars,
		      size_t *cut_lines);

/* {"body": text} */
char *pg_comment_json_body(const char *text);

/*
 * Find our comment in one page of a comment list (a JSON array of objects
 * with "id" and "body", GitHub's issue comments or GitLab's notes): the
 * first whose body starts with marker (leading blanks allowed), skipping
 * GitLab system notes. Returns 1 and *id_out (decimal) when found, 0 when
 * not, -1 when json is not an array of comments (err names url).
 */
int pg_comment_find(char **id_out, const char *json, size_t len, const char *marker,
		    const char *url, struct pg_err *err);

/*
 * The "next" target of an RFC 8288 Link header
 * (`<https://...?page=2>; rel="next", <...>; rel="last"`), or NULL.
 */
char *pg_comment_link_next(const char *link);

/* url with its "page" query parameter set to page (replaced or added). */
char *pg_comment_url_with_page(const char *url, const char *page);

/* Percent-encode everything but RFC 3986 unreserved characters ("a/b" -> "a%2Fb"). */
char *pg_comment_url_encode(const char *s);

/*
 * The API's own error text from an error body: GitHub's "message" (plus the
 * first errors[].message), GitLab's "message" (a string, or an object of
 * field -> [messages]) or "error"/"error_description". Control characters
 * dropped, at most 300 bytes. NULL when there is none.
 */
char *pg_comment_api_message(const char *json, size_t len);

/*
 * What a non-2xx status means, for a message:
 *   401/403 -> "token rejected (401) by HOST: MSG"
 *   404     -> "not found (404) on HOST: MSG"
 *   429     -> "rate limited (429) by HOST: MSG"
 *   other   -> "HTTP 500 from HOST: MSG"
 * api_msg may be NULL.
 */
char *pg_comment_status_text(long status, const char *host, const char *api_msg);

/*
 * The pull request number from a GitHub event file: .pull_request.number,
 * else .number, else .issue.number when the issue is a pull request.
 * Returns 0 and *number_out, or -1 (err names path).
 */
int pg_comment_event_number(long *number_out, const char *path, const char *json, size_t len,
			    struct pg_err *err);

/* The "html_url" (GitHub) or "id" of a created/updated comment, for the log; NULL if none. */
char *pg_comment_response_link(const char *json, size_t len);

#endif
