#!/usr/bin/env bash
# perfgate profile with the real perf: the known hot function is the hottest,
# and a 2x slower function is named by perfgate diff.
. "$(dirname "$0")/../lib/test-lib.sh"
test_begin "perfgate profile with perf, then diff"
SRC=$PG_TEST_DATA/attrib/bench.c
cc -O2 -g -o "$TRASH/bench_a" "$SRC" && cc -O2 -g -DSLOW_CHECKSUM -o "$TRASH/bench_b" "$SRC" || { not_ok "compile"; test_done; }

"$PERFGATE" profile --cmd "$TRASH/bench_a 20000" -o "$TRASH/a.folded" >"$TRASH/out" 2>"$TRASH/err"
rc=$?
if [ $rc -eq 4 ]; then
	# perf not permitted or no samples here: that must be said, with exit 4, never a verdict
	expect_grep "perf failure explained" 'perf_event_paranoid' "$TRASH/err"
	test_done
fi
expect_true "profile A exit 0 (got $rc)" -- test $rc -eq 0
expect_grep "the known hot function is the hottest" '^hottest: checksum' "$TRASH/out"
expect_true "folded stacks written" -- grep -q 'main;process;checksum ' "$TRASH/a.folded"
expect_true "SVG beside it" -- xmllint --noout "$TRASH/a.svg"

expect_exit 0 "profile B" -- "$PERFGATE" profile --cmd "$TRASH/bench_b 20000" -o "$TRASH/b.folded"
expect_exit 0 "diff A B" -- "$PERFGATE" diff "$TRASH/a.folded" "$TRASH/b.folded" --json "$TRASH/d.json" --touched checksum
expect_grep "checksum is responsible" '^responsible: checksum' "$TRASH/out"
expect_true "JSON: responsible and touched" -- test "$(jq -r '.responsible.name + " " + (.responsible.touched|tostring)' "$TRASH/d.json")" = "checksum true"

# frame pointers on request
expect_exit 0 "--call-graph fp" -- "$PERFGATE" profile --call-graph fp --cmd "$TRASH/bench_a 5000" -o "$TRASH/fp.folded"
expect_grep "fp: still finds checksum" '^hottest: checksum' "$TRASH/out"

# a benchmark too short to be sampled: exit 4 with the reason, never "no regression"
expect_exit 4 "no samples is an infrastructure error" -- "$PERFGATE" profile --frequency 1 --cmd true -o "$TRASH/t.folded"
expect_grep "says why" 'no samples' "$TRASH/err"
expect_exit 4 "a failing benchmark is an infrastructure error" -- "$PERFGATE" profile --cmd "$TRASH/nope" -o "$TRASH/n.folded"
expect_exit 2 "bad --profiler" -- "$PERFGATE" profile --profiler gprof --cmd true
test_done
