#include "comment.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report.h"
#include "util.h"

#define API_MSG_MAX 300

bool pg_comment_id_valid(const char *id)
{
	size_t n = 0;

	if (!id)
		return false;
	for (; id[n]; n++)
		if (!isalnum((unsigned char)id[n]) && !strchr("._-", id[n]))
			return false;
	return n >= 1 && n <= 64;
}

char *pg_comment_marker(const char *id)
{
	return pg_xasprintf("<!-- perfgate:%s -->", id);
}

int pg_comment_report_markdown(char **out, const char *path, const char *text, size_t len,
			       size_t max_bytes, struct pg_err *err)
{
	cJSON *root = NULL;
	const cJSON *md;
	int ret = -1;

	*out = NULL;
	if (memchr(text, '\0', len) || !pg_utf8_valid(text, len)) {
		pg_err_set(err, PG_ERR_USAGE, "%s: not a UTF-8 text or JSON report", path);
		goto done;
	}
	root = cJSON_ParseWithLength(text, len);
	if (cJSON_IsObject(root)) {
		md = cJSON_GetObjectItemCaseSensitive(root, "markdown");
		if (cJSON_IsString(md) && md->valuestring) {
			*out = pg_xstrdup(md->valuestring);
		} else if (cJSON_GetObjectItemCaseSensitive(root, "perfgate_report")) {
			/* check's report: the model read back, rendered by the one renderer */
			struct pg_report rep = PG_REPORT_INIT;
			struct pg_buf b = PG_BUF_INIT;
			const char *base = strrchr(path, '/');

			if (pg_report_from_json(&rep, path, text, len, err) < 0)
				goto done;
			pg_report_render_markdown(&b, &rep, max_bytes, base ? base + 1 : path);
			pg_report_release(&rep);
			*out = pg_buf_detach(&b, NULL);
		}
	}
	if (!*out)
		*out = pg_xstrndup(text, len);
	if (!**out || strspn(*out, " \t\r\n") == strlen(*out)) {
		free(*out);
		*out = NULL;
		pg_err_set(err, PG_ERR_USAGE, "%s: nothing to post (the comment would be empty)",
			   path);
		goto done;
	}
	ret = 0;
done:
	cJSON_Delete(root);
	return ret;
}

/* UTF-16 code units of one UTF-8 lead byte's character; 0 for a continuation byte. */
static size_t units_of(unsigned char b)
{
	if ((b & 0xC0) == 0x80)
		return 0;
	return b >= 0xF0 ? 2 : 1;
}

size_t pg_comment_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += units_of((unsigned char)s[i]);
	return n;
}

static bool is_fence(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && i < 3 && line[i] == ' ')
		i++;
	return len - i >= 3 && (!strncmp(line + i, "```", 3) || !strncmp(line + i, "~~~", 3));
}

char *pg_comment_body(const char *marker, const char *markdown, size_t max_chars, size_t *cut_lines)
{
	static const char footer_fmt[] =
	    "\n... %zu more lines: see the perfgate report artifact.\n";
	struct pg_buf b = PG_BUF_INIT;
	size_t head, reserve, budget, used = 0, total_lines = 0, kept = 0, fences = 0;
	size_t md_len = strlen(markdown);
	const char *p, *line;

	if (cut_lines)
		*cut_lines = 0;
	pg_buf_adds(&b, marker);
	pg_buf_addc(&b, '\n');
	head = pg_comment_chars(b.data, b.len);
	if (head + pg_comment_chars(markdown, md_len) <= max_chars) {
		pg_buf_add(&b, markdown, md_len);
		return pg_buf_detach(&b, NULL);
	}
	for (p = markdown; *p; total_lines++) {
		const char *nl = strchr(p, '\n');

		p = nl ? nl + 1 : p + strlen(p);
	}
	/* Room for the footer with the widest count, and a closing fence. */
	reserve = sizeof(footer_fmt) + 20 + 4;
	budget = max_chars > head + reserve ? max_chars - head - reserve : 0;
	for (line = markdown; *line; kept++) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		size_t units = pg_comment_chars(line, len);

		if (used + units > budget) {
			if (kept == 0) {
				/* Not even one line fits: keep what fits of it, cut at a character.
				 */
				size_t i = 0, u = 0;

				while (i < len && line[i] != '\n') {
					size_t j = i + 1, w = units_of((unsigned char)line[i]);

					while (j < len && units_of((unsigned char)line[j]) == 0)
						j++;
					if (u + w > budget)
						break;
					u += w;
					i = j;
				}
				pg_buf_add(&b, line, i);
				pg_buf_addc(&b, '\n');
				if (is_fence(line, len))
					fences++;
			}
			break;
		}
		if (is_fence(line, len))
			fences++;
		pg_buf_add(&b, line, len);
		used += units;
		line += len;
	}
	if (b.len && b.data[b.len - 1] != '\n')
		pg_buf_addc(&b, '\n');
	if (fences % 2)
		pg_buf_adds(&b, "```\n");
	pg_buf_addf(&b, footer_fmt, total_lines - kept);
	if (cut_lines)
		*cut_lines = total_lines - kept;
	return pg_buf_detach(&b, NULL);
}

