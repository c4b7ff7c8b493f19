#!/usr/bin/env bash
# perfgate comment and redirects: a redirect to another host (127.0.0.2) must
# not carry the token there; a redirect on the API's own host keeps it.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate comment: redirects never leak the token"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITHUB_TOKEN PERFGATE_GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL

. "$(dirname "$0")/../lib/comment-lib.sh"

export GITHUB_REPOSITORY=octo/widgets GITHUB_TOKEN=$TOKEN
printf '## perfgate: pass\n\nnothing slower\n' >"$TRASH/report.md"
comment() { pgc "$PERFGATE" comment --github --pr "${PR:-7}" "$@" "$TRASH/report.md"; }

# F2: a rejected token: named status and host, no retry, no token in the output.

# The other host: any token it sees is a violation.
start_api other --host 127.0.0.2 --scenario no-token
OTHER=$API_PORT
# The detector works: a request with a token is caught.
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H "User-Agent: perfgate/test" \
	"http://127.0.0.2:$OTHER/repos/octo/widgets/issues/7/comments"
expect_grep "the other host flags a token it is sent" 'a token was sent to this other host' "$TRASH/other/violations.log"
: >"$TRASH/other/violations.log"
: >"$TRASH/other/requests.log"

start_api api --scenario redirect-other --redirect-to "http://127.0.0.2:$OTHER"
expect_exit 0 "a redirect to another host: warning" -- comment
expect_grep "says where it was redirected and that the token was withheld" \
	"comment not posted: GET http://127.0.0.1:$API_PORT/repos/octo/widgets/issues/7/comments\\?per_page=100: redirected to 127.0.0.2:$OTHER, which was not sent the token, and answered HTTP 401: Requires authentication" "$TRASH/err"
expect_exit 5 "... exit 5 with --require-comment" -- comment --require-comment
expect_true "the other host was asked (twice)" -- test "$(count other GET)" = 2
expect_true "the other host never saw an Authorization header" -- \
	jqe -s 'all(.auth == "absent")' "$TRASH/other/requests.log"
no_violations other
no_violations api
expect_true "nothing was posted" -- test "$(count api POST)" = 0

# A redirect on the same host (a renamed repository) keeps the token and works.
start_api same --scenario redirect-same
expect_exit 0 "a redirect on the API host is followed" -- comment --require-comment
expect_true "the list was fetched from the new location, with the token" -- \
	jqe -s 'map(select(.path | startswith("/repositories/4242/issues/7/comments"))) | length == 1 and all(.auth == "ok")' "$TRASH/same/requests.log"
expect_true "one comment" -- test "$(ours same)" = 1
no_violations same

expect_no_grep "the token never appears in any output" "$TOKEN" "$TRASH/all-output"
test_done
