#!/usr/bin/env bash
# perfgate check in CI: the base from GitHub's event file and from GitLab's
# CI_MERGE_REQUEST_DIFF_BASE_SHA; the Markdown report appended to
# $GITHUB_STEP_SUMMARY (what other steps wrote is kept); GitHub error
# annotations with GITHUB_ACTIONS=true, at most ten.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check in CI"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
check_repo "$repo"
base=$(git -C "$repo" rev-parse base)
set_factor "$repo" 3
commit_all "$repo" "3x slower"

# GitHub: the pull request's base from the event file
cat >"$TRASH/event.json" <<EOF2
{"action": "synchronize", "number": 7,
 "pull_request": {"base": {"sha": "$base", "ref": "main"}, "head": {"sha": "ffff"}}}
EOF2
printf '# Earlier step\n\nkept.\n' >"$TRASH/summary.md"
expect_exit 1 "GitHub: the base from the event file" -- env GITHUB_ACTIONS=true \
	GITHUB_EVENT_PATH="$TRASH/event.json" GITHUB_STEP_SUMMARY="$TRASH/summary.md" CI=true \
	"$PERFGATE" -C "$repo" check --junit "$TRASH/gh.xml"
expect_grep "says where the base came from" "^perfgate: base $base from the pull request's base \(GITHUB_EVENT_PATH\)" "$TRASH/err"
expect_grep "an error annotation" '^::error title=perfgate%3A hot wall budget exceeded::hot wall: head .*budget regress 50%25 exceeded' "$TRASH/out"
expect_no_grep "no progress with CI=true" $'\r' "$TRASH/err"
expect_grep "the step summary keeps the earlier step" '^kept\.$' "$TRASH/summary.md"
expect_grep "and has the report appended" '^## perfgate: ❌ budget exceeded' "$TRASH/summary.md"
expect_grep "with its table" '^\| wall \| .* \| regress 50% \| ❌ fail' "$TRASH/summary.md"
junit_check "GitHub" "$TRASH/gh.xml"
expect_grep "the event's base is the JUnit base" "^property	perfgate.base_sha	'$base'" "$TRASH/gh.xml.dump"

# A push event (no pull request) names no base: a usage error
echo '{"ref": "refs/heads/main"}' >"$TRASH/push.json"
expect_exit 2 "GitHub push event: no base" -- env GITHUB_ACTIONS=true GITHUB_EVENT_PATH="$TRASH/push.json" \
	"$PERFGATE" -C "$repo" check
expect_grep "usage error" 'no --base given' "$TRASH/err"
echo '{"pull_request": ' >"$TRASH/bad.json"
expect_exit 2 "a malformed event file" -- env GITHUB_ACTIONS=true GITHUB_EVENT_PATH="$TRASH/bad.json" \
	"$PERFGATE" -C "$repo" check
expect_grep "names it" "GITHUB_EVENT_PATH '.*bad.json': not valid JSON" "$TRASH/err"

# GitLab: the merge request's diff base
expect_exit 1 "GitLab: the base from CI_MERGE_REQUEST_DIFF_BASE_SHA" -- env \
	CI_MERGE_REQUEST_DIFF_BASE_SHA="$base" GITLAB_CI=true CI=true \
	"$PERFGATE" -C "$repo" check --metrics "$TRASH/gl.metrics"
expect_grep "says where the base came from" "^perfgate: base $base from CI_MERGE_REQUEST_DIFF_BASE_SHA" "$TRASH/err"
expect_no_grep "no GitHub annotations outside GitHub" '^::' "$TRASH/out"
expect_grep "OpenMetrics written" '^perfgate_budget_violations 1$' "$TRASH/gl.metrics"
expect_exit 2 "GitLab: a variable that is not a commit id" -- env CI_MERGE_REQUEST_DIFF_BASE_SHA='$(reboot)' \
	"$PERFGATE" -C "$repo" check
expect_grep "refused" 'CI_MERGE_REQUEST_DIFF_BASE_SHA is not a commit id' "$TRASH/err"
# --base wins over the environment
expect_exit 2 "--base wins over the environment" -- env CI_MERGE_REQUEST_DIFF_BASE_SHA="$base" \
	"$PERFGATE" -C "$repo" check --base no-such-rev
expect_grep "the given base was used" "base: unknown revision 'no-such-rev'" "$TRASH/err"

# At most ten error annotations: twelve benchmarks over budget
r2=$TRASH/many
make_repo "$r2"
{
	echo "version: 1"
	echo "benchmarks:"
	for i in $(seq 1 12); do
		printf '  - name: b%02d\n    run: "true"\n    warmup: 0\n    repeat: { min: 3, max: 3 }\n' "$i"
	done
	echo "budgets:"
	for i in $(seq 1 12); do printf '  b%02d:\n    wall: { max: 1ns }\n' "$i"; done
} >"$r2/perfgate.yml"
commit_all "$r2" "twelve benchmarks"
expect_exit 1 "twelve breaches" -- env GITHUB_ACTIONS=true "$PERFGATE" -C "$r2" check --base HEAD \
	--junit "$TRASH/many.xml" --markdown "$TRASH/many.md"
expect_true "at most ten error annotations" -- test "$(grep -c '^::error ' "$TRASH/out")" -eq 10
expect_grep "the last says how many more" '^::error .*3 more errors not shown' "$TRASH/out"
junit_check "twelve" "$TRASH/many.xml"
expect_true "JUnit: twelve failures" -- test "$(grep -c '^failure:perfgate.budget_exceeded' "$TRASH/many.xml.dump")" -eq 12
expect_true "Markdown: twelve tables" -- test "$(grep -c '^### b' "$TRASH/many.md")" -eq 12
test_done