char *pg_comment_json_body(const char *text)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	if (!o || !cJSON_AddStringToObject(o, "body", text))
		pg_die_oom(0);
	s = cJSON_PrintUnformatted(o);
	if (!s)
		pg_die_oom(0);
	cJSON_Delete(o);
	return s;
}

/* A JSON number that is a whole, non-negative id exactly representable in a double. */
static char *id_string(const cJSON *id)
{
	if (cJSON_IsNumber(id)) {
		double v = id->valuedouble;

		if (v >= 0 && v <= 9007199254740992.0 && floor(v) == v)
			return pg_xasprintf("%.0f", v);
		return NULL;
	}
	if (cJSON_IsString(id) && id->valuestring && *id->valuestring &&
	    strspn(id->valuestring, "0123456789") == strlen(id->valuestring) &&
	    strlen(id->valuestring) <= 20)
		return pg_xstrdup(id->valuestring);
	return NULL;
}

int pg_comment_find(char **id_out, const char *json, size_t len, const char *marker,
		    const char *url, struct pg_err *err)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *c;
	int ret = -1;

	*id_out = NULL;
	if (!cJSON_IsArray(root)) {
		pg_err_set(err, PG_ERR_DELIVERY,
			   "GET %s: the answer is not a JSON list of comments", url);
		goto done;
	}
	cJSON_ArrayForEach(c, root)
	{
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(c, "body");
		const char *s;

		if (!cJSON_IsObject(c) || !cJSON_IsString(body) || !body->valuestring)
			continue;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "system")))
			continue;
		s = body->valuestring;
		s += strspn(s, " \t\r\n");
		if (!pg_str_startswith(s, marker))
			continue;
		*id_out = id_string(cJSON_GetObjectItemCaseSensitive(c, "id"));
		if (!*id_out) {
			pg_err_set(err, PG_ERR_DELIVERY,
				   "GET %s: a comment with the marker has no usable id", url);
			goto done;
		}
		ret = 1;
		goto done;
	}
	ret = 0;
done:
	cJSON_Delete(root);
	return ret;
}

/* Is "next" among the space-separated relation types of a rel value? */
static bool rel_has_next(const char *v, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && v[i] == ' ')
			i++;
		start = i;
		while (i < len && v[i] != ' ')
			i++;
		if (i - start == 4 && !strncasecmp(v + start, "next", 4))
			return true;
	}
	return false;
}

