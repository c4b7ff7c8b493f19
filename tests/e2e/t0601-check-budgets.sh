#!/usr/bin/env bash
# perfgate check: the budgets come from the base commit. A head that loosens
# its own budget still fails, and the report says the change was not applied;
# a budget the head adds is skipped; absolute min and relative regress on a
# benchmark's own higher-is-better metric; no config at the base (notice, or
# exit 2 with --require-base-budgets); a head without a config; -b and -c.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate check: budgets from the base"
. "$(dirname "$0")/../lib/check-lib.sh"

repo=$TRASH/repo
check_repo "$repo"
echo 1000 >"$repo/rate.txt"
cat >>"$repo/perfgate.yml" <<'YML'
  rate:
    throughput: { min: 500, regress: 20% }
YML
# a second benchmark, reporting its own metric (higher is better)
python3 - "$repo/perfgate.yml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("budgets:\n", """  - name: rate
    run: 'echo "throughput: $(cat rate.txt) ops/s"'
    output: lines
    repeat: { min: 3, max: 6 }
budgets:
""")
open(p, "w").write(s)
PY
commit_all "$repo" "two benchmarks" && git -C "$repo" tag base2

# The head: slower, lower throughput, and its own config loosened.
set_factor "$repo" 3
echo 300 >"$repo/rate.txt"
sed -i 's/wall: { max: 10s, regress: 50% }/wall: { max: 10s, regress: 1000% }\n    max_rss: { max: 1GiB }/; s/throughput: { min: 500, regress: 20% }/throughput: { min: 100, regress: 90% }/' "$repo/perfgate.yml"
sed -i "s|run: 'echo \"throughput|run: 'true; echo \"throughput|" "$repo/perfgate.yml"
commit_all "$repo" "slower, and loosen the budgets"
expect_true "the head did loosen its config" -- grep -q 'regress: 1000%' "$repo/perfgate.yml"

expect_exit 1 "a head that loosens its own budget still fails" -- "$PERFGATE" -C "$repo" check \
	--base base2 --junit "$TRASH/loose.xml" --json "$TRASH/loose.json"
cp "$TRASH/out" "$TRASH/loose.out"
expect_grep "the base's regress 50% is applied" '^FAIL +hot wall: .*budget regress 50% exceeded' "$TRASH/loose.out"
expect_grep "the head's change is noted, not applied" 'note: budget regress 50% changed to regress 1000% in this change, not applied' "$TRASH/loose.out"
expect_grep "min on a reported metric fails" '^FAIL +rate throughput: head 300 ops/s \(base 1000 ops/s\); budget min 500 ops/s exceeded' "$TRASH/loose.out"
expect_grep "regress on a higher-is-better metric fails" '^FAIL +rate throughput: head 300 ops/s vs base 1000 ops/s, -70%.*different.*budget regress 20% exceeded' "$TRASH/loose.out"
expect_grep "a budget the head adds is skipped" '^SKIPPED +hot max_rss: budget max 1 GiB added in this change, not applied' "$TRASH/loose.out"
expect_grep "a changed command is noticed" "note: benchmark 'rate': its command changed in this change" "$TRASH/loose.out"
expect_grep "a summary notice" 'note: 4 budget rules changed in this change, not applied' "$TRASH/loose.out"
junit_check "loosened" "$TRASH/loose.xml"
expect_grep "JUnit: the failure's text carries the note" 'changed to regress 1000% in this change, not applied' "$TRASH/loose.xml"
expect_true "JUnit: 3 failures, 1 skipped" -- test "$(grep -c '^failure:perfgate.budget_exceeded' "$TRASH/loose.xml.dump")" -eq 3 -a "$(grep -c '^skipped' "$TRASH/loose.xml.dump")" -eq 1
expect_true "JSON: the throughput is higher-is-better and exactly compared" -- jqt '.metrics[] | select(.metric == "throughput") | .direction == "higher_is_better" and .comparison.verdict == "different" and .base.median == 1000 and .head.median == 300' "$TRASH/loose.json"

# -b: one benchmark only; unknown names suggest
expect_exit 1 "-b rate measures only rate" -- "$PERFGATE" -C "$repo" check --base base2 -b rate --json "$TRASH/b.json"
expect_true "only rate's checks" -- jqt '[.metrics[].benchmark] | unique == ["rate"]' "$TRASH/b.json"
expect_exit 2 "-b with an unknown name" -- "$PERFGATE" -C "$repo" check --base base2 -b rat
expect_grep "suggests the nearest" "no benchmark named 'rat' \(did you mean 'rate'\?\)" "$TRASH/err"

# a head without a config: the base's is used for everything
git -C "$repo" checkout -q base2 -- . && git -C "$repo" rm -qf perfgate.yml
commit_all "$repo" "drop the config" && git -C "$repo" tag noconf
expect_exit 0 "a head without config is judged by the base's budgets" -- "$PERFGATE" -C "$repo" check --base base2 --head noconf
expect_grep "says so" 'note: the head commit has no config' "$TRASH/out"
expect_grep "and judged the base's rules" '^PASS +rate throughput: .*within budget min 500' "$TRASH/out"

# -c: the config at another path in the commits
git -C "$repo" checkout -q base2 -- perfgate.yml && mkdir -p "$repo/ci" && git -C "$repo" mv perfgate.yml ci/gate.yml
commit_all "$repo" "config in ci/" && git -C "$repo" tag moved
expect_exit 0 "-c reads the config at that path in both commits" -- "$PERFGATE" -C "$repo" check --base moved --head moved -c ci/gate.yml -b rate
expect_exit 2 "-c naming no file in either commit" -- "$PERFGATE" -C "$repo" check --base moved --head moved -c nope.yml
expect_grep "names the file and both commits" "neither base [0-9a-f]{7} nor head [0-9a-f]{7} has 'nope.yml'" "$TRASH/err"

# --- no config at the base (first adoption) ---
r2=$TRASH/first
check_repo "$r2"
git -C "$r2" rm -q --cached perfgate.yml && mv "$r2/perfgate.yml" "$TRASH/pg.yml"
commit_all "$r2" "no config yet" && git -C "$r2" tag before
cp "$TRASH/pg.yml" "$r2/perfgate.yml"
commit_all "$r2" "adopt perfgate"
expect_exit 0 "no config at the base: the head's budgets, passing" -- "$PERFGATE" -C "$r2" check --base before --junit "$TRASH/first.xml"
expect_grep "says the budgets are not verified" 'note: budgets not verified against the base' "$TRASH/out"
junit_check "first adoption" "$TRASH/first.xml"
expect_grep "JUnit: budgets from the head, said so" "^property	perfgate.budgets_from	'head \(not verified against the base\)'" "$TRASH/first.xml.dump"
expect_exit 2 "--require-base-budgets: exit 2" -- "$PERFGATE" -C "$r2" check --base before --require-base-budgets --junit "$TRASH/req.xml"
expect_grep "names the base and the file" "base [0-9a-f]{7} has no 'perfgate.yml'.*--require-base-budgets" "$TRASH/err"
expect_no_grep "nothing was built" 'building' "$TRASH/err"
junit_check "require base budgets" "$TRASH/req.xml"
expect_grep "JUnit: an error testcase" "^error	'perfgate'	.base [0-9a-f]{7} has no 'perfgate.yml'" "$TRASH/req.xml.dump"

# --- instructions: one callgrind run a side, exact ---
if command -v valgrind >/dev/null; then
	r3=$TRASH/instr
	check_repo "$r3"
	cat >"$r3/perfgate.yml" <<'YML'
version: 1
build: cc -O1 -o bench bench.c
benchmarks:
  - name: count
    run: ./bench 200000
    warmup: 0
    repeat: { min: 3, max: 3 }
budgets:
  count:
    instructions: { regress: 1% }
YML
	commit_all "$r3" "count instructions" && git -C "$r3" tag counted
	set_factor "$r3" 3
	commit_all "$r3" "3x the work"
	expect_exit 1 "an instruction budget fails on 3x the instructions" -- "$PERFGATE" -C "$r3" check --base counted --json "$TRASH/instr.json"
	expect_grep "the exact change" '^FAIL +count instructions: head .* vs base .*, \+[0-9]+% \[.*\], different; budget regress 1% exceeded' "$TRASH/out"
	expect_true "one callgrind run a side" -- jqt '.metrics[] | select(.metric == "instructions") | (.base.samples | length) == 1 and (.head.samples | length) == 1 and .comparison.runs_base == 1' "$TRASH/instr.json"
	expect_exit 0 "the same instructions pass" -- "$PERFGATE" -C "$r3" check --base counted --head counted
	expect_grep "exactly the same" '^PASS +count instructions: .*\+0\.0%.*same; within budget regress 1%' "$TRASH/out"
else
	not_ok "valgrind is not installed (scripts/deps.sh installs it)"
fi

# --- a config error at the base: exit 2, named file:line:col ---
printf 'version: 1\nbenchmarks:\n  - name: x\n    run: "true"\n    repat: 3\n' >"$r2/perfgate.yml"
commit_all "$r2" "typo" && git -C "$r2" tag typo
expect_exit 2 "a bad config at the base" -- "$PERFGATE" -C "$r2" check --base typo --head typo
expect_grep "named with commit, file, line and column" '[0-9a-f]{7}:perfgate.yml:5:5: ' "$TRASH/err"
test_done
