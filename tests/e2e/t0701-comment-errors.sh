#!/usr/bin/env bash
# perfgate comment when the API says no (RELIABILITY.md F1-F4, F8): 401, 404,
# 429 and 403 with retry-after, 500 on POST (never retried blindly), a 502 after
# the comment was made, 503 on GET, connection refused, an oversized or
# absurdly nested answer. A failure to post is a warning (exit 0) unless
# --require-comment (exit 5); the token never shows.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate comment: API errors and faults"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITHUB_TOKEN PERFGATE_GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL

. "$(dirname "$0")/../lib/comment-lib.sh"

export GITHUB_REPOSITORY=octo/widgets GITHUB_TOKEN=$TOKEN
printf '## perfgate: pass\n\nnothing slower\n' >"$TRASH/report.md"
comment() { pgc "$PERFGATE" comment --github --pr "${PR:-7}" "$@" "$TRASH/report.md"; }

# F2: a rejected token: named status and host, no retry, no token in the output.
start_api auth --token ghs_some_other_token
expect_exit 0 "401 is a warning" -- comment
expect_grep "401 names the status, host and the API's message" \
	"warning: comment not posted: GET http://127.0.0.1:$API_PORT/repos/octo/widgets/issues/7/comments\\?per_page=100: token rejected \\(401\\) by 127.0.0.1:$API_PORT: Bad credentials" "$TRASH/err"
expect_exit 5 "401 with --require-comment exits 5" -- comment --require-comment
expect_grep "... and says so without 'warning'" '^perfgate: comment not posted: GET .*token rejected \(401\)' "$TRASH/err"
expect_true "401 is not retried (one GET per run)" -- test "$(count auth GET)" = 2
no_violations auth

# 404: a pull request that does not exist.
start_api nf
PR=8 expect_exit 0 "404 is a warning" -- comment
expect_grep "404 says not found, with the API's message and a hint" \
	"not found \\(404\\) on 127.0.0.1:$API_PORT: Not Found \\(check GITHUB_REPOSITORY" "$TRASH/err"
no_violations nf

# F3: 429 with Retry-After: 1 on the POST: waits, retries once, one comment.
start_api rl --scenario 429-once
expect_exit 0 "429 then success" -- comment --require-comment
expect_grep "says it waits" "rate limited \\(429\\) by 127.0.0.1:$API_PORT; retrying POST in 1 s" "$TRASH/err"
expect_grep "then posts" 'posted the comment on pull request #7' "$TRASH/out"
expect_true "exactly one comment afterwards" -- test "$(ours rl)" = 1
expect_true "two POSTs: the 429 and the retry" -- test "$(count rl POST 429)/$(count rl POST 201)" = 1/1
no_violations rl # also: the retry came no sooner than Retry-After asked

# F3: GitHub's secondary rate limit is a 403 with retry-after.
start_api rl403 --scenario 403-retry-once
expect_exit 0 "403 with retry-after then success" -- comment --require-comment
expect_grep "says it waits" "rate limited \\(403\\) by 127.0.0.1:$API_PORT; retrying GET in 1 s" "$TRASH/err"
expect_true "exactly one comment afterwards" -- test "$(ours rl403)" = 1
no_violations rl403

# F4: 500 on POST: not retried blindly; the list is read again to see whether it landed.
start_api e500 --scenario 500-post
expect_exit 0 "500 on POST is a warning" -- comment
expect_grep "names the status and the API's message" \
	"comment not posted: POST http://127.0.0.1:$API_PORT/repos/octo/widgets/issues/7/comments: HTTP 500 from 127.0.0.1:$API_PORT: Server Error" "$TRASH/err"
expect_true "exactly one POST" -- test "$(count e500 POST)" = 1
expect_exit 5 "500 on POST with --require-comment exits 5" -- comment --require-comment
expect_true "one more POST, no more" -- test "$(count e500 POST)" = 2
expect_true "no comment" -- test "$(ours e500)" = 0
no_violations e500

# F4: the POST made the comment but a proxy answered 502: found again, not posted twice.
start_api e502 --scenario 502-post-created
expect_exit 0 "502 after the comment was made counts as posted" -- comment --require-comment
expect_grep "says the answer was lost" 'posted the comment on pull request #7 \(comment [0-9]+; the server.s answer was lost: POST .*HTTP 502' "$TRASH/out"
expect_true "one POST, one comment" -- test "$(count e502 POST)/$(ours e502)" = 1/1
no_violations e502

# F4: a 503 on GET is retried after a backoff.
start_api e503 --scenario 503-get-once
expect_exit 0 "503 on GET then success" -- comment --require-comment
expect_grep "says it retries" "server error \\(503\\) from 127.0.0.1:$API_PORT; retrying GET in 1 s" "$TRASH/err"
expect_true "one comment" -- test "$(count e503 GET)/$(ours e503)" = 2/1
no_violations e503

# F8: an answer over the size cap, and one nested 100000 deep.
start_api huge --scenario huge-list
expect_exit 5 "an oversized answer is refused" -- comment --require-comment
expect_grep "names the cap" 'GET http://127.0.0.1:[0-9]+/repos/octo/widgets/issues/7/comments\?per_page=100: response larger than 8388608 bytes' "$TRASH/err"
start_api deep --scenario deep-json
expect_exit 5 "a deeply nested answer is refused" -- comment --require-comment
expect_grep "says it is not a list" 'the answer is not a JSON list of comments' "$TRASH/err"

# F1: connection refused.
port=$("$PG_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export GITHUB_API_URL=http://127.0.0.1:$port
expect_exit 0 "connection refused is a warning" -- comment
expect_grep "says it could not connect" "warning: comment not posted: GET http://127.0.0.1:$port/.*: Couldn't connect to server" "$TRASH/err"
expect_exit 5 "connection refused with --require-comment exits 5" -- comment --require-comment

expect_no_grep "the token never appears in any output" "$TOKEN" "$TRASH/all-output"
test_done
