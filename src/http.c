#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sig.h"

#define MAX_REDIRECTS 5
#define MAX_HEADERS 200
#define SERVER_RETRIES 2

struct pg_http_client {
	CURL *curl;
	char *api_url;
	char *secret_header;
	char **headers; /* NULL-terminated copies */
	char *cacert_path;
	long connect_timeout_s, timeout_s, low_speed_time_s, retry_wait_cap_s;
	size_t max_body_bytes;
	void (*notice)(void *ctx, const char *msg);
	void *notice_ctx;
};

/* What one transfer collects; the callbacks write here. */
struct xfer {
	struct pg_http_response *resp;
	size_t cap;
	bool too_large;
};

static void wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void clear_headers(struct pg_http_response *resp)
{
	size_t i;

	for (i = 0; i < resp->nr_headers; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	resp->headers = NULL;
	resp->nr_headers = 0;
}

void pg_http_response_release(struct pg_http_response *resp)
{
	if (!resp)
		return;
	clear_headers(resp);
	pg_buf_release(&resp->body);
	free(resp->url);
	resp->url = NULL;
	resp->status = 0;
	resp->secret_withheld = false;
	resp->attempts = 0;
}

const char *pg_http_response_header(const struct pg_http_response *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nr_headers; i++)
		if (!strcasecmp(resp->headers[i].name, name))
			return resp->headers[i].value;
	return NULL;
}

/* ---- URL helpers ---- */

/*
 * libcurl out of memory is ours too: never read as "invalid URL" or "another
 * origin" (which would drop the token header, or leave a password unredacted).
 */
static CURLUcode url_ok(CURLUcode rc)
{
	if (rc == CURLUE_OUT_OF_MEMORY)
		pg_die_oom(0);
	return rc;
}

static CURLcode curl_ok(CURLcode rc)
{
	if (rc == CURLE_OUT_OF_MEMORY)
		pg_die_oom(0);
	return rc;
}

static CURLU *parse_url(const char *url)
{
	CURLU *u = curl_url();

	if (!u)
		pg_die_oom(0);
	if (url_ok(curl_url_set(u, CURLUPART_URL, url, 0)) != CURLUE_OK) {
		curl_url_cleanup(u);
		return NULL;
	}
	return u;
}

static char *url_part(CURLU *u, CURLUPart part, unsigned flags)
{
	char *p = NULL, *copy;

	if (url_ok(curl_url_get(u, part, &p, flags)) != CURLUE_OK || !p)
		return NULL;
	copy = pg_xstrdup(p);
	curl_free(p);
	return copy;
}

