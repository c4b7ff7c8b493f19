#!/usr/bin/env bash
# perfgate comment against a server that sends one byte every 3 seconds
# (RELIABILITY.md F5): the total timeout (--timeout) or the low-speed limit
# (under 1 byte/s for 10 s) aborts it; it then behaves as a refused connection.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate comment: a slow server is dropped"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITHUB_TOKEN PERFGATE_GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL

. "$(dirname "$0")/../lib/comment-lib.sh"

export GITHUB_REPOSITORY=octo/widgets GITHUB_TOKEN=$TOKEN
printf '## perfgate: pass\n\nnothing slower\n' >"$TRASH/report.md"
comment() { pgc "$PERFGATE" comment --github --pr "${PR:-7}" "$@" "$TRASH/report.md"; }

# F2: a rejected token: named status and host, no retry, no token in the output.

start_api slow --scenario slow --slow-interval 3
expect_exit 5 "--timeout 3 aborts the request (exit 5 with --require-comment)" -- comment --timeout 3 --require-comment
expect_grep "says the request timed out" "comment not posted: GET http://127.0.0.1:$API_PORT/.*: Timeout was reached: Operation timed out after" "$TRASH/err"
expect_exit 0 "with the default 60 s timeout the low-speed limit drops it: warning" -- comment
expect_grep "says the transfer was too slow" "warning: comment not posted: GET http://127.0.0.1:$API_PORT/.*: Operation too slow. Less than 1 bytes/sec transferred the last 10 seconds" "$TRASH/err"
expect_true "nothing was posted" -- test "$(count slow POST)" = 0
no_violations slow
expect_exit 2 "a bad --timeout is a usage error" -- comment --timeout 0
expect_no_grep "the token never appears in any output" "$TOKEN" "$TRASH/all-output"
test_done
