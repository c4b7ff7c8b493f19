/*
 * http: a small HTTPS client for the GitHub and GitLab APIs, over libcurl.
 * The ONLY includer of <curl/curl.h>.
 *
 * Owns: one connection handle, the request headers (one of them secret: the
 * token), timeouts, the response size cap, redirects and retries.
 * Must not: print (notices go through a callback), choose exit codes, turn
 * certificate verification off (no option does), send the secret header to
 * any origin other than the API's, or put a header into an error message.
 *
 * Policy, fixed here so every caller gets it:
 *   - connect timeout 10 s; total timeout per attempt opts.timeout_s (60 s);
 *     a transfer slower than 1 byte/s for opts.low_speed_time_s (10 s) aborts;
 *   - only http:// and https://; peer and host always verified (CAINFO from
 *     opts.cacert_path when given);
 *   - the response body capped at opts.max_body_bytes (8 MiB):
 *     "GET URL: response larger than N bytes";
 *   - redirects (301, 302, 303, 307, 308) followed here, not by curl, at most
 *     5 times; the secret header goes only to URLs whose scheme, host and port
 *     equal opts.api_url's (so a redirect or a pagination link to another host
 *     never sees the token); 303, and 301/302 after a POST, become a GET;
 *   - 429, or 403 with Retry-After or X-RateLimit-Remaining: 0: wait as asked
 *     (at most opts.retry_wait_cap_s, 60 s) and retry once, any method;
 *   - 500, 502, 503, 504 on GET, PUT or PATCH: two more tries after 1 s and 2 s;
 *     a POST is never retried (the caller checks whether it landed);
 *   - transport errors are not retried; SIGINT/SIGTERM (sig.h) abort a
 *     transfer or a wait with PG_ERR_INTERRUPTED.
 *
 * Use:
 *   struct pg_http_opts o = PG_HTTP_OPTS_INIT;
 *   o.api_url = "https://api.github.com"; o.secret_header = "Authorization: Bearer T";
 *   o.headers = (const char *[]){ "Accept: application/json", NULL };
 *   struct pg_http_client *c; if (pg_http_client_new(&c, &o, &err) < 0) ...
 *   struct pg_http_response r = PG_HTTP_RESPONSE_INIT;
 *   if (pg_http_request(c, "GET", url, NULL, &r, &err) < 0) ... transport failure
 *   else r.status is the final status (any: the caller judges it);
 *   pg_http_response_release(&r); pg_http_client_free(c);
 * Errors are PG_ERR_DELIVERY (or PG_ERR_USAGE for bad options, PG_ERR_INTERRUPTED).
 */
#ifndef PG_HTTP_H
#define PG_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "util.h"

struct pg_http_client;

struct pg_http_opts {
	const char *api_url;	    /* the API base; its origin may see the secret header */
	const char *secret_header;  /* "Name: value" (the token), or NULL; copied, wiped on free */
	const char *const *headers; /* other "Name: value" headers, NULL-terminated, or NULL */
	const char *cacert_path;    /* PEM bundle of trusted CAs, or NULL for the system store */
	long connect_timeout_s;	    /* seconds to connect (and TLS handshake) */
	long timeout_s;		    /* seconds for one attempt, all included */
	long low_speed_time_s;	    /* abort when under 1 byte/s for this many seconds */
	size_t max_body_bytes;	    /* response body cap, bytes */
	long retry_wait_cap_s;	    /* longest wait asked by Retry-After that is honoured, s */
	/* Called before each wait-and-retry with a one-line, token-free message. */
	void (*notice)(void *ctx, const char *msg);
	void *notice_ctx;
};

#define PG_HTTP_OPTS_INIT                                                                          \
	{                                                                                          \
		NULL, NULL, NULL, NULL, 10, 60, 10, 8u << 20, 60, NULL, NULL                       \
	}

struct pg_http_header {
	char *name;  /* as sent, without the colon */
	char *value; /* trimmed */
};

struct pg_http_response {
	long status;			/* final HTTP status after redirects and retries */
	struct pg_buf body;		/* response body, NUL-terminated, <= max_body_bytes */
	struct pg_http_header *headers; /* final response's headers (at most 200) */
	size_t nr_headers;
	char *url; /* the URL that answered last (after redirects); never NULL after a request */
	bool secret_withheld; /* a URL on the way was off the API origin: no token sent there */
	int attempts;	      /* requests made, retries and redirects included */
};

#define PG_HTTP_RESPONSE_INIT                                                                      \
	{                                                                                          \
		0, PG_BUF_INIT, NULL, 0, NULL, false, 0                                            \
	}

/* A client for opts (copied). Fails on a bad api_url or unreadable cacert_path (PG_ERR_USAGE). */
int pg_http_client_new(struct pg_http_client **out, const struct pg_http_opts *opts,
		       struct pg_err *err);
/* Free the client and wipe the secret header. NULL is fine. */
void pg_http_client_free(struct pg_http_client *c);

/*
 * METHOD ("GET", "POST", "PUT", "PATCH") url, with json_body (sent as
 * Content-Type: application/json) or NULL. resp is released and refilled.
 * Returns 0 when the server answered (any status: see resp->status),
 * -1 with err set when it did not (refused, DNS, TLS, timeout, too large,
 * too many redirects, interrupted). Messages name the method and the URL
 * without credentials or secret query values, never a header.
 */
int pg_http_request(struct pg_http_client *c, const char *method, const char *url,
		    const char *json_body, struct pg_http_response *resp, struct pg_err *err);

void pg_http_response_release(struct pg_http_response *resp);

/* The first value of header name (case-insensitive) in resp, or NULL (borrowed). */
const char *pg_http_response_header(const struct pg_http_response *resp, const char *name);

/*
 * Pure URL helpers (no network).
 * pg_http_url_redact: url without user:password@ and with the values of query
 * parameters that look secret (token, key, secret, password, auth, sig...)
 * replaced by "***". Never NULL; an unparsable url gives "(invalid URL)".
 * pg_http_url_host: "host" or "host:port" when the port is not the scheme's
 * default; NULL when url does not parse.
 * pg_http_url_same_origin: scheme, host and port all equal.
 * pg_http_url_resolve: location resolved against base (a redirect); NULL when
 * it does not parse or its scheme is not http or https.
 * All returned strings are the caller's, to free().
 */
char *pg_http_url_redact(const char *url);
char *pg_http_url_host(const char *url);
bool pg_http_url_same_origin(const char *a, const char *b);
char *pg_http_url_resolve(const char *base, const char *location);

/* Retry-After (seconds or an HTTP date) as seconds from now_s, >= 0; -1 when unparsable. */
long pg_http_retry_after_s(const char *value, long long now_s);

#endif