char *pg_comment_link_next(const char *link)
{
	const char *p = link;

	if (!link)
		return NULL;
	while (*p) {
		const char *lt, *gt, *q;
		bool next = false;

		lt = strchr(p, '<');
		if (!lt)
			break;
		gt = strchr(lt, '>');
		if (!gt)
			break;
		/* Parameters up to the next link: ';'-separated, values maybe quoted. */
		q = gt + 1;
		while (*q && *q != ',') {
			const char *name, *val;
			size_t nlen, vlen;

			while (*q == ' ' || *q == '\t' || *q == ';')
				q++;
			name = q;
			while (*q && *q != '=' && *q != ';' && *q != ',')
				q++;
			nlen = (size_t)(q - name);
			while (nlen && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
				nlen--;
			if (*q != '=')
				continue;
			q++;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '"') {
				val = ++q;
				while (*q && *q != '"')
					q++;
				vlen = (size_t)(q - val);
				if (*q == '"')
					q++;
			} else {
				val = q;
				while (*q && *q != ';' && *q != ',' && *q != ' ')
					q++;
				vlen = (size_t)(q - val);
			}
			if (nlen == 3 && !strncasecmp(name, "rel", 3) && rel_has_next(val, vlen))
				next = true;
		}
		if (next && gt > lt + 1)
			return pg_xstrndup(lt + 1, (size_t)(gt - lt - 1));
		p = *q ? q + 1 : q;
	}
	return NULL;
}

char *pg_comment_url_with_page(const char *url, const char *page)
{
	struct pg_buf b = PG_BUF_INIT;
	const char *q = strchr(url, '?'), *end, *p;
	char *enc = pg_comment_url_encode(page);
	bool any = false;

	end = url + strcspn(url, "#");
	if (!q || q > end) {
		pg_buf_add(&b, url, (size_t)(end - url));
		pg_buf_addf(&b, "?page=%s", enc);
		free(enc);
		return pg_buf_detach(&b, NULL);
	}
	pg_buf_add(&b, url, (size_t)(q - url));
	pg_buf_addc(&b, '?');
	for (p = q + 1; p < end;) {
		size_t len = strcspn(p, "&#");

		bool is_page =
		    (len >= 5 && !strncmp(p, "page=", 5)) || (len == 4 && !strncmp(p, "page", 4));

		if (len && !is_page) {
			if (any)
				pg_buf_addc(&b, '&');
			pg_buf_add(&b, p, len);
			any = true;
		}
		p += len;
		if (p < end && *p == '&')
			p++;
	}
	pg_buf_addf(&b, "%spage=%s", any ? "&" : "", enc);
	free(enc);
	return pg_buf_detach(&b, NULL);
}

char *pg_comment_url_encode(const char *s)
{
	struct pg_buf b = PG_BUF_INIT;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			pg_buf_addc(&b, (char)c);
		else
			pg_buf_addf(&b, "%%%02X", c);
	}
	return pg_buf_detach(&b, NULL);
}

