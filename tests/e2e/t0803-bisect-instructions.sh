#!/usr/bin/env bash
# perfgate bisect --metric instructions: one callgrind run per commit decides
# (cached), wall time cross-checks the culprit; the right commit and function.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$(dirname "$0")/../lib/bisect-repo.sh"
test_begin "perfgate bisect --metric instructions"
jqt() { jq -e "$@" >/dev/null; }
command -v valgrind >/dev/null || { ok "valgrind not installed: skipped"; test_done; }

repo=$TRASH/repo
make_bisect_repo "$repo" || { not_ok "make the repository"; test_done; }
expect_exit 0 "bisect on instructions" -- "$PERFGATE" -C "$repo" bisect --metric instructions good..main --json "$TRASH/i.json"
expect_true "the planted commit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c' "$TRASH/i.json"
expect_true "the planted function" -- jqt '.culprit.function == "parse_field" and .culprit.function_touched' "$TRASH/i.json"
expect_true "exact effect near 1.8x" -- jqt '.culprit.effect.ratio > 1.7 and .culprit.effect.ratio < 1.9' "$TRASH/i.json"
expect_true "one run per step" -- jqt '[.steps[] | select(.class != "skipped") | .triplets] | all(. == 1)' "$TRASH/i.json"
expect_true "wall time cross-checks it, cheaply" -- jqt '.cross_check.metric == "wall" and .cross_check.outcome != "disagrees" and .cross_check.effect.samples <= 4' "$TRASH/i.json"
expect_grep "the cross-check is reported" '^cross-check: wall .*(agrees|not confirmed by wall \(noise)' "$TRASH/out"
expect_true "profiled with callgrind: exact, one run a side" -- jqt '.executions <= 24' "$TRASH/i.json"
cache=$repo/.git/perfgate/bisect/cache
n1=$(grep -c ' instructions ' "$cache")
expect_true "each commit counted once ($n1)" -- test "$(grep ' instructions ' "$cache" | awk '{print $2}' | sort | uniq -d | wc -l)" -eq 0

# a second bisect of the same range takes every count from the cache
expect_exit 0 "again, from the cache, --cross-check" -- "$PERFGATE" -C "$repo" bisect --metric instructions --cross-check good..main --json "$TRASH/j.json"
expect_true "--cross-check samples wall until it agrees" -- jqt '.cross_check.agrees and .cross_check.outcome == "agrees"' "$TRASH/j.json"
expect_true "no new count" -- test "$(grep -c ' instructions ' "$cache")" -eq "$n1"
expect_true "same culprit" -- jqt --arg c "$BISECT_CULPRIT_OID" '.culprit.commit == $c' "$TRASH/j.json"
expect_exit 0 "--reset" -- "$PERFGATE" -C "$repo" bisect --reset
expect_exit 2 "an unknown metric" -- "$PERFGATE" -C "$repo" bisect --metric speed good..main
expect_grep "names it" "unknown metric 'speed'" "$TRASH/err"
test_done
