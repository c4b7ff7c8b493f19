#!/usr/bin/env bash
# perfgate check on a real repository: a head that makes one function 3x
# slower fails (exit 1) with a JUnit failure naming the benchmark, metric,
# numbers and budget; an identical head passes; every report file is
# written and read back; the user's checkout, with staged, unstaged and
# untracked changes, is byte-identical afterwards.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check: slow head fails, identical head passes"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
check_repo "$repo"
echo "The benchmark." >"$repo/README"
commit_all "$repo" "docs: a README" && git -C "$repo" tag same
set_factor "$repo" 3
commit_all "$repo" "Make work() 3x slower" && git -C "$repo" tag slow

# The user's own checkout: on main (= slow), staged, unstaged and untracked changes.
echo "staged line" >>"$repo/README" && git -C "$repo" add README
echo "/* unstaged */" >>"$repo/bench.c"
echo "untracked" >"$repo/notes.txt"
before=$(tree_state "$repo")
status_before=$(git -C "$repo" status --porcelain=v2 --branch)

# --- the 3x slower head (HEAD by default) ---
expect_exit 1 "a 3x slower head fails" -- "$PERFGATE" -C "$repo" check --base base \
	--junit "$TRASH/slow.xml" --markdown "$TRASH/slow.md" --json "$TRASH/slow.json" \
	--metrics "$TRASH/slow.metrics"
cp "$TRASH/out" "$TRASH/slow.out"
expect_grep "stdout: the failing check with numbers and budget" \
	'^FAIL +hot wall: head [0-9.]+ ms vs base [0-9.]+ ms, \+[0-9]+% \[\+[0-9.]+%, \+[0-9.]+%\], different \(p=[0-9.e-]+\); budget regress 50% exceeded' "$TRASH/slow.out"
expect_grep "stdout: the max budget passes" '^PASS +hot wall: head [0-9.]+ ms \(base [0-9.]+ ms\); within budget max 10 s' "$TRASH/slow.out"
expect_grep "stdout: the result line" '^result: fail \(2 checks: 1 passed, 1 failed' "$TRASH/slow.out"
expect_grep "stdout: commits with subjects" '^perfgate check: base [0-9a-f]{7} \(base\) -> head [0-9a-f]{7} \(Make work\(\) 3x slower\)' "$TRASH/slow.out"
expect_grep "the builds are said on stderr" '^perfgate: building head [0-9a-f]{7}: cc -O1 -o bench bench.c' "$TRASH/err"
junit_check "slow" "$TRASH/slow.xml"
expect_grep "JUnit: a failure naming benchmark, metric, numbers and budget" \
	"^failure:perfgate.budget_exceeded	'hot wall: budget regress 50%'	'hot wall: head [0-9.]+ ms vs base [0-9.]+ ms, \+[0-9]+%.*budget regress 50% exceeded'" "$TRASH/slow.xml.dump"
expect_grep "JUnit: the max rule passes" "^pass	'hot wall: budget max 10 s'" "$TRASH/slow.xml.dump"
expect_grep "JUnit: base commit property" "^property	perfgate.base_sha	'$(git -C "$repo" rev-parse base)'" "$TRASH/slow.xml.dump"
expect_grep "JUnit: head commit property" "^property	perfgate.head_sha	'$(git -C "$repo" rev-parse slow)'" "$TRASH/slow.xml.dump"
expect_grep "JUnit: budgets from the base" "^property	perfgate.budgets_from	'base'" "$TRASH/slow.xml.dump"
expect_true "JSON: fail, with runs per side" -- jqt '.perfgate_report == 1 and .result == "fail" and (.metrics[] | select(.metric == "wall") | .comparison.runs_base >= 6 and .comparison.runs_base <= 96 and .comparison.runs_base == .comparison.runs_head and .comparison.verdict == "different" and .comparison.ratio > 1.5)' "$TRASH/slow.json"
expect_true "JSON: samples of both sides interleaved, as many as runs" -- jqt '.metrics[] | select(.metric == "wall") | (.base.samples | length) == .comparison.runs_base and (.head.samples | length) == .comparison.runs_head' "$TRASH/slow.json"
expect_grep "Markdown: the table row with base, head, change, verdict, budget" '^\| wall \| [0-9.]+ ms \| [0-9.]+ ms \| \+[0-9]+% \[.*\] \| different .* \| regress 50% \| ❌ fail' "$TRASH/slow.md"
expect_grep "Markdown: a table per benchmark" '^### hot' "$TRASH/slow.md"
expect_grep "OpenMetrics: one violation" '^perfgate_budget_violations 1$' "$TRASH/slow.metrics"
expect_grep "OpenMetrics: ends with EOF" '^# EOF$' "$TRASH/slow.metrics"

# --- the identical head (a README change) ---
expect_exit 0 "an identical head passes" -- "$PERFGATE" -C "$repo" check --base base --head same \
	--junit "$TRASH/same.xml" --json "$TRASH/same.json"
expect_grep "stdout: pass" '^result: pass \(2 checks: 2 passed' "$TRASH/out"
expect_grep "stdout: the regress check passes" '^PASS +hot wall: head .* (same|different) .*within budget regress 50%' "$TRASH/out"
junit_check "same" "$TRASH/same.xml"
expect_true "JUnit: no failures" -- test "$(grep -c '^pass' "$TRASH/same.xml.dump")" -eq 2
expect_true "JSON: pass" -- jqt '.result == "pass" and .counts.fail == 0' "$TRASH/same.json"

# --- the same commit on both sides: an A/A check, said so ---
expect_exit 0 "base = head passes" -- "$PERFGATE" -C "$repo" check --base base --head base
expect_grep "the A/A is noticed" 'note: base and head are the same commit' "$TRASH/out"

# --- the user's checkout ---
expect_true "the checkout is byte-identical (HEAD, branch, index, files)" -- \
	test "$before" = "$(tree_state "$repo")"
expect_true "git status is unchanged" -- \
	test "$status_before" = "$(git -C "$repo" status --porcelain=v2 --branch)"
expect_true "the private worktrees are under the git directory" -- \
	test -x "$repo/.git/perfgate/worktrees/check-head/bench" -a -f "$repo/.git/perfgate/worktrees/check-base/bench.c"
expect_true "no branch was made" -- test "$(git -C "$repo" branch --list | wc -l)" -eq 1
expect_true "git fsck is clean" -- git -C "$repo" fsck --no-progress --no-dangling

# --- the report files survive a later failure, and are replaced whole ---
cp "$TRASH/slow.xml" "$TRASH/slow.keep"
expect_exit 2 "unknown revision" -- "$PERFGATE" -C "$repo" check --base nosuch --json "$TRASH/slow.json"
expect_grep "names the revision" "base: unknown revision 'nosuch'" "$TRASH/err"
expect_true "a file not asked for is left alone" -- cmp -s "$TRASH/slow.xml" "$TRASH/slow.keep"
expect_true "the JSON asked for says error" -- jqt '.result == "error" and (.error | test("unknown revision"))' "$TRASH/slow.json"
expect_true "no temporary files are left" -- test -z "$(find "$TRASH" -maxdepth 1 -name '*.tmp*' -o -maxdepth 1 -name '.*.tmp*')"

expect_exit 0 "--help" -- "$PERFGATE" check --help
expect_grep "--help tells the exit codes" '^Exit codes: 0 every budget holds; 1 a budget is exceeded' "$TRASH/out"
expect_grep "--help documents --require-base-budgets" '--require-base-budgets' "$TRASH/out"
test_done
