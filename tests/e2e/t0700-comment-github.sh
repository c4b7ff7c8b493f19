#!/usr/bin/env bash
# perfgate comment --github against a loopback GitHub API that checks every
# request: first post, later edit of the same comment found on page 2, a
# second marker, the event file, --dry-run, and missing settings.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate comment on a GitHub pull request"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITHUB_TOKEN PERFGATE_GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL

TOKEN=ghs_test_token_0123456789
# start_api DIR ARGS...: a fake API logging into $TRASH/DIR; sets API_PORT and API_PID.
start_api() {
	local dir=$1
	shift
	eval "$("$PG_PYTHON" "$PG_SRC/tests/lib/fake_api.py" --daemon --watch-pid $$ \
		--dir "$TRASH/$dir" --token "$TOKEN" "$@")"
}
count() { # count DIR METHOD: requests with METHOD seen by the fake API in DIR
	jq -s --arg m "$2" 'map(select(.method == $m)) | length' "$TRASH/$1/requests.log"
}
pgc() { # pgc [env args] PERFGATE ARGS...: run it, keeping every output for the token check
	env "$@" >"$TRASH/o1" 2>"$TRASH/e1"
	local rc=$?
	cat "$TRASH/o1"
	cat "$TRASH/e1" >&2
	cat "$TRASH/o1" "$TRASH/e1" >>"$TRASH/all-output"
	return $rc
}
jqe() { jq -e "$@" >/dev/null; }
ours() { # ours DIR: the comments perfgate posted
	jq '[.comments[] | select(.user == "github-actions[bot]")] | length' "$TRASH/$1/state.json"
}

# 120 comments by others (one quoting the marker) fill page 1; ours lands on page 2,
# and 30 more arrive after it.
start_api gh --seed 120 --chatter 30
export GITHUB_API_URL=http://127.0.0.1:$API_PORT GITHUB_REPOSITORY=octo/widgets GITHUB_TOKEN=$TOKEN

cat >"$TRASH/report.json" <<'EOF'
{"perfgate_report": 1, "verdict": "pass", "markdown": "## perfgate: pass\n\n| bench | base | head |\n|---|---|---|\n| parse | 1.00 ms | 1.01 ms |\n"}
EOF
expect_exit 0 "first run posts a comment" -- pgc "$PERFGATE" comment --github --pr 7 "$TRASH/report.json"
expect_grep "says it posted, with the link" 'posted the comment on pull request #7: https://github.com/octo/widgets/pull/7#issuecomment-' "$TRASH/out"
expect_true "exactly one comment of ours" -- test "$(ours gh)" = 1
expect_true "one POST" -- test "$(count gh POST)" = 1
expect_true "no PATCH" -- test "$(count gh PATCH)" = 0
expect_true "the body starts with the marker and holds the report's markdown" -- \
	jqe '.comments[] | select(.user == "github-actions[bot]") | .body |
		startswith("<!-- perfgate:perfgate -->\n## perfgate: pass\n")' "$TRASH/gh/state.json"
expect_true "both pages were read before posting" -- \
	grep -q '"path": "/repositories/4242/issues/7/comments?per_page=100&page=2"' "$TRASH/gh/requests.log"

printf '## perfgate: regression\n\nparse is 2.1x slower\n' >"$TRASH/report.md"
expect_exit 0 "second run edits the comment" -- pgc "$PERFGATE" comment --github --pr 7 "$TRASH/report.md"
expect_grep "says it updated" 'updated the comment on pull request #7' "$TRASH/out"
expect_true "still exactly one comment of ours" -- test "$(ours gh)" = 1
expect_true "still one POST" -- test "$(count gh POST)" = 1
expect_true "one PATCH" -- test "$(count gh PATCH)" = 1
expect_true "the comment now holds the Markdown file's text" -- \
	jqe '.comments[] | select(.user == "github-actions[bot]") | .body |
		. == "<!-- perfgate:perfgate -->\n## perfgate: regression\n\nparse is 2.1x slower\n"' "$TRASH/gh/state.json"
expect_true "the comment quoting the marker was left alone" -- \
	jqe '[.comments[] | select(.body | startswith("Why does perfgate"))] | length == 1' "$TRASH/gh/state.json"

expect_exit 0 "another --marker posts a second sticky comment" -- \
	pgc "$PERFGATE" comment --github --pr 7 --marker nightly "$TRASH/report.md"