static bool is_http_scheme(const char *scheme)
{
	return scheme && (!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https"));
}

static bool secret_param(const char *name, size_t len)
{
	static const char *const words[] = {"token", "key", "secret",	  "password", "passwd",
					    "auth",  "sig", "credential", "session",  "code"};
	char low[64];
	size_t i;

	if (len >= sizeof(low))
		return true;
	for (i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[len] = '\0';
	for (i = 0; i < PG_ARRAY_SIZE(words); i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

char *pg_http_url_redact(const char *url)
{
	CURLU *u = parse_url(url);
	char *query = NULL, *out = NULL;
	struct pg_buf q = PG_BUF_INIT;
	const char *p;

	if (!u)
		return pg_xstrdup("(invalid URL)");
	url_ok(curl_url_set(u, CURLUPART_USER, NULL, 0));
	url_ok(curl_url_set(u, CURLUPART_PASSWORD, NULL, 0));
	url_ok(curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0));
	query = url_part(u, CURLUPART_QUERY, 0);
	if (query) {
		for (p = query; *p;) {
			size_t len = strcspn(p, "&"), nlen = strcspn(p, "=");

			if (nlen > len)
				nlen = len;
			if (q.len)
				pg_buf_addc(&q, '&');
			if (nlen < len && secret_param(p, nlen)) {
				pg_buf_add(&q, p, nlen);
				pg_buf_adds(&q, "=***");
			} else {
				pg_buf_add(&q, p, len);
			}
			p += len;
			if (*p == '&')
				p++;
		}
		url_ok(curl_url_set(u, CURLUPART_QUERY, pg_buf_cstr(&q), 0));
	}
	out = url_part(u, CURLUPART_URL, 0);
	if (!out)
		out = pg_xstrdup("(invalid URL)");
	free(query);
	pg_buf_release(&q);
	curl_url_cleanup(u);
	return out;
}

char *pg_http_url_host(const char *url)
{
	CURLU *u = parse_url(url);
	char *host, *port, *out;

	if (!u)
		return NULL;
	host = url_part(u, CURLUPART_HOST, 0);
	port = url_part(u, CURLUPART_PORT, 0); /* NULL when the URL names none */
	curl_url_cleanup(u);
	if (!host) {
		free(port);
		return NULL;
	}
	out = port ? pg_xasprintf("%s:%s", host, port) : pg_xstrdup(host);
	free(host);
	free(port);
	return out;
}

/* "scheme://host:port" with the default port filled in, or NULL. */
static char *origin_of(const char *url)
{
	CURLU *u = parse_url(url);
	char *scheme, *host, *port, *out = NULL;

	if (!u)
		return NULL;
	scheme = url_part(u, CURLUPART_SCHEME, 0);
	host = url_part(u, CURLUPART_HOST, 0);
	port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	if (scheme && host && port) {
		char *s;

		out = pg_xasprintf("%s://%s:%s", scheme, host, port);
		for (s = out; *s; s++)
			*s = (char)tolower((unsigned char)*s);
	}
	free(scheme);
	free(host);
	free(port);
	curl_url_cleanup(u);
	return out;
}

bool pg_http_url_same_origin(const char *a, const char *b)
{
	char *oa = origin_of(a), *ob = origin_of(b);
	bool same = oa && ob && !strcmp(oa, ob);

	free(oa);
	free(ob);
	return same;
}

char *pg_http_url_resolve(const char *base, const char *location)
{
	CURLU *u = parse_url(base);
	char *scheme = NULL, *out = NULL;

	if (!u)
		return NULL;
	if (url_ok(curl_url_set(u, CURLUPART_URL, location, 0)) != CURLUE_OK)
		goto done;
	scheme = url_part(u, CURLUPART_SCHEME, 0);
	if (!is_http_scheme(scheme))
		goto done;
	url_ok(curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0));
	out = url_part(u, CURLUPART_URL, 0);
done:
	free(scheme);
	curl_url_cleanup(u);
	return out;
}

long pg_http_retry_after_s(const char *value, long long now_s)
{
	char *end;
	long long v;
	time_t t;

	if (!value)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	if (isdigit((unsigned char)*value)) {
		errno = 0;
		v = strtoll(value, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (errno || *end)
			return -1;
		return v > 86400 * 365 ? 86400L * 365 : (long)v;
	}
	t = curl_getdate(value, NULL);
	if (t == (time_t)-1)
		return -1;
	return (long long)t <= now_s ? 0 : (long)((long long)t - now_s);
}

/* ---- the client ---- */

int pg_http_client_new(struct pg_http_client **out, const struct pg_http_opts *opts,
		       struct pg_err *err)
{
	struct pg_http_client *c = NULL;
	char *origin = NULL;
	size_t n = 0, i;
	CURLcode rc;
	int ret = -1;

	*out = NULL;
	if (!opts->api_url || !(origin = origin_of(opts->api_url)) ||
	    (strncmp(origin, "http://", 7) && strncmp(origin, "https://", 8))) {
		pg_err_set(err, PG_ERR_USAGE, "'%s' is not an http:// or https:// URL",
			   opts->api_url ? opts->api_url : "(null)");
		goto done;
	}
	if (opts->cacert_path && access(opts->cacert_path, R_OK) < 0) {
		pg_err_set(err, PG_ERR_USAGE, "cannot read --cacert '%s': %s", opts->cacert_path,
			   strerror(errno));
		goto done;
	}
	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		pg_err_set(err, PG_ERR_INFRA, "cannot initialise libcurl: %s",
			   rc == CURLE_OUT_OF_MEMORY ? "out of memory" : curl_easy_strerror(rc));
		goto done;
	}
	c = pg_xcalloc(1, sizeof(*c));
	c->curl = curl_easy_init();
	if (!c->curl) {
		curl_global_cleanup();
		free(c);
		c = NULL;
		pg_err_set(err, PG_ERR_INFRA, "cannot initialise libcurl: out of memory");
		goto done;
	}
	c->api_url = pg_xstrdup(opts->api_url);
	c->secret_header = opts->secret_header ? pg_xstrdup(opts->secret_header) : NULL;
	while (opts->headers && opts->headers[n])
		n++;
	c->headers = pg_xcalloc(n + 1, sizeof(*c->headers));
	for (i = 0; i < n; i++)
		c->headers[i] = pg_xstrdup(opts->headers[i]);
	c->cacert_path = opts->cacert_path ? pg_xstrdup(opts->cacert_path) : NULL;
	c->connect_timeout_s = opts->connect_timeout_s > 0 ? opts->connect_timeout_s : 10;
	c->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : 60;
	c->low_speed_time_s = opts->low_speed_time_s > 0 ? opts->low_speed_time_s : 10;
	c->max_body_bytes = opts->max_body_bytes ? opts->max_body_bytes : 8u << 20;
	c->retry_wait_cap_s = opts->retry_wait_cap_s >= 0 ? opts->retry_wait_cap_s : 60;
	c->notice = opts->notice;
	c->notice_ctx = opts->notice_ctx;
	*out = c;
	ret = 0;
done:
	free(origin);
	return ret;
}

void pg_http_client_free(struct pg_http_client *c)
{
	size_t i;

	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	curl_global_cleanup();
	free(c->api_url);
	wipe_free(c->secret_header);
	for (i = 0; c->headers[i]; i++)
		free(c->headers[i]);
	free(c->headers);
	free(c->cacert_path);
	free(c);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;

	if (x->resp->body.len + n > x->cap) {
		x->too_large = true;
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	}
	pg_buf_add(&x->resp->body, data, n);
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	struct pg_http_response *r = x->resp;
	size_t n = size * nmemb, nlen, vstart, vend;
	const char *colon;

	if (n >= 5 && !memcmp(data, "HTTP/", 5)) {
		/* A new response (after a 100 Continue or a proxy's CONNECT): start over. */
		clear_headers(r);
		return n;
	}
	colon = memchr(data, ':', n);
	if (!colon || r->nr_headers >= MAX_HEADERS)
		return n;
	nlen = (size_t)(colon - data);
	vstart = nlen + 1;
	vend = n;
	while (vstart < vend && (data[vstart] == ' ' || data[vstart] == '\t'))
		vstart++;
	while (vend > vstart && isspace((unsigned char)data[vend - 1]))
		vend--;
	r->headers = pg_xreallocarray(r->headers, r->nr_headers + 1, sizeof(*r->headers));
	r->headers[r->nr_headers].name = pg_xstrndup(data, nlen);
	r->headers[r->nr_headers].value = pg_xstrndup(data + vstart, vend - vstart);
	r->nr_headers++;
	return n;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	return pg_sig_received() ? 1 : 0; /* non-zero aborts with CURLE_ABORTED_BY_CALLBACK */
}

static bool is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_INITFAILED:
		return true;
	default:
		return false;
	}
}

