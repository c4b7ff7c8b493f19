#!/usr/bin/env bash
# perfgate comment against a server that sends one byte every 3 seconds
# (RELIABILITY.md F5): the total timeout (--timeout) or the low-speed limit
# (under 1 byte/s for 10 s) aborts it; it then behaves as a refused connection.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate comment: a slow server is dropped"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITHUB_TOKEN PERFGATE_GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL

TOKEN=ghs_test_token_0123456789
start_api() { # start_api DIR ARGS...: a fake API logging into $TRASH/DIR; sets API_PORT, API_PID
	local dir=$1
	shift
	eval "$("$PG_PYTHON" "$PG_SRC/tests/lib/fake_api.py" --daemon --watch-pid $$ \
		--dir "$TRASH/$dir" --token "$TOKEN" "$@")"
	export GITHUB_API_URL=http://127.0.0.1:$API_PORT
}
pgc() { # pgc [env args] PERFGATE ARGS...: run it, keeping every output for the token check
	env "$@" >"$TRASH/o1" 2>"$TRASH/e1"
	local rc=$?
	cat "$TRASH/o1"
	cat "$TRASH/e1" >&2
	cat "$TRASH/o1" "$TRASH/e1" >>"$TRASH/all-output"
	return $rc
}
count() { # count DIR METHOD [STATUS]: requests seen by the fake API in DIR
	jq -s --arg m "$2" --arg s "${3:-}" \
		'map(select(.method == $m and ($s == "" or (.status | tostring) == $s))) | length' \
		"$TRASH/$1/requests.log"
}
ours() { jq '[.comments[] | select(.user == "github-actions[bot]")] | length' "$TRASH/$1/state.json"; }
no_violations() { # no_violations DIR
	expect_true "$1: the fake API saw no protocol violation" -- test ! -s "$TRASH/$1/violations.log"
	sed 's/^/# /' "$TRASH/$1/violations.log"
}

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
