#!/usr/bin/env bash
# perfgate comment with a report over GitHub's 65,536-character limit
# (RELIABILITY.md F9): whole lines are cut, the rest pointed to the artifact,
# and the POST succeeds (the fake API refuses any longer body).
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate comment: an oversized report is truncated"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset GITHUB_TOKEN PERFGATE_GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL

. "$(dirname "$0")/../lib/comment-lib.sh"

export GITHUB_REPOSITORY=octo/widgets GITHUB_TOKEN=$TOKEN
printf '## perfgate: pass\n\nnothing slower\n' >"$TRASH/report.md"
comment() { pgc "$PERFGATE" comment --github --pr "${PR:-7}" "$@" "$TRASH/report.md"; }

# F2: a rejected token: named status and host, no retry, no token in the output.
body() { jq -j '.comments[] | select(.user == "github-actions[bot]") | .body' "$TRASH/$1/state.json"; }

# 4000 table rows of about 60 characters: 240,000 characters, in a JSON report.
{
	printf '## perfgate: 4000 benchmarks\n\n| bench | base | head | change |\n|---|---|---|---|\n'
	for i in $(seq 1 4000); do printf '| bench_%04d | 1.000 ms | 1.010 ms | +1.0%% (noise) |\n' "$i"; done
} >"$TRASH/big.md"
total=$(wc -l <"$TRASH/big.md")
jq -Rs '{perfgate_report: 1, markdown: .}' "$TRASH/big.md" >"$TRASH/big.json"

start_api big
expect_exit 0 "an oversized report is posted" -- pgc "$PERFGATE" comment --github --pr 7 --require-comment "$TRASH/big.json"
expect_grep "says lines were cut" 'the report is longer than GitHub allows: [0-9]+ lines cut' "$TRASH/err"
no_violations big # the API took the body: it is within 65,536 characters
body big >"$TRASH/posted.md"
expect_true "the body is close to the limit" -- test "$(jq -r '.comments[] | select(.user == "github-actions[bot]") | .body | length' "$TRASH/big/state.json")" -gt 60000
expect_grep "ends with the pointer to the artifact" '^\.\.\. [0-9]+ more lines: see the perfgate report artifact\.$' "$TRASH/posted.md"
cut=$(sed -n 's/^\.\.\. \([0-9]*\) more lines.*/\1/p' "$TRASH/posted.md")
kept=$(($(wc -l <"$TRASH/posted.md") - 3)) # minus the marker, the blank line and the pointer
expect_true "kept + cut lines = the report's lines ($kept + $cut = $total)" -- test "$((kept + cut))" = "$total"
expect_true "only whole lines were kept" -- \
	bash -c "head -n $((kept + 1)) '$TRASH/posted.md' | tail -n $kept | cmp -s - <(head -n $kept '$TRASH/big.md')"

# Cut inside a code block: the fence is closed before the pointer.
{ printf '## stacks\n\n```\n'; for i in $(seq 1 5000); do printf 'main;process;parse_record;checksum %d\n' "$i"; done; printf '```\n'; } >"$TRASH/fence.md"
expect_exit 0 "an oversized code block is posted" -- pgc "$PERFGATE" comment --github --pr 7 --marker stacks --require-comment "$TRASH/fence.md"
no_violations big
jq -r '.comments[] | select(.body | startswith("<!-- perfgate:stacks -->")) | .body' "$TRASH/big/state.json" >"$TRASH/fence-posted.md"
expect_true "the code fence is closed" -- test "$(grep -c '^```$' "$TRASH/fence-posted.md")" = 2
expect_no_grep "the token never appears in any output" "$TOKEN" "$TRASH/all-output"
test_done