expect_true "two comments of ours" -- test "$(ours gh)" = 2
expect_exit 0 "and edits it on the next run" -- \
	pgc "$PERFGATE" comment --github --pr 7 --marker nightly "$TRASH/report.json"
expect_true "still two comments of ours, one PATCH more" -- test "$(ours gh)/$(count gh PATCH)" = 2/2

# The pull request number from the event file, the token from PERFGATE_GITHUB_TOKEN.
echo '{"action": "synchronize", "number": 7, "pull_request": {"number": 7}}' >"$TRASH/event.json"
expect_exit 0 "PR number from GITHUB_EVENT_PATH" -- \
	pgc -u GITHUB_TOKEN PERFGATE_GITHUB_TOKEN=$TOKEN GITHUB_EVENT_PATH="$TRASH/event.json" \
	"$PERFGATE" comment --github "$TRASH/report.md"
expect_true "edited, not posted" -- test "$(ours gh)/$(count gh POST)" = 2/2

expect_true "the fake API saw no protocol violation" -- test ! -s "$TRASH/gh/violations.log"
cat "$TRASH/gh/violations.log" | sed 's/^/# /'

# --dry-run: prints the request without the token, sends nothing.
before=$(wc -l <"$TRASH/gh/requests.log")
expect_exit 0 "--dry-run" -- pgc "$PERFGATE" comment --github --pr 7 --dry-run "$TRASH/report.md"
expect_grep "--dry-run shows the list request" "^GET http://127.0.0.1:$API_PORT/repos/octo/widgets/issues/7/comments\\?per_page=100" "$TRASH/out"
expect_grep "--dry-run shows the POST" "^else POST http://127.0.0.1:$API_PORT/repos/octo/widgets/issues/7/comments$" "$TRASH/out"
expect_grep "--dry-run hides the token" '^Authorization: Bearer \*\*\* \(from GITHUB_TOKEN\)' "$TRASH/out"
expect_grep "--dry-run shows the JSON body" '^\{"body":"<!-- perfgate:perfgate -->\\n## perfgate: regression' "$TRASH/out"
expect_true "--dry-run sent nothing" -- test "$(wc -l <"$TRASH/gh/requests.log")" = "$before"

# Missing settings are usage errors that say what is missing.
expect_exit 2 "no --github/--gitlab" -- pgc "$PERFGATE" comment "$TRASH/report.md"
expect_exit 2 "no PR number" -- pgc "$PERFGATE" comment --github "$TRASH/report.md"
expect_grep "names the PR number" 'missing a pull request number \(--pr N, or GITHUB_EVENT_PATH\)' "$TRASH/err"
expect_exit 2 "no repository, no token" -- pgc -u GITHUB_REPOSITORY -u GITHUB_TOKEN \
	"$PERFGATE" comment --github --pr 7 "$TRASH/report.md"
expect_grep "names both" 'missing GITHUB_REPOSITORY \(OWNER/NAME\), a token \(GITHUB_TOKEN' "$TRASH/err"
expect_exit 2 "a bad repository" -- pgc GITHUB_REPOSITORY=../../etc \
	"$PERFGATE" comment --github --pr 7 "$TRASH/report.md"
expect_exit 2 "a bad --pr" -- pgc "$PERFGATE" comment --github --pr 7x "$TRASH/report.md"
expect_exit 2 "a bad --marker" -- pgc "$PERFGATE" comment --github --pr 7 --marker 'a -->' "$TRASH/report.md"
expect_exit 2 "a missing report" -- pgc "$PERFGATE" comment --github --pr 7 "$TRASH/nope.json"
expect_grep "names the report" "nope.json" "$TRASH/err"
echo '{"perfgate_report": 1, "verdict": "pass"}' >"$TRASH/nomd.json"
expect_exit 2 "a JSON report without markdown" -- pgc "$PERFGATE" comment --github --pr 7 "$TRASH/nomd.json"
echo '{"pull_request": {"title": "x"}}' >"$TRASH/push.json"
expect_exit 2 "an event without a number" -- pgc GITHUB_EVENT_PATH="$TRASH/push.json" \
	"$PERFGATE" comment --github "$TRASH/report.md"
expect_grep "says to pass --pr" 'pass --pr N' "$TRASH/err"
expect_exit 0 "--help" -- pgc "$PERFGATE" comment --help
expect_grep "--help documents --timeout" '--timeout SECONDS' "$TRASH/out"

expect_no_grep "the token never appears in any output" "$TOKEN" "$TRASH/all-output"
kill "$API_PID" 2>/dev/null
test_done
