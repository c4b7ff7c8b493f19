#!/usr/bin/env bash
# perfgate check when things go wrong: a head that does not build (exit 4, an
# error testcase), a benchmark that crashes in the head, a base missing from
# a shallow clone (exit 4, never a pass), unknown revisions and no base
# (exit 2), --no-build, a report file that cannot be written, a second gate
# in the same repository, SIGINT and SIGTERM (130/143, no pass reported).
# Every JUnit file written is validated and read back.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check: failures"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
check_repo "$repo"
base=$(git -C "$repo" rev-parse base)

# --- a head that does not build ---
echo 'this is not C;' >>"$repo/bench.c"
commit_all "$repo" "break the build" && git -C "$repo" tag broken
expect_exit 4 "a head that does not build: exit 4" -- "$PERFGATE" -C "$repo" check --base base --head broken --junit "$TRASH/broken.xml"
expect_grep "stdout: an error naming the head and the build" "^ERROR +hot wall: head [0-9a-f]{7}: build failed \(exited with 1\): cc -O1 -o bench bench.c" "$TRASH/out"
expect_grep "with the compiler's message" "error:" "$TRASH/out"
expect_no_grep "no pass" '^result: pass' "$TRASH/out"
junit_check "broken build" "$TRASH/broken.xml"
expect_grep "JUnit: an error testcase for the budget" "^error	'hot wall: budget regress 50%'	.*build failed" "$TRASH/broken.xml.dump"
expect_true "JUnit: no passing testcase" -- test "$(grep -c '^pass' "$TRASH/broken.xml.dump")" -eq 0

# --- a benchmark that crashes in the head ---
git -C "$repo" checkout -q base -- bench.c
sed -i 's|sink = work|if (argc > 2) return 3; sink = work|' "$repo/bench.c"
sed -i 's|run: ./bench 5000000|run: ./bench 5000000 $CRASH|' "$repo/perfgate.yml"
sed -i 's|    timeout: 30s|    timeout: 30s\n    env: { CRASH: "yes" }|' "$repo/perfgate.yml"
commit_all "$repo" "crash" && git -C "$repo" tag crash
expect_exit 4 "a benchmark that fails in the head: exit 4" -- "$PERFGATE" -C "$repo" check --base base --head crash --junit "$TRASH/crash.xml"
expect_grep "names the side, benchmark and run" "^ERROR +hot wall: head [0-9a-f]{7}: benchmark 'hot': warm-up run 1 exited with 3" "$TRASH/out"
junit_check "crash" "$TRASH/crash.xml"
expect_grep "JUnit: error testcases" "^error	'hot wall: budget max 10 s'	.*exited with 3" "$TRASH/crash.xml.dump"

# --- revisions ---
expect_exit 2 "unknown head" -- "$PERFGATE" -C "$repo" check --base base --head no/such --junit "$TRASH/rev.xml"
expect_grep "names it" "head: unknown revision 'no/such'" "$TRASH/err"
junit_check "unknown revision" "$TRASH/rev.xml"
expect_grep "JUnit: the error says why" "^error	'perfgate'	.head: unknown revision 'no/such'" "$TRASH/rev.xml.dump"
expect_exit 2 "no --base outside CI" -- "$PERFGATE" -C "$repo" check --junit "$TRASH/nobase.xml"
expect_grep "says what to do" 'no --base given, and the environment names no pull or merge request base' "$TRASH/err"
junit_check "no base" "$TRASH/nobase.xml"
expect_exit 2 "not a repository" -- "$PERFGATE" -C "$TRASH" check --base base
expect_exit 2 "an unknown option" -- "$PERFGATE" -C "$repo" check --base base --bogus
expect_exit 2 "a bad --repeat-max" -- "$PERFGATE" -C "$repo" check --base base --repeat-max 0