/* One request, no redirects, no retries. */
static int perform(struct pg_http_client *c, const char *method, const char *url, const char *body,
		   bool send_secret, struct pg_http_response *resp, struct pg_err *err)
{
	CURL *h = c->curl;
	struct curl_slist *hdrs = NULL, *n;
	struct xfer x = {resp, c->max_body_bytes, false};
	char errbuf[CURL_ERROR_SIZE] = "";
	char *shown = NULL;
	CURLcode rc;
	size_t i;
	int ret = -1;

	clear_headers(resp);
	pg_buf_reset(&resp->body);
	resp->status = 0;
	resp->attempts++;

	for (i = 0; c->headers[i]; i++)
		if (!(n = curl_slist_append(hdrs, c->headers[i])))
			pg_die_oom(0);
		else
			hdrs = n;
	if (send_secret && c->secret_header) {
		if (!(n = curl_slist_append(hdrs, c->secret_header)))
			pg_die_oom(0);
		hdrs = n;
	}
	if (body) {
		if (!(n = curl_slist_append(hdrs, "Content-Type: application/json")))
			pg_die_oom(0);
		hdrs = n;
	}
	/* No "Expect: 100-continue" round trip for large bodies. */
	if (!(n = curl_slist_append(hdrs, "Expect:")))
		pg_die_oom(0);
	hdrs = n;

	curl_easy_reset(h);
	curl_ok(curl_easy_setopt(h, CURLOPT_URL, url));
	curl_ok(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
	curl_ok(curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->low_speed_time_s);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->cacert_path)
		curl_ok(curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert_path));
	curl_ok(curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs));
	curl_ok(curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""));
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body_bytes);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	if (!strcmp(method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST"))
			curl_ok(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method));
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(body ? strlen(body) : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
	}

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (rc == CURLE_OK) {
		ret = 0;
		goto done;
	}
	shown = pg_http_url_redact(url);
	if (rc == CURLE_OUT_OF_MEMORY)
		pg_err_set(err, PG_ERR_INFRA, "%s %s: out of memory (libcurl)", method, shown);
	else if (x.too_large || rc == CURLE_FILESIZE_EXCEEDED)
		pg_err_set(err, PG_ERR_DELIVERY, "%s %s: response larger than %zu bytes", method,
			   shown, c->max_body_bytes);
	else if (rc == CURLE_ABORTED_BY_CALLBACK && pg_sig_received())
		pg_err_set(err, PG_ERR_INTERRUPTED, "%s %s: interrupted", method, shown);
	else if (is_tls_error(rc))
		pg_err_set(err, PG_ERR_DELIVERY, "%s %s: TLS error: %s%s", method, shown,
			   errbuf[0] ? errbuf : curl_easy_strerror(rc),
			   c->cacert_path ? "" : " (for a private CA, pass --cacert FILE)");
	else
		pg_err_set(err, PG_ERR_DELIVERY, "%s %s: %s%s%s", method, shown,
			   curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
done:
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	for (n = hdrs; n; n = n->next)
		explicit_bzero(n->data, strlen(n->data));
	curl_slist_free_all(hdrs);
	free(shown);
	return ret;
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Follow redirects ourselves so that the token never leaves the API origin. */
static int exchange(struct pg_http_client *c, const char *method, const char *url, const char *body,
		    struct pg_http_response *resp, struct pg_err *err)
{
	char *cur = pg_xstrdup(url), *next = NULL, *shown = NULL;
	const char *location;
	int hops = 0, ret = -1;

	for (;;) {
		bool same = pg_http_url_same_origin(cur, c->api_url);

		if (!same && c->secret_header)
			resp->secret_withheld = true;
		if (perform(c, method, cur, body, same, resp, err) < 0)
			goto done;
		if (!is_redirect(resp->status))
			break;
		location = pg_http_response_header(resp, "Location");
		if (!location)
			break; /* the caller sees a 3xx it cannot use */
		shown = pg_http_url_redact(cur);
		if (++hops > MAX_REDIRECTS) {
			pg_err_set(err, PG_ERR_DELIVERY, "%s %s: more than %d redirects", method,
				   shown, MAX_REDIRECTS);
			goto done;
		}
		next = pg_http_url_resolve(cur, location);
		if (!next) {
			pg_err_set(err, PG_ERR_DELIVERY,
				   "%s %s: redirect to an invalid or non-HTTP location", method,
				   shown);
			goto done;
		}
		free(shown);
		shown = NULL;
		if (resp->status == 303 ||
		    ((resp->status == 301 || resp->status == 302) && !strcmp(method, "POST"))) {
			method = "GET";
			body = NULL;
		}
		free(cur);
		cur = next;
		next = NULL;
	}
	ret = 0;
done:
	free(resp->url);
	resp->url = cur;
	free(next);
	free(shown);
	return ret;
}

/* Sleep whole seconds, waking early on a signal. */
static int wait_s(long seconds, struct pg_err *err)
{
	long i;

	for (i = 0; i < seconds * 10; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		if (pg_sig_received())
			return pg_err_set(err, PG_ERR_INTERRUPTED,
					  "interrupted while waiting to retry");
		nanosleep(&ts, NULL);
	}
	return pg_sig_received() ? pg_err_set(err, PG_ERR_INTERRUPTED, "interrupted") : 0;
}

/* Seconds the server asked us to wait, or -1 when it is not a rate limit. */
static long rate_limit_wait_s(const struct pg_http_response *resp)
{
	const char *ra = pg_http_response_header(resp, "Retry-After");
	const char *remaining = pg_http_response_header(resp, "X-RateLimit-Remaining");
	const char *reset = pg_http_response_header(resp, "X-RateLimit-Reset");
	long long now = (long long)time(NULL);
	long s = pg_http_retry_after_s(ra, now);

	if (resp->status != 429 && resp->status != 403)
		return -1;
	if (s >= 0)
		return s;
	if (remaining && !strcmp(remaining, "0") && reset) {
		long long r = strtoll(reset, NULL, 10);

		return r > now ? (long)(r - now) : 0;
	}
	return resp->status == 429 ? 5 : -1;
}

static void notice(struct pg_http_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void notice(struct pg_http_client *c, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	if (!c->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->notice(c->notice_ctx, msg);
}

int pg_http_request(struct pg_http_client *c, const char *method, const char *url,
		    const char *json_body, struct pg_http_response *resp, struct pg_err *err)
{
	bool rate_retried = false, idempotent = strcmp(method, "POST") != 0;
	int server_retries = 0, attempts = 0;
	char *host = NULL;
	long wait;

	pg_http_response_release(resp);
	for (;;) {
		if (exchange(c, method, url, json_body, resp, err) < 0)
			break;
		attempts += resp->attempts;
		resp->attempts = 0;
		free(host);
		host = pg_http_url_host(resp->url);
		wait = rate_limit_wait_s(resp);
		if (wait >= 0 && !rate_retried) {
			if (wait > c->retry_wait_cap_s)
				wait = c->retry_wait_cap_s;
			notice(c, "rate limited (%ld) by %s; retrying %s in %ld s", resp->status,
			       host ? host : "the server", method, wait);
			rate_retried = true;
			if (wait_s(wait, err) < 0)
				break;
			continue;
		}
		if (idempotent && server_retries < SERVER_RETRIES &&
		    (resp->status == 500 || resp->status == 502 || resp->status == 503 ||
		     resp->status == 504)) {
			wait = 1L << server_retries;
			server_retries++;
			notice(c, "server error (%ld) from %s; retrying %s in %ld s", resp->status,
			       host ? host : "the server", method, wait);
			if (wait_s(wait, err) < 0)
				break;
			continue;
		}
		resp->attempts = attempts;
		free(host);
		return 0;
	}
	resp->attempts += attempts;
	free(host);
	return -1;
}