static void add_clean(struct pg_buf *b, const char *s)
{
	for (; *s && b->len < API_MSG_MAX * 2; s++)
		pg_buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

/* GitLab's {"field": ["msg", ...], ...}: "field msg; field2 msg2". */
static void add_field_messages(struct pg_buf *b, const cJSON *obj)
{
	const cJSON *f, *m;

	cJSON_ArrayForEach(f, obj)
	{
		if (b->len)
			pg_buf_adds(b, "; ");
		if (f->string) {
			add_clean(b, f->string);
			pg_buf_addc(b, ' ');
		}
		if (cJSON_IsString(f)) {
			add_clean(b, f->valuestring);
		} else if (cJSON_IsArray(f)) {
			bool first = true;

			cJSON_ArrayForEach(m, f)
			{
				if (!cJSON_IsString(m))
					continue;
				if (!first)
					pg_buf_adds(b, ", ");
				add_clean(b, m->valuestring);
				first = false;
			}
		}
	}
}

char *pg_comment_api_message(const char *json, size_t len)
{
	cJSON *root = json ? cJSON_ParseWithLength(json, len) : NULL;
	const cJSON *msg, *errs, *e, *desc;
	struct pg_buf b = PG_BUF_INIT;
	size_t cut;

	if (!cJSON_IsObject(root))
		goto done;
	msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	if (cJSON_IsString(msg))
		add_clean(&b, msg->valuestring);
	else if (cJSON_IsObject(msg))
		add_field_messages(&b, msg);
	errs = cJSON_GetObjectItemCaseSensitive(root, "errors");
	if (cJSON_IsArray(errs)) {
		e = cJSON_GetArrayItem(errs, 0);
		if (cJSON_IsObject(e))
			e = cJSON_GetObjectItemCaseSensitive(e, "message");
		if (cJSON_IsString(e)) {
			pg_buf_adds(&b, b.len ? ": " : "");
			add_clean(&b, e->valuestring);
		}
	}
	if (!b.len) {
		e = cJSON_GetObjectItemCaseSensitive(root, "error");
		desc = cJSON_GetObjectItemCaseSensitive(root, "error_description");
		if (cJSON_IsString(e))
			add_clean(&b, e->valuestring);
		if (cJSON_IsString(desc)) {
			pg_buf_adds(&b, b.len ? ": " : "");
			add_clean(&b, desc->valuestring);
		}
	}
	if (b.len > API_MSG_MAX) {
		cut = API_MSG_MAX;
		while (cut > 0 && ((unsigned char)b.data[cut] & 0xC0) == 0x80)
			cut--;
		b.len = cut;
		b.data[cut] = '\0';
		pg_buf_adds(&b, "...");
	}
done:
	cJSON_Delete(root);
	if (!b.len) {
		pg_buf_release(&b);
		return NULL;
	}
	return pg_buf_detach(&b, NULL);
}

char *pg_comment_status_text(long status, const char *host, const char *api_msg)
{
	const char *sep = api_msg && *api_msg ? ": " : "";

	if (!api_msg)
		api_msg = "";
	if (!host)
		host = "the server";
	if (status == 401 || status == 403)
		return pg_xasprintf("token rejected (%ld) by %s%s%s", status, host, sep, api_msg);
	if (status == 404)
		return pg_xasprintf("not found (404) on %s%s%s", host, sep, api_msg);
	if (status == 429)
		return pg_xasprintf("rate limited (429) by %s%s%s", host, sep, api_msg);
	return pg_xasprintf("HTTP %ld from %s%s%s", status, host, sep, api_msg);
}

static bool positive_int(const cJSON *n, long *out)
{
	if (!cJSON_IsNumber(n) || n->valuedouble < 1 || n->valuedouble > INT_MAX ||
	    floor(n->valuedouble) != n->valuedouble)
		return false;
	*out = (long)n->valuedouble;
	return true;
}

int pg_comment_event_number(long *number_out, const char *path, const char *json, size_t len,
			    struct pg_err *err)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *pr, *issue;
	int ret = -1;

	*number_out = 0;
	if (!cJSON_IsObject(root)) {
		pg_err_set(err, PG_ERR_USAGE, "%s: not a JSON event (GITHUB_EVENT_PATH)", path);
		goto done;
	}
	pr = cJSON_GetObjectItemCaseSensitive(root, "pull_request");
	issue = cJSON_GetObjectItemCaseSensitive(root, "issue");
	if (cJSON_IsObject(pr) &&
	    positive_int(cJSON_GetObjectItemCaseSensitive(pr, "number"), number_out))
		ret = 0;
	else if (positive_int(cJSON_GetObjectItemCaseSensitive(root, "number"), number_out))
		ret = 0;
	else if (cJSON_IsObject(issue) && cJSON_GetObjectItemCaseSensitive(issue, "pull_request") &&
		 positive_int(cJSON_GetObjectItemCaseSensitive(issue, "number"), number_out))
		ret = 0;
	else
		pg_err_set(err, PG_ERR_USAGE,
			   "%s: no pull request number in the event (not a pull_request event?); "
			   "pass --pr N",
			   path);
done:
	cJSON_Delete(root);
	return ret;
}

char *pg_comment_response_link(const char *json, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *u;
	char *out = NULL;

	u = cJSON_GetObjectItemCaseSensitive(root, "html_url");
	if (cJSON_IsString(u) && u->valuestring && pg_str_startswith(u->valuestring, "http") &&
	    !strpbrk(u->valuestring, " \t\r\n"))
		out = pg_xstrdup(u->valuestring);
	cJSON_Delete(root);
	return out;
}