# --- a shallow clone without the base ---
git clone -q --depth 1 "file://$repo" "$TRASH/shallow" 2>/dev/null
expect_true "the clone is shallow" -- test -f "$TRASH/shallow/.git/shallow"
expect_exit 4 "a base missing from a shallow clone: exit 4" -- "$PERFGATE" -C "$TRASH/shallow" check --base "$base" --junit "$TRASH/shallow.xml"
expect_grep "says so" "base: commit ${base:0:7} not present \(shallow clone\?\)" "$TRASH/err"
expect_no_grep "never a pass" '^result: pass' "$TRASH/out"
junit_check "shallow" "$TRASH/shallow.xml"
expect_grep "JUnit: an error testcase" "^error	'perfgate'	.base: commit ${base:0:7} not present" "$TRASH/shallow.xml.dump"
expect_exit 4 "the same from GitLab's variable" -- env CI_MERGE_REQUEST_DIFF_BASE_SHA="$base" "$PERFGATE" -C "$TRASH/shallow" check
expect_grep "says so" "not present \(shallow clone\?\)" "$TRASH/err"

# --- --no-build: nothing built, so a fresh clone has no ./bench ---
git clone -q "file://$repo" "$TRASH/fresh" 2>/dev/null
expect_exit 4 "--no-build in a fresh clone" -- "$PERFGATE" -C "$TRASH/fresh" check --base base --head base --no-build
expect_no_grep "nothing was built" 'building' "$TRASH/err"
expect_grep "the benchmark's command is missing" "command './bench' not found" "$TRASH/out"

# --- a report file that cannot be written: exit 4, the other files still written ---
expect_exit 4 "an unwritable report file" -- "$PERFGATE" -C "$repo" check --base base --head base --repeat-max 6 \
	--junit "$TRASH/no/such/dir/r.xml" --json "$TRASH/ok.json"
expect_grep "names the report" 'JUnit report: ' "$TRASH/err"
expect_true "the JSON was still written" -- jqt '.perfgate_report == 1' "$TRASH/ok.json"
expect_true "--repeat-max caps the runs per side" -- jqt '.metrics[] | select(.metric == "wall") | .comparison.runs_base <= 6 and .comparison.runs_head <= 6' "$TRASH/ok.json"

# --- a second gate in the same repository ---
mkdir -p "$repo/.git/perfgate"
exec 9>"$repo/.git/perfgate/check.lock"
flock -n 9
expect_exit 4 "a gate already running" -- "$PERFGATE" -C "$repo" check --base base --head base
expect_grep "says so" 'another perfgate check is running in this repository' "$TRASH/err"
exec 9>&-

# --- signals: stop, no pass reported ---
git -C "$repo" checkout -q base -- bench.c perfgate.yml
sed -i 's|run: ./bench 5000000|run: sleep 20|' "$repo/perfgate.yml"
commit_all "$repo" "slow to run" && git -C "$repo" tag sleepy
for sig in INT TERM; do
	want=$([ $sig = INT ] && echo 130 || echo 143)
	start=$(date +%s)
	"$PERFGATE" -C "$repo" check --base sleepy --head sleepy --junit "$TRASH/sig$sig.xml" >"$TRASH/out" 2>"$TRASH/err" &
	pid=$!
	sleep 1.5
	kill -$sig "$pid"
	wait "$pid"
	rc=$?
	took=$(( $(date +%s) - start ))
	if [ "$rc" -eq "$want" ]; then ok "SIG$sig: exit $want"; else not_ok "SIG$sig: exit $rc, wanted $want"; sed 's/^/# /' "$TRASH/err"; fi
	expect_true "SIG$sig: stopped at once ($took s)" -- test "$took" -le 6
	expect_no_grep "SIG$sig: no pass reported" '^result: pass' "$TRASH/out"
	expect_grep "SIG$sig: says it was interrupted" "interrupted" "$TRASH/err"
	junit_check "SIG$sig" "$TRASH/sig$sig.xml"
	expect_grep "SIG$sig: JUnit has an error" "^error	'perfgate'	'interrupted" "$TRASH/sig$sig.xml.dump"
	expect_true "SIG$sig: no benchmark left running" -- test -z "$(pgrep -x -f 'sleep 20')"
done
test_done
