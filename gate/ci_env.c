#include "ci_env.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define EVENT_MAX_BYTES (16u << 20)

static int is_hex_oid(const char *s)
{
	size_t n = strlen(s);

	if (n < 7 || n > 64)
		return 0;
	return strspn(s, "0123456789abcdefABCDEF") == n;
}

int pg_ci_base(char **base_out, const char **source_out, struct pg_err *err)
{
	const char *gl = getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA");
	const char *ev = getenv("GITHUB_EVENT_PATH");
	struct pg_buf buf = PG_BUF_INIT;
	cJSON *root = NULL;
	const cJSON *sha = NULL;
	int ret = 1;

	*base_out = NULL;
	*source_out = NULL;
	if (gl && *gl) {
		if (!is_hex_oid(gl))
			return pg_err_set(err, PG_ERR_USAGE,
					  "CI_MERGE_REQUEST_DIFF_BASE_SHA is not a commit id: '%.64s'", gl);
		*base_out = pg_xstrdup(gl);
		*source_out = "CI_MERGE_REQUEST_DIFF_BASE_SHA";
		return 0;
	}
	if (!ev || !*ev || !getenv("GITHUB_ACTIONS"))
		return 1;
	if (pg_file_read(ev, EVENT_MAX_BYTES, &buf, err) < 0) {
		pg_err_prefix(err, "GITHUB_EVENT_PATH");
		ret = -1;
		goto done;
	}
	root = cJSON_ParseWithLength(buf.data, buf.len);
	if (!root) {
		ret = pg_err_set(err, PG_ERR_USAGE, "GITHUB_EVENT_PATH '%s': not valid JSON", ev);
		goto done;
	}
	sha = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "pull_request"),
						 "base"),
		"sha");
	if (!cJSON_IsString(sha))
		sha = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(root, "merge_group"), "base_sha");
	if (!cJSON_IsString(sha)) {
		ret = 1; /* a push or a schedule: no pull request, no base */
		goto done;
	}
	if (!is_hex_oid(sha->valuestring)) {
		ret = pg_err_set(err, PG_ERR_USAGE, "GITHUB_EVENT_PATH '%s': base sha is not a commit id",
				 ev);
		goto done;
	}
	*base_out = pg_xstrdup(sha->valuestring);
	*source_out = "the pull request's base (GITHUB_EVENT_PATH)";
	ret = 0;
done:
	cJSON_Delete(root);
	pg_buf_release(&buf);
	return ret;
}
